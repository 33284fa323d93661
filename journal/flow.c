/* flow.c: set lines and figures -> columns and pages.
 *
 * Elements of a vertical list go down a column on the baseline grid until
 * the next one does not fit; the column then ends at the last allowed break
 * (typeset.c marks where a break may fall: never within the first or last
 * two lines of a paragraph, never right after a heading). On an article's
 * last page the columns are balanced: the smallest height (in grid steps)
 * at which everything still fits into the page's columns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "edition_pages.h"
#include "image.h"
#include "layout_int.h"
#include "util.h"

void jr_page_region(const jr_style *st, jr_page_type type, bool left_page, jr_region *r)
{
    memset(r, 0, sizeof *r);
    int n = st->columns[type];
    if (n < 1)
        n = 1;
    if (n > JR_MAX_COLUMNS)
        n = JR_MAX_COLUMNS;
    double inner = st->margin_inside, outer = st->margin_outside;
    double xl = (st->facing && left_page) ? outer : inner;
    double tw = st->page_width - inner - outer;
    r->ncols = n;
    r->colw = (tw - st->gutter * (n - 1)) / n;
    for (int i = 0; i < n; i++)
        r->x[i] = xl + i * (r->colw + st->gutter);
    r->top = st->page_height - st->margin_top;
    r->height = st->page_height - st->margin_top - st->margin_bottom;
}

/* ---- emitting items ---- */

static jr_page *cur_page(jr_lstate *ls)
{
    return &ls->dl->pages[ls->dl->npages - 1];
}

static char *block_text(const jr_block *b)
{
    jr_buf t = {0};
    for (size_t k = 0; k < b->nspans; k++)
        if (b->spans[k].kind == JR_SPAN_TEXT)
            jr_buf_puts(&t, b->spans[k].text);
        else
            jr_buf_putc(&t, ' ');
    return jr_buf_detach(&t);
}

static void add_link_rects(jr_lstate *ls, const jr_vlist *v, const jr_velem *e, double x0,
                           double baseline)
{
    if (!ls->doc)
        return;
    jr_page *pg = cur_page(ls);
    size_t k = 0;
    while (k < e->npieces) {
        const jr_piece *p = &v->p[e->first_piece + k];
        if (p->link < 0 || (size_t)p->link >= ls->doc->nlinks) {
            k++;
            continue;
        }
        int link = p->link;
        double xa = p->x, xb = p->x + p->w;
        double asc = 0, desc = 0;
        size_t j = k;
        for (; j < e->npieces && v->p[e->first_piece + j].link == link; j++) {
            const jr_piece *q = &v->p[e->first_piece + j];
            const jr_font_info *fi = jr_font_get(ls->fs, q->font);
            double a = fi ? fi->ascender * q->size : q->size * 0.9;
            double d = fi ? fi->descender * q->size : -q->size * 0.25;
            if (a > asc)
                asc = a;
            if (d < desc)
                desc = d;
            if (q->x < xa)
                xa = q->x;
            if (q->x + q->w > xb)
                xb = q->x + q->w;
        }
        jr_item it;
        memset(&it, 0, sizeof it);
        it.kind = JR_ITEM_LINK;
        it.role = JR_ROLE_CONTENT;
        it.x = x0 + e->x + xa;
        it.y = baseline + desc;
        it.w = xb - xa;
        it.h = asc - desc;
        it.uri = jr_xstrdup(ls->doc->links[link].url);
        it.link = link + 1;
        it.dest_page = -1;
        it.image = -1;
        it.article = ls->article;
        it.block = e->block;
        jr_page_add_item(pg, &it);
        k = j;
    }
}

