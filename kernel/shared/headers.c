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

#include "abi.h"
#include "cellsrc.h"
#include "strv.h"

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

/* Run libtcc's preprocessor with `mode` ("-E -P -dD", ...) and return its
 * output (caller frees), or NULL with err. */
static char *preprocess(const char *source, const char *mode, const char *options,
                        const char *lib_path, char *err, size_t errlen)
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
    tcc_set_options(s, mode);
    tcc_set_options(s, HEADERS_FEATURES);
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
        }
    }
    close(fd);
    return out;
}

char *headers_flatten(const char *source, const char *options, const char *lib_path, char *err,
                      size_t errlen)
{
    char *out = preprocess(source, "-E -P -dD", options, lib_path, err, errlen);
    if (out) {
        repair_variadic_macros(out);
        repair_token_paste(out);
        /* GSL's and libchalk's struct-by-value functions go through
         * thunks (abi.h): tcc would pass gsl_complex in the wrong registers */
        char *routed = abi_route(out);
        free(out);
        out = routed;
    }
    return out;
}

char *headers_expand(const char *source, const char *options, const char *lib_path, char *err,
                     size_t errlen)
{
    return preprocess(source, "-E -P", options, lib_path, err, errlen);
}

/* The name a user knows for a header file: the part after the last
 * "/include/" (less a multiarch "x86_64-linux-gnu/"), else the base name. */
static void user_header_name(const char *path, size_t n, char *out, size_t outlen)
{
    const char *start = path;
    for (const char *p = path; p + 9 <= path + n; p++)
        if (!strncmp(p, "/include/", 9))
            start = p + 9;
    if (start == path)
        for (const char *p = path; p < path + n; p++)
            if (*p == '/')
                start = p + 1;
    const char *multi = strstr(start, "-linux-gnu/");
    if (multi && multi < path + n && !memchr(start, '/', (size_t)(multi - start)))
        start = multi + 11;
    snprintf(out, outlen, "%.*s", (int)(path + n - start), start);
}

/* Files that only implement a public header (glibc's bits/, gnu/, sys/cdefs.h). */
static int is_internal(const char *path, size_t n)
{
    static const char *const parts[] = { "/bits/", "/gnu/", "/sys/cdefs.h" };
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const char *hit = strstr(path, parts[i]);
        if (hit && hit < path + n)
            return 1;
    }
    return 0;
}

static int is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}


/* A line marker of preprocessed text, `# N "file" ...`: the file's name
 * (between the quotes, not NUL-terminated) in *file and *flen. */
static int line_marker(const char *line, size_t len, const char **file, size_t *flen)
{
    const char *q;
    if (!(line[0] == '#' && line[1] == ' ' && line[2] >= '0' && line[2] <= '9' &&
          (q = memchr(line, '"', len)) != NULL))
        return 0;
    const char *end = memchr(q + 1, '"', len - (size_t)(q + 1 - line));
    *file = q + 1;
    *flen = end ? (size_t)(end - q - 1) : 0;
    return 1;
}

/* The stack of files being read, from the line markers (tcc does not always
 * print the enter/leave flags, so a file already on the stack means a
 * return to it). */
enum { FILE_STACK_DEPTH = 64 };
typedef struct file_stack {
    const char *file[FILE_STACK_DEPTH];
    size_t flen[FILE_STACK_DEPTH];
    size_t depth;
} file_stack;

/* A marker naming file [f, f+fl): back to it if it is on the stack, else
 * pushed; returns 1 when pushed (as level depth - 1). */
static int file_stack_visit(file_stack *st, const char *f, size_t fl)
{
    size_t k = 0;
    while (k < st->depth && !(st->flen[k] == fl && !memcmp(st->file[k], f, fl)))
        k++;
    if (k < st->depth) {
        st->depth = k + 1;
        return 0;
    }
    if (st->depth == FILE_STACK_DEPTH)
        return 0;
    st->file[st->depth] = f;
    st->flen[st->depth++] = fl;
    return 1;
}
/* Whether the file is one of the system's or of an include directory in
 * `options` (-Idir), as opposed to one a cell wrote and #included by path. */
static int is_trusted(const char *path, size_t n, const char *options)
{
    if (n > 5 && !strncmp(path, "/usr/", 5))
        return 1;
    for (const char *o = options ? strstr(options, "-I") : NULL; o; o = strstr(o + 2, "-I")) {
        size_t dl = strcspn(o + 2, " \t");
        if (dl && dl < n && !strncmp(path, o + 2, dl) && path[dl] == '/')
            return 1;
    }
    return 0;
}

