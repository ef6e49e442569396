/* png.c: a minimal PNG encoder (see png.h), as svg.c is a minimal SVG writer.
 *
 * Large matrices go into a heatmap's SVG as one embedded PNG with a pixel per
 * cell (scaled up by the browser without smoothing), not as a rect per cell:
 * a 256 x 256 matrix is 260 kB instead of 6 MB.  Deflate "stored" blocks keep
 * the encoder short and dependency-free (no zlib); the data are small anyway.
 * Beware: the output is therefore uncompressed, about 4 bytes a pixel. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "png.h"

static unsigned long crc_table[256];

static unsigned long crc32_update(unsigned long c, const unsigned char *b, size_t n)
{
    size_t i;

    if (!crc_table[1]) {
        unsigned long k, v;
        int j;
        for (k = 0; k < 256; k++) {
            v = k;
            for (j = 0; j < 8; j++)
                v = v & 1 ? 0xedb88320UL ^ (v >> 1) : v >> 1;
            crc_table[k] = v;
        }
    }
    c ^= 0xffffffffUL;
    for (i = 0; i < n; i++)
        c = crc_table[(c ^ b[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffUL;
}

static unsigned char *put32(unsigned char *o, unsigned long v)
{
    o[0] = (unsigned char)(v >> 24);
    o[1] = (unsigned char)(v >> 16);
    o[2] = (unsigned char)(v >> 8);
    o[3] = (unsigned char)v;
    return o + 4;
}

static unsigned char *chunk(unsigned char *o, const char *type, const unsigned char *d, size_t n)
{
    unsigned char *start;

    o = put32(o, (unsigned long)n);
    start = o;
    memcpy(o, type, 4);
    if (n)
        memcpy(o + 4, d, n);
    o += 4 + n;
    return put32(o, crc32_update(0, start, n + 4));
}

unsigned char *ch__png_rgba(const unsigned char *rgba, size_t w, size_t h, size_t *len)
{
    size_t row = 1 + 4 * w, raw_n = row * h, i, nblk, zn, total;
    unsigned char *raw, *z, *o, *png, ihdr[13];
    unsigned long a = 1, b = 0;

    raw = ch__xmalloc(raw_n);
    for (i = 0; i < h; i++) {
        raw[i * row] = 0; /* filter: none */
        memcpy(raw + i * row + 1, rgba + i * 4 * w, 4 * w);
    }
    nblk = (raw_n + 65534) / 65535;
    zn = 2 + raw_n + 5 * (nblk ? nblk : 1) + 4;
    z = ch__xmalloc(zn);
    o = z;
    *o++ = 0x78;
    *o++ = 0x01;
    for (i = 0; i < raw_n || i == 0; i += 65535) {
        size_t n = raw_n - i < 65535 ? raw_n - i : 65535;
        *o++ = i + n >= raw_n ? 1 : 0;
        *o++ = (unsigned char)(n & 0xff);
        *o++ = (unsigned char)(n >> 8);
        *o++ = (unsigned char)(~n & 0xff);
        *o++ = (unsigned char)((~n >> 8) & 0xff);
        memcpy(o, raw + i, n);
        o += n;
        if (raw_n == 0)
            break;
    }
    for (i = 0; i < raw_n; i++) {
        a = (a + raw[i]) % 65521;
        b = (b + a) % 65521;
    }
    o = put32(o, (b << 16) | a);
    zn = (size_t)(o - z);
    free(raw);

    put32(ihdr, (unsigned long)w);
    put32(ihdr + 4, (unsigned long)h);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 6; /* RGBA */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    total = 8 + (12 + 13) + (12 + zn) + 12;
    png = ch__xmalloc(total);
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    o = chunk(png + 8, "IHDR", ihdr, 13);
    o = chunk(o, "IDAT", z, zn);
    o = chunk(o, "IEND", NULL, 0);
    free(z);
    *len = (size_t)(o - png);
    return png;
}
