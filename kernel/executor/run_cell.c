/* run_cell.c — compile and run one cell in the child (see run_cell.h).
 *
 * Order matters: limits first (a cell must not escape them by compiling
 * forever), then the run-time hooks, then the compile; warnings of a cell
 * that compiles go to a display, never to stderr, because graders count any
 * stderr as a failure.
 */
#define _GNU_SOURCE
#include "run_cell.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "cell_runtime.h"
#include "show_value.h"
#include "compile.h"
#include "diagnose.h"
#include "images.h"
#include "isolate.h"
#include "magics.h"
#include "unsupported.h"

static void set_limit(int resource, rlim_t value)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) < 0)
        return;
    if (value == 0 || (rl.rlim_max != RLIM_INFINITY && value > rl.rlim_max))
        return;
    rl.rlim_cur = value;
    setrlimit(resource, &rl);
}

/* The address space limit counts what the holder already maps, so the cell
 * gets its allowance on top of that. */
static size_t mapped_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void apply_limits(const executor_limits *lim)
{
    if (lim->cpu_seconds > 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        set_limit(RLIMIT_CPU, (rlim_t)ceil(lim->cpu_seconds) + (rlim_t)ru.ru_utime.tv_sec +
                                  (rlim_t)ru.ru_stime.tv_sec);
    }
    if (lim->memory_bytes)
        set_limit(RLIMIT_AS, mapped_bytes() + lim->memory_bytes);
    if (lim->processes)
        set_limit(RLIMIT_NPROC, (rlim_t)lim->processes);
    if (lim->file_bytes)
        set_limit(RLIMIT_FSIZE, lim->file_bytes);
}

/* "cell[3]:4: error: ..." lines as an error's traceback. */
static json_t *lines_array(const char *text)
{
    json_t *a = json_array();
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p = nl ? nl + 1 : NULL;
    }
    return a;
}

static const char *first_line_with(const char *text, const char *needle, char *out, size_t outlen)
{
    const char *hit = strstr(text, needle);
    if (!hit)
        return NULL;
    const char *start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(hit, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, start, n);
    out[n] = 0;
    return out;
}

static void fail_compile(const char *diag)
{
    char line[512];
    const char *evalue = first_line_with(diag, "error:", line, sizeof line);
    if (!evalue)
        evalue = *diag ? diag : "compilation failed";
    cell_runtime_fail("CompileError", evalue, lines_array(diag));
}

/* The session's own refusal ("cell[2]:1: error: 'printf' is declared in
 * <stdio.h>; ..."), quoted like a compiler's message. */
static void fail_session(const char *err, const char *code, int cell)
{
    cellsrc_buf out = { 0 };
    diagnose_compile(err, code, cell, &out);
    if (!out.s || strncmp(out.s, "cell[", 5) != 0)
        cell_runtime_fail("CompileError", err, NULL);
    fail_compile(out.s);
}

/* libtcc's messages of cell `cell` (source `code`) in the user's words; a
 * bracket, string or comment left open is the cause to name, whatever
 * libtcc made of the code after it. */
static void fail_compile_cell(const char *diag, const char *code, int cell)
{
    cellsrc_buf out = { 0 };
    if (!diagnose_unbalanced(code, cell, 0, &out))
        diagnose_compile(diag, code, cell, &out);
    fail_compile(out.s ? out.s : diag);
}

/* Warnings of a cell that compiled: shown as a display, not stderr.  No
 * colour of the text and no opaque background: the theme's text colour on a
 * translucent orange tint reads in light and dark themes alike (JupyterLab's
 * --jp-warn-color3 is the same pale orange in both, under white text in the
 * dark one); the bar takes the theme's warning colour, with a fallback for
 * nbconvert's HTML and other front ends. */
