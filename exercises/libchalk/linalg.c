/* linalg.c — vectors and matrices for cells: literals, copies, rows and
 * columns, arithmetic and products.
 *
 * Everything returns a new allocation and checks its arguments first (NULL,
 * NaN/Inf, shapes), so a bad cell gets a ValueError naming the function.
 * The factorisations (SVD, eigen, LU, Cholesky) are decomp.c's, random
 * matrices randmat.c's.
 */
#include <gsl/gsl_blas.h>
#include "internal.h"

/* ---- literals and basics ---- */

gsl_vector *ch_vec_of(size_t n, const double *x)
{
    ch__need_ptr("VEC", "values", x);
    gsl_vector *v = ch__vec(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, x[i]);
    return v;
}

gsl_matrix *ch_mat_of(size_t rows, size_t cols, size_t n, const double *x)
{
    ch__need_ptr("MAT", "values", x);
    if (rows * cols != n)
        ch_fail("ValueError", "MAT: a %zu x %zu matrix needs %zu values, got %zu", rows, cols,
                rows * cols, n);
    gsl_matrix *A = ch__mat(rows, cols);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            gsl_matrix_set(A, i, j, x[i * cols + j]);
    return A;
}

gsl_vector *ch_vec_zeros(size_t n)
{
    return ch__vec(n);
}

gsl_vector *ch_vec_ones(size_t n)
{
    gsl_vector *v = ch__vec(n);
    gsl_vector_set_all(v, 1.0);
    return v;
}

gsl_vector *ch_linspace(double a, double b, size_t n)
{
    ch__need_finite("ch_linspace", "a", a);
    ch__need_finite("ch_linspace", "b", b);
    gsl_vector *v = ch__vec(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, n == 1 ? a : a + (b - a) * (double)i / (double)(n - 1));
    if (n > 1)
        gsl_vector_set(v, n - 1, b);
    return v;
}

gsl_vector *ch_vec_copy(const gsl_vector *v)
{
    ch__need_ptr("ch_vec_copy", "v", v);
    gsl_vector *c = ch__vec(v->size);
    gsl_vector_memcpy(c, v);
    return c;
}

gsl_matrix *ch_mat_zeros(size_t rows, size_t cols)
{
    return ch__mat(rows, cols);
}

gsl_matrix *ch_eye(size_t n)
{
    gsl_matrix *A = ch__mat(n, n);
    gsl_matrix_set_identity(A);
    return A;
}

gsl_matrix *ch_mat_copy(const gsl_matrix *A)
{
    ch__need_ptr("ch_mat_copy", "A", A);
    gsl_matrix *C = ch__mat(A->size1, A->size2);
    gsl_matrix_memcpy(C, A);
    return C;
}

gsl_matrix *ch_diag(const gsl_vector *v)
{
    ch__need_ptr("ch_diag", "v", v);
    gsl_matrix *A = ch__mat(v->size, v->size);
    for (size_t i = 0; i < v->size; i++)
        gsl_matrix_set(A, i, i, gsl_vector_get(v, i));
    return A;
}

gsl_vector *ch_col(const gsl_matrix *A, size_t j)
{
    ch__need_ptr("ch_col", "A", A);
    if (j >= A->size2)
        ch_fail("ValueError", "ch_col: column %zu out of range (matrix has %zu columns)", j,
                A->size2);
    gsl_vector *v = ch__vec(A->size1);
    gsl_matrix_get_col(v, A, j);
    return v;
}

gsl_vector *ch_row(const gsl_matrix *A, size_t i)
{
    ch__need_ptr("ch_row", "A", A);
    if (i >= A->size1)
        ch_fail("ValueError", "ch_row: row %zu out of range (matrix has %zu rows)", i, A->size1);
    gsl_vector *v = ch__vec(A->size2);
    gsl_matrix_get_row(v, A, i);
    return v;
}

static gsl_vector *vec_lin(const char *fn, const gsl_vector *a, double sa, const gsl_vector *b,
                           double sb)
{
    ch__need_vec(fn, "a", a);
    ch__need_vec(fn, "b", b);
    ch__need_same(fn, a, b);
    gsl_vector *c = ch__vec(a->size);
    for (size_t i = 0; i < a->size; i++)
        gsl_vector_set(c, i, sa * gsl_vector_get(a, i) + sb * gsl_vector_get(b, i));
    return c;
}

