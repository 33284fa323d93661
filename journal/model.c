/* model.c: the document model: construction, look-ups, dates, dump, freeing. */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- freeing ---- */

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void jr_doc_free(jr_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nblocks; i++) {
        jr_block *b = &d->blocks[i];
        for (size_t k = 0; k < b->nspans; k++)
            free(b->spans[k].text);
        free(b->spans);
        free(b->cont);
        free(b->image);
        free(b->alt);
        free(b->caption);
        free(b->info);
    }
    free(d->blocks);
    for (size_t i = 0; i < d->nlinks; i++)
        free(d->links[i].url);
    free(d->links);
    free(d);
}

void jr_article_clear(jr_article *a)
{
    if (!a)
        return;
    free(a->path);
    free(a->dir);
    free(a->filename);
    free(a->title);
    free(a->subtitle);
    free_list(a->authors, a->nauthors);
    free(a->section);
    free(a->summary);
    free(a->image);
    free(a->image_caption);
    free(a->image_credit);
    free(a->image_alt);
    free_list(a->tags, a->ntags);
    free(a->slug);
    free(a->lang);
    free(a->body);
    jr_doc_free(a->doc);
    memset(a, 0, sizeof *a);
}

static void edition_clear(jr_edition *e)
{
    free(e->id);
    free(e->dir);
    free(e->yaml_path);
    free(e->theme);
    free(e->cover_image);
    free(e->cover_caption);
    free(e->cover_alt);
    free(e->layout);
    for (size_t i = 0; i < e->narticles; i++)
        jr_article_clear(&e->articles[i]);
    free(e->articles);
    for (size_t i = 0; i < e->nrejected; i++)
        jr_article_clear(&e->rejected[i]);
    free(e->rejected);
}

void jr_journal_free(jr_journal *j)
{
    if (!j)
        return;
    free(j->root);
    free(j->yaml_path);
    free(j->title);
    free(j->subtitle);
    free(j->publisher);
    free(j->language);
    free(j->base_url);
    free(j->slug);
    free(j->editor);
    free(j->print_shop);
    free(j->copyright);
    free(j->icon);
    free(j->logo);
    free(j->contact.name);
    free(j->contact.address);
    free(j->contact.phone);
    free(j->contact.email);
    for (size_t i = 0; i < j->nsections; i++) {
        free(j->sections[i].id);
        free(j->sections[i].title);
    }
    free(j->sections);
    for (size_t i = 0; i < j->neditions; i++)
        edition_clear(&j->editions[i]);
    free(j->editions);
    free(j);
}

/* ---- look-ups ---- */

const jr_section *jr_journal_section(const jr_journal *j, const char *id)
{
    if (!j || !id)
        return NULL;
    for (size_t i = 0; i < j->nsections; i++)
        if (strcmp(j->sections[i].id, id) == 0)
            return &j->sections[i];
    return NULL;
}

const jr_edition *jr_journal_edition(const jr_journal *j, const char *id)
{
    if (!j || !id)
        return NULL;
    for (size_t i = 0; i < j->neditions; i++)
        if (strcmp(j->editions[i].id, id) == 0)
            return &j->editions[i];
    return NULL;
}

const jr_edition *jr_journal_newest(const jr_journal *j)
{
    if (!j || j->neditions == 0)
        return NULL;
    const jr_edition *best = &j->editions[0];
    for (size_t i = 1; i < j->neditions; i++)
        if (jr_date_compare(&j->editions[i].date, &best->date) >= 0)
            best = &j->editions[i];
    return best;
}

/* ---- construction ---- */

jr_block *jr_doc_add_block(jr_doc *d, jr_block_kind kind)
{
    JR_GROW(d->blocks, d->cap, d->nblocks + 1);
    jr_block *b = &d->blocks[d->nblocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}

jr_span *jr_block_add_span(jr_block *b, jr_span_kind kind, unsigned style, const char *text,
                           size_t len)
{
    /* spans grow one at a time; keep a power-of-two capacity implicitly */
    size_t n = b->nspans;
    if ((n & (n - 1)) == 0) /* n is 0 or a power of two: grow */
        b->spans = jr_xrealloc(b->spans, (n ? n * 2 : 1) * sizeof *b->spans);
    jr_span *s = &b->spans[b->nspans++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->style = style;
    s->text = text ? jr_xstrndup(text, len) : jr_xstrdup("");
    s->link = -1;
    return s;
}

int jr_doc_add_link(jr_doc *d, const char *url, jr_pos pos)
{
    JR_GROW(d->links, d->links_cap, d->nlinks + 1);
    d->links[d->nlinks].url = jr_xstrdup(url ? url : "");
    d->links[d->nlinks].pos = pos;
    return (int)d->nlinks++;
}

/* ---- dump ---- */

static const char *block_names[] = {"paragraph", "heading", "code", "figure", "rule"};

void jr_doc_dump(const jr_doc *d, FILE *f)
{
    for (size_t i = 0; i < d->nblocks; i++) {
        const jr_block *b = &d->blocks[i];
        fprintf(f, "%d:%d %s", b->pos.line, b->pos.col, block_names[b->kind]);
        if (b->kind == JR_BLOCK_HEADING)
            fprintf(f, " %d", b->level);
        for (int k = 0; k < b->depth; k++) {
            const jr_container *c = &b->cont[k];
            if (c->kind == JR_CONT_QUOTE)
                fprintf(f, " >");
            else if (c->ordered)
                fprintf(f, " %d.%s", c->number, c->first ? "" : "~");
            else
                fprintf(f, " *%s", c->first ? "" : "~");
        }
        if (b->kind == JR_BLOCK_FIGURE)
            fprintf(f, " [%s] alt=\"%s\" caption=\"%s\"", b->image ? b->image : "",
                    b->alt ? b->alt : "", b->caption ? b->caption : "");
        fputc('\n', f);
        for (size_t k = 0; k < b->nspans; k++) {
            const jr_span *s = &b->spans[k];
            fprintf(f, "  ");
            if (s->kind == JR_SPAN_LINEBREAK) {
                fprintf(f, "<br>\n");
                continue;
            }
            if (s->style & JR_STYLE_BOLD)
                fputc('B', f);
            if (s->style & JR_STYLE_ITALIC)
                fputc('I', f);
            if (s->style & JR_STYLE_CODE)
                fputc('C', f);
            if (s->link >= 0)
                fprintf(f, "L(%s)", d->links[s->link].url);
            fprintf(f, "\"%s\"\n", s->text);
        }
    }
}

/* ---- dates ---- */

void jr_date_format(const jr_date *d, char *out)
{
    unsigned y = (unsigned)d->year % 10000u, m = (unsigned)d->month % 100u,
             day = (unsigned)d->day % 100u;
    out[0] = (char)('0' + y / 1000), out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10), out[3] = (char)('0' + y % 10), out[4] = '-';
    out[5] = (char)('0' + m / 10), out[6] = (char)('0' + m % 10), out[7] = '-';
    out[8] = (char)('0' + day / 10), out[9] = (char)('0' + day % 10), out[10] = 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

int jr_date_parse(const char *s, jr_date *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return -1;
        } else if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
    }
    if (s[10] != 0)
        return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -2;
    out->year = y;
    out->month = m;
    out->day = d;
    return 0;
}

int jr_date_compare(const jr_date *a, const jr_date *b)
{
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    if (a->month != b->month)
        return a->month < b->month ? -1 : 1;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return 0;
}
