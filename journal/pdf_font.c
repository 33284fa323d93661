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
    struct font_rec *held; /* what objects are being made of (freed with f after a libharu error) */
};

struct font_rec;
static void rec_free(struct font_rec *r);

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
    if (f->held) {
        rec_free(f->held);
        free(f->held);
    }
    for (size_t i = 0; i < f->n; i++)
        free(f->bits[i]);
    free(f->bits);
    free(f->rep);
    free(f);
}

/* ---- subsets, remembered for the run ---------------------------------------- */

#define SUBSET_CACHE 32

static struct subset_entry {
    char *id;            /* subset_identity: path, face, size, modification time */
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
#define SUBSET_KIND  "subset-1"

static char *subset_identity(const char *path, int face)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    return jr_xasprintf("%s|%d|%lld|%lld.%09ld|%s", path, face, (long long)st.st_size,
                        (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
                        hb_version_string());
}

/* The kept subset for (id, bits) or NULL. Caller frees. The records
 * after the header: the code points (BMP bits), then the subset. */
static char *subset_read(const char *id, const unsigned char *bits, size_t *len)
{
    char *file = jr_cache_file(SUBSET_KIND, id);
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
    return out;
}

static void subset_write(const char *id, const unsigned char *bits, const char *data, size_t len)
{
    char *file = jr_cache_file(SUBSET_KIND, id);
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
}

/* A copy of the subset for (path, face, bits), made or remembered (for
 * the run under the file's identity: a font file changed while `journal
 * watch` runs is subset anew). */
static char *get_subset(const char *path, int face, const unsigned char *bits, size_t *len)
{
    char *id = subset_identity(path, face);
    char *copy = NULL;
    /* held while a subset is made: the screen and the print PDF, written at
     * the same time, need the same subsets, and each is made once */
    pthread_mutex_lock(&make_lock);
    pthread_mutex_lock(&cache_lock);
    for (unsigned i = 0; id && i < SUBSET_CACHE && !copy; i++) {
        struct subset_entry *e = &cache[i];
        if (e->id && strcmp(e->id, id) == 0 && memcmp(e->bits, bits, BMP_BYTES) == 0) {
            copy = jr_xmalloc(e->len);
            memcpy(copy, e->data, e->len);
            *len = e->len;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (copy) {
        pthread_mutex_unlock(&make_lock);
        free(id);
        return copy;
    }
    size_t n = 0;
    char *data = id ? subset_read(id, bits, &n) : NULL;
    if (!data) {
        data = make_subset(path, face, bits, &n);
        if (data && id)
            subset_write(id, bits, data, n);
    }
    if (!data || !id) {
        pthread_mutex_unlock(&make_lock);
        free(id);
        if (data)
            *len = n;
        return data;
    }
    pthread_mutex_lock(&cache_lock);
    struct subset_entry *e = &cache[cache_next++ % SUBSET_CACHE];
    free(e->id);
    free(e->bits);
    free(e->data);
    e->id = id;
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

/* ---- what the objects are made of, made once and kept ----------------------
 *
 * Everything the objects take from the subset: the code-to-glyph map and
 * the widths, the names, flags and metrics, and the four streams ready
 * compressed (ToUnicode, CIDToGIDMap, the program with a format 3 post,
 * CIDSet). Made once per run and face (the screen and the print PDF,
 * written at the same time, share it) and kept in the cache folder, so
 * that a rebuild whose fonts did not change reads the finished streams:
 * no subset, no post rewrite, no compression. */

typedef struct zdata {
    unsigned char *p; /* zlib data (z), else the raw bytes for libharu to compress */
    size_t len;       /* [bytes] */
    bool z;
} zdata;

typedef struct font_rec {
    uint32_t ncodes;
    uint16_t *gid_of; /* [ncodes]: the subset's glyph per code (0: none) */
    uint32_t nmapped;
    uint16_t *mapped; /* [nmapped]: the codes with a glyph, ascending */
    unsigned nglyphs;
    int16_t *adv;             /* [nglyphs]: widths [1/1000 em] */
    char ps[128], style[128]; /* PostScript name; style ("" for Regular), spaces removed */
    int32_t flags;
    int32_t bl, bb, br, bt, ascent, descent, xh, ch; /* [1/1000 em] */
    int32_t italic;                                  /* [degrees] */
    uint32_t maxcid;                                 /* the last code with a glyph (0 if none) */
    uint32_t length1;                                /* [bytes] the program, uncompressed */
    zdata tou, map, prog, cidset;
} font_rec;

static void rec_free(font_rec *r)
{
    free(r->gid_of);
    free(r->mapped);
    free(r->adv);
    free(r->tou.p);
    free(r->map.p);
    free(r->prog.p);
    free(r->cidset.p);
    memset(r, 0, sizeof *r);
}

static void *dup_bytes(const void *p, size_t n)
{
    void *d = jr_xmalloc(n ? n : 1);
    if (n)
        memcpy(d, p, n);
    return d;
}

static void zdata_copy(zdata *dst, const zdata *src)
{
    dst->p = dup_bytes(src->p, src->len);
    dst->len = src->len;
    dst->z = src->z;
}

static void rec_copy(font_rec *dst, const font_rec *src)
{
    *dst = *src;
    dst->gid_of = dup_bytes(src->gid_of, src->ncodes * sizeof *src->gid_of);
    dst->mapped = dup_bytes(src->mapped, src->nmapped * sizeof *src->mapped);
    dst->adv = dup_bytes(src->adv, src->nglyphs * sizeof *src->adv);
    zdata_copy(&dst->tou, &src->tou);
    zdata_copy(&dst->map, &src->map);
    zdata_copy(&dst->prog, &src->prog);
    zdata_copy(&dst->cidset, &src->cidset);
}

/* `raw` compressed as jr_deflater_stream would (else kept raw). */
static void zset(zdata *z, jr_deflater *defl, const void *raw, size_t len)
{
    size_t zl = 0;
    unsigned char *c = jr_deflater_compress(defl, raw, len, &zl);
    if (c) {
        z->p = c;
        z->len = zl;
        z->z = true;
    } else {
        z->p = dup_bytes(raw, len);
        z->len = len;
        z->z = false;
    }
}

/* The ToUnicode CMap is the same for every font: compressed once per run
 * (under obj_make_lock). */
static zdata tou_once;

static void tou_data(jr_deflater *defl, zdata *out)
{
    if (tou_once.z) {
        zdata_copy(out, &tou_once);
        return;
    }
    size_t tul = 0;
    const char *tu = jr_pdf_tounicode(&tul);
    zset(out, defl, tu ? tu : "", tu ? tul : 0);
    if (out->z)
        zdata_copy(&tou_once, out);
}

/* Everything own_emit needs from the subset d (n bytes); false on anything
 * unexpected (then libharu loads the font). No libharu calls. */
static bool rec_make(const unsigned char *d, size_t n, jr_deflater *defl, font_rec *r)
{
    memset(r, 0, sizeof *r);
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
        return false;
    unsigned upem = be16(head + 18);
    unsigned nglyphs = be16(maxp + 4), nhm = be16(hhea + 34);
    if (upem == 0 || nglyphs == 0 || nhm == 0 || nhm > nglyphs || (size_t)nhm * 4 > ml)
        return false;
    jr_pdf_own_font o = {0};
    char sub[128];
    tt_name(name, nl, 6, r->ps, sizeof r->ps);
    tt_name(name, nl, 2, sub, sizeof sub);
    if (!own_cmap(&o, cmap, cl) || !r->ps[0] || !sub[0] || strlen(r->ps) + strlen(sub) + 8 > 127) {
        free(o.gid_of);
        memset(r, 0, sizeof *r);
        return false;
    }
    r->ncodes = o.ncodes;
    r->gid_of = o.gid_of;
    r->nglyphs = nglyphs;
    r->adv = jr_xmalloc(nglyphs * sizeof *r->adv);
    unsigned last = 0;
    for (unsigned g = 0; g < nglyphs; g++) {
        unsigned aw = g < nhm ? be16(hmtx + 4 * g) : last;
        last = aw;
        r->adv[g] = (int16_t)(uint16_t)(aw * 1000u / upem);
    }

    /* flags and style as libharu makes them */
    long flags = HPDF_FONT_STD_CHARSET;
    size_t sn = 0;
    if (strncmp(sub, "Regular", 7) != 0) {
        for (const char *p = sub; *p && sn + 1 < sizeof r->style; p++)
            if (*p != ' ')
                r->style[sn++] = *p;
        if (strstr(sub, "Bold"))
            flags |= HPDF_FONT_FOURCE_BOLD;
        if (strstr(sub, "Italic"))
            flags |= HPDF_FONT_ITALIC;
    }
    r->style[sn] = 0;
    if (os2 && ol >= 32) {
        unsigned fc = os2[30];
        if ((fc > 0 && fc < 6) || fc == 7)
            flags |= HPDF_FONT_SERIF;
        if (fc == 10)
            flags |= HPDF_FONT_SCRIPT;
        if (fc == 12)
            flags |= HPDF_FONT_SYMBOLIC;
    }
    r->flags = (int32_t)flags;
    r->bl = sbe16(head + 36) * 1000 / (int)upem;
    r->bb = sbe16(head + 38) * 1000 / (int)upem;
    r->br = sbe16(head + 40) * 1000 / (int)upem;
    r->bt = sbe16(head + 42) * 1000 / (int)upem;
    r->ascent = sbe16(hhea + 4) * 1000 / (int)upem;
    r->descent = sbe16(hhea + 6) * 1000 / (int)upem;
    int long_loca = sbe16(head + 50);
    r->xh = glyph_top(d, n, lookup(&o, 'x'), nglyphs, long_loca, upem);
    r->ch = glyph_top(d, n, lookup(&o, 'H'), nglyphs, long_loca, upem);
    r->italic = post && pl >= 8 ? (int)((int32_t)jr_tt_get32(post + 4) / 65536) : 0;
    r->mapped = jr_xmalloc((r->ncodes ? r->ncodes : 1) * sizeof *r->mapped);
    for (uint32_t cp = 0; cp < r->ncodes; cp++)
        if (r->gid_of[cp]) {
            r->maxcid = cp;
            r->mapped[r->nmapped++] = (uint16_t)cp;
        }

    tou_data(defl, &r->tou);
    /* CIDToGIDMap up to the last code with a glyph */
    size_t ml2 = 2 * ((size_t)r->maxcid + 1);
    unsigned char *map = jr_xmalloc(ml2);
    for (uint32_t cp = 0; cp <= r->maxcid; cp++) {
        uint16_t g = lookup(&o, cp);
        map[2 * cp] = (unsigned char)(g >> 8);
        map[2 * cp + 1] = (unsigned char)g;
    }
    zset(&r->map, defl, map, ml2);
    free(map);
    /* the program without glyph names (a CID font needs none) */
    size_t pn = 0;
    unsigned char *prog = jr_tt_post3(d, n, &pn);
    if (!prog)
        pn = n;
    r->length1 = (uint32_t)pn;
    zset(&r->prog, defl, prog ? prog : d, pn);
    free(prog);
    /* PDF/A-1: the CIDs with a glyph in the program */
    size_t setl = (size_t)r->maxcid / 8 + 1;
    unsigned char *set = jr_xcalloc(setl, 1);
    set[0] = 0x80; /* CID 0, .notdef */
    for (uint32_t cp = 1; cp <= r->maxcid; cp++)
        if (lookup(&o, cp))
            set[cp / 8] |= (unsigned char)(0x80u >> (cp % 8));
    zset(&r->cidset, defl, set, setl);
    free(set);
    return true;
}

/* ---- kept between builds ----------------------------------------------------
 *
 * fontobj-1-<hash>.bin, one file per face, named by the subset's identity
 * (font path, face, size and modification time, HarfBuzz's version) with
 * this format's version and what the compressed bytes depend on
 * (jr_deflate_identity), under cache.c's header (the count is the length
 * of the records). The records: the code points (BMP bits, compared with
 * the document's), OBJ_FIELDS numbers, the names, the (code, glyph)
 * pairs, the widths, the four streams. Native byte order: the folder
 * belongs to one machine. */
#define OBJ_MAGIC  "JRFOBJ1\n"
#define OBJ_KIND   "fontobj-1"
#define OBJ_FIELDS 23

static char *obj_identity(const char *path, int face)
{
    char *sid = subset_identity(path, face);
    if (!sid)
        return NULL;
    char *id = jr_xasprintf("%s|%s|%s|%s", OBJ_KIND, SUBSET_KIND, sid, jr_deflate_identity());
    free(sid);
    return id;
}

static void rec_write(const char *id, const unsigned char *bits, const font_rec *r)
{
    const zdata *zs[4] = {&r->tou, &r->map, &r->prog, &r->cidset};
    for (int i = 0; i < 4; i++)
        if (zs[i]->len > UINT32_MAX / 2)
            return;
    char *file = jr_cache_file(OBJ_KIND, id);
    if (!file)
        return;
    uint32_t npairs = r->nmapped;
    uint32_t v[OBJ_FIELDS] = {r->ncodes,
                              r->nglyphs,
                              (uint32_t)r->flags,
                              (uint32_t)r->bl,
                              (uint32_t)r->bb,
                              (uint32_t)r->br,
                              (uint32_t)r->bt,
                              (uint32_t)r->ascent,
                              (uint32_t)r->descent,
                              (uint32_t)r->xh,
                              (uint32_t)r->ch,
                              (uint32_t)r->italic,
                              r->maxcid,
                              r->length1,
                              npairs,
                              (uint32_t)r->tou.len,
                              r->tou.z,
                              (uint32_t)r->map.len,
                              r->map.z,
                              (uint32_t)r->prog.len,
                              r->prog.z,
                              (uint32_t)r->cidset.len,
                              r->cidset.z};
    jr_buf b = {0};
    size_t header = jr_cache_begin(&b, OBJ_MAGIC, id);
    jr_buf_put(&b, (const char *)bits, BMP_BYTES);
    jr_buf_put(&b, (const char *)v, sizeof v);
    jr_buf_put(&b, r->ps, sizeof r->ps);
    jr_buf_put(&b, r->style, sizeof r->style);
    for (uint32_t i = 0; i < r->nmapped; i++) {
        uint16_t pair[2] = {r->mapped[i], r->gid_of[r->mapped[i]]};
        jr_buf_put(&b, (const char *)pair, sizeof pair);
    }
    jr_buf_put(&b, (const char *)r->adv, r->nglyphs * sizeof *r->adv);
    for (int i = 0; i < 4; i++)
        jr_buf_put(&b, (const char *)zs[i]->p, zs[i]->len);
    jr_cache_seal(&b, header, b.len - header);
    jr_cache_write(file, b.data, b.len);
    jr_buf_free(&b);
    free(file);
}

/* The kept objects for (id, bits) into *r; false if there are none that
 * check (missing, damaged, truncated, other code points). */
static bool rec_read(const char *id, const unsigned char *bits, font_rec *r)
{
    memset(r, 0, sizeof *r);
    char *file = jr_cache_file(OBJ_KIND, id);
    size_t n = 0;
    unsigned char *d = file ? (unsigned char *)jr_read_file(file, &n) : NULL;
    free(file);
    uint64_t count = 0;
    size_t pos = d ? jr_cache_check(d, n, OBJ_MAGIC, id, &count) : 0;
    size_t fixed = BMP_BYTES + OBJ_FIELDS * 4 + sizeof r->ps + sizeof r->style;
    if (pos == 0 || count != n - pos || n - pos < fixed || memcmp(d + pos, bits, BMP_BYTES) != 0) {
        free(d);
        return false;
    }
    const unsigned char *p = d + pos + BMP_BYTES;
    uint32_t v[OBJ_FIELDS];
    memcpy(v, p, sizeof v);
    p += sizeof v;
    memcpy(r->ps, p, sizeof r->ps);
    p += sizeof r->ps;
    memcpy(r->style, p, sizeof r->style);
    p += sizeof r->style;
    r->ps[sizeof r->ps - 1] = r->style[sizeof r->style - 1] = 0;
    r->ncodes = v[0];
    r->nglyphs = v[1];
    r->flags = (int32_t)v[2];
    r->bl = (int32_t)v[3];
    r->bb = (int32_t)v[4];
    r->br = (int32_t)v[5];
    r->bt = (int32_t)v[6];
    r->ascent = (int32_t)v[7];
    r->descent = (int32_t)v[8];
    r->xh = (int32_t)v[9];
    r->ch = (int32_t)v[10];
    r->italic = (int32_t)v[11];
    r->maxcid = v[12];
    r->length1 = v[13];
    uint32_t npairs = v[14];
    zdata *zs[4] = {&r->tou, &r->map, &r->prog, &r->cidset};
    uint64_t need = (uint64_t)npairs * 4 + (uint64_t)r->nglyphs * 2;
    bool ok = r->ncodes <= 65536 && npairs <= r->ncodes && r->nglyphs > 0 && r->nglyphs <= 65535 &&
              (r->maxcid < r->ncodes || r->maxcid == 0);
    for (int i = 0; i < 4; i++) {
        zs[i]->len = v[15 + 2 * i];
        ok = ok && v[16 + 2 * i] <= 1;
        zs[i]->z = v[16 + 2 * i] == 1;
        need += zs[i]->len;
    }
    ok = ok && need == (uint64_t)(n - pos - fixed);
    if (ok) {
        r->gid_of = jr_xcalloc(r->ncodes ? r->ncodes : 1, sizeof *r->gid_of);
        r->mapped = jr_xmalloc((npairs ? npairs : 1) * sizeof *r->mapped);
        for (uint32_t i = 0; ok && i < npairs; i++, p += 4) {
            uint16_t pair[2];
            memcpy(pair, p, sizeof pair);
            ok = pair[0] < r->ncodes && pair[1] != 0 && (i == 0 || pair[0] > r->mapped[i - 1]);
            if (ok) {
                r->gid_of[pair[0]] = pair[1];
                r->mapped[r->nmapped++] = pair[0];
            }
        }
        ok = ok && r->maxcid == (r->nmapped ? r->mapped[r->nmapped - 1] : 0u);
        r->adv = dup_bytes(p, r->nglyphs * sizeof *r->adv);
        p += r->nglyphs * sizeof *r->adv;
        for (int i = 0; i < 4; i++) {
            zs[i]->p = dup_bytes(p, zs[i]->len);
            p += zs[i]->len;
        }
    }
    free(d);
    if (!ok)
        rec_free(r);
    return ok;
}

/* ---- remembered for the run ------------------------------------------------ */

#define OBJ_CACHE 32

static struct obj_entry {
    char *id; /* obj_identity */
    unsigned char *bits;
    font_rec r;
} objs[OBJ_CACHE];
static unsigned objs_next;
static pthread_mutex_t objs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t obj_make_lock = PTHREAD_MUTEX_INITIALIZER;

/* A copy of what the objects of (path, face, bits) are made of: from the
 * run, from the cache folder or made anew (and kept in both). */
static bool get_rec(const char *path, int face, const unsigned char *bits, jr_deflater *defl,
                    font_rec *out /* OUT */)
{
    char *id = obj_identity(path, face);
    bool found = false;
    /* held while the objects are made: the screen and the print PDF,
     * written at the same time, need the same fonts, and each is made once */
    pthread_mutex_lock(&obj_make_lock);
    pthread_mutex_lock(&objs_lock);
    for (unsigned i = 0; id && i < OBJ_CACHE && !found; i++) {
        struct obj_entry *e = &objs[i];
        if (e->id && strcmp(e->id, id) == 0 && memcmp(e->bits, bits, BMP_BYTES) == 0) {
            rec_copy(out, &e->r);
            found = true;
        }
    }
    pthread_mutex_unlock(&objs_lock);
    if (found) {
        pthread_mutex_unlock(&obj_make_lock);
        free(id);
        return true;
    }
    font_rec r;
    bool ok = id && defl && rec_read(id, bits, &r);
    if (!ok) {
        size_t n = 0;
        char *data = get_subset(path, face, bits, &n);
        ok = data && rec_make((const unsigned char *)data, n, defl, &r);
        free(data);
        /* (without a deflater the streams are left to libharu: not kept) */
        if (ok && id && defl)
            rec_write(id, bits, &r);
    }
    if (ok && id && defl) {
        pthread_mutex_lock(&objs_lock);
        struct obj_entry *e = &objs[objs_next++ % OBJ_CACHE]; /* the oldest goes */
        free(e->id);
        free(e->bits);
        rec_free(&e->r);
        e->id = id;
        id = NULL;
        e->bits = dup_bytes(bits, BMP_BYTES);
        e->r = r;
        rec_copy(out, &e->r);
        pthread_mutex_unlock(&objs_lock);
    } else if (ok) {
        *out = r;
    }
    pthread_mutex_unlock(&obj_make_lock);
    free(id);
    return ok;
}

/* ---- the objects of one document ------------------------------------------- */

/* z becomes the data of stream dict (its bytes taken over when compressed). */
static void zput(HPDF_Dict dict, zdata *z)
{
    if (z->z) {
        unsigned char *p = z->p;
        z->p = NULL;
        jr_pdf_stream_take_deflated(dict, p, z->len);
    } else if (z->len > 0) {
        HPDF_Stream_Write(dict->stream, z->p, (HPDF_UINT)z->len);
        dict->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    }
}

/* Make the objects (see above) from r (its arrays and streams taken). */
static jr_pdf_own_font *own_emit(jr_pdf_fonts *f, HPDF_Doc pdf, font_rec *r, bool cidset)
{
    jr_pdf_own_font *o = jr_xcalloc(1, sizeof *o);
    o->ncodes = r->ncodes;
    o->gid_of = r->gid_of;
    o->nglyphs = r->nglyphs;
    o->adv = r->adv;
    o->dw = o->adv[0];
    r->gid_of = NULL;
    r->adv = NULL;
    JR_GROW(f->own, f->own_cap, f->nown + 1);
    f->own[f->nown++] = o; /* freed with f from here on */

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
    /* base font: TAG+PostScriptName[,Subfamily] as libharu makes it */
    char tag[7], base[300];
    memcpy(tag, pdf->ttfont_tag, 6);
    tag[6] = 0;
    snprintf(base, sizeof base, "%s+%s%s%s", tag, r->ps, r->style[0] ? "," : "", r->style);
    base[HPDF_LIMIT_MAX_NAME_LEN] = 0;

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
    HPDF_Dict tou = HPDF_DictStream_New(mm, xref);
    zput(tou, &r->tou);
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
    HPDF_Array_AddNumber(dw2, r->bb);
    HPDF_Array_AddNumber(dw2, r->bb - r->bt);
    HPDF_Dict_Add(cid, "DW2", dw2);
    /* W: runs of consecutive codes whose width is not DW */
    HPDF_Array w = HPDF_Array_New(mm);
    HPDF_Array run = NULL;
    for (uint32_t i = 0; i < r->nmapped; i++) {
        uint32_t cp = r->mapped[i];
        if (i > 0 && cp != r->mapped[i - 1] + 1u)
            run = NULL; /* codes without a glyph between: widths DW */
        int wd = jr_pdf_own_width(o, cp);
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
    HPDF_Dict mapd = HPDF_DictStream_New(mm, xref);
    zput(mapd, &r->map);
    HPDF_Dict_Add(cid, "CIDToGIDMap", mapd);

    HPDF_Dict fd = HPDF_Dict_New(mm);
    HPDF_Xref_Add(xref, fd);
    HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
    HPDF_Dict_AddName(fd, "FontName", base);
    HPDF_Dict_AddNumber(fd, "Ascent", r->ascent);
    HPDF_Dict_AddNumber(fd, "Descent", r->descent);
    HPDF_Dict_AddNumber(fd, "CapHeight", r->ch);
    HPDF_Dict_AddNumber(fd, "Flags", r->flags);
    HPDF_Box box = {(HPDF_REAL)r->bl, (HPDF_REAL)r->bb, (HPDF_REAL)r->br, (HPDF_REAL)r->bt};
    HPDF_Dict_Add(fd, "FontBBox", HPDF_Box_Array_New(mm, box));
    HPDF_Dict_AddNumber(fd, "ItalicAngle", r->italic);
    HPDF_Dict_AddNumber(fd, "StemV", 0);
    HPDF_Dict_AddNumber(fd, "XHeight", r->xh);
    HPDF_Dict ff = HPDF_DictStream_New(mm, xref);
    zput(ff, &r->prog);
    HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)r->length1);
    HPDF_Dict_AddNumber(ff, "Length2", 0);
    HPDF_Dict_AddNumber(ff, "Length3", 0);
    HPDF_Dict_Add(fd, "FontFile2", ff);
    if (cidset) {
        HPDF_Dict set = HPDF_DictStream_New(mm, xref);
        zput(set, &r->cidset);
        HPDF_Dict_Add(fd, "CIDSet", set);
    }
    HPDF_Dict_Add(cid, "FontDescriptor", fd);
    return o;
}

jr_pdf_own_font *jr_pdf_fonts_own(jr_pdf_fonts *f, HPDF_Doc pdf, int id, jr_deflater *defl,
                                  bool cidset)
{
    if (!f || !pdf || id < 0 || (size_t)id >= f->n)
        return NULL;
    const jr_font_info *fi = jr_font_get(f->dl->fonts, id);
    const unsigned char *bits = f->bits[f->rep[id]];
    if (!fi || !fi->path || !bits)
        return NULL;
    /* (libharu's error handler may jump out of own_emit: freed with f) */
    font_rec *r = f->held = jr_xcalloc(1, sizeof *r);
    jr_pdf_own_font *o = NULL;
    if (get_rec(fi->path, fi->face_index, bits, defl, r))
        o = own_emit(f, pdf, r, cidset);
    f->held = NULL;
    rec_free(r);
    free(r);
    return o;
}
