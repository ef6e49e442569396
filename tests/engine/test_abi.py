"""Calls across the library boundary give the numbers gcc-compiled code gets
(issue 16, point 3; kernel/abi.h).

libtcc 0.9.27 passes gsl_complex ({double[2]}) and gsl_complex_float
({float[2]}) in the wrong registers, so without the thunks every GSL complex
function gave a wrong value in a cell, silently.  The big test calls every
GSL function that takes or returns one by value, with fixed arguments, once
in a cell and once in a program built by the system C compiler, and compares
everything printed: the result and each vector or matrix argument after the
call.  The set of functions is read from the GSL headers here, independently
of kernel/mkthunks.py, so a function the generator missed fails the test.
"""
import glob
import os
import re
import shutil
import subprocess

import pytest

from kernelclient import run

GSL_INCLUDE = "/usr/include/gsl"
COMPLEX_TYPES = ("gsl_complex", "gsl_complex_float", "gsl_complex_long_double")
BY_VALUE = re.compile(r"\bgsl_complex(?:_float|_long_double)?\s+(?:const\s+)?\w+\s*$")
PROTO = re.compile(r"([\w\s\*]*?)\b(gsl_\w+)\s*\(([^;{}()]*)\)\s*;")


def header_functions():
    """name -> prototype text for every GSL function with gsl_complex,
    gsl_complex_float or gsl_complex_long_double by value in its result or
    parameters."""
    found = {}
    for path in sorted(glob.glob(os.path.join(GSL_INCLUDE, "*.h"))):
        text = open(path, encoding="latin-1").read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
        for m in PROTO.finditer(text):
            ret, name, params = m.group(1), m.group(2), m.group(3)
            ret = ret.split()[-1:] if ret.strip() else []
            by_ret = ret and ret[-1] in COMPLEX_TYPES
            by_arg = any(BY_VALUE.search(p.strip()) for p in params.split(","))
            if by_ret or by_arg:
                found[name] = "%s %s(%s)" % (ret[-1] if ret else "", name, " ".join(params.split()))
    return found


def split_params(params):
    out = []
    for p in params.split(","):
        p = p.strip()
        if p in ("", "void"):
            continue
        m = re.match(r"(.*?)(\w+)\s*(\[\s*\])?$", p)
        out.append((m.group(1).replace("const", "").strip(), m.group(2), bool(m.group(3))))
    return out


OBJECTS = {
    "gsl_vector_complex *": ("gsl_vector_complex *{v} = vc({k});", "pvc(\"{v}\", {v});"),
    "gsl_vector_complex_float *": ("gsl_vector_complex_float *{v} = vcf({k});", "pvcf(\"{v}\", {v});"),
    "gsl_matrix_complex *": ("gsl_matrix_complex *{v} = mc({k});", "pmc(\"{v}\", {v});"),
    "gsl_matrix_complex_float *": ("gsl_matrix_complex_float *{v} = mcf({k});", "pmcf(\"{v}\", {v});"),
    "gsl_vector_complex_long_double *": ("gsl_vector_complex_long_double *{v} = vcl({k});",
                                         "pvcl(\"{v}\", {v});"),
    "gsl_matrix_complex_long_double *": ("gsl_matrix_complex_long_double *{v} = mcl({k});",
                                         "pmcl(\"{v}\", {v});"),
    "gsl_spmatrix_complex_long_double *": ("gsl_spmatrix_complex_long_double *{v} = "
                                           "gsl_spmatrix_complex_long_double_alloc(3, 3);", ""),
    "gsl_spmatrix_complex *": ("gsl_spmatrix_complex *{v} = gsl_spmatrix_complex_alloc(3, 3);", ""),
    "gsl_spmatrix_complex_float *": ("gsl_spmatrix_complex_float *{v} = "
                                     "gsl_spmatrix_complex_float_alloc(3, 3);", ""),
}
SCALARS = {
    "double": "{x}", "float": "{x}f", "size_t": "1", "int": "{n}",
    "gsl_complex": "gsl_complex_rect({x}, {y})",
    "gsl_complex_float": "cf({x}, {y})",
    "gsl_complex_long_double": "cld({x}, {y})",
    "CBLAS_TRANSPOSE_t": "CblasNoTrans", "CBLAS_UPLO_t": "CblasUpper",
    "CBLAS_SIDE_t": "CblasLeft", "CBLAS_DIAG_t": "CblasNonUnit",
}

