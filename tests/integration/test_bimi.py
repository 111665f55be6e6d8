"""posture bimi and posture check, end to end on loopback.

Part 1 (class Fixtures): tests/zones/bimi.test.zone on the main bed, whose
HTTPS server serves tests/fixtures/https/ and misbehaves under /_bed/: the
record cases, the organisational-domain fallback, every way a logo fetch
fails, a hostile record printed safely.

Part 2 (class DemoWorld): the demo world (scripts/gen-demo.py) on a bed of
its own (its zones, its HTTPS docroot, its Mark Verifying Authority root):
a ready VMC, a CMC, a self-asserted logo, a logotype hash mismatch, a
published logo that differs from the certificate's, a bad logo, p=none,
a declination and an http:// logo; each with the verdict the generator's
README promises, checked field by field.
"""
import json
import os
import sqlite3
import tempfile
import unittest

from posturetest import AUTH, POSTURE, demo_bed_start, demo_bed_stop, run, stored_results

HTTPS = os.environ["BED_HTTPS"]
UNTRUSTED = os.environ["BED_HTTPS_UNTRUSTED"]
CA = os.environ["BED_CA"]


def https_opts(https=HTTPS, untrusted=UNTRUSTED, ca=CA):
    return ["--ca-file", ca,
            "--connect-to", "untrusted.bimi.test:443:%s" % untrusted,
            "--connect-to", "::%s" % https]


def bimi(domain, *extra, resolver=AUTH, https=None):
    rc, out, err = run("bimi", domain, "--json", *(https or https_opts()), *extra,
                       resolver=resolver)
    try:
        return rc, json.loads(out)
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON ({e}): {out!r} {err!r}")


def items(js):
    return {i["item"]: i["status"] for i in js["readiness"]}


def codes(findings):
    return {f["code"] for f in findings}


