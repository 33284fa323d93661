/* layout_test.c: the layout engine on small handcrafted articles.
 *
 * Golden dumps (tests/layout/golden/NAME.txt) pin the exact positions;
 * JOURNAL_UPDATE_GOLDEN=1 rewrites them (check the diff by eye). Every
 * layout is also checked for invariants: justified lines end at the
 * column's right edge, nothing is set outside its column, no column ends
 * with a heading or splits a paragraph leaving one line alone, and every
 * word of the source appears in order. */
#define _POSIX_C_SOURCE 200809L
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "edition_pages.h"
#include "layout_util.h"
#include "util.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* ---- diagnostics capture ---- */

static FILE *diag_file;

static void diag_begin(void)
{
    jr_diag_reset();
    diag_file = tmpfile();
    jr_diag_set_output(diag_file);
}

/* The messages printed since diag_begin (caller frees). */
static char *diag_end(void)
{
    jr_diag_set_output(stderr);
    long n = ftell(diag_file);
    rewind(diag_file);
    char *s = jr_xcalloc((size_t)n + 1, 1);
    if (n > 0 && fread(s, 1, (size_t)n, diag_file) != (size_t)n)
        s[0] = 0;
    fclose(diag_file);
    return s;
}

/* ---- invariants ---- */

static const jr_block *line_block(const lt_run *r, const jr_line_rec *l)
{
    if (l->article < 0 || l->block < 0)
        return NULL;
    const jr_doc *d = r->j->editions[0].articles[l->article].doc;
    return (size_t)l->block < d->nblocks ? &d->blocks[l->block] : NULL;
}

static void check_invariants(const lt_run *r, const char *name)
{
    const jr_doclayout *dl = r->dl;
    const double colw =
        (r->style.page_width - r->style.margin_inside - r->style.margin_outside - r->style.gutter) /
        2;
    for (size_t i = 0; i < dl->nlines; i++) {
        const jr_line_rec *l = &dl->lines[i];
        const jr_page *pg = &dl->pages[l->page];
        const jr_block *b = line_block(r, l);
        double right = -1e9;
        for (size_t k = 0; k < l->nitems; k++) {
            const jr_item *it = &pg->items[l->first_item + k];
            if (it->kind != JR_ITEM_TEXT)
                continue;
            if (it->x + it->w > right)
                right = it->x + it->w;
            CHECK(it->x + it->w <= l->x + l->width + 0.01,
                  "%s: page %d: '%s' ends at %.2f, right of the line (%.2f)", name, l->page + 1,
                  it->text, it->x + it->w, l->x + l->width);
        }
        /* body lines: within their column */
        if (b && l->block >= 0) {
            CHECK(l->width <= colw + 0.01, "%s: line wider than a column", name);
        }
        if (b && b->kind == JR_BLOCK_PARAGRAPH && l->last && !l->overfull)
            CHECK(l->ratio <= 0, "%s: last line stretched (ratio %.2f)", name, l->ratio);
        bool justified =
            b && b->kind == JR_BLOCK_PARAGRAPH && !l->last && !l->overfull && right > -1e9;
        if (justified && fabs(l->ratio) > 1e-9)
            CHECK(fabs(right - (l->x + l->width)) <= 0.01,
                  "%s: page %d: justified line ends at %.3f, not at the column edge %.3f", name,
                  l->page + 1, right, l->x + l->width);
    }
    /* all content inside the text area */
    const jr_style *st = &r->style;
    double xmin = st->margin_inside < st->margin_outside ? st->margin_inside : st->margin_outside;
    for (size_t p = 0; p < dl->npages; p++)
        for (size_t i = 0; i < dl->pages[p].nitems; i++) {
            const jr_item *it = &dl->pages[p].items[i];
            if (it->role != JR_ROLE_CONTENT || it->kind == JR_ITEM_LINK)
                continue;
            double top = it->kind == JR_ITEM_TEXT ? it->y + it->size * 0.7 : it->y + it->h;
            CHECK(it->x >= xmin - 0.01 && it->x + it->w <= st->page_width - xmin + 0.01 &&
                      it->y >= st->margin_bottom - 3.5 &&
                      top <= st->page_height - st->margin_top + 0.01,
                  "%s: page %zu: item outside the text area at %.2f,%.2f (%.2f x %.2f)", name,
                  p + 1, it->x, it->y, it->w, it->h);
        }
    /* no column ends with a heading; paragraphs split with >= 2 lines each side */
    for (size_t i = 0; i + 1 < dl->nlines; i++) {
        const jr_line_rec *l = &dl->lines[i], *n = &dl->lines[i + 1];
        if (l->block < 0 || n->block < 0 || l->article != n->article)
            continue;
        bool colbreak = l->page != n->page || l->column != n->column;
        if (!colbreak)
            continue;
        const jr_block *b = line_block(r, l);
        CHECK(!b || b->kind != JR_BLOCK_HEADING, "%s: page %d column %d ends with a heading", name,
              l->page + 1, l->column);
        if (l->block == n->block && b && b->kind == JR_BLOCK_PARAGRAPH) {
            size_t before = 0, after = 0;
            for (size_t k = i + 1;
                 k-- > 0 && dl->lines[k].block == l->block && dl->lines[k].article == l->article;)
                before++;
            for (size_t k = i + 1; k < dl->nlines && dl->lines[k].block == l->block &&
                                   dl->lines[k].article == l->article;
                 k++)
                after++;
            CHECK(before >= 2 && after >= 2, "%s: paragraph split %zu/%zu lines at page %d", name,
                  before, after, l->page + 1);
        }
        /* a heading keeps two lines of a paragraph that follows */
        if (b && b->kind == JR_BLOCK_PARAGRAPH) {
            size_t k = i;
            while (k > 0 && dl->lines[k].block == l->block && dl->lines[k].article == l->article)
                k--;
            const jr_block *pb = line_block(r, &dl->lines[k]);
            if (pb && pb->kind == JR_BLOCK_HEADING && dl->lines[k].page == l->page &&
                dl->lines[k].column == l->column) {
                CHECK(i - k >= 2, "%s: heading followed by only %zu line(s) in its column", name,
                      i - k);
            }
        }
    }
    /* every word, in order */
    for (size_t a = 0; a < r->j->editions[0].narticles; a++) {
        char *got = lt_layout_words(dl, (int)a, r->j->editions[0].articles[a].doc);
        char *want = lt_doc_words(r->j->editions[0].articles[a].doc);
        size_t d = 0;
        while (got[d] && got[d] == want[d])
            d++;
        size_t from = d > 60 ? d - 60 : 0;
        while (from > 0 && ((unsigned char)want[from] & 0xC0) == 0x80)
            from--;
        CHECK(
            strcmp(got, want) == 0,
            "%s: article %zu: words differ at byte %zu:\n  layout: ...%.120s\n  source: ...%.120s",
            name, a + 1, d, got + from, want + from);
        free(got);
        free(want);
    }
}

