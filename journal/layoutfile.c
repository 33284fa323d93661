/* layoutfile.c: layout files (layouts/NAME.yaml) -> jr_style. See
 * layoutfile.h and layouts/bildung-im-blick.yaml, which spells out every
 * key with the built-in values. */
#define _XOPEN_SOURCE 700
#include "layoutfile.h"

#include <limits.h>
#include <math.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "yamlnode.h"

bool jr_parse_length(const char *s, double *pt)
{
    if (!s)
        return false;
    while (*s == ' ')
        s++;
    char *end;
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return false;
    /* strtod takes "inf", "0x1p3" and, in some locales, a comma: refuse */
    for (const char *p = s; p < end; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+'))
            return false;
    while (*end == ' ')
        end++;
    double f;
    if (*end == 0 || strcmp(end, "pt") == 0)
        f = 1;
    else if (strcmp(end, "mm") == 0)
        f = 72.0 / 25.4;
    else if (strcmp(end, "cm") == 0)
        f = 720.0 / 25.4;
    else if (strcmp(end, "in") == 0)
        f = 72.0;
    else
        return false;
    *pt = v * f;
    return true;
}

/* ---- reading ---- */

typedef struct lf {
    const jr_ydoc *d;
    jr_style *s;
    const char *dir; /* the layout file's folder */
    jr_fontset *fonts;
} lf;

static void bad(const lf *l, const jr_ynode *n, const char *name, const char *why)
{
    jr_diag(JR_E_BAD_VALUE, l->d->path, n ? n->line : 0, n ? n->col : 0, name, why);
}

static const jr_ynode *get_map(const lf *l, const jr_ynode *map, const char *key,
                               const char *const *known)
{
    const jr_ynode *n = jr_ymap_get(map, key);
    if (jr_ynode_is_null(n))
        return NULL;
    if (!jr_y_mapping(l->d, n))
        return NULL;
    if (known)
        jr_y_check_keys(l->d, n, known);
    return n;
}

/* A length between min and max [pt]. */
static void length(const lf *l, const jr_ynode *map, const char *key, const char *name, double min,
                   double max, double *out)
{
    const jr_ynode *n = jr_ymap_get(map, key);
    if (jr_ynode_is_null(n))
        return;
    double v;
    if (n->kind != JR_YAML_SCALAR || !jr_parse_length(n->value, &v)) {
        bad(l, n, name, "expected a length such as 20mm, 9.5pt or 1.5cm");
        return;
    }
    if (v < min - 1e-9 || v > max + 1e-9) {
        char why[120];
        snprintf(why, sizeof why, "%s is out of range (%.4g pt to %.4g pt)", n->value, min, max);
        bad(l, n, name, why);
        return;
    }
    *out = v;
}

static void integer(const lf *l, const jr_ynode *map, const char *key, const char *name, long min,
                    long max, int *out)
{
    const jr_ynode *n = jr_ymap_get(map, key);
    if (jr_ynode_is_null(n))
        return;
    jr_y_int(l->d, n, name, min, max, out);
}

static void number(const lf *l, const jr_ynode *map, const char *key, const char *name, double min,
                   double max, double *out)
{
    const jr_ynode *n = jr_ymap_get(map, key);
    if (jr_ynode_is_null(n))
        return;
    jr_y_double(l->d, n, name, min, max, out);
}

static void boolean(const lf *l, const jr_ynode *map, const char *key, const char *name, bool *out)
{
    const jr_ynode *n = jr_ymap_get(map, key);
    if (jr_ynode_is_null(n))
        return;
    jr_y_bool(l->d, n, name, out);
}

/* A colour: "#RRGGBB", [c, m, y, k] in percent, or {rgb: ..., cmyk: ...}. */
static void color(const lf *l, const jr_ynode *n, const char *name, jr_color *out)
{
    if (jr_ynode_is_null(n))
        return;
    if (n->kind == JR_YAML_SCALAR)
        jr_y_color(l->d, n, NULL, out);
    else if (n->kind == JR_YAML_SEQUENCE)
        jr_y_color(l->d, NULL, n, out);
    else {
        static const char *const known[] = {"rgb", "cmyk", NULL};
        jr_y_check_keys(l->d, n, known);
        const jr_ynode *rgb = jr_ymap_get(n, "rgb"), *cmyk = jr_ymap_get(n, "cmyk");
        if (jr_ynode_is_null(rgb) && jr_ynode_is_null(cmyk))
            bad(l, n, name, "expected \"#RRGGBB\", [c, m, y, k] or {rgb: ..., cmyk: ...}");
        else
            jr_y_color(l->d, rgb, cmyk, out);
    }
}

static void page_size(const lf *l, const jr_ynode *n)
{
    if (jr_ynode_is_null(n))
        return;
    static const struct {
        const char *name;
        double w, h; /* mm */
    } sizes[] = {{"A3", 297, 420}, {"A4", 210, 297}, {"A5", 148, 210},
                 {"A6", 105, 148}, {"B5", 176, 250}, {"letter", 215.9, 279.4}};
    if (n->kind == JR_YAML_SCALAR) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            if (strcasecmp(n->value, sizes[i].name) == 0) {
                /* the usual rounding: A4 is 595.28 x 841.89 pt */
                l->s->page_width = round(JR_MM(sizes[i].w) * 100) / 100;
                l->s->page_height = round(JR_MM(sizes[i].h) * 100) / 100;
                return;
            }
        bad(l, n, "page.size",
            "expected A3, A4, A5, A6, B5, letter or {width: 170mm, height: 240mm}");
        return;
    }
    if (n->kind != JR_YAML_MAPPING) {
        bad(l, n, "page.size", "expected A4, A5 or {width: 170mm, height: 240mm}");
        return;
    }
    static const char *const known[] = {"width", "height", NULL};
    jr_y_check_keys(l->d, n, known);
    double w = 0, h = 0;
    length(l, n, "width", "page.size.width", 72, 14000, &w);
    length(l, n, "height", "page.size.height", 72, 14000, &h);
    if (w > 0 && h > 0) {
        l->s->page_width = w;
        l->s->page_height = h;
    } else {
        if (!jr_ymap_get(n, "width"))
            jr_diag(JR_E_MISSING_KEY, l->d->path, n->line, n->col, "width");
        if (!jr_ymap_get(n, "height"))
            jr_diag(JR_E_MISSING_KEY, l->d->path, n->line, n->col, "height");
    }
}

