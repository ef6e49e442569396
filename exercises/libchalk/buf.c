/* buf.c — the growable string buffer (ch__buf) every module builds its text
 * in, and JSON string quoting for the bundles (libchalk links no jansson).
 *
 * Beware: the buffer never reports failure: running out of memory ends the
 * cell with MemoryError (ch__xrealloc), so callers need no checks.
 */
#include <stdarg.h>
#include "internal.h"

static void buf_reserve(ch__buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->s = ch__xrealloc(b->s, cap);
    b->cap = cap;
}

void ch__buf_addn(ch__buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ch__buf_add(ch__buf *b, const char *s)
{
    ch__buf_addn(b, s, strlen(s));
}

void ch__buf_vprintf(ch__buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void ch__buf_printf(ch__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch__buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ch__buf_json(ch__buf *b, const char *s)
{
    ch__buf_add(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': ch__buf_add(b, "\\\""); break;
        case '\\': ch__buf_add(b, "\\\\"); break;
        case '\n': ch__buf_add(b, "\\n"); break;
        case '\r': ch__buf_add(b, "\\r"); break;
        case '\t': ch__buf_add(b, "\\t"); break;
        case '\b': ch__buf_add(b, "\\b"); break;
        case '\f': ch__buf_add(b, "\\f"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                ch__buf_add(b, esc);
            } else {
                ch__buf_addn(b, (const char *)p, 1);
            }
        }
    }
    ch__buf_add(b, "\"");
}

char *ch__buf_take(ch__buf *b)
{
    char *s = b->s;
    if (!s) {
        s = ch__xmalloc(1);
        s[0] = '\0';
    }
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

char *ch_json_quote(const char *s)
{
    ch__buf b = { 0 };
    ch__buf_json(&b, s ? s : "");
    return ch__buf_take(&b);
}
