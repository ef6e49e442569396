/* tl.h — the small harness libchalk's unit tests share (header-only).
 *
 * - Reference data: REF_MAT/REF_VEC/REF_NUM read blocks of
 *   tests/lib/ref/<module>.txt (written by mkref.py from NumPy/SciPy).  The
 *   directory is $CHALK_SRCDIR/tests/lib/ref when the test driver sets it,
 *   else the compile-time TL_REFDIR.
 * - Failures of libchalk: a runtime whose fail hook longjmps back here, so a
 *   test can call a function with bad input and assert the error it raises
 *   (EXPECT_FAIL).  An unexpected ch_fail fails the test and says where.
 * - Assertions are tests/tap.h's (one TAP result each) plus VCLOSE/MCLOSE
 *   for whole vectors and matrices; main returns tl_done(), which frees what
 *   the test kept and gives tap_done()'s status.  A test that cannot fail is
 *   no test: each assertion compares with an independently computed value.
 */
#ifndef TL_H
#define TL_H

#include <setjmp.h>
#include <stdarg.h>
#include "chalk.h"
#include "../tap.h"

#ifndef TL_REFDIR
#define TL_REFDIR "tests/lib/ref"
#endif

static jmp_buf *tl_jmp;
static char tl_ename[64], tl_evalue[2048];

static void tl_fail_hook(const char *ename, const char *evalue)
{
    snprintf(tl_ename, sizeof tl_ename, "%s", ename);
    snprintf(tl_evalue, sizeof tl_evalue, "%s", evalue);
    if (tl_jmp)
        longjmp(*tl_jmp, 1);
    tap_bail("unexpected %s: %s", ename, evalue);
}

static char tl_last_result[1 << 16];
static void tl_result_hook(const char *bundle)
{
    snprintf(tl_last_result, sizeof tl_last_result, "%s", bundle);
}

static void tl_init(void)
{
    static const ch_runtime rt = { .display = tl_result_hook,
                                   .result = tl_result_hook,
                                   .fail = tl_fail_hook };
    ch_set_runtime(&rt);
}

static inline double tl_vec_maxerr(const gsl_vector *a, const gsl_vector *b, double rtol,
                                   double atol, int *ok)
{
    double worst = 0;
    *ok = a && b && a->size == b->size;
    if (!*ok)
        return INFINITY;
    for (size_t i = 0; i < a->size; i++) {
        double g = gsl_vector_get(a, i), e = gsl_vector_get(b, i);
        if (!tap_close(g, e, rtol, atol))
            *ok = 0;
        worst = fmax(worst, fabs(g - e));
    }
    return worst;
}

static inline double tl_mat_maxerr(const gsl_matrix *a, const gsl_matrix *b, double rtol,
                                   double atol, int *ok)
{
    double worst = 0;
    *ok = a && b && a->size1 == b->size1 && a->size2 == b->size2;
    if (!*ok)
        return INFINITY;
    for (size_t i = 0; i < a->size1; i++)
        for (size_t j = 0; j < a->size2; j++) {
            double g = gsl_matrix_get(a, i, j), e = gsl_matrix_get(b, i, j);
            if (!tap_close(g, e, rtol, atol))
                *ok = 0;
            worst = fmax(worst, fabs(g - e));
        }
    return worst;
}

#define VCLOSE(got, exp, rtol, atol)                                                               \
    do {                                                                                           \
        int ok_;                                                                                   \
        double w_ = tl_vec_maxerr((got), (exp), rtol, atol, &ok_);                                 \
        tap_result(ok_, __FILE__, __LINE__, #got " ~ " #exp,                                       \
                   "expected %s, got %s: max abs err %.3g (rtol %g, atol %g)", #exp, #got, w_,     \
                   (double)(rtol), (double)(atol));                                                \
    } while (0)

#define MCLOSE(got, exp, rtol, atol)                                                               \
    do {                                                                                           \
        int ok_;                                                                                   \
        double w_ = tl_mat_maxerr((got), (exp), rtol, atol, &ok_);                                 \
        tap_result(ok_, __FILE__, __LINE__, #got " ~ " #exp,                                       \
                   "expected %s, got %s: max abs err %.3g (rtol %g, atol %g)", #exp, #got, w_,     \
                   (double)(rtol), (double)(atol));                                                \
    } while (0)

