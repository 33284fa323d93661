/* edition_pages.c: cover, contents, imprint, back cover and section tabs
 * (see edition_pages.h). Everything is measured with the layout's fonts
 * and placed relative to its page size and margins: nothing here knows
 * A4 from A5. Text is set ragged with jr_typeset_plain and placed by
 * put_lines, which can write to any page (the cover and the contents are
 * filled in after the articles). */
#include "edition_pages.h"

#include <math.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "image.h"
#include "markdown.h"
#include "util.h"

/* ---- small helpers ---- */

static jr_color white(void)
{
    jr_color c = {1, 1, 1, 0, 0, 0, 0};
    return c;
}

static jr_color black(void)
{
    jr_color c = {0, 0, 0, 0, 0, 0, 1};
    return c;
}

/* A lighter tone of c: t = 0 is c, t = 1 white. */
static jr_color tint(jr_color c, double t)
{
    jr_color o = {c.r + (1 - c.r) * t, c.g + (1 - c.g) * t, c.b + (1 - c.b) * t, c.c * (1 - t),
                  c.m * (1 - t),       c.y * (1 - t),       c.k * (1 - t)};
    return o;
}

void jr_date_german(const jr_date *d, char *out, size_t outlen)
{
    static const char *const months[] = {"Januar",    "Februar", "M\xC3\xA4rz", "April",
                                         "Mai",       "Juni",    "Juli",        "August",
                                         "September", "Oktober", "November",    "Dezember"};
    if (!d || d->month < 1 || d->month > 12) {
        snprintf(out, outlen, "%s", "");
        return;
    }
    snprintf(out, outlen, "%d. %s %d", d->day, months[d->month - 1], d->year);
}

static jr_item base_item(jr_item_kind kind, jr_item_role role)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.role = role;
    it.dest_page = -1;
    it.image = -1;
    it.article = -1;
    it.block = -1;
    return it;
}

static void add_rect(jr_lstate *ls, int page, double x, double y, double w, double h, jr_color c)
{
    jr_item it = base_item(JR_ITEM_RECT, JR_ROLE_ARTIFACT);
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.color = jr_doclayout_color(ls->dl, c);
    jr_page_add_item(&ls->dl->pages[page], &it);
}

static void add_rule(jr_lstate *ls, int page, double x, double y, double w, double lw, jr_color c)
{
    jr_item it = base_item(JR_ITEM_LINE, JR_ROLE_ARTIFACT);
    it.x = x;
    it.y = y;
    it.w = w;
    it.line_width = lw;
    it.color = jr_doclayout_color(ls->dl, c);
    jr_page_add_item(&ls->dl->pages[page], &it);
}

/* A link area: to a URI, or (uri NULL) to a page and y. */
static void add_link(jr_lstate *ls, int page, double x, double y, double w, double h,
                     const char *uri, int dest_page, double dest_y)
{
    jr_item it = base_item(JR_ITEM_LINK, JR_ROLE_CONTENT);
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.uri = jr_xstrdup(uri);
    it.dest_page = uri ? -1 : dest_page;
    it.dest_y = dest_y;
    it.group = ls->ep_last; /* the text it covers (tagged PDF) */
    jr_page_add_item(&ls->dl->pages[page], &it);
}

/* Set `text` in a role's font (size 0: the role's; else scaled leading)
 * ragged into lines of at most `width`, appended to v. */
static void set_text(jr_lstate *ls, jr_vlist *v, const char *text, jr_font_role role, double size,
                     jr_color color, double width)
{
    if (!text || !*text)
        return;
    const jr_font_style *f = &ls->st->fonts[role];
    double sz = size > 0 ? size : f->size;
    double lead = size > 0 ? f->leading * size / f->size : f->leading;
    jr_typeset_plain(ls, text, ls->role_font[role], sz, lead, color, width, false, v);
}

static void set_caps(jr_lstate *ls, jr_vlist *v, const char *text, jr_font_role role, double size,
                     jr_color color, double width)
{
    char *u = jr_upcase(text);
    size_t e0 = v->n;
    /* broken narrower: the letter spacing comes on top */
    set_text(ls, v, u, role, size, color, width * 0.88);
    jr_vlist_track(v, e0, 0.06);
    free(u);
}

static double line_used(const jr_vlist *v, const jr_velem *e)
{
    if (!e->npieces)
        return 0;
    const jr_piece *lp = &v->p[e->first_piece + e->npieces - 1];
    return lp->x + lp->w;
}

/* Widest line of v [pt]. */
static double vwidth(const jr_vlist *v)
{
    double w = 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->e[i].kind == JR_V_LINE && line_used(v, &v->e[i]) > w)
            w = line_used(v, &v->e[i]);
    return w;
}

static double vheight(const jr_vlist *v)
{
    double pos = 0;
    for (size_t i = 0; i < v->n; i++)
        pos += v->e[i].kind == JR_V_LINE ? v->e[i].ascent + v->e[i].descent : v->e[i].ascent;
    return pos;
}

/* Emit v's lines one below the other from `top` at x on page `page`
 * (align: 0 left, 1 right-aligned to x + width, 2 centred). Returns the
 * height used. The pieces' strings go to the page. */
static double put_lines(jr_lstate *ls, int page, jr_vlist *v, double x, double top, double width,
                        int align, jr_item_role role)
{
    jr_page *pg = &ls->dl->pages[page];
    double pos = 0;
    int group = ls->ep_fixed ? ls->ep_group : ++ls->ep_group; /* one text unit (tagged PDF) */
    ls->ep_last = group;
    for (size_t i = 0; i < v->n; i++) {
        jr_velem *e = &v->e[i];
        if (e->kind != JR_V_LINE) {
            pos += e->ascent;
            continue;
        }
        double bl = pos + e->ascent;
        double used = line_used(v, e);
        double shift = align == 1 ? width - used : align == 2 ? (width - used) / 2 : 0;
        for (size_t k = 0; k < e->npieces; k++) {
            jr_piece *p = &v->p[e->first_piece + k];
            jr_item it = base_item(JR_ITEM_TEXT, role);
            it.group = group;
            it.tag = (jr_item_tag)ls->ep_tag;
            it.x = x + e->x + p->x + shift;
            it.y = top - bl;
            it.w = p->w;
            it.color = jr_doclayout_color(ls->dl, p->color);
            it.font = p->font;
            it.size = p->size;
            it.text = p->text ? p->text : jr_xstrdup("");
            it.kern = p->kern;
            p->text = NULL;
            p->kern = NULL;
            jr_page_add_item(pg, &it);
        }
        pos = bl + e->descent;
    }
    return pos;
}

