/* argcheck.c — the argument checks every public function runs before it
 * touches GSL: NULL, NaN/Inf entries, shapes, symmetry, probability vectors.
 *
 * Each names the public function (fn) and the argument (what), so a bad cell
 * gets a ValueError that says which call and which argument were wrong,
 * never a crash or GSL's message naming its own files.
 */
#include "internal.h"

void ch__need_ptr(const char *fn, const char *what, const void *p)
{
    if (!p)
        ch_fail("ValueError", "%s: %s is NULL", fn, what);
}

void ch__need_finite(const char *fn, const char *what, double x)
{
    if (!isfinite(x))
        ch_fail("ValueError", "%s: %s is %g (must be finite)", fn, what, x);
}

void ch__need_vec(const char *fn, const char *what, const gsl_vector *v)
{
    ch_init();
    if (!v)
        ch_fail("ValueError", "%s: %s is NULL", fn, what);
    for (size_t i = 0; i < v->size; i++) {
        double x = gsl_vector_get(v, i);
        if (!isfinite(x))
            ch_fail("ValueError", "%s: %s[%zu] is %g (entries must be finite)", fn, what, i, x);
    }
}

void ch__need_mat(const char *fn, const char *what, const gsl_matrix *A)
{
    ch_init();
    if (!A)
        ch_fail("ValueError", "%s: %s is NULL", fn, what);
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++) {
            double x = gsl_matrix_get(A, i, j);
            if (!isfinite(x))
                ch_fail("ValueError", "%s: %s[%zu][%zu] is %g (entries must be finite)", fn, what,
                        i, j, x);
        }
}

void ch__need_square(const char *fn, const char *what, const gsl_matrix *A)
{
    ch__need_mat(fn, what, A);
    if (A->size1 != A->size2)
        ch_fail("ValueError", "%s: %s must be square, got %zu x %zu", fn, what, A->size1, A->size2);
}

void ch__need_same(const char *fn, const gsl_vector *a, const gsl_vector *b)
{
    if (a->size != b->size)
        ch_fail("ValueError", "%s: size mismatch (%zu vs %zu)", fn, a->size, b->size);
}

void ch__need_sym(const char *fn, const char *what, const gsl_matrix *A)
{
    ch__need_square(fn, what, A);
    double scale = 0;
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++)
            scale = fmax(scale, fabs(gsl_matrix_get(A, i, j)));
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = i + 1; j < A->size2; j++) {
            double d = fabs(gsl_matrix_get(A, i, j) - gsl_matrix_get(A, j, i));
            if (d > 1e-10 * scale)
                ch_fail("ValueError", "%s: %s is not symmetric (%s[%zu][%zu] - %s[%zu][%zu] = %g)",
                        fn, what, what, i, j, what, j, i,
                        gsl_matrix_get(A, i, j) - gsl_matrix_get(A, j, i));
        }
}

void ch__need_prob(const char *fn, const char *what, const gsl_vector *p)
{
    ch__need_vec(fn, what, p);
    double s = 0;
    for (size_t i = 0; i < p->size; i++) {
        double x = gsl_vector_get(p, i);
        if (x < 0)
            ch_fail("ValueError", "%s: %s[%zu] = %g is negative (not a probability vector)", fn,
                    what, i, x);
        s += x;
    }
    if (fabs(s - 1) > 1e-9)
        ch_fail("ValueError", "%s: %s sums to %.17g, not 1 (not a probability vector)", fn, what,
                s);
}
