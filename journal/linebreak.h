/* linebreak.h: total-fit paragraph breaking (Knuth and Plass, 1981).
 *
 * The paragraph is a list of items: boxes (fixed width), glue (width that
 * stretches and shrinks) and penalties (possible breaks with a cost; a
 * flagged penalty is a hyphenation). The breaker chooses the breaks that
 * minimise the total demerits over the whole paragraph, with TeX's fitness
 * classes, adjacent-flagged and fitness-change demerits. Widths are in
 * points. Line widths may differ per line (hanging indents, figures).
 *
 * A line's ratio r is (L - w) / stretch when it is short, (L - w) / shrink
 * when long; badness 100 |r|^3, at most 10000 (a short line with no stretch
 * has 10000), and a line that cannot shrink enough (r < -1) is infeasible.
 * Demerits per line: (line_penalty + badness)^2, plus penalty^2 for a
 * penalty >= 0, minus penalty^2 for -10000 < penalty < 0; plus
 * flagged_demerits when this and the previous line end hyphenated,
 * final_hyphen_demerits when the second-to-last line does, fitness_demerits
 * when fitness classes of adjacent lines (very loose r > 1, loose r > 0.5,
 * decent, tight r < -0.5; the paragraph starts decent) differ by more than
 * one. Breaks: at glue right after a box, at penalties < JR_INF_PENALTY
 * (flagged ones only with hyphenation). A hyphenated line that would make
 * more than max_consecutive_hyphens in a row is not feasible (forced breaks
 * excepted). As in TeX, a break after which a line would be overfull also
 * ends every longer line from the same start. */
#ifndef JOURNAL_LINEBREAK_H
#define JOURNAL_LINEBREAK_H

#include <stdbool.h>
#include <stddef.h>

#define JR_INF_PENALTY 10000 /* a penalty >= this forbids the break; <= -this forces it */
/* Glue with stretch >= JR_LB_FIL stretches infinitely (TeX's fil): a line
 * holding such glue and shorter than its measure has badness 0 and is
 * reported with ratio 0 (the fil glue takes all the slack). */
#define JR_LB_FIL 1.0e6

typedef enum jr_item_type { JR_LB_BOX, JR_LB_GLUE, JR_LB_PENALTY } jr_item_type;

typedef struct jr_lb_item {
    jr_item_type type;
    double width;   /* box, glue: natural width; penalty: width if broken here (the hyphen) */
    double stretch; /* glue */
    double shrink;  /* glue */
    int penalty;    /* penalty */
    bool flagged;   /* penalty: a hyphenation break */
} jr_lb_item;

/* Item constructors. */
jr_lb_item jr_lb_box(double width);
jr_lb_item jr_lb_glue(double width, double stretch, double shrink);
jr_lb_item jr_lb_penalty(double width, int penalty, bool flagged);

/* End a paragraph as TeX does: appends penalty(+INF) (no break before the
 * fill), glue(0, JR_LB_FIL, 0) and penalty(-INF) (the forced final break).
 * `items` must have room for 3 more items; returns the new count. The
 * penalty(+INF) matters: without it the fil glue is itself a breakpoint. */
size_t jr_lb_finish_paragraph(jr_lb_item *items, size_t nitems);

typedef struct jr_lb_params {
    double pretolerance;  /* pass 1 (no hyphenation) max badness, TeX 100 */
    double tolerance;     /* pass 2 max badness accepted (TeX: pretolerance 100, tolerance 200) */
    int line_penalty;     /* TeX \linepenalty, 10 */
    int flagged_demerits; /* TeX \doublehyphendemerits, 10000 */
    int fitness_demerits; /* TeX \adjdemerits, 10000 */
    int final_hyphen_demerits;   /* TeX \finalhyphendemerits, 5000 */
    int max_consecutive_hyphens; /* 2: no more hyphenated lines in a row */
    double emergency_stretch;    /* extra stretch per line in the emergency pass */
    bool last_line_ragged;       /* true: the last line is set at natural width */
} jr_lb_params;

/* Defaults: TeX's values above; emergency_stretch 0 (set it, in pt, e.g.
 * 1.5 em, for better emergency lines); last_line_ragged true, which sets
 * every line ending at a forced break (the paragraph end, a hard line break;
 * two forced breaks in a row give an empty line) at natural width when it is
 * shorter than the measure, with or without fil glue. max_consecutive_hyphens <= 0: no limit.
 * Passing NULL params to the functions below uses these defaults. */