/* The region of a page type on page `page`. */
static void region(const jr_lstate *ls, jr_page_type type, int page, jr_region *r)
{
    bool left = page >= 0 && (size_t)page < ls->dl->npages ? ls->dl->pages[page].left : false;
    jr_page_region(ls->st, type, left, r);
}

static double rwidth(const jr_region *r)
{
    return r->x[r->ncols - 1] + r->colw - r->x[0];
}

/* Saved fields of the layout state while edition pages are set. */
typedef struct saved {
    int article;
    const jr_article *a;
    const jr_doc *doc;
    const char *lang, *section_title;
    jr_hyphenator *hyph;
    bool hyph_loaded;
    jr_color section_color;
    jr_page_type page_type;
} saved;

static saved enter(jr_lstate *ls)
{
    saved s = {ls->article, ls->a,           ls->doc,           ls->lang,     ls->section_title,
               ls->hyph,    ls->hyph_loaded, ls->section_color, ls->page_type};
    const jr_journal *j = ls->ctx->journal;
    ls->article = -1;
    ls->a = NULL;
    ls->doc = NULL;
    ls->lang = j && j->language ? j->language : "de";
    ls->hyph = NULL;
    ls->hyph_loaded = true; /* ragged display text: no hyphenation */
    ls->section_title = NULL;
    ls->section_color = ls->st->accent_color;
    return s;
}

static void leave(jr_lstate *ls, const saved *s)
{
    ls->article = s->article;
    ls->a = s->a;
    ls->doc = s->doc;
    ls->lang = s->lang;
    ls->section_title = s->section_title;
    ls->hyph = s->hyph;
    ls->hyph_loaded = s->hyph_loaded;
    ls->section_color = s->section_color;
    ls->page_type = s->page_type;
}

static char *authors_text(const jr_article *a)
{
    if (a->nauthors == 0)
        return NULL;
    jr_buf b = {0};
    for (size_t i = 0; i < a->nauthors; i++) {
        if (i > 0)
            jr_buf_puts(&b, i + 1 == a->nauthors ? " und " : ", ");
        jr_buf_puts(&b, a->authors[i]);
    }
    return jr_buf_detach(&b);
}

static const jr_section *article_section(const jr_lstate *ls, const jr_article *a)
{
    return jr_journal_section(ls->ctx->journal, a->section);
}

static jr_color section_color(const jr_lstate *ls, const jr_section *sec)
{
    return sec && sec->has_color ? sec->color : ls->st->accent_color;
}

/* Printed page number of page index p. */
static char *folio(const jr_lstate *ls, int p)
{
    if (p >= 0 && (size_t)p < ls->dl->npages && ls->dl->pages[p].label)
        return jr_xstrdup(ls->dl->pages[p].label);
    return jr_xasprintf("%d", p + 1);
}

static int article_page(const jr_lstate *ls, size_t i)
{
    if (!ls->dl->article_page || i >= ls->dl->narticle_page)
        return -1;
    return ls->dl->article_page[i];
}

/* Where a link to a page lands: the top of its text area. */
static double dest_top(const jr_lstate *ls)
{
    return ls->st->page_height - ls->st->margin_top;
}

/* ---- section tabs ---- */

void jr_edition_section_tab(jr_lstate *ls, int page)
{
    const jr_style *st = ls->st;
    const jr_journal *j = ls->ctx ? ls->ctx->journal : NULL;
    if (!st->edition_pages || !j || !ls->section_title || page < 0 ||
        (size_t)page >= ls->dl->npages)
        return;
    size_t k = 0;
    while (k < j->nsections && j->sections[k].title != ls->section_title)
        k++;
    if (k == j->nsections)
        return;
    /* thumb-index tabs: each section at its own height, from the top of the
     * text area down; in the outer margin, bleeding off the trim edge */
    double n = (double)j->nsections;
    double area = (st->page_height - st->margin_top - st->margin_bottom) * 0.55;
    double step = area / n;
    if (step > JR_MM(24))
        step = JR_MM(24);
    double h = step - JR_MM(1.5);
    double w = st->margin_outside * 0.32;
    if (w > JR_MM(6))
        w = JR_MM(6);
    double bleed = st->bleed > 0 ? st->bleed : 0;
    double top = st->page_height - st->margin_top - (double)k * step;
    bool left = st->facing && ls->dl->pages[page].left;
    double x = left ? -bleed : st->page_width - w;
    add_rect(ls, page, x, top - h, w + bleed, h, section_color(ls, &j->sections[k]));
}

/* ---- contents ---- */

/* One unbreakable piece of the contents: text in v at offsets, plus an
 * optional link to an article page and decorations. */
typedef struct unit {
    jr_vlist v;          /* main text (title, author) at x + indent */
    jr_vlist num;        /* page number, right-aligned in the number column */
    double indent;       /* of v from the column's left edge [pt] */
    double numw;         /* number column width [pt] */
    double h;            /* height [pt] */
    double space_before; /* dropped at the top of a column [pt] */
    bool keep_with_next; /* a section head */
    bool header;         /* the page title "Inhalt" across the text area */
    int dest;            /* article page to link to, -1: none */
    jr_color color;      /* section colour (marks, rules) */
    bool section_head;   /* draw a rule and a square */
    const char *uri;     /* external link over the text, or NULL (not owned) */
    bool colbreak;       /* starts the next column (if there is one) */
    /* contents: what depends on the spacing factor sp (units_respace) */
    double h0;   /* h without its spacing part [pt] */
    double h_k;  /* h = h0 + body leading * h_k * sp */
    double sb_k; /* space_before = body leading * sb_k * sp */
} unit;

typedef struct units {
    unit *u;
    size_t n, cap;
} units;

static unit *unit_add(units *us)
{
    JR_GROW(us->u, us->cap, us->n + 1);
    unit *u = &us->u[us->n++];
    memset(u, 0, sizeof *u);
    u->dest = -1;
    return u;
}

static void units_free(units *us)
{
    for (size_t i = 0; i < us->n; i++) {
        jr_vlist_free(&us->u[i].v);
        jr_vlist_free(&us->u[i].num);
    }
    free(us->u);
    memset(us, 0, sizeof *us);
}

/* Build the contents' units for a column `colw` wide and a text area `tw`
 * wide. With `known` the page numbers are the articles' pages, else
 * placeholders of the same width. */
