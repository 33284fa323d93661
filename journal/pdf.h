/* pdf.h: the PDF back end (libharu). Draws a jr_doclayout; it measures and
 * decides nothing. The only files that include hpdf.h are pdf*.c. */
#ifndef JOURNAL_PDF_H
#define JOURNAL_PDF_H

#include <stdbool.h>

#include "model.h"
#include "pages.h"
#include "style.h"

typedef struct jr_pdf_options {
    const char *title, *author, *subject, *keywords, *creator;
    const char *lang;   /* document language, BCP 47 */
    long long created;  /* creation time, seconds since the epoch (SOURCE_DATE_EPOCH) */
    bool print;         /* print variant (PDF/X-3:2003): media box = trim + bleed + room for
                           crop marks, TrimBox/BleedBox, CMYK colours (jr_color.c/m/y/k),
                           CMYK output intent (FOGRA39 if texlive-base is installed, else
                           SWOP), no transparency, no link annotations */
    double bleed;       /* print: bleed [pt] */
    bool pdfa;          /* PDF/A-1b: XMP, sRGB output intent (CMYK with print), CIDSet,
                           no transparency */
    const char *source; /* file named in diagnostics for libharu errors */
    /* Tagged PDF (on unless `untagged`; pdf_tags.c): every item is marked
     * content, an artifact or part of a structure element made from the
     * items' article, block, tag and group (Document, Art per article, P,
     * Figure with the alt text, Link). With `edition` (the one laid out;
     * items' article/block index it) also H1 title, H2..H6, Code, Caption,
     * L/LI/Lbl/LBody and BlockQuote nested as in the source, /Lang and /T on
     * articles; the cover, contents (TOC/TOCI) and imprint from the items'
     * groups. Tagged PDFs carry XMP (dc:title) and DisplayDocTitle. */
    bool untagged;
    const jr_edition *edition; /* may be NULL */
} jr_pdf_options;

/* Write `dl` to `path`. Returns 0, or -1 after reporting an error (the file
 * may then be incomplete: write to a temporary path, see jr_output). */
int jr_pdf_write(const jr_doclayout *dl, const jr_pdf_options *opt, const char *path);

/* Diagnostics of a PDF, held back (PDFs written at the same time on several
 * threads report in a fixed order). */
typedef struct jr_pdf_diags jr_pdf_diags;

/* jr_pdf_write, but its diagnostics go into *diags (always set) instead of
 * being reported. Safe to call on several threads at once for the same
 * `dl` (read only), each with its own path. */
int jr_pdf_write_held(const jr_doclayout *dl, const jr_pdf_options *opt, const char *path,
                      jr_pdf_diags **diags /* OUT */);
/* Report the held diagnostics in their order, then free them. NULL is fine. */
void jr_pdf_diags_report(jr_pdf_diags *d);
/* Free them unreported. NULL is fine. */
void jr_pdf_diags_free(jr_pdf_diags *d);

#endif
