#!/usr/bin/python3
"""Generates the synthetic mail-policy world for `make bench` and the scan tests.

    gen-world.py OUTDIR [-n N] [--seed S] [--query-mix FILE] [-j JOBS] [-q]
                 [--night K] [--change-rate R] [--dnssec]
    gen-world.py --query-mix FILE [-n N] [--seed S]     (the query list only)

-j runs JOBS worker processes; the output is byte for byte the same for any
-j (on a 2-vCPU machine busy with other work, -j2 was no faster). A summary
of the counts goes to stderr unless -q. Figures (run time, Knot's load time
and memory): doc/performance.md, scripts/measure-world.sh; the world
itself is described in doc/testing.md, "The synthetic world".

Writes, for N domains (default 100,000; 1,000,000 works, in constant memory):

  OUTDIR/zones/bench.test.zone  every domain (<name>.bench.test) and the
                                shared mail providers, one Knot zone
  OUTDIR/zones/test.zone        the parent "test." (SOA and NS only), so the
                                RFC 9989 DMARC walk's last question,
                                _dmarc.test, is NXDOMAIN as at a real TLD
  OUTDIR/zones/<domain>.zone    --dnssec only: the domains that are zones
                                of their own (DNSSEC, below)
  OUTDIR/domains.txt            the list: one domain per line, no comments
  OUTDIR/expected.csv           what a correct scan finds (below)
  OUTDIR/changed.txt            the domains --night K changed (Nights, below)
  OUTDIR/https/mta-sts.<domain>/.well-known/mta-sts.txt
                                the MTA-STS policies, for the bed's HTTPS
                                server (BED_HTTPS_ROOT)
  OUTDIR/https-names.txt        every MTA-STS policy host (mta-sts.<domain>),
                                one a line: the names the bed's certificate
                                must hold (BED_HTTPS_NAMES), those whose
                                policy is missing on purpose included
  FILE (--query-mix)            the DNS questions a full scan sends, one
                                "name TYPE" per line (dnsperf's format)

Serve OUTDIR/zones alone (it holds its own test.zone), and for MTA-STS
the policies:
    BED_ZONES=OUTDIR/zones BED_START_TIMEOUT=120 BED_HTTPS_ROOT=OUTDIR/https \
    BED_HTTPS_NAMES=$(paste -sd, OUTDIR/https-names.txt) tests/bed/bed.sh run DIR -- CMD
and scan with --ca-file $BED_CA --connect-to ::127.0.0.1:$BED_HTTPS_PORT
(and, for a --dnssec world, --trust-anchor $BED_TRUST_ANCHORS). The bed's
one certificate names every policy host, 13 per 100 domains: OpenSSL
clients refuse a certificate message over 100 KiB (SSL_MAX_CERT_LIST_
DEFAULT), which 20,000 domains (2,600 names, 83 KB) stay under and about
24,000 do not, so worlds whose policies are fetched stay at 20,000 or
fewer (the environment's 128 KiB a variable would allow about 3,900
names). Every file the generator writes in OUTDIR/zones (*.zone) and
OUTDIR/https is removed first: an earlier world's child zones and
policies must not be served with this one.
One zone on purpose: Knot 3.2 loaded 1,000,000 domains from a single zone
file in 10.6 s, and 8 shards took 15.7 s (zones load one after another with
the bed's one background worker); figures in doc/performance.md.

Deterministic: the same -n and --seed give the same bytes, and a world of N
domains is the first N domains of any larger world with the same seed (each
block of 100 domains, and each domain, draws from its own seeded generator;
a block's DKIM categories from a second one, "<seed>/block/<b>/dkim", so
every other record is what it was before the world had DKIM; its
transport categories from a third, "<seed>/block/<b>/transport", and their
records' details from "<seed>/domain/<i>/transport", so every record
before is what it was, but one: a "partial" DANE domain's second MX
record, "20 mx-backup.<domain>."). A block is drawn whole even when N ends
inside it: its DANE categories go to domains chosen by their MX hosts.

Nights (--night K, default 0; --change-rate R, default 0.01), for
scripts/bench-store.sh: the world as it stands on night K of a nightly
history. Night 0 is the world above, byte for byte. Night K is night K-1
with exactly round(R*N) domains changed, drawn from the seed and the night
alone (Floyd's sampling over the domains that publish exactly one valid
DMARC record, 82 of every 100; other nights draw other domains, and a
domain may be drawn again on a later night). A change appends
"; ri=<86400+v>" to the domain's DMARC record, v being how many times the
domain has been drawn in nights 1..K: the record, so the scan's stored
result, changes (ri is an RFC 7489 tag that RFC 9989 removed: posture
adds the info finding dmarc.removed_tag), while every column of
expected.csv stays the same, and so do domains.txt, the query mix and the
rest of the zone, SOA serial included (the bed's Knot loads the whole
file on "knotc zone-reload" whatever the serial).
OUTDIR/changed.txt lists the domains whose records differ between night
K-1 and night K, in domain order (empty for night 0). Night K is computed
directly, without nights 1..K-1: memory grows with K * round(R*N) (8 bytes
each, 2.4 MB for 30 nights of 1,000,000 domains at 1 %), not with N.

The mix is exact in every complete block of 100 domains:
  SPF   40 include: of shared providers (nested 2-3 deep; 1-2 per domain),
        20 ip4/ip6 only, 18 own a/mx terms, 6 redirect= to a hosting
        provider, 8 no SPF (half with other TXT records, half none),
         3 include of a name without SPF  -> permerror spf.include_no_record
         2 more than 10 lookups           -> permerror spf.too_many_lookups
         1 two SPF records                -> permerror spf.multiple_records
         1 redirect= to a name without SPF-> permerror spf.redirect_no_record
         1 three a: terms with no address -> permerror spf.void_lookups
  DMARC 45 p=none, 15 p=quarantine, 15 p=reject, 5 pct<100 (quarantine or
        reject), 2 t=y, 3 two records (invalid), 15 no record (2 of them
        with a non-DMARC TXT at _dmarc)
  MX 90, A 95 (AAAA on about 40% of those), BIMI record at default._bimi 2.
  DKIM  key records (RFC 6376 3.6.1) with the keys of tests/fixtures/dkim/:
        40 google  "v=DKIM1; k=rsa; p=<RSA 2048>"
        15 selector1, a CNAME to selector1-<label>._domainkey.mailer2
           .bench.test, which holds an RSA 2048 key (one per domain)
        10 k1 with an RSA 1024 key (weak)
         3 google RSA 2048 and k1 RSA 1024
         5 default "v=DKIM1; p=" (revoked)
         2 default "v=DKIM1; k=ed25519; p=<raw 32 bytes>" (RFC 8463 3)
         2 google "v=DKIM1; h=sha1; p=<RSA 2048>": not usable (RFC 8301)
        23 no key record
      Records longer than 255 bytes are split into several strings (RFC
      6376 3.6.2.2: a verifier joins them). Nights leave them alone.
  MTA-STS (RFC 8461), among the 90 domains with MX (the 10 without get
        none): a TXT at _mta-sts.<domain>, and for the first five kinds
        A 127.0.0.1 at mta-sts.<domain> and that name in https-names.txt:
         6 enforce, every MX host covered by an mx: pattern (the name or
           "*." and its parent, as drawn)    -> enforce, mx_covered 1
         2 enforce, the last MX host left out (a single host: the only
           pattern names old-mx.<domain>)     -> enforce, mx_covered 0
         3 testing, every host covered      -> testing, mx_covered 1
         1 mode: none                       -> none
         1 valid record, no policy file (the server says 404) -> invalid
         1 id= with a "-" (RFC 8461 3.1: letters and digits) -> invalid
         1 two v=STSv1 records               -> invalid
        75 no record                         -> missing (85 of 100 in all)
      Policies end lines with CRLF or LF (RFC 8461 3.2 allows both),
      max_age one of 1 day, 1 week, 2 weeks, 1 year.
  TLS-RPT (RFC 8460) at _smtp._tls.<domain>, over all 100: 12 ok
        (mailto:, https: or both), 2 an ftp: rua (invalid), 1 two records
        (invalid), 85 none.
  DANE (RFC 7672), among the domains whose one MX host is their own
        mx.<domain> (36 a block on average; the generator stops if a block
        has fewer than 8): TLSA "3 1 1 <sha256>" at _25._tcp.mx.<domain>
        of 8 domains: 4 with that host alone, 2 with a second MX host
        mx-backup.<domain> (20) without TLSA, 2 in an insecure child zone
        (with --dnssec). No shared provider host has TLSA (it would count
        for every domain using it).
  DNSSEC (--dnssec only; RFC 4035): bench.test starts "; dnssec: sign" so
        the bed's Knot signs it (its DS goes to BED_TRUST_ANCHORS, test.
        staying unsigned), and 6 domains a block become unsigned zones of
        their own (OUTDIR/zones/<domain>.zone, delegated with NS in
        bench.test): the 2 DANE ones above and 2 more without DS (insecure),
        2 with a DS in bench.test that matches no key (bogus: every answer
        in them fails validation). These 4 are drawn among the domains
        without an MX host of their own, so no TLSA question of theirs
        lands in a bogus zone (a bogus denial is DANE "unusable"). Why
        children and not presigned zones with broken signatures: a child
        is the only way to be insecure or bogus below a signed parent
        (the bed adds no DS to a parent, so a presigned child would be
        insecure), and one signed zone keeps the world one load for Knot.
        Knot signs bench.test at every start: about 10 s for 20,000
        domains, 50 s for 100,000 (doc/performance.md): raise
        BED_START_TIMEOUT.
        A world without --dnssec is unsigned everywhere and makes no
        child zones: posture finds no chain of trust to any answer (the
        bundled root anchor covers nothing the bed serves).
      Per 100 in a --dnssec world: dnssec secure 94, insecure 4, bogus 2;
      dane 4 dane, 2 partial, 2 unusable, 92 none. Without --dnssec:
      dnssec indeterminate 100; dane indeterminate 8 (TLSA waiting for a
      chain), none 92.
Provider records live in the same zone: _spf.mailer1.bench.test (3 nested
netblock records, 4 lookups), spf.protection.mailer2 (2), _spf.mailer3 (3
deep, 3), mail.mailer4 (ip only, 1), spf.mailer5 (a + mx, 3), _spf.mailer6
(a reseller including mailer4, 3); hosting1/hosting2 for redirect=; and the
broken targets _spf.gone1 (no such name), spf.legacy2 (TXT, not SPF),
_spf.senderid7 (only "v=spf2.0"), _spf.retired (no such name).

expected.csv: header
    domain,spf_status,spf_error,dmarc_status,dmarc_enforcement,mx,a,bimi_record,
    dkim_status,dkim_min_bits,dkim_selectors,dkim_revoked_only,
    mta_sts_status,mta_sts_mx_covered,tls_rpt_status,dnssec_status,dane_status
  (in one line; columns are only ever appended, so read them by name)
  spf_status        ok | none | permerror  (no temperror: every name is served)
  spf_error         for permerror, posture's finding code of the cause
                    (spf.include_no_record, spf.too_many_lookups,
                    spf.multiple_records, spf.redirect_no_record,
                    spf.void_lookups); empty otherwise
  dmarc_status      ok | none | invalid, as RFC 9989 reads it (posture's
                    top-level "status")
  dmarc_enforcement reject | quarantine | partial (t=y) | monitor (p=none) |
                    missing | invalid -- the RFC 9989 reading, which ignores
                    pct: "p=reject; pct=50" is reject. (RFC 7489 reads those
                    5% as partial; every other row reads the same under both,
                    since "test" is not in the PSL and bench.test, the PSL
                    organisational domain, publishes no DMARC record.)
  mx, a             1 when the domain has MX / A records at its apex, else 0
  bimi_record       1 when default._bimi.<domain> has a v=BIMI1 TXT record
  dkim_status       found (a usable key at one of DKIM_SCAN_SELECTORS) |
                    none_found
  dkim_min_bits     the smallest usable RSA key's bits; empty when no
                    usable RSA key (none, or ed25519 only)
  dkim_selectors    the selectors with a usable key, space-separated, in
                    DKIM_SCAN_SELECTORS order; revoked and sha1-only keys
                    do not count
  dkim_revoked_only 1 when the domain has key records and all are revoked
  mta_sts_status    enforce | testing | none | invalid | missing, as posture
                    reads it with the policy fetched (with --no-fetch a
                    valid record reads not_fetched: the enforce, testing,
                    none and unserved ones)
  mta_sts_mx_covered 1 every MX host matched by the policy, 0 one is not
                    (enforce and testing only); empty otherwise
  tls_rpt_status    ok | invalid | none
  dnssec_status     secure | insecure | bogus in a --dnssec world scanned
                    with --trust-anchor $BED_TRUST_ANCHORS; indeterminate
                    in a world without --dnssec (no trust anchor can be
                    given: the bed has no signed zone then)
  dane_status       dane | partial | unusable | none (--dnssec), or
                    indeterminate | none (without), as posture's
                    dane_check.h combines its MX hosts
The truth comes from what was generated: each domain's records are built
for its category, then a small SPF evaluator here (RFC 7208 4.6.4 counting:
include, a, mx, ptr, exists, redirect; voids from TXT of include/redirect
targets, A of a: targets, MX of mx: targets) recomputes the status from the
records and the generator stops if the two disagree. The DKIM columns are
read back the same way: the TXT records at each selector (a CNAME
followed), p= empty is revoked, h= without sha256 is not usable, RSA bits
from the key's DER, and compared with the category's. The transport
columns too: the _mta-sts records and the policy served (RFC 8461 3.1
record, 4.1 mx patterns), the _smtp._tls records, the zone each MX host's
TLSA lives in and whether it is signed.

Query mix (--query-mix): per domain, in the order posture asks them: TXT of
the domain and of every include/redirect target in the SPF tree, A and AAAA
of a: targets, MX of mx: targets then A and AAAA of each MX host; TXT
_dmarc.<domain>, _dmarc.bench.test, _dmarc.test (the RFC 9989 walk; the RFC
7489 reading asks nothing new); TXT default._bimi.<domain> (and
default._bimi.bench.test, the organisational-domain fallback, when absent);
MX, A, AAAA of the domain; TXT <s>._domainkey.<domain> for each selector
s of DKIM_SCAN_SELECTORS (posture's scan list). The CNAME's target is not
listed: Knot answers the CNAME with the target's TXT in the same reply.
A name asked before in the run is not listed again (the scan's shared
cache), so provider records appear once. The transport checks' questions
are not listed: the mix is for dnsperf against scans of spf, dmarc, bimi,
mx and dkim (scripts/bench.sh); dnssec and dane ask through getdns, which
adds the DS and DNSKEY chain, and make bench-transport measures all four
with paired scans instead.

Python 3 standard library only; run with /usr/bin/python3.
"""
import argparse
import array
import base64
import bisect
import csv
import functools
import io
import multiprocessing
import os
import random
import re
import shutil
import sys
import time

