#!/usr/bin/env python3
"""Integration tests of the transport security figures of `posture
report` and `posture diff` (issue 24: MTA-STS, TLS-RPT, DNSSEC, DANE for
MX; the store's schema 8 columns).

The store is built the real way: posture creates it (`posture db check`
migrates an empty file to its schema), the report fixture
(tests/fixtures/report/fixture.sql) fills it, and the transport columns
of some of run 3's results (and run 2's, for diff) are set by hand below,
as a scan with --checks ...,mta-sts,tls-rpt,dnssec,dane stores them.
Every figure is counted by hand from the table in TRANSPORT, in both
views and every format (text, CSV, JSON, Markdown, HTML), with the
domains whose checks did not run (NULL) and one that does not exist
(NXDOMAIN) left out; the research CSV's columns; a run without the
checks shows them as not checked; posture diff names the changes
(dnssec secure -> bogus). Then the same through real scans of the bed's
MTA-STS and DNSSEC fixtures (RealScan, below).
"""
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

from posturetest import POSTURE

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "fixtures", "report"))
import load  # noqa: E402  (the fixture loader beside fixture.sql)

D, C, A = "domain", "company", "company_any"

# Run 3 (the fixture's latest run, 25 domains of 12 companies; * marks a
# company's primary domain, its first in list order). Domains 10-25 ran no
# transport check (NULL); delta-shop.example (9) does not exist (its JSON
# says "exists": false), so it counts in no transport figure.
#   #  domain               MTA-STS (covered)  TLS-RPT    DNSSEC         DANE
TRANSPORT = {
    "alpha.example":       ("enforce", 1, "ok", "secure", "dane"),                     # 1*
    "alpha-bank.example":  ("testing", 0, "none", "insecure", "none"),                 # 2
    "alpha-mail.example":  ("missing", None, "none", "insecure", "none"),              # 3
    "beta.example":        ("enforce", 0, "invalid", "bogus", "unusable"),             # 4*
    "beta-group.example":  ("invalid", None, "ok", "secure", "partial"),               # 5
    "gamma.example":       ("none", None, "temperror", "indeterminate", "indeterminate"),  # 6*
    "gamma-parts.example": ("not_fetched", None, "ok", "secure", "dane"),              # 7
    "delta.example":       ("temperror", None, "ok", "secure", "none"),                # 8*
    "delta-shop.example":  ("missing", None, "none", "insecure", "none"),              # 9 NXDOMAIN
}
# Checked (not NXDOMAIN): domains 1-8; companies by primary: alpha beta
# gamma delta (4 of 12); any domain: Alpha Beta Gamma Delta (4 of 12).
EXPECTED = {
    # metric: {view: (count, denominator)}
    "mta_sts_checked": {D: (8, 25), C: (4, 12)},
    "mta_sts_enforce": {D: (2, 8), C: (2, 4), A: (2, 4)},  # 1 4 | 1 4 | Alpha Beta
    "mta_sts_testing": {D: (1, 8), C: (0, 4)},  # 2
    "mta_sts_none": {D: (1, 8), C: (1, 4)},  # 6 | 6
    "mta_sts_invalid": {D: (1, 8), C: (0, 4)},  # 5
    "mta_sts_missing": {D: (1, 8), C: (0, 4)},  # 3 (9 does not exist)
    "mta_sts_temperror": {D: (1, 8), C: (1, 4)},  # 8 | 8
    "mta_sts_not_fetched": {D: (1, 8), C: (0, 4)},  # 7
    "mta_sts_mx_uncovered": {D: (2, 8), C: (1, 4)},  # 2 (testing) 4 (enforce) | 4
    "tls_rpt_checked": {D: (8, 25), C: (4, 12)},
    "tls_rpt": {D: (4, 8), C: (2, 4), A: (4, 4)},  # 1 5 7 8 | 1 8 | all four
    "tls_rpt_invalid": {D: (1, 8), C: (1, 4)},  # 4 | 4
    "tls_rpt_temperror": {D: (1, 8), C: (1, 4)},  # 6 | 6
    "dnssec_checked": {D: (8, 25), C: (4, 12)},
    "dnssec_secure": {D: (4, 8), C: (2, 4), A: (4, 4)},  # 1 5 7 8 | 1 8 | all four
    "dnssec_insecure": {D: (2, 8), C: (0, 4)},  # 2 3
    "dnssec_bogus": {D: (1, 8), C: (1, 4)},  # 4 | 4
    "dnssec_indeterminate": {D: (1, 8), C: (1, 4)},  # 6 | 6
    "dane_checked": {D: (8, 25), C: (4, 12)},
    "dane_mx": {D: (2, 8), C: (1, 4), A: (2, 4)},  # 1 7 | 1 | Alpha Gamma
    "dane_partial": {D: (1, 8), C: (0, 4)},  # 5
    "dane_unusable": {D: (1, 8), C: (1, 4)},  # 4 | 4
    "dane_indeterminate": {D: (1, 8), C: (1, 4)},  # 6 | 6
}
ANY_VIEW = {"mta_sts_enforce", "tls_rpt", "dnssec_secure", "dane_mx"}

