# tests/local.mk — the test suite, included by the top Makefile.am.
#
# Each owner keeps a marked block below (`# --- <area> ---` ... `# --- end <area> ---`)
# and only adds to the shared lists with `+=`: `TESTS += ...`,
# `check_PROGRAMS += ...`, `EXTRA_DIST += ...`, `bench_programs += ...`.
#
# How a test is counted (keep it honest: .ci/run's final line is built from it):
# - a C program in TESTS (no extension) speaks TAP through tests/tap.h and is
#   run by automake's tap-driver.sh: one result per assertion (`ok`/`not ok`),
#   and a program that crashes or exits non-zero without saying why is an
#   ERROR; a program that prints no TAP plan is an ERROR too;
# - a shell script `*.sh` in TESTS is one test, passed by exit status 0
#   (automake's plain test-driver; 77 is a skip);
# - a pytest file `tests/<dir>/test_*.py` in TESTS is run by
#   tests/pytest-driver.py, which writes one `:test-result:` per pytest test
#   into the .trs file, so `make check` and .ci/run count every pytest test
#   individually (a collection error counts as a failed test, never as zero).
#
# Python tests talk to a kernel through tests/kernelclient.py (one start/stop
# policy, one default timeout, the execute/collect helpers and the fixtures
# `kernel`, `kc`, `fresh`); a test directory's conftest.py imports the fixtures.
# Python tests find the kernel *built in this tree*, not an installed one:
# AM_TESTS_ENVIRONMENT points JUPYTER_PATH at tests/jupyter/ in the build
# directory, where a kernelspec `chalk` runs $(abs_top_builddir)/kernel/chalk-kernel.
# So `KernelManager(kernel_name="chalk")` / `jupyter_kernel_test` with
# kernel_name = "chalk" just work, in the source tree and under distcheck.
# Also exported: CHALK_KERNEL (path of that binary), CHALK_SRCDIR,
# CHALK_BUILDDIR (absolute), PYTHON, and PATH starting with PYTHON's bin
# directory (as an activated venv would: nbgrader runs `alembic`, tests may
# run `jupyter ...`).  No test may impose a time limit.

# --- harness (quickstart/CI owner) ---
TEST_EXTENSIONS = .py .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(SHELL) $(top_srcdir)/build-aux/test-driver
PY_LOG_DRIVER = $(PYTHON) $(top_srcdir)/tests/pytest-driver.py
PY_LOG_COMPILER = $(PYTHON) -m pytest
AM_PY_LOG_FLAGS = -p no:cacheprovider -o console_output_style=classic -rA

CHALK_TEST_JUPYTER = $(abs_top_builddir)/tests/jupyter
AM_TESTS_ENVIRONMENT = \
  CHALK_SRCDIR='$(abs_top_srcdir)'; export CHALK_SRCDIR; \
  CHALK_BUILDDIR='$(abs_top_builddir)'; export CHALK_BUILDDIR; \
  CHALK_KERNEL='$(abs_top_builddir)/kernel/chalk-kernel'; export CHALK_KERNEL; \
  CHALK_EXECUTOR='$(abs_top_builddir)/kernel/executor/chalk-executor'; export CHALK_EXECUTOR; \
  PYTHON='$(PYTHON)'; export PYTHON; \
  PATH="`dirname '$(PYTHON)'`:$$PATH"; export PATH; \
  JUPYTER_PATH='$(CHALK_TEST_JUPYTER)'; export JUPYTER_PATH; \
  JUPYTER_RUNTIME_DIR='$(CHALK_TEST_JUPYTER)/runtime'; export JUPYTER_RUNTIME_DIR; \
  JUPYTER_PLATFORM_DIRS=1; export JUPYTER_PLATFORM_DIRS; \
  PYTHONDONTWRITEBYTECODE=1; export PYTHONDONTWRITEBYTECODE; \
  PYTHONPATH='$(abs_top_srcdir)/tests:$(abs_top_srcdir)/share/classroom'$${PYTHONPATH:+:$$PYTHONPATH}; export PYTHONPATH;

# The build tree's kernelspec: same fields as the installed one, but argv[0]
# is the kernel in this build directory.
check_DATA = $(CHALK_TEST_JUPYTER)/kernels/chalk/kernel.json
$(CHALK_TEST_JUPYTER)/kernels/chalk/kernel.json: Makefile $(top_srcdir)/tests/write-kernelspec.py \
  kernel/executor/chalk-executor$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) $(CHALK_TEST_JUPYTER)/runtime && \
	$(PYTHON) $(top_srcdir)/tests/write-kernelspec.py \
	  --kernel '$(abs_top_builddir)/kernel/chalk-kernel' \
	  --srcdir '$(abs_top_srcdir)' --builddir '$(abs_top_builddir)' \
	  --out '$(CHALK_TEST_JUPYTER)/kernels/chalk'

