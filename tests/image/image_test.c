/* image_test.c: image checks, decoding and path resolution (image.c).
 *
 * Every file is written by this test (libpng, libjpeg or raw bytes) into a
 * temporary folder; broken files are made from good ones. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

#include "image.h"
#include "util.h"

static int failures;
static char tmpdir[] = "/tmp/journal-image-test-XXXXXX";

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static char *tpath(const char *name)
{
    return jr_path_join(tmpdir, name);
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

/* A reproducible pixel pattern that does not compress to nothing. */
static unsigned char pattern(unsigned x, unsigned y, unsigned c)
{
    return (unsigned char)((x * 7 + y * 13 + c * 61 + ((x * y) % 17) * 11) & 0xFF);
}

/* Write a PNG. `ctype` is a libpng colour type; for palette images the
 * palette has 16 entries and tRNS is added when `trns` is set. */
static void write_png(const char *path, unsigned w, unsigned h, int ctype, int depth,
                      bool interlace, bool trns, unsigned ppm)
{
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "libpng write failed\n");
        exit(2);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, depth, ctype,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (ctype == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[16];
        png_byte alpha[16];
        for (int i = 0; i < 16; i++) {
            pal[i].red = (png_byte)(i * 16);
            pal[i].green = (png_byte)(255 - i * 16);
            pal[i].blue = (png_byte)(i * 8);
            alpha[i] = (png_byte)(i == 0 ? 0 : 255);
        }
        png_set_PLTE(png, info, pal, 16);
        if (trns)
            png_set_tRNS(png, info, alpha, 16, NULL);
    }
    if (ppm)
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_write_info(png, info);
    int ch = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    unsigned char *row = calloc(1, rowbytes);
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++) {
        for (unsigned y = 0; y < h; y++) {
            memset(row, 0, rowbytes);
            for (unsigned x = 0; x < w; x++) {
                if (depth == 8) {
                    for (int c = 0; c < ch; c++)
                        row[x * ch + c] =
                            ctype == PNG_COLOR_TYPE_PALETTE ? (x + y) % 16 : pattern(x, y, c);
                } else if (depth == 16) {
                    for (int c = 0; c < ch; c++) {
                        unsigned v = pattern(x, y, c) * 257u;
                        row[(x * ch + c) * 2] = (unsigned char)(v >> 8);
                        row[(x * ch + c) * 2 + 1] = (unsigned char)(v & 0xFF);
                    }
                } else if (depth == 1) {
                    if ((x + y) % 2)
                        row[x / 8] |= (unsigned char)(0x80 >> (x % 8));
                }
            }
            png_write_row(png, row);
        }
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    fclose(f);
}

/* Write a JPEG with 1, 3 or 4 components; CMYK samples are written as
 * given (libjpeg adds an Adobe marker, so readers take them as inverted).
 * `fill` (if not NULL) gives one colour for every pixel. */
static void write_jpeg(const char *path, unsigned w, unsigned h, int comps, int dpi,
                       const unsigned char *fill)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    jpeg_stdio_dest(&c, f);
    c.image_width = w;
    c.image_height = h;
    c.input_components = comps;
    c.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 100, TRUE);
    if (dpi) {
        c.write_JFIF_header = TRUE;
        c.density_unit = 1;
        c.X_density = (UINT16)dpi;
        c.Y_density = (UINT16)dpi;
    }
    jpeg_start_compress(&c, TRUE);
    unsigned char *row = malloc((size_t)w * comps);
    while (c.next_scanline < h) {
        for (unsigned x = 0; x < w; x++)
            for (int k = 0; k < comps; k++)
                row[x * comps + k] = fill ? fill[k] : pattern(x, c.next_scanline, k);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    fclose(f);
}

/* A 40 x 30 RGB JPEG with the given APP1 block. */
static void write_jpeg_app1(const char *path, const unsigned char *app1, unsigned n)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    jpeg_stdio_dest(&c, f);
    c.image_width = 40;
    c.image_height = 30;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_start_compress(&c, TRUE);
    jpeg_write_marker(&c, JPEG_APP0 + 1, app1, n);
    unsigned char row[40 * 3];
    while (c.next_scanline < 30) {
        for (unsigned x = 0; x < 40 * 3; x++)
            row[x] = pattern(x, c.next_scanline, 0);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    unsigned char *d = (unsigned char *)jr_read_file(path, len);
    if (!d) {
        perror(path);
        exit(2);
    }
    return d;
}

