"""torture.py — GCC's gcc.c-torture/execute programs as chalk cells.

Each program is a small C file whose main() aborts when the compiler got
something wrong.  The suite is extracted from Debian's gcc-12-source
(/usr/src/gcc-12/gcc-*.tar.xz); every program is run with standalone
`tcc -run`, and each one tcc passes is run as a chalk cell through the kernel
built in this tree: one `%reset` cell, then the program as one cell, whose
main() chalk runs.  A program passes as a cell when the cell succeeds, or ends
with `exit(0)` (chalk reports any exit() as SystemExit: the program's own
success), and prints what tcc printed.

Files kept next to this script:
  baseline.txt  programs known to pass as cells; the run fails if one of them
                no longer passes (the count can only go up: --update-baseline
                rewrites it from a run that lost none);
  rejected.txt  programs a documented chalk rule refuses on purpose
                ("program<TAB>rule"); counted apart, never failures.
`make conformance` runs it and prints the figures; `make check` runs it
through test_torture.py (the whole suite: 45-60 s on two idle cores, about
2 minutes on a loaded machine; extracting it the first time, 10-40 s more).

Beware: the per-program wall limit is the kernel's --limits ceiling, so a
hung program is a WallTimeLimit failure, never a hung run; a kernel that dies
is restarted and the program counted as "kernel died".  tcc is run with a
timeout too.  Programs whose dg- directives ask for compiler flags
(dg-options, dg-additional-options, dg-add-options, dg-additional-sources)
are skipped and counted, and so are sources that are not UTF-8 (a notebook
cell is JSON text).  The kernel runs in the suite's directory, so programs
that #include a file next to them find it, as tcc -run there does.
"""
import argparse
import concurrent.futures
import glob
import os
import queue
import re
import subprocess
import sys
import tarfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))   # tests/, when run by hand rather than by make
import kernelclient  # noqa: E402

SOURCE_GLOB = "/usr/src/gcc-12/gcc-*.tar.*"
MEMBER = "/gcc/testsuite/gcc.c-torture/execute/"
WALL = 20           # seconds per program as a cell (the kernel's ceiling)
TCC_WALL = 20       # seconds per program under standalone tcc
HANG = kernelclient.TIMEOUT   # a reply later than this means the kernel is gone
FLAG_DIRECTIVES = re.compile(r"\{\s*dg-(options|additional-options|add-options|additional-sources)\b")


def extract(workdir):
    """The execute/*.c programs (top level only), extracted once into workdir."""
    dest = os.path.join(workdir, "execute")
    stamp = os.path.join(workdir, ".extracted")
    # a stamp without programs (a copied or half-cleaned tree) extracts again
    if not os.path.exists(stamp) or not glob.glob(os.path.join(dest, "*.c")):
        tarballs = sorted(glob.glob(SOURCE_GLOB))
        if not tarballs:
            return None
        os.makedirs(dest, exist_ok=True)
        with tarfile.open(tarballs[0]) as tar:
            for m in tar:
                i = m.name.find(MEMBER)
                if i < 0 or not m.isfile():
                    continue
                rest = m.name[i + len(MEMBER):]
                if "/" in rest or not rest.endswith((".c", ".h")):
                    continue   # the .h files are headers programs include
                with open(os.path.join(dest, rest), "wb") as out:
                    out.write(tar.extractfile(m).read())
        open(stamp, "w").close()
    return sorted(glob.glob(os.path.join(dest, "*.c")))


def run_tcc(path):
    try:
        p = subprocess.run(["tcc", "-w", "-lm", "-run", os.path.basename(path)],
                           cwd=os.path.dirname(path), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=TCC_WALL)
    except subprocess.TimeoutExpired:
        return False, ""
    return p.returncode == 0, p.stdout.decode("utf-8", "replace")


class Kernel:
    """The build tree's kernel, started in the suite's directory (programs
    #include files next to them, as `tcc -run` in that directory finds them)."""
    def __init__(self, cwd):
        self.km = self.kc = None
        self.cwd = cwd
        self.start()

    def start(self):
        self.km, self.kc = kernelclient.start(extra_arguments=["--limits", f"wall={WALL}"], cwd=self.cwd)

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


def run_cell(kernel, path, tcc_out):
    """None when the program passes as a cell, else its failure class."""
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
        if not (err and err.get("ename") == "SystemExit" and
                (err.get("evalue") or "").startswith("exit(0) called")):
            return failure_class(err)
    if out != tcc_out:
        return "ran, but printed something else than tcc"
    return None


def read_list(name):
    path = os.path.join(HERE, name)
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", default="tests/conformance/work",
                    help="where the suite is extracted (build directory)")
    ap.add_argument("--update-baseline", action="store_true",
                    help="rewrite baseline.txt with every program that passed")
    ap.add_argument("--only", nargs="*", help="just these programs (names without .c)")
    ap.add_argument("--failures", help="write 'program<TAB>class' of every failure here")
    a = ap.parse_args()

    t0 = time.monotonic()
    progs = extract(a.workdir)
    if progs is None:
        print(f"torture.py: no {SOURCE_GLOB} (apt-get install gcc-12-source); skipped")
        return 77
    names = {os.path.basename(p)[:-2]: p for p in progs}
    baseline = set(read_list("baseline.txt"))
    rejected = read_list("rejected.txt")
    wanted = set(a.only) if a.only else set(names)
    selected = sorted(n for n in names if n in wanted)

    needs_flags, not_utf8, runnable = [], [], []
    for n in selected:
        with open(names[n], "rb") as f:
            raw = f.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            not_utf8.append(n)    # a notebook cell is UTF-8 text (JSON)
            continue
        if FLAG_DIRECTIVES.search(text):
            needs_flags.append(n)
        else:
            runnable.append(n)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        tcc = dict(zip(runnable, pool.map(lambda n: run_tcc(names[n]), runnable)))
    tcc_pass = [n for n in runnable if tcc[n][0]]
    t_tcc = time.monotonic() - t0

    kernel = Kernel(os.path.dirname(os.path.abspath(progs[0])))
    print(f"kernel: {kernel.km.kernel_spec.argv[0]}")
    classes = Counter()
    failures = {}
    passed, rule_rejected = [], []
    try:
        for n in tcc_pass:
            why = run_cell(kernel, names[n], tcc[n][1])
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
    print(f"gcc.c-torture/execute: {len(selected)} programs, {len(needs_flags)} skipped "
          f"(need compiler flags), {len(not_utf8)} skipped (not UTF-8: no cell can hold "
          f"them), {len(tcc_pass)} pass with standalone tcc -run")
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

    lost = sorted(n for n in baseline if n in wanted and n not in passed)
    if lost:
        print(f"REGRESSION: {len(lost)} program(s) of baseline.txt no longer pass: "
              + " ".join(lost))
        return 1
    if a.update_baseline:
        keep = baseline - set(selected)
        with open(os.path.join(HERE, "baseline.txt"), "w") as f:
            f.write("# gcc.c-torture/execute programs that pass as chalk cells "
                    "(tests/conformance/torture.py --update-baseline)\n")
            for n in sorted(keep | set(passed)):
                f.write(n + "\n")
        print(f"baseline.txt: {len(keep | set(passed))} programs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
