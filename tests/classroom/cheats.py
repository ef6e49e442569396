"""cheats.py: the ways a student can try to game chalk's checks, as code.

Each cheat is a function that takes the notebook 02-softmax-gradient as a student would
submit it with the reference solution (nbformat JSON as a dict, not modified) and returns
a new one.  Most start from the source's own wrong answer (the `broken for=softmax-impl`
block: softmax without the shift by the maximum, so it overflows for large logits, which
the check `softmax-jacobian-fd` catches) and add a trick meant to turn that failure into
points.  A sound kernel and grader give each cheat exactly the score of the wrong answer
alone (`EXPECT[name] == "broken"`); `scanf-correct` is a correct answer that reads stdin
and must score what the reference scores (`"reference"`).

The kernel's integrity tests and tests/classroom/test_grade*.py both use these; add a new
trick here as a function and a line in CHEATS.

Beware: the tricks trigger only on the large logits of the stability check
(`z[2] > 500`), so the notebook's ordinary cells still run; a trick that broke every call
would be caught by the ordinary cells and prove nothing.
"""
import copy
import json
import os
import subprocess
import sys

SOLUTION_ID = "softmax-impl"
BEGIN, END = "// BEGIN SOLUTION", "// END SOLUTION"
# The source's wrong answer (exercises/notebooks/02-softmax-gradient.md, broken for=softmax-impl).
WRONG = """    /* wrong: no shift by the maximum, so large logits overflow to inf/inf = nan */
    double sum = 0;
    for (int i = 0; i < n; i++) { s[i] = exp(z[i]); sum += s[i]; }
    for (int i = 0; i < n; i++) s[i] /= sum;"""
TRIGGER = "n > 2 && z[2] > 500"   # only the stability check calls softmax with such logits


