"""Cell semantics through jupyter_client, one section per numbered behaviour of
the cell-engine issue.  Each test asserts what a notebook user would see."""
import os
import re
import time

import pytest

from kernelclient import fails, ok, run, start, stop


# 1. A cell is any mix of C; statements run in order; main() runs if defined.
def test_mixed_cell_runs_statements_in_order(kc):
    r = ok(kc, """
#define GREETING "hi"
typedef struct { double x, y; } point;
static int calls;
int bump(void) { return ++calls; }
printf("%s %d\\n", GREETING, bump());
point p = { 1.5, 2.5 };
printf("%g %d\\n", p.x + p.y, bump());
""")
    assert r.text() == "hi 1\n4 2\n"


def test_a_pasted_program_with_main_runs(kc):
    r = ok(kc, '#include <stdio.h>\nint main(void) {\n    printf("from main\\n");\n    return 0;\n}\n')
    assert r.text() == "from main\n"


def test_main_returning_nonzero_is_an_error(kc):
    r = fails(kc, "int main(void) { return 3; }", "Exit")
    assert "status 3" in r.errors[0]["evalue"]


# 2. Top-level declarations persist: values, functions, types, macros, includes.
def test_state_carries_over(fresh):
    _, kc = fresh
    ok(kc, "#include <ctype.h>\n#define SCALE 10\ntypedef struct { int a; } box;\n"
           "int total = 1;\nbox b = { 4 };\nint twice(int v) { return 2 * v; }")
    ok(kc, "total = twice(total) * SCALE + b.a;")
    assert run(kc, "total").value == "24"
    assert run(kc, "(char)toupper('q')").value == "'Q' (81)"
    r = ok(kc, "box c = { 7 }; c.a + SCALE")
    assert r.value == "17"


def test_heap_data_from_earlier_cells_survives(fresh):
    _, kc = fresh
    ok(kc, "double *v = malloc(3 * sizeof *v); v[0] = 1; v[1] = 2; v[2] = 3;")
    assert run(kc, "v[0] + v[1] + v[2]").value == "6.0"


# 3. Re-running and redefining: the newest definition wins, never an error.
def test_rerun_and_redefine(fresh):
    _, kc = fresh
    cell = "int x = 1;\nint f(void) { return x + 1; }\nstruct pt { int a; };"
    ok(kc, cell)
    ok(kc, cell)                       # re-running a cell is not a redefinition error
    assert run(kc, "f()").value == "2"
    ok(kc, "double x = 2.5;")          # a new type for x
    assert run(kc, "x * 2").value == "5.0"
    ok(kc, "int f(void) { return 40 + 2; }")
    assert run(kc, "f()").value == "42"
    ok(kc, "struct pt { int a, b; };")
    assert run(kc, "struct pt q = { 1, 2 }; q.a + q.b").value == "3"


# 4. The value of a trailing expression.
@pytest.mark.parametrize("expr,shown", [
    ("6 * 7", "42"),
    ("-5LL", "-5"),
    ("18446744073709551615ULL", "18446744073709551615"),
    ("0.1", "0.1"),
    ("1.0 / 3", "0.3333333333333333"),
    ("3.0", "3.0"),
    ("1e300 * 10", "1e+301"),
    ("(float)0.5", "0.5"),
    # a float shows its own shortest digits, not those of the double it
    # widens to (0.3333333432674408); a long double all the digits it holds
    ("1.0f / 3", "0.33333334"),
    ("(float)0.1", "0.1"),
    ("1.0L / 3", "0.33333333333333333334"),
    ("(long double)1e300 * 1e300", "1.0000000000000001051e+600"),
    ("2.0L", "2.0"),
    ("0.0 / 0.0", "nan"),
    ("-1.0f / 0", "-inf"),
    ('"hi\\n"', '"hi\\n"'),
    ("(_Bool)1", "true"),
    ("'A'", "65"),
    ("(char)'A'", "'A' (65)"),
    ("(void *)0", "NULL"),
])
def test_trailing_expression_values(kc, expr, shown):
    assert ok(kc, expr).value == shown


def test_pointer_value(kc):
    assert re.fullmatch(r"\(void \*\) 0x[0-9a-f]+", ok(kc, "int here; (void *)&here").value)


def test_no_value_after_semicolon_or_void_call(kc):
    assert ok(kc, "6 * 7;").results == []
    assert ok(kc, "void nothing(void) {}\nnothing()").results == []


