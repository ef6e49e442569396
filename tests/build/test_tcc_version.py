"""The libtcc version the kernel names is the version of the compiler that
compiles its cells.

configure finds the version by compiling a program with libtcc itself and
reading back __TINYC__ (0.9.27 has no version call); the kernel's banner says
"compiled in memory by libtcc A.B.C".  This test asks a cell for __TINYC__
(a*10000 + b*100 + c, as libtcc defines it) and compares: a version written by
hand into configure.ac, or read from a tcc binary that is not the linked
library, shows up here as a mismatch.
"""
import re

from kernelclient import TIMEOUT, run, start, stop


def test_banner_names_the_libtcc_that_compiles_cells():
    km, kc = start()
    try:
        kc.kernel_info()
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        banner = reply["content"]["banner"]
        m = re.search(r"compiled in memory by libtcc (\d+)\.(\d+)\.(\d+)\b", banner)
        assert m, f"the banner names no libtcc version: {banner!r}"
        a, b, c = (int(x) for x in m.groups())
        res = run(kc, '#include <stdio.h>\nprintf("%d\\n", __TINYC__);')
        assert res.status == "ok", res.errors
        assert int(res.text().strip()) == a * 10000 + b * 100 + c, (banner, res.text())
    finally:
        stop(km, kc)
