"""Every compile error, warning, link error and run-time error names the user's own cell,
line and (where it can be told) column, quotes that line with a caret under the column,
and never mentions code the user did not write (issue 11, point 2).

The table gives, for each malformed cell, the exact first line of the error
(`{n}` is the cell's execution count), the source line quoted under it and the
caret's column (None: libtcc's message names no token, and no caret is drawn).
"""
import re

import pytest

from kernelclient import fails, ok, run

CASES = [
    # unclosed or stray brackets, strings, comments: named where they open
    ("brace", "int f(void) {\nint x = 1;",
     "cell[{n}]:1:13: error: '{' is never closed", "int f(void) {", 13),
    ("brace-later-function", "int f1(void) { return 1; }\nint f2(void) {\n  return f1();\n",
     "cell[{n}]:2:14: error: '{' is never closed", "int f2(void) {", 14),
    ("paren", "int r = (1 + 2;",
     "cell[{n}]:1:9: error: '(' is never closed", "int r = (1 + 2;", 9),
    ("paren-in-call", "int g(int a) { return a; }\nint h(void) { return g( ; }",
     "cell[{n}]:2:27: error: '}' does not close the '(' of line 2",
     "int h(void) { return g( ; }", 27),
    ("stray-close", 'printf("%d\\n", 1));',
     "cell[{n}]:1:18: error: ')' has no opening '('", 'printf("%d\\n", 1));', 18),
    ("bracket", "int v[3] = {1, 2, 3};\nint w = v[1;",
     "cell[{n}]:2:10: error: '[' is never closed", "int w = v[1;", 10),
    ("string", 'char *s = "abc;',
     "cell[{n}]:1:11: error: missing terminating \" character", 'char *s = "abc;', 11),
    ("string-line-2", 'int k = 1;\nputs("two\n);',
     "cell[{n}]:2:6: error: missing terminating \" character", 'puts("two', 6),
    ("char", "char c = 'a;",
     "cell[{n}]:1:10: error: missing terminating ' character", "char c = 'a;", 10),
    ("comment", "int u = 1;\n/* a comment\nint t = 2;",
     "cell[{n}]:2:1: error: unterminated comment: '/*' has no '*/'", "/* a comment", 1),
    # missing operands: libtcc reads one token past them, the line is still the user's
    ("operand-one-line", "int y = sq(3) +;",
     "cell[{n}]:1:16: error: expected an operand before ';'", "int y = sq(3) +;", 16),
    ("operand-line-2", "int a = 1;\nint b = ;",
     "cell[{n}]:2:9: error: expected an operand before ';'", "int b = ;", 9),
    ("operand-statement", "int a2 = 1;\na2 = a2 * ;\nint c2 = 3;",
     "cell[{n}]:2:11: error: expected an operand before ';'", "a2 = a2 * ;", 11),
    ("operand-split-lines", "int v1 = 1;\nv1 = v1 -\n;",
     "cell[{n}]:3:1: error: expected an operand before ';'", ";", 1),
    ("operand-in-function", "int g2(void) { return 1; }\nint h2(void) { return 1 + ; }",
     "cell[{n}]:2:27: error: expected an operand before ';'",
     "int h2(void) { return 1 + ; }", 27),
    ("operand-second-declaration", "int u1 = 1; int u2 = u1 +;",
     "cell[{n}]:1:26: error: expected an operand before ';'", "int u1 = 1; int u2 = u1 +;", 26),
    ("operand-in-expression", "1 + ",
     None, "1 + ", None),
    ("missing-close-paren-arg", "int m = (1 + 2) * (3;",
     "cell[{n}]:1:19: error: '(' is never closed", "int m = (1 + 2) * (3;", 19),
    # undefined names: the first use in the cell
    ("undefined-variable", "int z = 1;\nz = q + 1;",
     "cell[{n}]:2:5: error: 'q' undeclared", "z = q + 1;", 5),
    ("undefined-in-function", "int ok1(void) { return 1; }\nint bad1(void) {\n  return nope * 2;\n}",
     "cell[{n}]:3:10: error: 'nope' undeclared", "  return nope * 2;", 10),
    ("undefined-function", "int w1 = 2;\nundefined_fn(w1);",
     "cell[{n}]:2:1: error: undefined symbol 'undefined_fn'", "undefined_fn(w1);", 1),
    ("undefined-function-in-function", "double twice(double x) {\n  return 2 * helper(x);\n}",
     "cell[{n}]:2:14: error: undefined symbol 'helper'", "  return 2 * helper(x);", 14),
    # type errors: no token to point at, the line is still exact
    ("type-member", "int w = 3;\nw.x = 1;",
     "cell[{n}]:2: error: struct or union expected", "w.x = 1;", None),
    ("type-convert", "double d = 1.0;\nint *pp = d;",
     "cell[{n}]:2: error: cannot convert 'double' to 'int *'", "int *pp = d;", None),
    ("type-got", "int e1 = 1\nint e2 = 2;",
     "cell[{n}]:2:1: error: ';' expected (got \"int\")", "int e2 = 2;", 1),
    ("missing-semicolon", "int g9(void) { return 1 }",
     "cell[{n}]:1:25: error: ';' expected (got \"}\")", "int g9(void) { return 1 }", 25),
    ("struct-semicolon", "struct pq {int a;}\nint zz = 1;",
     "cell[{n}]:1:18: error: ';' expected after '}'", "struct pq {int a;}", 18),
    # names may hold UTF-8, as libtcc's do (test_old_c.py: test_utf8_names)
    ("utf8-operator", "double x0 = 1;\ndouble y0 = x0 \u00d7 2;",
     "cell[{n}]:2:16: error: a character C does not know here (outside names, strings and "
     "comments, C is ASCII)", "double y0 = x0 \u00d7 2;", 16),
    ("struct-operand", "struct pt5 {double x;};\nstruct pt5 p5 = {1};\np5 + 1",
     "cell[{n}]:3: error: invalid operand types for binary operation", "p5 + 1", None),
    # the session's own refusals are quoted alike
    ("library-name", "int x9 = 1;\nint abs = 2;",
     "cell[{n}]:2:5: error: 'abs' is declared in <stdlib.h>; a cell cannot redefine a library "
     "name (C11 7.1.3)", "int abs = 2;", 5),
    ("missing-include", "int q9;\n#include <nonexistent.h>",
     "cell[{n}]:2: error: include file 'nonexistent.h' not found", "#include <nonexistent.h>", None),
    # after an #include and after a magic line the cell keeps its numbering
    ("after-include", '#include <string.h>\nint k = strlen("ab") +;',
     "cell[{n}]:2:23: error: expected an operand before ';'", 'int k = strlen("ab") +;', 23),
    ("after-magic", "%cflags -DX=1\nint m = ;",
     "cell[{n}]:2:9: error: expected an operand before ';'", "int m = ;", 9),
    ("after-cell-magic", "%%timeit\nint m2 = 1;\nm2 = ;",
     "cell[{n}]:3:6: error: expected an operand before ';'", "m2 = ;", 6),
    ("tabs-and-utf8", "int a3 = 1;\n\tputs(\"\u00e9t\u00e9\"); a3 = a3 + ;",
     "cell[{n}]:2:27: error: expected an operand before ';'",
     "\tputs(\"\u00e9t\u00e9\"); a3 = a3 + ;", 27),
]

