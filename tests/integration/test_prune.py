#!/usr/bin/env python3
"""posture db prune, db vacuum, db export and the storage of nightly runs,
through the command line against the bed's authoritative server: old runs
lose their results but keep their statistics (report --trend prints the
same figures before and after), results a kept run still points at stay,
and a pruned run is refused by report, diff and export with a clear
message."""
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from posturetest import AUTH, POSTURE, inconclusive_why, stored_results

NIGHTLY = ["good.spf.test", "org1.dmarc.test", "nop.dmarc.test", "toomany.spf.test",
           "two.spf.test"]


def posture(*args):
    p = subprocess.run([POSTURE, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Prune(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="prune.", dir=os.environ.get("TMPDIR"))
        cls.list = os.path.join(cls.tmp, "nightly.txt")
        with open(cls.list, "w", encoding="utf-8") as f:
            f.write("\n".join(NIGHTLY) + "\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def sql(self, db, q, *args):
        con = sqlite3.connect(db)
        try:
            rows = con.execute(q, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def nights(self, db, started):
        """One scan a night, each run's start moved back to started[i]."""
        for i, when in enumerate(started):
            rc, out, err = posture("scan", self.list, "--db", db, "--label", "nightly",
                                   "--resolver", AUTH, "--json")
            self.assertIn(rc, (0, 1), err + inconclusive_why(db))
            summary = json.loads(out)
            self.assertEqual(summary["state"], "finished")
            if i == 0:
                self.assertEqual((summary["stored_new"], summary["stored_unchanged"]),
                                 (len(NIGHTLY), 0))
            else:  # nothing changed in the zones between nights
                self.assertEqual((summary["stored_new"], summary["stored_unchanged"]),
                                 (0, len(NIGHTLY)))
            self.sql(db, "UPDATE runs SET started = ? WHERE id = ?", when, summary["run"])

    def test_prune_keeps_trends(self):
        db = os.path.join(self.tmp, "trend.db")
        self.nights(db, ["2025-01-10T01:00:00Z", "2025-01-11T01:00:00Z",
                         "2025-02-10T01:00:00Z", "2099-01-01T01:00:00Z"])
        rc, before, err = posture("report", "--trend", "--db", db, "--format", "csv")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(before.splitlines()) > 1, True)

        # --dry-run lists and changes nothing.
        rc, out, err = posture("db", "prune", "--db", db, "--keep-days", "30", "--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.count("would prune run"), 3, out)
        self.assertEqual(self.sql(db, "SELECT count(*) FROM runs WHERE pruned_at IS NOT NULL"),
                         [(0,)])

        # Free pages for the hint below: a table filled and dropped (one run
        # of five domains fits in the pages other runs share, so pruning it
        # alone frees none; which pages a schema's migrations leave free
        # is no contract).
        self.sql(db, "CREATE TABLE filler(x)")
        self.sql(db, "INSERT INTO filler SELECT zeroblob(200000) FROM"
                 " (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)")
        self.sql(db, "DROP TABLE filler")
        self.assertGreater(self.sql(db, "PRAGMA freelist_count")[0][0], 0)
        # --keep-monthly keeps January's last (run 2) and February's (3).
        rc, out, err = posture("db", "prune", "--db", db, "--keep-days", "30",
                               "--keep-monthly")
        self.assertEqual(rc, 0, err)
        self.assertIn("pruning run 1 ", out)
        self.assertIn("pruned 1 runs", out)
        self.assertIn("posture db vacuum --db", out)
        # Every run's results point at run 1's rows (nothing changed):
        # they stay although run 1 is pruned.
        self.assertEqual(self.sql(db, "SELECT count(*), min(run_id) FROM results"),
                         [(len(NIGHTLY), 1)])
        rc, out, err = posture("db", "prune", "--db", db, "--keep-days", "30", "--json")
        self.assertEqual(rc, 0, err)
        j = json.loads(out)
        self.assertEqual((j["runs_pruned"], j["first_run"], j["last_run"]), (2, 2, 3))
        self.assertEqual(self.sql(db, "SELECT id FROM runs WHERE pruned_at IS NULL"), [(4,)])

        # The trend is what it was, figure for figure.
        rc, after, err = posture("report", "--trend", "--db", db, "--format", "csv")
        self.assertEqual(rc, 0, err)
        self.assertEqual(after, before)

        # A pruned run's results are gone, and the commands that need them
        # say so; its statistics were kept, and a report of them reads them.
        for args in (["report", "--run", "2", "--domains"], ["diff", "2", "4"],
                     ["db", "export", "--run", "2"]):
            rc, out, err = posture(*args, "--db", db)
            self.assertEqual(rc, 2, args)
            self.assertIn("pruned", err, args)
        rc, kept, err = posture("report", "--run", "2", "--format", "csv", "--db", db)
        self.assertEqual(rc, 0, err)
        rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(kept))
                if r["view"] == "domain"}
        self.assertEqual(rows["results"]["count"], str(len(NIGHTLY)))
        # The kept run reads whole, and the database checks clean.
        self.assertEqual(sorted(stored_results(db, 4)), sorted(NIGHTLY))
        rc, out, err = posture("db", "check", "--db", db)
        self.assertEqual(rc, 0, out + err)
        rc, out, err = posture("db", "vacuum", "--db", db)
        self.assertEqual(rc, 0, err)
        self.assertIn("MiB ->", out)

    def test_changed_result_is_stored_again(self):
        """A result that changes between nights is a new row; the run's
        export carries the new JSON; the first night's row is kept."""
        db = os.path.join(self.tmp, "change.db")
        self.nights(db, ["2026-01-01T01:00:00Z", "2026-01-02T01:00:00Z"])
        # Make run 1's stored DMARC status of one domain differ, as if the
        # record had changed: run 3 (a scan now) is then a new row for it.
        self.sql(db, "UPDATE results SET dmarc_status = 'changed' WHERE run_id = 1"
                 " AND domain_id = (SELECT id FROM domains WHERE name = 'nop.dmarc.test')")
        rc, out, err = posture("scan", self.list, "--db", db, "--resolver", AUTH, "--json")
        self.assertIn(rc, (0, 1), err)
        j = json.loads(out)
        self.assertEqual((j["stored_new"], j["stored_unchanged"]), (1, len(NIGHTLY) - 1))
        self.assertEqual(self.sql(db, "SELECT d.name FROM results r JOIN domains d"
                                  " ON d.id = r.domain_id WHERE r.run_id = 3"),
                         [("nop.dmarc.test",)])
        rc, out, err = posture("db", "check", "--db", db, "--json")
        self.assertEqual(rc, 0, out + err)
        j = json.loads(out)
        self.assertEqual((j["results"], j["references"], j["stored"], j["problems"]),
                         (3 * len(NIGHTLY), 2 * len(NIGHTLY) - 1, len(NIGHTLY) + 1, 0))

    def test_mx_hosts_stored(self):
        """A scan stores the MX host names (by preference) and the CSV
        carries them."""
        db = os.path.join(self.tmp, "mx.db")
        lst = os.path.join(self.tmp, "mx.txt")
        with open(lst, "w", encoding="utf-8") as f:
            f.write("mx.bed.test\ngood.spf.test\n")
        rc, out, err = posture("scan", lst, "--db", db, "--resolver", AUTH, "--quiet")
        self.assertIn(rc, (0, 1), err)
        js = stored_results(db)
        self.assertEqual(js["mx.bed.test"]["mx"]["hosts"],
                         [{"host": "mail.bed.test", "preference": 10},
                          {"host": "mail2.bed.test", "preference": 20}])
        rc, out, err = posture("report", "--db", db, "--domains", "--format", "json")
        self.assertEqual(rc, 0, err)
        rows = {r["domain"]: r for r in json.loads(out)["domains"]}
        self.assertEqual(rows["mx.bed.test"]["mx_hosts"], "mail.bed.test mail2.bed.test")

    def test_usage(self):
        db = os.path.join(self.tmp, "usage.db")
        rc, out, err = posture("db", "prune", "--db", db)
        self.assertEqual(rc, 2)
        self.assertIn("--keep-days", err)
        rc, out, err = posture("db", "prune", "--db", db, "--keep-days", "3")
        self.assertEqual(rc, 2)
        self.assertIn("no such database", err)
        rc, out, err = posture("db", "export", "--db", db)
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main(verbosity=1)
