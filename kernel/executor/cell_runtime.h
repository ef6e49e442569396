/* cell_runtime.h — what a running cell can call back into: the cell run-time.
 *
 * Lives in the child process that runs one cell.  Everything the cell
 * produces other than its raw stdout/stderr bytes leaves through the cell
 * socket as messages: shown values, displays from the helper library, input
 * requests, the error that ends a failed cell.  Before any message is sent,
 * stdout and stderr are flushed, so the kernel (which drains the output pipes
 * before publishing a message) keeps everything in the order the cell made it.
 */
#ifndef CHALK_CELL_RUNTIME_H
#define CHALK_CELL_RUNTIME_H

#include <jansson.h>
#include <signal.h>
#include <stddef.h>

#include "compile_tcc.h"

/* The signal the holder sends the cell's process once the kernel has
 * reached the cell's output cap: from then on the process's stdout and
 * stderr go to /dev/null, and how much was written there is reported
 * (message "output_dropped" {"bytes": n}) before the cell's last message. */
#define CELL_RUNTIME_MUTE_SIGNAL (SIGRTMIN + 3)

/* Set up the run-time for the next cell to run in this process, whose
 * messages go to cellfd: called while the process waits for the cell, so
 * nothing here may depend on the request. */
void cell_runtime_begin(int cellfd);

/* Whether the front end answers input requests (the request's allow_stdin). */
void cell_runtime_allow_stdin(int allow);

/* Send {"msg_type":type,"content":content} to the kernel (steals content). */
void cell_runtime_send(const char *msg_type, json_t *content);

/* End a cell that succeeded and is kept: execute_done with content (stolen)
 * and, once it is sent, the process is the session's.  When the holder
 * has nothing of this cell's to pass on, the process writes execute_done to
 * the kernel's channel (kernel_fd) itself, after a note "committed" on the
 * cell socket that tells the holder the cell is kept (the socket keeps it
 * even if the process dies next); otherwise it goes through the holder, as
 * every other message does, to stay behind them. */
void cell_runtime_send_done(json_t *content, int kernel_fd);

/* End the cell as an error (ename, evalue, traceback lines) and exit the
 * child: the session stays as it was before the cell. */
void cell_runtime_fail(const char *ename, const char *evalue, json_t *traceback)
    __attribute__((noreturn));

/* The kernel's functions that generated code calls (__chalk_show_*, the
 * crash guard, the interposed library functions), to be added to every unit
 * with tcc_add_symbol. */
const compile_symbol *cell_runtime_symbols(size_t *n);

/* #define lines to put in front of every unit: exit, _exit, _Exit,
 * quick_exit, atexit, at_quick_exit, on_exit, fclose, pthread_create,
 * thrd_create and (x86-64) _setjmp, __sigsetjmp, longjmp, _longjmp,
 * siglongjmp become the run-time's __chalk_NAME. */
const char *cell_runtime_renames(void);

/* Crash information recorded by the guard, if the cell faulted. */
typedef struct cell_runtime_crash {
    int sig;    /* 0: no crash */
    int code;   /* siginfo si_code */
    void *addr; /* faulting address */
    int stack_overflow;
    int report_fd;        /* memfd that received libtcc's report */
    char leave_ename[32]; /* the cell left early (exit, a bad longjmp): */
    char leave_what[200]; /*   e.g. "SystemExit", "exit(0) called"; "" if not */
    char what[200];       /* a crash's own words ("Assertion `n > 0' failed"), or "" */
} cell_runtime_crash;
const cell_runtime_crash *cell_runtime_crash_info(void);

/* 1 if the cell wrote nothing (output, messages, files) since the last value
 * it showed (or showed none): that value may be the cell's result. */
int cell_runtime_result_is_last(void);

/* The shortest %g that reads back as v (at most 17 digits), into out;
 * nan, inf and -inf as Python writes them.  Shown values and struct fields
 * (show_value.c) both print reals this way. */
void cell_runtime_shortest_double(double v, char *out, size_t size);
/* The same for a float (at most 9 digits) and a long double (at most 21):
 * a float shows as 0.33333334, not as the double 0.3333333432674408 it
 * widens to, and a long double shows all the digits it holds. */
void cell_runtime_shortest_float(float v, char *out, size_t size);
void cell_runtime_shortest_long_double(long double v, char *out, size_t size);

/* Threads the cell's code started (pthread_create, thrd_create) that have
 * not finished. */
int cell_runtime_running_threads(void);

/* 1 once the generated main() saw the cell's body return. */
int cell_runtime_body_returned(void);

/* %timeit: 1 drops shown values, 2 also displays and clear_output. */
void cell_runtime_mute(int level);

/* Write errors of the helper library and GSL into cell errors. */
void cell_runtime_install_library_hooks(void);

#endif
