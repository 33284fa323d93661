/* yamlnode.c: YAML documents as trees of positioned nodes (libyaml events). */
#define _POSIX_C_SOURCE 200809L
#include "yamlnode.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "util.h"

/* ---- text checks ---- */

jr_pos jr_text_pos(const char *data, size_t len, size_t offset)
{
    jr_pos p = {1, 1};
    if (offset > len)
        offset = len;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; i++)
        if (data[i] == '\n')
            p.line++, line_start = i + 1;
    p.col = 1 + (int)jr_utf8_count(data + line_start, offset - line_start);
    return p;
}

bool jr_text_check(const char *path, const char *data, size_t len)
{
    const char *nul = memchr(data, 0, len);
    size_t bad = jr_utf8_invalid_at(data, nul ? (size_t)(nul - data) : len);
    if (bad != (size_t)-1) {
        jr_pos p = jr_text_pos(data, len, bad);
        jr_diag(JR_E_NOT_UTF8, path, p.line, p.col, bad);
        return false;
    }
    if (nul) {
        size_t off = (size_t)(nul - data);
        jr_pos p = jr_text_pos(data, len, off);
        jr_diag(JR_E_NUL_BYTE, path, p.line, p.col, off);
        return false;
    }
    return true;
}

/* ---- nodes ---- */

static void node_free(jr_ynode *n, int depth)
{
    if (!n)
        return;
    /* depth is bounded by the parser; the guard only protects hand-made trees */
    if (depth < 4 * JR_YAML_MAX_DEPTH)
        for (size_t i = 0; i < n->nitems; i++)
            node_free(n->items[i], depth + 1);
    free(n->items);
    free(n->value);
    free(n);
}

void jr_ydoc_free(jr_ydoc *d)
{
    if (!d)
        return;
    node_free(d->root, 0);
    free(d->path);
    free(d);
}

static void node_add(jr_ynode *parent, jr_ynode *child)
{
    JR_GROW(parent->items, parent->cap, parent->nitems + 1);
    parent->items[parent->nitems++] = child;
}

/* Duplicate keys of a mapping: sort the key indices by text (n log n, so a
 * huge mapping stays cheap), then report the later ones in file order. */
typedef struct {
    const jr_ynode *map;
    size_t idx;
} key_ref;

