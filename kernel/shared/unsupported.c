/* unsupported.c — features libtcc lacks, named before it fails (see
 * unsupported.h).
 *
 * The messages avoid promising a backend that does not exist: the way out
 * is always something that works in a cell today.
 */
#include "unsupported.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsrc.h"

static const char NOT_HERE[] = "not supported by chalk's C compiler (libtcc 0.9.27)";

typedef struct feature {
    const char *word; /* an identifier, or a header name for #include */
    int header;
    const char *what, *instead;
} feature;

static const char COMPLEX_WHAT[] = "C99 complex arithmetic (<complex.h>, _Complex)";
static const char COMPLEX_INSTEAD[] =
    "use gsl_complex from <gsl/gsl_complex_math.h>: gsl_complex z = gsl_complex_rect(1, 2); "
    "gsl_complex_mul(z, z), gsl_complex_abs(z), GSL_REAL(z), GSL_IMAG(z)";
static const char INT128_WHAT[] = "the 128-bit integer type __int128";
static const char INT128_INSTEAD[] =
    "use int64_t or uint64_t from <stdint.h>, or double / long double for large magnitudes";
static const char ATOMIC_WHAT[] = "C11 atomics (<stdatomic.h>, _Atomic)";
static const char ATOMIC_INSTEAD[] =
    "use plain variables, or a pthread_mutex_t (<pthread.h>) around data that threads share";

static const feature features[] = {
    { "complex.h", 1, COMPLEX_WHAT, COMPLEX_INSTEAD },
    { "_Complex", 0, COMPLEX_WHAT, COMPLEX_INSTEAD },
    { "_Imaginary", 0, COMPLEX_WHAT, COMPLEX_INSTEAD },
    { "__complex__", 0, COMPLEX_WHAT, COMPLEX_INSTEAD },
    { "__int128", 0, INT128_WHAT, INT128_INSTEAD },
    { "__int128_t", 0, INT128_WHAT, INT128_INSTEAD },
    { "__uint128_t", 0, INT128_WHAT, INT128_INSTEAD },
    { "stdatomic.h", 1, ATOMIC_WHAT, ATOMIC_INSTEAD },
    { "_Atomic", 0, ATOMIC_WHAT, ATOMIC_INSTEAD },
    { "_Thread_local", 0, "thread-local storage (_Thread_local, __thread)",
      "use a plain global, or an array with one element per thread (omp_get_thread_num() or "
      "your own thread index)" },
    { "__thread", 0, "thread-local storage (_Thread_local, __thread)",
      "use a plain global, or an array with one element per thread (omp_get_thread_num() or "
      "your own thread index)" },
    { "tgmath.h", 1, "type-generic math (<tgmath.h>)",
      "call the function for the type from <math.h>, which every cell has: sqrt (double), "
      "sqrtf (float), sqrtl (long double), and so on" },
};

/* The header a `#include` line names ("complex.h"), or 0 when it is not one. */
static int included(const char *pp, size_t len, char *name, size_t namelen)
{
    const char *p = pp + 1, *end = pp + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if ((size_t)(end - p) < 7 || strncmp(p, "include", 7) != 0)
        return 0;
    p += 7;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= end || (*p != '<' && *p != '"'))
        return 0;
    char close = *p == '<' ? '>' : '"';
    const char *q = memchr(p + 1, close, (size_t)(end - p - 1));
    if (!q)
        return 0;
    snprintf(name, namelen, "%.*s", (int)(q - p - 1), p + 1);
    return 1;
}

/* +1 for #if/#ifdef/#ifndef, -1 for #endif, else 0. */
static int conditional(const char *pp, size_t len)
{
    const char *p = pp + 1, *end = pp + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    size_t n = 0;
    while (p + n < end && p[n] >= 'a' && p[n] <= 'z')
        n++;
    if ((n == 2 && !strncmp(p, "if", 2)) || (n == 5 && !strncmp(p, "ifdef", 5)) ||
        (n == 6 && !strncmp(p, "ifndef", 6)))
        return 1;
    return n == 5 && !strncmp(p, "endif", 5) ? -1 : 0;
}

