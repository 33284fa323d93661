/* linebreak.c: total-fit paragraph breaking (Knuth and Plass, "Breaking
 * Paragraphs into Lines", 1981), with TeX's behaviour (§813-890): feasible
 * breakpoints kept in an active list with running sums, the best node per
 * (position, line class, fitness class, hyphen run), three passes.
 *
 * Nodes live in one growing array per run and refer to each other by index
 * (no per-item allocation). A node created at a break does not know where
 * its line starts until the next box (glue and penalties after a break are
 * discarded), so its running totals are filled in when the scan reaches
 * that box; until then a line from it would be empty. */
#include "linebreak.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NONE    SIZE_MAX
#define INF_BAD 10000.0
/* Above this ratio the badness is surely 10000 (100 * 4.7^3 > 10000). */
#define CAP_RATIO 4.7
/* Rounding slack when deciding whether shrink suffices [pt]. */
#define EPS 1e-7

enum { FIT_VERY_LOOSE, FIT_LOOSE, FIT_DECENT, FIT_TIGHT };
/* Window groups: hyphen runs 0..3 times fitness decent-or-tight or not. */
#define WIN_GROUPS 8

typedef struct lb_node {
    size_t pos;                  /* break item index; NONE for the paragraph start */
    size_t prev;                 /* node index of the previous break; NONE for the start */
    size_t line;                 /* lines ended at this break (0 for the start) */
    double w, y, z, fil;         /* running totals before the next line's first item [pt] */
    double demerits;             /* total from the paragraph start */
    double ratio;                /* of the line ending here, as reported */
    unsigned char fitness, hyph; /* hyph: hyphenated lines in a row ending here */
    bool flagged, overfull;
} lb_node;

typedef struct lb_cand {
    size_t cls;  /* line class of the line after this break */
    size_t from; /* node index */
    size_t line;
    double demerits, ratio;
    unsigned char fitness, hyph;
    bool overfull, dead;
} lb_cand;

typedef struct lb_state {
    const jr_lb_item *items;
    size_t nitems;
    const jr_lb_params *p;
    double *widths; /* widths[l] for l < nwidths; later lines use the last */
    size_t nwidths;
    size_t easy;   /* lines >= easy all have the same width: one class */
    bool monotone; /* no negative widths or stretch: lines only grow */
    lb_node *nodes;
    size_t nnodes, capnodes;
    size_t *active;
    size_t nactive, capactive;
    lb_cand *cands;
    size_t ncands, capcands;
    /* Emergency pass with one measure: the newest nodes, whose lines are
     * still hopelessly short (badness 10000, so only the cheapest matters),
     * wait in a window outside the active list, oldest first; per group
     * (hyphen run, fitness) a deque keeps the cheapest of them in front.
     * They join the active list, in order, once their lines get longer. */
    bool win_on;
    size_t *winq; /* node ids; [winh, wint) are waiting */
    size_t winh, wint, capwinq;
    size_t *grp[WIN_GROUPS]; /* [grph, grpt): ascending demerits */
    size_t grph[WIN_GROUPS], grpt[WIN_GROUPS], capgrp[WIN_GROUPS];
} lb_state;

typedef struct lb_pass {
    double threshold; /* max badness of a feasible line */
    bool hyphens;     /* flagged penalties are breakpoints */
    double extra;     /* emergency stretch added to every line [pt] */
    bool final;       /* never fails: forces overfull breaks */
    double max_ratio; /* a stretch ratio above this is surely beyond threshold */
} lb_pass;

void jr_lb_params_default(jr_lb_params *p)
{
    memset(p, 0, sizeof *p);
    p->pretolerance = 100;
    p->tolerance = 200;
    p->line_penalty = 10;
    p->flagged_demerits = 10000;
    p->fitness_demerits = 10000;
    p->final_hyphen_demerits = 5000;
    p->max_consecutive_hyphens = 2;
    p->emergency_stretch = 0;
    p->last_line_ragged = true;
}

jr_lb_item jr_lb_box(double width)
{
    jr_lb_item it = {JR_LB_BOX, width, 0, 0, 0, false};
    return it;
}

