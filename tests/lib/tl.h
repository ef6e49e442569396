/* tl.h — the small harness libchalk's unit tests share (header-only).
 *
 * - Reference data: REF_MAT/REF_VEC/REF_NUM read blocks of
 *   tests/lib/ref/<module>.txt (written by mkref.py from NumPy/SciPy).  The
 *   directory is $CHALK_SRCDIR/tests/lib/ref when the test driver sets it,
 *   else the compile-time TL_REFDIR.
 * - Failures of libchalk: a runtime whose fail hook longjmps back here, so a
 *   test can call a function with bad input and assert the error it raises
 *   (EXPECT_FAIL).  An unexpected ch_fail fails the test and says where.
 * - Assertions print "ok"/"not ok" lines with file:line; main returns
 *   tl_done(), nonzero if anything failed.  A test that cannot fail is no test:
 *   each assertion compares with an independently computed value.
 */
#ifndef TL_H
#define TL_H

#include <setjmp.h>
#include <stdarg.h>
#include "chalk.h"

#ifndef TL_REFDIR
#define TL_REFDIR "tests/lib/ref"
#endif

static int tl_fails, tl_oks;
static jmp_buf *tl_jmp;
static char tl_ename[64], tl_evalue[2048];

static void tl_fail_hook(const char *ename, const char *evalue)
{
    snprintf(tl_ename, sizeof tl_ename, "%s", ename);
    snprintf(tl_evalue, sizeof tl_evalue, "%s", evalue);
    if (tl_jmp)
        longjmp(*tl_jmp, 1);
    fprintf(stderr, "not ok - unexpected %s: %s\n", ename, evalue);
    exit(1);
}

static char tl_last_result[1 << 16];
static void tl_result_hook(const char *bundle)
{
    snprintf(tl_last_result, sizeof tl_last_result, "%s", bundle);
}

static void tl_init(void)
{
    static const ch_runtime rt = {tl_result_hook, tl_result_hook, tl_fail_hook};
    ch_set_runtime(&rt);
}

static void tl_report(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (ok) {
        tl_oks++;
    } else {
        tl_fails++;
        printf("not ok - %s:%d: ", file, line);
        vprintf(fmt, ap);
        putchar('\n');
    }
    va_end(ap);
}

#define OK(cond, ...) tl_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static int tl_close(double got, double exp, double rtol, double atol)
{
    if (got == exp)
        return 1;
    return fabs(got - exp) <= atol + rtol * fabs(exp);
}

#define CLOSE(got, exp, rtol, atol)                                                                        \
    do {                                                                                                   \
        double g_ = (got), e_ = (exp);                                                                     \
        OK(tl_close(g_, e_, rtol, atol), "%s = %.17g, expected %s = %.17g", #got, g_, #exp, e_);             \
    } while (0)

static double tl_vec_maxerr(const gsl_vector *a, const gsl_vector *b, double rtol, double atol, int *ok)
{
    double worst = 0;
    *ok = a && b && a->size == b->size;
    if (!*ok)
        return INFINITY;
    for (size_t i = 0; i < a->size; i++) {
        double g = gsl_vector_get(a, i), e = gsl_vector_get(b, i);
        if (!tl_close(g, e, rtol, atol))
            *ok = 0;
        worst = fmax(worst, fabs(g - e));
    }
    return worst;
}

static double tl_mat_maxerr(const gsl_matrix *a, const gsl_matrix *b, double rtol, double atol, int *ok)
{
    double worst = 0;
    *ok = a && b && a->size1 == b->size1 && a->size2 == b->size2;
    if (!*ok)
        return INFINITY;
    for (size_t i = 0; i < a->size1; i++)
        for (size_t j = 0; j < a->size2; j++) {
            double g = gsl_matrix_get(a, i, j), e = gsl_matrix_get(b, i, j);
            if (!tl_close(g, e, rtol, atol))
                *ok = 0;
            worst = fmax(worst, fabs(g - e));
        }
    return worst;
}

#define VCLOSE(got, exp, rtol, atol)                                                                       \
    do {                                                                                                   \
        int ok_;                                                                                           \
        double w_ = tl_vec_maxerr((got), (exp), rtol, atol, &ok_);                                         \
        OK(ok_, "%s vs %s: max abs err %.3g (rtol %g, atol %g)", #got, #exp, w_, (double)(rtol), (double)(atol)); \
    } while (0)

#define MCLOSE(got, exp, rtol, atol)                                                                       \
    do {                                                                                                   \
        int ok_;                                                                                           \
        double w_ = tl_mat_maxerr((got), (exp), rtol, atol, &ok_);                                         \
        OK(ok_, "%s vs %s: max abs err %.3g (rtol %g, atol %g)", #got, #exp, w_, (double)(rtol), (double)(atol)); \
    } while (0)

/* Run stmt; it must end in ch_fail(ename, ...) with substr in the message. */
#define EXPECT_FAIL(ename, substr, stmt)                                                                   \
    do {                                                                                                   \
        jmp_buf jb_;                                                                                       \
        tl_jmp = &jb_;                                                                                     \
        tl_ename[0] = tl_evalue[0] = '\0';                                                                 \
        if (setjmp(jb_) == 0) {                                                                            \
            stmt;                                                                                          \
            tl_jmp = NULL;                                                                                 \
            OK(0, "%s: expected %s, but it returned", #stmt, ename);                                       \
        } else {                                                                                           \
            tl_jmp = NULL;                                                                                 \
            OK(strcmp(tl_ename, ename) == 0 && strstr(tl_evalue, substr) != NULL,                          \
               "%s: expected %s containing \"%s\", got %s: %s", #stmt, ename, substr, tl_ename, tl_evalue); \
        }                                                                                                  \
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
        printf("not ok - cannot open reference file %s\n", path);
        exit(1);
    }
    char line[65536];
    gsl_matrix *M = NULL;
    while (fgets(line, sizeof line, f)) {
        char nm[256];
        size_t r, c;
        if (line[0] != '@' || sscanf(line + 1, "%255s %zu %zu", nm, &r, &c) != 3 || strcmp(nm, name) != 0)
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
                    printf("not ok - %s: bad value in @%s row %zu\n", path, name, i);
                    exit(1);
                }
                gsl_matrix_set(M, i, j, v);
                p = end;
            }
        }
        break;
    }
    fclose(f);
    if (!M) {
        printf("not ok - %s has no @%s\n", path, name);
        exit(1);
    }
    return M;
}

static gsl_vector *tl_ref_vec(const char *module, const char *name)
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

static double tl_ref_num(const char *module, const char *name)
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
static gsl_vector *TV(gsl_vector *v) { return tl_keep(v, 'v'); }
static gsl_matrix *TM(gsl_matrix *m) { return tl_keep(m, 'm'); }

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
    printf("%s %s: %d passed, %d failed\n", tl_fails ? "FAIL" : "PASS", what, tl_oks, tl_fails);
    return tl_fails ? 1 : 0;
}

#endif