HELPERS = r"""
static gsl_complex_float cf(float x, float y) { gsl_complex_float z; GSL_SET_COMPLEX(&z, x, y); return z; }
static gsl_vector_complex *vc(int k) { gsl_vector_complex *v = gsl_vector_complex_alloc(3);
  for (int i = 0; i < 3; i++) { v->data[2*i] = 0.5 + 0.25*i + k; v->data[2*i+1] = 0.125*i - k; } return v; }
static gsl_vector_complex_float *vcf(int k) { gsl_vector_complex_float *v = gsl_vector_complex_float_alloc(3);
  for (int i = 0; i < 3; i++) { v->data[2*i] = 0.5f + 0.25f*i + k; v->data[2*i+1] = 0.125f*i - k; } return v; }
static gsl_matrix_complex *mc(int k) { gsl_matrix_complex *m = gsl_matrix_complex_alloc(3, 3);
  for (int i = 0; i < 18; i++) m->data[i] = (i % 7) * 0.25 + (i == 2*(i/2) ? 1.0 : -0.5) + k; return m; }
static gsl_matrix_complex_float *mcf(int k) { gsl_matrix_complex_float *m = gsl_matrix_complex_float_alloc(3, 3);
  for (int i = 0; i < 18; i++) m->data[i] = (i % 7) * 0.25f + (i == 2*(i/2) ? 1.0f : -0.5f) + k; return m; }
static void pvc(const char *n, const gsl_vector_complex *v) { printf(" %s=", n);
  for (int i = 0; i < 6; i++) printf("%.17g,", v->data[i]); }
static void pvcf(const char *n, const gsl_vector_complex_float *v) { printf(" %s=", n);
  for (int i = 0; i < 6; i++) printf("%.9g,", (double)v->data[i]); }
static void pmc(const char *n, const gsl_matrix_complex *m) { printf(" %s=", n);
  for (int i = 0; i < 18; i++) printf("%.17g,", m->data[i]); }
static void pmcf(const char *n, const gsl_matrix_complex_float *m) { printf(" %s=", n);
  for (int i = 0; i < 18; i++) printf("%.9g,", (double)m->data[i]); }
static gsl_complex_long_double cld(long double x, long double y) { gsl_complex_long_double z; GSL_SET_COMPLEX(&z, x, y); return z; }
static gsl_vector_complex_long_double *vcl(int k) { gsl_vector_complex_long_double *v = gsl_vector_complex_long_double_alloc(3);
  for (int i = 0; i < 3; i++) { v->data[2*i] = 0.5L + 0.25L*i + k; v->data[2*i+1] = 0.125L*i - k; } return v; }
static gsl_matrix_complex_long_double *mcl(int k) { gsl_matrix_complex_long_double *m = gsl_matrix_complex_long_double_alloc(3, 3);
  for (int i = 0; i < 18; i++) m->data[i] = (i % 7) * 0.25L + (i == 2*(i/2) ? 1.0L : -0.5L) + k; return m; }
static void pvcl(const char *n, const gsl_vector_complex_long_double *v) { printf(" %s=", n);
  for (int i = 0; i < 6; i++) printf("%.17g,", (double)v->data[i]); }
static void pmcl(const char *n, const gsl_matrix_complex_long_double *m) { printf(" %s=", n);
  for (int i = 0; i < 18; i++) printf("%.17g,", (double)m->data[i]); }
static void pzl(gsl_complex_long_double z) { printf(" -> %.17g %.17g", (double)GSL_REAL(z), (double)GSL_IMAG(z)); }
static void pz(gsl_complex z) { printf(" -> %.17g %.17g", GSL_REAL(z), GSL_IMAG(z)); }
static void pzf(gsl_complex_float z) { printf(" -> %.9g %.9g", (double)GSL_REAL(z), (double)GSL_IMAG(z)); }
"""
INCLUDES = ("#include <stdio.h>\n#include <gsl/gsl_errno.h>\n#include <gsl/gsl_complex_math.h>\n"
            "#include <gsl/gsl_blas.h>\n#include <gsl/gsl_linalg.h>\n#include <gsl/gsl_poly.h>\n"
            "#include <gsl/gsl_spmatrix.h>\n#include <gsl/gsl_vector.h>\n#include <gsl/gsl_matrix.h>\n")


