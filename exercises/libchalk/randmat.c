/* randmat.c — random matrices with a prescribed structure: Gaussian
 * entries, Haar-distributed orthogonal matrices, and matrices with given
 * singular values or eigenvalues (what the exercises build their test
 * problems from).
 *
 * Beware: every one of them draws from the one chalk generator (rng.c), so
 * they follow ch_seed and move the cell's random stream.
 */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include "internal.h"

gsl_matrix *ch_randn_mat(size_t m, size_t n)
{
    gsl_matrix *A = ch__mat(m, n);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(A, i, j, ch_randn());
    return A;
}

gsl_matrix *ch_rand_orth(size_t n)
{
    gsl_matrix *A = ch_randn_mat(n, n);
    gsl_matrix *Q = ch__mat(n, n), *R = ch__mat(n, n);
    gsl_vector *tau = ch__vec(n);
    gsl_linalg_QR_decomp(A, tau);
    gsl_linalg_QR_unpack(A, tau, Q, R);
    /* Q diag(sign(R_ii)) is Haar-distributed; plain Q is not */
    for (size_t j = 0; j < n; j++)
        if (gsl_matrix_get(R, j, j) < 0) {
            gsl_vector_view c = gsl_matrix_column(Q, j);
            gsl_vector_scale(&c.vector, -1.0);
        }
    gsl_matrix_free(A);
    gsl_matrix_free(R);
    gsl_vector_free(tau);
    return Q;
}

gsl_matrix *ch_mat_with_sv(size_t m, size_t n, const gsl_vector *s)
{
    ch__need_vec("ch_mat_with_sv", "s", s);
    size_t k = m < n ? m : n;
    if (s->size != k)
        ch_fail("ValueError", "ch_mat_with_sv: a %zu x %zu matrix has %zu singular values, got %zu",
                m, n, k, s->size);
    for (size_t i = 0; i < k; i++)
        if (gsl_vector_get(s, i) < 0)
            ch_fail("ValueError", "ch_mat_with_sv: singular value s[%zu] = %g is negative", i,
                    gsl_vector_get(s, i));
    gsl_matrix *U = ch_rand_orth(m), *V = ch_rand_orth(n);
    gsl_matrix *US = ch__mat(m, k);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(US, i, j, gsl_matrix_get(U, i, j) * gsl_vector_get(s, j));
    gsl_matrix_view Vk = gsl_matrix_submatrix(V, 0, 0, n, k);
    gsl_matrix *A = ch__mat(m, n);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, US, &Vk.matrix, 0.0, A);
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_matrix_free(US);
    return A;
}

gsl_matrix *ch_mat_with_eig(const gsl_vector *w)
{
    ch__need_vec("ch_mat_with_eig", "w", w);
    size_t n = w->size;
    gsl_matrix *Q = ch_rand_orth(n);
    gsl_matrix *QW = ch__mat(n, n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(QW, i, j, gsl_matrix_get(Q, i, j) * gsl_vector_get(w, j));
    gsl_matrix *A = ch__mat(n, n);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, QW, Q, 0.0, A);
    /* exact symmetry, so ch_eigh's check and GSL's symmetric solvers are happy */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double a = 0.5 * (gsl_matrix_get(A, i, j) + gsl_matrix_get(A, j, i));
            gsl_matrix_set(A, i, j, a);
            gsl_matrix_set(A, j, i, a);
        }
    gsl_matrix_free(Q);
    gsl_matrix_free(QW);
    return A;
}