static void put32(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static unsigned long crc32_of(const unsigned char *p, size_t n)
{
    unsigned long crc = 0xFFFFFFFFul;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320ul & (0ul - (crc & 1)));
    }
    return crc ^ 0xFFFFFFFFul;
}

/* Find a PNG chunk by type; returns the offset of its length field. */
static size_t find_chunk(const unsigned char *d, size_t len, const char *type)
{
    size_t pos = 8;
    while (pos + 12 <= len) {
        unsigned long n = ((unsigned long)d[pos] << 24) | ((unsigned long)d[pos + 1] << 16) |
                          ((unsigned long)d[pos + 2] << 8) | d[pos + 3];
        if (memcmp(d + pos + 4, type, 4) == 0)
            return pos;
        pos += 12 + n;
    }
    return 0;
}

/* A PNG that is only a signature, an IHDR claiming w x h, a tiny IDAT and IEND. */
static void write_png_header(const char *path, unsigned long w, unsigned long h)
{
    unsigned char d[8 + 25 + 12 + 12];
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    memcpy(d, sig, 8);
    unsigned char *p = d + 8;
    put32(p, 13);
    memcpy(p + 4, "IHDR", 4);
    put32(p + 8, w);
    put32(p + 12, h);
    p[16] = 8; /* depth */
    p[17] = 2; /* RGB */
    p[18] = p[19] = p[20] = 0;
    put32(p + 21, crc32_of(p + 4, 17));
    p += 25;
    put32(p, 0);
    memcpy(p + 4, "IDAT", 4);
    put32(p + 8, crc32_of(p + 4, 4));
    p += 12;
    put32(p, 0);
    memcpy(p + 4, "IEND", 4);
    put32(p + 8, crc32_of(p + 4, 4));
    write_bytes(path, d, sizeof d);
}

static void expect_fail(const char *name, const char *reason)
{
    char *p = tpath(name);
    char why[256] = "";
    jr_image_info info;
    int rc = jr_image_check(p, &info, why, sizeof why);
    if (rc != -1 || strcmp(why, reason) != 0) {
        fprintf(stderr, "%s: expected '%s', got rc %d '%s'\n", name, reason, rc, why);
        failures++;
    }
    jr_pixels px;
    rc = jr_image_decode(p, &px, why, sizeof why);
    if (rc != -1 || strcmp(why, reason) != 0 || px.data || px.alpha) {
        fprintf(stderr, "%s (decode): expected '%s', got rc %d '%s'\n", name, reason, rc, why);
        failures++;
    }
    free(p);
}

/* The check must refuse a huge header without allocating: run it in a child
 * limited to 256 MB of address space (not under AddressSanitizer, which
 * reserves far more). */
static void expect_fail_limited(const char *name, const char *reason)
{
#if defined(__SANITIZE_ADDRESS__)
    expect_fail(name, reason);
#else
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {256u << 20, 256u << 20};
        setrlimit(RLIMIT_AS, &rl);
        failures = 0;
        expect_fail(name, reason);
        _exit(failures ? 1 : 0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "%s: failed under a 256 MB memory limit (status %d)\n", name, st);
        failures++;
    }
#endif
}

