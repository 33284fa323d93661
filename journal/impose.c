/* impose.c: printer spreads for a saddle-stitched booklet (see impose.h). */
#include "impose.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Room between the bleed edge and a fold mark, and its length [pt] (as the
 * PDF back end's crop marks). */
#define FOLD_GAP    3.0
#define FOLD_LENGTH 12.0

int jr_impose_page(size_t n, size_t side, int right)
{
    size_t sheet = side / 2;
    if (n % 4 != 0 || side >= n / 2)
        return -1;
    size_t p;
    if (side % 2 == 0) /* front: [n - 2s, 1 + 2s] (1-based) */
        p = right ? 2 * sheet : n - 1 - 2 * sheet;
    else /* back: [2 + 2s, n - 1 - 2s] */
        p = right ? n - 2 - 2 * sheet : 2 * sheet + 1;
    return (int)p;
}

static size_t count_code_points(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

static jr_item copy_item(const jr_item *it, double dx)
{
    jr_item c = *it;
    c.x += dx;
    c.text = it->text ? jr_xstrdup(it->text) : NULL;
    c.kern = NULL;
    if (it->kern && it->text) {
        size_t n = count_code_points(it->text);
        c.kern = jr_xcalloc(n ? n : 1, sizeof *c.kern);
        memcpy(c.kern, it->kern, n * sizeof *c.kern);
    }
    c.uri = NULL;
    c.dest_page = -1;
    return c;
}

/* Does the item reach across the fold into the other half? `lo`..`hi` is
 * the half's allowed x range on the sheet. */
static bool crosses(const jr_item *it, double lo, double hi)
{
    double x0 = it->x, x1 = it->x + it->w;
    if (x1 < x0) {
        double t = x0;
        x0 = x1;
        x1 = t;
    }
    return x0 < lo - 0.001 || x1 > hi + 0.001;
}

/* Place page `src` into one half of sheet `sheet`: in pass 1 the images
 * that cross the fold, in pass 0 everything else. */
static void place(jr_page *sheet, const jr_doclayout *dl, int src, int right, double bleed,
                  int pass)
{
    if (src < 0 || (size_t)src >= dl->npages)
        return;
    double W = dl->page_width;
    double dx = right ? W : 0;
    double lo = right ? W : -bleed, hi = right ? 2 * W + bleed : W;
    const jr_page *pg = &dl->pages[src];
    for (size_t i = 0; i < pg->nitems; i++) {
        const jr_item *it = &pg->items[i];
        if (it->kind == JR_ITEM_LINK)
            continue;
        jr_item c = copy_item(it, dx);
        bool cross = crosses(&c, lo, hi);
        bool wide_image = c.kind == JR_ITEM_IMAGE && cross;
        if ((pass == 1) != wide_image) {
            free(c.text);
            free(c.kern);
            continue;
        }
        if (cross && (c.kind == JR_ITEM_RECT || (c.kind == JR_ITEM_LINE && c.h == 0))) {
            double x0 = c.x < c.x + c.w ? c.x : c.x + c.w;
            double x1 = c.x < c.x + c.w ? c.x + c.w : c.x;
            if (x0 < lo)
                x0 = lo;
            if (x1 > hi)
                x1 = hi;
            if (x1 <= x0) {
                free(c.text);
                free(c.kern);
                continue;
            }
            c.x = x0;
            c.w = x1 - x0;
        }
        jr_page_add_item(sheet, &c);
    }
}

static bool has_wide_image(const jr_doclayout *dl, int src, int right, double bleed)
{
    if (src < 0 || (size_t)src >= dl->npages)
        return false;
    double W = dl->page_width;
    double lo = right ? 0 : -bleed, hi = right ? W + bleed : W;
    const jr_page *pg = &dl->pages[src];
    for (size_t i = 0; i < pg->nitems; i++)
        if (pg->items[i].kind == JR_ITEM_IMAGE && crosses(&pg->items[i], lo, hi))
            return true;
    return false;
}

static void add_artifact_line(jr_page *sheet, uint32_t color, double x, double y, double w,
                              double h)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = JR_ITEM_LINE;
    it.role = JR_ROLE_ARTIFACT;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.line_width = 0.25;
    it.color = color;
    it.image = -1;
    it.dest_page = -1;
    it.article = -1;
    it.block = -1;
    jr_page_add_item(sheet, &it);
}

static void add_white(jr_page *sheet, uint32_t color, double x, double y, double w, double h)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = JR_ITEM_RECT;
    it.role = JR_ROLE_ARTIFACT;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.color = color;
    it.image = -1;
    it.dest_page = -1;
    it.article = -1;
    it.block = -1;
    jr_page_add_item(sheet, &it);
}

jr_doclayout *jr_impose_booklet(const jr_doclayout *dl, double bleed)
{
    double W = dl->page_width, H = dl->page_height;
    if (bleed < 0)
        bleed = 0;
    jr_doclayout *out = jr_doclayout_new(dl->fonts, 2 * W, H);
    /* the pages' colours under the same indices, then the sheet's own */
    for (size_t i = 1; i < dl->ncolors; i++)
        jr_doclayout_color(out, dl->colors[i]);
    uint32_t white = jr_doclayout_color(out, (jr_color){1, 1, 1, 0, 0, 0, 0});
    /* registration: all inks (black on screen) */
    uint32_t reg = jr_doclayout_color(out, (jr_color){0, 0, 0, 1, 1, 1, 1});
    for (size_t i = 0; i < dl->nimages; i++)
        jr_doclayout_add_image(out, dl->images[i].path, dl->images[i].px_width,
                               dl->images[i].px_height, dl->images[i].alt);
    size_t n = (dl->npages + 3) / 4 * 4;
    for (size_t side = 0; side < n / 2; side++) {
        jr_page *sheet = jr_doclayout_add_page(out);
        sheet->left = false;
        int lp = jr_impose_page(n, side, 0), rp = jr_impose_page(n, side, 1);
        bool lw = has_wide_image(dl, lp, 0, bleed), rw = has_wide_image(dl, rp, 1, bleed);
        /* images that reach across the fold first, then the other half's
         * edge made white again, then the rest */
        if (lw) {
            place(sheet, dl, lp, 0, bleed, 1);
            add_white(sheet, white, W, -bleed, bleed, H + 2 * bleed);
        }
        if (rw) {
            place(sheet, dl, rp, 1, bleed, 1);
            if (!lw)
                add_white(sheet, white, W - bleed, -bleed, bleed, H + 2 * bleed);
        }
        place(sheet, dl, lp, 0, bleed, 0);
        place(sheet, dl, rp, 1, bleed, 0);
        /* fold marks at the spine, outside the bleed */
        add_artifact_line(sheet, reg, W, -bleed - FOLD_GAP - FOLD_LENGTH, 0, FOLD_LENGTH);
        add_artifact_line(sheet, reg, W, H + bleed + FOLD_GAP, 0, FOLD_LENGTH);
    }
    return out;
}
