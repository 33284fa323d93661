/* diag.h: diagnostics are data.
 *
 * Every message the program can print stands in one table (diag_messages.h)
 * with its level and wording; code refers to messages by id. Output is
 * GCC-style, `path:line:col: error|warning: message`, on stderr. The worst
 * level reported sets the exit status (see jr_diag_exit_status). Input
 * problems never stop processing: every stage reports and goes on. */
#ifndef JOURNAL_DIAG_H
#define JOURNAL_DIAG_H

#include <stdio.h>

typedef enum jr_level { JR_NOTE = 0, JR_WARNING = 1, JR_ERROR = 2 } jr_level;

typedef enum jr_diag_id {
#define JR_MSG(id, level, text) id,
#include "diag_messages.h"
#undef JR_MSG
    JR_DIAG_COUNT
} jr_diag_id;

/* Report message `id` at path:line:col (line/col 1-based; 0 leaves them out).
 * The varargs fill the message's printf format. path may be NULL. */
void jr_diag(jr_diag_id id, const char *path, int line, int col, ...);

jr_level jr_diag_level(jr_diag_id id);
const char *jr_diag_format(jr_diag_id id);

/* Counters since the last reset. */
int jr_diag_count(jr_level level);
int jr_diag_count_id(jr_diag_id id);
void jr_diag_reset(void);

/* Where messages go (default stderr). NULL silences them (still counted). */
void jr_diag_set_output(FILE *f);

/* Held diagnostics: while a thread holds, its messages are kept (not
 * printed, not counted; the thread's jr_diag_count sees them) in *into; jr_diag_release prints and
 * counts them (in their order) and frees them. For work done on other threads whose messages must
 * come out where they would have without the threads. */
typedef struct jr_diag_held jr_diag_held;
void jr_diag_hold(jr_diag_held **into); /* NULL: stop holding */
void jr_diag_release(jr_diag_held *held);
void jr_diag_held_free(jr_diag_held *held); /* drops them */

/* 1 if an error was reported, else 0. */
int jr_diag_exit_status(void);

#endif
