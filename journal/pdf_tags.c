/* pdf_tags.c: tagged PDF for the PDF back end (in the manner of PDF/UA).
 *
 * Every item drawn is marked content: an /Artifact (running heads, folios,
 * rules, bars, tabs, crop marks, decorative images) or the content of a
 * structure element, with an MCID that the parent tree maps back. Elements
 * are made per source unit, whatever page or column its lines land on: a
 * paragraph that crosses a column and a page is one /P with marked-content
 * kids on several pages, and the tree is in source order, not in drawing
 * order. The tree:
 *
 *   Document
 *     (cover, contents, imprint: H1, P, Figure, TOC > TOCI > P > Link)
 *     Art (/Lang when the article's language differs from the document's)
 *       P (kicker)  H1 (title)  P (subtitle)  P (byline)  Figure  Caption
 *       H2..H4  P  Code  Figure (/Alt)  Caption  Link (OBJR)
 *       BlockQuote > ...     L > LI > Lbl, LBody > ...   (nested as in the source)
 *
 * What an element is comes from the items (article, block, tag, group; see
 * pages.h) and, with opt->edition, from the document model (block kinds,
 * containers, alt texts, languages). Without the edition: P and Figure. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_list.h>
#include <hpdf_mmgr.h>
#include <hpdf_objects.h>

#include "pdf_int.h"
#include "util.h"

/* ---- the structure tree's objects ---------------------------------------------
 *
 * Made of libharu objects, a structure element cost some 1.6 KB: a
 * dictionary whose every entry is a 136-byte element with a 128-byte key,
 * 152-byte names, a number object per MCID, a proxy per reference; at 8,000
 * elements per PDF that was most of libharu's memory. An element is a node
 * of ours instead. libharu holds its dictionary, indirect (in the xref, so
 * the object numbers are as before) and without entries; the dictionary's
 * write_fn writes the entries from the node, byte for byte as
 * HPDF_Dict_Write wrote them: "/Key value\n" each in the order they were
 * set, arrays as "[ a b ]", references as "N G R", MCR and OBJR kids as
 * direct dictionaries. Strings (/Alt, /T, /Lang) are made into libharu's
 * and written by it while the node is written (no encryption: write_fn is
 * given no Encrypt, and our documents have none).
 *
 * The dictionary lives in the node, in our memory: its mmgr frees nothing
 * and its list is an empty one of the tagger's, so that HPDF_Free, which
 * frees every object of the xref, leaves it alone. The tagger is freed
 * after HPDF_Free. */

#define NONE UINT32_MAX
#define ROOT (UINT32_MAX - 1) /* /P: the StructTreeRoot */

/* Structure types (also the marked-content tags). */
typedef enum stype {
    ST_P,
    ST_H1, /* ST_H1 + 1 .. + 5: H2..H6 */
    ST_H2,
    ST_H3,
    ST_H4,
    ST_H5,
    ST_H6,
    ST_FIGURE,
    ST_CAPTION,
    ST_LBL,
    ST_LINK,
    ST_CODE,
    ST_NONSTRUCT,
    ST_DOCUMENT,
    ST_ART,
    ST_TOC,
    ST_TOCI,
    ST_BLOCKQUOTE,
    ST_L,
    ST_LI,
    ST_LBODY,
} stype;

static const char *const stype_name[] = {
    "P",      "H1",      "H2",   "H3",         "H4",   "H5",        "H6",
    "Figure", "Caption", "Lbl",  "Link",       "Code", "NonStruct", "Document",
    "Art",    "TOC",     "TOCI", "BlockQuote", "L",    "LI",        "LBody",
};

/* The keys of a node after /Type and /S. */
typedef enum skey { KEY_K = 1, KEY_P, KEY_PG, KEY_ALT, KEY_T, KEY_LANG, KEY_A } skey;

typedef struct node {
    HPDF_Dict_Rec dict; /* libharu's object; first, so the node is found from it */
    HPDF_Proxy_Rec ref; /* "N 0 R" in libharu's arrays (parent tree); never freed by it */
    uint32_t parent;    /* /P: a node or ROOT */
    uint32_t page;      /* /Pg: page index, NONE */
    uint32_t first;     /* its kids: a chain in jr_tagger.kids, NONE: none */
    uint32_t last;
    uint32_t nkids;
    uint32_t keys;    /* the keys in the order set (as libharu keeps them): 3 bits each */
    uint32_t strings; /* index into jr_tagger.strings, NONE */
    uint8_t type;     /* stype */
    bool decimal;     /* /A of an L: /ListNumbering /Decimal, else /Disc */
} node;

/* A kid of a node, what in the top two bits of `what`:
 * KID_MCID:  b an MCID on the node's /Pg
 * KID_NODE:  b a node
 * KID_MCR:   b an MCID on the page in `what`'s other bits
 * KID_OBJR:  b the link annotation (jr_tagger.links) on the page in `what` */
#define KID_MCID 0u
#define KID_NODE (1u << 30)
#define KID_MCR  (2u << 30)
#define KID_OBJR (3u << 30)
#define KID_KIND (3u << 30)

typedef struct kid {
    uint32_t next; /* the node's next kid, NONE */
    uint32_t what;
    uint32_t b;
} kid;

/* The kids of a structure element. When it has nearly ARRAY_ROOM kids (the
 * most libharu took in an array, kept so that the output stays the same),
 * its last kid becomes a /NonStruct element (a grouping without meaning)
 * that takes the following kids, and so on: the reading order stays the
 * same. */
typedef struct kidlist {
    uint32_t holder; /* the element or its last /NonStruct (a node) */
} kidlist;