# Run 2's transport columns (the night before), for posture diff 2 3.
BEFORE = {
    "alpha-bank.example": ("missing", None, "none", "insecure", "none"),
    "beta.example": ("enforce", 1, "invalid", "secure", "unusable"),
    "gamma.example": ("none", None, "ok", "secure", "indeterminate"),
    "gamma-parts.example": ("enforce", 1, "ok", "secure", "partial"),
}
# What diff 2 3 says of them, in domain order (the fixture's own changes
# aside): gamma.example's TLS-RPT and DNSSEC went to temperror and
# indeterminate, no verdict: not compared; gamma-parts' policy was not
# fetched: not compared.
TRANSPORT_DIFF = [
    ("alpha-bank.example", "mta_sts", "missing", "testing", "improved"),
    ("beta.example", "mta_sts_mx_covered", "yes", "no", "regressed"),
    ("beta.example", "dnssec", "secure", "bogus", "regressed"),
    ("gamma-parts.example", "dane", "partial", "dane", "improved"),
]

COLUMNS = ("mta_sts_status", "mta_sts_mx_covered", "tls_rpt_status", "dnssec_status",
           "dane_status")


def set_transport(con, run, statuses):
    for domain, (mta, cov, tls, dnssec, dane) in statuses.items():
        n = con.execute(
            "UPDATE results SET mta_sts_status = ?, mta_sts_mx_covered = ?,"
            " tls_rpt_status = ?, dnssec_status = ?, dane_status = ?"
            " WHERE run_id = ? AND domain_id = (SELECT id FROM domains WHERE name = ?)",
            (mta, cov, tls, dnssec, dane, run, domain)).rowcount
        assert n == 1, (run, domain)


