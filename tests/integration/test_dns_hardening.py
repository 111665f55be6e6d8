#!/usr/bin/env python3
"""Hostile DNS replies through the CLI (issue 19, items 1, 4 and 13).

Run by tests/integration/run.sh inside `tests/bed/bed.sh run`; the fault
server (BED_FAULT, tests/bed/faultdns.py) picks a misbehaviour by the
first label of the name asked (tests/bed/README.md).

- Item 1: a TCP reply that is not the answer to the query (the query
  echoed back, another id, TC=1 again) is never "no record": lookup says
  timeout or malformed, spf and dmarc say temperror, a scan stores the
  domain as inconclusive.
- Item 4: the retry budget is the question's, CNAME hops and TCP
  included: at most retries + 1 of its attempts go unanswered.
- Item 13: opcode 5, EDNS BADVERS and forward compression pointers are
  malformed; a reply for another type says both types.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

from posturetest import FAULT, POSTURE, run, run_json


def tag():
    """A label of this test's own: the fault server counts dropfirstN
    queries per name for as long as it runs."""
    return "t" + uuid.uuid4().hex[:12]


def lookup(name, *extra, rtype="TXT"):
    return run_json("lookup", name, rtype, *extra, resolver=FAULT)


FAST = ("--timeout", "300", "--retries", "1")


class TcpReplyMatching(unittest.TestCase):
    """Item 1: over TCP, as over UDP, only the reply to the query (its id,
    QR=1, QUERY, its question, not cut short) is an answer."""

    # name, outcome, attempts (UDP + TCP), a part of the detail
    ROWS = [
        # Discarded, as UDP drops them: the question retries over TCP
        # and ends as a timeout, with the retries of --retries 1.
        ("tcecho", "timeout", 3, "a query (QR=0) instead of a reply"),
        ("tcwrongid", "timeout", 3, "a reply to another query"),
        # The reply to the query, but cut short: malformed at once.
        ("tcempty", "malformed", 2, "truncated reply (TC=1) over TCP"),
    ]

    def test_lookup(self):
        for first, outcome, attempts, detail in self.ROWS:
            with self.subTest(first=first):
                rc, a = lookup(first + ".fault.test", *FAST)
                self.assertEqual((rc, a["outcome"], a["tcp"]), (1, outcome, True), a)
                self.assertEqual(a["attempts"], attempts, a)
                self.assertEqual(a["records"], [])
                self.assertEqual(a["rcode"], -1)
                self.assertIn(detail, a["detail"])
                if outcome == "timeout":
                    self.assertIn("after 2 attempts of 300 ms over TCP", a["detail"])

    def test_spf_and_dmarc_are_temperror(self):
        for first, _, _, _ in self.ROWS:
            with self.subTest(first=first):
                rc, d = run_json("spf", first + ".fault.test", *FAST, resolver=FAULT)
                self.assertEqual((rc, d["status"], d["error_code"]),
                                 (1, "temperror", "spf.temperror"), d)
                rc, d = run_json("dmarc", first + ".fault.test", *FAST, resolver=FAULT)
                self.assertEqual((rc, d["status"], d["enforcement"]), (1, "temperror", "temperror"),
                                 d)
                self.assertIn("dmarc.temperror", {f["code"] for f in d["findings"]})

    def test_good_tcp_answer_still_data(self):
        rc, a = lookup("tc.fault.test", *FAST)
        self.assertEqual((rc, a["outcome"], a["records"], a["tcp"], a["attempts"]),
                         (0, "data", ["v=spf1 -all"], True, 2), a)


class ScanStoresInconclusive(unittest.TestCase):
    """Item 1 in a scan: no conclusive "no SPF, no DMARC" from a TCP reply
    that is not the answer. Read through the CLI (runs, report), not SQL."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="posture-dnshard-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_scan(self):
        t = tag()
        bad = ["tcecho.%s.fault.test" % t, "tcwrongid.%s.fault.test" % t,
               "tcempty.%s.fault.test" % t]
        good = "ok.%s.fault.test" % t
        lst = os.path.join(self.tmp, "list.txt")
        with open(lst, "w") as f:
            f.write("\n".join(bad + [good]) + "\n")
        db = os.path.join(self.tmp, "scan.db")
        p = subprocess.run([POSTURE, "scan", lst, "--db", db, "--checks", "spf,dmarc",
                            *FAST, "--resolver", FAULT],
                           capture_output=True, timeout=60, cwd=self.tmp)
        # Three of four inconclusive: a degraded run (exit 4).
        self.assertEqual(p.returncode, 4, p.stderr)
        rc, out, err = run("runs", "--db", db, "--json", resolver=None)
        self.assertEqual(rc, 0, err)
        runs = json.loads(out)
        self.assertEqual(len(runs), 1)
        self.assertEqual((runs[0]["state"], runs[0]["errors"]), ("degraded", 3))
        rc, out, err = run("report", "--db", db, "--run", str(runs[0]["id"]), "--domains",
                           "--format", "json", resolver=None)
        self.assertEqual(rc, 0, err)
        got = {d["domain"]: d for d in json.loads(out)["domains"]}
        self.assertEqual(set(got), set(bad + [good]))
        for name in bad:
            d = got[name]
            self.assertEqual((d["spf_status"], d["dmarc_status"], d["conclusive"]),
                             ("temperror", "temperror", 0), d)
            self.assertIsNone(d["spf_record"])
        # The control: the same server's good answer is conclusive.
        self.assertEqual((got[good]["spf_status"], got[good]["conclusive"]), ("ok", 1))


