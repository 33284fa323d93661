/* Pathological Markdown: deep nesting, huge words, many links, many
 * figures, long runs of quote and dash characters. Each input must parse
 * (no stack overflow, no blow-up: ctest's timeout is the guard) into the
 * expected number of blocks and links with bounded container depth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "markdown.h"
#include "util.h"

static int fails;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            fails++;                                                                               \
        }                                                                                          \
    } while (0)

static char *repeat(const char *unit, size_t n, const char *tail)
{
    jr_buf b = {0};
    for (size_t i = 0; i < n; i++)
        jr_buf_puts(&b, unit);
    jr_buf_puts(&b, tail);
    return jr_buf_detach(&b);
}

static jr_doc *parse(const char *md)
{
    return jr_markdown_parse_string(md, strlen(md), "de", "p.md", 1);
}

static int max_depth(const jr_doc *d)
{
    int m = 0;
    for (size_t i = 0; i < d->nblocks; i++)
        if (d->blocks[i].depth > m)
            m = d->blocks[i].depth;
    return m;
}

static void nested_quotes(void)
{
    jr_diag_reset();
    char *md = repeat(">", 10000, " deep\n\nafter\n");
    jr_doc *d = parse(md);
    EXPECT(d->nblocks == 2, "quotes: %zu blocks", d->nblocks);
    EXPECT(max_depth(d) == JR_MAX_DEPTH, "quotes: depth %d", max_depth(d));
    EXPECT(d->nblocks == 2 && d->blocks[1].depth == 0, "quotes: 'after' is nested");
    EXPECT(jr_diag_count_id(JR_W_NESTING_DEPTH) == 1, "quotes: %d depth warnings",
           jr_diag_count_id(JR_W_NESTING_DEPTH));
    jr_doc_free(d);
    free(md);

    /* one quote level more on each line: a lazy, growing structure */
    jr_buf b = {0};
    for (int i = 1; i <= 300; i++) {
        for (int k = 0; k < i; k++)
            jr_buf_putc(&b, '>');
        jr_buf_puts(&b, " x\n");
    }
    jr_diag_reset();
    d = parse(b.data);
    EXPECT(d->nblocks >= 1 && max_depth(d) <= JR_MAX_DEPTH, "growing quotes: depth %d",
           max_depth(d));
    EXPECT(jr_diag_count_id(JR_W_NESTING_DEPTH) == 1, "growing quotes: %d warnings",
           jr_diag_count_id(JR_W_NESTING_DEPTH));
    jr_doc_free(d);
    jr_buf_free(&b);
}

static void nested_lists(void)
{
    jr_diag_reset();
    char *md = repeat("- ", 10000, "deep\n");
    jr_doc *d = parse(md);
    EXPECT(d->nblocks == 1, "bullets: %zu blocks", d->nblocks);
    EXPECT(max_depth(d) == JR_MAX_DEPTH, "bullets: depth %d", max_depth(d));
    if (d->nblocks == 1)
        for (int k = 0; k < d->blocks[0].depth; k++)
            EXPECT(d->blocks[0].cont[k].kind == JR_CONT_ITEM && d->blocks[0].cont[k].first,
                   "bullets: container %d", k);
    EXPECT(jr_diag_count_id(JR_W_NESTING_DEPTH) == 1, "bullets: %d warnings",
           jr_diag_count_id(JR_W_NESTING_DEPTH));
    jr_doc_free(d);
    free(md);

    jr_diag_reset();
    md = repeat("3. ", 10000, "deep\n");
    d = parse(md);
    EXPECT(d->nblocks == 1 && max_depth(d) == JR_MAX_DEPTH, "ordered: %zu blocks depth %d",
           d->nblocks, max_depth(d));
    EXPECT(d->nblocks == 1 && d->blocks[0].cont[0].ordered && d->blocks[0].cont[0].number == 3,
           "ordered: numbering");
    jr_doc_free(d);
    free(md);

    /* quotes and list items alternating */
    jr_diag_reset();
    md = repeat("> - ", 5000, "deep\n");
    d = parse(md);
    EXPECT(d->nblocks == 1 && max_depth(d) == JR_MAX_DEPTH, "mixed: %zu blocks depth %d",
           d->nblocks, max_depth(d));
    EXPECT(jr_diag_count_id(JR_W_NESTING_DEPTH) == 1, "mixed: warnings");
    jr_doc_free(d);
    free(md);

    /* indented nesting, 200 levels on 200 lines */
    jr_buf b = {0};
    for (int i = 0; i < 200; i++) {
        for (int k = 0; k < 2 * i; k++)
            jr_buf_putc(&b, ' ');
        jr_buf_printf(&b, "- item %d\n", i);
    }
    d = parse(b.data);
    EXPECT(d->nblocks == 200 && max_depth(d) == JR_MAX_DEPTH, "indented: %zu blocks depth %d",
           d->nblocks, max_depth(d));
    jr_doc_free(d);
    jr_buf_free(&b);
}

