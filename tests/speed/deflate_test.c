/* deflate_test.c: the streams pdf_deflate.c compresses inflate to what went
 * in: page contents compressed on the worker thread (more pages than it
 * keeps pending, so that both threads compress), and the run's cache of
 * compressed streams, which must never hand out the data of other bytes of
 * the same length (nor of the same bytes' hash). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <zlib.h>

#include "pdf_speed.h"

static int fails;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            fails++;                                                                               \
        }                                                                                          \
    } while (0)

/* The stream's data, inflated; NULL if it is not zlib data. */
static unsigned char *inflated(HPDF_Dict d, size_t *len)
{
    HPDF_UINT32 size = HPDF_Stream_Size(d->stream);
    unsigned char *z = malloc(size + 1);
    HPDF_UINT got = size;
    HPDF_Stream_Seek(d->stream, 0, HPDF_SEEK_SET);
    HPDF_Stream_Read(d->stream, z, &got);
    uLongf cap = 1 << 22;
    unsigned char *out = malloc(cap);
    int rc = uncompress(out, &cap, z, got);
    free(z);
    if (rc != Z_OK) {
        free(out);
        return NULL;
    }
    *len = cap;
    return out;
}

static unsigned char *content(unsigned seed, size_t n)
{
    unsigned char *p = malloc(n);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)"0123456789ABCDEF<> TJ\n"[(seed >> 16) % 22];
    }
    return p;
}

int main(void)
{
    HPDF_Doc pdf = HPDF_New(NULL, NULL);
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);

    /* pages: compressed in order, by either thread */
    enum { NPAGES = 40 };
    HPDF_Page pages[NPAGES];
    unsigned char *want[NPAGES];
    size_t wlen[NPAGES];
    jr_deflater *d = jr_deflater_new(NPAGES);
    for (int i = 0; i < NPAGES; i++) {
        pages[i] = HPDF_AddPage(pdf);
        wlen[i] = 1000 + (size_t)i * 997;
        want[i] = content((unsigned)i, wlen[i]);
        unsigned char *copy = malloc(wlen[i]);
        memcpy(copy, want[i], wlen[i]);
        jr_deflater_page(d, ((HPDF_PageAttr)pages[i]->attr)->contents, copy, wlen[i]);
    }
    jr_deflater_finish(d);
    for (int i = 0; i < NPAGES; i++) {
        HPDF_Dict c = ((HPDF_PageAttr)pages[i]->attr)->contents;
        size_t n = 0;
        unsigned char *got = inflated(c, &n);
        CHECK(got && n == wlen[i] && memcmp(got, want[i], n) == 0,
              "page %d does not inflate to its content", i);
        CHECK(c->filter == HPDF_STREAM_FILTER_NONE && c->write_fn,
              "page %d: libharu would compress it again", i);
        free(got);
        free(want[i]);
    }

    /* the cache: the same length, one byte apart; then the first again */
    size_t n = 50000;
    unsigned char *a = content(7, n), *b = content(7, n);
    b[n / 2] ^= 1;
    unsigned char *bufs[3] = {a, b, a};
    HPDF_Dict s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
        CHECK(jr_deflater_stream(d, s[i], bufs[i], n), "stream %d not compressed", i);
        size_t got_len = 0;
        unsigned char *got = inflated(s[i], &got_len);
        CHECK(got && got_len == n && memcmp(got, bufs[i], n) == 0,
              "stream %d does not inflate to its own data (cache)", i);
        free(got);
    }
    /* the cached copy is the same bytes as the first compression */
    CHECK(HPDF_Stream_Size(s[0]->stream) == HPDF_Stream_Size(s[2]->stream),
          "the same data compressed to different sizes");
    jr_pdf_deflate_cache_clear();
    HPDF_Dict again = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    CHECK(jr_deflater_stream(d, again, b, n), "not compressed after clearing the cache");
    size_t gl = 0;
    unsigned char *g = inflated(again, &gl);
    CHECK(g && gl == n && memcmp(g, b, n) == 0, "wrong data after clearing the cache");
    free(g);
    free(a);
    free(b);
    jr_deflater_free(d);
    HPDF_Free(pdf);
    if (fails)
        return 1;
    puts("deflate_test: all checks passed");
    return 0;
}