static int cmp_key(const void *pa, const void *pb)
{
    const key_ref *a = pa, *b = pb;
    const jr_ynode *ka = a->map->items[a->idx], *kb = b->map->items[b->idx];
    int c = strcmp(ka->value, kb->value);
    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int cmp_size(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return a < b ? -1 : a > b;
}

static void check_duplicates(const char *path, jr_ynode *map)
{
    size_t n = map->nitems / 2, nk = 0;
    if (n < 2)
        return;
    key_ref *refs = jr_xmalloc(n * sizeof *refs);
    for (size_t i = 0; i < n; i++)
        if (map->items[2 * i]->kind == JR_YAML_SCALAR)
            refs[nk].map = map, refs[nk].idx = 2 * i, nk++;
    qsort(refs, nk, sizeof *refs, cmp_key);
    size_t *dups = jr_xmalloc((nk ? nk : 1) * sizeof *dups), nd = 0;
    for (size_t i = 1; i < nk; i++)
        if (strcmp(map->items[refs[i].idx]->value, map->items[refs[i - 1].idx]->value) == 0)
            dups[nd++] = refs[i].idx;
    qsort(dups, nd, sizeof *dups, cmp_size);
    for (size_t i = 0; i < nd; i++) {
        const jr_ynode *k = map->items[dups[i]];
        jr_diag(JR_E_DUPLICATE_KEY, path, k->line, k->col, k->value);
    }
    free(dups);
    free(refs);
}

/* ---- parsing ---- */

/* The byte at 0-based line/column (in characters) of data, or 0. */
static char char_at(const char *data, size_t len, size_t line, size_t col)
{
    size_t i = 0;
    for (; i < len && line > 0; i++)
        if (data[i] == '\n')
            line--;
    for (; i < len && data[i] != '\n'; i++) {
        if (((unsigned char)data[i] & 0xC0) == 0x80)
            continue;
        if (col-- == 0)
            return data[i];
    }
    return 0;
}

static void report_parser_error(const char *path, yaml_parser_t *p, const char *data, size_t len,
                                int first_line)
{
    const char *problem = p->problem ? p->problem : "cannot parse";
    int line, col;
    bool cline_ok = true; /* the context helps */
    if (p->error == YAML_READER_ERROR) {
        jr_pos pos = jr_text_pos(data, len, p->problem_offset);
        line = pos.line + first_line - 1, col = pos.col;
    } else {
        line = (int)p->problem_mark.line + first_line;
        col = (int)p->problem_mark.column + 1;
        if (p->error == YAML_SCANNER_ERROR &&
            char_at(data, len, p->problem_mark.line, p->problem_mark.column) == '\t')
            problem = "found a tab; YAML indents with spaces only", cline_ok = false;
    }
    int cline = (int)p->context_mark.line + first_line;
    char *msg = p->context && cline_ok && cline != line
                    ? jr_xasprintf("%s (%s at line %d)", problem, p->context, cline)
                    : jr_xstrdup(problem);
    jr_diag(JR_E_YAML_SYNTAX, path, line, col, msg);
    free(msg);
}

jr_ydoc *jr_ydoc_parse(const char *path, const char *data, size_t len, int first_line)
{
    jr_ydoc *d = jr_xcalloc(1, sizeof *d);
    d->path = jr_xstrdup(path ? path : "");
    if (first_line < 1)
        first_line = 1;
    /* libyaml takes a BOM for content once the encoding is set: drop it */
    if (data && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, len -= 3;
    if (!data)
        data = "", len = 0;

    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        jr_diag(JR_E_YAML_SYNTAX, path, 0, 0, "cannot start the YAML parser");
        d->failed = true;
        return d;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

    jr_ynode *stack[JR_YAML_MAX_DEPTH + 1];
    int depth = 0, ndocs = 0;
    jr_ynode *root = NULL;
    bool done = false, failed = false;
    while (!done && !failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            report_parser_error(d->path, &p, data, len, first_line);
            failed = true;
            break;
        }
        int line = (int)ev.start_mark.line + first_line, col = (int)ev.start_mark.column + 1;
        jr_ynode *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++ndocs > 1) {
                jr_diag(JR_E_YAML_SYNTAX, d->path, line, col,
                        "more than one YAML document (a second '---' line?)");
                failed = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            jr_diag(JR_E_YAML_SYNTAX, d->path, line, col,
                    "aliases (*name) are not supported; write the value out");
            failed = true;
            break;
        case YAML_SCALAR_EVENT:
            n = jr_xcalloc(1, sizeof *n);
            n->kind = JR_YAML_SCALAR;
            n->value = jr_xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->len = ev.data.scalar.length;
            n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth >= JR_YAML_MAX_DEPTH) {
                char *msg = jr_xasprintf("nesting deeper than %d levels", JR_YAML_MAX_DEPTH);
                jr_diag(JR_E_YAML_SYNTAX, d->path, line, col, msg);
                free(msg);
                failed = true;
                break;
            }
            n = jr_xcalloc(1, sizeof *n);
            n->kind = ev.type == YAML_SEQUENCE_START_EVENT ? JR_YAML_SEQUENCE : JR_YAML_MAPPING;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                jr_ynode *top = stack[--depth];
                if (top->kind == JR_YAML_MAPPING)
                    check_duplicates(d->path, top);
            }
            break;
        default:
            break;
        }
        if (n) {
            n->line = line, n->col = col;
            if (depth > 0) {
                node_add(stack[depth - 1], n);
            } else if (!root) {
                root = n;
            } else { /* cannot happen: one document only */
                node_free(n, 0);
                n = NULL;
            }
            if (n && n->kind != JR_YAML_SCALAR)
                stack[depth++] = n;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (failed) {
        node_free(root, 0);
        root = NULL;
    }
    d->root = root;
    d->failed = failed;
    return d;
}

jr_ydoc *jr_ydoc_read(const char *path)
{
    size_t len;
    char *data = jr_read_file(path, &len);
    if (!data) {
        jr_diag(JR_E_READ, path, 0, 0, jr_read_error(errno));
        return NULL;
    }
    if (!jr_text_check(path, data, len)) {
        free(data);
        return NULL;
    }
    jr_ydoc *d = jr_ydoc_parse(path, data, len, 1);
    free(data);
    return d;
}

/* ---- access ---- */

bool jr_ynode_is_null(const jr_ynode *n)
{
    if (!n)
        return true;
    if (n->kind != JR_YAML_SCALAR || !n->plain)
        return false;
    return n->len == 0 || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
           strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0;
}

