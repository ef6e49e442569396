/* test_linalg.c — linalg against NumPy/SciPy reference values (ref/linalg.txt)
 * and closed forms, plus the errors bad input must raise. */
#include "tl.h"

#define L "linalg"

static void literals(void)
{
    gsl_vector *v = TV(VEC(1, 2.5, -3));
    OK(v->size == 3 && gsl_vector_get(v, 1) == 2.5 && gsl_vector_get(v, 2) == -3,
       "VEC(1, 2.5, -3)");
    gsl_matrix *A = TM(MAT(2, 3, 1, 2, 3, 4, 5, 6));
    OK(A->size1 == 2 && A->size2 == 3 && gsl_matrix_get(A, 1, 0) == 4 &&
           gsl_matrix_get(A, 0, 2) == 3,
       "MAT is row-major");
    EXPECT_FAIL("ValueError", "MAT: a 2 x 2 matrix needs 4 values, got 3", MAT(2, 2, 1, 2, 3));
    gsl_vector *l = TV(ch_linspace(0, 1, 5));
    CLOSE(gsl_vector_get(l, 1), 0.25, 0, 0);
    OK(gsl_vector_get(l, 4) == 1.0, "linspace ends exactly at b");
    gsl_matrix *I = TM(ch_eye(3));
    CLOSE(ch_trace(I), 3, 0, 0);
    gsl_matrix *B = TM(ch_matmul(A, TM(ch_transpose(A))));
    MCLOSE(B, TM(MAT(2, 2, 14, 32, 32, 77)), 0, 0);
    gsl_vector *y = TV(ch_matvec(A, TV(VEC(1, 0, -1))));
    VCLOSE(y, TV(VEC(-2, -2)), 0, 0);
    CLOSE(ch_dot(TV(VEC(1, 2, 3)), TV(VEC(4, 5, 6))), 32, 0, 0);
    CLOSE(ch_norm(TV(VEC(3, 4))), 5, 0, 0);
    MCLOSE(TM(ch_outer(TV(VEC(1, 2)), TV(VEC(3, 4, 5)))), TM(MAT(2, 3, 3, 4, 5, 6, 8, 10)), 0, 0);
    MCLOSE(TM(ch_mat_sub(A, A)), TM(ch_mat_zeros(2, 3)), 0, 0);
    VCLOSE(TV(ch_col(A, 1)), TV(VEC(2, 5)), 0, 0);
    VCLOSE(TV(ch_row(A, 1)), TV(VEC(4, 5, 6)), 0, 0);
}

static void svd(void)
{
    gsl_matrix *A = RM(L, "A");
    ch_svd_t s = ch_svd(A);
    VCLOSE(s.S, RV(L, "A_S"), 1e-13, 0);
    MCLOSE(s.V, RM(L, "A_V"), 1e-12, 1e-13);
    MCLOSE(s.U, RM(L, "A_U"), 1e-12, 1e-13);
    gsl_matrix *A2 = TM(ch_svd_reconstruct(&s, 2));
    MCLOSE(A2, RM(L, "A_rank2"), 1e-12, 1e-13);
    MCLOSE(TM(ch_svd_reconstruct(&s, 4)), A, 1e-12, 1e-13);
    /* Eckart-Young: |A - A_k|_2 = sigma_{k+1}, |A - A_k|_F^2 = sum_{i>k} sigma_i^2 */
    gsl_matrix *D = TM(ch_mat_sub(A, A2));
    CLOSE(ch_norm2(D), gsl_vector_get(s.S, 2), 1e-12, 0);
    CLOSE(ch_normF(D), hypot(gsl_vector_get(s.S, 2), gsl_vector_get(s.S, 3)), 1e-12, 0);
    MCLOSE(TM(ch_lowrank(A, 2)), A2, 1e-14, 1e-15);
    ch_svd_free(&s);
    OK(s.U == NULL && s.S == NULL && s.V == NULL, "ch_svd_free clears the parts");
    CLOSE(ch_norm2(A), RN(L, "A_norm2"), 1e-13, 0);
    CLOSE(ch_normF(A), RN(L, "A_normF"), 1e-14, 0);
    CLOSE(ch_cond(A), RN(L, "A_cond"), 1e-12, 0);
    MCLOSE(TM(ch_pinv(A, 0)), RM(L, "A_pinv"), 1e-12, 1e-13);
    /* wide matrices go through the transpose */
    gsl_matrix *B = RM(L, "B");
    VCLOSE(TV(ch_singvals(B)), RV(L, "B_S"), 1e-13, 0);
    MCLOSE(TM(ch_pinv(B, 0)), RM(L, "B_pinv"), 1e-12, 1e-13);
    ch_svd_t sb = ch_svd(B);
    OK(sb.U->size1 == 3 && sb.U->size2 == 3 && sb.V->size1 == 5 && sb.V->size2 == 3,
       "wide SVD shapes");
    MCLOSE(TM(ch_svd_reconstruct(&sb, 3)), B, 1e-12, 1e-13);
    ch_svd_free(&sb);
    gsl_matrix *R = RM(L, "R");
    OK(ch_rank(R, 0) == (size_t)RN(L, "R_rank"), "rank of a rank-3 5x5 matrix is %zu",
       ch_rank(R, 0));
    MCLOSE(TM(ch_pinv(R, 0)), RM(L, "R_pinv"), 1e-9, 1e-10);
    CLOSE(ch_cond(TM(MAT(2, 2, 1, 0, 0, 0))), INFINITY, 0, 0);
}

