"""No state passes from one student's notebook to the next: each runs in a kernel of its own.

chalk-grade runs many notebooks in one worker process, one after the other (--workers 1:
all of them in one process), so a kernel kept for a second notebook would hand it the first
one's session.  Student `a-leaker` answers 02 with the reference solution plus a global,
`chalk_fresh_probe`; student `b-reader` answers with the reference solution where every
solution cell also reads that global, which it never defines.  In a fresh kernel each of
b-reader's solution cells fails to compile, so every check loses its points ("undeclared");
with a-leaker's session still there they would all compile and b-reader would get full marks.
"""
import gradetest as gt
from gradetest import NB02

PROBE = "\nint chalk_fresh_probe = 42;\n"
READ = "\nstatic int chalk_probe_copy_%d(void) { return chalk_fresh_probe; }\n"


def _edited(ref, add):
    nb = {**ref, "cells": [dict(c) for c in ref["cells"]]}
    solutions = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    assert solutions, "02 has no solution cells"
    for k, cell in enumerate(solutions):
        text = add(k)
        if text:
            cell["source"] = "".join(cell["source"]) + text
    return nb


def test_a_later_notebook_never_sees_an_earlier_ones_globals(tmp_path):
    src = tmp_path / "source"
    ref = gt.generate(NB02, src)
    subs = tmp_path / "subs"
    gt.write(_edited(ref, lambda k: PROBE if k == 0 else ""), subs / "a-leaker" / (NB02 + ".ipynb"))
    gt.write(_edited(ref, lambda k: READ % k), subs / "b-reader" / (NB02 + ".ipynb"))
    _, rows = gt.grade(subs, tmp_path / "out", "--source", str(src), "--workers", "1")
    got = gt.by_student(rows)
    assert set(got) == {"a-leaker", "b-reader"}, got
    full = {r["grade_id"]: float(r["max_points"]) for r in rows if r["student"] == "a-leaker"}
    assert got["a-leaker"] == full, "the global alone must cost a-leaker nothing: %s" % got
    for r in rows:
        if r["student"] == "b-reader":  # each check fails on what the failed solutions lack
            assert float(r["points"]) == 0 and r["note"], dict(r)
