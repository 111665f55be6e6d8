"""scripts/lint-arch.py, the architecture rules `make lint` enforces.

Three kinds of test. posture's own sources keep every rule. On a small
tree made here (one file a folder, a registry of one code) each rule is
broken once and the script must exit 1 naming that file, line and rule,
and the clean tree must pass (exit 0). On a copy of posture's own sources, the three violations issue 17 names
(a check file that includes sqlite3.h, a 151-line function, an
unregistered finding code) must each add exactly their own violation to
whatever the copy reports before planting. No DNS: the bed is not used.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LINT = os.path.join(ROOT, "scripts", "lint-arch.py")
PY = "/usr/bin/python3"
FOLDERS = ["scanner/util", "scanner/dns", "scanner/fetch", "scanner/spf", "scanner/dmarc",
           "scanner/bimi", "scanner/scan", "db", "reports", "cli"]


def run_lint(root):
    p = subprocess.run([PY, LINT, "--root", root], capture_output=True, text=True, timeout=120)
    return p.returncode, [line for line in p.stdout.splitlines() if not line.startswith("lint-arch:")]


def function(name, body_lines):
    """A C function whose body, braces included, is body_lines long."""
    inner = ["\tx++;"] * (body_lines - 2)
    return "\n".join([f"static int {name}(int x)", "{"] + inner[:-1] + ["\treturn x;", "}", ""])


class SmallTree(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lint-arch-")
        for d in FOLDERS:
            os.makedirs(os.path.join(self.tmp, d))
            self.write(f"{d}/README.md", "what it owns, what it may include\n")
        self.write("scanner/util/finding.h", "#include <stddef.h>\n")
        self.write("scanner/util/findings.def",
                   '/* FINDING(code, severity, meaning, fix) */\n'
                   'FINDING("spf.none", INFO, "No SPF record.", "Publish one.")\n')
        self.write("scanner/util/finding.c",
                   '#include "finding.h"\n#define FINDING(c, s, m, f) c,\n'
                   'static const char *codes[] = {\n#include "findings.def"\n};\n')
        self.write("scanner/spf/spf.h", '#include "finding.h"\n')
        self.write("scanner/spf/spf.c",
                   '#include "spf.h"\n#include <stdio.h>\n\n'
                   'static const char *code = "spf.none";\n' + function("spf_ok", 150))
        self.write("db/store.h", "#include <stdint.h>\n")
        self.write("db/store.c", '#include "store.h"\n#include <sqlite3.h>\n'
                   'static const char *q = "SELECT total FROM runs WHERE id = ?1";\n')
        self.write("scanner/scan/scan.c", '#include "spf.h"\n#include "store.h"\n')
        self.write("cli/output.h", "#include <jansson.h>\n")
        self.write("cli/main.c", '#include "output.h"\n#include "scan.h"\n')
        self.write("scanner/scan/scan.h", '#include "store.h"\n')

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, rel, text, mode="w"):
        with open(os.path.join(self.tmp, rel), mode, encoding="utf-8") as f:
            f.write(text)

    def assert_only(self, rule, where):
        rc, lines = run_lint(self.tmp)
        self.assertEqual(rc, 1, lines)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith(where), lines)
        self.assertIn(f": {rule}: ", lines[0])
        return lines[0]

    def test_clean_tree_passes(self):
        rc, lines = run_lint(self.tmp)
        self.assertEqual((rc, lines), (0, []))

    def test_check_including_sqlite(self):
        self.write("scanner/spf/spf.c", "#include <sqlite3.h>\n", "a")
        line = self.assert_only("third-party", "scanner/spf/spf.c:")
        self.assertIn("sqlite3", line)

    def test_check_including_the_driver_or_cli(self):
        self.write("scanner/spf/spf.c", '#include "scan.h"\n', "a")
        self.assert_only("layers", "scanner/spf/spf.c:")
        with open(os.path.join(self.tmp, "scanner/spf/spf.c"), encoding="utf-8") as f:
            text = f.read()
        self.write("scanner/spf/spf.c", text.replace('#include "scan.h"\n', '#include "output.h"\n'))
        line = self.assert_only("layers", "scanner/spf/spf.c:")
        self.assertIn("cli/output.h", line)

    def test_library_header_in_engine_header(self):
        self.write("scanner/spf/spf.h", "#include <jansson.h>\n", "a")
        self.assert_only("third-party", "scanner/spf/spf.h:2")

    def test_io_in_pure_check(self):
        self.write("scanner/spf/spf.c", "#include <sys/socket.h>\n", "a")
        self.assert_only("pure", "scanner/spf/spf.c:")

    def test_sql_outside_db(self):
        self.write("scanner/scan/scan.c", 'static const char *q = "SELECT done FROM runs";\n', "a")
        self.assert_only("sql", "scanner/scan/scan.c:3")

    def test_function_of_151_lines(self):
        self.write("scanner/spf/spf.c", function("too_long", 151), "a")
        line = self.assert_only("function-length", "scanner/spf/spf.c:")
        self.assertIn("too_long() is 151 lines", line)

    def test_unregistered_code(self):
        self.write("scanner/spf/spf.c", 'static const char *c2 = "spf.planted";\n', "a")
        line = self.assert_only("findings", "scanner/spf/spf.c:")
        self.assertIn('"spf.planted" is not in', line)

    def test_registered_code_nothing_emits(self):
        self.write("scanner/util/findings.def",
                   'FINDING("spf.orphan", ERROR, "Nothing emits it.", "None.")\n', "a")
        line = self.assert_only("findings", "scanner/util/findings.def:3")
        self.assertIn("nothing emits it", line)

    def test_code_in_comment_is_not_emitted(self):
        self.write("scanner/spf/spf.c", '/* "spf.planted" in a comment */\n', "a")
        rc, lines = run_lint(self.tmp)
        self.assertEqual((rc, lines), (0, []))

    def test_folder_without_readme(self):
        os.remove(os.path.join(self.tmp, "scanner/dns/README.md"))
        self.assert_only("folder-readme", "scanner/dns:")

    def test_folder_of_21_files(self):
        for i in range(21):
            self.write(f"scanner/dns/f{i}.c", "int x;\n")
        self.assert_only("folder-size", "scanner/dns:")


class PostureTree(unittest.TestCase):
    """posture's own tree keeps every rule (so make check, not only make
    lint, fails on an unregistered finding code or a registered one that
    nothing emits), and the three planted violations of issue 17, in a copy
    of the sources, are each caught."""

    def test_the_tree_itself_is_clean(self):
        rc, lines = run_lint(ROOT)
        self.assertEqual((rc, lines), (0, []))

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="lint-arch-tree-")
        for top in ("scanner", "cli", "db", "reports"):
            shutil.copytree(os.path.join(ROOT, top), os.path.join(cls.tmp, top),
                            ignore=shutil.ignore_patterns("*.o", "data"))
        cls.before = set(run_lint(cls.tmp)[1])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def plant(self, rel, text):
        path = os.path.join(self.tmp, rel)
        with open(path, encoding="utf-8") as f:
            keep = f.read()
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(text)
            rc, lines = run_lint(self.tmp)
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(keep)
        new = [line for line in lines if line not in self.before]
        self.assertEqual(rc, 1)
        self.assertEqual(len(new), 1, new)
        return new[0]

    def test_sqlite_in_a_check(self):
        line = self.plant("scanner/dmarc/dmarc.c", "\n#include <sqlite3.h>\n")
        self.assertRegex(line, r"^scanner/dmarc/dmarc\.c:\d+: third-party: <sqlite3\.h>")

    def test_151_line_function(self):
        line = self.plant("scanner/spf/spf.c", "\n" + function("planted_long", 151))
        self.assertRegex(line, r"^scanner/spf/spf\.c:\d+: function-length: planted_long\(\) is 151")

    def test_unregistered_finding_code(self):
        line = self.plant("scanner/bimi/bimi.c",
                          '\nstatic const char *planted = "bimi.planted_unregistered";\n')
        self.assertRegex(line, r'^scanner/bimi/bimi\.c:\d+: findings: "bimi\.planted_unregistered"')


if __name__ == "__main__":
    unittest.main()
