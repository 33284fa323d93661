/* preflight.c: the print preflight of a laid-out edition (see preflight.h). */
#define _POSIX_C_SOURCE 200809L
#include "preflight.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fontmetrics.h"
#include "image.h"
#include "util.h"

#define PT_MM (25.4 / 72.0)

/* Where image item `it` comes from: the written path, the file and line. */
static void image_source(const jr_edition *e, const jr_doclayout *dl, const jr_item *it,
                         jr_pf_image *im)
{
    const char *rel = NULL, *file = NULL;
    int line = 0;
    if (e && it->article >= 0 && (size_t)it->article < e->narticles) {
        const jr_article *a = &e->articles[it->article];
        file = a->path;
        if (it->block >= 0 && a->doc && (size_t)it->block < a->doc->nblocks) {
            rel = a->doc->blocks[it->block].image;
            line = a->doc->blocks[it->block].pos.line;
        } else {
            rel = a->image;
            line = a->key_pos[JR_FM_IMAGE].line;
        }
    } else if (e && e->cover_image) {
        rel = e->cover_image;
        file = e->yaml_path;
        line = e->cover_pos.line;
    }
    if (!rel && it->image >= 0 && (size_t)it->image < dl->nimages)
        rel = dl->images[it->image].path;
    im->image = jr_xstrdup(rel ? rel : "?");
    im->file = file ? jr_xstrdup(file) : NULL;
    im->line = line;
}

static int cmp_image(const void *pa, const void *pb)
{
    const jr_pf_image *a = pa, *b = pb;
    if (a->page != b->page)
        return a->page < b->page ? -1 : 1;
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    c = strcmp(a->image, b->image);
    if (c)
        return c;
    return a->ppi < b->ppi ? -1 : a->ppi > b->ppi;
}

static int cmp_font(const void *pa, const void *pb)
{
    const jr_pf_font *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->file, b->file);
}

static void check_images(jr_preflight *pf, const jr_doclayout *dl, const jr_edition *e)
{
    size_t cap = 0;
    for (size_t p = 0; p < dl->npages; p++) {
        const jr_page *pg = &dl->pages[p];
        for (size_t i = 0; i < pg->nitems; i++) {
            const jr_item *it = &pg->items[i];
            if (it->kind != JR_ITEM_IMAGE || it->image < 0 || (size_t)it->image >= dl->nimages ||
                it->w <= 0 || it->h <= 0)
                continue;
            const jr_image_ref *ref = &dl->images[it->image];
            JR_GROW(pf->images, cap, pf->nimages + 1);
            jr_pf_image *im = &pf->images[pf->nimages++];
            memset(im, 0, sizeof *im);
            im->page = (int)p + 1;
            image_source(e, dl, it, im);
            im->px_w = ref->px_width;
            im->px_h = ref->px_height;
            im->w_pt = it->w;
            im->h_pt = it->h;
            double px = im->px_w * 72.0 / it->w, py = im->px_h * 72.0 / it->h;
            im->ppi = px < py ? px : py;
            jr_image_info info;
            char why[128];
            if (jr_image_check(ref->path, &info, why, sizeof why) == 0)
                im->channels = info.channels;
            if (im->channels == 3)
                pf->rgb_images++;
            if (im->ppi < JR_PF_PPI_ERROR)
                im->level = JR_PF_ERROR;
            else if (im->ppi < JR_PF_PPI_WARN)
                im->level = JR_PF_WARNING;
            else if (im->channels == 3)
                im->level = JR_PF_INFO;
        }
    }
    if (pf->nimages > 1)
        qsort(pf->images, pf->nimages, sizeof *pf->images, cmp_image);
    for (size_t i = 0; i < pf->nimages; i++) {
        jr_pf_image *im = &pf->images[i];
        if (im->level == JR_PF_ERROR || im->level == JR_PF_WARNING) {
            bool err = im->level == JR_PF_ERROR;
            jr_diag(err ? JR_E_PF_LOW_PPI : JR_W_PF_LOW_PPI, im->file, im->line, 0, im->image,
                    floor(im->ppi), im->w_pt * PT_MM, im->h_pt * PT_MM,
                    err ? JR_PF_PPI_ERROR : JR_PF_PPI_WARN);
            if (err)
                pf->errors++;
            else
                pf->warnings++;
        }
    }
}

