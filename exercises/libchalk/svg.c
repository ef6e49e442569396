/* svg.c: the small SVG writer behind the plot module (see svg.h).
 *
 * Why our own writer: a plot needs about six element kinds, and writing them
 * as text keeps libchalk free of a rendering stack inside every notebook cell
 * (see the README). Beware: numbers go through "%.2f", so callers must clamp
 * coordinates to a sane range first (plot.c keeps everything inside the
 * canvas or a little outside, clipped). Text elements, with their
 * notation and widths, are svgtext.c's. The text grows in a ch__buf (buf.c),
 * so running out of memory ends the cell with MemoryError like everywhere
 * else in libchalk. */
#include "svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ch__svg_printf(ch__svg *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ch__buf_vprintf(&s->b, fmt, ap);
    va_end(ap);
}

static void put_n(ch__svg *s, const char *t, size_t n)
{
    ch__buf_addn(&s->b, t, n);
}

void ch__svg_escaped_n(ch__svg *s, const char *t, size_t n)
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
    ch__svg_escaped_n(s, text, strlen(text));
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
    ch__svg_printf(s, "</svg>\n");
    return ch__buf_take(&s->b);
}

void ch__svg_free(ch__svg *s)
{
    free(s->b.s);
    memset(s, 0, sizeof *s);
}

void ch__svg_line(ch__svg *s, double x1, double y1, double x2, double y2, const char *stroke,
                  double width)
{
    ch__svg_printf(s,
                   "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
                   "stroke-width=\"%.2f\"/>\n",
                   x1, y1, x2, y2, stroke, width);
}

void ch__svg_rect(ch__svg *s, double x, double y, double w, double h, const char *fill,
                  const char *stroke, double width)
{
    ch__svg_printf(s, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"", x,
                   y, w, h, fill ? fill : "none");
    if (stroke)
        ch__svg_printf(s, " stroke=\"%s\" stroke-width=\"%.2f\"", stroke, width);
    ch__svg_printf(s, "/>\n");
}

void ch__svg_circle(ch__svg *s, double cx, double cy, double r, const char *fill)
{
    ch__svg_printf(s, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" fill=\"%s\"/>\n", cx, cy, r,
                   fill);
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
