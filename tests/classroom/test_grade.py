"""chalk-grade on small sets of submissions made from the repository's notebooks.

Local mode (a process pool): reference solutions get full marks, the sources' wrong answers
fewer; a sleeping solution is stopped by --timeout and the other checks still score;
missing and corrupt notebooks give 0 rows with a note; grades.csv has exactly the
documented columns; every feedback page has local MathJax, highlighted C and the plots,
and loads nothing from the network; tampered check cells are graded with the source's;
--shard 1/2 + 2/2 merged is the unsharded CSV.

Against nbgrader: one course, every cheat of tests/classroom/cheats.py as a student, one
`nbgrader autograde` call; chalk-grade gives identical per-check scores, with nbgrader's
scoring function and with its builtin copy.  The last test (cheats score what the wrong
answer alone scores) judges the kernel, not the grader: it fails on a kernel without the
integrity fixes of issue 15.
"""
import json
import os
import re
import shutil
import subprocess
import urllib.parse

import pytest

import cheats
import gradetest as gt
from gradetest import NB02, NB06

NOTE_MISSING = re.compile(r"^missing: ")
NOTE_CORRUPT = re.compile(r"^not a notebook: ")


# ---------------------------------------------------------------------------
# Local mode on the repository's notebooks.

@pytest.fixture(scope="module")
def local(tmp_path_factory):
    root = tmp_path_factory.mktemp("local")
    src, subs, ref = gt.base_submissions(root)
    gt.write(ref[NB06], subs / "timeout" / (NB06 + ".ipynb"))
    gt.write(ref[NB02], subs / "missing" / (NB02 + ".ipynb"))
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / (NB02 + ".ipynb")).write_text("garbage, not JSON\n")
    (subs / "corrupt" / (NB06 + ".ipynb")).write_text(json.dumps({"cells": 3}))
    raised = json.loads(json.dumps(ref[NB06]))
    raised["cells"].insert(0, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                               "source": "%limits output=1G cpu=100000"})
    gt.write(raised, subs / "raise-limits" / (NB06 + ".ipynb"))
    gt.write(ref[NB02], subs / "raise-limits" / (NB02 + ".ipynb"))
    for name, fn in cheats.TAMPERS.items():
        gt.write(fn(ref[NB02]), subs / name / (NB02 + ".ipynb"))
        gt.write(ref[NB06], subs / name / (NB06 + ".ipynb"))
    out = root / "out"
    res, rows = gt.grade(subs, out, "--source", str(src))
    return {"root": root, "src": src, "subs": subs, "out": out, "rows": rows, "res": res,
            "max": {s: {c["metadata"]["nbgrader"]["grade_id"]: float(c["metadata"]["nbgrader"]["points"])
                        for c in ref[s]["cells"] if c["metadata"].get("nbgrader", {}).get("grade")}
                    for s in (NB02, NB06)}}


def rows_of(local, student, notebook):
    return [r for r in local["rows"] if r["student"] == student and r["notebook"] == notebook]


def test_grades_csv_has_exactly_the_columns(local):
    assert gt.header(local["out"] / "grades.csv") == \
        ["student", "notebook", "grade_id", "points", "max_points", "note"]
    students = sorted(os.listdir(local["subs"]))
    assert sorted({r["student"] for r in local["rows"]}) == students
    for s in students:   # one row per check cell of the source, in the source's order
        for nb in (NB02, NB06):
            got = [(r["grade_id"], float(r["max_points"])) for r in rows_of(local, s, nb)]
            assert got == list(local["max"][nb].items()), (s, nb, got)


def test_reference_solutions_get_full_marks(local):
    for nb in (NB02, NB06):
        rows = rows_of(local, "reference", nb)
        assert rows and all(r["points"] == r["max_points"] and r["note"] == "" for r in rows), rows


def test_wrong_answers_get_fewer_marks_with_a_reason(local):
    for nb in (NB02, NB06):
        rows = rows_of(local, "broken", nb)
        lost = [r for r in rows if float(r["points"]) < float(r["max_points"])]
        assert lost, rows
        assert all(r["note"] for r in lost), lost
        assert any("CheckFailed" in r["note"] for r in lost), lost


