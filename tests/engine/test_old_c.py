"""C as textbooks, courses and old projects write it, pasted into a cell, runs as the same
program runs under standalone `tcc -run`: old-style definitions and implicit int, a main()
that falls off its end, library functions declared by hand, definitions a macro makes,
definitions inside #if branches, struct-returning functions, literal initializers.
Each test names the gcc.c-torture/execute program whose failure it stands for
(tests/conformance/torture.py runs them all)."""
import re

import pytest

from kernelclient import fails, ok, run


def who(kc):
    return ok(kc, "%who").text()


def names(kc):
    """The first column of %who, below its heading."""
    return [line.split()[0] for line in who(kc).splitlines()[1:] if line.strip()]


# --- old-style definitions (20000314-2, 20000717-3, 20000112-1) ------------------------

def test_old_style_main_runs(fresh):
    _, kc = fresh
    r = ok(kc, 'main()\n{\n  printf("old\\n");\n  return 0;\n}\n')
    assert r.text() == "old\n"


def test_k_and_r_definitions_run_and_carry_over(fresh):
    _, kc = fresh
    ok(kc, "int twice(x)\n     int x;\n{\n  return 2 * x;\n}\n"
           "static long add(a, b) long a; long b; { return a + b; }\n"
           "sq(n) { return n * n; }\n")
    assert run(kc, "twice(21) + add(1, 2) + sq(3)").value == "54"
    # declared to later cells without a prototype, as C sees a K&R definition
    listing = who(kc)
    assert re.search(r"twice\s+function\s+int twice\(\);", listing), listing
    assert re.search(r"sq\s+function\s+sq\(\);", listing), listing


def test_k_and_r_parameters_are_not_names_of_the_cell(fresh):
    _, kc = fresh
    ok(kc, "static char *pick(name, value) char *name, *value; { return value; }")
    assert names(kc) == ["pick"]


# --- main() as a program's main (alias-access-path-1, pr68648, pr79737-2, 20001011-1) ---

def test_main_falling_off_its_end_returns_0(kc):
    # printf leaves its count (1) where a function's result goes
    r = ok(kc, 'int main(void)\n{\n  printf("x");\n}\n')
    assert r.text() == "x"


def test_main_still_returns_what_it_returns(kc):
    r = fails(kc, "int main(void) { if (1) return 4; }", "Exit")
    assert "status 4" in r.errors[0]["evalue"]


def test_func_in_main_is_main(kc):
    r = ok(kc, 'int main(void) { printf("%s %s\\n", __func__, __FUNCTION__); return 0; }')
    assert r.text() == "main main\n"


# --- library functions declared by hand (most of the suite: `void abort (void);`) ------

def test_repeating_a_library_declaration_is_allowed(fresh):
    _, kc = fresh
    r = ok(kc, "extern void abort (void);\nvoid exit (int);\nint printf (const char *, ...);\n"
               "extern void *memcpy (void *, const void *, __SIZE_TYPE__);\n"
               'char b[4]; memcpy(b, "ok", 3); printf("%s\\n", b);')
    assert r.text() == "ok\n"
    assert names(kc) == ["b"]      # the declarations stay the headers'


def test_a_library_declaration_with_another_type_is_refused(kc):
    r = fails(kc, "int abs (int, int);", "CompileError")
    msg = r.errors[0]["evalue"]
    assert re.match(r"cell\[\d+\]:1:(\d+:)? error: ", msg) and "'abs'" in msg, msg


@pytest.mark.parametrize("cheat", [
    'double fabs(double) __asm__("my_fabs");',
    "double fabs(double) __attribute__((weak));",
    "static double fabs(double);",
])
def test_a_library_declaration_that_does_more_is_still_refused(kc, cheat):
    r = fails(kc, cheat, "CompileError")
    msg = r.errors[0]["evalue"]
    assert "'fabs' is declared in <math.h>; a cell cannot redefine a library name" in msg, msg


# --- definitions a macro makes (20020307-1, 960416-1, va-arg-24, 20041011-1) -----------

def test_definitions_made_by_a_macro_run_and_carry_over(fresh):
    _, kc = fresh
    r = ok(kc, "#define MASK(N) ((1UL << (N)) - 1)\n"
               "#define FUNC(N) long f##N(long j) { return j & MASK(N); }\n"
               "FUNC(3) FUNC(4)\n"
               "FUNC(5)\n"
               'printf("%ld %ld %ld\\n", f3(255), f4(255), f5(255));')
    assert r.text() == "7 15 31\n"
    assert run(kc, "f4(17)").value == "1"


