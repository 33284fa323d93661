/* pdf_speed.h: private to the PDF back end (pdf*.c). Font subsets and images
 * that go into libharu without its slow paths: fonts are cut down to the
 * code points a document draws (HarfBuzz's subsetter) before libharu loads
 * them, and PNG data goes in without being decoded and compressed again. */
#ifndef JOURNAL_PDF_SPEED_H
#define JOURNAL_PDF_SPEED_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include <hpdf.h>

#include "image.h"
#include "pages.h"
#include "util.h"

/* ---- fonts (pdf_font.c) ---- */

/* The code points a laid-out document draws, per font id (fonts that share a
 * file and face share one set). */
typedef struct jr_pdf_fonts jr_pdf_fonts;

jr_pdf_fonts *jr_pdf_fonts_new(const jr_doclayout *dl);
void jr_pdf_fonts_free(jr_pdf_fonts *f); /* NULL is fine */

/* TrueType byte order and table checksums (pdf_font.c), shared with the
 * font-program repair in pdf.c. */
uint32_t jr_tt_get32(const unsigned char *p);
void jr_tt_put32(unsigned char *p, uint32_t v);
uint32_t jr_tt_checksum(const unsigned char *p, size_t n);

/* Load font `id` into `pdf` as libharu's HPDF_LoadTTFontFromFile(2) would,
 * but from a subset of the file that holds only the glyphs of the code
 * points drawn in it (and the space). Subsets are remembered for the run
 * (the screen and the print PDF draw the same text). Returns libharu's font
 * name, or NULL when no subset could be made (the caller then loads the
 * whole file). libharu errors go to its error handler as usual. */
const char *jr_pdf_fonts_load(jr_pdf_fonts *f, HPDF_Doc pdf, int id);

/* The font objects for font `id` made by us from its subset (no libharu
 * font: see pdf_font.c), owned by `f`; NULL if the subset cannot be read
 * (then load it through libharu). `cidset`: PDF/A's CIDSet. What they are
 * made of (streams compressed with `defl`'s compressor) is made once per
 * run and face and kept in the cache folder (fontobj-1-*.bin). */
typedef struct jr_pdf_own_font {
    HPDF_Dict dict;   /* the Type0 font */
    uint16_t *gid_of; /* [ncodes]: the subset's glyph per code (0: none) */
    uint32_t ncodes;
    int16_t *adv; /* [nglyphs]: widths [1/1000 em] */
    unsigned nglyphs;
    int dw; /* width of glyph 0 */
} jr_pdf_own_font;
typedef struct jr_deflater jr_deflater;
jr_pdf_own_font *jr_pdf_fonts_own(jr_pdf_fonts *f, HPDF_Doc pdf, int id, jr_deflater *defl,
                                  bool cidset);
/* The Type0 font dictionary, for the pages' resources. */
HPDF_Font jr_pdf_own_dict(const jr_pdf_own_font *o);
/* Width of `cp` [1/1000 em] (that of glyph 0 if the font has none). */
static inline int jr_pdf_own_width(const jr_pdf_own_font *o, uint32_t cp)
{
    unsigned g = cp < o->ncodes ? o->gid_of[cp] : 0;
    return g < o->nglyphs ? o->adv[g] : o->dw;
}
bool jr_pdf_own_has(const jr_pdf_own_font *o, uint32_t cp);
void jr_pdf_own_free(jr_pdf_own_font *o);
/* The identity ToUnicode CMap of our two-byte codes (made once). */
const char *jr_pdf_tounicode(size_t *len);
/* Font file `d` with a format 3 'post' (no glyph names), checksums anew;
 * NULL if it has none to drop or is malformed. Caller frees. */
unsigned char *jr_tt_post3(const unsigned char *d, size_t n, size_t *outlen);

/* ---- images (pdf_image.c) ---- */

/* image.c's jr_image_check, jr_image_decode and jr_image_icc, one thread at
 * a time (PDFs may be written on two threads; image.c's caches have no
 * locks). */
int jr_pdf_image_check(const char *path, jr_image_info *info, char *why, size_t whylen);
int jr_pdf_image_decode(const char *path, jr_pixels *px, char *why, size_t whylen);
int jr_pdf_image_icc(const char *path, unsigned char **icc, size_t *len);

/* A PNG that can go into the PDF as it is (8 bits per sample, gray or RGB,
 * no alpha or transparency chunk, no palette, not interlaced), checked
 * completely first (jr_image_check): its zlib data becomes the image
 * stream with /FlateDecode and the PNG predictors. Returns NULL when the
 * file is anything else (then decode it). *channels is 1 or 3. */
HPDF_Image jr_pdf_png_passthrough(HPDF_Doc pdf, const char *path, const unsigned char *data,
                                  size_t len, int *channels /* OUT */);

/* ---- compression (pdf_deflate.c, libdeflate) ---- */

/* The streams of one document. Page contents are compressed on a second
 * thread while the next page is drawn; all libharu calls stay on the
 * document's thread. */
jr_deflater *jr_deflater_new(size_t npages);
/* Stop the worker and free what is left (also after a libharu error). */
void jr_deflater_free(jr_deflater *d); /* NULL is fine */
/* Page content `data` (malloc'd, taken over) becomes the compressed data
 * of `contents` (the page's /Contents stream, still empty), now or in a
 * later call. */
void jr_deflater_page(jr_deflater *d, HPDF_Dict contents, unsigned char *data, size_t len);
/* Every page's data in its stream: call before saving. */
void jr_deflater_finish(jr_deflater *d);
/* `data` compressed (or taken from the run's cache of identical data)
 * becomes the data of stream `dict`, with /Filter /FlateDecode. false:
 * nothing was done (then write the data and let libharu compress it). */
bool jr_deflater_stream(jr_deflater *d, HPDF_Dict dict, const void *data, size_t len);
/* `data` compressed as jr_deflater_stream compresses it (the same bytes),
 * not looked up or remembered: zlib data (caller frees), or NULL when it
 * cannot be compressed (d NULL, len 0, too large; then leave it to
 * libharu). Call on d's document thread. */
unsigned char *jr_deflater_compress(jr_deflater *d, const void *data, size_t len,
                                    size_t *zlen /* OUT */);
/* Compressed zlib data `z` (malloc'd, taken over) becomes the data of
 * stream `dict`, as jr_deflater_stream leaves it. */
void jr_pdf_stream_take_deflated(HPDF_Dict dict, unsigned char *z, size_t zlen);
/* What jr_deflater_compress's output depends on besides its input (the
 * library version and the level): for the identity of cache files that
 * keep compressed data. */
const char *jr_deflate_identity(void);
/* Compressed zlib data `z` becomes the data of stream `dict` (no filter
 * for libharu; /Filter /FlateDecode is written by a hook). */
void jr_pdf_stream_set_deflated(HPDF_Dict dict, const void *z, size_t zlen);
/* `data` (malloc'd, taken over) becomes the data of stream `dict` as it is,
 * read from our buffer when saving (no copy into libharu's memory). The
 * filter is left alone. */
void jr_pdf_stream_take(HPDF_Dict dict, unsigned char *data, size_t len);
/* Forget the run's compressed streams (tests). */
void jr_pdf_deflate_cache_clear(void);

#endif
