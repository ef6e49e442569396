"""Grading integrity on the run-time side: nothing a cell does can make a
later failing check pass or a later cell fail.

Each test plays a student (or an honest mistake) against a check cell the way
nbgrader runs one, and asserts what the grader would see: the check's own
error, no "ok" for a check that never ran, no stderr, no numeric
execute_result before a failure, and a session that still holds what earlier
cells defined.  The comment above each test says what main did before the
fix (each was run against that build).
"""
import os
import re

import pytest

from kernelclient import fails, ok, run, start, stop

FAILING_CHECK = 'ch_check_close("answer", answer(), 2.0, 1e-9, 0);\nprintf("the check ran to its end\\n");'


def start_with(extra_arguments):
    """A kernel started as a grader would start it through nbclient's or
    nbgrader's `extra_arguments` (appended to the kernelspec's argv)."""
    return start(extra_arguments=extra_arguments)


def check_fails_on_its_own(kc):
    """A later failing check fails with its own CheckFailed and nothing on stderr."""
    r = fails(kc, 'ch_check_close("later", 1.0, 2.0, 1e-9, 0);', "CheckFailed")
    assert "later: expected 2, got 1" in r.errors[0]["evalue"]
    assert r.text("stderr") == ""
    return r


# 1. The exit family.  main: exit(0) in the function ended the check "ok"
# (libtcc's exit longjmps back with 256, mapped to 0); exit(3) and _exit(0)
# were errors named "Exit" with no place.
@pytest.mark.parametrize("call", ["exit(0)", "exit(3)", "_exit(0)", "_Exit(0)", "quick_exit(0)"])
def test_exit_in_a_function_a_check_calls_is_an_error(fresh, call):
    _, kc = fresh
    ok(kc, "int before = 41;\ndouble answer(void) {\n    %s;\n    return 1.0;\n}" % call)
    r = fails(kc, FAILING_CHECK, "SystemExit")
    evalue = r.errors[0]["evalue"]
    assert evalue.startswith(call + " called"), evalue
    assert "called at cell[2]:1" in evalue          # the check's line that led there
    assert "the session is as it was before this cell" in evalue
    assert "the check ran to its end" not in r.text()
    assert r.reply["content"]["status"] == "error"
    assert run(kc, "before").value == "41"


# main: `exit(2);` was "Exit: the cell exited with status 2" (no place), and
# `exit(0);` ended the cell "ok".
def test_exit_in_the_cell_names_its_line(kc):
    r = fails(kc, 'int x = 1;\nprintf("bye\\n");\nexit(x - 1);', "SystemExit")
    assert r.errors[0]["evalue"].startswith("exit(0) called at cell[")
    assert "]:3" in r.errors[0]["evalue"]
    assert r.text() == "bye\n"
    r = fails(kc, "void stop_here(void) { exit(5); }\nstop_here();", "SystemExit")
    assert re.search(r"exit\(5\) called at cell\[\d+\]:1 in stop_here\(\)", r.errors[0]["evalue"])


def test_main_returning_normally_is_ok_and_nonzero_is_an_error(kc):
    ok(kc, "int main(void) { return 0; }")
    r = fails(kc, "int main(void) { return 3; }", "Exit")
    assert "main() returned status 3" in r.errors[0]["evalue"]


# main: atexit(ab) then exit(0) ended the check "ok" (the handler never ran
# either way; now it is never even registered, so no later real exit can
# run it in an executor process).
def test_atexit_handlers_never_run_and_never_save_a_check(fresh):
    _, kc = fresh
    ok(kc, "int before = 1;\nvoid ab(void) { abort(); }\n"
           "double answer(void) { atexit(ab); at_quick_exit(ab); exit(0); return 1.0; }")
    r = fails(kc, FAILING_CHECK, "SystemExit")
    assert "the check ran to its end" not in r.text()
    check_fails_on_its_own(kc)
    assert run(kc, "before").value == "1"


# main: the longjmp landed in cell 1's main(), which returned into this
# cell's tcc_run: the check cell ended "ok" and cell 1's `landed++` ran again.
def test_longjmp_to_an_earlier_cells_jmp_buf_is_an_error(fresh):
    _, kc = fresh
    ok(kc, "#include <setjmp.h>\njmp_buf escape;\nint landed = 0;\nif (setjmp(escape)) landed++;")
    ok(kc, "double answer(void) { longjmp(escape, 1); return 1.0; }")
    r = fails(kc, FAILING_CHECK, "LongjmpError")
    assert "no setjmp() of this cell filled" in r.errors[0]["evalue"]
    assert "the check ran to its end" not in r.text()
    assert run(kc, "landed").value == "0"
    check_fails_on_its_own(kc)


