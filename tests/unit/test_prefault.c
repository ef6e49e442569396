/* test_prefault.c — kernel/executor/prefault.c: the pages one process wrote
 * are made its fork's own before the fork writes them, bytes unchanged.
 *
 * The lineage of the executor, played by three processes: the holder (this
 * process) forks a "cell" child that writes some pages and notes them while
 * the holder still maps everything (prefault_note), then forks the "next
 * cell" and exits as a cell's process does when it becomes the holder.  The
 * next cell calls prefault_apply and then writes the same pages: those
 * writes must take no page fault (getrusage's ru_minflt), and the pages must
 * hold what the first cell left.  Without prefault_apply each of them is a
 * copy-on-write fault.  A next cell whose request is already there stops the
 * copying at once: then some of those writes still fault.  Linux before 5.14 has no MADV_POPULATE_WRITE: the
 * fault check is skipped there and says so.
 *
 * The pages of a file the cell read (a read-only private mapping, as the
 * libraries' code is) are mapped in the next cell before it reads them; a
 * page of it the cell did not read is not.
 *
 * A next cell becomes the holder in turn and notes the pages it wrote for
 * the one after it, unless its own cell had come before it began to wait
 * (cells back to back): then it notes nothing, and the one after it copies
 * the pages as it writes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../kernel/executor/prefault.h"
#include "../tap.h"

#define NPAGES 64

static long faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static int has_populate_write(void)
{
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int ok = p != MAP_FAILED && madvise(p, 4096, 23 /* MADV_POPULATE_WRITE */) == 0;
    if (p != MAP_FAILED)
        munmap(p, 4096);
    return ok;
}

/* What the next cell sees, as bits of its exit status. */
enum {
    BYTES_KEPT = 1,
    NO_FAULTS = 2,
    UNTOUCHED_FAULT = 4,
    ARRIVED_STOPS = 8,
    GIVEN_BACK = 32,
    FILE_MAPPED = 64,
    NOTE_KEPT = 128 /* idle: the one after it takes no fault; back to back: it does */
};

/* A file of FILE_PAGES pages, mapped read-only by the holder; the cell reads
 * its first FILE_READ pages. */
#define FILE_PAGES 256
#define FILE_READ 8
static const unsigned char *file_map;

/* The page at p is present in this process. */
static int present(const void *p)
{
    int fd = open("/proc/self/pagemap", O_RDONLY);
    uint64_t e = 0;
    if (fd >= 0) {
        (void)!pread(fd, &e, sizeof e,
                     (off_t)((uintptr_t)p / (uintptr_t)sysconf(_SC_PAGESIZE) * sizeof e));
        close(fd);
    }
    return (int)(e >> 63 & 1);
}

/* This process, having run its cell, as the holder: its note, then the
 * next cell's process writes the pages.  1 if those writes took no fault. */