clean-local: clean-local-test-jupyter
clean-local-test-jupyter:
	-rm -rf tests/jupyter tests/*/.pytest_cache
.PHONY: clean-local-test-jupyter

# `make bench`: never part of `make check`.  Blocks that build a benchmark
# program add it with `bench_programs += tests/bench/...` (and list it in
# EXTRA_PROGRAMS so it is built only on demand).
bench_programs =
bench: all $(bench_programs) $(CHALK_TEST_JUPYTER)/kernels/chalk/kernel.json
	@$(AM_TESTS_ENVIRONMENT) \
	$(PYTHON) $(top_srcdir)/tests/bench/bench.py \
	  --builddir '$(abs_top_builddir)' --json '$(abs_top_builddir)/tests/bench/bench.json' $(BENCH_FLAGS)
.PHONY: bench

EXTRA_DIST += tests/tap.h tests/kernelclient.py tests/proctree.py \
  tests/pytest-driver.py tests/write-kernelspec.py tests/run-notebooks.py \
  tests/summary.sh tests/bench/bench.py tests/bench/lab_output.py quickstart .ci/run README.md \
  share/requirements.txt
CLEANFILES += tests/bench/bench.json tests/*/*.junit.xml

# The counting machinery itself (driver, summary, notebook runner).
TESTS += tests/harness/test_harness.py
EXTRA_DIST += tests/harness/test_harness.py

# distcheck configures a fresh tree with no .venv next to it: hand it the
# Python that has jupyter_client and pytest, or its Python tests cannot run.
AM_DISTCHECK_CONFIGURE_FLAGS = PYTHON='$(PYTHON)'
# --- end harness ---

# --- cell source unit tests (session/cellsrc owner) ---
check_PROGRAMS += tests/unit/test_cellsrc tests/unit/test_session
TESTS += tests/unit/test_cellsrc tests/unit/test_session
tests_unit_test_cellsrc_SOURCES = tests/unit/test_cellsrc.c
tests_unit_test_cellsrc_LDADD = kernel/shared/libchalkcell.la
tests_unit_test_session_SOURCES = tests/unit/test_session.c
tests_unit_test_session_LDADD = kernel/shared/libchalkcell.la $(TCC_LIBS)
# --- end cell source unit tests ---

# --- protocol layers: wire/sign unit tests and protocol tests (protocol owner) ---
check_PROGRAMS += tests/unit/test_sign tests/unit/test_wire
TESTS += tests/unit/test_sign tests/unit/test_wire \
  tests/protocol/test_protocol.py tests/protocol/test_kernel_suite.py \
  tests/protocol/test_install.py
