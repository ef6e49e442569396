/* images.c — freeing the images of cells that defined nothing, once no
 * pointer reaches them (see images.h).
 *
 * The scan reads only pages that are present or swapped (/proc/self/pagemap):
 * a page never touched holds zeros, and reading a file page that is not in
 * memory could fault past the end of a truncated file.  The candidates'
 * own addresses are kept XORed with a constant, so that this file's table
 * is no pointer into them; the sorted copy the scan works on lives on the
 * stack below the scan's frame, which is not scanned.  libtcc's freed state
 * is zeroed as it is freed (compile_tcc.c), or its section tables, stale in
 * free heap chunks, would keep every image.
 */
#define _GNU_SOURCE
#include "images.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CANDIDATES 1024
#define HIDE ((uintptr_t)0x5a5a5a5a5a5a5a5aULL)
#define MAX_SCANNED ((uintptr_t)4 << 30) /* bytes of one mapping */

typedef struct candidate {
    uintptr_t hidden; /* start ^ HIDE */
    size_t size;
} candidate;

static candidate table[MAX_CANDIDATES];
static size_t ntable;

/* A collection's view: sorted ranges and a page filter. */
typedef struct range {
    uintptr_t lo, hi;
    size_t slot; /* index in table */
    int live;
} range;

typedef struct view {
    range *r;
    size_t n;
    uintptr_t lo, hi;    /* all ranges */
    uint64_t pages[128]; /* bit (page & 8191): some range touches it */
} view;

/* In place, on the stack: qsort() may copy the ranges into a malloc'd
 * buffer, whose stale copy the next scan would read as pointers. */
static void sort_ranges(range *r, size_t n)
{
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; i++)
            for (size_t j = i; j >= gap && r[j - gap].lo > r[j].lo; j -= gap) {
                range t = r[j];
                r[j] = r[j - gap];
                r[j - gap] = t;
            }
}

static range *find(const view *v, uintptr_t w)
{
    if (w < v->lo || w >= v->hi)
        return NULL;
    uintptr_t pg = (w >> 12) & 8191;
    if (!(v->pages[pg >> 6] >> (pg & 63) & 1))
        return NULL;
    size_t a = 0, b = v->n;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (w < v->r[m].lo)
            b = m;
        else if (w >= v->r[m].hi)
            a = m + 1;
        else
            return &v->r[m];
    }
    return NULL;
}

/* Words of [lo, hi) pointing into a range mark it live, except words that
 * lie inside a range themselves (an image's references to itself or to
 * another candidate: followed afterwards, from live images only). */
__attribute__((no_sanitize("address"))) static void scan_words(view *v, uintptr_t lo, uintptr_t hi,
                                                               int inside_ok)
{
    for (const uintptr_t *p = (const uintptr_t *)lo; (uintptr_t)(p + 1) <= hi; p++) {
        range *r = find(v, *p);
        if (!r || r->live)
            continue;
        if (!inside_ok && find(v, (uintptr_t)p))
            continue;
        r->live = 1;
    }
}

/* Present or swapped pages of [lo, hi), in runs. */
static void scan_mapping(view *v, int pagemap, uintptr_t lo, uintptr_t hi)
{
    enum { BATCH = 512 };
    uint64_t ent[BATCH];
    uintptr_t up = (lo + 4095) & ~(uintptr_t)4095;
    if (up > lo) {
        /* the live part of the page we run on */
        scan_words(v, lo, up < hi ? up : hi, 0);
        lo = up;
    }
    for (uintptr_t at = lo; at + 4096 <= hi;) {
        size_t npages = (hi - at) >> 12;
        if (npages > BATCH)
            npages = BATCH;
        ssize_t got = pread(pagemap, ent, npages * 8, (off_t)((at >> 12) * 8));
        if (got <= 0) {
            scan_words(v, at, at + (npages << 12), 0); /* no pagemap: read all */
            at += npages << 12;
            continue;
        }
        size_t k = (size_t)got / 8;
        for (size_t i = 0; i < k;) {
            size_t j = i;
            while (j < k && (ent[j] >> 62 & 3)) /* present (63) or swapped (62) */
                j++;
            if (j > i)
                scan_words(v, at + (i << 12), at + (j << 12), 0);
            i = j + 1;
        }
        at += k << 12;
    }
}

