#!/bin/bash
# pdf_test.sh: checks the PDFs that pdf_sample writes, with qpdf and poppler
# (independent readers). Environment: SAMPLE (the pdf_sample binary), WORK.
set -u
: "${SAMPLE:?}" "${WORK:?}"
rm -rf "$WORK"
mkdir -p "$WORK/img"
cd "$WORK" || exit 2
fails=0
fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

# Run a poppler/qpdf tool; its stderr must stay empty (no CMap or syntax
# warnings). Usage: quiet OUTFILE tool args...
quiet() {
    local out=$1
    shift
    "$@" >"$out" 2>"$out.err"
    local rc=$?
    [ $rc -eq 0 ] || fail "$* exited with $rc"
    if [ -s "$out.err" ]; then
        fail "$* printed on stderr:"
        head -5 "$out.err" >&2
    fi
}

"$SAMPLE" sample a.pdf img || fail "pdf_sample sample failed"
"$SAMPLE" sample b.pdf img || fail "pdf_sample sample (second run) failed"
[ -s a.pdf ] || { echo "no PDF written" >&2; exit 1; }

# --- determinism ---------------------------------------------------------
cmp -s a.pdf b.pdf || fail "two writes of the same layout differ"
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    LC_ALL=de_DE.UTF-8 "$SAMPLE" sample de.pdf img || fail "pdf_sample under de_DE failed"
    grep -q '^decimal_point ,$' de.pdf.expect || fail "de_DE.UTF-8 was not in force (no decimal comma)"
    cmp -s a.pdf de.pdf || fail "the PDF written under de_DE.UTF-8 differs"
else
    echo "note: locale de_DE.UTF-8 not installed; decimal-comma check skipped" >&2
fi
grep -q '^decimal_point \.$' a.pdf.expect || fail "C.UTF-8 run: unexpected decimal point"

# --- structure -----------------------------------------------------------
quiet qpdf.out qpdf --check a.pdf
grep -q 'No syntax or stream encoding errors found' qpdf.out || fail "qpdf --check: errors"
grep -qi 'warning' qpdf.out && fail "qpdf --check printed a warning"

# --- fonts: both used faces embedded, subset, with ToUnicode; the loaded
# but unused italic is not in the file -----------------------------------
quiet fonts.out pdffonts a.pdf
nfonts=$(tail -n +3 fonts.out | wc -l)
[ "$nfonts" -eq 2 ] || fail "expected 2 fonts, pdffonts lists $nfonts"
tail -n +3 fonts.out | grep -v 'CID TrueType *Identity-H *yes yes yes' &&
    fail "a font is not embedded/subset/unicode"
grep -q 'NotoSerif-Regular' fonts.out || fail "Noto Serif Regular missing"
grep -q 'NotoSerif-Bold' fonts.out || fail "Noto Serif Bold missing"
grep -qi 'italic' fonts.out && fail "the unused italic face was embedded"

# --- text extraction -----------------------------------------------------
quiet text.out pdftotext -enc UTF-8 a.pdf text.out.txt
for s in 'Bildung im Blick' 'Übergänge' 'Größe' 'Straße' '„Zitat“' '– 12,50 €' \
    'Ελληνικά' 'Кириллица' 'Łódź' 'Gdańsk' 'Wałęsa' 'Schulentwicklung' \
    'AVATAR' 'Website' 'Weiter' 'Seite zwei' 'Ende'; do
    grep -qF -- "$s" text.out.txt || fail "pdftotext: '$s' not found"
done
grep -q $'\xC2\xAD' text.out.txt && fail "a soft hyphen was drawn"

# --- info ------------------------------------------------------------------
quiet info.out pdfinfo a.pdf
grep -qx 'Title: *Bildung im Blick – Ausgabe 2026/1: Übergänge' info.out || fail "pdfinfo: title"
grep -qx 'Author: *Redaktion der Bildungsregion Landkreis Stade' info.out || fail "pdfinfo: author"
grep -qx 'Keywords: *Bildung, Übergänge, Schule' info.out || fail "pdfinfo: keywords"
grep -qx 'CreationDate: *Thu Jan  1 00:00:00 2026 UTC' info.out || fail "pdfinfo: creation date"
grep -qx 'Pages: *3' info.out || fail "pdfinfo: page count"
grep -q '^Page size: *595.276 x 841.89 pts' info.out || fail "pdfinfo: page size"
grep -qx 'PDF version: *1.4' info.out || fail "pdfinfo: version (soft masks need 1.4)"

