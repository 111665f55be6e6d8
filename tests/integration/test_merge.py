#!/usr/bin/env python3
"""Integration tests of `posture db merge` on the bed (issue 18, item 2):
the inputs must be the shards K/N of one scan (same list, N and options,
each K once, every K there, every run finished, every domain of its shard
and in one input only); otherwise the merge is refused with exit 2 and
OUT.db gets no run. --allow-partial lets missing or unfinished shards
through: the merged run is 'partial' and the exit status 4.

Each test class works in its own temporary directory; every posture
process it starts is waited for or killed by pid.
"""
import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

from posturetest import AUTH, FAULT, POSTURE, run

# Fixture domains of tests/zones (the same as test_scan.py's FIXTURES).
FIXTURES = [
    "inc-norecord.spf.test", "toomany.spf.test", "two.spf.test", "good.spf.test",
    "notutf8.spf.test", "org1.dmarc.test", "sub.org1.dmarc.test", "pct.dmarc.test",
    "testing.dmarc.test", "nop.dmarc.test",
]


def scan(tmp, *args, resolver=AUTH, timeout=120):
    return subprocess.run([POSTURE, "scan", *args, "--resolver", resolver],
                          capture_output=True, timeout=timeout, cwd=tmp)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def rows(db):
    con = sqlite3.connect(db)
    try:
        q = ("SELECT d.name, r.spf_status, r.spf_error, r.dmarc_status,"
             " r.dmarc_enforcement, r.mx, r.a, r.conclusive"
             " FROM run_results r JOIN domains d ON d.id = r.domain_id")
        return {r[0]: r[1:] for r in con.execute(q)}
    finally:
        con.close()


def runs_of(db):
    """The runs of db as (state, done, total), or None when db is absent."""
    if not os.path.exists(db):
        return None
    con = sqlite3.connect(db)
    try:
        made = con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'runs'"
                           ).fetchone()[0]
        return con.execute("SELECT state, done, total FROM runs").fetchall() if made else []
    finally:
        con.close()


def merge(*args):
    return run("db", "merge", *args, resolver=None)


