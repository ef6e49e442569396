/* decomp.c — the matrix factorisations and what is computed from them: SVD
 * (rank, condition number, pseudo-inverse, low-rank approximation, 2-norm),
 * symmetric eigendecomposition, LU (solve, inverse, determinant), Cholesky
 * (for the Gaussian densities of prob.c), the Frobenius norm and power
 * iteration.
 *
 * Beware: SVD and eigenvector signs are arbitrary in LAPACK/GSL; we fix them
 * (largest-magnitude entry of each V / Q column positive) so results compare
 * across machines and against NumPy after the same normalisation.
 * GSL's SVD needs rows >= cols: wider matrices are decomposed transposed.
 * With CHALK_HAVE_LAPACK (configure found OpenBLAS, which carries LAPACK)
 * the SVD and symmetric eigensolvers are LAPACK's dgesdd / dsyevd, ~20x
 * faster than GSL's one-sided Golub-Reinsch at 256x256; results agree to
 * rounding and the sign convention is applied after either.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <float.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort_vector.h>
#include "internal.h"

/* ---- SVD ---- */

/* Flip column j of P (and of Q if given) so that P's largest-magnitude entry in it is positive. */
static void fix_signs(gsl_matrix *P, gsl_matrix *Q)
{
    for (size_t j = 0; j < P->size2; j++) {
        size_t best = 0;
        for (size_t i = 1; i < P->size1; i++)
            if (fabs(gsl_matrix_get(P, i, j)) > fabs(gsl_matrix_get(P, best, j)))
                best = i;
        if (gsl_matrix_get(P, best, j) < 0) {
            gsl_vector_view c = gsl_matrix_column(P, j);
            gsl_vector_scale(&c.vector, -1.0);
            if (Q) {
                gsl_vector_view d = gsl_matrix_column(Q, j);
                gsl_vector_scale(&d.vector, -1.0);
            }
        }
    }
}

#ifdef CHALK_HAVE_LAPACK
/* Fortran LAPACK (column-major).  The trailing size_t arguments are the
 * hidden lengths of the CHARACTER arguments: passing them is what the
 * gfortran ABI requires (leaving them out breaks under tail calls). */
void dgesdd_(const char *jobz, const int *m, const int *n, double *a, const int *lda, double *s,
             double *u, const int *ldu, double *vt, const int *ldvt, double *work, const int *lwork,
             int *iwork, int *info, size_t jobz_len);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);

static int lapack_dim(const char *fn, size_t n)
{
    if (n > 46340) /* n * n must fit LAPACK's int workspace arithmetic */
        ch_fail("ValueError", "%s: dimension %zu is too large", fn, n);
    return (int)n;
}

/* A (m x n, row-major) is, read column-major, A^T (n x m).  dgesdd of A^T =
 * U' S V'^T gives A = V' S U'^T: our U is V' and our V is U'. */
static ch_svd_t svd_lapack(const char *fn, const gsl_matrix *A)
{
    int m = lapack_dim(fn, A->size1), n = lapack_dim(fn, A->size2), k = m < n ? m : n;
    int cm = n, cn = m; /* the column-major problem is cm x cn */
    double *a = ch__xmalloc(sizeof(double) * (size_t)m * (size_t)n);
    for (int i = 0; i < m; i++)
        memcpy(a + (size_t)i * (size_t)n, gsl_matrix_const_ptr(A, (size_t)i, 0),
               sizeof(double) * (size_t)n);
    double *u = ch__xmalloc(sizeof(double) * (size_t)cm * (size_t)k);  /* U': cm x k */
    double *vt = ch__xmalloc(sizeof(double) * (size_t)k * (size_t)cn); /* V'^T: k x cn */
    int *iw = ch__xmalloc(sizeof(int) * 8 * (size_t)k);
    gsl_vector *S = ch__vec((size_t)k);
    double q;
    int lw = -1, info = 0;
    dgesdd_("S", &cm, &cn, a, &cm, S->data, u, &cm, vt, &k, &q, &lw, iw, &info, 1);
    lw = (int)q;
    double *work = ch__xmalloc(sizeof(double) * (size_t)(lw > 1 ? lw : 1));
    dgesdd_("S", &cm, &cn, a, &cm, S->data, u, &cm, vt, &k, work, &lw, iw, &info, 1);
    free(work);
    free(iw);
    free(a);
    if (info != 0) {
        free(u);
        free(vt);
        gsl_vector_free(S);
        ch_fail("LinAlgError", "%s: SVD did not converge (LAPACK dgesdd info=%d)", fn, info);
    }
    ch_svd_t r;
    r.S = S;
    r.U = ch__mat((size_t)m, (size_t)k);
    r.V = ch__mat((size_t)n, (size_t)k);
    /* our U = V' : U[i][j] = V'[i][j] = (V'^T)[j][i] = vt[j + i*k] */
    for (int i = 0; i < m; i++)
        for (int j = 0; j < k; j++)
            gsl_matrix_set(r.U, (size_t)i, (size_t)j, vt[(size_t)j + (size_t)i * (size_t)k]);
    /* our V = U' : V[i][j] = u[i + j*cm] */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < k; j++)
            gsl_matrix_set(r.V, (size_t)i, (size_t)j, u[(size_t)i + (size_t)j * (size_t)cm]);
    free(u);
    free(vt);
    fix_signs(r.V, r.U);
    return r;
}

