#!/usr/bin/env bash
# Builds each libFuzzer harness in tests/fuzz/ with clang (ASan + UBSan)
# and runs it for FUZZ_SECONDS (default 60) on a seed corpus made from the
# SPF conformance suite's records, the DMARC records of the tests, and the
# SVG fixtures. A crash leaves its input in
# build-fuzz/crashes/ and fails the script.
#   scripts/fuzz.sh [HARNESS...]     e.g. FUZZ_SECONDS=600 scripts/fuzz.sh
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUT=build-fuzz
mkdir -p "$OUT/crashes"
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -std=c11"
# What each harness links: the pure modules it exercises, nothing else.
declare -A SOURCES=(
	[fuzz_spf_parse]="scanner/spf/spf.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_spf_macro]="scanner/spf/spf.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_dmarc_parse]="scanner/dmarc/dmarc.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_bimi_parse]="scanner/bimi/bimi.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_svg]="scanner/bimi/svg.c scanner/util/finding.c scanner/bimi/svg_schema.S"
	[fuzz_vmc_logotype]="scanner/bimi/vmc.c scanner/util/finding.c scanner/bimi/vmc_roots.S -lcrypto -lz -lpthread"
	[fuzz_jsonw]="scanner/util/jsonw.c scanner/util/utf8.c"
)
# Libraries a harness needs beyond libc (pkg-config names).
declare -A LIBS=(
	[fuzz_svg]="libxml-2.0 libcrypto"
	[fuzz_jsonw]="jansson"
)
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=("${!SOURCES[@]}")

# Seeds: every TXT/SPF string of the RFC 7208 and 4408 suites, and the
# DMARC records quoted in the tests and fixtures.
seed="$OUT/seed-spf"
if [ ! -d "$seed" ]; then
	mkdir -p "$seed"
	/usr/bin/python3 - "$seed" <<'PY'
import hashlib, os, sys, yaml
out = sys.argv[1]
for suite in ("rfc7208", "rfc4408"):
    with open(f"tests/conformance/spf/{suite}-tests.yml", encoding="utf-8") as f:
        for doc in yaml.safe_load_all(f):
            for recs in (doc.get("zonedata") or {}).values():
                for r in recs:
                    if not isinstance(r, dict):
                        continue
                    for k, v in r.items():
                        if k in ("SPF", "TXT"):
                            vals = v if isinstance(v, list) else [v]
                            data = "".join(str(x) for x in vals).encode("latin-1", "replace")
                            name = hashlib.sha1(data).hexdigest()
                            with open(os.path.join(out, name), "wb") as g:
                                g.write(data)
PY
fi
dseed="$OUT/seed-dmarc"
if [ ! -d "$dseed" ]; then
	mkdir -p "$dseed"
	{ grep -hoa 'v=DMARC1[^"`|]*' tests/zones/*.zone tests/unit/test_dmarc.c 2>/dev/null || true; } |
		while IFS= read -r r; do
			printf '%s' "$r" >"$dseed/$(printf '%s' "$r" | sha1sum | cut -c1-16)"
		done
fi
# SVG seeds: the real logos and negative cases of tests/fixtures/svg/.
sseed="$OUT/seed-svg"
if [ ! -d "$sseed" ]; then
	mkdir -p "$sseed"
	cp tests/fixtures/svg/*/*.svg "$sseed/"
fi
# VMC seeds: the logotype extension value (DER) of each real leaf, cut out
# with openssl asn1parse.
vseed="$OUT/seed-vmc"
if [ ! -d "$vseed" ]; then
	mkdir -p "$vseed"
	for f in tests/fixtures/vmc/*.pem; do
		openssl x509 -in "$f" -outform DER -out "$OUT/leaf.der" 2>/dev/null || continue
		off=$(openssl asn1parse -inform DER -in "$OUT/leaf.der" |
			awk '/:1.3.6.1.5.5.7.1.12/{getline; sub(/:.*/, ""); print $1; exit}')
		[ -n "$off" ] || continue
		openssl asn1parse -inform DER -in "$OUT/leaf.der" -strparse "$off" -noout \
			-out "$vseed/logotype-$(basename "$f" .pem).der"
	done
fi
status=0
for h in "${harnesses[@]}"; do
	src=${SOURCES[$h]:?unknown harness $h}
	libs=
	[ -n "${LIBS[$h]:-}" ] && libs=$(pkg-config --cflags --libs ${LIBS[$h]})
	clang $CFLAGS -o "$OUT/$h" "tests/fuzz/$h.c" $src $libs
	corpus="$OUT/corpus-$h"
	mkdir -p "$corpus"
	echo "== $h: ${SECONDS_EACH}s"
	seeds=$seed
	case $h in *dmarc*) seeds=$dseed ;; *svg*) seeds=$sseed ;; *vmc*) seeds=$vseed ;; esac
	if ! "$OUT/$h" "$corpus" "$seeds" -max_total_time="$SECONDS_EACH" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$OUT/crashes/$h-" \
		-print_final_stats=1 2>"$OUT/$h.log"; then
		status=1
		tail -40 "$OUT/$h.log"
	fi
	grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$OUT/$h.log" || true
done
exit $status