static size_t map_find(const jr_ynode *map, const char *key)
{
    if (!map || map->kind != JR_YAML_MAPPING || !key)
        return (size_t)-1;
    for (size_t i = 0; i + 1 < map->nitems; i += 2) {
        const jr_ynode *k = map->items[i];
        if (k->kind == JR_YAML_SCALAR && strcmp(k->value, key) == 0)
            return i;
    }
    return (size_t)-1;
}

const jr_ynode *jr_ymap_get(const jr_ynode *map, const char *key)
{
    size_t i = map_find(map, key);
    return i == (size_t)-1 ? NULL : map->items[i + 1];
}

const jr_ynode *jr_ymap_key(const jr_ynode *map, const char *key)
{
    size_t i = map_find(map, key);
    return i == (size_t)-1 ? NULL : map->items[i];
}

static void type_error(const jr_ydoc *d, const jr_ynode *n, const char *name, const char *what)
{
    jr_diag(JR_E_YAML_TYPE, d ? d->path : NULL, n->line, n->col, name ? name : "value", what);
}

bool jr_y_string(const jr_ydoc *d, const jr_ynode *n, const char *name, char **out)
{
    if (jr_ynode_is_null(n))
        return false;
    if (n->kind != JR_YAML_SCALAR) {
        type_error(d, n, name, "a string");
        return false;
    }
    free(*out);
    *out = jr_xstrndup(n->value, n->len);
    return true;
}

bool jr_y_int(const jr_ydoc *d, const jr_ynode *n, const char *name, long min, long max, int *out)
{
    if (jr_ynode_is_null(n))
        return false;
    char *what = jr_xasprintf("a whole number from %ld to %ld", min, max);
    bool ok = false;
    if (n->kind == JR_YAML_SCALAR && n->len > 0) {
        const char *s = n->value;
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (*s != ' ' && *s != '\t' && *end == 0 && errno == 0 && v >= min && v <= max &&
            v >= INT_MIN && v <= INT_MAX) {
            *out = (int)v;
            ok = true;
        }
    }
    if (!ok)
        type_error(d, n, name, what);
    free(what);
    return ok;
}

bool jr_y_double(const jr_ydoc *d, const jr_ynode *n, const char *name, double min, double max,
                 double *out)
{
    if (jr_ynode_is_null(n))
        return false;
    bool ok = false;
    if (n->kind == JR_YAML_SCALAR && n->len > 0) {
        /* parse by hand: strtod follows the locale's decimal point */
        const char *s = n->value;
        bool neg = false;
        double v = 0, scale = 1;
        int digits = 0;
        if (*s == '-' || *s == '+')
            neg = *s++ == '-';
        while (*s >= '0' && *s <= '9')
            v = v * 10 + (*s++ - '0'), digits++;
        if (*s == '.') {
            s++;
            while (*s >= '0' && *s <= '9')
                v = v * 10 + (*s++ - '0'), scale *= 10, digits++;
        }
        if (*s == 0 && digits > 0 && digits < 300) {
            v = (neg ? -v : v) / scale;
            if (v >= min && v <= max && isfinite(v)) {
                *out = v;
                ok = true;
            }
        }
    }
    if (!ok) {
        char a[32], b[32];
        jr_fmt_double(a, sizeof a, min, 2);
        jr_fmt_double(b, sizeof b, max, 2);
        char *what = jr_xasprintf("a number from %s to %s", a, b);
        type_error(d, n, name, what);
        free(what);
    }
    return ok;
}

static bool word_is(const char *s, const char *w)
{
    for (; *s && *w; s++, w++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *w)
            return false;
    }
    return *s == 0 && *w == 0;
}

bool jr_y_bool(const jr_ydoc *d, const jr_ynode *n, const char *name, bool *out)
{
    if (jr_ynode_is_null(n))
        return false;
    if (n->kind == JR_YAML_SCALAR) {
        const char *s = n->value;
        if (word_is(s, "true") || word_is(s, "yes") || word_is(s, "on")) {
            *out = true;
            return true;
        }
        if (word_is(s, "false") || word_is(s, "no") || word_is(s, "off")) {
            *out = false;
            return true;
        }
    }
    type_error(d, n, name, "true or false");
    return false;
}