static void show_warnings(const char *diag)
{
    cellsrc_buf html = { 0 };
    cellsrc_buf_add(&html, "<pre class=\"chalk-warnings\" style=\"background:rgba(255,152,0,0.12);"
                           "border-left:4px solid var(--jp-warn-color1,#f0ad4e);"
                           "padding:4px 8px;margin:0\">");
    for (const char *p = diag; *p; p++) {
        switch (*p) {
        case '<': cellsrc_buf_add(&html, "&lt;"); break;
        case '>': cellsrc_buf_add(&html, "&gt;"); break;
        case '&': cellsrc_buf_add(&html, "&amp;"); break;
        default: cellsrc_buf_addn(&html, p, 1);
        }
    }
    cellsrc_buf_add(&html, "</pre>");
    cell_runtime_send("display_data",
                json_pack("{s:{s:s, s:s}, s:{s:b}, s:{}}", "data", "text/plain", diag,
                          "text/html", html.s, "metadata", "chalk_warnings", 1, "transient"));
    cellsrc_buf_free(&html);
}

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Diagnostics name the run-time's stand-ins (`__chalk__exit`, see
 * cell_runtime_renames) as the user wrote them (`_exit`).  In place, from `from`
 * on: the text only gets shorter. */
static void plain_names(cellsrc_buf *diag, size_t from)
{
    static const char *const names[] = { "exit", "_exit", "_Exit", "quick_exit", "atexit",
                                         "at_quick_exit", "on_exit", "fclose", "pthread_create",
                                         "thrd_create", "abort", "__assert_fail", "_setjmp", "__sigsetjmp", "longjmp",
                                         "_longjmp", "siglongjmp" };
    if (!diag->s || from >= diag->len)
        return;
    char *w = diag->s + from;
    for (const char *r = w; *r;) {
        size_t skip = 0;
        int starts = r == diag->s || !is_ident_char(r[-1]);
        if (starts && strncmp(r, "__chalk_", 8) == 0)
            for (size_t i = 0; i < sizeof names / sizeof *names && !skip; i++) {
                size_t n = strlen(names[i]);
                if (strncmp(r + 8, names[i], n) == 0 && !is_ident_char(r[8 + n]))
                    skip = 8;
            }
        if (skip)
            r += skip;
        else
            *w++ = *r++;
    }
    *w = 0;
    diag->len = (size_t)(w - diag->s);
}

/* libtcc's names for our wrappers, in the words a user knows. */
static void tidy_report_line(const char *line, size_t n, json_t *out, int *unknown_frames)
{
    char buf[512];
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, line, n);
    buf[n] = 0;
    /* The generated wrapper main() is ours, not the user's; "<...>" names
     * code the session generated around the cell. */
    if (strstr(buf, " by main") || strstr(buf, " at main:") || buf[0] == '<')
        return;
    if (strstr(buf, "???") && (*unknown_frames)++ > 0)
        return;     /* frames inside libc: one line says enough */
    cellsrc_buf b = { 0 };
    for (const char *p = buf; *p;) {
        if (strncmp(p, "__chalk_body", 12) == 0) {
            cellsrc_buf_add(&b, "<cell>");
            p += 12;
        } else if (strncmp(p, "__chalk_user_main", 17) == 0) {
            cellsrc_buf_add(&b, "main");
            p += 17;
        } else {
            cellsrc_buf_addn(&b, p++, 1);
        }
    }
    json_array_append_new(out, json_string(b.s));
    cellsrc_buf_free(&b);
}

/* libtcc's report ("cell[2]:5: at f: RUNTIME ERROR: ...", then callers)
 * from the crash memfd, as traceback lines in the user's words. */
static json_t *crash_report_lines(const cell_runtime_crash *c)
{
    char report[8192] = "";
    if (c->report_fd >= 0) {
        ssize_t n = pread(c->report_fd, report, sizeof report - 1, 0);
        report[n > 0 ? n : 0] = 0;
    }
    json_t *lines = json_array();
    int unknown = 0;
    for (const char *p = report; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n)
            tidy_report_line(p, n, lines, &unknown);
        p += n + (nl != NULL);
    }
    return lines;
}

