/* fuzz_input.c: libFuzzer harness for the input stage. The first byte
 * chooses the reader (front matter or a bare YAML document); the rest is
 * the file. Build with clang: cmake -DCMAKE_C_COMPILER=clang -DJOURNAL_FUZZ=ON,
 * then run build/tests/input/fuzz_input -max_total_time=60. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "content.h"
#include "diag.h"
#include "yamlnode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    jr_diag_set_output(NULL);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] & 1) {
        jr_ydoc *d = jr_ydoc_parse("fuzz.yaml", text, len, 1);
        if (d->root) {
            static const char *const known[] = {"title", "date", "tags", NULL};
            jr_y_check_keys(d, d->root, known);
            char **list = NULL;
            size_t n = 0;
            jr_y_strlist(d, jr_ymap_get(d->root, "tags"), "tags", true, &list, &n);
            for (size_t i = 0; i < n; i++)
                free(list[i]);
            free(list);
            jr_color c;
            jr_y_color(d, jr_ymap_get(d->root, "color"), jr_ymap_get(d->root, "cmyk"), &c);
        }
        jr_ydoc_free(d);
    } else {
        jr_article a;
        jr_article_parse(&a, "fuzz.md", text, len);
        jr_article_clear(&a);
    }
    return 0;
}
