#!/bin/sh
# relr-check.sh — the kernel, the executor and libchalk are linked with
# packed relative relocations (configure's -z pack-relative-relocs).
#
# Unpacked, their relative relocations took 33, 21 and 18 KB of .rela.dyn,
# pages the loader reads at each start and that stay mapped (issue 14,
# point 4).  Each binary must carry a DT_RELR entry and keep .rela.dyn under
# 4 KB (the relocations that are not relative: a few dozen).  Skipped (exit
# 77) when configure found no linker or loader support.
builddir=${CHALK_BUILDDIR:-.}

if [ "${CHALK_RELR:-no}" != yes ]; then
  echo "SKIP: configure did not enable -z pack-relative-relocs (binutils >= 2.38 and glibc >= 2.36 needed)"
  exit 77
fi
command -v readelf >/dev/null 2>&1 || { echo "SKIP: no readelf"; exit 77; }

bad=0
for f in kernel/chalk-kernel kernel/executor/.libs/chalk-executor exercises/libchalk/.libs/libchalk.so; do
  path="$builddir/$f"
  if [ ! -f "$path" ]; then
    echo "FAIL: $path is missing"
    bad=1
    continue
  fi
  if ! readelf -d "$path" | grep -q '(RELR)'; then
    echo "FAIL: $f has no DT_RELR entry (relative relocations not packed)"
    bad=1
  fi
  size=$(readelf -SW "$path" | sed -n 's/.*\.rela\.dyn *RELA *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\).*/\1/p')
  size=$((0x${size:-0}))
  echo "$f: .rela.dyn $size bytes"
  if [ "$size" -ge 4096 ]; then
    echo "FAIL: $f keeps $size bytes of .rela.dyn"
    bad=1
  fi
done
exit $bad
