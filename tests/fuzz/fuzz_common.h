/* fuzz_common.h: a scratch content folder for the libFuzzer harnesses
 * (fuzz_article.c, fuzz_config.c). Header-only: each harness is one
 * program. */
#ifndef JOURNAL_FUZZ_COMMON_H
#define JOURNAL_FUZZ_COMMON_H

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* A 4 x 3 RGB PNG. */
static const unsigned char fuzz_png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x08, 0x02, 0x00, 0x00, 0x00, 0x3b,
    0x96, 0x39, 0x91, 0x00, 0x00, 0x00, 0x2a, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x0d, 0xc7,
    0x31, 0x01, 0x00, 0x30, 0x0c, 0xc3, 0x30, 0x03, 0x2b, 0x88, 0xc0, 0xe9, 0x69, 0x28, 0x01,
    0x51, 0x80, 0x9b, 0x3e, 0x01, 0x0e, 0x2e, 0x1e, 0x42, 0x9c, 0xb8, 0xf1, 0xf2, 0x53, 0xa7,
    0x6e, 0xbd, 0xfa, 0x00, 0xe3, 0xb7, 0x0d, 0xf9, 0xc1, 0x3b, 0x44, 0xf6, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static const char fuzz_journal_yaml[] = "title: Fuzz Journal\n"
                                        "publisher: Bildungsbüro\n"
                                        "language: de\n"
                                        "base_url: https://example.org/\n"
                                        "sections:\n"
                                        "  - id: schule\n"
                                        "    title: Schule\n"
                                        "    color: \"#336699\"\n"
                                        "    cmyk: [80, 40, 0, 10]\n";

static const char fuzz_edition_yaml[] = "number: 1\nyear: 2026\ndate: 2026-03-01\ntheme: Fuzz\n";

static void fuzz_write(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = jr_path_join(dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        abort();
    }
    if (len)
        fwrite(data, 1, len, f);
    fclose(f);
    free(path);
}

/* Creates (once) a content folder: journal.yaml, 2026-1/edition.yaml,
 * 2026-1/images/bild.png. Returns its path; *edition gets 2026-1's. */
static const char *fuzz_content_dir(const char **edition)
{
    static char root[64];
    static char *ed;
    if (!root[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(root, sizeof root, "%s/journal-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(root)) {
            perror("mkdtemp");
            abort();
        }
        ed = jr_path_join(root, "2026-1");
        char *img = jr_path_join(ed, "images");
        jr_mkdir_p(img);
        fuzz_write(root, "journal.yaml", fuzz_journal_yaml, strlen(fuzz_journal_yaml));
        fuzz_write(ed, "edition.yaml", fuzz_edition_yaml, strlen(fuzz_edition_yaml));
        fuzz_write(img, "bild.png", fuzz_png, sizeof fuzz_png);
        free(img);
    }
    if (edition)
        *edition = ed;
    return root;
}

#endif
