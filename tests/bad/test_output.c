/* test_output.c: jr_output commits all files or none. A rename that fails
 * part-way (here: a temporary file that was never written) must put back
 * every file already replaced and remove the new ones. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int failures;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                  \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

static char *get(const char *path)
{
    size_t n;
    char *s = jr_read_file(path, &n);
    return s ? s : jr_xstrdup("<missing>");
}

static size_t count_entries(const char *dir)
{
    char *cmd = jr_xasprintf("ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p) {
        if (fscanf(p, "%zu", &n) != 1)
            n = 0;
        pclose(p);
    }
    free(cmd);
    return n;
}

int main(void)
{
    char tmpl[] = "/tmp/journal-output-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir)
        return 1;
    char *a = jr_path_join(dir, "a.pdf");
    char *b = jr_path_join(dir, "b.xml");
    char *c = jr_path_join(dir, "c.html");
    put(a, "old a");
    put(b, "old b");

    /* 1: the third file is never written: the commit fails, a and b keep
     * their old contents, c does not appear, no temporary file is left. */
    jr_output *out = jr_output_new();
    put(jr_output_add(out, a), "new a");
    put(jr_output_add(out, b), "new b");
    (void)jr_output_add(out, c);
    CHECK(jr_output_commit(out) != 0);
    CHECK(jr_output_failed_path(out) && strcmp(jr_output_failed_path(out), c) == 0);
    jr_output_abort(out);
    jr_output_free(out);
    char *s = get(a);
    CHECK(strcmp(s, "old a") == 0);
    free(s);
    s = get(b);
    CHECK(strcmp(s, "old b") == 0);
    free(s);
    CHECK(access(c, F_OK) != 0);
    CHECK(count_entries(dir) == 2);

    /* 2: a folder where a file must go: nothing is replaced. */
    CHECK(mkdir(c, 0777) == 0);
    out = jr_output_new();
    put(jr_output_add(out, a), "new a");
    put(jr_output_add(out, c), "new c");
    CHECK(jr_output_commit(out) != 0);
    jr_output_abort(out);
    jr_output_free(out);
    s = get(a);
    CHECK(strcmp(s, "old a") == 0);
    free(s);
    CHECK(count_entries(dir) == 3);
    rmdir(c);

    /* 3: the same path added twice is one file; the commit succeeds. */
    out = jr_output_new();
    const char *t1 = jr_output_add(out, a);
    const char *t2 = jr_output_add(out, a);
    CHECK(strcmp(t1, t2) == 0);
    put(t1, "new a");
    put(jr_output_add(out, c), "new c");
    CHECK(jr_output_commit(out) == 0);
    jr_output_free(out);
    s = get(a);
    CHECK(strcmp(s, "new a") == 0);
    free(s);
    s = get(c);
    CHECK(strcmp(s, "new c") == 0);
    free(s);
    CHECK(count_entries(dir) == 3); /* a, b, c: no backups left */

    /* 4: a file written with the bytes it already has is left as it is
     * (same inode, same modification time); one with other bytes, even of
     * the same length, is replaced; no temporary file is left. */
    struct stat before_a, before_c, after_a, after_c;
    CHECK(stat(a, &before_a) == 0 && stat(c, &before_c) == 0);
    out = jr_output_new();
    put(jr_output_add(out, a), "new a");
    put(jr_output_add(out, c), "NEW C");
    CHECK(jr_output_commit(out) == 0);
    jr_output_free(out);
    CHECK(stat(a, &after_a) == 0 && stat(c, &after_c) == 0);
    CHECK(after_a.st_ino == before_a.st_ino);
    CHECK(after_a.st_mtim.tv_sec == before_a.st_mtim.tv_sec &&
          after_a.st_mtim.tv_nsec == before_a.st_mtim.tv_nsec);
    CHECK(after_c.st_ino != before_c.st_ino);
    s = get(c);
    CHECK(strcmp(s, "NEW C") == 0);
    free(s);
    CHECK(count_entries(dir) == 3);

    /* 5: a failed commit with an unchanged file among the others: the
     * unchanged file is untouched, the changed one put back. */
    out = jr_output_new();
    put(jr_output_add(out, a), "new a");
    put(jr_output_add(out, c), "newer c");
    (void)jr_output_add(out, b); /* never written: the commit fails */
    CHECK(jr_output_commit(out) != 0);
    jr_output_abort(out);
    jr_output_free(out);
    s = get(a);
    CHECK(strcmp(s, "new a") == 0);
    free(s);
    s = get(c);
    CHECK(strcmp(s, "NEW C") == 0);
    free(s);
    CHECK(count_entries(dir) == 3);

    /* 6: written through jr_outfile (compared while written): equal bytes
     * create no temporary file and leave the file as it is; bytes that are
     * longer, shorter, or differ late in a large file replace it whole. */
    size_t big = 200000;
    char *old_big = jr_xmalloc(big), *new_big = jr_xmalloc(big + 7);
    for (size_t i = 0; i < big; i++)
        old_big[i] = (char)('a' + i % 23);
    memcpy(new_big, old_big, big);
    memcpy(new_big + big, "+7 more", 7);
    FILE *f = fopen(a, "wb");
    CHECK(f && fwrite(old_big, 1, big, f) == big);
    if (f)
        fclose(f);
    CHECK(stat(a, &before_a) == 0 && stat(c, &before_c) == 0);
    struct {
        const char *what;
        const char *data;
        size_t len;
    } cases[] = {
        {"equal", old_big, big},
        {"longer", new_big, big + 7},
        {"shorter", old_big, big - 1},
        {"equal again", old_big, big - 1},
        {"differs late", new_big, big - 1},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        /* "differs late": the last byte of the old contents changes */
        if (strcmp(cases[k].what, "differs late") == 0)
            new_big[big - 2] = '#';
        out = jr_output_new();
        const char *t = jr_output_add(out, a);
        jr_outfile *of = jr_outfile_open(t);
        /* in uneven pieces, as the PDF writer hands them */
        for (size_t at = 0; at < cases[k].len;) {
            size_t n = cases[k].len - at < 70001 ? cases[k].len - at : 70001;
            CHECK(jr_outfile_write(of, cases[k].data + at, n) == 0);
            at += n;
        }
        CHECK(jr_outfile_close(of) == 0);
        CHECK(jr_output_size(t) == (long long)cases[k].len); /* what was written, either way */
        bool equal = strncmp(cases[k].what, "equal", 5) == 0;
        CHECK((access(t, F_OK) == 0) == !equal); /* a temporary file only if different */
        CHECK(jr_output_commit(out) == 0);
        jr_output_free(out);
        size_t n = 0;
        char *got = jr_read_file(a, &n);
        CHECK(got && n == cases[k].len && memcmp(got, cases[k].data, n) == 0);
        free(got);
        CHECK(stat(a, &after_a) == 0);
        if (equal)
            CHECK(after_a.st_ino == before_a.st_ino &&
                  after_a.st_mtim.tv_nsec == before_a.st_mtim.tv_nsec);
        else
            CHECK(after_a.st_ino != before_a.st_ino);
        before_a = after_a;
        CHECK(count_entries(dir) == 3);
        if (failures)
            fprintf(stderr, "(case %s)\n", cases[k].what);
    }
    /* a plain path (no jr_output) is simply written */
    CHECK(jr_output_write(b, "plain", 5) == 0);
    s = get(b);
    CHECK(strcmp(s, "plain") == 0);
    free(s);
    free(old_big);
    free(new_big);

    unlink(a);
    unlink(b);
    unlink(c);
    rmdir(dir);
    free(a);
    free(b);
    free(c);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures != 0;
}