/* "cell[2]:5: at f: RUNTIME ERROR: ..." -> " at cell[2]:5 in f()" */
static void report_where(json_t *lines, char *where, size_t size)
{
    where[0] = 0;
    const char *first = json_string_value(json_array_get(lines, 0));
    const char *at = first ? strstr(first, ": at ") : NULL;
    if (at && strncmp(first, "cell[", 5) == 0) {
        const char *fn = at + 5, *colon = strchr(fn, ':');
        snprintf(where, size, " at %.*s", (int)(at - first), first);
        if (colon && colon - fn < 64 && strncmp(fn, "<cell>", 6) != 0)
            snprintf(where + strlen(where), size - strlen(where), " in %.*s()",
                     (int)(colon - fn), fn);
    }
}

static void fail_with_report(const char *ename, const char *evalue, json_t *lines)
{
    json_t *tb = json_array();
    json_array_append_new(tb, json_sprintf("%s: %s", ename, evalue));
    /* The first line is libtcc's own (it names a fault that did not happen
     * when the cell left early): the callers after it are what counts. */
    json_array_extend(tb, lines);
    json_decref(lines);
    cell_runtime_fail(ename, evalue, tb);
}

/* One frame of libtcc's crash report, in the user's words: "cell[3]:2" and
 * the function ("" for the cell's own body). */
typedef struct crash_frame {
    char where[48];
    char fn[64];
} crash_frame;

/* The cell's frames of libtcc's report ("cell[2]:5: at f: RUNTIME ERROR:
 * ...", then "cell[2]:7: by <caller>"), innermost first.  Frames outside the
 * cell's line tables (libc's, a raw address "at ???") and the generated
 * main() are not the user's code and are dropped. */
static size_t crash_frames(const cell_runtime_crash *c, crash_frame *out, size_t max)
{
    char report[8192] = "";
    if (c->report_fd >= 0) {
        ssize_t n = pread(c->report_fd, report, sizeof report - 1, 0);
        report[n > 0 ? n : 0] = 0;
    }
    size_t n = 0;
    for (char *p = report, *save = NULL; n < max && (p = strtok_r(p, "\n", &save)); p = NULL) {
        char *sep = strstr(p, ": at ");
        if (!sep)
            sep = strstr(p, ": by ");
        if (strncmp(p, "cell[", 5) != 0 || !sep || (size_t)(sep - p) >= sizeof out->where)
            continue;
        const char *fn = sep + 5;
        size_t fnlen = strcspn(fn, ":");
        if (fnlen == 4 && strncmp(fn, "main", 4) == 0)
            continue;       /* the generated wrapper */
        crash_frame *f = &out[n++];
        snprintf(f->where, sizeof f->where, "%.*s", (int)(sep - p), p);
        if (strncmp(fn, "__chalk_body", 12) == 0 || fn[0] == '<')
            f->fn[0] = 0;
        else if (strncmp(fn, "__chalk_user_main", 17) == 0)
            snprintf(f->fn, sizeof f->fn, "main");
        else
            snprintf(f->fn, sizeof f->fn, "%.*s", (int)fnlen, fn);
    }
    return n;
}

/* The cell crashed: one line naming the signal, the cell line and the
 * function; then, when the fault is deeper than the cell's body, its
 * callers ("called from cell[3]:2 in h()"), a recursion's repeats once. */
