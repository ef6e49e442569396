"""%%cc cells (issue 14, point 1) through jupyter_client: a cell compiled by the
system C compiler sees and extends the session as any other cell, fails as
any other cell, and is not compiled twice.  Each kernel here gets its own
object cache (CHALK_CC_CACHE), so a test never reads another run's objects
and the user's ~/.cache is left alone."""
import os
import time
from pathlib import Path

import pytest

from kernelclient import fails, ok, run, start, stop


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cc-cache")


@pytest.fixture(scope="module")
def kernel(cache):
    km, kc = start(env={"CHALK_CC_CACHE": str(cache)})
    yield km, kc
    stop(km, kc)


@pytest.fixture
def fresh(tmp_path):
    km, kc = start(env={"CHALK_CC_CACHE": str(tmp_path / "cache")})
    yield km, kc, tmp_path / "cache"
    stop(km, kc)


def warnings_of(r):
    return [d["data"]["text/plain"] for d in r.displays if d["metadata"].get("chalk_warnings")]


# A %%cc cell sees what tcc cells defined; what it defines, later cells of
# both kinds see.
def test_cc_cell_sees_and_extends_the_session(fresh):
    _, kc, _ = fresh
    ok(kc, "#define SCALE 10\ntypedef struct { int a; double w, pad; } box;\n"
           "int total = 4;\nbox b = { 3, 0.5 };\nint twice(int v) { return 2 * v; }")
    r = ok(kc, "%%cc\nint from_cc = 0;\nbox grow(box x) { x.a *= SCALE; return x; }\n"
               "from_cc = twice(total) + b.a;\nprintf(\"%d\\n\", from_cc);\nfrom_cc * b.w")
    assert r.text() == "11\n"
    assert r.value == "5.5"
    assert run(kc, "from_cc + grow(b).a").value == "41"          # a later tcc cell
    assert run(kc, "%%cc\nfrom_cc + grow(b).a + SCALE").value == "51"   # a later %%cc cell


def test_redefinition_across_backends(fresh):
    _, kc, _ = fresh
    ok(kc, "int f(void) { return 1; }\ndouble v = 1;")
    ok(kc, "%%cc\nint f(void) { return 2; }\ndouble v = 2.5;")
    assert run(kc, "f() + v").value == "4.5"
    ok(kc, "int f(void) { return 3; }")
    assert run(kc, "%%cc\nf() * 10 + v").value == "32.5"


# Failures roll the cell back, as for a tcc cell.
def test_segfault_rolls_back(fresh):
    _, kc, _ = fresh
    ok(kc, "int counter = 1;")
    # volatile: gcc may drop a load it can prove is of a null pointer
    r = fails(kc, "%%cc\nint get(int *p) { return *p; }\ncounter = 99;\nint *volatile nowhere = 0;\n"
                  "counter = get(nowhere);", "SIGSEGV")
    ev = r.errors[0]["evalue"]
    assert "null pointer" in ev and "the session is as it was before this cell" in ev
    assert " at cell[" in ev and ":2 in get()" in ev
    assert run(kc, "counter").value == "1"
    fails(kc, "get", "CompileError")          # nothing of the failed cell is kept


def test_exit_is_an_error(kc):
    r = fails(kc, "%%cc\nint stop_at(int n) { if (n == 3) exit(n); return n; }\n"
                  "stop_at(2);\nstop_at(3);", "SystemExit")
    assert r.errors[0]["evalue"].startswith("exit(3) called at cell[")
    assert ":2 in stop_at()" in r.errors[0]["evalue"]


def test_interrupt_stops_a_long_loop(fresh):
    km, kc, _ = fresh
    ok(kc, "long before = 5;")
    r = run(kc, "%%cc\nbefore = 6;\nvolatile unsigned long spin = 0;\nfor (;;) spin++;",
            interrupt_after=1.5, km=km)
    assert r.status == "error" and r.errors[0]["ename"] == "KeyboardInterrupt"
    assert run(kc, "before").value == "5"


# stdin is the run-time's stream (cellrt.c), reached through the variable
# the executor holds (a copy relocation): the cell's object must see that one.
def test_input_reaches_a_cc_cell(kc):
    r = ok(kc, '%%cc\nint n_in; printf("n? "); scanf("%d", &n_in);\nchar line_in[32];\n'
               'fgets(line_in, sizeof line_in, stdin); fgets(line_in, sizeof line_in, stdin);\n'
               'printf("[%s]", line_in);\nn_in * 2', allow_stdin=True, answers=["21", "word"])
    assert r.inputs == ["n? ", ""]
    assert r.text() == "[word\n]"
    assert r.value == "42"


