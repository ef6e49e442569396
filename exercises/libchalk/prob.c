/* prob.c — sampling from distributions (categorical, multivariate normal),
 * Gaussian densities and KL divergences, the linear-Gaussian latent model
 * (exact evidence, exact posterior, exact and Monte Carlo ELBO), and the
 * bias-variance harness.
 *
 * Every draw comes from the one chalk generator (rng.c), so a cell that
 * calls ch_seed gets the same samples on every machine.  Beware: the
 * densities factor their covariance by Cholesky (decomp.c) and fail with
 * LinAlgError naming the function when it is not positive definite.
 */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include "internal.h"

size_t ch_categorical(const gsl_vector *p)
{
    ch__need_prob("ch_categorical", "p", p);
    double u = ch_rand(), c = 0;
    size_t last = 0;
    for (size_t i = 0; i < p->size; i++) {
        double pi = gsl_vector_get(p, i);
        if (pi > 0)
            last = i;
        c += pi;
        if (u < c && pi > 0)
            return i;
    }
    return last; /* u landed in the rounding gap of the cumulative sum */
}

gsl_matrix *ch_mvn_sample(const gsl_vector *mu, const gsl_matrix *Sigma, size_t n)
{
    ch__need_vec("ch_mvn_sample", "mu", mu);
    ch__need_mat("ch_mvn_sample", "Sigma", Sigma);
    if (Sigma->size1 != mu->size || Sigma->size2 != mu->size)
        ch_fail("ValueError", "ch_mvn_sample: mu has size %zu but Sigma is %zu x %zu", mu->size,
                Sigma->size1, Sigma->size2);
    gsl_matrix *L = ch__chol("ch_mvn_sample", "Sigma", Sigma);
    size_t d = mu->size;
    gsl_matrix *X = ch__mat(n, d);
    gsl_vector *e = ch__vec(d);
    for (size_t r = 0; r < n; r++) {
        for (size_t i = 0; i < d; i++)
            gsl_vector_set(e, i, ch_randn());
        gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, L, e);
        for (size_t i = 0; i < d; i++)
            gsl_matrix_set(X, r, i, gsl_vector_get(mu, i) + gsl_vector_get(e, i));
    }
    gsl_vector_free(e);
    gsl_matrix_free(L);
    return X;
}

double ch_normal_logpdf(double x, double mu, double sigma)
{
    ch__need_finite("ch_normal_logpdf", "x", x);
    ch__need_finite("ch_normal_logpdf", "mu", mu);
    if (!(sigma > 0) || !isfinite(sigma))
        ch_fail("ValueError", "ch_normal_logpdf: sigma must be positive and finite, got %g", sigma);
    double z = (x - mu) / sigma;
    return -0.5 * z * z - log(sigma) - 0.5 * log(2 * M_PI);
}

/* |L^{-1} v|^2 for lower-triangular L. */
static double mahal(const gsl_matrix *L, const gsl_vector *v)
{
    gsl_vector *t = ch_vec_copy(v);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, L, t);
    double q = gsl_blas_dnrm2(t);
    gsl_vector_free(t);
    return q * q;
}

double ch_mvn_logpdf(const gsl_vector *x, const gsl_vector *mu, const gsl_matrix *Sigma)
{
    ch__need_vec("ch_mvn_logpdf", "x", x);
    ch__need_vec("ch_mvn_logpdf", "mu", mu);
    ch__need_same("ch_mvn_logpdf", x, mu);
    ch__need_mat("ch_mvn_logpdf", "Sigma", Sigma);
    if (Sigma->size1 != mu->size || Sigma->size2 != mu->size)
        ch_fail("ValueError", "ch_mvn_logpdf: mu has size %zu but Sigma is %zu x %zu", mu->size,
                Sigma->size1, Sigma->size2);
    gsl_matrix *L = ch__chol("ch_mvn_logpdf", "Sigma", Sigma);
    gsl_vector *dx = ch_vec_sub(x, mu);
    double q = mahal(L, dx), ld = ch__chol_logdet(L);
    gsl_vector_free(dx);
    gsl_matrix_free(L);
    return -0.5 * ((double)x->size * log(2 * M_PI) + ld + q);
}

