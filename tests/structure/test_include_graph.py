"""test_include_graph.py — the #include graph of kernel/** and exercises/**.

Reads every .c and .h file under kernel/ and exercises/ of the source tree,
resolves each `#include "..."` to a file of the tree (the including file's
folder first, then any folder: the build's -I list is kernel/,
kernel/shared/, kernel/executor/ and the library's folder), and fails on

- a cycle between modules (a module is foo.c with foo.h, and a
  foo_internal.h if it has one: a .c that includes
  a header whose module includes the .c's own header back is a cycle even
  though no header includes itself);
- kernel/ (the kernel process) or kernel/shared/ (linked by both processes)
  including a header of kernel/executor/ (the executor process);
- kernel/shared/ including a header of the kernel process (kernel/*.h);
- an #include "x.h" that two files of the tree could answer.

`#include <...>` is not followed: those are the system's headers.  tests/
is not read: a test may include what it tests from anywhere.
"""
import os
import re
from pathlib import Path

SRCDIR = Path(os.environ.get("CHALK_SRCDIR", Path(__file__).resolve().parents[2]))
ROOTS = ("kernel", "exercises")
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)


def sources(top):
    out = []
    for root in ROOTS:
        for dirpath, dirnames, files in os.walk(top / root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            out += [Path(dirpath, f).relative_to(top).as_posix()
                    for f in sorted(files) if f.endswith((".c", ".h"))]
    return out


def read_graph(top):
    """{file: [included file, ...]} and a list of ambiguous includes."""
    files = sources(top)
    by_name = {}
    for f in files:
        by_name.setdefault(f.rsplit("/", 1)[-1], []).append(f)
    graph, ambiguous = {}, []
    for f in files:
        text = (top / f).read_text(errors="replace")
        here = f.rsplit("/", 1)[0]
        targets = []
        for name in INCLUDE.findall(text):
            local = os.path.normpath(f"{here}/{name}")
            if local in by_name.get(name.rsplit("/", 1)[-1], []):
                targets.append(local)
                continue
            hits = [g for g in by_name.get(name.rsplit("/", 1)[-1], []) if g.endswith("/" + name)]
            if len(hits) > 1:
                ambiguous.append(f"{f}: #include \"{name}\" could be any of {', '.join(hits)}")
            targets += hits[:1]
        graph[f] = targets
    return graph, ambiguous


def module(f):
    """foo.c, foo.h and foo_internal.h (what only foo's own files share)."""
    m = f.rsplit(".", 1)[0]
    return m[: -len("_internal")] if m.endswith("_internal") and f.endswith(".h") else m


def module_cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    edges = {}
    for f, targets in graph.items():
        m = module(f)
        edges.setdefault(m, set())
        for t in targets:
            if module(t) != m:
                edges[m].add(module(t))
                edges.setdefault(module(t), set())
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def unit(f):
    """Which link unit a file of kernel/ belongs to."""
    if f.startswith("kernel/executor/"):
        return "executor"
    if f.startswith("kernel/shared/"):
        return "shared"
    if f.startswith("kernel/"):
        return "kernel"
    return "library"


FORBIDDEN = {("kernel", "executor"), ("shared", "executor"), ("shared", "kernel")}


def layer_violations(graph):
    return [f"{f} includes {t} ({unit(f)} -> {unit(t)})"
            for f, targets in sorted(graph.items()) for t in targets
            if (unit(f), unit(t)) in FORBIDDEN]


def describe(graph, comp):
    """The include lines that make up a cycle, for the failure message."""
    members = set(comp)
    return "; ".join(f"{f} -> {t}" for f in sorted(graph) for t in graph[f]
                     if module(f) in members and module(t) in members and module(f) != module(t))


def test_the_tree_is_read():
    graph, _ = read_graph(SRCDIR)
    # Guard against a check that passes because it read nothing.
    assert sum(map(len, graph.values())) > 100, sorted(graph)[:5]
    assert any(t.startswith("kernel/executor/") for ts in graph.values() for t in ts)


def test_no_include_cycle():
    graph, _ = read_graph(SRCDIR)
    cycles = module_cycles(graph)
    assert not cycles, "\n".join(describe(graph, c) for c in cycles)


def test_link_units_include_only_downwards():
    graph, _ = read_graph(SRCDIR)
    assert layer_violations(graph) == []


def test_every_include_names_one_file():
    _, ambiguous = read_graph(SRCDIR)
    assert ambiguous == []


def write(top, files):
    for name, text in files.items():
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        (top / name).write_text(text)


def test_the_check_sees_a_back_include(tmp_path):
    # A small tree in the shape of the executor: a.c -> b.h, b.c -> a.h is a
    # cycle; shared/ including an executor header breaks the layering.
    write(tmp_path, {
        "kernel/executor/a.h": "", "kernel/executor/a.c": '#include "a.h"\n#include "b.h"\n',
        "kernel/executor/b.h": "", "kernel/executor/b.c": '#include "b.h"\n#include "a.h"\n',
        "kernel/shared/s.c": '  #  include "a.h"\n', "kernel/k.c": '#include "s.h"\n',
        "kernel/shared/s.h": "",
    })
    graph, ambiguous = read_graph(tmp_path)
    assert module_cycles(graph) == [["kernel/executor/a", "kernel/executor/b"]]
    assert layer_violations(graph) == [
        "kernel/shared/s.c includes kernel/executor/a.h (shared -> executor)"]
    assert ambiguous == []