/* The first feature of `code` outside #if blocks (`only_line` 0), or inside
 * them on line `only_line`: -1 with the message in err, else 0. */
static int scan(const char *code, int cell_number, int only_line, char *err, size_t errlen)
{
    ctoken *t = NULL;
    size_t n = ctoken_scan(code, &t, NULL);
    int rc = 0, depth = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char name[256];
        if (t[i].kind == CTOKEN_PP)
            depth += conditional(code + t[i].off, t[i].len);
        /* code in an #if block may be a branch tcc never compiles
         * (`#ifdef __SIZEOF_INT128__`): named only once it fails */
        if (only_line ? depth <= 0 || t[i].line != only_line : depth > 0)
            continue;
        int header = t[i].kind == CTOKEN_PP &&
                     included(code + t[i].off, t[i].len, name, sizeof name);
        if (!header && t[i].kind != CTOKEN_IDENT)
            continue;
        if (!header)
            snprintf(name, sizeof name, "%.*s", (int)t[i].len, code + t[i].off);
        for (size_t k = 0; k < sizeof features / sizeof *features; k++)
            if (features[k].header == header && !strcmp(features[k].word, name)) {
                snprintf(err, errlen, "cell[%d]:%d: error: %s: %s; %s", cell_number, t[i].line,
                         NOT_HERE, features[k].what, features[k].instead);
                rc = -1;
                break;
            }
    }
    free(t);
    return rc;
}

int unsupported_check(const char *code, int cell_number, char *err, size_t errlen)
{
    return scan(code, cell_number, 0, err, errlen);
}

/* The 1-based line `line` of `code` lies at brace depth 0 (outside every
 * function and block) and declares an array: it holds a `[`. */
static int top_level_array(const char *code, int line)
{
    ctoken *t = NULL;
    size_t n = ctoken_scan(code, &t, NULL);
    long depth = 0;
    int array = 0, seen = 0;
    for (size_t i = 0; i < n && t[i].line <= line; i++) {
        if (t[i].kind != CTOKEN_PUNCT || t[i].len != 1)
            continue;
        char c = code[t[i].off];
        if (t[i].line == line && depth == 0) {
            seen = 1;
            if (c == '[')
                array = 1;
        }
        if (c == '{')
            depth++;
        else if (c == '}')
            depth--;
    }
    free(t);
    return seen && array;
}

int unsupported_explain(const char *code, int cell_number, const char *diag, char *err,
                        size_t errlen)
{
    char prefix[48];
    int len = snprintf(prefix, sizeof prefix, "cell[%d]:", cell_number);
    for (const char *l = diag; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *e = strstr(l, "error: ");
        const char *nl = strchr(l, '\n');
        if (!e || (nl && e > nl))
            continue;
        /* the first error decides; later ones are usually its consequences */
        if (strncmp(l, prefix, (size_t)len) != 0)
            return 0;
        int line = (int)strtol(l + len, NULL, 10);
        if (line > 0 && scan(code, cell_number, line, err, errlen) < 0)
            return -1; /* a feature in an #if branch that was compiled */
        if (strncmp(e + 7, "constant expression expected", 28) != 0)
            return 0;
        if (line <= 0 || !top_level_array(code, line))
            return 0;
        snprintf(err, errlen,
                 "cell[%d]:%d: error: a variable-length array cannot be declared at a cell's "
                 "top level: the cell's top-level variables outlive it, so their size must be "
                 "a constant; "
                 "use malloc (double *a = malloc(n * sizeof *a); then a[i] as before), a "
                 "constant size (#define N 4, then double a[N];), or declare the array inside "
                 "a function",
                 cell_number, line);
        return -1;
    }
    return 0;
}
