/* content.h: the input stage. Reads a content folder: journal.yaml, one
 * folder per edition with edition.yaml, and the articles' front matter
 * (frontmatter.c), reporting every problem through diag.h and going on. */
#ifndef JOURNAL_CONTENT_H
#define JOURNAL_CONTENT_H

#include "model.h"

/* Read the content folder `root`. Returns the journal (never NULL unless the
 * folder or its journal.yaml cannot be read at all; then an error has been
 * reported). Problems in single files are reported and the rest is read.
 * Article bodies are kept as Markdown text; markdown.c parses them. */
jr_journal *jr_content_load(const char *root);

/* Read one article file (front matter and body) into `a`. Returns 0, or -1
 * when the article is unusable (an error was reported). */
int jr_article_read(jr_article *a /* OUT */, const char *path);

/* Parse front matter from a buffer (for tests and fuzzing): `path` is only
 * used in diagnostics. */
int jr_article_parse(jr_article *a /* OUT */, const char *path, const char *data, size_t len);

/* A file-name form of `s`: lower case a-z, 0-9 and single '-'; German
 * umlauts transliterated (ä -> ae, ß -> ss), other Latin letters lose their
 * accents ("Bildung im Blick" -> "bildung-im-blick"). Never empty ("x" when
 * nothing is left). Caller frees. */
char *jr_slugify(const char *s);

/* true when s is a valid slug: non-empty, only a-z, 0-9 and '-'. */
bool jr_slug_valid(const char *s);

/* Checks across articles of one edition: sections exist, slugs unique. */
void jr_content_check_edition(const jr_journal *j, const jr_edition *e);

#endif