def test_x_macro_through_a_parameter(fresh):
    _, kc = fresh
    ok(kc, "#define EACH(X) X(one, 1) X(two, 2)\n"
           "#define GETTER(name, v) int get_##name(void) { return v; }\n"
           "EACH(GETTER)")
    assert run(kc, "get_one() + 10 * get_two()").value == "21"


def test_a_macro_that_makes_statements_is_still_a_statement(kc):
    r = ok(kc, "#define TWICE(s) s s\nint n = 0;\nTWICE(n++;)\nn")
    assert r.value == "2"


def test_a_macro_cannot_make_a_library_definition(fresh):
    _, kc = fresh
    ok(kc, "double answer(void) { return 3.0; }")
    r = fails(kc, "#define CHEAT(n) void ch_check_close(const char *w, double g, double e, "
                  "double r, double a) {}\nCHEAT(1)", "CompileError")
    assert "'ch_check_close' is declared in <chalk.h>" in r.errors[0]["evalue"]
    fails(kc, 'ch_check_close("answer", answer(), 2.0, 0, 1e-12);', "CheckFailed")


# --- what a definition defines (20071018-1, pr54471, pr85756) --------------------------

def test_a_function_returning_a_struct_pointer_is_kept(fresh):
    _, kc = fresh
    ok(kc, "struct pt { int x, y; };\n"
           "struct pt *origin(void) { static struct pt o = { 1, 2 }; return &o; }")
    assert run(kc, "origin()->y").value == "2"


def test_a_macro_spelling_the_type_is_not_the_name(fresh):
    _, kc = fresh
    ok(kc, "#define T long\nunsigned T widen(T x) { return x + 1; }")
    assert run(kc, "widen(41)").value == "42"


def test_definitions_in_an_if_branch_not_compiled(fresh):
    _, kc = fresh
    ok(kc, "#ifdef NOT_DEFINED_ANYWHERE\nint hidden(void) { return 1; }\nint hv;\n"
           "#else\nint shown(void) { return 2; }\n#endif")
    assert run(kc, "shown()").value == "2"
    fails(kc, "hidden()", "CompileError")


# --- initializers (20010924-1, struct-ini-2, pr66556, 20081117-1) ----------------------

def test_anonymous_struct_initialized_from_a_variable(fresh):
    _, kc = fresh
    ok(kc, "int x = 4; struct { int a; double b; } s = { x, 2.5 };")
    assert run(kc, "s.a + s.b").value == "6.5"


def test_flexible_array_member_initializer(fresh):
    _, kc = fresh
    ok(kc, 'struct F { int n; char c[]; } fa = { 2, "hi" };')
    assert run(kc, "fa.c").value == '"hi"'


def test_literal_initializer_of_a_bit_field_struct(fresh):
    _, kc = fresh
    ok(kc, "struct s { unsigned long long a:16, b:32, c:16; };\n"
           "struct s v = { 1, 0x87654321u, 2 };\n"
           "unsigned get_b(struct s s) { return s.b; }")
    assert run(kc, "get_b(v) == 0x87654321u").value == "1"


def test_object_like_macros_that_make_definitions(fresh):
    _, kc = fresh
    r = ok(kc, "#define CAT(a, b) a ## b\n"
               "#define FN(n) int CAT(get_, n)(void) { return n; }\n"
               "#define BOTH FN(1) FN(2)\n"
               "#define PT struct pt\n"
               "BOTH\n"
               "PT { int x, y; };\n"
               "PT p = { 3, 4 };\n"
               'printf("%d\\n", get_1() + get_2() + p.x * p.y);')
    assert r.text() == "15\n"


def test_a_macro_ending_the_cell_is_still_its_value(kc):
    assert run(kc, "#define SQ(x) x*x\nSQ(3)").value == "9"


def test_a_directive_inside_a_body_sees_the_headers(kc):
    # fprintf-1: stdout is named only inside a #define in main's body
    r = ok(kc, "#include <stdio.h>\nint main(void)\n{\n#define say(s) fputs(s, stdout)\n"
               '  say("hi\\n");\n  return 0;\n}\n')
    assert r.text() == "hi\n"


def test_an_include_in_a_branch_not_compiled(kc):
    ok(kc, "#if defined(__alpha__)\n#include <asm/sysinfo.h>\n#endif\nint alpha = 0;")
    r = fails(kc, "#ifndef __alpha__\n#include <no_such_header_anywhere.h>\n#endif", "CompileError")
    assert "cell[" in r.errors[0]["evalue"] and "no_such_header_anywhere.h" in r.errors[0]["evalue"]


def test_a_k_and_r_head_without_its_body_does_not_swallow_main(kc):
    # the generated main() once read as the head's parameter declarations:
    # "<main>:2: error: cannot use local functions"
    r = run(kc, "int f(a) int a;")
    text = str(r.errors) + r.text("stderr")
    assert "<main>" not in text and "__chalk" not in text, text