jr_lb_item jr_lb_glue(double width, double stretch, double shrink)
{
    jr_lb_item it = {JR_LB_GLUE, width, stretch, shrink, 0, false};
    return it;
}

jr_lb_item jr_lb_penalty(double width, int penalty, bool flagged)
{
    jr_lb_item it = {JR_LB_PENALTY, width, 0, 0, penalty, flagged};
    return it;
}

size_t jr_lb_finish_paragraph(jr_lb_item *items, size_t nitems)
{
    items[nitems++] = jr_lb_penalty(0, JR_INF_PENALTY, false);
    items[nitems++] = jr_lb_glue(0, JR_LB_FIL, 0);
    items[nitems++] = jr_lb_penalty(0, -JR_INF_PENALTY, false);
    return nitems;
}

size_t jr_lb_line_start(const jr_lb_result *r, const jr_lb_item *items, size_t nitems, size_t line)
{
    if (line == 0)
        return 0;
    size_t i = r->lines[line - 1].end + 1, end = r->lines[line].end;
    while (i < end && i < nitems && items[i].type != JR_LB_BOX)
        i++;
    return i;
}

void jr_lb_result_free(jr_lb_result *r)
{
    free(r->lines);
    r->lines = NULL;
    r->nlines = 0;
}

static bool is_forced(const jr_lb_item *it)
{
    return it->type == JR_LB_PENALTY && it->penalty <= -JR_INF_PENALTY;
}

static bool is_fil(const jr_lb_item *it)
{
    return it->stretch >= JR_LB_FIL;
}

/* Order of break positions, the paragraph start first. */
static size_t pos_key(const lb_node *n)
{
    return n->pos == NONE ? 0 : n->pos + 1;
}

static double badness(double r)
{
    if (r < 0)
        r = -r;
    if (r > CAP_RATIO)
        return INF_BAD;
    double b = 100.0 * r * r * r;
    return b > INF_BAD ? INF_BAD : b;
}

static double width_of(const lb_state *s, size_t line)
{
    return s->widths[line < s->nwidths ? line : s->nwidths - 1];
}

static size_t line_class(const lb_state *s, size_t line)
{
    return line < s->easy ? line : s->easy;
}

/* Ask the callback for every line a paragraph can have (one per possible
 * break) and find from which line on the widths stay equal. */
static void lb_init(lb_state *s, const jr_lb_item *items, size_t nitems,
                    jr_line_width_fn line_width, void *ctx, const jr_lb_params *p)
{
    memset(s, 0, sizeof *s);
    s->items = items;
    s->nitems = nitems;
    s->p = p;
    s->monotone = true;
    size_t maxlines = 1;
    bool prev_box = false;
    for (size_t i = 0; i < nitems; i++) {
        const jr_lb_item *it = &items[i];
        if (it->width < 0 || it->stretch < 0)
            s->monotone = false;
        if (it->type == JR_LB_BOX) {
            prev_box = true;
            continue;
        }
        if ((it->type == JR_LB_GLUE && prev_box) ||
            (it->type == JR_LB_PENALTY && it->penalty < JR_INF_PENALTY))
            maxlines++;
        prev_box = false;
    }
    s->nwidths = maxlines;
    s->widths = jr_xmalloc(maxlines * sizeof *s->widths);
    for (size_t l = 0; l < maxlines; l++)
        s->widths[l] = line_width(l, ctx);
    s->easy = maxlines - 1;
    while (s->easy > 0 && s->widths[s->easy - 1] == s->widths[maxlines - 1])
        s->easy--;
}

static void lb_state_free(lb_state *s)
{
    free(s->widths);
    free(s->nodes);
    free(s->active);
    free(s->cands);
    free(s->winq);
    for (int g = 0; g < WIN_GROUPS; g++)
        free(s->grp[g]);
}

static unsigned win_group(const lb_state *s, const lb_node *r)
{
    unsigned h = r->hyph;
    unsigned max = (unsigned)s->p->max_consecutive_hyphens; /* 1..3 with the window on */
    return 2 * (h < max ? h : max) + (r->fitness > FIT_LOOSE);
}

