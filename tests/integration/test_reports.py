"""posture reports import / summary and posture check --reports-db, through
the command line (issue 22).

- every sample of tests/fixtures/dmarc-reports/ (parsedmarc's corpus) is
  imported, or refused with a stated reason; each report's reporter, id,
  domain, period, rows and messages equal the values read from the files
  by hand (below); importing the same directory twice adds nothing;
- hostile input: gzip and zip bombs refused at the cap, XML with a
  DOCTYPE (external entity, billion laughs) refused, nested containers
  past the depth limit refused; published text escaped in every format;
- the summary's JSON contract and its counts for generated reports
  (scripts/gen-reports.py: per reporter and day 200 own messages that
  pass, 40 from a CRM, 2 from a spoofer), the verdict and its exit
  status;
- the loopback demo: pnone.bimi.test (p=none in the bed) with a month of
  reports where the CRM fails -> posture check --reports-db names it and
  says "not yet"; a week of reports with the CRM fixed -> "safe to
  enforce".
"""
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import zipfile

from posturetest import AUTH, ROOT, run, run_json

FIX = os.path.join(ROOT, "tests", "fixtures", "dmarc-reports")
GEN = os.path.join(ROOT, "scripts", "gen-reports.py")
OWN, CRM, SPOOF = 200, 40, 2  # scripts/gen-reports.py, per reporter and day
REPORTERS = 3

