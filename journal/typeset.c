/* typeset.c: a block's spans -> set lines (jr_velem LINE entries).
 *
 * Text is cut into words at spaces; a word is a list of atoms, each a run
 * in one font (style changes and fallback fonts split a word). Atoms are
 * measured once (jr_font_measure, kerning included). Words become
 * Knuth-Plass boxes, spaces glue (TeX: stretch 1/2, shrink 1/3 of the
 * font's space); hyphenation points are added only when the paragraph
 * cannot be set without them. Every word piece is then placed explicitly
 * (libharu cannot justify by word spacing). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "layout_int.h"
#include "util.h"

#define REPLACEMENT_CP  0x25A1u         /* WHITE SQUARE: printed for characters no font has */
#define CODE_CONT_MARK  "\xE2\x86\xAA " /* U+21AA and a space, before continued code lines */
#define MAX_HYPH_POINTS 64

/* ---- vertical lists ---- */

void jr_vlist_free(jr_vlist *v)
{
    for (size_t i = 0; i < v->np; i++) {
        free(v->p[i].text);
        free(v->p[i].kern);
    }
    free(v->p);
    free(v->e);
    memset(v, 0, sizeof *v);
}

jr_velem *jr_vlist_add(jr_vlist *v, jr_vkind kind)
{
    JR_GROW(v->e, v->cap, v->n + 1);
    jr_velem *e = &v->e[v->n++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->block = -1;
    e->image = -1;
    e->first_piece = v->np;
    return e;
}

static jr_piece *vlist_piece(jr_vlist *v)
{
    JR_GROW(v->p, v->pcap, v->np + 1);
    jr_piece *p = &v->p[v->np++];
    memset(p, 0, sizeof *p);
    p->link = -1;
    return p;
}

/* ---- paragraph builder ---- */

typedef struct atom {
    size_t off, len; /* bytes in the paragraph buffer */
    int font;
    double size;           /* pt */
    const jr_color *color; /* the style's or the caller's: lives as long as the paragraph */
    int link;
    double w;    /* advance, kerning inside included [pt] */
    size_t kern; /* offset of its kern values in the kern pool */
    size_t ncp;  /* code points */
    bool track;  /* letter spacing allowed (not code) */
} atom;

typedef enum sep_kind {
    SEP_NONE,   /* end of paragraph */
    SEP_SPACE,  /* breakable interword space */
    SEP_NBSP,   /* U+00A0: unbreakable space */
    SEP_NARROW, /* U+202F: unbreakable narrow space */
    SEP_ZERO,   /* U+200B: break without space */
    SEP_BREAK,  /* hard line break */
} sep_kind;

typedef struct word {
    size_t a0, a1; /* atoms */
    sep_kind sep;
    int sep_font;
    double sep_size;
    bool nohyph; /* code, or hyphenation off for this text */
    bool warned; /* too wide for any line: reported */
    int line;    /* source line (for diagnostics) */
} word;

typedef struct para {
    jr_lstate *ls;
    jr_buf buf;
    atom *at;
    size_t nat, atcap;
    int *kp;
    size_t nk, kcap;
    word *w;
    size_t nw, wcap;
    size_t *shy; /* buffer offsets where a soft hyphen stood */
    size_t nshy, shycap;
    bool open; /* the last word is still open */
    bool keep_spaces;
    bool quiet; /* cutting long words is normal (code): no warning */
    /* where push_sub last counted code points (parts come in order): keeps
     * cutting a long word linear */
    size_t memo_atom, memo_off, memo_cp;
    /* para_char: the font for ASCII characters in base font fmemo_base1 - 1
     * (0: none yet), INT16_MIN where not asked yet */
    int fmemo_base1;
    int16_t fmemo[128];
    size_t attr_from; /* atoms from here on have the size, colour and link of this para_text */
} para;

static void para_free(para *P)
{
    jr_buf_free(&P->buf);
    free(P->at);
    free(P->kp);
    free(P->w);
    free(P->shy);
}

static bool warned_before(jr_lstate *ls, uint32_t cp)
{
    if (cp >= 0x110000)
        cp = 0xFFFD;
    if (!ls->warned_bits)
        ls->warned_bits = jr_xcalloc(0x110000 / 8, 1);
    if (ls->warned_bits[cp >> 3] & (1u << (cp & 7)))
        return true;
    ls->warned_bits[cp >> 3] |= (unsigned char)(1u << (cp & 7));
    JR_GROW(ls->warned, ls->warned_cap, ls->nwarned + 1);
    ls->warned[ls->nwarned++] = cp;
    return false;
}

/* The font for cp, or -1. Characters above U+FFFF are never drawable:
 * libharu draws by UCS-2 code. */
static int font_for(jr_lstate *ls, int base, uint32_t cp)
{
    if (cp > 0xFFFF)
        return -1;
    return jr_font_for_char(ls->fs, base, cp);
}

static void para_sep(para *P, sep_kind sep, int font, double size)
{
    if (P->open) {
        word *w = &P->w[P->nw - 1];
        w->sep = sep;
        w->sep_font = font;
        w->sep_size = size;
        P->open = false;
    } else if (P->nw > 0) {
        /* separators in a row: a line break wins; a zero-width space gives
         * way to any real space after it */
        word *w = &P->w[P->nw - 1];
        if (sep == SEP_BREAK || (w->sep == SEP_ZERO && sep != SEP_ZERO)) {
            w->sep = sep;
            w->sep_font = font;
            w->sep_size = size;
        }
    }
}

static void para_char(para *P, uint32_t cp, int base, double size, const jr_color *color, int link,
                      bool nohyph, jr_pos pos)
{
    jr_lstate *ls = P->ls;
    int f;
    if (cp < 128) {
        if (P->fmemo_base1 != base + 1) {
            for (size_t i = 0; i < 128; i++)
                P->fmemo[i] = INT16_MIN;
            P->fmemo_base1 = base + 1;
        }
        if (P->fmemo[cp] == INT16_MIN)
            P->fmemo[cp] = (int16_t)font_for(ls, base, cp);
        f = P->fmemo[cp];
    } else {
        f = font_for(ls, base, cp);
    }
    if (f < 0) {
        char u[5] = {0};
        jr_utf8_encode(cp, u);
        if (!warned_before(ls, cp))
            jr_diag(JR_W_NO_GLYPH, ls->a ? ls->a->path : NULL, pos.line, pos.col, (unsigned)cp, u);
        cp = REPLACEMENT_CP;
        f = font_for(ls, base, cp);
        if (f < 0) {
            cp = '?';
            f = base;
        }
    }
    if (!P->open) {
        JR_GROW(P->w, P->wcap, P->nw + 1);
        word *w = &P->w[P->nw++];
        memset(w, 0, sizeof *w);
        w->a0 = w->a1 = P->nat;
        w->sep = SEP_NONE;
        w->line = pos.line;
        P->open = true;
    }
    word *w = &P->w[P->nw - 1];
    if (nohyph)
        w->nohyph = true;
    atom *last = w->a1 > w->a0 ? &P->at[P->nat - 1] : NULL;
    if (!last || last->font != f ||
        ((size_t)(last - P->at) < P->attr_from &&
         (last->size != size || last->link != link ||
          (last->color != color && memcmp(last->color, color, sizeof *color) != 0)))) {
        JR_GROW(P->at, P->atcap, P->nat + 1);
        last = &P->at[P->nat++];
        memset(last, 0, sizeof *last);
        last->off = P->buf.len;
        last->font = f;
        last->size = size;
        last->color = color;
        last->link = link;
        last->track = !nohyph && !P->keep_spaces;
        w->a1 = P->nat;
    }
    char u[4];
    size_t n = cp < 0x80 ? (u[0] = (char)cp, 1) : jr_utf8_encode(cp, u);
    if (P->buf.len + n < P->buf.cap) {
        /* room (and for the NUL): no call per character */
        char *d = P->buf.data + P->buf.len;
        for (size_t i = 0; i < n; i++)
            d[i] = u[i];
        P->buf.len += n;
        d[n] = 0;
    } else {
        jr_buf_put(&P->buf, u, n);
    }
    last->len += n;
}

/* Add UTF-8 text in font `base`. */
static void para_text(para *P, const char *s, size_t n, int base, double size,
                      const jr_color *color, int link, bool nohyph, jr_pos pos)
{
    P->attr_from = P->nat; /* atoms made by this call share size, colour and link */
    size_t i = 0;
    while (i < n) {
        uint32_t cp = (unsigned char)s[i];
        size_t k = 1;
        if (cp >= 0x80) {
            k = jr_utf8_decode(s + i, n - i, &cp);
            if (k == 0)
                k = 1; /* invalid byte: cp is U+FFFD */
        }
        i += k;
        if (!P->keep_spaces && (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r')) {
            para_sep(P, SEP_SPACE, base, size);
        } else if (P->keep_spaces && cp == '\t') {
            for (int t = 0; t < 4; t++)
                para_char(P, ' ', base, size, color, link, nohyph, pos);
        } else if (cp < 0x20 || cp == 0x7F) {
            if (!P->keep_spaces)
                para_sep(P, SEP_SPACE, base, size);
        } else if (cp == 0xA0 && !P->keep_spaces) {
            para_sep(P, SEP_NBSP, base, size);
        } else if (cp == 0x202F && !P->keep_spaces) {
            para_sep(P, SEP_NARROW, base, size);
        } else if (cp == 0x200B && !P->keep_spaces) {
            para_sep(P, SEP_ZERO, base, size);
        } else if (cp == 0xAD) {
            JR_GROW(P->shy, P->shycap, P->nshy + 1);
            P->shy[P->nshy++] = P->buf.len;
        } else if (cp == 0xFEFF || cp == 0x200C || cp == 0x200D || cp == 0x2060 ||
                   (cp >= 0xFE00 && cp <= 0xFE0F)) {
            /* invisible joiners and variation selectors: not drawn */
        } else {
            para_char(P, cp, base, size, color, link, nohyph, pos);
        }
    }
}

static size_t kern_alloc(para *P, size_t n)
{
    JR_GROW(P->kp, P->kcap, P->nk + n + 1);
    size_t off = P->nk;
    P->nk += n;
    return off;
}

static void measure_atom(para *P, atom *a)
{
    a->ncp = jr_utf8_count(P->buf.data + a->off, a->len);
    a->kern = kern_alloc(P, a->ncp);
    a->w =
        jr_font_measure(P->ls->fs, a->font, a->size, P->buf.data + a->off, a->len, P->kp + a->kern);
}

static void para_measure(para *P)
{
    for (size_t i = 0; i < P->nat; i++)
        measure_atom(P, &P->at[i]);
}

/* ---- Knuth-Plass items ---- */

typedef enum cut_kind { CUT_HYPH, CUT_EXPLICIT, CUT_URL, CUT_FORCE } cut_kind;

typedef struct cut {
    size_t off; /* buffer offset where the second part starts */
    cut_kind kind;
} cut;

/* A box's content: sub-atoms subs[s0, s1). */
typedef struct ibox {
    size_t s0, s1;
    bool forced; /* part of a word too wide for any line */
    int line;
    double gst, gsh; /* glue: the space's own stretch and shrink (the item's values
                        include the letter spacing of the word before) [pt] */
} ibox;

typedef struct itemlist {
    jr_lb_item *it;
    ibox *bx; /* parallel to it (boxes only) */
    size_t n, cap, bxcap;
    atom *subs;
    size_t nsubs, subcap;
} itemlist;

static void il_free(itemlist *L)
{
    free(L->it);
    free(L->bx);
    free(L->subs);
    memset(L, 0, sizeof *L);
}

static void il_push(itemlist *L, jr_lb_item item, ibox box)
{
    JR_GROW(L->it, L->cap, L->n + 1);
    JR_GROW(L->bx, L->bxcap, L->n + 1);
    L->it[L->n] = item;
    L->bx[L->n] = box;
    L->n++;
}

static ibox nobox(void)
{
    ibox b = {0, 0, false, 0, 0, 0};
    return b;
}

static uint32_t last_cp(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    size_t i = len - 1;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    uint32_t cp = 0;
    jr_utf8_decode(s + i, len - i, &cp);
    return cp;
}

static uint32_t first_cp(const char *s, size_t len)
{
    uint32_t cp = 0;
    if (len > 0)
        jr_utf8_decode(s, len, &cp);
    return cp;
}

/* Kerning between two adjacent sub-atoms in the same font, in TJ units
 * (thousandths of an em, positive tightens), 0 across fonts. */
static int junction_tj(para *P, const atom *a, const atom *b)
{
    if (a->font != b->font || a->size != b->size || a->len == 0 || b->len == 0 ||
        a->off + a->len != b->off)
        return 0;
    const char *s = P->buf.data;
    double pts = jr_font_kern_pair(P->ls->fs, a->font, a->size, last_cp(s + a->off, a->len),
                                   first_cp(s + b->off, b->len));
    return (int)lround(-pts * 1000.0 / a->size);
}

/* Push the part [from, to) of atom `ai` as a sub-atom. A part is not
 * shaped again: its width is its characters' advances (cached) less the
 * whole word's kerning inside it, which is what the PDF draws. */
static void push_sub(para *P, itemlist *L, size_t ai, size_t from, size_t to)
{
    atom a = P->at[ai];
    JR_GROW(L->subs, L->subcap, L->nsubs + 1);
    if (from == a.off && to == a.off + a.len) {
        L->subs[L->nsubs++] = a;
        return;
    }
    const char *s = P->buf.data;
    size_t base_off = a.off, base_cp = 0;
    if (P->memo_atom == ai && P->memo_off >= a.off && P->memo_off <= from) {
        base_off = P->memo_off;
        base_cp = P->memo_cp;
    }
    size_t first = base_cp + jr_utf8_count(s + base_off, from - base_off); /* the part's first cp */
    P->memo_atom = ai;
    P->memo_off = from;
    P->memo_cp = first;
    size_t ncp = jr_utf8_count(s + from, to - from);
    size_t kern = kern_alloc(P, ncp);
    const int *src = P->kp + a.kern + first; /* (kern_alloc may have moved the pool) */
    const double *adv = jr_font_adv1000(P->ls->fs, a.font);
    double w = 0;
    size_t i = from, k = 0;
    while (i < to) {
        uint32_t cp;
        size_t n = jr_utf8_decode(s + i, to - i, &cp);
        if (n == 0)
            n = 1;
        /* jr_font_measure's own table, without the call */
        double w1000 = adv && cp < 0x800 && n == (cp < 0x80 ? 1u : 2u) ? adv[cp] : NAN;
        if (w1000 == w1000)
            w += w1000 * a.size / 1000.0;
        else
            w += jr_font_measure(P->ls->fs, a.font, a.size, s + i, n, NULL);
        P->kp[kern + k] = k == 0 ? 0 : src[k];
        if (k > 0)
            w -= src[k] * a.size / 1000.0;
        i += n;
        k++;
    }
    a.off = from;
    a.len = to - from;
    a.kern = kern;
    a.ncp = ncp;
    a.w = w;
    L->subs[L->nsubs++] = a;
}

static double subs_width(para *P, const itemlist *L, size_t s0, size_t s1)
{
    double w = 0;
    for (size_t i = s0; i < s1; i++) {
        w += L->subs[i].w;
        if (i > s0)
            w -= junction_tj(P, &L->subs[i - 1], &L->subs[i]) * L->subs[i].size / 1000.0;
    }
    return w;
}

static bool is_alnum_cp(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) || (cp >= 0x370 && cp <= 0x52F);
}

static bool word_is_url(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
            return true;
    if (n > 4 && strncmp(s, "www.", 4) == 0)
        return true;
    bool at = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '@' && i > 0)
            at = true;
        else if (at && s[i] == '.')
            return true;
    }
    return false;
}

