/* cache_test.c: the checks of images remembered across builds (image.c).
 *
 * A remembered check must give what a full check gives, and must never let
 * a changed file pass: truncated in place, or replaced by other bytes of
 * the same size with its modification time set back. Damaged cache files
 * count as empty, JOURNAL_CACHE_DIR=off writes nothing, failed checks and
 * files changed within the last two seconds are not remembered, and two
 * processes writing the file at once lose nothing of each other's. The
 * images are copies of the sample's; the test waits for them to settle. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "image.h"
#include "util.h"

static int failures;
static char tmpdir[] = "/tmp/journal-imgcache-test-XXXXXX";
static char *cache_dir, *cache_file;

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

static unsigned char *slurp(const char *path, size_t *n)
{
    unsigned char *d = (unsigned char *)jr_read_file(path, n);
    if (!d) {
        perror(path);
        exit(2);
    }
    return d;
}

/* Write in place (same inode), as an editor saving over a file might. */
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

static void copy_file(const char *from, const char *to)
{
    size_t n;
    unsigned char *d = slurp(from, &n);
    write_bytes(to, d, n);
    free(d);
}

/* A 1 x 1 grey PNG. */
static void write_tiny_png(const char *path)
{
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char out[128];
    size_t n = 0;
    memcpy(out, magic, 8);
    n = 8;
    unsigned char ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
    unsigned char raw[2] = {0, 0x80}, z[32];
    uLongf zn = sizeof z;
    compress2(z, &zn, raw, sizeof raw, 9);
    const unsigned char *data[3] = {ihdr, z, NULL};
    size_t lens[3] = {13, zn, 0};
    static const char *const types[3] = {"IHDR", "IDAT", "IEND"};
    for (int k = 0; k < 3; k++) {
        unsigned char *c = out + n;
        c[0] = (unsigned char)(lens[k] >> 24);
        c[1] = (unsigned char)(lens[k] >> 16);
        c[2] = (unsigned char)(lens[k] >> 8);
        c[3] = (unsigned char)lens[k];
        memcpy(c + 4, types[k], 4);
        if (lens[k])
            memcpy(c + 8, data[k], lens[k]);
        uLong crc = crc32(0, c + 4, (uInt)lens[k] + 4);
        c[8 + lens[k]] = (unsigned char)(crc >> 24);
        c[9 + lens[k]] = (unsigned char)(crc >> 16);
        c[10 + lens[k]] = (unsigned char)(crc >> 8);
        c[11 + lens[k]] = (unsigned char)crc;
        n += 12 + lens[k];
    }
    write_bytes(path, out, n);
}

static bool same_info(const jr_image_info *a, const jr_image_info *b)
{
    return a->format == b->format && a->width == b->width && a->height == b->height &&
           a->orientation == b->orientation && a->channels == b->channels &&
           a->has_alpha == b->has_alpha && a->dpi_x == b->dpi_x && a->dpi_y == b->dpi_y;
}

/* Check `path` in a fresh process state (the cache file read anew);
 * returns the result and sets *decoded when a full check was needed. */
static int check_fresh(const char *path, jr_image_info *info, char *why, size_t whylen,
                       bool *decoded)
{
    jr_image_cache_reset();
    int rc = jr_image_check(path, info, why, whylen);
    *decoded = jr_image_check_decodes() == 1;
    return rc;
}

