/* linebreak_test.c: total-fit line breaking (journal/linebreak.c).
 *
 * Paragraphs are built in a monospace model: every letter is 1 unit wide,
 * a space is glue (1, G_STRETCH, G_SHRINK), '-' inside a word is a
 * hyphenation point (flagged penalty 50, hyphen width 1), '|' a forced
 * break, '<' a box of width -1 (a negative kern). Expected breaks are item indices. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linebreak.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, __func__, #cond); \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#define CHECK_EQ_SZ(a, b)                                                                          \
    do {                                                                                           \
        size_t a_ = (a), b_ = (b);                                                                 \
        if (a_ != b_) {                                                                            \
            fprintf(stderr, "%s:%d: %s: %s == %zu, expected %zu\n", __FILE__, __LINE__, __func__,  \
                    #a, a_, b_);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#define CHECK_NEAR(a, b)                                                                           \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= 1e-9 * (1 + fabs(b_)))) {                                           \
            fprintf(stderr, "%s:%d: %s: %s == %.12g, expected %.12g\n", __FILE__, __LINE__,        \
                    __func__, #a, a_, b_);                                                         \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* ---- paragraph building ---- */

typedef struct para {
    jr_lb_item items[64000];
    size_t n;
} para;

static double g_stretch = 1, g_shrink = 0;

static void add(para *p, jr_lb_item it)
{
    p->items[p->n++] = it;
}

/* Append `text` in the monospace model (no paragraph end). */
static void add_text(para *p, const char *text)
{
    size_t run = 0;
    for (const char *c = text;; c++) {
        bool letter = *c && *c != ' ' && *c != '-' && *c != '|' && *c != '<';
        if (letter) {
            run++;
            continue;
        }
        if (run)
            add(p, jr_lb_box((double)run));
        run = 0;
        if (!*c)
            break;
        if (*c == ' ')
            add(p, jr_lb_glue(1, g_stretch, g_shrink));
        else if (*c == '-')
            add(p, jr_lb_penalty(1, 50, true));
        else if (*c == '<')
            add(p, jr_lb_box(-1)); /* a negative kern */
        else
            add(p, jr_lb_penalty(0, -JR_INF_PENALTY, false));
    }
}

static para *make(const char *text)
{
    para *p = calloc(1, sizeof *p);
    add_text(p, text);
    p->n = jr_lb_finish_paragraph(p->items, p->n);
    return p;
}

typedef struct widths {
    size_t nfirst;
    double first[8]; /* widths of lines < nfirst */
    double rest;     /* of all later lines */
} widths;

static double width_fn(size_t line, void *ctx)
{
    const widths *w = ctx;
    return line < w->nfirst ? w->first[line] : w->rest;
}

static widths uniform(double w)
{
    widths u = {0, {0}, w};
    return u;
}

/* ---- checks shared by the tests ---- */

/* The line's natural width, stretch and shrink, recomputed from the items. */
static void measure(const para *p, const jr_lb_result *r, size_t line, double *w, double *y,
                    double *z, bool *fil)
{
    size_t s = jr_lb_line_start(r, p->items, p->n, line), e = r->lines[line].end;
    *w = *y = *z = 0;
    *fil = false;
    for (size_t i = s; i < e; i++) {
        const jr_lb_item *it = &p->items[i];
        if (it->type == JR_LB_PENALTY)
            continue;
        *w += it->width;
        if (it->type == JR_LB_GLUE) {
            if (it->stretch >= JR_LB_FIL)
                *fil = true;
            else
                *y += it->stretch;
            *z += it->shrink;
        }
    }
    if (e < p->n && p->items[e].type == JR_LB_PENALTY)
        *w += p->items[e].width;
}

/* Every reported ratio and flag agrees with the items; ends increase. */
static void check_consistent(const para *p, const jr_lb_result *r, widths *wd, bool ragged)
{
    for (size_t l = 0; l < r->nlines; l++) {
        const jr_lb_line *ln = &r->lines[l];
        CHECK(ln->end < p->n);
        if (l > 0)
            CHECK(ln->end > r->lines[l - 1].end);
        bool flagged = p->items[ln->end].type == JR_LB_PENALTY && p->items[ln->end].flagged;
        CHECK(ln->hyphenated == flagged);
        double w, y, z;
        bool fil;
        measure(p, r, l, &w, &y, &z, &fil);
        double L = width_fn(l, wd), expect;
        bool forced =
            p->items[ln->end].type == JR_LB_PENALTY && p->items[ln->end].penalty <= -JR_INF_PENALTY;
        if (w < L)
            expect = (fil || (ragged && forced) || y == 0) ? 0 : (L - w) / y;
        else if (w > L)
            expect = (z > 0 && w - L <= z) ? (L - w) / z : -1;
        else
            expect = 0;
        CHECK_NEAR(ln->ratio, expect);
        CHECK(ln->overfull == (w > L && !(z > 0 && w - L <= z + 1e-9)));
    }
    if (r->nlines)
        CHECK_EQ_SZ(r->lines[r->nlines - 1].end, p->n - 1);
}

static void check_ends(const jr_lb_result *r, const size_t *ends, size_t n)
{
    CHECK_EQ_SZ(r->nlines, n);
    for (size_t i = 0; i < n && i < r->nlines; i++)
        CHECK_EQ_SZ(r->lines[i].end, ends[i]);
}
#define CHECK_ENDS(r, ...)                                                                         \
    do {                                                                                           \
        const size_t e_[] = {__VA_ARGS__};                                                         \
        check_ends((r), e_, sizeof e_ / sizeof e_[0]);                                             \
    } while (0)