/* Emit one LINE/RULE element with its baseline at y. */
static void emit_line(jr_lstate *ls, jr_vlist *v, const jr_velem *e, double x0, double baseline,
                      jr_item_role role, bool record, int column)
{
    jr_doclayout *dl = ls->dl;
    jr_page *pg = cur_page(ls);
    size_t first = pg->nitems;
    for (size_t k = 0; k < e->npieces; k++) {
        jr_piece *p = &v->p[e->first_piece + k];
        jr_item it;
        memset(&it, 0, sizeof it);
        it.kind = JR_ITEM_TEXT;
        it.role = role;
        it.x = x0 + e->x + p->x;
        it.y = baseline;
        it.w = p->w;
        it.color = jr_doclayout_color(ls->dl, p->color);
        it.font = p->font;
        it.size = p->size;
        it.text = p->text ? p->text : jr_xstrdup("");
        it.kern = p->kern;
        it.dest_page = -1;
        it.image = -1;
        it.article = role == JR_ROLE_CONTENT ? ls->article : -1;
        it.block = e->block;
        it.tag = role == JR_ROLE_CONTENT ? (p->marker ? JR_TAG_LABEL : (jr_item_tag)e->tag)
                                         : JR_TAG_AUTO;
        it.link = role == JR_ROLE_CONTENT && p->link >= 0 ? p->link + 1 : 0;
        p->text = NULL;
        p->kern = NULL;
        jr_page_add_item(pg, &it);
    }
    if (e->kind == JR_V_RULE) {
        jr_item it;
        memset(&it, 0, sizeof it);
        it.kind = JR_ITEM_LINE;
        it.role = role;
        double rw = e->width / 4;
        it.x = x0 + e->x + (e->width - rw) / 2;
        it.y = baseline + ls->st->fonts[JR_ROLE_BODY].size * 0.3;
        it.w = rw;
        it.h = 0;
        it.line_width = 0.5;
        it.color = jr_doclayout_color(ls->dl, ls->st->rule_color);
        it.dest_page = -1;
        it.image = -1;
        it.article = ls->article;
        it.block = e->block;
        jr_page_add_item(pg, &it);
    }
    if (record) {
        JR_GROW(dl->lines, dl->lines_cap, dl->nlines + 1);
        jr_line_rec *l = &dl->lines[dl->nlines++];
        memset(l, 0, sizeof *l);
        l->page = (int)dl->npages - 1;
        l->column = column;
        l->x = x0 + e->x;
        l->y = baseline;
        l->width = e->width;
        l->ratio = e->ratio;
        l->hyphenated = e->hyphenated;
        l->overfull = e->overfull;
        l->last = e->last;
        l->word_continues = e->word_continues;
        l->first_item = first;
        l->nitems = pg->nitems - first;
        l->article = ls->article;
        l->block = e->block;
    }
    add_link_rects(ls, v, e, x0, baseline);
    if (e->outline == 2 && ls->doc && e->block >= 0 && (size_t)e->block < ls->doc->nblocks) {
        char *t = block_text(&ls->doc->blocks[e->block]);
        jr_doclayout_add_outline(dl, 2, t, (int)dl->npages - 1, baseline + e->ascent);
        free(t);
    }
}

static void emit_figure(jr_lstate *ls, const jr_velem *e, double x0, double y_top)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.role = JR_ROLE_CONTENT;
    it.x = x0 + e->x;
    it.y = y_top - e->ascent;
    it.w = e->width;
    it.h = e->ascent;
    it.dest_page = -1;
    it.image = e->image;
    it.article = ls->article;
    it.block = e->block;
    if (e->image >= 0) {
        it.kind = JR_ITEM_IMAGE;
        /* `![](x.png)`: an empty alt text marks a decorative image */
        const char *alt = ls->dl->images[e->image].alt;
        if (e->block >= 0 && alt && !*alt)
            it.role = JR_ROLE_ARTIFACT;
    } else {
        it.kind = JR_ITEM_RECT;
        jr_color grey = {0.85, 0.85, 0.85, 0, 0, 0, 0.15};
        it.color = jr_doclayout_color(ls->dl, grey);
    }
    jr_page_add_item(cur_page(ls), &it);
}

/* ---- columns ---- */

