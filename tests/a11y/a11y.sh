# Tagged PDF of the sample edition and of a small fixture, read back with
# independent tools: pdfinfo (-struct-text), qpdf --json, xmllint. The
# reading order is compared with the Markdown sources (check_struct.py),
# marked content, alt texts, links, /Lang, /Tabs and XMP on qpdf's JSON
# (check_pdf.py). Debian's /usr/bin/python3, standard library only.
. "$SRC/tests/cli/lib.sh"
here="$SRC/tests/a11y"
py=/usr/bin/python3

# check_edition NAME PDF EDITION_DIR DUMP|- [--short]
check_edition() {
    name=$1 pdf=$2 dir=$3 dump=$4 short=${5:-}
    if [ ! -f "$pdf" ]; then
        fail "$name: no PDF"
        return
    fi
    pdfinfo "$pdf" >"$WORK/$name-info.txt" 2>"$WORK/$name-info.err"
    grep -q '^Tagged: *yes' "$WORK/$name-info.txt" || fail "$name: pdfinfo does not say Tagged: yes"
    pdfinfo -struct-text "$pdf" >"$WORK/$name-struct.txt" 2>"$WORK/$name-struct.err"
    if [ -s "$WORK/$name-info.err" ] || [ -s "$WORK/$name-struct.err" ]; then
        fail "$name: poppler complains"
        head -5 "$WORK/$name-info.err" "$WORK/$name-struct.err" >&2
    fi
    if ! $py "$here/check_struct.py" "$WORK/$name-struct.txt" "$dir" "$dump" >"$WORK/$name-order.txt"; then
        fail "$name: reading order"
        head -20 "$WORK/$name-order.txt" >&2
    fi
    qpdf --json=2 --json-stream-data=inline --decode-level=generalized "$pdf" >"$WORK/$name.json" ||
        fail "$name: qpdf --json"
    if ! $py "$here/check_pdf.py" "$WORK/$name.json" "$dir" "$WORK/$name-xmp.xml" $short \
        >"$WORK/$name-pdf.txt"; then
        fail "$name: tagged PDF checks"
        head -20 "$WORK/$name-pdf.txt" >&2
    fi
    xmllint --noout "$WORK/$name-xmp.xml" 2>"$WORK/$name-xmllint.txt" || fail "$name: XMP does not parse"
}

# ---- the sample edition ----
out="$WORK/out"
expect_status 0 "$JOURNAL" build "$SRC/articles" --out "$out" --dump-layout "$WORK/layout.txt" --quiet
check_edition sample "$out/2026-2/bildung-im-blick-2026-2.pdf" "$SRC/articles/2026-2" "$WORK/layout.txt"
grep -q '6 P across pages\|[1-9][0-9]* P across pages' "$WORK/sample-pdf.txt" || fail "sample: no P across pages"
# no running head and no folio is a structure element's text (they are artifacts)
for head in 'Bildung im Blick · Ausgabe 2/2026' 'Übergänge gestalten'; do
    if grep -q "^ *\"$head\"\$" "$WORK/sample-struct.txt"; then
        fail "sample: running head '$head' is tagged as content"
    fi
done
if grep -Eq '^ *"[0-9]{1,2}"$' "$WORK/sample-struct.txt"; then
    fail "sample: a folio is tagged as content"
fi
pdftotext "$out/2026-2/bildung-im-blick-2026-2.pdf" - | grep -q 'Bildung im Blick · Ausgabe 2/2026' ||
    fail "sample: the running head is not on the pages (test data)"

# the checks can fail: a page without /Tabs, a figure without /Alt, a link
# annotation without /StructParent, a paragraph with a running head in it
$py - "$WORK/sample.json" "$WORK/broken.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
objs = j['qpdf'][1]
done = set()
for k, v in objs.items():
    d = v.get('value')
    if not isinstance(d, dict):
        continue
    if d.get('/Type') == '/Page' and 'tabs' not in done:
        del d['/Tabs']; done.add('tabs')
    elif d.get('/S') == '/Figure' and '/Alt' in d and 'alt' not in done:
        del d['/Alt']; done.add('alt')
    elif d.get('/Subtype') == '/Link' and 'link' not in done:
        del d['/StructParent']; done.add('link')
