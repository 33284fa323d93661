/* markdown.c: CommonMark body -> document model.
 *
 * cmark parses; one cmark_iter walk (no recursion, so any nesting depth is
 * safe and linear) turns the tree into a flat list of blocks, each carrying
 * its path of containers (quotes, list items). Inline content is collected
 * as pending spans and becomes a block when the paragraph or heading ends,
 * after typography has seen the whole block. An image inside a paragraph
 * ends the paragraph: the figure follows, then the rest of the paragraph. */
#include "markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

#define SNIPPET_CHARS 40 /* characters of raw HTML quoted in the warning */
#define CODE_TAB      4  /* tab stops in code blocks [characters] */

typedef struct pending {
    jr_span_kind kind;
    unsigned style;
    int link;
    jr_pos pos;
    jr_buf text;
} pending;

typedef struct open_cont {
    jr_container c;
    bool used; /* a block has been emitted inside it */
} open_cont;

typedef struct open_list {
    bool ordered, tight;
    int next; /* number of the next item */
} open_list;

typedef struct open_link {
    cmark_node *node;
    int index; /* in doc->links; -1 until the link's first text */
} open_link;

typedef struct parser {
    jr_doc *doc;
    const char *path;
    const char *lang;
    int line_off; /* added to cmark's lines: body lines -> file lines */

    open_cont *conts;
    size_t nconts, conts_cap;
    int next_id;
    bool warned_depth;
    open_list *lists;
    size_t nlists, lists_cap;

    /* the paragraph or heading being read */
    bool in_leaf;
    jr_block_kind leaf_kind;
    int leaf_level;
    jr_pos leaf_pos; /* position of the leaf; {0,0} after a figure split */
    pending *spans;
    size_t nspans, spans_cap;
    int italic, bold;
    open_link *links;
    size_t nlinks, links_cap;
    jr_pos last_pos;

    cmark_node *image; /* the image being read (its text is the alt text) */
    jr_buf alt;

    const char *src; /* the Markdown text, to look at code fences */
    size_t srclen;
    size_t *line_start; /* byte offset of each body line (built when needed) */
    size_t nlines;
} parser;

static jr_pos node_pos(const parser *p, cmark_node *n)
{
    jr_pos pos = {cmark_node_get_start_line(n), cmark_node_get_start_column(n)};
    if (pos.line > 0)
        pos.line += p->line_off;
    else
        pos.col = 0;
    return pos;
}

/* ---- diagnostics ---- */

/* The first characters of raw HTML on one line, for a message. */
static char *snippet(const char *s)
{
    jr_buf b = {0};
    size_t n = strlen(s), i = 0, chars = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    while (i < n && chars < SNIPPET_CHARS) {
        uint32_t c;
        size_t l = jr_utf8_decode(s + i, n - i, &c);
        if (l == 0)
            l = 1, c = '?';
        if (c < 0x20 || c == 0x7F)
            jr_buf_putc(&b, ' ');
        else
            jr_buf_put(&b, s + i, l);
        i += l;
        chars++;
    }
    while (b.len > 0 && b.data[b.len - 1] == ' ')
        b.data[--b.len] = 0;
    size_t rest = i;
    while (rest < n && (s[rest] == ' ' || s[rest] == '\t' || s[rest] == '\n' || s[rest] == '\r'))
        rest++;
    if (rest < n)
        jr_buf_puts(&b, "…");
    return jr_buf_detach(&b);
}

static bool is_comment(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (strncmp(s, "<!--", 4) != 0)
        return false;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return n >= 7 && memcmp(s + n - 3, "-->", 3) == 0;
}

/* <br>, <br/>, <br /> in any case */
static bool is_br(const char *s)
{
    if (s[0] != '<' || (s[1] != 'b' && s[1] != 'B') || (s[2] != 'r' && s[2] != 'R'))
        return false;
    s += 3;
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (*s == '/')
        s++;
    return s[0] == '>' && s[1] == 0;
}

