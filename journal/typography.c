/* typography.c: quotes, dashes, ellipses and non-breaking spaces for the
 * article's language.
 *
 * A block's text comes in pieces (its spans); quotes and spaces are decided
 * from the characters around them across piece boundaries, so a quote that
 * opens in plain text and closes in emphasis is still a pair. Code pieces are
 * never changed: they stand in the context as one opaque character (U+FFFC),
 * line breaks as a space. Every change replaces one character or shortens a
 * run inside one piece, so each piece's text can be rebuilt on its own. */
#include <stdlib.h>
#include <string.h>
#include <uchar.h>

#include "markdown.h"
#include "util.h"

#define NBSP 0x00A0u
#define OBJ  0xFFFCu /* stands for a code span in the context */

enum { ROLE_NONE, ROLE_OPEN, ROLE_CLOSE, ROLE_APOS };

typedef struct quote_style {
    uint32_t open2, close2, open1, close1;
} quote_style;

static const quote_style style_en = {0x201C, 0x201D, 0x2018, 0x2019}; /* “ ” ‘ ’ */
static const quote_style style_de = {0x201E, 0x201C, 0x201A, 0x2018}; /* „ “ ‚ ‘ */
static const quote_style style_ch = {0x00AB, 0x00BB, 0x2039, 0x203A}; /* « » ‹ › */

static bool lang_is(const char *lang, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < n; i++) {
        char c = lang[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != prefix[i])
            return false;
    }
    return lang[n] == 0 || lang[n] == '-' || lang[n] == '_';
}

/* Text the journal does not label is German (the journal's default). */
static bool lang_german(const char *lang)
{
    return !lang || !*lang || lang_is(lang, "de");
}

static const quote_style *lang_quotes(const char *lang)
{
    if (!lang_german(lang))
        return &style_en;
    if (lang && (lang_is(lang, "de-ch") || lang_is(lang, "de-li")))
        return &style_ch;
    return &style_de;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == NBSP || c == 0x202F ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x3000;
}

static bool is_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Letters and digits, roughly: ASCII, and non-ASCII outside the blocks of
 * punctuation and symbols. The soft hyphen sits inside words. */
static bool is_alnum(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c);
    if (c == 0x00AD)
        return true;
    if (c < 0xC0 || c == 0xD7 || c == 0xF7)
        return c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 || c == 0xB3 || c == 0xB9;
    if (c >= 0x2000 && c <= 0x2BFF)
        return false;
    if ((c >= 0x3000 && c <= 0x303F) || (c >= 0xFE30 && c <= 0xFE4F) ||
        (c >= 0xFF00 && c <= 0xFF0F) || c == OBJ || c == 0xFFFD)
        return false;
    return true;
}

static bool is_letter(uint32_t c)
{
    return is_alnum(c) && !is_digit(c);
}

/* Characters after which a quote opens. */
static bool opens_after(uint32_t c)
{
    return is_space(c) || c == '(' || c == '[' || c == '{' || c == '<' || c == '/' || c == 0x2013 ||
           c == 0x2014 || c == 0x00AB || c == 0x2039 || c == 0x201E || c == 0x201A;
}

static bool is_double(uint32_t c)
{
    return c == '"' || c == 0x201C || c == 0x201D || c == 0x201E;
}

typedef struct text {
    uint32_t *cp;    /* code points */
    uint32_t *piece; /* the piece each code point came from */
    bool *fixed;     /* the code point stands for code or a break: keep */
    size_t n;
    size_t *quote; /* positions of the quote characters (dashes_and_dots finds them) */
    size_t nquote, quote_cap;
    size_t *space; /* positions of the spaces, when dashes_and_dots did not run */
    size_t nspace, space_cap;
    bool *changed; /* per piece: its text is not the input's any more */
} text;

/* Change the code point at i (and note its piece as changed). */
static void set_cp(text *t, size_t i, uint32_t c)
{
    if (t->cp[i] != c) {
        t->cp[i] = c;
        t->changed[t->piece[i]] = true;
    }
}

