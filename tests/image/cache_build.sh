#!/usr/bin/env bash
# Checks of images remembered across builds (image.c): builds with the
# cache cold, warm and off write the same files and messages; an image
# truncated after it was remembered, or overwritten with other bytes of the
# same size and its modification time set back, is reported as without
# the cache.
. "$(dirname "$0")/../cli/lib.sh"

cp -r "$SRC/articles" "$WORK/content"
img="$WORK/content/2026-2/images"
cp -p "$img/messe-teilnehmende.png" "$WORK/messe.ref"
sleep 2.3 # files changed within the last 2 s are not remembered

# build NAME CACHE_DIR STATUS: outputs in $WORK/NAME, messages in NAME.err
build() {
    expect_status "$3" env JOURNAL_CACHE_DIR="$2" "$JOURNAL" build "$WORK/content" \
        --edition 2026-2 --out "$WORK/$1" --quiet
    sed "s|$WORK/$1|OUT|g" "$WORK/stdout" >"$WORK/$1.out"
    cp "$WORK/stderr" "$WORK/$1.err"
}

build off off 0
build cold "$WORK/cache" 0
[ -s "$WORK/cache/images-v1.bin" ] || fail "no image checks remembered"
build warm "$WORK/cache" 0
for run in cold warm; do
    diff -r "$WORK/off" "$WORK/$run" >/dev/null || fail "$run build: files differ from the uncached build"
    cmp -s "$WORK/off.out" "$WORK/$run.out" || fail "$run build: output differs"
    cmp -s "$WORK/off.err" "$WORK/$run.err" || fail "$run build: messages differ"
done

# truncated in place (same inode)
head -c 30000 "$img/ganztag.jpg" >"$WORK/part.jpg"
cat "$WORK/part.jpg" >"$img/ganztag.jpg"
build trunc-off off 1
build trunc "$WORK/cache" 1
grep -q 'ganztag.jpg.*truncated JPEG' "$WORK/trunc-off.err" || fail "truncation not reported"
cmp -s "$WORK/trunc-off.err" "$WORK/trunc.err" || fail "truncated image: messages differ with the cache"

# same size, same modification time, other bytes
dd if=/dev/zero of="$img/messe-teilnehmende.png" bs=1 seek=9000 count=64 conv=notrunc 2>/dev/null
touch -r "$WORK/messe.ref" "$img/messe-teilnehmende.png"
[ "$(stat -c '%s %y' "$img/messe-teilnehmende.png")" = "$(stat -c '%s %y' "$WORK/messe.ref")" ] ||
    fail "could not restore size and time"
build same-off off 1
build same "$WORK/cache" 1
grep -q 'messe-teilnehmende.png.*corrupt PNG' "$WORK/same-off.err" || fail "corruption not reported"
cmp -s "$WORK/same-off.err" "$WORK/same.err" || fail "corrupt image: messages differ with the cache"
ls "$WORK/cache" | grep -q tmp && fail "temporary files left in the cache folder"

finish