static double snap_grid(const jr_style *st, double b)
{
    double grid = st->baseline_grid, fb = st->first_baseline;
    if (grid <= 0)
        return b;
    if (b <= fb + 1e-6)
        return fb;
    double k = ceil((b - fb) / grid - 1e-6);
    return fb + k * grid;
}

/* Position after element e placed at `pos` (distance from the frame top);
 * *baseline receives its baseline (LINE, RULE). */
static double advance(const jr_style *st, const jr_velem *e, double pos, double *baseline)
{
    if (e->kind == JR_V_LINE || e->kind == JR_V_RULE) {
        double b = pos + e->ascent;
        if (e->grid)
            b = snap_grid(st, b);
        else if (e->grid_last && st->baseline_grid > 0)
            b = snap_grid(st, b + e->span) - e->span;
        *baseline = b;
        return b + e->descent;
    }
    *baseline = pos;
    return pos + e->ascent;
}

typedef struct colres {
    size_t next; /* first element of the next column */
    double used; /* height used [pt] */
    bool forced; /* ended where no break was allowed */
} colres;

typedef struct scanres {
    size_t next; /* first element of the next column */
    bool forced; /* ended where no break was allowed */
    size_t fail; /* the element that did not fit (v->n: all fitted) */
} scanres;

/* Where a column of `height` pt starting with element `start` ends; `pos`
 * is the height already used, `empty` whether nothing is set yet. */
static scanres scan_column(const jr_style *st, const jr_vlist *v, size_t start, double pos,
                           bool empty, double height, bool full)
{
    scanres res = {v->n, false, v->n};
    const size_t none = (size_t)-1;
    size_t last_break = none;
    double bl;
    for (size_t i = start; i < v->n; i++) {
        const jr_velem *e = &v->e[i];
        if (empty && e->kind == JR_V_SPACE)
            continue; /* space is dropped at the top of a column */
        double np = advance(st, e, pos, &bl);
        if (np > height + 0.01) {
            res.fail = i;
            if (empty) {
                if (full) {
                    res.next = i + 1;
                    res.forced = true;
                } else {
                    res.next = i;
                }
            } else if (e->break_before) {
                res.next = i;
            } else if (last_break != none) {
                res.next = last_break;
            } else {
                res.next = i;
                res.forced = true;
            }
            break;
        }
        if (e->break_before && !empty)
            last_break = i;
        pos = np;
        if (e->kind != JR_V_SPACE)
            empty = false;
    }
    return res;
}

/* A figure that does not fit at the end of a column floats to the top of
 * the next one while the text after it fills the column: elements are
 * reordered. Returns the new end of the column, or `next` unchanged. */
static size_t float_figure(const jr_style *st, jr_vlist *v, size_t start, double height, bool full,
                           scanres s)
{
    size_t n = v->n, f = s.fail;
    if (s.forced || f >= n)
        return s.next;
    /* the figure the failing element belongs to */
    size_t fig = (size_t)-1;
    if (v->e[f].kind == JR_V_FIGURE)
        fig = f;
    else if (v->e[f].kind == JR_V_SPACE && f + 1 < n && v->e[f + 1].kind == JR_V_FIGURE)
        fig = f + 1;
    else
        for (size_t k = f; k > start && !v->e[k].break_before; k--)
            if (v->e[k - 1].kind == JR_V_FIGURE && v->e[k - 1].block == v->e[f].block) {
                fig = k - 1;
                break;
            }
    if (fig == (size_t)-1 || fig <= start)
        return s.next;
    size_t g0 = fig;
    if (v->e[g0 - 1].kind == JR_V_SPACE && v->e[g0 - 1].break_before)
        g0--;
    if (g0 <= start || !(v->e[g0].kind == JR_V_SPACE ? v->e[g0].break_before : false))
        return s.next; /* kept with what is before (a heading) */
    size_t g1 = fig + 1;
    while (g1 < n && v->e[g1].kind != JR_V_FIGURE &&
           !(v->e[g1].kind == JR_V_SPACE && v->e[g1].break_before))
        g1++;
    if (g1 < n && v->e[g1].kind == JR_V_SPACE)
        g1++; /* the space after the figure goes with it */
    if (g1 >= n)
        return s.next;
    /* what the column holds before the figure */
    double pos = 0, bl;
    bool empty = true;
    for (size_t k = start; k < g0; k++) {
        if (empty && v->e[k].kind == JR_V_SPACE)
            continue;
        pos = advance(st, &v->e[k], pos, &bl);
        if (v->e[k].kind != JR_V_SPACE)
            empty = false;
    }
    if (empty)
        return s.next;
    scanres t = scan_column(st, v, g1, pos, false, height, full);
    size_t m = t.next;
    if (t.forced || m <= g1)
        return s.next;
    /* rotate: [g1, m) before [g0, g1) */
    size_t ng = g1 - g0, nt = m - g1;
    jr_velem *tmp = jr_xmalloc(ng * sizeof *tmp);
    memcpy(tmp, v->e + g0, ng * sizeof *tmp);
    memmove(v->e + g0, v->e + g1, nt * sizeof *tmp);
    memcpy(v->e + g0 + nt, tmp, ng * sizeof *tmp);
    free(tmp);
    return g0 + nt;
}

