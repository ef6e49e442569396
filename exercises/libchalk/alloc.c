/* alloc.c — allocation that ends the cell with MemoryError instead of
 * returning NULL, and GSL vectors and matrices that refuse sizes GSL would
 * get wrong (0, or a size whose byte count overflows).
 *
 * The one copy of xmalloc/xrealloc/xstrdup in the library: modules call
 * these and never check for NULL.
 */
#include <stdint.h>
#include "internal.h"

void *ch__xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        ch_fail("MemoryError", "out of memory allocating %zu bytes", n);
    return p;
}

void *ch__xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        ch_fail("MemoryError", "out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *ch__xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        ch_fail("MemoryError", "out of memory growing a block to %zu bytes", n);
    return q;
}

char *ch__xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = ch__xmalloc(n);
    memcpy(d, s, n);
    return d;
}

gsl_vector *ch__vec(size_t n)
{
    ch_init();
    if (n == 0)
        ch_fail("ValueError", "empty vector (size 0): GSL vectors need at least one element");
    if (n > SIZE_MAX / sizeof(double))
        ch_fail("MemoryError", "a vector of %zu values does not fit in memory", n);
    return gsl_vector_calloc(n);
}

gsl_matrix *ch__mat(size_t r, size_t c)
{
    ch_init();
    if (r == 0 || c == 0)
        ch_fail("ValueError", "empty matrix (%zu x %zu): GSL matrices need at least one element", r,
                c);
    /* GSL multiplies r * c unchecked: 2^32 x 2^32 would wrap to an empty
     * block that the caller then writes past. */
    if (c > SIZE_MAX / sizeof(double) / r)
        ch_fail("MemoryError", "a %zu x %zu matrix does not fit in memory", r, c);
    return gsl_matrix_calloc(r, c);
}
