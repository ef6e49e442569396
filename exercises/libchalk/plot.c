/* plot.c: line, scatter, histogram, bar and heatmap figures as SVG.
 *
 * A ch_plot collects series (copied on the way in), then ch_plot_svg lays out
 * one axes box in matplotlib's default look (its sizes, tab10 colours, 5 %
 * margins, outward ticks, MaxNLocator-style ticks with steps 1, 2, 2.5, 5,
 * legend in the emptiest corner) and writes it with the small writer in
 * svg.c. ch_plot_show publishes it as image/svg+xml (and as an <img> of it in
 * text/html, see display.c) with a text/plain summary.
 * Beware: every check that can fail runs before anything is drawn, and
 * ch_fail does not return: a plot that fails inside ch_plot_show is not freed
 * (the cell's process ends anyway; tests that catch the failure free it).
 * Units: pixels at matplotlib's 100 dpi, so 1 pt = 100/72 px. */
#include "chalk.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "display_priv.h"
#include "internal.h"
#include "svg.h"

#define PT (100.0 / 72.0)
#define FONT "DejaVu Sans, Bitstream Vera Sans, Helvetica, Arial, sans-serif"
#define FS (10 * PT)          /* tick labels, axis labels, legend */
#define FS_TITLE (12 * PT)
#define TICK_LEN (3.5 * PT)
#define TICK_PAD (3.5 * PT)
#define MINOR_LEN (2 * PT)
#define LABEL_PAD (4 * PT)
#define TITLE_PAD (6 * PT)
#define AX_LW (0.8 * PT)
#define LINE_LW (1.5 * PT)
#define MARKER_R (3.5 * PT)   /* scatter s=36 pt^2: a 6 pt disc plus its 1 pt edge */
#define OUT_PAD 10.0          /* bbox_inches="tight" pads 0.1 in */
#define MAX_TICKS 64
#define HM_RECTS 4096        /* larger heatmaps are embedded as a PNG */

enum { K_LINE, K_SCATTER, K_HIST, K_BAR };
static const char *kind_names[] = {"line", "scatter", "hist", "bar"};

