#!/usr/bin/python3
"""Tagged-PDF checks on qpdf's JSON of a journal PDF.

Usage: check_pdf.py QPDF_JSON EDITION_DIR XMP_OUT [--short]

QPDF_JSON: `qpdf --json=2 --json-stream-data=inline --decode-level=generalized`.
Checks: catalog (/Lang, /MarkInfo /Marked true, /ViewerPreferences
/DisplayDocTitle true, /StructTreeRoot, /Metadata with dc:title, written to
XMP_OUT for xmllint); every page has /Tabs /S and /StructParents; every
painting operator of every page is inside marked content; every image drawn
is in an /Artifact or in a /Figure element with a non-empty /Alt; every link
annotation has a /StructParent whose parent-tree entry is a /Link element
with an OBJR to that annotation; the figures' /Alt texts inside the Art
elements are the Markdown alt texts (and lead images' image_alt) in order;
some P has content on two pages (not with --short: a document of a few
pages). Prints what fails; exit status 1 if any.
"""
import base64
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_struct  # noqa: E402

errors = []


def err(msg):
    errors.append(msg)


def load(path):
    j = json.load(open(path))
    objs = {}
    for key, v in j['qpdf'][1].items():
        objs[key[4:] if key.startswith('obj:') else key] = v
    return j, objs


