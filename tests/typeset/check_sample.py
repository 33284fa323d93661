"""Reads the sample edition's words and boxes (pdftotext -bbox) and checks,
against the layout file's geometry and the Markdown sources:
- every word on an article page lies inside the type area, and every body
  line lies inside one column;
- a body line that continues a paragraph (the next line of the column sits
  one leading below at the same left edge) ends at the column's right edge
  (or at the right edge of its quote) within 0.5 pt;
- all words of every article's source appear in the PDF in source order once
  hyphenation is undone.
"""
import glob, html, os, re, sys
import yaml

bbox_file, layout_file, edition_dir = sys.argv[1:4]
L = yaml.safe_load(open(layout_file, encoding="utf-8"))
PT = {"mm": 72 / 25.4, "cm": 72 / 2.54, "pt": 1.0, "in": 72.0}


def length(v):
    if isinstance(v, (int, float)):
        return float(v)
    m = re.fullmatch(r"\s*([\d.]+)\s*(mm|cm|pt|in)?\s*", str(v))
    return float(m.group(1)) * PT[m.group(2) or "pt"]


W, H = 595.28, 841.89  # A4, the layout's page size
assert L["page"]["size"] == "A4"
inside, outside = length(L["margins"]["inside"]), length(L["margins"]["outside"])
top, bottom = length(L["margins"]["top"]), length(L["margins"]["bottom"])
gutter = length(L["columns"]["gutter"])
ncols = L["columns"]["article"]
leading = length(L["fonts"]["body"]["leading"])
quote_indent = length(L["paragraph"]["quote_indent"])
tw = W - inside - outside
colw = (tw - gutter * (ncols - 1)) / ncols
TOL = 0.5
errors = []

pages = []
text = open(bbox_file, encoding="utf-8").read()
for pm in re.finditer(r"<page [^>]*>(.*?)</page>", text, re.S):
    words = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', pm.group(1)):
        x0, y0, x1, y1 = map(float, m.groups()[:4])
        words.append((x0, y0, x1, y1, html.unescape(m.group(5))))
    pages.append(words)

# The body's word height is the most common one (pdftotext gives the font's
# ascent to descent).
from collections import Counter
heights = Counter(round(w[3] - w[1], 2) for p in pages for w in p)
body_h = heights.most_common(1)[0][0]

# Lines of the sources that end in a hard line break (two spaces or "\\")
hard_break_ends = set()
headings = []  # headings are set ragged
for path in glob.glob(os.path.join(edition_dir, "*.md")):
    for line in open(path, encoding="utf-8-sig"):
        line = line.rstrip("\r\n")
        if line.endswith("  ") or line.endswith("\\"):
            words_ = line.rstrip(" \\").split()
            if words_:
                hard_break_ends.add(words_[-1].strip("*_"))
        m_ = re.match(r"#{1,6}\s+(.*)", line)
        if m_:
            headings.append(m_.group(1).strip())

justified = flush = 0
for n, words in enumerate(pages, start=1):
    if n == 1 or n == len(pages) or not words:
        continue  # cover and back cover have designs of their own
    # page 1 is a right page: odd pages have the binding on the left
    x_left = inside if n % 2 == 1 else outside
    cols = [(x_left + i * (colw + gutter), x_left + i * (colw + gutter) + colw) for i in range(ncols)]
    page_text = " ".join(w[4] for w in words)
    if re.search(r"\bInhalt\b", page_text) and n <= 4:
        continue  # the contents page has its own grid
    for x0, y0, x1, y1, t in words:
        if y1 <= top - 2 or y0 >= H - bottom + 2:
            continue  # running head and folio zones
        if x0 < x_left - TOL or x1 > x_left + tw + TOL:
            errors.append(f"page {n}: '{t}' at x {x0:.1f}-{x1:.1f} outside the type area")
    # body lines per column
    lines = {}
    for w in words:
        if abs(round(w[3] - w[1], 2) - body_h) > 0.05 or w[1] < top or w[3] > H - bottom:
            continue
        col = next((i for i, (a, b) in enumerate(cols) if w[0] >= a - TOL and w[2] <= b + TOL), None)
        if col is None:
            continue  # spans columns: opening (title, lead caption) or a figure caption
        lines.setdefault((col, round(w[3], 1)), []).append(w)
    for (col, y), ws in lines.items():
        ws.sort()
        nxt = lines.get((col, round(y + leading, 1)))
        if not nxt:
            continue
        nxt.sort()
        if abs(nxt[0][0] - ws[0][0]) > TOL:
            continue  # the next line starts a paragraph (indent) or another block
        if re.fullmatch(r"[•–\u2013-]|\d+[.)]", nxt[0][4]):
            continue  # the next line is the next list item
        if ws[-1][4] in hard_break_ends:
            continue  # a hard line break ends this line
        line_text = " ".join(w[4] for w in ws)
        if any(line_text in h for h in headings):
            continue
        if len(ws) < 2:
            continue  # one word cannot be justified
        justified += 1
        right = ws[-1][2]
        edges = [cols[col][1] - k * quote_indent for k in range(0, 4)]
        if min(abs(right - e) for e in edges) > TOL:
            errors.append(f"page {n} col {col + 1}: justified line ends at {right:.2f}, column edge {cols[col][1]:.2f}: "
                          + " ".join(w[4] for w in ws))
        else:
            flush += 1

