/* run_cell.h — the holder's state and running one cell in the child.
 *
 * executor.c forks; the child calls run_cell_child(), which compiles and runs
 * the cell.  It returns only when the cell succeeded and its effects are to
 * be kept (the child then becomes the holder); in every other case the child
 * reports and exits, and the holder's state is what it was.
 */
#ifndef CHALK_RUN_CELL_H
#define CHALK_RUN_CELL_H

#include <jansson.h>

#include "executor.h"
#include "decl_store.h"

typedef struct executor_state {
    executor_config cfg;
    executor_limits limits;      /* current limits (%limits changes them) */
    char *cflags;                /* accumulated %cflags, or NULL */
    char *ldflags;               /* accumulated %ldflags, or NULL */
    decl_store *store;
    char *flatten_options;       /* -I options for flattening headers */
    int warn_given;              /* the prelude's failure was reported once */
    int warm;                    /* the prelude is flattened and indexed */
} executor_state;

void executor_state_init(executor_state *st, const executor_config *cfg);
/* Flatten and index the prelude if that is not done yet (35-100 ms, once). */
void executor_state_warm(executor_state *st);

/* In the child: run the cell of `req` (an execute message).  Returns only on
 * success with effects kept. */
void run_cell_child(executor_state *st, int cellfd, json_t *req);

/* Messages to the kernel from the holder (executor.c). */
void executor_reply(const char *msg_type, json_t *content);
void executor_done(const char *status, const char *ename, const char *evalue, json_t *extra);
void executor_error(const char *ename, const char *evalue, json_t *traceback);

#endif
