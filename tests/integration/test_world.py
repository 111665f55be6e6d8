"""The synthetic world (scripts/gen-world.py) against posture itself.

Generates a world of 300 domains into a temporary directory, serves it with
a second bed (tests/bed/bed.sh start, BED_ZONES at the world's zones), and
checks that posture's `spf` and `dmarc` verdicts equal the generator's
expected.csv on a sample: every domain with a rarer outcome (SPF: each
none and permerror; DMARC: each none, invalid and partial) plus every sixth
domain, about 200 runs of posture. MX, A and BIMI records are checked for all
300 with one kdig run. Also: the generator is deterministic, the same for
any -j, prefix-stable in N, exact in its mix, and its query list is sound.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from posturetest import POSTURE  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-world.py")
BED = os.path.join(ROOT, "tests", "bed", "bed.sh")
PY = "/usr/bin/python3"
N = 300
FILES = ["zones/bench.test.zone", "zones/test.zone", "domains.txt", "expected.csv", "mix.txt"]


def gen(outdir, *args):
    p = subprocess.run([PY, GEN, outdir, "--query-mix", os.path.join(outdir, "mix.txt"),
                        "-q", *args], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("gen-world.py failed: %s" % p.stderr)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rows(outdir):
    with open(os.path.join(outdir, "expected.csv"), newline="") as f:
        return list(csv.DictReader(f))


def serve_world(cls, n, prefix):
    """Generates a world of n domains into a new temporary directory and
    serves it from a bed of its own: sets cls.tmp, world, beddir, auth,
    port."""
    cls.tmp = tempfile.mkdtemp(prefix=prefix)
    cls.world = os.path.join(cls.tmp, "world")
    gen(cls.world, "-n", str(n))
    cls.beddir = os.path.join(cls.tmp, "bed")
    env = dict(os.environ, BED_ZONES=os.path.join(cls.world, "zones"), BED_START_TIMEOUT="60")
    p = subprocess.run([BED, "start", cls.beddir], env=env, capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        shutil.rmtree(cls.tmp, ignore_errors=True)
        raise AssertionError("bed.sh start failed: %s" % p.stderr)
    with open(os.path.join(cls.beddir, "bed.env")) as f:
        env = dict(l.strip().split("=", 1) for l in f if "=" in l)
    cls.auth = env["BED_AUTH"]
    cls.port = env["BED_AUTH_PORT"]


def stop_world(cls):
    subprocess.run([BED, "stop", cls.beddir], timeout=60)
    shutil.rmtree(cls.tmp, ignore_errors=True)


class World(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        serve_world(cls, N, "posture-world.")
        cls.rows = rows(cls.world)

    @classmethod
    def tearDownClass(cls):
        stop_world(cls)

    def posture(self, *args):
        p = subprocess.run([POSTURE, *args, "--json", "--resolver", self.auth],
                           capture_output=True, text=True, timeout=60)
        return json.loads(p.stdout)

    def test_posture_agrees_with_expected(self):
        # Each posture run costs tens of milliseconds, so not all 600:
        # every row with a rarer outcome, and every sixth of the others.
        def spf_rare(i, r):
            return r["spf_status"] != "ok" or i % 6 == 0

        def dmarc_rare(i, r):
            return (r["dmarc_status"] != "ok" or r["dmarc_enforcement"] == "partial"
                    or i % 6 == 0)
        sample = [(r, spf_rare(i, r), dmarc_rare(i, r)) for i, r in enumerate(self.rows)]
        sample = [s for s in sample if s[1] or s[2]]

        def check(job):
            r, do_spf, do_dmarc = job
            d = r["domain"]
            bad = []
            if do_spf:
                s = self.posture("spf", d)
                got = (s["status"], s["error_code"] or "")
                if got != (r["spf_status"], r["spf_error"]):
                    bad.append("%s: posture SPF %s, expected %s"
                               % (d, got, (r["spf_status"], r["spf_error"])))
            if not do_dmarc:
                return bad
            m = self.posture("dmarc", d)
            got = (m["status"], m["enforcement"])
            if got != (r["dmarc_status"], r["dmarc_enforcement"]):
                bad.append("%s: posture DMARC %s, expected %s"
                           % (d, got, (r["dmarc_status"], r["dmarc_enforcement"])))
            # RFC 7489: "test" is not in the PSL, so the organisational
            # domain is bench.test, which publishes nothing: the reading
            # differs only where pct < 100 (partial) or t=y (unknown there).
            old = m["rfc7489"]
            want_old = r["dmarc_enforcement"]
            if m["status"] == "ok" and m["pct"] is not None and m["pct"] < 100:
                want_old = "partial"
            elif m["status"] == "ok" and m["testing"]:
                want_old = m["policy"]
            if (old["org_domain"], old["enforcement"]) != ("bench.test", want_old):
                bad.append("%s: RFC 7489 reading %s/%s for %r, expected bench.test/%s"
                           % (d, old["org_domain"], old["enforcement"], m["record"],
                              want_old))
            return bad

        with ThreadPoolExecutor(4) as ex:
            bad = [b for res in ex.map(check, sample) for b in res]
        self.assertEqual(bad, [])
        # The sample holds every SPF and DMARC outcome the world has.
        spf = [r for r, do, _ in sample if do]
        dmarc = [r for r, _, do in sample if do]
        self.assertEqual({(r["spf_status"], r["spf_error"]) for r in spf}, {
            ("ok", ""), ("none", ""), ("permerror", "spf.include_no_record"),
            ("permerror", "spf.too_many_lookups"), ("permerror", "spf.multiple_records"),
            ("permerror", "spf.redirect_no_record"), ("permerror", "spf.void_lookups")})
        self.assertEqual({r["dmarc_enforcement"] for r in dmarc},
                         {"reject", "quarantine", "partial", "monitor", "missing", "invalid"})
        self.assertGreaterEqual(len(spf), 90)
        self.assertGreaterEqual(len(dmarc), 90)

    def test_mx_a_bimi_records(self):
        args = []
        for r in self.rows:
            d = r["domain"]
            args += [d, "MX", d, "A", "default._bimi." + d, "TXT"]
        p = subprocess.run(["kdig", "@127.0.0.1", "-p", self.port, "+noall", "+answer",
                            "+norecurse", "+time=2", *args],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        seen = {}
        for line in p.stdout.splitlines():
            f = line.split(None, 4)
            if len(f) == 5 and not line.startswith(";"):
                seen.setdefault((f[0].rstrip(".").lower(), f[3]), []).append(f[4])
        bad = []
        for r in self.rows:
            d = r["domain"]
            bimi = any(t.startswith('"v=BIMI1') for t in seen.get(("default._bimi." + d, "TXT"), []))
            got = (int((d, "MX") in seen), int((d, "A") in seen), int(bimi))
            want = (int(r["mx"]), int(r["a"]), int(r["bimi_record"]))
            if got != want:
                bad.append((d, got, want))
        self.assertEqual(bad, [])
        # posture's own adapter on a few: no MX is nodata, an MX is data.
        no_mx = next(r["domain"] for r in self.rows if r["mx"] == "0")
        has_mx = next(r["domain"] for r in self.rows if r["mx"] == "1")
        self.assertEqual(self.posture("lookup", no_mx, "MX")["outcome"], "nodata")
        self.assertEqual(self.posture("lookup", has_mx, "MX")["outcome"], "data")
        no_a = next(r["domain"] for r in self.rows if r["a"] == "0")
        self.assertEqual(self.posture("lookup", no_a, "A")["outcome"], "nodata")

    def test_exact_mix(self):
        count = {}
        for r in self.rows:
            for k in (("spf", r["spf_status"], r["spf_error"]),
                      ("dmarc", r["dmarc_status"], r["dmarc_enforcement"])):
                count[k] = count.get(k, 0) + 1
        # Three blocks of 100: three times each block's numbers.
        self.assertEqual(count[("spf", "ok", "")], 252)
        self.assertEqual(count[("spf", "none", "")], 24)
        self.assertEqual(count[("spf", "permerror", "spf.include_no_record")], 9)
        self.assertEqual(count[("spf", "permerror", "spf.too_many_lookups")], 6)
        self.assertEqual(count[("spf", "permerror", "spf.multiple_records")], 3)
        self.assertEqual(count[("spf", "permerror", "spf.redirect_no_record")], 3)
        self.assertEqual(count[("spf", "permerror", "spf.void_lookups")], 3)
        self.assertEqual(count[("dmarc", "ok", "monitor")], 135)
        self.assertEqual(count[("dmarc", "ok", "quarantine")] +
                         count[("dmarc", "ok", "reject")], 105)  # 15 + 15 + 5 pct
        self.assertEqual(count[("dmarc", "ok", "partial")], 6)
        self.assertEqual(count[("dmarc", "invalid", "invalid")], 9)
        self.assertEqual(count[("dmarc", "none", "missing")], 45)
        self.assertEqual(sum(int(r["mx"]) for r in self.rows), 270)
        self.assertEqual(sum(int(r["a"]) for r in self.rows), 285)
        self.assertEqual(sum(int(r["bimi_record"]) for r in self.rows), 6)
        names = read(os.path.join(self.world, "domains.txt")).decode().splitlines()
        self.assertEqual(names, [r["domain"] for r in self.rows])
        self.assertEqual(len(set(names)), N)
        self.assertTrue(all(n.endswith(".bench.test") and n.count(".") == 2 for n in names))

    def test_deterministic(self):
        with tempfile.TemporaryDirectory() as d:
            again, par, small, other = (os.path.join(d, x) for x in ("a", "p", "s", "o"))
            gen(again, "-n", str(N))
            gen(par, "-n", str(N), "-j", "2")
            for f in FILES:
                self.assertEqual(read(os.path.join(again, f)), read(os.path.join(self.world, f)), f)
                self.assertEqual(read(os.path.join(par, f)), read(os.path.join(self.world, f)), f)
            # A smaller world is the start of the larger one.
            gen(small, "-n", "150")
            for f in ("domains.txt", "expected.csv"):
                self.assertTrue(read(os.path.join(self.world, f)).startswith(
                    read(os.path.join(small, f))), f)
            gen(other, "-n", str(N), "--seed", "2")
            self.assertNotEqual(read(os.path.join(other, "expected.csv")),
                                read(os.path.join(self.world, "expected.csv")))

    def test_query_mix(self):
        lines = read(os.path.join(self.world, "mix.txt")).decode().splitlines()
        qs = [tuple(l.split(" ")) for l in lines]
        self.assertTrue(all(len(q) == 2 and q[1] in ("TXT", "A", "AAAA", "MX") for q in qs))
        self.assertEqual(len(qs), len(set(qs)))  # each question once (shared cache)
        mine = set(qs)
        for r in self.rows:
            d = r["domain"]
            for q in ((d, "TXT"), ("_dmarc." + d, "TXT"), ("default._bimi." + d, "TXT"),
                      (d, "MX"), (d, "A"), (d, "AAAA")):
                self.assertIn(q, mine)
        for q in (("_dmarc.bench.test", "TXT"), ("_dmarc.test", "TXT"),
                  ("_spf.mailer1.bench.test", "TXT"), ("_netblocks3.mailer1.bench.test", "TXT"),
                  ("mailer5.bench.test", "MX"), ("_spf.gone1.bench.test", "TXT")):
            self.assertIn(q, mine)
        # The SPF tree posture walks for one include domain is in the mix.
        d = next(r["domain"] for r in self.rows if r["spf_error"] == "spf.too_many_lookups")
        tree = self.posture("spf", d)["tree"]

        def names(node):
            yield node["domain"]
            for c in node["children"]:
                yield from names(c)
        for n in names(tree):
            self.assertIn((n, "TXT"), mine)
        self.assertGreater(self.posture("spf", d)["lookups"], 10)

    def test_help(self):
        p = subprocess.run([PY, GEN, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--query-mix", p.stdout)
        p = subprocess.run([PY, GEN], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 2)


class KillDuringCheckpoints(unittest.TestCase):
    """A scan of 20,000 domains writes about 110 MB of results, so the
    store's background checkpoints run (a WAL checkpoint every 64 MB):
    kill -9 part-way, resume, and every domain has exactly one result,
    the one expected.csv says, in a sound database."""
    N = 20000

    @classmethod
    def setUpClass(cls):
        serve_world(cls, cls.N, "posture-world-kill.")

    @classmethod
    def tearDownClass(cls):
        stop_world(cls)

    def scan(self, db, *args):
        return subprocess.Popen([POSTURE, "scan", *args, "--db", db, "--resolver", self.auth,
                                 "--no-fetch", "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_kill9_while_checkpointing_then_resume(self):
        import signal
        import sqlite3
        import time
        db = os.path.join(self.tmp, "kill.db")
        p = self.scan(db, os.path.join(self.world, "domains.txt"))
        # Wait until a first checkpoint's worth of results is stored
        # (the WAL passed 1,000 pages once), then kill.
        deadline = time.time() + 120
        done = 0
        while time.time() < deadline and p.poll() is None:
            time.sleep(0.1)
            try:
                con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
                done = con.execute("SELECT count(*) FROM run_results").fetchone()[0]
                con.close()
            except sqlite3.Error:
                continue
            if done >= 13000:
                break
        self.assertIsNone(p.poll(), "the scan ended before it could be killed")
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=30)
        self.assertGreaterEqual(done, 13000)
        con = sqlite3.connect(db)
        run = con.execute("SELECT id FROM runs").fetchone()[0]
        con.close()
        p = self.scan(db, "--resume", str(run))
        out, err = p.communicate(timeout=300)
        self.assertEqual(p.returncode, 0, err)
        self.assertEqual(json.loads(out)["done"], self.N)
        con = sqlite3.connect(db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            per = con.execute("SELECT count(*), count(DISTINCT domain_id) FROM run_results"
                              " WHERE run_id = ?", (run,)).fetchone()
            got = {r[0]: r[1:] for r in con.execute(
                "SELECT d.name, r.spf_status, coalesce(r.spf_error, ''), r.dmarc_status,"
                " r.dmarc_enforcement FROM run_results r JOIN domains d ON d.id = r.domain_id")}
            state = con.execute("SELECT state, done FROM runs").fetchall()
        finally:
            con.close()
        self.assertEqual(per, (self.N, self.N))
        self.assertEqual(state, [("finished", self.N)])
        want = {e["domain"]: (e["spf_status"], e["spf_error"], e["dmarc_status"],
                              e["dmarc_enforcement"]) for e in rows(self.world)}
        wrong = [d for d in want if got.get(d) != want[d]]
        self.assertEqual(wrong[:5], [])


if __name__ == "__main__":
    unittest.main(verbosity=1)