static void contents_units(jr_lstate *ls, double colw, double tw, bool known, double sp, units *us)
{
    const jr_style *st = ls->st;
    const jr_edition *ed = ls->ctx->edition;
    const jr_font_style *head = &st->fonts[JR_ROLE_HEADING];
    const jr_font_style *body = &st->fonts[JR_ROLE_BODY];
    double numsize = head->size * 1.35;
    double numw = jr_typeset_width(ls, "888", ls->role_font[JR_ROLE_TITLE], numsize) + body->size;
    /* the page title */
    unit *u = unit_add(us);
    u->header = true;
    set_text(ls, &u->v, "Inhalt", JR_ROLE_TITLE, 0, st->accent_color, tw);
    if (ed) {
        char *line;
        if (ed->theme)
            line = jr_xasprintf("Ausgabe %d/%d \xC2\xB7 %s", ed->number, ed->year, ed->theme);
        else
            line = jr_xasprintf("Ausgabe %d/%d", ed->number, ed->year);
        jr_vlist_space(&u->v, st->fonts[JR_ROLE_SUBTITLE].leading * 0.2);
        set_text(ls, &u->v, line, JR_ROLE_SUBTITLE, 0, st->fonts[JR_ROLE_SUBTITLE].color, tw);
        free(line);
    }
    u->h0 = vheight(&u->v);
    u->h_k = 1.5;
    u->h = u->h0 + body->leading * u->h_k * sp;
    const jr_section *prev = NULL;
    bool first_group = true;
    for (size_t i = 0; ed && i < ed->narticles; i++) {
        const jr_article *a = &ed->articles[i];
        const jr_section *sec = article_section(ls, a);
        jr_color col = section_color(ls, sec);
        bool editorial = a->editorial && !sec;
        if (first_group || sec != prev) {
            const char *name = sec ? sec->title : editorial ? "Editorial" : NULL;
            if (name) {
                unit *g = unit_add(us);
                g->section_head = true;
                g->keep_with_next = true;
                g->color = col;
                g->sb_k = first_group ? 0 : 1.2;
                g->space_before = first_group ? 0 : body->leading * g->sb_k * sp;
                g->indent = st->fonts[JR_ROLE_KICKER].size * 1.4;
                set_caps(ls, &g->v, name, JR_ROLE_KICKER, 0, col, colw - g->indent);
                g->h = g->h0 = vheight(&g->v) + body->leading * 0.45;
            }
        }
        first_group = false;
        prev = sec;
        unit *e = unit_add(us);
        e->color = col;
        e->numw = numw;
        e->indent = numw;
        e->sb_k = 0.45;
        e->space_before = body->leading * e->sb_k * sp;
        e->dest = known ? article_page(ls, i) : 0;
        char *num = known ? folio(ls, e->dest) : jr_xstrdup("88");
        set_text(ls, &e->num, num, JR_ROLE_TITLE, numsize, col, numw);
        free(num);
        char *title = jr_typography(a->title ? a->title : "", ls->lang);
        jr_color tc = head->color;
        ls->a = a; /* a title too long for its line is reported at its article */
        set_text(ls, &e->v, title, JR_ROLE_HEADING, 0, tc, colw - numw);
        ls->a = NULL;
        free(title);
        char *by = authors_text(a);
        if (by) {
            jr_vlist_space(&e->v, 1);
            set_text(ls, &e->v, by, JR_ROLE_BYLINE, 0, st->fonts[JR_ROLE_BYLINE].color,
                     colw - numw);
            free(by);
        }
        double hn = vheight(&e->num);
        double hv = vheight(&e->v);
        e->h = e->h0 = hv > hn ? hv : hn;
    }
}

/* The contents' units for spacing factor sp, as contents_units would set
 * them (the texts do not depend on it). */
static void units_respace(jr_lstate *ls, units *us, double sp)
{
    const jr_font_style *body = &ls->st->fonts[JR_ROLE_BODY];
    for (size_t i = 0; i < us->n; i++) {
        unit *u = &us->u[i];
        u->space_before = u->sb_k != 0 ? body->leading * u->sb_k * sp : 0;
        u->h = u->h_k != 0 ? u->h0 + body->leading * u->h_k * sp : u->h0;
    }
}

/* Place the units into the contents region of pages first.. (as many as
 * needed; with place == false only counted). Returns the pages used. */
static int contents_flow(jr_lstate *ls, units *us, jr_page_type type, int first, int npages,
                         bool place, const jr_region *over, bool *overflow)
{
    const jr_style *st = ls->st;
    int page = 0, col = 0;
    double y = 0; /* used height of the current column */
    jr_region r;
    region(ls, type, place ? first : -1, &r);
    if (over)
        r = *over; /* the first page's frame */
    if (overflow)
        *overflow = false;
    /* contents that fit into the columns of one page are balanced: a
     * column ends once it holds its share */
    double share = 0;
    if (type == JR_PAGE_CONTENTS && r.ncols > 1) {
        double total = 0, head = 0;
        for (size_t i = 0; i < us->n; i++) {
            if (us->u[i].header)
                head += us->u[i].h;
            else
                total += us->u[i].space_before + us->u[i].h;
        }
        if (total + head * r.ncols < (r.height - head) * r.ncols * 0.85)
            share = total / r.ncols;
    }
    for (size_t i = 0; i < us->n; i++) {
        unit *u = &us->u[i];
        double sb = y > 0 ? u->space_before : 0;
        double need = sb + u->h;
        if (u->keep_with_next && i + 1 < us->n)
            need += us->u[i + 1].space_before + us->u[i + 1].h;
        bool brk = u->colbreak && col + 1 < r.ncols;
        if (share > 0 && col + 1 < r.ncols && y + need / 2 > share)
            brk = true;
        if (y > 0 && (brk || y + need > r.height + 0.01)) {
            col++;
            y = 0;
            sb = 0;
            if (col >= r.ncols) {
                col = 0;
                if (!place || page + 1 < npages)
                    page++;
                if (place)
                    region(ls, type, first + page, &r);
            }
        }
        y += sb;
        double x = u->header ? r.x[0] : r.x[col];
        double top = r.top - y;
        if (place) {
            int pg = first + page;
            if (u->section_head) {
                double sq = st->fonts[JR_ROLE_KICKER].size * 0.75;
                const jr_velem *e0 = u->v.n ? &u->v.e[0] : NULL;
                double bl = top - (e0 ? e0->ascent : sq);
                add_rect(ls, pg, x, bl, sq, sq, u->color);
                add_rule(ls, pg, x, top - u->h + 2, r.colw, 0.6, u->color);
            }
            /* one unit: the page title (H1), an entry (TOCI) or a section head */
            ls->ep_group++;
            ls->ep_fixed = true;
            ls->ep_tag = u->header                         ? JR_TAG_TITLE
                         : u->dest >= 0 || u->section_head ? JR_TAG_TOC_ENTRY
                                                           : JR_TAG_AUTO;
            if (u->num.n)
                put_lines(ls, pg, &u->num, x, top, u->numw - st->fonts[JR_ROLE_BODY].size, 1,
                          JR_ROLE_CONTENT); /* right-aligned: units under units */
            double wv = u->header ? rwidth(&r) : r.colw - u->indent;
            put_lines(ls, pg, &u->v, x + u->indent, top, wv, 0, JR_ROLE_CONTENT);
            ls->ep_fixed = false;
            ls->ep_tag = JR_TAG_AUTO;
            if (u->dest >= 0)
                add_link(ls, pg, x, top - u->h, r.colw, u->h, NULL, u->dest, dest_top(ls));
            if (u->uri)
                add_link(ls, pg, x + u->indent, top - u->h, vwidth(&u->v), u->h, u->uri, -1, 0);
        }
        y += u->h;
        if (overflow && y > r.height + 0.01)
            *overflow = true;
        /* the header spans the text area; columns start below it */
        if (u->header && r.ncols > 1) {
            r.top -= y;
            r.height -= y;
            y = 0;
        }
    }
    return page + 1;
}