static void check_fonts(jr_preflight *pf, const jr_doclayout *dl)
{
    size_t n = dl->fonts ? jr_font_count(dl->fonts) : 0;
    if (!n)
        return;
    bool *used = jr_xcalloc(n, sizeof *used);
    for (size_t p = 0; p < dl->npages; p++)
        for (size_t i = 0; i < dl->pages[p].nitems; i++) {
            const jr_item *it = &dl->pages[p].items[i];
            if (it->kind == JR_ITEM_TEXT && it->font >= 0 && (size_t)it->font < n)
                used[it->font] = true;
        }
    pf->fonts = jr_xcalloc(n, sizeof *pf->fonts);
    for (size_t f = 0; f < n; f++) {
        if (!used[f])
            continue;
        const jr_font_info *fi = jr_font_get(dl->fonts, (int)f);
        if (!fi)
            continue;
        const char *base = fi->path ? strrchr(fi->path, '/') : NULL;
        char *name = jr_xasprintf("%s%s%s", fi->family ? fi->family : "?", fi->bold ? " Bold" : "",
                                  fi->italic ? " Italic" : "");
        char *file = jr_xstrdup(base ? base + 1 : fi->path ? fi->path : "?");
        bool seen = false;
        for (size_t k = 0; k < pf->nfonts && !seen; k++)
            seen = strcmp(pf->fonts[k].name, name) == 0 && strcmp(pf->fonts[k].file, file) == 0;
        if (seen) {
            free(name);
            free(file);
            continue;
        }
        pf->fonts[pf->nfonts].name = name;
        pf->fonts[pf->nfonts].file = file;
        pf->nfonts++;
    }
    free(used);
    if (pf->nfonts > 1)
        qsort(pf->fonts, pf->nfonts, sizeof *pf->fonts, cmp_font);
}

/* Text closer than 5 mm to the trim: every text item counts (running heads
 * and folios too); colour areas and images may bleed. */
static void check_text(jr_preflight *pf, const jr_doclayout *dl, const jr_edition *e,
                       const jr_style *st)
{
    size_t cap = 0;
    double W = dl->page_width, H = dl->page_height, lim = JR_PF_TRIM_SAFETY - 0.005;
    for (size_t p = 0; p < dl->npages; p++) {
        const jr_page *pg = &dl->pages[p];
        const jr_item *worst = NULL;
        const char *edge = NULL;
        double best = lim;
        for (size_t i = 0; i < pg->nitems; i++) {
            const jr_item *it = &pg->items[i];
            if (it->kind != JR_ITEM_TEXT || !it->text || !*it->text)
                continue;
            const jr_font_info *fi = dl->fonts ? jr_font_get(dl->fonts, it->font) : NULL;
            double asc = fi ? fi->ascender : 0.8, desc = fi ? fi->descender : -0.2;
            double d[4] = {it->x, W - (it->x + it->w), it->y + desc * it->size,
                           H - (it->y + asc * it->size)};
            static const char *const names[4] = {"left", "right", "bottom", "top"};
            for (int k = 0; k < 4; k++)
                if (d[k] < best) {
                    best = d[k];
                    worst = it;
                    edge = names[k];
                }
        }
        if (!worst)
            continue;
        JR_GROW(pf->texts, cap, pf->ntexts + 1);
        jr_pf_text *t = &pf->texts[pf->ntexts++];
        t->page = (int)p + 1;
        t->text = jr_xstrdup(worst->text);
        t->edge = edge;
        t->dist_pt = best;
        /* the article's text, else the layout's margins are the cause */
        const char *file = st && st->path ? st->path : e ? e->yaml_path : NULL;
        if (e && worst->article >= 0 && (size_t)worst->article < e->narticles)
            file = e->articles[worst->article].path;
        jr_diag(JR_W_PF_TEXT_TRIM, file, 0, 0, t->page, t->text, best * PT_MM, edge,
                JR_PF_TRIM_SAFETY * PT_MM);
        pf->warnings++;
    }
}

jr_preflight *jr_preflight_run(const jr_doclayout *dl, const jr_edition *e, const jr_style *st)
{
    jr_preflight *pf = jr_xcalloc(1, sizeof *pf);
    pf->edition = jr_xstrdup(e && e->id ? e->id : "");
    pf->trim_w = dl->page_width;
    pf->trim_h = dl->page_height;
    pf->bleed = st && st->bleed > 0 ? st->bleed : 0;
    pf->pages = (int)dl->npages;
    pf->blank_pages = dl->blank_pages;
    check_images(pf, dl, e);
    check_fonts(pf, dl);
    check_text(pf, dl, e, st);
    if (pf->pages % 4 != 0) {
        jr_diag(JR_W_PF_PAGE_COUNT, e ? e->yaml_path : NULL, 0, 0, pf->pages);
        pf->warnings++;
    }
    return pf;
}

