/* tcc_scratch.h — give libtcc's largest static scratch back between cells.
 *
 * libtcc 0.9.27 keeps its preprocessor's identifier hash table in a static
 * array (tccpp.c: `static TokenSym *hash_ident[16384]`, 128 KB), which
 * tccpp_new clears at the start of every compilation and nothing reads after
 * it.  A holder that was a cell's child has it dirty, and it and its spare
 * kept 32 pages of anonymous memory resident for nothing.  Between cells
 * the holder drops them (MADV_DONTNEED: they read as zeros again, what the
 * next tccpp_new writes anyway).
 *
 * Beware: the array is a static of a library linked into the executable, so
 * it is found by name in the executable's own symbol table; a stripped
 * executable has none and nothing is dropped.  Call tcc_scratch_release only
 * while no compilation runs in the process (the holder, between cells).
 */
#ifndef CHALK_TCC_SCRATCH_H
#define CHALK_TCC_SCRATCH_H

/* Find the array (once, before the first fork: children inherit it). */
void tcc_scratch_find(void);
/* Drop its whole pages (nothing if it was not found). */
void tcc_scratch_release(void);
/* Make them resident again, in the process about to compile a cell: they
 * are written at once, and one call costs less than their page faults. */
void tcc_scratch_populate(void);

#endif