tests_unit_test_sign_SOURCES = tests/unit/test_sign.c tests/tap.h kernel/sign.c kernel/libcrypto.c
tests_unit_test_sign_CPPFLAGS = $(AM_CPPFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_sign_LDADD = $(SODIUM_LIBS)
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c tests/tap.h kernel/wire.c kernel/sign.c kernel/libcrypto.c kernel/utf8.c
tests_unit_test_wire_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_wire_LDADD = $(JANSSON_LIBS) $(SODIUM_LIBS)
EXTRA_DIST += tests/protocol/test_protocol.py tests/protocol/test_kernel_suite.py \
  tests/protocol/test_install.py tests/protocol/conftest.py
# --- end protocol layers ---

# --- libchalk plot and display tests (plot/display owner) ---
check_PROGRAMS += tests/lib/test_plot tests/lib/test_display
TESTS += tests/lib/test_plot tests/lib/test_display
tests_lib_test_plot_SOURCES = tests/lib/test_plot.c tests/lib/plottest.h tests/tap.h
tests_lib_test_plot_CPPFLAGS = $(AM_CPPFLAGS) $(GSL_CFLAGS)
tests_lib_test_plot_LDADD = exercises/libchalk/libchalk.la $(GSL_LIBS) -lm
tests_lib_test_display_SOURCES = tests/lib/test_display.c tests/lib/plottest.h tests/tap.h
tests_lib_test_display_CPPFLAGS = $(AM_CPPFLAGS) $(GSL_CFLAGS) $(JANSSON_CFLAGS)
tests_lib_test_display_LDADD = exercises/libchalk/libchalk.la $(GSL_LIBS) $(JANSSON_LIBS) -lm
# The visual comparison with matplotlib is a dev tool, not a test:
# built with the tests (never run by them), then
#   $(PYTHON) $(srcdir)/tests/lib/plotcompare/compare.py tests/lib/plotcompare/plotcompare OUTDIR
check_PROGRAMS += tests/lib/plotcompare/plotcompare
tests_lib_plotcompare_plotcompare_SOURCES = tests/lib/plotcompare/plotcompare.c
tests_lib_plotcompare_plotcompare_CPPFLAGS = $(AM_CPPFLAGS) $(GSL_CFLAGS)
tests_lib_plotcompare_plotcompare_LDADD = exercises/libchalk/libchalk.la $(GSL_LIBS) -lm
EXTRA_DIST += tests/lib/plotcompare/compare.py
# --- end libchalk plot and display tests ---

# --- libchalk unit tests (libchalk core owner) ---
# One program per module; each compares with NumPy/SciPy reference values in
# tests/lib/ref/ (regenerate with tests/lib/mkref.py, commit the data) and
# asserts the errors bad input raises.  They find the data through
# CHALK_SRCDIR (set above) or the compile-time TL_REFDIR.
libchalk_tests = tests/lib/test_linalg tests/lib/test_calculus tests/lib/test_optim \
  tests/lib/test_prob tests/lib/test_info tests/lib/test_check
check_PROGRAMS += $(libchalk_tests)
TESTS += $(libchalk_tests)
libchalk_test_cppflags = $(AM_CPPFLAGS) $(GSL_CFLAGS) -I$(top_srcdir)/tests/lib \
  -DTL_REFDIR='"$(abs_top_srcdir)/tests/lib/ref"'
libchalk_test_ldadd = exercises/libchalk/libchalk.la $(GSL_LIBS) -lm
tests_lib_test_linalg_SOURCES = tests/lib/test_linalg.c tests/lib/tl.h
tests_lib_test_linalg_CPPFLAGS = $(libchalk_test_cppflags)
tests_lib_test_linalg_LDADD = $(libchalk_test_ldadd)
tests_lib_test_calculus_SOURCES = tests/lib/test_calculus.c tests/lib/tl.h
tests_lib_test_calculus_CPPFLAGS = $(libchalk_test_cppflags)
tests_lib_test_calculus_LDADD = $(libchalk_test_ldadd)
tests_lib_test_optim_SOURCES = tests/lib/test_optim.c tests/lib/tl.h
tests_lib_test_optim_CPPFLAGS = $(libchalk_test_cppflags)
tests_lib_test_optim_LDADD = $(libchalk_test_ldadd)
tests_lib_test_prob_SOURCES = tests/lib/test_prob.c tests/lib/tl.h
tests_lib_test_prob_CPPFLAGS = $(libchalk_test_cppflags)
tests_lib_test_prob_LDADD = $(libchalk_test_ldadd)
tests_lib_test_info_SOURCES = tests/lib/test_info.c tests/lib/tl.h
tests_lib_test_info_CPPFLAGS = $(libchalk_test_cppflags)
tests_lib_test_info_LDADD = $(libchalk_test_ldadd)
tests_lib_test_check_SOURCES = tests/lib/test_check.c tests/lib/tl.h
tests_lib_test_check_CPPFLAGS = $(libchalk_test_cppflags)
tests_lib_test_check_LDADD = $(libchalk_test_ldadd)
# chalk.h must stay compilable by tcc 0.9.27, the compiler of every cell.
TESTS += tests/lib/header-tcc.sh
EXTRA_DIST += tests/lib/mkref.py tests/lib/header-tcc.sh tests/lib/ref/linalg.txt \
  tests/lib/ref/calculus.txt tests/lib/ref/prob.txt tests/lib/ref/info.txt
# `make bench` times 256x256 SVD, eigh and matmul (JSON lines on stdout).
EXTRA_PROGRAMS = tests/bench/bench_linalg
bench_programs += tests/bench/bench_linalg
tests_bench_bench_linalg_SOURCES = tests/bench/bench_linalg.c
tests_bench_bench_linalg_CPPFLAGS = $(AM_CPPFLAGS) $(GSL_CFLAGS)
tests_bench_bench_linalg_LDADD = exercises/libchalk/libchalk.la $(GSL_LIBS) -lm
CLEANFILES += tests/bench/bench_linalg

# ... and the floor under its memory figure: a program that only binds a
# kernel's sockets and signs a message with the kernel's libraries.
EXTRA_PROGRAMS += tests/bench/bench_floor
bench_programs += tests/bench/bench_floor
tests_bench_bench_floor_SOURCES = tests/bench/bench_floor.c
tests_bench_bench_floor_CPPFLAGS = $(AM_CPPFLAGS) $(ZMQ_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS)
tests_bench_bench_floor_LDADD = $(ZMQ_LIBS) $(JANSSON_LIBS) $(SODIUM_LIBS)
CLEANFILES += tests/bench/bench_floor
# --- end libchalk unit tests ---

# --- cell engine: semantics through jupyter_client (engine owner) ---
TESTS += tests/engine/test_cells.py
EXTRA_DIST += tests/engine/test_cells.py tests/engine/conftest.py
# --- end cell engine ---

# --- cell images: what a long session keeps (perf-floor, issue 12 point 6) ---
TESTS += tests/engine/test_images.py
EXTRA_DIST += tests/engine/test_images.py
# --- end cell images ---

# --- diagnostics (issue 11: caret diagnostics, struct values, input prompts, declarations) ---
TESTS += tests/engine/test_diagnostics.py
EXTRA_DIST += tests/engine/test_diagnostics.py
# --- end diagnostics ---

# --- reserved names: library names a cell cannot redefine (integrity owner) ---
TESTS += tests/engine/test_reserved_names.py
EXTRA_DIST += tests/engine/test_reserved_names.py
# --- end reserved names ---

# --- grading integrity, run-time side (integrity-runtime owner) ---
# exit() and its family, longjmp, signals, threads, child processes, fds 1/2,
# the wall-clock limit and its ceilings, results vs displays, stdin, %timeit.
TESTS += tests/engine/test_integrity.py
EXTRA_DIST += tests/engine/test_integrity.py
# --- end grading integrity, run-time side ---

# --- the per-cell path (issue 14 point 3: trivial-cell latency) ---
TESTS += tests/engine/test_cell_path.py
EXTRA_DIST += tests/engine/test_cell_path.py
check_PROGRAMS += tests/unit/test_prefault
TESTS += tests/unit/test_prefault
tests_unit_test_prefault_SOURCES = tests/unit/test_prefault.c tests/tap.h \
  kernel/executor/prefault.c kernel/executor/prefault.h
# --- end the per-cell path ---

# --- ui tests (front-end owner) ---
# chalk as users meet it: `jupyter console` in a pty, JupyterLab in headless
# Chromium (/usr/bin/chromium, quickstart's optional package; the test skips
# with a reason when it is missing).  Screenshots land in tests/ui/ here.
TESTS += tests/ui/test_console.py tests/ui/test_jupyterlab.py
EXTRA_DIST += tests/ui/test_console.py tests/ui/termdrive.py \
  tests/ui/test_jupyterlab.py tests/ui/labserver.py
CLEANFILES += tests/ui/jupyterlab.png tests/ui/jupyterlab-completion.png \
  tests/ui/jupyterlab-inspect.png tests/ui/jupyterlab-end.png \
  tests/ui/jupyterlab-untrusted-plot-light.png tests/ui/jupyterlab-untrusted-plot-dark.png \
  tests/ui/jupyterlab-input.png tests/ui/jupyterlab-*-light.png tests/ui/nbconvert-*.png \
  tests/ui/jupyterlab-*-dark.png
# --- end ui tests ---

# --- notebooks (notebook owner) ---
# test_mknotebook: the generator refuses sources that would make student
# versions fail unclearly (solution regions outside function bodies, ...);
# test_uptodate: committed notebooks == what their sources generate;
# test_execute: every notebook runs under nbconvert with every check passing
# and nothing on stderr; test_broken: each `broken for= breaks=` variant fails
# exactly the checks it declares, and a failing check makes no other cell
# fail; test_nbgrader: the course chalk-course builds (nbgrader's
# generate_assignment, our config): student versions fail at each stub with
# one NotImplemented message, one autograde gives the reference full marks,
# blank submissions 0, each broken variant exactly its declared loss, no
# warnings but nbgrader restoring hidden tests; a hanging cell times out.
notebook_tests = tests/notebooks/test_mknotebook.py tests/notebooks/test_uptodate.py \
  tests/notebooks/test_execute.py tests/notebooks/test_broken.py tests/notebooks/test_nbgrader.py
TESTS += $(notebook_tests)
EXTRA_DIST += $(notebook_tests) tests/notebooks/nbtest.py
# --- end notebooks ---

# --- classroom: feedback maths (lead) ---
TESTS += tests/classroom/test_mathml.py
EXTRA_DIST += tests/classroom/test_mathml.py share/classroom/chalk_mathml.py
# --- end classroom: feedback maths ---

# --- classroom: a course end to end on JupyterHub (course-hub owner) ---
# JupyterHub + nbgitpuller + nbgrader's exchange + a chalk kernel in each student's
# server, all on 127.0.0.1 (tests/classroom/hubrun.py); 50-135 s here, mostly the
# instructor's six nbgrader commands.
TESTS += tests/classroom/test_course_hub.py
EXTRA_DIST += tests/classroom/test_course_hub.py tests/classroom/hubrun.py
# The deployment recipe (share/deploy/, .binder/) checked without a container engine.
TESTS += tests/classroom/test_deploy.py
EXTRA_DIST += tests/classroom/test_deploy.py
# --- end classroom: a course end to end ---

# --- grader (chalk-grade owner) ---
# chalk-grade (share/classroom/) in local mode, by shards, on a real Dask scheduler with
# two workers on 127.0.0.1, and against one real `nbgrader autograde` run on every cheat
# of tests/classroom/cheats.py.
grader_tests = tests/classroom/test_grade.py tests/classroom/test_grade_dask.py
TESTS += $(grader_tests)
EXTRA_DIST += $(grader_tests) tests/classroom/gradetest.py tests/classroom/cheats.py
# make bench's grading section builds a course and its submissions here.
clean-local: clean-local-grader-bench
clean-local-grader-bench:
	-rm -rf tests/bench/grade
.PHONY: clean-local-grader-bench
# --- end grader ---

# --- hardening (hardening owner) ---
# Security properties seen from outside the kernel (addresses, log, the
# executor's environment, descriptors and memory, the working directory).
TESTS += tests/protocol/test_security.py
EXTRA_DIST += tests/protocol/test_security.py

# Fuzzing.  Each target tests/fuzz/fuzz_<t>.c is linked twice: with
# replay.c into tests/fuzz/replay_<t> (any compiler; a test of `make check`
# that feeds it every saved input in tests/fuzz/<t>/: seeds and each crash
# ever found), and with libFuzzer into tests/fuzz/fuzz_<t> by `make fuzz`
# (clang, found by configure as FUZZ_CC), which runs each for FUZZ_SECONDS.
fuzz_targets = wire connfile cellsrc magics libchalk
fuzz_replays = tests/fuzz/replay_wire tests/fuzz/replay_connfile tests/fuzz/replay_cellsrc \
  tests/fuzz/replay_magics tests/fuzz/replay_libchalk
check_PROGRAMS += $(fuzz_replays)
TESTS += $(fuzz_replays)
tests_fuzz_replay_wire_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/fuzz_wire.c \
  kernel/wire.c kernel/sign.c kernel/libcrypto.c kernel/utf8.c
tests_fuzz_replay_wire_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS) \
  -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/wire"'
