/* pdf_sample.c: builds a jr_doclayout by hand and writes it with jr_pdf_write.
 * The checks are made by pdf_test.sh with qpdf and poppler.
 *
 *   pdf_sample sample OUT.pdf IMGDIR [print|pdfa|print+pdfa]  the sample
 *   pdf_sample hostile OUT.pdf IMGDIR [...]   bad items: must still be a valid PDF
 *   pdf_sample empty OUT.pdf IMGDIR           a layout without pages
 *   pdf_sample stress OUT.pdf IMGDIR          beyond libharu's array limits
 *   pdf_sample fail IMGDIR                    unwritable path: must return -1
 *
 * The program calls setlocale(LC_ALL, "") so that the caller's locale (e.g.
 * de_DE.UTF-8 with a decimal comma) is in force while the PDF is written. */
#define _POSIX_C_SOURCE 200809L
#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "diag.h"
#include "fontmetrics.h"
#include "pages.h"
#include "pdf.h"
#include "util.h"

static jr_fontset *fs;
static int serif, serif_bold;
/* the article, block and role the next items belong to */
static int cur_article = -1, cur_block = -1;
static jr_item_role cur_role = JR_ROLE_CONTENT;

/* ---- images written for the test ---- */

static void write_png_rgba(const char *path)
{
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (!f || setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, 32, 32, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    unsigned char row[32 * 4];
    for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
            row[x * 4] = (unsigned char)(x * 8);
            row[x * 4 + 1] = (unsigned char)(y * 8);
            row[x * 4 + 2] = 128;
            row[x * 4 + 3] = (unsigned char)((x + y) * 4);
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
}

static void write_jpeg_rgb(const char *path)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    jpeg_stdio_dest(&c, f);
    c.image_width = 40;
    c.image_height = 30;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 90, TRUE);
    jpeg_start_compress(&c, TRUE);
    unsigned char row[40 * 3];
    while (c.next_scanline < 30) {
        for (int x = 0; x < 40; x++) {
            row[x * 3] = (unsigned char)(x * 6);
            row[x * 3 + 1] = (unsigned char)(c.next_scanline * 8);
            row[x * 3 + 2] = 200;
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

/* A JPEG stored 40 x 30 whose top-left quarter is red, the rest blue, with
 * an Exif block saying "turn 90 degrees clockwise" (orientation 6): shown
 * 30 x 40 with the red quarter at the top right. */
static void write_jpeg_turned(const char *path)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    jpeg_stdio_dest(&c, f);
    c.image_width = 40;
    c.image_height = 30;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    jpeg_start_compress(&c, TRUE);
    static const unsigned char exif[] = {'E', 'x', 'i', 'f', 0, 0,    'M',  'M', 0, 42, 0,
                                         0,   0,   8,   0,   1, 0x01, 0x12, 0,   3, 0,  0,
                                         0,   1,   0,   6,   0, 0,    0,    0,   0, 0};
    jpeg_write_marker(&c, JPEG_APP0 + 1, exif, sizeof exif);
    unsigned char row[40 * 3];
    while (c.next_scanline < 30) {
        for (int x = 0; x < 40; x++) {
            bool red = x < 20 && c.next_scanline < 15;
            row[x * 3] = red ? 220 : 20;
            row[x * 3 + 1] = 20;
            row[x * 3 + 2] = red ? 20 : 220;
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

/* JPEG flavours: 'p' progressive, 'a' arithmetic coding, 'c' CMYK (with
 * libjpeg's Adobe marker: samples count as inverted), 'f' a fill byte
 * before the first marker (valid, but libharu's parser stumbles). 24 x 16. */
static void write_jpeg_flavour(const char *path, char flavour)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    jpeg_stdio_dest(&c, f);
    int comps = flavour == 'c' ? 4 : 3;
    c.image_width = 24;
    c.image_height = 16;
    c.input_components = comps;
    c.in_color_space = comps == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&c);
    if (flavour == 'p')
        jpeg_simple_progression(&c);
    if (flavour == 'a')
        c.arith_code = TRUE;
    jpeg_start_compress(&c, TRUE);
    if (flavour == 'p') { /* with an embedded (Adobe RGB compatible) profile */
        size_t n = 0;
        char *icc = jr_read_file("/usr/share/color/icc/ghostscript/a98.icc", &n);
        if (icc)
            jpeg_write_icc_profile(&c, (const JOCTET *)icc, (unsigned)n);
        free(icc);
    }
    unsigned char row[24 * 4];
    while (c.next_scanline < 16) {
        for (int x = 0; x < 24 * comps; x++)
            row[x] = (unsigned char)(x * 9 + c.next_scanline * 5);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
    if (flavour == 'f') {
        size_t n = 0;
        char *d = jr_read_file(path, &n);
        f = fopen(path, "wb");
        if (!d || !f)
            exit(2);
        fwrite(d, 1, 2, f);
        fputc(0xFF, f);
        fwrite(d + 2, 1, n - 2, f);
        fclose(f);
        free(d);
    }
}

/* ---- items ---- */

/* the layout being made (its colours) */
static jr_doclayout *cur_dl;

static jr_color rgb(double r, double g, double b)
{
    jr_color c = {r, g, b, 0, 0, 0, 0};
    c.k = 1 - fmax(r, fmax(g, b));
    if (c.k < 1) {
        c.c = (1 - r - c.k) / (1 - c.k);
        c.m = (1 - g - c.k) / (1 - c.k);
        c.y = (1 - b - c.k) / (1 - c.k);
    }
    return c;
}

static void text(jr_page *p, int font, double size, double x, double y, const char *s, bool kern,
                 jr_color col)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = JR_ITEM_TEXT;
    it.x = x;
    it.y = y;
    it.font = font;
    it.size = size;
    it.color = jr_doclayout_color(cur_dl, col);
    it.text = jr_xstrdup(s);
    it.image = it.dest_page = -1;
    it.article = cur_article;
    it.block = cur_block;
    it.role = cur_role;
    size_t n = jr_utf8_count(s, strlen(s));
    int *k = jr_xcalloc(n ? n : 1, sizeof(int));
    it.w = font >= 0 && (size_t)font < jr_font_count(fs) && size > 0
               ? jr_font_measure(fs, font, size, s, strlen(s), k)
               : 0;
    if (kern) {
        it.kern = k;
    } else {
        /* drawn with nominal advances: the width without the kerning */
        for (size_t i = 0; i < n; i++)
            it.w += k[i] * size / 1000.0;
        free(k);
    }
    jr_page_add_item(p, &it);
}

static void box(jr_page *p, jr_item_kind kind, double x, double y, double w, double h)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.color = jr_doclayout_color(cur_dl, rgb(0.1, 0.3, 0.6));
    it.line_width = 0.5;
    it.image = it.dest_page = -1;
    it.article = cur_article;
    it.block = cur_block;
    it.role = cur_role;
    jr_page_add_item(p, &it);
}

static void image(jr_page *p, int idx, double x, double y, double w, double h)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = JR_ITEM_IMAGE;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.image = idx;
    it.dest_page = -1;
    it.article = cur_article;
    it.block = cur_block;
    it.role = cur_role;
    jr_page_add_item(p, &it);
}