static bool special_byte(unsigned char c)
{
    switch (c) {
    case '-':
    case '/':
    case '.':
    case '@':
    case '_':
    case '?':
    case '&':
    case '=':
    case '#':
    case ':':
    case 0xE2:
        return true;
    default:
        return false;
    }
}

static void cuts_push(cut **c, size_t *n, size_t *cap, size_t off, cut_kind k)
{
    if (*n > 0 && (*c)[*n - 1].off >= off)
        return; /* keep them increasing */
    JR_GROW(*c, *cap, *n + 1);
    (*c)[*n].off = off;
    (*c)[*n].kind = k;
    (*n)++;
}

/* Break points inside word w: explicit (hard hyphens, URL parts), and in
 * pass 2 hyphenation points. */
static size_t word_cuts(para *P, const word *w, bool hyphenate, cut **cuts, size_t *cap)
{
    size_t n = 0;
    if (w->a1 == w->a0)
        return 0;
    size_t start = P->at[w->a0].off;
    size_t end = P->at[w->a1 - 1].off + P->at[w->a1 - 1].len;
    const char *s = P->buf.data;
    /* most words have none of the bytes that URLs and explicit breaks need
     * (- / . @ _ ? & = # :, and 0xE2 leading U+2010, U+2013, U+2014) */
    bool special = false;
    for (size_t i = start; i < end && !special; i++)
        special = special_byte((unsigned char)s[i]);
    bool url = special && word_is_url(s + start, end - start);
    bool code = w->nohyph;
    /* explicit breaks */
    uint32_t prev = 0;
    for (size_t i = special ? start : end; i < end;) {
        uint32_t cp;
        size_t k = jr_utf8_decode(s + i, end - i, &cp);
        if (k == 0)
            k = 1;
        size_t next = i + k;
        uint32_t nx = 0;
        if (next < end)
            jr_utf8_decode(s + next, end - next, &nx);
        if (next < end) {
            if (url) {
                bool brk = cp == '/' || cp == '.' || cp == '@' || cp == '-' || cp == '_' ||
                           cp == '?' || cp == '&' || cp == '=' || cp == '#';
                if (brk && nx != '/' && nx != cp)
                    cuts_push(cuts, &n, cap, next, CUT_URL);
            } else if (!code && (cp == '-' || cp == 0x2010) && is_alnum_cp(prev) &&
                       is_alnum_cp(nx)) {
                cuts_push(cuts, &n, cap, next, CUT_EXPLICIT);
            } else if (!code && (cp == 0x2013 || cp == 0x2014 || cp == '/') && is_alnum_cp(prev) &&
                       is_alnum_cp(nx)) {
                cuts_push(cuts, &n, cap, next, CUT_URL); /* "und/oder", "2019–2021" */
            }
        }
        prev = cp;
        i = next;
    }
    if (!hyphenate || n > 0 || url || code || !jr_layout_hyphenator(P->ls))
        return n;
    /* soft hyphens are the only breaks when present */
    bool had_shy = false;
    for (size_t i = 0; i < P->nshy; i++) {
        size_t o = P->shy[i];
        if (o > start && o < end) {
            cuts_push(cuts, &n, cap, o, CUT_HYPH);
            had_shy = true;
        }
    }
    if (had_shy)
        return n;
    size_t pts[MAX_HYPH_POINTS];
    bool expl[MAX_HYPH_POINTS];
    size_t np = jr_hyphenate(P->ls->hyph, s + start, end - start, pts, expl, MAX_HYPH_POINTS);
    for (size_t i = 0; i < np; i++)
        if (pts[i] > 0 && pts[i] < end - start)
            cuts_push(cuts, &n, cap, start + pts[i], expl[i] ? CUT_EXPLICIT : CUT_HYPH);
    return n;
}