double ch_kl_gauss(double m1, double s1, double m2, double s2)
{
    ch__need_finite("ch_kl_gauss", "m1", m1);
    ch__need_finite("ch_kl_gauss", "m2", m2);
    if (!(s1 > 0) || !(s2 > 0) || !isfinite(s1) || !isfinite(s2))
        ch_fail("ValueError",
                "ch_kl_gauss: standard deviations must be positive and finite, got s1=%g, s2=%g",
                s1, s2);
    double r = s1 / s2, d = (m1 - m2) / s2;
    return -log(r) + 0.5 * (r * r + d * d - 1);
}

double ch_kl_gauss_diag(const gsl_vector *m1, const gsl_vector *v1, const gsl_vector *m2,
                        const gsl_vector *v2)
{
    const char *fn = "ch_kl_gauss_diag";
    ch__need_vec(fn, "m1", m1);
    ch__need_vec(fn, "v1", v1);
    ch__need_vec(fn, "m2", m2);
    ch__need_vec(fn, "v2", v2);
    ch__need_same(fn, m1, v1);
    ch__need_same(fn, m1, m2);
    ch__need_same(fn, m1, v2);
    double kl = 0;
    for (size_t i = 0; i < m1->size; i++) {
        double a = gsl_vector_get(v1, i), b = gsl_vector_get(v2, i);
        if (!(a > 0) || !(b > 0))
            ch_fail("ValueError", "%s: variances must be positive, got v1[%zu]=%g, v2[%zu]=%g", fn,
                    i, a, i, b);
        double d = gsl_vector_get(m1, i) - gsl_vector_get(m2, i);
        kl += 0.5 * (a / b + d * d / b - 1 - log(a / b));
    }
    return kl;
}

double ch_kl_gauss_full(const gsl_vector *m1, const gsl_matrix *S1, const gsl_vector *m2,
                        const gsl_matrix *S2)
{
    const char *fn = "ch_kl_gauss_full";
    ch__need_vec(fn, "m1", m1);
    ch__need_vec(fn, "m2", m2);
    ch__need_same(fn, m1, m2);
    ch__need_mat(fn, "S1", S1);
    ch__need_mat(fn, "S2", S2);
    size_t k = m1->size;
    if (S1->size1 != k || S1->size2 != k || S2->size1 != k || S2->size2 != k)
        ch_fail("ValueError", "%s: means have size %zu but S1 is %zu x %zu and S2 is %zu x %zu", fn,
                k, S1->size1, S1->size2, S2->size1, S2->size2);
    gsl_matrix *L1 = ch__chol(fn, "S1", S1), *L2 = ch__chol(fn, "S2", S2);
    /* tr(S2^-1 S1) = |L2^-1 L1|_F^2 */
    gsl_matrix *M = ch_mat_copy(L1);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, L2, M);
    double tr = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            tr += gsl_matrix_get(M, i, j) * gsl_matrix_get(M, i, j);
    gsl_vector *d = ch_vec_sub(m2, m1);
    double q = mahal(L2, d);
    double kl = 0.5 * (tr + q - (double)k + ch__chol_logdet(L2) - ch__chol_logdet(L1));
    gsl_vector_free(d);
    gsl_matrix_free(M);
    gsl_matrix_free(L1);
    gsl_matrix_free(L2);
    return kl;
}

/* ---- linear-Gaussian latent model ---- */

static void need_lgm(const char *fn, const ch_lgm *m)
{
    if (!m || !m->W || !m->b)
        ch_fail("ValueError", "%s: model is NULL (make one with ch_lgm_new)", fn);
}

ch_lgm *ch_lgm_new(const gsl_matrix *W, const gsl_vector *b, double s)
{
    ch__need_mat("ch_lgm_new", "W", W);
    if (b) {
        ch__need_vec("ch_lgm_new", "b", b);
        if (b->size != W->size1)
            ch_fail("ValueError", "ch_lgm_new: W is %zu x %zu but b has size %zu", W->size1,
                    W->size2, b->size);
    }
    if (!(s > 0) || !isfinite(s))
        ch_fail("ValueError", "ch_lgm_new: noise sd s must be positive and finite, got %g", s);
    ch_lgm *m = ch__xmalloc(sizeof *m);
    m->W = ch_mat_copy(W);
    m->b = b ? ch_vec_copy(b) : ch__vec(W->size1);
    m->s = s;
    return m;
}

