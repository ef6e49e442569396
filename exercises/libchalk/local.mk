# exercises/libchalk/local.mk — libchalk, the helper library linked into every cell.
#
# One public header (chalk.h, installed as $(includedir)/chalk.h), one
# concept per .c; the shared library exports only ch_ (public) and ch__
# (library-internal, for the kernel's runtime glue and the tests) symbols.
# The private headers (internal.h, display_priv.h, plot_priv.h, svg.h, png.h)
# are not installed.  The files depend on each other without a cycle, from
# fail.c up (tests/lib/test_layering.py checks it on the built objects).
# chalk_doc.c is generated at build time from chalk.h's one-line comments by
# mkdoc.sh (the kernel's inspect reads ch_docs), so it is never edited or
# committed.  The kernel adds its ABI thunks to the library (kernel/local.mk).

# --- the library ---
lib_LTLIBRARIES += exercises/libchalk/libchalk.la
include_HEADERS += exercises/libchalk/chalk.h
exercises_libchalk_libchalk_la_CFLAGS = $(AM_CFLAGS) $(GSL_CFLAGS)
exercises_libchalk_libchalk_la_LIBADD = $(GSL_LIBS) -lm
exercises_libchalk_libchalk_la_LDFLAGS = -version-info 0:0:0 -no-undefined \
  -export-symbols-regex '^(ch_|ch__)'

# What every module stands on: failing (the bottom), allocation, the string
# buffer, argument checks, and the hooks the kernel installs.
exercises_libchalk_libchalk_la_SOURCES = \
  exercises/libchalk/internal.h \
  exercises/libchalk/fail.c \
  exercises/libchalk/alloc.c \
  exercises/libchalk/buf.c \
  exercises/libchalk/argcheck.c \
  exercises/libchalk/runtime.c

# The mathematics, one area a file: the random generator, linear algebra
# (basics, factorisations, random matrices), calculus, optimisation,
# probability, information theory, checks, and matrices shown as tables.
exercises_libchalk_libchalk_la_SOURCES += \
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

# Rich output and plots: display.c publishes bundles (display_priv.h is what
# it lends the plots); plot.c is the plot API, plot_draw.c lays out and
# draws the figure with plot_axis.c, plot_legend.c and plot_colour.c; svg.c
# is the small SVG writer, svgtext.c typesets labels with svgfont.c's
# letter widths, png.c encodes large heatmaps.
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
  exercises/libchalk/svg.h \
  exercises/libchalk/svgtext.c \
  exercises/libchalk/svgfont.c

# The table the kernel's inspect reads, generated from chalk.h.
nodist_exercises_libchalk_libchalk_la_SOURCES = exercises/libchalk/chalk_doc.c
BUILT_SOURCES += exercises/libchalk/chalk_doc.c
CLEANFILES += exercises/libchalk/chalk_doc.c
EXTRA_DIST += exercises/libchalk/mkdoc.sh
exercises/libchalk/chalk_doc.c: $(top_srcdir)/exercises/libchalk/chalk.h $(top_srcdir)/exercises/libchalk/mkdoc.sh
	$(AM_V_GEN)$(MKDIR_P) exercises/libchalk && \
	$(SHELL) $(top_srcdir)/exercises/libchalk/mkdoc.sh $(top_srcdir)/exercises/libchalk/chalk.h > $@.tmp && \
	mv $@.tmp $@
# --- end the library ---
