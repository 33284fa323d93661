/* feed.c: Atom 1.0 (RFC 4287) and RSS 2.0 feeds across all editions, written
 * with libxml2's xmlTextWriter into memory and then to the file.
 *
 * Entries: one per article and one per edition, newest first, at most
 * journal->feed_entries. Ids are tag URIs built from the host of base_url,
 * the date and the edition/slug, so they stay the same across rebuilds and
 * when editions are added. Dates carry the Europe/Berlin offset of their
 * day. Every string passes jr_xml_clean before the writer sees it. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/xmlwriter.h>

#include "diag.h"
#include "feed_int.h"
#include "util.h"

#ifndef JOURNAL_VERSION
#define JOURNAL_VERSION "0"
#endif

#define ATOM_NS        "http://www.w3.org/2005/Atom"
#define GENERATOR_NAME "journal"

/* ---- dates ---------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int weekday(long long days) /* 0 = Sunday */
{
    long long w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static long long last_sunday(int year, int month)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long long last = days_from_civil(year, month, mdays[month - 1]);
    return last - weekday(last);
}

int jr_berlin_offset(const jr_date *d)
{
    /* Summer time begins at 02:00 local on the last Sunday of March and ends
     * at 03:00 local on the last Sunday of October; JR_FEED_HOUR (08:00) on
     * either day already has the new offset. */
    long long day = days_from_civil(d->year, d->month, d->day);
    if (day >= last_sunday(d->year, 3) && day < last_sunday(d->year, 10))
        return 120;
    return 60;
}

void jr_fmt_rfc3339(const jr_date *d, char *out)
{
    unsigned off = (unsigned)jr_berlin_offset(d) % 1440u;
    snprintf(out, 32, "%04u-%02u-%02uT%02d:00:00+%02u:%02u", (unsigned)d->year % 10000u,
             (unsigned)d->month % 100u, (unsigned)d->day % 100u, JR_FEED_HOUR, off / 60u,
             off % 60u);
}

