/* test_frontmatter.c: jr_article_parse / jr_article_read: every key's value
 * and position, and the exact diagnostics for broken front matter. */
#include "check.h"

#include "content.h"
#include "util.h"

static int parse(jr_article *a, const char *path, const char *text)
{
    return jr_article_parse(a, path, text, strlen(text));
}

#define CHECK_POS(a, key, l, c)                                                                    \
    do {                                                                                           \
        CHECK_INT((a).key_pos[key].line, l);                                                       \
        CHECK_INT((a).key_pos[key].col, c);                                                        \
    } while (0)

static void test_all_keys(void)
{
    const char *text = "---\n"
                       "title: Wenn die Kita zur Schule kommt\n"
                       "subtitle: Übergänge in Harsefeld\n"
                       "author: [Anna Beispiel, Ben Muster]\n"
                       "date: 2026-03-14\n"
                       "section: uebergaenge\n"
                       "summary: Kurz gesagt.\n"
                       "image: images/kita.jpg\n"
                       "image_caption: Kinder in der Kita\n"
                       "image_credit: \"Foto: Bildungsbüro\"\n"
                       "image_alt: Zwei Kinder am Tisch\n"
                       "tags:\n"
                       "  - Kita\n"
                       "  - Grundschule\n"
                       "slug: kita-schule-2\n"
                       "order: 3\n"
                       "draft: false\n"
                       "lang: de-DE\n"
                       "editorial: false\n"
                       "---\n"
                       "\n"
                       "Erster Absatz.\n";
    jr_article a;
    capture_start();
    CHECK_INT(parse(&a, "articles/2026-1/kita.md", text), 0);
    CHECK_DIAG("");
    CHECK_STR(a.path, "articles/2026-1/kita.md");
    CHECK_STR(a.dir, "articles/2026-1");
    CHECK_STR(a.filename, "kita");
    CHECK_STR(a.title, "Wenn die Kita zur Schule kommt");
    CHECK_STR(a.subtitle, "Übergänge in Harsefeld");
    CHECK_INT(a.nauthors, 2);
    if (a.nauthors == 2) {
        CHECK_STR(a.authors[0], "Anna Beispiel");
        CHECK_STR(a.authors[1], "Ben Muster");
    }
    CHECK_INT(a.date.year, 2026);
    CHECK_INT(a.date.month, 3);
    CHECK_INT(a.date.day, 14);
    CHECK_STR(a.section, "uebergaenge");
    CHECK_STR(a.summary, "Kurz gesagt.");
    CHECK_STR(a.image, "images/kita.jpg");
    CHECK_STR(a.image_caption, "Kinder in der Kita");
    CHECK_STR(a.image_credit, "Foto: Bildungsbüro");
    CHECK_STR(a.image_alt, "Zwei Kinder am Tisch");
    CHECK_INT(a.ntags, 2);
    if (a.ntags == 2) {
        CHECK_STR(a.tags[0], "Kita");
        CHECK_STR(a.tags[1], "Grundschule");
    }
    CHECK_STR(a.slug, "kita-schule-2");
    CHECK_INT(a.order, 3);
    CHECK(a.has_order);
    CHECK(!a.draft);
    CHECK_STR(a.lang, "de-DE");
    CHECK(!a.editorial);
    CHECK_STR(a.body, "\nErster Absatz.\n");
    CHECK_INT(a.body_len, strlen("\nErster Absatz.\n"));
    CHECK_INT(a.body_line, 21);
    CHECK(a.doc == NULL);
    /* positions of the values */
    CHECK_POS(a, JR_FM_TITLE, 2, 8);
    CHECK_POS(a, JR_FM_SUBTITLE, 3, 11);
    CHECK_POS(a, JR_FM_AUTHOR, 4, 9);
    CHECK_POS(a, JR_FM_DATE, 5, 7);
    CHECK_POS(a, JR_FM_SECTION, 6, 10);
    CHECK_POS(a, JR_FM_SUMMARY, 7, 10);
    CHECK_POS(a, JR_FM_IMAGE, 8, 8);
    CHECK_POS(a, JR_FM_IMAGE_CAPTION, 9, 16);
    CHECK_POS(a, JR_FM_IMAGE_CREDIT, 10, 15);
    CHECK_POS(a, JR_FM_IMAGE_ALT, 11, 12);
    CHECK_POS(a, JR_FM_TAGS, 13, 3);
    CHECK_POS(a, JR_FM_SLUG, 15, 7);
    CHECK_POS(a, JR_FM_ORDER, 16, 8);
    CHECK_POS(a, JR_FM_DRAFT, 17, 8);
    CHECK_POS(a, JR_FM_LANG, 18, 7);
    CHECK_POS(a, JR_FM_EDITORIAL, 19, 12);
    jr_article_clear(&a);
}

