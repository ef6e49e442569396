/* isolate.h — what a cell leaves behind must not reach the holder.
 *
 * A cell that succeeds becomes the next holder (executor.h), so without
 * these defences it would hand the holder its signal handlers and mask, its
 * threads, its child processes and its closed or redirected stdout/stderr.
 * A handler for SIGCHLD that calls _exit(0), say, would kill the holder when
 * the next cell's child dies, and the session with it.  So:
 *   - the holder sets every signal it does not need to SIG_IGN (a cell's
 *     kill(0, SIGTERM) or kill(getppid(), SIGUSR1) cannot stop it), with
 *     SIGCHLD and the fault signals at their defaults and an empty mask;
 *     a cell's process starts from SIG_DFL for every signal;
 *   - holders and cell processes are child subreapers, so a cell's orphaned
 *     grandchildren come back to them and are killed after the cell;
 *   - fds 1 and 2 are compared with the kernel's pipes (device and inode,
 *     recorded when the executor starts, with copies kept at high fds) and
 *     put back, and the stdout/stderr FILE streams are rebuilt if a cell
 *     closed, reopened or oriented them;
 *   - a cell that would hand over running threads, or closed both a kernel
 *     descriptor and its copy, fails instead (isolate_leftovers).
 * Beware: nothing here stops code that deliberately forges messages on the
 * cell socket or kills the holder with SIGKILL: a cell runs in-process with
 * the holder's rights.
 */
#ifndef CHALK_ISOLATE_H
#define CHALK_ISOLATE_H

#include <stddef.h>

/* In the first holder: record fds 1, 2 and the channel, keep copies. */
void isolate_init(int chan_fd);

/* In a holder (the first, and each cell process that takes over): the
 * holder's signal dispositions and mask, subreaper, stdio put back. */
void isolate_holder(void);

/* In a cell's process before the cell runs: default dispositions, empty
 * mask, subreaper, fds 1/2 and the C streams put back. */
void isolate_cell_start(void);

/* Put fds 1 and 2 and the stdout/stderr FILE streams back as the kernel
 * gave them (cheap when nothing changed). */
void isolate_repair_stdio(void);

/* Kill and reap every child of this process (and the orphans that come
 * back to it while doing so).  Returns how many were killed. */
int isolate_kill_children(void);

/* At the end of a cell that succeeded, before it becomes the holder, with
 * the number of threads the cell started that still run: kill
 * its child processes, put back the kernel's descriptors, and return NULL
 * if it may hand over, else the error's name with a message in err (threads
 * left running: "ThreadError"; a descriptor and its copy both closed:
 * "DescriptorError"). */
const char *isolate_leftovers(int threads, char *err, size_t errlen);

#endif
