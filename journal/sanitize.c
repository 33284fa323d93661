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
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

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

static char *clean(const char *s, size_t n, const jr_src *src)
{
    jr_buf b = {0};
    int line = src ? src->line : 0;
    size_t i = 0, run = 0; /* run: start of the pending run of good bytes */
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
            if (l == 0) {
                if (warn_once(src->path, line, what, 0x110000ul + c))
                    jr_diag(JR_W_XML_INVALID_UTF8, src->path, line, 0, (unsigned)c, what);
            } else if (warn_once(src->path, line, what, cp)) {
                jr_diag(JR_W_XML_INVALID_CHAR, src->path, line, 0, (unsigned)cp);
            }
        }
        i += l ? l : 1;
        run = i;
    }
    jr_buf_put(&b, s + run, n - run);
    if (!b.data)
        return jr_xstrdup("");
    return jr_buf_detach(&b);
}

char *jr_xml_clean(const char *s, const jr_src *src)
{
    if (!s)
        return NULL;
    static const jr_src none = {NULL, 0, NULL};
    return clean(s, strlen(s), src ? src : &none);
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

char *jr_article_body_html(const jr_journal *j, const jr_article *a, const char *page_url)
{
    const char *lang = a->lang ? a->lang : (j->language ? j->language : "de");
    jr_src src = {a->path, a->body_line > 0 ? a->body_line : 0, "article text"};
    size_t blen = a->body ? (a->body_len ? a->body_len : strlen(a->body)) : 0;
    char *body = clean(a->body ? a->body : "", blen, &src);
    cmark_node *doc = cmark_parse_document(body, strlen(body), CMARK_OPT_VALIDATE_UTF8);
    free(body);

    cmark_iter *it = cmark_iter_new(doc);
    cmark_node **texts = NULL;
    size_t ntexts = 0, cap = 0;
    int depth_in_block = 0;
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(node);
        int line = cmark_node_get_start_line(node);
        int at = line > 0 && a->body_line > 0 ? a->body_line + line - 1 : a->body_line;
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
        if (ev == CMARK_EVENT_ENTER &&
            (t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE)) {
            /* Check each piece of raw HTML on its own, to report its line. */
            const char *lit = cmark_node_get_literal(node);
            char why[160];
            char *tmp = jr_html_sanitize(lit ? lit : "", lit ? strlen(lit) : 0, NULL, 0,
                                         JR_FIG_NONE, why, sizeof why);
            free(tmp);
            if (why[0] && warn_once(a->path, at, "html", 0))
                jr_diag(JR_W_UNSAFE_HTML, a->path, at, 0, why);
        } else if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE)) {
            const char *title = cmark_node_get_title(node);
            if (title && *title) { /* shown as the caption of a figure */
                char *tt = jr_typography(title, lang);
                cmark_node_set_title(node, tt);
                free(tt);
            }
            const char *url = cmark_node_get_url(node);
            if (url && !jr_url_is_safe(url, t == CMARK_NODE_LINK)) {
                char why[160];
                snprintf(why, sizeof why, "unsafe URL %s", url);
                if (warn_once(a->path, at, "url", 0))
                    jr_diag(JR_W_UNSAFE_HTML, a->path, at, 0, why);
            }
        }
    }
    cmark_iter_free(it);
    free(texts);

    char *html = cmark_render_html(doc, CMARK_OPT_UNSAFE);
    cmark_node_free(doc);
    /* Pages are checked with libxml2's HTML 4 parser (xmllint --html), which
     * does not know <figure>; feeds get the HTML5 elements. */
    char *out = jr_html_sanitize(html, strlen(html), page_url, 1,
                                 page_url ? JR_FIG_HTML5 : JR_FIG_DIV, NULL, 0);
    free(html);
    return out;
}
