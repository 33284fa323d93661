/* impose.h: printer spreads for a saddle-stitched booklet. Works on the
 * laid-out pages only (no PDF back end): the result is a jr_doclayout whose
 * pages are sheet sides, drawn by the PDF back end's print variant (trim and
 * bleed boxes of the spread, crop marks at its outer corners). */
#ifndef JOURNAL_IMPOSE_H
#define JOURNAL_IMPOSE_H

#include "pages.h"

/* Sheet sides in saddle-stitch order, two trim pages side by side: for n
 * pages (n rounded up to a multiple of four with empty pages) sheet 1 front
 * [n, 1], back [2, n-1], sheet 2 front [n-2, 3], back [4, n-3], ...
 * Each page keeps its bleed on the outer sides of the spread; at the spine
 * rectangles and rules are cut at the fold (an image that bleeds into the
 * neighbour page is drawn first and covered by a white strip there). A
 * fold mark stands at the spine outside the bleed, above and below.
 * `bleed` is the print bleed [pt]. Links, outline and labels are left out.
 * Returns a new layout (free with jr_doclayout_free); fonts are shared. */
jr_doclayout *jr_impose_booklet(const jr_doclayout *dl, double bleed);

/* The source page (0-based) shown on sheet side `side` (0-based, front of
 * sheet 1 first) at `right` (0 left, 1 right), for `n` pages (a multiple of
 * four); -1 for none. */
int jr_impose_page(size_t n, size_t side, int right);

#endif
