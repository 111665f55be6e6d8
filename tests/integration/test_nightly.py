#!/usr/bin/env python3
"""scripts/nightly.sh, the nightly recipe of doc/operations.md, over three
simulated nights against the demo world (issue 18, item 9).

The demo world (scripts/gen-demo.py) is served on a bed of its own
(posturetest.demo_bed_start), with the environment make demo-shell sets, and
the script runs as cron would run it, into one database and one report
directory:

  night 1  the label's first night: exit 0, the night's CSV statistics and
           HTML report written, nothing on stdout (diff --latest's "not
           enough runs" is not an error);
  night 2  a real regression: one domain's DMARC record goes from p=reject to
           p=none in its zone file, which knotd reloads (knotc zone-reload)
           before the scan; exit 1 and the domain named on stdout;
  night 3  a dead resolver (--resolver on a free loopback port nothing
           listens on, short --timeout): the run is degraded, the script
           exits 4 with its message on stderr and writes no report.
"""
import glob
import os
import re
import subprocess
import tempfile
import unittest

from posturetest import POSTURE, ROOT, demo_bed_start, demo_bed_stop

SCRIPT = os.path.join(ROOT, "scripts", "nightly.sh")
FREEPORT = os.path.join(ROOT, "tests", "bed", "freeport.py")
# A company of the demo world under p=reject; night 2 turns it to p=none.
VICTIM = "bramblewick-tea.test"
DEGRADED = "posture nightly: run degraded (resolver?) — no report published"


class Nightly(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="posture-nightly-", dir=os.environ.get("TMPDIR"))
        cls.world, cls.bed, bed = demo_bed_start(cls.tmp)
        cls.out = os.path.join(cls.tmp, "reports")
        cls.db = os.path.join(cls.tmp, "audit.db")
        # What make demo-shell sets (scripts/demo-env.sh), plus the script's own.
        cls.env = dict(os.environ, NO_COLOR="1",
                       PATH=os.path.dirname(POSTURE) + os.pathsep + os.environ["PATH"],
                       POSTURE_RESOLVER=bed["BED_AUTH"], POSTURE_CA_FILE=bed["BED_CA"],
                       POSTURE_CONNECT_TO="::" + bed["BED_HTTPS"],
                       POSTURE_VMC_ROOTS=os.path.join(cls.world, "vmc-roots.pem"),
                       LIST=os.path.join(cls.world, "companies.csv"), DB=cls.db,
                       OUT=cls.out, LABEL="nightly", POSTURE=POSTURE)

    @classmethod
    def tearDownClass(cls):
        demo_bed_stop(cls.tmp)

    def night(self, *args):
        p = subprocess.run([SCRIPT, *args], cwd=self.tmp, env=self.env,
                           capture_output=True, timeout=60)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))

    def reports(self):
        return sorted(os.path.basename(f) for f in glob.glob(os.path.join(self.out, "*")))

    def runs(self):
        p = subprocess.run([POSTURE, "runs", "--db", self.db], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def regress_zone(self):
        """VICTIM's DMARC record from p=reject to p=none, the SOA serial
        bumped, and knotd made to load the zone file again."""
        path = os.path.join(self.world, "zones", VICTIM + ".zone")
        with open(path) as f:
            text = f.read()
        self.assertIn("p=reject; sp=reject", text)
        text = text.replace("p=reject; sp=reject", "p=none; sp=reject", 1)
        text, n = re.subn(r"(\bSOA\s+\S+\s+\S+\s+)(\d+)",
                          lambda m: m.group(1) + str(int(m.group(2)) + 1), text, count=1)
        self.assertEqual(n, 1)
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run(["knotc", "-b", "-c", os.path.join(self.bed, "knot.conf"),
                            "zone-reload", VICTIM + "."], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = subprocess.run(["kdig", "@127.0.0.1", "-p", self.env["POSTURE_RESOLVER"].split(":")[1],
                            "+short", "TXT", "_dmarc." + VICTIM], capture_output=True, text=True,
                           timeout=30)
        self.assertIn("p=none", p.stdout)

    def test_three_nights(self):
        # Night 1: the first night of the label.
        rc, out, err = self.night()
        self.assertEqual(rc, 0, out + err)
        self.assertEqual(out, "")
        self.assertNotIn("not enough runs", err)
        first = self.reports()
        self.assertEqual(len(first), 2, first)
        self.assertTrue(any(re.fullmatch(r"posture-\d{4}-\d\d-\d\d-run1-stats\.csv", f)
                            for f in first), first)
        self.assertTrue(any(re.fullmatch(r"posture-\d{4}-\d\d-\d\d-run1\.html", f)
                            for f in first), first)
        for f in first:
            self.assertGreater(os.path.getsize(os.path.join(self.out, f)), 0, f)
        with open(os.path.join(self.out, next(f for f in first if f.endswith(".csv")))) as f:
            self.assertIn("dmarc_enforced", f.read())

        # Night 2: one company drops its DMARC policy to p=none.
        self.regress_zone()
        rc, out, err = self.night()
        self.assertEqual(rc, 1, out + err)
        self.assertIn("regressed " + VICTIM, out)
        self.assertIn("dmarc_policy: reject -> none", out)
        # The regressions alone: no other domain is named.
        named = set(re.findall(r"^\s*regressed (\S+)", out, re.M))
        self.assertEqual(named, {VICTIM}, out)
        second = self.reports()
        self.assertEqual(len(second), 4, second)
        self.assertTrue(any("-run2" in f and f.endswith(".html") for f in second), second)

        # Night 3: the resolver is dead.
        port = subprocess.run(["/usr/bin/python3", FREEPORT], capture_output=True, text=True,
                              timeout=30).stdout.strip()
        self.assertTrue(port.isdigit(), port)
        rc, out, err = self.night("--resolver", "127.0.0.1:" + port, "--timeout", "200",
                                  "--retries", "0")
        self.assertEqual(rc, 4, out + err)
        self.assertIn(DEGRADED, err)
        self.assertEqual(out, "")
        self.assertEqual(self.reports(), second)  # nothing published for night 3
        runs = self.runs()
        self.assertRegex(runs, r"(?m)^\s*3\s+degraded\b")
        # The degraded night does not become the base of the next diff: with
        # the resolver back and nothing changed since night 2, the fourth
        # night is silent.
        rc, out, err = self.night()
        self.assertEqual((rc, out), (0, ""), out + err)
        # For the journal: --progress lines instead of --quiet (which
        # excludes them), and the scan's summary.
        rc, out, err = self.night("--progress")
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(err, r"posture scan: 318/318 domains")

    def test_no_list(self):
        env = dict(self.env)
        del env["LIST"]
        p = subprocess.run([SCRIPT], cwd=self.tmp, env=env, capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 2)
        self.assertIn("LIST", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=1)