static const char *const role_names[JR_ROLE_COUNT + 1] = {
    "body",         "body_italic", "body_bold", "body_bold_italic", "heading", "title",
    "subtitle",     "kicker",      "byline",    "caption",          "code",    "masthead",
    "running_head", NULL}; /* NULL ends the list of known keys */

/* A family that is a file (has a '/' or ends in .ttf/.ttc) is looked up
 * relative to the layout's folder, then to its parent (where fonts/ is);
 * the style keeps the absolute path. */
static char *font_family(const lf *l, const char *fam)
{
    size_t n = strlen(fam);
    bool file =
        strchr(fam, '/') ||
        (n > 4 && (strcasecmp(fam + n - 4, ".ttf") == 0 || strcasecmp(fam + n - 4, ".ttc") == 0));
    if (!file || fam[0] == '/')
        return jr_xstrdup(fam);
    const char *tries[3] = {l->dir, NULL, NULL};
    char *parent = jr_path_join(l->dir, "..");
    tries[1] = parent;
    char *found = NULL;
    for (int i = 0; i < 2 && !found; i++) {
        char *p = jr_path_join(tries[i], fam);
        char real[PATH_MAX];
        if (jr_file_exists(p) && realpath(p, real))
            found = jr_xstrdup(real);
        free(p);
    }
    free(parent);
    return found ? found : jr_xstrdup(fam);
}

static void font_role(const lf *l, const jr_ynode *fonts, int role)
{
    const jr_ynode *n = jr_ymap_get(fonts, role_names[role]);
    if (jr_ynode_is_null(n))
        return;
    if (!jr_y_mapping(l->d, n))
        return;
    static const char *const known[] = {"family", "style", "size", "leading", "color", NULL};
    jr_y_check_keys(l->d, n, known);
    jr_font_style *f = &l->s->fonts[role];
    char name[64];
    const jr_ynode *fam = jr_ymap_get(n, "family");
    char *family = NULL;
    snprintf(name, sizeof name, "fonts.%s.family", role_names[role]);
    if (jr_y_string(l->d, fam, name, &family)) {
        if (!*family) {
            bad(l, fam, name, "empty");
        } else {
            free(f->family);
            f->family = font_family(l, family);
        }
        free(family);
    }
    const jr_ynode *style = jr_ymap_get(n, "style");
    if (!jr_ynode_is_null(style)) {
        snprintf(name, sizeof name, "fonts.%s.style", role_names[role]);
        if (style->kind != JR_YAML_SCALAR)
            bad(l, style, name, "expected regular, bold, italic or bold italic");
        else if (strcasecmp(style->value, "regular") == 0 ||
                 strcasecmp(style->value, "normal") == 0)
            f->bold = f->italic = false;
        else if (strcasecmp(style->value, "bold") == 0)
            f->bold = true, f->italic = false;
        else if (strcasecmp(style->value, "italic") == 0)
            f->bold = false, f->italic = true;
        else if (strcasecmp(style->value, "bold italic") == 0 ||
                 strcasecmp(style->value, "bold-italic") == 0 ||
                 strcasecmp(style->value, "bold_italic") == 0)
            f->bold = f->italic = true;
        else
            bad(l, style, name, "expected regular, bold, italic or bold italic");
    }
    snprintf(name, sizeof name, "fonts.%s.size", role_names[role]);
    length(l, n, "size", name, 3, 300, &f->size);
    snprintf(name, sizeof name, "fonts.%s.leading", role_names[role]);
    length(l, n, "leading", name, 3, 400, &f->leading);
    snprintf(name, sizeof name, "fonts.%s.color", role_names[role]);
    color(l, jr_ymap_get(n, "color"), name, &f->color);
}

