/* Fonts (journal/fontmetrics.c): loading through fontconfig and by path,
 * measuring with kerning, the cache, glyph coverage and fallback. Needs
 * fonts-noto-core and fonts-dejavu-core. */
#define _POSIX_C_SOURCE 200809L /* strtok_r, mkdtemp, setenv, popen, utimensat */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fontmetrics.h"
#include "util.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define NOTO_DIR "/usr/share/fonts/truetype/noto"

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static double measure(jr_fontset *fs, int f, double size, const char *s, int *kern)
{
    return jr_font_measure(fs, f, size, s, strlen(s), kern);
}

static void test_loading(void)
{
    jr_fontset *fs = jr_fontset_new();
    int r = jr_font_load(fs, "Noto Serif", false, false, NULL);
    int b = jr_font_load(fs, "Noto Serif", true, false, NULL);
    int i = jr_font_load(fs, "Noto Serif", false, true, NULL);
    int bi = jr_font_load(fs, "Noto Serif", true, true, NULL);
    CHECK(r >= 0 && b >= 0 && i >= 0 && bi >= 0);
    CHECK(r != b && r != i && r != bi && b != i && b != bi && i != bi);
    CHECK(jr_font_count(fs) == 4);
    const jr_font_info *ri = jr_font_get(fs, r);
    CHECK(ri && ends_with(ri->path, "NotoSerif-Regular.ttf"));
    CHECK(ri && strcmp(ri->family, "Noto Serif") == 0 && !ri->bold && !ri->italic);
    CHECK(ri && ri->units_per_em == 1000);
    CHECK(ri && ri->ascender > 0.7 && ri->ascender < 1.3);
    CHECK(ri && ri->descender < -0.1 && ri->descender > -0.5);
    CHECK(ri && ri->cap_height > 0.6 && ri->cap_height < 0.8);
    CHECK(ri && ri->x_height > 0.4 && ri->x_height < ri->cap_height);
    const jr_font_info *bf = jr_font_get(fs, b), *itf = jr_font_get(fs, i),
                       *bif = jr_font_get(fs, bi);
    CHECK(bf && ends_with(bf->path, "NotoSerif-Bold.ttf") && bf->bold && !bf->italic);
    CHECK(itf && ends_with(itf->path, "NotoSerif-Italic.ttf") && !itf->bold && itf->italic);
    CHECK(bif && ends_with(bif->path, "NotoSerif-BoldItalic.ttf") && bif->bold && bif->italic);

    /* the same font again: the same id, by family or by path */
    CHECK(jr_font_load(fs, "Noto Serif", false, false, NULL) == r);
    CHECK(jr_font_load(fs, "noto serif", false, false, NULL) == r);
    CHECK(jr_font_load(fs, NOTO_DIR "/NotoSerif-Regular.ttf", false, false, NULL) == r);
    CHECK(jr_font_load(fs, "NotoSerif-Bold.ttf", false, false, NOTO_DIR) == b);
    CHECK(jr_font_load(fs, "noto/NotoSerif-Italic.ttf", false, false, NOTO_DIR "/..") == i);
    CHECK(jr_font_count(fs) == 4);
    /* a path load reads the style from the font */
    int sb = jr_font_load(fs, NOTO_DIR "/NotoSans-Bold.ttf", false, false, NULL);
    CHECK(sb >= 0 && jr_font_get(fs, sb)->bold && !jr_font_get(fs, sb)->italic);
    CHECK(sb >= 0 && strcmp(jr_font_get(fs, sb)->family, "Noto Sans") == 0);

    /* no substitutes: an unknown family is -1, not DejaVu */
    CHECK(jr_font_load(fs, "No Such Family Anywhere", false, false, NULL) == -1);
    CHECK(jr_font_load(fs, "No Such Family Anywhere", true, true, NULL) == -1);
    CHECK(jr_font_load(fs, "", false, false, NULL) == -1);
    CHECK(jr_font_load(fs, "missing.ttf", false, false, "tests/fonts") == -1);
    CHECK(jr_font_load(fs, "tests/fonts/test_fonts.c", false, false, NULL) == -1);
    /* only TrueType outlines: a CFF font is refused (when one is installed) */
    const char *cff = "/usr/share/fonts/opentype/urw-base35/P052-Roman.otf";
    if (jr_file_exists(cff)) {
        CHECK(jr_font_load(fs, cff, false, false, NULL) == -1);
        CHECK(jr_font_load(fs, "P052", false, false, NULL) == -1);
    }
    CHECK(jr_font_get(fs, -1) == NULL && jr_font_get(fs, 99) == NULL);
    jr_fontset_free(fs);
}