void ch_lgm_free(ch_lgm **m)
{
    if (!m || !*m)
        return;
    gsl_matrix_free((*m)->W);
    gsl_vector_free((*m)->b);
    free(*m);
    *m = NULL;
}

gsl_matrix *ch_lgm_sample(const ch_lgm *m, size_t n)
{
    need_lgm("ch_lgm_sample", m);
    size_t d = m->W->size1, k = m->W->size2;
    gsl_matrix *X = ch__mat(n, d);
    gsl_vector *z = ch__vec(k), *x = ch__vec(d);
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < k; j++)
            gsl_vector_set(z, j, ch_randn());
        gsl_vector_memcpy(x, m->b);
        gsl_blas_dgemv(CblasNoTrans, 1.0, m->W, z, 1.0, x);
        for (size_t i = 0; i < d; i++)
            gsl_matrix_set(X, r, i, gsl_vector_get(x, i) + m->s * ch_randn());
    }
    gsl_vector_free(z);
    gsl_vector_free(x);
    return X;
}

static void need_x(const char *fn, const ch_lgm *m, const gsl_vector *x)
{
    need_lgm(fn, m);
    ch__need_vec(fn, "x", x);
    if (x->size != m->W->size1)
        ch_fail("ValueError", "%s: x has size %zu but the model observes d = %zu", fn, x->size,
                m->W->size1);
}

double ch_lgm_logev(const ch_lgm *m, const gsl_vector *x)
{
    need_x("ch_lgm_logev", m, x);
    size_t d = m->W->size1;
    gsl_matrix *C = ch__mat(d, d);
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, m->W, m->W, 0.0, C);
    for (size_t i = 0; i < d; i++)
        gsl_matrix_set(C, i, i, gsl_matrix_get(C, i, i) + m->s * m->s);
    double l = ch_mvn_logpdf(x, m->b, C);
    gsl_matrix_free(C);
    return l;
}

void ch_lgm_posterior(const ch_lgm *m, const gsl_vector *x, gsl_vector **mu, gsl_matrix **Sigma)
{
    need_x("ch_lgm_posterior", m, x);
    ch__need_ptr("ch_lgm_posterior", "mu", mu);
    ch__need_ptr("ch_lgm_posterior", "Sigma", Sigma);
    size_t k = m->W->size2;
    double s2 = m->s * m->s;
    gsl_matrix *P = ch_eye(k);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0 / s2, m->W, m->W, 1.0, P);
    gsl_linalg_cholesky_decomp1(P);
    gsl_linalg_cholesky_invert(P);
    gsl_vector *r = ch_vec_sub(x, m->b);
    gsl_vector *Wr = ch__vec(k);
    gsl_blas_dgemv(CblasTrans, 1.0 / s2, m->W, r, 0.0, Wr);
    gsl_vector *mean = ch__vec(k);
    gsl_blas_dsymv(CblasLower, 1.0, P, Wr, 0.0, mean);
    gsl_vector_free(r);
    gsl_vector_free(Wr);
    *mu = mean;
    *Sigma = P;
}

static void need_q(const char *fn, const ch_lgm *m, const gsl_vector *mu, const gsl_matrix *Sigma)
{
    size_t k = m->W->size2;
    ch__need_vec(fn, "mu", mu);
    ch__need_mat(fn, "Sigma", Sigma);
    if (mu->size != k || Sigma->size1 != k || Sigma->size2 != k)
        ch_fail("ValueError",
                "%s: the latent has k = %zu dimensions but mu has size %zu and Sigma is %zu x %zu",
                fn, k, mu->size, Sigma->size1, Sigma->size2);
}

