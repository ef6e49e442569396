#!/usr/bin/env bash
# install-chalk.sh — the one recipe that puts chalk on a machine or into an image:
# Debian 12 / Ubuntu build packages (apt), then autoreconf/configure, make, make install
# into a prefix, so the Jupyter of that prefix finds the kernel
# ($prefix/share/jupyter/kernels/chalk).  quickstart, the Dockerfile and Binder's postBuild
# all run this file; CI runs it through quickstart.
#
#   share/deploy/install-chalk.sh [--prefix DIR] [--python PY] [--jobs N]
#                                 [--no-apt | --apt-only] [--venv-tools] [--test-tools]
#                                 [--optional "PKG..."]
#   share/deploy/install-chalk.sh --packages      # the apt packages, one a line (= .binder/apt.txt)
#
# --prefix defaults to PY's sys.prefix (a venv or conda env: its Jupyter then finds the
# kernel with no further step); with any other prefix the kernelspec is registered in PY's
# environment with `jupyter kernelspec install --sys-prefix`.  --venv-tools adds
# python3-venv and pip (quickstart makes a venv); --test-tools adds, as optional packages, what
# only the test suites read (gcc-12-source: `make conformance` runs GCC's torture tests;
# clang-format: tests/build/format-check.sh; valgrind: `make valgrind`, which .ci/run runs;
# without them those tests are skipped); --optional
# packages may fail to install (remembered in _build/, not retried).  Re-running is quick:
# apt is skipped when every package is present, configure when the tree is configured for this
# prefix (CHALK_RECONFIGURE=1 forces it).  Beware: it configures and builds in the source tree
# it belongs to.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
packages=(build-essential autoconf automake libtool pkg-config
          libzmq3-dev libsodium-dev libjansson-dev libssl-dev libgsl-dev libtcc-dev tcc libopenblas-dev)
venv_tools=(python3 python3-venv python3-pip)
test_tools=(gcc-12-source clang-format valgrind)
optional=()
prefix= python=python3 jobs=${CHALK_JOBS:-2} apt=1 build=1

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'install-chalk.sh: %s\n' "$*" >&2; exit 1; }

while (($#)); do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --python) python=${2:?--python needs an interpreter}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --no-apt) apt=0; shift ;;
    --apt-only) build=0; shift ;;
    --venv-tools) packages+=("${venv_tools[@]}"); shift ;;
    --test-tools) optional+=("${test_tools[@]}"); shift ;;
    --optional) read -r -a more <<< "${2:?--optional needs package names}"; optional+=("${more[@]}"); shift 2 ;;
    --packages) printf '%s\n' "${packages[@]}"; exit 0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "--jobs wants a positive number, not '$jobs'"

# ---- system packages ------------------------------------------------------------
missing_packages() {
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || printf '%s\n' "$p"
  done
}

install_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chalk.sh: no apt/dpkg here; assuming the build dependencies are installed" >&2
    return 0
  fi
  local need need_opt optstamp="$src/_build/optional-packages-unavailable" sudo
  mapfile -t need < <(missing_packages "${packages[@]}")
  mapfile -t need_opt < <(missing_packages ${optional[@]+"${optional[@]}"})
  # an optional package this distribution lacks is not retried on every run
  if ((${#need_opt[@]})) && [[ -f $optstamp && $(cat "$optstamp") == "${need_opt[*]}" ]]; then
    need_opt=()
  fi
  if ! ((${#need[@]} + ${#need_opt[@]})); then
    say "system packages: all present"
    return 0
  fi
  if [[ $(id -u) -eq 0 ]]; then sudo=();
  elif command -v sudo >/dev/null 2>&1; then sudo=(sudo);
  else die "need root or sudo to install: ${need[*]} ${need_opt[*]}"; fi
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get install ${need[*]} ${need_opt[*]}"
  "${sudo[@]}" apt-get update -q
  if ((${#need[@]})); then
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${need[@]}"
  fi
  if ((${#need_opt[@]})); then
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${need_opt[@]}"; then
      echo "install-chalk.sh: optional packages not installed (${need_opt[*]}); continuing" >&2
      mkdir -p "$src/_build" && printf '%s\n' "${need_opt[*]}" > "$optstamp"
    fi
  fi
}

# ---- build and install -------------------------------------------------------------
configured_prefix() {
  [[ -f config.status && -f Makefile ]] || return 1
  sed -n 's/^prefix = //p' Makefile | head -n1
}

build_and_install() {
  command -v "$python" >/dev/null 2>&1 || die "no Python '$python' (give --python)"
  python=$(command -v "$python")
  local sys_prefix
  sys_prefix=$("$python" -c 'import sys; print(sys.prefix)')
  prefix=${prefix:-$sys_prefix}
  [[ $prefix == /* ]] || prefix=$PWD/$prefix
  cd "$src"
  local was
  was=$(configured_prefix || true)
  # A tree configured before an aux file became needed (build-aux/py-compile, since the
  # classroom modules are Python) cannot regenerate its Makefiles without autoreconf -fi.
  if [[ ${CHALK_RECONFIGURE:-0} == 1 || $was != "$prefix" || ! -f build-aux/py-compile ]]; then
    # objects built for another prefix carry its paths (-DCHALK_INCLUDEDIR, the executor's
    # directory) and make would not rebuild them: start clean
    if [[ -n $was && $was != "$prefix" ]]; then make -s clean >/dev/null; fi
    say "autoreconf -fi && ./configure --prefix=$prefix"
    autoreconf -fi
    ./configure --prefix="$prefix" PYTHON="$python"
  else
    say "already configured for ${prefix#"$PWD"/}"
  fi
  say "make -j$jobs && make install"
  make -j"$jobs"
  make install
  if [[ $(cd "$prefix" && pwd -P) != $(cd "$sys_prefix" && pwd -P) ]]; then
    say "jupyter kernelspec install --sys-prefix (for $python)"
    "$python" -m jupyter kernelspec install --sys-prefix --replace --name chalk \
      "$prefix/share/jupyter/kernels/chalk"
  fi
}

((apt)) && install_packages
((build)) && build_and_install
exit 0
