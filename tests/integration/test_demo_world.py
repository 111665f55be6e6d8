"""The demo world (scripts/gen-demo.py) against posture itself.

Generates the world into a temporary directory and checks: the same seed
gives the same zones, lists, logos and README (only openssl's keys and
certificates differ); the list and the expected results agree and hold
every case the demo promises; every logo is SVG Tiny PS and every mark
certificate validates against the demo root (`posture svg`, `posture vmc
--vmc-roots`), except the deliberately broken showcases, which show their
finding; every BIMI URL's host resolves and its file is in the HTTPS
docroot. Then a second bed serves the world's zones (tests/bed/bed.sh run,
BED_ZONES at them), `posture scan` stores the list, and the SPF, DMARC,
MX and A columns of every domain equal expected.csv.
"""
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from posturetest import POSTURE, stored_results  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-demo.py")
BED = os.path.join(ROOT, "tests", "bed", "bed.sh")
PY = "/usr/bin/python3"


# The receivers' reports are dated from the day the world is made: a fixed
# day, so that two worlds made across midnight are still the same.
TODAY = "2026-01-15"


def gen(outdir, *args):
    p = subprocess.run([PY, GEN, outdir, "-q", "--today", TODAY, *args], capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("gen-demo.py failed: %s" % p.stderr)


def files(top, skip_pem=True):
    """{relative path: bytes} of every file below top."""
    out = {}
    for d, _, names in os.walk(top):
        for n in names:
            if skip_pem and n.endswith(".pem"):
                continue
            path = os.path.join(d, n)
            with open(path, "rb") as f:
                out[os.path.relpath(path, top)] = f.read()
    return out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def posture_json(*args):
    p = subprocess.run([POSTURE, *args, "--json"], capture_output=True, text=True, timeout=60)
    return p.returncode, json.loads(p.stdout)


class DemoWorld(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="posture-demo.")
        cls.world = os.path.join(cls.tmp, "world")
        gen(cls.world)
        cls.expected = read_csv(os.path.join(cls.world, "expected.csv"))
        cls.by_domain = {r["domain"]: r for r in cls.expected}
        cls.zones = os.path.join(cls.world, "zones")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def records(self, name, typ):
        """The rdata of name's records of typ, read from the zone files."""
        zone = ".".join(name.split(".")[-2:])
        rel = "@" if name == zone else name[:-len(zone) - 1]
        out = []
        with open(os.path.join(self.zones, zone + ".zone")) as f:
            for line in f:
                parts = line.rstrip("\n").split(" ", 2)
                if len(parts) == 3 and parts[0] == rel and parts[1] == typ:
                    out.append(parts[2])
        return out

    def bimi_record(self, domain):
        recs = self.records("default._bimi." + domain, "TXT")
        return recs[0].strip('"') if recs else None

    def test_deterministic(self):
        again = os.path.join(self.tmp, "again")
        gen(again)
        self.assertEqual(files(again), files(self.world))
        # The certificates are new, but their names and subjects are not.
        self.assertEqual(set(files(again, False)), set(files(self.world, False)))
        other = os.path.join(self.tmp, "other")
        gen(other, "--seed", "2")
        self.assertNotEqual(files(other)["expected.csv"], files(self.world)["expected.csv"])
        # Regenerating into a used directory leaves no stale zone behind.
        gen(other)
        self.assertEqual(files(other), files(self.world))

    def test_list_and_expected(self):
        lst = read_csv(os.path.join(self.world, "companies.csv"))
        with open(os.path.join(self.world, "companies.csv")) as f:
            self.assertEqual(f.readline(), "domain,company,code,sector,list\n")
        self.assertEqual([r["domain"] for r in lst], [r["domain"] for r in self.expected])
        self.assertEqual(len(set(r["domain"] for r in lst)), len(lst))
        self.assertTrue(all(re.fullmatch(r"[a-z0-9-]+\.test", r["domain"]) for r in lst))
        companies = Counter(r["company"] for r in lst)
        self.assertEqual(len(companies), 300)
        self.assertGreaterEqual(sum(1 for n in companies.values() if n > 1), 5)
        # A company's rows are together, primary first, under one code.
        seen = []
        for r, e in zip(lst, self.expected):
            self.assertEqual(r["company"], e["company"])
            if not seen or seen[-1][0] != r["company"]:
                self.assertEqual(e["role"], "primary", r["domain"])
                seen.append((r["company"], r["code"]))
            else:
                self.assertEqual((e["role"], r["code"]), ("brand", seen[-1][1]), r["domain"])
        self.assertEqual(len(seen), 300)
        with open(os.path.join(self.world, "README")) as f:
            self.assertIn("FICTIONAL", f.read())
        # Every case the demo promises is there.
        got = Counter()
        for e in self.expected:
            got[("spf", e["spf_status"], e["spf_error"])] += 1
            got[("all", e["spf_all"])] += 1
            got[("dmarc", e["dmarc_enforcement"], e["dmarc_enforcement_rfc7489"])] += 1
            got[("rua", e["rua"])] += 1
            got[("mx", e["mx"])] += 1
            got[("a", e["a"])] += 1
        for key in [("spf", "ok", ""), ("spf", "none", ""),
                    ("spf", "permerror", "spf.include_no_record"),
                    ("spf", "permerror", "spf.too_many_lookups"),
                    ("spf", "permerror", "spf.void_lookups"), ("all", "-all"), ("all", "~all"),
                    ("all", "?all"), ("all", "+all"), ("dmarc", "monitor", "monitor"),
                    ("dmarc", "reject", "reject"), ("dmarc", "quarantine", "quarantine"),
                    ("dmarc", "reject", "partial"), ("dmarc", "partial", "reject"),
                    ("dmarc", "missing", "missing"), ("dmarc", "invalid", "invalid"),
                    ("rua", "own"), ("rua", "authorized"), ("rua", "unauthorized"),
                    ("mx", "absent"), ("a", "absent")]:
            self.assertGreater(got[key], 0, key)
        self.assertGreater(got[("dmarc", "monitor", "monitor")], len(self.expected) // 3)
        self.assertEqual(got[("mx", "null_mx")], 1)
        redirects = [e for e in self.expected
                     if any("redirect=" in t for t in self.records(e["domain"], "TXT"))]
        self.assertTrue(redirects)
        self.assertTrue(any("sp=none" in t for e in self.expected
                            for t in self.records("_dmarc." + e["domain"], "TXT")
                            if "p=reject" in t))

    def test_zone_files(self):
        names = sorted(os.listdir(self.zones))
        self.assertIn("test.zone", names)
        self.assertIn("demo.test.zone", names)
        for n in names:
            with open(os.path.join(self.zones, n)) as f:
                text = f.read()
            # bed.sh serves NAME.zone as the zone NAME.
            self.assertIn("$ORIGIN %s.\n" % n[:-len(".zone")], text, n)
        for e in self.expected:
            self.assertIn(e["domain"] + ".zone", names)
        for host in ("bimi.demo.test", "cdn.demo.test"):
            self.assertEqual(self.records(host, "A"), ["127.0.0.1"])

    def test_bimi_showcases(self):
        cases = {e["bimi"]: e for e in self.expected if e["bimi"]}
        self.assertEqual(set(cases), {
            "ready-vmc", "ready-cmc", "self-asserted", "vmc-hash-mismatch", "logo-mismatch",
            "invalid-logo", "dmarc-not-enforced", "declined", "insecure-url"})
        for case, e in cases.items():
            rec = self.bimi_record(e["domain"])
            self.assertTrue(rec.startswith("v=BIMI1; l="), rec)
            # Every BIMI-showing domain but the p=none one meets the
            # DMARC/SPF/MX/A preconditions: each shows one problem.
            self.assertEqual(e["bimi_eligible"], "0" if case == "dmarc-not-enforced" else "1",
                             case)
            for url in re.findall(r"https?://[^; ]+", rec):
                host, path = url.split("://")[1].split("/", 1)
                self.assertTrue(host.endswith(".demo.test"), url)
                self.assertTrue(os.path.isfile(os.path.join(self.world, "https", host, path)),
                                url)
            has_a = re.search(r"a=https://", rec) is not None
            self.assertEqual(has_a, case in ("ready-vmc", "ready-cmc", "vmc-hash-mismatch",
                                             "logo-mismatch", "dmarc-not-enforced"), case)
        self.assertEqual(self.bimi_record(cases["declined"]["domain"]), "v=BIMI1; l=; a=")
        self.assertIn("l=http://", self.bimi_record(cases["insecure-url"]["domain"]))
        ready = cases["ready-vmc"]
        self.assertEqual((ready["spf_status"], ready["spf_all"], ready["dmarc_policy"],
                          ready["dmarc_enforcement"], ready["mx"], ready["a"]),
                         ("ok", "-all", "reject", "reject", "present", "present"))
        self.assertEqual(sum(1 for e in self.expected if self.bimi_record(e["domain"])), 9)

    def test_logos_validate(self):
        top = os.path.join(self.world, "https")
        logos = sorted(p for p in files(top) if p.endswith(".svg"))
        self.assertEqual(len(logos), 8)  # every showcase but the declined one
        for rel in logos:
            path = os.path.join(top, rel)
            self.assertLess(os.path.getsize(path), 32768, rel)
            rc, d = posture_json("svg", path)
            domain = rel.split("/")[1] + ".test"
            want = self.by_domain[domain]["bimi_finding"]
            if want.startswith("svg."):
                self.assertEqual((rc, d["status"]), (1, "invalid"), rel)
                self.assertIn(want, {f["code"] for f in d["findings"]}, rel)
            else:
                self.assertEqual((rc, d["status"], d["findings"]), (0, "valid", []), rel)

    def test_certificates_validate(self):
        top = os.path.join(self.world, "https")
        roots = os.path.join(self.world, "vmc-roots.pem")
        chains = sorted(p for p in files(top, False) if p.endswith(".pem"))
        self.assertEqual(len(chains), 5)
        for rel in chains:
            domain = os.path.basename(rel)[:-len(".pem")] + ".test"
            e = self.by_domain[domain]
            logo = os.path.join(top, "bimi.demo.test", domain[:-len(".test")], "logo.svg")
            rc, d = posture_json("vmc", os.path.join(top, rel), "--domain", domain, "--svg",
                                 logo, "--vmc-roots", roots)
            codes = {f["code"] for f in d["findings"]}
            self.assertEqual(d["type"], "CMC" if e["bimi"] == "ready-cmc" else "VMC", rel)
            self.assertEqual(d["domains"], [domain])
            self.assertEqual((d["not_before"], d["not_after"]),
                             ("2025-01-01T00:00:00Z", "2035-01-01T00:00:00Z"))
            if e["bimi_finding"]:
                self.assertEqual((rc, d["status"]), (1, "invalid"), rel)
                self.assertIn(e["bimi_finding"], codes, rel)
            else:
                self.assertEqual((rc, d["status"]), (0, "valid"), (rel, codes))
            # Not trusted without the demo root: no real MVA issued it.
            rc, d = posture_json("vmc", os.path.join(top, rel), "--domain", domain)
            self.assertEqual((rc, d["status"]), (1, "invalid"), rel)

    def test_scan_matches_expected(self):
        db = os.path.join(self.tmp, "demo.db")
        env = dict(os.environ, BED_ZONES=self.zones)
        p = subprocess.run(
            [BED, "run", os.path.join(self.tmp, "bed"), "--", "sh", "-c",
             'exec "$0" scan "$1" --db "$2" --resolver "$BED_AUTH" --json', POSTURE,
             os.path.join(self.world, "companies.csv"), db],
            env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        summary = json.loads(p.stdout)
        self.assertEqual((summary["state"], summary["done"], summary["errors"]),
                         ("finished", len(self.expected), 0))
        con = sqlite3.connect(db)
        try:
            got = list(con.execute(
                "SELECT d.name, d.company, r.spf_status, r.spf_error, r.spf_all,"
                " r.dmarc_status, r.dmarc_policy, r.dmarc_enforcement, r.mx, r.a,"
                " r.conclusive FROM run_results r JOIN domains d ON d.id = r.domain_id"))
        finally:
            con.close()
        js = stored_results(db)
        got = [row + (json.dumps(js[row[0]]),) for row in got]
        self.assertEqual(len(got), len(self.expected))
        bad = []
        for (name, company, spf, err, all_, dst, pol, enf, mx, a, conclusive, js) in got:
            e = self.by_domain[name]
            dmarc = json.loads(js)["dmarc"]
            auth = [u["authorized"] for u in dmarc.get("rua") or []]
            rua = {(): "", (None,): "own", (True,): "authorized",
                   (False,): "unauthorized"}.get(tuple(auth), repr(auth))
            have = (company, spf, err or "", all_ or "", dst, pol or "", enf,
                    dmarc["rfc7489"]["enforcement"], rua, mx, a, conclusive)
            want = (e["company"], e["spf_status"], e["spf_error"], e["spf_all"],
                    e["dmarc_status"], e["dmarc_policy"], e["dmarc_enforcement"],
                    e["dmarc_enforcement_rfc7489"], e["rua"], e["mx"], e["a"], 1)
            if have != want:
                bad.append((name, have, want))
        self.assertEqual(bad, [])
        self.check_facts(db)

    def check_facts(self, db):
        """Reports read each result's facts (a projection of its JSON) and
        the statistics kept at the end of the scan; the same reports with
        the facts and the kept statistics removed count from the JSON
        alone, and must say the same. db check compares every result's
        facts with its JSON."""
        p = subprocess.run([POSTURE, "db", "check", "--db", db, "--json"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        c = json.loads(p.stdout)
        self.assertEqual((c["problems"], c["facts"]), (0, c["stored"]))
        self.assertEqual(c["stored"], len(self.expected))
        kinds = (["--format", "json"], ["--domains", "--format", "csv"],
                 ["--companies", "--format", "csv"], ["--format", "text"])

        def reports():
            out = []
            for k in kinds:
                r = subprocess.run([POSTURE, "report", "--db", db, *k],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                out.append(r.stdout)
            return out
        con = sqlite3.connect(db)
        try:
            kept = con.execute("SELECT count(*) FROM run_stats").fetchone()[0]
            facts = con.execute("SELECT count(*) FROM results WHERE facts IS NOT NULL"
                                ).fetchone()[0]
        finally:
            con.close()
        self.assertEqual((kept, facts), (1, len(self.expected)))
        with_facts = reports()
        con = sqlite3.connect(db)
        try:
            con.execute("UPDATE results SET facts = NULL")
            con.execute("DELETE FROM run_stats")
            con.commit()
        finally:
            con.close()
        from_json = reports()
        for k, a, b in zip(kinds, with_facts, from_json):
            self.assertEqual(a, b, " ".join(k))
        self.assertIn("dmarc_enforced", with_facts[0])

    def test_help(self):
        p = subprocess.run([PY, GEN, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--seed", p.stdout)
        p = subprocess.run([PY, GEN], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=1)
