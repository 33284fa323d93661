/* pdf.c: the PDF back end (libharu 2.3.0). Draws a jr_doclayout.
 *
 * libharu is used for the document structure (pages, fonts, images,
 * annotations, outline, info); the page content is written straight into
 * each page's content stream, so that text goes out as TJ arrays with the
 * engine's kerning (the words of a line in one array, with real spaces) and
 * every number is formatted without the locale (jr_fmt_double).
 *
 * Variants: screen (RGB), print (opt->print: PDF/X-3:2003 with bleed, trim
 * box, crop marks, CMYK, a CMYK output intent, no transparency, no links)
 * and PDF/A-1b (opt->pdfa: XMP, sRGB output intent, CIDSet, no
 * transparency); all are tagged unless opt->untagged (pdf_tags.c: the
 * structure from the items' article, block, tag and group, opt->edition for
 * block kinds; this file only writes the operators it hands back).
 *
 * libharu's traps on this machine (see /work/shared/notes/libharu.md), and
 * what is done about them here:
 *  - the ToUnicode CMap of its UTF-8 fonts is malformed: replaced
 *    (repair_tounicode);
 *  - characters must be measured once so that their glyphs enter the subset;
 *  - its subset keeps all glyph names: the font program is rewritten with a
 *    'post' table without them (slim_font_program);
 *  - after an error the document is unusable: the error handler longjmps
 *    back to jr_pdf_write, which only frees it;
 *  - images never reach libharu undecoded except JPEGs that libjpeg read
 *    completely (jr_image_check) and that every reader can decode; plain
 *    PNGs, checked the same way, go in as their zlib data (pdf_image.c);
 *  - fonts are subset with HarfBuzz before libharu loads them (pdf_font.c),
 *    and page content streams are deflated before saving, in two threads
 *    (pdf_deflate.c): libharu's own paths are slow (see pdf_speed.h);
 *  - HPDF_OutputIntent_New misspells a key, HPDF_Destination_SetXYZ refuses a
 *    null zoom, HPDF_AddPageLabel cannot leave a page unnumbered, an empty
 *    page gets an empty (invalid) Flate stream: done by hand. */
#define _POSIX_C_SOURCE 200809L
#include "pdf.h"
#include "pdf_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_error.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_list.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include "diag.h"
#include "image.h"
#include "pdf_speed.h"
#include "util.h"

/* ICC profiles (Debian package libgs-common). */
#define CMYK_PROFILE "/usr/share/color/icc/ghostscript/default_cmyk.icc"
#define SRGB_PROFILE "/usr/share/color/icc/ghostscript/srgb.icc"

/* Room outside the bleed for crop marks (print variant) [pt]. */
#define MARK_GAP    3.0  /* between the bleed edge and a mark */
#define MARK_LENGTH 12.0 /* length of a crop mark */
#define MARK_ROOM   (MARK_GAP + MARK_LENGTH + 3.0)

/* Widths remembered per font for code points below this (the rest are
 * asked from libharu each time). */
#define WIDTH_CACHE 0x3000

typedef struct font_slot {
    bool tried;
    HPDF_Font font; /* NULL if it could not be loaded */
    int *widths; /* [WIDTH_CACHE] libharu's widths (1/1000 em), INT_MIN unknown; NULL until used */
    unsigned char space;  /* a glyph for U+0020: 1 yes, 2 no, 0 not known yet */
    jr_pdf_own_font *own; /* our own font objects (pdf_font.c; owned by subsets), else NULL */
} font_slot;

/* The content stream of the page being drawn (compressed when the page is
 * done, pdf_deflate.c). */
typedef struct outbuf {
    char *d;
    size_t n, cap;
} outbuf;

typedef struct image_slot {
    bool tried;
    HPDF_Image image; /* NULL if the file could not be read */
    int orientation;  /* EXIF orientation, 1..8 */
} image_slot;

/* A document ID from what the document holds (deterministic: the same input
 * gives the same file): two FNV-1a hashes over the options and every text. */
typedef struct id_hash {
    uint64_t a, b;
} id_hash;

static void id_add(id_hash *h, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        h->a = (h->a ^ *p) * 1099511628211ull;
        h->b = (h->b ^ (uint64_t)(*p + 0x9E)) * 1099511628211ull + 0x3779;
    }
    h->a = (h->a ^ 0xFF) * 1099511628211ull; /* separator */
}

typedef struct pdf_ctx {
    id_hash idh; /* the document ID's hash (id_begin, id_page, add_id) */
    HPDF_Doc pdf;
    jmp_buf jb;
    HPDF_STATUS err_no, err_detail;
    const char *stage; /* what was being done, for the error message */
    const jr_doclayout *dl;
    const jr_pdf_options *opt;
    HPDF_Encoder utf8;
    font_slot *fonts;
    size_t nfonts;
    struct jr_pdf_fonts *subsets; /* code points drawn per font (pdf_font.c) */
    image_slot *images;
    HPDF_Page *pages;
    double ox, oy;  /* offset of the trim box in the media box (print) [pt] */
    bool cmyk;      /* colours as CMYK (print variant) */
    bool flatten;   /* no transparency: alpha composited onto white */
    bool links;     /* write link annotations (not in the print variant) */
    HPDF_Dict srgb; /* sRGB ICC profile stream, made once (print variant) */
    struct icc_prof {
        unsigned char *data; /* owned */
        size_t len;
        HPDF_Dict stream;
    } * profiles; /* profiles embedded in image files, once each */
    size_t nprofiles, profiles_cap;
    bool srgb_tried;
    /* tagged PDF (pdf_tags.c), NULL when untagged */
    jr_tagger *tags;
    unsigned page_annots;  /* annotations on the page being drawn */
    jr_deflater *defl;     /* page contents and our other streams (pdf_deflate.c) */
    struct out_file *file; /* the PDF file while saving */
    /* content state of the page being drawn */
    outbuf out;
    HPDF_Page page;
    const jr_page *pg;
    size_t item_index; /* of the item being drawn in pg */
    bool in_text;
    double tx, ty;    /* text line start within BT [pt], as written (rounded) */
    bool tj_open;     /* a TJ array is open: the next word may join it */
    double pen_x;     /* where the open TJ leaves the pen, by the PDF's widths [pt] */
    uint32_t last_cp; /* the last character in the open TJ */
    /* tagged: items (by page: hyph_items[hyph_first[p] .. hyph_first[p+1]))
     * that end a line with a hyphen the line breaker put in; the hyphen is
     * an artifact, so that the word reads whole */
    size_t *hyph_first, *hyph_items;
    bool hyph_end; /* the item being drawn is one */
    HPDF_Font cur_font;
    double cur_size;
    /* character spacing (Tc): every glyph's advance changes by tc [pt], set
     * to -tc_t / 1000 em at size tc_size; letter-spaced text then needs no
     * number between its letters */
    double tc, tc_size;
    int tc_t;
    bool fill_set, stroke_set, lw_set;
    jr_color fill, stroke;
    double lw;
} pdf_ctx;

/* ---- libharu's memory ----------------------------------------------------
 *
 * A document is some 10,000 small objects (the structure tree: dictionaries
 * whose every key is a 128-byte array) that libharu allocates one by one
 * and frees one by one. They come from an arena per document instead:
 * small blocks carved from 256 KB chunks and reused by size when libharu
 * frees them, larger ones from malloc; the chunks go when the document is
 * freed. libharu's allocation hooks have no user data: the arena is the
 * thread's (a document is made, saved and freed on one thread). */
#define ARENA_CHUNK (64u * 1024)
#define ARENA_SMALL 8192 /* larger blocks: malloc */
#define ARENA_ALIGN 8

typedef struct arena_chunk {
    struct arena_chunk *next;
} arena_chunk;

typedef struct doc_arena {
    char *cur;   /* free space in the newest chunk */
    size_t left; /* bytes */
    arena_chunk *chunks;
    void *free_list[ARENA_SMALL / ARENA_ALIGN + 2]; /* freed blocks by size class */
} doc_arena;

static _Thread_local doc_arena *tl_arena;

/* Each block has a header of ARENA_ALIGN bytes: its size class, 0 for a
 * malloc'd block. */
static void *arena_alloc(HPDF_UINT size)
{
    doc_arena *a = tl_arena;
    size_t need = ((size_t)size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    if (!a || need > ARENA_SMALL) {
        size_t *p = malloc(need + ARENA_ALIGN);
        if (!p)
            return NULL;
        p[0] = 0;
        return (char *)p + ARENA_ALIGN;
    }
    size_t cls = need / ARENA_ALIGN;
    void *f = a->free_list[cls];
    if (f) {
        a->free_list[cls] = *(void **)f;
        return f;
    }
    if (a->left < need + ARENA_ALIGN) {
        arena_chunk *ch = malloc(ARENA_CHUNK);
        if (!ch)
            return NULL;
        ch->next = a->chunks;
        a->chunks = ch;
        a->cur = (char *)ch + ARENA_ALIGN * ((sizeof *ch + ARENA_ALIGN - 1) / ARENA_ALIGN);
        a->left = ARENA_CHUNK - (size_t)(a->cur - (char *)ch);
    }
    size_t *h = (size_t *)a->cur;
    h[0] = cls;
    a->cur += need + ARENA_ALIGN;
    a->left -= need + ARENA_ALIGN;
    return (char *)h + ARENA_ALIGN;
}

static void arena_free(void *p)
{
    if (!p)
        return;
    size_t *h = (size_t *)((char *)p - ARENA_ALIGN);
    if (h[0] == 0) {
        free(h);
        return;
    }
    doc_arena *a = tl_arena;
    if (!a)
        return; /* (never: freed with the arena) */
    *(void **)p = a->free_list[h[0]];
    a->free_list[h[0]] = p;
}

static void arena_release(doc_arena *a)
{
    while (a->chunks) {
        arena_chunk *n = a->chunks->next;
        free(a->chunks);
        a->chunks = n;
    }
}

/* ---- diagnostics, held back for PDFs written on other threads ---------- */

/* The messages the PDF writer reports: two strings, or (JR_E_PDF) two
 * numbers and a string. */
typedef struct held_diag {
    jr_diag_id id;
    char *source, *s1, *s2;
    unsigned u1, u2;
} held_diag;

struct jr_pdf_diags {
    held_diag *d;
    size_t n, cap;
};

/* Where this thread's PDF diagnostics go; NULL: reported at once. */
static _Thread_local jr_pdf_diags *held;

static char *dup_or_null(const char *s)
{
    return s ? jr_xstrdup(s) : NULL;
}

static void diag2(jr_diag_id id, const char *source, const char *s1, const char *s2)
{
    if (!held) {
        jr_diag(id, source, 0, 0, s1, s2);
        return;
    }
    JR_GROW(held->d, held->cap, held->n + 1);
    held->d[held->n++] =
        (held_diag){id, dup_or_null(source), dup_or_null(s1), dup_or_null(s2), 0, 0};
}

static void diag_pdf(const char *source, unsigned u1, unsigned u2, const char *what)
{
    if (!held) {
        jr_diag(JR_E_PDF, source, 0, 0, u1, u2, what);
        return;
    }
    JR_GROW(held->d, held->cap, held->n + 1);
    held->d[held->n++] =
        (held_diag){JR_E_PDF, dup_or_null(source), dup_or_null(what), NULL, u1, u2};
}

void jr_pdf_diags_report(jr_pdf_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        held_diag *h = &d->d[i];
        if (h->id == JR_E_PDF)
            jr_diag(h->id, h->source, 0, 0, h->u1, h->u2, h->s1);
        else
            jr_diag(h->id, h->source, 0, 0, h->s1, h->s2);
    }
    jr_pdf_diags_free(d);
}

