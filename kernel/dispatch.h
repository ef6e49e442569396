/* dispatch.h — Jupyter requests to handlers: busy/idle, counts, history.
 *
 * Dispatch turns decoded messages into engine calls and engine events into
 * iopub messages and replies.  It never blocks: an execute_request starts a
 * cell and returns; the reply and the idle status go out when the engine
 * reports "execute_done".  Shell requests that arrive meanwhile wait in a
 * queue, in order; control and stdin are served at once.  When a cell fails
 * with stop_on_error, the execute_requests already queued are answered
 * "aborted" (as ipykernel does).
 * Beware: dispatch owns no socket; it talks through transport_send only.
 */
#ifndef CHALK_DISPATCH_H
#define CHALK_DISPATCH_H

#include "engine.h"
#include "sign.h"
#include "transport.h"

typedef struct dispatch dispatch;

/* Borrows all three; they must outlive the dispatch. */
dispatch *dispatch_new(transport *t, sign *sg, chalk_engine *eng);
void dispatch_destroy(dispatch **self_p);

/* Publish status "starting" and fill *h with dispatch's callbacks. */
void dispatch_start(dispatch *self, transport_handler *h);

/* After the loop ended: 1 if a shutdown_request asked for a restart. */
int dispatch_restart_requested(const dispatch *self);

#endif