static void scan_process(view *v, uintptr_t stack_from)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (!maps) {
        for (size_t i = 0; i < v->n; i++)
            v->r[i].live = 1; /* cannot look: keep everything */
        if (pagemap >= 0)
            close(pagemap);
        return;
    }
    char line[4096];
    while (fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8] = "";
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &name_at) != 3)
            continue;
        /* Writable mappings, and anonymous ones (or of /dev/zero, or of a
         * deleted file) made read-only after a pointer was stored in them;
         * not the libraries' code and constants. */
        const char *name = name_at ? line + name_at : "";
        int anonymous = !*name || *name == '\n' || *name == '[' || !strncmp(name, "/dev/zero", 9) ||
                        strstr(name, "(deleted)");
        if (perms[0] != 'r' || (perms[1] != 'w' && !anonymous) || strstr(line, "[vvar") ||
            strstr(line, "[vsyscall]"))
            continue;
        if (hi - lo > MAX_SCANNED) {
            /* A sanitizer's shadow, or a cell's huge reservation: too much
             * to look through, so nothing is freed this time. */
            for (size_t i = 0; i < v->n; i++)
                v->r[i].live = 1;
            break;
        }
        if (stack_from >= lo && stack_from < hi)
            lo = stack_from & ~(uintptr_t)7; /* below us: dead frames */
        scan_mapping(v, pagemap, lo, hi);
    }
    fclose(maps);
    if (pagemap >= 0)
        close(pagemap);
    /* Handlers the kernel holds. */
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0) {
            range *r = find(v, (uintptr_t)sa.sa_handler);
            if (r)
                r->live = 1;
        }
    }
    stack_t ss;
    if (sigaltstack(NULL, &ss) == 0 && ss.ss_sp) {
        range *r = find(v, (uintptr_t)ss.ss_sp);
        if (r)
            r->live = 1;
    }
    /* What live candidates point at is live too. */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < v->n; i++)
            if (v->r[i].live == 1) {
                v->r[i].live = 2;
                scan_words(v, v->r[i].lo, v->r[i].hi & ~(uintptr_t)7, 1);
                changed = 1;
            }
    }
}

void images_candidate(compile_image img)
{
    if (!img.start)
        return;
    if (ntable == MAX_CANDIDATES)
        images_collect(0);
    if (ntable == MAX_CANDIDATES) {
        /* Still pointed at, all of them: the older half is the session's
         * for good, so that a scan stays bounded. */
        memmove(table, table + MAX_CANDIDATES / 2, MAX_CANDIDATES / 2 * sizeof *table);
        ntable = MAX_CANDIDATES / 2;
    }
    table[ntable++] = (candidate){ (uintptr_t)img.start ^ HIDE, img.size };
}

size_t images_collect(size_t threshold)
{
    if (!ntable || ntable < threshold)
        return 0;
    range r[MAX_CANDIDATES];
    view v = { r, ntable, UINTPTR_MAX, 0, { 0 } };
    for (size_t i = 0; i < ntable; i++) {
        uintptr_t lo = table[i].hidden ^ HIDE;
        r[i] = (range){ lo, lo + table[i].size, i, 0 };
        if (lo < v.lo)
            v.lo = lo;
        if (lo + table[i].size > v.hi)
            v.hi = lo + table[i].size;
        for (uintptr_t pg = lo >> 12; pg <= (lo + table[i].size - 1) >> 12; pg++)
            v.pages[(pg & 8191) >> 6] |= (uint64_t)1 << (pg & 63);
    }
    sort_ranges(r, v.n);
    scan_process(&v, (uintptr_t)__builtin_frame_address(0));

    size_t freed = 0, kept = 0;
    candidate *keep = table;
    for (size_t i = 0; i < v.n; i++) {
        candidate *c = &table[r[i].slot];
        if (!r[i].live) {
            compile_image img = { (void *)(c->hidden ^ HIDE), c->size };
            memset(img.start, 0, img.size);
            compile_free_image(&img);
            c->size = 0;
            freed++;
        }
    }
    /* What is still pointed at is tried again next time: a stale copy of a
     * pointer in a free chunk is overwritten sooner or later. */
    for (size_t i = 0; i < ntable; i++)
        if (table[i].size)
            keep[kept++] = table[i];
    ntable = kept;
    return freed;
}
