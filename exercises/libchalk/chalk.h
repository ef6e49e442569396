/* chalk.h — libchalk, the one public header of chalk's helper library.
 *
 * Notebook cells are C compiled by tcc; they include this header and link
 * libchalk, which is built on GSL.  Vectors and matrices are GSL's own
 * gsl_vector * and gsl_matrix *, so everything GSL offers works on them too.
 *
 * Conventions (read these once):
 *  - Every public name starts with ch_ (types ch_..., macros CH_...), except
 *    the short literal macros VEC and MAT.  Cells define their own softmax,
 *    so nothing unprefixed is exported.
 *  - A function that returns a pointer returns a NEW allocation the caller
 *    owns (gsl_vector_free / gsl_matrix_free / the ch_..._free named in the
 *    comment).  Cells may leak freely: each cell runs in a process that ends.
 *  - Bad input (NULL, size mismatch, NaN/Inf, singular or non-PD matrix) never
 *    crashes and never returns a silent wrong number: the function ends the
 *    cell with a clear error (ValueError / LinAlgError) that names itself.
 *  - Each declaration has a one-line comment right above it: the kernel's
 *    inspect shows it (mkdoc.sh generates the table from this file), so keep it
 *    to one line, and put longer notes in a comment before that line.
 *  - This header must compile with tcc 0.9.27: no GCC-only syntax unguarded.
 *
 * Long because it is the one public header: a cell includes one file, and the
 * kernel's inspect (mkdoc.sh) and its ABI thunks (kernel/mkthunks.py) read
 * every declaration from here.  Its sections follow the library's modules.
 */
#ifndef CHALK_H
#define CHALK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

/* <math.h>'s constants M_E ... M_SQRT1_2 are XSI extensions: glibc defines
 * them only outside strict ISO C / POSIX mode, which is how the kernel reads
 * headers (so that gamma, y0 or index stay free for a cell).  Same values and
 * spelling as glibc's; a header that defined them first wins. */
#ifndef M_PI
/* e */
#define M_E 2.7182818284590452354
/* log2(e) */
#define M_LOG2E 1.4426950408889634074
/* log10(e) */
#define M_LOG10E 0.43429448190325182765
/* log(2) */
#define M_LN2 0.69314718055994530942
/* log(10) */
#define M_LN10 2.30258509299404568402
/* pi */
#define M_PI 3.14159265358979323846
/* pi/2 */
#define M_PI_2 1.57079632679489661923
/* pi/4 */
#define M_PI_4 0.78539816339744830962
/* 1/pi */
#define M_1_PI 0.31830988618379067154
/* 2/pi */
#define M_2_PI 0.63661977236758134308
/* 2/sqrt(pi) */
#define M_2_SQRTPI 1.12837916709551257390
/* sqrt(2) */
#define M_SQRT2 1.41421356237309504880
/* 1/sqrt(2) */
#define M_SQRT1_2 0.70710678118654752440
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(__TINYC__)
#define CH_NORETURN __attribute__((noreturn))
#define CH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CH_NORETURN
#define CH_PRINTF(f, a)
#endif

/* ======================================================================
 * runtime — how the library talks to the kernel: its hooks (runtime.c),
 * failing (fail.c), JSON quoting for bundles (buf.c)
 * ====================================================================== */

/* The executor installs these; in a plain program (no runtime installed)
 * displays and results print their text/plain part on stdout and failures
 * print "ename: evalue" on stderr and exit(1).  A bundle is the JSON text of
 * an object {"data":{mime:...},"metadata":{...}}. */
/* The kernel's hooks: display, result and fail (see ch_set_runtime). */
typedef struct ch_runtime {
    /* Publish a display: bundle is a JSON object text {"data":{mime:...},"metadata":{...}} */
    void (*display)(const char *bundle_json);
    /* Publish the cell's shown value (execute_result), same bundle format */
    void (*result)(const char *bundle_json);
    /* End the cell as an error with this name and value; does not return */
    void (*fail)(const char *ename, const char *evalue);
    /* Clear the cell's output (wait: only when the next output arrives) */
    void (*clear_output)(int wait);
} ch_runtime;

/* Install the kernel's hooks (copied); NULL restores the plain-program behaviour. */
void ch_set_runtime(const ch_runtime *rt);
/* Initialise the library (GSL error handler -> ch_fail("GSLError")); idempotent, called lazily. */
void ch_init(void);
/* End the cell with error ename and a printf-formatted message; does not return. */
CH_NORETURN void ch_fail(const char *ename, const char *fmt, ...) CH_PRINTF(2, 3);
/* A solution stub's body: CH_NOT_WRITTEN(); fails with NotImplemented naming the function and its cell[N]:line. */
#define CH_NOT_WRITTEN()                                                                           \
    for (;;)                                                                                       \
    ch_not_written(__func__, __FILE__, __LINE__)
