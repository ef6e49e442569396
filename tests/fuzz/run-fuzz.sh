#!/bin/sh
# run-fuzz.sh — `make fuzz`: run each libFuzzer target for a bounded time.
#
# Usage: tests/fuzz/run-fuzz.sh SECONDS SRCDIR OUTDIR TARGET...
# For each TARGET: OUTDIR/TARGET/corpus grows from SRCDIR/tests/fuzz/TARGET
# (the committed seeds and regressions, read only; SRCDIR/tests/fuzz/TARGET.dict
# is libFuzzer's dictionary when present), the log goes to
# OUTDIR/TARGET.log, a crashing input to OUTDIR/TARGET/crash-* (copy it into
# tests/fuzz/TARGET/ once fixed: `make check` replays it from then on), and
# OUTDIR/TARGET.trs holds one automake `:test-result:` line, so
# tests/summary.sh counts every target as one test.  One line per target on
# stdout: inputs run, corpus size, crash or not.  Exits 1 if any crashed.
set -u
secs=$1 srcdir=$2 out=$3
shift 3
status=0
for t in "$@"; do
  mkdir -p "$out/$t/corpus"
  rm -f "$out/$t"/crash-* "$out/$t"/leak-* "$out/$t"/oom-* "$out/$t"/timeout-*
  dict=
  [ -f "$srcdir/tests/fuzz/$t.dict" ] && dict="-dict=$srcdir/tests/fuzz/$t.dict"
  ./tests/fuzz/fuzz_$t $dict -max_total_time="$secs" -print_final_stats=1 -close_fd_mask=1 \
    -timeout=10 -max_len=4096 -artifact_prefix="$out/$t/" \
    "$out/$t/corpus" "$srcdir/tests/fuzz/$t" > "$out/$t.log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
  found=$(ls "$out/$t" | grep -E '^(crash|leak|oom|timeout)-' | head -n 1)
  ncorpus=$(ls "$out/$t/corpus" | wc -l)
  if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
    res=PASS
    echo "fuzz $t: ${runs:-?} inputs in $secs s, corpus $ncorpus, no crash"
  else
    res=FAIL status=1
    echo "fuzz $t: FAILED (exit $rc) after ${runs:-?} inputs: ${found:-no artifact} (log: $out/$t.log)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*property broken)' "$out/$t.log" | head -n 5
  fi
  printf ':test-result: %s fuzz_%s (%s inputs in %s s)\n' "$res" "$t" "${runs:-?}" "$secs" > "$out/$t.trs"
done
exit $status