/* A symmetric: row- and column-major agree; eigenvectors come back as the
 * columns of the column-major result, i.e. the rows of our buffer. */
static ch_eig_t eigh_lapack(const char *fn, const gsl_matrix *A, int vectors)
{
    int n = lapack_dim(fn, A->size1);
    double *a = ch__xmalloc(sizeof(double) * (size_t)n * (size_t)n);
    for (int i = 0; i < n; i++)
        memcpy(a + (size_t)i * (size_t)n, gsl_matrix_const_ptr(A, (size_t)i, 0),
               sizeof(double) * (size_t)n);
    ch_eig_t e;
    e.w = ch__vec((size_t)n);
    e.Q = NULL;
    const char *jobz = vectors ? "V" : "N";
    double q;
    int qi, lw = -1, liw = -1, info = 0;
    dsyevd_(jobz, "L", &n, a, &n, e.w->data, &q, &lw, &qi, &liw, &info, 1, 1);
    lw = (int)q;
    liw = qi;
    double *work = ch__xmalloc(sizeof(double) * (size_t)(lw > 1 ? lw : 1));
    int *iw = ch__xmalloc(sizeof(int) * (size_t)(liw > 1 ? liw : 1));
    dsyevd_(jobz, "L", &n, a, &n, e.w->data, work, &lw, iw, &liw, &info, 1, 1);
    free(work);
    free(iw);
    if (info != 0) {
        free(a);
        gsl_vector_free(e.w);
        ch_fail("LinAlgError", "%s: eigensolver did not converge (LAPACK dsyevd info=%d)", fn,
                info);
    }
    if (vectors) {
        e.Q = ch__mat((size_t)n, (size_t)n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                gsl_matrix_set(e.Q, (size_t)i, (size_t)j, a[(size_t)i + (size_t)j * (size_t)n]);
        fix_signs(e.Q, NULL);
    }
    free(a);
    return e;
}
#endif

static ch_svd_t svd(const char *fn, const gsl_matrix *A)
{
    ch__need_mat(fn, "A", A);
#ifdef CHALK_HAVE_LAPACK
    return svd_lapack(fn, A);
#endif
    int wide = A->size2 > A->size1;
    size_t m = wide ? A->size2 : A->size1, n = wide ? A->size1 : A->size2;
    gsl_matrix *U = gsl_matrix_alloc(m, n);
    if (wide)
        gsl_matrix_transpose_memcpy(U, A);
    else
        gsl_matrix_memcpy(U, A);
    gsl_matrix *V = gsl_matrix_alloc(n, n);
    gsl_vector *S = gsl_vector_alloc(n);
    gsl_vector *work = gsl_vector_alloc(n);
    if (n == 1) {
        /* GSL handles n == 1, but do it directly to keep the sign convention simple */
        gsl_vector_view c0 = gsl_matrix_column(U, 0);
        double s = gsl_blas_dnrm2(&c0.vector);
        gsl_vector_set(S, 0, s);
        gsl_matrix_set(V, 0, 0, 1.0);
        if (s > 0)
            gsl_matrix_scale(U, 1.0 / s);
        else {
            gsl_matrix_set_zero(U);
            gsl_matrix_set(U, 0, 0, 1.0);
        }
    } else {
        gsl_linalg_SV_decomp(U, V, S, work);
    }
    gsl_vector_free(work);
    ch_svd_t r;
    if (wide) {
        r.U = V;
        r.V = U;
    } else {
        r.U = U;
        r.V = V;
    }
    r.S = S;
    fix_signs(r.V, r.U);
    return r;
}

ch_svd_t ch_svd(const gsl_matrix *A)
{
    return svd("ch_svd", A);
}

void ch_svd_free(ch_svd_t *s)
{
    if (!s)
        return;
    if (s->U)
        gsl_matrix_free(s->U);
    if (s->S)
        gsl_vector_free(s->S);
    if (s->V)
        gsl_matrix_free(s->V);
    s->U = s->V = NULL;
    s->S = NULL;
}

gsl_matrix *ch_svd_reconstruct(const ch_svd_t *s, size_t k)
{
    ch__need_ptr("ch_svd_reconstruct", "svd", s);
    ch__need_ptr("ch_svd_reconstruct", "svd.U", s->U);
    ch__need_ptr("ch_svd_reconstruct", "svd.S", s->S);
    ch__need_ptr("ch_svd_reconstruct", "svd.V", s->V);
    if (k > s->S->size)
        ch_fail("ValueError", "ch_svd_reconstruct: rank k = %zu exceeds the %zu singular values", k,
                s->S->size);
    size_t m = s->U->size1, n = s->V->size1;
    gsl_matrix *A = ch__mat(m, n);
    if (k == 0)
        return A;
    gsl_matrix *US = gsl_matrix_alloc(m, k);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++)
            gsl_matrix_set(US, i, j, gsl_matrix_get(s->U, i, j) * gsl_vector_get(s->S, j));
    gsl_matrix_const_view Vk = gsl_matrix_const_submatrix(s->V, 0, 0, n, k);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, US, &Vk.matrix, 0.0, A);
    gsl_matrix_free(US);
    return A;
}

