/* test_content.c: jr_content_load on the fixture content folders under
 * tests/input/fixtures: values, sorting, drafts and the exact diagnostics. */
#include "check.h"

#include <math.h>

#include "content.h"

#define CHECK_NEAR(actual, expected)                                                               \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected);                                                     \
        if (fabs(a_ - e_) > 1e-9) {                                                                \
            fprintf(stderr, "%s:%d: %s is %.12f, expected %.12f\n", __FILE__, __LINE__, #actual,   \
                    a_, e_);                                                                       \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void test_good(void)
{
    capture_start();
    jr_journal *j = jr_content_load("tests/input/fixtures/good");
    CHECK_DIAG("");
    CHECK(j != NULL);
    if (!j)
        return;
    CHECK_STR(j->root, "tests/input/fixtures/good");
    CHECK_STR(j->yaml_path, "tests/input/fixtures/good/journal.yaml");
    CHECK_STR(j->title, "Bildung im Blick");
    CHECK_STR(j->subtitle, "Das Journal der Bildungsregion");
    CHECK_STR(j->publisher, "Bildungsbüro Test");
    CHECK_STR(j->language, "de");
    CHECK_STR(j->base_url, "https://example.org/journal/");
    CHECK_STR(j->slug, "bildung-im-blick");
    CHECK_STR(j->editor, "Henrike Muster");
    CHECK_STR(j->print_shop, "Druckhaus Test");
    CHECK_STR(j->copyright, "© 2026 Bildungsbüro Test");
    CHECK_STR(j->icon, "icon.png");
    CHECK_STR(j->logo, "feed-logo.png"); /* feed.logo wins over logo */
    CHECK_STR(j->contact.name, "Bildungsbüro Test");
    CHECK_STR(j->contact.address, "Am Sande 1, 21682 Stade");
    CHECK_STR(j->contact.phone, "+49 4141 0");
    CHECK_STR(j->contact.email, "info@example.org");
    CHECK_INT(j->feed_entries, 5);

    CHECK_INT(j->nsections, 3);
    if (j->nsections == 3) {
        const jr_section *s = &j->sections[0];
        CHECK_STR(s->id, "uebergaenge");
        CHECK_STR(s->title, "Übergänge gestalten");
        CHECK(s->has_color);
        CHECK_NEAR(s->color.r, 200 / 255.0);
        CHECK_NEAR(s->color.g, 88 / 255.0);
        CHECK_NEAR(s->color.b, 30 / 255.0);
        CHECK_NEAR(s->color.c, 0.0);
        CHECK_NEAR(s->color.m, 0.65);
        CHECK_NEAR(s->color.y, 0.9);
        CHECK_NEAR(s->color.k, 0.1);
        s = &j->sections[1]; /* RGB only: CMYK derived */
        CHECK_STR(s->id, "nur-rgb");
        CHECK_NEAR(s->color.r, 1.0);
        CHECK_NEAR(s->color.g, 128 / 255.0);
        CHECK_NEAR(s->color.b, 0.0);
        CHECK_NEAR(s->color.c, 0.0);
        CHECK_NEAR(s->color.m, 1.0 - 128 / 255.0);
        CHECK_NEAR(s->color.y, 1.0);
        CHECK_NEAR(s->color.k, 0.0);
        s = &j->sections[2]; /* CMYK only: RGB derived */
        CHECK_STR(s->id, "nur-cmyk");
        CHECK_NEAR(s->color.r, 0.0);
        CHECK_NEAR(s->color.g, 0.5);
        CHECK_NEAR(s->color.b, 0.5);
        CHECK_NEAR(s->color.c, 1.0);
        CHECK_NEAR(s->color.k, 0.5);
        CHECK(jr_journal_section(j, "nur-cmyk") == s);
    }

    /* editions oldest first; "notes" has no edition.yaml */
    CHECK_INT(j->neditions, 2);
    if (j->neditions == 2) {
        const jr_edition *e = &j->editions[0];
        CHECK_STR(e->id, "2025-2");
        CHECK_STR(e->dir, "tests/input/fixtures/good/2025-2");
        CHECK_STR(e->yaml_path, "tests/input/fixtures/good/2025-2/edition.yaml");
        CHECK_INT(e->number, 2);
        CHECK_INT(e->year, 2025);
        CHECK_INT(e->narticles, 1);
        CHECK(e->theme && strcmp(e->theme, "Herbst") == 0);
        CHECK(e->cover_image == NULL);
        CHECK(e->layout == NULL);

        e = &j->editions[1];
        CHECK_STR(e->id, "2026-1");
        CHECK_INT(e->number, 1);
        CHECK_INT(e->year, 2026);
        char d[11];
        jr_date_format(&e->date, d);
        CHECK_STR(d, "2026-04-20");
        CHECK_STR(e->theme, "Gemeinsam anfangen");
        CHECK_STR(e->cover_image, "images/cover.jpg");
        CHECK_STR(e->cover_caption, "Kinder auf dem Schulweg");
        CHECK_STR(e->cover_alt, "Drei Kinder mit Ranzen");
        CHECK_STR(e->layout, "bildung-im-blick");
        CHECK(jr_journal_newest(j) == e);
        /* by order, then file name; no order: position in file-name order;
         * the draft (entwurf.md) is left out */
        CHECK_INT(e->narticles, 4);
        if (e->narticles == 4) {
            CHECK_STR(e->articles[0].filename, "editorial");
            CHECK_INT(e->articles[0].order, 0);
            CHECK(e->articles[0].editorial);
            CHECK_STR(e->articles[1].filename, "a-erster");
            CHECK_INT(e->articles[1].order, 1);
            CHECK(!e->articles[1].has_order);
            CHECK_STR(e->articles[2].filename, "z-vorn");
            CHECK_INT(e->articles[2].order, 1);
            CHECK(e->articles[2].has_order);
            CHECK_STR(e->articles[3].filename, "b-zweiter");
            CHECK_INT(e->articles[3].order, 2);
            CHECK_STR(e->articles[3].path, "tests/input/fixtures/good/2026-1/b-zweiter.md");
            CHECK_STR(e->articles[3].dir, "tests/input/fixtures/good/2026-1");
            CHECK_STR(e->articles[3].section, "nur-rgb");
            CHECK_STR(e->articles[3].body, "Text B\n");
            CHECK_INT(e->articles[3].body_line, 6);
        }
        capture_start();
        jr_content_check_edition(j, e);
        CHECK_DIAG("");
    }
    jr_journal_free(j);

    /* a trailing slash on the root is not doubled in paths */
    capture_start();
    j = jr_content_load("tests/input/fixtures/good/");
    CHECK_DIAG("");
    if (j && j->neditions > 0)
        CHECK_STR(j->editions[0].yaml_path, "tests/input/fixtures/good/2025-2/edition.yaml");
    jr_journal_free(j);
}

#define P "tests/input/fixtures/bad/"

static void test_bad(void)
{
    capture_start();
    jr_journal *j = jr_content_load("tests/input/fixtures/bad");
    CHECK_DIAG(
        P "journal.yaml:2:1: warning: unknown key 'publsher' (did you mean 'publisher'?)\n" P
          "journal.yaml:4:11: error: bad value for 'base_url': 'journal.example.org' is not an "
          "http:// or https:// address\n" P
          "journal.yaml:8:12: error: '#12345' is not a colour (expected \"#RRGGBB\" or a cmyk "
          "list)\n" P "journal.yaml:9:9: error: bad value for 'id': section 'eins' is listed "
          "twice\n" P "journal.yaml:11:9: error: bad value for 'id': 'Drei Wörter' may contain "
          "only a-z, 0-9 and '-'\n" P "journal.yaml:11:5: error: missing required key 'title'\n" P
          "e1/a.md:4:10: error: unknown section 'zwei' (not listed in journal.yaml)\n" P
          "e1/d.md:5:10: error: unknown section 'drei' (not listed in journal.yaml)\n" P
          "e1/e.md:1:1: error: missing required key 'date'\n" P
          "e1/c.md:5:7: error: duplicate slug 'gleich' in this edition (also used by " P
          "e1/b.md)\n" P "e2/edition.yaml: error: edition has no articles\n" P
          "e3/edition.yaml:1:1: warning: unknown key 'nummer' (did you mean 'number'?)\n" P
          "e3/edition.yaml:2:7: error: impossible date '2026-13-01'\n" P
          "e3/g.md:4:10: error: unknown section 'ein' (did you mean 'eins'?)\n" P
          "e4/x.md:1:1: error: article has no front matter (expected a first line '---')\n");
    CHECK_INT(jr_diag_count(JR_ERROR), 13);
    CHECK_INT(jr_diag_count(JR_WARNING), 2);
    CHECK(j != NULL);
    if (!j)
        return;
    CHECK_STR(j->language, "en");
    CHECK_STR(j->slug, "kaputtes-journal");
    CHECK(j->base_url == NULL);
    CHECK_INT(j->nsections, 2);
    CHECK(!j->sections[0].has_color);
    CHECK_INT(j->neditions, 4);
    const jr_edition *e1 = jr_journal_edition(j, "e1");
    CHECK(e1 != NULL);
    if (e1) {
        CHECK_INT(e1->narticles, 3); /* d.md is a draft, e.md is unusable */
        capture_start();
        jr_content_check_edition(j, e1);
        CHECK_DIAG(P "e1/a.md:4:10: error: unknown section 'zwei' (not listed in journal.yaml)\n" P
                     "e1/c.md:5:7: error: duplicate slug 'gleich' in this edition (also used "
                     "by " P "e1/b.md)\n");
    }
    const jr_edition *e4 = jr_journal_edition(j, "e4");
    CHECK(e4 && e4->narticles == 0);
    jr_journal_free(j);
}

static void test_missing(void)
{
    capture_start();
    CHECK(jr_content_load("tests/input/fixtures/nope") == NULL);
    CHECK_DIAG("journal: error: content folder not found: tests/input/fixtures/nope\n");

    capture_start();
    CHECK(jr_content_load("tests/input/fixtures/single") == NULL);
    CHECK_DIAG("tests/input/fixtures/single/journal.yaml: error: cannot read file: No such file or "
               "directory\n");
}

static void test_no_editions(void)
{
    capture_start();
    jr_journal *j = jr_content_load("tests/input/fixtures/noeditions");
    CHECK_DIAG("tests/input/fixtures/noeditions: error: no edition folders (with edition.yaml) in "
               "the content folder\n");
    CHECK(j && j->neditions == 0);
    if (j) {
        CHECK_STR(j->title, "Leer");
        CHECK_STR(j->language, "de");
        CHECK_INT(j->feed_entries, 20);
        CHECK(j->base_url == NULL && j->nsections == 0);
    }
    jr_journal_free(j);
}

int main(void)
{
    test_good();
    test_bad();
    test_missing();
    test_no_editions();
    return check_done("input_content");
}
