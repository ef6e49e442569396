/* png.h: a minimal PNG encoder, private to libchalk (the plot module embeds
 * large heatmaps with it, see plot_draw.c). */
#ifndef CHALK_PNG_H
#define CHALK_PNG_H

#include <stddef.h>

/* The w x h image of 8-bit RGBA pixels (row-major, 4 bytes a pixel, no
 * padding) as a new PNG file image of *len bytes (caller frees).  Ends the
 * cell with MemoryError if memory runs out. */
unsigned char *ch__png_rgba(const unsigned char *rgba, size_t w, size_t h, size_t *len);

#endif