# Diagnostics at the cell's own lines and columns, as tcc cells show them.
def test_compile_error_at_line_and_column(kc):
    r = fails(kc, "%%cc\nint ok_here = 1;\nint bad = ok_here + nosuch;", "CompileError")
    ev = r.errors[0]["evalue"]
    count = r.reply["content"]["execution_count"]
    assert ev == f"cell[{count}]:3:21: error: 'nosuch' undeclared (first use in this function)"
    tb = r.errors[0]["traceback"]
    assert "    int bad = ok_here + nosuch;" in tb
    assert "                        ^" in tb            # under the 'n' of nosuch


def test_warnings_are_shown_at_their_line(kc):
    r = ok(kc, "%%cc\nvoid quiet(void) {\n    int unused_here;\n}")
    w = warnings_of(r)
    count = r.reply["content"]["execution_count"]
    assert len(w) == 1
    assert w[0].startswith(f"cell[{count}]:3:9: warning: unused variable 'unused_here'")


def test_trailing_expression_value(kc):
    assert run(kc, "%%cc\n6 * 7").value == "42"
    assert run(kc, '%%cc\n"text"').value == '"text"'
    # a struct's fields, as a tcc cell shows them, through a typedef name too
    ok(kc, "typedef struct cc_pt { int a; double b; } cc_pt_t;")
    assert run(kc, "%%cc\nstruct cc_pt q1 = { 1, 2.5 };\nq1").value == "{a = 1, b = 2.5}"
    assert run(kc, "%%cc\ncc_pt_t q2 = { 3, 0.5 };\nq2").value == "{a = 3, b = 0.5}"


def test_flags_are_honoured(kc):
    assert run(kc, "%%cc -DN_FROM_FLAGS=3\nN_FROM_FLAGS * 2").value == "6"
    fails(kc, "%%cc\nN_FROM_FLAGS * 2", "CompileError")
    r = fails(kc, "%%cc -o /tmp/elsewhere\n1")
    assert "'-o' is chalk's own" in r.errors[0]["evalue"]


# Re-running an unchanged cell in an unchanged session does not recompile:
# the cached object is the same file, untouched, and its warnings come again.
def test_rerun_uses_the_cached_object(fresh):
    _, kc, cache = fresh
    cell = "%%cc\nint scratch(void) { int unused_too; return 4; }\nscratch()"
    r1 = ok(kc, cell)
    objects = sorted(cache.glob("*.o"))
    assert len(objects) == 1
    before = objects[0].stat()
    r2 = ok(kc, cell)
    assert r1.value == r2.value == "4"
    assert sorted(cache.glob("*.o")) == objects
    after = objects[0].stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert len(warnings_of(r2)) == 1 and "unused_too" in warnings_of(r2)[0]
    assert f"cell[{r2.reply['content']['execution_count']}]:2:" in warnings_of(r2)[0]
    # a change in the session the cell depends on is a new object
    ok(kc, "#define EXTRA 1")
    ok(kc, "%%cc\nint scratch(void) { int unused_too; return 4 + EXTRA; }\nscratch()")
    assert len(list(cache.glob("*.o"))) == 2


# Struct-by-value calls between gcc-built and libtcc-built code would be
# wrong (abi.h): refused, in both directions, never a wrong value.
def test_struct_by_value_across_backends_is_refused(fresh):
    _, kc, _ = fresh
    ok(kc, "typedef struct { double a; int b; } DI;\n"
           "DI mk(double a, int b) { DI d = { a, b }; return d; }\n"
           "typedef struct { double a, b; } DD;\nDD mk2(double a, double b) { DD d = { a, b }; return d; }")
    r = fails(kc, "%%cc\nDI d = mk(1.5, 2);\nd.a", "CompileError")
    assert "'mk' returns 'DI' by value" in r.errors[0]["evalue"]
    assert run(kc, "%%cc\nmk2(1.5, 2.5).b").value == "2.5"        # a struct libtcc gets right
    ok(kc, "%%cc\nDI mkc(double a, int b) { DI d = { a, b }; return d; }")
    r = fails(kc, "mkc(2.5, 1).a", "CompileError")
    assert "'mkc' returns 'DI' by value" in r.errors[0]["evalue"]
    assert run(kc, "%%cc\nmkc(2.5, 1).a").value == "2.5"          # gcc to gcc is right


