/* Typography rules: jr_typography on single strings, jr_typography_pieces
 * across span boundaries, and typography through jr_markdown_parse_string.
 * "~" in the expected strings stands for U+00A0 (no-break space). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "util.h"

static int fails;

/* Replace '~' with U+00A0. */
static char *nb(const char *s)
{
    jr_buf b = {0};
    for (; *s; s++) {
        if (*s == '~')
            jr_buf_puts(&b, "\xC2\xA0");
        else
            jr_buf_putc(&b, *s);
    }
    return jr_buf_detach(&b);
}

static void check(const char *lang, const char *in, const char *want_tilde)
{
    char *want = nb(want_tilde);
    char *got = jr_typography(in, lang);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "FAIL [%s] %s\n  want: %s\n  got:  %s\n", lang ? lang : "NULL", in, want,
                got);
        fails++;
    }
    free(got);
    free(want);
}

static void test_strings(void)
{
    /* German quotes from straight quotes and from cmark's English quotes */
    check("de", "\"Bildung\" ist 'wichtig'.", "„Bildung“ ist ‚wichtig‘.");
    check("de", "“Bildung” ist ‘wichtig’.", "„Bildung“ ist ‚wichtig‘.");
    check("de-DE", "(\"in Klammern\")", "(„in Klammern“)");
    check("DE-at", "\"Servus\"", "„Servus“");
    check("de", "\"Er sagte 'Hallo' zu mir.\"", "„Er sagte ‚Hallo‘ zu mir.“");
    /* German quotes typed directly stay */
    check("de", "„Bildung“ und ‚Region‘", "„Bildung“ und ‚Region‘");
    /* apostrophes */
    check("de", "geht's gut", "geht’s gut");
    check("de", "geht’s gut", "geht’s gut");
    check("de", "Hans' Buch", "Hans’ Buch");
    check("de", "Hans’ Buch", "Hans’ Buch");
    check("de", "die Kinder’ Spiele", "die Kinder’ Spiele");
    check("de", "'s Gärtle in den '90ern", "’s Gärtle in den ’90ern");
    check("de", "Rock'n'Roll", "Rock’n’Roll");
    /* English */
    check("en", "\"Education\" is 'key'.", "“Education” is ‘key’.");
    check("en", "It's John's and the kids' book.", "It’s John’s and the kids’ book.");
    check("en-GB", "„typed German“", "“typed German”");
    /* Swiss German */
    check("de-CH", "\"Grüezi\" und 'so'", "«Grüezi» und ‹so›");
    /* no language: the journal's default, German */
    check(NULL, "\"x\"", "„x“");
    check("", "\"x\"", "„x“");
    /* dashes and ellipses */
    check("de", "a -- b --- c...", "a~– b~— c…");
    check("de", "10--12", "10–12");
    check("de", "x----y", "x––y");
    check("de", "x-----y", "x—–y");
    check("de", "x------y", "x——y");
    check("de", "Warte....", "Warte….");
    check("de", "a - b", "a~– b");
    check("de", "- a -b c- d", "- a -b c- d");
    /* non-breaking spaces */
    check("de", "12 € und 30 % und 5 km und 10 Uhr", "12~€ und 30~% und 5~km und 10~Uhr");
    check("de", "2.500 Euro, 3,5 Mio. Menschen, 20 °C", "2.500~Euro, 3,5~Mio. Menschen, 20~°C");
    check("de", "10 Uhrzeit, 5 mal, 3 Kinder", "10 Uhrzeit, 5 mal, 3 Kinder");
    check("de", "§ 5 Abs. 2 S. 3 Nr. 7", "§~5 Abs.~2 S.~3 Nr.~7");
    check("de", "§§ 12", "§§~12");
    check("de", "Abs. zwei, S. A", "Abs. zwei, S. A");
    check("de", "WAS. 3", "WAS. 3");
    check("de", "z. B. und d. h. und u. a.", "z.~B. und d.~h. und u.~a.");
    check("de", "i. d. R. gut", "i.~d.~R. gut");
    check("de", "Plan B. A wie", "Plan B. A wie");
    check("de", "am 3. Mai und 24. Dezember", "am 3.~Mai und 24.~Dezember");
    check("en", "on 3. May", "on 3. May");
    check("de", "Wort – weiter", "Wort~– weiter");
    check("de", "und dann ... weiter, so ...", "und dann~… weiter, so~…");
    check("de", "so ...weiter", "so …weiter");
    check("de",
          "Wort\xC2\xA0"
          "bleibt",
          "Wort~bleibt");
    /* soft hyphens stay */
    check("de", "Bil\u00ADdungs\u00ADre\u00ADgi\u00ADon", "Bil\u00ADdungs\u00ADre\u00ADgi\u00ADon");
    /* runs of spaces become one */
    check("de", "a   b", "a b");
    /* nothing to do, empty, invalid bytes */
    check("de", "", "");
    check("de", "plain", "plain");
    check("de", "bad \xFF byte", "bad \xEF\xBF\xBD byte");
    /* tabs and line ends are spaces; other control characters go */
    check("de",
          "a\tb\nc\x01"
          "d\x7F"
          "e\xC2\x85"
          "f",
          "a b cdef");
}