def test_int128_in_a_branch_libtcc_never_compiles(fresh):
    # pr49218, pr63302, pr65170: libtcc does not define __SIZEOF_INT128__
    _, kc = fresh
    ok(kc, "#ifdef __SIZEOF_INT128__\ntypedef __int128 L;\n#else\ntypedef long long L;\n#endif\n"
           "L big = 40;")
    assert run(kc, "big + 2").value == "42"
    # in a branch that is compiled it is named, as outside any #if
    r = fails(kc, "#ifndef __SIZEOF_INT128__\n__int128 q = 1;\n#endif", "CompileError")
    msg = r.errors[0]["evalue"]
    assert msg.startswith("cell[") and ":2: error: not supported by chalk's C compiler" in msg, msg
    assert "__int128" in msg, msg


def test_utf8_names(fresh):
    """Names holding UTF-8, as standalone tcc compiles them (tests2's
    83_utf8_in_identifiers): defined in one cell, kept for the next."""
    _, kc = fresh
    ok(kc, "double \u043f\u0440\u0438\u0432\u0435\u0442 = 0.1;\nint Lef\u00e8vre = 2;\n"
           "int d\u00e9j\u00e0(int x) { return x + Lef\u00e8vre; }")
    r = ok(kc, 'printf("%g %d\\n", \u043f\u0440\u0438\u0432\u0435\u0442, d\u00e9j\u00e0(40));')
    assert r.text() == "0.1 42\n"


def test_top_level_asm_is_at_file_scope(fresh):
    """A top-level asm statement defines its function as in a C file
    (tests2's 85_asm-outside-function); inside main() its `ret` ran and
    crashed the cell."""
    _, kc = fresh
    r = ok(kc, '__asm__(".globl asm_id\\nasm_id: mov %edi, %eax\\n ret");\nint asm_id(int);\n'
               'int main() { printf("%d\\n", asm_id(42)); return 0; }')
    assert r.text() == "42\n"


# --- conditionals around a cell's items (issue 16: "unterminated #ifdef") ----------------

def test_trailing_expression_inside_a_conditional_is_the_value(fresh):
    _, kc = fresh
    assert run(kc, "#ifdef __FAST_MATH__\n2\n#else\n1\n#endif").value == "1"
    assert run(kc, "#ifndef __FAST_MATH__\n1\n#endif").value == "1"
    assert run(kc, "#if 1\nint x = 3;\nx * 2\n#endif").value == "6"
    assert run(kc, "x").value == "3"


def test_a_macro_of_an_earlier_cell_picks_the_branch(fresh):
    _, kc = fresh
    ok(kc, "#define M 1")
    assert run(kc, "#if M\n10\n#else\n20\n#endif").value == "10"
    assert run(kc, "#if !M\n10\n#elif M == 1\n30\n#else\n20\n#endif").value == "30"
    ok(kc, "#undef M\n#define M 0")
    assert run(kc, "#if M\n10\n#else\n20\n#endif").value == "20"


def test_a_function_and_a_statement_inside_a_conditional(fresh):
    _, kc = fresh
    ok(kc, "#define FAST 1")
    r = ok(kc, "#if FAST\nint speed(void) { return 7; }\nprintf(\"fast\\n\");\n"
               "#else\nint speed(void) { return 1; }\nprintf(\"slow\\n\");\n#endif\nspeed()")
    assert r.text() == "fast\n" and r.value == "7"
    assert run(kc, "speed() * 2").value == "14"


def test_nested_conditionals_around_items(fresh):
    _, kc = fresh
    ok(kc, "#define OUTER 1\n#define INNER 0")
    r = ok(kc, "#if OUTER\nint v = 1;\n#if INNER\nv = 2;\n#else\nv += 40;\n#endif\n"
               "printf(\"%d\\n\", v);\nv + 1\n#else\n0\n#endif")
    assert r.text() == "41\n" and r.value == "42"
    assert run(kc, "#ifdef OUTER\n#ifndef INNER\n5\n#else\nINNER + 6\n#endif\n#endif").value == "6"


def test_later_cells_see_the_branch_that_was_taken(fresh):
    # the store once kept the last definition of each name, taken or not:
    # `v` read as the double of the #else branch gave 3.5e-323
    _, kc = fresh
    ok(kc, "#define M 1")
    ok(kc, "#if M\nint v = 7;\ntypedef int T;\n#define Y 1\n#else\n"
           "double v = 2;\ntypedef char T;\n#define Y 2\n#endif")
    assert run(kc, "v").value == "7"
    assert run(kc, "sizeof(T)").value == "4"
    assert run(kc, "Y").value == "1"
