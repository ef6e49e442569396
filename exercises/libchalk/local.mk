# exercises/libchalk/local.mk — libchalk, the helper library linked into every cell.
#
# One public header (chalk.h), one .c per module; the shared library exports
# only ch_ (public) and ch__ (library-internal, for the plot/display modules
# and the kernel's runtime glue) symbols.  chalk_doc.c is generated at build
# time from chalk.h's one-line comments by mkdoc.sh (the kernel's inspect
# reads ch_docs), so it is never edited or committed.

# --- libchalk core (linalg/calculus/optim/prob/info/check/show owner) ---
lib_LTLIBRARIES += exercises/libchalk/libchalk.la
include_HEADERS += exercises/libchalk/chalk.h
exercises_libchalk_libchalk_la_SOURCES = \
  exercises/libchalk/internal.h \
  exercises/libchalk/fail.c \
  exercises/libchalk/alloc.c \
  exercises/libchalk/buf.c \
  exercises/libchalk/argcheck.c \
  exercises/libchalk/runtime.c \
  exercises/libchalk/rng.c \
  exercises/libchalk/linalg.c \
  exercises/libchalk/decomp.c \
  exercises/libchalk/randmat.c \
  exercises/libchalk/calculus.c \
  exercises/libchalk/optim.c \
  exercises/libchalk/prob.c \
  exercises/libchalk/info.c \
  exercises/libchalk/check.c \
  exercises/libchalk/show.c
nodist_exercises_libchalk_libchalk_la_SOURCES = exercises/libchalk/chalk_doc.c
exercises_libchalk_libchalk_la_CFLAGS = $(AM_CFLAGS) $(GSL_CFLAGS)
exercises_libchalk_libchalk_la_LIBADD = $(GSL_LIBS) -lm
exercises_libchalk_libchalk_la_LDFLAGS = -version-info 0:0:0 -no-undefined \
  -export-symbols-regex '^(ch_|ch__)'
BUILT_SOURCES += exercises/libchalk/chalk_doc.c
CLEANFILES += exercises/libchalk/chalk_doc.c
EXTRA_DIST += exercises/libchalk/mkdoc.sh
exercises/libchalk/chalk_doc.c: $(top_srcdir)/exercises/libchalk/chalk.h $(top_srcdir)/exercises/libchalk/mkdoc.sh
	$(AM_V_GEN)$(MKDIR_P) exercises/libchalk && \
	$(SHELL) $(top_srcdir)/exercises/libchalk/mkdoc.sh $(top_srcdir)/exercises/libchalk/chalk.h > $@.tmp && \
	mv $@.tmp $@
# --- end libchalk core ---

# --- plot/display (plot/display owner): add sources with
#     exercises_libchalk_libchalk_la_SOURCES += exercises/libchalk/plot.c ... ---
# svg.c is the small SVG writer behind plot.c, svgtext.c its labels; display_priv.h is what display.c
# lends plot.c (the bundle publisher).  Neither header is installed.
exercises_libchalk_libchalk_la_SOURCES += \
  exercises/libchalk/display.c \
  exercises/libchalk/display_priv.h \
  exercises/libchalk/plot.c \
  exercises/libchalk/plot_priv.h \
  exercises/libchalk/plot_draw.c \
  exercises/libchalk/plot_axis.c \
  exercises/libchalk/plot_legend.c \
  exercises/libchalk/plot_colour.c \
  exercises/libchalk/png.c \
  exercises/libchalk/png.h \
  exercises/libchalk/svg.c \
  exercises/libchalk/svgtext.c \
  exercises/libchalk/svgfont.c \
  exercises/libchalk/svg.h
# --- end plot/display ---
