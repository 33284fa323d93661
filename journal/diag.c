/* diag.c: printing and counting diagnostics from the message table. */
#include "diag.h"

#include <stdarg.h>

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
static int counts[3];
static int id_counts[JR_DIAG_COUNT];

void jr_diag(jr_diag_id id, const char *path, int line, int col, ...)
{
    if ((unsigned)id >= JR_DIAG_COUNT)
        return;
    jr_level level = messages[id].level;
    counts[level]++;
    id_counts[id]++;
    FILE *f = diag_out_set ? diag_out : stderr;
    if (!f)
        return;
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
    va_list ap;
    va_start(ap, col);
    vfprintf(f, messages[id].text, ap);
    va_end(ap);
    fputc('\n', f);
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
    return (unsigned)level < 3 ? counts[level] : 0;
}

int jr_diag_count_id(jr_diag_id id)
{
    return (unsigned)id < JR_DIAG_COUNT ? id_counts[id] : 0;
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
