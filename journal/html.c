/* html.c: the web pages: one page per article (out/<edition>/<slug>.html)
 * and the archive of all editions (out/index.html), HTML5 written by a
 * small writer that escapes text and attributes. Only two
 * things go in raw: the stylesheet (our own constant text and a colour we
 * format) and article bodies, which come out of the sanitiser. Every other
 * string is cleaned of characters XML does not allow first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "feed_int.h"
#include "image.h"
#include "markdown.h"
#include "util.h"

#define DEFAULT_ACCENT "#1f5f8b"

static const char css[] =
    "body{margin:0 auto;max-width:40em;padding:1em 1.25em 3em;"
    "font-family:ui-serif,Georgia,Cambria,\"Noto Serif\",\"DejaVu Serif\",serif;"
    "font-size:1.125rem;line-height:1.6;color:#1a1a1a;background:#fff}\n"
    "a{color:var(--accent)}\n"
    ".site{font-family:system-ui,sans-serif;font-size:.95rem;border-bottom:3px solid "
    "var(--accent);padding-bottom:.5em;margin-bottom:2em}\n"
    ".site a{text-decoration:none;font-weight:bold;color:inherit}\n"
    ".site p{margin:.2em 0;color:#555}\n"
    ".kicker{font-family:system-ui,sans-serif;text-transform:uppercase;letter-spacing:.08em;"
    "font-size:.8rem;font-weight:bold;color:var(--accent);margin:0}\n"
    "h1{font-size:2rem;line-height:1.2;margin:.2em 0 .3em}\n"
    "h2,h3,h4{line-height:1.25}\n"
    ".subtitle{font-size:1.25rem;margin:0 0 1em;color:#444}\n"
    ".byline,.meta{font-family:system-ui,sans-serif;font-size:.9rem;color:#555}\n"
    ".lead{font-weight:bold}\n"
    "figure,.figure{margin:1.5em 0}\nimg{max-width:100%;height:auto}\n"
    "figcaption,.caption{font-size:.85rem;color:#555;margin:.3em 0}\n.credit{font-style:italic}\n"
    "blockquote{border-left:3px solid var(--accent);margin-left:0;padding-left:1em}\n"
    "pre{overflow-x:auto;background:#f4f4f4;padding:.75em}\n"
    ".edition{margin-bottom:3em;overflow:hidden}\n"
    ".cover{float:right;max-width:10em;margin:0 0 1em 1em}\n"
    ".articles{padding-left:1.2em}\n.articles li{margin:.4em 0}\n"
    ".footer{margin-top:3em;border-top:1px solid #ccc;font-family:system-ui,sans-serif;"
    "font-size:.9rem;color:#555}\n";

/* ---- the writer -------------------------------------------------------------
 *
 * Pages are written into memory with the rules of libxml2's xmlTextWriter,
 * which wrote them before (same bytes): a start tag stays open for
 * attributes until content, a child or the end comes; an element ended
 * without content is written "<x/>" (void elements), or "<x></x>" with a
 * full end; text is escaped as xmlEncodeSpecialChars does (& < > " and CR);
 * the document ends with a newline. */

#define HW_MAX_DEPTH 32 /* elements open at once (a page nests a handful) */

typedef struct hw {
    jr_buf out;
    const char *open[HW_MAX_DEPTH]; /* names of the open elements */
    int depth;
    bool in_tag; /* the innermost start tag is still open for attributes */
    int err;
} hw;

static void h_close_tag(hw *h)
{
    if (h->in_tag) {
        jr_buf_putc(&h->out, '>');
        h->in_tag = false;
    }
}

static void h_start(hw *h, const char *name)
{
    h_close_tag(h);
    if (h->depth == HW_MAX_DEPTH) {
        h->err = 1;
        return;
    }
    h->open[h->depth++] = name;
    jr_buf_putc(&h->out, '<');
    jr_buf_puts(&h->out, name);
    h->in_tag = true;
}

