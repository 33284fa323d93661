/* pdf_font.c: fonts for libharu, cut down to what a document draws.
 *
 * libharu 2.3.0 loads a whole TrueType file: building a CID font it looks
 * up all 65,536 UCS-2 codes in the font's cmap with a linear scan of its
 * segments (most of the PDF writer's time for Noto's large cmaps), and it
 * embeds loca, hmtx, cmap and name whole (only glyf is cut). So each face
 * is first subset with HarfBuzz to the code points the document draws in
 * it: glyph ids renumbered (libharu maps Unicode to glyphs through the
 * subset's own cmap), only the tables libharu embeds (layout tables are not
 * needed: kerning is in the TJ numbers), hinting kept, a cmap that
 * libharu searches quickly (replace_cmap). libharu 2.3.0 loads fonts from
 * files only: the subset is written to a temporary file, loaded, and the
 * file unlinked at once (libharu keeps it open and reads the glyphs from
 * it when saving).
 *
 * Widths, units per em and the glyph outlines are those of the full font,
 * so text is placed and drawn exactly as before. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <harfbuzz/hb-subset.h>
#include <harfbuzz/hb.h>
#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>

#include "cache.h"
#include "fontmetrics.h"
#include "pdf_speed.h"
#include "util.h"

#define BMP_BYTES (65536 / 8)

struct jr_pdf_fonts {
    const jr_doclayout *dl;
    size_t n;             /* font ids */
    int *rep;             /* id -> the first id with the same file and face */
    unsigned char **bits; /* per representative id: code points drawn (BMP), or NULL */
    char **temp;          /* temporary files not yet unlinked (after a libharu error) */
    size_t ntemp, temp_cap;
    struct jr_pdf_own_font **own; /* font objects made here (freed with f) */
    size_t nown, own_cap;
    char *scratch; /* a subset being made into objects (freed with f after a libharu error) */
    unsigned char *scratch2, *scratch3; /* its program without names, its map */
};

static bool same_face(const jr_font_info *a, const jr_font_info *b)
{
    return a && b && a->path && b->path && a->face_index == b->face_index &&
           strcmp(a->path, b->path) == 0;
}

static void set_bit(unsigned char *bits, uint32_t cp)
{
    bits[cp >> 3] |= (unsigned char)(0x80u >> (cp & 7));
}

jr_pdf_fonts *jr_pdf_fonts_new(const jr_doclayout *dl)
{
    jr_pdf_fonts *f = jr_xcalloc(1, sizeof *f);
    f->dl = dl;
    f->n = dl && dl->fonts ? jr_font_count(dl->fonts) : 0;
    f->rep = jr_xcalloc(f->n ? f->n : 1, sizeof *f->rep);
    f->bits = jr_xcalloc(f->n ? f->n : 1, sizeof *f->bits);
    for (size_t i = 0; i < f->n; i++) {
        f->rep[i] = (int)i;
        const jr_font_info *fi = jr_font_get(dl->fonts, (int)i);
        for (size_t j = 0; j < i; j++)
            if (f->rep[j] == (int)j && same_face(fi, jr_font_get(dl->fonts, (int)j))) {
                f->rep[i] = (int)j;
                break;
            }
    }
    /* Every code point of the text within the BMP: also soft hyphens and
     * control characters, which pdf.c leaves out but measures (their widths
     * must be the full font's). */
    for (size_t p = 0; dl && p < dl->npages; p++) {
        const jr_page *pg = &dl->pages[p];
        for (size_t i = 0; i < pg->nitems; i++) {
            const jr_item *it = &pg->items[i];
            if (it->kind != JR_ITEM_TEXT || !it->text || it->font < 0 || (size_t)it->font >= f->n)
                continue;
            int r = f->rep[it->font];
            if (!f->bits[r]) {
                f->bits[r] = jr_xcalloc(BMP_BYTES, 1);
                set_bit(f->bits[r], 0x20); /* words joined in one TJ get a real space */
            }
            unsigned char *bits = f->bits[r];
            const char *s = it->text;
            size_t len = strlen(s), k = 0;
            while (k < len) {
                unsigned char ch = (unsigned char)s[k];
                if (ch < 0x80) {
                    set_bit(bits, ch);
                    k++;
                    continue;
                }
                uint32_t cp;
                size_t n = jr_utf8_decode(s + k, len - k, &cp);
                k += n ? n : 1;
                if (cp <= 0xFFFF && (cp < 0xD800 || cp > 0xDFFF))
                    set_bit(bits, cp);
            }
        }
    }
    return f;
}

void jr_pdf_fonts_free(jr_pdf_fonts *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->ntemp; i++) {
        unlink(f->temp[i]);
        free(f->temp[i]);
    }
    free(f->temp);
    for (size_t i = 0; i < f->nown; i++)
        jr_pdf_own_free(f->own[i]);
    free(f->own);
    free(f->scratch);
    free(f->scratch2);
    free(f->scratch3);
    for (size_t i = 0; i < f->n; i++)
        free(f->bits[i]);
    free(f->bits);
    free(f->rep);
    free(f);
}

/* ---- subsets, remembered for the run ---------------------------------------- */

#define SUBSET_CACHE 32

static struct subset_entry {
    char *path;
    int face;
    unsigned char *bits; /* BMP_BYTES */
    char *data;          /* the subset font file */
    size_t len;
} cache[SUBSET_CACHE];
static unsigned cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t make_lock = PTHREAD_MUTEX_INITIALIZER;

/* The tables libharu reads and embeds (it refuses a font without any of
 * them); every other table is dropped. */