# Read from the files by hand: (kind, org, report_id, domain, begin, rows,
# messages). An empty org_name is replaced by the report's <email>.
EXPECTED = {
    "aggregate/!example.com!1538204542!1538463818.xml":
        ("aggregate", "administrator@accurateplastics.com", "example.com:1538463741",
         "example.com", "2018-10-01T17:07:12Z", 1, 1),
    "aggregate/Report domain- borschow.com Submitter- google.com Report-ID- "
    "949348866075514174.eml":
        ("aggregate", "google.com", "949348866075514174", "borschow.com",
         "2019-02-12T00:00:00Z", 1, 1),
    "aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml":
        ("aggregate", "addisonfoods.com", "3ceb5548498640beaeb47327e202b0b9", "example.com",
         "2018-09-05T00:00:00Z", 1, 1),
    "aggregate/empty_reason.xml":
        ("aggregate", "example.org", "20240125141224705995", "example.com",
         "2024-01-25T05:12:24Z", 1, 2),
    "aggregate/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip":
        ("aggregate", "XYZ Corporation", "2940", "example.com", "2018-09-13T15:41:42Z", 1, 1),
    "aggregate/example.net!example.com!1529366400!1529452799.xml":
        ("aggregate", "example.net", "b043f0e264cf4ea995e93765242f6dfb", "example.com",
         "2018-06-19T00:00:00Z", 1, 1),
    "aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz":
        ("aggregate", "FastMail Pty Ltd", "102675056", "indemed.com", "2018-01-16T00:00:00Z",
         1, 1),
    "aggregate/ikea.com!example.de!1538690400!1538776800.xml":
        ("aggregate", "ikea.com", "aggr_report_2018_10_05_5bc7e9b4f3e8a", "example.de",
         "2018-10-04T22:00:00Z", 1, 1),
    "aggregate/old_draft_from_wiki.xml":
        ("aggregate", "acme.com", "9391651994964116463", "example.com", "2012-04-28T00:00:00Z",
         1, 2),
    "aggregate/rfc9990-sample.xml":
        ("aggregate", "Sample Reporter", "3v98abbp8ya9n3va8yr8oa3ya", "example.com",
         "1979-08-07T00:00:00Z", 1, 123),
    "aggregate/veeam.com!example.com!1530133200!1530219600.xml":
        ("aggregate", "veeam.com", "sonexushealth.com:1530233361", "example.com",
         "2018-06-27T21:00:00Z", 1, 1),
    "aggregate_invalid/report_with_upper_cased_pass.xml":
        ("aggregate", "example.com", "aggr_report_example.com_20191202_1638", "example.com",
         "2019-11-28T15:35:00Z", 1, 1),
    "extract_report/nice-input.xml":
        ("aggregate", "google.com", "11038226378739404135", "example.com",
         "2024-06-13T00:00:00Z", 20, 3047),
    "extract_report/changed-input.xml":
        ("aggregate", "fred.com", "11038226378739404135", "example.com",
         "2024-06-13T00:00:00Z", 20, 3047),
    "smtp_tls/rfc8460.json":
        ("tls", "Company-X", "5065427c-23d3-47ca-b6e0-946ea0e8c4be", "company-y.example",
         "2016-04-01T00:00:00Z", 1, 5629),
    "smtp_tls/smtp_tls.json":
        ("tls", "Example Inc.", "2024-01-09T00:00:00Z_example.com", "example.com",
         "2024-01-09T00:00:00Z", 1, 3),
    "smtp_tls/mail.ru.json":
        ("tls", "Mail.ru", "b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru", "example.com",
         "2024-02-22T00:00:00Z", 1, 1),
    "smtp_tls/google.com_smtp_tls_report.eml":
        ("tls", "Google Inc.", "2024-09-03T00:00:00Z_cardinalhealth.ca", "cardinalhealth.ca",
         "2024-09-03T00:00:00Z", 1, 48),
}
# The same report as another file (same reporter and id).
SAME_AS = {
    "extract_report/nice-input.xml.gz": "extract_report/nice-input.xml",
    "extract_report/nice-input.xml.zip": "extract_report/nice-input.xml",
    "aggregate/invalid_utf_8.xml": "aggregate/!example.com!1538204542!1538463818.xml",
    "aggregate/invalid_xml.xml": "aggregate/veeam.com!example.com!1530133200!1530219600.xml",
}
# Failure reports (RFC 6591): source IP, reported domain, auth failure.
FAILURES = {
    "failure/dmarc_ruf_report_linkedin.eml": ("10.10.10.10", "example.com", "dmarc"),
    "failure/dmarc_ruf_report_linkedin.crlf.eml": ("10.10.10.10", "example.com", "dmarc"),
    "failure/DMARC Failure Report for domain.de (mail-from=sharepoint@domain.de, "
    "ip=10.10.10.10).eml": ("10.10.10.10", "domain.de", "dmarc"),
    "failure/exim_plain_text_only_no_arf_part.eml": ("203.0.113.68", "example.com", ""),
}
# Not reports at all: refused with a reason.
REFUSED = ["empty.xml", "LICENSE.parsedmarc", "README.md"]


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="posture-reports-")
        self.db = os.path.join(self.tmp, "r.db")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def imp(self, *paths, db=None):
        rc, out = run_json("reports", "import", *paths, "--db", db or self.db)
        return rc, out

    def summary(self, *args, db=None):
        return run_json("reports", "summary", "--db", db or self.db, *args)


