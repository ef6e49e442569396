/* plot.c: line, scatter, histogram, bar and heatmap figures as SVG: the
 * public API of the plot module.
 *
 * A ch_plot collects series (copied on the way in) and options; ch_plot_svg
 * has plot_draw.c lay out one axes box in matplotlib's default look (its
 * sizes, tab10 colours, 5 % margins, outward ticks, MaxNLocator-style ticks
 * with steps 1, 2, 2.5, 5, legend in the emptiest corner) and write it with
 * the small writer in svg.c. ch_plot_show publishes it as image/svg+xml (and
 * as an <img> of it in text/html, see display.c) with a text/plain summary.
 * Beware: every check that can fail runs before anything is drawn, and
 * ch_fail does not return: a plot that fails inside ch_plot_show is not freed
 * (the cell's process ends anyway; tests that catch the failure free it). */
#include "chalk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display_priv.h"
#include "plot_priv.h"

static void need_plot(const char *fn, const ch_plot *p)
{
    if (!p)
        ch_fail("ValueError", "%s: the plot is NULL (create it with ch_plot_new)", fn);
}

static series *add_series(const char *fn, ch_plot *p, int kind, const char *label)
{
    series *s;

    need_plot(fn, p);
    if (p->hm)
        ch_fail("ValueError",
                "%s: this plot already holds a heatmap; a heatmap takes the whole figure", fn);
    if (p->ns == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4;
        p->s = ch__xrealloc(p->s, cap * sizeof *p->s);
        p->cap = cap;
    }
    s = &p->s[p->ns++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->label = ch__xstrdup(label);
    s->color = p->ncolor++ % 10;
    return s;
}

/* ---- lifecycle ---- */

ch_plot *ch_plot_new(const char *title, const char *xlabel, const char *ylabel)
{
    ch_plot *p = ch__xcalloc(1, sizeof *p);

    p->title = ch__xstrdup(title && *title ? title : NULL);
    p->xlabel = ch__xstrdup(xlabel && *xlabel ? xlabel : NULL);
    p->ylabel = ch__xstrdup(ylabel && *ylabel ? ylabel : NULL);
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

static void add_xy(const char *fn, ch_plot *p, int kind, dsrc x, dsrc y, size_t n,
                   const char *label)
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
    dsrc x = { NULL, xv }, y = { NULL, yv };

    need_plot(fn, p);
    if (!yv)
        ch_fail("ValueError", "%s: y is NULL", fn);
    if (xv && xv->size != yv->size)
        ch_fail("ValueError", "%s: x has %zu values but y has %zu", fn, xv->size, yv->size);
    add_xy(fn, p, kind, x, y, yv->size, label);
}

void ch_plot_line(ch_plot *p, const double *x, const double *y, size_t n, const char *label)
{
    dsrc xs = { x, NULL }, ys = { y, NULL };

    add_xy("ch_plot_line", p, K_LINE, xs, ys, n, label);
}

void ch_plot_line_vec(ch_plot *p, const gsl_vector *x, const gsl_vector *y, const char *label)
{
    add_xy_vec("ch_plot_line_vec", p, K_LINE, x, y, label);
}

void ch_plot_scatter(ch_plot *p, const double *x, const double *y, size_t n, const char *label)
{
    dsrc xs = { x, NULL }, ys = { y, NULL };

    add_xy("ch_plot_scatter", p, K_SCATTER, xs, ys, n, label);
}

void ch_plot_scatter_vec(ch_plot *p, const gsl_vector *x, const gsl_vector *y, const char *label)
{
    add_xy_vec("ch_plot_scatter_vec", p, K_SCATTER, x, y, label);
}

static void add_hist(const char *fn, ch_plot *p, dsrc x, size_t n, int bins, const char *label)
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
    dsrc xs = { x, NULL };

    add_hist("ch_plot_hist", p, xs, n, bins, label);
}

void ch_plot_hist_vec(ch_plot *p, const gsl_vector *x, int bins, const char *label)
{
    dsrc xs = { NULL, x };

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
        ch_fail("ValueError",
                "ch_plot_bar: series '%s' has no finite height (all %zu are NaN or Inf)",
                label ? label : "(no label)", n);
    for (i = 0; i < p->ns; i++)
        if (p->s[i].kind == K_BAR && p->s[i].n != n)
            ch_fail("ValueError",
                    "ch_plot_bar: %zu bars, but the plot's earlier bar series has %zu", n,
                    p->s[i].n);
    s = add_series("ch_plot_bar", p, K_BAR, label);
    s->n = n;
    s->skipped = n - finite;
    s->y = ch__xmalloc(n * sizeof *s->y);
    memcpy(s->y, h, n * sizeof *s->y);
    s->names = ch__xcalloc(n, sizeof *s->names);
    for (i = 0; i < n; i++) {
        if (names && names[i]) {
            s->names[i] = ch__xstrdup(names[i]);
        } else {
            snprintf(num, sizeof num, "%zu", i);
            s->names[i] = ch__xstrdup(num);
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
        ch_fail("ValueError",
                "ch_plot_heatmap: the plot already holds data; a heatmap takes the whole figure");
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

static const char *kind_names[] = { "line", "scatter", "hist", "bar" };

static size_t skipped_total(const ch_plot *p)
{
    size_t i, n = p->hm_skipped;

    for (i = 0; i < p->ns; i++)
        n += p->s[i].skipped;
    return n;
}

/* ---- output ---- */

char *ch_plot_svg(ch_plot *p)
{
    need_plot("ch_plot_svg", p);
    return ch__plot_render("ch_plot_svg", p);
}

char *ch_plot_text(ch_plot *p)
{
    ch__buf b = { 0 };
    size_t i, n = 0, skipped;

    need_plot("ch_plot_text", p);
    ch__buf_add(&b, "<Figure");
    if (p->title)
        ch__buf_printf(&b, " \"%s\"", p->title);
    ch__buf_add(&b, ": ");
    if (p->hm) {
        double vmin, vmax;
        ch__plot_hm_range(p, &vmin, &vmax);
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
                               p->s[i].kind == K_HIST  ? "bins"
                               : p->s[i].kind == K_BAR ? "bars"
                                                       : "points");
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
    svg = ch__plot_render("ch_plot_save", p);
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
    svg = ch__plot_render("ch_plot_show", p);
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
