#!/usr/bin/env bash
# Runs every test of posture against the binaries in BUILD (build or
# build-asan): the cmocka unit tests, then the integration tests on the
# loopback test bed, which tests/bed/bed.sh starts and always stops.
# Prints one line per suite and closes with "N passed, N failed".
#   scripts/run-tests.sh [BUILD]
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT" || exit 3
PY=/usr/bin/python3

# Sanitizer settings for build-asan; harmless otherwise.
# exitcode=86: a sanitizer report can never pass for posture's own exit 1.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=86}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/lsan.supp:print_suppressions=0}
# The tests name their servers and files themselves: defaults from a shell
# such as make demo-shell must not leak into them.
unset COLUMNS POSTURE_RESOLVER POSTURE_CA_FILE POSTURE_CONNECT_TO POSTURE_VMC_ROOTS POSTURE_DEMO_WORLD
export POSTURE="$ROOT/$BUILD/posture"
export POSTURE_BUILD="$ROOT/$BUILD"

passed=0
failed=0
failed_suites=()
logdir=$(mktemp -d "${TMPDIR:-/tmp}/posture-tests.XXXXXX")

# Adds the case counts a suite printed (cmocka or Python unittest) to the
# totals; a suite that failed without counts counts as one failure.
tally() {
	local name=$1 rc=$2 log=$3 p=0 f=0
	# A "Ran N tests" summary (unittest, tests/integration/run.sh) wins:
	# run.sh prints the cmocka output of its suites before its total.
	if grep -q '^\[==========\]' "$log" && ! grep -q '^Ran [0-9]* test' "$log"; then
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	elif grep -q '^Ran [0-9]* test' "$log"; then
		local ran
		ran=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/.*failures=\([0-9]*\).*/\1/p' "$log" | tail -1)
		local e
		e=$(sed -n 's/.*errors=\([0-9]*\).*/\1/p' "$log" | tail -1)
		f=$(( ${f:-0} + ${e:-0} ))
		p=$(( ran - f ))
	fi
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ]; then
		failed_suites+=("$name")
		printf 'FAIL %-28s %3d passed, %d failed (exit %d)\n' "$name" "$p" "$f" "$rc"
		# The failures themselves first (unittest's FAIL:/ERROR: blocks
		# and cmocka's [  ERROR   ] lines), then the end of the log.
		grep -E -A25 '^(FAIL|ERROR): |^\[  ERROR   \]' "$log" | head -150 |
			sed 's/^/    ! /'
		sed 's/^/    | /' "$log" | tail -60
	else
		printf 'ok   %-28s %3d passed\n' "$name" "$p"
	fi
}

run_suite() {
	local name=$1
	shift
	local log="$logdir/$name.log"
	"$@" >"$log" 2>&1
	tally "$name" $? "$log"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_suite "$(basename "$t")" "$t"
done

# Conformance suites (RFC 7208 SPF): their runners print "N passed, N
# failed", which is turned into unittest's form for tally.
run_conformance() {
	local out rc
	out=$(tests/conformance/run-spf.sh "$BUILD" 2>&1)
	rc=$?
	echo "$out"
	local p f
	p=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' | tail -1)
	f=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' | tail -1)
	echo "Ran $(( ${p:-0} + ${f:-0} )) tests"
	[ "${f:-0}" -gt 0 ] && echo "FAILED (failures=$f)"
	return $rc
}
run_suite spf-rfc7208 run_conformance

# Integration suites need the bed; one bed serves them all.
run_suite integration tests/bed/bed.sh run "$logdir/bed" -- \
	tests/integration/run.sh "$BUILD"

rm -rf "$logdir"
echo
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "failed suites: ${failed_suites[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
