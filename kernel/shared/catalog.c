/* catalog.c — the installed headers' declarations (see catalog.h).
 *
 * All the headers are preprocessed together (include guards make each
 * declaration appear once, in the file that holds it), with line markers
 * kept so that headers_flatten_mapped can say which header a user would
 * include for each line; the splitter then cuts the text into declarations.
 * Entries live in one sorted array whose strings are interned in a few
 * large blocks (a catalog of GSL holds some 8,000 names).
 */
#define _GNU_SOURCE
#include "catalog.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cellsrc.h"
#include "headers.h"

struct catalog {
    catalog_entry *entries;
    size_t n;
    char **strings; /* what the entries point into */
    size_t nstrings;
};

/* The C library's headers as ISO C11 plus POSIX.1-2008 (HEADERS_FEATURES)
 * has them. */
static const char *const libc_headers[] = {
    "assert.h",
    "complex.h",
    "ctype.h",
    "errno.h",
    "fenv.h",
    "float.h",
    "inttypes.h",
    "iso646.h",
    "limits.h",
    "locale.h",
    "math.h",
    "setjmp.h",
    "signal.h",
    "stdalign.h",
    "stdarg.h",
    "stdbool.h",
    "stddef.h",
    "stdint.h",
    "stdio.h",
    "stdlib.h",
    "stdnoreturn.h",
    "string.h",
    "time.h",
    "wchar.h",
    "wctype.h",
    /* and POSIX's that cells use most */
    "unistd.h",
    "fcntl.h",
    "dirent.h",
    "strings.h",
    "pthread.h",
    "sys/types.h",
    "sys/stat.h",
    "sys/time.h",
    "sys/wait.h",
    "sys/resource.h",
    "sys/mman.h",
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const catalog_entry *)a)->name, ((const catalog_entry *)b)->name);
}

typedef struct keyed {
    catalog_entry e;
    size_t place;
} keyed;

