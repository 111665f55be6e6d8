#!/usr/bin/env python3
"""Integration tests of one writer per database and of readers that only
read (issue 18, items 4 and 7): a second `posture scan` on a database
another scan is writing is refused at once, naming it, while readers go on
reading; after the first is killed (-9) the database can be written again;
`posture report` reads a database another user owns in a directory it
cannot write.

Each test works in its own temporary directory; every posture process it
starts is waited for or killed by pid.
"""
import os
import pwd
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

from posturetest import AUTH, FAULT, POSTURE, let_others_reach, run

# posture scan's exit status for a database another command is writing
# (its --help: a usage error, nothing written).
BUSY_STATUS = 2


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class OneWriter(unittest.TestCase):
    N = 120

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dblock.", dir=os.environ.get("TMPDIR"))
        self.db = os.path.join(self.tmp, "p.db")
        # Every query of these names is answered after 150 ms: the scan
        # runs for seconds.
        self.list = write(os.path.join(self.tmp, "slow.txt"), "".join(
            "delay150.d%d.fault.test\n" % i for i in range(self.N)))

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def start(self, *extra):
        return subprocess.Popen(
            [POSTURE, "scan", *extra, "--db", self.db, "--resolver", FAULT,
             "--inflight", "6", "--workers", "2", "--timeout", "2000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.tmp)

    def wait_running(self, p):
        """Until the first scan has stored a result (it holds its claim)."""
        for _ in range(200):
            self.assertIsNone(p.poll(), "the first scan ended too early")
            try:
                con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)
                n = con.execute("SELECT count(*) FROM run_results").fetchone()[0]
                con.close()
                if n > 0:
                    return
            except sqlite3.Error:
                pass
            time.sleep(0.05)
        self.fail("the first scan stored nothing")

    def test_second_scan_refused(self):
        p = self.start(self.list)
        try:
            self.wait_running(p)
            t0 = time.monotonic()
            q = self.start(self.list)
            qout, qerr = q.communicate(timeout=30)
            self.assertLess(time.monotonic() - t0, 5, "refused at once, not after a wait")
            self.assertEqual(q.returncode, BUSY_STATUS, qerr)
            self.assertIn(b"is being written by another posture command", qerr)
            self.assertIn(b"(pid %d on " % p.pid, qerr)
            # Readers are unaffected while the first writes.
            rc, out, err = run("runs", "--db", self.db, resolver=None)
            self.assertEqual(rc, 0, err)
            self.assertIn("running", out)
            self.assertIsNone(p.poll(), "the second scan stopped the first")
            # The refused scan created no run of its own.
            con = sqlite3.connect(self.db)
            self.assertEqual(con.execute("SELECT count(*) FROM runs").fetchone()[0], 1)
            con.close()
        finally:
            p.kill()  # SIGKILL: no store_close, the kernel drops the claim
            p.communicate(timeout=30)
        q = self.start("--resume", "1")
        qout, qerr = q.communicate(timeout=120)
        self.assertEqual(q.returncode, 0, qerr)


class ReadOnly(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dbro.", dir=os.environ.get("TMPDIR"))

    def tearDown(self):
        subprocess.run(["chmod", "-R", "u+w", self.tmp])
        subprocess.run(["rm", "-rf", self.tmp])

    def test_report_on_another_users_database(self):
        """As root the report runs as nobody (root bypasses permissions);
        otherwise as this user, the directory and file made read-only."""
        sub = os.path.join(self.tmp, "ro")
        os.mkdir(sub)
        db = os.path.join(sub, "p.db")
        lst = write(os.path.join(self.tmp, "l.txt"), "good.spf.test\norg1.dmarc.test\n")
        p = subprocess.run([POSTURE, "scan", lst, "--db", db, "--resolver", AUTH],
                           capture_output=True, timeout=60)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertFalse(os.path.exists(db + "-shm"))  # closed: no WAL index
        os.chmod(sub, 0o555)
        os.chmod(db, 0o444)
        os.chmod(self.tmp, 0o755)
        let_others_reach(self.tmp)
        cmd = [POSTURE, "report", "--db", db, "--format", "csv"]
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            cmd = ["setpriv", "--reuid=%d" % nobody.pw_uid, "--regid=%d" % nobody.pw_gid,
                   "--clear-groups", *cmd]
            probe = subprocess.run(cmd[:4] + ["test", "-r", db, "-a", "-x", POSTURE])
            if probe.returncode != 0:
                self.skipTest("nobody cannot reach the database or the binary here")
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(b"results,domain,2,2,100.0", p.stdout)  # both domains read
        self.assertIn(b"read as an immutable file", p.stderr)
        self.assertFalse(os.path.exists(db + "-shm"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