static uint32_t at(const text *t, size_t i)
{
    return i < t->n ? t->cp[i] : ' ';
}

/* The character before i; the start of the text counts as a space. */
static uint32_t before(const text *t, size_t i)
{
    return i > 0 ? t->cp[i - 1] : ' ';
}

/* ---- dashes, ellipses (cmark's smart rules, for text it left), spaces ---- */

static void dashes_and_dots(text *t)
{
    size_t w = 0;
    t->nquote = 0; /* found again where they end up */
    for (size_t i = 0; i < t->n;) {
        uint32_t c = t->cp[i];
        /* Most characters are left as they are (code pieces' stand-ins
         * among them: they are never '-', '.', a space or a control). */
        if ((c > ' ' && c != '-' && c != '.' && !(c >= 0x7F && c <= 0x9F)) ||
            (c == ' ' && (t->fixed[i] || w == 0 || t->cp[w - 1] != ' '))) {
            if (c == '"' || c == '\'' || (c - 0x2018u <= 6u && c != 0x201B)) {
                JR_GROW(t->quote, t->quote_cap, t->nquote + 1);
                t->quote[t->nquote++] = w; /* never a fixed one */
            }
            if (w != i) {
                t->cp[w] = c;
                t->piece[w] = t->piece[i];
                t->fixed[w] = t->fixed[i];
            }
            w++, i++;
            continue;
        }
        size_t run = 1;
        if (!t->fixed[i] && (c == '-' || c == '.')) {
            while (i + run < t->n && t->cp[i + run] == c && t->piece[i + run] == t->piece[i])
                run++;
        }
        /* a hyphen standing alone between words is meant as a dash */
        if (c == '-' && run == 1 && !t->fixed[i] && w >= 2 && t->cp[w - 1] == ' ' &&
            !is_space(t->cp[w - 2]) && i + 1 < t->n && t->cp[i + 1] == ' ') {
            t->cp[w] = 0x2013, t->piece[w] = t->piece[i], t->fixed[w] = false;
            w++, i++;
            continue;
        }
        if (c == '-' && run >= 2 && !t->fixed[i]) {
            /* as cmark: all em dashes if the run divides by 3, else all en
             * dashes if by 2, else em dashes and one or two en dashes */
            size_t em, en;
            if (run % 3 == 0)
                em = run / 3, en = 0;
            else if (run % 2 == 0)
                em = 0, en = run / 2;
            else if (run % 3 == 2)
                em = (run - 2) / 3, en = 1;
            else
                em = (run - 4) / 3, en = 2;
            uint32_t pc = t->piece[i];
            for (size_t k = 0; k < em; k++, w++)
                t->cp[w] = 0x2014, t->piece[w] = pc, t->fixed[w] = false;
            for (size_t k = 0; k < en; k++, w++)
                t->cp[w] = 0x2013, t->piece[w] = pc, t->fixed[w] = false;
            i += run;
            continue;
        }
        if (c == '.' && run >= 3 && !t->fixed[i]) {
            uint32_t pc = t->piece[i];
            for (size_t k = 0; k < run / 3; k++, w++)
                t->cp[w] = 0x2026, t->piece[w] = pc, t->fixed[w] = false;
            for (size_t k = 0; k < run % 3; k++, w++)
                t->cp[w] = '.', t->piece[w] = pc, t->fixed[w] = false;
            i += run;
            continue;
        }
        /* tabs and line ends are spaces, other control characters go */
        if (!t->fixed[i] && (c == '\t' || c == '\n' || c == '\r'))
            c = t->cp[i] = ' ';
        else if (!t->fixed[i] && (c < 0x20 || (c >= 0x7F && c <= 0x9F))) {
            i++;
            continue;
        }
        /* runs of spaces set as one (as HTML does); code keeps its own */
        if (c == ' ' && !t->fixed[i] && w > 0 && t->cp[w - 1] == ' ') {
            i++;
            continue;
        }
        for (size_t k = 0; k < run; k++, w++, i++) {
            if (w != i) {
                t->cp[w] = t->cp[i];
                t->piece[w] = t->piece[i];
                t->fixed[w] = t->fixed[i];
            }
        }
    }
    t->n = w;
}

