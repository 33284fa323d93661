#!/usr/bin/python3
"""check_pages.py PDF ARTICLES_DIR GEOMETRY: the pages of an edition, read
back with poppler (pdfinfo, pdftotext) and qpdf only.

GEOMETRY: width,height,inside,outside,top,bottom,head_gap,folio_gap in pt.
Prints one line per failed check and exits 1 if there was any."""
import html, json, re, subprocess, sys

pdf, artdir, geo = sys.argv[1], sys.argv[2], sys.argv[3]
W, H, INSIDE, OUTSIDE, TOP, BOTTOM, HEAD_GAP, FOLIO_GAP = map(float, geo.split(','))
failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL: ' + msg)


def run(*args):
    return subprocess.run(args, check=True, capture_output=True).stdout.decode('utf-8')


def norm(s):
    return ' '.join(s.replace('\u00ad', '').split())


# ---- articles: titles from the front matter (YAML scalars on one line)
import glob, os
titles = []
for md in sorted(glob.glob(os.path.join(artdir, '*.md'))):
    text = open(md, encoding='utf-8').read()
    fm = text.split('---', 2)[1]
    m = re.search(r'^title:\s*(.*)$', fm, re.M)
    t = m.group(1).strip()
    if t[:1] == "'" and t[-1:] == "'":
        t = t[1:-1].replace("''", "'")
    elif t[:1] == '"' and t[-1:] == '"':
        t = t[1:-1].replace('\\"', '"')
    if re.search(r'^draft:\s*true', fm, re.M):
        continue
    titles.append(t)

# ---- pdfinfo: size and metadata
info = run('pdfinfo', pdf)
m = re.search(r'^Page size:\s*([\d.]+) x ([\d.]+) pts', info, re.M)
if not m or abs(float(m.group(1)) - W) > 0.01 or abs(float(m.group(2)) - H) > 0.01:
    fail('page size %s, expected %.2f x %.2f' % (m.group(0) if m else '?', W, H))
for key in ('Title', 'Author', 'Subject', 'Keywords'):
    m = re.search(r'^%s:\s*(\S.*)$' % key, info, re.M)
    if not m:
        fail('pdfinfo: no %s' % key)
if not re.search(r'^Title:\s*Bildung im Blick 2/2026$', info, re.M):
    fail('pdfinfo: title is not "Bildung im Blick 2/2026"')
npages = int(re.search(r'^Pages:\s*(\d+)', info, re.M).group(1))
if npages % 4:
    fail('%d pages: not a multiple of four (saddle stitching)' % npages)

# ---- outline (qpdf): every article, sections open; the document opens with it
doc = json.loads(run('qpdf', '--json', pdf))
outline = []


def walk(items, level):
    for o in items:
        outline.append((level, o.get('title', ''), o.get('destpageposfrom1'), o.get('open')))
        walk(o.get('kids', []), level + 1)


walk(doc.get('outlines', []), 0)
otitles = [t for _, t, _, _ in outline]
for t in titles:
    if t not in otitles:
        fail('outline: no entry for article "%s"' % t)
for level, t, page, opened in outline:
    if level == 0 and len([1 for l2, *_ in outline if l2 == 1]) and t not in titles and t not in (
            'Inhalt', 'Impressum') and not opened:
        fail('outline: section "%s" is not opened' % t)
catalog = None
for obj in doc['qpdf'][1].values():
    v = obj.get('value') if isinstance(obj, dict) else None
    if isinstance(v, dict) and v.get('/Type') == '/Catalog':
        catalog = v
if not catalog or catalog.get('/PageMode') != '/UseOutlines':
    fail('catalog: /PageMode is not /UseOutlines')
if not catalog or '/PageLabels' not in catalog:
    fail('catalog: no /PageLabels')

# ---- words with their boxes, per page (pdftotext -bbox)
bbox = run('pdftotext', '-bbox', pdf, '-')
pages = []
for pm in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
    words = []
    for wm in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                          pm.group(3)):
        words.append((float(wm.group(1)), float(wm.group(2)), float(wm.group(3)), float(wm.group(4)),
                      html.unescape(wm.group(5))))
    pages.append(words)
if len(pages) != npages:
    fail('pdftotext -bbox: %d pages, pdfinfo: %d' % (len(pages), npages))