/* ---- golden dumps ---- */

static void check_golden(const lt_run *r, const char *name)
{
    char *path = jr_xasprintf("tests/layout/golden/%s.txt", name);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    jr_doclayout_dump(r->dl, m);
    fclose(m);
    const char *up = getenv("JOURNAL_UPDATE_GOLDEN");
    if (up && *up && strcmp(up, "0") != 0) {
        FILE *f = fopen(path, "w");
        if (f) {
            fwrite(buf, 1, len, f);
            fclose(f);
        }
        fprintf(stderr, "updated %s\n", path);
    } else {
        size_t glen = 0;
        char *want = jr_read_file(path, &glen);
        CHECK(want != NULL, "golden file %s missing (run with JOURNAL_UPDATE_GOLDEN=1)", path);
        if (want) {
            bool same = glen == len && memcmp(want, buf, len) == 0;
            if (!same) {
                /* the first differing line */
                size_t i = 0, line = 1;
                while (i < len && i < glen && want[i] == buf[i])
                    if (buf[i++] == '\n')
                        line++;
                CHECK(same, "%s differs from the golden dump at line %zu", path, line);
            }
            free(want);
        }
    }
    free(buf);
    free(path);
}

static lt_run run1(const char *md, void (*style_fn)(jr_style *))
{
    lt_run r;
    const char *bodies[1] = {md};
    lt_layout(&r, bodies, 1, style_fn);
    return r;
}

/* ---- text for tests ---- */

static const char *para_a =
    "Die Bildungsregion Landkreis Stade verbindet Schulen, Kitas, Jugendhilfe und Betriebe. "
    "Seit 2019 arbeiten die Partner in einem gemeinsamen Netzwerk, das Übergänge zwischen den "
    "Bildungsstationen gestaltet und Fachkräfte sichert. Die Zusammenarbeit hat sich bewährt: "
    "Viele Projekte wären ohne die Koordination des Bildungsbüros nicht zustande gekommen.";

