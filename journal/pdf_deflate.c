/* pdf_deflate.c: the streams we compress ourselves, with libdeflate.
 *
 * libharu compresses every stream with zlib while it saves, one after the
 * other, at zlib's default level. Most of a journal's bytes are page
 * content streams (hex text, numbers): they are compressed here as each
 * page is finished, by a second thread while the next page is drawn, and
 * the raw content never enters libharu (its memory streams copy byte by
 * byte). The other streams we write (ICC profiles, ...) are compressed
 * once per run and shared by the screen and the print PDF (a cache keyed
 * by the whole content); the font streams are compressed by pdf_font.c
 * (jr_deflater_compress), which keeps them for the run and in the cache
 * folder.
 *
 * The compressed data becomes the stream's data with no filter for
 * libharu, and a write hook adds /Filter /FlateDecode. libdeflate's output
 * depends only on its input and level: rebuilds stay byte-identical.
 * libharu is only called from the document's thread; the worker runs
 * libdeflate alone. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <libdeflate.h>

#include "cache.h"
#include "pdf_speed.h"
#include "util.h"

/* libdeflate's level 1 for every stream we compress: a third of level 6's
 * time. Page contents (most of the bytes, compressed for every PDF) come
 * out 35% larger than at level 6, still smaller than zlib's default level
 * made of the old, longer contents; the streams shared by the PDFs of a
 * run (font programs, CMaps, profiles; compressed once) 6 KB larger in
 * the sample's print PDF, 12e6 instructions less. */
#define PAGE_LEVEL   1
#define SHARED_LEVEL 1

/* Finished pages whose compressed data is not yet in their streams, at
 * most (bounds the memory held by raw page contents). */
#define MAX_PENDING 8

static HPDF_STATUS write_filter(HPDF_Dict obj, HPDF_Stream out)
{
    (void)obj;
    return HPDF_Stream_WriteStr(out, "/Filter [ /FlateDecode ]\012"); /* as libharu writes it */
}

/* ---- streams that read from our buffers ----------------------------------
 *
 * libharu's memory streams copy data in and out with a byte loop
 * (HPDF_MemCpy). A stream whose data is already complete (compressed
 * contents, JPEG files) is instead a callback reader over a buffer we
 * allocated; libharu frees it with the stream (free_fn). */

typedef struct blob {
    unsigned char *p;
    size_t len, pos;
} blob;

static HPDF_STATUS blob_read(HPDF_Stream s, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
    blob *b = s->attr;
    size_t left = b->len - b->pos, n = *siz < left ? *siz : left;
    memcpy(ptr, b->p + b->pos, n);
    b->pos += n;
    *siz = (HPDF_UINT)n;
    return b->pos >= b->len ? HPDF_STREAM_EOF : HPDF_OK; /* as memory streams do */
}

static HPDF_STATUS blob_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    blob *b = s->attr;
    long long at = mode == HPDF_SEEK_SET   ? pos
                   : mode == HPDF_SEEK_CUR ? (long long)b->pos + pos
                                           : (long long)b->len + pos;
    if (at < 0 || at > (long long)b->len)
        return HPDF_SetError(s->error, HPDF_STREAM_EOF, 0);
    b->pos = (size_t)at;
    return HPDF_OK;
}

static HPDF_INT32 blob_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((blob *)s->attr)->pos;
}

static HPDF_UINT32 blob_size(HPDF_Stream s)
{
    return (HPDF_UINT32)((blob *)s->attr)->len;
}

static void blob_free(HPDF_Stream s)
{
    blob *b = s->attr;
    if (b) {
        free(b->p);
        free(b);
    }
    s->attr = NULL;
}

void jr_pdf_stream_take(HPDF_Dict d, unsigned char *data, size_t len)
{
    blob *b = malloc(sizeof *b);
    HPDF_Stream ns =
        b && len > 0 && len < (1u << 31)
            ? HPDF_CallbackReader_New(d->mmgr, blob_read, blob_seek, blob_tell, blob_size, b)
            : NULL;
    if (!ns) { /* into libharu's memory stream after all */
        free(b);
        HPDF_MemStream_FreeData(d->stream);
        HPDF_Stream_Write(d->stream, data, (HPDF_UINT)len);
        free(data);
        return;
    }
    b->p = data;
    b->len = len;
    b->pos = 0;
    ns->free_fn = blob_free;
    HPDF_Stream_Free(d->stream);
    d->stream = ns;
}