static void eig(void)
{
    gsl_matrix *S = RM(L, "Sy");
    ch_eig_t e = ch_eigh(S);
    VCLOSE(e.w, RV(L, "Sy_w"), 1e-12, 1e-12);
    MCLOSE(e.Q, RM(L, "Sy_Q"), 1e-10, 1e-11);
    ch_eig_free(&e);
    gsl_vector *w = TV(ch_eigvalsh(S));
    VCLOSE(w, RV(L, "Sy_w"), 1e-12, 1e-12);
    CLOSE(ch_eig_max(S), gsl_vector_get(w, 4), 0, 0);
    CLOSE(ch_eig_min(S), gsl_vector_get(w, 0), 0, 0);
    gsl_vector *v = NULL;
    double lam = ch_power_iter(S, 0, 1e-14, &v);
    TV(v);
    CLOSE(lam, gsl_vector_get(w, 4), 1e-9, 0);
    CLOSE(ch_norm(v), 1, 1e-12, 0);
    /* |S v - lam v| small */
    gsl_vector *Sv = TV(ch_matvec(S, v));
    CLOSE(ch_norm(TV(ch_vec_sub(Sv, TV(ch_vec_scale(v, lam))))), 0, 0, 1e-5 * lam);
}

static void solve(void)
{
    gsl_matrix *M = RM(L, "M");
    VCLOSE(TV(ch_solve(M, RV(L, "b"))), RV(L, "M_solve_b"), 1e-12, 1e-13);
    MCLOSE(TM(ch_inv(M)), RM(L, "M_inv"), 1e-12, 1e-13);
    CLOSE(ch_det(M), RN(L, "M_det"), 1e-12, 0);
    CLOSE(ch_trace(M), RN(L, "M_trace"), 1e-15, 0);
}

static void random_matrices(void)
{
    ch_seed(7);
    gsl_matrix *Q = TM(ch_rand_orth(6));
    gsl_matrix *QtQ = TM(ch_matmul(TM(ch_transpose(Q)), Q));
    MCLOSE(QtQ, TM(ch_eye(6)), 0, 1e-14);
    gsl_vector *s = TV(VEC(5, 3, 1e-3));
    gsl_matrix *A = TM(ch_mat_with_sv(7, 3, s));
    VCLOSE(TV(ch_singvals(A)), s, 1e-12, 0);
    gsl_matrix *Aw = TM(ch_mat_with_sv(3, 7, s));
    VCLOSE(TV(ch_singvals(Aw)), s, 1e-12, 0);
    gsl_vector *w = TV(VEC(-1, 0.5, 2, 100));
    gsl_matrix *H = TM(ch_mat_with_eig(w));
    VCLOSE(TV(ch_eigvalsh(H)), w, 1e-12, 1e-13);
    /* the same seed gives the same matrix */
    ch_seed(7);
    MCLOSE(TM(ch_rand_orth(6)), Q, 0, 0);
}

static void bad_input(void)
{
    gsl_matrix *A = TM(MAT(2, 3, 1, 2, 3, 4, 5, 6));
    gsl_matrix *S = TM(MAT(2, 2, 1, 2, 2, 4));
    gsl_matrix *N = TM(MAT(2, 2, 1, NAN, 0, 1));
    gsl_vector *b3 = TV(VEC(1, 2, 3));
    EXPECT_FAIL("ValueError", "ch_matmul: shapes 2 x 3 and 2 x 3 do not chain", ch_matmul(A, A));
    EXPECT_FAIL("ValueError", "ch_solve: A must be square, got 2 x 3", ch_solve(A, b3));
    EXPECT_FAIL("LinAlgError", "ch_solve: matrix is singular", ch_solve(S, TV(VEC(1, 1))));
    EXPECT_FAIL("LinAlgError", "ch_inv: matrix is singular", ch_inv(S));
    EXPECT_FAIL("ValueError", "ch_solve: A is 2 x 2 but b has size 3", ch_solve(S, b3));
    EXPECT_FAIL("ValueError", "ch_svd: A[0][1] is nan", ch_svd(N));
    EXPECT_FAIL("ValueError", "ch_norm2: A is NULL", ch_norm2(NULL));
    EXPECT_FAIL("ValueError", "ch_eigh: A is not symmetric", ch_eigh(TM(MAT(2, 2, 1, 2, 3, 4))));
    EXPECT_FAIL("ValueError", "ch_lowrank: rank k = 5 exceeds min(rows, cols) = 2",
                ch_lowrank(A, 5));
    EXPECT_FAIL("ValueError", "ch_dot: size mismatch (3 vs 2)", ch_dot(b3, TV(VEC(1, 2))));
    EXPECT_FAIL("ValueError", "ch_vec_add: b[1] is inf",
                ch_vec_add(TV(VEC(1, 2)), TV(VEC(1, INFINITY))));
    EXPECT_FAIL("ValueError", "ch_mat_with_sv: a 3 x 2 matrix has 2 singular values, got 3",
                ch_mat_with_sv(3, 2, b3));
    EXPECT_FAIL("ValueError", "empty vector", ch_vec_zeros(0));
    EXPECT_FAIL("ValueError", "ch_col: column 3 out of range", ch_col(A, 3));
    /* a nearly singular system is refused, not answered with garbage */
    EXPECT_FAIL("LinAlgError", "singular to working precision",
                ch_solve(TM(MAT(2, 2, 1, 1, 1, 1 + 1e-16 * 3)), TV(VEC(1, 2))));
}

int main(void)
{
    tl_init();
    literals();
    svd();
    eig();
    solve();
    random_matrices();
    bad_input();
    return tl_done("linalg");
}