static const char *const keep_tags[] = {"OS/2", "cmap", "cvt ", "fpgm", "glyf", "head", "hhea",
                                        "hmtx", "loca", "maxp", "name", "post", "prep"};

static bool keep_table(hb_tag_t t)
{
    for (size_t i = 0; i < sizeof keep_tags / sizeof keep_tags[0]; i++)
        if (t == hb_tag_from_string(keep_tags[i], 4))
            return true;
    return false;
}

static char *replace_cmap(const char *data, size_t len, const unsigned char *bits, size_t *outlen);

/* A subset of face `face` of `path` holding the code points in `bits`;
 * NULL if HarfBuzz cannot make one. Caller frees. */
static char *make_subset(const char *path, int face, const unsigned char *bits, size_t *len)
{
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
    if (!blob)
        return NULL;
    hb_face_t *src = hb_face_create(blob, (unsigned)face);
    hb_blob_destroy(blob);
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    char *out = NULL;
    if (!in) {
        hb_face_destroy(src);
        return NULL;
    }
    /* Glyph names kept: pdf.c's slim_font_program then rewrites the font
     * program that libharu makes (post format 3, checksums and the
     * whole-file checksum anew); it leaves a program alone whose post is
     * already format 3, and libharu's own checksum adjustment is wrong. */
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_GLYPH_NAMES);
    hb_set_t *uni = hb_subset_input_unicode_set(in);
    for (uint32_t cp = 0; cp < 65536; cp++)
        if (bits[cp >> 3] & (0x80u >> (cp & 7)))
            hb_set_add(uni, cp);
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    hb_tag_t tags[64];
    unsigned start = 0, count;
    do {
        count = sizeof tags / sizeof tags[0];
        hb_face_get_table_tags(src, start, &count, tags);
        for (unsigned i = 0; i < count; i++)
            if (!keep_table(tags[i]))
                hb_set_add(drop, tags[i]);
        start += count;
    } while (count == sizeof tags / sizeof tags[0]);
    hb_face_t *sub = hb_subset_or_fail(src, in);
    if (sub) {
        hb_blob_t *res = hb_face_reference_blob(sub);
        unsigned n = 0;
        const char *d = hb_blob_get_data(res, &n);
        if (d && n >= 12) {
            out = replace_cmap(d, n, bits, len);
            if (!out) {
                out = jr_xmalloc(n);
                memcpy(out, d, n);
                *len = n;
            }
        }
        hb_blob_destroy(res);
        hb_face_destroy(sub);
    }
    hb_subset_input_destroy(in);
    hb_face_destroy(src);
    return out;
}

/* ---- a cmap that libharu reads quickly ------------------------------------ */

/* libharu looks a code up by walking the format 4 segments in order, and
 * it looks up every one of the 65,536 codes once per font: the cost is the
 * number of segments. HarfBuzz writes one segment per run of consecutive
 * codes (dozens for a text in several scripts). The subset's cmap is
 * replaced by a single (3,1) format 4 subtable whose segments span gaps
 * of up to MERGE_GAP codes through the glyph id array (zeros in the
 * gaps): a handful of segments, the same mapping. */
#define MERGE_GAP 64

typedef struct bytes {
    unsigned char *d;
    size_t len, cap;
} bytes;

static void put16(bytes *b, unsigned v)
{
    JR_GROW(b->d, b->cap, b->len + 2);
    b->d[b->len++] = (unsigned char)(v >> 8);
    b->d[b->len++] = (unsigned char)v;
}

static void put32(bytes *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xFFFF);
}

uint32_t jr_tt_get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void jr_tt_put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

uint32_t jr_tt_checksum(const unsigned char *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i < n; i += 4) {
        unsigned char w[4] = {0, 0, 0, 0};
        memcpy(w, p + i, n - i < 4 ? n - i : 4);
        s += jr_tt_get32(w);
    }
    return s;
}

/* The cmap table for `codes` (ascending) mapped to `gids`. */
static void build_cmap(bytes *t, const uint32_t *codes, const uint16_t *gids, size_t n)
{
    /* segments: [first, last] index ranges into codes */
    size_t *seg_first = jr_xmalloc((n + 1) * sizeof *seg_first);
    size_t *seg_last = jr_xmalloc((n + 1) * sizeof *seg_last);
    size_t nseg = 0;
    for (size_t i = 0; i < n; i++) {
        if (nseg > 0 && codes[i] - codes[seg_last[nseg - 1]] <= MERGE_GAP + 1) {
            seg_last[nseg - 1] = i;
            continue;
        }
        seg_first[nseg] = seg_last[nseg] = i;
        nseg++;
    }
    unsigned segx2 = (unsigned)(nseg + 1) * 2;
    unsigned sr = 2, sel = 0;
    while (sr * 2 <= segx2) {
        sr *= 2;
        sel++;
    }
    size_t arr = 0; /* glyph id array entries */
    for (size_t s = 0; s < nseg; s++)
        arr += codes[seg_last[s]] - codes[seg_first[s]] + 1;
    size_t sublen = 16 + (size_t)segx2 * 4 + arr * 2;
    put16(t, 0); /* cmap version */
    put16(t, 1); /* one subtable: Windows, Unicode BMP */
    put16(t, 3);
    put16(t, 1);
    put32(t, 12);
    put16(t, 4);
    put16(t, (unsigned)sublen);
    put16(t, 0); /* language */
    put16(t, segx2);
    put16(t, sr);
    put16(t, sel);
    put16(t, segx2 - sr);
    for (size_t s = 0; s < nseg; s++)
        put16(t, codes[seg_last[s]]); /* endCode */
    put16(t, 0xFFFF);
    put16(t, 0); /* reservedPad */
    for (size_t s = 0; s < nseg; s++)
        put16(t, codes[seg_first[s]]); /* startCode */
    put16(t, 0xFFFF);
    for (size_t s = 0; s < nseg; s++)
        put16(t, 0); /* idDelta */
    put16(t, 1);
    size_t before = 0; /* glyph id array entries of earlier segments */
    for (size_t s = 0; s < nseg; s++) {
        /* idRangeOffset: from this word to the segment's first array entry */
        put16(t, (unsigned)(2 * (nseg + 1 - s) + 2 * before));
        before += codes[seg_last[s]] - codes[seg_first[s]] + 1;
    }
    put16(t, 0);
    for (size_t s = 0; s < nseg; s++) {
        size_t k = seg_first[s];
        for (uint32_t cp = codes[seg_first[s]]; cp <= codes[seg_last[s]]; cp++) {
            if (k <= seg_last[s] && codes[k] == cp)
                put16(t, gids[k++]);
            else
                put16(t, 0);
        }
    }
    free(seg_first);
    free(seg_last);
}