/* End the cell with NotImplemented: "func() is not written yet (file:line)" (what CH_NOT_WRITTEN calls). */
CH_NORETURN void ch_not_written(const char *func, const char *file, int line);
/* Return s as a quoted, escaped JSON string literal; caller frees. */
char *ch_json_quote(const char *s);
/* Publish a display_data bundle (JSON text); for plot/display modules. */
void ch__publish_display(const char *bundle_json);
/* Clear this cell's output so far (wait=1: when the next output arrives, no flicker). */
void ch_clear_output(int wait);
/* Publish an execute_result bundle (JSON text); for show/plot/display modules. */
void ch__publish_result(const char *bundle_json);

/* ======================================================================
 * linalg — literals and products (linalg.c), SVD, eigen, solving, norms
 * (decomp.c), random matrices (randmat.c)
 * ====================================================================== */

/* VEC(1, 2, 3): a new vector from a list of numbers (ints are fine). */
#define VEC(...)                                                                                   \
    ch_vec_of(sizeof((double[]){ __VA_ARGS__ }) / sizeof(double), (double[]){ __VA_ARGS__ })
/* MAT(2, 2, 1, 2, 3, 4): a new rows x cols matrix from values in row-major order. */
#define MAT(rows, cols, ...)                                                                       \
    ch_mat_of((rows), (cols), sizeof((double[]){ __VA_ARGS__ }) / sizeof(double),                  \
              (double[]){ __VA_ARGS__ })

/* New vector of n values copied from x (what VEC expands to). */
gsl_vector *ch_vec_of(size_t n, const double *x);
/* New rows x cols matrix from n row-major values; fails unless n == rows*cols (what MAT expands to). */
gsl_matrix *ch_mat_of(size_t rows, size_t cols, size_t n, const double *x);
/* New vector of n zeros. */
gsl_vector *ch_vec_zeros(size_t n);
/* New vector of n ones. */
gsl_vector *ch_vec_ones(size_t n);
/* New vector of n evenly spaced values from a to b inclusive. */
gsl_vector *ch_linspace(double a, double b, size_t n);
/* New copy of v. */
gsl_vector *ch_vec_copy(const gsl_vector *v);
/* New rows x cols matrix of zeros. */
gsl_matrix *ch_mat_zeros(size_t rows, size_t cols);
/* New n x n identity matrix. */
gsl_matrix *ch_eye(size_t n);
/* New copy of A. */
gsl_matrix *ch_mat_copy(const gsl_matrix *A);
/* New square matrix with v on the diagonal. */
gsl_matrix *ch_diag(const gsl_vector *v);
/* New vector holding column j of A. */
gsl_vector *ch_col(const gsl_matrix *A, size_t j);
/* New vector holding row i of A. */
gsl_vector *ch_row(const gsl_matrix *A, size_t i);
/* New vector a + b. */
gsl_vector *ch_vec_add(const gsl_vector *a, const gsl_vector *b);
/* New vector a - b. */
gsl_vector *ch_vec_sub(const gsl_vector *a, const gsl_vector *b);
/* New vector s * a. */
gsl_vector *ch_vec_scale(const gsl_vector *a, double s);
/* Dot product a . b. */
double ch_dot(const gsl_vector *a, const gsl_vector *b);
/* Euclidean norm |v|_2. */
double ch_norm(const gsl_vector *v);
/* New matrix A + B. */
gsl_matrix *ch_mat_add(const gsl_matrix *A, const gsl_matrix *B);
/* New matrix A - B. */
gsl_matrix *ch_mat_sub(const gsl_matrix *A, const gsl_matrix *B);
/* New matrix s * A. */
gsl_matrix *ch_mat_scale(const gsl_matrix *A, double s);
/* New matrix product A B. */
gsl_matrix *ch_matmul(const gsl_matrix *A, const gsl_matrix *B);
/* New vector A x. */
gsl_vector *ch_matvec(const gsl_matrix *A, const gsl_vector *x);
/* New matrix A^T. */
gsl_matrix *ch_transpose(const gsl_matrix *A);
/* New outer product u v^T. */
gsl_matrix *ch_outer(const gsl_vector *u, const gsl_vector *v);
/* Trace of a square matrix. */
double ch_trace(const gsl_matrix *A);

/* Thin SVD A = U diag(S) V^T: U is m x k, S has k = min(m,n) values in
 * descending order, V is n x k.  Signs are fixed so the largest-magnitude
 * entry of each column of V is positive (comparable across machines). */
