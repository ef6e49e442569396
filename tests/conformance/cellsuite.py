"""cellsuite.py — what the conformance suites share: a program as a chalk
cell, and the figures, baseline and refusal list of a suite.

A suite (torture.py: GCC's gcc.c-torture/execute; tests2.py: tcc's own
tests/tests2) chooses its programs and runs them under standalone tcc; for
each program tcc passes, run_suite runs it as one cell after `%reset` and
counts it passed when the cell succeeds (or ends with `exit(0)`, which chalk
reports as SystemExit: the program's own success) and prints what tcc
printed.  Each suite keeps two lists in its own directory:
  baseline.txt  programs known to pass as cells; the run fails if one of them
                no longer passes (the count can only go up: --update-baseline
                rewrites it from a run that lost none);
  rejected.txt  programs a documented chalk rule refuses on purpose
                ("program<TAB>rule"); counted apart, never failures.

Beware: the per-program wall limit is the kernel's --limits ceiling, so a
hung program is a WallTimeLimit failure, never a hung run; a kernel that dies
is restarted and the program counted as "kernel died".  The kernel runs in
the programs' directory, so a program that #includes a file next to it finds
it, as tcc -run there does.
"""
import os
import queue
import re
import sys
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/, by hand
import kernelclient  # noqa: E402

WALL = 20           # seconds per program as a cell (the kernel's ceiling)
HANG = kernelclient.TIMEOUT   # a reply later than this means the kernel is gone


class Kernel:
    """The build tree's kernel, started in the suite's directory (programs
    #include files next to them, as `tcc -run` in that directory finds them)."""
    def __init__(self, cwd):
        self.km = self.kc = None
        self.cwd = cwd
        self.start()

    def start(self):
        self.km, self.kc = kernelclient.start(extra_arguments=["--limits", f"wall={WALL}"],
                                              cwd=self.cwd)

    def stop(self):
        kernelclient.stop(self.km, self.kc)

    def restart(self):
        self.stop()
        self.start()

    def run(self, code):
        """(reply content, stdout text, first error content or None); None if no reply."""
        msg_id = self.kc.execute(code, store_history=False)
        out, err = [], None
        t0 = time.monotonic()
        while True:
            try:
                m = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                if time.monotonic() - t0 > HANG or not self.km.is_alive():
                    return None
                continue
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            t, c = m["msg_type"], m["content"]
            if t == "stream" and c["name"] == "stdout":
                out.append(c["text"])
            elif t == "error" and err is None:
                err = c
            elif t == "status" and c["execution_state"] == "idle":
                break
        while True:
            try:
                r = self.kc.get_shell_msg(timeout=HANG)
            except queue.Empty:
                return None
            if r["parent_header"].get("msg_id") == msg_id:
                return r["content"], "".join(out), err


def failure_class(err):
    """A short class for an error: its name and first line, names and lines blurred."""
    if err is None:
        return "error without an error output"
    first = (err.get("evalue") or "").splitlines()[0] if err.get("evalue") else ""
    first = re.sub(r"cell\[\d+\]:\d+: ", "", first)
    first = re.sub(r"<[^>]*>:\d+: ", "", first)
    first = re.sub(r"'[^']*'", "'X'", first)
    first = re.sub(r'"[^"]*"', '"X"', first)
    first = re.sub(r"\d+", "N", first)
    return f"{err.get('ename')}: {first}"[:110]


def run_cell(kernel, path, tcc_out, tcc_status=0):
    """None when the program passes as a cell, else its failure class.  A
    program whose main() returns tcc_status (not 0) under tcc passes when
    the cell's main() returns the same."""
    with open(path, encoding="utf-8") as f:
        code = f.read()
    for attempt in (0, 1):
        if kernel.run("%reset") is None:
            kernel.restart()
            continue
        res = kernel.run(code)
        if res is None:
            kernel.restart()
            return "kernel died or stopped answering"
        reply, out, err = res
        break
    else:
        return "kernel died or stopped answering"
    if reply["status"] != "ok":
        same = f"the cell's main() returned status {tcc_status}"
        if not (err and err.get("ename") == "SystemExit" and
                (err.get("evalue") or "").startswith("exit(0) called")) and \
                not (tcc_status and err and (err.get("evalue") or "").startswith(same)):
            return failure_class(err)
    if out != tcc_out:
        return "ran, but printed something else than tcc"
    return None