# %cc on: every cell through the system compiler, until %cc off.
def test_session_switch(fresh):
    _, kc, _ = fresh
    probe = "#ifdef __OPTIMIZE__\nint optimised = 1;\n#else\nint optimised = 0;\n#endif\noptimised"
    assert run(kc, probe).value == "0"                 # tcc does not optimise
    r = ok(kc, "%cc on")
    assert "from now on" in r.text()
    assert run(kc, probe).value == "1"
    assert run(kc, "optimised + 1").value == "2"
    ok(kc, "%cc off")
    assert run(kc, probe).value == "0"
    assert run(kc, "%%cc\n" + probe).value == "1"
    r = fails(kc, "%cc maybe", "UsageError")
    assert "%cc on|off" in r.errors[0]["evalue"]


# Each %%cc cell's object stays loaded for the rest of the session; nothing
# else of it may pile up in the process that holds the session.
def test_many_cc_cells_keep_descriptors_flat(kc):
    counts = []
    for i in range(5):
        r = ok(kc, "%%%%cc\n#include <dirent.h>\nint nfd%d = 0;\nDIR *dir%d = opendir(\"/proc/self/fd\");\n"
                   "while (readdir(dir%d)) nfd%d++;\nclosedir(dir%d);\nnfd%d" % ((i,) * 6))
        counts.append(int(r.value))
    assert len(set(counts)) == 1, counts


# A struct's body and a typedef of it, in one cell, in either order, and a
# later `struct X;`: later cells of both backends still see the body.
@pytest.mark.parametrize("first", ["", "%%cc\n"], ids=["tcc", "cc"])
@pytest.mark.parametrize("later", ["", "%%cc\n"], ids=["tcc", "cc"])
def test_typedef_of_a_struct_keeps_its_body(kc, first, later):
    n = len(first) + 2 * len(later)
    ok(kc, f"{first}struct TB{n} {{ int a; double b; }};\ntypedef struct TB{n} TB{n}_t;")
    ok(kc, f"{first}typedef struct TA{n} TA{n}_t;\nstruct TA{n} {{ int a; double b; }};")
    ok(kc, f"struct TB{n};")
    assert run(kc, f"{later}TB{n}_t v{n} = {{1, 2.5}};\nv{n}.b").value == "2.5"
    assert run(kc, f"{later}TA{n}_t w{n} = {{3, 0.5}};\nw{n}.a + w{n}.b").value == "3.5"
    # a self-referential typedef, the common linked-list spelling
    ok(kc, f"{first}typedef struct TN{n} TN{n}_t;\nstruct TN{n} {{ TN{n}_t *next; int v; }};")
    assert run(kc, f"{later}TN{n}_t a{n} = {{0, 4}}, b{n} = {{&a{n}, 5}};\nb{n}.next->v").value == "4"


# OpenMP: libgomp's worker threads do not survive the fork that starts each
# cell, so the pool must not reach the holder (isolate.c): a parallel
# region in the next cell, %%cc or tcc, gets a team of its own.
def test_openmp_cells_run_again_and_again(fresh):
    _, kc, _ = fresh
    ok(kc, "%%cc -fopenmp\nint omp_get_thread_num(void);\n"
           "int omp_team(void) { int seen = 0;\n#pragma omp parallel num_threads(4)\n"
           "{\n#pragma omp atomic\nseen |= 1 << omp_get_thread_num();\n}\nreturn seen; }\n"
           "double omp_sum(int n) { double s = 0;\n"
           "#pragma omp parallel for reduction(+:s) num_threads(4)\n"
           "for (int i = 1; i <= n; i++) s += i;\nreturn s; }")
    assert run(kc, "%%cc -fopenmp\nomp_team() * 1e6 + omp_sum(1000)").value == "1.55005e+07"
    assert run(kc, "%%cc -fopenmp\nomp_team() * 1e6 + omp_sum(2000)").value == "1.7001e+07"
    assert run(kc, "omp_team() * 1e6 + omp_sum(3000)").value == "1.95015e+07"   # a tcc cell
    assert run(kc, "omp_team()").value == "15"