/* Thin SVD result: U (m x k), S (k, descending), V (n x k). */
typedef struct ch_svd_t {
    gsl_matrix *U;
    gsl_vector *S;
    gsl_matrix *V;
} ch_svd_t;
/* Thin SVD of A (any shape): U m x k, S descending, V n x k; free with ch_svd_free. */
ch_svd_t ch_svd(const gsl_matrix *A);
/* Free the three parts of an SVD and set them to NULL. */
void ch_svd_free(ch_svd_t *s);
/* New rank-k truncation U_k diag(S_k) V_k^T of an SVD (Eckart-Young's best rank-k approximation). */
gsl_matrix *ch_svd_reconstruct(const ch_svd_t *s, size_t k);
/* New best rank-k approximation of A (SVD truncated to k singular values). */
gsl_matrix *ch_lowrank(const gsl_matrix *A, size_t k);
/* New vector of the singular values of A, descending. */
gsl_vector *ch_singvals(const gsl_matrix *A);
/* Numerical rank: singular values > tol; tol <= 0 means max(m,n) * eps * sigma_max (as NumPy). */
size_t ch_rank(const gsl_matrix *A, double tol);
/* 2-norm condition number sigma_max / sigma_min (INFINITY if sigma_min is 0). */
double ch_cond(const gsl_matrix *A);
/* New Moore-Penrose pseudoinverse; singular values <= rcond * sigma_max count as 0 (rcond <= 0: NumPy's default). */
gsl_matrix *ch_pinv(const gsl_matrix *A, double rcond);
/* New solution x of A x = b for square A; LinAlgError if A is singular or ill-conditioned (rcond < 1e-14). */
gsl_vector *ch_solve(const gsl_matrix *A, const gsl_vector *b);
/* New inverse of square A; LinAlgError if singular or ill-conditioned. */
gsl_matrix *ch_inv(const gsl_matrix *A);
/* Determinant of square A (LU). */
double ch_det(const gsl_matrix *A);

/* Symmetric eigendecomposition A = Q diag(w) Q^T, w ascending (as
 * numpy.linalg.eigh), Q's columns the eigenvectors with the sign fixed so
 * the largest-magnitude entry is positive.  A must be symmetric (checked to
 * 1e-10 relative); w->data[w->size - 1] is lambda_max. */
/* Symmetric eigendecomposition result: w ascending, Q's columns the eigenvectors. */
typedef struct ch_eig_t {
    gsl_vector *w;
    gsl_matrix *Q;
} ch_eig_t;
/* Eigendecomposition of symmetric A: w ascending, Q orthogonal columns; free with ch_eig_free. */
ch_eig_t ch_eigh(const gsl_matrix *A);
/* Free the parts of an eigendecomposition and set them to NULL. */
void ch_eig_free(ch_eig_t *e);
/* New vector of the eigenvalues of symmetric A, ascending. */
gsl_vector *ch_eigvalsh(const gsl_matrix *A);
/* Largest eigenvalue of symmetric A. */
double ch_eig_max(const gsl_matrix *A);
/* Smallest eigenvalue of symmetric A. */
double ch_eig_min(const gsl_matrix *A);
/* Spectral norm |A|_2 = sigma_max. */
double ch_norm2(const gsl_matrix *A);
/* Frobenius norm |A|_F. */
double ch_normF(const gsl_matrix *A);
/* Power iteration from a seeded random start: dominant eigenvalue (Rayleigh quotient); *v (if not NULL) gets a new unit eigenvector. */
double ch_power_iter(const gsl_matrix *A, size_t maxit, double tol, gsl_vector **v);
/* New m x n matrix of independent N(0,1) entries from the chalk generator. */
gsl_matrix *ch_randn_mat(size_t m, size_t n);
/* New random n x n orthogonal matrix, Haar-distributed (QR of a Gaussian matrix with sign fix). */
gsl_matrix *ch_rand_orth(size_t n);
/* New random m x n matrix U diag(s) V^T with the given singular values (U, V random orthogonal). */
gsl_matrix *ch_mat_with_sv(size_t m, size_t n, const gsl_vector *s);
/* New random symmetric matrix Q diag(w) Q^T with the given eigenvalues (Q random orthogonal). */
gsl_matrix *ch_mat_with_eig(const gsl_vector *w);

/* ======================================================================
 * calculus — softmax, cross-entropy, finite differences (calculus.c)
 * ====================================================================== */

/* The one callback shape for scalar objectives: return f(x); if grad is
 * not NULL also write the gradient into it.  Finite differences call it with
 * grad == NULL, so a value-only function may ignore grad. */
/* Scalar objective callback: return f(x); fill grad if it is not NULL. */
typedef double (*ch_fn)(const gsl_vector *x, gsl_vector *grad, void *ctx);
/* Vector map callback for ch_jacobian: write F(x) into y. */
typedef void (*ch_map)(const gsl_vector *x, gsl_vector *y, void *ctx);

/* log sum_i exp(z_i), computed stably (shifted by max z). */
double ch_logsumexp(const gsl_vector *z);
/* New softmax(z) = exp(z - logsumexp(z)), stable for large |z|. */
gsl_vector *ch_softmax(const gsl_vector *z);
/* New log-softmax z - logsumexp(z), stable for large |z|. */
gsl_vector *ch_log_softmax(const gsl_vector *z);
/* New softmax Jacobian diag(s) - s s^T (closed form). */
gsl_matrix *ch_softmax_jacobian(const gsl_vector *z);
/* Cross-entropy loss -log softmax(z)_y of logits z for true class y (nats). */
double ch_xent_logits(const gsl_vector *z, size_t y);
/* New gradient of ch_xent_logits in z: softmax(z) - onehot(y). */
gsl_vector *ch_xent_logits_grad(const gsl_vector *z, size_t y);
/* New central-difference gradient of f at x, step h_i = cbrt(eps) * max(1, |x_i|). */
gsl_vector *ch_grad(ch_fn f, const gsl_vector *x, void *ctx);
/* New m x n central-difference Jacobian of F: R^n -> R^m at x, step cbrt(eps) * max(1, |x_j|). */
gsl_matrix *ch_jacobian(ch_map F, size_t m, const gsl_vector *x, void *ctx);
/* New symmetric central-difference Hessian of f at x, step eps^(1/4) * max(1, |x_i|). */
gsl_matrix *ch_hessian(ch_fn f, const gsl_vector *x, void *ctx);
/* Relative error |a - b| / max(|a| + |b|, 1e-300) between two gradients (0 if both are 0). */
double ch_relerr(const gsl_vector *a, const gsl_vector *b);
/* Gradient check: relative error between f's own gradient and ch_grad at x (< 1e-6 is good). */
double ch_grad_check(ch_fn f, const gsl_vector *x, void *ctx);

