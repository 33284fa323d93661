/* linebreak.h: total-fit paragraph breaking (Knuth and Plass, 1981).
 *
 * The paragraph is a list of items: boxes (fixed width), glue (width that
 * stretches and shrinks) and penalties (possible breaks with a cost; a
 * flagged penalty is a hyphenation). The breaker chooses the breaks that
 * minimise the total demerits over the whole paragraph, with TeX's fitness
 * classes, adjacent-flagged and fitness-change demerits. Widths are in
 * points. Line widths may differ per line (hanging indents, figures). */
#ifndef JOURNAL_LINEBREAK_H
#define JOURNAL_LINEBREAK_H

#include <stdbool.h>
#include <stddef.h>

#define JR_INF_PENALTY 10000 /* a penalty >= this forbids the break; <= -this forces it */

typedef enum jr_item_type { JR_LB_BOX, JR_LB_GLUE, JR_LB_PENALTY } jr_item_type;

typedef struct jr_lb_item {
    jr_item_type type;
    double width;   /* box, glue: natural width; penalty: width if broken here (the hyphen) */
    double stretch; /* glue */
    double shrink;  /* glue */
    int penalty;    /* penalty */
    bool flagged;   /* penalty: a hyphenation break */
} jr_lb_item;

typedef struct jr_lb_params {
    double pretolerance;    /* pass 1 (no hyphenation) max badness, TeX 100 */
    double tolerance;       /* pass 2 max badness accepted (TeX: pretolerance 100, tolerance 200) */
    int line_penalty;       /* TeX \linepenalty, 10 */
    int flagged_demerits;   /* TeX \doublehyphendemerits, 10000 */
    int fitness_demerits;   /* TeX \adjdemerits, 10000 */
    int final_hyphen_demerits; /* TeX \finalhyphendemerits, 5000 */
    int max_consecutive_hyphens; /* 2: no more hyphenated lines in a row */
    double emergency_stretch;   /* extra stretch per line in the emergency pass */
    bool last_line_ragged;      /* true: the last line is set at natural width */
} jr_lb_params;

void jr_lb_params_default(jr_lb_params *p);

typedef struct jr_lb_line {
    size_t end;   /* index of the break item; the line holds items (prev end, end) */
    double ratio; /* adjustment ratio: <0 shrunk, >0 stretched, 0 natural */
    bool hyphenated; /* ends at a flagged penalty */
    bool overfull;   /* could not be made to fit: natural width exceeds the line */
} jr_lb_line;

typedef struct jr_lb_result {
    jr_lb_line *lines; /* owned */
    size_t nlines;
    int pass; /* 1: without hyphenation fit, 2: with, 3: emergency */
} jr_lb_result;

/* Break `items` (which must end with a forced break, e.g. glue + penalty
 * -JR_INF_PENALTY) into lines. line_width(i) gives the width of line i
 * (0-based); `ctx` is passed through. `allow_hyphens` false ignores flagged
 * penalties (the first pass). Always returns a result: when nothing fits, an
 * emergency pass produces lines, marking overfull ones. */
typedef double (*jr_line_width_fn)(size_t line, void *ctx);

void jr_linebreak(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width,
                  void *ctx, const jr_lb_params *params, bool allow_hyphens,
                  jr_lb_result *out /* OUT */);

/* The three passes as TeX does them: first without hyphenation (tolerance
 * `pretolerance`), then with hyphenation (tolerance), then an emergency pass. */
void jr_linebreak_paragraph(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width,
                            void *ctx, const jr_lb_params *params, jr_lb_result *out /* OUT */);

void jr_lb_result_free(jr_lb_result *r);

#endif
