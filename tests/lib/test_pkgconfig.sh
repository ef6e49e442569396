#!/bin/sh
# test_pkgconfig.sh — after `make install`, a plain C program builds against
# libchalk with `cc prog.c $(pkg-config --cflags --libs chalk)` and runs.
#
# What a user does with an installed prefix, in a staging copy: `make install
# DESTDIR=tmp` of this build tree, then pkg-config --define-prefix reads the
# installed chalk.pc as if the prefix were where it was staged (the .pc lies in
# PREFIX/lib/pkgconfig).  The program calls libchalk (ch_det, ch_softmax) and
# GSL itself (gsl_matrix_free, gsl_vector_get): chalk.h hands out GSL types, so
# the link line must carry GSL (Requires: gsl in chalk.pc).
# Beware: the nested make must not inherit this make's jobserver (MAKEFLAGS).
set -u
build=${CHALK_BUILDDIR:-$(pwd)}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chalk-pc.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES "${MAKE:-make}" -C "$build" install \
  DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 || { tail -n 30 "$tmp/install.log"; fail "make install DESTDIR=... failed"; }

# Where the installed file must be: $(libdir)/pkgconfig under the staging root.
libdir=$(PKG_CONFIG_PATH="$build/share" pkg-config --variable=libdir chalk) || fail "share/chalk.pc unreadable"
pcdir="$tmp/root$libdir/pkgconfig"
[ -f "$pcdir/chalk.pc" ] || fail "make install put no chalk.pc in \$(libdir)/pkgconfig ($libdir/pkgconfig)"
[ -f "$tmp/root$(PKG_CONFIG_PATH="$build/share" pkg-config --variable=includedir chalk)/chalk.h" ] ||
  fail "make install put no chalk.h in \$(includedir)"

flags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-prefix --cflags --libs chalk) ||
  fail "pkg-config --cflags --libs chalk fails after make install"
echo "pkg-config --cflags --libs chalk: $flags"
case $flags in *"$tmp/root"*) ;; *) fail "the flags do not point into the installed prefix: $flags";; esac

cat >"$tmp/prog.c" <<'C'
#include <chalk.h>

int main(void)
{
    gsl_matrix *A = MAT(2, 2, 4, 1, 1, 3);
    gsl_vector *p = ch_softmax(VEC(0, 0));
    printf("det %g softmax %g\n", ch_det(A), gsl_vector_get(p, 0));
    gsl_matrix_free(A);
    gsl_vector_free(p);
    return 0;
}
C
# shellcheck disable=SC2086  # the flags are words
${CC:-cc} -o "$tmp/prog" "$tmp/prog.c" $flags >"$tmp/cc.log" 2>&1 ||
  { cat "$tmp/cc.log"; fail "cc prog.c \$(pkg-config --cflags --libs chalk) does not build"; }
out=$(LD_LIBRARY_PATH="$tmp/root$libdir" "$tmp/prog") || fail "the program exits $?: $out"
echo "prog: $out"
[ "$out" = "det 11 softmax 0.5" ] || fail "expected 'det 11 softmax 0.5', got '$out'"
# and it ran the installed library, not the build tree's
LD_LIBRARY_PATH="$tmp/root$libdir" ldd "$tmp/prog" | grep -q "$tmp/root$libdir/libchalk.so" ||
  fail "the program does not load the installed libchalk"
echo "PASS: a program built with pkg-config's flags for chalk runs"