tests_fuzz_replay_wire_LDADD = $(JANSSON_LIBS) $(SODIUM_LIBS)
tests_fuzz_replay_connfile_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/fuzz_connfile.c \
  kernel/connfile.c kernel/sign.c kernel/libcrypto.c kernel/log.c
tests_fuzz_replay_connfile_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS) \
  -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/connfile"'
tests_fuzz_replay_connfile_LDADD = $(JANSSON_LIBS) $(SODIUM_LIBS)
tests_fuzz_replay_cellsrc_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/fuzz_cellsrc.c
tests_fuzz_replay_cellsrc_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/cellsrc"'
tests_fuzz_replay_cellsrc_LDADD = kernel/shared/libchalkcell.la
tests_fuzz_replay_magics_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/fuzz_magics.c \
  kernel/executor/magics.c kernel/shared/executor_config.c
tests_fuzz_replay_magics_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/kernel/executor $(JANSSON_CFLAGS) -DCHALK_INCLUDEDIR='"$(includedir)"' -DCHALK_CC_INCLUDEDIR='"$(ccincludedir)"' \
  -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/magics"'
tests_fuzz_replay_magics_LDADD = kernel/shared/libchalkcell.la $(JANSSON_LIBS) $(TCC_LIBS)
tests_fuzz_replay_libchalk_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/fuzz_libchalk.c
tests_fuzz_replay_libchalk_CPPFLAGS = $(AM_CPPFLAGS) $(GSL_CFLAGS) \
  -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/libchalk"'