static void headings(const lf *l, const jr_ynode *map)
{
    static const char *const known[] = {"h2", "h3", "h4", "space_before", "space_after", NULL};
    const jr_ynode *h = get_map(l, map, "headings", known);
    if (!h)
        return;
    length(l, h, "space_before", "headings.space_before", 0, 200, &l->s->heading_space_before);
    length(l, h, "space_after", "headings.space_after", 0, 200, &l->s->heading_space_after);
    static const char *const lk[] = {"size", "leading", "grid_after", NULL};
    for (int lev = 2; lev <= 4; lev++) {
        char key[4], name[40];
        snprintf(key, sizeof key, "h%d", lev);
        const jr_ynode *n = get_map(l, h, key, lk);
        if (!n)
            continue;
        snprintf(name, sizeof name, "headings.%s.size", key);
        length(l, n, "size", name, 3, 300, &l->s->heading_size[lev]);
        snprintf(name, sizeof name, "headings.%s.leading", key);
        length(l, n, "leading", name, 3, 400, &l->s->heading_leading[lev]);
        snprintf(name, sizeof name, "headings.%s.grid_after", key);
        integer(l, n, "grid_after", name, 0, 10, &l->s->heading_grid_after[lev]);
    }
}

static void check_fonts(const lf *l, const jr_ynode *fonts)
{
    for (int r = 0; r < JR_ROLE_COUNT; r++) {
        const jr_font_style *f = &l->s->fonts[r];
        const char *fam = f->family ? f->family : l->s->fonts[JR_ROLE_BODY].family;
        if (!fam || jr_font_load(l->fonts, fam, f->bold, f->italic, l->dir) >= 0)
            continue;
        /* report at the family's value, else at the role, else at the file */
        const jr_ynode *role = fonts ? jr_ymap_get(fonts, role_names[r]) : NULL;
        const jr_ynode *at = role ? jr_ymap_get(role, "family") : NULL;
        if (!at)
            at = role;
        const char *style = f->bold && f->italic ? "bold italic"
                            : f->bold            ? "bold"
                            : f->italic          ? "italic"
                                                 : "regular";
        jr_diag(JR_E_LAYOUT_FONT, l->d->path, at ? at->line : 0, at ? at->col : 0, fam, style,
                role_names[r]);
    }
}

