#!/usr/bin/env bash
# Builds each libFuzzer harness in tests/fuzz/ with clang (ASan + UBSan)
# and runs it for FUZZ_SECONDS (default 60) on a seed corpus made from the
# SPF conformance suite's records, the DMARC records of the tests, the SVG
# fixtures, and the receivers' reports of tests/fixtures/dmarc-reports/
# (fuzz_fb_*), the messages of tests/fixtures/headers/ (fuzz_msg_*), and
# the MTA-STS, TLS-RPT and TLSA examples of RFC 8461, RFC 8460 and RFC
# 6698 (fuzz_mta_sts_policy, fuzz_tlsrpt, fuzz_tlsa).
# A crash leaves its input in build-fuzz/crashes/ and fails the script.
#   scripts/fuzz.sh [HARNESS...]     e.g. FUZZ_SECONDS=600 scripts/fuzz.sh
# FUZZ_OUT=DIR builds and runs in DIR instead of build-fuzz.
set -euo pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUT=${FUZZ_OUT:-build-fuzz}
mkdir -p "$OUT/crashes"
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -std=c11"
# Headers are included by bare name, as in the Makefile: every layer folder.
CFLAGS+=" $(for d in scanner/* feedback message db reports cli; do [ -d "$d" ] && printf -- '-I%s ' "$d"; done)"
# What each harness links: the pure modules it exercises, nothing else.
declare -A SOURCES=(
	[fuzz_spf_parse]="scanner/spf/spf.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_spf_macro]="scanner/spf/spf.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_dmarc_parse]="scanner/dmarc/dmarc.c scanner/util/taglist.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_bimi_parse]="scanner/bimi/bimi.c scanner/util/taglist.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_dkim_key]="scanner/dkim/dkim.c scanner/util/taglist.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_taglist]="scanner/util/taglist.c"
	[fuzz_svg]="scanner/bimi/svg.c scanner/util/finding.c scanner/util/xmlsafe.c scanner/bimi/svg_schema.S"
	[fuzz_vmc_logotype]="scanner/bimi/logotype.c scanner/util/finding.c -lcrypto -lz"
	[fuzz_fetch_policy]="scanner/fetch/fetch_policy.c scanner/fetch/fetch_dest.c scanner/util/dnsutil.c"
	[fuzz_jsonw]="scanner/util/jsonw.c scanner/util/utf8.c"
	[fuzz_dns_wire]="scanner/dns/dns_wire.c scanner/util/dnsutil.c"
	[fuzz_dns_tcp]="scanner/dns/dns_tcp.c scanner/dns/dns_loop.c scanner/dns/dns_wire.c scanner/util/dnsutil.c"
	[fuzz_msg_headers]="message/msg_authres.c message/msg_sig.c message/msg_received.c message/msg_analyze.c message/msg_findings.c message/msg_lookalike.c scanner/util/mailhdr.c scanner/util/taglist.c scanner/util/finding.c scanner/util/utf8.c"
	[fuzz_mta_sts_policy]="scanner/transport/mta_sts.c scanner/transport/mta_sts_policy.c scanner/util/taglist.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_tlsrpt]="scanner/transport/tlsrpt.c scanner/transport/mta_sts.c scanner/util/taglist.c scanner/util/finding.c scanner/util/dnsutil.c"
	[fuzz_tlsa]="scanner/transport/tlsa.c scanner/util/finding.c"
	[fuzz_fb_aggregate]="feedback/fb_aggregate.c feedback/fb_tls.c feedback/fb_read.c feedback/fb_report.c feedback/fb_mime.c feedback/fb_unpack.c feedback/fb_failure.c scanner/util/mailhdr.c scanner/util/finding.c scanner/util/utf8.c scanner/util/xmlsafe.c"
)
# Libraries a harness needs beyond libc (pkg-config names).
declare -A LIBS=(
	[fuzz_svg]="libxml-2.0 libcrypto"
	[fuzz_dkim_key]="libcrypto"
	[fuzz_jsonw]="jansson"
	[fuzz_fb_aggregate]="libxml-2.0 jansson zlib libzip libcrypto"
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
# DKIM seeds: the keys of tests/fixtures/dkim/ in key records (k=rsa, and
# k=ed25519 for the wrapped Ed25519 key), and the records quoted in
# tests/unit/test_dkim.c.
kseed="$OUT/seed-dkim"
if [ ! -d "$kseed" ]; then
	mkdir -p "$kseed"
	for f in tests/fixtures/dkim/*.b64; do
		printf 'v=DKIM1; k=rsa; h=sha256; t=y; p=%s' "$(cat "$f")" >"$kseed/$(basename "$f" .b64)"
	done
	printf 'v=DKIM1; k=ed25519; p=%s' "$(cat tests/fixtures/dkim/ed25519-spki.b64)" >"$kseed/ed25519-spki-k"
	{ grep -hoa '"v=DKIM1[^"]*"' tests/unit/test_dkim.c 2>/dev/null || true; } | tr -d '"' |
		while IFS= read -r r; do
			printf '%s' "$r" >"$kseed/$(printf '%s' "$r" | sha1sum | cut -c1-16)"
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
# DNS seeds: replies as servers send them (dnslib, compressed names), each
# after the harness's selector byte (tests/fuzz/fuzz_dns_wire.c): 0x30
# asks the reply's own question, 0x38 the same over TCP, 0x00 asks
# txt.bed.test TXT.
nseed="$OUT/seed-dns"
if [ ! -d "$nseed" ]; then
	mkdir -p "$nseed"
	/usr/bin/python3 - "$nseed" <<'PY'
import hashlib, os, sys
from dnslib import (AAAA, CNAME, DNSHeader, DNSQuestion, DNSRecord, EDNS0, MX, NS, PTR, QTYPE,
                    RR, SOA, TXT, A)
out = sys.argv[1]
def reply(name, qtype, answers=(), rcode=0, tc=0, auth=(), edns=False):
    r = DNSRecord(DNSHeader(id=0x1234, qr=1, rd=1, ra=1, tc=tc, rcode=rcode),
                  q=DNSQuestion(name, getattr(QTYPE, qtype)))
    for a in answers:
        r.add_answer(a)
    for a in auth:
        r.add_auth(a)
    if edns:
        r.add_ar(EDNS0(udp_len=1232))
    return r.pack()
def rr(name, qtype, rdata):
    return RR(name, getattr(QTYPE, qtype), rdata=rdata, ttl=300)
soa = rr("bed.test", "SOA", SOA("ns.bed.test", "admin.bed.test", (1, 3600, 600, 86400, 300)))
seeds = [
    (0x30, reply("txt.bed.test", "TXT", [rr("txt.bed.test", "TXT", TXT(["v=spf1 ", "-all"]))])),
    (0x00, reply("txt.bed.test", "TXT", [rr("txt.bed.test", "TXT", TXT(["v=spf1 -all"]))],
                 edns=True)),
    (0x30, reply("_dmarc.bed.test", "TXT",
                 [rr("_dmarc.bed.test", "TXT", TXT(["v=DMARC1; p=reject"])),
                  rr("_dmarc.bed.test", "TXT", TXT(["x" * 255, "y" * 255, "z" * 100]))])),
    (0x30, reply("cname.bed.test", "TXT", [rr("cname.bed.test", "CNAME", CNAME("mid.bed.test")),
                                           rr("mid.bed.test", "CNAME", CNAME("txt.bed.test")),
                                           rr("txt.bed.test", "TXT", TXT(["v=spf1 ?all"]))])),
    (0x30, reply("out.bed.test", "TXT", [rr("out.bed.test", "CNAME", CNAME("Target.Other.Test"))])),
    (0x30, reply("nx.bed.test", "TXT", rcode=3, auth=[soa])),
    (0x30, reply("nodata.bed.test", "TXT", auth=[soa])),
    (0x30, reply("fail.bed.test", "TXT", rcode=2)),
    (0x30, reply("big.bed.test", "TXT", tc=1)),
    (0x38, reply("big.bed.test", "TXT", tc=1,
                 answers=[rr("big.bed.test", "TXT", TXT(["a" * 200] * 8))])),
    (0x30, reply("mail.bed.test", "A", [rr("mail.bed.test", "A", A("192.0.2.25")),
                                        rr("mail.bed.test", "A", A("192.0.2.26"))], edns=True)),
    (0x30, reply("mail.bed.test", "AAAA", [rr("mail.bed.test", "AAAA", AAAA("2001:db8::25"))])),
    (0x30, reply("bed.test", "MX", [rr("bed.test", "MX", MX("mail.bed.test", 10)),
                                    rr("bed.test", "MX", MX("mx2.other.test", 20))])),
    (0x30, reply("nullmx.bed.test", "MX", [rr("nullmx.bed.test", "MX", MX(".", 0))])),
    (0x30, reply("bed.test", "NS", [rr("bed.test", "NS", NS("ns.bed.test"))])),
    (0x30, reply("25.2.0.192.in-addr.arpa", "PTR",
                 [rr("25.2.0.192.in-addr.arpa", "PTR", PTR("mail.bed.test"))])),
    (0x30, reply("bed.test", "SOA", [soa])),
    # Past the caps: a TXT record over DNS_TXT_MAX_BYTES, and more than
    # DNS_ANSWER_MAX_RRS records.
    (0x38, reply("huge.bed.test", "TXT", [rr("huge.bed.test", "TXT", TXT(["a" * 255] * 40))])),
    (0x30, reply("many.bed.test", "A",
                 [rr("many.bed.test", "A", A(f"192.0.2.{i}")) for i in range(101)])),
]
for sel, msg in seeds:
    data = bytes([sel]) + msg
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)
PY
fi
# DNS over TCP seeds (tests/fuzz/fuzz_dns_tcp.c): a selector byte (0x38:
# the frame's own id, name and type are asked), a recv step byte, then
# length-prefixed frames: each DNS seed's reply, and the replies that are
# not the answer (the query echoed, another id, TC=1) before a good one.
tseed="$OUT/seed-dnstcp"
if [ ! -d "$tseed" ] && [ -d "$nseed" ]; then
	mkdir -p "$tseed"
	/usr/bin/python3 - "$nseed" "$tseed" <<'PY'
import hashlib, os, struct, sys
src, out = sys.argv[1:3]
def frame(msg):
    return struct.pack("!H", len(msg)) + msg
def save(data):
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)
for name in sorted(os.listdir(src)):
    with open(os.path.join(src, name), "rb") as f:
        msg = f.read()[1:]
    if len(msg) < 12:
        continue
    save(bytes([0x38, 0]) + frame(msg))
    save(bytes([0x38, 3]) + frame(msg))
    echo = bytes([msg[0], msg[1], msg[2] & 0x7F]) + msg[3:]
    wrong = bytes([msg[0] ^ 0x5A, msg[1]]) + msg[2:]
    cut = msg[:2] + bytes([msg[2] | 0x02]) + msg[3:]
    save(bytes([0x38, 0]) + frame(echo) + frame(wrong) + frame(cut) + frame(msg))
PY
fi
# Fetch policy seeds: URLs (good, refused, odd forms curl still reads) and
# --connect-to entries; the harness feeds each to both parsers.
fseed="$OUT/seed-fetch"
if [ ! -d "$fseed" ]; then
	mkdir -p "$fseed"
	for u in https://bimi.test/logo.svg 'HTTPS://BIMI.Test.:8443/a/B.svg?x=1#f' \
		http://bimi.test/ https://user:pw@bimi.test/ 'https://[2001:db8::1]:444/' \
		'https://[fe80::1%25eth0]/' https://0x7f.1/ https://1.2./ https://b%69mi.test/a/../b/./c \
		https:/bimi.test https://bimi.test:0/ https://bimi.test:65536/ file:///etc/passwd \
		bimi.test:443:127.0.0.1:8443 ::127.0.0.1:8443 '[::1]:443:[2001:db8::2]:' :::; do
		printf '%s' "$u" >"$fseed/$(printf '%s' "$u" | sha1sum | cut -c1-16)"
	done
fi
# Report seeds: the receivers' reports of tests/fixtures/dmarc-reports/
# (XML, gzip, zip, JSON, mail), renamed (their names hold spaces and !).
rseed="$OUT/seed-reports"
if [ ! -d "$rseed" ]; then
	mkdir -p "$rseed"
	find tests/fixtures/dmarc-reports -type f ! -name '*.md' ! -name 'LICENSE*' -print0 |
		while IFS= read -r -d '' f; do
			cp -- "$f" "$rseed/$(sha1sum <"$f" | cut -c1-16)"
		done
fi
# Header seeds: the messages of tests/fixtures/headers/ (real ones with
# ARC chains and DKIM signatures, and the incidents of issue 23), and the
# Authentication-Results forms receivers write, each in a small message.
hseed="$OUT/seed-headers"
if [ ! -d "$hseed" ]; then
	mkdir -p "$hseed"
	find tests/fixtures/headers -type f -name '*.eml' -print0 |
		while IFS= read -r -d '' f; do
			cp -- "$f" "$hseed/$(sha1sum <"$f" | cut -c1-16)"
		done
	for ar in 'example.org 1; none' \
		'spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100' \
		'foo.example.net (foobar) 1 (baz); dkim (Because I like it) / 1 (One yay) = (wait for it) fail policy (A dot can go here) . (like that) expired (this surprised me) = (as I wasn'"'"'t expecting it) 1362471462' \
		'mx.hosting.example; dkim=none; dmarc=fail reason="No valid SPF, No valid DKIM" header.from=victim.example'; do
		printf 'Received: from a.example (a.example [192.0.2.1]) by mx.example.net with ESMTPS id 1; Mon, 02 Nov 2020 01:57:24 -0800 (PST)\r\nAuthentication-Results: %s\r\nARC-Authentication-Results: i=1; %s\r\nReceived-SPF: softfail (mx.example.net: domain of transitioning x@example.com does not designate 192.0.2.1 as permitted sender) client-ip=192.0.2.1;\r\nDKIM-Signature: v=1; a=rsa-sha1; d=example.com; s=s1; h=From:To; bh=AAAA; b=AAAA\r\nFrom: <x@example.com>\r\n\r\nbody\r\n' "$ar" "$ar" >"$hseed/new"
		mv -- "$hseed/new" "$hseed/$(sha1sum <"$hseed/new" | cut -c1-16)"
	done
fi
# Transport seeds: MTA-STS policies and records (RFC 8461 3.1, 3.2: one
# input is both, cut at '\n' into TXT records), TLS-RPT records (RFC 8460
# 3), and TLSA rdatas after the harness's flags byte, each behind a
# two-byte length (tests/fuzz/fuzz_tlsa.c).
stsseed="$OUT/seed-mta-sts"
rptseed="$OUT/seed-tlsrpt"
tlsaseed="$OUT/seed-tlsa"
if [ ! -d "$stsseed" ] || [ ! -d "$rptseed" ] || [ ! -d "$tlsaseed" ]; then
	mkdir -p "$stsseed" "$rptseed" "$tlsaseed"
	/usr/bin/python3 - "$stsseed" "$rptseed" "$tlsaseed" <<'PY'
import hashlib, os, struct, sys
sts, rpt, tlsa = sys.argv[1:4]
def save(d, data):
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)
rfc = ("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\n"
       "mx: backupmx.example.com\nmax_age: 604800\n")
for body in (rfc, rfc.replace("\n", "\r\n"),
             "version: STSv1\nmode: testing\nmx: *.example.org\nmax_age: 86400",
             "version: STSv1\nmode: none\nmax_age: 0\n",
             "mode: enforce\nmx: a.example\nversion: STSv1\nmax_age: 31557600\nfoo: bar\n",
             "version: STSv1\nMode: Enforce\nmx: *.*.example\nmax_age: 31557601\nmode: x\n",
             "v=STSv1; id=20160831085700Z;",
             "v=STSv1; id=abc; ext=1\nv=spf1 -all\nsome other",
             "v=STSv1;\nv=STSv1; id=1",
             "v=STSv1 ; id=abcdefghijklmnopqrstuvwxyz0123456 ;; x=a=b"):
    save(sts, body.encode())
for rec in ("v=TLSRPTv1;rua=mailto:reports@example.com",
            "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt",
            "v=TLSRPTv1; rua=mailto:tls@example.com , https://[2001:db8::1]:8443/r?x=1",
            "v=TLSRPTv1; rua=ftp://x,mailto:a@b.example,; ext-1.x=val",
            "v=TLSRPTv1; rua=mailto:a@example.com\nv=TLSRPTv1; rua=mailto:b@example.com",
            "google-site-verification=abc\nv=TLSRPTv1; RUA=mailto:a@example.com; rua=x"):
    save(rpt, rec.encode())
def rr(u, s, m, data):
    rd = bytes([u, s, m]) + data
    return struct.pack("!H", len(rd)) + rd
digest32, digest64 = bytes(range(32)), bytes(range(64))
for flags, rrs in ((0xff, [rr(3, 1, 1, digest32)]),
                   (0x00, [rr(3, 1, 1, digest32)]),
                   (0x81, [rr(2, 0, 2, digest64), rr(3, 1, 1, digest32[:31]),
                           rr(0, 0, 1, digest32), rr(4, 2, 3, b"\x01")]),
                   (0x41, [rr(3, 0, 0, bytes(700)), rr(1, 1, 1, digest32)])):
    save(tlsa, bytes([flags]) + b"".join(rrs))
PY
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
	case $h in *fb_*) seeds=$rseed ;; *msg_*) seeds=$hseed ;; *dmarc*) seeds=$dseed ;; *dkim*) seeds=$kseed ;; *svg*) seeds=$sseed ;; *vmc*) seeds=$vseed ;; *fetch*) seeds=$fseed ;; *mta_sts*) seeds=$stsseed ;; *tlsrpt*) seeds=$rptseed ;; *tlsa*) seeds=$tlsaseed ;; *dns_tcp*) seeds=$tseed ;; *dns*) seeds=$nseed ;; esac
	if ! "$OUT/$h" "$corpus" "$seeds" -max_total_time="$SECONDS_EACH" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$OUT/crashes/$h-" \
		-print_final_stats=1 2>"$OUT/$h.log"; then
		status=1
		tail -40 "$OUT/$h.log"
	fi
	grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$OUT/$h.log" || true
done
exit $status