static const char *para_b =
    "In den Sommerferien treffen sich Lehrkräfte, Erzieherinnen und Schulsozialarbeiter zu "
    "einer gemeinsamen Fortbildung. Dort werden Beobachtungsbögen abgestimmt, Termine geplant "
    "und Erfahrungen aus dem vergangenen Jahr ausgewertet. Die Teilnehmenden loben vor allem "
    "den offenen Austausch über die Grenzen der Einrichtungen hinweg.";

/* ---- tests ---- */

static void test_basic_golden(void)
{
    char *md = jr_xasprintf(
        "## Ein Netzwerk für alle\n\n%s\n\n%s Mehr dazu steht auf der "
        "[Website der Bildungsregion Landkreis Stade mit allen Terminen und "
        "Ansprechpartnern](https://www.bildungsregion-stade.example/netzwerk) und im "
        "Jahresbericht.\n\n"
        "3. drei Punkte\n4. vier Punkte mit einem etwas längeren Text, der umbricht\n"
        "   - innen eins\n   - innen zwei\n5. fünf\n\n"
        "> Ein Zitat aus der Praxis, das etwas länger ist und daher über mehrere Zeilen läuft.\n\n"
        "```\nint main(void) { return 0; } /* ein langer Kommentar, der nicht in die Spalte passt "
        "*/\n```\n\n***\n\nZum Schluss.\n",
        para_a, para_b);
    diag_begin();
    lt_run r = run1(md, NULL);
    char *msgs = diag_end();
    CHECK(r.dl != NULL, "layout failed");
    if (r.dl) {
        check_invariants(&r, "basic");
        check_golden(&r, "basic");
        /* link rectangles: the link's words, on two or more lines */
        const jr_page *pg = &r.dl->pages[0];
        int nlinks = 0;
        jr_buf covered = {0};
        for (size_t i = 0; i < pg->nitems; i++) {
            const jr_item *lk = &pg->items[i];
            if (lk->kind != JR_ITEM_LINK)
                continue;
            nlinks++;
            CHECK(strcmp(lk->uri, "https://www.bildungsregion-stade.example/netzwerk") == 0,
                  "uri %s", lk->uri);
            double first_x = 1e9, last_x = -1e9;
            for (size_t k = 0; k < pg->nitems; k++) {
                const jr_item *t = &pg->items[k];
                if (t->kind != JR_ITEM_TEXT || t->y < lk->y || t->y > lk->y + lk->h)
                    continue;
                if (t->x >= lk->x - 0.01 && t->x + t->w <= lk->x + lk->w + 0.01) {
                    jr_buf_puts(&covered, t->text);
                    if (t->x < first_x)
                        first_x = t->x;
                    if (t->x + t->w > last_x)
                        last_x = t->x + t->w;
                }
            }
            CHECK(fabs(first_x - lk->x) < 0.01 && fabs(last_x - (lk->x + lk->w)) < 0.01,
                  "link rectangle does not fit its words");
        }
        CHECK(nlinks >= 2, "link on %d line(s), expected two or more", nlinks);
        /* list markers hang left of their item's text; numbering starts at 3 */
        const char *markers[] = {"3.", "4.", "\xE2\x80\x93", "\xE2\x80\x93", "5."};
        size_t m = 0;
        for (size_t i = 0; i < r.dl->nlines && m < 5; i++) {
            const jr_line_rec *l = &r.dl->lines[i];
            const jr_item *first = &pg->items[l->first_item];
            if (l->nitems < 2 || first->x >= l->x)
                continue;
            CHECK(strcmp(first->text, markers[m]) == 0, "marker %zu is '%s'", m, first->text);
            CHECK(first->x + first->w < l->x - 1, "marker %zu not left of the text", m);
            CHECK(fabs(l->x - (m == 2 || m == 3 ? 56.69 + 28 : 56.69 + 14)) < 0.01 ||
                      fabs(l->x - (m == 2 || m == 3 ? 311.81 + 28 : 311.81 + 14)) < 0.01,
                  "item text at %.2f", l->x);
            m++;
        }
        CHECK(m == 5, "%zu list markers", m);
        /* covered words = the link text (spaces and hyphens left out) */
        const char *want = "WebsitederBildungsregionLandkreisStademitallenTerminenund"
                           "Ansprechpartnern";
        jr_buf got = {0};
        for (size_t i = 0; i < covered.len; i++)
            if (covered.data[i] != '-' && covered.data[i] != ' ')
                jr_buf_putc(&got, covered.data[i]);
        CHECK(got.data && strcmp(got.data, want) == 0, "link covers '%s'",
              got.data ? got.data : "");
        jr_buf_free(&got);
        jr_buf_free(&covered);
    }
    CHECK(msgs[0] == 0, "unexpected diagnostics: %s", msgs);
    free(msgs);
    lt_free(&r);
    free(md);
}

