/* fuzz_libchalk.c — fuzz target: libchalk's argument checks.
 *
 * The input is a little program: each step is a selector byte naming a
 * ch_ function, then its arguments read from the following bytes: sizes
 * from a table mixing small ones with the ones that overflow a size
 * computation (SIZE_MAX, SIZE_MAX/8 + 1, 2^32, ...), doubles from a table
 * of the awkward ones (NaN, +-inf, -0, DBL_MAX, the smallest subnormal) or
 * eight raw bytes, vectors and matrices of small random shapes filled so.
 * Property: every call either returns a usable result or ends in ch_fail
 * (caught here through the runtime's fail hook, as the executor catches it)
 * — never a crash, a sanitizer report or an allocation the size of the
 * address space.  Beware: ch_fail does not return, so whatever libchalk
 * allocated inside a failing call is never freed (in a cell the process
 * ends); leak detection is therefore off for this target only.  As in the
 * executor (RLIMIT_AS), an allocation past a memory limit fails: 2 GiB here,
 * through ASan's max_allocation_size_mb under sanitizers and RLIMIT_AS
 * without them.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <string.h>
#include <sys/resource.h>

#include "chalk.h"
#include "fuzz.h"

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=2048";
}

typedef struct reader {
    const uint8_t *p;
    size_t n;
} reader;

static unsigned u8(reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static size_t rsize(reader *r)
{
    static const size_t sizes[] = { 0,
                                    1,
                                    2,
                                    3,
                                    4,
                                    5,
                                    8,
                                    1,
                                    2,
                                    3,
                                    SIZE_MAX,
                                    SIZE_MAX / 8 + 1,
                                    (size_t)1 << 32,
                                    SIZE_MAX / 2 + 1,
                                    (size_t)1 << 61,
                                    ((size_t)1 << 32) + 1 };
    return sizes[u8(r) % (sizeof sizes / sizeof sizes[0])];
}

static size_t rsmall(reader *r)
{
    return u8(r) % 6;
}

static double rdouble(reader *r)
{
    unsigned k = u8(r);
    switch (k % 12) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return -0.0;
    case 4: return DBL_MAX;
    case 5: return 5e-324;
    case 6: return 0.0;
    case 7: return 1.0;
    case 8: return -1.0;
    case 9: return (double)(k / 12) / 4.0;
    default: {
        uint64_t bits = 0;
        double d;
        for (int i = 0; i < 8; i++)
            bits = bits << 8 | u8(r);
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    }
}

/* Everything this target allocated, freed after every step. */
#define MAX_OWNED 64
static gsl_vector *vecs[MAX_OWNED];
static gsl_matrix *mats[MAX_OWNED];
static size_t nvecs, nmats;

static gsl_vector *keepv(gsl_vector *v)
{
    if (v != NULL && nvecs < MAX_OWNED)
        vecs[nvecs++] = v;
    return v;
}

static gsl_matrix *keepm(gsl_matrix *m)
{
    if (m != NULL && nmats < MAX_OWNED)
        mats[nmats++] = m;
    return m;
}

static void free_owned(void)
{
    while (nvecs)
        gsl_vector_free(vecs[--nvecs]);
    while (nmats)
        gsl_matrix_free(mats[--nmats]);
}

static gsl_vector *rvec(reader *r)
{
    size_t n = rsmall(r);
    gsl_vector *v;
    if (n == 0)
        n = 1; /* GSL itself cannot make an empty vector */
    v = keepv(gsl_vector_alloc(n));
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(v, i, rdouble(r));
    return v;
}

static gsl_matrix *rmat(reader *r)
{
    size_t m = rsmall(r) + 1, n = rsmall(r) + 1;
    gsl_matrix *a = keepm(gsl_matrix_alloc(m, n));
    if (u8(r) & 1)
        n = m; /* square half the time: most solvers want that */
    if (a->size2 != n) {
        a = keepm(gsl_matrix_alloc(m, n));
    }
    for (size_t i = 0; i < a->size1; i++)
        for (size_t j = 0; j < a->size2; j++)
            gsl_matrix_set(a, i, j, rdouble(r));
    return a;
}

static jmp_buf *fail_jmp;
static void on_fail(const char *ename, const char *evalue)
{
    FUZZ_CHECK(ename != NULL && evalue != NULL);
    if (fail_jmp == NULL)
        abort();
    longjmp(*fail_jmp, 1);
}

static void on_output(const char *bundle)
{
    (void)bundle;
}

static void on_clear(int wait)
{
    (void)wait;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const ch_runtime rt = { on_output, on_output, on_fail, on_clear };
    (void)argc;
    (void)argv;
    ch_set_runtime(&rt);
    ch_init();
#if defined(__SANITIZE_ADDRESS__)
#define FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#ifndef FUZZ_ASAN
    {
        struct rlimit rl = { (rlim_t)4 << 30, (rlim_t)4 << 30 };
        setrlimit(RLIMIT_AS, &rl);
    }
#endif
    return 0;
}