static void test_measuring(void)
{
    jr_fontset *fs = jr_fontset_new();
    int f = jr_font_load(fs, "Noto Serif", false, false, NULL);
    CHECK(f >= 0);
    if (f < 0) {
        jr_fontset_free(fs);
        return;
    }
    int kern[32];
    /* kerned pairs in Noto Serif: narrower than their letters, kern > 0 (TJ) */
    const char *pairs[][3] = {{"AV", "A", "V"}, {"To", "T", "o"}, {"Te", "T", "e"},
                              {"Wo", "W", "o"}, {"P.", "P", "."}, {"\xc3\x84V", "\xc3\x84", "V"}};
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        double w = measure(fs, f, 10, pairs[k][0], kern);
        double a = measure(fs, f, 10, pairs[k][1], NULL), b = measure(fs, f, 10, pairs[k][2], NULL);
        if (!(w < a + b - 0.1) || kern[0] != 0 || kern[1] <= 0) {
            fprintf(stderr, "%s:%d: pair %s: %.3f vs %.3f + %.3f, kern %d %d\n", __FILE__, __LINE__,
                    pairs[k][0], w, a, b, kern[0], kern[1]);
            failures++;
        }
        /* the width is the letters minus the kern (TJ thousandths of an em) */
        CHECK(fabs(w - (a + b - kern[1] * 10 / 1000.0)) < 0.006);
    }
    double av = measure(fs, f, 10, "AV", kern);
    CHECK(kern[1] == 80); /* Noto Serif 2.x: A V -80 units */
    CHECK(fabs(jr_font_kern_pair(fs, f, 10, 'A', 'V') + 0.8) < 1e-9);
    CHECK(jr_font_kern_pair(fs, f, 10, 'n', 'n') == 0);
    CHECK(av > 0);

    /* kern[] is per code point, also after multi-byte characters */
    const char *s = "\xc3\x84V\xc3\x84V"; /* ÄVÄV */
    double w4 = measure(fs, f, 10, s, kern);
    CHECK(kern[0] == 0 && kern[1] > 0 && kern[2] > 0 && kern[3] > 0);
    double single = 2 * measure(fs, f, 10, "\xc3\x84", NULL) + 2 * measure(fs, f, 10, "V", NULL);
    CHECK(fabs(w4 - (single - (kern[1] + kern[2] + kern[3]) * 10 / 1000.0)) < 0.01);
    const char *q = "\xe2\x80\x9eWort\xe2\x80\x9c"; /* „Wort“: 6 code points */
    int kq[8];
    for (int k = 0; k < 8; k++)
        kq[k] = -12345;
    measure(fs, f, 10, q, kq);
    CHECK(kq[5] != -12345 && kq[6] == -12345); /* exactly 6 entries written */
    CHECK(kq[1] == -(int)lround(jr_font_kern_pair(fs, f, 10, 0x201E, 'W') * 100));
    CHECK(kq[2] == -(int)lround(jr_font_kern_pair(fs, f, 10, 'W', 'o') * 100));

    /* linear in the size */
    const char *word = "Fachkr\xc3\xa4"
                       "ftesicherung";
    double w10 = measure(fs, f, 10, word, NULL), w20 = measure(fs, f, 20, word, NULL);
    double w7 = measure(fs, f, 7.5, word, NULL);
    CHECK(w10 > 50 && w10 < 150);
    CHECK(fabs(w20 - 2 * w10) < 1e-9 && fabs(w7 - 0.75 * w10) < 1e-9);

    /* the cache gives the same answer as the first (shaped) one */
    int k1[32], k2[32];
    const char *t = "Wasserversorgung";
    double first = measure(fs, f, 9, t, k1);
    double again = measure(fs, f, 9, t, k2);
    CHECK(first == again && memcmp(k1, k2, strlen(t) * sizeof(int)) == 0);
    /* prefixes and other fonts are other entries */
    CHECK(measure(fs, f, 9, "Wasser", NULL) < first);
    int bold = jr_font_load(fs, "Noto Serif", true, false, NULL);
    CHECK(bold >= 0 && measure(fs, bold, 9, t, NULL) != first);
    CHECK(measure(fs, f, 9, t, NULL) == first);
    /* many words (the table grows), then the first again */
    char buf[32];
    for (int k = 0; k < 5000; k++) {
        snprintf(buf, sizeof buf, "Wort%d", k);
        measure(fs, f, 10, buf, NULL);
    }
    CHECK(measure(fs, f, 9, t, k2) == first && memcmp(k1, k2, strlen(t) * sizeof(int)) == 0);
    /* a long text (not cached) */
    size_t n = 3000;
    char *longtext = jr_xmalloc(n + 1);
    for (size_t k = 0; k < n; k++)
        longtext[k] = "AV "[k % 3];
    longtext[n] = '\0';
    int *lk = jr_xmalloc(n * sizeof *lk);
    double lw = jr_font_measure(fs, f, 10, longtext, n, lk);
    CHECK(fabs(lw - 1000 * (measure(fs, f, 10, "AV ", NULL))) < 1e-6);
    CHECK(lk[1] == 80 && lk[2] == 0);
    free(lk);
    free(longtext);
    /* invalid UTF-8: never more kern entries than jr_utf8_count says */
    const char *bad[] = {"\x80\x80"
                         "A",
                         "\xe0\x80"
                         "AV",
                         "A\xff\xfeV", "\xc3", "\x80"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int kb[8];
        for (int m = 0; m < 8; m++)
            kb[m] = -777;
        size_t bl = strlen(bad[k]), nc = jr_utf8_count(bad[k], bl);
        double bw = jr_font_measure(fs, f, 10, bad[k], bl, kb);
        CHECK(bw >= 0 && bw < 100);
        for (size_t m = nc; m < 8; m++)
            CHECK(kb[m] == -777);
        for (size_t m = 0; m < nc; m++)
            CHECK(kb[m] != -777);
    }
    CHECK(jr_font_measure(fs, f, 10, "", 0, kern) == 0);
    CHECK(jr_font_measure(fs, -1, 10, "A", 1, kern) == 0);
    jr_fontset_free(fs);
}

