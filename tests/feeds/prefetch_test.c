/* The bodies of article pages are rendered ahead, in parallel, at the first
 * page (sanitize.c, jr_article_page_body), and an article in the feeds has
 * its body made once for Atom, RSS and its page. The feeds, the pages and
 * the warnings, in their order, must be the same as when each renders its
 * own body; and a body kept from before must not be used once its article
 * changed.
 * The sample journal (articles/) is used, with some bodies replaced by text
 * that draws warnings (control characters, invalid UTF-8, raw HTML, unsafe
 * links). Run from the source root. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "diag.h"
#include "feed.h"
#include "feed_int.h"
#include "util.h"

static int failures;
static char work[] = "/tmp/journal-prefetch-XXXXXX";

static const char *const bodies[] = {
    "Ein \x01Steuerzeichen und \xff ein kaputtes Byte.\n\nNoch \x02 eins.\n",
    "<script>alert(1)</script>\n\nText mit <b onclick=\"x()\">fett</b>.\n",
    "Ein [Link](javascript:alert(1)) und ![Bild](javascript:x \"T\").\n",
    "Schlicht: \"Zitat\" -- und 12 % mehr...\n",
};

/* The feeds, the index and every page of j, and the warnings given. */
static char *write_pages(jr_journal *j, const char *tag, char **diags /* OUT */)
{
    jr_diag_reset();
    jr_feed_forget_warnings();
    char *dbuf = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&dbuf, &dlen);
    jr_diag_set_output(df);
    jr_feed_options fo = {.out_dir = work};
    jr_buf all = {0};
    /* as a build: the feeds (twice the same bodies), the index, the pages */
    static const char *const feeds[] = {"atom.xml", "rss.xml", "index.html"};
    for (size_t f = 0; f < 3; f++) {
        char *path = jr_xasprintf("%s/%s-%s", work, tag, feeds[f]);
        fprintf(df, "--- %s\n", feeds[f]); /* the warnings must come where they did */
        int rc = f == 0   ? jr_feed_write_atom(j, &fo, path)
                 : f == 1 ? jr_feed_write_rss(j, &fo, path)
                          : jr_html_write_index(j, &fo, path);
        if (rc != 0) {
            fprintf(stderr, "FAIL writing %s\n", path);
            failures++;
        }
        size_t len;
        char *text = jr_read_file(path, &len);
        jr_buf_printf(&all, "=== %s\n", feeds[f]);
        if (text)
            jr_buf_put(&all, text, len);
        free(text);
        free(path);
    }
    for (size_t ei = 0; ei < j->neditions; ei++) {
        const jr_edition *e = &j->editions[ei];
        for (size_t ai = 0; ai < e->narticles; ai++) {
            char *path = jr_xasprintf("%s/%s-%zu-%zu.html", work, tag, ei, ai);
            fprintf(df, "--- page %zu/%zu\n", ei, ai);
            if (jr_html_write_article(j, e, &e->articles[ai], &fo, path) != 0) {
                fprintf(stderr, "FAIL writing %s\n", path);
                failures++;
            }
            size_t len;
            char *page = jr_read_file(path, &len);
            jr_buf_printf(&all, "=== %zu/%zu\n", ei, ai);
            if (page)
                jr_buf_put(&all, page, len);
            free(page);
            free(path);
        }
    }
    jr_diag_set_output(NULL);
    fclose(df);
    *diags = dbuf;
    return jr_buf_detach(&all);
}

static void set_body(jr_article *a, const char *text)
{
    free(a->body);
    a->body = jr_xstrdup(text);
    a->body_len = strlen(text);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int main(void)
{
    jr_diag_set_output(NULL);
    if (!mkdtemp(work)) {
        perror("mkdtemp");
        return 1;
    }
    jr_journal *j = jr_content_load("articles");
    if (!j || j->neditions == 0 || j->editions[j->neditions - 1].narticles < 6) {
        fprintf(stderr, "FAIL: the sample journal in articles/ is needed\n");
        return 1;
    }
    jr_edition *e = &j->editions[j->neditions - 1];
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
        set_body(&e->articles[1 + i], bodies[i]);

    char *diag_one, *diag_all;
    jr_html_prefetch(false);
    char *one = write_pages(j, "one", &diag_one);
    jr_html_prefetch(true);
    char *all = write_pages(j, "all", &diag_all);
    if (strcmp(one, all) != 0) {
        fprintf(stderr, "FAIL pages differ when their bodies are rendered ahead\n");
        failures++;
    }
    if (strcmp(diag_one, diag_all) != 0 || !strstr(diag_one, "javascript") ||
        !strstr(diag_one, "U+0001")) {
        fprintf(stderr, "FAIL warnings differ:\n--- one by one\n%s--- ahead\n%s", diag_one,
                diag_all);
        failures++;
    }

    /* Kept bodies and a changed article: the first page renders all ahead,
     * then an article changes; its page must show the new text. */
    jr_feed_options fo = {.out_dir = work};
    char *p0 = jr_xasprintf("%s/stale-0.html", work), *p1 = jr_xasprintf("%s/stale-1.html", work);
    jr_html_write_article(j, e, &e->articles[0], &fo, p0);
    set_body(&e->articles[5], "Ganz neuer Text nach dem Vorrendern.\n");
    jr_html_write_article(j, e, &e->articles[5], &fo, p1);
    char *page = jr_read_file(p1, NULL);
    if (!page || !strstr(page, "Ganz neuer Text nach dem Vorrendern.")) {
        fprintf(stderr, "FAIL a body kept from before the change was used\n");
        failures++;
    }
    free(page);
    /* the same page twice in one run */
    jr_html_write_article(j, e, &e->articles[0], &fo, p1);
    char *a0 = jr_read_file(p0, NULL), *a1 = jr_read_file(p1, NULL);
    if (!a0 || !a1 || strcmp(a0, a1) != 0) {
        fprintf(stderr, "FAIL a page written twice differs\n");
        failures++;
    }
    free(a0);
    free(a1);
    free(p0);
    free(p1);
    jr_html_prefetch(true); /* drops what is kept */

    free(one);
    free(all);
    free(diag_one);
    free(diag_all);
    jr_journal_free(j);
    nftw(work, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    printf("prefetch: %s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
