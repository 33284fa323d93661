/* image.c: check and decode PNG and JPEG files with libpng and libjpeg.
 *
 * Every error of either library is caught with setjmp/longjmp (libpng's
 * png_jmpbuf, our own error manager for libjpeg) and turned into a short
 * reason; nothing here aborts or exits. Image sizes are checked from the
 * header before any pixel memory is allocated. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* realpath */
#include "image.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>
#include <zlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "cache.h"
#include "util.h"

static bool check_reference; /* see jr_image_check_reference */

void jr_image_check_reference(bool on)
{
    check_reference = on;
}

static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

static void set_why(char *why, size_t whylen, const char *fmt, const char *arg)
{
    if (why && whylen)
        snprintf(why, whylen, fmt, arg ? arg : "");
}

static int check_size(unsigned w, unsigned h, char *why, size_t whylen)
{
    if (w == 0 || h == 0 || w > JR_IMAGE_MAX_SIDE || h > JR_IMAGE_MAX_SIDE ||
        (unsigned long long)w * h > JR_IMAGE_MAX_PIXELS) {
        if (why && whylen)
            snprintf(why, whylen, "image claims %u x %u pixels", w, h);
        return -1;
    }
    return 0;
}

/* ---- PNG ---------------------------------------------------------------- */

typedef struct png_ctx {
    const unsigned char *data;
    size_t len, pos;
    bool truncated;
    bool too_large;
    char msg[200];
    /* results, freed by the caller of png_run on failure */
    unsigned char *image; /* decoded rows (all channels) */
    unsigned char *row;   /* one row, when only checking */
    png_bytep *rows;
} png_ctx;

static void png_err_fn(png_structp png, png_const_charp msg)
{
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void png_warn_fn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* warnings (e.g. unknown chunks, bad sRGB) do not spoil an image */
}

static void png_read_fn(png_structp png, png_bytep out, size_t n)
{
    png_ctx *c = png_get_io_ptr(png);
    if (n > c->len - c->pos) {
        c->truncated = true;
        png_error(png, "unexpected end of file");
    }
    memcpy(out, c->data + c->pos, n);
    c->pos += n;
}

/* ---- PNG image data without libpng --------------------------------------
 *
 * Reading the rows through libpng spends most of its time in zlib's
 * inflate and adler32 (some 37 instructions per kilobyte of image for the
 * sample's charts). After libpng has read everything up to the first IDAT
 * (with all its checks and messages), the common case is checked here
 * instead: IDAT chunks, then IEND, each with its CRC; one zlib stream
 * that inflates to exactly the rows' bytes, every row's filter type 0..4,
 * and its Adler-32 checksum (computed 16 bytes at a step). Only what
 * libpng would accept passes; anything else - interlaced or palette
 * images, chunks after the image data, any error - is left to libpng,
 * which then reads the rows as before and reports what it finds. */

static unsigned long be32(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

#define ADLER_BASE 65521u
#define ADLER_NMAX 5552u /* bytes before the sums must be reduced */

/* Adler-32 (RFC 1950) of `n` bytes, continuing from `adler`. */
uint32_t jr_image_adler32(uint32_t adler, const unsigned char *p, size_t n)
{
    uint32_t a = adler & 0xFFFF, b = adler >> 16;
    while (n > 0) {
        size_t blk = n < ADLER_NMAX ? n : ADLER_NMAX;
        n -= blk;
#ifdef __SSE2__
        size_t k = blk / 16;
        if (k) {
            /* per 16 bytes x0..x15: a += sum x; b += 16 a + sum (16 - i) x_i */
            const __m128i zero = _mm_setzero_si128();
            const __m128i wlo = _mm_setr_epi16(16, 15, 14, 13, 12, 11, 10, 9);
            const __m128i whi = _mm_setr_epi16(8, 7, 6, 5, 4, 3, 2, 1);
            __m128i vsum = zero, vprefix = zero, vweighted = zero;
            for (size_t j = 0; j < k; j++) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * j));
                vprefix = _mm_add_epi64(vprefix, vsum);
                vsum = _mm_add_epi64(vsum, _mm_sad_epu8(x, zero));
                vweighted =
                    _mm_add_epi32(vweighted, _mm_madd_epi16(_mm_unpacklo_epi8(x, zero), wlo));
                vweighted =
                    _mm_add_epi32(vweighted, _mm_madd_epi16(_mm_unpackhi_epi8(x, zero), whi));
            }
            uint64_t sums[2], prefixes[2];
            uint32_t weighted[4];
            _mm_storeu_si128((__m128i *)(void *)sums, vsum);
            _mm_storeu_si128((__m128i *)(void *)prefixes, vprefix);
            _mm_storeu_si128((__m128i *)(void *)weighted, vweighted);
            uint64_t bb = b + 16ull * a * k + 16ull * (prefixes[0] + prefixes[1]) + weighted[0] +
                          weighted[1] + weighted[2] + weighted[3];
            a = (uint32_t)(a + sums[0] + sums[1]);
            b = (uint32_t)(bb % ADLER_BASE);
            p += 16 * k;
            blk -= 16 * k;
        }
#endif
        for (; blk > 0; blk--) {
            a += *p++;
            b += a;
        }
        a %= ADLER_BASE;
        b %= ADLER_BASE;
    }
    return b << 16 | a;
}

