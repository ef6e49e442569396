/* strv.h — a vector of owned strings: `char **v` with its count beside it
 * (`size_t n`), grown one string at a time.
 *
 * Beware: the vector owns its strings (strv_add copies, strv_free frees
 * each); allocation failure aborts (alloc.h).
 */
#ifndef CHALK_STRV_H
#define CHALK_STRV_H

#include <stddef.h>

void strv_free(char **v, size_t n);
/* A copy of the n strings of v (and of each string). */
char **strv_dup(char *const *v, size_t n);
/* Append a copy of s. */
void strv_add(char ***v, size_t *n, const char *s);
/* 1 if one of the n strings of v equals s. */
int strv_has(char *const *v, size_t n, const char *s);

#endif