void jr_lb_params_default(jr_lb_params *p);

/* A line holds the items from jr_lb_line_start() up to `end` (exclusive):
 * after a break, glue and penalties up to the next box are discarded (as
 * TeX does); the first line starts at item 0. A glue at `end` is dropped; a
 * penalty at `end` adds its width (the hyphen) at the end of the line. If
 * the items do not end with a forced break, one is assumed after the last
 * item and the last line's end is nitems.
 * Setting the line: each glue gets width + ratio * stretch (ratio > 0) or
 * width + ratio * shrink (ratio < 0). */
typedef struct jr_lb_line {
    size_t end;      /* index of the break item */
    double ratio;    /* adjustment ratio: <0 shrunk, >0 stretched, 0 natural. In
                        [-1, ...]; the real ratio (emergency stretch not counted),
                        so in the emergency pass it may exceed the tolerance. 0 for
                        lines with fil glue, ragged last lines, and lines with no
                        stretch at all. -1 for overfull lines. */
    bool hyphenated; /* ends at a flagged penalty */
    bool overfull;   /* could not be made to fit: its width with all shrink used
                        still exceeds the line width (only in pass 3) */
} jr_lb_line;

typedef struct jr_lb_result {
    jr_lb_line *lines; /* owned */
    size_t nlines;     /* 0 for a paragraph without boxes */
    int pass;          /* 1: without hyphenation fit, 2: with, 3: emergency */
    double demerits;   /* total demerits of the chosen breaks */
} jr_lb_result;

/* Index of the first item of line `line` of `r` (see jr_lb_line). */
size_t jr_lb_line_start(const jr_lb_result *r, const jr_lb_item *items, size_t nitems, size_t line);

/* Break `items` (which should end with a forced break: see
 * jr_lb_finish_paragraph) into lines. line_width(i) gives the width of line i
 * (0-based) [pt]; `ctx` is passed through. It must be a pure function: it is
 * asked once per call for every line index the paragraph could reach (one
 * per possible break), and lines from which on all widths are equal are
 * treated as one class (TeX's "last special line"), keeping the work linear.
 * `allow_hyphens` false: flagged penalties are not breakpoints and the
 * tolerance is `pretolerance` (pass 1); true: the tolerance is `tolerance`
 * (pass 2). Always returns a result (out->lines owned, free with
 * jr_lb_result_free): when no breaks fit the tolerance, the emergency pass
 * runs (out->pass = 3; hyphens only if allow_hyphens): any badness is
 * accepted, emergency_stretch is added to each line's stretch when rating
 * it, and where not even that fits (a box wider than the line) a break is
 * forced and the line marked overfull. No text is ever lost.
 *
 * Hyphenating only when needed (the layout's workflow):
 *     if (!jr_linebreak_pass(plain, n, w, ctx, p, 1, &r))   // no flagged items
 *         jr_linebreak(hyphenated, m, w, ctx, p, true, &r); // pass 2, else 3
 * (jr_linebreak(plain, ..., false, &r) also works: r.pass != 1 then says
 * pass 1 failed, but an emergency pass has been spent on the plain items.) */
typedef double (*jr_line_width_fn)(size_t line, void *ctx);

void jr_linebreak(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width, void *ctx,
                  const jr_lb_params *params, bool allow_hyphens, jr_lb_result *out /* OUT */);

/* One pass only: 1 (no hyphens, pretolerance), 2 (hyphens, tolerance) or 3
 * (emergency, as above; always succeeds). Returns false, with out empty
 * (nothing to free), when no feasible breaks exist. */
bool jr_linebreak_pass(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width,
                       void *ctx, const jr_lb_params *params, int pass,
                       jr_lb_result *out /* OUT */);

/* The three passes as TeX does them: first without hyphenation (tolerance
 * `pretolerance`; skipped when pretolerance < 0), then with hyphenation
 * (tolerance), then the emergency pass. */
void jr_linebreak_paragraph(const jr_lb_item *items, size_t nitems, jr_line_width_fn line_width,
                            void *ctx, const jr_lb_params *params, jr_lb_result *out /* OUT */);

void jr_lb_result_free(jr_lb_result *r);

#endif
