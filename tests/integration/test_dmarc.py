#!/usr/bin/env python3
"""Integration tests of `posture dmarc` on the bed.

The fixtures are in tests/zones/dmarc.test.zone (one name per case; the
comment block there gives every expected value), dmarcorg.test.zone (a
domain on which RFC 9989 and RFC 7489 agree), dmarcreports.test.zone
(external report destinations) and test.zone (so the tree walk's last
query, _dmarc.test, is NXDOMAIN as at a real TLD). BED_AUTH serves them,
BED_FAULT injects faults.

The RFC 7489 reading uses the real Public Suffix List: "test" is a public
suffix, so every name under dmarc.test has the PSL organisational domain
dmarc.test (which publishes no _dmarc record), while dmarcorg.test is its
own organisational domain.
"""
import json
import subprocess
import unittest

from posturetest import AUTH, FAULT, POSTURE, codes, finding, run, run_json  # noqa: F401


def dmarc(domain, resolver=AUTH, *extra):
    return run_json("dmarc", domain, *extra, resolver=resolver)


# The top-level (RFC 9989) fields compared per fixture, in this order.
TOP = ("status", "source", "org_domain", "policy", "subdomain_policy",
       "nonexistent_policy", "pct", "testing", "enforcement")
# The rfc7489 object's fields compared per fixture.
OLD = ("status", "source", "org_domain", "policy", "subdomain_policy", "pct",
       "enforcement")


