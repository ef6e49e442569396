#!/bin/sh
# summary.sh — count every test that ran and end with one line "N passed, N failed".
#
# Usage: tests/summary.sh [--notebooks results.json] [--step NAME=STATUS]... [DIR]...
#
# Sources, each counted once:
# - automake .trs files under each DIR (default .; .ci/run adds the
#   sanitizer build's tree): one per `:test-result:` line
#   (C programs: one per program, or one per TAP result; pytest files: one per
#   pytest test, written by tests/pytest-driver.py).  PASS and XFAIL count as
#   passed, FAIL, XPASS and ERROR as failed, SKIP as neither (it did not run;
#   skips are listed on their own line above the final one);
# - the notebook runner's results JSON (tests/run-notebooks.py --results).
# - --step NAME=STATUS: a command that exited non-zero but left no failing
#   test behind (the build broke, configure failed, pytest never started)
#   counts as one failed test, so a broken build can never read "0 failed";
#   status 124 (stopped by .ci/run's watchdog) always counts as one.
#
# Beware: .trs files left from an older `make check` would be counted too;
# .ci/run runs on a clean clone.  .venv, _build and distcheck trees
# (chalk-*/) are skipped.
set -u
nbjson=""
steps=""
dirs=""
while [ $# -gt 0 ]; do
  case $1 in
    --notebooks) nbjson=$2; shift 2;;
    --step) steps="$steps $2"; shift 2;;
    *) dirs="$dirs $1"; shift;;
  esac
done

[ -n "$dirs" ] || dirs=.
trs_list=$(find $dirs \( -name .venv -o -name _build -o -name '.git' -o -name 'chalk-[0-9]*' \) -prune \
             -o -name '*.trs' -type f -print 2>/dev/null | sort)
pass=0 fail=0 skip=0
failed_names=""
for f in $trs_list; do
  p=$(grep -cE '^[[:space:]]*:test-result:[[:space:]]*(PASS|XFAIL)' "$f")
  x=$(grep -cE '^[[:space:]]*:test-result:[[:space:]]*(FAIL|XPASS|ERROR)' "$f")
  s=$(grep -cE '^[[:space:]]*:test-result:[[:space:]]*SKIP' "$f")
  pass=$((pass + p)); fail=$((fail + x)); skip=$((skip + s))
  if [ "$x" -gt 0 ]; then
    names=$(sed -n 's/^[[:space:]]*:test-result:[[:space:]]*\(FAIL\|XPASS\|ERROR\)[[:space:]]*/\1 /p' "$f" | head -n 20)
    [ -n "$names" ] || names="FAIL"
    failed_names="$failed_names
$(printf '%s\n' "$names" | sed "s|^\([A-Z]*\) *\$|\1 ${f%.trs}|; s|^|  |")"
  fi
done
c_pass=$pass c_fail=$fail
echo "make check: $c_pass passed, $c_fail failed, $skip skipped ($(printf '%s\n' $trs_list | grep -c .) result files)"

nb_pass=0 nb_fail=0
if [ -n "$nbjson" ] && [ -f "$nbjson" ]; then
  set -- $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["tests_passed"], d["tests_failed"]); [print("  FAIL", r["notebook"], "--", r.get("problem") or "", file=sys.stderr) for r in d["notebooks"] if not r["ok"]]' "$nbjson" 2>/tmp/summary-nb.$$ || echo "0 1")
  nb_pass=$1 nb_fail=$2
  [ -s /tmp/summary-nb.$$ ] && failed_names="$failed_names
$(cat /tmp/summary-nb.$$)"
  rm -f /tmp/summary-nb.$$
  echo "notebooks: $nb_pass passed, $nb_fail failed (checks and notebooks, from $nbjson)"
fi
pass=$((pass + nb_pass)); fail=$((fail + nb_fail))

for st in $steps; do
  name=${st%%=*} rc=${st#*=}
  [ "$rc" = 0 ] && continue
  case $name in
    quickstart) covered=$nb_fail;;
    check|make-check) covered=$c_fail;;
    *) covered=0;;
  esac
  if [ "$rc" = 124 ] || [ "$covered" -eq 0 ]; then
    fail=$((fail + 1))
    failed_names="$failed_names
  FAIL step '$name' exited with status $rc$( [ "$rc" = 124 ] && echo ' (watchdog: hung)' || echo ' and left no failing test behind')"
  fi
done

if [ -n "$failed_names" ]; then
  echo "failures:$failed_names"
fi
[ "$skip" -gt 0 ] && echo "$skip skipped (not counted)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
