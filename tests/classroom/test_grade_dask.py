"""chalk-grade --scheduler on a real Dask cluster: a `dask scheduler` and two `dask worker`
processes on 127.0.0.1 (the venv's `dask` command), one task per notebook; the CSV is the
one local mode writes for the same submissions, and both workers did some of the work.

Beware: every process started here is stopped in a finally block, a worker through its
nanny's PID (the `dask worker` process itself: it stops the worker it spawned).
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import gradetest as gt
from gradetest import NB02, NB06

pytest.importorskip("distributed")


def dask_exe():
    here = os.path.join(os.path.dirname(sys.executable), "dask")
    return here if os.path.exists(here) else "dask"


def wait_for(predicate, what, seconds=120):
    """Poll (no assertion on how long it took; the bound only keeps a broken setup from hanging)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got = predicate()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError("gave up waiting for " + what)


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask")
    sched_file = root / "scheduler.json"
    logs, procs = [], []
    try:
        log = open(root / "scheduler.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen(
            [dask_exe(), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(sched_file)], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=str(root)))
        address = wait_for(lambda: sched_file.exists() and json.loads(sched_file.read_text() or "{}").get("address"),
                           "the scheduler's address")
        for k in range(2):
            log = open(root / ("worker%d.log" % k), "w")
            logs.append(log)
            procs.append(subprocess.Popen(
                [dask_exe(), "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--host", "127.0.0.1", "--no-dashboard", "--name", "w%d" % k,
                 "--local-directory", str(root / ("w%d" % k))],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(root)))
        from distributed import Client
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield {"address": address, "root": root}
    finally:
        for p in reversed(procs):   # workers (their nannies) first, then the scheduler
            stop(p)
        for log in logs:
            log.close()


@pytest.fixture(scope="module")
def submissions(tmp_path_factory):
    root = tmp_path_factory.mktemp("subs")
    src, subs, _ = gt.base_submissions(root)
    (subs / "corrupt").mkdir()
    (subs / "corrupt" / (NB02 + ".ipynb")).write_text("{")
    return root, src, subs


def test_dask_cluster_gives_the_local_csv(cluster, submissions, tmp_path):
    root, src, subs = submissions
    _, local = gt.grade(subs, tmp_path / "local", "--source", str(src))
    res, dask = gt.grade(subs, tmp_path / "dask", "--source", str(src), "--scheduler", cluster["address"])
    assert (tmp_path / "dask" / "grades.csv").read_text() == (tmp_path / "local" / "grades.csv").read_text()
    assert any(r["points"] != r["max_points"] for r in dask)         # not all-full by accident
    assert all(r["points"] == r["max_points"] for r in dask if r["student"] == "reference")
    for student in os.listdir(subs):
        for nb in (NB02, NB06):
            assert (tmp_path / "dask" / "feedback" / student / (nb + ".html")).is_file()
    # both workers ran tasks (chalk-grade counts the processes its jobs ran in)
    assert "on 2 processes" in res.stdout, res.stdout
