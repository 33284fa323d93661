/* layout.c: the layout engine's entry point. Loads the style's fonts and
 * the hyphenation patterns, then sets each article of the edition: a new
 * page, the opening (kicker, title, subtitle, byline, lead image) across
 * the text area, and the body in columns below (typeset.c, flow.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "edition_pages.h"
#include "layout_int.h"
#include "markdown.h"
#include "util.h"

typedef struct hyph_entry {
    char *lang;
    jr_hyphenator *h; /* NULL: no patterns */
} hyph_entry;

typedef struct hyph_cache {
    hyph_entry *e;
    size_t n, cap;
} hyph_cache;

static jr_hyphenator *hyphenator_for(hyph_cache *hc, const jr_lstate *ls, const char *lang,
                                     const char *path)
{
    for (size_t i = 0; i < hc->n; i++)
        if (strcmp(hc->e[i].lang, lang) == 0)
            return hc->e[i].h;
    jr_hyphenator *h = jr_hyphenator_new(lang);
    if (!h) {
        jr_diag(JR_W_NO_PATTERNS, path, 0, 0, lang);
    } else {
        jr_hyphenator_set_limits(h, ls->st->hyphen_left_min, ls->st->hyphen_right_min);
        const jr_journal *j = ls->ctx->journal;
        if (j && j->root) {
            char *ex = jr_path_join(j->root, "hyphenation.txt");
            if (jr_file_exists(ex))
                jr_hyphenator_load_exceptions(h, ex);
            free(ex);
        }
    }
    JR_GROW(hc->e, hc->cap, hc->n + 1);
    hc->e[hc->n].lang = jr_xstrdup(lang);
    hc->e[hc->n].h = h;
    hc->n++;
    return h;
}

jr_hyphenator *jr_layout_hyphenator(jr_lstate *ls)
{
    if (!ls->hyph_loaded) {
        ls->hyph_loaded = true;
        ls->hyph = ls->st->hyphenate && ls->hyph_cache
                       ? hyphenator_for(ls->hyph_cache, ls, ls->lang, ls->a ? ls->a->path : NULL)
                       : NULL;
    }
    return ls->hyph;
}

static char *byline(const jr_article *a, const char *lang)
{
    if (a->nauthors == 0)
        return NULL;
    bool en = lang && strncmp(lang, "en", 2) == 0;
    jr_buf b = {0};
    jr_buf_puts(&b, en ? "By " : "Von ");
    for (size_t i = 0; i < a->nauthors; i++) {
        if (i > 0)
            jr_buf_puts(&b, i + 1 == a->nauthors ? (en ? " and " : " und ") : ", ");
        jr_buf_puts(&b, a->authors[i]);
    }
    return jr_buf_detach(&b);
}

static bool same_containers(const jr_block *a, const jr_block *b)
{
    if (a->depth != b->depth)
        return false;
    for (int i = 0; i < a->depth; i++)
        if (a->cont[i].kind != b->cont[i].kind || a->cont[i].id != b->cont[i].id)
            return false;
    return true;
}

/* Tagged PDF: what the lines v->e[from..] are (jr_item_tag). */
static void tag_lines(jr_vlist *v, size_t from, int tag)
{
    for (size_t i = from; i < v->n; i++)
        v->e[i].tag = tag;
}

/* The article's opening (kicker, title, subtitle, byline, lead image) set
 * `tw` pt wide into ov. */
