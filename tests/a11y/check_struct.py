#!/usr/bin/python3
"""Reading order of a tagged journal PDF against its Markdown sources.

Usage: check_struct.py STRUCT_TEXT EDITION_DIR DUMP

STRUCT_TEXT is the output of `pdfinfo -struct-text`; EDITION_DIR the
edition's folder (its *.md articles); DUMP the layout dump of the build
(`journal build --dump-layout`), which says where each line was set, or
'-' to leave out the check of paragraphs set across a column and a page.

For each Art: the title is its H1; after it the subtitle and byline as P,
the lead image as Figure and Caption; then the body in source order:
headings as H2..H4 (Markdown level, # set as 2), paragraphs as P (those in
list items inside LI > LBody, each item with an Lbl), code as Code, figures
as Figure and Caption. Texts are compared whole, letters and digits only
(hyphenation, typographic quotes and dashes, and the spaces lost at line
ends do not count), so a running head, a folio or a line of another block
inside an element is an error, and so is a paragraph set in pieces.
Prints what differs; exit status 1 if anything does.
"""
import re
import sys
import os


def norm(s):
    return ''.join(ch for ch in s.lower() if ch.isalnum())


# ---- pdfinfo -struct-text ----

def parse_struct(path):
    """A tree of (type, [texts], [kids]) from pdfinfo's indented dump."""
    root = ('ROOT', [], [], [])  # type, texts, kids, both in order
    stack = [(-1, root)]
    for line in open(path, encoding='utf-8', errors='replace'):
        line = line.rstrip('\n')
        if not line.strip():
            continue
        ind = len(line) - len(line.lstrip(' '))
        body = line.strip()
        while stack and stack[-1][0] >= ind:
            stack.pop()
        parent = stack[-1][1]
        if body.startswith('"'):
            text = body[1:-1] if body.endswith('"') else body[1:]
            parent[1].append(text)
            parent[3].append(text)
            continue
        if body.startswith('/') or body.startswith('Object '):
            continue  # attributes, object references
        m = re.match(r'([A-Za-z0-9]+)', body)
        node = (m.group(1) if m else body, [], [], [])
        parent[2].append(node)
        parent[3].append(node)
        stack.append((ind, node))
    return root


def full_text(node):
    """An element's text with that of its inline Link kids, in order."""
    return ''.join(x if isinstance(x, str) else full_text(x) if x[0] == 'Link' else ''
                   for x in node[3])


def walk(node, out, inside=()):
    for kid in node[2]:
        out.append((kid[0], full_text(kid), inside))
        walk(kid, out, inside + (kid[0],))


# ---- the Markdown sources ----

def front_matter(text):
    m = re.match(r'---\n(.*?)\n---\n', text, re.S)
    fm, body = {}, text
    if m:
        body = text[m.end():]
        key = None
        for line in m.group(1).split('\n'):
            km = re.match(r'([a-z_]+):\s*(.*)$', line)
            if km:
                key, val = km.group(1), km.group(2).strip()
                if val.startswith('[') and val.endswith(']'):
                    val = [v.strip().strip('"\'') for v in val[1:-1].split(',') if v.strip()]
                elif val == '':
                    val = []
                else:
                    val = val.strip('"\'')
                fm[key] = val
            elif key and re.match(r'\s*-\s+', line) and isinstance(fm.get(key), list):
                fm[key].append(re.sub(r'^\s*-\s+', '', line).strip().strip('"\''))
    return fm, body


def inline(s):
    s = re.sub(r'!\[([^\]]*)\]\([^)]*\)', r'\1', s)
    s = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', s)
    s = re.sub(r'<(https?://[^>]+|[^>@\s]+@[^>\s]+)>', r'\1', s)
    return s


FIG = re.compile(r'^!\[(.*)\]\((\S+)(?:\s+"(.*)")?\)$')
ITEM = re.compile(r'^(\s*)([-*+]|\d+[.)])\s+(.*)$')