/* Push the sub-atoms of word w between buffer offsets [from, to). */
static void push_range(para *P, itemlist *L, const word *w, size_t from, size_t to)
{
    for (size_t a = w->a0; a < w->a1; a++) {
        size_t ao = P->at[a].off, ae = ao + P->at[a].len;
        size_t lo = ao > from ? ao : from, hi = ae < to ? ae : to;
        if (lo < hi)
            push_sub(P, L, a, lo, hi);
    }
}

/* Single code point widths, for cutting words that fit no line. */
static double cp_width(para *P, int font, double size, const char *s, size_t k)
{
    return jr_font_measure(P->ls->fs, font, size, s, k, NULL);
}

/* Warn about a word that fits no line: once per word. */
static void warn_wide(para *P, word *w, double width, double maxw)
{
    size_t start = P->at[w->a0].off;
    size_t end = P->at[w->a1 - 1].off + P->at[w->a1 - 1].len;
    size_t show = end - start;
    char *txt;
    if (show > 40) {
        size_t k = 40;
        while (k > 0 && ((unsigned char)P->buf.data[start + k] & 0xC0) == 0x80)
            k--;
        txt = jr_xasprintf("%.*s...", (int)k, P->buf.data + start);
    } else {
        txt = jr_xstrndup(P->buf.data + start, show);
    }
    if (!w->warned)
        jr_diag(JR_W_OVERFULL, P->ls->a ? P->ls->a->path : NULL, w->line, 0, width - maxw, txt);
    w->warned = true;
    free(txt);
}

/* One word -> boxes and penalties. maxw: the narrowest line [pt]. */
static void push_word(para *P, itemlist *L, word *w, bool hyphenate, double maxw, cut **cuts,
                      size_t *cutcap)
{
    size_t ncuts = word_cuts(P, w, hyphenate, cuts, cutcap);
    size_t start = P->at[w->a0].off;
    size_t end = P->at[w->a1 - 1].off + P->at[w->a1 - 1].len;
    bool warned = false;
    size_t from = start;
    for (size_t c = 0; c <= ncuts; c++) {
        size_t to = c < ncuts ? (*cuts)[c].off : end;
        size_t s0 = L->nsubs;
        push_range(P, L, w, from, to);
        double bw = subs_width(P, L, s0, L->nsubs);
        if (bw > maxw) {
            /* a part wider than any line: cut it where it fills a line */
            if (!warned && !P->quiet) {
                double total = 0;
                for (size_t a = w->a0; a < w->a1; a++)
                    total += P->at[a].w;
                warn_wide(P, w, total, maxw);
                warned = true;
            }
            L->nsubs = s0;
            size_t piece_from = from;
            double acc = 0;
            size_t after_space = 0; /* code: where the last space ended */
            double acc_space = 0;
            const char *s = P->buf.data;
            for (size_t a = w->a0; a < w->a1; a++) {
                size_t ao = P->at[a].off, ae = ao + P->at[a].len;
                size_t i = ao > from ? ao : from;
                size_t stop = ae < to ? ae : to;
                while (i < stop) {
                    uint32_t cp;
                    size_t k = jr_utf8_decode(s + i, stop - i, &cp);
                    if (k == 0)
                        k = 1;
                    double cw = cp_width(P, P->at[a].font, P->at[a].size, s + i, k);
                    if (acc + cw > maxw - 1.0 && i > piece_from) {
                        /* code lines break after a space in the line's last third */
                        size_t cut_at = i;
                        double rest = 0;
                        if (P->keep_spaces && after_space > piece_from && after_space < i &&
                            acc_space > (maxw - 1.0) * 2 / 3) {
                            cut_at = after_space;
                            rest = acc - acc_space;
                        }
                        size_t q0 = L->nsubs;
                        push_range(P, L, w, piece_from, cut_at);
                        ibox b = {q0, L->nsubs, true, w->line, 0, 0};
                        il_push(L, jr_lb_box(subs_width(P, L, q0, L->nsubs)), b);
                        il_push(L, jr_lb_penalty(0, 0, false), nobox());
                        piece_from = cut_at;
                        acc = rest;
                        after_space = 0;
                    }
                    acc += cw;
                    i += k;
                    if (cp == ' ') {
                        after_space = i;
                        acc_space = acc;
                    }
                }
            }
            size_t q0 = L->nsubs;
            push_range(P, L, w, piece_from, to);
            ibox b = {q0, L->nsubs, true, w->line, 0, 0};
            il_push(L, jr_lb_box(subs_width(P, L, q0, L->nsubs)), b);
        } else {
            ibox b = {s0, L->nsubs, false, w->line, 0, 0};
            il_push(L, jr_lb_box(bw), b);
        }
        if (c < ncuts) {
            cut_kind k = (*cuts)[c].kind;
            if (k == CUT_HYPH) {
                const atom *la = &L->subs[L->nsubs - 1];
                double hw = jr_font_measure(P->ls->fs, la->font, la->size, "-", 1, NULL);
                il_push(L, jr_lb_penalty(hw, 50, true), nobox());
            } else {
                il_push(L, jr_lb_penalty(0, k == CUT_EXPLICIT ? 50 : 0, false), nobox());
            }
        }
        from = to;
    }
}