/* ======================================================================
 * optim — gradient descent, SGD, momentum, Adam on callbacks (optim.c)
 * ====================================================================== */

/* Methods and learning-rate schedules for ch_opt. */
enum { CH_GD = 0, CH_MOMENTUM = 1, CH_ADAM = 2 };
enum { CH_CONST = 0, CH_INVSQRT = 1, CH_COSINE = 2 };

/* Options; a zero field means its default, so cells write a compound
 * literal with only what matters:
 *   (ch_opt){.method = CH_ADAM, .lr = 1e-2, .steps = 500}
 * Defaults: lr 0.01, steps 100, beta (momentum) 0.9, beta1 0.9, beta2 0.999,
 * eps 1e-8.  noise > 0 adds N(0, noise^2) to each gradient component
 * (SGD with bounded variance).  schedule CH_INVSQRT uses lr / sqrt(1 + t),
 * CH_COSINE anneals to 0 over steps.  record_x keeps every iterate.
 * A run whose loss becomes non-finite or exceeds 1e100 stops early with
 * diverged = 1: that is a result, not an error (GD above 2/lambda_max). */
/* Optimiser options: method, lr, steps, beta, beta1, beta2, eps, noise, schedule, record_x, batch (0 = default). */
typedef struct ch_opt {
    int method;
    double lr;
    size_t steps;
    double beta;
    double beta1, beta2, eps;
    double noise;
    int schedule;
    int record_x;
    size_t batch; /* ch_sgd only: minibatch size (default 1) */
} ch_opt;

/* A run: loss[t] and gnorm[t] (|gradient|, full objective) for t = 0..steps
 * at iterate x_t; xs (if record_x) has one row per iterate; x is the last
 * iterate.  Free with ch_run_free. */
/* An optimiser run: loss, gnorm (steps + 1 values), xs (if record_x), final x, diverged. */
typedef struct ch_run {
    size_t steps; /* steps actually taken */
    int diverged;
    gsl_vector *loss;  /* steps + 1 values */
    gsl_vector *gnorm; /* steps + 1 values */
    gsl_matrix *xs;    /* (steps + 1) x n, or NULL */
    gsl_vector *x;     /* final iterate */
} ch_run;

/* Minibatch objective for ch_sgd: the mean loss over examples idx[0..nidx-1] (and its gradient if grad != NULL). */
typedef double (*ch_batch_fn)(const gsl_vector *x, const size_t *idx, size_t nidx, gsl_vector *grad,
                              void *ctx);

/* Run opt.method from x0 on f (with gradient); see ch_opt for defaults; free with ch_run_free. */
ch_run ch_optimize(ch_fn f, const gsl_vector *x0, void *ctx, ch_opt opt);
/* Plain gradient descent x <- x - lr grad f(x) for steps steps. */
ch_run ch_gd(ch_fn f, const gsl_vector *x0, void *ctx, double lr, size_t steps);
/* Heavy-ball momentum v <- beta v + grad, x <- x - lr v. */
ch_run ch_momentum(ch_fn f, const gsl_vector *x0, void *ctx, double lr, double beta, size_t steps);
/* Adam with bias correction (beta1 0.9, beta2 0.999, eps 1e-8). */
ch_run ch_adam(ch_fn f, const gsl_vector *x0, void *ctx, double lr, size_t steps);
/* Minibatch SGD over n examples (batch drawn without replacement each step); loss/gnorm recorded on all n. */
ch_run ch_sgd(ch_batch_fn f, size_t n, const gsl_vector *x0, void *ctx, ch_opt opt);
/* Free a run's vectors and matrix and set them to NULL. */
void ch_run_free(ch_run *r);

/* Quadratic objective f(x) = 1/2 x^T H x - b^T x; use ch_quad_f as the ch_fn with the ch_quad * as ctx. */
typedef struct ch_quad {
    gsl_matrix *H;
    gsl_vector *b;
} ch_quad;
/* New quadratic with copies of H (symmetric) and b (NULL: zero); free with ch_quad_free. */
ch_quad *ch_quad_new(const gsl_matrix *H, const gsl_vector *b);
/* New quadratic whose Hessian has eigenvalues w in a random orthogonal basis, b = 0 (minimum at 0). */
ch_quad *ch_quad_spectrum(const gsl_vector *w);
/* ch_fn for a quadratic: ctx is the ch_quad *; value 1/2 x^T H x - b^T x, gradient H x - b. */
double ch_quad_f(const gsl_vector *x, gsl_vector *grad, void *ctx);
/* Free a quadratic and set *q to NULL. */
void ch_quad_free(ch_quad **q);
/* ch_fn Rosenbrock sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 (ctx unused), minimum 0 at (1, ..., 1). */
double ch_rosenbrock(const gsl_vector *x, gsl_vector *grad, void *ctx);

