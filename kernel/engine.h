/* engine.h — the language side of the kernel, as dispatch sees it.
 *
 * The engine owns the executor: a separate process lineage (started from
 * the chalk-executor program) that holds the C session (compiled cells,
 * their globals) and runs each cell in a fork of itself, so a crash or an
 * interrupt loses only that cell.  Dispatch never blocks on it:
 * engine_execute() only starts a cell; everything the cell produces arrives
 * later through the sink, while the loop keeps polling the descriptors that
 * engine_pollfds() names and calls engine_on_readable().
 *
 * Everything the sink receives is already shaped as the content of a Jupyter
 * iopub message, so dispatch only adds headers and parents:
 *   "stream"          {name, text}
 *   "display_data"    {data, metadata, transient}
 *   "update_display_data" {data, metadata, transient}
 *   "clear_output"    {wait}
 *   "execute_result"  {data, metadata}       (dispatch adds execution_count)
 *                     at most one per cell, just before execute_done with
 *                     status "ok": a value shown any earlier, or in a cell
 *                     that fails, arrives as display_data (see engine.c)
 *   "error"           {ename, evalue, traceback}
 * and two that are not iopub messages:
 *   "input_request"   {prompt, password}     (dispatch sends it on stdin)
 *   "execute_done"    {status: "ok"|"error"|"aborted", ename?, evalue?,
 *                      traceback?}  — the cell is over; dispatch replies.
 * The sink steals the reference to content.
 */
#ifndef CHALK_ENGINE_H
#define CHALK_ENGINE_H

#include <jansson.h>
#include <stddef.h>

typedef struct chalk_engine chalk_engine;

typedef void (*chalk_engine_sink)(void *ctx, const char *msg_type, json_t *content);

/* Start the executor (the chalk-executor program; CHALK_EXECUTOR names
 * another).  Its settings come from the environment (see executor.h);
 * `limits` ("wall=60,cpu=60", from the kernel's --limits, or NULL) are
 * ceilings the session's %limits cannot raise.  Returns NULL and logs on
 * failure (a malformed `limits` too). */
chalk_engine *engine_new(const char *limits);
void engine_destroy(chalk_engine **self_p);

/* Start running a cell.  Returns 0, or -1 if a cell is already running.
 * `count` is the execution count the cell will be shown with (used in the
 * cell's name in error messages: cell[count]). */
int engine_execute(chalk_engine *self, const char *code, int count, int allow_stdin, int silent);
/* Evaluate one user expression (execute_request's user_expressions) in the
 * session as it is now: it runs like a cell whose code is the expression,
 * without stdin, and is never kept, whatever it does.  Its value arrives as
 * an execute_result (or display_data), a failure as an error; then
 * execute_done.  Returns 0, or -1 as engine_execute. */
int engine_evaluate(chalk_engine *self, const char *expr, int count);
int engine_busy(const chalk_engine *self);

/* Stream text is published in batches (engine.c says why): the loop must
 * call engine_on_timeout() once engine_timeout_ms() milliseconds have passed
 * (-1: nothing is waiting; 0: now). */
int engine_timeout_ms(const chalk_engine *self);
void engine_on_timeout(chalk_engine *self, chalk_engine_sink sink, void *ctx);

/* The front end answered an input_request. */
void engine_input_reply(chalk_engine *self, const char *value);

/* Stop the running cell (if any) within a second; the session keeps the
 * state it had before that cell.  Safe to call from the loop at any time. */
void engine_interrupt(chalk_engine *self);

/* Throw the session away and start a fresh executor. */
int engine_restart(chalk_engine *self);

/* Descriptors the loop must poll for input; returns how many were written. */
int engine_pollfds(const chalk_engine *self, int *fds, int max);
/* One of them is readable: read what is there and deliver it. */
void engine_on_readable(chalk_engine *self, int fd, chalk_engine_sink sink, void *ctx);

/* Editor help, answered in the kernel process at once (also while a cell
 * runs).  Return new references. */
json_t *engine_complete(chalk_engine *self, const char *code,
                        int cursor_pos); /* complete_reply content minus status */
json_t *engine_inspect(chalk_engine *self, const char *code, int cursor_pos,
                       int detail); /* inspect_reply content minus status */
const char *engine_is_complete(chalk_engine *self, const char *code,
                               const char **indent); /* "complete"|"incomplete"|"invalid" */

#endif
