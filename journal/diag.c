/* diag.c: printing and counting diagnostics from the message table. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    jr_level level;
    const char *text;
} messages[JR_DIAG_COUNT] = {
#define JR_MSG(id, lvl, txt) [id] = {lvl, txt},
#include "diag_messages.h"
#undef JR_MSG
};

static const char *const level_names[] = {"note", "warning", "error"};

static FILE *diag_out;
static int diag_out_set;
/* (atomic: a thread that holds reads them while another reports) */
static _Atomic int counts[3];
static _Atomic int id_counts[JR_DIAG_COUNT];

struct jr_diag_held {
    struct jr_diag_held *next; /* the one after (the list ends at NULL) */
    jr_diag_id id;
    char text[]; /* the whole line, newline included */
};

/* Where this thread's next held message goes (the end of its list), or
 * NULL when it does not hold. */
static _Thread_local jr_diag_held **hold;
/* While holding, the thread sees the counts as they were when it began
 * plus its own held messages: what it would have seen with them given. */
static _Thread_local int hold_counts[3];
static _Thread_local int hold_id_counts[JR_DIAG_COUNT];

void jr_diag_hold(jr_diag_held **into)
{
    hold = into;
    while (hold && *hold)
        hold = &(*hold)->next;
    for (int i = 0; i < 3; i++)
        hold_counts[i] = into ? counts[i] : 0;
    for (int i = 0; i < JR_DIAG_COUNT; i++)
        hold_id_counts[i] = into ? id_counts[i] : 0;
}

void jr_diag_held_free(jr_diag_held *held)
{
    while (held) {
        jr_diag_held *next = held->next;
        free(held);
        held = next;
    }
}

static void print_line(FILE *f, const char *path, int line, int col, jr_level level,
                       const char *fmt, va_list ap)
{
    if (path && *path) {
        fputs(path, f);
        if (line > 0) {
            fprintf(f, ":%d", line);
            if (col > 0)
                fprintf(f, ":%d", col);
        }
        fputs(": ", f);
    } else {
        fputs("journal: ", f);
    }
    fprintf(f, "%s: ", level_names[level]);
    vfprintf(f, fmt, ap);
    fputc('\n', f);
}

void jr_diag_release(jr_diag_held *held)
{
    while (held) {
        jr_diag_held *next = held->next;
        jr_level level = messages[held->id].level;
        counts[level]++;
        id_counts[held->id]++;
        FILE *f = diag_out_set ? diag_out : stderr;
        if (f)
            fputs(held->text, f);
        free(held);
        held = next;
    }
}

void jr_diag(jr_diag_id id, const char *path, int line, int col, ...)
{
    if ((unsigned)id >= JR_DIAG_COUNT)
        return;
    jr_level level = messages[id].level;
    char *text = NULL; /* held: the line as it would be printed */
    size_t len = 0;
    FILE *f;
    if (hold) {
        hold_counts[level]++;
        hold_id_counts[id]++;
        f = open_memstream(&text, &len);
    } else {
        counts[level]++;
        id_counts[id]++;
        f = diag_out_set ? diag_out : stderr;
    }
    if (!f)
        return;
    va_list ap;
    va_start(ap, col);
    print_line(f, path, line, col, level, messages[id].text, ap);
    va_end(ap);
    if (!hold)
        return;
    fclose(f);
    jr_diag_held *h = malloc(sizeof *h + len + 1);
    if (h) {
        h->next = NULL;
        h->id = id;
        memcpy(h->text, text, len + 1);
        *hold = h;
        hold = &h->next;
    }
    free(text);
}

jr_level jr_diag_level(jr_diag_id id)
{
    return (unsigned)id < JR_DIAG_COUNT ? messages[id].level : JR_ERROR;
}

const char *jr_diag_format(jr_diag_id id)
{
    return (unsigned)id < JR_DIAG_COUNT ? messages[id].text : "";
}

int jr_diag_count(jr_level level)
{
    if ((unsigned)level >= 3)
        return 0;
    return hold ? hold_counts[level] : counts[level];
}

int jr_diag_count_id(jr_diag_id id)
{
    if ((unsigned)id >= JR_DIAG_COUNT)
        return 0;
    return hold ? hold_id_counts[id] : id_counts[id];
}

void jr_diag_reset(void)
{
    for (int i = 0; i < 3; i++)
        counts[i] = 0;
    for (int i = 0; i < JR_DIAG_COUNT; i++)
        id_counts[i] = 0;
}

void jr_diag_set_output(FILE *f)
{
    diag_out = f;
    diag_out_set = 1;
}

int jr_diag_exit_status(void)
{
    return counts[JR_ERROR] > 0 ? 1 : 0;
}
