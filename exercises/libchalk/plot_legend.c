/* plot_legend.c: a plot's legend: its size from the labels as drawn, its
 * place (matplotlib's loc="best": of ten candidate places, the first that
 * covers the fewest points, segments and bars), and its SVG. */
#include <math.h>

#include "plot_priv.h"

void ch__legend_size(const ch_plot *p, legend *L)
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
    double pp[4] = { -dx, dx, -dy, dy }, qq[4] = { x0 - b[0], b[2] - x0, y0 - b[1], b[3] - y0 };
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
void ch__legend_place(const ch_plot *p, const legend *L, const axis *ax, const axis *ay, double X0,
                      double Y0, double aw, double ah, double *lx, double *ly)
{
    /* fractions of the free space: upper right, upper left, lower left,
     * lower right, right, center left, center right, lower center, upper
     * center, center */
    static const double fx[10] = { 1, 0, 0, 1, 1, 0, 1, 0.5, 0.5, 0.5 };
    static const double fy[10] = { 0, 0, 1, 1, 0.5, 0.5, 0.5, 1, 0, 0.5 };
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
                        xl = ch__axis_map(ax, s->x[j]);
                        xr = ch__axis_map(ax, s->x[j + 1]);
                    } else {
                        xl = ch__axis_map(ax, (double)j - 0.4);
                        xr = ch__axis_map(ax, (double)j + 0.4);
                    }
                    qy = ch__axis_map(ay, hb);
                    q0 = ay->log ? Y0 + ah : ch__axis_map(ay, 0);
                    if (xr > b[0] && xl < b[2] && (qy < q0 ? qy : q0) < b[3] &&
                        (qy > q0 ? qy : q0) > b[1])
                        bad += 1;
                    continue;
                }
                if (!isfinite(s->x[j]) || !isfinite(s->y[j])) {
                    have = 0;
                    continue;
                }
                qx = ch__axis_map(ax, s->x[j]);
                qy = ch__axis_map(ay, s->y[j]);
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

void ch__legend_draw(ch__svg *g, const ch_plot *p, const legend *L, double x, double y)
{
    size_t i;
    double cy = y + 0.4 * FS + L->row / 2, hx = x + 0.4 * FS, hl = 2.0 * FS;
    int nhist = 0;

    for (i = 0; i < p->ns; i++)
        nhist += p->s[i].kind == K_HIST;
    ch__svg_printf(g, "<g class=\"legend\">\n");
    ch__svg_printf(
        g,
        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" rx=\"%.2f\" "
        "fill=\"#ffffff\" fill-opacity=\"0.8\" stroke=\"#cccccc\" stroke-width=\"%.2f\"/>\n",
        x, y, L->w, L->h, 0.2 * FS, 1.0 * PT);
    for (i = 0; i < p->ns; i++) {
        const series *s = &p->s[i];
        const char *c = ch__tab10[s->color];
        if (!s->label)
            continue;
        ch__svg_printf(g, "<g class=\"legend-entry\">\n");
        switch (s->kind) {
        case K_LINE:
            ch__svg_printf(g,
                           "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                           "stroke-width=\"%.2f\" stroke-linecap=\"square\"/>\n",
                           hx, cy, hx + hl, cy, c, LINE_LW);
            break;
        case K_SCATTER: ch__svg_circle(g, hx + hl / 2, cy, MARKER_R, c); break;
        default:
            ch__svg_printf(
                g, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"%s/>\n",
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
