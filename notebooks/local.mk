# notebooks/local.mk — the notebooks, generated from exercises/notebooks/*.md.
#
# The .md sources are what we edit and review; notebooks/*.ipynb are generated
# by exercises/notebooks/mknotebook.py and committed without outputs, so a clone opens
# them without building anything.  Targets:
#   make notebooks   regenerate notebooks/*.ipynb in the source tree
#   make html        execute every notebook with the kernel built here and
#                    render HTML copies into html-notebooks/ (fails if a cell
#                    errors that is not tagged raises-exception)
#   make release     the student versions of the ten exercises (not 00-tour):
#                    share/classroom/chalk-course builds the nbgrader course
#                    course/ here (config, source/chalk/) and runs nbgrader's
#                    generate_assignment with our config, so they land in
#                    course/release/chalk/*.ipynb
# Installed: the notebooks and the nbgrader config in $(pkgdatadir), and
# chalk-course, which builds a course from them (`chalk-course -o mycourse`).
# `make check` fails when a committed notebook differs from what its source
# generates (tests/notebooks/test_uptodate.py), and executes them all.
# One list: a notebook is its stem here; its source and the generated file
# are derived from it (adding a notebook means adding its stem, nothing else).
notebook_stems = 00-tour 01-svd 02-softmax-gradient 03-hessian-curvature 04-elbo \
  05-bias-variance 06-adam-vs-sgd 07-sgd-nonconvex 08-cross-entropy-kl \
  09-data-processing-inequality 10-infonce-mutual-information
notebook_sources = $(notebook_stems:%=exercises/notebooks/%.md)
notebook_files = $(notebook_stems:%=notebooks/%.ipynb)
EXTRA_DIST += exercises/notebooks/mknotebook.py share/nbgrader_config.py $(notebook_sources) $(notebook_files) \
  share/classroom/chalk-course
chalknotebooksdir = $(pkgdatadir)/notebooks
chalknotebooks_DATA = $(notebook_files)
chalkcoursedir = $(pkgdatadir)
chalkcourse_DATA = share/nbgrader_config.py
chalkcoursebindir = $(bindir)
chalkcoursebin_SCRIPTS = share/classroom/chalk-course

notebooks:
	$(AM_V_GEN)cd $(srcdir) && $(PYTHON) exercises/notebooks/mknotebook.py $(notebook_sources) -o notebooks

# The same comparison the test makes, for a quick look without pytest.
notebooks-uptodate:
	@cd $(srcdir) && $(PYTHON) exercises/notebooks/mknotebook.py $(notebook_sources) -o notebooks --check

html-local: all
	@$(MAKE) $(AM_MAKEFLAGS) $(check_DATA)
	@$(MKDIR_P) html-notebooks
	@fail=0; for stem in $(notebook_stems); do \
	  echo "  HTML     html-notebooks/$$stem.html"; \
	  ( $(AM_TESTS_ENVIRONMENT) \
	    $(PYTHON) -m jupyter nbconvert --to html --execute \
	      --ExecutePreprocessor.timeout=-1 --output-dir html-notebooks \
	      --output "$$stem" "$(abs_top_srcdir)/notebooks/$$stem.ipynb" ) || fail=1; \
	done; exit $$fail
.PHONY: notebooks notebooks-uptodate

# nbgrader needs the kernel only to grade, not to generate: no `all` needed,
# but the build tree's kernelspec lets an instructor try autograde right here.
release: $(CHALK_TEST_JUPYTER)/kernels/chalk/kernel.json
	$(AM_V_GEN)$(AM_TESTS_ENVIRONMENT) \
	$(PYTHON) $(srcdir)/share/classroom/chalk-course -o course --assignment chalk --force
.PHONY: release

clean-local: clean-local-notebooks-html
clean-local-notebooks-html:
	-rm -rf html-notebooks course
.PHONY: clean-local-notebooks-html