static const char *level_name(jr_pf_level l)
{
    switch (l) {
    case JR_PF_OK:
        return "ok";
    case JR_PF_INFO:
        return "info";
    case JR_PF_WARNING:
        return "warning";
    case JR_PF_ERROR:
        return "error";
    }
    return "?";
}

static const char *colour_name(int channels)
{
    return channels == 1 ? "gray" : channels == 3 ? "RGB" : channels == 4 ? "CMYK" : "?";
}

static const char *num(char *buf, size_t len, double v, int decimals)
{
    jr_fmt_double(buf, len, v, decimals);
    return buf;
}

void jr_preflight_print(const jr_preflight *pf, FILE *f)
{
    char a[32], b[32], c[32], d[32], e[32];
    fprintf(f, "preflight %s:\n", pf->edition);
    fprintf(f, "  trim        %s x %s mm (%s x %s pt), bleed %s mm\n",
            num(a, sizeof a, pf->trim_w * PT_MM, 1), num(b, sizeof b, pf->trim_h * PT_MM, 1),
            num(c, sizeof c, pf->trim_w, 2), num(d, sizeof d, pf->trim_h, 2),
            num(e, sizeof e, pf->bleed * PT_MM, 1));
    fprintf(f, "  pages       %d (%s", pf->pages,
            pf->pages % 4 == 0 ? "a multiple of 4" : "NOT a multiple of 4");
    if (pf->blank_pages)
        fprintf(f, ", %d blank page%s added", pf->blank_pages, pf->blank_pages == 1 ? "" : "s");
    fprintf(f, ")\n");
    fprintf(f, "  fonts       %zu, all embedded (TrueType subsets), not embedded: none\n",
            pf->nfonts);
    for (size_t i = 0; i < pf->nfonts; i++)
        fprintf(f, "              %s (%s)\n", pf->fonts[i].name, pf->fonts[i].file);
    fprintf(f, "  images      %zu placed, %d RGB\n", pf->nimages, pf->rgb_images);
    if (pf->nimages)
        fprintf(f, "    %-4s %6s %11s %13s %-6s %-7s %s\n", "page", "ppi", "pixels", "placed mm",
                "colour", "status", "where");
    for (size_t i = 0; i < pf->nimages; i++) {
        const jr_pf_image *im = &pf->images[i];
        char px[32], mm[80];
        snprintf(px, sizeof px, "%dx%d", im->px_w, im->px_h);
        snprintf(mm, sizeof mm, "%sx%s", num(a, sizeof a, im->w_pt * PT_MM, 1),
                 num(b, sizeof b, im->h_pt * PT_MM, 1));
        fprintf(f, "    %4d %6s %11s %13s %-6s %-7s ", im->page,
                num(c, sizeof c, floor(im->ppi), 0), px, mm, colour_name(im->channels),
                level_name(im->level));
        if (im->file && im->line)
            fprintf(f, "%s:%d ", im->file, im->line);
        else if (im->file)
            fprintf(f, "%s ", im->file);
        fprintf(f, "%s\n", im->image);
    }
    if (pf->rgb_images)
        fprintf(f,
                "  info        RGB images are tagged sRGB in the print PDF; the print shop's RIP "
                "converts them to CMYK\n");
    if (!pf->ntexts)
        fprintf(f, "  trim safety no text within %s mm of the trim edge\n",
                num(a, sizeof a, JR_PF_TRIM_SAFETY * PT_MM, 0));
    for (size_t i = 0; i < pf->ntexts; i++)
        fprintf(f, "  trim safety warning: page %d, '%s' %s mm from the %s edge\n",
                pf->texts[i].page, pf->texts[i].text,
                num(a, sizeof a, pf->texts[i].dist_pt * PT_MM, 1), pf->texts[i].edge);
    fprintf(f, "  result      %d error%s, %d warning%s\n", pf->errors, pf->errors == 1 ? "" : "s",
            pf->warnings, pf->warnings == 1 ? "" : "s");
}

static void json_str(jr_buf *b, const char *s)
{
    jr_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') {
            jr_buf_putc(b, '\\');
            jr_buf_putc(b, (char)*p);
        } else if (*p < 0x20) {
            jr_buf_printf(b, "\\u%04x", *p);
        } else {
            jr_buf_putc(b, (char)*p);
        }
    }
    jr_buf_putc(b, '"');
}

static void json_num(jr_buf *b, double v, int decimals)
{
    char s[48];
    jr_fmt_double(s, sizeof s, v, decimals);
    jr_buf_puts(b, s);
}