/* ======================================================================
 * rng and prob — the one seeded generator and its draws (rng.c); sampling,
 * Gaussian KL, ELBO, bias-variance (prob.c)
 * ====================================================================== */

/* The chalk generator: GSL's mt19937; Gaussians by GSL's ziggurat, so a
 * seed gives the same numbers on every machine.  Seeded with 0 until
 * ch_seed is called; each cell of a notebook that wants reproducibility
 * calls ch_seed itself. */
/* Reseed the one chalk generator (mt19937). */
void ch_seed(unsigned long seed);
/* The chalk generator, for GSL's gsl_ran_* functions (owned by the library: do not free). */
gsl_rng *ch_rng(void);
/* Uniform double in [0, 1). */
double ch_rand(void);
/* Uniform integer in 0..n-1. */
size_t ch_randint(size_t n);
/* Standard normal N(0, 1) sample. */
double ch_randn(void);
/* New vector of n N(0, 1) samples. */
gsl_vector *ch_randn_vec(size_t n);
/* Index i drawn with probability p_i (p a probability vector). */
size_t ch_categorical(const gsl_vector *p);
/* New n x d matrix whose rows are samples from N(mu, Sigma) (Sigma positive definite). */
gsl_matrix *ch_mvn_sample(const gsl_vector *mu, const gsl_matrix *Sigma, size_t n);
/* Log density of N(mu, sigma^2) at x (sigma is the standard deviation). */
double ch_normal_logpdf(double x, double mu, double sigma);
/* Log density of N(mu, Sigma) at x. */
double ch_mvn_logpdf(const gsl_vector *x, const gsl_vector *mu, const gsl_matrix *Sigma);
/* KL(N(m1, s1^2) || N(m2, s2^2)) in nats; s1, s2 are standard deviations. */
double ch_kl_gauss(double m1, double s1, double m2, double s2);
/* KL(N(m1, diag v1) || N(m2, diag v2)) in nats; v1, v2 are variances. */
double ch_kl_gauss_diag(const gsl_vector *m1, const gsl_vector *v1, const gsl_vector *m2,
                        const gsl_vector *v2);
/* KL(N(m1, S1) || N(m2, S2)) in nats for full covariances. */
double ch_kl_gauss_full(const gsl_vector *m1, const gsl_matrix *S1, const gsl_vector *m2,
                        const gsl_matrix *S2);

/* Linear-Gaussian latent model z ~ N(0, I_k), x | z ~ N(W z + b, s^2 I_d):
 * p(x) = N(b, W W^T + s^2 I) exactly and the posterior is Gaussian, so the
 * ELBO and its gap KL(q || p(z|x)) can be checked exactly. */
/* Linear-Gaussian latent model z ~ N(0, I), x | z ~ N(W z + b, s^2 I). */
typedef struct ch_lgm {
    gsl_matrix *W; /* d x k */
    gsl_vector *b; /* d */
    double s;      /* observation noise standard deviation */
} ch_lgm;
/* New linear-Gaussian model with copies of W (d x k), b (NULL: zero) and noise sd s; free with ch_lgm_free. */
ch_lgm *ch_lgm_new(const gsl_matrix *W, const gsl_vector *b, double s);
/* Free a model and set *m to NULL. */
void ch_lgm_free(ch_lgm **m);
/* New n x d matrix of observations x drawn from the model. */
gsl_matrix *ch_lgm_sample(const ch_lgm *m, size_t n);
/* Exact log-evidence log p(x) = log N(x; b, W W^T + s^2 I). */
double ch_lgm_logev(const ch_lgm *m, const gsl_vector *x);
/* Exact posterior p(z|x) = N(*mu, *Sigma): new mu (k) and Sigma (k x k). */
void ch_lgm_posterior(const ch_lgm *m, const gsl_vector *x, gsl_vector **mu, gsl_matrix **Sigma);
/* Exact ELBO E_q[log p(x|z)] - KL(q || p(z)) for q = N(mu, Sigma). */
double ch_lgm_elbo(const ch_lgm *m, const gsl_vector *x, const gsl_vector *mu,
                   const gsl_matrix *Sigma);
/* Monte Carlo ELBO with n reparameterised samples z = mu + L eps; *se (if not NULL) gets its standard error. */
double ch_lgm_elbo_mc(const ch_lgm *m, const gsl_vector *x, const gsl_vector *mu,
                      const gsl_matrix *Sigma, size_t n, double *se);

/* Polynomial (ridge) regression: new coefficients c_0..c_deg minimising |V c - y|^2 + ridge |c|^2 (SVD, stable). */
gsl_vector *ch_polyfit(const gsl_vector *x, const gsl_vector *y, size_t deg, double ridge);
/* Value of the polynomial sum_j c_j x^j at x. */
double ch_polyval(const gsl_vector *c, double x);

