"""posture check and posture bimi as a domain owner reads them (issue 20, item 8).

On the demo world (scripts/gen-demo.py) on a bed of its own, through the
command line only:
- the verdict and exit status of each case: READY (0), READY without a
  mark certificate (5), PROBLEMS FOUND (1), INCOMPLETE (4: --no-fetch, a
  dead resolver), and posture bimi's the same way;
- a domain given as an email address or a URL is taken to its domain
  with a note on stderr (check, bimi, spf, dmarc, lookup);
- one DMARC fix on one screen: the summary's and the checklist's agree;
- each line names its real cause (the BIMI line of a p=none domain names
  DMARC; an http: logo is the logo's own failure, never "Publish the BIMI
  record first");
- the selector given is the one in every fix;
- a mark certificate 10 days before it expires warns (--at moves the
  clock; --expiry-warn sets the period);
- JSON: schema, checked_at, verdict, MX host names, and problems that are
  never empty for a domain that is not ready.
"""
import csv
import json
import os
import re
import socket
import subprocess
import tempfile
import unittest

from posturetest import POSTURE, demo_bed_start, demo_bed_stop

READY = "kestrel-foods.test"          # VMC, everything passes
CMC = "aurora-looms.test"             # CMC
SELF = "bramblewick-tea.test"         # no a=: self-asserted logo
PNONE = "foxglove-insurance.test"     # valid VMC, DMARC p=none and sp=none
HTTP_LOGO = "heronsgate-bank.test"    # l=http://...
SHOWCASES = [READY, CMC, SELF, "cobalt-ferry.test", "duneglass-optics.test",
             "emberfield-bakery.test", PNONE, "gullwing-air.test", HTTP_LOGO]
EXIT = {"ready": 0, "ready_no_certificate": 5, "problems": 1, "incomplete": 4}
# The demo VMCs end at 2035-01-01T00:00:00Z (scripts/gen-demo.py VMC_END).
TEN_DAYS_BEFORE = "2034-12-22"