double ch_lgm_elbo(const ch_lgm *m, const gsl_vector *x, const gsl_vector *mu,
                   const gsl_matrix *Sigma)
{
    const char *fn = "ch_lgm_elbo";
    need_x(fn, m, x);
    need_q(fn, m, mu, Sigma);
    size_t d = m->W->size1, k = m->W->size2;
    double s2 = m->s * m->s;
    gsl_matrix *L = ch__chol(fn, "Sigma", Sigma);
    /* E_q |x - b - W z|^2 = |x - b - W mu|^2 + tr(W Sigma W^T) = ... + |W L|_F^2 */
    gsl_vector *r = ch_vec_sub(x, m->b);
    gsl_blas_dgemv(CblasNoTrans, -1.0, m->W, mu, 1.0, r);
    double rr = gsl_blas_dnrm2(r);
    gsl_matrix *WL = ch__mat(d, k);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, m->W, L, 0.0, WL);
    double tr = 0;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < k; j++)
            tr += gsl_matrix_get(WL, i, j) * gsl_matrix_get(WL, i, j);
    double rec = -0.5 * (double)d * log(2 * M_PI * s2) - (rr * rr + tr) / (2 * s2);
    double trS = 0, mm = gsl_blas_dnrm2(mu);
    for (size_t i = 0; i < k; i++)
        trS += gsl_matrix_get(Sigma, i, i);
    double kl = 0.5 * (trS + mm * mm - (double)k - ch__chol_logdet(L));
    gsl_vector_free(r);
    gsl_matrix_free(WL);
    gsl_matrix_free(L);
    return rec - kl;
}

double ch_lgm_elbo_mc(const ch_lgm *m, const gsl_vector *x, const gsl_vector *mu,
                      const gsl_matrix *Sigma, size_t n, double *se)
{
    const char *fn = "ch_lgm_elbo_mc";
    need_x(fn, m, x);
    need_q(fn, m, mu, Sigma);
    if (n < 2)
        ch_fail("ValueError", "%s: need at least 2 samples, got %zu", fn, n);
    size_t d = m->W->size1, k = m->W->size2;
    double s2 = m->s * m->s;
    gsl_matrix *L = ch__chol(fn, "Sigma", Sigma);
    double ld = ch__chol_logdet(L);
    gsl_vector *e = ch__vec(k), *z = ch__vec(k), *r = ch__vec(d);
    double mean = 0, m2 = 0;
    for (size_t t = 0; t < n; t++) {
        for (size_t j = 0; j < k; j++)
            gsl_vector_set(e, j, ch_randn());
        double ee = gsl_blas_dnrm2(e);
        gsl_vector_memcpy(z, e);
        gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, L, z);
        gsl_vector_add(z, mu);
        gsl_vector_memcpy(r, x);
        gsl_vector_sub(r, m->b);
        gsl_blas_dgemv(CblasNoTrans, -1.0, m->W, z, 1.0, r);
        double rr = gsl_blas_dnrm2(r), zz = gsl_blas_dnrm2(z);
        double lpx = -0.5 * (double)d * log(2 * M_PI * s2) - rr * rr / (2 * s2);
        double lpz = -0.5 * (double)k * log(2 * M_PI) - 0.5 * zz * zz;
        double lq = -0.5 * (double)k * log(2 * M_PI) - 0.5 * ld - 0.5 * ee * ee;
        double w = lpx + lpz - lq;
        /* Welford: stable running mean and variance */
        double delta = w - mean;
        mean += delta / (double)(t + 1);
        m2 += delta * (w - mean);
    }
    if (se)
        *se = sqrt(m2 / (double)(n - 1) / (double)n);
    gsl_vector_free(e);
    gsl_vector_free(z);
    gsl_vector_free(r);
    gsl_matrix_free(L);
    return mean;
}

/* ---- regression and bias-variance ---- */