void jr_pdf_diags_free(jr_pdf_diags *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->d[i].source);
        free(d->d[i].s1);
        free(d->d[i].s2);
    }
    free(d->d);
    free(d);
}

int jr_pdf_write_held(const jr_doclayout *dl, const jr_pdf_options *opt, const char *path,
                      jr_pdf_diags **diags)
{
    jr_pdf_diags *prev = held;
    held = jr_xcalloc(1, sizeof *held);
    int rc = jr_pdf_write(dl, opt, path);
    *diags = held;
    held = prev;
    return rc;
}

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    pdf_ctx *c = user_data;
    c->err_no = error_no;
    c->err_detail = detail_no;
    longjmp(c->jb, 1);
}

/* ---- writing the content stream ---------------------------------------- */

static void ob_grow(outbuf *o, size_t n)
{
    size_t cap = o->cap ? o->cap : 8192;
    while (cap - o->n < n)
        cap *= 2;
    o->d = jr_xrealloc(o->d, cap);
    o->cap = cap;
}

static inline void ob_put(outbuf *o, const char *s, size_t n)
{
    if (o->cap - o->n < n)
        ob_grow(o, n);
    memcpy(o->d + o->n, s, n);
    o->n += n;
}

static inline void ob_putc(outbuf *o, char ch)
{
    if (o->cap == o->n)
        ob_grow(o, 1);
    o->d[o->n++] = ch;
}

