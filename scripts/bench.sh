#!/usr/bin/env bash
# make bench: the mass scan on a synthetic world, checked and compared.
#   scripts/bench.sh [BUILD]          BENCH_DOMAINS (default 100000),
#                                     BENCH_WORKERS, BENCH_INFLIGHT,
#                                     BENCH_CHECKS (default spf,dmarc,bimi,mx),
#                                     BENCH_RUNS (default 3)
#
# 1. scripts/gen-world.py writes N domains (zones, the list, expected.csv
#    with the status every domain must get, and the query mix a scan sends);
# 2. tests/bed/bed.sh serves the world from Knot on a free loopback port;
# 3. BENCH_RUNS times: posture scan (SPF, DMARC, MX/A, BIMI records;
#    --no-fetch: no HTTPS) over the world into a fresh database, timed,
#    with its peak RSS (/usr/bin/time -v); then dnsperf sends the same
#    query mix to the same server twice: -c 2 -T 2 -q 100, and asking as
#    the scan does (its sockets, 4 per worker, and its queries in flight,
#    64 per worker). On a shared machine the speed of both drifts by a
#    third over minutes: each scan is compared with the dnsperf runs
#    next to it, and the medians are reported;
# 4. every run's stored statuses are compared with expected.csv: a fast
#    wrong answer is a failure (exit 1);
# 5. prints, per run and as medians, domains/s, DNS questions asked/s and
#    queries sent/s, cache hit rate, peak RSS, dnsperf's queries/s (with
#    the CPU each Knot UDP thread spent on the -c 2 runs: one busy thread
#    means the kernel put both of dnsperf's sockets on it) and the ratios:
#    against the dnsperf run beside each scan that asks as the scan does
#    (the target's reading: whether 0.4 is met), against dnsperf's best
#    -c 2 run (the server's peak), and against the -c 2 run beside each
#    scan.
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
	runs=${BENCH_RUNS:-${BENCH_DNSPERF_RUNS:-3}}
	knot=$(cat "$BED_DIR/knotd.pid" 2>/dev/null)
	# CPU ticks of each Knot thread (utime + stime), one line per thread.
	knot_ticks() {
		for t in /proc/"$knot"/task/*; do
			sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}'
		done >"$1"
	}
	# dnsperf over the mix. knot.NAME.txt: "both" when two Knot threads
	# each did a quarter of the work or more (dnsperf's two sockets were
	# spread over them), else "one"; then each thread's CPU ticks, most
	# first.
	dnsperf_run() {
		knot_ticks "$w/knot.$1.before"
		dnsperf -s 127.0.0.1 -p "$port" -d "$w/mix.txt" -n 1 -c 2 -T 2 -q 100 \
			>"$w/dnsperf.$1.txt" 2>&1
		echo "dnsperf run $1 exit status $?"
		knot_ticks "$w/knot.$1.after"
		paste "$w/knot.$1.before" "$w/knot.$1.after" | awk '$2 > $1 { print $2 - $1 }' |
			sort -rn | awk '{ v[NR] = $1; t += $1 }
				END { for (i = 1; i <= NR; i++) { c += v[i] >= t / 4; s = s " " v[i] }
				      print (t > 0 && c >= 2 ? "both" : "one") s }' >"$w/knot.$1.txt"
	}
	spread() {
		read -r verdict _ <"$w/knot.$1.txt" && [ "$verdict" = both ]
	}
	# dnsperf asking as the scan does: as many sockets (4 per worker,
	# DNS_UDP_SOCKETS_PER_SERVER) and as many queries in flight (64 per
	# worker, SCAN_OUTSTANDING_DEFAULT).
	nw=${BENCH_WORKERS:-$(nproc)}
	dnsperf_like() {
		dnsperf -s 127.0.0.1 -p "$port" -d "$w/mix.txt" -n 1 -c $((nw * 4)) -T 2 \
			-q $((nw * 64)) >"$w/dnsperf.$1.like.txt" 2>&1
		echo "dnsperf (as the scan asks) run $1 exit status $?"
	}
	for i in $(seq 1 "$runs"); do
		/usr/bin/time -v -o "$w/time.$i.txt" "$BUILD/posture" scan "$w/domains.txt" \
			--db "$w/bench.$i.db" --resolver "$BED_AUTH" \
			--checks ${BENCH_CHECKS:-spf,dmarc,bimi,mx} --no-fetch \
			${BENCH_WORKERS:+--workers "$BENCH_WORKERS"} \
			${BENCH_INFLIGHT:+--inflight "$BENCH_INFLIGHT"} --json \
			>"$w/scan.$i.json" 2>"$w/scan.$i.err"
		echo "scan run $i exit status $?"
		dnsperf_run "$i"
		dnsperf_like "$i"
	done
	# When no dnsperf run kept both of Knot's UDP threads busy, dnsperf
	# has measured half the server: run it alone (at most 4 more times)
	# until the kernel spreads its two sockets over both threads.
	any=0
	for i in $(seq 1 "$runs"); do spread "$i" && any=1; done
	for i in cap1 cap2 cap3 cap4; do
		[ "$any" = 1 ] && break
		dnsperf_run "$i"
		spread "$i" && any=1
	done
	exit 0
fi

n=${BENCH_DOMAINS:-100000}
w=$(mktemp -d "${TMPDIR:-/tmp}/posture-bench.XXXXXX") || exit 2
trap 'rm -rf -- "$w"' EXIT
echo "bench: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); $n domains"
t0=$(date +%s.%N)
$PY scripts/gen-world.py "$w" -n "$n" --query-mix "$w/mix.txt" -q || exit 2
# The mix holds every question a scan with spf, dmarc, bimi, mx and dkim
# asks (not the transport checks': make bench-transport); dnsperf gets
# the questions of the checks the scan runs: without dkim, not the DKIM
# selector probes (TXT <selector>._domainkey.<domain>).
case ",${BENCH_CHECKS:-spf,dmarc,bimi,mx}," in
*,dkim,*) ;;
*) grep -v '\._domainkey\.' "$w/mix.txt" >"$w/mix.nodkim" && mv "$w/mix.nodkim" "$w/mix.txt" ;;
esac
echo "bench: world generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
BED_ZONES="$w/zones" BED_START_TIMEOUT=600 BED_STOP_TIMEOUT=120 \
	tests/bed/bed.sh run "$w/bed" -- "$SELF" --inside "$BUILD" "$w" || exit 2

$PY - "$w" "${BENCH_RUNS:-${BENCH_DNSPERF_RUNS:-3}}" <<'PYEOF'
import csv, json, os, re, sqlite3, statistics, sys
w, runs = sys.argv[1], int(sys.argv[2])
with_bimi = "bimi" in os.environ.get("BENCH_CHECKS", "spf,dmarc,bimi,mx").split(",")
with open(w + "/expected.csv") as f:
    rows = list(csv.DictReader(f))
want = {}
for e in rows:
    want[e["domain"]] = (e["spf_status"], e["spf_error"], e["dmarc_status"], e["dmarc_enforcement"],
                         "present" if e["mx"] == "1" else "absent",
                         "present" if e["a"] == "1" else "absent",
                         ("ok" if e["bimi_record"] == "1" else "none") if with_bimi else "not_run")

def check(db):
    """Stored results that differ from the expected ones (a few shown)."""
    con = sqlite3.connect(db)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT d.name, r.spf_status, coalesce(r.spf_error, ''), r.dmarc_status,"
        " r.dmarc_enforcement, r.mx, r.a, r.bimi_status"
        " FROM run_results r JOIN domains d ON d.id = r.domain_id")}
    con.close()
    wrong = 0
    for name, exp in want.items():
        if got.get(name) != exp:
            wrong += 1
            if wrong <= 10:
                print("bench: WRONG", name, "stored", got.get(name), "expected", exp)
    return wrong

def dnsperf_qps(i, kind=""):
    try:
        m = re.search(r"Queries per second:\s+([\d.]+)",
                      open("%s/dnsperf.%s%s.txt" % (w, i, kind)).read())
    except OSError:
        return None
    return float(m.group(1)) if m else 0.0

def knot_split(i):
    """What dnsperf_run wrote for run i: (both Knot threads worked,
    each thread's CPU ticks, most first)."""
    try:
        words = open("%s/knot.%s.txt" % (w, i)).read().split()
    except OSError:
        return (False, [])
    return (words[:1] == ["both"], [int(x) for x in words[1:]])

# posture's "queries" are the questions its checks asked, the ones its
# answer cache answered included; "sent" are the queries that reached the
# server. dnsperf sends every query of the mix (each once) to the server.
# Two ratios: questions answered per second, and queries the server
# answered per second (the stricter one).
per = []
failed = False
for i in range(1, runs + 1):
    try:
        scan = json.load(open("%s/scan.%d.json" % (w, i)))
    except Exception:
        print("bench: run %d printed no summary:" % i, open("%s/scan.%d.err" % (w, i)).read()[-2000:])
        failed = True
        continue
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                           open("%s/time.%d.txt" % (w, i)).read()).group(1))
    dq = dnsperf_qps(i) or 0.0
    secs = scan["seconds"] or 1e-9
    wrong = check("%s/bench.%d.db" % (w, i))
    r = dict(dps=scan["done"] / secs, qps=scan["queries"] / secs, sps=scan["sent"] / secs,
             hit=scan["cache_hit_rate"], rss=rss_kb / 1024, dnsperf=dq, done=scan["done"],
             queries=scan["queries"], sent=scan["sent"], timeouts=scan["timeouts"], wrong=wrong,
             secs=secs)
    r["rq"] = r["qps"] / dq if dq else 0.0
    r["rs"] = r["sps"] / dq if dq else 0.0
    r["like"] = dnsperf_qps(i, ".like") or 0.0
    r["rl"] = r["sps"] / r["like"] if r["like"] else 0.0
    r["knot"] = knot_split(i)
    per.append(r)
    failed = failed or wrong > 0 or scan["done"] != len(rows)
    print("bench: run %d: %d of %d domains in %.1f s, %.0f domains/s, %.0f questions/s, %.0f sent/s,"
          " peak RSS %.0f MiB; dnsperf %.0f q/s (-c 2), %.0f q/s (as the scan asks);"
          " ratios of sent %.2f and %.2f; %d of %d stored results equal the expected ones"
          % (i, scan["done"], len(rows), secs, r["dps"], r["qps"], r["sps"], r["rss"], dq,
             r["like"], r["rs"], r["rl"], len(rows) - wrong, len(rows)))
if not per:
    sys.exit(1)
med = lambda k: statistics.median(x[k] for x in per)
print("bench: median of %d runs: %.0f domains/s" % (len(per), med("dps")))
print("bench: %d DNS questions asked, %.0f/s; %d queries sent to the server, %.0f/s;"
      " cache hit rate %.0f%%; %d timeouts"
      % (per[-1]["queries"], med("qps"), per[-1]["sent"], med("sps"), 100 * per[-1]["hit"],
         max(x["timeouts"] for x in per)))
print("bench: peak RSS %.0f MiB (largest of the runs)" % max(x["rss"] for x in per))
alone = []
for c in ("cap1", "cap2", "cap3", "cap4"):
    q = dnsperf_qps(c)
    if q is not None:
        alone.append(dict(dnsperf=q, knot=knot_split(c)))
dp = per + alone
show = lambda x: "%.0f (Knot threads' CPU ticks %s%s)" % (
    x["dnsperf"], "/".join(str(t) for t in x["knot"][1]) or "?",
    "" if x["knot"][0] else ": one thread")
print("bench: dnsperf on the same server and query mix: %s queries/s" % ", ".join(show(x) for x in per))
if alone:
    print("bench: dnsperf alone, until it used both Knot threads: %s queries/s"
          % ", ".join(show(x) for x in alone))
# dnsperf's two sockets are spread over Knot's UDP threads by the
# kernel's SO_REUSEPORT hash: when both land on one thread, dnsperf
# measures half a server (about 100,000-130,000 q/s here, one thread
# busy); when they are split, the server at its peak (about 180,000-
# 235,000).
best = max(x["dnsperf"] for x in dp)
print("bench: ratio to dnsperf's best -c 2 run (%.0f q/s, the server's peak%s): questions asked"
      " %.2f, queries sent %.2f (median scan)"
      % (best, "" if any(x["knot"][0] for x in dp)
         else "; WARNING: no run used both Knot threads, so this is half the server",
         med("qps") / best, med("sps") / best))
print("bench: ratio to the dnsperf run beside each scan, median:"
      " questions asked %.2f, queries sent %.2f (runs: %s)"
      % (med("rq"), med("rs"), ", ".join("%.2f" % x["rs"] for x in per)))
nw = int(os.environ.get("BENCH_WORKERS") or os.cpu_count() or 1)
print("bench: dnsperf asking as the scan does (-c %d -q %d: the scan's sockets and queries in"
      " flight): %s queries/s" % (nw * 4, nw * 64, ", ".join("%.0f" % x["like"] for x in per)))
print("bench: ratio of queries sent to the dnsperf run beside each scan that asks as the scan"
      " does, median: %.2f (runs: %s)" % (med("rl"), ", ".join("%.2f" % x["rl"] for x in per)))
# The target's reading: dnsperf asking as the scan asks (its sockets and
# its queries in flight), the run beside each scan, the median of the
# ratios. dnsperf's best -c 2 run is the server's peak with two sockets
# that the kernel happened to put one on each Knot thread
# (doc/performance.md); that ratio is printed above, for comparison.
print("bench: target (issue 6): queries sent at least 0.4 of dnsperf's queries/s when dnsperf"
      " asks as the scan does: %.2f, %s" % (med("rl"), "met" if med("rl") >= 0.4 else "NOT met"))
print("bench: %s" % ("every run stored the expected results" if not failed
                     else "FAILED: wrong or missing results (above)"))
sys.exit(1 if failed else 0)
PYEOF
