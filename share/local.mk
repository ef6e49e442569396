# share/local.mk — data files: the Jupyter kernelspec, the pkg-config file
# (and, from other owners, the course config).
#
# kernel.json is generated at build time from kernel.json.in so argv[0] is the
# absolute path of the *installed* binary ($(bindir) fully expanded by make,
# never including DESTDIR: the spec must name where the binary will run).
# With --prefix pointing at a virtualenv, that environment's Jupyter finds
# the kernel in $(datadir)/jupyter/kernels/chalk with no further step.

# --- kernelspec (protocol owner) ---
kernelspecdir = $(datadir)/jupyter/kernels/chalk
kernelspec_DATA = share/kernelspec/kernel.json \
  share/kernelspec/logo-32x32.png share/kernelspec/logo-64x64.png share/kernelspec/logo-svg.svg

share/kernelspec/kernel.json: $(top_srcdir)/share/kernelspec/kernel.json.in Makefile
	$(AM_V_GEN)$(MKDIR_P) share/kernelspec && \
	$(SED) -e 's|@bindir[@]|$(bindir)|g' $(top_srcdir)/share/kernelspec/kernel.json.in > $@.tmp && \
	mv $@.tmp $@

EXTRA_DIST += share/kernelspec/kernel.json.in share/kernelspec/logo-32x32.png \
  share/kernelspec/logo-64x64.png share/kernelspec/logo-svg.svg
CLEANFILES += share/kernelspec/kernel.json
# --- end kernelspec ---

# --- classroom Python modules (lead) ---
# chalk_mathml: maths as MathML in feedback pages (nbgrader's and chalk-grade's),
# so they render offline and in viewers that run no scripts.
python_PYTHON = share/classroom/chalk_mathml.py
# --- end classroom Python modules ---

# --- deploy (course-hub owner) ---
# The install recipe quickstart runs, and the container / Binder / Kubernetes
# files built on it (share/deploy/README.md says which is which).
# chalk-eg-launch is installed with the kernel: the image's Enterprise Gateway kernel pods
# run it (share/deploy/enterprise-gateway/kernel-pod.yaml.j2).
dist_bin_SCRIPTS = share/deploy/enterprise-gateway/chalk-eg-launch
EXTRA_DIST += share/deploy/install-chalk.sh share/deploy/README.md \
  share/deploy/Dockerfile share/deploy/Dockerfile.dockerignore \
  share/deploy/z2jh-values.yaml share/deploy/enterprise-gateway/kernel.json \
  share/deploy/enterprise-gateway/kernel-pod.yaml.j2 .binder/apt.txt .binder/postBuild
# --- end deploy ---

# --- pkg-config file (lib-layout) ---
# configure writes share/chalk.pc from chalk.pc.in; installed where pkg-config
# looks under the prefix (tests/lib/test_pkgconfig.sh builds a program with it).
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = share/chalk.pc
# --- end pkg-config file ---