gsl_matrix *ch_lowrank(const gsl_matrix *A, size_t k)
{
    ch_svd_t s = svd("ch_lowrank", A);
    if (k > s.S->size) {
        size_t kk = s.S->size;
        ch_svd_free(&s);
        ch_fail("ValueError", "ch_lowrank: rank k = %zu exceeds min(rows, cols) = %zu", k, kk);
    }
    gsl_matrix *B = ch_svd_reconstruct(&s, k);
    ch_svd_free(&s);
    return B;
}

static gsl_vector *singvals(const char *fn, const gsl_matrix *A)
{
    ch_svd_t s = svd(fn, A);
    gsl_vector *S = s.S;
    s.S = NULL;
    ch_svd_free(&s);
    return S;
}

gsl_vector *ch_singvals(const gsl_matrix *A)
{
    return singvals("ch_singvals", A);
}

size_t ch_rank(const gsl_matrix *A, double tol)
{
    gsl_vector *S = singvals("ch_rank", A);
    if (!(tol > 0))
        tol = (double)(A->size1 > A->size2 ? A->size1 : A->size2) * DBL_EPSILON *
              gsl_vector_get(S, 0);
    size_t r = 0;
    for (size_t i = 0; i < S->size; i++)
        if (gsl_vector_get(S, i) > tol)
            r++;
    gsl_vector_free(S);
    return r;
}

double ch_cond(const gsl_matrix *A)
{
    gsl_vector *S = singvals("ch_cond", A);
    double smax = gsl_vector_get(S, 0), smin = gsl_vector_get(S, S->size - 1);
    gsl_vector_free(S);
    if (smin == 0)
        return INFINITY;
    return smax / smin;
}

