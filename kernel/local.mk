# kernel/local.mk — the kernel's three link units, included by the top Makefile.am.
#
#   kernel/           the kernel process (chalk-kernel): connection file,
#                     signing, wire, transport, dispatch, engine, editor help;
#   kernel/executor/  the executor process (chalk-executor, started by the
#                     kernel): the holder of the session, running a cell,
#                     the cell's run-time, magics, the compile backend;
#   kernel/shared/    what both link (libchalkcell): the cell source code
#                     (tokenizer, splitter, declaration index, headers,
#                     declaration store, library-boundary ABI) and the channel
#                     between the two processes (channel, executor config).
# Nothing in kernel/shared/ includes a header of the other two, and the
# kernel process includes nothing of kernel/executor/ (only the executor's
# CPPFLAGS add that folder).

bin_PROGRAMS += kernel/chalk-kernel

# --- protocol layers (protocol owner) ---
kernel_chalk_kernel_SOURCES = \
  kernel/main.c \
  kernel/connfile.c kernel/connfile.h \
  kernel/sign.c kernel/sign.h \
  kernel/libcrypto.c kernel/libcrypto.h \
  kernel/wire.c kernel/wire.h \
  kernel/transport.c kernel/transport.h \
  kernel/dispatch.c kernel/dispatch.h \
  kernel/log.c kernel/log.h \
  kernel/utf8.c kernel/utf8.h \
  kernel/install.c kernel/install.h \
  kernel/engine.h
