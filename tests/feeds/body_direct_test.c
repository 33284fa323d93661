/* Article bodies without raw HTML are written directly from cmark's tree
 * (sanitize.c, body_direct); bodies with raw HTML go through cmark's HTML
 * and the libxml2 sanitiser. Both ways must give the same bytes: compared
 * here for every Markdown file of the source tree (articles/, tests/),
 * every paragraph of those on its own, and random bodies built from
 * Markdown's pieces (emphasis, links, images with and without titles,
 * unsafe URLs, entities, lists, quotes, code, breaks, nesting), for pages
 * (relative URLs, <div class="figure">) and feeds (absolute URLs,
 * <figure>). Also: a javascript: link without raw HTML is written without
 * its target and still reported; and jr_ascii_run, the word-at-a-time scan
 * both ways use, agrees with a byte loop. Run from the source root. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "feed_int.h"
#include "util.h"

static int failures;
static long compared, direct_count;
static jr_journal journal;

/* Both ways for one body; returns whether it could be written directly. */
static bool compare(const char *body, size_t len, const char *what)
{
    jr_article a = {0};
    a.path = "body.md";
    a.body_line = 1;
    a.body = (char *)body;
    a.body_len = len;
    bool direct = false;
    for (int v = 0; v < 2; v++) {
        const char *url = v ? "https://j.example/2026-1/seite.html" : NULL;
        char *fast = jr_article_body_html_how(&journal, &a, url, JR_BODY_DIRECT);
        if (!fast)
            continue;
        direct = true;
        char *slow = jr_article_body_html_how(&journal, &a, url, JR_BODY_SANITIZED);
        compared++;
        if (strcmp(fast, slow) != 0) {
            if (failures < 5) {
                size_t k = 0;
                while (fast[k] && fast[k] == slow[k])
                    k++;
                fprintf(stderr,
                        "FAIL %s (%s): direct and sanitised differ at byte %zu\n"
                        "--- body\n%.*s\n--- direct\n%s\n--- sanitised\n%s\n",
                        what, url ? "feed" : "page", k, (int)len, body, fast, slow);
            }
            failures++;
        }
        free(fast);
        free(slow);
    }
    direct_count += direct;
    return direct;
}

static int one_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    size_t n = strlen(path);
    if (flag != FTW_F || n < 3 || strcmp(path + n - 3, ".md") != 0)
        return 0;
    size_t len;
    char *data = jr_read_file(path, &len);
    if (!data)
        return 0;
    compare(data, len, path);
    for (const char *p = data, *end = data + len; p < end;) {
        const char *q = strstr(p, "\n\n");
        if (!q)
            q = end;
        compare(p, (size_t)(q - p), path);
        p = q + (q < end ? 2 : 0);
    }
    free(data);
    return 0;
}

static const char *const tokens[] = {
    "Text ",
    "Wort",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    "*",
    "**",
    "_",
    "`",
    "``",
    "[",
    "]",
    "](",
    ")",
    "![",
    "![Bild](images/a.png \"Ein Titel\")",
    "![Bild *schön*](images/a.png \"Titel mit \\\"Zitat\\\" & <Spitze>\")",
    "![](b.png 'x')",
    "![x](javascript:alert(1) \"t\")",
    "![a\nb](c.png \"d\")",
    "[Link](https://a.example/x?a=1&b=2 \"T & 'x'\")",
    "[rel](../x.html)",
    "[sp](<a b c>)",
    "[js](javascript:alert(1))",
    "[JS](JaVaScRiPt:x)",
    "[m](mailto:a@b.example)",
    "[d](data:text/html,x)",
    "[ws](< http://a.example>)",
    "[q](a\"b)",
    "[u](ü/ä%20x)",
    "<http://auto.example/x>",
    "<me@example.com>",
    "https://bare.example",
    "\"",
    "'",
    "„",
    "–",
    "--",
    "...",
    "12 €",
    "z. B. ",
    "&amp;",
    "&copy;",
    "&nbsp;",
    "&#1;",
    "&#0;",
    "&#xFFFE;",
    "&#x85;",
    "&#127;",
    "&#9;",
    "&#10;",
    "&#32;",
    "&quot;",
    "&lt;b&gt;",
    "\\*",
    "\\",
    "# ",
    "## ",
    "###### ",
    "=\n",
    "---\n",
    "***\n",
    "> ",
    "- ",
    "+ ",
    "1. ",
    "7) ",
    "0. ",
    "    code",
    "```\n",
    "```c x\n",
    "~~~\n",
    "  \n",
    "\\\n",
    "[ref]: /url \"t\"\n",
    "[ref]",
    "[ref][]",
    "\r\n",
    "\r",
    "\x7f",
    "\xc2\x85",
    "\xc2\xa0",
    "ü",
    "<",
    ">",
    "&",
    "   ",
    "\n   - ",
    "\n  1. ",
    "[*",
    "*](u)",
    "[*<http://x.example>*](y)",
    "![a ![b](c.png)](d.png \"t\")",
    "[![i](s.png \"t\")](l.html)",
    "\n\n![Bild](images/y.png \"Unterschrift\")\n\n",
    "&#32;![x](y.png \"t\")&#32;",
    "![x](y.png \"\")",
    "> > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > ",
};