static const char *const wday_en[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const mon_en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void jr_fmt_rfc822(const jr_date *d, char *out)
{
    unsigned off = (unsigned)jr_berlin_offset(d) % 1440u;
    long long day = days_from_civil(d->year, d->month, d->day);
    int m = d->month >= 1 && d->month <= 12 ? d->month : 1;
    snprintf(out, 40, "%s, %02u %s %04u %02d:00:00 +%02u%02u", wday_en[weekday(day)],
             (unsigned)d->day % 100u, mon_en[m - 1], (unsigned)d->year % 10000u, JR_FEED_HOUR,
             off / 60u, off % 60u);
}

void jr_fmt_rfc822_epoch(long long t, char *out)
{
    long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    long long secs = t - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", wday_en[weekday(days)], d,
             mon_en[m - 1], y, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

bool jr_lang_is_german(const char *lang)
{
    return !lang || ((lang[0] == 'd' || lang[0] == 'D') && (lang[1] == 'e' || lang[1] == 'E') &&
                     (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_'));
}

void jr_fmt_date_long(const jr_date *d, const char *lang, char *out)
{
    static const char *const mon_de[] = {"Januar",    "Februar", "März",     "April",
                                         "Mai",       "Juni",    "Juli",     "August",
                                         "September", "Oktober", "November", "Dezember"};
    static const char *const mon_full_en[] = {"January",   "February", "March",    "April",
                                              "May",       "June",     "July",     "August",
                                              "September", "October",  "November", "December"};
    if (d->month < 1 || d->month > 12) {
        snprintf(out, 40, "%d", d->year);
        return;
    }
    if (jr_lang_is_german(lang))
        snprintf(out, 40, "%d. %s %d", d->day, mon_de[d->month - 1], d->year);
    else
        snprintf(out, 40, "%d %s %d", d->day, mon_full_en[d->month - 1], d->year);
}

void jr_fmt_size(long long bytes, const char *lang, char *out)
{
    char comma = jr_lang_is_german(lang) ? ',' : '.';
    if (bytes < 1000000) {
        long long kb = (bytes + 500) / 1000;
        snprintf(out, 32, "%lld kB", kb < 1 ? 1 : kb);
    } else {
        long long tenths = (bytes + 50000) / 100000; /* MB in tenths, rounded */
        snprintf(out, 32, "%lld%c%lld MB", tenths / 10, comma, tenths % 10);
    }
}

/* ---- ids and URLs ----------------------------------------------------------- */

const char *jr_base(const jr_journal *j)
{
    return j->base_url ? j->base_url : "";
}

jr_date jr_edition_date(const jr_edition *e)
{
    if (e->date.year > 0 && e->date.month > 0 && e->date.day > 0)
        return e->date;
    jr_date d = {e->year > 0 ? e->year : 1970, 1, 1};
    return d;
}

jr_date jr_article_date(const jr_edition *e, const jr_article *a)
{
    if (a && a->date.year > 0 && a->date.month > 0 && a->date.day > 0)
        return a->date;
    return jr_edition_date(e);
}

char *jr_url_segment(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    jr_buf b = {0};
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            jr_buf_putc(&b, (char)*p);
        } else {
            jr_buf_putc(&b, '%');
            jr_buf_putc(&b, hex[*p >> 4]);
            jr_buf_putc(&b, hex[*p & 15]);
        }
    }
    return b.data ? jr_buf_detach(&b) : jr_xstrdup("");
}

/* The host of base_url, for tag URIs (RFC 4151): no user, no port. */
static char *feed_host(const jr_journal *j)
{
    const char *u = jr_base(j);
    const char *p = strstr(u, "://");
    if (!p)
        return jr_xstrdup("localhost");
    p += 3;
    const char *at = p;
    while (*at && *at != '/' && *at != '@')
        at++;
    if (*at == '@')
        p = at + 1;
    size_t n = strcspn(p, ":/?#");
    if (n == 0)
        return jr_xstrdup("localhost");
    char *h = jr_xstrndup(p, n);
    for (char *c = h; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return h;
}

char *jr_article_id(const jr_journal *j, const jr_edition *e, const jr_article *a)
{
    char *host = feed_host(j);
    jr_date d = jr_article_date(e, a);
    char ds[16];
    jr_date_format(&d, ds);
    char *ed = jr_url_segment(e->id), *slug = jr_url_segment(a->slug ? a->slug : a->filename);
    char *id = jr_xasprintf("tag:%s,%s:%s/%s", host, ds, ed, slug);
    free(ed);
    free(slug);
    free(host);
    return id;
}

char *jr_edition_id(const jr_journal *j, const jr_edition *e)
{
    char *host = feed_host(j);
    jr_date d = jr_edition_date(e);
    char ds[16];
    jr_date_format(&d, ds);
    char *ed = jr_url_segment(e->id);
    char *id = jr_xasprintf("tag:%s,%s:%s", host, ds, ed);
    free(ed);
    free(host);
    return id;
}

static char *feed_id(const jr_journal *j)
{
    char *host = feed_host(j);
    int year = 1970;
    if (j->neditions > 0)
        year = jr_edition_date(&j->editions[0]).year;
    char *id = jr_xasprintf("tag:%s,%d:journal", host, year);
    free(host);
    return id;
}

char *jr_edition_url(const jr_journal *j, const jr_edition *e)
{
    char *ed = jr_url_segment(e->id);
    char *url = jr_xasprintf("%sindex.html#edition-%s", jr_base(j), ed);
    free(ed);
    return url;
}

char *jr_article_url(const jr_journal *j, const jr_edition *e, const jr_article *a)
{
    char *ed = jr_url_segment(e->id), *slug = jr_url_segment(a->slug ? a->slug : a->filename);
    char *url = jr_xasprintf("%s%s/%s.html", jr_base(j), ed, slug);
    free(ed);
    free(slug);
    return url;
}

long long jr_edition_pdf_size(const jr_feed_options *opt, size_t ei)
{
    if (!opt || !opt->pdf_sizes)
        return 0;
    return opt->pdf_sizes[ei];
}

char *jr_edition_pdf_name(const jr_journal *j, const jr_feed_options *opt, size_t ei)
{
    if (opt && opt->pdf_names && opt->pdf_names[ei])
        return jr_xstrdup(opt->pdf_names[ei]);
    return jr_xasprintf("%s-%s.pdf", j->slug ? j->slug : "journal", j->editions[ei].id);
}

char *jr_edition_pdf_url(const jr_journal *j, const jr_feed_options *opt, size_t ei)
{
    if (jr_edition_pdf_size(opt, ei) <= 0)
        return NULL;
    char *name = jr_edition_pdf_name(j, opt, ei);
    char *ed = jr_url_segment(j->editions[ei].id), *file = jr_url_segment(name);
    char *url = jr_xasprintf("%s%s/%s", jr_base(j), ed, file);
    free(ed);
    free(file);
    free(name);
    return url;
}

char *jr_edition_title(const jr_journal *j, const jr_edition *e)
{
    const char *t = j->title ? j->title : "";
    if (e->theme && *e->theme)
        return jr_xasprintf("%s %d/%d: %s", t, e->number, e->year, e->theme);
    return jr_xasprintf("%s %d/%d", t, e->number, e->year);
}

char *jr_authors_joined(const jr_article *a, const char *lang)
{
    if (a->nauthors == 0)
        return NULL;
    const char *and = jr_lang_is_german(lang) ? " und " : " and ";
    jr_buf b = {0};
    for (size_t i = 0; i < a->nauthors; i++) {
        if (i > 0)
            jr_buf_puts(&b, i + 1 == a->nauthors ? and : ", ");
        jr_buf_puts(&b, a->authors[i]);
    }
    return jr_buf_detach(&b);
}

int jr_write_bytes(const char *path, const char *data, size_t len)
{
    if (jr_output_write(path, data, len) != 0) {
        jr_diag(JR_E_WRITE, path, 0, 0, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- the entry list ----------------------------------------------------------- */

typedef struct entry {
    size_t ei; /* edition index */
    const jr_edition *e;
    const jr_article *a; /* NULL: the edition's own entry */
    size_t ai;
    jr_date date;
} entry;

static int entry_cmp(const void *pa, const void *pb)
{
    const entry *x = pa, *y = pb;
    int c = jr_date_compare(&y->date, &x->date); /* newest first */
    if (c)
        return c;
    if (x->ei != y->ei)
        return x->ei < y->ei ? 1 : -1; /* later edition first */
    if (!x->a != !y->a)
        return x->a ? 1 : -1; /* the edition before its articles */
    if (x->ai != y->ai)
        return x->ai < y->ai ? -1 : 1; /* then in the edition's order */
    return 0;
}

/* All entries sorted, cut to feed_entries. Caller frees. */
static entry *collect_entries(const jr_journal *j, size_t *n_out)
{
    size_t n = 0;
    for (size_t i = 0; i < j->neditions; i++)
        n += 1 + j->editions[i].narticles;
    entry *list = jr_xcalloc(n ? n : 1, sizeof *list);
    size_t k = 0;
    for (size_t i = 0; i < j->neditions; i++) {
        const jr_edition *e = &j->editions[i];
        list[k++] = (entry){i, e, NULL, 0, jr_edition_date(e)};
        for (size_t m = 0; m < e->narticles; m++)
            list[k++] = (entry){i, e, &e->articles[m], m, jr_article_date(e, &e->articles[m])};
    }
    qsort(list, n, sizeof *list, entry_cmp);
    size_t max = j->feed_entries > 0 ? (size_t)j->feed_entries : 20;
    *n_out = n < max ? n : max;
    return list;
}

/* The bodies of the entries' articles, made ahead on all processors (they
 * are the bulk of a feed's work). */
static void prepare_bodies(const jr_journal *j, const entry *list, size_t n)
{
    const jr_article **arts = jr_xcalloc(n ? n : 1, sizeof *arts);
    char **urls = jr_xcalloc(n ? n : 1, sizeof *urls);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!list[i].a)
            continue;
        arts[m] = list[i].a;
        urls[m++] = jr_article_url(j, list[i].e, list[i].a);
    }
    jr_feed_bodies_prepare(j, arts, (const char *const *)urls, m);
    for (size_t i = 0; i < m; i++)
        free(urls[i]);
    free(urls);
    free(arts);
}

void jr_feed_prefetch(const jr_journal *j)
{
    size_t n;
    entry *list = collect_entries(j, &n);
    prepare_bodies(j, list, n);
    free(list);
}

/* ---- a checked writer ------------------------------------------------------- */

typedef struct xw {
    xmlTextWriterPtr w;
    xmlBufferPtr buf;
    int err;
} xw;

static int xw_open(xw *x, bool indent)
{
    memset(x, 0, sizeof *x);
    x->buf = xmlBufferCreate();
    x->w = x->buf ? xmlNewTextWriterMemory(x->buf, 0) : NULL;
    if (!x->w) {
        jr_diag(JR_E_XML, NULL, 0, 0, "cannot create the writer");
        if (x->buf)
            xmlBufferFree(x->buf);
        return -1;
    }
    if (indent) {
        xmlTextWriterSetIndent(x->w, 1);
        xmlTextWriterSetIndentString(x->w, (const xmlChar *)"  ");
    }
    return 0;
}

static void xw_check(xw *x, int rc)
{
    if (rc < 0)
        x->err = 1;
}

static void xw_start(xw *x, const char *name)
{
    xw_check(x, xmlTextWriterStartElement(x->w, (const xmlChar *)name));
}

static void xw_end(xw *x)
{
    xw_check(x, xmlTextWriterEndElement(x->w));
}

/* Attribute from a string of ours (ASCII, known clean). */
static void xw_attr_raw(xw *x, const char *name, const char *value)
{
    xw_check(x, xmlTextWriterWriteAttribute(x->w, (const xmlChar *)name, (const xmlChar *)value));
}

/* Attribute from content: cleaned first. */
static void xw_attr(xw *x, const char *name, const char *value, const jr_src *src)
{
    char *c = jr_xml_clean(value ? value : "", src);
    xw_attr_raw(x, name, c);
    free(c);
}

/* Text in an element: what xmlTextWriterWriteString writes there (the
 * escapes of xmlEncodeSpecialChars: & < > " and CR, then raw), escaped
 * here in one pass (article bodies are long). */
static void xw_text(xw *x, const char *text, const jr_src *src)
{
    char *c = jr_xml_text(text ? text : "", src);
    xw_check(x, xmlTextWriterWriteRaw(x->w, (const xmlChar *)c));
    free(c);
}

/* Text escaped already (jr_xml_text). */
static void xw_escaped(xw *x, const char *text)
{
    xw_check(x, xmlTextWriterWriteRaw(x->w, (const xmlChar *)text));
}

static void xw_elem(xw *x, const char *name, const char *text, const jr_src *src)
{
    xw_start(x, name);
    xw_text(x, text, src);
    xw_end(x);
}

/* Finish the document and write the file. */
static int xw_close(xw *x, const char *path)
{
    xw_check(x, xmlTextWriterEndDocument(x->w));
    xmlFreeTextWriter(x->w);
    int rc = -1;
    if (x->err) {
        jr_diag(JR_E_XML, path, 0, 0, "writing failed");
    } else {
        rc = jr_write_bytes(path, (const char *)xmlBufferContent(x->buf),
                            (size_t)xmlBufferLength(x->buf));
    }
    xmlBufferFree(x->buf);
    return rc;
}

/* Sources for warnings. */
static jr_src src_art(const jr_article *a, jr_fm_key key, const char *what)
{
    jr_src s = {a->path, a->key_pos[key].line, what};
    return s;
}

static jr_src src_ed(const jr_edition *e, const char *what)
{
    jr_src s = {e->yaml_path, 0, what};
    return s;
}

static jr_src src_j(const jr_journal *j, const char *what)
{
    jr_src s = {j->yaml_path, 0, what};
    return s;
}

/* The edition's entry content: its theme and the list of its articles. */
static char *edition_html(const jr_journal *j, const jr_feed_options *opt, size_t ei)
{
    const jr_edition *e = &j->editions[ei];
    const char *lang = j->language;
    jr_buf b = {0};
    if (e->theme) {
        jr_buf_puts(&b, "<p>");
        jr_html_escape(&b, e->theme);
        jr_buf_puts(&b, "</p>\n");
    }
    if (e->narticles > 0)
        jr_buf_puts(&b, "<ul>\n");
    for (size_t i = 0; i < e->narticles; i++) {
        const jr_article *a = &e->articles[i];
        char *url = jr_article_url(j, e, a);
        jr_buf_puts(&b, "<li><a href=\"");
        jr_html_escape(&b, url);
        jr_buf_puts(&b, "\">");
        jr_html_escape(&b, a->title);
        jr_buf_puts(&b, "</a>");
        char *by = jr_authors_joined(a, lang);
        if (by) {
            jr_buf_puts(&b, jr_lang_is_german(lang) ? " – von " : " – by ");
            jr_html_escape(&b, by);
            free(by);
        }
        jr_buf_puts(&b, "</li>\n");
        free(url);
    }
    if (e->narticles > 0)
        jr_buf_puts(&b, "</ul>\n");
    char *pdf = jr_edition_pdf_url(j, opt, ei);
    if (pdf) {
        char size[32];
        jr_fmt_size(jr_edition_pdf_size(opt, ei), lang, size);
        jr_buf_puts(&b, "<p><a href=\"");
        jr_html_escape(&b, pdf);
        jr_buf_puts(&b, jr_lang_is_german(lang) ? "\">Ausgabe als PDF (" : "\">Edition as PDF (");
        jr_buf_puts(&b, size);
        jr_buf_puts(&b, ")</a></p>\n");
        free(pdf);
    }
    return jr_buf_detach(&b);
}

/* An article's full content for feeds: subtitle and lead image (with
 * caption and credit) before the body, so that readers show all of it. */
/* An entry's content: what stands before the body (subtitle, picture),
 * as HTML; the body comes escaped from jr_article_body_xml (made ahead). */
static char *content_head(const jr_article *a, const char *url)
{
    jr_buf b = {0};
    if (a->subtitle) {
        jr_buf_puts(&b, "<p><strong>");
        jr_html_escape(&b, a->subtitle);
        jr_buf_puts(&b, "</strong></p>\n");
    }
    if (a->image && jr_url_is_safe(a->image, false)) {
        char *src = jr_url_resolve(a->image, url);
        jr_buf_puts(&b, "<figure><img src=\"");
        jr_html_escape(&b, src);
        jr_buf_puts(&b, "\" alt=\"");
        jr_html_escape(&b,
                       a->image_alt ? a->image_alt : (a->image_caption ? a->image_caption : ""));
        jr_buf_puts(&b, "\">");
        if (a->image_caption || a->image_credit) {
            jr_buf_puts(&b, "<figcaption>");
            jr_html_escape(&b, a->image_caption);
            if (a->image_caption && a->image_credit)
                jr_buf_puts(&b, " ");
            if (a->image_credit) {
                jr_buf_puts(&b, "(");
                jr_html_escape(&b, a->image_credit);
                jr_buf_puts(&b, ")");
            }
            jr_buf_puts(&b, "</figcaption>");
        }
        jr_buf_puts(&b, "</figure>\n");
        free(src);
    }
    return b.data ? jr_buf_detach(&b) : jr_xstrdup("");
}

/* The content of an article's entry, escaped as text of the element open. */
static void content_text(xw *x, const jr_journal *j, const jr_article *a, const char *url)
{
    char *head = content_head(a, url);
    char *body = jr_article_body_xml(j, a, url);
    xw_text(x, head, NULL);
    xw_escaped(x, body);
    free(body);
    free(head);
}

static const char *article_lang(const jr_journal *j, const jr_article *a)
{
    return a && a->lang ? a->lang : (j->language ? j->language : "de");
}

/* ---- Atom ----------------------------------------------------------------- */

static void atom_link(xw *x, const char *rel, const char *type, const char *href)
{
    xw_start(x, "link");
    xw_attr_raw(x, "rel", rel);
    if (type)
        xw_attr_raw(x, "type", type);
    xw_attr(x, "href", href, NULL);
    xw_end(x);
}

static void atom_enclosure(xw *x, const jr_journal *j, const jr_feed_options *opt, size_t ei)
{
    char *pdf = jr_edition_pdf_url(j, opt, ei);
    if (!pdf)
        return;
    char len[32];
    snprintf(len, sizeof len, "%lld", jr_edition_pdf_size(opt, ei));
    xw_start(x, "link");
    xw_attr_raw(x, "rel", "enclosure");
    xw_attr_raw(x, "type", "application/pdf");
    xw_attr_raw(x, "length", len);
    xw_attr(x, "href", pdf, NULL);
    xw_end(x);
    free(pdf);
}

static void atom_entry(xw *x, const jr_journal *j, const jr_feed_options *opt, const entry *en)
{
    const jr_edition *e = en->e;
    const jr_article *a = en->a;
    char date[32];
    jr_fmt_rfc3339(&en->date, date);
    xw_start(x, "entry");
    if (a) {
        const char *lang = article_lang(j, a);
        if (j->language && strcmp(lang, j->language) != 0)
            xw_attr(x, "xml:lang", lang, NULL);
        char *id = jr_article_id(j, e, a);
        char *url = jr_article_url(j, e, a);
        jr_src s = src_art(a, JR_FM_TITLE, "title");
        xw_elem(x, "id", id, NULL);
        xw_start(x, "title");
        xw_attr_raw(x, "type", "text");
        xw_text(x, a->title, &s);
        xw_end(x);
        xw_elem(x, "published", date, NULL);
        xw_elem(x, "updated", date, NULL);
        for (size_t i = 0; i < a->nauthors; i++) {
            jr_src sa = src_art(a, JR_FM_AUTHOR, "author");
            xw_start(x, "author");
            xw_elem(x, "name", a->authors[i], &sa);
            xw_end(x);
        }
        const jr_section *sec = jr_journal_section(j, a->section);
        if (a->section) {
            jr_src ss = src_art(a, JR_FM_SECTION, "section");
            xw_start(x, "category");
            xw_attr(x, "term", a->section, &ss);
            if (j->base_url)
                xw_attr(x, "scheme", j->base_url, NULL);
            if (sec && sec->title)
                xw_attr(x, "label", sec->title, NULL);
            xw_end(x);
        }
        for (size_t i = 0; i < a->ntags; i++) {
            jr_src st = src_art(a, JR_FM_TAGS, "tag");
            xw_start(x, "category");
            xw_attr(x, "term", a->tags[i], &st);
            xw_end(x);
        }
        atom_link(x, "alternate", "text/html", url);
        atom_enclosure(x, j, opt, en->ei);
        if (a->summary) {
            jr_src sm = src_art(a, JR_FM_SUMMARY, "summary");
            xw_start(x, "summary");
            xw_attr_raw(x, "type", "text");
            xw_text(x, a->summary, &sm);
            xw_end(x);
        }
        xw_start(x, "content");
        xw_attr_raw(x, "type", "html");
        content_text(x, j, a, url);
        xw_end(x);
        free(id);
        free(url);
    } else {
        char *id = jr_edition_id(j, e);
        char *title = jr_edition_title(j, e);
        char *url = jr_edition_url(j, e);
        jr_src se = src_ed(e, "edition");
        xw_elem(x, "id", id, NULL);
        xw_start(x, "title");
        xw_attr_raw(x, "type", "text");
        xw_text(x, title, &se);
        xw_end(x);
        xw_elem(x, "published", date, NULL);
        xw_elem(x, "updated", date, NULL);
        /* Readers such as newsboat do not fall back to the feed's author. */
        if (j->publisher) {
            jr_src sj = src_j(j, "publisher");
            xw_start(x, "author");
            xw_elem(x, "name", j->publisher, &sj);
            xw_end(x);
        }
        atom_link(x, "alternate", "text/html", url);
        atom_enclosure(x, j, opt, en->ei);
        if (e->theme) {
            xw_start(x, "summary");
            xw_attr_raw(x, "type", "text");
            xw_text(x, e->theme, &se);
            xw_end(x);
        }
        char *html = edition_html(j, opt, en->ei);
        xw_start(x, "content");
        xw_attr_raw(x, "type", "html");
        xw_text(x, html, NULL);
        xw_end(x);
        free(html);
        free(id);
        free(title);
        free(url);
    }
    xw_end(x);
}

int jr_feed_write_atom(const jr_journal *j, const jr_feed_options *opt, const char *path)
{
    xw x;
    if (xw_open(&x, true) < 0)
        return -1;
    size_t n;
    entry *list = collect_entries(j, &n);
    prepare_bodies(j, list, n);
    jr_src sj = src_j(j, "journal");
    const char *base = jr_base(j);

    xw_check(&x, xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL));
    xw_start(&x, "feed");
    xw_attr_raw(&x, "xmlns", ATOM_NS);
    xw_attr(&x, "xml:lang", j->language ? j->language : "de", &sj);
    char *id = feed_id(j);
    xw_elem(&x, "id", id, NULL);
    free(id);
    xw_start(&x, "title");
    xw_attr_raw(&x, "type", "text");
    xw_text(&x, j->title, &sj);
    xw_end(&x);
    if (j->subtitle) {
        xw_start(&x, "subtitle");
        xw_attr_raw(&x, "type", "text");
        xw_text(&x, j->subtitle, &sj);
        xw_end(&x);
    }
    char date[32];
    if (n > 0) {
        jr_fmt_rfc3339(&list[0].date, date);
    } else {
        jr_date d0 = {1970, 1, 1};
        jr_fmt_rfc3339(&d0, date);
    }
    xw_elem(&x, "updated", date, NULL);
    char *self = jr_xasprintf("%satom.xml", base);
    atom_link(&x, "self", "application/atom+xml", self);
    free(self);
    atom_link(&x, "alternate", "text/html", *base ? base : "index.html");
    char *rss = jr_xasprintf("%srss.xml", base);
    atom_link(&x, "alternate", "application/rss+xml", rss);
    free(rss);
    xw_start(&x, "author");
    xw_elem(&x, "name", j->publisher ? j->publisher : (j->title ? j->title : ""), &sj);
    if (j->contact.email)
        xw_elem(&x, "email", j->contact.email, &sj);
    if (j->base_url)
        xw_elem(&x, "uri", j->base_url, &sj);
    xw_end(&x);
    if (j->copyright) {
        xw_start(&x, "rights");
        xw_attr_raw(&x, "type", "text");
        xw_text(&x, j->copyright, &sj);
        xw_end(&x);
    }
    xw_start(&x, "generator");
#ifdef JOURNAL_HOMEPAGE /* the project's web address, once it has one */
    xw_attr_raw(&x, "uri", JOURNAL_HOMEPAGE);
#endif
    xw_attr_raw(&x, "version", JOURNAL_VERSION);
    xw_text(&x, GENERATOR_NAME, NULL);
    xw_end(&x);
    if (j->icon) {
        char *u = jr_url_resolve(j->icon, j->base_url);
        xw_elem(&x, "icon", u, &sj);
        free(u);
    }
    if (j->logo) {
        char *u = jr_url_resolve(j->logo, j->base_url);
        xw_elem(&x, "logo", u, &sj);
        free(u);
    }
    for (size_t i = 0; i < n; i++)
        atom_entry(&x, j, opt, &list[i]);
    xw_end(&x);
    free(list);
    return xw_close(&x, path);
}

/* ---- RSS 2.0 ---------------------------------------------------------------- */

/* RSS readers take description and content:encoded as HTML; the summary is
 * plain text, so it is escaped once more. */
static void rss_html_text(xw *x, const char *name, const char *plain, const jr_src *src)
{
    char *c = jr_xml_clean(plain, src);
    jr_buf b = {0};
    jr_html_escape(&b, c);
    xw_elem(x, name, b.data ? b.data : "", NULL);
    jr_buf_free(&b);
    free(c);
}

static void rss_enclosure(xw *x, const jr_journal *j, const jr_feed_options *opt, size_t ei)
{
    char *pdf = jr_edition_pdf_url(j, opt, ei);
    if (!pdf)
        return;
    char len[32];
    snprintf(len, sizeof len, "%lld", jr_edition_pdf_size(opt, ei));
    xw_start(x, "enclosure");
    xw_attr(x, "url", pdf, NULL);
    xw_attr_raw(x, "length", len);
    xw_attr_raw(x, "type", "application/pdf");
    xw_end(x);
    free(pdf);
}

static void rss_item(xw *x, const jr_journal *j, const jr_feed_options *opt, const entry *en)
{
    const jr_edition *e = en->e;
    const jr_article *a = en->a;
    char date[40];
    jr_fmt_rfc822(&en->date, date);
    xw_start(x, "item");
    if (a) {
        char *id = jr_article_id(j, e, a);
        char *url = jr_article_url(j, e, a);
        jr_src s = src_art(a, JR_FM_TITLE, "title");
        xw_elem(x, "title", a->title, &s);
        xw_elem(x, "link", url, NULL);
        xw_start(x, "guid");
        xw_attr_raw(x, "isPermaLink", "false");
        xw_text(x, id, NULL);
        xw_end(x);
        xw_elem(x, "pubDate", date, NULL);
        for (size_t i = 0; i < a->nauthors; i++) {
            jr_src sa = src_art(a, JR_FM_AUTHOR, "author");
            xw_elem(x, "dc:creator", a->authors[i], &sa);
        }
        const jr_section *sec = jr_journal_section(j, a->section);
        if (a->section) {
            jr_src ss = src_art(a, JR_FM_SECTION, "section");
            xw_start(x, "category");
            if (j->base_url)
                xw_attr(x, "domain", j->base_url, NULL);
            xw_text(x, sec && sec->title ? sec->title : a->section, &ss);
            xw_end(x);
        }
        for (size_t i = 0; i < a->ntags; i++) {
            jr_src st = src_art(a, JR_FM_TAGS, "tag");
            xw_elem(x, "category", a->tags[i], &st);
        }
        if (a->summary) {
            jr_src sm = src_art(a, JR_FM_SUMMARY, "summary");
            rss_html_text(x, "description", a->summary, &sm);
        }
        xw_start(x, "content:encoded");
        content_text(x, j, a, url);
        xw_end(x);
        rss_enclosure(x, j, opt, en->ei);
        free(id);
        free(url);
    } else {
        char *id = jr_edition_id(j, e);
        char *title = jr_edition_title(j, e);
        char *url = jr_edition_url(j, e);
        jr_src se = src_ed(e, "edition");
        xw_elem(x, "title", title, &se);
        xw_elem(x, "link", url, NULL);
        xw_start(x, "guid");
        xw_attr_raw(x, "isPermaLink", "false");
        xw_text(x, id, NULL);
        xw_end(x);
        xw_elem(x, "pubDate", date, NULL);
        if (j->publisher) {
            jr_src sj = src_j(j, "publisher");
            xw_elem(x, "dc:creator", j->publisher, &sj);
        }
        if (e->theme)
            rss_html_text(x, "description", e->theme, &se);
        char *html = edition_html(j, opt, en->ei);
        xw_elem(x, "content:encoded", html, NULL);
        free(html);
        rss_enclosure(x, j, opt, en->ei);
        free(id);
        free(title);
        free(url);
    }
    xw_end(x);
}

int jr_feed_write_rss(const jr_journal *j, const jr_feed_options *opt, const char *path)
{
    xw x;
    if (xw_open(&x, true) < 0)
        return -1;
    size_t n;
    entry *list = collect_entries(j, &n);
    prepare_bodies(j, list, n);
    jr_src sj = src_j(j, "journal");
    const char *base = jr_base(j);

    xw_check(&x, xmlTextWriterStartDocument(x.w, "1.0", "UTF-8", NULL));
    xw_start(&x, "rss");
    xw_attr_raw(&x, "version", "2.0");
    xw_attr_raw(&x, "xmlns:atom", ATOM_NS);
    xw_attr_raw(&x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
    xw_attr_raw(&x, "xmlns:content", "http://purl.org/rss/1.0/modules/content/");
    xw_start(&x, "channel");
    xw_elem(&x, "title", j->title, &sj);
    xw_elem(&x, "link", *base ? base : "index.html", &sj);
    xw_elem(&x, "description", j->subtitle ? j->subtitle : (j->title ? j->title : ""), &sj);
    xw_elem(&x, "language", j->language ? j->language : "de", &sj);
    if (j->copyright)
        xw_elem(&x, "copyright", j->copyright, &sj);
    if (j->contact.email) {
        /* RSS wants "address (name)" */
        const char *who = j->editor ? j->editor : (j->publisher ? j->publisher : j->title);
        char *ed =
            who ? jr_xasprintf("%s (%s)", j->contact.email, who) : jr_xstrdup(j->contact.email);
        xw_elem(&x, "managingEditor", ed, &sj);
        free(ed);
    }
    char date[40];
    if (opt && opt->now) {
        jr_fmt_rfc822_epoch(opt->now, date);
    } else if (n > 0) {
        jr_fmt_rfc822(&list[0].date, date);
    } else {
        jr_fmt_rfc822_epoch(0, date);
    }
    xw_elem(&x, "lastBuildDate", date, NULL);
    if (n > 0) {
        jr_fmt_rfc822(&list[0].date, date);
        xw_elem(&x, "pubDate", date, NULL);
    }
    xw_start(&x, "atom:link");
    char *self = jr_xasprintf("%srss.xml", base);
    xw_attr(&x, "href", self, &sj);
    free(self);
    xw_attr_raw(&x, "rel", "self");
    xw_attr_raw(&x, "type", "application/rss+xml");
    xw_end(&x);
    xw_elem(&x, "generator", GENERATOR_NAME " " JOURNAL_VERSION, NULL);
    xw_elem(&x, "docs", "https://www.rssboard.org/rss-specification", NULL);
    if (j->logo) {
        char *u = jr_url_resolve(j->logo, j->base_url);
        xw_start(&x, "image");
        xw_elem(&x, "url", u, &sj);
        xw_elem(&x, "title", j->title, &sj);
        xw_elem(&x, "link", *base ? base : "index.html", &sj);
        xw_end(&x);
        free(u);
    }
    for (size_t i = 0; i < n; i++)
        rss_item(&x, j, opt, &list[i]);
    xw_end(&x);
    xw_end(&x);
    free(list);
    return xw_close(&x, path);
}
