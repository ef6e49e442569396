/* decl_store.h — the declaration store: what earlier cells declared, and
 * the translation unit that lets a new cell see it.  (It was called the
 * "session"; that word now means only the user's sequence of cells, and the
 * Jupyter session id in wire.h.)
 *
 * The executor holds one store.  For each cell it forks; the child calls
 * decl_store_prepare, compiles prepared->source with libtcc, adds
 * prepared->symbols with tcc_add_symbol, relocates, runs main(), and on
 * success calls decl_store_commit and becomes the new holder.  So a failed
 * cell never touches the holder's store: there is no undo.
 *
 * Layout of a translation unit:
 *   headers (only the chunks the cell needs, or all: decl_store_set_full_headers)
 *   session macros, types, then `extern` declarations / prototypes of the
 *   earlier variables and functions the cell references (minus the names the
 *   cell defines itself: the newest definition wins); each such variable
 *   also gets `static __typeof__(x) *const __chalk_p_x = &x;` and the cell's
 *   code says `(*__chalk_p_x)` for `x` (libtcc 0.9.27 reads a global float
 *   right operand resolved by tcc_add_symbol from a PLT stub; see
 *   deref_globals in decl_store.c)
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
 *   refuses it, decl_store_check_unit refuses what only the compiled unit shows;
 * - a trailing assignment (`x = 3`) or increment is run, not shown.
 */
#ifndef CHALK_DECL_STORE_H
#define CHALK_DECL_STORE_H

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
#define DECL_STORE_DEFAULT_PRELUDE                                                                 \
    "#include <chalk.h>\n#include <stdint.h>\n#include <stdbool.h>\n#include <limits.h>\n"         \
    "#include <float.h>\n#include <assert.h>\n#include <time.h>\n"

typedef struct decl_store decl_store;

typedef struct decl_store_symbol {
    const char *name;
    void *addr;
} decl_store_symbol;

typedef struct decl_store_prepared {
    char *source;               /* the translation unit for tcc_compile_string */
    decl_store_symbol *symbols; /* pass each to tcc_add_symbol before relocating */
    size_t nsymbols;
    char **defines; /* variables and functions the cell defines */
    size_t ndefines;
    int shows;                   /* main() ends with __CHALK_SHOW((expr)) */
    int defines_main;            /* the cell's own main is renamed __chalk_user_main
                                     and called (argc 1, argv {"cell", NULL}) */
    const cellsrc_magic *magics; /* leading %lines, in order */
    size_t nmagics;
    struct decl_store_private *priv; /* the split cell, a new header index */
} decl_store_prepared;

typedef struct decl_store_name {
    const char *name;
    const char *kind; /* "variable" "function" "type" "macro" "declaration" */
    const char *decl; /* e.g. "double *v", "int f(int a);" */
} decl_store_name;

/* `prelude`: the source flattened for every cell; NULL means
 * "#include <chalk.h>\n", "" means none.  `options`: tcc options for the
 * flattening (e.g. "-I/usr/share/chalk/include"), may be NULL.  Nothing is
 * flattened yet (see decl_store_warm). */
decl_store *decl_store_new(const char *prelude, const char *options);
void decl_store_destroy(decl_store **self_p);

/* Flatten and index the prelude now (30-40 ms), so that the first cell
 * does not pay it, in every child again if it fails.  Call it in the
 * holder before the first fork.  0 / -1 with err. */
int decl_store_warm(decl_store *self, char *err, size_t errlen);

/* Prebuilt indexes to try before flattening (header_index.h): a
 * ':'-separated list of files, the first one valid for this prelude and
 * these options wins; none valid, or NULL, builds in memory.  Call before
 * decl_store_warm. */
void decl_store_set_index_files(decl_store *self, const char *paths);
/* Whether decl_store_warm took the prelude's index from a file. */
int decl_store_index_mapped(const decl_store *self);
/* Flatten and index the prelude in memory and write the result to `path`
 * for later stores to map.  0 / -1 with err. */
int decl_store_write_index(decl_store *self, const char *path, char *err, size_t errlen);

/* 1: emit the whole flattened headers instead of the closure (the safe
 * fallback if the closure ever misses something).  Default 0. */
void decl_store_set_full_headers(decl_store *self, int on);
/* The next prepare shows its trailing value as the struct or union `tag`
 * ("struct pt"): its fields (fields = 1) or a one-line summary (0); NULL
 * returns to the usual display.  The executor sets it to retry a cell whose
 * value the usual display could not take. */
void decl_store_show_struct(decl_store *self, const char *tag, int fields);

/* The cells prepared and committed from now on are compiled by the system
 * compiler (cc = 1, a %%cc cell) or by libtcc (0, the default).  A function
 * one of them defined reaches a cell of the other kind with abi_refuse's
 * label (abi.h): libtcc passes some small structs by value in other
 * registers than gcc, so such a call is refused, never a wrong value. */
void decl_store_set_backend(decl_store *self, int cc);

/* Build the translation unit of a cell.  `cell_number` names the cell in
 * #line (cell[K]).  A cell #including a header the session has not seen yet
 * flattens the headers again (once; kept by commit).  Returns 0 and a new
 * *out (free with decl_store_prepared_free), or -1 with err (e.g. a header
 * that does not exist).  Does not modify the session apart from caches. */
int decl_store_prepare(decl_store *self, const char *code, int cell_number,
                       decl_store_prepared **out, char *err, size_t errlen);

/* The library-name rule on what text cannot show (reserved.h): the
 * session's %cflags (`cflags`, may be NULL) and the global symbols of the
 * compiled libtcc `unit` (before relocation), except those the session
 * added.  0, or -1 with a compile error at the cell's line in err. */
int decl_store_check_unit(decl_store *self, const decl_store_prepared *prepared, const char *cflags,
                          void *unit, char *err, size_t errlen);

/* The address of `name` in the cell's relocated state (tcc_get_symbol). */
typedef void *(*decl_store_lookup_fn)(void *ctx, const char *name);

/* Record what a cell that ran successfully defined: macros, includes,
 * types, variables and functions (their addresses come from lookup).
 * Returns 0, or -1 when a defined name has no address (err says which;
 * everything else is still recorded).  `prepared` stays owned by the caller. */
int decl_store_commit(decl_store *self, decl_store_prepared *prepared, decl_store_lookup_fn lookup,
                      void *ctx, char *err, size_t errlen);

void decl_store_prepared_free(decl_store_prepared **p);

/* Persisted names in definition order (for %who and completion).  The
 * strings belong to the session and live until its next commit or reset;
 * free only the array. */
decl_store_name *decl_store_names(const decl_store *self, size_t *n);

/* Forget every cell (the prelude's flattened headers are kept). */
void decl_store_reset(decl_store *self);

#endif