class ImportCorpus(Tmp):
    def test_each_sample_alone(self):
        """Each sample imported into a fresh database: its report as read by hand."""
        for rel, (kind, org, rid, domain, begin, rows, msgs) in {
                **EXPECTED,
                **{k: EXPECTED[v] for k, v in SAME_AS.items()}}.items():
            with self.subTest(rel):
                db = os.path.join(self.tmp, "%d.db" % abs(hash(rel)))
                rc, out = self.imp(os.path.join(FIX, rel), db=db)
                self.assertEqual(rc, 0, out)
                self.assertEqual((out["imported"], out["duplicates"], out["failed"]),
                                 (1, 0, []))
                r = out["reports"][0]
                self.assertEqual(
                    (r["kind"], r["status"], r["org"], r["report_id"], r["domain"],
                     r["begin"], r["rows"], r["messages"]),
                    (kind, "imported", org, rid, domain, begin, rows, msgs))
                self.assertTrue(r["file"].startswith(os.path.join(FIX, rel)), r["file"])

    def test_failure_reports(self):
        for rel, (ip, domain, auth) in FAILURES.items():
            with self.subTest(rel):
                db = os.path.join(self.tmp, "%d.db" % abs(hash(rel)))
                rc, out = self.imp(os.path.join(FIX, rel), db=db)
                self.assertEqual(rc, 0, out)
                r = out["reports"][0]
                self.assertEqual((r["kind"], r["domain"], r["rows"], r["messages"]),
                                 ("failure", domain, 1, 1))
                rc, s = self.summary("--domain", domain, db=db)
                self.assertEqual(s["failure_reports"], 1)
        # The Exim report has no ARF part: read from its text, and said.
        rc, out = self.imp(os.path.join(FIX, "failure/exim_plain_text_only_no_arf_part.eml"))
        self.assertIn("report.failure_no_arf_part",
                      {f["code"] for f in out["reports"][0]["findings"]})

    def test_findings_on_messy_reports(self):
        cases = {
            "aggregate_invalid/report_with_upper_cased_pass.xml": "report.uppercase_value",
            "aggregate/invalid_utf_8.xml": "report.invalid_utf8",
            "aggregate/invalid_xml.xml": "report.xml_recovered",
            "aggregate/old_draft_from_wiki.xml": "report.missing_envelope_from",
        }
        for rel, code in cases.items():
            with self.subTest(rel):
                rc, out = self.imp(os.path.join(FIX, rel),
                                   db=os.path.join(self.tmp, "%d.db" % abs(hash(rel))))
                self.assertEqual(rc, 0, out)
                self.assertIn(code, {f["code"] for f in out["reports"][0]["findings"]})
        # No invalid UTF-8 reaches the store or the JSON: the bad byte is
        # U+FFFD in header_from.
        db = os.path.join(self.tmp, "%d.db" % abs(hash("aggregate/invalid_utf_8.xml")))
        rc, s = self.summary("--domain", "example.com", db=db)
        self.assertEqual(s["messages"], 1)

    def test_directory_twice(self):
        rc, out = self.imp(FIX)
        self.assertEqual(rc, 1, "some files are not reports: exit 1")
        stored = {(r["kind"], r["org"], r["report_id"]) for r in out["reports"]
                  if r["status"] == "imported"}
        want = {(k, o, i) for k, o, i, *_ in EXPECTED.values()}
        self.assertTrue(want <= stored, want - stored)
        self.assertEqual(out["imported"], len(EXPECTED) + 4)  # + 4 failure reports
        self.assertEqual(out["duplicates"], len(SAME_AS) + 1)  # + the CRLF twin
        refused = sorted(os.path.relpath(f["file"], FIX) for f in out["failed"])
        self.assertEqual(refused, sorted(REFUSED))
        for f in out["failed"]:
            self.assertTrue(f["error"], f)
        rc, again = self.imp(FIX)
        self.assertEqual((again["imported"], again["duplicates"]),
                         (0, out["imported"] + out["duplicates"]))
        rc, s = self.summary()
        self.assertEqual(s["reports"], len([e for e in EXPECTED.values() if e[0] == "aggregate"]))

    def test_tls_summary(self):
        """SMTP TLS reports summarised by policy type and result type (the
        numbers of smtp_tls/*.json, read by hand), in JSON and in HTML."""
        rc, out = self.imp(os.path.join(FIX, "smtp_tls"))
        self.assertEqual((rc, out["imported"]), (0, 4))
        rc, s = self.summary("--domain", "example.com")
        t = s["tls"]
        # Mail.ru: 0 ok, 1 failed (sts); Example Inc.: 0 ok, 3 failed (sts).
        self.assertEqual((t["reports"], t["successful_sessions"], t["failed_sessions"]),
                         (2, 0, 4))
        by = {(x["policy_type"], x["result_type"]): x["sessions"] for x in t["by_type"]}
        self.assertEqual(by[("sts", "validation-failure")], 3)
        self.assertEqual(by[("sts", "sts-policy-fetch-error")], 2)
        rc, html, _ = run("reports", "summary", "--db", self.db, "--format", "html",
                          resolver=None)
        self.assertIn('id="evidence-tls"', html)
        self.assertIn("<td>certificate-expired</td>", html)
        self.assertIn("<td>no-policy-found</td>", html)

    def test_db_check(self):
        """posture db check holds every stored report to what it says of
        itself: a report whose rows were changed behind posture's back is
        a problem (exit 1), named."""
        import sqlite3
        rc, out = self.imp(os.path.join(FIX, "extract_report", "nice-input.xml"),
                           os.path.join(FIX, "smtp_tls"), os.path.join(FIX, "failure"))
        self.assertEqual(rc, 0, out)
        rc, j = run_json("db", "check", "--db", self.db)
        self.assertEqual((rc, j["ok"], j["reports"], j["problems"]), (0, True, 9, 0))
        con = sqlite3.connect(self.db)
        con.execute("DELETE FROM fb_rows WHERE id = (SELECT max(id) FROM fb_rows)")
        con.commit()
        con.close()
        rc, j = run_json("db", "check", "--db", self.db)
        # The report's record count and its messages (2), and the row's
        # DKIM and SPF results left belonging to nothing (2).
        self.assertEqual((rc, j["ok"], j["problems"]), (1, False, 4))
        self.assertIn("record count differs", j["first_problem"])
        self.assertIn("google.com 11038226378739404135", j["first_problem"])

    def test_text_output(self):
        rc, out, err = run("reports", "import", os.path.join(FIX, "aggregate_invalid"),
                           "--db", self.db, resolver=None)
        self.assertEqual(rc, 0, err)
        self.assertIn("imported aggregate example.com from example.com id "
                      "aggr_report_example.com_20191202_1638", out)
        self.assertIn("1 imported (1 aggregate, 0 failure, 0 TLS), 0 duplicates, 0 could not be "
                      "read, from 1 files", out)
        # Without findings a report is only counted, unless --verbose.
        rc, out, err = run("reports", "import", os.path.join(FIX, "aggregate", "rfc9990-sample.xml"),
                           "--db", self.db, resolver=None)
        self.assertNotIn("Sample Reporter", out)
        rc, out, err = run("reports", "import", "--verbose",
                           os.path.join(FIX, "aggregate", "rfc9990-sample.xml"), "--db", self.db,
                           resolver=None)
        self.assertIn("duplicate aggregate example.com from Sample Reporter id "
                      "3v98abbp8ya9n3va8yr8oa3ya", out)


