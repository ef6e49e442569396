#!/usr/bin/env python3
"""chalk-grade: grade chalk notebooks in batch, by nbgrader's rule, without nbgrader.

Why one file of ~1,300 lines: it is installed as one script (bin/chalk-grade) with no Python
package of its own to import from, and its parts (the kernel loop, scoring, sanitising,
feedback pages, the local, Dask and shard drivers) share the one notebook record.

    chalk-grade SUBMISSIONS --out DIR [--source SRC] [--workers N] [--timeout S]
                [--scheduler tcp://HOST:PORT] [--shard I/N] [--scorer auto|nbgrader|builtin]
    chalk-grade merge DIR          join DIR/grades.part-*-of-N.csv into DIR/grades.csv

SUBMISSIONS/<student>/<notebook>.ipynb.  Each notebook runs in a fresh kernel by nbclient's
rules and through nbclient's own output handling (see _Kernel: errors allowed, no stdin, a
per-cell wall-clock limit of --timeout seconds after which the cell is interrupted, scores 0
and the rest of the notebook still runs; if the kernel dies, the checks that never ran score
0).  Each
check cell (metadata nbgrader.grade with points and grade_id) is scored by nbgrader's own
nbgrader.utils.determine_grade when nbgrader is importable, else by the copy below, which
gives the same result (tests/classroom/test_grade.py compares both):
  - an `error` output or anything on stderr: 0;
  - else the first `execute_result`: its text/plain as partial credit if it reads as a number
    in [0, points], full points if it does not read as a number;
  - else full points.

Integrity.  With --source SRC (the instructor's nbgrader source/<assignment>/ notebooks, or
release/: source/ keeps hidden tests) the submission is sanitised as `nbgrader autograde`
does: outputs cleared; of two cells claiming one grade_id only the last keeps it; every
locked cell of the source (check cells are locked) gets back the source's type, text,
points and metadata; a check cell the student deleted is put back where the source had it
(nbgrader, by default, scores it 0); a grade_id the source does not know loses its nbgrader
metadata (nbgrader fails the whole notebook); the kernel is the source's, never the
student's.  The list of notebooks and of checks comes from SRC, so a missing or unreadable
notebook gets a 0 row for each of its checks.
Without --source the check cells are graded as submitted: a check cell whose text no longer
matches the checksum nbgrader's generate_assignment stored in it scores 0 ("edited"), but a
deleted check cell, or one whose checksum was edited too, cannot be detected; a missing
notebook is one row with an empty grade_id.  Use --source for marks that count.

Output: DIR/grades.csv (student,notebook,grade_id,points,max_points,note: one row per check
cell, note saying why points were lost) and DIR/feedback/<student>/<notebook>.html (score
per check and total at the top, Markdown maths as MathML (chalk_mathml, when importable)
and anything else by the MathJax copied once into DIR/feedback/_static/, highlighted C,
plots).  No page loads anything from the network.

Scale-out.  Local by default: a process pool of --workers (default: twice the cores),
one job per notebook.  --scheduler ADDRESS submits one Dask task per notebook to an existing
Dask distributed cluster; every worker needs chalk (the kernel) and the Python packages of
share/requirements.txt, but no shared filesystem: each task carries its submission and
source and returns its rows and page, which the grader's own machine writes.  A dask-jobqueue or
dask-kubernetes cluster is used unchanged, through its scheduler address:
    from dask_jobqueue import SLURMCluster             # or dask_kubernetes.operator.KubeCluster
    cluster = SLURMCluster(cores=4, memory="8GB", processes=4); cluster.scale(jobs=10)
    print(cluster.scheduler_address)                   # pass it as --scheduler
--shard I/N grades only the I-th (1-based) of N deterministic slices of the
(student, notebook) list and writes DIR/grades.part-I-of-N.csv; run one shard per task of a
Slurm job array (I = $SLURM_ARRAY_TASK_ID + 1) or Kubernetes indexed Job
(I = $JOB_COMPLETION_INDEX + 1) over a shared DIR, then `chalk-grade merge DIR`.  chalk-grade
never schedules anything itself.

Speed.  Each kernel is started, waited for and stopped by the grader itself (no 0.2 s
IOPub flush, no 0.1 s polling: 5 ms to ready, 10 ms to stop), on Unix sockets, with one BLAS
thread, and driven by a synchronous ZeroMQ loop (_Kernel) rather than nbclient's asyncio
tasks; kernels are launched from a kernelspec read once per worker and their messages
signed and checked as jupyter_client's KernelManager and Session do it, without their
traitlets, asyncio runs and date search through every header string (_Kernel, _Wire);
nbformat's validation of each output is remembered; feedback pages memoise highlighting
and Markdown per worker (one pygments formatter per language), and skip nbconvert's deep
copy of the notebook.  --workers defaults to twice the cores: a notebook alone keeps
its core busy less than half the time (each cell is a round trip grader -> kernel ->
executor -> cell process and back; a kernel's start and stop are process starts and exits).
On the shared 2-core machine of issue 15, 02-softmax-gradient, 200 submissions (each with
its student's own comment in every solution cell), feedback pages included, `make bench`
(README, Classroom, has the figures against `nbgrader autograde`): 0.120-0.143 s of CPU a
notebook over the whole process tree, start-up included.  Where a notebook's CPU goes, one
notebook at a time (load average 2-3 from other work): the kernel's process tree
0.090-0.12 s (the kernel process itself about 0.006 s, 0.0045 s of it loading its 22
libraries; the rest is the executor's), the grader's Python 0.018-0.030 s: the cell loop
0.009-0.011 s (0.45-0.55 ms a cell), the page 0.004-0.008 s (most of it pygments on the
student's own code), the kernel's start 0.002-0.003 s, its stop 0.001 s, reading and
sanitising 0.0015 s; plus about 1.3 s of CPU of start-up a run (imports, the page
template, the job list).  Before the grader launched and signed for its kernels itself,
the same Python was 0.037-0.047 s (KernelManager and Session: 0.0064 s a start, 0.0016 s
a stop, 0.3 ms a cell of traitlets).

Beware: a submission runs untrusted C; chalk's own per-cell limits (CPU, memory, processes,
output) apply, --timeout adds the wall clock.  Exit status: 0 when every notebook was graded
(missing or corrupt ones count as graded, with a note), 1 when a job itself failed, 2 on
bad usage.
"""
import argparse
import concurrent.futures
import csv
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys

# Where `make install` puts chalk's Python modules (chalk_mathml); the installed script has
# the configured directory here, the source its placeholder.
PYTHONDIR = "@pythondir@"
if not PYTHONDIR.startswith("@") and PYTHONDIR not in sys.path:
    sys.path.append(PYTHONDIR)

# jsonschema (under nbformat) compiles the lark grammars of rfc3987_syntax at import when
# that package is installed, 2-4 s of every run, for an "iri" format no notebook uses.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbformat import NotebookNode  # noqa: E402

COLUMNS = ["student", "notebook", "grade_id", "points", "max_points", "note"]
TIMEOUT_ERROR = {  # what nbgrader's Execute preprocessor records for a cell past its timeout
    "ename": "CellTimeoutError",
    "evalue": "",
    "traceback": ["\x1b[0;31mCellTimeoutError\x1b[0m: No reply from kernel before timeout"],
}
LIMIT_LINES, LIMIT_TRACEBACK = 1000, 100  # nbgrader's LimitOutput defaults
# chalk's per-cell limits (its defaults), given on the kernel's command line so that they are
# ceilings a submission's `%limits` cannot raise (an `%limits output=1G` is a UsageError);
# the wall clock is --timeout's, enforced by nbclient with an interrupt.
KERNEL_LIMITS = "cpu=600,memory=8G,procs=512,fsize=4G,output=4M"


class UsageError(Exception):
    pass


# ---------------------------------------------------------------------------
# nbgrader's rule.  The builtin_* functions are copies of nbgrader.utils (0.9.6);
# tests/classroom/test_grade.py checks they agree with nbgrader's on executed notebooks.