/* A paragraph that fits without hyphenation gets none; one that cannot
 * fit without gets some. */
static void test_hyphenation_when_needed(void)
{
    lt_run r = run1("Wir gehen oft in den Wald und in den Park. Dort ist es im Mai schön und "
                    "warm, und wir sehen viele Tiere. Die Kinder laufen, die Eltern sitzen auf "
                    "der Bank und reden. Wer Lust hat, bringt ein Buch mit und liest vor.",
                    NULL);
    CHECK(r.dl && r.dl->hyphenated_lines == 0, "hyphenated lines in a paragraph that fits: %d",
          r.dl ? r.dl->hyphenated_lines : -1);
    if (r.dl)
        check_invariants(&r, "fits");
    lt_free(&r);

    const char *compounds =
        "Die Arbeitsmarktintegrationsmaßnahmen der Bildungsregionskoordinierungsstelle "
        "unterstützen Fachkräftesicherungsprojekte und Übergangsmanagementkonferenzen in "
        "Zusammenarbeit mit Berufsorientierungsbeauftragten und Schulsozialarbeiterinnen.";
    r = run1(compounds, NULL);
    CHECK(r.dl && r.dl->hyphenated_lines > 0, "no hyphenation in long compounds");
    if (r.dl) {
        check_invariants(&r, "compounds");
        check_golden(&r, "compounds");
        for (size_t i = 0; i < r.dl->nlines; i++) {
            const jr_line_rec *l = &r.dl->lines[i];
            if (!l->hyphenated)
                continue;
            const jr_item *it = &r.dl->pages[l->page].items[l->first_item + l->nitems - 1];
            size_t n = strlen(it->text);
            CHECK(n > 0 && it->text[n - 1] == '-', "hyphenated line ends with '%s'", it->text);
        }
    }
    lt_free(&r);
}

/* A 100,000-character word: cut into lines that fit, one warning with the
 * word's source line. */
static void test_huge_word(void)
{
    size_t n = 100000;
    char *word = jr_xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        word[i] = (char)('a' + i % 26);
    word[n] = 0;
    /* body line 1: intro, 2: blank, 3: the word -> file line 5 + 2 = 7 */
    char *md = jr_xasprintf("Ein kurzer Absatz davor.\n\nNun %s und danach.\n", word);
    diag_begin();
    lt_run r = run1(md, NULL);
    char *msgs = diag_end();
    CHECK(r.dl != NULL, "no layout");
    CHECK(jr_diag_count_id(JR_W_OVERFULL) == 1, "%d overfull warnings",
          jr_diag_count_id(JR_W_OVERFULL));
    CHECK(strstr(msgs, "tests/layout/fixtures/article1.md:7:") != NULL,
          "warning without the word's line: %.200s", msgs);
    if (r.dl) {
        check_invariants(&r, "huge word");
        CHECK(r.dl->npages > 5, "only %zu pages", r.dl->npages);
    }
    free(msgs);
    lt_free(&r);
    free(md);
    free(word);
}

/* An emoji: one warning per character, a replacement mark in the text. */
static void test_missing_glyph(void)
{
    diag_begin();
    lt_run r = run1("Ein Lächeln \xF0\x9F\x98\x80 und noch eins \xF0\x9F\x98\x80.\n", NULL);
    char *msgs = diag_end();
    CHECK(jr_diag_count_id(JR_W_NO_GLYPH) == 1, "%d missing-glyph warnings",
          jr_diag_count_id(JR_W_NO_GLYPH));
    CHECK(strstr(msgs, "article1.md:5:") != NULL, "warning position: %s", msgs);
    int marks = 0;
    if (r.dl)
        for (size_t p = 0; p < r.dl->npages; p++)
            for (size_t i = 0; i < r.dl->pages[p].nitems; i++) {
                const jr_item *it = &r.dl->pages[p].items[i];
                if (it->kind == JR_ITEM_TEXT && strstr(it->text, "\xE2\x96\xA1"))
                    marks++;
                if (it->kind == JR_ITEM_TEXT)
                    CHECK(!strstr(it->text, "\xF0\x9F\x98\x80"), "emoji drawn");
            }
    CHECK(marks == 2, "%d replacement marks", marks);
    free(msgs);
    lt_free(&r);
}

