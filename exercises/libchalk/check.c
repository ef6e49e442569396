/* check.c — the vocabulary of checking cells.
 *
 * A passing check prints exactly one line on stdout ("✓ name: ...") and is
 * counted; a failing check ends the cell through ch_fail("CheckFailed", ...)
 * with expected, got and the tolerance in the message, so nbconvert and
 * nbgrader see an error.  Nothing goes to stderr when checks pass.
 * Closeness is NumPy's isclose rule |got - expected| <= atol + rtol*|expected|;
 * beware that it is not symmetric in got and expected, exactly as in NumPy.
 * NaN never passes (NaN compares false), and a NaN tolerance is refused.
 * A passing close check says "|diff| D \u2264 T" with T = atol + rtol*|expected|,
 * the very test it passed: a relative error would read "inf" (a failure, to
 * a student) whenever the expected value is 0.  Vectors and matrices name
 * the entry that came nearest to its own tolerance.
 */
#include <stdarg.h>
#include "internal.h"

int ch__checks;

int ch_checks_passed(void)
{
    return ch__checks;
}

static const char *nm(const char *name)
{
    return name && *name ? name : "check";
}

static void pass(const char *name, const char *fmt, ...) CH_PRINTF(2, 3);
static void pass(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("\u2713 %s: ", nm(name));
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    fflush(stdout);
    ch__checks++;
}

static void need_tol(const char *fn, const char *name, double rtol, double atol)
{
    if (!(rtol >= 0) || !(atol >= 0) || !isfinite(rtol) || !isfinite(atol))
        ch_fail("ValueError", "%s(%s): tolerances must be finite and >= 0, got rtol=%g, atol=%g",
                fn, nm(name), rtol, atol);
}

static int close_enough(double got, double exp, double rtol, double atol)
{
    if (got == exp) /* also equal infinities */
        return 1;
    return fabs(got - exp) <= atol + rtol * fabs(exp);
}

/* |got - expected| as the check compares it: equal infinities differ by 0,
 * not by NaN. */
static double absdiff(double got, double exp)
{
    return got == exp ? 0 : fabs(got - exp);
}

static double tolerance(double exp, double rtol, double atol)
{
    return atol + rtol * fabs(exp);
}

/* How close an entry came to failing: its |diff| as a share of its own
 * tolerance (0 when it is exact, whatever the tolerance). */
static double closeness(double got, double exp, double rtol, double atol)
{
    double d = absdiff(got, exp);
    return d == 0 ? 0 : d / tolerance(exp, rtol, atol);
}

void ch_check_close(const char *name, double got, double expected, double rtol, double atol)
{
    need_tol("ch_check_close", name, rtol, atol);
    if (!isfinite(expected) && !isinf(expected))
        ch_fail("ValueError", "ch_check_close(%s): expected value is NaN", nm(name));
    if (!close_enough(got, expected, rtol, atol))
        ch_fail("CheckFailed",
                "%s: expected %.10g, got %.10g (|diff| %.3g > tolerance %.3g: rtol %g, atol %g)",
                nm(name), expected, got, fabs(got - expected), atol + rtol * fabs(expected), rtol,
                atol);
    pass(name, "%.6g vs expected %.6g, |diff| %.2g \u2264 %.2g", got, expected,
         absdiff(got, expected), tolerance(expected, rtol, atol));
}

void ch_check_vec_close(const char *name, const gsl_vector *got, const gsl_vector *expected,
                        double rtol, double atol)
{
    need_tol("ch_check_vec_close", name, rtol, atol);
    if (!got || !expected)
        ch_fail("ValueError", "ch_check_vec_close(%s): %s is NULL", nm(name),
                got ? "expected" : "got");
    if (got->size != expected->size)
        ch_fail("CheckFailed", "%s: size mismatch, expected %zu entries, got %zu", nm(name),
                expected->size, got->size);
    double worst = 0;
    size_t wi = 0;
    for (size_t i = 0; i < got->size; i++) {
        double g = gsl_vector_get(got, i), e = gsl_vector_get(expected, i);
        if (!close_enough(g, e, rtol, atol))
            ch_fail(
                "CheckFailed",
                "%s: entry [%zu]: expected %.10g, got %.10g (|diff| %.3g > tolerance %.3g: rtol %g, atol %g)",
                nm(name), i, e, g, fabs(g - e), atol + rtol * fabs(e), rtol, atol);
        if (closeness(g, e, rtol, atol) > worst) {
            worst = closeness(g, e, rtol, atol);
            wi = i;
        }
    }
    if (worst == 0)
        pass(name, "%zu entries equal", got->size);
    else {
        double g = gsl_vector_get(got, wi), e = gsl_vector_get(expected, wi);
        pass(name, "%zu entries close, nearest to failing [%zu]: |diff| %.2g \u2264 %.2g",
             got->size, wi, absdiff(g, e), tolerance(e, rtol, atol));
    }
}

void ch_check_mat_close(const char *name, const gsl_matrix *got, const gsl_matrix *expected,
                        double rtol, double atol)
{
    need_tol("ch_check_mat_close", name, rtol, atol);
    if (!got || !expected)
        ch_fail("ValueError", "ch_check_mat_close(%s): %s is NULL", nm(name),
                got ? "expected" : "got");
    if (got->size1 != expected->size1 || got->size2 != expected->size2)
        ch_fail("CheckFailed", "%s: shape mismatch, expected %zu x %zu, got %zu x %zu", nm(name),
                expected->size1, expected->size2, got->size1, got->size2);
    double worst = 0;
    size_t wi = 0, wj = 0;
    for (size_t i = 0; i < got->size1; i++)
        for (size_t j = 0; j < got->size2; j++) {
            double g = gsl_matrix_get(got, i, j), e = gsl_matrix_get(expected, i, j);
            if (!close_enough(g, e, rtol, atol))
                ch_fail(
                    "CheckFailed",
                    "%s: entry [%zu][%zu]: expected %.10g, got %.10g (|diff| %.3g > tolerance %.3g: rtol %g, atol %g)",
                    nm(name), i, j, e, g, fabs(g - e), atol + rtol * fabs(e), rtol, atol);
            if (closeness(g, e, rtol, atol) > worst) {
                worst = closeness(g, e, rtol, atol);
                wi = i;
                wj = j;
            }
        }
    if (worst == 0)
        pass(name, "%zu x %zu entries equal", got->size1, got->size2);
    else {
        double g = gsl_matrix_get(got, wi, wj), e = gsl_matrix_get(expected, wi, wj);
        pass(name,
             "%zu x %zu entries close, nearest to failing [%zu][%zu]: |diff| %.2g \u2264 %.2g",
             got->size1, got->size2, wi, wj, absdiff(g, e), tolerance(e, rtol, atol));
    }
}

void ch_check(const char *name, int cond, const char *fmt, ...)
{
    char msg[1024];
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
    } else {
        snprintf(msg, sizeof msg, "%s", cond ? "holds" : "does not hold");
    }
    if (!cond)
        ch_fail("CheckFailed", "%s: claim is false: %s", nm(name), msg);
    pass(name, "%s", msg);
}

void ch_check_le(const char *name, double a, double b)
{
    if (!(a <= b))
        ch_fail("CheckFailed", "%s: expected a <= b, got a = %.10g, b = %.10g", nm(name), a, b);
    pass(name, "%.6g <= %.6g", a, b);
}

void ch_check_lt(const char *name, double a, double b)
{
    if (!(a < b))
        ch_fail("CheckFailed", "%s: expected a < b, got a = %.10g, b = %.10g", nm(name), a, b);
    pass(name, "%.6g < %.6g", a, b);
}