/* Fill one column of `height` pt from element `start`. With `place` the
 * elements are emitted at column x0 below y `top`. `full`: the column is a
 * whole page's; an element too large for it is taken anyway. `floats`:
 * figures may move to the next column (reordering v). */
static colres fill_column(jr_lstate *ls, jr_vlist *v, size_t start, double height, bool full,
                          bool place, double x0, double top, int column, bool floats)
{
    const jr_style *st = ls->st;
    scanres s = scan_column(st, v, start, 0, true, height, full);
    colres res = {s.next, 0, s.forced};
    if (floats)
        res.next = float_figure(st, v, start, height, full, s);
    double pos = 0, bl;
    bool empty = true;
    size_t i;
    /* set [start, next) */
    for (i = start; i < res.next; i++) {
        const jr_velem *e = &v->e[i];
        if (empty && e->kind == JR_V_SPACE)
            continue;
        double np = advance(st, e, pos, &bl);
        if (place) {
            if (e->kind == JR_V_LINE || e->kind == JR_V_RULE)
                emit_line(ls, v, e, x0, top - bl, JR_ROLE_CONTENT, true, column);
            else if (e->kind == JR_V_FIGURE)
                emit_figure(ls, e, x0, top - pos);
        }
        pos = np;
        if (e->kind != JR_V_SPACE)
            empty = false;
    }
    res.used = pos;
    return res;
}

/* Try to set v[start..] into the columns of r, each at most `height` pt.
 * Returns true when everything fits without a forced break. */
static bool fits_in(jr_lstate *ls, jr_vlist *v, size_t start, const jr_region *r, double height,
                    bool full, double *sum_used)
{
    size_t k = start;
    bool forced = false;
    double sum = 0;
    for (int c = 0; c < r->ncols && k < v->n; c++) {
        colres cr = fill_column(ls, v, k, height, full, false, 0, 0, c, false);
        k = cr.next;
        forced |= cr.forced;
        sum += cr.used;
    }
    if (sum_used)
        *sum_used = sum;
    return k >= v->n && !forced;
}

