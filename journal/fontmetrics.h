/* fontmetrics.h: the layout engine's only view of fonts.
 *
 * Fonts are found by family name through fontconfig (or given as a file
 * path), and measured with HarfBuzz: advances plus the font's kerning, with
 * ligatures off so that one glyph stands for one character (the PDF back end
 * draws by Unicode code point). Widths are cached per (font, word) and
 * scaled to the size.
 * Only TrueType outlines (glyf) are accepted: that is what libharu embeds. */
#ifndef JOURNAL_FONTMETRICS_H
#define JOURNAL_FONTMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jr_fontset jr_fontset;

typedef struct jr_font_info {
    const char *path;   /* the TrueType file (owned by the fontset) */
    int face_index;     /* face in a collection, usually 0 */
    const char *family; /* as found */
    bool bold, italic;
    int units_per_em;
    double ascender;    /* in em (e.g. 0.9) */
    double descender;   /* in em, negative */
    double cap_height;  /* in em */
    double x_height;    /* in em */
    bool kern_pairwise; /* kerning is a sum over pairs: words are measured
                           without shaping them (see fontmetrics.c) */
} jr_font_info;

jr_fontset *jr_fontset_new(void);
void jr_fontset_free(jr_fontset *fs);

/* Find and load a font. `name` is a family name looked up through fontconfig
 * ("Noto Serif"), or a path to a .ttf file (relative paths are taken from
 * `base_dir`, which may be NULL). Returns a font id >= 0, or -1 when no
 * matching TrueType font exists. Loading the same font twice returns the
 * same id. */
int jr_font_load(jr_fontset *fs, const char *name, bool bold, bool italic, const char *base_dir);

/* How many family requests of this fontset were answered from the family
 * cache (fontconfig's answers of earlier runs, see fontmetrics.c), for
 * tests. */
int jr_fontset_family_cache_hits(const jr_fontset *fs);

/* Write what is worth keeping for the next run into the cache folder: the
 * kerning pairs and the measurements of texts shaped by this fontset (see
 * fontmetrics.c). The layout calls it when done. */
void jr_fontset_save_caches(jr_fontset *fs);
/* Kerning pairs of the loaded fonts read from (or since written to) the
 * cache folder, for tests. */
size_t jr_fontset_cached_pairs(const jr_fontset *fs);
/* The same for shaped measurements (texts the fast path cannot measure). */
size_t jr_fontset_cached_shapes(const jr_fontset *fs);

size_t jr_font_count(const jr_fontset *fs);
/* NULL for a bad id. The pointer stays valid until jr_fontset_free. */
const jr_font_info *jr_font_get(const jr_fontset *fs, int font);

/* False for code points libharu cannot draw (above U+FFFF, surrogates,
 * noncharacters such as U+FFFE) even when the font has them. */
bool jr_font_has_glyph(const jr_fontset *fs, int font, uint32_t cp);

/* The font to draw `cp` with: `font` itself if it has the glyph, else a
 * fallback font found through fontconfig (loaded into the set, same style),
 * else -1 (no installed font can draw it; always -1 above U+FFFF). The
 * answer is cached per font and code point. */
int jr_font_for_char(jr_fontset *fs, int font, uint32_t cp);

/* The widths at 1000 pt jr_font_measure gives single code points below
 * U+0800 (no kern array asked for), NAN where not measured yet; NULL for a
 * bad id. Valid until jr_fontset_free. For the layout's per-character
 * loops: w = table[cp] * size / 1000.0 when not NAN, else jr_font_measure. */
const double *jr_font_adv1000(jr_fontset *fs, int font);

/* Width in points of `len` bytes of UTF-8 `text` set in `font` at `size` pt,
 * kerning included. If kern is not NULL it receives one entry per code
 * point: kern[i] is the adjustment before code point i in thousandths of
 * an em, in the sign convention of the PDF TJ operator (positive moves the
 * next glyph left, i.e. tightens); kern[0] is 0. Returns the width (the
 * shaped advances: the nominal advances minus the kerns, up to rounding).
 * Script and direction: guessed from the text, LTR, Latin by default;
 * ligatures off. Results are cached per (font, text) for texts up to 256
 * bytes; a cached call costs a hash and a memcmp. */
double jr_font_measure(jr_fontset *fs, int font, double size, const char *text, size_t len,
                       int *kern /* OUT, may be NULL */);

/* Shape every text with HarfBuzz (always_shape true) instead of summing
 * cached pair kerning where that gives the same result. For tests. */
void jr_fontset_set_exact(jr_fontset *fs, bool always_shape);

/* Kerning between the last character of one piece and the first of the next
 * (e.g. across a style change in one font), in points at `size`, as an
 * amount to add to the advance: negative tightens (A V: -0.8 at 10 pt in
 * Noto Serif). Same rounding as jr_font_measure's kern[]. */
double jr_font_kern_pair(jr_fontset *fs, int font, double size, uint32_t left, uint32_t right);

#endif
