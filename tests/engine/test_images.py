"""test_images.py — what a long session keeps of the cells it ran.

The holder keeps each cell's code and data (its image), not libtcc's state
for it, and gives back the images of cells that defined nothing once no
pointer reaches them (kernel/executor/images.h).  What a user would see:
memory and mappings that stay flat over thousands of cells, and every value
an earlier cell left behind — a string literal stored in a global, a static
local, a pointer in the heap, an old function kept by a pointer — still
there afterwards.  Sizes here are memory, not time: nothing is timed.
"""

import proctree
from kernelclient import ok

# The holder scans for pointers every 256 candidate images (executor.c's
# IMAGES_BATCH): enough cells for a few scans.
SCANS = 3
BATCH = 256


def executors(km):
    """(pid, anonymous KiB, mappings) of each live executor process."""
    kernel = km.provisioner.process.pid
    out = []
    # every process below the kernel, not only its children: while a holder
    # hands over, the old one is a zombie and the new one still its child
    for p in proctree.descendants(kernel):
        if p == kernel:
            continue
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                anon = [int(l.split()[1]) for l in f if l.startswith("Anonymous:")]
            with open("/proc/%d/maps" % p) as f:
                maps = sum(1 for _ in f)
        except (OSError, ValueError):
            continue
        if anon and maps:
            out.append((p, anon[0], maps))
    return out


def holder_size(km):
    """The largest executor's anonymous memory and mapping count (the holder
    and its spare are copies of each other)."""
    ex = executors(km)
    assert ex, "no executor process found"
    return max(a for _, a, _ in ex), max(m for _, _, m in ex)


def trivial_cells(kc, n, start=0):
    for i in range(start, start + n):
        r = ok(kc, 'printf("cell %%d: %%.3f\\n", %d, sqrt(%d.0));' % (i, i))
        assert r.text() == "cell %d: %.3f\n" % (i, i ** 0.5)


def test_memory_and_mappings_stay_flat_over_cells_that_define_nothing(fresh):
    km, kc = fresh
    trivial_cells(kc, BATCH + 44)           # warm: prelude, first scan
    anon0, maps0 = holder_size(km)
    n = SCANS * BATCH * 2
    trivial_cells(kc, n, BATCH + 44)
    anon1, maps1 = holder_size(km)
    # Keeping each cell's libtcc state grew the holder by ~14 KiB a cell, its
    # image alone by ~0.4 KiB: 1,536 cells would be 21 MiB or 0.6 MiB.
    assert anon1 - anon0 < 200, "holder grew by %d KiB over %d cells (%d -> %d KiB)" % (
        anon1 - anon0, n, anon0, anon1)
    assert maps1 - maps0 < 8, "holder mappings %d -> %d over %d cells" % (maps0, maps1, n)


def test_what_a_cell_that_defines_nothing_left_behind_survives(fresh):
    km, kc = fresh
    ok(kc, "#include <sys/mman.h>\n#include <fcntl.h>\n"
           "const char *kept_s; int *kept_p; const char **kept_heap; const char **kept_ro;")
    # Each defines nothing: its image is a candidate, reachable only through
    # the one pointer it stores (the last from a page made read-only after).
    ok(kc, 'kept_s = "a literal";')
    ok(kc, '{ static int v = 41; kept_p = &v; }')
    ok(kc, 'kept_heap = malloc(sizeof *kept_heap);\n*kept_heap = "in the heap";')
    ok(kc, 'kept_ro = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, open("/dev/zero", O_RDWR), 0);\n'
           '*kept_ro = "read-only";\n'
           'mprotect(kept_ro, 4096, PROT_READ);')
    trivial_cells(kc, SCANS * BATCH)
    r = ok(kc, 'printf("%s|%d|%s|%s\\n", kept_s, ++*kept_p, *kept_heap, *kept_ro);')
    assert r.text() == "a literal|42|in the heap|read-only\n"


def test_redefined_function_runs_new_code_and_old_stays_reachable(fresh):
    km, kc = fresh
    ok(kc, "int version(void) { return 1; }")
    ok(kc, "int (*first)(void) = version;")
    trivial_cells(kc, BATCH + 10)
    ok(kc, "int version(void) { return 2; }")
    trivial_cells(kc, BATCH + 10)
    r = ok(kc, 'printf("%d %d\\n", version(), first());')
    assert r.text() == "2 1\n"
