/* plot_draw.c: a plot's figure: the layout of the axes box and its margins
 * (as bbox_inches="tight" would crop them), the series, grid, spines, ticks,
 * labels, colour bar and legend, written as one SVG document.
 *
 * Large heatmaps (more than HM_RECTS cells) are one embedded PNG (png.c),
 * smaller ones a rect per cell.  Beware: clip-path and gradient ids must
 * differ between figures on one notebook page, also across cells, which run
 * in fresh forks: uniq() mixes the clock into them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "display_priv.h"
#include "plot_priv.h"
#include "png.h"

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
        double x = ch__axis_map(ax, ax->t[i]);
        if (!ch__axis_in_view(ax, ax->t[i]))
            continue;
        if (grid)
            ch__svg_line(g, x, ytop, x, ybase, "#b0b0b0", AX_LW);
    }
}

static void draw_yticks_grid(ch__svg *g, const axis *ay, double xl, double xr)
{
    size_t i;

    for (i = 0; i < ay->nt; i++) {
        double y = ch__axis_map(ay, ay->t[i]);
        if (!ch__axis_in_view(ay, ay->t[i]))
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
            if (!ch__axis_in_view(a, v[i]))
                continue;
            q = ch__axis_map(a, v[i]);
            if (is_x)
                ch__svg_printf(
                    g,
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke-width=\"%.2f\"/>\n",
                    q, edge, q, edge + len, w);
            else
                ch__svg_printf(
                    g,
                    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke-width=\"%.2f\"/>\n",
                    edge, q, right ? edge + len : edge - len, q, w);
        }
    }
    ch__svg_printf(g, "</g>\n");
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
            qx = ch__axis_map(ax, s->x[j]);
            qy = ch__axis_map(ay, s->y[j]);
            c = floor(qx);
        }
        if (have && (j == s->n || gap || c != col)) {
            /* flush: first, min, max, last in index order, without repeats */
            size_t ord[4] = { 0, 1, 2, 3 }, last_idx = (size_t)-1;
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
        const char *c = ch__tab10[s->color];
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
                    ch__svg_path_point(g, move, ch__axis_map(ax, s->x[j]),
                                       ch__axis_map(ay, s->y[j]));
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
                                   ch__axis_map(ax, s->x[j]), ch__axis_map(ay, s->y[j]), MARKER_R);
            ch__svg_printf(g, "</g>\n");
            break;
        case K_HIST:
        case K_BAR: {
            double base = ay->log ? ybottom + 2 : ch__axis_map(ay, 0);
            ch__svg_path_begin(g, "series", NULL, 0, c);
            for (j = 0; j < s->n; j++) {
                double xl, xr, yt, h = s->y[j];
                if (!isfinite(h) || (ay->log && h <= 0) || h == 0)
                    continue;
                if (s->kind == K_HIST) {
                    xl = ch__axis_map(ax, s->x[j]);
                    xr = ch__axis_map(ax, s->x[j + 1]);
                } else {
                    double w = 0.8 / (double)nbar, x0 = (double)j - 0.4 + w * (double)ibar;
                    xl = ch__axis_map(ax, x0);
                    xr = ch__axis_map(ax, x0 + w);
                }
                yt = ch__axis_map(ay, h);
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

/* RGBA image of the matrix (NaN transparent), as a new PNG of *len bytes. */
static unsigned char *heatmap_png(const ch_plot *p, double vmin, double vmax, size_t *len)
{
    size_t w = p->cols, h = p->rows, i;
    unsigned char *px = ch__xmalloc(4 * w * h), *png;
    double span = vmax / 2 - vmin / 2;

    for (i = 0; i < w * h; i++) {
        double v = p->hm[i];
        if (!isfinite(v)) {
            memset(px + 4 * i, 0, 4);
            continue;
        }
        ch__viridis_rgb((v / 2 - vmin / 2) / span, px + 4 * i);
        px[4 * i + 3] = 255;
    }
    png = ch__png_rgba(px, w, h, len);
    free(px);
    return png;
}

double ch__plot_hm_range(const ch_plot *p, double *vmin, double *vmax)
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

char *ch__plot_render(const char *fn, ch_plot *p)
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

    memset(&ax, 0, sizeof ax);
    memset(&ay, 0, sizeof ay);
    memset(&acb, 0, sizeof acb);
    if (hm) {
        double cell, maxw = aw - 80;
        ch__plot_hm_range(p, &vmin, &vmax);
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
        ch__axis_ticks(&acb, ah, 0);
    } else {
        ch__axis_autoscale(fn, p, &ax, 0);
        ch__axis_autoscale(fn, p, &ay, 1);
    }
    ch__axis_ticks(&ax, aw, 1);
    ch__axis_ticks(&ay, ah, 0);
    if (!hm)
        ch__axis_bar_ticks(p, &ax, aw);

    /* extents around the axes box, as bbox_inches="tight" would crop them */
    ax.p0 = 0;
    ax.p1 = aw;
    xtl_h = 0.97 * FS + (ch__axis_label_rise(&ax) > 0 ? ch__axis_label_rise(&ax) + 0.06 * FS : 0);
    if (ax.rotate)
        xtl_h = ch__axis_label_width(&ax) * 0.7072 + 0.8 * FS;
    left = TICK_LEN + TICK_PAD + ch__axis_label_width(&ay) +
           (p->ylabel ? LABEL_PAD + 0.97 * FS : 0);
    right = 0;
    for (i = 0; i < ax.nt; i++) {
        double q = ch__axis_map(&ax, ax.t[i]), hw = ch__svg_text_width(ax.lab[i], FS) / 2;
        if (!ch__axis_in_view(&ax, ax.t[i]))
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
        right = cb_gap + cb_w + TICK_LEN + TICK_PAD + ch__axis_label_width(&acb);
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
        ch__svg_printf(&g, "<linearGradient id=\"chcb%lx\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">",
                       id);
        for (i = 0; i <= 32; i++)
            ch__svg_printf(&g, "<stop offset=\"%.4f\" stop-color=\"#%02x%02x%02x\"/>", i / 32.0,
                           ch__viridis[i][0], ch__viridis[i][1], ch__viridis[i][2]);
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
            ch__svg_printf(
                &g,
                "<image x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                "preserveAspectRatio=\"none\" image-rendering=\"optimizeSpeed\" "
                "style=\"image-rendering:pixelated\" xlink:href=\"data:image/png;base64,%s\"/>\n",
                X0, Y0, aw, ah, b64);
            free(b64);
        } else {
            for (i = 0; i < p->rows; i++)
                for (j = 0; j < p->cols; j++) {
                    double v = p->hm[i * p->cols + j];
                    double x0 = ch__axis_map(&ax, (double)j - 0.5),
                           y0 = ch__axis_map(&ay, (double)i - 0.5);
                    double x1 = ch__axis_map(&ax, (double)j + 0.5),
                           y1 = ch__axis_map(&ay, (double)i + 0.5);
                    if (!isfinite(v))
                        continue;
                    ch__viridis_hex((v / 2 - vmin / 2) / span, col);
                    /* overlap the next cell by a pixel: the pixel where two
                     * cells meet is then fully covered, so no hairline seams
                     * (the last row and column are clipped) */
                    ch__svg_printf(
                        &g,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>\n",
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
    ch__svg_printf(
        &g,
        "<rect class=\"frame\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
        "fill=\"none\" stroke=\"#000000\" stroke-width=\"%.2f\" stroke-linejoin=\"miter\"/>\n",
        X0, Y0, aw, ah, AX_LW);
    draw_tick_marks(&g, &ax, 1, Y0 + ah, 0);
    draw_tick_marks(&g, &ay, 0, X0, 0);
    for (i = 0; i < ax.nt; i++)
        if (ch__axis_in_view(&ax, ax.t[i])) {
            if (ax.rotate)
                ch__svg_text(&g, ch__axis_map(&ax, ax.t[i]) + 0.3 * FS,
                             Y0 + ah + TICK_LEN + TICK_PAD, ax.lab[i], FS, CH__SVG_END,
                             CH__SVG_HANGING, -45, "xtick", NULL);
            else
                ch__svg_text(&g, ch__axis_map(&ax, ax.t[i]), Y0 + ah + TICK_LEN + TICK_PAD,
                             ax.lab[i], FS, CH__SVG_MIDDLE, CH__SVG_HANGING, 0, "xtick", NULL);
        }
    for (i = 0; i < ay.nt; i++)
        if (ch__axis_in_view(&ay, ay.t[i]))
            ch__svg_text(&g, X0 - TICK_LEN - TICK_PAD, ch__axis_map(&ay, ay.t[i]), ay.lab[i], FS,
                         CH__SVG_END, CH__SVG_CENTRAL, 0, "ytick", NULL);
    if (ax.mult[0])
        ch__svg_text(&g, X0 + aw, Y0 + ah + TICK_LEN + TICK_PAD + xtl_h + LABEL_PAD, ax.mult, FS,
                     CH__SVG_END, CH__SVG_HANGING, 0, "xoffset", NULL);
    if (ay.mult[0])
        ch__svg_text(&g, X0, Y0 - 0.4 * FS, ay.mult, FS, CH__SVG_START, CH__SVG_BASELINE, 0,
                     "yoffset", NULL);
    if (p->xlabel)
        ch__svg_text(&g, X0 + aw / 2, Y0 + ah + TICK_LEN + TICK_PAD + xtl_h + LABEL_PAD, p->xlabel,
                     FS, CH__SVG_MIDDLE, CH__SVG_HANGING, 0, "xlabel", NULL);
    if (p->ylabel) {
        double yx = X0 - TICK_LEN - TICK_PAD - ch__axis_label_width(&ay) - LABEL_PAD - 0.21 * FS -
                    ylab_rise;
        ch__svg_text(&g, yx, Y0 + ah / 2, p->ylabel, FS, CH__SVG_MIDDLE, CH__SVG_BASELINE, -90,
                     "ylabel", NULL);
    }

    if (hm) {
        double cx = X0 + aw + cb_gap;
        acb.p0 = Y0 + ah;
        acb.p1 = Y0;
        ch__svg_printf(&g, "<g class=\"colorbar\">\n");
        ch__svg_printf(
            &g,
            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"url(#chcb%lx)\"/>\n",
            cx, Y0, cb_w, ah, id);
        ch__svg_printf(&g,
                       "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" "
                       "stroke=\"#000000\" stroke-width=\"%.2f\" stroke-linejoin=\"miter\"/>\n",
                       cx, Y0, cb_w, ah, AX_LW);
        draw_tick_marks(&g, &acb, 0, cx + cb_w, 1);
        for (i = 0; i < acb.nt; i++)
            if (ch__axis_in_view(&acb, acb.t[i]))
                ch__svg_text(&g, cx + cb_w + TICK_LEN + TICK_PAD, ch__axis_map(&acb, acb.t[i]),
                             acb.lab[i], FS, CH__SVG_START, CH__SVG_CENTRAL, 0, "cbtick", NULL);
        if (acb.mult[0])
            ch__svg_text(&g, cx, Y0 - 0.4 * FS, acb.mult, FS, CH__SVG_START, CH__SVG_BASELINE, 0,
                         "cboffset", NULL);
        ch__svg_printf(&g, "</g>\n");
    } else {
        ch__legend_size(p, &L);
        if (L.n > 0) {
            double lx = 0, ly = 0;
            ch__legend_place(p, &L, &ax, &ay, X0, Y0, aw, ah, &lx, &ly);
            ch__legend_draw(&g, p, &L, lx, ly);
        }
    }
    return ch__svg_finish(&g);
}
