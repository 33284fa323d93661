"""Check OUT/atom.xml and OUT/rss.xml with feedparser against OUT/expected.json
(written by feed_fixture), and the HTML pages with Python's HTML parser.

Run with /usr/bin/python3 (Debian's python3-feedparser).
Usage: check_feeds.py OUT
Exit status 1 with a list of failures; 0 when all holds."""

import datetime
import html
import html.parser
import json
import os
import re
import sys
import zoneinfo

import feedparser

try:  # an HTML5 parser (Debian's python3-html5lib), stricter than xmllint's HTML 4
    import html5lib
except ImportError:
    html5lib = None
    print("note: python3-html5lib not installed; HTML5 parse check left out")

out = sys.argv[1]
exp = json.load(open(os.path.join(out, "expected.json"), encoding="utf-8"))
failures = []


def fail(msg):
    failures.append(msg)


def eq(what, got, want):
    if got != want:
        fail(f"{what}: got {got!r}, want {want!r}")


# What XML 1.0 can carry: C0 controls other than tab/LF/CR, U+FFFE/U+FFFF and
# surrogates are removed by the writer.
XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(s):
    return XML_BAD.sub("", s) if s is not None else None


def norm_space(s):
    """Typography glues numbers and units with no-break spaces; compare text
    with every kind of space as one plain space."""
    return re.sub(r"[\s\u00a0\u202f\u2009]+", " ", s)


def plain(s):
    """Pages set titles with typography („…“, –, …); compare them with the
    text as written."""
    for a, b in (("„", '"'), ("“", '"'), ("”", '"'), ("‚", "'"), ("‘", "'"), ("’", "'"),
                 ("–", "-"), ("—", "-"), ("…", "...")):
        s = s.replace(a, b)
    return norm_space(s)


def contains(text, sentence):
    return norm_space(sentence) in norm_space(text)


BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def expected_utc(date):
    """08:00 local time in Berlin on `date`, as a UTC time tuple."""
    y, m, d = map(int, date.split("-"))
    local = datetime.datetime(y, m, d, 8, 0, tzinfo=BERLIN)
    return local.astimezone(datetime.timezone.utc).timetuple()[:6]


by_id = {e["id"]: e for e in exp["entries"]}
if len(by_id) != len(exp["entries"]):
    fail("expected.json: ids are not unique")
limit = exp["feed_entries"]


def check_feed(name):
    path = os.path.join(out, name)
    d = feedparser.parse(path)
    is_atom = name.startswith("atom")
    if d.bozo:
        fail(f"{name}: bozo: {d.bozo_exception!r}")
    eq(f"{name}: version", d.version, "atom10" if is_atom else "rss20")
    eq(f"{name}: feed title", d.feed.get("title"), exp["title"])
    eq(f"{name}: feed subtitle", d.feed.get("subtitle"), exp["subtitle"])
    eq(f"{name}: language", d.feed.get("language"), exp["language"])
    self_links = [l.href for l in d.feed.get("links", []) if l.get("rel") == "self"]
    eq(f"{name}: self link", self_links, [exp["base_url"] + name])
    if is_atom:
        eq(f"{name}: feed author", d.feed.get("author_detail", {}).get("name"), exp["publisher"])
        eq(f"{name}: feed author email", d.feed.get("author_detail", {}).get("email"), exp["email"])
        eq(f"{name}: rights", d.feed.get("rights"), exp["copyright"])
        if not d.feed.get("id", "").startswith("tag:"):
            fail(f"{name}: feed id is not a tag URI: {d.feed.get('id')!r}")
        if not d.feed.get("updated_parsed"):
            fail(f"{name}: feed has no updated date")

    # How many, and the newest.
    want_n = min(limit, len(exp["entries"]))
    eq(f"{name}: number of entries", len(d.entries), want_n)
    dates = [tuple(e.published_parsed[:6]) for e in d.entries if e.get("published_parsed")]
    if dates != sorted(dates, reverse=True):
        fail(f"{name}: entries are not newest first")
    if d.entries:
        oldest_in = min(e["date"] for e in exp["entries"] if e["id"] in
                        {x.get("id") for x in d.entries})
        for e in exp["entries"]:
            if e["date"] > oldest_in and e["id"] not in {x.get("id") for x in d.entries}:
                fail(f"{name}: newer entry {e['id']} left out")

    seen = set()
    for e in d.entries:
        eid = e.get("id")
        x = by_id.get(eid)
        if x is None:
            fail(f"{name}: unknown entry id {eid!r}")
            continue
        if eid in seen:
            fail(f"{name}: id {eid!r} twice")
        seen.add(eid)
        w = f"{name}: {eid}"
        eq(f"{w}: title", e.get("title"), xml_text(x["title"]))
        eq(f"{w}: link", e.get("link"), x["link"])
        eq(f"{w}: published", tuple(e.published_parsed[:6]), expected_utc(x["date"]))
        if is_atom:
            eq(f"{w}: updated", tuple(e.updated_parsed[:6]), expected_utc(x["date"]))
        authors = [a.get("name") for a in e.get("authors", []) if a.get("name")]
        eq(f"{w}: authors", authors, [xml_text(a) for a in x["authors"]])
        terms = [t.term for t in e.get("tags", [])]
        eq(f"{w}: categories", terms,
           [xml_text(t) for t in (x["atom_terms"] if is_atom else x["rss_terms"])])
        if is_atom and x["section_label"]:
            labels = [t.get("label") for t in e.get("tags", []) if t.get("label")]
            eq(f"{w}: section label", labels, [x["section_label"]])
        summary = e.get("summary")
        if summary is not None and not is_atom:
            summary = html.unescape(summary)  # RSS descriptions are HTML
        eq(f"{w}: summary", summary, xml_text(x["summary"]))
        content = e.get("content", [{}])[0].get("value", "")
        if x["sentence"] and not contains(content, x["sentence"]):
            fail(f"{w}: content lacks {x['sentence']!r}")
        if x["kind"] == "article" and x["page"]:
            pass
        enc = [(l.href, l.get("length"), l.get("type")) for l in e.get("links", [])
               if l.get("rel") == "enclosure"]
        want_enc = [(x["enclosure"], x["enclosure_length"], "application/pdf")] \
            if x["enclosure"] else []
        eq(f"{w}: enclosure", enc, want_enc)
    return d