/* Quotes and spaces decided across piece boundaries; code untouched. */
static void test_pieces(void)
{
    jr_typo_piece p[] = {
        {JR_TYPO_TEXT, "Das \"Zitat ", 11, NULL}, {JR_TYPO_TEXT, "kursiv\"", 7, NULL},
        {JR_TYPO_TEXT, " und \"", 6, NULL},       {JR_TYPO_CODE, "\"code\"", 6, NULL},
        {JR_TYPO_TEXT, "\" 12", 4, NULL},         {JR_TYPO_TEXT, " €", 4, NULL},
        {JR_TYPO_BREAK, NULL, 0, NULL},           {JR_TYPO_TEXT, "'s", 2, NULL},
    };
    const char *want[] = {"Das „Zitat ", "kursiv“", " und „", NULL, "“ 12", "~€", NULL, "’s"};
    size_t n = sizeof p / sizeof p[0];
    jr_typography_pieces(p, n, "de");
    for (size_t i = 0; i < n; i++) {
        if (!want[i]) {
            if (p[i].out) {
                fprintf(stderr, "FAIL pieces: piece %zu should have no output\n", i);
                fails++;
            }
            continue;
        }
        char *w = nb(want[i]);
        if (!p[i].out || strcmp(p[i].out, w) != 0) {
            fprintf(stderr, "FAIL pieces: piece %zu want \"%s\" got \"%s\"\n", i, w,
                    p[i].out ? p[i].out : "(null)");
            fails++;
        }
        free(w);
        free(p[i].out);
    }
}

/* Through the parser: a quote opening in plain text and closing in emphasis,
 * code spans and code blocks untouched, alt text and captions set. */
static void test_parse(void)
{
    const char *md = "Ein \"Zitat *mit Betonung\"* und `\"code\" -- ...`.\n\n"
                     "```\n\"x\" -- 12 €\n```\n\n"
                     "![Ein \"Bild\"](b.png \"Titel -- mit 'Zitat'\")\n";
    jr_doc *d = jr_markdown_parse_string(md, strlen(md), "de", "t.md", 1);
    const char *want[] = {"Ein „Zitat ", "mit Betonung“", " und ", "\"code\" -- ...", "."};
    if (d->nblocks != 3 || d->blocks[0].nspans != 5) {
        fprintf(stderr, "FAIL parse: %zu blocks, %zu spans\n", d->nblocks,
                d->nblocks ? d->blocks[0].nspans : 0);
        fails++;
    } else {
        for (size_t i = 0; i < 5; i++) {
            if (strcmp(d->blocks[0].spans[i].text, want[i]) != 0) {
                fprintf(stderr, "FAIL parse: span %zu want \"%s\" got \"%s\"\n", i, want[i],
                        d->blocks[0].spans[i].text);
                fails++;
            }
        }
        if (strcmp(d->blocks[1].spans[0].text, "\"x\" -- 12 €") != 0) {
            fprintf(stderr, "FAIL parse: code block changed: %s\n", d->blocks[1].spans[0].text);
            fails++;
        }
        const jr_block *fig = &d->blocks[2];
        char *cap = nb("Titel~– mit ‚Zitat‘");
        if (fig->kind != JR_BLOCK_FIGURE || strcmp(fig->alt, "Ein „Bild“") != 0 ||
            strcmp(fig->caption, cap) != 0) {
            fprintf(stderr, "FAIL parse: figure alt \"%s\" caption \"%s\"\n",
                    fig->alt ? fig->alt : "", fig->caption ? fig->caption : "");
            fails++;
        }
        free(cap);
    }
    jr_doc_free(d);
}

/* Invalid UTF-8 and control characters never reach the model. */
static void test_bad_bytes(void)
{
    const char md[] = "```\n\x01"
                      "a\tb\n```\n\nx \xFF `\x02"
                      "c\td` y\x03z\n\n\x01\x02\n";
    jr_doc *d = jr_markdown_parse_string(md, sizeof md - 1, "de", "t.md", 1);
    if (d->nblocks != 2 || d->blocks[0].nspans != 1 || d->blocks[1].nspans != 3) {
        fprintf(stderr, "FAIL bad bytes: %zu blocks\n", d->nblocks);
        fails++;
    } else {
        const char *want[] = {"a   b", "x \xEF\xBF\xBD ", "c d", " yz"};
        const char *got[] = {d->blocks[0].spans[0].text, d->blocks[1].spans[0].text,
                             d->blocks[1].spans[1].text, d->blocks[1].spans[2].text};
        for (int i = 0; i < 4; i++) {
            if (strcmp(want[i], got[i]) != 0) {
                fprintf(stderr, "FAIL bad bytes %d: want \"%s\" got \"%s\"\n", i, want[i], got[i]);
                fails++;
            }
        }
    }
    jr_doc_free(d);
}

int main(void)
{
    test_strings();
    test_pieces();
    test_parse();
    test_bad_bytes();
    if (fails) {
        fprintf(stderr, "%d typography checks failed\n", fails);
        return 1;
    }
    printf("typography checks passed\n");
    return 0;
}
