#!/usr/bin/env python3
"""run-notebooks.py — execute notebooks and print notebook, checks passed/total, seconds.

quickstart's main job.  Every *.ipynb under the given directories (sorted) is
executed with nbclient in its own kernel (the one its metadata names, chalk by
default), in the notebook's directory, with no stdin (as nbconvert and graders
run them).  Then:

- a *check* is a code cell tagged `check`; it passed if it ran and has no
  `error` output;
- a notebook passes if it ran to the end, every check passed, no other
  cell has an error output unless it is tagged `raises-exception` (the tour
  shows an error on purpose), no cell has more than MAX_OUTPUTS outputs, and
  every cell went idle within nbclient's iopub wait after its reply (a
  `%timeit` that published its value on every loop did both, and the table
  still said ok).

Tests counted (for .ci/run's final line, written to --results as JSON): one
per check cell plus one per notebook ("runs clean"), so the total does not
depend on how far a broken notebook got.  A kernel that dies or a cell that
hangs past --timeout stops that notebook: its unrun checks count as failed.

Beware: cells keep running after an error (allow_errors) so every check is
judged; --timeout is a hang guard for unattended runs (0 disables it), not a
performance limit.
"""
import argparse
import json
import os
import sys
import time
import traceback

try:
    import nbformat
    from nbclient import NotebookClient
except ImportError as e:  # the venv is not there yet
    sys.stderr.write("run-notebooks: %s (run ./quickstart first)\n" % e)
    sys.exit(2)


def find_notebooks(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "_build")
                out += [os.path.join(root, f) for f in files if f.endswith(".ipynb")]
        elif p.endswith(".ipynb"):
            out.append(p)
    return sorted(set(out))


# More outputs than any notebook of ours makes in one cell (13 at most) by an order of
# magnitude: past it a cell is flooding the front end, not showing a result.
MAX_OUTPUTS = 200


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []) or [])


