/* feed_fixture: builds a journal in C (or loads a content folder), writes
 * atom.xml, rss.xml, index.html and every article page into OUT, and
 * writes OUT/expected.json: what the feeds must say, for the client tests
 * (feedparser, newsboat) to compare against.
 *
 *   feed_fixture OUT [--entries N] [--extra] [--bare] [--content DIR]
 *
 * --entries N  feed_entries = N
 * --extra      add a newer third edition (ids of the others must not change)
 * --bare       a journal with only the required fields
 * --content    load DIR with jr_content_load instead of the built-in journal
 *
 * Diagnostics go to OUT/diagnostics.txt. Exit status 1 when a writer fails. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "diag.h"
#include "feed.h"
#include "model.h"
#include "util.h"

#include "feed_int.h" /* the back ends' own helpers: ids, URLs, dates */

#define S(x) jr_xstrdup(x)

static char **list(size_t *n, const char *a, const char *b, const char *c)
{
    const char *in[3] = {a, b, c};
    char **out = jr_xcalloc(3, sizeof *out);
    *n = 0;
    for (int i = 0; i < 3; i++)
        if (in[i])
            out[(*n)++] = S(in[i]);
    return out;
}

static jr_article *add_article(jr_edition *e, const char *slug, const char *title)
{
    e->articles = jr_xrealloc(e->articles, (e->narticles + 1) * sizeof *e->articles);
    jr_article *a = &e->articles[e->narticles++];
    memset(a, 0, sizeof *a);
    a->path = jr_xasprintf("content/%s/%s.md", e->id, slug);
    a->dir = jr_xasprintf("content/%s", e->id);
    a->filename = S(slug);
    a->slug = S(slug);
    a->title = S(title);
    a->order = (int)e->narticles;
    for (int k = 0; k < JR_FM_KEY_COUNT; k++)
        a->key_pos[k].line = 2 + k; /* title on line 2, subtitle on 3, ... */
    a->body_line = 2 + JR_FM_KEY_COUNT + 1;
    return a;
}

static void set_body(jr_article *a, const char *md)
{
    a->body = S(md);
    a->body_len = strlen(md);
}

static jr_edition *add_edition(jr_journal *j, const char *id, int number, int year, jr_date d,
                               const char *theme)
{
    j->editions = jr_xrealloc(j->editions, (j->neditions + 1) * sizeof *j->editions);
    jr_edition *e = &j->editions[j->neditions++];
    memset(e, 0, sizeof *e);
    e->id = S(id);
    e->dir = jr_xasprintf("content/%s", id);
    e->yaml_path = jr_xasprintf("content/%s/edition.yaml", id);
    e->number = number;
    e->year = year;
    e->date = d;
    e->theme = S(theme);
    e->cover_image = S("images/titel.jpg");
    e->cover_alt = jr_xasprintf("Titelbild: %s", theme);
    return e;
}

/* The least a journal can have: no base_url, publisher, logo or contact;
 * an article without authors, summary, section, tags or date. */
static jr_journal *build_bare(void)
{
    jr_journal *j = jr_xcalloc(1, sizeof *j);
    j->title = S("Nur ein Titel");
    j->language = S("de");
    jr_edition *e = add_edition(j, "2026-1", 1, 2026, (jr_date){0, 0, 0}, "Thema");
    free(e->cover_image);
    e->cover_image = NULL;
    jr_article *a = add_article(e, "leer", "Leer");
    (void)a;
    add_edition(j, "2026-2", 2, 2026, (jr_date){2026, 6, 1}, "Ohne Artikel");
    return j;
}