static void test_bad_files(void)
{
    char *p;
    /* not an image, empty file */
    p = tpath("text.png");
    write_bytes(p, "hello, world\n", 13);
    free(p);
    expect_fail("text.png", "not a PNG or JPEG file");
    p = tpath("empty.jpg");
    write_bytes(p, "", 0);
    free(p);
    expect_fail("empty.jpg", "not a PNG or JPEG file");
    p = tpath("sig-only.png");
    write_bytes(p, "\x89PNG\r\n\x1a\n", 8);
    free(p);
    expect_fail("sig-only.png", "truncated PNG");

    /* a good PNG, then cut and corrupted copies */
    char *good = tpath("good.png");
    write_png(good, 64, 48, PNG_COLOR_TYPE_RGB, 8, false, false, 11811);
    size_t len;
    unsigned char *d = slurp(good, &len);
    p = tpath("trunc.png");
    write_bytes(p, d, len / 2);
    free(p);
    expect_fail("trunc.png", "truncated PNG");
    p = tpath("no-iend.png");
    write_bytes(p, d, len - 12);
    free(p);
    expect_fail("no-iend.png", "truncated PNG");

    size_t idat = find_chunk(d, len, "IDAT");
    CHECK(idat > 0);
    unsigned char *bad = malloc(len);
    memcpy(bad, d, len);
    for (size_t i = 0; i < 8; i++)
        bad[idat + 8 + 20 + i] ^= 0x5A;
    /* flipped IDAT bytes: zlib stumbles before the CRC is reached */
    p = tpath("flip.png");
    write_bytes(p, bad, len);
    char why[256];
    jr_image_info info;
    CHECK(jr_image_check(p, &info, why, sizeof why) == -1);
    CHECK(strncmp(why, "corrupt PNG: IDAT: ", 19) == 0);
    free(p);
    /* only the CRC is wrong */
    unsigned long n = ((unsigned long)d[idat] << 24) | ((unsigned long)d[idat + 1] << 16) |
                      ((unsigned long)d[idat + 2] << 8) | d[idat + 3];
    unsigned char *badcrc = malloc(len);
    memcpy(badcrc, d, len);
    badcrc[idat + 8 + n + 3] ^= 0x01;
    p = tpath("crc.png");
    write_bytes(p, badcrc, len);
    free(p);
    free(badcrc);
    expect_fail("crc.png", "corrupt PNG: IDAT: CRC error");
    /* same flip with a correct CRC: zlib finds it */
    put32(bad + idat + 8 + n, crc32_of(bad + idat + 4, n + 4));
    p = tpath("zlib.png");
    write_bytes(p, bad, len);
    free(p);
    p = tpath("zlib.png");
    CHECK(jr_image_check(p, &info, why, sizeof why) == -1);
    CHECK(strncmp(why, "corrupt PNG: ", 13) == 0);
    free(p);
    free(bad);
    free(d);
    free(good);

    /* headers claiming huge images */
    p = tpath("huge.png");
    write_png_header(p, 20000, 20000);
    free(p);
    expect_fail_limited("huge.png", "image claims 20000 x 20000 pixels");
    p = tpath("huger.png");
    write_png_header(p, 100000, 100000);
    free(p);
    expect_fail_limited("huger.png", "image claims 100000 x 100000 pixels");
    p = tpath("wide.png");
    write_png_header(p, 20001, 10);
    free(p);
    expect_fail("wide.png", "image claims 20001 x 10 pixels");

    /* JPEG: truncated, header only, corrupt */
    good = tpath("good.jpg");
    write_jpeg(good, 64, 64, 3, 150, NULL);
    d = slurp(good, &len);
    p = tpath("trunc.jpg");
    write_bytes(p, d, len * 6 / 10);
    free(p);
    expect_fail("trunc.jpg", "truncated JPEG");
    size_t sos = 0;
    for (size_t i = 2; i + 1 < len; i++)
        if (d[i] == 0xFF && d[i + 1] == 0xDA) {
            sos = i;
            break;
        }
    CHECK(sos > 0);
    p = tpath("header-only.jpg");
    write_bytes(p, d, sos);
    free(p);
    expect_fail("header-only.jpg", "truncated JPEG");
    p = tpath("soi-only.jpg");
    write_bytes(p, "\xFF\xD8\xFF", 3);
    free(p);
    expect_fail("soi-only.jpg", "truncated JPEG");
    free(d);
    free(good);
}

