#!/usr/bin/env python3
"""bench.py — `make bench`: chalk against ipykernel (and GSL against NumPy), same run.

Why ~1,000 lines in one file: every part shares the kernel drivers, the one results table
and bench.json, so that all ratios come from one run (bench_cc.py holds the %%cc part).

Drives both kernels through jupyter_client, as a front end would, and prints
medians and ratios (chalk / reference; lower is better for chalk):

  trivial cell    `printf("hello\\n");` vs ipykernel `print("hello")`: p50 of
                  execute_request -> execute_reply *and* status idle; and vs
                  xeus-python's (a native C++ kernel, --xeus-kernel, default
                  xpython-raw from the xeus-python wheel), the two sessions
                  taking turns cell by cell (which goes first drawn each round);
  GSL cell        a cell including <gsl/gsl_linalg.h> taking a 3x3 SVD, vs the
                  same ipykernel print;
  start           KernelManager.start_kernel() -> kernel_info_reply;
  memory          after 10 cells, the distinct physical pages the kernel and
                  all its descendants keep resident (/proc/PID/pagemap; PSS
                  and summed RSS are printed too), and the same for
                  tests/bench/bench_floor, the floor under that figure;
  output flood    a cell printing 200 MB (2,000,000 lines of 100 bytes) past the
                  4 MiB cap vs the same program writing them to /dev/null (p50 of
                  --flood-reps each; target: within 2x);
  editor help     in a fresh kernel, the first inspect of a name no included
                  header declares (it builds the catalog of every installed
                  header), then p50 of inspect and complete of such names, and
                  of inspect on control while a cell runs;
  soak            --soak-cells (10,000) cells with output (defining nothing) in one session: resident
                  memory of the process tree and open descriptors after the first
                  1,000 and at the end, p50 latency of the first and last 1,000;
                  then 4 clients at once sending kernel_info, complete, inspect and
                  is_complete (on control: answered while it runs) during a 5 s
                  cell, with the heartbeat pinged every 50 ms: answers, and the
                  longest heartbeat silence;
  1,000 cells     one session, each cell defining a new global and printing
                  it; p50 of the last hundred / p50 of the first hundred;
  linear algebra  tests/bench/bench_linalg (libchalk: 256x256 SVD, eigh,
                  matmul) vs NumPy in this process, if that program was built;
  grading         --grade-n submissions (default 200) of one notebook (--grade-notebook,
                  default 02), each the reference solution filled into nbgrader's
                  release copy, a comment naming the student at the end of each
                  solution cell (no two files alike): `chalk-grade --source` (feedback pages included, its
                  default --workers) vs one `nbgrader autograde` call over the same
                  students (no feedback), submissions per minute and their ratio
                  (target >= 10x).  --nbgrader-n grades fewer with nbgrader (it takes
                  ~1-8 s a submission): both counts are printed, rates compare.  Also
                  the CPU time of each side's whole process tree per submission.

The targets from the cell-engine issue are printed next to the ratios; this
is a benchmark, not a test: it never fails on a slow number (exit status is
non-zero only if a kernel could not be driven at all).

bench_linalg contract: it prints either a JSON object {"svd": seconds, ...}
or one line per operation `NAME SECONDS` (a unit ms/us/s may follow the
number); names containing svd, eigh and matmul/gemm are matched.  Both sides
run with the same BLAS thread count (--threads, default 1), so the ratio
compares algorithms, not core counts.

Beware: the kernels are found through JUPYTER_PATH (make bench points it at
the build tree's kernelspec); run on an idle machine, medians of many
repetitions are only as good as the machine is quiet.
"""
import argparse
import csv
import json
import os
import platform
import queue
import random
import re
import statistics
import subprocess
import sys
import time

# tests/proctree.py, also when bench.py is run by hand rather than by make
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import proctree  # noqa: E402

TRIVIAL_C = 'printf("hello\\n");'
TRIVIAL_PY = 'print("hello")'
GSL_C = r'''#include <gsl/gsl_linalg.h>
{
    double a[] = {4, 1, 2,  1, 3, 0,  2, 0, 5};
    gsl_matrix_view A = gsl_matrix_view_array(a, 3, 3);
    gsl_matrix *V = gsl_matrix_alloc(3, 3);
    gsl_vector *S = gsl_vector_alloc(3), *work = gsl_vector_alloc(3);
    gsl_linalg_SV_decomp(&A.matrix, V, S, work);
    printf("%.6f\n", gsl_vector_get(S, 0));
    gsl_matrix_free(V); gsl_vector_free(S); gsl_vector_free(work);
}
'''
FLOOD_C = 'for (int i = 0; i < 2000000; i++) printf("%099d\\n", i);'
FLOOD_NULL_C = ('FILE *devnull = fopen("/dev/null", "w");\n'
                'for (int i = 0; i < 2000000; i++) fprintf(devnull, "%099d\\n", i);\n'
                'fclose(devnull);')
TARGETS = {  # from the cell-engine issue: chalk / reference must be at most
    "trivial_ratio": 1.0, "gsl_ratio": 3.0, "start_ratio": 0.15,
    "memory_ratio": 0.2, "growth_ratio": 1.2, "flood_ratio": 2.0,
    "xeus_trivial_ratio": 1.0,   # issue 14, point 3
    "xeus_b2b_ratio": 1.0,       # the same, cells back to back
    "floor_excess_ratio": 1.15,  # issue 14, point 4: chalk's tree / bench_floor
}


class KernelError(RuntimeError):
    pass


def p50(xs):
    return statistics.median(xs) if xs else float("nan")


