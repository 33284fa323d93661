/* preflight.h: what a print shop's preflight checks, computed from the
 * laid-out edition (no PDF is read): each image's effective resolution at
 * its placed size, its colour space, the fonts (all embedded TrueType
 * subsets: the PDF back end embeds every font it uses), text closer than
 * 5 mm to the trim edge, the page count (a multiple of four for saddle
 * stitching), trim size and bleed.
 *
 * Problems are reported through diag.h with the article's file and line:
 * an image below JR_PF_PPI_ERROR ppi is an error (the build fails), below
 * JR_PF_PPI_WARN a warning; text near the trim and a page count that does
 * not fold are warnings. */
#ifndef JOURNAL_PREFLIGHT_H
#define JOURNAL_PREFLIGHT_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "pages.h"
#include "style.h"

#define JR_PF_PPI_WARN    250.0
#define JR_PF_PPI_ERROR   150.0
#define JR_PF_TRIM_SAFETY JR_MM(5) /* text keeps this far from the trim edge [pt] */

typedef enum jr_pf_level { JR_PF_OK, JR_PF_INFO, JR_PF_WARNING, JR_PF_ERROR } jr_pf_level;

typedef struct jr_pf_image {
    int page;          /* 1-based */
    char *image;       /* as written in the source (owned) */
    char *file;        /* article or edition.yaml that places it (owned) */
    int line;          /* 0 when unknown */
    int px_w, px_h;    /* pixels as displayed */
    double w_pt, h_pt; /* placed size */
    double ppi;        /* effective: min over both axes of pixels / inches */
    int channels;      /* 1 gray, 3 RGB, 4 CMYK; 0 unknown */
    jr_pf_level level;
} jr_pf_image;

typedef struct jr_pf_text {
    int page;         /* 1-based */
    char *text;       /* the nearest word on that page (owned) */
    const char *edge; /* "left", "right", "top", "bottom" */
    double dist_pt;
} jr_pf_text;

typedef struct jr_pf_font {
    char *name; /* "Family Bold Italic" (owned) */
    char *file; /* file name without folders (owned) */
} jr_pf_font;

typedef struct jr_preflight {
    char *edition;
    double trim_w, trim_h, bleed; /* pt */
    int pages, blank_pages;
    jr_pf_image *images;
    size_t nimages;
    jr_pf_font *fonts;
    size_t nfonts;
    jr_pf_text *texts; /* one per page with text too near the trim */
    size_t ntexts;
    int errors, warnings, rgb_images;
} jr_preflight;

/* Compute the preflight of a laid-out edition and report its problems
 * (diag.h). `e` may be NULL (no file:line then). Never NULL. */
jr_preflight *jr_preflight_run(const jr_doclayout *dl, const jr_edition *e, const jr_style *st);

/* The readable table (several lines, each indented by two spaces after a
 * heading line "preflight EDITION:"). */
void jr_preflight_print(const jr_preflight *pf, FILE *f);

/* The JSON document (UTF-8, sorted keys, numbers with fixed decimals
 * whatever the locale, a newline at the end). Caller frees. */
char *jr_preflight_json(const jr_preflight *pf);

void jr_preflight_free(jr_preflight *pf);

#endif
