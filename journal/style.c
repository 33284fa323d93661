/* style.c: the built-in look ("Bildung im Blick") and freeing a style. */
#include "style.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static jr_color black(void)
{
    jr_color c = {0, 0, 0, 0, 0, 0, 1};
    return c;
}

static void font(jr_font_style *f, const char *family, bool bold, bool italic, double size_pt,
                 double leading_pt)
{
    f->family = jr_xstrdup(family);
    f->bold = bold;
    f->italic = italic;
    f->size = size_pt;
    f->leading = leading_pt;
    f->color = black();
}

void jr_style_default(jr_style *s)
{
    memset(s, 0, sizeof *s);
    s->name = jr_xstrdup("bildung-im-blick");
    s->path = NULL;
    s->page_width = 595.28; /* A4 [pt] */
    s->page_height = 841.89;
    s->margin_inside = JR_MM(20);
    s->margin_outside = JR_MM(16);
    s->margin_top = JR_MM(20);
    s->margin_bottom = JR_MM(22);
    s->facing = true;
    s->columns[JR_PAGE_COVER] = 1;
    s->columns[JR_PAGE_CONTENTS] = 1;
    s->columns[JR_PAGE_ARTICLE] = 2;
    s->columns[JR_PAGE_IMPRINT] = 2;
    s->gutter = JR_MM(6);
    s->baseline_grid = 13;

    font(&s->fonts[JR_ROLE_BODY], "Noto Serif", false, false, 9.5, 13);
    font(&s->fonts[JR_ROLE_BODY_ITALIC], "Noto Serif", false, true, 9.5, 13);
    font(&s->fonts[JR_ROLE_BODY_BOLD], "Noto Serif", true, false, 9.5, 13);
    font(&s->fonts[JR_ROLE_BODY_BOLD_ITALIC], "Noto Serif", true, true, 9.5, 13);
    font(&s->fonts[JR_ROLE_HEADING], "Noto Sans", true, false, 13, 16);
    font(&s->fonts[JR_ROLE_TITLE], "Noto Sans", true, false, 24, 28);
    font(&s->fonts[JR_ROLE_SUBTITLE], "Noto Sans", false, false, 13, 17);
    font(&s->fonts[JR_ROLE_KICKER], "Noto Sans", true, false, 8.5, 13);
    font(&s->fonts[JR_ROLE_BYLINE], "Noto Sans", false, true, 8.5, 13);
    font(&s->fonts[JR_ROLE_CAPTION], "Noto Sans", false, false, 7.5, 9.5);
    font(&s->fonts[JR_ROLE_CODE], "DejaVu Sans Mono", false, false, 8.5, 11);
    font(&s->fonts[JR_ROLE_MASTHEAD], "Noto Sans", true, false, 40, 44);
    font(&s->fonts[JR_ROLE_RUNNING_HEAD], "Noto Sans", false, false, 7.5, 9);

    s->heading_size[2] = 13;
    s->heading_leading[2] = 16;
    s->heading_size[3] = 11;
    s->heading_leading[3] = 14;
    s->heading_size[4] = 9.5;
    s->heading_grid_after[2] = 2;
    s->heading_grid_after[3] = 1;
    s->heading_grid_after[4] = 1;
    s->heading_leading[4] = 13;

    s->paragraph_indent = 9.5; /* 1 em of the body size */
    s->paragraph_spacing = 0;
    s->list_indent = 14;
    s->quote_indent = 14;
    s->heading_space_before = 16; /* at least; the heading's last baseline sits on the grid */
    s->heading_space_after = 3;   /* without a grid */
    s->figure_space = 6.5;
    s->text_color = black();
    jr_color accent = {0x1F / 255.0, 0x5F / 255.0, 0x8B / 255.0, 0.85, 0.45, 0.10, 0.20};
    s->accent_color = accent;
    jr_color rule = {0.6, 0.6, 0.6, 0, 0, 0, 0.4};
    s->rule_color = rule;
    s->hyphenate = true;
    s->hyphen_left_min = 2;
    s->hyphen_right_min = 3;
    s->max_consecutive_hyphens = 2;
    s->bleed = JR_MM(3);

    s->first_baseline = 9.5;
    s->letterspace_stretch = 0.02;
    s->letterspace_shrink = 0.01;
    s->running_head_gap = 14;
    s->folio_gap = 24;
    s->lead_image_max = 0.4;
}

void jr_style_clear(jr_style *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->path);
    for (int i = 0; i < JR_ROLE_COUNT; i++)
        free(s->fonts[i].family);
    memset(s, 0, sizeof *s);
}