bool jr_y_date(const jr_ydoc *d, const jr_ynode *n, const char *name, jr_date *out)
{
    if (jr_ynode_is_null(n))
        return false;
    if (n->kind != JR_YAML_SCALAR) {
        type_error(d, n, name, "a date (YYYY-MM-DD)");
        return false;
    }
    jr_date t = {0, 0, 0};
    int rc = jr_date_parse(n->value, &t);
    if (rc == -1) {
        jr_diag(JR_E_BAD_DATE, d ? d->path : NULL, n->line, n->col, n->value);
        return false;
    }
    if (rc == -2) {
        jr_diag(JR_E_IMPOSSIBLE_DATE, d ? d->path : NULL, n->line, n->col, n->value);
        return false;
    }
    *out = t;
    return true;
}

static void free_strlist(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

bool jr_y_strlist(const jr_ydoc *d, const jr_ynode *n, const char *name, bool allow_single,
                  char ***out, size_t *nout)
{
    if (jr_ynode_is_null(n))
        return false;
    const char *what = allow_single ? "a string or a list of strings" : "a list of strings";
    if (n->kind == JR_YAML_SCALAR && allow_single) {
        free_strlist(*out, *nout);
        *out = jr_xmalloc(sizeof **out);
        (*out)[0] = jr_xstrndup(n->value, n->len);
        *nout = 1;
        return true;
    }
    if (n->kind != JR_YAML_SEQUENCE) {
        type_error(d, n, name, what);
        return false;
    }
    for (size_t i = 0; i < n->nitems; i++)
        if (n->items[i]->kind != JR_YAML_SCALAR) {
            type_error(d, n->items[i], name, what);
            return false;
        }
    char **l = jr_xmalloc((n->nitems ? n->nitems : 1) * sizeof *l);
    size_t k = 0;
    for (size_t i = 0; i < n->nitems; i++)
        if (!jr_ynode_is_null(n->items[i]))
            l[k++] = jr_xstrndup(n->items[i]->value, n->items[i]->len);
    free_strlist(*out, *nout);
    *out = l;
    *nout = k;
    return true;
}

bool jr_y_mapping(const jr_ydoc *d, const jr_ynode *n)
{
    if (jr_ynode_is_null(n))
        return false;
    if (n->kind != JR_YAML_MAPPING) {
        jr_diag(JR_E_YAML_NOT_MAPPING, d ? d->path : NULL, n->line, n->col);
        return false;
    }
    return true;
}

/* ---- colours ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool parse_rgb(const char *s, jr_color *c)
{
    if (!s || s[0] != '#' || strlen(s) != 7)
        return false;
    int v[6];
    for (int i = 0; i < 6; i++)
        if ((v[i] = hexval(s[i + 1])) < 0)
            return false;
    c->r = (v[0] * 16 + v[1]) / 255.0;
    c->g = (v[2] * 16 + v[3]) / 255.0;
    c->b = (v[4] * 16 + v[5]) / 255.0;
    return true;
}

static void cmyk_from_rgb(jr_color *c)
{
    double max = c->r > c->g ? c->r : c->g;
    if (c->b > max)
        max = c->b;
    c->k = 1.0 - max;
    if (max <= 0.0) {
        c->c = c->m = c->y = 0.0;
        return;
    }
    c->c = (max - c->r) / max;
    c->m = (max - c->g) / max;
    c->y = (max - c->b) / max;
}

static void rgb_from_cmyk(jr_color *c)
{
    c->r = (1.0 - c->c) * (1.0 - c->k);
    c->g = (1.0 - c->m) * (1.0 - c->k);
    c->b = (1.0 - c->y) * (1.0 - c->k);
}

/* cmyk: [c, m, y, k] in percent. */
static bool parse_cmyk(const jr_ydoc *d, const jr_ynode *n, jr_color *c)
{
    const char *path = d ? d->path : NULL;
    if (n->kind != JR_YAML_SEQUENCE || n->nitems != 4) {
        jr_diag(JR_E_YAML_TYPE, path, n->line, n->col, "cmyk",
                "a list of four percentages [c, m, y, k]");
        return false;
    }
    double v[4];
    for (int i = 0; i < 4; i++)
        if (!jr_y_double(d, n->items[i], "cmyk", 0, 100, &v[i])) {
            if (jr_ynode_is_null(n->items[i]))
                jr_diag(JR_E_YAML_TYPE, path, n->line, n->col, "cmyk",
                        "a list of four percentages [c, m, y, k]");
            return false;
        }
    c->c = v[0] / 100, c->m = v[1] / 100, c->y = v[2] / 100, c->k = v[3] / 100;
    return true;
}

bool jr_y_color(const jr_ydoc *d, const jr_ynode *rgb, const jr_ynode *cmyk, jr_color *out)
{
    jr_color c = {0, 0, 0, 0, 0, 0, 0};
    bool has_rgb = false, has_cmyk = false;
    if (!jr_ynode_is_null(rgb)) {
        if (rgb->kind == JR_YAML_SCALAR && parse_rgb(rgb->value, &c))
            has_rgb = true;
        else
            jr_diag(JR_E_BAD_COLOR, d ? d->path : NULL, rgb->line, rgb->col,
                    rgb->kind == JR_YAML_SCALAR ? rgb->value : "color");
    }
    if (!jr_ynode_is_null(cmyk))
        has_cmyk = parse_cmyk(d, cmyk, &c);
    if (has_rgb && !has_cmyk)
        cmyk_from_rgb(&c);
    else if (has_cmyk && !has_rgb)
        rgb_from_cmyk(&c);
    if (has_rgb || has_cmyk)
        *out = c;
    return has_rgb || has_cmyk;
}

/* ---- unknown keys ---- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Optimal string alignment distance, ASCII case ignored; long words give up
 * early (keys are short). */
static int edit_distance(const char *a, const char *b)
{
    enum { MAXW = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= MAXW || lb >= MAXW)
        return INT_MAX;
    int dd[MAXW + 1][MAXW + 1];
    for (size_t i = 0; i <= la; i++)
        dd[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        dd[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = lower(a[i - 1]) != lower(b[j - 1]);
            int v = dd[i - 1][j] + 1;
            if (dd[i][j - 1] + 1 < v)
                v = dd[i][j - 1] + 1;
            if (dd[i - 1][j - 1] + cost < v)
                v = dd[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && dd[i - 2][j - 2] + 1 < v)
                v = dd[i - 2][j - 2] + 1;
            dd[i][j] = v;
        }
    return dd[la][lb];
}

const char *jr_closest_word(const char *word, const char *const *list, int maxdist)
{
    if (!word || !list)
        return NULL;
    const char *best = NULL;
    int bestd = INT_MAX;
    int wl = (int)strlen(word);
    for (size_t i = 0; list[i]; i++) {
        int dist = edit_distance(word, list[i]);
        if (dist < bestd)
            bestd = dist, best = list[i];
    }
    if (best && bestd <= maxdist && bestd < wl)
        return best;
    return NULL;
}

void jr_y_check_keys(const jr_ydoc *d, const jr_ynode *map, const char *const *known)
{
    jr_y_check_keys_aliased(d, map, known, NULL);
}

void jr_y_check_keys_aliased(const jr_ydoc *d, const jr_ynode *map, const char *const *known,
                             const char *const *aliases)
{
    if (!map || map->kind != JR_YAML_MAPPING)
        return;
    const char *path = d ? d->path : NULL;
    for (size_t i = 0; i + 1 < map->nitems; i += 2) {
        const jr_ynode *k = map->items[i];
        if (k->kind != JR_YAML_SCALAR) {
            jr_diag(JR_E_YAML_TYPE, path, k->line, k->col, "key", "a string");
            continue;
        }
        bool found = false;
        for (size_t j = 0; !found && known[j]; j++) /* never past a match */
            found = strcmp(k->value, known[j]) == 0;
        if (found)
            continue;
        const char *hint = NULL;
        for (size_t j = 0; aliases && aliases[j] && aliases[j + 1] && !hint; j += 2)
            if (edit_distance(k->value, aliases[j]) == 0)
                hint = aliases[j + 1];
        if (!hint)
            hint = jr_closest_word(k->value, known, 2);
        if (hint)
            jr_diag(JR_W_UNKNOWN_KEY_HINT, path, k->line, k->col, k->value, hint);
        else
            jr_diag(JR_W_UNKNOWN_KEY, path, k->line, k->col, k->value);
    }
}

bool jr_lang_tag_valid(const char *s)
{
    if (!s)
        return false;
    /* primary language: 2-3 letters; then subtags of 1-8 letters or digits */
    size_t n = 0;
    while (s[n] && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
        n++;
    if (n < 2 || n > 3)
        return false;
    s += n;
    while (*s == '-') {
        s++;
        n = 0;
        while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
               (s[n] >= '0' && s[n] <= '9'))
            n++;
        if (n < 1 || n > 8)
            return false;
        s += n;
    }
    return *s == 0;
}
