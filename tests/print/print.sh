# The print outputs, read back with independent tools: print boxes
# (pdfinfo -box) against the layout's values, black-only text pages
# (Ghostscript inkcov), the page count for saddle stitching, the output
# intent and its ICC profile (qpdf --json), poppler without warnings,
# reproducible builds (cmp), printer spreads (--impose booklet: page size,
# folios on each half via pdftotext crops), the PDF/A variant's XMP
# (xmllint) for a title with '&' and '<', and the preflight (image
# resolution against pdfimages -list, file:line, preflight.json).
. "$SRC/tests/cli/lib.sh"
cd "$WORK"
export SOURCE_DATE_EPOCH=1790000000

# make_png FILE W H: an RGB PNG with a gradient (python3 and zlib only).
make_png() {
    python3 - "$@" <<'EOF'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = b''.join(b'\0' + bytes(v for x in range(w) for v in (x * 255 // w, y * 255 // h, 128))
                for y in range(h))
def chunk(t, d):
    c = struct.pack('>I', len(d)) + t + d
    return c + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
png += chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')
open(path, 'wb').write(png)
EOF
}

# quiet_poppler FILE: pdfinfo, pdftotext and pdffonts print no warnings.
quiet_poppler() {
    for tool in pdfinfo pdftotext pdffonts; do
        if [ "$tool" = pdftotext ]; then
            pdftotext "$1" /dev/null 2>poppler.err || fail "$tool $1 failed"
        else
            $tool "$1" >/dev/null 2>poppler.err || fail "$tool $1 failed"
        fi
        [ ! -s poppler.err ] || fail "$tool warns on $1: $(head -3 poppler.err)"
    done
}

# ---- the sample journal, every edition, all variants -----------------------
cp -r "$SRC/articles" sample
cp -r "$SRC/layouts" layouts
expect_status 0 "$JOURNAL" build sample --all --out out1 --impose booklet --pdfa
cp stdout build1.stdout
grep -F "sample/2026-1" stderr && fail "sample: diagnostics for the sample: $(head -3 stderr)"
expect_status 0 "$JOURNAL" build sample --all --out out2 --impose booklet --pdfa
(cd out1 && find . -type f | sort) >files1
(cd out2 && find . -type f | sort) >files2
cmp -s files1 files2 || fail "two builds wrote different file lists"
grep -q 'booklet.pdf$' files1 || fail "no booklet PDF"
grep -q 'pdfa.pdf$' files1 || fail "no PDF/A"
grep -q 'preflight.json$' files1 || fail "no preflight.json"
while read -r f; do
    cmp -s "out1/$f" "out2/$f" || fail "two builds with the same SOURCE_DATE_EPOCH differ: $f"
done <files1

for pdf in out1/*/*.pdf; do
    quiet_poppler "$pdf"
done

# the A5 layout as well (a booklet format of its own)
expect_status 0 "$JOURNAL" build sample --all --out out5 --layout a5-kompakt --impose booklet --pdfa
cp stdout build5.stdout
for pdf in out5/*/*.pdf; do
    quiet_poppler "$pdf"
done

# check_sample STDOUT OUT LAYOUT: page counts, print boxes, booklet
check_sample() {
python3 - "$SRC" "$@" <<'EOF'
import json, re, subprocess, sys
src, stdout, out, layout = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3], sys.argv[4]
bad = 0
def fail(m):
    global bad
    bad += 1
    print('FAIL: ' + m, file=sys.stderr)
def run(*a):
    return subprocess.run(a, capture_output=True, text=True, check=True).stdout
def mm(v):
    return float(v[:-2]) * 72 / 25.4 if v.endswith('mm') else float(v.rstrip('pt'))

# the layout's values: page size and bleed from the default layout file
lay = open(src + '/layouts/%s.yaml' % layout).read()
size = re.search(r'^\s+size:\s*(\S+)', lay, re.M).group(1)
bleed = mm(re.search(r'^\s+bleed:\s*(\S+)', lay, re.M).group(1))
W, H = {'A4': (210, 297), 'A5': (148, 210)}[size]
W, H = W * 72 / 25.4, H * 72 / 25.4

def boxes(pdf, page=1):
    out = run('pdfinfo', '-box', '-f', str(page), '-l', str(page), pdf)
    b = {}
    for m in re.finditer(r'^(?:Page\s+\d+\s+)?(\w+Box):\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)', out, re.M):
        b[m.group(1)] = [float(m.group(k)) for k in range(2, 6)]
    return b
def pages(pdf):
    return int(re.search(r'^Pages:\s+(\d+)', run('pdfinfo', pdf), re.M).group(1))
def near(a, b, what):
    if abs(a - b) > 0.01:
        fail('%s: %.3f, expected %.3f' % (what, a, b))

for ed in ('2026-1', '2026-2'):
    base = '%s/%s/bildung-im-blick-%s' % (out, ed, ed)
    n = pages(base + '.pdf')
    if n % 4:
        fail('%s: %d pages, not a multiple of 4' % (ed, n))
    for v in ('-print', '-pdfa'):
        if pages(base + v + '.pdf') != n:
            fail('%s%s: page count differs from the screen PDF' % (ed, v))
    # blank pages: the pages without any text; the build names their number
    blank = sum(1 for k in range(1, n + 1)
                if not run('pdftotext', '-f', str(k), '-l', str(k), base + '-print.pdf', '-').strip())
    m = re.search(r'%s: (\d+) pages(?: \((\d+) blank pages? added for saddle stitching\))?' % ed, stdout)
    if not m:
        fail('%s: no page count line on stdout' % ed)
    else:
        if int(m.group(1)) != n:
            fail('%s: stdout says %s pages, the PDF has %d' % (ed, m.group(1), n))
        if int(m.group(2) or 0) != blank:
            fail('%s: stdout says %s blank pages, the PDF has %d' % (ed, m.group(2), blank))
    pf = json.load(open('%s/%s/preflight.json' % (out, ed)))
    if pf['pages'] != {'blank_added': blank, 'count': n, 'multiple_of_4': True}:
        fail('%s: preflight.json pages %s' % (ed, pf['pages']))
    # print boxes: trim = the layout's page, bleed around it, media around that
    for k in (1, n // 2, n):
        b = boxes(base + '-print.pdf', k)
        t, bl, md = b['TrimBox'], b['BleedBox'], b['MediaBox']
        near(t[2] - t[0], W, '%s p%d trim width' % (ed, k))
        near(t[3] - t[1], H, '%s p%d trim height' % (ed, k))
        for i, sgn in ((0, -1), (1, -1), (2, 1), (3, 1)):
            near(bl[i], t[i] + sgn * bleed, '%s p%d bleed box [%d]' % (ed, k, i))
        if not (md[0] <= bl[0] - 3 and md[1] <= bl[1] - 3 and md[2] >= bl[2] + 3 and md[3] >= bl[3] + 3):
            fail('%s p%d: no room for crop marks outside the bleed: %s %s' % (ed, k, md, bl))
    near(pf['trim_pt'][0], W, ed + ' preflight.json trim width')
    near(pf['bleed_pt'], bleed, ed + ' preflight.json bleed')

    # the booklet: n/2 sheet sides, each two trim pages wide
    bk = base + '-booklet.pdf'
    if pages(bk) != n // 2:
        fail('%s booklet: %d sheet sides, expected %d' % (ed, pages(bk), n // 2))
    pb = boxes(base + '-print.pdf', 1)
    margin = pb['TrimBox'][0] - pb['MediaBox'][0]
    texts = {k: run('pdftotext', '-f', str(k), '-l', str(k), base + '-print.pdf', '-').split()
             for k in range(1, n + 1)}
    for side in range(1, n // 2 + 1):
        b = boxes(bk, side)
        t, md = b['TrimBox'], b['MediaBox']
        near(t[2] - t[0], 2 * W, '%s booklet side %d trim width' % (ed, side))
        # (margin read back with two decimals)
        if abs(md[2] - md[0] - (2 * W + 2 * margin)) > 0.05:
            fail('%s booklet side %d: media width %.2f' % (ed, side, md[2] - md[0]))
        s = (side - 1) // 2
        want = (n - 2 * s, 1 + 2 * s) if side % 2 else (2 + 2 * s, n - 1 - 2 * s)
        for half, p in enumerate(want):
            x = t[0] + half * W
            # -x/-y/-W/-H are in pixels at -r 72, y from the top
            words = run('pdftotext', '-f', str(side), '-l', str(side), '-r', '72',
                        '-x', str(int(x) if half == 0 else int(x + 0.5)), '-y', '0',
                        '-W', str(int(W)), '-H', str(int(md[3])), bk, '-').split()
            if sorted(words) != sorted(texts[p]):
                fail('%s booklet side %d %s half: not the text of page %d (%s...)' %
                     (ed, side, 'left' if half == 0 else 'right', p, ' '.join(words[:8])))
            if 1 < p < n and texts[p] and str(p) not in words:
                fail('%s booklet side %d: folio %d missing' % (ed, side, p))
sys.exit(1 if bad else 0)
EOF
}
check_sample build1.stdout out1 bildung-im-blick || fail "sample: page counts, boxes, booklet (see above)"
check_sample build5.stdout out5 a5-kompakt || fail "sample, A5: page counts, boxes, booklet (see above)"

# ---- fonts: preflight.json against pdffonts --------------------------------------
pdffonts out1/2026-2/bildung-im-blick-2026-2-print.pdf >fonts.txt
python3 - out1/2026-2/preflight.json fonts.txt <<'EOF' || fail "fonts: preflight.json and pdffonts disagree"
import json, sys
pf = json.load(open(sys.argv[1]))
rows = [l.split() for l in open(sys.argv[2]).read().splitlines()[2:] if l.strip()]
# columns from the right: emb sub uni objnum gen
names = sorted(r[0].split('+', 1)[-1].split(',')[0] for r in rows)
if any(r[-5] != 'yes' for r in rows):
    sys.exit('a font is not embedded')
want = sorted(f['file'].rsplit('.', 1)[0] for f in pf['fonts'])
if names != want or pf['fonts_not_embedded'] != 0 or not all(f['embedded'] for f in pf['fonts']):
    sys.exit('pdffonts %s, preflight.json %s' % (names, want))
EOF

# ---- output intent and its profile (qpdf --json) --------------------------------
python3 - out1/2026-2/bildung-im-blick-2026-2-print.pdf <<'EOF' || fail "print PDF: output intent"
import json, subprocess, sys
j = json.loads(subprocess.run(['qpdf', '--json=2', '--json-key=qpdf', sys.argv[1]],
                              capture_output=True, text=True, check=True).stdout)
objs = j['qpdf'][1]
def get(ref):
    o = objs['obj:' + ref] if isinstance(ref, str) else ref
    return o.get('value', o.get('stream', {}).get('dict', o))
trailer = objs['trailer']['value']
cat = get(trailer['/Root'])
ois = cat.get('/OutputIntents')
if isinstance(ois, str):
    ois = get(ois)
ok = False
for oi in ois or []:
    d = get(oi) if isinstance(oi, str) else oi
    if d.get('/S') != '/GTS_PDFX':
        continue
    prof = objs['obj:' + d['/DestOutputProfile']]
    ok = prof['stream']['dict'].get('/N') == 4
if not ok:
    print('no /GTS_PDFX output intent with a 4-component profile', file=sys.stderr)
    sys.exit(1)
EOF

# ---- a text-only page prints in black ink only (Ghostscript inkcov) --------------
mkdir -p plain/2030-1
cat >plain/journal.yaml <<'EOF'
title: Schwarzweiß
publisher: Bildungsbüro
language: de
base_url: https://example.org/
EOF
cat >plain/2030-1/edition.yaml <<'EOF'
number: 1
year: 2030
date: 2030-01-15
theme: Nur Text
EOF
{
    printf -- '---\ntitle: Ein langer Text\ndate: 2030-01-10\n---\n\n'
    for i in $(seq 1 60); do
        printf 'Absatz %d: Die Bildungsregion plant ihre Angebote gemeinsam, von der Kita bis zur Berufsschule, und bespricht sie in jedem Jahr neu mit allen Beteiligten vor Ort.\n\n' "$i"
    done
} >plain/2030-1/text.md
expect_status 0 "$JOURNAL" build plain --out outp --quiet
pp=outp/2030-1/schwarzweiss-2030-1-print.pdf
[ -f "$pp" ] || pp=$(ls outp/2030-1/*-print.pdf | head -1)
n=$(pdfinfo "$pp" | awk '/^Pages:/ {print $2}')
[ $((n % 4)) = 0 ] || fail "plain: $n pages"
# a page in the middle of the article: body text, running head, folio
k=4
pdftotext -f $k -l $k "$pp" - | grep -q "Absatz" || fail "plain: page $k is not a text page"
# (the bleed box: the crop marks outside it are in registration colour, all inks)
ink=$(gs -q -o - -sDEVICE=inkcov -dUseBleedBox -dFirstPage=$k -dLastPage=$k "$pp" 2>gs.err)
echo "$ink" | awk '{ if ($1 != "0.00000" || $2 != "0.00000" || $3 != "0.00000" || $4 == "0.00000") exit 1 }' ||
    fail "plain: page $k uses colour inks: $ink"
# the cover (accent colour) does use them: the measurement sees colour
ink=$(gs -q -o - -sDEVICE=inkcov -dUseBleedBox -dFirstPage=1 -dLastPage=1 "$pp" 2>gs.err)
echo "$ink" | awk '{ if ($1 == "0.00000" && $2 == "0.00000" && $3 == "0.00000") exit 1 }' ||
    fail "plain: inkcov finds no colour on the cover: $ink"

# ---- PDF/A: the XMP parses for a title with & and < ------------------------------
cp -r plain amp
sed -i 's/^title: .*/title: "Lernen \& Leben <im> Kreis"/' amp/journal.yaml
expect_status 0 "$JOURNAL" build amp --out outa --pdfa --quiet
pa=$(ls outa/2030-1/*-pdfa.pdf | head -1)
python3 - "$pa" >xmp.xml <<'EOF' || fail "PDF/A: no XMP stream"
import base64, json, subprocess, sys
j = json.loads(subprocess.run(['qpdf', '--json=2', '--json-key=qpdf', '--json-stream-data=inline',
                               '--decode-level=generalized', sys.argv[1]],
                              capture_output=True, text=True, check=True).stdout)
objs = j['qpdf'][1]
root = objs['obj:' + objs['trailer']['value']['/Root']]['value']
meta = objs['obj:' + root['/Metadata']]['stream']
sys.stdout.write(base64.b64decode(meta['data']).decode('utf-8'))
EOF
xmllint --noout xmp.xml 2>xmllint.err || fail "PDF/A: XMP is not well-formed XML: $(head -3 xmllint.err)"
title=$(xmllint --xpath "string(//*[local-name()='title']//*[local-name()='li'])" xmp.xml 2>/dev/null || true)
case "$title" in
"Lernen & Leben <im> Kreis"*) ;;
*) fail "PDF/A: dc:title is '$title'" ;;
esac
pdfinfo "$pa" >pa.info 2>&1
quiet_poppler "$pa"

# ---- preflight: image resolution ---------------------------------------------------
cp -r plain lowres
mkdir -p lowres/2030-1/images
make_png lowres/2030-1/images/soft.png 500 375
make_png lowres/2030-1/images/coarse.png 200 150
cat >lowres/2030-1/bild.md <<'EOF'
---
title: Mit Bild
date: 2030-01-11
---

Ein Bild, das eher grob gedruckt wird.

![Ein weiches Bild](images/soft.png)

Noch ein Absatz.
EOF
expect_status 0 "$JOURNAL" build lowres --out outl
grep -q "bild.md:8:.*images/soft.png.*ppi" stderr || fail "preflight: no warning with file:line for soft.png: $(cat stderr)"
grep -q "preflight 2030-1" stdout || fail "preflight: no table on stdout"
grep -q "soft.png" stdout || fail "preflight: table does not list soft.png"
pdfimages -list outl/2030-1/*-print.pdf >pdfimages.txt 2>pdfimages.err
[ ! -s pdfimages.err ] || fail "pdfimages warns"
python3 - outl/2030-1/preflight.json pdfimages.txt <<'EOF' || fail "preflight.json: see above"
import json, sys
def hook(pairs):
    keys = [k for k, _ in pairs]
    if keys != sorted(keys):
        print('preflight.json: keys not sorted: %s' % keys, file=sys.stderr)
        sys.exit(1)
    return dict(pairs)
pf = json.load(open(sys.argv[1]), object_pairs_hook=hook)
ims = [i for i in pf['images'] if i['image'].endswith('soft.png')]
if len(ims) != 1:
    sys.exit('preflight.json: soft.png listed %d times' % len(ims))
im = ims[0]
# pdfimages -list: page num type width height color comp bpc enc interp object ID x-ppi y-ppi ...
rows = [l.split() for l in open(sys.argv[2]).read().splitlines()[2:]]
row = [r for r in rows if r[3] == '500' and r[4] == '375']
if not row:
    sys.exit('pdfimages: no 500x375 image')
ppi = min(float(row[0][12]), float(row[0][13]))
if abs(im['ppi'] - ppi) > 1.5:
    sys.exit('preflight.json: ppi %s, pdfimages says %s' % (im['ppi'], ppi))
if not (150 <= im['ppi'] < 250) or im['level'] != 'warning':
    sys.exit('preflight.json: soft.png %s ppi, level %s' % (im['ppi'], im['level']))
if im['line'] != 8 or not im['file'].endswith('bild.md') or im['colour'] != 'RGB':
    sys.exit('preflight.json: soft.png at %s:%s (%s)' % (im['file'], im['line'], im['colour']))
if pf['warnings'] < 1 or pf['errors'] != 0:
    sys.exit('preflight.json: %d warnings, %d errors' % (pf['warnings'], pf['errors']))
EOF

# the coarse image fails build and check, and leaves the last build's files alone
(cd outl && find . -type f | sort | xargs sha256sum) >before.sum
cat >>lowres/2030-1/bild.md <<'EOF'

![Ein grobes Bild](images/coarse.png)
EOF
line=$(grep -n "coarse.png" lowres/2030-1/bild.md | cut -d: -f1)
expect_status 1 "$JOURNAL" build lowres --out outl --impose booklet --pdfa
grep -q "bild.md:$line:.*error.*coarse.png.*ppi" stderr ||
    grep -q "bild.md:$line:.*coarse.png.*ppi" stderr || fail "preflight: no error with file:line for coarse.png: $(cat stderr)"
grep -q "error" stderr || fail "preflight: coarse.png is not an error"
(cd outl && find . -type f | sort | xargs sha256sum) >after.sum
cmp -s before.sum after.sum || fail "a build failing in the preflight changed out/"
expect_status 1 "$JOURNAL" check lowres --preflight
grep -q "coarse.png" stdout || fail "check --preflight: table does not list coarse.png"
grep -q "bild.md:$line:.*coarse.png" stderr || fail "check: no error for coarse.png"
expect_status 0 "$JOURNAL" check plain --preflight
grep -q "preflight 2030-1" stdout || fail "check --preflight: no table"
expect_status 0 "$JOURNAL" check plain
grep -q "preflight" stdout && fail "check without --preflight prints the table"

# ---- preflight: text near the trim (a layout with 4 mm side margins) ------------
cp -r plain narrow
printf 'margins:\n  inside: 4mm\n  outside: 4mm\n' >narrow/2030-1/schmal.yaml
echo "layout: schmal.yaml" >>narrow/2030-1/edition.yaml
expect_status 0 "$JOURNAL" check narrow --preflight
grep -q "trim safety warning: page 3, .* 4 mm from the left edge" stdout ||
    fail "preflight: no trim safety warning for page 3: $(grep trim stdout)"
grep -q "text.md: warning: page 3: text '.*' is 4.0 mm from the left trim edge" stderr ||
    fail "preflight: no trim warning for page 3 on stderr: $(head -3 stderr)"
grep -q "trim safety warning: page 2, .* from the left edge" stdout ||
    fail "preflight: the running head on page 2 is not checked"
grep -q "trim safety" "$WORK/build1.stdout" || fail "sample: no trim safety line"
grep -q "trim safety warning" "$WORK/build1.stdout" && fail "sample: text near the trim"

# ---- usage --------------------------------------------------------------------------
expect_status 2 "$JOURNAL" build plain --impose leporello
grep -q "booklet" stderr || fail "--impose leporello: no hint at 'booklet'"
expect_status 0 "$JOURNAL" --help
grep -q -- "--impose booklet" stdout || fail "--help: no --impose booklet"
grep -q -- "--pdfa" stdout || fail "--help: no --pdfa"
grep -q -- "--preflight" stdout || fail "--help: no --preflight"

finish