def free_port():
    """A loopback UDP port nothing listens on (bound, then released)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class CheckVerdicts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="posture-verdicts-")
        cls.world, cls.bed, cls.env = demo_bed_start(cls.tmp)
        with open(os.path.join(cls.world, "expected.csv")) as f:
            cls.expected = list(csv.DictReader(f))

    @classmethod
    def tearDownClass(cls):
        demo_bed_stop(cls.tmp)

    def posture(self, *args, resolver=None, fetch=True):
        """posture against the demo bed: (exit status, stdout, stderr)."""
        e = self.env
        opts = ["--resolver", resolver or e["BED_AUTH"]]
        if fetch:
            opts += ["--ca-file", e["BED_CA"], "--connect-to", "::" + e["BED_HTTPS"],
                     "--vmc-roots", os.path.join(self.world, "vmc-roots.pem")]
        p = subprocess.run([POSTURE, *args, *opts], capture_output=True, timeout=60,
                           env={k: v for k, v in os.environ.items()
                                if not k.startswith("POSTURE_")})
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode()

    def check(self, domain, *extra):
        return self.posture("check", domain, *extra)

    def check_json(self, domain, *extra):
        rc, out, err = self.posture("check", domain, "--json", *extra)
        try:
            return rc, json.loads(out)
        except json.JSONDecodeError as e:
            raise AssertionError("not JSON (%s): %r %r" % (e, out, err))

    def bimi_json(self, domain, *extra):
        rc, out, err = self.posture("bimi", domain, "--json", *extra)
        return rc, json.loads(out)

    @staticmethod
    def headline(out):
        return out.splitlines()[0]

    @staticmethod
    def item(js, name):
        return next(i for i in js["bimi"]["readiness"] if i["item"] == name)

    # -- the verdicts and their exit statuses --------------------------------

    def test_ready(self):
        rc, out, err = self.check(READY)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.headline(out), READY + "  READY")
        self.assertIn("BIMI   [PASS] ok, logo valid, certificate valid VMC", out)
        rc, js = self.check_json(READY)
        self.assertEqual((rc, js["verdict"], js["ready"], js["problems"]), (0, "ready", True, []))
        rc, js = self.bimi_json(CMC)
        self.assertEqual((rc, js["verdict"], js["vmc"]["type"]), (0, "ready", "CMC"))

    def test_ready_without_certificate(self):
        rc, out, err = self.check(SELF)
        self.assertEqual(rc, 5, out + err)
        self.assertEqual(self.headline(out),
                         SELF + "  READY (no mark certificate: logo shown by Yahoo only)")
        self.assertIn("BIMI   [WARN]", out)
        # The most important thing left: the certificate, with its fix.
        self.assertRegex(out, r"Most important: no certificate.*\n  fix: Obtain a Verified Mark")
        rc, js = self.check_json(SELF)
        self.assertEqual((rc, js["verdict"], js["ready"], js["problems"]),
                         (5, "ready_no_certificate", True, []))
        self.assertEqual(self.item(js, "certificate")["status"], "warn")
        rc, out, err = self.posture("bimi", SELF)
        self.assertEqual(rc, 5, out + err)
        self.assertIn("BIMI readiness: eligible (no mark certificate: logo shown by Yahoo only)",
                      out)
        rc, js = self.bimi_json(SELF)
        self.assertEqual((rc, js["verdict"], js["eligible"]), (5, "ready_no_certificate", True))

    def test_problems(self):
        for domain in SHOWCASES[3:]:
            with self.subTest(domain=domain):
                rc, out, err = self.check(domain)
                self.assertEqual(rc, 1, out + err)
                self.assertEqual(self.headline(out), domain + "  PROBLEMS FOUND")
                rc, js = self.bimi_json(domain)
                self.assertEqual((rc, js["verdict"]), (1, "problems"))

    def test_no_fetch_is_incomplete(self):
        rc, out, err = self.check(READY, "--no-fetch")
        self.assertEqual(rc, 4, out + err)
        self.assertEqual(self.headline(out), READY + "  INCOMPLETE (the logo and certificate "
                                                    "were not fetched: --no-fetch)")
        self.assertNotIn("PROBLEMS FOUND", out)
        self.assertIn("BIMI   [ ?? ] not checked: the logo was not fetched", out)
        rc, js = self.check_json(READY, "--no-fetch")
        self.assertEqual((rc, js["verdict"], js["ready"]), (4, "incomplete", False))
        self.assertEqual([p["code"] for p in js["problems"]],
                         ["readiness.logo", "readiness.certificate"])
        self.assertEqual({p["severity"] for p in js["problems"]}, {"warning"})
        rc, js = self.bimi_json(READY, "--no-fetch")
        self.assertEqual((rc, js["verdict"]), (4, "incomplete"))
        # What is definitely wrong stays a problem without fetching.
        rc, out, err = self.check(PNONE, "--no-fetch")
        self.assertEqual(rc, 1, out + err)
        self.assertEqual(self.headline(out), PNONE + "  PROBLEMS FOUND")

    def test_dns_failure_is_incomplete(self):
        dead = "127.0.0.1:%d" % free_port()
        rc, out, err = self.posture("check", READY, "--timeout", "100", "--retries", "0",
                                    resolver=dead)
        self.assertEqual(rc, 4, out + err)
        self.assertEqual(self.headline(out),
                         READY + "  INCOMPLETE (a DNS failure left a check open: run it again)")

    # -- a domain as an email address or a URL -----------------------------------

    def test_address_and_url(self):
        for given in ("user@" + READY, "https://%s/" % READY, "mailto:user@" + READY,
                      "HTTPS://www-admin:pw@%s:443/about?x=1" % READY.upper()):
            with self.subTest(given=given):
                rc, out, err = self.check(given)
                self.assertEqual(rc, 0, out + err)
                self.assertEqual(self.headline(out), READY + "  READY")
                self.assertRegex(err, r"^posture: note: '.*' is (an email address|a URL): "
                                      r"taking its domain %s\n$" % re.escape(READY))
                self.assertNotIn("_dmarc.https", out)
        rc, js = self.check_json("user@" + READY)
        self.assertEqual((rc, js["domain"], js["ready"]), (0, READY, True))
        # The same rule for every command that is given a domain.
        for cmd, rc_want in (("bimi", 0), ("spf", 0), ("dmarc", 0)):
            with self.subTest(cmd=cmd):
                rc, out, err = self.posture(cmd, "user@" + READY, fetch=cmd == "bimi")
                self.assertEqual(rc, rc_want, out + err)
                self.assertIn("taking its domain " + READY, err)
        rc, out, err = self.posture("lookup", "https://%s/" % READY, "MX", fetch=False)
        self.assertEqual(rc, 0, err)
        self.assertIn("mx.%s." % READY, out)
        # Forms with no domain in them are usage errors.
        for bad in ("user@", "https:///", "https://192.0.2.1/"):
            rc, out, err = self.check(bad)
            self.assertEqual(rc, 2, bad)
            self.assertEqual(out, "")

    # -- one fix per cause, and each line's real cause ------------------------------

    def test_one_dmarc_fix(self):
        # A domain without any DMARC record: the summary's fix is the
        # checklist's, word for word, and it is the only DMARC fix.
        domain = next(e["domain"] for e in self.expected
                      if e["dmarc_status"] == "none" and e["spf_status"] == "ok")
        rc, out, err = self.check(domain)
        self.assertEqual(rc, 1, out + err)
        summary = re.search(r"Most important: (.*)\n  fix: (.*)\n", out)
        self.assertIn("no DMARC record", summary.group(1))
        checklist = re.search(r"\[FAIL\] dmarc_policy .*\n +fix: (.*)\n", out)
        self.assertEqual(summary.group(2), checklist.group(1))
        dmarc_fixes = {f for f in re.findall(r"fix: (.*)", out) if "DMARC1" in f}
        self.assertEqual(dmarc_fixes, {summary.group(2)})
        rc, js = self.check_json(domain)
        self.assertEqual(js["problems"][0]["code"], "dmarc.none")
        self.assertEqual(js["problems"][0]["fix"], self.item(js, "dmarc_policy")["fix"])

    def test_bimi_line_names_the_cause(self):
        rc, out, err = self.check(PNONE)
        line = next(ln for ln in out.splitlines() if ln.startswith("  BIMI "))
        self.assertTrue(line.startswith("  BIMI   [FAIL] not eligible: p=none for " + PNONE),
                        line)
        self.assertIn("(dmarc_policy)", line)
        # The DMARC problem is the summary's, not the certificate.
        self.assertIn("Most important: p=none for " + PNONE, out)
        rc, js = self.check_json(PNONE)
        self.assertFalse(js["ready"])
        self.assertEqual([p["code"] for p in js["problems"]],
                         ["readiness.dmarc_policy", "readiness.dmarc_subdomain"])

    def test_spf_and_dmarc_lines_name_the_cause(self):
        perm = next(e for e in self.expected if e["spf_status"] == "permerror")
        rc, out, err = self.check(perm["domain"])
        self.assertIn("SPF    [FAIL] permerror (%s)" % perm["spf_error"], out)
        bad = next(e for e in self.expected if e["dmarc_status"] == "invalid")
        rc, out, err = self.check(bad["domain"])
        self.assertRegex(out, r"DMARC  \[FAIL\] invalid \(dmarc\.[a-z_]+\)")

    def test_http_logo_is_the_logos_cause(self):
        rc, out, err = self.check(HTTP_LOGO)
        self.assertEqual(rc, 1, out + err)
        self.assertNotIn("Publish the BIMI record first", out)
        self.assertRegex(out, r"\[FAIL\] logo +l= \"http://.*\" uses http, not https")
        self.assertIn("fix: Serve the logo over HTTPS", out)
        rc, js = self.check_json(HTTP_LOGO)
        logo = self.item(js, "logo")
        self.assertEqual(logo["status"], "fail")
        self.assertIn("http, not https", logo["detail"])
        self.assertNotIn("Publish the BIMI record", logo["fix"])
        self.assertNotIn("Publish the BIMI record", self.item(js, "certificate")["fix"])

    def test_selector_in_every_fix(self):
        for cmd in ("check", "bimi"):
            with self.subTest(cmd=cmd):
                rc, out, err = self.posture(cmd, READY, "--selector", "brand2")
                self.assertEqual(rc, 1, out + err)
                self.assertNotIn("default._bimi", out)
                self.assertIn("brand2._bimi." + READY, out)
                rc, out, err = self.posture(cmd, READY, "--selector", "brand2", "--json")
                self.assertNotIn("default._bimi", out)
                self.assertIn("brand2._bimi", out)

    # -- the certificate's end ------------------------------------------------------

    def test_expiry_warning(self):
        rc, out, err = self.check(READY, "--at", TEN_DAYS_BEFORE)
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(self.headline(out),
                         READY + "  READY (mark certificate expires in 10 days)")
        self.assertIn("BIMI   [WARN] ok, logo valid, certificate valid VMC, expires in 10 days",
                      out)
        self.assertRegex(out, r"Most important: the certificate expires on "
                              r"2035-01-01T00:00:00Z, in 10 days.*\n  fix: Renew")
        rc, js = self.check_json(READY, "--at", TEN_DAYS_BEFORE)
        soon = [f for f in js["bimi"]["vmc"]["findings"] if f["code"] == "vmc.expires_soon"]
        self.assertEqual(len(soon), 1)
        self.assertEqual(soon[0]["severity"], "warning")
        self.assertIn("in 10 days", soon[0]["message"])
        self.assertEqual((js["verdict"], js["ready"], js["bimi"]["vmc"]["status"]),
                         ("ready", True, "valid"))
        rc, js = self.bimi_json(READY, "--at", TEN_DAYS_BEFORE)
        self.assertIn("vmc.expires_soon", {f["code"] for f in js["vmc"]["findings"]})
        # The period: 30 days unless --expiry-warn; 0 turns it off.
        for extra, warned in (([], False), (["--expiry-warn", "5"], False),
                              (["--expiry-warn", "0"], False)):
            at = "2034-11-01" if not extra else TEN_DAYS_BEFORE
            rc, js = self.check_json(READY, "--at", at, *extra)
            codes = {f["code"] for f in js["bimi"]["vmc"]["findings"]}
            self.assertEqual("vmc.expires_soon" in codes, warned, extra)
        rc, js = self.check_json(READY, "--at", "2034-11-01", "--expiry-warn", "90")
        self.assertIn("vmc.expires_soon", {f["code"] for f in js["bimi"]["vmc"]["findings"]})
        rc, out, err = self.check(READY, "--expiry-warn", "many")
        self.assertEqual(rc, 2)

    # -- DKIM: advisory, and what DMARC enforcement rests on ----------------------------

    def test_dkim_is_advisory(self):
        # The showcases sign (a key at google._domainkey): the dkim item
        # passes, last in the checklist.
        rc, js = self.check_json(READY)
        self.assertEqual((rc, js["dkim"]["status"]), (0, "found"))
        item = js["bimi"]["readiness"][-1]
        self.assertEqual((item["item"], item["status"], item["required"]),
                         ("dkim", "pass", False))
        rc, out, err = self.check(READY)
        self.assertRegex(out, r"\n  DKIM   \[PASS\] found, 1 of \d+ selectors probed: google "
                              r"\(rsa 2048\)")
        # Selectors given that hold no key: a warning, never a verdict.
        rc, js = self.check_json(READY, "--dkim-selector", "brand2024")
        self.assertEqual((rc, js["verdict"], js["problems"]), (0, "ready", []))
        self.assertEqual((js["dkim"]["status"], self.item(js, "dkim")["status"]),
                         ("none_found", "warn"))
        # A policy at enforcement without a key found: the finding says
        # forwarded mail fails DMARC; a warning, not a problem.
        domain = next(e["domain"] for e in self.expected
                      if e["dmarc_policy"] == "reject" and e["dmarc_status"] == "ok"
                      and e["bimi"] == "")
        rc, js = self.check_json(domain)
        self.assertEqual(js["dkim"]["status"], "none_found")
        self.assertIn("dkim.dmarc_enforced_without_dkim",
                      [f["code"] for f in js["dkim"]["findings"]])
        self.assertNotIn("dkim.dmarc_enforced_without_dkim",
                         [p["code"] for p in js["problems"]])
        self.assertEqual(self.item(js, "dkim")["status"], "unknown")
        rc, out, err = self.check(domain)
        self.assertRegex(out, r"  DKIM   \[WARN\] no usable key among \d+ selectors probed: "
                              r"forwarded mail fails DMARC\n")

    # -- mail transport: advisory ---------------------------------------------------------

    def test_transport_is_advisory(self):
        # The demo world publishes no MTA-STS nor TLS-RPT record and signs
        # no zone: the ready showcase stays ready (exit 0), with --dnssec
        # too (its answers chain to no anchor: indeterminate).
        rc, js = self.check_json(READY)
        self.assertEqual((rc, js["verdict"], js["problems"]), (0, "ready", []))
        self.assertEqual((js["mta_sts"]["status"], js["tls_rpt"]["status"]), ("missing", "none"))
        self.assertEqual((js["dnssec"], js["dane"]), ({"status": "not_run"},
                                                      {"status": "not_run"}))
        rc, js = self.check_json(READY, "--dnssec")
        self.assertEqual((rc, js["verdict"], js["problems"]), (0, "ready", []))
        self.assertEqual(js["dnssec"]["status"], "indeterminate")
        self.assertEqual(js["dane"]["status"], "none")
        rc, out, err = self.check(READY)
        self.assertEqual(self.headline(out), READY + "  READY")
        self.assertIn("\nMail transport (advisory: not part of the verdict)\n"
                      "  MTA-STS [WARN] missing: no v=STSv1 record at _mta-sts." + READY, out)

    # -- JSON ---------------------------------------------------------------------------

    def test_json_consistent(self):
        for domain in SHOWCASES:
            with self.subTest(domain=domain):
                rc, js = self.check_json(domain)
                self.assertEqual(js["schema"], 1)
                self.assertRegex(js["checked_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
                self.assertEqual(rc, EXIT[js["verdict"]])
                self.assertEqual(js["ready"], js["verdict"] in ("ready", "ready_no_certificate"))
                if not js["ready"]:
                    self.assertTrue(js["problems"], js)
                else:
                    self.assertEqual(js["problems"], [])
                self.assertEqual(js["mx"]["status"], "present")
                self.assertEqual(js["mx"]["hosts"], [{"host": "mx." + domain, "preference": 10}])
                self.assertEqual(js["mx"]["records"], len(js["mx"]["hosts"]))
        rc, out, err = self.check(READY)
        self.assertIn("MX     [PASS] present, 1 record (mx.%s)" % READY, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
