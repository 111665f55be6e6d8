#!/usr/bin/env bash
# make bench-dns: queries/s of posture's DNS adapter (one worker, one
# thread, no cache) beside dnsperf, both against Knot on the loopback bed.
#   scripts/bench-dns.sh [BUILD]
#
# A generated zone (scripts/gen-bench-zone.py: 5,000 names, SPF-like TXT
# records of 30-300 bytes, some names with two, ~10% NXDOMAIN) is served
# by tests/bed/bed.sh, which always stops the servers, even on failure.
# Inside the bed, BUILD/tests/bench_dns runs at 1, 100 and 1000 queries in
# flight, then dnsperf at the same number outstanding, then a few times at
# its best settings (DNSPERF_BEST below). Prints a table; exits 1 if any
# run failed or posture got answers other than the zone holds.
#
# Numbers are only comparable on one machine: client and server share the
# same cores, so the figures measure the two together, and anything else
# busy on the machine shows in them.
#   scripts/bench-dns.sh BUILD QUERYFILE   (inside the bed; internal)
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SELF="$ROOT/scripts/$(basename -- "${BASH_SOURCE[0]}")"
cd "$ROOT" || exit 2
PY=/usr/bin/python3 # the pyenv python3 on some PATHs lacks dnslib

case $BUILD in
/*) BENCH="$BUILD/tests/bench_dns" ;;
*) BENCH="$ROOT/$BUILD/tests/bench_dns" ;;
esac
INFLIGHT=(1 100 1000)
# One query at a time is latency-bound and slow: fewer queries keep it short.
COUNT_SERIAL=10000
COUNT=100000
# dnsperf's best against the bed's Knot (2 UDP workers) on 2 cores, found by
# trying -c 1..8, -T 1..2, -q 100..3000: two threads, one socket each, 100
# outstanding. More outstanding gains nothing and starts to overflow socket
# buffers (lost queries). On a small shared machine dnsperf's rate swings
# between runs (and second to second), so "best" is the best of a few runs.
DNSPERF_BEST=(-c 2 -T 2 -q 100)
DNSPERF_BEST_RUNS=3
DNSPERF_BEST_SECONDS=4
DNSPERF_ROW_SECONDS=5
# A hung run must not hold the bed forever: 100,000 queries take seconds.
RUN_LIMIT=90

# --- outside the bed: generate the data, start the bed around ourselves ---

if [ $# -lt 2 ]; then
	[ -x "$BENCH" ] || {
		echo "bench-dns: $BENCH not built (make build-tests)" >&2
		exit 2
	}
	command -v dnsperf >/dev/null || {
		echo "bench-dns: dnsperf not installed (scripts/deps.sh)" >&2
		exit 2
	}
	work=$(mktemp -d "${TMPDIR:-/tmp}/posture-bench.XXXXXX") || exit 2
	trap 'rm -rf -- "$work"' EXIT
	"$PY" scripts/gen-bench-zone.py "$work/zones" "$work/queries.txt" || exit 2
	# Not exec: the trap above must still remove the temporary directory.
	BED_ZONES="$work/zones" tests/bed/bed.sh run "$work/bed" -- \
		"$SELF" "$BUILD" "$work/queries.txt"
	exit $?
fi

# --- inside the bed --------------------------------------------------------

QUERIES=$2
OUT="$(dirname -- "$QUERIES")/run.out"
[ -n "${BED_AUTH_PORT:-}" ] || {
	echo "bench-dns: BED_AUTH_PORT not set: run without QUERYFILE" >&2
	exit 2
}
failed=0

# bed.sh ends us with SIGTERM (on Ctrl-C, or on its own TERM or HUP): the
# running bench_dns or dnsperf must go too, not outlive the servers it
# measures. Children run in the background and are waited for, because
# bash defers traps until a foreground command ends. (SIGINT never reaches
# us: bed.sh starts us as a background job, which ignores it.)
CHILD=
# shellcheck disable=SC2317 # called from the traps below
on_signal() {
	[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
	exit $((128 + $1))
}
trap 'on_signal 15' TERM
trap 'on_signal 1' HUP

# Runs CMD with stdout and stderr in $OUT; returns its exit status.
run_child() {
	local rc
	"$@" >"$OUT" 2>&1 &
	CHILD=$!
	wait "$CHILD"
	rc=$?
	CHILD=
	return $rc
}

# How many of the first N queries of the cycle name absent ("nx-") names,
# so a run's outcome counts can be checked against what the zone holds.
expected_nx() {
	awk -v n="$1" '
		{ nx[NR] = ($1 ~ /^nx-/) }
		END {
			total = 0
			for (i = 1; i <= NR; i++) total += nx[i]
			want = int(n / NR) * total
			for (i = 1; i <= n % NR; i++) want += nx[i]
			print want
		}' "$QUERIES"
}

# dnsperf's best: the highest rate of any of its runs here, and how.
best=0
best_opts=

# Runs dnsperf with the given options; sets QPS, LOST, LAT (microseconds).
run_dnsperf() {
	QPS=0 LOST=0 LAT=0
	if ! run_child dnsperf -s 127.0.0.1 -p "$BED_AUTH_PORT" -d "$QUERIES" "$@"; then
		echo "bench-dns: dnsperf $* failed:" >&2
		cat -- "$OUT" >&2
		failed=1
		return 1
	fi
	read -r QPS LOST LAT < <(awk '/Queries per second:/ { q = $4 } /Queries lost:/ { l = $3 }
		/Average Latency/ { lat = $4 * 1e6 }
		END { printf "%.0f %d %.0f\n", q, l, lat }' "$OUT")
	echo "dnsperf $*: $QPS qps, $LOST lost, $LAT us average latency"
	if [ "$QPS" -gt "$best" ]; then
		best=$QPS
		best_opts="$*"
	fi
}

echo "bench-dns: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
	head -n1)); Knot at $BED_AUTH with $(sed -n 's/^ *udp-workers: *//p' \
	"$BED_DIR/knot.conf") UDP workers; $(wc -l <"$QUERIES") names in the query list"

