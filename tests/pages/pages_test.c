/* pages_test.c: the edition pages in the laid-out document (before any
 * PDF): the cover has no folio or running head and its colour areas bleed;
 * every other page has a folio (its label) and a running head as
 * artifacts; article pages of a section carry its colour tab bleeding off
 * the outer edge; the back cover's QR code is the code of base_url with a
 * quiet zone of 4 modules. Runs on the sample content, from the source
 * tree, for both layouts. */
#include <math.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "diag.h"
#include "fontmetrics.h"
#include "layout.h"
#include "layoutfile.h"
#include "markdown.h"
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

static bool is_black(jr_color c)
{
    return c.r < 0.01 && c.g < 0.01 && c.b < 0.01;
}

static bool is_white(jr_color c)
{
    return c.r > 0.99 && c.g > 0.99 && c.b > 0.99;
}

/* The QR code on page p: the white square and the black modules in it. */
static void check_qr(const jr_doclayout *dl, size_t p, const char *url, const char *name)
{
    const jr_page *pg = &dl->pages[p];
    const jr_item *sq = NULL;
    for (size_t i = 0; i < pg->nitems; i++) {
        const jr_item *it = &pg->items[i];
        if (it->kind == JR_ITEM_RECT && is_white(*jr_doclayout_item_color(dl, it)) &&
            fabs(it->w - it->h) < 0.01)
            sq = it;
    }
    CHECK(sq != NULL, "%s: no white square for the QR code on the last page", name);
    if (!sq)
        return;
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int n = q->width;
    double m = sq->w / (n + 8);
    char *grid = jr_xcalloc((size_t)n * (size_t)n, 1);
    int outside = 0;
    for (size_t i = 0; i < pg->nitems; i++) {
        const jr_item *it = &pg->items[i];
        if (it->kind != JR_ITEM_RECT || !is_black(*jr_doclayout_item_color(dl, it)))
            continue;
        if (it->x < sq->x - 0.01 || it->x + it->w > sq->x + sq->w + 0.01 || it->y < sq->y - 0.1 ||
            it->y + it->h > sq->y + sq->h + 0.1)
            continue; /* not part of the code */
        int col = (int)lround((it->x - sq->x) / m) - 4;
        int row = (int)lround((sq->y + sq->h - (it->y + it->h)) / m) - 4;
        int len = (int)lround(it->w / m);
        if (row < 0 || row >= n || col < 0 || col + len > n) {
            outside++;
            continue;
        }
        for (int k = 0; k < len; k++)
            grid[row * n + col + k] = 1;
    }
    CHECK(outside == 0, "%s: %d QR modules in the quiet zone", name, outside);
    int wrong = 0;
    for (int i = 0; i < n * n; i++)
        wrong += grid[i] != (q->data[i] & 1);
    CHECK(wrong == 0, "%s: %d of %d QR modules differ from the code of %s", name, wrong, n * n,
          url);
    CHECK(sq->w >= 72 * 0.7, "%s: QR code only %.1f pt wide", name, sq->w);
    free(grid);
    QRcode_free(q);
}

