/* hyphenate.h: German (and other) hyphenation with libhyphen.
 *
 * Patterns come from the hyphen-* Debian packages (/usr/share/hyphen); the
 * dictionaries are ISO-8859-1, so words are converted before hyphenating.
 * Rules on top of the patterns: at least `left_min` letters before and
 * `right_min` after a break (default 2 and 3), no break that leaves a
 * one-letter piece between two breaks or a piece without a vowel (the
 * patterns give stau-b-ecken, rü-ck-mel-dung), soft hyphens (U+00AD) in the word
 * are the only breaks when present, a word with a hard hyphen breaks only
 * after it, and a user exception list (hyphenation.txt) overrides all. */
#ifndef JOURNAL_HYPHENATE_H
#define JOURNAL_HYPHENATE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct jr_hyphenator jr_hyphenator;

/* Load patterns for a BCP 47 language ("de", "de-DE", "de_AT", "en-GB"):
 * hyph_<ll>_<RR>.dic, else the language's usual region (de: DE, en: US),
 * else hyph_<ll>.dic, from /usr/share/hyphen, or only from the folder in
 * the environment variable JOURNAL_HYPHEN_DIR when that is set (tests).
 * Returns NULL when no patterns are installed for it.
 * Loading: hnj_hyphen_load needs seconds for the German patterns, so they
 * are read by our own loader into the same automaton (about 15-25 ms), and
 * that is kept as flat arrays in a cache file, used where it is mapped
 * (a checksum and the sizes are checked; about 1 ms):
 * $JOURNAL_CACHE_DIR, else $XDG_CACHE_HOME/journal, else ~/.cache/journal
 * (hyph-2-*.bin, about 5.6 MB for German, rebuilt when the .dic changes or
 * the file is damaged). JOURNAL_CACHE_DIR=off turns the cache off. 8-bit
 * dictionaries without replacement patterns (German) are walked on those
 * arrays by our own code (libhyphen's answers, see hyphenate.c); others
 * are handed to libhyphen. */
jr_hyphenator *jr_hyphenator_new(const char *lang);
/* Open the dictionary for lang on another thread now; the next
 * jr_hyphenator_new for it (on this thread) takes it. jr_hyphen_ahead_drop
 * waits for it and frees it if nobody took it. */
void jr_hyphen_open_ahead(const char *lang);
void jr_hyphen_ahead_drop(void);
/* Frees h; words hyphenated since it was made are first written to the
 * word cache file in the cache folder (hyphw-1-*.bin, named by the
 * dictionary, limits and exceptions), which the next hyphenator with the
 * same settings reads at its first jr_hyphenate. */
void jr_hyphenator_free(jr_hyphenator *h);
/* Words read from the word cache file, for tests. */
size_t jr_hyphenator_cached_words(const jr_hyphenator *h);
/* Letters before and after a pattern break (default 2 and 3; libhyphen
 * itself never breaks before 2 letters). Exceptions are not limited. */
void jr_hyphenator_set_limits(jr_hyphenator *h, int left_min, int right_min);

/* Read an exception file: one word a line, hyphens at the allowed breaks
 * ("Ar-beits-markt-in-te-gra-tion"), '#' starts a comment. Returns the
 * number of words read, or -1 when the file cannot be read. A word is
 * looked up in lower case, without the punctuation around it; a later
 * entry for the same word replaces the earlier one; a word without hyphens
 * is never broken. */
int jr_hyphenator_load_exceptions(jr_hyphenator *h, const char *path);
void jr_hyphenator_add_exception(jr_hyphenator *h, const char *hyphenated_word);

/* Break points of a UTF-8 word: writes byte offsets into `word` where a
 * break may go, increasing. Returns the number of points (at most max).
 * Results are cached per word.
 *  - Pattern breaks (and exception breaks): explicit_out[i] is false; the
 *    caller adds the visible hyphen.
 *  - A word with a hard hyphen ('-' or U+2010) breaks only after it (the
 *    point is the offset just after the hyphen); explicit_out[i] is true:
 *    no hyphen is added.
 *  - Soft hyphens (U+00AD): the point is the offset OF the U+00AD, so
 *    word[0, point) is the part before the break; explicit_out[i] is false
 *    (the caller adds the visible hyphen). U+00AD must never be drawn: the
 *    caller removes it from both parts (jr_strip_soft_hyphens) before
 *    measuring and drawing.
 *  - Quotes and stops around the word („Wort“, (Wort), Wort.) are skipped;
 *    offsets are still into the whole `word`. Tokens with a digit get no
 *    pattern breaks (hyphens still count); tokens with '@', "://" or an
 *    inner '.' ("www.landkreis-stade.de") get none at all: addresses are
 *    broken by the layout engine. Letters outside ISO-8859-1 get no pattern
 *    breaks with the German patterns (only exceptions and hyphens apply).
 * explicit_out may be NULL. */
size_t jr_hyphenate(jr_hyphenator *h, const char *word, size_t len, size_t *points /* OUT */,
                    bool *explicit_out /* OUT, may be NULL */, size_t max);

/* Remove every U+00AD from s[0, len) in place; returns the new length (a
 * NUL is written after it when it shrank). */
size_t jr_strip_soft_hyphens(char *s, size_t len);

/* "Ar-beits-markt" form, for tests and the layout dump: '-' at a break that
 * adds a hyphen, '|' at one after a hard hyphen ("Kita-|Leitung"); soft
 * hyphens are left out. Caller frees. */
char *jr_hyphenate_show(jr_hyphenator *h, const char *word);

/* The bare pattern answer of hnj_hyphen_hyphenate2 for `word`, already
 * lower-case and in the dictionary's encoding (ISO-8859-1 for German):
 * hyphens (len + 5 bytes) gets '0'..'9' per character, odd = a break after
 * it. None of the rules above apply. For tests and debugging. Returns 0. */
int jr_hyphenator_raw(jr_hyphenator *h, const char *word, size_t len, char *hyphens /* OUT */);

#endif
