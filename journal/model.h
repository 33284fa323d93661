/* model.h: the document model. The input stages (content.c, frontmatter.c,
 * markdown.c) fill it; the layout engine and the feed/HTML back ends read it.
 *
 * Ownership: a jr_journal owns its editions, an edition its articles, an
 * article its strings and its jr_doc. Free everything with jr_journal_free.
 * All strings are UTF-8. Source positions are 1-based lines and columns in
 * the file named by the owning article's `path`, front matter included. */
#ifndef JOURNAL_MODEL_H
#define JOURNAL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct jr_date {
    int year, month, day; /* all 0 when absent */
} jr_date;

/* A colour in both spaces: RGB for the screen, CMYK for print. Components
 * are 0..1. When only one is given, the other is derived. */
typedef struct jr_color {
    double r, g, b;
    double c, m, y, k;
} jr_color;

typedef struct jr_pos {
    int line, col; /* 0 when unknown */
} jr_pos;

/* ---- the document body: a flat list of blocks -------------------------- */

/* Inline style bits of a span. */
enum {
    JR_STYLE_ITALIC = 1,
    JR_STYLE_BOLD = 2,
    JR_STYLE_CODE = 4, /* code span: monospace, no hyphenation */
};

typedef enum jr_span_kind {
    JR_SPAN_TEXT,      /* text; soft line breaks in the source are already spaces */
    JR_SPAN_LINEBREAK, /* a hard line break */
} jr_span_kind;

typedef struct jr_span {
    jr_span_kind kind;
    unsigned style; /* JR_STYLE_* bits */
    char *text;     /* owned; typography applied (quotes, dashes, nbsp) */
    int link;       /* index into jr_doc.links, or -1 */
    jr_pos pos;     /* where the span starts in the source */
} jr_span;

typedef enum jr_block_kind {
    JR_BLOCK_PARAGRAPH,
    JR_BLOCK_HEADING, /* level 2..4 inside an article (a level-1 heading is set as 2) */
    JR_BLOCK_CODE,    /* code block: one span per source line, no styling */
    JR_BLOCK_FIGURE,  /* an image on its own: image, alt, caption */
    JR_BLOCK_RULE,    /* thematic break */
} jr_block_kind;

/* Containers a block sits in, outermost first: block quotes and list items. */
typedef enum jr_container_kind { JR_CONT_QUOTE, JR_CONT_ITEM } jr_container_kind;

typedef struct jr_container {
    jr_container_kind kind;
    int id;       /* unique per document: blocks in the same quote/item share it */
    bool ordered; /* ITEM: ordered list */
    int number;   /* ITEM: the item's number in an ordered list */
    bool first;   /* ITEM: this block is the item's first (it carries the marker) */
    bool tight;   /* ITEM: the list is tight (no space between items) */
} jr_container;

#define JR_MAX_DEPTH 32 /* deeper nesting is clamped (with a warning) */

typedef struct jr_block {
    jr_block_kind kind;
    int level;      /* HEADING: 2..4 */
    jr_span *spans; /* owned */
    size_t nspans;
    jr_container *cont; /* owned; outermost first */
    int depth;          /* number of containers, at most JR_MAX_DEPTH */
    char *image;        /* FIGURE: path relative to the article's folder (owned) */
    char *alt;          /* FIGURE: alt text (owned, may be "") */
    char *caption;      /* FIGURE: caption from the image title, else alt (owned) */
    char *info;         /* CODE: info string (owned, may be NULL) */
    jr_pos pos;
} jr_block;

typedef struct jr_link {
    char *url; /* owned; as written (relative URLs are resolved by back ends) */
    jr_pos pos;
} jr_link;

typedef struct jr_doc {
    jr_block *blocks;
    size_t nblocks, cap;
    jr_link *links;
    size_t nlinks, links_cap;
} jr_doc;

/* ---- journal, editions, articles --------------------------------------- */

/* Front-matter keys, for positions of each key's value. */
typedef enum jr_fm_key {
    JR_FM_TITLE,
    JR_FM_SUBTITLE,
    JR_FM_AUTHOR,
    JR_FM_DATE,
    JR_FM_SECTION,
    JR_FM_SUMMARY,
    JR_FM_IMAGE,
    JR_FM_IMAGE_CAPTION,
    JR_FM_IMAGE_CREDIT,
    JR_FM_IMAGE_ALT,
    JR_FM_TAGS,
    JR_FM_SLUG,
    JR_FM_ORDER,
    JR_FM_DRAFT,
    JR_FM_LANG,
    JR_FM_EDITORIAL,
    JR_FM_KEY_COUNT
} jr_fm_key;