def call_block(k, proto):
    """C statements calling the function of `proto` and printing what it gave."""
    m = re.match(r"(\w*)\s+(\w+)\((.*)\)$", proto)
    ret, name, params = m.group(1), m.group(2), split_params(m.group(3))
    setup, show, args = [], [], []
    for i, (ptype, pname, is_array) in enumerate(params):
        x, y, n = "%.3f" % (0.375 + 0.125 * i), "%.3f" % (-0.625 + 0.25 * i), 1
        v = "a%d_%d" % (k, i)
        if is_array:           # the polynomial coefficients of gsl_*poly_complex_eval
            elem = SCALARS[ptype].format(x=x, y=y, n=n)
            setup.append("%s %s[3] = { %s, %s, %s };" % (ptype, v, elem, elem, elem))
            args.append(v)
        elif ptype in OBJECTS or ptype + " *" in OBJECTS:
            key = ptype if ptype in OBJECTS else ptype + " *"
            decl, pr = OBJECTS[key]
            setup.append(decl.format(v=v, k=i))
            if pr:
                show.append(pr.format(v=v))
            args.append(v)
        elif ptype.endswith("*"):      # an output: gsl_complex *
            base = ptype[:-1].strip()
            setup.append("%s %s = %s;" % (base, v, SCALARS[base].format(x=x, y=y, n=n)))
            args.append("&" + v)
        else:
            if name.endswith("_poly_complex_eval") and pname == "len":
                n = 3
            args.append(SCALARS[ptype].format(x=x, y=y, n=n))
    call = "%s(%s)" % (name, ", ".join(args))
    if ret == "gsl_complex":
        body = "pz(%s);" % call
    elif ret == "gsl_complex_float":
        body = "pzf(%s);" % call
    elif ret == "gsl_complex_long_double":
        body = "pzl(%s);" % call
    elif ret == "void":
        body = call + ";"
    else:
        body = 'printf(" -> %%.17g", (double)%s);' % call
    return '{ %s printf("%s"); %s %s printf("\\n"); }' % (
        " ".join(setup), name, body, " ".join(show))


def program(protos):
    return INCLUDES + HELPERS + "void run_all(void) {\ngsl_set_error_handler_off();\n" + "\n".join(
        call_block(k, p) for k, p in enumerate(protos)) + "\n}\n"