/* ---- cover ---- */

static int cover_image(jr_lstate *ls, double *pw, double *ph)
{
    const jr_journal *j = ls->ctx->journal;
    const jr_edition *ed = ls->ctx->edition;
    if (!ed || !ed->cover_image || !*ed->cover_image)
        return -1;
    bool outside = false;
    const char *dir = ed->dir ? ed->dir : ".";
    char *path = jr_image_resolve(j && j->root ? j->root : dir, dir, ed->cover_image, &outside);
    if (!path)
        return -1;
    jr_image_info info;
    char why[200];
    int id = -1;
    if (jr_image_check(path, &info, why, sizeof why) == 0 && info.width > 0 && info.height > 0) {
        *pw = info.width;
        *ph = info.height;
        id = jr_doclayout_add_image(ls->dl, path, (int)info.width, (int)info.height,
                                    ed->cover_alt && *ed->cover_alt ? ed->cover_alt
                                                                    : ed->cover_caption);
    }
    free(path);
    return id;
}

/* Three to five teasers: the first article of each section, in order,
 * then more articles in order up to three. Returns how many. */
static size_t pick_teasers(const jr_lstate *ls, size_t *out, size_t max)
{
    const jr_edition *ed = ls->ctx->edition;
    size_t n = 0;
    if (!ed)
        return 0;
    for (size_t i = 0; i < ed->narticles && n < max; i++) {
        const jr_article *a = &ed->articles[i];
        const jr_section *sec = article_section(ls, a);
        if (a->editorial || !sec)
            continue;
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = article_section(ls, &ed->articles[out[k]]) == sec;
        if (!seen)
            out[n++] = i;
    }
    for (size_t i = 0; i < ed->narticles && n < 3 && n < max; i++) {
        bool seen = ed->articles[i].editorial;
        for (size_t k = 0; k < n && !seen; k++)
            seen = out[k] == i;
        if (!seen)
            out[n++] = i;
    }
    /* in page order */
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
            size_t t = out[b];
            out[b] = out[b - 1];
            out[b - 1] = t;
        }
    return n;
}

