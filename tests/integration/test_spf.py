#!/usr/bin/env python3
"""Integration tests of `posture spf` and `posture spf eval` on the bed.

The fixtures are in tests/zones/spf.test.zone (one name per acceptance
case of the SPF engine); BED_AUTH serves them, BED_FAULT injects faults.
"""
import json
import subprocess
import unittest

from posturetest import AUTH, FAULT, POSTURE, codes, finding, run, run_json  # noqa: F401


def spf(domain, resolver=AUTH, *extra):
    return run_json("spf", domain, *extra, resolver=resolver)


def nodes(tree):
    yield tree
    for c in tree["children"]:
        yield from nodes(c)


class Audit(unittest.TestCase):
    def test_include_without_record(self):
        rc, d = spf("inc-norecord.spf.test")
        self.assertEqual((rc, d["status"], d["error_code"]),
                         (1, "permerror", "spf.include_no_record"))
        f = finding(d, "spf.include_no_record")
        self.assertEqual(f["severity"], "error")
        self.assertEqual(f["path"], "inc-norecord.spf.test \u2192 "
                         "include:norecord.spf.test \u2192 (no SPF record)")
        self.assertTrue(f["fix"])
        child = d["tree"]["children"][0]
        self.assertEqual((child["via"], child["status"], child["record"]),
                         ("include:norecord.spf.test", "none", None))

    def test_too_many_lookups_whole_tree(self):
        rc, d = spf("toomany.spf.test")
        self.assertEqual((d["status"], d["error_code"], d["lookups"]),
                         ("permerror", "spf.too_many_lookups", 12))
        vias = [n["via"] for n in nodes(d["tree"])]
        # Every record is shown, the one past the 10th lookup included.
        self.assertEqual(vias, [None, "include:l1.spf.test", "include:l2.spf.test",
                                "include:l3.spf.test", "include:l4.spf.test"])
        totals = [(n["lookups_self"], n["lookups_total"]) for n in nodes(d["tree"])]
        self.assertEqual(totals, [(3, 12), (3, 3), (3, 3), (3, 3), (0, 0)])
        self.assertIn("12 DNS-querying terms",
                      finding(d, "spf.too_many_lookups")["message"])

    def test_void_lookups(self):
        rc, d = spf("voids.spf.test")
        self.assertEqual((d["status"], d["error_code"], d["void_lookups"]),
                         ("permerror", "spf.void_lookups", 3))

    def test_loop(self):
        rc, d = spf("loop.spf.test")
        self.assertEqual((d["status"], d["error_code"]),
                         ("permerror", "spf.include_loop"))
        self.assertIn("include:loop.spf.test",
                      finding(d, "spf.include_loop")["path"])

    def test_two_records(self):
        rc, d = spf("two.spf.test")
        self.assertEqual((d["status"], d["error_code"], d["record"]),
                         ("permerror", "spf.multiple_records", None))
        self.assertEqual(codes(d), {"spf.multiple_records"})

    def test_plus_all(self):
        rc, d = spf("plusall.spf.test")
        self.assertEqual((rc, d["status"], d["all"]), (1, "ok", "+all"))
        self.assertEqual(finding(d, "spf.all_pass")["severity"], "error")

    def test_redirect_without_record(self):
        rc, d = spf("redir-norecord.spf.test")
        self.assertEqual((d["status"], d["error_code"]),
                         ("permerror", "spf.redirect_no_record"))
        self.assertTrue(finding(d, "spf.redirect_no_record")["path"]
                        .endswith("redirect=norecord.spf.test \u2192 (no SPF record)"))

    def test_redirect_beside_all(self):
        rc, d = spf("redir-all.spf.test")
        self.assertEqual((d["status"], d["all"], d["lookups"]), ("ok", "~all", 0))
        self.assertEqual(d["tree"]["children"], [])  # not followed
        self.assertEqual(finding(d, "spf.redirect_ignored")["severity"], "warning")

    def test_syntax_error_mid_record(self):
        rc, d = spf("syntax.spf.test")
        self.assertEqual((d["status"], d["error_code"]), ("permerror", "spf.syntax"))
        msg = finding(d, "spf.syntax")["message"]
        self.assertIn('"ip4:192.0.2.300" at byte 21', msg)  # 0-based offset

    def test_record_not_utf8(self):
        # Published bytes need not be UTF-8: the JSON stays valid, the bad
        # byte is U+FFFD in the record and \255 in the message.
        rc, d = spf("notutf8.spf.test")
        self.assertEqual((rc, d["status"], d["error_code"]), (1, "permerror", "spf.syntax"))
        self.assertEqual(d["record"], "v=spf1 a:x\ufffdy.spf.test -all")
        self.assertIn('"a:x\\255y.spf.test" at byte 7', finding(d, "spf.syntax")["message"])

    def test_good(self):
        rc, d = spf("good.spf.test")
        self.assertEqual((rc, d["status"], d["lookups"], d["void_lookups"], d["all"]),
                         (0, "ok", 3, 0, "-all"))
        self.assertEqual(d["findings"], [])
        # 256 from l4's /24, one A for h1, one A for the MX host h1.
        self.assertEqual(d["ipv4_addresses"], 258)

    def test_ptr_and_macros(self):
        rc, d = spf("ptr.spf.test")
        self.assertEqual(d["status"], "ok")
        self.assertTrue({"spf.ptr_deprecated", "spf.macros"} <= codes(d))
        self.assertTrue(d["has_macros"])
        self.assertEqual(d["lookups"], 2)

    def test_big_multistring(self):
        for name, size in (("big.spf.test", 4102), ("big.bed.test", 3995)):
            with self.subTest(name=name):
                rc, d = spf(name)
                self.assertEqual(d["status"], "ok")
                self.assertEqual(len(d["record"]), size)
                self.assertTrue(d["record"].endswith(" -all"))

    def test_timeout_is_temperror_not_none(self):
        rc, d = spf("drop.fault.test", FAULT, "--timeout", "200", "--retries", "1")
        self.assertEqual((rc, d["status"], d["error_code"]),
                         (1, "temperror", "spf.temperror"))
        self.assertIn("drop.fault.test", finding(d, "spf.temperror")["message"])
        self.assertNotIn("spf.none", codes(d))

    def test_servfail_is_temperror(self):
        rc, d = spf("servfail.fault.test", FAULT)
        self.assertEqual(d["status"], "temperror")

    def test_no_record(self):
        rc, d = spf("nodata.bed.test")
        self.assertEqual((rc, d["status"], d["error_code"]), (1, "none", None))
        self.assertIn("spf.none", codes(d))

    def test_text_output(self):
        rc, out, _ = run("spf", "inc-norecord.spf.test")
        self.assertEqual(rc, 1)
        self.assertIn("SPF permerror (spf.include_no_record)", out)
        self.assertIn("(no SPF record)", out)
        self.assertIn("fix: Remove this include", out)


