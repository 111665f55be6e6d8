#!/usr/bin/env bash
# make bench-transport: what each transport check of issue 24 costs a
# scan, and whether its results are right.
#   scripts/bench-transport.sh [BUILD]   TRANSPORT_DOMAINS (default 10000):
#                                        the MTA-STS and TLS-RPT pairs;
#                                        TRANSPORT_DNSSEC_DOMAINS (default
#                                        5000): the DNSSEC and DANE pairs;
#                                        TRANSPORT_ROUNDS (default 5)
#
# 1. scripts/gen-world.py --dnssec writes the synthetic world (its
#    transport mix: the script's docstring): bench.test signed, a few
#    domains in insecure and bogus child zones, MTA-STS policies for the
#    bed's HTTPS server, TLSA records; tests/bed/bed.sh serves it (Knot
#    signs bench.test at start, the certificate names every policy host);
# 2. TRANSPORT_ROUNDS rounds, each four pairs on the same server,
#    alternating (the machine drifts within minutes, so each pair is
#    compared on its own): posture scan --checks spf,dmarc,bimi,mx (the
#    default checks), then the same plus one of mta-sts, tls-rpt, dnssec,
#    dane, each into a fresh database, timed with /usr/bin/time, and the
#    CPU the bed's Knot and HTTPS server spent meanwhile (/proc). The
#    MTA-STS and TLS-RPT pairs scan the first TRANSPORT_DOMAINS domains;
#    DNSSEC and DANE, which validate through getdns (every answer's DS and
#    DNSKEY chain too), the first TRANSPORT_DNSSEC_DOMAINS. Every scan gets
#    --ca-file and --connect-to (the policies come from the bed), and the
#    DNSSEC and DANE scans --trust-anchor (the bed's anchor for bench.test;
#    posture refuses it without those checks);
# 3. every result of each check's last scan against expected.csv: the
#    check's columns (mta_sts_status and mta_sts_mx_covered, tls_rpt_status,
#    dnssec_status, dane_status) read back from the store with SQL, and
#    SPF and DMARC unchanged; a wrong result is a failure;
# 4. that run's statistics (posture report --format json, domain view)
#    against counts made here from expected.csv;
# 5. per check: the median over the rounds of domains/s with the check
#    over domains/s without (the ratio; its inverse: how many times
#    longer the scan takes), and the CPU milliseconds a domain posture,
#    Knot and the HTTPS server spent, without and with.
# No speed target: issue 24 asks what each check costs. Exit 1 when a
# result or a count is wrong, 2 when the world, the bed or a scan fails.
# Everything lives in a temporary directory removed at the end.
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SELF="$ROOT/scripts/$(basename -- "${BASH_SOURCE[0]}")"
PY=/usr/bin/python3
cd "$ROOT" || exit 2
N=${TRANSPORT_DOMAINS:-10000}
ND=${TRANSPORT_DNSSEC_DOMAINS:-5000}
ROUNDS=${TRANSPORT_ROUNDS:-5}
BASE=spf,dmarc,bimi,mx
CHECKS="mta-sts tls-rpt dnssec dane"

if [ "${1:-}" = "--inside" ]; then
	# Inside the bed: $2 BUILD, $3 work dir.
	BUILD=$2
	w=$3
	# CPU ticks (utime + stime) of the bed's Knot and HTTPS server.
	servers() {
		local p t=""
		for p in knotd httpsd; do
			t="$t $(awk '{ print $14 + $15 }' "/proc/$(cat "$BED_DIR/$p.pid")/stat")"
		done
		echo "$t"
	}
	for i in $(seq 1 "$ROUNDS"); do
		for x in $CHECKS; do
			list=$w/big.txt
			case $x in dnssec | dane) list=$w/small.txt ;; esac
			for kind in base "$x"; do
				checks=$BASE
				anchor=()
				if [ "$kind" != base ]; then
					checks=$BASE,$x
					case $x in dnssec | dane)
						anchor=(--trust-anchor "$BED_TRUST_ANCHORS") ;;
					esac
				fi
				run=$x.$kind.$i
				before=$(servers)
				/usr/bin/time -f '%e %U %S' -o "$w/$run.time" \
					"$BUILD/posture" --resolver "$BED_AUTH" scan "$list" \
					--db "$w/$run.db" --checks "$checks" "${anchor[@]}" \
					--ca-file "$BED_CA" --connect-to "::127.0.0.1:$BED_HTTPS_PORT" \
					--json >"$w/$run.json" 2>"$w/$run.err"
				echo "$?" >"$w/$run.rc"
				echo "$before $(servers)" >"$w/$run.srv"
				# Only the last round's databases are read again.
				[ "$i" = "$ROUNDS" ] || rm -f -- "$w/$run.db"*
			done
		done
	done
	exit 0
