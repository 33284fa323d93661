/* content.c: the content folder: journal.yaml, editions and their articles. */
#define _POSIX_C_SOURCE 200809L
#include "content.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"
#include "yamlnode.h"

/* ---- journal.yaml ---- */

static const char *const journal_keys[] = {
    "title",     "subtitle", "publisher", "language", "base_url", "editor", "print_shop",
    "copyright", "icon",     "logo",      "contact",  "sections", "feed",   NULL,
};
static const char *const contact_keys[] = {"name", "address", "phone", "email", NULL};
static const char *const section_keys[] = {"id", "title", "color", "cmyk", NULL};
static const char *const feed_keys[] = {"entries", "icon", "logo", NULL};
static const char *const edition_keys[] = {"number", "year",   "date", "theme",
                                           "cover",  "layout", NULL};
static const char *const cover_keys[] = {"image", "caption", "alt", NULL};

static void read_sections(jr_journal *j, const jr_ydoc *d, const jr_ynode *list)
{
    if (jr_ynode_is_null(list))
        return;
    if (list->kind != JR_YAML_SEQUENCE) {
        jr_diag(JR_E_YAML_TYPE, d->path, list->line, list->col, "sections",
                "a list of sections ({id, title, color})");
        return;
    }
    j->sections = jr_xcalloc(list->nitems ? list->nitems : 1, sizeof *j->sections);
    for (size_t i = 0; i < list->nitems; i++) {
        const jr_ynode *m = list->items[i];
        if (!jr_y_mapping(d, m))
            continue;
        jr_y_check_keys(d, m, section_keys);
        jr_section s = {0};
        jr_y_string(d, jr_ymap_get(m, "id"), "id", &s.id);
        jr_y_string(d, jr_ymap_get(m, "title"), "title", &s.title);
        if (!s.id || !*s.id) {
            jr_diag(JR_E_MISSING_KEY, d->path, m->line, m->col, "id");
            free(s.id);
            free(s.title);
            continue;
        }
        if (!jr_slug_valid(s.id)) {
            const jr_ynode *v = jr_ymap_get(m, "id");
            char *why = jr_xasprintf("'%s' may contain only a-z, 0-9 and '-'", s.id);
            jr_diag(JR_E_BAD_VALUE, d->path, v->line, v->col, "id", why);
            free(why);
        }
        if (jr_journal_section(j, s.id)) {
            const jr_ynode *v = jr_ymap_get(m, "id");
            char *why = jr_xasprintf("section '%s' is listed twice", s.id);
            jr_diag(JR_E_BAD_VALUE, d->path, v->line, v->col, "id", why);
            free(why);
            free(s.id);
            free(s.title);
            continue;
        }
        if (!s.title) {
            jr_diag(JR_E_MISSING_KEY, d->path, m->line, m->col, "title");
            s.title = jr_xstrdup(s.id);
        }
        s.has_color = jr_y_color(d, jr_ymap_get(m, "color"), jr_ymap_get(m, "cmyk"), &s.color);
        j->sections[j->nsections++] = s;
    }
}

static bool read_journal_yaml(jr_journal *j)
{
    jr_ydoc *d = jr_ydoc_read(j->yaml_path);
    if (!d)
        return false;
    const jr_ynode *m = d->root;
    if (d->failed) {
        jr_ydoc_free(d);
        j->sections_unknown = true;
        return true; /* reported; the editions can still be checked */
    }
    if (!jr_ynode_is_null(m) && !jr_y_mapping(d, m))
        m = NULL;
    if (jr_ynode_is_null(m))
        m = NULL;
    jr_y_check_keys(d, m, journal_keys);
    jr_y_string(d, jr_ymap_get(m, "title"), "title", &j->title);
    if (!j->title || !*j->title)
        jr_diag(JR_E_MISSING_KEY, d->path, 1, 1, "title");
    jr_y_string(d, jr_ymap_get(m, "subtitle"), "subtitle", &j->subtitle);
    jr_y_string(d, jr_ymap_get(m, "publisher"), "publisher", &j->publisher);
    const jr_ynode *lang = jr_ymap_get(m, "language");
    if (jr_y_string(d, lang, "language", &j->language) && !jr_lang_tag_valid(j->language)) {
        char *why = jr_xasprintf("'%s' is not a language tag (like 'de' or 'en-GB')", j->language);
        jr_diag(JR_E_BAD_VALUE, d->path, lang->line, lang->col, "language", why);
        free(why);
        free(j->language);
        j->language = NULL;
    }
    const jr_ynode *url = jr_ymap_get(m, "base_url");
    if (jr_y_string(d, url, "base_url", &j->base_url)) {
        size_t n = strlen(j->base_url);
        if (strncmp(j->base_url, "https://", 8) != 0 && strncmp(j->base_url, "http://", 7) != 0) {
            char *why = jr_xasprintf("'%s' is not an http:// or https:// address", j->base_url);
            jr_diag(JR_E_BAD_VALUE, d->path, url->line, url->col, "base_url", why);
            free(why);
            n = 0;
        }
        if (n == 0) {
            free(j->base_url);
            j->base_url = NULL;
        } else if (j->base_url[n - 1] != '/') {
            char *u = jr_xasprintf("%s/", j->base_url);
            free(j->base_url);
            j->base_url = u;
        }
    }
    jr_y_string(d, jr_ymap_get(m, "editor"), "editor", &j->editor);
    jr_y_string(d, jr_ymap_get(m, "print_shop"), "print_shop", &j->print_shop);
    jr_y_string(d, jr_ymap_get(m, "copyright"), "copyright", &j->copyright);
    jr_y_string(d, jr_ymap_get(m, "icon"), "icon", &j->icon);
    jr_y_string(d, jr_ymap_get(m, "logo"), "logo", &j->logo);

    const jr_ynode *c = jr_ymap_get(m, "contact");
    if (jr_y_mapping(d, c)) {
        jr_y_check_keys(d, c, contact_keys);
        jr_y_string(d, jr_ymap_get(c, "name"), "name", &j->contact.name);
        jr_y_string(d, jr_ymap_get(c, "address"), "address", &j->contact.address);
        jr_y_string(d, jr_ymap_get(c, "phone"), "phone", &j->contact.phone);
        jr_y_string(d, jr_ymap_get(c, "email"), "email", &j->contact.email);
    }
    read_sections(j, d, jr_ymap_get(m, "sections"));
    const jr_ynode *f = jr_ymap_get(m, "feed");
    if (jr_y_mapping(d, f)) {
        jr_y_check_keys(d, f, feed_keys);
        jr_y_int(d, jr_ymap_get(f, "entries"), "entries", 1, 10000, &j->feed_entries);
        jr_y_string(d, jr_ymap_get(f, "icon"), "icon", &j->icon);
        jr_y_string(d, jr_ymap_get(f, "logo"), "logo", &j->logo);
    }
    jr_ydoc_free(d);
    return true;
}