static void fail_crash(const cell_runtime_crash *c, const char *code, int cell)
{
    crash_frame frames[64];
    size_t n = crash_frames(c, frames, sizeof frames / sizeof *frames);
    const char *abbrev = sigabbrev_np(c->sig);
    char ename[32], evalue[1024], where[160] = "";
    snprintf(ename, sizeof ename, "SIG%s", abbrev ? abbrev : "?");
    /* A fault at a small address is a null pointer (or a member of a
     * struct behind one); any other address means nothing to a student. */
    const char *what = c->what[0] ? c->what
                       : c->stack_overflow ? "Stack overflow (runaway recursion?)"
                       : c->sig == SIGABRT ? "Aborted (abort() called)"
                       : c->code <= 0 ? strsignal(c->sig)       /* raise(), kill() */
                       : c->sig == SIGSEGV && (uintptr_t)c->addr < 4096
                           ? "Segmentation fault (null pointer)"
                       : c->sig == SIGSEGV ? "Segmentation fault (invalid memory access)"
                       : c->sig == SIGFPE && c->code == FPE_INTDIV
                           ? "Floating point exception (integer division by zero)"
                       : c->sig == SIGFPE ? "Floating point exception"
                       : c->sig == SIGBUS ? "Bus error"
                       : strsignal(c->sig);
    if (n)
        snprintf(where, sizeof where, " at %s%s%s%s", frames[0].where,
                 frames[0].fn[0] ? " in " : "", frames[0].fn, frames[0].fn[0] ? "()" : "");
    snprintf(evalue, sizeof evalue, "%s%s; the session is as it was before this cell", what,
             where);
    json_t *tb = json_array();
    json_array_append_new(tb, json_sprintf("%s: %s", ename, evalue));
    /* the line of this cell where it happened, as a compile error quotes it
     * (an earlier cell's source is not kept) */
    int k, line;
    char rest;
    if (n && sscanf(frames[0].where, "cell[%d]:%d%c", &k, &line, &rest) == 2 && k == cell) {
        cellsrc_buf q = { 0 };
        diagnose_quote_line(code, line, 0, &q);
        if (q.len > 1)
            json_array_append_new(tb, json_stringn(q.s, q.len - 1));
        cellsrc_buf_free(&q);
    }
    for (size_t i = 1; i < n; i++) {
        int repeats = 0;
        while (i + 1 < n && strcmp(frames[i].where, frames[i + 1].where) == 0 &&
               strcmp(frames[i].fn, frames[i + 1].fn) == 0) {
            i++;
            repeats = 1;
        }
        json_array_append_new(tb, json_sprintf("  called from %s%s%s%s%s", frames[i].where,
                                               frames[i].fn[0] ? " in " : "", frames[i].fn,
                                               frames[i].fn[0] ? "()" : "",
                                               repeats ? ", again and again" : ""));
    }
    cell_runtime_fail(ename, evalue, tb);
}

/* The cell left early (exit(), _exit(), a longjmp out of it): like
 * IPython's SystemExit, an error that says so, never "ok". */
static void fail_leave(const cell_runtime_crash *c)
{
    json_t *lines = crash_report_lines(c);
    char evalue[600], where[256];
    report_where(lines, where, sizeof where);
    /* libtcc's first line speaks of an invalid memory access: drop its
     * message, keep the place.  Code of an earlier cell is not in this
     * cell's line tables (a raw address "at ???"): then the place is the
     * first line of this cell on the way there. */
    json_t *tidy = json_array();
    size_t i;
    json_t *line;
    json_array_foreach(lines, i, line) {
        const char *t = json_string_value(line);
        if (!t || strstr(t, "???"))
            continue;
        const char *rt = strstr(t, ": RUNTIME ERROR:");
        json_array_append_new(tidy, rt ? json_stringn(t, (size_t)(rt - t)) : json_incref(line));
    }
    json_decref(lines);
    const char *first = json_string_value(json_array_get(tidy, 0));
    const char *by = first ? strstr(first, ": by ") : NULL;
    if (!where[0] && by && strncmp(first, "cell[", 5) == 0)
        snprintf(where, sizeof where, " in code of an earlier cell, called at %.*s",
                 (int)(by - first), first);
    snprintf(evalue, sizeof evalue, "%s%s; the session is as it was before this cell",
             c->leave_what, where);
    fail_with_report(c->leave_ename, evalue, tidy);
}

/* The backend of this child's cell: libtcc, or the system compiler for a
 * %%cc cell (compile.h). */
