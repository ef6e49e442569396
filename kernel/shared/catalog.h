/* catalog.h — every declaration of the installed headers a cell may include,
 * with the header that declares it: the C library's standard headers (and
 * POSIX's most used), libchalk's chalk.h and every GSL header.
 *
 * Editor help uses it for names the session has not included yet (inspect
 * says where a function lives; completion offers it, marked with its header).
 * Building it is one preprocessing of all those headers together and one
 * split of the result: about a tenth of a second, so it is built lazily, the
 * first time a request needs it, never at start or for a cell.
 *
 * Beware: a name declared by several headers is filed under the first one
 * preprocessed (the standard headers come first, then chalk.h, then GSL in
 * file-name order); names starting with '_' are left out.
 */
#ifndef CHALK_CATALOG_H
#define CHALK_CATALOG_H

#include <stddef.h>

typedef struct catalog_entry {
    const char *name;
    const char *decl;   /* the declaration on one line */
    const char *header; /* as in #include <...>: "gsl/gsl_integration.h" */
    const char *kind;   /* "function" "variable" "type" "macro" "declaration" */
} catalog_entry;

typedef struct catalog catalog;

/* Index the headers found in `dirs` (NULL-terminated, in search order; see
 * includes_dirs).  `options` are tcc options for the preprocessing (-I...).
 * An empty catalog (never NULL) when the headers cannot be read; *err says
 * why then. */
catalog *catalog_build(const char *const *dirs, const char *options, char *err, size_t errlen);
/* Index a source of #include lines (for tests and the fuzz target). */
catalog *catalog_build_source(const char *source, const char *options, char *err, size_t errlen);
/* Index flattened text already mapped (headers.h; for the fuzz target). */
struct headers_map;
catalog *catalog_from_map(const struct headers_map *map);
void catalog_destroy(catalog **cat_p);

size_t catalog_size(const catalog *cat);
const catalog_entry *catalog_find(const catalog *cat, const char *name);
/* The entries whose name starts with prefix (plen bytes), sorted by name:
 * *first and the count. */
size_t catalog_prefix(const catalog *cat, const char *prefix, size_t plen,
                      const catalog_entry **first);

#endif