def test_timeout_stops_the_sleeping_cell_and_the_rest_still_scores(local):
    got = {r["grade_id"]: r for r in rows_of(local, "timeout", NB02)}
    fd = got["softmax-jacobian-fd"]
    assert fd["points"] == "0" and fd["note"] == "timed out after %s s" % gt.TIMEOUT, fd
    # checks that do not use what the timed-out cell declares keep their points
    for gid in ("softmax-jacobian-structure", "softmax-jacobian-rank", "softmax-fd-step"):
        assert got[gid]["points"] == got[gid]["max_points"], got[gid]
    assert all(r["points"] == r["max_points"] for r in rows_of(local, "timeout", NB06))


def test_missing_and_corrupt_notebooks_give_zero_rows_with_the_reason(local):
    cases = [("missing", NB06, NOTE_MISSING), ("corrupt", NB02, NOTE_CORRUPT), ("corrupt", NB06, NOTE_CORRUPT)]
    for student, nb, note in cases:
        rows = rows_of(local, student, nb)
        assert [r["grade_id"] for r in rows] == list(local["max"][nb]), rows
        assert all(r["points"] == "0" and note.match(r["note"]) for r in rows), rows
    assert all(r["points"] == r["max_points"] for r in rows_of(local, "missing", NB02))


def test_tampered_check_cells_are_graded_with_the_source(local):
    broken = {r["grade_id"]: r["points"] for r in rows_of(local, "broken", NB02)}
    for name in cheats.TAMPERS:
        got = {r["grade_id"]: r["points"] for r in rows_of(local, name, NB02)}
        assert got == broken, (name, got, broken)
        fd = next(r for r in rows_of(local, name, NB02) if r["grade_id"] == cheats.FAILING_CHECK)
        assert "edited" in fd["note"] or "missing" in fd["note"], (name, fd)


def _assets(page):
    """(script src, stylesheet href) URLs of a page."""
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]*)\"", page)
    links = re.findall(r"<link[^>]*\bhref=\"([^\"]*)\"", page)
    return scripts, links


def test_a_submission_cannot_raise_the_kernels_limits(local):
    """chalk's limits are given on the kernel's command line, so they are ceilings: the
    student's `%limits output=1G cpu=100000` is refused, and the checks still grade."""
    page = (local["out"] / "feedback" / "raise-limits" / (NB06 + ".html")).read_text(encoding="utf-8")
    assert "UsageError" in page and "above the ceiling" in page
    got = {r["grade_id"]: float(r["points"]) for r in rows_of(local, "raise-limits", NB06)}
    assert got == local["max"][NB06], got


def test_feedback_pages_local_mathjax_highlighted_c_and_plots(local):
    fb = local["out"] / "feedback"
    for student in os.listdir(local["subs"]):
        for nb in (NB02, NB06):
            path = fb / student / (nb + ".html")
            page = path.read_text(encoding="utf-8")
            for bad in ("cdnjs", "unpkg.com", "jsdelivr", "googleapis"):
                assert bad not in page, (path, bad)
            scripts, links = _assets(page)
            for url in scripts + links:
                assert not re.match(r"^(https?:)?//", url), (path, url)
                target = os.path.normpath(os.path.join(str(path.parent), urllib.parse.urlsplit(url).path))
                assert os.path.isfile(target), (path, url)
            total = sum(float(r["points"]) for r in rows_of(local, student, nb))
            top = sum(float(r["max_points"]) for r in rows_of(local, student, nb))
            assert "Total: %g / %g" % (total, top) in page, (path, total, top)
    page = (fb / "reference" / (NB02 + ".html")).read_text(encoding="utf-8")
    scripts, _ = _assets(page)
    mj = [u for u in scripts if "MathJax.js" in u]
    assert mj == ["../_static/MathJax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"], scripts
    for conf in urllib.parse.parse_qs(urllib.parse.urlsplit(mj[0]).query)["config"][0].split(","):
        assert (fb / "_static" / "MathJax" / "config" / (conf + ".js")).is_file(), conf
    # the maths: MathML made at conversion time (chalk_mathml) where it can be imported,
    # else the TeX the local MathJax typesets
    try:
        import chalk_mathml  # noqa: F401
        assert "<math" in page and r"\mathbb{R}^n" not in page
    except ImportError:
        assert r"\mathbb{R}^n" in page
    assert page.index("Total: 8 / 8") < page.index("jp-Cell")   # the total is at the top
    assert "softmax-jacobian-fd: 2 / 2" in page          # the score of each check
    assert '<span class="kt">double</span>' in page       # C, highlighted by Pygments
    assert re.search(r'<img[^>]+src="data:image/(svg\+xml|png);base64,', page) or "<svg" in page
    bad = (fb / "broken" / (NB02 + ".html")).read_text(encoding="utf-8")
    assert re.search(r"softmax-jacobian-fd: 0 / 2 (&mdash;|\u2014) CheckFailed: stable softmax", bad)
    missing = (fb / "missing" / (NB06 + ".html")).read_text(encoding="utf-8")
    top06 = sum(local["max"][NB06].values())   # from the notebook's metadata, so adding a check keeps this true
    assert "Total: 0 / %g" % top06 in missing and "missing: no file" in missing


