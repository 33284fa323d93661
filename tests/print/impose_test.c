/* impose_test.c: saddle-stitch order (jr_impose_page) and the spreads of
 * jr_impose_booklet on hand-made pages: items land in their half, colour
 * areas that bleed are cut at the fold, an image bleeding across the fold
 * is drawn first and covered by a white strip on the neighbour page, fold
 * marks stand outside the bleed at the spine, links are left out. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "impose.h"
#include "pages.h"
#include "util.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static jr_item item(jr_item_kind kind, double x, double y, double w, double h)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.image = -1;
    it.dest_page = -1;
    it.article = -1;
    it.block = -1;
    return it;
}

static void order(void)
{
    /* 8 pages: [8,1] [2,7] [6,3] [4,5] (1-based) */
    static const int want[8][2] = {{8, 1}, {2, 7}, {6, 3}, {4, 5}};
    for (size_t s = 0; s < 4; s++)
        for (int r = 0; r < 2; r++)
            CHECK(jr_impose_page(8, s, r) + 1 == want[s][r], "8 pages, side %zu %s: page %d", s + 1,
                  r ? "right" : "left", jr_impose_page(8, s, r) + 1);
    /* every page exactly once, for a few sizes; pages of a sheet side add up to n+1 */
    for (size_t n = 4; n <= 64; n += 4) {
        int seen[64] = {0};
        for (size_t s = 0; s < n / 2; s++) {
            int l = jr_impose_page(n, s, 0), r = jr_impose_page(n, s, 1);
            CHECK(l >= 0 && r >= 0 && (size_t)(l + r + 2) == n + 1, "n %zu side %zu: %d + %d", n, s,
                  l, r);
            if (l >= 0 && r >= 0) {
                seen[l]++;
                seen[r]++;
            }
            /* odd pages are right-hand pages of the folded booklet */
            CHECK((r + 1) % 2 == 1 && (l + 1) % 2 == 0, "n %zu side %zu: pages %d, %d", n, s, l + 1,
                  r + 1);
        }
        for (size_t p = 0; p < n; p++)
            CHECK(seen[p] == 1, "n %zu: page %zu placed %d times", n, p + 1, seen[p]);
    }
    CHECK(jr_impose_page(6, 0, 0) == -1, "6 pages are no booklet");
    CHECK(jr_impose_page(8, 4, 0) == -1, "8 pages have 4 sheet sides");
}

static void spreads(void)
{
    const double W = 300, H = 400, B = 9;
    jr_doclayout *dl = jr_doclayout_new(NULL, W, H);
    int img = jr_doclayout_add_image(dl, "x.png", 100, 100, NULL);
    for (int p = 0; p < 4; p++) {
        jr_page *pg = jr_doclayout_add_page(dl);
        /* a marker rect in the middle of every page, its height = the page number */
        jr_item m = item(JR_ITEM_RECT, 100, 100, 10, p + 1);
        jr_page_add_item(pg, &m);
        jr_item link = item(JR_ITEM_LINK, 10, 10, 10, 10);
        jr_page_add_item(pg, &link);
    }
    /* page 1 (right of sheet 1 front): a band bleeding on all sides, an image
     * bleeding into the spine */
    jr_item band = item(JR_ITEM_RECT, -B, 300, W + 2 * B, 20);
    jr_page_add_item(&dl->pages[0], &band);
    jr_item im = item(JR_ITEM_IMAGE, -B, 0, W + 2 * B, 200);
    im.image = img;
    jr_page_add_item(&dl->pages[0], &im);

    jr_doclayout *bk = jr_impose_booklet(dl, B);
    CHECK(bk->npages == 2, "%zu sheet sides", bk->npages);
    CHECK(fabs(bk->page_width - 2 * W) < 1e-9 && fabs(bk->page_height - H) < 1e-9, "sheet %g x %g",
          bk->page_width, bk->page_height);
    CHECK(bk->nimages == 1, "%zu images", bk->nimages);
    static const int want[2][2] = {{4, 1}, {2, 3}};
    for (size_t s = 0; s < bk->npages && s < 2; s++) {
        const jr_page *pg = &bk->pages[s];
        int found[2] = {0, 0};
        int marks = 0;
        for (size_t i = 0; i < pg->nitems; i++) {
            const jr_item *it = &pg->items[i];
            CHECK(it->kind != JR_ITEM_LINK, "side %zu: a link", s + 1);
            if (it->kind == JR_ITEM_RECT && it->w == 10) {
                int half = it->x >= W;
                CHECK(fabs(it->x - (100 + half * W)) < 1e-9, "side %zu: marker at %g", s + 1,
                      it->x);
                found[half] = (int)it->h;
            }
            if (it->kind == JR_ITEM_LINE) {
                marks++;
                CHECK(fabs(it->x - W) < 1e-9 && it->w == 0 && (it->y + it->h < -B || it->y > H + B),
                      "side %zu: fold mark at %g %g..%g", s + 1, it->x, it->y, it->y + it->h);
            }
        }
        CHECK(marks == 2, "side %zu: %d fold marks", s + 1, marks);
        for (int h = 0; h < 2; h++)
            CHECK(found[h] == want[s][h], "side %zu %s half: page %d, expected %d", s + 1,
                  h ? "right" : "left", found[h], want[s][h]);
    }
    /* sheet 1 front: page 1's image first, then the white strip over page
     * 4's edge at the fold (where the image's bleed went), the band cut at
     * the fold */
    const jr_page *f = &bk->pages[0];
    int iimg = -1, iwhite = -1, iband = -1;
    for (size_t i = 0; i < f->nitems; i++) {
        const jr_item *it = &f->items[i];
        if (it->kind == JR_ITEM_IMAGE)
            iimg = (int)i;
        else if (it->kind == JR_ITEM_RECT && jr_doclayout_item_color(bk, it)->r == 1 &&
                 jr_doclayout_item_color(bk, it)->k == 0 && it->h > H)
            iwhite = (int)i;
        else if (it->kind == JR_ITEM_RECT && it->h == 20)
            iband = (int)i;
    }
    CHECK(iimg >= 0 && iwhite > iimg, "image %d, white strip %d", iimg, iwhite);
    if (iimg >= 0)
        CHECK(fabs(f->items[iimg].x - (W - B)) < 1e-9, "image at %g", f->items[iimg].x);
    if (iwhite >= 0)
        CHECK(fabs(f->items[iwhite].x - (W - B)) < 1e-9 && fabs(f->items[iwhite].w - B) < 1e-9,
              "white strip %g + %g", f->items[iwhite].x, f->items[iwhite].w);
    CHECK(iband > iwhite, "band %d before the white strip %d", iband, iwhite);
    if (iband >= 0)
        CHECK(fabs(f->items[iband].x - W) < 1e-9 && fabs(f->items[iband].w - (W + B)) < 1e-9,
              "band %g + %g: not cut at the fold", f->items[iband].x, f->items[iband].w);
    jr_doclayout_free(bk);

    /* 5 pages: padded to 8, empty halves */
    jr_doclayout_add_page(dl);
    bk = jr_impose_booklet(dl, B);
    CHECK(bk->npages == 4, "5 pages: %zu sheet sides", bk->npages);
    jr_doclayout_free(bk);
    jr_doclayout_free(dl);
}

int main(void)
{
    order();
    spreads();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