static void build_opening(jr_lstate *ls, double tw, double max_image_h, const char *lang,
                          jr_vlist *out)
{
    const jr_style *st = ls->st;
    const jr_article *a = ls->a;
    jr_vlist ov = *out;
    const char *kicker = ls->section_title ? ls->section_title : a->editorial ? "Editorial" : NULL;
    if (kicker) {
        char *k = jr_upcase(kicker);
        const jr_font_style *f = &st->fonts[JR_ROLE_KICKER];
        size_t e0 = ov.n;
        jr_typeset_plain(ls, k, ls->role_font[JR_ROLE_KICKER], f->size, f->leading,
                         ls->section_color, tw * 0.9, false, &ov);
        jr_vlist_track(&ov, e0, 0.06);
        tag_lines(&ov, e0, JR_TAG_KICKER);
        free(k);
    }
    /* front-matter text gets the body's typography (quotes, dashes) */
    if (a->title) {
        const jr_font_style *f = &st->fonts[JR_ROLE_TITLE];
        char *t = jr_typography(a->title, lang);
        size_t e0 = ov.n;
        jr_typeset_plain(ls, t, ls->role_font[JR_ROLE_TITLE], f->size, f->leading, f->color, tw,
                         false, &ov);
        tag_lines(&ov, e0, JR_TAG_TITLE);
        free(t);
    }
    if (a->subtitle) {
        const jr_font_style *f = &st->fonts[JR_ROLE_SUBTITLE];
        char *t = jr_typography(a->subtitle, lang);
        jr_vlist_space(&ov, 3);
        size_t e0 = ov.n;
        jr_typeset_plain(ls, t, ls->role_font[JR_ROLE_SUBTITLE], f->size, f->leading, f->color, tw,
                         false, &ov);
        tag_lines(&ov, e0, JR_TAG_SUBTITLE);
        free(t);
    }
    char *by = byline(a, lang);
    if (by) {
        const jr_font_style *f = &st->fonts[JR_ROLE_BYLINE];
        jr_vlist_space(&ov, 6);
        size_t e0 = ov.n;
        jr_typeset_plain(ls, by, ls->role_font[JR_ROLE_BYLINE], f->size, f->leading, f->color, tw,
                         false, &ov);
        tag_lines(&ov, e0, JR_TAG_BYLINE);
        free(by);
    }
    if (a->image) {
        char *cap;
        if (a->image_caption && a->image_credit)
            cap = jr_xasprintf("%s \xC2\xB7 %s", a->image_caption, a->image_credit);
        else
            cap = jr_xstrdup(a->image_caption  ? a->image_caption
                             : a->image_credit ? a->image_credit
                                               : "");
        char *typo = jr_typography(cap, lang); /* "--" and quotes as in the text */
        free(cap);
        cap = typo;
        jr_set_figure(ls, a->image, a->image_alt, cap, -1, 0, tw, max_image_h, &ov);
        free(cap);
    }
    *out = ov;
}

/* Set the opening across the top of the first page; returns the height
 * used [pt], rounded up to whole grid lines plus one. An opening taller
 * than most of a page (a title of hundreds of words) is set into the
 * columns instead, at the start of `body`; then 0 is returned. */
static double set_opening(jr_lstate *ls, const jr_region *r, const char *lang, jr_vlist *body)
{
    const jr_style *st = ls->st;
    double tw = r->x[r->ncols - 1] + r->colw - r->x[0];
    jr_vlist ov = {0};
    build_opening(ls, tw, r->height * st->lead_image_max, lang, &ov);
    double h = jr_flow_height(ls, &ov);
    if (h > r->height * 0.6) {
        jr_vlist_free(&ov);
        size_t e0 = body->n;
        build_opening(ls, r->colw, r->height * st->lead_image_max, lang, body);
        for (size_t i = e0 + 1; i < body->n; i++)
            body->e[i].break_before = true;
        return 0;
    }
    h = jr_flow_stack(ls, &ov, 0, ov.n, r->x[0], r->top);
    jr_vlist_free(&ov);
    double grid = st->baseline_grid > 0 ? st->baseline_grid : st->fonts[JR_ROLE_BODY].leading;
    return ceil(h / grid - 1e-6) * grid + grid;
}

void jr_layout_blocks(jr_lstate *ls, jr_page_type type, const jr_region *first, bool balance,
                      jr_vlist *vin)
{
    const jr_style *st = ls->st;
    const jr_doc *d = ls->doc;
    jr_vlist v = {0};
    if (vin) {
        v = *vin;
        memset(vin, 0, sizeof *vin);
    }
    ls->page_type = type;
    jr_region full;
    jr_page_region(st, type, false, &full);
    const jr_block *prev = NULL;
    int keep = 0; /* lines still to keep with the last heading */
    for (size_t i = 0; d && i < d->nblocks; i++) {
        const jr_block *b = &d->blocks[i];
        size_t e0 = v.n;
        /* figures float: a paragraph after one is indented as if it were not there */
        bool indent = b->kind == JR_BLOCK_PARAGRAPH && prev && prev->kind == JR_BLOCK_PARAGRAPH &&
                      same_containers(prev, b);
        if (b->kind == JR_BLOCK_FIGURE) {
            double x = jr_block_indent(st, b, b->depth, full.colw);
            jr_set_figure(ls, b->image, b->alt, b->caption, (int)i, x, full.colw - x,
                          full.height * 0.8, &v);
        } else {
            jr_typeset_block(ls, b, (int)i, full.colw, indent, &v);
        }
        if (v.n == e0)
            continue; /* nothing set (empty block) */
        /* heading after heading: the first one's space below is enough */
        if (b->kind == JR_BLOCK_HEADING && prev && prev->kind == JR_BLOCK_HEADING &&
            v.e[e0].kind == JR_V_SPACE)
            v.e[e0].ascent = 0;
        /* a heading keeps two lines (or a figure) of what follows, even
         * across a one-line paragraph */
        for (size_t k = e0; k < v.n && keep > 0; k++) {
            v.e[k].break_before = false;
            if (v.e[k].kind == JR_V_FIGURE)
                keep = 0;
            else if (v.e[k].kind != JR_V_SPACE)
                keep--;
        }
        if (b->kind == JR_BLOCK_HEADING)
            keep = 2;
        if (b->kind != JR_BLOCK_FIGURE)
            prev = b;
    }
    jr_flow_run(ls, &v, first, balance);
    jr_vlist_free(&v);
}

