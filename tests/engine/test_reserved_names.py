"""Library names are reserved: no cell can define, redefine, #define or #undef
a name a header declares (libc, GSL, libchalk; C11 7.1.3), by any route a
student could use to game a locked check cell; everyday names that clash
only with glibc's non-standard extras stay usable.

Each cheat is played as in a graded notebook: a wrong answer, the cheat in a
solution cell, then the locked check cell.  Before the rule every one of
these checks passed; now the cheat is a compile error at its own line and the
check fails as the wrong answer alone deserves.
"""
import re
import subprocess

import pytest

from kernelclient import fails, ok, run, start, stop

WRONG = "double answer(void) { return 3.0; }"           # the right answer is 2
CHECK = 'ch_check_close("answer", answer(), 2.0, 0, 1e-12);'
FABS_CHECK = 'ch_check_close("|answer - 2|", fabs(answer() - 2.0), 0, 0, 1e-12);'


@pytest.fixture(scope="module")
def shared():
    km, kc = start()
    yield kc
    stop(km, kc)


def refused(kc, code, name, header=None, line=1):
    """The cell is a CompileError naming `name` (and its header) at its line."""
    r = fails(kc, code, "CompileError")
    msg = r.errors[0]["evalue"]
    assert re.match(r"cell\[\d+\]:%d(:\d+)?: error: " % line, msg), msg
    assert f"'{name}'" in msg, msg
    if header:
        assert f"<{header}>" in msg, msg
    assert "\n" not in msg, msg
    return msg


def check_fails(kc, check=CHECK):
    fails(kc, check, "CheckFailed")


# --- the front door: definitions, macros, #undef --------------------------

@pytest.mark.parametrize("cheat, name", [
    ("void ch_check_close(const char *w, double g, double e, double r, double a) {}",
     "ch_check_close"),
    ("void ch_check(const char *w, int c, const char *f, ...) {}", "ch_check"),
    ("static void ch_check_close(const char *w, double g, double e, double r, double a) {}",
     "ch_check_close"),
])
def test_redefining_a_check_function_is_refused(fresh, cheat, name):
    _, kc = fresh
    ok(kc, WRONG)
    refused(kc, cheat, name, "chalk.h")
    check_fails(kc)
    fails(kc, 'ch_check("answer", answer() == 2.0, "got %g", answer());', "CheckFailed")


def test_redefining_every_check_at_once_names_the_first(fresh):
    _, kc = fresh
    ok(kc, WRONG)
    cheat = ("// friends\n"
             "void ch_check_le(const char *w, double a, double b) {}\n"
             "void ch_check_lt(const char *w, double a, double b) {}\n")
    refused(kc, cheat, "ch_check_le", "chalk.h", line=2)
    fails(kc, 'ch_check_lt("answer", answer(), 2.5);', "CheckFailed")


def test_define_of_a_check_is_refused(fresh):
    _, kc = fresh
    ok(kc, WRONG)
    refused(kc, "#define ch_check_close(...) ((void)0)", "ch_check_close", "chalk.h")
    check_fails(kc)


def test_define_of_a_libm_function_is_refused(fresh):
    _, kc = fresh
    ok(kc, WRONG)
    refused(kc, "\n#define fabs(x) 0.0", "fabs", "math.h", line=2)
    check_fails(kc, FABS_CHECK)


@pytest.mark.parametrize("cheat, name, header", [
    ("#undef assert", "assert", "assert.h"),
    ("#undef EOF", "EOF", "stdio.h"),
    ("static double fabs(double x) { return 0; }", "fabs", "math.h"),
    ("extern double exp;", "exp", "math.h"),
    ("double exp = 0;", "exp", "math.h"),
    ("int memcpy;", "memcpy", "string.h"),
    ("double gsl_vector_get(const gsl_vector *v, size_t i) { return 0; }",
     "gsl_vector_get", None),
    ("double fabs(double) __asm__(\"my_fabs\");", "fabs", "math.h"),
    ("typedef int size_t;", "size_t", None),
    ("struct timespec { int a; };", "struct timespec", "time.h"),
    ("enum { SEEK_SET = 3 };", "SEEK_SET", "stdio.h"),
])
def test_other_ways_through_the_front_door(shared, cheat, name, header):
    refused(shared, cheat, name, header)