/* Bias-variance experiment: `trials` training sets of n points, x uniform
 * on [lo, hi], y = f(x) + N(0, sigma^2); fit a degree-deg polynomial with
 * ridge penalty; evaluate on ntest evenly spaced points of [lo, hi].
 * Defaults for zero fields: lo -1, hi 1, trials 200, ntest 50. */
/* Bias-variance experiment settings: f, sigma, n, deg, ridge, trials, lo, hi, ntest. */
typedef struct ch_bv_cfg {
    double (*f)(double x);
    double sigma;
    size_t n;
    size_t deg;
    double ridge;
    size_t trials;
    double lo, hi;
    size_t ntest;
} ch_bv_cfg;
/* Averages over test points: bias^2, variance, noise (sigma^2), and the
 * measured test error E(y - fhat)^2 on fresh noisy targets, which should
 * match bias2 + variance + noise up to Monte Carlo error. */
/* Bias-variance result: bias2, variance, noise, test_err (averaged over test points). */
typedef struct ch_bv {
    double bias2;
    double variance;
    double noise;
    double test_err;
} ch_bv;
/* Run a bias-variance experiment (uses the chalk generator); see ch_bv_cfg for defaults. */
ch_bv ch_bias_variance(ch_bv_cfg cfg);

/* ======================================================================
 * info — entropy, KL, mutual information, channels, InfoNCE (info.c)
 * ====================================================================== */

/* Distributions are vectors of nonnegative numbers summing to 1 (checked
 * to 1e-9); 0 log 0 = 0 and KL is +INFINITY where q = 0 < p.  Joint tables
 * are matrices P[x][y]; channels are row-stochastic matrices K[x][y] =
 * p(y | x). */
/* Shannon entropy H(p) in nats. */
double ch_entropy(const gsl_vector *p);
/* Shannon entropy H(p) in bits. */
double ch_entropy_bits(const gsl_vector *p);
/* Cross-entropy H(p, q) = -sum p log q in nats (= H(p) + KL(p || q)). */
double ch_xent(const gsl_vector *p, const gsl_vector *q);
/* Cross-entropy H(p, q) in bits. */
double ch_xent_bits(const gsl_vector *p, const gsl_vector *q);
/* KL(p || q) = sum p log(p / q) in nats. */
double ch_kl(const gsl_vector *p, const gsl_vector *q);
/* KL(p || q) in bits. */
double ch_kl_bits(const gsl_vector *p, const gsl_vector *q);
/* Jensen-Shannon divergence in nats (at most log 2). */
double ch_js(const gsl_vector *p, const gsl_vector *q);
/* Jensen-Shannon divergence in bits (at most 1). */
double ch_js_bits(const gsl_vector *p, const gsl_vector *q);
/* New marginal of X (row sums) of a joint table P[x][y]. */
gsl_vector *ch_marg_x(const gsl_matrix *P);
/* New marginal of Y (column sums) of a joint table P[x][y]. */
gsl_vector *ch_marg_y(const gsl_matrix *P);
/* Mutual information I(X; Y) in nats from a joint table P[x][y]. */
double ch_mi(const gsl_matrix *P);
/* Mutual information I(X; Y) in bits from a joint table. */
double ch_mi_bits(const gsl_matrix *P);
/* Conditional entropy H(Y | X) in nats from a joint table P[x][y]. */
double ch_cond_entropy(const gsl_matrix *P);
/* New random probability vector of size n (uniform on the simplex). */
gsl_vector *ch_rand_simplex(size_t n);
/* New random n x m channel (each row uniform on the simplex). */
gsl_matrix *ch_rand_channel(size_t n, size_t m);
/* New output distribution q(y) = sum_x p(x) K[x][y] of channel K on input p. */
gsl_vector *ch_channel_out(const gsl_vector *p, const gsl_matrix *K);
/* New joint table P[x][y] = p(x) K[x][y]. */
gsl_matrix *ch_channel_joint(const gsl_vector *p, const gsl_matrix *K);
/* New composed channel K1 K2 (X -> Y -> Z). */
gsl_matrix *ch_channel_compose(const gsl_matrix *K1, const gsl_matrix *K2);
/* Mutual information I(X; Y) in nats between input p and the output of channel K. */
double ch_channel_mi(const gsl_vector *p, const gsl_matrix *K);

/* Critic for InfoNCE: a score f(x, y), higher for a matching pair. */
typedef double (*ch_critic)(const gsl_vector *x, const gsl_vector *y, void *ctx);
/* InfoNCE bound log N - L_NCE from N paired rows (X_i, Y_i), nats; never exceeds log N. */
double ch_infonce(const gsl_matrix *X, const gsl_matrix *Y, ch_critic f, void *ctx);
/* Correlated Gaussian pairs: new n x d *X, *Y with X ~ N(0, I), Y = rho X + sqrt(1 - rho^2) N(0, I). */
void ch_gauss_pairs(size_t n, size_t d, double rho, gsl_matrix **X, gsl_matrix **Y);
/* Exact I(X; Y) = -d/2 log(1 - rho^2) nats for ch_gauss_pairs. */
double ch_gauss_mi(size_t d, double rho);
/* Optimal critic log p(y|x)/p(y) for ch_gauss_pairs; ctx points to the double rho. */
double ch_gauss_critic(const gsl_vector *x, const gsl_vector *y, void *ctx);

