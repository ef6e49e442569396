/* includes.c — include directories and #include path completion (see
 * includes.h).
 *
 * The multiarch directory (x86_64-linux-gnu, ...) is read off the tcc
 * runtime directory configure found (/usr/lib/<triplet>/tcc), which is what
 * tcc itself was built for.
 */
#define _GNU_SOURCE
#include "includes.h"

#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cellsrc.h"

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void add_dir(char ***dirs, size_t *n, const char *d, size_t len)
{
    char *path = strndup(d, len);
    if (!path)
        return;
    while (len > 1 && path[len - 1] == '/')
        path[--len] = 0;
    int dup = 0;
    for (size_t i = 0; i < *n && !dup; i++)
        dup = strcmp((*dirs)[i], path) == 0;
    char **grown = dup || !is_dir(path) ? NULL : realloc(*dirs, (*n + 2) * sizeof **dirs);
    if (!grown) {
        free(path);
        return;
    }
    *dirs = grown;
    (*dirs)[(*n)++] = path;
    (*dirs)[*n] = NULL;
}

static void add_list(char ***dirs, size_t *n, const char *list)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ":");
        if (len)
            add_dir(dirs, n, p, len);
        p += len + (p[len] == ':');
    }
}

char **includes_dirs(const char *path, const char *extra, const char *tcc_libdir)
{
    char **dirs = calloc(1, sizeof *dirs);
    size_t n = 0;
    if (!dirs)
        return NULL;
    add_list(&dirs, &n, path);
    add_list(&dirs, &n, extra);
    const char *lib = tcc_libdir ? tcc_libdir : CHALK_TCC_LIBDIR;
    strbuf b = { 0 };
    strbuf_addf(&b, "%s/include", lib);
    add_dir(&dirs, &n, b.s, strlen(b.s));
    strbuf_free(&b);
    /* "/usr/lib/x86_64-linux-gnu/tcc" -> "x86_64-linux-gnu" */
    char triplet[64] = "";
    const char *t = strstr(lib, "-linux-");
    if (t) {
        const char *s = t, *e = t;
        while (s > lib && s[-1] != '/')
            s--;
        while (*e && *e != '/')
            e++;
        if ((size_t)(e - s) < sizeof triplet)
            memcpy(triplet, s, (size_t)(e - s)), triplet[e - s] = 0;
    }
    static const char *const roots[] = { "/usr/local/include", "/usr/include" };
    for (size_t i = 0; i < 2; i++) {
        if (*triplet) {
            strbuf_addf(&b, "%s/%s", roots[i], triplet);
            add_dir(&dirs, &n, b.s, strlen(b.s));
            strbuf_free(&b);
        }
        add_dir(&dirs, &n, roots[i], strlen(roots[i]));
    }
    return dirs;
}

void includes_free(char **dirs)
{
    for (size_t i = 0; dirs && dirs[i]; i++)
        free(dirs[i]);
    free(dirs);
}

int includes_context(const char *code, size_t end, size_t *start, int *quoted)
{
    size_t ls = end;
    while (ls > 0 && code[ls - 1] != '\n')
        ls--;
    const char *p = code + ls, *e = code + end;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= e || *p != '#')
        return 0;
    p++;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (e - p < 7 || strncmp(p, "include", 7) != 0)
        return 0;
    p += 7;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p >= e || (*p != '<' && *p != '"'))
        return 0;
    char close = *p == '<' ? '>' : '"';
    *quoted = *p == '"';
    p++;
    if (memchr(p, close, (size_t)(e - p)))
        return 0; /* the cursor is past the closed path */
    *start = (size_t)(p - code);
    return 1;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void includes_complete(char *const *dirs, const char *partial, size_t n, int quoted, size_t max,
                       json_t *matches)
{
    /* "gsl/gsl_lina": list <dir>/gsl/ for names starting with "gsl_lina". */
    size_t slash = n;
    while (slash > 0 && partial[slash - 1] != '/')
        slash--;
    const char *base = partial + slash;
    size_t blen = n - slash;
    char **found = NULL;
    size_t nfound = 0;
    int absolute = n > 0 && partial[0] == '/';
    size_t ndirs = 0;
    while (dirs && dirs[ndirs])
        ndirs++;
    for (size_t i = 0; i < ndirs + 2 && nfound < max; i++) {
        /* First the current directory for "...", last an absolute path. */
        const char *root = i == 0       ? (quoted && !absolute ? "." : NULL)
                           : i <= ndirs ? (absolute ? NULL : dirs[i - 1])
                                        : (absolute ? "" : NULL);
        if (!root)
            continue;
        strbuf path = { 0 };
        strbuf_addf(&path, "%s/%.*s", root, (int)slash, partial);
        DIR *d = opendir(path.s);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL && nfound < max) {
            const char *name = de->d_name;
            size_t len = strlen(name);
            if ((name[0] == '.' && (blen == 0 || base[0] != '.')) || strncmp(name, base, blen) != 0)
                continue;
            strbuf full = { 0 };
            strbuf_addf(&full, "%s%s", path.s, name);
            int dir = is_dir(full.s);
            strbuf_free(&full);
            if (!dir && !(len > 2 && strcmp(name + len - 2, ".h") == 0))
                continue;
            strbuf m = { 0 };
            strbuf_addf(&m, "%.*s%s%s", (int)slash, partial, name, dir ? "/" : "");
            int seen = 0;
            for (size_t k = 0; k < nfound && !seen; k++)
                seen = strcmp(found[k], m.s) == 0;
            char **grown = seen ? NULL : realloc(found, (nfound + 1) * sizeof *found);
            if (grown) {
                found = grown;
                found[nfound++] = strbuf_take(&m);
            }
            strbuf_free(&m);
        }
        if (d)
            closedir(d);
        strbuf_free(&path);
    }
    if (nfound)
        qsort(found, nfound, sizeof *found, by_string);
    for (size_t k = 0; k < nfound; k++) {
        json_array_append_new(matches, json_string(found[k]));
        free(found[k]);
    }
    free(found);
}
