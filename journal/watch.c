/* watch.c: `journal watch` (inotify on the content folder, debounced
 * rebuilds) and the progress line of long builds on a terminal.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP are blocked for the whole watch and
 * read from a signalfd, so a Ctrl-C during a build lets the build finish (it
 * writes all or nothing) and then ends the watch with status 0. */
#define _GNU_SOURCE
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "util.h"

enum { DEBOUNCE_MS = 100 };

#define WATCH_MASK                                                                                 \
    (IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM |              \
     IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- progress line ------------------------------------------------------ */

static struct {
    bool on;      /* stderr is a terminal and not quiet */
    bool shown;   /* a progress line stands on the terminal now */
    double t0;    /* start of the build [ms] */
    double drawn; /* last redraw [ms] */
    FILE *diag;   /* diagnostics go through here while on */
} prog;

/* Diagnostics printed while a progress line stands erase it first. */
static ssize_t diag_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    if (prog.shown) {
        fputs("\r\033[K", stderr);
        prog.shown = false;
    }
    return (ssize_t)fwrite(buf, 1, n, stderr);
}

void jr_progress_begin(bool quiet)
{
    prog.on = !quiet && isatty(STDERR_FILENO);
    prog.shown = false;
    prog.t0 = now_ms();
    prog.drawn = 0;
    if (prog.on && !prog.diag) {
        prog.diag = fopencookie(NULL, "w", (cookie_io_functions_t){.write = diag_write});
        if (prog.diag) {
            setvbuf(prog.diag, NULL, _IOLBF, 0);
            jr_diag_set_output(prog.diag);
        }
    }
}

void jr_progress(const char *what, long done, long total)
{
    if (!prog.on)
        return;
    double t = now_ms();
    if (t - prog.t0 < 1000.0 || (prog.shown && t - prog.drawn < 100.0))
        return;
    if (total > 0)
        fprintf(stderr, "\r\033[Kjournal: %s %ld/%ld", what, done, total);
    else
        fprintf(stderr, "\r\033[Kjournal: %s %ld", what, done);
    fflush(stderr);
    prog.shown = true;
    prog.drawn = t;
}

void jr_progress_end(void)
{
    if (prog.shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    prog.shown = false;
    prog.on = false;
    if (prog.diag) {
        jr_diag_set_output(stderr);
        fclose(prog.diag);
        prog.diag = NULL;
    }
}

/* ---- the watched folders --------------------------------------------------
 */

typedef struct watch_dir {
    int wd;
    char *path;     /* owned */
    char *only;     /* only these names count ("/a/b/"), or NULL: all */
    bool recursive; /* new subfolders get watched too */
    bool content;   /* in the content folder: only content files count */
} watch_dir;

typedef struct watcher {
    int fd; /* inotify */
    watch_dir *dirs;
    size_t ndirs, cap;
    const char *out_dir;
} watcher;

static watch_dir *find_wd(watcher *w, int wd)
{
    for (size_t i = 0; i < w->ndirs; i++)
        if (w->dirs[i].wd == wd)
            return &w->dirs[i];
    return NULL;
}

static void forget_wd(watcher *w, int wd)
{
    for (size_t i = 0; i < w->ndirs; i++)
        if (w->dirs[i].wd == wd) {
            free(w->dirs[i].path);
            free(w->dirs[i].only);
            w->dirs[i] = w->dirs[--w->ndirs];
            return;
        }
}

/* The output folder (and anything under it) is never watched: the build
 * writes there, which would start the next build. */
static bool is_output(const watcher *w, const char *path)
{
    char out[PATH_MAX], p[PATH_MAX];
    if (!realpath(w->out_dir, out) || !realpath(path, p))
        return false;
    size_t n = strlen(out);
    return strncmp(p, out, n) == 0 && (p[n] == 0 || p[n] == '/');
}

/* Editor droppings that are no reason to rebuild. */
static bool ignored_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || name[0] == '.' || name[n - 1] == '~' || strcmp(name, "4913") == 0)
        return true;
    if (n > 4 && (strcmp(name + n - 4, ".swp") == 0 || strcmp(name + n - 4, ".swx") == 0))
        return true;
    return strstr(name, ".tmp-") != NULL; /* jr_output's temporary files */
}

/* Files of a content folder: articles, YAML, hyphenation.txt, images. Other
 * files (notes, an editor's temporary files) start no build. */
