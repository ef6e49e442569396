/* prefault.c — the pages a cell wrote, written ahead in the next cell's
 * process while it waits (see prefault.h).
 *
 * Each cell runs in a fork of the holder, so every page it writes is first
 * copied (a copy-on-write fault, 2-3 us each): a trivial cell writes 150-250
 * pages (libtcc's tables, malloc's chunks, the stack), most of them the very
 * pages the cell before it wrote, since each cell allocates and frees as the
 * last one did.  So the process that ran a cell notes the pages it holds
 * alone (/proc/self/pagemap's "exclusively mapped" bit: a page it wrote, or
 * one it touched first) while the old holder still maps the rest, and the
 * next cell's process makes those of them the holder still has its own
 * (MADV_POPULATE_WRITE, which copies without changing a byte) before its
 * cell has come.  The copying is
 * the same work; it only leaves the cell's time.  The note is read before the
 * old holder may exit (executor.c waits for it): afterwards every page would
 * look exclusive.  The copying stops when the cell arrives, so that a cell
 * sent at once after the last one never waits for it.  A cell that wrote
 * more than PREFAULT_MAX_PAGES leaves no note, so a large computation's data
 * is not copied again for nothing.  Nor does a cell that was already there
 * when its process began to wait: cells then come back to back (a notebook
 * run top to bottom), no spare has time to copy, and the note (0.4-0.5 ms:
 * both /proc files of a 54 MB address space) would only delay the next
 * cell's process, which is forked after it.
 * Kernels without MADV_POPULATE_WRITE (before 5.14) answer EINVAL: the pages
 * are then copied when the cell writes them, as before.
 *
 * The pages of files the process read (the program's and the libraries'
 * code and constants: libtcc's, ld.so's symbol lookup, libc's) cost a fault
 * in every cell as well, though nothing is copied: fork() copies no page
 * table entries of a file mapping that has no private copies, so each
 * cell's process maps them afresh, 16 at a time.  The runs of them this
 * process has mapped are noted too, and the next cell's process maps them
 * while it waits (MADV_POPULATE_READ): page cache pages every process of the
 * lineage shares, so no page more is resident.
 */
#define _GNU_SOURCE
#include "prefault.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PREFAULT_MAX_PAGES 2048
#define PREFAULT_MAX_RUNS 512
/* Mappings larger than this are not looked through (OpenBLAS's 128 MiB
 * buffer, a cell's array, a sanitizer's shadow): listing their pages costs
 * more than their faults (8 bytes of pagemap a page). */
#define PREFAULT_MAX_MAPPING ((uintptr_t)32 << 20)

/* Page numbers, not addresses: images.c takes any word that points into a
 * cell's image for a pointer that keeps it. */
typedef struct run {
    uintptr_t first;
    size_t pages;
} run;

/* Inherited by the holder's next spare through fork: the pages to copy,
 * then those of files to map. */
static run runs[PREFAULT_MAX_RUNS];
static size_t nruns;
#define PREFAULT_MAX_READ_PAGES 8192
#define PREFAULT_MAX_READ_RUNS 1024
static run reads[PREFAULT_MAX_READ_RUNS];
static size_t nreads;
static int unsupported;
static uintptr_t page_size;
/* This process's cell had come before it began to wait (prefault_apply). */
static int came_at_once;

/* A list of runs and its limits. */
typedef struct runs_of {
    run *r;
    size_t *n, max_runs, max_pages;
} runs_of;

/* Append pages [first, first + n); 0, or -1 when full. */
static int add_run(const runs_of *to, size_t *total, uintptr_t first, size_t n)
{
    *total += n;
    if (*total > to->max_pages)
        return -1;
    run *r = to->r;
    size_t *nr = to->n;
    if (*nr > 0 && r[*nr - 1].first + r[*nr - 1].pages == first) {
        r[*nr - 1].pages += n;
        return 0;
    }
    if (*nr == to->max_runs)
        return -1;
    r[(*nr)++] = (run){ first, n };
    return 0;
}

/* The runs of present pages of [lo, hi): those this process maps alone
 * (exclusive), or all of them. */
static int note_mapping(int pagemap, uintptr_t lo, uintptr_t hi, size_t *total, const runs_of *to,
                        int exclusive)
{
    enum { BATCH = 2048 };
    static uint64_t ent[BATCH];
    for (uintptr_t at = lo; at < hi;) {
        size_t want = (hi - at) / page_size;
        if (want > BATCH)
            want = BATCH;
        ssize_t got = pread(pagemap, ent, want * sizeof ent[0],
                            (off_t)(at / page_size * sizeof ent[0]));
        if (got <= 0)
            return -1;
        size_t k = (size_t)got / sizeof ent[0];
        for (size_t i = 0; i < k;) {
            size_t j = i;
            while (j < k && (ent[j] >> 63 & 1) && (!exclusive || (ent[j] >> 56 & 1)))
                j++;
            if (j > i && add_run(to, total, at / page_size + i, j - i) < 0)
                return -1;
            i = j + 1;
        }
        at += k * page_size;
    }
    return 0;
}

