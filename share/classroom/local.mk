# share/classroom/local.mk — the classroom tools (grader owner).
#
# chalk-grade is a Python program: the source is chalk-grade.py; the installed
# script is the same file with the configured $(PYTHON) in its shebang, so it
# runs with the Python that has nbclient, nbconvert and (optionally) nbgrader
# and Dask, whatever `python3` is on PATH, and $(pythondir) in its path so it finds
# chalk_mathml (share/local.mk installs it there).

# --- grader ---
# Its own directory variable (= bindir), so no other fragment has to share bin_SCRIPTS.
classroombindir = $(bindir)
classroombin_SCRIPTS = share/classroom/chalk-grade
share/classroom/chalk-grade: $(top_srcdir)/share/classroom/chalk-grade.py Makefile
	$(AM_V_GEN)$(MKDIR_P) share/classroom && \
	$(SED) -e '1s|^#!.*|#!$(PYTHON)|' -e 's|@pythondir[@]|$(pythondir)|' \
	  $(top_srcdir)/share/classroom/chalk-grade.py > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@
EXTRA_DIST += share/classroom/chalk-grade.py
CLEANFILES += share/classroom/chalk-grade
# --- end grader ---