static void test_glyphs(void)
{
    jr_fontset *fs = jr_fontset_new();
    int f = jr_font_load(fs, "Noto Serif", false, false, NULL);
    CHECK(f >= 0);
    if (f < 0) {
        jr_fontset_free(fs);
        return;
    }
    /* Greek, Cyrillic, Polish, German, typographic punctuation */
    const uint32_t have[] = {0x3B1,  0x3A9,  0x436,  0x416,  0x142,  0x141, 0x105,  0x119,
                             0x15B,  0x17A,  0x17C,  0x107,  0x144,  0xDF,  0x1E9E, 0x201E,
                             0x201C, 0x2013, 0x2014, 0x2026, 0x20AC, 0xAD};
    for (size_t k = 0; k < sizeof have / sizeof have[0]; k++) {
        if (!jr_font_has_glyph(fs, f, have[k]) || jr_font_for_char(fs, f, have[k]) != f) {
            fprintf(stderr, "%s:%d: Noto Serif lacks U+%04X\n", __FILE__, __LINE__,
                    (unsigned)have[k]);
            failures++;
        }
    }
    /* ✓ is not in Noto Serif; DejaVu has it */
    CHECK(!jr_font_has_glyph(fs, f, 0x2713));
    size_t before = jr_font_count(fs);
    int fb = jr_font_for_char(fs, f, 0x2713);
    CHECK(fb >= 0 && fb != f && jr_font_has_glyph(fs, fb, 0x2713));
    CHECK(fb >= 0 && strstr(jr_font_get(fs, fb)->path, ".ttf") != NULL);
    CHECK(jr_font_count(fs) == before + 1);
    CHECK(jr_font_for_char(fs, f, 0x2713) == fb); /* cached, nothing loaded */
    CHECK(jr_font_count(fs) == before + 1);
    /* libharu draws two-byte codes only */
    CHECK(jr_font_for_char(fs, f, 0x1F600) == -1); /* emoji */
    CHECK(!jr_font_has_glyph(fs, f, 0x1F600));
    CHECK(jr_font_for_char(fs, f, 0x1D11E) == -1);
    CHECK(jr_font_for_char(fs, f, 0xFFFE) == -1);
    CHECK(jr_font_for_char(fs, f, 0xFFFF) == -1);
    CHECK(jr_font_for_char(fs, f, 0xD800) == -1);
    CHECK(jr_font_for_char(fs, f, 0xFDD0) == -1);
    CHECK(jr_font_for_char(fs, f, 0x110000) == -1);
    CHECK(jr_font_for_char(fs, -1, 'A') == -1);
    CHECK(jr_font_for_char(fs, f, 'A') == f);
    /* a private-use code point no installed font has */
    CHECK(jr_font_for_char(fs, f, 0xF8FF) == -1 ||
          jr_font_has_glyph(fs, jr_font_for_char(fs, f, 0xF8FF), 0xF8FF));
    jr_fontset_free(fs);
}

