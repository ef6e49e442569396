"""What libtcc 0.9.27 cannot compile gets one message that names the feature
and what to write instead (issue 16, point 4; kernel/unsupported.h).

Before, a cell saw libtcc's message from wherever it stopped: `#include
<complex.h>` then `creal(z)` gave `<headers>:4: error: ',' expected (got
"__z")`, `__int128 x;` gave `';' expected (got "x")`, a top-level
`double a[n];` gave `constant expression expected`.
"""
import pytest

from kernelclient import run

NOT_HERE = "not supported by chalk's C compiler (libtcc 0.9.27)"


def error_of(kc, code):
    res = run(kc, code)
    assert res.status == "error"
    assert len(res.errors) == 1
    assert res.errors[0]["ename"] == "CompileError"
    return res.errors[0]["evalue"]


COMPLEX = ("C99 complex arithmetic (<complex.h>, _Complex); use gsl_complex from "
           "<gsl/gsl_complex_math.h>")


def test_complex_h(kc):
    msg = error_of(kc, "#include <complex.h>\ndouble complex z = 1.0 + 2.0 * I;\ncreal(z)")
    assert msg.startswith("cell[") and ":1: error: " + NOT_HERE + ": " + COMPLEX in msg


def test_complex_keyword(kc):
    msg = error_of(kc, "int k = 1;\ndouble _Complex z = 1.0;")
    assert ":2: error: " + NOT_HERE + ": " + COMPLEX in msg


def test_int128(kc):
    msg = error_of(kc, "unsigned __int128 big = 1;")
    assert (NOT_HERE + ": the 128-bit integer type __int128; use int64_t or uint64_t "
            "from <stdint.h>") in msg


def test_stdatomic(kc):
    msg = error_of(kc, "#include <stdatomic.h>\natomic_int hits = 0;")
    assert NOT_HERE + ": C11 atomics (<stdatomic.h>, _Atomic); use plain variables" in msg


def test_atomic_keyword(kc):
    msg = error_of(kc, "_Atomic int hits = 0;")
    assert NOT_HERE + ": C11 atomics (<stdatomic.h>, _Atomic)" in msg


def test_tgmath(kc):
    msg = error_of(kc, "#include <tgmath.h>\nsqrt(2.0f)")
    assert NOT_HERE + ": type-generic math (<tgmath.h>); call the function for the type" in msg


@pytest.mark.parametrize("code", ["_Thread_local int tls = 4;", "static __thread int tls2;"])
def test_thread_local_storage(kc, code):
    # was `';' expected (got "int")` from libtcc
    assert NOT_HERE + ": thread-local storage (_Thread_local, __thread); use a plain global" \
        in error_of(kc, code)


def test_top_level_vla(kc):
    msg = error_of(kc, "int n = 4;\ndouble a[n];")
    assert ":2: error: a variable-length array cannot be declared at a cell's top level" in msg
    assert "malloc(n * sizeof *a)" in msg


def test_vla_inside_a_function_still_works(kc):
    res = run(kc, "double sum_first(int m) { double b[m]; double s = 0;\n"
                  "  for (int i = 0; i < m; i++) { b[i] = i; s += b[i]; } return s; }\n"
                  "sum_first(4)")
    assert res.status == "ok", res.errors
    assert res.value == "6.0"


def test_the_words_in_strings_and_comments_are_fine(kc):
    res = run(kc, '/* _Complex and __int128 are not C we run */\n'
                  'printf("%s\\n", "#include <complex.h>");')
    assert res.status == "ok", res.errors
    assert res.text() == "#include <complex.h>\n"
