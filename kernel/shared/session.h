/* session.h — what earlier cells declared, and the translation unit that
 * lets a new cell see it.
 *
 * The executor holds one session.  For each cell it forks; the child calls
 * session_prepare, compiles prepared->source with libtcc, adds
 * prepared->symbols with tcc_add_symbol, relocates, runs main(), and on
 * success calls session_commit and becomes the new holder.  So a failed
 * cell never touches the holder's session: there is no undo.
 *
 * Layout of a translation unit:
 *   headers (only the chunks the cell needs, or all: session_set_full_headers)
 *   session macros, types, then `extern` declarations / prototypes of the
 *   earlier variables and functions the cell references (minus the names the
 *   cell defines itself: the newest definition wins); each such variable
 *   also gets `static __typeof__(x) *const __chalk_p_x = &x;` and the cell's
 *   code says `(*__chalk_p_x)` for `x` (libtcc 0.9.27 reads a global float
 *   right operand resolved by tcc_add_symbol from a PLT stub; see
 *   deref_globals in session.c)
 *   the __CHALK_SHOW macro (when the cell ends in an expression)
 *   the cell's file-scope items, each after `#line N "cell[K]"`
 *   int main(int argc, char **argv) { statements and initialisations in
 *   order; __CHALK_SHOW((expr)); return 0; }
 *
 * Beware (known limits, all visible as compile errors or stale values):
 * - functions compiled by earlier cells keep pointing at the objects that
 *   existed then; redefining a variable or function does not re-link them;
 * - initializers run in main() in source order; arrays too when they are
 *   sized and their braced initializer names identifiers; an unsized array
 *   (`double a[] = {x, y}`) keeps its initializer at file scope, where it
 *   must be constant;
 * - statements run in main() after all of the cell's file-scope items, so a
 *   statement cannot use a macro the cell #undefs after it; #if/#ifdef
 *   blocks are copied to both places and work; a #define inside an inactive
 *   #if block is still recorded for later cells;
 * - a cell's `#define _GNU_SOURCE` does not reach the headers (they are
 *   flattened once, as ISO C11 + POSIX.1-2008: HEADERS_FEATURES);
 * - a cell cannot define or declare a library name (reserved.h): prepare
 *   refuses it, session_check_unit refuses what only the compiled unit shows;
 * - a trailing assignment (`x = 3`) or increment is run, not shown.
 */
#ifndef CHALK_SESSION_H
#define CHALK_SESSION_H

#include <stddef.h>
#include "cellsrc.h"

/* What every cell sees unless CHALK_PRELUDE or %prelude says otherwise: the
 * helper library (which brings stdio, stdlib, string, math and GSL's vectors
 * and matrices) and the ISO C headers a notebook reaches for, read as ISO C11
 * plus POSIX.1-2008 (HEADERS_FEATURES).  No POSIX header: its names (link,
 * read, sleep) are the user's until a cell includes it.  Only the
 * declarations a cell uses are compiled, so a long list costs nothing per
 * cell.  Whatever the prelude, the names these headers declare stay reserved
 * (reserved.h). */
#define SESSION_DEFAULT_PRELUDE                                                      \
    "#include <chalk.h>\n#include <stdint.h>\n#include <stdbool.h>\n#include <limits.h>\n" \
    "#include <float.h>\n#include <assert.h>\n#include <time.h>\n"

typedef struct session session;

typedef struct session_symbol {
    const char *name;
    void *addr;
} session_symbol;

typedef struct session_prepared {
    char *source;                 /* the translation unit for tcc_compile_string */
    session_symbol *symbols;      /* pass each to tcc_add_symbol before relocating */
    size_t nsymbols;
    char **defines;               /* variables and functions the cell defines */
    size_t ndefines;
    int shows;                    /* main() ends with __CHALK_SHOW((expr)) */
    int defines_main;             /* the cell's own main is renamed __chalk_user_main
                                     and called (argc 1, argv {"cell", NULL}) */
    const cellsrc_magic *magics;  /* leading %lines, in order */
    size_t nmagics;
    struct session_private *priv; /* the split cell, a new header index */
} session_prepared;

typedef struct session_name {
    const char *name;
    const char *kind;             /* "variable" "function" "type" "macro" "declaration" */
    const char *decl;             /* e.g. "double *v", "int f(int a);" */
} session_name;

/* `prelude`: the source flattened for every cell; NULL means
 * "#include <chalk.h>\n", "" means none.  `options`: tcc options for the
 * flattening (e.g. "-I/usr/share/chalk/include"), may be NULL.  Nothing is
 * flattened yet (see session_warm). */
session *session_new(const char *prelude, const char *options);
void session_destroy(session **self_p);

/* Flatten and index the prelude now (30-40 ms), so that the first cell
 * does not pay it, in every child again if it fails.  Call it in the
 * holder before the first fork.  0 / -1 with err. */
int session_warm(session *self, char *err, size_t errlen);

/* 1: emit the whole flattened headers instead of the closure (the safe
 * fallback if the closure ever misses something).  Default 0. */
void session_set_full_headers(session *self, int on);
/* The next prepare shows its trailing value as the struct or union `tag`
 * ("struct pt"): its fields (fields = 1) or a one-line summary (0); NULL
 * returns to the usual display.  The executor sets it to retry a cell whose
 * value the usual display could not take. */
void session_show_struct(session *self, const char *tag, int fields);

/* Build the translation unit of a cell.  `cell_number` names the cell in
 * #line (cell[K]).  A cell #including a header the session has not seen yet
 * flattens the headers again (once; kept by commit).  Returns 0 and a new
 * *out (free with session_prepared_free), or -1 with err (e.g. a header
 * that does not exist).  Does not modify the session apart from caches. */
int session_prepare(session *self, const char *code, int cell_number,
                    session_prepared **out, char *err, size_t errlen);

/* The library-name rule on what text cannot show (reserved.h): the
 * session's %cflags (`cflags`, may be NULL) and the global symbols of the
 * compiled libtcc `unit` (before relocation), except those the session
 * added.  0, or -1 with a compile error at the cell's line in err. */
int session_check_unit(session *self, const session_prepared *prepared, const char *cflags,
                       void *unit, char *err, size_t errlen);

/* The address of `name` in the cell's relocated state (tcc_get_symbol). */
typedef void *(*session_lookup_fn)(void *ctx, const char *name);

/* Record what a cell that ran successfully defined: macros, includes,
 * types, variables and functions (their addresses come from lookup).
 * Returns 0, or -1 when a defined name has no address (err says which;
 * everything else is still recorded).  `prepared` stays owned by the caller. */
int session_commit(session *self, session_prepared *prepared, session_lookup_fn lookup,
                   void *ctx, char *err, size_t errlen);

void session_prepared_free(session_prepared **p);

/* Persisted names in definition order (for %who and completion).  The
 * strings belong to the session and live until its next commit or reset;
 * free only the array. */
session_name *session_names(const session *self, size_t *n);

/* Forget every cell (the prelude's flattened headers are kept). */
void session_reset(session *self);

#endif