/* Greedy first fit at natural width: the breaks a word processor makes. */
static size_t first_fit(const para *p, double L, size_t *ends)
{
    size_t n = 0;
    double w = 0;
    bool first = true;
    for (size_t i = 0; i < p->n; i++) {
        if (p->items[i].type != JR_LB_BOX)
            continue;
        double add_w = first ? p->items[i].width : 1 + p->items[i].width;
        if (!first && w + add_w > L) {
            ends[n++] = i - 1;
            w = p->items[i].width;
        } else {
            w += add_w;
        }
        first = false;
    }
    ends[n++] = p->n - 1;
    return n;
}

static double sq(double x)
{
    return x * x;
}

/* ---- an independent optimum: every break sequence, tried exhaustively ---- */

typedef struct brute {
    const para *p;
    widths *wd;
    const jr_lb_params *prm;
    double threshold;
    bool hyphens;
    double extra; /* emergency stretch */
    double best;
    size_t ends[256], best_ends[256], best_n;
} brute;

static bool legal_break(const brute *b, size_t i)
{
    const jr_lb_item *it = &b->p->items[i];
    if (it->type == JR_LB_GLUE)
        return i > 0 && b->p->items[i - 1].type == JR_LB_BOX;
    if (it->type == JR_LB_PENALTY)
        return it->penalty < JR_INF_PENALTY && (!it->flagged || b->hyphens);
    return false;
}

static void brute_go(brute *b, size_t from, size_t line, int fit, bool flagged, int hyph,
                     double dem)
{
    const para *p = b->p;
    /* the line starts after discarding glue and penalties (not at the start) */
    size_t s = 0;
    if (line > 0) {
        s = from + 1;
        while (s < p->n && p->items[s].type != JR_LB_BOX)
            s++;
    }
    for (size_t e = (line ? from + 1 : 0); e < p->n; e++) {
        if (!legal_break(b, e))
            continue;
        const jr_lb_item *it = &p->items[e];
        bool forced = it->type == JR_LB_PENALTY && it->penalty <= -JR_INF_PENALTY;
        double w = 0, y = 0, z = 0;
        bool fil = false;
        for (size_t i = s; i < e; i++) {
            if (p->items[i].type == JR_LB_PENALTY)
                continue;
            w += p->items[i].width;
            if (p->items[i].type == JR_LB_GLUE) {
                if (p->items[i].stretch >= JR_LB_FIL)
                    fil = true;
                else
                    y += p->items[i].stretch;
                z += p->items[i].shrink;
            }
        }
        if (it->type == JR_LB_PENALTY)
            w += it->width;
        double L = width_fn(line, b->wd), bad;
        int f;
        if (w < L) {
            if (fil || (forced && b->prm->last_line_ragged)) {
                bad = 0, f = 2;
            } else if (y + b->extra > 0) {
                double r = (L - w) / (y + b->extra);
                bad = fmin(100 * r * r * r, 10000);
                f = r > 1 ? 0 : r > 0.5 ? 1 : 2;
            } else {
                bad = 10000, f = 0;
            }
        } else if (w > L) {
            if (z > 0 && w - L <= z) {
                double r = (L - w) / z;
                bad = -100 * r * r * r;
                f = r < -0.5 ? 3 : 2;
            } else {
                bad = INFINITY, f = 3;
            }
        } else {
            bad = 0, f = 2;
        }
        bool fl = it->type == JR_LB_PENALTY && it->flagged;
        int h = fl ? hyph + 1 : 0;
        bool ok = bad <= b->threshold;
        if (fl && b->prm->max_consecutive_hyphens > 0 && h > b->prm->max_consecutive_hyphens)
            ok = false;
        if (ok) {
            double d = sq(b->prm->line_penalty + bad);
            int pi = it->type == JR_LB_PENALTY ? it->penalty : 0;
            if (pi > 0)
                d += (double)pi * pi;
            else if (pi < 0 && !forced)
                d -= (double)pi * pi;
            if (fl && flagged)
                d += b->prm->flagged_demerits;
            if (e == p->n - 1 && flagged)
                d += b->prm->final_hyphen_demerits;
            if (abs(f - fit) > 1)
                d += b->prm->fitness_demerits;
            b->ends[line] = e;
            if (e == p->n - 1) {
                if (dem + d < b->best) {
                    b->best = dem + d;
                    b->best_n = line + 1;
                    memcpy(b->best_ends, b->ends, (line + 1) * sizeof b->ends[0]);
                }
            } else {
                brute_go(b, e, line + 1, f, fl, h, dem + d);
            }
        }
        if (forced || bad == INFINITY)
            return; /* a forced break cannot be skipped; longer lines stay overfull */
    }
}

/* Minimum total demerits over all break sequences; INFINITY if none. */
static double brute_force(const para *p, widths *wd, const jr_lb_params *prm, int pass)
{
    brute *b = calloc(1, sizeof *b);
    b->p = p;
    b->wd = wd;
    b->prm = prm;
    b->threshold = pass == 1 ? prm->pretolerance : pass == 2 ? prm->tolerance : 10000;
    b->hyphens = pass >= 2;
    b->extra = pass == 3 ? prm->emergency_stretch : 0;
    b->best = INFINITY;
    brute_go(b, 0, 0, 2, false, 0, 0);
    double best = b->best;
    free(b);
    return best;
}

/* ---- tests ---- */

