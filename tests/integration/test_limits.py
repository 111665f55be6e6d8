#!/usr/bin/env python3
"""Integration tests of the scan's limits (issue 19 item 12).

posture scan checks --workers x --inflight against the memory there is
before it touches the database (scanner/scan/scan_limits.h): too many
domains in progress for the memory available is a usage error (exit 2)
that says the estimate, what is available and the largest --inflight
that fits, and that --inflight is then accepted. A machine cannot be
shrunk for a test, so the memory available comes from the test hook
POSTURE_TEST_MEMAVAILABLE_KB. Descriptors: a limit too low for the
workers is refused the same way, and TCP fallback (every answer truncated
over UDP, from the bed's faultdns.py) keeps within RLIMIT_NOFILE,
queueing what does not fit. And a domain's result does not depend on
how many domains are in progress beside it (a scan replays each
domain's checks from its memo: scan.c, struct job).
"""
import os
import re
import resource
import subprocess
import tempfile
import unittest

from posturetest import AUTH, FAULT, POSTURE, inconclusive_why, stored_results

HOOK = "POSTURE_TEST_MEMAVAILABLE_KB"

# Domains of the bed's zones with every kind of result: SPF includes,
# redirects, MX and A terms, errors, DMARC at the domain and the
# organisational domain, BIMI records, and names that do not exist.
DOMAINS = [
    "good.spf.test", "two.spf.test", "nosuch.spf.test", "big.spf.test",
    "toomany.spf.test", "loop.spf.test", "redir-norecord.spf.test",
    "org1.dmarc.test", "sub.org1.dmarc.test", "nop.dmarc.test", "gone.dmarc.test",
    "bimi.test", "sub.bimi.test", "two.bimi.test", "pnone.bimi.test",
    "shop.bimiorg.test",
]


def scan(tmp, domains, *args, env=None, resolver=AUTH, nofile=None):
    """posture scan of domains (a list file in tmp) into tmp/t.db with
    --no-fetch; returns (exit status, stdout, stderr)."""
    lst = os.path.join(tmp, "list.txt")
    with open(lst, "w", encoding="utf-8") as f:
        f.write("\n".join(domains) + "\n")

    def limit():
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    p = subprocess.run([POSTURE, "--resolver", resolver, "scan", lst, "--db",
                        os.path.join(tmp, "t.db"), "--no-fetch", "--quiet", *args],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, **(env or {})), preexec_fn=limit)
    return p.returncode, p.stdout, p.stderr


