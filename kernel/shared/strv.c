/* strv.c — vectors of strings (see strv.h). */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

char **strv_dup(char *const *v, size_t n)
{
    char **r = alloc_resize(NULL, n * sizeof *r);
    for (size_t i = 0; i < n; i++)
        r[i] = alloc_strdup(v[i]);
    return r;
}

void strv_add(char ***v, size_t *n, const char *s)
{
    *v = alloc_resize(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = alloc_strdup(s);
}

int strv_has(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}
