/* fontmetrics.c: fonts through fontconfig, widths and kerning through
 * HarfBuzz, with a cache in front of the shaper (see fontmetrics.h).
 *
 * The measurement cache is the hot path of the layout engine: every word is
 * measured, most of them many times. A hit costs one hash over the bytes, a
 * probe in an open-addressing table and one memcmp.
 *
 * A miss is shaped by HarfBuzz (about 1.5 us a word), or, when the result is
 * known to be the same, summed from nominal advances and cached pair
 * kerning (about 0.2 us): the PDF draws nominal glyphs (one per code point),
 * so no substitution feature is applied anyway, and when every 'kern' lookup
 * of the font is a pair adjustment of the first glyph's advance (checked in
 * GPOS at load), kerning a word is the sum of kerning its neighbour pairs.
 * Texts with marks, ignorables or other scripts are always shaped. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "fontmetrics.h"

#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hb-ot.h>
#include <hb.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache.h"
#include "util.h"

/* Longer texts are shaped every time (they are not words; keeping them would
 * only grow the cache). */
#define JR_MEASURE_CACHE_MAX_LEN 256

#define JR_ADV1_CPS 0x800

/* Per-font map code point -> font id for jr_font_for_char. */
typedef struct cp_slot {
    uint32_t cp; /* UINT32_MAX = empty */
    int font;    /* -1 = no font can draw it */
} cp_slot;

/* Nominal glyph of a code point below JR_GLYPH_CACHE_CPS, for the fast path. */
#define JR_GLYPH_CACHE_CPS 0x530
typedef struct glyph_slot {
    uint16_t gid;
    uint8_t state;  /* 0 not looked up, 1 usable, 2 not for the fast path */
    uint8_t script; /* 0 common, 1 Latin, 2 Greek, 3 Cyrillic */
    int32_t adv;    /* font units */
} glyph_slot;

/* Kerning of a glyph pair in a script, font units; JR_PAIR_UNSAFE when the
 * pair does not behave pairwise. */
#define JR_PAIR_UNSAFE INT32_MIN
typedef struct pair_slot {
    uint64_t key; /* 0 = empty, else (script << 32 | left << 16 | right) + 1 */
    int32_t kern;
} pair_slot;

typedef struct jr_font {
    jr_font_info info;
    char *path;   /* owned, canonical */
    char *family; /* owned */
    hb_blob_t *blob;
    hb_face_t *face;
    hb_font_t *font; /* scale = units per em */
    cp_slot *fallback;
    size_t fallback_cap, fallback_used;
    bool pairwise;      /* kerning is pairwise: the fast path may be used */
    glyph_slot *glyphs; /* JR_GLYPH_CACHE_CPS entries, allocated on first use */
    pair_slot *pairs;
    size_t pairs_cap, pairs_used;
    size_t pairs_saved;          /* pairs read from or written to the kerning cache */
    size_t shaped, shaped_saved; /* measure cache entries made by shape(): all, and
                                    those read from or written to the shape cache */
    long long file_size;         /* of the font file, for the kerning cache */
    long long file_mtime_s, file_mtime_ns;
    /* jr_font_has_glyph answers for U+0000..U+FFFF, 2 bits each: looked up, has
     * a glyph (allocated on first use; para_char asks once per character) */
    uint8_t *hasbits;
    int32_t *forchar; /* jr_font_for_char below JR_ADV1_CPS, INT32_MIN: not yet */
    double *adv1;     /* width at 1000 pt of single characters below JR_ADV1_CPS, NAN: not yet */
} jr_font;

/* One cached measurement. text and kern live in one block (`mem`). */
typedef struct measure_entry {
    uint64_t hash;    /* 0 = empty slot */
    const char *text; /* points into mem */
    int *kern;        /* points into mem; NULL when every kern is 0 */
    void *mem;        /* owned */
    double w1000;     /* width at 1000 pt, i.e. in thousandths of an em */
    uint32_t len;     /* bytes of text */
    uint32_t ncp;     /* code points */
    int32_t font;
    uint8_t shaped; /* measured by shape(), kept for the next run (shape cache):
                       1 in this run, 2 read from the cache */
} measure_entry;

/* A remembered jr_font_load request (family lookups are slow). */
typedef struct load_req {
    char *name, *base_dir; /* owned; base_dir may be NULL */
    bool bold, italic;
    int result;
} load_req;

#define FAMCACHE_MAGIC "journal-fonts 1"

typedef struct fam_entry {
    char *name, *path, *family;
    int bold_req, italic_req; /* the request */
    int index, bold, italic;  /* the answer, as load_file takes it */
    long long size, mtime_s, mtime_ns;
} fam_entry;

typedef struct fam_cache {
    bool loaded, dirty;
    char *file; /* NULL: cache off */
    char *stamp;
    fam_entry *e;
    size_t n, cap;
} fam_cache;

struct jr_fontset {
    jr_font **fonts; /* each owned; pointers stay put */
    size_t nfonts, fonts_cap;
    load_req *reqs;
    size_t nreqs, reqs_cap;
    FcConfig *fc; /* created on first family lookup */
    hb_buffer_t *buf;
    measure_entry *cache;
    size_t cache_cap, cache_used; /* cap is a power of two */
    /* scratch for shaping */
    uint32_t *cp_at_byte;
    size_t cp_at_byte_cap;
    double *pos;
    size_t pos_cap;
    uint32_t *cps;
    size_t cps_cap;
    hb_codepoint_t *gids;
    int32_t *advs;
    size_t glyph_cap;
    bool always_shape; /* jr_fontset_set_exact */
    hb_language_t lang;
    fam_cache fam; /* fontconfig's answers from earlier runs */
    int fam_hits;
};

/* Kerning and mark positioning on; every substitution and every other
 * positioning feature HarfBuzz applies by default off: the PDF back end
 * draws the nominal glyph of each code point. */
#define JR_OFF(a, b, c, d)                                                                         \
    {                                                                                              \
        HB_TAG(a, b, c, d), 0, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END                      \
    }
static const hb_feature_t jr_features[] = {
    {HB_TAG('k', 'e', 'r', 'n'), 1, HB_FEATURE_GLOBAL_START, HB_FEATURE_GLOBAL_END},
    JR_OFF('l', 'i', 'g', 'a'),
    JR_OFF('c', 'l', 'i', 'g'),
    JR_OFF('c', 'c', 'm', 'p'),
    JR_OFF('l', 'o', 'c', 'l'),
    JR_OFF('r', 'l', 'i', 'g'),
    JR_OFF('c', 'a', 'l', 't'),
    JR_OFF('r', 'c', 'l', 't'),
    JR_OFF('r', 'a', 'n', 'd'),
    JR_OFF('r', 'v', 'r', 'n'),
    JR_OFF('l', 't', 'r', 'a'),
    JR_OFF('l', 't', 'r', 'm'),
    JR_OFF('f', 'r', 'a', 'c'),
    JR_OFF('n', 'u', 'm', 'r'),
    JR_OFF('d', 'n', 'o', 'm'),
    JR_OFF('c', 'u', 'r', 's'),
    JR_OFF('d', 'i', 's', 't'),
    JR_OFF('a', 'b', 'v', 'm'),
    JR_OFF('b', 'l', 'w', 'm'),
};
#undef JR_OFF
#define JR_NFEATURES (sizeof jr_features / sizeof jr_features[0])

/* ---------------------------------------------------------------- hashing */

static uint64_t hash_bytes(const char *s, size_t n, int font)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)(unsigned)font << 32) ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 32;
    return h ? h : 1;
}

/* ---------------------------------------------------------------- fontset */

jr_fontset *jr_fontset_new(void)
{
    jr_fontset *fs = jr_xcalloc(1, sizeof *fs);
    fs->buf = hb_buffer_create();
    /* fixed, not the locale's: the same text measures the same everywhere */
    fs->lang = hb_language_from_string("und", -1);
    fs->cache_cap = 1024;
    fs->cache = jr_xcalloc(fs->cache_cap, sizeof *fs->cache);
    return fs;
}