def test_setjmp_and_longjmp_within_a_cell_still_work(kc):
    r = ok(kc, "#include <setjmp.h>\njmp_buf here;\nsigjmp_buf there;\nvolatile int n = 0;\n"
               "if (setjmp(here) == 0) { n += 1; longjmp(here, 1); }\n"
               "if (sigsetjmp(there, 1) == 0) { n += 10; siglongjmp(there, 1); }\n"
               "n")
    assert r.value == "11"


# 2. The holder's process management.  main: the next failing check was a
# DeadExecutor (the holder inherited the handlers; SIGCHLD's _exit(0) killed
# it) and `before` was gone with the session.
def test_handlers_for_every_signal_do_not_reach_the_holder(fresh):
    _, kc = fresh
    ok(kc, "int before = 3;")
    ok(kc, "#include <signal.h>\nvoid bye(int s) { (void)s; _exit(0); }\n"
           "for (int s = 1; s < 65; s++) signal(s, bye);")
    check_fails_on_its_own(kc)
    assert run(kc, "before").value == "3"


# main: the blocked mask was every later cell's (and the holder's).
def test_a_blocked_signal_mask_does_not_reach_later_cells(fresh):
    _, kc = fresh
    ok(kc, "#include <signal.h>\nsigset_t all;\nsigfillset(&all);\nsigprocmask(SIG_BLOCK, &all, NULL);")
    r = ok(kc, "sigset_t now;\nsigprocmask(SIG_BLOCK, NULL, &now);\n"
               "sigismember(&now, SIGTERM) + sigismember(&now, SIGXCPU) + sigismember(&now, SIGINT)")
    assert r.value == "0"


# main: the handler's _exit(0) ended the check as "Exit" (an error too); the
# same without a check must not kill the holder either.
def test_a_signal_handler_that_exits_does_not_pass_a_check(fresh):
    _, kc = fresh
    ok(kc, "int before = 4;\n#include <signal.h>\nvoid quit(int s) { (void)s; _exit(0); }\n"
           "double answer(void) { signal(SIGUSR1, quit); raise(SIGUSR1); return 1.0; }")
    r = fails(kc, FAILING_CHECK, "SystemExit")
    assert r.errors[0]["evalue"].startswith("_exit(0) called")
    assert run(kc, "before").value == "4"


# main: kill(getppid(), SIGTERM) killed the holder: DeadExecutor at the next
# cell, `before` gone.
@pytest.mark.parametrize("code", ["kill(getppid(), SIGTERM);", "kill(0, SIGUSR1);",
                                  "raise(SIGTERM);"])
def test_signals_a_cell_sends_stop_only_the_cell(fresh, code):
    _, kc = fresh
    ok(kc, "int before = 5;")
    r = run(kc, "#include <signal.h>\n" + code)
    if r.status == "error":
        assert len(r.errors) == 1 and r.errors[0]["ename"].startswith("SIG")
    check_fails_on_its_own(kc)
    assert run(kc, "before").value == "5"


# main: the cell succeeded and its thread went on running in every later
# holder (two threads in the holder).
def test_a_cell_that_leaves_a_thread_running_is_refused(fresh):
    _, kc = fresh
    ok(kc, "#include <pthread.h>\nint before = 6;\n"
           "void *spin(void *a) { for (;;) sleep(1); return a; }")
    r = fails(kc, "pthread_t t;\npthread_create(&t, NULL, spin, NULL);", "ThreadError")
    assert "the cell left 1 thread running; join it" in r.errors[0]["evalue"]
    ok(kc, "void *once(void *a) { return a; }\npthread_t u;\npthread_create(&u, NULL, once, NULL);\n"
           "pthread_join(u, NULL);")
    assert run(kc, "before").value == "6"
    r = ok(kc, 'char cmd[64];\nsnprintf(cmd, sizeof cmd, "ls /proc/%d/task | wc -l", getppid());\n'
               "system(cmd);")
    assert r.text().strip() == "1"      # the holder runs one thread
    # A library's own worker threads (OpenBLAS starts a pool for a large
    # SVD) are not the cell's.
    ok(kc, "gsl_matrix *A = ch_mat_zeros(300, 300);\n"
           "for (int i = 0; i < 300; i++) for (int j = 0; j < 300; j++) "
           "gsl_matrix_set(A, i, j, sin(i * j + 1.0));\nch_svd_t s = ch_svd(A);")


