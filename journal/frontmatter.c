/* frontmatter.c: one article file: its YAML front matter and its body. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "diag.h"
#include "util.h"
#include "yamlnode.h"

/* In the order of jr_fm_key. */
static const char *const fm_keys[JR_FM_KEY_COUNT + 1] = {
    "title", "subtitle",      "author",       "date",      "section", "summary",
    "image", "image_caption", "image_credit", "image_alt", "tags",    "slug",
    "order", "draft",         "lang",         "editorial", NULL,
};

/* Words editors may write for a key (German, or other common names). */
static const char *const fm_aliases[] = {
    "titel",
    "title",
    "untertitel",
    "subtitle",
    "autor",
    "author",
    "autorin",
    "author",
    "authors",
    "author",
    "datum",
    "date",
    "rubrik",
    "section",
    "ressort",
    "section",
    "kategorie",
    "section",
    "category",
    "section",
    "zusammenfassung",
    "summary",
    "teaser",
    "summary",
    "abstract",
    "summary",
    "bild",
    "image",
    "foto",
    "image",
    "bildunterschrift",
    "image_caption",
    "caption",
    "image_caption",
    "bildnachweis",
    "image_credit",
    "credit",
    "image_credit",
    "fotonachweis",
    "image_credit",
    "alt",
    "image_alt",
    "alttext",
    "image_alt",
    "schlagworte",
    "tags",
    "schlagwörter",
    "tags",
    "stichworte",
    "tags",
    "keywords",
    "tags",
    "reihenfolge",
    "order",
    "position",
    "order",
    "entwurf",
    "draft",
    "sprache",
    "lang",
    "language",
    "lang",
    NULL,
    NULL,
};

/* ---- slugs ---- */

/* Latin-1 letters U+00C0..U+00FF in slug form ("" drops the character). */
/* clang-format off */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "ae", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "oe", "", "o", "u", "u", "u", "ue", "y", "th", "ss", /* U+00C0.. */
    "a", "a", "a", "a", "ae", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "oe", "", "o", "u", "u", "u", "ue", "y", "th", "y",  /* U+00E0.. */
};
/* clang-format on */

bool jr_slug_valid(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

char *jr_slugify(const char *s)
{
    jr_buf b = {0};
    bool dash = false; /* a separator is pending */
    size_t n = s ? strlen(s) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t l = jr_utf8_decode(s + i, n - i, &cp);
        i += l ? l : 1;
        const char *out = NULL;
        char one[2] = {0, 0};
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
            one[0] = (char)cp;
            out = one;
        } else if (cp >= 'A' && cp <= 'Z') {
            one[0] = (char)(cp - 'A' + 'a');
            out = one;
        } else if (cp >= 0xC0 && cp <= 0xFF) {
            out = latin1[cp - 0xC0];
            if (!*out)
                out = NULL;
        } else if (cp == 0x1E9E) { /* capital sharp s */
            out = "ss";
        } else if (cp == 0x2019 || cp == '\'') { /* apostrophes join: "Schüler's" */
            continue;
        }
        if (!out) {
            dash = true;
            continue;
        }
        if (dash && b.len > 0)
            jr_buf_putc(&b, '-');
        dash = false;
        jr_buf_puts(&b, out);
    }
    if (b.len == 0)
        jr_buf_putc(&b, 'x');
    return jr_buf_detach(&b);
}

/* ---- the file ---- */

/* The line starting at `p` (up to end) is `---` (or `...` when dots is
 * set), maybe with trailing blanks or CR. */
