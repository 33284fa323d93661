/* layout_int.h: internals shared by layout.c, typeset.c and flow.c.
 *
 * typeset.c turns blocks into a vertical list (jr_vlist) of set lines and
 * figures, positioned relative to a column; flow.c distributes a vertical
 * list over column frames and pages; layout.c drives both per article. */
#ifndef JOURNAL_LAYOUT_INT_H
#define JOURNAL_LAYOUT_INT_H

#include <stdint.h>

#include "hyphenate.h"
#include "layout.h"
#include "linebreak.h"

#define JR_MAX_COLUMNS 8

/* One run of text in one font, placed relative to its line's left end. */
typedef struct jr_piece {
    char *text; /* owned until emitted into a page */
    int *kern;  /* owned, one per code point, or NULL */
    int font;
    double size; /* pt */
    jr_color color;
    double x, w;       /* offset from the line's left end and advance [pt] */
    int link;          /* index into the doc's links, or -1 */
    bool track;        /* letter spacing may be adjusted in justified lines */
    bool marker;       /* a list item's marker (tagged as Lbl) */
    uint32_t len, ncp; /* typeset.c, while it sets lines: bytes and code points of text */
} jr_piece;

typedef enum jr_vkind {
    JR_V_LINE,   /* a set line of text (or an empty code line) */
    JR_V_SPACE,  /* vertical space, dropped at the top of a column */
    JR_V_FIGURE, /* an image (or placeholder) of height `ascent` */
    JR_V_RULE,   /* a thematic break, one grid line high */
} jr_vkind;

typedef struct jr_velem {
    jr_vkind kind;
    double ascent, descent; /* LINE: above/below the baseline; others: ascent = height [pt] */
    bool grid;              /* LINE, RULE: baseline snaps to the baseline grid */
    bool grid_last;         /* LINE: first line of a heading: placed so that the last
                               line's baseline (span pt further down) is on the grid */
    double span;            /* see grid_last [pt] */
    bool break_before;      /* a column may end right before this element */
    double x, width;        /* indent from the column's left edge and measure [pt] */
    size_t first_piece, npieces;
    double ratio;
    bool hyphenated, overfull, last;
    bool word_continues; /* ends inside a word */
    int block;           /* source block index, -1 for none */
    int outline;         /* LINE: heading level to put into the outline (first line), else 0 */
    int image;           /* FIGURE: index into the layout's images, -1: grey placeholder */
    int tag;             /* LINE: jr_item_tag of its items (title, byline, caption...) */
} jr_velem;

typedef struct jr_vlist {
    jr_velem *e;
    size_t n, cap;
    jr_piece *p;
    size_t np, pcap;
} jr_vlist;

void jr_vlist_free(jr_vlist *v);
jr_velem *jr_vlist_add(jr_vlist *v, jr_vkind kind);
/* A vertical space of h [pt]. */
void jr_vlist_space(jr_vlist *v, double h);
/* Letter-space the lines v->e[from..] by `em` per letter gap (capitals read
 * better spaced), moving the words after each piece along. */
void jr_vlist_track(jr_vlist *v, size_t from, double em);
/* Upper case of UTF-8 text (German: ß stays ß). Caller frees. */
char *jr_upcase(const char *s);

/* A frame of columns on one page. y goes up (PDF). */
typedef struct jr_region {
    int ncols;
    double x[JR_MAX_COLUMNS]; /* left edge of each column [pt] */
    double colw;              /* column width [pt] */
    double top;               /* y of the frame's top edge [pt] */
    double height;            /* frame height [pt] */
} jr_region;

