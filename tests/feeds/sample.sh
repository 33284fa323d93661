#!/bin/bash
# The sample journal in articles/ (read by jr_content_load) through the feed
# and HTML back ends: well-formed, valid Atom, feedparser agrees with the
# model, clean HTML. Skipped (77) while articles/ is not there.
set -u
: "${FIXTURE:?}" "${SRC:?}" "${WORK:?}"
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
"$FIXTURE" "$WORK/out" --content "$SRC/articles" || fail "feed_fixture --content articles"
for f in atom.xml rss.xml; do
    xmllint --noout "$WORK/out/$f" || fail "$f is not well-formed"
done
xmllint --noout --relaxng "$SRC/tests/feeds/atom.rng" "$WORK/out/atom.xml" >"$WORK/rng.log" 2>&1 ||
    fail "atom.xml does not validate: $(cat "$WORK/rng.log")"
while IFS= read -r page; do
    err=$(xmllint --html --noout "$page" 2>&1)
    [ -z "$err" ] || fail "$page: $err"
done < <(find "$WORK/out" -name '*.html' | sort)
$PY "$SRC/tests/feeds/check_feeds.py" "$WORK/out" || fail "feedparser checks"
if grep -rniE '(^|[^a-z])script|onclick|javascript:|iframe' --include='*.xml' --include='*.html' \
    "$WORK/out" >"$WORK/unsafe.txt"; then
    fail "unsafe markup: $(head -3 "$WORK/unsafe.txt")"
fi
# Removals in the sample are not errors of the back ends, but worth seeing.
grep -E 'XML|removed from feeds' "$WORK/out/diagnostics.txt" | sed 's/^/note: /'
[ "$fails" = 0 ] || exit 1
echo "feed_sample: all checks passed"