/* What an element is within its block (also its order there). */
typedef enum sub {
    SUB_KICKER,
    SUB_TITLE,
    SUB_SUBTITLE,
    SUB_BYLINE,
    SUB_FIGURE, /* the picture of a figure */
    SUB_CAPTION,
    SUB_LABEL, /* a list item's marker */
    SUB_TEXT,  /* the block itself (by its kind), or an edition page's text unit */
    SUB_TOC,   /* an entry of the contents */
    SUB_LINK,  /* a link's text and annotations, inside its block's element */
} sub;

/* A structure element: one per (article, block, group, sub, image). */
typedef struct selem {
    int article, block, group;
    sub sub;
    int image;        /* SUB_FIGURE: the picture (index into the layout's images),
                         SUB_LINK: the doc link (jr_item.link), else -1 */
    uint32_t seq;     /* order of first appearance */
    uint32_t art_seq; /* first appearance of its article (for sorting) */
    uint32_t node;    /* its /StructElem */
    kidlist kids;     /* marked-content references, links */
} selem;

/* A link annotation: its /StructParent is npages + its index. */
typedef struct slink {
    uint32_t node; /* its /Link element */
    HPDF_Annotation annot;
} slink;

#define NODE_CHUNK 1024 /* nodes per allocation (they never move) */

struct jr_tagger {
    HPDF_Doc pdf;
    HPDF_MMgr mm;
    HPDF_Encoder utf8;
    const jr_doclayout *dl;
    const jr_pdf_options *opt;
    HPDF_Page *pages; /* (a copy: the nodes refer to them while saved) */
    selem *elems;
    size_t nelems, elems_cap;
    size_t last_elem;      /* cache: the element found last */
    size_t *elem_index;    /* hash of element keys: index + 1, 0 = empty (owned) */
    size_t elem_index_cap; /* a power of two, at least twice nelems */
    node **chunks;         /* nodes, NODE_CHUNK each (owned) */
    size_t nnodes, chunks_cap;
    kid *kids; /* every node's kids (owned) */
    size_t nkids, kids_cap;
    char *(*strings)[3]; /* /Alt, /T, /Lang of nodes (owned) */
    size_t nstrings, strings_cap;
    HPDF_Dict root;       /* the StructTreeRoot */
    HPDF_MMgr_Rec nomm;   /* frees nothing: the nodes' dictionaries */
    HPDF_List_Rec nolist; /* empty: their entries */
    HPDF_Array *parents;  /* per page: MCID -> structure element */
    slink *links;         /* in /StructParent order */
    size_t nlinks, links_cap;
    size_t page;      /* the page being drawn */
    int mcid;         /* next MCID on it */
    int mark;         /* open marked content: 0 none, 1 artifact, 2 element */
    size_t mark_elem; /* element of the open marked content (mark == 2) */
    char ops[96];     /* operators handed back */
    /* writing a node */
    HPDF_Stream out;
    HPDF_STATUS out_ret;
    size_t out_len;
    char out_buf[4096];
};

char *jr_pdf_clean_text(const char *s, size_t max)
{
    jr_buf b = {0};
    jr_buf_puts(&b, "");
    if (!s)
        return jr_buf_detach(&b);
    size_t len = strlen(s), i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = jr_utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            n = 1;
        i += n;
        if (cp < 0x20 || cp == 0x7F || cp > 0xFFFF || cp == 0xAD)
            cp = cp == 0xAD ? 0 : (cp > 0xFFFF ? 0xFFFD : ' ');
        if (!cp)
            continue;
        char enc[4];
        size_t el = jr_utf8_encode(cp, enc);
        if (b.len + el > max)
            break;
        jr_buf_put(&b, enc, el);
    }
    return jr_buf_detach(&b);
}

/* ---- nodes and kids -------------------------------------------------------- */

static node *node_at(const jr_tagger *t, uint32_t i)
{
    return &t->chunks[i / NODE_CHUNK][i % NODE_CHUNK];
}

static void *alloc_none(HPDF_UINT size)
{
    (void)size;
    return NULL;
}

static void free_none(void *p)
{
    (void)p;
}

static HPDF_STATUS write_node(HPDF_Dict dict, HPDF_Stream stream);

/* A new structure element of `type` (added to the xref: its number). */
static uint32_t new_node(jr_tagger *t, stype type)
{
    if (t->nnodes % NODE_CHUNK == 0) {
        JR_GROW(t->chunks, t->chunks_cap, t->nnodes / NODE_CHUNK + 1);
        t->chunks[t->nnodes / NODE_CHUNK] = jr_xmalloc(NODE_CHUNK * sizeof(node));
    }
    uint32_t i = (uint32_t)t->nnodes++;
    node *n = node_at(t, i);
    memset(n, 0, sizeof *n);
    n->dict.header.obj_class = HPDF_OCLASS_DICT;
    n->dict.mmgr = &t->nomm;
    n->dict.error = t->mm->error;
    n->dict.list = &t->nolist;
    n->dict.filter = HPDF_STREAM_FILTER_NONE;
    n->dict.write_fn = write_node;
    n->dict.attr = t;
    /* a reference that libharu's arrays hold but never free (an indirect
     * object to HPDF_Obj_Free), nor take for an object of the xref */
    n->ref.header.obj_id = HPDF_OTYPE_INDIRECT | HPDF_OTYPE_DIRECT;
    n->ref.header.obj_class = HPDF_OCLASS_PROXY;
    n->ref.obj = &n->dict;
    n->parent = n->page = n->first = n->last = n->strings = NONE;
    n->type = (uint8_t)type;
    HPDF_Xref_Add(t->pdf->xref, &n->dict);
    return i;
}

/* Key k is set: it goes last, unless it is there already (as with
 * HPDF_Dict_Add). */