def builtin_is_grade(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade", False))


def builtin_is_solution(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def builtin_is_locked(cell):
    meta = cell.get("metadata", {})
    if "nbgrader" not in meta:
        return False
    if builtin_is_solution(cell):
        return False
    if builtin_is_grade(cell):
        return True
    return bool(meta["nbgrader"].get("locked", False))


def builtin_compute_checksum(cell):
    m = hashlib.md5()
    m.update(cell.source.encode("utf-8"))
    m.update(cell.cell_type.encode("utf-8"))
    m.update(str(builtin_is_grade(cell)).encode("utf-8"))
    m.update(str(builtin_is_solution(cell)).encode("utf-8"))
    m.update(str(builtin_is_locked(cell)).encode("utf-8"))
    m.update(cell.metadata.nbgrader["grade_id"].encode("utf-8"))
    if builtin_is_grade(cell):
        m.update(str(float(cell.metadata.nbgrader["points"])).encode("utf-8"))
    return m.hexdigest()


def builtin_partial_grade(output, max_points):
    if not output["data"]["text/plain"]:
        raise KeyError("output ['data']['text/plain'] does not exist")
    grade = output["data"]["text/plain"]
    if isinstance(grade, list):
        if len(grade) > 1:
            return max_points
        grade = grade[0]
    try:
        grade = float(grade)
    except ValueError:
        return max_points
    if grade >= 0.0:
        if grade > max_points:
            raise ValueError("partial credit cannot be greater than maximum points for cell")
        return grade
    return max_points


def builtin_determine_grade(cell, log=None):
    if not builtin_is_grade(cell):
        raise ValueError("cell is not a grade cell")
    max_points = float(cell.metadata["nbgrader"]["points"])
    if builtin_is_solution(cell):
        if "checksum" in cell.metadata.nbgrader and \
                cell.metadata.nbgrader["checksum"] == builtin_compute_checksum(cell):
            return 0, max_points
        return None, max_points
    if cell.cell_type == "code":
        for output in cell.outputs:
            if output.output_type == "error" or \
                    (output.output_type == "stream" and output.name == "stderr"):
                return 0, max_points
            if output.output_type == "execute_result":
                return builtin_partial_grade(output, max_points), max_points
        return max_points, max_points
    return None, max_points


BUILTIN = {"name": "builtin", "determine_grade": builtin_determine_grade,
           "compute_checksum": builtin_compute_checksum, "is_grade": builtin_is_grade,
           "is_solution": builtin_is_solution, "is_locked": builtin_is_locked}


_NBGRADER = None


def _nbgrader_utils():
    """(nbgrader.utils, nbgrader's version), the modules nbgrader itself runs, imported
    without nbgrader/__init__.py: that file imports nbgrader's Jupyter server extensions
    (jupyter_server, tornado handlers, SQLAlchemy), 2-4 s of every chalk-grade run on the
    machine of issue 15 for the four functions scoring needs.  The package stands in for
    the time of the import only and is taken out again with the two modules (we keep
    them), so anything importing nbgrader later in this process gets the whole package.
    ImportError when nbgrader is not installed."""
    global _NBGRADER
    if _NBGRADER is not None:
        return _NBGRADER
    if "nbgrader" in sys.modules:
        from nbgrader import utils, __version__
        _NBGRADER = (utils, __version__)
        return _NBGRADER
    import importlib
    import importlib.util
    import types
    spec = importlib.util.find_spec("nbgrader")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nbgrader is not installed")
    pkg = types.ModuleType("nbgrader")
    pkg.__path__, pkg.__spec__, pkg.__file__ = list(spec.submodule_search_locations), spec, spec.origin
    sys.modules["nbgrader"] = pkg
    # nbgrader.utils imports setuptools (0.18 s of CPU, pkg_resources) for the unpack_*
    # functions of its unzip(), which scoring never calls: they stand in, raising if called,
    # for the time of the import, unless setuptools' module is already there.
    stub = None
    if "setuptools.archive_util" not in sys.modules:
        def unavailable(*args, **kwargs):
            raise RuntimeError("setuptools.archive_util is not loaded in chalk-grade")
        stub = types.ModuleType("setuptools.archive_util")
        stub.unpack_archive = stub.unpack_tarfile = stub.unpack_zipfile = unavailable
        sys.modules["setuptools.archive_util"] = stub
    try:
        utils = importlib.import_module("nbgrader.utils")
        version = importlib.import_module("nbgrader._version").__version__
    finally:
        for name in [m for m in sys.modules if m == "nbgrader" or m.startswith("nbgrader.")]:
            del sys.modules[name]
        if stub is not None and sys.modules.get("setuptools.archive_util") is stub:
            del sys.modules["setuptools.archive_util"]
    _NBGRADER = (utils, version)
    return _NBGRADER


def scorer(kind="auto"):
    """The scoring functions: nbgrader's own when importable (kind auto or nbgrader)."""
    if kind == "builtin":
        return BUILTIN
    try:
        nbu, nbv = _nbgrader_utils()
    except ImportError:
        if kind == "nbgrader":
            raise UsageError("--scorer nbgrader: nbgrader is not importable")
        return BUILTIN
    return {"name": "nbgrader " + nbv, "determine_grade": nbu.determine_grade,
            "compute_checksum": nbu.compute_checksum, "is_grade": nbu.is_grade,
            "is_solution": nbu.is_solution, "is_locked": nbu.is_locked}


# ---------------------------------------------------------------------------
# Reading and sanitising a submission.

_UNREAD = object()


def read_notebook(path, content=_UNREAD):
    """(notebook, None) or (None, reason) for a missing, unreadable or not-a-notebook file.
    `content`, when given, is the file's bytes as the client read them (None: missing)."""
    try:
        if content is _UNREAD:
            if not os.path.exists(path):
                return None, "missing: no file %s" % os.path.basename(path)
            with open(path, "rb") as f:
                content = f.read()
        elif content is None:
            return None, "missing: no file %s" % os.path.basename(path)
        text = content.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return None, "unreadable: %s" % e
    try:
        nb = nbformat.reads(text, as_version=4)
        if not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
        for cell in nb.cells:
            if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw") \
                    or not isinstance(cell.get("source", ""), str):
                raise ValueError("a cell is not a notebook cell")
            cell.setdefault("metadata", NotebookNode())
            if not isinstance(cell.metadata, dict):
                raise ValueError("a cell's metadata is not an object")
    except Exception as e:  # nbformat raises many kinds for bad JSON or structure
        return None, "not a notebook: %s" % (str(e).splitlines() or [type(e).__name__])[0][:200]
    return nb, None


def grade_ids(nb, sc):
    """grade_id -> points of nb's check cells, in notebook order."""
    out = {}
    for cell in nb.cells:
        if sc["is_grade"](cell):
            out[cell.metadata.nbgrader["grade_id"]] = float(cell.metadata.nbgrader["points"])
    return out


def _gid(cell):
    g = cell.get("metadata", {}).get("nbgrader", {})
    return g.get("grade_id") if isinstance(g, dict) else None


def sanitize(nb, source, sc):
    """nbgrader autograde's sanitising of a submission against its source notebook.

    Returns {grade_id: note} for the check cells it had to restore.  Beware: nbgrader fails
    a whole notebook for some edits (a grade_id the source lacks, a grade flag removed);
    here such a cell loses its nbgrader metadata (or is restored) and the rest is graded."""
    notes = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not isinstance(cell.metadata.get("nbgrader", {}), dict):
            cell.metadata.nbgrader = NotebookNode()
    # Of cells claiming one grade_id only the last keeps it (nbgrader's DeduplicateIds).
    seen = set()
    for cell in reversed(nb.cells):
        if not (sc["is_grade"](cell) or sc["is_solution"](cell) or sc["is_locked"](cell)):
            continue
        gid = _gid(cell)
        if gid in seen:
            cell.metadata.nbgrader = NotebookNode()
            notes.setdefault(gid, "grade_id %s claimed twice; the later cell kept it" % gid)
        else:
            seen.add(gid)
    spec = source.metadata.get("kernelspec", nb.metadata.get("kernelspec"))
    nb.metadata["kernelspec"] = nbformat.from_dict(json.loads(json.dumps(spec))) if spec is not None else None
    nb.metadata.pop("widgets", None)  # would load widget scripts from a CDN in the feedback
    tracked = [c for c in source.cells
               if _gid(c) and (sc["is_grade"](c) or sc["is_solution"](c) or sc["is_locked"](c))]
    by_id = {_gid(c): c for c in tracked}
    present = {}
    for cell in nb.cells:
        gid = _gid(cell)
        if gid is None:
            if cell.metadata.get("nbgrader"):
                cell.metadata.nbgrader = NotebookNode()
            continue
        src = by_id.get(gid)
        if src is None:
            cell.metadata.nbgrader = NotebookNode()
            continue
        present[gid] = cell
        if sc["is_locked"](src):
            changed = _signature(cell, sc) != _signature(src, sc)
            if changed and sc["is_grade"](src):
                notes.setdefault(gid, "check cell edited in the submission; graded with the source's")
            _overwrite(cell, src)
        else:  # a solution cell: the student's text, the source's nbgrader metadata
            cell.metadata.nbgrader = nbformat.from_dict(json.loads(json.dumps(src.metadata.nbgrader)))
            if cell.cell_type != src.cell_type:
                _retype(cell, src.cell_type)
    # Put back locked cells the student deleted, after the nearest earlier cell of the
    # source that the submission still has (same cell id, or same text).
    for src in tracked:
        gid = _gid(src)
        if gid in present or not sc["is_locked"](src):
            continue
        cell = nbformat.from_dict(json.loads(json.dumps(src)))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if any(c.get("id") == cell.get("id") for c in nb.cells):
            cell.pop("id", None)
        at = 0
        for prev in reversed(source.cells[:source.cells.index(src)]):
            hit = next((k for k, c in enumerate(nb.cells) if (prev.get("id") and c.get("id") == prev.get("id"))
                        or (_gid(prev) and _gid(prev) in present and c is present[_gid(prev)])
                        or (c.cell_type == prev.cell_type and c.source == prev.source)), None)
            if hit is not None:
                at = hit + 1
                break
        nb.cells.insert(at, cell)
        present[gid] = cell
        if sc["is_grade"](src):
            notes[gid] = "check cell missing from the submission; the source's was put back"
    return notes


def _without_hidden_tests(text):
    """`text` less its hidden-test regions, as nbgrader's ClearHiddenTests leaves it in the
    release (same default delimiters, which share/nbgrader_config.py keeps): the lines from
    one holding BEGIN HIDDEN TESTS to the next holding END HIDDEN TESTS, both included."""
    kept, hidden = [], False
    for line in text.split("\n"):   # split and join exactly as nbgrader does (trailing newlines)
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _signature(cell, sc):
    """What a check cell's grading depends on (not checksum or schema_version, which
    generate_assignment adds to the release copy only, nor its hidden tests, which the
    release never shows)."""
    g = cell.metadata.get("nbgrader", {})
    try:
        points = float(g.get("points", 0)) if sc["is_grade"](cell) else None
    except (TypeError, ValueError):
        points = "bad"
    return (cell.cell_type, _without_hidden_tests(cell.source), sc["is_grade"](cell),
            sc["is_solution"](cell), sc["is_locked"](cell), g.get("grade_id"), points)


def _retype(cell, cell_type):
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _overwrite(cell, src):
    if cell.cell_type != src.cell_type:
        _retype(cell, src.cell_type)
    cell.source = src.source
    cell.metadata.nbgrader = nbformat.from_dict(json.loads(json.dumps(src.metadata.nbgrader)))
    if "tags" in src.metadata:
        cell.metadata.tags = list(src.metadata.tags)


def checksum_notes(nb, sc):
    """Without a source: check cells whose text no longer matches their stored checksum."""
    notes = {}
    for cell in nb.cells:
        if sc["is_grade"](cell) and "checksum" in cell.metadata.nbgrader \
                and not sc["is_solution"](cell):
            if cell.metadata.nbgrader["checksum"] != sc["compute_checksum"](cell):
                notes[_gid(cell)] = "edited"
    return notes


# ---------------------------------------------------------------------------
# Executing one notebook.

def limit_output(cell):
    """nbgrader's LimitOutput at its defaults (it runs before scoring, so it can matter)."""
    if cell.cell_type != "code":
        return
    length, kept = 0, []
    for output in cell.outputs:
        if output.output_type == "stream":
            if length == LIMIT_LINES:
                continue
            text = output.text.split("\n")
            if len(text) + length > LIMIT_LINES:
                text = text[:LIMIT_LINES - length - 1] + ["... Output truncated ..."]
            length += len(text)
            output.text = "\n".join(text)
        kept.append(output)
    cell.outputs = kept
    for output in cell.outputs:
        if output.output_type == "error" and len(output.traceback) > LIMIT_TRACEBACK:
            start = LIMIT_TRACEBACK // 2
            end = LIMIT_TRACEBACK - start - 1
            output.traceback = output.traceback[:start] + ["... Traceback truncated ..."] + \
                output.traceback[-end:]


def _record_reply_error(cell, cell_index, execute_reply):
    """nbgrader's Execute.on_cell_executed: an error reply with no matching error output
    (a timeout, a kernel that replied error without saying why) becomes an error output."""
    content = execute_reply.get("content", {})
    if content.get("status") != "error":
        return
    if any(o.output_type == "error" and o.get("ename") == content.get("ename") for o in cell.outputs):
        return
    cell.outputs.append(nbformat.v4.new_output(
        "error", ename=content.get("ename", ""), evalue=content.get("evalue", ""),
        traceback=content.get("traceback") or ["ERROR: An error occurred while showtraceback was disabled"]))


# Driving the kernel.  One fresh kernel per notebook, launched, interrupted and killed as
# jupyter_client's KernelManager does it (see _Kernel) and talked to here, synchronously, on
# plain ZeroMQ sockets: nbclient's asyncio machinery (three tasks, an event loop run and zmq
# futures per cell) was 0.045 s of the grader's CPU per notebook of 02 on the machine of
# issue 15.  What each cell's outputs become is still nbclient's own code
# (NotebookClient.process_message, with its display-id and clear_output handling); the loop
# around it keeps nbclient 0.11's rules, which nbgrader's autograde runs by:
#   - code cells only, in order; empty ones and those tagged `skip-execution` are not sent;
#   - execute_request with stop_on_error false (errors allowed) and no stdin;
#   - the cell's outputs are the iopub messages whose parent is that request, until its
#     `idle`; a wait for the reply longer than --timeout interrupts the kernel (SIGINT, the
#     kernelspec's interrupt_mode) and the reply becomes the CellTimeoutError of
#     TIMEOUT_ERROR; after the reply, iopub gets IOPUB_TIMEOUT more seconds to reach idle;
#   - the kernel process is checked every second: dead means DeadKernelError.
# Start-up is cheaper than jupyter_client's too: its wait_for_ready ends with a blind "flush
# IOPub" of get_msg(timeout=0.2) until nothing comes (0.2 s idle per kernel), and its client
# connects before the kernel binds, so the first connection waits out ZeroMQ's 100 ms
# reconnect interval; its shutdown polls the process every 0.1 s.
READY_RESEND = (0.05, 0.1, 0.2, 0.4, 0.8)   # seconds between kernel_info requests, then 0.8 s
RECONNECT_MS = 10
SHUTDOWN_WAIT = 2.0   # seconds a kernel has to honour shutdown_request before SIGKILL
IOPUB_TIMEOUT = 4.0   # nbclient's iopub_timeout
ALIVE_EVERY = 1.0     # nbclient checks the kernel process this often while a cell runs
SKIP_TAG = "skip-execution"   # nbclient's skip_cells_with_tag


class DeadKernelError(RuntimeError):
    pass


def _date(d):
    """d with its `date` as a datetime, as jupyter_client's extract_dates leaves a header."""
    v = d.get("date") if isinstance(d, dict) else None
    if isinstance(v, str):
        import datetime
        try:
            d["date"] = datetime.datetime.fromisoformat(v)
        except ValueError:
            from jupyter_client.jsonutil import extract_dates
            return extract_dates(d)
    return d


DELIM = b"<IDS|MSG>"
DIGESTS_KEPT = 1 << 16   # jupyter_client's Session.digest_history_size


class _Wire:
    """One kernel's messages, signed, sent and checked as jupyter_client's Session does it
    (the same frames, HMAC-SHA256 over header, parent, metadata and content, a signature
    refused when missing, wrong or seen before; JSON as its json_packer and json_unpacker),
    without its traitlets attributes (a cell's four messages read about 70 of them), its
    message copy per send, and its extract_dates: that walks every string of both headers
    through a regular expression and dateutil where the only date is `date`, which
    fromisoformat reads.  For the grader's three sockets of one kernel only: no buffers
    are sent, none are expected (a received message's are kept as memoryviews)."""

    def __init__(self, key):
        import hmac
        import hashlib as hashlib_
        import uuid
        self.auth = hmac.new(key, digestmod=hashlib_.sha256)
        self.session_id = str(uuid.uuid4())
        self.username = os.environ.get("USER", "username")
        self.count = 0
        self.digests = set()
        self.adapt_version = None

    def _sign(self, parts):
        h = self.auth.copy()
        for p in parts:
            h.update(p)
        return h.hexdigest().encode("ascii")

    @staticmethod
    def _pack(obj):
        return json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8", "surrogateescape")

    def send(self, sock, msg_type, content):
        import datetime
        msg_id = "%s_%d_%d" % (self.session_id, os.getpid(), self.count)
        self.count += 1
        header = {"msg_id": msg_id, "msg_type": msg_type, "username": self.username,
                  "session": self.session_id,
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z"),
                  "version": "5.3"}
        msg = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
        if self.adapt_version:
            from jupyter_client.adapter import adapt
            msg = adapt(msg, self.adapt_version)
        parts = [self._pack(msg["header"]), self._pack(msg["parent_header"]), self._pack(msg["metadata"]),
                 self._pack(msg["content"])]
        sock.send_multipart([DELIM, self._sign(parts)] + parts, copy=True)
        return msg_id

    @staticmethod
    def _unpack(b):
        return json.loads(b.decode("utf-8", "replace"))

    def decode(self, frames):
        """frames (bytes) as received -> the message as jupyter_client's deserialize
        (content=True) gives it; ValueError or TypeError for a bad one."""
        import hmac
        try:
            k = frames.index(DELIM)
        except ValueError:
            raise ValueError("DELIM not in msg_list")
        head = frames[k + 1:k + 6]
        if len(head) < 5:
            raise TypeError("malformed message, must have at least 5 elements")
        signature = head[0]
        if not signature:
            raise ValueError("Unsigned Message")
        if signature in self.digests:
            raise ValueError("Duplicate Signature: %r" % signature)
        if len(self.digests) >= DIGESTS_KEPT:   # as Session's cull: drop a tenth, at random
            import random
            for d in random.sample(sorted(self.digests), len(self.digests) // 10):
                self.digests.discard(d)
        self.digests.add(signature)
        if not hmac.compare_digest(signature, self._sign(head[1:5])):
            raise ValueError("Invalid Signature: %r" % signature)
        header = self._unpack(head[1])
        msg = {"header": _date(header), "msg_id": header["msg_id"], "msg_type": header["msg_type"],
               "parent_header": _date(self._unpack(head[2])),
               "metadata": {} if head[3] == b"{}" else self._unpack(head[3]),
               "content": self._unpack(head[4]), "buffers": [memoryview(b) for b in frames[k + 6:]]}
        version = header.get("version")
        if not (isinstance(version, str) and version.startswith("5.")):
            from jupyter_client.adapter import adapt
            msg = adapt(msg)
        return msg


_SPECS = {}   # kernel name -> (argv, env, interrupt_mode, resource_dir, language), per process


def _kernel_spec(name):
    """The kernelspec's launch fields, looked up once per process (jupyter_client searches the
    kernel directories on disk at every KernelManager start: a third of a start's CPU)."""
    try:
        return _SPECS[name]
    except KeyError:
        pass
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec(name)   # NoSuchKernel for an unknown name
    _SPECS[name] = (list(spec.argv), dict(spec.env or {}), spec.interrupt_mode or "signal",
                    spec.resource_dir, spec.language or "")
    return _SPECS[name]


class _Kernel:
    """A started kernel and our three sockets to it.

    Launched as jupyter_client's KernelManager with its LocalProvisioner launches one (the
    kernelspec's argv with {connection_file}, {resource_dir} and {prefix} filled in and the
    extra arguments after it; the environment plus the kernelspec's env with its $VAR
    references substituted; a new session, JPY_PARENT_PID; interrupts by the kernelspec's
    interrupt_mode), without its machinery: traitlets objects, an asyncio loop run per call
    and a search of the kernel directories at every start were two thirds of a start's CPU
    in the grader (0.0064 s of a notebook of 02).  Local processes only: a kernelspec's
    kernel_provisioner is not honoured (chalk's has none)."""

    def __init__(self, kernel_name, cwd, startup_timeout, extra_arguments):
        import re as re_
        import tempfile
        import uuid
        from string import Template
        import zmq
        self.zmq = zmq
        # An attribute, not a module global set here: on a Dask worker this class arrives
        # by value (cloudpickle), and its methods need not share one globals dict.
        self.zmq_ints = (zmq.backend.Socket.get, int(zmq.EVENTS), int(zmq.POLLIN), int(zmq.RCVMORE),
                         int(zmq.NOBLOCK))
        argv, spec_env, self.interrupt_mode, resource_dir, language = _kernel_spec(kernel_name)
        # Unix sockets with a fresh absolute name, not TCP ports: ports picked by binding and
        # releasing them (jupyter_client's way) can be given to two kernels started at once,
        # and a client then hears another kernel ("Invalid Signature", seen at 6 workers
        # here).  Absolute: the kernel runs in the submission's folder.
        self.ip = os.path.join(tempfile.gettempdir(), "chalk-grade-" + uuid.uuid4().hex)
        self.connection_file = self.ip + ".json"
        key = uuid.uuid4().hex
        ports = dict(shell_port=1, iopub_port=2, stdin_port=3, control_port=4, hb_port=5)
        info = dict(ports, ip=self.ip, key=key, transport="ipc", signature_scheme="hmac-sha256",
                    kernel_name=kernel_name)
        fd = os.open(self.connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(info, f, indent=2)
        self.proc = self.shell = self.iopub = self.control = None
        try:
            ns = {"connection_file": os.path.realpath(self.connection_file), "prefix": sys.prefix,
                  "resource_dir": resource_dir}
            cmd = [re_.sub(r"\{([A-Za-z0-9_]+)\}", lambda m: ns.get(m.group(1), m.group()), a)
                   for a in argv + list(extra_arguments)]
            if cmd and cmd[0] in ("python", "python%d" % sys.version_info[0], "python%d.%d" % sys.version_info[:2]):
                cmd[0] = sys.executable
            env = os.environ.copy()
            env.update({k: Template(v).safe_substitute(env) for k, v in spec_env.items()})
            if language.lower().startswith("python"):
                env.pop("PYTHONEXECUTABLE", None)
            env["JPY_PARENT_PID"] = str(os.getpid())
            self.proc = subprocess.Popen([os.path.expanduser(a) for a in cmd], cwd=cwd, env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
            self.wire = _Wire(key.encode())
            ctx = zmq.Context.instance()

            def connect(kind, port):
                sock = ctx.socket(kind)
                sock.linger = 1000
                sock.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
                sock.connect("ipc://%s-%d" % (self.ip, port))
                return sock
            self.shell = connect(zmq.DEALER, 1)
            self.iopub = connect(zmq.SUB, 2)
            self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
            self.control = connect(zmq.DEALER, 4)
            self.poller = zmq.Poller()
            self.poller.register(self.shell, zmq.POLLIN)
            self.poller.register(self.iopub, zmq.POLLIN)
            self._wait_ready(startup_timeout)
        except BaseException:
            self.stop()
            raise

    def is_alive(self):
        return self.proc is not None and self.proc.poll() is None

    def interrupt(self):
        """As jupyter_client's interrupt_kernel: SIGINT to the kernel's process group (it is
        a session leader), or an interrupt_request on control for interrupt_mode message."""
        if self.interrupt_mode == "message":
            self.send(self.control, "interrupt_request", {})
        elif self.is_alive():
            try:
                os.killpg(self.proc.pid, signal.SIGINT)
            except OSError:
                pass

    def send(self, sock, msg_type, content):
        return self.wire.send(sock, msg_type, content)

    def recv(self, sock):
        """Every message waiting on sock, decoded (see _Wire)."""
        out = []
        # pyzmq's own getsockopt and recv_multipart turn every option and flag into an enum
        # (a Python call each, 27 a cell); its base class's get takes plain ints.  The
        # socket says when a message is there: no zmq.Again raised at the end of each drain.
        get, events, pollin, rcvmore, noblock = self.zmq_ints
        while get(sock, events) & pollin:
            frames = [sock.recv(noblock)]
            while get(sock, rcvmore):
                frames.append(sock.recv(noblock))
            out.append(self.wire.decode(frames))
        return out

    def poll(self, seconds):
        """The sockets with something to read within `seconds` (at least 1 ms)."""
        return dict(self.poller.poll(max(1, int(seconds * 1000))))

    def _wait_ready(self, timeout):
        """Until one kernel_info request has both its reply on shell and its `idle` on iopub
        (then every channel is connected: nothing the notebook sends can be lost); re-sent
        while iopub is still joining.  RuntimeError if the kernel dies or is silent."""
        import time
        deadline = time.monotonic() + timeout
        sent, replied, idle = set(), None, False
        k = 0
        while True:
            sent.add(self.send(self.shell, "kernel_info_request", {}))
            resend = time.monotonic() + READY_RESEND[min(k, len(READY_RESEND) - 1)]
            k += 1
            while time.monotonic() < resend:
                events = self.poll(min(resend, deadline) - time.monotonic())
                if self.shell in events:
                    for msg in self.recv(self.shell):
                        if msg["msg_type"] == "kernel_info_reply" and msg["parent_header"].get("msg_id") in sent:
                            replied = msg
                if self.iopub in events:
                    for msg in self.recv(self.iopub):
                        if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle" \
                                and msg["parent_header"].get("msg_id") in sent:
                            idle = True
                if replied is not None and idle:
                    # jupyter_client's KernelClient._handle_kernel_info_reply
                    from jupyter_client.client import major_protocol_version
                    version = int(replied["content"]["protocol_version"].split(".")[0])
                    if version != major_protocol_version:
                        self.wire.adapt_version = version
                    return
                if time.monotonic() >= deadline:
                    raise RuntimeError("the kernel did not answer kernel_info within %g s" % timeout)
            if not self.is_alive():
                raise RuntimeError("the kernel died before answering kernel_info")

    def run_cell(self, proc, cell, index, timeout, on_executed):
        """nbclient's execute_cell (see above); outputs go through proc, a NotebookClient."""
        import time
        from nbclient.client import timestamp
        from nbclient.exceptions import CellExecutionComplete
        if cell.cell_type != "code" or not cell.source.strip():
            return
        if SKIP_TAG in cell.metadata.get("tags", []):
            return
        cell["metadata"]["execution"] = {}
        msg_id = self.send(self.shell, "execute_request", {
            "code": cell.source, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": False})
        cell.outputs = []
        proc.clear_before_next_output = False
        state = {"idle": False}

        def drain():
            for msg in self.recv(self.iopub):
                if not state["idle"] and msg["parent_header"].get("msg_id") == msg_id:
                    try:
                        proc.process_message(msg, cell, index)
                    except CellExecutionComplete:
                        state["idle"] = True

        now = time.monotonic()
        deadline = now + timeout if timeout else None
        alive_at = now + ALIVE_EVERY
        reply = None
        while reply is None:
            until = alive_at if deadline is None else min(alive_at, deadline)
            events = self.poll(until - now)
            if self.iopub in events:
                drain()
            if self.shell in events:
                for msg in self.recv(self.shell):
                    if msg["parent_header"].get("msg_id") == msg_id:
                        reply = msg
            now = time.monotonic()
            if reply is not None:
                break
            if now >= alive_at or (deadline is not None and now >= deadline):
                if not self.is_alive():
                    raise DeadKernelError("Kernel died")
                alive_at = now + ALIVE_EVERY
            if deadline is not None and now >= deadline:
                self.interrupt()
                reply = {"content": dict(TIMEOUT_ERROR, status="error"), "parent_header": {"msg_id": msg_id}}
        cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(reply)
        end = now + IOPUB_TIMEOUT
        while not state["idle"] and now < end:
            if self.iopub in self.poll(min(end, alive_at) - now):
                drain()
            now = time.monotonic()
            if not state["idle"] and now >= alive_at:
                if not self.is_alive():
                    raise DeadKernelError("Kernel died")
                alive_at = now + ALIVE_EVERY
        on_executed(cell, index, reply)

    def stop(self):
        """shutdown_request (the chalk kernel then kills its executor's process group), a
        short wait on the process, SIGKILL to the kernel's process group if it is still
        there; then the connection file and the socket files go."""
        import time
        proc = self.proc
        try:
            if proc is not None and proc.poll() is None and self.control is not None:
                self.send(self.control, "shutdown_request", {"restart": False})
                end = time.monotonic() + SHUTDOWN_WAIT
                delay = 0.002
                while proc.poll() is None and time.monotonic() < end:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)
            if proc is not None:
                # SIGKILL to the kernel's process group, as jupyter_client's kill does, and
                # also after a clean exit: the group outlives its leader until the leader
                # is reaped, so this reaches only what the kernel left in it.
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()
                if proc.stdin is not None:
                    proc.stdin.close()
        finally:
            for sock in (self.shell, self.iopub, self.control):
                if sock is not None:
                    sock.close(linger=0)
            for path in [self.connection_file] + ["%s-%d" % (self.ip, k) for k in range(1, 6)]:
                try:
                    os.remove(path)
                except OSError:
                    pass


_VALID = {}   # (ref, sha256 of the node's JSON) of nodes nbformat found valid


def _memo_validation():
    """Make nbformat.v4's validate() (which nbformat.v4.output_from_msg, and so nbclient, runs
    on every output) remember what it accepted.  It validates an output against a sub-schema,
    for which nbformat always takes jsonschema (never fastjsonschema): 0.01 s of CPU per
    notebook of 02 here, where a class's outputs are mostly the same few.  Validation is a
    function of the node alone, so the remembered verdict is the verdict; a node that fails
    is never remembered and raises as before."""
    from nbformat.v4 import nbbase
    real = nbbase.validate
    if getattr(real, "chalk_memo", False):
        return

    def validate(node, ref=None):
        try:
            key = (ref, hashlib.sha256(json.dumps(node, sort_keys=True).encode("utf-8")).digest())
        except (TypeError, ValueError):  # not plain JSON: nbformat decides, unremembered
            return real(node, ref)
        if key in _VALID:
            return None
        result = real(node, ref)
        if len(_VALID) >= MEMO_ENTRIES:
            _VALID.clear()
        _VALID[key] = True
        return result
    validate.chalk_memo = True
    nbbase.validate = validate


def execute(nb, kernel_name, timeout, cwd):
    """Run nb in a fresh kernel; return a note for cells that never ran ({} normally)."""
    import nbclient
    _memo_validation()

    os.environ["NBGRADER_EXECUTION"] = "autograde"  # what nbgrader's kernels see
    # One BLAS thread per kernel unless the caller says otherwise: the pool already fills
    # the cores, and OpenBLAS's idle threads spin in sched_yield (re-created in every
    # forked cell process): 0.1 s of CPU per notebook of 02 on this machine.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    # nbclient's output handling, without its kernel handling (it never starts one here).
    proc = nbclient.NotebookClient(nb, kernel_name=kernel_name, allow_errors=True)
    never_ran = {}
    kernel = _Kernel(kernel_name, cwd, proc.startup_timeout, ["--limits", KERNEL_LIMITS])
    try:
        for index, cell in enumerate(nb.cells):
            if never_ran:
                never_ran[index] = never_ran["why"]
                continue
            try:
                kernel.run_cell(proc, cell, index, timeout, _record_reply_error)
            except DeadKernelError:
                never_ran["why"] = "the kernel died in cell %d; not run" % index
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="DeadKernelError", evalue="the kernel died", traceback=[]))
    finally:
        kernel.stop()
    never_ran.pop("why", None)
    return never_ran


def _fmt(x):
    if x is None:
        return ""
    x = float(x)
    return "%d" % x if x == int(x) else repr(x)


def _error_note(cell, timeout):
    if any(o.output_type == "error" and o.get("ename") == "CellTimeoutError" for o in cell.outputs):
        return "timed out after %g s" % timeout
    for o in cell.outputs:
        if o.output_type == "error":
            first = (o.get("evalue") or "").strip().splitlines()
            return ("%s: %s" % (o.get("ename", "error"), first[0] if first else "")).strip(": ")[:300]
        if o.output_type == "stream" and o.name == "stderr":
            return "wrote to stderr: %s" % o.text.strip().splitlines()[0][:200] if o.text.strip() \
                else "wrote to stderr"
        if o.output_type == "execute_result":
            return "partial credit from the cell's value %r" % \
                str(o.get("data", {}).get("text/plain", ""))[:60]
    return ""


def score(nb, sc, timeout, tamper=None, never_ran=None):
    """Rows (grade_id, points, max_points, note) for nb's check cells, in order."""
    rows = []
    tamper, never_ran = tamper or {}, never_ran or {}
    for index, cell in enumerate(nb.cells):
        if not sc["is_grade"](cell):
            continue
        gid = _gid(cell)
        try:
            points, max_points = sc["determine_grade"](cell, None)
            note = ""
            if points is None:
                points, note = 0, "needs manual grading"
            elif points < max_points:
                note = _error_note(cell, timeout)
        except (ValueError, KeyError) as e:  # nbgrader would fail the whole notebook here
            points, max_points = 0, float(cell.metadata.nbgrader.get("points", 0))
            note = "ungradable output: %s" % e
        if index in never_ran:  # no outputs, which alone would be full points
            points, note = 0, never_ran[index]
        if tamper.get(gid) == "edited":
            points, note = 0, "check cell edited (its checksum does not match) and no --source to restore it"
        elif gid in tamper:
            note = (tamper[gid] + ("; " + note if note else ""))
        cell.metadata["chalk_grade"] = {"points": _fmt(points), "max_points": _fmt(max_points), "note": note}
        rows.append((gid, points, max_points, note))
    return rows


# ---------------------------------------------------------------------------
# Feedback pages.

FEEDBACK_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{#- Code cells: Pygments escapes every character of the source, so the bleach pass nbconvert
    adds here (a third of a page's cost) changes nothing; Markdown and outputs keep it. -#}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
{%- block notebook_css -%}
<link rel="stylesheet" href="{{ resources.chalk_static }}/index.css">
<link rel="stylesheet" href="{{ resources.chalk_static }}/theme-light.css">
<style type="text/css">
.chalk-summary { margin: 1em 2em; font-family: sans-serif; }
.chalk-summary table { border-collapse: collapse; }
.chalk-summary td, .chalk-summary th { border: 1px solid #ccc; padding: 2px 8px; text-align: left; }
.chalk-score { margin: 0.5em 0 0 64px; padding: 2px 8px; font-family: sans-serif; font-weight: bold; }
.chalk-full { background: #e6f4ea; } .chalk-lost { background: #fce8e6; }
</style>
{%- endblock notebook_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.chalk_summary }}
{%- endblock body_header -%}
{% block codecell %}
{%- set g = cell.metadata.get('chalk_grade') -%}
{%- if g -%}
<div class="chalk-score {{ 'chalk-full' if g.points == g.max_points else 'chalk-lost' }}">
{{ cell.metadata.nbgrader.grade_id | e }}: {{ g.points }} / {{ g.max_points }}{% if g.note %} &mdash; {{ g.note | e }}{% endif %}</div>
{%- endif -%}
{{ super() }}
{%- endblock codecell %}
"""
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
_exporter = None
_MD_CACHE, _MATHML_CACHE, _HL_CACHE = {}, {}, {}
MEMO_ENTRIES = 4096   # per cache and worker process; emptied when full


def _memo(cache, key, compute):
    """compute() once per key: the functions memoised are pure (text in, HTML out)."""
    try:
        return cache[key]
    except KeyError:
        pass
    if len(cache) >= MEMO_ENTRIES:
        cache.clear()
    value = cache[key] = compute()
    return value


def _memo_highlight(highlight):
    lexer = highlight.pygments_lexer

    def memo(source, language=None, metadata=None):
        # nbconvert reads one thing of a cell's metadata, `magics_language`, and only for
        # an ipython lexer: it is the key's, and every check and solution cell (which all
        # carry nbgrader metadata) is memoised.  Beware if nbconvert's _pygments_highlight
        # ever reads more of it.
        magics = metadata.get("magics_language") if isinstance(metadata, dict) else None
        if metadata is not None and not isinstance(metadata, dict):
            return highlight(source, language, metadata)
        return _memo(_HL_CACHE, (source, language, lexer, magics),
                     lambda: _highlight_once(highlight, source, language, metadata))
    return memo


_FORMATTERS = {}   # (language, options) -> a pygments HtmlFormatter, per worker process


def _highlight_once(highlight, source, language, metadata):
    """nbconvert's Highlight2HTML(source, language, metadata) with one HtmlFormatter per
    language and worker rather than one per cell: building one compiles the style's whole
    stylesheet, about as much as highlighting a cell.  A formatter keeps no state between
    format() calls; what it is built from is Highlight2HTML's own."""
    try:
        from nbconvert.filters.highlight import _pygments_highlight
        from pygments.formatters import HtmlFormatter
    except ImportError:   # another nbconvert: its own way
        return highlight(source, language, metadata)
    language = language or highlight.pygments_lexer
    options = highlight.extra_formatter_options
    key = (language, json.dumps(options, sort_keys=True, default=repr))
    fmt = _FORMATTERS.get(key)
    if fmt is None:
        fmt = _FORMATTERS[key] = HtmlFormatter(cssclass=html.escape(" highlight hl-%s" % language), **options)
    return _pygments_highlight(source if len(source) > 0 else " ", fmt, language, metadata)


def _html_exporter():
    global _exporter
    if _exporter is None:
        from jinja2 import DictLoader, pass_context
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        class FeedbackExporter(HTMLExporter):
            """HTMLExporter without its last step, a BeautifulSoup pass over the whole page
            that only adds alt texts and tabindex attributes (a third of a page's cost), and
            without the notebook validation nbconvert repeats after each of its 13
            preprocessors (the notebook was read by nbformat and executed by nbclient).
            Highlighting and Markdown are memoised per worker process: a class's 200 copies
            of one notebook share the instructor's text and the locked cells, and pygments
            and mistune were half a page's cost."""

            def _validate_preprocessor(self, nbc, preprocessor):
                pass

            def from_notebook_node(self, nb, resources=None, **kw):
                lang = nb.metadata.get("language_info", {})
                self.register_filter("highlight_code", _memo_highlight(Highlight2HTML(
                    pygments_lexer=lang.get("pygments_lexer", lang.get("name")), parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

            @pass_context
            def markdown2html(self, context, source):
                cell = context.get("cell", {})
                key = (source, json.dumps(cell.get("attachments", {}), sort_keys=True),
                       context.get("resources", {}).get("metadata", {}).get("path", ""))
                return _memo(_MD_CACHE, key, lambda: HTMLExporter.markdown2html(self, context, source))

        _exporter = FeedbackExporter(template_name="lab",
                                     extra_loaders=[DictLoader({"chalk_feedback.html.j2": FEEDBACK_TEMPLATE})],
                                     template_file="chalk_feedback.html.j2")
        _exporter.mathjax_url = "../_static/MathJax/MathJax.js?config=" + MATHJAX_CONFIG
        try:  # Markdown maths as MathML: renders with no script at all (share/classroom/chalk_mathml.py)
            from chalk_mathml import MathMLPreprocessor, markdown_to_mathml

            class MemoMathML(MathMLPreprocessor):
                def preprocess_cell(self, cell, resources, index):
                    if cell.cell_type == "markdown":
                        cell.source = _memo(_MATHML_CACHE, cell.source, lambda: markdown_to_mathml(cell.source))
                    return cell, resources
            _exporter.register_preprocessor(MemoMathML(), enabled=True)
        except ImportError:
            pass  # the local MathJax typesets the TeX instead
    return _exporter


def summary_html(student, notebook, rows, reason=None):
    got = sum(r[1] for r in rows)
    total = sum(r[2] for r in rows)
    out = ['<div class="chalk-summary"><h1>%s &mdash; %s</h1>' % (html.escape(notebook), html.escape(student)),
           "<p><b>Total: %s / %s</b></p>" % (_fmt(got), _fmt(total))]
    if reason:
        out.append("<p>%s</p>" % html.escape(reason))
    out.append("<table><tr><th>check</th><th>points</th><th>of</th><th>note</th></tr>")
    for gid, p, m, note in rows:
        out.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
            html.escape(gid or ""), _fmt(p), _fmt(m), html.escape(note)))
    out.append("</table></div>")
    return "\n".join(out)


def feedback_page(nb, student, notebook, rows, reason=None):
    summary = summary_html(student, notebook, rows, reason)
    if nb is None:
        return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>"
                "<body>%s</body></html>\n" % (html.escape(notebook), summary))
    body, _ = _html_exporter().from_notebook_node(
        _Uncopied(nb), resources={"chalk_summary": summary, "chalk_static": "../_static",
                                  "metadata": {"name": notebook}})
    return body


class _Uncopied(NotebookNode):
    """A notebook nbconvert's exporter takes as its own copy: it starts by deep-copying the
    notebook (a third of a page's CPU here) so that its preprocessors do not change the
    caller's.  The page is the last use of a graded notebook (scores are taken before), so
    they may change this one."""

    def __deepcopy__(self, memo):
        return self


def _link_or_copy(src, dst):
    """A hard link where the filesystem allows one, else a copy: MathJax is 600 files that
    nothing writes to (a copy of them was 0.2 s of every run); a link is a file of its own
    to anything copying the feedback folder elsewhere."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def install_static(feedback_dir):
    """Copy MathJax (jupyter-server-mathjax's) and the page CSS once into feedback/_static."""
    static = os.path.join(feedback_dir, "_static")
    if not os.path.exists(os.path.join(static, "MathJax", "MathJax.js")):
        # Found, not imported: importing it starts by importing jupyter_server's whole
        # server application (0.75 s of every run), for a directory name.
        import importlib.util
        spec = importlib.util.find_spec("jupyter_server_mathjax")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("jupyter_server_mathjax (the MathJax copy) is not installed")
        src = os.path.join(list(spec.submodule_search_locations)[0], "static")
        shutil.copytree(src, os.path.join(static, "MathJax"), dirs_exist_ok=True, copy_function=_link_or_copy)
    from jupyter_core.paths import jupyter_path
    for d in jupyter_path("nbconvert", "templates", "lab", "static"):
        if os.path.exists(os.path.join(d, "index.css")):
            for name in ("index.css", "theme-light.css"):
                if not os.path.exists(os.path.join(static, name)):
                    shutil.copy(os.path.join(d, name), os.path.join(static, name))
            break
    else:
        raise RuntimeError("nbconvert's lab template (static/index.css) not found")
    return static


# ---------------------------------------------------------------------------
# One job: one (student, notebook).  Runs in a pool process or on a Dask worker, so it
# takes and returns plain data and writes no file.

def grade_job(job):
    res = _grade_job(job)
    res["worker"] = "%s:%d" % (socket.gethostname(), os.getpid())
    return res


_SOURCE_NODES = {}   # source_id -> the source as a NotebookNode, per worker process


def _source_node(job):
    """The job's source notebook as a NotebookNode, converted once per worker process for
    all the jobs of one notebook: grading only reads it (sanitize copies what it puts into
    a submission)."""
    key = job.get("source_id")
    node = _SOURCE_NODES.get(key) if key else None
    if node is None:
        node = nbformat.from_dict(job["source"])
        if key:
            if len(_SOURCE_NODES) >= 64:
                _SOURCE_NODES.clear()
            _SOURCE_NODES[key] = node
    return node


def _grade_job(job):
    student, notebook, path = job["student"], job["notebook"], job["path"]
    sc = scorer(job.get("scorer", "auto"))
    source = _source_node(job) if job.get("source") else None
    expected = job.get("expected") or {}
    nb, reason = read_notebook(path, job.get("content", _UNREAD))
    if nb is not None and source is None and not any(sc["is_grade"](c) for c in nb.cells):
        reason = "not gradable: the notebook has no check cells"
    if nb is None or reason:
        rows = [(gid, 0, pts, reason) for gid, pts in expected.items()] or [("", 0, 0, reason)]
        return {"student": student, "notebook": notebook, "rows": rows, "scorer": sc["name"],
                "html": feedback_page(None, student, notebook, rows, reason)}
    try:
        if source is not None:
            tamper = sanitize(nb, source, sc)
            kernel = (source.metadata.get("kernelspec") or {}).get("name") or job["kernel"]
        else:
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            tamper = checksum_notes(nb, sc)
            kernel = job["kernel"]
            nb.metadata.pop("widgets", None)
        here = os.path.dirname(os.path.abspath(path))
        if os.path.isdir(here):
            never_ran = execute(nb, kernel, job["timeout"], here)
        else:  # a Dask worker that does not share the client's filesystem
            import tempfile
            with tempfile.TemporaryDirectory(prefix="chalk-grade-") as tmp:
                never_ran = execute(nb, kernel, job["timeout"], tmp)
        for cell in nb.cells:
            limit_output(cell)
        rows = score(nb, sc, job["timeout"], tamper, never_ran)
        if source is not None:  # order and completeness as the source has them
            have = {r[0]: r for r in rows}
            rows = [have.get(gid, (gid, 0, pts, "check cell not graded")) for gid, pts in expected.items()]
        return {"student": student, "notebook": notebook, "rows": rows, "scorer": sc["name"],
                "html": feedback_page(nb, student, notebook, rows)}
    except Exception as e:  # the job must report, not vanish: 0 rows with the reason
        reason = "grading failed: %s: %s" % (type(e).__name__, str(e).splitlines()[0][:200] if str(e) else "")
        rows = [(gid, 0, pts, reason) for gid, pts in expected.items()] or [("", 0, 0, reason)]
        return {"student": student, "notebook": notebook, "rows": rows, "scorer": sc["name"], "failed": True,
                "html": feedback_page(None, student, notebook, rows, reason)}


# ---------------------------------------------------------------------------
# The job list, the runners and the output files.

def list_jobs(submissions, source_dir, sc_kind):
    sc = scorer(sc_kind)
    if not os.path.isdir(submissions):
        raise UsageError("%s is not a directory" % submissions)
    students = sorted(d for d in os.listdir(submissions)
                      if not d.startswith(".") and os.path.isdir(os.path.join(submissions, d)))
    sources = {}
    if source_dir:
        if not os.path.isdir(source_dir):
            raise UsageError("--source %s is not a directory" % source_dir)
        for f in sorted(os.listdir(source_dir)):
            if f.endswith(".ipynb"):
                nb, reason = read_notebook(os.path.join(source_dir, f))
                if nb is None:
                    raise UsageError("--source %s: %s" % (f, reason))
                sources[f[:-6]] = nb
        if not sources:
            raise UsageError("--source %s holds no .ipynb" % source_dir)
        names = sorted(sources)
    else:
        names = sorted({f[:-6] for s in students for f in os.listdir(os.path.join(submissions, s))
                        if f.endswith(".ipynb") and not f.startswith(".")})
    for s in students:
        extra = sorted(f for f in os.listdir(os.path.join(submissions, s))
                       if f.endswith(".ipynb") and f[:-6] not in names)
        for f in extra:
            print("chalk-grade: %s/%s: not in --source, skipped" % (s, f), file=sys.stderr)
    # One plain copy of each source and its checks, shared by its jobs (read-only there), and
    # the digest a worker knows it by (_source_node).
    plain = {}
    for n, src in sources.items():
        text = json.dumps(src, sort_keys=True)
        plain[n] = (json.loads(text), hashlib.sha256(text.encode("utf-8")).hexdigest(), grade_ids(src, sc))
    jobs = []
    for s in students:
        for n in names:
            src, digest, expected = plain.get(n, (None, None, {}))
            jobs.append({"student": s, "notebook": n,
                         "path": os.path.abspath(os.path.join(submissions, s, n + ".ipynb")),
                         "source": src, "source_id": digest, "expected": expected})
    return jobs


def shard_of(jobs, spec):
    if not spec:
        return jobs, None
    m = re.fullmatch(r"(\d+)/(\d+)", spec)
    if not m or not (1 <= int(m.group(1)) <= int(m.group(2))):
        raise UsageError("--shard wants I/N with 1 <= I <= N, got %r" % spec)
    i, n = int(m.group(1)), int(m.group(2))
    return jobs[i - 1::n], (i, n)


def default_workers():
    """Two notebooks in flight per core.  One notebook alone leaves its core idle for much
    of its time: each cell is a round trip grader -> kernel -> executor -> cell process and
    back, and a kernel's start and stop are process starts and exits, so a second notebook
    per core fills those waits (see Speed for the figures)."""
    return 2 * (os.cpu_count() or 1)


def run_local(jobs, workers):
    if workers <= 1 or len(jobs) <= 1:
        for j in jobs:
            yield grade_job(j)
        return
    # Import and compile what every job needs once, here: the forked workers inherit it
    # (the page template alone costs a second of CPU to compile).
    import nbclient  # noqa: F401
    warm = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("int x;")],
                                    metadata={"language_info": {"name": "c"}})
    feedback_page(warm, "-", "-", [])
    # Finding a kernelspec searches the kernel directories (and imports IPython for its
    # ~/.ipython/kernels): 0.065 s of CPU, in every worker unless done here.
    import zmq  # noqa: F401
    for name in sorted({(j.get("source") or {}).get("metadata", {}).get("kernelspec", {}).get("name")
                        or j.get("kernel") or "chalk" for j in jobs}):
        try:
            _kernel_spec(name)
        except Exception:  # noqa: BLE001 -- a missing kernel is each job's own error to report
            pass
    ctx = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(grade_job, j) for j in jobs]
        for f in concurrent.futures.as_completed(futures):
            yield f.result()


def run_dask(jobs, address):
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise UsageError("--scheduler needs the Python package `distributed` (Dask)")
    def with_content(j):  # the submission travels with its task: no shared filesystem needed
        j = dict(j)
        try:
            with open(j["path"], "rb") as f:
                j["content"] = f.read()
        except FileNotFoundError:
            j["content"] = None
        except OSError:
            pass  # the worker reports it unreadable
        return j

    try:
        client = Client(address, timeout="30s")
    except (OSError, TimeoutError) as e:
        raise UsageError("cannot reach the Dask scheduler at %s: %s" % (address, e))
    # grade_job travels by value (cloudpickle, this file being __main__) with the globals it
    # reaches: not the nbgrader modules _nbgrader_utils imported outside sys.modules, which
    # would have to travel by value too (and cannot).  Each worker imports its own.
    global _NBGRADER
    _NBGRADER = None
    with client:
        futures = [client.submit(grade_job, with_content(j), pure=False,
                                 key="chalk-grade-%s-%s-%d" % (j["student"], j["notebook"], k))
                   for k, j in enumerate(jobs)]
        for f in as_completed(futures):
            yield f.result()


def write_csv(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow(r)
    os.replace(tmp, path)


def csv_rows(results, order):
    """Rows sorted by student, then the notebook order, then the cells' order."""
    out = []
    for res in sorted(results, key=lambda r: (r["student"], order.index(r["notebook"]))):
        for gid, p, m, note in res["rows"]:
            out.append([res["student"], res["notebook"], gid, _fmt(p), _fmt(m), note])
    return out


def merge(outdir):
    parts = sorted(f for f in os.listdir(outdir) if re.fullmatch(r"grades\.part-\d+-of-\d+\.csv", f))
    if not parts:
        raise UsageError("%s holds no grades.part-I-of-N.csv" % outdir)
    ns = {int(re.search(r"-of-(\d+)", f).group(1)) for f in parts}
    if len(ns) != 1:
        raise UsageError("parts of different shard counts in %s: %s" % (outdir, ", ".join(parts)))
    n = ns.pop()
    have = {int(re.search(r"part-(\d+)", f).group(1)) for f in parts}
    missing = sorted(set(range(1, n + 1)) - have)
    if missing:
        raise UsageError("shards missing: %s of %d" % (", ".join(map(str, missing)), n))
    rows = []
    for f in parts:
        with open(os.path.join(outdir, f), newline="", encoding="utf-8") as fh:
            r = list(csv.reader(fh))
        if not r or r[0] != COLUMNS:
            raise UsageError("%s: not a chalk-grade part (header %r)" % (f, r[:1]))
        rows.extend(r[1:])
    # A part keeps its own rows in order; whole notebooks interleave across parts.
    by_nb = {}
    for row in rows:
        by_nb.setdefault((row[0], row[1]), []).append(row)
    notebooks = sorted({k[1] for k in by_nb})
    merged = [row for k in sorted(by_nb, key=lambda k: (k[0], notebooks.index(k[1]))) for row in by_nb[k]]
    write_csv(os.path.join(outdir, "grades.csv"), merged)
    return len(merged)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["merge"]:
            ap = argparse.ArgumentParser(prog="chalk-grade merge")
            ap.add_argument("dir")
            a = ap.parse_args(argv[1:])
            n = merge(a.dir)
            print("chalk-grade: %d rows -> %s" % (n, os.path.join(a.dir, "grades.csv")))
            return 0
        ap = argparse.ArgumentParser(prog="chalk-grade", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:5]))
        ap.add_argument("submissions", help="SUBMISSIONS/<student>/<notebook>.ipynb")
        ap.add_argument("--out", required=True, help="write grades.csv and feedback/ here")
        ap.add_argument("--source", help="the instructor's notebooks (nbgrader source/<assignment>/)")
        ap.add_argument("--workers", type=int, default=default_workers(),
                        help="local processes (default: twice the number of cores, %(default)s)")
        ap.add_argument("--timeout", type=float, default=120, help="wall-clock seconds per cell (120)")
        ap.add_argument("--scheduler", help="a Dask distributed scheduler, tcp://HOST:PORT")
        ap.add_argument("--shard", help="grade only slice I of N (1-based), writes grades.part-I-of-N.csv")
        ap.add_argument("--merge", action="store_true", help="after this shard, merge the parts if all exist")
        ap.add_argument("--kernel", default="chalk", help="kernel without --source (default chalk)")
        ap.add_argument("--scorer", choices=("auto", "nbgrader", "builtin"), default="auto",
                        help="nbgrader's determine_grade when importable (auto), or the builtin copy")
        a = ap.parse_args(argv)
        if a.workers < 1 or a.timeout <= 0:
            raise UsageError("--workers must be >= 1 and --timeout > 0")
        sc = scorer(a.scorer)
        jobs = list_jobs(a.submissions, a.source, a.scorer)
        order = sorted({j["notebook"] for j in jobs})
        jobs, shard = shard_of(jobs, a.shard)
        for j in jobs:
            j.update(timeout=a.timeout, kernel=a.kernel, scorer=a.scorer)
        if not a.source:
            print("chalk-grade: no --source: check cells are graded as submitted "
                  "(a student can delete or edit them undetected)", file=sys.stderr)
        os.makedirs(a.out, exist_ok=True)
        feedback = os.path.join(a.out, "feedback")
        install_static(feedback)
        results, failed, workers = [], 0, set()
        runner = run_dask(jobs, a.scheduler) if a.scheduler else run_local(jobs, a.workers)
        for res in runner:
            d = os.path.join(feedback, res["student"])
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, res["notebook"] + ".html"), "w", encoding="utf-8") as f:
                f.write(res["html"])
            res.pop("html")
            failed += bool(res.get("failed"))
            workers.add(res.pop("worker", None))
            results.append(res)
        rows = csv_rows(results, order)
        name = "grades.csv" if not shard else "grades.part-%d-of-%d.csv" % shard
        write_csv(os.path.join(a.out, name), rows)
        print("chalk-grade: %d notebooks on %d processes, %d rows -> %s (scores: %s)" % (
            len(results), len(workers), len(rows), os.path.join(a.out, name), sc["name"]))
        if shard and a.merge:
            try:
                merge(a.out)
            except UsageError as e:
                print("chalk-grade: not merged yet: %s" % e, file=sys.stderr)
        return 1 if failed else 0
    except UsageError as e:
        print("chalk-grade: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