/* A decimal integer as "%ld" writes it, at the end of d: where it starts. */
static inline int long_digits(long v, char d[24])
{
    int n = 24;
    unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
    do {
        d[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        d[--n] = '-';
    return n;
}

static inline void ob_long(outbuf *o, long v)
{
    char d[24];
    int n = long_digits(v, d);
    ob_put(o, d + n, sizeof d - (size_t)n);
}

/* A UCS-2 code in a literal string: its two bytes as they are (half the
 * bytes of hex), the string delimiters, the backslash and CR escaped (a
 * reader would turn a bare CR into LF). `w` has room for 4 bytes. */
static inline char *put_code(char *w, unsigned v)
{
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    for (int i = 0; i < 2; i++) {
        unsigned char ch = b[i];
        if (ch == '(' || ch == ')' || ch == '\\') {
            *w++ = '\\';
            *w++ = (char)ch;
        } else if (ch == '\r') {
            *w++ = '\\';
            *w++ = 'r';
        } else {
            *w++ = (char)ch;
        }
    }
    return w;
}

/* A literal string of one code. */
static inline void ob_code(outbuf *o, unsigned v)
{
    if (o->cap - o->n < 6)
        ob_grow(o, 6);
    char *w = o->d + o->n;
    *w++ = '(';
    w = put_code(w, v);
    *w++ = ')';
    o->n = (size_t)(w - o->d);
}

static void emit(pdf_ctx *c, const char *s)
{
    ob_put(&c->out, s, strlen(s));
}

/* PDF 1.4's implementation limit for reals (PDF/A-1 holds files to it). */
#define REAL_MAX 32767.0

/* A number as PDF wants it: no exponent, no locale, at most 3 decimals.
 * Non-finite and absurd values are clamped (they come from bad input). */
static void emit_num(pdf_ctx *c, double v, int decimals)
{
    if (!isfinite(v))
        v = 0;
    if (v > REAL_MAX)
        v = REAL_MAX;
    if (v < -REAL_MAX)
        v = -REAL_MAX;
    /* as jr_fmt_double writes it (integer part, '.', the fraction without
     * trailing zeros), straight into the stream */
    static const long long scales[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    long long scale = scales[decimals];
    bool neg = v < 0;
    double av = neg ? -v : v;
    long long q = (long long)(av * (double)scale + 0.5);
    long long ip = q / scale, fp = q % scale;
    char tmp[48];
    int n = sizeof tmp;
    tmp[--n] = ' ';
    int fd = decimals;
    while (fd > 0 && fp != 0 && fp % 10 == 0) {
        fp /= 10;
        fd--;
    }
    if (fp != 0) {
        for (int i = 0; i < fd; i++) {
            tmp[--n] = (char)('0' + (int)(fp % 10));
            fp /= 10;
        }
        tmp[--n] = '.';
    }
    do {
        tmp[--n] = (char)('0' + (int)(ip % 10));
        ip /= 10;
    } while (ip);
    if (neg && q != 0)
        tmp[--n] = '-';
    ob_put(&c->out, tmp + n, sizeof tmp - (size_t)n);
}

/* v rounded to thousandths of a point (as emit_num writes it), clamped. */
static double round3(double v)
{
    if (!isfinite(v))
        return 0;
    if (v > REAL_MAX / 2)
        v = REAL_MAX / 2; /* (Td writes differences of two of them) */
    if (v < -REAL_MAX / 2)
        v = -REAL_MAX / 2;
    double r = v * 1000.0; /* half away from zero, as llround */
    return (double)(r >= 0 ? (long long)(r + 0.5) : -(long long)(0.5 - r)) / 1000.0;
}

static double clamp01(double v)
{
    if (!(v >= 0))
        return 0;
    return v > 1 ? 1 : v;
}

static bool same_color(const jr_color *a, const jr_color *b, bool cmyk)
{
    if (cmyk)
        return a->c == b->c && a->m == b->m && a->y == b->y && a->k == b->k;
    return a->r == b->r && a->g == b->g && a->b == b->b;
}

static void emit_color(pdf_ctx *c, const jr_color *col, bool stroke)
{
    if (c->cmyk) {
        emit_num(c, clamp01(col->c), 4);
        emit_num(c, clamp01(col->m), 4);
        emit_num(c, clamp01(col->y), 4);
        emit_num(c, clamp01(col->k), 4);
        emit(c, stroke ? "K\n" : "k\n");
    } else {
        emit_num(c, clamp01(col->r), 4);
        emit_num(c, clamp01(col->g), 4);
        emit_num(c, clamp01(col->b), 4);
        emit(c, stroke ? "RG\n" : "rg\n");
    }
}

static void set_fill(pdf_ctx *c, const jr_color *col)
{
    if (c->fill_set && same_color(&c->fill, col, c->cmyk))
        return;
    emit_color(c, col, false);
    c->fill = *col;
    c->fill_set = true;
}

static void set_stroke(pdf_ctx *c, const jr_color *col, double width)
{
    if (!c->stroke_set || !same_color(&c->stroke, col, c->cmyk)) {
        emit_color(c, col, true);
        c->stroke = *col;
        c->stroke_set = true;
    }
    if (!c->lw_set || c->lw != width) {
        emit_num(c, width, 3);
        emit(c, "w\n");
        c->lw = width;
        c->lw_set = true;
    }
}

static void close_tj(pdf_ctx *c)
{
    if (c->tj_open) {
        emit(c, "] TJ\n");
        c->tj_open = false;
    }
}

static void end_text(pdf_ctx *c)
{
    close_tj(c);
    if (c->in_text) {
        emit(c, "ET\n");
        c->in_text = false;
    }
}

/* ---- fonts --------------------------------------------------------------- */

/* libharu's ToUnicode CMap for UTF-8 fonts uses CID-CMap operators
 * (begincidrange) that PDF readers reject. Codes in the content stream are
 * UCS-2 code points, so the proper CMap is the identity on the BMP without
 * the surrogates: rewrite the stream with bfrange blocks of one high byte
 * each (a bfrange may only vary in its last byte), at most 100 per block. */
static void repair_tounicode(pdf_ctx *c, HPDF_Font font)
{
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_Dict cmap = attr ? attr->cmap_stream : NULL;
    if (!cmap || !cmap->stream)
        return;
    HPDF_MemStream_FreeData(cmap->stream);
    /* (RemoveElement sets no error for a missing key; GetItem would.) */
    static const char *const keys[] = {"Type", "CMapName", "CIDSystemInfo", "WMode"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        HPDF_Dict_RemoveElement(cmap, keys[i]);
    size_t len = 0;
    const char *text = jr_pdf_tounicode(&len);
    if (!text)
        return;
    if (!jr_deflater_stream(c->defl, cmap, text, len))
        HPDF_Stream_Write(cmap->stream, (const HPDF_BYTE *)text, (HPDF_UINT)len);
}

/* libharu's CIDToGIDMap has an entry for every UCS-2 code (128 KB, nearly
 * all of it zeros with a subset font): cut after the last code with a
 * glyph (later CIDs map to glyph 0 all the same) and compress it. */
static void shrink_cid_map(pdf_ctx *c, HPDF_Font font)
{
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_Dict map = attr ? attr->map_stream : NULL;
    if (!map || !map->stream || map->stream->type != HPDF_STREAM_MEMORY)
        return;
    HPDF_UINT32 size = HPDF_Stream_Size(map->stream);
    if (size == 0 || size > 131072)
        return;
    unsigned char *d = jr_xmalloc(size);
    HPDF_UINT got = size;
    if (HPDF_Stream_Seek(map->stream, 0, HPDF_SEEK_SET) != HPDF_OK ||
        HPDF_Stream_Read(map->stream, d, &got) != HPDF_OK || got != size) {
        free(d);
        return;
    }
    size_t n = size & ~(size_t)1;
    while (n >= 2 && d[n - 1] == 0 && d[n - 2] == 0)
        n -= 2;
    if (n == 0)
        n = 2;
    if (!jr_deflater_stream(c->defl, map, d, n)) {
        HPDF_MemStream_FreeData(map->stream);
        HPDF_Stream_Write(map->stream, d, (HPDF_UINT)n);
    }
    free(d);
}

/* PDF/A-1 wants a CIDSet stream in the descriptor of every subset CID font,
 * listing the CIDs whose glyphs are in the subset. libharu makes the
 * descriptor only while saving (in the Type0 font's before-write hook), so
 * ours runs after it. CIDs are Unicode code points here (CIDToGIDMap maps
 * them to glyphs); libharu's own table says which glyphs were used. All
 * fonts share libharu's one hook function. */
static HPDF_Dict_BeforeWriteFunc font_hook_orig;
static pthread_mutex_t font_hook_lock = PTHREAD_MUTEX_INITIALIZER;

/* The deflater of the document being saved (font programs; libharu's
 * hooks have no user data). */
static _Thread_local jr_deflater *hook_defl;

/* libharu cuts only the glyf table of an embedded font; its 'post' table
 * keeps every glyph name (35 KB for Noto Serif) that nobody reads in a
 * CID font. Rewrite the font program with a format 3 'post' (no names):
 * the other tables unchanged, checksums and head.checkSumAdjustment anew. */
static void slim_font_program(HPDF_Dict descriptor)
{
    HPDF_Dict ff = HPDF_Dict_GetItem(descriptor, "FontFile2", HPDF_OCLASS_DICT);
    if (!ff || !ff->stream)
        return;
    HPDF_UINT32 size = HPDF_Stream_Size(ff->stream);
    if (size < 12 || size > (64u << 20))
        return;
    unsigned char *d = jr_xmalloc(size);
    HPDF_UINT got = size;
    if (HPDF_Stream_Seek(ff->stream, 0, HPDF_SEEK_SET) != HPDF_OK ||
        HPDF_Stream_Read(ff->stream, d, &got) != HPDF_OK || got != size) {
        free(d);
        return;
    }
    size_t pos = 0;
    unsigned char *o = jr_tt_post3(d, size, &pos);
    if (!o) {
        free(d);
        return;
    }
    if (!jr_deflater_stream(hook_defl, ff, o, pos)) {
        HPDF_MemStream_FreeData(ff->stream);
        HPDF_Stream_Write(ff->stream, o, (HPDF_UINT)pos);
    }
    HPDF_Dict_AddNumber(ff, "Length1", (HPDF_INT32)pos);
    free(o);
    free(d);
}

static HPDF_STATUS add_cidset(HPDF_Dict obj)
{
    HPDF_FontAttr attr = (HPDF_FontAttr)obj->attr;
    HPDF_FontDef def = attr ? attr->fontdef : NULL;
    if (!def || !def->descriptor || def->type != HPDF_FONTDEF_TYPE_TRUETYPE)
        return HPDF_OK;
    HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)def->attr;
    if (!ta || !ta->glyph_tbl.flgs)
        return HPDF_OK;
    for (HPDF_UINT i = 0; i < def->descriptor->list->count; i++) {
        HPDF_DictElement e = HPDF_List_ItemAt(def->descriptor->list, i);
        if (strcmp(e->key, "CIDSet") == 0)
            return HPDF_OK; /* one descriptor, several writes */
    }
    unsigned char bits[65536 / 8];
    memset(bits, 0, sizeof bits);
    bits[0] = 0x80; /* CID 0, .notdef, is always in the font */
    size_t last = 0;
    for (unsigned cid = 1; cid < 65536; cid++) {
        HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cid);
        if (gid && gid < ta->num_glyphs && ta->glyph_tbl.flgs[gid]) {
            bits[cid / 8] |= (unsigned char)(0x80u >> (cid % 8));
            last = cid / 8;
        }
    }
    HPDF_Dict set = HPDF_DictStream_New(obj->mmgr, attr->xref);
    if (!set)
        return HPDF_Error_GetCode(obj->error);
    set->filter = obj->filter;
    HPDF_Stream_Write(set->stream, bits, (HPDF_UINT)(last + 1));
    return HPDF_Dict_Add(def->descriptor, "CIDSet", set);
}

/* Whether the document being saved is PDF/A (libharu's hooks have no user
 * data; set by write_doc just before saving). */
static _Thread_local bool hook_cidset;

/* libharu's before-write hook of a Type0 font (it makes the descriptor and
 * the font program), then ours: a slimmer font program, and for PDF/A the
 * CIDSet. */
static HPDF_STATUS font_hook(HPDF_Dict obj)
{
    pthread_mutex_lock(&font_hook_lock);
    HPDF_Dict_BeforeWriteFunc orig = font_hook_orig;
    pthread_mutex_unlock(&font_hook_lock);
    HPDF_STATUS ret = orig ? orig(obj) : HPDF_OK;
    if (ret != HPDF_OK)
        return ret;
    HPDF_FontAttr attr = (HPDF_FontAttr)obj->attr;
    HPDF_FontDef def = attr ? attr->fontdef : NULL;
    if (!def || !def->descriptor || def->type != HPDF_FONTDEF_TYPE_TRUETYPE)
        return HPDF_OK;
    /* libharu's hook has just given the CMap and the CIDToGIDMap its
     * filter: those we compressed keep none */
    if (attr->cmap_stream && attr->cmap_stream->write_fn)
        attr->cmap_stream->filter = HPDF_STREAM_FILTER_NONE;
    if (attr->map_stream && attr->map_stream->write_fn)
        attr->map_stream->filter = HPDF_STREAM_FILTER_NONE;
    slim_font_program(def->descriptor);
    return hook_cidset ? add_cidset(obj) : HPDF_OK;
}

/* Does the font have a glyph for `cp` (else CID cp would draw .notdef)? */
static bool has_glyph(HPDF_Font font, HPDF_UINT16 cp)
{
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_FontDef def = attr ? attr->fontdef : NULL;
    return def && def->type == HPDF_FONTDEF_TYPE_TRUETYPE &&
           HPDF_TTFontDef_GetGlyphid(def, cp) != 0;
}

/* The font for id `id`, loaded on first use; NULL if there is none. */
static HPDF_Font get_font(pdf_ctx *c, int id)
{
    if (id < 0 || (size_t)id >= c->nfonts)
        return NULL;
    font_slot *s = &c->fonts[id];
    if (s->tried)
        return s->font;
    s->tried = true;
    const jr_font_info *fi = jr_font_get(c->dl->fonts, id);
    if (!fi || !fi->path)
        return NULL;
    /* The same file under two ids: share the font. */
    for (size_t i = 0; i < c->nfonts; i++) {
        if ((int)i == id || !c->fonts[i].font)
            continue;
        const jr_font_info *o = jr_font_get(c->dl->fonts, (int)i);
        if (o && o->path && strcmp(o->path, fi->path) == 0 && o->face_index == fi->face_index) {
            s->font = c->fonts[i].font;
            s->own = c->fonts[i].own;
            return s->font;
        }
    }
    c->stage = fi->path;
    if (!c->subsets) /* the font cut down to the document's code points (pdf_font.c) */
        c->subsets = jr_pdf_fonts_new(c->dl);
    /* JOURNAL_PDF_LIBHARU_FONTS=1: libharu makes the font objects (the slow
     * path, for tests comparing both) */
    const char *slow = getenv("JOURNAL_PDF_LIBHARU_FONTS");
    if (!(slow && strcmp(slow, "1") == 0))
        s->own = jr_pdf_fonts_own(c->subsets, c->pdf, id, c->defl, c->opt->pdfa);
    if (s->own) { /* its objects made by us from the subset, not by libharu */
        s->font = jr_pdf_own_dict(s->own);
        c->stage = NULL;
        return s->font;
    }
    const char *name = jr_pdf_fonts_load(c->subsets, c->pdf, id);
    if (!name)
        name = fi->face_index > 0 ? HPDF_LoadTTFontFromFile2(c->pdf, fi->path,
                                                             (HPDF_UINT)fi->face_index, HPDF_TRUE)
                                  : HPDF_LoadTTFontFromFile(c->pdf, fi->path, HPDF_TRUE);
    if (name)
        s->font = HPDF_GetFont(c->pdf, name, "UTF-8");
    if (s->font) {
        repair_tounicode(c, s->font);
        shrink_cid_map(c, s->font);
        if (s->font->before_write_fn && s->font->before_write_fn != font_hook) {
            /* chain our hook after libharu's (which makes the descriptor;
             * the same function for every font, whatever the thread) */
            pthread_mutex_lock(&font_hook_lock);
            font_hook_orig = s->font->before_write_fn;
            pthread_mutex_unlock(&font_hook_lock);
            s->font->before_write_fn = font_hook;
        }
    }
    c->stage = NULL;
    return s->font;
}

/* ---- items --------------------------------------------------------------- */

/* libharu's width of `cp` in the font of slot `s` [1/1000 em]. Asking
 * libharu also puts the glyph into the embedded subset, so every drawn
 * code point is asked once per document. */
static inline int char_width(font_slot *s, uint32_t cp)
{
    if (s->own)
        return jr_pdf_own_width(s->own, cp);
    if (cp >= WIDTH_CACHE)
        return HPDF_Font_GetUnicodeWidth(s->font, (HPDF_UNICODE)cp);
    if (!s->widths) {
        s->widths = jr_xmalloc(WIDTH_CACHE * sizeof *s->widths);
        for (size_t i = 0; i < WIDTH_CACHE; i++)
            s->widths[i] = INT_MIN;
    }
    int w = s->widths[cp];
    if (w == INT_MIN)
        w = s->widths[cp] = HPDF_Font_GetUnicodeWidth(s->font, (HPDF_UNICODE)cp);
    return w;
}

static bool slot_has_space(font_slot *s)
{
    if (s->space == 0)
        s->space = (s->own ? jr_pdf_own_has(s->own, 0x20) : has_glyph(s->font, 0x20)) ? 1 : 2;
    return s->space == 1;
}

/* The most frequent of n numbers (0 for none): the letter spacing of a
 * letter-spaced run, so that Tc can carry it. */
static int mode_of(const int *v, size_t n)
{
    int val[4] = {0}, cnt[4] = {0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < k && val[j] != v[i])
            j++;
        if (j == k) {
            if (k == 4)
                continue;
            val[k++] = v[i];
        }
        cnt[j]++;
    }
    int best = 0, bc = 0;
    for (size_t j = 0; j < k; j++)
        if (cnt[j] > bc) {
            bc = cnt[j];
            best = val[j];
        }
    return best;
}

/* The letter spacing of the next few words on the line (same font, size
 * and baseline) when the word starting it has one letter: from their kern
 * arrays (the numbers between letters). */
static int peek_spacing(const pdf_ctx *c, const jr_item *it)
{
    for (size_t i = c->item_index + 1; c->pg && i < c->pg->nitems && i < c->item_index + 8; i++) {
        const jr_item *o = &c->pg->items[i];
        if (o->kind != JR_ITEM_TEXT || o->font != it->font || o->size != it->size ||
            o->y != it->y || !o->text)
            break;
        size_t n = o->kern ? jr_utf8_count(o->text, strlen(o->text)) : 0;
        if (n >= 3)
            return mode_of(o->kern + 1, n - 1);
    }
    return 0;
}

/* Tc for `t` thousandths of an em (negative: tighter) at `size`. */
static void set_spacing(pdf_ctx *c, int t, double size)
{
    if (t == 0 ? c->tc == 0 : (c->tc_t == t && c->tc_size == size))
        return;
    double v = -(double)t * size / 1000.0;
    double r = (double)llround(v * 1e6) / 1e6; /* as written */
    emit_num(c, v, 6);
    emit(c, "Tc\n");
    c->tc = r;
    c->tc_t = t;
    c->tc_size = size;
}

#define TEXT_STACK 128

static void draw_text(pdf_ctx *c, HPDF_Page page, const jr_item *it)
{
    if (!it->text || !(it->size > 0) || it->size > HPDF_MAX_FONTSIZE)
        return;
    HPDF_Font font = get_font(c, it->font);
    if (!font)
        return;
    font_slot *slot = &c->fonts[it->font];
    size_t len = strlen(it->text);
    /* kern has one entry per code point as jr_utf8_count counts them; never
     * read past that, whatever bytes the text holds */
    size_t nkern = it->kern ? jr_utf8_count(it->text, len) : 0;
    /* The drawn characters and the numbers before them (adj[0] unused). */
    uint16_t cps_stack[TEXT_STACK];
    int adj_stack[TEXT_STACK];
    uint16_t *cps = cps_stack;
    int *adj = adj_stack;
    if (len > TEXT_STACK) {
        cps = jr_xmalloc(len * sizeof *cps);
        adj = jr_xmalloc(len * sizeof *adj);
    }
    size_t m = 0;
    long wsum = 0;   /* widths of the drawn characters */
    int pending = 0; /* kerning before the next drawn character */
    size_t i = 0, k = 0;
    while (i < len) {
        uint32_t cp;
        size_t n;
        unsigned char ch = (unsigned char)it->text[i];
        if (ch >= 0x20 && ch < 0x80) {
            cp = ch;
            n = 1;
        } else {
            n = jr_utf8_decode(it->text + i, len - i, &cp);
            if (n == 0)
                n = 1; /* invalid byte: cp is U+FFFD */
        }
        if (k < nkern)
            pending += it->kern[k];
        k++;
        i += n;
        if (cp == 0xAD || cp > 0xFFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x20) {
            /* A soft hyphen, or nothing libharu could draw: left out. The
             * engine's kerning assumes every code point advances by its
             * nominal width, so give that width back. */
            if (cp <= 0xFFFF)
                pending -= char_width(slot, cp);
            continue;
        }
        wsum += char_width(slot, cp);
        cps[m] = (uint16_t)cp;
        adj[m] = m > 0 ? pending : 0; /* (none before the first: x holds it) */
        m++;
        pending = 0;
    }
    if (m == 0)
        goto done;
    uint32_t last = cps[m - 1];
    /* a hyphen put in by hyphenation: drawn on its own as an artifact, out
     * of the text */
    bool hyph =
        c->hyph_end && c->tags && (last == '-' || last == 0x2010) && (m > 1 || last == 0x2010);
    size_t mm = hyph ? m - 1 : m; /* characters in the TJ array */
    double size = it->size;
    double x = round3(it->x), y = round3(it->y);
    /* The next word on the same line in the same font, size and colour
     * joins the open TJ array after a real space (so that copied text has
     * its spaces); the number after the space puts it at x. */
    double gap = x - c->pen_x;
    bool join = c->tj_open && font == c->cur_font && size == c->cur_size && y == c->ty &&
                slot_has_space(slot) && c->fill_set &&
                same_color(&c->fill, jr_doclayout_item_color(c->dl, it), c->cmyk) &&
                gap > 0.1 * size && gap < 4 * size;
    double sw = join || c->tj_open ? char_width(slot, 0x20) * size / 1000.0 : 0;
    outbuf *o = &c->out;
    if (join) {
        long a = lround((c->pen_x + sw + c->tc - x) * 1000.0 / size);
        ob_putc(o, ' ');
        ob_code(o, 0x20);
        ob_putc(o, ' ');
        ob_long(o, a);
        ob_putc(o, ' ');
        c->pen_x = c->pen_x + sw + c->tc - (double)a * size / 1000.0;
    } else {
        /* A word after a gap (another font, the next line or column)
         * starts with a real space that takes back its own width, so that
         * text extraction and screen readers see two words; not after a
         * hyphen or dash, where a word may go on on the next line. */
        bool space = c->tj_open && (y != c->ty || gap > 0.1 * size || gap < -0.1 * size) &&
                     c->last_cp != '-' && !(c->last_cp >= 0x2010 && c->last_cp <= 0x2014) &&
                     c->last_cp != '/' && slot_has_space(slot);
        close_tj(c);
        if (!c->in_text) {
            emit(c, "BT\n");
            c->in_text = true;
            c->tx = c->ty = 0;
        }
        if (font != c->cur_font || size != c->cur_size) {
            const char *name = HPDF_Page_GetLocalFontName(page, font);
            ob_putc(o, '/');
            emit(c, name ? name : "F0");
            ob_putc(o, ' ');
            emit_num(c, size, 4);
            emit(c, "Tf\n");
            c->cur_font = font;
            c->cur_size = size;
        }
        set_fill(c, jr_doclayout_item_color(c->dl, it));
        /* the letter spacing of this word (or the next ones) goes into Tc */
        set_spacing(c, mm >= 2 ? mode_of(adj + 1, mm - 1) : peek_spacing(c, it), size);
        /* Td moves relative to the last line start; computed from the
         * rounded absolute positions so that no error accumulates. */
        emit_num(c, x - c->tx, 3);
        emit_num(c, y - c->ty, 3);
        emit(c, "Td\n[");
        if (space) {
            /* the space's advance with Tc, taken back */
            int sp = char_width(slot, 0x20);
            ob_code(o, 0x20);
            ob_putc(o, ' ');
            ob_long(o, lround(sp + c->tc * 1000.0 / size));
            ob_putc(o, ' ');
        }
        c->tj_open = true;
        c->tx = x;
        c->ty = y;
        c->pen_x = x;
    }
    /* the characters, the numbers between them less the spacing Tc gives */
    int t = c->tc == 0 ? 0 : c->tc_t; /* (Tc is always set for this size unless 0) */
    long nsum = 0;                    /* the numbers written, with the one before a cut hyphen */
    if (mm > 0) {
        /* room for the string and a number before every character */
        size_t room = 2 + mm * 30;
        if (o->cap - o->n < room)
            ob_grow(o, room);
        char *w = o->d + o->n;
        *w++ = '(';
        for (size_t j = 0; j < mm; j++) {
            int a = j > 0 ? adj[j] - t : 0;
            if (a != 0) {
                *w++ = ')';
                *w++ = ' ';
                char d[24];
                int dn = long_digits(a, d);
                memcpy(w, d + dn, sizeof d - (size_t)dn);
                w += sizeof d - (size_t)dn;
                *w++ = ' ';
                *w++ = '(';
                nsum += a;
            }
            w = put_code(w, cps[j]);
        }
        *w++ = ')';
        o->n = (size_t)(w - o->d);
    }
    if (hyph && m > 1)
        nsum += adj[m - 1] - t;
    /* where the pen ends, by the PDF's widths and Tc */
    c->pen_x += ((double)wsum - (double)nsum) * size / 1000.0 + (double)m * c->tc;
    c->last_cp = last;
    if (hyph) {
        /* it ends the word: pen end minus its advance; marked content
         * never crosses BT..ET */
        double hx = round3(c->pen_x - (char_width(slot, last) * size / 1000.0 + c->tc));
        end_text(c);
        jr_item art = *it;
        art.role = JR_ROLE_ARTIFACT;
        const char *ops = jr_tags_item(c->tags, &art);
        if (ops)
            emit(c, ops);
        emit(c, "BT\n");
        c->in_text = true;
        emit_num(c, hx, 3);
        emit_num(c, y, 3);
        emit(c, "Td\n[");
        ob_code(o, last);
        emit(c, "] TJ\n");
        c->tx = hx;
        c->ty = y;
    }
done:
    if (cps != cps_stack) {
        free(cps);
        free(adj);
    }
}

static void draw_rect(pdf_ctx *c, const jr_item *it)
{
    end_text(c);
    set_fill(c, jr_doclayout_item_color(c->dl, it));
    emit_num(c, it->x, 3);
    emit_num(c, it->y, 3);
    emit_num(c, it->w, 3);
    emit_num(c, it->h, 3);
    emit(c, "re f\n");
}

static void draw_line(pdf_ctx *c, const jr_item *it)
{
    if (!(it->line_width > 0))
        return;
    end_text(c);
    set_stroke(c, jr_doclayout_item_color(c->dl, it), it->line_width);
    emit_num(c, it->x, 3);
    emit_num(c, it->y, 3);
    emit(c, "m ");
    emit_num(c, it->x + it->w, 3);
    emit_num(c, it->y + it->h, 3);
    emit(c, "l S\n");
}

/* May a JPEG go into the PDF as it is? Only baseline, extended and
 * progressive Huffman-coded 8-bit files (DCTDecode in every reader), and
 * only if libharu's own header parser (which knows no fill bytes and no
 * markers without a length) finds their SOF: it is walked here the same
 * way, since a failure in libharu would end the whole document. Everything
 * else is decoded and embedded anew. */
static bool jpeg_passthrough_ok(const unsigned char *d, size_t len, unsigned *w, unsigned *h,
                                unsigned *ncomp)
{
    size_t pos = 2;
    while (pos + 4 <= len) {
        unsigned tag = (unsigned)d[pos] << 8 | d[pos + 1];
        size_t seglen = (size_t)d[pos + 2] << 8 | d[pos + 3];
        if (tag == 0xFFC0 || tag == 0xFFC1 || tag == 0xFFC2) {
            if (pos + 10 > len || d[pos + 4] != 8) /* sample precision */
                return false;
            *h = (unsigned)d[pos + 5] << 8 | d[pos + 6];
            *w = (unsigned)d[pos + 7] << 8 | d[pos + 8];
            *ncomp = d[pos + 9];
            return true;
        }
        if ((tag & 0xFF00) != 0xFF00 || tag == 0xFFFF || seglen < 2)
            return false; /* libharu: "lost marker", or a fill byte */
        if (tag >= 0xFFC3 && tag <= 0xFFCF && tag != 0xFFC4 && tag != 0xFFC8 && tag != 0xFFCC)
            return false; /* lossless, hierarchical or arithmetic coding */
        if (tag == 0xFFD9 || tag == 0xFFDA || (tag >= 0xFFD0 && tag <= 0xFFD7) || tag == 0xFF01)
            return false; /* no SOF before the data */
        pos += 2 + seglen;
    }
    return false;
}

/* [/ICCBased <sRGB>] for RGB images in the print variant (PDF/X allows no
 * DeviceRGB beside a CMYK output intent). The profile stream is shared; each
 * image gets its own array (libharu objects have one owner). NULL if the
 * profile is missing. */
static HPDF_Array srgb_space(pdf_ctx *c)
{
    if (!c->srgb_tried) {
        c->srgb_tried = true;
        size_t len = 0;
        char *icc = jr_read_file(SRGB_PROFILE, &len);
        if (!icc)
            diag2(JR_W_PDF_NO_PROFILE, c->opt->source, SRGB_PROFILE,
                  "RGB images in the print PDF stay device RGB");
        if (icc) {
            HPDF_Dict prof = HPDF_DictStream_New(c->pdf->mmgr, c->pdf->xref);
            HPDF_Dict_AddNumber(prof, "N", 3);
            HPDF_Dict_AddName(prof, "Alternate", "DeviceRGB");
            if (!jr_deflater_stream(c->defl, prof, icc, len)) {
                HPDF_Stream_Write(prof->stream, (const HPDF_BYTE *)icc, (HPDF_UINT)len);
                prof->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
            }
            free(icc);
            c->srgb = prof;
        }
    }
    if (!c->srgb)
        return NULL;
    HPDF_Array a = HPDF_Array_New(c->pdf->mmgr);
    HPDF_Array_AddName(a, "ICCBased");
    HPDF_Array_Add(a, c->srgb);
    return a;
}

/* CMYK pixels to RGB (PDF/A with an sRGB intent allows no DeviceCMYK):
 * the naive formula; such images are rare (CMYK JPEGs). */
static void cmyk_to_rgb(jr_pixels *px)
{
    size_t n = (size_t)px->width * px->height;
    unsigned char *rgb = jr_xmalloc(n * 3);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *q = px->data + i * 4;
        unsigned k = 255u - q[3];
        for (int j = 0; j < 3; j++)
            rgb[i * 3 + (size_t)j] = (unsigned char)(((255u - q[j]) * k + 127) / 255);
    }
    free(px->data);
    px->data = rgb;
    px->channels = 3;
}