static bool png_data_sound(const png_ctx *c, unsigned long w, unsigned long h, int depth, int ctype,
                           int interlace)
{
#if ZLIB_VERNUM < 0x1290
    (void)c, (void)w, (void)h, (void)depth, (void)ctype, (void)interlace;
    return false; /* no inflateValidate */
#else
    const unsigned char *d = c->data;
    int ch = ctype == 0 ? 1 : ctype == 2 ? 3 : ctype == 4 ? 2 : ctype == 6 ? 4 : 0;
    /* libpng has just read the first IDAT's length and type */
    if (interlace != 0 || ch == 0 || c->pos < 8 + 8 || c->pos > c->len ||
        memcmp(d + c->pos - 4, "IDAT", 4) != 0)
        return false;
    size_t rowlen = ((size_t)w * (size_t)ch * (size_t)depth + 7) / 8 + 1;
    size_t expect = rowlen * h;

    /* the chunks: IDAT..., IEND, all whole, CRCs right */
    size_t pos = c->pos - 8, nidat = 0, idat_len = 0, first = pos;
    for (;;) {
        if (c->len - pos < 12)
            return false;
        unsigned long n = be32(d + pos);
        if (n > 0x7FFFFFFFul || n > c->len - pos - 12 ||
            crc32(0, d + pos + 4, (uInt)n + 4) != be32(d + pos + 8 + n))
            return false;
        if (memcmp(d + pos + 4, "IEND", 4) == 0) {
            if (n != 0)
                return false;
            break;
        }
        /* libpng refuses an IDAT above its chunk limit (ours: 64 MiB) */
        if (memcmp(d + pos + 4, "IDAT", 4) != 0 || n > (64ul << 20))
            return false;
        nidat++;
        idat_len += n;
        pos += 12 + n;
    }
    if (idat_len < 6)
        return false;
    /* one stream: the data of one IDAT as it is, of several gathered */
    unsigned char *joined = NULL;
    const unsigned char *zdata = d + first + 8;
    if (nidat > 1) {
        joined = jr_xmalloc(idat_len);
        size_t o = 0;
        for (size_t p = first; o < idat_len; p += 12 + be32(d + p)) {
            memcpy(joined + o, d + p + 8, be32(d + p));
            o += be32(d + p);
        }
        zdata = joined;
    }

    z_stream z;
    memset(&z, 0, sizeof z);
    bool ok = false;
    if (inflateInit2(&z, 0) != Z_OK) { /* window size from the stream's header */
        free(joined);
        return false;
    }
    inflateValidate(&z, 0); /* the checksum is computed below */
    enum { OUTBUF = 1 << 16 };
    unsigned char *out = jr_xmalloc(OUTBUF);
    z.next_in = (Bytef *)zdata;
    size_t left = idat_len;
    size_t total = 0, next_filter = 0;
    uint32_t adler = 1;
    for (;;) {
        uInt in = left > 0x40000000u ? 0x40000000u : (uInt)left;
        z.avail_in = in;
        z.next_out = out;
        z.avail_out = OUTBUF;
        int zr = inflate(&z, Z_NO_FLUSH);
        left -= in - z.avail_in;
        size_t got = OUTBUF - z.avail_out;
        if (got > expect - total)
            break; /* more than the rows */
        adler = jr_image_adler32(adler, out, got);
        for (; next_filter < total + got; next_filter += rowlen)
            if (out[next_filter - total] > 4)
                goto done; /* libpng: bad adaptive filter value */
        total += got;
        if (zr == Z_STREAM_END) {
            ok = total == expect && left == 0 && z.avail_in == 0 &&
                 adler == be32(zdata + idat_len - 4);
            break;
        }
        if (zr != Z_OK || (got == 0 && left == 0))
            break;
    }
done:
    inflateEnd(&z);
    free(out);
    free(joined);
    return ok;
#endif
}

/* Runs libpng over c->data. With `px` NULL the image is only checked (one row
 * buffer); otherwise c->image receives all rows after the transformations.
 * Returns 0 or -1 (reason in c->msg / c->truncated / c->too_large). */
static int png_run(png_ctx *c, jr_image_info *info, size_t *rowbytes_out, int *channels_out,
                   bool decode)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, png_err_fn, png_warn_fn);
    if (!png) {
        snprintf(c->msg, sizeof c->msg, "out of memory");
        return -1;
    }
    png_infop pinfo = png_create_info_struct(png);
    if (!pinfo) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(c->msg, sizeof c->msg, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1;
    }
    png_set_read_fn(png, c, png_read_fn);
    /* Our own limits are checked below; libpng's must not be lower. */
    png_set_user_limits(png, 0x7fffffffL, 0x7fffffffL);
    png_set_chunk_malloc_max(png, 64u << 20);
    png_read_info(png, pinfo);

    png_uint_32 w = 0, h = 0;
    int depth = 0, ctype = 0, interlace = 0;
    png_get_IHDR(png, pinfo, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    info->width = w;
    info->height = h;
    if (check_size(w, h, NULL, 0) < 0) {
        c->too_large = true;
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1;
    }
    png_uint_32 resx = 0, resy = 0;
    int unit = 0;
    if (png_get_pHYs(png, pinfo, &resx, &resy, &unit) && unit == PNG_RESOLUTION_METER) {
        info->dpi_x = resx * 0.0254;
        info->dpi_y = resy * 0.0254;
    }

    /* Normalise: palette → RGB, low bit depths → 8, tRNS → alpha, 16 → 8. */
    png_set_expand(png);
    png_set_scale_16(png);
    png_set_packing(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, pinfo);
    int ch = png_get_channels(png, pinfo);
    size_t rowbytes = png_get_rowbytes(png, pinfo);
    if (ch < 1 || ch > 4 || rowbytes != (size_t)w * (size_t)ch) {
        snprintf(c->msg, sizeof c->msg, "unsupported pixel layout");
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1;
    }
    info->channels = (ch == 2 || ch == 4) ? ch - 1 : ch;
    info->has_alpha = (ch == 2 || ch == 4);

    if (decode) {
        c->image = jr_xmalloc(rowbytes * h);
        c->rows = jr_xmalloc(sizeof(png_bytep) * h);
        for (png_uint_32 y = 0; y < h; y++)
            c->rows[y] = c->image + (size_t)y * rowbytes;
        png_read_image(png, c->rows);
    } else if (!check_reference && png_data_sound(c, w, h, depth, ctype, interlace)) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        *rowbytes_out = rowbytes;
        *channels_out = ch;
        return 0;
    } else {
        c->row = jr_xmalloc(rowbytes);
        for (int p = 0; p < passes; p++)
            for (png_uint_32 y = 0; y < h; y++)
                png_read_row(png, c->row, NULL);
    }
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &pinfo, NULL);
    *rowbytes_out = rowbytes;
    *channels_out = ch;
    return 0;
}

static void png_reason(const png_ctx *c, const jr_image_info *info, char *why, size_t whylen)
{
    if (c->too_large)
        check_size(info->width, info->height, why, whylen);
    else if (c->truncated)
        set_why(why, whylen, "truncated PNG", NULL);
    else
        set_why(why, whylen, "corrupt PNG: %s", c->msg);
}