static void link(jr_page *p, double x, double y, double w, double h, const char *uri, int dest,
                 double dest_y)
{
    jr_item it;
    memset(&it, 0, sizeof it);
    it.kind = JR_ITEM_LINK;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    it.uri = jr_xstrdup(uri);
    it.dest_page = dest;
    it.dest_y = dest_y;
    it.image = -1;
    it.article = cur_article;
    it.block = cur_block;
    it.role = cur_role;
    jr_page_add_item(p, &it);
}

static jr_doclayout *sample(const char *imgdir)
{
    jr_doclayout *dl = jr_doclayout_new(fs, 595.276, 841.89);
    cur_dl = dl;
    char *png = jr_path_join(imgdir, "bild.png");
    char *jpg = jr_path_join(imgdir, "foto.jpg");
    write_png_rgba(png);
    write_jpeg_rgb(jpg);
    int ipng = jr_doclayout_add_image(dl, png, 32, 32, "Ein Bild");
    int ijpg = jr_doclayout_add_image(dl, jpg, 40, 30, "Ein Foto");
    int ipng2 = jr_doclayout_add_image(dl, png, 32, 32, "Dasselbe Bild");
    char *turned = jr_path_join(imgdir, "gedreht.jpg");
    write_jpeg_turned(turned);
    int iturned = jr_doclayout_add_image(dl, turned, 30, 40, "Gedreht");
    free(turned);
    free(png);
    free(jpg);

    jr_color black = rgb(0, 0, 0), red = rgb(0.8, 0.1, 0.1);
    /* page 1: the cover, no folio */
    jr_page *p = jr_doclayout_add_page(dl);
    cur_article = 0; /* the title (block -1), a heading, paragraphs, a figure */
    cur_block = -1;
    text(p, serif_bold, 24, 72, 700, "Bildung", true, black);
    text(p, serif_bold, 24, 175, 700, "im", true, black);
    text(p, serif_bold, 24, 210, 700, "Blick", true, black);
    cur_block = 0;
    text(p, serif, 12, 72, 650, "Übergänge", true, black);
    text(p, serif, 12, 140, 650, "Größe", true, black);
    text(p, serif, 12, 190, 650, "Straße", true, red);
    text(p, serif, 12, 240, 650, "„Zitat“", true, black);
    text(p, serif, 12, 290, 650, "–", true, black);
    text(p, serif, 12, 305, 650, "12,50 €", true, black);
    cur_block = 1;
    text(p, serif, 12, 72, 630, "Ελληνικά", true, black);
    text(p, serif, 12, 150, 630, "Кириллица", true, black);
    text(p, serif, 12, 240, 630, "Łódź", true, black);
    text(p, serif, 12, 290, 630, "Gdańsk", true, black);
    text(p, serif, 12, 350, 630, "Wałęsa", true, black);
    text(p, serif, 12, 72, 610,
         "Schul\xC2\xAD"
         "entwicklung",
         true, black);
    /* the same word kerned and not kerned */
    cur_block = 2;
    text(p, serif, 20, 72, 560, "AVATAR", true, black);
    text(p, serif, 20, 72, 530, "AVATAR", false, black);
    cur_block = 3;
    box(p, JR_ITEM_RECT, 72, 400, 200, 20);
    box(p, JR_ITEM_LINE, 72, 390, 451, 0);
    image(p, ipng, 72, 300, 64, 64);
    image(p, ijpg, 150, 300, 80, 60);
    text(p, serif, 12, 72, 250, "Website", true, rgb(0, 0, 0.8));
    link(p, 72, 246, 50, 14, "https://www.bildungsregion-stade.de/", -1, 0);
    text(p, serif, 12, 150, 250, "Weiter", true, black);
    link(p, 150, 246, 40, 14, NULL, 1, 700);

    /* page 2, folio 2 */
    p = jr_doclayout_add_page(dl);
    p->label = jr_xstrdup("2");
    cur_article = 1;
    cur_block = 0;
    text(p, serif, 12, 72, 700, "Seite", true, black);
    text(p, serif, 12, 110, 700, "zwei", true, black);
    cur_block = 1;
    image(p, ipng2, 72, 500, 100, 100);
    cur_block = 0;
    cur_role = JR_ROLE_ARTIFACT; /* the folio */
    text(p, serif, 9, 297.638, 40, "2", true, black);
    cur_role = JR_ROLE_CONTENT;
    /* page 3, folio 3 */
    p = jr_doclayout_add_page(dl);
    p->label = jr_xstrdup("3");
    text(p, serif, 12, 72, 700, "Ende", true, black);
    cur_block = 1;
    image(p, iturned, 300, 100, 60, 80); /* the red quarter must show top right */
    cur_block = 0;

    jr_doclayout_add_outline(dl, 0, "Bildung im Blick", 0, 841.89);
    jr_doclayout_add_outline(dl, 1, "Übergänge gestalten", 1, 720);
    jr_doclayout_add_outline(dl, 2, "Größe & Maß", 1, 600);
    jr_doclayout_add_outline(dl, 1, "Ende", 2, 720);
    return dl;
}

