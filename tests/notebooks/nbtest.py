"""nbtest.py: shared helpers of the notebook tests (tests/notebooks/test_*.py).

Paths come from CHALK_SRCDIR (set by `make check`) or from this file's place
in the source tree.  Notebooks are executed with the real command line,
`jupyter nbconvert --to notebook --execute`, against whatever kernel named
`chalk` Jupyter finds: under `make check` that is the build tree's kernel
(JUPYTER_PATH points at tests/jupyter), otherwise the installed one.
execute_many runs many notebooks in ONE nbconvert command (its start-up costs
seconds, the notebooks far less), so the files need distinct names.
Beware: no time limit is imposed (ExecutePreprocessor.timeout=-1); a hung
cell hangs the test, which is what the harness's own watchdog is for.
"""
import json
import os
import re
import shutil
import subprocess
import sys

SRCDIR = os.environ.get("CHALK_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCES = os.path.join(SRCDIR, "exercises", "notebooks")
NOTEBOOKS = os.path.join(SRCDIR, "notebooks")
GENERATOR = os.path.join(SRCDIR, "exercises", "notebooks", "mknotebook.py")
COURSE_SCRIPT = os.path.join(SRCDIR, "share", "classroom", "chalk-course")

sys.path.insert(0, os.path.dirname(GENERATOR))
import mknotebook  # noqa: E402  (the generator's own reading of a source)

# what a student must never see: the cascade of a missing declaration
CASCADE = ("undeclared", "undefined symbol", "implicit declaration")


def stems(include_tour=True):
    out = sorted(f[:-3] for f in os.listdir(SOURCES) if f.endswith(".md"))
    return out if include_tour else [s for s in out if not s.startswith("00-")]


def source(stem):
    return os.path.join(SOURCES, stem + ".md")


def describe(stem):
    return mknotebook.describe(source(stem))


def jupyter():
    """The jupyter next to this Python (the venv's), else the one on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "jupyter")
    return here if os.path.exists(here) else shutil.which("jupyter") or "jupyter"


def generate(stem, outdir, broken=None):
    """Run the generator's command line; broken=NAME emits that broken variant
    (broken=True: the one named `broken`, every exercise has it)."""
    args = [sys.executable, GENERATOR, source(stem), "-o", outdir]
    if broken:
        args += ["--broken", "broken" if broken is True else broken]
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
    out = os.path.join(outdir, os.path.basename(path)[:-6] + "-executed.ipynb")
    if res.returncode != 0:
        raise AssertionError("nbconvert failed on %s:\n%s" % (path, res.stderr[-3000:]))
    with open(out, encoding="utf-8") as f:
        return json.load(f)


def execute_many(paths, outdir):
    """Execute all paths (distinct basenames) in one nbconvert run, going on past
    errors; return {path: executed notebook JSON}."""
    names = [os.path.basename(p) for p in paths]
    assert len(set(names)) == len(names), "execute_many needs distinct file names"
    os.makedirs(outdir, exist_ok=True)
    res = subprocess.run([jupyter(), "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
                          "--ExecutePreprocessor.timeout=-1", "--output-dir", outdir, *paths],
                         capture_output=True, text=True, cwd=outdir)
    if res.returncode != 0:
        raise AssertionError("nbconvert failed:\n%s" % res.stderr[-3000:])
    out = {}
    for p in paths:
        with open(os.path.join(outdir, os.path.basename(p)), encoding="utf-8") as f:
            out[p] = json.load(f)
    return out


def read(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write(nb, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1)
    return path


def src(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def nbg(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def text_of(output):
    if output.get("output_type") == "stream":
        t = output.get("text", "")
        return "".join(t) if isinstance(t, list) else t
    return ""


def all_text(cell):
    """Everything a cell shows: streams, errors (name, value, traceback), displays."""
    parts = []
    for o in cell.get("outputs", []):
        parts.append(text_of(o))
        if o.get("output_type") == "error":
            parts += [o.get("ename", ""), o.get("evalue", "")] + list(o.get("traceback", []))
        for v in o.get("data", {}).values():
            parts.append("".join(v) if isinstance(v, list) else str(v))
    return "\n".join(parts)


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def nbgrader(course, *args):
    """Run an nbgrader command in course; return its combined output (stdout + stderr)."""
    exe = os.path.join(os.path.dirname(sys.executable), "nbgrader")
    exe = exe if os.path.exists(exe) else (shutil.which("nbgrader") or "nbgrader")
    # nbgrader runs `alembic` (its database migrations) by name: put the venv's bin first.
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    res = subprocess.run([exe, *args], cwd=course, capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL)
    assert res.returncode == 0, "nbgrader %s failed:\n%s\n%s" % (args, res.stdout[-2000:], res.stderr[-4000:])
    return res.stdout + res.stderr


WARNING = re.compile(r"WARNING|Warning|not recognized|ERROR")


def warnings_in(output):
    """The lines of an nbgrader run that warn or report an error."""
    return [l for l in output.splitlines() if WARNING.search(l)]
