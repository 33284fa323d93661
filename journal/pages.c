/* pages.c: the laid-out document (pages of positioned items) and its text
 * dump for golden tests. Numbers in the dump never depend on the locale. */
#include "pages.h"

#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

jr_doclayout *jr_doclayout_new(jr_fontset *fonts, double page_width, double page_height)
{
    jr_doclayout *dl = jr_xcalloc(1, sizeof *dl);
    dl->fonts = fonts;
    dl->page_width = page_width;
    dl->page_height = page_height;
    dl->colors = jr_xcalloc(1, sizeof *dl->colors); /* [0]: all zero */
    dl->ncolors = dl->colors_cap = 1;
    return dl;
}

uint32_t jr_doclayout_color(jr_doclayout *dl, jr_color c)
{
    /* (the words of a line mostly share the colour asked for last) */
    if (memcmp(&dl->colors[dl->color_last], &c, sizeof c) == 0)
        return (uint32_t)dl->color_last;
    for (size_t i = 0; i < dl->ncolors; i++)
        if (memcmp(&dl->colors[i], &c, sizeof c) == 0)
            return (uint32_t)(dl->color_last = i);
    if (dl->ncolors >= UINT32_MAX)
        return 0;
    JR_GROW(dl->colors, dl->colors_cap, dl->ncolors + 1);
    dl->colors[dl->ncolors] = c;
    dl->color_last = dl->ncolors;
    return (uint32_t)dl->ncolors++;
}

const jr_color *jr_doclayout_item_color(const jr_doclayout *dl, const jr_item *it)
{
    return &dl->colors[it->color < dl->ncolors ? it->color : 0];
}

/* The text and kern arrays of a page's items: chunks that are only ever
 * appended to, freed with the page (one word is one item: no malloc per
 * word, and no allocator overhead per string). */
#define ARENA_CHUNK 8192
typedef struct jr_text_arena {
    struct jr_text_arena *next; /* the chunk before */
    size_t used, cap;           /* bytes of data */
    _Alignas(max_align_t) unsigned char data[];
} jr_text_arena;

static void *arena_alloc(jr_page *p, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    jr_text_arena *a = p->arena;
    if (a && a->cap - a->used >= n) {
        void *r = a->data + a->used;
        a->used += n;
        return r;
    }
    bool big = n > ARENA_CHUNK / 4;
    size_t cap = big ? n : ARENA_CHUNK - sizeof *a;
    jr_text_arena *c = jr_xmalloc(sizeof *c + cap);
    c->cap = cap;
    c->used = n;
    if (big && a) {
        /* behind the current chunk, which stays open for small ones */
        c->next = a->next;
        a->next = c;
    } else {
        c->next = a;
        p->arena = c;
    }
    return c->data;
}

static void free_items(jr_page *pg)
{
    for (size_t i = 0; i < pg->nitems; i++)
        free(pg->items[i].uri);
    free(pg->items);
    for (jr_text_arena *a = pg->arena; a;) {
        jr_text_arena *next = a->next;
        free(a);
        a = next;
    }
    pg->items = NULL;
    pg->nitems = pg->cap = 0;
    pg->arena = NULL;
}

void jr_page_clear(jr_page *pg)
{
    free_items(pg);
    free(pg->label);
    memset(pg, 0, sizeof *pg);
}

/* The items are most of a large layout's memory (200 articles: some 30 MB),
 * and both PDFs are written from them at once: a page goes as soon as both
 * have drawn it, and the memory serves the PDFs' objects. */
struct jr_page_release {
    jr_doclayout *dl;
    int writers;
    atomic_int *done; /* per page: writers finished with it */
};

void jr_doclayout_release_pages(jr_doclayout *dl, int writers)
{
    if (!dl || dl->release || writers < 1)
        return;
    struct jr_page_release *r = jr_xcalloc(1, sizeof *r);
    r->dl = dl;
    r->writers = writers;
    r->done = jr_xcalloc(dl->npages ? dl->npages : 1, sizeof *r->done);
    for (size_t i = 0; i < dl->npages; i++)
        atomic_init(&r->done[i], 0);
    dl->release = r;
}

void jr_doclayout_page_done(const jr_doclayout *dl, size_t page)
{
    struct jr_page_release *r = dl ? dl->release : NULL;
    if (!r || page >= r->dl->npages)
        return;
    if (atomic_fetch_add(&r->done[page], 1) + 1 == r->writers) {
        free_items(&r->dl->pages[page]);
    }
}

static void page_trim(jr_page *pg)
{
    if (pg->cap > pg->nitems && pg->nitems > 0) {
        pg->items = jr_xrealloc(pg->items, pg->nitems * sizeof *pg->items);
        pg->cap = pg->nitems;
    }
}

