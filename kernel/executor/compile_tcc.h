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
void *compile_unit(const char *source, const compile_options *opt, const compile_symbol *syms,
                   size_t nsyms, strbuf *diag);

/* Make the state the next compile_unit with the same options will use, now:
 * in the cell's process while it waits for its cell.  A state made this way
 * and not used (a %%cc cell, other options) is deleted by the next call;
 * NULL only deletes it. */
void compile_tcc_ahead(const compile_options *opt);

/* Link and run the unit's main() under libtcc's crash reporting (it prints
 * "cell[N]:L: at f: RUNTIME ERROR: ..." to stderr and returns 255 on a
 * fault).  Returns main's value or the status passed to exit(); sets
 * *link_failed (and appends to diag) when an undefined symbol stopped it. */
int compile_run(void *unit, strbuf *diag, int *link_failed);

/* Address of a global the unit defines, or NULL. */
void *compile_symbol_addr(void *unit, const char *name);

/* The relocated code and data of a unit that ran: one block. */
typedef struct compile_image {
    void *start;
    size_t size;
} compile_image;

/* Free the compiler's state of a unit that has run (sections, symbol and
 * line tables), keeping its image, which the session's addresses point
 * into.  0 with *out, or -1 when this build cannot (the unit is then left
 * as it was: keep it).  After it, `unit` is gone; only *out remains. */
int compile_keep_image(void *unit, const compile_options *opt, compile_image *out);

/* Free an image no address points into any more. */
void compile_free_image(compile_image *img);

/* "tcc 0.9.27" or similar, for language_info. */
const char *compile_backend_version(void);

#endif