/* A space glue after word w: TeX's stretch 1/2 and shrink 1/3 of the
 * space, plus what letter spacing in the word may add or take. */
static void push_space(para *P, itemlist *L, const word *w, double sp)
{
    const jr_style *st = P->ls->st;
    double gaps = 0, size = P->at[w->a0].size;
    for (size_t a = w->a0; a < w->a1; a++)
        if (P->at[a].track)
            gaps += (double)P->at[a].ncp;
    gaps = gaps > 1 ? gaps - 1 : 0;
    ibox b = nobox();
    b.gst = sp / 2;
    b.gsh = sp / 3;
    il_push(L,
            jr_lb_glue(sp, sp / 2 + gaps * st->letterspace_stretch * size,
                       sp / 3 + gaps * st->letterspace_shrink * size),
            b);
}

static double space_width(jr_lstate *ls, int font, double size)
{
    return jr_font_measure(ls->fs, font, size, " ", 1, NULL);
}

/* The paragraph's items. indent: first-line indent box [pt]. */
static void build_items(para *P, itemlist *L, double indent, bool hyphenate, double maxw)
{
    L->n = 0;
    L->nsubs = 0;
    cut *cuts = NULL;
    size_t cutcap = 0;
    if (indent > 0)
        il_push(L, jr_lb_box(indent), nobox());
    for (size_t i = 0; i < P->nw; i++) {
        word *w = &P->w[i];
        if (w->a1 == w->a0)
            continue;
        push_word(P, L, w, hyphenate, maxw - (i == 0 ? indent : 0), &cuts, &cutcap);
        bool last = i + 1 == P->nw;
        double sp = 0;
        sep_kind sep = last ? SEP_NONE : w->sep;
        if (!last && sep != SEP_NONE && sep != SEP_ZERO) {
            /* a word too wide for any line has lines of its own */
            double ww = 0, nw = 0;
            for (size_t a = w->a0; a < w->a1; a++)
                ww += P->at[a].w;
            const word *nx = &P->w[i + 1];
            for (size_t a = nx->a0; a < nx->a1; a++)
                nw += P->at[a].w;
            if (ww > maxw || nw > maxw)
                sep = SEP_BREAK;
        }
        switch (sep) {
        case SEP_NONE:
            break;
        case SEP_SPACE:
            sp = space_width(P->ls, w->sep_font, w->sep_size);
            push_space(P, L, w, sp);
            break;
        case SEP_NBSP:
            sp = space_width(P->ls, w->sep_font, w->sep_size);
            il_push(L, jr_lb_penalty(0, JR_INF_PENALTY, false), nobox());
            push_space(P, L, w, sp);
            break;
        case SEP_NARROW:
            sp = space_width(P->ls, w->sep_font, w->sep_size) * 0.6;
            il_push(L, jr_lb_penalty(0, JR_INF_PENALTY, false), nobox());
            il_push(L, jr_lb_glue(sp, 0, 0), nobox());
            break;
        case SEP_ZERO:
            il_push(L, jr_lb_glue(0, 0, 0), nobox());
            break;
        case SEP_BREAK:
            il_push(L, jr_lb_penalty(0, JR_INF_PENALTY, false), nobox());
            il_push(L, jr_lb_glue(0, JR_LB_FIL, 0), nobox());
            il_push(L, jr_lb_penalty(0, -JR_INF_PENALTY, false), nobox());
            break;
        }
    }
    il_push(L, jr_lb_penalty(0, JR_INF_PENALTY, false), nobox());
    il_push(L, jr_lb_glue(0, JR_LB_FIL, 0), nobox());
    il_push(L, jr_lb_penalty(0, -JR_INF_PENALTY, false), nobox());
    free(cuts);
}

/* First fit, for ragged text (headings, captions): lines never wider than
 * the measure unless one box is. */
static void greedy_break(const jr_lb_item *it, size_t n, double width, jr_lb_result *out)
{
    size_t cap = 0;
    out->lines = NULL;
    out->nlines = 0;
    out->pass = 1;
    size_t i = 0;
    while (i < n) {
        /* skip discardables at the line start */
        while (i < n && it[i].type != JR_LB_BOX) {
            if (it[i].type == JR_LB_PENALTY && it[i].penalty <= -JR_INF_PENALTY && out->nlines &&
                out->lines[out->nlines - 1].end + 1 == i)
                break;
            i++;
        }
        if (i >= n)
            break;
        double w = 0;
        size_t best = (size_t)-1;
        size_t k = i;
        size_t end = n - 1;
        for (; k < n; k++) {
            const jr_lb_item *x = &it[k];
            if (x->type == JR_LB_PENALTY) {
                if (x->penalty <= -JR_INF_PENALTY) {
                    end = k;
                    break;
                }
                if (x->penalty < JR_INF_PENALTY && w + x->width <= width + 1e-6)
                    best = k;
                continue;
            }
            if (x->type == JR_LB_GLUE) {
                if (k > i && it[k - 1].type == JR_LB_BOX && w <= width + 1e-6)
                    best = k;
                if (x->stretch < JR_LB_FIL)
                    w += x->width;
                continue;
            }
            w += x->width;
            if (w > width + 1e-6 && best != (size_t)-1) {
                end = best;
                break;
            }
        }
        if (k >= n)
            end = n - 1;
        JR_GROW(out->lines, cap, out->nlines + 1);
        jr_lb_line *l = &out->lines[out->nlines++];
        l->end = end;
        l->ratio = 0;
        l->hyphenated = it[end].type == JR_LB_PENALTY && it[end].flagged;
        l->overfull = false;
        i = end + 1;
    }
}

/* ---- setting lines ---- */

typedef struct tok {
    bool glue;
    double w, stretch, shrink; /* glue */
    size_t piece;              /* piece index in the vlist */
} tok;

static double const_width(size_t line, void *ctx)
{
    (void)line;
    return *(double *)ctx;
}

/* A piece for the sub-atoms subs[q0, ...) of one word on one line: its
 * text and kern values are filled in once the last sub-atom is known
 * (piece_close), not grown per part. */
static void piece_open(jr_vlist *v, const atom *a)
{
    jr_piece *p = vlist_piece(v);
    p->len = (uint32_t)a->len;
    p->ncp = (uint32_t)a->ncp;
    p->font = a->font;
    p->size = a->size;
    p->color = *a->color;
    p->w = a->w;
    p->link = a->link;
    p->track = a->track;
}

/* Append sub-atom a to the open piece p (same font, adjacent text); tj is
 * the kerning at the junction (kept for piece_close). */
static void piece_append(jr_piece *p, const atom *a, int tj)
{
    p->len = (uint32_t)(p->len + a->len);
    p->ncp = (uint32_t)(p->ncp + a->ncp);
    p->w += a->w - tj * a->size / 1000.0;
}

/* Fill in the text and kern values of piece p made of subs[q0, q1); tjs[q]:
 * the junction kerning before sub q (q > q0). */
