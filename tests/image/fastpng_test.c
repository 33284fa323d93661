/* fastpng_test.c: checking a PNG's image data without libpng (inflate, CRCs,
 * filter types, Adler-32 in image.c) finds what reading every row with
 * libpng finds, with the same reasons and results; and the Adler-32 used
 * equals zlib's.
 *
 * Each kind of PNG (grey 1..16 bits, RGB, grey+alpha, RGBA, palette,
 * interlaced, many IDAT chunks, text after the image data, the sample's
 * charts) and hand-made streams (a bad filter type, a wrong checksum, rows
 * missing or extra, data after the stream) are checked whole, cut at many
 * lengths, with bytes changed, and with bytes changed inside the image
 * data under a corrected CRC, once each way. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

#include "image.h"
#include "util.h"

static int failures;
static unsigned long compared, failed_both;
static char tmpdir[] = "/tmp/journal-fastpng-test-XXXXXX";

static unsigned char pattern(unsigned x, unsigned y, unsigned c)
{
    return (unsigned char)((x * 7 + y * 13 + c * 61 + ((x * y) % 17) * 11) & 0xFF);
}

typedef struct variant {
    const char *name;
    unsigned w, h;
    int ctype, depth;
    bool interlace, trns, many_idat, text_after;
} variant;

typedef struct membuf {
    unsigned char *d;
    size_t n, cap;
} membuf;

static void mem_write(png_structp png, png_bytep data, size_t n)
{
    membuf *m = png_get_io_ptr(png);
    if (m->n + n > m->cap) {
        m->cap = (m->n + n) * 2;
        m->d = jr_xrealloc(m->d, m->cap);
    }
    memcpy(m->d + m->n, data, n);
    m->n += n;
}

static void mem_flush(png_structp png)
{
    (void)png;
}

static unsigned char *make_png(const variant *v, size_t *len)
{
    membuf m = {0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "libpng could not write %s\n", v->name);
        exit(2);
    }
    png_set_write_fn(png, &m, mem_write, mem_flush);
    png_set_IHDR(png, info, v->w, v->h, v->depth, v->ctype,
                 v->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (v->ctype == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[16];
        for (int i = 0; i < 16; i++) {
            pal[i].red = (png_byte)(i * 16);
            pal[i].green = (png_byte)(255 - i * 16);
            pal[i].blue = (png_byte)(i * 7);
        }
        png_set_PLTE(png, info, pal, 16);
    }
    if (v->trns) {
        png_color_16 tc = {0, 1, 1, 1, 1};
        png_byte alpha[4] = {0, 128, 255, 64};
        if (v->ctype == PNG_COLOR_TYPE_PALETTE)
            png_set_tRNS(png, info, alpha, 4, NULL);
        else
            png_set_tRNS(png, info, NULL, 0, &tc);
    }
    if (v->many_idat)
        png_set_compression_buffer_size(png, 97);
    png_set_pHYs(png, info, 11811, 11811, PNG_RESOLUTION_METER);
    png_write_info(png, info);
    int ch = v->ctype == 0 || v->ctype == 3 ? 1 : v->ctype == 2 ? 3 : v->ctype == 4 ? 2 : 4;
    size_t rowbytes = ((size_t)v->w * (size_t)ch * (size_t)v->depth + 7) / 8;
    unsigned char *row = jr_xmalloc(rowbytes);
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++)
        for (unsigned y = 0; y < v->h; y++) {
            for (size_t x = 0; x < rowbytes; x++)
                row[x] = pattern((unsigned)x, y, (unsigned)p);
            if (v->ctype == PNG_COLOR_TYPE_PALETTE && v->depth == 8)
                for (size_t x = 0; x < rowbytes; x++)
                    row[x] &= 15;
            png_write_row(png, row);
        }
    if (v->text_after) {
        png_text t;
        memset(&t, 0, sizeof t);
        t.compression = PNG_TEXT_COMPRESSION_NONE;
        t.key = "Comment";
        t.text = "after the image data";
        png_set_text(png, info, &t, 1);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    *len = m.n;
    return m.d;
}

static void put_be32(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static unsigned long get_be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

static void add_chunk(membuf *m, const char *type, const unsigned char *data, size_t n)
{
    unsigned char head[8];
    put_be32(head, n);
    memcpy(head + 4, type, 4);
    size_t need = m->n + 12 + n;
    if (need > m->cap) {
        m->cap = need * 2;
        m->d = jr_xrealloc(m->d, m->cap);
    }
    memcpy(m->d + m->n, head, 8);
    if (n)
        memcpy(m->d + m->n + 8, data, n);
    put_be32(m->d + m->n + 8 + n, crc32(0, m->d + m->n + 4, (uInt)n + 4));
    m->n = need;
}

/* An 8-bit RGB PNG from raw rows (filter byte included) given as they go
 * into zlib, with `extra` bytes appended to the IDAT data after the
 * stream. */