def main():
    j, objs = load(sys.argv[1])
    ed_dir, xmp_out = sys.argv[2], sys.argv[3]
    need_split = len(sys.argv) < 5 or sys.argv[4] != '--short'

    def val(x):
        """The value behind a reference (dicts and arrays as they are)."""
        seen = 0
        while isinstance(x, str) and re.match(r'^\d+ \d+ R$', x) and seen < 10:
            o = objs.get(x, {})
            x = o['value'] if 'value' in o else o.get('stream', {}).get('dict')
            seen += 1
        return x

    def stream(ref):
        o = objs.get(ref, {})
        s = o.get('stream')
        if not s or 'data' not in s:
            return None, None
        return s['dict'], base64.b64decode(s['data'])

    def text(s):
        if isinstance(s, str) and s.startswith('u:'):
            return s[2:]
        if isinstance(s, str) and s.startswith('b:'):
            return bytes.fromhex(s[2:]).decode('latin-1')
        return s

    trailer = objs['trailer']['value']
    cat_ref = trailer['/Root']
    cat = val(cat_ref)
    # ---- catalog ----
    lang = text(cat.get('/Lang', ''))
    if not lang:
        err('no /Lang in the catalog')
    if val(cat.get('/MarkInfo', {})).get('/Marked') is not True:
        err('/MarkInfo /Marked is not true')
    if val(cat.get('/ViewerPreferences', {})).get('/DisplayDocTitle') is not True:
        err('/ViewerPreferences /DisplayDocTitle is not true')
    root = val(cat.get('/StructTreeRoot'))
    if not root:
        err('no /StructTreeRoot')
        root = {}
    meta = cat.get('/Metadata')
    if not meta:
        err('no /Metadata stream')
    else:
        _, data = stream(meta)
        open(xmp_out, 'wb').write(data or b'')
        try:
            x = ET.fromstring(data)
            ns = {'dc': 'http://purl.org/dc/elements/1.1/',
                  'rdf': 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'}
            titles = [li.text for li in x.iterfind('.//dc:title//rdf:li', ns)]
            if not titles or not titles[0]:
                err('XMP without dc:title')
        except ET.ParseError as e:
            err('XMP does not parse: %s' % e)

    # ---- parent tree ----
    ptree = {}

    def read_nums(node):
        node = val(node)
        nums = node.get('/Nums', [])
        for i in range(0, len(nums) - 1, 2):
            ptree[nums[i]] = nums[i + 1]
        for kid in node.get('/Kids', []):
            read_nums(kid)
    if root.get('/ParentTree'):
        read_nums(root['/ParentTree'])

    # ---- pages ----
    pages = []

    def collect(node_ref):
        node = val(node_ref)
        if node.get('/Type') == '/Pages':
            for kid in node.get('/Kids', []):
                collect(kid)
        else:
            pages.append(node_ref)
    collect(cat['/Pages'])
    page_no = {ref: i for i, ref in enumerate(pages)}

    tok_re = re.compile(rb'<<|>>|<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\)|\[|\]|/[^\s/\[\]<>()]*|'
                        rb'[-+]?\d*\.?\d+|[A-Za-z\'"*]+')
    painting = {b'TJ', b'Tj', b"'", b'"', b'Do', b'f', b'F', b'f*', b'S', b's', b'B', b'b',
                b'B*', b'b*', b'sh'}
    images_seen = artifact_images = 0
    for pi, ref in enumerate(pages):
        page = val(ref)
        if page.get('/Tabs') != '/S':
            err('page %d: no /Tabs /S' % (pi + 1))
        sp = page.get('/StructParents')
        if sp is None:
            err('page %d: no /StructParents' % (pi + 1))
        parents = val(ptree.get(sp, [])) if sp is not None else []
        xobjs = val(val(page.get('/Resources', {})).get('/XObject', {})) or {}
        contents = page.get('/Contents')
        refs = contents if isinstance(contents, list) else [contents]
        data = b''
        for r in refs:
            _, d = stream(r)
            data += (d or b'') + b'\n'
        stack = []  # open marked content: (tag, mcid)
        operands = []
        for m in tok_re.finditer(data):
            t = m.group(0)
            if t[:1] in b'/<([]' or t in (b'<<', b'>>') or re.match(rb'^[-+]?\d*\.?\d+$', t):
                operands.append(t)
                continue
            op = t
            if op in (b'BDC', b'BMC'):
                tag = operands[0].decode() if operands else '?'
                mcid = None
                if op == b'BDC':
                    for k in range(len(operands) - 1):
                        if operands[k] == b'/MCID':
                            mcid = int(operands[k + 1])
                stack.append((tag, mcid))
            elif op == b'EMC':
                if not stack:
                    err('page %d: EMC without BDC/BMC' % (pi + 1))
                else:
                    stack.pop()
            elif op in painting:
                if not stack:
                    err('page %d: %s outside marked content' % (pi + 1, op.decode()))
                if op == b'Do' and operands:
                    name = operands[-1].decode()
                    xo = val(xobjs.get(name, {})) or {}
                    if xo.get('/Subtype') == '/Image':
                        images_seen += 1
                        tag, mcid = stack[-1] if stack else (None, None)
                        if tag == '/Artifact':
                            artifact_images += 1
                        elif mcid is None or mcid >= len(parents):
                            err('page %d: image %s not in a structure element' % (pi + 1, name))
                        else:
                            el = val(parents[mcid])
                            if el.get('/S') != '/Figure' or not text(el.get('/Alt', '')):
                                err('page %d: image %s in %s without /Alt' % (
                                    pi + 1, name, el.get('/S')))
            operands = []
        if stack:
            err('page %d: %d marked-content sequences left open' % (pi + 1, len(stack)))
        # link annotations
        for a_ref in val(page.get('/Annots', [])) or []:
            a = val(a_ref)
            if a.get('/Subtype') != '/Link':
                continue
            k = a.get('/StructParent')
            if k is None or k not in ptree:
                err('page %d: link annotation %s without /StructParent' % (pi + 1, a_ref))
                continue
            el = val(ptree[k])
            kids = el.get('/K', [])
            kids = kids if isinstance(kids, list) else [kids]
            if el.get('/S') != '/Link' or not any(
                    isinstance(val(x), dict) and val(x).get('/Type') == '/OBJR' and
                    val(x).get('/Obj') == a_ref for x in kids):
                err('page %d: link annotation %s: parent-tree entry is no Link with its OBJR' % (
                    pi + 1, a_ref))
            if not text(a.get('/Contents', '')):
                err('page %d: link annotation %s without /Contents' % (pi + 1, a_ref))
    if images_seen == 0:
        err('no image drawn (test data)')

    # ---- the structure tree: figures' alt texts, paragraphs across pages ----
    alts, multi_page_p, arts = [], 0, []

    def walk(ref, in_art):
        el = val(ref)
        if not isinstance(el, dict):
            return
        s = el.get('/S')
        if s == '/Art':
            in_art = True
            arts.append(el)
        if s == '/Figure' and in_art:
            alts.append(text(el.get('/Alt', '')))
        kids = el.get('/K', [])
        kids = kids if isinstance(kids, list) else [kids]
        if s == '/P':
            pgs = set()
            for k in kids:
                kv = val(k)
                if isinstance(k, int):
                    pgs.add(page_no.get(el.get('/Pg')))
                elif isinstance(kv, dict) and kv.get('/Type') == '/MCR':
                    pgs.add(page_no.get(kv.get('/Pg', el.get('/Pg'))))
            if len(pgs) > 1:
                nonlocal multi_page_p
                multi_page_p += 1
        for k in kids:
            if isinstance(k, str) and k.endswith(' R'):
                walk(k, in_art)
    walk(root.get('/K'), False)
    if multi_page_p == 0 and need_split:
        err('no P element has content on two pages')

    sources = {}
    for name in sorted(os.listdir(ed_dir)):
        if name.endswith('.md'):
            fm, body = check_struct.front_matter(open(os.path.join(ed_dir, name),
                                                      encoding='utf-8').read())
            sources[check_struct.norm(fm.get('title', ''))] = (name, fm, body)
    want = []
    for el in arts:
        title = check_struct.norm(text(el.get('/T', '')))
        src = sources.get(title)
        if not src:
            err('an Art whose /T is no article title: %s' % text(el.get('/T', '')))
            continue
        name, fm, body = src
        if fm.get('image') and (fm.get('image_alt') or fm.get('image_caption')):
            want.append(fm.get('image_alt') or fm.get('image_caption'))
        want += [t for (k, t, _) in check_struct.blocks(body) if k == 'Figure']
        alang = fm.get('lang')
        if alang and alang.lower() != lang.lower() and text(el.get('/Lang', '')) != alang:
            err('%s: lang %s, but the Art has /Lang %s' % (name, alang, el.get('/Lang')))
        if not alang and el.get('/Lang'):
            err('%s: /Lang %s on an article in the document language' % (name, el['/Lang']))
    got = [check_struct.norm(a) for a in alts]
    exp = [check_struct.norm(a) for a in want]
    if got != exp:
        err('figure alt texts in the Art elements: %d, expected %d; first difference: %s' % (
            len(got), len(exp), next(((g, e) for g, e in zip(alts, want)
                                      if check_struct.norm(g) != check_struct.norm(e)), None)))
    print('%d pages, %d images drawn, %d as artifacts, %d link annotations, %d figures with alt, '
          '%d P across pages'
          % (len(pages), images_seen, artifact_images, sum(1 for v in ptree.values()
                                          if isinstance(val(v), dict)), len(alts), multi_page_p))
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