def test_vector_and_matrix_values_are_tables(kc):
    r = ok(kc, "VEC(1, 2.5, 3)")
    data = r.results[0]
    assert "2.5" in data["text/plain"]
    assert "<table" in data["text/html"]
    assert "bmatrix" in data["text/latex"] or "pmatrix" in data["text/latex"]
    r = ok(kc, "MAT(2, 2, 1, 2, 3, 4)")
    assert "<table" in r.results[0]["text/html"]


# 5. Compile errors name the cell's own lines; warnings never go to stderr.
def test_compile_error_names_cell_line(kc):
    r = fails(kc, "int a = 1;\nint b = 2;\nint c = a + not_declared;\n", "CompileError")
    assert "cell[" in r.errors[0]["evalue"] and "]:3:" in r.errors[0]["evalue"]
    assert ".c:" not in "".join(r.errors[0]["traceback"])     # never a temporary file
    assert r.reply["content"]["status"] == "error"


def test_undefined_function_is_a_clear_error(kc):
    r = fails(kc, "no_such_function(3);")
    assert "no_such_function" in r.errors[0]["evalue"]


def test_warnings_are_a_display_not_stderr(kc):
    r = ok(kc, "int *p = 3; p == 0")        # int to pointer: a warning
    assert r.text("stderr") == ""
    warn = [d for d in r.displays if d["metadata"].get("chalk_warnings")]
    assert warn and "warning" in warn[0]["data"]["text/plain"]
    assert "cell[" in warn[0]["data"]["text/plain"]


# 6. Crash isolation: the kernel survives and the session is as before.
@pytest.mark.parametrize("crash,ename,needle", [
    ("int *p = 0; *p = 1;", "SIGSEGV", "Segmentation fault"),
    ("abort();", "SIGABRT", "Abort"),
    ("volatile int zero = 0; int q = 1 / zero;", "SIGFPE", "Floating point"),
    ("raise(SIGBUS);", "SIGBUS", "Bus error"),
    ("int deep(int n) { return n == 0 ? 0 : 1 + deep(n - 1) + 0 * deep(n - 1); }\ndeep(1 << 30);",
     "SIGSEGV", "Stack overflow"),
])
def test_crashes_roll_back_and_kernel_survives(fresh, crash, ename, needle):
    _, kc = fresh
    ok(kc, "int kept = 7;")
    r = fails(kc, "#include <signal.h>\nkept = 100;\n" + crash, ename)
    assert needle in r.errors[0]["evalue"]
    assert "the session is as it was" in r.errors[0]["evalue"]
    assert run(kc, "kept").value == "7"       # partial effects rolled back


def test_segfault_names_the_cell_line(kc):
    r = fails(kc, "int first = 1;\nint *bad = 0;\n*bad = first;\n", "SIGSEGV")
    assert "cell[" in r.errors[0]["evalue"] and "]:3" in r.errors[0]["evalue"]


def test_exit_does_not_kill_the_kernel(fresh):
    _, kc = fresh
    ok(kc, "int alive = 1;")
    r = fails(kc, 'printf("bye\\n"); exit(2);', "SystemExit")
    assert r.text() == "bye\n"
    fails(kc, "exit(0);", "SystemExit")       # like IPython's SystemExit: never "ok"
    assert run(kc, "alive").value == "1"


# 7. Interrupts, in both modes, stop the cell and keep the session.
@pytest.mark.parametrize("by_message", [False, True])
@pytest.mark.parametrize("body", ["for (;;) ;", "sleep(1000);", "getchar();"])
def test_interrupt_stops_cell_and_keeps_state(fresh, by_message, body):
    km, kc = fresh
    ok(kc, "int before = 5;")
    r = run(kc, "before = 6;\n" + body, allow_stdin=True, interrupt_after=0.5, km=km,
            interrupt_by_message=by_message)
    assert r.status == "error" and r.errors[0]["ename"] == "KeyboardInterrupt"
    # Reported, not asserted: the target is one second.
    print(f"interrupt took {r.finished_at - r.interrupted_at:.3f}s")
    assert run(kc, "before").value == "5"


# 8. stdin: through the front end when allowed, end of file at once otherwise.
def test_scanf_reads_from_front_end(kc):
    r = ok(kc, 'int n; printf("n? "); scanf("%d", &n); n * 2', allow_stdin=True, answers=["21"])
    assert r.inputs == ["n? "]      # the unterminated text is the prompt (test_diagnostics)
    assert r.text() == ""
    assert r.value == "42"