void jr_pdf_stream_set_deflated(HPDF_Dict d, const void *z, size_t zlen)
{
    unsigned char *copy = jr_xmalloc(zlen ? zlen : 1);
    memcpy(copy, z, zlen);
    jr_pdf_stream_take(d, copy, zlen);
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = write_filter;
}

void jr_pdf_stream_take_deflated(HPDF_Dict d, unsigned char *z, size_t zlen)
{
    jr_pdf_stream_take(d, z, zlen);
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = write_filter;
}

/* zlib data of `len` bytes (malloc'd), or NULL (then leave it to libharu). */
static unsigned char *zcompress(struct libdeflate_compressor *comp, const void *in, size_t len,
                                size_t *zlen)
{
    if (!comp || len == 0 || len > (256u << 20))
        return NULL;
    size_t cap = libdeflate_zlib_compress_bound(comp, len);
    unsigned char *out = malloc(cap);
    if (!out)
        return NULL;
    *zlen = libdeflate_zlib_compress(comp, in, len, out, cap);
    if (*zlen == 0) {
        free(out);
        return NULL;
    }
    /* kept until the document is saved: without the room the bound asked
     * for (a page's contents compress to a third or less) */
    unsigned char *fit = realloc(out, *zlen);
    return fit ? fit : out;
}

/* ---- compressed data remembered for the run ------------------------------- */

#define CACHE_SLOTS 48
#define CACHE_BYTES (16u << 20) /* raw bytes kept for comparison, at most */

static struct zentry {
    uint64_t hash;
    unsigned char *raw; /* the input (compared whole: an entry is used only for the same bytes) */
    size_t len;
    unsigned char *z;
    size_t zlen;
} zcache[CACHE_SLOTS];
static unsigned zcache_next;
static size_t zcache_bytes;
static pthread_mutex_t zcache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t zmake_lock = PTHREAD_MUTEX_INITIALIZER;

/* A 64-bit hash, eight bytes at a step (entries are compared whole anyway:
 * this only has to be quick and spread well). */
static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001B3ull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* ---- the deflater of one document --------------------------------------------- */

typedef struct job {
    HPDF_Dict dict;
    unsigned char *in; /* raw content (owned) */
    size_t inlen;
    unsigned char *out; /* zlib data (owned), NULL if compression failed */
    size_t outlen;
    bool done;
} job;

struct jr_deflater {
    struct libdeflate_compressor *comp;  /* the document thread's, for pages */
    struct libdeflate_compressor *scomp; /* the document thread's, for shared streams */
    struct libdeflate_compressor *wcomp; /* the worker's */
    job *jobs;
    size_t cap, submitted, taken, harvested;
    pthread_mutex_t lock;
    pthread_cond_t work, done;
    pthread_t worker;
    bool started, stop;
};

/* Compress the oldest job nobody has taken, with comp (called with the
 * lock held; it is released meanwhile). */
static void take_and_compress(jr_deflater *d, struct libdeflate_compressor *comp)
{
    job *j = &d->jobs[d->taken++];
    pthread_mutex_unlock(&d->lock);
    j->out = zcompress(comp, j->in, j->inlen, &j->outlen);
    pthread_mutex_lock(&d->lock);
    j->done = true;
}

