"""The synthetic world (scripts/gen-world.py) against posture itself.

Generates a world of 300 domains into a temporary directory, serves it with
a second bed (tests/bed/bed.sh start, BED_ZONES at the world's zones), and
checks that posture's `spf` and `dmarc` verdicts equal the generator's
expected.csv on a sample: every domain with a rarer outcome (SPF: each
none and permerror; DMARC: each none, invalid and partial) plus every sixth
domain, about 200 runs of posture. MX, A and BIMI records are checked for all
300 with one kdig run. Also: the generator is deterministic, the same for
any -j, prefix-stable in N, exact in its mix, and its query list is sound.
DKIM (issue 21): the key records are read from the zone file here, on
their own (not with the generator's code), counted by category per block
of 100 and held against expected.csv's dkim_* columns; Knot serves them.
Transport (issue 24): the MTA-STS, TLS-RPT and TLSA records and the
policies are read back here the same way and held against expected.csv's
transport columns; a scan with mta-sts and tls-rpt stores them. WorldDnssec
serves a --dnssec world (bench.test signed, child zones insecure and
bogus) and scans it with every transport check: every stored status
equals expected.csv, and the report's counts equal counts by hand from
the mix per 100 domains.
"""
import base64
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from posturetest import POSTURE  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-world.py")
BED = os.path.join(ROOT, "tests", "bed", "bed.sh")
PY = "/usr/bin/python3"
N = 300
FILES = ["zones/bench.test.zone", "zones/test.zone", "domains.txt", "expected.csv", "mix.txt",
         "https-names.txt"]
KEYS = os.path.join(ROOT, "tests", "fixtures", "dkim")
# The world's DKIM mix per block of 100: category -> count. A category is
# the set of (selector, key) the domain publishes, key being the RSA bits,
# "ed25519", "revoked" or "sha1" (h=sha1 only).
DKIM_MIX = {
    frozenset({("google", 2048)}): 40,
    frozenset({("selector1", 2048)}): 15,
    frozenset({("k1", 1024)}): 10,
    frozenset({("google", 2048), ("k1", 1024)}): 3,
    frozenset({("default", "revoked")}): 5,
    frozenset({("default", "ed25519")}): 2,
    frozenset({("google", "sha1")}): 2,
    frozenset(): 23,
}
# gen-world.py's DKIM_SCAN_SELECTORS (posture's scan list), in order.
SCAN_SELECTORS = ["google", "selector1", "k1", "s1", "default", "dkim"]
# The transport mix per block of 100 (gen-world.py's header), as a scan
# reads it: MTA-STS (status, mx_covered), TLS-RPT status.
STS_PER_100 = {("enforce", "1"): 6, ("enforce", "0"): 2, ("testing", "1"): 3, ("none", ""): 1,
               ("invalid", ""): 3, ("missing", ""): 85}
TLSRPT_PER_100 = {"ok": 12, "invalid": 3, "none": 85}
# (dnssec_status, dane_status) per 100: in a --dnssec world, and without.
SEC_PER_100 = {("secure", "none"): 88, ("secure", "dane"): 4, ("secure", "partial"): 2,
               ("insecure", "unusable"): 2, ("insecure", "none"): 2, ("bogus", "none"): 2}
UNSIGNED_PER_100 = {("indeterminate", "indeterminate"): 8, ("indeterminate", "none"): 92}
TRANSPORT_COLS = ("mta_sts_status", "mta_sts_mx_covered", "tls_rpt_status", "dnssec_status",
                  "dane_status")


