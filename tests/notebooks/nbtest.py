"""nbtest.py: shared helpers of the notebook tests (tests/notebooks/test_*.py).

Paths come from CHALK_SRCDIR (set by `make check`) or from this file's place
in the source tree.  Notebooks are executed with the real command line,
`jupyter nbconvert --to notebook --execute`, against whatever kernel named
`chalk` Jupyter finds: under `make check` that is the build tree's kernel
(JUPYTER_PATH points at tests/jupyter), otherwise the installed one.
Beware: no time limit is imposed (ExecutePreprocessor.timeout=-1); a hung
cell hangs the test, which is what the harness's own watchdog is for.
"""
import json
import os
import shutil
import subprocess
import sys

SRCDIR = os.environ.get("CHALK_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCES = os.path.join(SRCDIR, "exercises", "notebooks")
NOTEBOOKS = os.path.join(SRCDIR, "notebooks")
GENERATOR = os.path.join(SRCDIR, "exercises", "mknotebook.py")


def stems(include_tour=True):
    out = sorted(f[:-3] for f in os.listdir(SOURCES) if f.endswith(".md"))
    return out if include_tour else [s for s in out if not s.startswith("00-")]


def jupyter():
    """The jupyter next to this Python (the venv's), else the one on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "jupyter")
    return here if os.path.exists(here) else shutil.which("jupyter") or "jupyter"


def generate(stem, outdir, broken=False):
    args = [sys.executable, GENERATOR, os.path.join(SOURCES, stem + ".md"), "-o", outdir]
    if broken:
        args.append("--broken")
    subprocess.run(args, check=True)
    return os.path.join(outdir, stem + ".ipynb")


def execute(path, outdir, allow_errors=False):
    """Run nbconvert --execute on path; return the executed notebook as JSON."""
    args = [jupyter(), "nbconvert", "--to", "notebook", "--execute",
            "--ExecutePreprocessor.timeout=-1", "--output-dir", outdir,
            "--output", os.path.basename(path)[:-6] + "-executed"]
    if allow_errors:
        args.append("--allow-errors")
    args.append(path)
    res = subprocess.run(args, capture_output=True, text=True, cwd=outdir)
    assert res.returncode == 0 or not allow_errors, res.stderr[-3000:]
    out = os.path.join(outdir, os.path.basename(path)[:-6] + "-executed.ipynb")
    if res.returncode != 0:
        raise AssertionError("nbconvert failed on %s:\n%s" % (path, res.stderr[-3000:]))
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def text_of(output):
    if output.get("output_type") == "stream":
        t = output.get("text", "")
        return "".join(t) if isinstance(t, list) else t
    return ""