static void famcache_free(fam_cache *c);

void jr_fontset_free(jr_fontset *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->nfonts; i++) {
        jr_font *f = fs->fonts[i];
        hb_font_destroy(f->font);
        hb_face_destroy(f->face);
        hb_blob_destroy(f->blob);
        free(f->path);
        free(f->family);
        free(f->fallback);
        free(f->glyphs);
        free(f->pairs);
        free(f->hasbits);
        free(f->adv1);
        free(f->forchar);
        free(f);
    }
    free(fs->fonts);
    for (size_t i = 0; i < fs->nreqs; i++) {
        free(fs->reqs[i].name);
        free(fs->reqs[i].base_dir);
    }
    free(fs->reqs);
    for (size_t i = 0; i < fs->cache_cap; i++)
        free(fs->cache[i].mem);
    free(fs->cache);
    hb_buffer_destroy(fs->buf);
    if (fs->fc)
        FcConfigDestroy(fs->fc);
    famcache_free(&fs->fam);
    free(fs->cp_at_byte);
    free(fs->pos);
    free(fs->cps);
    free(fs->gids);
    free(fs->advs);
    free(fs);
}

size_t jr_font_count(const jr_fontset *fs)
{
    return fs ? fs->nfonts : 0;
}

const jr_font_info *jr_font_get(const jr_fontset *fs, int font)
{
    if (!fs || font < 0 || (size_t)font >= fs->nfonts)
        return NULL;
    return &fs->fonts[font]->info;
}

static bool font_ok(const jr_fontset *fs, int font)
{
    return fs && font >= 0 && (size_t)font < fs->nfonts;
}

/* ---------------------------------------------------------------- loading */

static bool has_table(hb_face_t *face, hb_tag_t tag)
{
    hb_blob_t *t = hb_face_reference_table(face, tag);
    bool ok = hb_blob_get_length(t) > 0;
    hb_blob_destroy(t);
    return ok;
}

static double em(const jr_font *f, hb_position_t v)
{
    return (double)v / (double)f->info.units_per_em;
}

static void fill_metrics(jr_font *f)
{
    f->info.units_per_em = (int)hb_face_get_upem(f->face);
    if (f->info.units_per_em <= 0)
        f->info.units_per_em = 1000;
    hb_font_extents_t ext;
    if (hb_font_get_h_extents(f->font, &ext)) {
        f->info.ascender = em(f, ext.ascender);
        f->info.descender = em(f, ext.descender);
    } else {
        f->info.ascender = 0.8;
        f->info.descender = -0.2;
    }
    hb_position_t v;
    hb_codepoint_t g;
    hb_glyph_extents_t ge;
    if (hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_CAP_HEIGHT, &v) && v > 0)
        f->info.cap_height = em(f, v);
    else if (hb_font_get_nominal_glyph(f->font, 'H', &g) &&
             hb_font_get_glyph_extents(f->font, g, &ge))
        f->info.cap_height = em(f, ge.y_bearing);
    else
        f->info.cap_height = 0.7;
    if (hb_ot_metrics_get_position(f->font, HB_OT_METRICS_TAG_X_HEIGHT, &v) && v > 0)
        f->info.x_height = em(f, v);
    else if (hb_font_get_nominal_glyph(f->font, 'x', &g) &&
             hb_font_get_glyph_extents(f->font, g, &ge))
        f->info.x_height = em(f, ge.y_bearing);
    else
        f->info.x_height = 0.5;
}

static char *face_family(hb_face_t *face)
{
    char buf[256];
    unsigned int n = sizeof buf;
    static const hb_ot_name_id_t ids[] = {HB_OT_NAME_ID_TYPOGRAPHIC_FAMILY,
                                          HB_OT_NAME_ID_FONT_FAMILY};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        n = sizeof buf;
        if (hb_ot_name_get_utf8(face, ids[i], hb_language_from_string("en", -1), &n, buf) > 0 &&
            n > 0)
            return jr_xstrdup(buf);
        n = sizeof buf;
        if (hb_ot_name_get_utf8(face, ids[i], HB_LANGUAGE_INVALID, &n, buf) > 0 && n > 0)
            return jr_xstrdup(buf);
    }
    return jr_xstrdup("");
}

/* ---------------------------------------------------------------- pairwise kerning check */

typedef struct rd {
    const unsigned char *p;
    size_t n;
    bool ok;
} rd;

static unsigned rd16(rd *r, size_t off)
{
    if (off + 2 > r->n) {
        r->ok = false;
        return 0;
    }
    return (unsigned)r->p[off] << 8 | r->p[off + 1];
}

static uint32_t rd32(rd *r, size_t off)
{
    return (uint32_t)rd16(r, off) << 16 | rd16(r, off + 2);
}

/* One PairPos subtable: only the first glyph's advance may change. */
static bool pairpos_simple(rd *r, size_t sub)
{
    unsigned vf1 = rd16(r, sub + 4), vf2 = rd16(r, sub + 6);
    /* bits: 1 XPlacement, 2 YPlacement, 4 XAdvance, 8 YAdvance, 0x10..0x80 devices */
    return r->ok && vf2 == 0 && (vf1 & 0x0003) == 0 && (vf1 & 0x0010) == 0 && vf1 <= 0x00FF;
}

/* True when every 'kern' lookup in GPOS is a pair adjustment of the first
 * glyph's advance, so a word's kerning is the sum over its pairs. */
static bool kerning_is_pairwise(hb_face_t *face)
{
    if (has_table(face, HB_TAG('m', 'o', 'r', 'x')) ||
        has_table(face, HB_TAG('k', 'e', 'r', 'x')) || has_table(face, HB_TAG('m', 'o', 'r', 't')))
        return false; /* AAT shaping */
    hb_blob_t *blob = hb_face_reference_table(face, HB_TAG('G', 'P', 'O', 'S'));
    unsigned int len = 0;
    const char *data = hb_blob_get_data(blob, &len);
    if (len == 0) {
        hb_blob_destroy(blob);
        /* no GPOS: HarfBuzz would use a legacy 'kern' table */
        return !has_table(face, HB_TAG('k', 'e', 'r', 'n'));
    }
    rd r = {(const unsigned char *)data, len, true};
    bool ok = rd16(&r, 0) == 1;
    if (ok && rd16(&r, 2) >= 1 && rd32(&r, 10) != 0)
        ok = false; /* feature variations */
    size_t fl = rd16(&r, 6), ll = rd16(&r, 8);
    unsigned nfeat = rd16(&r, fl);
    for (unsigned i = 0; ok && r.ok && i < nfeat; i++) {
        size_t rec = fl + 2 + 6 * (size_t)i;
        if (rd32(&r, rec) != HB_TAG('k', 'e', 'r', 'n'))
            continue;
        size_t ft = fl + rd16(&r, rec + 4);
        unsigned nidx = rd16(&r, ft + 2);
        for (unsigned j = 0; ok && r.ok && j < nidx; j++) {
            unsigned li = rd16(&r, ft + 4 + 2 * (size_t)j);
            if (li >= rd16(&r, ll)) {
                ok = false;
                break;
            }
            size_t lk = ll + rd16(&r, ll + 2 + 2 * (size_t)li);
            unsigned type = rd16(&r, lk), nsub = rd16(&r, lk + 4);
            for (unsigned k = 0; ok && r.ok && k < nsub; k++) {
                size_t sub = lk + rd16(&r, lk + 6 + 2 * (size_t)k);
                if (type == 9) { /* extension */
                    if (rd16(&r, sub + 2) != 2) {
                        ok = false;
                        break;
                    }
                    sub += rd32(&r, sub + 4);
                } else if (type != 2) {
                    ok = false;
                    break;
                }
                ok = pairpos_simple(&r, sub);
            }
        }
    }
    hb_blob_destroy(blob);
    return ok && r.ok;
}

/* Load the TrueType file at `path` (face `index`) into the set, or find it
 * there already. family/bold/italic describe it when known (family NULL:
 * read from the font). Returns the id or -1. */
