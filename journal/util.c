/* util.c: memory, strings, buffers, files and all-or-nothing output. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* sbrk, madvise */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "journal: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *jr_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *jr_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *jr_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

char *jr_xstrdup(const char *s)
{
    return s ? jr_xstrndup(s, strlen(s)) : NULL;
}

char *jr_xstrndup(const char *s, size_t n)
{
    char *p = jr_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *jr_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = jr_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

/* ---- buffers ---- */

static void buf_reserve(jr_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        while (nc < need)
            nc *= 2;
        b->data = jr_xrealloc(b->data, nc);
        b->cap = nc;
    }
}

void jr_buf_put(jr_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void jr_buf_puts(jr_buf *b, const char *s)
{
    jr_buf_put(b, s, strlen(s));
}

void jr_buf_putc(jr_buf *b, char c)
{
    jr_buf_put(b, &c, 1);
}

void jr_buf_printf(jr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *jr_buf_detach(jr_buf *b)
{
    char *p = b->data ? b->data : jr_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void jr_buf_free(jr_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- files ---- */

char *jr_read_file(const char *path, size_t *len)
{
    /* O_NONBLOCK: a FIFO named like an article or image must not hang the
     * run; only regular files are read. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0)
        err = errno;
    else if (S_ISDIR(st.st_mode))
        err = EISDIR;
    else if (!S_ISREG(st.st_mode))
        err = EINVAL; /* FIFO, socket, device */
    else if ((unsigned long long)st.st_size > JR_MAX_FILE_SIZE)
        err = EFBIG;
    jr_buf b = {0};
    char chunk[65536];
    while (!err) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = errno;
        else if (n == 0)
            break;
        else if (b.len + (size_t)n > JR_MAX_FILE_SIZE)
            err = EFBIG; /* grew while being read */
        else
            jr_buf_put(&b, chunk, (size_t)n);
    }
    close(fd);
    if (err) {
        jr_buf_free(&b);
        errno = err;
        return NULL;
    }
    if (len)
        *len = b.len;
    return jr_buf_detach(&b);
}

const char *jr_read_error(int err)
{
    if (err == EINVAL)
        return "not a regular file";
    if (err == EFBIG)
        return "file larger than 512 MB";
    return strerror(err);
}

bool jr_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool jr_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *jr_path_join(const char *dir, const char *name)
{
    if (!dir || !*dir)
        return jr_xstrdup(name);
    size_t dl = strlen(dir);
    if (dir[dl - 1] == '/')
        return jr_xasprintf("%s%s", dir, name);
    return jr_xasprintf("%s/%s", dir, name);
}

int jr_mkdir_p(const char *path)
{
    char *p = jr_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                free(p);
                return -1;
            }
            *s = '/';
        }
    }
    int rc = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        rc = -1;
    else if (!jr_is_dir(p)) {
        errno = ENOTDIR;
        rc = -1;
    }
    free(p);
    return rc;
}

/* ---- UTF-8 ---- */

size_t jr_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    *cp = 0xFFFD;
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

size_t jr_utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t jr_utf8_invalid_at(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) { /* ASCII eight bytes at a time */
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t l = jr_utf8_decode(s + i, n - i, &cp);
        if (l == 0)
            return i;
        i += l;
    }
    return (size_t)-1;
}

size_t jr_utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* Bytes of w that are zero get their high bit set (and possibly bytes
 * above one: only "some byte is zero" is exact). */
static uint64_t zero_bytes(uint64_t w)
{
    return (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
}

size_t jr_ascii_run(const char *s, size_t n, const char *stop)
{
    uint64_t stops[8];
    size_t nstops = 0;
    for (const char *p = stop; p && *p && nstops < 8; p++)
        stops[nstops++] = 0x0101010101010101ull * (unsigned char)*p;
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        /* a byte below 0x20 borrows into its high bit; one from 0x80 has it */
        uint64_t bad = ((w - 0x2020202020202020ull) | w) & 0x8080808080808080ull;
        for (size_t k = 0; k < nstops; k++)
            bad |= zero_bytes(w ^ stops[k]);
        if (bad)
            break;
        i += 8;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x80 || (stop && strchr(stop, c)))
            break;
    }
    return i;
}