gsl_vector *ch_vec_add(const gsl_vector *a, const gsl_vector *b)
{
    return vec_lin("ch_vec_add", a, 1, b, 1);
}
gsl_vector *ch_vec_sub(const gsl_vector *a, const gsl_vector *b)
{
    return vec_lin("ch_vec_sub", a, 1, b, -1);
}

gsl_vector *ch_vec_scale(const gsl_vector *a, double s)
{
    ch__need_vec("ch_vec_scale", "a", a);
    gsl_vector *c = ch_vec_copy(a);
    gsl_vector_scale(c, s);
    return c;
}

double ch_dot(const gsl_vector *a, const gsl_vector *b)
{
    ch__need_vec("ch_dot", "a", a);
    ch__need_vec("ch_dot", "b", b);
    ch__need_same("ch_dot", a, b);
    double d;
    gsl_blas_ddot(a, b, &d);
    return d;
}

double ch_norm(const gsl_vector *v)
{
    ch__need_vec("ch_norm", "v", v);
    return gsl_blas_dnrm2(v);
}

static gsl_matrix *mat_lin(const char *fn, const gsl_matrix *A, const gsl_matrix *B, double sb)
{
    ch__need_mat(fn, "A", A);
    ch__need_mat(fn, "B", B);
    if (A->size1 != B->size1 || A->size2 != B->size2)
        ch_fail("ValueError", "%s: shape mismatch (%zu x %zu vs %zu x %zu)", fn, A->size1, A->size2,
                B->size1, B->size2);
    gsl_matrix *C = ch_mat_copy(A);
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++)
            gsl_matrix_set(C, i, j, gsl_matrix_get(A, i, j) + sb * gsl_matrix_get(B, i, j));
    return C;
}

gsl_matrix *ch_mat_add(const gsl_matrix *A, const gsl_matrix *B)
{
    return mat_lin("ch_mat_add", A, B, 1);
}
gsl_matrix *ch_mat_sub(const gsl_matrix *A, const gsl_matrix *B)
{
    return mat_lin("ch_mat_sub", A, B, -1);
}

gsl_matrix *ch_mat_scale(const gsl_matrix *A, double s)
{
    ch__need_mat("ch_mat_scale", "A", A);
    gsl_matrix *C = ch_mat_copy(A);
    gsl_matrix_scale(C, s);
    return C;
}

gsl_matrix *ch_matmul(const gsl_matrix *A, const gsl_matrix *B)
{
    ch__need_mat("ch_matmul", "A", A);
    ch__need_mat("ch_matmul", "B", B);
    if (A->size2 != B->size1)
        ch_fail("ValueError", "ch_matmul: shapes %zu x %zu and %zu x %zu do not chain (%zu != %zu)",
                A->size1, A->size2, B->size1, B->size2, A->size2, B->size1);
    gsl_matrix *C = ch__mat(A->size1, B->size2);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, B, 0.0, C);
    return C;
}

gsl_vector *ch_matvec(const gsl_matrix *A, const gsl_vector *x)
{
    ch__need_mat("ch_matvec", "A", A);
    ch__need_vec("ch_matvec", "x", x);
    if (A->size2 != x->size)
        ch_fail("ValueError", "ch_matvec: A is %zu x %zu but x has size %zu", A->size1, A->size2,
                x->size);
    gsl_vector *y = ch__vec(A->size1);
    gsl_blas_dgemv(CblasNoTrans, 1.0, A, x, 0.0, y);
    return y;
}

gsl_matrix *ch_transpose(const gsl_matrix *A)
{
    ch__need_ptr("ch_transpose", "A", A);
    gsl_matrix *T = ch__mat(A->size2, A->size1);
    gsl_matrix_transpose_memcpy(T, A);
    return T;
}

gsl_matrix *ch_outer(const gsl_vector *u, const gsl_vector *v)
{
    ch__need_vec("ch_outer", "u", u);
    ch__need_vec("ch_outer", "v", v);
    gsl_matrix *A = ch__mat(u->size, v->size);
    for (size_t i = 0; i < u->size; i++)
        for (size_t j = 0; j < v->size; j++)
            gsl_matrix_set(A, i, j, gsl_vector_get(u, i) * gsl_vector_get(v, j));
    return A;
}

double ch_trace(const gsl_matrix *A)
{
    ch__need_square("ch_trace", "A", A);
    double t = 0;
    for (size_t i = 0; i < A->size1; i++)
        t += gsl_matrix_get(A, i, i);
    return t;
}