fi

w=$(mktemp -d "${TMPDIR:-/tmp}/posture-bench-transport.XXXXXX") || exit 2
trap 'rm -rf -- "$w"' EXIT
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
[ -x "$BUILD/posture" ] || { echo "bench-transport: no posture at $BUILD/posture" >&2; exit 2; }
echo "bench-transport: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
	head -n 1)), load average $(cut -d ' ' -f 1-3 /proc/loadavg); $N domains (MTA-STS," \
	"TLS-RPT), $ND (DNSSEC, DANE), $ROUNDS rounds"
big=$N
[ "$ND" -gt "$big" ] && big=$ND
$PY scripts/gen-world.py "$w/world" -n "$big" --dnssec -q || exit 2
head -n "$N" "$w/world/domains.txt" >"$w/big.txt"
head -n "$ND" "$w/world/domains.txt" >"$w/small.txt"
start=$SECONDS
BED_ZONES="$w/world/zones" BED_HTTPS_ROOT="$w/world/https" \
	BED_HTTPS_NAMES=$(paste -sd, "$w/world/https-names.txt") \
	BED_START_TIMEOUT=300 BED_STOP_TIMEOUT=60 \
	tests/bed/bed.sh run "$w/bed" -- "$SELF" --inside "$BUILD" "$w" || exit 2
echo "bench-transport: the bed and every scan took $((SECONDS - start)) s"

$PY - "$w" "$BUILD/posture" "$ROUNDS" "$CHECKS" <<'PYEOF'
import csv, json, os, sqlite3, statistics, subprocess, sys
TICK = os.sysconf("SC_CLK_TCK")
w, posture, rounds, checks = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
# The store's columns of each check, as expected.csv names them.
COLS = {"mta-sts": ["mta_sts_status", "mta_sts_mx_covered"], "tls-rpt": ["tls_rpt_status"],
        "dnssec": ["dnssec_status"], "dane": ["dane_status"]}