def page_text(n):
    return norm(run('pdftotext', '-enc', 'UTF-8', '-f', str(n), '-l', str(n), pdf, '-'))


# ---- the contents: each article's printed page is where its title is
texts = {n: page_text(n) for n in range(1, npages + 1)}
entries = []
first = [p for l, t, p, _ in outline if t == 'Inhalt']
first = first[0] if first else 0
if not first or 'Inhalt' not in texts[first]:
    fail('no contents page in the outline')
n = first


def contents_lines(n, crop):
    args = ['pdftotext', '-enc', 'UTF-8', '-layout', '-f', str(n), '-l', str(n)]
    if crop:  # one half of the page (contents in two columns)
        x = 0 if crop == 1 else int(W / 2)
        args += ['-x', str(x), '-y', '0', '-W', str(int(W / 2) + 1), '-H', str(int(H))]
    found = []
    for line in run(*(args + [pdf, '-'])).splitlines():
        m = re.match(r"^\s*(\d{1,3})\s+(\S.*)$", line)
        if m and int(m.group(1)) != n:
            found.append((int(m.group(1)), norm(m.group(2))))
    return found


while first and n < npages:
    whole = contents_lines(n, 0)
    halves = contents_lines(n, 1) + contents_lines(n, 2)
    # two columns side by side run together in one -layout line
    two = len(halves) > len(whole) or any(re.search(r' \d{1,3} ', t) for _, t in whole)
    entries += halves if two else whole
    # the contents go on until the first article listed after them
    after = [e[0] for e in entries if e[0] > first]
    n += 1
    if not after or n >= min(after):
        break
if len(entries) != len(titles):
    fail('contents: %d entries for %d articles: %s' % (len(entries), len(titles), entries))
for num, title in entries:
    if num < 1 or num > npages:
        fail('contents: page %d of "%s" does not exist' % (num, title))
        continue
    words = title.split()[:4]
    if norm(' '.join(words)) not in texts[num]:
        fail('contents: "%s" is listed on page %d, but that page does not show it' % (title, num))
    if num > 1 and norm(' '.join(words)) in texts[num - 1] and 'Inhalt' not in texts[num - 1]:
        fail('contents: "%s" already on page %d' % (title, num - 1))

# ---- the contents link to the articles' pages (link annotations with /Dest)
objs = doc['qpdf'][1]
pageno = {pg['object']: pg['pageposfrom1'] for pg in doc['pages']}


def deref(v):
    while isinstance(v, str) and v.endswith(' R'):
        v = objs.get('obj:' + v, {}).get('value')
    return v


linked = set()
for pg in doc['pages']:
    if not first or not first <= pg['pageposfrom1'] < first + 3:
        continue
    for a in deref(objs['obj:' + pg['object']]['value'].get('/Annots')) or []:
        a = deref(a)
        dest = deref(a.get('/Dest')) if isinstance(a, dict) else None
        if isinstance(dest, list) and dest and dest[0] in pageno:
            linked.add(pageno[dest[0]])
for num, title in entries:
    if num not in linked:
        fail('contents: no link to page %d ("%s")' % (num, title))

# ---- page labels: none on the cover, then decimal from 2 (the printed folios)
labels = doc.get('pagelabels', [])
if not labels or labels[0]['index'] != 0 or '/S' in labels[0]['label']:
    fail('page labels: the cover has a numbered label: %s' % labels[:2])
if len(labels) < 2 or labels[1]['index'] != 1 or labels[1]['label'].get('/S') != '/D' or \
        labels[1]['label'].get('/St') != 2:
    fail('page labels: page 2 is not labelled 2: %s' % labels[:2])

# ---- running heads and folios; no text outside the type area
# blank pages (for a multiple of four) stand right before the back cover
blank = [n for n in range(2, npages + 1) if not pages[n - 1]]
if blank and (len(blank) > 3 or blank != list(range(npages - len(blank), npages))):
    fail('blank pages %s are not (at most three) right before the back cover' % blank)