static void test_defaults_and_variants(void)
{
    jr_article a;
    /* author and tags as single strings; no order; default slug; "..." ends */
    capture_start();
    CHECK_INT(parse(&a, "lesepaten.md",
                    "---\ntitle: Vorlesen\nauthor: Anna Beispiel\ndate: 2026-01-02\n"
                    "tags: Lesen\ndraft: true\n...\nText\n"),
              0);
    CHECK_DIAG("");
    CHECK_STR(a.dir, ".");
    CHECK_STR(a.filename, "lesepaten");
    CHECK_INT(a.nauthors, 1);
    if (a.nauthors == 1)
        CHECK_STR(a.authors[0], "Anna Beispiel");
    CHECK_INT(a.ntags, 1);
    if (a.ntags == 1)
        CHECK_STR(a.tags[0], "Lesen");
    CHECK_STR(a.slug, "lesepaten");
    CHECK(!a.has_order);
    CHECK_INT(a.order, 0);
    CHECK(a.draft);
    CHECK(!a.editorial);
    CHECK(a.lang == NULL);
    CHECK(a.subtitle == NULL);
    CHECK_POS(a, JR_FM_SUBTITLE, 0, 0);
    CHECK_STR(a.body, "Text\n");
    CHECK_INT(a.body_line, 8);
    jr_article_clear(&a);

    /* order 0 makes an editorial; a file name that is no slug gets one */
    capture_start();
    CHECK_INT(parse(&a, "x/Grußwort der Landrätin.md",
                    "---\ntitle: Grußwort\ndate: 2026-01-02\norder: 0\nsubtitle:\n---\nText"),
              0);
    CHECK_DIAG("");
    CHECK(a.editorial);
    CHECK(a.has_order);
    CHECK_INT(a.order, 0);
    CHECK_STR(a.filename, "Grußwort der Landrätin");
    CHECK_STR(a.slug, "grusswort-der-landraetin");
    CHECK(a.subtitle == NULL); /* an empty value is no value */
    CHECK_STR(a.body, "Text");
    jr_article_clear(&a);

    /* editorial: true, yes/no booleans, quoted numbers are strings */
    capture_start();
    CHECK_INT(parse(&a, "e.md",
                    "---\ntitle: \"2026\"\ndate: 2026-01-02\neditorial: yes\ndraft: No\n---\nT\n"),
              0);
    CHECK_DIAG("");
    CHECK_STR(a.title, "2026");
    CHECK(a.editorial);
    CHECK(!a.draft);
    jr_article_clear(&a);
}