def proc_tree_rss(pid):
    """(RSS, PSS, processes, union): resident memory of pid and all its descendants.

    RSS counts every shared page (libc, libgsl, OpenBLAS, the pages a
    forked executor still shares with the kernel) once per process, so a
    tree of processes looks bigger than the memory it takes; PSS divides each
    shared page among the processes that map it, and its sum is the memory
    the tree really holds.  All three are reported (see tree_resident_pages);
    the target is judged on the union of resident pages."""
    total, pss, seen = 0, 0, proctree.descendants(pid)
    for p in seen:
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
    return total, pss, len(seen), tree_resident_pages(seen)


def tree_resident_pages(pids):
    """Bytes of distinct physical pages resident in any process of the tree.

    Summing RSS counts a page once per process that maps it, so a kernel that
    forks its executor looks twice its size; PSS divides shared pages among
    every process on the machine that maps them, so it depends on what else
    runs (the benchmark's own Python shares ipykernel's libpython).  The
    union of the page frames the tree maps is the memory it actually keeps
    resident.  Needs root to see frame numbers (else None)."""
    frames = set()
    for pid in pids:
        try:
            with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/pagemap" % pid, "rb") as pm:
                for line in maps:
                    lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
                    pm.seek(lo // 4096 * 8)
                    data = pm.read((hi - lo) // 4096 * 8)
                    for i in range(0, len(data), 8):
                        entry = int.from_bytes(data[i:i + 8], "little")
                        if entry >> 63:                       # present
                            pfn = entry & ((1 << 55) - 1)
                            if pfn == 0:
                                return None                   # frame numbers hidden
                            frames.add(pfn)
        except OSError:
            continue
    return len(frames) * 4096


class Kernel:
    """One kernel session driven the way a front end drives it."""

    def __init__(self, name, cwd, quiet=False):
        from jupyter_client import KernelManager
        self.name = name
        self.km = KernelManager(kernel_name=name)
        t0 = time.perf_counter()
        # quiet: the xeus-python wheel prints a line per request on stdout
        kw = {"stdout": subprocess.DEVNULL} if quiet else {}
        self.km.start_kernel(cwd=cwd, **kw)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.allow_stdin = False
        deadline = time.monotonic() + 120
        msg_id = self.kc.kernel_info()
        while True:
            try:
                m = self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if not self.km.is_alive():
                    raise KernelError("%s died during start" % name)
                if time.monotonic() > deadline:
                    raise KernelError("%s: no kernel_info_reply in 120 s" % name)
                msg_id = self.kc.kernel_info()
                continue
            if m["msg_type"] == "kernel_info_reply":
                break
        self.start_seconds = time.perf_counter() - t0
        self.kernel_info = m["content"]
        self._drain_iopub()

    def _drain_iopub(self):
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                return

    def pid(self):
        prov = getattr(self.km, "provisioner", None)
        proc = getattr(prov, "process", None) if prov else None
        if proc is None:
            proc = getattr(self.km, "kernel", None)
        return proc.pid

    def run(self, code):
        """Seconds from execute_request to (execute_reply and status idle), and the reply."""
        t0 = time.perf_counter()
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False)
        outputs = []
        # iopub until our idle, then the shell reply (already queued if it
        # came first): the clock stops when both have arrived.
        while True:
            try:
                m = self.kc.get_iopub_msg(timeout=300)
            except queue.Empty:
                raise KernelError("%s: no status idle in 300 s" % self.name)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
            if m["msg_type"] in ("stream", "error", "execute_result"):
                outputs.append(m)
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=300)
            except queue.Empty:
                raise KernelError("%s: no execute_reply in 300 s" % self.name)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        dt = time.perf_counter() - t0
        if reply["content"].get("status") != "ok":
            c = reply["content"]
            raise KernelError("%s: cell failed: %s: %s\n%s" % (
                self.name, c.get("ename"), c.get("evalue"), code))
        return dt, outputs

    def close(self):
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=False)


def time_cells(k, code, n, warmup=5):
    for _ in range(warmup):
        k.run(code)
    return [k.run(code)[0] for _ in range(n)]


def bench_start(name, n, cwd):
    ts = []
    for _ in range(n):
        k = Kernel(name, cwd)
        ts.append(k.start_seconds)
        k.close()
    return ts


def bench_memory(k, lang):
    for i in range(10):
        if lang == "c":
            k.run('int mem_%d = %d;\nprintf("%%d\\n", mem_%d);' % (i, i, i))
        else:
            k.run('mem_%d = %d\nprint(mem_%d)' % (i, i, i))
    time.sleep(0.2)
    return proc_tree_rss(k.pid())


def bench_many(k, lang, n):
    ts = []
    for i in range(n):
        if lang == "c":
            code = 'int many_%d = %d;\nprintf("%%d\\n", many_%d);' % (i, i, i)
        else:
            code = 'many_%d = %d\nprint(many_%d)' % (i, i, i)
        ts.append(k.run(code)[0])
    return ts


def bench_flood(k, reps):
    """p50 seconds of the 200 MB cell and of the same program into /dev/null."""
    k.run(FLOOD_NULL_C)
    null = [k.run(FLOOD_NULL_C)[0] for _ in range(reps)]
    flood = []
    for _ in range(reps):
        dt, outs = k.run(FLOOD_C)
        text = "".join(m["content"].get("text", "") for m in outs if m["msg_type"] == "stream")
        if "of output dropped" not in text:
            raise KernelError("flood: no truncation note")
        flood.append(dt)
    return p50(flood), p50(null)