class Fixtures(unittest.TestCase):
    def test_self_asserted_is_eligible(self):
        # Eligible, without a mark certificate: exit 5 (issue 20).
        rc, js = bimi("bimi.test")
        self.assertEqual(rc, 5, js)
        self.assertEqual(js["verdict"], "ready_no_certificate")
        self.assertEqual(js["status"], "ok")
        self.assertEqual(js["record_name"], "default._bimi.bimi.test")
        self.assertEqual(js["logo"]["status"], "valid")
        self.assertEqual(len(js["logo"]["sha256"]), 64)
        self.assertEqual(js["vmc"]["status"], "absent")
        it = items(js)
        self.assertEqual(it["certificate"], "warn")
        for k in ("bimi_record", "logo", "dmarc_policy", "dmarc_org_policy",
                  "dmarc_coverage", "dmarc_subdomain", "spf", "mx", "a"):
            self.assertEqual(it[k], "pass", k)
        self.assertTrue(js["eligible"])
        self.assertIn("bimi.no_certificate", codes(js["findings"]))

    def test_org_fallback(self):
        rc, js = bimi("sub.bimi.test")
        self.assertEqual(js["status"], "ok")
        self.assertTrue(js["from_org"])
        self.assertEqual(js["record_name"], "default._bimi.bimi.test")
        self.assertIn("bimi.org_fallback", codes(js["findings"]))

    def test_fetch_failures(self):
        # Each is a finding naming the URL and why; the logo is invalid.
        for name, why in (("big", "too_large"), ("loop", "redirect_limit"),
                          ("downgrade", "redirect_insecure"), ("gzip", "encoded"),
                          ("missing", "http_status"), ("untrusted", "tls")):
            with self.subTest(name=name):
                rc, js = bimi(name + ".bimi.test")
                self.assertEqual(rc, 1)
                self.assertEqual(js["logo"]["status"], "invalid")
                f = [f for f in js["logo"]["findings"]
                     if f["code"] == "bimi.logo_fetch_failed"]
                self.assertEqual(len(f), 1, js["logo"]["findings"])
                self.assertIn("(%s)" % why, f[0]["message"])
                self.assertIn(js["logo"]["url"], f[0]["message"])
                self.assertEqual(items(js)["logo"], "fail")
                self.assertFalse(js["eligible"])

    def test_untrusted_without_our_ca(self):
        # The bed's CA is what makes bimi.test trusted: without --ca-file the
        # system store refuses it.
        rc, js = bimi("bimi.test", https=["--connect-to", "::%s" % HTTPS])
        self.assertEqual(js["logo"]["status"], "invalid")
        self.assertIn("(tls)", js["logo"]["findings"][0]["message"])

    def test_bad_logo(self):
        rc, js = bimi("badlogo.bimi.test")
        self.assertEqual(rc, 1)
        self.assertEqual(js["logo"]["status"], "invalid")
        self.assertIn("svg.root_xy", codes(js["logo"]["findings"]))
        self.assertEqual(items(js)["logo"], "fail")

    def test_record_problems(self):
        rc, js = bimi("two.bimi.test")
        self.assertEqual((rc, js["status"]), (1, "invalid"))
        self.assertIn("bimi.multiple_records", codes(js["findings"]))
        rc, js = bimi("http.bimi.test")
        self.assertEqual((rc, js["status"]), (1, "invalid"))
        self.assertIn("bimi.l_not_https", codes(js["findings"]))
        self.assertEqual(js["logo"]["status"], "absent")
        rc, js = bimi("declined.bimi.test")
        self.assertEqual((rc, js["status"], js["declined"]), (1, "none", True))
        self.assertEqual(items(js)["bimi_record"], "fail")
        rc, js = bimi("nothing.other.test")
        self.assertEqual((rc, js["status"]), (1, "none"))
        self.assertIn("bimi.no_record", codes(js["findings"]))

    def test_p_none_not_eligible(self):
        rc, js = bimi("pnone.bimi.test")
        self.assertEqual(rc, 1)
        self.assertEqual(js["logo"]["status"], "valid")
        it = items(js)
        self.assertEqual(it["dmarc_policy"], "fail")
        self.assertEqual(it["dmarc_org_policy"], "pass")
        fix = next(i["fix"] for i in js["readiness"] if i["item"] == "dmarc_policy")
        self.assertIn("p=quarantine", fix)
        self.assertFalse(js["eligible"])

    def test_acceptance_verdicts(self):
        # Issue 5: the readiness verdict for each broken requirement (the
        # full pass with a certificate is DemoWorld.test_ready_vmc).
        for domain, item in (("pct50.bimi.test", "dmarc_coverage"),
                             ("shop.bimiorg.test", "dmarc_org_policy"),
                             ("spfperm.bimi.test", "spf"),
                             ("biglogo.bimi.test", "logo")):
            with self.subTest(domain=domain):
                rc, js = bimi(domain)
                self.assertEqual(rc, 1)
                self.assertFalse(js["eligible"])
                failing = [i["item"] for i in js["readiness"] if i["status"] == "fail"]
                self.assertEqual(failing, [item], js["readiness"])
        rc, js = bimi("pct50.bimi.test")
        ready = {i["item"]: i for i in js["readiness"]}
        self.assertIn("pct=50", ready["dmarc_coverage"]["detail"])
        rc, js = bimi("spfperm.bimi.test")
        ready = {i["item"]: i for i in js["readiness"]}
        self.assertIn("nospf.bimi.test", ready["spf"]["detail"])
        rc, js = bimi("biglogo.bimi.test")
        self.assertEqual(js["logo"]["status"], "invalid")
        self.assertIn("svg.too_large", codes(js["logo"]["findings"]))

    def test_no_fetch(self):
        rc, js = bimi("bimi.test", "--no-fetch")
        self.assertEqual(rc, 4)  # incomplete, not "not eligible" (issue 20)
        self.assertEqual(js["verdict"], "incomplete")
        self.assertEqual(js["logo"]["status"], "unchecked")
        self.assertEqual(items(js)["logo"], "unknown")
        self.assertFalse(js["eligible"])

    def test_hostile_record_text_output(self):
        rc, out, err = run("bimi", "hostile.bimi.test", *https_opts())
        self.assertEqual(rc, 1)
        self.assertNotIn("\x1b", out)
        self.assertIn("\\027[31m", out)  # the escape byte, shown as \027
        self.assertIn("bimi.syntax", out)

    def test_check_screen(self):
        rc, out, err = run("check", "bimi.test", *https_opts())
        self.assertEqual(rc, 5, out + err)  # ready without a mark certificate
        self.assertIn("READY (no mark certificate", out)
        self.assertNotIn("\x1b", out)  # not a terminal: no colours
        rc, out, err = run("check", "pnone.bimi.test", *https_opts())
        self.assertEqual(rc, 1)
        self.assertIn("PROBLEMS FOUND", out)
        self.assertIn("fix: Set p=quarantine", out)
        rc, out, err = run("check", "pnone.bimi.test", "--json", *https_opts())
        js = json.loads(out)
        self.assertFalse(js["ready"])
        self.assertEqual(set(js), {"domain", "spf", "dmarc", "dkim", "bimi", "mx", "a",
                                   "mta_sts", "tls_rpt", "dnssec", "dane",
                                   "problems", "ready", "schema", "checked_at", "verdict"})

    def test_usage(self):
        self.assertEqual(run("bimi")[0], 2)
        self.assertEqual(run("bimi", "bimi.test", "--selector", "a b")[0], 2)
        self.assertEqual(run("bimi", "bimi.test", "--connect-to", "nonsense")[0], 2)
        self.assertEqual(run("bimi", "bimi.test", "--at", "yesterday")[0], 2)
        rc, out, err = run("bimi", "bimi.test", "--vmc-roots", "/nonexistent")
        self.assertEqual(rc, 2)  # a missing input file is a usage error
        self.assertIn("--vmc-roots", err)


