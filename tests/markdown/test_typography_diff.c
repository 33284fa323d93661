/* The fast typography (journal/typography.c) against the reference
 * implementation it replaced (typography_ref.c): the same pieces in, the
 * same bytes out, for random text built from the characters the rules look
 * at (quotes, dashes, dots, digits, units, spaces, control characters,
 * invalid UTF-8), cut into pieces of every kind, in German, Swiss German
 * and English; and for every paragraph of the Markdown files in the source
 * tree (articles/, tests/), whole and cut into pieces. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "util.h"

void ref_typography_pieces(jr_typo_piece *pieces, size_t n, const char *lang);

static int fails;
static long cases;
static uint64_t rng = 0x9E3779B97F4A7C15ull;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)((rng >> 11) % n);
}

static const char *const langs[] = {"de", "en", "de-CH", NULL, "", "fr", "de-AT"};

static void show(const char *what, const char *s, size_t n)
{
    fprintf(stderr, "  %s: \"", what);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\')
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
    fprintf(stderr, "\"\n");
}

/* Run both on the same pieces; report the first difference. */
static void compare(const jr_typo_piece *in, size_t n, const char *lang)
{
    jr_typo_piece *a = jr_xmalloc(n * sizeof *a), *b = jr_xmalloc(n * sizeof *b);
    memcpy(a, in, n * sizeof *a);
    memcpy(b, in, n * sizeof *b);
    jr_typography_pieces(a, n, lang);
    ref_typography_pieces(b, n, lang);
    cases++;
    for (size_t k = 0; k < n; k++) {
        bool same =
            (!a[k].out && !b[k].out) || (a[k].out && b[k].out && strcmp(a[k].out, b[k].out) == 0);
        if (!same && fails < 10) {
            fprintf(stderr, "FAIL [%s] piece %zu of %zu differs\n", lang ? lang : "NULL", k, n);
            for (size_t m = 0; m < n; m++) {
                fprintf(stderr, "  piece %zu kind %d\n", m, (int)in[m].kind);
                if (in[m].kind == JR_TYPO_TEXT)
                    show("in", in[m].text, in[m].len);
            }
            show("fast", a[k].out ? a[k].out : "(null)", a[k].out ? strlen(a[k].out) : 6);
            show("ref ", b[k].out ? b[k].out : "(null)", b[k].out ? strlen(b[k].out) : 6);
        }
        if (!same) {
            fails++;
            break;
        }
    }
    for (size_t k = 0; k < n; k++) {
        free(a[k].out);
        free(b[k].out);
    }
    free(a);
    free(b);
}

/* Cut `s` into up to `maxp` pieces at random places (not inside a UTF-8
 * sequence, which the callers never do either), some of them code or
 * breaks, and compare. */
static void compare_cut(const char *s, size_t len, unsigned maxp, const char *lang)
{
    jr_typo_piece p[16];
    size_t n = 0, at = 0;
    unsigned want = 1 + rnd(maxp);
    while (n < 16) {
        size_t end = len;
        if (n + 1 < want && len > at) {
            end = at + rnd((unsigned)(len - at) + 1);
            while (end < len && ((unsigned char)s[end] & 0xC0) == 0x80)
                end++;
        }
        unsigned k = rnd(10);
        jr_typo_kind kind = k < 7 ? JR_TYPO_TEXT : k < 9 ? JR_TYPO_CODE : JR_TYPO_BREAK;
        p[n++] = (jr_typo_piece){kind, s + at, end - at, NULL};
        at = end;
        if (at >= len && n >= want)
            break;
    }
    compare(p, n, lang);
}

static const char *const atoms[] = {
    "a",
    "Z",
    "ä",
    "ß",
    "x",
    "Wort",
    "1",
    "9",
    "12",
    "3.",
    " ",
    " ",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "-",
    "--",
    "---",
    ".",
    ".",
    "...",
    "'",
    "'",
    "\"",
    "\"",
    "’",
    "‘",
    "‚",
    "„",
    "“",
    "”",
    "«",
    "»",
    "‹",
    "(",
    ")",
    "[",
    "/",
    "§",
    "§§",
    "S.",
    "Nr.",
    "z.",
    "B.",
    "d.",
    "h.",
    "km",
    "€",
    "%",
    "°C",
    "Mai",
    "Uhr",
    "Std.",
    "Mio.",
    "Jan.",
    "m²",
    "µm",
    "Prozent",
    "km/h",
    "\x01",
    "\x7f",
    "\xc2\x85",
    "\xff",
    "\xe2\x80",
    "\xc3",
    "\xc2\xa0",
    "\xe2\x80\xaf",
    "–",
    "—",
    "…",
    "\xef\xbf\xbc",
    "\xc2\xad",
    "😀",
    "Abs.",
    "p.",
    "vol.",
    "Euro",
    "MHz",
    "kWh",
    "Hz",
    "?",
    "!",
    ",",
    ":",
    "A",
    "I",
    "\xf0\x9f",
};

static void random_cases(long count)
{
    size_t natoms = sizeof atoms / sizeof atoms[0];
    for (long c = 0; c < count; c++) {
        jr_buf b = {0};
        unsigned len = 1 + rnd(c % 7 == 0 ? 60 : 14);
        for (unsigned i = 0; i < len; i++)
            jr_buf_puts(&b, atoms[rnd((unsigned)natoms)]);
        const char *lang = langs[rnd(sizeof langs / sizeof langs[0])];
        compare_cut(b.data, b.len, c % 3 == 0 ? 1 : 6, lang);
        jr_buf_free(&b);
    }
}

/* Every paragraph (text between blank lines) of a Markdown file. */
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
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *q = strstr(p, "\n\n");
        if (!q)
            q = end;
        for (size_t l = 0; l < sizeof langs / sizeof langs[0]; l++) {
            jr_typo_piece one = {JR_TYPO_TEXT, p, (size_t)(q - p), NULL};
            compare(&one, 1, langs[l]);
        }
        compare_cut(p, (size_t)(q - p), 8, "de");
        p = q + (q < end ? 2 : 0);
    }
    free(data);
    return 0;
}

int main(void)
{
    random_cases(300000);
    nftw("articles", one_file, 16, FTW_PHYS);
    nftw("tests", one_file, 16, FTW_PHYS);
    if (cases < 300000) {
        fprintf(stderr, "FAIL only %ld cases\n", cases);
        fails++;
    }
    printf("%ld cases, %d failures\n", cases, fails);
    return fails ? 1 : 0;
}
