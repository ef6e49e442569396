"""gradetest.py: shared helpers of the grader tests (tests/classroom/test_grade*.py).

chalk-grade is the script built in this tree (share/classroom/chalk-grade, the configured
Python in its shebang) when CHALK_BUILDDIR has it, else the source run by this Python.
Submissions are made from the repository's notebook sources with exercises/notebooks/mknotebook.py:
the reference solution, the source's `broken for=` wrong answers, and the tricks of
cheats.py.  Beware: each run of chalk-grade starts one kernel per notebook; keep the sets
small.
"""
import csv
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys

SRCDIR = os.environ.get("CHALK_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("CHALK_BUILDDIR") or SRCDIR
SOURCE_PY = os.path.join(SRCDIR, "share", "classroom", "chalk-grade.py")
BUILT = os.path.join(BUILDDIR, "share", "classroom", "chalk-grade")
GENERATOR = os.path.join(SRCDIR, "exercises", "notebooks", "mknotebook.py")
SOURCES = os.path.join(SRCDIR, "exercises", "notebooks")
NB02, NB06 = "02-softmax-gradient", "06-adam-vs-sgd"
TIMEOUT = "10"   # seconds per cell: the sleeping cheat waits this long, every other cell runs in ms


def command():
    return [BUILT] if os.access(BUILT, os.X_OK) else [sys.executable, SOURCE_PY]


def module():
    """chalk-grade imported as a module (its file has no .py suffix once built)."""
    loader = importlib.machinery.SourceFileLoader("chalk_grade", SOURCE_PY)
    spec = importlib.util.spec_from_loader("chalk_grade", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def generate(stem, outdir, broken=False):
    args = [sys.executable, GENERATOR, os.path.join(SOURCES, stem + ".md"), "-o", str(outdir)]
    if broken:
        args.append("--broken")
    subprocess.run(args, check=True)
    with open(os.path.join(str(outdir), stem + ".ipynb"), encoding="utf-8") as f:
        return json.load(f)


def write(nb, path):
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(str(path), "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1)


def base_submissions(root):
    """The submissions both grader test files start from, under root: the source notebooks
    (02 and 06, generated), each student's folder of reference and broken answers, and 02
    answered by the reference sleeping forever (for --timeout).  Returns (src, subs, ref)."""
    import cheats
    src, subs = root / "source", root / "subs"
    ref = {s: generate(s, src) for s in (NB02, NB06)}
    bad = {s: generate(s, root / "broken-gen", broken=True) for s in (NB02, NB06)}
    for s in (NB02, NB06):
        write(ref[s], subs / "reference" / (s + ".ipynb"))
        write(bad[s], subs / "broken" / (s + ".ipynb"))
    write(cheats.sleep_in_reference(ref[NB02]), subs / "timeout" / (NB02 + ".ipynb"))
    return src, subs, ref


def grade(subs, out, *args, check=True):
    """Run chalk-grade; return (CompletedProcess, rows of grades.csv as dicts or None)."""
    res = subprocess.run(command() + [str(subs), "--out", str(out), "--timeout", TIMEOUT, *args],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check:
        assert res.returncode == 0, "chalk-grade failed (%d):\n%s\n%s" % (
            res.returncode, res.stdout[-3000:], res.stderr[-5000:])
    path = os.path.join(str(out), "grades.csv")
    return res, (read_csv(path) if os.path.exists(path) else None)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def header(path):
    with open(path, newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def scores(rows):
    """{(student, notebook, grade_id): points as float}"""
    return {(r["student"], r["notebook"], r["grade_id"]): float(r["points"]) for r in rows}


def by_student(rows, notebook=NB02):
    out = {}
    for r in rows:
        if r["notebook"] == notebook:
            out.setdefault(r["student"], {})[r["grade_id"]] = float(r["points"])
    return out


def nbgrader_exe():
    exe = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    return exe if os.path.exists(exe) else (shutil.which("nbgrader") or "nbgrader")


def nbgrader(course, *args):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    res = subprocess.run([nbgrader_exe(), *args], cwd=str(course), capture_output=True, text=True,
                         env=env, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, "nbgrader %s failed:\n%s\n%s" % (args, res.stdout[-2000:], res.stderr[-4000:])
    return res
