/* build.c: one run of the pipeline, from the content folder to the files in
 * out/. Every stage reports problems through diag.h and goes on, so that an
 * editor sees all of them at once; nothing is written when any error was
 * reported, and outputs are renamed into place only when all are complete. */
#define _POSIX_C_SOURCE 200809L
#include "build.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "content.h"
#include "diag.h"
#include "feed.h"
#include "fontmetrics.h"
#include "image.h"
#include "impose.h"
#include "hyphenate.h"
#include "layout.h"
#include "layoutfile.h"
#include "markdown.h"
#include "model.h"
#include "pages.h"
#include "pdf.h"
#include "preflight.h"
#include "style.h"
#include "util.h"
#include "watch.h" /* progress line (jr_progress) */

/* ---- checks of images ---------------------------------------------------- */

/* Check one image reference; returns true when it can be used. */
static bool check_image(const jr_journal *j, const char *dir, const char *rel, const char *path,
                        jr_pos pos)
{
    bool outside = false;
    char *resolved = jr_image_resolve(j->root, dir, rel, &outside);
    if (!resolved) {
        jr_diag(outside ? JR_E_IMAGE_OUTSIDE : JR_E_IMAGE_MISSING, path, pos.line, pos.col, rel);
        return false;
    }
    jr_image_info info;
    char why[256];
    bool ok = jr_image_check(resolved, &info, why, sizeof why) == 0;
    if (!ok)
        jr_diag(JR_E_IMAGE_FORMAT, path, pos.line, pos.col, rel, why);
    free(resolved);
    return ok;
}

static void check_article(const jr_journal *j, const jr_article *a)
{
    if (a->image)
        check_image(j, a->dir, a->image, a->path, a->key_pos[JR_FM_IMAGE]);
    if (a->image && (!a->image_alt || !*a->image_alt) && (!a->image_caption || !*a->image_caption))
        jr_diag(JR_W_IMAGE_NO_ALT, a->path, a->key_pos[JR_FM_IMAGE].line,
                a->key_pos[JR_FM_IMAGE].col, a->image);
    if (!a->doc)
        return;
    for (size_t i = 0; i < a->doc->nblocks; i++) {
        const jr_block *b = &a->doc->blocks[i];
        if (b->kind != JR_BLOCK_FIGURE || !b->image)
            continue;
        check_image(j, a->dir, b->image, a->path, b->pos);
        /* an empty alt text with a caption (![](x.png "caption")): decorative, an
         * artifact in the PDF; without either, the alt text was forgotten */
        if ((!b->alt || !*b->alt) && (!b->caption || !*b->caption))
            jr_diag(JR_W_IMAGE_NO_ALT, a->path, b->pos.line, b->pos.col, b->image);
    }
}

static void check_edition(const jr_journal *j, const jr_edition *e)
{
    if (!e->cover_image)
        return;
    check_image(j, e->dir, e->cover_image, e->yaml_path, e->cover_pos);
    if ((!e->cover_alt || !*e->cover_alt) && (!e->cover_caption || !*e->cover_caption))
        jr_diag(JR_W_IMAGE_NO_ALT, e->yaml_path, e->cover_pos.line, e->cover_pos.col,
                e->cover_image);
}

/* ---- helpers --------------------------------------------------------------- */

/* "cannot write output: PATH (reason)", the reason from errno. */
static void write_error(const char *path)
{
    char *what = jr_xasprintf("%s (%s)", path, strerror(errno));
    jr_diag(JR_E_WRITE, NULL, 0, 0, what);
    free(what);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* Creation time: SOURCE_DATE_EPOCH if set, else the edition date (00:00 UTC),
 * so that the same input always gives the same files. */
static long long build_time(const jr_date *d)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (*end == 0 && v >= 0)
            return v;
    }
    if (!d || d->year == 0)
        return 0;
    /* days from civil (proleptic Gregorian), H. Hinnant's algorithm */
    int y = d->year - (d->month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned mp = (unsigned)(d->month + (d->month > 2 ? -3 : 9));
    unsigned doy = (153 * mp + 2) / 5 + (unsigned)d->day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long long days = (long long)era * 146097 + (long long)doe - 719468;
    return days * 86400;
}