class Merge(unittest.TestCase):
    """Shards of the fixture list, made once for the class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="merge.", dir=os.environ.get("TMPDIR"))
        t = cls.tmp
        cls.list = write(os.path.join(t, "f.txt"), "\n".join(FIXTURES) + "\n")
        cls.other = write(os.path.join(t, "g.txt"), "\n".join(FIXTURES) + "\n")
        cls.whole = os.path.join(t, "whole.db")
        cls.shards = [os.path.join(t, "shard%d.db" % k) for k in (1, 2, 3)]
        cls.again = os.path.join(t, "shard2-again.db")
        cls.g3 = os.path.join(t, "g-shard3.db")
        cls.nofetch3 = os.path.join(t, "nofetch-shard3.db")
        made = [scan(t, cls.list, "--db", cls.whole)]
        for k, db in enumerate(cls.shards, 1):
            made.append(scan(t, cls.list, "--db", db, "--shard", "%d/3" % k,
                             "--label", "nightly"))
        # The pacing options may differ between shards.
        made.append(scan(t, cls.list, "--db", cls.again, "--shard", "2/3", "--workers", "1"))
        made.append(scan(t, cls.other, "--db", cls.g3, "--shard", "3/3"))
        made.append(scan(t, cls.list, "--db", cls.nofetch3, "--shard", "3/3", "--no-fetch"))
        for p in made:
            if p.returncode != 0:
                raise AssertionError(p.stderr)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["rm", "-rf", cls.tmp])

    def out(self, name):
        return os.path.join(self.tmp, name)

    def refused(self, out, inputs, words):
        rc, stdout, err = merge(out, *inputs)
        self.assertEqual(rc, 2, err)
        self.assertEqual(stdout, "")
        for w in words:
            self.assertIn(w, err)
        self.assertIn("nothing merged", err)
        self.assertIn(runs_of(out), (None, []))  # OUT.db got no run
        return err

    def test_three_shards_equal_unsharded(self):
        sizes = [len(rows(db)) for db in self.shards]
        self.assertEqual(sum(sizes), len(FIXTURES))
        self.assertGreater(max(sizes), 0)
        out = self.out("m3.db")
        # Any order, pacing options that differ (shard2-again used
        # --workers 1).
        rc, stdout, err = merge(out, self.shards[2], self.again, self.shards[0], "--json")
        self.assertEqual(rc, 0, err)
        m = json.loads(stdout)
        self.assertEqual((m["state"], m["total"], m["done"]),
                         ("finished", len(FIXTURES), len(FIXTURES)))
        self.assertEqual(rows(out), rows(self.whole))
        self.assertEqual(runs_of(out), [("finished", len(FIXTURES), len(FIXTURES))])

    def test_two_of_three_refused(self):
        self.refused(self.out("m2.db"), self.shards[:2], ["shard 3/3 missing"])

    def test_same_shard_twice_refused(self):
        err = self.refused(self.out("twice.db"),
                           [self.shards[0], self.shards[1], self.again, self.shards[2]],
                           ["shard2-again.db (shard 2/3)", "the same shard again"])
        self.assertIn("shard2.db", err)
        # Also with one name given twice.
        self.refused(self.out("twice2.db"), [self.shards[0], self.shards[1], self.shards[1]],
                     ["the same shard again"])

    def test_shards_of_two_lists_refused(self):
        self.refused(self.out("two.db"), [self.shards[0], self.shards[1], self.g3],
                     ["g-shard3.db (shard 3/3)", "another list"])

    def test_other_options_refused(self):
        self.refused(self.out("opts.db"), [self.shards[0], self.shards[1], self.nofetch3],
                     ["nofetch-shard3.db (shard 3/3)", "other options"])

    def test_whole_run_merges_alone(self):
        rc, _, err = merge(self.out("alone.db"), self.whole)
        self.assertEqual(rc, 0, err)
        self.assertEqual(runs_of(self.out("alone.db")),
                         [("finished", len(FIXTURES), len(FIXTURES))])
        self.refused(self.out("mixed.db"), [self.whole, self.shards[0]],
                     ["whole.db (shard 1/1)", "not a shard"])

    def test_domain_not_of_its_shard_refused(self):
        """A run whose recorded shard is not that of its domains (here
        shard 1's domains relabelled 3/3) is caught by the domain check."""
        fake = self.out("fake3.db")
        subprocess.run(["cp", self.shards[0], fake], check=True)
        con = sqlite3.connect(fake)
        con.execute("UPDATE runs SET options = replace(options, 'shard=1/3', 'shard=3/3')")
        con.commit()
        con.close()
        self.refused(self.out("fake.db"), [self.shards[0], self.shards[1], fake],
                     ["fake3.db (shard 3/3)", "a domain"])

    def test_allow_partial_two_of_three(self):
        out = self.out("partial.db")
        rc, stdout, err = merge(out, self.shards[0], self.shards[1], "--allow-partial",
                                "--json")
        self.assertEqual(rc, 4, err)
        m = json.loads(stdout)
        n = len(rows(self.shards[0])) + len(rows(self.shards[1]))
        self.assertEqual((m["state"], m["total"], m["done"]), ("partial", n, n))
        self.assertIn("shard 3/3 missing", err)
        self.assertIn("is partial", err)
        self.assertEqual(runs_of(out), [("partial", n, n)])
        rc, stdout, _ = run("runs", "--db", out, "--json", resolver=None)
        self.assertEqual(json.loads(stdout)[0]["state"], "partial")
        # --allow-partial lets missing shards through, never a wrong one.
        self.refused(self.out("p2.db"), [self.shards[0], self.g3, "--allow-partial"],
                     ["another list"])


class Interrupted(unittest.TestCase):
    """An interrupted shard (a scan of slow names stopped by SIGINT)."""

    N = 60

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="merge-int.", dir=os.environ.get("TMPDIR"))
        # Every query of these names is answered after 150 ms.
        self.list = write(os.path.join(self.tmp, "slow.txt"), "".join(
            "delay150.d%d.fault.test\n" % i for i in range(self.N)))

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def start(self, db, k, inflight):
        # Pacing options may differ between shards: the one to interrupt
        # goes one domain at a time.
        return subprocess.Popen(
            [POSTURE, "scan", self.list, "--db", db, "--shard", "%d/3" % k, "--resolver",
             FAULT, "--checks", "spf,dmarc", "--inflight", str(inflight), "--workers",
             "1", "--timeout", "2000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.tmp)

    def test_interrupted_shard(self):
        dbs = [os.path.join(self.tmp, "s%d.db" % k) for k in (1, 2, 3)]
        for k in (1, 2):
            p = self.start(dbs[k - 1], k, 32)
            _, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
        p = self.start(dbs[2], 3, 1)
        time.sleep(1.0)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130, err)
        self.assertEqual(runs_of(dbs[2])[0][0], "interrupted")
        out = os.path.join(self.tmp, "m.db")
        rc, stdout, err = merge(out, *dbs)
        self.assertEqual(rc, 2, err)
        self.assertIn("s3.db (shard 3/3): its run is interrupted", err)
        self.assertIn(runs_of(out), (None, []))
        rc, stdout, err = merge(out, *dbs, "--allow-partial")
        self.assertEqual(rc, 4, err)
        self.assertRegex(err, r"s3\.db \(shard 3/3\) interrupted, \d+ of \d+ domains done")
        (state, done, total), = runs_of(out)
        self.assertEqual((state, total), ("partial", self.N))
        self.assertLess(done, self.N)


if __name__ == "__main__":
    unittest.main(verbosity=2)
