/* test_info.c — information measures against scipy.stats / scipy.spatial
 * (ref/info.txt), the data processing inequality on random channels, and
 * InfoNCE's log N ceiling. */
#include "tl.h"

#define I "info"

static double dotc(const gsl_vector *x, const gsl_vector *y, void *ctx)
{
    (void)ctx;
    return ch_dot(x, y);
}

int main(void)
{
    tl_init();
    gsl_vector *p = RV(I, "p"), *q = RV(I, "q");
    CLOSE(ch_entropy(p), RN(I, "H_p"), 1e-14, 0);
    CLOSE(ch_entropy_bits(p), RN(I, "H_p_bits"), 1e-14, 0);
    CLOSE(ch_kl(p, q), RN(I, "KL_pq"), 1e-13, 0);
    CLOSE(ch_kl_bits(p, q), RN(I, "KL_pq_bits"), 1e-13, 0);
    CLOSE(ch_xent(p, q), RN(I, "X_pq"), 1e-14, 0);
    CLOSE(ch_xent(p, q), ch_entropy(p) + ch_kl(p, q), 1e-14, 0);
    CLOSE(ch_xent_bits(p, q), RN(I, "X_pq") / log(2), 1e-14, 0);
    CLOSE(ch_js(p, q), RN(I, "JS_pq"), 1e-12, 0);
    CLOSE(ch_js_bits(p, q), RN(I, "JS_pq_bits"), 1e-12, 0);
    CLOSE(ch_entropy_bits(TV(VEC(0.25, 0.25, 0.25, 0.25))), 2, 1e-15, 0);
    CLOSE(ch_entropy(TV(VEC(1, 0))), 0, 0, 0);
    CLOSE(ch_kl(TV(VEC(0.5, 0.5)), TV(VEC(1, 0))), INFINITY, 0, 0);
    CLOSE(ch_kl(TV(VEC(1, 0)), TV(VEC(0.5, 0.5))), log(2), 1e-15, 0);
    CLOSE(ch_js_bits(TV(VEC(1, 0)), TV(VEC(0, 1))), 1, 1e-15, 0);

    gsl_matrix *P = RM(I, "P");
    CLOSE(ch_mi(P), RN(I, "P_mi"), 1e-12, 1e-15);
    CLOSE(ch_mi_bits(P), RN(I, "P_mi") / log(2), 1e-12, 1e-15);
    CLOSE(ch_cond_entropy(P), RN(I, "P_hyx"), 1e-13, 0);
    CLOSE(ch_mi(TM(ch_outer(TV(VEC(0.3, 0.7)), TV(VEC(0.1, 0.9))))), 0, 0, 1e-16);
    CLOSE(ch_entropy(TV(ch_marg_x(P))) + ch_cond_entropy(P), ch_entropy(TV(ch_vec_of(12, P->data))),
          1e-13, 0);
    CLOSE(ch_entropy(TV(ch_marg_y(P))) - ch_mi(P),
          ch_entropy(TV(ch_vec_of(12, P->data))) - ch_entropy(TV(ch_marg_x(P))), 1e-13, 0);

    gsl_vector *px = RV(I, "px");
    gsl_matrix *K1 = RM(I, "K1"), *K2 = RM(I, "K2");
    gsl_matrix *K12 = TM(ch_channel_compose(K1, K2));
    MCLOSE(K12, RM(I, "K12"), 1e-14, 1e-16);
    VCLOSE(TV(ch_channel_out(px, K1)), RV(I, "out1"), 1e-14, 1e-16);
    CLOSE(ch_channel_mi(px, K1), RN(I, "I_XY"), 1e-12, 1e-15);
    CLOSE(ch_channel_mi(px, K12), RN(I, "I_XZ"), 1e-12, 1e-15);
    CLOSE(ch_mi(TM(ch_channel_joint(px, K1))), RN(I, "I_XY"), 1e-12, 1e-15);
    /* data processing inequality on 200 random chains */
    ch_seed(4);
    int dpi = 1;
    for (int t = 0; t < 200; t++) {
        gsl_vector *pp = ch_rand_simplex(4);
        gsl_matrix *A = ch_rand_channel(4, 5), *B = ch_rand_channel(5, 3),
                   *AB = ch_channel_compose(A, B);
        dpi &= ch_channel_mi(pp, AB) <= ch_channel_mi(pp, A) + 1e-15;
        gsl_vector_free(pp);
        gsl_matrix_free(A);
        gsl_matrix_free(B);
        gsl_matrix_free(AB);
    }
    OK(dpi, "I(X;Z) <= I(X;Y) on 200 random Markov chains");

    CLOSE(ch_infonce(RM(I, "X"), RM(I, "Y"), dotc, NULL), RN(I, "infonce"), 1e-13, 0);
    /* with the optimal critic and few pairs, the bound saturates near log N */
    ch_seed(8);
    gsl_matrix *X, *Y;
    double rho = 0.99;
    ch_gauss_pairs(16, 4, rho, &X, &Y);
    TM(X);
    TM(Y);
    double b = ch_infonce(X, Y, ch_gauss_critic, &rho);
    OK(b <= log(16) && b > log(16) - 0.1, "InfoNCE %g near its ceiling log 16 = %g (true MI %g)", b,
       log(16), ch_gauss_mi(4, rho));
    ch_gauss_pairs(2000, 1, 0.5, &X, &Y);
    TM(X);
    TM(Y);
    rho = 0.5;
    b = ch_infonce(X, Y, ch_gauss_critic, &rho);
    OK(fabs(b - ch_gauss_mi(1, 0.5)) < 0.03, "InfoNCE %g ~ MI %g when log N >> MI", b,
       ch_gauss_mi(1, 0.5));

    EXPECT_FAIL("ValueError", "ch_entropy: p sums to 0.9", ch_entropy(TV(VEC(0.5, 0.4))));
    EXPECT_FAIL("ValueError", "ch_kl: p[1] = -0.5 is negative",
                ch_kl(TV(VEC(1.5, -0.5)), TV(VEC(0.5, 0.5))));
    EXPECT_FAIL("ValueError", "ch_kl: size mismatch", ch_kl(TV(VEC(1)), TV(VEC(0.5, 0.5))));
    EXPECT_FAIL("ValueError", "ch_channel_compose: row 0 of K1 sums to", ch_channel_compose(P, K2));
    EXPECT_FAIL("ValueError", "ch_channel_compose: K1 has 4 outputs but K2 has 3 inputs",
                ch_channel_compose(K1, K1));
    EXPECT_FAIL("ValueError", "ch_infonce: X has 8 rows but Y has 16",
                ch_infonce(RM(I, "X"), TM(ch_mat_zeros(16, 2)), dotc, NULL));
    EXPECT_FAIL("ValueError", "ch_mi: P sums to", ch_mi(K1));
    return tl_done("info");
}