static void test_total_fit_beats_first_fit(void)
{
    g_stretch = 1, g_shrink = 0;
    para *p = make("a bbbbbbbb ccc ddd e ffffffff gggg hhh iiiiiiii jjjjjjjj");
    widths wd = uniform(20);
    jr_lb_result r;
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 1);
    /* "a bbbbbbbb ccc ddd" (18, r 2/3) "e ffffffff gggg hhh" (19, r 1/3) */
    CHECK_ENDS(&r, 7, 15, 21);
    CHECK_NEAR(r.lines[0].ratio, 2.0 / 3);
    CHECK_NEAR(r.lines[1].ratio, 1.0 / 3);
    CHECK_NEAR(r.lines[2].ratio, 0);
    CHECK_NEAR(r.demerits, sq(10 + 800.0 / 27) + sq(10 + 100.0 / 27) + sq(10));
    check_consistent(p, &r, &wd, true);
    /* First fit fills line 1 ("... ddd e", 20) and leaves line 2 at r 1.5. */
    size_t ff[16];
    size_t nff = first_fit(p, 20, ff);
    CHECK_EQ_SZ(nff, 3);
    CHECK_EQ_SZ(ff[0], 9);
    CHECK(ff[0] != r.lines[0].end);
    jr_lb_result_free(&r);
    CHECK(r.lines == NULL && r.nlines == 0);
    free(p);
}

#ifndef ROUNDS
#define ROUNDS 5000
#endif

/* A fixed pseudo-random sequence (tests must not depend on the libc). */
static unsigned long rng_state = 1;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ul + 1442695040888963407ul;
    return (unsigned)((rng_state >> 33) % n);
}

/* Random text: `nwords` words of 1..9 letters, some with hyphen points, and
 * if `long_words` a few unhyphenated ones of 10..25 letters. */
static unsigned g_kern_percent; /* words followed by a negative kern */

static void random_text(char *buf, size_t nwords, unsigned hyph_percent, bool long_words)
{
    char *o = buf;
    for (size_t k = 0; k < nwords; k++) {
        if (k)
            *o++ = ' ';
        unsigned len = (!long_words || rnd(40)) ? 1 + rnd(9) : 10 + rnd(16);
        for (unsigned c = 0; c < len; c++) {
            if (c >= 2 && c + 2 <= len && len < 10 && rnd(100) < hyph_percent)
                *o++ = '-';
            *o++ = (char)('a' + rnd(26));
        }
        if (g_kern_percent && rnd(100) < g_kern_percent)
            *o++ = '<';
    }
    *o = 0;
}

/* The breaker finds exactly the optimum of an exhaustive search, in pass 1
 * and 2, with equal and with varying line widths and random demerits. */
static void test_matches_exhaustive_search(void)
{
    int failures_before = failures;
    rng_state = 1;
    g_kern_percent = 5;
    char text[1024];
    int feasible[3] = {0, 0, 0}, infeasible[3] = {0, 0, 0}; /* feasible[0]: overfull pass 3 */
    for (unsigned round = 0; round < ROUNDS; round++) {
        g_stretch = 0.5 + rnd(3) * 0.5;
        g_shrink = rnd(3) * 0.25;
        random_text(text, 3 + rnd(13), 40, true);
        para *p = make(text);
        widths wd = uniform(14.0 + rnd(10));
        wd.nfirst = rnd(5);
        for (size_t l = 0; l < wd.nfirst; l++)
            wd.first[l] = 6.0 + rnd(30);
        jr_lb_params prm;
        jr_lb_params_default(&prm);
        prm.flagged_demerits = (int)rnd(3) * 5000;
        prm.fitness_demerits = (int)rnd(3) * 5000;
        prm.final_hyphen_demerits = (int)rnd(3) * 5000;
        prm.max_consecutive_hyphens = (int)rnd(4);
        prm.last_line_ragged = rnd(4) != 0;
        prm.emergency_stretch = rnd(3);
        for (int pass = 1; pass <= (p->n < 32 ? 3 : 2); pass++) {
            double best = brute_force(p, &wd, &prm, pass);
            jr_lb_result r;
            bool ok = jr_linebreak_pass(p->items, p->n, width_fn, &wd, &prm, pass, &r);
            if (pass == 3) {
                /* always lines; overfull ones only when nothing else fits */
                CHECK(ok && r.nlines > 0);
                bool over = false;
                for (size_t l = 0; l < r.nlines; l++)
                    over |= r.lines[l].overfull;
                CHECK(over == (best == INFINITY));
                if (over)
                    feasible[0]++;
                else
                    CHECK_NEAR(r.demerits, best);
                check_consistent(p, &r, &wd, prm.last_line_ragged);
            } else if (best < INFINITY) {
                CHECK(ok);
                feasible[pass]++;
                CHECK_NEAR(r.demerits, best);
                check_consistent(p, &r, &wd, prm.last_line_ragged);
                double max_ratio = cbrt((pass == 1 ? prm.pretolerance : prm.tolerance) / 100);
                for (size_t l = 0; l < r.nlines; l++)
                    CHECK(r.lines[l].ratio <= max_ratio + 1e-9 && r.lines[l].ratio >= -1);
            } else {
                CHECK(!ok);
                infeasible[pass]++;
                CHECK(r.nlines == 0 && r.lines == NULL);
            }
            if (failures > failures_before) {
                fprintf(stderr, "round %u pass %d text \"%s\" rest width %g\n", round, pass, text,
                        wd.rest);
                jr_lb_result_free(&r);
                free(p);
                return;
            }
            jr_lb_result_free(&r);
        }
        free(p);
    }
    /* every outcome was exercised */
    printf("exhaustive: pass 1 %d/%d, pass 2 %d/%d feasible, pass 3 %d overfull\n", feasible[1],
           infeasible[1], feasible[2], infeasible[2], feasible[0]);
    CHECK(feasible[1] > 500 && infeasible[1] > 500 && feasible[2] > 500 && infeasible[2] > 500);
    CHECK(feasible[0] > 50);
    g_kern_percent = 0;
}

/* Break with the given parameters (NULL: defaults) in one pass; returns the
 * result after checking it against the items and the exhaustive optimum. */
