/* tcc_scratch.c — libtcc's hash table, found and dropped (see tcc_scratch.h).
 *
 * The symbol is looked up in /proc/self/exe's .symtab (read with pread, about
 * 70 KB, once) and must be the only local object of that name and size; the
 * load bias comes from dl_iterate_phdr's entry for the program itself.
 * Checked against libtcc 0.9.27 (tests/build/test_tcc_version.py pins it),
 * whose tccpp_new memsets exactly this array before each compilation.
 */
#define _GNU_SOURCE
#include "tcc_scratch.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define SCRATCH_NAME "hash_ident"
#define SCRATCH_SIZE (16384 * sizeof(void *))

static uintptr_t scratch_lo, scratch_hi; /* its whole pages */

static int program_bias(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    if (info->dlpi_name && *info->dlpi_name)
        return 0;
    *(uintptr_t *)data = (uintptr_t)info->dlpi_addr;
    return 1;
}

static void *read_part(int fd, uint64_t off, uint64_t len)
{
    if (len == 0 || len > (64u << 20))
        return NULL;
    char *buf = malloc((size_t)len);
    if (buf && pread(fd, buf, (size_t)len, (off_t)off) != (ssize_t)len) {
        free(buf);
        buf = NULL;
    }
    return buf;
}

/* The value of the one local object SCRATCH_NAME of SCRATCH_SIZE, or 0. */
static uint64_t find_value(int fd)
{
    ElfW(Ehdr) eh;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
        eh.e_shentsize != sizeof(ElfW(Shdr)) || eh.e_shnum == 0)
        return 0;
    ElfW(Shdr) *sh = read_part(fd, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof *sh);
    if (!sh)
        return 0;
    uint64_t value = 0;
    int found = 0;
    for (size_t i = 0; i < eh.e_shnum && found >= 0; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh.e_shnum)
            continue;
        const ElfW(Shdr) *st = &sh[sh[i].sh_link];
        ElfW(Sym) *syms = read_part(fd, sh[i].sh_offset, sh[i].sh_size);
        char *names = read_part(fd, st->sh_offset, st->sh_size);
        size_t n = syms ? sh[i].sh_size / sizeof *syms : 0;
        for (size_t k = 0; names && k < n; k++) {
            const ElfW(Sym) *s = &syms[k];
            if (ELF64_ST_TYPE(s->st_info) != STT_OBJECT || s->st_size != SCRATCH_SIZE ||
                s->st_name >= st->sh_size ||
                strncmp(names + s->st_name, SCRATCH_NAME, st->sh_size - s->st_name))
                continue;
            value = s->st_value;
            found = found ? -1 : 1; /* two of them: not ours to guess */
        }
        free(syms);
        free(names);
    }
    free(sh);
    return found == 1 ? value : 0;
}

void tcc_scratch_find(void)
{
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    uint64_t value = find_value(fd);
    close(fd);
    uintptr_t bias = 0;
    if (!value || !dl_iterate_phdr(program_bias, &bias))
        return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = bias + (uintptr_t)value;
    scratch_lo = (lo + page - 1) & ~(page - 1);
    scratch_hi = (lo + SCRATCH_SIZE) & ~(page - 1);
    if (scratch_hi <= scratch_lo)
        scratch_lo = scratch_hi = 0;
}

void tcc_scratch_release(void)
{
    if (scratch_hi > scratch_lo)
        madvise((void *)scratch_lo, scratch_hi - scratch_lo, MADV_DONTNEED);
}

void tcc_scratch_populate(void)
{
    /* One system call for the pages tccpp_new is about to clear, rather
     * than a page fault for each (32 of them), on the cell's path.  Before
     * Linux 5.14 the advice is unknown (EINVAL) and the faults come as
     * before. */
    if (scratch_hi > scratch_lo)
        madvise((void *)scratch_lo, scratch_hi - scratch_lo, MADV_POPULATE_WRITE);
}
