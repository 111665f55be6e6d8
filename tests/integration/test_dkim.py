"""posture dkim and the DKIM part of posture check, through the command line
over the bed (issue 21): tests/zones/dkim.test.zone and dkimhost.test.zone
(what each name publishes is listed at the top of the zone file), and the
bed's faultdns for a selector that never answers.

- every case's status, selectors, key types and bits, finding codes and
  exit status; the JSON contract of posture dkim --json;
- "none_found" names how many selectors were probed and how to give the
  real one, never "no DKIM"; a timeout is temperror, never none;
- --selector, --selectors-file, an address as the domain, usage errors;
- posture check: the DKIM line, the enforceability finding of a p=reject
  domain without a key, the readiness item, and a dkim object equal to
  posture dkim's.
"""
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import tempfile
import unittest

from posturetest import AUTH, FAULT, ROOT, run, run_json

CONTRACT = ["domain", "status", "probed", "selectors", "findings"]
SELECTOR_KEYS = ["selector", "status", "key_type", "bits", "testing", "cname", "findings"]
FINDING_KEYS = ["code", "severity", "message", "path", "fix"]
TIMEOUT = ("--timeout", "200", "--retries", "0")


def bundled():
    """The selectors of lists/dkim-selectors.txt, in order."""
    out = []
    with open(os.path.join(ROOT, "lists", "dkim-selectors.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                out.append(line.split("\t")[0])
    return out


N = len(bundled())


def dkim(domain, *args, resolver=AUTH):
    """posture dkim --json: (exit status, parsed output)."""
    return run_json("dkim", domain, *args, resolver=resolver)


def check(domain, *args, resolver=AUTH):
    """posture check --json --no-fetch: (exit status, parsed output)."""
    return run_json("check", domain, "--no-fetch", *args, resolver=resolver)


def by_name(d):
    return {s["selector"]: s for s in d["selectors"]}


def codes(findings):
    return [f["code"] for f in findings]


def all_codes(d):
    """The codes of the domain's and every listed selector's findings."""
    return set(codes(d["findings"])) | {c for s in d["selectors"] for c in codes(s["findings"])}


class Shape(unittest.TestCase):
    def assert_contract(self, d):
        self.assertEqual(list(d), CONTRACT)
        self.assertIn(d["status"], ("found", "none_found", "temperror"))
        self.assertIsInstance(d["probed"], int)
        for s in d["selectors"]:
            self.assertEqual(list(s), SELECTOR_KEYS)
            self.assertIn(s["status"],
                          ("key", "revoked", "invalid", "not_key", "none", "temperror"))
            self.assertIn(s["key_type"], ("rsa", "ed25519", None))
            self.assertTrue(s["bits"] is None or isinstance(s["bits"], int))
            self.assertIsInstance(s["testing"], bool)
            for f in s["findings"]:
                self.assertEqual(list(f), FINDING_KEYS)
        for f in d["findings"]:
            self.assertEqual(list(f), FINDING_KEYS)
            self.assertTrue(f["code"].startswith("dkim."))


class Dkim(Shape):
    def test_good(self):
        rc, d = dkim("good.dkim.test")
        self.assert_contract(d)
        self.assertEqual((rc, d["domain"], d["status"], d["probed"]),
                         (0, "good.dkim.test", "found", N))
        self.assertEqual(d["selectors"], [{
            "selector": "google", "status": "key", "key_type": "rsa", "bits": 2048,
            "testing": False, "cname": None, "findings": []}])
        self.assertEqual(d["findings"], [])

    def test_every_record_case(self):
        rc, d = dkim("full.dkim.test")
        self.assert_contract(d)
        self.assertEqual((rc, d["status"], d["probed"]), (1, "found", N))
        sel = by_name(d)
        want = {
            # selector: status, key_type, bits, testing, finding codes
            "google": ("key", "rsa", 2048, False, []),
            "selector1": ("key", "rsa", 1024, False, ["dkim.key_short_1024"]),
            "mail": ("revoked", "rsa", None, False, ["dkim.revoked"]),
            "s1": ("key", "rsa", 2048, True, ["dkim.testing"]),
            "s2": ("key", "rsa", 2048, False, ["dkim.sha1_only"]),
            "k1": ("invalid", "rsa", None, False, ["dkim.bad_base64"]),
            "dkim": ("not_key", None, None, False, ["dkim.not_key_record"]),
        }
        self.assertEqual(set(sel), set(want))
        for name, (status, ktype, bits, testing, fcodes) in want.items():
            s = sel[name]
            self.assertEqual((s["status"], s["key_type"], s["bits"], s["testing"],
                              codes(s["findings"])), (status, ktype, bits, testing, fcodes),
                             name)
        # The CNAME is followed and its target named.
        self.assertEqual(sel["selector1"]["cname"],
                         "selector1-full-dkim-test._domainkey.tenant.dkimhost.test")
        self.assertTrue(all(s["cname"] is None for n, s in sel.items() if n != "selector1"))
        # In probing order (the bundled list's).
        order = [s for s in bundled() if s in want]
        self.assertEqual([s["selector"] for s in d["selectors"]], order)
        # "ed" is not a bundled selector: not probed.
        self.assertNotIn("ed", sel)

    def test_text(self):
        rc, out, err = run("dkim", "full.dkim.test")
        self.assertEqual(rc, 1, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "full.dkim.test  DKIM: %d selectors probed, "
                                   "7 answered or given" % N)
        self.assertRegex(out, r"\n  google +key  rsa 2048 bits\n")
        self.assertRegex(out, r"\n  selector1 +key  rsa 1024 bits, CNAME to selector1-full-dkim"
                              r"-test\._domainkey\.tenant\.dkimhost\.test \(provider: its "
                              r"domain dkimhost\.test\)\n")
        self.assertRegex(out, r"\n  s1 +key  rsa 2048 bits, testing \(t=y\)\n")
        self.assertRegex(out, r"\n  s2 +key  rsa 2048 bits, not usable\n")
        self.assertRegex(out, r"\n  mail +revoked  rsa\n")
        self.assertIn("ERROR   dkim.sha1_only", out)
        self.assertIn("fix: Remove h=", out)
        # The verdict comes last.
        self.assertEqual(lines[-1], "full.dkim.test  DKIM found: a usable key at 3 of the %d "
                                    "selectors probed (smallest RSA key 1024 bits)" % N)

    def test_selector_option(self):
        rc, d = dkim("full.dkim.test", "--selector", "ed")
        self.assert_contract(d)
        self.assertEqual((rc, d["status"], d["probed"]), (0, "found", 1))
        self.assertEqual(d["selectors"], [{
            "selector": "ed", "status": "key", "key_type": "ed25519", "bits": None,
            "testing": False, "cname": None, "findings": []}])
        # Named selectors are listed whatever they answer.
        rc, d = dkim("full.dkim.test", "--selector", "nosuch", "--selector", "google",
                     "--selector", "NOSUCH")
        self.assertEqual((rc, d["status"], d["probed"]), (0, "found", 2))
        self.assertEqual([(s["selector"], s["status"]) for s in d["selectors"]],
                         [("nosuch", "none"), ("google", "key")])
        rc, d = dkim("good.dkim.test", "--selector", "nosuch")
        self.assertEqual((rc, d["status"], d["probed"]), (1, "none_found", 1))
        self.assertIn("the ones given", d["findings"][-1]["message"])

    def test_selectors_file(self):
        tmp = tempfile.mkdtemp(prefix="posture-dkim-")
        self.addCleanup(shutil.rmtree, tmp, ignore_errors=True)
        path = os.path.join(tmp, "sel.txt")
        with open(path, "w") as f:
            f.write("# selectors seen in DKIM-Signature headers\n"
                    "other.example  zzz\n"
                    "FULL.dkim.test. ed   google  # both\n"
                    "\n"
                    "full.dkim.test mail\n")
        # Beside the bundled list: ed is probed too, and named.
        rc, d = dkim("full.dkim.test", "--selectors-file", path)
        self.assertEqual((rc, d["status"], d["probed"]), (1, "found", N + 1))
        self.assertEqual(by_name(d)["ed"]["key_type"], "ed25519")
        self.assertNotIn("zzz", by_name(d))
        # Beside --selector: only those and the file's.
        rc, d = dkim("full.dkim.test", "--selectors-file", path, "--selector", "s1")
        self.assertEqual((rc, d["probed"]), (0, 4))
        self.assertEqual([s["selector"] for s in d["selectors"]], ["s1", "ed", "google", "mail"])
        # Errors: a bad selector (with file:line), a file that cannot be read.
        with open(path, "a") as f:
            f.write("full.dkim.test ok bad_one\n")
        rc, out, err = run("dkim", "full.dkim.test", "--selectors-file", path)
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("%s:6: 'bad_one' is not a selector" % path, err)
        rc, out, err = run("dkim", "full.dkim.test", "--selectors-file",
                           os.path.join(tmp, "missing.txt"))
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("cannot read --selectors-file", err)

    def test_revoked_only(self):
        rc, d = dkim("revoked.dkim.test")
        self.assertEqual((rc, d["status"]), (1, "none_found"))
        self.assertEqual([(s["selector"], s["status"]) for s in d["selectors"]],
                         [("default", "revoked")])
        f = next(f for f in d["findings"] if f["code"] == "dkim.none_found")
        self.assertIn("among the %d selectors probed" % N, f["message"])
        self.assertIn("1 revoked", f["message"])
        self.assertIn("s= tag", f["fix"])

    def test_honest_absence(self):
        rc, d = dkim("nokeys.dkim.test")
        self.assertEqual((rc, d["status"], d["selectors"]), (1, "none_found", []))
        self.assertEqual(codes(d["findings"]), ["dkim.domainkey_nxdomain", "dkim.none_found"])
        self.assertIn("RFC 8020", d["findings"][0]["message"])
        rc, out, err = run("dkim", "nokeys.dkim.test")
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines()[-1],
                         "nokeys.dkim.test  DKIM none_found: no usable key among the %d "
                         "selectors probed (not proof that nokeys.dkim.test signs no mail: "
                         "give its selector with --selector)" % N)
        self.assertNotRegex(out.lower(), r"no dkim\b")

    def test_wildcard_multi_dangling(self):
        rc, d = dkim("wild.dkim.test")
        self.assertEqual((rc, d["status"], d["selectors"]), (1, "none_found", []))
        self.assertIn("dkim.wildcard", codes(d["findings"]))
        rc, d = dkim("multi.dkim.test")
        self.assertEqual((rc, d["status"]), (0, "found"))
        self.assertEqual(codes(by_name(d)["google"]["findings"]), ["dkim.multiple_records"])
        rc, d = dkim("dangle.dkim.test")
        self.assertEqual((rc, d["status"]), (1, "none_found"))
        s = by_name(d)["selector1"]
        self.assertEqual((s["status"], s["cname"]),
                         ("none", "nokey._domainkey.tenant.dkimhost.test"))
        self.assertEqual(codes(s["findings"]), ["dkim.cname_no_key"])

    def test_timeout_is_temperror(self):
        # faultdns never answers a name whose first label is "drop".
        rc, d = dkim("x.fault.test", "--selector", "drop", *TIMEOUT, resolver=FAULT)
        self.assert_contract(d)
        self.assertEqual((rc, d["status"]), (4, "temperror"))
        self.assertEqual([(s["selector"], s["status"]) for s in d["selectors"]],
                         [("drop", "temperror")])
        self.assertIn("dkim.temperror", codes(d["findings"]))
        self.assertNotIn("dkim.none_found", all_codes(d))
        rc, out, err = run("dkim", "x.fault.test", "--selector", "drop", *TIMEOUT,
                           resolver=FAULT)
        self.assertEqual(rc, 4)
        self.assertIn("DKIM temperror: no usable key found, and 1 of the 1 probes failed: "
                      "run it again", out)

    def test_address_and_usage(self):
        rc, out, err = run("dkim", "postmaster@good.dkim.test")
        self.assertEqual(rc, 0, err)
        self.assertIn("taking its domain good.dkim.test", err)
        for args, msg in [(["--selector", "bad_sel"], "'bad_sel' is not a selector"),
                          (["--selector", "-x"], "'-x' is not a selector"),
                          (["--selector"], "--selector needs a value"),
                          (["--selectors-file"], "--selectors-file needs a value"),
                          (["--selector", "a" * 64], "is not a selector"),
                          (["--selctor", "x"], "did you mean '--selector'"),
                          (["other.test"], "unexpected argument")]:
            with self.subTest(args=args):
                rc, out, err = run("dkim", "good.dkim.test", *args)
                self.assertEqual((rc, out), (2, ""))
                self.assertIn(msg, err)
        # A selector that is valid, but too long under this domain.
        long_domain = ".".join(["a" * 60, "b" * 60, "c" * 60, "dkim.test"])
        rc, out, err = run("dkim", long_domain, "--selector", "d" * 60)
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("longer than a DNS name", err)
        rc, out, err = run("dkim")
        self.assertEqual(rc, 2)
        rc, out, err = run("dkim", "--help", resolver=None)
        self.assertEqual(rc, 0)
        for word in ("--selector S", "--selectors-file FILE", "none_found", "Exit status",
                     "posture dkim example.com"):
            self.assertIn(word, out)


class Check(Shape):
    def item(self, js):
        return next(i for i in js["bimi"]["readiness"] if i["item"] == "dkim")

    def test_found(self):
        rc, js = check("good.dkim.test")
        self.assert_contract(js["dkim"])
        rc2, d = dkim("good.dkim.test")
        # The same object as posture dkim's (no enforceability finding:
        # the key is there).
        self.assertEqual(js["dkim"], d)
        it = self.item(js)
        self.assertEqual((it["status"], it["required"]), ("pass", False))
        self.assertEqual(js["bimi"]["readiness"][-1]["item"], "dkim")
        rc, out, err = run("check", "good.dkim.test", "--no-fetch")
        self.assertIn("  DKIM   [PASS] found, 1 of %d selectors probed: google (rsa 2048); "
                      "smallest RSA key 2048 bits\n" % N, out)
        self.assertRegex(out, r"\[PASS\] dkim +a usable DKIM key: google \(rsa 2048\)")

    def test_reject_without_dkim(self):
        rc, js = check("reject.dkim.test")
        d = js["dkim"]
        self.assert_contract(d)
        self.assertEqual((d["status"], d["probed"]), ("none_found", N))
        f = next(f for f in d["findings"] if f["code"] == "dkim.dmarc_enforced_without_dkim")
        self.assertEqual((f["severity"], f["path"]), ("warning", "_dmarc.reject.dkim.test"))
        for cite in ("p=reject", "RFC 7960", "RFC 9989 7.4", "forwarded"):
            self.assertIn(cite, f["message"])
        # A warning: not a problem of the verdict, and the item stays
        # advisory and open (the selectors were guessed).
        self.assertNotIn("dkim.dmarc_enforced_without_dkim", codes(js["problems"]))
        it = self.item(js)
        self.assertEqual((it["status"], it["required"]), ("unknown", False))
        self.assertIn("--dkim-selector", it["fix"])
        rc, out, err = run("check", "reject.dkim.test", "--no-fetch")
        self.assertIn("  DKIM   [WARN] no usable key among %d selectors probed: forwarded mail "
                      "fails DMARC\n" % N, out)
        self.assertIn("warning dkim.dmarc_enforced_without_dkim", out)
        self.assertIn("fix: Read the selector in the s= tag", out)
        self.assertNotRegex(out.lower(), r"no dkim\b")
        # posture dkim alone does not read DMARC.
        rc, d = dkim("reject.dkim.test")
        self.assertNotIn("dkim.dmarc_enforced_without_dkim", codes(d["findings"]))

    def test_key_errors_are_problems(self):
        rc, js = check("full.dkim.test")
        self.assertEqual(js["verdict"], "problems")
        self.assertIn("dkim.sha1_only", codes(js["problems"]))
        self.assertIn("dkim.bad_base64", codes(js["problems"]))
        rc, out, err = run("check", "full.dkim.test", "--no-fetch")
        self.assertIn("  DKIM   [FAIL] found, 3 of %d selectors probed: google (rsa 2048), "
                      "selector1 (rsa 1024, dkimhost.test), s1 (rsa 2048); smallest RSA key "
                      "1024 bits\n" % N, out)

    def test_dkim_selector(self):
        rc, js = check("full.dkim.test", "--dkim-selector", "ed")
        d = js["dkim"]
        self.assertEqual((d["status"], d["probed"], [s["selector"] for s in d["selectors"]]),
                         ("found", 1, ["ed"]))
        # Selectors given that hold no key: the item warns.
        rc, js = check("good.dkim.test", "--dkim-selector", "brand")
        self.assertEqual((js["dkim"]["status"], self.item(js)["status"]), ("none_found", "warn"))
        rc, out, err = run("check", "good.dkim.test", "--dkim-selector", "b_d", "--no-fetch")
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("--dkim-selector: 'b_d' is not a selector", err)

    def test_timeout(self):
        rc, js = check("x.fault.test", "--dkim-selector", "drop", *TIMEOUT, resolver=FAULT)
        self.assertEqual(js["dkim"]["status"], "temperror")
        self.assertEqual(self.item(js)["status"], "unknown")
        rc, out, err = run("check", "x.fault.test", "--dkim-selector", "drop", "--no-fetch",
                           *TIMEOUT, resolver=FAULT)
        self.assertIn("  DKIM   [ ?? ] temperror: 1 of 1 probes failed, no usable key found\n",
                      out)


class Scan(unittest.TestCase):
    """posture scan --checks ...,dkim: the scan's six selectors, and those a
    list's dkim_selectors column names for a domain (full.dkim.test's ed
    is in neither list posture knows); what is stored, as the research
    CSV shows it; a column that is no selector is a warning, the line is
    kept."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="posture-dkim-scan.", dir=os.environ.get("TMPDIR"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def scan(self, lines):
        lst = os.path.join(self.tmp, "list.csv")
        with open(lst, "w") as f:
            f.write("domain,dkim_selectors\n" + "".join(x + "\n" for x in lines))
        db = os.path.join(self.tmp, "s.db")
        rc, out, err = run("scan", lst, "--db", db, "--checks", "spf,dmarc,mx,dkim", "--quiet")
        self.assertEqual(rc, 0, err)
        rc, out, err2 = run("report", "--db", db, "--domains", "--format", "csv", "--csv-raw",
                            resolver=None)
        self.assertEqual(rc, 0, err2)
        self.db = db
        return {r["domain"]: r for r in csv.DictReader(io.StringIO(out))}, err

    def test_list_selectors(self):
        rows, err = self.scan(["full.dkim.test,ed", "good.dkim.test,",
                               "revoked.dkim.test,nosuch other", "reject.dkim.test,bad/sel"])
        got = {d: (r["dkim_status"], r["dkim_selectors"], r["dkim_min_bits"])
               for d, r in rows.items()}
        self.assertEqual(got, {
            # google 2048, selector1 (CNAME) 1024, s1 2048 t=y: the scan's
            # list; ed (Ed25519, no RSA bits) only because the list names it.
            "full.dkim.test": ("found", "google selector1 s1 ed", "1024"),
            "good.dkim.test": ("found", "google", "2048"),
            "revoked.dkim.test": ("none_found", "", ""),
            "reject.dkim.test": ("none_found", "", ""),
        })
        self.assertEqual(rows["revoked.dkim.test"]["dkim_revoked_only"], "1")
        # "bad/sel" is no selector: a warning naming the line, the domain kept.
        self.assertRegex(err, r"list\.csv:5: .*dkim_selectors")
        # The findings table holds the DKIM findings (the domain's and each
        # selector's) beside the JSON, as for the other checks.
        con = sqlite3.connect(self.db)
        try:
            got = {(d, c) for d, c in con.execute(
                "SELECT d.name, f.code FROM findings f JOIN domains d ON d.id = f.domain_id"
                " WHERE f.check_name = 'dkim'")}
        finally:
            con.close()
        self.assertIn(("reject.dkim.test", "dkim.dmarc_enforced_without_dkim"), got)
        self.assertIn(("revoked.dkim.test", "dkim.revoked"), got)
        self.assertIn(("full.dkim.test", "dkim.key_short_1024"), got)


if __name__ == "__main__":
    unittest.main(verbosity=2)