OURS = re.compile(r"<main>|<session>|<headers>|__chalk|tcc:|\bcell\[\d+\]:0\b")


def caret_line(source, col):
    """The caret line under byte column `col` of `source` as a user sees it."""
    prefix = source.encode()[: col - 1].decode()
    return "    " + "".join("\t" if c == "\t" else " " for c in prefix) + "^"


def check_quoted(tb, i, source, col):
    assert tb[i] == "    " + source, tb
    if col is None:
        assert len(tb) == i + 1 or not tb[i + 1].lstrip().startswith("^"), tb
    else:
        assert tb[i + 1] == caret_line(source, col), tb


@pytest.mark.parametrize("name,code,first,source,col", CASES, ids=[c[0] for c in CASES])
def test_compile_error_points_at_the_users_line(kc, name, code, first, source, col):
    r = fails(kc, code, "CompileError")
    err = r.errors[0]
    n = r.reply["content"]["execution_count"]
    tb = err["traceback"]
    for line in tb:
        assert not OURS.search(line), tb
    messages = [t for t in tb if not t.startswith("    ")]
    assert len(messages) == len(set(messages)), tb       # each said once
    if first is None:       # a value cell: the operand's line, quoted
        assert re.match(r"cell\[%d\]:1(:\d+)?: error: " % n, tb[0]), tb
        check_quoted(tb, 1, source, None if len(tb) < 3 else len(source))
        return
    # warnings (an implicit declaration) may come first, each quoted alike
    i = next(i for i, t in enumerate(tb) if ": error: " in t)
    assert tb[i] == first.replace("{n}", str(n)), tb
    assert err["evalue"] == tb[i]
    check_quoted(tb, i + 1, source, col)


