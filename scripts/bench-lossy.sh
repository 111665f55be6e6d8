#!/usr/bin/env bash
# make bench-lossy: a mass scan through a bad network must never store a
# wrong conclusive result (issue 19, "lossy-network bench").
#   scripts/bench-lossy.sh [BUILD]    LOSSY_DOMAINS (default 20000),
#                                     LOSSY_INFLIGHT (--inflight, default
#                                     2000), LOSSY_DELAY_MS (50),
#                                     LOSSY_JITTER_MS (20), LOSSY_LOSS
#                                     (0.02), LOSSY_DUP (0.01), LOSSY_SEED
#                                     (1), LOSSY_WORKERS (--workers,
#                                     default posture's: one per core),
#                                     LOSSY_KEEP (a directory: keep the
#                                     world, database and logs there)
#
# 1. scripts/gen-world.py writes N domains: the zones, the list and
#    expected.csv, the status every domain must get (as for make bench);
# 2. tests/bed/bed.sh serves the world from Knot on a free loopback port
#    (BED_AUTH);
# 3. inside the bed, tests/bed/lossyproxy.py listens on another free
#    loopback port in front of Knot and, per UDP packet and direction,
#    drops it with probability LOSSY_LOSS, holds it LOSSY_DELAY_MS +-
#    LOSSY_JITTER_MS (uniform; a round trip takes about twice that, and
#    replies overtake each other) and sends a reply twice with
#    probability LOSSY_DUP (the copy one more delay later); TCP, after a
#    truncated answer, passes through with the delay. Seeded by LOSSY_SEED;
# 4. posture --resolver 127.0.0.1:PROXYPORT scan domains.txt --db DB
#    --no-fetch --inflight LOSSY_INFLIGHT --max-inconclusive 100 --json,
#    timed: every check (SPF, DMARC, BIMI record, MX/A), no HTTPS, the
#    default --workers (one per core; LOSSY_WORKERS sets it), --timeout
#    and --retries. --inflight is per worker: workers x LOSSY_INFLIGHT
#    domains are in progress, while the DNS queries on the wire stay
#    within --outstanding (64 per worker; the proxy's "peak held"). --max-inconclusive 100 lets the run end 'finished' however
#    many results are inconclusive: the share is measured here, not
#    judged. Then the proxy is stopped (SIGTERM) and prints its counters;
# 5. the bed stops; every stored result is read with SQL from the view
#    run_results (spf_status, spf_error, dmarc_status, dmarc_enforcement,
#    mx, a, bimi_status, conclusive) and compared with expected.csv as
#    make bench compares them (scripts/bench.sh): a domain is right (every
#    column equal), inconclusive (conclusive = 0: a DNS failure, stored as
#    temperror, which a later run retries; allowed) or WRONG (conclusive
#    but some column differs: the failure this bench exists to catch), or
#    missing (no result: also a failure). Inconclusive results whose
#    definite columns (not temperror or error) differ are counted too;
# 6. prints the counts, the inconclusive share, domains/s, the scan's
#    summary (questions, queries sent, timeouts), the proxy's counters,
#    the queries Knot's UDP sockets dropped (/proc/net/udp) and the
#    machine (cores, CPU model, load average before and after).
#    The first 20 WRONG domains are shown, stored against expected, with
#    their stored result (posture db export) and a command that
#    reproduces the run.
# Exit 0 when no result is wrong or missing, 1 when one is, 2 when the
# world, the bed, the proxy or the scan fails. Everything lives in a
# temporary directory removed at the end (unless LOSSY_KEEP); the bed
# stops its servers even on failure, and the proxy is stopped by its pid.
#
# Runtime at the defaults on 2 shared cores: world about 2 s, bed start
# a few seconds, the scan about a minute (doc/performance.md, "Lossy
# network").
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SELF="$ROOT/scripts/$(basename -- "${BASH_SOURCE[0]}")"
PY=/usr/bin/python3
cd "$ROOT" || exit 2
N=${LOSSY_DOMAINS:-20000}
INFLIGHT=${LOSSY_INFLIGHT:-2000}
DELAY=${LOSSY_DELAY_MS:-50}
JITTER=${LOSSY_JITTER_MS:-20}
LOSS=${LOSSY_LOSS:-0.02}
DUP=${LOSSY_DUP:-0.01}
SEED=${LOSSY_SEED:-1}
WORKERS=${LOSSY_WORKERS:-}