def gcc_output(source, tmp_path):
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    src = tmp_path / "ref.c"
    src.write_text(source + "int main(void) { run_all(); return 0; }\n")
    exe = tmp_path / "ref"
    # the executor's own GSL_LIBS (its CBLAS rounds differently from gslcblas)
    libs = os.environ.get("CHALK_GSL_LIBS", "-lgsl -lgslcblas -lm").split()
    subprocess.run([cc, str(src), "-o", str(exe)] + libs, check=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def cell_output(kc, source):
    """The same program as a cell: its main's body run by chalk."""
    res = run(kc, "%reset")
    assert res.status == "ok"
    res = run(kc, source + "run_all();\n")
    assert res.status == "ok", res.errors
    return res.text()


def test_every_gsl_complex_function_matches_gcc(kc, tmp_path):
    functions = header_functions()
    assert len(functions) > 100, functions        # the headers were read
    protos = [functions[n] for n in sorted(functions)]
    source = program(protos)
    want = gcc_output(source, tmp_path).splitlines()
    got = cell_output(kc, source).splitlines()
    assert len(want) == len(protos)
    diffs = [(w, g) for w, g in zip(want, got) if w != g]
    # 32 bytes, passed in memory by both compilers: called directly, no thunk
    routed = open(os.path.join(os.environ["CHALK_BUILDDIR"], "kernel", "shared", "abi_thunks.list")).read()
    assert "gsl_vector_complex_get(" in routed
    assert "long_double" not in routed
    assert any("long_double" in p for p in protos)
    assert not diffs and len(got) == len(want), "\n".join("gcc:  %s\ncell: %s" % d for d in diffs[:5])


def test_complex_mul_in_a_cell(kc):
    res = run(kc, "#include <gsl/gsl_complex_math.h>\n"
                  "gsl_complex z = gsl_complex_mul(gsl_complex_rect(1, 2), gsl_complex_rect(1, 2));\n"
                  'printf("%g%+gi\\n", GSL_REAL(z), GSL_IMAG(z));')
    assert res.status == "ok", res.errors
    assert res.text() == "-3+4i\n"


def test_a_wrapper_is_still_a_library_name(kc):
    """The wrapper is the cell's static function, but the name stays the
    library's: a cell cannot redefine it, nor the thunk behind it."""
    res = run(kc, "#include <gsl/gsl_complex_math.h>\n"
                  "gsl_complex gsl_complex_mul(gsl_complex a, gsl_complex b) { return a; }")
    assert res.status == "error"
    assert "'gsl_complex_mul' is declared in <gsl/gsl_complex_math.h>" in res.errors[0]["evalue"]
    res = run(kc, "int ch__thunk_gsl_complex_mul;")
    assert res.status == "error"
    assert "reserved for libchalk" in res.errors[0]["evalue"]


# A library of one's own (%ldflags): each struct layout, returned and taken
# by value.  Measured on libtcc 0.9.27 against gcc: the first eight travel in
# other registers (kernel/abi.h), the rest agree.
LAYOUTS = {
    # name: (members, how to fill s, the value sum_NAME gives)
    "D2A": ("double d[2];", "s.d[0] = 1.5; s.d[1] = 2.5;", "s.d[0] * 10 + s.d[1]"),
    "DI": ("double a; int b;", "s.a = 1.5; s.b = 7;", "s.a * 10 + s.b"),
    "ID": ("int a; double b;", "s.a = 7; s.b = 1.5;", "s.a * 10 + s.b"),
    "F4": ("float f[4];", "s.f[0] = 1; s.f[1] = 2; s.f[2] = 3; s.f[3] = 4;",
           "s.f[0] * 1000 + s.f[1] * 100 + s.f[2] * 10 + s.f[3]"),
    "F2": ("float f[2];", "s.f[0] = 1; s.f[1] = 2;", "s.f[0] * 10 + s.f[1]"),
    "CD": ("char c; double d;", "s.c = 7; s.d = 1.5;", "s.c * 10 + s.d"),
    "LD": ("long a; double b;", "s.a = 7; s.b = 1.5;", "s.a * 10 + s.b"),
    "DL": ("double a; long b;", "s.a = 1.5; s.b = 7;", "s.a * 10 + s.b"),
    "NESTED": ("struct { float x, y; } p; int tag;", "s.p.x = 1; s.p.y = 2; s.tag = 3;",
               "s.p.x * 100 + s.p.y * 10 + s.tag"),
    "DD": ("double a, b;", "s.a = 1.5; s.b = 2.5;", "s.a * 10 + s.b"),
    "F3": ("float a, b, c;", "s.a = 1; s.b = 2; s.c = 3;", "s.a * 100 + s.b * 10 + s.c"),
    "C3": ("char c[3];", "s.c[0] = 1; s.c[1] = 2; s.c[2] = 3;",
           "s.c[0] * 100 + s.c[1] * 10 + s.c[2]"),
    "II": ("int a, b;", "s.a = 1; s.b = 2;", "s.a * 10 + s.b"),
    "LL": ("long a, b;", "s.a = 1; s.b = 2;", "s.a * 10 + s.b"),
    "D3": ("double a, b, c;", "s.a = 1; s.b = 2; s.c = 3;", "s.a * 100 + s.b * 10 + s.c"),
    "FD": ("float a; double b;", "s.a = 1; s.b = 2;", "s.a * 10 + s.b"),
    "FI": ("float a; int b;", "s.a = 1.5f; s.b = 7;", "s.a * 10 + s.b"),
    "IF": ("int a; float b;", "s.a = 7; s.b = 1.5f;", "s.a * 10 + s.b"),
    "LDBL": ("long double x;", "s.x = 1.5;", "(double)s.x"),
    "PTRS": ("void *p; size_t n;", "s.p = 0; s.n = 12;", "(double)s.n"),
}
WRONG = {"D2A", "DI", "ID", "F4", "F2", "CD", "LD", "DL", "NESTED"}


@pytest.fixture(scope="module")
def own_library(tmp_path_factory):
    d = tmp_path_factory.mktemp("ownlib")
    header = ["#include <stddef.h>"]
    for t, (members, _, _) in LAYOUTS.items():
        header.append("typedef struct { %s } %s;" % (members, t))
        header.append("%s mk_%s(void);\ndouble sum_%s(%s s);" % (t, t, t, t))
        header.append("double apply_%s(%s (*make)(void), double (*use)(%s s));" % (t, t, t))
        header.append("typedef double (*use_%s)(%s);\ndouble use_with_%s(const use_%s use);"
                      % (t, t, t, t))
    (d / "own.h").write_text("\n".join(header) + "\n")
    body = ['#include "own.h"']
    for t, (_, fill, value) in LAYOUTS.items():
        body.append("%s mk_%s(void) { %s s = {0}; %s return s; }" % (t, t, t, fill))
        body.append("double sum_%s(%s s) { return %s; }" % (t, t, value))
        body.append("double apply_%s(%s (*make)(void), double (*use)(%s s)) "
                    "{ return use(make()); }" % (t, t, t))
        body.append("double use_with_%s(const use_%s use) { %s s = {0}; %s return use(s); }"
                    % (t, t, t, fill))
    (d / "own.c").write_text("\n".join(body) + "\n")
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(d / "libown.so"), str(d / "own.c")],
                   check=True)
    return d


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_own_library_right_value_or_refused(fresh, own_library, layout):
    """Never a wrong value: a layout libtcc passes right gives gcc's number,
    one it passes wrongly is refused before the cell runs, naming the
    function and the way out."""
    kc = fresh[1]
    res = run(kc, "%%ldflags -L%s -lown" % own_library)
    assert res.status == "ok", res.errors
    res = run(kc, '#include "%s/own.h"\nint before = 1;\nprintf("%%g\\n", sum_%s(mk_%s()));'
              % (own_library, layout, layout))
    if layout in WRONG:
        assert res.status == "error"
        assert res.errors[0]["evalue"].startswith(
            "cell[2]:3: error: 'mk_%s' returns '%s' by value, which chalk's C compiler "
            "(libtcc 0.9.27) passes in other registers than the compiled library expects"
            % (layout, layout))
        assert "compile a wrapper that passes it by pointer" in res.errors[0]["evalue"]
        assert res.text() == ""
        res = run(kc, '#include "%s/own.h"\n%s s = {0};\nsum_%s(s)' % (own_library, layout, layout))
        assert res.status == "error"
        assert "'sum_%s' takes '%s' by value" % (layout, layout) in res.errors[0]["evalue"]
    else:
        assert res.status == "ok", res.errors
        assert res.text() == run_reference(own_library, layout)


