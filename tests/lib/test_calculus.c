/* test_calculus.c — softmax family against scipy.special, finite
 * differences against analytic derivatives (ref/calculus.txt). */
#include "tl.h"

#define C "calculus"

static gsl_matrix *W;

/* f(x) = logsumexp(W x) + 1/2 |x|^2, value only: the derivatives are ch_'s job */
static double f(const gsl_vector *x, gsl_vector *grad, void *ctx)
{
    (void)ctx;
    gsl_vector *Wx = ch_matvec(W, x);
    double v = ch_logsumexp(Wx) + 0.5 * ch_dot(x, x);
    if (grad) {
        gsl_vector *s = ch_softmax(Wx);
        for (size_t j = 0; j < x->size; j++) {
            double g = gsl_vector_get(x, j);
            for (size_t i = 0; i < W->size1; i++)
                g += gsl_matrix_get(W, i, j) * gsl_vector_get(s, i);
            gsl_vector_set(grad, j, g);
        }
        gsl_vector_free(s);
    }
    gsl_vector_free(Wx);
    return v;
}

/* the same but with a deliberately wrong gradient (factor 1.01) */
static double f_bad(const gsl_vector *x, gsl_vector *grad, void *ctx)
{
    double v = f(x, grad, ctx);
    if (grad)
        gsl_vector_scale(grad, 1.01);
    return v;
}

static void softmax_map(const gsl_vector *x, gsl_vector *y, void *ctx)
{
    (void)ctx;
    gsl_vector *s = ch_softmax(x);
    gsl_vector_memcpy(y, s);
    gsl_vector_free(s);
}

static double nan_at_origin(const gsl_vector *x, gsl_vector *grad, void *ctx)
{
    (void)grad;
    (void)ctx;
    return gsl_vector_get(x, 0) > 0 ? NAN : 1.0;
}

int main(void)
{
    tl_init();
    gsl_vector *z = RV(C, "z");
    VCLOSE(TV(ch_softmax(z)), RV(C, "z_softmax"), 1e-14, 1e-300);
    VCLOSE(TV(ch_log_softmax(z)), RV(C, "z_log_softmax"), 1e-14, 0);
    CLOSE(ch_logsumexp(z), RN(C, "z_lse"), 1e-15, 0);
    CLOSE(ch_xent_logits(z, 2), RN(C, "z_xent2"), 1e-13, 0);
    gsl_vector *z2 = RV(C, "z2");
    MCLOSE(TM(ch_softmax_jacobian(z2)), RM(C, "z2_jac"), 1e-13, 1e-15);
    MCLOSE(TM(ch_jacobian(softmax_map, z2->size, z2, NULL)), RM(C, "z2_jac"), 1e-8, 1e-10);
    gsl_vector *g = TV(ch_xent_logits_grad(z2, 1));
    gsl_vector *expect = TV(ch_softmax(z2));
    gsl_vector_set(expect, 1, gsl_vector_get(expect, 1) - 1);
    VCLOSE(g, expect, 1e-15, 1e-16);

    W = RM(C, "W");
    gsl_vector *x = RV(C, "x");
    CLOSE(f(x, NULL, NULL), RN(C, "f"), 1e-14, 0);
    /* central differences with h = cbrt(eps): error ~ 1e-10 relative */
    VCLOSE(TV(ch_grad(f, x, NULL)), RV(C, "grad"), 1e-9, 1e-10);
    MCLOSE(TM(ch_hessian(f, x, NULL)), RM(C, "hess"), 1e-6, 1e-7);
    double r = ch_grad_check(f, x, NULL);
    OK(r < 1e-9, "grad check of a correct gradient: %g", r);
    double rb = ch_grad_check(f_bad, x, NULL);
    OK(rb > 1e-3 && rb < 1e-2, "grad check of a 1%% wrong gradient: %g (expected ~0.005)", rb);
    CLOSE(ch_relerr(TV(VEC(1, 0)), TV(VEC(1, 0))), 0, 0, 0);
    CLOSE(ch_relerr(TV(VEC(1, 0)), TV(VEC(-1, 0))), 1, 1e-15, 0);
    /* scale-aware steps: large |x| still accurate */
    gsl_vector *big = TV(VEC(1e6, -2e6, 3e5, 4e5));
    gsl_matrix *Wsave = W;
    W = TM(ch_mat_scale(Wsave, 1e-6));
    gsl_vector *gb = TV(ch_grad(f, big, NULL)), *ga = TV(ch_vec_zeros(4));
    f(big, ga, NULL);
    OK(ch_relerr(ga, gb) < 1e-8, "gradient at |x_i| ~ 1e6: rel err %g", ch_relerr(ga, gb));
    W = Wsave;

    EXPECT_FAIL("ValueError", "ch_grad: f returned nan at x + h e_i (coordinate 0)",
                ch_grad(nan_at_origin, TV(VEC(0, 0)), NULL));
    EXPECT_FAIL("ValueError", "ch_softmax: z[1] is nan", ch_softmax(TV(VEC(0, NAN))));
    EXPECT_FAIL("ValueError", "ch_xent_logits: class y = 3 out of range (3 classes)",
                ch_xent_logits(TV(VEC(1, 2, 3)), 3));
    EXPECT_FAIL("ValueError", "ch_grad: f is NULL", ch_grad(NULL, x, NULL));
    EXPECT_FAIL("ValueError", "ch_relerr: size mismatch", ch_relerr(TV(VEC(1)), TV(VEC(1, 2))));
    return tl_done("calculus");
}
