/* pdf_deflate.c: page content streams compressed in two threads.
 *
 * libharu deflates every stream one after the other while it saves; for a
 * long edition most of that is the pages' content streams (hex text and
 * TJ numbers). They are compressed here just before saving instead, the
 * way libharu would (one zlib stream each at zlib's default level, no
 * flushes: the same bytes), half of them on a second thread. The
 * compressed data replaces the stream's; libharu then writes it as it is
 * and this file's hook adds /Filter /FlateDecode. libharu is only called
 * from the caller's thread; the worker runs zlib alone. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <zlib.h>

#include "pdf_speed.h"
#include "util.h"

/* Pages read and compressed at a time (bounds the extra memory). */
#define BATCH 32

typedef struct job {
    unsigned char *in; /* raw content (owned) */
    size_t inlen;
    unsigned char *out; /* zlib data (owned), NULL if compression failed */
    size_t outlen;
} job;

static void compress_one(job *j)
{
    uLong cap = compressBound((uLong)j->inlen);
    j->out = malloc(cap ? cap : 1);
    if (!j->out)
        return;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK) {
        free(j->out);
        j->out = NULL;
        return;
    }
    zs.next_in = j->in;
    zs.avail_in = (uInt)j->inlen;
    zs.next_out = j->out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    j->outlen = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(j->out);
        j->out = NULL;
    }
}

typedef struct half {
    job *jobs;
    size_t n;
} half;

static void *worker(void *arg)
{
    half *h = arg;
    for (size_t i = 1; i < h->n; i += 2) /* the odd ones; the caller does the even */
        compress_one(&h->jobs[i]);
    return NULL;
}

static HPDF_STATUS write_filter(HPDF_Dict obj, HPDF_Stream out)
{
    (void)obj;
    return HPDF_Stream_WriteStr(out, "/Filter [ /FlateDecode ]\012"); /* as libharu writes it */
}

static HPDF_Dict page_contents(HPDF_Page page)
{
    HPDF_PageAttr attr = page ? (HPDF_PageAttr)page->attr : NULL;
    HPDF_Dict d = attr ? attr->contents : NULL;
    if (!d || !d->stream || d->stream->type != HPDF_STREAM_MEMORY || d->write_fn ||
        !(d->filter & HPDF_STREAM_FILTER_FLATE_DECODE) ||
        d->filter != HPDF_STREAM_FILTER_FLATE_DECODE)
        return NULL;
    return d;
}

void jr_pdf_deflate_contents(HPDF_Page *pages, size_t npages)
{
    job jobs[BATCH];
    HPDF_Dict dicts[BATCH];
    for (size_t start = 0; start < npages; start += BATCH) {
        size_t n = 0;
        for (size_t p = start; p < npages && p < start + BATCH; p++) {
            HPDF_Dict d = page_contents(pages[p]);
            if (!d)
                continue;
            HPDF_UINT32 size = HPDF_Stream_Size(d->stream);
            if (size == 0 || size > (256u << 20))
                continue;
            unsigned char *buf = jr_xmalloc(size);
            HPDF_UINT got = size;
            if (HPDF_Stream_Seek(d->stream, 0, HPDF_SEEK_SET) != HPDF_OK ||
                HPDF_Stream_Read(d->stream, buf, &got) != HPDF_OK || got != size) {
                free(buf);
                continue;
            }
            memset(&jobs[n], 0, sizeof jobs[n]);
            jobs[n].in = buf;
            jobs[n].inlen = size;
            dicts[n++] = d;
        }
        half h = {jobs, n};
        pthread_t th;
        bool threaded = n > 1 && pthread_create(&th, NULL, worker, &h) == 0;
        for (size_t i = 0; i < n; i += threaded ? 2 : 1)
            compress_one(&jobs[i]);
        if (threaded)
            pthread_join(th, NULL);
        for (size_t i = 0; i < n; i++) {
            if (jobs[i].out) {
                HPDF_MemStream_FreeData(dicts[i]->stream);
                HPDF_Stream_Write(dicts[i]->stream, jobs[i].out, (HPDF_UINT)jobs[i].outlen);
                dicts[i]->filter = HPDF_STREAM_FILTER_NONE;
                dicts[i]->write_fn = write_filter;
            }
            free(jobs[i].in);
            free(jobs[i].out);
        }
    }
}