static size_t new_node(lb_state *s)
{
    JR_GROW(s->nodes, s->capnodes, s->nnodes + 1);
    memset(&s->nodes[s->nnodes], 0, sizeof s->nodes[0]);
    return s->nnodes++;
}

/* Keep the best candidate per (line class, fitness, hyphen run). */
static void add_cand(lb_state *s, size_t cls, unsigned char fit, unsigned hyph, double demerits,
                     size_t from, size_t line, double ratio, bool overfull)
{
    unsigned char h = (unsigned char)(hyph > 255 ? 255 : hyph);
    lb_cand *o = NULL;
    for (size_t k = 0; k < s->ncands; k++) {
        lb_cand *c = &s->cands[k];
        if (c->cls == cls && c->fitness == fit && c->hyph == h) {
            if (demerits >= c->demerits)
                return;
            o = c;
            break;
        }
    }
    if (!o) {
        JR_GROW(s->cands, s->capcands, s->ncands + 1);
        o = &s->cands[s->ncands++];
    }
    o->cls = cls;
    o->from = from;
    o->line = line;
    o->demerits = demerits;
    o->ratio = ratio;
    o->fitness = fit;
    o->hyph = h;
    o->overfull = overfull;
    o->dead = false;
}

static void flush_capped(lb_state *s, lb_cand *cap)
{
    if (cap->from != NONE)
        add_cand(s, cap->cls, FIT_VERY_LOOSE, cap->hyph, cap->demerits, cap->from, cap->line,
                 cap->ratio, false);
    cap->from = NONE;
}

typedef struct lb_sums {
    double w, y, z, fil;
} lb_sums;

/* Badness, reported ratio and fitness class of the line from node r to
 * the current break; b is INFINITY when it cannot shrink enough. */
static void rate_line(const lb_state *s, const lb_pass *ps, const lb_sums *sum, const lb_node *r,
                      bool empty, double L, double pw, bool forced, double *b_out,
                      double *ratio_out, unsigned char *fit_out, bool *overfull_out)
{
    double w, y, z, fil;
    if (empty) {
        w = pw;
        y = z = fil = 0;
    } else {
        w = sum->w - r->w + pw;
        y = sum->y - r->y;
        z = sum->z - r->z;
        fil = sum->fil - r->fil;
    }
    double shortfall = L - w;
    if (fabs(shortfall) <= EPS) /* exact fits despite rounding in the sums */
        shortfall = 0;
    double b, ratio;
    unsigned char fit;
    bool overfull = false;
    if (shortfall > 0) {
        if (fil > 0 || (forced && s->p->last_line_ragged)) {
            b = 0;
            ratio = 0;
            fit = FIT_DECENT;
        } else {
            double st = y + ps->extra;
            if (st > 0) {
                double rr = shortfall / st;
                b = badness(rr);
                fit = rr > 1 ? FIT_VERY_LOOSE : rr > 0.5 ? FIT_LOOSE : FIT_DECENT;
            } else {
                b = INF_BAD;
                fit = FIT_VERY_LOOSE;
            }
            ratio = y > 0 ? shortfall / y : 0;
        }
    } else if (shortfall < 0) {
        if (z > 0 && -shortfall <= z + EPS) { /* within all the shrink */
            double rr = shortfall / z;
            if (rr < -1)
                rr = -1;
            b = badness(rr);
            fit = rr < -0.5 ? FIT_TIGHT : FIT_DECENT;
            ratio = rr;
        } else {
            b = INFINITY;
            fit = FIT_TIGHT;
            ratio = -1;
            overfull = true;
        }
    } else {
        b = 0;
        ratio = 0;
        fit = FIT_DECENT;
    }
    *b_out = b;
    *ratio_out = ratio;
    *fit_out = fit;
    *overfull_out = overfull;
}

/* Is the line from node ri to the current break hopelessly short (badness
 * 10000 and very loose, but not too long)? Also gives its shortfall and
 * stretch. */