static void fill_cover(jr_lstate *ls, int page)
{
    const jr_style *st = ls->st;
    const jr_journal *j = ls->ctx->journal;
    const jr_edition *ed = ls->ctx->edition;
    double W = st->page_width, H = st->page_height;
    double bleed = st->bleed > 0 ? st->bleed : 0;
    jr_region r;
    region(ls, JR_PAGE_COVER, page, &r);
    double x0 = r.x[0], tw = rwidth(&r), top = r.top, bottom = r.top - r.height;
    double lead = st->fonts[JR_ROLE_BODY].leading;

    /* the masthead on a band of the accent colour, bleeding off three edges */
    jr_vlist mv = {0};
    set_text(ls, &mv, j && j->title ? j->title : "", JR_ROLE_MASTHEAD, 0, white(), tw);
    if (j && j->subtitle) {
        jr_vlist_space(&mv, st->fonts[JR_ROLE_SUBTITLE].leading * 0.2);
        set_text(ls, &mv, j->subtitle, JR_ROLE_SUBTITLE, 0, white(), tw);
    }
    double pad = st->margin_top * 0.75;
    double band_bottom = top - vheight(&mv) - pad;
    add_rect(ls, page, -bleed, band_bottom, W + 2 * bleed, H + bleed - band_bottom,
             st->accent_color);
    put_lines(ls, page, &mv, x0, top, tw, 0, JR_ROLE_CONTENT);
    jr_vlist_free(&mv);

    /* edition, date and theme */
    double y = band_bottom - lead * 1.5;
    jr_vlist ev = {0};
    char date[40];
    jr_date_german(ed ? &ed->date : NULL, date, sizeof date);
    char *eline = ed ? jr_xasprintf("Ausgabe %d/%d%s%s", ed->number, ed->year,
                                    *date ? " \xC2\xB7 " : "", date)
                     : jr_xstrdup("");
    set_text(ls, &ev, eline, JR_ROLE_KICKER, st->fonts[JR_ROLE_KICKER].size * 1.25,
             st->accent_color, tw);
    free(eline);
    if (ed && ed->theme) {
        const jr_font_style *tf = &st->fonts[JR_ROLE_TITLE];
        jr_vlist_space(&ev, lead * 0.3);
        char *theme = jr_typography(ed->theme, ls->lang);
        set_text(ls, &ev, theme, JR_ROLE_TITLE, tf->size * 1.2, tf->color, tw);
        free(theme);
    }
    y -= put_lines(ls, page, &ev, x0, y, tw, 0, JR_ROLE_CONTENT);
    jr_vlist_free(&ev);
    y -= lead;

    /* teasers at the foot: a row (or a 2 x 2 grid on narrow pages) */
    size_t pick[5];
    size_t nt = pick_teasers(ls, pick, tw >= JR_MM(150) ? 4 : 4);
    int ncols = nt == 0 ? 1 : tw >= JR_MM(150) ? (int)nt : 2;
    double cg = st->gutter;
    double cw = (tw - cg * (ncols - 1)) / ncols;
    double bar = 2.5, below_bar = lead * 0.5;
    jr_vlist *cells = jr_xcalloc(nt ? nt : 1, sizeof *cells);
    double rowh[5] = {0};
    int nrows = nt ? (int)((nt + (size_t)ncols - 1) / (size_t)ncols) : 0;
    for (size_t k = 0; k < nt; k++) {
        const jr_article *a = &ed->articles[pick[k]];
        const jr_section *sec = article_section(ls, a);
        jr_color col = section_color(ls, sec);
        if (sec)
            set_caps(ls, &cells[k], sec->title, JR_ROLE_KICKER, 0, col, cw);
        char *title = jr_typography(a->title ? a->title : "", ls->lang);
        jr_vlist_space(&cells[k], 2);
        ls->a = a; /* a title too long for its teaser is reported at its article */
        set_text(ls, &cells[k], title, JR_ROLE_HEADING, st->fonts[JR_ROLE_HEADING].size * 0.8,
                 st->fonts[JR_ROLE_HEADING].color, cw);
        ls->a = NULL;
        free(title);
        char *pg = folio(ls, article_page(ls, pick[k]));
        char *seite = jr_xasprintf("Seite %s", pg);
        jr_vlist_space(&cells[k], 2);
        set_text(ls, &cells[k], seite, JR_ROLE_KICKER, 0, col, cw);
        free(seite);
        free(pg);
        double h = bar + below_bar + vheight(&cells[k]);
        int row = (int)k / ncols;
        if (h > rowh[row])
            rowh[row] = h;
    }
    double teasers_h = 0;
    for (int rr = 0; rr < nrows; rr++)
        teasers_h += rowh[rr] + (rr > 0 ? lead : 0);
    double teaser_top = bottom + teasers_h;
    double ry = teaser_top;
    for (int rr = 0; rr < nrows; rr++) {
        for (int c = 0; c < ncols; c++) {
            size_t k = (size_t)(rr * ncols + c);
            if (k >= nt)
                break;
            const jr_article *a = &ed->articles[pick[k]];
            jr_color col = section_color(ls, article_section(ls, a));
            double cx = x0 + c * (cw + cg);
            add_rect(ls, page, cx, ry - bar, cw, bar, col);
            put_lines(ls, page, &cells[k], cx, ry - bar - below_bar, cw, 0, JR_ROLE_CONTENT);
            add_link(ls, page, cx, ry - rowh[rr], cw, rowh[rr], NULL, article_page(ls, pick[k]),
                     dest_top(ls));
        }
        ry -= rowh[rr] + lead;
    }
    for (size_t k = 0; k < nt; k++)
        jr_vlist_free(&cells[k]);
    free(cells);

    /* the cover image across the page (bleeding off both sides), its caption */
    jr_vlist cv = {0};
    if (ed && ed->cover_caption) {
        char *cap = jr_typography(ed->cover_caption, ls->lang);
        set_text(ls, &cv, cap, JR_ROLE_CAPTION, 0, st->fonts[JR_ROLE_CAPTION].color, tw);
        free(cap);
    }
    double ch = vheight(&cv);
    double pw = 0, ph = 0;
    int img = cover_image(ls, &pw, &ph);
    double avail = y - teaser_top - lead * 1.5 - (ch > 0 ? ch + 4 : 0);
    if (img >= 0 && avail > lead * 3) {
        /* bleeding off both sides if the height allows it, else as wide as
         * the type area, else as high as there is room for */
        double w = W + 2 * bleed, h = w * ph / pw, x = -bleed;
        if (h > avail) {
            w = tw;
            h = w * ph / pw;
            x = x0;
        }
        if (h > avail) {
            h = avail;
            w = h * pw / ph;
            x = x0 + (tw - w) / 2;
        }
        jr_item it = base_item(JR_ITEM_IMAGE, JR_ROLE_CONTENT);
        it.x = x;
        it.y = y - h;
        it.w = w;
        it.h = h;
        it.image = img;
        jr_page_add_item(&ls->dl->pages[page], &it);
        y -= h + 4;
    } else if (img < 0 && avail > lead * 3 && j && j->nsections > 0) {
        /* no cover image: the sections' colours as light bands across the
         * page, bleeding off both sides */
        double h = avail < tw * 0.6 ? avail : tw * 0.6;
        double bw = (W + 2 * bleed) / (double)j->nsections;
        for (size_t k = 0; k < j->nsections; k++)
            add_rect(ls, page, -bleed + bw * (double)k, y - h, bw + 0.01, h,
                     tint(section_color(ls, &j->sections[k]), 0.55));
        y -= h + 4;
    }
    put_lines(ls, page, &cv, x0, y, tw, 0, JR_ROLE_CONTENT);
    jr_vlist_free(&cv);
}

/* ---- imprint ---- */

static void pair(jr_lstate *ls, units *us, const char *label, const char *const *lines, size_t n,
                 double colw, const char *uri, jr_font_role role, bool colbreak, bool small)
{
    const jr_style *st = ls->st;
    if (small)
        role = JR_ROLE_CAPTION; /* the imprint in a box: small print */
    double ls_size = small ? st->fonts[JR_ROLE_CAPTION].size : 0;
    size_t have = 0;
    for (size_t i = 0; i < n; i++)
        have += lines[i] && *lines[i];
    if (!have)
        return;
    unit *l = unit_add(us);
    l->keep_with_next = true;
    l->colbreak = colbreak;
    l->space_before = st->fonts[small ? JR_ROLE_CAPTION : JR_ROLE_BODY].leading * 0.8;
    set_caps(ls, &l->v, label, JR_ROLE_KICKER, ls_size, st->accent_color, colw);
    l->h = vheight(&l->v);
    unit *v = unit_add(us);
    v->uri = uri;
    for (size_t i = 0; i < n; i++)
        if (lines[i] && *lines[i])
            set_text(ls, &v->v, lines[i], role, 0, st->fonts[role].color, colw);
    v->h = vheight(&v->v);
}

/* The imprint's units: a heading (the title's font on a page of its own,
 * the heading's in a box) and label/value pairs in two groups. */
