"""The per-cell path (issue 14, point 3): what every cell's process links and
sets up is done once where it can be, and each cell still gets all of it.

A trivial cell's time is mostly what its process does before and after the
cell's own code, so that work was cut: the C library's ld script is read once
per session (kernel/executor/compile_tcc.c), and what does not depend on the
cell is set up in the next cell's process while it waits (executor.c).  These
tests assert what a cell sees of that: the libraries it links, the limits and
the run-time it runs under, in the first cell of a session and in later ones.
No test here measures a duration."""
import os
import signal
import time

import pytest

import proctree
from kernelclient import TIMEOUT, fails, ok, run, started

# Read-type system calls of the cell's process so far (its own reads of the
# request and of /proc count too); glibc's libc.so script is ~250 bytes that
# libtcc reads one byte per call.
READS = r"""
FILE *io = fopen("/proc/self/io", "r");
char line[128];
long syscr = -1;
while (fgets(line, sizeof line, io))
    sscanf(line, "syscr: %ld", &syscr);
printf("%ld\n", syscr);
"""

LIBS = r"""
#include <pthread.h>
#include <stdarg.h>
#include <alloca.h>
static void on_fork(void) {}
int sum(int n, ...) { va_list ap; va_start(ap, n); int s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
double big = 1.8e19;
unsigned long long u = big;                    /* libtcc1.a: __fixunsdfdi */
char *a = alloca(16); a[0] = 'x'; a[1] = 0;    /* libtcc1.a: alloca */
printf("%d %d %llu %s\n", pthread_atfork(NULL, NULL, on_fork),   /* libc_nonshared.a */
       sum(3, 1, 2, 3), u, a);
"""


def test_libraries_are_linked_in_every_cell():
    # the first cell resolves the C library through its script, later cells
    # add the files it named: both must link libc, libc_nonshared.a and
    # libtcc1.a alike
    with started() as (_, kc):
        for _ in range(3):
            assert ok(kc, LIBS).text() == "0 6 18000000000000000000 x\n"
        assert ok(kc, 'printf("%.3f\\n", sqrt(2.0));').text() == "1.414\n"


def test_the_c_library_script_is_not_read_per_cell():
    with started() as (_, kc):
        ok(kc, 'printf("hello\\n");')
        ok(kc, 'printf("hello\\n");')
        for _ in range(3):
            reads = int(ok(kc, READS).text())
            assert 0 < reads < 100, reads


def test_a_missing_library_is_still_an_error(fresh):
    _, kc = fresh
    ok(kc, 'printf("hello\\n");')
    r = fails(kc, "#pragma comment(lib, \"chalk_no_such_lib\")\nint x = 1;")
    assert "chalk_no_such_lib" in r.errors[0]["evalue"]
    assert ok(kc, 'printf("%d\\n", 2);').text() == "2\n"


def order(r):
    return [m["msg_type"] if m["msg_type"] != "status" else m["content"]["execution_state"]
            for m in r.messages]


def test_busy_and_execute_input_come_before_the_cells_output(fresh):
    # the kernel sends the cell to the executor before it publishes busy and
    # execute_input; what the cell prints or shows still comes after them
    _, kc = fresh
    for code, kinds in (('printf("at once\\n");', ["stream"]),
                        ("1 + 1", ["execute_result"]),
                        ("int broken = ;", ["error"]),
                        ('fprintf(stderr, "e\\n"); printf("o\\n"); 2', None)):
        r = run(kc, code)
        got = order(r)
        assert got[:2] == ["busy", "execute_input"], got
        assert got[-1] == "idle" and "busy" not in got[2:] and "execute_input" not in got[2:], got
        if kinds:
            assert got[2:-1] == kinds, got


def test_bad_cflags_end_the_cells_that_have_them(fresh):
    # the next cell's compiler state is made while its process waits, but
    # not with %cflags: libtcc exits on an option it does not know, and that
    # must read as each cell's own exit, not as a lost process
    _, kc = fresh
    ok(kc, 'printf("before\\n");')
    r = fails(kc, "%cflags -chalk-bogus\nint x = 1;", "Exit")
    assert "-chalk-bogus" in r.text() + r.text("stderr")
    for code in ("%cflags -chalk-bogus\nint x = 1;", "int y = 2;", "int z = 3;"):
        time.sleep(0.5)  # the next cell's process is made and waiting by now
        r = fails(kc, code, "Exit")
        assert r.errors[0]["evalue"] == "the cell called _exit(1)"


def executors(km):
    """pid -> parent pid of the kernel's executor processes."""
    kernel = km.provisioner.process.pid
    parent_of = proctree.parents()
    tree = proctree.descendants(kernel, parent_of)
    return {p: parent_of[p] for p in tree if p != kernel}


