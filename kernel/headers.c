/* headers.c — flattening headers with libtcc (see headers.h).
 *
 * The output goes to stdout inside libtcc (tccpp.c: tcc_preprocess writes to
 * s1->ppfp, which libtcc leaves at stdout when no output file is given), so
 * we swap descriptor 1 for an anonymous memfd around the call.
 */
#define _GNU_SOURCE
#include "headers.h"

#include "config.h"

#include <errno.h>
#include <libtcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cellsrc.h"

typedef struct errctx {
    char *err;
    size_t errlen;
    int failed;
} errctx;

static void on_error(void *opaque, const char *msg)
{
    errctx *e = opaque;
    /* Keep the first error: later ones are usually consequences. */
    if (e->failed || strstr(msg, "warning:"))
        return;
    e->failed = 1;
    if (e->err && e->errlen)
        snprintf(e->err, e->errlen, "%s", msg);
}

/* libtcc 0.9.27's -dD prints a variadic macro `#define V(...) f(__VA_ARGS__)`
 * as `#define V(__VA_ARGS__) ...`, which no longer accepts several
 * arguments: put the `...` back.  (A GNU named variadic `b...` loses its dots
 * in the same printer and cannot be repaired here; the headers we use have
 * none.) */
/* The same printer writes the token-pasting operator `##` as "<a6>" (its
 * internal token number), which turns `FUNC ## f` into an undeclared `a6`
 * wherever glibc's type-generic math macros (isfinite, isinf, ...) are used.
 * "<a6>" and "##" differ in length: rewrite the line in place, shorter. */
static void repair_token_paste(char *text)
{
    char *w = text;
    for (const char *r = text; *r;) {
        if (r[0] == '<' && r[1] == 'a' && r[2] == '6' && r[3] == '>') {
            *w++ = '#';
            *w++ = '#';
            r += 4;
        } else {
            *w++ = *r++;
        }
    }
    *w = 0;
}

static void repair_variadic_macros(char *text)
{
    static const char needle[] = "__VA_ARGS__)";
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (strncmp(line, "#define ", 8) == 0) {
            char *name = line + 8;
            char *paren = name + strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                  "0123456789_");
            if (*paren == '(') {
                char *close = strchr(paren, ')');
                char *va = strstr(paren, needle);
                if (close && va && va + sizeof needle - 2 == close &&
                    (va[-1] == '(' || va[-1] == ',')) {
                    /* "__VA_ARGS__)" -> "...)" padded with spaces: same length */
                    memcpy(va, "...)        ", sizeof needle - 1);
                }
            }
        }
        line = nl ? nl + 1 : NULL;
    }
}

char *headers_flatten(const char *source, const char *options, const char *lib_path,
                      char *err, size_t errlen)
{
    errctx ec = { err, errlen, 0 };
    int fd = memfd_create("chalk-pp", MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "memfd_create: %s", strerror(errno));
        return NULL;
    }
    TCCState *s = tcc_new();
    if (!s) {
        close(fd);
        snprintf(err, errlen, "tcc_new failed");
        return NULL;
    }
    tcc_set_lib_path(s, lib_path ? lib_path : CHALK_TCC_LIBDIR);
    tcc_set_error_func(s, &ec, on_error);
    tcc_set_options(s, "-E -P -dD");
    if (options && *options)
        tcc_set_options(s, options);
    tcc_set_output_type(s, TCC_OUTPUT_PREPROCESS);

    fflush(stdout);
    int saved = dup(1);
    if (saved < 0 || dup2(fd, 1) < 0) {
        snprintf(err, errlen, "dup: %s", strerror(errno));
        if (saved >= 0)
            close(saved);
        tcc_delete(s);
        close(fd);
        return NULL;
    }
    int rc = tcc_compile_string(s, source);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    tcc_delete(s);

    char *out = NULL;
    if (rc < 0 || ec.failed) {
        if (!ec.failed)
            snprintf(err, errlen, "preprocessing the headers failed");
    } else {
        off_t n = lseek(fd, 0, SEEK_END);
        out = malloc((size_t)n + 1);
        if (!out || pread(fd, out, (size_t)n, 0) != (ssize_t)n) {
            snprintf(err, errlen, "reading the flattened headers failed");
            free(out);
            out = NULL;
        } else {
            out[n] = 0;
            repair_variadic_macros(out);
            repair_token_paste(out);
        }
    }
    close(fd);
    return out;
}

char *headers_include_options(const char *path)
{
    if (!path || !*path)
        return NULL;
    cellsrc_buf opts = { 0 };
    char *copy = strdup(path);
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
        cellsrc_buf_addf(&opts, "-I%s ", d);
    free(copy);
    return cellsrc_buf_take(&opts);
}