static int png_do(const unsigned char *data, size_t len, jr_image_info *info, jr_pixels *out,
                  char *why, size_t whylen)
{
    png_ctx c;
    memset(&c, 0, sizeof c);
    c.data = data;
    c.len = len;
    size_t rowbytes = 0;
    int ch = 0;
    int rc = png_run(&c, info, &rowbytes, &ch, out != NULL);
    free(c.row);
    free(c.rows);
    if (rc < 0) {
        free(c.image);
        png_reason(&c, info, why, whylen);
        return -1;
    }
    if (!out)
        return 0;
    /* Split the alpha channel into its own plane; drop it if fully opaque. */
    out->width = info->width;
    out->height = info->height;
    out->orientation = 1;
    out->channels = info->channels;
    out->alpha = NULL;
    if (!info->has_alpha) {
        out->data = c.image;
        return 0;
    }
    size_t n = (size_t)info->width * info->height;
    int cc = ch - 1;
    unsigned char *color = jr_xmalloc(n * (size_t)cc);
    unsigned char *alpha = jr_xmalloc(n);
    bool opaque = true;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s = c.image + i * (size_t)ch;
        memcpy(color + i * (size_t)cc, s, (size_t)cc);
        alpha[i] = s[cc];
        if (s[cc] != 255)
            opaque = false;
    }
    free(c.image);
    out->data = color;
    if (opaque)
        free(alpha);
    else
        out->alpha = alpha;
    return 0;
}

/* ---- JPEG --------------------------------------------------------------- */

typedef struct jpg_err {
    struct jpeg_error_mgr pub;
    jmp_buf jb;
    bool truncated;
    bool too_large;
    char msg[JMSG_LENGTH_MAX];
} jpg_err;

static void jpg_error_exit(j_common_ptr cinfo)
{
    jpg_err *e = (jpg_err *)cinfo->err;
    e->pub.format_message(cinfo, e->msg);
    longjmp(e->jb, 1);
}

static void jpg_emit_message(j_common_ptr cinfo, int level)
{
    jpg_err *e = (jpg_err *)cinfo->err;
    if (level >= 0)
        return; /* trace messages */
    int code = e->pub.msg_code;
    if (code == JWRN_JPEG_EOF) {
        /* Premature end of data: libjpeg would pad the image with grey. */
        e->truncated = true;
        longjmp(e->jb, 1);
    }
    if (code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC ||
        code == JWRN_BOGUS_PROGRESSION) {
        e->pub.format_message(cinfo, e->msg);
        longjmp(e->jb, 1);
    }
    e->pub.num_warnings++;
}

typedef struct jpg_ctx {
    struct jpeg_decompress_struct cinfo;
    jpg_err err;
    unsigned char *image;
    unsigned char *row;
} jpg_ctx;

static unsigned get16(const unsigned char *p, bool le)
{
    return le ? (unsigned)p[0] | (unsigned)p[1] << 8 : (unsigned)p[0] << 8 | p[1];
}

