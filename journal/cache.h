/* cache.h: the cache folder that makes rebuilds fast.
 *
 * What a build can remember between runs (hyphenation patterns and answers,
 * font families, kerning pairs and shaped widths, checked images, font
 * subsets) lives in one folder: $JOURNAL_CACHE_DIR, else
 * $XDG_CACHE_HOME/journal, else ~/.cache/journal. JOURNAL_CACHE_DIR=off (or
 * empty) turns every cache off. Each file names what it was made from and
 * carries a checksum; a file that does not match is ignored and made anew,
 * so the folder can be deleted at any time. */
#ifndef JOURNAL_CACHE_H
#define JOURNAL_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* The cache folder (caller frees), or NULL when the cache is off. */
char *jr_cache_dir(void);
/* <cache folder>/<name> (caller frees), or NULL when the cache is off. */
char *jr_cache_path(const char *name);
/* A checksum of n bytes (Fletcher-style, 64 bits) for cache files. */
uint64_t jr_cache_sum(const unsigned char *p, size_t n);
/* Write len bytes to path through a temporary file beside it and a
 * rename (readers never see half a file), making the folder first.
 * 0, or -1 when nothing was written. */
int jr_cache_write(const char *path, const void *data, size_t len);

#endif