tests_fuzz_replay_libchalk_LDADD = exercises/libchalk/libchalk.la $(GSL_LIBS) -lm
EXTRA_DIST += .ci/sanitizers tests/fuzz/run-fuzz.sh tests/fuzz/mkseeds.py tests/fuzz/magics.dict tests/fuzz/cellsrc.dict tests/fuzz/wire tests/fuzz/connfile \
  tests/fuzz/cellsrc tests/fuzz/magics tests/fuzz/libchalk

# The libFuzzer builds: the same sources compiled by clang, instrumented.
# Prerequisites are found through VPATH; the recipe compiles the .c ones.
FUZZ_SECONDS = 20
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -fno-omit-frame-pointer -std=gnu11 $(DEFS) -I$(top_builddir) -I$(top_srcdir)/kernel -I$(top_srcdir)/kernel/shared -I$(top_srcdir)/kernel/executor -I$(top_srcdir)/exercises/libchalk
fuzz_programs = tests/fuzz/fuzz_wire tests/fuzz/fuzz_connfile tests/fuzz/fuzz_cellsrc \
  tests/fuzz/fuzz_magics tests/fuzz/fuzz_libchalk
fuzz_link = $(MKDIR_P) tests/fuzz && srcs= && for f in $^; do case $$f in *.c) srcs="$$srcs $$f";; esac; done && \
  $(FUZZ_CC) $(FUZZ_FLAGS)
tests/fuzz/fuzz_wire: tests/fuzz/fuzz_wire.c tests/fuzz/fuzz.h kernel/wire.c kernel/sign.c kernel/libcrypto.c kernel/utf8.c
	$(AM_V_CCLD)$(fuzz_link) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS) $$srcs -o $@ $(JANSSON_LIBS) $(SODIUM_LIBS)