static const compile_backend *backend = &compile_backend_tcc;
static char *cc_flags;

static void *lookup(void *unit, const char *name)
{
    return backend->symbol(unit, name);
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void format_time(char *buf, size_t n, double s)
{
    if (s >= 1)
        snprintf(buf, n, "%.3g s", s);
    else if (s >= 1e-3)
        snprintf(buf, n, "%.3g ms", s * 1e3);
    else if (s >= 1e-6)
        snprintf(buf, n, "%.3g µs", s * 1e6);
    else
        snprintf(buf, n, "%.3g ns", s * 1e9);
}

/* %timeit: like IPython's — enough loops per run for 0.2 s, 7 runs, mean ±
 * standard deviation of the time per loop.  Nothing the timed code does is
 * kept (the child exits without handing over). */
static void timeit(int (*body)(int, char **))
{
    char *argv[] = { "cell", NULL };
    /* The cell has run once already, its output shown; the loops print
     * into /dev/null (and show nothing), or a printf in the timed code
     * would flood the notebook thousands of times over. */
    fflush(stdout);
    fflush(stderr);
    int out = dup(1), errfd = dup(2), devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
        close(devnull);
    }
    cell_runtime_mute(2);
    long loops = 1;
    for (;;) {
        double t0 = seconds_now();
        for (long i = 0; i < loops; i++)
            body(1, argv);
        double dt = seconds_now() - t0;
        if (dt >= 0.2 || loops >= 100000000L)
            break;
        loops *= dt < 0.02 ? 10 : 2;
    }
    enum { RUNS = 7 };
    double per[RUNS], mean = 0, var = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = seconds_now();
        for (long i = 0; i < loops; i++)
            body(1, argv);
        per[r] = (seconds_now() - t0) / (double)loops;
        mean += per[r] / RUNS;
    }
    for (int r = 0; r < RUNS; r++)
        var += (per[r] - mean) * (per[r] - mean) / (RUNS - 1);
    fflush(stdout);
    fflush(stderr);
    if (out >= 0 && errfd >= 0) {
        dup2(out, 1);
        dup2(errfd, 2);
    }
    cell_runtime_mute(1);
    char m[32], sd[32];
    format_time(m, sizeof m, mean);
    format_time(sd, sizeof sd, sqrt(var));
    printf("%s ± %s per loop (mean ± std. dev. of %d runs, %ld loop%s each)\n", m, sd, RUNS,
           loops, loops == 1 ? "" : "s");
}

/* The generated main() is renamed so that ours can arm the crash guard
 * first: tcc_run() installs libtcc's signal handlers just before it calls
 * main, and the guard must sit in front of them. */
/* exit() and the other library functions the run-time stands in for are
 * renamed for the whole unit, headers included (cell_runtime_renames), and main()
 * notes that the body returned: only then did the cell finish. */
static const char wrapper_head[] = "#define main __chalk_body\n";
static const char wrapper_tail[] =
    "\n#undef main\n"
    "void __chalk_arm(void);\nvoid __chalk_returned(void);\n"
    "int main(int argc, char **argv) { __chalk_arm(); int __chalk_rc = __chalk_body(argc, argv); "
    "__chalk_returned(); return __chalk_rc; }\n";

/* libtcc makes each cell's code executable with mprotect() on its piece of
 * the malloc heap, which splits the heap into two more mappings per cell.
 * fork() copies every mapping, so the holder would fork slower and slower as
 * cells accumulate.  Making the whole heap read-write-execute once per cell
 * lets the kernel merge those pieces back: libtcc's own mprotect then changes
 * nothing, and the mapping count stays flat.  (This libtcc maps cell code
 * writable and executable anyway.) */