static jr_journal *build(bool extra)
{
    jr_journal *j = jr_xcalloc(1, sizeof *j);
    j->root = S("content");
    j->yaml_path = S("content/journal.yaml");
    j->title = S("Bildung im Blick");
    j->subtitle = S("Das Journal der Bildungsregion Landkreis Stade");
    j->publisher = S("Bildungsbüro Landkreis Stade");
    j->language = S("de");
    j->base_url = S("https://journal.bildung-stade.example/archiv/");
    j->slug = S("bildung-im-blick");
    j->copyright = S("© 2026 Bildungsbüro Landkreis Stade");
    j->icon = S("favicon.png");
    j->logo = S("logo.png");
    j->contact.email = S("bildungsbuero@bildung-stade.example");
    j->feed_entries = 20;
    j->nsections = 2;
    j->sections = jr_xcalloc(2, sizeof *j->sections);
    j->sections[0] =
        (jr_section){S("uebergaenge"), S("Übergänge & Wege"), {0.78, 0.35, 0.12, 0, 0, 0, 0}, true};
    j->sections[1] =
        (jr_section){S("qualitaet"), S("Bildungsqualität"), {0.24, 0.48, 0.23, 0, 0, 0, 0}, true};

    /* Edition 1 on the day summer time begins (08:00 is +02:00). */
    jr_edition *e1 =
        add_edition(j, "2026-1", 1, 2026, (jr_date){2026, 3, 29}, "Übergänge gestalten");
    jr_article *a =
        add_article(e1, "schule-beruf", "Schule & Beruf: <Übergänge> \"gestalten\" ]]> ok");
    a->subtitle = S("Wie 'Betriebe' & Schulen zusammenfinden");
    a->authors = list(&a->nauthors, "Anna Müller", "Jörg Ölschläger", NULL);
    a->date = (jr_date){2026, 3, 29};
    a->section = S("uebergaenge");
    a->summary = S("Betriebe & Schulen im Landkreis: <gemeinsam> statt einsam.");
    a->tags = list(&a->ntags, "Berufsorientierung", "Praktikum", NULL);
    a->image = S("images/werkstatt.jpg");
    a->image_alt = S("Zwei Auszubildende an einer Drehbank");
    a->image_caption = S("In der Lehrwerkstatt");
    a->image_credit = S("Kreisverwaltung Stade");
    set_body(a, "Der Übergang von der Schule in den Beruf gelingt am besten gemeinsam.\n\n"
                "Sie sagte: \"Wir *brauchen* einander.\"\n\n"
                "![Schülerinnen in der Werkstatt](images/werkstatt-2.jpg \"Praxistag\")\n\n"
                "Mehr im [Bildungsbericht](../2026-2/bildungsbericht.html) und bei "
                "[der Agentur](https://www.arbeitsagentur.de/).\n\n"
                "# Zwischentitel\n\nAm 3. Mai geht es weiter.\n");

    a = add_article(e1, "sicher-im-netz", "Sicher im Netz");
    a->authors = list(&a->nauthors, "Team Medienbildung", NULL, NULL);
    a->date = (jr_date){2026, 3, 20};
    a->section = S("qualitaet");
    a->summary = S("Ein Text\x01 mit Steuerzeichen.");
    a->tags = list(&a->ntags, "Medien", NULL, NULL);
    set_body(
        a, "Medienkompetenz beginnt in der Grundschule.\n\n"
           "<script>alert(1)</script>\n\n"
           "<p onclick=\"x()\">Ein Absatz mit Klick.</p>\n\n"
           "Ein <a href=\"javascript:alert(1)\">böser Link</a> und "
           "[noch einer](javascript:alert(2)) und <a href=\" JaVa\tScRiPt:alert(3)\">drei</a>.\n\n"
           "<iframe src=\"https://evil.example/\">gerahmt</iframe>\n\n"
           "<img src=\"data:image/png;base64,AAAA\" alt=\"daten\"> "
           "<img src=\"images/ok.png\" alt=\"Erlaubtes Bild\" onerror=\"x()\">\n\n"
           "Ein Steuerzeichen\x0b im Text.\n\n"
           "<style>body{display:none}</style><object data=\"x.swf\"></object>"
           "<embed src=\"x.swf\"><form action=\"https://evil.example/\"><input></form>\n\n"
           "Erlaubt: <sup>2</sup> und <em lang=\"en\">emphasis</em>.\n");

    /* Edition 2 in winter time (+01:00). */
    jr_edition *e2 = add_edition(j, "2026-2", 2, 2026, (jr_date){2026, 11, 16}, "Digitale Bildung");
    a = add_article(e2, "editorial", "Liebe Leserinnen und Leser");
    a->authors = list(&a->nauthors, "Henrike Marquardt", NULL, NULL);
    a->date = (jr_date){2026, 11, 16};
    a->editorial = true;
    a->summary = S("Das Editorial zur zweiten Ausgabe.");
    set_body(a, "Willkommen zur zweiten Ausgabe.\n");
    a = add_article(e2, "tablets-im-unterricht", "Tablets im Unterricht");
    a->authors = list(&a->nauthors, "Lena Schröder", "Ole Hansen", "Mira Yilmaz");
    a->date = (jr_date){2026, 11, 16};
    a->section = S("qualitaet");
    a->summary = S("Drei Schulen berichten.");
    a->tags = list(&a->ntags, "Digitalisierung", "Schule", "Unterricht");
    set_body(a, "Seit einem Jahr arbeiten die Klassen mit Tablets.\n\n"
                "> Ein Zitat mit \"Anführungszeichen\".\n\n- eins\n- zwei\n");
    a = add_article(e2, "english-summary", "Stade's schools & 'digital' learning: a summary");
    a->authors = list(&a->nauthors, "Sam Taylor", NULL, NULL);
    a->date = (jr_date){2026, 11, 10};
    a->section = S("uebergaenge");
    a->lang = S("en");
    a->summary = S("An English summary of the edition.");
    set_body(a, "This edition is about \"digital\" learning.\n");

    if (extra) {
        jr_edition *e3 = add_edition(j, "2027-1", 1, 2027, (jr_date){2027, 3, 1}, "Ganztag");
        a = add_article(e3, "ganztag", "Ganztag für alle");
        a->authors = list(&a->nauthors, "Paul Meyer", NULL, NULL);
        a->date = (jr_date){2027, 3, 1};
        a->section = S("qualitaet");
        a->summary = S("Der Rechtsanspruch kommt.");
        set_body(a, "Ab August gilt der Rechtsanspruch.\n");
    }
    return j;
}

