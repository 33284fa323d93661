#!/bin/bash
# speed_pdf.sh: the sample edition built twice (screen and print PDF); the
# PNG images are the files' own zlib data (/FlateDecode, /Predictor 15) and
# decode to the pixels libpng gives; the embedded fonts are subsets with a
# short format 4 cmap and sound checksums; no temporary font file is left
# behind; both builds are byte-identical. Environment: JOURNAL, SRC, WORK.
set -u
: "${JOURNAL:?}" "${SRC:?}" "${WORK:?}"
rm -rf "$WORK"
mkdir -p "$WORK/tmp"
cd "$WORK" || exit 2
fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

for run in 1 2; do
    TMPDIR="$WORK/tmp" "$JOURNAL" build "$SRC/articles" --out "out$run" --quiet >"build$run.out" 2>"build$run.err" ||
        { fail "build $run exited with $?"; cat "build$run.err" >&2; }
done
[ -z "$(ls -A tmp)" ] || fail "temporary files left in TMPDIR: $(ls tmp | head -3)"
pdfs=$(cd out1 && find . -name '*.pdf' | sort)
[ -n "$pdfs" ] || { echo "no PDF written" >&2; exit 1; }
for p in $pdfs; do
    cmp -s "out1/$p" "out2/$p" || fail "$p differs between two builds"
    qpdf --check "out1/$p" >/dev/null 2>&1 || fail "qpdf --check $p"
    pdftotext "out1/$p" /dev/null 2>"text.err"
    [ -s text.err ] && fail "pdftotext $p printed on stderr: $(head -2 text.err)"
done

/usr/bin/python3 - "$SRC/articles" out1 <<'PYEOF' || fail "images and fonts"
import base64, glob, json, os, struct, subprocess, sys, zlib

src, out = sys.argv[1], sys.argv[2]
bad = []

def idat(path):
    d = open(path, "rb").read()
    pos, data, ihdr = 8, b"", None
    while pos + 12 <= len(d):
        n, = struct.unpack(">I", d[pos:pos + 4])
        t = d[pos + 4:pos + 8]
        if t == b"IHDR":
            ihdr = d[pos + 8:pos + 8 + n]
        if t == b"IDAT":
            data += d[pos + 8:pos + 8 + n]
        pos += 12 + n
    return ihdr, data

# PNGs that qualify: 8-bit gray or RGB, not interlaced, no tRNS
pngs = {}
for f in glob.glob(os.path.join(src, "*", "images", "*.png")):
    ihdr, data = idat(f)
    if ihdr and ihdr[8] == 8 and ihdr[9] in (0, 2) and ihdr[12] == 0 and b"tRNS" not in open(f, "rb").read():
        pngs[data] = f
if not pngs:
    bad.append("no plain PNG in the sample edition")

def unfilter(ihdr, data):
    """The pixels of an 8-bit gray or RGB PNG (PNG's five row filters)."""
    w, h = struct.unpack(">II", ihdr[:8])
    bpp = 3 if ihdr[9] == 2 else 1
    raw, stride = zlib.decompress(data), w * bpp
    out, prev, pos = bytearray(), bytearray(stride), 0
    for _ in range(h):
        ft, row = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if ft == 1:
                row[i] = (row[i] + a) & 255
            elif ft == 2:
                row[i] = (row[i] + b) & 255
            elif ft == 3:
                row[i] = (row[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += row
        prev = row
    return bytes(out), w, bpp

def objects(pdf, level):
    j = subprocess.check_output(["qpdf", "--json", "--json-stream-data=inline",
                                 "--decode-level=" + level, pdf])
    return json.loads(j)["qpdf"][1]

def csum(b):
    b = b + b"\0" * (-len(b) % 4)
    return sum(struct.unpack(">%dI" % (len(b) // 4), b)) & 0xFFFFFFFF

decoded = {}
for pdf in sorted(glob.glob(os.path.join(out, "*", "*.pdf"))):
    raw = objects(pdf, "none")
    dec = objects(pdf, "all")
    seen = set()
    fonts = 0
    for k, v in raw.items():
        st = v.get("stream")
        if not st:
            continue
        d = st["dict"]
        data = base64.b64decode(st.get("data") or "")
        if d.get("/Subtype") == "/Image" and "/DecodeParms" in d:
            f = pngs.get(data)
            if not f:
                bad.append("%s %s: PNG-like image that is no file's IDAT data" % (pdf, k))
                continue
            seen.add(f)
            p = d["/DecodeParms"]
            if f not in decoded:
                decoded[f] = unfilter(*idat(f))
            want, w, bpp = decoded[f]
            if d.get("/Filter") not in ("/FlateDecode", ["/FlateDecode"]) or p.get("/Predictor") != 15 \
                    or p.get("/Columns") != w or p.get("/Colors") != bpp:
                bad.append("%s %s: filter %r, parameters %r" % (pdf, k, d.get("/Filter"), p))
            pixels = base64.b64decode(dec[k]["stream"].get("data") or "")
            if pixels != want:
                bad.append("%s %s: pixels differ from %s" % (pdf, k, f))
        if "/Length1" in d:
            fonts += 1
            t = base64.b64decode(dec[k]["stream"]["data"])
            n, = struct.unpack(">H", t[4:6])
            tables = {}
            for i in range(n):
                tag, cs, off, ln = struct.unpack(">4sIII", t[12 + 16 * i:28 + 16 * i])
                tables[tag] = t[off:off + ln]
            if csum(t) != 0xB1B0AFBA:
                bad.append("%s %s: whole-file checksum" % (pdf, k))
            glyphs, = struct.unpack(">H", tables[b"maxp"][4:6])
            if glyphs > 400:
                bad.append("%s %s: %d glyphs: not cut down" % (pdf, k, glyphs))
            for tag in (b"GSUB", b"GPOS", b"kern"):
                if tag in tables:
                    bad.append("%s %s: table %r kept" % (pdf, k, tag))
            c = tables[b"cmap"]
            nt, = struct.unpack(">H", c[2:4])
            sub = [struct.unpack(">HHI", c[4 + 8 * i:12 + 8 * i]) for i in range(nt)]
            ms = [off for plat, enc, off in sub if (plat, enc) == (3, 1)]
            if not ms or struct.unpack(">H", c[ms[0]:ms[0] + 2])[0] != 4:
                bad.append("%s %s: no (3,1) format 4 cmap" % (pdf, k))
            elif struct.unpack(">H", c[ms[0] + 6:ms[0] + 8])[0] // 2 > 16:
                bad.append("%s %s: %d cmap segments" % (pdf, k, struct.unpack(">H", c[ms[0] + 6:ms[0] + 8])[0] // 2))
    if not seen:
        bad.append("%s: no PNG embedded as it is" % pdf)
    if fonts == 0:
        bad.append("%s: no embedded font" % pdf)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF

if [ $fails -gt 0 ]; then
    echo "$fails check(s) failed; files in $WORK" >&2
    exit 1
fi
echo "speed_pdf: all checks passed"
