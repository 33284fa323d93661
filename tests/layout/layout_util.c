/* layout_util.c: see layout_util.h. */
#include "layout_util.h"

#include <stdlib.h>
#include <string.h>

#include "markdown.h"
#include "util.h"

void lt_layout(lt_run *r, const char *const *bodies, size_t n, void (*style_fn)(jr_style *))
{
    lt_layout_lang(r, bodies, n, style_fn, NULL);
}

void lt_layout_lang(lt_run *r, const char *const *bodies, size_t n, void (*style_fn)(jr_style *),
                    const char *lang)
{
    lt_layout_with(r, bodies, n, style_fn, lang, NULL);
}

void lt_layout_with(lt_run *r, const char *const *bodies, size_t n, void (*style_fn)(jr_style *),
                    const char *lang, void (*article_fn)(jr_article *))
{
    memset(r, 0, sizeof *r);
    jr_journal *j = jr_xcalloc(1, sizeof *j);
    j->root = jr_xstrdup("tests/layout/fixtures");
    j->title = jr_xstrdup("Bildung im Blick");
    j->language = jr_xstrdup("de");
    j->nsections = 1;
    j->sections = jr_xcalloc(1, sizeof *j->sections);
    j->sections[0].id = jr_xstrdup("vernetzung");
    j->sections[0].title = jr_xstrdup("Vernetzung und Unterstützung");
    jr_color c = {0.48, 0.25, 0.45, 0.35, 0.8, 0.1, 0.25};
    j->sections[0].color = c;
    j->sections[0].has_color = true;
    j->neditions = 1;
    j->editions = jr_xcalloc(1, sizeof *j->editions);
    jr_edition *e = &j->editions[0];
    e->id = jr_xstrdup("2026-1");
    e->number = 1;
    e->year = 2026;
    e->narticles = n;
    e->articles = jr_xcalloc(n ? n : 1, sizeof *e->articles);
    for (size_t i = 0; i < n; i++) {
        jr_article *a = &e->articles[i];
        a->path = jr_xasprintf("tests/layout/fixtures/article%zu.md", i + 1);
        a->dir = jr_xstrdup("tests/layout/fixtures");
        a->title = jr_xasprintf("Artikel %zu: Übergänge gestalten", i + 1);
        a->section = jr_xstrdup("vernetzung");
        a->nauthors = 2;
        a->authors = jr_xcalloc(2, sizeof(char *));
        a->authors[0] = jr_xstrdup("Anna Beispiel");
        a->authors[1] = jr_xstrdup("Bernd Muster");
        a->lang = jr_xstrdup(lang);
        /* the body starts on line 5 of the (imagined) file */
        a->doc =
            jr_markdown_parse_string(bodies[i], strlen(bodies[i]), lang ? lang : "de", a->path, 5);
        if (article_fn)
            article_fn(a);
    }
    r->j = j;
    jr_style_default(&r->style);
    if (style_fn)
        style_fn(&r->style);
    r->fs = jr_fontset_new();
    jr_layout_ctx ctx = {j, e, &r->style, r->fs};
    r->dl = jr_layout_edition(&ctx);
}

void lt_free(lt_run *r)
{
    jr_doclayout_free(r->dl);
    jr_fontset_free(r->fs);
    jr_style_clear(&r->style);
    jr_journal_free(r->j);
}

/* Append words of s to b, single-spaced. */
static void put_words(jr_buf *b, const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = jr_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            k = 1;
        bool space = cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xA0 || cp == 0x202F;
        if (cp == 0xAD || cp == 0x200B) {
            /* soft hyphen, zero-width space: not printed */
        } else if (space) {
            if (b->len && b->data[b->len - 1] != ' ')
                jr_buf_putc(b, ' ');
        } else {
            jr_buf_put(b, s + i, k);
        }
        i += k;
    }
}

char *lt_doc_words(const jr_doc *d)
{
    jr_buf b = {0};
    for (size_t i = 0; i < d->nblocks; i++) {
        const jr_block *bl = &d->blocks[i];
        if (bl->kind == JR_BLOCK_FIGURE)
            continue; /* figures float: captions are checked apart */
        for (size_t k = 0; k < bl->nspans; k++) {
            if (bl->spans[k].kind == JR_SPAN_LINEBREAK || bl->kind == JR_BLOCK_CODE)
                jr_buf_putc(&b, ' ');
            if (bl->spans[k].kind != JR_SPAN_LINEBREAK)
                put_words(&b, bl->spans[k].text);
        }
        jr_buf_putc(&b, ' ');
    }
    while (b.len && b.data[b.len - 1] == ' ')
        b.data[--b.len] = 0;
    char *s = jr_buf_detach(&b);
    /* collapse double spaces, drop leading ones */
    char *o = s;
    for (char *p = s; *p; p++)
        if (!(*p == ' ' && (o == s || o[-1] == ' ')))
            *o++ = *p;
    *o = 0;
    return s;
}

char *lt_layout_words(const jr_doclayout *dl, int article, const jr_doc *dl_doc)
{
    jr_buf b = {0};
    bool joining = false; /* the previous line ended in an added hyphen */
    for (size_t li = 0; li < dl->nlines; li++) {
        const jr_line_rec *l = &dl->lines[li];
        if (l->article != article || l->block < 0)
            continue;
        if (l->block >= 0 && dl_doc && (size_t)l->block < dl_doc->nblocks &&
            dl_doc->blocks[l->block].kind == JR_BLOCK_FIGURE)
            continue; /* a caption */
        const jr_page *pg = &dl->pages[l->page];
        double prev_end = -1e9;
        bool first = true;
        for (size_t k = 0; k < l->nitems; k++) {
            const jr_item *it = &pg->items[l->first_item + k];
            if (it->kind != JR_ITEM_TEXT)
                continue;
            if (it->x < l->x - 0.01)
                continue; /* a list marker in the margin */
            if (first && joining && strcmp(it->text, "\xE2\x86\xAA") == 0)
                continue; /* the mark of a continued code line */
            bool glued = (first && joining) || (!first && it->x - prev_end < 0.5);
            if (!glued && b.len)
                jr_buf_putc(&b, ' ');
            jr_buf_puts(&b, it->text);
            prev_end = it->x + it->w;
            first = false;
        }
        joining = l->word_continues;
        if (l->hyphenated && b.len && b.data[b.len - 1] == '-')
            b.data[--b.len] = 0;
    }
    /* normalise spaces as lt_doc_words does */
    jr_buf o = {0};
    put_words(&o, b.data ? b.data : "");
    jr_buf_free(&b);
    while (o.len && o.data[o.len - 1] == ' ')
        o.data[--o.len] = 0;
    return jr_buf_detach(&o);
}