static void imprint_units(jr_lstate *ls, units *us, double colw, double tw, bool box)
{
    const jr_style *st = ls->st;
    const jr_journal *j = ls->ctx->journal;
    const jr_edition *ed = ls->ctx->edition;
    unit *h = unit_add(us);
    h->header = true;
    set_text(ls, &h->v, "Impressum", box ? JR_ROLE_HEADING : JR_ROLE_TITLE, 0, st->accent_color,
             tw);
    h->h = vheight(&h->v) + st->fonts[JR_ROLE_BODY].leading * (box ? 0.2 : 0.5);
    if (j) {
        const char *title[] = {j->title, j->subtitle};
        pair(ls, us, "Zeitschrift", title, 2, colw, NULL, JR_ROLE_BODY, false, box);
        const char *pub[] = {j->publisher};
        pair(ls, us, "Herausgeber", pub, 1, colw, NULL, JR_ROLE_BODY, false, box);
        char *tel = j->contact.phone ? jr_xasprintf("Telefon %s", j->contact.phone) : NULL;
        char *mail = j->contact.email ? jr_xasprintf("E-Mail %s", j->contact.email) : NULL;
        const char *contact[] = {j->contact.name, j->contact.address, tel, mail};
        char *mailto = j->contact.email ? jr_xasprintf("mailto:%s", j->contact.email) : NULL;
        pair(ls, us, "Kontakt", contact, 4, colw, NULL, JR_ROLE_BODY, false, box);
        const char *editor[] = {j->editor};
        pair(ls, us, "Verantwortlich (V. i. S. d. P.)", editor, 1, colw, NULL, JR_ROLE_BODY, false,
             box);
        const char *shop[] = {j->print_shop};
        pair(ls, us, "Druck", shop, 1, colw, NULL, JR_ROLE_BODY, false, box);
        char date[40];
        jr_date_german(ed ? &ed->date : NULL, date, sizeof date);
        char *issue = ed ? jr_xasprintf("Ausgabe %d/%d%s%s", ed->number, ed->year,
                                        *date ? ", erschienen am " : "", date)
                         : NULL;
        char *theme = ed && ed->theme ? jr_xasprintf("Thema: %s", ed->theme) : NULL;
        const char *iss[] = {issue, theme};
        pair(ls, us, "Diese Ausgabe", iss, 2, colw, NULL, JR_ROLE_BODY, true, box);
        char *atom = j->base_url ? jr_xasprintf("%satom.xml", j->base_url) : NULL;
        char *rss = j->base_url ? jr_xasprintf("%srss.xml", j->base_url) : NULL;
        const char *web[] = {j->base_url, atom ? "Atom-Feed:" : NULL, atom,
                             rss ? "RSS-Feed:" : NULL, rss};
        pair(ls, us, "Online", web, 5, colw, j->base_url, JR_ROLE_CAPTION, false, box);
        char *design =
            jr_xasprintf("Layout \xE2\x80\x9E%s\xE2\x80\x9C, gesetzt aus der %s und der %s",
                         st->name ? st->name : "", st->fonts[JR_ROLE_BODY].family,
                         st->fonts[JR_ROLE_HEADING].family);
        const char *des[] = {design};
        pair(ls, us, "Gestaltung", des, 1, colw, NULL, JR_ROLE_BODY, false, box);
        const char *copy[] = {j->copyright};
        pair(ls, us, "Rechte", copy, 1, colw, NULL, JR_ROLE_BODY, false, box);
        free(tel);
        free(mail);
        free(mailto);
        free(issue);
        free(theme);
        free(atom);
        free(rss);
        free(design);
    }
}

static void imprint_page(jr_lstate *ls)
{
    ls->section_title = "Impressum";
    int page = jr_flow_new_page(ls, JR_PAGE_IMPRINT);
    jr_doclayout_add_outline(ls->dl, 0, "Impressum", page, dest_top(ls));
    jr_region r;
    region(ls, JR_PAGE_IMPRINT, page, &r);
    units us = {0};
    imprint_units(ls, &us, r.colw, rwidth(&r), false);
    contents_flow(ls, &us, JR_PAGE_IMPRINT, page, 1, true, NULL, NULL);
    units_free(&us);
}

/* The imprint in the frame of the imprint page type's columns between y
 * `top` and `bottom` on page `page` (with a rule above); false (and nothing
 * set) when it does not fit. */
static bool imprint_frame(jr_lstate *ls, int page, double top, double bottom, bool rule)
{
    const jr_style *st = ls->st;
    double lead = st->fonts[JR_ROLE_BODY].leading;
    jr_region r;
    region(ls, JR_PAGE_IMPRINT, page, &r);
    r.top = top;
    r.height = top - bottom;
    if (r.height < lead * 6)
        return false;
    if (r.ncols == 1 && r.colw >= 300) {
        /* small print goes into two columns */
        r.ncols = 2;
        r.colw = (r.colw - st->gutter) / 2;
        r.x[1] = r.x[0] + r.colw + st->gutter;
    }
    units us = {0};
    imprint_units(ls, &us, r.colw, rwidth(&r), true);
    bool overflow = true;
    int n = contents_flow(ls, &us, JR_PAGE_IMPRINT, page, 1, false, &r, &overflow);
    bool fits = n == 1 && !overflow;
    if (fits) {
        if (rule)
            add_rule(ls, page, r.x[0], r.top + lead * 0.8, rwidth(&r), 0.8, st->accent_color);
        contents_flow(ls, &us, JR_PAGE_IMPRINT, page, 1, true, &r, NULL);
        jr_doclayout_add_outline(ls->dl, 0, "Impressum", page, r.top + lead);
    }
    units_free(&us);
    return fits;
}

/* The imprint below what page `page` holds, if it fits there. */
static bool imprint_box(jr_lstate *ls, int page)
{
    const jr_style *st = ls->st;
    jr_doclayout *dl = ls->dl;
    if (page < 1 || (size_t)page >= dl->npages)
        return false;
    const jr_page *pg = &dl->pages[page];
    double low = st->page_height - st->margin_top;
    for (size_t i = 0; i < pg->nitems; i++) {
        const jr_item *it = &pg->items[i];
        if (it->role != JR_ROLE_CONTENT || it->kind == JR_ITEM_LINK)
            continue;
        double y = it->kind == JR_ITEM_TEXT ? it->y - it->size * 0.3 : it->y;
        if (y < low)
            low = y;
    }
    double lead = st->fonts[JR_ROLE_BODY].leading;
    return imprint_frame(ls, page, low - lead * 2, st->margin_bottom, true);
}

/* Take back the last page (a back cover set to try whether the imprint
 * fits on it). */
static void drop_last_page(jr_doclayout *dl)
{
    jr_page_clear(&dl->pages[dl->npages - 1]);
    dl->npages--;
}

/* ---- back cover ---- */

/* A QR code of `text`, `size` pt square with its quiet zone (4 modules),
 * top-left corner at (x, top): black modules on white. */
