/* Hyphenation: the German word list (tests/hyphen/words-de.txt with
 * exceptions-de.txt), the rules on top of the patterns, languages and
 * pathological input. Run from the source root. */
#define _XOPEN_SOURCE 700 /* mkdtemp, setenv */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hyphenate.h"
#include "util.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void check_show(jr_hyphenator *h, const char *word, const char *want, int line)
{
    char *got = jr_hyphenate_show(h, word);
    if (!got || strcmp(got, want) != 0) {
        fprintf(stderr, "%s:%d: %s: got %s, want %s\n", __FILE__, line, word, got ? got : "(null)",
                want);
        failures++;
    }
    free(got);
}
#define SHOW(h, word, want) check_show(h, word, want, __LINE__)

static void test_word_list(void)
{
    jr_hyphenator *h = jr_hyphenator_new("de");
    CHECK(h != NULL);
    if (!h)
        return;
    CHECK(jr_hyphenator_load_exceptions(h, "tests/hyphen/exceptions-de.txt") == 4);
    size_t len;
    char *text = jr_read_file("tests/hyphen/words-de.txt", &len);
    CHECK(text != NULL);
    int n = 0;
    for (char *line = text ? strtok(text, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        CHECK(tab != NULL);
        if (!tab)
            continue;
        *tab = '\0';
        char *got = jr_hyphenate_show(h, line);
        if (strcmp(got, tab + 1) != 0) {
            fprintf(stderr, "words-de.txt: %s: got %s, want %s\n", line, got, tab + 1);
            failures++;
        }
        free(got);
        n++;
    }
    CHECK(n >= 50);
    free(text);
    jr_hyphenator_free(h);
}

static void test_rules(void)
{
    jr_hyphenator *h = jr_hyphenator_new("de-DE");
    CHECK(h != NULL);
    if (!h)
        return;
    char hy[64];

    /* one-letter pieces: the patterns say stau-b-ecken and alt-bau-e-r-hal-tung */
    CHECK(jr_hyphenator_raw(h, "staubecken", 10, hy) == 0);
    CHECK((hy[3] & 1) && (hy[4] & 1)); /* after "stau" and after "b" */
    SHOW(h, "Staubecken", "Stau-becken");
    CHECK(jr_hyphenator_raw(h, "altbauerhaltung", 15, hy) == 0);
    CHECK((hy[5] & 1) && (hy[6] & 1) && (hy[7] & 1));
    SHOW(h, "Altbauerhaltung", "Alt-bau-er-hal-tung");
    SHOW(h, "Regionalentwicklung", "Re-gio-nal-ent-wick-lung"); /* not re-gi-o-nal */
    /* pieces without a vowel: the patterns say deut-sch-ler-nen, rü-ck-mel-dung */
    CHECK(jr_hyphenator_raw(h, "deutschlernen", 13, hy) == 0);
    CHECK((hy[3] & 1) && (hy[6] & 1));
    SHOW(h, "Deutschlernen", "Deutsch-ler-nen");
    SHOW(h,
         "R\xc3\xbc"
         "ckmeldung",
         "R\xc3\xbc"
         "ck-mel-dung");

    /* limits: default 2 left, 3 right */
    SHOW(h, "Ausbildungsmesse", "Aus-bil-dungs-messe");
    SHOW(h, "Abend", "Abend");
    jr_hyphenator_set_limits(h, 4, 2);
    SHOW(h, "Ausbildungsmesse", "Ausbil-dungs-mes-se");
    SHOW(h, "Bildung", "Bildung"); /* "Bil": 3 letters, fewer than 4 */
    jr_hyphenator_set_limits(h, 2, 3);
    SHOW(h, "Ausbildungsmesse", "Aus-bil-dungs-messe");

    /* case: capitals and all-capitals are looked up in lower case */
    SHOW(h, "BILDUNGSREGION", "BIL-DUNGS-RE-GION");
    SHOW(h, "übergangsmanagement", "über-gangs-ma-nage-ment");

    /* punctuation around the word; offsets are into the whole string */
    SHOW(h,
         "\xe2\x80\x9e"
         "Bildungsregion\xe2\x80\x9c,",
         "\xe2\x80\x9e"
         "Bil-dungs-re-gion\xe2\x80\x9c,");
    SHOW(h, "(Grundschule)", "(Grund-schule)");
    SHOW(h, "Sprachf\xc3\xb6rderung.", "Sprach-f\xc3\xb6r-de-rung.");
    SHOW(h, "Bildung:", "Bil-dung:");
    size_t pts[16];
    bool ex[16];
    const char *q = "\xe2\x80\x9e"
                    "Bildung\xe2\x80\x9c";
    CHECK(jr_hyphenate(h, q, strlen(q), pts, ex, 16) == 1);
    CHECK(pts[0] == 6 && !ex[0]); /* 3 bytes of „ + "Bil" */

    /* hard hyphens: the only breaks, after the hyphen, no added hyphen */
    const char *kita = "Kita-Leitung";
    CHECK(jr_hyphenate(h, kita, strlen(kita), pts, ex, 16) == 1);
    CHECK(pts[0] == 5 && ex[0]);
    SHOW(h, "E-Mail", "E-|Mail");
    SHOW(h, "Max-Planck-Gymnasium", "Max-|Planck-|Gymnasium");
    SHOW(h, "Kita-", "Kita-"); /* "Kita- und Schulleitung" */
    SHOW(h, "-Kita", "-Kita");
    SHOW(h, "G8-Schule", "G8-|Schule");
    SHOW(h,
         "Schul\xe2\x80\x90"
         "leitung",
         "Schul\xe2\x80\x90|leitung"); /* U+2010 */

    /* soft hyphens: the only breaks, at the U+00AD, hyphen added by the caller */
    const char *soft = "Fach\xc2\xad"
                       "kr\xc3\xa4"
                       "fte\xc2\xadsicherung";
    size_t n = jr_hyphenate(h, soft, strlen(soft), pts, ex, 16);
    CHECK(n == 2);
    CHECK(pts[0] == 4 && !ex[0]);
    CHECK(n == 2 && pts[1] == 13 && !ex[1]);
    SHOW(h, soft,
         "Fach-kr\xc3\xa4"
         "fte-sicherung");
    char buf[64];
    strcpy(buf, soft);
    size_t blen = jr_strip_soft_hyphens(buf, strlen(buf));
    CHECK(blen == strlen("Fachkr\xc3\xa4"
                         "ftesicherung") &&
          strcmp(buf, "Fachkr\xc3\xa4"
                      "ftesicherung") == 0);
    SHOW(h,
         "\xc2\xad"
         "Bildung",
         "Bildung"); /* a stray soft hyphen: no break there, and no pattern breaks */

    /* no pattern breaks: digits, addresses, letters outside Latin-1 */
    SHOW(h, "2026", "2026");
    SHOW(h, "Covid19Pandemie", "Covid19Pandemie");
    SHOW(h, "https://www.landkreis-stade.de/bildung", "https://www.landkreis-stade.de/bildung");
    SHOW(h, "bildungsbuero@landkreis-stade.de", "bildungsbuero@landkreis-stade.de");
    SHOW(h, "www.bildungsregion-stade.de", "www.bildungsregion-stade.de");
    SHOW(h,
         "\xc5\x81\xc3\xb3" /* Łódź */
         "d\xc5\xba",
         "\xc5\x81\xc3\xb3"
         "d\xc5\xba");
    const char *gdansk = "Gda\xc5\x84skerstra\xc3\x9f"
                         "e";
    CHECK(jr_hyphenate(h, gdansk, strlen(gdansk), pts, ex, 16) == 0);
    CHECK(jr_hyphenate(h, "\xff\xfe", 2, pts, ex, 16) == 0); /* invalid UTF-8 */
    CHECK(jr_hyphenate(h, "", 0, pts, ex, 16) == 0);

    /* max bounds the answer; a cached answer is the same */
    const char *w = "Kindertageseinrichtung";
    CHECK(jr_hyphenate(h, w, strlen(w), pts, NULL, 2) == 2);
    size_t a[16], b[16];
    size_t na = jr_hyphenate(h, w, strlen(w), a, NULL, 16);
    size_t nb = jr_hyphenate(h, w, strlen(w), b, NULL, 16);
    CHECK(na == 6 && na == nb && memcmp(a, b, na * sizeof *a) == 0);
    jr_hyphenator_free(h);
}

static void test_exceptions(void)
{
    jr_hyphenator *h = jr_hyphenator_new("de_DE");
    CHECK(h != NULL);
    if (!h)
        return;
    SHOW(h, "Arbeitsmarktintegration", "Ar-beits-mark-tin-te-gra-tion"); /* the patterns */
    CHECK(jr_hyphenator_load_exceptions(h, "tests/hyphen/exceptions-de.txt") == 4);
    CHECK(jr_hyphenator_load_exceptions(h, "tests/hyphen/no-such-file.txt") == -1);
    /* the cached answer was dropped; the lookup ignores case and punctuation */
    SHOW(h, "Arbeitsmarktintegration", "Ar-beits-markt-in-te-gra-tion");
    SHOW(h, "ARBEITSMARKTINTEGRATION", "AR-BEITS-MARKT-IN-TE-GRA-TION");
    SHOW(h, "(Arbeitsmarktintegration).", "(Ar-beits-markt-in-te-gra-tion).");
    /* exceptions beat the limits; a later entry replaces an earlier one; no
     * hyphen means no break */
    jr_hyphenator_add_exception(h, "Ab-end");
    SHOW(h, "Abend", "Ab-end");
    jr_hyphenator_add_exception(h, "Abend");
    SHOW(h, "Abend", "Abend");
    jr_hyphenator_add_exception(h, "Sta-de");
    SHOW(h, "Stade", "Sta-de");
    /* the key is the letters: inner marks do not count */
    jr_hyphenator_add_exception(h, "Schü-ler:in-nen");
    SHOW(h, "Sch\xc3\xbcler:innen", "Sch\xc3\xbc-ler:in-nen");
    SHOW(h, "Sch\xc3\xbclerinnen", "Sch\xc3\xbc-lerin-nen");
    /* letters outside Latin-1 can be listed */
    jr_hyphenator_add_exception(h, "\xc5\x81\xc3\xb3" /* Łó-dź */
                                   "-d\xc5\xba");
    SHOW(h,
         "\xc5\x81\xc3\xb3"
         "d\xc5\xba",
         "\xc5\x81\xc3\xb3"
         "-d\xc5\xba");
    jr_hyphenator_free(h);
}

static void test_languages(void)
{
    CHECK(jr_hyphenator_new(NULL) == NULL);
    CHECK(jr_hyphenator_new("") == NULL);
    CHECK(jr_hyphenator_new("xx") == NULL);
    CHECK(jr_hyphenator_new("x") == NULL);
    CHECK(jr_hyphenator_new("../../etc/passwd") == NULL);
    const char *ok[] = {"de", "de-DE", "de_DE", "DE-de", "de-AT", "de-CH", "de-Latn-DE"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        jr_hyphenator *h = jr_hyphenator_new(ok[i]);
        if (!h) {
            fprintf(stderr, "%s:%d: no patterns for %s\n", __FILE__, __LINE__, ok[i]);
            failures++;
            continue;
        }
        SHOW(h, "Bildungsregion", "Bil-dungs-re-gion");
        jr_hyphenator_free(h);
    }

    /* English patterns (Debian package hyphen-en-us) are UTF-8 */
    if (jr_file_exists("/usr/share/hyphen/hyph_en_US.dic")) {
        const char *en[] = {"en", "en-US", "en_US"};
        for (size_t i = 0; i < sizeof en / sizeof en[0]; i++) {
            jr_hyphenator *h = jr_hyphenator_new(en[i]);
            CHECK(h != NULL);
            if (h) {
                SHOW(h, "hyphenation", "hy-phen-ation");
                SHOW(h, "Education,", "Edu-ca-tion,");
                jr_hyphenator_free(h);
            }
        }
    } else {
        CHECK(jr_hyphenator_new("en-US") == NULL);
    }

    /* an override folder: only it is searched */
    setenv("JOURNAL_HYPHEN_DIR", "tests/hyphen/dicts", 1);
    CHECK(jr_hyphenator_new("de") == NULL);
    jr_hyphenator *la = jr_hyphenator_new("la"); /* ISO8859-1, pattern "1b" */
    CHECK(la != NULL);
    if (la) {
        SHOW(la, "abcabcabc", "abca-bcabc"); /* 2 letters left, 3 right */
        jr_hyphenator_free(la);
    }
    jr_hyphenator *pl = jr_hyphenator_new("pl-PL"); /* UTF-8, pattern "1ł" */
    CHECK(pl != NULL);
    if (pl) {
        SHOW(pl,
             "ma\xc5\x82"
             "a\xc5\x82"
             "a\xc5\x82"
             "a",
             "ma-\xc5\x82"
             "a-\xc5\x82"
             "a\xc5\x82"
             "a");
        jr_hyphenator_free(pl);
    }
    unsetenv("JOURNAL_HYPHEN_DIR");
}

static void test_pathological(void)
{
    jr_hyphenator *h = jr_hyphenator_new("de");
    CHECK(h != NULL);
    if (!h)
        return;
    size_t n = 100000;
    char *w = jr_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        w[i] = "bildungsregion"[i % 14];
    w[n] = '\0';
    size_t pts[64];
    bool ex[64];
    CHECK(jr_hyphenate(h, w, n, pts, ex, 64) <= 64);
    for (size_t i = 0; i < n; i++)
        w[i] = (i % 3 == 2) ? '-' : 'a';
    size_t k = jr_hyphenate(h, w, n, pts, ex, 64);
    CHECK(k == 64);
    for (size_t i = 0; i < k; i++)
        CHECK(pts[i] > 0 && pts[i] < n && w[pts[i] - 1] == '-' && ex[i]);
    for (size_t i = 0; i < n; i += 2) { /* ä ä ä ... */
        w[i] = '\xc3';
        w[i + 1] = '\xa4';
    }
    CHECK(jr_hyphenate(h, w, n, pts, ex, 64) <= 64);
    free(w);
    jr_hyphenator_free(h);
}

/* The compiled-pattern cache: written on the first load, read on the next,
 * rebuilt when damaged; answers always the same as without it. */
static size_t count_cache_files(const char *dir, off_t *size)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "hyph-", 5) != 0)
            continue;
        n++;
        char *p = jr_path_join(dir, e->d_name);
        struct stat st;
        if (size && stat(p, &st) == 0)
            *size = st.st_size;
        free(p);
    }
    if (d)
        closedir(d);
    return n;
}

