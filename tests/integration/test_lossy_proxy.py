#!/usr/bin/env python3
"""Integration tests of tests/bed/lossyproxy.py, the bad network of
make bench-lossy, in front of the bed's Knot (BED_AUTH).

Run by tests/integration/run.sh inside `tests/bed/bed.sh run`. Each case
starts its own proxy on a free loopback port and stops it by pid
(SIGTERM: exit 0, counters on stderr and in --stats). Asserted through
the CLI: a delayed path still answers (UDP, and TCP after a truncated
answer); a path that loses everything is a timeout (posture lookup: exit
1); duplicated replies change nothing (posture check's JSON is the one
Knot gives directly). About 3 s.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from posturetest import AUTH, POSTURE, ROOT

PROXY = os.path.join(ROOT, "tests", "bed", "lossyproxy.py")


class Proxy:
    """lossyproxy.py in front of AUTH with the given options; .resolver is
    its address for --resolver, .stats its counters once stopped."""

    def __init__(self, *opts):
        self.tmp = tempfile.mkdtemp(prefix="lossy-")
        port_file = os.path.join(self.tmp, "port")
        self.stats_file = os.path.join(self.tmp, "stats.json")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", PROXY, "--upstream", AUTH, "--port-file", port_file,
             "--stats", self.stats_file, *opts],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 5
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("lossyproxy did not start: %s" % self.err)
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())
        self.resolver = "127.0.0.1:%d" % self.port
        self.stats, self.err, self.status = None, "", None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, self.err = self.proc.communicate(timeout=10)
        self.status = self.proc.returncode
        try:
            with open(self.stats_file) as f:
                self.stats = json.load(f)
        except OSError:
            self.stats = None
        shutil.rmtree(self.tmp, ignore_errors=True)
        return out

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.status is None:
            self.stop()


def posture(*args, resolver):
    p = subprocess.run([POSTURE, *args, "--resolver", resolver], capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def lookup(name, rtype, resolver, *extra):
    rc, out, err = posture("lookup", name, rtype, "--json", *extra, resolver=resolver)
    try:
        return rc, json.loads(out)
    except ValueError:
        raise AssertionError("not JSON: %r %r" % (out, err))


class LossyProxy(unittest.TestCase):
    def test_delay_answers(self):
        """0 loss, 20 ms each way: answers come through, a round trip
        later; the 4 KiB TXT (TC=1 over UDP) through the TCP relay."""
        with Proxy("--delay", "20", "--loss", "0", "--seed", "t1") as p:
            t0 = time.monotonic()
            rc, a = lookup("txt.bed.test", "TXT", p.resolver)
            took = time.monotonic() - t0
            self.assertEqual(rc, 0, a)
            self.assertEqual(a["outcome"], "data", a)
            self.assertEqual(a["records"], ["v=spf1 -all"])
            self.assertEqual(a["attempts"], 1, a)
            self.assertGreaterEqual(took, 0.040)
            rc, a = lookup("big.bed.test", "TXT", p.resolver)
            self.assertEqual((rc, a["outcome"], a["tcp"]), (0, "data", True), a)
            direct = lookup("big.bed.test", "TXT", AUTH)[1]
            self.assertEqual(a["records"], direct["records"])
            p.stop()
        self.assertEqual(p.status, 0, p.err)
        self.assertIn("lossyproxy: forwarded", p.err)
        s = p.stats
        self.assertEqual((s["queries_in"], s["queries_forwarded"], s["replies_forwarded"]),
                         (2, 2, 2), s)
        self.assertEqual((s["dropped"], s["duplicated"], s["kernel_drops"]), (0, 0, 0), s)
        self.assertEqual(s["tcp_connections"], 1, s)

    def test_total_loss_is_timeout(self):
        """Loss 1.0: every attempt is lost; lookup says timeout, exit 1
        (servfail, timeout or malformed: posture lookup --help)."""
        with Proxy("--loss", "1.0") as p:
            rc, a = lookup("txt.bed.test", "TXT", p.resolver, "--timeout", "200",
                           "--retries", "1")
            self.assertEqual(rc, 1, a)
            self.assertEqual(a["outcome"], "timeout", a)
            self.assertEqual(a["attempts"], 2, a)
            self.assertEqual(a["records"], [])
            p.stop()
        s = p.stats
        self.assertEqual((s["queries_in"], s["queries_dropped"], s["forwarded"]), (2, 2, 0), s)

    def test_duplicates_change_nothing(self):
        """Every reply twice, with jitter (replies overtake each other):
        posture check's result is the one Knot gives directly."""
        names = ["toomany.spf.test", "good.spf.test", "txt.bed.test"]
        with Proxy("--delay", "5", "--jitter", "5", "--dup", "1.0", "--seed", "t3") as p:
            for name in names:
                with self.subTest(name=name):
                    got = posture("check", name, "--json", "--no-fetch", resolver=p.resolver)
                    want = posture("check", name, "--json", "--no-fetch", resolver=AUTH)
                    self.assertEqual(got[0], want[0], got[2])
                    g, w = json.loads(got[1]), json.loads(want[1])
                    g.pop("checked_at"), w.pop("checked_at")  # when each ran
                    self.assertEqual(g, w)
            p.stop()
        s = p.stats
        self.assertGreater(s["replies_forwarded"], 10, s)
        self.assertEqual(s["replies_duplicated"], s["replies_forwarded"], s)
        self.assertEqual(s["dropped"], 0, s)


if __name__ == "__main__":
    unittest.main()