static void set_key(node *n, skey k)
{
    int used = 0;
    for (uint32_t ks = n->keys; ks; ks >>= 3, used++)
        if ((ks & 7) == k)
            return;
    n->keys |= (uint32_t)k << (3 * used);
}

static bool has_key(const node *n, skey k)
{
    for (uint32_t ks = n->keys; ks; ks >>= 3)
        if ((ks & 7) == k)
            return true;
    return false;
}

static void set_parent(jr_tagger *t, uint32_t ni, uint32_t parent)
{
    node *n = node_at(t, ni);
    n->parent = parent;
    set_key(n, KEY_P);
}

/* /Alt, /T or /Lang: a copy of s (clean text). */
static void set_string(jr_tagger *t, uint32_t ni, skey k, const char *s)
{
    node *n = node_at(t, ni);
    if (n->strings == NONE) {
        JR_GROW(t->strings, t->strings_cap, t->nstrings + 1);
        memset(t->strings[t->nstrings], 0, sizeof t->strings[0]);
        n->strings = (uint32_t)t->nstrings++;
    }
    char **slot = &t->strings[n->strings][k - KEY_ALT];
    free(*slot);
    *slot = jr_xstrdup(s);
    set_key(n, k);
}

static void add_kid(jr_tagger *t, uint32_t ni, uint32_t what, uint32_t b)
{
    JR_GROW(t->kids, t->kids_cap, t->nkids + 1);
    uint32_t ki = (uint32_t)t->nkids++;
    t->kids[ki] = (kid){NONE, what, b};
    node *n = node_at(t, ni);
    if (n->last == NONE)
        n->first = ki;
    else
        t->kids[n->last].next = ki;
    n->last = ki;
    n->nkids++;
}

static void kids_init(jr_tagger *t, kidlist *k, uint32_t elem)
{
    k->holder = elem;
    set_key(node_at(t, elem), KEY_K);
}

/* Room for one more kid; returns the node that will hold it (its /P). */
static uint32_t kids_room(jr_tagger *t, kidlist *k)
{
    if (node_at(t, k->holder)->nkids < ARRAY_ROOM - 1)
        return k->holder;
    uint32_t ns = new_node(t, ST_NONSTRUCT);
    set_parent(t, ns, k->holder);
    add_kid(t, k->holder, KID_NODE, ns);
    kids_init(t, k, ns);
    return ns;
}

static void kids_add(jr_tagger *t, kidlist *k, uint32_t what, uint32_t b)
{
    add_kid(t, k->holder, what, b);
}

/* A new element of `type` as the next kid of `parent`; its kids in `k`. */
static uint32_t child_elem(jr_tagger *t, kidlist *parent, stype type, kidlist *k)
{
    uint32_t e = new_node(t, type);
    uint32_t holder = kids_room(t, parent);
    set_parent(t, e, holder);
    kids_add(t, parent, KID_NODE, e);
    if (k)
        kids_init(t, k, e);
    return e;
}

/* ---- writing a node ---------------------------------------------------------- */

static void out_flush(jr_tagger *t)
{
    if (t->out_ret == HPDF_OK && t->out_len)
        t->out_ret =
            HPDF_Stream_Write(t->out, (const HPDF_BYTE *)t->out_buf, (HPDF_UINT)t->out_len);
    t->out_len = 0;
}

static void out_put(jr_tagger *t, const char *s, size_t n)
{
    if (t->out_len + n > sizeof t->out_buf) {
        out_flush(t);
        if (n > sizeof t->out_buf) {
            if (t->out_ret == HPDF_OK)
                t->out_ret = HPDF_Stream_Write(t->out, (const HPDF_BYTE *)s, (HPDF_UINT)n);
            return;
        }
    }
    memcpy(t->out_buf + t->out_len, s, n);
    t->out_len += n;
}

static void out_str(jr_tagger *t, const char *s)
{
    out_put(t, s, strlen(s));
}

/* A number as HPDF_IToA writes it (ours are never negative). */
static void out_uint(jr_tagger *t, uint32_t v)
{
    char d[10];
    size_t i = sizeof d;
    do
        d[--i] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    out_put(t, d + i, sizeof d - i);
}

/* A reference, as libharu writes a proxy. */
static void out_ref(jr_tagger *t, const void *obj)
{
    const HPDF_Obj_Header *h = obj;
    out_uint(t, h->obj_id & 0x00FFFFFF);
    out_put(t, " ", 1);
    out_uint(t, h->gen_no);
    out_put(t, " R", 2);
}

static void out_kid(jr_tagger *t, const kid *k)
{
    uint32_t page = k->what & ~KID_KIND;
    switch (k->what & KID_KIND) {
    case KID_MCID:
        out_uint(t, k->b);
        break;
    case KID_NODE:
        out_ref(t, &node_at(t, k->b)->dict);
        break;
    case KID_MCR:
        out_str(t, "<<\n/Type /MCR\n/Pg ");
        out_ref(t, t->pages[page]);
        out_str(t, "\n/MCID ");
        out_uint(t, k->b);
        out_str(t, "\n>>");
        break;
    default: /* KID_OBJR */
        out_str(t, "<<\n/Type /OBJR\n/Obj ");
        out_ref(t, t->links[k->b].annot);
        out_str(t, "\n/Pg ");
        out_ref(t, t->pages[page]);
        out_str(t, "\n>>");
        break;
    }
}

/* A text string, by libharu (UTF-16BE for the UTF-8 encoder). */
static void out_string(jr_tagger *t, const char *s, HPDF_Encoder enc)
{
    out_flush(t);
    HPDF_String str = HPDF_String_New(t->mm, s, enc);
    if (!str) {
        if (t->out_ret == HPDF_OK)
            t->out_ret = HPDF_Error_GetCode(t->mm->error);
        return;
    }
    if (t->out_ret == HPDF_OK)
        t->out_ret = HPDF_String_Write(str, t->out, NULL);
    HPDF_String_Free(str);
}