static unsigned long rng_state = 20261126;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((rng_state >> 33) % n);
}

static void random_bodies(int rounds)
{
    for (int r = 0; r < rounds; r++) {
        jr_buf b = {0};
        int n = 1 + (int)rnd(r % 5 == 0 ? 120 : 30);
        for (int k = 0; k < n; k++)
            jr_buf_puts(&b, tokens[rnd(sizeof tokens / sizeof tokens[0])]);
        char what[32];
        snprintf(what, sizeof what, "random body %d", r);
        compare(b.data, b.len, what);
        jr_buf_free(&b);
    }
}

/* A javascript: link in plain Markdown: written directly, without its
 * target, and reported as before. */
static void unsafe_link(void)
{
    jr_diag_reset();
    jr_feed_forget_warnings();
    const char *body = "Ein [Link](javascript:alert(1)) und ![Bild](javascript:x \"T\").\n";
    jr_article a = {0};
    a.path = "js.md";
    a.body_line = 3;
    a.body = (char *)body;
    a.body_len = strlen(body);
    char *s = jr_article_body_html_how(&journal, &a, NULL, JR_BODY_DIRECT);
    if (!s || strstr(s, "javascript") || strstr(s, "<img") || !strstr(s, "<a>Link</a>")) {
        fprintf(stderr, "FAIL javascript: link written directly as [%s]\n", s ? s : "(null)");
        failures++;
    }
    free(s);
    if (jr_diag_count_id(JR_W_UNSAFE_HTML) != 1) {
        fprintf(stderr, "FAIL javascript: link reported %d times, want 1\n",
                jr_diag_count_id(JR_W_UNSAFE_HTML));
        failures++;
    }
    s = jr_article_body_html(&journal, &a, "https://j.example/x.html");
    if (!s || strstr(s, "javascript")) {
        fprintf(stderr, "FAIL javascript: link in a feed as [%s]\n", s ? s : "(null)");
        failures++;
    }
    free(s);
}

/* jr_ascii_run, jr_ascii_printable and jr_utf8_invalid_at (eight bytes at
 * a time) against plain byte loops. */
static void ascii_run(void)
{
    static const char alphabet[] = {'a',  ' ',  '&',        '<',        '>',        '~', 0x7f,
                                    0x1f, '\n', (char)0x80, (char)0xc3, (char)0xff, '0', '"'};
    char s[40];
    for (int r = 0; r < 200000; r++) {
        size_t n = rnd(sizeof s);
        for (size_t i = 0; i < n; i++)
            s[i] = rnd(4) ? 'x' : alphabet[rnd(sizeof alphabet)];
        const char *stop = r % 2 ? "&<>" : NULL;
        size_t want = 0;
        while (want < n && (unsigned char)s[want] >= 0x20 && (unsigned char)s[want] < 0x80 &&
               !(stop && strchr(stop, s[want])))
            want++;
        size_t got = jr_ascii_run(s, n, stop);
        if (got != want) {
            fprintf(stderr, "FAIL jr_ascii_run gave %zu, want %zu (round %d)\n", got, want, r);
            failures++;
            return;
        }
        if (jr_ascii_printable(s, n) != (stop ? jr_ascii_run(s, n, NULL) : want)) {
            fprintf(stderr, "FAIL jr_ascii_printable differs (round %d)\n", r);
            failures++;
            return;
        }
        /* jr_utf8_invalid_at (ASCII eight bytes at a time) against decoding */
        size_t bad = (size_t)-1;
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            size_t l = (unsigned char)s[i] < 0x80 ? 1 : jr_utf8_decode(s + i, n - i, &cp);
            if (l == 0) {
                bad = i;
                break;
            }
            i += l;
        }
        if (jr_utf8_invalid_at(s, n) != bad) {
            fprintf(stderr, "FAIL jr_utf8_invalid_at differs (round %d)\n", r);
            failures++;
            return;
        }
    }
}

int main(void)
{
    ascii_run();
    jr_diag_set_output(NULL);
    journal.language = "de";
    unsafe_link();
    nftw("articles", one_file, 16, FTW_PHYS);
    nftw("tests", one_file, 16, FTW_PHYS);
    random_bodies(getenv("BODY_ROUNDS") ? atoi(getenv("BODY_ROUNDS")) : 20000);
    /* Most bodies have no raw HTML: the comparison must have happened. */
    if (compared < 20000 || direct_count < 10000) {
        fprintf(stderr, "FAIL only %ld comparisons (%ld bodies written directly)\n", compared,
                direct_count);
        failures++;
    }
    printf("%ld comparisons, %ld bodies written directly, %d failures\n", compared, direct_count,
           failures);
    return failures ? 1 : 0;
}
