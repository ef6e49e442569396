"""A cell that prints far more than its output cap (issue 12, point 3).

What the notebook shows: the first 4 MiB, a note at the cap, and at the end
of the cell a note saying how much was dropped; values, displays and errors
that come after the flood still show; later cells print as before.  What
makes the flood cheap is checked from inside the cell: once the kernel has
reached the cap, the cell's stdout and stderr are /dev/null (so printing
costs what writing there costs; `make bench` times it against the same
program writing to /dev/null).
"""
import re

from kernelclient import run, stdout_of

CAP = 4 * 1024 * 1024
LINES = 2000000           # of 100 bytes: 200 MB, 190.7 MiB
CUT = "[chalk] output truncated at 4 MiB, this cell's allowance (change it with %limits output=SIZE)\n"
DROPPED = re.compile(r"\[chalk\] ([0-9.]+) MiB of output dropped \(the cell printed ([0-9.]+) MiB\)\n$")

# Waits (a bounded loop, not a time limit) until fd 1 is /dev/null, then
# shows whether it is: 1 once the cell has been muted.
FLOOD = r'''#include <sys/stat.h>
#include <unistd.h>
for (int i = 0; i < %d; i++) printf("%%099d\n", i);
struct stat out_st, null_st;
stat("/dev/null", &null_st);
for (int tries = 0; tries < 1000; tries++) {
    fstat(1, &out_st);
    if (out_st.st_rdev == null_st.st_rdev && S_ISCHR(out_st.st_mode)) break;
    usleep(10000);
}
(int)(S_ISCHR(out_st.st_mode) && out_st.st_rdev == null_st.st_rdev)
''' % LINES


def results(msgs):
    return [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]


def test_flood_is_muted_at_the_source_and_counted(kernel):
    km, kc = kernel
    c, msgs = run(kc, FLOOD, timeout=300)
    assert c["status"] == "ok"
    out = stdout_of(msgs)
    head, _, notes = out.partition("\n" + CUT)
    assert len(head.encode()) <= CAP and head.startswith("0" * 99 + "\n")
    m = DROPPED.search(notes)
    assert m, notes[-400:]
    assert float(m.group(2)) == round(LINES * 100 / 2**20, 1)
    assert float(m.group(1)) == round((LINES * 100 - CAP) / 2**20, 1)
    # The cell's own fd 1 was /dev/null by its end: the rest cost nothing.
    assert results(msgs) == ["1"]


def test_later_cells_print_as_before(kernel):
    km, kc = kernel
    run(kc, FLOOD, timeout=300)
    c, msgs = run(kc, '#include <stdio_ext.h>\nputs("next cell");\n!!__flbf(stdout)')
    assert stdout_of(msgs) == "next cell\n"
    assert results(msgs) == ["1"]          # line-buffered again: output streams live


def test_an_error_after_the_flood_still_shows(kernel):
    km, kc = kernel
    code = FLOOD.replace("(int)(S_ISCHR", "int *p = 0; *p = 1;\n(int)(S_ISCHR")
    c, msgs = run(kc, code, timeout=300, stop_on_error=False)
    assert c["status"] == "error" and c["ename"] == "SIGSEGV"
    assert [m["content"]["ename"] for m in msgs if m["msg_type"] == "error"] == ["SIGSEGV"]
    assert DROPPED.search(stdout_of(msgs))


def test_stderr_flood_and_a_forked_writer_are_counted_too(kernel):
    """A process the cell forked is not muted: the kernel reads its output
    and counts it without decoding."""
    km, kc = kernel
    code = r'''#include <unistd.h>
#include <sys/wait.h>
pid_t pid = fork();
if (pid == 0) {
    for (int i = 0; i < 300000; i++) fprintf(stderr, "%099d\n", i);
    _exit(0);
}
waitpid(pid, NULL, 0);
'''
    c, msgs = run(kc, code, timeout=300)
    assert c["status"] == "ok"
    err = "".join(m["content"]["text"] for m in msgs
                  if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
    assert len(err.encode()) <= CAP
    m = DROPPED.search(stdout_of(msgs))
    assert m and float(m.group(2)) == round(300000 * 100 / 2**20, 1)
