#!/usr/bin/env python3
"""Integration tests of `posture scan`'s progress for logs (issue 18, item
6): with --progress and stderr not a terminal (a pipe here, as under cron
or journald), one plain line every --progress-every seconds and one at the
end, printable ASCII only (no carriage return, no escape sequence);
--quiet prints nothing on stdout and keeps the exit status.

The world is the fault server's delay150 names: every query answered
after 150 ms, so a small list takes a few seconds. Each test works in its
own temporary directory; every posture process is waited for.
"""
import os
import re
import subprocess
import tempfile
import time
import unittest

from posturetest import FAULT, POSTURE

N = 40  # domains: about 3.5 s four at a time, 0.4 s all at once

# The documented line (posture scan --help, doc/commands.md).
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
HEAD = (STAMP + r" posture scan: (\d+)/(\d+) domains \((\d+\.\d)%\), \d+\.\d/s, "
        r"(\d+) inconclusive, ")
TICK = re.compile("^" + HEAD + r"ETA (\d\d+:\d\d:\d\d|unknown)$")
LAST = re.compile("^" + HEAD + r"(finished|interrupted|failed) after \d\d+:\d\d:\d\d$")


class Progress(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="progress.", dir=os.environ.get("TMPDIR"))
        self.list = os.path.join(self.tmp, "slow.txt")
        with open(self.list, "w", encoding="utf-8") as f:
            f.write("".join("delay150.p%d.fault.test\n" % i for i in range(N)))

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def scan(self, db, *extra, slow=False):
        # stdout and stderr are pipes: not a terminal.
        return subprocess.run(
            [POSTURE, "scan", self.list, *extra, "--db", os.path.join(self.tmp, db),
             "--resolver", FAULT, "--workers", "2", "--inflight", "2" if slow else "50",
             "--timeout", "2000"],
            capture_output=True, timeout=60, cwd=self.tmp)

    def test_lines_for_logs(self):
        t0 = time.monotonic()
        p = self.scan("lines.db", "--progress", "--progress-every", "1", slow=True)
        elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(elapsed, 2, "the world was too fast to show a line")
        # Every byte printable ASCII or a newline: no \r, no ESC.
        bad = [b for b in p.stderr if not (0x20 <= b < 0x7f or b == 0x0a)]
        self.assertEqual(bad, [], p.stderr)
        self.assertTrue(p.stderr.endswith(b"\n"), p.stderr)
        lines = p.stderr.decode("ascii").splitlines()
        self.assertGreaterEqual(len(lines), 2, lines)  # at least one tick, and the last
        for line in lines[:-1]:
            self.assertRegex(line, TICK)
        m = LAST.match(lines[-1])
        self.assertIsNotNone(m, lines[-1])
        self.assertEqual((m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)),
                         (str(N), str(N), "100.0", "0", "finished"))
        done = [int(TICK.match(line).group(1)) for line in lines[:-1]]
        self.assertEqual(done, sorted(done))  # never goes back
        self.assertLess(done[0], N)  # a line while the scan ran
        self.assertIn(b"finished", p.stdout)  # the summary is still printed

    def test_no_progress_off_a_terminal_unless_asked(self):
        p = self.scan("plain.db")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, b"")

    def test_quiet(self):
        p = self.scan("quiet.db", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"")
        self.assertEqual(p.stderr, b"")
        loud = self.scan("loud.db")
        self.assertEqual(loud.returncode, p.returncode)
        self.assertNotEqual(loud.stdout, b"")

    def test_quiet_keeps_exit_status_and_errors(self):
        lst = os.path.join(self.tmp, "bad.txt")
        with open(lst, "w", encoding="utf-8") as f:
            f.write("servfail.fault.test\nnot a domain\n")
        got = []
        for extra in ([], ["--quiet"]):
            p = subprocess.run(
                [POSTURE, "scan", lst, *extra, "--db",
                 os.path.join(self.tmp, "bad%d.db" % len(extra)), "--resolver", FAULT,
                 "--timeout", "200", "--retries", "0"],
                capture_output=True, timeout=60, cwd=self.tmp)
            self.assertIn(b"not a domain", p.stderr)  # list problems still said
            got.append(p.returncode)
        self.assertEqual(p.stdout, b"")
        # A not-clean exit (inconclusive results), the same with --quiet.
        self.assertNotEqual(got[0], 0)
        self.assertEqual(got[1], got[0])

    def test_usage(self):
        for args in (["--quiet", "--progress"], ["--quiet", "--progress-every", "5"],
                     ["--progress-every", "0"], ["--progress-every", "x"],
                     ["--progress-every"]):
            p = subprocess.run([POSTURE, "scan", self.list, *args, "--db",
                                os.path.join(self.tmp, "u.db"), "--resolver", FAULT],
                               capture_output=True, timeout=30, cwd=self.tmp)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "u.db")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
