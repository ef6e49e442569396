/* holder.h — the holder: what the executor keeps between cells, its channel
 * to the kernel, and the replies it sends there.
 *
 * The holder is the process of the executor's lineage that holds the
 * session (executor.h): the declaration store of every cell that
 * succeeded, the accumulated %cflags/%ldflags and the per-cell limits.  A
 * cell's child is a fork of it and becomes the next holder when the cell
 * succeeds, so this state and the channel pass from process to process by
 * fork, never by copying.
 *
 * Dependencies run one way: run_cell.c and magics.c use this module, the
 * fork/relay loop (executor.c) uses all three, and nothing here includes
 * them back (tests/structure/test_include_graph.py checks it).
 */
#ifndef CHALK_HOLDER_H
#define CHALK_HOLDER_H

#include <jansson.h>

#include "decl_store.h"
#include "executor.h"

typedef struct holder_state {
    executor_config cfg;
    executor_limits limits; /* current limits (%limits changes them) */
    char *cflags;           /* accumulated %cflags, or NULL */
    char *ldflags;          /* accumulated %ldflags, or NULL */
    decl_store *store;
    char *flatten_options; /* -I options for flattening headers */
    int warn_given;        /* the prelude's failure was reported once */
    int warm;              /* the prelude is flattened and indexed */
    int cc_all;            /* %cc on: every cell is a %%cc cell */
} holder_state;

/* `chan`: the holder's end of the channel to the kernel (every process of
 * the lineage inherits it). */
void holder_init(holder_state *st, const executor_config *cfg, int chan);
/* Flatten and index the prelude if that is not done yet (35-100 ms, once). */
void holder_warm(holder_state *st);

/* Return the heap's free pages to the system (malloc_trim) and libtcc's
 * hash table's (tcc_scratch.h): a holder that was a cell's child still
 * holds the freed libtcc state of the cell it compiled (0.1-0.2 MB
 * resident) and that table (128 KB), and the spare forked next would share
 * them.  Call it before forking the spare, never while compiling. */
void holder_trim(void);

/* The channel to the kernel (-1 before holder_init). */
int holder_channel(void);

/* Messages to the kernel, from the holder or the cell's child.  A kernel
 * that is gone ends the process (_exit(0)): nobody is left to answer. */
void holder_reply(const char *msg_type, json_t *content);
/* "execute_done" with `status`; ename/evalue when an error; `extra` (stolen,
 * may be NULL) carries further fields. */
void holder_done(const char *status, const char *ename, const char *evalue, json_t *extra);
/* An "error" message (traceback NULL: one line "ename: evalue") and then
 * "execute_done" with status "error". */
void holder_error(const char *ename, const char *evalue, json_t *traceback);

#endif