# A #pragma before a top-level statement is that statement's, as in a C
# file's main(): at file scope gcc -fopenmp rejected `#pragma omp parallel
# for` ("expected declaration specifiers") and tcc would drop it.  A
# standalone one before the cell's value leaves the value shown.
def test_a_pragma_goes_with_the_top_level_statement_it_precedes(kc):
    loop = ("double pr_s = 0;\n#pragma omp parallel for reduction(+:pr_s) num_threads(4)\n"
            "for (int i = 1; i <= 1000; i++) pr_s += i;\n#pragma omp barrier\n(long)pr_s")
    assert run(kc, "%%cc -fopenmp\n" + loop).value == "500500"
    assert run(kc, loop.replace("pr_s", "pr_t")).value == "500500"   # tcc ignores it
    assert run(kc, "%%cc -fopenmp\nint pr_team = 0;\n#pragma omp parallel num_threads(3)\n"
                   "{\n#pragma omp atomic\npr_team++;\n}\npr_team").value == "3"


# What libtcc cannot read is refused in a %%cc cell too, and the message
# says why, rather than only naming a compiler the cell does not use.
def test_what_tcc_lacks_is_refused_in_a_cc_cell_with_the_reason(kc):
    r = fails(kc, "%%cc\n#include <complex.h>\ndouble complex cz = 1;", "CompileError")
    assert "C99 complex arithmetic" in r.errors[0]["evalue"]
    assert "a %%cc cell too: the session's later cells, tcc's, read what it declares" in r.errors[0]["evalue"]
    assert "%%cc cell too" not in fails(kc, "#include <complex.h>", "CompileError").errors[0]["evalue"]


# <omp.h> is gcc's own header: the kernel's include path has a directory
# holding only a link to it (kernel/local.mk), and the libraries a %%cc
# cell's object was linked with (here libgomp) serve later tcc cells too.
def test_omp_h_is_found_and_libgomp_serves_later_tcc_cells(fresh):
    _, kc, _ = fresh
    ok(kc, "%%cc -fopenmp\n#include <omp.h>\nint ompt_team(void) { int n = 0;\n"
           "#pragma omp parallel num_threads(3)\n{\n#pragma omp single\nn = omp_get_num_threads();\n}\n"
           "return n; }")
    assert run(kc, "ompt_team()").value == "3"
    assert run(kc, "omp_get_wtime() > 0 && omp_get_max_threads() >= 1").value == "1"
    assert run(kc, "omp_lock_t ompt_lock;\nomp_init_lock(&ompt_lock);\nomp_set_lock(&ompt_lock);\n"
                   "int ompt_held = !omp_test_lock(&ompt_lock);\nomp_unset_lock(&ompt_lock);\n"
                   "omp_destroy_lock(&ompt_lock);\nompt_held").value == "1"


# gcc's own headers beside omp.h (immintrin.h, its intrinsics) are there, but
# libtcc, which reads every cell's declarations, cannot read them: the error
# says so and what to write instead, where it said the file was not found.
def test_the_compilers_own_intrinsics_header_is_explained_not_said_missing(kc):
    e = fails(kc, "%%cc -O2 -mavx2\n#include <immintrin.h>\n__m256d own_v;", "CompileError")
    msg = e.errors[0]["evalue"]
    assert msg.startswith("cell[") and ":2: error: <immintrin.h> is a header of the C compiler itself" in msg
    assert "%%cc -O3 -march=native vectorises" in msg and "not found" not in msg
    assert "'own_nosuch.h' not found" in fails(kc, "#include <own_nosuch.h>", "CompileError").errors[0]["evalue"]
    assert run(kc, "1 + 1").value == "2"   # the session goes on


def test_fast_math_flags(kc):
    ok(kc, "%%cc -O3 -ffast-math\ndouble fm_dot(const double *a, int n) {\n"
           "    double s = 0;\n    for (int i = 0; i < n; i++) s += a[i] * a[i];\n    return s;\n}")
    assert run(kc, "double fm_v[5] = {1, 2, 3, 4, 5};\nfm_dot(fm_v, 5)").value == "55.0"
    assert run(kc, "%%cc -O3 -ffast-math\n#ifdef __FAST_MATH__\nint fm_on = 1;\n#else\n"
                       "int fm_on = 0;\n#endif\nfm_on").value == "1"


