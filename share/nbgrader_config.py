# nbgrader_config.py: chalk's course configuration for nbgrader (0.9.x).
#
# Copy it into the course directory (next to source/, release/, submitted/), or
# let `chalk-course` (share/classroom/chalk-course, what `make release` runs) do it.
# The exercise notebooks are C (kernel "chalk", language "c"): nbgrader knows no
# code stub for C, so we give one.  Solution regions are the lines between
# `// BEGIN SOLUTION` and `// END SOLUTION`, always inside a function body
# (exercises/notebooks/mknotebook.py refuses anything else), so the stub CH_NOT_WRITTEN()
# keeps the function compiling: later cells see it, and every call of it ends
# the cell with `NotImplemented: softmax() is not written yet (cell[4]:9)`.
# Checking cells are nbgrader grade cells (locked, with points); lines between
# `// BEGIN HIDDEN TESTS` and `// END HIDDEN TESTS` in them are left out of the
# student version and restored and run by `nbgrader autograde`.
#
# Grading limits (untrusted code): each cell gets GRADING_CELL_TIMEOUT seconds of
# wall-clock time.  At the timeout nbgrader's Execute interrupts the kernel
# (interrupt_on_timeout, on by default in nbgrader 0.9), records the cell as
# failed with a CellTimeoutError output (error_on_timeout) so it scores 0, and
# goes on with the next cell, so the rest of the notebook is still graded.
# Inside that, the kernel itself holds each cell to GRADING_LIMITS (chalk-kernel
# --limits: ceilings a cell cannot raise), which ends a runaway cell with
# chalk's own error before nbgrader's timeout has to.  Kernels older than that
# option do not list it in `chalk-kernel --help`; with them the option is not
# passed (nbgrader still works, with the timeout alone).
# Execute.allow_errors is not set here: nbgrader's Execute always goes on after
# an error (and warns that the option is "not recognized" when it is set).
# The one warning left is nbgrader's own at autograde, "Attribute 'checksum' for
# cell ID has changed!", once per check with hidden tests: the student's copy
# lacks them, and nbgrader puts the full cell back before running it.
import os
import subprocess
import warnings

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

GRADING_CELL_TIMEOUT = 120          # seconds of wall-clock time per cell
# chalk-kernel --limits, per cell: 60 s of wall-clock and CPU time, and chalk's defaults
# for the rest, all of them ceilings a notebook's `%limits` cannot raise
GRADING_LIMITS = "wall=60,cpu=60,memory=8G,procs=512,fsize=4G,output=4M"

c.CourseDirectory.course_id = "chalk"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.nbconvert.ipynb"]

c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearSolutions.code_stub = {"c": "// YOUR CODE HERE\nCH_NOT_WRITTEN();"}
c.ClearSolutions.enforce_metadata = True
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# nbgrader 0.9.6 with SQLAlchemy 2 prints this at a student's first autograde (its
# Gradebook adds a submission while autoflushing); the submission and its scores are
# stored all the same (tests/notebooks/test_nbgrader.py reads them back).
warnings.filterwarnings("ignore", message=r"Object of type <Submitted(Assignment|Notebook)> not in session")

# Feedback pages: the maths as MathML (share/classroom/chalk_mathml.py, installed with
# chalk), because nbconvert leaves $...$ to a MathJax from a CDN, which an offline page or
# JupyterLab's script-free HTML viewer never loads.  Without chalk's module (nbgrader in
# another environment) the pages are nbgrader's own.
try:
    from chalk_mathml import MathMLPreprocessor
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades
except ImportError:
    pass
else:
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, MathMLPreprocessor]

c.Execute.timeout = GRADING_CELL_TIMEOUT
c.Execute.interrupt_on_timeout = True


def _kernel_takes_limits():
    """True if the chalk kernel Jupyter finds documents --limits in its --help."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
        argv = KernelSpecManager().get_kernel_spec("chalk").argv
        res = subprocess.run([argv[0], "--help"], capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL, env=dict(os.environ, CHALK_LOG="error"))
        return "--limits" in res.stdout + res.stderr
    except Exception:       # no such kernel, or one that cannot run: nbgrader says so later
        return False


if _kernel_takes_limits():
    c.Execute.extra_arguments = ["--limits", GRADING_LIMITS]
