#!/usr/bin/env bash
# make bench-dkim: what DKIM costs a scan, and whether it is right (issue 21).
#   scripts/bench-dkim.sh [BUILD]     DKIM_DOMAINS (default 50000),
#                                     DKIM_PAIRS (default 3)
#
# 1. scripts/gen-world.py writes the synthetic world (its DKIM mix: the
#    script's docstring); tests/bed/bed.sh serves it from Knot;
# 2. DKIM_PAIRS times, alternating on the same server (the machine drifts
#    within minutes, so each pair is compared on its own): posture scan
#    --checks spf,dmarc,bimi,mx --no-fetch, then the same with dkim, each
#    into a fresh database; the summary's domains/s of each;
# 3. every result of the last DKIM scan against expected.csv: dkim_status,
#    dkim_min_bits and dkim_selectors stored, and the SPF/DMARC/MX/A
#    columns unchanged by the probes; a wrong result is a failure;
# 4. the DKIM statistics of that run (posture report --format json)
#    against counts made here from expected.csv: dkim_found,
#    dkim_none_found, dkim_weak (found, smallest RSA key below 2048),
#    dkim_revoked_only, in the domain view;
# 5. the verdict: the median of the pairs' ratios (domains/s with DKIM
#    over without) at least 0.5, the target of issue 21, PASS or FAIL.
# Exit 1 when a result or a count is wrong or the target is missed, 2
# when the world, the bed or a scan fails. Everything lives in a
# temporary directory removed at the end.
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SELF="$ROOT/scripts/$(basename -- "${BASH_SOURCE[0]}")"
PY=/usr/bin/python3
cd "$ROOT" || exit 2
N=${DKIM_DOMAINS:-50000}
PAIRS=${DKIM_PAIRS:-3}
BASE=spf,dmarc,bimi,mx

if [ "${1:-}" = "--inside" ]; then
	BUILD=$2
	w=$3
	for i in $(seq 1 "$PAIRS"); do
		for kind in base dkim; do
			checks=$BASE
			[ "$kind" = dkim ] && checks=$BASE,dkim
			"$BUILD/posture" --resolver "$BED_AUTH" --timeout 2000 scan "$w/world/domains.txt" \
				--db "$w/$kind.$i.db" --checks "$checks" --no-fetch --json \
				>"$w/$kind.$i.json" 2>"$w/$kind.$i.err"
			echo "$?" >"$w/$kind.$i.rc"
		done
	done
	exit 0
fi

w=$(mktemp -d "${TMPDIR:-/tmp}/posture-bench-dkim.XXXXXX") || exit 2
trap 'rm -rf -- "$w"' EXIT
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
[ -x "$BUILD/posture" ] || { echo "bench-dkim: no posture at $BUILD/posture" >&2; exit 2; }
echo "bench-dkim: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
	head -n 1)), load average $(cut -d ' ' -f 1-3 /proc/loadavg); $N domains, $PAIRS pairs"
$PY scripts/gen-world.py "$w/world" -n "$N" -q || exit 2
BED_ZONES="$w/world/zones" BED_START_TIMEOUT=300 BED_STOP_TIMEOUT=60 \
	tests/bed/bed.sh run "$w/bed" -- "$SELF" --inside "$BUILD" "$w" || exit 2

$PY - "$w" "$BUILD/posture" "$PAIRS" <<'PYEOF'
import csv, json, statistics, subprocess, sys
w, posture, pairs = sys.argv[1], sys.argv[2], int(sys.argv[3])
failed = False
ratios = []
for i in range(1, pairs + 1):
    dps = {}
    for kind in ("base", "dkim"):
        rc = int(open("%s/%s.%d.rc" % (w, kind, i)).read())
        if rc != 0:
            print("bench-dkim: scan %s %d exit status %d: %s" % (kind, i, rc,
                  open("%s/%s.%d.err" % (w, kind, i)).read()[-500:]))
            sys.exit(2)
        s = json.load(open("%s/%s.%d.json" % (w, kind, i)))
        dps[kind] = s["done"] / (s["seconds"] or 1e-9)
        dps[kind + "_q"] = s["queries"] / max(s["done"], 1)
    ratios.append(dps["dkim"] / dps["base"])
    print("bench-dkim: pair %d: %.0f domains/s without DKIM (%.1f questions a domain),"
          " %.0f with (%.1f), ratio %.2f" % (i, dps["base"], dps["base_q"], dps["dkim"],
                                            dps["dkim_q"], ratios[-1]))

db = "%s/dkim.%d.db" % (w, pairs)
exp = {e["domain"]: e for e in csv.DictReader(open(w + "/world/expected.csv"))}
out = subprocess.run([posture, "report", "--db", db, "--domains", "--format", "csv",
                      "--csv-raw"], capture_output=True, text=True, check=True).stdout
wrong = 0
for r in csv.DictReader(out.splitlines()):
    e = exp[r["domain"]]
    have = (r["dkim_status"], r["dkim_min_bits"], r["dkim_selectors"], r["dkim_revoked_only"],
            r["spf_status"], r["dmarc_status"], r["dmarc_enforcement"])
    want = (e["dkim_status"], e["dkim_min_bits"], e["dkim_selectors"], e["dkim_revoked_only"],
            e["spf_status"], e["dmarc_status"], e["dmarc_enforcement"])
    if have != want:
        wrong += 1
        if wrong <= 10:
            print("bench-dkim: WRONG", r["domain"], "stored", have, "expected", want)
print("bench-dkim: %d of %d results of the last DKIM scan equal expected.csv"
      % (len(exp) - wrong, len(exp)))
failed |= wrong > 0

hand = {
    "dkim_found": sum(e["dkim_status"] == "found" for e in exp.values()),
    "dkim_none_found": sum(e["dkim_status"] == "none_found" for e in exp.values()),
    "dkim_weak": sum(e["dkim_status"] == "found" and e["dkim_min_bits"] != ""
                     and int(e["dkim_min_bits"]) < 2048 for e in exp.values()),
    "dkim_revoked_only": sum(e["dkim_revoked_only"] == "1" for e in exp.values()),
}
rep = json.loads(subprocess.run([posture, "report", "--db", db, "--format", "json"],
                                capture_output=True, text=True, check=True).stdout)
got = {m["metric"]: m["count"] for m in rep["metrics"] if m["view"] == "domain"}
for k, v in hand.items():
    ok = got.get(k) == v
    failed |= not ok
    print("bench-dkim: %-18s report %s, counted from expected.csv %d: %s"
          % (k, got.get(k), v, "ok" if ok else "WRONG"))
med = statistics.median(ratios)
print("bench-dkim: domains/s with DKIM over without, median of %d pairs: %.2f, at least 0.50: %s"
      % (pairs, med, "PASS" if med >= 0.5 else "FAIL"))
failed |= med < 0.5
print("bench-dkim: %s" % ("FAIL" if failed else "PASS"))
sys.exit(1 if failed else 0)
PYEOF
status=$?
echo "bench-dkim: load average now $(cut -d ' ' -f 1-3 /proc/loadavg)"
exit $status
