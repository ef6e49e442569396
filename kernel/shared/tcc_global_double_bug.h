/* tcc_global_double_bug.h — the workaround for libtcc 0.9.27's reads of a
 * global double (or float) operand given by tcc_add_symbol: the cell's code
 * reads every earlier variable through a pointer instead.
 *
 * Delete when chalk requires a libtcc that reads such an operand right (a
 * cell `double xa = 1, xb = 2;` then `xa + xb` showing 3 without it): this
 * file and its header, the three calls in decl_store.c (search for
 * tcc_global_double_bug_), and the `dbl` member of its rewriter;
 * test_session's and the engine tests' float cases say whether it is still
 * needed.
 */
#ifndef CHALK_TCC_GLOBAL_DOUBLE_BUG_H
#define CHALK_TCC_GLOBAL_DOUBLE_BUG_H

#include "cellsrc.h"
#include "strbuf.h"

typedef struct tcc_global_double_bug {
    char **targets; /* the earlier variables the cell uses */
    size_t ntargets;
    cellsrc_is_type_fn is_type; /* typedef names known outside the text */
    void *ctx;
} tcc_global_double_bug;

/* `text` (code) with each use of a target `x` written `(*__chalk_p_x)`,
 * unless the text declares its own `x`.  A new string. */
char *tcc_global_double_bug_deref(const char *text, const tcc_global_double_bug *rw);

/* A `#define` line with its body rewritten the same way (the expansion
 * lands in code); the macro's parameters shadow targets of the same name.
 * A new string. */
char *tcc_global_double_bug_define(const char *text, const tcc_global_double_bug *rw);

/* The pointer the rewritten code reads `name` through, for the unit's
 * declarations (after name's own). */
void tcc_global_double_bug_pointer(strbuf *b, const char *name);

#endif
