/* cache.c: where the caches live and how their files are written. */
#define _POSIX_C_SOURCE 200809L
#include "cache.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

char *jr_cache_dir(void)
{
    const char *dir = getenv("JOURNAL_CACHE_DIR"), *x;
    if (dir)
        return (!*dir || strcmp(dir, "off") == 0) ? NULL : jr_xstrdup(dir);
    if ((x = getenv("XDG_CACHE_HOME")) && x[0] == '/')
        return jr_path_join(x, "journal");
    if ((x = getenv("HOME")) && x[0] == '/')
        return jr_xasprintf("%s/.cache/journal", x);
    return NULL;
}

char *jr_cache_path(const char *name)
{
    char *dir = jr_cache_dir();
    if (!dir)
        return NULL;
    char *p = jr_path_join(dir, name);
    free(dir);
    return p;
}

char *jr_cache_file(const char *kind, const char *id)
{
    char name[96];
    snprintf(name, sizeof name, "%.60s-%016llx.bin", kind,
             (unsigned long long)jr_cache_sum((const unsigned char *)id, strlen(id)));
    return jr_cache_path(name);
}

uint64_t jr_cache_sum(const unsigned char *p, size_t n)
{
    uint64_t a = 0x9E3779B97F4A7C15ull, b = 0;
    for (size_t i = 0; i < n; i++) {
        a += p[i];
        b += a;
    }
    return a ^ (b * 0xC2B2AE3D27D4EB4Full);
}

int jr_cache_write(const char *path, const void *data, size_t len)
{
    char *dir = jr_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    static atomic_uint seq; /* two threads of one process never share a temporary file */
    char *tmp = jr_xasprintf("%s.%ld.%u.tmp", path, (long)getpid(), atomic_fetch_add(&seq, 1) + 1);
    int rc = -1;
    if (!slash || jr_mkdir_p(dir) == 0) {
        FILE *f = fopen(tmp, "wb");
        if (f) {
            bool ok = fwrite(data, 1, len, f) == len;
            ok = (fclose(f) == 0) && ok;
            if (ok && rename(tmp, path) == 0)
                rc = 0;
            else
                remove(tmp);
        }
    }
    free(tmp);
    free(dir);
    return rc;
}

size_t jr_cache_begin(jr_buf *b, const char *magic, const char *id)
{
    size_t idlen = strlen(id), header = 8 + ((idlen + 1 + 7) & ~(size_t)7) + 16;
    jr_buf_put(b, magic, 8);
    jr_buf_put(b, id, idlen + 1);
    while (b->len < header)
        jr_buf_putc(b, 0);
    return header;
}

void jr_cache_seal(jr_buf *b, size_t header, uint64_t count)
{
    uint64_t sum = jr_cache_sum((const unsigned char *)b->data + header, b->len - header);
    memcpy(b->data + header - 16, &count, 8);
    memcpy(b->data + header - 8, &sum, 8);
}

size_t jr_cache_check(const void *d, size_t len, const char *magic, const char *id, uint64_t *count)
{
    const unsigned char *p = d;
    size_t idlen = strlen(id), header = 8 + ((idlen + 1 + 7) & ~(size_t)7) + 16;
    if (!p || len < header || memcmp(p, magic, 8) != 0 || memcmp(p + 8, id, idlen + 1) != 0)
        return 0;
    uint64_t sum;
    memcpy(count, p + header - 16, 8);
    memcpy(&sum, p + header - 8, 8);
    return jr_cache_sum(p + header, len - header) == sum ? header : 0;
}
