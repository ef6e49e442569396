/* alloc.c — allocations that abort when memory runs out (see alloc.h for
 * the policy and where it must not be used). */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *or_abort(void *p)
{
    if (!p) {
        fputs("chalk: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *alloc_zeroed(size_t n)
{
    return or_abort(calloc(1, n ? n : 1));
}

void *alloc_resize(void *p, size_t n)
{
    return or_abort(realloc(p, n ? n : 1));
}

char *alloc_strndup(const char *s, size_t n)
{
    char *r = alloc_resize(NULL, n + 1);
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

char *alloc_strdup(const char *s)
{
    return alloc_strndup(s, strlen(s));
}