def test_own_prototype_right_value_or_refused(fresh, own_library):
    """The same library without its header: the cell writes the types and
    prototypes itself.  Still never a wrong value, whether the call is in
    the cell that declares the function or in a later one."""
    kc = fresh[1]
    res = run(kc, "%%ldflags -L%s -lown" % own_library)
    assert res.status == "ok", res.errors
    # declared and called in one cell (which, refused, leaves nothing behind)
    res = run(kc, "typedef struct { double a; int b; } DI;\nDI mk_DI(void);\nmk_DI().b")
    assert res.status == "error"
    assert res.errors[0]["evalue"].startswith("cell[2]:2: error: 'mk_DI' returns 'DI' by value")
    decls = ["#include <stddef.h>"]
    for t, (members, _, _) in LAYOUTS.items():
        decls.append("typedef struct { %s } %s;\n%s mk_%s(void);\ndouble sum_%s(%s s);"
                     % (members, t, t, t, t, t))
    res = run(kc, "\n".join(decls))
    assert res.status == "ok", res.errors
    for layout in sorted(LAYOUTS):
        res = run(kc, 'int x_%s = 1;\nprintf("%%g\\n", sum_%s(mk_%s()));' % (layout, layout, layout))
        if layout in WRONG:
            assert res.status == "error", layout
            assert re.match(r"cell\[\d+\]:2: error: 'mk_%s' returns '%s' by value, which chalk's "
                            r"C compiler \(libtcc 0.9.27\) passes in other registers"
                            % (layout, layout), res.errors[0]["evalue"]), res.errors[0]["evalue"]
            assert res.text() == ""
            res = run(kc, "%s s = {0};\nsum_%s(s)" % (layout, layout))
            assert res.status == "error", layout
            assert "'sum_%s' takes '%s' by value" % (layout, layout) in res.errors[0]["evalue"]
        else:
            assert res.status == "ok", (layout, res.errors)
            assert res.text() == run_reference(own_library, layout), layout