def test_an_interrupt_reaches_a_cell_its_process_took_itself(fresh):
    # the waiting process reads its cell from the kernel's channel itself
    # and reads no further: the interrupts that follow are the holder's
    # (sent once the kernel is surely running the cell: one sent before it
    # has read the request finds no cell, as with any kernel)
    km, kc = fresh
    ok(kc, "int spins = 0;")
    time.sleep(0.5)  # the next cell's process is waiting by now
    for after in (0.05, 0.3, 0.05):
        time.sleep(0.3)
        r = run(kc, "for (;;) spins++;", interrupt_after=after, interrupt_by_message=True)
        assert r.errors and r.errors[0]["ename"] == "KeyboardInterrupt", r.errors
    assert ok(kc, 'printf("%d\\n", spins);').text() == "0\n"


def test_a_killed_waiting_process_loses_no_cell(fresh):
    # the process forked for the next cell dies while it waits (killed from
    # outside): the holder takes the channel back and the next cell runs
    km, kc = fresh
    ok(kc, "int kept = 41;")
    time.sleep(0.5)
    procs = executors(km)
    waiting = [p for p, pp in procs.items() if pp in procs]
    assert len(waiting) == 1, procs
    os.kill(waiting[0], signal.SIGKILL)
    time.sleep(0.5)
    assert run(kc, "kept + 1").value == "42"
    assert ok(kc, 'printf("%d\\n", kept);').text() == "41\n"


# A kept cell that sent the holder nothing to pass on writes its end
# (execute_done) to the kernel itself (kernel/executor/cell_runtime.c,
# cell_runtime_send_done); anything that did go through the holder must still
# come before it.

BIG_DISPLAY_FROM_A_CHILD = r"""
#include <sys/wait.h>
#include <unistd.h>
int shown_by_child = 0;
pid_t kid = fork();
if (kid == 0) {
    static char text[1 << 20];
    memset(text, 'x', sizeof text - 1);
    ch_display_text(text);   /* about 1 MB through the holder */
    _exit(0);
}
waitpid(kid, NULL, 0);
shown_by_child = 1;
"""


def test_a_display_from_a_process_the_cell_forked_comes_before_its_end(fresh):
    # the display went through the holder from another process than the
    # cell's own; the holder takes a while over a megabyte, so a cell that
    # ended by itself would overtake it (and the display land after idle)
    _, kc = fresh
    for _ in range(3):
        r = ok(kc, BIG_DISPLAY_FROM_A_CHILD)
        assert len(r.displays) == 1, [m["msg_type"] for m in r.messages]
        assert len(r.displays[0]["data"]["text/plain"]) == (1 << 20) - 1
    assert ok(kc, 'printf("%d\\n", shown_by_child);').text() == "1\n"


def test_cells_sent_back_to_back_all_run_in_order(fresh):
    # the kernel sends the next cell as soon as the last one's end reaches
    # it, which a cell that ends by itself sends before the holder has let
    # go: the next cell must wait in the channel for the next holder, not be
    # read (and lost) by the old one
    _, kc = fresh
    ok(kc, "int n = 0;")
    ids = [kc.execute('n++; printf("%d\\n", n);') for _ in range(150)]
    texts = {}
    pending = set(ids)
    while pending:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        pid = m["parent_header"].get("msg_id")
        if m["msg_type"] == "stream" and pid in pending:
            texts[pid] = texts.get(pid, "") + m["content"]["text"]
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            pending.discard(pid)
    assert [texts.get(i) for i in ids] == ["%d\n" % (k + 1) for k in range(150)]
    assert ok(kc, 'printf("%d\\n", n);').text() == "150\n"


CLONE_CHILD = r"""
#include <sched.h>
#include <signal.h>
static int rest(void *arg) { (void)arg; for (;;) pause(); return 0; }
static char clone_stack[65536];
/* no exit signal: a "clone child", which waitpid sees only with __WALL */
int cloned = clone(rest, clone_stack + sizeof clone_stack, 0, NULL);
printf("%d\n", cloned);
"""


def test_a_child_made_by_clone_without_exit_signal_is_killed(fresh):
    # whether a cell left processes behind is asked of waitpid first (one
    # system call); a child that sends no SIGCHLD must count all the same,
    # and be reaped, not left a zombie of the holder
    _, kc = fresh
    pid = int(ok(kc, CLONE_CHILD).text())
    assert pid > 0
    ok(kc, ";")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


POLICIES = r"""
#include <sched.h>
#include <unistd.h>
printf("%d %d\n", sched_getscheduler(0), sched_getscheduler(getppid()));
"""


def test_the_holder_waits_at_batch_priority_and_the_cell_runs_at_normal(fresh):
    # the holder wakes for the cell's "started" note and its end without
    # taking the CPU from the cell or the kernel (SCHED_BATCH); the cell's
    # own process, forked from it, runs as any process does (SCHED_OTHER),
    # in the first cell, after one that failed and after a holder's magic
    _, kc = fresh
    want = "%d %d\n" % (os.SCHED_OTHER, os.SCHED_BATCH)
    assert ok(kc, POLICIES).text() == want
    assert ok(kc, POLICIES).text() == want
    fails(kc, "int broken = ;")
    assert ok(kc, POLICIES).text() == want
    ok(kc, "%limits cpu=30")
    assert ok(kc, POLICIES).text() == want