static bool line_capped(const lb_state *s, const lb_pass *ps, const lb_sums *sum, size_t ri,
                        size_t pending_from, double pw, bool forced, double *shortfall, double *y)
{
    if (forced)
        return false;
    const lb_node *r = &s->nodes[ri];
    double w;
    if (ri >= pending_from) { /* an empty line */
        w = pw;
        *y = 0;
    } else {
        if (sum->fil != r->fil)
            return false;
        w = sum->w - r->w + pw;
        *y = sum->y - r->y;
    }
    *shortfall = width_of(s, r->line) - w;
    return *shortfall > EPS && *shortfall > CAP_RATIO * (*y + ps->extra);
}

/* Try to break at item `pos` (penalty `pi`, width `pw` added to the line if
 * broken here). Updates the active list. */
static void try_break(lb_state *s, const lb_pass *ps, const lb_sums *sum, size_t pending_from,
                      size_t pos, int pi, double pw, bool flagged, bool final_break)
{
    const jr_lb_params *p = s->p;
    bool forced = pi <= -JR_INF_PENALTY;
    size_t keep = 0;
    size_t art = NONE; /* best node deactivated here, for a forced overfull break */
    s->ncands = 0;
    /* Nodes at one position are adjacent in the active list and share the
     * line's measure when in one line class: rate that line once. */
    size_t gpos = NONE - 1;
    double gL = 0, b = 0, ratio = 0, d0 = 0;
    unsigned char fit = FIT_DECENT;
    bool overfull = false;
    double dcap = p->line_penalty + INF_BAD; /* demerits of a line of badness 10000 */
    dcap *= dcap;
    if (pi > 0)
        dcap += (double)pi * pi;
    else if (pi < 0 && !forced)
        dcap -= (double)pi * pi;
    /* the best hopelessly short line so far, for the usual run of them with
     * one line class and hyphen run (merged into the candidates when the run
     * ends) */
    lb_cand cap = {0, NONE, 0, 0, 0, FIT_VERY_LOOSE, 0, false, false};
    /* Waiting nodes whose lines are no longer hopelessly short become
     * active; lines from newer ones are shorter still. */
    while (s->win_on && s->winh < s->wint) {
        size_t ri = s->winq[s->winh];
        double sf, yy;
        if (line_capped(s, ps, sum, ri, pending_from, pw, forced, &sf, &yy))
            break;
        JR_GROW(s->active, s->capactive, s->nactive + 1);
        s->active[s->nactive++] = ri;
        unsigned g = win_group(s, &s->nodes[ri]);
        if (s->grph[g] < s->grpt[g] && s->grp[g][s->grph[g]] == ri)
            s->grph[g]++;
        s->winh++;
    }
    for (size_t k = 0; k < s->nactive; k++) {
        size_t ri = s->active[k];
        const lb_node *r = &s->nodes[ri];
        double L = width_of(s, r->line);
        if (ri < pending_from && !forced && sum->fil == r->fil) {
            double shortfall = L - (sum->w - r->w + pw), y = sum->y - r->y;
            double st = y + ps->extra;
            if (shortfall > EPS && ps->max_ratio < INFINITY && shortfall > ps->max_ratio * st) {
                /* far too short a line: stays active, nothing more. Lines
                 * from newer nodes of the same measure are shorter still
                 * and have less stretch, so they are all skipped at once. */
                if (s->monotone && (s->easy == 0 || (s->easy == 1 && r->pos != NONE))) {
                    size_t rest = s->nactive - k;
                    memmove(&s->active[keep], &s->active[k], rest * sizeof s->active[0]);
                    keep += rest;
                    break;
                }
                s->active[keep++] = ri;
                continue;
            }
            if (shortfall > EPS && ps->threshold >= INF_BAD && shortfall > CAP_RATIO * st) {
                /* hopelessly short but feasible: badness 10000, very loose */
                s->active[keep++] = ri;
                unsigned hyph = flagged ? r->hyph + 1u : 0u;
                if (flagged && p->max_consecutive_hyphens > 0 &&
                    hyph > (unsigned)p->max_consecutive_hyphens)
                    continue;
                double d = dcap;
                if (flagged && r->flagged)
                    d += p->flagged_demerits;
                if (final_break && r->flagged)
                    d += p->final_hyphen_demerits;
                if (r->fitness > FIT_LOOSE)
                    d += p->fitness_demerits;
                size_t cls = line_class(s, r->line + 1);
                double total = r->demerits + d;
                if (cap.from == NONE || cls != cap.cls || hyph != cap.hyph) {
                    flush_capped(s, &cap);
                    cap.cls = cls;
                    cap.hyph = (unsigned char)(hyph > 255 ? 255 : hyph);
                } else if (total >= cap.demerits) {
                    continue;
                }
                cap.from = ri;
                cap.line = r->line + 1;
                cap.demerits = total;
                cap.ratio = y > 0 ? shortfall / y : 0;
                continue;
            }
        }
        if (r->pos != gpos || L != gL) {
            gpos = r->pos;
            gL = L;
            rate_line(s, ps, sum, r, ri >= pending_from, L, pw, forced, &b, &ratio, &fit,
                      &overfull);
            d0 = p->line_penalty + b;
            d0 *= d0;
            if (pi > 0)
                d0 += (double)pi * pi;
            else if (pi < 0 && !forced)
                d0 -= (double)pi * pi;
        }

        bool feasible = b <= ps->threshold;
        unsigned hyph = flagged ? r->hyph + 1u : 0u;
        if (flagged && !forced && p->max_consecutive_hyphens > 0 &&
            hyph > (unsigned)p->max_consecutive_hyphens)
            feasible = false;
        if (feasible) {
            double d = d0;
            if (flagged && r->flagged)
                d += p->flagged_demerits;
            if (final_break && r->flagged)
                d += p->final_hyphen_demerits;
            if (abs((int)fit - (int)r->fitness) > 1)
                d += p->fitness_demerits;
            add_cand(s, line_class(s, r->line + 1), fit, hyph, r->demerits + d, ri, r->line + 1,
                     ratio, false);
        }
        if (overfull || forced) {
            /* prefer the latest break (the least overfull line), then the cheapest */
            if (art == NONE || pos_key(r) > pos_key(&s->nodes[art]) ||
                (pos_key(r) == pos_key(&s->nodes[art]) && r->demerits < s->nodes[art].demerits))
                art = ri;
        } else {
            s->active[keep++] = ri;
        }
    }
    s->nactive = keep;
    flush_capped(s, &cap);
    for (unsigned g = 0; s->win_on && g < WIN_GROUPS; g++) {
        if (s->grph[g] == s->grpt[g])
            continue;
        size_t ri = s->grp[g][s->grph[g]];
        const lb_node *r = &s->nodes[ri];
        double sf = 0, yy = 0;
        line_capped(s, ps, sum, ri, pending_from, pw, forced, &sf, &yy);
        unsigned hyph = flagged ? r->hyph + 1u : 0u;
        if (flagged && hyph > (unsigned)p->max_consecutive_hyphens)
            continue;
        double d = dcap;
        if (flagged && r->flagged)
            d += p->flagged_demerits;
        if (final_break && r->flagged)
            d += p->final_hyphen_demerits;
        if (r->fitness > FIT_LOOSE)
            d += p->fitness_demerits;
        add_cand(s, line_class(s, r->line + 1), FIT_VERY_LOOSE, hyph, r->demerits + d, ri,
                 r->line + 1, yy > 0 ? sf / yy : 0, false);
    }

    if (ps->final && s->ncands == 0 && s->nactive == 0 && (!s->win_on || s->winh == s->wint) &&
        art != NONE) {
        /* TeX's artificial demerits: nothing fits, so break anyway. */
        const lb_node *r = &s->nodes[art];
        unsigned hyph = flagged ? r->hyph + 1u : 0u;
        add_cand(s, line_class(s, r->line + 1), FIT_TIGHT, hyph, r->demerits, art, r->line + 1, -1,
                 true);
    }

    /* A candidate worse by more than the fitness demerits than one of the
     * same line class with no longer hyphen run can never win. */
    double slack = fabs((double)p->fitness_demerits);
    for (size_t k = 0; k < s->ncands; k++) {
        lb_cand *c = &s->cands[k];
        for (size_t j = 0; j < s->ncands; j++) {
            const lb_cand *o = &s->cands[j];
            if (j != k && !o->dead && o->cls == c->cls && o->hyph <= c->hyph &&
                c->demerits > o->demerits + slack) {
                c->dead = true;
                break;
            }
        }
    }
    for (size_t k = 0; k < s->ncands; k++) {
        const lb_cand *c = &s->cands[k];
        if (c->dead)
            continue;
        size_t ni = new_node(s);
        lb_node *n = &s->nodes[ni];
        n->pos = pos;
        n->prev = c->from;
        n->line = c->line;
        n->demerits = c->demerits;
        n->ratio = c->ratio;
        n->fitness = c->fitness;
        n->hyph = c->hyph;
        n->flagged = flagged;
        n->overfull = c->overfull;
        if (s->win_on) {
            JR_GROW(s->winq, s->capwinq, s->wint + 1);
            s->winq[s->wint++] = ni;
            unsigned g = win_group(s, n);
            while (s->grpt[g] > s->grph[g] &&
                   s->nodes[s->grp[g][s->grpt[g] - 1]].demerits > n->demerits)
                s->grpt[g]--;
            JR_GROW(s->grp[g], s->capgrp[g], s->grpt[g] + 1);
            s->grp[g][s->grpt[g]++] = ni;
        } else {
            JR_GROW(s->active, s->capactive, s->nactive + 1);
            s->active[s->nactive++] = ni;
        }
    }
}

