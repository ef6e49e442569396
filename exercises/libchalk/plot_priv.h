/* plot_priv.h: what the files of the plot module share. Private to libchalk
 * (not installed).
 *
 * plot.c holds the public API (a ch_plot collects series, copied on the way
 * in); plot_draw.c lays the figure out and writes it as SVG, using
 * plot_axis.c (limits, transforms, ticks), plot_legend.c (its size, its
 * place, its drawing) and plot_colour.c (tab10, viridis). Dependencies run
 * one way: plot.c -> plot_draw.c -> the others -> svg.c, png.c.
 * Units: pixels at matplotlib's 100 dpi, so 1 pt = 100/72 px. */
#ifndef CHALK_PLOT_PRIV_H
#define CHALK_PLOT_PRIV_H

#include <stddef.h>

#include "internal.h"
#include "svg.h"

#define PT (100.0 / 72.0)
#define FONT "DejaVu Sans, Bitstream Vera Sans, Helvetica, Arial, sans-serif"
#define FS (10 * PT) /* tick labels, axis labels, legend */
#define FS_TITLE (12 * PT)
#define TICK_LEN (3.5 * PT)
#define TICK_PAD (3.5 * PT)
#define MINOR_LEN (2 * PT)
#define LABEL_PAD (4 * PT)
#define TITLE_PAD (6 * PT)
#define AX_LW (0.8 * PT)
#define LINE_LW (1.5 * PT)
#define MARKER_R (3.5 * PT) /* scatter s=36 pt^2: a 6 pt disc plus its 1 pt edge */
#define OUT_PAD 10.0        /* bbox_inches="tight" pads 0.1 in */
#define MAX_TICKS 64
#define HM_RECTS 4096 /* larger heatmaps are embedded as a PNG */

enum { K_LINE, K_SCATTER, K_HIST, K_BAR };

typedef struct series {
    int kind;
    char *label;   /* NULL: no legend entry */
    double *x, *y; /* line/scatter: n points; hist: n+1 edges in x, n counts in y;
                             bar: y only, at x = 0..n-1 */
    char **names;  /* bar: n category names */
    size_t n;
    size_t skipped; /* non-finite points left out */
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
    double *hm; /* heatmap: rows x cols copy, row-major */
    size_t rows, cols;
    size_t hm_skipped;
    int ncolor;
};

typedef struct axis {
    double lo, hi; /* view limits, data units, lo < hi */
    int log;
    int integer;   /* heatmap indices: integer steps only */
    int inverted;  /* heatmap rows grow downwards */
    double p0, p1; /* pixel positions of lo and hi */
    size_t nt, nminor;
    double t[MAX_TICKS];
    char lab[MAX_TICKS][96];
    int rotate; /* category labels too wide to stand upright */
    double minor[4 * MAX_TICKS];
    char mult[32]; /* "×$10^{6}$" when labels are scaled, else "" */
} axis;

typedef struct legend {
    size_t n;
    double w, h, row;
} legend;

/* A series' legend text, also named in error messages. */
static inline const char *ch__plot_label(const series *s)
{
    return s->label ? s->label : "(no label)";
}

/* ---- plot_colour.c ---- */

/* matplotlib's tab10 cycle, as "#rrggbb". */
extern const char *const ch__tab10[10];
/* viridis at 33 evenly spaced points, from matplotlib. */
extern const unsigned char ch__viridis[33][3];
/* viridis at t in [0, 1] (clamped; NaN is 0), interpolated linearly. */
void ch__viridis_rgb(double t, unsigned char rgb[3]);
void ch__viridis_hex(double t, char out[8]);

/* ---- plot_axis.c ---- */

/* Pixel position of data value v (clamped to +-1e5; log axes put v <= 0 beyond the low end). */
double ch__axis_map(const axis *a, double v);
int ch__axis_in_view(const axis *a, double v);
/* Ticks and their labels for an axis of len pixels; x axes get fewer (labels are wide). */
void ch__axis_ticks(axis *a, double len, int is_x);
/* View limits of direction dir (0: x, 1: y) from the data, or from the user's limits. */
void ch__axis_autoscale(const char *fn, const ch_plot *p, axis *a, int dir);
/* A bar chart labels its categories instead of numbering the x axis (aw: the axis' width). */
void ch__axis_bar_ticks(const ch_plot *p, axis *ax, double aw);
/* The widest tick label, and how far the tallest one's scripts rise above plain text. */
double ch__axis_label_width(const axis *a);
double ch__axis_label_rise(const axis *a);

/* ---- plot_legend.c ---- */

void ch__legend_size(const ch_plot *p, legend *L);
/* matplotlib's loc="best" inside the axes box (X0, Y0, aw, ah): the top-left corner in *lx, *ly. */
void ch__legend_place(const ch_plot *p, const legend *L, const axis *ax, const axis *ay, double X0,
                      double Y0, double aw, double ah, double *lx, double *ly);
void ch__legend_draw(ch__svg *g, const ch_plot *p, const legend *L, double x, double y);

/* ---- plot_draw.c ---- */

/* The figure as a new SVG document; fn names the public function in errors. */
char *ch__plot_render(const char *fn, ch_plot *p);
/* A heatmap's colour range (widened when constant); returns half its span. */
double ch__plot_hm_range(const ch_plot *p, double *vmin, double *vmax);

#endif
