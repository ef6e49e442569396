/* bench_linalg.c — libchalk's 256x256 SVD (with U and V), symmetric
 * eigendecomposition (with vectors) and matrix product: medians of repeated
 * runs, printed as one JSON object {"svd": s, "eigh": s, "matmul": s, ...}
 * (the contract tests/bench/bench.py reads; it times NumPy alongside).
 * Usage: bench_linalg [n] [reps]
 */
#include <time.h>
#include "chalk.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 256;
    int reps = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 11;
    if (n < 2 || reps < 1 || reps > 1000) {
        fprintf(stderr, "usage: bench_linalg [n >= 2] [1 <= reps <= 1000]\n");
        return 2;
    }
    double *t = malloc(sizeof(double) * (size_t)reps * 10);
    ch_seed(1);
    gsl_matrix *A = ch_randn_mat(n, n), *B = ch_randn_mat(n, n);
    gsl_matrix *At = ch_transpose(A), *S = ch_matmul(A, At);
    for (size_t i = 0; i < n; i++) /* exact symmetry for ch_eigh */
        for (size_t j = 0; j < i; j++)
            gsl_matrix_set(S, i, j, gsl_matrix_get(S, j, i));
    double svd, eigh, mm;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        ch_svd_t s = ch_svd(A);
        t[r] = now() - t0;
        ch_svd_free(&s);
    }
    svd = median(t, reps);
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        ch_eig_t e = ch_eigh(S);
        t[r] = now() - t0;
        ch_eig_free(&e);
    }
    eigh = median(t, reps);
    int mreps = reps * 10;
    for (int r = 0; r < mreps; r++) {
        double t0 = now();
        gsl_matrix *C = ch_matmul(A, B);
        t[r] = now() - t0;
        gsl_matrix_free(C);
    }
    mm = median(t, mreps);
    printf("{\"n\": %zu, \"reps\": %d, \"svd\": %.6g, \"eigh\": %.6g, \"matmul\": %.6g}\n", n, reps,
           svd, eigh, mm);
    gsl_matrix_free(A);
    gsl_matrix_free(B);
    gsl_matrix_free(At);
    gsl_matrix_free(S);
    free(t);
    return 0;
}
