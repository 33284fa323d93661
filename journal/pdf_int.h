/* pdf_int.h: internals shared by the PDF back end's files: pdf.c (drawing,
 * fonts, images, document) and pdf_tags.c (tagged PDF: structure tree,
 * marked content, parent tree). Only pdf*.c include this (it includes
 * hpdf.h). */
#ifndef JOURNAL_PDF_INT_H
#define JOURNAL_PDF_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <hpdf.h>

#include "pdf.h"

/* libharu refuses arrays of more than HPDF_LIMIT_MAX_ARRAY (8191) items,
 * and an error ends the document. Every array that grows with the input
 * stays below this. */
#define ARRAY_ROOM 8000

/* Valid UTF-8 within the BMP (libharu's encoder knows nothing else), no
 * control characters, no soft hyphens, at most `max` bytes. Caller frees. */
char *jr_pdf_clean_text(const char *s, size_t max);

/* ---- pdf_tags.c: tagged PDF ------------------------------------------------
 *
 * The drawing code asks, before each item, which marked content it goes
 * into; the tagger answers with the operators to write (it never writes
 * into a content stream itself), remembers the MCIDs, and builds the
 * structure tree when the pages are done. */
typedef struct jr_tagger jr_tagger;

/* `pages` (npages of dl) are copied. `utf8`: libharu's UTF-8 encoder (text
 * strings). */
jr_tagger *jr_tags_new(HPDF_Doc pdf, HPDF_Encoder utf8, const jr_doclayout *dl,
                       const jr_pdf_options *opt, HPDF_Page *pages);
/* Only after HPDF_Free: the structure elements in libharu's xref are the
 * tagger's memory, written from it while the document is saved. */
void jr_tags_free(jr_tagger *t);

/* Page `index` is drawn next: its /StructParents, /Tabs /S. */
void jr_tags_begin_page(jr_tagger *t, size_t index);
/* The operators to write before item `it` (not a link) of the current page:
 * an EMC closing the open marked content and a BDC/BMC opening the item's;
 * NULL when the item continues the open one. The caller ends any text
 * object (BT..ET) before writing them. Owned by the tagger, valid until
 * the next call. */
const char *jr_tags_item(jr_tagger *t, const jr_item *it);
/* The EMC closing the page's open marked content, or NULL. */
const char *jr_tags_end_page(jr_tagger *t);
/* A link annotation made for item `it` on the current page: a /Link
 * element with an object reference, /StructParent and /Contents. */
void jr_tags_link(jr_tagger *t, const jr_item *it, HPDF_Annotation annot);
/* The structure tree, parent tree, MarkInfo and ViewerPreferences. */
void jr_tags_finish(jr_tagger *t);

#endif