/* One pass over the items. Returns false when no feasible breaks exist
 * (never for a final pass). */
static bool lb_run(lb_state *s, const lb_pass *ps, jr_lb_result *out)
{
    const jr_lb_item *items = s->items;
    size_t n = s->nitems;
    s->nnodes = 0;
    s->nactive = 0;
    size_t start = new_node(s);
    s->nodes[start].pos = NONE;
    s->nodes[start].prev = NONE;
    s->nodes[start].fitness = FIT_DECENT;
    JR_GROW(s->active, s->capactive, 1);
    s->active[s->nactive++] = start;
    size_t pending_from = s->nnodes;
    lb_sums sum = {0, 0, 0, 0};
    int maxh = s->p->max_consecutive_hyphens;
    s->win_on = ps->threshold >= INF_BAD && s->monotone && s->easy == 0 && maxh >= 1 && maxh <= 3;
    s->winh = s->wint = 0;
    memset(s->grph, 0, sizeof s->grph);
    memset(s->grpt, 0, sizeof s->grpt);
    bool prev_box = false;
    bool implicit_end = n == 0 || !is_forced(&items[n - 1]);
    size_t last = implicit_end ? n : n - 1;

    for (size_t i = 0; i <= last; i++) {
        jr_lb_item end_item;
        const jr_lb_item *it;
        if (i == n) {
            end_item = jr_lb_penalty(0, -JR_INF_PENALTY, false);
            it = &end_item;
        } else {
            it = &items[i];
        }
        switch (it->type) {
        case JR_LB_BOX:
            for (size_t k = pending_from; k < s->nnodes; k++) {
                s->nodes[k].w = sum.w;
                s->nodes[k].y = sum.y;
                s->nodes[k].z = sum.z;
                s->nodes[k].fil = sum.fil;
            }
            pending_from = s->nnodes;
            sum.w += it->width;
            prev_box = true;
            continue;
        case JR_LB_GLUE:
            if (prev_box)
                try_break(s, ps, &sum, pending_from, i, 0, 0, false, false);
            sum.w += it->width;
            if (is_fil(it))
                sum.fil += it->stretch / JR_LB_FIL;
            else
                sum.y += it->stretch;
            sum.z += it->shrink;
            break;
        case JR_LB_PENALTY:
            if (it->penalty < JR_INF_PENALTY && (!it->flagged || ps->hyphens))
                try_break(s, ps, &sum, pending_from, i, it->penalty, it->width,
                          it->flagged && ps->hyphens, i == last);
            break;
        }
        prev_box = false;
        if (s->nactive == 0 && s->winh == s->wint)
            return false;
    }

    /* After the final forced break only nodes at it are active. */
    size_t best = NONE;
    for (size_t k = 0; k < s->nactive + (s->wint - s->winh); k++) {
        size_t ni = k < s->nactive ? s->active[k] : s->winq[s->winh + k - s->nactive];
        if (s->nodes[ni].pos != last)
            continue;
        if (best == NONE || s->nodes[ni].demerits < s->nodes[best].demerits)
            best = ni;
    }
    if (best == NONE)
        return false;
    size_t nl = s->nodes[best].line;
    out->lines = jr_xcalloc(nl, sizeof *out->lines);
    out->nlines = nl;
    out->demerits = s->nodes[best].demerits;
    for (size_t ni = best; s->nodes[ni].prev != NONE; ni = s->nodes[ni].prev) {
        const lb_node *nd = &s->nodes[ni];
        jr_lb_line *ln = &out->lines[nd->line - 1];
        ln->end = nd->pos;
        ln->ratio = nd->ratio;
        ln->hyphenated = nd->flagged;
        ln->overfull = nd->overfull;
    }
    return true;
}

