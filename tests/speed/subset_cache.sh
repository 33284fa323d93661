#!/bin/bash
# subset_cache.sh: font subsets kept in the cache folder (pdf_font.c) give
# the same PDFs as subsets made anew: a cold and a warm build equal a build
# with the cache off; a kept subset whose bytes were damaged is not used
# (and is made anew); after an article gains characters the warm build
# still equals a build with the cache off (the kept subset lacks them).
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
build() { # content out cache-dir
    JOURNAL_CACHE_DIR=$3 "$JOURNAL" build "$1" --out "$2" --quiet >/dev/null 2>"$2.err" ||
        fail "build $2: $(head -3 "$2.err")"
}
same_pdfs() { # a b what
    local n=0
    for p in $(cd "$1" && find . -name '*.pdf' | sort); do
        n=$((n + 1))
        cmp -s "$1/$p" "$2/$p" || fail "$3: $p differs"
    done
    [ "$n" -ge 2 ] || fail "$3: no PDFs in $1"
}
build "$SRC/articles" off off
build "$SRC/articles" cold "$cache"
ls "$cache"/subset-1-*.bin >/dev/null 2>&1 || fail "no subset kept in the cache folder"
build "$SRC/articles" warm "$cache"
same_pdfs off cold "cold cache"
same_pdfs off warm "warm cache"

# damage the data of every kept subset (its last bytes: inside the font)
for f in "$cache"/subset-1-*.bin; do
    size=$(stat -c %s "$f")
    printf '\377\377\377\377' | dd of="$f" bs=1 seek=$((size - 40)) conv=notrunc status=none
done
build "$SRC/articles" damaged "$cache"
same_pdfs off damaged "damaged cache"

# new characters in an article: the kept subsets do not hold them
cp -r "$SRC/articles" changed
art=$(ls changed/2026-2/*.md | head -1)
printf '\nNeu: Ærøskøbing, Œuvre, Ğ, Ş, Ł.\n' >>"$art"
build changed changed-off off
build changed changed-warm "$cache"
same_pdfs changed-off changed-warm "new characters"
pdftotext "changed-warm/2026-2/$(basename "$(ls changed-warm/2026-2/*-2026-2.pdf)")" - 2>/dev/null |
    grep -q 'Ærøskøbing' || fail "the new characters are not in the warm build's text"

[ "$fails" -eq 0 ] && echo "subset cache: same PDFs cold, warm, damaged and with new characters"
[ "$fails" -eq 0 ]
