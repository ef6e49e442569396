/* utf8.c — see utf8.h.  The decoder follows Table 3-7 of the Unicode
 * standard (well-formed byte sequences): the allowed range of the second byte
 * depends on the first, which is what rules out overlongs, surrogates and
 * values past U+10FFFF without decoding the code point. */
#include "utf8.h"

#include <stdlib.h>
#include <string.h>

/* Length of the sequence a lead byte announces, 0 if it cannot start one. */
static int seq_len(unsigned char c)
{
    if (c >= 0x01 && c <= 0x7F)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* Is byte `b` acceptable as continuation number `i` (1-based) after lead c? */
static int cont_ok(unsigned char c, int i, unsigned char b)
{
    unsigned char lo = 0x80, hi = 0xBF;
    if (i == 1) {
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
        else if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    }
    return b >= lo && b <= hi;
}

static const char replacement[] = "\xEF\xBF\xBD";

static char *sanitize(const char *in, size_t n, size_t *consumed, int final)
{
    const unsigned char *s = (const unsigned char *)in;
    /* Worst case every byte becomes a 3-byte U+FFFD. */
    char *out = malloc(n * 3 + 1);
    size_t i = 0, o = 0;

    if (out == NULL)
        return NULL;
    while (i < n) {
        int len = seq_len(s[i]);
        int k;

        if (len == 1) {
            out[o++] = (char)s[i++];
            continue;
        }
        if (len == 0) {
            memcpy(out + o, replacement, 3);
            o += 3;
            i++;
            continue;
        }
        for (k = 1; k < len && i + (size_t)k < n; k++)
            if (!cont_ok(s[i], k, s[i + (size_t)k]))
                break;
        if (k == len) {
            memcpy(out + o, s + i, (size_t)len);
            o += (size_t)len;
            i += (size_t)len;
        } else if (i + (size_t)k == n && !final) {
            /* A valid prefix cut off by the end of this read: keep it. */
            break;
        } else {
            /* The maximal subpart s[i..i+k) is replaced by one U+FFFD. */
            memcpy(out + o, replacement, 3);
            o += 3;
            i += (size_t)k;
        }
    }
    out[o] = '\0';
    if (consumed != NULL)
        *consumed = i;
    return out;
}

char *utf8_sanitize(const char *in, size_t n, size_t *consumed)
{
    return sanitize(in, n, consumed, 0);
}

char *utf8_sanitize_all(const char *in, size_t n)
{
    return sanitize(in, n, NULL, 1);
}

int utf8_valid(const char *in, size_t n)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0;

    while (i < n) {
        int len = seq_len(s[i]);
        int k;
        if (len == 0 || i + (size_t)len > n)
            return 0;
        for (k = 1; k < len; k++)
            if (!cont_ok(s[i], k, s[i + (size_t)k]))
                return 0;
        i += (size_t)len;
    }
    return 1;
}
