"""No silent wrong number through the indirect forms of the library
boundary (issue 16, point 3; kernel/shared/abi.h).

test_abi.py covers structs by value and callbacks passed directly.  Here a
library built at test time (cc -shared) holds the same signatures one step
further away: (a) a pointer to a function pointer as a parameter, (b) a
callback inside a struct passed by value or pointed to, (c) a function
pointer the library returns (directly or inside a struct it points to),
each once with DI = {double; int} (a layout libtcc passes in other
registers than gcc, so refused, naming the function and the way out) and
once with DD = {double; double} (a layout it passes right, so the cell
prints what the same program built by gcc prints).
"""
import os
import re
import shutil
import subprocess

import pytest

from kernelclient import run

HEADER = r"""
typedef struct { double a; int b; } DI;
typedef struct { double a, b; } DD;
typedef DI (*di_fn)(DI);
typedef DD (*dd_fn)(DD);
struct ops_DI { const char *name; DI (*twice)(DI); };
struct ops_DD { const char *name; DD (*twice)(DD); };
typedef struct { int n; struct ops_DI ops; } nest_DI;
typedef struct { int n; struct ops_DD ops; } nest_DD;
struct ring_DI { struct ring_DI *next; di_fn f; };
double call_slot_DI(di_fn *slot);
double call_slot_DD(dd_fn *slot);
double call_raw_DI(DI (**slot)(DI));
double call_raw_DD(DD (**slot)(DD));
double run_ops_DI(const struct ops_DI *o);
double run_ops_DD(const struct ops_DD *o);
double run_nest_DI(nest_DI n);
double run_nest_DD(nest_DD n);
double run_ring_DI(struct ring_DI *r);
di_fn get_DI(void);
dd_fn get_DD(void);
const struct ops_DI *get_ops_DI(void);
const struct ops_DD *get_ops_DD(void);
double call_generic_DI(void *fn);
double call_generic_DD(void *fn);
DI twice_DI(DI s);
DD twice_DD(DD s);
DI (*get_raw_DI(void))(DI);
DD (*get_raw_DD(void))(DD);
"""

BODY = r"""
#include "ind.h"
#define SUM(s) ((s).a * 10 + (s).b)
double call_slot_DI(di_fn *slot) { DI s = { 1.5, 2 }; return SUM((*slot)(s)); }
double call_slot_DD(dd_fn *slot) { DD s = { 1.5, 2.5 }; return SUM((*slot)(s)); }
double call_raw_DI(DI (**slot)(DI)) { DI s = { 1.5, 2 }; return SUM((*slot)(s)); }
double call_raw_DD(DD (**slot)(DD)) { DD s = { 1.5, 2.5 }; return SUM((*slot)(s)); }
double run_ops_DI(const struct ops_DI *o) { DI s = { 1.5, 2 }; return SUM(o->twice(s)); }
double run_ops_DD(const struct ops_DD *o) { DD s = { 1.5, 2.5 }; return SUM(o->twice(s)); }
double run_nest_DI(nest_DI n) { DI s = { 1.5, 2 }; return n.n + SUM(n.ops.twice(s)); }
double run_nest_DD(nest_DD n) { DD s = { 1.5, 2.5 }; return n.n + SUM(n.ops.twice(s)); }
double run_ring_DI(struct ring_DI *r) { DI s = { 1.5, 2 }; return SUM(r->f(s)); }
static DI lib_twice_DI(DI s) { s.a *= 2; s.b *= 2; return s; }
static DD lib_twice_DD(DD s) { s.a *= 2; s.b *= 2; return s; }
di_fn get_DI(void) { return lib_twice_DI; }
dd_fn get_DD(void) { return lib_twice_DD; }
static const struct ops_DI ops_di = { "di", lib_twice_DI };
static const struct ops_DD ops_dd = { "dd", lib_twice_DD };
const struct ops_DI *get_ops_DI(void) { return &ops_di; }
const struct ops_DD *get_ops_DD(void) { return &ops_dd; }
double call_generic_DI(void *fn) { DI s = { 1.5, 2 }; return SUM(((di_fn)fn)(s)); }
double call_generic_DD(void *fn) { DD s = { 1.5, 2.5 }; return SUM(((dd_fn)fn)(s)); }
DI twice_DI(DI s) { return lib_twice_DI(s); }
DD twice_DD(DD s) { return lib_twice_DD(s); }
DI (*get_raw_DI(void))(DI) { return lib_twice_DI; }
DD (*get_raw_DD(void))(DD) { return lib_twice_DD; }
"""

