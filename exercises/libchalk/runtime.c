/* runtime.c — the contract between libchalk and the kernel's executor.
 *
 * The executor installs three hooks (display, result, fail); without them the
 * library behaves like an ordinary C library for a plain program: results are
 * printed as their text/plain part and failures go to stderr with exit(1).
 * Also here: the GSL error handler, the JSON string helpers used to build
 * bundles (no jansson in libchalk), and the argument checks every module uses.
 * Beware: a fail hook must not return (the kernel ends the cell, tests
 * longjmp); if it does, we abort rather than continue with bad data.
 */
#include <stdarg.h>
#include <stdint.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include "internal.h"

static ch_runtime rt_hooks;
static int rt_installed;
static int inited;

static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno);

/* Also (re)installs GSL's error handler: the kernel calls this before every
 * cell, so a cell's gsl_set_error_handler_off() lasts only for that cell. */
void ch_set_runtime(const ch_runtime *rt)
{
    if (rt) {
        rt_hooks = *rt;
        rt_installed = 1;
    } else {
        memset(&rt_hooks, 0, sizeof rt_hooks);
        rt_installed = 0;
    }
    inited = 1;
    gsl_set_error_handler(gsl_handler);
}

static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    ch_fail("GSLError", "%s (%s:%d, gsl_errno=%d)", reason ? reason : "?", file ? file : "?", line,
            gsl_errno);
}

void ch_init(void)
{
    if (inited)
        return;
    inited = 1;
    gsl_set_error_handler(gsl_handler);
}

/* ---- deferred temporaries (see internal.h) ---- */

#define DEFER_MAX 256
static struct {
    void *p;
    char kind;
} deferred[DEFER_MAX];
static size_t ndeferred, nuntracked;

size_t ch__mark(void) { return ndeferred + nuntracked; }

static void *defer(void *p, char kind)
{
    if (!p)
        return p;
    if (ndeferred < DEFER_MAX && nuntracked == 0) {
        deferred[ndeferred].p = p;
        deferred[ndeferred++].kind = kind;
    } else {
        nuntracked++; /* too deep: not freed on failure, but marks stay consistent */
    }
    return p;
}

gsl_vector *ch__defer_vec(gsl_vector *v) { return defer(v, 'v'); }
gsl_matrix *ch__defer_mat(gsl_matrix *m) { return defer(m, 'm'); }
void *ch__defer_mem(void *p) { return defer(p, 'p'); }

void ch__forget(size_t mark)
{
    while (ndeferred + nuntracked > mark) {
        if (nuntracked)
            nuntracked--;
        else
            ndeferred--;
    }
}

static void free_deferred(void)
{
    while (ndeferred > 0) {
        ndeferred--;
        void *p = deferred[ndeferred].p;
        switch (deferred[ndeferred].kind) {
        case 'v': gsl_vector_free(p); break;
        case 'm': gsl_matrix_free(p); break;
        default: free(p);
        }
    }
    nuntracked = 0;
}

void ch__failv(const char *ename, const char *fmt, va_list ap)
{
    char stackbuf[1024];
    char *msg = stackbuf;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(stackbuf, sizeof stackbuf, fmt, ap);
    if (n >= (int)sizeof stackbuf) {
        char *big = malloc((size_t)n + 1);
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, ap2);
            msg = big;
        }
    }
    va_end(ap2);
    if (!ename)
        ename = "Error";
    /* the message is formatted: temporaries it might mention are no longer needed */
    free_deferred();
    if (rt_installed && rt_hooks.fail) {
        rt_hooks.fail(ename, msg);
        /* the hook broke its contract: stopping is safer than going on */
        abort();
    }
    fflush(stdout);
    fprintf(stderr, "%s: %s\n", ename, msg);
    exit(1);
}

void ch_fail(const char *ename, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ch__failv(ename, fmt, ap);
}

/* The student versions of the notebooks put CH_NOT_WRITTEN() where a solution
 * was: the function still compiles, so later cells see it, and each call says
 * which function is unfinished and where its stub is (a cell's __FILE__ is
 * "cell[N]", its lines are the cell's own). */
void ch_not_written(const char *func, const char *file, int line)
{
    ch_fail("NotImplemented", "%s() is not written yet (%s:%d)", func && *func ? func : "this function",
            file && *file ? file : "?", line);
}

/* ---- memory ---- */

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
        ch_fail("ValueError", "empty matrix (%zu x %zu): GSL matrices need at least one element", r, c);
    /* GSL multiplies r * c unchecked: 2^32 x 2^32 would wrap to an empty
     * block that the caller then writes past. */
    if (c > SIZE_MAX / sizeof(double) / r)
        ch_fail("MemoryError", "a %zu x %zu matrix does not fit in memory", r, c);
    return gsl_matrix_calloc(r, c);
}

/* ---- string buffer and JSON ---- */

static void buf_reserve(ch__buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s)
        ch_fail("MemoryError", "out of memory building a string of %zu bytes", cap);
    b->s = s;
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

void ch__buf_printf(ch__buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
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
    ch__buf b = {0};
    ch__buf_json(&b, s ? s : "");
    return ch__buf_take(&b);
}

/* Without a kernel, print the bundle's text/plain value.  A tiny scanner is
 * enough: we only need to find "text/plain": "..." and unescape it. */
