/* sanitize.c: safe text and HTML for the feeds and web pages.
 *
 * Two jobs. First, no string reaches libxml2's writer with a character XML
 * 1.0 does not allow: the writer would write it unchecked and the result
 * would not parse (measured: libxml2 2.9.14 writes control characters,
 * U+FFFE and invalid UTF-8 as they are, and returns success). Second,
 * article bodies: cmark renders the Markdown with raw HTML let through
 * (editors may use harmless inline HTML), and the HTML is then parsed with
 * libxml2's HTML parser and written again from an allow-list of elements
 * and attributes. Whatever is not on the list is removed; what is dangerous
 * is removed with its content and reported at its line. */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmark.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "cache.h"
#include "diag.h"
#include "feed_int.h"
#include "markdown.h"
#include "util.h"

/* ---- warnings, once per (file, line, what, character) ------------------- */

static char **warned;
static size_t nwarned, warned_cap;
static int emitted; /* warnings given since the last forget */

/* Each warn_once that returns true is followed by one of these. */
static int my_warnings_counted(void)
{
    return jr_diag_count_id(JR_W_XML_INVALID_CHAR) + jr_diag_count_id(JR_W_XML_INVALID_UTF8) +
           jr_diag_count_id(JR_W_UNSAFE_HTML);
}

static bool warn_once(const char *path, int line, const char *what, unsigned long detail)
{
    /* Fewer of our warnings counted than we gave: the counters were reset
     * (a new build in watch mode), so report everything again. */
    if (my_warnings_counted() < emitted)
        jr_feed_forget_warnings();
    char *key =
        jr_xasprintf("%s\x1f%d\x1f%s\x1f%lu", path ? path : "", line, what ? what : "", detail);
    for (size_t i = 0; i < nwarned; i++) {
        if (strcmp(warned[i], key) == 0) {
            free(key);
            return false;
        }
    }
    JR_GROW(warned, warned_cap, nwarned + 1);
    warned[nwarned++] = key;
    emitted++;
    return true;
}

void jr_feed_forget_warnings(void)
{
    for (size_t i = 0; i < nwarned; i++)
        free(warned[i]);
    free(warned);
    warned = NULL;
    nwarned = warned_cap = 0;
    emitted = 0;
}

/* A body's warnings, given at once or kept to be given later in the main
 * thread (bodies of pages are rendered ahead, in parallel: see
 * jr_article_page_body). Giving one goes through warn_once as always. */
enum { BD_UTF8, BD_CHAR, BD_HTML };

typedef struct body_diag {
    int kind;
    const char *path;
    int line;
    const char *what;
    unsigned long detail; /* warn_once's */
    unsigned arg;         /* the byte or character */
    char *why;            /* BD_HTML (owned) */
} body_diag;

typedef struct diag_log {
    body_diag *d;
    size_t n, cap;
} diag_log;

static void give(const body_diag *b)
{
    if (!warn_once(b->path, b->line, b->what, b->detail))
        return;
    if (b->kind == BD_UTF8)
        jr_diag(JR_W_XML_INVALID_UTF8, b->path, b->line, 0, b->arg, b->what);
    else if (b->kind == BD_CHAR)
        jr_diag(JR_W_XML_INVALID_CHAR, b->path, b->line, 0, b->arg);
    else
        jr_diag(JR_W_UNSAFE_HTML, b->path, b->line, 0, b->why);
}

/* Give it now (log NULL) or keep it. */
static void report(diag_log *log, body_diag b)
{
    if (!log) {
        give(&b);
        return;
    }
    b.why = b.why ? jr_xstrdup(b.why) : NULL;
    JR_GROW(log->d, log->cap, log->n + 1);
    log->d[log->n++] = b;
}

static void log_give_and_free(diag_log *log)
{
    for (size_t i = 0; i < log->n; i++) {
        give(&log->d[i]);
        free(log->d[i].why);
    }
    free(log->d);
    memset(log, 0, sizeof *log);
}

static void log_free(diag_log *log)
{
    for (size_t i = 0; i < log->n; i++)
        free(log->d[i].why);
    free(log->d);
    memset(log, 0, sizeof *log);
}

/* ---- characters XML allows ---------------------------------------------- */

static bool xml_char_ok(uint32_t cp)
{
    if (cp < 0x20)
        return cp == 0x09 || cp == 0x0A || cp == 0x0D;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return false;
    if (cp == 0xFFFE || cp == 0xFFFF)
        return false;
    return cp <= 0x10FFFF;
}

/* The length of the first run of s[0..n) that XML allows: ASCII is looked
 * at byte by byte, the rest decoded. */
static size_t xml_ok_prefix(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        i += jr_ascii_printable(s + i, n - i);
        if (i == n)
            break;
        unsigned char c = u[i];
        if (c < 0x20) {
            if (c != 0x09 && c != 0x0A && c != 0x0D)
                return i;
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = jr_utf8_decode(s + i, n - i, &cp);
        if (l == 0 || !xml_char_ok(cp))
            return i;
        i += l;
    }
    return n;
}

static char *clean_log(const char *s, size_t n, const jr_src *src, diag_log *log)
{
    size_t ok = xml_ok_prefix(s, n);
    if (ok == n) /* the usual case: nothing to remove */
        return jr_xstrndup(s, n);
    jr_buf b = {0};
    int line = src ? src->line : 0;
    if (line > 0) /* the line of the first bad character */
        for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + ok - p))); p++)
            line++;
    size_t i = ok, run = 0; /* run: start of the pending run of good bytes */
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t l;
        if (c < 0x80) {
            cp = c;
            l = 1;
        } else {
            l = jr_utf8_decode(s + i, n - i, &cp);
        }
        if (l > 0 && xml_char_ok(cp)) {
            if (c == '\n' && line > 0)
                line++;
            i += l;
            continue;
        }
        jr_buf_put(&b, s + run, i - run);
        if (src) {
            const char *what = src->what ? src->what : "text";
            if (l == 0)
                report(log, (body_diag){BD_UTF8, src->path, line, what, 0x110000ul + c, (unsigned)c,
                                        NULL});
            else
                report(log, (body_diag){BD_CHAR, src->path, line, what, cp, (unsigned)cp, NULL});
        }
        i += l ? l : 1;
        run = i;
    }
    jr_buf_put(&b, s + run, n - run);
    if (!b.data)
        return jr_xstrdup("");
    return jr_buf_detach(&b);
}

static char *clean(const char *s, size_t n, const jr_src *src)
{
    return clean_log(s, n, src, NULL);
}

char *jr_xml_clean(const char *s, const jr_src *src)
{
    if (!s)
        return NULL;
    static const jr_src none = {NULL, 0, NULL};
    return clean(s, strlen(s), src ? src : &none);
}

void jr_xml_text_put(jr_buf *b, const char *s, const jr_src *src)
{
    char *c = jr_xml_clean(s ? s : "", src);
    const char *run = c, *p = c, *end = c + strlen(c);
    for (;; p++) {
        p += jr_ascii_run(p, (size_t)(end - p), "&<>\""); /* the bulk of the text */
        char ch = *p;
        if (ch != '&' && ch != '<' && ch != '>' && ch != '"' && ch != '\r' && ch)
            continue;
        if (p > run)
            jr_buf_put(b, run, (size_t)(p - run));
        if (!ch)
            break;
        jr_buf_puts(b, ch == '&'   ? "&amp;"
                       : ch == '<' ? "&lt;"
                       : ch == '>' ? "&gt;"
                       : ch == '"' ? "&quot;"
                                   : "&#13;");
        run = p + 1;
    }
    free(c);
}

