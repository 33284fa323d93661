/* layout.h: the layout engine. Turns an edition (document model) and a
 * style into laid-out pages: paragraphs broken into justified lines
 * (linebreak.c, hyphenate.c, fontmetrics.c), flowed into columns and pages
 * with widow, orphan and keep-with-next rules. Never includes hpdf.h. */
#ifndef JOURNAL_LAYOUT_H
#define JOURNAL_LAYOUT_H

#include "model.h"
#include "pages.h"
#include "style.h"

typedef struct jr_layout_ctx {
    const jr_journal *journal;
    const jr_edition *edition;
    const jr_style *style;
    jr_fontset *fonts;
} jr_layout_ctx;

/* Lay out a whole edition. Diagnostics (overfull lines, missing glyphs) are
 * reported with the article's path and line. Returns NULL only when the
 * style's fonts cannot be found (an error has been reported). */
jr_doclayout *jr_layout_edition(const jr_layout_ctx *ctx);

#endif
