/* main.c: the command line: `journal build`, `journal check`. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "diag.h"
#include "util.h"
#include "watch.h"

static const char usage_text[] =
    "Usage: journal build [CONTENT_DIR] [--edition ID | --all] [--out DIR] [--layout FILE]\n"
    "                     [--no-print] [--impose booklet] [--pdfa] [--dump-layout FILE]\n"
    "                     [--quiet]\n"
    "       journal check [CONTENT_DIR] [--layout FILE] [--preflight]\n"
    "       journal watch [CONTENT_DIR] [build options]\n"
    "       journal --help | --version\n"
    "\n"
    "Typesets the Markdown articles of a journal edition into a PDF, a print PDF,\n"
    "Atom and RSS feeds and HTML pages.\n"
    "\n"
    "Commands:\n"
    "  build             build the newest edition (or the one named) into DIR\n"
    "  check             check all content and layouts; writes nothing\n"
    "  watch             build, then rebuild whenever the content changes (Ctrl-C stops)\n"
    "\n"
    "Options:\n"
    "  --edition ID      build this edition (a folder name in CONTENT_DIR)\n"
    "  --all             build every edition\n"
    "  --out DIR         output folder (default: out)\n"
    "  --layout FILE     layout file or name (default: the edition's, else the default)\n"
    "  --no-print        do not write the print PDF\n"
    "  --impose booklet  also write printer spreads for a saddle-stitched booklet\n"
    "                    (<journal>-<edition>-booklet.pdf)\n"
    "  --pdfa            also write the archival PDF/A-1b (<journal>-<edition>-pdfa.pdf)\n"
    "  --preflight       check: print the print preflight table (build: always)\n"
    "  --dump-layout F   write the laid-out pages as text to F ('-' for stdout)\n"
    "  --quiet           print only paths and diagnostics\n"
    "\n"
    "CONTENT_DIR defaults to 'articles'. Exit status: 0 success (warnings allowed),\n"
    "1 errors in the content, 2 usage errors.\n";

/* Ctrl-C or kill during a build: remove the temporary files, then die of
 * the signal as usual (the previous outputs were never touched). */
static void on_signal(int sig)
{
    jr_output_remove_all_temp();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* started with the signal ignored (nohup, background) */
        sigaction(sigs[i], &sa, NULL);
    }
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "journal: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'journal --help'.\n");
    return 2;
}

int main(int argc, char **argv)
{
    jr_memory_setup();
    if (argc < 2)
        return usage_error("%s", "no command given (build or check)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("journal %s\n", JOURNAL_VERSION);
        return 0;
    }
    jr_build_options opt = {0};
    bool watch = strcmp(cmd, "watch") == 0;
    if (strcmp(cmd, "check") == 0)
        opt.check_only = true;
    else if (strcmp(cmd, "build") != 0 && !watch)
        return usage_error("unknown command '%s' (expected build, check or watch)", cmd);

    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char **value = NULL;
        if (strcmp(a, "--edition") == 0)
            value = &opt.edition;
        else if (strcmp(a, "--out") == 0)
            value = &opt.out_dir;
        else if (strcmp(a, "--layout") == 0)
            value = &opt.layout;
        else if (strcmp(a, "--dump-layout") == 0)
            value = &opt.dump_layout;
        else if (strcmp(a, "--all") == 0)
            opt.all = true;
        else if (strcmp(a, "--no-print") == 0)
            opt.no_print = true;
        else if (strcmp(a, "--pdfa") == 0)
            opt.pdfa = true;
        else if (strcmp(a, "--preflight") == 0)
            opt.preflight = true;
        else if (strcmp(a, "--impose") == 0) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value", a);
            if (strcmp(argv[++i], "booklet") != 0)
                return usage_error("unknown imposition '%s' (expected booklet)", argv[i]);
            opt.booklet = true;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            opt.quiet = true;
        else if (strcmp(a, "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != 0)
            return usage_error("unknown option '%s'", a);
        else if (opt.content_dir)
            return usage_error("more than one content folder given ('%s')", a);
        else
            opt.content_dir = a;
        if (value) {
            if (i + 1 >= argc)
                return usage_error("option '%s' needs a value", a);
            *value = argv[++i];
        }
    }
    if (opt.all && opt.edition)
        return usage_error("%s", "--edition and --all exclude each other");
    if (opt.check_only && (opt.edition || opt.all || opt.out_dir))
        return usage_error("%s", "check takes no --edition, --all or --out");
    if (watch)
        return jr_watch_run(&opt);
    catch_signals();
    return jr_build_run(&opt);
}
