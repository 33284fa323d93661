/* feed_int.h: internals shared by the feed and HTML back ends (feed.c,
 * html.c, sanitize.c). Not for other stages: only these files include
 * libxml2 headers.
 *
 * sanitize.c: every string is cleaned of characters XML 1.0 does not allow
 * before it is written (with a warning naming the source file and line), and
 * article bodies are rendered by cmark and passed through an allow-list
 * sanitiser built on libxml2's HTML parser.
 * feed.c: dates (Europe/Berlin), URLs and ids used by both back ends. */
#ifndef JOURNAL_FEED_INT_H
#define JOURNAL_FEED_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "feed.h"
#include "model.h"
#include "util.h"

/* ---- sanitize.c ---------------------------------------------------------- */

/* Where a string comes from, for warnings: file, line (0: unknown) and what
 * it is ("title", "summary"). */
typedef struct jr_src {
    const char *path;
    int line;
    const char *what;
} jr_src;

/* A copy of `s` without the characters XML 1.0 does not allow (C0 controls
 * other than tab, LF and CR; U+FFFE, U+FFFF; invalid UTF-8, surrogates
 * included). Each removal is reported once per file, line and character
 * (again after jr_diag_reset), as the same string goes into several
 * outputs. For multi-line
 * text (an article body) `src->line` is the line of the first line, and the
 * reported line is the line of the character. NULL stays NULL. Caller frees. */
char *jr_xml_clean(const char *s, const jr_src *src);
/* jr_xml_clean, then escaped as character data the way
 * xmlTextWriterWriteString escapes it (& < > " and CR). */
char *jr_xml_text(const char *s, const jr_src *src);
void jr_xml_text_put(jr_buf *b, const char *s, const jr_src *src); /* appended to b */
/* jr_article_body_html(j, a, page_url) as jr_xml_text makes it (made
 * ahead with the feeds' bodies when it can be). */
char *jr_article_body_xml(const jr_journal *j, const jr_article *a, const char *page_url);
/* The same without warnings (for text that was cleaned before). */
char *jr_xml_clean_quiet(const char *s, size_t len);

/* Sanitise an HTML fragment: keep allow-listed elements and attributes,
 * drop script/style/iframe/object/embed/form and the like with their
 * content, unwrap other elements, drop on* attributes and URLs with schemes
 * other than http, https, mailto (links only). Relative URLs are resolved
 * against `base` when it is not NULL. Headings are moved down by
 * `heading_shift` levels (at most h6). A paragraph holding only an image
 * with a title becomes a figure with that title as caption (`figures`:
 * JR_FIG_HTML5 <figure>/<figcaption>, JR_FIG_DIV <div class="figure"> and
 * <p class="caption">, JR_FIG_NONE leaves it). The tree walk is iterative;
 * elements nested deeper than JR_HTML_MAX_NEST are unwrapped (their text is
 * kept). `why` (may be NULL) receives a short description of the first
 * unsafe thing removed, or "" when nothing unsafe was found. Caller frees. */
#define JR_HTML_MAX_NEST 64
enum { JR_FIG_NONE = 0, JR_FIG_HTML5 = 1, JR_FIG_DIV = 2 };
char *jr_html_sanitize(const char *html, size_t len, const char *base, int heading_shift,
                       int figures, char *why, size_t whylen);

/* 1 if `url` may be written into a page: relative, or scheme http/https (and
 * mailto when allow_mailto). Whitespace and control characters are ignored
 * for the check, and case does not matter. */
bool jr_url_is_safe(const char *url, bool allow_mailto);

/* `url` resolved against `base` (RFC 3986); a copy of url when base is NULL
 * or resolution fails. Caller frees. */
char *jr_url_resolve(const char *url, const char *base);

/* The article body as sanitised HTML: Markdown rendered by cmark, German (or
 * the article language's) typography on text, unsafe HTML removed with a
 * warning at its line, headings one level down (the page's h1 is the
 * title). Links and images are made absolute against `page_url` when it is
 * not NULL (feeds), else left relative to the article's page. Caller frees. */
char *jr_article_body_html(const jr_journal *j, const jr_article *a, const char *page_url);
/* The same, written one way (for tests that compare them): JR_BODY_ANY as
 * jr_article_body_html (directly from cmark's tree when the body has no raw
 * HTML, else through the sanitiser), JR_BODY_SANITIZED always through
 * cmark's HTML and the sanitiser, JR_BODY_DIRECT only directly (NULL when
 * the body cannot be written so). */