static void test_good_files(void)
{
    char why[256] = "";
    jr_image_info info;
    jr_pixels px;
    char *p;

    /* RGB PNG with 300 dpi */
    p = tpath("rgb.png");
    write_png(p, 64, 48, PNG_COLOR_TYPE_RGB, 8, false, false, 11811);
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
    CHECK(info.format == JR_IMG_PNG && info.width == 64 && info.height == 48);
    CHECK(info.channels == 3 && !info.has_alpha);
    CHECK(info.dpi_x > 299.9 && info.dpi_x < 300.1 && info.dpi_y > 299.9);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.width == 64 && px.height == 48 && px.channels == 3 && !px.alpha);
    CHECK(px.data[(10 * 64 + 5) * 3 + 1] == pattern(5, 10, 1));
    jr_pixels_free(&px);
    free(p);

    /* interlaced 16-bit RGBA */
    p = tpath("rgba16.png");
    write_png(p, 33, 17, PNG_COLOR_TYPE_RGB_ALPHA, 16, true, false, 0);
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
    CHECK(info.channels == 3 && info.has_alpha && info.dpi_x == 0);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.channels == 3 && px.alpha);
    CHECK(px.data[(7 * 33 + 20) * 3 + 2] == pattern(20, 7, 2));
    CHECK(px.alpha[7 * 33 + 20] == pattern(20, 7, 3));
    jr_pixels_free(&px);
    free(p);

    /* gray + alpha */
    p = tpath("graya.png");
    write_png(p, 20, 10, PNG_COLOR_TYPE_GRAY_ALPHA, 8, false, false, 0);
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
    CHECK(info.channels == 1 && info.has_alpha);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.channels == 1 && px.alpha);
    CHECK(px.data[3 * 20 + 4] == pattern(4, 3, 0) && px.alpha[3 * 20 + 4] == pattern(4, 3, 1));
    jr_pixels_free(&px);
    free(p);

    /* palette, without and with transparency */
    p = tpath("pal.png");
    write_png(p, 16, 16, PNG_COLOR_TYPE_PALETTE, 8, false, false, 0);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.channels == 3 && !px.alpha);
    CHECK(px.data[(2 * 16 + 3) * 3] == 5 * 16 && px.data[(2 * 16 + 3) * 3 + 1] == 255 - 5 * 16);
    jr_pixels_free(&px);
    free(p);
    p = tpath("pal-trns.png");
    write_png(p, 16, 16, PNG_COLOR_TYPE_PALETTE, 8, false, true, 0);
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
    CHECK(info.channels == 3 && info.has_alpha);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.channels == 3 && px.alpha && px.alpha[0] == 0 && px.alpha[1] == 255);
    jr_pixels_free(&px);
    free(p);

    /* 1-bit gray */
    p = tpath("bw.png");
    write_png(p, 13, 5, PNG_COLOR_TYPE_GRAY, 1, false, false, 0);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.channels == 1 && px.data[0] == 0 && px.data[1] == 255 && px.data[13] == 255);
    jr_pixels_free(&px);
    free(p);

    /* JPEG: RGB with 150 dpi, gray, Adobe CMYK */
    p = tpath("rgb.jpg");
    write_jpeg(p, 40, 30, 3, 150, NULL);
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
    CHECK(info.format == JR_IMG_JPEG && info.width == 40 && info.height == 30);
    CHECK(info.channels == 3 && !info.has_alpha && info.dpi_x == 150 && info.dpi_y == 150);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.channels == 3 && px.width == 40 && !px.alpha);
    jr_pixels_free(&px);
    free(p);
    p = tpath("gray.jpg");
    write_jpeg(p, 8, 8, 1, 0, NULL);
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
    CHECK(info.channels == 1);
    free(p);
    p = tpath("cmyk.jpg");
    const unsigned char inverted[4] = {255 - 200, 255 - 10, 255 - 20, 255 - 30};
    write_jpeg(p, 16, 16, 4, 0, inverted);
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
    CHECK(info.channels == 4);
    CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
    CHECK(px.channels == 4);
    if (px.data) {
        const unsigned char want[4] = {200, 10, 20, 30};
        for (int k = 0; k < 4; k++)
            CHECK(abs((int)px.data[(5 * 16 + 5) * 4 + k] - want[k]) <= 2);
    }
    jr_pixels_free(&px);
    free(p);

    /* a folder and a FIFO (which must not block) */
    p = tpath("ordner.png");
    CHECK(mkdir(p, 0755) == 0);
    CHECK(jr_image_check(p, &info, why, sizeof why) == -1);
    CHECK(strcmp(why, "not a PNG or JPEG file") == 0);
    free(p);
    p = tpath("fifo.png");
    CHECK(mkfifo(p, 0644) == 0);
    CHECK(jr_image_check(p, &info, why, sizeof why) == -1);
    CHECK(strcmp(why, "not a PNG or JPEG file") == 0);
    unsigned char *icc = NULL;
    size_t icclen = 0;
    CHECK(jr_image_icc(p, &icc, &icclen) == -1);
    free(p);

    /* missing file */
    p = tpath("missing.png");
    CHECK(jr_image_check(p, &info, why, sizeof why) == -1);
    CHECK(strncmp(why, "cannot read file", 16) == 0);
    free(p);
}