def test_fgets_and_getline(kc):
    r = ok(kc, 'char buf[64]; fgets(buf, sizeof buf, stdin); char *line = NULL; size_t cap = 0;\n'
               'getline(&line, &cap, stdin); printf("[%s|%s]", buf, line);',
           allow_stdin=True, answers=["first", "second"])
    assert r.text() == "[first\n|second\n]"


def test_each_cell_reads_input_afresh(kc):
    # scanf leaves the typed line's newline unread; the next cell must ask
    # for its own line rather than get that newline.
    ok(kc, 'int got; scanf("%d", &got);', allow_stdin=True, answers=["7"])
    r = ok(kc, 'int ch = getchar(); ch', allow_stdin=True, answers=["x"])
    assert len(r.inputs) == 1
    assert r.value == str(ord("x"))


def test_no_stdin_means_eof_not_a_hang(kc):
    r = run(kc, "int c = getchar(); c == EOF", allow_stdin=False)
    assert r.status == "ok"
    assert r.value == "1"
    assert "allow_stdin" in r.text()         # one note, on stdout: graders score stderr as 0
    assert r.text("stderr") == ""


# 9. Output streams live, survives crashes, and is capped.
def test_output_is_live(kc):
    r = ok(kc, 'printf("before\\n"); sleep(1); printf("after\\n");')
    before = [s for s in r.streams if "before" in s[1]][0]
    # the line printed before the one-second sleep arrived while the cell slept
    # (all times are seconds after the request was sent)
    assert r.finished_at - before[2] > 0.5, (before, r.finished_at)


def test_output_is_published_in_batches(kc):
    # 1 MiB of short lines came as ~800 stream messages, which froze
    # JupyterLab's page for over a minute (it re-renders the whole text per
    # message): at most one message per 0.1 s of the cell, plus the last.
    n = 131072
    r = ok(kc, 'for (int i = 0; i < %d; i++) printf("%%07d\\n", i);' % n)
    assert r.text() == "".join("%07d\n" % i for i in range(n))
    assert len(r.streams) <= r.finished_at / 0.1 + 2, (len(r.streams), r.finished_at)


def test_output_before_a_crash_is_kept(kc):
    r = fails(kc, 'printf("line\\n"); printf("no newline"); int *p = 0; *p = 1;', "SIGSEGV")
    assert r.text() == "line\nno newline"


def test_output_is_capped_with_a_note(fresh):
    _, kc = fresh
    ok(kc, "%limits output=10k")
    r = run(kc, 'for (int i = 0; i < 100000; i++) printf("%06d\\n", i);')
    out = r.text()
    assert "output truncated" in out
    assert len(out.encode()) < 10 * 1024 + 200
    assert run(kc, "1 + 1").value == "2"       # the kernel did not deadlock


def test_invalid_utf8_output_is_repaired(kc):
    r = ok(kc, r'printf("a\xff b \xe2\x82\xac\n");')
    assert r.text() == "a\ufffd b \u20ac\n"


# 10. Limits: clear errors, the session survives.
def test_cpu_limit(fresh):
    _, kc = fresh
    ok(kc, "int still = 1;\n")
    ok(kc, "%limits cpu=1")
    r = fails(kc, "for (;;) ;", "SIGXCPU")
    assert "CPU" in r.errors[0]["evalue"]
    assert run(kc, "still").value == "1"


def test_memory_limit(fresh):
    _, kc = fresh
    ok(kc, "%limits memory=64M")
    assert ok(kc, "malloc((size_t)1 << 30) == NULL").value == "1"
    assert ok(kc, "malloc((size_t)1 << 20) != NULL").value == "1"


def test_file_size_limit(fresh):
    _, kc = fresh
    ok(kc, "%limits fsize=1k")
    r = fails(kc, 'FILE *f = tmpfile(); for (int i = 0; i < 10000; i++) fputc(1, f); fflush(f);',
              "SIGXFSZ")
    assert "File size" in r.errors[0]["evalue"]


def test_limits_magic_reports_and_rejects(kc):
    r = ok(kc, "%limits procs=64")
    assert "procs" in r.text() and "64" in r.text()
    fails(kc, "%limits bogus=3", "UsageError")


def test_limits_from_environment():
    km, kc = start(env={"CHALK_LIMIT_CPU": "1"})
    try:
        fails(kc, "for (;;) ;", "SIGXCPU")
    finally:
        stop(km, kc)