/* [/ICCBased <profile>] from the profile embedded in the image file, when
 * it fits the pixels (colour space, number of components) and the variant:
 * PDF/X-3:2003 and PDF/A-1 are PDF 1.4, which knows ICC version 2 only; on
 * screen a version 4 profile lifts the file to PDF 1.5. Identical profiles
 * (one camera, many photos) are embedded once. NULL: device colour. */
static HPDF_Array embedded_space(pdf_ctx *c, const char *path, int channels)
{
    unsigned char *icc = NULL;
    size_t len = 0;
    if (jr_pdf_image_icc(path, &icc, &len) < 0)
        return NULL;
    static const char *const spaces[5] = {NULL, "GRAY", NULL, "RGB ", "CMYK"};
    bool fits = channels >= 1 && channels <= 4 && spaces[channels] &&
                memcmp(icc + 16, spaces[channels], 4) == 0;
    bool v4 = icc[8] >= 4;
    if (!fits || (v4 && (c->opt->print || c->opt->pdfa))) {
        free(icc);
        return NULL;
    }
    HPDF_Dict prof = NULL;
    for (size_t i = 0; i < c->nprofiles; i++)
        if (c->profiles[i].len == len && memcmp(c->profiles[i].data, icc, len) == 0) {
            prof = c->profiles[i].stream;
            break;
        }
    if (!prof) {
        prof = HPDF_DictStream_New(c->pdf->mmgr, c->pdf->xref);
        HPDF_Dict_AddNumber(prof, "N", channels);
        HPDF_Dict_AddName(prof, "Alternate",
                          channels == 1   ? "DeviceGray"
                          : channels == 4 ? "DeviceCMYK"
                                          : "DeviceRGB");
        if (!jr_deflater_stream(c->defl, prof, icc, len)) {
            HPDF_Stream_Write(prof->stream, icc, (HPDF_UINT)len);
            prof->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
        }
        JR_GROW(c->profiles, c->profiles_cap, c->nprofiles + 1);
        c->profiles[c->nprofiles].data = icc;
        c->profiles[c->nprofiles].len = len;
        c->profiles[c->nprofiles].stream = prof;
        c->nprofiles++;
        icc = NULL;
        if (v4 && c->pdf->pdf_version < HPDF_VER_15)
            c->pdf->pdf_version = HPDF_VER_15;
    }
    free(icc);
    HPDF_Array a = HPDF_Array_New(c->pdf->mmgr);
    HPDF_Array_AddName(a, "ICCBased");
    HPDF_Array_Add(a, prof);
    return a;
}

