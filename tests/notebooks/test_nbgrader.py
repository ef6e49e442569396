"""nbgrader on a tiny course in a temporary directory: generate_assignment strips the
solutions, the reference solutions autograde to full marks, and the broken solutions (the
`broken for=` blocks of the sources) to fewer marks in every notebook."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import nbtest

ASSIGNMENT = "ps1"


def nbgrader(course, *args):
    exe = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    exe = exe if os.path.exists(exe) else (shutil.which("nbgrader") or "nbgrader")
    # nbgrader runs `alembic` (its database migrations) by name: put the venv's bin first.
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    res = subprocess.run([exe, *args], cwd=course, capture_output=True, text=True, env=env)
    assert res.returncode == 0, "nbgrader %s failed:\n%s\n%s" % (args, res.stdout[-2000:], res.stderr[-4000:])
    return res


def solutions(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    return {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copy(os.path.join(nbtest.SRCDIR, "share", "nbgrader_config.py"), course)
    src = course / "source" / ASSIGNMENT
    src.mkdir(parents=True)
    stems = nbtest.stems(include_tour=False)
    for s in stems:
        nbtest.generate(s, str(src))
    nbgrader(str(course), "generate_assignment", ASSIGNMENT, "--force")
    gen_ref, gen_bad = course / "gen_ref", course / "gen_bad"
    for s in stems:
        released = course / "release" / ASSIGNMENT / (s + ".ipynb")
        text = released.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "YOUR CODE HERE" in text
        for student, gen, broken in (("ref", gen_ref, False), ("broken", gen_bad, True)):
            fill = solutions(nbtest.generate(s, str(gen), broken=broken))
            nb = json.loads(text)
            for c in nb["cells"]:
                gid = c["metadata"].get("nbgrader", {}).get("grade_id")
                if c["metadata"].get("nbgrader", {}).get("solution"):
                    c["source"] = fill[gid]
            dest = course / "submitted" / student / ASSIGNMENT
            dest.mkdir(parents=True, exist_ok=True)
            (dest / (s + ".ipynb")).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    for student in ("ref", "broken"):
        nbgrader(str(course), "autograde", ASSIGNMENT, "--student", student, "--force")
    from nbgrader.api import Gradebook
    scores = {}
    with Gradebook("sqlite:///%s" % (course / "gradebook.db")) as gb:
        for s in stems:
            for student in ("ref", "broken"):
                nb = gb.find_submission_notebook(s, ASSIGNMENT, student)
                scores[(s, student)] = (nb.score, nb.max_score)
    return stems, scores


def test_reference_solutions_get_full_marks(course):
    stems, scores = course
    short = {s: scores[(s, "ref")] for s in stems if scores[(s, "ref")][0] != scores[(s, "ref")][1]}
    assert not short, short


def test_broken_solutions_lose_marks(course):
    stems, scores = course
    full = {s: scores[(s, "broken")] for s in stems if scores[(s, "broken")][0] >= scores[(s, "broken")][1]}
    assert not full, full
    for s in stems:
        print("%s: reference %g/%g, broken %g/%g" % (s, *scores[(s, "ref")], *scores[(s, "broken")]))