void prefault_note(void)
{
    nruns = nreads = 0;
    if (unsupported || came_at_once)
        return;
    const runs_of copies = { runs, &nruns, PREFAULT_MAX_RUNS, PREFAULT_MAX_PAGES };
    const runs_of mapped = { reads, &nreads, PREFAULT_MAX_READ_RUNS, PREFAULT_MAX_READ_PAGES };
    int reads_full = 0;
    if (!page_size)
        page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
    FILE *maps = fopen("/proc/self/maps", "re");
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (maps && pagemap >= 0) {
        char line[512];
        size_t total = 0, read_total = 0;
        while (fgets(line, sizeof line, maps)) {
            unsigned long lo, hi, inode = 0;
            char perms[8] = "";
            if (sscanf(line, "%lx-%lx %7s %*x %*x:%*x %lu", &lo, &hi, perms, &inode) < 3)
                continue;
            /* A line longer than the buffer goes on in the next read. */
            int whole = strchr(line, '\n') != NULL;
            while (!whole && fgets(line, sizeof line, maps))
                whole = strchr(line, '\n') != NULL;
            if (perms[3] != 'p' || hi - lo > PREFAULT_MAX_MAPPING)
                continue;
            /* A file read only: mapping it is what it costs (a full list
             * just ends the list, the copies are still noted).  [vvar] and
             * the like have no inode. */
            if (perms[0] == 'r' && perms[1] != 'w' && inode != 0) {
                if (!reads_full && note_mapping(pagemap, lo, hi, &read_total, &mapped, 0) < 0)
                    reads_full = 1;
                continue;
            }
            /* Private writable mappings: copying is what a write to them
             * costs. */
            if (perms[1] != 'w')
                continue;
            if (note_mapping(pagemap, lo, hi, &total, &copies, 1) < 0) {
                nruns = 0; /* more than is worth copying ahead, or unreadable */
                break;
            }
        }
    }
    if (maps)
        fclose(maps);
    if (pagemap >= 0)
        close(pagemap);
}

/* A cell that arrives stops the copying: what is left is copied as the cell
 * writes it, as without a note.  Looked for every PREFAULT_STEP pages (a
 * poll costs about what copying one page does). */
#define PREFAULT_STEP 32
#define PREFAULT_READ_STEP 256

/* Copy the pages of [first, first + n) the holder still has: one it gave
 * back (holder_trim: free heap pages, libtcc's hash table) is not made
 * resident again here, where it would cost memory while we wait; the cell
 * gets it as a fresh zero page, as it would have. */
static int populate_present(int pagemap, uintptr_t first, size_t n)
{
    uint64_t ent[PREFAULT_STEP];
    ssize_t got = pread(pagemap, ent, n * sizeof ent[0], (off_t)(first * sizeof ent[0]));
    size_t k = got > 0 ? (size_t)got / sizeof ent[0] : 0;
    for (size_t i = 0; i < k;) {
        size_t j = i;
        while (j < k && (ent[j] >> 63 & 1))
            j++;
        if (j > i &&
            madvise((void *)((first + i) * page_size), (j - i) * page_size, MADV_POPULATE_WRITE) <
                0 &&
            errno == EINVAL)
            return -1; /* no such advice here */
        i = j + 1;
    }
    return 0;
}

void prefault_apply(int cellfd)
{
    struct pollfd cell = { cellfd, POLLIN, 0 };
    came_at_once = poll(&cell, 1, 0) != 0;
    if (came_at_once)
        nruns = nreads = 0;
    size_t since = 0;
    int pagemap = nruns ? open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC) : -1;
    if (pagemap < 0)
        nruns = 0;
    for (size_t i = 0; i < nruns && !unsupported; i++) {
        for (size_t done = 0; done < runs[i].pages;) {
            if (since >= PREFAULT_STEP) {
                struct pollfd p = { cellfd, POLLIN, 0 };
                if (poll(&p, 1, 0) != 0)
                    goto out;
                since = 0;
            }
            size_t n = runs[i].pages - done;
            if (n > PREFAULT_STEP - since)
                n = PREFAULT_STEP - since;
            if (populate_present(pagemap, runs[i].first + done, n) < 0) {
                unsupported = 1;
                break;
            }
            done += n;
            since += n;
        }
    }
    /* Mapping a page of the page cache costs a tenth of copying one: looked
     * for the cell less often. */
    for (size_t i = 0; i < nreads && !unsupported; i++) {
        for (size_t done = 0; done < reads[i].pages;) {
            struct pollfd p = { cellfd, POLLIN, 0 };
            if (poll(&p, 1, 0) != 0)
                goto out;
            size_t n = reads[i].pages - done;
            if (n > PREFAULT_READ_STEP)
                n = PREFAULT_READ_STEP;
            /* EFAULT and the like (a mapping gone): that run is skipped */
            if (madvise((void *)((reads[i].first + done) * page_size), n * page_size,
                        MADV_POPULATE_READ) < 0 &&
                errno == EINVAL)
                break;
            done += n;
        }
    }
out:
    nruns = nreads = 0;
    if (pagemap >= 0)
        close(pagemap);
}
