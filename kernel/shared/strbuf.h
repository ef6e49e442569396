/* strbuf.h — a growable, always NUL-terminated string.
 *
 * What the kernel builds text with: translation units, diagnostics, editor
 * help, flags.  Zero-initialise one (`strbuf b = { 0 };`), append, then take
 * the string or free the buffer.  Growth aborts when memory runs out
 * (alloc.h's policy).
 */
#ifndef CHALK_STRBUF_H
#define CHALK_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
    char *s; /* always NUL-terminated once anything was appended */
    size_t len, cap;
} strbuf;

void strbuf_addn(strbuf *b, const char *s, size_t n);
void strbuf_add(strbuf *b, const char *s);
void strbuf_addf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the string over (caller frees; "" when nothing was appended); the
 * buffer is empty afterwards. */
char *strbuf_take(strbuf *b);
void strbuf_free(strbuf *b);

#endif
