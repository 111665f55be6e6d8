#!/usr/bin/env bash
# Runs a command inside the demo world: the fictional companies of
# scripts/gen-demo.py served on loopback (Knot for their zones, the HTTPS
# server for their logos and mark certificates), with posture pointed at
# them through its environment defaults, so every example of README.md and
# doc/*.md runs as written. The servers stop when the command ends (also
# on Ctrl-C).
#
#   scripts/demo-env.sh [BUILD] [--] CMD [ARGS...]
#   make demo-shell                  an interactive shell inside it
#
# What CMD sees:
#   PATH                 BUILD first, so `posture` is the one just built
#   POSTURE_RESOLVER     the world's authoritative server (BED_AUTH)
#   POSTURE_CA_FILE      the bed's test CA, which signed the HTTPS server
#   POSTURE_CONNECT_TO   ::BED_HTTPS: every HTTPS host goes to the loopback
#                        server, URLs and TLS names unchanged
#   POSTURE_VMC_ROOTS    the demo Mark Verifying Authority's root
#   POSTURE_DEMO_WORLD   the world's directory (companies.csv, expected.csv,
#                        reports/: receivers' reports, made again each day)
#   BED_*                what tests/bed/bed.sh exports
#
# The world is generated into DEMO_WORLD (default BUILD/demo-world) when it
# is missing or older than the generator; the bed's own files go to a
# private directory under TMPDIR, removed at the end. BUILD and DEMO_WORLD
# are relative to the top of the tree; CMD runs where demo-env.sh was
# started. Exit status: CMD's, or 1 when the world or the bed fails.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
CALLER=$PWD
cd "$ROOT"

# Second stage, inside the bed: turn its addresses into posture's defaults.
if [ "${1:-}" = --inside-bed ]; then
	shift
	export POSTURE_RESOLVER="$BED_AUTH"
	export POSTURE_CA_FILE="$BED_CA"
	export POSTURE_CONNECT_TO="::$BED_HTTPS"
	export POSTURE_VMC_ROOTS="$POSTURE_DEMO_WORLD/vmc-roots.pem"
	exec "$@"
fi

BUILD=build
if [ $# -gt 0 ] && [ "$1" != -- ] && [ -d "$1" ] && [ -x "$1/posture" ]; then
	BUILD=$1
	shift
fi
[ "${1:-}" = -- ] && shift
if [ $# -eq 0 ]; then
	echo "usage: scripts/demo-env.sh [BUILD] [--] CMD [ARGS...]" >&2
	exit 2
fi
if [ ! -x "$BUILD/posture" ]; then
	echo "demo-env: $BUILD/posture is missing (run make first)" >&2
	exit 1
fi
BUILD=$(cd -- "$BUILD" && pwd -P)
WORLD=${DEMO_WORLD:-$BUILD/demo-world}
mkdir -p "$WORLD"
WORLD=$(cd -- "$WORLD" && pwd -P)
if [ ! -s "$WORLD/companies.csv" ] || [ scripts/gen-demo.py -nt "$WORLD/companies.csv" ]; then
	echo "demo-env: generating the demo world in $WORLD" >&2
	/usr/bin/python3 scripts/gen-demo.py "$WORLD" -q
fi
# The receivers' reports are dated from the day they were made: made
# again each new day, so "the last 30 days" always holds them.
if [ -z "$(find "$WORLD/reports/month" -maxdepth 0 -newermt "$(date -u +%Y-%m-%d)" 2>/dev/null)" ] ||
	[ scripts/gen-reports.py -nt "$WORLD/reports/month" ]; then
	/usr/bin/python3 scripts/gen-demo.py "$WORLD" --reports-only
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/posture-demo-env.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export PATH="$BUILD:$PATH"
export POSTURE_DEMO_WORLD="$WORLD"
cd "$CALLER"
rc=0
BED_ZONES="$WORLD/zones" BED_HTTPS_ROOT="$WORLD/https" \
	"$ROOT/tests/bed/bed.sh" run "$dir/bed" -- "$ROOT/scripts/demo-env.sh" --inside-bed "$@" || rc=$?
exit "$rc"