static jr_lb_result run_pass(const para *p, widths *wd, const jr_lb_params *prm, int pass)
{
    jr_lb_params d;
    if (!prm) {
        jr_lb_params_default(&d);
        prm = &d;
    }
    jr_lb_result r;
    bool ok = jr_linebreak_pass(p->items, p->n, width_fn, wd, prm, pass, &r);
    CHECK(ok);
    if (ok) {
        CHECK(r.pass == pass);
        check_consistent(p, &r, wd, prm->last_line_ragged);
        CHECK_NEAR(r.demerits, brute_force(p, wd, prm, pass));
    }
    return r;
}

/* A penalty of 500 at the best break moves it; a negative one attracts. */
static void test_penalties(void)
{
    g_stretch = 2, g_shrink = 1;
    widths wd = uniform(14);
    int pens[] = {0, 500, -500};
    for (int k = 0; k < 3; k++) {
        para *p = calloc(1, sizeof *p);
        add_text(p, "aaa bbb ccc ddd");
        add(p, jr_lb_penalty(0, pens[k], false)); /* item 7; the glue after is no break */
        add_text(p, " eee fff ggg hhh");
        p->n = jr_lb_finish_paragraph(p->items, p->n);
        jr_lb_result r = run_pass(p, &wd, NULL, 1);
        if (pens[k] >= 0 && pens[k] < 500) {
            /* "aaa bbb ccc ddd" | "eee fff ggg hhh", both 15 shrunk by 1/3 */
            CHECK_ENDS(&r, 7, 18);
            CHECK_NEAR(r.lines[0].ratio, -1.0 / 3);
            CHECK_NEAR(r.lines[1].ratio, -1.0 / 3);
            CHECK_NEAR(r.demerits, 2 * sq(10 + 100.0 / 27));
        } else if (pens[k] > 0) {
            /* three lines rather than pay 500^2 */
            CHECK_ENDS(&r, 5, 14, 18);
            CHECK_NEAR(r.lines[0].ratio, 0.75);
            CHECK_NEAR(r.lines[1].ratio, -1.0 / 3);
            CHECK_NEAR(r.lines[2].ratio, 0);
        } else {
            CHECK_ENDS(&r, 7, 18);
            CHECK_NEAR(r.demerits, 2 * sq(10 + 100.0 / 27) - 500.0 * 500);
        }
        jr_lb_result_free(&r);
        free(p);
    }
    /* A penalty -500 after "ccc" draws the break there from "ddd". */
    para *p = calloc(1, sizeof *p);
    add_text(p, "aaa bbb ccc");
    add(p, jr_lb_penalty(0, -500, false));
    add_text(p, " ddd eee fff ggg hhh");
    p->n = jr_lb_finish_paragraph(p->items, p->n);
    jr_lb_result r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 5, 14, 18);
    jr_lb_result_free(&r);
    free(p);
}

/* Forced breaks end lines; a hard line break is ragged like the last line. */
static void test_forced_breaks(void)
{
    g_stretch = 1, g_shrink = 0;
    widths wd = uniform(20);
    para *p = make("aaa bbb|ccc ddd eee|fff");
    jr_lb_result r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 3, 9, 13);
    for (size_t l = 0; l < 3; l++)
        CHECK_NEAR(r.lines[l].ratio, 0);
    CHECK_NEAR(r.demerits, 3 * sq(10));
    CHECK_EQ_SZ(jr_lb_line_start(&r, p->items, p->n, 1), 4);
    jr_lb_result_free(&r);
    free(p);

    /* two in a row: an empty line between, still pass 1 */
    p = make("aaa bbb||ccc");
    r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 3, 4, 8);
    CHECK_EQ_SZ(jr_lb_line_start(&r, p->items, p->n, 1), 4); /* == end: empty */
    CHECK_NEAR(r.lines[1].ratio, 0);
    jr_lb_result_free(&r);
    free(p);
    p = make("aaa bbb|ccc ddd eee|fff");

    /* Not ragged: "aaa bbb" has to stretch its one space by 13: only the
     * emergency pass takes it, and reports the real ratio. */
    jr_lb_params prm;
    jr_lb_params_default(&prm);
    prm.last_line_ragged = false;
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, &prm, &r);
    CHECK(r.pass == 3);
    CHECK_ENDS(&r, 3, 9, 13);
    CHECK_NEAR(r.lines[0].ratio, 13);
    CHECK_NEAR(r.lines[1].ratio, 4.5);
    CHECK_NEAR(r.lines[2].ratio, 0); /* fil glue */
    CHECK(!r.lines[0].overfull && !r.lines[1].overfull);
    check_consistent(p, &r, &wd, false);
    jr_lb_result_free(&r);
    free(p);
}

/* Adjacent hyphenated lines cost flagged_demerits: with them the breaker
 * takes a solution with one hyphen. */
static void test_double_hyphen_demerits(void)
{
    g_stretch = 1, g_shrink = 0;
    widths wd = uniform(18);
    para *p = make("jcl-tt db bn-zc uf-mv qy-c-l-ksf wac-a-d-zikz sblhuq tqzn iui-au-jm rzf-pk-pz");
    jr_lb_params prm;
    jr_lb_params_default(&prm);
    prm.flagged_demerits = 0;
    jr_lb_result r = run_pass(p, &wd, &prm, 2);
    CHECK_ENDS(&r, 11, 25, 33, 47);
    CHECK(r.lines[0].hyphenated && r.lines[1].hyphenated && !r.lines[2].hyphenated);
    jr_lb_result_free(&r);

    r = run_pass(p, &wd, NULL, 2);
    CHECK_ENDS(&r, 13, 29, 37, 47);
    CHECK(!r.lines[0].hyphenated && !r.lines[1].hyphenated && r.lines[2].hyphenated);
    /* 0, 1 (loose), 0 + hyphen penalty, last + final hyphen demerits */
    CHECK_NEAR(r.demerits, sq(10) + sq(110) + sq(10) + sq(50) + sq(10) + 5000);
    jr_lb_result_free(&r);
    free(p);
}

