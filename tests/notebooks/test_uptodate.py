"""The committed notebooks are exactly what their sources generate (run `make notebooks`).

Also checks that the comparison can fail, that generation is deterministic, and that committed
notebooks carry no outputs."""
import json
import os
import subprocess
import sys

import nbtest


def run_check(outdir):
    srcs = [os.path.join(nbtest.SOURCES, s + ".md") for s in nbtest.stems()]
    return subprocess.run([sys.executable, nbtest.GENERATOR, *srcs, "-o", outdir, "--check"],
                          capture_output=True, text=True)


def test_committed_notebooks_match_sources():
    res = run_check(nbtest.NOTEBOOKS)
    assert res.returncode == 0, res.stderr


def test_every_source_has_a_notebook_and_back():
    srcs = set(nbtest.stems())
    nbs = {f[:-6] for f in os.listdir(nbtest.NOTEBOOKS) if f.endswith(".ipynb")}
    assert srcs == nbs
    assert len([s for s in srcs if not s.startswith("00-")]) == 10


def test_the_check_detects_a_stale_notebook(tmp_path):
    for s in nbtest.stems():
        nbtest.generate(s, str(tmp_path))
    assert run_check(str(tmp_path)).returncode == 0
    victim = tmp_path / (nbtest.stems()[1] + ".ipynb")
    victim.write_text(victim.read_text().replace("Eckart", "Eckhart", 1))
    res = run_check(str(tmp_path))
    assert res.returncode == 1 and victim.name in res.stderr


def test_generation_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for s in nbtest.stems():
        pa, pb = nbtest.generate(s, str(a)), nbtest.generate(s, str(b))
        assert open(pa, "rb").read() == open(pb, "rb").read()


def test_committed_notebooks_have_no_outputs_and_valid_metadata():
    import nbformat
    for s in nbtest.stems():
        nb = nbformat.read(os.path.join(nbtest.NOTEBOOKS, s + ".ipynb"), as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "chalk"
        for c in nb.cells:
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None
                md = c.metadata.get("nbgrader")
                if "check" in nbtest.tags(c):
                    # graded (points) or not, a check is locked: nbgrader puts it back as written
                    assert md["locked"] and md["schema_version"] == 3 and not md["solution"]
                    assert (md["grade"] and md["points"] > 0) or (not md["grade"] and "points" not in md)
                if md and md.get("solution"):
                    assert "// BEGIN SOLUTION" in c.source and "// END SOLUTION" in c.source
