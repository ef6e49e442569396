# kernel/local.mk — chalk-kernel, included by the top Makefile.am.
#
# kernel_chalk_kernel_SOURCES (automake's name for kernel/chalk-kernel's
# sources) is assembled in two marked blocks so each owner edits only their
# own: the protocol layers here, the engine side (engine, executor, session,
# compile, ...) below with `+=`.  engine.h is the contract between the two.

bin_PROGRAMS += kernel/chalk-kernel

# --- protocol layers (protocol owner) ---
kernel_chalk_kernel_SOURCES = \
  kernel/main.c \
  kernel/connfile.c kernel/connfile.h \
  kernel/sign.c kernel/sign.h \
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
  $(ZMQ_CFLAGS) $(JANSSON_CFLAGS) $(CRYPTO_CFLAGS)
kernel_chalk_kernel_LDADD = $(ZMQ_LIBS) $(JANSSON_LIBS) $(CRYPTO_LIBS)
# --- end protocol layers ---

# --- engine side (engine owner) ---
# The kernel's half: the engine talks to the executor, the editor answers
# completion and inspection.
nodist_kernel_chalk_kernel_SOURCES = exercises/chalk_doc.c
kernel_chalk_kernel_SOURCES += \
  kernel/engine.c \
  kernel/editor.c kernel/editor.h \
  kernel/frame.c kernel/frame.h \
  kernel/executor_config.c kernel/executor.h
kernel_chalk_kernel_CPPFLAGS += $(GSL_CFLAGS) -I$(top_srcdir)/exercises \
  -DCHALK_INCLUDEDIR='"$(includedir)"' \
  -DCHALK_EXECUTOR_PATH='"$(pkglibexecdir)/chalk-executor"' -DCHALK_BINDIR='"$(bindir)"'
kernel_chalk_kernel_LDADD += $(TCC_LIBS)

# The executor is a program of its own, started by the kernel, so that the
# kernel loads nothing a cell needs and binds its sockets at once.  Cells
# call into libchalk, GSL and libm through the executor's dynamic symbol
# table (libtcc resolves undefined symbols with dlsym), which is why it links
# them even where its own code does not need them.
pkglibexec_PROGRAMS = kernel/chalk-executor
kernel_chalk_executor_SOURCES = \
  kernel/executor_main.c \
  kernel/executor.c kernel/executor.h \
  kernel/executor_config.c \
  kernel/cellrun.c kernel/cellrun.h \
  kernel/diagnose.c kernel/diagnose.h \
  kernel/cellshow.c kernel/cellshow.h \
  kernel/cellrt.c kernel/cellrt.h \
  kernel/isolate.c kernel/isolate.h \
  kernel/magics.c kernel/magics.h \
  kernel/compile_tcc.c kernel/compile_tcc.h \
  kernel/frame.c kernel/frame.h
kernel_chalk_executor_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(GSL_CFLAGS) \
  -DCHALK_INCLUDEDIR='"$(includedir)"'
kernel_chalk_executor_LDADD = kernel/libchalkcell.la exercises/libchalk.la \
  $(GSL_LIBS) $(TCC_LIBS) $(JANSSON_LIBS)
# --- end engine side ---

# --- cell source (session/cellsrc/declindex/headers owner) ---
# A convenience library so the kernel and the unit tests link the same code.
noinst_LTLIBRARIES += kernel/libchalkcell.la
kernel_libchalkcell_la_SOURCES = \
  kernel/cellsrc.c kernel/cellsrc.h \
  kernel/declindex.c kernel/declindex.h \
  kernel/headers.c kernel/headers.h \
  kernel/reserved.c kernel/reserved.h \
  kernel/session.c kernel/session.h
kernel_libchalkcell_la_LIBADD = $(TCC_LIBS)
kernel_chalk_kernel_LDADD += kernel/libchalkcell.la
# --- end cell source ---

# --- library-boundary ABI (abi owner) ---
# mkthunks.py reads the GSL headers and chalk.h with the system compiler and
# writes the thunks (compiled into libchalk by that compiler), the table of
# wrappers the flattened headers get (abi.h) and the list the test calls.
# One stamp makes all three, so a parallel make runs the script once.
kernel_libchalkcell_la_SOURCES += kernel/abi.c kernel/abi.h \
  kernel/unsupported.c kernel/unsupported.h
nodist_kernel_libchalkcell_la_SOURCES = kernel/abi_table.c
nodist_exercises_libchalk_la_SOURCES += kernel/abi_thunks.c
abi_generated = kernel/abi_thunks.c kernel/abi_table.c kernel/abi_thunks.list
BUILT_SOURCES += $(abi_generated)
CLEANFILES += $(abi_generated) kernel/abi.stamp
EXTRA_DIST += kernel/mkthunks.py
kernel/abi.stamp: $(top_srcdir)/kernel/mkthunks.py $(top_srcdir)/exercises/chalk.h
	$(AM_V_GEN)$(MKDIR_P) kernel && \
	$(PYTHON) $(top_srcdir)/kernel/mkthunks.py "$(CC)" "$(GSL_CFLAGS) $(CPPFLAGS)" \
	  $(top_srcdir)/exercises/chalk.h $(abi_generated) && touch $@
$(abi_generated): kernel/abi.stamp
# --- end library-boundary ABI ---

# --- protocol: editor help for every installed header (issue 12) ---
kernel_libchalkcell_la_SOURCES += \
  kernel/catalog.c kernel/catalog.h \
  kernel/includes.c kernel/includes.h
# --- end protocol ---
