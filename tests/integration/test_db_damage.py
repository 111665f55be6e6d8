#!/usr/bin/env python3
"""A damaged database and one this user cannot write, through the command
line (issue 19, items 9 and 10): a truncated database is a problem found
by db check (exit 1), refused by scan (nothing added to it) and named as
damaged by report; another user's database in a directory this user
cannot write is read by runs, report, history and db check."""
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from posturetest import AUTH, POSTURE, let_others_reach

DOMAINS = ["good.spf.test", "org1.dmarc.test", "nop.dmarc.test", "two.spf.test"]


def posture(*args, user=None):
    cmd = [POSTURE, *args]
    if user is not None:
        cmd = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups", *cmd]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Damage(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="damage.", dir=os.environ.get("TMPDIR"))
        self.list = os.path.join(self.tmp, "l.txt")
        with open(self.list, "w", encoding="utf-8") as f:
            f.write("\n".join(DOMAINS) + "\n")

    def tearDown(self):
        subprocess.run(["chmod", "-R", "u+rwx", self.tmp])
        shutil.rmtree(self.tmp, ignore_errors=True)

    def scanned(self, db, nights=2):
        for _ in range(nights):
            rc, _, err = posture("scan", self.list, "--db", db, "--resolver", AUTH, "--quiet")
            self.assertIn(rc, (0, 1), err)
        self.assertFalse(os.path.exists(db + "-wal"))  # closed: WAL folded in
        return db

    def test_truncated(self):
        db = self.scanned(os.path.join(self.tmp, "t.db"))
        size = os.path.getsize(db)
        with open(db, "r+b") as f:
            f.truncate(size // 2)
        rc, out, err = posture("db", "check", "--db", db)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("the database is damaged", err)
        self.assertIn("truncated", err)
        rc, out, err = posture("scan", self.list, "--db", db, "--resolver", AUTH)
        self.assertEqual(rc, 3, err)
        self.assertIn("the database is damaged", err)
        self.assertEqual(os.path.getsize(db), size // 2)  # nothing added
        rc, out, err = posture("report", "--db", db)
        self.assertNotEqual(rc, 0)
        self.assertIn("the database is damaged", err)
        self.assertNotIn("out of memory", err)

    def test_garbage_page(self):
        """A page overwritten with zeros: db check says so (exit 1), and a
        report that reads the results (--domains: the statistics alone
        come from those kept at the end of the scan) fails naming the
        database, not memory."""
        db = self.scanned(os.path.join(self.tmp, "g.db"))
        con = sqlite3.connect(db)
        page = con.execute("PRAGMA page_size").fetchone()[0]
        root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'results'"
                           ).fetchone()[0]
        con.close()
        with open(db, "r+b") as f:
            f.seek((root - 1) * page)
            f.write(b"\xff" * page)
        rc, out, err = posture("db", "check", "--db", db)
        self.assertEqual(rc, 1, out + err)
        rc, out, err = posture("report", "--db", db, "--domains")
        self.assertNotEqual(rc, 0)
        self.assertNotIn("out of memory", err)
        self.assertIn("the database is damaged", err)

    def test_disk_full(self):
        """A scan that runs out of disk says so (SQLite's "database or disk
        is full", not the rollback's "no transaction is active"), exits 3,
        and leaves the database sound. Needs a small tmpfs (root)."""
        seed = self.scanned(os.path.join(self.tmp, "seed.db"), nights=1)
        mnt = os.path.join(self.tmp, "full")
        os.mkdir(mnt)
        size = os.path.getsize(seed) // 1024 + 140
        m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dk" % size, "tmpfs", mnt],
                           capture_output=True)
        if m.returncode != 0:
            self.skipTest("cannot mount a small tmpfs here: " + m.stderr.decode())
        try:
            db = os.path.join(mnt, "a.db")
            shutil.copy(seed, db)
            big = os.path.join(self.tmp, "big.txt")
            with open(big, "w", encoding="utf-8") as f:
                f.write("".join("nosuch%d.spf.test\n" % i for i in range(400)))
            rc, out, err = posture("scan", big, "--db", db, "--resolver", AUTH)
            self.assertEqual(rc, 3, out + err)
            self.assertIn("disk is full", err)
            self.assertNotIn("no transaction is active", err)
            rc, out, err = posture("db", "check", "--db", db)
            self.assertEqual(rc, 0, out + err)
        finally:
            subprocess.run(["umount", mnt])

    def test_other_users_database(self):
        """Owned by root in a directory nobody (65534) cannot write: the
        readers read it, db check checks it read-only."""
        sub = os.path.join(self.tmp, "ro")
        os.mkdir(sub)
        db = self.scanned(os.path.join(sub, "r.db"))
        os.chmod(self.tmp, 0o755)
        os.chmod(sub, 0o555)
        os.chmod(db, 0o444)
        let_others_reach(self.tmp)
        nobody = 65534
        rc, out, err = posture("runs", "--db", db, "--json", user=nobody)
        if rc != 0 and "setpriv" in err:
            self.skipTest("setpriv cannot change user here: " + err)
        self.assertEqual(rc, 0, err)
        self.assertEqual([r["state"] for r in json.loads(out)], ["finished", "finished"])
        rc, out, err = posture("report", "--db", db, user=nobody)
        self.assertEqual(rc, 0, err)
        rc, out, err = posture("history", "good.spf.test", "--db", db, user=nobody)
        self.assertEqual(rc, 0, err)
        rc, out, err = posture("db", "check", "--db", db, user=nobody)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("checked read-only", err)
        self.assertIn("no problem", out)


if __name__ == "__main__":
    unittest.main(verbosity=1)
