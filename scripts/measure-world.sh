#!/usr/bin/env bash
# Measures the synthetic world of scripts/gen-world.py on the loopback bed:
# for each size N, the generator's time, Knot's start-up time, CPU time and
# memory on the world, dnsperf over the world's query mix, and Knot's
# stop time. The numbers behind doc/performance.md, "The synthetic world".
#
#   scripts/measure-world.sh [N ...]        (default: 100000 1000000)
#
# Per N, in a fresh temporary directory (removed at the end):
#   1. gen-world.py DIR/world -n N --query-mix DIR/mix.txt   (timed)
#   2. BED_ZONES=DIR/world/zones tests/bed/bed.sh start DIR/bed  (timed until
#      every zone answers its SOA), then knotd's RSS and peak RSS
#      (/proc/PID/status VmRSS, VmHWM) and CPU seconds (utime + stime)
#   3. dnsperf -n 1 over the mix (each question once, as a cached scan asks
#      them): queries/s, lost, answers by rcode -- skipped without dnsperf
#   4. bed.sh stop DIR/bed (timed; BED_STOP_TIMEOUT raised so knotd can free
#      the zone without SIGKILL)
# Prints one line per N. Deterministic inputs (seed 1); timings depend on
# the machine and on what else runs on it: /proc/loadavg is printed too.
set -u
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
PY=/usr/bin/python3
cd "$ROOT" || exit 2
[ $# -gt 0 ] || set -- 100000 1000000
export BED_START_TIMEOUT=${BED_START_TIMEOUT:-600}
export BED_STOP_TIMEOUT=${BED_STOP_TIMEOUT:-120}
work=$(mktemp -d "${TMPDIR:-/tmp}/posture-world.XXXXXX") || exit 2
# shellcheck disable=SC2317 # called by the traps
cleanup() {
	tests/bed/bed.sh stop "$work/bed" >/dev/null 2>&1
	rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

rc=0
for n in "$@"; do
	rm -rf -- "${work:?}/world" "$work/bed" "$work/mix.txt"
	t=$(now)
	"$PY" scripts/gen-world.py "$work/world" -n "$n" --query-mix "$work/mix.txt" -q || {
		rc=1
		continue
	}
	gen=$(since "$t")
	zone_mb=$(du -m "$work/world/zones/bench.test.zone" | cut -f1)
	t=$(now)
	BED_ZONES="$work/world/zones" tests/bed/bed.sh start "$work/bed" >"$work/start.log" 2>&1 || {
		echo "measure-world: N=$n: the bed did not start:" >&2
		cat "$work/start.log" >&2
		rc=1
		continue
	}
	start=$(since "$t")
	pid=$(cat "$work/bed/knotd.pid")
	rss=$(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status")
	hwm=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$pid/status")
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' \
		"/proc/$pid/stat")
	perf="dnsperf: not installed"
	if command -v dnsperf >/dev/null; then
		port=$(sed -n 's/^BED_AUTH_PORT=//p' "$work/bed/bed.env")
		dnsperf -s 127.0.0.1 -p "$port" -d "$work/mix.txt" -n 1 -c 2 -T 2 -q 100 \
			>"$work/dnsperf.out" 2>&1
		perf=$(awk '/Queries per second:/ { q = $4 } /Queries lost:/ { l = $3 }
			/Queries completed:/ { c = $3 }
			/Response codes:/ { sub(/.*Response codes: */, ""); r = $0 }
			END { printf "dnsperf %d queries, %.0f q/s, %d lost (%s)", c, q, l, r }' \
			"$work/dnsperf.out")
	fi
	t=$(now)
	tests/bed/bed.sh stop "$work/bed"
	stop=$(since "$t")
	printf 'N=%s: generate %ss (zone %s MB, %s queries in the mix); knot ready %ss, ' \
		"$n" "$gen" "$zone_mb" "$(wc -l <"$work/mix.txt")" "$start"
	printf 'CPU %ss, RSS %s MiB (peak %s); %s; stop %ss; load %s\n' \
		"$cpu" "$rss" "$hwm" "$perf" "$stop" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
exit $rc