char *jr_xml_text(const char *s, const jr_src *src)
{
    jr_buf b = {0};
    jr_xml_text_put(&b, s, src);
    return b.data ? jr_buf_detach(&b) : jr_xstrdup("");
}

char *jr_xml_clean_quiet(const char *s, size_t len)
{
    if (!s)
        return NULL;
    return clean(s, len, NULL);
}

void jr_html_escape(jr_buf *b, const char *s)
{
    if (!s)
        return;
    char *c = jr_xml_clean_quiet(s, strlen(s));
    jr_buf_put_xml_escaped(b, c);
    free(c);
}

/* ---- URLs ----------------------------------------------------------------- */

bool jr_url_is_safe(const char *url, bool allow_mailto)
{
    if (!url)
        return false;
    /* Browsers ignore tabs and newlines inside URLs and leading spaces and
     * controls: "java\tscript:" is javascript:. Look at what they see. */
    char scheme[16];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        if (*p <= 0x20 || *p == 0x7F)
            continue;
        if (*p == ':')
            break;
        if (*p == '/' || *p == '?' || *p == '#')
            return true; /* no scheme: relative */
        if (n + 1 < sizeof scheme)
            scheme[n] = (char)tolower(*p);
        n++; /* a longer scheme is none we allow: it fails below */
    }
    /* Reached the end without ':': relative. */
    if (!strchr(url, ':'))
        return true;
    if (n == 0 || n >= sizeof scheme)
        return false;
    scheme[n] = '\0';
    if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)
        return true;
    return allow_mailto && strcmp(scheme, "mailto") == 0;
}

/* The URL as it is written: controls removed, spaces at the ends trimmed,
 * inner spaces percent-encoded. */
static char *url_tidy(const char *url)
{
    jr_buf b = {0};
    const char *s = url, *e = url + strlen(url);
    while (s < e && (unsigned char)*s <= 0x20)
        s++;
    while (e > s && (unsigned char)e[-1] <= 0x20)
        e--;
    for (const char *p = s; p < e; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ')
            jr_buf_puts(&b, "%20");
        else if (c >= 0x20 && c != 0x7F)
            jr_buf_putc(&b, (char)c);
    }
    if (!b.data)
        return jr_xstrdup("");
    return jr_buf_detach(&b);
}

char *jr_url_resolve(const char *url, const char *base)
{
    if (!url)
        return NULL;
    if (!base || !*base)
        return jr_xstrdup(url);
    xmlChar *r = xmlBuildURI((const xmlChar *)url, (const xmlChar *)base);
    if (!r)
        return jr_xstrdup(url);
    char *out = jr_xstrdup((const char *)r);
    xmlFree(r);
    return out;
}

/* ---- the HTML allow-list -------------------------------------------------- */

/* Removed with everything inside. */
static const char *const drop_elements[] = {
    "script",   "style",  "iframe",   "frame",    "frameset", "object",   "applet", "form",
    "button",   "select", "textarea", "noscript", "noembed",  "noframes", "svg",    "math",
    "template", "title",  "head",     "audio",    "video",    "canvas",   "portal", NULL};

/* Void elements in HTML5 that libxml2's HTML 4 parser may not know as void
 * (it nests what follows <embed> inside it): the element goes, the nodes
 * after it (parsed as its children) stay. */
static const char *const drop_void_elements[] = {"embed", "source", "track", "param",  "input",
                                                 "base",  "meta",   "link",  "keygen", NULL};

/* Dangerous enough to warn about when found (the rest is dropped quietly). */
static const char *const warn_elements[] = {"script", "iframe", "frame", "frameset", "object",
                                            "embed",  "applet", "form",  "svg",      "math",
                                            "base",   "meta",   "link",  "style",    NULL};

static const char *const keep_elements[] = {
    "p",    "h1",      "h2",         "h3",    "h4",    "h5",    "h6",    "em",  "strong",
    "code", "pre",     "blockquote", "ul",    "ol",    "li",    "a",     "img", "br",
    "hr",   "figure",  "figcaption", "table", "thead", "tbody", "tfoot", "tr",  "th",
    "td",   "caption", "sup",        "sub",   "i",     "b",     "del",   "ins", "abbr",
    "cite", "q",       "dl",         "dt",    "dd",    NULL};

static const char *const void_elements[] = {"br", "hr", "img", NULL};

static bool in_list(const char *const *list, const char *name)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

typedef struct san {
    jr_buf out;
    const char *base;
    int heading_shift;
    int figures; /* JR_FIG_* */
    char *why;
    size_t whylen;
} san;

static void note(san *s, const char *fmt, const char *arg)
{
    if (s->why && s->whylen && !s->why[0])
        snprintf(s->why, s->whylen, fmt, arg);
}

/* The name an element is written as (headings shifted). */
static const char *out_name(const san *s, const char *name, char *tmp)
{
    if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
        int level = name[1] - '0' + s->heading_shift;
        if (level > 6)
            level = 6;
        if (level < 1)
            level = 1;
        tmp[0] = 'h';
        tmp[1] = (char)('0' + level);
        tmp[2] = '\0';
        return tmp;
    }
    return name;
}

static void put_attr(jr_buf *b, const char *name, const char *value)
{
    jr_buf_putc(b, ' ');
    jr_buf_puts(b, name);
    jr_buf_puts(b, "=\"");
    jr_html_escape(b, value);
    jr_buf_putc(b, '"');
}

static bool is_event_attr(const char *an)
{
    return (an[0] == 'o' || an[0] == 'O') && (an[1] == 'n' || an[1] == 'N');
}

/* Writes the start tag; returns false when the element is left out (an
 * image without a usable source). */
static bool start_tag(san *s, xmlNode *n)
{
    const char *name = (const char *)n->name;
    bool is_a = strcmp(name, "a") == 0, is_img = strcmp(name, "img") == 0;
    bool is_ol = strcmp(name, "ol") == 0;
    jr_buf attrs = {0};
    bool have_src = false;
    for (xmlAttr *at = n->properties; at; at = at->next) {
        const char *an = (const char *)at->name;
        xmlChar *v = xmlNodeGetContent((xmlNode *)at);
        const char *val = v ? (const char *)v : "";
        if (is_event_attr(an)) {
            note(s, "event handler attribute %s", an);
        } else if ((is_a && strcmp(an, "href") == 0) || (is_img && strcmp(an, "src") == 0)) {
            if (jr_url_is_safe(val, is_a)) {
                char *t = url_tidy(val);
                char *r = jr_url_resolve(t, s->base);
                put_attr(&attrs, an, r);
                free(r);
                free(t);
                have_src = have_src || is_img;
            } else {
                note(s, "unsafe URL %s", val);
            }
        } else if ((is_img && strcmp(an, "alt") == 0) || strcmp(an, "title") == 0 ||
                   strcmp(an, "lang") == 0 || (is_ol && strcmp(an, "start") == 0)) {
            put_attr(&attrs, an, val);
        }
        if (v)
            xmlFree(v);
    }
    if (is_img && !have_src) {
        jr_buf_free(&attrs);
        return false;
    }
    char tmp[4];
    jr_buf_putc(&s->out, '<');
    jr_buf_puts(&s->out, out_name(s, name, tmp));
    if (attrs.data)
        jr_buf_put(&s->out, attrs.data, attrs.len);
    jr_buf_putc(&s->out, '>');
    jr_buf_free(&attrs);
    return true;
}