/* Past libharu's array limit (8191 items), which ends a document with an
 * error: 9000 pages with labels that never continue each other, and a page
 * with 9000 links in one paragraph. */
static jr_doclayout *stress(void)
{
    jr_doclayout *dl = jr_doclayout_new(fs, 300, 400);
    cur_dl = dl;
    jr_color black = rgb(0, 0, 0);
    cur_article = 0;
    cur_block = 0;
    for (int i = 0; i < 9000; i++) {
        jr_page *p = jr_doclayout_add_page(dl);
        p->label = jr_xasprintf("%d", 2 * i + 1); /* 1, 3, 5: a range each */
        text(p, serif, 10, 20, 300, i == 0 ? "Anfang" : "Seite", false, black);
        if (i == 0)
            for (int k = 0; k < 9000; k++)
                link(p, 20 + (k % 50) * 5, 20 + (k / 50) * 1.5, 4, 1, "https://example.org/", -1,
                     0);
    }
    jr_doclayout_add_outline(dl, 0, "Anfang", 0, 400);
    return dl;
}

/* The document model the sample's article/block indices point into:
 * article 0 has a heading, two paragraphs and a figure; article 1 (Polish)
 * a paragraph and a figure with its own alt text. */
static const jr_edition *sample_edition(void)
{
    static jr_block b0[4], b1[2];
    static jr_doc d0, d1;
    static jr_article arts[2];
    static jr_edition ed;
    b0[0].kind = JR_BLOCK_HEADING;
    b0[0].level = 2;
    b0[1].kind = JR_BLOCK_PARAGRAPH;
    b0[2].kind = JR_BLOCK_PARAGRAPH;
    b0[3].kind = JR_BLOCK_FIGURE;
    b1[0].kind = JR_BLOCK_PARAGRAPH;
    b1[1].kind = JR_BLOCK_FIGURE;
    b1[1].alt = "Dasselbe Bild, noch einmal";
    d0.blocks = b0;
    d0.nblocks = 4;
    d1.blocks = b1;
    d1.nblocks = 2;
    arts[0].title = "Übergänge gestalten";
    arts[0].doc = &d0;
    arts[1].title = "Koniec";
    arts[1].lang = "pl";
    arts[1].doc = &d1;
    ed.articles = arts;
    ed.narticles = 2;
    return &ed;
}