static void drop_html(parser *p, cmark_node *n)
{
    const char *lit = cmark_node_get_literal(n);
    if (!lit || is_comment(lit)) /* comments are notes for the editors: quietly */
        return;
    jr_pos pos = node_pos(p, n);
    char *s = snippet(lit);
    jr_diag(JR_W_RAW_HTML, p->path, pos.line, pos.col, s);
    free(s);
}

/* ---- containers ---- */

static void push_cont(parser *p, cmark_node *n, jr_container_kind kind)
{
    JR_GROW(p->conts, p->conts_cap, p->nconts + 1);
    open_cont *oc = &p->conts[p->nconts++];
    memset(oc, 0, sizeof *oc);
    oc->c.kind = kind;
    oc->c.id = ++p->next_id;
    if (kind == JR_CONT_ITEM && p->nlists > 0) {
        open_list *l = &p->lists[p->nlists - 1];
        oc->c.ordered = l->ordered;
        oc->c.tight = l->tight;
        oc->c.number = l->ordered ? l->next : 0;
        if (l->next < 2000000000)
            l->next++;
    }
    if (p->nconts > JR_MAX_DEPTH && !p->warned_depth) {
        jr_pos pos = node_pos(p, n);
        jr_diag(JR_W_NESTING_DEPTH, p->path, pos.line, pos.col, JR_MAX_DEPTH);
        p->warned_depth = true;
    }
}

static void push_list(parser *p, cmark_node *n)
{
    JR_GROW(p->lists, p->lists_cap, p->nlists + 1);
    open_list *l = &p->lists[p->nlists++];
    l->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    l->tight = cmark_node_get_list_tight(n) != 0;
    l->next = cmark_node_get_list_start(n);
}

/* Add a block with the current container path. */
static jr_block *add_block(parser *p, jr_block_kind kind, jr_pos pos)
{
    jr_block *b = jr_doc_add_block(p->doc, kind);
    b->pos = pos;
    size_t depth = p->nconts < JR_MAX_DEPTH ? p->nconts : JR_MAX_DEPTH;
    if (depth > 0) {
        b->cont = jr_xmalloc(depth * sizeof *b->cont);
        for (size_t i = 0; i < depth; i++) {
            b->cont[i] = p->conts[i].c;
            b->cont[i].first = p->conts[i].c.kind == JR_CONT_ITEM && !p->conts[i].used;
            p->conts[i].used = true;
        }
    }
    b->depth = (int)depth;
    return b;
}

/* ---- inline content ---- */

static int current_link(parser *p)
{
    if (p->nlinks == 0)
        return -1;
    open_link *l = &p->links[p->nlinks - 1];
    if (l->index < 0)
        l->index = jr_doc_add_link(p->doc, cmark_node_get_url(l->node), node_pos(p, l->node));
    return l->index;
}

static void add_text(parser *p, const char *s, size_t n, unsigned style, jr_pos pos)
{
    if (n == 0)
        return;
    if (pos.line <= 0)
        pos = p->last_pos;
    else
        p->last_pos = pos;
    if (p->italic > 0)
        style |= JR_STYLE_ITALIC;
    if (p->bold > 0)
        style |= JR_STYLE_BOLD;
    int link = current_link(p);
    if (p->nspans > 0) {
        pending *last = &p->spans[p->nspans - 1];
        if (last->kind == JR_SPAN_TEXT && last->style == style && last->link == link) {
            jr_buf_put(&last->text, s, n);
            return;
        }
    }
    JR_GROW(p->spans, p->spans_cap, p->nspans + 1);
    pending *sp = &p->spans[p->nspans++];
    memset(sp, 0, sizeof *sp);
    sp->kind = JR_SPAN_TEXT;
    sp->style = style;
    sp->link = link;
    sp->pos = pos;
    jr_buf_put(&sp->text, s, n);
}

