/* tap.h — the one assertion helper of chalk's C tests (header-only).
 *
 * Every assertion prints one TAP line on stdout, `ok N - name` or
 * `not ok N - name` followed by a diagnostic `# file:line: expected ..., got
 * ...`; tap_done() prints the plan `1..N` and returns the exit status (1 if
 * anything failed).  automake's tap-driver.sh turns each line into one
 * `:test-result:` of the program's .trs file, so `make check` and
 * tests/summary.sh count assertions, not programs.  An assertion records its
 * failure and goes on, so one run shows every broken case.
 *
 * Beware:
 * - nothing else a test prints on stdout may start with "ok", "not ok",
 *   "1.." or "Bail out!" (the driver would read it as a result); free text
 *   goes to stderr or behind "# ";
 * - a program that dies before tap_done() has no plan: the driver reports
 *   that as an ERROR, so a crash can never read as a pass;
 * - tap_bail() is for a test that cannot go on (a missing data file): the
 *   driver reports "Bail out!" as an ERROR.
 */
#ifndef CHALK_TEST_TAP_H
#define CHALK_TEST_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed;

/* One result.  name is what the line shows; on failure fmt (printf-style,
 * may be NULL) is the diagnostic after "file:line: ".  Returns ok, so a test
 * can skip what depends on a failed step. */
__attribute__((format(printf, 5, 6), unused)) static int
tap_result(int ok, const char *file, int line, const char *name, const char *fmt, ...)
{
    tap_count++;
    if (ok) {
        printf("ok %d - %s\n", tap_count, name);
    } else {
        tap_failed++;
        printf("not ok %d - %s\n", tap_count, name);
        char diag[8192] = "";
        if (fmt) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(diag, sizeof diag, fmt, ap);
            va_end(ap);
        }
        /* Every line of a diagnostic is a TAP comment, or the driver would
         * see stray lines (or a line that reads as a result). */
        printf("# %s:%d: ", file, line);
        for (const char *p = diag; *p; p++) {
            putchar(*p);
            if (*p == '\n' && p[1])
                fputs("#   ", stdout);
        }
        putchar('\n');
    }
    /* A crash right after must not lose the lines that say how far it got. */
    fflush(stdout);
    return ok;
}

/* The name of a result given by a format (loops over cases). */
__attribute__((format(printf, 1, 2), unused)) static const char *tap_name(const char *fmt, ...)
{
    static char name[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    /* A newline would end the TAP line early and leave a stray line behind. */
    for (char *p = name; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return name;
}

/* cond must hold; the line is named by the condition's text. */
#define CHECK(cond) tap_result(!!(cond), __FILE__, __LINE__, #cond, "expected %s, got false", #cond)

/* cond must hold; the line is named by the condition, the diagnostic by the
 * format that follows (what was expected and what came). */
#define OK(cond, ...) tap_result(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

/* A named result: TAP_OK(cond, name, diagnostic format, ...). */
#define TAP_OK(cond, name, ...) tap_result(!!(cond), __FILE__, __LINE__, (name), __VA_ARGS__)

/* Two strings must be equal (NULL is never equal). */
#define CHECK_STREQ(got, want)                                                                     \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        tap_result(g_ &&w_ &&strcmp(g_, w_) == 0, __FILE__, __LINE__, #got " == " #want,           \
                   "expected \"%s\", got \"%s\"", w_ ? w_ : "(null)", g_ ? g_ : "(null)");         \
    } while (0)

/* got within atol + rtol*|exp| of exp (equal values always pass: infinities). */
static inline int tap_close(double got, double exp, double rtol, double atol)
{
    if (got == exp)
        return 1;
    return fabs(got - exp) <= atol + rtol * fabs(exp);
}

#define CLOSE(got, exp, rtol, atol)                                                                \
    do {                                                                                           \
        double g_ = (got), e_ = (exp);                                                             \
        tap_result(tap_close(g_, e_, rtol, atol), __FILE__, __LINE__, #got " ~ " #exp,             \
                   "expected %s = %.17g, got %s = %.17g (rtol %g, atol %g)", #exp, e_, #got, g_,   \
                   (double)(rtol), (double)(atol));                                                \
    } while (0)

/* Stop: the test cannot go on (its data is missing).  Counts as an error. */
__attribute__((format(printf, 1, 2), noreturn, unused)) static void tap_bail(const char *fmt, ...)
{
    va_list ap;
    fputs("Bail out! ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    exit(1);
}

/* The plan, a one-line summary, and the exit status (0 only if all passed). */
static inline int tap_done(void)
{
    printf("1..%d\n# %d passed, %d failed\n", tap_count, tap_count - tap_failed, tap_failed);
    fflush(stdout);
    return tap_failed ? 1 : 0;
}

#endif
