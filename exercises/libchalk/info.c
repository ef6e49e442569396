/* info.c — entropy, cross-entropy, KL and JS divergences, mutual
 * information from joint tables, channels, and the InfoNCE bound.
 *
 * Conventions: 0 log 0 = 0; KL(p || q) = +INFINITY where q_i = 0 < p_i (a
 * true value, not an error); inputs must be probability vectors (checked to
 * 1e-9), joint tables must sum to 1 and channels must be row-stochastic, so
 * a typo gives a ValueError rather than a plausible wrong number.
 */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>
#include "internal.h"

static void need_pq(const char *fn, const gsl_vector *p, const gsl_vector *q)
{
    ch__need_prob(fn, "p", p);
    ch__need_prob(fn, "q", q);
    ch__need_same(fn, p, q);
}

static double entropy(const gsl_vector *p)
{
    double h = 0;
    for (size_t i = 0; i < p->size; i++) {
        double x = gsl_vector_get(p, i);
        if (x > 0)
            h -= x * log(x);
    }
    return h;
}

static double kl(const gsl_vector *p, const gsl_vector *q)
{
    double d = 0;
    for (size_t i = 0; i < p->size; i++) {
        double a = gsl_vector_get(p, i), b = gsl_vector_get(q, i);
        if (a == 0)
            continue;
        if (b == 0)
            return INFINITY;
        d += a * log(a / b);
    }
    return d;
}

static double xent(const gsl_vector *p, const gsl_vector *q)
{
    double h = 0;
    for (size_t i = 0; i < p->size; i++) {
        double a = gsl_vector_get(p, i), b = gsl_vector_get(q, i);
        if (a == 0)
            continue;
        if (b == 0)
            return INFINITY;
        h -= a * log(b);
    }
    return h;
}

static double js(const gsl_vector *p, const gsl_vector *q)
{
    double d = 0;
    for (size_t i = 0; i < p->size; i++) {
        double a = gsl_vector_get(p, i), b = gsl_vector_get(q, i), m = 0.5 * (a + b);
        if (a > 0)
            d += 0.5 * a * log(a / m);
        if (b > 0)
            d += 0.5 * b * log(b / m);
    }
    return d;
}

double ch_entropy(const gsl_vector *p)
{
    ch__need_prob("ch_entropy", "p", p);
    return entropy(p);
}

double ch_entropy_bits(const gsl_vector *p)
{
    ch__need_prob("ch_entropy_bits", "p", p);
    return entropy(p) / M_LN2;
}

double ch_xent(const gsl_vector *p, const gsl_vector *q)
{
    need_pq("ch_xent", p, q);
    return xent(p, q);
}

double ch_xent_bits(const gsl_vector *p, const gsl_vector *q)
{
    need_pq("ch_xent_bits", p, q);
    return xent(p, q) / M_LN2;
}

double ch_kl(const gsl_vector *p, const gsl_vector *q)
{
    need_pq("ch_kl", p, q);
    return kl(p, q);
}

double ch_kl_bits(const gsl_vector *p, const gsl_vector *q)
{
    need_pq("ch_kl_bits", p, q);
    return kl(p, q) / M_LN2;
}

double ch_js(const gsl_vector *p, const gsl_vector *q)
{
    need_pq("ch_js", p, q);
    return js(p, q);
}

double ch_js_bits(const gsl_vector *p, const gsl_vector *q)
{
    need_pq("ch_js_bits", p, q);
    return js(p, q) / M_LN2;
}

static void need_joint(const char *fn, const gsl_matrix *P)
{
    ch__need_mat(fn, "P", P);
    double s = 0;
    for (size_t i = 0; i < P->size1; i++)
        for (size_t j = 0; j < P->size2; j++) {
            double x = gsl_matrix_get(P, i, j);
            if (x < 0)
                ch_fail("ValueError", "%s: P[%zu][%zu] = %g is negative (not a joint distribution)",
                        fn, i, j, x);
            s += x;
        }
    if (fabs(s - 1) > 1e-9)
        ch_fail("ValueError", "%s: P sums to %.17g, not 1 (not a joint distribution)", fn, s);
}

static void need_channel(const char *fn, const char *what, const gsl_matrix *K)
{
    ch__need_mat(fn, what, K);
    for (size_t i = 0; i < K->size1; i++) {
        double s = 0;
        for (size_t j = 0; j < K->size2; j++) {
            double x = gsl_matrix_get(K, i, j);
            if (x < 0)
                ch_fail("ValueError", "%s: %s[%zu][%zu] = %g is negative (not a channel)", fn, what,
                        i, j, x);
            s += x;
        }
        if (fabs(s - 1) > 1e-9)
            ch_fail("ValueError",
                    "%s: row %zu of %s sums to %.17g, not 1 (a channel is row-stochastic)", fn, i,
                    what, s);
    }
}

