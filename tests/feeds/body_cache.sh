#!/bin/bash
# body_cache.sh: page bodies kept in the cache folder (sanitize.c) give the
# same pages, feeds and warnings as bodies rendered anew: cold and warm
# builds equal a build with the cache off, on the sample plus an article
# whose raw HTML is removed with a warning (given again on the warm build);
# a damaged cache file is not used; an edited article gets its new body.
# Environment: JOURNAL, SRC, WORK.
set -u
: "${JOURNAL:?}" "${SRC:?}" "${WORK:?}"
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK" || exit 2
fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}
cache=$WORK/cache
cp -r "$SRC/articles" content
# few feed entries, the article with raw HTML not among them: its warning
# comes from its page alone
sed -i 's/^  entries: .*/  entries: 3/' content/journal.yaml
cat >content/2026-2/unsicher.md <<'MD'
---
title: Ein Beitrag mit Skript
author: Redaktion
date: 2026-09-01
section: vernetzung
summary: Rohes HTML, das nicht auf die Seiten darf.
---

Ein Absatz mit <b onclick="alert(1)">fettem</b> Text.

<script>alert("nein")</script>

Noch ein Absatz.
MD
build() { # out cache-dir [content]
    (cd "$WORK" && JOURNAL_CACHE_DIR=$2 "$JOURNAL" build "${3:-content}" --out "$1" --quiet \
        >/dev/null 2>"$1.err")
    [ $? -le 1 ] || fail "build $1 crashed: $(head -3 "$1.err")"
}
same_web() { # a b what
    local n=0
    for p in $(cd "$1" && find . -name '*.html' -o -name '*.xml' | sort); do
        n=$((n + 1))
        cmp -s "$1/$p" "$2/$p" || fail "$3: $p differs"
    done
    [ "$n" -ge 10 ] || fail "$3: only $n pages and feeds in $1"
    cmp -s "$1.err" "$2.err" || fail "$3: the diagnostics differ: $(diff "$1.err" "$2.err" | head -5)"
}
build off off
grep -q 'unsicher.md:[0-9]*: warning: .*script' off.err || fail "no warning for the <script>: $(cat off.err)"
build cold "$cache"
ls "$cache"/bodies-1-*.bin >/dev/null 2>&1 || fail "no bodies kept in the cache folder"
build warm "$cache"
same_web off cold "cold cache"
same_web off warm "warm cache"

# damage the kept bodies (a byte in the middle of the file)
for f in "$cache"/bodies-1-*.bin; do
    size=$(stat -c %s "$f")
    printf 'X' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
done
build damaged "$cache"
same_web off damaged "damaged cache"

# an edited article gets its new body from the warm cache
art=content/2026-2/termine.md
printf '\nEin neuer Absatz über den Fachtag Sprachbildung.\n' >>"$art"
build edited-off off
build edited-warm "$cache"
same_web edited-off edited-warm "edited article"
grep -q 'Fachtag Sprachbildung' edited-warm/2026-2/termine.html ||
    fail "the edited article's page lacks its new paragraph"

[ "$fails" -eq 0 ] && echo "body cache: same pages, feeds and warnings cold, warm, damaged and edited"
[ "$fails" -eq 0 ]