static void piece_close(para *P, const itemlist *L, jr_piece *p, size_t q0, size_t q1,
                        const int *tjs)
{
    const atom *first = &L->subs[q0];
    p->text = jr_xmalloc((size_t)p->len + 1);
    memcpy(p->text, P->buf.data + first->off, p->len);
    p->text[p->len] = 0;
    p->kern = jr_xmalloc((p->ncp ? p->ncp : 1) * sizeof(int));
    size_t k = 0;
    for (size_t q = q0; q < q1; q++) {
        const atom *a = &L->subs[q];
        memcpy(p->kern + k, P->kp + a->kern, a->ncp * sizeof(int));
        if (q > q0 && a->ncp)
            p->kern[k] = tjs[q];
        k += a->ncp;
    }
}

/* Code lines (few): a piece made at once from one sub-atom, grown by the
 * next ones. */
static void piece_from_sub(para *P, jr_vlist *v, const atom *a)
{
    jr_piece *p = vlist_piece(v);
    p->text = jr_xstrndup(P->buf.data + a->off, a->len);
    p->len = (uint32_t)a->len;
    p->ncp = (uint32_t)a->ncp;
    p->kern = jr_xmalloc((a->ncp ? a->ncp : 1) * sizeof(int));
    memcpy(p->kern, P->kp + a->kern, a->ncp * sizeof(int));
    p->font = a->font;
    p->size = a->size;
    p->color = *a->color;
    p->w = a->w;
    p->link = a->link;
    p->track = a->track;
}

static void piece_grow(para *P, jr_piece *p, const atom *a, int tj)
{
    size_t ol = p->len;
    size_t ocp = p->ncp;
    p->len = (uint32_t)(ol + a->len);
    p->ncp = (uint32_t)(ocp + a->ncp);
    p->text = jr_xrealloc(p->text, ol + a->len + 1);
    memcpy(p->text + ol, P->buf.data + a->off, a->len);
    p->text[ol + a->len] = 0;
    p->kern = jr_xrealloc(p->kern, (ocp + a->ncp + 1) * sizeof(int));
    memcpy(p->kern + ocp, P->kp + a->kern, a->ncp * sizeof(int));
    if (a->ncp)
        p->kern[ocp] = tj;
    p->w += a->w - tj * a->size / 1000.0;
}

typedef struct setopts {
    double width; /* the measure [pt] */
    bool ragged;  /* never justify */
    double ascent, descent;
    bool grid;
    double x; /* indent of the lines in the column [pt] */
    int block;
    bool widows;   /* widow/orphan break rules */
    jr_piece *pre; /* pieces put before the first line (list markers) */
    size_t npre;
} setopts;

