/* markdown.h: CommonMark body -> document model (cmark), with typography
 * for the article's language: German quotes „…“ ‚…‘ (English “…” for en),
 * – — …, non-breaking spaces between numbers and units. Raw HTML is dropped
 * with a warning. Nesting is walked without recursion. */
#ifndef JOURNAL_MARKDOWN_H
#define JOURNAL_MARKDOWN_H

#include <stddef.h>

#include "model.h"

/* Parse a->body into a->doc, reporting with a->path and line numbers offset
 * by a->body_line. `lang` is the article's language (BCP 47). */
void jr_markdown_parse(jr_article *a, const char *lang);

/* Parse a Markdown string into a new document (for tests). */
jr_doc *jr_markdown_parse_string(const char *text, size_t len, const char *lang, const char *path,
                                 int first_line);

/* Typography on one piece of text (for tests): returns a new string. */
char *jr_typography(const char *text, const char *lang);

/* Typography across the pieces (spans) of one block: quotes are paired and
 * spaces glued across piece boundaries. Code pieces stay as they are and
 * stand in the context as one opaque character; breaks as a space. */
typedef enum jr_typo_kind { JR_TYPO_TEXT, JR_TYPO_CODE, JR_TYPO_BREAK } jr_typo_kind;

typedef struct jr_typo_piece {
    jr_typo_kind kind;
    const char *text; /* TEXT: the piece's text (len bytes) */
    size_t len;
    char *out; /* OUT: TEXT: the new text (caller frees); else NULL */
} jr_typo_piece;

void jr_typography_pieces(jr_typo_piece *pieces, size_t n, const char *lang);

#endif
