/* linebreak_test.c: total-fit line breaking (journal/linebreak.c).
 *
 * Paragraphs are built in a monospace model: every letter is 1 unit wide,
 * a space is glue (1, G_STRETCH, G_SHRINK), '-' inside a word is a
 * hyphenation point (flagged penalty 50, hyphen width 1), '|' a forced
 * break. Expected breaks are item indices. */
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
        bool letter = *c && *c != ' ' && *c != '-' && *c != '|';
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
        bool empty = s >= e;
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
            if (fil || (forced && b->prm->last_line_ragged && !empty)) {
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
 * a few unhyphenated ones of 10..25 letters. */
static void random_text(char *buf, size_t nwords, unsigned hyph_percent)
{
    char *o = buf;
    for (size_t k = 0; k < nwords; k++) {
        if (k)
            *o++ = ' ';
        unsigned len = rnd(40) ? 1 + rnd(9) : 10 + rnd(16); /* a few too long */
        for (unsigned c = 0; c < len; c++) {
            if (c >= 2 && c + 2 <= len && len < 10 && rnd(100) < hyph_percent)
                *o++ = '-';
            *o++ = (char)('a' + rnd(26));
        }
    }
    *o = 0;
}

/* The breaker finds exactly the optimum of an exhaustive search, in pass 1
 * and 2, with equal and with varying line widths and random demerits. */
static void test_matches_exhaustive_search(void)
{
    char text[1024];
    int feasible[3] = {0, 0, 0}, infeasible[3] = {0, 0, 0}; /* feasible[0]: overfull pass 3 */
    for (unsigned round = 0; round < ROUNDS; round++) {
        g_stretch = 0.5 + rnd(3) * 0.5;
        g_shrink = rnd(3) * 0.25;
        random_text(text, 3 + rnd(13), 40);
        para *p = make(text);
        widths wd = uniform(14.0 + rnd(10));
        wd.nfirst = rnd(5);
        for (size_t l = 0; l < wd.nfirst; l++)
            wd.first[l] = 10.0 + rnd(14);
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
            if (failures) {
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
}

int main(void)
{
    test_matches_exhaustive_search();
    test_total_fit_beats_first_fit();
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("linebreak: all tests passed\n");
    return 0;
}