# --- every word where the engine put it (x, width with kerning, baseline) ---
quiet bbox.out pdftotext -bbox a.pdf bbox.html
check_words() { # expect-file bbox-html
    awk -v tol=0.5 '
        FNR == NR {
            if ($1 == "decimal_point") next
            n++; pg[n] = $1; wd[n] = $2; x0[n] = $3; x1[n] = $4; y1[n] = $5; next
        }
        /<page / { page++ }
        /<word / {
            w = $0; sub(/.*">/, "", w); sub(/<\/word>.*/, "", w)
            match($0, /xMin="[^"]*"/); a = substr($0, RSTART + 6, RLENGTH - 7)
            match($0, /xMax="[^"]*"/); b = substr($0, RSTART + 6, RLENGTH - 7)
            match($0, /yMax="[^"]*"/); c = substr($0, RSTART + 6, RLENGTH - 7)
            for (i = 1; i <= n; i++)
                if (!ok[i] && pg[i] == page && wd[i] == w) {
                    d0 = a - x0[i]; d1 = b - x1[i]; d2 = c - y1[i]
                    if (d0 < 0) d0 = -d0
                    if (d1 < 0) d1 = -d1
                    if (d2 < 0) d2 = -d2
                    if (d0 <= tol && d1 <= tol && d2 <= tol) { ok[i] = 1; break }
                }
        }
        END {
            bad = 0
            for (i = 1; i <= n; i++)
                if (!ok[i]) {
                    printf "word %s (page %d) not at x %s..%s, yMax %s\n", wd[i], pg[i], x0[i], x1[i], y1[i]
                    bad++
                }
            if (n < 10) { print "too few words in the expectation"; bad++ }
            exit bad ? 1 : 0
        }' "$1" "$2"
}
check_words a.pdf.expect bbox.html || fail "word positions"
# kerning is applied: the kerned AVATAR is narrower than the unkerned one
widths=$(grep '>AVATAR<' bbox.html | sed 's/.*xMin="\([^"]*\)".*xMax="\([^"]*\)".*/\1 \2/' |
    awk '{ printf "%.3f ", $2 - $1 }')
set -- $widths
[ $# -eq 2 ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b - 2) }' ||
    fail "kerning not visible (AVATAR widths: $widths)"

# words of one line share a TJ array with real spaces between them (copied
# text keeps its spaces), the soft hyphen is not in the content
# (strings are two-byte codes, literal or hex)
quiet tjs.out qpdf --json --json-stream-data=inline --decode-level=generalized a.pdf
/usr/bin/python3 - tjs.out <<'EOF' || fail "the words of a line are not joined with spaces, or a soft hyphen is drawn"
import base64, json, re, sys
objs = json.load(open(sys.argv[1]))["qpdf"][1]
NUM = re.compile(rb"^[-+]?\d*\.?\d+$")
TOK = re.compile(rb"<<|>>|/[^\s/\[\]<>()]*|[^\s\[\]<>()/]+")

def tokens(d):
    """Content stream tokens: ('s', codes) for strings, ('n', value), ('o', op), '[' and ']'."""
    i, n = 0, len(d)
    while i < n:
        c = d[i:i + 1]
        if c in b" \t\r\n\f\0":
            i += 1
        elif c == b"(":
            depth, out, i = 1, bytearray(), i + 1
            while i < n:
                ch = d[i]
                if ch == 0x5C:  # backslash
                    e = d[i + 1:i + 2]
                    out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(e, e)
                    i += 2
                    continue
                if ch == 0x28:
                    depth += 1
                elif ch == 0x29:
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                out.append(ch)
                i += 1
            yield ("s", [out[k] << 8 | out[k + 1] for k in range(0, len(out) - 1, 2)])
        elif c == b"<" and d[i:i + 2] != b"<<":
            j = d.index(b">", i)
            h = re.sub(rb"\s", b"", d[i + 1:j])
            yield ("s", [int(h[k:k + 4], 16) for k in range(0, len(h), 4)])
            i = j + 1
        elif c in b"[]":
            yield c.decode()
            i += 1
        else:
            t = TOK.match(d, i).group(0)
            yield ("n", float(t)) if NUM.match(t) else ("o", t)
            i += len(t)

arrays, soft = [], False
contents = []
for v in objs.values():
    page = v.get("value")
    if isinstance(page, dict) and page.get("/Type") == "/Page":
        c = page.get("/Contents")
        contents += c if isinstance(c, list) else [c]
for ref in contents:
    st = objs["obj:" + ref]["stream"]
    arr = done = None
    for t in tokens(base64.b64decode(st.get("data") or "")):
        if t == "[":
            arr = []
        elif t == "]":
            done, arr = arr, None
        elif arr is not None:
            arr.append(t)
        elif t == ("o", b"TJ") and done is not None:
            arrays.append(done)
        if isinstance(t, tuple) and t[0] == "s" and 0xAD in t[1]:
            soft = True
word = lambda s: ("s", [ord(ch) for ch in s])
joined = any(len(a) >= 5 and a[0] == word("Bildung") and a[1] == word(" ") and a[2][0] == "n" and
             a[3] == word("im") and a[4] == word(" ") for a in arrays)
if not joined:
    print("no TJ array [(Bildung) ( ) N (im) ( ) ...] among %d" % len(arrays))
if soft:
    print("soft hyphen in the content stream")
sys.exit(0 if joined and not soft else 1)
EOF

# --- tagged PDF: structure tree from articles and blocks (with the model's
# kinds), figures with alt text, folios as artifacts, every MCID in the
# parent tree -------------------------------------------------------------
grep -qx 'Tagged: *yes' info.out || fail "tagged: pdfinfo does not see a tagged PDF"
quiet struct.out pdfinfo -struct-text a.pdf
grep -q '"Seite zwei"' struct.out || fail "tagged: text not in the structure"
quiet tj.out qpdf --json --json-stream-data=inline --decode-level=generalized a.pdf
/usr/bin/python3 - tj.out <<'EOF' || fail "tagged: structure tree"
import base64, json, re, sys
d = json.load(open(sys.argv[1]))
objs = {k[4:]: v for k, v in d["qpdf"][1].items() if k.startswith("obj:")}
def val(ref):
    o = objs[ref]
    return o["value"] if "value" in o else o["stream"]["dict"]
def deref(x):
    return val(x) if isinstance(x, str) and x.endswith(" R") else x
bad = []
root = val(d["qpdf"][1]["trailer"]["value"]["/Root"])
if deref(root.get("/MarkInfo", {})).get("/Marked") is not True:
    bad.append("no /MarkInfo /Marked true")
tree = val(root["/StructTreeRoot"])
def walk(ref):
    e = deref(ref)
    out = {"S": e.get("/S"), "T": e.get("/T"), "Lang": e.get("/Lang"), "Alt": e.get("/Alt"), "kids": [], "mcr": []}
    for k in e.get("/K", []) if isinstance(e.get("/K"), list) else [e["/K"]]:
        kd = deref(k)
        if isinstance(kd, int):
            out["mcr"].append((e["/Pg"], kd))
        elif isinstance(kd, dict) and kd.get("/Type") == "/MCR":
            out["mcr"].append((kd["/Pg"], kd["/MCID"]))
        elif isinstance(kd, dict) and kd.get("/Type") == "/OBJR":
            pass
        else:
            out["kids"].append(walk(k))
    return out
doc = walk(tree["/K"])
def shape(n):
    return [n["S"]] + ([[shape(k) for k in n["kids"]]] if n["kids"] else [])
want = ["/Document", [
    ["/Art", [["/P"], ["/H2"], ["/P"], ["/P"], ["/Figure"], ["/Figure"], ["/Caption", [["/Link"], ["/Link"]]]]],
    ["/Art", [["/P"], ["/Figure"], ["/Figure"]]]]]
if shape(doc) != want:
    bad.append("structure %r" % shape(doc))
else:
    a0, a1 = doc["kids"]
    if a0["T"] != "u:Übergänge gestalten" or a1["T"] != "u:Koniec" or a1["Lang"] != "u:pl":
        bad.append("article titles/language: %r %r %r" % (a0["T"], a1["T"], a1["Lang"]))
    alts = [k["Alt"] for k in a0["kids"] + a1["kids"] if k["S"] == "/Figure"]
    if alts != ["u:Ein Bild", "u:Ein Foto", "u:Dasselbe Bild, noch einmal", "u:Dasselbe Bild, noch einmal"]:
        bad.append("alt texts %r" % alts)
# every MCID in a page's content is in the parent tree, pointing back to the
# element that references it
nums = deref(tree["/ParentTree"])["/Nums"]
ptree = {nums[i]: deref(nums[i + 1]) for i in range(0, len(nums), 2)}
mcrs = {}
def collect(ref):
    e = deref(ref)
    for k in e.get("/K", []) if isinstance(e.get("/K"), list) else [e["/K"]]:
        kd = deref(k)
        if isinstance(kd, int):
            mcrs[(e["/Pg"], kd)] = ref
        elif isinstance(kd, dict) and kd.get("/Type") == "/MCR":
            mcrs[(kd["/Pg"], kd["/MCID"])] = ref
        elif isinstance(kd, dict) and kd.get("/Type") == "/OBJR":
            pass
        else:
            collect(k)
collect(tree["/K"])
for p in d["pages"]:
    pg = val(p["object"])
    sp = pg.get("/StructParents")
    contents = pg["/Contents"]
    contents = contents if isinstance(contents, list) else [contents]
    data = b"".join(base64.b64decode(objs[c]["stream"]["data"]) for c in contents).decode("latin-1")
    ids = [int(m) for m in re.findall(r"<<\s*/MCID (\d+)\s*>>\s*BDC", data)]
    if ids != list(range(len(ids))):
        bad.append("page %s: MCIDs %r" % (p["object"], ids))
    arr = ptree.get(sp, [])
    if len(arr) != len(ids):
        bad.append("page %s: parent tree has %d entries for %d MCIDs" % (p["object"], len(arr), len(ids)))
    for i, ref in enumerate(arr):
        if mcrs.get((p["object"], i)) != ref:
            bad.append("page %s: MCID %d not referenced by its parent" % (p["object"], i))
    if data.count("BDC") + data.count("BMC") != data.count("EMC"):
        bad.append("page %s: unbalanced marked content" % p["object"])
    # the folio "2" on page 2 is an artifact
    if p is d["pages"][1] and not re.search(r"/Artifact BMC\n(?:(?!EMC).)*(?:<0032>|\(\x002\))", data, re.S):
        bad.append("the folio is not an artifact")
# links: the annotation's /StructParent leads to a /Link element whose OBJR
# names the annotation
for p in d["pages"]:
    for aref in val(p["object"]).get("/Annots", []):
        a = val(aref)
        elem = ptree.get(a.get("/StructParent"))
        if not isinstance(elem, dict) or elem.get("/S") != "/Link":
            bad.append("annotation %s: no /Link element" % aref)
            continue
        objr = [deref(k) for k in elem["/K"]]
        if not objr or objr[0].get("/Obj") != aref or objr[0].get("/Pg") != p["object"]:
            bad.append("annotation %s: OBJR %r" % (aref, objr))
        if not a.get("/Contents"):
            bad.append("annotation %s: no /Contents" % aref)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
# --- the embedded font programs: 'post' without glyph names, every table
# checksum and the whole-file checksum right ---------------------------------
/usr/bin/python3 - tj.out <<'EOF' || fail "font programs"
import base64, json, struct, sys
d = json.load(open(sys.argv[1]))
bad = []
fonts = 0
def csum(b):
    b = b + b"\0" * (-len(b) % 4)
    return sum(struct.unpack(">%dI" % (len(b) // 4), b)) & 0xFFFFFFFF
for k, v in d["qpdf"][1].items():
    st = v.get("stream")
    if not st or "/Length1" not in st["dict"]:
        continue
    fonts += 1
    t = base64.b64decode(st["data"])
    if st["dict"]["/Length1"] != len(t):
        bad.append("%s: Length1 %r, %d bytes" % (k, st["dict"]["/Length1"], len(t)))
    n = struct.unpack(">H", t[4:6])[0]
    tables = {}
    for i in range(n):
        tag, cs, off, ln = struct.unpack(">4sIII", t[12 + 16 * i:28 + 16 * i])
        body = t[off:off + ln]
        if tag == b"head":
            body = body[:8] + b"\0\0\0\0" + body[12:]
        if csum(body) != cs:
            bad.append("%s: checksum of %r" % (k, tag))
        tables[tag] = t[off:off + ln]
    if struct.unpack(">I", tables[b"post"][:4])[0] != 0x00030000 or len(tables[b"post"]) != 32:
        bad.append("%s: post is not format 3" % k)
    if csum(t) != 0xB1B0AFBA:
        bad.append("%s: whole-file checksum" % k)
if fonts != 2:
    bad.append("%d font programs" % fonts)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

"$SAMPLE" sample u.pdf img untagged || fail "pdf_sample untagged failed"
quiet ui.out pdfinfo u.pdf
grep -qx 'Tagged: *no' ui.out || fail "untagged: still tagged"
"$SAMPLE" sample ne.pdf img noedition || fail "pdf_sample noedition failed"
quiet nes.out pdfinfo -struct ne.pdf
grep -q 'H2' nes.out && fail "noedition: a heading without the model"
grep -q '^    Figure' nes.out || fail "noedition: no figure"

# --- images: the PNG (with soft mask) is embedded once though used twice; the
# JPEG goes in as DCT ------------------------------------------------------
quiet images.out pdfimages -list a.pdf
[ "$(awk '$3 == "image"' images.out | wc -l)" -eq 4 ] || fail "pdfimages: expected 4 image uses"
[ "$(awk '$3 == "smask"' images.out | wc -l)" -eq 2 ] || fail "pdfimages: expected 2 soft mask uses"
grep -q ' jpeg ' images.out || fail "pdfimages: the JPEG was not embedded as DCT"
pngids=$(awk '$3 == "image" && $9 == "image" { print $11 }' images.out | sort -u | wc -l)
[ "$pngids" -eq 1 ] || fail "the PNG used twice was embedded $pngids times"

# --- rendering: poppler draws every page without a word on stderr -----------
quiet render.out pdftoppm -r 20 -png a.pdf page
# the JPEG with EXIF orientation 6 (turn clockwise) in the box 300..360 x
# 100..180 on page 3: its red quarter shows at the top right
quiet turn.out pdftoppm -r 72 -f 3 -l 3 -x 300 -y 662 -W 60 -H 80 a.pdf turned
/usr/bin/python3 - turned-3.ppm <<'EOF' || fail "EXIF orientation not applied"
import sys
data = open(sys.argv[1], "rb").read()
parts = data.split(b"\n", 3)
w, h = map(int, parts[1].split())
px = parts[3]
def rgb(x, y):
    i = (y * w + x) * 3
    return tuple(px[i:i + 3])
tr, tl, br = rgb(45, 20), rgb(15, 20), rgb(45, 60)
ok = tr[0] > 150 and tr[2] < 100 and tl[2] > 150 and tl[0] < 100 and br[2] > 150
if not ok:
    print("top right %r, top left %r, bottom right %r" % (tr, tl, br))
sys.exit(0 if ok else 1)
EOF

# --- links, outline, page labels (qpdf's JSON, read with Python) ------------
quiet json.out qpdf --json a.pdf
/usr/bin/python3 - json.out <<'EOF' || fail "links/outline/page labels"
import json, sys
d = json.load(open(sys.argv[1]))
objs = {}
for k, v in d["qpdf"][1].items():
    if k.startswith("obj:"):
        objs[k[4:]] = v.get("value", v.get("stream", {}).get("dict"))
bad = []
def deref(v):
    return objs.get(v, v) if isinstance(v, str) and v.endswith(" R") else v
pages = d["pages"]
annots = [deref(a) for a in deref(objs[pages[0]["object"]]).get("/Annots", [])]
uris = [a["/A"]["/URI"] for a in annots if "/A" in a]
if uris != ["u:https://www.bildungsregion-stade.de/"]:
    bad.append("URI link: %r" % uris)
dests = [deref(a["/Dest"]) for a in annots if "/Dest" in a]
if len(dests) != 1 or dests[0][0] != pages[1]["object"] or dests[0][1:] != ["/XYZ", None, 700, None]:
    bad.append("internal link: %r" % dests)
for a in annots:
    if a.get("/Border") != [0, 0, 0]:
        bad.append("link border: %r" % a.get("/Border"))
labels = d["pagelabels"]
want = [(0, {}), (1, {"/S": "/D", "/St": 2})]
got = [(l["index"], {k: v for k, v in l["label"].items() if not (k == "/St" and v == 1 and "/S" not in l["label"])}) for l in labels]
if got != want:
    bad.append("page labels: %r" % got)
ol = d["outlines"]
def walk(items, depth, out):
    for o in items:
        out.append((depth, o["title"], o["destpageposfrom1"], o["open"] if o["kids"] else None))
        walk(o["kids"], depth + 1, out)
flat = []
walk(ol, 0, flat)
want = [(0, "Bildung im Blick", 1, True), (1, "Übergänge gestalten", 2, False),
        (2, "Größe & Maß", 2, None), (1, "Ende", 3, None)]
if flat != want:
    bad.append("outline: %r" % flat)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

# --- bad items: still a valid PDF, nothing on stderr from poppler -----------
"$SAMPLE" hostile h.pdf img 2>hostile.err || fail "pdf_sample hostile failed"
grep -q 'image .*kaputt.png: truncated PNG' hostile.err || fail "hostile: broken PNG not reported"
quiet hq.out qpdf --check h.pdf
quiet hf.out pdffonts h.pdf
quiet ht.out pdftotext h.pdf ht.txt
quiet hi.out pdfinfo h.pdf
quiet hr.out pdftoppm -r 20 -png h.pdf hpage
grep -qx 'Pages: *4' hi.out || fail "hostile: page count"
# JPEG flavours: progressive goes in as DCT, arithmetic coding, CMYK and a
# fill byte are decoded (CMYK stays CMYK on screen, becomes RGB for PDF/A)
quiet himg.out pdfimages -list h.pdf
awk '$3 == "image" { print $6, $9 }' himg.out | tr '\n' ' ' >himg.txt
# (the progressive one carries an ICC profile from libgs-common, if installed)
icc=rgb
[ -r /usr/share/color/icc/ghostscript/a98.icc ] && icc=icc
grep -qx "$icc jpeg rgb image cmyk image rgb image " himg.txt || fail "hostile: JPEG flavours: $(cat himg.txt)"
quiet hj.out qpdf --json h.pdf
/usr/bin/python3 - hj.out <<'EOF' || fail "hostile: page labels or URI"
import json, sys
d = json.load(open(sys.argv[1]))
objs = {k[4:]: v for k, v in d["qpdf"][1].items() if k.startswith("obj:")}
def val(ref):
    o = objs[ref]
    return o["value"] if "value" in o else o["stream"]["dict"]
bad = []
got = [(l["index"], l["label"].get("/S"), l["label"].get("/P"), l["label"].get("/St", 1)) for l in d["pagelabels"]]
want = [(0, None, "u:Titel\ufffd", 1), (1, "/r", None, 14), (3, "/D", "u:A-", 7)]
if got != want:
    bad.append("labels %r" % got)
uris = []
for p in d["pages"]:
    for a in val(p["object"]).get("/Annots", []):
        a = val(a) if isinstance(a, str) else a
        if "/A" in a:
            uris.append(a["/A"]["/URI"])
if uris != ["u:https://example.org/%C3%A4%20(x)\\"]:
    bad.append("URIs %r" % uris)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF

# --- a layout without pages: one blank page, so that readers accept it ------
"$SAMPLE" empty e.pdf img || fail "pdf_sample empty failed"
quiet eq.out qpdf --check e.pdf
quiet ei.out pdfinfo e.pdf
grep -qx 'Pages: *1' ei.out || fail "empty: page count"

# --- beyond libharu's array limit: 9000 pages, 9000 links on one page -----
"$SAMPLE" stress st.pdf img 2>st.err || { fail "pdf_sample stress failed"; head -3 st.err >&2; }
quiet stq.out qpdf --check st.pdf
quiet sti.out pdfinfo st.pdf
grep -qx 'Pages: *9000' sti.out || fail "stress: page count"
grep -qx 'Tagged: *yes' sti.out || fail "stress: not tagged"
quiet stt.out pdftotext -f 1 -l 2 st.pdf st.txt
grep -q 'Anfang' st.txt || fail "stress: text"

# --- an unwritable path: -1 and a diagnostic, no crash ----------------------
"$SAMPLE" fail img >fail.out 2>&1 || fail "unwritable path: no error reported"
grep -q 'edition.yaml: error: PDF library error' fail.out || fail "unwritable path: message"

# --- print variant: bleed, trim box, crop marks, CMYK, output intent --------
"$SAMPLE" sample p.pdf img print || fail "pdf_sample print failed"
"$SAMPLE" sample p2.pdf img print+pdfa || fail "pdf_sample print+pdfa failed"
"$SAMPLE" sample p3.pdf img print+pdfa || fail "pdf_sample print+pdfa failed"
cmp -s p2.pdf p3.pdf || fail "print+pdfa: two writes differ"
quiet pq.out qpdf --check p.pdf
quiet pi.out pdfinfo -box p.pdf
quiet pf.out pdffonts p.pdf
# trim 595.276 x 841.89, bleed 8.504, marks 18 outside the bleed
grep -q '^Page size: *648.284 x 894.898 pts' pi.out || fail "print: media size"
grep -q '^MediaBox: *0.00 *0.00 *648.28 *894.90$' pi.out || fail "print: media size"
grep -q '^TrimBox: *26.50 *26.50 *621.78 *868.39$' pi.out || fail "print: trim box"
grep -q '^BleedBox: *18.00 *18.00 *630.28 *876.90$' pi.out || fail "print: bleed box"
quiet pb.out pdftotext -bbox p.pdf pbbox.html
check_words p.pdf.expect pbbox.html || fail "print: word positions"
quiet pqdf.out qpdf --qdf --object-streams=disable p.pdf pqdf.pdf
grep -aq '/S /GTS_PDFX' pqdf.pdf || fail "print: no PDF/X output intent"
grep -aq '/DestOutputProfile' pqdf.pdf || fail "print: no output profile"
# the European print condition when its profile (texlive-base) is installed
if [ -r /usr/share/texlive/texmf-dist/tex/generic/colorprofiles/FOGRA39L_coated.icc ]; then
    grep -aq '/OutputConditionIdentifier (FOGRA39)' pqdf.pdf || fail "print: not FOGRA39"
else
    grep -aq '/OutputConditionIdentifier (CGATS TR 001)' pqdf.pdf || fail "print: not SWOP"
fi
grep -aq ' rg$' pqdf.pdf && fail "print: RGB colour operators in the content"
grep -aq ' k$' pqdf.pdf || fail "print: no CMYK colour operators"
grep -q '^PDF subtype: *PDF/X-3:2003' pi.out || fail "print: not marked PDF/X-3:2003"
grep -aq '/Annots' pqdf.pdf && fail "print: link annotations on a PDF/X page"
quiet pim.out pdfimages -list p.pdf
awk '$3 == "smask"' pim.out | grep -q . && fail "print: soft mask (transparency) in PDF/X"
[ "$(awk '$3 == "image" && $6 == "icc"' pim.out | wc -l)" -eq 4 ] ||
    fail "print: RGB images not ICC-based"
quiet prender.out pdftoppm -r 20 -png p.pdf ppage

# --- PDF/A-1b: XMP matching the Info (escaped), sRGB intent, no soft masks,
# printable links, CIDSet listing the glyphs of each subset ------------------
"$SAMPLE" sample pa.pdf img pdfa || fail "pdf_sample pdfa failed"
quiet paq.out qpdf --check pa.pdf
quiet pai.out pdfinfo pa.pdf
grep -q '^PDF subtype: *PDF/A-1b' pai.out || fail "pdfa: not marked PDF/A-1b"
grep -qx 'Title: *Bildung & Teilhabe <2026> – Übergänge' pai.out || fail "pdfa: title"
grep -qx 'Metadata Stream: *yes' pai.out || fail "pdfa: no XMP metadata stream"
quiet pam.out pdfinfo -meta pa.pdf
xmllint --noout pam.out 2>xmp.err || { fail "pdfa: XMP is not well-formed XML"; head -3 xmp.err >&2; }
grep -qF 'Bildung &amp; Teilhabe &lt;2026&gt; – Übergänge' pam.out || fail "pdfa: XMP title"
grep -q '<pdfaid:part>1</pdfaid:part>' pam.out || fail "pdfa: pdfaid:part"
grep -q '<xmp:CreateDate>2026-01-01T00:00:00Z</xmp:CreateDate>' pam.out || fail "pdfa: XMP date"
quiet paim.out pdfimages -list pa.pdf
awk '$3 == "smask"' paim.out | grep -q . && fail "pdfa: soft mask (transparency) in PDF/A-1"
quiet pafonts.out pdffonts pa.pdf
quiet patext.out pdftotext pa.pdf pa.txt
grep -qF 'Schulentwicklung' pa.txt || fail "pdfa: text"
quiet paj.out qpdf --json --json-stream-data=inline --decode-level=generalized pa.pdf
/usr/bin/python3 - paj.out <<'EOF' || fail "pdfa: intents, annotations, CIDSet"
import base64, json, sys
d = json.load(open(sys.argv[1]))
objs = {}
for k, v in d["qpdf"][1].items():
    if k.startswith("obj:"):
        objs[k[4:]] = v
def val(ref):
    o = objs[ref]
    return o["value"] if "value" in o else o["stream"]["dict"]
bad = []
root = val(d["qpdf"][1]["trailer"]["value"]["/Root"])
intents = root.get("/OutputIntents", [])
intents = [val(i) if isinstance(i, str) else i for i in intents]
if [i.get("/S") for i in intents] != ["/GTS_PDFA1"]:
    bad.append("output intents: %r" % [i.get("/S") for i in intents])
elif val(intents[0]["/DestOutputProfile"]).get("/N") != 3:
    bad.append("output profile is not RGB")
if "/Metadata" not in root:
    bad.append("no /Metadata in the catalog")
else:
    md = val(root["/Metadata"])
    if md.get("/Subtype") != "/XML" or "/Filter" in md:
        bad.append("metadata stream dict: %r" % md)
for p in d["pages"]:
    pg = val(p["object"])
    for a in pg.get("/Annots", []):
        a = val(a) if isinstance(a, str) else a
        if a.get("/F") != 4:
            bad.append("annotation without /F 4")
sets = {}
for k, o in objs.items():
    v = o.get("value", o.get("stream", {}).get("dict"))
    if isinstance(v, dict) and v.get("/Type") == "/FontDescriptor":
        if "/CIDSet" not in v:
            bad.append("font %s without CIDSet" % v.get("/FontName"))
            continue
        data = base64.b64decode(objs[v["/CIDSet"]]["stream"]["data"])
        sets[v["/FontName"]] = data
def has(data, cid):
    return cid // 8 < len(data) and data[cid // 8] & (0x80 >> (cid % 8)) != 0
reg = [v for k, v in sets.items() if "Regular" in k]
bold = [v for k, v in sets.items() if "Bold" in k]
if len(reg) != 1 or len(bold) != 1:
    bad.append("CIDSets: %r" % list(sets))
else:
    for ch in "ßŁńęΕКk€„“–":
        if not has(reg[0], ord(ch)):
            bad.append("CIDSet (regular) lacks %r" % ch)
    for ch in "Q\u4e00":
        if has(reg[0], ord(ch)):
            bad.append("CIDSet (regular) lists unused %r" % ch)
    if not has(bold[0], ord("k")) or has(bold[0], ord("x")):
        bad.append("CIDSet (bold) wrong")
    if not has(reg[0], 0):
        bad.append("CIDSet lacks CID 0")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
"$SAMPLE" sample ppa.pdf img print+pdfa || fail "pdf_sample print+pdfa failed"
quiet ppaq.out qpdf --check ppa.pdf
quiet ppai.out pdfinfo ppa.pdf
quiet ppam.out pdfinfo -meta ppa.pdf
xmllint --noout ppam.out 2>/dev/null || fail "print+pdfa: XMP"
"$SAMPLE" hostile hpa.pdf img pdfa 2>/dev/null || fail "pdf_sample hostile pdfa failed"
quiet hpaq.out qpdf --check hpa.pdf
quiet hpaimg.out pdfimages -list hpa.pdf
awk '$3 == "image" { print $6, $9 }' hpaimg.out | tr '\n' ' ' >hpaimg.txt
grep -qx "$icc jpeg rgb image rgb image rgb image " hpaimg.txt || fail "hostile pdfa: JPEG flavours: $(cat hpaimg.txt)"
quiet hpam.out pdfinfo -meta hpa.pdf
xmllint --noout hpam.out 2>/dev/null || fail "hostile pdfa: XMP not well-formed"

# --- Ghostscript (another independent reader) draws every file silently ----
if command -v gs >/dev/null; then
    for f in a.pdf p.pdf pa.pdf ppa.pdf h.pdf hpa.pdf e.pdf u.pdf ne.pdf; do
        gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=nullpage "$f" >gs.out 2>&1
        [ -s gs.out ] && { fail "gs: $f"; head -3 gs.out >&2; }
    done
fi

# --- valgrind (if installed): no invalid access, no definite leak -----------
# (not for a sanitizer build: AddressSanitizer and valgrind exclude each other)
if command -v valgrind >/dev/null && ! grep -q __asan_init "$SAMPLE"; then
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$SAMPLE" sample v.pdf img >vg.out 2>&1
    [ $? -eq 99 ] && { fail "valgrind (sample)"; head -30 vg.out >&2; }
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$SAMPLE" hostile vh.pdf img >vgh.out 2>&1
    [ $? -eq 99 ] && { fail "valgrind (hostile)"; head -30 vgh.out >&2; }
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$SAMPLE" fail img >vgf.out 2>&1
    [ $? -eq 99 ] && { fail "valgrind (error path)"; head -30 vgf.out >&2; }
fi

if [ $fails -ne 0 ]; then
    echo "$fails check(s) failed; files in $WORK" >&2
    exit 1
fi
echo "pdf_test: all checks passed"