/* Headings near a column's end, widows and orphans: lead-in paragraphs of
 * 1..60 lines move a heading and a 5-line paragraph through the column
 * bottom; the invariants check every case. */
static void test_breaks_at_column_end(void)
{
    int pushed_heading = 0, short_columns = 0;
    /* page 1 holds about 2 x 49 lines; text follows, so its columns are full */
    for (int k = 36; k <= 100; k++) {
        jr_buf md = {0};
        for (int i = 0; i < k; i++)
            jr_buf_printf(&md, "Zeile %d.\n\n", i + 1);
        jr_buf_printf(&md, "## Eine Überschrift am Spaltenende\n\n%s\n\n%s\n\n", para_b, para_a);
        for (int i = 0; i < 6; i++)
            jr_buf_printf(&md, "%s\n\n", i % 2 ? para_a : para_b);
        lt_run r = run1(md.data, NULL);
        char name[32];
        snprintf(name, sizeof name, "lead-in %d", k);
        if (r.dl) {
            check_invariants(&r, name);
            /* columns that end early (one more body line would have fitted) */
            double bottom = r.style.margin_bottom + 3.5;
            for (size_t i = 0; i + 1 < r.dl->nlines; i++) {
                const jr_line_rec *l = &r.dl->lines[i], *n = &r.dl->lines[i + 1];
                if (l->block < 0 || (l->page == n->page && l->column == n->column))
                    continue;
                if (l->y - 13 >= bottom - 0.01) {
                    short_columns++;
                    const jr_block *nb = line_block(&r, n);
                    if (nb && nb->kind == JR_BLOCK_HEADING)
                        pushed_heading++;
                }
            }
        }
        lt_free(&r);
        jr_buf_free(&md);
    }
    /* the rules did act: headings moved on, paragraphs kept together */
    CHECK(pushed_heading >= 1, "no heading was moved to the next column");
    CHECK(short_columns >= 3, "only %d columns ended early", short_columns);
}

/* Balanced columns on an article's last page. */
/* (18 paragraphs: page 1 full, the columns of page 2 balanced) */
static void test_balanced(void)
{
    jr_buf md = {0};
    for (int i = 0; i < 9; i++)
        jr_buf_printf(&md, "%s\n\n%s\n\n", para_a, para_b);
    lt_run r = run1(md.data, NULL);
    if (r.dl) {
        check_invariants(&r, "balanced");
        int last = (int)r.dl->npages - 1;
        double bottom[2] = {1e9, 1e9};
        int count[2] = {0, 0};
        for (size_t i = 0; i < r.dl->nlines; i++) {
            const jr_line_rec *l = &r.dl->lines[i];
            if (l->page != last || l->block < 0 || l->column > 1)
                continue;
            count[l->column]++;
            if (l->y < bottom[l->column])
                bottom[l->column] = l->y;
        }
        CHECK(count[0] > 0 && count[1] > 0, "last page columns: %d and %d lines", count[0],
              count[1]);
        CHECK(fabs(bottom[0] - bottom[1]) <= 13.01, "column bottoms %.2f and %.2f", bottom[0],
              bottom[1]);
        check_golden(&r, "balanced");
    }
    lt_free(&r);
    jr_buf_free(&md);
}