void jr_doclayout_trim(jr_doclayout *dl)
{
    for (size_t p = 0; p < dl->npages; p++)
        page_trim(&dl->pages[p]);
    /* the line records (one per line of the edition) */
    if (dl->lines_cap > dl->nlines && dl->nlines > 0) {
        dl->lines = jr_xrealloc(dl->lines, dl->nlines * sizeof *dl->lines);
        dl->lines_cap = dl->nlines;
    }
}

void jr_doclayout_free(jr_doclayout *dl)
{
    if (!dl)
        return;
    for (size_t p = 0; p < dl->npages; p++)
        jr_page_clear(&dl->pages[p]);
    free(dl->pages);
    for (size_t i = 0; i < dl->nimages; i++) {
        free(dl->images[i].path);
        free(dl->images[i].alt);
    }
    free(dl->images);
    for (size_t i = 0; i < dl->noutline; i++)
        free(dl->outline[i].title);
    free(dl->outline);
    free(dl->lines);
    free(dl->article_page);
    if (dl->release)
        free(dl->release->done);
    free(dl->release);
    free(dl->colors);
    free(dl);
}

jr_page *jr_doclayout_add_page(jr_doclayout *dl)
{
    /* pages are filled mostly in order: the one before keeps what it has,
     * and the new one gets room for as many items (pages of one edition
     * hold about the same number: no doubling and copying per page) */
    size_t hint = 0;
    if (dl->npages > 0) {
        page_trim(&dl->pages[dl->npages - 1]);
        hint = dl->pages[dl->npages - 1].nitems;
    }
    JR_GROW(dl->pages, dl->pages_cap, dl->npages + 1);
    jr_page *p = &dl->pages[dl->npages++];
    memset(p, 0, sizeof *p);
    if (hint > 0) {
        p->items = jr_xmalloc(hint * sizeof *p->items);
        p->cap = hint;
    }
    /* page 1 (index 0) is a right-hand page */
    p->left = (dl->npages % 2) == 0;
    return p;
}

jr_item *jr_page_add_item(jr_page *p, const jr_item *item)
{
    JR_GROW(p->items, p->cap, p->nitems + 1);
    jr_item *it = &p->items[p->nitems++];
    *it = *item;
    if (item->text) {
        size_t len = strlen(item->text);
        size_t nk = item->kern ? jr_utf8_count(item->text, len) : 0;
        size_t kb = nk * sizeof(int);
        unsigned char *m = arena_alloc(p, kb + len + 1);
        if (item->kern) {
            memcpy(m, item->kern, kb);
            it->kern = (int *)(void *)m;
        }
        memcpy(m + kb, item->text, len + 1);
        it->text = (char *)(m + kb);
        free(item->text);
    } else if (item->kern) {
        it->kern = NULL; /* no text: nothing to kern */
    }
    free(item->kern);
    return it;
}

int jr_doclayout_add_image(jr_doclayout *dl, const char *path, int px_w, int px_h, const char *alt)
{
    /* one entry per file, so the PDF embeds each image once */
    for (size_t i = 0; i < dl->nimages; i++)
        if (path && dl->images[i].path && strcmp(dl->images[i].path, path) == 0)
            return (int)i;
    JR_GROW(dl->images, dl->images_cap, dl->nimages + 1);
    jr_image_ref *r = &dl->images[dl->nimages];
    r->path = jr_xstrdup(path);
    r->px_width = px_w;
    r->px_height = px_h;
    r->alt = jr_xstrdup(alt);
    return (int)dl->nimages++;
}

void jr_doclayout_add_outline(jr_doclayout *dl, int level, const char *title, int page, double y)
{
    JR_GROW(dl->outline, dl->outline_cap, dl->noutline + 1);
    jr_outline_entry *e = &dl->outline[dl->noutline++];
    e->level = level;
    e->title = jr_xstrdup(title ? title : "");
    e->page = page;
    e->y = y;
}

/* ---- dump ---- */

/* Fixed two decimals, integer arithmetic (no locale). */
static void num(FILE *f, double v)
{
    long long q = (long long)(v * 100.0 + (v < 0 ? -0.5 : 0.5));
    const char *sign = "";
    if (q < 0) {
        sign = "-";
        q = -q;
    }
    fprintf(f, "%s%lld.%02lld", sign, q / 100, q % 100);
}

static void quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void dump_rect(FILE *f, const jr_item *it)
{
    num(f, it->x);
    fputc(' ', f);
    num(f, it->y);
    fputc(' ', f);
    num(f, it->w);
    fputc(' ', f);
    num(f, it->h);
}