def aggregate_xml(org="rep.example", rid="r1", domain="example.com", begin=1700000000,
                  rows=(("192.0.2.1", 5, "pass", "pass"),), doctype=""):
    recs = "".join(
        "<record><row><source_ip>%s</source_ip><count>%d</count><policy_evaluated>"
        "<disposition>none</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated>"
        "</row><identifiers><header_from>%s</header_from></identifiers><auth_results>"
        "<spf><domain>%s</domain><result>%s</result></spf></auth_results></record>"
        % (ip, n, dk, sp, domain, domain, sp) for ip, n, dk, sp in rows)
    return ('<?xml version="1.0"?>%s<feedback><report_metadata><org_name>%s</org_name>'
            "<email>x@rep.example</email><report_id>%s</report_id><date_range><begin>%d"
            "</begin><end>%d</end></date_range></report_metadata><policy_published>"
            "<domain>%s</domain><p>none</p></policy_published>%s</feedback>"
            % (doctype, org, rid, begin, begin + 86399, domain, recs)).encode()


class Hostile(Tmp):
    def write(self, name, data):
        p = os.path.join(self.tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def refused(self, path):
        rc, out = self.imp(path)
        self.assertEqual(rc, 1, out)
        self.assertEqual(out["imported"], 0)
        self.assertEqual(len(out["failed"]), 1, out)
        return out["failed"][0]["error"]

    def test_gzip_bomb(self):
        # 40 MiB of zeros, about 40 KB compressed: past the 32 MiB cap.
        p = self.write("bomb.xml.gz", gzip.compress(b"\0" * (40 << 20)))
        self.assertIn("inflates past", self.refused(p))

    def test_zip_bomb(self):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("bomb.xml", b"<" + b" " * (40 << 20))
        p = self.write("bomb.zip", buf.getvalue())
        self.assertIn("inflates past", self.refused(p))

    def test_external_entity(self):
        dt = '<!DOCTYPE feedback [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        p = self.write("xxe.xml", aggregate_xml(org="&xxe;", doctype=dt))
        self.assertIn("document type declaration refused", self.refused(p))

    def test_billion_laughs(self):
        ents = '<!ENTITY a0 "lol">' + "".join(
            '<!ENTITY a%d "%s">' % (i, ("&a%d;" % (i - 1)) * 10) for i in range(1, 10))
        p = self.write("laughs.xml",
                       aggregate_xml(org="&a9;", doctype="<!DOCTYPE feedback [%s]>" % ents))
        self.assertIn("document type declaration refused", self.refused(p))

    def test_nesting_limit(self):
        data = aggregate_xml()
        for _ in range(6):
            data = gzip.compress(data)
        self.assertIn("deep", self.refused(self.write("deep.gz", data)))

    def test_published_text_escaped(self):
        org = "=HYPERLINK(\"x\")<script>alert(1)</script>\x1b[31m"
        p = self.write("evil.xml", aggregate_xml(org=org.replace("<", "&lt;"), rid="evil"))
        rc, out = self.imp(p)
        self.assertEqual(rc, 0, out)
        rc, text, _ = run("reports", "summary", "--db", self.db, "--domain", "example.com",
                          resolver=None)
        self.assertNotIn("\x1b", text)  # not XML 1.0: the parser drops it
        # JSON may carry any control character escaped: a TLS report's
        # organization-name reaches the terminal as \DDD.
        tls = {"organization-name": "Evil\x1b[2J\u202eCorp", "report-id": "t1",
               "date-range": {"start-datetime": "2024-01-01T00:00:00Z",
                              "end-datetime": "2024-01-01T23:59:59Z"},
               "contact-info": "x@evil.example",
               "policies": [{"policy": {"policy-type": "sts", "policy-domain": "example.com"},
                             "summary": {"total-successful-session-count": 1,
                                         "total-failure-session-count": 0}}]}
        p = self.write("evil.json", json.dumps(tls).encode())
        rc, text, _ = run("reports", "import", "--verbose", p, "--db", self.db, resolver=None)
        self.assertEqual(rc, 0, text)
        self.assertNotIn("\x1b", text)
        self.assertNotIn("\u202e", text)
        self.assertIn("Evil\\027[2J\\226\\128\\174Corp", text)
        rc, html, _ = run("reports", "summary", "--db", self.db, "--domain", "example.com",
                          "--format", "html", resolver=None)
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        rc, text, _ = run("reports", "summary", "--db", self.db, "--domain", "example.com",
                          "--format", "csv", "--table", "reporters", resolver=None)
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0], ["domain", "org", "reports", "messages"])
        self.assertTrue(rows[1][1].startswith("'="), rows[1])

    def test_missing_file_and_usage(self):
        rc, out = self.imp(os.path.join(self.tmp, "nope.xml"))
        self.assertEqual(rc, 1)
        self.assertIn("No such file", out["failed"][0]["error"])
        rc, _, err = run("reports", "import", "--db", self.db, resolver=None)
        self.assertEqual(rc, 2)
        rc, _, err = run("reports", "summary", "--db", self.db, "--since", "yesterday",
                         resolver=None)
        self.assertEqual(rc, 2)
        self.assertIn("--since", err)


