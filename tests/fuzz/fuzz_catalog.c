/* fuzz_catalog.c — fuzz target: flattened headers as editor help and the
 * session read them.
 *
 * The input stands for the preprocessor's -E -dD output (line markers,
 * #define lines, declarations): what headers_map_text, catalog_from_map and
 * declindex_new are given in the kernel.  libtcc itself is not fuzzed here
 * (it is not chalk's code), nor is the file system.  Properties: no crash
 * or leak; the map has one entry per line and no line marker left; every
 * catalog entry names a header of the map and a known kind, the entries
 * are sorted and unique and catalog_find/catalog_prefix find them; the
 * declaration index's closure of any name of the input emits no more
 * chunks than it has.  The include-path context is checked at every offset.
 */
#define _GNU_SOURCE
#include <string.h>

#include "catalog.h"
#include "declindex.h"
#include "fuzz.h"
#include "headers.h"
#include "includes.h"

static int is_kind(const char *k)
{
    static const char *const kinds[] = { "function", "variable", "type", "macro", "declaration" };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(k, kinds[i]) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    size_t len = strlen(text);

    /* The #include context at each place a cursor could be. */
    for (size_t end = 0; end <= len && end < 512; end++) {
        size_t start = (size_t)-1;
        int quoted = -1;
        if (includes_context(text, end, &start, &quoted))
            FUZZ_CHECK(start <= end && (quoted == 0 || quoted == 1) &&
                       (text[start - 1] == '<' || text[start - 1] == '"'));
    }

    declindex *idx = declindex_new(text, NULL);
    FUZZ_CHECK(idx != NULL);
    size_t nchunks = declindex_nchunks(idx);

    headers_map map;
    char *owned = strdup(text);
    FUZZ_CHECK(owned != NULL);
    FUZZ_CHECK(headers_map_text(owned, &map) == 0);
    size_t newlines = 0;
    for (size_t i = 0; i < len; i++)
        newlines += text[i] == '\n';
    FUZZ_CHECK(map.nlines == newlines + (len > 0 && text[len - 1] != '\n'));
    for (size_t l = 0; l < map.nlines; l++)
        FUZZ_CHECK(map.line_file[l] >= -1 && map.line_file[l] < (int)map.nfiles);
    for (const char *p = map.text; *p;) {
        FUZZ_CHECK(!(p[0] == '#' && p[1] == ' ' && p[2] >= '0' && p[2] <= '9' &&
                     memchr(p, '"', strcspn(p, "\n"))));
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }

    catalog *c = catalog_from_map(&map);
    FUZZ_CHECK(c != NULL);
    size_t n = catalog_size(c);
    const catalog_entry *all = NULL;
    FUZZ_CHECK(catalog_prefix(c, "", 0, &all) == n);
    for (size_t i = 0; i < n; i++) {
        const catalog_entry *e = &all[i];
        FUZZ_CHECK(e->name[0] && e->name[0] != '_' && e->decl && is_kind(e->kind));
        int known = 0;
        for (size_t f = 0; f < map.nfiles && !known; f++)
            known = strcmp(map.files[f], e->header) == 0;
        FUZZ_CHECK(known);
        FUZZ_CHECK(i == 0 || strcmp(all[i - 1].name, e->name) < 0);
        FUZZ_CHECK(catalog_find(c, e->name) == e);
        const catalog_entry *first;
        size_t k = catalog_prefix(c, e->name, strlen(e->name), &first);
        FUZZ_CHECK(k >= 1 && first == e);
        /* Whatever the catalog found, the index can close over. */
        const char *names[1] = { e->name };
        strbuf out = { 0 };
        FUZZ_CHECK(declindex_closure(idx, names, 1, &out) <= nchunks);
        strbuf_free(&out);
    }
    catalog_destroy(&c);
    headers_map_free(&map);
    declindex_destroy(&idx);
    free(text);
    return 0;
}
