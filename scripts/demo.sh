#!/usr/bin/env bash
# The README's first command: installs what is missing (make demo does),
# builds, and runs posture against the bundled loopback world.
#
# Today the bundled world is the test bed: Knot serving tests/zones and the
# fault-injecting server. The demo asks posture about a handful of names
# and shows each kind of answer it tells apart. The scan of invented
# companies, the reports and the one-domain check join it as they land
# (see the README's status table).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

if [ -z "${BED_AUTH:-}" ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/posture-demo.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	exec tests/bed/bed.sh run "$dir/bed" -- "$0" "$BUILD"
fi

P="$BUILD/posture"
show() {
	echo "\$ posture $*"
	"$P" "$@" || true
	echo
}
echo "== posture $("$P" --version | cut -d' ' -f2): DNS answers as posture classifies them"
echo "   (authoritative fixtures at $BED_AUTH, fault server at $BED_FAULT)"
echo
show lookup multi.bed.test TXT --resolver "$BED_AUTH"
show lookup cname2.bed.test TXT --resolver "$BED_AUTH"
show lookup mx.bed.test MX --resolver "$BED_AUTH"
show lookup nodata.bed.test TXT --resolver "$BED_AUTH"
show lookup nx.bed.test TXT --resolver "$BED_AUTH"
show lookup tc.fault.test TXT --resolver "$BED_FAULT"
show lookup servfail.fault.test TXT --resolver "$BED_FAULT"
show lookup drop.fault.test TXT --resolver "$BED_FAULT" --timeout 300 --retries 1
show lookup wrongname.fault.test TXT --resolver "$BED_FAULT" --json
echo "== done; the bed is stopped on exit. Next: make check"