class RetryBudgetPerQuestion(unittest.TestCase):
    """Item 4: the server drops the first N attempts of every name, and
    each name is a hop of a CNAME chain it leaves to the client."""

    def test_chain_shares_one_budget(self):
        # The case: --timeout 300 --retries 2, two attempts of
        # each of 9 hops dropped: 27 attempts and 5.4 s before. Now the
        # first hop spends the budget and the second hop's first
        # unanswered attempt ends the question: (2 + 1) x 300 ms.
        t0 = time.monotonic()
        rc, a = lookup("dropfirst2.chain8.%s.fault.test" % tag(), "--timeout", "300",
                       "--retries", "2")
        elapsed = time.monotonic() - t0
        self.assertEqual((rc, a["outcome"], a["attempts"], a["cname_hops"]),
                         (1, "timeout", 4, 1), a)
        self.assertIn("after 3 attempts of 300 ms", a["detail"])
        self.assertGreaterEqual(a["ms"], 900)
        self.assertLess(a["ms"], 1200, a)
        self.assertLess(elapsed, 3.0)

    def test_budget_spread_over_hops(self):
        # One drop per hop: two hops fit in --retries 2, three do not.
        rc, a = lookup("dropfirst1.chain1.%s.fault.test" % tag(), "--timeout", "300",
                       "--retries", "2")
        self.assertEqual((rc, a["outcome"], a["attempts"], a["cname_hops"]),
                         (0, "data", 4, 1), a)
        rc, a = lookup("dropfirst1.chain2.%s.fault.test" % tag(), "--timeout", "300",
                       "--retries", "2")
        self.assertEqual((rc, a["outcome"], a["attempts"]), (1, "timeout", 5), a)
        self.assertIn("after 3 attempts of 300 ms", a["detail"])

    def test_answered_hops_cost_nothing(self):
        # Hops that are answered use no retry: --retries 0 follows them.
        rc, a = lookup("dropfirst0.chain3.%s.fault.test" % tag(), "--timeout", "300",
                       "--retries", "0")
        self.assertEqual((rc, a["outcome"], a["attempts"], a["cname_hops"]),
                         (0, "data", 4, 3), a)

    def test_tcp_after_the_budget(self):
        # Two UDP attempts dropped spend --retries 2; the third is
        # TC=1, and TCP still gets its one attempt, which is answered.
        rc, a = lookup("dropfirst2.tc.%s.fault.test" % tag(), "--timeout", "300",
                       "--retries", "2")
        self.assertEqual((rc, a["outcome"], a["attempts"], a["tcp"]), (0, "data", 4, True), a)
        # Three dropped: the budget ends before any TC=1.
        rc, a = lookup("dropfirst3.tc.%s.fault.test" % tag(), "--timeout", "300",
                       "--retries", "2")
        self.assertEqual((rc, a["outcome"], a["attempts"], a["tcp"]),
                         (1, "timeout", 3, False), a)

    def test_spf_is_temperror(self):
        rc, d = run_json("spf", "dropfirst2.chain8.%s.fault.test" % tag(), "--timeout", "300",
                         "--retries", "2", resolver=FAULT)
        self.assertEqual((rc, d["status"]), (1, "temperror"), d)


class MalformedReplies(unittest.TestCase):
    """Item 13: replies that answer no QUERY of ours are malformed, never
    data or no data; a question of another type names both types."""

    ROWS = [
        ("opcode5", "reply with opcode 5, not QUERY (0)"),
        ("badvers", "server answered BADVERS (extended rcode 16)"),
        ("fwdptr", "unreadable answer section"),
        ("wrongtype", "reply is for wrongtype.fault.test A, not for wrongtype.fault.test TXT"),
    ]

    def test_lookup(self):
        for first, detail in self.ROWS:
            with self.subTest(first=first):
                rc, a = lookup(first + ".fault.test")
                self.assertEqual((rc, a["outcome"], a["records"], a["rcode"]),
                                 (1, "malformed", [], -1), a)
                self.assertEqual(a["detail"], detail)

    def test_type_named_for_other_types(self):
        rc, a = lookup("wrongtype.fault.test", rtype="MX")
        self.assertEqual(a["detail"],
                         "reply is for wrongtype.fault.test TXT, not for wrongtype.fault.test MX")

    def test_spf_and_dmarc_are_temperror(self):
        for first, _ in self.ROWS:
            with self.subTest(first=first):
                rc, d = run_json("spf", first + ".fault.test", resolver=FAULT)
                self.assertEqual((rc, d["status"]), (1, "temperror"), d)
                rc, d = run_json("dmarc", first + ".fault.test", resolver=FAULT)
                self.assertEqual((rc, d["status"]), (1, "temperror"), d)


if __name__ == "__main__":
    unittest.main()