ZONE = "bench.test"
BLOCK = 100
TTL = 3600
# A name's records, in this order (NS and DS: a --dnssec world's delegations).
ZONE_TYPES = ("TXT", "MX", "A", "AAAA", "CNAME", "TLSA", "NS", "DS")

SPF_MIX = [("include", 40), ("ip", 20), ("own", 18), ("none", 8), ("redirect", 6),
           ("include_no_record", 3), ("too_many", 2), ("multiple", 1),
           ("redirect_no_record", 1), ("void", 1)]
DMARC_MIX = [("monitor", 45), ("quarantine", 15), ("reject", 15), ("pct", 5),
             ("testing", 2), ("two", 3), ("absent", 15)]
MX_PER_BLOCK = 90
A_PER_BLOCK = 95
BIMI_PER_BLOCK = 2
# DKIM key records (RFC 6376 3.6.1), drawn per block from a generator of
# their own, so every other record and draw is what it was before DKIM.
DKIM_MIX = [("google", 40), ("selector1", 15), ("k1", 10), ("google_k1", 3),
            ("revoked", 5), ("ed25519", 2), ("sha1", 2), ("none", 23)]
# Transport (issue 24), drawn per block from a third generator,
# "<seed>/block/<b>/transport", so every other draw is what it was.
# MTA-STS over the block's 90 domains with MX (those without get none):
STS_MIX = [("enforce", 6), ("enforce_gap", 2), ("testing", 3), ("mode_none", 1),
           ("bad_id", 1), ("two_records", 1), ("no_policy", 1), ("missing", 75)]
# TLS-RPT over all 100:
TLSRPT_MIX = [("ok", 12), ("bad_rua", 2), ("two_records", 1), ("none", 85)]
# DANE, among the domains whose one MX host is their own mx.<domain> (a
# TLSA record at a shared provider's host would count for every domain
# using it); "tlsa_insecure" domains also live in an unsigned child zone
# in a --dnssec world.
DANE_MIX = [("dane", 4), ("partial", 2), ("tlsa_insecure", 2)]
# Child zones of a --dnssec world, among the domains without an MX host
# of their own (so their TLSA questions stay in bench.test): besides the
# 2 tlsa_insecure domains, 2 more insecure (no DS) and 2 bogus (a DS in
# bench.test that matches no key of the unsigned child).
CHILD_MIX = [("insecure", 2), ("bogus", 2)]
for _mix in (SPF_MIX, DMARC_MIX, DKIM_MIX, TLSRPT_MIX):
    assert sum(n for _, n in _mix) == BLOCK