static void kern_load(jr_font *f);
static void shape_load(jr_fontset *fs, jr_font *f, int font);

static int load_file(jr_fontset *fs, const char *path, int index, const char *family, int bold,
                     int italic)
{
    char *canon = realpath(path, NULL);
    if (!canon)
        return -1;
    for (size_t i = 0; i < fs->nfonts; i++) {
        if (fs->fonts[i]->info.face_index == index && strcmp(fs->fonts[i]->path, canon) == 0) {
            free(canon);
            return (int)i;
        }
    }
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(canon);
    if (!blob) {
        free(canon);
        return -1;
    }
    hb_face_t *face = hb_face_create(blob, (unsigned)index);
    /* libharu embeds TrueType outlines only. */
    if (hb_face_get_glyph_count(face) == 0 || !has_table(face, HB_TAG('g', 'l', 'y', 'f')) ||
        !has_table(face, HB_TAG('c', 'm', 'a', 'p'))) {
        hb_face_destroy(face);
        hb_blob_destroy(blob);
        free(canon);
        return -1;
    }
    JR_GROW(fs->fonts, fs->fonts_cap, fs->nfonts + 1);
    jr_font *f = jr_xcalloc(1, sizeof *f);
    fs->fonts[fs->nfonts] = f;
    memset(f, 0, sizeof *f);
    f->path = canon;
    f->blob = blob;
    f->face = face;
    f->font = hb_font_create(face);
    hb_font_set_scale(f->font, (int)hb_face_get_upem(face), (int)hb_face_get_upem(face));
    f->family = family ? jr_xstrdup(family) : face_family(face);
    if (bold < 0)
        bold = hb_style_get_value(f->font, HB_STYLE_TAG_WEIGHT) >= 600.0f;
    if (italic < 0)
        italic = hb_style_get_value(f->font, HB_STYLE_TAG_ITALIC) > 0.5f ||
                 hb_style_get_value(f->font, HB_STYLE_TAG_SLANT_ANGLE) != 0.0f;
    f->info.path = f->path;
    f->info.face_index = index;
    f->info.family = f->family;
    f->pairwise = kerning_is_pairwise(face);
    f->info.kern_pairwise = f->pairwise;
    f->info.bold = bold != 0;
    f->info.italic = italic != 0;
    fill_metrics(f);
    kern_load(f);
    shape_load(fs, f, (int)fs->nfonts);
    return (int)fs->nfonts++;
}

/* ---------------------------------------------------------------- family cache */

/* Setting up fontconfig (reading its configuration and caches) costs more
 * than laying out an edition, and a build asks it only for the few families
 * of the layout file. So the answers are kept in a small text file in the
 * cache folder ($JOURNAL_CACHE_DIR, else $XDG_CACHE_HOME/journal, else
 * ~/.cache/journal; JOURNAL_CACHE_DIR=off turns it off): per request
 * (family, bold, italic) the file, face index, family name and style that
 * fontconfig chose, with the file's size and modification time. An answer
 * is used only when the file is unchanged and the stamp of fontconfig's
 * world is the same: the modification times of its configuration folders,
 * its cache folders (fc-cache writes there when fonts are installed) and
 * the user's font folders, FONTCONFIG_FILE/FONTCONFIG_PATH and the
 * language variables (fonts-1-*.txt, one file per set of those). Anything
 * else goes to fontconfig, and the file is written anew. */

int jr_fontset_family_cache_hits(const jr_fontset *fs)
{
    return fs ? fs->fam_hits : 0;
}

static void stamp_path(jr_buf *b, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        jr_buf_printf(b, "%s=%lld.%09ld;", path, (long long)st.st_mtim.tv_sec,
                      (long)st.st_mtim.tv_nsec);
    else
        jr_buf_printf(b, "%s=-;", path);
}

/* What fontconfig's answers depend on, as far as it can be seen cheaply. */
static char *fc_stamp(void)
{
    jr_buf b = {0};
    const char *ff = getenv("FONTCONFIG_FILE"), *fp = getenv("FONTCONFIG_PATH");
    jr_buf_printf(&b, "file=%s;path=%s;", ff ? ff : "", fp ? fp : "");
    /* fontconfig ranks faces by language too (FcDefaultSubstitute) */
    static const char *const langvars[] = {"FC_LANG", "LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof langvars / sizeof langvars[0]; i++) {
        const char *v = getenv(langvars[i]);
        jr_buf_printf(&b, "%s=%s;", langvars[i], v ? v : "");
    }
    static const char *const fixed[] = {"/etc/fonts", "/etc/fonts/conf.d", "/var/cache/fontconfig",
                                        "/usr/share/fonts", "/usr/local/share/fonts"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        stamp_path(&b, fixed[i]);
    const char *home = getenv("HOME"), *xc = getenv("XDG_CACHE_HOME"),
               *xcfg = getenv("XDG_CONFIG_HOME"), *xd = getenv("XDG_DATA_HOME");
    char *p;
    if (xc && xc[0] == '/')
        p = jr_path_join(xc, "fontconfig");
    else
        p = home ? jr_xasprintf("%s/.cache/fontconfig", home) : NULL;
    if (p)
        stamp_path(&b, p);
    free(p);
    p = xcfg && xcfg[0] == '/' ? jr_path_join(xcfg, "fontconfig")
        : home                 ? jr_xasprintf("%s/.config/fontconfig", home)
                               : NULL;
    if (p)
        stamp_path(&b, p);
    free(p);
    p = xd && xd[0] == '/' ? jr_path_join(xd, "fonts")
        : home             ? jr_xasprintf("%s/.local/share/fonts", home)
                           : NULL;
    if (p)
        stamp_path(&b, p);
    free(p);
    if (home) {
        p = jr_xasprintf("%s/.fonts", home);
        stamp_path(&b, p);
        free(p);
    }
    return jr_buf_detach(&b);
}

static void fam_entry_free(fam_entry *e)
{
    free(e->name);
    free(e->path);
    free(e->family);
}

/* Fields of one line, tab-separated; false if there are not n. */
static bool split_tabs(char *line, char **f, int n)
{
    for (int i = 0; i < n; i++) {
        f[i] = line;
        char *t = strchr(line, i + 1 < n ? '\t' : '\0');
        if (i + 1 < n) {
            if (!t)
                return false;
            *t = '\0';
            line = t + 1;
        }
    }
    return true;
}

static void famcache_load(jr_fontset *fs)
{
    fam_cache *c = &fs->fam;
    if (c->loaded)
        return;
    c->loaded = true;
    char *dir = jr_cache_dir();
    if (!dir)
        return;
    /* one file per set of language variables (they change fontconfig's
     * ranking): builds in different locales do not overwrite each other */
    jr_buf lv = {0};
    static const char *const langvars[] = {"FC_LANG", "LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof langvars / sizeof langvars[0]; i++) {
        const char *v = getenv(langvars[i]);
        jr_buf_printf(&lv, "%s=%s;", langvars[i], v ? v : "");
    }
    c->file = jr_xasprintf("%s/fonts-1-%016llx.txt", dir,
                           (unsigned long long)hash_bytes(lv.data, lv.len, 0));
    jr_buf_free(&lv);
    free(dir);
    c->stamp = fc_stamp();
    size_t len;
    char *text = jr_read_file(c->file, &len);
    if (!text)
        return;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    bool ok = line && strcmp(line, FAMCACHE_MAGIC) == 0;
    line = ok ? strtok_r(NULL, "\n", &save) : NULL;
    ok = ok && line && strcmp(line, c->stamp) == 0;
    while (ok && (line = strtok_r(NULL, "\n", &save))) {
        char *f[11];
        if (!split_tabs(line, f, 11))
            continue;
        JR_GROW(c->e, c->cap, c->n + 1);
        fam_entry *e = &c->e[c->n++];
        e->name = jr_xstrdup(f[0]);
        e->bold_req = atoi(f[1]);
        e->italic_req = atoi(f[2]);
        e->path = jr_xstrdup(f[3]);
        e->index = atoi(f[4]);
        e->family = jr_xstrdup(f[5]);
        e->bold = atoi(f[6]);
        e->italic = atoi(f[7]);
        e->size = atoll(f[8]);
        e->mtime_s = atoll(f[9]);
        e->mtime_ns = atoll(f[10]);
    }
    free(text);
}

static void famcache_save(fam_cache *c)
{
    if (!c->file || !c->dirty)
        return;
    c->dirty = false;
    jr_buf b = {0};
    jr_buf_printf(&b, "%s\n%s\n", FAMCACHE_MAGIC, c->stamp);
    for (size_t i = 0; i < c->n; i++) {
        const fam_entry *e = &c->e[i];
        if (strchr(e->name, '\t') || strchr(e->name, '\n') || strchr(e->path, '\t') ||
            strchr(e->path, '\n') || strchr(e->family, '\t') || strchr(e->family, '\n'))
            continue;
        jr_buf_printf(&b, "%s\t%d\t%d\t%s\t%d\t%s\t%d\t%d\t%lld\t%lld\t%lld\n", e->name,
                      e->bold_req, e->italic_req, e->path, e->index, e->family, e->bold, e->italic,
                      e->size, e->mtime_s, e->mtime_ns);
    }
    jr_cache_write(c->file, b.data, b.len);
    jr_buf_free(&b);
}

static fam_entry *famcache_find(fam_cache *c, const char *name, bool bold, bool italic)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].bold_req == bold && c->e[i].italic_req == italic &&
            strcmp(c->e[i].name, name) == 0)
            return &c->e[i];
    return NULL;
}

