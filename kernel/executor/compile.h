/* compile.h — the compile backends behind one small set of functions.
 *
 * A cell is one translation unit (session.h builds it); a backend turns it
 * into code in this process, runs its main() and finds the globals it
 * defines.  libtcc (compile_tcc.c) compiles in milliseconds and does not
 * optimise; the system C compiler (compile_cc.c, a `%%cc` cell) optimises
 * and costs a process start and a link per cell.  cellrun.c picks one per
 * cell, the way redis's ae.c picks ae_epoll.c or ae_kqueue.c; everything
 * around the compiled code (limits, the crash guard, output, shown values,
 * rollback by fork) is the same for both.
 *
 * Beware: both backends run main() under a signal handler of their own that
 * the crash guard (cellrt.c) puts itself in front of and calls with its
 * report memfd as stderr; a backend's report is libtcc's format, one frame a
 * line: "cell[K]:L: at FN: RUNTIME ERROR: ...", then "cell[K]:L: by FN".
 */
#ifndef CHALK_COMPILE_H
#define CHALK_COMPILE_H

#include <stddef.h>

#include "cellsrc.h"

typedef struct compile_symbol {
    const char *name;
    const void *addr;
} compile_symbol;

typedef struct compile_options {
    const char *tcc_libdir;   /* libtcc1.a and tcc's own headers */
    const char *include_path; /* ':'-separated */
    const char *cflags;       /* extra options as on tcc's command line, or NULL */
    const char *ldflags;      /* -L/-l options, or NULL */
    const char *cc_flags;     /* a %%cc cell's own FLAGS (compile_cc.c), or NULL */
} compile_options;

typedef struct compile_backend {
    const char *name; /* "tcc", "cc" */
    /* Compile `source`; diagnostics appended to diag; NULL on failure. */
    void *(*unit)(const char *source, const compile_options *opt, const compile_symbol *syms,
                  size_t nsyms, strbuf *diag);
    /* Link and run main(); as compile_run (compile_tcc.h). */
    int (*run)(void *unit, strbuf *diag, int *link_failed);
    /* A global the unit defines, after run; NULL if none. */
    void *(*symbol)(void *unit, const char *name);
} compile_backend;

extern const compile_backend compile_backend_tcc;
extern const compile_backend compile_backend_cc;

/* A `%%cc [FLAGS]` cell: 1 with *flags (the rest of the first line, new
 * string) and *rest (the cell with that line blanked, so line numbers
 * hold; new string); 0 for any other cell. */
int compile_cc_magic(const char *code, char **flags, char **rest);

#endif