/* Items a buggy engine or a bad file could produce. */
static jr_doclayout *hostile(const char *imgdir)
{
    jr_doclayout *dl = jr_doclayout_new(fs, 420, 595);
    cur_dl = dl;
    char *bad = jr_path_join(imgdir, "kaputt.png");
    FILE *f = fopen(bad, "wb");
    if (f) {
        fputs("\x89PNG\r\n\x1a\nnot really", f);
        fclose(f);
    }
    int ibad = jr_doclayout_add_image(dl, bad, 10, 10, NULL);
    int flavours[4];
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "flavour-%c.jpg", "pacf"[i]);
        char *fp = jr_path_join(imgdir, name);
        write_jpeg_flavour(fp, "pacf"[i]);
        flavours[i] = jr_doclayout_add_image(dl, fp, 24, 16, NULL);
        free(fp);
    }
    char *missing = jr_path_join(imgdir, "fehlt.png");
    int imissing = jr_doclayout_add_image(dl, missing, 10, 10, NULL);
    free(bad);
    free(missing);
    jr_color black = rgb(0, 0, 0);
    jr_page *p = jr_doclayout_add_page(dl);
    cur_article = 7; /* beyond the sample edition's articles and blocks */
    cur_block = 1000;
    text(p, serif, 12, 50, 500, "Emoji \xF0\x9F\x98\x80 und \xFF\xFE kaputt", false, black);
    text(p, serif, 12, 50, 480, "\xC0\x80\xE2\x82 \xC3", true, black); /* kern by bytes */
    text(p, serif, 12, NAN, INFINITY, "NaN", false, black);
    text(p, serif, 12, 1e300, -1e300, "weit", false, black);
    text(p, 99, 12, 50, 400, "keine Schrift", false, black);
    text(p, -1, 12, 50, 380, "negative id", false, black);
    text(p, serif, 0, 50, 360, "null", false, black);
    text(p, serif, 10000, 50, 340, "riesig", false, black);
    text(p, serif, 12, 50, 320, "", false, black);
    text(p, serif, 12, 50, 300, "\xC2\xAD\xC2\xAD", true, black);
    jr_color wild = {7, -3, NAN, 2, 2, 2, 2};
    text(p, serif, 12, 50, 280, "Farbe", false, wild);
    for (int i = 0; i < 4; i++)
        image(p, flavours[i], 120 + 60 * i, 100, 48, 32);
    image(p, ibad, 50, 100, 50, 50);
    image(p, imissing, 50, 100, 50, 50);
    image(p, 42, 50, 100, 50, 50);
    image(p, 0, 50, 100, -5, 0);
    link(p, 50, 50, 10, 10, NULL, 7, 0);
    link(p, 50, 50, 10, 10, NULL, -1, 0);
    link(p, 50, 50, -10, 10, "https://example.org/", -1, 0);
    link(p, 50, 60, 10, 10, "https://example.org/ä (x)\\", -1, 0);
    link(p, 20000, 20000, 20000, 20000, "https://example.org/weit", -1, 0);
    link(p, 50, 70, 10, 10, NULL, 1, 1e9); /* a target far above the page */
    link(p, 50, 80, 10, 10, NULL, 1, -1e9);
    box(p, JR_ITEM_LINE, 10, 10, NAN, 5);
    p->label = jr_xstrdup("Titel\xFF");
    p = jr_doclayout_add_page(dl);
    p->label = jr_xstrdup("xiv");
    p = jr_doclayout_add_page(dl);
    p->label = jr_xstrdup("xv");
    p = jr_doclayout_add_page(dl);
    p->label = jr_xstrdup("A-7");
    jr_doclayout_add_outline(dl, 2, "tief ohne Eltern", 0, 100);
    jr_doclayout_add_outline(dl, -4, "negativ", 9, NAN);
    jr_doclayout_add_outline(dl, 40, "\xFF\xFE", 1, 100);
    jr_doclayout_add_outline(dl, 0, NULL, 1, 100);
    return dl;
}