def blocks(body):
    """Expected (type, text, in_list) of the body in source order."""
    out = []
    lines = body.split('\n')
    i = 0
    para = []
    para_kind = None  # 'P', 'LI', 'Q'

    def flush():
        nonlocal para, para_kind
        if para:
            raw = ' '.join(x.strip() for x in para)
            text = inline(raw)
            m = FIG.match(raw.strip()) if para_kind == 'P' and len(para) == 1 else None
            if m:
                alt, title = m.group(1), m.group(3)
                if alt:
                    out.append(('Figure', alt, False))  # its /Alt: check_pdf.py
                out.append(('Caption', title if title else alt, False))
            else:
                out.append(('P', text, para_kind == 'LI'))
        para, para_kind = [], None

    while i < len(lines):
        line = lines[i]
        if line.startswith('```') or line.startswith('~~~'):
            flush()
            fence = line[:3]
            code = []
            i += 1
            while i < len(lines) and not lines[i].startswith(fence):
                code.append(lines[i])
                i += 1
            out.append(('Code', ''.join(code), False))
            i += 1
            continue
        if not line.strip():
            flush()
            i += 1
            continue
        h = re.match(r'^(#{1,6})\s+(.*?)\s*#*\s*$', line)
        if h:
            flush()
            lv = min(max(len(h.group(1)), 2), 4)
            out.append(('H%d' % lv, inline(h.group(2)), False))
            i += 1
            continue
        if re.match(r'^\s*([-*_])(\s*\1){2,}\s*$', line):
            flush()
            i += 1
            continue
        it = ITEM.match(line)
        if it:
            flush()
            para, para_kind = [it.group(3)], 'LI'
            i += 1
            continue
        q = re.match(r'^\s*>\s?(.*)$', line)
        if q:
            if para_kind != 'Q':
                flush()
                para_kind = 'Q'
            if not q.group(1).strip():
                flush()
                para_kind = 'Q'
            else:
                para.append(q.group(1))
            i += 1
            continue
        if para_kind is None:
            para_kind = 'P'
        para.append(line)
        i += 1
    flush()
    return out


def byline(authors, lang):
    if not authors:
        return None
    if isinstance(authors, str):
        authors = [authors]
    by, und = ('By ', ' and ') if str(lang or '').startswith('en') else ('Von ', ' und ')
    if len(authors) == 1:
        return by + authors[0]
    return by + ', '.join(authors[:-1]) + und + authors[-1]


def expected(fm, body):
    exp = [('H1', fm.get('title', ''))]
    if fm.get('subtitle'):
        exp.append(('P', fm['subtitle']))
    by = byline(fm.get('author'), fm.get('lang'))
    if by:
        exp.append(('P', by))
    if fm.get('image'):
        if fm.get('image_alt') or fm.get('image_caption'):
            exp.append(('Figure', None))
        cap = [x for x in (fm.get('image_caption'), fm.get('image_credit')) if x]
        if cap:
            exp.append(('Caption', ' '.join(cap)))
    prev = 1  # heading levels are never skipped: at most one below the last
    for kind, text, _ in blocks(body):
        if kind.startswith('H'):
            prev = min(int(kind[1]), prev + 1)
            kind = 'H%d' % prev
        exp.append((kind, None if kind == 'Figure' else text))
    return exp


# ---- the layout dump: a paragraph that crosses a column and a page ----

def split_paragraphs(dump):
    """(article, block, words) of body paragraphs set on two or more pages
    and in two or more columns."""
    where = {}
    page = None
    for line in open(dump, encoding='utf-8'):
        m = re.match(r'page (\d+) ', line)
        if m:
            page = int(m.group(1))
            continue
        m = re.match(r'\s+line c(\d+) .* a(-?\d+) b(-?\d+): (.*)$', line)
        if m and page is not None:
            col, a, b = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if a < 0 or b < 0:
                continue
            words = [w.split('=', 1)[1] for w in m.group(4).split(' ') if '=' in w]
            e = where.setdefault((a, b), {'pages': set(), 'cols': set(), 'words': []})
            e['pages'].add(page)
            e['cols'].add((page, col))
            e['words'] += words
    return [(a, b, e['words']) for (a, b), e in sorted(where.items())
            if len(e['pages']) > 1 and len(e['cols']) > 1]


def hyphenated_words(dump):
    """(first part without the hyphen, next line's first word) of each word
    the line breaker hyphenated in an article's block."""
    pairs, prev = [], None
    for line in open(dump, encoding='utf-8'):
        m = re.match(r'\s+line c\d+ ([^:]*) a(-?\d+) b(-?\d+): (.*)$', line)
        if not m:
            continue
        hyph = ' hyph' in ' ' + m.group(1)
        a, b = int(m.group(2)), int(m.group(3))
        words = [w.split('=', 1)[1] for w in m.group(4).split(' ') if '=' in w]
        if prev and prev[0] == (a, b) and words:
            pairs.append((prev[1], words[0]))
        prev = None
        if hyph and a >= 0 and b >= 0 and words and words[-1].endswith('-'):
            prev = ((a, b), words[-1][:-1])
    return pairs