def bench_editor(name, cwd, reps):
    """First inspect in a fresh kernel (catalog build), then p50s."""
    k = Kernel(name, cwd)
    try:
        def ask(kind, code, channel="shell"):
            t0 = time.perf_counter()
            if kind == "inspect":
                content = {"code": code, "cursor_pos": len(code), "detail_level": 0}
            else:
                content = {"code": code, "cursor_pos": len(code)}
            msg = k.kc.session.msg(kind + "_request", content)
            ch = k.kc.shell_channel if channel == "shell" else k.kc.control_channel
            ch.send(msg)
            get = k.kc.get_shell_msg if channel == "shell" else k.kc.control_channel.get_msg
            while True:
                m = get(timeout=60)
                if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                    break
            if kind == "inspect" and not m["content"].get("found"):
                raise KernelError("editor: %s not found" % code)
            return time.perf_counter() - t0
        first = ask("inspect", "gsl_integration_qags(")
        names = ["gsl_linalg_SV_decomp(", "gsl_poly_solve_quadratic(", "gsl_sf_bessel_J0("]
        inspect = [ask("inspect", names[i % 3]) for i in range(reps)]
        complete = [ask("complete", "gsl_linalg_SV_d") for _ in range(reps)]
        busy_msg = k.kc.execute("#include <unistd.h>\nsleep(%d);" % max(2, reps // 50 + 1))
        while_busy = [ask("inspect", names[i % 3], channel="control") for i in range(reps)]
        while True:
            m = k.kc.get_shell_msg(timeout=300)
            if m["parent_header"].get("msg_id") == busy_msg:
                break
        return {"first_inspect_s": first, "inspect_p50": p50(inspect), "complete_p50": p50(complete),
                "inspect_busy_p50": p50(while_busy)}
    finally:
        k.close()


def tree_fds(pid):
    """Open descriptors of pid and its descendants."""
    n = 0
    for p in proctree.descendants(pid):
        try:
            n += len(os.listdir("/proc/%d/fd" % p))
        except OSError:
            pass
    return n


def bench_soak(name, cwd, ncells):
    import threading
    import zmq
    k = Kernel(name, cwd)
    out = {"cells": ncells}
    try:
        ts = []
        for i in range(ncells):
            # Output and a call, nothing defined: what the session keeps grows
            # only with what cells define (`many` measures that).
            ts.append(k.run('printf("cell %%d: %%.3f\\n", %d, sqrt(%d.0));' % (i, i))[0])
            if i + 1 == min(1000, ncells):
                time.sleep(0.2)
                out["rss_warm"] = proc_tree_rss(k.pid())[0]
                out["fds_warm"] = tree_fds(k.pid())
        time.sleep(0.2)
        out["rss_end"] = proc_tree_rss(k.pid())[0]
        out["fds_end"] = tree_fds(k.pid())
        out["first1000_p50"], out["last1000_p50"] = p50(ts[:1000]), p50(ts[-1000:])

        info = k.km.get_connection_info()
        stop = threading.Event()
        gaps = []

        def heartbeat():
            ctx = zmq.Context.instance()
            s = ctx.socket(zmq.REQ)
            s.setsockopt(zmq.LINGER, 0)
            s.connect("%s://%s:%d" % (info["transport"], info["ip"], info["hb_port"]))
            last = time.perf_counter()
            while not stop.is_set():
                s.send(b"ping")
                if s.poll(5000):
                    s.recv()
                    now = time.perf_counter()
                    gaps.append(now - last)
                    last = now
                else:
                    gaps.append(float("inf"))
                    break
                time.sleep(0.05)
            s.close()

        answered, asked = [0], [0]
        lock = threading.Lock()

        def client():
            # A session of its own: jupyter_client names a client's sockets
            # after its session, and a second socket of the same name is
            # refused by the kernel's ROUTER (ZeroMQ's rule).
            from jupyter_client.session import Session
            c = k.km.client(session=Session(key=k.km.session.key,
                                            signature_scheme=k.km.session.signature_scheme))
            c.start_channels()
            try:
                for j in range(25):
                    for kind, content in (("kernel_info", {}), ("complete", {"code": "gsl_linalg_SV", "cursor_pos": 13}),
                                          ("inspect", {"code": "gsl_poly_eval(", "cursor_pos": 14, "detail_level": 0}),
                                          ("is_complete", {"code": "for (;;) {"})):
                        msg = c.session.msg(kind + "_request", content)
                        c.control_channel.send(msg)
                        with lock:
                            asked[0] += 1
                        while True:
                            m = c.control_channel.get_msg(timeout=30)
                            if m["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                                break
                        with lock:
                            answered[0] += 1
            finally:
                c.stop_channels()

        hb = threading.Thread(target=heartbeat)
        hb.start()
        busy = k.kc.execute("#include <unistd.h>\nsleep(5);")
        t0 = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out["load_seconds"] = time.perf_counter() - t0
        while True:
            m = k.kc.get_shell_msg(timeout=300)
            if m["parent_header"].get("msg_id") == busy:
                break
        stop.set()
        hb.join()
        out["asked"], out["answered"] = asked[0], answered[0]
        out["hb_max_gap_s"] = max(gaps) if gaps else None
        out["hb_pings"] = len(gaps)
    finally:
        k.close()
    return out


# ---- linear algebra: libchalk (bench_linalg) vs NumPy ------------------------
OPS = ("svd", "eigh", "matmul")


def parse_linalg(text):
    text = text.strip()
    out = {}
    try:
        obj = json.loads(text)
        if isinstance(obj, dict):
            items = obj.items()
            for k, v in items:
                if isinstance(v, dict):
                    v = v.get("seconds", v.get("median", v.get("p50")))
                if isinstance(v, (int, float)):
                    out[k] = float(v)
            return _canon(out)
    except ValueError:
        pass
    unit = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    for line in text.splitlines():
        m = re.match(r"\s*([A-Za-z_][\w.-]*)\s*[:=]?\s+([0-9.]+(?:[eE][-+]?\d+)?)\s*(s|ms|us|µs|ns)?\b", line)
        if m:
            out[m.group(1)] = float(m.group(2)) * unit[m.group(3) or "s"]
    return _canon(out)


def _canon(raw):
    res = {}
    for k, v in raw.items():
        lk = k.lower()
        for op, keys in (("svd", ("svd",)), ("eigh", ("eigh", "eigen", "symmv", "eig")),
                         ("matmul", ("matmul", "gemm", "mul"))):
            if op not in res and any(x in lk for x in keys):
                res[op] = v
                break
    return res


def numpy_linalg(n, reps):
    import numpy as np
    rng = np.random.default_rng(1)
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, n))
    s = a + a.T
    fns = {"svd": lambda: np.linalg.svd(a), "eigh": lambda: np.linalg.eigh(s),
           "matmul": lambda: a @ b}
    out = {}
    for op, fn in fns.items():
        fn()
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
        out[op] = p50(ts)
    return out


def find_bench_program(builddir, name):
    p = os.path.join(builddir, "tests", "bench", name)
    return p if os.path.isfile(p) and os.access(p, os.X_OK) else None


def floor_memory(prog):
    """Resident pages of bench_floor: a program that only binds a kernel's
    five sockets and signs one message with chalk's libraries (see
    bench_floor.c), i.e. the least any kernel built on them keeps."""
    p = subprocess.Popen([prog], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        if not p.stdout.readline().startswith("ready"):
            raise RuntimeError("bench_floor did not start")
        time.sleep(0.2)
        return tree_resident_pages([p.pid])
    finally:
        p.stdin.close()
        p.wait()


def fmt_s(x):
    if x != x:
        return "-"
    if x >= 1:
        return "%.2f s" % x
    if x >= 1e-3:
        return "%.2f ms" % (x * 1e3)
    return "%.1f us" % (x * 1e6)


def fmt_ratio(r, target=None):
    if r is None or r != r:
        return "-"
    s = "%.3fx" % r
    if target is not None:
        s += "  (target <= %gx: %s)" % (target, "met" if r <= target else "NOT met")
    return s


GRADE_TARGET = 10.0  # issue 15: chalk-grade / nbgrader autograde submissions per minute, at least


def children_cpu():
    """CPU seconds (user + system) of this process's reaped descendants: the whole tree of a
    grading run (kernels, executors, cells), which a loaded machine stretches less than wall
    time."""
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _as_student(nb, student):
    """nb with a comment naming the student at the end of each solution cell: a class's
    submissions share the instructor's text but not the students' own, so no grader may
    reuse the work of one student's cells (highlighting, say) for the next one's, as it
    could if all 200 were the same file.  Both graders get the same files."""
    nb = json.loads(json.dumps(nb))
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("solution"):
            tail = "\n/* %s */\n" % student
            if isinstance(c["source"], list):
                c["source"] = c["source"][:-1] + [c["source"][-1] + tail] if c["source"] else [tail]
            else:
                c["source"] += tail
    return nb


def bench_grade(a, cwd):
    """chalk-grade vs nbgrader autograde on the same course (see the module docstring)."""
    import shutil
    root = os.path.join(cwd, "grade")
    shutil.rmtree(root, ignore_errors=True)
    srcdir = os.environ.get("CHALK_SRCDIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    course = os.path.join(root, "course")
    src = os.path.join(course, "source", "ps1")
    os.makedirs(src)
    shutil.copy(os.path.join(srcdir, "share", "nbgrader_config.py"), course)
    stem = a.grade_notebook
    subprocess.run([sys.executable, os.path.join(srcdir, "exercises", "notebooks", "mknotebook.py"),
                    os.path.join(srcdir, "exercises", "notebooks", stem + ".md"), "-o", src], check=True)
    bindir = os.path.dirname(sys.executable)
    nbgrader = os.path.join(bindir, "nbgrader")
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    # nbgrader's kernels get the one BLAS thread chalk-grade gives its own by default: the
    # same kernels in the same environment (OpenBLAS's idle threads cost nbgrader about
    # 0.02 s of a submission here).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        env.setdefault(var, "1")
    with open(os.path.join(src, stem + ".ipynb"), encoding="utf-8") as f:
        source = json.load(f)
    have_nbgrader = os.path.exists(nbgrader)
    if have_nbgrader:
        subprocess.run([nbgrader, "generate_assignment", "ps1", "--force"], cwd=course, env=env,
                       check=True, capture_output=True)
        with open(os.path.join(course, "release", "ps1", stem + ".ipynb"), encoding="utf-8") as f:
            released = json.load(f)
        fill = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in source["cells"]
                if c["metadata"].get("nbgrader", {}).get("solution")}
        for c in released["cells"]:
            if c["metadata"].get("nbgrader", {}).get("solution"):
                c["source"] = fill[c["metadata"]["nbgrader"]["grade_id"]]
    else:
        released = source
    n_chalk = a.grade_n
    n_nbg = a.nbgrader_n if a.nbgrader_n is not None else a.grade_n
    flat = os.path.join(root, "submissions")
    for k in range(max(n_chalk, n_nbg)):
        student = "s%04d" % k
        text = json.dumps(_as_student(released, student))
        if k < n_chalk:
            os.makedirs(os.path.join(flat, student))
            with open(os.path.join(flat, student, stem + ".ipynb"), "w", encoding="utf-8") as f:
                f.write(text)
        if have_nbgrader and k < n_nbg:
            d = os.path.join(course, "submitted", student, "ps1")
            os.makedirs(d)
            with open(os.path.join(d, stem + ".ipynb"), "w", encoding="utf-8") as f:
                f.write(text)
    out = {"notebook": stem, "chalk_n": n_chalk, "workers": a.grade_workers or "its default"}
    grader = os.path.join(a.builddir, "share", "classroom", "chalk-grade")
    cmd = [grader] if os.access(grader, os.X_OK) else \
        [sys.executable, os.path.join(srcdir, "share", "classroom", "chalk-grade.py")]
    print("grading: chalk-grade on %d submissions of %s ..." % (n_chalk, stem), flush=True)
    t, cpu = time.monotonic(), children_cpu()
    workers = ["--workers", str(a.grade_workers)] if a.grade_workers else []
    r = subprocess.run(cmd + [flat, "--out", os.path.join(root, "out"), "--source", src] + workers,
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    out["chalk_s"] = time.monotonic() - t
    out["chalk_cpu_per_nb"] = (children_cpu() - cpu) / max(1, n_chalk)
    if r.returncode != 0:
        raise KernelError("chalk-grade failed:\n" + r.stderr[-2000:])
    m = re.search(r"notebooks on (\d+) processes", r.stdout)
    if m:  # the processes its jobs ran in: --workers, or its default
        out["workers"] = int(m.group(1))
    with open(os.path.join(root, "out", "grades.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    full = sum(1 for x in rows if x["points"] == x["max_points"])
    if full != len(rows):
        out["note"] = "chalk-grade: %d of %d checks at full marks (expected all)" % (full, len(rows))
    out["chalk_per_min"] = 60.0 * n_chalk / out["chalk_s"]
    if have_nbgrader and n_nbg > 0:
        out["nbgrader_n"] = n_nbg
        print("grading: nbgrader autograde on %d submissions ..." % n_nbg, flush=True)
        t, cpu = time.monotonic(), children_cpu()
        subprocess.run([nbgrader, "autograde", "ps1", "--force", "--Execute.timeout=120"], cwd=course,
                       env=env, check=True, capture_output=True, stdin=subprocess.DEVNULL)
        out["nbgrader_s"] = time.monotonic() - t
        out["nbgrader_cpu_per_nb"] = (children_cpu() - cpu) / n_nbg
        out["nbgrader_per_min"] = 60.0 * n_nbg / out["nbgrader_s"]
        out["ratio"] = out["chalk_per_min"] / out["nbgrader_per_min"]
        calls = min(a.nbgrader_calls, n_nbg)
        if calls > 0:
            print("grading: %d one-student nbgrader autograde calls ..." % calls, flush=True)
            t = time.monotonic()
            for k in range(calls):
                subprocess.run([nbgrader, "autograde", "ps1", "--force", "--student", "s%04d" % k,
                                "--Execute.timeout=120"], cwd=course, env=env, check=True,
                               capture_output=True, stdin=subprocess.DEVNULL)
            out["nbgrader_call_s"] = (time.monotonic() - t) / calls
            out["nbgrader_call_per_min"] = 60.0 / out["nbgrader_call_s"]
            out["ratio_per_call"] = out["chalk_per_min"] / out["nbgrader_call_per_min"]
    elif not have_nbgrader:
        out["note"] = "nbgrader not installed: no comparison"
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--builddir", default=os.environ.get("CHALK_BUILDDIR", os.getcwd()))
    ap.add_argument("--json", default=None, help="write the numbers here")
    ap.add_argument("--chalk-kernel", default="chalk")
    ap.add_argument("--python-kernel", default="python3")
    ap.add_argument("--xeus-kernel", default="xpython-raw",
                    help="kernelspec of xeus-python (the second trivial-cell reference)")
    ap.add_argument("--reps", type=int, default=200, help="repetitions of the trivial cell")
    ap.add_argument("--gsl-reps", type=int, default=100)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads for bench_linalg and NumPy")
    ap.add_argument("--grade-n", type=int, default=200, help="submissions chalk-grade grades (grading)")
    ap.add_argument("--nbgrader-n", type=int, default=None, help="submissions nbgrader grades (default --grade-n)")
    ap.add_argument("--grade-notebook", default="02-softmax-gradient")
    ap.add_argument("--grade-workers", type=int, default=None,
                    help="chalk-grade --workers (default: chalk-grade's own default)")
    ap.add_argument("--nbgrader-calls", type=int, default=3,
                    help="also time this many one-student `nbgrader autograde --student` calls")
    ap.add_argument("--flood-reps", type=int, default=3)
    ap.add_argument("--soak-cells", type=int, default=10000)
    ap.add_argument("--editor-reps", type=int, default=50)
    ap.add_argument("--only", default="",
                    help="comma list: trivial,gsl,start,memory,many,flood,editor,soak,linalg,grade,cc,python")
    a = ap.parse_args()
    for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = str(a.threads)
    only = set(filter(None, a.only.split(",")))
    want = lambda part: not only or part in only
    cwd = os.path.join(a.builddir, "tests", "bench")
    os.makedirs(cwd, exist_ok=True)

    res = {"machine": {"platform": platform.platform(), "python": sys.version.split()[0],
                       "cpus": os.cpu_count()},
           "chalk": {}, "ipykernel": {}, "xeus": {}, "ratios": {}, "targets": TARGETS, "errors": []}
    C, P, R, X = res["chalk"], res["ipykernel"], res["ratios"], res["xeus"]
    skip_chalk = only == {"python"}

    def attempt(label, fn):
        try:
            return fn()
        except Exception as e:  # a broken kernel must not hide the other numbers
            msg = "%s: %s: %s" % (label, type(e).__name__, e)
            res["errors"].append(msg)
            print("  !! " + msg, file=sys.stderr, flush=True)
            return None

    print("chalk bench (medians; ratio = chalk / reference)", flush=True)

    # ipykernel reference session
    py = None if only == {"cc"} else attempt("ipykernel start", lambda: Kernel(a.python_kernel, cwd))
    if py:
        P["trivial_p50"] = p50(attempt("ipykernel trivial", lambda: time_cells(py, TRIVIAL_PY, a.reps)) or [])
        if want("memory"):
            r = attempt("ipykernel memory", lambda: bench_memory(py, "py"))
            if r:
                P["rss_bytes"], P["pss_bytes"], P["rss_processes"], P["resident_bytes"] = r
        if want("many"):
            ts = attempt("ipykernel many", lambda: bench_many(py, "py", a.cells))
            if ts:
                P["many_first100_p50"], P["many_last100_p50"] = p50(ts[:100]), p50(ts[-100:])
        py.close()
    if want("start"):
        ts = attempt("ipykernel starts", lambda: bench_start(a.python_kernel, a.starts, cwd))
        if ts:
            P["start_p50"] = p50(ts)

    # xeus-python reference session (trivial cell only), interleaved cell by
    # cell with a chalk session of its own: the two are close, and on a
    # shared machine the load moves more between two sequential runs than
    # that.  Which of the two goes first is drawn each round: after its reply
    # a chalk kernel still forks the next cell's process (about 2 ms of CPU),
    # which in a fixed order always fell on xeus-python's next cell.
    if want("trivial") and not skip_chalk:
        from jupyter_client.kernelspec import KernelSpecManager
        if a.xeus_kernel in KernelSpecManager().find_kernel_specs():
            xk = attempt("xeus-python start", lambda: Kernel(a.xeus_kernel, cwd, quiet=True))
            ck2 = xk and attempt("chalk start", lambda: Kernel(a.chalk_kernel, cwd))
            if xk and ck2:
                def interleaved():
                    xs, cs = [], []
                    for k, code in ((xk, TRIVIAL_PY), (ck2, TRIVIAL_C)):
                        for _ in range(5):
                            k.run(code)
                    order = random.Random(14)
                    for _ in range(a.reps):
                        pair = [(xs, xk, TRIVIAL_PY), (cs, ck2, TRIVIAL_C)]
                        order.shuffle(pair)
                        for out, k, code in pair:
                            out.append(k.run(code)[0])
                    return xs, cs
                r = attempt("xeus-python trivial", interleaved)
                if r:
                    X["kernel"] = a.xeus_kernel
                    X["trivial_p50"], C["trivial_vs_xeus_p50"] = p50(r[0]), p50(r[1])

                # Back to back, as a notebook runs top to bottom: each kernel's
                # cells one right after the other, so that the work a chalk
                # kernel does after a reply falls on its own next cell.  Blocks
                # in the order chalk, xeus, xeus, chalk, so that a drift of the
                # load falls on both alike.
                def back_to_back():
                    xs, cs = [], []
                    for out, k, code in ((cs, ck2, TRIVIAL_C), (xs, xk, TRIVIAL_PY),
                                         (xs, xk, TRIVIAL_PY), (cs, ck2, TRIVIAL_C)):
                        out += time_cells(k, code, a.reps // 2)
                    return xs, cs
                r = attempt("xeus-python back to back", back_to_back)
                if r:
                    X["trivial_b2b_p50"], C["trivial_b2b_vs_xeus_p50"] = p50(r[0]), p50(r[1])
            for k in (xk, ck2):
                if k:
                    k.close()
        else:
            X["note"] = "kernelspec %s not installed (pip install xeus-python, share/requirements.txt)" % a.xeus_kernel

    # chalk
    ck = None if skip_chalk or only == {"cc"} else attempt("chalk start", lambda: Kernel(a.chalk_kernel, cwd))
    if ck:
        C["language_info"] = ck.kernel_info.get("language_info", {}).get("name")
        if want("trivial"):
            ts = attempt("chalk trivial", lambda: time_cells(ck, TRIVIAL_C, a.reps))
            if ts:
                C["trivial_p50"] = p50(ts)
        if want("gsl"):
            ts = attempt("chalk gsl", lambda: time_cells(ck, GSL_C, a.gsl_reps))
            if ts:
                C["gsl_svd_p50"] = p50(ts)
        ck.close()
    if ck and want("memory"):
        k2 = attempt("chalk start", lambda: Kernel(a.chalk_kernel, cwd))
        if k2:
            r = attempt("chalk memory", lambda: bench_memory(k2, "c"))
            if r:
                C["rss_bytes"], C["pss_bytes"], C["rss_processes"], C["resident_bytes"] = r
            k2.close()
    floor = find_bench_program(a.builddir, "bench_floor")
    if ck and want("memory") and floor:
        C["floor_resident_bytes"] = attempt("bench_floor", lambda: floor_memory(floor))
    if ck and want("many"):
        k3 = attempt("chalk start", lambda: Kernel(a.chalk_kernel, cwd))
        if k3:
            ts = attempt("chalk many", lambda: bench_many(k3, "c", a.cells))
            if ts:
                C["many_first100_p50"], C["many_last100_p50"] = p50(ts[:100]), p50(ts[-100:])
                C["many_cells"] = len(ts)
            k3.close()
    if ck and want("flood"):
        k4 = attempt("chalk start", lambda: Kernel(a.chalk_kernel, cwd))
        if k4:
            r = attempt("chalk flood", lambda: bench_flood(k4, a.flood_reps))
            if r:
                C["flood_p50"], C["flood_devnull_p50"] = r
            k4.close()
    if ck and want("soak"):
        C["soak"] = attempt("chalk soak", lambda: bench_soak(a.chalk_kernel, cwd, a.soak_cells))
    if ck and want("editor"):
        C["editor"] = attempt("chalk editor help", lambda: bench_editor(a.chalk_kernel, cwd, a.editor_reps))
    if not skip_chalk and want("start"):
        ts = attempt("chalk starts", lambda: bench_start(a.chalk_kernel, a.starts, cwd))
        if ts:
            C["start_p50"] = p50(ts)

    def ratio(x, y):
        return x / y if (x is not None and y) else None
    R["trivial_ratio"] = ratio(C.get("trivial_p50"), P.get("trivial_p50"))
    R["xeus_trivial_ratio"] = ratio(C.get("trivial_vs_xeus_p50"), X.get("trivial_p50"))
    R["xeus_b2b_ratio"] = ratio(C.get("trivial_b2b_vs_xeus_p50"), X.get("trivial_b2b_p50"))
    R["gsl_ratio"] = ratio(C.get("gsl_svd_p50"), P.get("trivial_p50"))
    R["start_ratio"] = ratio(C.get("start_p50"), P.get("start_p50"))
    R["memory_ratio"] = ratio(C.get("resident_bytes"), P.get("resident_bytes"))
    R["floor_ratio"] = ratio(C.get("floor_resident_bytes"), P.get("resident_bytes"))
    R["floor_excess_ratio"] = ratio(C.get("resident_bytes"), C.get("floor_resident_bytes"))
    R["pss_ratio"] = ratio(C.get("pss_bytes"), P.get("pss_bytes"))
    R["rss_ratio"] = ratio(C.get("rss_bytes"), P.get("rss_bytes"))
    R["growth_ratio"] = ratio(C.get("many_last100_p50"), C.get("many_first100_p50"))
    R["ipykernel_growth_ratio"] = ratio(P.get("many_last100_p50"), P.get("many_first100_p50"))
    R["flood_ratio"] = ratio(C.get("flood_p50"), C.get("flood_devnull_p50"))

    # linear algebra
    lin = res["linalg"] = {}
    if want("linalg"):
        prog = find_bench_program(a.builddir, "bench_linalg")
        lin["numpy"] = attempt("numpy linalg", lambda: numpy_linalg(256, 20)) or {}
        if prog:
            def run_prog():
                out = subprocess.run([prog], capture_output=True, text=True, check=True,
                                     stdin=subprocess.DEVNULL).stdout
                got = parse_linalg(out)
                if not got:
                    raise ValueError("could not parse bench_linalg output:\n" + out[:500])
                return got
            lin["chalk"] = attempt("bench_linalg", run_prog) or {}
            lin["ratios"] = {op: ratio(lin["chalk"].get(op), lin["numpy"].get(op)) for op in OPS}
        else:
            lin["note"] = "tests/bench/bench_linalg not built"

    grade = res["grade"] = {}
    if want("grade") and not skip_chalk:
        grade.update(attempt("grading", lambda: bench_grade(a, cwd)) or {})

    # heavy cells: tcc, %%cc, gcc -O2 (bench_cc.py)
    if want("cc") and not skip_chalk:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import bench_cc
        res["cc"] = attempt("chalk %%cc", lambda: bench_cc.bench_cc(Kernel, a.chalk_kernel, cwd)) or {}

    # table
    rows = [
        ("trivial cell p50", C.get("trivial_p50"), P.get("trivial_p50"), R["trivial_ratio"], "trivial_ratio",
         'printf("hello\\n"); vs print("hello")'),
        ("GSL 3x3 SVD cell p50", C.get("gsl_svd_p50"), P.get("trivial_p50"), R["gsl_ratio"], "gsl_ratio",
         'vs ipykernel print("hello")'),
        ("start -> kernel_info_reply", C.get("start_p50"), P.get("start_p50"), R["start_ratio"], "start_ratio",
         "p50 of %d starts" % a.starts),
    ]
    print()
    print("%-28s %12s %12s  %s" % ("", "chalk", "ipykernel", "ratio"))
    for label, c, p, r, key, note in rows:
        print("%-28s %12s %12s  %s   %s" % (label, fmt_s(c) if c is not None else "-",
                                           fmt_s(p) if p is not None else "-", fmt_ratio(r, TARGETS[key]), note))
        if key == "trivial_ratio" and (X.get("trivial_p50") or X.get("note")):
            x, cx = X.get("trivial_p50"), C.get("trivial_vs_xeus_p50")
            print("%-28s %12s %12s  %s   %s" % ("  vs xeus-python", fmt_s(cx) if cx is not None else "-",
                                               fmt_s(x) if x else "-",
                                               fmt_ratio(R["xeus_trivial_ratio"], TARGETS["xeus_trivial_ratio"]),
                                               'xeus-python (%s) print("hello"), cell by cell in random order' % X.get("kernel", "-")
                                               if x else X["note"]))
            if X.get("trivial_b2b_p50"):
                print("%-28s %12s %12s  %s   %s" % ("  vs xeus-python, in a row",
                                                   fmt_s(C.get("trivial_b2b_vs_xeus_p50")),
                                                   fmt_s(X["trivial_b2b_p50"]),
                                                   fmt_ratio(R["xeus_b2b_ratio"], TARGETS["xeus_b2b_ratio"]),
                                                   "each kernel's cells one right after the other"))
    mb = lambda x: "%.1f MB" % (x / 1e6) if x else "-"
    print("%-28s %12s %12s  %s   %s" % ("resident after 10 cells", mb(C.get("resident_bytes")),
                                       mb(P.get("resident_bytes")),
                                       fmt_ratio(R["memory_ratio"], TARGETS["memory_ratio"]),
                                       "distinct pages the process tree keeps resident"))
    print("%-28s %12s %12s  %s   %s" % ("  floor: sockets + HMAC only", mb(C.get("floor_resident_bytes")),
                                       mb(P.get("resident_bytes")), fmt_ratio(R["floor_ratio"]),
                                       "bench_floor: no cell engine, same libraries"))
    print("%-28s %12s %12s  %s   %s" % ("  chalk / floor", mb(C.get("resident_bytes")),
                                       mb(C.get("floor_resident_bytes")),
                                       fmt_ratio(R["floor_excess_ratio"], TARGETS["floor_excess_ratio"]),
                                       "the process tree against bench_floor (second column)"))
    print("%-28s %12s %12s  %s   %s" % ("PSS after 10 cells", mb(C.get("pss_bytes")), mb(P.get("pss_bytes")),
                                       fmt_ratio(R["pss_ratio"]),
                                       "shared pages divided among all processes mapping them"))
    print("%-28s %12s %12s  %s   %s" % ("RSS after 10 cells", mb(C.get("rss_bytes")), mb(P.get("rss_bytes")),
                                       fmt_ratio(R["rss_ratio"]),
                                       "process tree: chalk %s, ipykernel %s processes" % (
                                           C.get("rss_processes", "-"), P.get("rss_processes", "-"))))
    if C.get("many_first100_p50") is not None or P.get("many_first100_p50") is not None:
        print("%-28s %12s %12s  %s   %s" % ("%d cells: first 100 p50" % a.cells,
                                           fmt_s(C["many_first100_p50"]) if "many_first100_p50" in C else "-",
                                           fmt_s(P["many_first100_p50"]) if "many_first100_p50" in P else "-", "", ""))
        print("%-28s %12s %12s  %s   %s" % ("%d cells: last 100 p50" % a.cells,
                                           fmt_s(C["many_last100_p50"]) if "many_last100_p50" in C else "-",
                                           fmt_s(P["many_last100_p50"]) if "many_last100_p50" in P else "-",
                                           fmt_ratio(R["growth_ratio"], TARGETS["growth_ratio"]),
                                           "last / first hundred (chalk); ipykernel %s" % fmt_ratio(R["ipykernel_growth_ratio"])))
    if C.get("flood_p50") is not None:
        print("%-28s %12s %12s  %s   %s" % ("200 MB flood (4 MiB cap)", fmt_s(C["flood_p50"]),
                                           fmt_s(C["flood_devnull_p50"]),
                                           fmt_ratio(R["flood_ratio"], TARGETS["flood_ratio"]),
                                           "vs the same cell into /dev/null (reference column)"))
    ed = C.get("editor")
    if ed:
        print("%-28s %12s %12s  %s   %s" % ("first inspect, fresh kernel", fmt_s(ed["first_inspect_s"]), "", "",
                                           "builds the catalog of every installed header"))
        for label, key in (("inspect, not included", "inspect_p50"), ("complete, not included", "complete_p50"),
                           ("inspect while a cell runs", "inspect_busy_p50")):
            print("%-28s %12s %12s  %s   %s" % (label, fmt_s(ed[key]), "", "", "p50 of %d" % a.editor_reps))
    so = C.get("soak")
    if so:
        print("%-28s %12s %12s  %s   %s" % ("soak: resident, 1,000 / end", mb(so["rss_warm"]), mb(so["rss_end"]),
                                           fmt_ratio(ratio(so["rss_end"], so["rss_warm"])),
                                           "%d cells with output, one session (target <= 1.1)" % so["cells"]))
        print("%-28s %12s %12s  %s" % ("soak: descriptors", so["fds_warm"], so["fds_end"], ""))
        print("%-28s %12s %12s  %s   %s" % ("soak: p50 first / last 1,000", fmt_s(so["first1000_p50"]),
                                           fmt_s(so["last1000_p50"]),
                                           fmt_ratio(ratio(so["last1000_p50"], so["first1000_p50"])), "target <= 1.1"))
        print("%-28s %12s %12s  %s   %s" % ("load: answered / asked", so["answered"], so["asked"], "",
                                           "4 clients on control during a 5 s cell"))
        print("%-28s %12s %12s  %s   %s" % ("load: longest heartbeat gap", fmt_s(so["hb_max_gap_s"]), "", "",
                                           "%d pings every 50 ms (target < 1 s)" % so["hb_pings"]))
    if lin:
        print()
        print("%-28s %12s %12s  %s   (%d BLAS thread%s)" % ("256x256 linear algebra", "libchalk", "NumPy", "ratio",
                                                       a.threads, "" if a.threads == 1 else "s"))
        for op in OPS:
            c = lin.get("chalk", {}).get(op)
            p = lin.get("numpy", {}).get(op)
            print("%-28s %12s %12s  %s" % ("  " + op, fmt_s(c) if c is not None else "-",
                                           fmt_s(p) if p is not None else "-",
                                           fmt_ratio(lin.get("ratios", {}).get(op))))
        if lin.get("note"):
            print("  (%s)" % lin["note"])
    if grade.get("chalk_per_min"):
        print()
        print("%-28s %12s %12s  %s" % ("grading " + a.grade_notebook[:19], "chalk-grade", "nbgrader", "ratio"))
        print("%-28s %12s %12s" % ("  submissions", grade.get("chalk_n", "-"), grade.get("nbgrader_n", "-")))
        print("%-28s %12s %12s" % ("  wall time", fmt_s(grade["chalk_s"]),
                                   fmt_s(grade["nbgrader_s"]) if grade.get("nbgrader_s") else "-"))
        print("%-28s %12s %12s  %s   %s" % ("  submissions per minute", "%.1f" % grade["chalk_per_min"],
                                           "%.1f" % grade["nbgrader_per_min"] if grade.get("nbgrader_per_min") else "-",
                                           fmt_ratio(grade.get("ratio")) + ("  (target >= %gx: %s)" % (
                                               GRADE_TARGET, "met" if (grade.get("ratio") or 0) >= GRADE_TARGET
                                               else "NOT met") if grade.get("ratio") else ""),
                                           "%d cores, chalk-grade --workers %s" % (os.cpu_count(), grade.get("workers"))))
        if grade.get("chalk_cpu_per_nb"):
            print("%-28s %12s %12s  %s" % ("  CPU per submission", fmt_s(grade["chalk_cpu_per_nb"]),
                                           fmt_s(grade["nbgrader_cpu_per_nb"]) if grade.get("nbgrader_cpu_per_nb")
                                           else "-", "whole process trees, start-up included"))
        if grade.get("nbgrader_call_per_min"):
            print("%-28s %12s %12s  %s   %s" % ("  one autograde per student", "",
                                               "%.1f" % grade["nbgrader_call_per_min"],
                                               fmt_ratio(grade.get("ratio_per_call")),
                                               "nbgrader: %.2f s a call (start-up included)" % grade["nbgrader_call_s"]))
        if grade.get("note"):
            print("  (%s)" % grade["note"])
    if res.get("cc"):
        bench_cc.print_cc(res["cc"], fmt_s, fmt_ratio)
    if res["errors"]:
        print("\nerrors:")
        for e in res["errors"]:
            print("  " + e.splitlines()[0])
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1, default=str)
        print("\nnumbers written to %s" % a.json)
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