static void dump_item(FILE *f, const jr_item *it)
{
    switch (it->kind) {
    case JR_ITEM_TEXT:
        fprintf(f, "  %s ", it->role == JR_ROLE_ARTIFACT ? "artifact" : "text");
        num(f, it->x);
        fputc(' ', f);
        num(f, it->y);
        fprintf(f, " f%d ", it->font);
        num(f, it->size);
        fputc(' ', f);
        quoted(f, it->text);
        break;
    case JR_ITEM_RECT:
        fprintf(f, "  rect ");
        dump_rect(f, it);
        break;
    case JR_ITEM_LINE:
        fprintf(f, "  rule ");
        dump_rect(f, it);
        break;
    case JR_ITEM_IMAGE:
        fprintf(f, "  image #%d ", it->image);
        dump_rect(f, it);
        break;
    case JR_ITEM_LINK:
        fprintf(f, "  link ");
        dump_rect(f, it);
        if (it->uri) {
            fputc(' ', f);
            quoted(f, it->uri);
        } else {
            fprintf(f, " -> page %d", it->dest_page + 1);
        }
        break;
    }
    if (it->kind != JR_ITEM_TEXT && it->role == JR_ROLE_ARTIFACT)
        fprintf(f, " artifact");
    fputc('\n', f);
}

void jr_doclayout_dump(const jr_doclayout *dl, FILE *f)
{
    fprintf(f, "layout ");
    num(f, dl->page_width);
    fprintf(f, " x ");
    num(f, dl->page_height);
    fprintf(f, ", %zu pages, %zu lines, %d overfull, %d hyphenated\n", dl->npages, dl->nlines,
            dl->overfull_lines, dl->hyphenated_lines);
    /* image paths relative to the working directory, so dumps do not depend
     * on where the checkout is */
    char cwd[4096];
    size_t cwdlen = 0;
    if (getcwd(cwd, sizeof cwd))
        cwdlen = strlen(cwd);
    for (size_t i = 0; i < dl->nimages; i++) {
        const char *p = dl->images[i].path ? dl->images[i].path : "-";
        if (cwdlen && strncmp(p, cwd, cwdlen) == 0 && p[cwdlen] == '/')
            p += cwdlen + 1;
        fprintf(f, "image #%zu %s %dx%d\n", i, p, dl->images[i].px_width, dl->images[i].px_height);
    }
    for (size_t i = 0; i < dl->noutline; i++) {
        const jr_outline_entry *o = &dl->outline[i];
        fprintf(f, "outline %d ", o->level);
        quoted(f, o->title);
        fprintf(f, " page %d y ", o->page + 1);
        num(f, o->y);
        fputc('\n', f);
    }
    for (size_t i = 0; i < dl->narticle_page; i++)
        fprintf(f, "article %zu starts on page %d\n", i + 1, dl->article_page[i] + 1);

    size_t li = 0; /* lines are recorded in page order */
    bool *in_line = NULL;
    size_t in_line_cap = 0;
    for (size_t p = 0; p < dl->npages; p++) {
        const jr_page *pg = &dl->pages[p];
        fprintf(f, "page %zu label %s %s\n", p + 1, pg->label ? pg->label : "-",
                pg->left ? "left" : "right");
        JR_GROW(in_line, in_line_cap, pg->nitems + 1);
        memset(in_line, 0, (pg->nitems + 1) * sizeof *in_line);
        for (; li < dl->nlines && dl->lines[li].page == (int)p; li++) {
            const jr_line_rec *l = &dl->lines[li];
            fprintf(f, " line c%d ", l->column);
            num(f, l->x);
            fputc(' ', f);
            num(f, l->y);
            fprintf(f, " w ");
            num(f, l->width);
            fprintf(f, " r ");
            num(f, l->ratio);
            if (l->hyphenated)
                fprintf(f, " hyph");
            if (l->overfull)
                fprintf(f, " overfull");
            if (l->last)
                fprintf(f, " last");
            if (l->word_continues && !l->hyphenated)
                fprintf(f, " cont");
            fprintf(f, " a%d b%d:", l->article, l->block);
            for (size_t k = 0; k < l->nitems && l->first_item + k < pg->nitems; k++) {
                const jr_item *it = &pg->items[l->first_item + k];
                in_line[l->first_item + k] = true;
                if (it->kind == JR_ITEM_TEXT) {
                    fputc(' ', f);
                    num(f, it->x);
                    fputc('=', f);
                    fputs(it->text ? it->text : "", f);
                } else if (it->kind == JR_ITEM_LINE) {
                    fprintf(f, " rule@");
                    num(f, it->x);
                }
            }
            fputc('\n', f);
        }
        for (size_t i = 0; i < pg->nitems; i++)
            if (!in_line[i])
                dump_item(f, &pg->items[i]);
    }
    free(in_line);
}