void jr_fmt_double(char *out, size_t outlen, double v, int decimals)
{
    /* Integer arithmetic, so that no locale can put a comma in; digits are
     * written by hand (this is the hot path of every PDF content stream):
     * the result equals "%lld" of the integer part, then "." and the
     * fraction with its trailing zeros dropped. */
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    long long scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    int neg = v < 0;
    double av = neg ? -v : v;
    long long q = (long long)(av * (double)scale + 0.5);
    long long ip = q / scale, fp = q % scale;
    if (q == 0)
        neg = 0;
    char tmp[48];
    int n = sizeof tmp;
    tmp[--n] = 0;
    int fd = decimals;
    while (fd > 0 && fp % 10 == 0 && fp != 0) { /* trailing zeros of the fraction */
        fp /= 10;
        fd--;
    }
    if (decimals > 0 && fp != 0) {
        for (int i = 0; i < fd; i++) {
            tmp[--n] = (char)('0' + (int)(fp % 10));
            fp /= 10;
        }
        tmp[--n] = '.';
    }
    unsigned long long u = ip < 0 ? 0ull - (unsigned long long)ip : (unsigned long long)ip;
    do {
        tmp[--n] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (ip < 0)
        tmp[--n] = '-';
    if (neg)
        tmp[--n] = '-';
    if (!outlen)
        return;
    size_t len = sizeof tmp - 1 - (size_t)n;
    if (len > outlen - 1)
        len = outlen - 1;
    memcpy(out, tmp + n, len);
    out[len] = 0;
}

void jr_parallel(void *(*fn)(void *), void *arg, size_t threads)
{
    enum { MAX = 16 };
    pthread_t t[MAX];
    size_t started = 0;
    for (size_t i = 1; i < threads && i < MAX; i++)
        if (pthread_create(&t[started], NULL, fn, arg) == 0)
            started++;
    fn(arg);
    for (size_t i = 0; i < started; i++)
        pthread_join(t[i], NULL);
}

/* ---- the process's memory ---- */

void jr_memory_setup(void)
{
    /* A build touches tens of megabytes once: on a virtual machine a page
     * fault costs microseconds, and a 4 KB page per fault made the sample
     * edition's build spend a fifth of its time in the kernel. So the
     * threads share one malloc arena (the PDFs' objects reuse what the
     * pages they were drawn from gave back: 200 articles peak at 59 MB
     * instead of 66), large blocks come from it too, it grows in large
     * steps, and its first 80 MB ask the kernel for transparent huge pages
     * (a fault per 2 MB where the kernel has them; "madvise" mode,
     * Debian's default). Measured on this project's machine, median wall:
     * sample 30.3 -> 26.6 ms, 200 articles 333 -> 327 ms; 1,000 articles
     * 1.60 -> 1.72 s (one arena is contended there; more huge pages made
     * it slower still: fresh huge pages cost the virtual machine more).
     * Best effort: without sbrk (e.g. under a sanitizer's allocator)
     * nothing changes but the settings. */
    enum { HUGE = 2u << 20, PAD = 64u << 20 };
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30); /* (the reservation stays) */
    mallopt(M_TOP_PAD, PAD);
    char *lo = sbrk(0);
    /* beyond what the heap has: it grows by this block and PAD (address
     * space, memory only where touched), and the block goes back to the
     * top of the heap */
    void *volatile block = malloc(16u << 20); /* (volatile: not elided) */
    free(block);
    char *hi = sbrk(0);
    if (lo == (char *)-1 || hi == (char *)-1 || hi <= lo)
        return;
    uintptr_t a = ((uintptr_t)lo + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
    uintptr_t b = (uintptr_t)hi & ~(uintptr_t)(HUGE - 1);
    if (b > a)
        madvise((void *)a, b - a, MADV_HUGEPAGE);
}

/* ---- all-or-nothing output ---- */

struct jr_output {
    char **final_paths, **tmp_paths;
    /* per file, when written through jr_outfile: its bytes equal the final
     * file's (no temporary file exists, the file stays as it is), or its
     * temporary file was made */
    unsigned char *state;
    size_t n, cap;
    const char *failed;     /* final path whose commit failed, or NULL */
    struct jr_output *next; /* list of live outputs, for jr_output_remove_all_temp */
};

/* Guards the entries of every jr_output: files are added and written on
 * several threads (the PDFs, the web pages). */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;
enum { OUT_UNKNOWN, OUT_SAME, OUT_MADE };

/* Live outputs, for the signal handler. Changed only with the termination
 * signals blocked, so a handler never sees a half-made change. */
static jr_output *live_outputs;

static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}

