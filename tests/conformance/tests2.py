"""tests2.py — tcc's own tests/tests2 programs as chalk cells.

tinycc's tests2 are small programs, each with the output it must print
(NAME.expect).  No Debian package ships them and CI reaches no other
source, so the programs standalone tcc passes are committed in tests2/
(LGPL like tinycc; tests2/UPSTREAM names the commit, the one Debian's tcc
0.9.27+git20200814.62c30a4a is built from).  A program passes under
standalone tcc when `tcc -run NAME.c` in that directory prints its .expect
(stdout and stderr together, blanks compared as `diff -b` does, as tinycc's
Makefile does); each one that does is run as one cell after `%reset` by
cellsuite.py, which counts it passed when the cell prints tcc's stdout and
succeeds (or its main() returns what it returned under tcc: 101_cleanup's
105).  baseline.txt and rejected.txt are kept in tests2/.

Beware: the programs tinycc's Makefile runs with extra flags, arguments,
several files or as an executable (-dt, -b, -pthread, NORUN, ARGS) are
skipped, by name, below; --source runs the selection over a full tests2
checkout, to choose the subset to commit.  The programs run in a copy in
--workdir (the build tree: 40_stdio writes a file, and the source tree may
be read-only).
"""
import argparse
import concurrent.futures
import glob
import os
import re
import shutil
import subprocess
import sys
import time

import cellsuite

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tests2")
TCC_WALL = 20

# what tinycc's tests/tests2/Makefile runs some programs with (x86-64 Linux)
NEEDS = {
    "31_args": "command-line arguments",
    "46_grep": "command-line arguments",
    "42_function_pointer": "run as an executable (NORUN)",
    "60_errors_and_warnings": "-dt (several snippets, compile errors expected)",
    "96_nodata_wanted": "-dt (several snippets)",
    "76_dollars_in_identifiers": "-fdollars-in-identifiers",
    "104_inline": "two files",
    "106_pthread": "-pthread, run as an executable",
    "108_constructor": "run as an executable (NORUN)",
    "112_backtrace": "-dt -b",
    "113_btdll": "two shared libraries",
    "114_bound_signal": "-b",
    "115_bound_setjmp": "-b",
    "116_bound_setjmp2": "-b",
    "117_gcc_test": "-b",
    "34_array_assignment": "skipped by tinycc (not standard C)",
    "73_arm64": "skipped by tinycc on x86-64",
    "98_al_ax_extend": "i386 only",
    "99_fastcall": "i386 only",
}


def blanks(text):
    """Text as `diff -b` compares it: runs of blanks as one, none at line ends."""
    return [re.sub(r"[ \t]+", " ", line).rstrip() for line in text.splitlines()]


def run_tcc(path):
    """(passes: prints its .expect, its stdout, the status main() returned:
    tinycc's Makefile does not look at it, so neither does passing here; a
    cell must return the same)."""
    try:
        p = subprocess.run(["tcc", "-run", os.path.basename(path)], cwd=os.path.dirname(path),
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=TCC_WALL)
        both = subprocess.run(["tcc", "-run", os.path.basename(path)],
                              cwd=os.path.dirname(path), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=TCC_WALL)
    except subprocess.TimeoutExpired:
        return False, "", 0
    with open(path[:-2] + ".expect", encoding="utf-8", errors="replace") as f:
        expect = f.read()
    same = blanks(both.stdout.decode("utf-8", "replace")) == blanks(expect)
    return same, p.stdout.decode("utf-8", "replace"), p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=HERE,
                    help="a tests2 directory (default: the committed subset)")
    ap.add_argument("--workdir", default="tests/conformance/work/tests2",
                    help="where the programs are copied and run (build directory)")
    cellsuite.add_arguments(ap)
    a = ap.parse_args()

    t0 = time.monotonic()
    work = os.path.abspath(a.workdir)
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(a.source, work)
    for path in glob.glob(os.path.join(work, "*")):
        os.chmod(path, 0o644)    # a read-only source tree copies read-only
    progs = sorted(p for p in glob.glob(os.path.join(work, "*.c"))
                   if os.path.exists(p[:-2] + ".expect"))
    names = {os.path.basename(p)[:-2]: p for p in progs}
    wanted = set(a.only) if a.only else set(names)
    selected = sorted(n for n in names if n in wanted)
    runnable = [n for n in selected if n not in NEEDS]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        tcc = dict(zip(runnable, pool.map(lambda n: run_tcc(names[n]), runnable)))
    tcc_pass = [n for n in runnable if tcc[n][0]]
    t_tcc = time.monotonic() - t0
    if a.source != HERE:
        print("tcc fails: " + " ".join(n for n in runnable if not tcc[n][0]))
    return cellsuite.run_suite(
        a, HERE, work, "tinycc tests2", selected, tcc_pass,
        {n: tcc[n][1] for n in tcc_pass}, names, t0, t_tcc,
        [(len(selected) - len(runnable), "run by tinycc with flags, arguments or several files")],
        {n: tcc[n][2] for n in tcc_pass})


if __name__ == "__main__":
    sys.exit(main())