static void end_tag(san *s, xmlNode *n)
{
    char tmp[4];
    jr_buf_puts(&s->out, "</");
    jr_buf_puts(&s->out, out_name(s, (const char *)n->name, tmp));
    jr_buf_putc(&s->out, '>');
}

/* Marks on nodes during the walk (kept in xmlNode._private). */
#define MARK_OPEN   ((void *)1) /* start tag written: write the end tag */
#define MARK_FIGURE ((void *)2) /* a paragraph written as a figure */

/* The image of a paragraph that holds one image with a title and nothing
 * else (Markdown's ![alt](src "title") on its own line), or NULL. */
static xmlNode *lone_image(xmlNode *p, xmlChar **title /* OUT */)
{
    xmlNode *img = NULL;
    for (xmlNode *c = p->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE) {
            for (const xmlChar *t = c->content; t && *t; t++)
                if (*t != ' ' && *t != '\n' && *t != '\t' && *t != '\r')
                    return NULL;
        } else if (c->type == XML_ELEMENT_NODE && !img &&
                   strcmp((const char *)c->name, "img") == 0) {
            img = c;
        } else {
            return NULL;
        }
    }
    if (!img)
        return NULL;
    xmlChar *src = xmlGetProp(img, (const xmlChar *)"src");
    bool ok = src && jr_url_is_safe((const char *)src, false);
    xmlFree(src);
    xmlChar *t = ok ? xmlGetProp(img, (const xmlChar *)"title") : NULL;
    if (!t || !*t) {
        xmlFree(t);
        return NULL;
    }
    *title = t;
    return img;
}

static void close_node(san *s, xmlNode *n, int *open)
{
    if (n->_private == MARK_OPEN) {
        end_tag(s, n);
    } else if (n->_private == MARK_FIGURE) {
        xmlChar *title = NULL;
        if (lone_image(n, &title)) {
            jr_buf_puts(&s->out,
                        s->figures == JR_FIG_DIV ? "<p class=\"caption\">" : "<figcaption>");
            jr_html_escape(&s->out, (const char *)title);
            jr_buf_puts(&s->out, s->figures == JR_FIG_DIV ? "</p>" : "</figcaption>");
            xmlFree(title);
        }
        jr_buf_puts(&s->out, s->figures == JR_FIG_DIV ? "</div>" : "</figure>");
    } else {
        return;
    }
    n->_private = NULL;
    (*open)--;
}

char *jr_html_sanitize(const char *html, size_t len, const char *base, int heading_shift,
                       int figures, char *why, size_t whylen)
{
    if (why && whylen)
        why[0] = '\0';
    static const char head[] = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>";
    static const char tail[] = "</body></html>";
    jr_buf doc = {0};
    jr_buf_puts(&doc, head);
    jr_buf_put(&doc, html, len);
    jr_buf_puts(&doc, tail);
    /* HUGE: the default depth limit (256) silently drops everything after a
     * deep nest; the walk below is iterative and flattens deep nesting. */
    htmlDocPtr d = htmlReadMemory(doc.data, (int)doc.len, NULL, "UTF-8",
                                  HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                      XML_PARSE_HUGE);
    jr_buf_free(&doc);
    san s = {.base = base,
             .heading_shift = heading_shift,
             .figures = figures,
             .why = why,
             .whylen = whylen};
    if (!d)
        return jr_xstrdup("");
    /* Everything the parser moved into <head> (style, title, meta...) is
     * dropped on purpose: only the body's content is written. Look at the
     * head anyway to report what was dropped. */
    xmlNode *root = xmlDocGetRootElement(d);
    xmlNode *body = NULL;
    for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "body") == 0)
            body = c;
        else if (strcmp((const char *)c->name, "head") == 0)
            for (xmlNode *h = c->children; h; h = h->next)
                if (h->type == XML_ELEMENT_NODE && in_list(warn_elements, (const char *)h->name) &&
                    h != c->children) /* the first is our own <meta charset> */
                    note(&s, "<%s> element", (const char *)h->name);
    }
    int open = 0; /* start tags written and not yet closed */
    xmlNode *n = body ? body->children : NULL;
    while (n) {
        bool descend = false;
        if (n->type == XML_ELEMENT_NODE) {
            const char *name = (const char *)n->name;
            if (in_list(drop_elements, name)) {
                if (in_list(warn_elements, name))
                    note(&s, "<%s> element", name);
            } else if (in_list(drop_void_elements, name)) {
                if (in_list(warn_elements, name))
                    note(&s, "<%s> element", name);
                descend = true;
            } else if (in_list(keep_elements, name) && open < JR_HTML_MAX_NEST) {
                xmlChar *title = NULL;
                if (s.figures && strcmp(name, "p") == 0 && lone_image(n, &title)) {
                    xmlFree(title);
                    jr_buf_puts(&s.out,
                                s.figures == JR_FIG_DIV ? "<div class=\"figure\">" : "<figure>");
                    n->_private = MARK_FIGURE;
                    open++;
                    descend = true;
                } else if (start_tag(&s, n)) {
                    if (!in_list(void_elements, name)) {
                        n->_private = MARK_OPEN;
                        open++;
                        descend = true;
                    }
                }
            } else {
                descend = true; /* unwrap: keep the content */
            }
        } else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            /* Text is escaped; quotes need no escaping outside attributes. */
            char *t = jr_xml_clean_quiet((const char *)n->content,
                                         n->content ? strlen((const char *)n->content) : 0);
            for (const char *p = t; *p; p++) {
                if (*p == '&')
                    jr_buf_puts(&s.out, "&amp;");
                else if (*p == '<')
                    jr_buf_puts(&s.out, "&lt;");
                else if (*p == '>')
                    jr_buf_puts(&s.out, "&gt;");
                else
                    jr_buf_putc(&s.out, *p);
            }
            free(t);
        }
        if (descend && n->children) {
            n = n->children;
            continue;
        }
        if (descend)
            close_node(&s, n, &open);
        /* Up until there is a next sibling, closing what was opened. */
        while (n && !n->next) {
            n = n->parent;
            if (!n || n == body) {
                n = NULL;
                break;
            }
            close_node(&s, n, &open);
        }
        if (n)
            n = n->next;
    }
    xmlFreeDoc(d);
    if (!s.out.data)
        return jr_xstrdup("");
    return jr_buf_detach(&s.out);
}

/* ---- article bodies ------------------------------------------------------- */

/* Typography on the inline pieces of one block at once (markdown.c's
 * typography, as in the PDF), so that quotes that open before an emphasis
 * and close after it pair up. Code spans and raw HTML stand in as opaque
 * pieces, line breaks as spaces. */