/* One text measured by summing pairs (fast) and by shaping (exact). */
static int compare_paths(jr_fontset *fast, int a, jr_fontset *exact, int b, const char *fam,
                         const char *w)
{
    size_t l = strlen(w);
    int ka[64], kb[64];
    if (l > 60)
        return 0;
    double x = jr_font_measure(fast, a, 10, w, l, ka);
    double y = jr_font_measure(exact, b, 10, w, l, kb);
    if (x != y || memcmp(ka, kb, jr_utf8_count(w, l) * sizeof(int)) != 0) {
        fprintf(stderr, "%s:%d: %s: %s %.4f summed, %.4f shaped\n", __FILE__, __LINE__, fam, w, x,
                y);
        failures++;
        return 1;
    }
    return 0;
}

/* Summing cached pair kerning must give what HarfBuzz gives for the whole
 * text, kern[] included, in every font it is used for. */
static void test_fast_path(void)
{
    size_t len;
    char *words = jr_read_file("tests/hyphen/words-de.txt", &len);
    CHECK(words != NULL);
    if (!words)
        return;
    static const char *extra[] = {
        "\xe2\x80\x9e"
        "Bildungsregion\xe2\x80\x9c,",
        "AVATAR",
        "WAVE.",
        "T\xc3\xb6ne",
        "Yacht",
        "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1",         /* Αθήνα */
        "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0", /* Москва */
        "\xc5\x81\xc3\xb3"
        "d\xc5\xba",
        "1.000,00 \xe2\x82\xac",
        "(\xc2\xa7 12)",
        "A\xe2\x80\x93Z",
        "e\xcc\x81t\xc3\xa9", /* a combining acute: shaped */
        "Fach\xc2\xadkr\xc3\xa4"
        "fte",             /* a soft hyphen: shaped */
        "To\xe2\x80\x8dV", /* ZWJ */
        "\xce\x91V",
        "V\xce\x91",
        "\xe2\x80\x9eTo",
        "ff",
        "fi",
        "ffl",
        "Th",
    };
    const char *fams[] = {"Noto Serif", "Noto Sans", "DejaVu Sans", "DejaVu Serif"};
    for (size_t fi = 0; fi < sizeof fams / sizeof fams[0]; fi++) {
        for (int style = 0; style < 4; style++) {
            jr_fontset *fast = jr_fontset_new(), *exact = jr_fontset_new();
            jr_fontset_set_exact(exact, true);
            int a = jr_font_load(fast, fams[fi], style & 1, style & 2, NULL);
            int b = jr_font_load(exact, fams[fi], style & 1, style & 2, NULL);
            CHECK(a >= 0 && b >= 0);
            /* Noto Sans has contextual kerning (a chained lookup): shaped */
            if (a >= 0)
                CHECK(jr_font_get(fast, a)->kern_pairwise == (strcmp(fams[fi], "Noto Sans") != 0));
            if (a >= 0 && b >= 0) {
                int bad = 0;
                char *copy = jr_xstrdup(words), *save = NULL;
                for (char *w = strtok_r(copy, "\n\t", &save); w && bad < 3;
                     w = strtok_r(NULL, "\n\t", &save))
                    bad += compare_paths(fast, a, exact, b, fams[fi], w);
                for (size_t k = 0; k < sizeof extra / sizeof extra[0] && bad < 3; k++)
                    bad += compare_paths(fast, a, exact, b, fams[fi], extra[k]);
                free(copy);
            }
            jr_fontset_free(fast);
            jr_fontset_free(exact);
        }
    }
    free(words);
}