static void add_break(parser *p)
{
    if (p->nspans > 0) { /* no space before a break (cmark drops it before its own) */
        pending *last = &p->spans[p->nspans - 1];
        if (last->kind == JR_SPAN_TEXT && !(last->style & JR_STYLE_CODE))
            while (last->text.len > 0 && last->text.data[last->text.len - 1] == ' ')
                last->text.data[--last->text.len] = 0;
    }
    JR_GROW(p->spans, p->spans_cap, p->nspans + 1);
    pending *sp = &p->spans[p->nspans++];
    memset(sp, 0, sizeof *sp);
    sp->kind = JR_SPAN_LINEBREAK;
    sp->link = -1;
    sp->pos = p->last_pos;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

/* Drop breaks and white space at both ends of the pending spans (left where a
 * figure split the paragraph). Code keeps its spaces. */
static void trim_pending(parser *p, size_t *first, size_t *end)
{
    size_t a = 0, z = p->nspans;
    while (a < z) {
        pending *s = &p->spans[a];
        if (s->kind == JR_SPAN_LINEBREAK) {
            a++;
            continue;
        }
        if (s->style & JR_STYLE_CODE)
            break;
        size_t k = 0;
        while (k < s->text.len && (s->text.data[k] == ' ' || s->text.data[k] == '\n'))
            k++;
        if (k < s->text.len) {
            memmove(s->text.data, s->text.data + k, s->text.len - k + 1);
            s->text.len -= k;
            break;
        }
        a++;
    }
    while (z > a) {
        pending *s = &p->spans[z - 1];
        if (s->kind == JR_SPAN_LINEBREAK) {
            z--;
            continue;
        }
        if (s->style & JR_STYLE_CODE)
            break;
        while (s->text.len > 0 &&
               (s->text.data[s->text.len - 1] == ' ' || s->text.data[s->text.len - 1] == '\n'))
            s->text.data[--s->text.len] = 0;
        if (s->text.len > 0)
            break;
        z--;
    }
    *first = a;
    *end = z;
}

/* Turn the pending spans into a block (if there is any text). */
static void flush_leaf(parser *p)
{
    size_t a, z;
    trim_pending(p, &a, &z);
    jr_typo_piece *pieces = z > a ? jr_xmalloc((z - a) * sizeof *pieces) : NULL;
    for (size_t i = a; i < z; i++) {
        pending *s = &p->spans[i];
        jr_typo_piece *pc = &pieces[i - a];
        pc->kind = s->kind == JR_SPAN_LINEBREAK ? JR_TYPO_BREAK
                   : (s->style & JR_STYLE_CODE) ? JR_TYPO_CODE
                                                : JR_TYPO_TEXT;
        pc->text = s->text.data ? s->text.data : "";
        pc->len = s->text.len;
    }
    if (z > a)
        jr_typography_pieces(pieces, z - a, p->lang);
    /* empty paragraphs (nothing but white space and breaks) are left out */
    bool empty = true;
    for (size_t i = a; i < z && empty; i++) {
        const char *t = pieces[i - a].out ? pieces[i - a].out : pieces[i - a].text;
        if (p->spans[i].kind == JR_SPAN_TEXT && !blank(t, strlen(t)))
            empty = false;
    }
    if (!empty) {
        jr_pos pos = p->leaf_pos.line > 0 ? p->leaf_pos : p->spans[a].pos;
        jr_block *b = add_block(p, p->leaf_kind, pos);
        b->level = p->leaf_kind == JR_BLOCK_HEADING ? p->leaf_level : 0;
        for (size_t i = a; i < z; i++) {
            pending *s = &p->spans[i];
            jr_typo_piece *pc = &pieces[i - a];
            const char *t = pc->out ? pc->out : (s->text.data ? s->text.data : "");
            if (s->kind == JR_SPAN_TEXT && !*t) { /* typography took all of it */
                free(pc->out);
                continue;
            }
            jr_span *sp =
                jr_block_add_span(b, s->kind, s->style, s->kind == JR_SPAN_TEXT ? t : NULL,
                                  s->kind == JR_SPAN_TEXT ? strlen(t) : 0);
            sp->link = s->link;
            sp->pos = s->pos;
            free(pc->out);
        }
    } else {
        for (size_t i = a; i < z; i++)
            free(pieces[i - a].out);
    }
    free(pieces);
    for (size_t i = 0; i < p->nspans; i++)
        jr_buf_free(&p->spans[i].text);
    p->nspans = 0;
    p->leaf_pos.line = p->leaf_pos.col = 0;
}

static void begin_leaf(parser *p, cmark_node *n, jr_block_kind kind)
{
    p->in_leaf = true;
    p->leaf_kind = kind;
    p->leaf_pos = node_pos(p, n);
    p->last_pos = p->leaf_pos;
    p->nspans = 0;
    p->italic = p->bold = 0;
    p->nlinks = 0;
    p->image = NULL;
    if (kind == JR_BLOCK_HEADING) {
        int level = cmark_node_get_heading_level(n);
        p->leaf_level = level < 2 ? 2 : level > 4 ? 4 : level;
    }
}

static void end_leaf(parser *p)
{
    flush_leaf(p);
    p->in_leaf = false;
}

static void emit_figure(parser *p, cmark_node *img)
{
    flush_leaf(p); /* the paragraph so far */
    jr_block *b = add_block(p, JR_BLOCK_FIGURE, node_pos(p, img));
    const char *url = cmark_node_get_url(img);
    const char *title = cmark_node_get_title(img);
    b->image = jr_xstrdup(url ? url : "");
    b->alt = jr_typography(p->alt.data ? p->alt.data : "", p->lang);
    b->caption = title && *title ? jr_typography(title, p->lang) : jr_xstrdup(b->alt);
    jr_buf_free(&p->alt);
    p->image = NULL;
}

static void put_code(jr_buf *out, const char *s, size_t len, bool tab_stops);

static void inline_node(parser *p, cmark_node *n, cmark_event_type ev)
{
    cmark_node_type type = cmark_node_get_type(n);
    bool enter = ev == CMARK_EVENT_ENTER;

    if (p->image) { /* inside an image: collect its text as the alt text */
        if (type == CMARK_NODE_IMAGE && n == p->image && !enter) {
            emit_figure(p, n);
        } else if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) {
            const char *lit = cmark_node_get_literal(n);
            jr_buf_puts(&p->alt, lit ? lit : "");
        } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
            jr_buf_putc(&p->alt, ' ');
        }
        return;
    }

    switch (type) {
    case CMARK_NODE_TEXT: {
        const char *lit = cmark_node_get_literal(n);
        if (lit)
            add_text(p, lit, strlen(lit), 0, node_pos(p, n));
        break;
    }
    case CMARK_NODE_CODE: {
        const char *lit = cmark_node_get_literal(n);
        jr_buf code = {0};
        put_code(&code, lit ? lit : "", lit ? strlen(lit) : 0, false);
        if (code.len)
            add_text(p, code.data, code.len, JR_STYLE_CODE, node_pos(p, n));
        jr_buf_free(&code);
        break;
    }
    case CMARK_NODE_SOFTBREAK:
        add_text(p, " ", 1, 0, node_pos(p, n));
        break;
    case CMARK_NODE_LINEBREAK:
        add_break(p);
        break;
    case CMARK_NODE_HTML_INLINE: {
        const char *lit = cmark_node_get_literal(n);
        if (lit && is_br(lit))
            add_break(p);
        else
            drop_html(p, n);
        break;
    }
    case CMARK_NODE_EMPH:
        p->italic += enter ? 1 : -1;
        break;
    case CMARK_NODE_STRONG:
        p->bold += enter ? 1 : -1;
        break;
    case CMARK_NODE_LINK:
        if (enter) {
            JR_GROW(p->links, p->links_cap, p->nlinks + 1);
            p->links[p->nlinks].node = n;
            p->links[p->nlinks++].index = -1;
        } else if (p->nlinks > 0) {
            p->nlinks--;
        }
        break;
    case CMARK_NODE_IMAGE:
        /* in a heading the image's text stands in for it */
        if (enter && p->leaf_kind == JR_BLOCK_PARAGRAPH) {
            p->image = n;
            jr_buf_free(&p->alt);
            jr_buf_puts(&p->alt, "");
        }
        break;
    default:
        break;
    }
}