static void typeset_block(cmark_node **nodes, size_t n, const char *lang)
{
    if (n == 0)
        return;
    jr_typo_piece *pieces = jr_xcalloc(n, sizeof *pieces);
    for (size_t i = 0; i < n; i++) {
        cmark_node_type t = cmark_node_get_type(nodes[i]);
        const char *lit = cmark_node_get_literal(nodes[i]);
        if (t == CMARK_NODE_TEXT) {
            pieces[i].kind = JR_TYPO_TEXT;
            pieces[i].text = lit ? lit : "";
            pieces[i].len = strlen(pieces[i].text);
        } else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) {
            pieces[i].kind = JR_TYPO_BREAK;
        } else {
            pieces[i].kind = JR_TYPO_CODE;
        }
    }
    jr_typography_pieces(pieces, n, lang);
    for (size_t i = 0; i < n; i++) {
        if (pieces[i].out) {
            cmark_node_set_literal(nodes[i], pieces[i].out);
            free(pieces[i].out);
        }
    }
    free(pieces);
}

static bool is_piece(cmark_node_type t)
{
    return t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_SOFTBREAK ||
           t == CMARK_NODE_LINEBREAK || t == CMARK_NODE_HTML_INLINE;
}

static bool is_text_block(cmark_node_type t)
{
    return t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING;
}

/* cmark's leaf nodes: no EXIT event in a walk. */
static bool is_leaf(cmark_node_type t)
{
    return t == CMARK_NODE_TEXT || t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK ||
           t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE || t == CMARK_NODE_THEMATIC_BREAK ||
           t == CMARK_NODE_CODE_BLOCK || t == CMARK_NODE_HTML_BLOCK;
}

/* The body parsed by cmark with typography on its text and the warnings
 * given. `direct`: no raw HTML and no deep nesting, so that it can be
 * written by body_direct. */
static cmark_node *body_tree(const jr_journal *j, const jr_article *a, bool *direct /* OUT */,
                             diag_log *log)
{
    const char *lang = a->lang ? a->lang : (j->language ? j->language : "de");
    jr_src src = {a->path, a->body_line > 0 ? a->body_line : 0, "article text"};
    size_t blen = a->body ? (a->body_len ? a->body_len : strlen(a->body)) : 0;
    char *body = clean_log(a->body ? a->body : "", blen, &src, log);
    cmark_node *doc = cmark_parse_document(body, strlen(body), CMARK_OPT_VALIDATE_UTF8);
    free(body);

    cmark_iter *it = cmark_iter_new(doc);
    cmark_node **texts = NULL;
    size_t ntexts = 0, cap = 0;
    int depth_in_block = 0, depth = 0, max_depth = 0;
    bool raw = false;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        if (ev == CMARK_EVENT_ENTER && !is_leaf(t) && ++depth > max_depth)
            max_depth = depth;
        else if (ev == CMARK_EVENT_EXIT)
            depth--;
        if (ev == CMARK_EVENT_ENTER && is_text_block(t)) {
            depth_in_block++;
        } else if (ev == CMARK_EVENT_EXIT && is_text_block(t)) {
            if (--depth_in_block == 0) {
                typeset_block(texts, ntexts, lang);
                ntexts = 0;
            }
        }
        if (ev == CMARK_EVENT_ENTER && is_piece(t) && depth_in_block > 0) {
            JR_GROW(texts, cap, ntexts + 1);
            texts[ntexts++] = node;
        }
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE) {
            /* Check each piece of raw HTML on its own, to report its line. */
            raw = true;
            int line = cmark_node_get_start_line(node);
            int at = line > 0 && a->body_line > 0 ? a->body_line + line - 1 : a->body_line;
            const char *lit = cmark_node_get_literal(node);
            char why[160];
            char *tmp = jr_html_sanitize(lit ? lit : "", lit ? strlen(lit) : 0, NULL, 0,
                                         JR_FIG_NONE, why, sizeof why);
            free(tmp);
            if (why[0])
                report(log, (body_diag){BD_HTML, a->path, at, "html", 0, 0, why});
        } else if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE) {
            const char *title = cmark_node_get_title(node);
            if (title && *title) { /* shown as the caption of a figure */
                char *tt = jr_typography(title, lang);
                cmark_node_set_title(node, tt);
                free(tt);
            }
            const char *url = cmark_node_get_url(node);
            if (url && !jr_url_is_safe(url, t == CMARK_NODE_LINK)) {
                int line = cmark_node_get_start_line(node);
                int at = line > 0 && a->body_line > 0 ? a->body_line + line - 1 : a->body_line;
                char why[160];
                snprintf(why, sizeof why, "unsafe URL %s", url);
                report(log, (body_diag){BD_HTML, a->path, at, "url", 0, 0, why});
            }
        } else if (t == CMARK_NODE_CUSTOM_BLOCK || t == CMARK_NODE_CUSTOM_INLINE) {
            raw = true;
        }
    }
    cmark_iter_free(it);
    free(texts);
    /* The sanitiser unwraps elements nested deeper than JR_HTML_MAX_NEST;
     * each node is at most one element. */
    *direct = !raw && max_depth < JR_HTML_MAX_NEST / 2;
    return doc;
}

/* The slow way, for bodies with raw HTML: cmark's HTML through the
 * sanitiser. Pages are checked with libxml2's HTML 4 parser (xmllint
 * --html), which does not know <figure>; feeds get the HTML5 elements. */
static char *body_sanitized(cmark_node *doc, const char *page_url)
{
    char *html = cmark_render_html(doc, CMARK_OPT_UNSAFE);
    char *out = jr_html_sanitize(html, strlen(html), page_url, 1,
                                 page_url ? JR_FIG_HTML5 : JR_FIG_DIV, NULL, 0);
    free(html);
    return out;
}

/* ---- bodies without raw HTML, written directly from cmark's tree ---------
 *
 * The same bytes as body_sanitized (tests/feeds/body_direct_test.c compares
 * them): what cmark's HTML renderer writes, as the HTML parser reads it and
 * the sanitiser writes it again. Text and attribute values as cmark holds
 * them (the parser undoes cmark's escaping), escaped as the sanitiser does;
 * URLs as cmark escapes them (the sanitiser checks and resolves those);
 * headings one level down; no class on code; void elements without "/";
 * unsafe link targets left out, images with unsafe sources dropped; a
 * paragraph holding one image with a title becomes a figure. White space
 * between blocks is cmark's (the parser keeps it): `cm_nl` follows whether
 * cmark's own output would end in a newline at this point, which decides
 * the newlines cmark puts before a block. */

typedef struct dwriter {
    jr_buf out;
    const char *base;
    int figures;
    bool cm_nl, cm_empty; /* cmark's output so far ends with '\n' / is empty */
    bool bad;             /* a character the parser would treat otherwise: go the slow way */
    const char *no_title; /* what cmark gives as the title of a link without one */
} dwriter;

/* Text the HTML parser takes as it is: valid UTF-8 (cmark lets some
 * invalid bytes through from entities), no control characters but tab and
 * line feed, no U+FFFE or U+FFFF. */
static bool plain_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p >= 0x20) {
            if (*p < 0x80) {
                p++;
                continue;
            }
            uint32_t cp;
            size_t l = jr_utf8_decode((const char *)p, 4, &cp);
            if (l == 0 || cp == 0xFFFE || cp == 0xFFFF)
                return false;
            p += l;
        } else if (*p == '\n' || *p == '\t') {
            p++;
        } else {
            return false;
        }
    }
    return true;
}

/* A tag or other markup of ours. */
static void d_put(dwriter *d, const char *s)
{
    size_t n = strlen(s);
    jr_buf_put(&d->out, s, n);
    if (n) {
        d->cm_nl = s[n - 1] == '\n';
        d->cm_empty = false;
    }
}

