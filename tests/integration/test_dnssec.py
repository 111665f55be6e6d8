#!/usr/bin/python3
"""posture dnssec through the command line, against a bed of its own.

The bed serves four zones of tests/zones (BED_ZONES: a copy of just
them): test (unsigned, the parent), dnssec.test (Knot signs it at start:
"; dnssec: sign"), unsigned.dnssec.test (unsigned, delegated from
dnssec.test without a DS record) and bogus.test (signed by
tests/bed/presign.py with the apex MX's RRSIG expired and the apex TXT's
signature broken: "; dnssec: presigned"). The bed writes the DS records of
dnssec.test and bogus.test to BED_TRUST_ANCHORS; posture is given that
file with --trust-anchor. Every expected status below was written by hand
from the zone files (their headers say what each name is for).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from posturetest import BED, POSTURE, ROOT  # noqa: E402

ZONES = ["test", "dnssec.test", "unsigned.dnssec.test", "bogus.test"]


class Dnssec(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dnssec.", dir=os.environ.get("TMPDIR"))
        zones = os.path.join(cls.tmp, "zones")
        os.mkdir(zones)
        for z in ZONES:
            shutil.copy(os.path.join(ROOT, "tests", "zones", z + ".zone"), zones)
        cls.bed = os.path.join(cls.tmp, "bed")
        p = subprocess.run([BED, "start", cls.bed], env=dict(os.environ, BED_ZONES=zones),
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise AssertionError(p.stderr)
        with open(os.path.join(cls.bed, "bed.env")) as f:
            env = dict(line.strip().partition("=")[::2] for line in f if "=" in line)
        cls.auth = env["BED_AUTH"].strip("'\"")
        cls.fault = env["BED_FAULT"].strip("'\"")
        cls.anchors = env["BED_TRUST_ANCHORS"].strip("'\"")

    @classmethod
    def tearDownClass(cls):
        subprocess.run([BED, "stop", cls.bed], capture_output=True, timeout=60)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers ----

    def run_cli(self, *args, anchor=True, resolver=None):
        cmd = [POSTURE, "dnssec", *args, "--resolver", resolver or self.auth]
        if anchor:
            cmd += ["--trust-anchor", self.anchors]
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode()

    def run_json(self, domain, **kw):
        rc, out, err = self.run_cli(domain, "--json", **kw)
        try:
            return rc, json.loads(out)
        except json.JSONDecodeError as e:
            raise AssertionError(f"not JSON ({e}): {out!r} {err!r}")

    def answers(self, d):
        return [(a["name"], a["type"], a["status"], a["outcome"]) for a in d["answers"]]

    # ---- the bed's anchors ----

    def test_anchor_file(self):
        # Signed zones whose parent (test) is unsigned: dnssec.test, and
        # bogus.test; not the unsigned child nor test itself. SHA-256 DS
        # records of algorithm 13 (ECDSA P-256), one each.
        owners = []
        with open(self.anchors) as f:
            for line in f:
                if line.startswith(";") or not line.strip():
                    continue
                w = line.split()
                i = w.index("DS")
                self.assertEqual((w[i + 2], w[i + 3]), ("13", "2"), line)
                self.assertEqual(len(w[i + 4]), 64, line)
                owners.append(w[0])
        self.assertEqual(sorted(owners), ["bogus.test.", "dnssec.test."])

    # ---- statuses ----

    def test_secure(self):
        rc, d = self.run_json("dnssec.test")
        self.assertEqual(rc, 0, d)
        self.assertEqual(d["domain"], "dnssec.test")
        self.assertEqual(d["status"], "secure")
        self.assertEqual(self.answers(d), [
            ("dnssec.test", "MX", "secure", "data"),
            ("dnssec.test", "SOA", "secure", "data"),
            ("_dmarc.dnssec.test", "TXT", "secure", "data"),
            ("dnssec.test", "TXT", "secure", "data"),
        ])
        self.assertEqual(d["findings"], [])

    def test_secure_denial(self):
        # No such name: NXDOMAIN, proven by the signed NSEC chain.
        rc, d = self.run_json("nothing.dnssec.test")
        self.assertEqual(rc, 0, d)
        self.assertEqual(self.answers(d), [
            ("nothing.dnssec.test", "MX", "secure", "nxdomain"),
            ("nothing.dnssec.test", "SOA", "secure", "nxdomain"),
            ("_dmarc.nothing.dnssec.test", "TXT", "secure", "nxdomain"),
            ("nothing.dnssec.test", "TXT", "secure", "nxdomain"),
        ])

    def test_insecure(self):
        rc, d = self.run_json("unsigned.dnssec.test")
        self.assertEqual(rc, 1, d)
        self.assertEqual(d["status"], "insecure")
        self.assertEqual(self.answers(d), [
            ("unsigned.dnssec.test", "MX", "insecure", "data"),
            ("unsigned.dnssec.test", "SOA", "insecure", "data"),
            ("_dmarc.unsigned.dnssec.test", "TXT", "insecure", "data"),
            ("unsigned.dnssec.test", "TXT", "insecure", "data"),
        ])
        self.assertEqual([(f["code"], f["severity"], f["path"]) for f in d["findings"]],
                         [("dnssec.insecure", "warning", "unsigned.dnssec.test")])

    def test_bogus(self):
        # MX: RRSIG expired; TXT (SPF): signature broken; SOA and the
        # DMARC record signed correctly.
        rc, d = self.run_json("bogus.test")
        self.assertEqual(rc, 1, d)
        self.assertEqual(d["status"], "bogus")
        self.assertEqual(self.answers(d), [
            ("bogus.test", "MX", "bogus", "data"),
            ("bogus.test", "SOA", "secure", "data"),
            ("_dmarc.bogus.test", "TXT", "secure", "data"),
            ("bogus.test", "TXT", "bogus", "data"),
        ])
        self.assertEqual([(f["code"], f["severity"], f["path"]) for f in d["findings"]],
                         [("dnssec.bogus", "error", "bogus.test")])
        self.assertIn("bogus.test MX, bogus.test TXT (SPF)", d["findings"][0]["message"])

    def test_indeterminate(self):
        # A zone the server does not serve: REFUSED, no verdict (exit 4),
        # never "insecure".
        rc, d = self.run_json("notserved.example")
        self.assertEqual(rc, 4, d)
        self.assertEqual(d["status"], "indeterminate")
        self.assertEqual(self.answers(d), [
            ("notserved.example", "MX", "indeterminate", "servfail"),
            ("notserved.example", "SOA", "indeterminate", "servfail"),
            ("_dmarc.notserved.example", "TXT", "indeterminate", "servfail"),
            ("notserved.example", "TXT", "indeterminate", "servfail"),
        ])
        self.assertEqual([(f["code"], f["path"]) for f in d["findings"]],
                         [("dnssec.indeterminate", "notserved.example")])
        self.assertIn("REFUSED", d["findings"][0]["message"])

    def test_no_anchor_covers(self):
        # other.test is in test. (served, unsigned: NXDOMAIN), which no
        # anchor covers: no chain of trust can be built, so no verdict.
        rc, d = self.run_json("other.test")
        self.assertEqual(rc, 4, d)
        self.assertEqual([a["status"] for a in d["answers"]], ["indeterminate"] * 4)

    def test_resolver_without_dnssec(self):
        # faultdns answers every name with data and no signature, DS and
        # DNSKEY questions with nothing: a resolver that passes no DNSSEC
        # records. No verdict (exit 4), never "bogus", with either anchor.
        for anchor in (False, True):
            rc, out, err = self.run_cli("x.fault.test", "--json", anchor=anchor,
                                        resolver=self.fault)
            self.assertEqual(rc, 4, out + err)
            d = json.loads(out)
            self.assertEqual([(a["status"], a["outcome"]) for a in d["answers"]],
                             [("indeterminate", "data"), ("indeterminate", "nodata"),
                              ("indeterminate", "data"), ("indeterminate", "data")])
            # Under the root anchor getdns calls the answers bogus (the
            # chain from the root's keys is broken); posture sees that
            # not one signature came back at all.
            if not anchor:
                self.assertIn("no DNSSEC signature at all", d["findings"][0]["message"])

    def test_default_anchor(self):
        # The bundled root anchor: the bed's zones do not chain to the
        # real root, so dnssec.test is not secure without --trust-anchor.
        rc, out, err = self.run_cli("dnssec.test", anchor=False)
        self.assertIn(rc, (1, 4), out + err)
        self.assertNotIn("DNSSEC secure", out)
        self.assertIn("trust anchor: the bundled root anchor", out)

    def test_text(self):
        rc, out, err = self.run_cli("bogus.test")
        self.assertEqual(rc, 1, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "bogus.test  DNSSEC bogus")
        self.assertEqual(lines[1].split(), ["MX", "bogus.test", "MX:", "bogus", "(data)"])
        self.assertEqual(lines[3].split(),
                         ["DMARC", "_dmarc.bogus.test", "TXT:", "secure", "(data)"])
        self.assertIn("ERROR   dnssec.bogus:", out)

    # ---- usage ----

    def test_bad_trust_anchor(self):
        empty = os.path.join(self.tmp, "empty.txt")
        with open(empty, "w") as f:
            f.write("; no records\nexample. 300 IN A 192.0.2.1\n")
        for path, why in [(os.path.join(self.tmp, "missing.txt"), "No such file"),
                          (self.tmp, "Is a directory"),
                          (empty, "holds no DS or DNSKEY record")]:
            rc, out, err = self.run_cli("dnssec.test", "--trust-anchor", path, anchor=False)
            self.assertEqual(rc, 2, err)
            self.assertIn("--trust-anchor", err)
            self.assertIn(why, err)
            self.assertEqual(out, "")

    def test_usage(self):
        rc, out, err = self.run_cli(anchor=False)
        self.assertEqual(rc, 2)
        self.assertIn("dnssec needs a DOMAIN", err)
        rc, out, err = self.run_cli("dnssec.test", "--trust-anchor", anchor=False)
        self.assertEqual(rc, 2)
        self.assertIn("--trust-anchor needs a value", err)
        rc, out, err = self.run_cli("dnssec.test", "--trust-ancor", "x", anchor=False)
        self.assertEqual(rc, 2)
        self.assertIn("did you mean '--trust-anchor'", err)
        rc, out, err = self.run_cli("a.test", "b.test", anchor=False)
        self.assertEqual(rc, 2)

    def test_help(self):
        p = subprocess.run([POSTURE, "dnssec", "--help"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0)
        for word in ("secure", "insecure", "bogus", "indeterminate", "--trust-anchor",
                     "20326", "dns-root-data", "2024071801"):
            self.assertIn(word, p.stdout)


if __name__ == "__main__":
    unittest.main()
