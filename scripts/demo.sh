#!/usr/bin/env bash
# make demo: posture on the fictional demo world, end to end.
#
#   scripts/demo.sh [BUILD]
#
# make demo installs what is missing (scripts/deps.sh) and builds first.
# Then, inside scripts/demo-env.sh (the world's DNS and HTTPS servers on
# loopback, posture's POSTURE_* defaults pointed at them):
#   1. scans build/demo-world/companies.csv (318 domains, BIMI logos and
#      certificates fetched) into demo/demo.db, a fresh database;
#   2. prints the run's statistics (posture report);
#   3. writes demo/report.csv (one row per domain), demo/stats.csv,
#      demo/report.html, and demo/report.png (the page rendered by headless
#      Chromium);
#   4. runs posture check on the ready showcase kestrel-foods.test (must
#      exit 0) and on foxglove-insurance.test, a valid VMC under p=none
#      (must exit 1 and name its fixes);
#   5. scans again as a "nightly" run and compares the two (posture diff:
#      nothing regressed, exit 0) and shows one domain's history;
#   6. imports a month of receivers' reports for foxglove-insurance.test
#      (p=none, a CRM failing DMARC): posture check --reports-db must say
#      "not yet" and name the CRM; then a week with the CRM fixed: "safe
#      to enforce" (demo/reports.db, demo/evidence.html).
# Every step's exit status is checked: a wrong one stops the demo with a
# message and exit 1. The servers stop when it ends, whatever happens.
# DEMO_OUT (default demo, from the top of the tree) and DEMO_WORLD
# (scripts/demo-env.sh) move the outputs and the world elsewhere, as
# tests/integration/test_readme.py does.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

if [ -z "${POSTURE_DEMO_WORLD:-}" ]; then
	start=$(date +%s%N)
	rc=0
	scripts/demo-env.sh "$BUILD" -- "$0" "$BUILD" || rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	if [ "$rc" -ne 0 ]; then
		echo "make demo: FAILED (exit $rc) after $((ms / 1000)) s; every server is stopped" >&2
		exit "$rc"
	fi
	printf '== make demo: done in %d.%d s (servers included); every server is stopped\n' \
		$((ms / 1000)) $((ms % 1000 / 100))
	exit 0
fi