static bool has_box(const jr_lb_item *items, size_t nitems)
{
    for (size_t i = 0; i < nitems; i++)
        if (items[i].type == JR_LB_BOX)
            return true;
    return false;
}

static void empty_result(jr_lb_result *out, int pass)
{
    out->lines = NULL;
    out->nlines = 0;
    out->pass = pass;
    out->demerits = 0;
}

static lb_pass pass_config(const jr_lb_params *p, int pass)
{
    lb_pass ps = {0, false, 0, false, INFINITY};
    if (pass == 1) {
        ps.threshold = p->pretolerance;
    } else if (pass == 2) {
        ps.threshold = p->tolerance;
        ps.hyphens = true;
    } else {
        ps.threshold = INF_BAD;
        ps.hyphens = true;
        ps.extra = p->emergency_stretch > 0 ? p->emergency_stretch : 0;
        ps.final = true;
    }
    /* badness 100 r^3 <= threshold; a margin leaves the boundary to rate_line */
    if (ps.threshold < INF_BAD)
        ps.max_ratio = cbrt(ps.threshold / 100) * (1 + 1e-9);
    return ps;
}

bool jr_linebreak_pass(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width,
                       void *ctx, const jr_lb_params *params, int pass, jr_lb_result *out)
{
    jr_lb_params defaults;
    if (!params) {
        jr_lb_params_default(&defaults);
        params = &defaults;
    }
    empty_result(out, pass);
    if (!has_box(items, nitems))
        return true;
    lb_state s;
    lb_init(&s, items, nitems, line_width, ctx, params);
    lb_pass ps = pass_config(params, pass);
    bool ok = lb_run(&s, &ps, out);
    lb_state_free(&s);
    return ok;
}

