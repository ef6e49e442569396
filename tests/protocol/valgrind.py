#!/usr/bin/env python3
"""valgrind.py — `make valgrind`: the protocol tests against a kernel run
under valgrind's memcheck, and a verdict read from valgrind's own logs.

Writes a kernelspec `chalk` whose argv puts `valgrind` in front of the build
tree's kernel (each kernel process logs to DIR/vg.<pid>.log), runs
the protocol tests (tests/protocol/test_*.py but the two that start the
kernel binary themselves) with JUPYTER_PATH pointing at it, and then
reads every log: the run is clean when each kernel reports "ERROR SUMMARY:
0 errors" (invalid reads and writes, uses of uninitialised values, bad
frees, and leaks that are *definitely* lost: memory still reachable at exit
is the libraries' and ours by design, and "possibly lost" is what ZeroMQ's
and OpenSSL's interior pointers look like).  Only the kernel process is
under valgrind (--trace-children=no): the executor runs cells compiled at
run time, which memcheck follows slowly and reports noisily; the executor
and the cells have ASan and UBSan in .ci/sanitizers instead.

Beware: memcheck makes the kernel 20-50x slower; the tests' waits are
generous (tests/kernelclient.py), and nothing here has a time limit.
Exit status: 0 clean, 1 errors found, a kernel without a summary or a test
failed, 2 no log at all.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys


def main():
    build = os.environ["CHALK_BUILDDIR"]
    src = os.environ["CHALK_SRCDIR"]
    out = os.path.join(build, "tests", "valgrind")
    shutil.rmtree(out, ignore_errors=True)
    spec_dir = os.path.join(out, "kernels", "chalk")
    os.makedirs(spec_dir)
    os.makedirs(os.path.join(out, "runtime"))
    with open(os.path.join(os.environ["JUPYTER_PATH"], "kernels", "chalk", "kernel.json")) as f:
        spec = json.load(f)
    spec["argv"] = ["valgrind", "--error-exitcode=99", "--leak-check=full",
                    "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
                    "--trace-children=no", "--num-callers=30",
                    "--log-file=" + os.path.join(out, "vg.%p.log")] + spec["argv"]
    with open(os.path.join(spec_dir, "kernel.json"), "w") as f:
        json.dump(spec, f, indent=1)
    env = dict(os.environ, JUPYTER_PATH=out, JUPYTER_RUNTIME_DIR=os.path.join(out, "runtime"))
    # test_security and test_install start the kernel binary themselves, not
    # through the kernelspec, so valgrind would not be in front of it.
    here = os.path.join(src, "tests", "protocol")
    tests = sys.argv[1:] or sorted(
        os.path.join(here, t) for t in os.listdir(here)
        if t.startswith("test_") and t.endswith(".py") and t not in ("test_security.py", "test_install.py"))
    rc = subprocess.call([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"] + tests,
                         env=env, cwd=build)
    logs = sorted(glob.glob(os.path.join(out, "vg.*.log")))
    if not logs:
        print("valgrind: no log: no kernel ran under valgrind")
        return 2
    # A kernel's fork before it execs the executor logs too (under
    # --trace-children=no valgrind stops at the exec, with no summary): a
    # log whose parent is a logged kernel is that, not a kernel.
    pids = {re.search(r"vg\.(\d+)\.log$", log).group(1) for log in logs}
    errors = kernels = summaries = 0
    for log in logs:
        text = open(log, errors="replace").read()
        parent = re.search(r"Parent PID: (\d+)", text)
        if parent and parent.group(1) in pids:
            continue
        kernels += 1
        m = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
        if not m:
            print("valgrind: no summary in %s (the kernel was killed before it exited)" % log)
            errors += 1
            continue
        summaries += 1
        if int(m[-1]):
            errors += int(m[-1])
            print("valgrind: %s errors in %s:" % (m[-1], log))
            print("\n".join(text.splitlines()[:60]))
    print("valgrind: %d kernels, %d exited with a summary, %d errors; pytest exit %d"
          % (kernels, summaries, errors, rc))
    return 1 if errors or rc else 0


if __name__ == "__main__":
    sys.exit(main())