/* ---- quotes ---- */

/* A single quote that could close: after a non-space, not inside a word. */
static bool single_closer(const text *t, size_t j)
{
    uint32_t c = t->cp[j], b = before(t, j);
    if (t->fixed[j] || !(c == '\'' || c == 0x2018 || c == 0x2019))
        return false;
    if (opens_after(b))
        return false;
    return !(is_alnum(b) && is_alnum(at(t, j + 1)));
}

static bool single_opener(const text *t, size_t j)
{
    uint32_t c = t->cp[j];
    if (t->fixed[j] || !(c == '\'' || c == 0x2018 || c == 0x201A))
        return false;
    return c == 0x201A || (opens_after(before(t, j)) && !is_space(at(t, j + 1)));
}

static void quotes(text *t, const quote_style *qs)
{
    /* Only the quote characters are looked at (dashes_and_dots noted where
     * they stand). */
    size_t nq = t->nquote;
    const size_t *pos = t->quote;
    if (nq == 0)
        return;
    /* For each quote: where the next possible closing and opening single
     * quotes stand (t->n when none), to tell a closing quote from an
     * apostrophe. Only quote characters can be either. */
    size_t *next_close = jr_xmalloc(2 * nq * sizeof *next_close);
    size_t *next_open = next_close + nq;
    size_t nc = t->n, no = t->n;
    for (size_t q = nq; q-- > 0;) {
        size_t j = pos[q];
        next_close[q] = nc;
        next_open[q] = no;
        if (single_closer(t, j))
            nc = j;
        else if (single_opener(t, j))
            no = j;
    }

    int ddepth = 0, sdepth = 0;
    size_t prev = (size_t)-1; /* the quote before, and its role */
    int prev_role = ROLE_NONE;
    for (size_t q = 0; q < nq; q++) {
        size_t i = pos[q];
        uint32_t c = t->cp[i];
        bool open_ctx =
            opens_after(before(t, i)) || (i > 0 && prev == i - 1 && prev_role == ROLE_OPEN);
        int role;
        if (is_double(c)) {
            if (c == 0x201E)
                role = ROLE_OPEN;
            else if (c == 0x201D)
                role = ROLE_CLOSE;
            else if (c == 0x201C) /* English opening, German closing */
                role = (ddepth > 0 && !open_ctx) ? ROLE_CLOSE : ROLE_OPEN;
            else
                role = open_ctx ? ROLE_OPEN : ROLE_CLOSE;
            if (role == ROLE_OPEN)
                ddepth++;
            else if (ddepth > 0)
                ddepth--;
            set_cp(t, i, role == ROLE_OPEN ? qs->open2 : qs->close2);
        } else {
            bool later_closer = next_close[q] < next_open[q];
            if (c == 0x201A) {
                role = ROLE_OPEN;
            } else if (is_alnum(before(t, i)) && is_alnum(at(t, i + 1))) {
                role = ROLE_APOS; /* geht’s, Rock’n’Roll (even if cmark paired it) */
            } else if (c == 0x2018) {
                role = (sdepth > 0 && !open_ctx) ? ROLE_CLOSE : ROLE_OPEN;
            } else if (open_ctx) {
                /* a straight quote opens only if something closes it;
                 * otherwise it is an elision (’s, ’90er) */
                role =
                    (c == '\'' && later_closer && !is_space(at(t, i + 1))) ? ROLE_OPEN : ROLE_APOS;
            } else if (sdepth > 0) {
                role = ROLE_CLOSE; /* the first closer wins, as in cmark */
            } else {
                role = ROLE_APOS; /* Hans’ Buch, Kinder’ */
            }
            if (role == ROLE_OPEN)
                sdepth++;
            else if (role == ROLE_CLOSE && sdepth > 0)
                sdepth--;
            set_cp(t, i, role == ROLE_OPEN ? qs->open1 : role == ROLE_CLOSE ? qs->close1 : 0x2019);
        }
        prev = i;
        prev_role = role;
    }
    free(next_close);
}

