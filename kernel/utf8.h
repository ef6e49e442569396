/* utf8.h — turn arbitrary bytes from user programs into valid UTF-8.
 *
 * JSON strings must be valid UTF-8 (jansson refuses anything else), but a C
 * program may print any bytes, and a pipe read can cut a multi-byte character
 * in two.  Invalid sequences become U+FFFD, one per maximal ill-formed
 * subpart (the Unicode "best practice"), overlongs, surrogates and code points
 * above U+10FFFF included.  NUL bytes also become U+FFFD so the result stays a
 * C string.
 */
#ifndef CHALK_UTF8_H
#define CHALK_UTF8_H

#include <stddef.h>

/* Sanitize in[0..n).  A valid but incomplete sequence at the very end is not
 * consumed: *consumed (if not NULL) says how many bytes were used, and the
 * caller keeps the rest to prepend to the next read.  Returns a malloc'd,
 * NUL-terminated string (free it), or NULL when out of memory. */
char *utf8_sanitize(const char *in, size_t n, size_t *consumed);

/* Same, but consumes everything: an incomplete tail becomes U+FFFD.  Use it
 * at end of stream. */
char *utf8_sanitize_all(const char *in, size_t n);

/* 1 if in[0..n) is valid UTF-8 without NUL bytes, else 0. */
int utf8_valid(const char *in, size_t n);

#endif
