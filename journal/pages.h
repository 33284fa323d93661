/* pages.h: what the layout engine decided, for the back ends to draw.
 *
 * A jr_doclayout is a list of pages, each a list of positioned items in
 * drawing order. Coordinates are points with the origin at the lower-left
 * corner of the trimmed page and y pointing up, as in PDF. A back end only
 * draws these items; it never measures or breaks text. */
#ifndef JOURNAL_PAGES_H
#define JOURNAL_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "fontmetrics.h"
#include "model.h"

typedef enum jr_item_kind {
    JR_ITEM_TEXT,  /* a run of text in one font: a word or a piece of one */
    JR_ITEM_RECT,  /* a filled rectangle (x, y, w, h) */
    JR_ITEM_LINE,  /* a stroked line from (x, y) to (x + w, y + h) */
    JR_ITEM_IMAGE, /* an image scaled into (x, y, w, h) */
    JR_ITEM_LINK,  /* a clickable area (x, y, w, h): URI or internal target */
} jr_item_kind;

/* What an item is, for tagging and for checks (running heads are artifacts). */
typedef enum jr_item_role {
    JR_ROLE_CONTENT,  /* part of the article's text */
    JR_ROLE_ARTIFACT, /* running heads, folios, decoration, marks */
} jr_item_role;

/* What a CONTENT item is where article/block cannot tell (tagged PDF). */
typedef enum jr_item_tag {
    JR_TAG_AUTO = 0, /* from article/block and the block's kind */
    JR_TAG_KICKER,   /* the section name above an article's title */
    JR_TAG_TITLE,    /* an article's title, an edition page's title (H1) */
    JR_TAG_SUBTITLE,
    JR_TAG_BYLINE,
    JR_TAG_CAPTION,   /* a figure's caption (also the lead image's) */
    JR_TAG_LABEL,     /* a list item's marker (Lbl) */
    JR_TAG_TOC_ENTRY, /* an entry of the contents (TOCI), with its link */
} jr_item_tag;

/* 104 bytes: one per word of the edition, so the small fields are
 * bit-fields, the rare ones (LINE, LINK) floats (libharu takes them as
 * floats anyway; line widths are written with 3 decimals) and the colour
 * an index into the layout's few colours. */
typedef struct jr_item {
    jr_item_kind kind : 4;
    jr_item_role role : 2;
    jr_item_tag tag : 6; /* JR_TAG_AUTO unless set */
    int group : 20;      /* items outside articles (edition pages): the text unit they belong to
                            (one structure element per unit), 0 if none */
    int font;            /* TEXT: id in the fontset */
    /* structure (for tagged PDF): the source block this item belongs to */
    int article; /* index into the edition's articles, -1 if none */
    int block;   /* index into that article's doc blocks, -1 if none */
    /* IMAGE */
    int image; /* index into jr_doclayout.images */
    /* TEXT, LINK in an article: the doc link it belongs to, as 1 + its index
     * into the article's jr_doc.links, 0 if none (tagged PDF: the link's text
     * goes into the Link element that holds its annotations) */
    int link;
    /* LINK */
    int dest_page; /* internal link: page index (0-based), -1 if none */
    float dest_y;  /* internal link: y on that page */
    /* LINE */
    float line_width; /* pt */
    /* its colour: index into the layout's colours (jr_doclayout_color); 0 is
     * all zero (what an item cleared with memset has) */
    uint32_t color;
    double x, y; /* TEXT: start of the baseline; others: lower-left corner [pt] */
    double w, h; /* TEXT: w = advance width, h = 0; others: size [pt] */
    /* TEXT */
    double size; /* pt */
    char *text;  /* UTF-8 (owned: in the page's arena); every code point has a glyph in `font` */
    int *kern;   /* one per code point, TJ units (see jr_font_measure), in the page's arena;
                    may be NULL */
    char *uri;   /* LINK: owned; external link, or NULL */
} jr_item;

typedef struct jr_page {
    char *label; /* printed folio ("3"), or NULL for none (the cover) (owned) */
    bool left;   /* a left-hand (even) page in a facing layout */
    jr_item *items;
    size_t nitems, cap;
    struct jr_text_arena *arena; /* holds the items' text and kern arrays (pages.c; owned) */
} jr_page;

typedef struct jr_image_ref {
    char *path; /* file path (owned), validated by the image stage */
    int px_width, px_height;
    char *alt; /* owned, may be NULL */
} jr_image_ref;