def gen(outdir, *args):
    p = subprocess.run([PY, GEN, outdir, "--query-mix", os.path.join(outdir, "mix.txt"),
                        "-q", *args], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("gen-world.py failed: %s" % p.stderr)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rows(outdir):
    with open(os.path.join(outdir, "expected.csv"), newline="") as f:
        return list(csv.DictReader(f))


def serve_world(cls, n, prefix, *args):
    """Generates a world of n domains (gen-world.py args added) into a new
    temporary directory and serves it from a bed of its own, its MTA-STS
    policies too: sets cls.tmp, world, beddir, auth, port and bed (the
    bed's bed.env)."""
    cls.tmp = tempfile.mkdtemp(prefix=prefix)
    cls.world = os.path.join(cls.tmp, "world")
    gen(cls.world, "-n", str(n), *args)
    cls.beddir = os.path.join(cls.tmp, "bed")
    with open(os.path.join(cls.world, "https-names.txt")) as f:
        names = ",".join(f.read().split())
    env = dict(os.environ, BED_ZONES=os.path.join(cls.world, "zones"), BED_START_TIMEOUT="60",
               BED_HTTPS_ROOT=os.path.join(cls.world, "https"), BED_HTTPS_NAMES=names)
    p = subprocess.run([BED, "start", cls.beddir], env=env, capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        shutil.rmtree(cls.tmp, ignore_errors=True)
        raise AssertionError("bed.sh start failed: %s" % p.stderr)
    with open(os.path.join(cls.beddir, "bed.env")) as f:
        env = dict(l.strip().split("=", 1) for l in f if "=" in l)
    cls.bed = env
    cls.auth = env["BED_AUTH"]
    cls.port = env["BED_AUTH_PORT"]


def fixture_bits():
    """{base64 key: RSA bits} of the fixture keys the world uses."""
    out = {}
    for name, bits in (("rsa2048.b64", 2048), ("rsa1024.b64", 1024)):
        with open(os.path.join(KEYS, name)) as f:
            out[f.read().strip()] = bits
    return out


def txt_strings(rdata):
    """A TXT rdata's character-strings, unquoted (zone file or kdig)."""
    return re.findall(r'"((?:[^"\\]|\\.)*)"', rdata)


def dkim_key(text, bits):
    """The key of a DKIM key record, read as RFC 6376 3.6.1 and RFC 8301
    say: "revoked" (p= empty), "sha1" (h= without sha256), "ed25519"
    (RFC 8463: 32 raw bytes), else the RSA bits of a fixture key."""
    tags = {}
    for t in text.split(";"):
        if t.strip():
            k, _, v = t.partition("=")
            tags[k.strip()] = v.strip()
    assert tags.get("v") == "DKIM1", text
    if tags["p"] == "":
        return "revoked"
    if "h" in tags and "sha256" not in tags["h"].split(":"):
        return "sha1"
    if tags.get("k") == "ed25519":
        assert len(base64.b64decode(tags["p"], validate=True)) == 32, text
        return "ed25519"
    assert tags.get("k", "rsa") == "rsa", text
    return bits[tags["p"]]


def zone_dkim(zone_path, bits):
    """{domain: set of (selector, key)} from the zone file, a CNAME at a
    selector followed to its TXT; also the CNAMEs {owner: target} and the
    longest character-string seen."""
    txt, cname, longest = {}, {}, 0
    with open(zone_path) as f:
        for line in f:
            f = line.rstrip("\n").split(" ", 2)
            if len(f) < 3 or "._domainkey" not in f[0]:
                continue
            owner, typ, rdata = f
            fqdn = owner + ".bench.test"
            if typ == "CNAME":
                cname[fqdn] = rdata.rstrip(".")
            else:
                assert typ == "TXT", line
                strings = txt_strings(rdata)
                longest = max([longest] + [len(x) for x in strings])
                txt.setdefault(fqdn, []).append("".join(strings))
    keys = {}
    for name in list(txt) + list(cname):
        sel, _, dom = name.partition("._domainkey.")
        if dom.endswith(".mailer2.bench.test") or dom == "mailer2.bench.test":
            continue  # a provider's key: counted through the CNAME
        recs = txt.get(cname.get(name, name), [])
        assert len(recs) == 1, (name, recs)
        keys.setdefault(dom, set()).add((sel, dkim_key(recs[0], bits)))
    return keys, cname, longest


def zone_records(world):
    """{(owner, type): [rdata]} of every zone file of the world (owners
    fully qualified, lower case, no final dot; TXT rdata joined), and the
    names of the zones whose file starts "; dnssec: sign"."""
    out, signed = {}, set()
    zdir = os.path.join(world, "zones")
    for fn in sorted(os.listdir(zdir)):
        origin = fn[:-len(".zone")]
        with open(os.path.join(zdir, fn)) as f:
            text = f.read()
        if text.startswith("; dnssec: sign\n"):
            signed.add(origin)
        for line in text.splitlines():
            if line.startswith("$ORIGIN "):
                origin = line.split()[1].rstrip(".")
            if not line or line[0] in ";$":
                continue
            owner, typ, rdata = line.split(" ", 2)
            name = origin if owner == "@" else "%s.%s" % (owner, origin)
            if typ == "TXT":
                rdata = "".join(txt_strings(rdata))
            out.setdefault((name.lower(), typ), []).append(rdata)
    return out, signed


def transport_truth(world, domain, recs, signed):
    """expected.csv's transport columns for domain, read here from the
    records and the policy files as RFC 8461, 8460, 4035 and 7672 say,
    without the generator's code."""
    def get(name, typ):
        return recs.get((name, typ), [])
    hosts = [r.split()[1].rstrip(".") for r in get(domain, "MX")]
    # MTA-STS (RFC 8461 3.1, 3.3, 4.1).
    sts = [t for t in get("_mta-sts." + domain, "TXT") if re.match(r"v=STSv1(;|$)", t)]
    ids = [re.findall(r"(?:^|;)\s*id=([^;]*)", t) for t in sts]
    policy = os.path.join(world, "https", "mta-sts." + domain, ".well-known", "mta-sts.txt")
    if not sts:
        st = ("missing", "")
    elif len(sts) > 1 or not re.fullmatch(r"[A-Za-z0-9]{1,32}", ids[0][0].strip()):
        st = ("invalid", "")
    elif not os.path.exists(policy):
        st = ("invalid", "")
    else:
        with open(policy, newline="") as f:
            lines = [l.split(":", 1) for l in re.split(r"\r?\n", f.read()) if l]
        mode = [v.strip() for k, v in lines if k == "mode"][0]
        pats = [v.strip() for k, v in lines if k == "mx"]

        def covered(h):
            return any(p == h or (p.startswith("*.") and h.split(".", 1)[1] == p[2:])
                       for p in pats)
        st = ("none", "") if mode == "none" else (
            mode, "1" if all(covered(h) for h in hosts) else "0")
    # TLS-RPT (RFC 8460 3).
    rpt = [t for t in get("_smtp._tls." + domain, "TXT") if t.startswith("v=TLSRPTv1;")]
    if not rpt:
        tls = "none"
    else:
        rua = re.search(r"rua=([^;]*)", rpt[0]).group(1).split(",")
        tls = "ok" if len(rpt) == 1 and all(u.startswith(("mailto:", "https:")) for u in rua) \
            else "invalid"

    # DNSSEC: the zone holding a name, and whether it validates.
    def zone_status(name):
        parts = name.split(".")
        for i in range(len(parts) - 1):
            z = ".".join(parts[i:])
            if os.path.exists(os.path.join(world, "zones", z + ".zone")):
                if z in signed:
                    return "secure"
                if "bench.test" not in signed:
                    return "indeterminate"
                return "bogus" if get(z, "DS") else "insecure"
        return "indeterminate"
    sec = zone_status(domain)
    # DANE (RFC 7672 2.2; combined as dane_check.h says).
    host_st = []
    for h in hosts:
        z, tlsa = zone_status(h), get("_25._tcp." + h, "TLSA")
        if tlsa:
            host_st.append({"secure": "usable", "indeterminate": "open"}.get(z, "unusable"))
        else:
            host_st.append("unusable" if z == "bogus" else "none")
    if host_st and all(h == "usable" for h in host_st):
        dane = "dane"
    elif "usable" in host_st and {"unusable", "none"} & set(host_st):
        dane = "partial"
    elif "open" in host_st:
        dane = "indeterminate"
    else:
        dane = "unusable" if "unusable" in host_st else "none"
    return (st[0], st[1], tls, sec, dane)


def scan_transport(case, db, checks, *extra):
    """Scans the world with checks (and the bed's CA and connect-to), then
    checks every domain's stored transport columns against expected.csv
    and returns the report's domain-view counts."""
    bed = case.bed
    p = subprocess.run([POSTURE, "scan", os.path.join(case.world, "domains.txt"), "--db", db,
                        "--resolver", case.auth, "--checks", checks, "--ca-file", bed["BED_CA"],
                        "--connect-to", "::127.0.0.1:" + bed["BED_HTTPS_PORT"], "--quiet",
                        *extra], capture_output=True, text=True, timeout=600)
    case.assertEqual(p.returncode, 0, p.stderr)
    p = subprocess.run([POSTURE, "report", "--db", db, "--domains", "--format", "csv",
                        "--csv-raw"], capture_output=True, text=True, timeout=60)
    case.assertEqual(p.returncode, 0, p.stderr)
    got = {r["domain"]: r for r in csv.DictReader(io.StringIO(p.stdout))}
    case.assertEqual(len(got), len(case.rows))
    cols = [c for c in TRANSPORT_COLS if c.split("_")[0] in checks.replace("-", "_")] + [
        "spf_status", "dmarc_status", "dmarc_enforcement"]
    bad = [(r["domain"], [got[r["domain"]][c] for c in cols], [r[c] for c in cols])
           for r in case.rows if [got[r["domain"]][c] for c in cols] != [r[c] for c in cols]]
    case.assertEqual(bad[:5], [])
    p = subprocess.run([POSTURE, "report", "--db", db, "--format", "json"],
                       capture_output=True, text=True, timeout=60)
    case.assertEqual(p.returncode, 0, p.stderr)
    return {m["metric"]: m["count"] for m in json.loads(p.stdout)["metrics"]
            if m["view"] == "domain"}


def stop_world(cls):
    subprocess.run([BED, "stop", cls.beddir], timeout=60)
    shutil.rmtree(cls.tmp, ignore_errors=True)


class World(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        serve_world(cls, N, "posture-world.")
        cls.rows = rows(cls.world)

    @classmethod
    def tearDownClass(cls):
        stop_world(cls)

    def posture(self, *args):
        p = subprocess.run([POSTURE, *args, "--json", "--resolver", self.auth],
                           capture_output=True, text=True, timeout=60)
        return json.loads(p.stdout)

    def dig(self, args):
        """kdig's answers to args (NAME TYPE ...) from the world's server:
        (owner, type, rdata), owners lower case without the final dot."""
        p = subprocess.run(["kdig", "@127.0.0.1", "-p", self.port, "+noall", "+answer",
                            "+norecurse", "+time=2", *args],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = []
        for line in p.stdout.splitlines():
            f = line.split(None, 4)
            if len(f) == 5 and not line.startswith(";"):
                out.append((f[0].rstrip(".").lower(), f[3], f[4]))
        return out

    def test_posture_agrees_with_expected(self):
        # Each posture run costs tens of milliseconds, so not all 600:
        # every row with a rarer outcome, and every sixth of the others.
        def spf_rare(i, r):
            return r["spf_status"] != "ok" or i % 6 == 0

        def dmarc_rare(i, r):
            return (r["dmarc_status"] != "ok" or r["dmarc_enforcement"] == "partial"
                    or i % 6 == 0)
        sample = [(r, spf_rare(i, r), dmarc_rare(i, r)) for i, r in enumerate(self.rows)]
        sample = [s for s in sample if s[1] or s[2]]

        def check(job):
            r, do_spf, do_dmarc = job
            d = r["domain"]
            bad = []
            if do_spf:
                s = self.posture("spf", d)
                got = (s["status"], s["error_code"] or "")
                if got != (r["spf_status"], r["spf_error"]):
                    bad.append("%s: posture SPF %s, expected %s"
                               % (d, got, (r["spf_status"], r["spf_error"])))
            if not do_dmarc:
                return bad
            m = self.posture("dmarc", d)
            got = (m["status"], m["enforcement"])
            if got != (r["dmarc_status"], r["dmarc_enforcement"]):
                bad.append("%s: posture DMARC %s, expected %s"
                           % (d, got, (r["dmarc_status"], r["dmarc_enforcement"])))
            # RFC 7489: "test" is not in the PSL, so the organisational
            # domain is bench.test, which publishes nothing: the reading
            # differs only where pct < 100 (partial) or t=y (unknown there).
            old = m["rfc7489"]
            want_old = r["dmarc_enforcement"]
            if m["status"] == "ok" and m["pct"] is not None and m["pct"] < 100:
                want_old = "partial"
            elif m["status"] == "ok" and m["testing"]:
                want_old = m["policy"]
            if (old["org_domain"], old["enforcement"]) != ("bench.test", want_old):
                bad.append("%s: RFC 7489 reading %s/%s for %r, expected bench.test/%s"
                           % (d, old["org_domain"], old["enforcement"], m["record"],
                              want_old))
            return bad

        with ThreadPoolExecutor(4) as ex:
            bad = [b for res in ex.map(check, sample) for b in res]
        self.assertEqual(bad, [])
        # The sample holds every SPF and DMARC outcome the world has.
        spf = [r for r, do, _ in sample if do]
        dmarc = [r for r, _, do in sample if do]
        self.assertEqual({(r["spf_status"], r["spf_error"]) for r in spf}, {
            ("ok", ""), ("none", ""), ("permerror", "spf.include_no_record"),
            ("permerror", "spf.too_many_lookups"), ("permerror", "spf.multiple_records"),
            ("permerror", "spf.redirect_no_record"), ("permerror", "spf.void_lookups")})
        self.assertEqual({r["dmarc_enforcement"] for r in dmarc},
                         {"reject", "quarantine", "partial", "monitor", "missing", "invalid"})
        self.assertGreaterEqual(len(spf), 90)
        self.assertGreaterEqual(len(dmarc), 90)

    def test_scan_with_dkim(self):
        """A scan with --checks ...,dkim stores every domain's DKIM status,
        usable selectors and smallest RSA key as expected.csv says (the
        scan's own selector list, SCAN_SELECTORS), the SPF and DMARC
        columns unchanged by the probes; the report's DKIM counts equal
        counts made here from expected.csv, in the domain view."""
        db = os.path.join(self.tmp, "dkim.db")
        p = subprocess.run([POSTURE, "scan", os.path.join(self.world, "domains.txt"), "--db", db,
                            "--resolver", self.auth, "--checks", "spf,dmarc,mx,dkim",
                            "--quiet"], capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run([POSTURE, "report", "--db", db, "--domains", "--format", "csv",
                            "--csv-raw"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {r["domain"]: r for r in csv.DictReader(io.StringIO(p.stdout))}
        cols = ("dkim_status", "dkim_min_bits", "dkim_selectors", "dkim_revoked_only",
                "spf_status", "dmarc_status", "dmarc_enforcement")
        bad = [(r["domain"], tuple(got.get(r["domain"], {}).get(c) for c in cols),
                tuple(r[c] for c in cols))
               for r in self.rows
               if tuple(got.get(r["domain"], {}).get(c) for c in cols) !=
               tuple(r[c] for c in cols)]
        self.assertEqual(bad[:5], [])
        self.assertEqual(len(got), len(self.rows))
        p = subprocess.run([POSTURE, "report", "--db", db, "--format", "json"],
                           capture_output=True, text=True, timeout=60)
        counts = {m["metric"]: m["count"] for m in json.loads(p.stdout)["metrics"]
                  if m["view"] == "domain"}
        hand = {
            "dkim_checked": len(self.rows),
            "dkim_found": sum(r["dkim_status"] == "found" for r in self.rows),
            "dkim_none_found": sum(r["dkim_status"] == "none_found" for r in self.rows),
            "dkim_weak": sum(r["dkim_min_bits"] not in ("", "2048") for r in self.rows),
            "dkim_revoked_only": sum(r["dkim_revoked_only"] == "1" for r in self.rows),
        }
        self.assertEqual({k: counts.get(k) for k in hand}, hand)
        # The mix, per 100 (gen-world.py): 70 found, 30 none_found (5 of
        # them revoked only), 13 found with a 1024-bit key.
        blocks = len(self.rows) // 100
        self.assertEqual((hand["dkim_found"], hand["dkim_revoked_only"], hand["dkim_weak"]),
                         (70 * blocks, 5 * blocks, 13 * blocks))

    def test_transport_mix_and_expected(self):
        """The transport records and policies, read here, give
        expected.csv's transport columns for every domain, and the mix is
        exact in every block of 100; an unsigned world has no child zone
        and no chain of trust (dnssec indeterminate)."""
        recs, signed = zone_records(self.world)
        self.assertEqual(signed, set())
        self.assertEqual(sorted(os.listdir(os.path.join(self.world, "zones"))),
                         ["bench.test.zone", "test.zone"])
        bad = [(r["domain"], transport_truth(self.world, r["domain"], recs, signed),
                tuple(r[c] for c in TRANSPORT_COLS)) for r in self.rows
               if transport_truth(self.world, r["domain"], recs, signed) !=
               tuple(r[c] for c in TRANSPORT_COLS)]
        self.assertEqual(bad, [])
        for b in range(0, N, 100):
            block = self.rows[b:b + 100]
            count = {}
            for r in block:
                for k in (("sts", r["mta_sts_status"], r["mta_sts_mx_covered"]),
                          ("tls", r["tls_rpt_status"]),
                          ("sec", r["dnssec_status"], r["dane_status"])):
                    count[k] = count.get(k, 0) + 1
            want = {("sts",) + k: v for k, v in STS_PER_100.items()}
            want.update({("tls", k): v for k, v in TLSRPT_PER_100.items()})
            want.update({("sec",) + k: v for k, v in UNSIGNED_PER_100.items()})
            self.assertEqual(count, want, "block %d" % (b // 100))
        # No MTA-STS without MX; every policy host is in https-names.txt.
        self.assertEqual([r["domain"] for r in self.rows
                          if r["mx"] == "0" and r["mta_sts_status"] != "missing"], [])
        names = read(os.path.join(self.world, "https-names.txt")).decode().split()
        served = sorted(os.listdir(os.path.join(self.world, "https")))
        self.assertEqual(len(names), 13 * N // 100)  # 6 + 2 + 3 + 1 + 1 (404) a block
        self.assertEqual(len(served), 12 * N // 100)
        self.assertEqual(set(served) - set(names), set())

    def test_scan_mta_sts_tls_rpt(self):
        """A scan with mta-sts and tls-rpt (policies fetched from the bed)
        stores every domain's statuses as expected.csv says; the report's
        counts are the mix's, per 100 domains by hand."""
        counts = scan_transport(self, os.path.join(self.tmp, "transport.db"),
                                "spf,dmarc,mx,mta-sts,tls-rpt")
        blocks = N // 100
        # Per 100: enforce 6 + 2 (2 with an MX host not covered), testing
        # 3, none 1, invalid 1 + 1 + 1, missing 75 + 10 without MX;
        # TLS-RPT ok 12, invalid 2 + 1.
        hand = {"mta_sts_checked": 100, "mta_sts_enforce": 8, "mta_sts_testing": 3,
                "mta_sts_none": 1, "mta_sts_invalid": 3, "mta_sts_missing": 85,
                "mta_sts_temperror": 0, "mta_sts_not_fetched": 0, "mta_sts_mx_uncovered": 2,
                "tls_rpt_checked": 100, "tls_rpt": 12, "tls_rpt_invalid": 3,
                "tls_rpt_temperror": 0}
        self.assertEqual({k: counts.get(k) for k in hand},
                         {k: v * blocks for k, v in hand.items()})

    def test_unsigned_dnssec_indeterminate(self):
        # Without --dnssec nothing is signed and the bed has no anchor to
        # give: the bundled root anchor covers nothing here.
        for r in self.rows[:100]:
            if r["dane_status"] != "indeterminate":
                continue
            j = self.posture("dnssec", r["domain"])
            self.assertEqual(j["status"], r["dnssec_status"])
            self.assertEqual(j["status"], "indeterminate")
            break
        else:
            self.fail("no DANE domain in the first block")

    def test_mx_a_bimi_records(self):
        args = []
        for r in self.rows:
            d = r["domain"]
            args += [d, "MX", d, "A", "default._bimi." + d, "TXT"]
        seen = {}
        for owner, typ, rdata in self.dig(args):
            seen.setdefault((owner, typ), []).append(rdata)
        bad = []
        for r in self.rows:
            d = r["domain"]
            bimi = any(t.startswith('"v=BIMI1') for t in seen.get(("default._bimi." + d, "TXT"), []))
            got = (int((d, "MX") in seen), int((d, "A") in seen), int(bimi))
            want = (int(r["mx"]), int(r["a"]), int(r["bimi_record"]))
            if got != want:
                bad.append((d, got, want))
        self.assertEqual(bad, [])
        # posture's own adapter on a few: no MX is nodata, an MX is data.
        no_mx = next(r["domain"] for r in self.rows if r["mx"] == "0")
        has_mx = next(r["domain"] for r in self.rows if r["mx"] == "1")
        self.assertEqual(self.posture("lookup", no_mx, "MX")["outcome"], "nodata")
        self.assertEqual(self.posture("lookup", has_mx, "MX")["outcome"], "data")
        no_a = next(r["domain"] for r in self.rows if r["a"] == "0")
        self.assertEqual(self.posture("lookup", no_a, "A")["outcome"], "nodata")

    def test_exact_mix(self):
        count = {}
        for r in self.rows:
            for k in (("spf", r["spf_status"], r["spf_error"]),
                      ("dmarc", r["dmarc_status"], r["dmarc_enforcement"])):
                count[k] = count.get(k, 0) + 1
        # Three blocks of 100: three times each block's numbers.
        self.assertEqual(count[("spf", "ok", "")], 252)
        self.assertEqual(count[("spf", "none", "")], 24)
        self.assertEqual(count[("spf", "permerror", "spf.include_no_record")], 9)
        self.assertEqual(count[("spf", "permerror", "spf.too_many_lookups")], 6)
        self.assertEqual(count[("spf", "permerror", "spf.multiple_records")], 3)
        self.assertEqual(count[("spf", "permerror", "spf.redirect_no_record")], 3)
        self.assertEqual(count[("spf", "permerror", "spf.void_lookups")], 3)
        self.assertEqual(count[("dmarc", "ok", "monitor")], 135)
        self.assertEqual(count[("dmarc", "ok", "quarantine")] +
                         count[("dmarc", "ok", "reject")], 105)  # 15 + 15 + 5 pct
        self.assertEqual(count[("dmarc", "ok", "partial")], 6)
        self.assertEqual(count[("dmarc", "invalid", "invalid")], 9)
        self.assertEqual(count[("dmarc", "none", "missing")], 45)
        self.assertEqual(sum(int(r["mx"]) for r in self.rows), 270)
        self.assertEqual(sum(int(r["a"]) for r in self.rows), 285)
        self.assertEqual(sum(int(r["bimi_record"]) for r in self.rows), 6)
        names = read(os.path.join(self.world, "domains.txt")).decode().splitlines()
        self.assertEqual(names, [r["domain"] for r in self.rows])
        self.assertEqual(len(set(names)), N)
        self.assertTrue(all(n.endswith(".bench.test") and n.count(".") == 2 for n in names))

    def test_dkim_mix_and_expected(self):
        keys, cname, longest = zone_dkim(os.path.join(self.world, "zones", "bench.test.zone"),
                                         fixture_bits())
        self.assertLessEqual(longest, 255)  # RFC 1035 3.3.14: one string, 255 bytes
        domains = [r["domain"] for r in self.rows]
        self.assertEqual(set(keys) - set(domains), set())
        # Exact in every block of 100.
        for b in range(0, N, 100):
            count = {}
            for d in domains[b:b + 100]:
                cat = frozenset(keys.get(d, ()))
                count[cat] = count.get(cat, 0) + 1
            self.assertEqual(count, DKIM_MIX, "block %d" % (b // 100))
        # selector1 is a CNAME to the provider, one name per domain.
        self.assertEqual(len(cname), 45)
        self.assertEqual(len(set(cname.values())), 45)
        for owner, target in cname.items():
            self.assertTrue(owner.startswith("selector1._domainkey."), owner)
            self.assertTrue(target.endswith("._domainkey.mailer2.bench.test"), target)
        # expected.csv's columns, recomputed from the zone's keys.
        bad = []
        for r in self.rows:
            have = keys.get(r["domain"], set())
            usable = {(s, k) for s, k in have if k not in ("revoked", "sha1")}
            rsa = [k for _, k in usable if isinstance(k, int)]
            want = ("found" if usable else "none_found", str(min(rsa)) if rsa else "",
                    " ".join(s for s in SCAN_SELECTORS if any(u[0] == s for u in usable)),
                    "1" if have and all(k == "revoked" for _, k in have) else "0")
            got = (r["dkim_status"], r["dkim_min_bits"], r["dkim_selectors"],
                   r["dkim_revoked_only"])
            if got != want:
                bad.append((r["domain"], got, want))
        self.assertEqual(bad, [])
        # Hand counts for three blocks: found 40+15+10+3+2, weak (RSA
        # below 2048) 10+3, revoked only 5.
        self.assertEqual(sum(r["dkim_status"] == "found" for r in self.rows), 210)
        self.assertEqual(sum(r["dkim_status"] == "none_found" for r in self.rows), 90)
        self.assertEqual(sum(r["dkim_min_bits"] == "1024" for r in self.rows), 39)
        self.assertEqual(sum(r["dkim_revoked_only"] == "1" for r in self.rows), 15)

    def test_dkim_served(self):
        # Knot answers every key the zone holds, the selector1 CNAME with
        # its target's TXT in the same reply, strings in order.
        keys, cname, _ = zone_dkim(os.path.join(self.world, "zones", "bench.test.zone"),
                                   fixture_bits())
        args = []
        for d, have in sorted(keys.items()):
            for sel, _ in sorted(have, key=str):
                args += ["%s._domainkey.%s" % (sel, d), "TXT"]
        seen = {(owner, typ): rdata for owner, typ, rdata in self.dig(args)}
        bits = fixture_bits()
        bad = []
        for d, have in keys.items():
            for sel, key in have:
                name = "%s._domainkey.%s" % (sel, d)
                if sel == "selector1":
                    target = seen.get((name, "CNAME"), "").rstrip(".")
                    if target != cname[name]:
                        bad.append((name, "CNAME", target))
                    name = target
                rdata = seen.get((name, "TXT"))
                if rdata is None or dkim_key("".join(txt_strings(rdata)), bits) != key:
                    bad.append((name, rdata, key))
        self.assertEqual(bad, [])
        self.assertGreater(len(seen), 200)

    def test_deterministic(self):
        with tempfile.TemporaryDirectory() as d:
            again, par, small, other = (os.path.join(d, x) for x in ("a", "p", "s", "o"))
            gen(again, "-n", str(N))
            gen(par, "-n", str(N), "-j", "2")
            for f in FILES:
                self.assertEqual(read(os.path.join(again, f)), read(os.path.join(self.world, f)), f)
                self.assertEqual(read(os.path.join(par, f)), read(os.path.join(self.world, f)), f)
            # The MTA-STS policies too.
            for host in os.listdir(os.path.join(self.world, "https")):
                f = os.path.join("https", host, ".well-known", "mta-sts.txt")
                self.assertEqual(read(os.path.join(par, f)), read(os.path.join(self.world, f)), f)
            self.assertEqual(sorted(os.listdir(os.path.join(par, "https"))),
                             sorted(os.listdir(os.path.join(self.world, "https"))))
            # A smaller world is the start of the larger one.
            gen(small, "-n", "150")
            for f in ("domains.txt", "expected.csv"):
                self.assertTrue(read(os.path.join(self.world, f)).startswith(
                    read(os.path.join(small, f))), f)
            gen(other, "-n", str(N), "--seed", "2")
            self.assertNotEqual(read(os.path.join(other, "expected.csv")),
                                read(os.path.join(self.world, "expected.csv")))

    def test_query_mix(self):
        lines = read(os.path.join(self.world, "mix.txt")).decode().splitlines()
        qs = [tuple(l.split(" ")) for l in lines]
        self.assertTrue(all(len(q) == 2 and q[1] in ("TXT", "A", "AAAA", "MX") for q in qs))
        self.assertEqual(len(qs), len(set(qs)))  # each question once (shared cache)
        mine = set(qs)
        for r in self.rows:
            d = r["domain"]
            for q in ((d, "TXT"), ("_dmarc." + d, "TXT"), ("default._bimi." + d, "TXT"),
                      (d, "MX"), (d, "A"), (d, "AAAA")):
                self.assertIn(q, mine)
        # DKIM: every scan selector of every domain, asked at the domain;
        # a CNAME's target comes in the same answer, so it is not asked.
        for r in self.rows:
            for s in SCAN_SELECTORS:
                self.assertIn(("%s._domainkey.%s" % (s, r["domain"]), "TXT"), mine)
        self.assertEqual([q for q in qs if q[0].endswith(".mailer2.bench.test")
                          and "_domainkey" in q[0]], [])
        self.assertEqual(sum("._domainkey." in q[0] for q in qs), N * len(SCAN_SELECTORS))
        for q in (("_dmarc.bench.test", "TXT"), ("_dmarc.test", "TXT"),
                  ("_spf.mailer1.bench.test", "TXT"), ("_netblocks3.mailer1.bench.test", "TXT"),
                  ("mailer5.bench.test", "MX"), ("_spf.gone1.bench.test", "TXT")):
            self.assertIn(q, mine)
        # The SPF tree posture walks for one include domain is in the mix.
        d = next(r["domain"] for r in self.rows if r["spf_error"] == "spf.too_many_lookups")
        tree = self.posture("spf", d)["tree"]

        def names(node):
            yield node["domain"]
            for c in node["children"]:
                yield from names(c)
        for n in names(tree):
            self.assertIn((n, "TXT"), mine)
        self.assertGreater(self.posture("spf", d)["lookups"], 10)

    def test_help(self):
        p = subprocess.run([PY, GEN, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--query-mix", p.stdout)
        p = subprocess.run([PY, GEN], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2)


class WorldDnssec(unittest.TestCase):
    """A --dnssec world of 300 domains: bench.test signed by the bed's
    Knot, 6 domains a block in unsigned child zones (4 insecure, 2 bogus),
    TLSA records; scanned with every transport check."""

    @classmethod
    def setUpClass(cls):
        serve_world(cls, N, "posture-world-dnssec.", "--dnssec")
        cls.rows = rows(cls.world)

    @classmethod
    def tearDownClass(cls):
        stop_world(cls)

    def test_zones_and_expected(self):
        recs, signed = zone_records(self.world)
        self.assertEqual(signed, {"bench.test"})
        children = [f for f in os.listdir(os.path.join(self.world, "zones"))
                    if f not in ("bench.test.zone", "test.zone")]
        self.assertEqual(len(children), 6 * N // 100)
        # The bed trusts bench.test alone (test. is unsigned).
        with open(self.bed["BED_TRUST_ANCHORS"]) as f:
            anchors = [l.split()[0] for l in f if l.strip() and not l.startswith(";")]
        self.assertEqual(anchors, ["bench.test."])
        bad = [(r["domain"], tuple(r[c] for c in TRANSPORT_COLS)) for r in self.rows
               if transport_truth(self.world, r["domain"], recs, signed) !=
               tuple(r[c] for c in TRANSPORT_COLS)]
        self.assertEqual(bad, [])
        for b in range(0, N, 100):
            count = {}
            for r in self.rows[b:b + 100]:
                k = (r["dnssec_status"], r["dane_status"])
                count[k] = count.get(k, 0) + 1
            self.assertEqual(count, SEC_PER_100, "block %d" % (b // 100))

    def test_same_as_unsigned_but_dnssec(self):
        # --dnssec moves records and signs; every other column is the
        # unsigned world's.
        with tempfile.TemporaryDirectory() as d:
            gen(d, "-n", str(N))
            plain = rows(d)
        keep = [c for c in plain[0] if c not in ("dnssec_status", "dane_status")]
        self.assertEqual([[r[c] for c in keep] for r in self.rows],
                         [[r[c] for c in keep] for r in plain])

    def test_scan_every_transport_check(self):
        """posture scan --checks spf,dmarc,mx,mta-sts,tls-rpt,dnssec,dane
        with the bed's trust anchors stores every domain's five transport
        statuses as expected.csv says; the report's counts are the mix's,
        per 100 domains by hand."""
        counts = scan_transport(self, os.path.join(self.tmp, "all.db"),
                                "spf,dmarc,mx,mta-sts,tls-rpt,dnssec,dane",
                                "--trust-anchor", self.bed["BED_TRUST_ANCHORS"])
        blocks = N // 100
        # Per 100: DNSSEC secure 94 (bench.test), insecure 2 + 2 (child
        # zones without DS, 2 of them with TLSA), bogus 2 (a DS no key
        # matches); DANE 4 every MX host with a secure TLSA, 2 one host of
        # two, 2 TLSA in an insecure zone (unusable). MTA-STS and TLS-RPT
        # as in the unsigned world.
        hand = {"dnssec_checked": 100, "dnssec_secure": 94, "dnssec_insecure": 4,
                "dnssec_bogus": 2, "dnssec_indeterminate": 0,
                "dane_checked": 100, "dane_mx": 4, "dane_partial": 2, "dane_unusable": 2,
                "dane_indeterminate": 0,
                "mta_sts_enforce": 8, "mta_sts_testing": 3, "mta_sts_none": 1,
                "mta_sts_invalid": 3, "mta_sts_missing": 85, "mta_sts_mx_uncovered": 2,
                "tls_rpt": 12, "tls_rpt_invalid": 3}
        self.assertEqual({k: counts.get(k) for k in hand},
                         {k: v * blocks for k, v in hand.items()})


class KillDuringCheckpoints(unittest.TestCase):
    """A scan of 20,000 domains writes about 110 MB of results, so the
    store's background checkpoints run (a WAL checkpoint every 64 MB):
    kill -9 part-way, resume, and every domain has exactly one result,
    the one expected.csv says, in a sound database."""
    N = 20000

    @classmethod
    def setUpClass(cls):
        serve_world(cls, cls.N, "posture-world-kill.")

    @classmethod
    def tearDownClass(cls):
        stop_world(cls)

    def scan(self, db, *args):
        return subprocess.Popen([POSTURE, "scan", *args, "--db", db, "--resolver", self.auth,
                                 "--no-fetch", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_kill9_while_checkpointing_then_resume(self):
        import signal
        import sqlite3
        import time
        db = os.path.join(self.tmp, "kill.db")
        p = self.scan(db, os.path.join(self.world, "domains.txt"))
        # Wait until a first checkpoint's worth of results is stored
        # (the WAL passed 1,000 pages once), then kill.
        deadline = time.time() + 120
        done = 0
        while time.time() < deadline and p.poll() is None:
            time.sleep(0.1)
            try:
                con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
                done = con.execute("SELECT count(*) FROM run_results").fetchone()[0]
                con.close()
            except sqlite3.Error:
                continue
            if done >= 13000:
                break
        self.assertIsNone(p.poll(), "the scan ended before it could be killed")
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        self.assertGreaterEqual(done, 13000)
        con = sqlite3.connect(db)
        run = con.execute("SELECT id FROM runs").fetchone()[0]
        con.close()
        p = self.scan(db, "--resume", str(run))
        out, err = p.communicate(timeout=300)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(json.loads(out)["done"], self.N)
        con = sqlite3.connect(db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            per = con.execute("SELECT count(*), count(DISTINCT domain_id) FROM run_results"
                              " WHERE run_id = ?", (run,)).fetchone()
            got = {r[0]: r[1:] for r in con.execute(
                "SELECT d.name, r.spf_status, coalesce(r.spf_error, ''), r.dmarc_status,"
                " r.dmarc_enforcement FROM run_results r JOIN domains d ON d.id = r.domain_id")}
            state = con.execute("SELECT state, done FROM runs").fetchall()
        finally:
            con.close()
        self.assertEqual(per, (self.N, self.N))
        self.assertEqual(state, [("finished", self.N)])
        want = {e["domain"]: (e["spf_status"], e["spf_error"], e["dmarc_status"],
                              e["dmarc_enforcement"]) for e in rows(self.world)}
        wrong = [d for d in want if got.get(d) != want[d]]
        self.assertEqual(wrong[:5], [])


if __name__ == "__main__":
    unittest.main(verbosity=1)