/* ---- editions ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in `dir` (sorted bytewise), folders or *.md files. */
static char **list_dir(const char *dir, bool folders, size_t *n)
{
    *n = 0;
    DIR *dp = opendir(dir);
    if (!dp)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.')
            continue;
        char *full = jr_path_join(dir, name);
        bool take;
        if (folders) {
            take = jr_is_dir(full);
        } else {
            size_t l = strlen(name);
            /* not only regular files: a dangling symlink or a FIFO named
             * *.md is reported by the reader instead of left out unsaid */
            take = l > 3 && strcmp(name + l - 3, ".md") == 0 && !jr_is_dir(full);
        }
        free(full);
        if (!take)
            continue;
        JR_GROW(names, cap, *n + 1);
        names[(*n)++] = jr_xstrdup(name);
    }
    closedir(dp);
    if (*n > 1)
        qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void read_edition_yaml(jr_edition *e)
{
    jr_ydoc *d = jr_ydoc_read(e->yaml_path);
    if (!d)
        return;
    const jr_ynode *m = d->root;
    if (d->failed || jr_ynode_is_null(m) || !jr_y_mapping(d, m)) {
        if (!d->failed && jr_ynode_is_null(m))
            jr_diag(JR_E_MISSING_KEY, d->path, 1, 1, "date");
        jr_ydoc_free(d);
        return;
    }
    jr_y_check_keys(d, m, edition_keys);
    jr_y_int(d, jr_ymap_get(m, "number"), "number", 0, 9999, &e->number);
    jr_y_int(d, jr_ymap_get(m, "year"), "year", 1, 9999, &e->year);
    const jr_ynode *date = jr_ymap_get(m, "date");
    if (jr_ynode_is_null(date)) {
        const jr_ynode *k = jr_ymap_key(m, "date");
        jr_diag(JR_E_MISSING_KEY, d->path, k ? k->line : 1, k ? k->col : 1, "date");
    } else {
        jr_y_date(d, date, "date", &e->date);
    }
    if (e->year == 0)
        e->year = e->date.year;
    jr_y_string(d, jr_ymap_get(m, "theme"), "theme", &e->theme);
    const jr_ynode *cover = jr_ymap_get(m, "cover");
    if (jr_y_mapping(d, cover)) {
        jr_y_check_keys(d, cover, cover_keys);
        const jr_ynode *img = jr_ymap_get(cover, "image");
        if (jr_y_string(d, img, "image", &e->cover_image))
            e->cover_pos = (jr_pos){img->line, img->col};
        jr_y_string(d, jr_ymap_get(cover, "caption"), "caption", &e->cover_caption);
        jr_y_string(d, jr_ymap_get(cover, "alt"), "alt", &e->cover_alt);
    }
    const jr_ynode *lay = jr_ymap_get(m, "layout");
    if (jr_y_string(d, lay, "layout", &e->layout))
        e->layout_pos = (jr_pos){lay->line, lay->col};
    jr_ydoc_free(d);
}