static void qr_code(jr_lstate *ls, int page, const char *text, double x, double top, double size)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return;
    int n = q->width, quiet = 4;
    double m = size / (n + 2 * quiet);
    add_rect(ls, page, x, top - size, size, size, white());
    for (int row = 0; row < n; row++) {
        int col = 0;
        while (col < n) {
            if (!(q->data[row * n + col] & 1)) {
                col++;
                continue;
            }
            int start = col;
            while (col < n && (q->data[row * n + col] & 1))
                col++;
            /* a hair taller, so that rows join without seams */
            add_rect(ls, page, x + (quiet + start) * m, top - (quiet + row + 1) * m - 0.02,
                     (col - start) * m, m + 0.04, black());
        }
    }
    QRcode_free(q);
}

/* Stack units from top at x; returns the height. */
static double stack_units(jr_lstate *ls, int page, units *us, double x, double top, double width)
{
    double y = 0;
    for (size_t i = 0; i < us->n; i++) {
        unit *u = &us->u[i];
        if (y > 0)
            y += u->space_before;
        put_lines(ls, page, &u->v, x + u->indent, top - y, width - u->indent, 0, JR_ROLE_CONTENT);
        if (u->uri)
            add_link(ls, page, x + u->indent, top - y - u->h, vwidth(&u->v), u->h, u->uri, -1, 0);
        y += u->h;
    }
    return y;
}

static double units_height(const units *us)
{
    double y = 0;
    for (size_t i = 0; i < us->n; i++)
        y += (i > 0 ? us->u[i].space_before : 0) + us->u[i].h;
    return y;
}

static void line_unit(jr_lstate *ls, units *us, const char *text, jr_font_role role, jr_color c,
                      double width, double space_before, const char *uri, bool caps)
{
    if (!text || !*text)
        return;
    unit *u = unit_add(us);
    u->space_before = space_before;
    u->uri = uri;
    if (caps)
        set_caps(ls, &u->v, text, role, 0, c, width);
    else
        set_text(ls, &u->v, text, role, 0, c, width);
    u->h = vheight(&u->v);
}

/* The back cover; `with_imprint`: the imprint between the masthead and the
 * contact block instead of the sections; false when it does not fit (the
 * page is set all the same: the caller takes it back). */
static bool back_cover(jr_lstate *ls, bool with_imprint)
{
    const jr_style *st = ls->st;
    const jr_journal *j = ls->ctx->journal;
    ls->section_title = NULL;
    int page = jr_flow_new_page(ls, JR_PAGE_IMPRINT);
    jr_region r;
    region(ls, JR_PAGE_COVER, page, &r);
    double x0 = r.x[0], tw = rwidth(&r), top = r.top, bottom = r.top - r.height;
    double W = st->page_width;
    double bleed = st->bleed > 0 ? st->bleed : 0;
    double lead = st->fonts[JR_ROLE_BODY].leading;
    jr_color bodyc = st->fonts[JR_ROLE_BODY].color;

    /* the journal's name at the head */
    jr_vlist mv = {0};
    const jr_font_style *mf = &st->fonts[JR_ROLE_MASTHEAD];
    set_text(ls, &mv, j && j->title ? j->title : "", JR_ROLE_MASTHEAD, mf->size * 0.6,
             st->accent_color, tw);
    if (j && j->subtitle) {
        jr_vlist_space(&mv, 2);
        set_text(ls, &mv, j->subtitle, JR_ROLE_SUBTITLE, 0, st->fonts[JR_ROLE_SUBTITLE].color, tw);
    }
    double y = top - put_lines(ls, page, &mv, x0, top, tw, 0, JR_ROLE_CONTENT);
    jr_vlist_free(&mv);
    add_rule(ls, page, x0, y - lead * 0.6, tw, 1.2, st->accent_color);
    y -= lead * 2.2;
    double after_head = y;
    /* the sections and their colours, as the tabs show them */
    if (j && j->nsections && !with_imprint) {
        jr_vlist lv = {0};
        set_caps(ls, &lv, "Die Rubriken", JR_ROLE_KICKER, 0, st->accent_color, tw);
        y -= put_lines(ls, page, &lv, x0, y, tw, 0, JR_ROLE_CONTENT) + lead * 0.3;
        jr_vlist_free(&lv);
        double sq = st->fonts[JR_ROLE_BODY].size;
        for (size_t k = 0; k < j->nsections; k++) {
            jr_vlist sv = {0};
            set_text(ls, &sv, j->sections[k].title, JR_ROLE_BODY, 0, bodyc, tw - sq * 2);
            double h = vheight(&sv);
            add_rect(ls, page, x0, y - sq * 1.05, sq, sq, section_color(ls, &j->sections[k]));
            put_lines(ls, page, &sv, x0 + sq * 1.8, y, tw - sq * 2, 0, JR_ROLE_CONTENT);
            jr_vlist_free(&sv);
            y -= h + lead * 0.25;
        }
    }

    /* contact and feeds at the foot, the QR code beside them (or below on
     * narrow pages) */
    bool side = tw >= JR_MM(140);
    double qs = side ? tw * 0.28 : tw * 0.42;
    if (qs > JR_MM(38))
        qs = JR_MM(38);
    double textw = side ? tw - qs - st->gutter : tw;
    units us = {0};
    double block_top = bottom;
    if (j) {
        line_unit(ls, &us, "Kontakt", JR_ROLE_KICKER, st->accent_color, textw, 0, NULL, true);
        line_unit(ls, &us, j->contact.name, JR_ROLE_BODY, bodyc, textw, 2, NULL, false);
        line_unit(ls, &us, j->contact.address, JR_ROLE_BODY, bodyc, textw, 0, NULL, false);
        char *tel = j->contact.phone ? jr_xasprintf("Telefon %s", j->contact.phone) : NULL;
        char *mail = j->contact.email ? jr_xasprintf("E-Mail %s", j->contact.email) : NULL;
        char *mailto = j->contact.email ? jr_xasprintf("mailto:%s", j->contact.email) : NULL;
        line_unit(ls, &us, tel, JR_ROLE_BODY, bodyc, textw, 0, NULL, false);
        line_unit(ls, &us, mail, JR_ROLE_BODY, bodyc, textw, 0, mailto, false);
        if (j->base_url) {
            char *atom = jr_xasprintf("%satom.xml", j->base_url);
            char *rss = jr_xasprintf("%srss.xml", j->base_url);
            line_unit(ls, &us, "Online lesen und abonnieren", JR_ROLE_KICKER, st->accent_color,
                      textw, lead, NULL, true);
            line_unit(ls, &us,
                      "Alle Ausgaben und Artikel im Netz; neue Beitr\xC3\xA4ge kommen als Feed "
                      "in jeden Feedreader:",
                      JR_ROLE_BODY, bodyc, textw, 2, NULL, false);
            line_unit(ls, &us, "Web", JR_ROLE_BYLINE, bodyc, textw, 3, NULL, false);
            line_unit(ls, &us, j->base_url, JR_ROLE_CODE, bodyc, textw, 0, j->base_url, false);
            line_unit(ls, &us, "Atom-Feed", JR_ROLE_BYLINE, bodyc, textw, 3, NULL, false);
            line_unit(ls, &us, atom, JR_ROLE_CODE, bodyc, textw, 0, atom, false);
            line_unit(ls, &us, "RSS-Feed", JR_ROLE_BYLINE, bodyc, textw, 3, NULL, false);
            line_unit(ls, &us, rss, JR_ROLE_CODE, bodyc, textw, 0, rss, false);
            double th = units_height(&us);
            double qtop = side ? bottom + (th > qs ? th : qs) : bottom + qs;
            double ttop = side ? qtop : bottom + qs + lead + th;
            stack_units(ls, page, &us, x0, ttop, textw);
            block_top = ttop > qtop ? ttop : qtop;
            double qx = side ? x0 + tw - qs : x0;
            qr_code(ls, page, j->base_url, qx, qtop, qs);
            add_link(ls, page, qx, qtop - qs, qs, qs, j->base_url, -1, 0);
            free(atom);
            free(rss);
        } else {
            block_top = bottom + units_height(&us);
            stack_units(ls, page, &us, x0, block_top, textw);
        }
        free(tel);
        free(mail);
        free(mailto);
    }
    units_free(&us);
    /* a band of the accent colour along the foot, below the folio */
    double bh = (st->margin_bottom - st->folio_gap) * 0.45;
    if (bh > 2)
        add_rect(ls, page, -bleed, -bleed, W + 2 * bleed, bh + bleed, st->accent_color);
    if (with_imprint)
        return imprint_frame(ls, page, after_head, block_top + lead * 2.5, false);
    return true;
}

