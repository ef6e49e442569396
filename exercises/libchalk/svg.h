/* svg.h: a small SVG writer, private to libchalk's plot module.
 *
 * A growable text buffer plus one function per element the plots need. All
 * coordinates are in pixels of the figure's viewBox and are printed with two
 * decimals, which keeps a 10^5-point line readable and small. Text passed to
 * ch__svg_text is XML-escaped here; attribute values built by callers (colours,
 * class names) must be plain ASCII without quotes or '<'.
 * Beware: on allocation failure the cell ends with MemoryError (the text
 * grows in a ch__buf), so no call returns an error to check. */
#ifndef CHALK_SVG_H
#define CHALK_SVG_H

#include <stddef.h>

#include "internal.h"

typedef struct ch__svg {
    ch__buf b;
} ch__svg;

/* Text anchors and vertical alignment for ch__svg_text. */
enum { CH__SVG_START, CH__SVG_MIDDLE, CH__SVG_END };
enum { CH__SVG_BASELINE, CH__SVG_CENTRAL, CH__SVG_HANGING };

void ch__svg_begin(ch__svg *s, double w, double h, const char *font_family);
/* Returns the finished document (caller frees); the writer is reset. */
char *ch__svg_finish(ch__svg *s);
void ch__svg_free(ch__svg *s);

void ch__svg_printf(ch__svg *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void ch__svg_escaped(ch__svg *s, const char *text);
void ch__svg_escaped_n(ch__svg *s, const char *text, size_t n);

void ch__svg_line(ch__svg *s, double x1, double y1, double x2, double y2, const char *stroke,
                  double width);
void ch__svg_rect(ch__svg *s, double x, double y, double w, double h, const char *fill,
                  const char *stroke, double width);
void ch__svg_circle(ch__svg *s, double cx, double cy, double r, const char *fill);
/* A path is opened with _path_begin, fed points with _path_point (a move when
 * `move` is non-zero, else a line segment), and closed with _path_end. */
void ch__svg_path_begin(ch__svg *s, const char *cls, const char *stroke, double width,
                        const char *fill);
void ch__svg_path_point(ch__svg *s, int move, double x, double y);
void ch__svg_path_end(ch__svg *s);
/* Text elements (svgtext.c). `text` is a plot label: literal, with math
 * between $...$ in the TeX subset documented in chalk.h's plot block
 * ("Loss of $\\theta_t$", "$10^{-3}$"); whatever is malformed is drawn as
 * typed. `extra` is appended to the <text> tag's attributes verbatim. */
void ch__svg_text(ch__svg *s, double x, double y, const char *text, double size, int anchor,
                  int valign, double rotate, const char *cls, const char *extra);

/* Width in pixels of `text` as ch__svg_text draws it, set in DejaVu Sans at
 * `size` px (an estimate for the other fonts of the stack). */
double ch__svg_text_width(const char *text, double size);

/* How far, in pixels, scripts in `text` reach above the cap height and
 * below the descender of plain text at `size` px (0 and 0 for plain text). */
void ch__svg_text_extent(const char *text, double size, double *above, double *below);

/* Letter widths (svgfont.c). Decodes one UTF-8 character at t[0..n) into
 * *cp and returns its length (1, and U+FFFD, for a bad byte). */
size_t ch__utf8_char(const char *t, size_t n, unsigned *cp);
/* Advance width of code point cp in em of DejaVu Sans. */
double ch__font_adv(unsigned cp);
/* Width in em of the UTF-8 text t[0..n). */
double ch__font_width_em(const char *t, size_t n);

#endif