/* ---- expected.json -------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    /* As given, control characters included: the checker works out itself
     * what a feed can carry. */
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_kv(FILE *f, const char *k, const char *v, bool comma)
{
    json_str(f, k);
    fputc(':', f);
    json_str(f, v);
    if (comma)
        fputc(',', f);
}

/* The first sentence of the body (a line of plain text), for "content
 * contains" checks. */
static char *first_sentence(const char *body)
{
    if (!body)
        return NULL;
    const char *p = body;
    while (*p == '\n' || *p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    char *s = jr_xstrndup(p, n);
    /* only plain prose: stop at Markdown or quote characters */
    size_t k = strcspn(s, "*_[]<>`\"'&#!");
    s[k] = '\0';
    if (k < 12) {
        free(s);
        return NULL;
    }
    return s;
}

static void write_expected(const jr_journal *j, const jr_feed_options *opt, const char *out)
{
    char *path = jr_path_join(out, "expected.json");
    FILE *f = fopen(path, "w");
    free(path);
    if (!f)
        exit(1);
    fputs("{", f);
    json_kv(f, "title", j->title, true);
    json_kv(f, "subtitle", j->subtitle, true);
    json_kv(f, "base_url", j->base_url, true);
    json_kv(f, "language", j->language, true);
    json_kv(f, "publisher", j->publisher, true);
    json_kv(f, "email", j->contact.email, true);
    json_kv(f, "copyright", j->copyright, true);
    fprintf(f, "\"feed_entries\":%d,\"entries\":[", j->feed_entries > 0 ? j->feed_entries : 20);
    bool first = true;
    for (size_t ei = 0; ei < j->neditions; ei++) {
        const jr_edition *e = &j->editions[ei];
        char *pdf = jr_edition_pdf_url(j, opt, ei);
        char len[32];
        snprintf(len, sizeof len, "%lld", jr_edition_pdf_size(opt, ei));
        for (size_t ai = 0; ai <= e->narticles; ai++) {
            const jr_article *a = ai < e->narticles ? &e->articles[ai] : NULL;
            jr_date d = jr_article_date(e, a);
            char ds[16];
            jr_date_format(&d, ds);
            char *id = a ? jr_article_id(j, e, a) : jr_edition_id(j, e);
            char *title = a ? jr_xstrdup(a->title) : jr_edition_title(j, e);
            char *link = a ? jr_article_url(j, e, a) : jr_edition_url(j, e);
            if (!first)
                fputc(',', f);
            first = false;
            fputs("{", f);
            json_kv(f, "kind", a ? "article" : "edition", true);
            json_kv(f, "edition", e->id, true);
            json_kv(f, "id", id, true);
            json_kv(f, "title", title, true);
            json_kv(f, "date", ds, true);
            json_kv(f, "link", link, true);
            json_kv(f, "summary", a ? a->summary : e->theme, true);
            char *sentence = a ? first_sentence(a->body) : NULL;
            json_kv(f, "sentence", sentence ? sentence : (a ? NULL : e->theme), true);
            free(sentence);
            char *page = a ? jr_xasprintf("%s/%s.html", e->id, a->slug) : NULL;
            json_kv(f, "page", page, true);
            free(page);
            json_kv(f, "enclosure", pdf, true);
            json_kv(f, "enclosure_length", len, true);
            json_kv(f, "lang", a && a->lang ? a->lang : j->language, true);
            fputs("\"authors\":[", f);
            for (size_t k = 0; a && k < a->nauthors; k++) {
                if (k)
                    fputc(',', f);
                json_str(f, a->authors[k]);
            }
            if (!a && j->publisher) /* an edition is the publisher's */
                json_str(f, j->publisher);
            fputs("],\"atom_terms\":[", f);
            const jr_section *sec = a ? jr_journal_section(j, a->section) : NULL;
            bool c1 = false;
            if (a && a->section) {
                json_str(f, a->section);
                c1 = true;
            }
            for (size_t k = 0; a && k < a->ntags; k++) {
                if (c1)
                    fputc(',', f);
                json_str(f, a->tags[k]);
                c1 = true;
            }
            fputs("],\"rss_terms\":[", f);
            c1 = false;
            if (a && a->section) {
                json_str(f, sec ? sec->title : a->section);
                c1 = true;
            }
            for (size_t k = 0; a && k < a->ntags; k++) {
                if (c1)
                    fputc(',', f);
                json_str(f, a->tags[k]);
                c1 = true;
            }
            fputs("],\"section_label\":", f);
            json_str(f, sec ? sec->title : NULL);
            fputs("}", f);
            free(id);
            free(title);
            free(link);
        }
        free(pdf);
    }
    fputs("]}\n", f);
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: feed_fixture OUT [--entries N] [--extra] [--content DIR]\n");
        return 2;
    }
    /* The environment's locale, so that a test can check that no number or
     * date in the output depends on it (LC_ALL=de_DE.UTF-8: decimal comma). */
    setlocale(LC_ALL, "");
    const char *out = argv[1];
    int entries = -1;
    bool extra = false, bare = false;
    const char *content = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--entries") == 0 && i + 1 < argc)
            entries = atoi(argv[++i]);
        else if (strcmp(argv[i], "--extra") == 0)
            extra = true;
        else if (strcmp(argv[i], "--bare") == 0)
            bare = true;
        else if (strcmp(argv[i], "--content") == 0 && i + 1 < argc)
            content = argv[++i];
    }
    jr_mkdir_p(out);
    char *dpath = jr_path_join(out, "diagnostics.txt");
    FILE *df = fopen(dpath, "w");
    free(dpath);
    jr_diag_set_output(df);

    jr_journal *j = content ? jr_content_load(content) : bare ? build_bare() : build(extra);
    if (!j) {
        fprintf(stderr, "feed_fixture: cannot load %s\n", content);
        return 1;
    }
    if (entries >= 0)
        j->feed_entries = entries;

    /* PDF names and sizes as the build gives them. */
    const char **names = jr_xcalloc(j->neditions + 1, sizeof *names);
    long long *sizes = jr_xcalloc(j->neditions + 1, sizeof *sizes);
    for (size_t i = 0; i < j->neditions; i++) {
        names[i] = jr_xasprintf("%s-%s.pdf", j->slug ? j->slug : "journal", j->editions[i].id);
        sizes[i] = 1234567 + 1000 * (long long)i;
    }
    jr_feed_options opt = {out, 1795000000LL, names, sizes};

    int rc = 0;
    char *p = jr_path_join(out, "atom.xml");
    rc |= jr_feed_write_atom(j, &opt, p);
    free(p);
    p = jr_path_join(out, "rss.xml");
    rc |= jr_feed_write_rss(j, &opt, p);
    free(p);
    p = jr_path_join(out, "index.html");
    rc |= jr_html_write_index(j, &opt, p);
    free(p);
    for (size_t i = 0; i < j->neditions; i++) {
        const jr_edition *e = &j->editions[i];
        for (size_t k = 0; k < e->narticles; k++) {
            char *page = jr_xasprintf("%s/%s/%s.html", out, e->id, e->articles[k].slug);
            rc |= jr_html_write_article(j, e, &e->articles[k], &opt, page);
            free(page);
        }
    }
    write_expected(j, &opt, out);
    for (size_t i = 0; i < j->neditions; i++)
        free((char *)names[i]);
    free(names);
    free(sizes);
    jr_journal_free(j);
    if (df)
        fclose(df);
    return rc ? 1 : 0;
}