/* Figures: scaled to the column width; a missing image leaves a grey box. */
static void test_figures(void)
{
    char *md = jr_xasprintf("%s\n\n![Breit](images/wide.png \"Ein breites Bild\")\n\n%s\n\n"
                            "![Fehlt](images/missing.png)\n\n"
                            "![Hoch](images/tall.png \"Ein hohes Bild\")\n\nEnde.\n",
                            para_a, para_b);
    diag_begin();
    lt_run r = run1(md, NULL);
    char *msgs = diag_end();
    CHECK(msgs[0] == 0, "diagnostics from the layout: %s", msgs);
    int images = 0, rects = 0;
    if (r.dl) {
        check_invariants(&r, "figures");
        check_golden(&r, "figures");
        double colw =
            (r.style.page_width - r.style.margin_inside - r.style.margin_outside - r.style.gutter) /
            2;
        for (size_t p = 0; p < r.dl->npages; p++)
            for (size_t i = 0; i < r.dl->pages[p].nitems; i++) {
                const jr_item *it = &r.dl->pages[p].items[i];
                if (it->kind == JR_ITEM_IMAGE) {
                    const jr_image_ref *ref = &r.dl->images[it->image];
                    images++;
                    if (ref->px_width > ref->px_height) {
                        CHECK(fabs(it->w - colw) < 0.01, "wide image %.2f wide, column %.2f", it->w,
                              colw);
                        CHECK(fabs(it->h - colw / 2) < 0.01, "wide image %.2f high", it->h);
                    } else {
                        /* 1:3 at column width is taller than 80 % of the column: scaled down */
                        CHECK(it->h <= (r.style.page_height - r.style.margin_top -
                                        r.style.margin_bottom) *
                                               0.8 +
                                           0.01,
                              "tall image %.2f high", it->h);
                        CHECK(fabs(it->w * 3 - it->h) < 0.01, "tall image aspect %.2f x %.2f",
                              it->w, it->h);
                    }
                } else if (it->kind == JR_ITEM_RECT) {
                    rects++;
                    CHECK(fabs(it->w - colw) < 0.01 && fabs(it->h - colw * 2 / 3) < 0.01,
                          "placeholder %.2f x %.2f", it->w, it->h);
                }
            }
    }
    CHECK(images == 2 && rects == 1, "%d images, %d placeholders", images, rects);
    /* captions set below their figures */
    int captions = 0;
    if (r.dl)
        for (size_t p = 0; p < r.dl->npages; p++)
            for (size_t i = 0; i < r.dl->pages[p].nitems; i++) {
                const jr_item *it = &r.dl->pages[p].items[i];
                if (it->kind == JR_ITEM_TEXT &&
                    (strcmp(it->text, "breites") == 0 || strcmp(it->text, "hohes") == 0))
                    captions++;
            }
    CHECK(captions == 2, "%d captions", captions);
    free(msgs);
    lt_free(&r);
    free(md);
}

/* 32 nested quotes and lists: indents squeezed, nothing outside the column. */
static void test_deep_nesting(void)
{
    jr_buf md = {0};
    for (int d = 0; d < 32; d++) {
        for (int k = 0; k < d; k++)
            jr_buf_puts(&md, k % 2 ? "> " : "- ");
        jr_buf_printf(&md, "Ebene %d: %s\n", d, para_b);
        for (int k = 0; k < d; k++)
            jr_buf_puts(&md, k % 2 ? ">" : " ");
        jr_buf_puts(&md, "\n");
    }
    diag_begin();
    lt_run r = run1(md.data, NULL);
    char *msgs = diag_end();
    CHECK(r.dl != NULL, "no layout");
    if (r.dl)
        check_invariants(&r, "deep nesting");
    free(msgs);
    lt_free(&r);
    jr_buf_free(&md);
}

/* A title of 600 words: the opening goes into the columns, nothing lost or
 * outside the page. */
static void long_title(jr_article *a)
{
    jr_buf t = {0};
    for (int i = 0; i < 600; i++)
        jr_buf_printf(&t, "Titelwort%d ", i);
    free(a->title);
    a->title = jr_buf_detach(&t);
}

static void test_long_title(void)
{
    const char *bodies[1] = {para_a};
    lt_run r;
    lt_layout_with(&r, bodies, 1, NULL, NULL, long_title);
    CHECK(r.dl != NULL, "no layout");
    if (r.dl) {
        check_invariants(&r, "long title");
        int words = 0;
        for (size_t p = 0; p < r.dl->npages; p++)
            for (size_t i = 0; i < r.dl->pages[p].nitems; i++) {
                const jr_item *it = &r.dl->pages[p].items[i];
                if (it->kind == JR_ITEM_TEXT && strncmp(it->text, "Titelwort", 9) == 0)
                    words++;
            }
        CHECK(words == 600, "%d title words set", words);
    }
    lt_free(&r);
}

/* Random documents from awkward pieces (nested containers, spaces of every
 * kind, soft hyphens, URLs, long words, code, right-to-left text):
 * the invariants hold and no word is lost. Deterministic. */
