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

#include "util.h"

/* The cache folder (caller frees), or NULL when the cache is off. */
char *jr_cache_dir(void);
/* <cache folder>/<name> (caller frees), or NULL when the cache is off. */
char *jr_cache_path(const char *name);
/* <cache folder>/<kind>-<hash of id>.bin (caller frees), or NULL when the
 * cache is off: one file per identity of what it was made from. */
char *jr_cache_file(const char *kind, const char *id);
/* A checksum of n bytes (Fletcher-style, 64 bits) for cache files. */
uint64_t jr_cache_sum(const unsigned char *p, size_t n);
/* Write len bytes to path through a temporary file beside it and a
 * rename (readers never see half a file), making the folder first.
 * 0, or -1 when nothing was written. */
int jr_cache_write(const char *path, const void *data, size_t len);

/* Most cache files begin alike: an 8-byte magic, the identity of what the
 * file was made from (text, NUL-terminated, padded to 8 bytes), then the
 * number of records and the checksum of everything after these two.
 * jr_cache_begin appends such a header to b (count and checksum 0) and
 * returns its length; jr_cache_seal fills them in once the records follow.
 * jr_cache_check returns where the records start when d holds a header for
 * magic and id whose checksum holds (*count set), else 0. */
size_t jr_cache_begin(jr_buf *b, const char *magic, const char *id);
void jr_cache_seal(jr_buf *b, size_t header, uint64_t count);
size_t jr_cache_check(const void *d, size_t len, const char *magic, const char *id,
                      uint64_t *count);

#endif
