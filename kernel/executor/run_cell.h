/* run_cell.h — running one cell in the child (the holder's state: holder.h).
 *
 * executor.c forks; the child calls run_cell_child(), which compiles and runs
 * the cell.  It returns only when the cell succeeded and its effects are to
 * be kept (the child then becomes the holder); in every other case the child
 * reports and exits, and the holder's state is what it was.
 */
#ifndef CHALK_RUN_CELL_H
#define CHALK_RUN_CELL_H

#include <jansson.h>

#include "holder.h"

/* In the child, before its cell has come: the limits, signals and run-time
 * the cell runs under (they depend on the holder only), its messages to go
 * to cellfd. */
void run_cell_ready(holder_state *st, int cellfd);

/* In the child, once run_cell_ready has run: run the cell of `req` (an
 * execute message).  Returns only on success with effects kept. */
void run_cell_child(holder_state *st, json_t *req);

#endif
