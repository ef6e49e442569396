/* includes.h — the directories `#include` searches, and completion of the
 * path in an `#include <...>` or `#include "..."` line.
 *
 * The list is tcc's own search order (its runtime's include directory, then
 * /usr/local/include and /usr/include, each with the multiarch directory
 * first) after the directories chalk adds (the configured include path,
 * %cflags -I).  Only directories that exist are listed.
 *
 * Beware: completion reads directories on the kernel's loop; it lists one
 * directory per search directory (the one the typed path names), never a
 * tree, so it stays within a millisecond.
 */
#ifndef CHALK_INCLUDES_H
#define CHALK_INCLUDES_H

#include <jansson.h>
#include <stddef.h>

/* NULL-terminated list of directories (caller frees with includes_free):
 * those of `path` (':'-separated, may be NULL), then of `extra` (same form),
 * then the system's.  `tcc_libdir` NULL: the configured one. */
char **includes_dirs(const char *path, const char *extra, const char *tcc_libdir);
void includes_free(char **dirs);

/* If code[0..end) ends inside the path of an #include line, return 1 and
 * set *start to the offset where the path begins (just after < or "),
 * *quoted to whether it is the "..." form. */
int includes_context(const char *code, size_t end, size_t *start, int *quoted);

/* Append to matches (a JSON array of strings) the headers and directories
 * ("gsl/" with its slash) whose path starts with `partial` (n bytes), found
 * in `dirs` (and in the current directory first when `quoted`), sorted,
 * without duplicates, at most `max`. */
void includes_complete(char *const *dirs, const char *partial, size_t n, int quoted, size_t max,
                       json_t *matches);

#endif
