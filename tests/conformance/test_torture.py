"""GCC's gcc.c-torture/execute programs as chalk cells, in `make check`: the whole suite
(tests/conformance/torture.py, 1-2 minutes on two cores), failing when a program of the
committed baseline no longer passes.  Skipped, visibly, where Debian's gcc-12-source is not
installed (share/deploy/install-chalk.sh --test-tools installs it)."""
import glob
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.mark.skipif(not glob.glob("/usr/src/gcc-12/gcc-*.tar.*"),
                    reason="gcc-12-source is not installed (install-chalk.sh --test-tools)")
def test_no_program_of_the_baseline_stops_passing():
    work = os.path.join(os.environ.get("CHALK_BUILDDIR", "."), "tests", "conformance", "work")
    p = subprocess.run([sys.executable, os.path.join(HERE, "torture.py"), "--workdir", work],
                       capture_output=True, text=True)
    print(p.stdout)
    print(p.stderr, file=sys.stderr)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
    assert "REGRESSION" not in p.stdout