assert sum(n for _, n in STS_MIX) == MX_PER_BLOCK
# The categories' expected outcome, as expected.csv writes it: MTA-STS
# (status, mx_covered), TLS-RPT status.
STS_EXPECT = {
    "enforce": ("enforce", "1"), "enforce_gap": ("enforce", "0"),
    "testing": ("testing", "1"), "mode_none": ("none", ""),
    "bad_id": ("invalid", ""), "two_records": ("invalid", ""),
    "no_policy": ("invalid", ""),  # RFC 8461 3.3: no policy fetched is no policy
    "missing": ("missing", ""),
}
TLSRPT_EXPECT = {"ok": "ok", "bad_rua": "invalid", "two_records": "invalid", "none": "none"}
# (dnssec_status, dane_status) by (DNSSEC category, DANE category), in a
# --dnssec world scanned with the bed's trust anchors; in an unsigned
# world no chain of trust exists: dnssec indeterminate, and DANE
# indeterminate wherever a TLSA record waits for one.
SEC_EXPECT = {
    ("secure", "none"): ("secure", "none"), ("secure", "dane"): ("secure", "dane"),
    ("secure", "partial"): ("secure", "partial"),
    ("insecure", "tlsa_insecure"): ("insecure", "unusable"),
    ("insecure", "none"): ("insecure", "none"), ("bogus", "none"): ("bogus", "none"),
}
UNSIGNED_EXPECT = {"none": ("indeterminate", "none"), "dane": ("indeterminate", "indeterminate"),
                   "partial": ("indeterminate", "indeterminate"),
                   "tlsa_insecure": ("indeterminate", "indeterminate")}

# The selectors a scan probes, in the order it asks them. Must equal
# posture's default probe list for scans (issue 21): the query mix and
# expected.csv's dkim_selectors are read against it.
DKIM_SCAN_SELECTORS = ["google", "selector1", "k1", "s1", "default", "dkim"]
DKIM_QUERIES = "".join("%s._domainkey.%%(d)s TXT\n" % s for s in DKIM_SCAN_SELECTORS)
# selector1 is a CNAME to the mail provider, as Microsoft 365 publishes it.
DKIM_CNAME_HOST = "_domainkey.mailer2.bench.test"
# The categories' expected DKIM outcome: (status, min_bits, selectors,
# revoked_only), as expected.csv writes them.
DKIM_EXPECT = {
    "google": ("found", "2048", "google", 0),
    "selector1": ("found", "2048", "selector1", 0),
    "k1": ("found", "1024", "k1", 0),
    "google_k1": ("found", "1024", "google k1", 0),
    "revoked": ("none_found", "", "", 1),
    "ed25519": ("found", "", "default", 0),
    "sha1": ("none_found", "", "", 0),  # RFC 8301 3.1: sha1 must not verify
    "none": ("none_found", "", "", 0),
}

# The categories' expected SPF outcome: (status, error code).
SPF_EXPECT = {
    "include": ("ok", ""), "ip": ("ok", ""), "own": ("ok", ""),
    "redirect": ("ok", ""), "none": ("none", ""),
    "include_no_record": ("permerror", "spf.include_no_record"),
    "too_many": ("permerror", "spf.too_many_lookups"),
    "multiple": ("permerror", "spf.multiple_records"),
    "redirect_no_record": ("permerror", "spf.redirect_no_record"),
    "void": ("permerror", "spf.void_lookups"),
}


def fq(rel):
    """Relative owner name -> fully qualified, without the final dot."""
    return "%s.%s" % (rel, ZONE)


def net(rng, prefixes=(24, 24, 24, 28, 32)):
    """An ip4: range in 198.18.0.0/15 (RFC 2544: benchmarking)."""
    p = rng.choice(prefixes)
    a = (198 << 24) | (18 << 16) | rng.getrandbits(17)
    a &= (0xFFFFFFFF << (32 - p)) & 0xFFFFFFFF
    ip = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
    return "ip4:%s" % ip if p == 32 else "ip4:%s/%d" % (ip, p)


def addr(rng):
    r = rng.getrandbits(17)
    return "198.%d.%d.%d" % (18 + (r >> 16), (r >> 8) & 255, 1 + (r & 255) % 254)


def addr6(rng):
    r = rng.getrandbits(48)
    return "2001:db8:%x:%x::%x" % (r >> 32, (r >> 16) & 0xFFFF, 1 + (r & 0xFFFF) % 0xFFFF)


# --- the shared providers -----------------------------------------------------

def providers():
    """{fq name: {type: [rdata]}} of the provider names, fixed (seed 0)."""
    rng = random.Random("providers")
    w = {}

    def add(rel, typ, data):
        w.setdefault(fq(rel), {}).setdefault(typ, []).append(data)

    def ips(k):
        return " ".join(net(rng, (16, 19, 20, 22, 24)) for _ in range(k))

    # mailer1: a large provider, one record per netblock (cost 1 + 3).
    add("_spf.mailer1", "TXT", "v=spf1 include:_netblocks.mailer1.bench.test "
        "include:_netblocks2.mailer1.bench.test include:_netblocks3.mailer1.bench.test ~all")
    add("_netblocks.mailer1", "TXT", "v=spf1 %s ~all" % ips(10))
    add("_netblocks2.mailer1", "TXT", "v=spf1 ip6:2001:db8:4860::/48 ip6:2001:db8:4864::/48 ~all")
    add("_netblocks3.mailer1", "TXT", "v=spf1 %s ~all" % ips(6))
    # mailer2: a provider with its own ranges plus one more record (cost 1 + 1).
    add("spf.protection.mailer2", "TXT",
        "v=spf1 %s include:spfd.protection.mailer2.bench.test -all" % ips(4))
    add("spfd.protection.mailer2", "TXT", "v=spf1 %s ip6:2001:db8:a000::/40 -all" % ips(3))
    # mailer3: three deep (cost 1 + 1 + 1).
    add("_spf.mailer3", "TXT", "v=spf1 include:_s1.mailer3.bench.test ~all")
    add("_s1.mailer3", "TXT", "v=spf1 %s include:_s2.mailer3.bench.test ~all" % ips(2))
    add("_s2.mailer3", "TXT", "v=spf1 %s ~all" % ips(3))
    # mailer4: addresses only (cost 1).
    add("mail.mailer4", "TXT", "v=spf1 %s ip6:2001:db8:b400::/40 -all" % ips(5))
    # mailer5: a and mx terms (cost 1 + 2), so the tree asks A/AAAA and MX.
    add("spf.mailer5", "TXT", "v=spf1 a:smtp.mailer5.bench.test mx:mailer5.bench.test %s ~all"
        % ips(1))
    add("smtp.mailer5", "A", "198.18.55.10")
    add("smtp.mailer5", "AAAA", "2001:db8:55::10")
    add("mailer5", "MX", "10 mx1.mailer5.bench.test.")
    add("mailer5", "MX", "20 mx2.mailer5.bench.test.")
    add("mx1.mailer5", "A", "198.18.55.21")
    add("mx2.mailer5", "A", "198.18.55.22")
    # mailer6: a reseller that includes mailer4 (cost 1 + 1 + 1).
    add("_spf.mailer6", "TXT", "v=spf1 include:mail.mailer4.bench.test "
        "include:_ip.mailer6.bench.test ~all")
    add("_ip.mailer6", "TXT", "v=spf1 %s -all" % ips(2))
    # Hosting providers that domains redirect= to (cost 1 + 1, 1 + 2).
    add("_spf.hosting1", "TXT", "v=spf1 %s a:relay.hosting1.bench.test -all" % ips(3))
    add("relay.hosting1", "A", "198.19.1.25")
    add("_spf.hosting2", "TXT", "v=spf1 include:spf.protection.mailer2.bench.test -all")
    # Broken include/redirect targets: _spf.gone1 and _spf.retired do not
    # exist at all; these exist without an SPF record.
    add("spf.legacy2", "TXT", "legacy2 mail relay: see https://legacy2.example/")
    add("_spf.senderid7", "TXT", "v=spf2.0/pra %s ~all" % ips(2))
    # Shared MX hosts.
    for p in ("mailer1", "mailer2", "mailer3"):
        for k in (1, 2):
            add("mx%d.%s" % (k, p), "A", addr(rng))
        add("mx1.%s" % p, "AAAA", addr6(rng))
    return w


PROVIDERS = providers()


