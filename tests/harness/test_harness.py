"""test_harness.py — the counting machinery must count honestly.

.ci/run's final line is only as true as tests/pytest-driver.py (one result
per pytest test), tests/summary.sh (adds .trs results, notebook results and
failed steps) and tests/run-notebooks.py (checks and notebooks).  These tests
feed each of them a known mix of passes, failures, skips and breakage and
assert the numbers a CI reader would see.  Notebooks here use ipykernel, so
they do not depend on chalk's kernel.
"""
import json
import os
import subprocess
import sys
import textwrap

import pytest

SRCDIR = os.environ.get("CHALK_SRCDIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DRIVER = os.path.join(SRCDIR, "tests", "pytest-driver.py")
SUMMARY = os.path.join(SRCDIR, "tests", "summary.sh")
RUNNER = os.path.join(SRCDIR, "tests", "run-notebooks.py")


def run_driver(tmp_path, source, expect_failure="no"):
    t = tmp_path / "test_sample.py"
    t.write_text(textwrap.dedent(source))
    log, trs = tmp_path / "test_sample.log", tmp_path / "test_sample.trs"
    p = subprocess.run(
        [sys.executable, DRIVER, "--test-name", "test_sample.py", "--log-file", str(log),
         "--trs-file", str(trs), "--color-tests", "no", "--expect-failure", expect_failure,
         "--enable-hard-errors", "yes", "--", sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(t)],
        capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    lines = trs.read_text().splitlines()
    results = [l.split()[1] for l in lines if l.startswith(":test-result:")]
    glob = next(l.split()[1] for l in lines if l.startswith(":global-test-result:"))
    return results, glob, p.stdout


def test_driver_one_result_per_pytest_test(tmp_path):
    results, glob, out = run_driver(tmp_path, """
        import pytest
        def test_a(): pass
        def test_b(): assert 1 == 2
        @pytest.mark.skip(reason="later")
        def test_c(): pass
        @pytest.mark.xfail
        def test_d(): assert 0
        @pytest.mark.parametrize("x", [1, 2, 3])
        def test_e(x): pass
    """)
    assert sorted(results) == sorted(["PASS", "FAIL", "SKIP", "XFAIL", "PASS", "PASS", "PASS"])
    assert glob == "FAIL"
    assert "FAIL: " in out and "test_b" in out


def test_driver_collection_error_is_one_error_not_zero_tests(tmp_path):
    results, glob, _ = run_driver(tmp_path, """
        import module_that_does_not_exist_anywhere
        def test_a(): pass
    """)
    assert results == ["ERROR"]
    assert glob == "ERROR"


def test_driver_file_without_tests_is_an_error(tmp_path):
    results, glob, _ = run_driver(tmp_path, "x = 1\n")
    assert results == ["ERROR"]


def test_driver_module_level_skip_is_a_skip(tmp_path):
    results, glob, _ = run_driver(tmp_path, """
        import pytest
        pytest.skip("no browser here", allow_module_level=True)
        def test_a(): pass
    """)
    assert results == ["SKIP"] and glob == "SKIP"


def test_driver_all_passing(tmp_path):
    results, glob, _ = run_driver(tmp_path, "def test_a(): pass\ndef test_b(): pass\n")
    assert results == ["PASS", "PASS"] and glob == "PASS"


def summary(tmp_path, *args):
    p = subprocess.run(["sh", SUMMARY, *args, str(tmp_path)], capture_output=True, text=True)
    return p.returncode, p.stdout.strip().splitlines()


def test_summary_counts_trs_notebooks_and_failed_steps(tmp_path):
    (tmp_path / "a.trs").write_text(":global-test-result: PASS\n:recheck: no\n:copy-in-global-log: no\n"
                                    ":test-result: PASS\n")
    (tmp_path / "b.trs").write_text(":global-test-result: FAIL\n:recheck: yes\n:copy-in-global-log: yes\n"
                                    ":test-result: PASS t::x\n:test-result: FAIL t::y\n"
                                    ":test-result: SKIP t::z\n:test-result: XFAIL t::w\n"
                                    ":test-result: ERROR t::v\n")
    nb = tmp_path / "nb.json"
    nb.write_text(json.dumps({"notebooks": [{"notebook": "n.ipynb", "ok": False, "problem": "p"}],
                              "tests_total": 5, "tests_passed": 3, "tests_failed": 2}))
    rc, lines = summary(tmp_path, "--notebooks", str(nb), "--step", "quickstart=1", "--step", "make-check=0")
    assert lines[-1] == "6 passed, 4 failed"
    assert rc != 0


def test_summary_broken_build_never_reads_zero_failed(tmp_path):
    rc, lines = summary(tmp_path, "--step", "quickstart=2", "--step", "make-check=2")
    assert lines[-1] == "0 passed, 2 failed"
    assert rc != 0


def test_summary_all_green(tmp_path):
    (tmp_path / "a.trs").write_text(":test-result: PASS\n")
    rc, lines = summary(tmp_path, "--step", "make-check=0")
    assert lines[-1] == "1 passed, 0 failed" and rc == 0


def test_summary_adds_a_second_tree(tmp_path):
    # .ci/run counts the source tree and the sanitizer build's tree (which
    # lives under _build/, pruned when walking the first) in one line.
    main, asan = tmp_path / "main", tmp_path / "main" / "_build" / "asan" / "build"
    asan.mkdir(parents=True)
    (main / "a.trs").write_text(":test-result: PASS\n")
    (asan / "b.trs").write_text(":test-result: PASS\n:test-result: FAIL x\n")
    p = subprocess.run(["sh", SUMMARY, str(main)], capture_output=True, text=True)
    assert p.stdout.strip().splitlines()[-1] == "1 passed, 0 failed"
    p = subprocess.run(["sh", SUMMARY, str(main), str(asan)], capture_output=True, text=True)
    assert p.stdout.strip().splitlines()[-1] == "2 passed, 1 failed" and p.returncode != 0


def make_notebook(path, cells):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for src, tags in cells:
        c = nbformat.v4.new_code_cell(src)
        c.metadata["tags"] = tags
        nb.cells.append(c)
    nbformat.write(nb, str(path))


def test_run_notebooks_table_and_counts(tmp_path):
    pytest.importorskip("ipykernel")
    d = tmp_path / "nbs"
    d.mkdir()
    make_notebook(d / "a.ipynb", [("x = 1", []), ("assert x == 1", ["check"]),
                                  ("1/0", ["raises-exception"]), ("assert True", ["check"])])
    make_notebook(d / "b.ipynb", [("assert 1 == 2", ["check"]), ("assert True", ["check"])])
    make_notebook(d / "c.ipynb", [("undefined_name", []), ("assert True", ["check"])])
    make_notebook(d / "d.ipynb", [("assert True", ["check"]), ("import os; os._exit(1)", []),
                                  ("assert True", ["check"])])
    make_notebook(d / "e.ipynb", [("for i in range(300): display(i)", []), ("assert True", ["check"])])
    res = tmp_path / "r.json"
    p = subprocess.run([sys.executable, RUNNER, "--results", str(res), str(d)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    r = json.loads(res.read_text())
    by = {os.path.basename(n["notebook"]): n for n in r["notebooks"]}
    assert (by["a.ipynb"]["ok"], by["a.ipynb"]["checks_passed"], by["a.ipynb"]["checks_total"]) == (True, 2, 2)
    assert (by["b.ipynb"]["ok"], by["b.ipynb"]["checks_passed"], by["b.ipynb"]["runs_clean"]) == (False, 1, True)
    assert (by["c.ipynb"]["ok"], by["c.ipynb"]["runs_clean"]) == (False, False)
    assert "NameError" in by["c.ipynb"]["problem"]
    assert (by["d.ipynb"]["ok"], by["d.ipynb"]["checks_passed"], by["d.ipynb"]["runs_clean"]) == (False, 1, False)
    # a cell that floods the front end fails its notebook (the tour's %timeit once did)
    assert (by["e.ipynb"]["ok"], by["e.ipynb"]["checks_passed"], by["e.ipynb"]["runs_clean"]) == (False, 1, False)
    assert "300 outputs" in by["e.ipynb"]["problem"]
    # one test per check plus one per notebook, whatever happened
    assert (r["tests_total"], r["tests_passed"]) == (2 + 2 + 1 + 2 + 4 + 2, 3 + 2 + 1 + 1 + 1)
    assert "1/2" in p.stdout and "5 notebooks" in p.stdout