/* ---- non-breaking spaces ---- */

/* The words below are written as UTF-32 literals (U"..."), so that they
 * are compared with the code points directly. */

/* Does the text at i read `word`, ending there (no letter or digit after)? */
static bool word_at(const text *t, size_t i, const char32_t *word)
{
    for (size_t k = 0; word[k]; k++, i++)
        if (i >= t->n || t->cp[i] != word[k] || t->fixed[i])
            return false;
    /* a word ending in '.' or a symbol needs no boundary after it */
    uint32_t last = t->cp[i - 1];
    if (!is_alnum(last))
        return true;
    return i >= t->n || !is_alnum(t->cp[i]);
}

/* Does the text just before position i (exclusive) read `word`, with a word
 * boundary before it? */
static bool word_before(const text *t, size_t i, const char32_t *word)
{
    size_t nw = 0;
    while (word[nw])
        nw++;
    if (nw > i)
        return false;
    size_t s = i - nw;
    for (size_t m = 0; m < nw; m++)
        if (t->cp[s + m] != word[m] || t->fixed[s + m])
            return false;
    return s == 0 || !is_alnum(t->cp[s - 1]);
}

static const char32_t *const units[] = {
    U"%",   U"‰",   U"€",    U"$",    U"£",    U"¥",    U"°C",   U"°F",      U"°",    U"km",
    U"m",   U"cm",  U"mm",   U"µm",   U"nm",   U"kg",   U"g",    U"mg",      U"t",    U"l",
    U"ml",  U"cl",  U"dl",   U"hl",   U"ha",   U"qm",   U"m²",   U"m³",      U"km²",  U"cm²",
    U"h",   U"min", U"s",    U"ms",   U"Std.", U"Min.", U"Sek.", U"Uhr",     U"Euro", U"EUR",
    U"USD", U"CHF", U"Cent", U"ct",   U"Mio.", U"Mrd.", U"Tsd.", U"Prozent", U"kWh",  U"kW",
    U"MW",  U"GW",  U"W",    U"Hz",   U"kHz",  U"MHz",  U"GHz",  U"kB",      U"KB",   U"MB",
    U"GB",  U"TB",  U"Bit",  U"Byte", U"px",   U"pt",   U"dpi",  U"km/h",    U"Jh.",  U"Jhd.",
};

/* Abbreviations that stay with the number after them: § 5, S. 3, Nr. 7. */
static const char32_t *const before_number[] = {
    U"§",   U"§§",    U"Nr.",  U"S.",   U"Abs.", U"Art.",    U"Kap.", U"Bd.",
    U"Jg.", U"Ziff.", U"Abb.", U"Tab.", U"Anm.", U"Abschn.", U"Bl.",  U"Fn.",
    U"No.", U"p.",    U"pp.",  U"Fig.", U"ch.",  U"Vol.",    U"vol.",
};