static void set_lines(para *P, itemlist *L, const jr_lb_result *res, const setopts *o, jr_vlist *v)
{
    tok *toks = NULL;
    size_t ntok = 0, tokcap = 0;
    size_t e0 = v->n;
    /* the piece being made: subs[open_q0, open_q1) (SIZE_MAX: none) */
    size_t open_q0 = SIZE_MAX, open_q1 = 0, open_piece = 0;
    int *tjs = jr_xmalloc((L->nsubs ? L->nsubs : 1) * sizeof *tjs);
    for (size_t l = 0; l < res->nlines; l++) {
        size_t s = l == 0 ? 0 : res->lines[l - 1].end + 1;
        size_t b = res->lines[l].end;
        while (s < b && L->it[s].type != JR_LB_BOX)
            s++;
        jr_velem *e = jr_vlist_add(v, JR_V_LINE);
        e->ascent = o->ascent;
        e->descent = o->descent;
        e->grid = o->grid;
        e->x = o->x;
        e->width = o->width;
        e->block = o->block;
        if (l == 0)
            for (size_t k = 0; k < o->npre; k++) {
                jr_piece *p = vlist_piece(v);
                *p = o->pre[k];
            }
        ntok = 0;
        bool forced_chunk = false;
        bool prev_was_box = false;
        const atom *prev_sub = NULL;
        int first_line_src = 0;
        for (size_t k = s; k < b && k < L->n; k++) {
            const jr_lb_item *it = &L->it[k];
            if (it->type == JR_LB_GLUE) {
                JR_GROW(toks, tokcap, ntok + 1);
                tok *t = &toks[ntok++];
                t->glue = true;
                t->w = it->width;
                t->stretch = it->stretch >= JR_LB_FIL ? 0 : L->bx[k].gst;
                t->shrink = L->bx[k].gsh;
                prev_was_box = false;
                prev_sub = NULL;
                continue;
            }
            if (it->type != JR_LB_BOX)
                continue;
            const ibox *bx = &L->bx[k];
            if (bx->forced)
                forced_chunk = true;
            if (!first_line_src && bx->line)
                first_line_src = bx->line;
            if (bx->s0 == bx->s1) {
                /* an empty box (indent): a fixed space */
                JR_GROW(toks, tokcap, ntok + 1);
                tok *t = &toks[ntok++];
                t->glue = true;
                t->w = it->width;
                t->stretch = t->shrink = 0;
                prev_was_box = false;
                prev_sub = NULL;
                continue;
            }
            for (size_t q = bx->s0; q < bx->s1; q++) {
                const atom *a = &L->subs[q];
                jr_piece *lastp = (prev_was_box && ntok && !toks[ntok - 1].glue)
                                      ? &v->p[toks[ntok - 1].piece]
                                      : NULL;
                if (lastp && prev_sub && lastp->font == a->font && lastp->size == a->size &&
                    lastp->link == a->link &&
                    memcmp(&lastp->color, a->color, sizeof *a->color) == 0 &&
                    prev_sub->off + prev_sub->len == a->off && open_q0 != SIZE_MAX) {
                    int tj = junction_tj(P, prev_sub, a);
                    tjs[q] = tj;
                    piece_append(lastp, a, tj);
                } else {
                    if (open_q0 != SIZE_MAX)
                        piece_close(P, L, &v->p[open_piece], open_q0, open_q1, tjs);
                    piece_open(v, a);
                    open_q0 = q;
                    open_piece = v->np - 1;
                    JR_GROW(toks, tokcap, ntok + 1);
                    tok *t = &toks[ntok++];
                    t->glue = false;
                    t->piece = v->np - 1;
                }
                open_q1 = q + 1;
                prev_sub = a;
                prev_was_box = true;
            }
        }
        if (open_q0 != SIZE_MAX)
            piece_close(P, L, &v->p[open_piece], open_q0, open_q1, tjs);
        open_q0 = SIZE_MAX;
        const jr_lb_item *bi = b < L->n ? &L->it[b] : NULL;
        bool hyph = bi && bi->type == JR_LB_PENALTY && bi->flagged && ntok && !toks[ntok - 1].glue;
        if (hyph && !jr_font_has_glyph(P->ls->fs, v->p[toks[ntok - 1].piece].font, '-')) {
            /* a fallback font without a hyphen: the hyphen in the body font */
            const jr_piece *lp = &v->p[toks[ntok - 1].piece];
            int f = P->ls->role_font[JR_ROLE_BODY];
            double size = lp->size;
            jr_color color = lp->color;
            int link = lp->link;
            jr_piece *p = vlist_piece(v);
            p->text = jr_xstrdup("-");
            p->len = p->ncp = 1;
            p->kern = jr_xcalloc(1, sizeof(int));
            p->font = f;
            p->size = size;
            p->color = color;
            p->link = link;
            p->w = jr_font_measure(P->ls->fs, f, size, "-", 1, NULL);
            JR_GROW(toks, tokcap, ntok + 1);
            toks[ntok].glue = false;
            toks[ntok].piece = v->np - 1;
            ntok++;
        } else if (hyph) {
            jr_piece *lastp = &v->p[toks[ntok - 1].piece];
            int f = lastp->font;
            size_t ol = lastp->len;
            int tj = (int)lround(
                -jr_font_kern_pair(P->ls->fs, f, lastp->size, last_cp(lastp->text, ol), '-') *
                1000.0 / lastp->size);
            size_t ocp = lastp->ncp;
            lastp->len++;
            lastp->ncp++;
            double hw = jr_font_measure(P->ls->fs, f, lastp->size, "-", 1, NULL);
            lastp->text = jr_xrealloc(lastp->text, ol + 2);
            lastp->text[ol] = '-';
            lastp->text[ol + 1] = 0;
            lastp->kern = jr_xrealloc(lastp->kern, (ocp + 1) * sizeof(int));
            lastp->kern[ocp] = tj;
            lastp->w += hw - tj * lastp->size / 1000.0;
        }
        bool forced_end = !bi || (bi->type == JR_LB_PENALTY && bi->penalty <= -JR_INF_PENALTY);
        while (ntok && toks[ntok - 1].glue)
            ntok--;
        double nat = 0, st = 0, sh = 0, gluew = 0;
        for (size_t t = 0; t < ntok; t++) {
            if (toks[t].glue) {
                nat += toks[t].w;
                st += toks[t].stretch;
                sh += toks[t].shrink;
                gluew += toks[t].w;
            } else {
                nat += v->p[toks[t].piece].w;
            }
        }
        bool last = l + 1 == res->nlines;
        bool justify = !o->ragged && !forced_end && !last;
        /* letter spacing a justified line may use besides its spaces (and
         * any line, to shrink) */
        const jr_style *sty = P->ls->st;
        double lst = 0, lsh = 0;
        for (size_t t = 0; t < ntok; t++) {
            const jr_piece *p = toks[t].glue ? NULL : &v->p[toks[t].piece];
            if (!p || !p->track)
                continue;
            size_t g = p->ncp;
            g = g > 0 ? g - 1 : 0;
            lst += (double)g * sty->letterspace_stretch * p->size;
            lsh += (double)g * sty->letterspace_shrink * p->size;
        }
        double W = o->width, r = 0;
        if (justify && st <= 0 && W - nat > lst)
            justify = false; /* one word that cannot fill the line: left as it is */
        if (justify && nat < W) {
            /* a line of one or two spaces that would gape (a long URL
             * after it): left ragged rather than torn apart */
            int nglue = 0;
            for (size_t t = 0; t < ntok; t++)
                nglue += toks[t].glue;
            if (nglue <= 2 && (W - nat) > 2.5 * (st + lst))
                justify = false;
        }
        bool letters = justify || nat > W;
        if (!letters)
            lst = lsh = 0; /* ragged lines keep their letters as they are */
        if (justify && nat < W)
            r = st + lst > 0 ? (W - nat) / (st + lst) : 0;
        else if (nat > W)
            r = sh + lsh > 0 ? (W - nat) / (sh + lsh) : -1e9;
        bool overfull = false;
        if (r < -1) {
            double over = nat - sh - lsh - W;
            if (over > 0.1) { /* TeX's hfuzz: less is squeezed silently */
                overfull = true;
                jr_buf tb = {0};
                for (size_t t = 0; t < ntok; t++)
                    if (toks[t].glue)
                        jr_buf_putc(&tb, ' ');
                    else
                        jr_buf_puts(&tb, v->p[toks[t].piece].text);
                char *txt = jr_buf_detach(&tb);
                if (!forced_chunk)
                    jr_diag(JR_W_OVERFULL, P->ls->a ? P->ls->a->path : NULL, first_line_src, 0,
                            over, txt);
                free(txt);
            }
            r = -1;
        }
        /* justified lines: letters take their share (at most their full
         * range) in whole TJ units; then the spaces take exactly what is left */
        double sum = 0;
        jr_piece *last_tracked = NULL;
        double rl = r > 1 ? 1 : r < -1 ? -1 : r;
        for (size_t t = 0; t < ntok; t++) {
            if (toks[t].glue) {
                sum += toks[t].w;
                continue;
            }
            jr_piece *p = &v->p[toks[t].piece];
            size_t ncp = p->ncp;
            if (letters && p->track && ncp > 1 && p->kern && rl != 0) {
                double per = rl > 0 ? rl * sty->letterspace_stretch * p->size
                                    : rl * sty->letterspace_shrink * p->size;
                int tj = (int)lround(-per * 1000.0 / p->size);
                for (size_t i = 1; i < ncp; i++)
                    p->kern[i] += tj;
                p->w -= tj * p->size / 1000.0 * (double)(ncp - 1);
                last_tracked = p;
            }
            sum += p->w;
        }
        double rem = W - sum;
        if (!justify && rem > 0)
            rem = 0; /* ragged: natural spaces */
        if (justify && st <= 0 && sh <= 0 && last_tracked && rem > -0.5 && rem < 0.5) {
            /* no spaces: the last letter gap takes the rounding rest */
            size_t ncp = last_tracked->ncp;
            int tj = (int)lround(-rem * 1000.0 / last_tracked->size);
            last_tracked->kern[ncp - 1] += tj;
            last_tracked->w -= tj * last_tracked->size / 1000.0;
            rem = 0;
        }
        /* beyond the shrink, spaces give up part of their remaining width */
        double squeeze = 0;
        if (rem < -sh && gluew - sh > 0)
            squeeze = (-rem - sh) / (gluew - sh) < 1 ? (-rem - sh) / (gluew - sh) : 1;
        double x = 0;
        for (size_t t = 0; t < ntok; t++) {
            if (toks[t].glue) {
                double g = toks[t].w;
                if (rem > 0 && st > 0)
                    g += rem * toks[t].stretch / st;
                else if (rem < 0 && sh > 0)
                    g -= (-rem < sh ? -rem : sh) * toks[t].shrink / sh;
                if (squeeze > 0)
                    g -= (toks[t].w - toks[t].shrink) * squeeze;
                x += g > 0 ? g : 0;
            } else {
                jr_piece *p = &v->p[toks[t].piece];
                p->x = x;
                x += p->w;
            }
        }
        if (x > W + 0.01)
            overfull = true;
        /* re-fetch: the vlist may have grown */
        e = &v->e[v->n - 1];
        e->npieces = v->np - e->first_piece;
        e->ratio = justify || r < 0 ? r : 0;
        e->hyphenated = hyph;
        /* ends inside a word: at a hyphen, a URL or cut point, a zero-width space */
        e->word_continues =
            bi &&
            ((bi->type == JR_LB_PENALTY && bi->penalty > -JR_INF_PENALTY) ||
             (bi->type == JR_LB_GLUE && bi->width == 0 && bi->stretch == 0 && bi->shrink == 0));
        e->overfull = overfull || forced_chunk;
        e->last = last;
    }
    /* break rules: at least two lines of a paragraph at a column's top and bottom */
    size_t nl = v->n - e0;
    for (size_t i = 0; i < nl; i++) {
        jr_velem *e = &v->e[e0 + i];
        if (i == 0)
            e->break_before = true;
        else
            e->break_before = o->widows ? (i >= 2 && nl - i >= 2) : false;
    }
    free(toks);
    free(tjs);
}

void jr_typeset_scratch_free(jr_lstate *ls)
{
    if (ls->scratch) {
        il_free(ls->scratch);
        free(ls->scratch);
        ls->scratch = NULL;
    }
}

/* Break and set a built paragraph. */
static void break_and_set(para *P, double indent, const setopts *o, bool hyphen_ok, jr_vlist *v)
{
    jr_lstate *ls = P->ls;
    /* the item list's arrays are reused from paragraph to paragraph (never
     * nested: set_lines does not come back here) */
    if (!ls->scratch)
        ls->scratch = jr_xcalloc(1, sizeof(itemlist));
    itemlist *Lp = ls->scratch;
    itemlist L = *Lp;
    jr_lb_result res = {0};
    double W = o->width;
    if (o->ragged) {
        build_items(P, &L, indent, false, W);
        greedy_break(L.it, L.n, W, &res);
    } else {
        jr_lb_params prm;
        jr_lb_params_default(&prm);
        prm.max_consecutive_hyphens = ls->st->max_consecutive_hyphens;
        prm.emergency_stretch = ls->st->fonts[JR_ROLE_BODY].size * 1.5;
        build_items(P, &L, indent, false, W);
        if (!jr_linebreak_pass(L.it, L.n, const_width, &W, &prm, 1, &res)) {
            bool hy = hyphen_ok && ls->st->hyphenate && jr_layout_hyphenator(ls);
            if (hy)
                build_items(P, &L, indent, true, W);
            jr_linebreak(L.it, L.n, const_width, &W, &prm, true, &res);
        }
    }
    set_lines(P, &L, &res, o, v);
    jr_lb_result_free(&res);
    L.n = L.nsubs = 0;
    *Lp = L;
}