/* Code as it can be set: tabs to spaces (to the next tab stop in code
 * blocks), control characters (C0, DEL, C1) left out. */
static void put_code(jr_buf *out, const char *s, size_t len, bool tab_stops)
{
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t') {
            do
                jr_buf_putc(out, ' ');
            while (tab_stops && ++col % CODE_TAB);
            continue;
        }
        if (c < 0x20 || c == 0x7F)
            continue;
        if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9F) {
            i++;
            continue;
        }
        jr_buf_putc(out, (char)c);
        if ((c & 0xC0) != 0x80)
            col++;
    }
}

/* ---- leaf blocks ---- */

/* The source text of body line `line` (1-based) from byte column `col`. */
static const char *source_at(parser *p, int line, int col, size_t *len /* OUT */)
{
    if (!p->line_start) {
        size_t cap = 0;
        JR_GROW(p->line_start, cap, 1);
        p->line_start[p->nlines++] = 0;
        for (size_t i = 0; i < p->srclen; i++) {
            char c = p->src[i];
            if (c == '\r' && i + 1 < p->srclen && p->src[i + 1] == '\n')
                continue;
            if (c == '\n' || c == '\r') {
                JR_GROW(p->line_start, cap, p->nlines + 1);
                p->line_start[p->nlines++] = i + 1;
            }
        }
    }
    *len = 0;
    if (line < 1 || (size_t)line > p->nlines || col < 1)
        return "";
    size_t s = p->line_start[line - 1], e = s;
    while (e < p->srclen && p->src[e] != '\n' && p->src[e] != '\r')
        e++;
    if ((size_t)col - 1 > e - s)
        return "";
    *len = e - (s + (size_t)col - 1);
    return p->src + s + (size_t)col - 1;
}

