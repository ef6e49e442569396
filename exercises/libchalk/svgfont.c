/* svgfont.c: the letter widths the plot labels are laid out with: DejaVu
 * Sans's advance widths (matplotlib's default font, first in our font stack)
 * for ASCII and for every other code point the label notation draws, and
 * the UTF-8 decoding that reads a label one character at a time.
 * Beware: the tables are data read from DejaVuSans.ttf; other fonts of the
 * stack differ a little, which is why a character we do not know counts as
 * about a capital's width rather than 0. */
#include "svg.h"

/* Advance widths of DejaVu Sans for ASCII 32..126, in units of 1/2048 em,
 * read from DejaVuSans.ttf: the default font of matplotlib and first in our
 * font stack, so legend boxes and margins fit the text as drawn. */
static const short dejavu_adv[95] = {
    651,  821,  942,  1716, 1303, 1946, 1597, 563,  799,  799,  1024, 1716, 651,  739,  651,  690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,  1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799,  690,  799,  1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721,  1300, 1298, 569,  569,  1186, 569,  1995, 1298, 1253,
    1300, 1300, 842,  1067, 803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716
};

/* The same for every non-ASCII code point the notation draws (Greek, the
 * operators, U+2212 minus of the tick labels, U+2026 of cut bar names), read
 * from the same font with fontTools (hmtx through the best cmap), sorted. */
static const struct {
    unsigned cp;
    short adv;
} dejavu_uni[] = {
    { 0xb1, 1716 },   { 0xd7, 1716 },   { 0x391, 1401 },  { 0x392, 1405 },  { 0x393, 1141 },
    { 0x394, 1401 },  { 0x395, 1294 },  { 0x396, 1403 },  { 0x397, 1540 },  { 0x398, 1612 },
    { 0x399, 604 },   { 0x39a, 1343 },  { 0x39b, 1401 },  { 0x39c, 1767 },  { 0x39d, 1532 },
    { 0x39e, 1294 },  { 0x39f, 1612 },  { 0x3a0, 1540 },  { 0x3a1, 1235 },  { 0x3a3, 1294 },
    { 0x3a4, 1251 },  { 0x3a5, 1251 },  { 0x3a6, 1612 },  { 0x3a7, 1403 },  { 0x3a8, 1612 },
    { 0x3a9, 1565 },  { 0x3b1, 1350 },  { 0x3b2, 1307 },  { 0x3b3, 1212 },  { 0x3b4, 1253 },
    { 0x3b5, 1107 },  { 0x3b6, 1114 },  { 0x3b7, 1298 },  { 0x3b8, 1253 },  { 0x3b9, 693 },
    { 0x3ba, 1207 },  { 0x3bb, 1212 },  { 0x3bc, 1303 },  { 0x3bd, 1144 },  { 0x3be, 1142 },
    { 0x3bf, 1253 },  { 0x3c0, 1233 },  { 0x3c1, 1300 },  { 0x3c2, 1202 },  { 0x3c3, 1298 },
    { 0x3c4, 1233 },  { 0x3c5, 1185 },  { 0x3c6, 1351 },  { 0x3c7, 1183 },  { 0x3c8, 1351 },
    { 0x3c9, 1715 },  { 0x3d1, 1268 },  { 0x3d5, 1351 },  { 0x3f1, 1300 },  { 0x3f5, 1260 },
    { 0x2016, 1024 }, { 0x2026, 2048 }, { 0x2102, 1430 }, { 0x2113, 846 },  { 0x2115, 1640 },
    { 0x211a, 1612 }, { 0x211d, 1622 }, { 0x2124, 1525 }, { 0x2190, 1716 }, { 0x2192, 1716 },
    { 0x2202, 1059 }, { 0x2207, 1370 }, { 0x2208, 1784 }, { 0x220f, 1550 }, { 0x2211, 1380 },
    { 0x2212, 1716 }, { 0x221a, 1305 }, { 0x221d, 1463 }, { 0x221e, 1706 }, { 0x2223, 1024 },
    { 0x222b, 1067 }, { 0x223c, 1716 }, { 0x2248, 1716 }, { 0x2260, 1716 }, { 0x2264, 1716 },
    { 0x2265, 1716 }, { 0x22c5, 651 },  { 0x22ef, 2048 }, { 0x1d53c, 1494 }
};

#define TYPICAL_ADV 1400 /* any other character: about a capital's width */

/* Decodes one UTF-8 character at t[0..n); returns its length (1 for a bad byte). */
size_t ch__utf8_char(const char *t, size_t n, unsigned *cp)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t len, i;

    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    len = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 1;
    if (len == 1 || len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = u[0] & (0x7F >> len);
    for (i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        *cp = *cp << 6 | (u[i] & 0x3F);
    }
    return len;
}

double ch__font_adv(unsigned cp)
{
    size_t lo = 0, hi = sizeof dejavu_uni / sizeof dejavu_uni[0];

    if (cp >= 32 && cp < 127)
        return dejavu_adv[cp - 32] / 2048.0;
    if (cp < 32 || (cp >= 0x7F && cp < 0xA0))
        return 0; /* drawn as nothing or a space by the escaper; counts little */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (dejavu_uni[mid].cp == cp)
            return dejavu_uni[mid].adv / 2048.0;
        if (dejavu_uni[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return TYPICAL_ADV / 2048.0;
}

/* Width in em of the UTF-8 text t[0..n). */
double ch__font_width_em(const char *t, size_t n)
{
    double w = 0;
    size_t i = 0;

    while (i < n) {
        unsigned cp;
        i += ch__utf8_char(t + i, n - i, &cp);
        w += ch__font_adv(cp);
    }
    return w;
}
