#!/usr/bin/python3
"""posture mta-sts through the command line, on the loopback bed.

The fixtures are tests/zones/mtasts.test.zone (its header lists what each
name is for) and the policies under tests/fixtures/https/mta-sts.*/; the
bed's HTTPS server serves them with a certificate that names every
mta-sts.NAME.mtasts.test host but mta-sts.wrongcert.mtasts.test. posture
reaches the server with --connect-to ::$BED_HTTPS and trusts it with
--ca-file $BED_CA. Every expected value was written by hand from the
fixtures and RFC 8461 / RFC 8460.
"""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from posturetest import AUTH, FAULT, ROOT, run, run_json  # noqa: E402

HTTPS = os.environ["BED_HTTPS"]
UNTRUSTED = os.environ["BED_HTTPS_UNTRUSTED"]
CA = os.environ["BED_CA"]
FETCH = ["--ca-file", CA, "--connect-to", "::" + HTTPS]


def mta_sts(name, *extra, fetch=FETCH, resolver=AUTH):
    """posture mta-sts NAME.mtasts.test --json: (exit status, JSON)."""
    domain = name if "." in name else name + ".mtasts.test"
    return run_json("mta-sts", domain, *fetch, *extra, resolver=resolver)


def codes(findings):
    return sorted(f["code"] for f in findings)


def severity(findings, code):
    return next(f["severity"] for f in findings if f["code"] == code)