static unsigned long get32(const unsigned char *p, bool le)
{
    return le ? (unsigned long)p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16 |
                    (unsigned long)p[3] << 24
              : (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 |
                    p[3];
}

/* The orientation tag (0x0112) in IFD0 of an APP1 Exif block; 1 if none or
 * out of range. Every offset is checked against the block's length. */
static int exif_orientation(const unsigned char *d, size_t n)
{
    if (n < 6 + 8 || memcmp(d, "Exif\0\0", 6) != 0)
        return 1;
    const unsigned char *t = d + 6; /* the TIFF header */
    size_t tn = n - 6;
    bool le;
    if (t[0] == 'I' && t[1] == 'I')
        le = true;
    else if (t[0] == 'M' && t[1] == 'M')
        le = false;
    else
        return 1;
    if (get16(t + 2, le) != 42)
        return 1;
    unsigned long ifd = get32(t + 4, le);
    if (ifd > tn || tn - ifd < 2)
        return 1;
    unsigned count = get16(t + ifd, le);
    for (unsigned i = 0; i < count; i++) {
        unsigned long e = ifd + 2 + 12ul * i;
        if (e > tn || tn - e < 12)
            return 1;
        if (get16(t + e, le) == 0x0112 && get16(t + e + 2, le) == 3) {
            unsigned v = get16(t + e + 8, le);
            return v >= 1 && v <= 8 ? (int)v : 1;
        }
    }
    return 1;
}

static int jpg_run(jpg_ctx *c, const unsigned char *data, size_t len, jr_image_info *info,
                   bool decode)
{
    c->cinfo.err = jpeg_std_error(&c->err.pub);
    c->err.pub.error_exit = jpg_error_exit;
    c->err.pub.emit_message = jpg_emit_message;
    if (setjmp(c->err.jb)) {
        jpeg_destroy_decompress(&c->cinfo);
        return -1;
    }
    jpeg_create_decompress(&c->cinfo);
    jpeg_mem_src(&c->cinfo, (unsigned char *)data, (unsigned long)len);
    jpeg_save_markers(&c->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&c->cinfo, TRUE);
    info->width = c->cinfo.image_width;
    info->height = c->cinfo.image_height;
    if (check_size(info->width, info->height, NULL, 0) < 0) {
        c->err.too_large = true;
        jpeg_destroy_decompress(&c->cinfo);
        return -1;
    }
    for (jpeg_saved_marker_ptr m = c->cinfo.marker_list; m; m = m->next)
        if (m->marker == JPEG_APP0 + 1 && info->orientation == 1)
            info->orientation = exif_orientation(m->data, m->data_length);
    if (c->cinfo.saw_JFIF_marker && c->cinfo.X_density && c->cinfo.Y_density) {
        if (c->cinfo.density_unit == 1) {
            info->dpi_x = c->cinfo.X_density;
            info->dpi_y = c->cinfo.Y_density;
        } else if (c->cinfo.density_unit == 2) {
            info->dpi_x = c->cinfo.X_density * 2.54;
            info->dpi_y = c->cinfo.Y_density * 2.54;
        }
    }
    bool invert = false;
    switch (c->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        c->cinfo.out_color_space = JCS_GRAYSCALE;
        info->channels = 1;
        break;
    case JCS_RGB:
    case JCS_YCbCr:
        c->cinfo.out_color_space = JCS_RGB;
        info->channels = 3;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        c->cinfo.out_color_space = JCS_CMYK;
        info->channels = 4;
        /* Adobe (Photoshop) writes CMYK inverted: 255 means no ink. */
        invert = c->cinfo.saw_Adobe_marker;
        break;
    default:
        snprintf(c->err.msg, sizeof c->err.msg, "unsupported colour space");
        jpeg_destroy_decompress(&c->cinfo);
        return -1;
    }
    info->has_alpha = false;
    if (!decode) {
        /* Checking: every entropy-coded byte is still read and decoded (so
         * truncation and corrupt data are found), but only the DC
         * coefficient of each block is turned into pixels. */
        c->cinfo.scale_num = 1;
        c->cinfo.scale_denom = 8;
        c->cinfo.dct_method = JDCT_IFAST;
        c->cinfo.do_fancy_upsampling = FALSE;
        c->cinfo.do_block_smoothing = FALSE;
    }
    jpeg_start_decompress(&c->cinfo);
    if ((int)c->cinfo.output_components != info->channels) {
        snprintf(c->err.msg, sizeof c->err.msg, "unsupported colour conversion");
        jpeg_destroy_decompress(&c->cinfo);
        return -1;
    }
    size_t rowbytes = (size_t)c->cinfo.output_width * (size_t)info->channels;
    if (decode)
        c->image = jr_xmalloc(rowbytes * info->height);
    else
        c->row = jr_xmalloc(rowbytes);
    /* Skipped rows still have every Huffman code decoded (progressive files
     * are read whole by jpeg_start_decompress), with the same warnings, but
     * no pixels made: half the work of reading them. The last row is read,
     * since skipping to the end would stop reading the data. */
    if (!decode && !check_reference && c->cinfo.output_height > 1)
        jpeg_skip_scanlines(&c->cinfo, c->cinfo.output_height - 1);
    while (c->cinfo.output_scanline < c->cinfo.output_height) {
        JSAMPROW r = decode ? c->image + (size_t)c->cinfo.output_scanline * rowbytes : c->row;
        jpeg_read_scanlines(&c->cinfo, &r, 1);
    }
    jpeg_finish_decompress(&c->cinfo);
    jpeg_destroy_decompress(&c->cinfo);
    if (decode && invert) {
        size_t n = rowbytes * info->height;
        for (size_t i = 0; i < n; i++)
            c->image[i] = (unsigned char)(255 - c->image[i]);
    }
    return 0;
}

static int jpg_do(const unsigned char *data, size_t len, jr_image_info *info, jr_pixels *out,
                  char *why, size_t whylen)
{
    jpg_ctx c;
    memset(&c, 0, sizeof c);
    int rc = jpg_run(&c, data, len, info, out != NULL);
    free(c.row);
    if (rc < 0) {
        free(c.image);
        if (c.err.too_large)
            check_size(info->width, info->height, why, whylen);
        else if (c.err.truncated)
            set_why(why, whylen, "truncated JPEG", NULL);
        else
            set_why(why, whylen, "corrupt JPEG: %s", c.err.msg);
        return -1;
    }
    if (out) {
        out->width = info->width;
        out->height = info->height;
        out->channels = info->channels;
        out->data = c.image;
        out->alpha = NULL;
    }
    return 0;
}

/* ---- public ------------------------------------------------------------- */

/* Check or decode `len` bytes of a file. */
static int image_data(const unsigned char *data, size_t len, jr_image_info *info, jr_pixels *out,
                      char *why, size_t whylen)
{
    int rc;
    if (len >= 8 && memcmp(data, png_magic, 8) == 0) {
        info->format = JR_IMG_PNG;
        rc = png_do(data, len, info, out, why, whylen);
    } else if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
        info->format = JR_IMG_JPEG;
        rc = jpg_do(data, len, info, out, why, whylen);
        if (rc == 0 && out)
            out->orientation = info->orientation;
        if (rc == 0 && info->orientation >= 5) { /* turned by 90 degrees */
            unsigned w = info->width;
            info->width = info->height;
            info->height = w;
        }
    } else {
        set_why(why, whylen, "not a PNG or JPEG file", NULL);
        rc = -1;
    }
    return rc;
}

/* Read a whole image file; NULL (reason in why) for folders, FIFOs (which
 * would block the build) and unreadable files. */
static unsigned char *read_image(const char *path, size_t *len, char *why, size_t whylen)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        set_why(why, whylen, "not a PNG or JPEG file", NULL);
        return NULL;
    }
    unsigned char *data = (unsigned char *)jr_read_file(path, len);
    if (!data)
        set_why(why, whylen, "cannot read file: %s", strerror(errno));
    return data;
}

static int image_run(const char *path, jr_image_info *info, jr_pixels *out, char *why,
                     size_t whylen)
{
    memset(info, 0, sizeof *info);
    info->orientation = 1;
    size_t len = 0;
    unsigned char *data = read_image(path, &len, why, whylen);
    if (!data)
        return -1;
    int rc = image_data(data, len, info, out, why, whylen);
    free(data);
    return rc;
}

/* Checking decodes the whole file (a 12-megapixel JPEG takes some 65 ms),
 * and the layout, the PDF and the HTML pages each check every image: the
 * last results are remembered by the file's content (length and two 64-bit
 * hashes), so that a changed file (journal watch) is checked anew. */
#define CHECK_CACHE 64

static struct check_entry {
    bool used;
    size_t len;
    uint64_t h1, h2;
    int rc;
    jr_image_info info;
    char why[160];
} check_cache[CHECK_CACHE];
static unsigned check_next;
static unsigned long check_decodes; /* full checks done by this process */

/* Two independent 64-bit hashes, eight bytes at a step (each image is
 * hashed by every stage that checks it: this must cost far less than
 * reading the file). */
static void hash_bytes(const unsigned char *d, size_t n, uint64_t *h1, uint64_t *h2)
{
    uint64_t a = 1469598103934665603ull, b = 0x9E3779B97F4A7C15ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, d + i, 8);
        a = (a ^ w) * 0x100000001B3ull;
        a ^= a >> 32;
        b = (b + w + 1) * 0xFF51AFD7ED558CCDull;
        b ^= b >> 29;
    }
    for (; i < n; i++) {
        a = (a ^ d[i]) * 1099511628211ull;
        b = (b + d[i] + 1) * 0x100000001B3ull ^ (b >> 29);
    }
    *h1 = a;
    *h2 = b;
}