for n in range(2, npages + 1):
    words = pages[n - 1]
    if n in blank:
        continue
    left = n % 2 == 0  # page 1 is a right-hand page
    x0 = OUTSIDE if left else INSIDE
    x1 = W - (INSIDE if left else OUTSIDE)
    head = [w for w in words if w[3] <= TOP + 0.5]
    foot = [w for w in words if w[1] >= H - BOTTOM - 0.5]
    if not any(w[4] == str(n) for w in foot):
        fail('page %d: no folio "%d" below the type area' % (n, n))
    else:
        f = [w for w in foot if w[4] == str(n)][0]
        outer = f[0] if left else W - f[2]
        if abs(outer - (OUTSIDE if left else OUTSIDE)) > 1.0:
            fail('page %d: folio not at the outer edge of the type area (%.1f pt from the edge)' % (n, outer))
    headtext = ' '.join(w[4] for w in head)
    if not headtext:
        fail('page %d: no running head' % n)
    elif 'Bildung im Blick' not in headtext and not re.search(r'\w', headtext):
        fail('page %d: running head "%s"' % (n, headtext))
    for w in words:
        xa, ya, xb, yb, t = w
        if xa < x0 - 1.0 or xb > x1 + 1.0:
            fail('page %d: "%s" outside the type area horizontally (%.1f..%.1f, area %.1f..%.1f)' %
                 (n, t, xa, xb, x0, x1))
        if yb <= TOP + 0.5:
            if ya < TOP - HEAD_GAP - 14:
                fail('page %d: "%s" above the running head zone (y %.1f)' % (n, t, ya))
        elif ya >= H - BOTTOM - 0.5:
            if yb > H - BOTTOM + FOLIO_GAP + 6:
                fail('page %d: "%s" below the folio zone (y %.1f)' % (n, t, yb))
        # poppler's word boxes run from the font's ascender to its descender
        elif ya < TOP - 0.3 * (yb - ya) or yb > H - BOTTOM + 0.3 * (yb - ya):
            fail('page %d: "%s" crosses the type area edge (y %.1f..%.1f)' % (n, t, ya, yb))
# running heads: left pages the journal, right pages a section (or the journal)
heads_left = [' '.join(w[4] for w in pages[n - 1] if w[3] <= TOP + 0.5) for n in range(2, npages + 1, 2)
              if n not in blank]
if not all('Bildung im Blick' in h for h in heads_left):
    fail('left pages without the journal title in the running head: %s' % heads_left)

# ---- cover, imprint, back cover
c = texts[1]
for s in ('Bildung im Blick', 'Ausgabe 2/2026', '16. November 2026', 'Übergänge: von der Kita bis in den Beruf'):
    if s not in c:
        fail('cover: no "%s"' % s)
if re.search(r'(^| )1( |$)', ' '.join(w[4] for w in pages[0] if w[1] >= H - BOTTOM)):
    fail('cover: carries a folio')
# the cover's text keeps to its type area too (it is a right-hand page)
for xa, ya, xb, yb, t in pages[0]:
    if xa < INSIDE - 1 or xb > W - OUTSIDE + 1 or ya < TOP - 0.3 * (yb - ya) or \
            yb > H - BOTTOM + 0.3 * (yb - ya):
        fail('cover: "%s" outside the type area (%.1f,%.1f..%.1f,%.1f)' % (t, xa, ya, xb, yb))
teasers = len(re.findall(r'Seite \d+', c))
if not 3 <= teasers <= 5:
    fail('cover: %d teasers' % teasers)
for m in re.finditer(r'Seite (\d+)', c):
    pass
imp = [p for l, t, p, _ in outline if t == 'Impressum']
if not imp:
    fail('outline: no "Impressum"')
allt = texts[imp[0]].replace(' ', '') if imp else ''

for s in ('Impressum', 'V. i. S. d. P.', 'Henrike Marquardt', 'Druckhaus Elbmarsch', 'Am Sande 17',
          '+49 4141 5550-120', 'bildungsbuero@bildungsregion-stade.example', '© 2026',
          'https://journal.bildungsregion-stade.example/'):
    if s.replace(' ', '').upper() not in allt.upper():
        fail('imprint: no "%s"' % s)
last = texts[npages]
for s in ('atom.xml', 'rss.xml', 'Am Sande 17'):
    if s not in last:
        fail('back cover: no "%s"' % s)

sys.exit(1 if failures else 0)