# main: both processes were still alive after their cells (the first as a
# child of the next holder, the second reparented to the kernel).
def test_child_processes_a_cell_leaves_are_killed(fresh):
    _, kc = fresh
    r = ok(kc, "pid_t stray = fork();\nif (stray == 0) { for (;;) pause(); }\n"
               'printf("%d\\n", (int)stray);')
    first = int(r.text())
    r = fails(kc, "int pfd[2];\npipe(pfd);\n"
                  "if (fork() == 0) {\n    if (fork() == 0) { int me = getpid(); "
                  "write(pfd[1], &me, sizeof me); for (;;) pause(); }\n    _exit(0);\n}\n"
                  "int grandchild;\nread(pfd[0], &grandchild, sizeof grandchild);\n"
                  'printf("%d\\n", grandchild);\nch_check("fails", 0, "on purpose");', "CheckFailed")
    orphan = int(r.text())
    ok(kc, ";")     # the holder has cleaned up before it reads the next cell
    for pid in (first, orphan):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


# main: after fclose(stdout) / freopen / dup2 / close(1) no later cell's
# output arrived (close(2): no stderr); the check still failed.
@pytest.mark.parametrize("sabotage", [
    "fclose(stdout);",
    'freopen("/dev/null", "w", stdout);',
    '#include <fcntl.h>\nint null_fd = open("/dev/null", O_WRONLY);\ndup2(null_fd, 1);\ndup2(null_fd, 2);',
    "close(1);",
    "close(2);",
    "fclose(stderr);\nclose(1);\nclose(2);",
])
def test_closing_or_redirecting_stdout_and_stderr_lasts_one_cell(fresh, sabotage):
    _, kc = fresh
    ok(kc, "int before = 7;")
    ok(kc, sabotage)
    r = run(kc, 'printf("later\\n");\nfprintf(stderr, "to stderr\\n");')
    assert r.status == "ok"
    assert r.text() == "later\n"
    assert r.text("stderr") == "to stderr\n"
    check_fails_on_its_own(kc)
    assert run(kc, "before").value == "7"


# A stream is rebuilt only when a cell broke it: one FILE a cell would
# otherwise cost is one more for every later fork and fflush(NULL) to walk.
def test_intact_streams_are_kept_and_a_rebuilt_one_stays(fresh):
    _, kc = fresh
    where = 'printf("%p %p\\n", (void *)stdout, (void *)stderr);'
    first = ok(kc, where).text()
    assert ok(kc, where).text() == first
    ok(kc, "fclose(stdout);")
    rebuilt = ok(kc, where).text()
    assert ok(kc, where).text() == rebuilt


# main: the same sabotage inside the function a check calls: still an error
# (the check's failure is not hidden), and later cells print again.
def test_sabotaging_stdout_inside_a_check_does_not_hide_its_failure(fresh):
    _, kc = fresh
    ok(kc, "double answer(void) { fclose(stdout); close(1); close(2); return 1.0; }")
    r = fails(kc, FAILING_CHECK, "CheckFailed")
    assert "answer: expected 2, got 1" in r.errors[0]["evalue"]
    assert ok(kc, 'printf("back\\n");').text() == "back\n"


# main: ch_set_runtime(NULL) was undone at the next cell already, but GSL's
# handler stayed off for the rest of the session: the out-of-range read
# below passed silently.
def test_runtime_hooks_and_gsl_handler_are_reinstalled_every_cell(fresh):
    _, kc = fresh
    ok(kc, "gsl_vector *v = VEC(1, 2, 3);\nch_set_runtime(NULL);\ngsl_set_error_handler_off();")
    r = fails(kc, "gsl_vector_get(v, 10)", "GSLError")
    assert "index out of range" in r.errors[0]["evalue"]
    check_fails_on_its_own(kc)


# 3. Wall-clock limit.  main: %limits did not know `wall` (UsageError), and a
# sleeping cell uses no CPU: it ran forever.
def test_wall_clock_limit_stops_a_sleeping_cell_and_keeps_the_session(fresh):
    _, kc = fresh
    ok(kc, "int before = 8;")
    r = ok(kc, "%limits")
    assert re.search(r"wall\s+unlimited", r.text())     # off by default
    ok(kc, "%limits wall=1")
    r = fails(kc, "for (;;) sleep(1);", "WallTimeLimit")
    assert "the cell ran longer than 1 s of wall-clock time" in r.errors[0]["evalue"]
    assert run(kc, "before").value == "8"
    check_fails_on_its_own(kc)