static int copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = jr_read_file(from, &len);
    if (!data)
        return -1;
    int rc = jr_output_write(to, data, len);
    free(data);
    return rc;
}

static char *join_keywords(const jr_journal *j, const jr_edition *e)
{
    jr_buf b = {0};
    for (size_t i = 0; i < j->nsections; i++) {
        if (b.len)
            jr_buf_puts(&b, ", ");
        jr_buf_puts(&b, j->sections[i].title);
    }
    for (size_t i = 0; i < e->narticles; i++)
        for (size_t t = 0; t < e->articles[i].ntags; t++) {
            const char *tag = e->articles[i].tags[t];
            if (b.data && strstr(b.data, tag))
                continue;
            if (b.len)
                jr_buf_puts(&b, ", ");
            jr_buf_puts(&b, tag);
        }
    return jr_buf_detach(&b);
}

/* Copy the images an edition's pages use into out/<edition>/ (same relative
 * paths as in the content folder). */
static int copy_edition_images(const jr_journal *j, const jr_edition *e, const char *edir,
                               jr_output *out)
{
    /* An image used by several articles is copied once (a second
     * jr_output_add of the same path would make the commit fail). */
    char **copied = NULL;
    size_t ncopied = 0, cap = 0;
    int status = 0;
    for (size_t i = 0; i <= e->narticles && status == 0; i++) {
        const jr_article *a = i < e->narticles ? &e->articles[i] : NULL;
        size_t nrefs = a ? (a->doc ? a->doc->nblocks : 0) + 1 : 1;
        for (size_t r = 0; r < nrefs; r++) {
            const char *rel = NULL;
            const char *dir = e->dir;
            if (!a)
                rel = e->cover_image;
            else if (r == 0)
                rel = a->image, dir = a->dir;
            else if (a->doc->blocks[r - 1].kind == JR_BLOCK_FIGURE)
                rel = a->doc->blocks[r - 1].image, dir = a->dir;
            if (!rel || strstr(rel, "://"))
                continue;
            bool outside;
            char *src = jr_image_resolve(j->root, dir, rel, &outside);
            if (!src)
                continue;
            char *dst = jr_path_join(edir, rel);
            bool seen = false;
            for (size_t k = 0; k < ncopied && !seen; k++)
                seen = strcmp(copied[k], dst) == 0;
            if (seen) {
                free(src);
                free(dst);
                continue;
            }
            char *slash = strrchr(dst, '/');
            if (slash) {
                *slash = 0;
                jr_mkdir_p(dst);
                *slash = '/';
            }
            int rc = copy_file(src, jr_output_add(out, dst));
            if (rc != 0)
                write_error(dst);
            free(src);
            JR_GROW(copied, cap, ncopied + 1);
            copied[ncopied++] = dst;
            if (rc != 0) {
                status = -1;
                break;
            }
        }
    }
    for (size_t k = 0; k < ncopied; k++)
        free(copied[k]);
    free(copied);
    return status;
}

/* ---- the articles parsed on all processors ---------------------------------
 *
 * Each article's Markdown is parsed on its own (cmark, typography); the
 * warnings of each are held and given in the articles' order, each before
 * the checks of its article, as when they were parsed one by one. */

static struct {
    const jr_journal *j;
    jr_article **a; /* every article and rejected article, in order */
    jr_diag_held **held;
    size_t n, taken;
    atomic_size_t next;
} parsing;

static void *parse_worker(void *arg)
{
    (void)arg;
    size_t i;
    while ((i = atomic_fetch_add(&parsing.next, 1)) < parsing.n) {
        jr_article *a = parsing.a[i];
        jr_diag_hold(&parsing.held[i]);
        jr_markdown_parse(a, a->lang ? a->lang : parsing.j->language);
        jr_diag_hold(NULL);
    }
    return NULL;
}

