/* skip_test.c: checking a JPEG by skipping rows (jpeg_skip_scanlines, which
 * decodes the data but makes no pixels) finds what making the pixels of
 * every row finds, with the same reasons and the same results.
 *
 * Each kind of JPEG (baseline with several samplings, grey, CMYK,
 * progressive, arithmetic coding, restart markers, odd sizes, the
 * sample's photographs) is checked whole, cut at many lengths and with
 * bytes changed at many places, once each way. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "image.h"
#include "util.h"

static int failures;
static unsigned long compared, failed_both;
static char tmpdir[] = "/tmp/journal-skip-test-XXXXXX";

static unsigned char pattern(unsigned x, unsigned y, unsigned c)
{
    return (unsigned char)((x * 7 + y * 13 + c * 61 + ((x * y) % 17) * 11) & 0xFF);
}

typedef struct variant {
    const char *name;
    unsigned w, h;
    int comps;
    int hs, vs; /* sampling of the first component (colour: the others 1x1) */
    bool progressive, arith;
    unsigned restart; /* rows between restart markers, 0: none */
} variant;

static unsigned char *make_jpeg(const variant *v, size_t *len)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long outlen = 0;
    jpeg_mem_dest(&c, &out, &outlen);
    c.image_width = v->w;
    c.image_height = v->h;
    c.input_components = v->comps;
    c.in_color_space = v->comps == 1 ? JCS_GRAYSCALE : v->comps == 3 ? JCS_RGB : JCS_CMYK;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 85, TRUE);
    if (v->comps == 3) {
        c.comp_info[0].h_samp_factor = v->hs;
        c.comp_info[0].v_samp_factor = v->vs;
    }
    if (v->progressive)
        jpeg_simple_progression(&c);
    c.arith_code = v->arith;
    c.restart_in_rows = (int)v->restart;
    jpeg_start_compress(&c, TRUE);
    unsigned char *row = jr_xmalloc((size_t)v->w * (size_t)v->comps);
    while (c.next_scanline < v->h) {
        for (unsigned x = 0; x < v->w; x++)
            for (int k = 0; k < v->comps; k++)
                row[x * (unsigned)v->comps + (unsigned)k] =
                    pattern(x, c.next_scanline, (unsigned)k);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    *len = outlen;
    return out;
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

/* Check `data` both ways; they must agree. */
static void compare(const char *what, size_t at, const unsigned char *data, size_t n,
                    const char *path)
{
    write_bytes(path, data, n);
    jr_image_info ia, ib;
    char wa[200] = "", wb[200] = "";
    jr_image_cache_reset(); /* nothing remembered from the other way */
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
        fprintf(stderr, "%s at %zu of %zu: rows made: %d '%s'; rows skipped: %d '%s'\n", what, at,
                n, ra, wa, rb, wb);
        failures++;
    }
}

static void exercise(const char *what, const unsigned char *good, size_t n, const char *path)
{
    compare(what, n, good, n, path);
    unsigned char *d = jr_xmalloc(n);
    /* cut short: everywhere near the end, and at many places before */
    for (size_t cut = 0; cut < n; cut += (n - cut < 64) ? 1 : (n / 97 + 1))
        compare(what, cut, good, cut, path);
    /* changed bytes: a pseudo-random walk over the file */
    unsigned long seed = 12345;
    for (int k = 0; k < 160; k++) {
        seed = seed * 6364136223846793005ul + 1442695040888963407ul;
        size_t at = (size_t)(seed >> 33) % n;
        memcpy(d, good, n);
        d[at] ^= (unsigned char)((seed >> 20) | 1);
        compare(what, at, d, n, path);
        if (k % 4 == 0 && at + 2 < n) { /* a marker in the data */
            d[at] = 0xFF;
            d[at + 1] = (unsigned char)(0xD0 + (seed >> 40) % 10);
            compare(what, at, d, n, path);
        }
    }
    free(d);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    setenv("JOURNAL_CACHE_DIR", "off", 1);
    char *path = jr_path_join(tmpdir, "x.jpg");
    static const variant variants[] = {
        {"baseline 4:2:0", 120, 90, 3, 2, 2, false, false, 0},
        {"baseline 4:4:4", 70, 50, 3, 1, 1, false, false, 0},
        {"baseline 4:2:2", 66, 41, 3, 2, 1, false, false, 0},
        {"baseline 4:4:0", 33, 65, 3, 1, 2, false, false, 0},
        {"grey", 77, 61, 1, 1, 1, false, false, 0},
        {"cmyk", 40, 35, 4, 1, 1, false, false, 0},
        {"progressive", 120, 90, 3, 2, 2, true, false, 0},
        {"progressive grey", 50, 70, 1, 1, 1, true, false, 0},
        {"arithmetic", 90, 60, 3, 2, 2, false, true, 0},
        {"arithmetic progressive", 64, 48, 3, 2, 2, true, true, 0},
        {"restart markers", 100, 80, 3, 2, 2, false, false, 1},
        {"restart arithmetic", 64, 64, 3, 2, 2, false, true, 2},
        {"one pixel", 1, 1, 3, 2, 2, false, false, 0},
        {"one row", 300, 1, 3, 2, 2, false, false, 0},
        {"one column", 1, 300, 3, 2, 2, false, false, 0},
        {"nine rows", 17, 9, 1, 1, 1, false, false, 0},
    };
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        size_t n = 0;
        unsigned char *d = make_jpeg(&variants[i], &n);
        exercise(variants[i].name, d, n, path);
        free(d);
    }
    static const char *const samples[] = {"articles/2026-2/images/portraet.jpg",
                                          "articles/2026-1/images/quereinstieg.jpg"};
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
    /* the damage must have been noticed, or the comparison says little */
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