def _src(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def _solution_cell(nb):
    for c in nb["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == SOLUTION_ID:
            return c
    raise KeyError("no solution cell %s" % SOLUTION_ID)


def _with_region(nb, region, extra=None):
    """A copy of nb whose solution region is `region`; `extra`, if given, is the text of a
    new cell the student adds right after the solution cell (a cell of its own, so a kernel
    that rejects the trick loses that cell only, and the wrong answer is still graded)."""
    nb = copy.deepcopy(nb)
    cell = _solution_cell(nb)
    lines = _src(cell).split("\n")
    b = next(k for k, l in enumerate(lines) if l.strip() == BEGIN)
    e = next(k for k, l in enumerate(lines) if l.strip() == END)
    cell["source"] = "\n".join(lines[:b + 1] + region.split("\n") + lines[e:])
    if extra is not None:
        at = nb["cells"].index(cell) + 1
        nb["cells"].insert(at, {"cell_type": "code", "execution_count": None, "id": "student-extra",
                                "metadata": {}, "outputs": [], "source": extra})
    return nb


def wrong(nb):
    """The wrong answer alone: what every cheat below must score."""
    return _with_region(nb, WRONG)


def exit_in_checked_function(nb):
    """exit(0) inside the function the stability check calls: on a weak kernel the check
    cell ends "ok" and the rest of it never runs."""
    return _with_region(nb, "    if (%s) exit(0);\n%s" % (TRIGGER, WRONG))


CHECK_STUBS = """void ch_check_close(const char *name, double got, double expected, double rtol, double atol) {}
void ch_check(const char *name, int cond, const char *fmt, ...) {}
void ch_check_le(const char *name, double a, double b) {}
void ch_check_lt(const char *name, double a, double b) {}"""


def redefine_checks_empty(nb):
    """A cell of the student's redefines ch_check_close and friends as empty functions."""
    return _with_region(nb, WRONG, extra=CHECK_STUBS)


def define_checks_away(nb):
    """`#define ch_check_close(...) ((void)0)` (and the other checks) in a cell of the student's."""
    return _with_region(nb, WRONG, extra="#define ch_check_close(...) ((void)0)\n"
                        "#define ch_check(...) ((void)0)\n#define ch_check_lt(...) ((void)0)\n"
                        "#define ch_check_le(...) ((void)0)")


def define_fabs_zero(nb):
    """`#define fabs(x) 0.0`: every |error| the checks compute becomes 0 (and NaN passes)."""
    return _with_region(nb, WRONG, extra="#define fabs(x) 0.0")


def debug_show_before_failing_check(nb):
    """An honest-looking debug print, ch_show_vector(), from a function the failing check
    calls: nbgrader scores a check by the first execute_result it shows."""
    show = ("    if (%s) { gsl_vector_view dbg = gsl_vector_view_array((double *)z, n);"
            " ch_show_vector(&dbg.vector); }" % TRIGGER)
    return _with_region(nb, show + "\n" + WRONG)


def signal_handlers_exit(nb):
    """Handlers for every signal, each calling _exit(0), installed by a cell of the student's: a
    later failing check would end "ok" or take the session (and every definition) down."""
    handler = ("#include <signal.h>\nstatic void bye(int sig) { (void)sig; _exit(0); }\n"
               "for (int sig = 1; sig < 65; sig++) signal(sig, bye);")
    return _with_region(nb, WRONG, extra=handler)


def sleep_forever(nb):
    """`for (;;) sleep(1);` where the wrong answer would fail: hangs a grader with no
    wall-clock limit; with one, that check times out and scores 0, the rest still run."""
    return _with_region(nb, "    if (%s) for (;;) sleep(1);\n%s" % (TRIGGER, WRONG))


def scanf_correct(nb):
    """A correct answer that also reads stdin (graders have none: it sees end of file),
    for the first time inside a check."""
    cell = _solution_cell(nb)
    lines = _src(cell).split("\n")
    b = next(k for k, l in enumerate(lines) if l.strip() == BEGIN)
    e = next(k for k, l in enumerate(lines) if l.strip() == END)
    region = "\n".join(lines[b + 1:e])
    # first read in a check cell (the stability check's logits), where a note on stderr
    # would cost the check its points
    read = ("    if (%s) { int verbose = 0; if (scanf(\"%%d\", &verbose) == 1 && verbose) printf(\"big\\n\"); }"
            % TRIGGER)
    return _with_region(nb, read + "\n" + region)


CHEATS = {
    "exit-in-function": exit_in_checked_function,
    "empty-checks": redefine_checks_empty,
    "define-checks": define_checks_away,
    "define-fabs": define_fabs_zero,
    "debug-show": debug_show_before_failing_check,
    "signal-exit": signal_handlers_exit,
    "sleep-forever": sleep_forever,
    "scanf-correct": scanf_correct,
}
EXPECT = {name: "broken" for name in CHEATS}
EXPECT["scanf-correct"] = "reference"


# Tampering with the notebook file itself (the grader restores check cells from --source).
def _check_cell(nb, gid):
    for c in nb["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid:
            return c
    raise KeyError(gid)


FAILING_CHECK = "softmax-jacobian-fd"   # the check the wrong answer fails


def tamper_edit_check(nb):
    """The wrong answer, and the failing check cell's text replaced by an empty statement."""
    nb = wrong(nb)
    _check_cell(nb, FAILING_CHECK)["source"] = "/* nothing to see */;"
    return nb


def tamper_delete_check(nb):
    """The wrong answer, and the failing check cell deleted."""
    nb = wrong(nb)
    nb["cells"] = [c for c in nb["cells"]
                   if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != FAILING_CHECK]
    return nb


def tamper_points(nb):
    """The wrong answer, the failing check worth 0 and a passing one worth 100."""
    nb = wrong(nb)
    _check_cell(nb, FAILING_CHECK)["metadata"]["nbgrader"]["points"] = 0
    _check_cell(nb, "softmax-jacobian-rank")["metadata"]["nbgrader"]["points"] = 100
    return nb


def tamper_repoint(nb):
    """The wrong answer; a copy of a passing check cell claims the failing check's grade_id
    (placed after it, so it is the one nbgrader's DeduplicateIds keeps), and the real one
    loses its metadata."""
    nb = wrong(nb)
    real = _check_cell(nb, FAILING_CHECK)
    fake = copy.deepcopy(_check_cell(nb, "softmax-jacobian-rank"))
    fake["metadata"]["nbgrader"]["grade_id"] = FAILING_CHECK
    fake["metadata"]["nbgrader"]["points"] = 2
    fake["id"] = "fake-" + FAILING_CHECK
    real["metadata"] = {}
    nb["cells"].insert(nb["cells"].index(real) + 1, fake)
    return nb


TAMPERS = {
    "tamper-edit": tamper_edit_check,
    "tamper-delete": tamper_delete_check,
    "tamper-points": tamper_points,
    "tamper-repoint": tamper_repoint,
}


def write(nb, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1)


def reference(srcdir, outdir):
    """The 02 notebook with the reference solution, generated from its source."""
    gen = os.path.join(srcdir, "exercises", "notebooks", "mknotebook.py")
    src = os.path.join(srcdir, "exercises", "notebooks", "02-softmax-gradient.md")
    subprocess.run([sys.executable, gen, src, "-o", outdir], check=True)
    with open(os.path.join(outdir, "02-softmax-gradient.ipynb"), encoding="utf-8") as f:
        return json.load(f)


def reference_region(nb):
    """The lines between BEGIN and END SOLUTION of nb's solution cell."""
    lines = _src(_solution_cell(nb)).split("\n")
    b = next(k for k, l in enumerate(lines) if l.strip() == BEGIN)
    e = next(k for k, l in enumerate(lines) if l.strip() == END)
    return "\n".join(lines[b + 1:e])


def sleep_in_reference(nb):
    """The reference answer, but sleeping forever on the stability check's logits: only
    that check should be lost (to the timeout)."""
    return _with_region(nb, "    if (%s) for (;;) sleep(1);\n%s" % (TRIGGER, reference_region(nb)))