gsl_matrix *ch_pinv(const gsl_matrix *A, double rcond)
{
    ch_svd_t s = svd("ch_pinv", A);
    if (!(rcond > 0))
        rcond = (double)(A->size1 > A->size2 ? A->size1 : A->size2) * DBL_EPSILON;
    double cut = rcond * gsl_vector_get(s.S, 0);
    size_t m = s.U->size1, n = s.V->size1, k = s.S->size;
    /* pinv = V diag(1/s) U^T */
    gsl_matrix *VS = gsl_matrix_calloc(n, k);
    for (size_t j = 0; j < k; j++) {
        double sj = gsl_vector_get(s.S, j);
        double inv = sj > cut ? 1.0 / sj : 0.0;
        for (size_t i = 0; i < n; i++)
            gsl_matrix_set(VS, i, j, gsl_matrix_get(s.V, i, j) * inv);
    }
    gsl_matrix *P = ch__mat(n, m);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, VS, s.U, 0.0, P);
    gsl_matrix_free(VS);
    ch_svd_free(&s);
    return P;
}

/* Refuse singular or numerically singular systems: rcond = sigma_min/sigma_max. */
static void need_invertible(const char *fn, const gsl_matrix *A)
{
    ch__need_square(fn, "A", A);
    gsl_vector *S = singvals(fn, A);
    double smax = gsl_vector_get(S, 0), smin = gsl_vector_get(S, S->size - 1);
    gsl_vector_free(S);
    double rc = smax > 0 ? smin / smax : 0.0;
    if (rc == 0)
        ch_fail("LinAlgError", "%s: matrix is singular (rcond=0)", fn);
    if (rc < 1e-14)
        ch_fail("LinAlgError", "%s: matrix is singular to working precision (rcond=%.3g)", fn, rc);
}

gsl_vector *ch_solve(const gsl_matrix *A, const gsl_vector *b)
{
    ch__need_square("ch_solve", "A", A);
    ch__need_vec("ch_solve", "b", b);
    if (A->size1 != b->size)
        ch_fail("ValueError", "ch_solve: A is %zu x %zu but b has size %zu", A->size1, A->size2,
                b->size);
    need_invertible("ch_solve", A);
    gsl_matrix *LU = ch_mat_copy(A);
    gsl_permutation *p = gsl_permutation_alloc(A->size1);
    int sg;
    gsl_linalg_LU_decomp(LU, p, &sg);
    gsl_vector *x = ch__vec(A->size1);
    gsl_linalg_LU_solve(LU, p, b, x);
    gsl_permutation_free(p);
    gsl_matrix_free(LU);
    return x;
}

gsl_matrix *ch_inv(const gsl_matrix *A)
{
    ch__need_square("ch_inv", "A", A);
    need_invertible("ch_inv", A);
    gsl_matrix *LU = ch_mat_copy(A);
    gsl_permutation *p = gsl_permutation_alloc(A->size1);
    int sg;
    gsl_linalg_LU_decomp(LU, p, &sg);
    gsl_matrix *I = ch__mat(A->size1, A->size1);
    gsl_linalg_LU_invert(LU, p, I);
    gsl_permutation_free(p);
    gsl_matrix_free(LU);
    return I;
}

double ch_det(const gsl_matrix *A)
{
    ch__need_square("ch_det", "A", A);
    gsl_matrix *LU = ch_mat_copy(A);
    gsl_permutation *p = gsl_permutation_alloc(A->size1);
    int sg;
    gsl_linalg_LU_decomp(LU, p, &sg);
    double d = gsl_linalg_LU_det(LU, sg);
    gsl_permutation_free(p);
    gsl_matrix_free(LU);
    return d;
}

/* ---- symmetric eigen ---- */

static ch_eig_t eigh(const char *fn, const gsl_matrix *A, int vectors)
{
    ch__need_sym(fn, "A", A);
#ifdef CHALK_HAVE_LAPACK
    return eigh_lapack(fn, A, vectors);
#endif
    size_t n = A->size1;
    gsl_matrix *B = ch_mat_copy(A);
    ch_eig_t e;
    e.w = ch__vec(n);
    e.Q = NULL;
    if (vectors) {
        e.Q = ch__mat(n, n);
        gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(n);
        gsl_eigen_symmv(B, e.w, e.Q, ws);
        gsl_eigen_symmv_free(ws);
        gsl_eigen_symmv_sort(e.w, e.Q, GSL_EIGEN_SORT_VAL_ASC);
        fix_signs(e.Q, NULL);
    } else {
        gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);
        gsl_eigen_symm(B, e.w, ws);
        gsl_eigen_symm_free(ws);
        gsl_sort_vector(e.w);
    }
    gsl_matrix_free(B);
    return e;
}