void jr_linebreak(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width, void *ctx,
                  const jr_lb_params *params, bool allow_hyphens, jr_lb_result *out)
{
    jr_lb_params defaults;
    if (!params) {
        jr_lb_params_default(&defaults);
        params = &defaults;
    }
    int pass = allow_hyphens ? 2 : 1;
    empty_result(out, pass);
    if (!has_box(items, nitems))
        return;
    lb_state s;
    lb_init(&s, items, nitems, line_width, ctx, params);
    lb_pass ps = pass_config(params, pass);
    if (!lb_run(&s, &ps, out)) {
        ps = pass_config(params, 3);
        ps.hyphens = allow_hyphens;
        lb_run(&s, &ps, out);
        out->pass = 3;
    }
    lb_state_free(&s);
}

void jr_linebreak_paragraph(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width,
                            void *ctx, const jr_lb_params *params, jr_lb_result *out)
{
    jr_lb_params defaults;
    if (!params) {
        jr_lb_params_default(&defaults);
        params = &defaults;
    }
    empty_result(out, 1);
    if (!has_box(items, nitems))
        return;
    lb_state s;
    lb_init(&s, items, nitems, line_width, ctx, params);
    for (int pass = params->pretolerance >= 0 ? 1 : 2; pass <= 3; pass++) {
        lb_pass ps = pass_config(params, pass);
        if (lb_run(&s, &ps, out)) {
            out->pass = pass;
            break;
        }
    }
    lb_state_free(&s);
}