/* The font file `d` with its cmap replaced by one built from the font's
 * own mapping of `bits`; NULL if anything is unexpected (keep `d`). */
static char *replace_cmap(const char *data, size_t len, const unsigned char *bits, size_t *outlen)
{
    const unsigned char *d = (const unsigned char *)data;
    if (len < 12)
        return NULL;
    unsigned nt = (unsigned)d[4] << 8 | d[5];
    size_t dir = 12 + 16 * (size_t)nt;
    if (nt == 0 || nt > 64 || dir > len)
        return NULL;
    int head = -1, cmap = -1;
    for (unsigned i = 0; i < nt; i++) {
        const unsigned char *r = d + 12 + 16 * i;
        uint32_t off = jr_tt_get32(r + 8), tl = jr_tt_get32(r + 12);
        if (off > len || tl > len - off)
            return NULL;
        if (memcmp(r, "head", 4) == 0 && tl >= 12)
            head = (int)i;
        if (memcmp(r, "cmap", 4) == 0)
            cmap = (int)i;
    }
    if (head < 0 || cmap < 0)
        return NULL;
    /* the subset's own mapping */
    hb_blob_t *blob = hb_blob_create(data, (unsigned)len, HB_MEMORY_MODE_READONLY, NULL, NULL);
    hb_face_t *face = hb_face_create(blob, 0);
    hb_font_t *font = hb_font_create(face);
    uint32_t *codes = jr_xmalloc(65536 * sizeof *codes);
    uint16_t *gids = jr_xmalloc(65536 * sizeof *gids);
    size_t n = 0;
    for (uint32_t cp = 0; cp < 0xFFFF; cp++) {
        hb_codepoint_t g = 0;
        if ((bits[cp >> 3] & (0x80u >> (cp & 7))) && hb_font_get_nominal_glyph(font, cp, &g) &&
            g > 0 && g < 0xFFFF) {
            codes[n] = cp;
            gids[n++] = (uint16_t)g;
        }
    }
    hb_font_destroy(font);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
    bytes t = {0};
    build_cmap(&t, codes, gids, n);
    free(codes);
    free(gids);
    if (t.len > 0xFFFF) { /* a format 4 subtable is at most 64 KB */
        free(t.d);
        return NULL;
    }
    /* the tables again, in the same order, cmap replaced */
    size_t cap = dir + t.len + 3;
    for (unsigned i = 0; i < nt; i++)
        cap += (jr_tt_get32(d + 12 + 16 * i + 12) + 3) & ~(size_t)3;
    unsigned char *o = jr_xcalloc(cap, 1);
    memcpy(o, d, dir);
    size_t pos = dir, head_at = 0;
    for (unsigned i = 0; i < nt; i++) {
        const unsigned char *r = d + 12 + 16 * i;
        unsigned char *w = o + 12 + 16 * i;
        const unsigned char *src = (int)i == cmap ? t.d : d + jr_tt_get32(r + 8);
        uint32_t tl = (int)i == cmap ? (uint32_t)t.len : jr_tt_get32(r + 12);
        memcpy(o + pos, src, tl);
        if ((int)i == head) {
            head_at = pos;
            jr_tt_put32(o + pos + 8, 0); /* checkSumAdjustment, set below */
        }
        jr_tt_put32(w + 4, jr_tt_checksum(o + pos, tl));
        jr_tt_put32(w + 8, (uint32_t)pos);
        jr_tt_put32(w + 12, tl);
        pos += (tl + 3) & ~(size_t)3;
    }
    jr_tt_put32(o + head_at + 8, 0xB1B0AFBAu - jr_tt_checksum(o, pos));
    free(t.d);
    *outlen = pos;
    return (char *)o;
}

/* ---- subsets kept between builds ------------------------------------------ */

/* A rebuild draws the same characters, so the subset of each face is kept
 * in the cache folder (cache.h), one file per face: subset-1-<hash>.bin,
 * named by what it was made from (font path, face, size and modification
 * time of the file, HarfBuzz's version), holding the code points and the
 * subset under cache.c's header (the count is the subset's length). Used
 * only when all of it matches. */
#define SUBSET_MAGIC "JRSUBS1\n"

static char *subset_identity(const char *path, int face)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    return jr_xasprintf("%s|%d|%lld|%lld.%09ld|%s", path, face, (long long)st.st_size,
                        (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
                        hb_version_string());
}

/* The kept subset for (path, face, bits) or NULL. Caller frees. The
 * records after the header: the code points (BMP bits), then the subset. */