static gsl_vector *rowsums(const gsl_matrix *P)
{
    gsl_vector *v = ch__vec(P->size1);
    for (size_t i = 0; i < P->size1; i++) {
        double s = 0;
        for (size_t j = 0; j < P->size2; j++)
            s += gsl_matrix_get(P, i, j);
        gsl_vector_set(v, i, s);
    }
    return v;
}

static gsl_vector *colsums(const gsl_matrix *P)
{
    gsl_vector *v = ch__vec(P->size2);
    for (size_t i = 0; i < P->size1; i++)
        for (size_t j = 0; j < P->size2; j++)
            gsl_vector_set(v, j, gsl_vector_get(v, j) + gsl_matrix_get(P, i, j));
    return v;
}

gsl_vector *ch_marg_x(const gsl_matrix *P)
{
    need_joint("ch_marg_x", P);
    return rowsums(P);
}

gsl_vector *ch_marg_y(const gsl_matrix *P)
{
    need_joint("ch_marg_y", P);
    return colsums(P);
}

static double mi(const gsl_matrix *P)
{
    gsl_vector *px = rowsums(P), *py = colsums(P);
    double I = 0;
    for (size_t i = 0; i < P->size1; i++)
        for (size_t j = 0; j < P->size2; j++) {
            double p = gsl_matrix_get(P, i, j);
            if (p > 0)
                I += p * log(p / (gsl_vector_get(px, i) * gsl_vector_get(py, j)));
        }
    gsl_vector_free(px);
    gsl_vector_free(py);
    /* rounding can make an independent table come out at -1e-17 */
    return I < 0 ? 0 : I;
}

double ch_mi(const gsl_matrix *P)
{
    need_joint("ch_mi", P);
    return mi(P);
}

double ch_mi_bits(const gsl_matrix *P)
{
    need_joint("ch_mi_bits", P);
    return mi(P) / M_LN2;
}

double ch_cond_entropy(const gsl_matrix *P)
{
    need_joint("ch_cond_entropy", P);
    gsl_vector *px = rowsums(P);
    double h = 0;
    for (size_t i = 0; i < P->size1; i++)
        for (size_t j = 0; j < P->size2; j++) {
            double p = gsl_matrix_get(P, i, j);
            if (p > 0)
                h -= p * log(p / gsl_vector_get(px, i));
        }
    gsl_vector_free(px);
    return h;
}

gsl_vector *ch_rand_simplex(size_t n)
{
    gsl_vector *p = ch__vec(n);
    double s = 0;
    /* Dirichlet(1, ..., 1) = normalised Exp(1) draws */
    for (size_t i = 0; i < n; i++) {
        double e = -log1p(-ch_rand());
        gsl_vector_set(p, i, e);
        s += e;
    }
    gsl_vector_scale(p, 1.0 / s);
    return p;
}

gsl_matrix *ch_rand_channel(size_t n, size_t m)
{
    gsl_matrix *K = ch__mat(n, m);
    for (size_t i = 0; i < n; i++) {
        gsl_vector *r = ch_rand_simplex(m);
        gsl_matrix_set_row(K, i, r);
        gsl_vector_free(r);
    }
    return K;
}

static void need_p_K(const char *fn, const gsl_vector *p, const gsl_matrix *K)
{
    ch__need_prob(fn, "p", p);
    need_channel(fn, "K", K);
    if (p->size != K->size1)
        ch_fail("ValueError", "%s: p has size %zu but K has %zu rows (one per input symbol)", fn,
                p->size, K->size1);
}

gsl_vector *ch_channel_out(const gsl_vector *p, const gsl_matrix *K)
{
    need_p_K("ch_channel_out", p, K);
    gsl_vector *q = ch__vec(K->size2);
    gsl_blas_dgemv(CblasTrans, 1.0, K, p, 0.0, q);
    return q;
}

static gsl_matrix *joint(const gsl_vector *p, const gsl_matrix *K)
{
    gsl_matrix *P = ch__mat(K->size1, K->size2);
    for (size_t i = 0; i < K->size1; i++)
        for (size_t j = 0; j < K->size2; j++)
            gsl_matrix_set(P, i, j, gsl_vector_get(p, i) * gsl_matrix_get(K, i, j));
    return P;
}