/* Put the alpha plane onto white paper (print and PDF/A-1 allow no soft
 * masks). White is 255 in gray and RGB, no ink (0) in CMYK. */
static void flatten_alpha(jr_pixels *px)
{
    size_t n = (size_t)px->width * px->height;
    int ch = px->channels;
    unsigned paper = ch == 4 ? 0 : 255;
    for (size_t i = 0; i < n; i++) {
        unsigned a = px->alpha[i];
        for (int k = 0; k < ch; k++) {
            unsigned char *v = &px->data[i * (size_t)ch + (size_t)k];
            *v = (unsigned char)((*v * a + paper * (255 - a) + 127) / 255);
        }
    }
    free(px->alpha);
    px->alpha = NULL;
}

static HPDF_Image load_image(pdf_ctx *c, const char *path, int *orientation)
{
    char why[256] = "";
    *orientation = 1;
    HPDF_Image img = NULL;
    bool rgb = false;
    int channels = 0;
    c->stage = path;
    size_t len = 0;
    unsigned char *data = (unsigned char *)jr_read_file(path, &len);
    unsigned jw = 0, jh = 0, jn = 0;
    if (data && len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF &&
        len <= 0x7FFFFFFFu && jpeg_passthrough_ok(data, len, &jw, &jh, &jn)) {
        /* A JPEG that libjpeg reads completely goes in as it is (small). */
        jr_image_info info;
        if (jr_pdf_image_check(path, &info, why, sizeof why) < 0) {
            diag2(JR_E_IMAGE_FORMAT, c->opt->source, path, why);
            free(data);
            c->stage = NULL;
            return NULL;
        }
        if ((info.channels == 1 || info.channels == 3) && jn == (unsigned)info.channels && jw > 0 &&
            jh > 0) {
            /* the image dictionary libharu's JPEG loader makes, the file
             * as its data, read from our buffer (pdf_deflate.c) */
            HPDF_Dict d = HPDF_DictStream_New(c->pdf->mmgr, c->pdf->xref);
            d->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
            d->filter = HPDF_STREAM_FILTER_DCT_DECODE;
            HPDF_Dict_AddName(d, "Type", "XObject");
            HPDF_Dict_AddName(d, "Subtype", "Image");
            HPDF_Dict_AddNumber(d, "Height", (HPDF_INT32)jh);
            HPDF_Dict_AddNumber(d, "Width", (HPDF_INT32)jw);
            HPDF_Dict_AddName(d, "ColorSpace", jn == 3 ? "DeviceRGB" : "DeviceGray");
            HPDF_Dict_AddNumber(d, "BitsPerComponent", 8);
            unsigned char *taken = data;
            data = NULL;
            jr_pdf_stream_take(d, taken, len);
            img = (HPDF_Image)d;
            rgb = info.channels == 3;
            channels = info.channels;
            *orientation = info.orientation;
        }
    }
    if (!img && data) { /* a plain PNG: its zlib data as it is (pdf_image.c) */
        img = jr_pdf_png_passthrough(c->pdf, path, data, len, &channels);
        rgb = channels == 3;
    }
    free(data);
    if (!img) {
        jr_pixels px;
        if (jr_pdf_image_decode(path, &px, why, sizeof why) < 0) {
            diag2(JR_E_IMAGE_FORMAT, c->opt->source, path, why);
            c->stage = NULL;
            return NULL;
        }
        *orientation = px.orientation;
        if (px.alpha && c->flatten)
            flatten_alpha(&px);
        if (px.channels == 4 && c->opt->pdfa && !c->cmyk)
            cmyk_to_rgb(&px);
        HPDF_ColorSpace cs = px.channels == 1   ? HPDF_CS_DEVICE_GRAY
                             : px.channels == 4 ? HPDF_CS_DEVICE_CMYK
                                                : HPDF_CS_DEVICE_RGB;
        rgb = px.channels == 3;
        channels = px.channels;
        img = HPDF_LoadRawImageFromMem(c->pdf, px.data, px.width, px.height, cs, 8);
        if (img && px.alpha) {
            HPDF_Image mask = HPDF_LoadRawImageFromMem(c->pdf, px.alpha, px.width, px.height,
                                                       HPDF_CS_DEVICE_GRAY, 8);
            if (mask)
                HPDF_Image_AddSMask(img, mask);
        }
        jr_pixels_free(&px);
    }
    if (img) {
        HPDF_Array cs = embedded_space(c, path, channels);
        if (!cs && rgb && c->cmyk)
            cs = srgb_space(c);
        if (cs)
            HPDF_Dict_Add(img, "ColorSpace", cs);
    }
    c->stage = NULL;
    return img;
}

static HPDF_Image get_image(pdf_ctx *c, int idx)
{
    if (idx < 0 || (size_t)idx >= c->dl->nimages)
        return NULL;
    image_slot *s = &c->images[idx];
    if (s->tried)
        return s->image;
    s->tried = true;
    const char *path = c->dl->images[idx].path;
    if (!path)
        return NULL;
    for (size_t i = 0; i < c->dl->nimages; i++) {
        if ((int)i != idx && c->images[i].image && c->dl->images[i].path &&
            strcmp(c->dl->images[i].path, path) == 0) {
            s->image = c->images[i].image;
            s->orientation = c->images[i].orientation;
            return s->image;
        }
    }
    s->image = load_image(c, path, &s->orientation);
    return s->image;
}

static void draw_image(pdf_ctx *c, HPDF_Page page, const jr_item *it)
{
    end_text(c);
    HPDF_Image img = get_image(c, it->image);
    if (!img || !(it->w > 0) || !(it->h > 0) || !(it->w < 14400) || !(it->h < 14400) ||
        !(fabs(it->x) < 14400) || !(fabs(it->y) < 14400))
        return;
    int o = c->images[it->image].orientation;
    /* (the name registers the image with the page's resources) */
    const char *name = HPDF_Page_GetXObjectName(page, img);
    if (!name)
        return;
    if (o <= 1 || o > 8) {
        emit(c, "q ");
        emit_num(c, it->w, 4);
        emit(c, "0 0 ");
        emit_num(c, it->h, 4);
        emit_num(c, it->x, 4);
        emit_num(c, it->y, 4);
        emit(c, "cm\n/");
        emit(c, name);
        emit(c, " Do\nQ\n");
        return;
    }
    /* EXIF orientation: the stored picture (unit square, u right, v up) is
     * flipped or turned into the box; [a b c d e f] per orientation 2..8. */
    static const double m[9][6] = {{0},
                                   {0},
                                   {-1, 0, 0, 1, 1, 0},  /* 2: mirrored */
                                   {-1, 0, 0, -1, 1, 1}, /* 3: turned 180 */
                                   {1, 0, 0, -1, 0, 1},  /* 4: flipped */
                                   {0, -1, -1, 0, 1, 1}, /* 5: transposed */
                                   {0, -1, 1, 0, 0, 1},  /* 6: turned 90 clockwise */
                                   {0, 1, 1, 0, 0, 0},   /* 7: transversed */
                                   {0, 1, -1, 0, 1, 0}}; /* 8: turned 90 counter-clockwise */
    const double *t = m[o];
    emit(c, "q ");
    emit_num(c, it->w * t[0], 4);
    emit_num(c, it->h * t[1], 4);
    emit_num(c, it->w * t[2], 4);
    emit_num(c, it->h * t[3], 4);
    emit_num(c, it->x + it->w * t[4], 3);
    emit_num(c, it->y + it->h * t[5], 3);
    emit(c, "cm\n/");
    emit(c, name);
    emit(c, " Do\nQ\n");
}

static HPDF_Rect item_rect(const pdf_ctx *c, const jr_item *it)
{
    HPDF_Rect r;
    r.left = (HPDF_REAL)(c->ox + it->x);
    r.bottom = (HPDF_REAL)(c->oy + it->y);
    r.right = (HPDF_REAL)(c->ox + it->x + it->w);
    r.top = (HPDF_REAL)(c->oy + it->y + it->h);
    return r;
}

/* A destination showing `page` with `y` at the top, zoom unchanged
 * ([page /XYZ null y null]); HPDF_Destination_SetXYZ refuses a null zoom. */
static HPDF_Destination make_dest(pdf_ctx *c, int page, double y)
{
    if (page < 0 || (size_t)page >= c->dl->npages)
        return NULL;
    HPDF_Page target = c->pages[page];
    HPDF_Destination dst = HPDF_Page_CreateDestination(target);
    if (!dst)
        return NULL;
    /* libharu refuses reals beyond 32767: keep the target on the page */
    if (!isfinite(y) || y > c->dl->page_height)
        y = c->dl->page_height;
    if (y < 0)
        y = 0;
    HPDF_Array_Clear(dst);
    HPDF_Array_Add(dst, target);
    HPDF_Array_AddName(dst, "XYZ");
    HPDF_Array_Add(dst, HPDF_Null_New(c->pdf->mmgr));
    HPDF_Array_AddReal(dst, (HPDF_REAL)(c->oy + y));
    HPDF_Array_Add(dst, HPDF_Null_New(c->pdf->mmgr));
    return dst;
}