def test_cell_defined_function_with_a_wrong_layout_is_right(kc):
    """A function a cell defines is compiled by libtcc, as its callers are:
    it keeps working, however the prototype comes."""
    res = run(kc, "typedef struct { double a; int b; } CDI;\n"
                  "CDI cdi_mk(void) { CDI s = { 1.5, 7 }; return s; }\n"
                  "double cdi_sum(CDI s) { return s.a * 10 + s.b; }")
    assert res.status == "ok", res.errors
    res = run(kc, "cdi_sum(cdi_mk())")
    assert res.status == "ok", res.errors
    assert res.value == "22.0"
    # a prototype repeated after the definition
    res = run(kc, "CDI cdi_mk(void);\ndouble cdi_sum(CDI s);\ncdi_mk().b")
    assert res.status == "ok", res.errors
    assert res.value == "7"
    # a prototype first, the definition in a later cell
    res = run(kc, "typedef struct { double d[2]; } CD2;\nCD2 cd2_mk(void);\n"
                  "double cd2_sum(CD2 s) { return s.d[0] * 10 + s.d[1]; }")
    assert res.status == "ok", res.errors
    res = run(kc, "CD2 cd2_mk(void) { CD2 s = { { 1.5, 2.5 } }; return s; }")
    assert res.status == "ok", res.errors
    res = run(kc, "cd2_sum(cd2_mk())")
    assert res.status == "ok", res.errors
    assert res.value == "17.5"
    # prototype and definition in one cell
    res = run(kc, "CD2 cd2_twice(CD2 s);\nCD2 cd2_twice(CD2 s) { s.d[0] *= 2; return s; }\n"
                  "cd2_sum(cd2_twice(cd2_mk()))")
    assert res.status == "ok", res.errors
    assert res.value == "32.5"


def test_own_library_callback_right_value_or_refused(fresh, own_library):
    """A library function that calls back into the cell (apply_NAME calls
    the cell's make and use, both compiled by libtcc) passes the struct the
    other way round: still never a wrong value.  Refused naming the library
    function when libtcc would get the layout wrong, gcc's number otherwise."""
    kc = fresh[1]
    res = run(kc, "%%ldflags -L%s -lown" % own_library)
    assert res.status == "ok", res.errors
    res = run(kc, '#include "%s/own.h"' % own_library)
    assert res.status == "ok", res.errors
    for layout in sorted(LAYOUTS):
        _, fill, value = LAYOUTS[layout]
        res = run(kc, "%s cb_mk_%s(void) { %s s = {0}; %s return s; }\n"
                      "double cb_sum_%s(%s s) { return %s; }"
                  % (layout, layout, layout, fill, layout, layout, value))
        assert res.status == "ok", (layout, res.errors)
        res = run(kc, 'int y_%s = 1;\nprintf("%%g\\n", apply_%s(cb_mk_%s, cb_sum_%s));'
                  % (layout, layout, layout, layout))
        if layout in WRONG:
            assert res.status == "error", layout
            msg = res.errors[0]["evalue"]
            assert re.match(r"cell\[\d+\]:2: error: 'apply_%s' takes a callback whose signature "
                            r"passes '%s' by value, which chalk's C compiler \(libtcc 0.9.27\) "
                            r"passes in other registers" % (layout, layout), msg), msg
            assert "a callback that takes a pointer ('%s *')" % layout in msg
            assert res.text() == ""
        else:
            assert res.status == "ok", (layout, res.errors)
            assert res.text() == run_reference(own_library, layout), layout
        # the callback's type a typedef, the struct only its parameter
        res = run(kc, 'printf("%%g\\n", use_with_%s(cb_sum_%s));' % (layout, layout))
        if layout in WRONG:
            assert res.status == "error", layout
            assert re.match(r"cell\[\d+\]:1: error: 'use_with_%s' takes a callback whose "
                            r"signature passes '%s' by value" % (layout, layout),
                            res.errors[0]["evalue"]), res.errors[0]["evalue"]
            assert res.text() == ""
        else:
            assert res.status == "ok", (layout, res.errors)
            assert res.text() == run_reference(own_library, layout), layout