def test_warning_quotes_the_line(kc):
    r = ok(kc, "long lv = 1;\nint *pw = lv; pw == 0")
    n = r.reply["content"]["execution_count"]
    warn = [d for d in r.displays if d["metadata"].get("chalk_warnings")]
    assert warn, r.displays
    text = warn[0]["data"]["text/plain"].splitlines()
    assert text == ["cell[%d]:2: warning: assignment makes pointer from integer without a cast" % n,
                    "    int *pw = lv; pw == 0"]


def test_implicit_declaration_warning_has_a_caret(kc):
    r = fails(kc, "int x5 = 2;\nx5 = not_there(x5);")
    n = r.reply["content"]["execution_count"]
    warn = [d for d in r.displays if d["metadata"].get("chalk_warnings")]
    text = warn[0]["data"]["text/plain"].splitlines()
    assert text == ["cell[%d]:2:6: warning: implicit declaration of function 'not_there'" % n,
                    "    x5 = not_there(x5);", "         ^"]


def test_runtime_error_quotes_the_line(kc):
    r = fails(kc, "int first = 1;\nint *bad = 0;\n*bad = first;\n", "SIGSEGV")
    n = r.reply["content"]["execution_count"]
    tb = r.errors[0]["traceback"]
    assert "at cell[%d]:3;" % n in tb[0], tb
    assert tb[1] == "    *bad = first;", tb


def test_runtime_error_in_a_function_quotes_its_line(kc):
    r = fails(kc, "void poke3(int *p) {\n  p[1] = 1;\n}\npoke3(0);", "SIGSEGV")
    tb = r.errors[0]["traceback"]
    assert "in poke3()" in tb[0] and tb[1] == "      p[1] = 1;", tb


def test_a_failed_cell_keeps_the_session(kc):
    ok(kc, "int kept_d = 41;")
    fails(kc, "kept_d = ;")
    assert run(kc, "kept_d + 1").value == "42"


# Point 4: a trailing value of struct type shows its fields, like a debugger's print.
def test_struct_value_shows_its_fields(kc):
    r = ok(kc, "struct pt {double x, y;};\nstruct pt q = {1, 2.5};\nq")
    assert r.value == "{x = 1, y = 2.5}"
    assert run(kc, "q.y * 2").value == "5.0"      # the cell's definitions are kept


def test_svd_value_shows_its_parts(kc):
    r = ok(kc, "gsl_matrix *A4 = MAT(2, 3, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0);\nch_svd(A4)")
    assert r.value == "{U = <2 x 2 matrix>, S = <vector of 2>, V = <3 x 2 matrix>}"


def test_struct_value_with_arrays_nested_and_pointers(kc):
    r = ok(kc, "struct in4 {int a;};\n"
           "struct rec4 { int n; double v[3]; struct in4 w; const char *s; int *p; long big[20]; };\n"
           "struct rec4 r4 = {3, {1, 2, 3}, {5}, \"hi\", 0, {0}};\nr4")
    assert r.value == ("{n = 3, v = {1, 2, 3}, w = {a = 5}, s = \"hi\", p = NULL, "
                       "big = {0, 0, 0, 0, 0, 0, 0, 0, ...}}")


def test_nested_structs_to_a_small_depth(kc):
    r = ok(kc, "struct l3 {int z;}; struct l2 {struct l3 c; double d;}; struct l1 {struct l2 b;};\n"
           "struct l0 {struct l1 a; int e;};\nstruct l0 deep = {{{{7}, 0.5}}, 9};\ndeep")
    assert r.value == "{a = {b = {c = {...}, d = 0.5}}, e = 9}"


def test_struct_value_that_cannot_be_shown_is_one_line_and_keeps_the_cell(kc):
    r = ok(kc, "typedef struct { int a; } anon4;\nanon4 an4 = {4};\nan4")
    assert r.value == "<struct <anonymous>, 4 bytes: its fields cannot be shown>"
    assert run(kc, "an4.a + 1").value == "5"


