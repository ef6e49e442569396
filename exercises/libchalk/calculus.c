/* calculus.c — stable softmax and cross-entropy, and derivatives by central
 * differences.
 *
 * Step sizes balance truncation against rounding: for a first derivative by
 * central differences the error is ~h^2 f''' + eps f / h, minimised near
 * h = cbrt(eps); for second derivatives it is ~h^2 + eps / h^2, so
 * h = eps^(1/4).  Both are scaled by max(1, |x_i|) and rounded to a number
 * exactly representable as (x + h) - x, so the divisor is the step actually
 * taken.  Beware: a callback that returns NaN/Inf ends the cell with a
 * ValueError naming the point, rather than polluting the whole gradient.
 */
#include <float.h>
#include "internal.h"

double ch_logsumexp(const gsl_vector *z)
{
    ch__need_vec("ch_logsumexp", "z", z);
    double m = gsl_vector_max(z), s = 0;
    for (size_t i = 0; i < z->size; i++)
        s += exp(gsl_vector_get(z, i) - m);
    return m + log(s);
}

/* sum_i exp(z_i - m) with m = max z: every term is in (0, 1], one is exactly 1 */
static double shifted_sum(const gsl_vector *z, double m)
{
    double s = 0;
    for (size_t i = 0; i < z->size; i++)
        s += exp(gsl_vector_get(z, i) - m);
    return s;
}

gsl_vector *ch_log_softmax(const gsl_vector *z)
{
    ch__need_vec("ch_log_softmax", "z", z);
    /* (z_i - m) - log S rather than z_i - logsumexp(z): the difference z_i - m
     * is exact, z_i - (m + log S) would lose |m| * eps to cancellation */
    double m = gsl_vector_max(z), l = log(shifted_sum(z, m));
    gsl_vector *r = ch__vec(z->size);
    for (size_t i = 0; i < z->size; i++)
        gsl_vector_set(r, i, (gsl_vector_get(z, i) - m) - l);
    return r;
}

gsl_vector *ch_softmax(const gsl_vector *z)
{
    ch__need_vec("ch_softmax", "z", z);
    double m = gsl_vector_max(z), s = 0;
    gsl_vector *r = ch__vec(z->size);
    for (size_t i = 0; i < z->size; i++) {
        double e = exp(gsl_vector_get(z, i) - m);
        gsl_vector_set(r, i, e);
        s += e;
    }
    gsl_vector_scale(r, 1.0 / s);
    return r;
}

gsl_matrix *ch_softmax_jacobian(const gsl_vector *z)
{
    ch__need_vec("ch_softmax_jacobian", "z", z);
    gsl_vector *s = ch_softmax(z);
    size_t n = z->size;
    gsl_matrix *J = ch__mat(n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double si = gsl_vector_get(s, i), sj = gsl_vector_get(s, j);
            gsl_matrix_set(J, i, j, (i == j ? si : 0.0) - si * sj);
        }
    gsl_vector_free(s);
    return J;
}

double ch_xent_logits(const gsl_vector *z, size_t y)
{
    ch__need_vec("ch_xent_logits", "z", z);
    if (y >= z->size)
        ch_fail("ValueError", "ch_xent_logits: class y = %zu out of range (%zu classes)", y,
                z->size);
    double m = gsl_vector_max(z);
    return log(shifted_sum(z, m)) - (gsl_vector_get(z, y) - m);
}

gsl_vector *ch_xent_logits_grad(const gsl_vector *z, size_t y)
{
    ch__need_vec("ch_xent_logits_grad", "z", z);
    if (y >= z->size)
        ch_fail("ValueError", "ch_xent_logits_grad: class y = %zu out of range (%zu classes)", y,
                z->size);
    gsl_vector *g = ch_softmax(z);
    gsl_vector_set(g, y, gsl_vector_get(g, y) - 1.0);
    return g;
}

/* A step near scale * max(1, |x|) such that (x + h) - x == h exactly. */
static double step(double x, double scale)
{
    double h = scale * fmax(1.0, fabs(x));
    volatile double t = x + h;
    return t - x;
}

static double call(const char *fn, ch_fn f, gsl_vector *x, void *ctx, size_t i, const char *where)
{
    double v = f(x, NULL, ctx);
    if (!isfinite(v))
        ch_fail("ValueError", "%s: f returned %g at %s (coordinate %zu)", fn, v, where, i);
    return v;
}

gsl_vector *ch_grad(ch_fn f, const gsl_vector *x, void *ctx)
{
    if (!f)
        ch_fail("ValueError", "ch_grad: f is NULL");
    ch__need_vec("ch_grad", "x", x);
    size_t mark = ch__mark();
    gsl_vector *xp = ch__defer_vec(ch_vec_copy(x));
    gsl_vector *g = ch__defer_vec(ch__vec(x->size));
    double c = cbrt(DBL_EPSILON);
    for (size_t i = 0; i < x->size; i++) {
        double xi = gsl_vector_get(x, i), h = step(xi, c);
        gsl_vector_set(xp, i, xi + h);
        double fp = call("ch_grad", f, xp, ctx, i, "x + h e_i");
        gsl_vector_set(xp, i, xi - h);
        double fm = call("ch_grad", f, xp, ctx, i, "x - h e_i");
        gsl_vector_set(xp, i, xi);
        gsl_vector_set(g, i, (fp - fm) / (2 * h));
    }
    ch__forget(mark);
    gsl_vector_free(xp);
    return g;
}