if justified < 200:
    errors.append(f"only {justified} justified lines found: the checker sees too little")

# ---- every source word, in order ----------------------------------------
def tokens(s):
    s = s.replace("\u00ad", "").replace("--", " ")
    s = re.sub(r"(?<=\w)-(?=\w)|-$|-(?=\s)", "", s)  # hyphens inside and at the end of words
    return re.findall(r"\w+", s)


# pdftotext -bbox lists words in reading order. A word that ends a line with
# "-" may be a hyphenated piece or a word with a hard hyphen ("Lese- und"):
# its last token may join the next one.
# Captions (figures float, so their captions stand between the lines of a
# paragraph in reading order) and running heads are left out: they are set
# in the caption size.
cap_h = body_h * length(L["fonts"]["caption"]["size"]) / length(L["fonts"]["body"]["size"])
P, J = [], []
for words in pages:
    words = [w for w in words if abs((w[3] - w[1]) - cap_h) > 0.1]
    for i, w in enumerate(words):
        ts = tokens(w[4])
        line_end = i + 1 == len(words) or abs(words[i + 1][3] - w[3]) > 0.5
        for k, t in enumerate(ts):
            P.append(t)
            J.append(line_end and w[4].endswith("-") and k + 1 == len(ts))
pdf_tokens = P

arts = []
for path in sorted(glob.glob(os.path.join(edition_dir, "*.md"))):
    src = open(path, encoding="utf-8-sig").read().replace("\r\n", "\n")
    m = re.match(r"---\n(.*?)\n(?:---|\.\.\.)\n(.*)", src, re.S)
    fm, body = m.group(1), m.group(2)
    if re.search(r"^draft:\s*true", fm, re.M):
        continue
    order = re.search(r"^order:\s*(\d+)", fm, re.M)
    arts.append((int(order.group(1)) if order else 999, path, body))
arts.sort()
pos = 0
for _, path, body in arts:
    body = re.sub(r'!\[[^\]]*\]\([^)\s]*(?:\s+"[^"]*")?\)', " ", body)          # figures may float
    body = re.sub(r'\[([^\]]*)\]\([^)\s]*(?:\s+"[^"]*")?\)', r"\1", body)        # link text only
    body = re.sub(r"<[^>]+>", " ", body)                        # raw HTML is dropped
    body = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", " ", body, flags=re.M)  # list markers
    body = re.sub(r"^\s*\*\*\*\s*$", " ", body, flags=re.M)
    src_tokens = tokens(body)
    missing = 0
    for t in src_tokens:
        k, used = pos, 0
        while k < len(P):
            if P[k] == t:
                used = 1
                break
            if J[k] and k + 1 < len(P) and P[k] + P[k + 1] == t:
                used = 2
                break
            k += 1
        if not used:
            missing += 1
            if missing <= 3:
                errors.append(f"{os.path.basename(path)}: word '{t}' not found in order")
            continue
        pos = k + used
    if len(src_tokens) < 50:
        errors.append(f"{os.path.basename(path)}: only {len(src_tokens)} words read from the source")

print(f"{justified} justified lines checked, {flush} flush; {len(pdf_tokens)} words in the PDF")
for e in errors[:40]:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