static void test_random_documents(void)
{
    static const char *frags[] = {
        "Wort ",
        "Bildungsregion",
        " ",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "> ",
        "## ",
        "### ",
        "#### ",
        "```\n",
        "`code` ",
        "*kursiv*",
        "**fett**",
        "[Link](https://example.org/a/b)",
        "\xC2\xA0",
        "\xE2\x80\xAF",
        "\xC2\xAD",
        "\xE2\x80\x8B",
        "e\xCC\x81",
        "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D",
        "\t",
        "  \n",
        "\\\n",
        "***\n",
        "![Bild](images/wide.png \"Titel\")\n",
        "https://www.example.org/sehr/lang/pfad?x=1&y=2 ",
        "Nord-Süd-Verbindung ",
        "a@b.example ",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "    eingerückter Code\n",
        "\xE2\x80\x93",
        "\xE2\x80\x9EZitat\xE2\x80\x9C ",
        "...",
        "3) ",
        "* ",
        "   - ",
        "\xCE\xA9\xE2\x89\x88\xC3\xA7 "};
    unsigned long long seed = 88172645463325252ull;
    jr_diag_set_output(NULL);
    for (int run = 0; run < 25; run++) {
        jr_buf md = {0};
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        int n = 20 + (int)(seed % 300);
        for (int i = 0; i < n; i++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            jr_buf_puts(&md, frags[seed % (sizeof frags / sizeof *frags)]);
        }
        lt_run r = run1(md.data, NULL);
        char name[32];
        snprintf(name, sizeof name, "random %d", run);
        CHECK(r.dl != NULL, "%s: no layout", name);
        if (r.dl)
            check_invariants(&r, name);
        lt_free(&r);
        jr_buf_free(&md);
    }
    jr_diag_set_output(stderr);
}

/* A figure that does not fit at a column's end floats to the next
 * column's top; the text after it fills the column. */
static void test_figure_float(void)
{
    int floated = 0;
    for (int k = 0; k < 12; k++) {
        jr_buf md = {0};
        for (int i = 0; i < 5; i++)
            jr_buf_printf(&md, "%s\n\n", para_a); /* about 40 of column 1's 49 lines */
        for (int i = 0; i < k; i++)
            jr_buf_printf(&md, "Zeile %d.\n\n", i + 1);
        jr_buf_printf(&md, "![Breit](images/wide.png \"Ein breites Bild\")\n\n");
        for (int i = 0; i < 12; i++)
            jr_buf_printf(&md, "%s\n\n", i % 2 ? para_a : para_b);
        lt_run r = run1(md.data, NULL);
        if (r.dl) {
            check_invariants(&r, "float");
            const jr_page *pg = &r.dl->pages[0];
            const jr_item *img = NULL;
            for (size_t i = 0; i < pg->nitems; i++)
                if (pg->items[i].kind == JR_ITEM_IMAGE)
                    img = &pg->items[i];
            CHECK(img != NULL, "no image on page 1");
            double low0 = 1e9, top1 = -1e9;
            for (size_t i = 0; i < r.dl->nlines; i++) {
                const jr_line_rec *l = &r.dl->lines[i];
                if (l->page != 0 || l->block < 0)
                    continue;
                if (l->column == 0 && l->y < low0)
                    low0 = l->y;
                if (l->column == 1 && l->y > top1)
                    top1 = l->y;
            }
            if (img && img->x > 300) {
                /* moved on: column 0 is full, the image at column 1's top */
                floated++;
                /* (one line may stay empty: no paragraph starts with one line) */
                CHECK(low0 - 26 < r.style.margin_bottom + 3.5, "k=%d: column 0 ends early (%.2f)",
                      k, low0);
                CHECK(img->y + img->h > top1, "k=%d: image not at the top of column 1", k);
            }
        }
        lt_free(&r);
        jr_buf_free(&md);
    }
    CHECK(floated >= 3, "the figure moved on only %d time(s)", floated);
}

/* Another look: A5, three columns, no baseline grid, not facing. */
static void a5_three_columns(jr_style *s)
{
    s->page_width = 419.53;
    s->page_height = 595.28;
    s->margin_inside = s->margin_outside = s->margin_top = s->margin_bottom = 30;
    s->facing = false;
    s->columns[JR_PAGE_ARTICLE] = 3;
    s->gutter = 10;
    s->baseline_grid = 0;
}