gsl_matrix *ch_jacobian(ch_map F, size_t m, const gsl_vector *x, void *ctx)
{
    if (!F)
        ch_fail("ValueError", "ch_jacobian: F is NULL");
    ch__need_vec("ch_jacobian", "x", x);
    if (m == 0)
        ch_fail("ValueError", "ch_jacobian: output dimension m is 0");
    size_t n = x->size;
    size_t mark = ch__mark();
    gsl_vector *xp = ch__defer_vec(ch_vec_copy(x)), *yp = ch__defer_vec(ch__vec(m)),
               *ym = ch__defer_vec(ch__vec(m));
    gsl_matrix *J = ch__defer_mat(ch__mat(m, n));
    double c = cbrt(DBL_EPSILON);
    for (size_t j = 0; j < n; j++) {
        double xj = gsl_vector_get(x, j), h = step(xj, c);
        gsl_vector_set(xp, j, xj + h);
        F(xp, yp, ctx);
        gsl_vector_set(xp, j, xj - h);
        F(xp, ym, ctx);
        gsl_vector_set(xp, j, xj);
        for (size_t i = 0; i < m; i++) {
            double a = gsl_vector_get(yp, i), b = gsl_vector_get(ym, i);
            if (!isfinite(a) || !isfinite(b))
                ch_fail("ValueError",
                        "ch_jacobian: F returned a non-finite y[%zu] at x +/- h e_%zu", i, j);
            gsl_matrix_set(J, i, j, (a - b) / (2 * h));
        }
    }
    ch__forget(mark);
    gsl_vector_free(xp);
    gsl_vector_free(yp);
    gsl_vector_free(ym);
    return J;
}

gsl_matrix *ch_hessian(ch_fn f, const gsl_vector *x, void *ctx)
{
    if (!f)
        ch_fail("ValueError", "ch_hessian: f is NULL");
    ch__need_vec("ch_hessian", "x", x);
    size_t n = x->size;
    size_t mark = ch__mark();
    gsl_vector *xp = ch__defer_vec(ch_vec_copy(x));
    gsl_matrix *H = ch__defer_mat(ch__mat(n, n));
    double c = pow(DBL_EPSILON, 0.25);
    double *h = ch__defer_mem(ch__xcalloc(n, sizeof *h));
    for (size_t i = 0; i < n; i++)
        h[i] = step(gsl_vector_get(x, i), c);
    double f0 = call("ch_hessian", f, xp, ctx, 0, "x");
    for (size_t i = 0; i < n; i++) {
        double xi = gsl_vector_get(x, i);
        gsl_vector_set(xp, i, xi + h[i]);
        double fp = call("ch_hessian", f, xp, ctx, i, "x + h e_i");
        gsl_vector_set(xp, i, xi - h[i]);
        double fm = call("ch_hessian", f, xp, ctx, i, "x - h e_i");
        gsl_vector_set(xp, i, xi);
        gsl_matrix_set(H, i, i, (fp - 2 * f0 + fm) / (h[i] * h[i]));
        for (size_t j = 0; j < i; j++) {
            double xj = gsl_vector_get(x, j), s[4];
            const int si[4] = { 1, 1, -1, -1 }, sj[4] = { 1, -1, 1, -1 };
            for (int k = 0; k < 4; k++) {
                gsl_vector_set(xp, i, xi + si[k] * h[i]);
                gsl_vector_set(xp, j, xj + sj[k] * h[j]);
                s[k] = call("ch_hessian", f, xp, ctx, i, "x + h_i e_i + h_j e_j");
            }
            gsl_vector_set(xp, i, xi);
            gsl_vector_set(xp, j, xj);
            double hij = ((s[0] - s[1]) - (s[2] - s[3])) / (4 * h[i] * h[j]);
            gsl_matrix_set(H, i, j, hij);
            gsl_matrix_set(H, j, i, hij);
        }
    }
    ch__forget(mark);
    free(h);
    gsl_vector_free(xp);
    return H;
}

double ch_relerr(const gsl_vector *a, const gsl_vector *b)
{
    ch__need_vec("ch_relerr", "a", a);
    ch__need_vec("ch_relerr", "b", b);
    ch__need_same("ch_relerr", a, b);
    double d = 0, na = 0, nb = 0;
    for (size_t i = 0; i < a->size; i++) {
        double x = gsl_vector_get(a, i), y = gsl_vector_get(b, i);
        d = hypot(d, x - y);
        na = hypot(na, x);
        nb = hypot(nb, y);
    }
    if (d == 0)
        return 0;
    return d / fmax(na + nb, 1e-300);
}

double ch_grad_check(ch_fn f, const gsl_vector *x, void *ctx)
{
    if (!f)
        ch_fail("ValueError", "ch_grad_check: f is NULL");
    ch__need_vec("ch_grad_check", "x", x);
    size_t mark = ch__mark();
    gsl_vector *g = ch__defer_vec(ch__vec(x->size));
    double v = f(x, g, ctx);
    if (!isfinite(v))
        ch_fail("ValueError", "ch_grad_check: f returned %g at x", v);
    for (size_t i = 0; i < g->size; i++)
        if (!isfinite(gsl_vector_get(g, i)))
            ch_fail("ValueError", "ch_grad_check: f's gradient has grad[%zu] = %g", i,
                    gsl_vector_get(g, i));
    gsl_vector *n = ch_grad(f, x, ctx);
    double r = ch_relerr(g, n);
    ch__forget(mark);
    gsl_vector_free(g);
    gsl_vector_free(n);
    return r;
}