# --- around the front door -------------------------------------------------

def test_asm_label_is_caught_by_the_symbol_check(shared):
    msg = refused(shared, 'void f(void) __asm__("ch_check_close");\nvoid f(void) {}',
                  "ch_check_close", "chalk.h")
    assert "defines the symbol" in msg, msg
    refused(shared, 'int x;\n__asm__(".globl fabs\\nfabs: ret");', "fabs", "math.h", line=2)


def write_header(kc, path, text):
    ok(kc, f'FILE *hf = fopen("{path}", "w"); fputs("{text}", hf); fclose(hf);')


def test_a_header_the_student_wrote_is_refused(fresh, tmp_path):
    _, kc = fresh
    ok(kc, WRONG)
    cheat = tmp_path / "cheat.h"
    write_header(kc, cheat, "#define ch_check_close(...) ((void)0)\\n")
    msg = refused(kc, f'// my helpers\n#include "{cheat}"', "ch_check_close", "chalk.h", line=2)
    assert "cheat.h" in msg, msg
    check_fails(kc)


def test_a_header_that_defines_a_library_function_is_refused(fresh, tmp_path):
    _, kc = fresh
    ok(kc, WRONG)
    inner = tmp_path / "inner.h"
    write_header(kc, inner, "static double fabs(double x) { return 0; }\\n")
    outer = tmp_path / "outer.h"
    write_header(kc, outer, f'#include \\"{inner}\\"\\n')
    msg = refused(kc, f'#include "{outer}"', "fabs", "math.h")
    assert "inner.h" in msg, msg
    check_fails(kc, FABS_CHECK)


def test_a_header_rewritten_after_its_include_is_refused(fresh, tmp_path):
    # Any new #include reads every earlier one again: they are checked again.
    _, kc = fresh
    ok(kc, WRONG)
    mine = tmp_path / "mine.h"
    write_header(kc, mine, "#define TWICE(x) (2 * (x))\\n")
    ok(kc, f'#include "{mine}"')
    write_header(kc, mine, "#define ch_check_close(...) ((void)0)\\n")
    msg = refused(kc, "#include <gsl/gsl_linalg.h>", "ch_check_close", "chalk.h")
    assert "mine.h" in msg, msg
    check_fails(kc)


def test_a_header_declaring_an_earlier_cells_name_is_refused(fresh, tmp_path):
    # `write` is the cell's own until <unistd.h> declares it; then a check
    # calling write() must not get the cell's.
    _, kc = fresh
    ok(kc, "long write(int fd, const void *b, unsigned long n) { return (long)n; }")
    msg = refused(kc, "// now the real one\n#include <unistd.h>", "write", "unistd.h", line=2)
    assert "earlier cell" in msg, msg
    ok(kc, "%reset")
    assert ok(kc, '#include <unistd.h>\nwrite(1, "ok\\n", 3)').text() == "ok\n"


def test_an_innocent_header_of_ones_own_works(fresh, tmp_path):
    _, kc = fresh
    mine = tmp_path / "mine.h"
    write_header(kc, mine, "#define TWICE(x) (2 * (x))\\nstatic double half(double x) "
                           "{ return x / 2; }\\n")
    assert ok(kc, f'#include "{mine}"\nhalf(TWICE(3.0))').value == "3.0"
    assert ok(kc, "TWICE(half(5.0))").value == "5.0"


@pytest.fixture
def cheat_lib(tmp_path):
    """A student's library: what a -D could rename a check to."""
    src, lib = tmp_path / "fake.c", tmp_path / "libfake.so"
    src.write_text("void ch_fake(const char *w, double g, double e, double r, double a) {}\n"
                   "double fabs2(double x) { return 0; }\n")
    subprocess.run(["tcc", "-shared", "-o", str(lib), str(src)], check=True)
    return lib


