/* style.h: the look of an edition, as a layout file describes it
 * (layouts/NAME.yaml). The engine reads only this struct; nothing about the
 * look is hard-coded elsewhere. All lengths are in points (1/72 in). */
#ifndef JOURNAL_STYLE_H
#define JOURNAL_STYLE_H

#include <stdbool.h>

#include "model.h"

#define JR_MM(x) ((x)*72.0 / 25.4)

typedef enum jr_font_role {
    JR_ROLE_BODY,
    JR_ROLE_BODY_ITALIC,
    JR_ROLE_BODY_BOLD,
    JR_ROLE_BODY_BOLD_ITALIC,
    JR_ROLE_HEADING, /* H2-H4 within articles */
    JR_ROLE_TITLE,   /* article title */
    JR_ROLE_SUBTITLE,
    JR_ROLE_KICKER, /* section name above the title */
    JR_ROLE_BYLINE,
    JR_ROLE_CAPTION,
    JR_ROLE_CODE,         /* code spans and blocks */
    JR_ROLE_MASTHEAD,     /* journal title on the cover */
    JR_ROLE_RUNNING_HEAD, /* running heads and folios */
    JR_ROLE_COUNT
} jr_font_role;

typedef struct jr_font_style {
    char *family; /* fontconfig family name or a path under fonts/ (owned) */
    bool bold, italic;
    double size;    /* pt */
    double leading; /* baseline-to-baseline distance, pt */
    jr_color color;
} jr_font_style;

typedef enum jr_page_type {
    JR_PAGE_COVER,
    JR_PAGE_CONTENTS,
    JR_PAGE_ARTICLE,
    JR_PAGE_IMPRINT,
    JR_PAGE_TYPE_COUNT
} jr_page_type;

typedef struct jr_style {
    char *name;                     /* layout name, e.g. "bildung-im-blick" (owned) */
    char *path;                     /* file it came from, NULL for built-in defaults (owned) */
    double page_width, page_height; /* trim size */
    double margin_inside, margin_outside; /* facing pages: inside = binding side */
    double margin_top, margin_bottom;
    bool facing;
    int columns[JR_PAGE_TYPE_COUNT];
    double gutter;        /* between columns */
    double baseline_grid; /* 0: no grid; else body lines snap to multiples */
    jr_font_style fonts[JR_ROLE_COUNT];
    double paragraph_indent;  /* first-line indent of following paragraphs */
    double paragraph_spacing; /* extra space between paragraphs (0 with indents) */
    double list_indent;       /* per list level */
    double quote_indent;      /* per quote level */
    double heading_space_before, heading_space_after; /* before: H2's, scaled by size
                                                         for H3/H4; after: without a grid */
    double figure_space;                              /* above and below figures */
    jr_color text_color, accent_color, rule_color;
    bool hyphenate;
    int hyphen_left_min, hyphen_right_min;
    int max_consecutive_hyphens;
    double bleed; /* print PDF bleed on every side, default 3 mm */
    /* Additions of the layout engine. */
    double heading_size[5];     /* by heading level, [2]..[4] used [pt] */
    double heading_leading[5];  /* by heading level, [2]..[4] used [pt] */
    int heading_grid_after[5];  /* by level: grid lines from a heading's last baseline to
                                   the next text baseline (with a baseline grid) */
    double first_baseline;      /* frame top to the first body baseline [pt] */
    double letterspace_stretch; /* justified lines: spacing a letter gap may gain, and */
    double letterspace_shrink;  /* lose, besides the word spaces [em]; 0: none */
    double running_head_gap;    /* text-area top to the running head's baseline [pt] */
    double folio_gap;           /* text-area bottom to the folio's baseline [pt] */
    double lead_image_max;      /* lead image height, at most this part of the text area (0..1) */
    /* Additions of the edition pages (edition_pages.c). */
    bool edition_pages; /* also cover, contents, imprint, back cover and section tabs
                           (set by the build; the built-in default has articles only) */
} jr_style;

/* The built-in default (the bildung-im-blick look). Caller frees with
 * jr_style_clear. */
void jr_style_default(jr_style *s /* OUT */);
void jr_style_clear(jr_style *s);

#endif