/* The dictionary's write_fn: libharu has written "<<\n" and adds ">>". */
static HPDF_STATUS write_node(HPDF_Dict dict, HPDF_Stream stream)
{
    jr_tagger *t = dict->attr;
    const node *n = (const node *)dict;
    t->out = stream;
    t->out_ret = HPDF_OK;
    t->out_len = 0;
    out_str(t, "/Type /StructElem\n/S /");
    out_str(t, stype_name[n->type]);
    out_put(t, "\n", 1);
    for (uint32_t ks = n->keys; ks; ks >>= 3) {
        switch ((skey)(ks & 7)) {
        case KEY_K:
            out_str(t, "/K [ ");
            for (uint32_t k = n->first; k != NONE; k = t->kids[k].next) {
                out_kid(t, &t->kids[k]);
                out_put(t, " ", 1);
            }
            out_str(t, "]\n");
            break;
        case KEY_P:
            out_str(t, "/P ");
            out_ref(t, n->parent == ROOT ? (void *)t->root : (void *)&node_at(t, n->parent)->dict);
            out_put(t, "\n", 1);
            break;
        case KEY_PG:
            out_str(t, "/Pg ");
            out_ref(t, t->pages[n->page]);
            out_put(t, "\n", 1);
            break;
        case KEY_ALT:
        case KEY_T:
        case KEY_LANG: {
            static const char *const name[] = {"/Alt ", "/T ", "/Lang "};
            skey k = (skey)(ks & 7);
            out_str(t, name[k - KEY_ALT]);
            out_string(t, t->strings[n->strings][k - KEY_ALT], k == KEY_LANG ? NULL : t->utf8);
            out_put(t, "\n", 1);
            break;
        }
        case KEY_A:
            out_str(t, n->decimal ? "/A <<\n/O /List\n/ListNumbering /Decimal\n>>\n"
                                  : "/A <<\n/O /List\n/ListNumbering /Disc\n>>\n");
            break;
        }
    }
    out_flush(t);
    return t->out_ret;
}

static const jr_article *article_of(const jr_tagger *t, int article)
{
    const jr_edition *ed = t->opt->edition;
    if (!ed || article < 0 || (size_t)article >= ed->narticles)
        return NULL;
    return &ed->articles[article];
}

static const jr_block *block_of(const jr_tagger *t, int article, int block)
{
    const jr_article *a = article_of(t, article);
    if (!a || !a->doc || block < 0 || (size_t)block >= a->doc->nblocks)
        return NULL;
    return &a->doc->blocks[block];
}

/* The level of heading `block` as tagged: its own, but never more than one
 * below the heading before it (the title is H1), so that no level is
 * skipped (PDF/UA): `##` then `####` are H2 and H3. */
static int heading_level(const jr_tagger *t, int article, int block)
{
    const jr_article *a = article_of(t, article);
    int prev = 1;
    for (int i = 0; a && a->doc && i <= block && (size_t)i < a->doc->nblocks; i++) {
        const jr_block *b = &a->doc->blocks[i];
        if (b->kind != JR_BLOCK_HEADING)
            continue;
        int lv = b->level < 2 ? 2 : b->level > 6 ? 6 : b->level;
        prev = lv > prev + 1 ? prev + 1 : lv;
    }
    return prev;
}

/* The structure type of an element. */
static stype elem_type(const jr_tagger *t, const selem *e)
{
    switch (e->sub) {
    case SUB_TITLE:
        return ST_H1;
    case SUB_FIGURE:
        return ST_FIGURE;
    case SUB_CAPTION:
        return ST_CAPTION;
    case SUB_LABEL:
        return ST_LBL;
    case SUB_LINK:
        return ST_LINK;
    case SUB_TEXT: {
        const jr_block *b = block_of(t, e->article, e->block);
        if (b && b->kind == JR_BLOCK_HEADING)
            return (stype)(ST_H1 + heading_level(t, e->article, e->block) - 1);
        if (b && b->kind == JR_BLOCK_CODE)
            return ST_CODE;
        if (b && b->kind == JR_BLOCK_FIGURE)
            return ST_CAPTION;
        return ST_P;
    }
    default:
        return ST_P;
    }
}

static sub item_sub(const jr_item *it)
{
    if (it->kind == JR_ITEM_IMAGE)
        return SUB_FIGURE;
    switch (it->tag) {
    case JR_TAG_KICKER:
        return SUB_KICKER;
    case JR_TAG_TITLE:
        return SUB_TITLE;
    case JR_TAG_SUBTITLE:
        return SUB_SUBTITLE;
    case JR_TAG_BYLINE:
        return SUB_BYLINE;
    case JR_TAG_CAPTION:
        return SUB_CAPTION;
    case JR_TAG_LABEL:
        return SUB_LABEL;
    case JR_TAG_TOC_ENTRY:
        return SUB_TOC;
    case JR_TAG_AUTO:
        break;
    }
    return SUB_TEXT;
}

static size_t elem_key_hash(int article, int block, int group, int kind, int image)
{
    uint64_t h = 1469598103934665603ull;
    int parts[5] = {article, block, group, kind, image};
    for (int i = 0; i < 5; i++) {
        h ^= (uint64_t)(uint32_t)parts[i];
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 29));
}

/* Elements are found by their key through a hash table, so that tagging
 * stays linear in the number of elements (100,000 links). */