/* ---- the family cache: fontconfig's answers kept between runs ---- */

static char *slurp(const char *path)
{
    size_t len;
    return jr_read_file(path, &len);
}

static void spit_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        if (fwrite(data, 1, len, f) != len)
            failures++;
        fclose(f);
    }
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Load the four faces of Noto Serif with a fresh fontset; their paths go
 * to paths[4] (caller frees); returns the cache hits. */
static int load_four(char **paths)
{
    jr_fontset *fs = jr_fontset_new();
    for (int k = 0; k < 4; k++) {
        int id = jr_font_load(fs, "Noto Serif", k & 1, k & 2, NULL);
        const jr_font_info *fi = jr_font_get(fs, id);
        CHECK(fi != NULL && (fi->bold == ((k & 1) != 0)) && (fi->italic == ((k & 2) != 0)) &&
              strcmp(fi->family, "Noto Serif") == 0);
        paths[k] = jr_xstrdup(fi ? fi->path : "");
    }
    int hits = jr_fontset_family_cache_hits(fs);
    jr_fontset_free(fs);
    return hits;
}

static void free_four(char **p)
{
    for (int k = 0; k < 4; k++)
        free(p[k]);
}

static bool same_four(char **a, char **b)
{
    for (int k = 0; k < 4; k++)
        if (strcmp(a[k], b[k]) != 0)
            return false;
    return true;
}