def fixture_key(name):
    """A key of tests/fixtures/dkim/ (base64 DER SubjectPublicKeyInfo)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests",
                        "fixtures", "dkim", name)
    with open(path) as f:
        return f.read().strip()


def raw_ed25519(spki_b64):
    """RFC 8463 3: an ed25519 p= is the raw 32-byte key, not the 44-byte
    SubjectPublicKeyInfo (RFC 8410: a fixed 12-byte prefix, then the key)."""
    der = base64.b64decode(spki_b64)
    assert len(der) == 44 and der[:12].hex() == "302a300506032b6570032100"
    return base64.b64encode(der[12:]).decode()


DKIM_RSA2048 = fixture_key("rsa2048.b64")
DKIM_RSA1024 = fixture_key("rsa1024.b64")
DKIM_ED25519 = raw_ed25519(fixture_key("ed25519-spki.b64"))
# The key records, one string each for all domains (dkim_key's cache and
# txt_rdata's are keyed on them).
DKIM_REC = {
    "rsa2048": "v=DKIM1; k=rsa; p=" + DKIM_RSA2048,
    "rsa1024": "v=DKIM1; k=rsa; p=" + DKIM_RSA1024,
    "revoked": "v=DKIM1; p=",  # RFC 6376 3.6.1: an empty p= is a revoked key
    "ed25519": "v=DKIM1; k=ed25519; p=" + DKIM_ED25519,
    "sha1": "v=DKIM1; h=sha1; p=" + DKIM_RSA2048,
}

OK_INCLUDES = [  # (target, popularity weight)
    ("_spf.mailer1.bench.test", 35), ("spf.protection.mailer2.bench.test", 25),
    ("_spf.mailer3.bench.test", 10), ("mail.mailer4.bench.test", 10),
    ("spf.mailer5.bench.test", 10), ("_spf.mailer6.bench.test", 10),
]
NO_RECORD_INCLUDES = ["_spf.gone1.bench.test", "spf.legacy2.bench.test",
                      "_spf.senderid7.bench.test"]
REDIRECTS = ["_spf.hosting1.bench.test", "_spf.hosting2.bench.test"]
MX_SETS = {
    "mailer1": ["10 mx1.mailer1.bench.test.", "20 mx2.mailer1.bench.test."],
    "mailer2": ["0 mx1.mailer2.bench.test."],
    "mailer3": ["10 mx1.mailer3.bench.test.", "10 mx2.mailer3.bench.test."],
}
SYLLABLES = ["ka", "ki", "ko", "ta", "to", "mi", "ra", "ri", "no", "na", "su", "sa",
             "ya", "yu", "ne", "mo", "ku", "ha", "he", "shi", "chi", "fu", "se", "wa"]


# --- one domain ---------------------------------------------------------------

class Domain:
    """One generated domain: its names' records and its expected row."""

    def __init__(self, index, seed, spf_cat, dmarc_cat, has_mx, has_a, has_bimi, dkim_cat):
        rng = random.Random("%s/domain/%d" % (seed, index))
        self.rng = rng
        self.index, self.seed = index, seed
        self.own_mx = False  # the one MX host is mx.<domain>
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        self.label = "%s%d" % (word, index)
        self.name = fq(self.label)
        self.names = {}  # fq name -> {type: [rdata]}
        self._spf = None
        self.spf_cat, self.dmarc_cat = spf_cat, dmarc_cat
        if has_a:
            self.add(self.name, "A", addr(rng))
            if rng.random() < 0.4:
                self.add(self.name, "AAAA", addr6(rng))
        if has_mx:
            choice = rng.random()
            if choice < 0.6:
                for mx in MX_SETS[rng.choice(sorted(MX_SETS))]:
                    self.add(self.name, "MX", mx)
            else:
                self.add(self.name, "MX", "10 mx.%s." % self.name)
                self.add("mx." + self.name, "A", addr(rng))
                self.own_mx = True
        self.has_mx, self.has_a = has_mx, has_a
        if rng.random() < 0.3 and spf_cat != "none":
            self.add(self.name, "TXT", self.token())
        self.spf(spf_cat)
        self.dmarc(dmarc_cat)
        if has_bimi:
            logo = "https://%s/brand/logo.svg" % self.name
            rec = "v=BIMI1; l=%s;" % logo
            if rng.random() < 0.5:
                rec += " a=https://%s/brand/vmc.pem" % self.name
            self.add("default._bimi." + self.name, "TXT", rec)
        self.has_bimi = has_bimi
        # Last, and from no generator: the names before are what they were
        # before DKIM, byte for byte.
        self.dkim_cat = dkim_cat
        self.dkim(dkim_cat)
        self.rank = None  # among the domains with one DMARC record (domains())
        # Transport (issue 24): set by transport(), called by domains().
        self.sts_cat, self.rpt_cat, self.sec_cat, self.dane_cat = (
            "missing", "none", "secure", "none")
        self.signed = False  # the world is --dnssec: child zones exist
        self.ds = None  # a bogus child's DS rdata in bench.test
        self.policy_host = self.policy = None  # MTA-STS: host, text (None: 404)

    def change_dmarc(self, times):
        """Night K's change (see the header), the domain drawn `times` times."""
        recs = self.names["_dmarc." + self.name]["TXT"]
        assert len(recs) == 1 and recs[0].startswith("v=DMARC1;")
        recs[0] += "; ri=%d" % (86400 + times)

    def add(self, name, typ, data):
        assert typ in ZONE_TYPES
        self.names.setdefault(name, {}).setdefault(typ, []).append(data)

    def token(self):
        rng = self.rng
        kind = rng.choice(("google-site-verification=", "MS=ms", "apple-domain-verification=",
                           "facebook-domain-verification="))
        n = rng.randint(20, 43)
        return kind + "%0*x" % (n, rng.getrandbits(4 * n))

    def all_term(self, plus_ok=False):
        r = self.rng.random()
        if plus_ok and r < 0.03:
            return "+all"
        return "-all" if r < 0.55 else "~all" if r < 0.95 else "?all"

    def ips(self, lo, hi):
        return [net(self.rng) for _ in range(self.rng.randint(lo, hi))]

    def spf(self, cat):
        rng, d = self.rng, self.name
        terms = []
        if cat == "include":
            k = 1 if rng.random() < 0.6 else 2
            chosen = []
            while len(chosen) < k:
                t = rng.choices([t for t, _ in OK_INCLUDES], [w for _, w in OK_INCLUDES])[0]
                if t not in chosen:
                    chosen.append(t)
            if self.has_mx and rng.random() < 0.2:
                terms.append("mx")
            if self.has_a and rng.random() < 0.2:
                terms.append("a")
            terms += self.ips(0, 2) if rng.random() < 0.5 else []
            terms += ["include:" + t for t in chosen]
            terms.append(self.all_term())
        elif cat == "ip":
            terms += self.ips(1, 24)
            if rng.random() < 0.3:
                terms.append("ip6:2001:db8:%x::/48" % rng.randrange(65536))
            terms.append(self.all_term(plus_ok=True))
        elif cat == "own":
            if self.has_mx:
                terms.append("mx")
            if self.has_a:
                terms.append("a")
            if not terms or rng.random() < 0.3:
                self.add("relay." + d, "A", addr(rng))
                terms.append("a:relay." + d)
            terms += self.ips(0, 3)
            terms.append(self.all_term())
        elif cat == "none":
            if rng.random() < 0.5:
                self.add(d, "TXT", self.token())
            return
        elif cat == "redirect":
            terms += self.ips(0, 2)
            terms.append("redirect=" + rng.choice(REDIRECTS))
        elif cat == "include_no_record":
            if rng.random() < 0.5:
                terms.append("include:" + rng.choice(OK_INCLUDES[:2])[0])
            terms.append("include:" + rng.choice(NO_RECORD_INCLUDES))
            terms += self.ips(0, 2)
            terms.append(self.all_term())
        elif cat == "too_many":
            # Providers in a random order until the tree needs more than 10.
            order = [t for t, _ in OK_INCLUDES]
            rng.shuffle(order)
            cost = 0
            for t in order:
                terms.append("include:" + t)
                cost += spf_cost(t)
                if cost > 10:
                    break
            terms.append(self.all_term())
        elif cat == "multiple":
            # The usual mistake: a second record added instead of merging.
            self.add(d, "TXT", "v=spf1 include:%s %s" % (rng.choice(OK_INCLUDES)[0],
                                                         self.all_term()))
            terms += self.ips(1, 3) + ["~all"]
        elif cat == "redirect_no_record":
            terms.append("redirect=_spf.retired.bench.test")
        elif cat == "void":
            terms += ["a:old%d.%s" % (k, d) for k in (1, 2, 3)]
            terms += self.ips(1, 2) + [self.all_term()]
        else:
            raise AssertionError(cat)
        self.add(d, "TXT", " ".join(["v=spf1"] + terms))

    def dmarc(self, cat):
        rng, d = self.rng, self.name
        at = "_dmarc." + d
        if cat == "absent":
            if rng.random() < 2 / 15:
                self.add(at, "TXT", rng.choice(("v=spf1 -all", "dmarc-not-yet")))
            return
        if cat == "two":
            self.add(at, "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@%s" % d)
            self.add(at, "TXT", "v=DMARC1; p=%s" % rng.choice(("quarantine", "reject")))
            return
        p = {"monitor": "none", "quarantine": "quarantine", "reject": "reject"}.get(
            cat) or rng.choice(("quarantine", "reject"))
        tags = ["v=DMARC1", "p=" + p]
        if cat == "pct":
            tags.append("pct=%d" % rng.choice((10, 20, 25, 50, 75, 90)))
        elif cat == "testing":
            tags.append("t=y")
        elif p != "none" and rng.random() < 0.1:
            tags.append("pct=100")
        if p != "none" and rng.random() < 0.15:
            tags.append("sp=" + rng.choice(("none", "quarantine", "reject")))
        r = rng.random()
        if r < 0.45:
            tags.append("rua=mailto:dmarc@%s" % d)
        elif r < 0.75:
            tags.append("rua=mailto:%s@rua.reportvendor.bench.test" % self.label)
        if rng.random() < 0.2:
            tags.append("adkim=s; aspf=s")
        if rng.random() < 0.1:
            tags.append("fo=1")
        self.add(at, "TXT", "; ".join(tags))

    def dkim(self, cat):
        d = self.name

        def key(sel, rec):
            self.add("%s._domainkey.%s" % (sel, d), "TXT", DKIM_REC[rec])
        if cat in ("google", "google_k1"):
            key("google", "rsa2048")
        if cat in ("k1", "google_k1"):
            key("k1", "rsa1024")
        if cat == "selector1":
            # One key at the provider per domain, as Microsoft 365 does.
            target = "selector1-%s.%s" % (self.label, DKIM_CNAME_HOST)
            self.add("selector1._domainkey." + d, "CNAME", target + ".")
            self.add(target, "TXT", DKIM_REC["rsa2048"])
        elif cat in ("revoked", "ed25519"):
            key("default", cat)
        elif cat == "sha1":
            key("google", "sha1")
        else:
            assert cat in ("google", "k1", "google_k1", "none"), cat

    # --- transport (issue 24) ---------------------------------------------

    def transport(self, sts, rpt, sec, dane, signed):
        """The MTA-STS, TLS-RPT, TLSA and DNSSEC records, added after every
        other: the names before are what they were, except that a
        "partial" DANE domain gains a second MX host, mx-backup.<domain>.
        Details come from a generator of the domain's own,
        "<seed>/domain/<i>/transport"."""
        self.sts_cat, self.rpt_cat, self.sec_cat, self.dane_cat = sts, rpt, sec, dane
        self.signed = signed
        if (sts, rpt, sec, dane) == ("missing", "none", "secure", "none"):
            return
        rng = random.Random("%s/domain/%d/transport" % (self.seed, self.index))
        d = self.name
        if dane != "none":
            assert self.own_mx, d
            if dane == "partial":
                # RFC 7672 2.2.1: a second host without TLSA.
                self.add(d, "MX", "20 mx-backup.%s." % d)
                self.add("mx-backup." + d, "A", addr(rng))
            # RFC 7672 3.1.1: DANE-EE(3) SPKI(1) SHA-256(1).
            self.add("_25._tcp.mx." + d, "TLSA", "3 1 1 %064x" % rng.getrandbits(256))
        if sec == "bogus":
            # RFC 4035 5.2: a DS (ECDSA P-256, SHA-256) that no key matches:
            # the child is unsigned, so every answer in it is bogus.
            self.ds = "%d 13 2 %064x" % (rng.randrange(1, 65536), rng.getrandbits(256))
        if sts != "missing":
            self.mta_sts(sts, rng)
        if rpt != "none":
            self.tls_rpt(rpt, rng)

    def mx_hosts(self):
        return [mx.split()[1].rstrip(".") for mx in self.lookup(self.name, "MX") or []]

    def mta_sts(self, cat, rng):
        """RFC 8461 3.1 record at _mta-sts, and 3.2 policy for the HTTPS
        server (its host gets A 127.0.0.1: the bed serves it)."""
        d = self.name
        at = "_mta-sts." + d
        ident = "%d%02d%02dT%06d" % (rng.choice((2025, 2026)), rng.randint(1, 12),
                                     rng.randint(1, 28), rng.randrange(10 ** 6))
        if cat == "bad_id":
            # RFC 8461 3.1: id is 1 to 32 letters and digits.
            self.add(at, "TXT", "v=STSv1; id=%s-%s;" % (ident[:8], ident[9:]))
            return
        if cat == "two_records":
            # RFC 8461 3.1: more than one record, no policy.
            self.add(at, "TXT", "v=STSv1; id=%sa;" % ident)
            self.add(at, "TXT", "v=STSv1; id=%sb;" % ident)
            return
        self.add(at, "TXT", "v=STSv1; id=%s;" % ident if rng.random() < 0.7 else
                 "v=STSv1; id=%s" % ident)
        self.policy_host = "mta-sts." + d
        self.add(self.policy_host, "A", "127.0.0.1")
        if cat == "no_policy":
            return  # the server has no file: 404
        hosts = self.mx_hosts()
        if cat == "enforce_gap":
            # The last MX host left out (a single host: a pattern for a
            # host that is gone).
            pats = hosts[:-1] or ["old-mx." + d]
        else:
            pats = []
            for h in hosts:
                p = h if rng.random() < 0.5 else "*." + h.split(".", 1)[1]
                if p not in pats:
                    pats.append(p)
        mode = {"enforce": "enforce", "enforce_gap": "enforce", "testing": "testing",
                "mode_none": "none"}[cat]
        eol = "\r\n" if rng.random() < 0.5 else "\n"  # RFC 8461 3.2: either
        lines = ["version: STSv1", "mode: " + mode] + ["mx: " + p for p in pats]
        lines.append("max_age: %d" % rng.choice((86400, 604800, 1209600, 31557600)))
        self.policy = eol.join(lines) + eol

    def tls_rpt(self, cat, rng):
        """RFC 8460 3 record at _smtp._tls."""
        d, at = self.name, "_smtp._tls." + self.name
        if cat == "ok":
            r = rng.random()
            rua = ("mailto:tlsrpt@%s" % d if r < 0.5 else
                   "https://tlsrpt.reportvendor.bench.test/v1/%s" % self.label if r < 0.75
                   else "mailto:tlsrpt@%s,https://tlsrpt.reportvendor.bench.test/v1/%s"
                   % (d, self.label))
            self.add(at, "TXT", "v=TLSRPTv1; rua=" + rua)
        elif cat == "bad_rua":
            # RFC 8460 3: only mailto: and https: URIs.
            self.add(at, "TXT", "v=TLSRPTv1; rua=ftp://tlsrpt.%s/reports" % d)
        elif cat == "two_records":
            self.add(at, "TXT", "v=TLSRPTv1; rua=mailto:tlsrpt@%s" % d)
            self.add(at, "TXT", "v=TLSRPTv1; rua=mailto:tls-reports@%s" % d)
        else:
            raise AssertionError(cat)

    def child(self):
        """True when the domain is a zone of its own (a --dnssec world)."""
        return self.signed and self.sec_cat != "secure"

    # --- the truth --------------------------------------------------------

    def lookup(self, name, typ):
        """Records at name (list), [] for no data, None for no such name."""
        rr = self.names.get(name)
        if rr is None:
            rr = PROVIDERS.get(name)
        if rr is None:
            return None
        return rr.get(typ, [])

    def spf_walk(self):
        """((status, error code), questions) of this domain's SPF, once."""
        if self._spf is None:
            w = SpfWalk(self.lookup)
            self._spf = (w.result(self.name), w.queries)
        return self._spf

    def expected(self):
        st, err = SPF_EXPECT[self.spf_cat]
        got = self.spf_walk()[0]
        if got != (st, err):
            raise SystemExit("gen-world: %s (%s): records give SPF %s, category says %s"
                             % (self.name, self.spf_cat, got, (st, err)))
        dm = [t for t in self.lookup("_dmarc." + self.name, "TXT") or []
              if t.startswith("v=DMARC1")]
        if not dm:
            dst, enf = "none", "missing"
        elif len(dm) > 1:
            dst, enf = "invalid", "invalid"
        else:
            tags = dict(t.split("=", 1) for t in dm[0].split("; "))
            dst = "ok"
            # RFC 9989: pct is gone; t=y is one step less.
            enf = ("monitor" if tags["p"] == "none" else
                   "partial" if tags.get("t") == "y" else tags["p"])
        bimi = any(t.startswith("v=BIMI1") for t in
                   self.lookup("default._bimi." + self.name, "TXT") or [])
        dkim = self.dkim_truth()
        if dkim != DKIM_EXPECT[self.dkim_cat]:
            raise SystemExit("gen-world: %s (%s): records give DKIM %s, category says %s"
                             % (self.name, self.dkim_cat, dkim, DKIM_EXPECT[self.dkim_cat]))
        sts, rpt, sec = self.sts_truth(), self.tls_rpt_truth(), self.sec_truth()
        want = (STS_EXPECT[self.sts_cat], TLSRPT_EXPECT[self.rpt_cat],
                SEC_EXPECT[(self.sec_cat, self.dane_cat)] if self.signed else
                UNSIGNED_EXPECT[self.dane_cat])
        if (sts, rpt, sec) != want:
            raise SystemExit("gen-world: %s (%s %s %s %s): records give %s, categories say %s"
                             % (self.name, self.sts_cat, self.rpt_cat, self.sec_cat,
                                self.dane_cat, (sts, rpt, sec), want))
        return [self.name, st, err, dst, enf, int(bool(self.lookup(self.name, "MX"))),
                int(bool(self.lookup(self.name, "A"))), int(bimi)] + list(dkim) + [
                    sts[0], sts[1], rpt, sec[0], sec[1]]

    def sts_truth(self):
        """(status, mx_covered) read back from the _mta-sts records and the
        policy served: RFC 8461 3.1 (one record, id of 1 to 32 letters and
        digits), 3.3 (no policy file: no policy), 4.1 (mx patterns: the
        name, or "*." and one more label)."""
        recs = [t for t in self.lookup("_mta-sts." + self.name, "TXT") or []
                if t == "v=STSv1" or t.startswith("v=STSv1;")]
        if not recs:
            return ("missing", "")
        fields = dict(f.strip().split("=", 1) for f in recs[0].split(";") if f.strip())
        if len(recs) > 1 or not re.fullmatch(r"[A-Za-z0-9]{1,32}", fields.get("id", "")):
            return ("invalid", "")
        if self.policy is None:
            return ("invalid", "")
        pol = {}
        for line in self.policy.replace("\r\n", "\n").split("\n"):
            if line:
                k, _, v = line.partition(": ")
                pol.setdefault(k, []).append(v)
        mode = pol["mode"][0]
        if mode == "none":
            return ("none", "")

        def covered(h):
            return any(p == h or (p.startswith("*.") and h.split(".", 1)[1] == p[2:])
                       for p in pol["mx"])
        return (mode, "1" if all(covered(h) for h in self.mx_hosts()) else "0")

    def tls_rpt_truth(self):
        """RFC 8460 3: one v=TLSRPTv1 record whose rua URIs are mailto: or
        https: is ok."""
        recs = [t for t in self.lookup("_smtp._tls." + self.name, "TXT") or []
                if t.startswith("v=TLSRPTv1;")]
        if not recs:
            return "none"
        rua = recs[0].split("rua=", 1)[1].split(",")
        ok = len(recs) == 1 and all(u.startswith(("mailto:", "https://")) for u in rua)
        return "ok" if ok else "invalid"

    def sec_truth(self):
        """(dnssec_status, dane_status) from where the records live: in
        bench.test (signed in a --dnssec world: secure), in a child zone
        without DS (insecure) or with one that matches no key (bogus), or
        in an unsigned world (no chain: indeterminate); DANE per MX host
        as RFC 7672 2.2 and posture's dane_check.h judge it."""
        if not self.signed:
            zone = "indeterminate"
        else:
            zone = "bogus" if self.ds else "insecure" if self.child() else "secure"
        hosts = []
        for h in self.mx_hosts():
            own = h == self.name or h.endswith("." + self.name)
            z = zone if own else "secure" if self.signed else "indeterminate"
            tlsa = bool(self.names.get("_25._tcp." + h, {}).get("TLSA"))
            if tlsa:
                hosts.append({"secure": "usable", "insecure": "unusable", "bogus": "unusable",
                              "indeterminate": "open"}[z])
            else:
                hosts.append("unusable" if z == "bogus" else "none")
        # dane_combine (scanner/scan/dane_check.c).
        if hosts and all(h == "usable" for h in hosts):
            dane = "dane"
        elif "usable" in hosts and ("unusable" in hosts or "none" in hosts):
            dane = "partial"
        elif "open" in hosts:
            dane = "indeterminate"
        else:
            dane = "unusable" if "unusable" in hosts else "none"
        return (zone, dane)

    def dkim_truth(self):
        """(status, min_bits, selectors, revoked_only) read back from the
        key records at the scan's selectors, a CNAME followed."""
        usable, bits, revoked, keys = [], [], 0, 0
        # The names at and below the domain, and a CNAME's target at the
        # provider, are this domain's own (self.names): no provider holds
        # them.
        names, under = self.names, "._domainkey." + self.name
        for sel in DKIM_SCAN_SELECTORS:
            rr = names.get(sel + under)
            if rr is None:
                continue
            for target in rr.get("CNAME", ()):
                rr = names.get(target.rstrip("."), {})
            for rec in rr.get("TXT", ()):
                kind, size = dkim_key(rec)
                if kind is None:
                    continue
                keys += 1
                revoked += kind == "revoked"
                if kind in ("rsa", "ed25519"):
                    if sel not in usable:
                        usable.append(sel)
                    if size is not None:
                        bits.append(size)
        return ("found" if usable else "none_found", str(min(bits)) if bits else "",
                " ".join(usable), int(keys > 0 and revoked == keys))

    def queries(self):
        """The questions a scan of this domain sends, in order, each once."""
        out = list(self.spf_walk()[1])
        d = self.name
        out += [("_dmarc." + d, "TXT"), ("_dmarc." + ZONE, "TXT"), ("_dmarc.test", "TXT")]
        if len(self.lookup("_dmarc." + d, "TXT") or []) > 1:
            out = out[:-2]  # two records: the walk stops there
        out.append(("default._bimi." + d, "TXT"))
        if not self.has_bimi:
            out.append(("default._bimi." + ZONE, "TXT"))
        out += [(d, "MX"), (d, "A"), (d, "AAAA")]
        return list(dict.fromkeys(out))

    def dkim_queries(self):
        """The DKIM questions, asked after queries(), as query-mix lines:
        every selector in one round, none asked before (all are below the
        domain). A CNAME's target is in the answer (Knot adds it), so it
        is not asked again."""
        return DKIM_QUERIES % {"d": self.name}

    def zone_lines(self):
        """The domain's lines of bench.test.zone; for a child zone
        (child()), the names at and below the domain go to
        self.child_lines instead, and bench.test gets the delegation (NS,
        and the DS of a bogus child)."""
        lines = []
        cut = -len(ZONE) - 1
        child, under = self.child(), "." + self.name
        self.child_lines = []
        for name, rr in self.names.items():
            out = lines
            rel = name[:cut]
            if child and (name == self.name or name.endswith(under)):
                out = self.child_lines
                rel = name[:-len(under)] or "@"
            # Types in ZONE_TYPES order; most names hold one type.
            for typ, recs in rr.items() if len(rr) == 1 else (
                    (t, rr[t]) for t in ZONE_TYPES if t in rr):
                if typ == "TXT":
                    out += ["%s TXT %s\n" % (rel, txt_rdata(data)) for data in recs]
                else:
                    out += ["%s %s %s\n" % (rel, typ, data) for data in recs]
        if child:
            lines.append("%s NS ns\n" % self.label)
            if self.ds:
                lines.append("%s DS %s\n" % (self.label, self.ds))
        return lines

    def child_zone(self):
        """The text of the domain's own zone (after zone_lines)."""
        what = ("bogus: bench.test holds a DS for it that matches no key"
                if self.ds else "insecure: delegated without DS")
        return ("; %s -- a child zone of bench.test (gen-world.py --dnssec), unsigned; %s\n"
                "$ORIGIN %s.\n$TTL %d\n@ SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 "
                "86400 300\n@ NS ns.bench.test.\n" % (self.name, what, self.name, TTL)
                + "".join(self.child_lines))


