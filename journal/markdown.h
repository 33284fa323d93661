/* markdown.h: CommonMark body -> document model (cmark), with typography
 * for the article's language: German quotes „…“ ‚…‘ (English “…” for en),
 * – — …, non-breaking spaces between numbers and units. Raw HTML is dropped
 * with a warning. Nesting is walked without recursion. */
#ifndef JOURNAL_MARKDOWN_H
#define JOURNAL_MARKDOWN_H

#include "model.h"

/* Parse a->body into a->doc, reporting with a->path and line numbers offset
 * by a->body_line. `lang` is the article's language (BCP 47). */
void jr_markdown_parse(jr_article *a, const char *lang);

/* Parse a Markdown string into a new document (for tests). */
jr_doc *jr_markdown_parse_string(const char *text, size_t len, const char *lang,
                                 const char *path, int first_line);

/* Typography on one piece of text (for tests): returns a new string. */
char *jr_typography(const char *text, const char *lang);

#endif
