/* Golden tests for markdown.c: each tests/markdown/golden/NAME.md is parsed
 * and its jr_doc_dump, a detail listing (container ids, tight lists, span
 * positions, links, code info strings) and the diagnostics are compared with
 * NAME.out. Set JOURNAL_UPDATE_GOLDEN=1 to rewrite the .out files (then read
 * the diff before committing). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "markdown.h"
#include "util.h"

#define DIR "tests/markdown/golden/"

static const struct {
    const char *name;
    const char *lang;
    int first_line; /* line of the body's first line in the article file */
} cases[] = {
    {"styles", "de", 1},  {"lists", "de", 1},  {"quotes", "de", 1},  {"code", "de", 1},
    {"figures", "de", 1}, {"links", "de", 1},  {"breaks", "de", 1},  {"headings", "de", 7},
    {"html", "de", 4},    {"german", "de", 1}, {"english", "en", 1}, {"empty", "de", 1},
    {"depth", "de", 1},
};

static void details(const jr_doc *d, FILE *f)
{
    fprintf(f, "--- details\n");
    for (size_t i = 0; i < d->nblocks; i++) {
        const jr_block *b = &d->blocks[i];
        fprintf(f, "%zu:", i);
        for (int k = 0; k < b->depth; k++) {
            const jr_container *c = &b->cont[k];
            if (c->kind == JR_CONT_QUOTE)
                fprintf(f, " quote#%d", c->id);
            else
                fprintf(f, " item#%d%s%s", c->id, c->ordered ? "(ordered)" : "",
                        c->tight ? "(tight)" : "");
        }
        if (b->info)
            fprintf(f, " info=\"%s\"", b->info);
        fprintf(f, " spans at");
        for (size_t k = 0; k < b->nspans; k++)
            fprintf(f, " %d:%d", b->spans[k].pos.line, b->spans[k].pos.col);
        fputc('\n', f);
    }
    for (size_t i = 0; i < d->nlinks; i++)
        fprintf(f, "link %zu at %d:%d: %s\n", i, d->links[i].pos.line, d->links[i].pos.col,
                d->links[i].url);
}

static int run_case(size_t i, bool update)
{
    char *md_path = jr_xasprintf(DIR "%s.md", cases[i].name);
    char *out_path = jr_xasprintf(DIR "%s.out", cases[i].name);
    char *label = jr_xasprintf("%s.md", cases[i].name);
    size_t len;
    char *src = jr_read_file(md_path, &len);
    if (!src) {
        fprintf(stderr, "FAIL: cannot read %s\n", md_path);
        return 1;
    }

    char *diags = NULL, *got = NULL;
    size_t diags_len = 0, got_len = 0;
    FILE *dmem = open_memstream(&diags, &diags_len);
    jr_diag_set_output(dmem);
    jr_doc *d = jr_markdown_parse_string(src, len, cases[i].lang, label, cases[i].first_line);
    jr_diag_set_output(stderr);
    fclose(dmem);
    FILE *mem = open_memstream(&got, &got_len);
    jr_doc_dump(d, mem);
    details(d, mem);
    fprintf(mem, "--- diagnostics\n%s", diags);
    fclose(mem);
    free(diags);
    jr_doc_free(d);

    int fail = 0;
    if (update) {
        FILE *f = fopen(out_path, "wb");
        if (!f || fwrite(got, 1, got_len, f) != got_len || fclose(f) != 0) {
            fprintf(stderr, "FAIL: cannot write %s\n", out_path);
            fail = 1;
        }
    } else {
        size_t want_len;
        char *want = jr_read_file(out_path, &want_len);
        if (!want) {
            fprintf(stderr, "FAIL: %s: no golden file %s\n", cases[i].name, out_path);
            fail = 1;
        } else if (want_len != got_len || memcmp(want, got, got_len) != 0) {
            size_t k = 0, line = 1;
            while (k < want_len && k < got_len && want[k] == got[k])
                if (want[k++] == '\n')
                    line++;
            fprintf(stderr, "FAIL: %s differs from %s at line %zu; got:\n%s\n", cases[i].name,
                    out_path, line, got);
            fail = 1;
        }
        free(want);
    }
    free(got);
    free(src);
    free(md_path);
    free(out_path);
    free(label);
    return fail;
}

/* jr_markdown_parse on an article: its body, body_line, path and language. */
static int article_case(void)
{
    jr_article a = {0};
    a.path = jr_xstrdup("a.md");
    a.body = jr_xstrdup("\"Hi\" there\n\n## Head\n");
    a.body_len = strlen(a.body);
    a.body_line = 5;
    a.lang = jr_xstrdup("en");
    jr_markdown_parse(&a, NULL); /* the article's language */
    jr_markdown_parse(&a, "de"); /* parsed again: the old document is freed */
    int fail = 0;
    const jr_doc *d = a.doc;
    if (!d || d->nblocks != 2 || d->blocks[1].pos.line != 7 ||
        strcmp(d->blocks[0].spans[0].text, "„Hi“ there") != 0) {
        fprintf(stderr, "FAIL: article case\n");
        fail = 1;
    }
    jr_markdown_parse(&a, NULL);
    if (!a.doc || a.doc->nblocks != 2 ||
        strcmp(a.doc->blocks[0].spans[0].text, "“Hi” there") != 0) {
        fprintf(stderr, "FAIL: article case (en)\n");
        fail = 1;
    }
    jr_article_clear(&a);
    return fail;
}

int main(void)
{
    const char *u = getenv("JOURNAL_UPDATE_GOLDEN");
    bool update = u && *u && strcmp(u, "0") != 0;
    int fails = 0;
    size_t n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++)
        fails += run_case(i, update);
    fails += article_case();
    if (fails) {
        fprintf(stderr, "%d of %zu golden cases failed\n", fails, n);
        return 1;
    }
    printf("%zu golden cases passed\n", n);
    return 0;
}