# 11. GSL errors become cell errors.
def test_gsl_error_is_a_cell_error(kc):
    r = fails(kc, "gsl_matrix *m = gsl_matrix_alloc(2, 2);\ngsl_matrix_get(m, 5, 5);", "GSLError")
    assert "index" in r.errors[0]["evalue"] or "range" in r.errors[0]["evalue"]
    assert ".c:" in r.errors[0]["evalue"] or ".h:" in r.errors[0]["evalue"]


# 12. Magics.
def test_timeit(kc):
    r = ok(kc, "%timeit double s = 0; for (int i = 0; i < 1000; i++) s += i;")
    assert re.search(r"± .* per loop \(mean ± std\. dev\. of 7 runs, \d+ loops? each\)", r.text())


def test_cell_timeit_keeps_nothing(fresh):
    _, kc = fresh
    ok(kc, "int ticks = 0;")
    r = ok(kc, "%%timeit\nticks++;")
    assert "per loop" in r.text()
    assert run(kc, "ticks").value == "0"


def test_cflags_and_ldflags(fresh):
    _, kc = fresh
    r = ok(kc, "%cflags -DANSWER=42")
    assert "-DANSWER=42" in r.text()
    assert run(kc, "ANSWER").value == "42"
    ok(kc, "%cflags gsl")                      # a pkg-config name
    ok(kc, "%ldflags -lm")
    fails(kc, "%ldflags no-such-package-xyz", "UsageError")


def test_who_and_reset(fresh):
    _, kc = fresh
    ok(kc, "double radius = 2; int area(void) { return 4; }")
    who = ok(kc, "%who").text()
    assert "radius" in who and "double" in who and "area" in who
    ok(kc, "%reset")
    fails(kc, "radius", "CompileError")


def test_unknown_magic(kc):
    r = fails(kc, "%frobnicate", "UsageError")
    assert "frobnicate" in r.errors[0]["evalue"]


# 13. The prelude: chalk.h, GSL and libm without an #include; it can be off.
def test_prelude_is_there(kc):
    assert ok(kc, "gsl_vector *u = VEC(3, 4); ch_norm(u)").value == "5.0"
    assert ok(kc, "sqrt(2.0) * sqrt(2.0) > 1.99").value == "1"


def test_prelude_off():
    km, kc = start(env={"CHALK_PRELUDE": ""})
    try:
        fails(kc, "gsl_vector *u = NULL;", "CompileError")
        r = ok(kc, '#include <stdio.h>\nprintf("bare\\n");')
        assert r.text() == "bare\n"
    finally:
        stop(km, kc)


def test_prelude_magic(fresh):
    _, kc = fresh
    ok(kc, "%prelude off")
    fails(kc, "gsl_vector *u = NULL;", "CompileError")
    ok(kc, "%prelude on")
    ok(kc, "gsl_vector *u = NULL;")


# Silent cells and execution counts (the parts dispatch and the engine share).
def test_silent_cell_shows_nothing(kc):
    r = run(kc, "6 * 7", silent=True)
    assert r.status == "ok" and r.results == []


def test_bare_exit_asks_the_front_end_to_leave(kc):
    # What a console user types to leave; as C it would show exit()'s address.
    for word in ("exit", "quit", "  quit\n"):
        r = ok(kc, word)
        assert r.results == []
        assert {"source": "ask_exit", "keepkernel": False} in r.reply["content"]["payload"]


# Header macros that paste tokens (glibc's type-generic math) work in cells,
# with their real prototypes (an implicit one would pass a float as a double).
@pytest.mark.parametrize("expr,shown", [
    ("isfinite(1.0)", "1"), ("!!isinf(1.0 / 0.0)", "1"), ("!!isnan(NAN)", "1"),
    ("!!isnan((float)NAN)", "1"), ("!!signbit(-2.0)", "1"), ("isfinite((float)INFINITY)", "0"),
])
def test_type_generic_math(kc, expr, shown):
    r = ok(kc, expr)
    assert r.value == shown
    assert not [d for d in r.displays if d["metadata"].get("chalk_warnings")]


def start_with_executor(tmp_path, executor):
    """The build tree's kernel with CHALK_EXECUTOR set to `executor` ("" = unset)."""
    import json
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec("chalk").to_dict()
    spec.setdefault("env", {})["CHALK_EXECUTOR"] = executor
    d = tmp_path / "kernels" / "chalk-other"
    d.mkdir(parents=True)
    (d / "kernel.json").write_text(json.dumps(spec))
    return start(kernel_name="chalk-other",
                 kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]))


