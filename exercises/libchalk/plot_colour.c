/* plot_colour.c: the plot module's colours: matplotlib's tab10 cycle for
 * series and the viridis map for heatmaps (the SVG cells, the embedded PNG
 * and the colour bar all take it from here, so they agree to the byte). */
#include <math.h>
#include <stdio.h>

#include "plot_priv.h"

const char *const ch__tab10[10] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };

const unsigned char ch__viridis[33][3] = {
    { 68, 1, 84 },    { 71, 13, 96 },   { 72, 24, 106 },  { 72, 35, 116 },  { 71, 45, 123 },
    { 69, 55, 129 },  { 66, 64, 134 },  { 62, 73, 137 },  { 59, 82, 139 },  { 55, 91, 141 },
    { 51, 99, 141 },  { 47, 107, 142 }, { 44, 114, 142 }, { 41, 122, 142 }, { 38, 130, 142 },
    { 35, 137, 142 }, { 33, 145, 140 }, { 31, 152, 139 }, { 31, 160, 136 }, { 34, 167, 133 },
    { 40, 174, 128 }, { 50, 182, 122 }, { 63, 188, 115 }, { 78, 195, 107 }, { 94, 201, 98 },
    { 112, 207, 87 }, { 132, 212, 75 }, { 152, 216, 62 }, { 173, 220, 48 }, { 194, 223, 35 },
    { 216, 226, 25 }, { 236, 229, 27 }, { 253, 231, 37 }
};

void ch__viridis_rgb(double t, unsigned char rgb[3])
{
    double f;
    int i, k;

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
        rgb[k] = (unsigned char)lround(ch__viridis[i][k] +
                                       f * (ch__viridis[i + 1][k] - ch__viridis[i][k]));
}

void ch__viridis_hex(double t, char out[8])
{
    unsigned char c[3];

    ch__viridis_rgb(t, c);
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}