@pytest.mark.parametrize("flags, name, check", [
    ("-Dch_check_close=ch_fake", "ch_check_close", CHECK),
    ("-Dfabs=fabs2", "fabs", FABS_CHECK),
    ("-UM_PI", "M_PI", CHECK),
])
def test_cflags_cannot_define_a_library_name(fresh, cheat_lib, flags, name, check):
    _, kc = fresh
    ok(kc, WRONG)
    ok(kc, f"%ldflags {cheat_lib}")
    ok(kc, f"%cflags {flags}")
    msg = refused(kc, check, name)
    assert "%cflags" in msg, msg


def test_cflags_function_like_define_fails_the_check(fresh):
    # It breaks the header's own prototype, so the check cell cannot compile.
    _, kc = fresh
    ok(kc, WRONG)
    ok(kc, "%cflags -Dch_check_close(...)=")
    fails(kc, CHECK, "CompileError")


def test_cflags_include_is_refused(fresh, tmp_path):
    _, kc = fresh
    ok(kc, WRONG)
    cheat = tmp_path / "cheat.h"
    write_header(kc, cheat, "static void fake(const char *n, double g, double e, double r, "
                            "double a) {}\\n#define ch_check_close fake\\n")
    ok(kc, f"%cflags -include {cheat}")
    r = fails(kc, CHECK, "CompileError")
    assert "%cflags -include" in r.errors[0]["evalue"], r.errors[0]


def test_bare_session_keeps_library_names_reserved(fresh):
    _, kc = fresh
    ok(kc, "%prelude off")
    refused(kc, "void ch_check_close(const char *w, double g, double e, double r, double a) {}",
            "ch_check_close", "chalk.h")
    refused(kc, "double fabs(double x) { return 0; }", "fabs", "math.h")
    ok(kc, WRONG)
    check_fails(kc, "#include <chalk.h>\n" + CHECK)


def test_a_library_loaded_later_cannot_interpose(fresh, tmp_path):
    # %ldflags loads a student's library into the session, but libchalk and
    # libc were there first: the check still calls the real ones.
    _, kc = fresh
    ok(kc, WRONG)
    src, lib = tmp_path / "cheat.c", tmp_path / "libcheat.so"
    src.write_text("void ch_check_close(const char *w, double g, double e, double r, "
                   "double a) {}\ndouble fabs(double x) { return 0; }\n")
    subprocess.run(["tcc", "-shared", "-o", str(lib), str(src)], check=True)
    ok(kc, f"%ldflags {lib}")
    check_fails(kc)
    check_fails(kc, FABS_CHECK)


# --- everyday names ----------------------------------------------------------

def test_everyday_names_are_free(shared):
    ok(shared, "double gamma = 0.99;\ndouble y0 = 1;\nint j1 = 2;\nint index = 3;\n"
               "double y1 = 4, jn = 5;\nint link = 6;\nint timezone = 7;\nint tm = 0;")
    r = ok(shared, "gamma * 100 + y0 + j1 + index + y1 + jn + link + timezone + tm")
    assert r.value == "127.0"
    assert ok(shared, "gamma = 0.5; gamma").value == "0.5"


def test_shadowing_a_library_name_locally_is_allowed(shared):
    # Block scope is the caller's own: it cannot change what a check calls.
    ok(shared, "double damp(double exp) { double fabs = exp / 2; return fabs; }\n"
               "struct pt { double exp, y0; } here = { 1, 2 };")
    assert ok(shared, "{ double sqrt = 4; printf(\"%g\\n\", sqrt); }\ndamp(3)").value == "1.5"
    assert ok(shared, "fabs(-2.0) + sqrt(4.0)").value == "4.0"


def test_math_constants_need_no_include(shared):
    assert ok(shared, "M_PI").value == "3.141592653589793"
    assert ok(shared, "M_E * M_SQRT2 > 3.84").value == "1"


def test_an_own_include_of_unistd_brings_its_names(fresh):
    _, kc = fresh
    assert ok(kc, "#include <unistd.h>\ngetpid() > 0").value == "1"
    refused(kc, "int link;", "link", "unistd.h")