static void test_other_style(void)
{
    jr_buf md = {0};
    jr_buf_printf(&md, "## Eine Überschrift\n\n%s\n\n- %s\n- %s\n\n> %s\n\n", para_a, para_b,
                  para_a, para_b);
    for (int i = 0; i < 6; i++)
        jr_buf_printf(&md, "### Zwischentitel %d\n\n%s\n\n%s\n\n", i, para_a, para_b);
    lt_run r = run1(md.data, a5_three_columns);
    CHECK(r.dl != NULL, "no layout");
    if (r.dl) {
        /* check_invariants assumes two columns of the default page; here only words and edges */
        for (size_t i = 0; i < r.dl->nlines; i++) {
            const jr_line_rec *l = &r.dl->lines[i];
            CHECK(l->x >= 30 - 0.01 && l->x + l->width <= 419.53 - 30 + 0.01,
                  "A5: line outside the text area");
            CHECK(l->y >= 30 - 0.01 && l->y <= 595.28 - 30, "A5: line at y %.2f", l->y);
        }
        char *got = lt_layout_words(r.dl, 0, r.j->editions[0].articles[0].doc);
        char *want = lt_doc_words(r.j->editions[0].articles[0].doc);
        CHECK(strcmp(got, want) == 0, "A5: words differ");
        free(got);
        free(want);
        CHECK(r.dl->npages >= 3, "A5: %zu pages", r.dl->npages);
    }
    lt_free(&r);
    jr_buf_free(&md);
}

static void bad_font(jr_style *s)
{
    free(s->fonts[JR_ROLE_CAPTION].family);
    s->fonts[JR_ROLE_CAPTION].family = jr_xstrdup("No Such Font Family Anywhere");
}

static void test_missing_font(void)
{
    diag_begin();
    lt_run r = run1("Text.\n", bad_font);
    char *msgs = diag_end();
    CHECK(r.dl == NULL, "layout without its fonts");
    CHECK(jr_diag_count_id(JR_E_FONT_MISSING) == 1, "no font error: %s", msgs);
    free(msgs);
    lt_free(&r);
}

static void four_columns(jr_style *s)
{
    s->columns[JR_PAGE_ARTICLE] = 4;
}

/* A language without patterns: warned once, text set without hyphens. */
static void test_no_patterns(void)
{
    const char *compounds =
        "Die Arbeitsmarktintegrationsmaßnahmen der Bildungsregionskoordinierungsstelle "
        "unterstützen Fachkräftesicherungsprojekte und Übergangsmanagementkonferenzen.";
    const char *bodies[2] = {compounds, compounds};
    lt_run r;
    diag_begin();
    lt_layout_lang(&r, bodies, 2, four_columns, "xx");
    char *msgs = diag_end();
    CHECK(r.dl && r.dl->hyphenated_lines == 0, "hyphenated without patterns");
    CHECK(jr_diag_count_id(JR_W_NO_PATTERNS) == 1, "%d no-pattern warnings: %s",
          jr_diag_count_id(JR_W_NO_PATTERNS), msgs);
    free(msgs);
    lt_free(&r);
}

/* ---- the contents: units set once and respaced per trial ---- */

static void edition_pages_on(jr_style *st)
{
    st->edition_pages = true;
}

static char *dump_text(const jr_doclayout *dl)
{
    FILE *f = tmpfile();
    jr_doclayout_dump(dl, f);
    long n = ftell(f);
    rewind(f);
    char *s = jr_xcalloc((size_t)n + 1, 1);
    if (n > 0 && fread(s, 1, (size_t)n, f) != (size_t)n)
        s[0] = 0;
    fclose(f);
    return s;
}

/* Contents long enough that tighter spacing is tried (and saves a page):
 * the units set once and respaced give the same pages as units set anew
 * for every trial. */
static void test_contents_respaced(void)
{
    enum { N = 40 }; /* tries spacings 1, 0.3, 0.9 ... 0.6 */
    const char *bodies[N];
    for (int i = 0; i < N; i++)
        bodies[i] = "Ein kurzer Absatz.";
    char *dumps[2];
    for (int k = 0; k < 2; k++) {
        jr_edition_pages_reuse_units(k == 0);
        lt_run r;
        lt_layout(&r, bodies, N, edition_pages_on);
        CHECK(r.dl != NULL, "no layout");
        dumps[k] = r.dl ? dump_text(r.dl) : jr_xstrdup("");
        lt_free(&r);
    }
    jr_edition_pages_reuse_units(true);
    CHECK(strcmp(dumps[0], dumps[1]) == 0, "contents differ when their units are reused");
    free(dumps[0]);
    free(dumps[1]);
}

int main(void)
{
    /* numbers in the dump must not follow the locale */
    setlocale(LC_ALL, "de_DE.UTF-8");
    test_basic_golden();
    test_hyphenation_when_needed();
    test_huge_word();
    test_missing_glyph();
    test_breaks_at_column_end();
    test_balanced();
    test_figures();
    test_missing_font();
    test_deep_nesting();
    test_other_style();
    test_figure_float();
    test_random_documents();
    test_long_title();
    test_no_patterns();
    test_contents_respaced();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures ? 1 : 0;
}