def test_wall_clock_limit_from_the_environment():
    km, kc = start(env={"CHALK_LIMIT_WALL": "1"})
    try:
        fails(kc, "sleep(30);", "WallTimeLimit")
    finally:
        stop(km, kc)


# main: chalk-kernel refused an argument after -f FILE (it never started).
def test_command_line_limits_are_ceilings_a_cell_cannot_raise():
    km, kc = start_with(["--limits", "wall=2,cpu=30"])
    try:
        r = ok(kc, "%limits")
        assert re.search(r"wall\s+2 s", r.text()) and re.search(r"cpu\s+30 s", r.text())
        for raise_it in ("%limits cpu=1000000 wall=0", "%limits wall=0", "%limits cpu=31"):
            r = fails(kc, raise_it, "UsageError")
            assert "ceiling" in r.errors[0]["evalue"]
        r = ok(kc, "%limits")
        assert re.search(r"wall\s+2 s", r.text()) and re.search(r"cpu\s+30 s", r.text())
        ok(kc, "%limits wall=1")                        # lowering is fine
        r = fails(kc, "int t = 0;\nfor (;;) { sleep(1); t++; }", "WallTimeLimit")
        assert "longer than 1 s" in r.errors[0]["evalue"]
    finally:
        stop(km, kc)


# 4. Displays are not results.  main: ch_show_vector (and any value shown
# through the result hook) published an execute_result, so nbgrader gave the
# failing check partial credit at it.
def test_values_shown_before_a_failing_check_are_displays(fresh):
    _, kc = fresh
    ok(kc, "gsl_vector *v = VEC(1, 2, 3);\ndouble answer(void) { ch_show_vector(v); return 1.0; }")
    r = fails(kc, FAILING_CHECK, "CheckFailed")
    assert r.results == []
    assert [d["data"]["text/plain"] for d in r.displays] == ["[1  2  3]"]
    # Even a deliberate numeric value through the kernel's own show hook.
    r = fails(kc, "void __chalk_show_f64(double);\n__chalk_show_f64(8.0);\n"
                  'ch_check("late", 0, "fails");', "CheckFailed")
    assert r.results == []
    assert [d["data"]["text/plain"] for d in r.displays] == ["8.0"]
    types = [m["msg_type"] for m in r.messages if m["msg_type"] != "status"]
    assert "execute_result" not in types


def test_only_the_trailing_value_is_the_result(kc):
    ok(kc, "gsl_vector *w = VEC(4, 5);")
    r = ok(kc, 'ch_show_vector(w);\nprintf("after\\n");')
    assert r.results == [] and len(r.displays) == 1 and r.text() == "after\n"
    r = ok(kc, 'printf("before\\n");\nw')
    assert len(r.results) == 1 and r.displays == [] and r.text() == "before\n"
    r = ok(kc, "ch_show_vector(w);\nw")
    assert len(r.displays) == 1 and len(r.results) == 1
    assert r.results[0]["text/plain"] == "[4  5]"
    assert ok(kc, "6 * 7").value == "42"


# 5. stdin without a front end to answer.  main: the note went to stderr, which
# nbgrader scores as 0 for a correct answer.
def test_the_stdin_note_is_one_line_and_not_on_stderr(kc):
    r = ok(kc, 'int n = -1;\nscanf("%d", &n);\ngetchar();\nprintf("n=%d\\n", n);', allow_stdin=False)
    assert r.text("stderr") == ""
    notes = [line for line in r.text().splitlines() if line.startswith("[chalk]")]
    assert len(notes) == 1 and "no input available" in notes[0]
    assert r.text().endswith("n=-1\n")


# 6. %timeit.  main: every timing loop published the value (thousands of
# execute_results) and the timing line never came.
def test_timeit_shows_its_timing_line_once_and_no_value(kc):
    ok(kc, "double square(double x) { return x * x; }")
    r = ok(kc, "%timeit square(3.0)")
    assert r.results == [] and r.displays == []
    assert len(re.findall(r"per loop \(mean ± std\. dev\. of 7 runs", r.text())) == 1
    assert "9.0" not in r.text()
    r = ok(kc, '%%timeit\nprintf("tick\\n");\nsquare(3.0)')
    assert r.results == [] and r.displays == []
    assert r.text().count("tick\n") == 1
    assert len(re.findall(r"per loop", r.text())) == 1