SAME = ["spf_status", "dmarc_status", "dmarc_enforcement"]
# The report's metrics (domain view) and the rows of expected.csv they count.
METRICS = {
    "mta-sts": {"mta_sts_enforce": lambda e: e["mta_sts_status"] == "enforce",
                "mta_sts_testing": lambda e: e["mta_sts_status"] == "testing",
                "mta_sts_none": lambda e: e["mta_sts_status"] == "none",
                "mta_sts_invalid": lambda e: e["mta_sts_status"] == "invalid",
                "mta_sts_missing": lambda e: e["mta_sts_status"] == "missing",
                "mta_sts_mx_uncovered": lambda e: e["mta_sts_mx_covered"] == "0"},
    "tls-rpt": {"tls_rpt": lambda e: e["tls_rpt_status"] == "ok",
                "tls_rpt_invalid": lambda e: e["tls_rpt_status"] == "invalid"},
    "dnssec": {"dnssec_secure": lambda e: e["dnssec_status"] == "secure",
               "dnssec_insecure": lambda e: e["dnssec_status"] == "insecure",
               "dnssec_bogus": lambda e: e["dnssec_status"] == "bogus",
               "dnssec_indeterminate": lambda e: e["dnssec_status"] == "indeterminate"},
    "dane": {"dane_mx": lambda e: e["dane_status"] == "dane",
             "dane_partial": lambda e: e["dane_status"] == "partial",
             "dane_unusable": lambda e: e["dane_status"] == "unusable",
             "dane_indeterminate": lambda e: e["dane_status"] == "indeterminate"},
}
failed = False
exp = {e["domain"]: e for e in csv.DictReader(open(w + "/world/expected.csv"))}
summary = []
for x in checks:
    ratios, cpu, speed = [], {"base": [], x: []}, {"base": [], x: []}
    knot, httpsd = {"base": [], x: []}, {"base": [], x: []}
    n = 0
    for i in range(1, rounds + 1):
        dps = {}
        for kind in ("base", x):
            run = "%s/%s.%s.%d" % (w, x, kind, i)
            rc = int(open(run + ".rc").read())
            if rc != 0:
                print("bench-transport: scan %s %s %d exit status %d: %s"
                      % (x, kind, i, rc, open(run + ".err").read()[-500:]))
                sys.exit(2)
            s = json.load(open(run + ".json"))
            n = s["done"]
            wall, user, sys_ = (float(v) for v in open(run + ".time").read().split()[-3:])
            dps[kind] = s["done"] / (s["seconds"] or 1e-9)
            speed[kind].append(dps[kind])
            cpu[kind].append((user + sys_) * 1000 / max(s["done"], 1))
            k0, h0, k1, h1 = (int(v) for v in open(run + ".srv").read().split())
            knot[kind].append((k1 - k0) * 1000 / TICK / max(s["done"], 1))
            httpsd[kind].append((h1 - h0) * 1000 / TICK / max(s["done"], 1))
        ratios.append(dps[x] / dps["base"])
        print("bench-transport: %-8s round %d: %6.0f domains/s without, %6.0f with, ratio %.2f"
              % (x, i, dps["base"], dps[x], ratios[-1]))
    med = statistics.median(ratios)
    summary.append((x, n, statistics.median(speed["base"]), statistics.median(speed[x]), med)
                   + tuple(statistics.median(v[k]) for v in (cpu, knot, httpsd)
                           for k in ("base", x)))

    # The last scan with the check: every stored result against expected.csv.
    db = "%s/%s.%s.%d.db" % (w, x, x, rounds)
    con = sqlite3.connect(db)
    cols = COLS[x] + SAME
    got = {}
    for row in con.execute("SELECT d.name, %s FROM run_results r JOIN domains d"
                           " ON d.id = r.domain_id" % ", ".join("r." + c for c in cols)):
        got[row[0]] = ["" if v is None else str(v) for v in row[1:]]
    con.close()
    wrong = 0
    for d, have in got.items():
        want = [exp[d][c] for c in cols]
        if have != want:
            wrong += 1
            if wrong <= 10:
                print("bench-transport: WRONG", x, d, "stored", have, "expected", want)
    if len(got) != n:
        print("bench-transport: %s: %d results stored for %d domains" % (x, len(got), n))
        failed = True
    print("bench-transport: %-8s %d of %d stored results equal expected.csv (%s)"
          % (x, len(got) - wrong, len(got), ", ".join(cols)))
    failed |= wrong > 0
    rep = json.loads(subprocess.run([posture, "report", "--db", db, "--format", "json"],
                                    capture_output=True, text=True, check=True).stdout)
    have = {m["metric"]: m["count"] for m in rep["metrics"] if m["view"] == "domain"}
    for k, f in METRICS[x].items():
        v = sum(1 for d in got if f(exp[d]))
        ok = have.get(k) == v
        failed |= not ok
        print("bench-transport: %-8s %-22s report %s, counted from expected.csv %d: %s"
              % (x, k, have.get(k), v, "ok" if ok else "WRONG"))

print("bench-transport: medians over %d rounds:" % rounds)
print("bench-transport: check    domains  domains/s without, with  ratio  time  "
      "CPU ms a domain without, with: posture; Knot; HTTPS server")
for x, n, s0, s1, med, c0, c1, k0, k1, h0, h1 in summary:
    print("bench-transport: %-8s %7d  %17.0f, %5.0f  %5.3f  %4.1fx  "
          "%.2f, %.2f; %.2f, %.2f; %.2f, %.2f"
          % (x, n, s0, s1, med, 1 / med, c0, c1, k0, k1, h0, h1))
print("bench-transport: %s" % ("FAIL" if failed else "PASS"))
sys.exit(1 if failed else 0)
PYEOF
status=$?
echo "bench-transport: load average now $(cut -d ' ' -f 1-3 /proc/loadavg)"
exit $status
