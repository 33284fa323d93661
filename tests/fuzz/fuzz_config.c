/* fuzz_config.c: libFuzzer harness for the configuration files: journal.yaml
 * and edition.yaml (read through jr_content_load on a scratch content folder,
 * fuzz_common.h) and layout files (through `journal check --layout FILE`).
 *
 * The first byte chooses:
 *   bits 0-1  the rest is 0: journal.yaml, 1: edition.yaml, 2 and 3: a
 *             layout file (always with a full check)
 *   bit 2     run `journal check` on the folder (layout with the sections'
 *             colours, images, cover) instead of only reading it
 * With FUZZ_NO_LAYOUT=1 in the environment, layout inputs go to
 * journal.yaml/edition.yaml instead.
 *
 * clang only: cmake -DCMAKE_C_COMPILER=clang -DJOURNAL_FUZZ=ON, then
 * build/tests/fuzz/fuzz_config -max_total_time=60 CORPUS tests/fuzz/corpus/fuzz_config */
#include "fuzz_common.h"

#include <stdint.h>

#include "build.h"
#include "content.h"
#include "diag.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char article[] = "---\ntitle: Ein Artikel\ndate: 2026-02-01\nsection: schule\n"
                              "image: images/bild.png\nimage_alt: Ein Bild\n---\n\nText.\n";

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
    const char *ed;
    fuzz_content_dir(&ed);
    fuzz_write(ed, "a.md", article, strlen(article));
    atexit(cleanup);
    if (!freopen("/dev/null", "w", stdout))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 100000)
        return 0;
    const char *ed;
    const char *root = fuzz_content_dir(&ed);
    int target = data[0] & 3;
    /* FUZZ_NO_LAYOUT=1: only journal.yaml and edition.yaml (to go on
     * fuzzing them while a bug in the layout-file reader is open) */
    static int no_layout = -1;
    if (no_layout < 0) {
        const char *env = getenv("FUZZ_NO_LAYOUT");
        no_layout = env && *env == '1';
    }
    if (no_layout && target >= 2)
        target -= 2;
    char *layout = jr_path_join(root, "layout.yaml");
    /* the other files as they should be */
    if (target != 0)
        fuzz_write(root, "journal.yaml", fuzz_journal_yaml, strlen(fuzz_journal_yaml));
    if (target != 1)
        fuzz_write(ed, "edition.yaml", fuzz_edition_yaml, strlen(fuzz_edition_yaml));
    if (target == 0)
        fuzz_write(root, "journal.yaml", data + 1, size - 1);
    else if (target == 1)
        fuzz_write(ed, "edition.yaml", data + 1, size - 1);
    else
        fuzz_write(root, "layout.yaml", data + 1, size - 1);
    jr_diag_reset();
    jr_diag_set_output(NULL);
    if (target >= 2 || (data[0] & 4)) {
        jr_build_options opt = {.content_dir = root,
                                .check_only = true,
                                .quiet = true,
                                .layout = target >= 2 ? layout : NULL};
        int status = jr_build_run(&opt);
        if (status != (jr_diag_count(JR_ERROR) > 0 ? 1 : 0))
            abort();
    } else {
        jr_journal *j = jr_content_load(root);
        jr_journal_free(j);
    }
    free(layout);
    return 0;
}