def has_error(cell):
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def run_one(path, timeout, kernel_name, outdir):
    nb = nbformat.read(path, as_version=4)
    checks = [c for c in nb.cells if c.cell_type == "code" and "check" in tags(c)]
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs = []
            c.execution_count = None
    kname = kernel_name or nb.metadata.get("kernelspec", {}).get("name") or "chalk"
    client = NotebookClient(
        nb, timeout=(timeout or None), kernel_name=kname, allow_errors=True,
        record_timing=True, raise_on_iopub_timeout=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    problem = None
    t0 = time.monotonic()
    try:
        client.execute()
    except Exception as e:  # DeadKernelError, CellTimeoutError, startup failures
        problem = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
    secs = time.monotonic() - t0

    def ran(c):
        return c.get("execution_count") is not None or bool(c.get("outputs"))

    check_ids = {id(c) for c in checks}
    passed = sum(1 for c in checks if ran(c) and not has_error(c))
    failed_checks = [i for i, c in enumerate(nb.cells)
                     if id(c) in check_ids and not (ran(c) and not has_error(c))]
    unexpected = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and id(c) not in check_ids and has_error(c)
                  and "raises-exception" not in tags(c)]
    flooded = [i for i, c in enumerate(nb.cells) if len(c.get("outputs", [])) > MAX_OUTPUTS]
    if problem is None and flooded:
        problem = "cell %d: %d outputs (more than %d: a runaway display?)" % (
            flooded[0] + 1, len(nb.cells[flooded[0]].outputs), MAX_OUTPUTS)
    runs_clean = problem is None and not unexpected
    if problem is None and unexpected:
        first = nb.cells[unexpected[0]]
        err = next(o for o in first.outputs if o.get("output_type") == "error")
        problem = "cell %d: %s: %s" % (unexpected[0] + 1, err.get("ename", ""),
                                       (err.get("evalue") or "")[:120])
    if problem is None and failed_checks:
        first = nb.cells[failed_checks[0]]
        err = next((o for o in first.get("outputs", []) if o.get("output_type") == "error"), None)
        why = ("%s: %s" % (err.get("ename", ""), (err.get("evalue") or "").strip().splitlines()[0][:120]
                           if (err.get("evalue") or "").strip() else "")) if err else "did not run"
        problem = "failed checks in cells %s (cell %d: %s)" % (
            ", ".join(str(i + 1) for i in failed_checks), failed_checks[0] + 1, why)
    if outdir:
        os.makedirs(outdir, exist_ok=True)
        try:
            nbformat.write(nb, os.path.join(outdir, os.path.basename(path)))
        except Exception:
            pass
    return {
        "notebook": path, "checks_passed": passed, "checks_total": len(checks),
        "seconds": round(secs, 3), "ok": problem is None,
        "runs_clean": runs_clean,
        "problem": problem,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=["notebooks"])
    ap.add_argument("--timeout", type=float, default=float(os.environ.get("CHALK_NB_TIMEOUT", 900)),
                    help="seconds per cell before giving up on a hung notebook (0: never)")
    ap.add_argument("--kernel", default=None, help="kernel name (default: the notebook's own)")
    ap.add_argument("--results", default=None, help="write the results as JSON here")
    ap.add_argument("--outdir", default=None, help="write executed copies here")
    a = ap.parse_args()

    notebooks = find_notebooks(a.paths)
    rows = []
    for path in notebooks:
        try:
            r = run_one(path, a.timeout, a.kernel, a.outdir)
        except Exception as e:  # unreadable notebook, nbclient bug: still one row
            traceback.print_exc()
            r = {"notebook": path, "checks_passed": 0, "checks_total": 0, "seconds": 0.0,
                 "ok": False, "runs_clean": False, "problem": "%s: %s" % (type(e).__name__, e)}
        rows.append(r)
        mark = "ok" if r["ok"] else "FAIL"
        print("  %-4s %s (%d/%d checks, %.1f s)%s" % (
            mark, os.path.relpath(path), r["checks_passed"], r["checks_total"], r["seconds"],
            ("  -- " + r["problem"]) if r["problem"] else ""), flush=True)

    # tests: one per check cell + one per notebook ("runs clean")
    tests_total = sum(r["checks_total"] + 1 for r in rows)
    tests_passed = sum(r["checks_passed"] + (1 if r["runs_clean"] else 0) for r in rows)

    w = max([len("notebook")] + [len(os.path.relpath(r["notebook"])) for r in rows])
    print()
    print("%-*s  %-6s  %9s  %8s" % (w, "notebook", "result", "checks", "seconds"))
    print("%s  %s  %s  %s" % ("-" * w, "-" * 6, "-" * 9, "-" * 8))
    for r in rows:
        print("%-*s  %-6s  %9s  %8.1f" % (w, os.path.relpath(r["notebook"]), "ok" if r["ok"] else "FAIL",
                                          "%d/%d" % (r["checks_passed"], r["checks_total"]), r["seconds"]))
    print("%s  %s  %s  %s" % ("-" * w, "-" * 6, "-" * 9, "-" * 8))
    nfail = sum(1 for r in rows if not r["ok"])
    print("%-*s  %-6s  %9s  %8.1f" % (w, "%d notebooks" % len(rows), "ok" if not nfail else "%d FAIL" % nfail,
                                      "%d/%d" % (sum(r["checks_passed"] for r in rows), sum(r["checks_total"] for r in rows)),
                                      sum(r["seconds"] for r in rows)))
    if not rows:
        print("no notebooks found under %s" % " ".join(a.paths))

    if a.results:
        os.makedirs(os.path.dirname(os.path.abspath(a.results)), exist_ok=True)
        with open(a.results, "w") as f:
            json.dump({"notebooks": rows, "tests_total": tests_total, "tests_passed": tests_passed,
                       "tests_failed": tests_total - tests_passed}, f, indent=1)
    return 1 if (nfail or not rows) else 0


if __name__ == "__main__":
    sys.exit(main())