static void test_family_cache(void)
{
    char *ref[4], *got[4];
    CHECK(load_four(ref) == 0); /* cache off */
    char dir[] = "/tmp/journal-fonts-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    setenv("JOURNAL_CACHE_DIR", dir, 1);
    /* first run: fontconfig, answers written */
    CHECK(load_four(got) == 0 && same_four(ref, got));
    free_four(got);
    char *cmd = jr_xasprintf("ls %s/fonts-1-*.txt 2>/dev/null", dir);
    FILE *ls = popen(cmd, "r");
    free(cmd);
    char name[512] = "";
    if (!ls || !fgets(name, sizeof name, ls))
        failures++;
    if (ls)
        pclose(ls);
    name[strcspn(name, "\n")] = 0;
    char *file = jr_xstrdup(name);
    char *text = slurp(file);
    CHECK(text != NULL && strstr(text, "NotoSerif-BoldItalic.ttf") != NULL);
    /* second run: all four from the cache, the same fonts */
    CHECK(load_four(got) == 4 && same_four(ref, got));
    free_four(got);
    /* a font file that is not what the cache saw (size differs): not used */
    if (text) {
        char *bad = jr_xstrdup(text);
        char *line = strstr(bad, "\nNoto Serif\t0\t0\t");
        char *tab = NULL;
        for (int i = 0; line && i < 9; i++) /* the size field */
            tab = strchr(tab ? tab + 1 : line + 1, '\t');
        if (tab)
            tab[1] = tab[1] == '9' ? '1' : '9';
        CHECK(tab != NULL);
        spit(file, bad);
        CHECK(load_four(got) == 3 && same_four(ref, got));
        free_four(got);
        /* another font for the same request, its identity right but the
         * stamp of fontconfig's world changed (fonts installed): not used */
        free(bad);
        char *other = slurp(file); /* rewritten: all four right again */
        CHECK(load_four(got) == 4);
        free_four(got);
        char *stamp = other ? strchr(other, '\n') : NULL;
        if (stamp && stamp[1])
            stamp[1] = stamp[1] == 'x' ? 'y' : 'x';
        if (other)
            spit(file, other);
        CHECK(load_four(got) == 0 && same_four(ref, got));
        free_four(got);
        free(other);
    }
    free(text);
    remove(file);
    free(file);
    rmdir(dir);
    setenv("JOURNAL_CACHE_DIR", "off", 1);
    free_four(ref);
}

/* ---- the kerning cache: pairs shaped in earlier runs ---- */

static const char *const kern_words[] = {"AVATAR", "Tafel", "Wasserwerk", "Yacht", "PARAGRAPH",
                                         "Vorwort", "Lyrik", "Fjord", "To", "Ta", "Ve",
                                         /* marks: shaped, kept in the shape cache */
                                         "Cafe\xCC\x81", "Ae\xCC\x88rger", "n\xCC\x83o"};
#define NKW (sizeof kern_words / sizeof kern_words[0])

/* Widths and kerning of the words in the font at `path`; the pairs read
 * from the cache go to *cached. */
static size_t shapes_read;

static void measure_words(const char *path, double *w, int (*k)[16], size_t *cached, bool save)
{
    jr_fontset *fs = jr_fontset_new();
    int f = jr_font_load(fs, path, false, false, NULL);
    CHECK(f >= 0);
    *cached = jr_fontset_cached_pairs(fs);
    shapes_read = jr_fontset_cached_shapes(fs);
    for (size_t i = 0; i < NKW; i++) {
        memset(k[i], 0, sizeof k[i]);
        w[i] = measure(fs, f, 10, kern_words[i], k[i]);
    }
    if (save)
        jr_fontset_save_caches(fs);
    jr_fontset_free(fs);
}

static bool same_measures(const double *a, int (*ka)[16], const double *b, int (*kb)[16])
{
    for (size_t i = 0; i < NKW; i++)
        if (a[i] != b[i] || memcmp(ka[i], kb[i], sizeof ka[i]) != 0)
            return false;
    return true;
}

/* The only PREFIX-*.bin file in dir (caller frees), or NULL. */
static char *cache_file_named(const char *dir, const char *prefix)
{
    char *cmd = jr_xasprintf("ls %s/%s-*.bin 2>/dev/null", dir, prefix);
    FILE *p = popen(cmd, "r");
    free(cmd);
    char line[512] = "";
    bool got = p && fgets(line, sizeof line, p) != NULL;
    if (p)
        pclose(p);
    if (!got)
        return NULL;
    line[strcspn(line, "\n")] = 0;
    return jr_xstrdup(line);
}

static char *kern_cache_file(const char *dir)
{
    return cache_file_named(dir, "kern-1");
}

static char *shape_cache_file(const char *dir)
{
    return cache_file_named(dir, "shape-1");
}

