/* test_optim.c — optimisers against closed forms: GD on a quadratic
 * contracts each eigendirection by |1 - lr lambda|, so it converges below
 * 2/lambda_max and diverges above; Adam's first step is lr * sign(g) (bias
 * correction); momentum and SGD reach the minimum; trajectories are recorded. */
#include <gsl/gsl_blas.h>
#include "tl.h"

/* mean of 1/2 (x - a_i)^2 over the batch: minimiser is mean(a) */
static double batch_f(const gsl_vector *x, const size_t *idx, size_t n, gsl_vector *grad, void *ctx)
{
    const gsl_vector *a = ctx;
    double v = 0, g = 0;
    for (size_t k = 0; k < n; k++) {
        double d = gsl_vector_get(x, 0) - gsl_vector_get(a, idx[k]);
        v += 0.5 * d * d;
        g += d;
    }
    if (grad)
        gsl_vector_set(grad, 0, g / (double)n);
    return v / (double)n;
}

int main(void)
{
    tl_init();
    ch_seed(1);
    gsl_vector *w = TV(VEC(1, 10, 100));
    ch_quad *q = ch_quad_spectrum(w);
    gsl_vector *x0 = TV(VEC(1, 1, 1));
    double lmax = 100;
    /* the loss after t steps of GD: sum_i 1/2 lambda_i c_i^2 (1 - lr lambda_i)^(2t), c = Q^T x0 */
    ch_eig_t e = ch_eigh(q->H);
    gsl_vector *c = TV(ch_vec_zeros(3));
    gsl_blas_dgemv(CblasTrans, 1.0, e.Q, x0, 0.0, c);
    double lr = 1.9 / lmax, expect = 0;
    for (int i = 0; i < 3; i++) {
        double l = gsl_vector_get(e.w, i), ci = gsl_vector_get(c, i);
        expect += 0.5 * l * ci * ci * pow(1 - lr * l, 2 * 50);
    }
    ch_eig_free(&e);
    ch_run r = ch_gd(ch_quad_f, x0, q, lr, 50);
    OK(r.steps == 50 && !r.diverged && r.loss->size == 51 && r.gnorm->size == 51, "GD run shape");
    CLOSE(gsl_vector_get(r.loss, 50), expect, 1e-9, 1e-300);
    CLOSE(gsl_vector_get(r.loss, 0), ch_quad_f(x0, NULL, q), 0, 0);
    ch_run_free(&r);
    OK(r.loss == NULL && r.x == NULL, "ch_run_free clears");
    r = ch_gd(ch_quad_f, x0, q, 2.1 / lmax, 100000);
    OK(r.diverged && r.steps < 100000 && r.loss->size == r.steps + 1,
       "GD above 2/lambda_max diverges (steps %zu)", r.steps);
    ch_run_free(&r);
    r = ch_gd(ch_quad_f, x0, q, 1.0 / lmax, 2000);
    CLOSE(ch_norm(r.x), 0, 0, 1e-8);
    ch_run_free(&r);

    /* Adam's first step is -lr * sign(g) up to eps (m_hat = g, v_hat = g^2) */
    ch_opt o = { 0 };
    o.method = CH_ADAM;
    o.lr = 0.1;
    o.steps = 1;
    o.record_x = 1;
    r = ch_optimize(ch_quad_f, x0, q, o);
    gsl_vector *g0 = TV(ch_vec_zeros(3));
    ch_quad_f(x0, g0, q);
    for (int i = 0; i < 3; i++)
        CLOSE(gsl_matrix_get(r.xs, 1, i), 1 - 0.1 * (gsl_vector_get(g0, i) > 0 ? 1 : -1), 1e-7, 0);
    ch_run_free(&r);
    r = ch_adam(ch_rosenbrock, TV(VEC(-1, 1)), NULL, 0.02, 5000);
    VCLOSE(r.x, TV(VEC(1, 1)), 0, 1e-3);
    ch_run_free(&r);
    r = ch_momentum(ch_quad_f, x0, q, 0.01, 0.9, 500);
    CLOSE(ch_norm(r.x), 0, 0, 1e-8);
    ch_run_free(&r);

    /* SGD on a mean: with a 1/sqrt(t) schedule it approaches mean(a) */
    gsl_vector *a = TV(VEC(1, 2, 3, 4, 5, 6, 7, 8));
    ch_opt s = { 0 };
    s.lr = 0.5;
    s.steps = 4000;
    s.batch = 2;
    s.schedule = CH_INVSQRT;
    r = ch_sgd(batch_f, a->size, TV(VEC(0)), a, s);
    CLOSE(gsl_vector_get(r.x, 0), 4.5, 0, 0.1);
    OK(gsl_vector_get(r.loss, 0) > gsl_vector_get(r.loss, r.steps), "SGD decreases the full loss");
    ch_run_free(&r);
    /* reproducible: same seed, same trajectory */
    ch_seed(3);
    r = ch_sgd(batch_f, a->size, TV(VEC(0)), a, s);
    ch_seed(3);
    ch_run r2 = ch_sgd(batch_f, a->size, TV(VEC(0)), a, s);
    VCLOSE(r.loss, r2.loss, 0, 0);
    ch_run_free(&r);
    ch_run_free(&r2);
    /* gradient noise: GD + noise on a quadratic hovers at a noise floor, not at 0 */
    ch_opt nz = { 0 };
    nz.lr = 0.005;
    nz.steps = 3000;
    nz.noise = 1.0;
    r = ch_optimize(ch_quad_f, x0, q, nz);
    OK(gsl_vector_get(r.loss, r.steps) > 1e-6 && gsl_vector_get(r.loss, r.steps) < 0.1,
       "noisy GD floor %g", gsl_vector_get(r.loss, r.steps));
    ch_run_free(&r);
    CLOSE(ch_rosenbrock(TV(VEC(1, 1, 1)), NULL, NULL), 0, 0, 0);
    gsl_vector *xr = TV(VEC(-1.2, 1, 0.5));
    OK(ch_grad_check(ch_rosenbrock, xr, NULL) < 1e-8, "Rosenbrock gradient");
    OK(ch_grad_check(ch_quad_f, xr, q) < 1e-8, "quadratic gradient");

    o.lr = -1;
    EXPECT_FAIL("ValueError", "ch_optimize: learning rate must be positive",
                ch_optimize(ch_quad_f, x0, q, o));
    EXPECT_FAIL("ValueError", "ch_quad_f: x has size 2, the quadratic has dimension 3",
                ch_gd(ch_quad_f, TV(VEC(1, 2)), q, 0.1, 10));
    EXPECT_FAIL("ValueError", "ch_gd: x0[0] is nan",
                ch_gd(ch_quad_f, TV(VEC(NAN, 1, 1)), q, 0.1, 10));
    EXPECT_FAIL("ValueError", "ch_quad_new: H is not symmetric",
                ch_quad_new(TM(MAT(2, 2, 1, 2, 0, 1)), NULL));
    EXPECT_FAIL("ValueError", "ch_sgd: n (number of examples) is 0", ch_sgd(batch_f, 0, x0, a, s));
    ch_quad_free(&q);
    OK(q == NULL, "ch_quad_free clears");
    return tl_done("optim");
}
