#!/usr/bin/env bash
# Bad input: every editor mistake gives the exact diagnostic (path:line:col,
# wording), the right exit status, and never changes a previous good build.
#
# A case is a folder tests/bad/cases/<name>/ holding only what differs from
# tests/bad/cases/base/ (files laid over a copy of it, and an optional file
# `remove` listing files to delete) and `expect`: the first line is
# `exit N`, the rest is the exact stderr of `journal build <name>` (the
# width of an overfull line written as N, it depends on the layout). Binary
# cases (bytes a text fixture cannot hold, absolute paths, symlinks) are
# made below into $WORK, with their expectation written here.
#
# Each build goes into a copy of a previous good build: after a failed build
# every file must be byte-identical and no temporary file left; after a
# warning-only build the outputs must be complete.
. "$SRC/tests/cli/lib.sh"

cases="$SRC/tests/bad/cases"
cd "$WORK"

snapshot() { # snapshot DIR: every entry with its type, and every file's checksum
    (cd "$1" && find . -printf '%y %p\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# The previous good build that every case builds over.
cp -r "$cases/base" base
expect_status 0 "$JOURNAL" build base --out good --quiet
[ -s good/2026-1/testjournal-2026-1.pdf ] || fail "the base fixture did not build"
snapshot good >good.snap

# prepare NAME: $WORK/NAME as a copy of the base fixture with the case laid over it.
prepare() {
    rm -rf "$1"
    cp -r "$cases/base" "$1"
    if [ -d "$cases/$1" ]; then
        (cd "$cases/$1" && find . -type f ! -name expect ! -name remove -exec cp --parents {} "$WORK/$1/" \;)
        if [ -f "$cases/$1/remove" ]; then
            while read -r f; do rm -f "$1/$f"; done <"$cases/$1/remove"
        fi
    fi
}

# run_case NAME: builds $WORK/NAME over the good build; expectation on stdin.
run_case() {
    name=$1
    { read -r _ want; cat >"$name.want"; }
    rm -rf out
    cp -a good out
    set +e
    timeout 120 "$JOURNAL" build "$name" --out out --quiet >"$name.stdout" 2>"$name.raw"
    got=$?
    set -e
    # How much too wide a line is depends on the layout, not on the input.
    sed -E 's/overfull line \([0-9.]+ pt too wide\)/overfull line (N pt too wide)/' "$name.raw" >"$name.stderr"
    [ "$got" = "$want" ] || fail "$name: exit status $got, expected $want"
    if ! diff -u "$name.want" "$name.stderr" >"$name.diff"; then
        fail "$name: diagnostics differ (- expected, + got)"
        sed 's/^/  /' "$name.diff" >&2
    fi
    leftovers=$(find out -name '*.tmp-*' -o -name '*.bak-*')
    [ -z "$leftovers" ] || fail "$name: temporary files left: $leftovers"
    if [ "$want" != 0 ]; then
        snapshot out | diff -u good.snap - >/dev/null || fail "$name: a failed build changed the previous output"
        [ ! -s "$name.stdout" ] || fail "$name: a failed build printed output paths"
    else
        for f in 2026-1/testjournal-2026-1.pdf 2026-1/testjournal-2026-1-print.pdf atom.xml rss.xml index.html; do
            [ -s "out/$f" ] || fail "$name: warning-only build did not write $f"
        done
    fi
    # `check` reports the same and writes nothing.
    set +e
    timeout 120 "$JOURNAL" check "$name" >/dev/null 2>"$name.checkraw"
    got=$?
    sed -E 's/overfull line \([0-9.]+ pt too wide\)/overfull line (N pt too wide)/' "$name.checkraw" >"$name.check"
    set -e
    [ "$got" = "$want" ] || fail "$name: check exited $got, expected $want"
    diff -u "$name.want" "$name.check" >/dev/null || {
        fail "$name: check reports differently from build"
        diff -u "$name.want" "$name.check" | sed 's/^/  /' >&2
    }
    ncases=$((ncases + 1))
}
ncases=0

# ---- the fixture cases --------------------------------------------------------
for dir in "$cases"/*/; do
    name=$(basename "$dir")
    [ "$name" != base ] || continue
    [ -f "$dir/expect" ] || { fail "$name: no expect file"; continue; }
    prepare "$name"
    run_case "$name" <"$dir/expect"
done

# ---- generated cases ------------------------------------------------------------
article() { # article NAME BODY (printf format): eins.md with a minimal front matter
    printf -- "---\ntitle: Erster Artikel\ndate: 2026-02-01\n---\n\n$2\n" >"$1/2026-1/eins.md"
}
img="$cases/base/2026-1/images"

prepare file-not-utf8
article file-not-utf8 'Gr\374\337e aus Stade.'
run_case file-not-utf8 <<'EOF'
exit 1
file-not-utf8/2026-1/eins.md:6:3: error: file is not valid UTF-8 (invalid byte at offset 50)
EOF

prepare file-nul
article file-nul 'Ein\000Satz.'
run_case file-nul <<'EOF'
exit 1
file-nul/2026-1/eins.md:6:4: error: file contains a NUL byte (at offset 51)
EOF

# YAML nested 100,000 deep; aliases (a billion laughs would expand them).
prepare fm-yaml-deep
python3 -c "print('---\ntitle: Tief\ndate: 2026-02-01\ntags: ' + '[' * 100000 + ']' * 100000 + '\n---\n\nText.')" \
    >fm-yaml-deep/2026-1/eins.md
run_case fm-yaml-deep <<'EOF'
exit 1
fm-yaml-deep/2026-1/eins.md:4:70: error: YAML syntax error: nesting deeper than 64 levels
EOF

prepare fm-yaml-aliases
cat >fm-yaml-aliases/2026-1/eins.md <<'EOF'
---
title: Lachen
date: 2026-02-01
tags: &a [ha, ha, ha, ha, ha, ha, ha, ha, ha]
summary: [*a, *a, *a, *a, *a, *a, *a, *a, *a]
---

Text.
EOF
run_case fm-yaml-aliases <<'EOF'
exit 1
fm-yaml-aliases/2026-1/eins.md:5:11: error: YAML syntax error: aliases (*name) are not supported; write the value out
EOF

mkdir -p outside && cp "$img/bild.png" outside/geheim.png
prepare img-absolute
article img-absolute "![Geheim]($WORK/outside/geheim.png)"
run_case img-absolute <<EOF
exit 1
img-absolute/2026-1/eins.md:6:1: error: image path leaves the content folder: $WORK/outside/geheim.png
EOF

prepare img-symlink-outside
ln -s "$WORK/outside/geheim.png" img-symlink-outside/2026-1/images/link.png
article img-symlink-outside '![Geheim](images/link.png)'
run_case img-symlink-outside <<'EOF'
exit 1
img-symlink-outside/2026-1/eins.md:6:1: error: image path leaves the content folder: images/link.png
EOF

# A PNG whose IHDR checksum is wrong.
prepare png-corrupt
python3 - "$img/bild.png" png-corrupt/2026-1/images/kaputt.png <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[29] ^= 0xFF  # last byte of IHDR's CRC
open(sys.argv[2], "wb").write(d)
PY
article png-corrupt '![Kaputt](images/kaputt.png)'
run_case png-corrupt <<'EOF'
exit 1
png-corrupt/2026-1/eins.md:6:1: error: image images/kaputt.png: corrupt PNG: IHDR: CRC error
EOF

# PNG data that does not inflate.
prepare png-bad-data
python3 - "$img/bild.png" png-bad-data/2026-1/images/kaputt.png <<'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"IDAT")
n = struct.unpack(">I", d[i - 4:i])[0]
for k in range(i + 6, i + 4 + n):
    d[k] ^= 0x5A
d[i + 4 + n:i + 8 + n] = struct.pack(">I", zlib.crc32(bytes(d[i:i + 4 + n])) & 0xFFFFFFFF)
open(sys.argv[2], "wb").write(d)
PY
article png-bad-data '![Kaputt](images/kaputt.png)'
set +e
"$JOURNAL" build png-bad-data --out out-bad-data --quiet >/dev/null 2>png-bad-data.stderr
got=$?
set -e
[ "$got" = 1 ] || fail "png-bad-data: exit status $got, expected 1"
grep -qx 'png-bad-data/2026-1/eins.md:6:1: error: image images/kaputt.png: corrupt PNG: .*' png-bad-data.stderr ||
    { fail "png-bad-data: no 'corrupt PNG' error"; cat png-bad-data.stderr >&2; }
[ ! -e out-bad-data ] || fail "png-bad-data: a failed build created the output folder"

prepare png-truncated
head -c 200 "$img/bild.png" >png-truncated/2026-1/images/halb.png
article png-truncated '![Halb](images/halb.png)'
run_case png-truncated <<'EOF'
exit 1
png-truncated/2026-1/eins.md:6:1: error: image images/halb.png: truncated PNG
EOF

# A JPEG named .png is used as what it is; a PNG signature with garbage is not.
prepare png-signature-only
{ printf '\211PNG\r\n\032\n'; printf 'garbage garbage garbage garbage'; } >png-signature-only/2026-1/images/sig.png
article png-signature-only '![Signatur](images/sig.png)'
run_case png-signature-only <<'EOF'
exit 1
png-signature-only/2026-1/eins.md:6:1: error: image images/sig.png: corrupt PNG: age[20]: invalid chunk type
EOF

size=$(stat -c %s "$img/bild.jpg")
prepare jpeg-truncated
head -c $((size / 2)) "$img/bild.jpg" >jpeg-truncated/2026-1/images/halb.jpg
article jpeg-truncated '![Halb](images/halb.jpg)'
run_case jpeg-truncated <<'EOF'
exit 1
jpeg-truncated/2026-1/eins.md:6:1: error: image images/halb.jpg: truncated JPEG
EOF

# Everything up to the start of the entropy-coded data (after SOS).
prepare jpeg-header-only
python3 - "$img/bild.jpg" jpeg-header-only/2026-1/images/kopf.jpg <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"\xff\xda")
n = struct.unpack(">H", d[i + 2:i + 4])[0]
open(sys.argv[2], "wb").write(d[:i + 2 + n])
PY
article jpeg-header-only '![Kopf](images/kopf.jpg)'
run_case jpeg-header-only <<'EOF'
exit 1
jpeg-header-only/2026-1/eins.md:6:1: error: image images/kopf.jpg: truncated JPEG
EOF

# Headers that claim 20,000 x 20,000 pixels (1.2 GB decoded).
prepare png-huge
python3 - png-huge/2026-1/images/riesig.png <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
row = b"\0" + b"\x80" * 3 * 20000
data = zlib.compress(row * 8, 9)
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", data) + chunk(b"IEND", b""))
PY
article png-huge '![Riesig](images/riesig.png)'
run_case png-huge <<'EOF'
exit 1
png-huge/2026-1/eins.md:6:1: error: image images/riesig.png: image claims 20000 x 20000 pixels
EOF

prepare jpeg-huge
python3 - "$img/bild.jpg" jpeg-huge/2026-1/images/riesig.jpg <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"\xff\xc0")
d[i + 5:i + 9] = struct.pack(">HH", 20000, 20000)
open(sys.argv[2], "wb").write(d)
PY
article jpeg-huge '![Riesig](images/riesig.jpg)'
run_case jpeg-huge <<'EOF'
exit 1
jpeg-huge/2026-1/eins.md:6:1: error: image images/riesig.jpg: image claims 20000 x 20000 pixels
EOF

# Files that are not regular files: reported, never read (a FIFO would block).
prepare article-dangling-symlink
ln -s nirgends.md article-dangling-symlink/2026-1/kaputt.md
run_case article-dangling-symlink <<'EOF'
exit 1
article-dangling-symlink/2026-1/kaputt.md: error: cannot read file: No such file or directory
EOF

prepare article-fifo
mkfifo article-fifo/2026-1/drei.md
run_case article-fifo <<'EOF'
exit 1
article-fifo/2026-1/drei.md: error: cannot read file: not a regular file
EOF

prepare config-fifo
rm config-fifo/journal.yaml
mkfifo config-fifo/journal.yaml
run_case config-fifo <<'EOF'
exit 1
config-fifo/journal.yaml: error: cannot read file: not a regular file
EOF

# (the reason is image.c's wording; it must be an error, and no hang)
prepare img-fifo
mkfifo img-fifo/2026-1/images/rohr.png
article img-fifo '![Rohr](images/rohr.png)'
set +e
timeout 120 "$JOURNAL" build img-fifo --out out-fifo --quiet >/dev/null 2>img-fifo.stderr
got=$?
set -e
[ "$got" = 1 ] || fail "img-fifo: exit status $got, expected 1"
grep -qx 'img-fifo/2026-1/eins.md:6:1: error: image images/rohr.png: .*' img-fifo.stderr ||
    { fail "img-fifo: no error for the image"; cat img-fifo.stderr >&2; }

prepare img-folder
mkdir img-folder/2026-1/images/ordner.png
article img-folder '![Ordner](images/ordner.png)'
run_case img-folder <<'EOF'
exit 1
img-folder/2026-1/eins.md:6:1: error: image images/ordner.png: not a PNG or JPEG file
EOF

# ---- output: all or nothing ---------------------------------------------------------
# A changed article, so that a partial commit would be visible.
prepare changed
sed -i 's/Noch ein Absatz./Ein geänderter Absatz./' changed/2026-1/zwei.md

late_failure() { # late_failure NAME SETUP EXPECTED-LINE: SETUP breaks a copy of the good build
    rm -rf out
    cp -a good out
    eval "$2"
    snapshot out >"$1.before"
    set +e
    "$JOURNAL" build changed --out out --quiet >"$1.stdout" 2>"$1.stderr"
    got=$?
    set -e
    [ "$got" = 1 ] || fail "$1: exit status $got, expected 1"
    printf '%s\n' "$3" | diff -u - "$1.stderr" >/dev/null || {
        fail "$1: diagnostics differ"
        diff -u <(printf '%s\n' "$3") "$1.stderr" | sed 's/^/  /' >&2
    }
    snapshot out | diff -u "$1.before" - >/dev/null || fail "$1: the previous output was changed"
    [ -z "$(find out -name '*.tmp-*' -o -name '*.bak-*')" ] || fail "$1: temporary files left"
}
# A file where the images folder must go: found only when the images are copied, after the PDFs.
late_failure images-is-a-file 'rm -r out/2026-1/images; echo x >out/2026-1/images' \
    'journal: error: cannot write output: out/2026-1/images/bild.jpg (Not a directory)'
# A folder where the Atom feed must go: found only when the outputs are renamed into place.
late_failure feed-is-a-folder 'rm out/atom.xml; mkdir out/atom.xml' \
    'journal: error: cannot write output: out/atom.xml (Is a directory)'
# A file where the edition folder must go.
late_failure edition-is-a-file 'rm -r out/2026-1; echo x >out/2026-1' \
    'journal: error: cannot write output: out/2026-1 (Not a directory)'

# The disk fills up while the PDF is written (a file size limit of 100 KB,
# SIGXFSZ ignored so that write fails with EFBIG as on a full disk). The
# wording is the PDF back end's; the line must be an error.
rm -rf out
cp -a good out
snapshot out >disk-full.before
set +e
(trap '' XFSZ && ulimit -f 100 && exec "$JOURNAL" build changed --out out --quiet) >disk-full.stdout 2>disk-full.stderr
got=$?
set -e
[ "$got" = 1 ] || fail "disk-full: exit status $got, expected 1"
grep -q ': error: ' disk-full.stderr || { fail "disk-full: no error reported"; cat disk-full.stderr >&2; }
snapshot out | diff -u disk-full.before - >/dev/null || fail "disk-full: the previous output was changed"
[ -z "$(find out -name '*.tmp-*' -o -name '*.bak-*')" ] || fail "disk-full: temporary files left"

# Killed while writing (SIGTERM; Ctrl-C's SIGINT is ignored by background
# jobs of a script): no temporary file left, the previous output as it was.
# The kill comes as soon as a temporary file is there; should the build be
# done before one is seen, there is nothing to check.
prepare killed
python3 -c "print('---\ntitle: Lang\ndate: 2026-02-01\n---\n\n' + ('Ein Satz, der sich oft wiederholt. ' * 40 + '\n\n') * 3000)" \
    >killed/2026-1/eins.md
rm -rf out
cp -a good out
snapshot out >killed.before
"$JOURNAL" build killed --out out --quiet >/dev/null 2>&1 &
pid=$!
seen=no
for _ in $(seq 1 6000); do
    if [ -n "$(find out -name '*.tmp-*')" ]; then
        seen=yes
        break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
done
kill -TERM "$pid" 2>/dev/null || true
set +e
wait "$pid"
got=$?
set -e
if [ "$seen" = yes ]; then
    [ "$got" = 143 ] || fail "killed: exit status $got, expected 143 (SIGTERM)"
    snapshot out | diff -u killed.before - >/dev/null || fail "killed: the previous output was changed"
else
    echo "killed: the build ended before a temporary file was seen; not checked"
fi
[ -z "$(find out -name '*.tmp-*' -o -name '*.bak-*')" ] || fail "killed: temporary files left"

# --out below a regular file.
echo x >afile
expect_status 1 "$JOURNAL" build base --out afile/out --quiet
grep -qxF 'journal: error: cannot write output: afile/out (Not a directory)' "$WORK/stderr" ||
    { fail "--out below a file: no clear error"; cat "$WORK/stderr" >&2; }
[ ! -s "$WORK/stdout" ] || fail "--out below a file: printed output paths"

# A successful build after all this still replaces everything.
expect_status 0 "$JOURNAL" build changed --out good --quiet
grep -q 'geänderter' good/2026-1/zwei.html || fail "the changed build did not replace zwei.html"

# Many articles (parsed on several threads): each article's warnings come
# together and in its order (the Markdown's, then the checks'), the
# articles in the edition's order, as when they were read one by one.
prepare many
for i in $(seq -w 1 30); do
    cat >"many/2026-1/m$i.md" <<MD
---
title: Artikel $i
author: Test
date: 2026-03-01
---
Absatz <span>eins</span> von $i.

<div>roh $i</div>

![](fehlt-$i.png)
MD
done
expect_status 1 "$JOURNAL" check many
order=$(grep -o 'many/2026-1/m[0-9]*\.md:[0-9]*:[0-9]*: [a-z]*: [A-Za-z ]*' "$WORK/stderr" |
    sed -E 's/^many\/2026-1\/m([0-9]+)\.md:([0-9]+):([0-9]+): ([a-z]+): ([A-Za-z ]+)$/\1 \2 \5/')
want=$(for i in $(seq -w 1 30); do
    printf '%s 6 raw HTML dropped\n%s 6 raw HTML dropped\n%s 8 raw HTML dropped\n' $i $i $i
    printf '%s 10 image not found\n%s 10 image fehlt\n' $i $i
done)
[ "$order" = "$want" ] || { fail "many articles: warnings out of order"; diff <(echo "$want") <(echo "$order") | head -8 >&2; }

echo "$ncases cases"
finish
