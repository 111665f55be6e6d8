#!/usr/bin/env bash
# Runs the integration suites inside a started bed (bed.sh run exports
# BED_AUTH and BED_FAULT). Each suite prints its own counts; this script
# re-prints them in the cmocka/unittest form that scripts/run-tests.sh
# reads, summed.
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT" || exit 3
rc=0
total=0
fails=0
for t in "$BUILD"/tests/itest_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1) || rc=1
	echo "$out"
	n=$(echo "$out" | sed -n 's/^\[==========\] \([0-9]*\) test.* run\..*/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	total=$((total + ${n:-0}))
	fails=$((fails + ${f:-0}))
done
for t in tests/integration/test_*.py; do
	out=$(/usr/bin/python3 "$t" 2>&1) || rc=1
	echo "$out"
	n=$(echo "$out" | sed -n 's/^Ran \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/.*failures=\([0-9]*\).*/\1/p' | tail -1)
	e=$(echo "$out" | sed -n 's/.*errors=\([0-9]*\).*/\1/p' | tail -1)
	total=$((total + ${n:-0}))
	fails=$((fails + ${f:-0} + ${e:-0}))
done
echo "Ran $total tests"
if [ "$fails" -gt 0 ]; then echo "FAILED (failures=$fails)"; else echo OK; fi
exit $rc