# The cache is bounded (CHALK_CC_CACHE_MB), least recently used out first,
# a hit counting as a use; a dead compile's temporary files go.
def test_cache_is_bounded_and_cleaned(tmp_path):
    cache = tmp_path / "cache"
    km, kc = start(env={"CHALK_CC_CACHE": str(cache), "CHALK_CC_CACHE_MB": "3"})
    try:
        cell_a = "%%cc\nint lru_a = 1;\nlru_a"
        ok(kc, cell_a)
        (a,) = cache.glob("*.o")
        # last used (the mtime of its .txt) an hour ago ...
        base = int(time.time()) - 3600
        os.utime(a.with_suffix(".txt"), (base, base))
        mtime = a.stat().st_mtime_ns
        for name, used in (("f1", base + 1), ("f2", base + 2)):  # two 2 MB objects, used since
            (cache / (name + ".o")).write_bytes(b"\0" * (2 << 20))
            (cache / (name + ".txt")).write_text("")
            os.utime(cache / (name + ".txt"), (used, used))
        dead, alive = cache / "0123abcd.999999999.c", cache / f"4567cdef.{os.getpid()}.o"
        dead.write_text("int x;")                        # a compile killed half-way
        alive.write_text("")                             # one still running
        ok(kc, cell_a)                                   # ... and now again: a hit
        assert a.stat().st_mtime_ns == mtime
        ok(kc, "%%cc\nint lru_b = 2;\nlru_b")            # a miss: 4 MB > 3 MB
        assert a.exists() and (cache / "f2.o").exists()
        assert not (cache / "f1.o").exists() and not (cache / "f1.txt").exists()
        assert not dead.exists() and alive.exists()
        assert len(list(cache.glob("*.o"))) == 4         # a, b, f2, the live temporary
    finally:
        stop(km, kc)


# Under make check every kernel's objects go to the build tree's cache
# (tests/local.mk), never to the user's ~/.cache.
def test_make_check_uses_a_private_cache():
    cache = os.environ.get("CHALK_CC_CACHE")
    assert cache and cache.startswith(os.environ["CHALK_BUILDDIR"])
    before = set(Path(cache).glob("*.o"))
    km, kc = start()
    try:     # a cell no run compiled before: a new object
        ok(kc, "%%%%cc\nlong private_cache_probe = %d;\nprivate_cache_probe" % time.time_ns())
    finally:
        stop(km, kc)
    assert len(set(Path(cache).glob("*.o")) - before) == 1


# The same through a function pointer kept in a session variable: a cell of
# the other compiler that uses it is refused (the pointer may hold either
# compiler's function), in both directions; a struct libtcc passes right,
# or the same compiler on both sides, still works.
def test_struct_by_value_through_a_pointer_across_backends_is_refused(fresh):
    _, kc, _ = fresh
    ok(kc, "typedef struct { double a; int b; } DI;\n"
           "DI mk(double a, int b) { DI d = { a, b }; return d; }\n"
           "DI (*pk)(double, int) = mk;\ndouble (*pt)(DI);\n"
           "typedef struct { double a, b; } DD;\n"
           "DD mk2(double a, double b) { DD d = { a, b }; return d; }\nDD (*pk2)(double, double) = mk2;")
    r = fails(kc, "%%cc\npk(1.5, 2).b", "CompileError")
    assert "'pk' returns 'DI' by value" in r.errors[0]["evalue"]
    r = fails(kc, "%%cc\nDI q = { 1.5, 2 };\npt = 0;", "CompileError")
    assert "'pt' takes 'DI' by value" in r.errors[0]["evalue"]
    assert run(kc, "%%cc\npk2(1.5, 2.5).b").value == "2.5"
    assert run(kc, "pk(1.5, 2).b").value == "2"
    assert run(kc, "%%cc\nDI mkc(double a, int b) { DI d = { a, b }; return d; }\n"
                   "DI (*pc)(double, int) = mkc;\npc(2.5, 3).b").value == "3"
    r = fails(kc, "pc(2.5, 3).b", "CompileError")
    assert "'pc' returns 'DI' by value" in r.errors[0]["evalue"]
    ok(kc, "%%cc\nint (*cc_abs)(int) = abs;")
    assert run(kc, "cc_abs(-3)").value == "3"