def main():
    struct_path, ed_dir, dump = sys.argv[1], sys.argv[2], sys.argv[3]
    tree = parse_struct(struct_path)
    errors = []
    docs = tree[2]
    if len(docs) != 1 or docs[0][0] != 'Document':
        errors.append('the tree has no single Document root: %s' % [d[0] for d in docs])
    doc = docs[0] if docs else ('Document', [], [])
    arts = [k for k in doc[2] if k[0] == 'Art']
    # the sources, by title
    sources = {}
    for name in sorted(os.listdir(ed_dir)):
        if name.endswith('.md'):
            text = open(os.path.join(ed_dir, name), encoding='utf-8').read()
            fm, body = front_matter(text)
            if str(fm.get('draft', '')).lower() == 'true':
                continue
            sources[norm(fm.get('title', ''))] = (name, fm, body)
    if len(arts) != len(sources):
        errors.append('%d Art elements for %d articles' % (len(arts), len(sources)))
    checked = 0
    all_p, all_text = [], []
    for art in arts:
        seq = []
        walk(art, seq)
        h1 = [t for (k, t, _) in seq if k == 'H1']
        if len(h1) != 1:
            errors.append('an Art with %d H1: %s' % (len(h1), h1))
            continue
        src = sources.get(norm(h1[0]))
        if not src:
            errors.append('H1 "%s" is no article title' % h1[0])
            continue
        name, fm, body = src
        # the elements that carry text, from the H1 on (a kicker P may stand before it)
        kinds = ('H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'P', 'Code', 'Figure', 'Caption')
        got = [(k, t, ins) for (k, t, ins) in seq if k in kinds]
        first = [k for (k, _, _) in got].index('H1')
        if first > 1:
            errors.append('%s: %d elements before the H1' % (name, first))
        got = got[first:]
        exp = expected(fm, body)
        for i in range(max(len(got), len(exp))):
            g = got[i] if i < len(got) else None
            e = exp[i] if i < len(exp) else None
            if not g or not e:
                errors.append('%s: element %d: got %s, expected %s' % (
                    name, i, g[:2] if g else None, e))
                break
            if g[0] != e[0] or (e[1] is not None and norm(g[1]) != norm(e[1])):
                errors.append('%s: element %d: got %s "%s", expected %s "%s"' % (
                    name, i, g[0], g[1][:80], e[0], (e[1] or '')[:80]))
                break
        # paragraphs of list items sit in LI > LBody, next to an Lbl
        lis = [(k, ins) for (k, _, ins) in seq if k == 'P' and 'LI' in ins]
        for k, ins in lis:
            if ins[-1] != 'LBody' or ins[-2] != 'LI' or 'L' not in ins:
                errors.append('%s: a list paragraph in %s' % (name, '/'.join(ins)))
        nlbl = sum(1 for (k, _, _) in seq if k == 'Lbl')
        nitems = sum(1 for (k, _, _) in seq if k == 'LI')
        if nlbl != nitems:
            errors.append('%s: %d LI but %d Lbl' % (name, nitems, nlbl))
        all_p += [norm(t) for (k, t, _) in seq if k == 'P']
        all_text += [t for (k, t, _) in seq]
        checked += 1
    # the contents: a TOC with a TOCI per article that holds its Link
    def has(node, kind):
        return any(k[0] == kind or has(k, kind) for k in node[2])
    tocis = [i for t in doc[2] if t[0] == 'TOC' for i in t[2] if i[0] == 'TOCI']
    linked = [i for i in tocis if has(i, 'Link')]
    if len(linked) != len(arts):
        errors.append('%d TOCI with a Link for %d articles' % (len(linked), len(arts)))
    # a paragraph set across a column and a page: once, whole, in one P
    splits = split_paragraphs(dump) if dump != '-' else []
    if not splits and dump != '-':
        errors.append('no paragraph of the sample crosses a column and a page (test data)')
    for a, b, words in splits:
        text = norm(''.join(words))
        head, tail = norm(''.join(words[1:5])), norm(''.join(words[-4:]))
        # (a list item's first word is its marker, an Lbl outside the P)
        whole = [p for p in all_p if text in p or norm(''.join(words[1:])) == p]
        if len(whole) != 1:
            errors.append('paragraph a%d b%d (%s ...): in %d P elements' % (
                a, b, ' '.join(words[:6]), len(whole)))
        parts = [p for p in all_p if head in p or tail in p]
        if len(parts) != 1:
            errors.append('paragraph a%d b%d: its first or last words in %d P elements' % (
                a, b, len(parts)))
    # a word hyphenated at a line end reads whole (the hyphen is an artifact)
    pairs = hyphenated_words(dump) if dump != '-' else []
    whole = 0
    for first, nxt in pairs:
        if any(first + nxt in t for t in all_text):
            whole += 1
        elif len(errors) < 20:
            errors.append('hyphenated word %s-%s is not whole in the structure' % (first, nxt))
    if dump != '-' and not pairs:
        errors.append('no hyphenated line in the sample (test data)')
    print('%d articles checked, %d contents entries with links, %d paragraphs across a column '
          'and a page, %d of %d hyphenated words whole'
          % (checked, len(linked), len(splits), whole, len(pairs)))
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