/* EXIF orientation: width and height as displayed, pixels as stored. */
static void test_orientation(void)
{
    /* big-endian TIFF, IFD0 with one entry: orientation (SHORT) */
    unsigned char mm[] = {'E',  'x',  'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                          0x01, 0x12, 0,   3,   0, 0, 0,   1,   0, 6,  0, 0, 0, 0, 0, 0};
    /* little-endian, a first unrelated entry, orientation 3 */
    unsigned char ii[] = {'E', 'x',  'i',  'f', 0, 0, 'I', 'I', 42, 0, 8, 0, 0, 0,    2,
                          0,   0x0F, 0x01, 2,   0, 1, 0,   0,   0,  0, 0, 0, 0, 0x12, 0x01,
                          3,   0,    1,    0,   0, 0, 3,   0,   0,  0, 0, 0, 0, 0};
    /* IFD offset far outside the block */
    unsigned char bad[] = {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0x7F, 0xFF, 0xFF, 0xF0};
    /* an entry count running past the end */
    unsigned char cut[] = {'E', 'x', 'i', 'f', 0,    0,    'I',  'I',  42, 0,
                           8,   0,   0,   0,   0xFF, 0xFF, 0x12, 0x01, 3,  0};
    /* orientation 9 does not exist */
    unsigned char nine[] = {'E',  'x',  'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
                            0x01, 0x12, 0,   3,   0, 0, 0,   1,   0, 9,  0, 0, 0, 0, 0, 0};
    struct {
        const char *name;
        unsigned char *d;
        unsigned n;
        int orientation;
    } cases[] = {{"o-mm.jpg", mm, sizeof mm, 6},
                 {"o-ii.jpg", ii, sizeof ii, 3},
                 {"o-bad.jpg", bad, sizeof bad, 1},
                 {"o-cut.jpg", cut, sizeof cut, 1},
                 {"o-nine.jpg", nine, sizeof nine, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = tpath(cases[i].name);
        write_jpeg_app1(p, cases[i].d, cases[i].n);
        char why[256] = "";
        jr_image_info info;
        CHECK(jr_image_check(p, &info, why, sizeof why) == 0);
        CHECK(info.orientation == cases[i].orientation);
        bool turned = cases[i].orientation >= 5;
        CHECK(info.width == (turned ? 30u : 40u) && info.height == (turned ? 40u : 30u));
        jr_pixels px;
        CHECK(jr_image_decode(p, &px, why, sizeof why) == 0);
        CHECK(px.width == 40 && px.height == 30 && px.orientation == cases[i].orientation);
        jr_pixels_free(&px);
        free(p);
    }
    /* a PNG has no orientation */
    char *p = tpath("o.png");
    write_png(p, 5, 7, PNG_COLOR_TYPE_RGB, 8, false, false, 0);
    jr_image_info info;
    char why[256];
    CHECK(jr_image_check(p, &info, why, sizeof why) == 0 && info.orientation == 1);
    CHECK(info.width == 5 && info.height == 7);
    free(p);
}

/* Embedded ICC profiles: JPEG APP2 and PNG iCCP come back byte for byte;
 * a profile whose header lies about its size is refused. Uses the Adobe
 * RGB compatible profile of libgs-common (skipped if it is missing). */
static void test_icc(void)
{
    size_t n = 0;
    unsigned char *prof =
        (unsigned char *)jr_read_file("/usr/share/color/icc/ghostscript/a98.icc", &n);
    if (!prof) {
        fprintf(stderr, "note: a98.icc (libgs-common) missing, ICC checks skipped\n");
        return;
    }
    unsigned char *icc = NULL;
    size_t len = 0;
    /* JPEG */
    char *p = tpath("icc.jpg");
    {
        struct jpeg_compress_struct c;
        struct jpeg_error_mgr jerr;
        c.err = jpeg_std_error(&jerr);
        jpeg_create_compress(&c);
        FILE *f = fopen(p, "wb");
        jpeg_stdio_dest(&c, f);
        c.image_width = 8;
        c.image_height = 8;
        c.input_components = 3;
        c.in_color_space = JCS_RGB;
        jpeg_set_defaults(&c);
        jpeg_start_compress(&c, TRUE);
        jpeg_write_icc_profile(&c, prof, (unsigned)n);
        unsigned char row[8 * 3] = {0};
        JSAMPROW r = row;
        while (c.next_scanline < 8)
            jpeg_write_scanlines(&c, &r, 1);
        jpeg_finish_compress(&c);
        jpeg_destroy_compress(&c);
        fclose(f);
    }
    CHECK(jr_image_icc(p, &icc, &len) == 0 && len == n && memcmp(icc, prof, n) == 0);
    free(icc);
    free(p);
    /* PNG */
    p = tpath("icc.png");
    {
        FILE *f = fopen(p, "wb");
        png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
        png_infop info = png_create_info_struct(png);
        if (setjmp(png_jmpbuf(png))) {
            fprintf(stderr, "libpng write failed\n");
            exit(2);
        }
        png_init_io(png, f);
        png_set_IHDR(png, info, 4, 4, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_iCCP(png, info, "Adobe RGB", 0, prof, (png_uint_32)n);
        png_write_info(png, info);
        unsigned char row[4 * 3] = {0};
        for (int y = 0; y < 4; y++)
            png_write_row(png, row);
        png_write_end(png, NULL);
        png_destroy_write_struct(&png, &info);
        fclose(f);
    }
    CHECK(jr_image_icc(p, &icc, &len) == 0 && len == n && memcmp(icc, prof, n) == 0);
    free(icc);
    free(p);
    /* no profile; a lying header; not an image */
    p = tpath("noicc.jpg");
    write_jpeg(p, 8, 8, 3, 0, NULL);
    CHECK(jr_image_icc(p, &icc, &len) == -1 && !icc && len == 0);
    free(p);
    p = tpath("badicc.jpg");
    prof[3] ^= 0x10; /* size field */
    {
        struct jpeg_compress_struct c;
        struct jpeg_error_mgr jerr;
        c.err = jpeg_std_error(&jerr);
        jpeg_create_compress(&c);
        FILE *f = fopen(p, "wb");
        jpeg_stdio_dest(&c, f);
        c.image_width = 8;
        c.image_height = 8;
        c.input_components = 3;
        c.in_color_space = JCS_RGB;
        jpeg_set_defaults(&c);
        jpeg_start_compress(&c, TRUE);
        jpeg_write_icc_profile(&c, prof, (unsigned)n);
        unsigned char row[8 * 3] = {0};
        JSAMPROW r = row;
        while (c.next_scanline < 8)
            jpeg_write_scanlines(&c, &r, 1);
        jpeg_finish_compress(&c);
        jpeg_destroy_compress(&c);
        fclose(f);
    }
    CHECK(jr_image_icc(p, &icc, &len) == -1 && !icc);
    free(p);
    p = tpath("text.png"); /* from test_bad_files */
    CHECK(jr_image_icc(p, &icc, &len) == -1 && !icc);
    free(p);
    free(prof);
}

/* Check results are remembered by content: a file changed in place (same
 * name, even the same length) is checked anew. */
static void test_cache(void)
{
    char *p = tpath("wechsel.png");
    write_png(p, 16, 16, PNG_COLOR_TYPE_RGB, 8, false, false, 0);
    size_t len;
    unsigned char *good = slurp(p, &len);
    char why[256];
    jr_image_info info;
    for (int round = 0; round < 2; round++) {
        write_bytes(p, good, len);
        CHECK(jr_image_check(p, &info, why, sizeof why) == 0 && info.width == 16);
        unsigned char *bad = malloc(len);
        memcpy(bad, good, len);
        bad[len - 1] ^= 0x40; /* IEND's CRC: same length, now corrupt */
        write_bytes(p, bad, len);
        CHECK(jr_image_check(p, &info, why, sizeof why) == -1);
        CHECK(strcmp(why, "corrupt PNG: IEND: CRC error") == 0);
        write_bytes(p, bad, len / 2);
        CHECK(jr_image_check(p, &info, why, sizeof why) == -1);
        CHECK(strcmp(why, "truncated PNG") == 0);
        free(bad);
    }
    free(good);
    free(p);
}

static void test_resolve(void)
{
    char *root = tpath("content");
    char *images = jr_path_join(root, "images");
    char *ed = jr_path_join(root, "2019-1");
    CHECK(jr_mkdir_p(images) == 0);
    CHECK(jr_mkdir_p(ed) == 0);
    char *a = jr_path_join(images, "a.png");
    write_png(a, 4, 4, PNG_COLOR_TYPE_RGB, 8, false, false, 0);
    char *outside_file = tpath("x.png");
    write_png(outside_file, 4, 4, PNG_COLOR_TYPE_RGB, 8, false, false, 0);
    char *evil = jr_path_join(images, "evil.png");
    CHECK(symlink("/etc/passwd", evil) == 0);
    char *evil2 = jr_path_join(images, "evil2.png");
    CHECK(symlink(outside_file, evil2) == 0);
    char *good_link = jr_path_join(images, "b.png");
    CHECK(symlink("a.png", good_link) == 0);
    char *real_a = realpath(a, NULL);

    bool out = true;
    char *r = jr_image_resolve(root, root, "images/a.png", &out);
    CHECK(r && strcmp(r, real_a) == 0 && !out);
    free(r);
    r = jr_image_resolve(root, ed, "../images/a.png", &out);
    CHECK(r && strcmp(r, real_a) == 0 && !out);
    free(r);
    r = jr_image_resolve(root, root, "./images/../images/b.png", &out);
    CHECK(r && strcmp(r, real_a) == 0 && !out);
    free(r);

    out = false;
    r = jr_image_resolve(root, root, "../x.png", &out);
    CHECK(!r && out);
    free(r);
    out = false;
    r = jr_image_resolve(root, ed, "../../x.png", &out);
    CHECK(!r && out);
    free(r);
    out = false;
    r = jr_image_resolve(root, root, "/etc/passwd", &out);
    CHECK(!r && out);
    free(r);
    out = false;
    r = jr_image_resolve(root, root, "images/evil.png", &out);
    CHECK(!r && out);
    free(r);
    out = false;
    r = jr_image_resolve(root, root, "images/evil2.png", &out);
    CHECK(!r && out);
    free(r);
    out = false;
    r = jr_image_resolve(root, root, "../content/../x.png", &out);
    CHECK(!r && out);
    free(r);
    /* written URL-style: decoded when the name as written is no file; a
     * decoded ".." is still refused */
    char *spaced = jr_path_join(images, "bild eins.png");
    write_png(spaced, 4, 4, PNG_COLOR_TYPE_RGB, 8, false, false, 0);
    char *real_spaced = realpath(spaced, NULL);
    out = true;
    r = jr_image_resolve(root, root, "images/bild%20eins.png", &out);
    CHECK(r && real_spaced && strcmp(r, real_spaced) == 0 && !out);
    free(r);
    out = false;
    r = jr_image_resolve(root, root, "%2e%2e/x.png", &out);
    CHECK(!r && out);
    free(r);
    out = true;
    r = jr_image_resolve(root, root, "images/bild%00.png", &out);
    CHECK(!r && !out);
    free(r);
    out = true;
    r = jr_image_resolve(root, root, "images/bild%2", &out);
    CHECK(!r && !out);
    free(r);
    free(real_spaced);
    free(spaced);
    /* missing: NULL, not outside */
    out = true;
    r = jr_image_resolve(root, root, "images/none.png", &out);
    CHECK(!r && !out);
    free(r);

    free(real_a);
    free(good_link);
    free(evil2);
    free(evil);
    free(outside_file);
    free(a);
    free(ed);
    free(images);
    free(root);
}

/* Mutated copies of good files (fixed seed, so every run is the same): each
 * must be accepted or refused with a reason, never crash or leak (run the
 * test under valgrind or a sanitizer build to see the latter). */
static unsigned long rng_state = 12345;

static unsigned rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng_state >> 33);
}

static void fuzz_file(const char *name, int rounds)
{
    char *src = tpath(name);
    size_t len;
    unsigned char *d = slurp(src, &len);
    unsigned char *m = malloc(len + 64);
    char *p = tpath("fuzz.bin");
    int accepted = 0;
    for (int r = 0; r < rounds; r++) {
        memcpy(m, d, len);
        size_t n = len;
        int kind = (int)(rng() % 4);
        if (kind == 0) { /* flip a few bytes */
            for (int k = 0; k < 1 + (int)(rng() % 4); k++)
                m[rng() % n] ^= (unsigned char)(1u << (rng() % 8));
        } else if (kind == 1) { /* cut */
            n = 1 + rng() % n;
        } else if (kind == 2) { /* header bytes set to extremes */
            size_t at = rng() % (n < 64 ? n : 64);
            m[at] = (rng() % 2) ? 0xFF : 0x00;
        } else { /* a block of garbage */
            size_t at = rng() % n, k = 1 + rng() % 32;
            for (size_t j = at; j < at + k && j < n; j++)
                m[j] = (unsigned char)rng();
        }
        write_bytes(p, m, n);
        char why[256] = "";
        jr_image_info info;
        int rc = jr_image_check(p, &info, why, sizeof why);
        CHECK(rc == 0 || (rc == -1 && why[0]));
        jr_pixels px;
        int rc2 = jr_image_decode(p, &px, why, sizeof why);
        CHECK(rc2 == rc);
        if (rc2 == 0) {
            CHECK(px.data && px.width == info.width && px.height == info.height);
            accepted++;
        }
        jr_pixels_free(&px);
        unsigned char *icc = NULL;
        size_t icclen = 0;
        if (jr_image_icc(p, &icc, &icclen) == 0)
            CHECK(icc && icclen >= 132);
        free(icc);
    }
    CHECK(accepted < rounds); /* the mutations did break files */
    free(p);
    free(m);
    free(d);
    free(src);
}

static void test_fuzz(void)
{
    char *p = tpath("fz.png");
    write_png(p, 24, 16, PNG_COLOR_TYPE_RGB_ALPHA, 8, true, false, 2835);
    free(p);
    p = tpath("fzp.png");
    write_png(p, 16, 16, PNG_COLOR_TYPE_PALETTE, 8, false, true, 0);
    free(p);
    p = tpath("fz.jpg");
    write_jpeg(p, 24, 16, 3, 72, NULL);
    free(p);
    p = tpath("fzc.jpg");
    write_jpeg(p, 16, 16, 4, 0, NULL);
    free(p);
    fuzz_file("fz.png", 300);
    fuzz_file("fzp.png", 200);
    fuzz_file("fz.jpg", 300);
    fuzz_file("fzc.jpg", 200);
    fuzz_file("o-ii.jpg", 300);   /* made by test_orientation: the Exif parser */
    char *icc = tpath("icc.jpg"); /* made by test_icc, if the profile is there */
    if (jr_file_exists(icc)) {
        fuzz_file("icc.jpg", 200);
        fuzz_file("icc.png", 200);
    }
    free(icc);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_bad_files();
    test_good_files();
    test_resolve();
    test_cache();
    test_orientation();
    test_icc();
    test_fuzz();
    if (!failures) {
        char *cmd = jr_xasprintf("rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
        free(cmd);
    } else {
        fprintf(stderr, "files kept in %s\n", tmpdir);
    }
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