tests/fuzz/fuzz_connfile: tests/fuzz/fuzz_connfile.c tests/fuzz/fuzz.h kernel/connfile.c kernel/sign.c kernel/libcrypto.c kernel/log.c
	$(AM_V_CCLD)$(fuzz_link) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS) $$srcs -o $@ $(JANSSON_LIBS) $(SODIUM_LIBS)
# libchalkcell's sources: the listed ones and the generated table of ABI thunks.
fuzz_cell_sources = $(kernel_shared_libchalkcell_la_SOURCES) $(nodist_kernel_shared_libchalkcell_la_SOURCES)
tests/fuzz/fuzz_cellsrc: tests/fuzz/fuzz_cellsrc.c tests/fuzz/fuzz.h $(fuzz_cell_sources)
	$(AM_V_CCLD)$(fuzz_link) $(JANSSON_CFLAGS) $$srcs -o $@ $(JANSSON_LIBS) $(TCC_LIBS)
tests/fuzz/fuzz_magics: tests/fuzz/fuzz_magics.c tests/fuzz/fuzz.h kernel/executor/magics.c kernel/shared/executor_config.c \
    $(fuzz_cell_sources)
	$(AM_V_CCLD)$(fuzz_link) $(JANSSON_CFLAGS) -DCHALK_INCLUDEDIR='"$(includedir)"' -DCHALK_CC_INCLUDEDIR='"$(ccincludedir)"' $$srcs -o $@ \
	  $(JANSSON_LIBS) $(TCC_LIBS)
tests/fuzz/fuzz_libchalk: tests/fuzz/fuzz_libchalk.c tests/fuzz/fuzz.h $(exercises_libchalk_libchalk_la_SOURCES) \
    exercises/libchalk/chalk_doc.c
	$(AM_V_CCLD)$(fuzz_link) $(GSL_CFLAGS) $$srcs -o $@ $(GSL_LIBS) -lm
CLEANFILES += $(fuzz_programs)
clean-local: clean-local-fuzz
clean-local-fuzz:
	-rm -rf tests/fuzz/run
.PHONY: clean-local-fuzz fuzz

if CHALK_HAVE_LIBFUZZER
fuzz: $(fuzz_programs)
	@$(SHELL) $(top_srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(top_srcdir) tests/fuzz/run $(fuzz_targets)
else
fuzz:
	@echo "make fuzz: no clang with libFuzzer (install Debian's clang and re-run configure, or set FUZZ_CC)"; exit 1
endif

# The compiled tests (C programs, not Python or shell): what .ci/run runs in
# the sanitizer build.
print-c-tests:
	@for t in $(TESTS); do case $$t in *.py|*.sh) ;; *) printf '%s ' $$t;; esac; done; echo
# `make valgrind`: the protocol tests against a kernel under memcheck
# (tests/protocol/valgrind.py reads valgrind's logs; not part of make check:
# memcheck makes the kernel 20-50x slower).
valgrind: all $(CHALK_TEST_JUPYTER)/kernels/chalk/kernel.json
	@$(AM_TESTS_ENVIRONMENT) $(PYTHON) $(top_srcdir)/tests/protocol/valgrind.py $(VALGRIND_TESTS)
.PHONY: valgrind
clean-local: clean-local-valgrind
clean-local-valgrind:
	-rm -rf tests/valgrind
.PHONY: clean-local-valgrind
EXTRA_DIST += tests/protocol/valgrind.py

# The libFuzzer targets, for .ci/sanitizers.
print-fuzz-targets:
	@echo $(fuzz_targets)
.PHONY: print-c-tests print-fuzz-targets
# --- end hardening ---

# --- grader speed (grade-speed) ---
# chalk-grade stops its kernels itself: no process outlives a grading run.
TESTS += tests/classroom/test_grade_procs.py
EXTRA_DIST += tests/classroom/test_grade_procs.py
# --- end grader speed ---

# --- matrix tables (labels helper) ---
check_PROGRAMS += tests/lib/test_show
TESTS += tests/lib/test_show
tests_lib_test_show_SOURCES = tests/lib/test_show.c tests/lib/plottest.h tests/tap.h
tests_lib_test_show_CPPFLAGS = $(AM_CPPFLAGS) $(GSL_CFLAGS) $(JANSSON_CFLAGS)
tests_lib_test_show_LDADD = exercises/libchalk/libchalk.la $(GSL_LIBS) $(JANSSON_LIBS) -lm
# --- end matrix tables ---

# --- library-boundary ABI (abi owner) ---
# test_abi.py builds its gcc reference with the executor's own GSL_LIBS.
TESTS += tests/engine/test_abi.py tests/engine/test_unsupported.py
EXTRA_DIST += tests/engine/test_abi.py tests/engine/test_unsupported.py
AM_TESTS_ENVIRONMENT += CHALK_GSL_LIBS='$(GSL_LIBS)'; export CHALK_GSL_LIBS;
# --- end library-boundary ABI ---