# The cell's own functions (compiled by libtcc, called by the library).
OWN = ("DI tw_DI(DI s) { s.a *= 2; s.b *= 2; return s; }\n"
       "DD tw_DD(DD s) { s.a *= 2; s.b *= 2; return s; }\n")

# form: (the library function a cell calls, the call for DI/DD as {T})
FORMS = {
    "slot": ("call_slot_{T}", "{t}_fn f = tw_{T};\nprintf(\"%g\\n\", call_slot_{T}(&f));"),
    "raw_slot": ("call_raw_{T}", "{T} (*f)({T}) = tw_{T};\nprintf(\"%g\\n\", call_raw_{T}(&f));"),
    "ops": ("run_ops_{T}", "struct ops_{T} o = {{ \"mine\", tw_{T} }};\n"
                           "printf(\"%g\\n\", run_ops_{T}(&o));"),
    "nested_by_value": ("run_nest_{T}", "nest_{T} n = {{ 100, {{ \"mine\", tw_{T} }} }};\n"
                                        "printf(\"%g\\n\", run_nest_{T}(n));"),
    "returned": ("get_{T}", "{t}_fn g = get_{T}();\n"
                            "{T} s = {{ 1.5, 2 }};\nprintf(\"%g\\n\", SUM(g(s)));"),
    "returned_spelled": ("get_raw_{T}", "{T} s = {{ 1.5, 2 }};\n{T} r = get_raw_{T}()(s);\n"
                                        "printf(\"%g\\n\", SUM(r));"),
    "returned_in_struct": ("get_ops_{T}", "const struct ops_{T} *o = get_ops_{T}();\n"
                                          "{T} s = {{ 1.5, 2 }};\n"
                                          "printf(\"%g\\n\", SUM(o->twice(s)));"),
}


# (d) a cell's function handed to the library as `void *`; (c) a function
# pointer from dlsym, its type spelled in the cell or a typedef
FORMS.update({
    "cell_function_as_void_pointer": ("tw_{T}", "printf(\"%g\\n\", call_generic_{T}((void *)tw_{T}));"),
    "dlsym_typedef": ("", "void *h = dlopen(LIB, RTLD_NOW);\n{t}_fn g = ({t}_fn)dlsym(h, \"twice_{T}\");\n"
                          "{T} s = {{ 1.5, 2 }};\nprintf(\"%g\\n\", SUM(g(s)));"),
    "dlsym_spelled": ("", "void *h = dlopen(LIB, RTLD_NOW);\n"
                          "{T} (*g)({T}) = ({T} (*)({T}))dlsym(h, \"twice_{T}\");\n"
                          "{T} s = {{ 1.5, 2 }};\nprintf(\"%g\\n\", SUM(g(s)));"),
})


def cc():
    return shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")


@pytest.fixture(scope="module")
def indlib(tmp_path_factory):
    d = tmp_path_factory.mktemp("indlib")
    (d / "ind.h").write_text(HEADER)
    (d / "ind.c").write_text(BODY)
    subprocess.run([cc(), "-shared", "-fPIC", "-O1", "-o", str(d / "libind.so"), str(d / "ind.c")],
                   check=True)
    return d