/* ======================================================================
 * check — the vocabulary of checking cells (check.c)
 * ====================================================================== */

/* A passing check prints one line "✓ name: ..." on stdout and counts; a
 * failing one ends the cell with ename CheckFailed and an evalue giving
 * expected, got and the tolerance.  Closeness is NumPy's isclose:
 * |got - expected| <= atol + rtol * |expected|. */
/* Check a scalar: |got - expected| <= atol + rtol * |expected|. */
void ch_check_close(const char *name, double got, double expected, double rtol, double atol);
/* Check vectors elementwise (sizes must match); reports the worst entry. */
void ch_check_vec_close(const char *name, const gsl_vector *got, const gsl_vector *expected,
                        double rtol, double atol);
/* Check matrices elementwise (shapes must match); reports the worst entry. */
void ch_check_mat_close(const char *name, const gsl_matrix *got, const gsl_matrix *expected,
                        double rtol, double atol);
/* Check a claim: cond true passes; the printf-style message says what was claimed. */
void ch_check(const char *name, int cond, const char *fmt, ...) CH_PRINTF(3, 4);
/* Check a <= b (add slack to b yourself for rounding). */
void ch_check_le(const char *name, double a, double b);
/* Check a < b. */
void ch_check_lt(const char *name, double a, double b);
/* Number of checks passed so far in this process. */
int ch_checks_passed(void);

/* ======================================================================
 * show — vectors and matrices as text, HTML and LaTeX (show.c)
 * ====================================================================== */

/* Show v as the cell's result: text/plain, text/html table and text/latex bmatrix (elided with … when large). */
void ch_show_vector(const gsl_vector *v);
/* Show A as the cell's result: text/plain, text/html table and text/latex bmatrix (elided with … when large). */
void ch_show_matrix(const gsl_matrix *A);
/* Print v on stdout, aligned, %.6g. */
void ch_print_vec(const gsl_vector *v);
/* Print A on stdout, aligned, %.6g, one row per line. */
void ch_print_mat(const gsl_matrix *A);
/* New text/plain rendering of v (what ch_show_vector shows); caller frees. */
char *ch_vec_text(const gsl_vector *v);
/* New text/plain rendering of A (what ch_show_matrix shows); caller frees. */
char *ch_mat_text(const gsl_matrix *A);

/* ======================================================================
 * doc — the table the kernel's inspect reads (generated: chalk_doc.c)
 * ====================================================================== */

/* One public name, its declaration and its one-line description. */
struct ch_doc {
    const char *name;
    const char *decl;
    const char *doc;
};
/* The documentation table, sorted by name, ending with a {NULL, NULL, NULL} entry. */
extern const struct ch_doc ch_docs[];
/* The description of name, or NULL if it is not a public chalk name. */
const struct ch_doc *ch_doc_find(const char *name);

/* ======================================================================
 * plot — figures in matplotlib's look as SVG, and the label notation (plot.c
 * and plot_*.c; SVG and PNG writers svg.c, svgtext.c, png.c)
 * ====================================================================== */
/* Figures in matplotlib's default look, published as display_data
 * image/svg+xml, as text/html (an <img> of the same SVG, which JupyterLab
 * shows in notebooks that are not trusted) and with a text/plain summary
 * ("<Figure "Loss": 2 series ...>").
 * Build, then show:
 *     ch_plot *p = ch_plot_new("Loss", "step", "loss");
 *     ch_plot_line(p, NULL, y, n, "SGD");     x NULL means 0, 1, ..., n-1
 *     ch_plot_logy(p, 1);
 *     ch_plot_show(p);                        publishes and frees p
 * Series are copied when added.  NaN/Inf points are skipped (lines break
 * there) and counted in the summary; a series with no finite point, NULL
 * data, or a value <= 0 on a log axis ends the cell with a ValueError.
 * Label notation, the same in titles, axis labels, legends and bar names
 * (matplotlib's): text is literal except between $...$, which is math in a
 * small TeX subset; "\\$" is a literal dollar, and a label with an odd
 * number of unescaped '$' is all literal.  In math (C strings double the
 * backslash: "Loss of $\\theta_t$"):
 *   x_t  x_{k+1}  x^2  e^{-x/6}  x_t^2   scripts at 0.7 size, one base may
 *                                        carry both; groups nest
 *   letters in italic, digits and operators upright, '-' is a minus sign;
 *   spaces are ignored and operators spaced as TeX does; \, \: \; \quad
 *   \alpha .. \omega, \varepsilon \vartheta \varrho \varphi (italic),
 *   \Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon \Phi \Psi \Omega
 *   \| \Vert  \nabla \partial \infty \ell \ldots \cdots \sum \prod \int
 *   \cdot \times \pm  \le \leq \ge \geq \ne \neq \approx \sim \propto
 *   \in \mid \to \rightarrow \leftarrow
 *   \log \ln \exp \min \max \sin \cos \tan \det \arg \sup \inf \lim
 *   \tr \Var \Cov \KL (upright), \mathbb{E} (also R N Z Q C),
 *   \mathrm{..} \text{..} \operatorname{..} (upright), \sqrt{x} (as √x,
 *   \sqrt{a+b} as √(a+b)), \frac{a}{b} (inline, a/b), \left( \right)
 *   (the delimiter as is), \{ \} \$ \_ \% \# \&.
 * Anything else (an unknown \command, a stray brace, '^' with nothing
 * after it) is drawn as typed, never an error.  Examples: "$\\sigma_{k+1}$",
 * "$\\|A - A_k\\|_2$", "step size $\\eta = 2/\\lambda_{\\max}$". */