/* Non-void elements always get an end tag: "<a/>" is not HTML. */
static void h_end(hw *h)
{
    if (h->depth == 0) {
        h->err = 1;
        return;
    }
    h_close_tag(h);
    jr_buf_puts(&h->out, "</");
    jr_buf_puts(&h->out, h->open[--h->depth]);
    jr_buf_putc(&h->out, '>');
}

/* Void elements (meta, link, img, br): "<meta ... />" is valid HTML5. */
static void h_end_void(hw *h)
{
    if (!h->in_tag) {
        h_end(h);
        return;
    }
    h->depth--;
    h->in_tag = false;
    jr_buf_puts(&h->out, "/>");
}

/* Attribute values are cleaned and escaped (& < > " '). */
static void h_attr(hw *h, const char *name, const char *value, const jr_src *src)
{
    if (!h->in_tag) {
        h->err = 1;
        return;
    }
    char *c = jr_xml_clean(value ? value : "", src);
    jr_buf_putc(&h->out, ' ');
    jr_buf_puts(&h->out, name);
    jr_buf_puts(&h->out, "=\"");
    jr_buf_put_xml_escaped(&h->out, c);
    jr_buf_putc(&h->out, '"');
    free(c);
}

static void h_text(hw *h, const char *text, const jr_src *src)
{
    h_close_tag(h);
    jr_xml_text_put(&h->out, text, src);
}

/* Only for text that is safe HTML already (sanitiser output, our CSS). */
static void h_raw(hw *h, const char *html)
{
    h_close_tag(h);
    jr_buf_puts(&h->out, html);
}

/* A div standing in for an HTML5 sectioning element (libxml2's HTML 4
 * parser, as in xmllint --html, reports header/main/article/... as
 * invalid); the ARIA role keeps the meaning for assistive technology. */
static void h_div(hw *h, const char *cls, const char *role)
{
    h_start(h, "div");
    if (cls)
        h_attr(h, "class", cls, NULL);
    if (role)
        h_attr(h, "role", role, NULL);
}

static void h_elem(hw *h, const char *name, const char *cls, const char *text, const jr_src *src)
{
    h_start(h, name);
    if (cls)
        h_attr(h, "class", cls, NULL);
    h_text(h, text, src);
    h_end(h);
}

static int h_open(hw *h)
{
    memset(h, 0, sizeof *h);
    return 0;
}

static int h_close(hw *h, const char *path)
{
    while (h->depth > 0) /* as xmlTextWriterEndDocument: what is open is ended */
        h_end_void(h);
    jr_buf_putc(&h->out, '\n');
    int rc = -1;
    if (h->err)
        jr_diag(JR_E_XML, path, 0, 0, "writing failed");
    else
        rc = jr_write_bytes(path, h->out.data, h->out.len);
    jr_buf_free(&h->out);
    return rc;
}

/* ---- pieces ----------------------------------------------------------------- */

