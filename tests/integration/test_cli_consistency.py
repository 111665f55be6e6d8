"""One command line (issue 20, item 9, and the domain rule of item 8).

- A mistyped command or option gets "did you mean" (edit distance, as
  git does), on the one line of the usage error.
- posture help COMMAND prints what posture COMMAND --help prints.
- Every command words an option it does not know the same way:
  "posture: unknown option 'X' (see 'posture C --help')", exit 2.
- An input file that cannot be read is exit 2 (usage) in every command,
  and a database that is not there is never made by reading it.
- An email address or a URL given where a domain is asked for stands for
  its domain, on the command line (with a note) and in a scan list (with
  a warning naming the line).
Runs on the main bed (tests/zones).
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from posturetest import AUTH, POSTURE, stored_results

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMMANDS = ["check", "bimi", "lookup", "spf", "dmarc", "svg", "scan", "runs", "db", "report",
            "diff", "history", "vmc"]


def posture(*args, resolver=None):
    cmd = [POSTURE, *args] + (["--resolver", resolver] if resolver else [])
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTURE_")}
    p = subprocess.run(cmd, capture_output=True, timeout=60, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class CliConsistency(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="posture-cli-")
        cls.missing = os.path.join(cls.tmp, "missing")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def usage_line(self, args, want):
        """posture ARGS exits 2 with exactly one line on stderr, equal to want."""
        rc, out, err = posture(*args)
        self.assertEqual((rc, out), (2, ""), args)
        self.assertEqual(err, want + "\n", args)

    # -- did you mean -----------------------------------------------------------

    def test_did_you_mean(self):
        cases = [
            (["chekc", "x.test"],
             "posture: unknown command 'chekc'; did you mean 'check'? (see 'posture --help')"),
            (["lokup", "x.test"],
             "posture: unknown command 'lokup'; did you mean 'lookup'? (see 'posture --help')"),
            (["frobnicate"], "posture: unknown command 'frobnicate' (see 'posture --help')"),
            (["--jsno", "check"],
             "posture: unknown option '--jsno'; did you mean '--json'? (see 'posture --help')"),
            (["check", "x.test", "--selctor", "b"],
             "posture: unknown option '--selctor'; did you mean '--selector'? "
             "(see 'posture check --help')"),
            (["bimi", "x.test", "--no-fecth"],
             "posture: unknown option '--no-fecth'; did you mean '--no-fetch'? "
             "(see 'posture bimi --help')"),
            (["check", "x.test", "--expiry-wran", "9"],
             "posture: unknown option '--expiry-wran'; did you mean '--expiry-warn'? "
             "(see 'posture check --help')"),
            (["report", "--fromat", "csv"],
             "posture: unknown option '--fromat'; did you mean '--format'? "
             "(see 'posture report --help')"),
            (["scan", "l.txt", "--lable", "x"],
             "posture: unknown option '--lable'; did you mean '--label'? "
             "(see 'posture scan --help')"),
            (["diff", "--lates"],
             "posture: unknown option '--lates'; did you mean '--latest'? "
             "(see 'posture diff --help')"),
            (["db", "chekc"],
             "posture: unknown subcommand 'chekc'; did you mean 'check'? "
             "(see 'posture db --help')"),
            (["help", "chekc"],
             "posture: unknown command 'chekc'; did you mean 'check'? (see 'posture --help')"),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                self.usage_line(args, want)

    # -- posture help COMMAND ----------------------------------------------------------

    def test_help_command(self):
        for c in COMMANDS:
            with self.subTest(command=c):
                a = posture("help", c)
                b = posture(c, "--help")
                self.assertEqual(a[0], 0)
                self.assertEqual(a, b)
                self.assertTrue(a[1].startswith("usage: posture " + c), a[1][:80])
        self.assertEqual(posture("help"), posture("--help"))
        self.assertEqual(posture("help")[0], 0)
        self.assertIn("posture help COMMAND", posture("--help")[1])

    # -- one wording for unknown options ---------------------------------------------------

    def test_unknown_option_wording(self):
        cases = [("lookup", ["x.test"]), ("spf", ["x.test"]), ("spf", ["eval"]),
                 ("dmarc", ["x.test"]), ("svg", ["f.svg"]), ("vmc", ["f.pem"]),
                 ("bimi", ["x.test"]), ("check", ["x.test"]), ("scan", ["l.txt"]),
                 ("runs", []), ("db", ["merge"]), ("db", ["check"]), ("db", ["prune"]),
                 ("db", ["vacuum"]), ("db", ["export"]), ("report", []), ("diff", []),
                 ("history", ["x.test"])]
        for cmd, before in cases:
            args = [cmd, *before, "--bogus"]
            with self.subTest(args=args):
                self.usage_line(args, "posture: unknown option '--bogus' "
                                      "(see 'posture %s --help')" % cmd)
        # Before the positional argument too.
        for cmd in ("lookup", "spf", "dmarc", "svg", "vmc", "check", "history"):
            with self.subTest(cmd=cmd):
                self.usage_line([cmd, "--bogus", "x.test"], "posture: unknown option '--bogus' "
                                                            "(see 'posture %s --help')" % cmd)
        # A known option without its value says so, not "unknown".
        for args in (["scan", "l.txt", "--db"], ["db", "export", "-o"],
                     ["db", "prune", "--keep-days"], ["report", "--db"],
                     ["check", "x.test", "--selector"]):
            with self.subTest(args=args):
                rc, out, err = posture(*args)
                self.assertEqual(rc, 2)
                self.assertIn("%s needs a value" % args[-1], err)
        # A word where none is taken is an unexpected argument.
        rc, out, err = posture("spf", "a.test", "b.test")
        self.assertEqual(rc, 2)
        self.assertIn("unexpected argument 'b.test'", err)

    # -- an input file that cannot be read: exit 2 everywhere ----------------------------------

    def test_missing_input_files(self):
        m = self.missing
        db = os.path.join(self.tmp, "never.db")
        pem = os.path.join(ROOT, "tests", "fixtures", "vmc", "valimail-2024.pem")
        cases = [
            ["svg", m + ".svg"],
            ["vmc", m + ".pem"],
            ["vmc", pem, "--vmc-roots", m],
            ["vmc", pem, "--svg", m],
            ["bimi", "bimi.test", "--vmc-roots", m],
            ["check", "bimi.test", "--vmc-roots", m],
            ["check", "bimi.test", "--ca-file", m],
            ["check", "bimi.test", "--ca-file", self.tmp],  # a directory
            ["scan", m + ".txt", "--db", db],
            ["scan", os.path.join(ROOT, "lists", "tranco-sample.txt"), "--db", db, "--vmc-roots",
             m],
            ["runs", "--db", db],
            ["report", "--db", db],
            ["diff", "1", "2", "--db", db],
            ["history", "good.spf.test", "--db", db],
            ["db", "check", "--db", db],
            ["db", "export", "--db", db],
            ["db", "prune", "--db", db, "--keep-days", "1"],
            ["db", "merge", os.path.join(self.tmp, "out.db"), m + ".db"],
        ]
        for args in cases:
            with self.subTest(args=args):
                rc, out, err = posture(*args, resolver=AUTH if args[0] in ("bimi", "check")
                                       else None)
                self.assertEqual(rc, 2, err)
                self.assertTrue(err.startswith("posture: "), err)
                self.assertTrue(m in err or db in err or self.tmp in err, err)
                # Reading never makes the database it names.
                self.assertFalse(os.path.exists(db), args)

    # -- the domain rule, on the line and in a list ---------------------------------------------

    def test_domain_forms(self):
        for cmd in ("spf", "dmarc"):
            with self.subTest(cmd=cmd):
                a = posture(cmd, "good.spf.test", "--json", resolver=AUTH)
                b = posture(cmd, "postmaster@good.spf.test", "--json", resolver=AUTH)
                self.assertEqual(a[0], b[0])
                self.assertEqual(json.loads(a[1]), json.loads(b[1]))
                self.assertEqual(b[2], "posture: note: 'postmaster@good.spf.test' is an email "
                                       "address: taking its domain good.spf.test\n")
        rc, out, err = posture("lookup", "http://good.spf.test/index.html", resolver=AUTH)
        self.assertEqual(rc, 0, err)
        self.assertIn("v=spf1", out)
        self.assertIn("is a URL: taking its domain good.spf.test", err)

    def test_scan_list_forms(self):
        lst = os.path.join(self.tmp, "forms.txt")
        db = os.path.join(self.tmp, "forms.db")
        with open(lst, "w") as f:
            f.write("good.spf.test\n"
                    "dmarc@plusall.spf.test\n"
                    "https://loop.spf.test/about\n"
                    "nobody@\n")
        rc, out, err = posture("scan", lst, "--db", db, "--checks", "spf", "--quiet",
                               resolver=AUTH)
        self.assertEqual(rc, 0, err)
        self.assertIn("forms.txt:2: warning: \"dmarc@plusall.spf.test\" is an email address: "
                      "scanning its domain plusall.spf.test", err)
        self.assertIn("forms.txt:3: warning: \"https://loop.spf.test/about\" is a URL: "
                      "scanning its domain loop.spf.test", err)
        self.assertIn("forms.txt:4: \"nobody@\": an email address or URL without a domain "
                      "(skipped)", err)
        self.assertEqual(sorted(stored_results(db)),
                         ["good.spf.test", "loop.spf.test", "plusall.spf.test"])
        # history takes its domain the same way.
        rc, out, err = posture("history", "https://good.spf.test/", "--db", db, "--json")
        self.assertEqual(rc, 0, err)
        self.assertIn("taking its domain good.spf.test", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