static void parse_all(const jr_journal *j)
{
    size_t n = 0;
    for (size_t ei = 0; ei < j->neditions; ei++)
        n += j->editions[ei].narticles + j->editions[ei].nrejected;
    parsing.j = j;
    parsing.n = n;
    parsing.taken = 0;
    parsing.a = jr_xcalloc(n ? n : 1, sizeof *parsing.a);
    parsing.held = jr_xcalloc(n ? n : 1, sizeof *parsing.held);
    size_t k = 0;
    for (size_t ei = 0; ei < j->neditions; ei++) {
        for (size_t ai = 0; ai < j->editions[ei].narticles; ai++)
            parsing.a[k++] = &j->editions[ei].articles[ai];
        for (size_t ai = 0; ai < j->editions[ei].nrejected; ai++)
            parsing.a[k++] = &j->editions[ei].rejected[ai];
    }
    atomic_store(&parsing.next, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t extra = cpus > 1 ? (size_t)(cpus - 1) : 0;
    if (extra > 3)
        extra = 3;
    if (extra > n / 8) /* a few articles: not worth a thread */
        extra = n / 8;
    jr_parallel(parse_worker, NULL, extra + 1);
    free(parsing.a);
    parsing.a = NULL;
}

/* The held warnings of the next article, in parse_all's order. */
static jr_diag_held *next_held(void)
{
    return parsing.held && parsing.taken < parsing.n ? parsing.held[parsing.taken++] : NULL;
}

/* ---- the run ----------------------------------------------------------------- */

typedef struct edition_out {
    const jr_edition *e;
    bool build; /* typeset in this run */
    char *dir;  /* out/<edition> */
    char *pdf_name, *pdf_path, *print_path, *pdfa_path, *booklet_path;
    jr_preflight *preflight; /* of the print PDF */
    int blank_pages;
    const char *pdf_tmp;
    long long pdf_size;
    int pages, overfull, hyphenated;
} edition_out;

/* The feeds, the index, the article pages and their images, for every
 * edition (those not typeset in this run keep the PDF already in out/: its
 * size goes into the enclosures). true when something failed. */
static bool write_web(const jr_journal *j, const edition_out *eos, const char *out_dir,
                      jr_output *out, const char *atom_path, const char *rss_path)
{
    bool failed = false;
    const char **names = jr_xcalloc(j->neditions, sizeof *names);
    long long *sizes = jr_xcalloc(j->neditions, sizeof *sizes);
    for (size_t ei = 0; ei < j->neditions; ei++) {
        names[ei] = eos[ei].pdf_name;
        sizes[ei] = eos[ei].build ? eos[ei].pdf_size : file_size(eos[ei].pdf_path);
        if (sizes[ei] < 0)
            sizes[ei] = 0;
    }
    jr_feed_options fo = {
        .out_dir = out_dir,
        .now = build_time(&jr_journal_newest(j)->date),
        .pdf_names = names,
        .pdf_sizes = sizes,
    };
    if (jr_feed_write_atom(j, &fo, jr_output_add(out, atom_path)) != 0 ||
        jr_feed_write_rss(j, &fo, jr_output_add(out, rss_path)) != 0)
        failed = true;
    char *index_path = jr_path_join(out_dir, "index.html");
    if (!failed && jr_html_write_index(j, &fo, jr_output_add(out, index_path)) != 0)
        failed = true;
    free(index_path);
    for (size_t ei = 0; ei < j->neditions && !failed; ei++) {
        const jr_edition *e = &j->editions[ei];
        for (size_t ai = 0; ai < e->narticles && !failed; ai++) {
            char *name = jr_xasprintf("%s.html", e->articles[ai].slug);
            char *page = jr_path_join(eos[ei].dir, name);
            if (jr_html_write_article(j, e, &e->articles[ai], &fo, jr_output_add(out, page)) != 0)
                failed = true;
            free(name);
            free(page);
            jr_progress("web pages written", (long)ai + 1, (long)e->narticles);
        }
        if (!failed && copy_edition_images(j, e, eos[ei].dir, out) != 0)
            failed = true;
    }
    free(names);
    free(sizes);
    return failed;
}

/* The web output written early: when one edition is typeset, right after
 * its screen PDF (all it needs is that PDF's size), while the print PDF is
 * still being written. Its messages are held and given after the PDFs', as
 * when it came after them. */
typedef struct web_early {
    bool wanted; /* one edition typeset, files written */
    bool done, failed;
    jr_diag_held *held;
    const edition_out *eos;
    const char *out_dir, *atom_path, *rss_path;
} web_early;

static void web_early_run(web_early *w, const jr_journal *j, jr_output *out)
{
    if (!w || !w->wanted || w->done)
        return;
    jr_web_prefetch_wait();
    jr_diag_hold(&w->held);
    w->failed = write_web(j, w->eos, w->out_dir, out, w->atom_path, w->rss_path);
    jr_diag_hold(NULL);
    w->done = true;
}

/* Layout files already read in this run: a file shared by several
 * editions reports its problems once. */
typedef struct layout_seen {
    char **paths;
    size_t n, cap;
} layout_seen;

/* The edition's look: --layout, else edition.yaml's `layout`, else
 * layouts/bildung-im-blick.yaml (next to the content folder or in the
 * source tree), else the built-in default. Returns 0 or -1 (reported). */
static int load_style(const jr_journal *j, const jr_edition *e, const jr_build_options *opt,
                      jr_fontset *fonts, layout_seen *seen, jr_style *style /* OUT */)
{
    const char *want = opt->layout ? opt->layout : e->layout;
    char *path;
    if (want) {
        path = jr_layoutfile_find(want, j->root, opt->layout ? NULL : e->dir);
        if (!path) {
            jr_pos p = opt->layout ? (jr_pos){0, 0} : e->layout_pos;
            jr_diag(JR_E_LAYOUT_MISSING, opt->layout ? NULL : e->yaml_path, p.line, p.col, want);
            jr_style_default(style);
            return -1;
        }
    } else {
        path = jr_layoutfile_find("bildung-im-blick", j->root, NULL);
        if (!path) {
            jr_style_default(style);
            return 0;
        }
    }
    bool again = false;
    for (size_t i = 0; i < seen->n && !again; i++)
        again = strcmp(seen->paths[i], path) == 0;
    if (again)
        jr_diag_set_output(NULL);
    int rc = jr_layoutfile_load(path, fonts, style);
    if (again)
        jr_diag_set_output(stderr);
    if (!again) {
        JR_GROW(seen->paths, seen->cap, seen->n + 1);
        seen->paths[seen->n++] = path;
    } else {
        free(path);
    }
    return rc;
}

/* A PDF written on another thread. */
typedef struct pdf_job {
    const jr_doclayout *dl;
    jr_pdf_options opt;
    const char *path;
    pthread_t thread;
    int rc;
    jr_pdf_diags *diags; /* held back for jr_pdf_diags_report */
} pdf_job;

static void *pdf_job_run(void *arg)
{
    pdf_job *j = arg;
    j->rc = jr_pdf_write_held(j->dl, &j->opt, j->path, &j->diags);
    return NULL;
}

static int layout_and_write(const jr_journal *j, edition_out *eo, const jr_build_options *opt,
                            jr_fontset *fonts, jr_output *out, FILE *dump, layout_seen *seen,
                            web_early *web)
{
    const jr_edition *e = eo->e;
    jr_style style;
    if (load_style(j, e, opt, fonts, seen, &style) != 0) {
        jr_style_clear(&style);
        return -1;
    }
    style.edition_pages = true; /* a whole journal: cover, contents, imprint, back cover */
    jr_layout_ctx ctx = {.journal = j, .edition = e, .style = &style, .fonts = fonts};
    jr_doclayout *dl = jr_layout_edition(&ctx);
    if (!dl) {
        jr_style_clear(&style);
        return -1;
    }
    eo->pages = (int)dl->npages;
    eo->blank_pages = dl->blank_pages;
    jr_progress("pages laid out", eo->pages, 0);
    eo->preflight = jr_preflight_run(dl, e, &style);
    if (opt->check_only && opt->preflight)
        jr_preflight_print(eo->preflight, stdout);
    eo->overfull = dl->overfull_lines;
    eo->hyphenated = dl->hyphenated_lines;
    if (dump) {
        fprintf(dump, "# edition %s\n", e->id);
        jr_doclayout_dump(dl, dump);
    }
    int rc = 0;
    if (!opt->check_only && jr_diag_count(JR_ERROR) == 0) {
        char *title = jr_xasprintf("%s %d/%d", j->title, e->number, e->year);
        char *keywords = join_keywords(j, e);
        jr_pdf_options po = {
            .title = title,
            .author = j->publisher,
            .subject = e->theme,
            .keywords = keywords,
            .creator = "journal " JOURNAL_VERSION,
            .lang = j->language,
            .created = build_time(&e->date),
            .source = e->yaml_path,
            .edition = e, /* tagged PDF: headings, lists, titles, languages */
        };
        eo->pdf_tmp = jr_output_add(out, eo->pdf_path);
        /* the pages go as the PDFs draw them, unless more PDFs follow */
        if (!opt->booklet && !opt->pdfa)
            jr_doclayout_release_pages(dl, opt->no_print ? 1 : 2);
        /* The print PDF is written on a second thread meanwhile; its
         * diagnostics are reported after the screen PDF's, and only if
         * that one succeeded (as if written one after the other). */
        pdf_job print = {.dl = dl, .opt = po};
        print.opt.print = true;
        print.opt.bleed = style.bleed;
        bool threaded = false;
        if (!opt->no_print) {
            print.path = jr_output_add(out, eo->print_path);
            threaded = pthread_create(&print.thread, NULL, pdf_job_run, &print) == 0;
        }
        jr_pdf_diags *held = NULL;
        rc = jr_pdf_write_held(dl, &po, eo->pdf_tmp, &held);
        if (rc == 0) {
            eo->pdf_size = jr_output_size(eo->pdf_tmp);
            web_early_run(web, j, out); /* while the print PDF is finished */
        }
        if (threaded)
            pthread_join(print.thread, NULL);
        jr_pdf_diags_report(held);
        if (rc != 0)
            jr_pdf_diags_free(print.diags);
        if (rc == 0) {
            jr_progress("PDF pages written", eo->pages, eo->pages);
            po = print.opt;
            if (!opt->no_print) {
                if (!threaded)
                    pdf_job_run(&print);
                jr_pdf_diags_report(print.diags);
                rc = print.rc;
            }
            if (rc == 0 && opt->booklet) {
                jr_doclayout *spreads = jr_impose_booklet(dl, style.bleed);
                jr_pdf_options bo = po;
                bo.print = true;
                bo.bleed = style.bleed;
                bo.untagged = true;
                bo.edition = NULL;
                rc = jr_pdf_write(spreads, &bo, jr_output_add(out, eo->booklet_path));
                jr_doclayout_free(spreads);
            }
            if (rc == 0 && opt->pdfa) {
                jr_pdf_options ao = po;
                ao.print = false;
                ao.pdfa = true;
                rc = jr_pdf_write(dl, &ao, jr_output_add(out, eo->pdfa_path));
            }
            if (rc == 0) {
                char *json = jr_preflight_json(eo->preflight);
                char *jpath = jr_path_join(eo->dir, "preflight.json");
                if (jr_output_write(jr_output_add(out, jpath), json, strlen(json)) != 0) {
                    write_error(jpath);
                    rc = -1;
                }
                free(jpath);
                free(json);
            }
        }
        free(title);
        free(keywords);
    }
    jr_doclayout_free(dl);
    jr_style_clear(&style);
    return rc;
}

int jr_build_run(const jr_build_options *opt)
{
    const char *root = opt->content_dir ? opt->content_dir : "articles";
    const char *out_dir = opt->out_dir ? opt->out_dir : "out";

    if (!jr_is_dir(root)) {
        jr_diag(JR_E_NO_CONTENT_DIR, NULL, 0, 0, root);
        return 1;
    }
    jr_journal *j = jr_content_load(root);
    if (!j)
        return 1;

    if (j->neditions == 0) {
        jr_diag(JR_E_NO_EDITIONS, root, 0, 0);
        jr_journal_free(j);
        return 1;
    }
    /* the hyphenation patterns are opened while the articles are read */
    jr_hyphen_open_ahead(j->language);

    /* Parse every article of every edition: the feeds span all editions,
     * and `check` checks everything. */
    long nread = 0, narticles = 0;
    for (size_t ei = 0; ei < j->neditions; ei++)
        narticles += (long)j->editions[ei].narticles;
    jr_progress_begin(opt->quiet);
    parse_all(j);
    for (size_t ei = 0; ei < j->neditions; ei++) {
        jr_edition *e = &j->editions[ei];
        check_edition(j, e);
        for (size_t ai = 0; ai < e->narticles; ai++) {
            jr_article *a = &e->articles[ai];
            jr_diag_release(next_held());
            check_article(j, a);
            jr_progress("articles read", ++nread, narticles);
        }
        for (size_t ai = 0; ai < e->nrejected; ai++) {
            jr_article *a = &e->rejected[ai];
            jr_diag_release(next_held());
            check_article(j, a);
        }
    }
    free(parsing.held);
    parsing.held = NULL;

    /* Which editions to typeset. */
    const jr_edition *chosen = NULL;
    if (opt->edition) {
        chosen = jr_journal_edition(j, opt->edition);
        if (!chosen) {
            jr_diag(JR_E_NO_EDITION, NULL, 0, 0, opt->edition);
            jr_progress_end();
            jr_journal_free(j);
            jr_hyphen_ahead_drop();
            return 1;
        }
    } else if (!opt->all) {
        chosen = jr_journal_newest(j);
    }

    edition_out *eos = jr_xcalloc(j->neditions, sizeof *eos);
    for (size_t ei = 0; ei < j->neditions; ei++) {
        edition_out *eo = &eos[ei];
        eo->e = &j->editions[ei];
        /* `check` lays out every edition, so that overfull lines are reported */
        eo->build = opt->check_only || opt->all || eo->e == chosen;
        eo->dir = jr_path_join(out_dir, eo->e->id);
        eo->pdf_name = jr_xasprintf("%s-%s.pdf", j->slug, eo->e->id);
        eo->pdf_path = jr_path_join(eo->dir, eo->pdf_name);
        char *print_name = jr_xasprintf("%s-%s-print.pdf", j->slug, eo->e->id);
        eo->print_path = jr_path_join(eo->dir, print_name);
        free(print_name);
        char *pdfa_name = jr_xasprintf("%s-%s-pdfa.pdf", j->slug, eo->e->id);
        eo->pdfa_path = jr_path_join(eo->dir, pdfa_name);
        free(pdfa_name);
        char *booklet_name = jr_xasprintf("%s-%s-booklet.pdf", j->slug, eo->e->id);
        eo->booklet_path = jr_path_join(eo->dir, booklet_name);
        free(booklet_name);
    }

    jr_output *out = jr_output_new();
    FILE *dump = NULL;
    if (opt->dump_layout) {
        dump = strcmp(opt->dump_layout, "-") == 0 ? stdout : fopen(opt->dump_layout, "w");
        if (!dump)
            write_error(opt->dump_layout);
    }

    bool failed = jr_diag_count(JR_ERROR) > 0;
    if (!opt->check_only && !failed) {
        if (jr_mkdir_p(out_dir) != 0) {
            write_error(out_dir);
            failed = true;
        }
        for (size_t ei = 0; ei < j->neditions && !failed; ei++) {
            if (jr_mkdir_p(eos[ei].dir) != 0) {
                write_error(eos[ei].dir);
                failed = true;
            }
        }
    }

    /* the web pages' bodies are rendered on other threads meanwhile */
    if (!opt->check_only && !failed)
        jr_web_prefetch_start(j);
    jr_fontset *fonts = jr_fontset_new();
    layout_seen seen = {0};
    /* Feeds and pages span every edition; editions not typeset in this run
     * keep the PDF that is already in out/ (its size goes into enclosures).
     * With one edition typeset they are written right after its screen
     * PDF (web_early). */
    char *atom_path = jr_path_join(out_dir, "atom.xml");
    char *rss_path = jr_path_join(out_dir, "rss.xml");
    size_t nbuild = 0;
    for (size_t ei = 0; ei < j->neditions; ei++)
        nbuild += eos[ei].build;
    web_early web = {.wanted = !opt->check_only && nbuild == 1,
                     .eos = eos,
                     .out_dir = out_dir,
                     .atom_path = atom_path,
                     .rss_path = rss_path};
    for (size_t ei = 0; ei < j->neditions && !failed; ei++) {
        edition_out *eo = &eos[ei];
        if (!eo->build)
            continue;
        jr_progress("editions laid out", (long)ei, (long)j->neditions);
        if (layout_and_write(j, eo, opt, fonts, out, dump, &seen, &web) != 0)
            failed = true;
    }
    for (size_t i = 0; i < seen.n; i++)
        free(seen.paths[i]);
    free(seen.paths);
    if (jr_diag_count(JR_ERROR) > 0)
        failed = true;

    jr_web_prefetch_wait();
    if (!opt->check_only && !failed) {
        if (web.done) {
            jr_diag_release(web.held); /* given where they belong */
            web.held = NULL;
            failed = web.failed;
        } else {
            failed = write_web(j, eos, out_dir, out, atom_path, rss_path);
        }
        if (jr_diag_count(JR_ERROR) > 0)
            failed = true;
    }
    jr_diag_held_free(web.held); /* (written early, but the build failed after) */

    if (dump && dump != stdout)
        fclose(dump);

    jr_progress_end();
    int status = jr_diag_exit_status();
    if (!opt->check_only) {
        if (failed) {
            jr_output_abort(out);
            status = 1;
        } else if (jr_output_commit(out) != 0) {
            const char *bad = jr_output_failed_path(out);
            write_error(bad ? bad : out_dir);
            jr_output_abort(out);
            status = 1;
        } else {
            /* The summary and preflight of each edition first, then the
             * paths of everything written, so that the paths end the output. */
            for (size_t ei = 0; ei < j->neditions && !opt->quiet; ei++) {
                edition_out *eo = &eos[ei];
                if (!eo->build)
                    continue;
                char blank[80] = "";
                if (eo->blank_pages)
                    snprintf(blank, sizeof blank, " (%d blank page%s added for saddle stitching)",
                             eo->blank_pages, eo->blank_pages == 1 ? "" : "s");
                printf("# %s: %d pages%s, %d overfull lines, %d hyphenated lines\n", eo->e->id,
                       eo->pages, blank, eo->overfull, eo->hyphenated);
                if (eo->preflight)
                    jr_preflight_print(eo->preflight, stdout);
            }
            for (size_t ei = 0; ei < j->neditions; ei++) {
                edition_out *eo = &eos[ei];
                if (!eo->build)
                    continue;
                printf("%s\n", eo->pdf_path);
                if (!opt->no_print)
                    printf("%s\n", eo->print_path);
                if (opt->booklet)
                    printf("%s\n", eo->booklet_path);
                if (opt->pdfa)
                    printf("%s\n", eo->pdfa_path);
            }
            printf("%s\n%s\n", atom_path, rss_path);
        }
    }

    free(atom_path);
    free(rss_path);
    for (size_t ei = 0; ei < j->neditions; ei++) {
        free(eos[ei].dir);
        free(eos[ei].pdf_name);
        free(eos[ei].pdf_path);
        free(eos[ei].print_path);
        free(eos[ei].pdfa_path);
        free(eos[ei].booklet_path);
        jr_preflight_free(eos[ei].preflight);
    }
    free(eos);
    jr_output_free(out);
    jr_fontset_free(fonts);
    jr_journal_free(j);
    jr_hyphen_ahead_drop();
    return status;
}
