#!/usr/bin/env bash
# Trains db/results.dict, the zstd dictionary posture compresses stored
# results with (db/README.md, "Schema 3").
#
#   scripts/train-dict.sh [BUILD]      (default build; needs zstd, the bed)
#
# 1. generates a synthetic world of 6,000 domains with the seed "dict" (not
#    seed 1, which make bench and make bench-store measure, so the
#    dictionary is not trained on the results it is measured on), serves it
#    on the loopback bed and scans it (every check, BIMI without fetches);
# 2. runs the demo (scripts/demo.sh) into a temporary directory: its
#    results carry what the world lacks (fetched logos, certificates, every
#    readiness outcome); they are weighted three times;
# 3. exports every stored result (posture db export) one file per result
#    and trains a 32 KiB dictionary (zstd --train --maxdict=32768); 32 KiB
#    compressed as well as 64 and 110 KiB did (doc/performance.md).
# After retraining, bump the name in db/zbody.c (zbody_bundled): the name
# is how a database tells a new dictionary from the one it holds.
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
P="$ROOT/$BUILD/posture"
PY=/usr/bin/python3
command -v zstd >/dev/null || { echo "train-dict: needs the zstd command (apt-get install zstd)" >&2; exit 2; }
[ -x "$P" ] || { echo "train-dict: build posture first (make)" >&2; exit 2; }
w=$(mktemp -d "${TMPDIR:-/tmp}/posture-dict.XXXXXX")
trap 'tests/bed/bed.sh stop "$w/bed" >/dev/null 2>&1; rm -rf "$w"' EXIT

"$PY" scripts/gen-world.py "$w/world" -n 6000 --seed dict -q
BED_ZONES="$w/world/zones" BED_START_TIMEOUT=120 tests/bed/bed.sh run "$w/bed" -- \
	bash -c '"$0" --resolver "$BED_AUTH" scan "$1" --db "$2" --no-fetch --quiet || [ $? -le 1 ]' \
	"$P" "$w/world/domains.txt" "$w/world.db"
DEMO_OUT="$w/demo" DEMO_WORLD="$w/demo-world" scripts/demo.sh "$BUILD" >"$w/demo.log" 2>&1 || {
	cat "$w/demo.log" >&2
	exit 1
}
mkdir "$w/samples"
"$P" db export --db "$w/world.db" --run 1 >"$w/world.jsonl"
"$P" db export --db "$w/demo/demo.db" --run 1 >"$w/demo.jsonl"
"$PY" - "$w" <<'PY'
import json, os, sys
w = sys.argv[1]
n = 0
for name, weight in (("world.jsonl", 1), ("demo.jsonl", 3)):
    for line in open(os.path.join(w, name), encoding="utf-8"):
        result = json.dumps(json.loads(line)["result"], separators=(",", ":"), ensure_ascii=False)
        for _ in range(weight):
            with open(os.path.join(w, "samples", "%06d.json" % n), "w", encoding="utf-8") as f:
                f.write(result)
            n += 1
print("train-dict: %d samples" % n, file=sys.stderr)
PY
zstd -q --train "$w"/samples/* -o db/results.dict --maxdict=32768
echo "train-dict: wrote db/results.dict ($(stat -c %s db/results.dict) bytes); bump the name in db/zbody.c"