jr_output *jr_output_new(void)
{
    jr_output *out = jr_xcalloc(1, sizeof(jr_output));
    sigset_t old;
    block_signals(&old);
    out->next = live_outputs;
    live_outputs = out;
    restore_signals(&old);
    return out;
}

void jr_output_remove_all_temp(void)
{
    for (jr_output *o = live_outputs; o; o = o->next)
        for (size_t i = 0; i < o->n; i++)
            unlink(o->tmp_paths[i]);
}

const char *jr_output_add(jr_output *out, const char *final_path)
{
    /* The same file asked for twice is written once (two renames of one
     * temporary file would make the second fail). */
    pthread_mutex_lock(&output_lock);
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->final_paths[i], final_path) == 0) {
            const char *t = out->tmp_paths[i];
            pthread_mutex_unlock(&output_lock);
            return t;
        }
    char *final_copy = jr_xstrdup(final_path);
    char *tmp = jr_xasprintf("%s.tmp-%ld", final_path, (long)getpid());
    sigset_t old;
    block_signals(&old);
    if (out->n == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->final_paths = jr_xrealloc(out->final_paths, out->cap * sizeof(char *));
        out->tmp_paths = jr_xrealloc(out->tmp_paths, out->cap * sizeof(char *));
        out->state = jr_xrealloc(out->state, out->cap);
    }
    out->final_paths[out->n] = final_copy;
    out->tmp_paths[out->n] = tmp;
    out->state[out->n] = OUT_UNKNOWN;
    out->n++;
    restore_signals(&old);
    pthread_mutex_unlock(&output_lock);
    return tmp;
}

/* ---- writing an output file: compared first, written only if different --
 *
 * A rebuild mostly makes the bytes that are already there. Written through
 * jr_outfile, a file of a jr_output is first compared with its final file
 * as the bytes come; only at the first difference is the temporary file
 * created (with the equal part copied from the final file) and written
 * from then on. A file that comes out equal creates nothing, and the
 * commit leaves it alone. Any other path is simply written. */

struct jr_outfile {
    char *path;   /* the path asked for (a temporary path, or a plain one) */
    jr_output *o; /* the output it belongs to, NULL for a plain path */
    size_t idx;   /* its entry in o */
    int old;      /* comparing: the final file (fd), else -1 */
    off_t old_size, pos;
    int fd; /* writing: the file being written, else -1 */
    bool make_folder;
    int err;
    unsigned char *scratch;
};

/* The entry whose temporary path is `tmp`; output_lock held. Searched from
 * the newest: a file is mostly written right after it is added. */
static jr_output *find_tmp(const char *tmp, size_t *idx)
{
    for (jr_output *o = live_outputs; o; o = o->next)
        for (size_t i = o->n; i-- > 0;)
            if (strcmp(o->tmp_paths[i], tmp) == 0) {
                *idx = i;
                return o;
            }
    return NULL;
}

static int open_for_writing(const char *path, bool make_folder)
{
    /* The folder is made only when the file cannot be created without it
     * (a build makes the folders first: one system call per file then). */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0 && errno == ENOENT && make_folder) {
        char *dir = jr_xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            jr_mkdir_p(dir);
        }
        free(dir);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    }
    return fd;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    for (size_t done = 0; done < len;) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        done += (size_t)w;
    }
    return 0;
}

enum { OUTFILE_BLOCK = 65536 };

/* Stop comparing: create the file and copy the `pos` equal bytes into it
 * from the final file. */
static int outfile_diverge(jr_outfile *f)
{
    f->fd = open_for_writing(f->path, f->make_folder);
    if (f->fd < 0)
        return errno ? errno : EIO;
    int err = 0;
    for (off_t at = 0; at < f->pos && !err;) {
        size_t want = (size_t)(f->pos - at) < OUTFILE_BLOCK ? (size_t)(f->pos - at) : OUTFILE_BLOCK;
        ssize_t r = pread(f->old, f->scratch, want, at);
        if (r <= 0)
            err = r < 0 ? errno : EIO;
        else {
            err = write_all(f->fd, f->scratch, (size_t)r);
            at += r;
        }
    }
    close(f->old);
    f->old = -1;
    return err;
}