/* No more than max_consecutive_hyphens hyphenated lines in a row. */
static void test_max_consecutive_hyphens(void)
{
    g_stretch = 1, g_shrink = 0;
    widths wd = uniform(19);
    para *p = make("ot-n-bsz hldtt zoq-lz tk-q-fqxr hhm-yg-c-h-gk uy-ky-mvb-qx sv cy-o-n-k-o-sa");
    jr_lb_params prm;
    jr_lb_params_default(&prm);
    prm.flagged_demerits = 0;
    prm.max_consecutive_hyphens = 0; /* no limit */
    jr_lb_result r = run_pass(p, &wd, &prm, 2);
    CHECK_ENDS(&r, 9, 25, 39, 51);
    CHECK(r.lines[0].hyphenated && r.lines[1].hyphenated && r.lines[2].hyphenated);
    jr_lb_result_free(&r);

    prm.max_consecutive_hyphens = 2;
    r = run_pass(p, &wd, &prm, 2);
    CHECK_ENDS(&r, 9, 21, 37, 51);
    CHECK(r.lines[0].hyphenated && r.lines[1].hyphenated && !r.lines[2].hyphenated);
    jr_lb_result_free(&r);

    /* with 1, nothing fits the tolerance; the emergency pass keeps the rule */
    prm.max_consecutive_hyphens = 1;
    CHECK(!jr_linebreak_pass(p->items, p->n, width_fn, &wd, &prm, 2, &r));
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, &prm, &r);
    CHECK(r.pass == 3);
    check_consistent(p, &r, &wd, true);
    for (size_t l = 1; l < r.nlines; l++)
        CHECK(!(r.lines[l].hyphenated && r.lines[l - 1].hyphenated));
    jr_lb_result_free(&r);
    free(p);
}

/* Where a hyphen run of 2 is cheaper so far, the breaker still keeps the
 * run of 1 at the same place: it may be the only way on (a regression
 * found by the exhaustive comparison). */
static void test_hyphen_runs_kept_apart(void)
{
    g_stretch = 1.5, g_shrink = 0.5;
    widths wd = uniform(19);
    para *p = make("l hr-ss qp-b-v-s-z-j-vt aw-g-kq at lg-d-g-ci xd-b-fxns np-j-xt-c-zh "
                   "gez-c-d-n-l-de fya bad-p-g-oy aa-l-u-e-ka bad-wj hs-yj-e-duo ux-k-p-iu");
    jr_lb_params prm;
    jr_lb_params_default(&prm);
    prm.flagged_demerits = 0;
    prm.final_hyphen_demerits = 0;
    jr_lb_result r = run_pass(p, &wd, &prm, 2);
    CHECK_ENDS(&r, 19, 37, 53, 73, 91, 105);
    CHECK_NEAR(r.demerits, 20187.791495198902);
    jr_lb_result_free(&r);
    free(p);
}

/* A loose line next to a tight one costs fitness_demerits. */
static void test_fitness_demerits(void)
{
    g_stretch = 1, g_shrink = 0.5;
    widths wd = uniform(16);
    para *p = make("ro-kb-dfe yvi-qp-fg re-e-vp ap-wy-lm-ndk n mlc-at ox-puc-ne tc");
    jr_lb_params prm;
    jr_lb_params_default(&prm);
    prm.fitness_demerits = 0;
    jr_lb_result r = run_pass(p, &wd, &prm, 1); /* pass 1: the hyphens are ignored */
    CHECK_ENDS(&r, 11, 27, 41);
    CHECK_NEAR(r.lines[0].ratio, 1);  /* loose */
    CHECK_NEAR(r.lines[1].ratio, -1); /* tight */
    CHECK(!r.lines[0].hyphenated && !r.lines[1].hyphenated);
    jr_lb_result_free(&r);

    r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 11, 25, 37, 41);
    CHECK_NEAR(r.lines[0].ratio, 1);
    CHECK_NEAR(r.lines[1].ratio, 1);
    CHECK_NEAR(r.lines[2].ratio, 0.5);
    CHECK_NEAR(r.demerits, 2 * sq(110) + sq(10 + 12.5) + sq(10));
    jr_lb_result_free(&r);
    free(p);
}

/* A hyphen ending the second-to-last line costs final_hyphen_demerits. */
static void test_final_hyphen_demerits(void)
{
    g_stretch = 1, g_shrink = 0;
    widths wd = uniform(21);
    para *p = make("kbn-js ih-t-fal y dy-d-r-hv ddn-si-it zavj-t-u-zd mj-ng-xs");
    jr_lb_params prm;
    jr_lb_params_default(&prm);
    prm.final_hyphen_demerits = 0;
    jr_lb_result r = run_pass(p, &wd, &prm, 2);
    CHECK_ENDS(&r, 19, 35, 41);
    CHECK(r.lines[1].hyphenated);
    CHECK_NEAR(r.demerits, sq(10) + sq(10 + 12.5) + sq(50) + sq(10));
    jr_lb_result_free(&r);

    r = run_pass(p, &wd, NULL, 2);
    CHECK_ENDS(&r, 15, 33, 41);
    CHECK(r.lines[0].hyphenated && !r.lines[1].hyphenated);
    jr_lb_result_free(&r);
    free(p);
}

