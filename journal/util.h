/* util.h: memory, strings, buffers and files shared by every stage.
 *
 * Allocation never returns NULL to callers: on exhaustion the process stops
 * with a message (as cmark does), so call sites stay simple. */
#ifndef JOURNAL_UTIL_H
#define JOURNAL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *jr_xmalloc(size_t n);
void *jr_xcalloc(size_t count, size_t size);
void *jr_xrealloc(void *p, size_t n);
char *jr_xstrdup(const char *s); /* NULL stays NULL */
char *jr_xstrndup(const char *s, size_t n);
char *jr_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow an array: ensure room for `need` elements of size `size`. */
#define JR_GROW(ptr, cap, need)                                                                    \
    do {                                                                                           \
        if ((need) > (cap)) {                                                                      \
            size_t jr_nc_ = (cap) ? (cap)*2 : 8;                                                   \
            while (jr_nc_ < (need))                                                                \
                jr_nc_ *= 2;                                                                       \
            (ptr) = jr_xrealloc((ptr), jr_nc_ * sizeof *(ptr));                                    \
            (cap) = jr_nc_;                                                                        \
        }                                                                                          \
    } while (0)

/* A growable byte buffer, always NUL-terminated. */
typedef struct jr_buf {
    char *data; /* owned */
    size_t len; /* bytes, excluding the terminating NUL */
    size_t cap;
} jr_buf;

void jr_buf_put(jr_buf *b, const char *s, size_t n);
void jr_buf_puts(jr_buf *b, const char *s);
void jr_buf_putc(jr_buf *b, char c);
void jr_buf_printf(jr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *jr_buf_detach(jr_buf *b); /* caller frees; buffer is reset */
/* Append s with & < > " ' escaped for XML and HTML text and attributes.
 * (Characters XML does not allow must be removed before.) */
void jr_buf_put_xml_escaped(jr_buf *b, const char *s);
void jr_buf_free(jr_buf *b);

/* Read a whole regular file. Returns NULL (errno set) on failure: EISDIR
 * for a folder, EINVAL for a FIFO, socket or device (never blocks on one),
 * EFBIG above JR_MAX_FILE_SIZE. Caller frees. */
#define JR_MAX_FILE_SIZE (512ull * 1024 * 1024)
char *jr_read_file(const char *path, size_t *len /* OUT */);
/* Why jr_read_file failed, for a message: strerror, except for its own
 * EINVAL ("not a regular file") and EFBIG. */
const char *jr_read_error(int err);
bool jr_file_exists(const char *path);
bool jr_is_dir(const char *path);
char *jr_path_join(const char *dir, const char *name); /* caller frees */
int jr_mkdir_p(const char *path);                      /* 0 or -1 with errno */

/* UTF-8 helpers. jr_utf8_decode reads one code point at s (n bytes left);
 * returns its length, or 0 on an invalid sequence (cp set to U+FFFD). */
size_t jr_utf8_decode(const char *s, size_t n, uint32_t *cp /* OUT */);
size_t jr_utf8_encode(uint32_t cp, char out[4]);
/* Offset of the first invalid byte, or (size_t)-1 if all of s is valid UTF-8. */
size_t jr_utf8_invalid_at(const char *s, size_t n);
size_t jr_utf8_count(const char *s, size_t n); /* code points */
/* The length of the longest prefix of s[0..n) made of bytes 0x20..0x7F
 * (printable ASCII and DEL), looked at eight bytes at a time; `stop` (may
 * be NULL, at most eight bytes) names further ASCII bytes that end the
 * prefix ("&<>"). */
size_t jr_ascii_run(const char *s, size_t n, const char *stop);
/* jr_ascii_run without stops, inline: for the short runs between non-ASCII
 * letters of running text. */
static inline size_t jr_ascii_printable(const char *s, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n) {
        uint64_t w;
        __builtin_memcpy(&w, s + i, 8);
        if (((w - 0x2020202020202020ull) | w) & 0x8080808080808080ull)
            break;
        i += 8;
    }
    while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x80)
        i++;
    return i;
}

/* fn(arg) on `threads` threads at once (this one and threads - 1 more, as
 * many as can be started; at most 16), until all return. */
void jr_parallel(void *(*fn)(void *), void *arg, size_t threads);

/* Called first in main: how the process's memory is laid out (util.c). */
void jr_memory_setup(void);

/* Numbers in PDF, XML and JSON never depend on the locale (no decimal comma). */
void jr_fmt_double(char *out, size_t outlen, double v, int decimals);

/* All-or-nothing output: files are written under temporary names and renamed
 * into place only by jr_output_commit. jr_output_abort removes them. */
typedef struct jr_output jr_output;
jr_output *jr_output_new(void);
/* Returns the temporary path to write for `final_path` (owned by out). */
const char *jr_output_add(jr_output *out, const char *final_path);
/* 0, or -1 with errno; renames every file, or none: on failure the files
 * already replaced are restored and the temporary files removed. */
int jr_output_commit(jr_output *out);
/* After a failed commit: the final path that could not be written. */
const char *jr_output_failed_path(const jr_output *out);
void jr_output_abort(jr_output *out); /* removes the temporary files */
/* Writing a file: to a temporary path of a jr_output, the bytes are first
 * compared with the final file's and the temporary file is created only
 * when they differ (an equal file is left alone by the commit); any other
 * path is simply written. 0, or -1 with errno. Thread-safe. */
typedef struct jr_outfile jr_outfile;
jr_outfile *jr_outfile_open(const char *path); /* errors show in write/close */
int jr_outfile_write(jr_outfile *f, const void *data, size_t len);
int jr_outfile_close(jr_outfile *f); /* frees f */
/* The size of what was written to path (the final file's when it was
 * found equal), or -1. */
long long jr_output_size(const char *path);
/* All at once; a missing folder of the file is made. */
int jr_output_write(const char *path, const void *data, size_t len);
void jr_output_free(jr_output *out);
/* Removes the temporary files of every live jr_output; async-signal-safe
 * (for a SIGINT/SIGTERM handler: an interrupted build leaves no
 * temporary files behind). */
void jr_output_remove_all_temp(void);

#endif