/* cmark's cr(): a newline unless at the start or after one. */
static void d_cr(dwriter *d)
{
    if (!d->cm_empty && !d->cm_nl) {
        jr_buf_putc(&d->out, '\n');
        d->cm_nl = true;
    }
}

/* Text content: & < > escaped (the sanitiser leaves quotes). Bytes that
 * are copied as they are: printable ASCII but & < >, and tab and newline. */
static void d_text(dwriter *d, const char *s)
{
    static const char *const esc[128] = {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;"};
    if (!s || !*s)
        return;
    size_t n = strlen(s);
    const char *p = s, *end = s + n, *run = s;
    for (;;) {
        p += jr_ascii_run(p, (size_t)(end - p), "&<>");
        unsigned char c = (unsigned char)*p;
        if (c == '\n' || c == '\t') {
            p++;
            continue;
        }
        jr_buf_put(&d->out, run, (size_t)(p - run));
        if (!c)
            break;
        if (c < 0x80 && esc[c]) {
            jr_buf_puts(&d->out, esc[c]);
            run = ++p;
            continue;
        }
        uint32_t cp;
        size_t l = c >= 0x80 ? jr_utf8_decode(p, (size_t)(end - p), &cp) : 0;
        if (l == 0 || cp == 0xFFFE || cp == 0xFFFF) {
            d->bad = true; /* a control character or not UTF-8 */
            return;
        }
        run = p;
        p += l;
    }
    d->cm_nl = s[n - 1] == '\n';
    d->cm_empty = false;
}

/* A URL as cmark writes it into href and src (as the parser gives it back:
 * cmark's &amp; and &#x27; are & and ' again): bytes other than letters,
 * digits and !#$%&'()*+,-./:;=?@_~ percent-encoded. Caller frees. */
static char *cmark_href(const char *url)
{
    static const char hex[] = "0123456789ABCDEF";
    jr_buf b = {0};
    for (const unsigned char *p = (const unsigned char *)(url ? url : ""); *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("!#$%&'()*+,-./:;=?@_~", c)) {
            jr_buf_putc(&b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            jr_buf_put(&b, e, 3);
        }
    }
    return jr_buf_detach(&b);
}

/* An attribute value as start_tag writes it. */
static void d_attr(dwriter *d, const char *name, const char *value)
{
    if (!plain_text(value)) {
        d->bad = true;
        return;
    }
    put_attr(&d->out, name, value);
}

/* href or src: only when safe, tidied and resolved as start_tag does.
 * Returns whether it was written. */
static bool d_url_attr(dwriter *d, const char *name, const char *url, bool allow_mailto)
{
    char *v = cmark_href(url);
    bool ok = jr_url_is_safe(v, allow_mailto);
    if (ok) {
        char *t = url_tidy(v);
        char *r = jr_url_resolve(t, d->base);
        d_attr(d, name, r);
        free(r);
        free(t);
    }
    free(v);
    return ok;
}

/* The text of an image's description, as cmark writes it into alt. */
static char *plain_alt(cmark_node *img)
{
    jr_buf b = {0};
    cmark_iter *it = cmark_iter_new(img);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE || t == CMARK_NODE_HTML_INLINE) {
            const char *lit = cmark_node_get_literal(n);
            jr_buf_puts(&b, lit ? lit : "");
        } else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) {
            jr_buf_putc(&b, ' ');
        }
    }
    cmark_iter_free(it);
    return jr_buf_detach(&b);
}

/* The image of a paragraph that holds one image with a title and nothing
 * else but white space (lone_image on the parsed HTML), or NULL. */
static cmark_node *lone_image_node(cmark_node *p)
{
    cmark_node *img = NULL;
    for (cmark_node *c = cmark_node_first_child(p); c; c = cmark_node_next(c)) {
        cmark_node_type t = cmark_node_get_type(c);
        if (t == CMARK_NODE_TEXT) {
            const char *lit = cmark_node_get_literal(c);
            for (const char *q = lit ? lit : ""; *q; q++)
                if (*q != ' ' && *q != '\n' && *q != '\t' && *q != '\r')
                    return NULL;
        } else if (t == CMARK_NODE_SOFTBREAK) {
            continue; /* a newline */
        } else if (t == CMARK_NODE_IMAGE && !img) {
            img = c;
        } else {
            return NULL;
        }
    }
    if (!img)
        return NULL;
    char *src = cmark_href(cmark_node_get_url(img));
    bool ok = jr_url_is_safe(src, false);
    free(src);
    const char *title = cmark_node_get_title(img);
    return ok && title && *title ? img : NULL;
}

static bool tight_paragraph(cmark_node *p)
{
    cmark_node *item = cmark_node_parent(p);
    cmark_node *list = item ? cmark_node_parent(item) : NULL;
    return list && cmark_node_get_type(list) == CMARK_NODE_LIST && cmark_node_get_list_tight(list);
}

static void d_heading(dwriter *d, cmark_node *n, bool enter)
{
    int level = cmark_node_get_heading_level(n) + 1;
    char tag[8];
    snprintf(tag, sizeof tag, enter ? "<h%d>" : "</h%d>\n", level > 6 ? 6 : level < 1 ? 1 : level);
    if (enter)
        d_cr(d);
    d_put(d, tag);
}

static void d_image(dwriter *d, cmark_node *n)
{
    jr_buf_puts(&d->out, "<img");
    size_t mark = d->out.len;
    if (!d_url_attr(d, "src", cmark_node_get_url(n), false)) {
        d->out.len = mark - 4; /* an image without a source is left out */
        d->out.data[d->out.len] = 0;
        d->cm_nl = false; /* cmark wrote it */
        d->cm_empty = false;
        return;
    }
    char *alt = plain_alt(n);
    d_attr(d, "alt", alt);
    free(alt);
    const char *title = cmark_node_get_title(n);
    if (title && title != d->no_title) /* an empty title="" is written */
        d_attr(d, "title", title);
    d_put(d, ">");
}