static void unsplit_heap(void)
{
    /* Where the heap starts is read once (/proc/self/maps, 0.1-0.2 ms a
     * cell otherwise) and inherited by every later holder; it ends at the
     * break. */
    static unsigned long lo;
    if (!lo) {
        FILE *f = fopen("/proc/self/maps", "r");
        if (!f)
            return;
        char line[512];
        while (!lo && fgets(line, sizeof line, f)) {
            unsigned long a, b;
            if (strstr(line, "[heap]") && sscanf(line, "%lx-%lx", &a, &b) == 2)
                lo = a;
        }
        fclose(f);
    }
    unsigned long hi = (unsigned long)sbrk(0);
    if (lo && hi > lo)
        mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE | PROT_EXEC);
}

/* The tag of a trailing value __CHALK_SHOW could not take ("struct pt"
 * from "cannot convert 'struct pt' to 'const void *'"), or NULL. */
static const char *struct_value_tag(const char *diag, char *tag, size_t size)
{
    /* only when that is the cell's one error: after another one libtcc's
     * view of the value is not to be trusted (it can crash on its type) */
    const char *p = diag ? strstr(diag, "error: ") : NULL;
    if (!p || strncmp(p, "error: cannot convert '", 23) != 0 || strstr(p + 7, "error: "))
        return NULL;
    p = strstr(p, "cannot convert '");
    p += 16;
    const char *end = strchr(p, '\'');
    if (!end || strncmp(end, "' to 'const void *'", 19) != 0)
        return NULL;
    while (!strncmp(p, "const ", 6) || !strncmp(p, "extern ", 7) || !strncmp(p, "volatile ", 9))
        p = strchr(p, ' ') + 1;
    if ((strncmp(p, "struct ", 7) && strncmp(p, "union ", 6)) || (size_t)(end - p) >= size ||
        memchr(p, '"', (size_t)(end - p)) || memchr(p, '\\', (size_t)(end - p)))
        return NULL;
    snprintf(tag, size, "%.*s", (int)(end - p), p);
    return tag;
}

/* The unit of a prepared cell, compiled (NULL: see diag). */
static void *compile_prepared(holder_state *st, decl_store_prepared *prep, cellsrc_buf *src,
                              cellsrc_buf *diag, compile_symbol **syms_out)
{
    size_t nrt, nshow;
    const compile_symbol *rt = cell_runtime_symbols(&nrt);
    const compile_symbol *show = show_value_symbols(&nshow);
    free(*syms_out);
    compile_symbol *syms = calloc(prep->nsymbols + nrt + nshow, sizeof *syms);
    for (size_t i = 0; i < prep->nsymbols; i++)
        syms[i] = (compile_symbol){ prep->symbols[i].name, prep->symbols[i].addr };
    memcpy(syms + prep->nsymbols, rt, nrt * sizeof *rt);
    memcpy(syms + prep->nsymbols + nrt, show, nshow * sizeof *show);
    *syms_out = syms;
    cellsrc_buf_free(src);
    cellsrc_buf_add(src, cell_runtime_renames());
    cellsrc_buf_add(src, wrapper_head);
    cellsrc_buf_add(src, prep->source);
    cellsrc_buf_add(src, wrapper_tail);
    if (getenv("CHALK_DEBUG_SOURCE"))
        fprintf(stderr, "%s\n", src->s);
    compile_options opt = { st->cfg.tcc_libdir, st->cfg.include_path, st->cflags, st->ldflags,
                            cc_flags };
    return backend->unit(src->s, &opt, syms, prep->nsymbols + nrt + nshow, diag);
}