def gen(outdir, domain, frm, to, crm="fail"):
    p = subprocess.run(["/usr/bin/python3", GEN, outdir, "--domain", domain,
                        "--from-days-ago", str(frm), "--to-days-ago", str(to), "--crm", crm],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError(p.stderr)
    return p.stdout


class Evidence(Tmp):
    DOMAIN = "pnone.bimi.test"  # p=none in tests/zones/bimi.test.zone

    def test_summary_contract_and_counts(self):
        d = os.path.join(self.tmp, "month")
        gen(d, self.DOMAIN, 10, 1)  # 10 days, CRM failing
        rc, out = self.imp(d)
        self.assertEqual((rc, out["imported"], out["failed"]), (0, 10 * REPORTERS, []))
        rc, s = self.summary("--domain", self.DOMAIN)
        self.assertEqual(rc, 1, "not yet: exit 1")
        for k in ("domain", "reports", "messages", "dmarc_pass", "dmarc_fail", "sources",
                  "reporters", "selectors"):
            self.assertIn(k, s)
        n = 10 * REPORTERS
        self.assertEqual(s["reports"], n)
        self.assertEqual(s["messages"], n * (OWN + CRM + SPOOF))
        self.assertEqual(s["dmarc_pass"], n * OWN)
        self.assertEqual(s["dmarc_fail"], n * (CRM + SPOOF))
        self.assertEqual([(x["ip"], x["messages"], x["dmarc_pass"]) for x in s["sources"][:2]],
                         [("192.0.2.10", n * OWN, n * OWN), ("198.51.100.25", n * CRM, 0)])
        msgs = [x["messages"] for x in s["sources"]]
        self.assertEqual(msgs, sorted(msgs, reverse=True))
        self.assertEqual(sorted((r["org"], r["reports"], r["messages"]) for r in s["reporters"]),
                         [(o, 10, 10 * (OWN + CRM + SPOOF))
                          for o in ("google.example", "outlook.example", "yahoo.example")])
        self.assertEqual([(x["domain"], x["selector"], x["messages"]) for x in s["selectors"]],
                         [(self.DOMAIN, "mail", n * OWN)])
        self.assertEqual(s["verdict"]["verdict"], "not_yet")
        # The selectors seen, as posture dkim --selectors-file reads them.
        rc, text, _ = run("reports", "summary", "--db", self.db, "--selectors", resolver=None)
        self.assertEqual(text, self.DOMAIN + " mail\n")
        sel = os.path.join(self.tmp, "seen.txt")
        with open(sel, "w") as f:
            f.write(text)
        rc, d = run_json("dkim", self.DOMAIN, "--selector", "nosuch", "--selectors-file", sel)
        self.assertEqual([x["selector"] for x in d["selectors"]], ["nosuch", "mail"])
        # CSV for pandas: one row per source, the same numbers.
        rc, text, _ = run("reports", "summary", "--db", self.db, "--domain", self.DOMAIN,
                          "--format", "csv", resolver=None)
        rows = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual((rows[1]["ip"], int(rows[1]["dmarc_fail"])), ("198.51.100.25", n * CRM))
        # HTML: the page with its chart and the failing sources.
        out_html = os.path.join(self.tmp, "ev.html")
        rc, _, err = run("reports", "summary", "--db", self.db, "--domain", self.DOMAIN, "-o",
                         out_html, resolver=None)
        self.assertEqual(rc, 1, err)
        with open(out_html) as f:
            html = f.read()
        self.assertIn('id="evidence-days"', html)
        self.assertEqual(html.count('<g class="day"'), 10)
        self.assertIn("198.51.100.25", html)
        self.assertIn('data-verdict="not_yet"', html)

    def test_check_not_yet_then_safe(self):
        month, week = os.path.join(self.tmp, "month"), os.path.join(self.tmp, "week")
        gen(month, self.DOMAIN, 37, 8, "fail")
        self.assertEqual(self.imp(month)[0], 0)
        rc, r = run_json("check", self.DOMAIN, "--reports-db", self.db, "--no-fetch")
        ev = r["evidence"]
        self.assertEqual(ev["verdict"], "not_yet")
        self.assertEqual(ev["failing"][0]["ip"], "198.51.100.25")
        item = next(i for i in r["bimi"]["readiness"] if i["item"] == "dmarc_evidence")
        self.assertEqual(item["status"], "warn")
        self.assertIn("198.51.100.25", item["detail"])
        self.assertIn("not yet", item["detail"])
        self.assertTrue(item["fix"])
        rc, text, _ = run("check", self.DOMAIN, "--reports-db", self.db, "--no-fetch")
        self.assertIn("198.51.100.25", text)
        self.assertIn("not yet", text)

        gen(week, self.DOMAIN, 7, 1, "pass")
        self.assertEqual(self.imp(week)[0], 0)
        rc, r = run_json("check", self.DOMAIN, "--reports-db", self.db, "--no-fetch")
        self.assertEqual(r["evidence"]["verdict"], "safe_to_enforce", r["evidence"])
        item = next(i for i in r["bimi"]["readiness"] if i["item"] == "dmarc_evidence")
        self.assertEqual(item["status"], "pass")
        self.assertIn("safe to enforce", item["detail"])
        rc, s = self.summary("--domain", self.DOMAIN, "--days", "30")
        self.assertEqual((rc, s["verdict"]["verdict"]), (0, "safe_to_enforce"))

    def test_html_report_section(self):
        """posture report's HTML gains the receivers' section when the
        database holds aggregate reports, and only then."""
        lst = os.path.join(self.tmp, "list.txt")
        with open(lst, "w") as f:
            f.write(self.DOMAIN + "\n")
        rc, _, err = run("scan", lst, "--db", self.db, "--no-fetch")
        self.assertIn(rc, (0, 4), err)
        rc, html, err = run("report", "--db", self.db, "--format", "html", resolver=None)
        self.assertNotIn('id="evidence"', html)
        gen(os.path.join(self.tmp, "m"), self.DOMAIN, 5, 1)
        self.assertEqual(self.imp(os.path.join(self.tmp, "m"))[0], 0)
        rc, html, err = run("report", "--db", self.db, "--format", "html", resolver=None)
        self.assertEqual(rc, 0, err)
        self.assertIn('<section id="evidence">', html)
        self.assertEqual(html.count('<g class="day"'), 5)
        self.assertIn("198.51.100.25", html)

    def test_resolve_and_services(self):
        """--resolve asks the PTR of the sources listed (the bed's reverse
        zones): the CRM's reverse name is a SendGrid one, so the service
        is named and summed; without --resolve, nothing names it."""
        gen(os.path.join(self.tmp, "m"), self.DOMAIN, 3, 1)
        self.assertEqual(self.imp(os.path.join(self.tmp, "m"))[0], 0)
        rc, s = self.summary("--domain", self.DOMAIN)
        crm = next(x for x in s["sources"] if x["ip"] == "198.51.100.25")
        self.assertEqual((crm["ptr"], crm["service"]), (None, None))
        self.assertEqual(s["services"], [])
        rc, s = run_json("reports", "summary", "--db", self.db, "--domain", self.DOMAIN,
                         "--resolve", resolver=AUTH)
        by_ip = {x["ip"]: x for x in s["sources"]}
        self.assertEqual(by_ip["192.0.2.10"]["ptr"], "mail.pnone.bimi.test")
        self.assertIsNone(by_ip["192.0.2.10"]["service"])
        self.assertEqual((by_ip["198.51.100.25"]["ptr"], by_ip["198.51.100.25"]["service"]),
                         ("o1.ptr4242.sendgrid.net", "SendGrid"))
        self.assertEqual(s["services"], [{"service": "SendGrid", "sources": 1,
                                          "messages": 3 * REPORTERS * CRM, "dmarc_pass": 0}])
        # A spoofer's address has no reverse name: shown by its address.
        spoof = [x for x in s["sources"] if x["ip"].startswith("203.0.113.")]
        self.assertTrue(spoof and all(x["ptr"] is None for x in spoof))
        # --limit lists fewer sources; the totals count them all.
        rc, s = self.summary("--domain", self.DOMAIN, "--limit", "1")
        self.assertEqual((len(s["sources"]), s["sources_total"]), (1, 5))
        self.assertEqual(s["messages"], 3 * REPORTERS * (OWN + CRM + SPOOF))

    def test_database_in_the_directory(self):
        """A directory that holds the database being written: its files
        (and -wal, -shm) are skipped, never read as reports."""
        d = os.path.join(self.tmp, "m")
        gen(d, self.DOMAIN, 1, 0)  # two days
        db = os.path.join(d, "here.db")
        rc, out = self.imp(d, db=db)
        self.assertEqual((rc, out["imported"], out["failed"]), (0, 2 * REPORTERS, []))
        rc, out = self.imp(d, db=db)
        self.assertEqual((rc, out["duplicates"], out["failed"]), (0, 2 * REPORTERS, []))

    def test_spf_attribution(self):
        """With --resolve and --domain, each listed source is checked
        against the domain's SPF now (tests/zones/reports.test.zone): the
        include that authorises it names its service when nothing else
        does."""
        dom = "evidence.reports.test"
        gen(os.path.join(self.tmp, "m"), dom, 3, 1)
        self.assertEqual(self.imp(os.path.join(self.tmp, "m"))[0], 0)
        rc, s = run_json("reports", "summary", "--db", self.db, "--domain", dom, "--resolve",
                         resolver=AUTH)
        by_ip = {x["ip"]: x for x in s["sources"]}
        self.assertEqual((by_ip["192.0.2.10"]["spf_now"], by_ip["192.0.2.10"]["spf_include"]),
                         ("pass", None))
        crm = by_ip["198.51.100.25"]
        self.assertEqual((crm["spf_now"], crm["spf_include"], crm["service"]),
                         ("pass", "_spf.crm.reports.test", "SendGrid"))  # its PTR wins
        news = by_ip["203.0.113.2"]
        self.assertEqual((news["spf_now"], news["spf_include"], news["service"]),
                         ("pass", "_spf.news.reports.test", "_spf.news.reports.test"))
        for ip in ("203.0.113.3", "203.0.113.4"):
            self.assertEqual((by_ip[ip]["spf_now"], by_ip[ip]["service"]), ("fail", None))
        rc, text, _ = run("reports", "summary", "--db", self.db, "--domain", dom, "--resolve",
                          resolver=AUTH)
        self.assertIn("SPF now pass through include:_spf.crm.reports.test", text)
        # Without --domain there is no domain's SPF to ask.
        rc, s = run_json("reports", "summary", "--db", self.db, "--resolve", resolver=AUTH)
        self.assertTrue(all(x["spf_now"] is None for x in s["sources"]))

    def test_mbox(self):
        """An mbox of receivers' mail: each message's report imported."""
        d = os.path.join(self.tmp, "m")
        gen(d, self.DOMAIN, 2, 1)
        box = os.path.join(self.tmp, "dmarc.mbox")
        with open(box, "wb") as out:
            for name in sorted(os.listdir(d)):
                if name.endswith(".eml"):
                    out.write(b"From MAILER-DAEMON Mon Dec  7 00:00:00 2026\n")
                    with open(os.path.join(d, name), "rb") as f:
                        out.write(f.read().replace(b"\nFrom ", b"\n>From "))
                    out.write(b"\n")
        rc, out = self.imp(box)
        self.assertEqual((rc, out["imported"], out["failed"]), (0, 2, []))
        self.assertEqual({r["org"] for r in out["reports"]}, {"outlook.example"})
        self.assertIn(": message 2", out["reports"][1]["file"])

    def test_no_reports_is_not_evidence(self):
        rc, out = self.imp(os.path.join(FIX, "aggregate", "rfc9990-sample.xml"))
        rc, r = run_json("check", self.DOMAIN, "--reports-db", self.db, "--no-fetch")
        item = next(i for i in r["bimi"]["readiness"] if i["item"] == "dmarc_evidence")
        self.assertEqual(item["status"], "unknown")
        self.assertEqual(r["evidence"]["messages"], 0)
        rc, _, err = run("check", self.DOMAIN, "--reports-db", os.path.join(self.tmp, "no.db"))
        self.assertEqual(rc, 2)
        self.assertIn("--reports-db", err)


if __name__ == "__main__":
    unittest.main(verbosity=1)
