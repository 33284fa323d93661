/* layout_time: how long the layout engine takes for one edition, apart from
 * reading, PDF and feeds. Part of the benchmark, not of ctest.
 *
 *   build-bench/tests/bench/layout_time [CONTENT_DIR] [RUNS]
 *
 * Prints the median wall time of jr_layout_edition for the newest edition,
 * once with a fresh font set per run (what a build pays: fontconfig set-up,
 * font and pattern loading) and once with the font set kept warm. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "content.h"
#include "diag.h"
#include "layout.h"
#include "layoutfile.h"
#include "markdown.h"
#include "pages.h"
#include "style.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double run(const jr_journal *j, const jr_edition *e, const char *layout, int runs, bool warm)
{
    double *t = calloc((size_t)runs, sizeof *t);
    jr_fontset *kept = warm ? jr_fontset_new() : NULL;
    for (int i = 0; i < runs; i++) {
        jr_fontset *fs = warm ? kept : jr_fontset_new();
        jr_style st;
        if (!layout || jr_layoutfile_load(layout, fs, &st) != 0)
            jr_style_default(&st);
        jr_layout_ctx ctx = {.journal = j, .edition = e, .style = &st, .fonts = fs};
        double t0 = now_ms();
        jr_doclayout *dl = jr_layout_edition(&ctx);
        t[i] = now_ms() - t0;
        jr_doclayout_free(dl);
        jr_style_clear(&st);
        if (!warm)
            jr_fontset_free(fs);
    }
    if (kept)
        jr_fontset_free(kept);
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    double median = t[runs / 2];
    free(t);
    return median;
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "articles";
    int runs = argc > 2 ? atoi(argv[2]) : 21;
    if (runs < 1)
        runs = 1;
    jr_diag_set_output(NULL);
    jr_journal *j = jr_content_load(root);
    if (!j || j->neditions == 0) {
        fprintf(stderr, "layout_time: no content in %s\n", root);
        return 1;
    }
    jr_edition *e = (jr_edition *)jr_journal_newest(j);
    for (size_t i = 0; i < e->narticles; i++)
        jr_markdown_parse(&e->articles[i], e->articles[i].lang ? e->articles[i].lang : j->language);
    char *layout = jr_layoutfile_find(e->layout ? e->layout : "bildung-im-blick", root, e->dir);
    double cold = run(j, e, layout, runs, false);
    double warm = run(j, e, layout, runs, true);
    printf("layout of %s/%s (%zu articles), median of %d: %.1f ms with a fresh font set, "
           "%.1f ms warm\n",
           root, e->id, e->narticles, runs, cold, warm);
    free(layout);
    jr_journal_free(j);
    return 0;
}