/* mode 0: cut to half, 1: all but the first and last 100 bytes spoilt,
 * 2: the middle half zeroed (sizes and header intact: only the checksum
 * tells) */
static void damage(const char *dir, int mode)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strncmp(e->d_name, "hyph-", 5) != 0)
            continue;
        char *p = jr_path_join(dir, e->d_name);
        size_t len;
        char *data = jr_read_file(p, &len);
        FILE *f = fopen(p, "wb");
        if (data && f) {
            if (mode == 0) {
                fwrite(data, 1, len / 2, f);
            } else if (mode == 2) {
                memset(data + len / 4, 0, len / 2);
                fwrite(data, 1, len, f);
            } else {
                memset(data + 100, 0xFF, len - 200); /* keep the header, spoil the rest */
                fwrite(data, 1, len, f);
            }
        }
        if (f)
            fclose(f);
        free(data);
        free(p);
    }
    if (d)
        closedir(d);
}

static void check_all_words(jr_hyphenator *h, jr_hyphenator *ref)
{
    size_t len;
    char *text = jr_read_file("tests/hyphen/words-de.txt", &len);
    CHECK(text != NULL);
    for (char *w = text ? strtok(text, "\n\t") : NULL; w; w = strtok(NULL, "\n\t")) {
        char *a = jr_hyphenate_show(h, w), *b = jr_hyphenate_show(ref, w);
        if (strcmp(a, b) != 0) {
            fprintf(stderr, "%s:%d: %s: cached %s, built %s\n", __FILE__, __LINE__, w, a, b);
            failures++;
        }
        free(a);
        free(b);
    }
    free(text);
}