gsl_vector *ch_polyfit(const gsl_vector *x, const gsl_vector *y, size_t deg, double ridge)
{
    const char *fn = "ch_polyfit";
    ch__need_vec(fn, "x", x);
    ch__need_vec(fn, "y", y);
    ch__need_same(fn, x, y);
    if (!(ridge >= 0) || !isfinite(ridge))
        ch_fail("ValueError", "%s: ridge must be >= 0, got %g", fn, ridge);
    if (deg > 50)
        ch_fail("ValueError", "%s: degree %zu is too high for a monomial basis (at most 50)", fn,
                deg);
    size_t n = x->size, p = deg + 1;
    gsl_matrix *V = ch__mat(n, p);
    for (size_t i = 0; i < n; i++) {
        double xi = gsl_vector_get(x, i), t = 1;
        for (size_t j = 0; j < p; j++, t *= xi)
            gsl_matrix_set(V, i, j, t);
    }
    ch_svd_t s = ch_svd(V);
    gsl_matrix_free(V);
    size_t k = s.S->size;
    double cut = (double)(n > p ? n : p) * 2.220446049250313e-16 * gsl_vector_get(s.S, 0);
    gsl_vector *c = ch__vec(p);
    for (size_t j = 0; j < k; j++) {
        double sj = gsl_vector_get(s.S, j);
        double filt = ridge > 0 ? sj / (sj * sj + ridge) : (sj > cut ? 1.0 / sj : 0.0);
        double uy = 0;
        for (size_t i = 0; i < n; i++)
            uy += gsl_matrix_get(s.U, i, j) * gsl_vector_get(y, i);
        for (size_t i = 0; i < p; i++)
            gsl_vector_set(c, i, gsl_vector_get(c, i) + gsl_matrix_get(s.V, i, j) * filt * uy);
    }
    ch_svd_free(&s);
    return c;
}

double ch_polyval(const gsl_vector *c, double x)
{
    ch__need_vec("ch_polyval", "c", c);
    double v = 0;
    for (size_t j = c->size; j-- > 0;)
        v = v * x + gsl_vector_get(c, j);
    return v;
}

ch_bv ch_bias_variance(ch_bv_cfg c)
{
    const char *fn = "ch_bias_variance";
    if (!c.f)
        ch_fail("ValueError", "%s: cfg.f (the true function) is NULL", fn);
    if (!(c.sigma >= 0) || !isfinite(c.sigma))
        ch_fail("ValueError", "%s: cfg.sigma must be >= 0, got %g", fn, c.sigma);
    if (c.n == 0)
        ch_fail("ValueError", "%s: cfg.n (training points per dataset) is 0", fn);
    if (c.lo == 0 && c.hi == 0) {
        c.lo = -1;
        c.hi = 1;
    }
    if (!(c.hi > c.lo))
        ch_fail("ValueError", "%s: need lo < hi, got [%g, %g]", fn, c.lo, c.hi);
    if (c.trials == 0)
        c.trials = 200;
    if (c.trials < 2)
        ch_fail("ValueError", "%s: need at least 2 trials", fn);
    if (c.ntest == 0)
        c.ntest = 50;
    size_t T = c.trials, J = c.ntest;
    gsl_vector *xt = ch_linspace(c.lo, c.hi, J);
    gsl_matrix *pred = ch__mat(T, J);
    gsl_vector *x = ch__vec(c.n), *y = ch__vec(c.n);
    double err = 0;
    for (size_t t = 0; t < T; t++) {
        for (size_t i = 0; i < c.n; i++) {
            double xi = c.lo + (c.hi - c.lo) * ch_rand();
            gsl_vector_set(x, i, xi);
            gsl_vector_set(y, i, c.f(xi) + c.sigma * ch_randn());
        }
        gsl_vector *coef = ch_polyfit(x, y, c.deg, c.ridge);
        for (size_t j = 0; j < J; j++) {
            double xj = gsl_vector_get(xt, j), p = ch_polyval(coef, xj);
            gsl_matrix_set(pred, t, j, p);
            double yj = c.f(xj) + c.sigma * ch_randn();
            err += (yj - p) * (yj - p);
        }
        gsl_vector_free(coef);
    }
    ch_bv r = { 0, 0, 0, 0 };
    for (size_t j = 0; j < J; j++) {
        double mean = 0, var = 0, fj = c.f(gsl_vector_get(xt, j));
        for (size_t t = 0; t < T; t++)
            mean += gsl_matrix_get(pred, t, j);
        mean /= (double)T;
        for (size_t t = 0; t < T; t++) {
            double dd = gsl_matrix_get(pred, t, j) - mean;
            var += dd * dd;
        }
        var /= (double)T;
        r.bias2 += (mean - fj) * (mean - fj);
        r.variance += var;
    }
    r.bias2 /= (double)J;
    r.variance /= (double)J;
    r.noise = c.sigma * c.sigma;
    r.test_err = err / (double)(T * J);
    gsl_vector_free(xt);
    gsl_vector_free(x);
    gsl_vector_free(y);
    gsl_matrix_free(pred);
    return r;
}