class Limits(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="limits.", dir=os.environ.get("TMPDIR"))
        self.db = os.path.join(self.tmp, "t.db")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def test_too_many_in_progress_refused(self):
        # 250,000 KiB: too little for 2 x 10,000 domains in progress
        # (8 KiB each, and about 137 MiB for the run itself).
        rc, out, err = scan(self.tmp, DOMAINS, "--workers", "2", "--inflight", "10000",
                            env={HOOK: "250000"})
        self.assertEqual(rc, 2, err)
        self.assertIn("--workers 2 x --inflight 10000: 20000 domains in progress need about",
                      err)
        self.assertIn("(8 KiB each, and ", err)
        self.assertIn("but 244 MiB is available (POSTURE_TEST_MEMAVAILABLE_KB)", err)
        self.assertIn("(see 'posture scan --help')", err)
        m = re.search(r"the largest --inflight that fits is (\d+) with --workers 2", err)
        self.assertIsNotNone(m, err)
        best = int(m.group(1))
        self.assertTrue(0 < best < 10000, best)
        # Refused before the database was touched.
        self.assertFalse(os.path.exists(self.db))
        self.assertEqual(out, "")
        # The --inflight it names is accepted, and the scan runs.
        rc, out, err = scan(self.tmp, DOMAINS, "--workers", "2", "--inflight", str(best),
                            env={HOOK: "250000"})
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        self.assertEqual(set(stored_results(self.db)), set(DOMAINS))
        # One more is refused again.
        os.unlink(self.db)
        rc, _, err = scan(self.tmp, DOMAINS, "--workers", "2", "--inflight", str(best + 1),
                          env={HOOK: "250000"})
        self.assertEqual(rc, 2, err)
        self.assertIn("the largest --inflight that fits is %d" % best, err)

    def test_workers_refused(self):
        # Room for one worker's own part, not for 64 of them.
        rc, _, err = scan(self.tmp, DOMAINS, "--workers", "64", "--inflight", "1",
                          env={HOOK: "400000"})
        self.assertEqual(rc, 2, err)
        self.assertIn("not even --inflight 1 fits with --workers 64: lower --workers", err)
        self.assertFalse(os.path.exists(self.db))

    def test_run_itself_too_big_warns(self):
        # Less than the run's own part (mostly the answer cache, which a
        # short list never fills): a warning, and the scan goes on.
        rc, _, err = scan(self.tmp, DOMAINS, "--workers", "1", "--inflight", "1",
                          env={HOOK: "10000"})
        self.assertEqual(rc, 0, err)
        self.assertIn("posture: warning: a scan of a long list needs about", err)
        self.assertIn("but 10 MiB is available (POSTURE_TEST_MEMAVAILABLE_KB); scanning anyway",
                      err)
        self.assertEqual(len(stored_results(self.db)), len(DOMAINS))

    def test_descriptors_refused(self):
        # 64 workers need their own sockets and at least one query on the
        # wire each: 256 descriptors are too few (the soft limit cannot be
        # raised past this hard one).
        rc, _, err = scan(self.tmp, DOMAINS, "--workers", "64", "--inflight", "1",
                          nofile=256)
        self.assertEqual(rc, 2, err)
        self.assertRegex(err, r"--workers 64 need \d+ file descriptors or more")
        self.assertIn("but RLIMIT_NOFILE allows 256: raise it (ulimit -n) or lower --workers",
                      err)
        self.assertFalse(os.path.exists(self.db))
        # 4 workers fit.
        rc, _, err = scan(self.tmp, DOMAINS, "--workers", "4", "--inflight", "1", nofile=256)
        self.assertEqual(rc, 0, err + inconclusive_why(self.db))

    def test_tcp_within_descriptors(self):
        # Every answer of tc.N.fault.test is truncated over UDP: each
        # question takes a TCP connection. 16 workers with 20 domains in
        # progress each and --outstanding 10000 would hold hundreds of
        # connections at once; with 300 descriptors, of which the workers'
        # UDP sockets and event loops take 80, they queue for their turn
        # instead, and no query fails for want of a socket (with 14 on
        # the wire per worker, as (300 - 64) / 16 allowed before, some
        # did).
        names = ["tc.d%d.fault.test" % i for i in range(120)]
        rc, out, err = scan(self.tmp, names, "--workers", "16", "--inflight", "20",
                            "--outstanding", "10000", "--checks", "spf,mx",
                            resolver=FAULT, nofile=300)
        self.assertEqual(err, "")
        self.assertEqual(rc, 0, out)
        results = stored_results(self.db)
        self.assertEqual(len(results), len(names))
        for name, r in results.items():
            self.assertTrue(r["conclusive"], (name, r))
            self.assertEqual(r["spf"]["status"], "ok", (name, r["spf"]))

    def test_results_independent_of_inflight(self):
        # The same domains one at a time and all at once: the same stored
        # results, byte for byte.
        got = []
        for args in (("--workers", "1", "--inflight", "1"),
                     ("--workers", "2", "--inflight", "50")):
            rc, _, err = scan(self.tmp, DOMAINS, *args)
            self.assertIn(rc, (0, 1), err)
            got.append(stored_results(self.db))
            os.unlink(self.db)
        self.assertEqual(set(got[0]), set(DOMAINS))
        self.assertEqual(got[0], got[1])


if __name__ == "__main__":
    unittest.main()
