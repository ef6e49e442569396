/* svg.c: the small SVG writer behind the plot module (see svg.h).
 *
 * Why our own writer: a plot needs about six element kinds, and writing them
 * as text keeps libchalk free of a rendering stack inside every notebook cell
 * (see the README). Beware: numbers go through "%.2f", so callers must clamp
 * coordinates to a sane range first (plot.c keeps everything inside the
 * canvas or a little outside, clipped). */
#include "svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Advance widths of DejaVu Sans for ASCII 32..126, in units of 1/2048 em,
 * read from DejaVuSans.ttf: the default font of matplotlib and first in our
 * font stack, so legend boxes and margins fit the text as drawn. */
static const short dejavu_adv[95] = {
    651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716,
    1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767,
    1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690,
    799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186,
    569, 1995, 1298, 1253, 1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716};

#define SUP_SCALE 0.7

static void grow(ch__svg *s, size_t need)
{
    size_t cap;
    char *nb;

    if (s->failed || s->len + need + 1 <= s->cap)
        return;
    cap = s->cap ? s->cap : 4096;
    while (cap < s->len + need + 1)
        cap *= 2;
    nb = realloc(s->buf, cap);
    if (!nb) {
        s->failed = 1;
        return;
    }
    s->buf = nb;
    s->cap = cap;
}

