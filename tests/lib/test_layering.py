"""libchalk's files call each other without a cycle, and none is long without saying why.

The call graph over exercises/libchalk/, from the objects the build made:
`nm` says what each object defines and what it leaves undefined; an edge
A -> B is A using a symbol B defines.  A cycle is reported with the symbols
that make it, e.g. "linalg.c -> rng.c (ch_randn) -> linalg.c (ch_svd)".
(The #include graph, of kernel/ and exercises/ alike, is
tests/structure/test_include_graph.py's.)
The second check: a source file over LONG lines opens with a comment that
says why it is long ("Long because").
"""
import glob
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from structure.test_include_graph import module_cycles  # noqa: E402  (one Tarjan for both graphs)

SRCDIR = os.environ.get("CHALK_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("CHALK_BUILDDIR") or SRCDIR
LIB = os.path.join(SRCDIR, "exercises", "libchalk")
OBJDIR = os.path.join(BUILDDIR, "exercises", "libchalk", ".libs")
LONG = 650  # "~600 lines", with room for a paragraph more


def describe(graph, why, comp):
    """One cycle through comp (module names: file names without .c), each edge with the symbols behind it."""
    comp = [m + ".c" for m in comp]
    start = comp[0]
    path, seen, v = [start], {start}, start
    while True:
        nxt = sorted(w for w in graph[v] if w in comp)
        w = next((w for w in nxt if w == start), None) or next(w for w in nxt if w not in seen)
        path.append("%s (%s)" % (w, ", ".join(sorted(why[v, w])[:3])))
        if w == start:
            return " -> ".join(path)
        seen.add(w)
        v = w


def nm(obj, *flags):
    r = subprocess.run(["nm", "-P", *flags, obj], capture_output=True, text=True, check=True)
    return [line.split()[0] for line in r.stdout.splitlines() if line.strip()]


def call_graph():
    objs = glob.glob(os.path.join(OBJDIR, "libchalk_la-*.o"))
    if not objs:
        pytest.fail("no objects in %s: build libchalk first (make)" % OBJDIR)
    defined, used = {}, {}
    for obj in objs:
        name = os.path.basename(obj)[len("libchalk_la-"):-2] + ".c"
        used[name] = set(nm(obj, "-u"))
        for sym in nm(obj, "--defined-only", "-g"):
            defined[sym] = name
    graph, why = {}, {}
    for name, syms in used.items():
        graph.setdefault(name, set())
        for sym in syms:
            owner = defined.get(sym)
            if owner and owner != name:
                graph[name].add(owner)
                why.setdefault((name, owner), set()).add(sym)
    return graph, why


def test_the_graph_has_the_library_in_it():
    """The checks below see the files they should (a silent empty graph would pass)."""
    g, why = call_graph()
    assert {"fail.c", "rng.c", "linalg.c", "prob.c", "plot.c", "png.c"} <= set(g)
    assert "rng.c" in g["linalg.c"] or "rng.c" in g["randmat.c"], g
    assert "decomp.c" in g["prob.c"], g["prob.c"]


def test_no_call_cycle_between_files():
    graph, why = call_graph()
    found = [describe(graph, why, c) for c in module_cycles(graph)]
    assert not found, "files of libchalk that call each other: " + "; ".join(found)


def test_long_files_say_why():
    long = []
    for path in sorted(glob.glob(os.path.join(LIB, "*.[ch]")) + glob.glob(os.path.join(LIB, "*.sh"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        n = text.count("\n")
        head = text[:text.find("*/") + 2] if text.lstrip().startswith("/*") else text[:3000]
        if n > LONG and "Long because" not in head:
            long.append("%s (%d lines)" % (os.path.basename(path), n))
    assert not long, "over %d lines with no 'Long because' in the opening comment: %s" % (LONG, ", ".join(long))