/* The last line: natural width, ratio 0, with fil glue or without. */
static void test_last_line(void)
{
    g_stretch = 1, g_shrink = 0;
    widths wd = uniform(20);
    para *p = make("word");
    jr_lb_result r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 3);
    CHECK_NEAR(r.lines[0].ratio, 0);
    CHECK_NEAR(r.demerits, 100);
    CHECK(!r.lines[0].hyphenated && !r.lines[0].overfull);
    jr_lb_result_free(&r);
    free(p);

    /* Ended by a bare forced break: ragged by the parameter alone. */
    p = calloc(1, sizeof *p);
    add_text(p, "aaa bbb ccc");
    add(p, jr_lb_penalty(0, -JR_INF_PENALTY, false));
    r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 5);
    CHECK_NEAR(r.lines[0].ratio, 0);
    jr_lb_result_free(&r);
    /* justified: 11 of 20 with 2 spaces is r 4.5, only in the emergency pass */
    jr_lb_params prm;
    jr_lb_params_default(&prm);
    prm.last_line_ragged = false;
    CHECK(!jr_linebreak_pass(p->items, p->n, width_fn, &wd, &prm, 2, &r));
    CHECK(r.nlines == 0 && r.lines == NULL);
    r = run_pass(p, &wd, &prm, 3);
    CHECK_ENDS(&r, 5);
    CHECK_NEAR(r.lines[0].ratio, 4.5);
    /* very loose after the decent start: plus fitness_demerits */
    CHECK_NEAR(r.demerits, sq(10 + 100 * 4.5 * 4.5 * 4.5) + 10000);
    jr_lb_result_free(&r);
    /* with emergency stretch the badness is rated on 2 + 7 units: (9/9)^3 */
    prm.emergency_stretch = 7;
    r = run_pass(p, &wd, &prm, 3);
    CHECK_NEAR(r.lines[0].ratio, 4.5);
    CHECK_NEAR(r.demerits, sq(10 + 100));
    jr_lb_result_free(&r);
    free(p);

    /* No forced break at the end: one is assumed after the last item. */
    p = calloc(1, sizeof *p);
    add_text(p, "aaa bbb ccc");
    jr_linebreak(p->items, p->n, width_fn, &wd, NULL, false, &r);
    CHECK(r.pass == 1);
    CHECK_ENDS(&r, 5); /* == nitems */
    CHECK_NEAR(r.lines[0].ratio, 0);
    jr_lb_result_free(&r);
    free(p);
}

/* Glue and penalties after a break are discarded; glue after glue is no
 * break; the line starts at the next box. */
static void test_discarded_glue(void)
{
    g_stretch = 1, g_shrink = 0;
    widths wd = uniform(9);
    para *p = make("aaaa bbbb  cccc dddd");
    jr_lb_result r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 3, 10);
    CHECK_NEAR(r.lines[0].ratio, 0);
    CHECK_EQ_SZ(jr_lb_line_start(&r, p->items, p->n, 0), 0);
    CHECK_EQ_SZ(jr_lb_line_start(&r, p->items, p->n, 1), 5);
    jr_lb_result_free(&r);
    free(p);
}

/* Line widths per line: a narrower first line, a figure narrowing lines
 * 2 and 3 (checked against the exhaustive search in run_pass). */
static void test_line_widths(void)
{
    g_stretch = 2, g_shrink = 0.5;
    const char *text = "aaa bbbbbb cc dddd eeeee f gggggg hh iiii jjjjj kkk llllll mm nnnn";
    para *p = make(text);
    widths wd = uniform(20);
    jr_lb_result r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 7, 15, 23, 29);
    jr_lb_result_free(&r);

    wd.nfirst = 1;
    wd.first[0] = 16;
    r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 5, 13, 21, 29);
    jr_lb_result_free(&r);

    wd.nfirst = 3;
    wd.first[0] = 20, wd.first[1] = 14, wd.first[2] = 14;
    r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 7, 13, 19, 29);
    jr_lb_result_free(&r);
    free(p);
}

/* Pass 1 when it can (hyphen points present but unused), pass 2 when only
 * a hyphen makes it fit, then the emergency pass. */
static void test_passes(void)
{
    g_stretch = 1, g_shrink = 0;
    widths wd = uniform(10);
    /* "aaaa bbbb" at r 1 is just within pretolerance 100; "aaaa bb-" would be r 2 */
    para *p = make("aaaa bb-bb cc-cc d");
    jr_lb_result r;
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 1);
    CHECK_ENDS(&r, 5, 13);
    CHECK(!r.lines[0].hyphenated);
    CHECK_NEAR(r.lines[0].ratio, 1);
    CHECK_NEAR(r.demerits, sq(110) + sq(10));
    jr_lb_result_free(&r);
    free(p);

    /* "aaaa" alone has no stretch; "aaaa bbbbbb" is 11: only "aaaa bbb-" fits */
    p = make("aaaa bbb-bbb cc dd");
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 2);
    CHECK_ENDS(&r, 3, 11);
    CHECK(r.lines[0].hyphenated && !r.lines[1].hyphenated);
    CHECK_NEAR(r.lines[0].ratio, 1);
    CHECK_NEAR(r.demerits, sq(10 + 100) + sq(50) + sq(10) + 5000);
    jr_lb_result_free(&r);
    /* The layout's way: pass 1 on the plain items, hyphenate only if it fails. */
    para *plain = make("aaaa bbbbbb cc dd");
    CHECK(!jr_linebreak_pass(plain->items, plain->n, width_fn, &wd, NULL, 1, &r));
    CHECK(r.nlines == 0 && r.lines == NULL);
    jr_linebreak(p->items, p->n, width_fn, &wd, NULL, true, &r);
    CHECK(r.pass == 2);
    CHECK_ENDS(&r, 3, 11);
    jr_lb_result_free(&r);
    /* jr_linebreak on the plain items falls back to the emergency pass */
    jr_linebreak(plain->items, plain->n, width_fn, &wd, NULL, false, &r);
    CHECK(r.pass == 3);
    CHECK_ENDS(&r, 1, 5, 9); /* "aaaa" (underfull, ratio 0: no stretch), "bbbbbb cc", "dd" */
    CHECK_NEAR(r.lines[0].ratio, 0);
    CHECK_NEAR(r.lines[1].ratio, 1);
    CHECK(!r.lines[0].overfull && !r.lines[1].overfull);
    check_consistent(plain, &r, &wd, true);
    jr_lb_result_free(&r);
    free(plain);
    free(p);
}

