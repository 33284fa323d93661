/* markdown.h: CommonMark body -> document model (cmark), with typography
 * for the article's language: German quotes „…“ ‚…‘ (de; «…» ‹…› for de-CH
 * and de-LI; English “…” ‘…’ for every other language; NULL or "" means
 * German, the journal's default), apostrophes ’, – — …, a lone " - " as –,
 * no-break spaces (U+00A0) between numbers and units, after § / S. / Nr.
 * before a number, inside z. B., before a spaced dash or ellipsis. Soft
 * hyphens and U+00A0 from the source stay. Runs of spaces become one; tabs
 * and control characters never reach the model; invalid UTF-8 becomes
 * U+FFFD. Raw HTML is dropped with a warning (HTML comments quietly; <br>
 * becomes a line break). Nesting is walked without recursion; containers
 * deeper than JR_MAX_DEPTH are set flat with one warning per article. */
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
