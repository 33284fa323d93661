/* test_output.c: jr_output commits all files or none. A rename that fails
 * part-way (here: a temporary file that was never written) must put back
 * every file already replaced and remove the new ones. */
#define _POSIX_C_SOURCE 200809L
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
