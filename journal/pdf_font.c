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
#include <unistd.h>

#include <harfbuzz/hb-subset.h>
#include <harfbuzz/hb.h>
#include <hpdf.h>

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

/* A copy of the subset for (path, face, bits), made or remembered. */
static char *get_subset(const char *path, int face, const unsigned char *bits, size_t *len)
{
    char *copy = NULL;
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
    if (copy)
        return copy;
    size_t n = 0;
    char *data = make_subset(path, face, bits, &n);
    if (!data)
        return NULL;
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

const char *jr_pdf_fonts_load(jr_pdf_fonts *f, HPDF_Doc pdf, int id)
{
    if (!f || !pdf || id < 0 || (size_t)id >= f->n)
        return NULL;
    const jr_font_info *fi = jr_font_get(f->dl->fonts, id);
    const unsigned char *bits = f->bits[f->rep[id]];
    if (!fi || !fi->path || !bits)
        return NULL;
    size_t len = 0;
    char *data = get_subset(fi->path, fi->face_index, bits, &len);
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