static int by_name_then_place(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int r = strcmp(x->e.name, y->e.name);
    return r ? r : (x->place > y->place) - (x->place < y->place);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *keep(catalog *c, char *s)
{
    char **grown = s ? realloc(c->strings, (c->nstrings + 1) * sizeof *grown) : NULL;
    if (!grown) {
        free(s);
        return "";
    }
    c->strings = grown;
    c->strings[c->nstrings++] = s;
    return s;
}

catalog *catalog_build_source(const char *source, const char *options, char *err, size_t errlen)
{
    headers_map map;
    if (headers_flatten_mapped(source, options, NULL, &map, err, errlen) < 0)
        return calloc(1, sizeof(catalog));
    catalog *c = catalog_from_map(&map);
    headers_map_free(&map);
    return c;
}

catalog *catalog_from_map(const headers_map *mp)
{
    catalog *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    const headers_map map = *mp;
    const char **header_of = calloc(map.nfiles + 1, sizeof *header_of);
    for (size_t i = 0; header_of && i < map.nfiles; i++)
        header_of[i] = keep(c, strdup(map.files[i]));
    cellsrc_cell *cell = cellsrc_split(map.text, CELLSRC_WHOLE, NULL, NULL);
    size_t cap = 0;
    for (size_t i = 0; header_of && cell && i < cell->nitems; i++) {
        const cellsrc_item *it = &cell->items[i];
        if (it->kind == CELLSRC_PP && it->pp != CELLSRC_PP_DEFINE)
            continue;
        size_t line = it->line > 0 ? (size_t)it->line - 1 : 0;
        int f = line < map.nlines ? map.line_file[line] : -1;
        if (f < 0)
            continue; /* predefined macros, the source's own lines */
        const char *decl = NULL;
        for (size_t d = 0; d < it->ndefs; d++) {
            const char *name = it->defs[d];
            if (name[0] == '_' || strchr(name, ' '))
                continue;
            if (!decl)
                decl = keep(c, cellsrc_one_line(it->proto ? it->proto : it->text));
            if (c->n == cap) {
                cap = cap ? 2 * cap : 1024;
                catalog_entry *grown = realloc(c->entries, cap * sizeof *grown);
                if (!grown)
                    break;
                c->entries = grown;
            }
            c->entries[c->n++] = (catalog_entry){ keep(c, strdup(name)), decl, header_of[f],
                                                  cellsrc_kind_name(it) };
        }
    }
    cellsrc_destroy(&cell);
    free(header_of);
    /* Sorted and unique by name; the first declaration wins (qsort is not
     * stable: the original position breaks ties). */
    keyed *k = c->n ? malloc(c->n * sizeof *k) : NULL;
    if (k) {
        for (size_t i = 0; i < c->n; i++)
            k[i] = (keyed){ c->entries[i], i };
        qsort(k, c->n, sizeof *k, by_name_then_place);
        size_t w = 0;
        for (size_t i = 0; i < c->n; i++)
            if (w == 0 || strcmp(k[i].e.name, c->entries[w - 1].name) != 0)
                c->entries[w++] = k[i].e;
        c->n = w;
        free(k);
    }
    return c;
}

static int found(const char *const *dirs, const char *header)
{
    int yes = 0;
    for (size_t i = 0; dirs && dirs[i] && !yes; i++) {
        strbuf path = { 0 };
        strbuf_addf(&path, "%s/%s", dirs[i], header);
        yes = access(path.s, R_OK) == 0;
        strbuf_free(&path);
    }
    return yes;
}

/* The GSL headers: every gsl/gsl_*.h of the first directory that has them. */
static void add_gsl(strbuf *src, const char *const *dirs)
{
    for (size_t i = 0; dirs && dirs[i]; i++) {
        strbuf path = { 0 };
        strbuf_addf(&path, "%s/gsl", dirs[i]);
        DIR *d = opendir(path.s);
        strbuf_free(&path);
        if (!d)
            continue;
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            size_t len = strlen(de->d_name);
            if (strncmp(de->d_name, "gsl_", 4) != 0 || len < 3 ||
                strcmp(de->d_name + len - 2, ".h"))
                continue;
            char **grown = realloc(names, (n + 1) * sizeof *names);
            if (!grown)
                break;
            names = grown;
            names[n++] = strdup(de->d_name);
        }
        closedir(d);
        if (n)
            qsort(names, n, sizeof *names, by_string);
        for (size_t k = 0; k < n; k++) {
            if (names[k])
                strbuf_addf(src, "#include <gsl/%s>\n", names[k]);
            free(names[k]);
        }
        free(names);
        return;
    }
}

catalog *catalog_build(const char *const *dirs, const char *options, char *err, size_t errlen)
{
    strbuf src = { 0 };
    /* Only the headers that are there: one missing would fail them all. */
    for (size_t i = 0; i < sizeof libc_headers / sizeof *libc_headers; i++)
        if (found(dirs, libc_headers[i]))
            strbuf_addf(&src, "#include <%s>\n", libc_headers[i]);
    if (found(dirs, "chalk.h"))
        strbuf_add(&src, "#include <chalk.h>\n");
    add_gsl(&src, dirs);
    catalog *c = catalog_build_source(src.s, options, err, errlen);
    strbuf_free(&src);
    return c;
}

void catalog_destroy(catalog **cat_p)
{
    catalog *c = *cat_p;
    if (!c)
        return;
    for (size_t i = 0; i < c->nstrings; i++)
        free(c->strings[i]);
    free(c->strings);
    free(c->entries);
    free(c);
    *cat_p = NULL;
}

size_t catalog_size(const catalog *c)
{
    return c ? c->n : 0;
}

const catalog_entry *catalog_find(const catalog *c, const char *name)
{
    if (!c || !c->n)
        return NULL;
    catalog_entry key = { name, NULL, NULL, NULL };
    return bsearch(&key, c->entries, c->n, sizeof *c->entries, by_name);
}

size_t catalog_prefix(const catalog *c, const char *prefix, size_t plen,
                      const catalog_entry **first)
{
    *first = NULL;
    if (!c || !c->n)
        return 0;
    size_t lo = 0, hi = c->n;
    while (lo < hi) { /* the first name not below the prefix */
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(c->entries[mid].name, prefix, plen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < c->n && strncmp(c->entries[end].name, prefix, plen) == 0)
        end++;
    *first = c->entries + lo;
    return end - lo;
}
