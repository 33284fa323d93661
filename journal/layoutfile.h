/* layoutfile.h: layout files (layouts/NAME.yaml) -> jr_style.
 *
 * A layout file describes the look of an edition: page size, margins,
 * columns per page type, baseline grid, fonts per role, colours, spacing,
 * hyphenation, bleed. Keys left out keep the built-in default
 * (jr_style_default), so a layout says only what differs. Lengths are
 * numbers with a unit: "20mm", "9.5pt", "2cm", "1in" (a bare number is pt).
 * Problems are reported as `file:line:col: error|warning: ...`. */
#ifndef JOURNAL_LAYOUTFILE_H
#define JOURNAL_LAYOUTFILE_H

#include "fontmetrics.h"
#include "style.h"

/* Read the layout file at `path` into *s (which starts as the built-in
 * default). When `fonts` is not NULL every font role is looked up in it and
 * a family that cannot be loaded is an error at the family's position.
 * Returns 0, or -1 when an error was reported (*s then holds what could be
 * read; the caller still frees it with jr_style_clear). */
int jr_layoutfile_load(const char *path, jr_fontset *fonts, jr_style *s /* OUT */);

/* The file a layout name or path stands for, or NULL when there is none.
 * A value with a '/' or ending in ".yaml"/".yml" is a path: tried as
 * written, then relative to `rel_dir` (may be NULL; the edition's folder
 * for edition.yaml's `layout` key). A name NAME is looked up as
 * layouts/NAME.yaml in the content folder, in its parent, and in the
 * source tree. Caller frees. */
char *jr_layoutfile_find(const char *name_or_path, const char *content_dir, const char *rel_dir);

/* Parse a length ("20mm", "9.5pt", "1.2cm", "0.5in", "12") into points.
 * Returns false for anything else. */
bool jr_parse_length(const char *s, double *pt /* OUT */);

#endif
