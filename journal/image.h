/* image.h: images are checked and decoded with libpng and libjpeg before any
 * back end sees them (libharu aborts on corrupt PNGs and accepts broken
 * JPEGs). */
#ifndef JOURNAL_IMAGE_H
#define JOURNAL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum jr_image_format { JR_IMG_UNKNOWN, JR_IMG_PNG, JR_IMG_JPEG } jr_image_format;

typedef struct jr_image_info {
    jr_image_format format;
    unsigned width, height; /* pixels, as displayed: swapped when `orientation` turns
                               the image by 90 degrees (5..8) */
    int orientation;        /* EXIF orientation of a JPEG, 1..8; 1 when none */
    int channels;           /* 1 gray, 3 RGB, 4 CMYK (JPEG); alpha separately */
    bool has_alpha;
    double dpi_x, dpi_y; /* from the file, 0 when not given */
} jr_image_info;

/* Largest image accepted, in pixels per side and in total. */
#define JR_IMAGE_MAX_SIDE   20000u
#define JR_IMAGE_MAX_PIXELS 100000000u

/* Check a file fully (decodes it). Returns 0, or -1 and a short reason in
 * `why` ("not a PNG or JPEG file", "truncated JPEG", "corrupt PNG: ...",
 * "image claims W x H pixels"). Successful checks are remembered in the
 * cache folder (JOURNAL_CACHE_DIR, "off" to disable) by the file's device,
 * inode, size, modification and change time, so a later build only stats
 * an unchanged file; the last 64 results are also remembered in memory by
 * the file's content (not thread-safe). */
int jr_image_check(const char *path, jr_image_info *info /* OUT */, char *why, size_t whylen);

/* Write the remembered checks that are new to the cache file now (also
 * done at the next remembered hit and at exit). */
void jr_image_cache_flush(void);
/* Flush, then forget everything remembered in memory: the next check
 * reads the cache file (and JOURNAL_CACHE_DIR) again. For tests. */
void jr_image_cache_reset(void);
/* With `on`, checks make the pixels of every JPEG row (at 1/8 scale)
 * instead of skipping rows, and read every PNG row with libpng instead of
 * checking the image data with zlib directly; the results must not
 * differ. For tests. */
void jr_image_check_reference(bool on);
/* Adler-32 (RFC 1950) of `n` bytes, continuing from `adler` (1 to start). */
uint32_t jr_image_adler32(uint32_t adler, const unsigned char *p, size_t n);
/* How many full checks (decodes) this process has done, for tests. */
unsigned long jr_image_check_decodes(void);

/* Decoded pixels: 8 bits per component, rows top to bottom as stored (the
 * EXIF orientation is not applied: see `orientation`), `channels`
 * components (1, 3 or 4), and an 8-bit alpha plane or NULL. */
typedef struct jr_pixels {
    unsigned width, height; /* as stored */
    int orientation;        /* EXIF orientation, 1..8 (1: as stored) */
    int channels;
    unsigned char *data;  /* owned */
    unsigned char *alpha; /* owned, may be NULL */
} jr_pixels;

int jr_image_decode(const char *path, jr_pixels *out /* OUT */, char *why, size_t whylen);
void jr_pixels_free(jr_pixels *p);

/* The ICC profile embedded in a file (JPEG APP2 ICC_PROFILE, PNG iCCP),
 * if there is one and its header is sound. Returns 0 and a malloc'ed copy
 * in *icc (caller frees), or -1 (no profile, or an unreadable file). */
int jr_image_icc(const char *path, unsigned char **icc /* OUT */, size_t *len /* OUT */);

/* Resolve an image path written in an article (relative to `dir`) and make
 * sure it stays inside `root` (no "..", absolute paths or symlinks leading
 * out). Returns a new path (the real path, caller frees), or NULL: *outside
 * set when it leaves root, else the file is missing. A name written
 * URL-style ("bild%20eins.png") is tried decoded when it names no file. */
char *jr_image_resolve(const char *root, const char *dir, const char *rel, bool *outside /* OUT */);

#endif