int headers_origin(const char *source, const char *options, const char *lib_path, const char *name,
                   char *out, size_t outlen, int *trusted)
{
    char err[256];
    char *text = preprocess(source, "-E -dD", options, lib_path, err, sizeof err);
    if (!text)
        return -1;
    file_stack st = { .depth = 0 };
    size_t nlen = strlen(name);
    int found = -1;
    for (char *line = text; line && *line && found < 0;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *q;
        size_t fl;
        if (line_marker(line, len, &q, &fl)) {
            file_stack_visit(&st, q, fl);
        } else {
            for (const char *p = line; p + nlen <= line + len; p++)
                if (!memcmp(p, name, nlen) && (p == line || !is_ident_char(p[-1])) &&
                    (p + nlen == line + len || !is_ident_char(p[nlen]))) {
                    found = 1;
                    break;
                }
        }
        line = nl ? nl + 1 : NULL;
    }
    int rc = -1;
    for (size_t k = st.depth; found > 0 && k-- > 0;) {
        if (st.file[k][0] == '<' || is_internal(st.file[k], st.flen[k]))
            continue;
        user_header_name(st.file[k], st.flen[k], out, outlen);
        if (trusted)
            *trusted = is_trusted(st.file[st.depth - 1], st.flen[st.depth - 1], options);
        rc = 0;
        break;
    }
    free(text);
    return rc;
}

int headers_dependencies(const char *source, const char *options, const char *lib_path,
                         char ***files, size_t *nfiles, char *err, size_t errlen)
{
    char *text = preprocess(source, "-E", options, lib_path, err, errlen);
    if (!text)
        return -1;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *q;
        size_t fl;
        if (line_marker(line, len, &q, &fl) && fl && q[0] != '<') {
            char *path = strndup(q, fl);
            if (path && !strv_has(*files, *nfiles, path))
                strv_add(files, nfiles, path);
            free(path);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return 0;
}

static int intern_file(headers_map *m, const char *name)
{
    for (size_t i = 0; i < m->nfiles; i++)
        if (strcmp(m->files[i], name) == 0)
            return (int)i;
    char **f = realloc(m->files, (m->nfiles + 1) * sizeof *f);
    if (!f)
        return -1;
    m->files = f;
    m->files[m->nfiles] = strdup(name);
    return m->files[m->nfiles] ? (int)m->nfiles++ : -1;
}

int headers_flatten_mapped(const char *source, const char *options, const char *lib_path,
                           headers_map *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *text = preprocess(source, "-E -dD", options, lib_path, err, errlen);
    if (!text)
        return -1;
    repair_variadic_macros(text);
    repair_token_paste(text);
    if (headers_map_text(text, out) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int headers_map_text(char *text, headers_map *out)
{
    memset(out, 0, sizeof *out);
    size_t lines = 1;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    out->line_file = malloc(lines * sizeof *out->line_file);
    if (!out->line_file) {
        free(text);
        return -1;
    }
    out->text = text;
    /* The same stack of files as headers_origin, and for each level the
     * header a user knows (the nearest level that is not internal). */
    file_stack st = { .depth = 0 };
    int shown[FILE_STACK_DEPTH];
    int current = -1;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *q;
        size_t fl;
        if (line_marker(line, len, &q, &fl)) {
            size_t d = st.depth;
            if (file_stack_visit(&st, q, fl)) {
                int id = d ? shown[d - 1] : -1;
                if (q[0] != '<' && !is_internal(q, fl)) {
                    char name[512];
                    user_header_name(q, fl, name, sizeof name);
                    id = d ? intern_file(out, name) : -1; /* level 0: the source */
                }
                shown[d] = id;
            }
            current = st.depth ? shown[st.depth - 1] : -1;
            /* Blanked below: the stack points into it until the end. */
            out->line_file[out->nlines++] = -2;
        } else {
            out->line_file[out->nlines++] = current;
        }
        line = nl ? nl + 1 : NULL;
    }
    size_t l = 0;
    for (char *p = text; *p; p++) {
        if (*p == '\n')
            l++;
        else if (out->line_file[l] == -2)
            *p = ' '; /* the splitter must not see a line marker */
    }
    for (l = 0; l < out->nlines; l++)
        if (out->line_file[l] == -2)
            out->line_file[l] = -1;
    return 0;
}

void headers_map_free(headers_map *m)
{
    free(m->text);
    free(m->line_file);
    for (size_t i = 0; i < m->nfiles; i++)
        free(m->files[i]);
    free(m->files);
    memset(m, 0, sizeof *m);
}

char *headers_include_options(const char *path)
{
    if (!path || !*path)
        return NULL;
    strbuf opts = { 0 };
    char *copy = strdup(path);
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
        strbuf_addf(&opts, "-I%s ", d);
    free(copy);
    return strbuf_take(&opts);
}