# --- conformance: gcc.c-torture/execute as cells (conformance owner) ---
# `make conformance` prints the pass rate and the failures by class; `make check` runs the same
# suite through tests/conformance/test_torture.py.  The programs are extracted from Debian's
# gcc-12-source into the build tree (once).
CONFORMANCE_WORK = $(abs_top_builddir)/tests/conformance/work
conformance: all $(CHALK_TEST_JUPYTER)/kernels/chalk/kernel.json
	@$(AM_TESTS_ENVIRONMENT) \
	$(PYTHON) $(top_srcdir)/tests/conformance/torture.py --workdir '$(CONFORMANCE_WORK)'
	@$(AM_TESTS_ENVIRONMENT) \
	$(PYTHON) $(top_srcdir)/tests/conformance/tests2.py --workdir '$(CONFORMANCE_WORK)/tests2'
.PHONY: conformance
TESTS += tests/conformance/test_torture.py tests/engine/test_old_c.py
EXTRA_DIST += tests/engine/test_old_c.py tests/conformance/torture.py tests/conformance/test_torture.py \
  tests/conformance/baseline.txt tests/conformance/rejected.txt
clean-local: clean-local-conformance
clean-local-conformance:
	-rm -rf tests/conformance/work
.PHONY: clean-local-conformance
# --- end conformance ---

# --- grader throughput (throughput) ---
# A submission that kills its kernel scores 0 on the checks that never ran.
TESTS += tests/classroom/test_grade_dead.py
EXTRA_DIST += tests/classroom/test_grade_dead.py
# --- end grader throughput ---

# --- grader: a fresh kernel per notebook (grade-x10) ---
# No global of one student's notebook is visible in the next one graded by the same worker.
TESTS += tests/classroom/test_grade_fresh.py
EXTRA_DIST += tests/classroom/test_grade_fresh.py
# --- end grader: a fresh kernel per notebook ---

# --- protocol: user_expressions, editor help, output flood (issue 12) ---
TESTS += tests/protocol/test_user_expressions.py tests/protocol/test_editor_help.py \
  tests/protocol/test_output_flood.py
EXTRA_DIST += tests/protocol/test_user_expressions.py tests/protocol/test_editor_help.py \
  tests/protocol/test_output_flood.py
check_PROGRAMS += tests/unit/test_catalog
TESTS += tests/unit/test_catalog
tests_unit_test_catalog_SOURCES = tests/unit/test_catalog.c
tests_unit_test_catalog_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)
tests_unit_test_catalog_LDADD = kernel/shared/libchalkcell.la $(TCC_LIBS) $(JANSSON_LIBS)
# The catalog / header-map / declaration-index fuzz target (see hardening).
fuzz_targets += catalog
fuzz_replays += tests/fuzz/replay_catalog
fuzz_programs += tests/fuzz/fuzz_catalog
tests_fuzz_replay_catalog_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz.h tests/fuzz/fuzz_catalog.c
tests_fuzz_replay_catalog_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) \
  -DFUZZ_CORPUS='"$(abs_top_srcdir)/tests/fuzz/catalog"'
tests_fuzz_replay_catalog_LDADD = kernel/shared/libchalkcell.la $(JANSSON_LIBS) $(TCC_LIBS)
tests/fuzz/fuzz_catalog: tests/fuzz/fuzz_catalog.c tests/fuzz/fuzz.h $(fuzz_cell_sources)
	$(AM_V_CCLD)$(fuzz_link) $(JANSSON_CFLAGS) $$srcs -o $@ $(JANSSON_LIBS) $(TCC_LIBS)
EXTRA_DIST += tests/fuzz/catalog
# --- end protocol ---

# --- kernel structure (kernel-structure owner) ---
# The #include graph of kernel/** and exercises/**: no cycle between
# modules, the three link units include only downwards (issue 13).
TESTS += tests/structure/test_include_graph.py
EXTRA_DIST += tests/structure/test_include_graph.py
# --- end kernel structure ---

# --- libchalk layout and pkg-config (lib-layout) ---
# test_layering: no call cycle between libchalk's files (nm on the built
# objects), and no file over ~600 lines without its reason;
# test_pkgconfig: `make install` (DESTDIR), then a plain C program built with
# `cc prog.c $(pkg-config --cflags --libs chalk)` runs against the installed library.
TESTS += tests/lib/test_layering.py tests/lib/test_pkgconfig.sh
EXTRA_DIST += tests/lib/test_layering.py tests/lib/test_pkgconfig.sh
# --- end libchalk layout and pkg-config ---

# --- %%cc backend (issue 14) ---
TESTS += tests/engine/test_cc.py
EXTRA_DIST += tests/engine/test_cc.py tests/bench/bench_cc.py
# --- end %%cc backend ---