/* ---- blocks ---- */

static int span_font(jr_lstate *ls, unsigned style, jr_font_role base_role, double *size)
{
    jr_font_role r = base_role;
    if (style & JR_STYLE_CODE) {
        r = JR_ROLE_CODE;
        *size = ls->st->fonts[JR_ROLE_CODE].size;
        return ls->role_font[r];
    }
    if (base_role == JR_ROLE_BODY) {
        bool b = style & JR_STYLE_BOLD, i = style & JR_STYLE_ITALIC;
        r = b && i ? JR_ROLE_BODY_BOLD_ITALIC
            : b    ? JR_ROLE_BODY_BOLD
            : i    ? JR_ROLE_BODY_ITALIC
                   : JR_ROLE_BODY;
    }
    return ls->role_font[r];
}

static void add_spans(para *P, const jr_block *b, jr_font_role role, double size)
{
    jr_lstate *ls = P->ls;
    for (size_t k = 0; k < b->nspans; k++) {
        const jr_span *sp = &b->spans[k];
        if (sp->kind == JR_SPAN_LINEBREAK) {
            para_sep(P, SEP_BREAK, ls->role_font[role], size);
            continue;
        }
        double sz = size;
        int f = span_font(ls, sp->style, role, &sz);
        jr_font_role cr = (sp->style & JR_STYLE_CODE) ? JR_ROLE_CODE : role;
        para_text(P, sp->text, strlen(sp->text), f, sz, &ls->st->fonts[cr].color, sp->link,
                  (sp->style & JR_STYLE_CODE) != 0, sp->pos);
    }
}

double jr_block_indent(const jr_style *st, const jr_block *b, int upto, double colw)
{
    double x = 0, total = 0;
    for (int i = 0; i < b->depth; i++) {
        double d = b->cont[i].kind == JR_CONT_QUOTE ? st->quote_indent : st->list_indent;
        total += d;
        if (i < upto)
            x += d;
    }
    /* deep nesting: all levels squeezed into half the column */
    if (total > colw / 2 && total > 0)
        x *= colw / 2 / total;
    return x;
}

/* List markers of the items this block opens, as pieces relative to the
 * block's indent. */
static size_t list_markers(jr_lstate *ls, const jr_block *b, double indent, double colw,
                           jr_piece *out, size_t max)
{
    size_t n = 0;
    int f = ls->role_font[JR_ROLE_BODY];
    double size = ls->st->fonts[JR_ROLE_BODY].size;
    int ilevel = 0;
    for (int i = 0; i < b->depth && n < max; i++) {
        const jr_container *c = &b->cont[i];
        if (c->kind != JR_CONT_ITEM)
            continue;
        ilevel++;
        if (!c->first)
            continue;
        char txt[32];
        if (c->ordered)
            snprintf(txt, sizeof txt, "%d.", c->number);
        else
            snprintf(txt, sizeof txt, "%s", ilevel % 2 ? "\xE2\x80\xA2" : "\xE2\x80\x93");
        uint32_t cp0 = first_cp(txt, strlen(txt));
        int mf = font_for(ls, f, cp0);
        if (mf < 0)
            mf = f;
        jr_piece *p = &out[n++];
        memset(p, 0, sizeof *p);
        size_t len = strlen(txt);
        p->text = jr_xstrdup(txt);
        size_t ncp = jr_utf8_count(txt, len);
        p->kern = jr_xcalloc(ncp, sizeof(int));
        p->font = mf;
        p->size = size;
        p->color = ls->st->fonts[JR_ROLE_BODY].color;
        p->w = jr_font_measure(ls->fs, mf, size, txt, len, p->kern);
        p->link = -1;
        p->marker = true;
        double item_x = jr_block_indent(ls->st, b, i + 1, colw);
        /* right-aligned in the item's indent, a third of an em before the text */
        p->x = item_x - indent - p->w - size / 3;
        if (p->x < -indent)
            p->x = -indent; /* squeezed deep nesting: never left of the column */
    }
    return n;
}

static void add_space_break(jr_vlist *v, double h, bool break_before)
{
    jr_velem *e = jr_vlist_add(v, JR_V_SPACE);
    e->ascent = h;
    e->break_before = break_before;
}

static void typeset_code(jr_lstate *ls, const jr_block *b, int bi, double x, double W, jr_vlist *v)
{
    const jr_font_style *fsn = &ls->st->fonts[JR_ROLE_CODE];
    int f = ls->role_font[JR_ROLE_CODE];
    double mark_w = jr_typeset_width(ls, CODE_CONT_MARK, f, fsn->size);
    size_t e0 = v->n;
    for (size_t k = 0; k < b->nspans; k++) {
        const jr_span *sp = &b->spans[k];
        para P = {0};
        P.ls = ls;
        P.keep_spaces = true;
        P.quiet = true;
        if (sp->kind == JR_SPAN_TEXT)
            para_text(&P, sp->text, strlen(sp->text), f, fsn->size, &fsn->color, -1, true, sp->pos);
        para_measure(&P);
        /* cut where a line is full; continued lines start with the mark */
        itemlist L = {0};
        double avail = W - mark_w;
        if (P.nw == 0) {
            jr_velem *e = jr_vlist_add(v, JR_V_LINE);
            e->ascent = fsn->leading * 0.75;
            e->descent = fsn->leading * 0.25;
            e->x = x;
            e->width = W;
            e->block = bi;
            e->last = true;
        } else {
            cut *cuts = NULL;
            size_t cutcap = 0;
            double total = 0;
            for (size_t a = 0; a < P.nat; a++)
                total += P.at[a].w;
            if (total <= W) {
                push_range(&P, &L, &P.w[0], 0, P.buf.len);
                ibox bx = {0, L.nsubs, false, sp->pos.line, 0, 0};
                il_push(&L, jr_lb_box(total), bx);
            } else {
                push_word(&P, &L, &P.w[0], false, avail, &cuts, &cutcap);
            }
            free(cuts);
            for (size_t i = 0; i < L.n; i++) {
                if (L.it[i].type != JR_LB_BOX)
                    continue;
                jr_velem *e = jr_vlist_add(v, JR_V_LINE);
                e->ascent = fsn->leading * 0.75;
                e->descent = fsn->leading * 0.25;
                e->x = x;
                e->width = W;
                e->block = bi;
                double px = 0;
                if (i > 0) {
                    jr_vlist tmp = {0};
                    jr_typeset_plain(ls, CODE_CONT_MARK, f, fsn->size, fsn->leading, fsn->color,
                                     1e6, false, &tmp);
                    for (size_t q = 0; q < tmp.np; q++) {
                        jr_piece *p = vlist_piece(v);
                        *p = tmp.p[q];
                    }
                    tmp.np = 0;
                    jr_vlist_free(&tmp);
                    px = mark_w;
                    e = &v->e[v->n - 1];
                }
                const atom *prev = NULL;
                for (size_t q = L.bx[i].s0; q < L.bx[i].s1; q++) {
                    const atom *a = &L.subs[q];
                    if (prev && prev->font == a->font) {
                        jr_piece *lp = &v->p[v->np - 1];
                        int tj = junction_tj(&P, prev, a);
                        piece_grow(&P, lp, a, tj);
                        px = lp->x + lp->w;
                    } else {
                        piece_from_sub(&P, v, a);
                        v->p[v->np - 1].x = px;
                        px += a->w;
                    }
                    prev = a;
                }
                e->npieces = v->np - e->first_piece;
                e->word_continues = i + 1 < L.n;
            }
            if (v->n > e0)
                v->e[v->n - 1].last = true;
        }
        il_free(&L);
        para_free(&P);
    }
    size_t nl = v->n - e0;
    for (size_t i = 0; i < nl; i++)
        v->e[e0 + i].break_before = i == 0 || (i >= 2 && nl - i >= 2);
}