static bool same_file(const fam_entry *e)
{
    struct stat st;
    return stat(e->path, &st) == 0 && (long long)st.st_size == e->size &&
           (long long)st.st_mtim.tv_sec == e->mtime_s &&
           (long long)st.st_mtim.tv_nsec == e->mtime_ns;
}

/* Remember fontconfig's answer for (name, bold, italic). */
static void famcache_put(fam_cache *c, const char *name, bool bold, bool italic, const char *path,
                         int index, const char *family, int fbold, int fitalic)
{
    struct stat st;
    if (!c->file || !family || stat(path, &st) != 0)
        return;
    fam_entry *e = famcache_find(c, name, bold, italic);
    if (e) {
        fam_entry_free(e);
    } else {
        JR_GROW(c->e, c->cap, c->n + 1);
        e = &c->e[c->n++];
    }
    e->name = jr_xstrdup(name);
    e->bold_req = bold;
    e->italic_req = italic;
    e->path = jr_xstrdup(path);
    e->index = index;
    e->family = jr_xstrdup(family);
    e->bold = fbold;
    e->italic = fitalic;
    e->size = (long long)st.st_size;
    e->mtime_s = (long long)st.st_mtim.tv_sec;
    e->mtime_ns = (long long)st.st_mtim.tv_nsec;
    c->dirty = true;
    famcache_save(c);
}

static void famcache_free(fam_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        fam_entry_free(&c->e[i]);
    free(c->e);
    free(c->file);
    free(c->stamp);
    memset(c, 0, sizeof *c);
}

static FcConfig *fc_config(jr_fontset *fs)
{
    if (!fs->fc)
        fs->fc = FcInitLoadConfigAndFonts();
    return fs->fc;
}

static bool family_matches(FcPattern *p, const char *name)
{
    FcChar8 *fam;
    for (int i = 0; FcPatternGetString(p, FC_FAMILY, i, &fam) == FcResultMatch; i++)
        if (FcStrCmpIgnoreCase(fam, (const FcChar8 *)name) == 0)
            return true;
    return false;
}

static bool is_truetype(FcPattern *p)
{
    FcChar8 *fmt;
    return FcPatternGetString(p, FC_FONTFORMAT, 0, &fmt) == FcResultMatch &&
           strcmp((const char *)fmt, "TrueType") == 0;
}

/* Load candidate `p` of a fontconfig answer for (name, bold, italic); -1
 * unless it is TrueType. The answer goes into the family cache (name
 * NULL: a fallback font, not cached). */
static int load_pattern(jr_fontset *fs, FcPattern *p, const char *name, bool rbold, bool ritalic)
{
    if (!is_truetype(p))
        return -1;
    FcChar8 *file, *fam;
    int index = 0, weight = FC_WEIGHT_REGULAR, slant = FC_SLANT_ROMAN;
    if (FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch)
        return -1;
    FcPatternGetInteger(p, FC_INDEX, 0, &index);
    FcPatternGetInteger(p, FC_WEIGHT, 0, &weight);
    FcPatternGetInteger(p, FC_SLANT, 0, &slant);
    if (FcPatternGetString(p, FC_FAMILY, 0, &fam) != FcResultMatch)
        fam = NULL;
    int id = load_file(fs, (const char *)file, index & 0xFFFF, (const char *)fam,
                       weight >= FC_WEIGHT_DEMIBOLD, slant != FC_SLANT_ROMAN);
    if (id >= 0 && name)
        famcache_put(&fs->fam, name, rbold, ritalic, (const char *)file, index & 0xFFFF,
                     (const char *)fam, weight >= FC_WEIGHT_DEMIBOLD, slant != FC_SLANT_ROMAN);
    return id;
}

static void style_pattern(FcConfig *fc, FcPattern *pat, bool bold, bool italic)
{
    FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcPatternAddInteger(pat, FC_SLANT, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
    FcPatternAddBool(pat, FC_SCALABLE, FcTrue);
    FcConfigSubstitute(fc, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
}

static int load_family(jr_fontset *fs, const char *name, bool bold, bool italic)
{
    famcache_load(fs);
    const fam_entry *e = famcache_find(&fs->fam, name, bold, italic);
    if (e && same_file(e)) {
        int id = load_file(fs, e->path, e->index, e->family, e->bold, e->italic);
        if (id >= 0) {
            fs->fam_hits++;
            return id;
        }
    }
    FcConfig *fc = fc_config(fs);
    if (!fc)
        return -1;
    FcPattern *pat = FcPatternCreate();
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)name);
    style_pattern(fc, pat, bold, italic);
    int id = -1;
    /* Usually the best match is it (FcFontMatch is cheap). Never take a
     * substitute family: fontconfig always answers something. */
    FcResult res;
    FcPattern *m = FcFontMatch(fc, pat, &res);
    if (m) {
        if (family_matches(m, name))
            id = load_pattern(fs, m, name, bold, italic);
        FcPatternDestroy(m);
    }
    if (id < 0) {
        /* e.g. a CFF or bitmap face ranked first: the best TrueType one */
        FcResult r2;
        FcFontSet *set = FcFontSort(fc, pat, FcFalse, NULL, &r2);
        for (int i = 0; set && i < set->nfont && id < 0; i++)
            if (family_matches(set->fonts[i], name))
                id = load_pattern(fs, set->fonts[i], name, bold, italic);
        if (set)
            FcFontSetDestroy(set);
    }
    FcPatternDestroy(pat);
    return id;
}

static bool is_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 4 && (strcasecmp(name + n - 4, ".ttf") == 0 ||
                                           strcasecmp(name + n - 4, ".ttc") == 0));
}

int jr_font_load(jr_fontset *fs, const char *name, bool bold, bool italic, const char *base_dir)
{
    if (!fs || !name || !*name)
        return -1;
    bool path = is_path(name); /* base_dir only matters for paths */
    for (size_t i = 0; i < fs->nreqs; i++) {
        load_req *r = &fs->reqs[i];
        if (r->bold == bold && r->italic == italic && strcmp(r->name, name) == 0 &&
            (!path || (!r->base_dir && !base_dir) ||
             (r->base_dir && base_dir && strcmp(r->base_dir, base_dir) == 0)))
            return r->result;
    }
    int id;
    if (path) {
        char *p = (name[0] != '/' && base_dir) ? jr_path_join(base_dir, name) : jr_xstrdup(name);
        id = load_file(fs, p, 0, NULL, -1, -1);
        free(p);
    } else {
        id = load_family(fs, name, bold, italic);
    }
    JR_GROW(fs->reqs, fs->reqs_cap, fs->nreqs + 1);
    load_req *r = &fs->reqs[fs->nreqs++];
    r->name = jr_xstrdup(name);
    r->base_dir = jr_xstrdup(base_dir);
    r->bold = bold;
    r->italic = italic;
    r->result = id;
    return id;
}

