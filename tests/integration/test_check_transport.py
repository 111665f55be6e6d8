#!/usr/bin/python3
"""posture check's mail-transport part (issue 24, deliverable 5), on the main bed.

- MTA-STS and TLS-RPT run by default: the "mta_sts" object is posture
  mta-sts's, "tls_rpt" its TLS-RPT part; --no-fetch leaves the policy
  unfetched. Fixtures: tests/zones/mtasts.test.zone and the policies under
  tests/fixtures/https/mta-sts.*/ (their header lists each name).
- DNSSEC and DANE only with --dnssec (or --trust-anchor): "dnssec" is
  posture dnssec's object, "dane" the TLSA of each MX host. Fixtures:
  tests/zones/dnssec.test.zone (signed by the bed; DS in
  $BED_TRUST_ANCHORS), unsigned.dnssec.test.zone, bogus.test.zone.
- Advisory: whatever they find, the verdict, the problems and the exit
  status are those of the same check without them (--dnssec on or off;
  bimi.test, ready without a mark certificate, still exits 5).

Every expected value was written by hand from the zone files and
RFC 8461, RFC 8460, RFC 7672.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from posturetest import AUTH, POSTURE, run  # noqa: E402

HTTPS = os.environ["BED_HTTPS"]
UNTRUSTED = os.environ["BED_HTTPS_UNTRUSTED"]
CA = os.environ["BED_CA"]
ANCHORS = os.environ["BED_TRUST_ANCHORS"]
FETCH = ["--ca-file", CA, "--connect-to", "untrusted.bimi.test:443:" + UNTRUSTED,
         "--connect-to", "::" + HTTPS]
DNSSEC = ["--dnssec", "--trust-anchor", ANCHORS]
NOT_RUN = {"status": "not_run"}
# _25._tcp.mx.dnssec.test and friends (tests/zones/dnssec.test.zone).
DIGEST = "92a0591d60aea4c223ab52a4b34f740d7ee921b32acfb1b4d69cb3e0b609286d"


def check(domain, *extra):
    """posture check DOMAIN --json on the bed: (exit status, JSON)."""
    rc, out, err = run("check", domain, "--json", *FETCH, *extra)
    try:
        return rc, json.loads(out)
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON ({e}): {out!r} {err!r}")


def codes(findings):
    return sorted(f["code"] for f in findings)


def hosts(dane):
    return [(h["host"], h["status"], h["dnssec"], h["outcome"], h["records"])
            for h in dane["hosts"]]


class MtaSts(unittest.TestCase):
    def test_enforce(self):
        rc, js = check("enforce-ok.mtasts.test")
        m = js["mta_sts"]
        self.assertEqual(m["status"], "enforce")
        self.assertEqual(m["record"], "v=STSv1; id=20261201T000000;")
        self.assertEqual(m["policy"], {"mode": "enforce",
                                       "mx": ["mx1.enforce-ok.mtasts.test",
                                              "*.backup.mtasts.test"],
                                       "max_age": 604800})
        self.assertIs(m["mx_covered"], True)
        self.assertEqual(m["findings"], [])
        # No _smtp._tls record there.
        self.assertEqual(js["tls_rpt"], {"status": "none", "record": None, "rua": [],
                                         "findings": []})
        self.assertEqual(js["dnssec"], NOT_RUN)
        self.assertEqual(js["dane"], NOT_RUN)
        # Advisory: no transport finding among the problems.
        self.assertFalse([p for p in js["problems"]
                          if p["code"].startswith(("mta_sts.", "tls_rpt.", "dane.", "dnssec."))])

    def test_same_as_posture_mta_sts(self):
        rc, js = check("testing.mtasts.test")
        p = subprocess.run([POSTURE, "mta-sts", "testing.mtasts.test", "--json", *FETCH,
                            "--resolver", AUTH], capture_output=True, timeout=60)
        own = json.loads(p.stdout)
        self.assertEqual(js["mta_sts"], own)
        self.assertEqual(js["mta_sts"]["status"], "testing")
        self.assertIs(js["mta_sts"]["mx_covered"], False)
        self.assertEqual(codes(js["mta_sts"]["findings"]), ["mta_sts.mx_not_covered"])
        # The zone's TLS-RPT record for testing.mtasts.test is good.
        self.assertEqual(js["tls_rpt"], own["tls_rpt"])
        self.assertEqual(js["tls_rpt"]["status"], "ok")

    def test_refused_policies(self):
        for name, code in [("redirect", "mta_sts.policy_redirect"),
                           ("wrongcert", "mta_sts.policy_tls"),
                           ("two-txt", "mta_sts.multiple_records")]:
            rc, js = check(name + ".mtasts.test")
            self.assertEqual(js["mta_sts"]["status"], "invalid", name)
            self.assertIn(code, codes(js["mta_sts"]["findings"]), name)
            self.assertIsNone(js["mta_sts"]["policy"], name)

    def test_tls_rpt(self):
        rc, js = check("tlsrpt-ok.mtasts.test")
        self.assertEqual(js["mta_sts"]["status"], "missing")
        self.assertEqual(js["tls_rpt"]["status"], "ok")
        self.assertEqual(len(js["tls_rpt"]["rua"]), 2)
        rc, js = check("tlsrpt-bad.mtasts.test")
        self.assertEqual(js["tls_rpt"]["status"], "invalid")
        self.assertIn("tls_rpt.no_rua", codes(js["tls_rpt"]["findings"]))

    def test_no_fetch(self):
        rc, js = check("enforce-ok.mtasts.test", "--no-fetch")
        self.assertEqual(js["mta_sts"]["status"], "not_fetched")
        self.assertIsNone(js["mta_sts"]["policy"])
        self.assertIsNone(js["mta_sts"]["mx_covered"])

    def test_text(self):
        rc, out, err = run("check", "enforce-ok.mtasts.test", *FETCH)
        lines = out.splitlines()
        i = lines.index("Mail transport (advisory: not part of the verdict)")
        self.assertEqual(lines[i + 1],
                         "  MTA-STS [PASS] enforce, 2 of 2 MX hosts covered, max_age 604800")
        self.assertEqual(lines[i + 2], "  TLS-RPT [WARN] none: no v=TLSRPTv1 record at "
                                       "_smtp._tls.enforce-ok.mtasts.test")
        self.assertTrue(lines[i + 3].startswith("          fix: To receive the daily reports"))
        self.assertTrue(lines[i + 4].startswith("  DNSSEC  [ ?? ] not checked (--dnssec"))
        self.assertTrue(lines[i + 5].startswith("  DANE    [ ?? ] not checked (--dnssec"))
        # An MX host the policy does not cover (mode enforce): the error
        # and its fix under the line.
        rc, out, err = run("check", "enforce-gap.mtasts.test", *FETCH)
        self.assertIn("  MTA-STS [FAIL] enforce, 1 of 2 MX hosts covered, max_age", out)
        self.assertIn("          ERROR   mta_sts.mx_not_covered: MX host "
                      "a.b.enforce-gap.mtasts.test", out)
        # A missing record: a fix, no finding.
        rc, out, err = run("check", "bimi.test", *FETCH)
        self.assertIn("  MTA-STS [WARN] missing: no v=STSv1 record at _mta-sts.bimi.test", out)
        self.assertIn("          fix: To have senders insist on TLS", out)


class DnssecDane(unittest.TestCase):
    def test_secure_dane(self):
        rc, js = check("dnssec.test", *DNSSEC)
        self.assertEqual(js["dnssec"]["status"], "secure")
        self.assertEqual(js["dane"]["status"], "dane")
        self.assertEqual(hosts(js["dane"]), [
            ("mx.dnssec.test", "usable", "secure", "data", ["3 1 1 " + DIGEST])])
        self.assertEqual(js["dane"]["findings"], [])
        self.assertEqual(js["dane"]["hosts"][0]["name"], "_25._tcp.mx.dnssec.test")

    def test_same_as_posture_dnssec(self):
        rc, js = check("bogus.test", *DNSSEC)
        p = subprocess.run([POSTURE, "dnssec", "bogus.test", "--json", "--trust-anchor",
                            ANCHORS, "--resolver", AUTH], capture_output=True, timeout=60)
        self.assertEqual(js["dnssec"], json.loads(p.stdout))
        self.assertEqual(js["dnssec"]["status"], "bogus")
        # mx.bogus.test has no TLSA: NXDOMAIN, proven by the signed NSEC.
        self.assertEqual(js["dane"]["status"], "none")
        self.assertEqual(hosts(js["dane"]),
                         [("mx.bogus.test", "none", "secure", "nxdomain", [])])

    def test_unsigned_tlsa_is_unusable(self):
        # RFC 7672 2.2: TLSA without a secure answer is not used.
        rc, js = check("unsigned.dnssec.test", *DNSSEC)
        self.assertEqual(js["dnssec"]["status"], "insecure")
        self.assertEqual(js["dane"]["status"], "unusable")
        self.assertEqual(hosts(js["dane"]), [
            ("mx.unsigned.dnssec.test", "unusable", "insecure", "data",
             ["3 1 1 " + DIGEST])])
        self.assertEqual(codes(js["dane"]["findings"]), ["dane.insecure"])

    def test_partial_and_pkix(self):
        # partial: MX mx (usable TLSA) and mx2 (none).
        rc, js = check("partial.dnssec.test", *DNSSEC)
        self.assertEqual(js["dane"]["status"], "partial")
        self.assertEqual([(h["host"], h["status"]) for h in js["dane"]["hosts"]],
                         [("mx.dnssec.test", "usable"), ("mx2.dnssec.test", "none")])
        self.assertEqual(codes(js["dane"]["findings"]), ["dane.partial"])
        # pkix: a secure 1 1 1 record, which SMTP does not use (RFC 7672 3.1.3).
        rc, js = check("pkix.dnssec.test", *DNSSEC)
        self.assertEqual(js["dane"]["status"], "unusable")
        self.assertEqual(hosts(js["dane"]), [
            ("mx3.dnssec.test", "unusable", "secure", "data", ["1 1 1 " + DIGEST])])
        self.assertEqual(codes(js["dane"]["findings"]), ["dane.no_usable", "dane.pkix_usage"])

    def test_text(self):
        rc, out, err = run("check", "unsigned.dnssec.test", *FETCH, *DNSSEC)
        self.assertIn("  DNSSEC  [WARN] insecure, 4 of 4 answers (MX, SOA, DMARC, SPF)", out)
        self.assertIn("  DANE    [FAIL] unusable: TLSA at 1 of 1 MX hosts, none usable", out)
        self.assertIn("          ERROR   dane.insecure:", out)
        rc, out, err = run("check", "dnssec.test", *FETCH, *DNSSEC)
        self.assertIn("  DNSSEC  [PASS] secure, 4 of 4 answers (MX, SOA, DMARC, SPF)", out)
        self.assertIn("  DANE    [PASS] dane: usable TLSA at every MX host (1)", out)

    def test_trust_anchor_implies_dnssec(self):
        rc, js = check("dnssec.test", "--trust-anchor", ANCHORS)
        self.assertEqual(js["dnssec"]["status"], "secure")
        self.assertEqual(js["dane"]["status"], "dane")


class Advisory(unittest.TestCase):
    """The transport checks never change the verdict nor the exit status."""

    def test_verdict_unchanged(self):
        for domain in ["bimi.test", "pnone.bimi.test", "dnssec.test", "unsigned.dnssec.test",
                       "bogus.test", "pkix.dnssec.test", "enforce-gap.mtasts.test",
                       "redirect.mtasts.test"]:
            rc, js = check(domain)
            rc2, js2 = check(domain, *DNSSEC)
            self.assertEqual((rc2, js2["verdict"], js2["problems"]),
                             (rc, js["verdict"], js["problems"]), domain)
        # bimi.test: ready without a mark certificate (exit 5), with
        # MTA-STS missing, no TLS-RPT, DNSSEC indeterminate (no anchor of
        # the bed's covers it) and no TLSA.
        rc, js = check("bimi.test", *DNSSEC)
        self.assertEqual(rc, 5)
        self.assertEqual(js["verdict"], "ready_no_certificate")
        self.assertEqual((js["mta_sts"]["status"], js["tls_rpt"]["status"],
                          js["dnssec"]["status"], js["dane"]["status"]),
                         ("missing", "none", "indeterminate", "none"))

    def test_posture_bimi_unchanged(self):
        rc, out, err = run("bimi", "bimi.test", "--json", *FETCH)
        self.assertEqual(rc, 5)
        self.assertNotIn("mta_sts", json.loads(out))
        rc, out, err = run("bimi", "bimi.test", "--dnssec", *FETCH)
        self.assertEqual(rc, 2)
        self.assertIn("unknown option '--dnssec'", err)


class Usage(unittest.TestCase):
    def test_bad_trust_anchor(self):
        rc, out, err = run("check", "dnssec.test", "--trust-anchor", "/nonexistent/anchors")
        self.assertEqual(rc, 2)
        self.assertIn("--trust-anchor", err)
        self.assertEqual(out, "")
        rc, out, err = run("check", "dnssec.test", "--trust-anchor")
        self.assertEqual(rc, 2)
        self.assertIn("--trust-anchor needs a value", err)

    def test_help(self):
        p = subprocess.run([POSTURE, "check", "--help"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0)
        for word in ("--dnssec", "--trust-anchor", "advisory", "24 DNS queries", "mta_sts",
                     "tls_rpt", "dane", "not_run"):
            self.assertIn(word, p.stdout)


    def test_scan_help_names_them(self):
        # Scans run them now (test_scan_transport.py): --help says how.
        p = subprocess.run([POSTURE, "scan", "--help"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0)
        for word in ("mta-sts", "tls-rpt", "dnssec", "dane", "--trust-anchor",
                     "inconclusive"):
            self.assertIn(word, p.stdout)


if __name__ == "__main__":
    unittest.main()
