/* magics.h — lines starting with `%` at the top of a cell.
 *
 * Most magics change the holder (compiler flags, limits, the session
 * itself) and so run in the holder, before any child is forked: they must
 * outlive the cell.  %timeit runs in the child, on the code it times.
 *
 *   %timeit STATEMENT        %%timeit (first line; times the rest of the cell)
 *   %cflags [-I.. -D.. pkg]  %ldflags [-L.. -lname pkg]   (no argument: show)
 *   %reset                   %who                        %limits [name=value ...]
 *   %prelude on|off          %help
 *
 * How a magic line is written (and so where it ends) is magic_syntax.h's,
 * shared with the splitter.
 */
#ifndef CHALK_MAGICS_H
#define CHALK_MAGICS_H

#include "holder.h"

/* Run the holder's magics at the top of `code`.  Returns 0 with *rest set to
 * the code still to run (the magic lines blanked so line numbers hold), or
 * to NULL when nothing is left (the reply has been sent); -1 when a magic
 * failed (the error and reply have been sent). */
int magics_run_in_holder(holder_state *st, const char *code, char **rest);

/* 1 if magics_run_in_holder would do anything with `code` (a line magic
 * the holder runs, or the exit request); changes nothing. */
int magics_for_holder(const char *code);

/* If `code` is a %timeit or %%timeit cell, set *timed to the code to time
 * (new string) and return 1; else 0. */
int magics_timeit_code(const char *code, char **timed);

#endif
