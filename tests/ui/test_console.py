"""test_console.py — chalk in `jupyter console`, as a new user meets it in a terminal.

One console session (a real pty, prompt_toolkit's full interface, colours and
all) is shared by the tests of this file, which run in order: hello world, a
compile error, Tab completion, a value, input (scanf), Ctrl-C of an endless
loop, then quitting.  Assertions are on the text the user reads (escape
sequences stripped by tests/ui/termdrive.py).

Beware:
- the kernel is the one built in this tree, found through JUPYTER_PATH, which
  `make check` sets (AM_TESTS_ENVIRONMENT in tests/local.mk);
- the tests share one session on purpose: each step is what a user does next,
  and a console that broke in an earlier step is a failure of the later ones
  too (each says so instead of hanging);
- the only skip is a missing jupyter-console: it is in share/requirements.txt,
  so CI always runs these.
"""
import importlib.util
import os
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PROMPT = r"In \[(\d+)\]: "


def next_prompt(t):
    """Wait for a prompt numbered unlike the last one seen.

    prompt_toolkit redraws the current prompt when Enter is pressed, so
    "In [n]: " appearing again says nothing; only In [n+1] (or later) means
    the cell ran and the console is ready for input."""
    m = t.expect(r"In \[(?!%d\])(\d+)\]: " % t.prompt_no)
    t.prompt_no = int(m.group(1))
    return m


@pytest.fixture(scope="module")
def console():
    # Skipped per test, not per module: pytest would exit 5 ("no tests") and
    # the driver would count an error.
    if importlib.util.find_spec("jupyter_console") is None or importlib.util.find_spec("pexpect") is None:
        pytest.skip("jupyter-console (and its dependency pexpect) not installed")
    from termdrive import Term
    env = dict(os.environ)
    env.setdefault("TERM", "xterm-256color")
    if env.get("TERM") in ("", "dumb"):
        env["TERM"] = "xterm-256color"
    with tempfile.TemporaryDirectory(prefix="chalk-console-") as cwd:
        # A fresh IPython dir: no user profile or history changes what we see.
        env["IPYTHONDIR"] = os.path.join(cwd, ".ipython")
        t = Term([sys.executable, "-m", "jupyter", "console", "--kernel", "chalk"], env=env, cwd=cwd)
        try:
            t.expect(r"(?m)^chalk \S+ ", timeout=180)   # the kernel's banner: name, version
            t.prompt_no = int(t.expect(PROMPT, timeout=180).group(1))
            yield t
        finally:
            t.kill()


def run(t, line):
    """Type a line, press Enter; return what the console showed up to the next prompt."""
    start = t.pos
    t.sendline(line)
    m = next_prompt(t)
    return t.since(start)[: m.start() - start]


def test_hello_world(console):
    shown = run(console, r'printf("hello, world\n");')
    assert "hello, world\n" in shown


def test_compile_error(console):
    shown = run(console, "int y = oops + 1;")
    # The compiler's message, located in the cell, line and column the user typed,
    # the line quoted with a caret under `oops`.
    assert "cell[%d]:1:9: error: 'oops' undeclared" % (console.prompt_no - 1) in shown, shown
    assert "    int y = oops + 1;\n            ^" in shown.replace("\r", ""), shown
    # A failed cell declares nothing: y is still free to define.
    shown = run(console, 'int y = 5; printf("y=%d\\n", y);')
    assert "y=5" in shown, shown


def test_value_error_line(console):
    # A compile error in a value cell (last line an expression without ';')
    # names the expression's own line.
    shown = run(console, "oops + 1")
    assert "cell[%d]:1:1: error:" % (console.prompt_no - 1) in shown, shown


def test_tab_completion(console):
    start = console.pos
    console.send("pri\t")
    # Tab completes the word in place; finishing the call proves the input line
    # now reads printf(...), whatever the screen showed while completing.
    console.expect(r"printf")
    console.send('("completed %d\\n", 7);\r')
    m = next_prompt(console)
    shown = console.since(start)[: m.start() - start]
    assert "completed 7" in shown, shown


def test_value(console):
    shown = run(console, "6*7")
    assert "Out[" in shown and "42" in shown.split("Out[", 1)[1], shown


def test_input(console):
    start = console.pos
    console.sendline('int n = 0; scanf("%d", &n); printf("twice: %d\\n", 2 * n);')
    # The console reads the line for the kernel's input request (its prompt is
    # empty, so there is nothing to wait for but the cell having started).
    console.expect(r"scanf\(.*\);\s*\n")
    time.sleep(1)
    console.sendline("21")
    m = next_prompt(console)
    shown = console.since(start)[: m.start() - start]
    assert "twice: 42" in shown, shown


def test_input_prompt(console):
    # The text printed before the read is the console's prompt for the answer:
    # one line "half of? 84", as Python's input("half of? ") shows it.
    start = console.pos
    console.sendline('int h = 0; printf("half of? "); scanf("%d", &h); printf("half: %d\\n", h / 2);')
    console.expect(r"half of\? ")
    console.sendline("84")
    m = next_prompt(console)
    shown = console.since(start)[: m.start() - start].replace("\r", "")
    # no copy of the prompt left on stdout: the answer's line, then the output
    assert "\nhalf of? 84\nhalf: 42\n" in shown, shown


def test_interrupt(console):
    start = console.pos
    console.sendline("while (1) {}")
    console.expect(r"while \(1\) \{\}\s*\n")
    time.sleep(1)                 # a running cell, not one still compiling
    console.send("\x03")          # Ctrl-C
    m = next_prompt(console)
    shown = console.since(start)[: m.start() - start]
    assert "interrupt" in shown.lower(), shown
    # The session survives: y from an earlier cell is still there.
    shown = run(console, "y * 2")
    assert "Out[" in shown and "10" in shown.split("Out[", 1)[1], shown


def test_quit(console):
    # Ctrl-D at an empty prompt, then confirm: how the console says to leave.
    # (A bare `exit` or `quit` also works: the kernel answers with ask_exit.)
    console.send("\x04")
    console.expect(r"Do you really want to exit")
    console.sendline("y")
    status = console.wait_exit()
    assert status == 0, "console exited with %r:\n%s" % (status, console.text[-2000:])