/* ---- checks remembered across builds ---------------------------------------
 *
 * Every build checks every image, and a full check costs more than laying
 * out the sample edition. Successful checks are kept in one small file in
 * the cache folder (as hyphenate.c's: $JOURNAL_CACHE_DIR, else
 * $XDG_CACHE_HOME/journal, else ~/.cache/journal; JOURNAL_CACHE_DIR=off or
 * empty turns it off), keyed by the file's identity: device, inode, size,
 * modification and change time in nanoseconds. Any write to a file, a
 * rename over it, chmod or touch moves its change time, which no program
 * can set back; a file whose change time is less than IMGC_RACY_NS old is
 * not remembered, since a second write within the same clock tick (or
 * second, on coarse file systems) would leave the time as it was. Failed
 * checks are never remembered. The file is read once per process and
 * rewritten (temporary file, then rename) only when something new was
 * checked, merged with what other processes wrote meanwhile; a missing,
 * foreign or damaged file counts as empty. */

#define IMGC_MAGIC   "JRIMGC\x01\n"
#define IMGC_FILE    "images-v1.bin"
#define IMGC_RECORD  76           /* bytes per entry in the file */
#define IMGC_MAX     8192u        /* entries kept in the file (some 600 KB) */
#define IMGC_RACY_NS 2000000000ll /* a younger change time is not trusted */

typedef struct imgc_entry {
    uint64_t dev, ino, size;
    int64_t mtime_s, ctime_s;
    uint32_t mtime_ns, ctime_ns;
    jr_image_info info;
    bool used;    /* found or added by this process: kept first in the file */
    bool written; /* while writing the file */
} imgc_entry;

static struct imgc {
    bool loaded;
    char *file; /* NULL: off */
    imgc_entry *ents;
    size_t n, cap;
    uint32_t *index; /* open addressing on (dev, ino): entry number + 1 */
    size_t index_cap;
    size_t pending; /* entries added since the file was written */
    bool atexit_set;
} imgc;

/* What the remembered results depend on besides the file: this code's
 * checks and limits, and the libraries that decode. */
static char *imgc_params(void)
{
    return jr_xasprintf("check 1; max %u %u; png %lu; jpeg %d %d; zlib %s", JR_IMAGE_MAX_SIDE,
                        JR_IMAGE_MAX_PIXELS, (unsigned long)png_access_version_number(),
                        JPEG_LIB_VERSION,
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
                        LIBJPEG_TURBO_VERSION_NUMBER,
#else
                        0,
#endif
                        zlibVersion());
}

static char *imgc_path(void)
{
    return jr_cache_path(IMGC_FILE);
}

static size_t imgc_slot(uint64_t dev, uint64_t ino, size_t cap)
{
    uint64_t h = (dev * 0x9E3779B97F4A7C15ull) ^ (ino * 0xFF51AFD7ED558CCDull);
    h ^= h >> 31;
    return (size_t)h & (cap - 1);
}

static imgc_entry *imgc_find(uint64_t dev, uint64_t ino)
{
    if (!imgc.index_cap)
        return NULL;
    for (size_t s = imgc_slot(dev, ino, imgc.index_cap);; s = (s + 1) & (imgc.index_cap - 1)) {
        uint32_t k = imgc.index[s];
        if (!k)
            return NULL;
        imgc_entry *e = &imgc.ents[k - 1];
        if (e->dev == dev && e->ino == ino)
            return e;
    }
}

static void imgc_reindex(size_t cap)
{
    free(imgc.index);
    imgc.index = jr_xcalloc(cap, sizeof *imgc.index);
    imgc.index_cap = cap;
    for (size_t i = 0; i < imgc.n; i++) {
        size_t s = imgc_slot(imgc.ents[i].dev, imgc.ents[i].ino, cap);
        while (imgc.index[s])
            s = (s + 1) & (cap - 1);
        imgc.index[s] = (uint32_t)(i + 1);
    }
}

/* Add `e`, or replace the entry for the same file. */
static imgc_entry *imgc_put(const imgc_entry *e)
{
    imgc_entry *old = imgc_find(e->dev, e->ino);
    if (old) {
        *old = *e;
        return old;
    }
    if (imgc.n == imgc.cap) {
        imgc.cap = imgc.cap ? imgc.cap * 2 : 64;
        imgc.ents = jr_xrealloc(imgc.ents, imgc.cap * sizeof *imgc.ents);
    }
    imgc.ents[imgc.n++] = *e;
    if (2 * imgc.n > imgc.index_cap)
        imgc_reindex(imgc.index_cap ? imgc.index_cap * 2 : 128);
    else {
        size_t s = imgc_slot(e->dev, e->ino, imgc.index_cap);
        while (imgc.index[s])
            s = (s + 1) & (imgc.index_cap - 1);
        imgc.index[s] = (uint32_t)imgc.n;
    }
    return &imgc.ents[imgc.n - 1];
}

static uint64_t imgc_hash(const unsigned char *d, size_t n)
{
    uint64_t a, b;
    hash_bytes(d, n, &a, &b);
    return a ^ (b * 0x9E3779B97F4A7C15ull);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}
static void put_u64(unsigned char *p, uint64_t v)
{
    memcpy(p, &v, 8);
}
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void imgc_encode(unsigned char *r, const imgc_entry *e)
{
    double dx = e->info.dpi_x, dy = e->info.dpi_y;
    put_u64(r, e->dev);
    put_u64(r + 8, e->ino);
    put_u64(r + 16, e->size);
    put_u64(r + 24, (uint64_t)e->mtime_s);
    put_u64(r + 32, (uint64_t)e->ctime_s);
    put_u32(r + 40, e->mtime_ns);
    put_u32(r + 44, e->ctime_ns);
    put_u32(r + 48, e->info.width);
    put_u32(r + 52, e->info.height);
    memcpy(r + 56, &dx, 8);
    memcpy(r + 64, &dy, 8);
    r[72] = (unsigned char)e->info.format;
    r[73] = (unsigned char)e->info.orientation;
    r[74] = (unsigned char)e->info.channels;
    r[75] = e->info.has_alpha ? 1 : 0;
}