def evaluate(ip, sender, resolver=AUTH, *extra):
    rc, out, err = run("spf", "eval", "--ip", ip, "--sender", sender, "--json",
                       *extra, resolver=resolver)
    return rc, json.loads(out)


class Eval(unittest.TestCase):
    ROWS = [
        # ip, sender, result, lookups
        ("192.0.2.200", "x@good.spf.test", "pass", 1),     # via include:l4
        ("192.0.2.11", "x@l1.spf.test", "pass", 1),        # a:h1
        ("198.51.100.7", "x@good.spf.test", "fail", 3),
        ("198.51.100.7", "x@l1.spf.test", "softfail", 3),
        ("198.51.100.7", "x@inc-norecord.spf.test", "permerror", 1),
        ("198.51.100.7", "x@syntax.spf.test", "permerror", 0),
        ("198.51.100.7", "x@two.spf.test", "permerror", 0),
        ("198.51.100.7", "x@nodata.bed.test", "none", 0),
        ("198.51.100.7", "x@plusall.spf.test", "pass", 0),
        ("198.51.100.7", "x@voids.spf.test", "permerror", 3),
        ("192.0.2.1", "x@redir-all.spf.test", "pass", 0),
        ("198.51.100.7", "x@redir-all.spf.test", "softfail", 0),
        ("2001:db8::1", "x@good.spf.test", "fail", 3),
    ]

    def test_rows(self):
        for ip, sender, result, lookups in self.ROWS:
            with self.subTest(ip=ip, sender=sender):
                rc, d = evaluate(ip, sender)
                self.assertEqual(rc, 0)
                self.assertEqual(d["result"], result, d)
                self.assertEqual(d["lookups"], lookups, d)

    def test_via(self):
        """via: the include of the domain's own record whose tree passed the
        address (the service that sends), or the redirect's target."""
        for ip, sender, via in (("192.0.2.200", "x@good.spf.test", "l4.spf.test"),
                                ("192.0.2.11", "x@l1.spf.test", None),      # a:h1
                                ("198.51.100.7", "x@good.spf.test", None),  # fail
                                ("192.0.2.200", "x@redir-all.spf.test", None),  # redirect ignored
                                ("192.0.2.1", "x@redir-all.spf.test", None),    # ip4 matched
                                ("198.51.100.9", "x@hosted.reports.test",
                                 "_spf.crm.reports.test")):  # a redirect that passes
            with self.subTest(ip=ip, sender=sender):
                rc, d = evaluate(ip, sender)
                self.assertEqual(d["via"], via, d)

    def test_too_many_lookups_stops_at_eleventh(self):
        rc, d = evaluate("198.51.100.7", "x@toomany.spf.test")
        self.assertEqual(d["result"], "permerror")
        self.assertEqual(d["lookups"], 11)

    def test_explanation(self):
        rc, d = evaluate("192.0.2.9", "someone@exp.spf.test")
        self.assertEqual(d["result"], "fail")
        self.assertEqual(d["explanation"],
                         "192.0.2.9 is not one of exp.spf.test's designated mail servers.")
        rc, d = evaluate("192.0.2.1", "someone@exp.spf.test")
        self.assertEqual((d["result"], d["explanation"]), ("pass", None))

    def test_timeout_is_temperror(self):
        rc, d = evaluate("192.0.2.1", "x@drop.fault.test", FAULT, "--timeout", "150",
                         "--retries", "0")
        self.assertEqual(d["result"], "temperror")

    def test_helo_identity(self):
        p = subprocess.run([POSTURE, "spf", "eval", "--ip", "192.0.2.11", "--sender", "",
                            "--helo", "l1.spf.test", "--resolver", AUTH],
                           capture_output=True, timeout=30)
        self.assertEqual(p.stdout.decode().splitlines()[0], "pass")

    def test_usage(self):
        for args in (["spf", "eval", "--ip", "300.1.1.1", "--sender", "a@b.c"],
                     ["spf", "eval", "--sender", "a@b.c"],
                     ["spf", "eval", "--ip", "192.0.2.1", "--sender", ""],
                     ["spf", "a..b"], ["spf"], ["spf", "x.test", "y.test"]):
            with self.subTest(args=args):
                p = subprocess.run([POSTURE, *args], capture_output=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1)


if __name__ == "__main__":
    unittest.main(verbosity=1)