static jr_outfile *outfile_open(const char *path, bool make_folder)
{
    jr_outfile *f = jr_xcalloc(1, sizeof *f);
    f->path = jr_xstrdup(path);
    f->make_folder = make_folder;
    f->old = f->fd = -1;
    pthread_mutex_lock(&output_lock);
    f->o = find_tmp(path, &f->idx);
    const char *final = f->o ? f->o->final_paths[f->idx] : NULL;
    bool made = f->o && f->o->state[f->idx] == OUT_MADE;
    if (f->o)
        f->o->state[f->idx] = OUT_MADE; /* until found equal */
    pthread_mutex_unlock(&output_lock);
    struct stat st;
    if (final && (f->old = open(final, O_RDONLY | O_CLOEXEC)) >= 0) {
        if (fstat(f->old, &st) == 0 && S_ISREG(st.st_mode)) {
            f->old_size = st.st_size;
            f->scratch = jr_xmalloc(OUTFILE_BLOCK);
            if (made)
                unlink(path); /* an earlier write of this path made it */
            return f;
        }
        close(f->old);
        f->old = -1;
    }
    f->fd = open_for_writing(path, make_folder);
    if (f->fd < 0)
        f->err = errno ? errno : EIO;
    return f;
}

jr_outfile *jr_outfile_open(const char *path)
{
    return outfile_open(path, false);
}

int jr_outfile_write(jr_outfile *f, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (!f->err && f->old >= 0 && len > 0) {
        size_t want = len < OUTFILE_BLOCK ? len : OUTFILE_BLOCK;
        ssize_t r = 0;
        if (f->pos + (off_t)want <= f->old_size)
            r = pread(f->old, f->scratch, want, f->pos);
        if (r == (ssize_t)want && memcmp(f->scratch, p, want) == 0) {
            f->pos += (off_t)want;
            p += want;
            len -= want;
        } else {
            f->err = outfile_diverge(f);
        }
    }
    if (!f->err && len > 0)
        f->err = write_all(f->fd, p, len);
    if (f->err) {
        errno = f->err;
        return -1;
    }
    return 0;
}