void run_cell_child(holder_state *st, int cellfd, json_t *req)
{
    const char *code = json_string_value(json_object_get(req, "code"));
    int count = (int)json_integer_value(json_object_get(req, "count"));
    int allow_stdin = json_is_true(json_object_get(req, "allow_stdin"));
    /* A user expression: run like a cell, shown value and all, but never
     * kept, so a front end's status query cannot change the session. */
    int evaluate = json_is_true(json_object_get(req, "evaluate"));
    /* The child must not outlive an interrupt: default SIGINT action. */
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    apply_limits(&st->limits);
    unsplit_heap();
    cell_runtime_begin(cellfd, allow_stdin);

    char err[1024];
    char *timed = NULL;
    int timing = !evaluate && magics_timeit_code(code ? code : "", &timed);
    if (timing)
        cell_runtime_mute(1);     /* the timed code's value is never shown */
    const char *source = timing ? timed : code ? code : "";
    char *cc_rest = NULL;
    /* the holder may be the child of a %%cc cell: this cell picks afresh */
    backend = &compile_backend_tcc;
    free(cc_flags);     /* the last %%cc cell's, if the holder ran one */
    cc_flags = NULL;
    if (compile_cc_magic(source, &cc_flags, &cc_rest)) {
        backend = &compile_backend_cc;
        source = cc_rest;
    } else if (st->cc_all) {
        backend = &compile_backend_cc;
    }
    decl_store_set_backend(st->store, backend == &compile_backend_cc);
    cellsrc_buf open_comment = { 0 };
    /* the splitter drops an unterminated comment with all after it */
    if (diagnose_unbalanced(source, count, 1, &open_comment))
        fail_compile(open_comment.s);
    decl_store_prepared *prep = NULL;
    if (unsupported_check(source, count, err, sizeof err) < 0)
        cell_runtime_fail("CompileError", err, NULL);
    if (decl_store_prepare(st->store, source, count, &prep, err,
                        sizeof err) < 0)
        fail_session(err, source, count);
    if (prep->nmagics) {
        /* the holder ran the line magics it knows and %timeit is taken
         * apart above: what is left is a magic chalk does not have */
        const cellsrc_magic *m = &prep->magics[0];
        char what[256];
        snprintf(what, sizeof what, "cell[%d]:%d: unknown magic %s%.64s (chalk's cell magics are "
                 "%%%%timeit and %%%%cc; %%help lists the line magics)", count, m->line,
                 m->cell_magic ? "%%" : "%", m->name);
        cell_runtime_fail("UsageError", what, NULL);
    }

    cellsrc_buf src = { 0 }, diag = { 0 }, first_diag = { 0 };
    compile_symbol *syms = NULL;
    void *unit = NULL;
    char tag[128] = "";
    /* A trailing value of struct type is no case of __CHALK_SHOW's: the
     * cell is compiled again to show its fields, or, failing that, a line
     * that says what it is (the cell's definitions are kept either way). */
    for (int attempt = 0;; attempt++) {
        unit = compile_prepared(st, prep, &src, &diag, &syms);
        if (unit || attempt == 2 || !prep->shows ||
            (attempt == 0 && !struct_value_tag(diag.s, tag, sizeof tag)))
            break;
        if (attempt == 0) {
            first_diag = diag;
            diag = (cellsrc_buf){ 0 };
            decl_store_show_struct(st->store, tag, 1);
        } else {
            decl_store_show_struct(st->store, tag, 0);
        }
        cellsrc_buf_free(&diag);
        decl_store_prepared_free(&prep);
        if (decl_store_prepare(st->store, source, count, &prep, err, sizeof err) < 0)
            fail_compile_cell(first_diag.s, source, count);
    }
    decl_store_show_struct(st->store, NULL, 0);
    if (!unit && first_diag.s) {
        cellsrc_buf_free(&diag);
        diag = first_diag;
    } else {
        cellsrc_buf_free(&first_diag);
    }
    plain_names(&diag, 0);
    if (!unit && unsupported_explain(source, count, diag.s ? diag.s : "", err, sizeof err) < 0)
        cell_runtime_fail("CompileError", err, NULL);
    if (!unit)
        fail_compile_cell(diag.s ? diag.s : "", source, count);
    if (backend == &compile_backend_tcc &&
        decl_store_check_unit(st->store, prep, st->cflags, unit, err, sizeof err) < 0)
        fail_session(err, source, count);
    size_t warned = diag.len;
    if (warned) {
        cellsrc_buf shown = { 0 };
        diagnose_compile(diag.s, source, count, &shown);
        show_warnings(shown.s ? shown.s : diag.s);
        cellsrc_buf_free(&shown);
    }

    int link_failed = 0;
    int rc = backend->run(unit, &diag, &link_failed);
    plain_names(&diag, warned);
    if (link_failed && abi_explain(diag.s + warned, source, count, err, sizeof err) < 0)
        cell_runtime_fail("CompileError", err, NULL);
    if (link_failed) {
        cellsrc_buf linked = { 0 };
        diagnose_compile(diag.s + warned, source, count, &linked);
        fail_compile(linked.s ? linked.s : diag.s + warned);
    }
    const cell_runtime_crash *crash = cell_runtime_crash_info();
    if (crash->leave_ename[0])
        fail_leave(crash);
    if (crash->sig)
        fail_crash(crash, source, count);
    fflush(stdout);
    fflush(stderr);
    if (!cell_runtime_body_returned()) {
        /* libtcc's own exit() (a path that escaped the renaming) longjmps
         * out with the status, 256 standing for 0. */
        char msg[160];
        snprintf(msg, sizeof msg, "exit(%d) called; the session is as it was before this cell",
                 rc == 256 ? 0 : rc);
        cell_runtime_fail("SystemExit", msg, NULL);
    }
    if (rc != 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "the cell's main() returned status %d", rc);
        cell_runtime_fail("Exit", msg, NULL);
    }
    if (timing) {
        timeit((int (*)(int, char **))backend->symbol(unit, "__chalk_body"));
        cell_runtime_send("execute_done", json_pack("{s:s, s:b}", "status", "ok", "keep", 0));
        _exit(0);
    }
    if (evaluate) {
        int last = cell_runtime_result_is_last();
        cell_runtime_send("execute_done", json_pack("{s:s, s:b, s:b}", "status", "ok", "keep", 0,
                                              "last_result", last));
        _exit(0);
    }
    /* What would reach the holder: threads, child processes, the
     * kernel's descriptors. */
    const char *left = isolate_leftovers(cell_runtime_running_threads(), err, sizeof err);
    if (left)
        cell_runtime_fail(left, err, NULL);
    if (decl_store_commit(st->store, prep, lookup, unit, err, sizeof err) < 0)
        cell_runtime_fail("KernelError", err, NULL);

    json_t *defined = json_array(), *declared = json_object();
    size_t nnames;
    decl_store_name *names = decl_store_names(st->store, &nnames);
    for (size_t i = 0; i < prep->ndefines; i++) {
        json_array_append_new(defined, json_string(prep->defines[i]));
        for (size_t k = nnames; k-- > 0;)        /* the newest entry of the name */
            if (!strcmp(names[k].name, prep->defines[i]) && names[k].decl) {
                json_object_set_new(declared, prep->defines[i], json_string(names[k].decl));
                break;
            }
    }
    free(names);
    int last = cell_runtime_result_is_last();
    cell_runtime_send("execute_done", json_pack("{s:s, s:o, s:o, s:b}", "status", "ok", "defined", defined,
                                          "declared", declared, "last_result", last));
    cellsrc_buf_free(&src);
    cellsrc_buf_free(&diag);
    free(syms);
    free(cc_rest);
    /* Only the unit's image is kept (the session points into it), not the
     * compiler's state; that of a cell that defined nothing is freed once
     * nothing points into it (images.h).  After the reply, off the cell's
     * time. */
    int defines = prep->ndefines > 0;
    decl_store_prepared_free(&prep);
    compile_options opt = { st->cfg.tcc_libdir, st->cfg.include_path, st->cflags, st->ldflags,
                            NULL };
    compile_image img;
    /* (a %%cc cell's unit is a shared object, kept whole) */
    if (backend == &compile_backend_tcc && compile_keep_image(unit, &opt, &img) == 0 && !defines)
        images_candidate(img);
}
