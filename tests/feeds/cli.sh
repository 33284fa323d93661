#!/bin/bash
# The whole program: `journal build --all` on the sample journal, then the
# feeds and pages it wrote checked with the clients: xmllint (XML, RFC 4287
# grammar, HTML), feedparser. Enclosure lengths must be the sizes of the PDF
# files actually written, and every link in the feeds must point at a page
# that exists. Env: JOURNAL (the program), SRC, WORK.
set -u
: "${JOURNAL:?}" "${SRC:?}" "${WORK:?}"
PY=/usr/bin/python3
if [ ! -f "$SRC/articles/journal.yaml" ]; then
    echo "SKIPPED: no sample journal in articles/"
    exit 77
fi
rm -rf "$WORK"
mkdir -p "$WORK"
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
"$JOURNAL" build "$SRC/articles" --all --no-print --quiet --out "$WORK/out" >"$WORK/build.log" 2>&1 ||
    { echo "FAIL: journal build: $(tail -20 "$WORK/build.log")"; exit 1; }
for f in atom.xml rss.xml; do
    xmllint --noout "$WORK/out/$f" || fail "$f is not well-formed"
done
xmllint --noout --relaxng "$SRC/tests/feeds/atom.rng" "$WORK/out/atom.xml" >"$WORK/rng.log" 2>&1 ||
    fail "atom.xml does not validate: $(cat "$WORK/rng.log")"
while IFS= read -r page; do
    err=$(xmllint --html --noout "$page" 2>&1)
    [ -z "$err" ] || fail "$page: $err"
done < <(find "$WORK/out" -name '*.html' | sort)
"$PY" - "$WORK/out" <<'PYEOF' || fail "feedparser checks"
import os, sys, urllib.parse
import feedparser
out = sys.argv[1]
failures = []
for name in ("atom.xml", "rss.xml"):
    d = feedparser.parse(os.path.join(out, name))
    if d.bozo:
        failures.append(f"{name}: {d.bozo_exception!r}")
    if not d.entries:
        failures.append(f"{name}: no entries")
    base = [l.href for l in d.feed.links if l.rel == "self"][0].rsplit("/", 1)[0] + "/"
    for e in d.entries:
        def local(url):
            assert url.startswith(base), (url, base)
            return os.path.join(out, urllib.parse.unquote(url[len(base):].split("#")[0]))
        page = local(e.link)
        if not os.path.isfile(page):
            failures.append(f"{name}: {e.id}: link {e.link} has no page")
        for l in e.links:
            if l.rel != "enclosure":
                continue
            pdf = local(l.href)
            if not os.path.isfile(pdf):
                failures.append(f"{name}: {e.id}: enclosure {l.href} missing")
            elif int(l.length) != os.path.getsize(pdf):
                failures.append(f"{name}: {e.id}: enclosure length {l.length}, file {os.path.getsize(pdf)}")
            if l.type != "application/pdf":
                failures.append(f"{name}: {e.id}: enclosure type {l.type}")
        if not any(l.rel == "enclosure" for l in e.links):
            failures.append(f"{name}: {e.id}: no enclosure")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print("feedparser: links and enclosures match the files written")
PYEOF
[ "$fails" = 0 ] || exit 1
echo "feed_cli: all checks passed"