/* A word wider than the line: an overfull line, no text lost. */
static void test_overfull(void)
{
    g_stretch = 1, g_shrink = 0.5;
    widths wd = uniform(10);
    para *p = make("aaaa bbbbbbbbbbbbbbbbbbbb cc");
    jr_lb_result r;
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 3);
    CHECK_ENDS(&r, 1, 3, 7);
    CHECK(!r.lines[0].overfull && r.lines[1].overfull && !r.lines[2].overfull);
    CHECK_NEAR(r.lines[0].ratio, 0);
    CHECK_NEAR(r.lines[1].ratio, -1);
    CHECK_NEAR(r.lines[2].ratio, 0);
    check_consistent(p, &r, &wd, true);
    jr_lb_result_free(&r);
    free(p);

    /* one box of 100,000 characters */
    p = calloc(1, sizeof *p);
    add(p, jr_lb_box(100000));
    p->n = jr_lb_finish_paragraph(p->items, p->n);
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 3);
    CHECK_ENDS(&r, 3);
    CHECK(r.lines[0].overfull);
    CHECK_NEAR(r.lines[0].ratio, -1);
    jr_lb_result_free(&r);
    free(p);
}

/* No boxes, no lines. */
static void test_empty(void)
{
    widths wd = uniform(10);
    jr_lb_result r;
    jr_linebreak_paragraph(NULL, 0, width_fn, &wd, NULL, &r);
    CHECK(r.nlines == 0 && r.lines == NULL && r.pass == 1);
    jr_lb_result_free(&r);
    jr_linebreak(NULL, 0, width_fn, &wd, NULL, true, &r);
    CHECK(r.nlines == 0 && r.lines == NULL && r.pass == 2);
    CHECK(jr_linebreak_pass(NULL, 0, width_fn, &wd, NULL, 1, &r));
    CHECK(r.nlines == 0);
    para *p = make("");
    CHECK_EQ_SZ(p->n, 3);
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.nlines == 0 && r.lines == NULL);
    jr_lb_result_free(&r);
    free(p);
}

/* A long paragraph: 10,000 words, all lines within the tolerance. */
static void test_long_paragraph(void)
{
    static char text[130000];
    rng_state = 12345;
    random_text(text, 10000, 30, false);
    g_stretch = 1, g_shrink = 1.0 / 3;
    para *p = make(text);
    widths wd = uniform(50);
    jr_lb_result r;
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 1);
    CHECK_EQ_SZ(r.nlines, 1226);
    size_t hyph = 0;
    for (size_t l = 0; l < r.nlines; l++) {
        CHECK(r.lines[l].ratio >= -1 && r.lines[l].ratio <= 1); /* pretolerance 100 */
        CHECK(!r.lines[l].overfull);
        hyph += r.lines[l].hyphenated;
    }
    CHECK_EQ_SZ(hyph, 0);
    check_consistent(p, &r, &wd, true);
    jr_lb_result_free(&r);

    /* narrower: pass 2, hyphenated, never three in a row */
    wd = uniform(40);
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 2);
    CHECK_EQ_SZ(r.nlines, 1528);
    double max_ratio = cbrt(2.0); /* tolerance 200 */
    int run = 0;
    hyph = 0;
    for (size_t l = 0; l < r.nlines; l++) {
        CHECK(r.lines[l].ratio >= -1 && r.lines[l].ratio <= max_ratio + 1e-9);
        CHECK(!r.lines[l].overfull);
        run = r.lines[l].hyphenated ? run + 1 : 0;
        hyph += r.lines[l].hyphenated;
        CHECK(run <= 2);
    }
    CHECK_EQ_SZ(hyph, 220);
    check_consistent(p, &r, &wd, true);
    jr_lb_result_free(&r);

    /* narrower still: the emergency pass, loose lines but none overfull */
    wd = uniform(25);
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 3);
    CHECK_EQ_SZ(r.nlines, 2482);
    for (size_t l = 0; l < r.nlines; l++)
        CHECK(!r.lines[l].overfull);
    check_consistent(p, &r, &wd, true);
    jr_lb_result_free(&r);
    free(p);
}

/* 100,000 one-unit boxes with a break allowed between each (a long URL):
 * exact fits everywhere, and it finishes. */
static void test_breakable_everywhere(void)
{
    para *p = calloc(1, sizeof *p);
    for (size_t i = 0; i < 30000; i++) {
        if (i)
            add(p, jr_lb_penalty(0, 0, false));
        add(p, jr_lb_box(1));
    }
    p->n = jr_lb_finish_paragraph(p->items, p->n);
    widths wd = uniform(40);
    jr_lb_result r;
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 1);
    CHECK_EQ_SZ(r.nlines, 750);
    for (size_t l = 0; l + 1 < r.nlines; l++) {
        CHECK_EQ_SZ(r.lines[l].end, 80 * l + 79);
        CHECK_NEAR(r.lines[l].ratio, 0);
    }
    jr_lb_result_free(&r);
    free(p);
}

/* Widths that add up exactly in decimal but not in binary still fit. */
static void test_rounding(void)
{
    para *p = calloc(1, sizeof *p);
    for (int i = 0; i < 9; i++) {
        if (i)
            add(p, jr_lb_penalty(0, 0, false));
        add(p, jr_lb_box(0.1));
    }
    p->n = jr_lb_finish_paragraph(p->items, p->n);
    widths wd = uniform(0.3); /* 0.1 + 0.1 + 0.1 > 0.3 in binary */
    jr_lb_result r;
    jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
    CHECK(r.pass == 1);
    CHECK_ENDS(&r, 5, 11, 19);
    CHECK(!r.lines[0].overfull && !r.lines[1].overfull);
    CHECK_NEAR(r.lines[0].ratio, 0);
    CHECK_NEAR(r.lines[1].ratio, 0);
    jr_lb_result_free(&r);
    free(p);
}