void jr_flow_run(jr_lstate *ls, jr_vlist *v, const jr_region *first, bool balance)
{
    const jr_style *st = ls->st;
    jr_region r;
    bool full;
    if (first) {
        r = *first;
        full = false;
    } else {
        int p = jr_flow_new_page(ls, ls->page_type);
        jr_page_region(st, ls->page_type, ls->dl->pages[p].left, &r);
        full = true;
    }
    size_t i = 0;
    double grid = st->baseline_grid > 0 ? st->baseline_grid : st->fonts[JR_ROLE_BODY].leading;
    while (i < v->n) {
        if (balance && r.ncols > 1) {
            double sum = 0;
            if (fits_in(ls, v, i, &r, r.height, full, &sum)) {
                double h = floor(sum / r.ncols / grid) * grid;
                if (h < grid)
                    h = grid;
                double best = r.height;
                for (; h < r.height; h += grid)
                    if (fits_in(ls, v, i, &r, h, false, NULL)) {
                        best = h;
                        break;
                    }
                for (int c = 0; c < r.ncols && i < v->n; c++)
                    i = fill_column(ls, v, i, best, full, true, r.x[c], r.top, c, false).next;
            } else {
                for (int c = 0; c < r.ncols && i < v->n; c++)
                    i = fill_column(ls, v, i, r.height, full, true, r.x[c], r.top, c, true).next;
            }
        } else {
            for (int c = 0; c < r.ncols && i < v->n; c++)
                i = fill_column(ls, v, i, r.height, full, true, r.x[c], r.top, c, true).next;
        }
        if (i < v->n) {
            int p = jr_flow_new_page(ls, ls->page_type);
            jr_page_region(st, ls->page_type, ls->dl->pages[p].left, &r);
            full = true;
        }
    }
}

double jr_flow_height(jr_lstate *ls, const jr_vlist *v)
{
    double pos = 0, bl;
    for (size_t i = 0; i < v->n; i++)
        pos = advance(ls->st, &v->e[i], pos, &bl);
    return pos;
}

double jr_flow_stack(jr_lstate *ls, jr_vlist *v, size_t from, size_t to, double x, double top)
{
    double pos = 0, bl;
    for (size_t i = from; i < to && i < v->n; i++) {
        const jr_velem *e = &v->e[i];
        double np = advance(ls->st, e, pos, &bl);
        if (e->kind == JR_V_LINE || e->kind == JR_V_RULE)
            emit_line(ls, v, e, x, top - bl, JR_ROLE_CONTENT, true, 0);
        else if (e->kind == JR_V_FIGURE)
            emit_figure(ls, e, x, top - pos);
        pos = np;
    }
    return pos;
}

/* ---- figures ---- */

void jr_set_figure(jr_lstate *ls, const char *rel, const char *alt, const char *caption, int block,
                   double x, double width, double maxh, jr_vlist *v)
{
    const jr_style *st = ls->st;
    int image = -1;
    double pw = 3, ph = 2; /* placeholder aspect */
    if (rel && *rel && ls->a) {
        const char *root = ls->ctx && ls->ctx->journal && ls->ctx->journal->root
                               ? ls->ctx->journal->root
                               : ls->a->dir;
        bool outside = false;
        char *path = jr_image_resolve(root, ls->a->dir ? ls->a->dir : ".", rel, &outside);
        if (path) {
            jr_image_info info;
            char why[200];
            if (jr_image_check(path, &info, why, sizeof why) == 0 && info.width > 0 &&
                info.height > 0) {
                pw = info.width;
                ph = info.height;
                image =
                    jr_doclayout_add_image(ls->dl, path, (int)info.width, (int)info.height, alt);
            }
            free(path);
        }
    }
    double w = width, h = width * ph / pw;
    if (maxh > 0 && h > maxh) {
        h = maxh;
        w = h * pw / ph;
    }
    jr_velem *sp = jr_vlist_add(v, JR_V_SPACE);
    sp->ascent = st->figure_space;
    sp->break_before = true;
    jr_velem *e = jr_vlist_add(v, JR_V_FIGURE);
    e->ascent = h;
    e->x = x + (width - w) / 2;
    e->width = w;
    e->image = image;
    e->block = block;
    e->break_before = false;
    if (caption && *caption) {
        const jr_font_style *cf = &st->fonts[JR_ROLE_CAPTION];
        jr_velem *gap = jr_vlist_add(v, JR_V_SPACE);
        gap->ascent = cf->leading * 0.3;
        size_t e0 = v->n;
        jr_typeset_plain(ls, caption, ls->role_font[JR_ROLE_CAPTION], cf->size, cf->leading,
                         cf->color, width, false, v);
        for (size_t i = e0; i < v->n; i++) {
            v->e[i].x += x;
            v->e[i].block = block;
            v->e[i].break_before = false;
            v->e[i].tag = JR_TAG_CAPTION;
        }
    }
    jr_velem *after = jr_vlist_add(v, JR_V_SPACE);
    after->ascent = st->figure_space;
    after->break_before = true;
}