/* ---------------------------------------------------------------- glyphs */

/* libharu writes two-byte code points: nothing above U+FFFF, no surrogates,
 * no noncharacters. */
static bool drawable_cp(uint32_t cp)
{
    if (cp > 0xFFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return false;
    if (cp >= 0xFDD0 && cp <= 0xFDEF)
        return false;
    if ((cp & 0xFFFE) == 0xFFFE)
        return false;
    return true;
}

bool jr_font_has_glyph(const jr_fontset *fs, int font, uint32_t cp)
{
    if (!font_ok(fs, font) || !drawable_cp(cp))
        return false;
    jr_font *f = fs->fonts[font];
    if (!f->hasbits)
        f->hasbits = jr_xcalloc(0x10000 / 4, 1);
    uint8_t *b = &f->hasbits[cp >> 2];
    unsigned sh = (cp & 3) * 2;
    if (*b & (1u << sh))
        return (*b >> (sh + 1)) & 1u;
    hb_codepoint_t g;
    bool has = hb_font_get_nominal_glyph(f->font, cp, &g) && g != 0;
    *b |= (uint8_t)((1u | (has ? 2u : 0u)) << sh);
    return has;
}

static cp_slot *fallback_slot(jr_font *f, uint32_t cp)
{
    if (!f->fallback)
        return NULL;
    size_t mask = f->fallback_cap - 1;
    for (size_t i = (cp * 2654435761u) & mask;; i = (i + 1) & mask) {
        if (f->fallback[i].cp == cp || f->fallback[i].cp == UINT32_MAX)
            return &f->fallback[i];
    }
}

static void fallback_put(jr_font *f, uint32_t cp, int font)
{
    if ((f->fallback_used + 1) * 2 > f->fallback_cap) {
        cp_slot *old = f->fallback;
        size_t oldcap = f->fallback_cap;
        f->fallback_cap = oldcap ? oldcap * 2 : 16;
        f->fallback = jr_xmalloc(f->fallback_cap * sizeof *f->fallback);
        for (size_t i = 0; i < f->fallback_cap; i++)
            f->fallback[i].cp = UINT32_MAX;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].cp != UINT32_MAX)
                *fallback_slot(f, old[i].cp) = old[i];
        free(old);
    }
    cp_slot *s = fallback_slot(f, cp);
    if (s->cp == UINT32_MAX)
        f->fallback_used++;
    s->cp = cp;
    s->font = font;
}

static int find_fallback(jr_fontset *fs, int font, uint32_t cp)
{
    bool bold = fs->fonts[font]->info.bold, italic = fs->fonts[font]->info.italic;
    FcPattern *pat = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    FcCharSetAddChar(cs, cp);
    FcPatternAddCharSet(pat, FC_CHARSET, cs);
    /* Same family first (its serif/sans aliases follow from the config). */
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)fs->fonts[font]->family);
    FcConfig *fc = fc_config(fs);
    FcFontSet *set = NULL;
    if (fc) {
        FcResult res;
        style_pattern(fc, pat, bold, italic);
        set = FcFontSort(fc, pat, FcFalse, NULL, &res);
    }
    int id = -1;
    if (set) {
        for (int i = 0; i < set->nfont && id < 0; i++) {
            FcPattern *p = set->fonts[i];
            FcCharSet *have;
            if (FcPatternGetCharSet(p, FC_CHARSET, 0, &have) != FcResultMatch ||
                !FcCharSetHasChar(have, cp) || !is_truetype(p))
                continue;
            int cand = load_pattern(fs, p, NULL, false, false);
            if (cand >= 0 && jr_font_has_glyph(fs, cand, cp))
                id = cand;
        }
        FcFontSetDestroy(set);
    }
    FcCharSetDestroy(cs);
    FcPatternDestroy(pat);
    return id;
}

static int font_for_char_slow(jr_fontset *fs, int font, uint32_t cp);

int jr_font_for_char(jr_fontset *fs, int font, uint32_t cp)
{
    if (!font_ok(fs, font) || !drawable_cp(cp))
        return -1;
    jr_font *bf = fs->fonts[font];
    if (cp < JR_ADV1_CPS && bf->forchar && bf->forchar[cp] != INT32_MIN)
        return bf->forchar[cp];
    int id = font_for_char_slow(fs, font, cp);
    if (cp < JR_ADV1_CPS) {
        /* asked once per character of the text: remembered */
        if (!bf->forchar) {
            bf->forchar = jr_xmalloc(JR_ADV1_CPS * sizeof *bf->forchar);
            for (size_t i = 0; i < JR_ADV1_CPS; i++)
                bf->forchar[i] = INT32_MIN;
        }
        bf->forchar[cp] = id;
    }
    return id;
}

static int font_for_char_slow(jr_fontset *fs, int font, uint32_t cp)
{
    if (jr_font_has_glyph(fs, font, cp))
        return font;
    cp_slot *s = fallback_slot(fs->fonts[font], cp);
    if (s && s->cp == cp)
        return s->font;
    int id = find_fallback(fs, font, cp);
    fallback_put(fs->fonts[font], cp, id);
    return id;
}

/* ---------------------------------------------------------------- measuring */

static void cache_grow(jr_fontset *fs)
{
    measure_entry *old = fs->cache;
    size_t oldcap = fs->cache_cap;
    fs->cache_cap = oldcap * 2;
    fs->cache = jr_xcalloc(fs->cache_cap, sizeof *fs->cache);
    size_t mask = fs->cache_cap - 1;
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].hash)
            continue;
        size_t j = (size_t)old[i].hash & mask;
        while (fs->cache[j].hash)
            j = (j + 1) & mask;
        fs->cache[j] = old[i];
    }
    free(old);
}

/* The fast path's view of a code point: false when the text must be shaped
 * (no glyph, a mark, an ignorable, a script other than Latin, Greek,
 * Cyrillic and common punctuation). *script: 0 common, else 1-3. */
static bool fast_glyph(jr_font *f, uint32_t cp, hb_codepoint_t *gid, int32_t *adv, uint8_t *script)
{
    glyph_slot tmp, *s = &tmp;
    if (cp < JR_GLYPH_CACHE_CPS) {
        if (!f->glyphs)
            f->glyphs = jr_xcalloc(JR_GLYPH_CACHE_CPS, sizeof *f->glyphs);
        s = &f->glyphs[cp];
        if (s->state) {
            *gid = s->gid;
            *adv = s->adv;
            *script = s->script;
            return s->state == 1;
        }
    }
    memset(s, 0, sizeof *s);
    s->state = 2;
    hb_unicode_funcs_t *uf = hb_unicode_funcs_get_default();
    hb_script_t sc = hb_unicode_script(uf, cp);
    hb_unicode_general_category_t gc = hb_unicode_general_category(uf, cp);
    hb_codepoint_t g = 0;
    bool ok = cp >= 0x20 && cp != 0x7F && cp != 0xAD && !(cp >= 0x80 && cp < 0xA0) &&
              !(cp >= 0x200B && cp <= 0x200F) && !(cp >= 0x2028 && cp <= 0x202F) &&
              !(cp >= 0x2060 && cp <= 0x206F) && !(cp >= 0xFE00 && cp <= 0xFE0F) && cp != 0xFEFF &&
              cp <= 0xFFFF;
    ok = ok && gc != HB_UNICODE_GENERAL_CATEGORY_NON_SPACING_MARK &&
         gc != HB_UNICODE_GENERAL_CATEGORY_ENCLOSING_MARK &&
         gc != HB_UNICODE_GENERAL_CATEGORY_SPACING_MARK &&
         gc != HB_UNICODE_GENERAL_CATEGORY_FORMAT && gc != HB_UNICODE_GENERAL_CATEGORY_CONTROL &&
         gc != HB_UNICODE_GENERAL_CATEGORY_SURROGATE;
    ok = ok && (sc == HB_SCRIPT_COMMON || sc == HB_SCRIPT_LATIN || sc == HB_SCRIPT_GREEK ||
                sc == HB_SCRIPT_CYRILLIC);
    ok = ok && hb_font_get_nominal_glyph(f->font, cp, &g) && g != 0 && g <= 0xFFFF &&
         hb_ot_layout_get_glyph_class(f->face, g) != HB_OT_LAYOUT_GLYPH_CLASS_MARK;
    if (ok) {
        s->state = 1;
        s->gid = (uint16_t)g;
        s->adv = hb_font_get_glyph_h_advance(f->font, g);
        s->script = sc == HB_SCRIPT_LATIN      ? 1
                    : sc == HB_SCRIPT_GREEK    ? 2
                    : sc == HB_SCRIPT_CYRILLIC ? 3
                                               : 0;
    }
    *gid = s->gid;
    *adv = s->adv;
    *script = s->script;
    return ok;
}