/* URIs in PDF are 7-bit ASCII: percent-encode bytes outside the printable
 * range (UTF-8 of an IRI, spaces, controls). Caller frees. */
static char *clean_uri(const char *uri)
{
    jr_buf b = {0};
    jr_buf_puts(&b, "");
    for (const unsigned char *p = (const unsigned char *)uri; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7F)
            jr_buf_printf(&b, "%%%02X", *p);
        else
            jr_buf_putc(&b, (char)*p);
    }
    return jr_buf_detach(&b);
}

static void draw_link(pdf_ctx *c, HPDF_Page page, const jr_item *it)
{
    /* (libharu refuses reals beyond 32767 in the rectangle) */
    if (!c->links || !(it->w > 0) || !(it->h > 0) || !(it->w < 14400) || !(it->h < 14400) ||
        !(fabs(it->x) < 14400) || !(fabs(it->y) < 14400) || c->page_annots >= ARRAY_ROOM)
        return;
    HPDF_Rect r = item_rect(c, it);
    HPDF_Annotation a = NULL;
    if (it->uri && *it->uri) {
        if (strlen(it->uri) >= HPDF_LIMIT_MAX_STRING_LEN / 3)
            return;
        char *uri = clean_uri(it->uri);
        a = HPDF_Page_CreateURILinkAnnot(page, r, uri);
        free(uri);
    } else if (it->dest_page >= 0) {
        HPDF_Destination dst = make_dest(c, it->dest_page, it->dest_y);
        if (dst)
            a = HPDF_Page_CreateLinkAnnot(page, r, dst);
    }
    if (a) {
        c->page_annots++;
        HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
        HPDF_Dict_AddNumber(a, "F", 4); /* printable (PDF/A asks for it) */
        if (c->tags)
            jr_tags_link(c->tags, it, a);
    }
}

/* ---- page labels ----------------------------------------------------------- */

typedef enum label_style { LS_NONE, LS_DECIMAL, LS_ROMAN_LOWER, LS_ROMAN_UPPER } label_style;

typedef struct label_parts {
    label_style style;
    char prefix[64];
    long number; /* for styles other than LS_NONE, >= 1 */
} label_parts;