static bool content_file(const char *name)
{
    static const char *const exts[] = {".md",  ".markdown", ".yaml", ".yml", ".txt",
                                       ".jpg", ".jpeg",     ".png",  NULL};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return false;
    for (size_t i = 0; exts[i]; i++)
        if (strcasecmp(dot, exts[i]) == 0)
            return true;
    return false;
}

/* Is `name` one of the names in `only` ("/a/b/")? */
static bool only_has(const char *only, const char *name)
{
    char *key = jr_xasprintf("/%s/", name);
    bool found = strstr(only, key) != NULL;
    free(key);
    return found;
}

/* Watch `path` (its subfolders too when `recursive`); with `only`, just
 * events for that name count in it. A folder already watched whole stays
 * so; names asked for in the same folder add up. */
static int add_dir(watcher *w, const char *path, const char *only, bool recursive, bool content)
{
    if (is_output(w, path))
        return 0;
    int wd = inotify_add_watch(w->fd, path, WATCH_MASK);
    if (wd < 0)
        return -1;
    watch_dir *d = find_wd(w, wd); /* the same folder again */
    if (d && !recursive && (d->recursive || !d->only))
        return 0;
    if (d && !recursive && only) {
        if (!only_has(d->only, only)) {
            char *more = jr_xasprintf("%s%s/", d->only, only);
            free(d->only);
            d->only = more;
        }
        return 0;
    }
    if (!d) {
        JR_GROW(w->dirs, w->cap, w->ndirs + 1);
        d = &w->dirs[w->ndirs++];
        d->wd = wd;
    } else {
        free(d->path);
        free(d->only);
    }
    d->path = jr_xstrdup(path);
    d->only = only ? jr_xasprintf("/%s/", only) : NULL;
    d->recursive = recursive;
    d->content = content;
    if (!recursive)
        return 0;
    DIR *dir = opendir(path);
    if (!dir)
        return 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char *sub = jr_path_join(path, de->d_name);
        struct stat st;
        bool isdir = de->d_type == DT_DIR ||
                     (de->d_type == DT_UNKNOWN && lstat(sub, &st) == 0 && S_ISDIR(st.st_mode));
        if (isdir)
            add_dir(w, sub, NULL, true, content);
        free(sub);
    }
    closedir(dir);
    return 0;
}

/* Watch the content folder, the layout file's folder and layouts/ folders. */
static int watch_all(watcher *w, const jr_build_options *opt, const char *root)
{
    if (add_dir(w, root, NULL, true, true) != 0)
        return -1;
    if (opt->layout && jr_file_exists(opt->layout)) {
        const char *slash = strrchr(opt->layout, '/');
        char *dir = slash ? jr_xstrndup(opt->layout, (size_t)(slash - opt->layout)) : NULL;
        add_dir(w, dir ? (*dir ? dir : "/") : ".", slash ? slash + 1 : opt->layout, false, false);
        free(dir);
    }
    /* layouts/ next to the content folder and in the working folder, also
     * when made later (their parents are watched for that one name) */
    char *parent = jr_path_join(root, "..");
    const char *bases[] = {parent, "."};
    for (size_t i = 0; i < 2; i++) {
        add_dir(w, bases[i], "layouts", false, false);
        char *layouts = jr_path_join(bases[i], "layouts");
        if (jr_is_dir(layouts))
            add_dir(w, layouts, NULL, true, false);
        free(layouts);
    }
    free(parent);
    return 0;
}

/* Reads the pending events. Returns true if one of them is a reason to
 * rebuild; the first such file is kept in *what (owned by the caller). */
static bool read_events(watcher *w, const jr_build_options *opt, const char *root, char **what)
{
    bool change = false;
    _Alignas(struct inotify_event) char buf[16384];
    for (;;) {
        ssize_t len = read(w->fd, buf, sizeof buf);
        if (len <= 0)
            break;
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                watch_all(w, opt, root);
                change = true;
                continue;
            }
            if (ev->mask & IN_IGNORED) {
                forget_wd(w, ev->wd);
                continue;
            }
            watch_dir *d = find_wd(w, ev->wd);
            if (!d)
                continue;
            const char *name = ev->len ? ev->name : "";
            if (ev->len && ignored_name(name))
                continue;
            if (d->only && !only_has(d->only, name))
                continue;
            if (d->content && ev->len && !(ev->mask & IN_ISDIR) && !content_file(name))
                continue;
            char *path = ev->len ? jr_path_join(d->path, name) : jr_xstrdup(d->path);
            if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
                (d->recursive || d->only)) {
                if (is_output(w, path)) {
                    free(path);
                    continue;
                }
                /* a new edition folder, images/ folder or layouts/ */
                add_dir(w, path, NULL, true, d->content && d->recursive);
            }
            change = true;
            if (!*what)
                *what = path;
            else
                free(path);
        }
    }
    return change;
}