static void report_section(const jr_journal *j, const jr_article *a)
{
    if (!a->section || j->sections_unknown || jr_journal_section(j, a->section))
        return;
    jr_pos p = a->key_pos[JR_FM_SECTION];
    const char **ids = jr_xcalloc(j->nsections + 1, sizeof *ids);
    for (size_t i = 0; i < j->nsections; i++)
        ids[i] = j->sections[i].id;
    const char *hint = jr_closest_word(a->section, ids, 2);
    if (hint)
        jr_diag(JR_E_UNKNOWN_SECTION_HINT, a->path, p.line, p.col, a->section, hint);
    else
        jr_diag(JR_E_UNKNOWN_SECTION, a->path, p.line, p.col, a->section);
    free(ids);
}

static int cmp_article(const void *pa, const void *pb)
{
    const jr_article *a = pa, *b = pb;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    return strcmp(a->filename, b->filename);
}

/* Returns the number of articles that could not be read. */
static size_t read_articles(const jr_journal *j, jr_edition *e)
{
    size_t n, failed = 0;
    char **names = list_dir(e->dir, false, &n);
    e->articles = jr_xcalloc(n ? n : 1, sizeof *e->articles);
    for (size_t i = 0; i < n; i++) {
        char *path = jr_path_join(e->dir, names[i]);
        jr_article a;
        int rc = jr_article_read(&a, path);
        free(path);
        report_section(j, &a); /* drafts too */
        if (!a.has_order)
            a.order = (int)i + 1;
        if (rc != 0 && a.body && !a.draft) {
            /* its body is still checked (build.c), so that all problems
             * of the file are reported in one run */
            failed++;
            if (!e->rejected)
                e->rejected = jr_xcalloc(n, sizeof *e->rejected);
            e->rejected[e->nrejected++] = a;
            continue;
        }
        if (rc != 0 || a.draft) {
            failed += rc != 0;
            jr_article_clear(&a);
            continue;
        }
        e->articles[e->narticles++] = a;
    }
    free_names(names, n);
    if (e->narticles > 1)
        qsort(e->articles, e->narticles, sizeof *e->articles, cmp_article);
    return failed;
}

static int cmp_edition(const void *pa, const void *pb)
{
    const jr_edition *a = pa, *b = pb;
    int c = jr_date_compare(&a->date, &b->date);
    return c ? c : strcmp(a->id, b->id);
}

static void check_edition(const jr_journal *j, const jr_edition *e, bool report_empty,
                          bool sections)
{
    if (e->narticles == 0) {
        if (report_empty)
            jr_diag(JR_E_EDITION_EMPTY, e->yaml_path, 0, 0);
        return;
    }
    for (size_t i = 0; i < e->narticles; i++) {
        const jr_article *a = &e->articles[i];
        if (sections)
            report_section(j, a);
        for (size_t k = 0; k < i; k++) {
            const jr_article *b = &e->articles[k];
            if (a->slug && b->slug && strcmp(a->slug, b->slug) == 0) {
                /* report at the later file in file-name order */
                const jr_article *second = strcmp(a->path, b->path) > 0 ? a : b;
                const jr_article *first = second == a ? b : a;
                jr_pos p = second->key_pos[JR_FM_SLUG];
                if (!p.line)
                    p.line = 1, p.col = 1;
                jr_diag(JR_E_DUPLICATE_SLUG, second->path, p.line, p.col, second->slug,
                        first->path);
                break;
            }
        }
    }
}

void jr_content_check_edition(const jr_journal *j, const jr_edition *e)
{
    if (j && e)
        check_edition(j, e, true, true);
}

jr_journal *jr_content_load(const char *root)
{
    if (!root || !jr_is_dir(root)) {
        jr_diag(JR_E_NO_CONTENT_DIR, NULL, 0, 0, root ? root : "");
        return NULL;
    }
    jr_journal *j = jr_xcalloc(1, sizeof *j);
    j->root = jr_xstrdup(root);
    j->yaml_path = jr_path_join(root, "journal.yaml");
    j->feed_entries = 20;
    if (!read_journal_yaml(j)) {
        jr_journal_free(j);
        return NULL;
    }
    if (!j->language)
        j->language = jr_xstrdup("de");
    j->slug = jr_slugify(j->title ? j->title : "journal");

    size_t n;
    char **dirs = list_dir(root, true, &n);
    j->editions = jr_xcalloc(n ? n : 1, sizeof *j->editions);
    for (size_t i = 0; i < n; i++) {
        char *dir = jr_path_join(root, dirs[i]);
        char *yaml = jr_path_join(dir, "edition.yaml");
        if (!jr_file_exists(yaml)) {
            free(dir);
            free(yaml);
            continue;
        }
        jr_edition *e = &j->editions[j->neditions];
        memset(e, 0, sizeof *e);
        e->id = jr_xstrdup(dirs[i]);
        e->dir = dir;
        e->yaml_path = yaml;
        read_edition_yaml(e);
        size_t failed = read_articles(j, e);
        /* an edition whose articles all failed is not reported empty as well */
        check_edition(j, e, failed == 0, false);
        j->neditions++;
    }
    free_names(dirs, n);
    if (j->neditions == 0)
        jr_diag(JR_E_NO_EDITIONS, j->root, 0, 0);
    if (j->neditions > 1)
        qsort(j->editions, j->neditions, sizeof *j->editions, cmp_edition);
    return j;
}