static void to_roman(long n, bool upper, char *out, size_t outlen)
{
    static const struct {
        int v;
        const char *s;
    } t[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
             {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        while (n >= t[i].v && len + 3 < outlen) {
            for (const char *p = t[i].s; *p; p++)
                out[len++] = upper ? (char)(*p - 'a' + 'A') : *p;
            out[len] = 0;
            n -= t[i].v;
        }
    }
}

/* Split a printed folio into what PDF page labels can express: "12" is
 * decimal 12, "iv" roman 4, "A-3" prefix "A-" and decimal 3; anything else
 * becomes a prefix alone. */
static void parse_label(const char *label, label_parts *lp)
{
    memset(lp, 0, sizeof *lp);
    if (!label || !*label)
        return;
    size_t len = strlen(label);
    if (len >= sizeof lp->prefix) {
        /* long labels are printed as they are (prefix only) */
        size_t cut = sizeof lp->prefix - 1;
        while (cut > 0 && ((unsigned char)label[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(lp->prefix, label, cut);
        lp->prefix[cut] = 0;
        return;
    }
    /* trailing digits (no leading zero) */
    size_t d = len;
    while (d > 0 && label[d - 1] >= '0' && label[d - 1] <= '9')
        d--;
    if (d < len && label[d] != '0' && len - d <= 9) {
        lp->style = LS_DECIMAL;
        lp->number = strtol(label + d, NULL, 10);
        memcpy(lp->prefix, label, d);
        lp->prefix[d] = 0;
        return;
    }
    /* a whole roman numeral */
    for (int upper = 0; upper < 2; upper++) {
        for (long n = 1; n < 4000; n++) {
            char r[32];
            to_roman(n, upper, r, sizeof r);
            if (strcmp(r, label) == 0) {
                lp->style = upper ? LS_ROMAN_UPPER : LS_ROMAN_LOWER;
                lp->number = n;
                return;
            }
        }
    }
    memcpy(lp->prefix, label, len + 1);
}

/* Write /PageLabels ourselves: libharu's HPDF_AddPageLabel always writes a
 * numbering style, so an unlabelled page (the cover) could not be expressed. */
static void add_page_labels(pdf_ctx *c)
{
    const jr_doclayout *dl = c->dl;
    if (dl->npages == 0)
        return;
    HPDF_MMgr mm = c->pdf->mmgr;
    HPDF_Dict labels = HPDF_Dict_New(mm);
    HPDF_Array nums = HPDF_Array_New(mm);
    HPDF_Dict_Add(labels, "Nums", nums);
    label_parts cur;
    long expect = 0;
    size_t ranges = 0;
    for (size_t i = 0; i < dl->npages; i++) {
        label_parts lp;
        char *label = dl->pages[i].label ? jr_pdf_clean_text(dl->pages[i].label, 200) : NULL;
        parse_label(label, &lp);
        free(label);
        bool cont = i > 0 && lp.style == cur.style && strcmp(lp.prefix, cur.prefix) == 0 &&
                    (lp.style == LS_NONE || lp.number == expect);
        if (!cont && ranges >= ARRAY_ROOM / 2)
            break; /* absurdly many ranges: the rest keep counting on */
        if (!cont) {
            ranges++;
            HPDF_Dict d = HPDF_Dict_New(mm);
            if (lp.style != LS_NONE) {
                HPDF_Dict_AddName(d, "S",
                                  lp.style == LS_DECIMAL       ? "D"
                                  : lp.style == LS_ROMAN_LOWER ? "r"
                                                               : "R");
                if (lp.number != 1)
                    HPDF_Dict_AddNumber(d, "St", (HPDF_INT32)lp.number);
            }
            if (lp.prefix[0])
                HPDF_Dict_Add(d, "P", HPDF_String_New(mm, lp.prefix, c->utf8));
            HPDF_Array_AddNumber(nums, (HPDF_INT32)i);
            HPDF_Array_Add(nums, d);
            cur = lp;
        }
        expect = lp.number + 1;
    }
    HPDF_Dict_Add(c->pdf->catalog, "PageLabels", labels);
}

/* ---- outline, info ---------------------------------------------------------- */

static void add_outline(pdf_ctx *c)
{
    const jr_doclayout *dl = c->dl;
    if (dl->noutline == 0)
        return;
    enum { MAX_LEVEL = 8 };
    HPDF_Outline stack[MAX_LEVEL] = {0};
    for (size_t i = 0; i < dl->noutline; i++) {
        const jr_outline_entry *e = &dl->outline[i];
        int level = e->level < 0 ? 0 : e->level >= MAX_LEVEL ? MAX_LEVEL - 1 : e->level;
        HPDF_Outline parent = NULL;
        for (int l = level - 1; l >= 0 && !parent; l--)
            parent = stack[l];
        char *title = jr_pdf_clean_text(e->title, 1000);
        HPDF_Outline o = HPDF_CreateOutline(c->pdf, parent, title, c->utf8);
        free(title);
        HPDF_Outline_SetOpened(o, level == 0 ? HPDF_TRUE : HPDF_FALSE);
        HPDF_Destination dst = make_dest(c, e->page, e->y);
        if (dst)
            HPDF_Outline_SetDestination(o, dst);
        stack[level] = o;
        for (int l = level + 1; l < MAX_LEVEL; l++)
            stack[l] = NULL;
    }
    HPDF_SetPageMode(c->pdf, HPDF_PAGE_MODE_USE_OUTLINE);
}

static void set_info(pdf_ctx *c, HPDF_InfoType type, const char *value)
{
    if (!value || !*value)
        return;
    char *v = jr_pdf_clean_text(value, 4000);
    HPDF_SetInfoAttr(c->pdf, type, v);
    free(v);
}

/* The ID's hash is begun before the pages are drawn and takes each page's
 * text as it is drawn (the items may be gone afterwards). */
static void id_begin(pdf_ctx *c)
{
    c->idh = (id_hash){1469598103934665603ull, 1469598103934665603ull ^ 0x5DEECE66Dull};
    char buf[128];
    snprintf(buf, sizeof buf, "%lld|%zu|%zu|%d|%d", c->opt->created, c->dl->npages, c->dl->noutline,
             (int)c->opt->print, (int)c->opt->pdfa);
    id_add(&c->idh, buf);
    id_add(&c->idh, c->opt->title);
    id_add(&c->idh, c->opt->author);
}

static void id_page(pdf_ctx *c, const jr_page *pg)
{
    id_add(&c->idh, pg->label);
    for (size_t i = 0; i < pg->nitems; i++)
        if (pg->items[i].kind == JR_ITEM_TEXT)
            id_add(&c->idh, pg->items[i].text);
}

static void add_id(pdf_ctx *c)
{
    id_hash h = c->idh;
    HPDF_BYTE id[16];
    for (int i = 0; i < 8; i++) {
        id[i] = (HPDF_BYTE)(h.a >> (8 * i));
        id[8 + i] = (HPDF_BYTE)(h.b >> (8 * i));
    }
    HPDF_MMgr mm = c->pdf->mmgr;
    HPDF_Array arr = HPDF_Array_New(mm);
    HPDF_Array_Add(arr, HPDF_Binary_New(mm, id, 16));
    HPDF_Array_Add(arr, HPDF_Binary_New(mm, id, 16));
    HPDF_Dict_Add(c->pdf->trailer, "ID", arr);
}

/* ---- print variant ---------------------------------------------------------- */

/* /OutputIntents with a CMYK profile (libharu's HPDF_OutputIntent_New
 * misspells /DestOutputProfile with a trailing space, so it is built here). */
static HPDF_Dict make_intent(pdf_ctx *c, const char *subtype, const char *ident,
                             const char *condition, const char *info, HPDF_Dict prof)
{
    HPDF_MMgr mm = c->pdf->mmgr;
    HPDF_Dict intent = HPDF_Dict_New(mm);
    HPDF_Xref_Add(c->pdf->xref, intent);
    HPDF_Dict_AddName(intent, "Type", "OutputIntent");
    HPDF_Dict_AddName(intent, "S", subtype);
    HPDF_Dict_Add(intent, "OutputConditionIdentifier", HPDF_String_New(mm, ident, NULL));
    if (condition)
        HPDF_Dict_Add(intent, "OutputCondition", HPDF_String_New(mm, condition, NULL));
    HPDF_Dict_Add(intent, "RegistryName", HPDF_String_New(mm, "http://www.color.org", NULL));
    HPDF_Dict_Add(intent, "Info", HPDF_String_New(mm, info, NULL));
    HPDF_Dict_Add(intent, "DestOutputProfile", prof);
    return intent;
}

/* /OutputIntents with an ICC profile (libharu's HPDF_OutputIntent_New
 * misspells /DestOutputProfile with a trailing space, so it is built here):
 * CMYK for print (PDF/X, and PDF/A as well if asked: both intents share the
 * one profile, as PDF/A-1 demands), sRGB for PDF/A on screen. */
/* Print conditions, best first: FOGRA39 (European offset on coated paper,
 * what German print shops expect; the profile ships with texlive-base), then
 * Artifex's SWOP profile (libgs-common). */
static const struct print_condition {
    const char *path, *ident, *condition, *info;
} print_conditions[] = {
    {"/usr/share/texlive/texmf-dist/tex/generic/colorprofiles/FOGRA39L_coated.icc", "FOGRA39",
     "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 = "
     "coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)",
     "Coated FOGRA39 (ISO 12647-2:2004)"},
    {CMYK_PROFILE, "CGATS TR 001", "SWOP (Artifex default CMYK)", "Artifex default CMYK (SWOP)"},
};

static bool add_output_intents(pdf_ctx *c, bool pdfx, bool pdfa)
{
    size_t len = 0;
    char *icc = NULL;
    const struct print_condition *pc = NULL;
    if (pdfx) {
        for (size_t i = 0; !icc && i < sizeof print_conditions / sizeof print_conditions[0]; i++) {
            icc = jr_read_file(print_conditions[i].path, &len);
            pc = &print_conditions[i];
        }
    } else {
        icc = jr_read_file(SRGB_PROFILE, &len);
    }
    if (!icc) {
        diag2(JR_W_PDF_NO_PROFILE, c->opt->source, pdfx ? CMYK_PROFILE : SRGB_PROFILE,
              pdfx ? "the print PDF has no output intent and is no PDF/X"
                   : "the PDF has no output intent and is no PDF/A");
        return false;
    }
    HPDF_MMgr mm = c->pdf->mmgr;
    HPDF_Dict prof = HPDF_DictStream_New(mm, c->pdf->xref);
    HPDF_Dict_AddNumber(prof, "N", pdfx ? 4 : 3);
    HPDF_Dict_AddName(prof, "Alternate", pdfx ? "DeviceCMYK" : "DeviceRGB");
    if (!jr_deflater_stream(c->defl, prof, icc, len)) {
        HPDF_Stream_Write(prof->stream, (const HPDF_BYTE *)icc, (HPDF_UINT)len);
        prof->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    }
    free(icc);
    HPDF_Array intents = HPDF_Array_New(mm);
    const char *subtypes[2] = {pdfx ? "GTS_PDFX" : NULL, pdfa ? "GTS_PDFA1" : NULL};
    for (int i = 0; i < 2; i++) {
        if (!subtypes[i])
            continue;
        if (pdfx)
            HPDF_Array_Add(intents,
                           make_intent(c, subtypes[i], pc->ident, pc->condition, pc->info, prof));
        else
            HPDF_Array_Add(intents, make_intent(c, subtypes[i], "sRGB IEC61966-2.1", NULL,
                                                "sRGB IEC61966-2.1", prof));
    }
    HPDF_Dict_Add(c->pdf->catalog, "OutputIntents", intents);
    return true;
}

/* ---- PDF/A-1b --------------------------------------------------------------- */

/* One XMP property with the same cleaned text as the Info entry. */
static void xmp_prop(jr_buf *b, const char *tag, const char *value, int kind)
{
    if (!value || !*value)
        return;
    char *v = jr_pdf_clean_text(value, 4000);
    jr_buf_printf(b, "   <%s>", tag);
    if (kind == 1)
        jr_buf_puts(b, "<rdf:Alt><rdf:li xml:lang=\"x-default\">");
    else if (kind == 2)
        jr_buf_puts(b, "<rdf:Seq><rdf:li>");
    jr_buf_put_xml_escaped(b, v);
    if (kind == 1)
        jr_buf_puts(b, "</rdf:li></rdf:Alt>");
    else if (kind == 2)
        jr_buf_puts(b, "</rdf:li></rdf:Seq>");
    jr_buf_printf(b, "</%s>\n", tag);
    free(v);
}

/* The XMP packet PDF/A-1 and PDF/UA require, matching the Info dictionary (written
 * here rather than by HPDF_PDFA_SetPDFAConformance, which escapes nothing
 * and misspells /Subtype). Uncompressed, as PDF/A readers expect. */
static void add_xmp(pdf_ctx *c)
{
    const jr_pdf_options *opt = c->opt;
    jr_buf b = {0};
    jr_buf_puts(&b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                    "  <rdf:Description rdf:about=\"\"\n"
                    "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                    "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                    "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"");
    if (opt->pdfa)
        jr_buf_puts(&b, "\n    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
                        "   <pdfaid:part>1</pdfaid:part>\n"
                        "   <pdfaid:conformance>B</pdfaid:conformance>\n");
    else
        jr_buf_puts(&b, ">\n");
    xmp_prop(&b, "dc:title", opt->title, 1);
    xmp_prop(&b, "dc:creator", opt->author, 2);
    xmp_prop(&b, "dc:description", opt->subject, 1);
    xmp_prop(&b, "pdf:Keywords", opt->keywords, 0);
    xmp_prop(&b, "xmp:CreatorTool", opt->creator, 0);
    xmp_prop(&b, "pdf:Producer", HPDF_GetInfoAttr(c->pdf, HPDF_INFO_PRODUCER), 0);
    if (opt->created > 0) {
        time_t t = (time_t)opt->created;
        struct tm tm;
        if (gmtime_r(&t, &tm) && tm.tm_year + 1900 <= 9999) {
            char d[80];
            snprintf(d, sizeof d, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec > 59 ? 59 : tm.tm_sec);
            xmp_prop(&b, "xmp:CreateDate", d, 0);
            xmp_prop(&b, "xmp:ModifyDate", d, 0);
            xmp_prop(&b, "xmp:MetadataDate", d, 0);
        }
    }
    jr_buf_puts(&b, "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n"
                    "<?xpacket end=\"w\"?>\n");
    HPDF_Dict meta = HPDF_DictStream_New(c->pdf->mmgr, c->pdf->xref);
    HPDF_Dict_AddName(meta, "Type", "Metadata");
    HPDF_Dict_AddName(meta, "Subtype", "XML");
    meta->filter = HPDF_STREAM_FILTER_NONE;
    HPDF_Stream_Write(meta->stream, (const HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
    jr_buf_free(&b);
    HPDF_Dict_Add(c->pdf->catalog, "Metadata", meta);
}

static void add_box(HPDF_Page page, const char *name, double l, double b, double r, double t)
{
    HPDF_Box box = {(HPDF_REAL)l, (HPDF_REAL)b, (HPDF_REAL)r, (HPDF_REAL)t};
    HPDF_Dict_Add(page, name, HPDF_Box_Array_New(page->mmgr, box));
}

static void mark(pdf_ctx *c, double x1, double y1, double x2, double y2)
{
    emit_num(c, x1, 3);
    emit_num(c, y1, 3);
    emit(c, "m ");
    emit_num(c, x2, 3);
    emit_num(c, y2, 3);
    emit(c, "l S\n");
}

/* Crop marks in the slug, outside the bleed: registration colour (all inks). */
static void crop_marks(pdf_ctx *c, double bleed)
{
    double w = c->dl->page_width, h = c->dl->page_height;
    double x0 = c->ox, y0 = c->oy, x1 = c->ox + w, y1 = c->oy + h;
    double a = bleed + MARK_GAP, z = bleed + MARK_GAP + MARK_LENGTH;
    emit(c, "q 0.25 w 0 J ");
    emit(c, c->cmyk ? "1 1 1 1 K\n" : "0 0 0 RG\n");
    mark(c, x0 - z, y0, x0 - a, y0); /* lower left */
    mark(c, x0, y0 - z, x0, y0 - a);
    mark(c, x1 + a, y0, x1 + z, y0); /* lower right */
    mark(c, x1, y0 - z, x1, y0 - a);
    mark(c, x0 - z, y1, x0 - a, y1); /* upper left */
    mark(c, x0, y1 + a, x0, y1 + z);
    mark(c, x1 + a, y1, x1 + z, y1); /* upper right */
    mark(c, x1, y1 + a, x1, y1 + z);
    emit(c, "Q\n");
}

/* ---- the document ---------------------------------------------------------------- */

static void draw_page(pdf_ctx *c, size_t index)
{
    const jr_page *pg = &c->dl->pages[index];
    HPDF_Page page = c->pages[index];
    c->out.n = 0;
    c->page = page;
    c->pg = pg;
    c->in_text = false;
    c->tj_open = false;
    c->cur_font = NULL;
    c->cur_size = 0;
    c->tc = c->tc_size = 0;
    c->tc_t = 0;
    c->fill_set = c->stroke_set = c->lw_set = false;
    bool shifted = c->ox != 0 || c->oy != 0;
    if (shifted) {
        emit(c, "q 1 0 0 1 ");
        emit_num(c, c->ox, 3);
        emit_num(c, c->oy, 3);
        emit(c, "cm\n");
    }
    c->page_annots = 0;
    if (c->tags)
        jr_tags_begin_page(c->tags, index);
    for (size_t i = 0; i < pg->nitems; i++) {
        const jr_item *it = &pg->items[i];
        c->item_index = i;
        c->hyph_end = false;
        if (c->hyph_first)
            for (size_t k = c->hyph_first[index]; k < c->hyph_first[index + 1]; k++)
                c->hyph_end |= c->hyph_items[k] == i;
        if (c->tags && it->kind != JR_ITEM_LINK) {
            /* marked content: an artifact or a structure element's */
            const char *ops = jr_tags_item(c->tags, it);
            if (ops) {
                end_text(c);
                emit(c, ops);
            }
        }
        switch (it->kind) {
        case JR_ITEM_TEXT:
            draw_text(c, page, it);
            break;
        case JR_ITEM_RECT:
            draw_rect(c, it);
            break;
        case JR_ITEM_LINE:
            draw_line(c, it);
            break;
        case JR_ITEM_IMAGE:
            draw_image(c, page, it);
            break;
        case JR_ITEM_LINK:
            draw_link(c, page, it);
            break;
        }
    }
    end_text(c);
    if (c->tags) {
        const char *ops = jr_tags_end_page(c->tags);
        if (ops)
            emit(c, ops);
    }
    if (shifted)
        emit(c, "Q\n");
    /* an empty Flate stream is no zlib data: Ghostscript refuses the page */
    if (c->out.n == 0)
        emit(c, "q Q\n");
    if (c->opt->print) {
        if (c->tags)
            emit(c, "/Artifact BMC\n");
        crop_marks(c, c->opt->bleed > 0 ? c->opt->bleed : 0);
        if (c->tags)
            emit(c, "EMC\n");
    }
    /* compressed on the deflater's thread while the next page is drawn */
    unsigned char *data = jr_xmalloc(c->out.n);
    memcpy(data, c->out.d, c->out.n);
    jr_deflater_page(c->defl, ((HPDF_PageAttr)page->attr)->contents, data, c->out.n);
}

/* The PDF file being written: libharu's output through a buffer. */
struct out_file {
    jr_outfile *f;
    size_t n;
    bool failed;
    unsigned char buf[1 << 16];
};

static bool file_flush(struct out_file *o)
{
    if (o->n > 0 && !o->failed && jr_outfile_write(o->f, o->buf, o->n) != 0)
        o->failed = true;
    o->n = 0;
    return !o->failed;
}

static HPDF_STATUS file_write(HPDF_Stream s, const HPDF_BYTE *p, HPDF_UINT n)
{
    struct out_file *o = s->attr;
    if (n > sizeof o->buf - o->n) {
        file_flush(o);
        if (n >= sizeof o->buf) {
            if (!o->failed && jr_outfile_write(o->f, p, n) != 0)
                o->failed = true;
            n = 0;
        }
    }
    memcpy(o->buf + o->n, p, n);
    o->n += n;
    /* as libharu's file writer reports it */
    return o->failed ? HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno) : HPDF_OK;
}

static int write_doc(pdf_ctx *c, const char *path)
{
    if (setjmp(c->jb)) {
        /* libharu reported an error: the document is unusable now. */
        return -1;
    }
    c->pdf = HPDF_NewEx(on_error, arena_alloc, arena_free, 0, c);
    if (!c->pdf)
        return -1;
    const jr_doclayout *dl = c->dl;
    const jr_pdf_options *opt = c->opt;
    HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL);
    /* libharu's list of objects grows by 1,024 entries at a time, copying
     * the whole list each time (quadratic for a long edition): room at once
     * for what a document has, about: some objects per page, one per link
     * and image, a structure element per few words (a too small guess only
     * means a few more steps; 200 articles: 12,000 objects) */
    size_t est = 1024 + 16 * dl->npages;
    for (size_t i = 0; i < dl->npages; i++) {
        const jr_page *pg = &dl->pages[i];
        est += pg->nitems / 8;
        for (size_t k = 0; k < pg->nitems; k++)
            est += pg->items[k].kind == JR_ITEM_LINK || pg->items[k].kind == JR_ITEM_IMAGE;
    }
    HPDF_List entries = c->pdf->xref ? c->pdf->xref->entries : NULL;
    if (entries && est > entries->items_per_block && est < (1u << 24))
        entries->items_per_block = (HPDF_UINT)est;
    /* Soft masks (image alpha) need PDF 1.4; libharu stays at 1.3. */
    c->pdf->pdf_version = HPDF_VER_14;
    HPDF_UseUTFEncodings(c->pdf);
    c->utf8 = HPDF_GetEncoder(c->pdf, "UTF-8");
    HPDF_SetCurrentEncoder(c->pdf, "UTF-8"); /* Info strings as UTF-16BE */

    double bleed = opt->print && opt->bleed > 0 ? opt->bleed : 0;
    double margin = opt->print ? bleed + MARK_ROOM : 0;
    c->ox = c->oy = margin;
    c->cmyk = opt->print;
    c->flatten = opt->print || opt->pdfa;
    c->links = !opt->print; /* PDF/X: no annotations on the printed page */
    double tw = dl->page_width, th = dl->page_height;
    double mw = tw + 2 * margin, mh = th + 2 * margin;
    if (!(mw >= 3 && mw <= 14400 && mh >= 3 && mh <= 14400)) {
        c->err_no = HPDF_PAGE_INVALID_SIZE;
        return -1;
    }

    /* libharu puts all pages into one /Kids array (at most 8191 items)
     * unless told to make a tree of them. */
    if (dl->npages > ARRAY_ROOM)
        HPDF_SetPagesConfiguration(c->pdf, 1000);
    /* All pages first: links and the outline point to later pages. */
    c->pages = jr_xcalloc(dl->npages ? dl->npages : 1, sizeof(HPDF_Page));
    for (size_t i = 0; i < dl->npages; i++) {
        HPDF_Page page = HPDF_AddPage(c->pdf);
        HPDF_Page_SetWidth(page, (HPDF_REAL)mw);
        HPDF_Page_SetHeight(page, (HPDF_REAL)mh);
        if (opt->print) {
            add_box(page, "BleedBox", margin - bleed, margin - bleed, margin + tw + bleed,
                    margin + th + bleed);
            add_box(page, "TrimBox", margin, margin, margin + tw, margin + th);
        }
        c->pages[i] = page;
    }
    if (!opt->untagged && dl->npages > 0)
        c->tags = jr_tags_new(c->pdf, c->utf8, dl, opt, c->pages);
    if (c->tags && dl->nlines > 0) { /* hyphenated lines' last items, by page */
        c->hyph_first = jr_xcalloc(dl->npages + 1, sizeof(size_t));
        c->hyph_items = jr_xcalloc(dl->nlines, sizeof(size_t));
        for (size_t i = 0; i < dl->nlines; i++) {
            const jr_line_rec *l = &dl->lines[i];
            if (l->hyphenated && l->nitems > 0 && l->page >= 0 && (size_t)l->page < dl->npages)
                c->hyph_first[l->page + 1]++;
        }
        for (size_t p = 0; p < dl->npages; p++)
            c->hyph_first[p + 1] += c->hyph_first[p];
        size_t *fill = jr_xcalloc(dl->npages + 1, sizeof(size_t));
        for (size_t i = 0; i < dl->nlines; i++) {
            const jr_line_rec *l = &dl->lines[i];
            if (l->hyphenated && l->nitems > 0 && l->page >= 0 && (size_t)l->page < dl->npages)
                c->hyph_items[c->hyph_first[l->page] + fill[l->page]++] =
                    l->first_item + l->nitems - 1;
        }
        free(fill);
    }
    c->defl = jr_deflater_new(dl->npages);
    id_begin(c);
    for (size_t i = 0; i < dl->npages; i++) {
        draw_page(c, i);
        id_page(c, &dl->pages[i]);
        jr_doclayout_page_done(dl, i); /* (its items may go now) */
    }
    c->pg = NULL;
    if (dl->npages == 0) {
        /* A PDF needs a page (readers refuse a page count of 0). */
        HPDF_Page page = HPDF_AddPage(c->pdf);
        HPDF_Page_SetWidth(page, (HPDF_REAL)mw);
        HPDF_Page_SetHeight(page, (HPDF_REAL)mh);
        HPDF_Stream_WriteStr(((HPDF_PageAttr)page->attr)->stream, "q Q\n");
    }

    if (c->tags)
        jr_tags_finish(c->tags);
    add_page_labels(c);
    add_outline(c);
    set_info(c, HPDF_INFO_TITLE, opt->title);
    set_info(c, HPDF_INFO_AUTHOR, opt->author);
    set_info(c, HPDF_INFO_SUBJECT, opt->subject);
    set_info(c, HPDF_INFO_KEYWORDS, opt->keywords);
    set_info(c, HPDF_INFO_CREATOR, opt->creator);
    if (opt->created > 0) {
        time_t t = (time_t)opt->created;
        struct tm tm;
        if (gmtime_r(&t, &tm) && tm.tm_year + 1900 <= 9999) {
            HPDF_Date d = {tm.tm_year + 1900,
                           tm.tm_mon + 1,
                           tm.tm_mday,
                           tm.tm_hour,
                           tm.tm_min,
                           tm.tm_sec > 59 ? 59 : tm.tm_sec,
                           'Z',
                           0,
                           0};
            HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_CREATION_DATE, d);
            HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_MOD_DATE, d);
        }
    }
    if (opt->lang && *opt->lang) {
        char *lang = jr_pdf_clean_text(opt->lang, 100);
        HPDF_Dict_Add(c->pdf->catalog, "Lang", HPDF_String_New(c->pdf->mmgr, lang, NULL));
        free(lang);
    }
    if ((opt->print || opt->pdfa) && add_output_intents(c, opt->print, opt->pdfa)) {
        HPDF_Dict info = c->pdf->info;
        if (opt->print && info) {
            /* PDF/X-3:2003 (PDF 1.4): CMYK and ICC-based colour, no
             * transparency, trim and bleed boxes, output intent, ID. */
            HPDF_Dict_Add(info, "GTS_PDFXVersion",
                          HPDF_String_New(c->pdf->mmgr, "PDF/X-3:2003", NULL));
            HPDF_Dict_AddName(info, "Trapped", "False");
        }
        if (opt->pdfa) {
            add_xmp(c);
            /* not part of the standard; poppler reads it to name the subtype */
            if (info)
                HPDF_Dict_Add(info, "GTS_PDFA1Version",
                              HPDF_String_New(c->pdf->mmgr, "PDF/A-1b:2005", NULL));
        }
    }
    /* tagged: the title in XMP as well (PDF/UA asks for dc:title) */
    if (c->tags && !opt->pdfa)
        add_xmp(c);
    add_id(c);
    c->stage = path;
    hook_cidset = opt->pdfa;
    hook_defl = c->defl;
    jr_deflater_finish(c->defl);
    /* HPDF_SaveToFile's writer calls fwrite for every token; ours gathers
     * them in a buffer (the same bytes) */
    c->file = jr_xcalloc(1, sizeof *c->file);
    c->file->f = jr_outfile_open(path);
    c->pdf->stream = HPDF_CallbackWriter_New(c->pdf->mmgr, file_write, c->file);
    HPDF_SaveToStream(c->pdf);
    hook_defl = NULL;
    bool flushed = file_flush(c->file);
    jr_outfile *f = c->file->f;
    c->file->f = NULL;
    if (jr_outfile_close(f) != 0 || !flushed) {
        c->err_no = HPDF_FILE_IO_ERROR;
        c->err_detail = (HPDF_STATUS)errno;
        return -1;
    }
    c->stage = NULL;
    return 0;
}

int jr_pdf_write(const jr_doclayout *dl, const jr_pdf_options *opt, const char *path)
{
    jr_pdf_options defaults;
    if (!opt) {
        memset(&defaults, 0, sizeof defaults);
        opt = &defaults;
    }
    pdf_ctx c;
    memset(&c, 0, sizeof c);
    c.dl = dl;
    c.opt = opt;
    c.nfonts = dl->fonts ? jr_font_count(dl->fonts) : 0;
    c.fonts = jr_xcalloc(c.nfonts ? c.nfonts : 1, sizeof(font_slot));
    c.images = jr_xcalloc(dl->nimages ? dl->nimages : 1, sizeof(image_slot));
    doc_arena arena;
    memset(&arena, 0, sizeof arena);
    tl_arena = &arena; /* libharu's memory for this document (this thread) */
    int rc = write_doc(&c, path);
    if (rc < 0) {
        char *what = c.stage ? jr_xasprintf(" (%s)", c.stage) : jr_xstrdup("");
        diag_pdf(opt->source, (unsigned)c.err_no, (unsigned)c.err_detail, what);
        free(what);
    }
    if (c.pdf)
        HPDF_Free(c.pdf);
    tl_arena = NULL;
    arena_release(&arena);
    hook_defl = NULL;
    jr_deflater_free(c.defl);
    if (c.file && c.file->f)
        jr_outfile_close(c.file->f); /* (after an error while saving) */
    free(c.file);
    free(c.out.d);
    for (size_t i = 0; i < c.nfonts; i++)
        free(c.fonts[i].widths);
    jr_pdf_fonts_free(c.subsets);
    free(c.pages);
    for (size_t i = 0; i < c.nprofiles; i++)
        free(c.profiles[i].data);
    free(c.profiles);
    jr_tags_free(c.tags);
    free(c.hyph_first);
    free(c.hyph_items);
    free(c.fonts);
    free(c.images);
    return rc;
}
