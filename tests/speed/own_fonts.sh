#!/bin/bash
# own_fonts.sh: the font objects pdf_font.c makes itself (the fast path)
# against libharu's (JOURNAL_PDF_LIBHARU_FONTS=1, the slow path), on the
# sample edition with the print and PDF/A variants: the same fonts (names,
# embedded, subset, ToUnicode), the same widths (W, DW), metrics and
# flags, the same extracted text at the same places; PDF/A fonts carry a
# CIDSet that lists exactly the CIDs the CIDToGIDMap maps. Environment:
# JOURNAL, SRC, WORK.
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
"$JOURNAL" build "$SRC/articles" --out fast --pdfa --quiet >fast.out 2>fast.err || fail "fast build: $(head -3 fast.err)"
JOURNAL_PDF_LIBHARU_FONTS=1 "$JOURNAL" build "$SRC/articles" --out slow --pdfa --quiet >slow.out 2>slow.err ||
    fail "slow build: $(head -3 slow.err)"
cmp -s fast.err slow.err || fail "diagnostics differ"
pdfs=$(cd fast && find . -name '*.pdf' | sort)
[ -n "$pdfs" ] || { echo "no PDF written" >&2; exit 1; }
for p in $pdfs; do
    qpdf --check "fast/$p" >/dev/null 2>&1 || fail "qpdf --check $p"
    pdffonts "fast/$p" >ff.txt 2>ff.err
    pdffonts "slow/$p" >sf.txt 2>>ff.err
    [ -s ff.err ] && fail "pdffonts $p: $(head -2 ff.err)"
    # names, type, encoding, emb, sub, uni (not the object numbers)
    diff <(awk '{ NF -= 2; print }' ff.txt) <(awk '{ NF -= 2; print }' sf.txt) >/dev/null ||
        fail "$p: pdffonts differs"
    pdftotext -bbox "fast/$p" fb.html 2>fb.err
    pdftotext -bbox "slow/$p" sb.html 2>>fb.err
    [ -s fb.err ] && fail "pdftotext $p: $(head -2 fb.err)"
    cmp -s fb.html sb.html || fail "$p: text or word boxes differ"
done

/usr/bin/python3 - fast slow <<'PYEOF' || fail "font objects"
import base64, glob, json, os, subprocess, sys, zlib
fast, slow = sys.argv[1], sys.argv[2]
bad = []

def fonts(pdf):
    j = json.loads(subprocess.check_output(["qpdf", "--json", "--json-stream-data=inline",
                                            "--decode-level=generalized", pdf]))["qpdf"][1]
    def obj(r):
        return j["obj:" + r]
    out = {}
    for k, v in j.items():
        val = v.get("value")
        if not (isinstance(val, dict) and val.get("/Subtype") == "/Type0"):
            continue
        d = obj(val["/DescendantFonts"][0])["value"]
        fd = obj(d["/FontDescriptor"])["value"]
        keep = {a: fd.get(a) for a in ("/Ascent", "/Descent", "/Flags", "/FontBBox", "/FontName", "/XHeight")}
        m = base64.b64decode(obj(d["/CIDToGIDMap"])["stream"]["data"])
        cids = {i // 2 for i in range(0, len(m) - 1, 2) if m[i] or m[i + 1]}
        cidset = None
        if "/CIDSet" in fd:
            bits = base64.b64decode(obj(fd["/CIDSet"])["stream"]["data"])
            cidset = {i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))}
        out[val["/BaseFont"]] = dict(W=d.get("/W"), DW=d.get("/DW"), desc=keep, cids=cids, cidset=cidset,
                                     tounicode="/ToUnicode" in val)
    return out

for f in sorted(glob.glob(os.path.join(fast, "*", "*.pdf"))):
    g = os.path.join(slow, os.path.relpath(f, fast))
    a, b = fonts(f), fonts(g)
    if sorted(a) != sorted(b):
        bad.append("%s: fonts %s, libharu's %s" % (f, sorted(a), sorted(b)))
        continue
    for name in a:
        x, y = a[name], b[name]
        for key in ("W", "DW", "desc", "tounicode"):
            if x[key] != y[key]:
                bad.append("%s %s: %s %r, libharu's %r" % (f, name, key, x[key], y[key]))
        if x["cids"] != y["cids"]:
            bad.append("%s %s: the CIDToGIDMap maps other CIDs than libharu's" % (f, name))
        if "pdfa" in f:
            if x["cidset"] is None:
                bad.append("%s %s: no CIDSet in the PDF/A" % (f, name))
            elif x["cidset"] != x["cids"] | {0}:
                bad.append("%s %s: CIDSet does not list the mapped CIDs" % (f, name))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PYEOF

if [ $fails -gt 0 ]; then
    echo "$fails check(s) failed; files in $WORK" >&2
    exit 1
fi
echo "own_fonts: all checks passed"