void jr_typeset_block(jr_lstate *ls, const jr_block *b, int bi, double colw, bool indent,
                      jr_vlist *v)
{
    const jr_style *st = ls->st;
    double x = jr_block_indent(st, b, b->depth, colw);
    double W = colw - x;
    if (W < 20)
        W = 20;
    double grid = st->baseline_grid > 0 ? st->baseline_grid : st->fonts[JR_ROLE_BODY].leading;
    switch (b->kind) {
    case JR_BLOCK_PARAGRAPH: {
        para P = {0};
        P.ls = ls;
        double size = st->fonts[JR_ROLE_BODY].size;
        add_spans(&P, b, JR_ROLE_BODY, size);
        para_measure(&P);
        if (P.nw == 0) {
            para_free(&P);
            break;
        }
        jr_piece pre[JR_MAX_DEPTH];
        setopts o = {0};
        o.width = W;
        o.ascent = st->first_baseline;
        o.descent = grid - st->first_baseline;
        o.grid = st->baseline_grid > 0;
        o.x = x;
        o.block = bi;
        o.widows = true;
        o.pre = pre;
        o.npre = list_markers(ls, b, x, colw, pre, JR_MAX_DEPTH);
        break_and_set(&P, indent ? st->paragraph_indent : 0, &o, true, v);
        para_free(&P);
        break;
    }
    case JR_BLOCK_HEADING: {
        int lv = b->level < 2 ? 2 : b->level > 4 ? 4 : b->level;
        double size =
            st->heading_size[lv] > 0 ? st->heading_size[lv] : st->fonts[JR_ROLE_HEADING].size;
        double lead = st->heading_leading[lv] > 0 ? st->heading_leading[lv] : size * 1.2;
        para P = {0};
        P.ls = ls;
        add_spans(&P, b, JR_ROLE_HEADING, size);
        para_measure(&P);
        if (P.nw == 0) {
            para_free(&P);
            break;
        }
        /* space before: heading_space_before for H2, less for smaller headings */
        double h2 = st->heading_size[2] > 0 ? st->heading_size[2] : size;
        add_space_break(v, st->heading_space_before * size / h2, true);
        /* lines `lead` apart; the first one's ascent about the cap height */
        double asc = size * 0.72;
        setopts o = {0};
        o.width = W;
        o.ragged = true;
        o.ascent = asc;
        o.descent = lead - asc;
        o.x = x;
        o.block = bi;
        size_t e0 = v->n;
        break_and_set(&P, 0, &o, false, v);
        for (size_t i = e0; i < v->n; i++)
            v->e[i].break_before = false;
        if (v->n > e0) {
            jr_velem *first = &v->e[e0];
            first->outline = lv;
            first->grid_last = true;
            first->span = (double)(v->n - 1 - e0) * lead;
            /* the text after starts heading_grid_after grid lines below the last baseline */
            jr_velem *last = &v->e[v->n - 1];
            if (st->baseline_grid > 0 && st->heading_grid_after[lv] > 0)
                last->descent =
                    st->heading_grid_after[lv] * st->baseline_grid - st->first_baseline - 0.01;
            else
                last->descent = size * 0.25 + st->heading_space_after;
            if (last->descent < 0)
                last->descent = 0;
        }
        para_free(&P);
        break;
    }
    case JR_BLOCK_CODE: {
        /* a little air around code; the text after it is back on the grid */
        add_space_break(v, st->fonts[JR_ROLE_CODE].leading * 0.4, true);
        size_t e0 = v->n;
        typeset_code(ls, b, bi, x, W, v);
        if (v->n > e0)
            v->e[e0].break_before = false;
        add_space_break(v, st->fonts[JR_ROLE_CODE].leading * 0.4, true);
        break;
    }
    case JR_BLOCK_RULE: {
        jr_velem *e = jr_vlist_add(v, JR_V_RULE);
        e->ascent = st->first_baseline;
        e->descent = grid - st->first_baseline;
        e->grid = st->baseline_grid > 0;
        e->x = x;
        e->width = W;
        e->block = bi;
        e->break_before = true;
        break;
    }
    case JR_BLOCK_FIGURE:
        /* figures are set by flow.c (they need the image's size) */
        break;
    }
}

/* ---- plain strings ---- */

void jr_typeset_plain(jr_lstate *ls, const char *text, int font, double size, double leading,
                      jr_color color, double width, bool center, jr_vlist *v)
{
    if (!text)
        return;
    para P = {0};
    P.ls = ls;
    jr_pos pos = {0, 0};
    para_text(&P, text, strlen(text), font, size, &color, -1, true, pos);
    para_measure(&P);
    if (P.nw == 0) {
        para_free(&P);
        return;
    }
    setopts o = {0};
    o.width = width;
    o.ragged = true;
    o.ascent = leading * 0.75;
    o.descent = leading * 0.25;
    o.block = -1;
    size_t e0 = v->n;
    break_and_set(&P, 0, &o, false, v);
    for (size_t i = e0; i < v->n; i++) {
        jr_velem *e = &v->e[i];
        e->break_before = false;
        if (center && e->npieces) {
            const jr_piece *lp = &v->p[e->first_piece + e->npieces - 1];
            double used = lp->x + lp->w;
            double shift = (width - used) / 2;
            for (size_t k = 0; k < e->npieces; k++)
                v->p[e->first_piece + k].x += shift;
        }
    }
    para_free(&P);
}

double jr_typeset_width(jr_lstate *ls, const char *text, int font, double size)
{
    para P = {0};
    P.ls = ls;
    P.keep_spaces = true;
    jr_pos pos = {0, 0};
    jr_color c = {0, 0, 0, 0, 0, 0, 1};
    para_text(&P, text, strlen(text), font, size, &c, -1, true, pos);
    para_measure(&P);
    double w = 0;
    for (size_t i = 0; i < P.nat; i++)
        w += P.at[i].w;
    para_free(&P);
    return w;
}

/* ---- small pieces shared by the article openings and the edition pages ---- */

void jr_vlist_space(jr_vlist *v, double h)
{
    add_space_break(v, h, false);
}

/* Upper case for kickers: ASCII and Latin-1 letters (ß stays). */
char *jr_upcase(const char *s)
{
    jr_buf b = {0};
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = jr_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            k = 1;
        if (cp >= 'a' && cp <= 'z')
            cp -= 0x20;
        else if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
            cp -= 0x20;
        char u[4];
        jr_buf_put(&b, u, jr_utf8_encode(cp, u));
        i += k;
    }
    return jr_buf_detach(&b);
}

/* Letter-space the lines v->e[from..] by `em` per letter gap (capitals
 * read better spaced), moving the words after each piece along. */
void jr_vlist_track(jr_vlist *v, size_t from, double em)
{
    for (size_t i = from; i < v->n; i++) {
        const jr_velem *e = &v->e[i];
        double shift = 0;
        for (size_t k = 0; k < e->npieces; k++) {
            jr_piece *p = &v->p[e->first_piece + k];
            p->x += shift;
            size_t ncp = jr_utf8_count(p->text, strlen(p->text));
            if (!p->kern || ncp < 2)
                continue;
            int tj = (int)lround(-em * 1000.0);
            for (size_t c = 1; c < ncp; c++)
                p->kern[c] += tj;
            double add = -tj * p->size / 1000.0 * (double)(ncp - 1);
            p->w += add;
            shift += add;
        }
    }
}
