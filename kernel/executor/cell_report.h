/* cell_report.h — what the user is told about a cell that did not compile,
 * crashed or left early, and the warnings of one that compiled.
 *
 * Lives in the cell's child.  Every cell_report_* that reports a failure
 * ends the child (the session stays as it was before the cell).
 */
#ifndef CHALK_CELL_REPORT_H
#define CHALK_CELL_REPORT_H

#include <stddef.h>

#include "cell_runtime.h"
#include "strbuf.h"

#define CELL_REPORT_ENDS __attribute__((noreturn))

/* A CompileError whose value is the first "error:" line of `diag` (all of
 * it the traceback). */
void cell_report_compile_error(const char *diag) CELL_REPORT_ENDS;
/* The declaration store's refusal of cell `cell` (source `code`), quoted
 * like a compiler's message. */
void cell_report_store_error(const char *err, const char *code, int cell) CELL_REPORT_ENDS;
/* libtcc's messages in the user's words; an open bracket, string or
 * comment is the cause named. */
void cell_report_compile_errors(const char *diag, const char *code, int cell) CELL_REPORT_ENDS;
/* A crash: the signal, where in the cell, its callers. */
void cell_report_crash(const cell_runtime_crash *c, const char *code, int cell) CELL_REPORT_ENDS;
/* exit(), _exit(), a longjmp out of the cell: an error that says so. */
void cell_report_leave(const cell_runtime_crash *c) CELL_REPORT_ENDS;

/* The warnings of a cell that compiled, as a display (never stderr:
 * graders count any stderr as a failure). */
void cell_report_warnings(const char *diag);
/* The run-time's stand-ins in diag from offset `from` on (`__chalk__exit`)
 * written as the user wrote them (`_exit`). */
void cell_report_plain_names(strbuf *diag, size_t from);

#endif