def txt_rdata(text):
    """Zone-file TXT rdata: character-strings of at most 255 bytes."""
    if len(text) <= 255:
        assert '"' not in text and "\\" not in text
        return '"%s"' % text
    done = LONG_RDATA.get(text)
    if done is None:
        assert '"' not in text and "\\" not in text
        done = " ".join('"%s"' % text[i:i + 255] for i in range(0, len(text), 255))
    return done


# The DKIM key records' rdata, split once: every domain's key records are
# the same few strings.
LONG_RDATA = {}
LONG_RDATA.update((t, txt_rdata(t)) for t in DKIM_REC.values())


@functools.lru_cache(maxsize=64)
def dkim_key(text):
    """What a TXT record at a selector is (RFC 6376 3.6.1): (None, None) for
    no key record, ("revoked", None) for an empty p=, ("unusable", None)
    for a key no verifier may use (RFC 8301 3.1: h= without sha256; an RSA
    key below 1024 bits), ("rsa", bits) or ("ed25519", None)."""
    tags = {}
    for t in text.split(";"):
        if t.strip():
            k, _, v = t.partition("=")
            tags[k.strip()] = v.strip()
    if tags.get("v", "DKIM1") != "DKIM1" or "p" not in tags:
        return (None, None)
    if not tags["p"]:
        return ("revoked", None)
    if "h" in tags and "sha256" not in [h.strip() for h in tags["h"].split(":")]:
        return ("unusable", None)
    k = tags.get("k", "rsa")
    if k == "ed25519":
        # RFC 8463 3: the raw 32-byte key.
        ok = len(base64.b64decode(tags["p"], validate=True)) == 32
        return ("ed25519", None) if ok else ("unusable", None)
    if k != "rsa":
        return ("unusable", None)
    bits = rsa_bits(tags["p"])
    return ("rsa", bits) if bits >= 1024 else ("unusable", None)