typedef struct jr_outline_entry {
    int level;   /* 0: section, 1: article, 2: heading */
    char *title; /* owned */
    int page;    /* page index (0-based) */
    double y;    /* top of the target on that page */
} jr_outline_entry;

/* One set line, for the layout dump and for checks: where it stands and
 * how it was set. Its items are page->items[first_item .. first_item+nitems). */
typedef struct jr_line_rec {
    int page, column;
    double x, y, width;              /* left end of the baseline and the measure [pt] */
    double ratio;                    /* adjustment ratio of the line (0 for ragged lines) */
    bool hyphenated, overfull, last; /* last: the paragraph's last line (ragged) */
    bool word_continues; /* the line ends inside a word (hyphenation, a hard hyphen, a URL
                            part, a cut-up long word): the next line goes on with it */
    size_t first_item, nitems;
    int article, block;
} jr_line_rec;

typedef struct jr_doclayout {
    double page_width, page_height; /* trim size [pt] */
    jr_page *pages;
    size_t npages, pages_cap;
    jr_image_ref *images;
    size_t nimages, images_cap;
    jr_outline_entry *outline;
    size_t noutline, outline_cap;
    jr_fontset *fonts; /* not owned */
    /* statistics */
    int overfull_lines;
    int hyphenated_lines;
    jr_line_rec *lines;
    size_t nlines, lines_cap;
    int *article_page; /* first page index of each article of the edition (owned) */
    int blank_pages;   /* blank pages added before the back cover so that the page count
                          is a multiple of four (saddle stitching) */
    size_t narticle_page;
    struct jr_page_release *release; /* see jr_doclayout_release_pages (owned) */
    jr_color *colors;                /* the items' colours, each once; [0] is all zero */
    size_t ncolors, colors_cap, color_last;
} jr_doclayout;

jr_doclayout *jr_doclayout_new(jr_fontset *fonts, double page_width, double page_height);
void jr_doclayout_free(jr_doclayout *dl);
jr_page *jr_doclayout_add_page(jr_doclayout *dl);
/* The index of colour c in the layout's colours (added if new), for
 * jr_item.color; and an item's colour. */
uint32_t jr_doclayout_color(jr_doclayout *dl, jr_color c);
const jr_color *jr_doclayout_item_color(const jr_doclayout *dl, const jr_item *it);
/* Add an item (copied). Its text, kern and uri must be malloc'd; they
 * become the page's: text and kern are moved into the page's arena (the
 * originals freed at once), so an item's text and kern must never be
 * freed or reallocated on their own. */
jr_item *jr_page_add_item(jr_page *p, const jr_item *item);
/* Free a page's items, label and arena and zero it (the page stays in the
 * layout's array). */
void jr_page_clear(jr_page *p);
/* Pages given back while they are written: after this, the `writers`-th
 * call of jr_doclayout_page_done for a page frees its items and their text
 * (its label stays). For writers that go through the pages once and never
 * look back at one (the PDFs of a build, written at once on two threads);
 * nothing may read the items afterwards. Thread-safe. */
void jr_doclayout_release_pages(jr_doclayout *dl, int writers);
void jr_doclayout_page_done(const jr_doclayout *dl, size_t page);
/* Give back the unused capacity of every page's item array (after layout). */
void jr_doclayout_trim(jr_doclayout *dl);
int jr_doclayout_add_image(jr_doclayout *dl, const char *path, int px_w, int px_h, const char *alt);
void jr_doclayout_add_outline(jr_doclayout *dl, int level, const char *title, int page, double y);

/* The text dump of laid-out pages: pages, columns, lines, words with
 * positions, hyphenation points taken, adjustment ratios. Deterministic,
 * numbers with two decimals whatever the locale; image paths relative to
 * the working directory. Format:
 *   layout W x H, N pages, N lines, N overfull, N hyphenated
 *   image #I PATH PXxPX            outline LEVEL "TITLE" page P y Y
 *   article A starts on page P
 *   page P label L left|right
 *    line cCOL X Y w WIDTH r RATIO [hyph] [overfull] [last] [cont] aART bBLOCK: X=word ...
 *   then the page's items outside lines: text/artifact X Y fFONT SIZE "TEXT",
 *   rect/rule/image #I X Y W H, link X Y W H "URI" (or -> page P).
 * `cont`: the line ends inside a word without a hyphen (URL, hard hyphen). */
void jr_doclayout_dump(const jr_doclayout *dl, FILE *f);

#endif