ch_eig_t ch_eigh(const gsl_matrix *A)
{
    return eigh("ch_eigh", A, 1);
}

void ch_eig_free(ch_eig_t *e)
{
    if (!e)
        return;
    if (e->w)
        gsl_vector_free(e->w);
    if (e->Q)
        gsl_matrix_free(e->Q);
    e->w = NULL;
    e->Q = NULL;
}

gsl_vector *ch_eigvalsh(const gsl_matrix *A)
{
    return eigh("ch_eigvalsh", A, 0).w;
}

double ch_eig_max(const gsl_matrix *A)
{
    gsl_vector *w = eigh("ch_eig_max", A, 0).w;
    double x = gsl_vector_get(w, w->size - 1);
    gsl_vector_free(w);
    return x;
}

double ch_eig_min(const gsl_matrix *A)
{
    gsl_vector *w = eigh("ch_eig_min", A, 0).w;
    double x = gsl_vector_get(w, 0);
    gsl_vector_free(w);
    return x;
}

double ch_norm2(const gsl_matrix *A)
{
    gsl_vector *S = singvals("ch_norm2", A);
    double x = gsl_vector_get(S, 0);
    gsl_vector_free(S);
    return x;
}

double ch_normF(const gsl_matrix *A)
{
    ch__need_mat("ch_normF", "A", A);
    /* scaled sum of squares, as LAPACK's dlange, so huge entries do not overflow */
    double scale = 0, ssq = 1;
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++) {
            double a = fabs(gsl_matrix_get(A, i, j));
            if (a == 0)
                continue;
            if (scale < a) {
                ssq = 1 + ssq * (scale / a) * (scale / a);
                scale = a;
            } else {
                ssq += (a / scale) * (a / scale);
            }
        }
    return scale * sqrt(ssq);
}

double ch_power_iter(const gsl_matrix *A, size_t maxit, double tol, gsl_vector **v)
{
    ch__need_square("ch_power_iter", "A", A);
    if (maxit == 0)
        maxit = 10000;
    if (!(tol > 0))
        tol = 1e-12;
    size_t n = A->size1;
    /* a private generator: the start must not disturb the cell's random stream */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 12345);
    gsl_vector *x = ch__vec(n), *y = ch__vec(n);
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(x, i, gsl_ran_gaussian_ziggurat(r, 1.0));
    gsl_rng_free(r);
    gsl_vector_scale(x, 1.0 / gsl_blas_dnrm2(x));
    double lam = 0, prev = NAN;
    for (size_t it = 0; it < maxit; it++) {
        gsl_blas_dgemv(CblasNoTrans, 1.0, A, x, 0.0, y);
        gsl_blas_ddot(x, y, &lam);
        double ny = gsl_blas_dnrm2(y);
        if (ny == 0) {
            lam = 0;
            break;
        }
        gsl_vector_scale(y, 1.0 / ny);
        gsl_vector *t = x;
        x = y;
        y = t;
        if (fabs(lam - prev) <= tol * fabs(lam))
            break;
        prev = lam;
    }
    gsl_vector_free(y);
    if (v)
        *v = x;
    else
        gsl_vector_free(x);
    return lam;
}

/* ---- Cholesky ---- */

gsl_matrix *ch__chol(const char *fn, const char *what, const gsl_matrix *A)
{
    ch__need_sym(fn, what, A);
    gsl_matrix *L = gsl_matrix_alloc(A->size1, A->size2);
    gsl_matrix_memcpy(L, A);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(L);
    gsl_set_error_handler(old);
    if (rc != 0) {
        gsl_matrix_free(L);
        ch_fail("LinAlgError", "%s: %s is not positive definite (Cholesky failed)", fn, what);
    }
    for (size_t i = 0; i < L->size1; i++)
        for (size_t j = i + 1; j < L->size2; j++)
            gsl_matrix_set(L, i, j, 0.0);
    return L;
}

double ch__chol_logdet(const gsl_matrix *L)
{
    double s = 0;
    for (size_t i = 0; i < L->size1; i++)
        s += log(gsl_matrix_get(L, i, i));
    return 2 * s;
}