def der_item(der, i):
    """(tag, start, end) of the DER element at der[i]: its value is der[start:end]."""
    tag, n = der[i], der[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(der[i:i + k], "big")
        i += k
    return tag, i, i + n


@functools.lru_cache(maxsize=None)
def rsa_bits(p):
    """The modulus length of a base64 DER SubjectPublicKeyInfo RSA key
    (RFC 3279 2.3.1: SEQUENCE {algorithm, BIT STRING {SEQUENCE {n, e}}})."""
    der = base64.b64decode(p, validate=True)
    tag, i, _ = der_item(der, 0)
    assert tag == 0x30
    tag, alg, i = der_item(der, i)
    assert tag == 0x30 and der[alg:alg + 11].hex() == "06092a864886f70d010101"  # rsaEncryption
    tag, i, _ = der_item(der, i)
    assert tag == 0x03 and der[i] == 0  # no unused bits
    tag, i, _ = der_item(der, i + 1)
    assert tag == 0x30
    tag, i, end = der_item(der, i)
    assert tag == 0x02
    return int.from_bytes(der[i:end], "big").bit_length()


def provider_lookup(name, typ):
    rr = PROVIDERS.get(name)
    return None if rr is None else rr.get(typ, [])


def is_spf(text):
    return text == "v=spf1" or text.startswith("v=spf1 ")


class SpfWalk:
    """One domain's SPF tree, counted as RFC 7208 4.6.4 and posture count
    it: lookups (include, a, mx, ptr, exists, redirect: none of the last
    three is generated), voids (no data for an include/redirect target's
    TXT, an a: target's A, an mx: target's MX), the first PermError cause,
    and the questions asked, in posture's order."""

    _memo = {}  # provider name -> (found, lookups, voids, perm, queries)

    def __init__(self, lookup):
        self.lookup = lookup
        self.lookups = self.voids = 0
        self.perm = None
        self.queries = []

    def ask(self, name, typ):
        self.queries.append((name, typ))
        return self.lookup(name, typ)

    def set_perm(self, code):
        if self.perm is None:
            self.perm = code

    def visit(self, name, via, memo=True):
        """Walks the record at name; False when it has no SPF record."""
        if via and memo and name in PROVIDERS:
            # A provider's subtree is the same for every domain: walk it
            # once, then replay its counts and questions.
            m = SpfWalk._memo.get(name)
            if m is None:
                sub = SpfWalk(provider_lookup)
                found = sub.visit(name, via, memo=False)
                m = SpfWalk._memo[name] = (found, sub.lookups, sub.voids, sub.perm,
                                           sub.queries)
            found, lookups, voids, perm, queries = m
            self.lookups += lookups
            self.voids += voids
            if perm:
                self.set_perm(perm)
            self.queries += queries
            return found
        txt = self.ask(name, "TXT")
        if via and not txt:
            self.voids += 1
        recs = [t for t in txt or () if is_spf(t)]
        if not recs:
            return False
        if len(recs) > 1:
            self.set_perm("spf.multiple_records")
            return True
        terms = [t.lstrip("+-~?") for t in recs[0].split()[1:]]
        redirect = None
        for mech in terms:
            if mech.startswith("include:"):
                self.lookups += 1
                if not self.visit(mech[8:], "include"):
                    self.set_perm("spf.include_no_record")
            elif mech == "a" or mech.startswith("a:"):
                self.lookups += 1
                target = mech[2:] or name
                if not self.ask(target, "A"):
                    self.voids += 1
                self.ask(target, "AAAA")
            elif mech == "mx" or mech.startswith("mx:"):
                self.lookups += 1
                mx = self.ask(mech[3:] or name, "MX")
                if not mx:
                    self.voids += 1
                for host in (mx or [])[:10]:
                    h = host.split()[1].rstrip(".")
                    self.ask(h, "A")
                    self.ask(h, "AAAA")
            elif mech.startswith("redirect="):
                redirect = mech[9:]
        if redirect and "all" not in terms:
            self.lookups += 1
            if not self.visit(redirect, "redirect"):
                self.set_perm("spf.redirect_no_record")
        return True

    def result(self, domain):
        """(status, error code) of domain's SPF."""
        if not self.visit(domain, None):
            return ("none", "")
        if self.lookups > 10:
            self.set_perm("spf.too_many_lookups")
        if self.voids > 2:
            self.set_perm("spf.void_lookups")
        return ("permerror", self.perm) if self.perm else ("ok", "")


def spf_cost(target):
    """DNS-querying terms an include of a provider adds (itself included)."""
    w = SpfWalk(provider_lookup)
    w.visit(target, "include")
    return 1 + w.lookups


# --- the world ----------------------------------------------------------------

def slots(rng, mix):
    s = [cat for cat, n in mix for _ in range(n)]
    rng.shuffle(s)
    return s


def bools(rng, yes):
    return slots(rng, [(True, yes), (False, BLOCK - yes)])


def domains(n, seed, first_block, nblocks, signed=False):
    """Yields domains first_block*100 ... (at most N in all), in order; each
    block of 100 draws its mix from its own seeded generator. signed: the
    world is --dnssec (child zones)."""
    for b in range(first_block, min(first_block + nblocks, (n + BLOCK - 1) // BLOCK)):
        rng = random.Random("%s/block/%d" % (seed, b))
        spf, dm = slots(rng, SPF_MIX), slots(rng, DMARC_MIX)
        mx, a, bimi = bools(rng, MX_PER_BLOCK), bools(rng, A_PER_BLOCK), bools(rng, BIMI_PER_BLOCK)
        dkim = slots(random.Random("%s/block/%d/dkim" % (seed, b)), DKIM_MIX)
        rank = b * ONE_DMARC_PER_BLOCK  # every earlier block is complete
        # The whole block is made, even past N: the transport mix is drawn
        # among its domains by their MX hosts.
        block = [Domain(b * BLOCK + k, seed, spf[k], dm[k], mx[k], a[k], bimi[k], dkim[k])
                 for k in range(BLOCK)]
        transport(random.Random("%s/block/%d/transport" % (seed, b)), block, signed)
        for k in range(min(BLOCK, n - b * BLOCK)):
            dom = block[k]
            if dm[k] in ONE_DMARC:
                dom.rank = rank
                rank += 1
            yield dom


def transport(rng, block, signed):
    """Draws a block's transport categories (the mixes above) and adds
    their records: MTA-STS among the domains with MX, in domain order;
    TLS-RPT among all; DANE among the domains with an MX host of their
    own; the other child zones among the rest."""
    sts = iter(slots(rng, STS_MIX))
    rpt = slots(rng, TLSRPT_MIX)
    own = [k for k, dom in enumerate(block) if dom.own_mx]
    others = [k for k, dom in enumerate(block) if not dom.own_mx]
    need = sum(n for _, n in DANE_MIX)
    if len(own) < need:
        raise SystemExit("gen-world: block of %d: %d domains with an MX host of their own, "
                         "the DANE mix needs %d" % (block[0].index, len(own), need))
    dane = dict(zip(rng.sample(own, need), [cat for cat, n in DANE_MIX for _ in range(n)]))
    child = dict(zip(rng.sample(others, sum(n for _, n in CHILD_MIX)),
                     [cat for cat, n in CHILD_MIX for _ in range(n)]))
    for k, dom in enumerate(block):
        d = dane.get(k, "none")
        sec = "insecure" if d == "tlsa_insecure" else child.get(k, "secure")
        dom.transport(next(sts) if dom.has_mx else "missing", rpt[k], sec, d, signed)


# --- nights -------------------------------------------------------------------

# The DMARC categories with exactly one valid record: what a night may change.
ONE_DMARC = ("monitor", "quarantine", "reject", "pct", "testing")
ONE_DMARC_PER_BLOCK = sum(k for cat, k in DMARC_MIX if cat in ONE_DMARC)


def one_dmarc_count(n, seed):
    """How many of N domains publish one valid DMARC record."""
    full, rest = divmod(n, BLOCK)
    count = full * ONE_DMARC_PER_BLOCK
    if rest:
        rng = random.Random("%s/block/%d" % (seed, full))
        slots(rng, SPF_MIX)
        count += sum(1 for cat in slots(rng, DMARC_MIX)[:rest] if cat in ONE_DMARC)
    return count


def night_draws(seed, night, among, k):
    """The ranks (among the one-record domains) changed on night `night`:
    k distinct ones, sorted, by Floyd's sampling (k draws, k in memory)."""
    rng = random.Random("%s/night/%d" % (seed, night))
    chosen = set()
    for j in range(among - k, among):
        t = rng.randrange(j + 1)
        chosen.add(j if t in chosen else t)
    return array.array("q", sorted(chosen))


def night_changes(draws, first_block):
    """For one chunk: {rank: times drawn in nights 1..K} and the ranks drawn
    on night K, of the ranks in the chunk's blocks."""
    lo = first_block * ONE_DMARC_PER_BLOCK
    hi = lo + CHUNK_BLOCKS * ONE_DMARC_PER_BLOCK
    times, last = {}, set()
    for ranks in draws:
        last = ranks[bisect.bisect_left(ranks, lo):bisect.bisect_left(ranks, hi)]
        for r in last:
            times[r] = times.get(r, 0) + 1
    return times, set(last)


CHUNK_BLOCKS = 20  # blocks per unit of work (2,000 domains)


def chunk(task):
    """Generates one chunk: (zone text, list text, CSV text, counts, mix
    lines as (text, shared name or None), changed list text, extra files
    as (kind, name, text): "zone" a child zone, "policy" an MTA-STS
    policy host and its policy, None for none served). Runs in a worker
    process."""
    n, seed, first_block, want_files, want_mix, (times, last), signed = task
    zone, names, mix, changed, extra = [], [], [], [], []
    own, shared_seen = [], set()
    # The summary's counts, by row's outcome: keyed by the columns they
    # show, turned into its lines at the end of the chunk.
    outcomes, flags = {}, [0, 0, 0, 0]  # mx, a, bimi_record, dkim_revoked_only
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for dom in domains(n, seed, first_block, CHUNK_BLOCKS, signed):
        if dom.rank in times:
            dom.change_dmarc(times[dom.rank])
            if dom.rank in last:
                changed.append(dom.name + "\n")
        if want_files:
            zone += dom.zone_lines()
            if dom.child():
                extra.append(("zone", dom.name, dom.child_zone()))
            if dom.policy_host:
                extra.append(("policy", dom.policy_host, dom.policy))
            names.append(dom.name + "\n")
            row = dom.expected()
            w.writerow(row)
            key = tuple(row[i] for i in (1, 2, 3, 4, 8, 9, 12, 13, 14, 15, 16))
            outcomes[key] = outcomes.get(key, 0) + 1
            flags[0] += row[5]
            flags[1] += row[6]
            flags[2] += row[7]
            flags[3] += row[11]
        if want_mix:
            # Names at or below the domain are asked by no other domain;
            # shared names (providers, _dmarc.bench.test...) are listed once
            # per chunk here and once per run by the parent. Runs of own
            # lines travel as one string: less to pass between processes.
            suffix = "." + dom.name
            for q in dom.queries():
                if q[0] == dom.name or q[0].endswith(suffix):
                    own.append("%s %s\n" % q)
                elif q not in shared_seen:
                    shared_seen.add(q)
                    mix.append(("".join(own), None))
                    own = []
                    mix.append(("%s %s\n" % q, q))
            own.append(dom.dkim_queries())
    mix.append(("".join(own), None))
    counts = {}
    for (spf, err, dmarc, enf, dkim, bits, sts, cov, rpt, sec, dane), k in outcomes.items():
        for key in ("spf %s %s" % (spf, err or "-"), "dmarc %s %s" % (dmarc, enf),
                    "dkim %s %s" % (dkim, bits or "-"), "mta_sts %s %s" % (sts, cov or "-"),
                    "tls_rpt %s" % rpt, "dnssec %s" % sec, "dane %s" % dane):
            counts[key] = counts.get(key, 0) + k
    if want_files:
        counts.update(zip(("mx", "a", "bimi", "dkim revoked_only"), flags))
    return "".join(zone), "".join(names), buf.getvalue(), counts, mix, "".join(changed), extra


def write_extra(outdir, extra, names):
    """A chunk's child zones (OUTDIR/zones/<domain>.zone) and MTA-STS
    policies (OUTDIR/https/<host>/.well-known/mta-sts.txt, the host listed
    in https-names.txt whether or not a policy is served)."""
    for kind, name, text in extra:
        if kind == "zone":
            with open(os.path.join(outdir, "zones", name + ".zone"), "w") as f:
                f.write(text)
            continue
        names.write(name + "\n")
        if text is None:
            continue
        d = os.path.join(outdir, "https", name, ".well-known")
        os.makedirs(d)
        with open(os.path.join(d, "mta-sts.txt"), "w", newline="") as f:
            f.write(text)


def zone_head(origin, comment):
    return ("; %s\n$ORIGIN %s.\n$TTL %d\n@ SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n"
            "@ NS ns\nns A 127.0.0.1\n" % (comment, origin, TTL, origin, origin))


def provider_lines():
    lines = []
    for name in sorted(PROVIDERS):
        rel = name[:-len(ZONE) - 1]
        for typ in ("TXT", "MX", "A", "AAAA"):
            for data in PROVIDERS[name].get(typ, ()):
                lines.append("%s %s %s\n" % (rel, typ, txt_rdata(data) if typ == "TXT" else data))
    return lines


def main():
    ap = argparse.ArgumentParser(
        description="Generate the synthetic world (zones, domain list, expected "
        "results, query mix) for make bench and the scan tests.",
        epilog="The header of this script documents every output and the mix.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", nargs="?", help="where zones/, domains.txt and expected.csv go")
    ap.add_argument("-n", "--domains", type=int, default=100000, metavar="N",
                    help="how many domains (default %(default)s)")
    ap.add_argument("--seed", default="1", help="any string (default %(default)s)")
    ap.add_argument("--query-mix", metavar="FILE",
                    help="also write the scan's DNS questions, 'name TYPE' per line")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="worker processes (default %(default)s); the output is the "
                    "same for any number")
    ap.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    ap.add_argument("--night", type=int, default=0, metavar="K",
                    help="the world of night K of a nightly history (default %(default)s: "
                    "the base world); also writes OUTDIR/changed.txt")
    ap.add_argument("--change-rate", type=float, default=0.01, metavar="R",
                    help="share of the domains changed each night (default %(default)s)")
    ap.add_argument("--dnssec", action="store_true",
                    help="sign bench.test (the bed's Knot signs it) and give a few domains "
                    "a child zone of their own, insecure or bogus")
    args = ap.parse_args()
    if args.domains < 1:
        ap.error("-n must be at least 1")
    if args.night < 0:
        ap.error("--night must be at least 0")
    if not 0 <= args.change_rate <= 1:
        ap.error("--change-rate must be between 0 and 1")
    per_night = round(args.change_rate * args.domains) if args.night else 0
    among = one_dmarc_count(args.domains, args.seed)
    if per_night > among:
        ap.error("--change-rate: %d changes a night, but only %d domains have one DMARC record"
                 % (per_night, among))
    if args.outdir is None and args.query_mix is None:
        ap.error("give OUTDIR, --query-mix FILE, or both")

    start = time.monotonic()
    files = {}
    if args.outdir:
        zdir = os.path.join(args.outdir, "zones")
        os.makedirs(zdir, exist_ok=True)
        # What an earlier world left: its child zones would still be
        # served, its policies still fetched.
        for f in os.listdir(zdir):
            if f.endswith(".zone"):
                os.remove(os.path.join(zdir, f))
        shutil.rmtree(os.path.join(args.outdir, "https"), ignore_errors=True)
        os.makedirs(os.path.join(args.outdir, "https"))
        with open(os.path.join(zdir, "test.zone"), "w") as f:
            f.write(zone_head("test", "test. -- parent of bench.test (gen-world.py): "
                              "_dmarc.test and other names are NXDOMAIN"))
        files["zone"] = open(os.path.join(zdir, ZONE + ".zone"), "w")
        if args.dnssec:
            files["zone"].write("; dnssec: sign\n")  # tests/bed/README.md, "Signed zones"
        files["zone"].write(zone_head(ZONE, "bench.test -- generated by scripts/gen-world.py "
                                      "-n %d --seed %s%s" % (args.domains, args.seed,
                                                             " --dnssec" if args.dnssec else "")))
        files["zone"].writelines(provider_lines())
        files["list"] = open(os.path.join(args.outdir, "domains.txt"), "w")
        files["csv"] = open(os.path.join(args.outdir, "expected.csv"), "w", newline="")
        files["csv"].write("domain,spf_status,spf_error,dmarc_status,dmarc_enforcement,"
                           "mx,a,bimi_record,dkim_status,dkim_min_bits,dkim_selectors,"
                           "dkim_revoked_only,mta_sts_status,mta_sts_mx_covered,"
                           "tls_rpt_status,dnssec_status,dane_status\n")
        files["changed"] = open(os.path.join(args.outdir, "changed.txt"), "w")
        files["names"] = open(os.path.join(args.outdir, "https-names.txt"), "w")
    if args.query_mix:
        files["mix"] = open(args.query_mix, "w")
    nblocks = (args.domains + BLOCK - 1) // BLOCK
    draws = [night_draws(args.seed, k, among, per_night) for k in range(1, args.night + 1)]
    starts = range(0, nblocks, CHUNK_BLOCKS)
    # A generator: each chunk's share of the nights' changes is made when
    # the chunk is handed out, not all at once.
    tasks = ((args.domains, args.seed, b, bool(args.outdir), bool(args.query_mix),
              night_changes(draws, b), args.dnssec) for b in starts)
    seen, counts, nq = set(), {}, 0
    # Workers generate chunks in parallel; imap hands them back in order,
    # so the output does not depend on the number of jobs.
    pool = multiprocessing.Pool(args.jobs) if args.jobs > 1 and len(starts) > 1 else None
    results = pool.imap(chunk, tasks) if pool else map(chunk, tasks)
    for zone, names, rows, cnt, mix, changed, extra in results:
        if args.outdir:
            files["zone"].write(zone)
            files["list"].write(names)
            files["csv"].write(rows)
            files["changed"].write(changed)
            write_extra(args.outdir, extra, files["names"])
            for k, v in cnt.items():
                counts[k] = counts.get(k, 0) + v
        if args.query_mix:
            out = []
            for text, shared in mix:
                if shared is not None:
                    if shared in seen:
                        continue
                    seen.add(shared)
                out.append(text)
            files["mix"].writelines(out)
            nq += sum(t.count("\n") for t in out)
    if pool:
        pool.close()
        pool.join()
    for f in files.values():
        f.close()
    if not args.quiet:
        took = time.monotonic() - start
        print("gen-world: %d domains, seed %s, %.1f s, %d jobs"
              % (args.domains, args.seed, took, args.jobs), file=sys.stderr)
        for k in sorted(counts):
            print("  %-40s %d" % (k, counts[k]), file=sys.stderr)
        if args.night:
            print("  %-40s %d of %d" % ("night %d: changed (one DMARC record)" % args.night,
                                          per_night, among), file=sys.stderr)
        if args.query_mix:
            print("  %-40s %d" % ("queries in the mix", nq), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