void ch__svg_printf(ch__svg *s, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (s->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        s->failed = 1;
        return;
    }
    grow(s, (size_t)n);
    if (s->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

static void put_n(ch__svg *s, const char *t, size_t n)
{
    grow(s, n);
    if (s->failed)
        return;
    memcpy(s->buf + s->len, t, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

static void escaped_n(ch__svg *s, const char *t, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        switch (c) {
        case '<': put_n(s, "&lt;", 4); break;
        case '>': put_n(s, "&gt;", 4); break;
        case '&': put_n(s, "&amp;", 5); break;
        case '"': put_n(s, "&quot;", 6); break;
        case '\'': put_n(s, "&#39;", 5); break;
        default:
            /* Control characters are not allowed in XML 1.0 at all. */
            if (c < 0x20 && c != '\t' && c != '\n')
                put_n(s, " ", 1);
            else
                put_n(s, (const char *)&t[i], 1);
        }
    }
}

void ch__svg_escaped(ch__svg *s, const char *text)
{
    escaped_n(s, text, strlen(text));
}

void ch__svg_begin(ch__svg *s, double w, double h, const char *font_family)
{
    memset(s, 0, sizeof *s);
    ch__svg_printf(s,
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                   "xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"%.0f\" height=\"%.0f\" "
                   "viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" "
                   "stroke-linecap=\"butt\" stroke-linejoin=\"round\">\n",
                   w, h, w, h, font_family);
}

char *ch__svg_finish(ch__svg *s)
{
    char *out;

    ch__svg_printf(s, "</svg>\n");
    if (s->failed) {
        ch__svg_free(s);
        return NULL;
    }
    out = s->buf;
    memset(s, 0, sizeof *s);
    return out;
}

void ch__svg_free(ch__svg *s)
{
    free(s->buf);
    memset(s, 0, sizeof *s);
}

void ch__svg_line(ch__svg *s, double x1, double y1, double x2, double y2,
                  const char *stroke, double width)
{
    ch__svg_printf(s,
                   "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                   "stroke-width=\"%.2f\"/>\n",
                   x1, y1, x2, y2, stroke, width);
}

void ch__svg_rect(ch__svg *s, double x, double y, double w, double h,
                  const char *fill, const char *stroke, double width)
{
    ch__svg_printf(s, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"",
                   x, y, w, h, fill ? fill : "none");
    if (stroke)
        ch__svg_printf(s, " stroke=\"%s\" stroke-width=\"%.2f\"", stroke, width);
    ch__svg_printf(s, "/>\n");
}

void ch__svg_circle(ch__svg *s, double cx, double cy, double r, const char *fill)
{
    ch__svg_printf(s, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>\n", cx, cy, r, fill);
}

void ch__svg_path_begin(ch__svg *s, const char *cls, const char *stroke, double width,
                        const char *fill)
{
    ch__svg_printf(s, "<path");
    if (cls)
        ch__svg_printf(s, " class=\"%s\"", cls);
    ch__svg_printf(s, " fill=\"%s\"", fill ? fill : "none");
    if (stroke)
        ch__svg_printf(s, " stroke=\"%s\" stroke-width=\"%.2f\"", stroke, width);
    ch__svg_printf(s, " d=\"");
}

void ch__svg_path_point(ch__svg *s, int move, double x, double y)
{
    ch__svg_printf(s, "%c%.2f %.2f", move ? 'M' : 'L', x, y);
}

void ch__svg_path_end(ch__svg *s)
{
    ch__svg_printf(s, "\"/>\n");
}

/* Splits "base^{sup}rest" into its parts; returns 0 when there is no group. */
static int split_sup(const char *t, size_t *base_n, const char **sup, size_t *sup_n)
{
    const char *p = strstr(t, "^{");
    const char *q;

    if (!p)
        return 0;
    q = strchr(p + 2, '}');
    if (!q)
        return 0;
    *base_n = (size_t)(p - t);
    *sup = p + 2;
    *sup_n = (size_t)(q - (p + 2));
    return 1;
}

void ch__svg_text(ch__svg *s, double x, double y, const char *text, double size,
                  int anchor, int valign, double rotate, const char *cls, const char *extra)
{
    static const char *anchors[] = {"start", "middle", "end"};
    size_t base_n, sup_n;
    const char *sup;
    double dy = 0;

    /* Baseline offsets computed here rather than with dominant-baseline,
     * which some SVG renderers (and notebook-to-PDF converters) ignore.
     * 0.36 em is half the cap height of DejaVu Sans, 0.76 em its cap height
     * plus a hair. */
    if (valign == CH__SVG_CENTRAL)
        dy = 0.36 * size;
    else if (valign == CH__SVG_HANGING)
        dy = 0.76 * size;
    if (split_sup(text, &base_n, &sup, &sup_n) && valign == CH__SVG_HANGING)
        dy += 0.25 * size;

    ch__svg_printf(s, "<text");
    if (cls)
        ch__svg_printf(s, " class=\"%s\"", cls);
    if (rotate != 0) {
        ch__svg_printf(s, " transform=\"rotate(%.0f %.2f %.2f)\"", rotate, x, y);
    }
    ch__svg_printf(s, " x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\" text-anchor=\"%s\"%s%s>", x,
                   y + dy, size, anchors[anchor], extra ? " " : "", extra ? extra : "");
    if (split_sup(text, &base_n, &sup, &sup_n)) {
        escaped_n(s, text, base_n);
        ch__svg_printf(s, "<tspan dy=\"%.2f\" font-size=\"%.2f\">", -0.42 * size, SUP_SCALE * size);
        escaped_n(s, sup, sup_n);
        ch__svg_printf(s, "</tspan>");
        if (sup[sup_n + 1]) {
            ch__svg_printf(s, "<tspan dy=\"%.2f\">", 0.42 * size);
            ch__svg_escaped(s, sup + sup_n + 1);
            ch__svg_printf(s, "</tspan>");
        }
    } else {
        ch__svg_escaped(s, text);
    }
    ch__svg_printf(s, "</text>\n");
}

static double width_n(const char *t, size_t n)
{
    double w = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c >= 32 && c < 127)
            w += dejavu_adv[c - 32];
        else if ((c == 0xE2 && i + 2 < n && (unsigned char)t[i + 1] == 0x88 &&
                  (unsigned char)t[i + 2] == 0x92) ||
                 (c == 0xC3 && i + 1 < n && (unsigned char)t[i + 1] == 0x97))
            w += 1716; /* U+2212 minus and U+00D7 times, both in tick labels */
        else if (c >= 0xC0)
            w += 1400; /* lead byte of another non-ASCII character: a typical width */
        /* continuation bytes and control characters add nothing */
    }
    return w / 2048.0;
}

double ch__svg_text_width(const char *text, double size)
{
    size_t base_n, sup_n;
    const char *sup;

    if (split_sup(text, &base_n, &sup, &sup_n))
        return size * (width_n(text, base_n) + SUP_SCALE * width_n(sup, sup_n) +
                       width_n(sup + sup_n + 1, strlen(sup + sup_n + 1)));
    return size * width_n(text, strlen(text));
}
