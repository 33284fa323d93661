/* build.h: the whole pipeline for one run of `journal build` or `journal
 * check`: read the content, parse the Markdown, check images, lay out each
 * edition, and write the PDFs, feeds and pages all or nothing. */
#ifndef JOURNAL_BUILD_H
#define JOURNAL_BUILD_H

#include <stdbool.h>

typedef struct jr_build_options {
    const char *content_dir; /* default "articles" */
    const char *edition;     /* edition id, NULL: the newest */
    bool all;                /* every edition */
    const char *out_dir;     /* default "out" */
    const char *layout;      /* layout file or name, NULL: the edition's or the default */
    const char *dump_layout; /* write the layout dump here, NULL: none */
    bool check_only;         /* `journal check`: validate everything, write nothing */
    bool no_print;           /* skip the print PDF */
    bool pdfa;               /* also write the PDF/A-1b variant */
    bool booklet;            /* also write printer spreads (--impose booklet) */
    bool preflight;          /* check: print the preflight table (a build always does) */
    bool quiet;              /* no progress or summary lines */
} jr_build_options;

/* Runs the pipeline. Returns the exit status: 0 success (warnings allowed),
 * 1 errors in the content (nothing written or changed). */
int jr_build_run(const jr_build_options *opt);

#endif