static char *subset_read(const char *path, int face, const unsigned char *bits, size_t *len)
{
    char *id = subset_identity(path, face);
    char *file = id ? jr_cache_file("subset-1", id) : NULL;
    size_t n = 0;
    char *d = file ? jr_read_file(file, &n) : NULL;
    uint64_t dl = 0;
    size_t pos = d ? jr_cache_check(d, n, SUBSET_MAGIC, id, &dl) : 0;
    char *out = NULL;
    if (pos > 0 && n - pos >= BMP_BYTES + 12 && dl == n - pos - BMP_BYTES &&
        memcmp(d + pos, bits, BMP_BYTES) == 0) {
        out = jr_xmalloc(dl);
        memcpy(out, d + pos + BMP_BYTES, dl);
        *len = dl;
    }
    free(d);
    free(file);
    free(id);
    return out;
}

static void subset_write(const char *path, int face, const unsigned char *bits, const char *data,
                         size_t len)
{
    char *id = subset_identity(path, face);
    char *file = id ? jr_cache_file("subset-1", id) : NULL;
    if (file) {
        jr_buf b = {0};
        size_t header = jr_cache_begin(&b, SUBSET_MAGIC, id);
        jr_buf_put(&b, (const char *)bits, BMP_BYTES);
        jr_buf_put(&b, data, len);
        jr_cache_seal(&b, header, len);
        jr_cache_write(file, b.data, b.len);
        jr_buf_free(&b);
    }
    free(file);
    free(id);
}