/* NULL when the body has something only the slow way writes right. */
static char *body_direct(cmark_node *doc, const char *page_url)
{
    dwriter d = {.base = page_url,
                 .figures = page_url ? JR_FIG_HTML5 : JR_FIG_DIV,
                 .cm_nl = false,
                 .cm_empty = true};
    bool html5 = d.figures == JR_FIG_HTML5;
    /* cmark writes title="" for an empty title given in the Markdown, and
     * nothing when none was given; its API gives "" for both, the latter
     * as one constant string. */
    cmark_node *probe = cmark_node_new(CMARK_NODE_LINK);
    d.no_title = cmark_node_get_title(probe);
    cmark_node_free(probe);
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while (!d.bad && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        bool enter = ev == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_DOCUMENT:
            break;
        case CMARK_NODE_BLOCK_QUOTE:
            d_cr(&d);
            d_put(&d, enter ? "<blockquote>\n" : "</blockquote>\n");
            break;
        case CMARK_NODE_LIST: {
            bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
            int start = cmark_node_get_list_start(n);
            if (!enter) {
                d_put(&d, ordered ? "</ol>\n" : "</ul>\n");
            } else if (ordered && start != 1) {
                char num[16];
                snprintf(num, sizeof num, "%d", start);
                d_cr(&d);
                jr_buf_puts(&d.out, "<ol");
                d_attr(&d, "start", num);
                d_put(&d, ">\n");
            } else {
                d_cr(&d);
                d_put(&d, ordered ? "<ol>\n" : "<ul>\n");
            }
            break;
        }
        case CMARK_NODE_ITEM:
            if (enter)
                d_cr(&d);
            d_put(&d, enter ? "<li>" : "</li>\n");
            break;
        case CMARK_NODE_HEADING:
            d_heading(&d, n, enter);
            break;
        case CMARK_NODE_CODE_BLOCK:
            /* the info string goes into a class the sanitiser drops, but
             * the parser must read it as cmark wrote it */
            if (!plain_text(cmark_node_get_fence_info(n) ? cmark_node_get_fence_info(n) : ""))
                d.bad = true;
            d_cr(&d);
            d_put(&d, "<pre><code>");
            d_text(&d, cmark_node_get_literal(n));
            d_put(&d, "</code></pre>\n");
            break;
        case CMARK_NODE_THEMATIC_BREAK:
            d_cr(&d);
            d_put(&d, "<hr>\n");
            break;
        case CMARK_NODE_PARAGRAPH: {
            if (tight_paragraph(n))
                break;
            cmark_node *img = lone_image_node(n);
            if (enter) {
                d_cr(&d);
                d_put(&d, !img ? "<p>" : html5 ? "<figure>" : "<div class=\"figure\">");
            } else if (!img) {
                d_put(&d, "</p>\n");
            } else {
                jr_buf_puts(&d.out, html5 ? "<figcaption>" : "<p class=\"caption\">");
                const char *title = cmark_node_get_title(img);
                if (!plain_text(title))
                    d.bad = true;
                jr_html_escape(&d.out, title);
                jr_buf_puts(&d.out, html5 ? "</figcaption></figure>" : "</p></div>");
                d_put(&d, "\n");
            }
            break;
        }
        case CMARK_NODE_TEXT:
            d_text(&d, cmark_node_get_literal(n));
            break;
        case CMARK_NODE_SOFTBREAK:
            d_put(&d, "\n");
            break;
        case CMARK_NODE_LINEBREAK:
            d_put(&d, "<br>\n");
            break;
        case CMARK_NODE_CODE:
            d_put(&d, "<code>");
            d_text(&d, cmark_node_get_literal(n));
            d_put(&d, "</code>");
            break;
        case CMARK_NODE_EMPH:
            d_put(&d, enter ? "<em>" : "</em>");
            break;
        case CMARK_NODE_STRONG:
            d_put(&d, enter ? "<strong>" : "</strong>");
            break;
        case CMARK_NODE_LINK:
            /* An autolink right inside a link: the parser closes the outer
             * <a> there (an HTML 4 rule), which the slow way follows. */
            if (enter && cmark_node_get_type(cmark_node_parent(n)) == CMARK_NODE_LINK) {
                d.bad = true;
            } else if (enter) {
                jr_buf_puts(&d.out, "<a");
                d_url_attr(&d, "href", cmark_node_get_url(n), true);
                const char *title = cmark_node_get_title(n);
                if (title && title != d.no_title)
                    d_attr(&d, "title", title);
                d_put(&d, ">");
            } else {
                d_put(&d, "</a>");
            }
            break;
        case CMARK_NODE_IMAGE:
            /* its content is only its description, in alt */
            d_image(&d, n);
            cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            break;
        default: /* raw HTML and custom nodes never come here */
            d.bad = true;
            break;
        }
    }
    cmark_iter_free(it);
    if (d.bad) {
        jr_buf_free(&d.out);
        return NULL;
    }
    return d.out.data ? jr_buf_detach(&d.out) : jr_xstrdup("");
}

char *jr_article_body_html_how(const jr_journal *j, const jr_article *a, const char *page_url,
                               int how)
{
    bool direct = false;
    cmark_node *doc = body_tree(j, a, &direct, NULL);
    char *out = NULL;
    if (how != JR_BODY_SANITIZED && direct)
        out = body_direct(doc, page_url);
    if (!out && how != JR_BODY_DIRECT)
        out = body_sanitized(doc, page_url);
    cmark_node_free(doc);
    return out;
}

static char *feed_body(const jr_journal *j, const jr_article *a, const char *page_url);
static void feeds_free(void);
static void run_parallel(void *(*fn)(void *), void *arg, size_t jobs);
static bool prefetch_on = true;

char *jr_article_body_html(const jr_journal *j, const jr_article *a, const char *page_url)
{
    if (page_url && prefetch_on)
        return feed_body(j, a, page_url);
    return jr_article_body_html_how(j, a, page_url, JR_BODY_ANY);
}

/* ---- page bodies, rendered ahead in parallel ------------------------------
 *
 * The pages of a build are written one by one (build.c), each with its
 * article's body. At the first page, the bodies of every article's page are
 * rendered at once on all processors, each keeping its warnings; each page
 * then takes its body and gives the warnings, in the same order as when
 * it rendered its body itself. A body is taken only if what it depends on
 * (text, file, line, languages) is unchanged: a hash is compared. */

typedef struct page_body {
    const jr_article *a;
    uint64_t key;
    char *html; /* NULL once taken */
    diag_log log;
} page_body;

typedef struct page_cache {
    const jr_journal *j;
    page_body *b; /* articles of every edition, in order */
    size_t n, left;
    atomic_size_t next; /* the next body to render */
} page_cache;

static page_cache pages;

static void pages_free(void)
{
    for (size_t i = 0; i < pages.n; i++) {
        free(pages.b[i].html);
        log_free(&pages.b[i].log);
    }
    free(pages.b);
    pages.b = NULL;
    pages.j = NULL;
    pages.n = pages.left = 0;
}

void jr_html_prefetch(bool on)
{
    prefetch_on = on;
    pages_free();
    feeds_free();
}

