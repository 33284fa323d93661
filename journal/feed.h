/* feed.h: the feed and HTML back ends (libxml2). Atom 1.0 (RFC 4287) and
 * RSS 2.0 across all editions, an HTML page per article and an index. Raw
 * HTML from Markdown is sanitised; characters not allowed in XML are
 * removed with a warning.
 *
 * Feeds: one entry per article and per edition, newest first, at most
 * journal->feed_entries (20 when not set). Ids are tag URIs,
 * tag:<host of base_url>,<YYYY-MM-DD>:<edition>/<slug>, stable across
 * rebuilds and new editions. Dates are 08:00 Europe/Berlin on the day.
 * Article bodies go in full (cmark, typography, sanitised, links absolute
 * against base_url); front-matter text (titles, summaries) goes as written.
 * Pages: images are referenced as in the source, relative to the edition
 * folder (out/<edition>/images/...), and the PDF by opt->pdf_names. Output
 * depends only on the model and opt (same input, same bytes). */
#ifndef JOURNAL_FEED_H
#define JOURNAL_FEED_H

#include "model.h"

typedef struct jr_feed_options {
    const char *out_dir; /* where atom.xml, rss.xml, index.html and <edition>/ go */
    long long now;       /* build time (SOURCE_DATE_EPOCH), for lastBuildDate */
    /* PDF of each edition, for enclosures: file name relative to out/<edition>/
     * and its size in bytes, indexed like journal->editions (size 0: none). */
    const char *const *pdf_names;
    const long long *pdf_sizes;
} jr_feed_options;

/* Each returns 0, or -1 after reporting an error. `path` is the file to
 * write (a temporary name; see jr_output); its folder is created if needed. */
int jr_feed_write_atom(const jr_journal *j, const jr_feed_options *opt, const char *path);
int jr_feed_write_rss(const jr_journal *j, const jr_feed_options *opt, const char *path);
int jr_html_write_article(const jr_journal *j, const jr_edition *e, const jr_article *a,
                          const jr_feed_options *opt, const char *path);
int jr_html_write_index(const jr_journal *j, const jr_feed_options *opt, const char *path);

/* A string with characters not allowed in XML (or unsafe HTML) is reported
 * once per source file, line and character, although it goes into several
 * outputs. After jr_diag_reset (a new build in watch mode) the warnings are
 * given again by themselves; this forgets them explicitly. */
void jr_feed_forget_warnings(void);

/* Render the bodies of every article's page on other threads while the
 * caller goes on (the layout and the PDFs need none of them): start after
 * the articles are parsed, wait before the first feed or page is written,
 * and before the journal is freed. The pages then take their bodies, with
 * their warnings in the usual order. Waiting when nothing was started does
 * nothing. */
void jr_web_prefetch_start(const jr_journal *j);
void jr_web_prefetch_wait(void);

#endif
