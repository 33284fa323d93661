#!/usr/bin/env bash
# Pathological input through the whole pipeline (`journal build`): one case
# per ctest test (argument 1), generated into $WORK. Each must finish (the
# ctest TIMEOUT bounds the time), within 2 GiB of address space (ulimit -v,
# left out for sanitizer builds, whose shadow memory needs terabytes of
# address space), without a crash or stack overflow, with the expected exit
# status and diagnostics.
. "$SRC/tests/cli/lib.sh"

case=${1:?usage: pathological.sh CASE}
cd "$WORK"
cp -r "$SRC/tests/bad/cases/base" c

# gen KIND: writes the article body of case KIND to stdout.
python3 - "$case" >body.md <<'PY'
import sys
kind = sys.argv[1]
out = sys.stdout
if kind == "big-article":  # 10 MB of ordinary paragraphs
    para = ("Bildung im Blick ist das Journal der Bildungsregion, und dieser Absatz "
            "wiederholt sich viele Male, damit der Artikel groß wird. ") * 8 + "\n\n"
    out.write(para * (10 * 1024 * 1024 // len(para.encode()) + 1))
elif kind == "long-word":  # one word of 100,000 characters
    out.write("Wort" * 25000 + "\n")
elif kind == "nested-quotes":
    out.write("> " * 10000 + "tief\n")
elif kind == "nested-lists":
    out.write("- " * 10000 + "tief\n")
    out.write("".join("  " * i + "1. Punkt\n" for i in range(1000)))
elif kind == "many-links":
    out.write("\n".join("[Link %d](https://example.org/%d)" % (i, i) for i in range(100000)) + "\n")
elif kind == "emphasis":  # cmark's pathological cases
    out.write("*a **a " * 30000 + "\n\n")
    out.write("[" * 30000 + "a" + "]" * 30000 + "\n\n")
    out.write("`a" * 30000 + "\n\n")
    out.write("<" * 30000 + "\n")
elif kind == "many-images":  # the same image 2,000 times
    out.write("".join("![Bild %d](images/bild.png)\n\n" % i for i in range(2000)))
elif kind == "image-at-limit":  # 10,000 x 10,000 pixels: 300 MB decoded
    import struct, zlib
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    row = b"\0" + b"\x80\x40\x20" * 10000
    co = zlib.compressobj(9)
    data = b"".join(co.compress(row) for _ in range(10000)) + co.flush()
    with open("c/2026-1/images/gross.png", "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 10000, 10000, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    out.write("Ein großes Bild:\n\n![Groß](images/gross.png)\n")
else:
    sys.exit("unknown case " + kind)
PY
{ printf -- '---\ntitle: Probe\ndate: 2026-02-01\n---\n\n'; cat body.md; } >c/2026-1/eins.md
rm body.md

if grep -q -a -m1 __asan_init "$JOURNAL"; then
    limit=unlimited
else
    limit=2097152 # KiB: 2 GiB
fi

set +e
(ulimit -v "$limit" && exec "$JOURNAL" build c --out out --quiet) >stdout 2>stderr
got=$?
set -e
[ "$got" = 0 ] || fail "$case: exit status $got, expected 0"
if [ "$got" -gt 128 ]; then
    fail "$case: killed by signal $((got - 128))"
fi
grep -v ': warning: ' stderr >other || true
if [ -s other ]; then
    fail "$case: more than warnings on stderr"
    head -5 other >&2
fi
[ -s out/2026-1/testjournal-2026-1.pdf ] || fail "$case: no PDF written"

case $case in
nested-quotes | nested-lists)
    grep -qxF 'c/2026-1/eins.md:6:65: warning: nesting deeper than 32 levels is set flat' stderr ||
        fail "$case: no warning about the nesting depth"
    ;;
long-word)
    grep -q '^c/2026-1/eins.md:6: warning: overfull line' stderr || fail "$case: no overfull warning"
    ;;
esac
# Some of the words arrive in the PDF.
pdftotext -enc UTF-8 -l 3 out/2026-1/testjournal-2026-1.pdf text.txt
case $case in
big-article) grep -q 'Bildungsregion' text.txt || fail "$case: text missing from the PDF" ;;
nested-*) grep -q 'tief' text.txt || fail "$case: text missing from the PDF" ;;
many-links) grep -q 'Link 1' text.txt || fail "$case: text missing from the PDF" ;;
esac
finish
