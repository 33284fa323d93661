/* check.h: tiny test helpers for the input tests: exact comparisons and
 * captured diagnostics. */
#ifndef INPUT_CHECK_H
#define INPUT_CHECK_H

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_INT(actual, expected)                                                                \
    do {                                                                                           \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                            \
        if (a_ != e_) {                                                                            \
            fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__, __LINE__, #actual, a_, \
                    e_);                                                                           \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *a_ = (actual), *e_ = (expected);                                               \
        if (!a_ || !e_ ? a_ != e_ : strcmp(a_, e_) != 0) {                                         \
            fprintf(stderr, "%s:%d: %s is\n[%s]\nexpected\n[%s]\n", __FILE__, __LINE__, #actual,   \
                    a_ ? a_ : "(null)", e_ ? e_ : "(null)");                                       \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* Capture diagnostics: capture_start(); ...; char *s = capture_end(); */
static FILE *capture_f;
static char *capture_buf;
static size_t capture_len;

static inline void capture_start(void)
{
    jr_diag_reset();
    capture_buf = NULL;
    capture_f = open_memstream(&capture_buf, &capture_len);
    jr_diag_set_output(capture_f);
}

/* The captured text (caller frees). */
static inline char *capture_end(void)
{
    jr_diag_set_output(stderr);
    fclose(capture_f);
    return capture_buf;
}

/* Compare captured diagnostics with `expected` and free them. */
#define CHECK_DIAG(expected)                                                                       \
    do {                                                                                           \
        char *got_ = capture_end();                                                                \
        CHECK_STR(got_, expected);                                                                 \
        free(got_);                                                                                \
    } while (0)

static inline int check_done(const char *name)
{
    if (failures)
        fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
    else
        printf("%s: all checks passed\n", name);
    return failures ? 1 : 0;
}

#endif