static void check_layout(jr_journal *j, const char *layout)
{
    jr_style st;
    jr_fontset *fs = jr_fontset_new();
    char *path = jr_layoutfile_find(layout, j->root, NULL);
    CHECK(path != NULL, "layout %s not found", layout);
    CHECK(jr_layoutfile_load(path, fs, &st) == 0, "layout %s has errors", layout);
    st.edition_pages = true;
    const jr_edition *e = jr_journal_edition(j, "2026-2");
    jr_layout_ctx ctx = {j, e, &st, fs};
    jr_doclayout *dl = jr_layout_edition(&ctx);
    CHECK(dl != NULL && dl->npages > 6, "%s: no layout", layout);
    if (!dl)
        goto out;
    double W = st.page_width, H = st.page_height, b = st.bleed;
    /* the cover */
    const jr_page *c = &dl->pages[0];
    CHECK(c->label == NULL, "%s: the cover has a label", layout);
    bool band = false, image = false;
    for (size_t i = 0; i < c->nitems; i++) {
        const jr_item *it = &c->items[i];
        CHECK(it->role != JR_ROLE_ARTIFACT || it->kind != JR_ITEM_TEXT,
              "%s: running head or folio on the cover: %s", layout, it->text);
        if (it->kind == JR_ITEM_RECT && it->x <= -b + 0.01 && it->x + it->w >= W + b - 0.01 &&
            it->y + it->h >= H + b - 0.01)
            band = true;
        if (it->kind == JR_ITEM_IMAGE)
            image = true;
    }
    CHECK(band, "%s: no masthead band bleeding off the cover's top and sides", layout);
    CHECK(image, "%s: no cover image", layout);
    /* folios and running heads; section tabs */
    int tabs = 0;
    for (size_t p = 1; p < dl->npages; p++) {
        const jr_page *pg = &dl->pages[p];
        if (pg->nitems == 0 && p + 4 >= dl->npages && p + 1 < dl->npages)
            continue; /* a blank page before the back cover (a multiple of four pages) */
        char want[32];
        snprintf(want, sizeof want, "%zu", p + 1);
        CHECK(pg->label && strcmp(pg->label, want) == 0, "%s: page %zu label %s", layout, p + 1,
              pg->label ? pg->label : "(none)");
        int folio = 0, head = 0;
        for (size_t i = 0; i < pg->nitems; i++) {
            const jr_item *it = &pg->items[i];
            if (it->kind == JR_ITEM_TEXT && it->role == JR_ROLE_ARTIFACT) {
                if (it->y < st.margin_bottom && strcmp(it->text, want) == 0)
                    folio++;
                else if (it->y > H - st.margin_top)
                    head++;
            }
            bool outer = pg->left ? it->x <= -b + 0.01 : it->x + it->w >= W + b - 0.01;
            if (it->kind == JR_ITEM_RECT && it->role == JR_ROLE_ARTIFACT && outer &&
                it->y > H / 3 && it->h < H / 4)
                tabs++;
        }
        CHECK(folio == 1, "%s: page %zu: %d folios", layout, p + 1, folio);
        CHECK(head > 0, "%s: page %zu: no running head", layout, p + 1);
    }
    CHECK(tabs >= 10, "%s: only %d pages with a section tab bleeding off the outer edge", layout,
          tabs);
    CHECK(dl->npages % 4 == 0, "%s: %zu pages, not a multiple of four", layout, dl->npages);
    check_qr(dl, dl->npages - 1, j->base_url, layout);
    /* Pages given back as two writers draw them: a page's items go only
     * when both are done with it; its label stays. */
    jr_doclayout_release_pages(dl, 2);
    size_t before = dl->pages[1].nitems;
    jr_doclayout_page_done(dl, 1);
    CHECK(dl->pages[1].nitems == before && dl->pages[1].items != NULL,
          "%s: page 2 freed after one of two writers", layout);
    jr_doclayout_page_done(dl, 1);
    CHECK(dl->pages[1].nitems == 0 && dl->pages[1].items == NULL,
          "%s: page 2 kept after both writers", layout);
    CHECK(dl->pages[1].label && strcmp(dl->pages[1].label, "2") == 0, "%s: page 2 lost its label",
          layout);
    CHECK(dl->pages[2].nitems > 0, "%s: page 3 freed with page 2", layout);
    jr_doclayout_free(dl); /* (frees the rest) */
out:
    free(path);
    jr_style_clear(&st);
    jr_fontset_free(fs);
}

int main(void)
{
    jr_diag_set_output(NULL);
    jr_journal *j = jr_content_load("articles");
    CHECK(j != NULL, "articles/ not read");
    if (!j)
        return 1;
    for (size_t e = 0; e < j->neditions; e++)
        for (size_t a = 0; a < j->editions[e].narticles; a++)
            jr_markdown_parse(&j->editions[e].articles[a], j->language);
    check_layout(j, "bildung-im-blick");
    check_layout(j, "a5-kompakt");
    jr_journal_free(j);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