/* Run stmt; it must end in ch_fail(ename, ...) with substr in the message. */
#define EXPECT_FAIL(ename, substr, stmt)                                                           \
    do {                                                                                           \
        jmp_buf jb_;                                                                               \
        tl_jmp = &jb_;                                                                             \
        tl_ename[0] = tl_evalue[0] = '\0';                                                         \
        if (setjmp(jb_) == 0) {                                                                    \
            stmt;                                                                                  \
            tl_jmp = NULL;                                                                         \
            TAP_OK(0, #stmt " fails with " ename, "expected %s, got a return", ename);             \
        } else {                                                                                   \
            tl_jmp = NULL;                                                                         \
            TAP_OK(strcmp(tl_ename, ename) == 0 && strstr(tl_evalue, substr) != NULL,              \
                   #stmt " fails with " ename, "expected %s containing \"%s\", got %s: %s", ename, \
                   substr, tl_ename, tl_evalue);                                                   \
        }                                                                                          \
    } while (0)

/* ---- reference data ---- */

static gsl_matrix *tl_ref(const char *module, const char *name)
{
    char path[1024];
    const char *src = getenv("CHALK_SRCDIR");
    if (src && *src)
        snprintf(path, sizeof path, "%s/tests/lib/ref/%s.txt", src, module);
    else
        snprintf(path, sizeof path, "%s/%s.txt", TL_REFDIR, module);
    FILE *f = fopen(path, "r");
    if (!f) {
        tap_bail("cannot open reference file %s", path);
    }
    char line[65536];
    gsl_matrix *M = NULL;
    while (fgets(line, sizeof line, f)) {
        char nm[256];
        size_t r, c;
        if (line[0] != '@' || sscanf(line + 1, "%255s %zu %zu", nm, &r, &c) != 3 ||
            strcmp(nm, name) != 0)
            continue;
        M = gsl_matrix_alloc(r, c);
        for (size_t i = 0; i < r; i++) {
            if (!fgets(line, sizeof line, f))
                break;
            char *p = line;
            for (size_t j = 0; j < c; j++) {
                char *end;
                double v = strtod(p, &end);
                if (end == p) {
                    tap_bail("%s: bad value in @%s row %zu", path, name, i);
                }
                gsl_matrix_set(M, i, j, v);
                p = end;
            }
        }
        break;
    }
    fclose(f);
    if (!M) {
        tap_bail("%s has no @%s", path, name);
    }
    return M;
}

static inline gsl_vector *tl_ref_vec(const char *module, const char *name)
{
    gsl_matrix *M = tl_ref(module, name);
    gsl_vector *v = gsl_vector_alloc(M->size1 * M->size2);
    for (size_t i = 0; i < M->size1; i++)
        for (size_t j = 0; j < M->size2; j++)
            gsl_vector_set(v, i * M->size2 + j, gsl_matrix_get(M, i, j));
    gsl_matrix_free(M);
    return v;
}

#define RM(mod, name) TM(tl_ref(mod, name))
#define RV(mod, name) TV(tl_ref_vec(mod, name))
#define RN(mod, name) tl_ref_num(mod, name)

static inline double tl_ref_num(const char *module, const char *name)
{
    gsl_matrix *M = tl_ref(module, name);
    double x = gsl_matrix_get(M, 0, 0);
    gsl_matrix_free(M);
    return x;
}

/* Objects a test keeps until tl_done frees them, so valgrind sees no leak. */
static void *tl_pool[8192];
static char tl_kind[8192];
static int tl_np;

static void *tl_keep(void *p, char kind)
{
    if (p && tl_np < (int)(sizeof tl_pool / sizeof *tl_pool)) {
        tl_pool[tl_np] = p;
        tl_kind[tl_np++] = kind;
    }
    return p;
}
static gsl_vector *TV(gsl_vector *v)
{
    return tl_keep(v, 'v');
}
static gsl_matrix *TM(gsl_matrix *m)
{
    return tl_keep(m, 'm');
}

static int tl_done(const char *what)
{
    for (int i = 0; i < tl_np; i++) {
        if (tl_kind[i] == 'v')
            gsl_vector_free(tl_pool[i]);
        else if (tl_kind[i] == 'm')
            gsl_matrix_free(tl_pool[i]);
        else
            free(tl_pool[i]);
    }
    tl_np = 0;
    printf("# %s\n", what);
    return tap_done();
}

#endif