static void elem_index_put(jr_tagger *t, size_t ei)
{
    const selem *e = &t->elems[ei];
    size_t mask = t->elem_index_cap - 1;
    size_t h = elem_key_hash(e->article, e->block, e->group, (int)e->sub, e->image) & mask;
    while (t->elem_index[h])
        h = (h + 1) & mask;
    t->elem_index[h] = ei + 1;
}

static void elem_index_grow(jr_tagger *t)
{
    if ((t->nelems + 1) * 2 <= t->elem_index_cap)
        return;
    size_t cap = t->elem_index_cap ? t->elem_index_cap * 2 : 256;
    while (cap < (t->nelems + 1) * 2)
        cap *= 2;
    free(t->elem_index);
    t->elem_index = jr_xcalloc(cap, sizeof *t->elem_index);
    t->elem_index_cap = cap;
    for (size_t i = 0; i < t->nelems; i++)
        elem_index_put(t, i);
}

static size_t find_elem(jr_tagger *t, const jr_item *it)
{
    int article = it->article, block = it->block;
    int group = article < 0 ? it->group : 0;
    sub s = item_sub(it);
    if (article < 0 && s != SUB_FIGURE && s != SUB_TITLE && s != SUB_TOC)
        s = SUB_TEXT;
    if (article >= 0 && it->link > 0 && it->kind != JR_ITEM_IMAGE && s == SUB_TEXT)
        s = SUB_LINK;
    int image = s == SUB_FIGURE ? it->image : s == SUB_LINK ? it->link : -1;
#define SAME(e)                                                                                    \
    ((e)->article == article && (e)->block == block && (e)->group == group && (e)->sub == s &&     \
     (e)->image == image)
    if (t->last_elem < t->nelems && SAME(&t->elems[t->last_elem]))
        return t->last_elem;
    if (t->elem_index_cap) {
        size_t mask = t->elem_index_cap - 1;
        for (size_t h = elem_key_hash(article, block, group, (int)s, image) & mask;
             t->elem_index[h]; h = (h + 1) & mask)
            if (SAME(&t->elems[t->elem_index[h] - 1]))
                return t->last_elem = t->elem_index[h] - 1;
    }
#undef SAME
    elem_index_grow(t);
    JR_GROW(t->elems, t->elems_cap, t->nelems + 1);
    selem *e = &t->elems[t->nelems];
    memset(e, 0, sizeof *e);
    e->article = article;
    e->block = block;
    e->group = group;
    e->sub = s;
    e->image = image;
    e->seq = (uint32_t)t->nelems;
    e->node = new_node(t, elem_type(t, e));
    kids_init(t, &e->kids, e->node);
    size_t ei = t->nelems++;
    elem_index_put(t, ei);
    if (s == SUB_LINK) {
        /* a kid of its block's element, where its text stands among the rest */
        jr_item text = *it;
        text.link = 0;
        text.kind = JR_ITEM_TEXT;
        size_t pi = find_elem(t, &text);
        kidlist *pk = &t->elems[pi].kids;
        uint32_t holder = kids_room(t, pk);
        set_parent(t, t->elems[ei].node, holder);
        kids_add(t, pk, KID_NODE, t->elems[ei].node);
    }
    return t->last_elem = ei;
}

/* The alt text of a picture: the figure block's, the article's lead
 * image's (its caption if it has none), else the one of the image file. */
static const char *figure_alt(const jr_tagger *t, const jr_item *it)
{
    const jr_article *a = article_of(t, it->article);
    if (a && it->block < 0) {
        if (a->image_alt && *a->image_alt)
            return a->image_alt;
        if (a->image_caption && *a->image_caption)
            return a->image_caption;
    }
    const jr_block *b = block_of(t, it->article, it->block);
    if (b && b->kind == JR_BLOCK_FIGURE && b->alt && *b->alt)
        return b->alt;
    if (it->image >= 0 && (size_t)it->image < t->dl->nimages)
        return t->dl->images[it->image].alt;
    return NULL;
}

/* ---- marked content ------------------------------------------------------------ */

jr_tagger *jr_tags_new(HPDF_Doc pdf, HPDF_Encoder utf8, const jr_doclayout *dl,
                       const jr_pdf_options *opt, HPDF_Page *pages)
{
    jr_tagger *t = jr_xcalloc(1, sizeof *t);
    t->pdf = pdf;
    t->mm = pdf->mmgr;
    t->utf8 = utf8;
    t->dl = dl;
    t->opt = opt;
    t->pages = jr_xcalloc(dl->npages ? dl->npages : 1, sizeof *pages);
    if (dl->npages)
        memcpy(t->pages, pages, dl->npages * sizeof *pages);
    t->parents = jr_xcalloc(dl->npages ? dl->npages : 1, sizeof(HPDF_Array));
    t->last_elem = SIZE_MAX;
    t->nomm.error = t->mm->error;
    t->nomm.alloc_fn = alloc_none;
    t->nomm.free_fn = free_none;
    t->nolist.mmgr = &t->nomm;
    t->nolist.error = t->mm->error;
    t->nolist.items_per_block = 1;
    return t;
}

void jr_tags_free(jr_tagger *t)
{
    if (!t)
        return;
    free(t->elems);
    free(t->elem_index);
    for (size_t i = 0; i * NODE_CHUNK < t->nnodes; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->kids);
    for (size_t i = 0; i < t->nstrings; i++)
        for (int k = 0; k < 3; k++)
            free(t->strings[i][k]);
    free(t->strings);
    free(t->parents);
    free(t->links);
    free(t->pages);
    free(t);
}