static unsigned char *make_raw_png(unsigned w, unsigned h, const unsigned char *raw, size_t rawlen,
                                   size_t extra, size_t *len)
{
    membuf m = {0};
    m.cap = 64;
    m.d = jr_xmalloc(m.cap);
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    memcpy(m.d, magic, 8);
    m.n = 8;
    unsigned char ihdr[13];
    put_be32(ihdr, w);
    put_be32(ihdr + 4, h);
    ihdr[8] = 8;
    ihdr[9] = 2;
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    add_chunk(&m, "IHDR", ihdr, 13);
    uLongf zn = compressBound((uLong)rawlen) + extra;
    unsigned char *z = jr_xmalloc(zn);
    compress2(z, &zn, raw, (uLong)rawlen, 6);
    memset(z + zn, 0, extra);
    add_chunk(&m, "IDAT", z, zn + extra);
    add_chunk(&m, "IEND", NULL, 0);
    free(z);
    *len = m.n;
    return m.d;
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(data, 1, n, f);
    fclose(f);
}

static bool same_info(const jr_image_info *a, const jr_image_info *b)
{
    return a->format == b->format && a->width == b->width && a->height == b->height &&
           a->orientation == b->orientation && a->channels == b->channels &&
           a->has_alpha == b->has_alpha && a->dpi_x == b->dpi_x && a->dpi_y == b->dpi_y;
}

static void compare(const char *what, size_t at, const unsigned char *data, size_t n,
                    const char *path)
{
    write_bytes(path, data, n);
    jr_image_info ia, ib;
    char wa[200] = "", wb[200] = "";
    jr_image_cache_reset();
    jr_image_check_reference(true);
    int ra = jr_image_check(path, &ia, wa, sizeof wa);
    jr_image_cache_reset();
    jr_image_check_reference(false);
    int rb = jr_image_check(path, &ib, wb, sizeof wb);
    compared++;
    if (ra < 0 && rb < 0)
        failed_both++;
    bool same = ra == rb && (ra < 0 ? strcmp(wa, wb) == 0 : same_info(&ia, &ib));
    if (!same) {
        fprintf(stderr, "%s at %zu of %zu: libpng: %d '%s'; own: %d '%s'\n", what, at, n, ra, wa,
                rb, wb);
        failures++;
    }
}

/* Where the first IDAT's data starts and how long it is; 0 if none. */
static size_t first_idat(const unsigned char *d, size_t n, size_t *len)
{
    size_t pos = 8;
    while (pos + 12 <= n) {
        unsigned long l = get_be32(d + pos);
        if (memcmp(d + pos + 4, "IDAT", 4) == 0 && l > 0 && pos + 12 + l <= n) {
            *len = l;
            return pos + 8;
        }
        pos += 12 + l;
    }
    return 0;
}

static void exercise(const char *what, const unsigned char *good, size_t n, const char *path)
{
    compare(what, n, good, n, path);
    unsigned char *d = jr_xmalloc(n);
    for (size_t cut = 0; cut < n; cut += (n - cut < 40) ? 1 : (n / 61 + 1))
        compare(what, cut, good, cut, path);
    unsigned long seed = 987654321;
    size_t ilen = 0, idat = first_idat(good, n, &ilen);
    for (int k = 0; k < 120; k++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        size_t at = (size_t)(seed >> 33) % n;
        memcpy(d, good, n);
        d[at] ^= (unsigned char)((seed >> 20) | 1);
        compare(what, at, d, n, path);
        if (idat) { /* inside the image data, the CRC made right again */
            at = idat + (size_t)(seed >> 37) % ilen;
            memcpy(d, good, n);
            d[at] ^= (unsigned char)((seed >> 24) | 1);
            if (k % 5 == 0) /* the stream's checksum */
                d[idat + ilen - 1 - (size_t)(seed >> 50) % 4] ^= 0x10;
            put_be32(d + idat + ilen, crc32(0, d + idat - 4, (uInt)ilen + 4));
            compare(what, at, d, n, path);
        }
    }
    free(d);
}