atom = check_feed("atom.xml")
rss = check_feed("rss.xml")
eq("same entries in Atom and RSS", [e.id for e in atom.entries], [e.id for e in rss.entries])

# Relative links and images in content are absolute in feeds.
for e in atom.entries:
    content = e.get("content", [{}])[0].get("value", "")
    for url in re.findall(r'(?:href|src)="([^"]*)"', content):
        if not re.match(r"(https?|mailto):", url):
            fail(f"atom.xml: {e.id}: relative URL in content: {url!r}")


# ---- HTML pages ------------------------------------------------------------


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.langs = []  # lang attributes below <html>
        self.charset = False
        self.viewport = False
        self.alternates = []
        self.imgs = []
        self.title = ""
        self.h1 = ""
        self.links = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif "lang" in a:
            self.langs.append(a["lang"])
        elif tag == "meta" and a.get("charset", "").lower() == "utf-8":
            self.charset = True
        elif tag == "meta" and a.get("name") == "viewport":
            self.viewport = True
        elif tag == "link" and a.get("rel") == "alternate":
            self.alternates.append((a.get("type"), a.get("href")))
        elif tag == "img":
            self.imgs.append(a)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("title", "h1"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data


def check_page(rel, lang, h1=None):
    path = os.path.join(out, rel)
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as err:
        fail(f"{rel}: {err}")
        return None
    if not text.startswith("<!DOCTYPE html>"):
        fail(f"{rel}: no <!DOCTYPE html> first")
    if html5lib is not None:
        parser = html5lib.HTMLParser(strict=False)
        parser.parse(text)
        for pos, code, data in parser.errors[:5]:
            fail(f"{rel}:{pos[0]}:{pos[1]}: HTML5 parse error {code} {data}")
    p = Page()
    p.feed(text)
    # The page is in the journal's language; an article in another language
    # carries its own lang attribute.
    eq(f"{rel}: lang", p.lang, exp["language"])
    if lang != exp["language"] and lang not in p.langs:
        fail(f"{rel}: no element with lang={lang!r}")
    if not p.charset:
        fail(f"{rel}: no <meta charset=utf-8>")
    if not p.viewport:
        fail(f"{rel}: no viewport")
    types = sorted(t for t, _ in p.alternates)
    eq(f"{rel}: autodiscovery", types, ["application/atom+xml", "application/rss+xml"])
    for t, href in p.alternates:
        if not href or not href.endswith(("atom.xml", "rss.xml")):
            fail(f"{rel}: odd feed link {href!r}")
    for img in p.imgs:
        if not img.get("alt"):
            fail(f"{rel}: image {img.get('src')!r} without alt text")
    if h1 is not None:
        eq(f"{rel}: h1", plain(p.h1), plain(h1))
        if not plain(p.title).startswith(plain(h1)):
            fail(f"{rel}: <title> {p.title!r} does not start with the title")
    for href in p.links:
        if href.lower().replace(" ", "").startswith(("javascript:", "data:", "vbscript:")):
            fail(f"{rel}: unsafe link {href!r}")
    return p


index = check_page("index.html", exp["language"])
for x in exp["entries"]:
    if x["kind"] != "article":
        continue
    p = check_page(x["page"], x["lang"], xml_text(x["title"]))
    if p is not None and "../index.html" not in p.links:
        fail(f"{x['page']}: no link back to the index")
    if index is not None and x["page"] not in index.links:
        fail(f"index.html: no link to {x['page']}")
    if p is not None and x["sentence"]:
        body = open(os.path.join(out, x["page"]), encoding="utf-8").read()
        if not contains(body, x["sentence"]):
            fail(f"{x['page']}: text lacks {x['sentence']!r}")

if failures:
    print("\n".join(failures))
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print(f"check_feeds: {len(atom.entries)} Atom and {len(rss.entries)} RSS entries, pages: all good")
