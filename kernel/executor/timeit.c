/* timeit.c — %timeit's measurement in the cell's child (see timeit.h). */
#define _GNU_SOURCE
#include "timeit.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cell_runtime.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void format_time(char *buf, size_t n, double s)
{
    if (s >= 1)
        snprintf(buf, n, "%.3g s", s);
    else if (s >= 1e-3)
        snprintf(buf, n, "%.3g ms", s * 1e3);
    else if (s >= 1e-6)
        snprintf(buf, n, "%.3g µs", s * 1e6);
    else
        snprintf(buf, n, "%.3g ns", s * 1e9);
}

/* %timeit: like IPython's — enough loops per run for 0.2 s, 7 runs, mean ±
 * standard deviation of the time per loop.  Nothing the timed code does is
 * kept (the child exits without handing over). */
void timeit_run(int (*body)(int, char **))
{
    char *argv[] = { "cell", NULL };
    /* The cell has run once already, its output shown; the loops print
     * into /dev/null (and show nothing), or a printf in the timed code
     * would flood the notebook thousands of times over. */
    fflush(stdout);
    fflush(stderr);
    int out = dup(1), errfd = dup(2), devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
        close(devnull);
    }
    cell_runtime_mute(2);
    long loops = 1;
    for (;;) {
        double t0 = seconds_now();
        for (long i = 0; i < loops; i++)
            body(1, argv);
        double dt = seconds_now() - t0;
        if (dt >= 0.2 || loops >= 100000000L)
            break;
        loops *= dt < 0.02 ? 10 : 2;
    }
    enum { RUNS = 7 };
    double per[RUNS], mean = 0, var = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = seconds_now();
        for (long i = 0; i < loops; i++)
            body(1, argv);
        per[r] = (seconds_now() - t0) / (double)loops;
        mean += per[r] / RUNS;
    }
    for (int r = 0; r < RUNS; r++)
        var += (per[r] - mean) * (per[r] - mean) / (RUNS - 1);
    fflush(stdout);
    fflush(stderr);
    if (out >= 0 && errfd >= 0) {
        dup2(out, 1);
        dup2(errfd, 2);
    }
    cell_runtime_mute(1);
    char m[32], sd[32];
    format_time(m, sizeof m, mean);
    format_time(sd, sizeof sd, sqrt(var));
    printf("%s ± %s per loop (mean ± std. dev. of %d runs, %ld loop%s each)\n", m, sd, RUNS, loops,
           loops == 1 ? "" : "s");
}
