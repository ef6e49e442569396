/* images.h — the code and data of cells that ran, and giving back those that
 * nothing points into any more.
 *
 * A cell that succeeded leaves its image (compile_keep_image) in the holder
 * for the rest of the session: its functions and variables are the
 * session's.  A cell that defines nothing (`printf(...)`, a loop, a call)
 * leaves an image too, ~0.4 KiB, and a session of 10,000 such cells would
 * grow by megabytes that every fork copies.  Nothing names such an image;
 * only a pointer the cell stored (a string literal in an earlier global, a
 * static local, a handler) can reach it.  So images of such cells are
 * candidates, and once enough have gathered the holder looks for pointers
 * into them in every page it could read one from (writable mappings, the
 * live part of its stack, the signal handlers) and frees the candidates no
 * word points into.  Conservative: any word that looks like a pointer keeps
 * its image, so a freed image is one no aligned pointer reaches.
 *
 * Beware: a pointer the program hides (XORed, stored unaligned, written to a
 * file and read back, kept in a mapping it made unreadable or in a file's mapping it made
 * read-only) is not seen;
 * glibc mangles only setjmp buffers and its atexit list, and chalk's run
 * time stands in for atexit.
 */
#ifndef CHALK_IMAGES_H
#define CHALK_IMAGES_H

#include <stddef.h>

#include "compile_tcc.h"

/* The image of a cell that defined nothing: freed by a later
 * images_collect if nothing points into it. */
void images_candidate(compile_image img);

/* In the holder, between cells, called from its main loop (the stack below
 * the caller is dead and not scanned): look for pointers once `threshold`
 * candidates have gathered (0: whatever there are).  Returns how many images
 * were freed. */
size_t images_collect(size_t threshold);

#endif