static const hb_script_t jr_scripts[4] = {HB_SCRIPT_LATIN, HB_SCRIPT_LATIN, HB_SCRIPT_GREEK,
                                          HB_SCRIPT_CYRILLIC};

/* Shaping setup shared by both paths. */
static void shape_buffer(jr_fontset *fs, jr_font *f, hb_script_t script)
{
    hb_buffer_t *b = fs->buf;
    hb_buffer_set_direction(b, HB_DIRECTION_LTR);
    hb_buffer_set_script(b, script);
    hb_buffer_set_language(b, fs->lang);
    hb_shape(f->font, b, jr_features, JR_NFEATURES);
}

/* Add a pair to the font's table (the key is not in it). */
static void pair_put(jr_font *f, uint64_t key, int32_t kern)
{
    if ((f->pairs_used + 1) * 2 > f->pairs_cap) {
        pair_slot *old = f->pairs;
        size_t oldcap = f->pairs_cap;
        f->pairs_cap = oldcap ? oldcap * 2 : 1024;
        f->pairs = jr_xcalloc(f->pairs_cap, sizeof *f->pairs);
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].key)
                continue;
            size_t j = (size_t)(old[i].key * 0x9E3779B97F4A7C15ull >> 40) & (f->pairs_cap - 1);
            while (f->pairs[j].key)
                j = (j + 1) & (f->pairs_cap - 1);
            f->pairs[j] = old[i];
        }
        free(old);
    }
    size_t j = (size_t)(key * 0x9E3779B97F4A7C15ull >> 40) & (f->pairs_cap - 1);
    while (f->pairs[j].key)
        j = (j + 1) & (f->pairs_cap - 1);
    f->pairs[j].key = key;
    f->pairs[j].kern = kern;
    f->pairs_used++;
}

/* Kerning between two glyphs (of code points l, r) in font units, shaped
 * once and cached; JR_PAIR_UNSAFE when shaping the pair does more than
 * change the first advance. */
static int32_t pair_kern(jr_fontset *fs, jr_font *f, uint8_t script, uint32_t l, hb_codepoint_t gl,
                         int32_t advl, uint32_t r, hb_codepoint_t gr, int32_t advr)
{
    uint64_t key = ((uint64_t)script << 32 | (uint64_t)gl << 16 | gr) + 1;
    if (f->pairs) {
        size_t mask = f->pairs_cap - 1;
        for (size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull >> 40) & mask; f->pairs[i].key;
             i = (i + 1) & mask)
            if (f->pairs[i].key == key)
                return f->pairs[i].kern;
    }
    hb_buffer_t *b = fs->buf;
    hb_buffer_clear_contents(b);
    uint32_t two[2] = {l, r};
    hb_buffer_add_codepoints(b, two, 2, 0, 2);
    shape_buffer(fs, f, jr_scripts[script]);
    unsigned int ng;
    hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(b, &ng);
    hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(b, &ng);
    int32_t kern = JR_PAIR_UNSAFE;
    if (ng == 2 && gi[0].codepoint == gl && gi[1].codepoint == gr && gp[0].x_offset == 0 &&
        gp[1].x_offset == 0 && gp[1].x_advance == advr)
        kern = gp[0].x_advance - advl;
    pair_put(f, key, kern);
    return kern;
}

/* ---------------------------------------------------------------- kerning cache */

/* Shaping the pairs of a font for the first time is most of what measuring
 * an edition costs with a fresh fontset (every build). So the pairs are
 * kept per font file in the cache folder (kern-1-*.bin): valid for the
 * file's path, face index, size and modification time and the HarfBuzz
 * version; refused when its length or checksum is wrong. */

#define KERNCACHE_MAGIC "JRKERN\x01\n"

typedef struct kern_rec {
    uint64_t key;
    int32_t kern;
    int32_t pad;
} kern_rec;

/* The header: magic, then the identity as text, NUL-padded to 8 bytes. */
static char *kern_identity(const jr_font *f)
{
    return jr_xasprintf("%s|%d|%lld|%lld.%lld|hb %s", f->path, f->info.face_index, f->file_size,
                        f->file_mtime_s, f->file_mtime_ns, hb_version_string());
}

/* The font's kern-1-*.bin or shape-1-*.bin. */
static char *font_cache_file(const jr_font *f, const char *kind)
{
    char *id = kern_identity(f);
    char *p = jr_cache_file(kind, id);
    free(id);
    return p;
}

static void kern_load(jr_font *f)
{
    struct stat st;
    if (stat(f->path, &st) != 0)
        return;
    f->file_size = (long long)st.st_size;
    f->file_mtime_s = (long long)st.st_mtim.tv_sec;
    f->file_mtime_ns = (long long)st.st_mtim.tv_nsec;
    if (!f->pairwise)
        return; /* only the fast path asks for pairs */
    char *file = font_cache_file(f, "kern-1");
    size_t len = 0;
    char *data = file ? jr_read_file(file, &len) : NULL;
    free(file);
    if (!data)
        return;
    char *id = kern_identity(f);
    uint64_t n = 0;
    size_t pos = jr_cache_check(data, len, KERNCACHE_MAGIC, id, &n);
    if (pos > 0 && n < (1u << 24) && len == pos + n * sizeof(kern_rec)) {
        const kern_rec *r = (const kern_rec *)(const void *)(data + pos);
        for (size_t i = 0; i < n; i++)
            if (r[i].key)
                pair_put(f, r[i].key, r[i].kern);
        f->pairs_saved = f->pairs_used;
    }
    free(id);
    free(data);
}

static void kern_save(jr_font *f)
{
    if (!f->pairwise || f->pairs_used == f->pairs_saved || f->file_size == 0)
        return;
    char *file = font_cache_file(f, "kern-1");
    if (!file)
        return;
    char *id = kern_identity(f);
    jr_buf b = {0};
    size_t header = jr_cache_begin(&b, KERNCACHE_MAGIC, id);
    free(id);
    uint64_t k = 0;
    for (size_t i = 0; i < f->pairs_cap && k < f->pairs_used; i++)
        if (f->pairs[i].key) {
            kern_rec r = {f->pairs[i].key, f->pairs[i].kern, 0};
            jr_buf_put(&b, (const char *)&r, sizeof r);
            k++;
        }
    jr_cache_seal(&b, header, k);
    if (jr_cache_write(file, b.data, b.len) == 0)
        f->pairs_saved = f->pairs_used;
    jr_buf_free(&b);
    free(file);
}

/* ---------------------------------------------------------------- shape cache */