def test_shards_merged_equal_the_unsharded_csv(local, tmp_path):
    out = tmp_path / "sharded"
    parts = []
    for i in (1, 2):
        res, _ = gt.grade(local["subs"], out, "--source", str(local["src"]), "--shard", "%d/2" % i)
        parts.append(gt.read_csv(out / ("grades.part-%d-of-2.csv" % i)))
    assert parts[0] and parts[1]
    keys = [{(r["student"], r["notebook"]) for r in p} for p in parts]
    assert not keys[0] & keys[1]
    res = subprocess.run(gt.command() + ["merge", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert (out / "grades.csv").read_text() == (local["out"] / "grades.csv").read_text()


def test_merge_refuses_an_incomplete_set_of_parts(local, tmp_path):
    out = tmp_path / "partial"
    out.mkdir()
    shutil.copy(local["out"] / "grades.csv", out / "grades.part-1-of-3.csv")
    res = subprocess.run(gt.command() + ["merge", str(out)], capture_output=True, text=True)
    assert res.returncode == 2 and "shards missing: 2, 3 of 3" in res.stderr, res.stderr
    assert not (out / "grades.csv").exists()


# ---------------------------------------------------------------------------
# The scoring rule: nbgrader's function and the builtin copy, cell by cell.

def _cell(outputs, points=2, solution=False, source="x;", checksum=None):
    import nbformat
    meta = {"grade": True, "grade_id": "g", "locked": not solution, "points": points,
            "schema_version": 3, "solution": solution, "task": False}
    if checksum:
        meta["checksum"] = checksum
    return nbformat.from_dict({"cell_type": "code", "execution_count": 1, "id": "c", "metadata": {"nbgrader": meta},
                               "outputs": outputs, "source": source})


def _result(text):
    return {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": text}}


CRAFTED = [
    [],
    [{"output_type": "stream", "name": "stdout", "text": "fine\n"}],
    [{"output_type": "stream", "name": "stderr", "text": "note\n"}],
    [{"output_type": "error", "ename": "CheckFailed", "evalue": "x", "traceback": []}],
    [_result("1.5")], [_result("0")], [_result("-1")], [_result("[1, 2]")], [_result(["1", "2"])],
    [_result(["0.5"])],
    [_result("2"), {"output_type": "error", "ename": "E", "evalue": "", "traceback": []}],
    [{"output_type": "stream", "name": "stdout", "text": "a\n"}, _result("nan")],
]


def test_builtin_rule_matches_nbgrader_on_crafted_cells():
    nbu = pytest.importorskip("nbgrader.utils")
    cg = gt.module()
    for outputs in CRAFTED:
        cell = _cell(outputs)
        assert cg.builtin_determine_grade(cell) == nbu.determine_grade(cell), outputs
        assert cg.builtin_compute_checksum(cell) == nbu.compute_checksum(cell)
    for cell in (_cell([_result("3")]),):   # more than the points: both refuse
        with pytest.raises(ValueError):
            nbu.determine_grade(cell)
        with pytest.raises(ValueError):
            cg.builtin_determine_grade(cell)
    sol = _cell([], solution=True)
    for c in (sol, _cell([], solution=True, checksum=nbu.compute_checksum(sol))):
        assert cg.builtin_determine_grade(c) == nbu.determine_grade(c)


# ---------------------------------------------------------------------------
# Against nbgrader autograde, on every cheat.

STUDENTS = ["reference", "broken", *cheats.CHEATS, *cheats.TAMPERS]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    pytest.importorskip("nbgrader")
    course = tmp_path_factory.mktemp("course")
    shutil.copy(os.path.join(gt.SRCDIR, "share", "nbgrader_config.py"), course)
    src = course / "source" / "ps1"
    ref_src = gt.generate(NB02, src)
    gt.nbgrader(course, "generate_assignment", "ps1", "--force")
    with open(course / "release" / "ps1" / (NB02 + ".ipynb"), encoding="utf-8") as f:
        released = json.load(f)
    fill = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in ref_src["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")}
    for c in released["cells"]:
        if c["metadata"].get("nbgrader", {}).get("solution"):
            c["source"] = fill[c["metadata"]["nbgrader"]["grade_id"]]
    make = {"reference": lambda nb: nb, "broken": cheats.wrong, **cheats.CHEATS, **cheats.TAMPERS}
    subs = course / "flat"
    for student in STUDENTS:
        nb = make[student](json.loads(json.dumps(released)))
        gt.write(nb, course / "submitted" / student / "ps1" / (NB02 + ".ipynb"))
        gt.write(nb, subs / student / (NB02 + ".ipynb"))
    # One autograde call for every student (each call costs nbgrader ~6 s of start-up).
    gt.nbgrader(course, "autograde", "ps1", "--force", "--Execute.timeout=%s" % gt.TIMEOUT)
    from nbgrader.api import Gradebook
    nbg = {}
    with Gradebook("sqlite:///%s" % (course / "gradebook.db")) as gb:
        gids = [c.name for c in gb.find_notebook(NB02, "ps1").grade_cells]
        for student in STUDENTS:
            for gid in gids:
                nbg.setdefault(student, {})[gid] = float(gb.find_grade(gid, NB02, "ps1", student).score)
    _, auto = gt.grade(subs, course / "out-auto", "--source", str(src))
    _, builtin = gt.grade(subs, course / "out-builtin", "--source", str(src), "--scorer", "builtin")
    return {"course": course, "nbgrader": nbg, "auto": auto, "builtin": builtin, "subs": subs,
            "released": released}


def test_same_per_check_scores_as_nbgrader_autograde(course):
    ours = gt.by_student(course["auto"])
    # nbgrader scores a deleted check cell 0 (it does not put it back by default);
    # chalk-grade puts the source's back and grades it (test_tampered_check_cells_...).
    compared = [s for s in STUDENTS if s != "tamper-delete"]
    diff = {s: (ours[s], course["nbgrader"][s]) for s in compared if ours[s] != course["nbgrader"][s]}
    assert not diff, diff
    assert course["nbgrader"]["tamper-delete"][cheats.FAILING_CHECK] == 0


def test_builtin_scorer_gives_the_same_scores_as_nbgraders(course):
    # scores, not notes: the kernel may word a crash differently from run to run
    assert gt.scores(course["auto"]) == gt.scores(course["builtin"])
    assert len(course["auto"]) == len(STUDENTS) * 5


def test_only_edited_check_cells_are_reported_as_edited(course):
    edited = {(r["student"], r["grade_id"]) for r in course["auto"] if "edited" in r["note"]}
    assert edited == {(s, cheats.FAILING_CHECK) for s in ("tamper-edit", "tamper-points", "tamper-repoint")} | \
        {("tamper-points", "softmax-jacobian-rank")}, edited


def test_without_source_an_edited_check_scores_zero(course, tmp_path):
    subs = tmp_path / "subs"
    for s in ("reference", "tamper-edit"):
        shutil.copytree(course["subs"] / s, subs / s)
    res, rows = gt.grade(subs, tmp_path / "out")
    assert "no --source" in res.stderr
    got = gt.by_student(rows)
    assert all(v > 0 for v in got["reference"].values()), got
    fd = next(r for r in rows if r["student"] == "tamper-edit" and r["grade_id"] == cheats.FAILING_CHECK)
    assert fd["points"] == "0" and "edited" in fd["note"], fd


# EXPECTED TO FAIL on a kernel without the integrity fixes of issue 15 (points 1 and 2):
# this judges the kernel, through the grader.  A cheat must score, check by check, exactly
# what the wrong answer alone scores (scanf-correct: what the reference scores).
@pytest.mark.parametrize("cheat", sorted(cheats.CHEATS))
def test_cheat_scores_what_the_wrong_answer_alone_scores(course, cheat):
    ours = gt.by_student(course["auto"])
    want = ours[cheats.EXPECT[cheat]]
    assert ours[cheat] == want, "%s scores %s, %s scores %s" % (cheat, ours[cheat], cheats.EXPECT[cheat], want)