gsl_matrix *ch_channel_joint(const gsl_vector *p, const gsl_matrix *K)
{
    need_p_K("ch_channel_joint", p, K);
    return joint(p, K);
}

gsl_matrix *ch_channel_compose(const gsl_matrix *K1, const gsl_matrix *K2)
{
    need_channel("ch_channel_compose", "K1", K1);
    need_channel("ch_channel_compose", "K2", K2);
    if (K1->size2 != K2->size1)
        ch_fail("ValueError", "ch_channel_compose: K1 has %zu outputs but K2 has %zu inputs",
                K1->size2, K2->size1);
    return ch_matmul(K1, K2);
}

double ch_channel_mi(const gsl_vector *p, const gsl_matrix *K)
{
    need_p_K("ch_channel_mi", p, K);
    gsl_matrix *P = joint(p, K);
    double I = mi(P);
    gsl_matrix_free(P);
    return I;
}

/* ---- InfoNCE ---- */

double ch_infonce(const gsl_matrix *X, const gsl_matrix *Y, ch_critic f, void *ctx)
{
    const char *fn = "ch_infonce";
    ch__need_mat(fn, "X", X);
    ch__need_mat(fn, "Y", Y);
    if (!f)
        ch_fail("ValueError", "%s: critic f is NULL", fn);
    if (X->size1 != Y->size1)
        ch_fail("ValueError", "%s: X has %zu rows but Y has %zu (rows are pairs)", fn, X->size1,
                Y->size1);
    if (X->size1 < 2)
        ch_fail("ValueError", "%s: need at least 2 pairs", fn);
    size_t N = X->size1;
    size_t mark = ch__mark();
    double *row = ch__defer_mem(ch__xmalloc(N * sizeof *row));
    double sum = 0;
    for (size_t i = 0; i < N; i++) {
        gsl_vector_const_view xi = gsl_matrix_const_row(X, i);
        double mx = -INFINITY;
        for (size_t j = 0; j < N; j++) {
            gsl_vector_const_view yj = gsl_matrix_const_row(Y, j);
            double s = f(&xi.vector, &yj.vector, ctx);
            if (isnan(s) || s == INFINITY) {
                ch_fail("ValueError", "%s: critic returned %g for pair (%zu, %zu)", fn, s, i, j);
            }
            row[j] = s;
            if (s > mx)
                mx = s;
        }
        double lse = 0;
        for (size_t j = 0; j < N; j++)
            lse += exp(row[j] - mx);
        lse = mx + log(lse);
        sum += row[i] - lse;
    }
    ch__forget(mark);
    free(row);
    /* log N + mean_i log softmax_i(f(x_i, .))_i: each term is <= 0, so the bound is <= log N */
    return log((double)N) + sum / (double)N;
}

void ch_gauss_pairs(size_t n, size_t d, double rho, gsl_matrix **X, gsl_matrix **Y)
{
    ch__need_ptr("ch_gauss_pairs", "X", X);
    ch__need_ptr("ch_gauss_pairs", "Y", Y);
    if (!(rho > -1 && rho < 1))
        ch_fail("ValueError", "ch_gauss_pairs: rho must lie in (-1, 1), got %g", rho);
    gsl_matrix *A = ch__mat(n, d), *B = ch__mat(n, d);
    double c = sqrt(1 - rho * rho);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double x = ch_randn();
            gsl_matrix_set(A, i, j, x);
            gsl_matrix_set(B, i, j, rho * x + c * ch_randn());
        }
    *X = A;
    *Y = B;
}

double ch_gauss_mi(size_t d, double rho)
{
    if (!(rho > -1 && rho < 1))
        ch_fail("ValueError", "ch_gauss_mi: rho must lie in (-1, 1), got %g", rho);
    return -0.5 * (double)d * log1p(-rho * rho);
}

double ch_gauss_critic(const gsl_vector *x, const gsl_vector *y, void *ctx)
{
    if (!ctx)
        ch_fail("ValueError", "ch_gauss_critic: ctx must point to the double rho");
    if (!x || !y || x->size != y->size)
        ch_fail("ValueError", "ch_gauss_critic: x and y must be vectors of the same size");
    double rho = *(const double *)ctx, v = 1 - rho * rho, s = 0;
    for (size_t i = 0; i < x->size; i++) {
        double a = gsl_vector_get(x, i), b = gsl_vector_get(y, i), r = b - rho * a;
        s += -0.5 * r * r / v + 0.5 * b * b;
    }
    return s - 0.5 * (double)x->size * log(v);
}
