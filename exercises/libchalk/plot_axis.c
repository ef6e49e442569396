/* plot_axis.c: a plot's axes: view limits from the data (5 % margins,
 * sticky edges at 0 for bars and histograms), the data-to-pixel transform
 * (linear or log), and the ticks with their labels (matplotlib's
 * MaxNLocator, LogLocator and ScalarFormatter rules).
 * Beware: ranges as wide as -1e308..1e308 must not overflow, so differences
 * are taken of halves throughout; labels use U+2212 for the minus sign. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_priv.h"

static double tf(const axis *a, double v)
{
    return a->log ? log10(v) : v;
}

/* Halves everywhere so that a range of -1e308..1e308 does not overflow. */
double ch__axis_map(const axis *a, double v)
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

int ch__axis_in_view(const axis *a, double v)
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
    static const double steps[] = { 1, 2, 2.5, 5, 10 };
    static const double isteps[] = { 1, 2, 5, 10 };
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
                if (!ch__axis_in_view(a, v))
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

double ch__axis_label_width(const axis *a)
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
void ch__axis_ticks(axis *a, double len, int is_x)
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
                    ch_fail(
                        "ValueError",
                        "%s: the %s axis is logarithmic but series '%s' has %s = %g at index %zu "
                        "(log axes need values > 0)",
                        fn, dir ? "y" : "x", ch__plot_label(s), dir ? "y" : "x", v, j);
                TAKE(v);
            }
            break;
        case K_HIST:
            if (!dir) {
                if (logax && s->x[0] <= 0)
                    ch_fail("ValueError",
                            "%s: the x axis is logarithmic but histogram '%s' has values <= 0 (%g)",
                            fn, ch__plot_label(s), s->x[0]);
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
                                j, ch__plot_label(s), s->y[j]);
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

void ch__axis_autoscale(const char *fn, const ch_plot *p, axis *a, int dir)
{
    double lo, hi, tlo, thi, span, m;
    int sl, sh, has = dir ? p->has_ylim : p->has_xlim;
    const double *lim = dir ? p->ylim : p->xlim;

    a->log = dir ? p->logy : p->logx;
    if (has && a->log && lim[0] <= 0)
        ch_fail("ValueError",
                "%s: the %s axis is logarithmic but its limits start at %g (need > 0)", fn,
                dir ? "y" : "x", lim[0]);
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

/* A bar chart labels its categories instead of numbering the x axis. */
void ch__axis_bar_ticks(const ch_plot *p, axis *ax, double aw)
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
double ch__axis_label_rise(const axis *a)
{
    double up, down, most = 0;
    size_t i;

    for (i = 0; i < a->nt; i++) {
        ch__svg_text_extent(a->lab[i], FS, &up, &down);
        most = up > most ? up : most;
    }
    return most;
}