static int after_me_no_faults(unsigned char *mem, size_t page)
{
    prefault_note();
    pid_t next = fork();
    if (next == 0) {
        int fds[2];
        if (pipe(fds) < 0)
            _exit(2);
        prefault_apply(fds[0]);
        long before = faults();
        for (size_t i = 0; i < NPAGES - 1; i++)
            mem[i * page + 3] = 7;
        _exit(faults() - before == 0 ? 1 : 0);
    }
    int st = 0;
    waitpid(next, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 1;
}

/* The next cell's process: prefault_apply with its cell already there
 * (`arrived`) or not, then the writes a cell would make. */
static int next_cell(unsigned char *mem, size_t page, int arrived)
{
    int fds[2];
    if (pipe(fds) < 0)
        return 255;
    if (arrived)
        (void)!write(fds[1], "c", 1);
    prefault_apply(fds[0]);
    /* the last page the cell wrote, the holder gave back: not made resident */
    int given_back = !present(mem + (NPAGES - 1) * page);
    int file_mapped = 1;
    for (size_t i = 0; i < FILE_READ; i++)
        file_mapped &= present(file_map + i * page);
    file_mapped &= !present(file_map + (FILE_PAGES - 1) * page);
    long before = faults();
    int kept = 1;
    for (size_t i = 0; i < NPAGES - 1; i++) {
        kept &= mem[i * page] == (unsigned char)(i + 2) && mem[i * page + 1] == 1;
        mem[i * page + 2] = 9;
    }
    long during = faults() - before;
    before = faults();
    mem[NPAGES * page + 2] = 9; /* a page the cell did not write */
    long untouched = faults() - before;
    int kept_note = after_me_no_faults(mem, page);
    if (arrived) /* copying stopped early: some writes still fault */
        return (kept ? BYTES_KEPT : 0) | (during > 0 ? ARRIVED_STOPS : 0) |
               (kept_note ? NOTE_KEPT : 0);
    return (kept ? BYTES_KEPT : 0) | (during == 0 ? NO_FAULTS : 0) |
           (untouched > 0 ? UNTOUCHED_FAULT : 0) | (given_back ? GIVEN_BACK : 0) |
           (file_mapped ? FILE_MAPPED : 0) | (kept_note ? NOTE_KEPT : 0);
}

static int run_next(unsigned char *mem, size_t page, int arrived)
{
    pid_t next = fork();
    if (next == 0)
        _exit(next_cell(mem, page, arrived));
    int st = 0;
    waitpid(next, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

int main(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    /* the session's memory: written by the holder, so present and shared */
    unsigned char *mem = mmap(NULL, (NPAGES + 1) * page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        tap_bail("mmap: %s", strerror(errno));
    memset(mem, 1, (NPAGES + 1) * page);
    int populate = has_populate_write();
    char path[] = "/tmp/test_prefault.XXXXXX";
    int ffd = mkstemp(path);
    if (ffd < 0)
        tap_bail("mkstemp: %s", strerror(errno));
    unlink(path);
    unsigned char *pagebuf = calloc(1, page);
    for (size_t i = 0; i < FILE_PAGES; i++)
        if (write(ffd, pagebuf, page) != (ssize_t)page)
            tap_bail("write: %s", strerror(errno));
    free(pagebuf);
    file_map = mmap(NULL, FILE_PAGES * page, PROT_READ, MAP_PRIVATE, ffd, 0);
    if (file_map == MAP_FAILED)
        tap_bail("mmap of a file: %s", strerror(errno));
    /* the last page is at least 16 pages from the ones read, past what
     * one fault maps around it */

    int sv[2];
    if (pipe(sv) < 0)
        tap_bail("pipe");
    pid_t cell = fork();
    if (cell == 0) {
        /* the cell: writes NPAGES pages (the last page it leaves alone) */
        for (size_t i = 0; i < NPAGES; i++)
            mem[i * page] = (unsigned char)(i + 2);
        volatile unsigned char sink = 0;
        for (size_t i = 0; i < FILE_READ; i++)
            sink ^= file_map[i * page];
        (void)sink;
        prefault_note(); /* the holder still maps every page */
        /* as holder_trim does with free pages: given back after the note */
        madvise(mem + (NPAGES - 1) * page, page, MADV_DONTNEED);
        close(sv[1]); /* the holder may go */
        int idle = run_next(mem, page, 0), busy = run_next(mem, page, 1);
        if (idle == 255 || busy == 255)
            _exit(255);
        _exit((idle & ~NOTE_KEPT) | (busy & ARRIVED_STOPS) | ((idle & busy & BYTES_KEPT) ? 0 : 16) |
              ((idle & NOTE_KEPT) && !(busy & NOTE_KEPT) ? NOTE_KEPT : 0));
    }
    close(sv[1]);
    char b;
    (void)!read(sv[0], &b, 1); /* until the cell has noted its pages */
    int st = 0;
    waitpid(cell, &st, 0);
    int got = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    OK(got != 255, "the next cell ran and exited (status %d)", st);
    OK((got & BYTES_KEPT) && !(got & 16),
       "the pages hold what the cell wrote, and the holder's bytes around it");
    if (populate) {
        OK(got & NO_FAULTS, "writing the pages the cell wrote takes no fault in its successor");
        OK(got & UNTOUCHED_FAULT, "a page the cell did not write is still copied on write");
        OK(got & ARRIVED_STOPS, "a cell that has arrived stops the copying (the rest faults)");
        OK(got & GIVEN_BACK, "a noted page the holder gave back is not made resident again");
        OK(got & NOTE_KEPT,
           "a cell's process that waited notes its pages for the next one, and one whose cell "
           "had come before it waited notes none");
        OK(got & FILE_MAPPED,
           "the pages of a file the cell read are mapped in its successor before it reads them, "
           "and a page it did not read is not");
    } else {
        printf("# MADV_POPULATE_WRITE unsupported on this kernel: fault checks skipped\n");
    }
    return tap_done();
}
