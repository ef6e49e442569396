/* header_index.h — the prelude's header index, built once (at `make`
 * time, or by hand with `chalk-executor --write-header-index FILE`) and
 * mapped read-only by every executor, instead of flattening and indexing
 * the headers in each new kernel (25-40 ms of CPU and about 1 MB of heap
 * per kernel: see decl_store_warm).
 *
 * The file holds the three indexes decl_store_warm builds (tcc's predefined
 * macros, the prelude, the default prelude's library names) after a key: the
 * executable that wrote it (size and mtime: the flattening code, the ABI
 * table and libtcc are all linked into it), tcc's runtime directory, the
 * feature macros, the prelude's text and the -I options, and every file and
 * directory the flattening read or searched, each with its size and mtime.
 * A file whose key differs in anything, whose dependencies changed on disk,
 * or whose bytes do not match their checksum is not used (header_index_open
 * returns NULL): the caller builds the index in memory, as without a file.
 *
 * Beware: a header edited in place with its size and mtime restored (touch
 * -r) goes unnoticed, as it would by make.  Directories are listed so that a
 * header added in front of one the index used (a new file in an -I
 * directory shadowing a system header) makes the file stale too.
 */
#ifndef CHALK_HEADER_INDEX_H
#define CHALK_HEADER_INDEX_H

#include <stddef.h>

#include "declindex.h"

typedef struct header_index {
    declindex *pre;  /* tcc's predefined macros */
    declindex *base; /* the prelude */
    declindex *lib;  /* the default prelude's, or NULL: the same as base */
    void *map;       /* the file's pages (the indexes point into them) */
    size_t maplen;
} header_index;

/* Write the indexes for `prelude` read with tcc `options` (may be "") to
 * `path` (replaced atomically).  `lib` (the index of `lib_prelude`) NULL
 * means the same as base.  0, or
 * -1 with err (a relative -I directory is refused: its meaning depends on
 * the directory a kernel starts in). */
int header_index_write(const char *path, const char *prelude, const char *options,
                       const declindex *pre, const declindex *base, const declindex *lib,
                       const char *lib_prelude, char *err, size_t errlen);

/* The indexes of the file at `path` if it was written for exactly this
 * prelude and options by this executable and nothing it depends on changed;
 * else NULL, with the reason in why (may be NULL).  Touches only the file's
 * first pages and its dependencies' inodes (the checksum is read with
 * pread, not through the mapping). */
header_index *header_index_open(const char *path, const char *prelude, const char *options,
                                char *why, size_t whylen);
/* Destroys the three indexes too. */
void header_index_close(header_index **self_p);

#endif
