/* pages.c — one VMA per page for small read-only mappings (see pages.h).
 *
 * The segments come from dl_iterate_phdr (the loader's own list), not from
 * parsing /proc/self/maps.  A writable PT_LOAD segment is left alone: its
 * pages are copied on write anyway, and its RELRO part was mprotect'ed by
 * the loader.
 */
#define _GNU_SOURCE
#include "pages.h"

#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void pages_fault_singly(void *addr, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t off = page; off < len; off += 2 * page)
        madvise((char *)addr + off, page, MADV_RANDOM);
}

typedef struct wanted {
    const char *const *libs;
    size_t n;
} wanted;

static int visit(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    const wanted *w = data;
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    int want = !*name; /* the program itself */
    for (size_t i = 0; i < w->n && !want; i++)
        want = strstr(name, w->libs[i]) != NULL;
    if (!want)
        return 0;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
            continue;
        uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(page - 1);
        uintptr_t hi = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + page - 1) & ~(page - 1);
        pages_fault_singly((void *)lo, hi - lo);
    }
    return 0;
}

void pages_fault_singly_objects(const char *const *libs, size_t n)
{
    wanted w = { libs, n };
    dl_iterate_phdr(visit, &w);
}
