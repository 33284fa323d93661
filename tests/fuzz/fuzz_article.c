/* fuzz_article.c: libFuzzer harness for the whole pipeline on one article:
 * front matter and Markdown -> document model -> layout -> PDF (and print
 * PDF) -> Atom, RSS and HTML pages, through jr_build_run on a scratch
 * content folder (fuzz_common.h), all or nothing into a scratch out/.
 *
 * The first byte chooses the options:
 *   bits 0-1  article language: de, en, de-CH, fr
 *   bit 2     also the print PDF
 *   bit 3     a lead image (alt text when bit 4 is set too)
 *   bit 4     section `schule`, image alt text
 *   bit 5     PDF/A variant
 *   bit 6     a second article with the same body
 *   bit 7     raw: the rest is the whole file (front matter included), as
 *             it is; otherwise it is the body, NUL bytes and invalid UTF-8
 *             replaced, so that the fuzzer explores Markdown and layout
 *             rather than the first check.
 *
 * clang only: cmake -DCMAKE_C_COMPILER=clang -DJOURNAL_FUZZ=ON, then
 * build/tests/fuzz/fuzz_article -max_total_time=60 CORPUS tests/fuzz/corpus/fuzz_article */
#include "fuzz_common.h"

#include <stdint.h>

#include "build.h"
#include "diag.h"
#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char *out_dir;

static void cleanup(void)
{
    const char *root = fuzz_content_dir(NULL);
    char *cmd = jr_xasprintf("rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    free(cmd);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *root = fuzz_content_dir(NULL);
    out_dir = jr_path_join(root, "out");
    atexit(cleanup);
    /* jr_build_run prints the paths it wrote */
    if (!freopen("/dev/null", "w", stdout))
        abort();
    return 0;
}

/* The body as valid UTF-8 without NUL bytes. */
static void put_clean(jr_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = jr_utf8_decode(s + i, n - i, &cp);
        if (k == 0) {
            jr_buf_puts(b, "\xEF\xBF\xBD");
            i++;
        } else if (cp == 0) {
            jr_buf_putc(b, ' ');
            i++;
        } else {
            jr_buf_put(b, s + i, k);
            i += k;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 200000)
        return 0;
    static const char *const langs[] = {"de", "en", "de-CH", "fr"};
    uint8_t o = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    const char *ed;
    const char *root = fuzz_content_dir(&ed);
    jr_buf b = {0};
    if (o & 0x80) {
        jr_buf_put(&b, text, len);
    } else {
        jr_buf_printf(&b, "---\ntitle: Fuzz\ndate: 2026-02-01\nlang: %s\n", langs[o & 3]);
        if (o & 0x08)
            jr_buf_puts(&b, "image: images/bild.png\n");
        if (o & 0x10)
            jr_buf_puts(&b, "section: schule\nimage_alt: Ein Bild\n");
        jr_buf_puts(&b, "---\n\n");
        put_clean(&b, text, len);
    }
    fuzz_write(ed, "a.md", b.data ? b.data : "", b.len);
    char *second = jr_path_join(ed, "b.md");
    if (o & 0x40)
        fuzz_write(ed, "b.md", b.data ? b.data : "", b.len);
    else
        unlink(second);
    free(second);
    jr_buf_free(&b);

    jr_diag_reset();
    jr_diag_set_output(NULL);
    jr_feed_forget_warnings();
    jr_build_options opt = {
        .content_dir = root,
        .out_dir = out_dir,
        .no_print = !(o & 0x04),
        .pdfa = (o & 0x20) != 0,
        .quiet = true,
    };
    int status = jr_build_run(&opt);
    /* The exit status and the diagnostics agree. */
    if (status != (jr_diag_count(JR_ERROR) > 0 ? 1 : 0))
        abort();
    return 0;
}