declare -A POSTURE DNSPERF DNSPERF_LAT
for n in "${INFLIGHT[@]}"; do
	count=$COUNT
	[ "$n" -eq 1 ] && count=$COUNT_SERIAL
	run_child timeout "$RUN_LIMIT" "$BENCH" --resolver "$BED_AUTH" --queries "$QUERIES" \
		--inflight "$n" --count "$count"
	rc=$?
	line=$(grep -m1 '^inflight=' "$OUT")
	echo "posture: ${line:-no result}"
	grep -v '^inflight=' "$OUT" >&2
	nx=$(expected_nx "$count")
	want="data=$((count - nx)) nodata=0 nxdomain=$nx servfail=0 timeout=0 malformed=0"
	if [ $rc -ne 0 ]; then
		echo "bench-dns: bench_dns --inflight $n failed (exit $rc)" >&2
		failed=1
	elif [[ $line != *"outcomes: $want" ]]; then
		echo "bench-dns: wrong outcomes at --inflight $n, expected $want" >&2
		failed=1
	fi
	POSTURE[$n]=$(sed -n 's/.* qps=\([0-9]*\) .*/\1/p' <<<"$line")
	: "${POSTURE[$n]:=0}"
done

for n in "${INFLIGHT[@]}"; do
	# dnsperf splits -q between its threads: one outstanding needs one.
	if [ "$n" -eq 1 ]; then
		run_dnsperf -c 1 -T 1 -q 1 -l "$DNSPERF_ROW_SECONDS"
	else
		run_dnsperf -c 2 -T 2 -q "$n" -l "$DNSPERF_ROW_SECONDS"
	fi
	DNSPERF[$n]=$QPS
	DNSPERF_LAT[$n]=$LAT
done
for ((i = 1; i <= DNSPERF_BEST_RUNS; i++)); do
	run_dnsperf "${DNSPERF_BEST[@]}" -l "$DNSPERF_BEST_SECONDS"
done

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }'
}

echo
printf '%-9s %12s %12s %8s %12s\n' inflight "posture qps" "dnsperf qps" ratio "vs best"
for n in "${INFLIGHT[@]}"; do
	printf '%-9s %12s %12s %8s %12s\n' "$n" "${POSTURE[$n]}" "${DNSPERF[$n]}" \
		"$(ratio "${POSTURE[$n]}" "${DNSPERF[$n]}")" "$(ratio "${POSTURE[$n]}" "$best")"
done
printf '%-9s %12s %12s %8s %12s\n' best - "$best" - -
echo "dnsperf qps: dnsperf with as many queries outstanding (-q), ${DNSPERF_ROW_SECONDS}s runs;" \
	"best: its highest rate in any run here (${best_opts:-none})."
echo "ratio = posture / dnsperf on the same row; vs best = posture / dnsperf best."
# At -q 1 dnsperf (2.10) idles between queries far longer than Knot takes
# to answer, so its rate says little; its latency is the serial baseline.
lat1=${DNSPERF_LAT[1]:-0}
if [ "$lat1" -gt 0 ]; then
	echo "At inflight 1 dnsperf's rate is its own: Knot answered in $lat1 us on average," \
		"which allows $((1000000 / lat1)) qps back to back."
fi
[ $failed -eq 0 ] || echo "bench-dns: FAILED (see above)" >&2
exit $failed