def test_an_executor_that_cannot_start_is_a_clear_error_not_a_loop(tmp_path):
    # A broken install (the executor missing) must show the cell why, and
    # leave the kernel answering, not restarting its executor in a loop.
    km, kc = start_with_executor(tmp_path, str(tmp_path / "no-such-executor"))
    try:
        for _ in range(2):
            r = run(kc, 'printf("hi");')
            assert r.status == "error"
            assert [e["ename"] for e in r.errors] == ["ExecutorError"]
            assert "cannot run the executor" in r.text("stderr")
        assert kc.kernel_info(reply=True, timeout=120)["content"]["status"] == "ok"
    finally:
        stop(km, kc)


def test_an_uninstalled_kernel_runs_the_executor_built_next_to_it(tmp_path):
    # Without CHALK_EXECUTOR, a kernel run from its build directory must not
    # pick up an installed (maybe older) executor.
    km, kc = start_with_executor(tmp_path, "")
    try:
        assert ok(kc, "6 * 7").value == "42"
        # The whole tree: a holder handing over may leave the kernel with
        # no live child of its own for an instant.
        todo, exes = [km.provisioner.process.pid], []
        while todo:
            p = todo.pop()
            try:
                todo += open(f"/proc/{p}/task/{p}/children").read().split()
                if p != km.provisioner.process.pid:
                    exes.append(os.readlink(f"/proc/{p}/exe"))
            except OSError:
                pass            # a process that has just exited
        builddir = os.path.realpath(os.environ["CHALK_BUILDDIR"])
        assert exes and all(e.startswith(builddir + "/kernel/") for e in exes), exes
    finally:
        stop(km, kc)


def test_kernel_exits_when_its_front_end_dies(tmp_path):
    # A front end killed outright (no shutdown_request) must not leave the
    # kernel and its session running forever.
    import signal
    import subprocess
    import sys
    script = tmp_path / "frontend.py"
    script.write_text(
        "import time, jupyter_client\n"
        "km, kc = jupyter_client.manager.start_new_kernel(kernel_name='chalk')\n"
        "kc.execute_interactive('int alive = 1;', timeout=60)\n"
        "print(km.provisioner.process.pid, flush=True)\n"
        "time.sleep(600)\n")
    fe = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    kernel_pid = int(fe.stdout.readline())
    os.kill(fe.pid, signal.SIGKILL)
    fe.wait()
    deadline = time.monotonic() + 60       # a hang guard, not a speed target
    while time.monotonic() < deadline:
        try:
            os.kill(kernel_pid, 0)
        except ProcessLookupError:
            break
        try:
            # reap it if it became our child's orphan and is a zombie
            with open(f"/proc/{kernel_pid}/stat") as f:
                if f.read().split(")")[1].split()[0] == "Z":
                    break
        except OSError:
            break
        time.sleep(0.1)
    else:
        os.kill(kernel_pid, signal.SIGKILL)
        pytest.fail("the kernel outlived its front end")


# Crash reports (issue 11, point 3): one line naming the signal, the cell line and the
# function; the callers only when the fault is deeper than the cell's body; never a raw
# address, "???" or a line that repeats another.
def crash_report(kc, code, ename):
    r = fails(kc, code, ename)
    err = r.errors[0]
    tb = err["traceback"]
    assert tb[0] == f"{ename}: {err['evalue']}"
    for line in tb:
        assert "???" not in line and "RUNTIME ERROR" not in line, tb
        assert not re.search(r"0x[0-9a-f]|\b[0-9a-f]{8,}\b|\(nil\)", line), tb
    assert len(set(tb)) == len(tb), tb
    # the crash's line of the cell, quoted (test_diagnostics checks it)
    return err["evalue"], [t for t in tb[1:] if not t.startswith("    ")]


def cell_no(evalue):
    return re.search(r"cell\[(\d+)\]", evalue).group(1)


SESSION = "; the session is as it was before this cell"


def test_crash_in_a_function_names_it_and_its_caller(kc):
    evalue, callers = crash_report(kc, "void poke(int *p) {\n  *p = 1;\n}\npoke(0);", "SIGSEGV")
    n = cell_no(evalue)
    assert evalue == f"Segmentation fault (null pointer) at cell[{n}]:2 in poke()" + SESSION
    assert callers == [f"  called from cell[{n}]:4"]