# Paths as a reader would type them, from the top of the tree.
W=${POSTURE_DEMO_WORLD#"$ROOT"/}
OUT=${DEMO_OUT:-demo}
DB=$OUT/demo.db
t0=$(date +%s%N)

# Runs a step, shown as the command a reader would type, and checks its
# exit status against the expected one.
step() {
	local want=$1 rc=0
	shift
	echo "\$ $*"
	"$@" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "make demo: '$*' exited $rc, expected $want" >&2
		exit 1
	fi
}

elapsed() {
	local ms=$((($(date +%s%N) - t0) / 1000000))
	printf '   (%d.%d s so far)\n\n' $((ms / 1000)) $((ms % 1000 / 100))
}

mkdir -p "$OUT"
OUT_ABS=$(cd -- "$OUT" && pwd -P)
rm -f "$DB" "$DB-wal" "$DB-shm"
echo "== posture $(posture --version | cut -d' ' -f2) on the demo world: $(($(wc -l <"$W/companies.csv") - 1)) invented domains under .test"
echo "   DNS at $POSTURE_RESOLVER, HTTPS at ${POSTURE_CONNECT_TO#::} (loopback)"
echo
echo "== 1. scan every domain: SPF, DMARC, MX/A, BIMI with logo and certificate"
step 0 posture scan "$W/companies.csv" --db "$DB" --label demo
elapsed

echo "== 2. the statistics"
step 0 posture report --db "$DB"
elapsed

echo "== 3. the reports"
step 0 posture report --db "$DB" --domains --format csv -o "$OUT/report.csv"
step 0 posture report --db "$DB" --format csv -o "$OUT/stats.csv"
step 0 posture report --db "$DB" --format html -o "$OUT/report.html"
if ! command -v chromium >/dev/null; then
	echo "make demo: chromium is missing (scripts/deps.sh installs it)" >&2
	exit 1
fi
# Chromium wants a writable HOME and profile: a private one, removed after.
home=$(mktemp -d "${TMPDIR:-/tmp}/posture-chromium.XXXXXX")
trap 'rm -rf "$home"' EXIT
# Headless Chromium now and then hangs before it takes the screenshot on a
# busy machine: each attempt gets 40 s, and a hung one is retried once.
render() {
	HOME="$home" timeout 40 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-extensions --hide-scrollbars --user-data-dir="$home/profile" \
		--window-size=1000,1400 --screenshot="$OUT_ABS/report.png" \
		"file://$OUT_ABS/report.html" </dev/null >"$home/chromium.log" 2>&1
}
echo "\$ chromium --headless --screenshot=$OUT/report.png $OUT/report.html"
if ! render; then
	echo "   (chromium did not finish; once more)"
	rm -rf "${home:?}/profile"
	render || {
		tail -20 "$home/chromium.log" >&2
		echo "make demo: chromium could not render demo/report.html" >&2
		exit 1
	}
fi
for f in report.csv stats.csv report.html report.png; do
	[ -s "$OUT/$f" ] || {
		echo "make demo: $OUT/$f is missing or empty" >&2
		exit 1
	}
done
echo "   wrote $OUT/report.csv ($(($(wc -l <"$OUT/report.csv") - 1)) domains), $OUT/stats.csv, $OUT/report.html, $OUT/report.png"
elapsed

echo "== 4. one domain's owner: a ready domain (exit 0) and a broken one (exit 1, with fixes)"
step 0 posture check kestrel-foods.test
echo
step 1 posture check foxglove-insurance.test
# The broken domain's owner must be told what to change for every item
# that fails.
fails=$(posture check foxglove-insurance.test --json |
	/usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)["bimi"]["readiness"]
bad = [i["item"] for i in r if i["status"] == "fail"]
print(len(bad) if bad and all(i["fix"] for i in r if i["status"] == "fail") else "no fixes")') || true
if ! [[ $fails =~ ^[1-9] ]]; then
	echo "make demo: posture check foxglove-insurance.test does not name a fix for each failing item ($fails)" >&2
	exit 1
fi
echo "   ($fails failing readiness items, each with its fix)"
elapsed

echo "== 5. the next night: scan again, compare the runs, one domain's history"
step 0 posture scan "$W/companies.csv" --db "$DB" --label nightly
step 0 posture diff 1 2 --db "$DB"
step 0 posture history kestrel-foods.test --db "$DB"
elapsed

echo "== 6. before enforcing DMARC: what the receivers report (a p=none domain and its CRM)"
RDB=$OUT/reports.db
rm -f "$RDB" "$RDB-wal" "$RDB-shm"
step 0 posture reports import "$W/reports/month" --db "$RDB"
evidence() {
	posture check foxglove-insurance.test --reports-db "$RDB" --no-fetch --json |
		/usr/bin/python3 -c 'import json, sys
e = json.load(sys.stdin)["evidence"]
print(e["verdict"], e["failing"][0]["ip"] if e["failing"] else "-")'
}
got=$(evidence) || true
echo "\$ posture check foxglove-insurance.test --reports-db $RDB   # evidence: $got"
if [ "$got" != "not_yet 198.51.100.25" ]; then
	echo "make demo: a month with a failing CRM must say not_yet and name 198.51.100.25 (got: $got)" >&2
	exit 1
fi
step 0 posture reports import "$W/reports/week" --db "$RDB"
step 0 posture reports summary --db "$RDB" --domain foxglove-insurance.test --days 30
step 0 posture reports summary --db "$RDB" --domain foxglove-insurance.test -o "$OUT/evidence.html"
got=$(evidence) || true
if [ "${got%% *}" != "safe_to_enforce" ]; then
	echo "make demo: a week after the CRM was fixed the evidence must say safe_to_enforce (got: $got)" >&2
	exit 1
fi
echo "   (after the fix: $got)"
elapsed

echo "== 7. one received message: who sent it, which hop vouched for it, what p=none let through"
step 1 posture headers "$W/mail/foxglove-spoof.eml" --live
got=$(posture headers "$W/mail/foxglove-spoof.eml" --live --json |
	/usr/bin/python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["verdict"]["dmarc"], d["live"]["would"],
      " ".join(sorted(f["code"] for f in d["findings"])))') || true
want="fail reject headers.dmarc_not_enforced headers.softfail_accepted"
if [ "$got" != "$want" ]; then
	echo "make demo: the spoofed message must fail DMARC, be rejectable, and name why (got: $got)" >&2
	exit 1
fi
elapsed

echo "== files in $OUT/: demo.db (two runs), report.csv, stats.csv, report.html, report.png,"
echo "   reports.db (the receivers' reports), evidence.html"
echo "   Try the README's examples by hand: make demo-shell"
