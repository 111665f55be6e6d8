#!/usr/bin/env bash
# Runs the SPF conformance suites against BUILD/tests/spf_suite (build it
# first: make BUILD/tests/spf_suite). The YAML suites are converted to
# JSON in BUILD/conformance/.
#   tests/conformance/run-spf.sh [BUILD]
# The RFC 7208 suite decides the exit status (0 only if every case passed;
# 2 if something could not run). The RFC 4408 suite is informational: RFC
# 7208 changed some of its rules, so only its counts and failing case
# names are printed and it never fails this script. The last line is the
# RFC 7208 "N passed, N failed".
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT" || exit 2
PY=/usr/bin/python3
SUITES=tests/conformance/spf
RUNNER="$BUILD/tests/spf_suite"
OUT="$BUILD/conformance"

if [ ! -x "$RUNNER" ]; then
	echo "run-spf.sh: $RUNNER not built (make $RUNNER)" >&2
	exit 2
fi
mkdir -p "$OUT" || exit 2
for s in rfc7208 rfc4408; do
	"$PY" tests/conformance/spf_suite2json.py "$SUITES/$s-tests.yml" "$OUT/$s.json" || exit 2
done

echo "== RFC 4408 suite (informational)"
log4408=$("$RUNNER" "$OUT/rfc4408.json" --list-failures 2>&1)
rc4408=$?
echo "rfc4408: $(printf '%s\n' "$log4408" | tail -1)"
if [ "$rc4408" -eq 1 ]; then
	printf '%s\n' "$log4408" | sed '$d' | fmt -w 96 | sed 's/^/    failing: /'
fi
if [ "$rc4408" -gt 1 ]; then
	echo "rfc4408: the runner exited $rc4408 (not counted):"
	printf '%s\n' "$log4408" | tail -20 | sed 's/^/    | /'
fi

echo "== RFC 7208 suite"
"$RUNNER" "$OUT/rfc7208.json"