def test_own_callback_prototype_refused_cell_defined_works(fresh, own_library):
    """The same with the prototype the cell writes itself; and a function
    the cell defines, taking the same callbacks, is libtcc on both sides
    and keeps working."""
    kc = fresh[1]
    res = run(kc, "%%ldflags -L%s -lown" % own_library)
    assert res.status == "ok", res.errors
    res = run(kc, "typedef struct { double a; int b; } DI;\n"
                  "typedef struct { double a, b; } DD;\n"
                  "double apply_DI(DI (*make)(void), double (*use)(DI s));\n"
                  "double apply_DD(DD (*make)(void), double (*use)(DD));\n"
                  "DI mi(void) { DI s = { 1.5, 7 }; return s; }\n"
                  "double ui(DI s) { return s.a * 10 + s.b; }\n"
                  "DD md(void) { DD s = { 1.5, 2.5 }; return s; }\n"
                  "double ud(DD s) { return s.a * 10 + s.b; }\n"
                  "double my_apply(DI (*make)(void), double (*use)(DI)) { return use(make()); }")
    assert res.status == "ok", res.errors
    res = run(kc, "apply_DD(md, ud)")
    assert res.status == "ok", res.errors
    assert res.value == "17.5"
    res = run(kc, "my_apply(mi, ui)")
    assert res.status == "ok", res.errors
    assert res.value == "22.0"
    res = run(kc, "double r = 0;\nr = apply_DI(mi, ui);")
    assert res.status == "error"
    assert res.errors[0]["evalue"].startswith(
        "cell[5]:2: error: 'apply_DI' takes a callback whose signature passes 'DI' by value"), \
        res.errors[0]["evalue"]


def run_reference(libdir, layout):
    """What sum_NAME(mk_NAME()) prints when the call is compiled by cc."""
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    src = libdir / ("ref_%s.c" % layout)
    src.write_text('#include <stdio.h>\n#include "own.h"\nint main(void) '
                   '{ printf("%%g\\n", sum_%s(mk_%s())); return 0; }\n' % (layout, layout))
    exe = libdir / ("ref_%s" % layout)
    subprocess.run([cc, str(src), "-o", str(exe), "-L%s" % libdir, "-lown",
                    "-Wl,-rpath,%s" % libdir], check=True)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout


def test_help_shows_the_library_prototype_not_the_wrapper(kc):
    """Inspecting a routed function shows what GSL declares; the wrapper
    and its thunk are chalk's business."""
    code = "gsl_vector_complex_set"
    kc.inspect(code, len(code))
    reply = kc.get_shell_msg(timeout=60)
    text = reply["content"]["data"]["text/plain"]
    assert text.startswith("void gsl_vector_complex_set(gsl_vector_complex *v, const size_t i, "
                           "gsl_complex z);\n"), text
    assert "thunk" not in text and "static" not in text


def test_completion_offers_no_thunk(kc):
    kc.complete("ch__", 4)
    matches = kc.get_shell_msg(timeout=60)["content"]["matches"]
    assert "ch__publish_result" in matches          # the list was read
    assert not [m for m in matches if m.startswith("ch__thunk_")], matches
