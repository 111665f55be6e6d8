#!/usr/bin/env python3
"""Integration tests of domains that do not exist (issue 18 item 5).

A name under a served zone with no records at all (nosuch.spf.test,
gone.dmarc.test) is answered NXDOMAIN by the bed's Knot (RFC 8020 2:
nothing exists at or below it). A scan stores it with "exists": false in
the result JSON, the reports count it as domain_nxdomain and leave it out
of every SPF, DMARC and BIMI figure, and `posture check` says so first.
Hand counts come from the zone files (tests/zones/spf.test.zone,
dmarc.test.zone), not from posture.
"""
import json
import os
import sqlite3
import subprocess
import tempfile
import unittest

from posturetest import AUTH, POSTURE, run, stored_results

NX = ["nosuch.spf.test", "gone.dmarc.test"]
# Domains that exist: SPF ok / DMARC none; SPF PermError (two records) /
# DMARC none; SPF none / DMARC p=none.
LIVE = ["good.spf.test", "two.spf.test", "nop.dmarc.test"]

# metric: (count, denominator) in the domain view; every domain is its own
# company, so the company view holds the same figures.
EXPECTED = {
    "results": (5, 5),
    "domain_nxdomain": (2, 5),
    "inconclusive": (0, 5),
    "spf_checked": (3, 5),
    "spf_none": (1, 3),
    "spf_ok": (1, 3),
    "spf_permerror": (1, 3),
    "spf_record": (2, 3),
    "dmarc_checked": (3, 5),
    "dmarc_missing": (2, 3),
    "dmarc_monitor": (1, 3),
    "dmarc_enforced": (0, 3),
    "bimi_checked": (3, 5),
    "bimi_record": (0, 3),
    "bimi_not_eligible": (3, 3),
    "bimi_fail_spf": (2, 3),  # good.spf.test ends in -all: passes
    "mx_checked": (5, 5),
}


class NxDomain(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="nx.", dir=os.environ.get("TMPDIR"))
        self.db = os.path.join(self.tmp, "t.db")
        self.lst = os.path.join(self.tmp, "l.txt")
        with open(self.lst, "w", encoding="utf-8") as f:
            f.write("\n".join(NX[:1] + LIVE + NX[1:]) + "\n")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def scan(self, *extra):
        p = subprocess.run([POSTURE, "scan", self.lst, "--db", self.db, "--resolver", AUTH,
                            *extra], capture_output=True, timeout=120)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return p

    def stats(self):
        p = subprocess.run([POSTURE, "report", "--db", self.db, "--format", "json"],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        return {(m["metric"], m["view"]): (m["count"], m["denominator"]) for m in j["metrics"]}

    def stored(self):
        return stored_results(self.db)

    def test_scan_counts_nxdomain_apart(self):
        self.scan()
        got = self.stats()
        for metric, want in EXPECTED.items():
            for view in ("domain", "company"):
                self.assertEqual(got.get((metric, view)), want, f"{metric} {view}")
        # company_any: an SPF PermError among the three that exist.
        self.assertEqual(got[("spf_permerror", "company_any")], (1, 3))
        js = self.stored()
        for d in NX:
            self.assertIs(js[d]["exists"], False, d)
            self.assertTrue(js[d]["conclusive"], d)
        # Domains that exist keep their JSON as it was: no "exists" key.
        for d in LIVE:
            self.assertNotIn("exists", js[d], d)
        # The status columns say nxdomain, not "none"/"missing".
        con = sqlite3.connect(self.db)
        try:
            cols = {d: (s, m) for d, s, m in con.execute(
                "SELECT d.name, r.spf_status, r.dmarc_status FROM run_results r"
                " JOIN domains d ON d.id = r.domain_id")}
        finally:
            con.close()
        for d in NX:
            self.assertEqual(cols[d], ("nxdomain", "nxdomain"), d)
        self.assertEqual(cols["good.spf.test"][0], "ok")

    def test_without_spf_a_or_mx_decides(self):
        self.scan("--checks", "mx")
        got = self.stats()
        self.assertEqual(got[("domain_nxdomain", "domain")], (2, 5))
        self.assertEqual(got[("spf_checked", "domain")], (0, 5))
        js = self.stored()
        self.assertEqual({d for d in js if js[d].get("exists") is False}, set(NX))

    def test_check_says_it_first(self):
        rc, out, err = run("check", "nosuch.spf.test")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out.splitlines()[0],
                         "nosuch.spf.test does not exist (NXDOMAIN): "
                         "nothing below can be published")
        rc, out, err = run("check", "nosuch.spf.test", "--json")
        self.assertEqual(rc, 1, err)
        self.assertIs(json.loads(out)["exists"], False)
        # A domain that exists: neither the line nor the key.
        rc, out, err = run("check", "good.spf.test")
        self.assertNotIn("does not exist", out)
        rc, out, err = run("check", "good.spf.test", "--json")
        self.assertNotIn("exists", json.loads(out))


if __name__ == "__main__":
    unittest.main()