/* Odd item sequences (leading glue, penalty runs, forced breaks in a row,
 * zero widths, huge boxes, negative penalties): every pass-3 result keeps
 * all items, in order, and agrees with the items. */
static void test_odd_sequences(void)
{
    rng_state = 99;
    for (int round = 0; round < 2000; round++) {
        para *p = calloc(1, sizeof *p);
        size_t len = rnd(30);
        for (size_t i = 0; i < len; i++) {
            switch (rnd(6)) {
            case 0:
            case 1:
                add(p, jr_lb_box(rnd(4) ? rnd(8) : 20 + rnd(30)));
                break;
            case 2:
                add(p, jr_lb_glue(rnd(3), rnd(3), rnd(2)));
                break;
            case 3:
                add(p, jr_lb_penalty(rnd(2), (int)rnd(400) - 200, rnd(2)));
                break;
            case 4:
                add(p, jr_lb_penalty(0, rnd(2) ? JR_INF_PENALTY : -JR_INF_PENALTY, false));
                break;
            default:
                add(p, jr_lb_glue(0, rnd(2) ? JR_LB_FIL : 0, 0));
            }
        }
        bool has_box = false;
        for (size_t i = 0; i < p->n; i++)
            has_box |= p->items[i].type == JR_LB_BOX;
        p->n = jr_lb_finish_paragraph(p->items, p->n);
        widths wd = uniform(5 + rnd(15));
        wd.nfirst = rnd(3);
        for (size_t l = 0; l < wd.nfirst; l++)
            wd.first[l] = rnd(20);
        jr_lb_result r;
        jr_linebreak_paragraph(p->items, p->n, width_fn, &wd, NULL, &r);
        CHECK(has_box == (r.nlines > 0));
        CHECK(r.pass >= 1 && r.pass <= 3);
        check_consistent(p, &r, &wd, true);
        /* every forced break ends a line */
        size_t l = 0;
        for (size_t i = 0; i < p->n && has_box; i++) {
            while (l < r.nlines && r.lines[l].end < i)
                l++;
            if (p->items[i].type == JR_LB_PENALTY && p->items[i].penalty <= -JR_INF_PENALTY)
                CHECK(l < r.nlines && r.lines[l].end == i);
        }
        jr_lb_result_free(&r);
        free(p);
    }
}

/* Lines from newer breaks are normally shorter; a negative width (a kern)
 * breaks that rule, and the breaker must still look at every break. */
static void test_negative_width(void)
{
    para *p = calloc(1, sizeof *p);
    add(p, jr_lb_box(10));
    add(p, jr_lb_glue(1, 2, 0));
    add(p, jr_lb_box(-3));
    add(p, jr_lb_glue(1, 0.5, 0));
    add(p, jr_lb_box(10));
    add(p, jr_lb_glue(1, 1, 0));
    add(p, jr_lb_box(4));
    p->n = jr_lb_finish_paragraph(p->items, p->n);
    widths wd = uniform(10);
    /* the line from item 1 to 5 is 8 with stretch 0.5 (too short), yet the
     * newer line from 3 to 5 fits exactly */
    jr_lb_result r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 3, 5, 9);
    CHECK_NEAR(r.lines[0].ratio, 1);
    CHECK_NEAR(r.lines[1].ratio, 0);
    jr_lb_result_free(&r);
    free(p);
}

/* With different measures per line, a too short line from an older break
 * says nothing about newer breaks starting a narrower line. */
static void test_mixed_measures(void)
{
    para *p = calloc(1, sizeof *p);
    add(p, jr_lb_box(4));
    add(p, jr_lb_glue(1, 4, 2.5));
    add(p, jr_lb_box(5));
    add(p, jr_lb_glue(1, 4, 2.5)); /* 3: "aaaa bbbbb", 10 of 14: r 1 */
    add(p, jr_lb_box(8));
    add(p, jr_lb_glue(1, 0.5, 0)); /* 5: "aaaa bbbbb cccccccc", 19 of 14: r -1 */
    add(p, jr_lb_box(10));
    add(p, jr_lb_glue(1, 0.5, 0));
    add(p, jr_lb_box(10));
    add(p, jr_lb_glue(1, 0.5, 0)); /* 9: from 3, "cccccccc d.. e..", 30 of 30 */
    add(p, jr_lb_box(5));
    add(p, jr_lb_glue(1, 0.5, 0)); /* 11: from 9, "fffff", 5 of 5; from 5, 27 of 30: r 3 */
    add(p, jr_lb_box(3));
    p->n = jr_lb_finish_paragraph(p->items, p->n);
    widths wd = {2, {14, 30}, 5};
    jr_lb_result r = run_pass(p, &wd, NULL, 1);
    CHECK_ENDS(&r, 3, 9, 11, 15);
    CHECK_NEAR(r.demerits, sq(110) + 3 * sq(10));
    jr_lb_result_free(&r);
    free(p);
}

int main(void)
{
    test_negative_width();
    test_mixed_measures();
    test_odd_sequences();
    test_rounding();
    test_passes();
    test_overfull();
    test_empty();
    test_long_paragraph();
    test_breakable_everywhere();
    test_penalties();
    test_forced_breaks();
    test_double_hyphen_demerits();
    test_max_consecutive_hyphens();
    test_hyphen_runs_kept_apart();
    test_fitness_demerits();
    test_final_hyphen_demerits();
    test_last_line();
    test_discarded_glue();
    test_line_widths();
    test_matches_exhaustive_search();
    test_total_fit_beats_first_fit();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("linebreak: all tests passed\n");
    return 0;
}