/* Texts the fast path cannot measure (fonts whose kerning is not pairwise,
 * marks, other scripts) are shaped by HarfBuzz, a few hundred per edition
 * and about 18,000 instructions each. Their measurements are kept per font
 * file like the kerning pairs (shape-1-*.bin, same identity) and put into
 * the measurement cache when the font is loaded. Records: text length,
 * code points, width at 1000 pt (double), a flag for kern values, the
 * text (padded to 4 bytes), the kern values. */

#define SHAPECACHE_MAGIC "JRSHAP\x01\n"

/* Put a measurement into the measurement cache (unless it is there). */
static void cache_insert(jr_fontset *fs, int font, const char *text, size_t len, size_t ncp,
                         double w1000, const int32_t *kern)
{
    uint64_t h = hash_bytes(text, len, font);
    if ((fs->cache_used + 1) * 4 > fs->cache_cap * 3)
        cache_grow(fs);
    size_t mask = fs->cache_cap - 1, slot;
    for (slot = (size_t)h & mask; fs->cache[slot].hash; slot = (slot + 1) & mask) {
        const measure_entry *e = &fs->cache[slot];
        if (e->hash == h && e->len == len && e->font == font && memcmp(e->text, text, len) == 0)
            return;
    }
    measure_entry *e = &fs->cache[slot];
    size_t kbytes = kern ? ncp * sizeof(int) : 0;
    char *mem = jr_xmalloc(kbytes + len + 1);
    e->kern = NULL;
    if (kern) {
        e->kern = (int *)(void *)mem;
        for (size_t i = 0; i < ncp; i++)
            e->kern[i] = kern[i];
    }
    memcpy(mem + kbytes, text, len);
    mem[kbytes + len] = '\0';
    e->mem = mem;
    e->text = mem + kbytes;
    e->hash = h;
    e->len = (uint32_t)len;
    e->ncp = (uint32_t)ncp;
    e->font = font;
    e->w1000 = w1000;
    e->shaped = 2;
    fs->cache_used++;
}

static void shape_load(jr_fontset *fs, jr_font *f, int font)
{
    if (f->file_size == 0)
        return;
    char *file = font_cache_file(f, "shape-1");
    size_t len = 0;
    char *data = file ? jr_read_file(file, &len) : NULL;
    free(file);
    if (!data)
        return;
    char *id = kern_identity(f);
    uint64_t n = 0;
    size_t pos = jr_cache_check(data, len, SHAPECACHE_MAGIC, id, &n), count = 0;
    bool ok = pos > 0;
    free(id);
    for (uint64_t i = 0; ok && i < n; i++) {
        uint32_t tl, ncp, flags;
        double w;
        if (len - pos < 20)
            break;
        memcpy(&tl, data + pos, 4);
        memcpy(&ncp, data + pos + 4, 4);
        memcpy(&w, data + pos + 8, 8);
        memcpy(&flags, data + pos + 16, 4);
        pos += 20;
        size_t tpad = ((size_t)tl + 3) & ~(size_t)3, kb = flags ? (size_t)ncp * 4 : 0;
        if (tl == 0 || tl > JR_MEASURE_CACHE_MAX_LEN || ncp > tl || len - pos < tpad + kb)
            break;
        int32_t kern[JR_MEASURE_CACHE_MAX_LEN];
        if (kb)
            memcpy(kern, data + pos + tpad, kb);
        cache_insert(fs, font, data + pos, tl, ncp, w, kb ? kern : NULL);
        pos += tpad + kb;
        count++;
    }
    f->shaped = f->shaped_saved = count;
    free(data);
}

static void shape_save(jr_fontset *fs, jr_font *f, int font)
{
    if (f->shaped == f->shaped_saved || f->file_size == 0)
        return;
    char *file = font_cache_file(f, "shape-1");
    if (!file)
        return;
    jr_buf b = {0};
    char *id = kern_identity(f);
    size_t header = jr_cache_begin(&b, SHAPECACHE_MAGIC, id);
    free(id);
    uint64_t n = 0;
    /* a file grown big over many editions: only what this run shaped */
    bool big = f->shaped > 16384;
    for (size_t i = 0; i < fs->cache_cap; i++) {
        const measure_entry *e = &fs->cache[i];
        if (!e->hash || !e->shaped || e->font != font || (big && e->shaped == 2))
            continue;
        uint32_t tl = e->len, ncp = e->ncp, flags = e->kern != NULL;
        jr_buf_put(&b, (const char *)&tl, 4);
        jr_buf_put(&b, (const char *)&ncp, 4);
        jr_buf_put(&b, (const char *)&e->w1000, 8);
        jr_buf_put(&b, (const char *)&flags, 4);
        jr_buf_put(&b, e->text, tl);
        while (b.len % 4)
            jr_buf_putc(&b, 0);
        for (uint32_t k = 0; flags && k < ncp; k++) {
            int32_t v = e->kern[k];
            jr_buf_put(&b, (const char *)&v, 4);
        }
        n++;
    }
    jr_cache_seal(&b, header, n);
    if (jr_cache_write(file, b.data, b.len) == 0)
        f->shaped_saved = f->shaped;
    free(file);
    jr_buf_free(&b);
}

size_t jr_fontset_cached_shapes(const jr_fontset *fs)
{
    size_t n = 0;
    for (size_t i = 0; fs && i < fs->nfonts; i++)
        n += fs->fonts[i]->shaped_saved;
    return n;
}

size_t jr_fontset_cached_pairs(const jr_fontset *fs)
{
    size_t n = 0;
    for (size_t i = 0; fs && i < fs->nfonts; i++)
        n += fs->fonts[i]->pairs_saved;
    return n;
}

void jr_fontset_save_caches(jr_fontset *fs)
{
    for (size_t i = 0; fs && i < fs->nfonts; i++) {
        kern_save(fs->fonts[i]);
        shape_save(fs, fs->fonts[i], (int)i);
    }
}

/* The fast path: fills fs->cps / fs->pos like shape() and returns true, or
 * returns false when the text must be shaped. */
static bool sum_pairs(jr_fontset *fs, jr_font *f, const char *text, size_t len, size_t *ncp_out,
                      double *width)
{
    JR_GROW(fs->cps, fs->cps_cap, len + 1);
    JR_GROW(fs->pos, fs->pos_cap, len + 1);
    if (len + 1 > fs->glyph_cap) {
        fs->glyph_cap = len + 1;
        fs->gids = jr_xrealloc(fs->gids, fs->glyph_cap * sizeof *fs->gids);
        fs->advs = jr_xrealloc(fs->advs, fs->glyph_cap * sizeof *fs->advs);
    }
    /* glyphs, and the script HarfBuzz would guess: the first strong one */
    size_t ncp = 0;
    uint8_t script = 0;
    int64_t w = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = jr_utf8_decode(text + i, len - i, &cp);
        uint8_t sc;
        if (n == 0 || !fast_glyph(f, cp, &fs->gids[ncp], &fs->advs[ncp], &sc))
            return false;
        if (!script)
            script = sc;
        w += fs->advs[ncp];
        fs->cps[ncp++] = cp;
        i += n;
    }
    if (!script)
        script = 1; /* common only: Latin, as in shape() */
    if (ncp)
        fs->pos[0] = 0;
    for (size_t i = 1; i < ncp; i++) {
        int32_t k = pair_kern(fs, f, script, fs->cps[i - 1], fs->gids[i - 1], fs->advs[i - 1],
                              fs->cps[i], fs->gids[i], fs->advs[i]);
        if (k == JR_PAIR_UNSAFE)
            return false;
        fs->pos[i] = k;
        w += k;
    }
    *ncp_out = ncp;
    *width = (double)w;
    return true;
}

/* Shape `text` and fill the scratch arrays. Returns the width in font units;
 * *ncp_out receives the number of code points, fs->pos[i] the kerning before
 * code point i in font units (positive = wider). */