/* cmark 0.30 does not tell fenced from indented code: a fenced block starts
 * at its fence, an indented one at its first line of code. */
static bool code_is_fenced(parser *p, cmark_node *n, const char *lit)
{
    size_t len;
    const char *s =
        source_at(p, cmark_node_get_start_line(n), cmark_node_get_start_column(n), &len);
    if (len < 3 || (s[0] != '`' && s[0] != '~') || s[1] != s[0] || s[2] != s[0])
        return false;
    size_t first = strcspn(lit, "\n");
    return !(first == len && memcmp(lit, s, len) == 0);
}

static void emit_code(parser *p, cmark_node *n)
{
    const char *lit = cmark_node_get_literal(n);
    if (!lit || !*lit)
        return;
    jr_pos pos = node_pos(p, n);
    jr_block *b = add_block(p, JR_BLOCK_CODE, pos);
    const char *info = cmark_node_get_fence_info(n);
    b->info = info && *info ? jr_xstrdup(info) : NULL;
    int line = pos.line + (code_is_fenced(p, n, lit) ? 1 : 0);
    const char *s = lit;
    jr_buf l = {0};
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        put_code(&l, s, len, true);
        jr_span *sp = jr_block_add_span(b, JR_SPAN_TEXT, 0, l.data ? l.data : "", l.len);
        sp->pos.line = pos.line > 0 ? line : 0;
        sp->pos.col = pos.col;
        line++;
        l.len = 0;
        if (l.data)
            l.data[0] = 0;
        if (!e)
            break;
        s = e + 1;
    }
    jr_buf_free(&l);
}

