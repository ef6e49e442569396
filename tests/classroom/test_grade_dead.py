"""A submission that kills its kernel earns nothing for the checks that never ran.

chalk-grade drives the kernel itself (share/classroom/chalk-grade.py, _Kernel): when the
kernel process dies, the rest of the notebook cannot run, and a check cell that never ran
has no outputs, which nbgrader's rule alone would score as full points.  nbgrader itself
fails the whole notebook there (its Execute preprocessor re-raises DeadKernelError).  The
submission: 02's reference answers, plus a solution-cell function that SIGKILLs the kernel
(found up the cell process's ancestors by its name) and an ungraded cell
calling it right after, before every check.  Every check must score 0 with the note saying
the kernel died; the reference alone scores full marks (test_grade.py).
"""
import gradetest as gt
from gradetest import NB02

KILLER = r'''
#include <signal.h>
#include <string.h>
#include <unistd.h>
void kill_my_kernel(void)
{
    /* Up the ancestors to the kernel: a cell's parent is the process holding the session,
     * whose parent may be an older holder still tearing itself down. */
    int pid = (int)getppid();
    for (int depth = 0; pid > 1 && depth < 16; depth++) {
        char path[64], name[64], state;
        int self = 0, parent = 0;
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            return;
        int got = fscanf(f, "%d %63s %c %d", &self, name, &state, &parent);
        fclose(f);
        if (got != 4)
            return;
        if (!strcmp(name, "(chalk-kernel)")) {
            kill(pid, SIGKILL);
            return;
        }
        pid = parent;
    }
}
'''


def _killing(ref):
    nb = {**ref, "cells": [dict(c) for c in ref["cells"]]}
    first = next(i for i, c in enumerate(nb["cells"])
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    cell = nb["cells"][first]
    cell["source"] = "".join(cell["source"]) + KILLER
    nb["cells"].insert(first + 1, {"cell_type": "code", "metadata": {}, "execution_count": None,
                                   "outputs": [], "source": "kill_my_kernel();"})
    return nb


def test_checks_after_the_kernel_died_score_zero(tmp_path):
    src = tmp_path / "source"
    ref = gt.generate(NB02, src)
    gt.write(_killing(ref), tmp_path / "subs" / "killer" / (NB02 + ".ipynb"))
    _, rows = gt.grade(tmp_path / "subs", tmp_path / "out", "--source", str(src), "--workers", "1")
    assert rows, "no rows"
    for r in rows:
        assert r["points"] == "0" and "kernel died" in r["note"], dict(r)