class ReportTransport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="report-transport.", dir=os.environ.get("TMPDIR"))
        cls.db = os.path.join(cls.tmp, "transport.db")
        load.load(POSTURE, cls.db)
        con = sqlite3.connect(cls.db)
        try:
            set_transport(con, 3, TRANSPORT)
            set_transport(con, 2, BEFORE)
            n = con.execute("UPDATE results SET json = json_set(json, '$.exists', json('false'))"
                            " WHERE run_id = 3 AND domain_id = 9").rowcount
            assert n == 1
            con.commit()
        finally:
            con.close()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def posture(self, *args, rc=0):
        p = subprocess.run([POSTURE, *args], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, rc, p.stderr.decode())
        return p.stdout.decode("utf-8")

    def report(self, *args, rc=0):
        return self.posture("report", "--db", self.db, *args, rc=rc)

    def check_all(self, got, what):
        """got: {(metric, view): (count, denominator)}; every hand count,
        and company_any exactly for the four headline metrics."""
        for metric, views in EXPECTED.items():
            for view, want in views.items():
                self.assertEqual(got.get((metric, view)), want, f"{what}: {metric} {view}")
        self.assertEqual({m for (m, v) in got if v == A and m in EXPECTED}, ANY_VIEW, what)

    def test_schema(self):
        con = sqlite3.connect(self.db)
        try:
            self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], 8)
            row = con.execute("SELECT " + ", ".join(COLUMNS) + " FROM run_results"
                              " WHERE run_id = 3 AND domain_id = 4").fetchone()
            self.assertEqual(row, ("enforce", 0, "invalid", "bogus", "unusable"))
            row = con.execute("SELECT " + ", ".join(COLUMNS) + " FROM latest_results"
                              " WHERE domain = 'alpha.example'").fetchone()
            self.assertEqual(row, ("enforce", 1, "ok", "secure", "dane"))
        finally:
            con.close()
        # posture db check: the database is sound.
        self.posture("db", "check", "--db", self.db)

    def test_csv_stats(self):
        rows = list(csv.reader(io.StringIO(self.report("--format", "csv"), newline="")))
        got = {}
        for m, v, c, d, p in rows[1:]:
            if not m.startswith("spf_include:"):
                got[(m, v)] = (int(c), int(d))
                want = None if int(d) == 0 else round(100.0 * int(c) / int(d), 1)
                self.assertEqual(float(p) if p else None, want, m)
        self.check_all(got, "csv")

    def test_json_stats(self):
        j = json.loads(self.report("--format", "json"))
        got = {(m["metric"], m["view"]): (m["count"], m["denominator"]) for m in j["metrics"]}
        self.check_all(got, "json")
        self.assertEqual({m["group"] for m in j["metrics"] if m["metric"] in EXPECTED},
                         {"transport"})
        e = next(m for m in j["metrics"] if m["metric"] == "dnssec_bogus" and m["view"] == D)
        self.assertEqual(e["percent"], 12.5)

    def test_text_stats(self):
        out = self.report()
        self.assertIn("\nTransport security (MTA-STS, TLS-RPT, DNSSEC, DANE)\n", out)
        got = {}
        for line in out.splitlines():
            m = re.match(r"^  ([a-z0-9_]+)\s", line)
            if not m or m.group(1) == "metric":
                continue
            for view, cell in zip((D, C, A), re.findall(r"(\d+)/(\d+) \(", line)):
                got[(m.group(1), view)] = tuple(map(int, cell))
        self.check_all(got, "text")

    def test_markdown_stats(self):
        out = self.report("--format", "md")
        self.assertIn("\n## Transport security (MTA-STS, TLS-RPT, DNSSEC, DANE)\n", out)
        got = {}
        for line in out.splitlines():
            m = re.match(r"^\| `([a-z0-9_]+)` \|", line)
            if not m:
                continue
            cells = [c.strip() for c in line.strip("|").split("|")][2:]
            for k, view in enumerate((D, C, A)):
                if cells[2 * k]:
                    c, d = cells[2 * k].split("/")
                    got[(m.group(1), view)] = (int(c), int(d))
        self.check_all(got, "md")

    def test_html_stats(self):
        path = os.path.join(self.tmp, "r.html")
        self.report("--format", "html", "-o", path)
        with open(path, encoding="utf-8") as f:
            html = f.read()
        got = {}
        for m in re.finditer(r'data-metric="([a-z0-9_]+)" data-view="([a-z_]+)" '
                             r'data-count="(\d+)" data-denominator="(\d+)"', html):
            got[(m.group(1), m.group(2))] = (int(m.group(3)), int(m.group(4)))
        self.check_all(got, "html")
        # The chart: percent of the domains each check ran for.
        self.assertIn('<figure id="chart-transport">', html)
        self.assertIn('data-metric="mta_sts_enforce" data-value="25.0"', html)
        self.assertIn('data-metric="dnssec_secure" data-value="50.0"', html)

    def test_csv_domains(self):
        out = self.report("--domains", "--format", "csv")
        header = next(csv.reader(io.StringIO(out, newline="")))
        # After MX and A, before the run's columns.
        at = header.index("a")
        self.assertEqual(header[at + 1:at + 6], list(COLUMNS))
        self.assertEqual(header[at + 6], "run_id")
        by = {r["domain"]: r for r in csv.DictReader(io.StringIO(out, newline=""))}
        self.assertEqual(len(by), 25)
        for domain, want in TRANSPORT.items():
            cells = tuple(by[domain][c] for c in COLUMNS)
            self.assertEqual(cells, tuple("" if v is None else str(v) for v in want), domain)
        # Not checked: empty cells, never "none" or 0.
        for domain in ("epsilon.example", "iota-labs.example", "solo.example"):
            self.assertEqual(tuple(by[domain][c] for c in COLUMNS), ("",) * 5, domain)
        j = json.loads(self.report("--domains", "--format", "json"))
        rows = {r["domain"]: r for r in j["domains"]}
        self.assertEqual(rows["beta.example"]["mta_sts_mx_covered"], 0)
        self.assertEqual(rows["beta.example"]["dnssec_status"], "bogus")
        self.assertIsNone(rows["solo.example"]["mta_sts_mx_covered"])
        self.assertIsNone(rows["solo.example"]["dane_status"])

    def test_not_checked(self):
        """Run 1 ran no transport check: as DKIM, the group says so in text
        and Markdown, HTML has no chart and no row of its figures but the
        *_checked counts (0), CSV and JSON give them as 0 of 0."""
        text = self.report("--run", "1")
        self.assertRegex(text, r"\nTransport security \(MTA-STS, TLS-RPT, DNSSEC, DANE\)\n"
                               r"  not checked in this run \(the check did not run\): no "
                               r"adoption figure\n")
        self.assertNotRegex(text, r"\n  (mta_sts|tls_rpt|dnssec|dane)_")
        md = self.report("--run", "1", "--format", "md")
        self.assertIn("## Transport security (MTA-STS, TLS-RPT, DNSSEC, DANE)\n\nNot checked in "
                      "this run", md)
        rows = list(csv.reader(io.StringIO(self.report("--run", "1", "--format", "csv"),
                                           newline="")))
        got = {(r[0], r[1]): tuple(r[2:]) for r in rows[1:]}
        self.assertEqual(got[("mta_sts_checked", D)], ("0", "2", "0.0"))
        self.assertEqual(got[("dnssec_secure", D)], ("0", "0", ""))
        path = os.path.join(self.tmp, "r1.html")
        self.report("--run", "1", "--format", "html", "-o", path)
        with open(path, encoding="utf-8") as f:
            html = f.read()
        self.assertNotIn("chart-transport", html)
        self.assertNotIn('data-metric="mta_sts_enforce"', html)
        self.assertIn('data-metric="dane_checked" data-view="domain" data-count="0" '
                      'data-denominator="2"', html)

    def test_history(self):
        # alpha-bank.example: run 2 (BEFORE) and run 3 (TRANSPORT) set
        # here; run 1 of the fixture ran no transport check (all null).
        j = json.loads(self.posture("history", "alpha-bank.example", "--db", self.db, "--json"))
        got = {r["run"]: (r["mta_sts_status"], r["mta_sts_mx_covered"], r["tls_rpt_status"],
                          r["dnssec_status"], r["dane_status"]) for r in j["results"]}
        self.assertEqual(got.get(2), ("missing", None, "none", "insecure", "none"))
        self.assertEqual(got.get(3), ("testing", False, "none", "insecure", "none"))
        for run, v in got.items():
            if run not in (2, 3):
                self.assertEqual(v, (None,) * 5, run)
        out = self.posture("history", "alpha-bank.example", "--db", self.db, "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        last = [r for r in rows if r["run"] == "3"][0]
        self.assertEqual((last["mta_sts_status"], last["mta_sts_mx_covered"],
                          last["tls_rpt_status"], last["dnssec_status"], last["dane_status"]),
                         ("testing", "0", "none", "insecure", "none"))
        text = self.posture("history", "alpha-bank.example", "--db", self.db)
        self.assertIn("mta-sts", text.splitlines()[1])
        self.assertIn("testing", [l for l in text.splitlines() if l.lstrip().startswith("3 ")][0])

    def test_diff(self):
        j = json.loads(self.posture("diff", "2", "3", "--db", self.db, "--json", rc=1))
        got = [(c["domain"], c["what"], c["from"], c["to"], c["direction"])
               for c in j["changes"]
               if c["what"] in ("mta_sts", "mta_sts_mx_covered", "tls_rpt", "dnssec", "dane")]
        self.assertEqual(got, TRANSPORT_DIFF)
        text = self.posture("diff", "2", "3", "--db", self.db, rc=1)
        self.assertRegex(text, r"regressed beta\.example  dnssec: secure -> bogus\n")
        # The other way round: the same names, from and to swapped.
        j = json.loads(self.posture("diff", "3", "2", "--db", self.db, "--json", rc=1))
        back = {(c["domain"], c["what"]): (c["from"], c["to"], c["direction"])
                for c in j["changes"]}
        self.assertEqual(back[("beta.example", "dnssec")], ("bogus", "secure", "improved"))


# A real scan of the bed's fixtures (the zone headers say what each name
# publishes): run 1 with MTA-STS and TLS-RPT over tests/zones/
# mtasts.test.zone, its policies served by the bed's HTTPS server; run 2
# with DNSSEC and DANE over dnssec.test (signed), its unsigned child and
# bogus.test (broken signatures), trusting the bed's anchors. Each
# domain's stored columns and the report's counts, by hand.
MTASTS = {
    # name: (mta_sts_status, mta_sts_mx_covered, tls_rpt_status)
    "enforce-ok": ("enforce", 1, "none"),
    "enforce-gap": ("enforce", 0, "none"),  # a.b.enforce-gap: two labels, not covered
    "testing": ("testing", 0, "ok"),  # mx.other not covered; TLS-RPT mailto:
    "redirect": ("invalid", None, "none"),  # 302: refused (RFC 8461 3.3)
    "wrongcert": ("invalid", None, "none"),  # certificate for another name
    "no-policy": ("invalid", None, "none"),  # 404
    "two-txt": ("invalid", None, "none"),  # two v=STSv1 records
    "ctype": ("invalid", None, "none"),  # not text/plain
    "badpolicy": ("invalid", None, "none"),  # mode: strict
    "nomx": ("enforce", None, "none"),  # no MX: coverage unknown
    "modenone": ("none", None, "none"),
    "tlsrpt-ok": ("missing", None, "ok"),  # mailto: and https: rua
    "tlsrpt-bad": ("missing", None, "invalid"),  # ftp: rua only
}
SIGNED = {
    # name: (dnssec_status, dane_status)
    "dnssec.test": ("secure", "dane"),  # TLSA 3 1 1 at its only MX, secure
    "partial.dnssec.test": ("secure", "partial"),  # mx usable, mx2 no TLSA
    "pkix.dnssec.test": ("secure", "unusable"),  # usage 1 only (RFC 7672 3.1.3)
    "unsigned.dnssec.test": ("insecure", "unusable"),  # TLSA from an insecure answer
    "bogus.test": ("bogus", "none"),  # MX RRSIG expired, TXT signature broken; no TLSA
}
# Every domain is its own company: the company view equals the domain view.
SCAN_1 = {
    "mta_sts_checked": (13, 13),
    "mta_sts_enforce": (3, 13),  # enforce-ok enforce-gap nomx
    "mta_sts_testing": (1, 13),
    "mta_sts_none": (1, 13),
    "mta_sts_invalid": (6, 13),
    "mta_sts_missing": (2, 13),
    "mta_sts_temperror": (0, 13),
    "mta_sts_not_fetched": (0, 13),
    "mta_sts_mx_uncovered": (2, 13),  # enforce-gap testing
    "tls_rpt_checked": (13, 13),
    "tls_rpt": (2, 13),  # testing tlsrpt-ok
    "tls_rpt_invalid": (1, 13),
    "tls_rpt_temperror": (0, 13),
    "dnssec_checked": (0, 13),
    "dane_checked": (0, 13),
}
SCAN_2 = {
    "mta_sts_checked": (0, 5),
    "tls_rpt_checked": (0, 5),
    "dnssec_checked": (5, 5),
    "dnssec_secure": (3, 5),
    "dnssec_insecure": (1, 5),
    "dnssec_bogus": (1, 5),
    "dnssec_indeterminate": (0, 5),
    "dane_checked": (5, 5),
    "dane_mx": (1, 5),
    "dane_partial": (1, 5),
    "dane_unusable": (2, 5),
    "dane_indeterminate": (0, 5),
}


class RealScan(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="report-scan.", dir=os.environ.get("TMPDIR"))
        cls.db = os.path.join(cls.tmp, "scan.db")
        env = os.environ
        runs = [
            ([n + ".mtasts.test" for n in MTASTS], "spf,dmarc,mx,mta-sts,tls-rpt",
             ["--ca-file", env["BED_CA"], "--connect-to", "::" + env["BED_HTTPS"]]),
            (list(SIGNED), "spf,dmarc,mx,dnssec,dane",
             ["--trust-anchor", env["BED_TRUST_ANCHORS"]]),
        ]
        for k, (names, checks, extra) in enumerate(runs, 1):
            lst = os.path.join(cls.tmp, f"list{k}.txt")
            with open(lst, "w") as f:
                f.write("\n".join(names) + "\n")
            p = subprocess.run([POSTURE, "scan", lst, "--db", cls.db, "--checks", checks,
                                "--resolver", env["BED_AUTH"], "--quiet", *extra],
                               capture_output=True, timeout=300)
            if p.returncode != 0:
                shutil.rmtree(cls.tmp, ignore_errors=True)
                raise AssertionError(f"scan {k}: {p.returncode} {p.stderr.decode()}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def stored(self, run):
        con = sqlite3.connect(self.db)
        try:
            rows = con.execute("SELECT d.name, " + ", ".join("r." + c for c in COLUMNS) +
                               ", r.conclusive FROM run_results r JOIN domains d"
                               " ON d.id = r.domain_id WHERE r.run_id = ?", (run,)).fetchall()
        finally:
            con.close()
        return {r[0]: r[1:] for r in rows}

    def counts(self, run):
        p = subprocess.run([POSTURE, "report", "--db", self.db, "--run", str(run),
                            "--format", "csv"], capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        rows = list(csv.reader(io.StringIO(p.stdout.decode(), newline="")))
        return {(r[0], r[1]): (int(r[2]), int(r[3])) for r in rows[1:]
                if not r[0].startswith("spf_include:")}

    def test_stored_mta_sts(self):
        got = self.stored(1)
        want = {n + ".mtasts.test": (mta, cov, tls, None, None, 1)
                for n, (mta, cov, tls) in MTASTS.items()}
        self.assertEqual(got, want)

    def test_stored_dnssec(self):
        got = self.stored(2)
        want = {n: (None, None, None, dnssec, dane, 1) for n, (dnssec, dane) in SIGNED.items()}
        self.assertEqual(got, want)

    def test_report_counts(self):
        for run, want in ((1, SCAN_1), (2, SCAN_2)):
            got = self.counts(run)
            for metric, cd in want.items():
                self.assertEqual(got[(metric, D)], cd, (run, metric))
                self.assertEqual(got[(metric, C)], cd, (run, metric))
        # company_any of the headline metrics, every domain its own company.
        got = self.counts(1)
        self.assertEqual(got[("mta_sts_enforce", A)], (3, 13))
        self.assertEqual(got[("tls_rpt", A)], (2, 13))
        got = self.counts(2)
        self.assertEqual(got[("dnssec_secure", A)], (3, 5))
        self.assertEqual(got[("dane_mx", A)], (1, 5))

    def test_report_text(self):
        """Run 1's text: MTA-STS and TLS-RPT counted, DNSSEC and DANE not
        checked; the domain CSV holds the stored statuses."""
        # 100 columns: the cells on the metric's line, what it counts below.
        p = subprocess.run([POSTURE, "report", "--db", self.db, "--run", "1"],
                           capture_output=True, timeout=120, env=dict(os.environ, COLUMNS="100"))
        out = p.stdout.decode()
        self.assertRegex(out, r"\n  mta_sts_enforce +3/13 \(23\.1%\) +3/13 \(23\.1%\) +"
                              r"3/13 \(23\.1%\)\n")
        self.assertRegex(out, r"\n  dnssec_secure +not checked +not checked +not checked\n")
        p = subprocess.run([POSTURE, "report", "--db", self.db, "--run", "2", "--domains",
                            "--format", "csv"], capture_output=True, timeout=120)
        by = {r["domain"]: r for r in csv.DictReader(io.StringIO(p.stdout.decode(),
                                                                 newline=""))}
        self.assertEqual((by["bogus.test"]["dnssec_status"], by["bogus.test"]["dane_status"],
                          by["bogus.test"]["mta_sts_status"]), ("bogus", "none", ""))


if __name__ == "__main__":
    unittest.main()