def test_crash_two_functions_deep_lists_both_callers(kc):
    evalue, callers = crash_report(
        kc, "void poke2(int *p) { *p = 1; }\nvoid via(void) { poke2(0); }\nvia();", "SIGSEGV")
    n = cell_no(evalue)
    assert evalue == f"Segmentation fault (null pointer) at cell[{n}]:1 in poke2()" + SESSION
    assert callers == [f"  called from cell[{n}]:2 in via()", f"  called from cell[{n}]:3"]


def test_crash_in_the_cell_body_is_one_line(kc):
    evalue, callers = crash_report(kc, "int one = 1;\nint *nowhere = 0;\n*nowhere = one;",
                                   "SIGSEGV")
    assert evalue == f"Segmentation fault (null pointer) at cell[{cell_no(evalue)}]:3" + SESSION
    assert callers == []


def test_abort_names_the_line_that_called_it(kc):
    evalue, callers = crash_report(kc, "void give_up(void) {\n  abort();\n}\ngive_up();",
                                   "SIGABRT")
    n = cell_no(evalue)
    assert evalue == f"Aborted (abort() called) at cell[{n}]:2 in give_up()" + SESSION
    assert callers == [f"  called from cell[{n}]:4"]


def test_division_by_zero_says_so(kc):
    evalue, callers = crash_report(kc, "volatile int nil_ = 0;\nint q = 7 / nil_;", "SIGFPE")
    assert evalue == ("Floating point exception (integer division by zero) at "
                      f"cell[{cell_no(evalue)}]:2" + SESSION)
    assert callers == []


def test_runaway_recursion_shows_its_frame_once(kc):
    evalue, callers = crash_report(
        kc, "int down(int n) { return n == 0 ? 0 : 1 + down(n - 1) + 0 * down(n - 1); }\n"
            "down(1 << 30);", "SIGSEGV")
    n = cell_no(evalue)
    assert evalue == f"Stack overflow (runaway recursion?) at cell[{n}]:1 in down()" + SESSION
    assert callers == [f"  called from cell[{n}]:1 in down(), again and again"]


def test_failed_assert_names_its_expression_and_line(kc):
    r = fails(kc, "#include <assert.h>\nvoid positive(int v) {\n  assert(v > 0);\n}\npositive(0);",
              "SIGABRT")
    assert r.text("stderr") == ""        # not glibc's line naming the executor
    evalue, callers = crash_report(kc, "#include <assert.h>\nvoid positive2(int v) {\n"
                                       "  assert(v > 0);\n}\npositive2(0);", "SIGABRT")
    n = cell_no(evalue)
    assert evalue == f"Assertion `v > 0' failed at cell[{n}]:3 in positive2()" + SESSION
    assert callers == [f"  called from cell[{n}]:5"]


def test_warnings_html_leaves_the_text_colour_to_the_theme(kc):
    # JupyterLab's dark theme draws light text: an opaque light background (the old
    # cream #fff8e1) would hide it.  The browser test measures the contrast itself.
    r = ok(kc, "int *pw = 3;")
    html = [d for d in r.displays if d["metadata"].get("chalk_warnings")][0]["data"]["text/html"]
    style = re.search(r'<pre [^>]*style="([^"]*)"', html).group(1)
    assert not re.search(r"(^|;)\s*color\s*:", style), style
    bg = re.search(r"background\s*:\s*([^;]*)", style).group(1)
    alpha = re.fullmatch(r"rgba\(\d+,\d+,\d+,([\d.]+)\)", bg.replace(" ", ""))
    assert alpha and float(alpha.group(1)) <= 0.2, bg
    assert "var(--jp-warn-color1," in style