/* The state of one layout run. */
typedef struct jr_lstate {
    const jr_layout_ctx *ctx;
    const jr_style *st;
    jr_fontset *fs;
    jr_doclayout *dl;
    int role_font[JR_ROLE_COUNT]; /* font ids per role */
    /* the article being set */
    int article; /* index into the edition's articles, -1 for none */
    const jr_article *a;
    const jr_doc *doc;
    jr_hyphenator *hyph; /* NULL: not loaded yet or none (see hyph_loaded) */
    bool hyph_loaded;    /* hyph is final for this article */
    const char *lang;    /* the article's language */
    void *hyph_cache;    /* layout.c's hyphenators per language */
    const char *section_title;
    jr_color section_color;
    jr_page_type page_type;
    /* characters already reported as missing in this article */
    uint32_t *warned; /* the list, to clear the bits per article */
    size_t nwarned, warned_cap;
    unsigned char *warned_bits; /* one bit per code point below U+110000, or NULL */
    /* edition pages (edition_pages.c) */
    bool front_done;     /* the cover is set and the contents pages reserved */
    int contents_page;   /* first contents page (index), if contents_npages > 0 */
    int contents_npages; /* contents pages reserved */
    /* edition pages, tagged PDF: the text unit (jr_item.group) and tag of
     * the items put next; with ep_fixed put_lines keeps ep_group, else each
     * call starts a new unit; ep_last: the unit of the last call (links) */
    int ep_group, ep_last, ep_tag;
    bool ep_fixed;
    /* typeset.c: the Knuth-Plass item list of the paragraph being broken,
     * kept for the next one (its arrays only grow); free with
     * jr_typeset_scratch_free */
    void *scratch;
} jr_lstate;

/* ---- typeset.c ---- */

/* Free ls->scratch. */
void jr_typeset_scratch_free(jr_lstate *ls);

/* Set one block into lines of width `colw` [pt], appending to v. `indent`
 * says whether a paragraph gets the first-line indent. */
void jr_typeset_block(jr_lstate *ls, const jr_block *b, int block_index, double colw, bool indent,
                      jr_vlist *v);

/* Indent of block b from its first `upto` containers (quotes, list items)
 * in a column `colw` pt wide [pt]; deep nesting is squeezed into half the
 * column. */
double jr_block_indent(const jr_style *st, const jr_block *b, int upto, double colw);

/* Set a plain UTF-8 string ragged right in a role's font (titles, captions,
 * running heads): lines of at most `width` pt, appended to v as LINE
 * elements (not on the grid). */
void jr_typeset_plain(jr_lstate *ls, const char *text, int font, double size, double leading,
                      jr_color color, double width, bool center, jr_vlist *v);

/* Width of UTF-8 text in a font, with fallback fonts [pt]. */
double jr_typeset_width(jr_lstate *ls, const char *text, int font, double size);

/* ---- flow.c ---- */

/* The column frame of a whole page of type `type` (text area). */
void jr_page_region(const jr_style *st, jr_page_type type, bool left_page, jr_region *r /* OUT */);

/* Add a page with running head and folio. Returns its index. */
int jr_flow_new_page(jr_lstate *ls, jr_page_type type);

/* Distribute v's elements over column frames: first `first` on the current
 * (last) page, then full pages of type ls->page_type. With `balance` the
 * columns of the last page are made even. Pieces are handed to the pages. */
void jr_flow_run(jr_lstate *ls, jr_vlist *v, const jr_region *first, bool balance);

/* Height of v's elements set one below the other [pt]. */
double jr_flow_height(jr_lstate *ls, const jr_vlist *v);

/* Emit elements [from, to) of v at y positions down from the top of a
 * full-width frame (no columns), e.g. an article opening; returns the used
 * height [pt]. */
double jr_flow_stack(jr_lstate *ls, jr_vlist *v, size_t from, size_t to, double x, double top);

/* Set a figure: the image `rel` (relative to the article's folder) scaled
 * to `width` pt (at most maxh pt high, 0: no limit), or a grey placeholder
 * when it cannot be read, with its caption; appended to v. */
void jr_set_figure(jr_lstate *ls, const char *rel, const char *alt, const char *caption, int block,
                   double x, double width, double maxh, jr_vlist *v);

/* ---- layout.c ---- */

/* Set the blocks of ls->doc (ls->a, ls->article say whose) into column
 * frames of page type `type`: first `first` on the current page (NULL: a
 * new page), then new pages as needed; elements already in `v` (may be
 * NULL) come first and are taken over. With `balance` the columns of the
 * last page are made even. For cover, contents and imprint pages too. */
void jr_layout_blocks(jr_lstate *ls, jr_page_type type, const jr_region *first, bool balance,
                      jr_vlist *v);

/* The article's hyphenator, loaded when first needed (patterns take tens
 * of ms to load); NULL when hyphenation is off or there are no patterns. */
jr_hyphenator *jr_layout_hyphenator(jr_lstate *ls);

/* Saddle stitching: add blank pages (numbered, without running head or
 * folio) so that the page count, with `more` pages still to come (the back
 * cover), becomes a multiple of four; counted in dl->blank_pages. */
void jr_layout_pad_pages(jr_lstate *ls, int more);

#endif