# --- conformance-tests2 ---
# tinycc's tests2 (the subset committed in tests/conformance/tests2/, LGPL: see its UPSTREAM),
# run by `make conformance` above and here; cellsuite.py is what both suites share.
TESTS += tests/conformance/test_tests2.py
EXTRA_DIST += tests/conformance/test_tests2.py tests/conformance/tests2.py \
  tests/conformance/cellsuite.py tests/conformance/tests2
# --- end conformance-tests2 ---

# --- abi-indirect ---
# Callbacks one step away: through pointers, structs, returned pointers.
TESTS += tests/engine/test_abi_indirect.py
EXTRA_DIST += tests/engine/test_abi_indirect.py
# --- end abi-indirect ---

# --- %%cc cache of the tests (issue 14 follow-ups) ---
# Every kernel a test starts compiles its %%cc cells into the build tree,
# never into the user's ~/.cache (test_cc.py checks it).
AM_TESTS_ENVIRONMENT += CHALK_CC_CACHE='$(abs_top_builddir)/tests/cc-cache'; export CHALK_CC_CACHE;
clean-local: clean-local-cc-cache
clean-local-cc-cache:
	-rm -rf tests/cc-cache
.PHONY: clean-local-cc-cache
# --- end %%cc cache of the tests ---

# --- memory: packed relative relocations (issue 14 point 4) ---
TESTS += tests/build/relr-check.sh
EXTRA_DIST += tests/build/relr-check.sh
AM_TESTS_ENVIRONMENT += CHALK_RELR='$(CHALK_RELR)'; export CHALK_RELR;
# --- end memory: packed relative relocations ---

# --- build: C style and the libtcc version (build-nits) ---
# tests/build/format-check.sh: each file in tests/build/formatted.list is as
# clang-format writes it with .clang-format (skipped without clang-format).
# `make format` rewrites the listed files; `make format-all` every tracked C
# file, and lists them all (run once, when no branch has C changes pending).
TESTS += tests/build/format-check.sh tests/build/test_tcc_version.py
# CONTRIBUTING.md (the dialect and layout .clang-format stands for) was the one
# tracked file besides .gitignore that the tarball lacked.
EXTRA_DIST += .clang-format tests/build/formatted.list tests/build/format-check.sh \
  tests/build/test_tcc_version.py CONTRIBUTING.md
AM_TESTS_ENVIRONMENT += CLANG_FORMAT='$(CLANG_FORMAT)'; export CLANG_FORMAT;
# Our C files: not tinycc's tests2 programs, kept as upstream wrote them (their
# expected outputs name line numbers).  format-check.sh excludes the same.
format_pathspec = '*.c' '*.h' ':(exclude)tests/conformance/tests2/*'
format:
	@test -n "$(CLANG_FORMAT)" || { echo "make format: no clang-format (apt-get install clang-format, re-run configure)"; exit 1; }
	cd $(srcdir) && sed '/^#/d; /^$$/d' tests/build/formatted.list | xargs $(CLANG_FORMAT) -i --style=file
format-all:
	@test -n "$(CLANG_FORMAT)" || { echo "make format-all: no clang-format (apt-get install clang-format, re-run configure)"; exit 1; }
	@test -e $(srcdir)/.git || { echo "make format-all: needs a git checkout (it formats the tracked files)"; exit 1; }
	cd $(srcdir) && git ls-files $(format_pathspec) | xargs $(CLANG_FORMAT) -i --style=file && \
	  { sed -n '/^#/p' tests/build/formatted.list; git ls-files $(format_pathspec); } > tests/build/formatted.list.tmp && \
	  mv tests/build/formatted.list.tmp tests/build/formatted.list
.PHONY: format format-all
# --- end build ---

# --- prebuilt header index (issue 14 point 4, INDEX) ---
TESTS += tests/engine/test_header_index.py
EXTRA_DIST += tests/engine/test_header_index.py
# --- end prebuilt header index ---

# --- OpenBLAS's idle wait in the executor's environment (issue 15 point 5, INDEX) ---
TESTS += tests/engine/test_blas_wait.py
EXTRA_DIST += tests/engine/test_blas_wait.py
# --- end OpenBLAS's idle wait ---

# --- grader: its own kernel launch and message signing (grade) ---
# chalk-grade's _Kernel and _Wire keep jupyter_client's launch and signing rules.
TESTS += tests/classroom/test_grade_wire.py
EXTRA_DIST += tests/classroom/test_grade_wire.py
# --- end grader: its own kernel launch and message signing ---

# --- kernel: the executor's start (grade) ---
# No descriptor the kernel inherited reaches the executor or a cell.
TESTS += tests/engine/test_executor_fds.py
EXTRA_DIST += tests/engine/test_executor_fds.py
# --- end kernel: the executor's start ---