/* ---- the walk ---- */

static void walk(parser *p, cmark_node *root)
{
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        bool enter = ev == CMARK_EVENT_ENTER;
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_DOCUMENT:
            break;
        case CMARK_NODE_BLOCK_QUOTE:
            if (enter)
                push_cont(p, n, JR_CONT_QUOTE);
            else if (p->nconts > 0)
                p->nconts--;
            break;
        case CMARK_NODE_LIST:
            if (enter)
                push_list(p, n);
            else if (p->nlists > 0)
                p->nlists--;
            break;
        case CMARK_NODE_ITEM:
            if (enter)
                push_cont(p, n, JR_CONT_ITEM);
            else if (p->nconts > 0)
                p->nconts--;
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (enter)
                begin_leaf(p, n,
                           cmark_node_get_type(n) == CMARK_NODE_HEADING ? JR_BLOCK_HEADING
                                                                        : JR_BLOCK_PARAGRAPH);
            else
                end_leaf(p);
            break;
        case CMARK_NODE_CODE_BLOCK:
            emit_code(p, n);
            break;
        case CMARK_NODE_HTML_BLOCK:
            drop_html(p, n);
            break;
        case CMARK_NODE_THEMATIC_BREAK:
            add_block(p, JR_BLOCK_RULE, node_pos(p, n));
            break;
        case CMARK_NODE_CUSTOM_BLOCK:
            break;
        default:
            if (p->in_leaf)
                inline_node(p, n, ev);
            break;
        }
    }
    cmark_iter_free(it);
}

/* A copy of s with each invalid UTF-8 byte replaced by U+FFFD (cmark 0.30
 * passes some of them through), or NULL if s is valid. */
static char *repair_utf8(const char *s, size_t len, size_t *out_len)
{
    size_t bad = jr_utf8_invalid_at(s, len);
    if (bad == (size_t)-1)
        return NULL;
    jr_buf b = {0};
    jr_buf_put(&b, s, bad);
    size_t i = bad;
    while (i < len) {
        uint32_t c;
        size_t l = (unsigned char)s[i] < 0x80 ? 1 : jr_utf8_decode(s + i, len - i, &c);
        if (l == 0) {
            jr_buf_puts(&b, "\xEF\xBF\xBD");
            i++;
        } else {
            jr_buf_put(&b, s + i, l);
            i += l;
        }
    }
    *out_len = b.len;
    return jr_buf_detach(&b);
}

jr_doc *jr_markdown_parse_string(const char *text, size_t len, const char *lang, const char *path,
                                 int first_line)
{
    if (!text)
        text = "", len = 0;
    char *fixed = repair_utf8(text, len, &len);
    if (fixed)
        text = fixed;
    jr_doc *doc = jr_xcalloc(1, sizeof *doc);
    parser p = {0};
    p.doc = doc;
    p.path = path;
    p.lang = lang;
    p.line_off = first_line > 1 ? first_line - 1 : 0;
    p.src = text;
    p.srclen = len;
    cmark_node *root = cmark_parse_document(text, len, CMARK_OPT_SMART | CMARK_OPT_VALIDATE_UTF8);
    if (root) {
        walk(&p, root);
        cmark_node_free(root);
    }
    for (size_t i = 0; i < p.nspans; i++)
        jr_buf_free(&p.spans[i].text);
    free(p.spans);
    free(p.conts);
    free(p.lists);
    free(p.links);
    free(p.line_start);
    free(fixed);
    jr_buf_free(&p.alt);
    return doc;
}

void jr_markdown_parse(jr_article *a, const char *lang)
{
    if (!a)
        return;
    if (!lang)
        lang = a->lang;
    jr_doc_free(a->doc);
    a->doc = jr_markdown_parse_string(a->body, a->body ? a->body_len : 0, lang, a->path,
                                      a->body_line > 0 ? a->body_line : 1);
}
