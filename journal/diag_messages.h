/* diag_messages.h: the one table of every diagnostic journal prints.
 * JR_MSG(id, level, printf-format). Included by diag.h and diag.c only.
 * Keep each stage's messages together, under its heading. */

/* --- command line and files ------------------------------------------ */
JR_MSG(JR_E_USAGE, JR_ERROR, "%s")
JR_MSG(JR_E_NO_CONTENT_DIR, JR_ERROR, "content folder not found: %s")
JR_MSG(JR_E_READ, JR_ERROR, "cannot read file: %s")
JR_MSG(JR_E_WRITE, JR_ERROR, "cannot write output: %s")
JR_MSG(JR_E_NO_EDITION, JR_ERROR, "no edition with id '%s'")
JR_MSG(JR_E_NO_EDITIONS, JR_ERROR, "no edition folders (with edition.yaml) in the content folder")
JR_MSG(JR_E_NOT_UTF8, JR_ERROR, "file is not valid UTF-8 (invalid byte at offset %zu)")
JR_MSG(JR_E_NUL_BYTE, JR_ERROR, "file contains a NUL byte (at offset %zu)")

/* --- YAML (journal.yaml, edition.yaml, front matter, layouts) -------- */
JR_MSG(JR_E_YAML_SYNTAX, JR_ERROR, "YAML syntax error: %s")
JR_MSG(JR_E_YAML_NOT_MAPPING, JR_ERROR, "expected a mapping of keys and values")
JR_MSG(JR_E_YAML_TYPE, JR_ERROR, "'%s' must be %s")
JR_MSG(JR_W_UNKNOWN_KEY, JR_WARNING, "unknown key '%s'")
JR_MSG(JR_W_UNKNOWN_KEY_HINT, JR_WARNING, "unknown key '%s' (did you mean '%s'?)")
JR_MSG(JR_E_MISSING_KEY, JR_ERROR, "missing required key '%s'")
JR_MSG(JR_E_DUPLICATE_KEY, JR_ERROR, "duplicate key '%s'")
JR_MSG(JR_E_BAD_DATE, JR_ERROR, "'%s' is not a valid date (expected YYYY-MM-DD)")
JR_MSG(JR_E_IMPOSSIBLE_DATE, JR_ERROR, "impossible date '%s'")
JR_MSG(JR_E_BAD_COLOR, JR_ERROR, "'%s' is not a colour (expected \"#RRGGBB\" or a cmyk list)")
JR_MSG(JR_E_BAD_VALUE, JR_ERROR, "bad value for '%s': %s")

/* --- front matter and articles --------------------------------------- */
JR_MSG(JR_E_FM_UNTERMINATED, JR_ERROR, "front matter is not terminated (no closing '---' line)")
JR_MSG(JR_E_FM_MISSING, JR_ERROR, "article has no front matter (expected a first line '---')")
JR_MSG(JR_E_UNKNOWN_SECTION, JR_ERROR, "unknown section '%s' (not listed in journal.yaml)")
JR_MSG(JR_E_UNKNOWN_SECTION_HINT, JR_ERROR, "unknown section '%s' (did you mean '%s'?)")
JR_MSG(JR_E_DUPLICATE_SLUG, JR_ERROR, "duplicate slug '%s' in this edition (also used by %s)")
JR_MSG(JR_E_BAD_SLUG, JR_ERROR, "slug '%s' may contain only a-z, 0-9 and '-'")
JR_MSG(JR_W_EMPTY_ARTICLE, JR_WARNING, "article has no text")
JR_MSG(JR_E_EDITION_EMPTY, JR_ERROR, "edition has no articles")

/* --- Markdown and typography ----------------------------------------- */
JR_MSG(JR_W_RAW_HTML, JR_WARNING, "raw HTML dropped: %s")
JR_MSG(JR_W_NESTING_DEPTH, JR_WARNING, "nesting deeper than %d levels is set flat")
JR_MSG(JR_W_NO_GLYPH, JR_WARNING, "no font can draw U+%04X '%s'; a replacement mark is printed")

/* --- images ------------------------------------------------------------ */
JR_MSG(JR_E_IMAGE_MISSING, JR_ERROR, "image not found: %s")
JR_MSG(JR_E_IMAGE_OUTSIDE, JR_ERROR, "image path leaves the content folder: %s")
JR_MSG(JR_E_IMAGE_FORMAT, JR_ERROR, "image %s: %s")
JR_MSG(JR_E_IMAGE_TOO_LARGE, JR_ERROR, "image %s claims %u x %u pixels, more than the limit")
JR_MSG(JR_W_IMAGE_NO_ALT, JR_WARNING, "image %s has no alt text")

/* --- layout files and the layout engine ------------------------------ */
JR_MSG(JR_E_LAYOUT_MISSING, JR_ERROR, "layout not found: %s")
JR_MSG(JR_E_FONT_MISSING, JR_ERROR, "font not found: %s")
JR_MSG(JR_E_LAYOUT_FONT, JR_ERROR,
       "font '%s' (%s) for '%s' not found: fontconfig has no TrueType font of that family and no "
       "such file exists")
JR_MSG(JR_W_OVERFULL, JR_WARNING, "overfull line (%.1f pt too wide): '%s'")
JR_MSG(JR_W_NO_PATTERNS, JR_WARNING,
       "no hyphenation patterns for language '%s'; text is set without hyphenation")

/* --- back ends (PDF, feeds, HTML) ------------------------------------ */
JR_MSG(JR_E_PDF, JR_ERROR, "PDF library error 0x%04X (detail %u)%s")
JR_MSG(JR_W_PDF_NO_PROFILE, JR_WARNING,
       "ICC profile %s not found (Debian package libgs-common): %s")
JR_MSG(JR_E_XML, JR_ERROR, "XML writer error: %s")
JR_MSG(JR_W_XML_INVALID_CHAR, JR_WARNING, "character not allowed in XML removed (U+%04X)")
JR_MSG(JR_W_XML_INVALID_UTF8, JR_WARNING, "invalid UTF-8 removed (byte 0x%02X in %s)")
JR_MSG(JR_W_UNSAFE_HTML, JR_WARNING, "removed from feeds and web pages: %s")

/* --- print and preflight ---------------------------------------------- */
JR_MSG(
    JR_W_PF_LOW_PPI, JR_WARNING,
    "image %s has %.0f ppi at its printed size (%.1f x %.1f mm): below %.0f ppi, it may print soft")
JR_MSG(JR_E_PF_LOW_PPI, JR_ERROR,
       "image %s has %.0f ppi at its printed size (%.1f x %.1f mm): below %.0f ppi, too coarse for "
       "print")
JR_MSG(JR_W_PF_TEXT_TRIM, JR_WARNING,
       "page %d: text '%s' is %.1f mm from the %s trim edge (keep at least %.0f mm)")
JR_MSG(JR_W_PF_PAGE_COUNT, JR_WARNING,
       "%d pages: not a multiple of four, cannot be saddle-stitched")

/* --- summary notes ----------------------------------------------------- */
JR_MSG(JR_N_WROTE, JR_NOTE, "wrote %s")

/* --- watch mode ------------------------------------------------------- */
JR_MSG(JR_E_WATCH, JR_ERROR, "cannot watch %s: %s")