/* ---- the edition ---- */

static bool st_facing(const jr_lstate *ls)
{
    return ls->st->facing;
}

/* The spacing factor of the contents: 1, or tighter when that saves a
 * page; *npages receives the pages they take. */
static bool reuse_units = true;

void jr_edition_pages_reuse_units(bool on)
{
    reuse_units = on;
}

static int diag_total(void)
{
    return jr_diag_count(JR_NOTE) + jr_diag_count(JR_WARNING) + jr_diag_count(JR_ERROR);
}

/* Pages the contents take at spacing factor sp. The units are set once
 * (us->n == 0: not yet) and respaced for each trial; when setting them
 * reported something (a title too long for its line), they are set again
 * for every trial, so that the report comes as often as it always did. */
static int contents_pages_at(jr_lstate *ls, double sp, units *us, bool *again)
{
    jr_region r;
    region(ls, JR_PAGE_CONTENTS, -1, &r);
    if (*again)
        units_free(us);
    if (us->n == 0) {
        int d0 = diag_total();
        contents_units(ls, r.colw, rwidth(&r), false, sp, us);
        *again = diag_total() != d0 || !reuse_units;
    } else {
        units_respace(ls, us, sp);
    }
    return contents_flow(ls, us, JR_PAGE_CONTENTS, 0, 0, false, NULL, NULL);
}

static double contents_spacing(jr_lstate *ls, int *npages)
{
    units us = {0};
    bool again = false;
    int n = contents_pages_at(ls, 1, &us, &again);
    double best = 1;
    if (n > 1 && contents_pages_at(ls, 0.3, &us, &again) < n)
        for (int k = 9; k >= 3; k--) /* the widest spacing that saves the page */
            if (contents_pages_at(ls, k / 10.0, &us, &again) < n) {
                best = k / 10.0;
                n = contents_pages_at(ls, best, &us, &again);
                break;
            }
    units_free(&us);
    *npages = n;
    return best;
}

static void reserve_contents(jr_lstate *ls)
{
    saved s = enter(ls);
    int n = 1;
    contents_spacing(ls, &n);
    for (int k = 0; k < n; k++) {
        ls->section_title = "Inhalt";
        int p = jr_flow_new_page(ls, JR_PAGE_CONTENTS);
        if (k == 0) {
            ls->contents_page = p;
            jr_doclayout_add_outline(ls->dl, 0, "Inhalt", p, dest_top(ls));
        }
    }
    ls->contents_npages = n;
    leave(ls, &s);
}

void jr_edition_pages_before(jr_lstate *ls, size_t i)
{
    if (!ls->st->edition_pages)
        return;
    const jr_edition *ed = ls->ctx->edition;
    if (!ls->front_done) {
        ls->front_done = true;
        jr_doclayout_add_page(ls->dl); /* the cover: no folio, no running head */
    }
    bool editorial = ed && i < ed->narticles && ed->articles[i].editorial;
    if (ls->contents_npages == 0 && !editorial)
        reserve_contents(ls);
}

void jr_edition_pages_finish(jr_lstate *ls)
{
    if (!ls->st->edition_pages)
        return;
    const jr_edition *ed = ls->ctx->edition;
    jr_edition_pages_before(ls, ed ? ed->narticles : 0);
    saved s = enter(ls);
    /* Printed, the edition is a multiple of four pages (blank pages go
     * before the back cover). When a page of its own for the imprint would
     * cost three blank pages, the imprint goes below the last article or the
     * contents, or onto the back cover, if it fits there. */
    bool tight = ls->dl->npages % 4 == 3 && st_facing(ls);
    bool imprint_done = false, back_done = false;
    /* the contents first: the imprint may go below them */
    jr_region r;
    region(ls, JR_PAGE_CONTENTS, ls->contents_page, &r);
    units us = {0};
    int ncontents = 1;
    double sp = contents_spacing(ls, &ncontents);
    contents_units(ls, r.colw, rwidth(&r), true, sp, &us);
    contents_flow(ls, &us, JR_PAGE_CONTENTS, ls->contents_page, ls->contents_npages, true, NULL,
                  NULL);
    units_free(&us);
    int last_contents = ls->contents_page + ls->contents_npages - 1;
    if (tight) {
        int last = (int)ls->dl->npages - 1;
        imprint_done =
            (last > last_contents && imprint_box(ls, last)) || imprint_box(ls, last_contents);
        if (!imprint_done) {
            if (back_cover(ls, true))
                imprint_done = back_done = true;
            else
                drop_last_page(ls->dl);
        }
    }
    if (!imprint_done)
        imprint_page(ls);
    if (!back_done) {
        jr_layout_pad_pages(ls, 1); /* saddle stitching: a multiple of four pages */
        back_cover(ls, false);
    }
    fill_cover(ls, 0);
    leave(ls, &s);
}
