#!/usr/bin/env bash
# One image used by two articles (as lead image and in the text) and by the
# cover: it is checked, drawn and copied for the pages once each, and the
# build succeeds.
. "$(dirname "$0")/lib.sh"

cp -r "$SRC/articles" "$WORK/content"
ed="$WORK/content/2026-1"
printf '\n![Lesepatin mit Kindern](images/lesepaten.jpg "Dasselbe Bild noch einmal")\n' \
    >>"$ed/quereinstieg-kita.md"
sed -i 's|^  image: .*|  image: images/lesepaten.jpg|' "$ed/edition.yaml"

expect_status 0 "$JOURNAL" build "$WORK/content" --edition 2026-1 --out "$WORK/out" --no-print
cat "$WORK/stderr" >&2
[ -s "$WORK/out/2026-1/images/lesepaten.jpg" ] || fail "shared image not copied for the pages"
cmp -s "$WORK/out/2026-1/images/lesepaten.jpg" "$ed/images/lesepaten.jpg" || fail "copied image differs"
ls "$WORK/out/2026-1" | grep -q 'tmp-' && fail "temporary files left behind"
# The image is drawn on the cover, as a lead image and in the text: three
# placements of one embedded image.
pdf="$WORK/out/2026-1/bildung-im-blick-2026-1.pdf"
placed=$(pdfimages -list "$pdf" | awk 'NR > 2 && $3 == "image" && $4 == 1800' | wc -l)
[ "$placed" -ge 3 ] || fail "expected the 1800 px image placed at least 3 times, found $placed"
objects=$(pdfimages -list "$pdf" | awk 'NR > 2 && $3 == "image" && $4 == 1800 { print $11 }' | sort -u | wc -l)
[ "$objects" -le 2 ] || fail "the same image embedded $objects times"

finish