static void test_adler(void)
{
    size_t max = 70000;
    unsigned char *buf = jr_xmalloc(max);
    unsigned long seed = 42;
    for (size_t i = 0; i < max; i++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        buf[i] = (unsigned char)(seed >> 40);
    }
    for (int fill = 0; fill < 3; fill++) {
        if (fill == 1)
            memset(buf, 0xFF, max); /* the largest sums */
        if (fill == 2)
            memset(buf, 0, max);
        static const size_t lens[] = {0,    1,    15,   16,   17,   31,    32,    33,    100,
                                      5535, 5536, 5551, 5552, 5553, 11104, 11200, 65536, 70000};
        for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
            for (size_t off = 0; off < 3; off++) {
                size_t n = lens[i] - (lens[i] >= off ? off : 0);
                uint32_t start = fill == 1 ? 0xFFF0FFF0u : 1; /* sums near the modulus */
                start = (start >> 16) % 65521 << 16 | (start & 0xFFFF) % 65521;
                uint32_t mine = jr_image_adler32(start, buf + off, n);
                uint32_t ref = (uint32_t)adler32(start, buf + off, (uInt)n);
                if (mine != ref) {
                    fprintf(stderr, "adler32 of %zu bytes (fill %d): %08x, zlib %08x\n", n, fill,
                            mine, ref);
                    failures++;
                }
                /* in pieces */
                uint32_t pieces = start;
                for (size_t o = 0; o < n; o += 777)
                    pieces = jr_image_adler32(pieces, buf + off + o, n - o < 777 ? n - o : 777);
                if (pieces != ref) {
                    fprintf(stderr, "adler32 of %zu bytes in pieces differs\n", n);
                    failures++;
                }
            }
    }
    free(buf);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    setenv("JOURNAL_CACHE_DIR", "off", 1);
    test_adler();
    char *path = jr_path_join(tmpdir, "x.png");
    static const variant variants[] = {
        {"rgb 8", 60, 40, 2, 8, false, false, false, false},
        {"rgb 16", 23, 17, 2, 16, false, false, false, false},
        {"grey 1", 37, 21, 0, 1, false, false, false, false},
        {"grey 2", 19, 9, 0, 2, false, false, false, false},
        {"grey 4", 33, 12, 0, 4, false, false, false, false},
        {"grey 8", 50, 30, 0, 8, false, false, false, false},
        {"grey 16", 21, 13, 0, 16, false, false, false, false},
        {"grey alpha 8", 30, 20, 4, 8, false, false, false, false},
        {"grey alpha 16", 12, 11, 4, 16, false, false, false, false},
        {"rgba 8", 40, 25, 6, 8, false, false, false, false},
        {"rgba 16", 14, 9, 6, 16, false, false, false, false},
        {"rgb tRNS", 30, 20, 2, 8, false, true, false, false},
        {"palette 4", 31, 20, 3, 4, false, false, false, false},
        {"palette tRNS", 30, 20, 3, 8, false, true, false, false},
        {"interlaced", 35, 27, 2, 8, true, false, false, false},
        {"many IDAT", 64, 48, 2, 8, false, false, true, false},
        {"text after data", 30, 20, 2, 8, false, false, false, true},
        {"one pixel", 1, 1, 2, 8, false, false, false, false},
        {"one row", 300, 1, 0, 8, false, false, false, false},
        {"one column", 1, 300, 6, 8, false, false, false, false},
    };
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        size_t n = 0;
        unsigned char *d = make_png(&variants[i], &n);
        exercise(variants[i].name, d, n, path);
        free(d);
    }

    /* hand-made streams: 20 x 10 RGB, rows of 61 bytes */
    enum { W = 20, H = 10, ROW = W * 3 + 1 };
    unsigned char raw[ROW * (H + 1)];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = i % ROW == 0 ? (unsigned char)(i / ROW % 5) : pattern((unsigned)i, 3, 1);
    struct {
        const char *name;
        size_t rawlen, extra;
        int bad_filter_row;
    } cases[] = {
        {"rows as they should be", ROW * H, 0, -1},
        {"filter type 5", ROW * H, 0, 3},
        {"filter type 5 in the last row", ROW * H, 0, H - 1},
        {"one row missing", ROW * (H - 1), 0, -1},
        {"half a row missing", ROW * H - 30, 0, -1},
        {"one row too many", ROW * (H + 1), 0, -1},
        {"one byte too many", ROW * H + 1, 0, -1},
        {"bytes after the stream", ROW * H, 7, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        unsigned char copy[sizeof raw];
        memcpy(copy, raw, sizeof raw);
        if (cases[i].bad_filter_row >= 0)
            copy[ROW * cases[i].bad_filter_row] = 5;
        size_t n = 0;
        unsigned char *d = make_raw_png(W, H, copy, cases[i].rawlen, cases[i].extra, &n);
        compare(cases[i].name, n, d, n, path);
        free(d);
    }

    static const char *const samples[] = {"articles/2026-2/images/sprachangebote-karte.png"};
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        size_t n = 0;
        unsigned char *d = (unsigned char *)jr_read_file(samples[i], &n);
        if (!d) {
            perror(samples[i]);
            return 2;
        }
        exercise(samples[i], d, n, path);
        free(d);
    }
    jr_image_cache_reset();
    if (failed_both < compared / 3) {
        fprintf(stderr, "only %lu of %lu damaged files failed\n", failed_both, compared);
        failures++;
    }
    remove(path);
    remove(tmpdir);
    free(path);
    printf("%lu files compared, %lu failed both ways\n", compared, failed_both);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