int jr_outfile_close(jr_outfile *f)
{
    if (!f)
        return 0;
    if (!f->err && f->old >= 0 && f->pos != f->old_size)
        f->err = outfile_diverge(f); /* shorter than the final file */
    if (f->old >= 0) {
        close(f->old); /* equal: nothing was created */
        if (!f->err) {
            pthread_mutex_lock(&output_lock);
            f->o->state[f->idx] = OUT_SAME;
            pthread_mutex_unlock(&output_lock);
        }
    }
    if (f->fd >= 0 && close(f->fd) != 0 && !f->err)
        f->err = errno ? errno : EIO;
    int err = f->err;
    free(f->scratch);
    free(f->path);
    free(f);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

long long jr_output_size(const char *path)
{
    pthread_mutex_lock(&output_lock);
    size_t idx = 0;
    jr_output *o = find_tmp(path, &idx);
    const char *at = o && o->state[idx] == OUT_SAME ? o->final_paths[idx] : path;
    struct stat st;
    long long size = stat(at, &st) == 0 ? (long long)st.st_size : -1;
    pthread_mutex_unlock(&output_lock);
    return size;
}

int jr_output_write(const char *path, const void *data, size_t len)
{
    jr_outfile *f = outfile_open(path, true);
    int rc = jr_outfile_write(f, data, len);
    int err = errno;
    if (jr_outfile_close(f) != 0) {
        rc = -1;
        err = errno;
    }
    errno = err;
    return rc;
}

/* Commit in two phases so that a failure part-way (a folder where a file
 * must go, a full disk) restores every file already replaced: first each
 * existing final file gets a hard link under a backup name, then the
 * temporary files are renamed; on failure the renamed ones are put back. */
/* Whether the file at `a` holds exactly the `size` bytes of the file at `b`
 * (read in blocks: PDFs may be large). */
static bool same_bytes(const char *a, const char *b, off_t size)
{
    struct stat st;
    if (stat(a, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != size)
        return false;
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    enum { BLOCK = 65536 };
    char *ba = same ? jr_xmalloc(2 * BLOCK) : NULL;
    char *bb = ba ? ba + BLOCK : NULL;
    while (same) {
        size_t na = fread(ba, 1, BLOCK, fa), nb = fread(bb, 1, BLOCK, fb);
        same = na == nb && memcmp(ba, bb, na) == 0;
        if (na < BLOCK) {
            same = same && !ferror(fa) && !ferror(fb) && feof(fa) && feof(fb);
            break;
        }
    }
    free(ba);
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

int jr_output_commit(jr_output *out)
{
    out->failed = NULL;
    char **backup = jr_xcalloc(out->n ? out->n : 1, sizeof *backup);
    bool *existed = jr_xcalloc(out->n ? out->n : 1, sizeof *existed);
    /* a file whose new bytes equal the old ones is left as it is (its
     * modification time too), and its temporary file removed */
    bool *unchanged = jr_xcalloc(out->n ? out->n : 1, sizeof *unchanged);
    size_t done = 0;
    int err = 0;
    for (size_t i = 0; i < out->n && !err; i++) {
        if (out->state[i] == OUT_SAME) { /* compared while written (jr_outfile) */
            existed[i] = unchanged[i] = true;
            continue;
        }
        struct stat st;
        if (lstat(out->final_paths[i], &st) != 0)
            continue; /* new file */
        existed[i] = true;
        if (S_ISDIR(st.st_mode)) {
            err = EISDIR;
            out->failed = out->final_paths[i];
            break;
        }
        if (S_ISREG(st.st_mode) && same_bytes(out->tmp_paths[i], out->final_paths[i], st.st_size)) {
            unchanged[i] = true;
            continue;
        }
        backup[i] = jr_xasprintf("%s.bak-%ld", out->final_paths[i], (long)getpid());
        unlink(backup[i]);
        if (link(out->final_paths[i], backup[i]) != 0) {
            /* no hard links here (e.g. FAT): commit without a backup */
            free(backup[i]);
            backup[i] = NULL;
        }
    }
    for (; done < out->n && !err; done++) {
        if (unchanged[done]) {
            if (out->state[done] != OUT_SAME)
                unlink(out->tmp_paths[done]);
            continue;
        }
        if (rename(out->tmp_paths[done], out->final_paths[done]) != 0) {
            err = errno;
            out->failed = out->final_paths[done];
            break;
        }
    }
    if (err) {
        /* put back what was replaced, remove what was new */
        for (size_t i = 0; i < done; i++) {
            if (unchanged[i])
                continue; /* never touched */
            if (backup[i])
                rename(backup[i], out->final_paths[i]);
            else if (!existed[i])
                unlink(out->final_paths[i]);
        }
        for (size_t i = done; i < out->n; i++)
            if (out->state[i] != OUT_SAME)
                unlink(out->tmp_paths[i]);
    }
    for (size_t i = 0; i < out->n; i++) {
        if (backup[i])
            unlink(backup[i]); /* no-op for those renamed back */
        free(backup[i]);
    }
    free(backup);
    free(existed);
    free(unchanged);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

const char *jr_output_failed_path(const jr_output *out)
{
    return out->failed;
}

void jr_output_abort(jr_output *out)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->state[i] != OUT_SAME)
            unlink(out->tmp_paths[i]);
}

void jr_output_free(jr_output *out)
{
    if (!out)
        return;
    sigset_t old;
    block_signals(&old);
    for (jr_output **p = &live_outputs; *p; p = &(*p)->next) {
        if (*p == out) {
            *p = out->next;
            break;
        }
    }
    restore_signals(&old);
    for (size_t i = 0; i < out->n; i++) {
        free(out->final_paths[i]);
        free(out->tmp_paths[i]);
    }
    free(out->final_paths);
    free(out->tmp_paths);
    free(out->state);
    free(out);
}

void jr_buf_put_xml_escaped(jr_buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (;; s++) {
        const char *e;
        switch (*s) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        case '\0':
            if (s > run) /* (an empty string leaves the buffer as it is) */
                jr_buf_put(b, run, (size_t)(s - run));
            return;
        default:
            continue;
        }
        if (s > run)
            jr_buf_put(b, run, (size_t)(s - run));
        jr_buf_puts(b, e);
        run = s + 1;
    }
}
