#!/bin/sh
# format-check.sh — the C files listed in tests/build/formatted.list are as
# clang-format (with the tree's .clang-format) would write them.
#
# A test of `make check` (and of distcheck, in its read-only srcdir: nothing
# is written, clang-format's output is compared on stdout).  The list, not
# `git ls-files`, says what is covered, so the check also runs from a
# tarball and can be widened one file at a time; a listed file that is gone
# (moved or deleted) fails the check, so the list cannot silently shrink.
# In a git checkout the tracked C files not yet listed are named on the log.
# Beware: clang-format's output differs between major versions; the style
# was tuned with Debian 12's clang-format 14.  Without clang-format the test
# is skipped (exit 77) saying so.  `make format` rewrites the listed files.
srcdir=${CHALK_SRCDIR:-${srcdir:-.}}
list="$srcdir/tests/build/formatted.list"
cf=${CLANG_FORMAT:-clang-format}

if ! command -v "$cf" >/dev/null 2>&1; then
  echo "SKIP: no clang-format ('$cf'; Debian: apt-get install clang-format, then re-run configure)"
  exit 77
fi
"$cf" --version
[ -f "$srcdir/.clang-format" ] || { echo "FAIL: $srcdir/.clang-format is missing"; exit 1; }
[ -f "$list" ] || { echo "FAIL: $list is missing"; exit 1; }

bad=0 n=0
while IFS= read -r f; do
  case $f in ''|'#'*) continue ;; esac
  n=$((n + 1))
  if [ ! -f "$srcdir/$f" ]; then
    echo "FAIL: $f is listed in tests/build/formatted.list but is not in the tree (moved? update the list)"
    bad=$((bad + 1))
    continue
  fi
  # --style=file finds $srcdir/.clang-format from the file's own directory;
  # the pipeline's status is diff's: 1 when clang-format would change a line.
  if ! "$cf" --style=file "$srcdir/$f" | diff -u --label "$f" --label "$f (clang-format)" "$srcdir/$f" -; then
    echo "FAIL: $f differs from clang-format's output (above; fix with: make format)"
    bad=$((bad + 1))
  fi
done < "$list"

if [ -d "$srcdir/.git" ] || [ -f "$srcdir/.git" ]; then
  if command -v git >/dev/null 2>&1; then
    # the same files as format_pathspec in tests/local.mk (tinycc's tests2 are not ours)
    rest=$(cd "$srcdir" && git ls-files '*.c' '*.h' ':(exclude)tests/conformance/tests2/*' |
      grep -vxF -f tests/build/formatted.list | wc -l)
    echo "note: $rest tracked C files are not in tests/build/formatted.list yet"
  fi
fi
echo "$n listed files, $bad not as clang-format writes them"
[ "$n" -gt 0 ] || { echo "FAIL: the list names no file"; exit 1; }
[ "$bad" -eq 0 ]