static void test_crlf_bom(void)
{
    jr_article a;
    capture_start();
    CHECK_INT(parse(&a, "w.md",
                    "\xEF\xBB\xBF---\r\ntitle: Windows\r\ndate: 2026-05-01\r\n"
                    "titel: doppelt\r\nsection: vernetzung\r\n---\r\nZeile 1\r\nZeile 2\r\n"),
              0);
    CHECK_DIAG("w.md:4:1: warning: unknown key 'titel' (did you mean 'title'?)\n");
    CHECK_STR(a.title, "Windows");
    CHECK_STR(a.section, "vernetzung");
    CHECK_POS(a, JR_FM_SECTION, 5, 10);
    CHECK_STR(a.body, "Zeile 1\nZeile 2\n");
    CHECK_INT(a.body_line, 7);
    jr_article_clear(&a);

    /* a syntax error in a CRLF file with BOM is reported at its line */
    capture_start();
    CHECK_INT(
        parse(&a, "w.md", "\xEF\xBB\xBF---\r\ntitle: A\r\ndate: 2026-05-01\r\n  x: 1\r\n---\r\n"),
        -1);
    CHECK_DIAG("w.md:4:4: error: YAML syntax error: mapping values are not allowed in this "
               "context\n");
    jr_article_clear(&a);
}

static void test_structure_errors(void)
{
    jr_article a;
    capture_start();
    CHECK_INT(parse(&a, "a.md", "title: A\ndate: 2026-01-01\n"), -1);
    CHECK_DIAG("a.md:1:1: error: article has no front matter (expected a first line '---')\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2026-01-01\n\nText\n"), -1);
    CHECK_DIAG("a.md:1:1: error: front matter is not terminated (no closing '---' line)\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2026-01-01\n  section: x\n---\nText\n"), -1);
    CHECK_DIAG("a.md:4:10: error: YAML syntax error: mapping values are not allowed in this "
               "context\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2026-01-01\ntags: [a, b\n---\nText\n"), -1);
    CHECK_DIAG("a.md:5:1: error: YAML syntax error: did not find expected ',' or ']' (while "
               "parsing a flow sequence at line 4)\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\n- title\n- date\n---\nText\n"), -1);
    CHECK_DIAG("a.md:2:1: error: expected a mapping of keys and values\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2026-01-01\n---\n\n  \n"), 0);
    CHECK_DIAG("a.md:4:1: warning: article has no text\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2026-01-01\n---"), 0);
    CHECK_DIAG("a.md:4:1: warning: article has no text\n");
    jr_article_clear(&a);
}

static void test_key_errors(void)
{
    jr_article a;
    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ndate: 2026-01-01\n---\nText\n"), -1);
    CHECK_DIAG("a.md:1:1: error: missing required key 'title'\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\n---\nText\n"), -1);
    CHECK_DIAG("a.md:1:1: error: missing required key 'date'\n");
    CHECK_STR(a.title, "A");
    CHECK_STR(a.body, "Text\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle:\ndate: 2026-01-01\n---\nText\n"), -1);
    CHECK_DIAG("a.md:2:1: error: missing required key 'title'\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2019-02-30\n---\nText\n"), -1);
    CHECK_DIAG("a.md:3:7: error: impossible date '2019-02-30'\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 1.3.2019\n---\nText\n"), -1);
    CHECK_DIAG("a.md:3:7: error: '1.3.2019' is not a valid date (expected YYYY-MM-DD)\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitel: A\ndate: 2026-01-01\n---\nText\n"), -1);
    CHECK_DIAG("a.md:2:1: warning: unknown key 'titel' (did you mean 'title'?)\n"
               "a.md:1:1: error: missing required key 'title'\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2026-01-01\nrubrik: x\n---\nText\n"), 0);
    CHECK_DIAG("a.md:4:1: warning: unknown key 'rubrik' (did you mean 'section'?)\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md",
                    "---\ntitle: A\ndate: 2026-01-01\nSchlagworte: [x]\nfarbe: rot\n"
                    "lang: deutsch\n---\nText\n"),
              0);
    CHECK_DIAG("a.md:4:1: warning: unknown key 'Schlagworte' (did you mean 'tags'?)\n"
               "a.md:5:1: warning: unknown key 'farbe'\n"
               "a.md:6:7: error: bad value for 'lang': 'deutsch' is not a language tag (like 'de' "
               "or 'en-GB')\n");
    CHECK(a.lang == NULL);
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md", "---\ntitle: A\ndate: 2026-01-01\ntags: {a: b}\n---\nText\n"), 0);
    CHECK_DIAG("a.md:4:7: error: 'tags' must be a string or a list of strings\n");
    CHECK_INT(a.ntags, 0);
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "a.md",
                    "---\ntitle: [A]\ndate: 2026-01-01\ndraft: vielleicht\norder: -1\n"
                    "slug: Mein_Artikel\ntitle: B\n---\nText\n"),
              -1);
    CHECK_DIAG("a.md:7:1: error: duplicate key 'title'\n"
               "a.md:2:8: error: 'title' must be a string\n"
               "a.md:6:7: error: slug 'Mein_Artikel' may contain only a-z, 0-9 and '-'\n"
               "a.md:5:8: error: 'order' must be a whole number from 0 to 9999\n"
               "a.md:4:8: error: 'draft' must be true or false\n");
    CHECK_STR(a.slug, "a"); /* the file name, as the slug was unusable */
    jr_article_clear(&a);
}

