"""torture.py — GCC's gcc.c-torture/execute programs as chalk cells.

Each program is a small C file whose main() aborts when the compiler got
something wrong.  The suite is extracted from Debian's gcc-12-source
(/usr/src/gcc-12/gcc-*.tar.xz); every program is run with standalone
`tcc -run`, and each one tcc passes is run as a chalk cell through the kernel
built in this tree: one `%reset` cell, then the program as one cell, whose
main() chalk runs.  A program passes as a cell when the cell succeeds, or ends
with `exit(0)` (chalk reports any exit() as SystemExit: the program's own
success), and prints what tcc printed (cellsuite.py runs the cells, and
keeps baseline.txt and rejected.txt next to this script).
`make conformance` runs it and prints the figures; `make check` runs it
through test_torture.py (the whole suite: 45-60 s on two idle cores, about
2 minutes on a loaded machine; extracting it the first time, 10-40 s more).

Beware: tcc is run with a timeout too.  Programs whose dg- directives ask for compiler flags
(dg-options, dg-additional-options, dg-add-options, dg-additional-sources)
are skipped and counted, and so are sources that are not UTF-8 (a notebook
cell is JSON text).  The kernel runs in the suite's directory, so programs
that #include a file next to them find it, as tcc -run there does.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tarfile
import time

import cellsuite

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_GLOB = "/usr/src/gcc-12/gcc-*.tar.*"
MEMBER = "/gcc/testsuite/gcc.c-torture/execute/"
TCC_WALL = 20       # seconds per program under standalone tcc
FLAG_DIRECTIVES = re.compile(r"\{\s*dg-(options|additional-options|add-options|additional-sources)\b")


def extract(workdir):
    """The execute/*.c programs (top level only), extracted once into workdir."""
    dest = os.path.join(workdir, "execute")
    stamp = os.path.join(workdir, ".extracted")
    # a stamp without programs (a copied or half-cleaned tree) extracts again
    if not os.path.exists(stamp) or not glob.glob(os.path.join(dest, "*.c")):
        tarballs = sorted(glob.glob(SOURCE_GLOB))
        if not tarballs:
            return None
        os.makedirs(dest, exist_ok=True)
        with tarfile.open(tarballs[0]) as tar:
            for m in tar:
                i = m.name.find(MEMBER)
                if i < 0 or not m.isfile():
                    continue
                rest = m.name[i + len(MEMBER):]
                if "/" in rest or not rest.endswith((".c", ".h")):
                    continue   # the .h files are headers programs include
                with open(os.path.join(dest, rest), "wb") as out:
                    out.write(tar.extractfile(m).read())
        open(stamp, "w").close()
    return sorted(glob.glob(os.path.join(dest, "*.c")))


def run_tcc(path):
    try:
        p = subprocess.run(["tcc", "-w", "-lm", "-run", os.path.basename(path)],
                           cwd=os.path.dirname(path), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TCC_WALL)
    except subprocess.TimeoutExpired:
        return False, ""
    return p.returncode == 0, p.stdout.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default="tests/conformance/work",
                    help="where the suite is extracted (build directory)")
    cellsuite.add_arguments(ap)
    a = ap.parse_args()

    t0 = time.monotonic()
    progs = extract(a.workdir)
    if progs is None:
        print(f"torture.py: no {SOURCE_GLOB} (apt-get install gcc-12-source); skipped")
        return 77
    names = {os.path.basename(p)[:-2]: p for p in progs}
    wanted = set(a.only) if a.only else set(names)
    selected = sorted(n for n in names if n in wanted)

    needs_flags, not_utf8, runnable = [], [], []
    for n in selected:
        with open(names[n], "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            not_utf8.append(n)    # a notebook cell is UTF-8 text (JSON)
            continue
        if FLAG_DIRECTIVES.search(text):
            needs_flags.append(n)
        else:
            runnable.append(n)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        tcc = dict(zip(runnable, pool.map(lambda n: run_tcc(names[n]), runnable)))
    tcc_pass = [n for n in runnable if tcc[n][0]]
    t_tcc = time.monotonic() - t0
    return cellsuite.run_suite(
        a, HERE, os.path.dirname(os.path.abspath(progs[0])), "gcc.c-torture/execute", selected,
        tcc_pass, {n: tcc[n][1] for n in tcc_pass}, names, t0, t_tcc,
        [(len(needs_flags), "need compiler flags"),
         (len(not_utf8), "not UTF-8: no cell can hold them")])


if __name__ == "__main__":
    sys.exit(main())
