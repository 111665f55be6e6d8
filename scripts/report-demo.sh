#!/usr/bin/env bash
# make report-demo: the report fixture (tests/fixtures/report/fixture.sql,
# three runs of invented companies) loaded into a database, every report
# format written, and the HTML page rendered to PNG by headless Chromium.
# Output in BUILD/report-demo/.
#   scripts/report-demo.sh [BUILD]
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
P="$ROOT/$BUILD/posture"
OUT="$ROOT/$BUILD/report-demo"
mkdir -p "$OUT"
/usr/bin/python3 tests/fixtures/report/load.py "$P" "$OUT/fixture.db"
DB=(--db "$OUT/fixture.db")
"$P" report "${DB[@]}"
"$P" report "${DB[@]}" --format csv -o "$OUT/stats.csv"
"$P" report "${DB[@]}" --format json -o "$OUT/stats.json"
"$P" report "${DB[@]}" --format md -o "$OUT/stats.md"
"$P" report "${DB[@]}" --domains --format csv -o "$OUT/domains.csv"
"$P" report "${DB[@]}" --trend --format csv -o "$OUT/trend.csv"
"$P" report "${DB[@]}" --format html -o "$OUT/report.html"
"$P" diff 2 3 "${DB[@]}" >"$OUT/diff.txt" || true # exit 1: a domain regressed
if ! command -v chromium >/dev/null; then
	echo "report-demo: chromium is missing (scripts/deps.sh installs it)" >&2
	exit 1
fi
# Chromium wants a writable HOME and profile: a private one, removed after.
home=$(mktemp -d "${TMPDIR:-/tmp}/posture-chromium.XXXXXX")
trap 'rm -rf "$home"' EXIT
HOME="$home" chromium --headless --no-sandbox --disable-gpu --no-first-run \
	--hide-scrollbars --user-data-dir="$home/profile" --window-size=412,2400 \
	--screenshot="$OUT/report.png" "file://$OUT/report.html" 2>"$home/chromium.log" || {
	cat "$home/chromium.log" >&2
	exit 1
}
echo
echo "report-demo: $OUT/report.html rendered to $OUT/report.png (phone width, 412 px);"
echo "             stats.csv stats.json stats.md domains.csv trend.csv diff.txt beside it"
