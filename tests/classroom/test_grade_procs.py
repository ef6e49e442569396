"""chalk-grade leaves no process behind.

chalk-grade stops each kernel itself (shutdown_request, a short wait, SIGKILL to the
kernel's process group), not through jupyter_client's polling shutdown.  Submissions: the
reference 02, one whose solution cell forks a child that sleeps for ten minutes, and one
that sleeps past --timeout.  A marker in the environment is inherited by every kernel,
executor and cell process.  Graded one job at a time in this (long-lived) process, no live
process carries the marker after each job: a kernel left running would, since chalk's
kernel exits by itself only when its parent does.  Graded by the command (a process pool),
none after it returns.  The wait for processes to finish dying is generous and bounds only
a hang, not a duration.
"""
import os
import time
import uuid

import cheats
import gradetest as gt
from gradetest import NB02

FORK_SLEEPER = ("    { static int forked; if (!forked++ && fork() == 0) { sleep(600); _exit(0); } }\n")


def _carriers(marker):
    """PIDs of live processes whose environment holds marker."""
    found = []
    needle = marker.encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            if state in (b"Z", b"X"):  # a zombie runs nothing; its parent reaps it
                continue
            with open("/proc/%s/environ" % d, "rb") as f:
                if needle in f.read():
                    found.append(int(d))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def _assert_none_left(marker, after):
    left = _carriers(marker)
    end = time.monotonic() + 60
    while left and time.monotonic() < end:  # SIGKILLed processes take a moment to go
        time.sleep(0.2)
        left = _carriers(marker)
    names = []
    for p in left:
        try:
            with open("/proc/%d/cmdline" % p, "rb") as f:
                names.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    assert not left, "processes left after %s: %s" % (after, names)


def _submissions(tmp_path, sleeper=True):
    src, subs = tmp_path / "source", tmp_path / "subs"
    ref = gt.generate(NB02, src)
    gt.write(ref, subs / "reference" / (NB02 + ".ipynb"))
    forker = cheats._with_region(ref, FORK_SLEEPER + cheats.reference_region(ref))
    gt.write(forker, subs / "forker" / (NB02 + ".ipynb"))
    if sleeper:
        gt.write(cheats.sleep_in_reference(ref), subs / "sleeper" / (NB02 + ".ipynb"))
    return src, subs


def test_no_process_is_left_after_each_notebook(tmp_path, monkeypatch):
    src, subs = _submissions(tmp_path)
    marker = "chalk-grade-probe-" + uuid.uuid4().hex
    monkeypatch.setenv("CHALK_GRADE_PROBE", marker)
    cg = gt.module()
    jobs = cg.list_jobs(str(subs), str(src), "auto")
    assert [j["student"] for j in jobs] == ["forker", "reference", "sleeper"]
    for job in jobs:
        job.update(timeout=float(gt.TIMEOUT), kernel="chalk", scorer="auto")
        res = cg.grade_job(job)
        assert not res.get("failed"), res["rows"]
        if job["student"] == "reference":
            assert all(p == m for _, p, m, _ in res["rows"]), res["rows"]
        _assert_none_left(marker, "grading %s" % job["student"])


def test_no_process_is_left_after_a_pool_run(tmp_path, monkeypatch):
    src, subs = _submissions(tmp_path, sleeper=False)
    marker = "chalk-grade-probe-" + uuid.uuid4().hex
    monkeypatch.setenv("CHALK_GRADE_PROBE", marker)
    res, rows = gt.grade(subs, tmp_path / "out", "--source", str(src), "--workers", "2")
    got = gt.scores(rows)
    assert got and all(got[k] > 0 for k in got if k[0] == "reference"), got
    _assert_none_left(marker, "chalk-grade --workers 2")
