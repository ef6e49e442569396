/* internal.h — libchalk's private helpers (prefix ch__), shared by its modules.
 *
 * Not installed.  The argument checks here are what make bad input a clear
 * cell error instead of a crash: every public function checks its arguments
 * with them before touching GSL (GSL's own errors also end up in ch_fail, via
 * the handler ch_init installs, but their messages name GSL's files, not the
 * chalk function the student called).
 * Grouped by the file that defines them, from the bottom of the dependency
 * graph up: each file uses only the groups listed before its own (fail.c,
 * first, uses none), which keeps the graph acyclic.
 */
#ifndef CHALK_INTERNAL_H
#define CHALK_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include "chalk.h"

/* ---- fail.c: failing, and temporaries a failure frees ---- */

CH_NORETURN void ch__failv(const char *ename, const char *fmt, va_list ap);
/* The executor's fail hook (NULL: print and exit(1)); also installs GSL's error handler. */
void ch__set_fail_hook(void (*fail)(const char *ename, const char *evalue));

/* Temporaries of a function that calls user code (callbacks may ch_fail):
 * defer them, and ch_fail frees everything still deferred before ending the
 * cell, so a failing callback leaks nothing (tests longjmp and go on).
 *   size_t mark = ch__mark();  x = ch__defer_vec(...);  ...
 *   ch__forget(mark);  (normal exit: stop tracking, free as usual) */
size_t ch__mark(void);
gsl_vector *ch__defer_vec(gsl_vector *v);
gsl_matrix *ch__defer_mat(gsl_matrix *m);
void *ch__defer_mem(void *p);
void ch__forget(size_t mark);

/* ---- alloc.c: allocation that ends the cell with MemoryError instead of returning NULL ---- */

void *ch__xmalloc(size_t n);
void *ch__xcalloc(size_t n, size_t size);
void *ch__xrealloc(void *p, size_t n);
char *ch__xstrdup(const char *s); /* NULL stays NULL */
gsl_vector *ch__vec(size_t n);    /* calloc'd vector; n may be 0 -> fails (GSL cannot) */
gsl_matrix *ch__mat(size_t r, size_t c);

/* ---- buf.c: growable string buffer; ch__buf_* abort the cell (MemoryError) on OOM ---- */

typedef struct ch__buf {
    char *s;
    size_t len, cap;
} ch__buf;

void ch__buf_add(ch__buf *b, const char *s);
void ch__buf_addn(ch__buf *b, const char *s, size_t n);
void ch__buf_printf(ch__buf *b, const char *fmt, ...) CH_PRINTF(2, 3);
void ch__buf_vprintf(ch__buf *b, const char *fmt, va_list ap);
/* Append s as a quoted JSON string. */
void ch__buf_json(ch__buf *b, const char *s);
/* Hand over the string (never NULL); the buffer is emptied. */
char *ch__buf_take(ch__buf *b);

/* ---- argcheck.c: fn is the public name reported, what the argument name ---- */

void ch__need_vec(const char *fn, const char *what, const gsl_vector *v);
void ch__need_mat(const char *fn, const char *what, const gsl_matrix *A);
void ch__need_square(const char *fn, const char *what, const gsl_matrix *A);
void ch__need_same(const char *fn, const gsl_vector *a, const gsl_vector *b);
void ch__need_sym(const char *fn, const char *what, const gsl_matrix *A);
void ch__need_ptr(const char *fn, const char *what, const void *p);
void ch__need_prob(const char *fn, const char *what, const gsl_vector *p);
void ch__need_finite(const char *fn, const char *what, double x);

/* ---- decomp.c ---- */

/* Lower Cholesky factor of symmetric positive definite A (new); LinAlgError naming fn otherwise. */
gsl_matrix *ch__chol(const char *fn, const char *what, const gsl_matrix *A);
/* log det of A from its Cholesky factor L. */
double ch__chol_logdet(const gsl_matrix *L);

/* ---- check.c: the count of passing checks ---- */
extern int ch__checks;

#endif