class DemoWorld(unittest.TestCase):
    """The demo world's BIMI showcases, on a bed of their own."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="posture-bimi-")
        cls.world, cls.bed, cls.env = demo_bed_start(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        demo_bed_stop(cls.tmp)

    def bimi(self, domain, *extra):
        e = self.env
        return bimi(domain, "--vmc-roots", os.path.join(self.world, "vmc-roots.pem"), *extra,
                    resolver=e["BED_AUTH"],
                    https=["--ca-file", e["BED_CA"], "--connect-to", "::" + e["BED_HTTPS"]])

    def test_ready_vmc(self):
        rc, js = self.bimi("kestrel-foods.test")
        self.assertEqual(rc, 0, json.dumps(js["readiness"], indent=1))
        self.assertEqual(js["vmc"]["status"], "valid")
        self.assertEqual(js["vmc"]["type"], "VMC")
        self.assertTrue(js["vmc"]["logo_matches"])
        self.assertEqual(js["vmc"]["not_after"], "2035-01-01T00:00:00Z")
        self.assertTrue(all(i["status"] == "pass" for i in js["readiness"]))
        self.assertTrue(js["eligible"])

    def test_ready_cmc(self):
        rc, js = self.bimi("aurora-looms.test")
        self.assertEqual(rc, 0)
        self.assertEqual((js["vmc"]["status"], js["vmc"]["type"]), ("valid", "CMC"))

    def test_self_asserted(self):
        rc, js = self.bimi("bramblewick-tea.test")
        self.assertEqual(rc, 5)  # eligible without a mark certificate
        self.assertEqual(js["vmc"]["status"], "absent")
        self.assertEqual(items(js)["certificate"], "warn")

    def test_hash_mismatch(self):
        rc, js = self.bimi("cobalt-ferry.test")
        self.assertEqual(rc, 1)
        self.assertEqual(js["vmc"]["status"], "invalid")
        self.assertIn("vmc.logo_hash_mismatch", codes(js["vmc"]["findings"]))
        self.assertEqual(items(js)["certificate"], "fail")

    def test_published_logo_differs(self):
        rc, js = self.bimi("duneglass-optics.test")
        self.assertEqual(rc, 1)
        self.assertEqual(js["logo"]["status"], "valid")
        self.assertEqual(js["vmc"]["status"], "invalid")
        self.assertFalse(js["vmc"]["logo_matches"])
        self.assertIn("vmc.logo_mismatch", codes(js["vmc"]["findings"]))

    def test_bad_logo(self):
        rc, js = self.bimi("emberfield-bakery.test")
        self.assertEqual(rc, 1)
        self.assertEqual(js["logo"]["status"], "invalid")
        self.assertIn("svg.root_xy", codes(js["logo"]["findings"]))

    def test_p_none(self):
        rc, js = self.bimi("foxglove-insurance.test")
        self.assertEqual(rc, 1)
        self.assertEqual(js["vmc"]["status"], "valid")
        self.assertEqual(items(js)["dmarc_policy"], "fail")

    def test_declined_and_http(self):
        rc, js = self.bimi("gullwing-air.test")
        self.assertEqual((rc, js["status"], js["declined"]), (1, "none", True))
        rc, js = self.bimi("heronsgate-bank.test")
        self.assertEqual((rc, js["status"]), (1, "invalid"))
        self.assertIn("bimi.l_not_https", codes(js["findings"]))

    def test_roots_matter(self):
        # Without the demo's root the bundled (real) roots refuse the chain.
        e = self.env
        rc, js = bimi("kestrel-foods.test", resolver=e["BED_AUTH"],
                      https=["--ca-file", e["BED_CA"], "--connect-to", "::" + e["BED_HTTPS"]])
        self.assertEqual(rc, 1)
        self.assertEqual(js["vmc"]["status"], "invalid")

    def test_scan_stores_bimi(self):
        # The scan's HTTPS stage: every showcase's columns as posture bimi
        # says, and domains without BIMI are "none"/"absent", not eligible.
        e = self.env
        db = os.path.join(self.tmp, "scan.db")
        rc, out, err = run("scan", os.path.join(self.world, "companies.csv"), "--db", db,
                           "--vmc-roots", os.path.join(self.world, "vmc-roots.pem"),
                           "--ca-file", e["BED_CA"], "--connect-to", "::" + e["BED_HTTPS"],
                           resolver=e["BED_AUTH"])
        self.assertIn(rc, (0, 1), err)
        con = sqlite3.connect(db)
        got = {d: (b, v, el) for d, b, v, el in con.execute(
            "SELECT d.name, bimi_status, vmc_status, bimi_eligible FROM run_results r"
            " JOIN domains d ON d.id = r.domain_id")}
        logo = {d: (r["bimi"].get("logo") or {}).get("status")
                for d, r in stored_results(db).items()}
        con.close()
        want = {
            "kestrel-foods.test": ("ok", "valid", 1),
            "aurora-looms.test": ("ok", "valid", 1),
            "bramblewick-tea.test": ("ok", "absent", 1),
            "cobalt-ferry.test": ("ok", "invalid", 0),
            "duneglass-optics.test": ("ok", "invalid", 0),
            "emberfield-bakery.test": ("ok", "absent", 0),
            "foxglove-insurance.test": ("ok", "valid", 0),
            "gullwing-air.test": ("none", "absent", 0),
            "heronsgate-bank.test": ("invalid", "absent", 0),
        }
        for d, w in want.items():
            self.assertEqual(got[d], w, d)
        self.assertEqual(logo["emberfield-bakery.test"], "invalid")
        self.assertEqual(logo["kestrel-foods.test"], "valid")
        others = [v for d, v in got.items() if d not in want]
        self.assertGreater(len(others), 250)
        self.assertTrue(all(v[0] == "none" and v[2] == 0 for v in others))

    def test_time_matters(self):
        rc, js = self.bimi("kestrel-foods.test", "--at", "2036-01-01")
        self.assertEqual(js["vmc"]["status"], "invalid")
        self.assertIn("vmc.expired", codes(js["vmc"]["findings"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
