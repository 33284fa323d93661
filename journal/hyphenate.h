/* hyphenate.h: German (and other) hyphenation with libhyphen.
 *
 * Patterns come from the hyphen-* Debian packages (/usr/share/hyphen); the
 * dictionaries are ISO-8859-1, so words are converted before hyphenating.
 * Rules on top of the patterns: at least `left_min` letters before and
 * `right_min` after a break (default 2 and 3), no break that leaves a
 * one-letter piece between two breaks, soft hyphens (U+00AD) in the word
 * are the only breaks when present, a word with a hard hyphen breaks only
 * after it, and a user exception list (hyphenation.txt) overrides all. */
#ifndef JOURNAL_HYPHENATE_H
#define JOURNAL_HYPHENATE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct jr_hyphenator jr_hyphenator;

/* Load patterns for a BCP 47 language ("de", "de-DE", "en"). Returns NULL
 * when no patterns are installed for it. */
jr_hyphenator *jr_hyphenator_new(const char *lang);
void jr_hyphenator_free(jr_hyphenator *h);
void jr_hyphenator_set_limits(jr_hyphenator *h, int left_min, int right_min);

/* Read an exception file: one word a line, hyphens at the allowed breaks
 * ("Ar-beits-markt-in-te-gra-tion"), '#' starts a comment. Returns the
 * number of words read, or -1 when the file cannot be read. */
int jr_hyphenator_load_exceptions(jr_hyphenator *h, const char *path);
void jr_hyphenator_add_exception(jr_hyphenator *h, const char *hyphenated_word);

/* Break points of a UTF-8 word: writes byte offsets into `word` where a
 * break may go (the hyphen is added by the caller; for a break after a hard
 * hyphen or soft hyphen no hyphen is added; see `explicit_out`). Returns the
 * number of points (at most max). Results are cached per word.
 * explicit_out[i] is true when break i follows a '-' or U+00AD in the text
 * and needs no added hyphen (may be NULL). */
size_t jr_hyphenate(jr_hyphenator *h, const char *word, size_t len, size_t *points /* OUT */,
                    bool *explicit_out /* OUT, may be NULL */, size_t max);

/* "Ar-beits-markt" form, for tests and the layout dump. Caller frees. */
char *jr_hyphenate_show(jr_hyphenator *h, const char *word);

#endif
