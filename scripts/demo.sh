#!/usr/bin/env bash
# The README's first command: installs what is missing (make demo does),
# builds, and runs posture against the bundled loopback world.
#
# Today the bundled world is the test bed: Knot serving tests/zones and the
# fault-injecting server. The demo shows the SPF audit and check_host, the
# DMARC reading of a few fixture domains, and the DNS answers posture tells
# apart. The scan of invented companies, the reports and the one-domain
# check join it as they land (see the README's status table).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

if [ -z "${BED_AUTH:-}" ]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/posture-demo.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	rc=0
	tests/bed/bed.sh run "$dir/bed" -- "$0" "$BUILD" || rc=$?
	exit "$rc"
fi

P="$BUILD/posture"
show() {
	echo "\$ posture $*"
	"$P" "$@" || true
	echo
}
echo "== posture $("$P" --version | cut -d' ' -f2) on the bundled fixtures"
echo "   (authoritative fixtures at $BED_AUTH, fault server at $BED_FAULT)"
echo
echo "== SPF: a record whose include has no SPF record, and one over the limit"
show spf inc-norecord.spf.test --resolver "$BED_AUTH"
show spf toomany.spf.test --resolver "$BED_AUTH"
show spf eval --ip 192.0.2.9 --sender someone@exp.spf.test --resolver "$BED_AUTH"
echo "== DMARC: an enforcing organizational domain, a subdomain inheriting sp=, pct=50"
show dmarc org1.dmarc.test --resolver "$BED_AUTH"
show dmarc sub.org1.dmarc.test --resolver "$BED_AUTH"
show dmarc pct.dmarc.test --resolver "$BED_AUTH"
echo "== DNS answers as posture classifies them"

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