/* ---- the watch
 * ----------------------------------------------------------------- */

static void print_clock(void)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    printf("[%02d:%02d:%02d] ", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* One build; its usual stdout (the paths written) is left out, one line
 * says what happened instead (unless the layout dump goes to stdout). */
static void build_once(const jr_build_options *opt, const char *what)
{
    jr_diag_reset();
    fflush(stdout);
    bool keep = opt->dump_layout && strcmp(opt->dump_layout, "-") == 0;
    int saved = keep ? -1 : dup(STDOUT_FILENO);
    int null = keep ? -1 : open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0)
        dup2(null, STDOUT_FILENO);
    if (null >= 0)
        close(null);
    double t0 = now_ms();
    int status = jr_build_run(opt);
    double ms = now_ms() - t0;
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    fflush(stderr);
    int errors = jr_diag_count(JR_ERROR), warnings = jr_diag_count(JR_WARNING);
    print_clock();
    if (what)
        printf("%s changed: ", what);
    if (status == 0)
        printf("built in %.0f ms", ms);
    else
        printf("build failed in %.0f ms; the last good outputs are kept", ms);
    printf(" (%d error%s, %d warning%s)\n", errors, errors == 1 ? "" : "s", warnings,
           warnings == 1 ? "" : "s");
    fflush(stdout);
}

int jr_watch_run(const jr_build_options *opt)
{
    const char *root = opt->content_dir ? opt->content_dir : "articles";
    jr_build_options bopt = *opt;
    bopt.check_only = false;

    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP); /* the terminal closed */
    sigprocmask(SIG_BLOCK, &mask, &old);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

    watcher w = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC),
                 .out_dir = opt->out_dir ? opt->out_dir : "out"};
    int status = 0;
    if (sfd < 0 || w.fd < 0) {
        jr_diag(JR_E_WATCH, NULL, 0, 0, root, strerror(errno));
        status = 1;
        goto done;
    }
    if (!jr_is_dir(root) || watch_all(&w, opt, root) != 0) {
        jr_diag(JR_E_WATCH, NULL, 0, 0, root, jr_is_dir(root) ? strerror(errno) : "no such folder");
        status = 1;
        goto done;
    }

    build_once(&bopt, NULL);
    printf("watching %s for changes (Ctrl-C to stop)\n", root);
    fflush(stdout);

    char *what = NULL; /* the first file changed since the last build */
    bool pending = false;
    double last_event = 0;
    for (;;) {
        struct pollfd pf[2] = {{.fd = sfd, .events = POLLIN}, {.fd = w.fd, .events = POLLIN}};
        int timeout = -1;
        if (pending) {
            double left = last_event + DEBOUNCE_MS - now_ms();
            timeout = left > 0 ? (int)left + 1 : 0;
        }
        int n = poll(pf, 2, timeout);
        if (n < 0 && errno != EINTR)
            break;
        if (n > 0 && (pf[0].revents & POLLIN)) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof si) > 0)
                break;
        }
        if (n > 0 && (pf[1].revents & POLLIN)) {
            if (read_events(&w, opt, root, &what)) {
                pending = true;
                last_event = now_ms();
            }
            continue;
        }
        if (pending && now_ms() - last_event >= DEBOUNCE_MS) {
            build_once(&bopt, what);
            free(what);
            what = NULL;
            pending = false;
        }
    }
    free(what);
    printf("stopped watching %s\n", root);
    fflush(stdout);

done:
    for (size_t i = 0; i < w.ndirs; i++) {
        free(w.dirs[i].path);
        free(w.dirs[i].only);
    }
    free(w.dirs);
    if (w.fd >= 0)
        close(w.fd);
    if (sfd >= 0)
        close(sfd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return status;
}