enum { JR_BODY_ANY, JR_BODY_SANITIZED, JR_BODY_DIRECT };
char *jr_article_body_html_how(const jr_journal *j, const jr_article *a, const char *page_url,
                               int how);
/* The body of an article's page (jr_article_body_html without page_url):
 * at the first page of a journal the bodies of all its pages are rendered
 * at once on all processors and kept, with their warnings, which are given
 * when the page takes its body (in the same order as without). Caller
 * frees. jr_html_prefetch(false) renders each body when asked (for tests
 * that compare both); it also drops what is kept. */
char *jr_article_page_body(const jr_journal *j, const jr_article *a);
void jr_html_prefetch(bool on);
/* The bodies of n articles for the feeds (absolute against urls[i]), made
 * ahead at once on all processors, with their pages' bodies; their
 * warnings are given when jr_article_body_html asks for each. */
/* The bodies of the feeds' entries made ahead (jr_feed_bodies_prepare),
 * as the feeds will ask for them; with their warnings, given when asked. */
void jr_feed_prefetch(const jr_journal *j);
void jr_feed_bodies_prepare(const jr_journal *j, const jr_article *const *a,
                            const char *const *urls, size_t n);

/* Append `s` escaped for HTML/XML text or a double-quoted attribute value
 * (& < > " '), without the characters XML does not allow. */
void jr_html_escape(jr_buf *b, const char *s);

/* ---- feed.c: dates, URLs, ids ---------------------------------------------- */

/* Articles and editions carry a date only; feeds give them this local time
 * in Europe/Berlin. */
#define JR_FEED_HOUR 8

/* UTC offset of Europe/Berlin in minutes (60 or 120) at JR_FEED_HOUR local
 * time on date `d` (EU rule: summer time from the last Sunday of March to
 * the last Sunday of October). */
int jr_berlin_offset(const jr_date *d);
/* "2026-11-16T08:00:00+01:00"; out holds 32 bytes. */
void jr_fmt_rfc3339(const jr_date *d, char *out);
/* "Mon, 16 Nov 2026 08:00:00 +0100"; out holds 40 bytes. */
void jr_fmt_rfc822(const jr_date *d, char *out);
/* A Unix time as RFC 822 in UTC: "Thu, 26 Nov 2026 04:00:00 +0000". */
void jr_fmt_rfc822_epoch(long long t, char *out);
/* "16. November 2026" (de) or "16 November 2026"; out holds 40 bytes. */
void jr_fmt_date_long(const jr_date *d, const char *lang, char *out);
/* A file size for people: "850 kB", "2,4 MB" (German decimal comma when
 * lang is German). out holds 32 bytes. */
void jr_fmt_size(long long bytes, const char *lang, char *out);
bool jr_lang_is_german(const char *lang);

/* base_url or "" (never NULL). */
const char *jr_base(const jr_journal *j);
/* The date an article or edition stands under in feeds (falls back to the
 * edition's date, then 1 January of its year). */
jr_date jr_article_date(const jr_edition *e, const jr_article *a);
jr_date jr_edition_date(const jr_edition *e);
/* URLs (caller frees): <base><edition>/<slug>.html, the edition's PDF (NULL
 * when opt gives none), the index anchor of an edition. */
char *jr_article_url(const jr_journal *j, const jr_edition *e, const jr_article *a);
char *jr_edition_url(const jr_journal *j, const jr_edition *e);
/* One path segment percent-encoded (all but A-Z a-z 0-9 - . _ ~). */
char *jr_url_segment(const char *s);
char *jr_edition_pdf_url(const jr_journal *j, const jr_feed_options *opt, size_t ei);
long long jr_edition_pdf_size(const jr_feed_options *opt, size_t ei);
char *jr_edition_pdf_name(const jr_journal *j, const jr_feed_options *opt, size_t ei);
/* Stable ids: tag:<host>,<YYYY-MM-DD>:<edition>/<slug> and
 * tag:<host>,<YYYY-MM-DD>:<edition>. Caller frees. */
char *jr_article_id(const jr_journal *j, const jr_edition *e, const jr_article *a);
char *jr_edition_id(const jr_journal *j, const jr_edition *e);
/* "<journal title> <number>/<year>: <theme>". Caller frees. */
char *jr_edition_title(const jr_journal *j, const jr_edition *e);
/* Authors joined for people: "A, B und C" (de) / "A, B and C". Caller frees;
 * NULL when there are none. */
char *jr_authors_joined(const jr_article *a, const char *lang);

/* Write `len` bytes to `path` (creating its folder). 0, or -1 after
 * reporting JR_E_WRITE. */
int jr_write_bytes(const char *path, const char *data, size_t len);

#endif