# install.c looks for the logos in the installed datadir and, for an
# uninstalled build, in the source tree.
kernel_chalk_kernel_CPPFLAGS = $(AM_CPPFLAGS) \
  -DCHALK_DATADIR='"$(datadir)"' -DCHALK_SRCDIR='"$(abs_top_srcdir)"' \
  $(ZMQ_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(CRYPTO_CFLAGS)
# libcrypto is not linked: sign.c computes hmac-sha256 with libsodium (which
# libzmq loads anyway) and opens libcrypto only for other digests
# (kernel/libcrypto.h); CRYPTO_CFLAGS is for its headers.
kernel_chalk_kernel_LDADD = $(ZMQ_LIBS) $(JANSSON_LIBS) $(SODIUM_LIBS)
# --- end protocol layers ---

# --- engine side (engine owner) ---
# The kernel's half: the engine talks to the executor, the editor answers
# completion and inspection.
nodist_kernel_chalk_kernel_SOURCES = exercises/libchalk/chalk_doc.c
kernel_chalk_kernel_SOURCES += \
  kernel/engine.c \
  kernel/editor.c kernel/editor.h \
  kernel/shared/channel.c kernel/shared/channel.h \
  kernel/shared/executor_config.c kernel/shared/executor.h
kernel_chalk_kernel_CPPFLAGS += $(GSL_CFLAGS) -I$(top_srcdir)/exercises/libchalk \
  -DCHALK_INCLUDEDIR='"$(includedir)"' -DCHALK_CC_INCLUDEDIR='"$(ccincludedir)"' \
  -DCHALK_EXECUTOR_PATH='"$(pkglibexecdir)/chalk-executor"' -DCHALK_BINDIR='"$(bindir)"'
kernel_chalk_kernel_LDADD += $(TCC_LIBS)

# The executor is a program of its own, started by the kernel, so that the
# kernel loads nothing a cell needs and binds its sockets at once.  Cells
# call into libchalk, GSL and libm through the executor's dynamic symbol
# table (libtcc resolves undefined symbols with dlsym), which is why it links
# them even where its own code does not need them.
pkglibexec_PROGRAMS = kernel/executor/chalk-executor
kernel_executor_chalk_executor_SOURCES = \
  kernel/executor/executor_main.c \
  kernel/executor/executor.c kernel/shared/executor.h \
  kernel/executor/holder.c kernel/executor/holder.h \
  kernel/shared/executor_config.c \
  kernel/executor/run_cell.c kernel/executor/run_cell.h \
  kernel/executor/cell_report.c kernel/executor/cell_report.h \
  kernel/executor/timeit.c kernel/executor/timeit.h \
  kernel/executor/diagnose.c kernel/executor/diagnose.h \
  kernel/executor/show_value.c kernel/executor/show_value.h \
  kernel/executor/cell_runtime.c kernel/executor/cell_runtime.h \
  kernel/executor/isolate.c kernel/executor/isolate.h \
  kernel/executor/magics.c kernel/executor/magics.h \
  kernel/executor/compile_tcc.c kernel/executor/compile_tcc.h \
  kernel/executor/images.c kernel/executor/images.h \
  kernel/executor/prefault.c kernel/executor/prefault.h \
  kernel/shared/channel.c kernel/shared/channel.h
kernel_executor_chalk_executor_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/kernel/executor $(JANSSON_CFLAGS) $(GSL_CFLAGS) \
  -DCHALK_INCLUDEDIR='"$(includedir)"' -DCHALK_CC_INCLUDEDIR='"$(ccincludedir)"'
kernel_executor_chalk_executor_LDADD = kernel/shared/libchalkcell.la exercises/libchalk/libchalk.la \
  $(GSL_LIBS) $(TCC_LIBS) $(JANSSON_LIBS)
# A cell's libtcc state is freed once it has run, its code and data kept,
# and the C library's ld script is read once per session, not per cell:
# see compile_tcc.c, which needs these wraps to link.
kernel_executor_chalk_executor_LDFLAGS = -Wl,--wrap=tcc_free \
  -Wl,--wrap=tcc_add_library_err -Wl,--wrap=tcc_add_file_internal
# --- end engine side ---

# --- cell source (decl_store/cellsrc/declindex/headers owner) ---
# A convenience library so the kernel and the unit tests link the same code.
noinst_LTLIBRARIES += kernel/shared/libchalkcell.la
kernel_shared_libchalkcell_la_SOURCES = \
  kernel/shared/alloc.c kernel/shared/alloc.h \
  kernel/shared/strbuf.c kernel/shared/strbuf.h \
  kernel/shared/ctoken.c kernel/shared/ctoken.h \
  kernel/shared/cellsrc.c kernel/shared/cellsrc.h \
  kernel/shared/declindex.c kernel/shared/declindex.h \
  kernel/shared/headers.c kernel/shared/headers.h \
  kernel/shared/magic_syntax.c kernel/shared/magic_syntax.h \
  kernel/shared/reserved.c kernel/shared/reserved.h \
  kernel/shared/decl_store.c kernel/shared/decl_store.h kernel/shared/decl_store_internal.h \
  kernel/shared/decl_store_unit.c \
  kernel/shared/strv.c kernel/shared/strv.h \
  kernel/shared/tcc_global_double_bug.c kernel/shared/tcc_global_double_bug.h
kernel_shared_libchalkcell_la_LIBADD = $(TCC_LIBS)
kernel_chalk_kernel_LDADD += kernel/shared/libchalkcell.la
# --- end cell source ---

# --- library-boundary ABI (abi owner) ---
# mkthunks.py reads the GSL headers and chalk.h with the system compiler and
# writes the thunks (compiled into libchalk by that compiler), the table of
# wrappers the flattened headers get (abi.h) and the list the test calls.
# One stamp makes all three, so a parallel make runs the script once.
kernel_shared_libchalkcell_la_SOURCES += kernel/shared/abi.c kernel/shared/abi.h \
  kernel/shared/unsupported.c kernel/shared/unsupported.h
nodist_kernel_shared_libchalkcell_la_SOURCES = kernel/shared/abi_table.c
nodist_exercises_libchalk_libchalk_la_SOURCES += kernel/shared/abi_thunks.c
abi_generated = kernel/shared/abi_thunks.c kernel/shared/abi_table.c kernel/shared/abi_thunks.list
BUILT_SOURCES += $(abi_generated)
CLEANFILES += $(abi_generated) kernel/shared/abi.stamp
EXTRA_DIST += kernel/shared/mkthunks.py
kernel/shared/abi.stamp: $(top_srcdir)/kernel/shared/mkthunks.py $(top_srcdir)/exercises/libchalk/chalk.h
	$(AM_V_GEN)$(MKDIR_P) kernel/shared && \
	$(PYTHON) $(top_srcdir)/kernel/shared/mkthunks.py "$(CC)" "$(GSL_CFLAGS) $(CPPFLAGS)" \
	  $(top_srcdir)/exercises/libchalk/chalk.h $(abi_generated) && touch $@
$(abi_generated): kernel/shared/abi.stamp
# --- end library-boundary ABI ---

# --- protocol: editor help for every installed header (issue 12) ---
kernel_shared_libchalkcell_la_SOURCES += \
  kernel/shared/catalog.c kernel/shared/catalog.h \
  kernel/shared/includes.c kernel/shared/includes.h
# --- end protocol ---

# --- %%cc backend (issue 14) ---
# The system C compiler behind compile.h: a %%cc cell is compiled into a
# cached object, linked into a shared object and dlopen'ed in the cell's child.
kernel_executor_chalk_executor_SOURCES += kernel/executor/compile.h kernel/executor/compile_cc.c \
  kernel/executor/cc_cache.c kernel/executor/cc_cache.h
# <omp.h> for %%cc -fopenmp cells: a directory holding only a link to the
# compiler's own (configure's CHALK_OMP_H; its other headers are gcc's
# stddef.h and the like, which libtcc must not read).  The installed one is
# on the kernel's default include path (executor_config.c); the build
# tree's is on the test kernelspec's (tests/write-kernelspec.py).
ccincludedir = $(pkglibdir)/cc-include
noinst_DATA = kernel/executor/cc-include/stamp
CLEANFILES += kernel/executor/cc-include/stamp kernel/executor/cc-include/omp.h
kernel/executor/cc-include/stamp: Makefile
	$(AM_V_GEN)$(MKDIR_P) kernel/executor/cc-include && rm -f kernel/executor/cc-include/omp.h && \
	if test -n '$(CHALK_OMP_H)'; then $(LN_S) '$(CHALK_OMP_H)' kernel/executor/cc-include/omp.h; fi && \
	touch $@
install-data-local: install-cc-include
install-cc-include:
	$(MKDIR_P) '$(DESTDIR)$(ccincludedir)'
	rm -f '$(DESTDIR)$(ccincludedir)/omp.h'
	if test -n '$(CHALK_OMP_H)'; then $(LN_S) '$(CHALK_OMP_H)' '$(DESTDIR)$(ccincludedir)/omp.h'; fi
uninstall-local: uninstall-cc-include
uninstall-cc-include:
	-rm -f '$(DESTDIR)$(ccincludedir)/omp.h'
	-rmdir '$(DESTDIR)$(ccincludedir)' 2>/dev/null
.PHONY: install-cc-include uninstall-cc-include
# --- end %%cc backend ---

# --- prebuilt header index (issue 14, INDEX) ---
# The prelude's declaration index, built once by the executor itself and
# mapped read-only by every kernel (header_index.h): one for the build tree
# (an uninstalled kernel, `make check`), one written at install time by the
# installed executor for the installed chalk.h.  Either is used only if its
# key matches; otherwise a kernel builds the index in memory, as without it.
kernel_shared_libchalkcell_la_SOURCES += kernel/shared/header_index.c kernel/shared/header_index.h
kernel_executor_chalk_executor_SOURCES += kernel/executor/tcc_scratch.c kernel/executor/tcc_scratch.h
kernel_executor_chalk_executor_CPPFLAGS += \
  -DCHALK_HEADER_INDEX_FILES='"$(pkglibdir)/headers.idx:$(abs_top_builddir)/kernel/executor/headers.idx"'
noinst_DATA += kernel/executor/headers.idx
CLEANFILES += kernel/executor/headers.idx
# The environment a build-tree kernel runs in (tests/write-kernelspec.py):
# the -I directory is part of the key, spelt as that script spells it, so
# without the "sub/../.." of a VPATH build's abs_top_srcdir.
kernel/executor/headers.idx: kernel/executor/chalk-executor$(EXEEXT) \
  $(top_srcdir)/exercises/libchalk/chalk.h kernel/executor/cc-include/stamp
	$(AM_V_GEN)libchalk=`cd '$(top_srcdir)/exercises/libchalk' && pwd` && \
	env -u CHALK_PRELUDE -u CHALK_HEADER_INDEX \
	  CHALK_INCLUDE_PATH="$$libchalk:$(abs_top_builddir)/kernel/executor/cc-include" \
	  kernel/executor/chalk-executor$(EXEEXT) --write-header-index $@
# Under DESTDIR the files are not where they will run (their paths are part
# of the key): a staged install ships no index and kernels build it.  Beware:
# `make -j install` may run this hook before the executor is installed (the
# exec and data halves run in parallel): it then says so, and
# `make install-header-index` writes the index afterwards.
install-data-hook: install-header-index
install-header-index:
	@if test -n '$(DESTDIR)'; then \
	  echo "chalk: DESTDIR set: no prebuilt header index installed (kernels build it in memory)"; \
	elif test -x '$(pkglibexecdir)/chalk-executor' && test -f '$(includedir)/chalk.h'; then \
	  $(MKDIR_P) '$(pkglibdir)' && \
	  env -u CHALK_PRELUDE -u CHALK_HEADER_INDEX -u CHALK_INCLUDE_PATH \
	    LD_LIBRARY_PATH='$(libdir)'$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH} \
	    '$(pkglibexecdir)/chalk-executor' --write-header-index '$(pkglibdir)/headers.idx' || \
	  echo "chalk: the prebuilt header index could not be written (kernels build it in memory)"; \
	else \
	  echo "chalk: no installed executor or chalk.h yet: no prebuilt header index (make install-header-index)"; \
	fi
uninstall-hook: uninstall-header-index
uninstall-header-index:
	-rm -f '$(DESTDIR)$(pkglibdir)/headers.idx'
	-rmdir '$(DESTDIR)$(pkglibdir)' 2>/dev/null
.PHONY: install-header-index uninstall-header-index
# --- end prebuilt header index ---
