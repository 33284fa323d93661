/* watch.h: `journal watch`: rebuild when the content changes, and the
 * progress line of long builds on a terminal. */
#ifndef JOURNAL_WATCH_H
#define JOURNAL_WATCH_H

#include "build.h"

/* Builds once, then rebuilds whenever a file in the content folder (its
 * edition folders and their subfolders, e.g. images/), the layout file or a
 * layouts/ folder changes; bursts of events are gathered for ~100 ms. Prints
 * one line per build on stdout (time in ms, counts of errors and warnings);
 * the diagnostics go to stderr as in `journal build`. A build with errors
 * leaves the last good outputs in place. Returns 0 after SIGINT, SIGTERM or
 * SIGHUP, 1 when the content folder cannot be watched. */
int jr_watch_run(const jr_build_options *opt);

/* Progress of a build, for build.c. Shown only when stderr is a terminal,
 * `quiet` is off and the build has taken more than a second so far; one
 * line, rewritten with \r, erased at the end. */
void jr_progress_begin(bool quiet);
/* what: e.g. "articles read", "pages written"; done of total (total 0:
 * unknown). */
void jr_progress(const char *what, long done, long total);
void jr_progress_end(void);

#endif
