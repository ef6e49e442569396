/* prefault.h — the pages a cell wrote, written ahead in the next cell's
 * process while it waits for its cell, so that the cell does not wait for
 * their copy-on-write faults; and the pages of files it read (code,
 * constants), mapped ahead (see prefault.c).
 */
#ifndef CHALK_PREFAULT_H
#define CHALK_PREFAULT_H

/* In the process that ran a cell and becomes the holder, before the old
 * holder may exit: note the pages this process maps alone, and those of
 * read-only file mappings it maps; nothing if its cell had come before it
 * began to wait (prefault_apply found it there: cells back to back). */
void prefault_note(void);

/* In the next cell's process, forked from that holder: make the noted pages
 * its own and map the noted file pages, until its cell arrives on cellfd
 * (readable).  Changes no byte of them. */
void prefault_apply(int cellfd);

#endif