def read_list(listdir, name):
    path = os.path.join(listdir, name)
    if not os.path.exists(path):
        return {}
    d = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].rstrip("\n")
            if line.strip():
                prog, _, why = line.partition("\t")
                d[prog.strip()] = why.strip()
    return d


def add_arguments(ap):
    """The options every suite takes."""
    ap.add_argument("--update-baseline", action="store_true",
                    help="rewrite baseline.txt with every program that passed")
    ap.add_argument("--only", nargs="*", help="just these programs (names without .c)")
    ap.add_argument("--failures", help="write 'program<TAB>class' of every failure here")


def run_suite(a, listdir, cwd, title, selected, tcc_pass, tcc_out, paths, t0, t_tcc, skipped,
              tcc_status=None):
    """Run the programs tcc passed as cells, print the figures, check and
    (with --update-baseline) rewrite listdir's baseline.txt.  `skipped` is
    [(count, why)] for the summary line; tcc_status, the status each
    program's main() returned under tcc where that is not 0 and counts.
    Returns the exit status."""
    baseline = set(read_list(listdir, "baseline.txt"))
    rejected = read_list(listdir, "rejected.txt")
    wanted = set(a.only) if a.only else None
    kernel = Kernel(cwd)
    print(f"kernel: {kernel.km.kernel_spec.argv[0]}")
    classes = Counter()
    failures = {}
    passed, rule_rejected = [], []
    try:
        for n in tcc_pass:
            why = run_cell(kernel, paths[n], tcc_out[n], (tcc_status or {}).get(n, 0))
            if why is None:
                passed.append(n)
            elif n in rejected:
                rule_rejected.append(n)
            else:
                failures[n] = why
                classes[why] += 1
    finally:
        kernel.stop()
    elapsed = time.monotonic() - t0

    target = len(tcc_pass) - len(rule_rejected)
    skips = "".join(f", {k} skipped ({why})" for k, why in skipped)
    print(f"{title}: {len(selected)} programs{skips}, {len(tcc_pass)} pass with standalone "
          f"tcc -run")
    print(f"as chalk cells: {len(passed)} of {len(tcc_pass)} pass "
          f"({100.0 * len(passed) / max(1, len(tcc_pass)):.1f}%); {len(rule_rejected)} refused "
          f"by a documented rule (rejected.txt); {len(passed)} of {target} others pass "
          f"({100.0 * len(passed) / max(1, target):.1f}%)")
    for why, k in classes.most_common():
        print(f"  {k:5d}  {why}")
    for n in sorted(failures):
        print(f"  FAIL {n}: {failures[n]}")
    print(f"time: {elapsed:.0f} s ({t_tcc:.0f} s of it standalone tcc)")
    if a.failures:
        with open(a.failures, "w") as f:
            for n in sorted(failures):
                f.write(f"{n}\t{failures[n]}\n")

    lost = sorted(n for n in baseline if (wanted is None or n in wanted) and n not in passed)
    if lost:
        print(f"REGRESSION: {len(lost)} program(s) of baseline.txt no longer pass: "
              + " ".join(lost))
        return 1
    if a.update_baseline:
        keep = baseline - set(selected)
        with open(os.path.join(listdir, "baseline.txt"), "w") as f:
            f.write(f"# {title} programs that pass as chalk cells (--update-baseline)\n")
            for n in sorted(keep | set(passed)):
                f.write(n + "\n")
        print(f"baseline.txt: {len(keep | set(passed))} programs")
    return 0