class Statuses(unittest.TestCase):
    def test_enforce_every_mx_covered(self):
        rc, js = mta_sts("enforce-ok")
        self.assertEqual(rc, 0, js)
        self.assertEqual(js["domain"], "enforce-ok.mtasts.test")
        self.assertEqual(js["status"], "enforce")
        self.assertEqual(js["record"], "v=STSv1; id=20261201T000000;")
        self.assertEqual(js["id"], "20261201T000000")
        # Served with CRLF line ends (RFC 8461 3.2 allows both).
        self.assertEqual(js["policy"], {"mode": "enforce",
                                        "mx": ["mx1.enforce-ok.mtasts.test",
                                               "*.backup.mtasts.test"],
                                        "max_age": 604800})
        self.assertIs(js["mx_covered"], True)
        self.assertEqual(js["mx"], ["mx1.enforce-ok.mtasts.test", "mx2.backup.mtasts.test"])
        self.assertEqual(js["findings"], [])
        self.assertEqual(js["tls_rpt"], {"status": "none", "record": None, "rua": [],
                                         "findings": []})

    def test_enforce_with_an_mx_not_covered(self):
        # *.enforce-gap.mtasts.test covers mx1.enforce-gap, not a.b.enforce-gap.
        rc, js = mta_sts("enforce-gap")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "enforce")
        self.assertIs(js["mx_covered"], False)
        self.assertEqual(js["policy"]["mx"], ["*.enforce-gap.mtasts.test"])
        self.assertEqual(js["mx"], ["mx1.enforce-gap.mtasts.test",
                                    "a.b.enforce-gap.mtasts.test"])
        self.assertEqual(codes(js["findings"]), ["mta_sts.mx_not_covered"])
        f = js["findings"][0]
        self.assertEqual(f["severity"], "error")
        self.assertIn("a.b.enforce-gap.mtasts.test", f["message"])
        self.assertIn("would be refused by senders that enforce", f["message"])

    def test_testing(self):
        rc, js = mta_sts("testing")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "testing")
        self.assertEqual(js["policy"]["mode"], "testing")
        self.assertEqual(js["policy"]["max_age"], 86400)
        self.assertIs(js["mx_covered"], False)
        self.assertEqual(codes(js["findings"]), ["mta_sts.mx_not_covered"])
        self.assertEqual(severity(js["findings"], "mta_sts.mx_not_covered"), "warning")
        self.assertEqual(js["tls_rpt"]["status"], "ok")
        self.assertEqual(js["tls_rpt"]["rua"], ["mailto:tlsrpt@testing.mtasts.test"])

    def test_redirect_is_refused(self):
        # The 302 leads to enforce-ok's good policy: following it would
        # give "enforce"; RFC 8461 3.3 forbids following it.
        rc, js = mta_sts("redirect")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "invalid")
        self.assertIsNone(js["policy"])
        self.assertIsNone(js["mx_covered"])
        self.assertEqual(codes(js["findings"]), ["mta_sts.policy_redirect"])
        self.assertIn("https://mta-sts.enforce-ok.mtasts.test/.well-known/mta-sts.txt",
                      js["findings"][0]["message"])

    def test_certificate_for_another_name(self):
        rc, js = mta_sts("wrongcert")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "invalid")
        self.assertIsNone(js["policy"])
        self.assertEqual(codes(js["findings"]), ["mta_sts.policy_tls"])
        self.assertIn("mta-sts.wrongcert.mtasts.test", js["findings"][0]["message"])

    def test_untrusted_certificate(self):
        rc, js = mta_sts("enforce-ok", fetch=["--ca-file", CA, "--connect-to",
                                              "::" + UNTRUSTED])
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "invalid")
        self.assertEqual(codes(js["findings"]), ["mta_sts.policy_tls"])

    def test_record_without_policy(self):
        rc, js = mta_sts("no-policy")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "invalid")
        self.assertEqual(js["id"], "n1")
        self.assertIsNone(js["policy"])
        self.assertEqual(codes(js["findings"]), ["mta_sts.policy_fetch_failed"])
        self.assertEqual(js["findings"][0]["severity"], "error")
        self.assertIn("404", js["findings"][0]["message"])

    def test_two_records(self):
        rc, js = mta_sts("two-txt")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "invalid")
        self.assertIsNone(js["id"])
        self.assertIsNone(js["policy"])
        self.assertIsNone(js["mx_covered"])
        self.assertEqual(codes(js["findings"]), ["mta_sts.multiple_records"])

    def test_content_type(self):
        rc, js = mta_sts("ctype")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "invalid")
        # The body is a good policy: shown, but not usable.
        self.assertEqual(js["policy"]["mode"], "enforce")
        self.assertIsNone(js["mx_covered"])
        self.assertEqual(codes(js["findings"]), ["mta_sts.policy_content_type"])
        self.assertIn("application/octet-stream", js["findings"][0]["message"])

    def test_invalid_policy(self):
        rc, js = mta_sts("badpolicy")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "invalid")
        self.assertIsNone(js["policy"])
        self.assertIn("mta_sts.policy_bad_mode", codes(js["findings"]))

    def test_policy_without_mx(self):
        rc, js = mta_sts("nomx")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "enforce")
        self.assertIsNone(js["mx_covered"])
        self.assertEqual(js["mx"], [])
        self.assertEqual(codes(js["findings"]), ["mta_sts.no_mx"])

    def test_mode_none(self):
        rc, js = mta_sts("modenone")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["status"], "none")
        self.assertEqual(js["policy"], {"mode": "none", "mx": [], "max_age": 86400})
        self.assertIsNone(js["mx_covered"])
        self.assertEqual(js["findings"], [])


class TlsRpt(unittest.TestCase):
    def test_good(self):
        rc, js = mta_sts("tlsrpt-ok")
        self.assertEqual(rc, 1, js)  # no MTA-STS: weaker than enforce
        self.assertEqual(js["status"], "missing")
        self.assertIsNone(js["record"])
        self.assertEqual(js["tls_rpt"]["status"], "ok")
        self.assertEqual(js["tls_rpt"]["record"],
                         "v=TLSRPTv1; rua=mailto:tlsrpt@tlsrpt-ok.mtasts.test,"
                         "https://reports.mtasts.test/v1/tlsrpt")
        self.assertEqual(js["tls_rpt"]["rua"], ["mailto:tlsrpt@tlsrpt-ok.mtasts.test",
                                                "https://reports.mtasts.test/v1/tlsrpt"])
        self.assertEqual(js["tls_rpt"]["findings"], [])

    def test_broken(self):
        rc, js = mta_sts("tlsrpt-bad")
        self.assertEqual(rc, 1, js)
        self.assertEqual(js["tls_rpt"]["status"], "invalid")
        self.assertEqual(js["tls_rpt"]["rua"], [])
        self.assertEqual(codes(js["tls_rpt"]["findings"]),
                         ["tls_rpt.bad_uri", "tls_rpt.no_rua"])
        self.assertEqual(js["findings"], [])


