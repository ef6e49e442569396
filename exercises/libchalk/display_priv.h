/* display_priv.h: what the display module lends the plot module. Private to
 * libchalk (not installed). */
#ifndef CHALK_DISPLAY_PRIV_H
#define CHALK_DISPLAY_PRIV_H

#include <stddef.h>

/* Publishes {"data":{mime: data, "text/plain": plain},"metadata":{}} through
 * ch__publish_display. plain may be NULL when mime is text/plain. Ends the
 * cell (MemoryError) if memory runs out. */
void ch__display_bundle(const char *mime, const char *data, const char *plain);

/* Publishes an SVG as image/svg+xml, as text/html (an <img> of it, which
 * JupyterLab shows in notebooks that are not trusted; see display.c) and
 * plain. */
void ch__display_svg_bundle(const char *svg, const char *plain);

/* Standard base64 with padding (new string, caller frees). */
char *ch__base64(const unsigned char *data, size_t n);

#endif
