"""tinycc's tests2 programs as chalk cells, in `make check` (tests/conformance/tests2.py, the
committed subset in tests/conformance/tests2/: 88 programs, about 20-30 s on two cores),
failing when a program of the committed baseline no longer passes."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_no_program_of_the_baseline_stops_passing():
    work = os.path.join(os.environ.get("CHALK_BUILDDIR", "."), "tests", "conformance", "work",
                        "tests2")
    p = subprocess.run([sys.executable, os.path.join(HERE, "tests2.py"), "--workdir", work],
                       capture_output=True, text=True)
    print(p.stdout)
    print(p.stderr, file=sys.stderr)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
    assert "REGRESSION" not in p.stdout
    assert "88 pass with standalone tcc -run" in p.stdout, p.stdout[-2000:]