static void test_many_errors_in_one_run(void)
{
    jr_article a;
    capture_start();
    CHECK_INT(parse(&a, "articles/2026-2/fehler.md",
                    "---\n"
                    "titel: Viele Fehler\n"
                    "date: 2019-02-30\n"
                    "autor: Anna\n"
                    "tags: {a: b}\n"
                    "editorial: 2\n"
                    "---\n"
                    "Text\n"),
              -1);
    CHECK_DIAG("articles/2026-2/fehler.md:2:1: warning: unknown key 'titel' (did you mean "
               "'title'?)\n"
               "articles/2026-2/fehler.md:4:1: warning: unknown key 'autor' (did you mean "
               "'author'?)\n"
               "articles/2026-2/fehler.md:3:7: error: impossible date '2019-02-30'\n"
               "articles/2026-2/fehler.md:5:7: error: 'tags' must be a string or a list of "
               "strings\n"
               "articles/2026-2/fehler.md:6:12: error: 'editorial' must be true or false\n"
               "articles/2026-2/fehler.md:1:1: error: missing required key 'title'\n");
    CHECK_INT(jr_diag_count(JR_ERROR), 4);
    CHECK_INT(jr_diag_count(JR_WARNING), 2);
    jr_article_clear(&a);
}

static void test_bytes(void)
{
    jr_article a;
    static const char nul[] = "---\ntitle: A\0B\ndate: 2026-01-01\n---\nText\n";
    capture_start();
    CHECK_INT(jr_article_parse(&a, "n.md", nul, sizeof nul - 1), -1);
    CHECK_DIAG("n.md:2:9: error: file contains a NUL byte (at offset 12)\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(parse(&a, "u.md", "---\ntitle: Grüße \xFC\xDF\ndate: 2026-01-01\n---\nText\n"), -1);
    CHECK_DIAG("u.md:2:14: error: file is not valid UTF-8 (invalid byte at offset 19)\n");
    jr_article_clear(&a);

    /* a truncated sequence at the very end */
    capture_start();
    CHECK_INT(parse(&a, "u.md", "---\ntitle: A\ndate: 2026-01-01\n---\nT\xC3"), -1);
    CHECK_DIAG("u.md:5:2: error: file is not valid UTF-8 (invalid byte at offset 35)\n");
    jr_article_clear(&a);
}

static void test_read_files(void)
{
    jr_article a;
    capture_start();
    CHECK_INT(jr_article_read(&a, "tests/input/fixtures/single/grusswort.md"), 0);
    CHECK_DIAG("");
    CHECK_STR(a.path, "tests/input/fixtures/single/grusswort.md");
    CHECK_STR(a.dir, "tests/input/fixtures/single");
    CHECK_STR(a.title, "Grußwort");
    CHECK(a.editorial);
    CHECK_INT(a.body_line, 6);
    CHECK_STR(a.body, "Liebe Leserinnen und Leser,\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(jr_article_read(&a, "tests/input/fixtures/single/crlf-bom.md"), 0);
    CHECK_DIAG("");
    CHECK_STR(a.title, "Übergänge");
    CHECK_INT(a.ntags, 2);
    CHECK_POS(a, JR_FM_SECTION, 4, 10);
    CHECK_POS(a, JR_FM_TAGS, 5, 7);
    CHECK_INT(a.body_line, 7);
    CHECK_STR(a.body, "\nErster Absatz.\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(jr_article_read(&a, "tests/input/fixtures/single/latin1.md"), -1);
    CHECK_DIAG(
        "tests/input/fixtures/single/latin1.md:4:12: error: file is not valid UTF-8 (invalid "
        "byte at offset 46)\n");
    jr_article_clear(&a);

    capture_start();
    CHECK_INT(jr_article_read(&a, "tests/input/fixtures/single/no-such-file.md"), -1);
    CHECK_DIAG("tests/input/fixtures/single/no-such-file.md: error: cannot read file: No such "
               "file or directory\n");
    jr_article_clear(&a);
}

static void test_slugify(void)
{
    char *s;
    CHECK_STR(s = jr_slugify("Bildung im Blick"), "bildung-im-blick");
    free(s);
    CHECK_STR(s = jr_slugify("Übergänge gestalten: Größe & Maß!"),
              "uebergaenge-gestalten-groesse-mass");
    free(s);
    CHECK_STR(s = jr_slugify("  --Café Olé 2026-- "), "cafe-ole-2026");
    free(s);
    CHECK_STR(s = jr_slugify("—"), "x");
    free(s);
    CHECK(jr_slug_valid("a-1"));
    CHECK(!jr_slug_valid("A"));
    CHECK(!jr_slug_valid(""));
}

static void test_hostile(void)
{
    /* deep nesting and aliases are refused without blowing up */
    jr_buf b = {0};
    jr_buf_puts(&b, "---\ntitle: A\ndate: 2026-01-01\ntags: ");
    for (int i = 0; i < 100000; i++)
        jr_buf_putc(&b, '[');
    jr_buf_puts(&b, "\n---\nText\n");
    jr_article a;
    capture_start();
    CHECK_INT(jr_article_parse(&a, "deep.md", b.data, b.len), -1);
    CHECK_DIAG("deep.md:4:70: error: YAML syntax error: nesting deeper than 64 levels\n");
    jr_article_clear(&a);
    jr_buf_free(&b);

    capture_start();
    CHECK_INT(parse(&a, "lol.md",
                    "---\ntitle: &a [x, x, x, x, x, x, x, x, x]\nsubtitle: &b [*a, *a, *a]\n"
                    "date: 2026-01-01\n---\nText\n"),
              -1);
    CHECK_DIAG("lol.md:3:15: error: YAML syntax error: aliases (*name) are not supported; write "
               "the value out\n");
    jr_article_clear(&a);

    /* garbage of every byte value never crashes */
    unsigned seed = 12345;
    char junk[512];
    memcpy(junk, "---\n", 4);
    for (int round = 0; round < 2000; round++) {
        for (size_t i = 4; i < sizeof junk; i++) {
            seed = seed * 1103515245u + 12345u;
            junk[i] = "ab: -[]{}\n'\"&*!|>#%@`,?\t\xC3\xA4---"[(seed >> 16) % 29];
        }
        jr_diag_set_output(NULL);
        jr_article_parse(&a, "j.md", junk, sizeof junk);
        jr_article_clear(&a);
    }
    jr_diag_set_output(stderr);
}

int main(void)
{
    test_all_keys();
    test_defaults_and_variants();
    test_crlf_bom();
    test_structure_errors();
    test_key_errors();
    test_many_errors_in_one_run();
    test_bytes();
    test_read_files();
    test_slugify();
    test_hostile();
    return check_done("input_frontmatter");
}