static void step(reader *r)
{
    unsigned op = u8(r) % 25;
    double buf[64];
    for (size_t i = 0; i < 64; i++)
        buf[i] = rdouble(r);
    switch (op) {
    case 0: {
        size_t n = rsmall(r);
        keepv(ch_vec_of(n, buf));
        break;
    }
    case 1: {
        size_t rows = rsize(r), cols = rsize(r), n = rsmall(r) * 4;
        keepm(ch_mat_of(rows, cols, n, buf));
        break;
    }
    case 2: keepv(ch_vec_zeros(rsize(r))); break;
    case 3: keepv(ch_vec_ones(rsize(r))); break;
    case 4: {
        double a = rdouble(r), b = rdouble(r);
        keepv(ch_linspace(a, b, rsize(r)));
        break;
    }
    case 5: {
        size_t rows = rsize(r), cols = rsize(r);
        keepm(ch_mat_zeros(rows, cols));
        break;
    }
    case 6: keepm(ch_eye(rsize(r))); break;
    case 7: {
        gsl_vector *a = rvec(r), *b = rvec(r);
        keepv(ch_vec_add(a, b));
        (void)ch_dot(a, b);
        break;
    }
    case 8: {
        gsl_matrix *a = rmat(r), *b = rmat(r);
        keepm(ch_matmul(a, b));
        break;
    }
    case 9: {
        gsl_matrix *a = rmat(r);
        gsl_vector *b = rvec(r);
        keepv(ch_solve(a, b));
        break;
    }
    case 10: {
        gsl_matrix *a = rmat(r);
        if (u8(r) & 1)
            keepm(ch_inv(a));
        else
            (void)ch_det(a);
        break;
    }
    case 11: {
        gsl_matrix *a = rmat(r);
        ch_svd_t s = ch_svd(a);
        ch_svd_free(&s);
        break;
    }
    case 12: {
        gsl_matrix *a = rmat(r);
        ch_eig_t e = ch_eigh(a);
        ch_eig_free(&e);
        break;
    }
    case 13: {
        gsl_matrix *a = rmat(r);
        double t = rdouble(r);
        (void)ch_rank(a, t);
        keepm(ch_pinv(a, rdouble(r)));
        break;
    }
    case 14: {
        gsl_matrix *a = rmat(r);
        keepm(ch_lowrank(a, rsize(r)));
        break;
    }
    case 15: {
        gsl_vector *z = rvec(r);
        keepv(ch_softmax(z));
        (void)ch_logsumexp(z);
        (void)ch_xent_logits(z, rsize(r));
        break;
    }
    case 16: {
        gsl_vector *p = rvec(r), *q = rvec(r);
        (void)ch_entropy(p);
        (void)ch_kl(p, q);
        break;
    }
    case 17: {
        double x = rdouble(r), mu = rdouble(r), s = rdouble(r);
        (void)ch_normal_logpdf(x, mu, s);
        (void)ch_kl_gauss(x, mu, s, rdouble(r));
        break;
    }
    case 18: {
        gsl_vector *x = rvec(r), *y = rvec(r);
        size_t deg = rsize(r);
        keepv(ch_polyfit(x, y, deg, rdouble(r)));
        break;
    }
    case 19: {
        gsl_vector *p = rvec(r);
        (void)ch_categorical(p);
        break;
    }
    case 20: {
        gsl_matrix *a = rmat(r);
        gsl_vector *v = NULL;
        size_t it = rsmall(r) * 10;
        (void)ch_power_iter(a, it, rdouble(r), &v);
        keepv(v);
        break;
    }
    case 21: {
        gsl_matrix *a = rmat(r);
        size_t i = rsize(r);
        keepv(ch_col(a, i));
        keepv(ch_row(a, i));
        break;
    }
    case 22: {
        gsl_vector *x = rvec(r), *mu = rvec(r);
        gsl_matrix *s = rmat(r);
        (void)ch_mvn_logpdf(x, mu, s);
        break;
    }
    case 24: {
        /* a plot label (the $...$ notation's parser) in every place a label
         * goes: title, axes, legend and bar names, which are tick labels */
        char lab[256];
        size_t n = u8(r), i;
        double h[2] = { buf[0], 1 };
        const char *names[2];
        ch_plot *p;
        for (i = 0; i < n && r->n > 0; i++) {
            lab[i] = (char)u8(r);
            if (lab[i] == '\0')
                lab[i] = ' ';
        }
        lab[i] = '\0';
        names[0] = lab;
        names[1] = "b";
        p = ch_plot_new(lab, lab, lab);
        ch_plot_line(p, NULL, h, 2, lab);
        free(ch_plot_svg(p));
        ch_plot_destroy(&p);
        p = ch_plot_new(NULL, NULL, NULL);
        ch_plot_bar(p, names, h, 2, lab);
        free(ch_plot_svg(p));
        ch_plot_destroy(&p);
        break;
    }
    default: {
        size_t n = rsize(r);
        (void)ch_randint(n);
        keepv(ch_randn_vec(n));
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = { data, size };
    /* At most 8 steps: a long input is many small programs' worth anyway. */
    for (int k = 0; k < 8 && r.n > 0; k++) {
        jmp_buf here;
        ch_seed(1);
        fail_jmp = &here;
        if (setjmp(here) == 0)
            step(&r);
        fail_jmp = NULL;
        free_owned();
    }
    return 0;
}