/* Decode one record; false when it cannot be a result of ours. */
static bool imgc_decode(const unsigned char *r, imgc_entry *e)
{
    memset(e, 0, sizeof *e);
    e->dev = get_u64(r);
    e->ino = get_u64(r + 8);
    e->size = get_u64(r + 16);
    e->mtime_s = (int64_t)get_u64(r + 24);
    e->ctime_s = (int64_t)get_u64(r + 32);
    e->mtime_ns = get_u32(r + 40);
    e->ctime_ns = get_u32(r + 44);
    e->info.width = get_u32(r + 48);
    e->info.height = get_u32(r + 52);
    memcpy(&e->info.dpi_x, r + 56, 8);
    memcpy(&e->info.dpi_y, r + 64, 8);
    e->info.format = (jr_image_format)r[72];
    e->info.orientation = r[73];
    e->info.channels = r[74];
    e->info.has_alpha = r[75] != 0;
    return (r[72] == JR_IMG_PNG || r[72] == JR_IMG_JPEG) && r[73] >= 1 && r[73] <= 8 &&
           (r[74] == 1 || r[74] == 3 || r[74] == 4) && r[75] <= 1 &&
           check_size(e->info.width, e->info.height, NULL, 0) == 0 && e->mtime_ns < 1000000000u &&
           e->ctime_ns < 1000000000u && e->info.dpi_x >= 0 && e->info.dpi_x < 1e7 &&
           e->info.dpi_y >= 0 && e->info.dpi_y < 1e7;
}

/* Read the cache file and call `take` for every sound entry; nothing when
 * the file is missing, damaged or written for other parameters. */
static void imgc_read(const char *file, void (*take)(const imgc_entry *))
{
    size_t len = 0;
    unsigned char *d = (unsigned char *)jr_read_file(file, &len);
    if (!d)
        return;
    char *params = imgc_params();
    size_t pl = strlen(params);
    size_t head = 8 + 4 + 4 + 4 + pl + 4;
    bool ok = len >= head + 8 && memcmp(d, IMGC_MAGIC, 8) == 0 && get_u32(d + 8) == 0x01020304u &&
              get_u32(d + 12) == IMGC_RECORD && get_u32(d + 16) == pl &&
              memcmp(d + 20, params, pl) == 0;
    if (ok) {
        uint32_t n = get_u32(d + 20 + pl);
        ok = n <= IMGC_MAX && len == head + (size_t)n * IMGC_RECORD + 8 &&
             get_u64(d + len - 8) == imgc_hash(d, len - 8);
        for (uint32_t i = 0; ok && i < n; i++) {
            imgc_entry e;
            if (imgc_decode(d + head + (size_t)i * IMGC_RECORD, &e))
                take(&e);
        }
    }
    free(params);
    free(d);
}

static void imgc_take_loaded(const imgc_entry *e)
{
    imgc_put(e);
}

/* From a file written by another process meanwhile: what we do not know,
 * or a newer result for a file we know. */
static void imgc_take_merged(const imgc_entry *e)
{
    const imgc_entry *old = imgc_find(e->dev, e->ino);
    if (!old || e->ctime_s > old->ctime_s ||
        (e->ctime_s == old->ctime_s && e->ctime_ns > old->ctime_ns)) {
        imgc_entry copy = *e;
        copy.used = old && old->used;
        imgc_put(&copy);
    }
}

/* The entries of the cache file as it is when we write ours. */
static struct {
    imgc_entry *ents;
    size_t n, cap;
} imgc_disk;

static void imgc_take_disk(const imgc_entry *e)
{
    if (imgc_disk.n == imgc_disk.cap) {
        imgc_disk.cap = imgc_disk.cap ? imgc_disk.cap * 2 : 64;
        imgc_disk.ents = jr_xrealloc(imgc_disk.ents, imgc_disk.cap * sizeof *imgc_disk.ents);
    }
    imgc_disk.ents[imgc_disk.n++] = *e;
}

static void imgc_load(void)
{
    if (imgc.loaded)
        return;
    imgc.loaded = true;
    imgc.file = imgc_path();
    if (imgc.file)
        imgc_read(imgc.file, imgc_take_loaded);
}

static void imgc_write(void)
{
    if (!imgc.pending || !imgc.file)
        return;
    imgc.pending = 0;
    /* what other processes wrote meanwhile, in their order */
    imgc_disk.n = 0;
    imgc_read(imgc.file, imgc_take_disk);
    for (size_t i = 0; i < imgc_disk.n; i++)
        imgc_take_merged(&imgc_disk.ents[i]);
    char *params = imgc_params();
    size_t pl = strlen(params);
    size_t n = imgc.n < IMGC_MAX ? imgc.n : IMGC_MAX;
    size_t head = 8 + 4 + 4 + 4 + pl + 4, len = head + n * IMGC_RECORD + 8;
    unsigned char *d = jr_xmalloc(len);
    memcpy(d, IMGC_MAGIC, 8);
    put_u32(d + 8, 0x01020304u);
    put_u32(d + 12, IMGC_RECORD);
    put_u32(d + 16, (uint32_t)pl);
    memcpy(d + 20, params, pl);
    put_u32(d + 20 + pl, (uint32_t)n);
    /* A full file drops the stalest: first what this process used, then
     * the file's entries in its order (another build's used ones first),
     * then the rest. */
    size_t k = 0;
    for (size_t i = 0; i < imgc.n; i++)
        imgc.ents[i].written = false;
    for (size_t i = 0; i < imgc.n && k < n; i++)
        if (imgc.ents[i].used) {
            imgc_encode(d + head + IMGC_RECORD * k++, &imgc.ents[i]);
            imgc.ents[i].written = true;
        }
    for (size_t i = 0; i < imgc_disk.n && k < n; i++) {
        imgc_entry *e = imgc_find(imgc_disk.ents[i].dev, imgc_disk.ents[i].ino);
        if (e && !e->written) {
            imgc_encode(d + head + IMGC_RECORD * k++, e);
            e->written = true;
        }
    }
    for (size_t i = 0; i < imgc.n && k < n; i++)
        if (!imgc.ents[i].written)
            imgc_encode(d + head + IMGC_RECORD * k++, &imgc.ents[i]);
    put_u64(d + len - 8, imgc_hash(d, len - 8));
    free(params);

    jr_cache_write(imgc.file, d, len);
    free(d);
}

