#!/usr/bin/env bash
# make bench: the mass scan on a synthetic world, checked and compared.
#   scripts/bench.sh [BUILD]          BENCH_DOMAINS (default 100000),
#                                     BENCH_WORKERS, BENCH_INFLIGHT,
#                                     BENCH_CHECKS (default spf,dmarc,bimi,mx),
#                                     BENCH_DNSPERF_RUNS (default 3)
#
# 1. scripts/gen-world.py writes N domains (zones, the list, expected.csv
#    with the status every domain must get, and the query mix a scan sends);
# 2. tests/bed/bed.sh serves the world from Knot on a free loopback port;
# 3. posture scan (SPF, DMARC, MX/A, BIMI records; --no-fetch: no HTTPS) runs over
#    it into a fresh database, timed, with its peak RSS (/usr/bin/time -v);
# 4. every stored status is compared with expected.csv: a fast wrong answer
#    is a failure (exit 1);
# 5. dnsperf sends the same query mix to the same server (-c 2 -T 2 -q 100),
#    BENCH_DNSPERF_RUNS times; the ratios use the median;
# 6. prints domains/s, DNS questions asked/s and queries sent/s, cache hit
#    rate, peak RSS, dnsperf's queries/s and both ratios.
# Everything lives in a temporary directory removed at the end; the bed
# stops its servers even on failure.
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SELF="$ROOT/scripts/$(basename -- "${BASH_SOURCE[0]}")"
PY=/usr/bin/python3
cd "$ROOT" || exit 2
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

if [ "${1:-}" = "--inside" ]; then
	# Inside the bed: $2 BUILD, $3 work dir.
	BUILD=$2
	w=$3
	port=${BED_AUTH##*:}
	/usr/bin/time -v -o "$w/time.txt" "$BUILD/posture" scan "$w/domains.txt" \
		--db "$w/bench.db" --resolver "$BED_AUTH" --checks ${BENCH_CHECKS:-spf,dmarc,bimi,mx} --no-fetch \
		${BENCH_WORKERS:+--workers "$BENCH_WORKERS"} \
		${BENCH_INFLIGHT:+--inflight "$BENCH_INFLIGHT"} --json >"$w/scan.json" 2>"$w/scan.err"
	echo "scan exit status $?"
	# dnsperf's rate swings by half from one run to the next on a shared
	# machine: several runs, the median is what the ratios use.
	for i in $(seq 1 "${BENCH_DNSPERF_RUNS:-3}"); do
		dnsperf -s 127.0.0.1 -p "$port" -d "$w/mix.txt" -n 1 -c 2 -T 2 -q 100 \
			>"$w/dnsperf.$i.txt" 2>&1
		echo "dnsperf run $i exit status $?"
	done
	exit 0
fi

n=${BENCH_DOMAINS:-100000}
w=$(mktemp -d "${TMPDIR:-/tmp}/posture-bench.XXXXXX") || exit 2
trap 'rm -rf -- "$w"' EXIT
echo "bench: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); $n domains"
t0=$(date +%s.%N)
$PY scripts/gen-world.py "$w" -n "$n" --query-mix "$w/mix.txt" -q || exit 2
echo "bench: world generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
BED_ZONES="$w/zones" BED_START_TIMEOUT=600 BED_STOP_TIMEOUT=120 \
	tests/bed/bed.sh run "$w/bed" -- "$SELF" --inside "$BUILD" "$w" || exit 2

$PY - "$w" <<'PYEOF'
import csv, json, os, re, sqlite3, sys
w = sys.argv[1]
try:
    scan = json.load(open(w + "/scan.json"))
except Exception:
    print("bench: the scan printed no summary:", open(w + "/scan.err").read()[-2000:])
    sys.exit(1)
rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(w + "/time.txt").read()).group(1))
runs = []
for name in sorted(os.listdir(w)):
    if name.startswith("dnsperf.") and name.endswith(".txt"):
        m = re.search(r"Queries per second:\s+([\d.]+)", open(os.path.join(w, name)).read())
        if m:
            runs.append(float(m.group(1)))
runs.sort()
dnsperf_qps = runs[len(runs) // 2] if runs else 0.0

con = sqlite3.connect(w + "/bench.db")
got = {r[0]: r[1:] for r in con.execute(
    "SELECT d.name, r.spf_status, coalesce(r.spf_error, ''), r.dmarc_status,"
    " r.dmarc_enforcement, r.mx, r.a, r.bimi_status"
    " FROM results r JOIN domains d ON d.id = r.domain_id")}
con.close()
with_bimi = "bimi" in os.environ.get("BENCH_CHECKS", "spf,dmarc,bimi,mx").split(",")
wrong, shown = 0, 0
with open(w + "/expected.csv") as f:
    rows = list(csv.DictReader(f))
for e in rows:
    g = got.get(e["domain"])
    want = (e["spf_status"], e["spf_error"], e["dmarc_status"], e["dmarc_enforcement"],
            "present" if e["mx"] == "1" else "absent", "present" if e["a"] == "1" else "absent",
            ("ok" if e["bimi_record"] == "1" else "none") if with_bimi else "not_run")
    if g != want:
        wrong += 1
        if shown < 10:
            shown += 1
            print("bench: WRONG", e["domain"], "stored", g, "expected", want)
secs = scan["seconds"]
dps = scan["done"] / secs if secs else 0
qps = scan["queries"] / secs if secs else 0
print("bench: scanned %d of %d domains in %.1f s: %.0f domains/s" % (scan["done"], len(rows), secs, dps))
# posture's "queries" are the questions its checks asked, the ones its
# answer cache answered included; "sent" are the queries that reached the
# server. dnsperf sends every question of the same list to the server.
# Two ratios: questions answered per second, and queries the server
# answered per second (the stricter one).
sps = scan["sent"] / secs if secs else 0
print("bench: %d DNS questions asked, %.0f/s; %d queries sent to the server, %.0f/s;"
      " cache hit rate %.0f%%; %d timeouts"
      % (scan["queries"], qps, scan["sent"], sps, 100 * scan["cache_hit_rate"], scan["timeouts"]))
print("bench: peak RSS %.0f MiB" % (rss_kb / 1024))
print("bench: dnsperf on the same server and question list: %.0f queries/s (median of %s)"
      % (dnsperf_qps, ", ".join("%.0f" % r for r in runs) or "no run"))
print("bench: ratio to dnsperf: questions asked %.2f, queries sent %.2f"
      % (qps / dnsperf_qps if dnsperf_qps else 0, sps / dnsperf_qps if dnsperf_qps else 0))
print("bench: %d of %d stored results equal the expected ones" % (len(rows) - wrong, len(rows)))
sys.exit(1 if wrong or scan["done"] != len(rows) else 0)
PYEOF