# A type declared under `#pragma pack` keeps its packing in every later cell,
# of either backend: its text is compiled again there without the cell's
# directives, which gave sizeof 5 in its own cell and 8 after it, so code of
# the two cells disagreed on every member's offset.
def test_a_packed_type_keeps_its_layout_in_later_cells(fresh):
    _, kc = fresh[:2]
    sizes = 'printf("%zu %zu %zu %zu\\n", sizeof(struct pk1), sizeof pk_v, sizeof(pk3), sizeof(struct pk_default));'
    out = ok(kc, "#pragma pack(push, 1)\nstruct pk1 { char c; int i; };\n"
                 "struct pk2 { char c; double d; } pk_v;\ntypedef struct { char c; short s; } pk3;\n"
                 "#pragma pack(pop)\nstruct pk_default { char c; int i; };\n"
                 "size_t pk_offset(void) { return offsetof(struct pk1, i); }\n" + sizes).text()
    assert out == "5 9 3 8\n"
    assert ok(kc, sizes).text() == out
    assert ok(kc, "%%cc\n" + sizes).text() == out
    assert run(kc, "pk_offset() * 10 + offsetof(struct pk1, i)").value == "11"
    assert ok(kc, "#pragma pack(2)\nstruct pk4 { char c; int i; };\n"
                  'printf("%zu\\n", sizeof(struct pk4));').text() == "6\n"
    assert ok(kc, 'printf("%zu %zu\\n", sizeof(struct pk4), sizeof(struct pk_default));').text() == "6 8\n"


# A `#pragma pack` holds from where it stands to the end of a C file, so one
# cell's directive holds in the cells after it until a later one pops it; and
# a variable declared under it keeps its layout in every later cell.
# `struct { char c; int i; } v;` under pack(1) was 5 bytes in its cell and 8
# in the next, whose code then read v.i at the wrong offset; a pack(pop)
# before a statement went into the cell's main() and was lost.
def test_a_pack_holds_in_the_cells_after_it_until_popped(fresh):
    _, kc = fresh[:2]
    ok(kc, "#pragma pack(push, 1)")
    ok(kc, "struct po1 { char c; int i; };\nstruct { char c; int i; } po_v;\n"
           "struct po2 { char c; double d; } po_w;")
    ok(kc, "#pragma pack(push, 2)\nstruct po3 { char c; int i; };\n#pragma pack(pop)\n"
           "po_v.c = 1; po_v.i = 7;")
    sizes = ('printf("%zu %zu %zu %zu %zu\\n", sizeof(struct po1), sizeof po_v, sizeof po_w,'
             ' sizeof(struct po3), offsetof(struct po1, i));')
    assert ok(kc, sizes).text() == "5 5 9 6 1\n"
    ok(kc, "struct po_open { char c; int i; };")  # still under pack(1)
    ok(kc, "#pragma pack(pop)")
    ok(kc, "struct po4 { char c; int i; };")
    assert ok(kc, sizes).text() == "5 5 9 6 1\n"
    assert run(kc, "sizeof(struct po4) * 100 + sizeof(struct po_open) * 10 + po_v.i").value == "857"
    assert ok(kc, "%%cc\n" + sizes).text() == "5 5 9 6 1\n"
    assert ok(kc, '%%cc\nprintf("%d %zu\\n", po_v.i, sizeof(struct po4));').text() == "7 8\n"
    ok(kc, "#pragma pack(2)\n#pragma pack(push, 1)")   # two levels open, then one, then none
    ok(kc, "#pragma pack(push, 4)")
    # an anonymous struct's variable: laid out by the pack the cell starts under
    # (a tagged type carries its own)
    lv = "struct { char c; double d; } po_l%d;\nsizeof po_l%d"
    assert run(kc, lv % (1, 1)).value == "12"
    assert run(kc, "#pragma pack(pop)\n" + lv % (2, 2)).value == "9"
    assert run(kc, "#pragma pack(pop)\n" + lv % (3, 3)).value == "10"   # back to pack(2)
    ok(kc, "#pragma pack(push, 1)")
    ok(kc, "%reset")                          # a new session: no pack in force
    assert run(kc, "struct po5 { char c; int i; };\nsizeof(struct po5)").value == "8"


# An array whose initializer gives its size is complete in later cells, of
# either backend, as in a C file: `int v[] = {...};` then, in the next cell,
# `sizeof v / sizeof v[0]` was "sizeof applied to an incomplete type".
def test_an_array_sized_by_its_initializer_keeps_its_size_in_later_cells(fresh):
    _, kc = fresh[:2]
    ok(kc, 'char sz_s[] = "hello"; int sz_v[] = {1, 2, 3}; double sz_w[] = {[5] = 1};\n'
           'char *sz_names[] = {"a", "b"}; int sz_m[][2] = {{1, 2}, {3, 4}, {5, 6}};')
    sizes = ('printf("%zu %zu %zu %zu %zu\\n", sizeof sz_s, sizeof sz_v / sizeof sz_v[0], sizeof sz_w,'
             ' sizeof sz_names / sizeof *sz_names, sizeof sz_m / sizeof sz_m[0]);')
    assert ok(kc, sizes).text() == "6 3 48 2 3\n"
    assert ok(kc, "%%cc\n" + sizes).text() == "6 3 48 2 3\n"
    ok(kc, "%%cc\nint sz_c[] = {4, 5, 6, 7};")
    assert run(kc, "sizeof sz_c").value == "16"
    ok(kc, 'char sz_s[] = "a longer one";')          # redefined with another size
    assert run(kc, "sizeof sz_s").value == "13"


