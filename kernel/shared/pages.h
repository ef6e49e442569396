/* pages.h — keep a page fault from mapping pages nobody reads.
 *
 * A read fault on a file mapping also maps up to 15 neighbouring pages that
 * are in the page cache ("fault-around", 64 KB, never past the mapping's
 * VMA).  Every page so mapped counts in the resident pages of the process
 * tree (make bench), read or not: the prebuilt header index (header_index.h)
 * had 128 of its 212 pages mapped after ten trivial cells, 49 of them read.
 * Marking every other page MADV_RANDOM keeps the kernel from merging the
 * pages' VMAs, so that each fault maps its own page only.
 *
 * Beware: that is one VMA per page, and fork copies every VMA; use it on
 * mappings of a few hundred pages, not on a 30 MB library.  Nothing changes
 * for pages already mapped, nor for a process that never faults them again
 * (a fork does not copy page tables of file mappings: its child faults).
 */
#ifndef CHALK_PAGES_H
#define CHALK_PAGES_H

#include <stddef.h>

/* For the pages of [addr, addr + len) (page-aligned addr). */
void pages_fault_singly(void *addr, size_t len);

/* For the read-only segments of the program itself and of every loaded
 * library whose file name contains one of the n `libs` (e.g. "/libchalk.so"). */
void pages_fault_singly_objects(const char *const *libs, size_t n);

#endif