void jr_tags_begin_page(jr_tagger *t, size_t index)
{
    t->page = index;
    t->mcid = 0;
    t->mark = 0;
    HPDF_Page page = t->pages[index];
    t->parents[index] = HPDF_Array_New(t->mm);
    HPDF_Xref_Add(t->pdf->xref, t->parents[index]);
    HPDF_Dict_AddNumber(page, "StructParents", (HPDF_INT32)index);
    HPDF_Dict_AddName(page, "Tabs", "S"); /* tab order: the structure's */
}

static const char *artifact(jr_tagger *t)
{
    if (t->mark == 1)
        return NULL;
    snprintf(t->ops, sizeof t->ops, "%s/Artifact BMC\n", t->mark ? "EMC\n" : "");
    t->mark = 1;
    return t->ops;
}

const char *jr_tags_item(jr_tagger *t, const jr_item *it)
{
    bool art = it->role == JR_ROLE_ARTIFACT || it->kind == JR_ITEM_RECT ||
               it->kind == JR_ITEM_LINE || (it->kind == JR_ITEM_IMAGE && it->image < 0);
    /* a picture nobody described (journal check warns) is left to the
     * reader's eyes like a decorative one: no Figure without /Alt */
    const char *alt = NULL;
    if (!art && it->kind == JR_ITEM_IMAGE) {
        alt = figure_alt(t, it);
        art = !alt || !*alt;
    }
    if (art)
        return artifact(t);
    size_t ei = find_elem(t, it);
    if (t->mark == 2 && t->mark_elem == ei)
        return NULL;
    selem *e = &t->elems[ei];
    uint32_t holder = kids_room(t, &e->kids);
    if (t->mcid >= ARRAY_ROOM)
        return artifact(t); /* no room left in the structure (absurd input) */
    node *en = node_at(t, e->node);
    if (e->sub == SUB_FIGURE && alt && !has_key(en, KEY_ALT)) {
        char *a = jr_pdf_clean_text(alt, 2000);
        set_string(t, e->node, KEY_ALT, a);
        free(a);
    }
    size_t page = t->page;
    int mcid = t->mcid++;
    if (en->page == NONE) { /* the element's first page: its MCIDs there are plain numbers */
        en->page = (uint32_t)page;
        set_key(en, KEY_PG);
    }
    uint32_t what = en->page == page && holder == e->node ? KID_MCID : KID_MCR | (uint32_t)page;
    kids_add(t, &e->kids, what, (uint32_t)mcid);
    /* the holder's own reference: no proxy per MCID */
    HPDF_List_Add(t->parents[page]->list, &node_at(t, holder)->ref);
    snprintf(t->ops, sizeof t->ops, "%s/%s <</MCID %d>> BDC\n", t->mark ? "EMC\n" : "",
             stype_name[en->type], mcid);
    t->mark = 2;
    t->mark_elem = ei;
    return t->ops;
}

const char *jr_tags_end_page(jr_tagger *t)
{
    if (!t->mark)
        return NULL;
    t->mark = 0;
    return "EMC\n";
}

void jr_tags_link(jr_tagger *t, const jr_item *it, HPDF_Annotation a)
{
    /* the element of the text the link lies over: on edition pages the
     * text unit's (whatever it is), in articles the block's */
    size_t pi = SIZE_MAX;
    if (it->article < 0 && it->group > 0)
        for (size_t i = t->nelems; i-- > 0 && pi == SIZE_MAX;)
            if (t->elems[i].article < 0 && t->elems[i].group == it->group)
                pi = i;
    /* its /OBJR: the annotation is links[nlinks] */
    uint32_t objr = KID_OBJR | (uint32_t)t->page, li = (uint32_t)t->nlinks;
    uint32_t link;
    if (pi == SIZE_MAX && it->article >= 0 && it->link > 0) {
        /* the Link element of the doc link, which holds its text too */
        jr_item text = *it;
        text.kind = JR_ITEM_TEXT;
        size_t ei = find_elem(t, &text);
        kidlist *k = &t->elems[ei].kids;
        kids_room(t, k);
        link = t->elems[ei].node;
        kids_add(t, k, objr, li);
    } else {
        if (pi == SIZE_MAX) {
            jr_item text = *it;
            text.kind = JR_ITEM_TEXT;
            text.link = 0;
            pi = find_elem(t, &text);
        }
        uint32_t holder = kids_room(t, &t->elems[pi].kids);
        link = new_node(t, ST_LINK);
        set_parent(t, link, holder);
        kidlist k;
        kids_init(t, &k, link);
        kids_add(t, &k, objr, li);
        kids_add(t, &t->elems[pi].kids, KID_NODE, link);
    }
    int key = (int)t->dl->npages + (int)t->nlinks;
    HPDF_Dict_AddNumber(a, "StructParent", key);
    JR_GROW(t->links, t->links_cap, t->nlinks + 1);
    t->links[t->nlinks++] = (slink){link, a};
    char *desc;
    if (it->uri && *it->uri)
        desc = jr_pdf_clean_text(it->uri, 2000);
    else {
        const char *label = it->dest_page >= 0 && (size_t)it->dest_page < t->dl->npages
                                ? t->dl->pages[it->dest_page].label
                                : NULL;
        char *d =
            label ? jr_xasprintf("Seite %s", label) : jr_xasprintf("Seite %d", it->dest_page + 1);
        desc = jr_pdf_clean_text(d, 200);
        free(d);
    }
    HPDF_Dict_Add(a, "Contents", HPDF_String_New(t->mm, desc, t->utf8));
    free(desc);
}

/* ---- the structure tree ---------------------------------------------------------- */