static void use_cache(bool on)
{
    jr_image_cache_reset();
    setenv("JOURNAL_CACHE_DIR", on ? cache_dir : "off", 1);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool no_temp_files(void)
{
    char *cmd = jr_xasprintf("ls '%s' | grep -q tmp", cache_dir);
    bool none = system(cmd) != 0;
    free(cmd);
    return none;
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    cache_dir = tpath("cache");
    cache_file = jr_path_join(cache_dir, "images-v1.bin");
    char *home = tpath("home");
    setenv("HOME", home, 1);
    unsetenv("XDG_CACHE_HOME");

    char *png = tpath("a.png"), *jpg = tpath("b.jpg"), *same = tpath("same.png");
    char *bad = tpath("bad.png"), *c1 = tpath("c1.jpg"), *c2 = tpath("c2.jpg");
    copy_file("articles/2026-2/images/sprachangebote-karte.png", png);
    copy_file("articles/2026-2/images/sprachangebote-karte.png", same);
    copy_file("articles/2026-2/images/portraet.jpg", jpg);
    copy_file("articles/2026-2/images/portraet.jpg", c1);
    copy_file("articles/2026-2/images/kita-schule.jpg", c2);
    size_t pn;
    unsigned char *pd = slurp(png, &pn);
    write_bytes(bad, pd, pn / 2);
    /* more files than the cache file keeps (8192) */
    enum { MANY = 8193 };
    char *many_dir = tpath("many");
    mkdir(many_dir, 0777);
    char **many = jr_xmalloc(sizeof *many * (MANY + 1));
    for (int i = 0; i <= MANY; i++) {
        char name[32];
        snprintf(name, sizeof name, "%d.png", i);
        many[i] = jr_path_join(many_dir, name);
        write_tiny_png(many[i]);
    }
    /* files changed within the last 2 s are not remembered */
    struct timespec wait = {2, 300000000};
    nanosleep(&wait, NULL);

    jr_image_info ref_png, ref_jpg, info;
    char why[200];
    bool decoded;

    /* reference results, without the cache */
    use_cache(false);
    CHECK(jr_image_check(png, &ref_png, why, sizeof why) == 0);
    CHECK(jr_image_check(jpg, &ref_jpg, why, sizeof why) == 0);
    CHECK(ref_png.format == JR_IMG_PNG && ref_png.width == 1600 && ref_png.height == 1000);
    CHECK(ref_jpg.format == JR_IMG_JPEG && ref_jpg.width == 1800 && ref_jpg.dpi_x == 300);
    jr_image_cache_reset();
    CHECK(!exists(cache_dir));
    char *home_cache = jr_path_join(home, ".cache");
    CHECK(!exists(home_cache));
    /* off: every process checks anew */
    CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && decoded);
    CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && decoded);
    jr_image_cache_reset();
    CHECK(!exists(cache_dir) && !exists(home_cache));

    /* remembered: a later process only looks at the file's identity */
    use_cache(true);
    CHECK(jr_image_check(png, &info, why, sizeof why) == 0 && same_info(&info, &ref_png));
    CHECK(jr_image_check(jpg, &info, why, sizeof why) == 0 && same_info(&info, &ref_jpg));
    CHECK(jr_image_check(same, &info, why, sizeof why) == 0);
    CHECK(jr_image_check_decodes() == 2); /* same.png: the same bytes as a.png */
    jr_image_cache_flush();
    CHECK(exists(cache_file) && no_temp_files());
    CHECK(check_fresh(png, &info, why, sizeof why, &decoded) == 0 && !decoded);
    CHECK(same_info(&info, &ref_png));
    CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && !decoded);
    CHECK(same_info(&info, &ref_jpg));

    /* a failed check is never remembered */
    CHECK(check_fresh(bad, &info, why, sizeof why, &decoded) == -1 && decoded);
    CHECK(strcmp(why, "truncated PNG") == 0);
    CHECK(check_fresh(bad, &info, why, sizeof why, &decoded) == -1 && decoded);
    CHECK(strcmp(why, "truncated PNG") == 0);

    /* a file changed just now is checked, and checked again next time */
    char *fresh = tpath("fresh.png");
    copy_file(png, fresh);
    CHECK(check_fresh(fresh, &info, why, sizeof why, &decoded) == 0 && decoded);
    CHECK(check_fresh(fresh, &info, why, sizeof why, &decoded) == 0 && decoded);

    /* truncated in place: new size and times, same inode */
    write_bytes(png, pd, pn - 100);
    CHECK(check_fresh(png, &info, why, sizeof why, &decoded) == -1 && decoded);
    CHECK(strcmp(why, "truncated PNG") == 0);

    /* other bytes of the same size, the modification time set back: only
     * the change time tells */
    struct stat st;
    CHECK(stat(same, &st) == 0);
    unsigned char *broken = jr_xmalloc(pn);
    memcpy(broken, pd, pn);
    memset(broken + pn / 2, 0x55, 64);
    write_bytes(same, broken, pn);
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    CHECK(utimensat(AT_FDCWD, same, times, 0) == 0);
    struct stat st2;
    CHECK(stat(same, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_size == st.st_size &&
          st2.st_mtim.tv_sec == st.st_mtim.tv_sec && st2.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
    CHECK(check_fresh(same, &info, why, sizeof why, &decoded) == -1 && decoded);
    CHECK(strncmp(why, "corrupt PNG", 11) == 0);

    /* damaged cache files count as empty: garbage, cut short, any byte
     * changed; the next write repairs the file */
    size_t cn;
    unsigned char *good = slurp(cache_file, &cn);
    CHECK(cn > 100);
    unsigned char garbage[777];
    for (size_t i = 0; i < sizeof garbage; i++)
        garbage[i] = (unsigned char)(i * 131 + 7);
    jr_image_cache_reset(); /* nothing left to write over the damage */
    write_bytes(cache_file, garbage, sizeof garbage);
    CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && decoded);
    CHECK(same_info(&info, &ref_jpg));
    jr_image_cache_reset();
    write_bytes(cache_file, good, cn / 2);
    CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && decoded);
    CHECK(same_info(&info, &ref_jpg));
    for (size_t at = 0; at < cn; at += cn / 13 + 1) {
        unsigned char *d = jr_xmalloc(cn);
        memcpy(d, good, cn);
        d[at] ^= 0x20;
        jr_image_cache_reset();
        write_bytes(cache_file, d, cn);
        free(d);
        CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && decoded);
        CHECK(same_info(&info, &ref_jpg));
    }
    jr_image_cache_reset();
    write_bytes(cache_file, "", 0);
    CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && decoded);
    jr_image_cache_reset(); /* writes the result */
    CHECK(check_fresh(jpg, &info, why, sizeof why, &decoded) == 0 && !decoded);
    CHECK(same_info(&info, &ref_jpg));

    /* a full cache file keeps what the last build used: here all but the
     * last of MANY files are checked, then one of them and a new one */
    jr_image_cache_reset();
    for (int i = 0; i < MANY; i++)
        CHECK(jr_image_check(many[i], &info, why, sizeof why) == 0 && info.width == 1);
    jr_image_cache_reset();
    CHECK(stat(cache_file, &st) == 0 && st.st_size > 8192 * 76 && st.st_size < 8192 * 76 + 200);
    CHECK(check_fresh(many[0], &info, why, sizeof why, &decoded) == 0 && !decoded);
    CHECK(jr_image_check(many[MANY], &info, why, sizeof why) == 0 && info.width == 1);
    CHECK(check_fresh(many[MANY], &info, why, sizeof why, &decoded) == 0 && !decoded);
    CHECK(check_fresh(many[0], &info, why, sizeof why, &decoded) == 0 && !decoded);
    for (int i = 0; i <= MANY; i++)
        free(many[i]);
    free(many);
    free(many_dir);

    /* two processes at once: the one that writes last keeps the other's */
    int go[2], ready[2];
    CHECK(pipe(go) == 0 && pipe(ready) == 0);
    jr_image_cache_reset();
    pid_t pid = fork();
    if (pid == 0) {
        jr_image_info ci;
        char cw[200], ch;
        int ok = jr_image_check(c1, &ci, cw, sizeof cw) == 0; /* reads the file */
        ok = ok && write(ready[1], "x", 1) == 1 && read(go[0], &ch, 1) == 1;
        jr_image_cache_flush(); /* after the parent's write */
        _exit(ok ? 0 : 1);
    }
    char ch;
    CHECK(read(ready[0], &ch, 1) == 1);
    CHECK(jr_image_check(c2, &info, why, sizeof why) == 0);
    jr_image_cache_flush();
    CHECK(write(go[1], "x", 1) == 1);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(check_fresh(c1, &info, why, sizeof why, &decoded) == 0 && !decoded);
    CHECK(check_fresh(c2, &info, why, sizeof why, &decoded) == 0 && !decoded);
    CHECK(no_temp_files());

    jr_image_cache_reset();
    free(good);
    free(broken);
    free(pd);
    free(fresh);
    free(home_cache);
    free(png);
    free(jpg);
    free(same);
    free(bad);
    free(c1);
    free(c2);
    free(home);
    if (!failures) {
        char *cmd = jr_xasprintf("rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
        free(cmd);
    } else {
        fprintf(stderr, "files kept in %s\n", tmpdir);
    }
    free(cache_dir);
    free(cache_file);
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
