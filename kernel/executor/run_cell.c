/* run_cell.c — compile and run one cell in the child (see run_cell.h).
 *
 * Order matters: limits first (a cell must not escape them by compiling
 * forever), then the run-time hooks, then the compile; warnings of a cell
 * that compiles go to a display, never to stderr, because graders count any
 * stderr as a failure.  The limits and the hooks depend only on the holder,
 * so they are set while the process waits for its cell (run_cell_ready):
 * that is off the cell's time.
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
#include "alloc.h"
#include "cell_report.h"
#include "cell_runtime.h"
#include "compile.h"
#include "diagnose.h"
#include "images.h"
#include "isolate.h"
#include "magics.h"
#include "show_value.h"
#include "tcc_scratch.h"
#include "timeit.h"
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

/* The backend of this child's cell: libtcc, or the system compiler for a
 * %%cc cell (compile.h). */
static const compile_backend *backend = &compile_backend_tcc;
static char *cc_flags;

static void *lookup(void *unit, const char *name)
{
    return backend->symbol(unit, name);
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
static void *compile_prepared(holder_state *st, decl_store_prepared *prep, strbuf *src,
                              strbuf *diag, compile_symbol **syms_out)
{
    size_t nrt, nshow;
    const compile_symbol *rt = cell_runtime_symbols(&nrt);
    const compile_symbol *show = show_value_symbols(&nshow);
    free(*syms_out);
    compile_symbol *syms = alloc_zeroed((prep->nsymbols + nrt + nshow) * sizeof *syms);
    for (size_t i = 0; i < prep->nsymbols; i++)
        syms[i] = (compile_symbol){ prep->symbols[i].name, prep->symbols[i].addr };
    memcpy(syms + prep->nsymbols, rt, nrt * sizeof *rt);
    memcpy(syms + prep->nsymbols + nrt, show, nshow * sizeof *show);
    *syms_out = syms;
    strbuf_free(src);
    strbuf_add(src, cell_runtime_renames());
    strbuf_add(src, wrapper_head);
    strbuf_add(src, prep->source);
    strbuf_add(src, wrapper_tail);
    if (getenv("CHALK_DEBUG_SOURCE"))
        fprintf(stderr, "%s\n", src->s);
    compile_options opt = { st->cfg.tcc_libdir, st->cfg.include_path, st->cflags, st->ldflags,
                            cc_flags };
    return backend->unit(src->s, &opt, syms, prep->nsymbols + nrt + nshow, diag);
}

void run_cell_ready(holder_state *st, int cellfd)
{
    /* The child must not outlive an interrupt: default SIGINT action. */
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    apply_limits(&st->limits);
    unsplit_heap();
    cell_runtime_begin(cellfd);
    compile_options opt = { st->cfg.tcc_libdir, st->cfg.include_path, st->cflags, st->ldflags,
                            NULL };
    compile_tcc_ahead(&opt);
}

void run_cell_child(holder_state *st, json_t *req)
{
    const char *code = json_string_value(json_object_get(req, "code"));
    int count = (int)json_integer_value(json_object_get(req, "count"));
    cell_runtime_allow_stdin(json_is_true(json_object_get(req, "allow_stdin")));
    /* A user expression: run like a cell, shown value and all, but never
     * kept, so a front end's status query cannot change the session. */
    int evaluate = json_is_true(json_object_get(req, "evaluate"));

    char err[1024];
    char *timed = NULL;
    int timing = !evaluate && magics_timeit_code(code ? code : "", &timed);
    if (timing)
        cell_runtime_mute(1); /* the timed code's value is never shown */
    const char *source = timing ? timed : code ? code : "";
    char *cc_rest = NULL;
    /* the holder may be the child of a %%cc cell: this cell picks afresh */
    backend = &compile_backend_tcc;
    free(cc_flags); /* the last %%cc cell's, if the holder ran one */
    cc_flags = NULL;
    if (compile_cc_magic(source, &cc_flags, &cc_rest)) {
        backend = &compile_backend_cc;
        source = cc_rest;
    } else if (st->cc_all) {
        backend = &compile_backend_cc;
    }
    if (backend != &compile_backend_tcc)
        compile_tcc_ahead(NULL); /* not to be kept by the next holder */
    else
        tcc_scratch_populate();
    decl_store_set_backend(st->store, backend == &compile_backend_cc);
    strbuf open_comment = { 0 };
    /* the splitter drops an unterminated comment with all after it */
    if (diagnose_unbalanced(source, count, 1, &open_comment))
        cell_report_compile_error(open_comment.s);
    decl_store_prepared *prep = NULL;
    if (unsupported_check(source, count, err, sizeof err) < 0) {
        /* the message names libtcc, which a %%cc cell seems not to use */
        size_t n = strlen(err);
        if (backend == &compile_backend_cc)
            snprintf(err + n, sizeof err - n,
                     " (a %%%%cc cell too: the session's later cells, tcc's, read what it declares "
                     "and includes)");
        cell_runtime_fail("CompileError", err, NULL);
    }
    if (decl_store_prepare(st->store, source, count, &prep, err, sizeof err) < 0)
        cell_report_store_error(err, source, count);
    if (prep->nmagics) {
        /* the holder ran the line magics it knows and %timeit is taken
         * apart above: what is left is a magic chalk does not have */
        const cellsrc_magic *m = &prep->magics[0];
        char what[256];
        snprintf(what, sizeof what,
                 "cell[%d]:%d: unknown magic %s%.64s (chalk's cell magics are "
                 "%%%%timeit and %%%%cc; %%help lists the line magics)",
                 count, m->line, m->cell_magic ? "%%" : "%", m->name);
        cell_runtime_fail("UsageError", what, NULL);
    }

    strbuf src = { 0 }, diag = { 0 }, first_diag = { 0 };
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
            diag = (strbuf){ 0 };
            decl_store_show_struct(st->store, tag, 1);
        } else {
            decl_store_show_struct(st->store, tag, 0);
        }
        strbuf_free(&diag);
        decl_store_prepared_free(&prep);
        if (decl_store_prepare(st->store, source, count, &prep, err, sizeof err) < 0)
            cell_report_compile_errors(first_diag.s, source, count);
    }
    decl_store_show_struct(st->store, NULL, 0);
    if (!unit && first_diag.s) {
        strbuf_free(&diag);
        diag = first_diag;
    } else {
        strbuf_free(&first_diag);
    }
    cell_report_plain_names(&diag, 0);
    if (!unit && unsupported_explain(source, count, diag.s ? diag.s : "", err, sizeof err) < 0)
        cell_runtime_fail("CompileError", err, NULL);
    if (!unit)
        cell_report_compile_errors(diag.s ? diag.s : "", source, count);
    if (backend == &compile_backend_tcc &&
        decl_store_check_unit(st->store, prep, st->cflags, unit, err, sizeof err) < 0)
        cell_report_store_error(err, source, count);
    size_t warned = diag.len;
    if (warned) {
        strbuf shown = { 0 };
        diagnose_compile(diag.s, source, count, &shown);
        cell_report_warnings(shown.s ? shown.s : diag.s);
        strbuf_free(&shown);
    }

    int link_failed = 0;
    int rc = backend->run(unit, &diag, &link_failed);
    cell_report_plain_names(&diag, warned);
    if (link_failed && abi_explain(diag.s + warned, source, count, err, sizeof err) < 0)
        cell_runtime_fail("CompileError", err, NULL);
    if (link_failed) {
        strbuf linked = { 0 };
        diagnose_compile(diag.s + warned, source, count, &linked);
        cell_report_compile_error(linked.s ? linked.s : diag.s + warned);
    }
    const cell_runtime_crash *crash = cell_runtime_crash_info();
    if (crash->leave_ename[0])
        cell_report_leave(crash);
    if (crash->sig)
        cell_report_crash(crash, source, count);
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
        timeit_run((int (*)(int, char **))backend->symbol(unit, "__chalk_body"));
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
        for (size_t k = nnames; k-- > 0;) /* the newest entry of the name */
            if (!strcmp(names[k].name, prep->defines[i]) && names[k].decl) {
                json_object_set_new(declared, prep->defines[i], json_string(names[k].decl));
                break;
            }
    }
    free(names);
    int last = cell_runtime_result_is_last();
    cell_runtime_send_done(json_pack("{s:s, s:o, s:o, s:b}", "status", "ok", "defined", defined,
                                     "declared", declared, "last_result", last),
                           holder_channel());
    strbuf_free(&src);
    strbuf_free(&diag);
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
