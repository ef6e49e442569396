/* fail.c — how a libchalk call fails: ch_fail, the kernel's fail hook, GSL's
 * errors and the temporaries a failing call would otherwise leak.
 *
 * A failure ends the cell: through the fail hook the executor installs (see
 * runtime.c, which hands it here), or in a plain program by printing
 * "ename: message" on stderr and exit(1).  GSL's own errors arrive through
 * the handler ch_init installs and become GSLError.
 * Beware: a fail hook must not return (the kernel ends the cell, tests
 * longjmp); if it does, we abort rather than continue with bad data.  Every
 * other module depends on this one, so it depends on none of them.
 */
#include <stdarg.h>
#include <gsl/gsl_errno.h>
#include "internal.h"

static void (*fail_hook)(const char *ename, const char *evalue);
static int inited;

static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    ch_fail("GSLError", "%s (%s:%d, gsl_errno=%d)", reason ? reason : "?", file ? file : "?", line,
            gsl_errno);
}

void ch__set_fail_hook(void (*fail)(const char *ename, const char *evalue))
{
    fail_hook = fail;
    /* the kernel calls ch_set_runtime before every cell, so a cell's
     * gsl_set_error_handler_off() lasts only for that cell */
    inited = 1;
    gsl_set_error_handler(gsl_handler);
}

void ch_init(void)
{
    if (inited)
        return;
    inited = 1;
    gsl_set_error_handler(gsl_handler);
}

/* ---- deferred temporaries (see internal.h) ---- */

#define DEFER_MAX 256
static struct {
    void *p;
    char kind;
} deferred[DEFER_MAX];
static size_t ndeferred, nuntracked;

size_t ch__mark(void)
{
    return ndeferred + nuntracked;
}

static void *defer(void *p, char kind)
{
    if (!p)
        return p;
    if (ndeferred < DEFER_MAX && nuntracked == 0) {
        deferred[ndeferred].p = p;
        deferred[ndeferred++].kind = kind;
    } else {
        nuntracked++; /* too deep: not freed on failure, but marks stay consistent */
    }
    return p;
}

gsl_vector *ch__defer_vec(gsl_vector *v)
{
    return defer(v, 'v');
}
gsl_matrix *ch__defer_mat(gsl_matrix *m)
{
    return defer(m, 'm');
}
void *ch__defer_mem(void *p)
{
    return defer(p, 'p');
}

void ch__forget(size_t mark)
{
    while (ndeferred + nuntracked > mark) {
        if (nuntracked)
            nuntracked--;
        else
            ndeferred--;
    }
}

static void free_deferred(void)
{
    while (ndeferred > 0) {
        ndeferred--;
        void *p = deferred[ndeferred].p;
        switch (deferred[ndeferred].kind) {
        case 'v': gsl_vector_free(p); break;
        case 'm': gsl_matrix_free(p); break;
        default: free(p);
        }
    }
    nuntracked = 0;
}

/* ---- failing ---- */

void ch__failv(const char *ename, const char *fmt, va_list ap)
{
    char stackbuf[1024];
    char *msg = stackbuf;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(stackbuf, sizeof stackbuf, fmt, ap);
    if (n >= (int)sizeof stackbuf) {
        char *big = malloc((size_t)n + 1);
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, ap2);
            msg = big;
        }
    }
    va_end(ap2);
    if (!ename)
        ename = "Error";
    /* the message is formatted: temporaries it might mention are no longer needed */
    free_deferred();
    if (fail_hook) {
        fail_hook(ename, msg);
        /* the hook broke its contract: stopping is safer than going on */
        abort();
    }
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", ename, msg);
    exit(1);
}

void ch_fail(const char *ename, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch__failv(ename, fmt, ap);
}

/* The student versions of the notebooks put CH_NOT_WRITTEN() where a solution
 * was: the function still compiles, so later cells see it, and each call says
 * which function is unfinished and where its stub is (a cell's __FILE__ is
 * "cell[N]", its lines are the cell's own). */
void ch_not_written(const char *func, const char *file, int line)
{
    ch_fail("NotImplemented", "%s() is not written yet (%s:%d)",
            func && *func ? func : "this function", file && *file ? file : "?", line);
}