static double shape(jr_fontset *fs, jr_font *f, const char *text, size_t len, size_t *ncp_out)
{
    /* code points and the index of the code point each byte belongs to.
     * Counted as jr_utf8_count does (every byte that is not a continuation
     * byte starts one), so that kern[] never gets more entries than the
     * caller counted, even for invalid UTF-8. */
    JR_GROW(fs->cp_at_byte, fs->cp_at_byte_cap, len + 1);
    JR_GROW(fs->cps, fs->cps_cap, len + 1);
    size_t ncp = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80) {
            uint32_t cp;
            jr_utf8_decode(text + i, len - i, &cp); /* U+FFFD when invalid */
            fs->cps[ncp++] = cp;
        }
        fs->cp_at_byte[i] = ncp ? (uint32_t)ncp - 1 : 0;
    }
    fs->cp_at_byte[len] = (uint32_t)ncp;
    *ncp_out = ncp;
    JR_GROW(fs->pos, fs->pos_cap, ncp + 1);

    hb_buffer_t *b = fs->buf;
    hb_buffer_clear_contents(b);
    hb_buffer_add_utf8(b, text, (int)len, 0, (int)len);
    hb_buffer_set_cluster_level(b, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
    hb_buffer_guess_segment_properties(b);
    hb_script_t sc = hb_buffer_get_script(b);
    if (sc == HB_SCRIPT_COMMON || sc == HB_SCRIPT_INHERITED || sc == HB_SCRIPT_UNKNOWN ||
        sc == HB_SCRIPT_INVALID)
        sc = HB_SCRIPT_LATIN;
    shape_buffer(fs, f, sc);

    unsigned int ng;
    hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(b, &ng);
    hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(b, &ng);

    /* shaped position (pen + offset) of the first glyph of each code point */
    double *shaped = fs->pos;
    for (size_t i = 0; i <= ncp; i++)
        shaped[i] = NAN;
    double pen = 0;
    for (unsigned int g = 0; g < ng; g++) {
        uint32_t c = gi[g].cluster < len ? fs->cp_at_byte[gi[g].cluster] : (uint32_t)ncp;
        if (c < ncp && isnan(shaped[c]))
            shaped[c] = pen + gp[g].x_offset;
        pen += gp[g].x_advance;
    }
    /* kerning = how far each code point moved against the nominal pen (the
     * PDF back end draws code point by code point with nominal advances) */
    double nominal = 0, prev_d = 0;
    for (size_t i = 0; i < ncp; i++) {
        double d = isnan(shaped[i]) ? prev_d : shaped[i] - nominal;
        shaped[i] = d - prev_d;
        prev_d = d;
        hb_codepoint_t glyph = 0;
        hb_font_get_nominal_glyph(f->font, fs->cps[i], &glyph);
        nominal += hb_font_get_glyph_h_advance(f->font, glyph);
    }
    if (ncp)
        shaped[0] = 0;
    return pen;
}

static double measure1000(jr_fontset *fs, int font, const char *text, size_t len, int *kern);

const double *jr_font_adv1000(jr_fontset *fs, int font)
{
    if (!font_ok(fs, font))
        return NULL;
    jr_font *f = fs->fonts[font];
    if (!f->adv1) {
        f->adv1 = jr_xmalloc(JR_ADV1_CPS * sizeof *f->adv1);
        for (size_t i = 0; i < JR_ADV1_CPS; i++)
            f->adv1[i] = NAN;
    }
    return f->adv1;
}

double jr_font_measure(jr_fontset *fs, int font, double size, const char *text, size_t len,
                       int *kern)
{
    if (!font_ok(fs, font) || !text || len == 0 || len > INT_MAX / 2)
        return 0;
    /* one character below U+0800 without its kern (word parts, spaces,
     * hyphens: called per character): a plain array per font */
    if (!kern && len <= 2) {
        const unsigned char *u = (const unsigned char *)text;
        uint32_t cp = UINT32_MAX;
        if (len == 1 && u[0] < 0x80)
            cp = u[0];
        else if (len == 2 && (u[0] & 0xE0) == 0xC0 && (u[1] & 0xC0) == 0x80)
            cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
        if (cp < JR_ADV1_CPS) {
            jr_font *f = fs->fonts[font];
            if (!f->adv1) {
                f->adv1 = jr_xmalloc(JR_ADV1_CPS * sizeof *f->adv1);
                for (size_t i = 0; i < JR_ADV1_CPS; i++)
                    f->adv1[i] = NAN;
            }
            double w1000 = f->adv1[cp];
            if (isnan(w1000))
                w1000 = f->adv1[cp] = measure1000(fs, font, text, len, NULL);
            return w1000 * size / 1000.0;
        }
    }
    return measure1000(fs, font, text, len, kern) * size / 1000.0;
}

/* The width of text at 1000 pt, i.e. in thousandths of an em; kern as for
 * jr_font_measure. */
static double measure1000(jr_fontset *fs, int font, const char *text, size_t len, int *kern)
{
    bool cacheable = len <= JR_MEASURE_CACHE_MAX_LEN;
    uint64_t h = 0;
    size_t slot = 0;
    if (cacheable) {
        h = hash_bytes(text, len, font);
        size_t mask = fs->cache_cap - 1;
        for (slot = (size_t)h & mask; fs->cache[slot].hash; slot = (slot + 1) & mask) {
            measure_entry *e = &fs->cache[slot];
            if (e->hash == h && e->len == len && e->font == font &&
                memcmp(e->text, text, len) == 0) {
                if (kern) {
                    if (e->kern)
                        memcpy(kern, e->kern, e->ncp * sizeof *kern);
                    else
                        memset(kern, 0, e->ncp * sizeof *kern);
                }
                return e->w1000;
            }
        }
    }

    jr_font *f = fs->fonts[font];
    size_t ncp;
    double width;
    bool shaped = false;
    if (fs->always_shape || !f->pairwise || !sum_pairs(fs, f, text, len, &ncp, &width)) {
        width = shape(fs, f, text, len, &ncp);
        shaped = !fs->always_shape; /* (exact mode shapes everything: not kept) */
    }
    double upem = f->info.units_per_em;
    double w1000 = width * 1000.0 / upem;
    bool any = false;
    for (size_t i = 0; i < ncp; i++) {
        /* TJ: thousandths of an em, positive tightens */
        int k = (int)lround(-fs->pos[i] * 1000.0 / upem);
        if (kern)
            kern[i] = k;
        any |= k != 0;
    }
    if (!cacheable)
        return w1000;

    if ((fs->cache_used + 1) * 4 > fs->cache_cap * 3) {
        cache_grow(fs);
        size_t mask = fs->cache_cap - 1;
        for (slot = (size_t)h & mask; fs->cache[slot].hash; slot = (slot + 1) & mask)
            ;
    }
    measure_entry *e = &fs->cache[slot];
    size_t kbytes = any ? ncp * sizeof(int) : 0;
    char *mem = jr_xmalloc(kbytes + len + 1);
    if (any) {
        e->kern = (int *)mem;
        for (size_t i = 0; i < ncp; i++)
            e->kern[i] = (int)lround(-fs->pos[i] * 1000.0 / upem);
    } else {
        e->kern = NULL;
    }
    memcpy(mem + kbytes, text, len);
    mem[kbytes + len] = '\0';
    e->mem = mem;
    e->text = mem + kbytes;
    e->hash = h;
    e->len = (uint32_t)len;
    e->ncp = (uint32_t)ncp;
    e->font = font;
    e->w1000 = w1000;
    e->shaped = shaped;
    f->shaped += shaped;
    fs->cache_used++;
    return w1000;
}

double jr_font_kern_pair(jr_fontset *fs, int font, double size, uint32_t left, uint32_t right)
{
    if (!font_ok(fs, font))
        return 0;
    char s[8];
    size_t n = jr_utf8_encode(left, s);
    n += jr_utf8_encode(right, s + n);
    int kern[2] = {0, 0};
    jr_font_measure(fs, font, size, s, n, kern);
    return -(double)kern[1] * size / 1000.0;
}

void jr_fontset_set_exact(jr_fontset *fs, bool always_shape)
{
    if (fs)
        fs->always_shape = always_shape;
}