if [ "${1:-}" = "--inside" ]; then
	# Inside the bed: $2 BUILD, $3 work dir.
	BUILD=$2
	w=$3
	$PY tests/bed/lossyproxy.py --upstream "$BED_AUTH" --delay "$DELAY" --jitter "$JITTER" \
		--loss "$LOSS" --dup "$DUP" --seed "$SEED" --port-file "$w/proxy.port" \
		--stats "$w/proxy.json" >/dev/null 2>"$w/proxy.log" &
	proxy=$!
	for _ in $(seq 1 100); do
		[ -s "$w/proxy.port" ] && break
		kill -0 "$proxy" 2>/dev/null || break
		sleep 0.1
	done
	if ! [ -s "$w/proxy.port" ]; then
		echo "bench-lossy: the proxy did not start:" >&2
		cat "$w/proxy.log" >&2
		kill -TERM "$proxy" 2>/dev/null
		wait "$proxy"
		exit 2
	fi
	port=$(cat "$w/proxy.port")
	# Datagrams the kernel dropped on Knot's UDP sockets (receive buffers
	# full): loss the proxy did not decide, counted before and after.
	knot_drops() {
		awk -v p="$(printf ':%04X' "$BED_AUTH_PORT")" 'NR > 1 && substr($2, 9) == p { n += $13 }
			END { print n + 0 }' /proc/net/udp
	}
	knot0=$(knot_drops)
	echo "bench-lossy: proxy on 127.0.0.1:$port in front of Knot on $BED_AUTH"
	echo "$BUILD/posture --resolver 127.0.0.1:$port scan $w/world/domains.txt --db $w/lossy.db" \
		"--no-fetch --inflight $INFLIGHT${WORKERS:+ --workers $WORKERS} --max-inconclusive 100" \
		"--json" >"$w/scan.cmd"
	t0=$(date +%s.%N)
	"$BUILD/posture" --resolver "127.0.0.1:$port" scan "$w/world/domains.txt" --db "$w/lossy.db" \
		--no-fetch --inflight "$INFLIGHT" ${WORKERS:+--workers "$WORKERS"} \
		--max-inconclusive 100 --json \
		>"$w/scan.json" 2>"$w/scan.err"
	rc=$?
	awk -v a="$t0" -v b="$(date +%s.%N)" -v rc="$rc" \
		'BEGIN { printf "bench-lossy: scan exit status %d after %.1f s\n", rc, b - a }'
	echo "$rc" >"$w/scan.rc"
	echo $(($(knot_drops) - knot0)) >"$w/knot.drops"
	kill -TERM "$proxy"
	wait "$proxy"
	exit 0
fi

w=$(mktemp -d "${TMPDIR:-/tmp}/posture-bench-lossy.XXXXXX") || exit 2
if [ -n "${LOSSY_KEEP:-}" ]; then
	if [ -n "$(ls -A -- "$LOSSY_KEEP" 2>/dev/null)" ]; then
		echo "bench-lossy: LOSSY_KEEP=$LOSSY_KEEP is not empty" >&2
		rmdir -- "$w"
		exit 2
	fi
	mkdir -p -- "$LOSSY_KEEP" || exit 2
	rmdir -- "$w"
	w=$(cd -- "$LOSSY_KEEP" && pwd -P)
else
	trap 'rm -rf -- "$w"' EXIT
fi
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
[ -x "$BUILD/posture" ] || { echo "bench-lossy: no posture at $BUILD/posture" >&2; exit 2; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "bench-lossy: $(nproc) cores ($cpu), load average $(cut -d ' ' -f 1-3 /proc/loadavg);" \
	"$("$BUILD/posture" --version 2>&1 | head -n 1)"
echo "bench-lossy: $N domains, --workers ${WORKERS:-$(nproc)} --inflight $INFLIGHT" \
	"($((${WORKERS:-$(nproc)} * INFLIGHT)) domains in progress); each packet ${DELAY} ms +- ${JITTER} ms," \
	"lost with p=$LOSS each way, replies doubled with p=$DUP; seed $SEED"
t0=$(date +%s.%N)
$PY scripts/gen-world.py "$w/world" -n "$N" -q || exit 2
echo "bench-lossy: world generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" \
	'BEGIN { printf "%.1f", b - a }') s"
BED_ZONES="$w/world/zones" BED_START_TIMEOUT=300 BED_STOP_TIMEOUT=60 \
	tests/bed/bed.sh run "$w/bed" -- "$SELF" --inside "$BUILD" "$w" || exit 2
[ -s "$w/scan.rc" ] || exit 2
rc=$(cat "$w/scan.rc")
if [ "$rc" -ge 2 ] && [ "$rc" != 4 ]; then
	echo "bench-lossy: posture scan failed (exit status $rc):" >&2
	tail -n 20 "$w/scan.err" >&2
	exit 2
fi

$PY - "$w" "$BUILD/posture" <<'PYEOF'
import csv, json, sqlite3, subprocess, sys
w, posture = sys.argv[1], sys.argv[2]
cols = ("spf_status", "spf_error", "dmarc_status", "dmarc_enforcement", "mx", "a", "bimi_status")
want = {}
with open(w + "/world/expected.csv") as f:
    for e in csv.DictReader(f):
        # As scripts/bench.sh reads expected.csv (BIMI record only: --no-fetch).
        want[e["domain"]] = (e["spf_status"], e["spf_error"], e["dmarc_status"],
                             e["dmarc_enforcement"],
                             "present" if e["mx"] == "1" else "absent",
                             "present" if e["a"] == "1" else "absent",
                             "ok" if e["bimi_record"] == "1" else "none")