def gcc_prints(d, name, code):
    """What the same program prints built by the system compiler."""
    src = d / ("ref_%s.c" % name)
    src.write_text('#include <stdio.h>\n#include <dlfcn.h>\n#include "ind.h"\n'
                   '#define SUM(s) ((s).a * 10 + (s).b)\n#define LIB "%s/libind.so"\n' % d
                   + OWN + "int main(void) {\n" + code + "\nreturn 0; }\n")
    exe = d / ("ref_%s" % name)
    subprocess.run([cc(), str(src), "-o", str(exe), "-L%s" % d, "-lind", "-Wl,-rpath,%s" % d,
                    "-ldl"], check=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def session(kc, d):
    res = run(kc, "%%ldflags -L%s -lind" % d)
    assert res.status == "ok", res.errors
    res = run(kc, '#include <dlfcn.h>\n#include "%s/ind.h"\n#define SUM(s) ((s).a * 10 + (s).b)\n'
                  '#define LIB "%s/libind.so"\n%s' % (d, d, OWN))
    assert res.status == "ok", res.errors


@pytest.mark.parametrize("form", sorted(FORMS))
def test_indirect_right_value_or_refused(fresh, indlib, form):
    kc = fresh[1]
    session(kc, indlib)
    fn, call = FORMS[form]
    # the right layout: the number gcc's program prints
    code = call.format(T="DD", t="dd")
    res = run(kc, code)
    assert res.status == "ok", res.errors
    expected = gcc_prints(indlib, form, code)
    assert expected.strip() not in ("", "0"), expected
    assert res.text() == expected
    # the wrong one: refused before it runs, naming the library function
    code = "int before_%s = 1;\n" % form + call.format(T="DI", t="di")
    res = run(kc, code)
    assert res.status == "error", (form, res.text())
    msg = res.errors[0]["evalue"]
    if form.startswith("dlsym"):
        line = 1 + next(i for i, l in enumerate(code.split("\n")) if "dlsym(" in l)
        assert re.match(r"cell\[4\]:%d(:\d+)?: error: a function pointer whose signature "
                        r"passes 'DI' by value, in a cell that takes functions from 'dlsym'"
                        % line, msg), msg
    elif form.startswith("cell_function"):
        line = 1 + next(i for i, l in enumerate(code.split("\n")) if "tw_DI" in l)
        assert re.match(r"cell\[4\]:%d(:\d+)?: error: 'tw_DI' passes 'DI' by value and is "
                        r"handed to 'call_generic_DI', which no cell defines" % line, msg), msg
    else:
        name = fn.format(T="DI")
        line = 1 + next(i for i, l in enumerate(code.split("\n")) if name in l)
        verb = "returns" if form.startswith("returned") else "takes"
        assert msg.startswith("cell[4]:%d: error: '%s' %s " % (line, name, verb)), msg
        assert "passes 'DI' by value" in msg, msg
    assert "cc -shared -fPIC" in msg and "'DI *'" in msg, msg
    assert res.text() == ""


def test_a_self_referring_struct_is_read(fresh, indlib):
    """A struct that points to its own kind (a list's `next`) is read to
    its callback, not followed forever."""
    kc = fresh[1]
    session(kc, indlib)
    res = run(kc, "struct ring_DI r = { &r, tw_DI };\nprintf(\"%g\\n\", run_ring_DI(&r));")
    assert res.status == "error"
    assert res.errors[0]["evalue"].startswith(
        "cell[3]:2: error: 'run_ring_DI' takes 'struct ring_DI *', which leads to a callback "
        "whose signature passes 'DI' by value"), res.errors[0]["evalue"]


def test_a_cell_function_among_cells_keeps_working(fresh, indlib):
    """Passed to a function a cell defines, or called through a pointer in
    the cell, a function with a wrong layout is libtcc on both sides: not
    refused, and right."""
    kc = fresh[1]
    session(kc, indlib)
    res = run(kc, "double my_call(di_fn f) { DI s = { 1.5, 2 }; return SUM(f(s)); }\n"
                  "di_fn p = tw_DI;\nDI s = { 1.5, 2 };\n"
                  "printf(\"%g %g\\n\", my_call(tw_DI), SUM(p(s)));")
    assert res.status == "ok", res.errors
    assert res.text() == "34 34\n"
