"""nbgrader on a course of the ten exercises, built by share/classroom/chalk-course (what
`make release` runs) with the shipped config, in a temporary directory.

- generate_assignment (nbgrader's own, through chalk-course) warns about nothing; the
  student versions hold no solution and no hidden test, and a CH_NOT_WRITTEN() stub where
  each solution was.
- The student versions run by nbconvert: every cell that calls a stub shows exactly
  `NotImplemented: f() is not written yet (cell[N]:L)` (f the stubbed function, N the
  solution cell's execution count, L the stub's line), every graded check does, ungraded
  checks pass, and nothing anywhere says "undeclared", "undefined symbol" or "implicit
  declaration".  A solution that only the hidden tests catch passes every visible check.
- One `nbgrader autograde` call grades every student: `ref` (the reference solutions)
  gets full marks, `blank` (the student version as released) 0 on every check, each
  `variant-NAME` (the broken variant NAME where a notebook has one, the reference
  elsewhere) loses exactly the points of the checks that variant declares it breaks, and
  `nocompile` (a syntax error in each solution region) 0, with every error outside the
  solution cell naming one of that cell's functions (no helper of ours cascades).  The
  only warnings are nbgrader restoring the hidden tests.
- A second autograde, with a 10 s cell timeout, of a student whose Adam step hangs when
  called late: that check times out (CellTimeoutError, 0 points), the checks before it
  keep their points and the cells after it still run.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

import nbtest

ASSIGNMENT = "chalk"
STEMS = nbtest.stems(include_tour=False)
VARIANTS = sorted({v for s in STEMS for v in nbtest.describe(s)["variants"]})
STUB = re.compile(r"^(\s*)CH_NOT_WRITTEN\(\);\s*$")
FUNC = re.compile(r"^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\(")
HANG_06 = """        if (t > 1000) for (;;) sleep(1);          /* hangs when called late */
        double mh = m[i] / (1 - pow(c.b1, t));
        double vh = v[i] / (1 - pow(c.b2, t));
        theta[i] -= c.lr * mh / (sqrt(vh) + c.eps);"""


def stubs(cell_source):
    """(function, line) of every CH_NOT_WRITTEN() stub in a cell, lines from 1."""
    lines, out = cell_source.split("\n"), []
    for k, l in enumerate(lines):
        if STUB.match(l):
            fn = next(FUNC.match(lines[j]).group(1) for j in range(k, -1, -1) if FUNC.match(lines[j]))
            out.append((fn, k + 1))
    return out


def solution_cells(nb):
    return [c for c in nbtest.code_cells(nb) if nbtest.nbg(c).get("solution")]


def filled(release_nb, sources):
    """The released notebook with its solution cells replaced by sources[grade_id]."""
    nb = json.loads(json.dumps(release_nb))
    for c in solution_cells(nb):
        c["source"] = sources[nbtest.nbg(c)["grade_id"]]
    return nb


def generated_solutions(stem, outdir, variant=None):
    nb = nbtest.read(nbtest.generate(stem, outdir, broken=variant))
    return {nbtest.nbg(c)["grade_id"]: nbtest.src(c) for c in solution_cells(nb)}


def nocompile_solutions(stem, outdir):
    out = {}
    for gid, text in generated_solutions(stem, outdir).items():
        lines, keep, inside = text.split("\n"), [], False
        for l in lines:
            if "BEGIN SOLUTION" in l:
                inside = True
                keep.append("    this is not C;")
            elif "END SOLUTION" in l:
                inside = False
            elif not inside:
                keep.append(l)
        out[gid] = "\n".join(keep)
    return out


def hidden_checks():
    """(stem, check id) of every check with hidden tests, as the generator emits them."""
    return {(s, c["id"]) for s in STEMS for c in nbtest.mknotebook.build(nbtest.source(s))["cells"]
            if "check" in nbtest.tags(c) and "BEGIN HIDDEN TESTS" in c["source"]}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader")
    course = root / "course"
    res = subprocess.run([sys.executable, nbtest.COURSE_SCRIPT, "-o", str(course),
                          "--assignment", ASSIGNMENT], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stdout + res.stderr
    generate_log = res.stdout + res.stderr
    release = {s: nbtest.read(str(course / "release" / ASSIGNMENT / (s + ".ipynb"))) for s in STEMS}

    # the student versions under nbconvert, and 02 with a solution only its hidden tests catch
    runs = root / "runs"
    runs.mkdir()
    paths = {("blank", s): nbtest.write(release[s], str(runs / (s + ".ipynb"))) for s in STEMS}
    stem02 = "02-softmax-gradient"
    paths[("shift-first", stem02)] = nbtest.write(
        filled(release[stem02], generated_solutions(stem02, str(root / "gen-sf"), "shift-first")),
        str(runs / (stem02 + ".shift-first.ipynb")))
    executed = nbtest.execute_many(list(paths.values()), str(runs / "out"))
    executed = {k: executed[p] for k, p in paths.items()}

    # submissions, autograded in one call
    students = {"ref": {}, "blank": {}, "nocompile": {}}
    for v in VARIANTS:
        students["variant-" + v] = {}
    for s in STEMS:
        variants = nbtest.describe(s)["variants"]
        ref = generated_solutions(s, str(root / "gen-ref"))
        students["ref"][s] = filled(release[s], ref)
        students["blank"][s] = release[s]
        students["nocompile"][s] = filled(release[s], nocompile_solutions(s, str(root / "gen-nc")))
        for v in VARIANTS:
            sol = generated_solutions(s, str(root / ("gen-" + v)), v) if v in variants else ref
            students["variant-" + v][s] = filled(release[s], sol)
    for student, nbs in students.items():
        dest = course / "submitted" / student / ASSIGNMENT
        dest.mkdir(parents=True)
        for s, nb in nbs.items():
            nbtest.write(nb, str(dest / (s + ".ipynb")))
    autograde_log = nbtest.nbgrader(str(course), "autograde", ASSIGNMENT)

    from nbgrader.api import Gradebook
    scores = {}
    with Gradebook("sqlite:///%s" % (course / "gradebook.db")) as gb:
        for student in students:
            for s in STEMS:
                sub = gb.find_submission_notebook(s, ASSIGNMENT, student)
                scores[(student, s)] = {g.name: (g.score, g.max_score) for g in sub.grades}
    autograded = {(st, s): nbtest.read(str(course / "autograded" / st / ASSIGNMENT / (s + ".ipynb")))
                  for st in students for s in STEMS}
    return {"course": course, "release": release, "executed": executed, "scores": scores,
            "autograded": autograded, "generate_log": generate_log, "autograde_log": autograde_log}


def test_generate_assignment_warns_about_nothing(course):
    assert "Converting notebook" in course["generate_log"], course["generate_log"][-2000:]
    assert not nbtest.warnings_in(course["generate_log"]), nbtest.warnings_in(course["generate_log"])


def test_autograde_warns_only_that_it_restores_hidden_tests(course):
    hidden = {c for s, c in hidden_checks()}
    assert hidden, "at least one check has hidden tests"
    bad = []
    for line in nbtest.warnings_in(course["autograde_log"]):
        m = re.search(r"\| WARNING\] Attribute 'checksum' for cell (\S+) has changed!", line)
        if not (m and m.group(1) in hidden):
            bad.append(line)
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("stem", STEMS)
def test_release_has_stubs_and_nothing_hidden(stem, course):
    nb = course["release"][stem]
    text = json.dumps(nb)
    for word in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert word not in text, word
    sols = solution_cells(nb)
    assert sols and all(stubs(nbtest.src(c)) for c in sols)
    graded = {nbtest.nbg(c)["grade_id"] for c in nbtest.code_cells(nb) if nbtest.nbg(c).get("grade")}
    assert graded == {c for c, p in nbtest.describe(stem)["checks"].items() if p}
    if stem == "02-softmax-gradient":
        assert "big2" not in text and "big2" in open(nbtest.source(stem), encoding="utf-8").read()


@pytest.mark.parametrize("stem", STEMS)
def test_student_version_fails_at_each_stub_with_one_clear_message(stem, course):
    nb = course["executed"][("blank", stem)]
    expected, problems = set(), []
    for c in solution_cells(nb):
        assert c["outputs"] == [], "the stubbed solution cell compiles quietly: %s" % nbtest.all_text(c)
        for fn, line in stubs(nbtest.src(c)):
            expected.add("%s() is not written yet (cell[%d]:%d)" % (fn, c["execution_count"], line))
    for c in nbtest.code_cells(nb):
        text, errs = nbtest.all_text(c), nbtest.errors(c)
        if any(w in text for w in nbtest.CASCADE):
            problems.append("%s: %s" % (c["id"], text[-300:]))
        if errs and (errs[0]["ename"], errs[0]["evalue"]) not in {("NotImplemented", e) for e in expected}:
            problems.append("%s fails otherwise: %s: %s" % (c["id"], errs[0]["ename"], errs[0]["evalue"][:300]))
        if "check" in nbtest.tags(c):
            if nbtest.nbg(c).get("grade") and not errs:
                problems.append("%s is graded but never calls the student's code" % c["id"])
            if not nbtest.nbg(c).get("grade") and errs:
                problems.append("ungraded check %s fails in the student version" % c["id"])
    assert not problems, "\n".join(problems)
    print("%s: %s" % (stem, "; ".join(sorted(expected))))


def test_hidden_tests_catch_what_the_visible_ones_do_not(course):
    nb = course["executed"][("shift-first", "02-softmax-gradient")]
    failing = [c["id"] for c in nbtest.code_cells(nb) if nbtest.errors(c)]
    assert failing == [], failing
    s = course["scores"][("variant-shift-first", "02-softmax-gradient")]
    assert s["softmax-jacobian-fd"][0] == 0 and s["softmax-jacobian-fd"][1] > 0, s


@pytest.mark.parametrize("stem", STEMS)
def test_reference_solutions_get_full_marks(stem, course):
    s = course["scores"][("ref", stem)]
    assert s and all(got == top for got, top in s.values()), s


@pytest.mark.parametrize("stem", STEMS)
def test_blank_submission_scores_zero_on_every_check(stem, course):
    s = course["scores"][("blank", stem)]
    assert s and all(got == 0 for got, top in s.values()), s


@pytest.mark.parametrize("variant", VARIANTS)
def test_broken_variant_loses_exactly_the_points_it_declares(variant, course):
    for stem in STEMS:
        info = nbtest.describe(stem)
        breaks = set(info["variants"][variant]["breaks"]) if variant in info["variants"] else set()
        s = course["scores"][("variant-" + variant, stem)]
        lost = {g for g, (got, top) in s.items() if got != top}
        assert lost == {b for b in breaks if info["checks"][b]}, (stem, variant, s)
        print("%s %s: %g/%g" % (stem, variant, sum(g for g, t in s.values()), sum(t for g, t in s.values())))


@pytest.mark.parametrize("stem", STEMS)
def test_a_solution_that_does_not_compile_cascades_nowhere(stem, course):
    s = course["scores"][("nocompile", stem)]
    assert all(got == 0 for got, top in s.values()), s
    nb = course["autograded"][("nocompile", stem)]
    names = set()
    for c in solution_cells(nb):
        names |= {m.group(1) for l in nbtest.src(c).split("\n") for m in [FUNC.match(l)] if m}
    problems = []
    for c in nbtest.code_cells(nb):
        if nbtest.nbg(c).get("solution"):
            continue
        for e in nbtest.errors(c):
            said = set(re.findall(r"'(\w+)'", e["evalue"]))
            if not said or not said <= names:
                problems.append("%s: %s: %s" % (c["id"], e["ename"], e["evalue"][:300]))
    assert not problems, "errors naming no function of the solution cell %s:\n%s" % (
        sorted(names), "\n".join(problems))


def test_a_hanging_cell_times_out_and_the_rest_is_graded(course):
    stem = "06-adam-vs-sgd"
    course_dir = course["course"]
    ref = nbtest.read(nbtest.generate(stem, str(course_dir / "gen-hang")))
    sol = {}
    for c in solution_cells(ref):
        t = nbtest.src(c)
        a, b = t.index("        // BEGIN SOLUTION"), t.index("// END SOLUTION") + len("// END SOLUTION")
        sol[nbtest.nbg(c)["grade_id"]] = "#include <unistd.h>\n" + t[:a] + HANG_06 + t[b:]
    dest = course_dir / "submitted" / "hang" / ASSIGNMENT
    dest.mkdir(parents=True)
    for s in STEMS:
        nb = filled(course["release"][s], sol) if s == stem else course["release"][s]
        nbtest.write(nb, str(dest / (s + ".ipynb")))
    nbtest.nbgrader(str(course_dir), "autograde", ASSIGNMENT, "--student", "hang", "--Execute.timeout=10")
    from nbgrader.api import Gradebook
    with Gradebook("sqlite:///%s" % (course_dir / "gradebook.db")) as gb:
        sub = gb.find_submission_notebook(stem, ASSIGNMENT, "hang")
        s = {g.name: (g.score, g.max_score) for g in sub.grades}
    assert s["adam-first-step"][0] == s["adam-first-step"][1] > 0, s
    assert s["adam-vs-library"][0] == s["adam-vs-library"][1] > 0, s
    assert s["adam-scaling-claims"][0] == 0, s
    nb = nbtest.read(str(course_dir / "autograded" / "hang" / ASSIGNMENT / (stem + ".ipynb")))
    cells = {c["id"]: c for c in nbtest.code_cells(nb)}
    # the kernel's own error for the interrupt, then nbgrader's record of the timeout
    assert "CellTimeoutError" in [e["ename"] for e in nbtest.errors(cells["adam-scaling-claims"])]
    assert "\u2713" in nbtest.all_text(cells["adam-reddi"]) and not nbtest.errors(cells["adam-reddi"])


def load_config(jupyter_path):
    """The shipped config as nbgrader loads it, with Jupyter looking for kernels in jupyter_path."""
    from traitlets.config.loader import PyFileConfigLoader
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = jupyter_path
    try:
        return PyFileConfigLoader("nbgrader_config.py", path=os.path.join(nbtest.SRCDIR, "share")).load_config()
    finally:
        if old is None:
            del os.environ["JUPYTER_PATH"]
        else:
            os.environ["JUPYTER_PATH"] = old


@pytest.mark.parametrize("has_limits", [False, True])
def test_config_passes_grading_limits_only_to_a_kernel_that_takes_them(has_limits, tmp_path):
    """A kernel whose --help lists --limits gets `--limits wall=..,cpu=..` from nbgrader's
    Execute; an older kernel gets no extra argument (it would refuse to start)."""
    spec = tmp_path / "kernels" / "chalk"
    spec.mkdir(parents=True)
    exe = tmp_path / "fake-kernel"
    exe.write_text("#!/bin/sh\necho 'usage: chalk-kernel -f CONNECTION_FILE%s'\n"
                   % (" [--limits wall=S,cpu=S]" if has_limits else ""))
    exe.chmod(0o755)
    (spec / "kernel.json").write_text(json.dumps({"argv": [str(exe), "-f", "{connection_file}"],
                                                  "display_name": "fake", "language": "c"}))
    cfg = load_config(str(tmp_path))
    assert cfg.Execute.timeout > 0 and cfg.Execute.interrupt_on_timeout is True
    assert "allow_errors" not in cfg.Execute
    if has_limits:
        args = cfg.Execute.extra_arguments
        assert args[0] == "--limits" and re.match(r"^wall=\d+,cpu=\d+,", args[1]), args
        # every limit is given, so every one is a ceiling a notebook's %limits cannot raise
        assert {kv.split("=")[0] for kv in args[1].split(",")} == \
            {"wall", "cpu", "memory", "procs", "fsize", "output"}, args
        assert int(args[1].split(",")[0][5:]) < cfg.Execute.timeout
    else:
        assert "extra_arguments" not in cfg.Execute
