#!/bin/bash
# Feeds and pages against real clients: xmllint (well-formed XML, the RFC 4287
# RELAX NG grammar, HTML), feedparser (every field against the fixture), ids
# stable across rebuilds and a new edition, the entry limit, no unsafe markup
# anywhere, the control character removed with a warning.
# Env: FIXTURE (the feed_fixture program), SRC, WORK.
set -u
: "${FIXTURE:?}" "${SRC:?}" "${WORK:?}"
PY=/usr/bin/python3 # Debian's python3-feedparser imports only here
RNG="$SRC/tests/feeds/atom.rng"
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

command -v xmllint >/dev/null || { echo "xmllint missing (package libxml2-utils)"; exit 1; }
$PY -c 'import feedparser' || { echo "feedparser missing (package python3-feedparser)"; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK"

build() { # build OUT [fixture options]
    local out=$1
    shift
    "$FIXTURE" "$out" "$@" || fail "feed_fixture $out $* failed"
}

check_out() { # check_out OUT
    local out=$1
    for f in atom.xml rss.xml; do
        xmllint --noout "$out/$f" 2>"$WORK/xmllint.err" || fail "$out/$f is not well-formed: $(cat "$WORK/xmllint.err")"
    done
    xmllint --noout --relaxng "$RNG" "$out/atom.xml" >"$WORK/rng.log" 2>&1 ||
        fail "$out/atom.xml does not validate against RFC 4287's grammar: $(cat "$WORK/rng.log")"
    while IFS= read -r page; do
        # xmllint exits 0 on HTML parser errors; any output is an error.
        err=$(xmllint --html --noout "$page" 2>&1)
        [ -z "$err" ] || fail "$page: xmllint --html: $err"
    done < <(find "$out" -name '*.html' | sort)
    $PY "$SRC/tests/feeds/check_feeds.py" "$out" || fail "feedparser checks on $out"
    # Nothing executable survives, in feeds or pages (escaped or not; the
    # word "script" on its own: "description" is an RSS element).
    if grep -rniE '(^|[^a-z])script|onclick|onerror|javascript:|iframe|vbscript|data:image|<object|<embed|<form|<style>body' \
        --include='*.xml' --include='*.html' "$out" >"$WORK/unsafe.txt"; then
        fail "unsafe markup in $out: $(head -5 "$WORK/unsafe.txt")"
    fi
    # No control characters (other than tab/LF/CR) in any output.
    if LC_ALL=C grep -rlP '[\x00-\x08\x0b\x0c\x0e-\x1f]' --include='*.xml' --include='*.html' "$out"; then
        fail "control characters in $out"
    fi
}

# 1. The journal as built.
build "$WORK/out"
check_out "$WORK/out"
n=$(grep -c 'character not allowed in XML removed (U+0001)' "$WORK/out/diagnostics.txt")
[ "$n" = 1 ] || fail "want one warning for U+0001, got $n: $(cat "$WORK/out/diagnostics.txt")"
grep -q '^content/2026-1/sicher-im-netz.md:7: warning: character not allowed in XML removed (U+0001)$' \
    "$WORK/out/diagnostics.txt" || fail "the U+0001 warning does not name file and line 7"
grep -q 'sicher-im-netz.md:[0-9]*: warning: .*<script>' "$WORK/out/diagnostics.txt" ||
    fail "no warning for the removed <script>"
grep -q 'Erlaubt: <sup>2</sup> und <em lang="en">emphasis</em>' "$WORK/out/2026-1/sicher-im-netz.html" ||
    fail "allowed inline HTML did not survive"
grep -q '<img src="images/ok.png" alt="Erlaubtes Bild">' "$WORK/out/2026-1/sicher-im-netz.html" ||
    fail "the allowed image lost"
grep -q '„Wir <em>brauchen</em> einander.“' "$WORK/out/2026-1/schule-beruf.html" ||
    fail "no German quotes in the article page"
grep -q '<span class="date">29. März 2026</span>' "$WORK/out/2026-1/schule-beruf.html" ||
    fail "no German date on the article page"
grep -q 'PDF herunterladen (1,2 MB)' "$WORK/out/index.html" || fail "no PDF size in German format"
grep -q '<published>2026-03-29T08:00:00+02:00</published>' "$WORK/out/atom.xml" ||
    fail "summer-time offset on the day of the change"
grep -q '<pubDate>Mon, 16 Nov 2026 08:00:00 +0100</pubDate>' "$WORK/out/rss.xml" ||
    fail "RSS date in winter time"
grep -q '&lt;img src=&quot;https://journal.bildung-stade.example/archiv/2026-1/images/werkstatt-2.jpg&quot;' \
    "$WORK/out/atom.xml" || fail "image in feed content not made absolute"
grep -q '&lt;figure&gt;&lt;img src=&quot;https://journal.bildung-stade.example/archiv/2026-1/images/werkstatt.jpg&quot; alt=&quot;Zwei Auszubildende' \
    "$WORK/out/rss.xml" || fail "no lead image in the feed content"

# 2. Same input, same bytes.
build "$WORK/again"
for f in atom.xml rss.xml index.html 2026-1/schule-beruf.html 2026-2/tablets-im-unterricht.html; do
    cmp -s "$WORK/out/$f" "$WORK/again/$f" || fail "$f differs between two builds"
done

# 2b. The locale does not leak into the output (decimal comma, month names).
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    LC_ALL=de_DE.UTF-8 "$FIXTURE" "$WORK/de" || fail "feed_fixture under de_DE.UTF-8"
    for f in atom.xml rss.xml index.html 2026-1/schule-beruf.html; do
        cmp -s "$WORK/out/$f" "$WORK/de/$f" || fail "$f differs under LC_ALL=de_DE.UTF-8"
    done
else
    echo "note: locale de_DE.UTF-8 not installed; locale check left out"
fi

# 3. A new edition: every old id stays, the new ones come first.
build "$WORK/extra" --extra
check_out "$WORK/extra"
ids() { grep -o '<id>[^<]*</id>' "$1" | sed 1d | sort; }
old=$(ids "$WORK/out/atom.xml")
new=$(ids "$WORK/extra/atom.xml")
missing=$(comm -23 <(echo "$old") <(echo "$new"))
[ -z "$missing" ] || fail "ids changed when an edition was added: $missing"
grep -o '<id>[^<]*</id>' "$WORK/extra/atom.xml" | sed -n 2p | grep -q ':2027-1</id>' ||
    fail "the new edition is not the first entry"
[ "$(grep -o '<guid[^>]*>[^<]*' "$WORK/out/rss.xml" | sort)" = \
  "$(grep -o '<guid[^>]*>[^<]*' "$WORK/extra/rss.xml" | grep -v 2027-1 | sort)" ] ||
    fail "RSS guids changed when an edition was added"

# 4. At most feed_entries entries.
build "$WORK/three" --entries 3
check_out "$WORK/three"
[ "$(grep -c '<entry' "$WORK/three/atom.xml")" = 3 ] || fail "feed_entries 3: Atom has not 3 entries"
[ "$(grep -c '<item>' "$WORK/three/rss.xml")" = 3 ] || fail "feed_entries 3: RSS has not 3 items"

# 5. Only the required fields (no base_url, authors, summary, dates; an
#    edition without articles): still valid, and nothing made up.
build "$WORK/bare" --bare
for f in atom.xml rss.xml; do
    xmllint --noout "$WORK/bare/$f" || fail "bare: $f is not well-formed"
done
xmllint --noout --relaxng "$RNG" "$WORK/bare/atom.xml" 2>/dev/null || fail "bare: atom.xml is not valid Atom"
$PY - "$WORK/bare" <<'PYEOF' || fail "bare: feedparser"
import feedparser, sys
for name in ("atom.xml", "rss.xml"):
    d = feedparser.parse(f"{sys.argv[1]}/{name}")
    assert not d.bozo, (name, d.bozo_exception)
    assert len(d.entries) == 3, (name, len(d.entries))
    assert d.feed.title == "Nur ein Titel", d.feed.title
    assert all(e.get("published_parsed") for e in d.entries), name
    assert "tag:localhost,2026-01-01:2026-1/leer" in [e.id for e in d.entries], name
PYEOF
[ -s "$WORK/bare/index.html" ] && [ -s "$WORK/bare/2026-1/leer.html" ] || fail "bare: pages missing"

# 6. The checks can fail: a changed title and a stray control character.
cp -r "$WORK/out" "$WORK/broken"
sed -i 's|<title type="text">Tablets im Unterricht</title>|<title type="text">Tablets</title>|' "$WORK/broken/atom.xml"
if $PY "$SRC/tests/feeds/check_feeds.py" "$WORK/broken" >/dev/null; then
    fail "check_feeds.py accepted a wrong title"
fi
printf '<?xml version="1.0"?><feed>\001</feed>' >"$WORK/bad.xml"
if xmllint --noout "$WORK/bad.xml" 2>/dev/null; then
    fail "xmllint accepted a control character"
fi

if [ "$fails" -gt 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "feed_clients: all checks passed"