void jr_layout_pad_pages(jr_lstate *ls, int more)
{
    jr_doclayout *dl = ls->dl;
    while ((dl->npages + (size_t)(more > 0 ? more : 0)) % 4 != 0) {
        jr_page *pg = jr_doclayout_add_page(dl);
        pg->label = jr_xasprintf("%zu", dl->npages);
        dl->blank_pages++;
    }
}

jr_doclayout *jr_layout_edition(const jr_layout_ctx *ctx)
{
    const jr_style *st = ctx->style;
    const jr_journal *j = ctx->journal;
    const jr_edition *ed = ctx->edition;
    jr_lstate ls;
    memset(&ls, 0, sizeof ls);
    ls.ctx = ctx;
    ls.st = st;
    ls.fs = ctx->fonts;
    ls.article = -1;
    ls.page_type = JR_PAGE_ARTICLE;
    const char *base = j ? j->root : NULL;
    for (int r = 0; r < JR_ROLE_COUNT; r++) {
        const jr_font_style *f = &st->fonts[r];
        const char *fam = f->family ? f->family : st->fonts[JR_ROLE_BODY].family;
        int id = fam ? jr_font_load(ls.fs, fam, f->bold, f->italic, base) : -1;
        if (id < 0) {
            jr_diag(JR_E_FONT_MISSING, st->path, 0, 0, fam ? fam : "(none)");
            return NULL;
        }
        ls.role_font[r] = id;
    }
    jr_doclayout *dl = jr_doclayout_new(ls.fs, st->page_width, st->page_height);
    ls.dl = dl;
    size_t na = ed ? ed->narticles : 0;
    dl->article_page = jr_xcalloc(na ? na : 1, sizeof(int));
    dl->narticle_page = na;
    hyph_cache hc = {0};
    const char *jlang = j && j->language ? j->language : "de";
    const jr_section *prev_section = NULL;
    for (size_t i = 0; i < na; i++) {
        const jr_article *a = &ed->articles[i];
        const char *lang = a->lang ? a->lang : jlang;
        ls.article = (int)i;
        ls.a = a;
        ls.doc = a->doc;
        for (size_t k = 0; k < ls.nwarned && ls.warned_bits; k++) /* per article */
            ls.warned_bits[ls.warned[k] >> 3] = 0;
        ls.nwarned = 0;
        ls.hyph = NULL;
        ls.hyph_loaded = false;
        ls.lang = lang;
        ls.hyph_cache = &hc;
        jr_edition_pages_before(&ls, i); /* cover, contents (edition_pages.c) */
        const jr_section *sec = jr_journal_section(j, a->section);
        ls.section_title = sec ? sec->title : NULL;
        ls.section_color = sec && sec->has_color ? sec->color : st->accent_color;
        int page = jr_flow_new_page(&ls, JR_PAGE_ARTICLE);
        dl->article_page[i] = page;
        jr_region r;
        jr_page_region(st, JR_PAGE_ARTICLE, dl->pages[page].left, &r);
        if (sec && sec != prev_section)
            jr_doclayout_add_outline(dl, 0, sec->title, page, r.top);
        prev_section = sec;
        jr_doclayout_add_outline(dl, 1, a->title ? a->title : "", page, r.top);
        jr_vlist v = {0};
        double off = set_opening(&ls, &r, lang, &v);
        jr_region body = r;
        body.top -= off;
        body.height -= off;
        jr_layout_blocks(&ls, JR_PAGE_ARTICLE, &body, true, &v);
    }
    ls.hyph_cache = &hc;
    jr_edition_pages_finish(&ls); /* imprint, back cover; cover and contents filled in */
    for (size_t i = 0; i < dl->nlines; i++) {
        if (dl->lines[i].overfull)
            dl->overfull_lines++;
        if (dl->lines[i].hyphenated)
            dl->hyphenated_lines++;
    }
    for (size_t i = 0; i < hc.n; i++) {
        free(hc.e[i].lang);
        jr_hyphenator_free(hc.e[i].h);
    }
    free(hc.e);
    free(ls.warned);
    free(ls.warned_bits);
    jr_typeset_scratch_free(&ls);
    jr_doclayout_trim(dl);
    jr_fontset_save_caches(ls.fs); /* kerning pairs for the next build */
    return dl;
}