# Point 7: input prompts like Python's input(prompt).
class NotebookFrontEnd:
    """A client that sends what JupyterLab sends with each cell: a cellId in the request's
    metadata (JupyterLab then echoes an answer as prompt + " " + value)."""

    def __init__(self, kc):
        self.kc = kc

    def __getattr__(self, name):
        return getattr(self.kc, name)

    def execute(self, code, allow_stdin=False, **kw):
        content = dict(code=code, silent=False, store_history=True, user_expressions={},
                       allow_stdin=allow_stdin, stop_on_error=True)
        msg = self.kc.session.msg("execute_request", content, metadata={"cellId": "cell-1"})
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]


ASK = 'int n7; printf("Enter an integer: "); scanf("%d", &n7); printf("got %d\\n", n7);'


def test_unterminated_text_before_a_read_is_the_prompt(kc):
    r = ok(kc, ASK, allow_stdin=True, answers=["42"])
    assert r.inputs == ["Enter an integer: "]      # as jupyter console prints it
    assert r.text() == "got 42\n"                  # and not also left on stdout


def test_prompts_after_complete_lines(kc):
    r = ok(kc, 'printf("line one\\nname? "); char nm7[32]; scanf("%31s", nm7);\n'
           'printf("hi %s\\n", nm7); printf("age? "); int a7; scanf("%d", &a7); printf("%d\\n", a7);',
           allow_stdin=True, answers=["bob", "7"])
    assert r.inputs == ["name? ", "age? "]
    assert r.text() == "line one\nhi bob\n7\n"


def test_notebook_echo_has_no_stray_space(kc):
    # JupyterLab shows prompt + " " + value: the prompt's own space would show twice
    r = ok(NotebookFrontEnd(kc), ASK, allow_stdin=True, answers=["42"])
    assert r.inputs == ["Enter an integer:"]
    assert r.inputs[0] + " " + "42" == "Enter an integer: 42"
    assert r.text() == "got 42\n"


def test_read_without_prompt(kc):
    r = ok(kc, 'int k7; scanf("%d", &k7); k7', allow_stdin=True, answers=["5"])
    assert r.inputs == [""] and r.value == "5"


def test_prompt_without_input_ends_its_line(kc):
    r = ok(kc, 'int m7 = -1; printf("m? "); scanf("%d", &m7); printf("%d\\n", m7);')
    assert r.text().startswith("m? \n[chalk] no input available"), r.text()
    assert r.text().endswith("\n-1\n")


# Inspect (Shift+Tab) and %who: the session's declarations as the cell wrote them.
DECLS = ("int sq8(int x) { return x * x; }\nchar *s8 = \"hi\";\ndouble xs8[300];\n"
         "static const double *const pc8 = 0;\nint (*fp8)(int) = sq8;\nint a8 = 1, *b8 = 0;\n"
         "int many8(int a,\n          double b) { return a; }")


def inspect(kc, code):
    msg_id = kc.inspect(code, len(code), 0)
    while True:
        r = kc.get_shell_msg(timeout=60)
        if r["parent_header"].get("msg_id") == msg_id:
            return r["content"]


def test_who_shows_declarations_as_written(kc):
    ok(kc, DECLS)
    rows = {}
    for line in ok(kc, "%who").text().splitlines()[1:]:
        name, kind, decl = line.split(None, 2)
        rows[name] = (kind, decl)
    assert rows["sq8"] == ("function", "int sq8(int x);")
    assert rows["s8"] == ("variable", "char *s8")
    assert rows["xs8"] == ("variable", "double xs8[300]")
    assert rows["pc8"] == ("variable", "const double *const pc8")
    assert rows["fp8"] == ("variable", "int (*fp8)(int)")
    assert rows["b8"] == ("variable", "int *b8")        # one of two declarators: C's usual spelling
    assert rows["many8"] == ("function", "int many8(int a, double b);")


@pytest.mark.parametrize("name,decl", [
    ("sq8", "int sq8(int x);"), ("s8", "char *s8"), ("xs8", "double xs8[300]"),
    ("many8", "int many8(int a, double b);"),
])
def test_inspect_shows_the_session_declaration(kc, name, decl):
    ok(kc, DECLS)
    r = inspect(kc, name)
    assert r["found"], r
    assert r["data"]["text/plain"].splitlines()[0] == decl


def test_unknown_cell_magic_is_named(kc):
    r = fails(kc, "%%time\nint m9 = 1;", "UsageError")
    n = r.reply["content"]["execution_count"]
    assert r.errors[0]["evalue"] == ("cell[%d]:1: unknown magic %%%%time (chalk's cell magics are "
                                     "%%%%timeit and %%%%cc; %%help lists the line magics)" % n)