static void imgc_atexit(void)
{
    imgc_write();
}

void jr_image_cache_flush(void)
{
    imgc_write();
}

void jr_image_cache_reset(void)
{
    imgc_write();
    free(imgc.file);
    free(imgc.ents);
    free(imgc.index);
    free(imgc_disk.ents);
    memset(&imgc_disk, 0, sizeof imgc_disk);
    bool atexit_set = imgc.atexit_set;
    memset(&imgc, 0, sizeof imgc);
    imgc.atexit_set = atexit_set;
    memset(check_cache, 0, sizeof check_cache);
    check_next = 0;
    check_decodes = 0;
}

unsigned long jr_image_check_decodes(void)
{
    return check_decodes;
}

static void imgc_fill_key(imgc_entry *e, const struct stat *st)
{
    memset(e, 0, sizeof *e);
    e->dev = (uint64_t)st->st_dev;
    e->ino = (uint64_t)st->st_ino;
    e->size = (uint64_t)st->st_size;
    e->mtime_s = (int64_t)st->st_mtim.tv_sec;
    e->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
    e->ctime_s = (int64_t)st->st_ctim.tv_sec;
    e->ctime_ns = (uint32_t)st->st_ctim.tv_nsec;
}

static bool imgc_same(const imgc_entry *a, const imgc_entry *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_s == b->mtime_s &&
           a->mtime_ns == b->mtime_ns && a->ctime_s == b->ctime_s && a->ctime_ns == b->ctime_ns;
}

/* Old enough to be remembered (see above). */
static bool imgc_settled(const struct stat *st, const struct timespec *now)
{
    long long c = (long long)st->st_ctim.tv_sec * 1000000000ll + st->st_ctim.tv_nsec;
    long long t = (long long)now->tv_sec * 1000000000ll + now->tv_nsec;
    return c < t - IMGC_RACY_NS;
}

int jr_image_check(const char *path, jr_image_info *info, char *why, size_t whylen)
{
    jr_image_info tmp;
    if (!info)
        info = &tmp;
    memset(info, 0, sizeof *info);
    info->orientation = 1;

    struct timespec now = {0, 0};
    struct stat st;
    imgc_entry key;
    bool known = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    if (known) {
        imgc_load();
        imgc_fill_key(&key, &st);
        imgc_entry *e = imgc.file ? imgc_find(key.dev, key.ino) : NULL;
        if (e && imgc_same(e, &key)) {
            e->used = true;
            *info = e->info;
            imgc_write(); /* the checks of this round are done */
            return 0;
        }
        clock_gettime(CLOCK_REALTIME, &now);
    }

    size_t len = 0;
    unsigned char *data = read_image(path, &len, why, whylen);
    if (!data)
        return -1;
    uint64_t h1, h2;
    hash_bytes(data, len, &h1, &h2);
    const struct check_entry *hit = NULL;
    for (unsigned i = 0; i < CHECK_CACHE && !hit; i++) {
        const struct check_entry *e = &check_cache[i];
        if (e->used && e->len == len && e->h1 == h1 && e->h2 == h2)
            hit = e;
    }
    int rc;
    if (hit) {
        free(data);
        *info = hit->info;
        if (hit->rc < 0)
            set_why(why, whylen, "%s", hit->why);
        rc = hit->rc;
    } else {
        char mywhy[160] = "";
        check_decodes++;
        rc = image_data(data, len, info, NULL, mywhy, sizeof mywhy);
        free(data);
        if (rc < 0)
            set_why(why, whylen, "%s", mywhy);
        struct check_entry *e = &check_cache[check_next++ % CHECK_CACHE];
        e->used = true;
        e->len = len;
        e->h1 = h1;
        e->h2 = h2;
        e->rc = rc;
        e->info = *info;
        snprintf(e->why, sizeof e->why, "%s", mywhy);
    }

    /* Remember a success for the next builds when the file is settled and
     * was not changed while it was read. */
    struct stat after;
    imgc_entry now_key;
    if (rc == 0 && known && imgc.file && imgc_settled(&st, &now) && stat(path, &after) == 0 &&
        (imgc_fill_key(&now_key, &after), imgc_same(&now_key, &key)) && len == key.size) {
        key.info = *info;
        key.used = true;
        imgc_put(&key);
        imgc.pending++;
        if (!imgc.atexit_set) {
            imgc.atexit_set = true;
            atexit(imgc_atexit);
        }
    }
    return rc;
}

int jr_image_decode(const char *path, jr_pixels *out, char *why, size_t whylen)
{
    jr_image_info info;
    memset(out, 0, sizeof *out);
    int rc = image_run(path, &info, out, why, whylen);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

void jr_pixels_free(jr_pixels *p)
{
    if (!p)
        return;
    free(p->data);
    free(p->alpha);
    p->data = NULL;
    p->alpha = NULL;
}

/* ---- embedded ICC profiles ------------------------------------------------ */

/* A profile header that can be trusted: its size field, the 'acsp'
 * signature, a known major version (2 or 4). */
static bool icc_sound(const unsigned char *d, size_t n)
{
    if (n < 132 || memcmp(d + 36, "acsp", 4) != 0 || (d[8] != 2 && d[8] != 4))
        return false;
    unsigned long size =
        (unsigned long)d[0] << 24 | (unsigned long)d[1] << 16 | (unsigned long)d[2] << 8 | d[3];
    return size == n;
}

static int png_icc_run(png_ctx *c, unsigned char **icc, size_t *len)
{
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, png_err_fn, png_warn_fn);
    if (!png)
        return -1;
    png_infop pinfo = png_create_info_struct(png);
    if (!pinfo) {
        png_destroy_read_struct(&png, NULL, NULL);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &pinfo, NULL);
        return -1;
    }
    png_set_read_fn(png, c, png_read_fn);
    png_set_user_limits(png, 0x7fffffffL, 0x7fffffffL);
    png_set_chunk_malloc_max(png, 64u << 20);
    png_read_info(png, pinfo);
    png_charp name = NULL;
    int comp = 0;
    png_bytep prof = NULL;
    png_uint_32 plen = 0;
    int rc = -1;
    if (png_get_iCCP(png, pinfo, &name, &comp, &prof, &plen) && prof && plen > 0) {
        c->image = jr_xmalloc(plen);
        memcpy(c->image, prof, plen);
        *icc = c->image;
        *len = plen;
        rc = 0;
    }
    png_destroy_read_struct(&png, &pinfo, NULL);
    return rc;
}

