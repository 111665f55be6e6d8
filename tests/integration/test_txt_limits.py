#!/usr/bin/env python3
"""Records at posture's limits, through the command line (issue 19, items
2, 5 and 7).

The fixtures are in tests/zones/limits.test.zone, served by the bed's Knot:
a NUL byte inside an SPF and a DMARC record, an SPF tree of 25 mx: terms
of 10 hosts each, records longer than posture reads (16 KB, 10,000 terms,
1,000 rua URIs) and huge TXT records beside good ones. Each is a finding
on the record it is about (SPF PermError, an invalid DMARC record), never
a DNS failure and never the loss of the domain's other results: the domain
stays conclusive, its DMARC policy kept.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from posturetest import POSTURE, codes, finding, run, run_json, stored_results

Z = "limits.test"
SPF_NUL = "v=spf1 ip4:192.0.2.1\x00 -all"
DMARC_NUL = "v=DMARC1; p=reject; rua=mailto:agg@dmarc-nul.limits.test\x00.evil.test"


def name(label):
    return "%s.%s" % (label, Z)


class Nul(unittest.TestCase):
    """Item 2: a NUL byte is part of the record, never its end."""

    def test_spf_permerror_names_the_nul(self):
        rc, d = run_json("spf", name("spf-nul"))
        self.assertEqual((rc, d["status"], d["error_code"]), (1, "permerror", "spf.syntax"))
        self.assertEqual(d["record"], SPF_NUL)
        self.assertEqual(d["tree"]["record"], SPF_NUL)
        f = finding(d, "spf.syntax")
        self.assertEqual(f["message"], 'term "ip4:192.0.2.1\\000" at byte 7: a NUL byte '
                         "(\\000) at byte 20: no term may hold one")
        # The text output escapes it; nothing after it is lost.
        rc, out, _ = run("spf", name("spf-nul"))
        self.assertIn('"v=spf1 ip4:192.0.2.1\\000 -all"', out)
        self.assertNotIn("\x00", out)

    def test_spf_eval_permerror(self):
        # Before: evaluated as pass, the term cut at the NUL.
        rc, out, _ = run("spf", "eval", "--ip", "192.0.2.1", "--sender",
                         "someone@" + name("spf-nul"))
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("permerror\n"), out)
        self.assertIn("NUL byte", out)

    def test_dmarc_invalid_record_whole(self):
        rc, d = run_json("dmarc", name("dmarc-nul"))
        self.assertEqual((d["status"], d["enforcement"]), ("invalid", "invalid"))
        self.assertEqual(d["rfc7489"]["status"], "invalid")
        self.assertEqual(d["record"], DMARC_NUL)
        self.assertEqual(d["rfc7489"]["record"], DMARC_NUL)
        self.assertEqual(d["rua"], [])
        self.assertIn("holds a NUL byte (\\000) at byte 56",
                      finding(d, "dmarc.syntax")["message"])
        rc, out, _ = run("dmarc", name("dmarc-nul"))
        self.assertIn("agg@dmarc-nul.limits.test\\000.evil.test", out)
        self.assertNotIn("\x00", out)


class Oversized(unittest.TestCase):
    """Item 7: a record longer than posture reads is a finding on that
    record; the answer that holds it is data, read whole over TCP."""

    def test_lookup_reads_the_whole_answer(self):
        rc, a = run_json("lookup", name("spf-16k"), "TXT")
        self.assertEqual((rc, a["outcome"], a["tcp"]), (0, "data", True))
        self.assertEqual(len(a["records"]), 1)
        self.assertEqual(len(a["records"][0]), 16385)
        rc, a = run_json("lookup", "_dmarc." + name("rua-1000"), "TXT")
        self.assertEqual((a["outcome"], len(a["records"][0])), ("data", 34023))

    def test_spf_permerror(self):
        for label, size in (("spf-16k", 16385), ("spf-10k-terms", 20011)):
            with self.subTest(label=label):
                rc, d = run_json("spf", name(label))
                self.assertEqual((rc, d["status"], d["error_code"]),
                                 (1, "permerror", "spf.syntax"))
                self.assertIsNone(d["record"])
                self.assertIn("is %d bytes, more than posture reads (8192, "
                              "DNS_TXT_MAX_BYTES)" % size,
                              finding(d, "spf.syntax")["message"])
                self.assertNotIn("spf.temperror", codes(d))
                rc, d = run_json("dmarc", name(label))
                self.assertEqual((d["status"], d["policy"]), ("ok", "reject"))

    def test_dmarc_1000_rua_invalid(self):
        rc, d = run_json("dmarc", name("rua-1000"))
        self.assertEqual((d["status"], d["rfc7489"]["status"]), ("invalid", "invalid"))
        self.assertIsNone(d["record"])
        self.assertIn("is 34023 bytes, more than posture reads",
                      finding(d, "dmarc.syntax")["message"])
        self.assertNotIn("dmarc.temperror", codes(d))

    def test_huge_record_beside_hides_nothing(self):
        rc, d = run_json("spf", name("huge-apex"))
        self.assertEqual((rc, d["status"], d["record"]),
                         (0, "ok", "v=spf1 ip4:192.0.2.1 -all"))
        rc, d = run_json("dmarc", name("huge-apex"))
        self.assertEqual((d["status"], d["record"], d["enforcement"]),
                         ("ok", "v=DMARC1; p=reject", "reject"))
        self.assertIn("dmarc.non_dmarc_txt", codes(d))


class Answers(unittest.TestCase):
    """Item 5: RFC 7208 4.6.4's limits stop the tree long before a domain's
    answer bound (DNS_MEMO_MAX)."""

    def test_mx_heavy_permerror(self):
        rc, d = run_json("spf", name("mx-heavy"))
        self.assertEqual((rc, d["status"], d["error_code"], d["lookups"]),
                         (1, "permerror", "spf.too_many_lookups", 25))
        self.assertNotIn("spf.tree_too_large", codes(d))
        rc, out, err = run("spf", "eval", "--ip", "192.0.2.1", "--sender",
                           "a@" + name("mx-heavy"))
        self.assertEqual((rc, out.split("\n")[0]), (0, "permerror"), err)

    def test_check_keeps_dmarc(self):
        rc, d = run_json("check", name("mx-heavy"))
        self.assertEqual(rc, 1)
        self.assertEqual((d["spf"]["status"], d["spf"]["error_code"]),
                         ("permerror", "spf.too_many_lookups"))
        self.assertEqual((d["dmarc"]["status"], d["dmarc"]["enforcement"]),
                         ("ok", "reject"))


class Scan(unittest.TestCase):
    """A scan of every case stores each domain conclusive, with the finding
    on the record concerned and the other check's result kept."""

    WANT = {
        # label: (spf status, spf error_code, dmarc status)
        "spf-nul": ("permerror", "spf.syntax", "ok"),
        "dmarc-nul": ("ok", None, "invalid"),
        "mx-heavy": ("permerror", "spf.too_many_lookups", "ok"),
        "spf-16k": ("permerror", "spf.syntax", "ok"),
        "spf-10k-terms": ("permerror", "spf.syntax", "ok"),
        "rua-1000": ("ok", None, "invalid"),
        "huge-apex": ("ok", None, "ok"),
    }

    def test_scan_stores_conclusive_results(self):
        tmp = tempfile.mkdtemp(prefix="posture-txt-limits.")
        try:
            lst = os.path.join(tmp, "list.txt")
            db = os.path.join(tmp, "t.db")
            with open(lst, "w") as f:
                f.write("".join(name(k) + "\n" for k in self.WANT))
            p = subprocess.run([POSTURE, "scan", lst, "--db", db, "--resolver",
                                os.environ["BED_AUTH"]], capture_output=True, text=True,
                               timeout=120, cwd=tmp)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("0 inconclusive", p.stdout + p.stderr)
            got = stored_results(db)
            self.assertEqual(set(got), {name(k) for k in self.WANT})
            for label, (spf, code, dmarc) in self.WANT.items():
                with self.subTest(label=label):
                    r = got[name(label)]
                    self.assertEqual((r["spf"]["status"], r["spf"]["error_code"],
                                      r["dmarc"]["status"]), (spf, code, dmarc))
            self.assertEqual(got[name("spf-nul")]["spf"]["record"], SPF_NUL)
            self.assertEqual(got[name("dmarc-nul")]["dmarc"]["record"], DMARC_NUL)
            self.assertEqual(got[name("mx-heavy")]["dmarc"]["enforcement"], "reject")
            # db export says conclusive for every row.
            p = subprocess.run([POSTURE, "db", "export", "--db", db], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            rows = [json.loads(line) for line in p.stdout.splitlines()]
            self.assertEqual(len(rows), len(self.WANT))
            for row in rows:
                self.assertIs(row["conclusive"], True, row["domain"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
