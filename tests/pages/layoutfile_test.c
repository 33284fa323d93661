/* layoutfile_test.c: layouts/bildung-im-blick.yaml is the built-in look
 * (every field of jr_style the same), a5-kompakt is A5 with one column,
 * and lengths parse with their units. Run from the source tree. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "layoutfile.h"
#include "util.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static bool near(double a, double b)
{
    return fabs(a - b) < 0.006;
}

static bool same_color(jr_color a, jr_color b)
{
    return near(a.r, b.r) && near(a.g, b.g) && near(a.b, b.b) && near(a.c, b.c) && near(a.m, b.m) &&
           near(a.y, b.y) && near(a.k, b.k);
}

static void test_default_file(void)
{
    jr_style d, f;
    jr_style_default(&d);
    int errs = jr_diag_count(JR_ERROR);
    int rc = jr_layoutfile_load("layouts/bildung-im-blick.yaml", NULL, &f);
    CHECK(rc == 0 && jr_diag_count(JR_ERROR) == errs, "bildung-im-blick.yaml has errors");
    CHECK(jr_diag_count(JR_WARNING) == 0, "bildung-im-blick.yaml has warnings");
    CHECK(strcmp(f.name, d.name) == 0, "name %s", f.name);
#define SAME(field) CHECK(near(f.field, d.field), #field ": file %g, built-in %g", f.field, d.field)
    SAME(page_width);
    SAME(page_height);
    SAME(margin_inside);
    SAME(margin_outside);
    SAME(margin_top);
    SAME(margin_bottom);
    SAME(gutter);
    SAME(baseline_grid);
    SAME(paragraph_indent);
    SAME(paragraph_spacing);
    SAME(list_indent);
    SAME(quote_indent);
    SAME(heading_space_before);
    SAME(heading_space_after);
    SAME(figure_space);
    SAME(bleed);
    SAME(first_baseline);
    SAME(letterspace_stretch);
    SAME(letterspace_shrink);
    SAME(running_head_gap);
    SAME(folio_gap);
    SAME(lead_image_max);
    for (int l = 2; l <= 4; l++) {
        SAME(heading_size[l]);
        SAME(heading_leading[l]);
        CHECK(f.heading_grid_after[l] == d.heading_grid_after[l], "grid_after h%d", l);
    }
#undef SAME
    CHECK(f.facing == d.facing, "facing");
    CHECK(f.hyphenate == d.hyphenate && f.hyphen_left_min == d.hyphen_left_min &&
              f.hyphen_right_min == d.hyphen_right_min &&
              f.max_consecutive_hyphens == d.max_consecutive_hyphens,
          "hyphenation");
    for (int t = 0; t < JR_PAGE_TYPE_COUNT; t++)
        CHECK(f.columns[t] == d.columns[t], "columns[%d] %d, built-in %d", t, f.columns[t],
              d.columns[t]);
    for (int r = 0; r < JR_ROLE_COUNT; r++) {
        const jr_font_style *a = &f.fonts[r], *b = &d.fonts[r];
        CHECK(strcmp(a->family, b->family) == 0 && a->bold == b->bold && a->italic == b->italic &&
                  near(a->size, b->size) && near(a->leading, b->leading) &&
                  same_color(a->color, b->color),
              "font role %d: %s %d%d %g/%g", r, a->family, a->bold, a->italic, a->size, a->leading);
    }
    CHECK(same_color(f.text_color, d.text_color), "text colour");
    CHECK(same_color(f.accent_color, d.accent_color), "accent colour");
    CHECK(same_color(f.rule_color, d.rule_color), "rule colour");
    jr_style_clear(&d);
    jr_style_clear(&f);
}

static void test_a5(void)
{
    jr_style s;
    jr_fontset *fs = jr_fontset_new();
    int rc = jr_layoutfile_load("layouts/a5-kompakt.yaml", fs, &s);
    CHECK(rc == 0, "a5-kompakt.yaml has errors");
    CHECK(near(s.page_width, 419.53) && near(s.page_height, 595.28), "A5: %g x %g", s.page_width,
          s.page_height);
    CHECK(s.columns[JR_PAGE_ARTICLE] == 1, "article columns %d", s.columns[JR_PAGE_ARTICLE]);
    CHECK(s.fonts[JR_ROLE_BODY].size < 9.5, "body size %g", s.fonts[JR_ROLE_BODY].size);
    CHECK(s.margin_outside < JR_MM(16), "outside margin %g", s.margin_outside);
    jr_style_clear(&s);
    jr_fontset_free(fs);
}

static void test_lengths(void)
{
    double v = -1;
    CHECK(jr_parse_length("20mm", &v) && near(v, 56.6929), "20mm: %g", v);
    CHECK(jr_parse_length("9.5pt", &v) && near(v, 9.5), "9.5pt: %g", v);
    CHECK(jr_parse_length("2cm", &v) && near(v, 56.6929), "2cm: %g", v);
    CHECK(jr_parse_length("1in", &v) && near(v, 72), "1in: %g", v);
    CHECK(jr_parse_length("12", &v) && near(v, 12), "12: %g", v);
    CHECK(jr_parse_length("3 mm", &v) && near(v, 8.5039), "3 mm: %g", v);
    const char *bad[] = {"", "mm", "20 furlongs", "1,5mm", "inf", "0x10pt", "20mmm", NULL};
    for (int i = 0; bad[i]; i++)
        CHECK(!jr_parse_length(bad[i], &v), "'%s' taken as a length", bad[i]);
}

int main(void)
{
    test_lengths();
    test_default_file();
    test_a5();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("all checks passed\n");
    return 0;
}