static void *worker_main(void *arg)
{
    jr_deflater *d = arg;
    pthread_mutex_lock(&d->lock);
    while (!d->stop) {
        if (d->taken < d->submitted) {
            take_and_compress(d, d->wcomp);
            pthread_cond_broadcast(&d->done);
        } else {
            pthread_cond_wait(&d->work, &d->lock);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

jr_deflater *jr_deflater_new(size_t npages)
{
    jr_deflater *d = jr_xcalloc(1, sizeof *d);
    d->comp = libdeflate_alloc_compressor(PAGE_LEVEL);
    d->cap = npages;
    d->jobs = jr_xcalloc(npages ? npages : 1, sizeof *d->jobs);
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->work, NULL);
    pthread_cond_init(&d->done, NULL);
    if (npages > 1) {
        d->wcomp = libdeflate_alloc_compressor(PAGE_LEVEL);
        d->started = d->wcomp && pthread_create(&d->worker, NULL, worker_main, d) == 0;
    }
    return d;
}

void jr_deflater_free(jr_deflater *d)
{
    if (!d)
        return;
    if (d->started) {
        pthread_mutex_lock(&d->lock);
        d->stop = true;
        pthread_cond_broadcast(&d->work);
        pthread_mutex_unlock(&d->lock);
        pthread_join(d->worker, NULL);
    }
    for (size_t i = d->harvested; i < d->submitted; i++) {
        free(d->jobs[i].in);
        free(d->jobs[i].out);
    }
    free(d->jobs);
    pthread_cond_destroy(&d->done);
    pthread_cond_destroy(&d->work);
    pthread_mutex_destroy(&d->lock);
    if (d->wcomp)
        libdeflate_free_compressor(d->wcomp);
    if (d->comp)
        libdeflate_free_compressor(d->comp);
    if (d->scomp)
        libdeflate_free_compressor(d->scomp);
    free(d);
}

/* Put the oldest unharvested job into its stream (called with the lock
 * held; it is released meanwhile: libharu may longjmp out of the write). */
static void harvest_one(jr_deflater *d)
{
    job *j = &d->jobs[d->harvested];
    pthread_mutex_unlock(&d->lock);
    if (j->out) {
        unsigned char *z = j->out;
        j->out = NULL; /* (the stream has it, even if libharu jumps out) */
        jr_pdf_stream_take_deflated(j->dict, z, j->outlen);
    } else {
        /* not compressed: the raw data, for libharu to compress */
        HPDF_Stream_Write(j->dict->stream, j->in, (HPDF_UINT)j->inlen);
    }
    free(j->in);
    free(j->out);
    j->in = j->out = NULL;
    pthread_mutex_lock(&d->lock);
    d->harvested++;
}

/* Harvest finished jobs in order; with `until`, go on (compressing jobs
 * nobody has taken, else waiting) until that many are harvested. */
static void harvest(jr_deflater *d, size_t until)
{
    pthread_mutex_lock(&d->lock);
    while (d->harvested < d->submitted) {
        job *j = &d->jobs[d->harvested];
        if (j->done) {
            harvest_one(d);
            continue;
        }
        if (d->harvested >= until)
            break;
        if (d->taken < d->submitted) {
            take_and_compress(d, d->comp);
        } else {
            pthread_cond_wait(&d->done, &d->lock);
        }
    }
    pthread_mutex_unlock(&d->lock);
}

void jr_deflater_page(jr_deflater *d, HPDF_Dict contents, unsigned char *data, size_t len)
{
    if (!contents || !contents->stream || contents->stream->type != HPDF_STREAM_MEMORY ||
        contents->write_fn || d->submitted >= d->cap) {
        if (contents && contents->stream)
            HPDF_Stream_Write(contents->stream, data, (HPDF_UINT)len);
        free(data);
        return;
    }
    pthread_mutex_lock(&d->lock);
    job *j = &d->jobs[d->submitted++];
    memset(j, 0, sizeof *j);
    j->dict = contents;
    j->in = data;
    j->inlen = len;
    pthread_cond_signal(&d->work);
    pthread_mutex_unlock(&d->lock);
    if (!d->started) {
        harvest(d, d->submitted);
        return;
    }
    harvest(d, d->submitted > MAX_PENDING ? d->submitted - MAX_PENDING : 0);
}

void jr_deflater_finish(jr_deflater *d)
{
    harvest(d, d->submitted);
}

/* Large streams that every build writes again (the colour profiles: half a
 * megabyte, 6e6 instructions to compress) are kept compressed in the cache
 * folder too, named by their length and two hashes of their bytes and by
 * the compressor's identity. */
#define KEEP_MIN   (64u << 10)
#define KEEP_MAGIC "JRZSTRM1"

static char *kept_id(const void *data, size_t len, uint64_t h)
{
    return jr_xasprintf("%s|%zu|%016llx|%016llx", jr_deflate_identity(), len, (unsigned long long)h,
                        (unsigned long long)jr_cache_sum((const unsigned char *)data, len));
}

static char *kept_file(const void *data, size_t len, uint64_t h)
{
    char *id = kept_id(data, len, h);
    char *path = jr_cache_file("zstream-1", id);
    free(id);
    return path;
}

/* The kept compressed bytes (caller frees), or NULL. */
static unsigned char *kept_load(const char *path, const void *data, size_t len, uint64_t h,
                                size_t *zlen)
{
    if (!path)
        return NULL;
    size_t n = 0;
    char *f = jr_read_file(path, &n);
    if (!f)
        return NULL;
    char *id = kept_id(data, len, h);
    uint64_t count = 0;
    size_t at = jr_cache_check(f, n, KEEP_MAGIC, id, &count);
    free(id);
    unsigned char *z = NULL;
    if (at > 0 && count == n - at && count > 0) {
        z = jr_xmalloc(count);
        memcpy(z, f + at, count);
        *zlen = count;
    }
    free(f);
    return z;
}

static void kept_save(const char *path, const void *data, size_t len, uint64_t h,
                      const unsigned char *z, size_t zlen)
{
    char *id = kept_id(data, len, h);
    jr_buf b = {0};
    size_t header = jr_cache_begin(&b, KEEP_MAGIC, id);
    jr_buf_put(&b, (const char *)z, zlen);
    jr_cache_seal(&b, header, zlen);
    jr_cache_write(path, b.data, b.len);
    jr_buf_free(&b);
    free(id);
}

bool jr_deflater_stream(jr_deflater *d, HPDF_Dict dict, const void *data, size_t len)
{
    if (!d || !dict || !dict->stream || dict->stream->type != HPDF_STREAM_MEMORY || dict->write_fn)
        return false;
    uint64_t h = hash_bytes(data, len);
    unsigned char *z = NULL;
    size_t zlen = 0;
    /* held while compressing: both PDFs, written at the same time, want
     * the same streams, and each is compressed once */
    pthread_mutex_lock(&zmake_lock);
    pthread_mutex_lock(&zcache_lock);
    for (unsigned i = 0; i < CACHE_SLOTS && !z; i++) {
        struct zentry *e = &zcache[i];
        if (e->raw && e->hash == h && e->len == len && memcmp(e->raw, data, len) == 0) {
            z = jr_xmalloc(e->zlen);
            memcpy(z, e->z, e->zlen);
            zlen = e->zlen;
        }
    }
    pthread_mutex_unlock(&zcache_lock);
    bool fresh = !z; /* not from this run's cache: remembered below */
    char *kept = NULL;
    if (!z && len >= KEEP_MIN) {
        kept = kept_file(data, len, h);
        z = kept_load(kept, data, len, h, &zlen);
    }
    if (!z) {
        z = jr_deflater_compress(d, data, len, &zlen);
        if (!z) {
            pthread_mutex_unlock(&zmake_lock);
            free(kept);
            return false;
        }
        if (kept)
            kept_save(kept, data, len, h, z, zlen);
    }
    free(kept);
    if (fresh) {
        if (len <= CACHE_BYTES / 4) {
            struct zentry n = {h, jr_xmalloc(len), len, jr_xmalloc(zlen), zlen};
            memcpy(n.raw, data, len);
            memcpy(n.z, z, zlen);
            pthread_mutex_lock(&zcache_lock);
            unsigned slot = zcache_next++ % CACHE_SLOTS; /* the oldest entry goes */
            for (unsigned k = 0; k < CACHE_SLOTS && (k == 0 || zcache_bytes + len > CACHE_BYTES);
                 k++) {
                struct zentry *old = &zcache[(slot + k) % CACHE_SLOTS];
                zcache_bytes -= old->len;
                free(old->raw);
                free(old->z);
                memset(old, 0, sizeof *old);
            }
            zcache[slot] = n;
            zcache_bytes += len;
            pthread_mutex_unlock(&zcache_lock);
        }
    }
    pthread_mutex_unlock(&zmake_lock);
    jr_pdf_stream_take_deflated(dict, z, zlen);
    return true;
}

unsigned char *jr_deflater_compress(jr_deflater *d, const void *data, size_t len, size_t *zlen)
{
    if (!d)
        return NULL;
    if (!d->scomp)
        d->scomp = libdeflate_alloc_compressor(SHARED_LEVEL);
    return zcompress(d->scomp, data, len, zlen);
}

const char *jr_deflate_identity(void)
{
#define JR_STR2(x) #x
#define JR_STR(x)  JR_STR2(x)
    return "libdeflate " LIBDEFLATE_VERSION_STRING " zlib level " JR_STR(SHARED_LEVEL);
}

void jr_pdf_deflate_cache_clear(void)
{
    pthread_mutex_lock(&zcache_lock);
    for (unsigned i = 0; i < CACHE_SLOTS; i++) {
        free(zcache[i].raw);
        free(zcache[i].z);
        memset(&zcache[i], 0, sizeof zcache[i]);
    }
    zcache_bytes = 0;
    pthread_mutex_unlock(&zcache_lock);
}
