/* plotcompare.c: draws the reference figures with libchalk for the visual
 * comparison with matplotlib (a dev tool, not a test; see compare.py).
 *
 * Usage: plotcompare OUTDIR. Writes OUTDIR/NAME.svg and OUTDIR/NAME.dat (the
 * data, whitespace-separated columns) for each figure, so compare.py can draw
 * exactly the same numbers with matplotlib. Data come from a fixed LCG, not
 * the chalk generator, so this program depends only on the plot module. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "chalk.h"

static unsigned long long lcg_state = 12345;

static double uniform(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((lcg_state >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
    return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static FILE *open_out(const char *dir, const char *name, const char *ext)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static void save(ch_plot *p, const char *dir, const char *name)
{
    char path[4096];

    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    if (ch_plot_save(p, path) != 0) {
        perror(path);
        exit(1);
    }
    ch_plot_destroy(&p);
}

int main(int argc, char **argv)
{
    enum { NL = 200, NS = 501, NH = 1000, NP = 80, R = 12, C = 16 };
    static double x[NL], y1[NL], y2[NL], y3[NL], t[NS], sgd[NS], adam[NS], h[NH];
    static double sx[2][NP], sy[2][NP];
    static const char *names[] = { "linalg", "calculus", "optim", "prob", "info" };
    static const double hw[5] = { 12, 9, 7, 11, 5 }, hw2[5] = { 8, 10, 4, 9, 6 };
    const char *dir = argc > 1 ? argv[1] : ".";
    gsl_matrix *m;
    ch_plot *p;
    FILE *f;
    int i, j, k;

    /* 1. several lines with a legend */
    f = open_out(dir, "lines", "dat");
    for (i = 0; i < NL; i++) {
        x[i] = 10.0 * i / (NL - 1);
        y1[i] = sin(x[i]);
        y2[i] = cos(x[i]);
        y3[i] = 0.5 * sin(2 * x[i]) * exp(-0.1 * x[i]);
        fprintf(f, "%.17g %.17g %.17g %.17g\n", x[i], y1[i], y2[i], y3[i]);
    }
    fclose(f);
    p = ch_plot_new("Three waves", "x", "y");
    ch_plot_line(p, x, y1, NL, "sin x");
    ch_plot_line(p, x, y2, NL, "cos x");
    ch_plot_line(p, x, y3, NL, "damped sin 2x");
    save(p, dir, "lines");

    /* 2. a loss curve on a log y axis */
    f = open_out(dir, "loss", "dat");
    for (i = 0; i < NS; i++) {
        t[i] = i;
        sgd[i] = 2.0 * exp(-i / 120.0) * (1 + 0.15 * gauss() * exp(-i / 300.0)) + 0.02;
        adam[i] = 2.0 * exp(-i / 25.0) + 2e-4 * (1 + 0.3 * fabs(gauss()));
        fprintf(f, "%.17g %.17g %.17g\n", t[i], sgd[i], adam[i]);
    }
    fclose(f);
    p = ch_plot_new("Training loss", "step", "loss");
    ch_plot_line(p, t, sgd, NS, "SGD");
    ch_plot_line(p, t, adam, NS, "Adam");
    ch_plot_logy(p, 1);
    save(p, dir, "loss");

    /* 3. a histogram */
    f = open_out(dir, "hist", "dat");
    for (i = 0; i < NH; i++) {
        h[i] = 1.5 + 0.8 * gauss();
        fprintf(f, "%.17g\n", h[i]);
    }
    fclose(f);
    p = ch_plot_new("1000 samples of N(1.5, 0.8^2)", "value", "count");
    ch_plot_hist(p, h, NH, 30, NULL);
    save(p, dir, "hist");

    /* 4. a scatter of two clusters */
    f = open_out(dir, "scatter", "dat");
    for (i = 0; i < NP; i++) {
        for (k = 0; k < 2; k++) {
            double u = gauss(), v = gauss();
            sx[k][i] = (k ? 3.0 : 0.0) + u;
            sy[k][i] = (k ? 1.0 : 0.0) + 0.6 * u + 0.8 * v;
        }
        fprintf(f, "%.17g %.17g %.17g %.17g\n", sx[0][i], sy[0][i], sx[1][i], sy[1][i]);
    }
    fclose(f);
    p = ch_plot_new("Two classes", "feature 1", "feature 2");
    ch_plot_scatter(p, sx[0], sy[0], NP, "class 0");
    ch_plot_scatter(p, sx[1], sy[1], NP, "class 1");
    save(p, dir, "scatter");

    /* 5. a heatmap */
    f = open_out(dir, "heatmap", "dat");
    m = gsl_matrix_alloc(R, C);
    for (i = 0; i < R; i++) {
        for (j = 0; j < C; j++) {
            double v = sin(i / 2.0) * cos(j / 3.0) + 0.1 * i;
            gsl_matrix_set(m, i, j, v);
            fprintf(f, "%.17g%c", v, j == C - 1 ? '\n' : ' ');
        }
    }
    fclose(f);
    p = ch_plot_new("Weights W", NULL, NULL);
    ch_plot_heatmap(p, m);
    save(p, dir, "heatmap");
    gsl_matrix_free(m);

    /* 6. grouped bars */
    f = open_out(dir, "bar", "dat");
    for (i = 0; i < 5; i++)
        fprintf(f, "%s %g %g\n", names[i], hw[i], hw2[i]);
    fclose(f);
    p = ch_plot_new("Exercises per module", NULL, "count");
    ch_plot_bar(p, names, hw, 5, "2025");
    ch_plot_bar(p, names, hw2, 5, "2026");
    save(p, dir, "bar");

    /* 7. log x with a grid, a narrow log y range, big numbers */
    f = open_out(dir, "logx", "dat");
    for (i = 0; i < NL; i++) {
        double w = pow(10, -2 + 5.0 * i / (NL - 1));
        x[i] = w;
        y1[i] = 1 / sqrt(1 + w * w);
        y2[i] = 0.3 + 0.5 / (1 + w);
        y3[i] = -2.5e6 + 1e6 * log10(w);
        fprintf(f, "%.17g %.17g %.17g %.17g\n", x[i], y1[i], y2[i], y3[i]);
    }
    fclose(f);
    p = ch_plot_new("Gain", "frequency (rad/s)", "|H|");
    ch_plot_line(p, x, y1, NL, "first order");
    ch_plot_logx(p, 1);
    ch_plot_grid(p, 1);
    save(p, dir, "logx");
    p = ch_plot_new("Narrow log range", "w", "y");
    ch_plot_line(p, x, y2, NL, NULL);
    ch_plot_logx(p, 1);
    ch_plot_logy(p, 1);
    save(p, dir, "narrowlog");
    p = ch_plot_new("Big numbers", "w", "dollars");
    ch_plot_line(p, x, y3, NL, "revenue");
    ch_plot_logx(p, 1);
    save(p, dir, "big");
    return 0;
}