static bool delimiter_line(const char *p, const char *end, bool dots)
{
    if (end - p < 3)
        return false;
    if (memcmp(p, "---", 3) != 0 && !(dots && memcmp(p, "...", 3) == 0))
        return false;
    for (p += 3; p < end && *p != '\n'; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r')
            return false;
    return true;
}

static const char *next_line(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl + 1 : end;
}

static void set_names(jr_article *a, const char *path)
{
    a->path = jr_xstrdup(path ? path : "");
    const char *slash = strrchr(a->path, '/');
    a->dir = slash ? jr_xstrndup(a->path, (size_t)(slash - a->path)) : jr_xstrdup(".");
    if (slash && slash == a->path) {
        free(a->dir);
        a->dir = jr_xstrdup("/");
    }
    const char *base = slash ? slash + 1 : a->path;
    size_t bl = strlen(base);
    if (bl > 3 && strcmp(base + bl - 3, ".md") == 0)
        bl -= 3;
    a->filename = jr_xstrndup(base, bl);
}

/* Body text with CRLF line ends made LF (line numbers do not change). */
static void set_body(jr_article *a, const char *p, const char *end)
{
    jr_buf b = {0};
    jr_buf_put(&b, "", 0);
    while (p < end) {
        const char *cr = memchr(p, '\r', (size_t)(end - p));
        if (!cr) {
            jr_buf_put(&b, p, (size_t)(end - p));
            break;
        }
        jr_buf_put(&b, p, (size_t)(cr - p));
        if (cr + 1 < end && cr[1] == '\n')
            p = cr + 1; /* drop the CR */
        else {
            jr_buf_putc(&b, '\r');
            p = cr + 1;
        }
    }
    a->body_len = b.len;
    a->body = jr_buf_detach(&b);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return false;
    return true;
}

/* Read the keys of the front matter mapping into `a`. */
static void read_keys(jr_article *a, const jr_ydoc *d, const jr_ynode *map)
{
    const jr_ynode *v[JR_FM_KEY_COUNT];
    for (int k = 0; k < JR_FM_KEY_COUNT; k++) {
        v[k] = jr_ymap_get(map, fm_keys[k]);
        if (v[k])
            a->key_pos[k] = jr_ynode_pos(v[k]);
    }
    jr_y_check_keys_aliased(d, map, fm_keys, fm_aliases);

    jr_y_string(d, v[JR_FM_TITLE], "title", &a->title);
    jr_y_string(d, v[JR_FM_SUBTITLE], "subtitle", &a->subtitle);
    jr_y_strlist(d, v[JR_FM_AUTHOR], "author", true, &a->authors, &a->nauthors);
    jr_y_date(d, v[JR_FM_DATE], "date", &a->date);
    jr_y_string(d, v[JR_FM_SECTION], "section", &a->section);
    jr_y_string(d, v[JR_FM_SUMMARY], "summary", &a->summary);
    jr_y_string(d, v[JR_FM_IMAGE], "image", &a->image);
    jr_y_string(d, v[JR_FM_IMAGE_CAPTION], "image_caption", &a->image_caption);
    jr_y_string(d, v[JR_FM_IMAGE_CREDIT], "image_credit", &a->image_credit);
    jr_y_string(d, v[JR_FM_IMAGE_ALT], "image_alt", &a->image_alt);
    jr_y_strlist(d, v[JR_FM_TAGS], "tags", true, &a->tags, &a->ntags);
    if (jr_y_string(d, v[JR_FM_SLUG], "slug", &a->slug) && !jr_slug_valid(a->slug)) {
        jr_diag(JR_E_BAD_SLUG, d->path, v[JR_FM_SLUG]->line, v[JR_FM_SLUG]->col, a->slug);
        free(a->slug);
        a->slug = NULL;
    }
    if (jr_y_int(d, v[JR_FM_ORDER], "order", 0, 9999, &a->order))
        a->has_order = true;
    jr_y_bool(d, v[JR_FM_DRAFT], "draft", &a->draft);
    if (jr_y_string(d, v[JR_FM_LANG], "lang", &a->lang) && !jr_lang_tag_valid(a->lang)) {
        char *why = jr_xasprintf("'%s' is not a language tag (like 'de' or 'en-GB')", a->lang);
        jr_diag(JR_E_BAD_VALUE, d->path, v[JR_FM_LANG]->line, v[JR_FM_LANG]->col, "lang", why);
        free(why);
        free(a->lang);
        a->lang = NULL;
    }
    jr_y_bool(d, v[JR_FM_EDITORIAL], "editorial", &a->editorial);
    if (a->has_order && a->order == 0)
        a->editorial = true;
}

int jr_article_parse(jr_article *a, const char *path, const char *data, size_t len)
{
    memset(a, 0, sizeof *a);
    set_names(a, path);
    if (!data)
        data = "", len = 0;
    if (!jr_text_check(a->path, data, len))
        return -1;

    const char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    if (!delimiter_line(p, end, false)) {
        jr_diag(JR_E_FM_MISSING, a->path, 1, 1);
        set_body(a, p, end);
        a->body_line = 1;
        return -1;
    }
    const char *yaml_start = next_line(p, end);
    const char *q = yaml_start, *close = NULL;
    int line = 2;
    while (q < end) {
        if (delimiter_line(q, end, true)) {
            close = q;
            break;
        }
        q = next_line(q, end);
        line++;
    }
    if (!close) {
        jr_diag(JR_E_FM_UNTERMINATED, a->path, 1, 1);
        return -1;
    }
    const char *body = next_line(close, end);
    set_body(a, body, end);
    a->body_line = line + 1;

    int rc = 0;
    jr_ydoc *d = jr_ydoc_parse(a->path, yaml_start, (size_t)(close - yaml_start), 2);
    if (d->failed) {
        rc = -1;
    } else if (d->root && d->root->kind != JR_YAML_MAPPING && !jr_ynode_is_null(d->root)) {
        jr_diag(JR_E_YAML_NOT_MAPPING, a->path, d->root->line, d->root->col);
        rc = -1;
    } else {
        const jr_ynode *root = jr_ynode_is_null(d->root) ? NULL : d->root;
        read_keys(a, d, root);
        if (jr_ynode_is_null(jr_ymap_get(root, "title")) || (a->title && !*a->title)) {
            const jr_ynode *k = jr_ymap_key(root, "title");
            jr_diag(JR_E_MISSING_KEY, a->path, k ? k->line : 1, k ? k->col : 1, "title");
            rc = -1;
        } else if (!a->title) {
            rc = -1; /* a wrong type, reported */
        }
        if (a->date.year == 0) {
            if (jr_ynode_is_null(jr_ymap_get(root, "date"))) {
                const jr_ynode *k = jr_ymap_key(root, "date");
                jr_diag(JR_E_MISSING_KEY, a->path, k ? k->line : 1, k ? k->col : 1, "date");
            }
            rc = -1;
        }
    }
    jr_ydoc_free(d);

    if (!a->slug) /* default: the file name, made a valid slug if need be */
        a->slug = jr_slug_valid(a->filename) ? jr_xstrdup(a->filename) : jr_slugify(a->filename);
    if (rc == 0 && blank(a->body, a->body_len))
        jr_diag(JR_W_EMPTY_ARTICLE, a->path, line, 1);
    return rc;
}

int jr_article_read(jr_article *a, const char *path)
{
    size_t len = 0;
    char *data = jr_read_file(path, &len);
    if (!data) {
        memset(a, 0, sizeof *a);
        set_names(a, path);
        jr_diag(JR_E_READ, a->path, 0, 0, jr_read_error(errno));
        return -1;
    }
    int rc = jr_article_parse(a, path, data, len);
    free(data);
    return rc;
}
