#!/usr/bin/env bash
# make bench-compare: does a change keep every stored result, and the speed?
#   scripts/compare-builds.sh OLD_POSTURE NEW_POSTURE
#       COMPARE_DOMAINS (default 20000), COMPARE_RUNS (paired runs, default 3),
#       COMPARE_CHECKS (default spf,dmarc,bimi,mx)
#
# Serves one synthetic world (scripts/gen-world.py, seed 1) on a loopback
# bed, then scans it COMPARE_RUNS times with each binary, alternating
# (old, new, old, new...) so both see the same machine drift. Every run's
# stored results are dumped (domain, every results column but scanned_at,
# the result JSON, the findings) and must be byte-identical to the first
# run's: exit 1 when any differs. Prints each pair's domains/s and the
# ratio new/old, and the median ratio.
set -u
OLD=${1:?usage: compare-builds.sh OLD_POSTURE NEW_POSTURE}
NEW=${2:?usage: compare-builds.sh OLD_POSTURE NEW_POSTURE}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
PY=/usr/bin/python3
N=${COMPARE_DOMAINS:-20000}
RUNS=${COMPARE_RUNS:-3}
CHECKS=${COMPARE_CHECKS:-spf,dmarc,bimi,mx}

if [ "${3:-}" = "--inside" ]; then
	w=$4
	status=0
	for i in $(seq 1 "$RUNS"); do
		for which in old new; do
			bin=$OLD
			[ "$which" = new ] && bin=$NEW
			db="$w/$which.$i.db"
			start=$(date +%s.%N)
			"$bin" --resolver "$BED_AUTH" --timeout 2000 scan "$w/domains.txt" --db "$db" \
				--checks "$CHECKS" --no-fetch >"$w/$which.$i.out" 2>&1
			rc=$?
			end=$(date +%s.%N)
			echo "$which $i $rc $start $end" >>"$w/times.txt"
			# The new posture reads both schemas (it migrates an older
			# database when it opens it); the JSON comes through db
			# export, which decompresses it.
			"$NEW" db check --db "$db" >/dev/null 2>&1
			"$NEW" db export --db "$db" >"$w/$which.$i.jsonl" 2>&1
			$PY - "$db" "$w/$which.$i.jsonl" >"$w/$which.$i.dump" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
skip = ("scanned_at", "run_id", "domain_id", "position", "list", "result_id", "reference")
cols = [r[1] for r in db.execute("PRAGMA table_info(run_results)") if r[1] not in skip]
q = "SELECT d.name, " + ", ".join("r." + c for c in cols) + \
    " FROM run_results r JOIN domains d ON d.id = r.domain_id ORDER BY d.name"
for row in db.execute(q):
    print("\t".join("" if v is None else str(v) for v in row))
for line in sorted(open(sys.argv[2])):
    o = json.loads(line)
    print("J\t" + o["domain"] + "\t" + json.dumps(o["result"], sort_keys=True))
for row in db.execute("SELECT d.name, f.check_name, f.code, f.severity, f.path FROM findings f"
                      " JOIN domains d ON d.id = f.domain_id"
                      " ORDER BY d.name, f.check_name, f.code, f.severity, f.path"):
    print("F\t" + "\t".join("" if v is None else str(v) for v in row))
PY
			if ! cmp -s "$w/old.1.dump" "$w/$which.$i.dump"; then
				echo "compare: $which run $i stores other results than old run 1:" >&2
				diff "$w/old.1.dump" "$w/$which.$i.dump" | head -20 >&2
				status=1
			fi
		done
	done
	exit $status
fi

w=$(mktemp -d "${TMPDIR:-/tmp}/posture-compare.XXXXXX")
trap 'rm -rf "$w"' EXIT
$PY "$ROOT/scripts/gen-world.py" "$w" -n "$N" --seed 1 >/dev/null || exit 2
BED_ZONES="$w/zones" BED_START_TIMEOUT=120 BED_STOP_TIMEOUT=60 \
	"$ROOT/tests/bed/bed.sh" run "$w/bed" -- "$0" "$OLD" "$NEW" --inside "$w"
status=$?
echo "world: $N domains, checks $CHECKS, $RUNS paired runs on $(nproc) cores ($(uname -m)), $(date -u +%F)"
$PY - "$w/times.txt" "$N" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    which, i, rc, start, end = line.split()
    runs[(which, int(i))] = (int(rc), float(end) - float(start))
n = int(sys.argv[2])
ratios = []
for i in sorted({k[1] for k in runs}):
    o, nw = runs.get(("old", i)), runs.get(("new", i))
    if not o or not nw:
        continue
    r = o[1] / nw[1]
    ratios.append(r)
    print(f"pair {i}: old {n / o[1]:8.0f} domains/s (exit {o[0]}), new {n / nw[1]:8.0f} domains/s "
          f"(exit {nw[0]}), new/old {r:.3f}")
if ratios:
    print(f"median new/old speed: {statistics.median(ratios):.3f}")
PY
if [ "$status" -eq 0 ]; then
	echo "stored results: identical in every run"
else
	echo "stored results: DIFFER (see above)"
fi
exit $status