int jr_layoutfile_load(const char *path, jr_fontset *fonts, jr_style *s)
{
    jr_style_default(s);
    free(s->path);
    s->path = jr_xstrdup(path);
    int errors0 = jr_diag_count(JR_ERROR);
    jr_ydoc *d = jr_ydoc_read(path);
    if (!d)
        return -1;
    char *dir = jr_xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else {
        free(dir);
        dir = jr_xstrdup(".");
    }
    lf l = {d, s, dir, fonts};
    const jr_ynode *root = d->root;
    if (root && jr_y_mapping(d, root)) {
        static const char *const known[] = {
            "name",           "description",  "page",     "margins", "columns",   "baseline_grid",
            "first_baseline", "fonts",        "headings", "colors",  "paragraph", "hyphenation",
            "justification",  "running_head", "images",   NULL};
        static const char *const aliases[] = {"colours",       "colors", "grid",
                                              "baseline_grid", "margin", "margins",
                                              "font",          "fonts",  NULL};
        jr_y_check_keys_aliased(d, root, known, aliases);
        char *name = NULL;
        if (jr_y_string(d, jr_ymap_get(root, "name"), "name", &name)) {
            free(s->name);
            s->name = name;
        } else {
            /* the file's name without .yaml */
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            size_t n = strlen(base);
            if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
                n -= 5;
            else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
                n -= 4;
            free(s->name);
            s->name = jr_xstrndup(base, n);
        }
        char *desc = NULL;
        jr_y_string(d, jr_ymap_get(root, "description"), "description", &desc);
        free(desc);

        static const char *const kpage[] = {"size", "facing", "bleed", NULL};
        const jr_ynode *page = get_map(&l, root, "page", kpage);
        if (page) {
            page_size(&l, jr_ymap_get(page, "size"));
            boolean(&l, page, "facing", "page.facing", &s->facing);
            length(&l, page, "bleed", "page.bleed", 0, JR_MM(20), &s->bleed);
        }
        static const char *const kmarg[] = {"inside", "outside", "top", "bottom", "facing", NULL};
        const jr_ynode *m = get_map(&l, root, "margins", kmarg);
        if (m) {
            length(&l, m, "inside", "margins.inside", 0, 2000, &s->margin_inside);
            length(&l, m, "outside", "margins.outside", 0, 2000, &s->margin_outside);
            length(&l, m, "top", "margins.top", 0, 2000, &s->margin_top);
            length(&l, m, "bottom", "margins.bottom", 0, 2000, &s->margin_bottom);
            boolean(&l, m, "facing", "margins.facing", &s->facing);
        }
        static const char *const kcol[] = {"cover",   "contents", "article",
                                           "imprint", "gutter",   NULL};
        const jr_ynode *c = get_map(&l, root, "columns", kcol);
        if (c) {
            integer(&l, c, "cover", "columns.cover", 1, 8, &s->columns[JR_PAGE_COVER]);
            integer(&l, c, "contents", "columns.contents", 1, 8, &s->columns[JR_PAGE_CONTENTS]);
            integer(&l, c, "article", "columns.article", 1, 8, &s->columns[JR_PAGE_ARTICLE]);
            integer(&l, c, "imprint", "columns.imprint", 1, 8, &s->columns[JR_PAGE_IMPRINT]);
            length(&l, c, "gutter", "columns.gutter", 0, 500, &s->gutter);
        }
        length(&l, root, "baseline_grid", "baseline_grid", 0, 200, &s->baseline_grid);
        length(&l, root, "first_baseline", "first_baseline", 0, 200, &s->first_baseline);

        const jr_ynode *fonts_n = get_map(&l, root, "fonts", role_names);
        if (fonts_n)
            for (int r = 0; r < JR_ROLE_COUNT; r++)
                font_role(&l, fonts_n, r);
        headings(&l, root);

        static const char *const kcolors[] = {"text", "accent", "rule", NULL};
        const jr_ynode *cols = get_map(&l, root, "colors", kcolors);
        if (cols) {
            color(&l, jr_ymap_get(cols, "text"), "colors.text", &s->text_color);
            color(&l, jr_ymap_get(cols, "accent"), "colors.accent", &s->accent_color);
            color(&l, jr_ymap_get(cols, "rule"), "colors.rule", &s->rule_color);
        }
        static const char *const kpar[] = {"indent",       "spacing",      "list_indent",
                                           "quote_indent", "figure_space", NULL};
        const jr_ynode *p = get_map(&l, root, "paragraph", kpar);
        if (p) {
            length(&l, p, "indent", "paragraph.indent", 0, 200, &s->paragraph_indent);
            length(&l, p, "spacing", "paragraph.spacing", 0, 200, &s->paragraph_spacing);
            length(&l, p, "list_indent", "paragraph.list_indent", 0, 200, &s->list_indent);
            length(&l, p, "quote_indent", "paragraph.quote_indent", 0, 200, &s->quote_indent);
            length(&l, p, "figure_space", "paragraph.figure_space", 0, 200, &s->figure_space);
        }
        static const char *const khy[] = {"enabled", "left_min", "right_min", "max_consecutive",
                                          NULL};
        const jr_ynode *hn = jr_ymap_get(root, "hyphenation");
        const jr_ynode *h = hn && hn->kind == JR_YAML_SCALAR && !jr_ynode_is_null(hn)
                                ? NULL
                                : get_map(&l, root, "hyphenation", khy);
        if (h) {
            boolean(&l, h, "enabled", "hyphenation.enabled", &s->hyphenate);
            integer(&l, h, "left_min", "hyphenation.left_min", 1, 10, &s->hyphen_left_min);
            integer(&l, h, "right_min", "hyphenation.right_min", 1, 10, &s->hyphen_right_min);
            integer(&l, h, "max_consecutive", "hyphenation.max_consecutive", 0, 100,
                    &s->max_consecutive_hyphens);
        } else if (!jr_ynode_is_null(jr_ymap_get(root, "hyphenation")) &&
                   jr_ymap_get(root, "hyphenation")->kind == JR_YAML_SCALAR) {
            /* hyphenation: off */
            boolean(&l, root, "hyphenation", "hyphenation", &s->hyphenate);
        }
        static const char *const kj[] = {"letterspace_stretch", "letterspace_shrink", NULL};
        const jr_ynode *j = get_map(&l, root, "justification", kj);
        if (j) {
            number(&l, j, "letterspace_stretch", "justification.letterspace_stretch", 0, 0.2,
                   &s->letterspace_stretch);
            number(&l, j, "letterspace_shrink", "justification.letterspace_shrink", 0, 0.2,
                   &s->letterspace_shrink);
        }
        static const char *const krh[] = {"gap", "folio_gap", NULL};
        const jr_ynode *rh = get_map(&l, root, "running_head", krh);
        if (rh) {
            length(&l, rh, "gap", "running_head.gap", 0, 200, &s->running_head_gap);
            length(&l, rh, "folio_gap", "running_head.folio_gap", 0, 200, &s->folio_gap);
        }
        static const char *const kimg[] = {"lead_max", NULL};
        const jr_ynode *im = get_map(&l, root, "images", kimg);
        if (im)
            number(&l, im, "lead_max", "images.lead_max", 0.05, 1, &s->lead_image_max);

        /* the type area must leave room for text */
        double tw = s->page_width - s->margin_inside - s->margin_outside;
        double th = s->page_height - s->margin_top - s->margin_bottom;
        const jr_ynode *at = m ? m : root;
        if (tw < 72 || th < 72) {
            char why[160];
            snprintf(why, sizeof why,
                     "the type area would be %.1f x %.1f pt (page %.1f x %.1f pt); at least 72 pt "
                     "each way",
                     tw, th, s->page_width, s->page_height);
            bad(&l, at, "margins", why);
        } else {
            int n = s->columns[JR_PAGE_ARTICLE];
            if (n < 1)
                n = 1;
            double colw = (tw - s->gutter * (n - 1)) / n;
            if (colw < 6 * s->fonts[JR_ROLE_BODY].size) {
                char why[120];
                snprintf(why, sizeof why, "columns of %.1f pt are too narrow for %.1f pt text",
                         colw, s->fonts[JR_ROLE_BODY].size);
                bad(&l, c ? c : root, "columns", why);
            }
        }
        if (fonts && jr_diag_count(JR_ERROR) == errors0)
            check_fonts(&l, fonts_n);
    }
    free(dir);
    jr_ydoc_free(d);
    return jr_diag_count(JR_ERROR) > errors0 ? -1 : 0;
}