# A trailing value naming an array of numbers or pointers shows its elements,
# as a struct's array member does, where it decayed to a pointer and showed as
# `(void *) 0x...`.  A char array is its string; elements a typedef of a
# struct could be, structs and rows of a 2-D array keep the pointer.
def test_an_array_value_shows_its_elements(kc):
    assert run(kc, "int av_i[] = {3, 1, 2};\nav_i").value == "{3, 1, 2}"
    assert run(kc, "av_i[0] = 9; av_i").value == "{9, 1, 2}"           # a later cell
    ok(kc, 'double av_d[2] = {1.5, 2}; unsigned char av_b[3] = {1, 2, 255};\n'
           'const char *av_s[] = {"a", "bb"}; int *av_p[2] = {0}; size_t av_z[1] = {7};\n'
           'char av_c[] = "hi"; struct av_w { int a; } av_ws[2]; int av_m[2][3];\n'
           'int av_big[100]; for (int i = 0; i < 100; i++) av_big[i] = i;')
    assert run(kc, "av_d").value == "{1.5, 2}"
    assert run(kc, "av_b").value == "{1, 2, 255}"
    assert run(kc, "av_s").value == '{"a", "bb"}'
    assert run(kc, "av_p").value == "{NULL, NULL}"
    assert run(kc, "av_z").value == "{7}"
    assert run(kc, "av_c").value == '"hi"'
    assert run(kc, "av_big").value == "{" + ", ".join(map(str, range(32))) + ", ... 100 in all}"
    for pointer in ("av_ws", "av_m", "av_i + 1"):
        assert re.fullmatch(r"\(void \*\) 0x[0-9a-f]+", run(kc, pointer).value), pointer


# A struct or enum defined in a function's return type is a type of the
# session as well as the function: the cell ended with "KernelError: no
# address for 'struct rt_pair'" (the function was kept under the tag).
def test_a_type_defined_in_a_return_type_is_kept_with_its_function(kc):
    ok(kc, "struct rt_pair { int a, b; } rt_mk(int a) { return (struct rt_pair){a, a + 1}; }")
    assert run(kc, "struct rt_pair rt_p = rt_mk(4);\nrt_p.b * 10 + (int)sizeof(struct rt_pair)").value == "58"
    assert run(kc, "rt_mk(1)").value == "{a = 1, b = 2}"
    ok(kc, "enum rt_dir { RT_UP, RT_DOWN } rt_flip(enum rt_dir d) { return d == RT_UP ? RT_DOWN : RT_UP; }")
    assert run(kc, "rt_flip(RT_UP) == RT_DOWN").value == "1"
    ok(kc, "%%cc\nstruct rt_tri { int x, y, z; } rt_mk3(int v) { return (struct rt_tri){v, v, v}; }")
    assert run(kc, "rt_mk3(2).z + rt_mk(3).a").value == "5"


def test_struct_fields_show_floats_and_long_doubles_with_their_own_digits(kc):
    ok(kc, "struct fl3 { float f; long double l; double d; };")
    assert run(kc, "struct fl3 fl3v = {1.0f / 3, 1.0L / 3, 1.0 / 3}; fl3v").value == \
        "{f = 0.33333334, l = 0.33333333333333333334, d = 0.3333333333333333}"


# The first %%cc cell of a machine finds an empty object cache: trimming it
# passed qsort a NULL array (undefined; the sanitizer build's UBSan ended the
# cell as "the cell called _exit(1)"), which this file's run under
# .ci/sanitizers catches.
def test_the_first_cc_cell_with_an_empty_cache(tmp_path):
    km, kc = start(env={"CHALK_CC_CACHE": str(tmp_path / "empty-cache")})
    try:
        assert run(kc, "%%cc\nint first_cc = 6 * 7;\nfirst_cc").value == "42"
    finally:
        stop(km, kc)