static void color_hex(const jr_section *sec, char *out)
{
    if (!sec || !sec->has_color) {
        strcpy(out, DEFAULT_ACCENT);
        return;
    }
    double v[3] = {sec->color.r, sec->color.g, sec->color.b};
    int c[3];
    for (int i = 0; i < 3; i++) {
        double x = v[i] < 0 ? 0 : v[i] > 1 ? 1 : v[i];
        c[i] = (int)(x * 255.0 + 0.5);
    }
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* Text for people on a page: German (or the language's) quotes, dashes and
 * no-break spaces, as in the PDF. Feeds keep the front matter's text as it
 * is, so that readers see exactly what was written. NULL stays NULL. */
static char *typo(const char *s, const char *lang)
{
    return s ? jr_typography(s, lang) : NULL;
}

static const char *jlang(const jr_journal *j)
{
    return j->language ? j->language : "de";
}

/* <head>: charset, viewport, title, feed autodiscovery, style. `up` is the
 * way from the page to the output root ("" or "../"). */
/* Open Graph data for link previews (only with a base_url: it needs
 * absolute URLs). */
typedef struct og_info {
    const char *type, *title, *description, *url, *image, *published;
    const jr_src *src;
} og_info;

static void og_meta(hw *h, const char *property, const char *content, const jr_src *src)
{
    if (!content)
        return;
    h_start(h, "meta");
    h_attr(h, "property", property, NULL);
    h_attr(h, "content", content, src);
    h_end_void(h);
    h_raw(h, "\n");
}

static void write_head(hw *h, const jr_journal *j, const char *title, const jr_src *title_src,
                       const char *description, const jr_src *desc_src, const char *canonical,
                       const char *accent, const char *up, const og_info *og)
{
    jr_src sj = {j->yaml_path, 0, "journal"};
    h_start(h, "head");
    h_raw(h, "\n");
    h_start(h, "meta");
    h_attr(h, "charset", "utf-8", NULL);
    h_end_void(h);
    h_raw(h, "\n");
    h_start(h, "meta");
    h_attr(h, "name", "viewport", NULL);
    h_attr(h, "content", "width=device-width, initial-scale=1", NULL);
    h_end_void(h);
    h_raw(h, "\n");
    h_elem(h, "title", NULL, title, title_src);
    h_raw(h, "\n");
    if (description) {
        h_start(h, "meta");
        h_attr(h, "name", "description", NULL);
        h_attr(h, "content", description, desc_src);
        h_end_void(h);
        h_raw(h, "\n");
    }
    h_start(h, "meta");
    h_attr(h, "name", "generator", NULL);
    h_attr(h, "content", "journal " JOURNAL_VERSION, NULL);
    h_end_void(h);
    h_raw(h, "\n");
    if (canonical) {
        h_start(h, "link");
        h_attr(h, "rel", "canonical", NULL);
        h_attr(h, "href", canonical, NULL);
        h_end_void(h);
        h_raw(h, "\n");
    }
    if (og && j->base_url) {
        og_meta(h, "og:type", og->type, NULL);
        og_meta(h, "og:site_name", j->title, &sj);
        og_meta(h, "og:title", og->title, og->src);
        og_meta(h, "og:description", og->description, desc_src);
        og_meta(h, "og:url", og->url, NULL);
        og_meta(h, "og:image", og->image, NULL);
        og_meta(h, "article:published_time", og->published, NULL);
    }
    static const struct {
        const char *file, *type, *label;
    } feeds[] = {{"atom.xml", "application/atom+xml", "Atom"},
                 {"rss.xml", "application/rss+xml", "RSS"}};
    for (size_t i = 0; i < 2; i++) {
        char *href = j->base_url ? jr_xasprintf("%s%s", j->base_url, feeds[i].file)
                                 : jr_xasprintf("%s%s", up, feeds[i].file);
        char *t = jr_xasprintf("%s (%s)", j->title ? j->title : "", feeds[i].label);
        h_start(h, "link");
        h_attr(h, "rel", "alternate", NULL);
        h_attr(h, "type", feeds[i].type, NULL);
        h_attr(h, "title", t, &sj);
        h_attr(h, "href", href, NULL);
        h_end_void(h);
        h_raw(h, "\n");
        free(t);
        free(href);
    }
    h_start(h, "style");
    h_raw(h, ":root{--accent:");
    h_raw(h, accent);
    h_raw(h, "}\n");
    jr_buf_put(&h->out, css, sizeof css - 1);
    h_end(h);
    h_raw(h, "\n");
    h_end(h); /* head */
    h_raw(h, "\n");
}

static void write_site_header(hw *h, const jr_journal *j, const char *up, bool with_subtitle)
{
    jr_src sj = {j->yaml_path, 0, "journal"};
    h_div(h, "site", "banner");
    h_start(h, with_subtitle ? "h1" : "p");
    h_start(h, "a");
    char *home = jr_xasprintf("%sindex.html", up);
    h_attr(h, "href", home, NULL);
    free(home);
    h_text(h, j->title, &sj);
    h_end(h);
    h_end(h);
    if (with_subtitle && j->subtitle)
        h_elem(h, "p", NULL, j->subtitle, &sj);
    h_end(h);
    h_raw(h, "\n");
}

static void write_footer(hw *h, const jr_journal *j, const char *up, bool back_link)
{
    jr_src sj = {j->yaml_path, 0, "journal"};
    bool de = jr_lang_is_german(jlang(j));
    h_div(h, "footer", "contentinfo");
    h_raw(h, "\n");
    if (back_link) {
        h_start(h, "p");
        h_start(h, "a");
        char *home = jr_xasprintf("%sindex.html", up);
        h_attr(h, "href", home, NULL);
        free(home);
        h_text(h, de ? "← Alle Ausgaben" : "← All editions", NULL);
        h_end(h);
        h_end(h);
        h_raw(h, "\n");
    }
    h_start(h, "p");
    h_text(h, de ? "Abonnieren: " : "Subscribe: ", NULL);
    char *atom = jr_xasprintf("%satom.xml", up);
    char *rss = jr_xasprintf("%srss.xml", up);
    h_start(h, "a");
    h_attr(h, "href", atom, NULL);
    h_text(h, "Atom", NULL);
    h_end(h);
    h_text(h, " · ", NULL);
    h_start(h, "a");
    h_attr(h, "href", rss, NULL);
    h_text(h, "RSS", NULL);
    h_end(h);
    free(atom);
    free(rss);
    h_end(h);
    h_raw(h, "\n");
    if (j->publisher || j->copyright) {
        h_start(h, "p");
        if (j->copyright)
            h_text(h, j->copyright, &sj);
        else
            h_text(h, j->publisher, &sj);
        h_end(h);
        h_raw(h, "\n");
    }
    if (j->contact.email) {
        h_start(h, "p");
        h_start(h, "a");
        char *mail = jr_xasprintf("mailto:%s", j->contact.email);
        h_attr(h, "href", mail, &sj);
        free(mail);
        h_text(h, j->contact.email, &sj);
        h_end(h);
        h_end(h);
        h_raw(h, "\n");
    }
    h_end(h);
    h_raw(h, "\n");
}

/* A relative image path from the content (or an http(s) URL) for a page;
 * NULL when it is not usable (unsafe scheme). Caller frees. */
static char *image_src(const char *prefix, const char *path)
{
    if (!path || !*path || !jr_url_is_safe(path, false))
        return NULL;
    if (strstr(path, "://"))
        return jr_xstrdup(path);
    return jr_xasprintf("%s%s", prefix, path);
}

/* width and height of an image from the content (read with image.c), so
 * that the page does not jump while it loads; nothing when it cannot be
 * read (the build reports missing images). */
static void image_size_attrs(hw *h, const jr_journal *j, const char *dir, const char *rel)
{
    if (!j->root || !dir || !rel || strstr(rel, "://"))
        return;
    bool outside = false;
    char *path = jr_image_resolve(j->root, dir, rel, &outside);
    if (!path)
        return;
    jr_image_info info;
    char why[128];
    if (jr_image_check(path, &info, why, sizeof why) == 0 && info.width > 0 && info.height > 0) {
        char n[16];
        snprintf(n, sizeof n, "%u", info.width);
        h_attr(h, "width", n, NULL);
        snprintf(n, sizeof n, "%u", info.height);
        h_attr(h, "height", n, NULL);
    }
    free(path);
}

static void begin_page(hw *h, const char *lang)
{
    jr_buf_puts(&h->out, "<!DOCTYPE html>");
    h_raw(h, "\n");
    h_start(h, "html");
    h_attr(h, "lang", lang, NULL);
    h_raw(h, "\n");
}

/* ---- the article page --------------------------------------------------------- */

int jr_html_write_article(const jr_journal *j, const jr_edition *e, const jr_article *a,
                          const jr_feed_options *opt, const char *path)
{
    hw h;
    if (h_open(&h) < 0)
        return -1;
    const char *lang = a->lang ? a->lang : jlang(j);
    bool de = jr_lang_is_german(lang);
    const jr_section *sec = jr_journal_section(j, a->section);
    char accent[8];
    color_hex(sec, accent);
    jr_src st = {a->path, a->key_pos[JR_FM_TITLE].line, "title"};
    jr_src ss = {a->path, a->key_pos[JR_FM_SUBTITLE].line, "subtitle"};
    jr_src sa = {a->path, a->key_pos[JR_FM_AUTHOR].line, "author"};
    jr_src sm = {a->path, a->key_pos[JR_FM_SUMMARY].line, "summary"};
    jr_src si = {a->path, a->key_pos[JR_FM_IMAGE].line, "image"};

    char *t_title = typo(a->title ? a->title : "", lang);
    char *t_sub = typo(a->subtitle, lang), *t_sum = typo(a->summary, lang);
    char *t_cap = typo(a->image_caption, lang), *t_credit = typo(a->image_credit, lang);
    /* The page is in the journal's language (header, footer); an article in
     * another language says so on its own element. */
    begin_page(&h, jlang(j));
    char *title = jr_xasprintf("%s – %s", t_title, j->title ? j->title : "");
    char *canonical = j->base_url ? jr_article_url(j, e, a) : NULL;
    char *og_image = NULL, *published = NULL;
    if (j->base_url && a->image && jr_url_is_safe(a->image, false)) {
        char *page = jr_article_url(j, e, a);
        og_image = jr_url_resolve(a->image, page);
        free(page);
    }
    jr_date pd = jr_article_date(e, a);
    published = jr_xmalloc(32);
    jr_fmt_rfc3339(&pd, published);
    og_info og = {"article", t_title, t_sum, canonical, og_image, published, &st};
    write_head(&h, j, title, &st, t_sum, &sm, canonical, accent, "../", &og);
    free(og_image);
    free(published);
    free(title);
    free(canonical);

    h_start(&h, "body");
    h_raw(&h, "\n");
    write_site_header(&h, j, "../", false);
    h_div(&h, "main", "main");
    h_raw(&h, "\n");
    h_div(&h, "article", "article");
    if (strcmp(lang, jlang(j)) != 0)
        h_attr(&h, "lang", lang, NULL);
    h_raw(&h, "\n");
    h_div(&h, "article-header", NULL);
    h_raw(&h, "\n");
    if (sec && sec->title) {
        h_elem(&h, "p", "kicker", sec->title, NULL);
        h_raw(&h, "\n");
    }
    h_elem(&h, "h1", NULL, t_title, &st);
    h_raw(&h, "\n");
    if (t_sub) {
        h_elem(&h, "p", "subtitle", t_sub, &ss);
        h_raw(&h, "\n");
    }
    h_start(&h, "p");
    h_attr(&h, "class", "byline", NULL);
    char *by = jr_authors_joined(a, lang);
    if (by) {
        h_text(&h, de ? "Von " : "By ", NULL);
        h_text(&h, by, &sa);
        h_text(&h, " · ", NULL);
        free(by);
    }
    jr_date d = jr_article_date(e, a);
    char human[40];
    jr_fmt_date_long(&d, lang, human);
    h_start(&h, "span");
    h_attr(&h, "class", "date", NULL);
    h_text(&h, human, NULL);
    h_end(&h);
    h_end(&h);
    h_raw(&h, "\n");
    h_end(&h); /* header */
    h_raw(&h, "\n");

    char *src = image_src("", a->image);
    if (src) {
        h_div(&h, "figure lead-image", NULL);
        h_start(&h, "img");
        h_attr(&h, "src", src, &si);
        image_size_attrs(&h, j, a->dir, a->image);
        h_attr(&h, "alt", a->image_alt ? a->image_alt : (a->image_caption ? a->image_caption : ""),
               &si);
        h_end_void(&h);
        if (t_cap || t_credit) {
            h_start(&h, "p");
            h_attr(&h, "class", "caption", NULL);
            if (t_cap)
                h_text(&h, t_cap, &si);
            if (t_credit) {
                if (t_cap)
                    h_text(&h, " ", NULL);
                h_start(&h, "span");
                h_attr(&h, "class", "credit", NULL);
                h_text(&h, t_credit, &si);
                h_end(&h);
            }
            h_end(&h);
        }
        h_end(&h);
        h_raw(&h, "\n");
        free(src);
    }
    if (t_sum) {
        h_elem(&h, "p", "lead", t_sum, &sm);
        h_raw(&h, "\n");
    }
    char *body = jr_article_page_body(j, a);
    h_raw(&h, body);
    free(body);
    /* The edition's PDF, next to the page. */
    size_t ei = (size_t)(e - j->editions);
    if (e >= j->editions && ei < j->neditions && jr_edition_pdf_size(opt, ei) > 0) {
        char *name = jr_edition_pdf_name(j, opt, ei);
        char *href = jr_url_segment(name);
        char sz[32];
        jr_fmt_size(jr_edition_pdf_size(opt, ei), lang, sz);
        char *label = jr_xasprintf(de ? "Ausgabe %d/%d als PDF (%s)" : "Edition %d/%d as PDF (%s)",
                                   e->number, e->year, sz);
        h_start(&h, "p");
        h_attr(&h, "class", "meta", NULL);
        h_start(&h, "a");
        h_attr(&h, "href", href, NULL);
        h_attr(&h, "type", "application/pdf", NULL);
        h_text(&h, label, NULL);
        h_end(&h);
        h_end(&h);
        h_raw(&h, "\n");
        free(label);
        free(href);
        free(name);
    }
    h_end(&h); /* article */
    h_raw(&h, "\n");
    h_end(&h); /* main */
    h_raw(&h, "\n");
    write_footer(&h, j, "../", true);
    h_end(&h); /* body */
    h_raw(&h, "\n");
    h_end(&h); /* html */
    h_raw(&h, "\n");
    free(t_title);
    free(t_sub);
    free(t_sum);
    free(t_cap);
    free(t_credit);
    return h_close(&h, path);
}

/* ---- the archive of all editions ------------------------------------------------ */

static void write_edition(hw *h, const jr_journal *j, const jr_feed_options *opt, size_t ei)
{
    const jr_edition *e = &j->editions[ei];
    const char *lang = jlang(j);
    bool de = jr_lang_is_german(lang);
    jr_src se = {e->yaml_path, 0, "edition"};
    h_div(h, "edition", "region");
    char *anchor = jr_xasprintf("edition-%s", e->id);
    h_attr(h, "id", anchor, &se);
    free(anchor);
    h_raw(h, "\n");

    char *ed = jr_url_segment(e->id);
    char *prefix = jr_xasprintf("%s/", ed);
    free(ed);
    char *cover = image_src(prefix, e->cover_image);
    if (cover) {
        h_start(h, "img");
        h_attr(h, "class", "cover", NULL);
        h_attr(h, "src", cover, &se);
        image_size_attrs(h, j, e->dir, e->cover_image);
        h_attr(h, "loading", "lazy", NULL);
        const char *alt = e->cover_alt ? e->cover_alt : e->cover_caption;
        char *alt_default = jr_xasprintf(
            de ? "Titelbild der Ausgabe %d/%d" : "Cover of edition %d/%d", e->number, e->year);
        h_attr(h, "alt", alt ? alt : alt_default, &se);
        free(alt_default);
        h_end_void(h);
        h_raw(h, "\n");
        free(cover);
    }
    char *num = jr_xasprintf(de ? "Ausgabe %d/%d" : "Edition %d/%d", e->number, e->year);
    h_elem(h, "h2", NULL, num, NULL);
    free(num);
    h_raw(h, "\n");
    if (e->theme) {
        char *theme = typo(e->theme, lang);
        h_elem(h, "p", "subtitle", theme, &se);
        free(theme);
        h_raw(h, "\n");
    }
    jr_date d = jr_edition_date(e);
    char human[40];
    jr_fmt_date_long(&d, lang, human);
    h_start(h, "p");
    h_attr(h, "class", "meta", NULL);
    h_start(h, "span");
    h_attr(h, "class", "date", NULL);
    h_text(h, human, NULL);
    h_end(h);
    h_end(h);
    h_raw(h, "\n");

    if (e->narticles > 0) {
        h_start(h, "ul");
        h_attr(h, "class", "articles", NULL);
        h_raw(h, "\n");
    }
    for (size_t i = 0; i < e->narticles; i++) {
        const jr_article *a = &e->articles[i];
        jr_src st = {a->path, a->key_pos[JR_FM_TITLE].line, "title"};
        jr_src sa = {a->path, a->key_pos[JR_FM_AUTHOR].line, "author"};
        const jr_section *sec = jr_journal_section(j, a->section);
        h_start(h, "li");
        if (sec && sec->title) {
            char color[8];
            color_hex(sec, color);
            h_start(h, "span");
            h_attr(h, "class", "kicker", NULL);
            char *style = jr_xasprintf("color:%s", color);
            h_attr(h, "style", style, NULL);
            free(style);
            h_text(h, sec->title, NULL);
            h_end(h);
            h_raw(h, " ");
        }
        h_start(h, "a");
        char *slug = jr_url_segment(a->slug ? a->slug : a->filename);
        char *href = jr_xasprintf("%s%s.html", prefix, slug);
        free(slug);
        h_attr(h, "href", href, &st);
        free(href);
        char *t = typo(a->title, a->lang ? a->lang : lang);
        h_text(h, t, &st);
        free(t);
        h_end(h);
        char *by = jr_authors_joined(a, a->lang ? a->lang : lang);
        if (by) {
            h_text(h, " – ", NULL);
            h_start(h, "span");
            h_attr(h, "class", "byline", NULL);
            h_text(h, by, &sa);
            h_end(h);
            free(by);
        }
        h_end(h);
        h_raw(h, "\n");
    }
    if (e->narticles > 0) {
        h_end(h); /* ul */
        h_raw(h, "\n");
    }

    long long size = jr_edition_pdf_size(opt, ei);
    if (size > 0) {
        char *name = jr_edition_pdf_name(j, opt, ei);
        char *file = jr_url_segment(name);
        char *href = jr_xasprintf("%s%s", prefix, file);
        free(file);
        char sz[32];
        jr_fmt_size(size, lang, sz);
        char *label = jr_xasprintf(
            de ? "Ausgabe als PDF herunterladen (%s)" : "Download the edition as PDF (%s)", sz);
        h_start(h, "p");
        h_start(h, "a");
        h_attr(h, "href", href, &se);
        h_attr(h, "type", "application/pdf", NULL);
        h_text(h, label, NULL);
        h_end(h);
        h_end(h);
        h_raw(h, "\n");
        free(label);
        free(href);
        free(name);
    }
    free(prefix);
    h_end(h); /* section */
    h_raw(h, "\n");
}

int jr_html_write_index(const jr_journal *j, const jr_feed_options *opt, const char *path)
{
    hw h;
    if (h_open(&h) < 0)
        return -1;
    const char *lang = jlang(j);
    jr_src sj = {j->yaml_path, 0, "journal"};
    begin_page(&h, lang);
    char *logo = j->logo && j->base_url ? jr_url_resolve(j->logo, j->base_url) : NULL;
    og_info og = {"website", j->title, j->subtitle, j->base_url, logo, NULL, &sj};
    write_head(&h, j, j->title ? j->title : "", &sj, j->subtitle, &sj, j->base_url, DEFAULT_ACCENT,
               "", &og);
    free(logo);
    h_start(&h, "body");
    h_raw(&h, "\n");
    write_site_header(&h, j, "", true);
    h_div(&h, "main", "main");
    h_raw(&h, "\n");
    /* Editions are stored oldest first; the archive shows the newest first. */
    for (size_t k = j->neditions; k-- > 0;)
        write_edition(&h, j, opt, k);
    h_end(&h); /* main */
    h_raw(&h, "\n");
    write_footer(&h, j, "", false);
    h_end(&h); /* body */
    h_raw(&h, "\n");
    h_end(&h); /* html */
    h_raw(&h, "\n");
    return h_close(&h, path);
}
