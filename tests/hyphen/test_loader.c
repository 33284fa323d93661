#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv */
/* The fast pattern loader in hyphenate.c must build the automaton that
 * libhyphen's own hnj_hyphen_load builds: compare the bare pattern answers
 * for every pattern string of the German dictionary and for the word list. */
#include <hyphen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyphenate.h"
#include "util.h"

#define DIC "/usr/share/hyphen/hyph_de_DE.dic"

static int failures;
static long compared;

static void compare(jr_hyphenator *h, HyphenDict *d, const char *w, size_t n)
{
    if (n == 0 || n > 200)
        return;
    char a[210], b[210];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    char *copy = jr_xstrndup(w, n);
    jr_hyphenator_raw(h, copy, n, a);
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    hnj_hyphen_hyphenate2(d, copy, (int)n, b, NULL, &rep, &pos, &cut);
    if (rep) {
        for (size_t i = 0; i < n; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    if (memcmp(a, b, n) != 0) {
        if (failures < 20)
            fprintf(stderr, "%s: fast loader %.*s, libhyphen %.*s\n", copy, (int)n, a, (int)n, b);
        failures++;
    }
    compared++;
    free(copy);
}

/* Lower-case ISO-8859-1 letters of a UTF-8 line; false if not Latin-1. */
static bool to_latin1(const char *s, char *out, size_t *n)
{
    size_t k = 0, len = strlen(s);
    for (size_t i = 0; i < len && k < 200;) {
        uint32_t c;
        size_t l = jr_utf8_decode(s + i, len - i, &c);
        if (l == 0 || c > 0xFF)
            return false;
        if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7))
            c += 0x20;
        out[k++] = (char)c;
        i += l;
    }
    *n = k;
    return true;
}

static void compare_all(jr_hyphenator *h, HyphenDict *d);

int main(void)
{
    /* first the automaton built from the patterns, then one read back from a
     * cache file (in a folder of its own) */
    char dir[] = "/tmp/journal-hyph-loader-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    HyphenDict *d = hnj_hyphen_load(DIC);
    if (!d) {
        fprintf(stderr, "German patterns missing (" DIC ")\n");
        return 1;
    }
    setenv("JOURNAL_CACHE_DIR", "off", 1);
    jr_hyphenator *h = jr_hyphenator_new("de");
    if (h)
        compare_all(h, d);
    jr_hyphenator_free(h);
    long built = compared;
    setenv("JOURNAL_CACHE_DIR", dir, 1);
    jr_hyphenator_free(jr_hyphenator_new("de")); /* writes the cache */
    h = jr_hyphenator_new("de");                 /* reads it */
    if (h)
        compare_all(h, d);
    jr_hyphenator_free(h);
    char *cmd = jr_xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        failures++;
    free(cmd);
    hnj_hyphen_free(d);
    fprintf(stderr, "%ld words compared, %d differ\n", compared, failures);
    return failures || built < 50000 || compared < 2 * built;
}

static void compare_all(jr_hyphenator *h, HyphenDict *d)
{
    /* every pattern string, digits and dots removed: each walks its own path */
    size_t len;
    char *text = jr_read_file(DIC, &len);
    if (!text) {
        failures++;
        return;
    }
    char *line = strchr(text, '\n');
    while (line && *++line) {
        char *end = strchr(line, '\n');
        size_t l = end ? (size_t)(end - line) : strlen(line);
        if (line[0] != '#' && line[0] != '%') {
            char w[128];
            size_t n = 0;
            for (size_t i = 0; i < l && n < sizeof w - 1; i++) {
                unsigned char c = (unsigned char)line[i];
                if (c <= ' ')
                    break;
                if ((c >= 'a' && c <= 'z') || c >= 0xDF)
                    w[n++] = (char)c;
            }
            compare(h, d, w, n);
            /* and glued to the next pattern, to cross state boundaries */
            if (end && n > 2) {
                char w2[256];
                size_t m = 0;
                memcpy(w2, w, n);
                m = n;
                for (const char *p = end + 1; *p && *p != '\n' && m < 60; p++) {
                    unsigned char c = (unsigned char)*p;
                    if ((c >= 'a' && c <= 'z') || c >= 0xDF)
                        w2[m++] = (char)c;
                }
                compare(h, d, w2, m);
            }
        }
        line = end;
    }
    free(text);
    /* the word list */
    char *words = jr_read_file("tests/hyphen/words-de.txt", &len);
    if (!words) {
        failures++;
        return;
    }
    for (char *l = strtok(words, "\n\t"); l; l = strtok(NULL, "\n\t")) {
        char w[256];
        size_t n;
        if (l[0] != '#' && !strchr(l, '-') && to_latin1(l, w, &n))
            compare(h, d, w, n);
    }
    free(words);
}
