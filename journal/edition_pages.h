/* edition_pages.h: the pages that make an edition a journal, around the
 * articles: the cover (masthead, edition, theme, cover image, teasers), the
 * table of contents, the imprint, the back cover (contact, feeds, QR code),
 * and the section tabs at the outer edge of article pages.
 *
 * jr_layout_edition calls these when ctx->edition_pages is set. The cover
 * and the contents pages are reserved in their place first and filled in
 * at the end, when the article pages are known. */
#ifndef JOURNAL_EDITION_PAGES_H
#define JOURNAL_EDITION_PAGES_H

#include <stddef.h>

#include "layout_int.h"

/* Before article `i` is set: the cover page before the first article, the
 * contents page(s) before the first article that is not an editorial. */
void jr_edition_pages_before(jr_lstate *ls, size_t i);

/* After the last article: imprint and back cover pages; the cover's
 * teasers and the contents are filled in with the pages now known. */
void jr_edition_pages_finish(jr_lstate *ls);

/* Tests: false makes the contents' units be set anew for every spacing
 * tried (the slow path), true (default) sets them once and respaces them. */
void jr_edition_pages_reuse_units(bool on);

/* On a new page (jr_flow_new_page): the colour tab of the page's section at
 * the outer edge, bleeding off the trim. Nothing for pages of no section. */
void jr_edition_section_tab(jr_lstate *ls, int page);

/* "16. November 2026"; out holds at least 32 bytes. */
void jr_date_german(const jr_date *d, char *out, size_t outlen);

#endif