static void print_plain(const char *bundle)
{
    const char *k = bundle ? strstr(bundle, "\"text/plain\"") : NULL;
    if (!k)
        return;
    k += strlen("\"text/plain\"");
    while (*k == ' ' || *k == ':' || *k == '\n' || *k == '\t')
        k++;
    if (*k != '"')
        return;
    for (k++; *k && *k != '"'; k++) {
        if (*k != '\\') {
            putchar(*k);
            continue;
        }
        k++;
        switch (*k) {
        case 'n': putchar('\n'); break;
        case 't': putchar('\t'); break;
        case 'r': putchar('\r'); break;
        case 'b': putchar('\b'); break;
        case 'f': putchar('\f'); break;
        case 'u': {
            unsigned v = 0;
            for (int i = 1; i <= 4 && k[i]; i++) {
                char c = k[i];
                v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            k += 4;
            /* bundles are built by us: \u only encodes control characters */
            putchar((int)v);
            break;
        }
        case '\0': k--; break;
        default: putchar(*k);
        }
    }
    putchar('\n');
    fflush(stdout);
}

void ch__publish_display(const char *bundle_json)
{
    if (rt_installed && rt_hooks.display)
        rt_hooks.display(bundle_json);
    else
        print_plain(bundle_json);
}

void ch_clear_output(int wait)
{
    /* A plain program has no output area to clear. */
    if (rt_installed && rt_hooks.clear_output)
        rt_hooks.clear_output(wait);
}

void ch__publish_result(const char *bundle_json)
{
    if (rt_installed && rt_hooks.result)
        rt_hooks.result(bundle_json);
    else
        print_plain(bundle_json);
}

/* ---- argument checks ---- */

void ch__need_ptr(const char *fn, const char *what, const void *p)
{
    if (!p)
        ch_fail("ValueError", "%s: %s is NULL", fn, what);
}

void ch__need_finite(const char *fn, const char *what, double x)
{
    if (!isfinite(x))
        ch_fail("ValueError", "%s: %s is %g (must be finite)", fn, what, x);
}

void ch__need_vec(const char *fn, const char *what, const gsl_vector *v)
{
    ch_init();
    if (!v)
        ch_fail("ValueError", "%s: %s is NULL", fn, what);
    for (size_t i = 0; i < v->size; i++) {
        double x = gsl_vector_get(v, i);
        if (!isfinite(x))
            ch_fail("ValueError", "%s: %s[%zu] is %g (entries must be finite)", fn, what, i, x);
    }
}

void ch__need_mat(const char *fn, const char *what, const gsl_matrix *A)
{
    ch_init();
    if (!A)
        ch_fail("ValueError", "%s: %s is NULL", fn, what);
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++) {
            double x = gsl_matrix_get(A, i, j);
            if (!isfinite(x))
                ch_fail("ValueError", "%s: %s[%zu][%zu] is %g (entries must be finite)", fn, what, i, j, x);
        }
}

void ch__need_square(const char *fn, const char *what, const gsl_matrix *A)
{
    ch__need_mat(fn, what, A);
    if (A->size1 != A->size2)
        ch_fail("ValueError", "%s: %s must be square, got %zu x %zu", fn, what, A->size1, A->size2);
}

void ch__need_same(const char *fn, const gsl_vector *a, const gsl_vector *b)
{
    if (a->size != b->size)
        ch_fail("ValueError", "%s: size mismatch (%zu vs %zu)", fn, a->size, b->size);
}

void ch__need_sym(const char *fn, const char *what, const gsl_matrix *A)
{
    ch__need_square(fn, what, A);
    double scale = 0;
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = 0; j < A->size2; j++)
            scale = fmax(scale, fabs(gsl_matrix_get(A, i, j)));
    for (size_t i = 0; i < A->size1; i++)
        for (size_t j = i + 1; j < A->size2; j++) {
            double d = fabs(gsl_matrix_get(A, i, j) - gsl_matrix_get(A, j, i));
            if (d > 1e-10 * scale)
                ch_fail("ValueError", "%s: %s is not symmetric (%s[%zu][%zu] - %s[%zu][%zu] = %g)", fn, what,
                        what, i, j, what, j, i, gsl_matrix_get(A, i, j) - gsl_matrix_get(A, j, i));
        }
}

void ch__need_prob(const char *fn, const char *what, const gsl_vector *p)
{
    ch__need_vec(fn, what, p);
    double s = 0;
    for (size_t i = 0; i < p->size; i++) {
        double x = gsl_vector_get(p, i);
        if (x < 0)
            ch_fail("ValueError", "%s: %s[%zu] = %g is negative (not a probability vector)", fn, what, i, x);
        s += x;
    }
    if (fabs(s - 1) > 1e-9)
        ch_fail("ValueError", "%s: %s sums to %.17g, not 1 (not a probability vector)", fn, what, s);
}

gsl_matrix *ch__chol(const char *fn, const char *what, const gsl_matrix *A)
{
    ch__need_sym(fn, what, A);
    gsl_matrix *L = gsl_matrix_alloc(A->size1, A->size2);
    gsl_matrix_memcpy(L, A);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(L);
    gsl_set_error_handler(old);
    if (rc != 0) {
        gsl_matrix_free(L);
        ch_fail("LinAlgError", "%s: %s is not positive definite (Cholesky failed)", fn, what);
    }
    for (size_t i = 0; i < L->size1; i++)
        for (size_t j = i + 1; j < L->size2; j++)
            gsl_matrix_set(L, i, j, 0.0);
    return L;
}

double ch__chol_logdet(const gsl_matrix *L)
{
    double s = 0;
    for (size_t i = 0; i < L->size1; i++)
        s += log(gsl_matrix_get(L, i, i));
    return 2 * s;
}