/* OUT.expect: where each word must stand, for pdftotext -bbox (top-down y):
 * "page word xMin xMax yMax" in points, and the decimal point in force. */
static void write_expect(const jr_doclayout *dl, const char *out, double shift)
{
    char *path = jr_xasprintf("%s.expect", out);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f)
        return;
    fprintf(f, "decimal_point %s\n", localeconv()->decimal_point);
    double media_h = dl->page_height + 2 * shift;
    for (size_t p = 0; p < dl->npages; p++) {
        for (size_t i = 0; i < dl->pages[p].nitems; i++) {
            const jr_item *it = &dl->pages[p].items[i];
            if (it->kind != JR_ITEM_TEXT || !it->text || !*it->text || strchr(it->text, ' ') ||
                !(it->size > 0) || it->font < 0 || (size_t)it->font >= jr_font_count(fs))
                continue;
            const jr_font_info *fi = jr_font_get(fs, it->font);
            /* the word without soft hyphens, as pdftotext prints it */
            jr_buf w = {0};
            for (const char *s = it->text; *s; s++)
                if (!((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xAD))
                    jr_buf_putc(&w, *s);
                else
                    s++;
            fprintf(f, "%zu %s %.3f %.3f %.3f\n", p + 1, w.data, shift + it->x,
                    shift + it->x + it->w, media_h - (shift + it->y + fi->descender * it->size));
            jr_buf_free(&w);
        }
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc < 3) {
        fprintf(stderr, "usage: pdf_sample sample|hostile OUT IMGDIR [print] | fail IMGDIR\n");
        return 2;
    }
    fs = jr_fontset_new();
    serif = jr_font_load(fs, "Noto Serif", false, false, NULL);
    serif_bold = jr_font_load(fs, "Noto Serif", true, false, NULL);
    /* loaded, never used: must not be embedded */
    int unused = jr_font_load(fs, "Noto Serif", false, true, NULL);
    if (serif < 0 || serif_bold < 0 || unused < 0) {
        fprintf(stderr, "Noto Serif not found (fonts-noto-core)\n");
        return 2;
    }
    jr_pdf_options opt;
    memset(&opt, 0, sizeof opt);
    opt.title = "Bildung im Blick – Ausgabe 2026/1: Übergänge";
    opt.author = "Redaktion der Bildungsregion Landkreis Stade";
    opt.subject = "Zeitschrift der Bildungsregion";
    opt.keywords = "Bildung, Übergänge, Schule";
    opt.creator = "journal";
    opt.lang = "de-DE";
    opt.created = 1767225600; /* 2026-01-01T00:00:00Z */
    opt.source = "edition.yaml";
    int rc;
    if (strcmp(argv[1], "fail") == 0) {
        jr_doclayout *dl = sample(argv[2]);
        jr_diag_set_output(stdout);
        rc = jr_pdf_write(dl, &opt, "/nonexistent-dir/x/out.pdf");
        jr_doclayout_free(dl);
        jr_fontset_free(fs);
        return rc == -1 && jr_diag_count_id(JR_E_PDF) == 1 ? 0 : 1;
    }
    if (argc < 4)
        return 2;
    jr_doclayout *dl;
    if (strcmp(argv[1], "hostile") == 0)
        dl = hostile(argv[3]);
    else if (strcmp(argv[1], "stress") == 0)
        dl = stress();
    else if (strcmp(argv[1], "empty") == 0)
        dl = jr_doclayout_new(fs, 595.276, 841.89); /* no pages at all */
    else
        dl = sample(argv[3]);
    const char *variant = argc > 4 ? argv[4] : "";
    if (!strstr(variant, "noedition"))
        opt.edition = sample_edition();
    if (strstr(variant, "untagged"))
        opt.untagged = true;
    if (strstr(variant, "print")) {
        opt.print = true;
        opt.bleed = 8.504; /* 3 mm */
    }
    if (strstr(variant, "pdfa")) {
        opt.pdfa = true;
        opt.title = "Bildung & Teilhabe <2026> – Übergänge";
    }
    if (strcmp(argv[1], "hostile") == 0) {
        opt.created = 999999999999999LL; /* a year libharu cannot write */
        opt.title = "Steuer\x01zeichen \xFF & \xF0\x9F\x98\x80";
        opt.lang = "de\"DE";
    }
    rc = jr_pdf_write(dl, &opt, argv[2]);
    write_expect(dl, argv[2], opt.print ? opt.bleed + 18.0 : 0);
    jr_doclayout_free(dl);
    jr_fontset_free(fs);
    return rc == 0 ? 0 : 1;
}
