/* unsupported.h — one clear answer for the C that libtcc 0.9.27 cannot run.
 *
 * libtcc has no C99 complex types (<complex.h>, _Complex), no 128-bit
 * integers (__int128), no atomics (<stdatomic.h>, _Atomic) and no
 * type-generic math (<tgmath.h>), and a cell's top-level variables are
 * file-scope objects that outlive the cell, so their size must be a
 * constant.  Without these checks the user sees what libtcc says on the
 * way (`',' expected (got "__z")` from inside a header), which names
 * neither the feature nor a way out.  Each message says what is not
 * supported and what to write instead.
 *
 * Beware: the checks read tokens, so a feature named only through a header
 * of the cell's own (#include "x.h") still fails with libtcc's message.
 */
#ifndef CHALK_UNSUPPORTED_H
#define CHALK_UNSUPPORTED_H

#include <stddef.h>

/* Before compiling: -1 with "cell[K]:L: error: ..." in err when the cell
 * uses one of the features above outside #if blocks, else 0.  Inside an
 * #if block the feature may sit in a branch libtcc never compiles
 * (`#ifdef __SIZEOF_INT128__`, which libtcc does not define): it is named
 * by unsupported_explain once the compile fails on its line. */
int unsupported_check(const char *code, int cell_number, char *err, size_t errlen);

/* After a failed compile: -1 with a clearer message in err when `diag`
 * (libtcc's diagnostics for the cell) is one the features above explain
 * (a top-level variable-length array, a feature inside an #if block on the
 * line of the first error), else 0. */
int unsupported_explain(const char *code, int cell_number, const char *diag, char *err,
                        size_t errlen);

#endif
