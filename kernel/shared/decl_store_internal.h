/* decl_store_internal.h — what decl_store.c (the store) and
 * decl_store_unit.c (the translation unit it builds for a cell) share: the
 * store's entries and state.  Not for any other file.
 */
#ifndef CHALK_DECL_STORE_INTERNAL_H
#define CHALK_DECL_STORE_INTERNAL_H

#include <string.h>

#include "decl_store.h"
#include "declindex.h"

enum { ENT_MACRO, ENT_UNDEF, ENT_TYPE, ENT_VAR, ENT_FUNC, ENT_DECL };
typedef struct entry {
    int kind;
    char **keys; /* names defined (tags as "struct S") */
    size_t nkeys;
    char **refs;
    size_t nrefs;
    char *text; /* what a later cell sees */
    char *decl; /* for %who: "double *v" */
    void *addr; /* VAR/FUNC */
    int is_void;
    char **typenames; /* TYPE: typedef names (decide declarations) */
    size_t ntypenames;
    int dead; /* replaced by a newer definition (see remove_keys) */
    int cc;   /* FUNC/VAR: defined by a %%cc cell (the system compiler) */
    int pack; /* VAR/FUNC/DECL: the #pragma pack over it (cellsrc_item.pack) */
} entry;

struct decl_store {
    char *prelude, *options;
    int full_headers;
    char *show_tag; /* decl_store_show_struct: "struct pt", or NULL */
    int show_fields;
    declindex *pre;              /* tcc's predefined macros */
    declindex *base;             /* prelude only */
    declindex *idx;              /* prelude + session includes */
    declindex *lib;              /* DECL_STORE_DEFAULT_PRELUDE's (== base when it is
                                  the prelude): reserved whatever the prelude */
    char *index_files;           /* decl_store_set_index_files, or NULL */
    struct header_index *mapped; /* pre, base and lib are its, not ours */
    char **includes;
    size_t nincludes;
    entry *ents;
    size_t nents, ndead;
    /* Lookups by name must not cost a pass over the whole history (a
     * session of 1,000 cells would slow every cell): plain name -> entries
     * and typedef name -> entries, dead ones included until compact(). */
    declindex_map *names;
    declindex_map *types;
    int cc; /* decl_store_set_backend: this cell is a %%cc cell */
    /* `#pragma pack` as the cells so far leave it: a file's directive holds
     * to its end, so a pack one cell opens holds in the next ones. */
    cellsrc_pack pack;
};

typedef struct decl_store_private {
    cellsrc_cell *cell;
    declindex *idx;  /* new header index (new includes), or NULL */
    char **includes; /* the include list it was built from */
    size_t nincludes;
    char *source; /* the headers' source (prelude + includes) */
    char *code;   /* the cell, for naming a line */
    int cell_number;
    cellsrc_pack pack; /* as the cell leaves it */
} decl_store_private;

/* A definition's plain name: "S" for "struct S". */
static inline const char *plain(const char *def)
{
    const char *sp = strchr(def, ' ');
    return sp ? sp + 1 : def;
}

/* The source the headers are flattened from: the prelude, then includes. */
char *decl_store_headers_source(const decl_store *s, char *const *includes, size_t n);
/* Flatten and index the prelude with `includes`; NULL with err. */
declindex *decl_store_flatten(decl_store *s, char *const *includes, size_t n, char *err,
                              size_t errlen);

/* An item inside a conditional that the store would keep (a definition, a
 * type, a macro) gets a marker symbol beside it in the unit, named
 * DECL_STORE_TAKEN and its index: the store keeps the item only when the
 * marker exists, that is when the preprocessor took its branch. */
#define DECL_STORE_TAKEN "__chalk_taken_"
static inline int decl_store_marks(const cellsrc_item *it)
{
    return (it->flags & CELLSRC_COND) && it->kind != CELLSRC_STMT && it->kind != CELLSRC_EXPR &&
           (it->kind != CELLSRC_PP || it->pp == CELLSRC_PP_DEFINE || it->pp == CELLSRC_PP_UNDEF);
}

/* A variable whose initializer gives its array size (`char s[] = "hi";`,
 * `int v[] = {1, 2, 3};`) gets a constant beside it in the unit, named
 * DECL_STORE_DIM and its index, holding that size: later cells then declare
 * it complete (`extern char s[3];`), so that sizeof works there as it does
 * in a C file (it was "sizeof applied to an incomplete type").
 * decl_store_open_dim gives the offset of the `]` of the empty first
 * dimension after `name` in a declaration's text, or 0 when it has none. */
#define DECL_STORE_DIM "__chalk_dim_"
size_t decl_store_open_dim(const char *text, const char *name);

#endif
