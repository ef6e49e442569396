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

/* In the child: run the cell of `req` (an execute message).  Returns only on
 * success with effects kept. */
void run_cell_child(holder_state *st, int cellfd, json_t *req);

#endif
