#!/usr/bin/env bash
# make bench-reports: how fast receivers' reports are imported and
# summarised, and whether the counts are right (issue 22).
#   scripts/bench-reports.sh [BUILD]   REPORTS_DOMAINS (default 20),
#                                      REPORTS_DAYS (default 365)
#
# 1. scripts/gen-reports.py writes REPORTS_DAYS days of aggregate reports
#    for each of REPORTS_DOMAINS domains (three reporters a day, each in
#    its form: XML, gzip, a zip in a mail message);
# 2. posture reports import of the whole directory into a fresh database:
#    wall time, reports/s, peak RSS (/usr/bin/time);
# 3. the same import again: every report a duplicate, nothing stored;
# 4. posture reports summary of one domain (--days 30 and the whole
#    year) and of every domain: wall time each;
# 5. the counts: each domain's messages and DMARC passes in the summary
#    against the generator's own totals; a wrong count is a failure.
# Exit 1 when a count is wrong, 2 when a step fails. Everything lives in a
# temporary directory removed at the end.
set -u
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
PY=/usr/bin/python3
cd "$ROOT" || exit 2
N=${REPORTS_DOMAINS:-20}
DAYS=${REPORTS_DAYS:-365}
case $BUILD in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
P="$BUILD/posture"
[ -x "$P" ] || { echo "bench-reports: no posture at $P" >&2; exit 2; }
w=$(mktemp -d "${TMPDIR:-/tmp}/posture-bench-reports.XXXXXX") || exit 2
trap 'rm -rf -- "$w"' EXIT
echo "bench-reports: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
	head -n 1)), load average $(cut -d ' ' -f 1-3 /proc/loadavg); $N domains, $DAYS days"

t0=$(date +%s%N)
for i in $(seq 1 "$N"); do
	# Half the domains' CRM fails, half passes: both verdicts are counted.
	crm=fail
	[ $((i % 2)) -eq 0 ] && crm=pass
	$PY scripts/gen-reports.py "$w/reports/d$i" --domain "d$i.bench.test" \
		--from-days-ago "$DAYS" --to-days-ago 1 --crm "$crm" >"$w/gen.$i" || exit 2
done
files=$(find "$w/reports" -type f | wc -l)
bytes=$(du -sb "$w/reports" | cut -f1)
echo "generated $files files, $((bytes / 1024)) KiB, in $((($(date +%s%N) - t0) / 1000000)) ms"

timed() { # label, command...: wall ms and peak RSS, output to $w/out
	local label=$1
	shift
	local s e
	s=$(date +%s%N)
	local rc=0
	/usr/bin/time -f "%M" -o "$w/rss" "$@" >"$w/out" 2>"$w/err" || rc=$?
	# 1 is a verdict (summary: not yet), not a failure.
	if [ "$rc" -gt 1 ]; then
		echo "bench-reports: $label failed (exit $rc): $(tail -3 "$w/err")" >&2
		exit 2
	fi
	e=$(date +%s%N)
	MS=$(((e - s) / 1000000))
	RSS=$(($(tail -1 "$w/rss") / 1024))
}

timed import "$P" reports import "$w/reports" --db "$w/r.db" --json
read -r imported dup failed <<<"$($PY -c 'import json,sys; j=json.load(open(sys.argv[1]))
print(j["imported"], j["duplicates"], len(j["failed"]))' "$w/out")"
[ "$imported" -eq "$files" ] && [ "$failed" -eq 0 ] || {
	echo "bench-reports: FAIL: imported $imported of $files files, $failed failed" >&2
	exit 1
}
echo "import:       $files reports in $MS ms ($((files * 1000 / (MS + 1))) reports/s), peak RSS $RSS MiB, database $(($(stat -c %s "$w/r.db") / 1024)) KiB"
timed again "$P" reports import "$w/reports" --db "$w/r.db" --json
dup=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["duplicates"])' "$w/out")
[ "$dup" -eq "$files" ] || { echo "bench-reports: FAIL: again: $dup duplicates of $files" >&2; exit 1; }
echo "again:        $files duplicates in $MS ms, nothing stored"
timed month "$P" reports summary --db "$w/r.db" --domain d1.bench.test --days 30 --json
echo "summary:      one domain, 30 days: $MS ms"
timed year "$P" reports summary --db "$w/r.db" --domain d1.bench.test --json
cp "$w/out" "$w/year1.json"
echo "summary:      one domain, the whole period: $MS ms"
timed all "$P" reports summary --db "$w/r.db" --json
echo "summary:      every domain, the whole period: $MS ms, peak RSS $RSS MiB"

rc=0
for i in $(seq 1 "$N"); do
	"$P" reports summary --db "$w/r.db" --domain "d$i.bench.test" --json >"$w/s.$i" 2>/dev/null
	$PY - "$w/gen.$i" "$w/s.$i" "d$i.bench.test" <<'PYEOF' || rc=1
import json, sys
want = dict(kv.split("=") for kv in open(sys.argv[1]).read().split())
got = json.load(open(sys.argv[2]))
if (got["messages"], got["dmarc_pass"]) != (int(want["messages"]), int(want["pass"])):
    print("bench-reports: FAIL: %s: summary %d messages, %d pass; generated %s, %s"
          % (sys.argv[3], got["messages"], got["dmarc_pass"], want["messages"], want["pass"]))
    sys.exit(1)
PYEOF
done
[ "$rc" -eq 0 ] && echo "counts:       every domain's messages and passes equal the generator's: PASS"
exit "$rc"