/* ---- pages ---- */

static void emit_plain(jr_lstate *ls, const char *text, jr_font_role role, double x,
                       double baseline, bool right_align)
{
    const jr_font_style *f = &ls->st->fonts[role];
    jr_vlist tmp = {0};
    jr_typeset_plain(ls, text, ls->role_font[role], f->size, f->leading, f->color, 1e6, false,
                     &tmp);
    if (tmp.n > 0) {
        const jr_velem *e = &tmp.e[0];
        double used = 0;
        if (e->npieces) {
            const jr_piece *lp = &tmp.p[e->first_piece + e->npieces - 1];
            used = lp->x + lp->w;
        }
        int saved = ls->article;
        emit_line(ls, &tmp, e, right_align ? x - used : x, baseline, JR_ROLE_ARTIFACT, false, 0);
        ls->article = saved;
    }
    jr_vlist_free(&tmp);
}

int jr_flow_new_page(jr_lstate *ls, jr_page_type type)
{
    const jr_style *st = ls->st;
    jr_doclayout *dl = ls->dl;
    jr_page *pg = jr_doclayout_add_page(dl);
    int idx = (int)dl->npages - 1;
    pg->label = jr_xasprintf("%d", idx + 1);
    bool left = pg->left;
    jr_region r;
    jr_page_region(st, type, left, &r);
    double xl = r.x[0];
    double xr = r.x[r.ncols - 1] + r.colw;
    double head_y = r.top + st->running_head_gap;
    /* running head: journal and edition on left pages, the section on right pages */
    const jr_journal *j = ls->ctx ? ls->ctx->journal : NULL;
    const jr_edition *ed = ls->ctx ? ls->ctx->edition : NULL;
    char *head;
    if (left || !ls->section_title) {
        const char *title = j && j->title ? j->title : "";
        if (ed && ed->number > 0 && ed->year > 0)
            head = jr_xasprintf("%s \xC2\xB7 Ausgabe %d/%d", title, ed->number, ed->year);
        else if (ed && ed->id)
            head = jr_xasprintf("%s \xC2\xB7 %s", title, ed->id);
        else
            head = jr_xstrdup(title);
    } else {
        head = jr_xstrdup(ls->section_title);
    }
    if (*head) {
        if (left)
            emit_plain(ls, head, JR_ROLE_RUNNING_HEAD, xl, head_y, false);
        else
            emit_plain(ls, head, JR_ROLE_RUNNING_HEAD, xr, head_y, true);
        jr_item it;
        memset(&it, 0, sizeof it);
        it.kind = JR_ITEM_LINE;
        it.role = JR_ROLE_ARTIFACT;
        it.x = xl;
        it.y = head_y - 5;
        it.w = xr - xl;
        it.line_width = 0.3;
        it.color = jr_doclayout_color(ls->dl, st->rule_color);
        it.dest_page = -1;
        it.image = -1;
        it.article = -1;
        it.block = -1;
        jr_page_add_item(&dl->pages[idx], &it);
    }
    free(head);
    /* folio at the outside corner */
    double folio_y = r.top - r.height - st->folio_gap;
    if (left)
        emit_plain(ls, dl->pages[idx].label, JR_ROLE_RUNNING_HEAD, xl, folio_y, false);
    else
        emit_plain(ls, dl->pages[idx].label, JR_ROLE_RUNNING_HEAD, xr, folio_y, true);
    jr_edition_section_tab(ls, idx); /* the section's colour at the outer edge */
    return idx;
}