class Fixtures(unittest.TestCase):
    # name -> (RFC 9989 top level as TOP, rfc7489 as OLD, readings_differ).
    # pct at the top level is the pct tag as published (null when absent;
    # RFC 9989 removed it); rfc7489.pct is the RFC 7489 reading (100 when
    # absent), null when that reading found no usable record.
    ROWS = {
        # Own record "p=reject; sp=quarantine": np defaults to sp. The
        # tree walk's organisational domain is org1.dmarc.test, the PSL's
        # is dmarc.test: the readings differ in organisational domain only.
        "org1.dmarc.test": (
            ("ok", "domain", "org1.dmarc.test", "reject", "quarantine",
             "quarantine", None, False, "reject"),
            ("ok", "domain", "dmarc.test", "reject", "quarantine", 100, "reject"),
            True),
        # No _dmarc of its own: RFC 9989 climbs to org1 and applies sp=;
        # RFC 7489 asks _dmarc.sub.org1.dmarc.test and _dmarc.dmarc.test
        # (its PSL organisational domain) and finds nothing.
        "sub.org1.dmarc.test": (
            ("ok", "organizational", "org1.dmarc.test", "quarantine", "quarantine",
             "quarantine", None, False, "quarantine"),
            ("none", None, "dmarc.test", None, None, None, "missing"),
            True),
        # _dmarc.mail.org1 holds only non-DMARC TXT: skipped (RFC 9989
        # 4.10 step 2), so the walk goes on to org1 as for sub.org1.
        "mail.org1.dmarc.test": (
            ("ok", "organizational", "org1.dmarc.test", "quarantine", "quarantine",
             "quarantine", None, False, "quarantine"),
            ("none", None, "dmarc.test", None, None, None, "missing"),
            True),
        # pct=50: RFC 9989 removed pct, so the top level enforces reject;
        # RFC 7489 applies the policy to half the failing mail: partial.
        "pct.dmarc.test": (
            ("ok", "domain", "pct.dmarc.test", "reject", "reject", "reject", 50,
             False, "reject"),
            ("ok", "domain", "dmarc.test", "reject", "reject", 50, "partial"),
            True),
        # t=y: RFC 9989 testing mode, receivers apply one step less:
        # partial. RFC 7489 does not know t= (an unknown tag): reject.
        "testing.dmarc.test": (
            ("ok", "domain", "testing.dmarc.test", "reject", "reject", "reject",
             None, True, "partial"),
            ("ok", "domain", "dmarc.test", "reject", "reject", 100, "reject"),
            True),
        # No record at x.psd or up to psd.dmarc.test, which publishes
        # psd=y: the policy comes from the public suffix domain, and the
        # organisational domain is the name one label below it. RFC 7489
        # knows no PSD records: none.
        "x.psd.dmarc.test": (
            ("ok", "psd", "x.psd.dmarc.test", "reject", "reject", "reject", None,
             False, "reject"),
            ("none", None, "dmarc.test", None, None, None, "missing"),
            True),
        # No p, a valid rua: RFC 9989 reads p=none; RFC 7489 requires p.
        "nop.dmarc.test": (
            ("ok", "domain", "nop.dmarc.test", "none", "none", "none", None, False,
             "monitor"),
            ("invalid", None, "dmarc.test", None, None, None, "invalid"),
            True),
        # One TXT RR in two strings, "v=DMARC1; p=re" "ject": joined.
        "split.dmarc.test": (
            ("ok", "domain", "split.dmarc.test", "reject", "reject", "reject", None,
             False, "reject"),
            ("ok", "domain", "dmarc.test", "reject", "reject", 100, "reject"),
            True),
        # The agreeing case: dmarcorg.test is its own PSL organisational
        # domain and the tree walk's too (_dmarc.test is NXDOMAIN).
        "dmarcorg.test": (
            ("ok", "domain", "dmarcorg.test", "reject", "quarantine", "reject",
             None, False, "reject"),
            ("ok", "domain", "dmarcorg.test", "reject", "quarantine", 100, "reject"),
            False),
        # A subdomain without a record: sp= for it, np= for names that do
        # not exist (RFC 7489 has no np; its object carries no np field).
        "sub.dmarcorg.test": (
            ("ok", "organizational", "dmarcorg.test", "quarantine", "quarantine",
             "reject", None, False, "quarantine"),
            ("ok", "organizational", "dmarcorg.test", "quarantine", "quarantine",
             100, "quarantine"),
            False),
    }

    def test_rows(self):
        for name, (top, old, differ) in self.ROWS.items():
            with self.subTest(name=name):
                rc, d = dmarc(name)
                self.assertEqual(d["domain"], name)
                self.assertEqual(tuple(d[k] for k in TOP), top, d)
                self.assertEqual(tuple(d["rfc7489"][k] for k in OLD), old, d)
                self.assertEqual(d["readings_differ"], differ, d)
                # A usable policy without error findings exits 0.
                self.assertEqual(rc, 0, d["findings"])
                self.assertIsNotNone(d["record"])

    def test_record_text(self):
        rc, d = dmarc("sub.org1.dmarc.test")
        self.assertEqual(d["record"], "v=DMARC1; p=reject; sp=quarantine")
        rc, d = dmarc("split.dmarc.test")
        self.assertEqual(d["record"], "v=DMARC1; p=reject")

    def test_removed_and_missing_tags(self):
        rc, d = dmarc("pct.dmarc.test")
        self.assertIn("dmarc.removed_tag", codes(d))
        self.assertIn("pct", finding(d, "dmarc.removed_tag")["message"])
        rc, d = dmarc("nop.dmarc.test")
        self.assertIn("dmarc.missing_p", codes(d))
        # p=none read from a missing p is a warning, not an error.
        self.assertNotEqual(finding(d, "dmarc.missing_p")["severity"], "error")
        rc, d = dmarc("testing.dmarc.test")
        self.assertNotIn("dmarc.removed_tag", codes(d))  # t= is RFC 9989's own

    def test_every_finding_is_complete(self):
        for name in ("nop.dmarc.test", "pct.dmarc.test", "bad.dmarc.test",
                     "two.org1.dmarc.test", "rua.dmarc.test", "nodmarc.dmarc.test"):
            with self.subTest(name=name):
                rc, d = dmarc(name)
                for f in d["findings"]:
                    self.assertEqual(set(f), {"code", "severity", "message", "path", "fix"})
                    self.assertTrue(f["code"].startswith("dmarc."), f)
                    self.assertIn(f["severity"], ("info", "warning", "error"))
                    self.assertTrue(f["message"], f)

    def test_two_records_no_inheritance(self):
        # Two v=DMARC1 records at _dmarc.two.org1: that name has no policy
        # (RFC 9989 4.10), and org1's sp=quarantine is NOT inherited.
        rc, d = dmarc("two.org1.dmarc.test")
        self.assertEqual((rc, d["status"], d["enforcement"], d["policy"]),
                         (1, "invalid", "invalid", None))
        self.assertNotEqual(d["subdomain_policy"], "quarantine")
        self.assertEqual((d["rfc7489"]["status"], d["rfc7489"]["enforcement"]),
                         ("invalid", "invalid"))
        self.assertIn("dmarc.multiple_records", codes(d))
        self.assertEqual(finding(d, "dmarc.multiple_records")["severity"], "error")

    def test_bad_policy_value(self):
        # p=bogus with a valid rua: posture does not read it as p=none
        # (RFC 7489 6.6.3 step 5 lets receivers do so); an auditor says
        # the record is broken.
        rc, d = dmarc("bad.dmarc.test")
        self.assertEqual((rc, d["status"], d["enforcement"], d["policy"]),
                         (1, "invalid", "invalid", None))
        self.assertEqual((d["rfc7489"]["status"], d["rfc7489"]["enforcement"]),
                         ("invalid", "invalid"))
        self.assertIn("dmarc.invalid_value", codes(d))
        self.assertIn("bogus", finding(d, "dmarc.invalid_value")["message"])

    def test_no_record(self):
        rc, d = dmarc("nodmarc.dmarc.test")
        self.assertEqual((rc, d["status"], d["enforcement"], d["source"], d["record"],
                          d["policy"]), (1, "none", "missing", None, None, None))
        # _dmarc.nodmarc.dmarc.test, _dmarc.dmarc.test, _dmarc.test.
        self.assertEqual(d["queries"], 3)
        self.assertEqual((d["rfc7489"]["status"], d["rfc7489"]["enforcement"]),
                         ("none", "missing"))
        self.assertEqual(d["rua"], [])

    def test_leading_space_is_not_a_record(self):
        # " v=DMARC1; p=reject": receivers do not see a DMARC record.
        rc, d = dmarc("ws.dmarc.test")
        self.assertEqual((rc, d["status"], d["enforcement"]), (1, "none", "missing"))
        self.assertEqual(d["rfc7489"]["status"], "none")

    def test_report_authorization(self):
        rc, d = dmarc("rua.dmarc.test")
        self.assertEqual((d["status"], d["policy"], d["enforcement"]),
                         ("ok", "none", "monitor"))
        # agg@dmarcreports.test: external, authorised by
        # rua.dmarc.test._report._dmarc.dmarcreports.test "v=DMARC1";
        # agg@noauth.dmarcreports.test: external, nothing at
        # rua.dmarc.test._report._dmarc.noauth.dmarcreports.test;
        # agg@rua.dmarc.test: the domain itself, no check needed.
        self.assertEqual([(u["uri"], u["authorized"]) for u in d["rua"]],
                         [("mailto:agg@dmarcreports.test", True),
                          ("mailto:agg@noauth.dmarcreports.test", False),
                          ("mailto:agg@rua.dmarc.test", None)])
        self.assertEqual([(u["uri"], u["authorized"]) for u in d["ruf"]],
                         [("mailto:forensic@dmarcreports.test", True)])
        f = finding(d, "dmarc.report_unauthorized")
        self.assertIn("rua.dmarc.test._report._dmarc.noauth.dmarcreports.test",
                      f["path"] + " " + f["message"])
        self.assertEqual(sum(f["code"] == "dmarc.report_unauthorized"
                             for f in d["findings"]), 1)

    def test_report_authorization_is_per_sender(self):
        # dmarcreports.test authorises rua.dmarc.test, not noauth.dmarc.test.
        rc, d = dmarc("noauth.dmarc.test")
        self.assertEqual((d["status"], d["enforcement"]), ("ok", "reject"))
        self.assertEqual([(u["uri"], u["authorized"]) for u in d["rua"]],
                         [("mailto:agg@dmarcreports.test", False)])
        self.assertIn("dmarc.report_unauthorized", codes(d))

    def test_own_domain_rua_needs_no_authorization(self):
        rc, d = dmarc("dmarcorg.test")
        self.assertEqual([(u["uri"], u["authorized"]) for u in d["rua"]],
                         [("mailto:agg@dmarcorg.test", None)])
        self.assertNotIn("dmarc.report_unauthorized", codes(d))

    def test_timeout_is_temperror_not_none(self):
        # _dmarc.drop.fault.test never answers (faultdns skips the _dmarc
        # label when choosing the fault).
        rc, d = dmarc("drop.fault.test", FAULT, "--timeout", "200", "--retries", "0")
        self.assertEqual((rc, d["status"]), (1, "temperror"))
        self.assertNotIn(d["enforcement"], ("missing", "none"))
        self.assertNotIn(d["rfc7489"]["status"], ("none",))
        self.assertNotIn(d["rfc7489"]["enforcement"], ("missing",))
        self.assertIsNone(d["policy"])
        self.assertNotIn("dmarc.none", codes(d))

    def test_servfail_is_temperror(self):
        rc, d = dmarc("servfail.fault.test", FAULT)
        self.assertEqual((rc, d["status"]), (1, "temperror"))

    def test_text_output(self):
        rc, out, _ = run("dmarc", "sub.org1.dmarc.test")
        self.assertEqual(rc, 0)
        self.assertIn("sub.org1.dmarc.test", out)
        self.assertIn("quarantine", out)

    def test_usage(self):
        for args in (["dmarc"], ["dmarc", "a..b"], ["dmarc", "x.test", "y.test"],
                     ["dmarc", "x.test", "--bogus"]):
            with self.subTest(args=args):
                p = subprocess.run([POSTURE, *args], capture_output=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, b"")
                self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1)


if __name__ == "__main__":
    unittest.main(verbosity=1)