static int jpg_icc_run(jpg_ctx *c, const unsigned char *data, size_t n, unsigned char **icc,
                       size_t *len)
{
    c->cinfo.err = jpeg_std_error(&c->err.pub);
    c->err.pub.error_exit = jpg_error_exit;
    c->err.pub.emit_message = jpg_emit_message;
    if (setjmp(c->err.jb)) {
        jpeg_destroy_decompress(&c->cinfo);
        return -1;
    }
    jpeg_create_decompress(&c->cinfo);
    jpeg_mem_src(&c->cinfo, (unsigned char *)data, (unsigned long)n);
    jpeg_save_markers(&c->cinfo, JPEG_APP0 + 2, 0xFFFF);
    jpeg_read_header(&c->cinfo, TRUE);
    JOCTET *prof = NULL;
    unsigned int plen = 0;
    int rc = -1;
    if (jpeg_read_icc_profile(&c->cinfo, &prof, &plen) && prof && plen > 0) {
        c->image = prof; /* malloc'ed by libjpeg */
        *icc = prof;
        *len = plen;
        rc = 0;
    }
    jpeg_destroy_decompress(&c->cinfo);
    return rc;
}

int jr_image_icc(const char *path, unsigned char **icc, size_t *len)
{
    *icc = NULL;
    *len = 0;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    size_t n = 0;
    unsigned char *data = (unsigned char *)jr_read_file(path, &n);
    if (!data)
        return -1;
    int rc = -1;
    if (n >= 8 && memcmp(data, png_magic, 8) == 0) {
        png_ctx c;
        memset(&c, 0, sizeof c);
        c.data = data;
        c.len = n;
        rc = png_icc_run(&c, icc, len);
        if (rc < 0)
            free(c.image);
    } else if (n >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) {
        jpg_ctx c;
        memset(&c, 0, sizeof c);
        rc = jpg_icc_run(&c, data, n, icc, len);
        if (rc < 0)
            free(c.image);
    }
    free(data);
    if (rc == 0 && !icc_sound(*icc, *len)) {
        free(*icc);
        *icc = NULL;
        *len = 0;
        rc = -1;
    }
    return rc;
}

/* ---- paths -------------------------------------------------------------- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Is `path` (absolute, normalised) equal to `root` or below it? */
static bool under(const char *root, const char *path)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(root, path, n) == 0 && (path[n] == 0 || path[n] == '/');
}

/* Lexically apply `rel` to the absolute directory `base`: "." and ".." are
 * resolved without touching the file system. Returns a new path. */
static char *lexical_join(const char *base, const char *rel)
{
    size_t cap = strlen(base) + strlen(rel) + 2;
    char *out = jr_xmalloc(cap);
    snprintf(out, cap, "%s", base);
    size_t len = strlen(out);
    while (len > 1 && out[len - 1] == '/')
        out[--len] = 0;
    const char *s = rel;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.')) {
            /* skip */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            char *slash = strrchr(out, '/');
            if (slash == out)
                out[1] = 0;
            else if (slash)
                *slash = 0;
        } else {
            len = strlen(out);
            if (len > 1 || out[0] != '/')
                out[len++] = '/';
            memcpy(out + len, s, n);
            out[len + n] = 0;
        }
        s += n;
        if (*s == '/')
            s++;
    }
    return out;
}

/* "bild%20eins.png" -> "bild eins.png"; NULL when nothing is encoded or
 * the result would hold a NUL. Caller frees. */
static char *percent_decode(const char *s)
{
    if (!strchr(s, '%'))
        return NULL;
    size_t n = strlen(s), o = 0;
    char *out = jr_xmalloc(n + 1);
    bool changed = false;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n + 1 && (hi = hexval(s[i + 1])) >= 0 &&
            (lo = hexval(s[i + 2])) >= 0) {
            char ch = (char)(hi * 16 + lo);
            if (ch == 0) {
                free(out);
                return NULL;
            }
            out[o++] = ch;
            i += 2;
            changed = true;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    if (!changed) {
        free(out);
        return NULL;
    }
    return out;
}

static char *resolve(const char *root, const char *dir, const char *rel, bool *outside,
                     bool decode);

char *jr_image_resolve(const char *root, const char *dir, const char *rel, bool *outside)
{
    return resolve(root, dir, rel, outside, true);
}

/* With `decode`, a path written URL-style ("%20") that names no file is
 * tried once more decoded (with the same checks). */
static char *resolve(const char *root, const char *dir, const char *rel, bool *outside, bool decode)
{
    bool dummy;
    if (!outside)
        outside = &dummy;
    *outside = false;
    if (!rel || !*rel)
        return NULL;
    if (rel[0] == '/') {
        *outside = true;
        return NULL;
    }
    char *rroot = realpath(root ? root : ".", NULL);
    if (!rroot)
        return NULL;
    char *rdir = realpath(dir && *dir ? dir : rroot, NULL);
    if (!rdir) {
        free(rroot);
        return NULL;
    }
    char *result = NULL;
    char *lex = lexical_join(rdir, rel);
    if (!under(rroot, rdir) || !under(rroot, lex)) {
        *outside = true;
    } else {
        char *joined = jr_path_join(rdir, rel);
        char *real = realpath(joined, NULL);
        free(joined);
        if (real) {
            if (under(rroot, real))
                result = jr_xstrdup(real);
            else
                *outside = true; /* a symlink leads out */
            free(real);
        }
    }
    free(lex);
    free(rdir);
    free(rroot);
    if (!result && !*outside && decode) {
        char *dec = percent_decode(rel);
        if (dec) {
            result = resolve(root, dir, dec, outside, false);
            free(dec);
        }
    }
    return result;
}