typedef struct jr_article {
    char *path;     /* source file path as given to the reader (owned) */
    char *dir;      /* the folder of the article (owned) */
    char *filename; /* base name without ".md" (owned) */

    char *title;    /* required */
    char *subtitle; /* may be NULL */
    char **authors; /* owned list; `author` may be a string or a list */
    size_t nauthors;
    jr_date date;  /* required */
    char *section; /* section id, may be NULL */
    char *summary;
    char *image, *image_caption, *image_credit, *image_alt;
    char **tags;
    size_t ntags;
    char *slug;     /* default: filename */
    int order;      /* default: position in file-name order (1, 2, ...) */
    bool has_order; /* `order` given explicitly */
    bool draft;
    bool editorial;                  /* `editorial: true`, or order 0 */
    char *lang;                      /* BCP 47; NULL: the journal's language */
    jr_pos key_pos[JR_FM_KEY_COUNT]; /* where each key's value stands */

    char *body; /* the Markdown body after the front matter (owned) */
    size_t body_len;
    int body_line; /* line number of the body's first line in the file */
    jr_doc *doc;   /* the parsed body (owned), NULL until markdown.c ran */
} jr_article;

typedef struct jr_section {
    char *id, *title;
    jr_color color;
    bool has_color;
} jr_section;

typedef struct jr_edition {
    char *id;        /* folder name, e.g. "2019-1" (owned) */
    char *dir;       /* folder path (owned) */
    char *yaml_path; /* path of edition.yaml (owned) */
    int number, year;
    jr_date date;
    char *theme;
    char *cover_image, *cover_caption, *cover_alt;
    jr_pos cover_pos;     /* where cover.image's value stands in edition.yaml */
    char *layout;         /* layout name or path, may be NULL */
    jr_pos layout_pos;    /* where `layout`'s value stands in edition.yaml */
    jr_article *articles; /* sorted by order, then file name; drafts left out */
    size_t narticles;
    /* Articles left out for errors in their front matter whose body could
     * still be read: parsed and checked only to report its problems too. */
    jr_article *rejected;
    size_t nrejected;
} jr_edition;

typedef struct jr_contact {
    char *name, *address, *phone, *email;
} jr_contact;

typedef struct jr_journal {
    char *root;      /* the content folder (owned) */
    char *yaml_path; /* path of journal.yaml (owned) */
    char *title, *subtitle, *publisher;
    char *language;    /* BCP 47, default "de" */
    char *base_url;    /* ends with '/', may be NULL */
    char *slug;        /* file-name form of the title, e.g. "bildung-im-blick" */
    char *editor;      /* responsible editor (imprint), may be NULL */
    char *print_shop;  /* imprint, may be NULL */
    char *copyright;   /* imprint, may be NULL */
    char *icon, *logo; /* feed icon/logo paths or URLs, may be NULL */
    jr_contact contact;
    jr_section *sections;
    size_t nsections;
    bool sections_unknown; /* journal.yaml did not parse: no section is reported unknown */
    int feed_entries;      /* default 20 */
    jr_edition *editions;  /* sorted by date, oldest first */
    size_t neditions;
} jr_journal;

void jr_journal_free(jr_journal *j);
void jr_article_clear(jr_article *a);
void jr_doc_free(jr_doc *d);

/* Look-ups; NULL when absent. */
const jr_section *jr_journal_section(const jr_journal *j, const char *id);
const jr_edition *jr_journal_edition(const jr_journal *j, const char *id);
const jr_edition *jr_journal_newest(const jr_journal *j);

/* Appending to a document (used by markdown.c and tests). The returned
 * pointers stay valid until the next append of the same kind. */
jr_block *jr_doc_add_block(jr_doc *d, jr_block_kind kind);
jr_span *jr_block_add_span(jr_block *b, jr_span_kind kind, unsigned style, const char *text,
                           size_t len);
int jr_doc_add_link(jr_doc *d, const char *url, jr_pos pos);

/* Write a readable dump of a document (for golden tests). */
void jr_doc_dump(const jr_doc *d, FILE *f);

/* "2019-03-01"; out must hold 11 bytes. */
void jr_date_format(const jr_date *d, char *out);
/* Parse YYYY-MM-DD. Returns 0 ok, -1 malformed, -2 impossible date. */
int jr_date_parse(const char *s, jr_date *out /* OUT */);
int jr_date_compare(const jr_date *a, const jr_date *b);

#endif