char *jr_preflight_json(const jr_preflight *pf)
{
    jr_buf b = {0};
    jr_buf_puts(&b, "{\n  \"bleed_mm\": ");
    json_num(&b, pf->bleed * PT_MM, 2);
    jr_buf_puts(&b, ",\n  \"bleed_pt\": ");
    json_num(&b, pf->bleed, 2);
    jr_buf_puts(&b, ",\n  \"edition\": ");
    json_str(&b, pf->edition);
    jr_buf_printf(&b, ",\n  \"errors\": %d,\n  \"fonts\": [", pf->errors);
    for (size_t i = 0; i < pf->nfonts; i++) {
        jr_buf_puts(&b, i ? ",\n    {\"embedded\": true, \"file\": "
                          : "\n    {\"embedded\": true, \"file\": ");
        json_str(&b, pf->fonts[i].file);
        jr_buf_puts(&b, ", \"name\": ");
        json_str(&b, pf->fonts[i].name);
        jr_buf_puts(&b, ", \"type\": \"TrueType\"}");
    }
    jr_buf_puts(&b, pf->nfonts ? "\n  ],\n  \"fonts_not_embedded\": 0,\n  \"images\": ["
                               : "],\n  \"fonts_not_embedded\": 0,\n  \"images\": [");
    for (size_t i = 0; i < pf->nimages; i++) {
        const jr_pf_image *im = &pf->images[i];
        jr_buf_puts(&b, i ? ",\n    {\"colour\": " : "\n    {\"colour\": ");
        json_str(&b, colour_name(im->channels));
        jr_buf_puts(&b, ", \"file\": ");
        if (im->file)
            json_str(&b, im->file);
        else
            jr_buf_puts(&b, "null");
        jr_buf_puts(&b, ", \"image\": ");
        json_str(&b, im->image);
        jr_buf_puts(&b, ", \"level\": ");
        json_str(&b, level_name(im->level));
        jr_buf_printf(&b, ", \"line\": %d, \"page\": %d, \"pixels\": [%d, %d], \"placed_mm\": [",
                      im->line, im->page, im->px_w, im->px_h);
        json_num(&b, im->w_pt * PT_MM, 2);
        jr_buf_puts(&b, ", ");
        json_num(&b, im->h_pt * PT_MM, 2);
        jr_buf_puts(&b, "], \"ppi\": ");
        json_num(&b, im->ppi, 1);
        jr_buf_putc(&b, '}');
    }
    jr_buf_puts(&b, pf->nimages ? "\n  ],\n" : "],\n");
    jr_buf_printf(&b, "  \"pages\": {\"blank_added\": %d, \"count\": %d, \"multiple_of_4\": %s},\n",
                  pf->blank_pages, pf->pages, pf->pages % 4 == 0 ? "true" : "false");
    jr_buf_printf(&b, "  \"rgb_images\": %d,\n  \"text_near_trim\": [", pf->rgb_images);
    for (size_t i = 0; i < pf->ntexts; i++) {
        const jr_pf_text *t = &pf->texts[i];
        jr_buf_puts(&b, i ? ",\n    {\"distance_mm\": " : "\n    {\"distance_mm\": ");
        json_num(&b, t->dist_pt * PT_MM, 2);
        jr_buf_puts(&b, ", \"edge\": ");
        json_str(&b, t->edge);
        jr_buf_printf(&b, ", \"page\": %d, \"text\": ", t->page);
        json_str(&b, t->text);
        jr_buf_putc(&b, '}');
    }
    jr_buf_puts(&b, pf->ntexts ? "\n  ],\n" : "],\n");
    jr_buf_puts(&b, "  \"trim_mm\": [");
    json_num(&b, pf->trim_w * PT_MM, 2);
    jr_buf_puts(&b, ", ");
    json_num(&b, pf->trim_h * PT_MM, 2);
    jr_buf_puts(&b, "],\n  \"trim_pt\": [");
    json_num(&b, pf->trim_w, 2);
    jr_buf_puts(&b, ", ");
    json_num(&b, pf->trim_h, 2);
    jr_buf_printf(&b, "],\n  \"warnings\": %d\n}\n", pf->warnings);
    return jr_buf_detach(&b);
}

void jr_preflight_free(jr_preflight *pf)
{
    if (!pf)
        return;
    free(pf->edition);
    for (size_t i = 0; i < pf->nimages; i++) {
        free(pf->images[i].image);
        free(pf->images[i].file);
    }
    free(pf->images);
    for (size_t i = 0; i < pf->nfonts; i++) {
        free(pf->fonts[i].name);
        free(pf->fonts[i].file);
    }
    free(pf->fonts);
    for (size_t i = 0; i < pf->ntexts; i++)
        free(pf->texts[i].text);
    free(pf->texts);
    free(pf);
}
