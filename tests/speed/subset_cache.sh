#!/bin/bash
# subset_cache.sh: font subsets kept in the cache folder (pdf_font.c) give
# the same PDFs as subsets made anew: a cold and a warm build equal a build
# with the cache off; a kept subset whose bytes were damaged is not used
# (and is made anew); after an article gains characters the warm build
# still equals a build with the cache off (the kept subset lacks them).
# The same for the finished font objects (fontobj-1-*.bin): not rewritten
# by a warm build, damaged or truncated files not used (and made anew), a
# touched or replaced font file not served from the old ones.
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

# ---- the finished font objects (fontobj-1-*.bin: compressed program,
# ToUnicode, CIDToGIDMap, CIDSet, widths), kept beside the subsets ----
rm -rf "$cache"
build "$SRC/articles" objcold "$cache"
ls "$cache"/fontobj-1-*.bin >/dev/null 2>&1 || fail "no font objects kept in the cache folder"
mkdir -p kept
cp "$cache"/fontobj-1-*.bin kept/
build "$SRC/articles" objwarm "$cache"
same_pdfs off objcold "font objects, cold cache"
same_pdfs off objwarm "font objects, warm cache"
for f in "$cache"/fontobj-1-*.bin; do
    cmp -s "$f" "kept/$(basename "$f")" || fail "$(basename "$f") rewritten by a warm build"
done
# damaged: a few bytes changed in the records (the streams and the widths)
for f in "$cache"/fontobj-1-*.bin; do
    size=$(stat -c %s "$f")
    for at in $((size * 6 / 10)) $((size * 8 / 10)) $((size - 300)) $((size - 8)); do
        printf '\125\252\125\252' | dd of="$f" bs=1 seek="$at" conv=notrunc status=none
    done
done
build "$SRC/articles" objdamaged "$cache"
same_pdfs off objdamaged "font objects, damaged cache"
for f in "$cache"/fontobj-1-*.bin; do # made anew, the same bytes
    cmp -s "$f" "kept/$(basename "$f")" || fail "damaged $(basename "$f") not made anew"
done
# truncated: the last part cut off, or the records gone
n=0
for f in "$cache"/fontobj-1-*.bin; do
    n=$((n + 1))
    size=$(stat -c %s "$f")
    truncate -s $((n % 2 ? size - 1 : size / 2)) "$f"
done
build "$SRC/articles" objtruncated "$cache"
same_pdfs off objtruncated "font objects, truncated cache"

# ---- large streams kept compressed (zstream-1-*.bin: the colour
# profiles of the print PDF): a damaged or truncated one is not used ----
ls "$cache"/zstream-1-*.bin >/dev/null 2>&1 || fail "no compressed profile kept in the cache folder"
for f in "$cache"/zstream-1-*.bin; do
    size=$(stat -c %s "$f")
    printf '\125\252\125\252' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc status=none
done
build "$SRC/articles" zdamaged "$cache"
same_pdfs off zdamaged "compressed profile, damaged cache"
for f in "$cache"/zstream-1-*.bin; do
    truncate -s $(($(stat -c %s "$f") - 5)) "$f"
done
build "$SRC/articles" ztruncated "$cache"
same_pdfs off ztruncated "compressed profile, truncated cache"
build "$SRC/articles" zwarm "$cache"
same_pdfs off zwarm "compressed profile, warm cache"

# a font file that changed: its kept objects are not used. The layout takes
# its body fonts from a file in the work folder, which is then replaced by
# another font (and, separately, only touched).
mkdir -p fonts
cp /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf fonts/body.ttf
cat >mine.yaml <<YAML
fonts:
  body: {family: $WORK/fonts/body.ttf, size: 9.5pt, leading: 13pt}
YAML
lbuild() { # out cache-dir
    JOURNAL_CACHE_DIR=$2 "$JOURNAL" build "$SRC/articles" --layout "$WORK/mine.yaml" --out "$1" \
        --quiet >/dev/null 2>"$1.err" || fail "build $1: $(head -3 "$1.err")"
}
rm -rf "$cache"
lbuild font1-off off
lbuild font1-cold "$cache"
lbuild font1-warm "$cache"
same_pdfs font1-off font1-cold "own font, cold cache"
same_pdfs font1-off font1-warm "own font, warm cache"
before=$(ls "$cache"/fontobj-1-*.bin | wc -l)
touch -d '2001-02-03 04:05:06' fonts/body.ttf # same bytes, another identity
lbuild font1-touched "$cache"
same_pdfs font1-off font1-touched "own font touched"
[ "$(ls "$cache"/fontobj-1-*.bin | wc -l)" -gt "$before" ] ||
    fail "a touched font file did not get font objects of its own"
cp /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf fonts/body.ttf
touch -d '2001-02-03 04:05:06' fonts/body.ttf # only the size tells it apart
lbuild font2-warm "$cache"
lbuild font2-off off
same_pdfs font2-off font2-warm "own font replaced"
cmp -s font1-off/2026-2/bildung-im-blick-2026-2.pdf font2-off/2026-2/bildung-im-blick-2026-2.pdf &&
    fail "the replaced font changed nothing (the test does not test)"

[ "$fails" -eq 0 ] && echo "subset cache: same PDFs cold, warm, damaged and with new characters"
[ "$fails" -eq 0 ]
