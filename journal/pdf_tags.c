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
#include <hpdf_objects.h>

#include "pdf_int.h"
#include "util.h"

/* The kids of a structure element. When an array is nearly full, its last
 * kid becomes a /NonStruct element (a grouping without meaning) that takes
 * the following kids, and so on: the reading order stays the same. */
typedef struct kidlist {
    HPDF_Dict holder; /* the element or its last /NonStruct */
    HPDF_Array arr;   /* the holder's /K */
    unsigned n;       /* items in arr */
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
    int image;      /* SUB_FIGURE: the picture (index into the layout's images),
                       SUB_LINK: the doc link (jr_item.link), else -1 */
    size_t seq;     /* order of first appearance */
    size_t art_seq; /* first appearance of its article (for sorting) */
    bool has_pg;    /* /Pg set: the page of its first content */
    size_t pg;
    char type[16];  /* structure type (also the marked-content tag) */
    HPDF_Dict dict; /* /StructElem (indirect) */
    kidlist kids;   /* marked-content references, links */
} selem;

struct jr_tagger {
    HPDF_Doc pdf;
    HPDF_MMgr mm;
    HPDF_Encoder utf8;
    const jr_doclayout *dl;
    const jr_pdf_options *opt;
    HPDF_Page *pages;
    selem *elems;
    size_t nelems, elems_cap;
    size_t last_elem;      /* cache: the element found last */
    size_t *elem_index;    /* hash of element keys: index + 1, 0 = empty (owned) */
    size_t elem_index_cap; /* a power of two, at least twice nelems */
    HPDF_Array *parents;   /* per page: MCID -> structure element */
    HPDF_Dict *links;      /* /Link elements, in /StructParent order */
    size_t nlinks, links_cap;
    size_t page;      /* the page being drawn */
    int mcid;         /* next MCID on it */
    int mark;         /* open marked content: 0 none, 1 artifact, 2 element */
    size_t mark_elem; /* element of the open marked content (mark == 2) */
    char ops[96];     /* operators handed back */
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

/* ---- elements and kids ------------------------------------------------------ */

static HPDF_Dict new_elem(jr_tagger *t, const char *type)
{
    HPDF_Dict d = HPDF_Dict_New(t->mm);
    HPDF_Xref_Add(t->pdf->xref, d);
    HPDF_Dict_AddName(d, "Type", "StructElem");
    HPDF_Dict_AddName(d, "S", type);
    return d;
}

static void kids_init(jr_tagger *t, kidlist *k, HPDF_Dict elem)
{
    k->holder = elem;
    k->arr = HPDF_Array_New(t->mm);
    HPDF_Dict_Add(elem, "K", k->arr);
    k->n = 0;
}

/* Room for one more kid; returns the dict that will hold it (its /P). */
static HPDF_Dict kids_room(jr_tagger *t, kidlist *k)
{
    if (k->n < ARRAY_ROOM - 1)
        return k->holder;
    HPDF_Dict ns = new_elem(t, "NonStruct");
    HPDF_Dict_Add(ns, "P", k->holder);
    HPDF_Array_Add(k->arr, ns);
    k->holder = ns;
    k->arr = HPDF_Array_New(t->mm);
    HPDF_Dict_Add(ns, "K", k->arr);
    k->n = 0;
    return ns;
}

static void kids_add(kidlist *k, void *obj)
{
    HPDF_Array_Add(k->arr, obj);
    k->n++;
}

/* A new element of `type` as the next kid of `parent`; its kids in `k`. */
static HPDF_Dict child_elem(jr_tagger *t, kidlist *parent, const char *type, kidlist *k)
{
    HPDF_Dict e = new_elem(t, type);
    HPDF_Dict holder = kids_room(t, parent);
    HPDF_Dict_Add(e, "P", holder);
    kids_add(parent, e);
    if (k)
        kids_init(t, k, e);
    return e;
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
static void elem_type(const jr_tagger *t, selem *e)
{
    const char *s = "P";
    switch (e->sub) {
    case SUB_TITLE:
        s = "H1";
        break;
    case SUB_FIGURE:
        s = "Figure";
        break;
    case SUB_CAPTION:
        s = "Caption";
        break;
    case SUB_LABEL:
        s = "Lbl";
        break;
    case SUB_LINK:
        s = "Link";
        break;
    case SUB_TEXT: {
        const jr_block *b = block_of(t, e->article, e->block);
        if (b && b->kind == JR_BLOCK_HEADING) {
            snprintf(e->type, sizeof e->type, "H%d", heading_level(t, e->article, e->block));
            return;
        }
        if (b && b->kind == JR_BLOCK_CODE)
            s = "Code";
        else if (b && b->kind == JR_BLOCK_FIGURE)
            s = "Caption";
        break;
    }
    default:
        break;
    }
    snprintf(e->type, sizeof e->type, "%s", s);
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
    e->seq = t->nelems;
    elem_type(t, e);
    e->dict = new_elem(t, e->type);
    kids_init(t, &e->kids, e->dict);
    size_t ei = t->nelems++;
    elem_index_put(t, ei);
    if (s == SUB_LINK) {
        /* a kid of its block's element, where its text stands among the rest */
        jr_item text = *it;
        text.link = 0;
        text.kind = JR_ITEM_TEXT;
        size_t pi = find_elem(t, &text);
        selem *p = &t->elems[pi];
        HPDF_Dict holder = kids_room(t, &p->kids);
        HPDF_Dict_Add(t->elems[ei].dict, "P", holder);
        kids_add(&p->kids, t->elems[ei].dict);
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
    t->pages = pages;
    t->parents = jr_xcalloc(dl->npages ? dl->npages : 1, sizeof(HPDF_Array));
    t->last_elem = SIZE_MAX;
    return t;
}

void jr_tags_free(jr_tagger *t)
{
    if (!t)
        return;
    free(t->elems);
    free(t->elem_index);
    free(t->parents);
    free(t->links);
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
    HPDF_Dict holder = kids_room(t, &e->kids);
    if (!holder || t->mcid >= ARRAY_ROOM)
        return artifact(t); /* no room left in the structure (absurd input) */
    if (e->sub == SUB_FIGURE && alt && !HPDF_Dict_GetItem(e->dict, "Alt", HPDF_OCLASS_STRING)) {
        char *a = jr_pdf_clean_text(alt, 2000);
        HPDF_Dict_Add(e->dict, "Alt", HPDF_String_New(t->mm, a, t->utf8));
        free(a);
    }
    size_t page = t->page;
    int mcid = t->mcid++;
    if (!e->has_pg) { /* the element's first page: its MCIDs there are plain numbers */
        HPDF_Dict_Add(e->dict, "Pg", t->pages[page]);
        e->has_pg = true;
        e->pg = page;
    }
    if (e->pg == page && holder == e->dict) {
        HPDF_Array_AddNumber(e->kids.arr, mcid);
        e->kids.n++;
    } else {
        HPDF_Dict mcr = HPDF_Dict_New(t->mm);
        HPDF_Dict_AddName(mcr, "Type", "MCR");
        HPDF_Dict_Add(mcr, "Pg", t->pages[page]);
        HPDF_Dict_AddNumber(mcr, "MCID", mcid);
        kids_add(&e->kids, mcr);
    }
    HPDF_Array_Add(t->parents[page], holder);
    snprintf(t->ops, sizeof t->ops, "%s/%s <</MCID %d>> BDC\n", t->mark ? "EMC\n" : "", e->type,
             mcid);
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
    HPDF_Dict objr = HPDF_Dict_New(t->mm);
    HPDF_Dict_AddName(objr, "Type", "OBJR");
    HPDF_Dict_Add(objr, "Obj", a);
    HPDF_Dict_Add(objr, "Pg", t->pages[t->page]);
    HPDF_Dict link;
    if (pi == SIZE_MAX && it->article >= 0 && it->link > 0) {
        /* the Link element of the doc link, which holds its text too */
        jr_item text = *it;
        text.kind = JR_ITEM_TEXT;
        size_t li = find_elem(t, &text);
        if (!kids_room(t, &t->elems[li].kids))
            return;
        link = t->elems[li].dict;
        kids_add(&t->elems[li].kids, objr);
    } else {
        if (pi == SIZE_MAX) {
            jr_item text = *it;
            text.kind = JR_ITEM_TEXT;
            text.link = 0;
            pi = find_elem(t, &text);
        }
        HPDF_Dict holder = kids_room(t, &t->elems[pi].kids);
        if (!holder)
            return;
        link = new_elem(t, "Link");
        HPDF_Dict_Add(link, "P", holder);
        HPDF_Array kids = HPDF_Array_New(t->mm);
        HPDF_Array_Add(kids, objr);
        HPDF_Dict_Add(link, "K", kids);
        kids_add(&t->elems[pi].kids, link);
    }
    int key = (int)t->dl->npages + (int)t->nlinks;
    HPDF_Dict_AddNumber(a, "StructParent", key);
    JR_GROW(t->links, t->links_cap, t->nlinks + 1);
    t->links[t->nlinks++] = link;
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

/* One entry of the parent tree: a key and what it maps to. */
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
        child_elem(bd->t, &n->li, "LBody", &n->body);
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
            child_elem(bd->t, parent, "BlockQuote", &n->outer);
        } else {
            if (bd->last_ok[k] && bd->last_ordered[k] == c->ordered) {
                n->outer = bd->last_list[k]; /* the next item of the same list */
            } else {
                HPDF_Dict l = child_elem(bd->t, parent, "L", &n->outer);
                HPDF_Dict attr = HPDF_Dict_New(bd->t->mm);
                HPDF_Dict_AddName(attr, "O", "List");
                HPDF_Dict_AddName(attr, "ListNumbering", c->ordered ? "Decimal" : "Disc");
                HPDF_Dict_Add(l, "A", attr);
            }
            child_elem(bd->t, &n->outer, "LI", &n->li);
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

static void set_lang(jr_tagger *t, HPDF_Dict elem, const char *lang)
{
    const char *doc = t->opt->lang;
    if (!lang || !*lang || (doc && strcasecmp(doc, lang) == 0))
        return;
    char *l = jr_pdf_clean_text(lang, 50);
    HPDF_Dict_Add(elem, "Lang", HPDF_String_New(t->mm, l, NULL));
    free(l);
}

void jr_tags_finish(jr_tagger *t)
{
    HPDF_MMgr mm = t->mm;
    HPDF_Dict root = HPDF_Dict_New(mm);
    HPDF_Xref_Add(t->pdf->xref, root);
    HPDF_Dict_AddName(root, "Type", "StructTreeRoot");
    HPDF_Dict doc = new_elem(t, "Document");
    HPDF_Dict_Add(doc, "P", root);
    kidlist dockids;
    kids_init(t, &dockids, doc);
    HPDF_Dict_Add(root, "K", doc);

    /* the first appearance of an article stands for all its elements */
    selem **order = jr_xcalloc(t->nelems ? t->nelems : 1, sizeof *order);
    size_t *first = NULL; /* first appearance per article, SIZE_MAX: none yet */
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
                first[k] = SIZE_MAX;
            nfirst = a + 1;
        }
        if (first[a] == SIZE_MAX)
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
                    child_elem(t, &dockids, "TOC", &toc);
                toc_open = true;
                child_elem(t, &toc, "TOCI", &toci);
                parent = &toci;
            } else {
                toc_open = false;
            }
            HPDF_Dict holder = kids_room(t, parent);
            HPDF_Dict_Add(e->dict, "P", holder);
            kids_add(parent, e->dict);
            continue;
        }
        toc_open = false;
        if (e->article != art_index) {
            art_index = e->article;
            HPDF_Dict art = child_elem(t, &dockids, "Art", &bd->art);
            bd->depth = 0;
            memset(bd->last_ok, 0, sizeof bd->last_ok);
            const jr_article *a = article_of(t, art_index);
            if (a && a->title && *a->title) {
                char *s = jr_pdf_clean_text(a->title, 1000);
                HPDF_Dict_Add(art, "T", HPDF_String_New(mm, s, t->utf8));
                free(s);
            }
            if (a)
                set_lang(t, art, a->lang);
        }
        const jr_block *b = e->block >= 0 ? block_of(t, e->article, e->block) : NULL;
        nest_to(bd, b);
        kidlist *parent = nest_holder(bd, e->sub == SUB_LABEL);
        HPDF_Dict holder = kids_room(t, parent);
        HPDF_Dict_Add(e->dict, "P", holder);
        kids_add(parent, e->dict);
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
                  t->links[i], split);
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
