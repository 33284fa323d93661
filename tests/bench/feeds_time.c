/* feeds_time: how long the feeds and web pages take, apart from reading,
 * layout and PDF. Part of the benchmark, not of ctest.
 *
 *   build-bench/tests/bench/feeds_time [CONTENT_DIR] [RUNS] [OUT_DIR]
 *
 * Does what build.c does after the PDFs: atom.xml, rss.xml, index.html and
 * one page per article of every edition, into a new temporary folder per
 * run (and once more into OUT_DIR when given, which is kept: for comparing
 * outputs byte for byte). Every
 * edition's PDF is taken to exist with a size of 1,234,567 bytes. Prints
 * the median wall time of RUNS runs (after one warm-up run), and the
 * fastest (the machine may be shared). The runs write under /tmp, or under
 * $FEEDS_TIME_DIR (/dev/shm leaves the disk out of the times). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "content.h"
#include "diag.h"
#include "feed.h"
#include "markdown.h"
#include "util.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* build.c's build_time without SOURCE_DATE_EPOCH: the date at 00:00 UTC. */
static long long date_epoch(const jr_date *d)
{
    int y = d->year - (d->month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = (unsigned)(d->month + (d->month > 2 ? -3 : 9));
    unsigned doy = (153 * mp + 2) / 5 + (unsigned)d->day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return ((long long)era * 146097 + (long long)doe - 719468) * 86400;
}

/* The output folder and one per edition, as build.c makes them first. */
static void make_dirs(const jr_journal *j, const char *out_dir)
{
    jr_mkdir_p(out_dir);
    for (size_t ei = 0; ei < j->neditions; ei++) {
        char *dir = jr_path_join(out_dir, j->editions[ei].id);
        jr_mkdir_p(dir);
        free(dir);
    }
}

/* One run: every feed and page, as build.c writes them. 0 or -1. */
static int write_all(const jr_journal *j, const char *out_dir)
{
    const char **names = jr_xcalloc(j->neditions, sizeof *names);
    long long *sizes = jr_xcalloc(j->neditions, sizeof *sizes);
    for (size_t ei = 0; ei < j->neditions; ei++) {
        names[ei] = jr_xasprintf("%s-%s.pdf", j->slug, j->editions[ei].id);
        sizes[ei] = 1234567;
    }
    jr_feed_options fo = {
        .out_dir = out_dir,
        .now = date_epoch(&jr_journal_newest(j)->date),
        .pdf_names = names,
        .pdf_sizes = sizes,
    };
    int rc = 0;
    char *path = jr_path_join(out_dir, "atom.xml");
    rc |= jr_feed_write_atom(j, &fo, path);
    free(path);
    path = jr_path_join(out_dir, "rss.xml");
    rc |= jr_feed_write_rss(j, &fo, path);
    free(path);
    path = jr_path_join(out_dir, "index.html");
    rc |= jr_html_write_index(j, &fo, path);
    free(path);
    for (size_t ei = 0; ei < j->neditions; ei++) {
        const jr_edition *e = &j->editions[ei];
        char *dir = jr_path_join(out_dir, e->id);
        for (size_t ai = 0; ai < e->narticles; ai++) {
            char *name = jr_xasprintf("%s.html", e->articles[ai].slug);
            char *page = jr_path_join(dir, name);
            rc |= jr_html_write_article(j, e, &e->articles[ai], &fo, page);
            free(name);
            free(page);
        }
        free(dir);
    }
    for (size_t ei = 0; ei < j->neditions; ei++)
        free((char *)names[ei]);
    free(names);
    free(sizes);
    return rc;
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "articles";
    int runs = argc > 2 ? atoi(argv[2]) : 11;
    const char *keep = argc > 3 ? argv[3] : NULL;
    if (runs < 1)
        runs = 1;
    jr_diag_set_output(NULL);
    jr_journal *j = jr_content_load(root);
    if (!j || j->neditions == 0) {
        fprintf(stderr, "feeds_time: no content in %s\n", root);
        return 1;
    }
    size_t narticles = 0;
    for (size_t ei = 0; ei < j->neditions; ei++) {
        jr_edition *e = &j->editions[ei];
        narticles += e->narticles;
        for (size_t i = 0; i < e->narticles; i++)
            jr_markdown_parse(&e->articles[i],
                              e->articles[i].lang ? e->articles[i].lang : j->language);
    }
    /* Each run writes new files into an empty folder, as a build does
     * (it writes temporary files and renames them at the end): rewriting
     * existing files would time the file system's truncation instead. */
    const char *scratch = getenv("FEEDS_TIME_DIR"); /* e.g. /dev/shm: no disk in the times */
    char *work = jr_xasprintf("%s/feeds_time-XXXXXX", scratch && *scratch ? scratch : "/tmp");
    if (!mkdtemp(work)) {
        perror("feeds_time: mkdtemp");
        return 1;
    }
    char *out = jr_path_join(work, "out");
    double *t = calloc((size_t)runs, sizeof *t);
    int rc = 0;
    for (int i = -1; i < runs && rc == 0; i++) { /* -1: warm-up (page cache, allocator) */
        nftw(out, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        make_dirs(j, out);
        double t0 = now_ms();
        rc = write_all(j, out);
        if (i >= 0)
            t[i] = now_ms() - t0;
    }
    if (rc == 0 && keep) {
        make_dirs(j, keep);
        rc = write_all(j, keep);
    }
    if (nftw(work, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "feeds_time: could not remove %s\n", work);
    free(out);
    free(work);
    if (rc != 0) {
        fprintf(stderr, "feeds_time: writing failed\n");
        return 1;
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("feeds and pages of %s (%zu articles), median of %d: %.1f ms (fastest %.1f ms)\n", root,
           narticles, runs, t[runs / 2], t[0]);
    free(t);
    jr_journal_free(j);
    return 0;
}