static const char *tab10[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                              "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

/* viridis at 33 evenly spaced points, from matplotlib; interpolated linearly. */
static const unsigned char viridis[33][3] = {
    {68, 1, 84}, {71, 13, 96}, {72, 24, 106}, {72, 35, 116}, {71, 45, 123}, {69, 55, 129},
    {66, 64, 134}, {62, 73, 137}, {59, 82, 139}, {55, 91, 141}, {51, 99, 141}, {47, 107, 142},
    {44, 114, 142}, {41, 122, 142}, {38, 130, 142}, {35, 137, 142}, {33, 145, 140},
    {31, 152, 139}, {31, 160, 136}, {34, 167, 133}, {40, 174, 128}, {50, 182, 122},
    {63, 188, 115}, {78, 195, 107}, {94, 201, 98}, {112, 207, 87}, {132, 212, 75},
    {152, 216, 62}, {173, 220, 48}, {194, 223, 35}, {216, 226, 25}, {236, 229, 27},
    {253, 231, 37}};

typedef struct series {
    int kind;
    char *label;          /* NULL: no legend entry */
    double *x, *y;        /* line/scatter: n points; hist: n+1 edges in x, n counts in y;
                             bar: y only, at x = 0..n-1 */
    char **names;         /* bar: n category names */
    size_t n;
    size_t skipped;       /* non-finite points left out */
    int color;
} series;

struct ch_plot {
    char *title, *xlabel, *ylabel;
    series *s;
    size_t ns, cap;
    int logx, logy, grid;
    int has_xlim, has_ylim;
    double xlim[2], ylim[2];
    double width, height;
    double *hm;           /* heatmap: rows x cols copy, row-major */
    size_t rows, cols;
    size_t hm_skipped;
    int ncolor;
};

/* ---- small helpers ---- */

static char *xstrdup(const char *s)
{
    char *d;
    size_t n;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    d = ch__xmalloc(n);
    memcpy(d, s, n);
    return d;
}

static void need_plot(const char *fn, const ch_plot *p)
{
    if (!p)
        ch_fail("ValueError", "%s: the plot is NULL (create it with ch_plot_new)", fn);
}

static const char *label_or(const series *s)
{
    return s->label ? s->label : "(no label)";
}

static series *add_series(const char *fn, ch_plot *p, int kind, const char *label)
{
    series *s;

    need_plot(fn, p);
    if (p->hm)
        ch_fail("ValueError", "%s: this plot already holds a heatmap; a heatmap takes the whole figure", fn);
    if (p->ns == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        series *ns = realloc(p->s, cap * sizeof *ns);
        if (!ns)
            ch_fail("MemoryError", "%s: out of memory", fn);
        p->s = ns;
        p->cap = cap;
    }
    s = &p->s[p->ns++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->label = xstrdup(label);
    s->color = p->ncolor++ % 10;
    return s;
}

/* ---- lifecycle ---- */

ch_plot *ch_plot_new(const char *title, const char *xlabel, const char *ylabel)
{
    ch_plot *p = ch__xcalloc(1, sizeof *p);

    p->title = xstrdup(title && *title ? title : NULL);
    p->xlabel = xstrdup(xlabel && *xlabel ? xlabel : NULL);
    p->ylabel = xstrdup(ylabel && *ylabel ? ylabel : NULL);
    p->width = 640;
    p->height = 480;
    return p;
}

void ch_plot_destroy(ch_plot **pp)
{
    ch_plot *p;
    size_t i, j;

    if (!pp || !*pp)
        return;
    p = *pp;
    for (i = 0; i < p->ns; i++) {
        free(p->s[i].label);
        free(p->s[i].x);
        free(p->s[i].y);
        if (p->s[i].names)
            for (j = 0; j < p->s[i].n; j++)
                free(p->s[i].names[j]);
        free(p->s[i].names);
    }
    free(p->s);
    free(p->hm);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p);
    *pp = NULL;
}

/* ---- series ---- */

/* Data come either as a plain array or as a gsl vector (any stride); the
 * pair is read through at() so nothing is copied before the checks pass and
 * a failing check leaks nothing. */
typedef struct dsrc {
    const double *a;
    const gsl_vector *v;
} dsrc;

static double at(dsrc d, size_t i)
{
    return d.v ? gsl_vector_get(d.v, i) : d.a[i];
}

static int present(dsrc d)
{
    return d.a != NULL || d.v != NULL;
}

static void add_xy(const char *fn, ch_plot *p, int kind, dsrc x, dsrc y, size_t n, const char *label)
{
    series *s;
    size_t i, finite = 0;

    need_plot(fn, p);
    if (n > 0 && !present(y))
        ch_fail("ValueError", "%s: y is NULL", fn);
    for (i = 0; i < n; i++)
        if (isfinite(at(y, i)) && (!present(x) || isfinite(at(x, i))))
            finite++;
    if (n > 0 && finite == 0)
        ch_fail("ValueError", "%s: series '%s' has no finite point (all %zu are NaN or Inf)", fn,
                label ? label : "(no label)", n);
    s = add_series(fn, p, kind, label);
    s->n = n;
    s->skipped = n - finite;
    if (n == 0)
        return;
    s->x = ch__xmalloc(n * sizeof *s->x);
    s->y = ch__xmalloc(n * sizeof *s->y);
    for (i = 0; i < n; i++) {
        s->x[i] = present(x) ? at(x, i) : (double)i;
        s->y[i] = at(y, i);
    }
}

static void add_xy_vec(const char *fn, ch_plot *p, int kind, const gsl_vector *xv,
                       const gsl_vector *yv, const char *label)
{
    dsrc x = {NULL, xv}, y = {NULL, yv};

    need_plot(fn, p);
    if (!yv)
        ch_fail("ValueError", "%s: y is NULL", fn);
    if (xv && xv->size != yv->size)
        ch_fail("ValueError", "%s: x has %zu values but y has %zu", fn, xv->size, yv->size);
    add_xy(fn, p, kind, x, y, yv->size, label);
}

void ch_plot_line(ch_plot *p, const double *x, const double *y, size_t n, const char *label)
{
    dsrc xs = {x, NULL}, ys = {y, NULL};

    add_xy("ch_plot_line", p, K_LINE, xs, ys, n, label);
}

void ch_plot_line_vec(ch_plot *p, const gsl_vector *x, const gsl_vector *y, const char *label)
{
    add_xy_vec("ch_plot_line_vec", p, K_LINE, x, y, label);
}

void ch_plot_scatter(ch_plot *p, const double *x, const double *y, size_t n, const char *label)
{
    dsrc xs = {x, NULL}, ys = {y, NULL};

    add_xy("ch_plot_scatter", p, K_SCATTER, xs, ys, n, label);
}

void ch_plot_scatter_vec(ch_plot *p, const gsl_vector *x, const gsl_vector *y, const char *label)
{
    add_xy_vec("ch_plot_scatter_vec", p, K_SCATTER, x, y, label);
}

static void add_hist(const char *fn, ch_plot *p, dsrc x, size_t n, int bins,
                     const char *label)
{
    series *s;
    double lo = INFINITY, hi = -INFINITY, w;
    size_t i, finite = 0;
    int b;

    need_plot(fn, p);
    if (!present(x))
        ch_fail("ValueError", "%s: x is NULL", fn);
    if (bins <= 0)
        bins = 10;
    if (bins > 100000)
        ch_fail("ValueError", "%s: %d bins is too many (at most 100000)", fn, bins);
    for (i = 0; i < n; i++)
        if (isfinite(at(x, i))) {
            finite++;
            lo = at(x, i) < lo ? at(x, i) : lo;
            hi = at(x, i) > hi ? at(x, i) : hi;
        }
    if (n == 0)
        ch_fail("ValueError", "%s: no data to histogram (n is 0)", fn);
    if (finite == 0)
        ch_fail("ValueError", "%s: series '%s' has no finite value (all %zu are NaN or Inf)", fn,
                label ? label : "(no label)", n);
    if (lo == hi) {
        /* numpy.histogram's choice for constant data */
        lo -= 0.5;
        hi += 0.5;
    }
    s = add_series(fn, p, K_HIST, label);
    s->n = (size_t)bins;
    s->skipped = n - finite;
    s->x = ch__xmalloc(((size_t)bins + 1) * sizeof *s->x);
    s->y = ch__xcalloc((size_t)bins, sizeof *s->y);
    w = hi / bins - lo / bins;
    for (b = 0; b <= bins; b++)
        s->x[b] = lo + b * w;
    s->x[bins] = hi;
    for (i = 0; i < n; i++) {
        double t, v = at(x, i);
        if (!isfinite(v))
            continue;
        t = (v / 2 - lo / 2) / (hi / 2 - lo / 2) * bins;
        b = (int)t;
        if (b >= bins)
            b = bins - 1; /* the last bin is closed, as numpy's */
        if (b < 0)
            b = 0;
        s->y[b] += 1;
    }
}

void ch_plot_hist(ch_plot *p, const double *x, size_t n, int bins, const char *label)
{
    dsrc xs = {x, NULL};

    add_hist("ch_plot_hist", p, xs, n, bins, label);
}

void ch_plot_hist_vec(ch_plot *p, const gsl_vector *x, int bins, const char *label)
{
    dsrc xs = {NULL, x};

    add_hist("ch_plot_hist_vec", p, xs, x ? x->size : 0, bins, label);
}

void ch_plot_bar(ch_plot *p, const char *const *names, const double *h, size_t n, const char *label)
{
    series *s;
    size_t i, finite = 0;
    char num[32];

    need_plot("ch_plot_bar", p);
    if (n > 0 && !h)
        ch_fail("ValueError", "ch_plot_bar: the heights are NULL");
    if (n == 0)
        ch_fail("ValueError", "ch_plot_bar: no bars (n is 0)");
    for (i = 0; i < n; i++)
        finite += isfinite(h[i]) != 0;
    if (finite == 0)
        ch_fail("ValueError", "ch_plot_bar: series '%s' has no finite height (all %zu are NaN or Inf)",
                label ? label : "(no label)", n);
    for (i = 0; i < p->ns; i++)
        if (p->s[i].kind == K_BAR && p->s[i].n != n)
            ch_fail("ValueError", "ch_plot_bar: %zu bars, but the plot's earlier bar series has %zu",
                    n, p->s[i].n);
    s = add_series("ch_plot_bar", p, K_BAR, label);
    s->n = n;
    s->skipped = n - finite;
    s->y = ch__xmalloc(n * sizeof *s->y);
    memcpy(s->y, h, n * sizeof *s->y);
    s->names = ch__xcalloc(n, sizeof *s->names);
    for (i = 0; i < n; i++) {
        if (names && names[i]) {
            s->names[i] = xstrdup(names[i]);
        } else {
            snprintf(num, sizeof num, "%zu", i);
            s->names[i] = xstrdup(num);
        }
    }
}

/* Not ch__need_mat: NaN cells are allowed here and drawn blank. Returns the
 * number of finite entries. */
static size_t check_matrix(const char *fn, const gsl_matrix *m)
{
    size_t i, j, finite = 0;

    if (!m)
        ch_fail("ValueError", "%s: m is NULL", fn);
    for (i = 0; i < m->size1; i++)
        for (j = 0; j < m->size2; j++)
            finite += isfinite(gsl_matrix_get(m, i, j)) != 0;
    if (finite == 0)
        ch_fail("ValueError", "%s: the %zux%zu matrix has no finite entry (all NaN or Inf)", fn,
                m->size1, m->size2);
    return finite;
}

void ch_plot_heatmap(ch_plot *p, const gsl_matrix *m)
{
    size_t i, j, finite;

    need_plot("ch_plot_heatmap", p);
    finite = check_matrix("ch_plot_heatmap", m);
    if (p->ns > 0 || p->hm)
        ch_fail("ValueError", "ch_plot_heatmap: the plot already holds data; a heatmap takes the whole figure");
    p->hm = ch__xmalloc(m->size1 * m->size2 * sizeof *p->hm);
    for (i = 0; i < m->size1; i++)
        for (j = 0; j < m->size2; j++)
            p->hm[i * m->size2 + j] = gsl_matrix_get(m, i, j);
    p->rows = m->size1;
    p->cols = m->size2;
    p->hm_skipped = m->size1 * m->size2 - finite;
}

/* ---- options ---- */

void ch_plot_logx(ch_plot *p, int on)
{
    need_plot("ch_plot_logx", p);
    p->logx = on != 0;
}

void ch_plot_logy(ch_plot *p, int on)
{
    need_plot("ch_plot_logy", p);
    p->logy = on != 0;
}

void ch_plot_grid(ch_plot *p, int on)
{
    need_plot("ch_plot_grid", p);
    p->grid = on != 0;
}

static void set_lim(const char *fn, int *has, double *lim, double lo, double hi)
{
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        ch_fail("ValueError", "%s: limits must be finite with lo < hi (got %g, %g)", fn, lo, hi);
    *has = 1;
    lim[0] = lo;
    lim[1] = hi;
}

void ch_plot_xlim(ch_plot *p, double lo, double hi)
{
    need_plot("ch_plot_xlim", p);
    set_lim("ch_plot_xlim", &p->has_xlim, p->xlim, lo, hi);
}

void ch_plot_ylim(ch_plot *p, double lo, double hi)
{
    need_plot("ch_plot_ylim", p);
    set_lim("ch_plot_ylim", &p->has_ylim, p->ylim, lo, hi);
}

void ch_plot_size(ch_plot *p, int width, int height)
{
    need_plot("ch_plot_size", p);
    if (width < 200 || height < 150 || width > 4000 || height > 4000)
        ch_fail("ValueError", "ch_plot_size: %dx%d is out of range (200x150 to 4000x4000 pixels)",
                width, height);
    p->width = width;
    p->height = height;
}

/* ---- axes: limits, transforms, ticks ---- */

typedef struct axis {
    double lo, hi;        /* view limits, data units, lo < hi */
    int log;
    int integer;          /* heatmap indices: integer steps only */
    int inverted;         /* heatmap rows grow downwards */
    double p0, p1;        /* pixel positions of lo and hi */
    size_t nt, nminor;
    double t[MAX_TICKS];
    char lab[MAX_TICKS][96];
    int rotate;           /* category labels too wide to stand upright */
    double minor[4 * MAX_TICKS];
    char mult[32];        /* "×$10^{6}$" when labels are scaled, else "" */
} axis;

static double tf(const axis *a, double v)
{
    return a->log ? log10(v) : v;
}

/* Halves everywhere so that a range of -1e308..1e308 does not overflow. */
static double map(const axis *a, double v)
{
    double u;

    if (a->log && !(v > 0))
        return a->p0 + (a->p0 > a->p1 ? 1e4 : -1e4); /* beyond the low end */
    u = (tf(a, v) / 2 - tf(a, a->lo) / 2) / (tf(a, a->hi) / 2 - tf(a, a->lo) / 2);
    u = a->p0 + u * (a->p1 - a->p0);
    if (u < -1e5)
        u = -1e5;
    if (u > 1e5)
        u = 1e5;
    return u;
}

static int in_view(const axis *a, double v)
{
    double span = tf(a, a->hi) / 2 - tf(a, a->lo) / 2;
    double eps = span * 1e-9;

    if (a->log && !(v > 0))
        return 0;
    return tf(a, v) / 2 >= tf(a, a->lo) / 2 - eps && tf(a, v) / 2 <= tf(a, a->hi) / 2 + eps;
}

/* Copies a tick label, ASCII '-' replaced by U+2212 (matplotlib's axes.unicode_minus). */
static void put_label(char *dst, size_t cap, const char *src)
{
    size_t o = 0;

    for (; *src && o + 4 < cap; src++) {
        if (*src == '-') {
            memcpy(dst + o, "\xe2\x88\x92", 3);
            o += 3;
        } else {
            dst[o++] = *src;
        }
    }
    dst[o] = '\0';
}

/* MaxNLocator's choice: the smallest step m * 10^e >= range / nbins, m in
 * {1, 2, 2.5, 5, 10}, that leaves at least two ticks in view. */
static void ticks_linear(axis *a, int nbins, double lo, double hi)
{
    static const double steps[] = {1, 2, 2.5, 5, 10};
    static const double isteps[] = {1, 2, 5, 10};
    const double *st = a->integer ? isteps : steps;
    size_t nst = a->integer ? 4 : 5, i;
    double raw = (hi / 2 - lo / 2) / nbins * 2;
    int e = (int)floor(log10(raw)), dec, oom;
    double m = 1, step = 1, k0 = 0, k1 = -1, scale, maxabs = 0;
    char buf[64];
    int found = 0, single = 0;
    double m1 = 0, step1 = 0, k01 = 0;
    int e1 = 0;

    for (; !found; e++) {
        for (i = 0; i < nst; i++) {
            m = st[i];
            step = m * pow(10, e);
            if (a->integer && step < 1)
                continue;
            if (step < raw * (1 - 1e-9))
                continue;
            k0 = ceil(lo / step - 1e-9);
            k1 = floor(hi / step + 1e-9);
            if (k1 - k0 + 1 >= 2 || (nbins == 1 && k1 >= k0)) {
                found = 1;
                break;
            }
            if (k1 >= k0 && !single) {
                /* remember the first step with one tick in view: the answer
                 * for an axis that holds a single integer (a 1-row heatmap) */
                single = 1;
                m1 = m;
                step1 = step;
                k01 = k0;
                e1 = e;
            }
        }
        if (e > 400 || (single && e > e1 + 1))
            break;
    }
    if (!found && single) {
        found = 1;
        m = m1;
        step = step1;
        k0 = k1 = k01;
        e = e1 + 1;
    }
    e--;
    if (m == 10) {
        m = 1;
        e++;
    }
    if (!found || k1 - k0 + 1 > MAX_TICKS) {
        a->nt = 0;
        return;
    }
    a->nt = 0;
    for (; k0 <= k1 && a->nt < MAX_TICKS; k0++) {
        double v = k0 * step;
        if (fabs(v) < step * 1e-9)
            v = 0;
        a->t[a->nt++] = v;
        maxabs = fabs(v) > maxabs ? fabs(v) : maxabs;
    }
    /* scientific multiplier as matplotlib's ScalarFormatter (power limits -5, 6) */
    oom = maxabs > 0 ? (int)floor(log10(maxabs) + 1e-9) : 0;
    if (oom >= 6 || oom <= -5) {
        snprintf(buf, sizeof buf, "\xc3\x97$10^{%d}$", oom);
        put_label(a->mult, sizeof a->mult, buf);
    } else {
        oom = 0;
        a->mult[0] = '\0';
    }
    scale = pow(10, oom);
    dec = m == 2.5 ? 1 - (e - oom) : -(e - oom);
    if (dec < 0)
        dec = 0;
    if (dec > 20)
        dec = 20;
    for (i = 0; i < a->nt; i++) {
        snprintf(buf, sizeof buf, "%.*f", dec, a->t[i] / scale);
        if (strspn(buf, "-0.") == strlen(buf))
            snprintf(buf, sizeof buf, "%.*f", dec, 0.0);
        put_label(a->lab[i], sizeof a->lab[i], buf);
    }
}

/* LogLocator: decades (every stride-th when there are many) labelled 10^k,
 * minor ticks at 2..9; views narrower than two decades label 2x, 5x too. */
static void ticks_log(axis *a, int nbins)
{
    double tlo = log10(a->lo), thi = log10(a->hi);
    int d0 = (int)ceil(tlo - 1e-9), d1 = (int)floor(thi + 1e-9), d, k, stride = 1;
    int numdec = d1 - d0 + 1;
    char buf[64];

    a->nt = a->nminor = 0;
    a->mult[0] = '\0';
    while (numdec > 0 && numdec / stride > nbins)
        stride++;
    for (d = d0; d <= d1 && a->nt < MAX_TICKS; d++) {
        if (((d % stride) + stride) % stride == 0) {
            a->t[a->nt] = pow(10, d);
            snprintf(buf, sizeof buf, "$10^{%d}$", d);
            put_label(a->lab[a->nt], sizeof a->lab[a->nt], buf);
            a->nt++;
        } else if (a->nminor < 4 * MAX_TICKS) {
            a->minor[a->nminor++] = pow(10, d);
        }
    }
    if (stride == 1) {
        int few = a->nt < 2;
        for (d = (int)floor(tlo); d <= (int)floor(thi); d++)
            for (k = 2; k <= 9; k++) {
                double v = k * pow(10, d);
                if (!in_view(a, v))
                    continue;
                if (few && (thi - tlo <= 1 || k == 2 || k == 5) && a->nt < MAX_TICKS) {
                    a->t[a->nt] = v;
                    snprintf(buf, sizeof buf, "$%d\\times10^{%d}$", k, d);
                    put_label(a->lab[a->nt], sizeof a->lab[a->nt], buf);
                    a->nt++;
                } else if (a->nminor < 4 * MAX_TICKS) {
                    a->minor[a->nminor++] = v;
                }
            }
    }
    if (a->nt < 2) {
        /* narrower than a factor of two or so: plain numbers on the log scale */
        a->nminor = 0;
        ticks_linear(a, nbins, a->lo, a->hi);
    }
}

static double max_label_width(const axis *a)
{
    double w = 0, x;
    size_t i;

    for (i = 0; i < a->nt; i++) {
        x = ch__svg_text_width(a->lab[i], FS);
        w = x > w ? x : w;
    }
    return w;
}

/* Ticks for an axis of `len` pixels; x axes get fewer (labels are wide). */
static void make_ticks(axis *a, double len, int is_x)
{
    int nbins = (int)floor(len / (FS * (is_x ? 3 : 2)));
    double total;
    size_t i;

    if (nbins > 9)
        nbins = 9;
    if (nbins < 1)
        nbins = 1;
    for (; nbins >= 1; nbins--) {
        if (a->log)
            ticks_log(a, nbins);
        else
            ticks_linear(a, nbins, a->lo, a->hi);
        if (!is_x)
            break;
        /* long labels (1000000.5) must not run into each other */
        for (total = 0, i = 0; i < a->nt; i++)
            total += ch__svg_text_width(a->lab[i], FS) + FS;
        if (total < len * 1.05)
            break;
    }
}

/* Data limits of one direction over all series; sticky edges (bars and
 * histograms stand on 0) stop the 5 % margin from crossing them. */
static int data_limits(const char *fn, const ch_plot *p, int dir, double *lo, double *hi,
                       int *stick_lo, int *stick_hi)
{
    int logax = dir ? p->logy : p->logx;
    size_t i, j;
    int any = 0;

    *lo = INFINITY;
    *hi = -INFINITY;
    *stick_lo = *stick_hi = 0;
#define TAKE(v)                                                                                    \
    do {                                                                                           \
        double v_ = (v);                                                                           \
        if (isfinite(v_) && (!logax || v_ > 0)) {                                                  \
            *lo = v_ < *lo ? v_ : *lo;                                                             \
            *hi = v_ > *hi ? v_ : *hi;                                                             \
            any = 1;                                                                               \
        }                                                                                          \
    } while (0)
    for (i = 0; i < p->ns; i++) {
        const series *s = &p->s[i];
        switch (s->kind) {
        case K_LINE:
        case K_SCATTER:
            for (j = 0; j < s->n; j++) {
                double v = dir ? s->y[j] : s->x[j], o = dir ? s->x[j] : s->y[j];
                if (!isfinite(o) || !isfinite(v))
                    continue;
                if (logax && v <= 0)
                    ch_fail("ValueError",
                            "%s: the %s axis is logarithmic but series '%s' has %s = %g at index %zu "
                            "(log axes need values > 0)",
                            fn, dir ? "y" : "x", label_or(s), dir ? "y" : "x", v, j);
                TAKE(v);
            }
            break;
        case K_HIST:
            if (!dir) {
                if (logax && s->x[0] <= 0)
                    ch_fail("ValueError",
                            "%s: the x axis is logarithmic but histogram '%s' has values <= 0 (%g)",
                            fn, label_or(s), s->x[0]);
                TAKE(s->x[0]);
                TAKE(s->x[s->n]);
            } else {
                for (j = 0; j < s->n; j++)
                    TAKE(s->y[j]);
                if (!logax) {
                    TAKE(0.0);
                    *stick_lo = *lo == 0;
                }
            }
            break;
        case K_BAR:
            if (!dir) {
                if (logax)
                    ch_fail("ValueError", "%s: a bar chart cannot have a logarithmic x axis", fn);
                TAKE(-0.4);
                TAKE((double)s->n - 0.6);
            } else {
                for (j = 0; j < s->n; j++) {
                    if (logax && isfinite(s->y[j]) && s->y[j] < 0)
                        ch_fail("ValueError",
                                "%s: the y axis is logarithmic but bar %zu of '%s' is %g < 0", fn,
                                j, label_or(s), s->y[j]);
                    TAKE(s->y[j]);
                }
                if (!logax) {
                    TAKE(0.0);
                    *stick_lo = *lo == 0;
                    *stick_hi = *hi == 0;
                }
            }
            break;
        }
    }
#undef TAKE
    return any;
}

static void autoscale(const char *fn, const ch_plot *p, axis *a, int dir)
{
    double lo, hi, tlo, thi, span, m;
    int sl, sh, has = dir ? p->has_ylim : p->has_xlim;
    const double *lim = dir ? p->ylim : p->xlim;

    a->log = dir ? p->logy : p->logx;
    if (has && a->log && lim[0] <= 0)
        ch_fail("ValueError", "%s: the %s axis is logarithmic but its limits start at %g (need > 0)",
                fn, dir ? "y" : "x", lim[0]);
    if (!data_limits(fn, p, dir, &lo, &hi, &sl, &sh)) {
        lo = a->log ? 1 : 0; /* no data at all: an empty unit box, as matplotlib */
        hi = a->log ? 10 : 1;
        sl = sh = 1;
    }
    if (has) {
        a->lo = lim[0];
        a->hi = lim[1];
        return;
    }
    tlo = tf(a, lo);
    thi = tf(a, hi);
    if (thi / 2 - tlo / 2 <= 1e-12 * (fabs(tlo) + fabs(thi)) / 2) {
        /* constant data: widen as matplotlib's nonsingular(expander=0.05) */
        if (a->log) {
            tlo -= 1;
            thi += 1;
        } else if (tlo == 0) {
            tlo = -0.05;
            thi = 0.05;
        } else {
            tlo -= 0.05 * fabs(tlo);
            thi += 0.05 * fabs(thi);
        }
        sl = sh = 0;
    }
    span = thi / 2 - tlo / 2; /* half the span */
    m = 0.1 * span;
    if (!sl)
        tlo = tlo - m;
    if (!sh)
        thi = thi + m;
    if (a->log) {
        a->lo = pow(10, tlo);
        a->hi = pow(10, thi);
    } else {
        a->lo = isfinite(tlo) ? tlo : -DBL_MAX;
        a->hi = isfinite(thi) ? thi : DBL_MAX;
    }
}

/* ---- legend ---- */

typedef struct legend {
    size_t n;
    double w, h, row;
} legend;

static void legend_size(const ch_plot *p, legend *L)
{
    size_t i;
    double tw = 0, w;

    L->n = 0;
    for (i = 0; i < p->ns; i++)
        if (p->s[i].label) {
            L->n++;
            w = ch__svg_text_width(p->s[i].label, FS);
            tw = w > tw ? w : tw;
        }
    L->row = 0.97 * FS;
    L->w = 2 * 0.4 * FS + 2.0 * FS + 0.8 * FS + tw;
    L->h = 2 * 0.4 * FS + L->n * L->row + (L->n ? L->n - 1 : 0) * 0.5 * FS;
}

static int seg_hits_box(double x0, double y0, double x1, double y1, const double b[4])
{
    /* Liang-Barsky clip of the segment against [b0,b2] x [b1,b3] */
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    double pp[4] = {-dx, dx, -dy, dy}, qq[4] = {x0 - b[0], b[2] - x0, y0 - b[1], b[3] - y0};
    int i;

    for (i = 0; i < 4; i++) {
        if (pp[i] == 0) {
            if (qq[i] < 0)
                return 0;
        } else {
            double r = qq[i] / pp[i];
            if (pp[i] < 0) {
                if (r > t1)
                    return 0;
                if (r > t0)
                    t0 = r;
            } else {
                if (r < t0)
                    return 0;
                if (r < t1)
                    t1 = r;
            }
        }
    }
    return 1;
}

/* matplotlib's loc="best": the first of its ten candidate places that
 * covers the fewest data points, line segments and bars. */
static void legend_place(const ch_plot *p, const legend *L, const axis *ax, const axis *ay,
                         double X0, double Y0, double aw, double ah, double *lx, double *ly)
{
    /* fractions of the free space: upper right, upper left, lower left,
     * lower right, right, center left, center right, lower center, upper
     * center, center */
    static const double fx[10] = {1, 0, 0, 1, 1, 0, 1, 0.5, 0.5, 0.5};
    static const double fy[10] = {0, 0, 1, 1, 0.5, 0.5, 0.5, 1, 0, 0.5};
    double pad = 0.5 * FS, best = -1, b[4];
    size_t i, j, k, nb = 0, bi = 0;

    for (i = 0; i < p->ns; i++)
        nb += p->s[i].kind == K_BAR;
    for (k = 0; k < 10; k++) {
        double bad = 0;
        double x = X0 + pad + fx[k] * (aw - 2 * pad - L->w);
        double y = Y0 + pad + fy[k] * (ah - 2 * pad - L->h);
        b[0] = x;
        b[1] = y;
        b[2] = x + L->w;
        b[3] = y + L->h;
        for (i = 0; i < p->ns; i++) {
            const series *s = &p->s[i];
            double px = 0, py = 0;
            int have = 0;
            for (j = 0; j < s->n; j++) {
                double qx, qy, q0;
                if (s->kind == K_HIST || s->kind == K_BAR) {
                    double xl, xr, hb = s->y[j];
                    if (!isfinite(hb) || hb == 0)
                        continue;
                    if (s->kind == K_HIST) {
                        xl = map(ax, s->x[j]);
                        xr = map(ax, s->x[j + 1]);
                    } else {
                        xl = map(ax, (double)j - 0.4);
                        xr = map(ax, (double)j + 0.4);
                    }
                    qy = map(ay, hb);
                    q0 = ay->log ? Y0 + ah : map(ay, 0);
                    if (xr > b[0] && xl < b[2] && (qy < q0 ? qy : q0) < b[3] &&
                        (qy > q0 ? qy : q0) > b[1])
                        bad += 1;
                    continue;
                }
                if (!isfinite(s->x[j]) || !isfinite(s->y[j])) {
                    have = 0;
                    continue;
                }
                qx = map(ax, s->x[j]);
                qy = map(ay, s->y[j]);
                if (qx >= b[0] && qx <= b[2] && qy >= b[1] && qy <= b[3])
                    bad += 1;
                if (s->kind == K_LINE && have && seg_hits_box(px, py, qx, qy, b))
                    bad += 1;
                px = qx;
                py = qy;
                have = 1;
            }
        }
        (void)nb;
        if (best < 0 || bad < best) {
            best = bad;
            bi = k;
            *lx = x;
            *ly = y;
        }
    }
    (void)bi;
}

static void draw_legend(ch__svg *g, const ch_plot *p, const legend *L, double x, double y)
{
    size_t i;
    double cy = y + 0.4 * FS + L->row / 2, hx = x + 0.4 * FS, hl = 2.0 * FS;
    int nhist = 0;

    for (i = 0; i < p->ns; i++)
        nhist += p->s[i].kind == K_HIST;
    ch__svg_printf(g, "<g class=\"legend\">\n");
    ch__svg_printf(g,
                   "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" rx=\"%.2f\" "
                   "fill=\"#ffffff\" fill-opacity=\"0.8\" stroke=\"#cccccc\" stroke-width=\"%.2f\"/>\n",
                   x, y, L->w, L->h, 0.2 * FS, 1.0 * PT);
    for (i = 0; i < p->ns; i++) {
        const series *s = &p->s[i];
        const char *c = tab10[s->color];
        if (!s->label)
            continue;
        ch__svg_printf(g, "<g class=\"legend-entry\">\n");
        switch (s->kind) {
        case K_LINE:
            ch__svg_printf(g, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                              "stroke-width=\"%.2f\" stroke-linecap=\"square\"/>\n",
                           hx, cy, hx + hl, cy, c, LINE_LW);
            break;
        case K_SCATTER:
            ch__svg_circle(g, hx + hl / 2, cy, MARKER_R, c);
            break;
        default:
            ch__svg_printf(g, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"%s/>\n",
                           hx, cy - 0.35 * FS, hl, 0.7 * FS, c,
                           s->kind == K_HIST && nhist > 1 ? " fill-opacity=\"0.7\"" : "");
        }
        ch__svg_text(g, hx + hl + 0.8 * FS, cy, s->label, FS, CH__SVG_START, CH__SVG_CENTRAL, 0,
                     NULL, NULL);
        ch__svg_printf(g, "</g>\n");
        cy += L->row + 0.5 * FS;
    }
    ch__svg_printf(g, "</g>\n");
}

/* ---- colours ---- */

static void viridis_hex(double t, char out[8])
{
    double f;
    int i, c[3], k;

    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    f = t * 32;
    i = (int)f;
    if (i >= 32)
        i = 31;
    f -= i;
    for (k = 0; k < 3; k++)
        c[k] = (int)lround(viridis[i][k] + f * (viridis[i + 1][k] - viridis[i][k]));
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* ---- a minimal PNG encoder for large heatmaps ---- */

/* Large matrices go into the SVG as one embedded PNG with a pixel per cell
 * (scaled up by the browser without smoothing), not as a rect per cell: a
 * 256 x 256 matrix is 260 kB instead of 6 MB.  Deflate "stored" blocks keep
 * the encoder short and dependency-free; the data are small anyway. */

static unsigned long crc_table[256];

static unsigned long crc32_update(unsigned long c, const unsigned char *b, size_t n)
{
    size_t i;

    if (!crc_table[1]) {
        unsigned long k, v;
        int j;
        for (k = 0; k < 256; k++) {
            v = k;
            for (j = 0; j < 8; j++)
                v = v & 1 ? 0xedb88320UL ^ (v >> 1) : v >> 1;
            crc_table[k] = v;
        }
    }
    c ^= 0xffffffffUL;
    for (i = 0; i < n; i++)
        c = crc_table[(c ^ b[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffUL;
}

static unsigned char *put32(unsigned char *o, unsigned long v)
{
    o[0] = (unsigned char)(v >> 24);
    o[1] = (unsigned char)(v >> 16);
    o[2] = (unsigned char)(v >> 8);
    o[3] = (unsigned char)v;
    return o + 4;
}

static unsigned char *chunk(unsigned char *o, const char *type, const unsigned char *d, size_t n)
{
    unsigned char *start;

    o = put32(o, (unsigned long)n);
    start = o;
    memcpy(o, type, 4);
    if (n)
        memcpy(o + 4, d, n);
    o += 4 + n;
    return put32(o, crc32_update(0, start, n + 4));
}

/* RGBA image of the matrix (NaN transparent), as a new PNG of *len bytes. */
static unsigned char *heatmap_png(const ch_plot *p, double vmin, double vmax, size_t *len)
{
    size_t w = p->cols, h = p->rows, row = 1 + 4 * w, raw_n = row * h, i, j, nblk;
    size_t zn, total;
    unsigned char *raw, *z, *o, *png, ihdr[13];
    unsigned long a = 1, b = 0;
    double span = vmax / 2 - vmin / 2;

    raw = ch__xmalloc(raw_n);
    for (i = 0; i < h; i++) {
        unsigned char *r = raw + i * row;
        r[0] = 0; /* filter: none */
        for (j = 0; j < w; j++) {
            double v = p->hm[i * w + j], f, t;
            int k, c;
            unsigned char *px = r + 1 + 4 * j;
            if (!isfinite(v)) {
                memset(px, 0, 4);
                continue;
            }
            t = (v / 2 - vmin / 2) / span;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            f = t * 32;
            c = (int)f > 31 ? 31 : (int)f;
            f -= c;
            for (k = 0; k < 3; k++)
                px[k] = (unsigned char)lround(viridis[c][k] + f * (viridis[c + 1][k] - viridis[c][k]));
            px[3] = 255;
        }
    }
    nblk = (raw_n + 65534) / 65535;
    zn = 2 + raw_n + 5 * (nblk ? nblk : 1) + 4;
    z = ch__xmalloc(zn);
    o = z;
    *o++ = 0x78;
    *o++ = 0x01;
    for (i = 0; i < raw_n || i == 0; i += 65535) {
        size_t n = raw_n - i < 65535 ? raw_n - i : 65535;
        *o++ = i + n >= raw_n ? 1 : 0;
        *o++ = (unsigned char)(n & 0xff);
        *o++ = (unsigned char)(n >> 8);
        *o++ = (unsigned char)(~n & 0xff);
        *o++ = (unsigned char)((~n >> 8) & 0xff);
        memcpy(o, raw + i, n);
        o += n;
        if (raw_n == 0)
            break;
    }
    for (i = 0; i < raw_n; i++) {
        a = (a + raw[i]) % 65521;
        b = (b + a) % 65521;
    }
    o = put32(o, (b << 16) | a);
    zn = (size_t)(o - z);
    free(raw);

    put32(ihdr, (unsigned long)w);
    put32(ihdr + 4, (unsigned long)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 6;  /* RGBA */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    total = 8 + (12 + 13) + (12 + zn) + 12;
    png = ch__xmalloc(total);
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    o = chunk(png + 8, "IHDR", ihdr, 13);
    o = chunk(o, "IDAT", z, zn);
    o = chunk(o, "IEND", NULL, 0);
    free(z);
    *len = (size_t)(o - png);
    return png;
}

/* ---- the figure ---- */

static unsigned long uniq(void)
{
    static unsigned long counter;
    struct timespec ts;

    /* ids must differ between figures on one notebook page (clip paths are
     * looked up document-wide), also across cells, which run in fresh forks */
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((unsigned long)ts.tv_nsec ^ ((unsigned long)ts.tv_sec << 20)) * 31u + ++counter;
}

static void draw_xticks(ch__svg *g, const axis *ax, double ybase, int grid, double ytop)
{
    size_t i;

    for (i = 0; i < ax->nt; i++) {
        double x = map(ax, ax->t[i]);
        if (!in_view(ax, ax->t[i]))
            continue;
        if (grid)
            ch__svg_line(g, x, ytop, x, ybase, "#b0b0b0", AX_LW);
    }
}

static void draw_yticks_grid(ch__svg *g, const axis *ay, double xl, double xr)
{
    size_t i;

    for (i = 0; i < ay->nt; i++) {
        double y = map(ay, ay->t[i]);
        if (!in_view(ay, ay->t[i]))
            continue;
        ch__svg_line(g, xl, y, xr, y, "#b0b0b0", AX_LW);
    }
}

static void draw_tick_marks(ch__svg *g, const axis *a, int is_x, double edge, int right)
{
    size_t i;
    double len, w;
    const double *v;
    size_t n;
    int pass;

    ch__svg_printf(g, "<g class=\"%sticks\" stroke=\"#000000\">\n", is_x ? "x" : "y");
    for (pass = 0; pass < 2; pass++) {
        v = pass ? a->minor : a->t;
        n = pass ? a->nminor : a->nt;
        len = pass ? MINOR_LEN : TICK_LEN;
        w = pass ? 0.6 * PT : AX_LW;
        for (i = 0; i < n; i++) {
            double q;
            if (!in_view(a, v[i]))
                continue;
            q = map(a, v[i]);
            if (is_x)
                ch__svg_printf(g, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke-width=\"%.2f\"/>\n",
                               q, edge, q, edge + len, w);
            else
                ch__svg_printf(g, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke-width=\"%.2f\"/>\n",
                               edge, q, right ? edge + len : edge - len, q, w);
        }
    }
    ch__svg_printf(g, "</g>\n");
}

/* A bar chart labels its categories instead of numbering the x axis. */
static void bar_ticks(const ch_plot *p, axis *ax, double aw)
{
    const series *s = NULL;
    size_t i, stride = 1, n;
    double total = 0;

    for (i = 0; i < p->ns && !s; i++)
        if (p->s[i].kind == K_BAR)
            s = &p->s[i];
    if (!s)
        return;
    while ((s->n + stride - 1) / stride > MAX_TICKS)
        stride++;
    ax->nt = ax->nminor = 0;
    ax->mult[0] = '\0';
    for (i = 0; i < s->n; i += stride) {
        n = strlen(s->names[i]);
        ax->t[ax->nt] = (double)i;
        if (n < sizeof ax->lab[0]) {
            memcpy(ax->lab[ax->nt], s->names[i], n + 1);
        } else {
            /* cut at a UTF-8 character boundary and mark the cut */
            n = sizeof ax->lab[0] - 4;
            while (n > 0 && ((unsigned char)s->names[i][n] & 0xC0) == 0x80)
                n--;
            memcpy(ax->lab[ax->nt], s->names[i], n);
            memcpy(ax->lab[ax->nt] + n, "\xe2\x80\xa6", 4);
        }
        total += ch__svg_text_width(ax->lab[ax->nt], FS) + 0.5 * FS;
        ax->nt++;
    }
    ax->rotate = total > aw;
}

/* How far the tallest tick label's scripts rise above plain text. */
static double label_rise(const axis *a)
{
    double up, down, most = 0;
    size_t i;

    for (i = 0; i < a->nt; i++) {
        ch__svg_text_extent(a->lab[i], FS, &up, &down);
        most = up > most ? up : most;
    }
    return most;
}

static int x_sorted(const series *s)
{
    size_t j;
    double last = -INFINITY;

    for (j = 0; j < s->n; j++) {
        if (!isfinite(s->x[j]) || !isfinite(s->y[j]))
            continue;
        if (s->x[j] < last)
            return 0;
        last = s->x[j];
    }
    return 1;
}

/* A line far denser than the pixels (x sorted): per pixel column keep the
 * first, lowest, highest and last point (the M4 rule), which draws the same
 * picture with at most four points a column, so a 10^6-step loss curve stays
 * a small SVG. Gaps (NaN) still break the line. */
static void draw_line_m4(ch__svg *g, const series *s, const axis *ax, const axis *ay)
{
    double col = NAN, px[4], py[4];
    size_t idx[4], j, k, m;
    int have = 0, move = 1;

    for (j = 0; j <= s->n; j++) {
        int gap = j < s->n && (!isfinite(s->x[j]) || !isfinite(s->y[j]));
        double qx = 0, qy = 0, c = NAN;
        if (j < s->n && !gap) {
            qx = map(ax, s->x[j]);
            qy = map(ay, s->y[j]);
            c = floor(qx);
        }
        if (have && (j == s->n || gap || c != col)) {
            /* flush: first, min, max, last in index order, without repeats */
            size_t ord[4] = {0, 1, 2, 3}, last_idx = (size_t)-1;
            if (idx[1] > idx[2]) {
                ord[1] = 2;
                ord[2] = 1;
            }
            for (k = 0; k < 4; k++) {
                m = ord[k];
                if (idx[m] == last_idx)
                    continue;
                ch__svg_path_point(g, move, px[m], py[m]);
                move = 0;
                last_idx = idx[m];
            }
            have = 0;
        }
        if (j == s->n)
            break;
        if (gap) {
            move = 1;
            continue;
        }
        if (!have) {
            col = c;
            for (k = 0; k < 4; k++) {
                px[k] = qx;
                py[k] = qy;
                idx[k] = j;
            }
            have = 1;
            continue;
        }
        if (qy < py[1]) {
            px[1] = qx;
            py[1] = qy;
            idx[1] = j;
        }
        if (qy > py[2]) {
            px[2] = qx;
            py[2] = qy;
            idx[2] = j;
        }
        px[3] = qx;
        py[3] = qy;
        idx[3] = j;
    }
}

static void draw_series(ch__svg *g, const ch_plot *p, const axis *ax, const axis *ay, int patches,
                        double ybottom)
{
    size_t i, j, nbar = 0, ibar = 0;
    int nhist = 0;

    for (i = 0; i < p->ns; i++) {
        nbar += p->s[i].kind == K_BAR;
        nhist += p->s[i].kind == K_HIST;
    }
    for (i = 0; i < p->ns; i++) {
        const series *s = &p->s[i];
        const char *c = tab10[s->color];
        int move = 1;
        if ((s->kind == K_HIST || s->kind == K_BAR) != patches) {
            ibar += s->kind == K_BAR;
            continue;
        }
        switch (s->kind) {
        case K_LINE:
            ch__svg_path_begin(g, "series", c, LINE_LW, NULL);
            if (s->n > 4 * (size_t)fabs(ax->p1 - ax->p0) && x_sorted(s)) {
                draw_line_m4(g, s, ax, ay);
            } else {
                for (j = 0; j < s->n; j++) {
                    if (!isfinite(s->x[j]) || !isfinite(s->y[j])) {
                        move = 1;
                        continue;
                    }
                    ch__svg_path_point(g, move, map(ax, s->x[j]), map(ay, s->y[j]));
                    move = 0;
                }
            }
            ch__svg_printf(g, "\" stroke-linecap=\"square");
            ch__svg_path_end(g);
            break;
        case K_SCATTER:
            ch__svg_printf(g, "<g class=\"series\" fill=\"%s\">\n", c);
            for (j = 0; j < s->n; j++)
                if (isfinite(s->x[j]) && isfinite(s->y[j]))
                    ch__svg_printf(g, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"/>\n",
                                   map(ax, s->x[j]), map(ay, s->y[j]), MARKER_R);
            ch__svg_printf(g, "</g>\n");
            break;
        case K_HIST:
        case K_BAR: {
            double base = ay->log ? ybottom + 2 : map(ay, 0);
            ch__svg_path_begin(g, "series", NULL, 0, c);
            for (j = 0; j < s->n; j++) {
                double xl, xr, yt, h = s->y[j];
                if (!isfinite(h) || (ay->log && h <= 0) || h == 0)
                    continue;
                if (s->kind == K_HIST) {
                    xl = map(ax, s->x[j]);
                    xr = map(ax, s->x[j + 1]);
                } else {
                    double w = 0.8 / (double)nbar, x0 = (double)j - 0.4 + w * (double)ibar;
                    xl = map(ax, x0);
                    xr = map(ax, x0 + w);
                }
                yt = map(ay, h);
                ch__svg_printf(g, "M%.2f %.2fH%.2fV%.2fH%.2fZ", xl, base, xr, yt, xl);
            }
            /* pixel-snapped like matplotlib's bars: no hairline between neighbours */
            ch__svg_printf(g, "\" shape-rendering=\"crispEdges");
            if (s->kind == K_HIST && nhist > 1)
                ch__svg_printf(g, "\" fill-opacity=\"0.7");
            ch__svg_path_end(g);
            ibar += s->kind == K_BAR;
            break;
        }
        }
    }
}

static size_t skipped_total(const ch_plot *p)
{
    size_t i, n = p->hm_skipped;

    for (i = 0; i < p->ns; i++)
        n += p->s[i].skipped;
    return n;
}

static double hm_range(const ch_plot *p, double *vmin, double *vmax)
{
    size_t i;

    *vmin = INFINITY;
    *vmax = -INFINITY;
    for (i = 0; i < p->rows * p->cols; i++)
        if (isfinite(p->hm[i])) {
            *vmin = p->hm[i] < *vmin ? p->hm[i] : *vmin;
            *vmax = p->hm[i] > *vmax ? p->hm[i] : *vmax;
        }
    if (*vmin == *vmax) {
        double d = *vmin == 0 ? 0.5 : 0.05 * fabs(*vmin);
        *vmin -= d;
        *vmax += d;
    }
    return *vmax / 2 - *vmin / 2;
}

static char *render(const char *fn, ch_plot *p)
{
    ch__svg g;
    axis ax, ay, acb;
    legend L;
    double aw = 0.775 * p->width, ah = 0.77 * p->height;
    double left, right, top, bottom, X0, Y0, W, H, xtl_h, vmin = 0, vmax = 1;
    double up, down, ylab_rise = 0;
    double cb_gap = 0, cb_w = 0;
    unsigned long id = uniq();
    size_t i, j;
    int hm = p->hm != NULL;
    char *out;

    memset(&ax, 0, sizeof ax);
    memset(&ay, 0, sizeof ay);
    memset(&acb, 0, sizeof acb);
    if (hm) {
        double cell, maxw = aw - 80;
        hm_range(p, &vmin, &vmax);
        cell = maxw / (double)p->cols;
        if (ah / (double)p->rows < cell)
            cell = ah / (double)p->rows;
        /* square cells as imshow's aspect="equal", but a 1 x 200 matrix must
         * not become a 2-pixel strip: each side keeps at least a third */
        aw = cell * (double)p->cols;
        ah = cell * (double)p->rows;
        if (aw < maxw / 3)
            aw = maxw / 3;
        if (ah < 0.77 * p->height / 3)
            ah = 0.77 * p->height / 3;
        ax.lo = -0.5;
        ax.hi = (double)p->cols - 0.5;
        ay.lo = -0.5;
        ay.hi = (double)p->rows - 0.5;
        ax.integer = ay.integer = 1;
        ay.inverted = 1;
        cb_gap = 0.05 * 0.775 * p->width * 0.6;
        cb_w = ah / 20 > 10 ? ah / 20 : 10;
        acb.lo = vmin;
        acb.hi = vmax;
        make_ticks(&acb, ah, 0);
    } else {
        autoscale(fn, p, &ax, 0);
        autoscale(fn, p, &ay, 1);
    }
    make_ticks(&ax, aw, 1);
    make_ticks(&ay, ah, 0);
    if (!hm)
        bar_ticks(p, &ax, aw);

    /* extents around the axes box, as bbox_inches="tight" would crop them */
    ax.p0 = 0;
    ax.p1 = aw;
    xtl_h = 0.97 * FS + (label_rise(&ax) > 0 ? label_rise(&ax) + 0.06 * FS : 0);
    if (ax.rotate)
        xtl_h = max_label_width(&ax) * 0.7072 + 0.8 * FS;
    left = TICK_LEN + TICK_PAD + max_label_width(&ay) + (p->ylabel ? LABEL_PAD + 0.97 * FS : 0);
    right = 0;
    for (i = 0; i < ax.nt; i++) {
        double q = map(&ax, ax.t[i]), hw = ch__svg_text_width(ax.lab[i], FS) / 2;
        if (!in_view(&ax, ax.t[i]))
            continue;
        if (ax.rotate) {
            /* rotated labels hang down and to the left of their tick */
            if (2 * hw * 0.7072 - q > left)
                left = 2 * hw * 0.7072 - q;
            continue;
        }
        if (q + hw - aw > right)
            right = q + hw - aw;
        if (hw - q > left)
            left = hw - q;
    }
    if (hm)
        right = cb_gap + cb_w + TICK_LEN + TICK_PAD + max_label_width(&acb);
    bottom = TICK_LEN + TICK_PAD + xtl_h;
    if (p->xlabel || ax.mult[0])
        bottom += LABEL_PAD + 0.97 * FS;
    if (p->xlabel) {
        /* scripts: hanging text moves down by their rise, and subscripts hang lower */
        ch__svg_text_extent(p->xlabel, FS, &up, &down);
        bottom += up + down;
    }
    if (p->ylabel) {
        /* the rotated label's superscripts rise towards the tick labels */
        ch__svg_text_extent(p->ylabel, FS, &ylab_rise, &down);
        left += ylab_rise;
    }
    top = 0.5 * FS;
    if (p->title) {
        ch__svg_text_extent(p->title, FS_TITLE, &up, &down);
        top = TITLE_PAD + 0.95 * FS_TITLE + up;
    }
    if (ay.mult[0] || acb.mult[0])
        top = top > 1.5 * FS ? top : 1.5 * FS;
    {
        /* a long title may be wider than the axes */
        double tw = p->title ? ch__svg_text_width(p->title, FS_TITLE) : 0;
        if (tw > aw) {
            if ((tw - aw) / 2 > left)
                left = (tw - aw) / 2;
            if ((tw - aw) / 2 > right)
                right = (tw - aw) / 2;
        }
    }
    X0 = OUT_PAD + left;
    Y0 = OUT_PAD + top;
    W = ceil(X0 + aw + right + OUT_PAD);
    H = ceil(Y0 + ah + bottom + OUT_PAD);
    ax.p0 = X0;
    ax.p1 = X0 + aw;
    if (ay.inverted) {
        ay.p0 = Y0;
        ay.p1 = Y0 + ah;
    } else {
        ay.p0 = Y0 + ah;
        ay.p1 = Y0;
    }

    ch__svg_begin(&g, W, H, FONT);
    ch__svg_printf(&g, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    ch__svg_printf(&g,
                   "<defs><clipPath id=\"chclip%lx\"><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                   "height=\"%.2f\"/></clipPath>",
                   id, X0, Y0, aw, ah);
    if (hm) {
        ch__svg_printf(&g, "<linearGradient id=\"chcb%lx\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">", id);
        for (i = 0; i <= 32; i++)
            ch__svg_printf(&g, "<stop offset=\"%.4f\" stop-color=\"#%02x%02x%02x\"/>", i / 32.0,
                           viridis[i][0], viridis[i][1], viridis[i][2]);
        ch__svg_printf(&g, "</linearGradient>");
    }
    ch__svg_printf(&g, "</defs>\n");

    if (p->title)
        ch__svg_text(&g, X0 + aw / 2, Y0 - TITLE_PAD, p->title, FS_TITLE, CH__SVG_MIDDLE,
                     CH__SVG_BASELINE, 0, "title", NULL);

    ch__svg_printf(&g, "<g clip-path=\"url(#chclip%lx)\">\n", id);
    if (hm) {
        char col[8];
        double span = vmax / 2 - vmin / 2;
        ch__svg_printf(&g, "<g class=\"heatmap\">\n");
        if (p->rows * p->cols > HM_RECTS) {
            size_t n;
            unsigned char *png = heatmap_png(p, vmin, vmax, &n);
            char *b64 = ch__base64(png, n);
            free(png);
            ch__svg_printf(&g, "<image x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                               "preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" "
                               "style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,%s\"/>\n",
                           X0, Y0, aw, ah, b64);
            free(b64);
        } else {
            for (i = 0; i < p->rows; i++)
                for (j = 0; j < p->cols; j++) {
                    double v = p->hm[i * p->cols + j];
                    double x0 = map(&ax, (double)j - 0.5), y0 = map(&ay, (double)i - 0.5);
                    double x1 = map(&ax, (double)j + 0.5), y1 = map(&ay, (double)i + 0.5);
                    if (!isfinite(v))
                        continue;
                    viridis_hex((v / 2 - vmin / 2) / span, col);
                    /* overlap the next cell by a pixel: the pixel where two
                     * cells meet is then fully covered, so no hairline seams
                     * (the last row and column are clipped) */
                    ch__svg_printf(&g, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n",
                                   x0, y0, x1 - x0 + 1, y1 - y0 + 1, col);
                }
        }
        ch__svg_printf(&g, "</g>\n");
    } else {
        draw_series(&g, p, &ax, &ay, 1, Y0 + ah);
        if (p->grid) {
            draw_xticks(&g, &ax, Y0 + ah, 1, Y0);
            draw_yticks_grid(&g, &ay, X0, X0 + aw);
        }
        draw_series(&g, p, &ax, &ay, 0, Y0 + ah);
    }
    ch__svg_printf(&g, "</g>\n");

    /* spines, ticks, labels */
    ch__svg_printf(&g, "<rect class=\"frame\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                       "fill=\"none\" stroke=\"#000000\" stroke-width=\"%.2f\" stroke-linejoin=\"miter\"/>\n",
                   X0, Y0, aw, ah, AX_LW);
    draw_tick_marks(&g, &ax, 1, Y0 + ah, 0);
    draw_tick_marks(&g, &ay, 0, X0, 0);
    for (i = 0; i < ax.nt; i++)
        if (in_view(&ax, ax.t[i])) {
            if (ax.rotate)
                ch__svg_text(&g, map(&ax, ax.t[i]) + 0.3 * FS, Y0 + ah + TICK_LEN + TICK_PAD,
                             ax.lab[i], FS, CH__SVG_END, CH__SVG_HANGING, -45, "xtick", NULL);
            else
                ch__svg_text(&g, map(&ax, ax.t[i]), Y0 + ah + TICK_LEN + TICK_PAD, ax.lab[i], FS,
                             CH__SVG_MIDDLE, CH__SVG_HANGING, 0, "xtick", NULL);
        }
    for (i = 0; i < ay.nt; i++)
        if (in_view(&ay, ay.t[i]))
            ch__svg_text(&g, X0 - TICK_LEN - TICK_PAD, map(&ay, ay.t[i]), ay.lab[i], FS,
                         CH__SVG_END, CH__SVG_CENTRAL, 0, "ytick", NULL);
    if (ax.mult[0])
        ch__svg_text(&g, X0 + aw, Y0 + ah + TICK_LEN + TICK_PAD + xtl_h + LABEL_PAD, ax.mult, FS,
                     CH__SVG_END, CH__SVG_HANGING, 0, "xoffset", NULL);
    if (ay.mult[0])
        ch__svg_text(&g, X0, Y0 - 0.4 * FS, ay.mult, FS, CH__SVG_START, CH__SVG_BASELINE, 0,
                     "yoffset", NULL);
    if (p->xlabel)
        ch__svg_text(&g, X0 + aw / 2, Y0 + ah + TICK_LEN + TICK_PAD + xtl_h + LABEL_PAD,
                     p->xlabel, FS, CH__SVG_MIDDLE, CH__SVG_HANGING, 0, "xlabel", NULL);
    if (p->ylabel) {
        double yx = X0 - TICK_LEN - TICK_PAD - max_label_width(&ay) - LABEL_PAD - 0.21 * FS -
                    ylab_rise;
        ch__svg_text(&g, yx, Y0 + ah / 2, p->ylabel, FS, CH__SVG_MIDDLE, CH__SVG_BASELINE, -90,
                     "ylabel", NULL);
    }

    if (hm) {
        double cx = X0 + aw + cb_gap;
        acb.p0 = Y0 + ah;
        acb.p1 = Y0;
        ch__svg_printf(&g, "<g class=\"colorbar\">\n");
        ch__svg_printf(&g, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"url(#chcb%lx)\"/>\n",
                       cx, Y0, cb_w, ah, id);
        ch__svg_printf(&g, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
                           "stroke=\"#000000\" stroke-width=\"%.2f\" stroke-linejoin=\"miter\"/>\n",
                       cx, Y0, cb_w, ah, AX_LW);
        draw_tick_marks(&g, &acb, 0, cx + cb_w, 1);
        for (i = 0; i < acb.nt; i++)
            if (in_view(&acb, acb.t[i]))
                ch__svg_text(&g, cx + cb_w + TICK_LEN + TICK_PAD, map(&acb, acb.t[i]), acb.lab[i],
                             FS, CH__SVG_START, CH__SVG_CENTRAL, 0, "cbtick", NULL);
        if (acb.mult[0])
            ch__svg_text(&g, cx, Y0 - 0.4 * FS, acb.mult, FS, CH__SVG_START, CH__SVG_BASELINE, 0,
                         "cboffset", NULL);
        ch__svg_printf(&g, "</g>\n");
    } else {
        legend_size(p, &L);
        if (L.n > 0) {
            double lx = 0, ly = 0;
            legend_place(p, &L, &ax, &ay, X0, Y0, aw, ah, &lx, &ly);
            draw_legend(&g, p, &L, lx, ly);
        }
    }
    out = ch__svg_finish(&g);
    if (!out)
        ch_fail("MemoryError", "%s: out of memory writing the SVG", fn);
    return out;
}

/* ---- output ---- */

char *ch_plot_svg(ch_plot *p)
{
    need_plot("ch_plot_svg", p);
    return render("ch_plot_svg", p);
}

char *ch_plot_text(ch_plot *p)
{
    ch__buf b = {0};
    size_t i, n = 0, skipped;

    need_plot("ch_plot_text", p);
    ch__buf_add(&b, "<Figure");
    if (p->title)
        ch__buf_printf(&b, " \"%s\"", p->title);
    ch__buf_add(&b, ": ");
    if (p->hm) {
        double vmin, vmax;
        hm_range(p, &vmin, &vmax);
        ch__buf_printf(&b, "heatmap %zux%zu, values %.4g to %.4g", p->rows, p->cols, vmin, vmax);
    } else {
        ch__buf_printf(&b, "%zu series", p->ns);
        if (p->ns) {
            ch__buf_add(&b, " (");
            for (i = 0; i < p->ns; i++) {
                if (i)
                    ch__buf_add(&b, ", ");
                ch__buf_printf(&b, "%s", kind_names[p->s[i].kind]);
                if (p->s[i].label)
                    ch__buf_printf(&b, " '%s'", p->s[i].label);
                ch__buf_printf(&b, " %zu %s", p->s[i].n,
                               p->s[i].kind == K_HIST ? "bins" : p->s[i].kind == K_BAR ? "bars" : "points");
                n++;
            }
            ch__buf_add(&b, ")");
        }
        if (p->logx || p->logy)
            ch__buf_printf(&b, "; log %s", p->logx && p->logy ? "x and y" : p->logx ? "x" : "y");
    }
    skipped = skipped_total(p);
    if (skipped)
        ch__buf_printf(&b, "; %zu NaN/Inf value%s skipped", skipped, skipped == 1 ? "" : "s");
    ch__buf_add(&b, ">");
    (void)n;
    return ch__buf_take(&b);
}

int ch_plot_save(ch_plot *p, const char *path)
{
    char *svg;
    FILE *f;
    int rc = 0;

    need_plot("ch_plot_save", p);
    ch__need_ptr("ch_plot_save", "path", path);
    svg = render("ch_plot_save", p);
    f = fopen(path, "w");
    if (!f) {
        free(svg);
        return -1;
    }
    if (fputs(svg, f) == EOF)
        rc = -1;
    if (fclose(f) != 0)
        rc = -1;
    free(svg);
    return rc;
}

void ch_plot_show(ch_plot *p)
{
    char *svg, *text;

    need_plot("ch_plot_show", p);
    svg = render("ch_plot_show", p);
    text = ch_plot_text(p);
    ch__display_svg_bundle(svg, text);
    free(svg);
    free(text);
    ch_plot_destroy(&p);
}

void ch_heatmap(const gsl_matrix *m, const char *title)
{
    ch_plot *p;

    check_matrix("ch_heatmap", m);
    p = ch_plot_new(title, NULL, NULL);
    ch_plot_heatmap(p, m);
    ch_plot_show(p);
}