json.dump(j, open(sys.argv[2], 'w'))
PY
$py "$here/check_pdf.py" "$WORK/broken.json" "$SRC/articles/2026-2" "$WORK/broken-xmp.xml" \
    >"$WORK/broken.txt" && fail "check_pdf.py passes a broken PDF"
for what in 'no /Tabs /S' 'without /Alt' 'without /StructParent'; do
    grep -q "$what" "$WORK/broken.txt" || fail "check_pdf.py does not see: $what"
done
sed '0,/"Die Träger haben reagiert/s//"Bildung im Blick · Ausgabe 2\/2026 Die Träger haben reagiert/' \
    "$WORK/sample-struct.txt" >"$WORK/broken-struct.txt"
$py "$here/check_struct.py" "$WORK/broken-struct.txt" "$SRC/articles/2026-2" - >/dev/null &&
    fail "check_struct.py passes a running head inside a paragraph"
# ... and a hyphen put in by hyphenation inside the structure's text
sed 's/^\( *"[^"]*[a-zäöüß]\)"$/\1-"/' "$WORK/sample-struct.txt" >"$WORK/broken-struct2.txt"
$py "$here/check_struct.py" "$WORK/broken-struct2.txt" "$SRC/articles/2026-2" "$WORK/layout.txt" \
    >"$WORK/broken-struct2.out" && fail "check_struct.py passes hyphens in the text"
grep -q 'is not whole' "$WORK/broken-struct2.out" || fail "check_struct.py does not see hyphens in the text"

# the print PDF: valid, silent, tagged as well
print="$out/2026-2/bildung-im-blick-2026-2-print.pdf"
qpdf --check "$print" >"$WORK/print-check.txt" 2>&1 || fail "print PDF: qpdf --check"
pdfinfo -struct-text "$print" >"$WORK/print-struct.txt" 2>"$WORK/print.err"
pdftotext "$print" /dev/null 2>>"$WORK/print.err"
[ -s "$WORK/print.err" ] && fail "print PDF: poppler complains" && head -5 "$WORK/print.err" >&2
pdfinfo "$print" | grep -q '^Tagged: *yes' || fail "print PDF: not tagged"
qpdf --json=2 --json-stream-data=inline --decode-level=generalized "$print" >"$WORK/print.json"
$py "$here/check_pdf.py" "$WORK/print.json" "$SRC/articles/2026-2" "$WORK/print-xmp.xml" \
    >"$WORK/print-pdf.txt" || { fail "print PDF: tagged PDF checks"; head -5 "$WORK/print-pdf.txt" >&2; }

# ---- a fixture: nested and ordered lists, a quote, code, a decorative
# image, an English article, a lead image without alt text ----
c="$WORK/content"
mkdir -p "$c/2030-1/images"
cp "$SRC/articles/2026-2/images/bildungsbericht-uebergaenge.png" "$c/2030-1/images/bild.png"
cp "$SRC/articles/2026-2/images/messe-teilnehmende.png" "$c/2030-1/images/deko.png"
cp "$SRC/articles/2026-2/images/ganztag.jpg" "$c/2030-1/images/lead.jpg"
cat >"$c/journal.yaml" <<'YAML'
title: Probe & Co <Journal>
publisher: Bildungsbüro
language: de
YAML
cat >"$c/2030-1/edition.yaml" <<'YAML'
number: 1
year: 2030
date: 2030-01-15
YAML
cat >"$c/2030-1/eins.md" <<'MD'
---
title: Listen und Zitate
author: Anna Beispiel
date: 2030-01-10
---

