#!/usr/bin/env python3
"""Integration tests of `posture scan`, `posture runs` and `posture db` on
the bed: fixture domains stored with the right statuses, list handling,
the fault server (TempError recorded, no hang), resume after kill -9 and
Ctrl-C (exactly one result per domain), TempError never hiding a good
result, and shard split + merge equal to the unsharded run.

Each test works in its own temporary directory; every posture process it
starts is waited for or killed by pid.
"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import unittest

from posturetest import AUTH, FAULT, POSTURE, run, stored_results

# Fixture domains with values read from the zone files' comments
# (tests/zones/spf.test.zone, dmarc.test.zone), not from posture.
FIXTURES = {
    # domain: (spf_status, spf_error, dmarc_status, dmarc_enforcement)
    "inc-norecord.spf.test": ("permerror", "spf.include_no_record", "none", "missing"),
    "toomany.spf.test": ("permerror", "spf.too_many_lookups", "none", "missing"),
    "two.spf.test": ("permerror", "spf.multiple_records", "none", "missing"),
    "good.spf.test": ("ok", None, "none", "missing"),
    "notutf8.spf.test": ("permerror", "spf.syntax", "none", "missing"),
    "org1.dmarc.test": ("none", None, "ok", "reject"),
    "sub.org1.dmarc.test": ("none", None, "ok", "quarantine"),
    "pct.dmarc.test": ("none", None, "ok", "reject"),
    "testing.dmarc.test": ("none", None, "ok", "partial"),
    "nop.dmarc.test": ("none", None, "ok", "monitor"),
}


def scan(tmp, *args, resolver=AUTH, timeout=120):
    return subprocess.run([POSTURE, "scan", *args, "--resolver", resolver],
                          capture_output=True, timeout=timeout, cwd=tmp)


def rows(db, run_id=None):
    con = sqlite3.connect(db)
    try:
        q = ("SELECT d.name, r.spf_status, r.spf_error, r.dmarc_status,"
             " r.dmarc_enforcement, r.mx, r.a, r.conclusive, r.run_id"
             " FROM run_results r JOIN domains d ON d.id = r.domain_id")
        if run_id is not None:
            q += " WHERE r.run_id = %d" % run_id
        return {r[0]: r[1:] for r in con.execute(q)}
    finally:
        con.close()


def stored_json(db, domain):
    return stored_results(db)[domain]


def free_port():
    """A loopback UDP port nothing listens on (bound, then released)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class Scan(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="scan.", dir=os.environ.get("TMPDIR"))
        self.db = os.path.join(self.tmp, "t.db")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def test_fixtures_stored(self):
        lst = write(os.path.join(self.tmp, "f.txt"), "\n".join(FIXTURES) + "\n")
        p = scan(self.tmp, lst, "--db", self.db, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        summary = json.loads(p.stdout)
        self.assertEqual((summary["state"], summary["total"], summary["done"],
                          summary["errors"]), ("finished", 10, 10, 0))
        # Without timeouts (no retries) every query sent is a question
        # asked; the shared providers' answers come from the cache.
        self.assertEqual(summary["timeouts"], 0)
        self.assertGreater(summary["sent"], 0)
        self.assertLess(summary["sent"], summary["queries"])
        got = rows(self.db)
        self.assertEqual(set(got), set(FIXTURES))
        for d, want in FIXTURES.items():
            self.assertEqual(got[d][:4], want, d)
            self.assertEqual(got[d][6], 1, d)  # conclusive
        # The stored JSON is the same object `posture spf/dmarc --json` give.
        js = stored_json(self.db, "inc-norecord.spf.test")
        self.assertEqual(js["spf"]["status"], "permerror")
        self.assertEqual(js["spf"]["tree"]["children"][0]["domain"], "norecord.spf.test")
        self.assertEqual(js["dmarc"]["status"], "none")
        # A record that is not UTF-8 is stored (it was lost once: jansson
        # refuses such strings), the byte as U+FFFD.
        bad = stored_json(self.db, "notutf8.spf.test")
        self.assertEqual(bad["spf"]["record"], "v=spf1 a:x\ufffdy.spf.test -all")
        # No BIMI record in the fixture zone: "none", with the checklist.
        self.assertEqual(js["bimi"]["status"], "none")
        self.assertEqual(js["bimi"]["vmc"]["status"], "absent")
        self.assertFalse(js["bimi"]["eligible"])
        ready = {i["item"]: i["status"] for i in js["bimi"]["readiness"]}
        self.assertEqual(ready["bimi_record"], "fail")
        self.assertEqual(ready["spf"], "fail")  # the include has no record
        self.assertEqual(ready["dmarc_policy"], "fail")
        self.assertIn(js["mx"]["status"], ("present", "absent"))
        # Findings are rows too, with their check.
        con = sqlite3.connect(self.db)
        n = con.execute("SELECT count(*) FROM findings WHERE check_name = 'spf'"
                        " AND code = 'spf.include_no_record'").fetchone()[0]
        con.close()
        self.assertEqual(n, 1)

    def test_qps_paces_queries_sent(self):
        # --qps 20 with one worker: a token bucket of 20 a second that holds
        # at most 2 (and starts with 1), spent on each query that goes to
        # the server; answers the run's cache already holds take none. So
        # the scan cannot send its queries faster than that: a lower bound
        # on its duration (no upper one: the machine may be slow).
        lst = write(os.path.join(self.tmp, "f.txt"), "\n".join(FIXTURES) + "\n")
        p = scan(self.tmp, lst, "--db", self.db, "--json", "--qps", "20", "--workers", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        summary = json.loads(p.stdout)
        self.assertEqual((summary["done"], summary["errors"], summary["timeouts"]), (10, 0, 0))
        self.assertGreater(summary["sent"], 40)
        self.assertGreaterEqual(summary["seconds"], (summary["sent"] - 2) / 20)
        got = rows(self.db)
        for d, want in FIXTURES.items():
            self.assertEqual(got[d][:4], want, d)

    def test_list_handling(self):
        lst = write(os.path.join(self.tmp, "companies.csv"),
                    "code,company,sector,domain\n"
                    "1,\"Org One, Inc.\",Banks,ORG1.dmarc.test\n"
                    "2,Org One again,Banks,org1.dmarc.test.\n"
                    "3,Broken,Misc,not a domain\n"
                    "4,Idn,Misc,bücher.dmarc.test\n")
        p = scan(self.tmp, lst, "--db", self.db, "--label", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        err = p.stderr.decode()
        self.assertIn("companies.csv:3: duplicate domain org1.dmarc.test", err)
        self.assertIn("companies.csv:4:", err)
        self.assertIn("not allowed in a domain name", err)
        self.assertIn("1 lines skipped, 1 duplicates skipped", p.stdout.decode())
        con = sqlite3.connect(self.db)
        got = sorted(con.execute("SELECT name, company, code, sector FROM domains"))
        con.close()
        self.assertEqual(got, [("org1.dmarc.test", "Org One, Inc.", "1", "Banks"),
                               ("xn--bcher-kva.dmarc.test", "Idn", "4", "Misc")])
        # Standard input.
        p = subprocess.run([POSTURE, "scan", "-", "--db", self.db, "--resolver", AUTH],
                           input=b"good.spf.test\n", capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(set(rows(self.db, 2)), {"good.spf.test"})

    def test_usage_errors(self):
        for args, msg in [([], "name at least one list"),
                          (["x.txt", "--shard", "3/2"], "--shard takes K/N"),
                          (["x.txt", "--checks", "spf,arc"], "unknown check 'arc'"),
                          (["x.txt", "--workers", "0"], "--workers takes"),
                          (["x.txt", "--resume", "1"], "--resume takes no list")]:
            p = scan(self.tmp, *args, "--db", self.db)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(msg, p.stderr.decode(), args)
        p = scan(self.tmp, "--resume", "5", "--db", self.db)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no run 5", p.stderr.decode())
        p = scan(self.tmp, os.path.join(self.tmp, "missing.txt"), "--db", self.db)
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot open", p.stderr.decode())
        # A list that gives no domain is a usage error and makes no run: a
        # CSV separated by ';', a header without "domain", an empty file,
        # a list whose every line is bad.
        db = os.path.join(self.tmp, "empty.db")
        for name, text in (("semi.csv", "domain;company\norg1.dmarc.test;Org One\n"),
                           ("nodomain.csv", "company,code\nOrg One,1\n"),
                           ("empty.txt", ""),
                           ("bad.txt", "not a domain\n# comment\n1.2.3.4 x\n")):
            lst = write(os.path.join(self.tmp, name), text)
            p = scan(self.tmp, lst, "--db", db)
            self.assertEqual(p.returncode, 2, (name, p.stderr))
            self.assertIn("%s: no domain in it" % lst, p.stderr.decode(), name)
            self.assertIn("'domain' column", p.stderr.decode(), name)
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("SELECT count(*) FROM runs").fetchone()[0], 0)
        con.close()
        rc, _, err = run("runs", "--db", os.path.join(self.tmp, "none.db"), resolver=None)
        self.assertEqual(rc, 2)
        self.assertIn("no such database", err)

    def test_fault_server(self):
        names = ["drop.fault.test", "servfail.fault.test", "refused.fault.test",
                 "tc.fault.test", "tcbroken.fault.test", "garbage.fault.test",
                 "wrongname.fault.test", "nxdomain.fault.test", "huge.fault.test"]
        lst = write(os.path.join(self.tmp, "faults.txt"), "\n".join(names) + "\n")
        t0 = time.monotonic()
        p = scan(self.tmp, lst, "--db", self.db, "--timeout", "200", "--retries", "1",
                 resolver=FAULT, timeout=60)
        elapsed = time.monotonic() - t0
        # A third of the results inconclusive: over the default 5 %, the run
        # is degraded (exit 4), not finished.
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn(b"degraded: ", p.stdout)
        got = rows(self.db)
        self.assertEqual(set(got), set(names))
        for d in ("drop.fault.test", "servfail.fault.test", "refused.fault.test"):
            self.assertEqual((got[d][0], got[d][2], got[d][6]),
                             ("temperror", "temperror", 0), d)
        # NXDOMAIN is an answer (conclusive), and stored as such, not "none".
        self.assertEqual(got["nxdomain.fault.test"][0], "nxdomain")
        self.assertEqual(got["nxdomain.fault.test"][6], 1)
        if got["tc.fault.test"][0] != "ok":  # via TCP
            self.fail("tc.fault.test: " + json.dumps(stored_json(self.db, "tc.fault.test")))
        # Generous bound against a hang, not a performance check.
        self.assertLess(elapsed, 50)
        con = sqlite3.connect(self.db)
        state, errors = con.execute("SELECT state, errors FROM runs").fetchone()
        con.close()
        self.assertEqual(state, "degraded")
        self.assertGreaterEqual(errors, 3)
        # Allowed that many, the same run is finished with inconclusive
        # results (exit 1).
        p = scan(self.tmp, lst, "--db", self.db, "--timeout", "200", "--retries", "1",
                 "--max-inconclusive", "100", resolver=FAULT, timeout=60)
        self.assertEqual(p.returncode, 1, p.stderr)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT state FROM runs WHERE id = 2").fetchone()[0],
                         "finished")
        con.close()

    def test_dead_resolver_degrades(self):
        """Nothing answers: the run ends degraded with exit 4, the reports
        do not take it for the latest finished run, and posture check says
        it could not check (exit 4) instead of finding problems."""
        lst = write(os.path.join(self.tmp, "f.txt"), "\n".join(FIXTURES) + "\n")
        p = scan(self.tmp, lst, "--db", self.db)
        self.assertEqual(p.returncode, 0, p.stderr)
        dead = "127.0.0.1:%d" % free_port()
        p = scan(self.tmp, lst, "--db", self.db, "--timeout", "100", "--retries", "0",
                 resolver=dead, timeout=60)
        self.assertEqual(p.returncode, 4, p.stderr)
        rc, out, err = run("runs", "--db", self.db, "--json", resolver=None)
        states = {r["id"]: r["state"] for r in json.loads(out)}
        self.assertEqual(states, {1: "finished", 2: "degraded"})
        rc, out, err = run("report", "--db", self.db, "--format", "json", resolver=None)
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["run"]["id"], 1)
        rc, out, err = run("check", "good.spf.test", "--timeout", "100", "--retries", "0",
                           resolver=dead)
        self.assertEqual(rc, 4, err)

    def test_temperror_keeps_good_result(self):
        lst = write(os.path.join(self.tmp, "one.txt"), "delay300.fault.test\n")
        p = scan(self.tmp, lst, "--db", self.db, "--timeout", "2000", resolver=FAULT)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = scan(self.tmp, lst, "--db", self.db, "--timeout", "50", "--retries", "0",
                 resolver=FAULT)
        self.assertEqual(p.returncode, 4, p.stderr)  # all inconclusive: degraded
        con = sqlite3.connect(self.db)
        all_runs = con.execute("SELECT run_id, spf_status, conclusive FROM run_results"
                               " ORDER BY run_id").fetchall()
        latest = con.execute("SELECT run_id, spf_status, newer_inconclusive"
                             " FROM latest_results").fetchall()
        con.close()
        self.assertEqual(all_runs, [(1, "ok", 1), (2, "temperror", 0)])
        self.assertEqual(latest, [(1, "ok", 1)])

    def test_shard_merge_equals_unsharded(self):
        lst = write(os.path.join(self.tmp, "f.txt"), "\n".join(FIXTURES) + "\n")
        whole = os.path.join(self.tmp, "whole.db")
        p = scan(self.tmp, lst, "--db", whole)
        self.assertEqual(p.returncode, 0, p.stderr)
        shards = []
        for k in (1, 2, 3):
            db = os.path.join(self.tmp, "shard%d.db" % k)
            p = scan(self.tmp, lst, "--db", db, "--shard", "%d/3" % k, "--label", "nightly")
            self.assertEqual(p.returncode, 0, p.stderr)
            shards.append(db)
        sizes = [len(rows(db)) for db in shards]
        self.assertEqual(sum(sizes), len(FIXTURES))
        self.assertGreater(max(sizes), 0)
        merged = os.path.join(self.tmp, "merged.db")
        rc, out, err = run("db", "merge", merged, *shards, "--json", resolver=None)
        self.assertEqual(rc, 0, err)
        m = json.loads(out)
        self.assertEqual((m["total"], m["done"]), (len(FIXTURES), len(FIXTURES)))

        def strip(r):  # compare statuses, not run ids
            return {d: v[:7] for d, v in r.items()}
        self.assertEqual(strip(rows(merged)), strip(rows(whole)))
        rc, out, _ = run("runs", "--db", merged, "--json", resolver=None)
        self.assertEqual(json.loads(out)[0]["label"], "nightly")
        self.assertEqual(json.loads(out)[0]["state"], "finished")

    def test_runs_json(self):
        lst = write(os.path.join(self.tmp, "f.txt"), "good.spf.test\n")
        scan(self.tmp, lst, "--db", self.db, "--label", "first")
        rc, out, err = run("runs", "--db", self.db, "--json", resolver=None)
        self.assertEqual(rc, 0, err)
        r = json.loads(out)
        self.assertEqual(len(r), 1)
        for key in ("id", "label", "state", "total", "done", "started", "finished_at"):
            self.assertIn(key, r[0])
        self.assertEqual((r[0]["id"], r[0]["label"], r[0]["state"], r[0]["total"],
                          r[0]["done"]), (1, "first", "finished", 1, 1))
        self.assertRegex(r[0]["started"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_names_not_utf8(self):
        # A list whose file name and company column are not UTF-8 (Latin-1
        # here): the run is listed and reported, the bytes as U+FFFD. Both
        # were lost once: jansson refused the strings.
        name = os.path.join(self.tmp.encode(), b"soci\xe9t\xe9s.csv")
        with open(name, "wb") as f:
            f.write(b"domain,company\ngood.spf.test,Soci\xe9t\xe9 G\xe9n\xe9rale\n")
        p = subprocess.run([POSTURE.encode(), b"scan", name, b"--db", self.db.encode(),
                            b"--resolver", AUTH.encode(), b"--json"],
                           capture_output=True, timeout=120, cwd=self.tmp)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(json.loads(p.stdout)["label"].endswith("soci\ufffdt\ufffds.csv"))
        rc, out, err = run("runs", "--db", self.db, "--json", resolver=None)
        self.assertEqual(rc, 0, err)
        r = json.loads(out)
        self.assertEqual(len(r), 1)
        self.assertTrue(r[0]["label"].endswith("soci\ufffdt\ufffds.csv"), r[0]["label"])
        rc, out, err = run("report", "--db", self.db, "--format", "json", resolver=None)
        self.assertEqual(rc, 0, err)
        json.loads(out)
        con = sqlite3.connect(self.db)
        company = con.execute("SELECT company FROM domains").fetchone()[0]
        con.close()
        self.assertEqual(company, "Soci\ufffdt\ufffd G\ufffdn\ufffdrale")
        # A database written before that (raw bytes in the label): the JSON
        # report says it cannot be built, rather than blaming the output.
        con = sqlite3.connect(self.db)
        con.execute("UPDATE runs SET label = CAST(X'6CFF' AS TEXT)")
        con.commit()
        con.close()
        rc, out, err = run("report", "--db", self.db, "--format", "json", resolver=None)
        self.assertEqual(rc, 3)
        self.assertIn("could not be built", err)


class Resume(unittest.TestCase):
    """kill -9 and Ctrl-C at several points: the run resumes and ends with
    exactly one result per domain, and the database stays intact."""

    N = 120

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="resume.", dir=os.environ.get("TMPDIR"))
        # Every query of these names is answered after 150 ms.
        self.list = write(os.path.join(self.tmp, "slow.txt"), "".join(
            "delay150.d%d.fault.test\n" % i for i in range(self.N)))

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp])

    def start(self, db, *extra):
        return subprocess.Popen(
            [POSTURE, "scan", *extra, "--db", db, "--resolver", FAULT,
             "--inflight", "6", "--workers", "2", "--timeout", "2000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.tmp)

    def check_complete(self, db):
        con = sqlite3.connect(db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            total = con.execute("SELECT count(*) FROM run_domains").fetchone()[0]
            per = con.execute("SELECT count(*), count(DISTINCT domain_id) FROM run_results"
                              ).fetchone()
            state = con.execute("SELECT state, done, total FROM runs").fetchall()
        finally:
            con.close()
        self.assertEqual(total, self.N)
        self.assertEqual(per, (self.N, self.N))
        self.assertEqual(state, [("finished", self.N, self.N)])

    def test_kill9_then_resume(self):
        for delay in (0.05, 0.5, 1.2, 2.0):
            db = os.path.join(self.tmp, "k%s.db" % delay)
            p = self.start(db, self.list)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=10)
            con = sqlite3.connect(db)
            try:
                made = con.execute("SELECT count(*) FROM sqlite_master"
                                   " WHERE name = 'runs'").fetchone()[0]
                runs = con.execute("SELECT id, total FROM runs").fetchall() if made else []
                done = con.execute("SELECT count(*) FROM run_results"
                                   ).fetchone()[0] if made else 0
            finally:
                con.close()
            if not runs:
                # Killed while loading the list: no half-loaded run exists.
                self.assertEqual(done, 0)
                p = self.start(db, self.list)
            else:
                self.assertEqual(runs[0][1], self.N)  # whole list or nothing
                rc, out, _ = run("runs", "--db", db, "--json", resolver=None)
                self.assertEqual(json.loads(out)[0]["state"], "interrupted", delay)
                p = self.start(db, "--resume", str(runs[0][0]))
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
            self.check_complete(db)

    def test_kill9_second_night_references(self):
        """A second night where nothing changed stores references; killed
        with SIGKILL at any moment and resumed, it still holds exactly one
        result per domain, every one a reference to the first night's, and
        db check verifies every reference."""
        for delay in (0.3, 1.0):
            db = os.path.join(self.tmp, "ref%s.db" % delay)
            p = self.start(db, self.list)
            p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0)
            p = self.start(db, self.list)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=10)
            con = sqlite3.connect(db)
            try:
                runs = [r[0] for r in con.execute("SELECT id FROM runs ORDER BY id")]
            finally:
                con.close()
            if len(runs) == 2:
                p = self.start(db, "--resume", str(runs[1]))
            else:  # killed while loading the list: no half-loaded run
                p = self.start(db, self.list)
            out, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 0, err)
            con = sqlite3.connect(db)
            try:
                per = con.execute("SELECT count(*), count(DISTINCT domain_id), sum(reference)"
                                  " FROM run_results WHERE run_id = 2").fetchone()
                stored = con.execute("SELECT count(*) FROM results").fetchone()[0]
                state = con.execute("SELECT state, done FROM runs WHERE id = 2").fetchone()
            finally:
                con.close()
            self.assertEqual(per, (self.N, self.N, self.N), delay)
            self.assertEqual(stored, self.N)
            self.assertEqual(state, ("finished", self.N))
            rc, out, err = run("db", "check", "--db", db, resolver=None)
            self.assertEqual(rc, 0, out + err)
            self.assertIn("%d of them references" % self.N, out)
            self.assertEqual(stored_results(db, 2), stored_results(db, 1))

    def test_ctrl_c_then_resume(self):
        db = os.path.join(self.tmp, "int.db")
        p = self.start(db, self.list)
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn(b"resume with: posture scan --resume 1", out)
        con = sqlite3.connect(db)
        state, done = con.execute("SELECT state, done FROM runs").fetchone()
        n = con.execute("SELECT count(*) FROM run_results").fetchone()[0]
        con.close()
        self.assertEqual(state, "interrupted")
        self.assertEqual(done, n)
        self.assertLess(n, self.N)
        p = self.start(db, "--resume", "1")
        p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0)
        self.check_complete(db)

    def test_resume_keeps_the_fetch_options(self):
        """--connect-to, --allow-port, --ca-file and --at are recorded with
        the run (a path with a space stays whole) and a resume fetches as
        the run began: the recorded values replace those in force, with a
        note when they differ."""
        db = os.path.join(self.tmp, "fetchopts.db")
        ca = os.path.join(self.tmp, "my ca.pem")
        with open(ca, "w", encoding="ascii") as f:
            f.write("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
        p = self.start(db, self.list, "--connect-to", "logo.example:443:127.0.0.1:9",
                       "--allow-port", "8443", "--ca-file", ca,
                       "--at", "2030-01-02T03:04:05Z")
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130, err)
        con = sqlite3.connect(db)
        opts = con.execute("SELECT options FROM runs").fetchone()[0]
        con.close()
        self.assertIn(" connect-to=logo.example:443:127.0.0.1:9", opts)
        self.assertIn(" allow-port=8443", opts)
        self.assertIn(" ca-file=%s" % ca.replace(" ", "%20"), opts)
        self.assertIn(" at=1893553445", opts)
        q = self.start(db, "--resume", "1", "--connect-to", "other.example:443:127.0.0.1:1")
        out, err = q.communicate(timeout=120)
        self.assertEqual(q.returncode, 0, err)
        self.assertIn(b"the run was started with --connect-to logo.example:443:127.0.0.1:9; "
                      b"it keeps it (not other.example:443:127.0.0.1:1)", err)
        self.check_complete(db)

    def test_resume_keeps_the_runs_options(self):
        """A run started with --checks spf,dmarc --no-fetch and resumed
        without them stays SPF+DMARC only; a conflicting option on resume
        is a usage error; the hint is a whole command; a finished run is
        not resumed."""
        db = os.path.join(self.tmp, "opts.db")
        p = self.start(db, self.list, "--checks", "spf,dmarc", "--no-fetch")
        time.sleep(1.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn(("resume with: posture scan --resume 1 --db %s\n" % db).encode(), out)
        for extra, says in ((["--checks", "spf", "--resolver", FAULT, "--timeout", "2000"],
                             "--checks spf,dmarc"),
                            (["--resolver", FAULT, "--timeout", "3000"], "--timeout 2000"),
                            (["--resolver", "127.0.0.1:1", "--timeout", "2000"], "--resolver"),
                            (["--resolver", FAULT, "--timeout", "2000", "--selector", "s1"],
                             "--selector default")):
            q = subprocess.run([POSTURE, "scan", "--resume", "1", "--db", db, *extra],
                               capture_output=True, timeout=30)
            self.assertEqual(q.returncode, 2, (extra, q.stderr))
            self.assertIn(says, q.stderr.decode(), extra)
        q = self.start(db, "--resume", "1")
        q.communicate(timeout=120)
        self.assertEqual(q.returncode, 0)
        self.check_complete(db)
        rows = list(stored_results(db).values())
        self.assertEqual(len(rows), self.N)
        for r in rows:
            self.assertEqual(r["bimi"], {"status": "not_run"}, r["domain"])
            self.assertEqual(r["mx"], {"status": "not_run"}, r["domain"])
            self.assertNotEqual(r["spf"].get("status"), "not_run")
            self.assertNotEqual(r["dmarc"].get("status"), "not_run")
        q = self.start(db, "--resume", "1")
        qout, qerr = q.communicate(timeout=30)
        self.assertEqual(q.returncode, 2)
        self.assertIn(b"is finished: nothing to resume", qerr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