static void long_word(void)
{
    char *md = repeat("a", 100000, "\n");
    jr_doc *d = parse(md);
    EXPECT(d->nblocks == 1 && d->blocks[0].nspans == 1 &&
               strlen(d->blocks[0].spans[0].text) == 100000,
           "long word");
    jr_doc_free(d);
    free(md);

    /* a long word of letters with soft hyphens, in emphasis */
    md = repeat("ab\xC2\xAD", 30000, "*x*\n");
    d = parse(md);
    EXPECT(d->nblocks == 1 && d->blocks[0].nspans == 2, "soft hyphens");
    jr_doc_free(d);
    free(md);
}

static void many_links(void)
{
    jr_buf b = {0};
    for (int i = 0; i < 100000; i++)
        jr_buf_printf(&b, "[l%d](u%d) ", i, i);
    jr_doc *d = parse(b.data);
    EXPECT(d->nblocks == 1, "links: %zu blocks", d->nblocks);
    EXPECT(d->nlinks == 100000, "links: %zu links", d->nlinks);
    /* link text and the spaces between: 2n - 1 spans */
    EXPECT(d->nblocks == 1 && d->blocks[0].nspans == 199999, "links: %zu spans",
           d->nblocks ? d->blocks[0].nspans : 0);
    EXPECT(d->nlinks == 100000 && strcmp(d->links[99999].url, "u99999") == 0, "links: last url");
    jr_doc_free(d);
    jr_buf_free(&b);
}

static void many_figures(void)
{
    jr_buf b = {0};
    for (int i = 0; i < 10000; i++)
        jr_buf_printf(&b, "t%d ![a%d](i%d.png) ", i, i, i);
    jr_doc *d = parse(b.data);
    EXPECT(d->nblocks == 20000, "figures: %zu blocks", d->nblocks);
    size_t figs = 0;
    for (size_t i = 0; i < d->nblocks; i++)
        figs += d->blocks[i].kind == JR_BLOCK_FIGURE;
    EXPECT(figs == 10000, "figures: %zu figures", figs);
    jr_doc_free(d);
    jr_buf_free(&b);
}

/* Inputs cmark's own pathological suite names, and long runs for the
 * typography pass. They only have to finish with a sane result. */
static void runs(void)
{
    static const struct {
        const char *unit, *tail;
        size_t n;
    } cases[] = {
        {"\"", "\n", 100000}, {"'", "\n", 100000},      {"a'b \"c ", "\n", 30000},
        {"-", "\n", 100001},  {".", "\n", 100000},      {"z. ", "\n", 50000},
        {"[", "a\n", 50000},  {"*a **a ", "\n", 30000}, {"*", "a\n", 50000},
        {"_", "a\n", 50000},  {"`", "a\n", 50000},      {"<", "a\n", 50000},
        {"![", "a\n", 30000}, {"[a](", "\n", 30000},    {"a  \n", "b\n", 30000},
        {"<a>", "\n", 20000}, {"1 € ", "\n", 30000},    {"§ ", "1\n", 30000},
    };
    jr_diag_set_output(NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *md = repeat(cases[i].unit, cases[i].n, cases[i].tail);
        jr_doc *d = parse(md);
        EXPECT(d->nblocks <= 2, "run %zu: %zu blocks", i, d->nblocks);
        jr_doc_free(d);
        free(md);
    }
    jr_diag_set_output(stderr);
}

int main(void)
{
    nested_quotes();
    nested_lists();
    long_word();
    many_links();
    many_figures();
    runs();
    if (fails) {
        fprintf(stderr, "%d pathological checks failed\n", fails);
        return 1;
    }
    printf("pathological checks passed\n");
    return 0;
}