class NoFetch(unittest.TestCase):
    def test_valid_record_is_not_fetched(self):
        rc, js = mta_sts("enforce-ok", "--no-fetch", fetch=[])
        self.assertEqual(rc, 0, js)
        self.assertEqual(js["status"], "not_fetched")
        self.assertEqual(js["id"], "20261201T000000")
        self.assertIsNone(js["policy"])
        self.assertIsNone(js["mx_covered"])
        self.assertEqual(js["mx"], ["mx1.enforce-ok.mtasts.test", "mx2.backup.mtasts.test"])

    def test_from_the_record_alone(self):
        # wrongcert and no-policy fail only at the fetch: not_fetched here.
        for name, status, rc_want in (("wrongcert", "not_fetched", 0),
                                      ("no-policy", "not_fetched", 0),
                                      ("two-txt", "invalid", 1),
                                      ("tlsrpt-ok", "missing", 1)):
            with self.subTest(name=name):
                rc, js = mta_sts(name, "--no-fetch", fetch=[])
                self.assertEqual(rc, rc_want, js)
                self.assertEqual(js["status"], status)
                self.assertIsNone(js["policy"])


class Failures(unittest.TestCase):
    def test_refused_domain_is_temperror(self):
        # Knot serves no zone for it: REFUSED, a DNS failure, never missing.
        rc, js = mta_sts("unserved.example")
        self.assertEqual(rc, 4, js)
        self.assertEqual(js["status"], "temperror")
        self.assertEqual(codes(js["findings"]), ["mta_sts.temperror"])
        self.assertEqual(js["tls_rpt"]["status"], "temperror")
        self.assertEqual(codes(js["tls_rpt"]["findings"]), ["tls_rpt.temperror"])

    def test_servfail_is_temperror(self):
        rc, js = mta_sts("servfail.fault.test", resolver=FAULT)
        self.assertEqual(rc, 4, js)
        self.assertEqual(js["status"], "temperror")

    def test_refused_connection_is_temperror(self):
        port = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "bed",
                                                                "freeport.py")],
                              capture_output=True, text=True, check=True).stdout.split()[0]
        rc, js = mta_sts("enforce-ok", fetch=["--ca-file", CA, "--connect-to",
                                              "::127.0.0.1:" + port])
        self.assertEqual(rc, 4, js)
        self.assertEqual(js["status"], "temperror")
        self.assertEqual(codes(js["findings"]), ["mta_sts.policy_fetch_failed"])
        self.assertEqual(js["findings"][0]["severity"], "warning")

    def test_usage(self):
        self.assertEqual(run("mta-sts")[0], 2)
        self.assertEqual(run("mta-sts", "a.test", "b.test")[0], 2)
        self.assertEqual(run("mta-sts", "a.test", "--selector", "x")[0], 2)
        self.assertEqual(run("mta-sts", "a.test", "--ca-file", "/nonexistent/ca.pem")[0], 2)
        self.assertEqual(run("mta-sts", "a.test", "--connect-to", "nonsense")[0], 2)


class Text(unittest.TestCase):
    def test_each_mx_with_its_pattern(self):
        rc, out, _ = run("mta-sts", "enforce-gap.mtasts.test", *FETCH)
        self.assertEqual(rc, 1)
        self.assertIn("MTA-STS enforce", out)
        self.assertIn("10 mx1.enforce-gap.mtasts.test  covered by *.enforce-gap.mtasts.test",
                      out)
        self.assertIn("20 a.b.enforce-gap.mtasts.test  NOT COVERED", out)
        self.assertIn("mta_sts.mx_not_covered", out)

    def test_tls_rpt_lines(self):
        rc, out, _ = run("mta-sts", "tlsrpt-ok.mtasts.test", *FETCH)
        self.assertIn("TLS-RPT ok at _smtp._tls.tlsrpt-ok.mtasts.test", out)
        self.assertIn("rua https://reports.mtasts.test/v1/tlsrpt", out)


if __name__ == "__main__":
    unittest.main()