static void test_kern_cache(void)
{
    char dir[] = "/tmp/journal-kern-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    /* a copy of the font, so that it can be touched */
    char *font = jr_path_join(dir, "NotoSerif-Regular.ttf");
    size_t len;
    char *bytes = jr_read_file(NOTO_DIR "/NotoSerif-Regular.ttf", &len);
    CHECK(bytes != NULL);
    FILE *f = fopen(font, "wb");
    if (f && bytes) {
        CHECK(fwrite(bytes, 1, len, f) == len);
        fclose(f);
    }
    free(bytes);
    double w0[NKW], w1[NKW];
    int k0[NKW][16], k1[NKW][16];
    size_t cached = 0;
    measure_words(font, w0, k0, &cached, true); /* cache off: the reference */
    CHECK(cached == 0);
    setenv("JOURNAL_CACHE_DIR", dir, 1);
    measure_words(font, w1, k1, &cached, true); /* shapes, writes */
    CHECK(cached == 0 && same_measures(w0, k0, w1, k1));
    char *file = kern_cache_file(dir);
    CHECK(file != NULL);
    measure_words(font, w1, k1, &cached, false); /* reads */
    CHECK(cached > 10 && shapes_read == 3 && same_measures(w0, k0, w1, k1));
    /* a value changed in the file: the checksum refuses it */
    if (file) {
        char *data = jr_read_file(file, &len);
        if (data && len > 40) {
            data[len - 12] ^= 0x55; /* in the last pair */
            spit_bytes(file, data, len);
        }
        free(data);
        measure_words(font, w1, k1, &cached, false);
        CHECK(cached == 0 && same_measures(w0, k0, w1, k1));
    }
    /* the same for the shape cache */
    char *sfile = shape_cache_file(dir);
    CHECK(sfile != NULL);
    if (sfile) {
        char *data = jr_read_file(sfile, &len);
        if (data && len > 40) {
            data[len - 20] ^= 0x55; /* in the last text */
            spit_bytes(sfile, data, len);
        }
        free(data);
        measure_words(font, w1, k1, &cached, false);
        CHECK(shapes_read == 0 && same_measures(w0, k0, w1, k1));
    }
    free(sfile);
    /* the font file changed (another mtime): its old pairs are not used */
    measure_words(font, w1, k1, &cached, true); /* written anew */
    struct timespec ts[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
    CHECK(utimensat(AT_FDCWD, font, ts, 0) == 0);
    measure_words(font, w1, k1, &cached, false);
    CHECK(cached == 0 && shapes_read == 0 && same_measures(w0, k0, w1, k1));
    free(file);
    char *cmd = jr_xasprintf("rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    free(cmd);
    free(font);
    setenv("JOURNAL_CACHE_DIR", "off", 1);
}

/* jr_font_adv1000: the table behind jr_font_measure for single characters,
 * which the layout reads directly; the same widths. */
static void test_adv_table(void)
{
    jr_fontset *fs = jr_fontset_new();
    int f = jr_font_load(fs, "Noto Serif", false, false, NULL);
    const double *t = jr_font_adv1000(fs, f);
    CHECK(t != NULL && jr_font_adv1000(fs, -1) == NULL);
    const char *chars[] = {"a", "W", " ", "-", "\xC3\xA4", "\xC3\x9F", "\xCE\xA9", "\xD0\xAF", "1"};
    for (size_t i = 0; t && i < sizeof chars / sizeof chars[0]; i++) {
        uint32_t cp;
        size_t n = jr_utf8_decode(chars[i], strlen(chars[i]), &cp);
        CHECK(isnan(t[cp]));
        double w = jr_font_measure(fs, f, 10.5, chars[i], n, NULL);
        CHECK(!isnan(t[cp]) && t[cp] * 10.5 / 1000.0 == w);
        CHECK(jr_font_adv1000(fs, f) == t);
    }
    jr_fontset_free(fs);
}

int main(void)
{
    /* no cache files in the user's home (test_family_cache uses its own folder) */
    setenv("JOURNAL_CACHE_DIR", "off", 1);
    test_loading();
    test_measuring();
    test_glyphs();
    test_fast_path();
    test_family_cache();
    test_kern_cache();
    test_adv_table();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    return 0;
}