/* FNV-1a style over bytes, eight at a time. */
static uint64_t mix(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t w;
    for (; n >= 8; n -= 8, p += 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    w = 0;
    memcpy(&w, p, n);
    h = (h ^ w ^ ((uint64_t)n << 56)) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static uint64_t mix_str(uint64_t h, const char *s)
{
    return s ? mix(h, s, strlen(s) + 1) : mix(h, "", 0);
}

static uint64_t body_key(const jr_journal *j, const jr_article *a)
{
    size_t blen = a->body ? (a->body_len ? a->body_len : strlen(a->body)) : 0;
    uint64_t h = mix(0xcbf29ce484222325ull, a->body ? a->body : "", blen);
    h = mix(h, &blen, sizeof blen);
    h = mix(h, &a->body_line, sizeof a->body_line);
    h = mix_str(h, a->path);
    h = mix_str(h, a->lang);
    return mix_str(h, j->language);
}

/* A body from its tree, for a page (page_url NULL) or a feed. */
static char *render(cmark_node *doc, bool direct, const char *page_url)
{
    char *out = direct ? body_direct(doc, page_url) : NULL;
    return out ? out : body_sanitized(doc, page_url);
}

/* ---- page bodies kept between builds ------------------------------------
 *
 * A rebuild renders the same bodies: the bodies of pages that gave no
 * warning are kept in the cache folder (cache.h) in one file per content
 * folder (bodies-1-<hash>.bin), under their body_key, made by this very
 * program (its size and modification time and the version are in the
 * file's identity). The file is read once per process and written anew,
 * with the bodies of this build only, when a body was added. Bodies with
 * warnings are always rendered, so that their warnings are given. */
#define BODIES_MAGIC "JRBODY1\n"
#define BODIES_MAX   (64u << 20) /* bytes of HTML kept at most */

typedef struct kept_body {
    uint64_t key;
    char *html;
    size_t len;
    bool used; /* by this build */
} kept_body;

static struct {
    pthread_mutex_t lock;
    bool loaded;
    char *file, *id;
    kept_body *b;
    size_t n, cap;
    bool dirty;
} kept = {.lock = PTHREAD_MUTEX_INITIALIZER};

static char *kept_identity(void)
{
    struct stat st;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || stat((exe[n] = '\0', exe), &st) != 0)
        return NULL;
    return jr_xasprintf("%s|%s|%lld|%lld.%09ld", JOURNAL_VERSION, exe, (long long)st.st_size,
                        (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

/* Under kept.lock. */
static void kept_load(const jr_journal *j)
{
    kept.loaded = true;
    kept.id = kept_identity();
    const char *root = j->root ? j->root : "";
    char *real = realpath(root, NULL);
    const char *where = real ? real : root;
    kept.file = kept.id ? jr_cache_file("bodies-1", where) : NULL;
    free(real);
    size_t len = 0;
    unsigned char *d = kept.file ? (unsigned char *)jr_read_file(kept.file, &len) : NULL;
    uint64_t n = 0;
    size_t pos = d ? jr_cache_check(d, len, BODIES_MAGIC, kept.id, &n) : 0;
    bool ok = pos > 0;
    for (uint64_t i = 0; ok && i < n; i++) {
        uint64_t key, bl;
        if (len - pos < 16)
            break;
        memcpy(&key, d + pos, 8);
        memcpy(&bl, d + pos + 8, 8);
        pos += 16;
        if (bl > len - pos)
            break;
        JR_GROW(kept.b, kept.cap, kept.n + 1);
        kept.b[kept.n++] = (kept_body){key, jr_xstrndup((const char *)d + pos, bl), bl, false};
        pos += (bl + 7) & ~(size_t)7;
    }
    free(d);
}

/* A copy of the kept body for key, or NULL. */
static char *kept_find(const jr_journal *j, uint64_t key)
{
    char *html = NULL;
    pthread_mutex_lock(&kept.lock);
    if (!kept.loaded)
        kept_load(j);
    for (size_t i = 0; i < kept.n && !html; i++)
        if (kept.b[i].key == key) {
            html = jr_xstrndup(kept.b[i].html, kept.b[i].len);
            kept.b[i].used = true;
        }
    pthread_mutex_unlock(&kept.lock);
    return html;
}

static void kept_add(uint64_t key, const char *html)
{
    pthread_mutex_lock(&kept.lock);
    if (kept.file) {
        size_t len = strlen(html);
        JR_GROW(kept.b, kept.cap, kept.n + 1);
        kept.b[kept.n++] = (kept_body){key, jr_xstrndup(html, len), len, true};
        kept.dirty = true;
    }
    pthread_mutex_unlock(&kept.lock);
}

/* Write the bodies this build used, when one was added; forget the rest. */
static void kept_save(void)
{
    pthread_mutex_lock(&kept.lock);
    if (kept.dirty && kept.file && kept.id) {
        jr_buf b = {0};
        size_t header = jr_cache_begin(&b, BODIES_MAGIC, kept.id);
        uint64_t n = 0, total = 0;
        for (size_t i = 0; i < kept.n; i++) {
            const kept_body *k = &kept.b[i];
            if (!k->used || total + k->len > BODIES_MAX)
                continue;
            uint64_t bl = k->len;
            jr_buf_put(&b, (const char *)&k->key, 8);
            jr_buf_put(&b, (const char *)&bl, 8);
            jr_buf_put(&b, k->html, k->len);
            while (b.len % 8)
                jr_buf_putc(&b, 0);
            total += k->len;
            n++;
        }
        jr_cache_seal(&b, header, n);
        jr_cache_write(kept.file, b.data, b.len);
        jr_buf_free(&b);
    }
    for (size_t i = 0; i < kept.n; i++)
        free(kept.b[i].html);
    free(kept.b);
    free(kept.file);
    free(kept.id);
    kept.b = NULL;
    kept.file = kept.id = NULL;
    kept.n = kept.cap = 0;
    kept.loaded = kept.dirty = false;
    pthread_mutex_unlock(&kept.lock);
}

static void render_page(page_cache *c, size_t i)
{
    page_body *b = &c->b[i];
    if (b->html) /* made with its feed's body */
        return;
    b->key = body_key(c->j, b->a);
    if ((b->html = kept_find(c->j, b->key)) != NULL)
        return;
    bool direct = false;
    cmark_node *doc = body_tree(c->j, b->a, &direct, &b->log);
    b->html = render(doc, direct, NULL);
    cmark_node_free(doc);
    if (b->log.n == 0)
        kept_add(b->key, b->html);
}

/* ---- feed bodies: made once for Atom and RSS, with the page's ------------
 *
 * An article in the feeds has its body rendered for the feeds (absolute
 * URLs) twice, Atom then RSS, and again for its page. The tree is made
 * once: the feed's body and the page's are kept with the warnings (given
 * the first time, given again through warn_once later, as each rendering
 * did before); the page's goes to the page bodies when they are made. */

typedef struct feed_entry {
    const jr_article *a;
    uint64_t key;
    char *url, *feed_html, *page_html;
    diag_log log;
    char *feed_xml; /* feed_html escaped (jr_xml_text), when that cannot warn */
} feed_entry;

static struct {
    const jr_journal *j;
    feed_entry *e;
    size_t n, cap;
} feeds;

static void feeds_free(void)
{
    for (size_t i = 0; i < feeds.n; i++) {
        free(feeds.e[i].url);
        free(feeds.e[i].feed_html);
        free(feeds.e[i].page_html);
        free(feeds.e[i].feed_xml);
        log_free(&feeds.e[i].log);
    }
    free(feeds.e);
    memset(&feeds, 0, sizeof feeds);
}

static void log_give(const diag_log *log)
{
    for (size_t i = 0; i < log->n; i++)
        give(&log->d[i]);
}

static diag_log log_copy(const diag_log *log)
{
    diag_log c = {0};
    for (size_t i = 0; i < log->n; i++)
        report(&c, log->d[i]);
    return c;
}

static feed_entry *feeds_find(const jr_journal *j, const jr_article *a, uint64_t key)
{
    if (feeds.j != j)
        return NULL;
    for (size_t i = 0; i < feeds.n; i++)
        if (feeds.e[i].a == a && feeds.e[i].key == key)
            return &feeds.e[i];
    return NULL;
}

static char *feed_body(const jr_journal *j, const jr_article *a, const char *page_url)
{
    if (feeds.j != j)
        feeds_free();
    feeds.j = j;
    uint64_t key = body_key(j, a);
    feed_entry *f = feeds_find(j, a, key);
    if (f && f->feed_html && strcmp(f->url, page_url) == 0) {
        log_give(&f->log);
        return jr_xstrdup(f->feed_html);
    }
    diag_log log = {0};
    bool direct = false;
    cmark_node *doc = body_tree(j, a, &direct, &log);
    char *html = render(doc, direct, page_url);
    log_give(&log);
    if (f) { /* another base URL: not kept */
        cmark_node_free(doc);
        log_free(&log);
        return html;
    }
    JR_GROW(feeds.e, feeds.cap, feeds.n + 1);
    f = &feeds.e[feeds.n++];
    *f = (feed_entry){a,   key, jr_xstrdup(page_url), jr_xstrdup(html), render(doc, direct, NULL),
                      log, NULL};
    cmark_node_free(doc);
    return html;
}

char *jr_article_body_xml(const jr_journal *j, const jr_article *a, const char *page_url)
{
    if (prefetch_on && page_url && feeds.j == j) {
        feed_entry *f = feeds_find(j, a, body_key(j, a));
        if (f && f->feed_xml && strcmp(f->url, page_url) == 0) {
            log_give(&f->log); /* as feed_body */
            return jr_xstrdup(f->feed_xml);
        }
    }
    char *html = jr_article_body_html(j, a, page_url);
    char *x = jr_xml_text(html, NULL);
    free(html);
    return x;
}

/* Feed bodies made ahead, in parallel: the entries from `first` on. */
typedef struct feed_jobs {
    const jr_journal *j;
    feed_entry *e;
    size_t n;
    atomic_size_t next;
} feed_jobs;

static void *render_feeds(void *arg)
{
    feed_jobs *c = arg;
    size_t i;
    while ((i = atomic_fetch_add(&c->next, 1)) < c->n) {
        feed_entry *f = &c->e[i];
        bool direct = false;
        cmark_node *doc = body_tree(c->j, f->a, &direct, &f->log);
        f->feed_html = render(doc, direct, f->url);
        f->page_html = render(doc, direct, NULL);
        cmark_node_free(doc);
        /* escaped for both feeds (only XML characters: no warning to give) */
        size_t len = strlen(f->feed_html);
        if (xml_ok_prefix(f->feed_html, len) == len)
            f->feed_xml = jr_xml_text(f->feed_html, NULL);
    }
    return NULL;
}

void jr_feed_bodies_prepare(const jr_journal *j, const jr_article *const *a,
                            const char *const *urls, size_t n)
{
    if (!prefetch_on || n == 0)
        return;
    if (feeds.j != j)
        feeds_free();
    feeds.j = j;
    size_t first = feeds.n;
    JR_GROW(feeds.e, feeds.cap, feeds.n + n);
    for (size_t i = 0; i < n; i++) {
        uint64_t key = body_key(j, a[i]);
        bool have = false;
        for (size_t k = 0; k < feeds.n && !have; k++)
            have = feeds.e[k].a == a[i] && feeds.e[k].key == key;
        if (!have)
            feeds.e[feeds.n++] =
                (feed_entry){a[i], key, jr_xstrdup(urls[i]), NULL, NULL, {0}, NULL};
    }
    /* The warnings stay with the entries: feed_body gives them when the
     * body is first asked for, where it gave them before. */
    feed_jobs c = {.j = j, .e = feeds.e + first, .n = feeds.n - first};
    atomic_store(&c.next, 0);
    if (c.n > 0)
        run_parallel(render_feeds, &c, c.n);
}

static void *render_pages(void *arg)
{
    page_cache *c = arg;
    size_t i;
    while ((i = atomic_fetch_add(&c->next, 1)) < c->n)
        render_page(c, i);
    return NULL;
}

#define MAX_RENDER_THREADS 8

/* fn(arg) in this thread and in one more per processor (at most
 * MAX_RENDER_THREADS in all, at most `jobs`); fn takes jobs from arg until
 * none are left. Returns when all are done. */
static void run_parallel(void *(*fn)(void *), void *arg, size_t jobs)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nthreads = cpus > 1 ? (size_t)cpus : 1;
    if (nthreads > MAX_RENDER_THREADS)
        nthreads = MAX_RENDER_THREADS;
    if (nthreads > jobs)
        nthreads = jobs;
    if (nthreads > 1)
        xmlInitParser(); /* before libxml2 is used in other threads */
    jr_parallel(fn, arg, nthreads);
}

static void pages_fill(const jr_journal *j, bool keep_feeds)
{
    pages_free();
    size_t n = 0;
    for (size_t ei = 0; ei < j->neditions; ei++)
        n += j->editions[ei].narticles;
    if (n == 0)
        return;
    pages.j = j;
    pages.b = jr_xcalloc(n, sizeof *pages.b);
    pages.n = pages.left = n;
    size_t k = 0;
    for (size_t ei = 0; ei < j->neditions; ei++)
        for (size_t ai = 0; ai < j->editions[ei].narticles; ai++)
            pages.b[k++].a = &j->editions[ei].articles[ai];
    for (size_t i = 0; i < n && feeds.n > 0; i++) {
        page_body *b = &pages.b[i];
        uint64_t key = body_key(j, b->a);
        feed_entry *f = feeds_find(j, b->a, key);
        if (f && f->page_html) {
            b->key = key;
            b->html = f->page_html;
            f->page_html = NULL;
            b->log = log_copy(&f->log);
        }
    }
    if (!keep_feeds)
        feeds_free(); /* the feeds are written before the pages */
    atomic_store(&pages.next, 0);
    run_parallel(render_pages, &pages, n);
    kept_save();
}

static pthread_t prefetch_thread;
static bool prefetch_running;

/* Ahead of a build's feeds and pages, while the PDFs are made: the feeds'
 * bodies (with the pages' as a by-product), then the other pages'. The
 * feeds are kept for the feed writers; they go with the page bodies. */
static void *prefetch_main(void *arg)
{
    jr_feed_prefetch(arg);
    pages_fill(arg, true);
    return NULL;
}

void jr_web_prefetch_start(const jr_journal *j)
{
    if (!prefetch_on || prefetch_running || !j)
        return;
    xmlInitParser(); /* before libxml2 is used in other threads */
    prefetch_running = pthread_create(&prefetch_thread, NULL, prefetch_main, (void *)j) == 0;
}

void jr_web_prefetch_wait(void)
{
    if (prefetch_running)
        pthread_join(prefetch_thread, NULL);
    prefetch_running = false;
}

/* The cached body of `a`, or NULL when there is none. */
static page_body *pages_find(const jr_journal *j, const jr_article *a)
{
    if (pages.j != j || !pages.b)
        return NULL;
    size_t base = 0;
    for (size_t ei = 0; ei < j->neditions; ei++) {
        const jr_edition *e = &j->editions[ei];
        if (a >= e->articles && a < e->articles + e->narticles) {
            size_t i = base + (size_t)(a - e->articles);
            return i < pages.n && pages.b[i].a == a ? &pages.b[i] : NULL;
        }
        base += e->narticles;
    }
    return NULL;
}

char *jr_article_page_body(const jr_journal *j, const jr_article *a)
{
    if (!prefetch_on)
        return jr_article_body_html(j, a, NULL);
    page_body *b = pages_find(j, a);
    if (!b || (b->html && b->key != body_key(j, a))) {
        /* the first page of this journal, or a cache left by another run */
        pages_fill(j, false);
        b = pages_find(j, a);
    }
    if (!b || !b->html || b->key != body_key(j, a))
        return jr_article_body_html(j, a, NULL); /* not an article of j, or taken */
    log_give_and_free(&b->log);
    char *html = b->html;
    b->html = NULL;
    if (--pages.left == 0) {
        pages_free();
        feeds_free(); /* (kept by a prefetch) */
    }
    return html;
}