/* ---- finding ---- */

char *jr_layoutfile_find(const char *v, const char *content_dir, const char *rel_dir)
{
    if (!v || !*v)
        return NULL;
    size_t n = strlen(v);
    bool path = strchr(v, '/') || (n > 5 && strcmp(v + n - 5, ".yaml") == 0) ||
                (n > 4 && strcmp(v + n - 4, ".yml") == 0);
    if (path) {
        if (jr_file_exists(v) && !jr_is_dir(v))
            return jr_xstrdup(v);
        if (rel_dir && v[0] != '/') {
            char *p = jr_path_join(rel_dir, v);
            if (jr_file_exists(p) && !jr_is_dir(p))
                return p;
            free(p);
        }
        return NULL;
    }
    char *file = jr_xasprintf("layouts/%s.yaml", v);
    char *found = NULL;
    if (content_dir) {
        char *p = jr_path_join(content_dir, file);
        if (jr_file_exists(p))
            found = p;
        else
            free(p);
        if (!found) {
            char *parent = jr_path_join(content_dir, "..");
            p = jr_path_join(parent, file);
            free(parent);
            if (jr_file_exists(p))
                found = p;
            else
                free(p);
        }
    }
#ifdef JOURNAL_SOURCE_DIR
    if (!found) {
        char *p = jr_path_join(JOURNAL_SOURCE_DIR, file);
        if (jr_file_exists(p))
            found = p;
        else
            free(p);
    }
#endif
    free(file);
    return found;
}
