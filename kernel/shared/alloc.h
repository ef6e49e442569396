/* alloc.h — the kernel's allocation helpers, one copy for every file of
 * kernel/ (both processes and libchalkcell).
 *
 * Failure policy: out of memory, these print "chalk: out of memory" on
 * stderr and abort(); they never return NULL.  Why: the code that uses them
 * (splitting a cell, the declaration store, the header index, the editor)
 * has no partial result worth keeping, and a NULL checked at each of its
 * hundreds of allocations would be hundreds of untested paths.  What an
 * abort costs: in a cell's child (where a cell's own memory limit,
 * %limits memory, is reached), only that cell, reported as SIGABRT, with the
 * session as it was; in the holder, the session (the kernel says "the
 * kernel's executor process died" and starts a new one); in the kernel
 * process, the kernel.
 *
 * Beware: code whose allocations a user can drive large on purpose (a
 * cell's values, what the cell sends) must not use these; it checks for
 * NULL and fails the cell with a message instead.
 */
#ifndef CHALK_ALLOC_H
#define CHALK_ALLOC_H

#include <stddef.h>

/* n bytes, zeroed (calloc; n 0 gives a unique pointer to free). */
void *alloc_zeroed(size_t n);
/* realloc(p, n) (n 0 keeps a 1-byte block: never the NULL realloc may give). */
void *alloc_resize(void *p, size_t n);
/* The first n bytes of s, NUL-terminated. */
char *alloc_strndup(const char *s, size_t n);
char *alloc_strdup(const char *s);

#endif