Ein Absatz vor der Liste mit einem [Verweis](https://example.org/a) darin.

1. Erster Punkt
   - Unterpunkt A
   - Unterpunkt B
2. Zweiter Punkt

> Ein Zitat in zwei Sätzen. Es endet hier.

## Mitte

```
code_zeile(1);
```

![](images/deko.png "Nur Schmuck, mit Bildunterschrift")

![Ein Diagramm mit zwei Linien](images/bild.png)

#### Schluss

Letzter Absatz.
MD
cat >"$c/2030-1/two.md" <<'MD'
---
title: An English article
author: [Ann Example, Bo Sample]
date: 2030-01-11
lang: en
image: images/lead.jpg
---

Some text in English, with a second sentence.
MD
expect_status 0 "$JOURNAL" check "$c"
grep -q 'two.md:.*images/lead.jpg has no alt text' "$WORK/stderr" ||
    fail "fixture: no warning for a lead image without alt text"
grep -q 'deko.png' "$WORK/stderr" && fail "fixture: a decorative image (empty alt, caption) is warned about"
expect_status 0 "$JOURNAL" build "$c" --out "$WORK/fx" --no-print --quiet
check_edition fixture "$WORK/fx/2030-1/probe-co-journal-2030-1.pdf" "$c/2030-1" - --short
grep -q '3 images drawn, 2 as artifacts' "$WORK/fixture-pdf.txt" ||
    fail "fixture: the decorative image and the lead image without alt text are not artifacts ($(head -1 "$WORK/fixture-pdf.txt"))"
grep -q 'Lang' "$WORK/fixture.json" || fail "fixture: no /Lang"
$py - "$WORK/fixture.json" <<'PY' || fail "fixture: /Lang of the English article"
import json, sys
objs = json.load(open(sys.argv[1]))['qpdf'][1]
arts = [v['value'] for v in objs.values() if isinstance(v.get('value'), dict) and v['value'].get('/S') == '/Art']
langs = sorted(str(a.get('/Lang')) for a in arts)
sys.exit(0 if langs == ['None', 'u:en'] else print(langs) or 1)
PY
# structure: L > LI > (Lbl, LBody > P, L > LI ...), BlockQuote > P, Code, Caption;
# heading levels are not skipped
$py - "$WORK/fixture-struct.txt" <<'PY' || fail "fixture: list, quote and code structure"
import re, sys
t = open(sys.argv[1], encoding='utf-8', errors='replace').read()
need = ['L (block):', 'LI (block)', 'Lbl (block)', 'LBody (block)', 'BlockQuote', 'Code', 'Caption',
        'H3 (block)', 'Link (inline)', 'TOC', 'TOCI']
miss = [n for n in need if n not in t]
if 'H4' in t:  # '## Mitte' then '#### Schluss': H2, H3 (no level skipped)
    miss.append('no H4')
# the link's text is inside its Link element, next to the annotation
if not re.search(r'Link \(inline\)\n +"Verweis"\n +Object \d+', t):
    miss.append('Link with its text')
lines = t.split('\n')
def ind(s): return len(s) - len(s.lstrip(' '))
# the nested list sits in the first item's LBody
i = next(k for k, l in enumerate(lines) if '"Unterpunkt A"' in l)
chain = []
lv = ind(lines[i])
for l in reversed(lines[:i]):
    if l.strip() and ind(l) < lv and not l.strip().startswith(('"', '/')):
        chain.append(l.strip().split(' ')[0]); lv = ind(l)
want = ['P', 'LBody', 'LI', 'L', 'LBody', 'LI', 'L', 'Art']
if chain[:8] != want or miss:
    print('missing', miss, 'chain', chain); sys.exit(1)
PY
grep -q '"1\."' "$WORK/fixture-struct.txt" || fail "fixture: the ordered list's label"
xmllint --xpath 'string(//*[local-name()="title"]//*[local-name()="li"])' "$WORK/fixture-xmp.xml" \
    >"$WORK/title.txt" 2>/dev/null
grep -q 'Probe & Co <Journal> 1/2030' "$WORK/title.txt" || fail "fixture: dc:title ($(cat "$WORK/title.txt"))"

finish