static void test_cache(void)
{
    char dir[] = "/tmp/journal-hyph-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    jr_hyphenator *ref = jr_hyphenator_new("de"); /* cache off: built */
    CHECK(ref != NULL);
    setenv("JOURNAL_CACHE_DIR", dir, 1);
    off_t size = 0, size2 = 0;
    CHECK(count_cache_files(dir, NULL) == 0);
    jr_hyphenator *h1 = jr_hyphenator_new("de"); /* builds, writes */
    CHECK(h1 != NULL && count_cache_files(dir, &size) == 1 && size > 1000000);
    jr_hyphenator *h2 = jr_hyphenator_new("de-DE"); /* reads */
    CHECK(h2 != NULL && count_cache_files(dir, NULL) == 1);
    if (ref && h1 && h2) {
        check_all_words(h1, ref);
        check_all_words(h2, ref);
    }
    jr_hyphenator_free(h1);
    jr_hyphenator_free(h2);
    for (int mode = 0; mode < 3; mode++) {
        damage(dir, mode);
        jr_hyphenator *h3 = jr_hyphenator_new("de"); /* refuses the file, rebuilds it */
        CHECK(h3 != NULL && count_cache_files(dir, &size2) == 1 && size2 == size);
        if (ref && h3)
            check_all_words(h3, ref);
        jr_hyphenator_free(h3);
    }
    jr_hyphenator_free(ref);
    /* clean up */
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *p = jr_path_join(dir, e->d_name);
        remove(p);
        free(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
    setenv("JOURNAL_CACHE_DIR", "off", 1);
}

/* The word cache file: answers of earlier runs, read at the first
 * jr_hyphenate; only for the same dictionary, limits and exceptions. */
static char *words_file_in(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *found = NULL;
    while (d && (e = readdir(d)))
        if (strncmp(e->d_name, "hyphw-", 6) == 0 && !found)
            found = jr_path_join(dir, e->d_name);
    if (d)
        closedir(d);
    return found;
}

static void test_word_cache(void)
{
    char dir[] = "/tmp/journal-hyphw-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    jr_hyphenator *ref = jr_hyphenator_new("de"); /* cache off */
    jr_hyphenator *ref_exc = jr_hyphenator_new("de");
    jr_hyphenator_add_exception(ref_exc, "Bil-dungs-re-gi-on");
    setenv("JOURNAL_CACHE_DIR", dir, 1);
    jr_hyphenator *h1 = jr_hyphenator_new("de");
    if (ref && h1)
        check_all_words(h1, ref);
    CHECK(h1 && jr_hyphenator_cached_words(h1) == 0);
    jr_hyphenator_free(h1); /* writes the words */
    char *file = words_file_in(dir);
    CHECK(file != NULL);
    jr_hyphenator *h2 = jr_hyphenator_new("de");
    if (ref && h2)
        check_all_words(h2, ref);
    CHECK(h2 && jr_hyphenator_cached_words(h2) > 50);
    jr_hyphenator_free(h2);
    /* other exceptions: another file, the answers with the exception */
    jr_hyphenator *h3 = jr_hyphenator_new("de");
    jr_hyphenator_add_exception(h3, "Bil-dungs-re-gi-on");
    if (ref_exc && h3)
        check_all_words(h3, ref_exc);
    CHECK(h3 && jr_hyphenator_cached_words(h3) == 0);
    jr_hyphenator_free(h3);
    /* a damaged file (its checksum): not used */
    if (file) {
        size_t len;
        char *data = jr_read_file(file, &len);
        if (data && len > 200) {
            data[len / 2] ^= 0x21;
            FILE *f = fopen(file, "wb");
            if (f) {
                CHECK(fwrite(data, 1, len, f) == len);
                fclose(f);
            }
        }
        free(data);
        jr_hyphenator *h4 = jr_hyphenator_new("de");
        if (ref && h4)
            check_all_words(h4, ref);
        CHECK(h4 && jr_hyphenator_cached_words(h4) == 0);
        jr_hyphenator_free(h4);
    }
    free(file);
    jr_hyphenator_free(ref);
    jr_hyphenator_free(ref_exc);
    char *cmd = jr_xasprintf("rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    setenv("JOURNAL_CACHE_DIR", "off", 1);
}

int main(void)
{
    /* no cache files in the user's home from the tests (test_cache uses its own folder) */
    setenv("JOURNAL_CACHE_DIR", "off", 1);
    test_word_list();
    test_rules();
    test_exceptions();
    test_languages();
    test_pathological();
    test_cache();
    test_word_cache();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    return 0;
}
