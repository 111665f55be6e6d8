#!/usr/bin/env python3
"""Tests of the `posture vmc` command (no DNS: the bed is not used).

Expected values come from outside posture: dates from `openssl x509
-dates`, chain verdicts from `openssl verify -purpose any -attime`, logo
hashes from Python's base64/gzip/hashlib over the certificates' logotype
data: URIs (see tests/fixtures/vmc/README.md). The test CA is made by
tests/fixtures/vmc/make-test-ca.sh into a temporary directory.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from posturetest import POSTURE, run, run_json

FIX = "tests/fixtures/vmc/"


def vmc(*args):
    """Runs posture vmc; returns (exit status, stdout, stderr)."""
    return run("vmc", *args, resolver=None)


def vmc_json(*args):
    """Runs posture vmc --json (the --resolver run_json adds is unused)."""
    return run_json("vmc", *args)


def codes(d):
    return {f["code"] for f in d["findings"]}


class Real(unittest.TestCase):
    def test_valimail_2024_json(self):
        rc, d = vmc_json(FIX + "valimail-2024.pem", "--domain", "valimail.com",
                         "--at", "2025-01-01")
        self.assertEqual(rc, 0)
        self.assertEqual(list(d), ["status", "type", "subject", "domains", "not_before",
                                   "not_after", "mark_type", "logo_sha256", "findings"])
        self.assertEqual(d["status"], "valid")
        self.assertEqual(d["type"], "VMC")
        self.assertEqual(d["domains"], ["valigov.com", "vali.email", "valimail.com"])
        self.assertEqual(d["not_before"], "2024-09-24T00:00:00Z")
        self.assertEqual(d["not_after"], "2025-10-25T23:59:59Z")
        self.assertEqual(d["mark_type"], "Registered Mark")
        self.assertEqual(d["logo_sha256"],
                         "83a6e433f7f0d9ca91a36274eabe016444406ff766668c2e72eaaa0003eb0c07")
        self.assertIn("CN=Valimail Inc", d["subject"])
        self.assertEqual(codes(d), {"vmc.revocation_not_checked"})

    def test_expired_now(self):
        # Every real VMC here expired before 2026: "now" finds it expired.
        rc, d = vmc_json(FIX + "valimail-2024.pem")
        self.assertEqual(rc, 1)
        self.assertEqual(d["status"], "invalid")
        self.assertIn("vmc.expired", codes(d))

    def test_paypal_2025(self):
        rc, d = vmc_json(FIX + "paypal-2025.pem", "--at", "2025-05-01T12:00:00Z")
        self.assertEqual(rc, 1)
        f = next(f for f in d["findings"] if f["code"] == "vmc.wrong_intermediate")
        self.assertIn("DigiCert Verified Mark RSA4096 SHA256 2021 CA1", f["message"])
        self.assertIn("DigiCert Verified Mark Intermediate CA", f["message"])
        rc, d = vmc_json(FIX + "paypal-2025.pem", "--at", "2025-05-01T12:00:00Z",
                         "--intermediate", FIX + "digicert-vm-rsa4096-2021-ca1.pem",
                         "--domain", "paypal.co.uk")
        self.assertEqual(rc, 0, d)
        self.assertEqual(d["status"], "valid")

    def test_text(self):
        rc, out, _ = vmc(FIX + "paypal-2021.pem", "--at", "2021-05-01")
        self.assertEqual(rc, 0)
        self.assertIn("VMC valid", out)
        self.assertIn("valid    2021-04-06T00:00:00Z .. 2021-07-03T23:59:59Z", out)
        self.assertIn("3097 bytes of SVG", out)
        self.assertIn("declared hash matches", out)


class TestCA(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="posture-vmc-")
        subprocess.run([FIX + "make-test-ca.sh", cls.dir], check=True,
                       capture_output=True, timeout=120)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def ca(self, case, *args):
        return vmc_json(os.path.join(self.dir, case + ".pem"), "--vmc-roots",
                        os.path.join(self.dir, "root.pem"), "--at", "2026-01-01", *args)

    def test_svg_compare(self):
        rc, d = self.ca("good", "--svg", os.path.join(self.dir, "logo.svg"),
                        "--domain", "brand.test")
        self.assertEqual((rc, d["status"]), (0, "valid"))
        self.assertNotIn("vmc.logo_mismatch", codes(d))
        rc, d = self.ca("good", "--svg", os.path.join(self.dir, "other.svg"))
        self.assertEqual((rc, d["status"]), (1, "invalid"))
        self.assertIn("vmc.logo_mismatch", codes(d))

    def test_cases(self):
        for case, want in (("gzip-bomb", "vmc.gzip_bomb"),
                           ("hash-mismatch", "vmc.logo_hash_mismatch"),
                           ("no-eku", "vmc.no_bimi_eku"),
                           ("expired", "vmc.expired"),
                           ("bad-logo", "vmc.logo_not_tiny_ps")):
            rc, d = self.ca(case)
            self.assertEqual(rc, 1, case)
            self.assertIn(want, codes(d), case)
        rc, d = self.ca("cmc", "--domain", "cmc.brand.test", "--selector", "default")
        self.assertEqual((rc, d["type"], d["mark_type"]), (0, "CMC", "Prior Use Mark"))


class Usage(unittest.TestCase):
    def test_help(self):
        p = subprocess.run([POSTURE, "vmc", "--help"], capture_output=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--vmc-roots FILE", p.stdout)
        self.assertIn(b"--intermediate FILE", p.stdout)

    def test_usage_errors(self):
        for args in ([], ["a.pem", "b.pem"], ["x.pem", "--at", "yesterday"],
                     ["x.pem", "--at"], ["x.pem", "--bogus"], ["x.pem", "--selector", "s"],
                     ["x.pem", "--domain", "bücher.example"]):
            rc, _, err = vmc(*args)
            self.assertEqual(rc, 2, args)
            self.assertTrue(err.startswith("posture:"), err)

    def test_failures(self):
        rc, _, err = vmc("/nonexistent.pem")
        self.assertEqual(rc, 2)  # a missing input file is a usage error
        self.assertIn("cannot read", err)
        rc, _, err = vmc(FIX + "valimail-2024.pem", "--vmc-roots", FIX + "README.md")
        self.assertEqual(rc, 3)
        self.assertIn("holds no PEM certificate", err)

    def test_not_pem(self):
        rc, d = vmc_json(FIX + "README.md")
        self.assertEqual((rc, d["status"], d["subject"], d["type"]), (1, "invalid", None, None))
        self.assertIn("vmc.not_pem", codes(d))


if __name__ == "__main__":
    unittest.main()
