/* declindex.h — an index of the top-level declarations of flattened headers,
 * and the dependency closure that lets a cell compile only what it uses.
 *
 * Parsing `#include <stdio.h>` and GSL costs 5-10 ms per cell; the same text
 * flattened once and cut down to what the cell references costs well under a
 * millisecond.  The index keeps every chunk (macro definition, typedef,
 * struct/enum definition, prototype, extern variable, static inline function)
 * with the names it defines and the identifiers it mentions.
 *
 * Beware: only the last live definition of each macro is kept (a `#define`
 * undone by a later `#undef` is dropped: its uses were already expanded by
 * the flattening).  Chunks are always emitted in their original order, which
 * keeps re-preprocessing of the flattened text faithful.
 */
#ifndef CHALK_DECLINDEX_H
#define CHALK_DECLINDEX_H

#include <stddef.h>
#include "cellsrc.h"

/* ---- a string -> list of size_t map (also used by session) ---- */
typedef struct declindex_map declindex_map;
declindex_map *declindex_map_new(void);
void declindex_map_destroy(declindex_map **map_p);
/* Appends val to the list of key (len bytes). */
void declindex_map_add(declindex_map *m, const char *key, size_t len, size_t val);
/* The list of key, or NULL (then *n = 0).  Valid until the next add. */
const size_t *declindex_map_get(const declindex_map *m, const char *key, size_t len, size_t *n);

/* ---- the index ---- */
typedef struct declindex declindex;

/* Index `flat` (text from headers_flatten).  Macros named in `predefined`
 * (an index of the compiler's own predefined macros, may be NULL) are left
 * out: they are defined in every compilation anyway.  The text is copied. */
declindex *declindex_new(const char *flat, const declindex *predefined);
void declindex_destroy(declindex **idx_p);

/* Every chunk's text, in order (the safe fallback when a closure is wrong). */
const char *declindex_text(declindex *idx);
size_t declindex_nchunks(const declindex *idx);

/* Whether a chunk defines `name` as a typedef name / defines it at all
 * (tags are looked up as "struct S").  len bytes, not NUL-terminated. */
int declindex_is_type(const declindex *idx, const char *name, size_t len);
int declindex_defines(const declindex *idx, const char *name);
/* Whether `name` is declared as an ordinary identifier (macro, typedef,
 * function, variable, enum constant), not only as a tag. */
int declindex_declares(const declindex *idx, const char *name);
/* Whether `name` is a function declared to return plain void. */
int declindex_returns_void(const declindex *idx, const char *name);
/* Whether `name` is a macro (live at the end of the headers). */
int declindex_is_macro(const declindex *idx, const char *name);

/* Append to `out` the chunks that define the given names and, transitively,
 * everything those chunks mention, in original order.  A name is looked up
 * as an ordinary identifier and as a struct/union/enum tag.  Returns the
 * number of chunks emitted.  Not thread-safe (marks live in the index). */
size_t declindex_closure(declindex *idx, const char *const *names, size_t n, strbuf *out);

/* ---- the index as bytes (the prebuilt file, header_index.h) ---- */
/* Append the frozen index to `out`: position-independent, native byte
 * order, to be read back only by the same build (header_index.c keys the
 * file on the executable). */
void declindex_serialize(const declindex *idx, strbuf *out);
/* An index whose arrays are `blob` itself (declindex_serialize's bytes,
 * 4-aligned; not copied: the blob must outlive the index, which reads only
 * the pages a lookup or closure needs).  NULL when the blob's sizes do not
 * add up.  Beware: the offsets inside are trusted, so the caller must have
 * checked the bytes are the ones written (header_index.c checksums them). */
declindex *declindex_view(const void *blob, size_t len);

#endif