/* A copy of the subset for (path, face, bits), made or remembered. */
static char *get_subset(const char *path, int face, const unsigned char *bits, size_t *len)
{
    char *copy = NULL;
    /* held while a subset is made: the screen and the print PDF, written at
     * the same time, need the same subsets, and each is made once */
    pthread_mutex_lock(&make_lock);
    pthread_mutex_lock(&cache_lock);
    for (unsigned i = 0; i < SUBSET_CACHE && !copy; i++) {
        struct subset_entry *e = &cache[i];
        if (e->path && e->face == face && strcmp(e->path, path) == 0 &&
            memcmp(e->bits, bits, BMP_BYTES) == 0) {
            copy = jr_xmalloc(e->len);
            memcpy(copy, e->data, e->len);
            *len = e->len;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (copy) {
        pthread_mutex_unlock(&make_lock);
        return copy;
    }
    size_t n = 0;
    char *data = subset_read(path, face, bits, &n);
    if (!data) {
        data = make_subset(path, face, bits, &n);
        if (data)
            subset_write(path, face, bits, data, n);
    }
    if (!data) {
        pthread_mutex_unlock(&make_lock);
        return NULL;
    }
    pthread_mutex_lock(&cache_lock);
    struct subset_entry *e = &cache[cache_next++ % SUBSET_CACHE];
    free(e->path);
    free(e->bits);
    free(e->data);
    e->path = jr_xstrdup(path);
    e->face = face;
    e->bits = jr_xmalloc(BMP_BYTES);
    memcpy(e->bits, bits, BMP_BYTES);
    e->data = jr_xmalloc(n);
    memcpy(e->data, data, n);
    e->len = n;
    pthread_mutex_unlock(&cache_lock);
    pthread_mutex_unlock(&make_lock);
    *len = n;
    return data;
}

/* Write `data` to a new temporary file; its path (caller frees) or NULL. */
static char *write_temp(const char *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    char *path = jr_xasprintf("%s/journal-font-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    if (close(fd) != 0 || done != len) {
        unlink(path);
        free(path);
        return NULL;
    }
    return path;
}

/* The subset of font `id` with the code points the document draws in it
 * (caller frees), or NULL. */
static char *subset_of(const jr_pdf_fonts *f, HPDF_Doc pdf, int id, size_t *len)
{
    if (!f || !pdf || id < 0 || (size_t)id >= f->n)
        return NULL;
    const jr_font_info *fi = jr_font_get(f->dl->fonts, id);
    const unsigned char *bits = f->bits[f->rep[id]];
    if (!fi || !fi->path || !bits)
        return NULL;
    return get_subset(fi->path, fi->face_index, bits, len);
}

const char *jr_pdf_fonts_load(jr_pdf_fonts *f, HPDF_Doc pdf, int id)
{
    size_t len = 0;
    char *data = subset_of(f, pdf, id, &len);
    if (!data)
        return NULL;
    char *tmp = write_temp(data, len);
    free(data);
    if (!tmp)
        return NULL;
    /* If libharu fails, its error handler jumps out of here: the file is
     * removed by jr_pdf_fonts_free. */
    JR_GROW(f->temp, f->temp_cap, f->ntemp + 1);
    f->temp[f->ntemp++] = tmp;
    const char *name = HPDF_LoadTTFontFromFile(pdf, tmp, HPDF_TRUE);
    f->ntemp--;
    unlink(tmp);
    free(tmp);
    return name;
}

/* ---- the font objects written by us ------------------------------------------
 *
 * libharu builds a CID font by looking up all 65,536 UCS-2 codes (its
 * HPDF_Type0Font_New costs more than drawing a short edition) and embeds
 * the program it rewrites while saving. The subset already holds exactly
 * the glyphs a document draws, so the font's objects are made here from
 * its tables: Type0 font (Identity-H, ToUnicode), CIDFontType2 (CIDs are
 * UCS-2 codes, CIDToGIDMap to the subset's glyphs, W), FontDescriptor and
 * FontFile2, with the values libharu would compute (widths and metrics in
 * thousandths of an em, truncated; base font named as libharu names it). */

static unsigned be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static int sbe16(const unsigned char *p)
{
    return (int16_t)be16(p);
}

/* Table `tag` of font file d (n bytes): its bytes and length, or NULL. */
static const unsigned char *tt_table(const unsigned char *d, size_t n, const char *tag, size_t *len)
{
    if (n < 12)
        return NULL;
    unsigned nt = be16(d + 4);
    if (12 + 16 * (size_t)nt > n)
        return NULL;
    for (unsigned i = 0; i < nt; i++) {
        const unsigned char *r = d + 12 + 16 * i;
        if (memcmp(r, tag, 4) != 0)
            continue;
        uint32_t off = jr_tt_get32(r + 8), tl = jr_tt_get32(r + 12);
        if (off > n || tl > n - off)
            return NULL;
        *len = tl;
        return d + off;
    }
    return NULL;
}

unsigned char *jr_tt_post3(const unsigned char *d, size_t size, size_t *outlen)
{
    if (size < 12)
        return NULL;
    unsigned n = be16(d + 4);
    size_t dir = 12 + 16 * (size_t)n;
    int post = -1, head = -1;
    bool ok = n > 0 && n < 64 && dir <= size;
    for (unsigned i = 0; ok && i < n; i++) {
        const unsigned char *r = d + 12 + 16 * i;
        uint32_t off = jr_tt_get32(r + 8), len = jr_tt_get32(r + 12);
        ok = off <= size && len <= size - off;
        if (memcmp(r, "post", 4) == 0)
            post = (int)i;
        if (memcmp(r, "head", 4) == 0)
            head = (int)i;
    }
    if (!ok || post < 0 || head < 0 || jr_tt_get32(d + 12 + 16 * post + 12) <= 32 ||
        jr_tt_get32(d + 12 + 16 * head + 12) < 12)
        return NULL;
    size_t cap = dir;
    for (unsigned i = 0; i < n; i++)
        cap += (jr_tt_get32(d + 12 + 16 * i + 12) + 3) & ~3u;
    unsigned char *o = jr_xcalloc(cap, 1);
    memcpy(o, d, dir);
    size_t pos = dir, head_at = 0;
    for (unsigned i = 0; i < n; i++) {
        const unsigned char *r = d + 12 + 16 * i;
        unsigned char *w = o + 12 + 16 * i;
        uint32_t len = (int)i == post ? 32 : jr_tt_get32(r + 12);
        memcpy(o + pos, d + jr_tt_get32(r + 8), len);
        if ((int)i == post)
            jr_tt_put32(o + pos, 0x00030000); /* format 3: no glyph names */
        if ((int)i == head) {
            head_at = pos;
            jr_tt_put32(o + pos + 8, 0); /* checkSumAdjustment, set below */
        }
        jr_tt_put32(w + 4, jr_tt_checksum(o + pos, len));
        jr_tt_put32(w + 8, (uint32_t)pos);
        jr_tt_put32(w + 12, len);
        pos += (len + 3) & ~3u;
    }
    jr_tt_put32(o + head_at + 8, 0xB1B0AFBAu - jr_tt_checksum(o, pos));
    *outlen = pos;
    return o;
}

/* The identity ToUnicode CMap (codes are UCS-2 code points): bfrange
 * blocks of one high byte each (a bfrange may only vary in its last
 * byte), at most 100 per block, the surrogates left out. Made once. */
static char tounicode_text[8192];
static size_t tounicode_len;
static pthread_once_t tounicode_once = PTHREAD_ONCE_INIT;

static void make_tounicode(void)
{
    jr_buf b = {0};
    jr_buf_puts(&b, "/CIDInit /ProcSet findresource begin\n"
                    "12 dict begin\n"
                    "begincmap\n"
                    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                    "/CMapName /Adobe-Identity-UCS def\n"
                    "/CMapType 2 def\n"
                    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    int hi[256], n = 0;
    for (int h = 0; h < 256; h++)
        if (h < 0xD8 || h > 0xDF)
            hi[n++] = h;
    for (int i = 0; i < n; i += 100) {
        int m = n - i < 100 ? n - i : 100;
        jr_buf_printf(&b, "%d beginbfrange\n", m);
        for (int k = i; k < i + m; k++)
            jr_buf_printf(&b, "<%02X00> <%02XFF> <%02X00>\n", hi[k], hi[k], hi[k]);
        jr_buf_puts(&b, "endbfrange\n");
    }
    jr_buf_puts(&b, "endcmap\n"
                    "CMapName currentdict /CMap defineresource pop\n"
                    "end\n"
                    "end\n");
    if (b.len < sizeof tounicode_text) {
        memcpy(tounicode_text, b.data, b.len);
        tounicode_len = b.len;
    }
    jr_buf_free(&b);
}

const char *jr_pdf_tounicode(size_t *len)
{
    pthread_once(&tounicode_once, make_tounicode);
    *len = tounicode_len;
    return tounicode_len ? tounicode_text : NULL;
}

/* A name from the name table as libharu reads it: Macintosh Roman, else
 * the low bytes of Windows UTF-16BE (US English). "" if none. */
static void tt_name(const unsigned char *t, size_t tl, unsigned id, char *out, size_t outlen)
{
    out[0] = 0;
    if (tl < 6)
        return;
    unsigned count = be16(t + 2), strings = be16(t + 4);
    const unsigned char *mac = NULL, *win = NULL;
    unsigned mac_len = 0, win_len = 0;
    for (unsigned i = 0; i < count && 6 + 12 * (size_t)(i + 1) <= tl; i++) {
        const unsigned char *r = t + 6 + 12 * i;
        unsigned plat = be16(r), enc = be16(r + 2), lang = be16(r + 4), nid = be16(r + 6);
        unsigned len = be16(r + 8), off = be16(r + 10);
        if (nid != id || (size_t)strings + off + len > tl)
            continue;
        if (plat == 1 && enc == 0 && !mac) {
            mac = t + strings + off;
            mac_len = len;
        }
        if (plat == 3 && enc == 1 && lang == 0x0409 && !win) {
            win = t + strings + off;
            win_len = len;
        }
    }
    size_t n = 0;
    if (mac) {
        for (unsigned i = 0; i < mac_len && n + 1 < outlen; i++)
            out[n++] = (char)mac[i];
    } else if (win) {
        for (unsigned i = 1; i < win_len && n + 1 < outlen; i += 2)
            out[n++] = (char)win[i];
    }
    out[n] = 0;
}

/* yMax of glyph `gid` (for XHeight and CapHeight) scaled, 0 if none. */
static int glyph_top(const unsigned char *d, size_t n, unsigned gid, unsigned nglyphs,
                     int long_loca, unsigned upem)
{
    size_t ll = 0, gl = 0;
    const unsigned char *loca = tt_table(d, n, "loca", &ll);
    const unsigned char *glyf = tt_table(d, n, "glyf", &gl);
    if (!loca || !glyf || gid == 0 || gid >= nglyphs)
        return 0;
    size_t off, next;
    if (long_loca) {
        if ((size_t)(gid + 2) * 4 > ll)
            return 0;
        off = jr_tt_get32(loca + 4 * gid);
        next = jr_tt_get32(loca + 4 * (gid + 1));
    } else {
        if ((size_t)(gid + 2) * 2 > ll)
            return 0;
        off = 2 * (size_t)be16(loca + 2 * gid);
        next = 2 * (size_t)be16(loca + 2 * (gid + 1));
    }
    if (next <= off || off + 10 > gl)
        return 0;
    return sbe16(glyf + off + 8) * 1000 / (int)upem;
}

static uint16_t lookup(const jr_pdf_own_font *o, uint32_t cp)
{
    return cp < o->ncodes ? o->gid_of[cp] : 0;
}

bool jr_pdf_own_has(const jr_pdf_own_font *o, uint32_t cp)
{
    return lookup(o, cp) != 0;
}

HPDF_Font jr_pdf_own_dict(const jr_pdf_own_font *o)
{
    return (HPDF_Font)o->dict;
}

void jr_pdf_own_free(jr_pdf_own_font *o)
{
    if (!o)
        return;
    free(o->gid_of);
    free(o->adv);
    free(o);
}

/* Parse the (3,1) format 4 cmap into o->gid_of. */
static bool own_cmap(jr_pdf_own_font *o, const unsigned char *t, size_t tl)
{
    if (tl < 4)
        return false;
    unsigned nt = be16(t + 2);
    const unsigned char *s = NULL;
    size_t sl = 0;
    for (unsigned i = 0; i < nt && 4 + 8 * (size_t)(i + 1) <= tl; i++) {
        const unsigned char *r = t + 4 + 8 * i;
        uint32_t off = jr_tt_get32(r + 4);
        if (be16(r) == 3 && be16(r + 2) == 1 && off + 14 <= tl && be16(t + off) == 4) {
            s = t + off;
            sl = tl - off;
            break;
        }
    }
    if (!s)
        return false;
    unsigned segx2 = be16(s + 6), nseg = segx2 / 2;
    if (16 + 4 * (size_t)segx2 > sl)
        return false;
    const unsigned char *ends = s + 14, *starts = s + 16 + segx2, *deltas = s + 16 + 2 * segx2,
                        *ranges = s + 16 + 3 * segx2;
    uint32_t max = 0;
    for (unsigned k = 0; k < nseg; k++)
        if (be16(ends + 2 * k) != 0xFFFF && be16(ends + 2 * k) + 1u > max)
            max = be16(ends + 2 * k) + 1u;
    o->ncodes = max;
    o->gid_of = jr_xcalloc(max ? max : 1, sizeof *o->gid_of);
    for (unsigned k = 0; k < nseg; k++) {
        unsigned end = be16(ends + 2 * k), start = be16(starts + 2 * k);
        unsigned delta = be16(deltas + 2 * k), ro = be16(ranges + 2 * k);
        if (end == 0xFFFF || start > end)
            continue;
        for (unsigned cp = start; cp <= end; cp++) {
            unsigned g;
            if (ro == 0) {
                g = (cp + delta) & 0xFFFF;
            } else {
                size_t at = (size_t)(ranges + 2 * k - s) + ro + 2 * (size_t)(cp - start);
                if (at + 2 > sl)
                    return false;
                g = be16(s + at);
                if (g)
                    g = (g + delta) & 0xFFFF;
            }
            o->gid_of[cp] = (uint16_t)g;
        }
    }
    return true;
}

/* Make the objects (see above); NULL on anything unexpected. */
static jr_pdf_own_font *own_build(jr_pdf_fonts *f, HPDF_Doc pdf, const unsigned char *d, size_t n,
                                  jr_deflater *defl, bool cidset)
{
    size_t hl, hhl, ml, mxl, cl, nl, ol = 0, pl = 0;
    const unsigned char *head = tt_table(d, n, "head", &hl);
    const unsigned char *hhea = tt_table(d, n, "hhea", &hhl);
    const unsigned char *hmtx = tt_table(d, n, "hmtx", &ml);
    const unsigned char *maxp = tt_table(d, n, "maxp", &mxl);
    const unsigned char *cmap = tt_table(d, n, "cmap", &cl);
    const unsigned char *name = tt_table(d, n, "name", &nl);
    const unsigned char *os2 = tt_table(d, n, "OS/2", &ol);
    const unsigned char *post = tt_table(d, n, "post", &pl);
    if (!head || hl < 54 || !hhea || hhl < 36 || !hmtx || !maxp || mxl < 6 || !cmap || !name)
        return NULL;
    unsigned upem = be16(head + 18);
    unsigned nglyphs = be16(maxp + 4), nhm = be16(hhea + 34);
    if (upem == 0 || nglyphs == 0 || nhm == 0 || nhm > nglyphs || (size_t)nhm * 4 > ml)
        return NULL;
    jr_pdf_own_font *o = jr_xcalloc(1, sizeof *o);
    if (!own_cmap(o, cmap, cl)) {
        jr_pdf_own_free(o);
        return NULL;
    }
    JR_GROW(f->own, f->own_cap, f->nown + 1);
    f->own[f->nown++] = o; /* freed with f from here on */
    o->nglyphs = nglyphs;
    o->adv = jr_xmalloc(nglyphs * sizeof *o->adv);
    unsigned last = 0;
    for (unsigned g = 0; g < nglyphs; g++) {
        unsigned aw = g < nhm ? be16(hmtx + 4 * g) : last;
        last = aw;
        o->adv[g] = (int16_t)(uint16_t)(aw * 1000u / upem);
    }
    o->dw = o->adv[0];

    /* base font: TAG+PostScriptName[,Subfamily] as libharu makes it */
    char ps[128], sub[128], base[300];
    tt_name(name, nl, 6, ps, sizeof ps);
    tt_name(name, nl, 2, sub, sizeof sub);
    if (!ps[0] || !sub[0] || strlen(ps) + strlen(sub) + 8 > 127)
        return NULL;
    long flags = HPDF_FONT_STD_CHARSET;
    char style[128];
    size_t sn = 0;
    if (strncmp(sub, "Regular", 7) != 0) {
        for (const char *p = sub; *p && sn + 1 < sizeof style; p++)
            if (*p != ' ')
                style[sn++] = *p;
        if (strstr(sub, "Bold"))
            flags |= HPDF_FONT_FOURCE_BOLD;
        if (strstr(sub, "Italic"))
            flags |= HPDF_FONT_ITALIC;
    }
    style[sn] = 0;
    if (os2 && ol >= 32) {
        unsigned fc = os2[30];
        if ((fc > 0 && fc < 6) || fc == 7)
            flags |= HPDF_FONT_SERIF;
        if (fc == 10)
            flags |= HPDF_FONT_SCRIPT;
        if (fc == 12)
            flags |= HPDF_FONT_SYMBOLIC;
    }
    /* the next tag in libharu's sequence (HPDFAA, HPDFAB, ...) */
    if (pdf->ttfont_tag[0] == 0) {
        memcpy(pdf->ttfont_tag, "HPDFAA", 6);
    } else {
        for (int i = 5; i >= 0; i--) {
            pdf->ttfont_tag[i] += 1;
            if (pdf->ttfont_tag[i] > 'Z')
                pdf->ttfont_tag[i] = 'A';
            else
                break;
        }
    }
    char tag[7];
    memcpy(tag, pdf->ttfont_tag, 6);
    tag[6] = 0;
    snprintf(base, sizeof base, "%s+%s%s%s", tag, ps, style[0] ? "," : "", style);
    base[HPDF_LIMIT_MAX_NAME_LEN] = 0;

    int bl = sbe16(head + 36) * 1000 / (int)upem, bb = sbe16(head + 38) * 1000 / (int)upem;
    int br = sbe16(head + 40) * 1000 / (int)upem, bt = sbe16(head + 42) * 1000 / (int)upem;
    int ascent = sbe16(hhea + 4) * 1000 / (int)upem, descent = sbe16(hhea + 6) * 1000 / (int)upem;
    int long_loca = sbe16(head + 50);
    int xh = glyph_top(d, n, lookup(o, 'x'), nglyphs, long_loca, upem);
    int ch = glyph_top(d, n, lookup(o, 'H'), nglyphs, long_loca, upem);
    int italic = post && pl >= 8 ? (int)((int32_t)jr_tt_get32(post + 4) / 65536) : 0;

    HPDF_MMgr mm = pdf->mmgr;
    HPDF_Xref xref = pdf->xref;
    HPDF_Dict font = HPDF_Dict_New(mm);
    HPDF_Xref_Add(xref, font);
    font->header.obj_class |= HPDF_OSUBCLASS_FONT;
    o->dict = font;
    HPDF_Dict_AddName(font, "Type", "Font");
    HPDF_Dict_AddName(font, "BaseFont", base);
    HPDF_Dict_AddName(font, "Subtype", "Type0");
    HPDF_Dict_AddName(font, "Encoding", "Identity-H");
    size_t tul = 0;
    const char *tu = jr_pdf_tounicode(&tul);
    HPDF_Dict tou = HPDF_DictStream_New(mm, xref);
    if (tu && !jr_deflater_stream(defl, tou, tu, tul)) {
        HPDF_Stream_Write(tou->stream, (const HPDF_BYTE *)tu, (HPDF_UINT)tul);
        tou->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    }
    HPDF_Dict_Add(font, "ToUnicode", tou);
    HPDF_Array desc = HPDF_Array_New(mm);
    HPDF_Dict_Add(font, "DescendantFonts", desc);

    HPDF_Dict cid = HPDF_Dict_New(mm);
    HPDF_Xref_Add(xref, cid);
    HPDF_Array_Add(desc, cid);
    HPDF_Dict_AddName(cid, "Type", "Font");
    HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2");
    HPDF_Dict_AddName(cid, "BaseFont", base);
    HPDF_Dict info = HPDF_Dict_New(mm);
    HPDF_Dict_Add(info, "Registry", HPDF_String_New(mm, "Adobe", NULL));
    HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mm, "Identity", NULL));
    HPDF_Dict_AddNumber(info, "Supplement", 0);
    HPDF_Dict_Add(cid, "CIDSystemInfo", info);
    HPDF_Dict_AddNumber(cid, "DW", o->dw);
    HPDF_Array dw2 = HPDF_Array_New(mm);
    HPDF_Array_AddNumber(dw2, bb);
    HPDF_Array_AddNumber(dw2, bb - bt);
    HPDF_Dict_Add(cid, "DW2", dw2);
    /* W: runs of consecutive codes whose width is not DW */
    HPDF_Array w = HPDF_Array_New(mm);
    HPDF_Array run = NULL;
    uint32_t maxcid = 0;
    for (uint32_t cp = 0; cp < o->ncodes; cp++) {
        uint16_t g = o->gid_of[cp];
        int wd = g ? jr_pdf_own_width(o, cp) : o->dw;
        if (g)
            maxcid = cp;
        if (wd == o->dw) {
            run = NULL;
            continue;
        }
        if (!run) {
            HPDF_Array_AddNumber(w, (HPDF_INT32)cp);
            run = HPDF_Array_New(mm);
            HPDF_Array_Add(w, run);
        }
        HPDF_Array_AddNumber(run, wd);
    }
    HPDF_Dict_Add(cid, "W", w);
    /* CIDToGIDMap up to the last code with a glyph */
    size_t ml2 = 2 * ((size_t)maxcid + 1);
    unsigned char *map = f->scratch3 = jr_xmalloc(ml2);
    for (uint32_t cp = 0; cp <= maxcid; cp++) {
        uint16_t g = lookup(o, cp);
        map[2 * cp] = (unsigned char)(g >> 8);
        map[2 * cp + 1] = (unsigned char)g;
    }
    HPDF_Dict mapd = HPDF_DictStream_New(mm, xref);
    if (!jr_deflater_stream(defl, mapd, map, ml2)) {
        HPDF_Stream_Write(mapd->stream, map, (HPDF_UINT)ml2);
        mapd->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    }
    f->scratch3 = NULL;
    free(map);
    HPDF_Dict_Add(cid, "CIDToGIDMap", mapd);

    HPDF_Dict fd = HPDF_Dict_New(mm);
    HPDF_Xref_Add(xref, fd);
    HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
    HPDF_Dict_AddName(fd, "FontName", base);
    HPDF_Dict_AddNumber(fd, "Ascent", ascent);
    HPDF_Dict_AddNumber(fd, "Descent", descent);
    HPDF_Dict_AddNumber(fd, "CapHeight", ch);
    HPDF_Dict_AddNumber(fd, "Flags", (HPDF_INT32)flags);
    HPDF_Box box = {(HPDF_REAL)bl, (HPDF_REAL)bb, (HPDF_REAL)br, (HPDF_REAL)bt};
    HPDF_Dict_Add(fd, "FontBBox", HPDF_Box_Array_New(mm, box));
    HPDF_Dict_AddNumber(fd, "ItalicAngle", italic);
    HPDF_Dict_AddNumber(fd, "StemV", 0);
    HPDF_Dict_AddNumber(fd, "XHeight", xh);
    /* the program without glyph names (a CID font needs none) */
    size_t pn = 0;
    unsigned char *prog = jr_tt_post3(d, n, &pn);
    f->scratch2 = prog;
    const unsigned char *pd = prog ? prog : d;
    if (!prog)
        pn = n;
    HPDF_Dict ff = HPDF_DictStream_New(mm, xref);
    if (!jr_deflater_stream(defl, ff, pd, pn)) {
        HPDF_Stream_Write(ff->stream, pd, (HPDF_UINT)pn);
        ff->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    }
    HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)pn);
    f->scratch2 = NULL;
    free(prog);
    HPDF_Dict_AddNumber(ff, "Length2", 0);
    HPDF_Dict_AddNumber(ff, "Length3", 0);
    HPDF_Dict_Add(fd, "FontFile2", ff);
    if (cidset) { /* PDF/A-1: the CIDs with a glyph in the program */
        unsigned char *bits = f->scratch3 = jr_xcalloc((size_t)maxcid / 8 + 1, 1);
        bits[0] = 0x80; /* CID 0, .notdef */
        for (uint32_t cp = 1; cp <= maxcid; cp++)
            if (lookup(o, cp))
                bits[cp / 8] |= (unsigned char)(0x80u >> (cp % 8));
        HPDF_Dict set = HPDF_DictStream_New(mm, xref);
        if (!jr_deflater_stream(defl, set, bits, (size_t)maxcid / 8 + 1)) {
            HPDF_Stream_Write(set->stream, bits, (HPDF_UINT)(maxcid / 8 + 1));
            set->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        }
        f->scratch3 = NULL;
        free(bits);
        HPDF_Dict_Add(fd, "CIDSet", set);
    }
    HPDF_Dict_Add(cid, "FontDescriptor", fd);
    return o;
}

jr_pdf_own_font *jr_pdf_fonts_own(jr_pdf_fonts *f, HPDF_Doc pdf, int id, jr_deflater *defl,
                                  bool cidset)
{
    size_t len = 0;
    char *data = subset_of(f, pdf, id, &len);
    if (!data)
        return NULL;
    f->scratch = data; /* (libharu's error handler may jump out of own_build) */
    jr_pdf_own_font *o = own_build(f, pdf, (const unsigned char *)data, len, defl, cidset);
    f->scratch = NULL;
    free(data);
    return o;
}