typedef struct ch_plot ch_plot;
/* New empty figure; title and axis labels may be NULL, with math as "$\\theta_t$". */
ch_plot *ch_plot_new(const char *title, const char *xlabel, const char *ylabel);
/* Add a line through n points (x NULL: 0..n-1); label NULL: no legend entry. */
void ch_plot_line(ch_plot *p, const double *x, const double *y, size_t n, const char *label);
/* Add a line from gsl vectors (x NULL: 0..n-1). */
void ch_plot_line_vec(ch_plot *p, const gsl_vector *x, const gsl_vector *y, const char *label);
/* Add n points as dots (x NULL: 0..n-1). */
void ch_plot_scatter(ch_plot *p, const double *x, const double *y, size_t n, const char *label);
/* Add points as dots from gsl vectors (x NULL: 0..n-1). */
void ch_plot_scatter_vec(ch_plot *p, const gsl_vector *x, const gsl_vector *y, const char *label);
/* Add a histogram of n values in `bins` equal bins over their range (bins <= 0: 10). */
void ch_plot_hist(ch_plot *p, const double *x, size_t n, int bins, const char *label);
/* Add a histogram of a gsl vector's values (bins <= 0: 10). */
void ch_plot_hist_vec(ch_plot *p, const gsl_vector *x, int bins, const char *label);
/* Add n bars named names[i] (names NULL: 0..n-1); several calls make grouped bars. */
void ch_plot_bar(ch_plot *p, const char *const *names, const double *h, size_t n,
                 const char *label);
/* Draw matrix m as an image (row 0 on top, viridis) with a colour bar; takes the whole figure. */
void ch_plot_heatmap(ch_plot *p, const gsl_matrix *m);
/* Logarithmic x axis (on != 0); all x values must then be > 0. */
void ch_plot_logx(ch_plot *p, int on);
/* Logarithmic y axis (on != 0); all y values must then be > 0. */
void ch_plot_logy(ch_plot *p, int on);
/* Grid lines at the major ticks (on != 0). */
void ch_plot_grid(ch_plot *p, int on);
/* Fix the x range to [lo, hi] instead of fitting the data. */
void ch_plot_xlim(ch_plot *p, double lo, double hi);
/* Fix the y range to [lo, hi] instead of fitting the data. */
void ch_plot_ylim(ch_plot *p, double lo, double hi);
/* Figure size in pixels before trimming (default 640 x 480, as matplotlib's 6.4 x 4.8 in). */
void ch_plot_size(ch_plot *p, int width, int height);
/* New SVG text of the figure (caller frees); p stays usable. */
char *ch_plot_svg(ch_plot *p);
/* New text/plain summary of the figure, as ch_plot_show publishes it (caller frees). */
char *ch_plot_text(ch_plot *p);
/* Write the SVG to a file; 0 on success, -1 (errno set) if the file cannot be written. */
int ch_plot_save(ch_plot *p, const char *path);
/* Publish the figure (image/svg+xml, an <img> of it as text/html, text/plain) and free p. */
void ch_plot_show(ch_plot *p);
/* Free a figure without showing it and set *p to NULL. */
void ch_plot_destroy(ch_plot **p);
/* Show matrix m as a heatmap with a colour bar in one call. */
void ch_heatmap(const gsl_matrix *m, const char *title);

/* ======================================================================
 * display — rich output: HTML, Markdown, LaTeX, SVG, PNG (display.c)
 * ====================================================================== */
/* Each call publishes one display_data output (in a plain program: its
 * text/plain fallback on stdout).  The fallback is readable on its own: HTML
 * without tags, LaTeX and Markdown as source, images as "<PNG image, WxH>". */
/* Publish data under any MIME type, with a text/plain fallback. */
void ch_display(const char *mime, const char *data);
/* Publish plain text. */
void ch_display_text(const char *text);
/* Publish HTML (fallback: the text without tags). */
void ch_display_html(const char *html);
/* Publish Markdown. */
void ch_display_markdown(const char *md);
/* Publish LaTeX; text without $ or \begin is wrapped in $$...$$ so Jupyter typesets it. */
void ch_display_latex(const char *tex);
/* Publish an SVG document (image/svg+xml, and an <img> of it as text/html for
 * notebooks that are not trusted). */
void ch_display_svg(const char *svg);
/* Publish n bytes of a PNG file (sent base64-encoded). */
void ch_display_png(const unsigned char *png, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* CHALK_H */