static int cmp_elem(const void *a, const void *b)
{
    const selem *x = *(const selem *const *)a, *y = *(const selem *const *)b;
    if (x->art_seq != y->art_seq) /* articles: by first appearance */
        return x->art_seq < y->art_seq ? -1 : 1;
    if (x->article >= 0) {
        if (x->block != y->block) /* within one: the source order */
            return x->block < y->block ? -1 : 1;
        if (x->sub != y->sub)
            return x->sub < y->sub ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One entry of the parent tree: a key and what it maps to (a libharu
 * object, or a node's reference). */
static void ptree_add(jr_tagger *t, HPDF_Dict root, HPDF_Array *leaf_nums, HPDF_Array *kids,
                      unsigned *in_leaf, HPDF_INT32 *leaf_lo, HPDF_INT32 key, void *value,
                      bool split)
{
    HPDF_MMgr mm = t->mm;
    if (!split) {
        if (!*leaf_nums) {
            *leaf_nums = HPDF_Array_New(mm);
            HPDF_Dict_Add(root, "Nums", *leaf_nums);
        }
    } else if (!*leaf_nums || *in_leaf >= ARRAY_ROOM / 2) {
        /* a number tree leaf of its own, with /Limits */
        HPDF_Dict leaf = HPDF_Dict_New(mm);
        HPDF_Xref_Add(t->pdf->xref, leaf);
        *leaf_nums = HPDF_Array_New(mm);
        HPDF_Dict_Add(leaf, "Nums", *leaf_nums);
        HPDF_Array lim = HPDF_Array_New(mm);
        HPDF_Array_AddNumber(lim, key);
        HPDF_Array_AddNumber(lim, key); /* the upper limit is fixed below */
        HPDF_Dict_Add(leaf, "Limits", lim);
        if (!*kids) {
            *kids = HPDF_Array_New(mm);
            HPDF_Dict_Add(root, "Kids", *kids);
        }
        HPDF_Array_Add(*kids, leaf);
        *in_leaf = 0;
        *leaf_lo = key;
    }
    HPDF_Array_AddNumber(*leaf_nums, key);
    if (((HPDF_Obj_Header *)value)->obj_class == HPDF_OCLASS_PROXY)
        HPDF_List_Add((*leaf_nums)->list, value); /* (HPDF_Array_Add refuses it) */
    else
        HPDF_Array_Add(*leaf_nums, value);
    (*in_leaf)++;
    if (split) {
        /* the leaf's /Limits: [first last] */
        HPDF_Dict leaf = HPDF_Array_GetItem(*kids, (*kids)->list->count - 1, HPDF_OCLASS_DICT);
        HPDF_Array lim = HPDF_Dict_GetItem(leaf, "Limits", HPDF_OCLASS_ARRAY);
        HPDF_Array_Clear(lim);
        HPDF_Array_AddNumber(lim, *leaf_lo);
        HPDF_Array_AddNumber(lim, key);
    }
}

/* An open container of the article being built: a block quote (BQ) or a
 * list item (L > LI > Lbl, LBody). */
typedef struct nest {
    jr_container_kind kind;
    int id;
    bool ordered;
    kidlist outer; /* QUOTE: the BlockQuote; ITEM: the L */
    kidlist li;    /* ITEM: the LI */
    kidlist body;  /* ITEM: the LBody, once made */
    bool has_body;
} nest;

typedef struct builder {
    jr_tagger *t;
    kidlist art;
    nest stack[JR_MAX_DEPTH];
    int depth;
    /* a list closed at each level, which the next item there continues */
    kidlist last_list[JR_MAX_DEPTH];
    bool last_ok[JR_MAX_DEPTH], last_ordered[JR_MAX_DEPTH];
} builder;

static kidlist *nest_holder(builder *bd, bool label)
{
    if (bd->depth == 0)
        return &bd->art;
    nest *n = &bd->stack[bd->depth - 1];
    if (n->kind == JR_CONT_QUOTE)
        return &n->outer;
    if (label && !n->has_body)
        return &n->li;
    if (!n->has_body) {
        child_elem(bd->t, &n->li, ST_LBODY, &n->body);
        n->has_body = true;
    }
    return &n->body;
}

/* Open the containers of block b (closing those it is not in). */
static void nest_to(builder *bd, const jr_block *b)
{
    int d = b ? b->depth : 0;
    if (d > JR_MAX_DEPTH)
        d = JR_MAX_DEPTH;
    int m = 0;
    while (m < d && m < bd->depth && bd->stack[m].kind == b->cont[m].kind &&
           bd->stack[m].id == b->cont[m].id)
        m++;
    while (bd->depth > m) { /* close */
        nest *n = &bd->stack[--bd->depth];
        if (n->kind == JR_CONT_ITEM) {
            bd->last_list[bd->depth] = n->outer;
            bd->last_ok[bd->depth] = true;
            bd->last_ordered[bd->depth] = n->ordered;
        } else {
            bd->last_ok[bd->depth] = false;
        }
    }
    for (int k = m; k < d; k++) { /* open */
        const jr_container *c = &b->cont[k];
        kidlist *parent = nest_holder(bd, false);
        nest *n = &bd->stack[k];
        memset(n, 0, sizeof *n);
        n->kind = c->kind;
        n->id = c->id;
        n->ordered = c->ordered;
        if (c->kind == JR_CONT_QUOTE) {
            child_elem(bd->t, parent, ST_BLOCKQUOTE, &n->outer);
        } else {
            if (bd->last_ok[k] && bd->last_ordered[k] == c->ordered) {
                n->outer = bd->last_list[k]; /* the next item of the same list */
            } else {
                uint32_t l = child_elem(bd->t, parent, ST_L, &n->outer);
                node *ln = node_at(bd->t, l);
                ln->decimal = c->ordered;
                set_key(ln, KEY_A);
            }
            child_elem(bd->t, &n->outer, ST_LI, &n->li);
        }
        bd->last_ok[k] = false;
        for (int j = k + 1; j < JR_MAX_DEPTH; j++)
            bd->last_ok[j] = false;
        bd->depth = k + 1;
    }
    /* content at this level ends a list closed here */
    for (int j = d; j < JR_MAX_DEPTH; j++)
        bd->last_ok[j] = false;
}

static void set_lang(jr_tagger *t, uint32_t elem, const char *lang)
{
    const char *doc = t->opt->lang;
    if (!lang || !*lang || (doc && strcasecmp(doc, lang) == 0))
        return;
    char *l = jr_pdf_clean_text(lang, 50);
    set_string(t, elem, KEY_LANG, l);
    free(l);
}

void jr_tags_finish(jr_tagger *t)
{
    HPDF_MMgr mm = t->mm;
    HPDF_Dict root = HPDF_Dict_New(mm);
    HPDF_Xref_Add(t->pdf->xref, root);
    HPDF_Dict_AddName(root, "Type", "StructTreeRoot");
    t->root = root;
    uint32_t doc = new_node(t, ST_DOCUMENT);
    set_parent(t, doc, ROOT);
    kidlist dockids;
    kids_init(t, &dockids, doc);
    HPDF_Dict_Add(root, "K", &node_at(t, doc)->dict);

    /* the first appearance of an article stands for all its elements */
    selem **order = jr_xcalloc(t->nelems ? t->nelems : 1, sizeof *order);
    uint32_t *first = NULL; /* first appearance per article, NONE: none yet */
    size_t nfirst = 0, first_cap = 0;
    for (size_t i = 0; i < t->nelems; i++) {
        selem *e = &t->elems[i];
        order[i] = e;
        e->art_seq = e->seq; /* (loose elements stand alone) */
        if (e->article < 0)
            continue;
        size_t a = (size_t)e->article;
        if (a >= nfirst) {
            JR_GROW(first, first_cap, a + 1);
            for (size_t k = nfirst; k <= a; k++)
                first[k] = NONE;
            nfirst = a + 1;
        }
        if (first[a] == NONE)
            first[a] = e->seq;
        e->art_seq = first[a];
    }
    free(first);
    qsort(order, t->nelems, sizeof *order, cmp_elem);

    builder *bd = jr_xcalloc(1, sizeof *bd);
    bd->t = t;
    int art_index = -2;
    kidlist toc;
    bool toc_open = false;
    for (size_t i = 0; i < t->nelems; i++) {
        selem *e = order[i];
        if (e->sub == SUB_LINK)
            continue; /* already a kid of its block's element */
        if (e->article < 0) {
            art_index = -2;
            kidlist *parent = &dockids;
            kidlist toci; /* lives as long as `parent` may point to it */
            if (e->sub == SUB_TOC) {
                if (!toc_open)
                    child_elem(t, &dockids, ST_TOC, &toc);
                toc_open = true;
                child_elem(t, &toc, ST_TOCI, &toci);
                parent = &toci;
            } else {
                toc_open = false;
            }
            set_parent(t, e->node, kids_room(t, parent));
            kids_add(t, parent, KID_NODE, e->node);
            continue;
        }
        toc_open = false;
        if (e->article != art_index) {
            art_index = e->article;
            uint32_t art = child_elem(t, &dockids, ST_ART, &bd->art);
            bd->depth = 0;
            memset(bd->last_ok, 0, sizeof bd->last_ok);
            const jr_article *a = article_of(t, art_index);
            if (a && a->title && *a->title) {
                char *s = jr_pdf_clean_text(a->title, 1000);
                set_string(t, art, KEY_T, s);
                free(s);
            }
            if (a)
                set_lang(t, art, a->lang);
        }
        const jr_block *b = e->block >= 0 ? block_of(t, e->article, e->block) : NULL;
        nest_to(bd, b);
        kidlist *parent = nest_holder(bd, e->sub == SUB_LABEL);
        set_parent(t, e->node, kids_room(t, parent));
        kids_add(t, parent, KID_NODE, e->node);
    }
    free(bd);
    free(order);

    /* the parent tree: one /Nums array, or leaves of up to 4000 keys */
    size_t nkeys = t->dl->npages + t->nlinks;
    bool split = nkeys > ARRAY_ROOM / 2;
    HPDF_Dict ptree = HPDF_Dict_New(mm);
    HPDF_Array leaf = NULL, kids = NULL;
    unsigned in_leaf = 0;
    HPDF_INT32 lo = 0;
    for (size_t p = 0; p < t->dl->npages; p++)
        if (t->parents[p])
            ptree_add(t, ptree, &leaf, &kids, &in_leaf, &lo, (HPDF_INT32)p, t->parents[p], split);
    for (size_t i = 0; i < t->nlinks; i++) /* annotations' /StructParent */
        ptree_add(t, ptree, &leaf, &kids, &in_leaf, &lo, (HPDF_INT32)(t->dl->npages + i),
                  &node_at(t, t->links[i].node)->ref, split);
    HPDF_Dict_Add(root, "ParentTree", ptree);
    HPDF_Dict_AddNumber(root, "ParentTreeNextKey", (HPDF_INT32)nkeys);
    HPDF_Dict_Add(t->pdf->catalog, "StructTreeRoot", root);
    HPDF_Dict mark = HPDF_Dict_New(mm);
    HPDF_Dict_AddBoolean(mark, "Marked", HPDF_TRUE);
    HPDF_Dict_Add(t->pdf->catalog, "MarkInfo", mark);
    HPDF_Dict vp = HPDF_Dict_New(mm);
    HPDF_Dict_AddBoolean(vp, "DisplayDocTitle", HPDF_TRUE);
    HPDF_Dict_Add(t->pdf->catalog, "ViewerPreferences", vp);
}