con = sqlite3.connect(w + "/lossy.db")
run = con.execute("SELECT max(run_id) FROM run_results").fetchone()[0]
got = {}
for r in con.execute(
        "SELECT d.name, r.spf_status, coalesce(r.spf_error, ''), r.dmarc_status,"
        " r.dmarc_enforcement, r.mx, r.a, r.bimi_status, r.conclusive"
        " FROM run_results r JOIN domains d ON d.id = r.domain_id WHERE r.run_id = ?", (run,)):
    got[r[0]] = (tuple("" if v is None else v for v in r[1:8]), r[8])
con.close()
# A column that says the check could not finish: no verdict, so it cannot
# be a wrong one.
UNDECIDED = {"temperror", "spf.temperror", "error", "unknown", "not_run", ""}
right, inconclusive, wrong, missing, hidden = 0, 0, [], [], []
for name, exp in want.items():
    if name not in got:
        missing.append(name)
        continue
    vals, conclusive = got[name]
    if vals == exp:
        right += 1
    elif not conclusive:
        inconclusive += 1
        bad = [(c, v, x) for c, v, x in zip(cols, vals, exp)
               if v != x and v not in UNDECIDED and not (c == "spf_error" and vals[0] in UNDECIDED)]
        if bad:
            hidden.append((name, bad))
    else:
        wrong.append((name, vals, exp))
n = len(want)
try:
    scan = json.load(open(w + "/scan.json"))
except (OSError, ValueError):
    scan = {}
secs = scan.get("seconds") or 0
print("bench-lossy: %d domains: %d right, %d inconclusive (%.2f%%), %d WRONG, %d missing"
      % (n, right, inconclusive, 100.0 * inconclusive / n, len(wrong), len(missing)))
if secs:
    print("bench-lossy: %d domains in %.1f s, %.0f domains/s; %d DNS questions, %d queries sent"
          " (%.0f/s), %d timeouts; scan exit status %s"
          % (scan.get("done", 0), secs, scan.get("done", 0) / secs, scan.get("queries", 0),
             scan.get("sent", 0), scan.get("sent", 0) / secs, scan.get("timeouts", 0),
             open(w + "/scan.rc").read().strip()))
# The proxy's own line (lossyproxy.py prints it at exit), and its peak.
last = [l for l in open(w + "/proxy.log") if l.startswith("lossyproxy: ")]
print("bench-lossy: proxy: " + (last[-1][len("lossyproxy: "):].strip() if last
                                 else "printed no counters"))
try:
    print("bench-lossy: Knot's UDP sockets dropped %d queries during the scan (receive buffers"
          " full; loss on top of the proxy's)" % int(open(w + "/knot.drops").read()))
except (OSError, ValueError):
    pass
print("bench-lossy: inconclusive results whose definite columns (not temperror) differ from"
      " the expected ones: %d%s" % (len(hidden), " (first 10 below)" if hidden else ""))
if hidden:
    for name, bad in hidden[:10]:
        print("  %s: %s" % (name, ", ".join("%s stored %r expected %r" % b for b in bad)))
for name, vals, exp in wrong[:20]:
    print("bench-lossy: WRONG %s" % name)
    print("  stored   %s" % dict(zip(cols, vals)))
    print("  expected %s" % dict(zip(cols, exp)))
if wrong:
    # The stored result of the first ones, for the findings behind them.
    names = {x[0] for x in wrong[:3]}
    out = subprocess.run([posture, "db", "export", "--db", w + "/lossy.db"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("domain") in names:
            print("bench-lossy: stored result of %s: %s" % (rec["domain"], line[:4000]))
for name in missing[:20]:
    print("bench-lossy: MISSING %s (no result stored)" % name)
if wrong or missing:
    print("bench-lossy: the scan was (inside the bed, through the proxy):")
    print("  " + open(w + "/scan.cmd").read().strip())
    print("bench-lossy: FAIL: %d wrong conclusive results, %d missing" % (len(wrong), len(missing)))
    sys.exit(1)
print("bench-lossy: PASS: no wrong conclusive result")
PYEOF
status=$?
if [ "$status" = 1 ]; then
	echo "bench-lossy: reproduce (LOSSY_KEEP keeps the world, database and logs):"
	echo "  LOSSY_DOMAINS=$N LOSSY_INFLIGHT=$INFLIGHT LOSSY_DELAY_MS=$DELAY" \
		"LOSSY_JITTER_MS=$JITTER LOSSY_LOSS=$LOSS LOSSY_DUP=$DUP LOSSY_SEED=$SEED" \
		"${WORKERS:+LOSSY_WORKERS=$WORKERS }LOSSY_KEEP=/tmp/lossy-repro" \
		"scripts/bench-lossy.sh ${BUILD#"$ROOT"/}"
fi
echo "bench-lossy: load average now $(cut -d ' ' -f 1-3 /proc/loadavg)"
exit $status
