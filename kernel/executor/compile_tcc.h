/* compile_tcc.h — the libtcc backend: one translation unit in, runnable code
 * in memory out.
 *
 * One of the backends behind compile.h (compile_backend_tcc); the system
 * compiler's, for %%cc cells, is compile_cc.c.
 */
#ifndef CHALK_COMPILE_TCC_H
#define CHALK_COMPILE_TCC_H

#include <stddef.h>

#include "compile.h"

/* Compile `source` into memory and resolve it, with `syms` (earlier cells'
 * globals, the kernel's runtime hooks) added as known symbols.  Diagnostics
 * (warnings and errors, one per line, already naming cell[N]:line) are
 * appended to `diag`.  Returns the state, ready for compile_run(), or NULL
 * when compilation failed.
 * Trap: the state owns the cell's code and data; deleting it frees them, so a
 * cell that succeeded keeps its state for the rest of the session. */
void *compile_unit(const char *source, const compile_options *opt,
                   const compile_symbol *syms, size_t nsyms, strbuf *diag);

/* Link and run the unit's main() under libtcc's crash reporting (it prints
 * "cell[N]:L: at f: RUNTIME ERROR: ..." to stderr and returns 255 on a
 * fault).  Returns main's value or the status passed to exit(); sets
 * *link_failed (and appends to diag) when an undefined symbol stopped it. */
int compile_run(void *unit, strbuf *diag, int *link_failed);

/* Address of a global the unit defines, or NULL. */
void *compile_symbol_addr(void *unit, const char *name);

/* "tcc 0.9.27" or similar, for language_info. */
const char *compile_backend_version(void);

#endif