static const char32_t *const months[] = {
    U"Januar", U"Jänner", U"Februar",   U"März",    U"April",    U"Mai",      U"Juni",
    U"Juli",   U"August", U"September", U"Oktober", U"November", U"Dezember", U"Jan.",
    U"Feb.",   U"Febr.",  U"Mrz.",      U"Apr.",    U"Jun.",     U"Jul.",     U"Aug.",
    U"Sep.",   U"Sept.",  U"Okt.",      U"Nov.",    U"Dez.",
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

static bool glue_space(const text *t, size_t i, bool german)
{
    uint32_t b = before(t, i), a = at(t, i + 1);
    if (i == 0 || i + 1 >= t->n)
        return false;
    /* every rule below wants one of these around the space */
    if (!is_digit(b) && !is_digit(a) && b != '.' && a != 0x2013 && a != 0x2014 && a != 0x2026)
        return false;
    /* 12 €, 30 %, 5 km, 10 Uhr */
    if (is_digit(b)) {
        for (size_t k = 0; k < COUNT(units); k++)
            if (word_at(t, i + 1, units[k]))
                return true;
    }
    /* § 5, S. 3, Nr. 7 */
    if (is_digit(a)) {
        for (size_t k = 0; k < COUNT(before_number); k++)
            if (word_before(t, i, before_number[k]))
                return true;
    }
    /* z. B., d. h., u. a., i. d. R., initials A. B. */
    if (b == '.' && i >= 2 && is_letter(t->cp[i - 2]) && !t->fixed[i - 2] &&
        (i == 2 || !is_alnum(t->cp[i - 3])) && is_letter(a) && at(t, i + 2) == '.')
        return true;
    /* a spaced dash does not begin a line: Wort – weiter */
    if ((a == 0x2013 || a == 0x2014) && is_space(at(t, i + 2)) && !is_space(b))
        return true;
    /* nor does an ellipsis for left-out words: Wort … */
    if (a == 0x2026 && !is_space(b) && !is_alnum(at(t, i + 2)))
        return true;
    /* 3. Mai */
    if (german && b == '.' && i >= 2 && is_digit(t->cp[i - 2])) {
        for (size_t k = 0; k < COUNT(months); k++)
            if (word_at(t, i + 1, months[k]))
                return true;
    }
    return false;
}

static void spaces(text *t, bool german, bool all)
{
    if (all) {
        for (size_t i = 0; i < t->n; i++)
            if (t->cp[i] == ' ' && !t->fixed[i] && glue_space(t, i, german))
                set_cp(t, i, NBSP);
        return;
    }
    for (size_t k = 0; k < t->nspace; k++) { /* the spaces noted while decoding */
        size_t i = t->space[k];
        if (i == 0 || i + 1 >= t->n)
            continue;
        /* glue_space's first test, here: most spaces stop at it */
        uint32_t b = t->cp[i - 1], a = t->cp[i + 1];
        if (!is_digit(b) && !is_digit(a) && b != '.' && a != 0x2013 && a != 0x2014 && a != 0x2026)
            continue;
        if (glue_space(t, i, german))
            set_cp(t, i, NBSP);
    }
}

/* ---- pieces in, pieces out ---- */

/* ASCII characters dashes_and_dots or quotes look at. */
static const bool ascii_special[128] = {
    ['"'] = 1, ['\''] = 1, [' '] = 1, ['-'] = 1, ['.'] = 1, [0x7F] = 1};

static void note_quote(text *t, size_t at)
{
    JR_GROW(t->quote, t->quote_cap, t->nquote + 1);
    t->quote[t->nquote++] = at;
}

void jr_typography_pieces(jr_typo_piece *pieces, size_t n, const char *lang)
{
    size_t total = 0;
    for (size_t k = 0; k < n; k++)
        total += pieces[k].kind == JR_TYPO_TEXT ? pieces[k].len : 1;
    text t = {0};
    /* one block: code points, pieces, then the fixed flags */
    char *mem = jr_xmalloc((total + 1) * (2 * sizeof(uint32_t) + sizeof(bool)));
    t.cp = (uint32_t *)mem;
    t.piece = t.cp + total + 1;
    t.fixed = (bool *)(t.piece + total + 1);
    bool busy = false; /* dashes_and_dots may change something */
    t.changed = jr_xcalloc(n ? n : 1, sizeof *t.changed);
    size_t *start = jr_xmalloc((n + 1) * sizeof *start); /* each piece's first code point */
    t.space_cap = total / 4 + 16;
    t.space = jr_xmalloc(t.space_cap * sizeof *t.space);
    for (size_t k = 0; k < n; k++) {
        pieces[k].out = NULL;
        start[k] = t.n;
        if (pieces[k].kind != JR_TYPO_TEXT) {
            t.cp[t.n] = pieces[k].kind == JR_TYPO_CODE ? OBJ : ' ';
            t.piece[t.n] = (uint32_t)k;
            t.fixed[t.n++] = true;
            continue;
        }
        const unsigned char *s = (const unsigned char *)pieces[k].text;
        size_t len = pieces[k].len, i = 0;
        while (i < len) {
            size_t run = jr_ascii_printable((const char *)s + i, len - i);
            for (size_t e = i + run; i < e; i++) {
                unsigned char ch = s[i];
                if (ascii_special[ch]) {
                    if (ch == '"' || ch == '\'')
                        note_quote(&t, t.n);
                    else if (ch == ' ') {
                        busy |= t.n > 0 && t.cp[t.n - 1] == ' '; /* spaces to join */
                        JR_GROW(t.space, t.space_cap, t.nspace + 1);
                        t.space[t.nspace++] = t.n;
                    } else if (ch == '-') /* a dash to make, maybe */
                        busy |= (t.n > 0 && t.cp[t.n - 1] == ' ') || i + 1 == len ||
                                s[i + 1] == ' ' || s[i + 1] == '-';
                    else if (ch == '.')
                        busy |= i + 1 < len && s[i + 1] == '.';
                    else
                        busy = true; /* DEL */
                }
                t.cp[t.n++] = ch; /* piece and fixed: below */
            }
            if (i == len)
                break;
            uint32_t c = s[i];
            size_t l = 1;
            if (c >= 0x80) {
                l = jr_utf8_decode((const char *)s + i, len - i, &c);
                if (l == 0) {
                    l = 1; /* invalid byte: U+FFFD */
                    t.changed[k] = true;
                }
                if (c <= 0x9F)
                    busy = true; /* a C1 control */
                else if (c - 0x2018u <= 6u && c != 0x201B)
                    note_quote(&t, t.n);
            } else {
                busy = true; /* a control character */
            }
            t.cp[t.n++] = c;
            i += l;
        }
        for (size_t m = start[k]; m < t.n; m++) {
            t.piece[m] = (uint32_t)k;
            t.fixed[m] = false;
        }
    }
    start[n] = t.n;

    /* Nothing for dashes_and_dots to do (the usual case: no double space,
     * no hyphen next to a space or another, no "..", no control) leaves
     * the text as it is: it is skipped. */
    if (busy) {
        dashes_and_dots(&t);
        memset(t.changed, 1, n * sizeof *t.changed);
    }
    quotes(&t, lang_quotes(lang));
    spaces(&t, lang_german(lang), busy);

    /* Each code point of a piece came from at least one byte of it and takes
     * at most three (four only for one that took four). */
    size_t i = 0;
    for (size_t k = 0; k < n; k++) {
        if (pieces[k].kind != JR_TYPO_TEXT) {
            while (i < t.n && t.piece[i] == k)
                i++;
            continue;
        }
        if (!t.changed[k]) { /* the input's bytes, as decoding did not change them */
            pieces[k].out = jr_xstrndup(pieces[k].text, pieces[k].len);
            i = start[k + 1]; /* nothing moved: dashes_and_dots did not run */
            continue;
        }
        char *out = jr_xmalloc(3 * pieces[k].len + 1), *o = out;
        for (; i < t.n && t.piece[i] == k; i++) {
            uint32_t c = t.cp[i];
            if (c < 0x80)
                *o++ = (char)c;
            else
                o += jr_utf8_encode(c, o);
        }
        *o = 0;
        pieces[k].out = out;
    }
    free(mem);
    free(start);
    free(t.quote);
    free(t.space);
    free(t.changed);
}

char *jr_typography(const char *text_in, const char *lang)
{
    jr_typo_piece p = {JR_TYPO_TEXT, text_in ? text_in : "", text_in ? strlen(text_in) : 0, NULL};
    jr_typography_pieces(&p, 1, lang);
    return p.out;
}
