"""The man page and the bash completion (scripts/gen-man.py) against posture.

The checked-in man/posture.1 and completion/posture.bash must be what the
generator makes from the binary's --help now (else: run make man); the page
renders without a warning (groff -ww, man --warnings at 80 columns); bash
sources the completion and completes commands, sub-commands, options and
file arguments; and a stand-in binary with another command shows that a
new command needs nothing but regenerating. No DNS: the bed is not used.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from posturetest import POSTURE  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-man.py")
MAN = os.path.join(ROOT, "man", "posture.1")
COMPLETION = os.path.join(ROOT, "completion", "posture.bash")
PY = "/usr/bin/python3"

_spec = importlib.util.spec_from_file_location("gen_man", GEN)
gen_man = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen_man)


def generate(posture, *args):
    return subprocess.run([PY, GEN, "--posture", posture, *args], capture_output=True,
                          text=True, timeout=60)


def complete(script, *words):
    """What bash completes for the words (the last one is being typed)."""
    cmd = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _posture; '
           'printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["bash", "-c", cmd, "bash", script, *words], capture_output=True,
                       text=True, timeout=30, cwd=ROOT)
    if p.returncode != 0 or p.stderr:
        raise AssertionError("completion failed: %s" % p.stderr)
    return sorted(w for w in p.stdout.split("\n") if w)


# A posture after another branch's merge: a new command and a planned one.
FAKE = r'''#!/bin/sh
case "$*" in
"--help") cat <<'EOF'
usage: posture [global options] COMMAND [ARGS...]

posture audits things.

Commands:
  lookup    ask one DNS question
  report    statistics and tables from a run

Not implemented yet (they say so when called):
  history   one domain's results over time

Global options (anywhere on the line):
  --resolver HOST[:PORT]  ask this resolver
  --json                  machine-readable output

Exit status: 0 success, 1 problems found, 2 usage error,
3 posture itself failed.

Example:
  posture report --db audit.db
EOF
;;
"lookup --help") printf 'usage: posture lookup NAME [TYPE]\n\n.Dotted and \\back\n' ;;
"report --help") printf 'usage: posture report [--db FILE] [--format csv,md]\n       posture report chart RUN\n\n  --db FILE      the database\n  --format LIST  csv or md\n' ;;
*) echo "posture: not implemented yet" >&2; exit 3 ;;
esac
'''


class Man(unittest.TestCase):
    def test_in_sync(self):
        p = generate(POSTURE, "--check", "--man", MAN, "--completion", COMPLETION)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_check_says_run_make_man(self):
        with tempfile.TemporaryDirectory() as d:
            stale = os.path.join(d, "posture.1")
            with open(MAN) as f, open(stale, "w") as g:
                g.write(f.read().replace(".SH EXAMPLES", ".SH EXAMPLE"))
            p = generate(POSTURE, "--check", "--man", stale)
            self.assertEqual(p.returncode, 1)
            self.assertIn("run make man", p.stderr)
            p = generate(POSTURE, "--check", "--completion", os.path.join(d, "missing"))
            self.assertEqual(p.returncode, 1)

    def test_renders_without_warnings(self):
        p = subprocess.run(["groff", "-man", "-ww", "-z", MAN], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
        p = subprocess.run(["man", "--warnings", "-l", MAN], capture_output=True, text=True,
                           timeout=30, env=env)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        text = p.stdout
        for head in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "GLOBAL OPTIONS",
                     "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"):
            self.assertIn("\n%s\n" % head, text)
        self.assertTrue(all(len(line) <= 80 for line in text.split("\n")))
        # Every command with a --help has its subsection, with its help.
        cmds = gen_man.read(POSTURE)[1]
        self.assertIn("scan", [c.name for c in cmds])
        for c in cmds:
            self.assertIn("\n   %s\n" % c.name, text)
        self.assertIn("--vmc-roots FILE", text)
        self.assertIn("NO_COLOR", text)
        for line in ("0      success", "3      posture itself failed"):
            self.assertIn(line, text)

    def test_roff_escaping(self):
        esc = gen_man.esc
        self.assertEqual(esc(".SH not a macro"), "\\&.SH not a macro")
        self.assertEqual(esc("'quoted"), "\\&'quoted")
        self.assertEqual(esc("a\\b --db"), "a\\eb \\-\\-db")
        self.assertEqual(esc("x \u2192 y"), "x \\[u2192] y")
        self.assertEqual(esc("mid.dle"), "mid.dle")

    def test_new_commands_need_only_regeneration(self):
        with tempfile.TemporaryDirectory() as d:
            fake = os.path.join(d, "posture")
            with open(fake, "w") as f:
                f.write(FAKE)
            os.chmod(fake, 0o755)
            man, comp = os.path.join(d, "p.1"), os.path.join(d, "p.bash")
            p = generate(fake, "--man", man, "--completion", comp)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(man) as f:
                page = f.read()
            self.assertIn(".SS report", page)
            self.assertNotIn(".SS history", page)  # refuses --help: not built yet
            self.assertIn("\\&.Dotted and \\eback", page)
            p = subprocess.run(["groff", "-man", "-ww", "-z", man], capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(p.stderr, "")
            self.assertEqual(complete(comp, "posture", "re"), ["report"])
            self.assertEqual(complete(comp, "posture", "report", "c"), ["chart"])
            self.assertEqual(complete(comp, "posture", "report", "--f"), ["--format"])
            self.assertEqual(complete(comp, "posture", "h"), [])


class Completion(unittest.TestCase):
    def test_commands(self):
        self.assertEqual(complete(COMPLETION, "posture", "sc"), ["scan"])
        self.assertEqual(complete(COMPLETION, "posture", "s"), ["scan", "spf", "svg"])
        self.assertEqual(complete(COMPLETION, "posture", "--resolver", "127.0.0.1", "vm"),
                         ["vmc"])
        self.assertEqual(complete(COMPLETION, "posture", "--json", "d"), ["db", "diff", "dkim",
                                                                     "dmarc", "dnssec"])
        self.assertIn("--resolver", complete(COMPLETION, "posture", "--"))

    def test_subcommands_and_options(self):
        self.assertEqual(complete(COMPLETION, "posture", "spf", "e"), ["eval"])
        self.assertEqual(complete(COMPLETION, "posture", "db", "m"), ["merge"])
        self.assertEqual(complete(COMPLETION, "posture", "spf", "eval", "--i"), ["--ip"])
        self.assertEqual(complete(COMPLETION, "posture", "scan", "--d"), ["--db"])
        self.assertEqual(complete(COMPLETION, "posture", "vmc", "--vmc"), ["--vmc-roots"])
        self.assertIn("--timeout", complete(COMPLETION, "posture", "scan", "--t"))
        # After an option that takes a value, no option or file is offered.
        self.assertEqual(complete(COMPLETION, "posture", "scan", "--qps", ""), [])

    def test_files(self):
        self.assertEqual(complete(COMPLETION, "posture", "vmc", "x.pem", "--vmc-roots",
                                  "lists/vmc-roots/"),
                         sorted("lists/vmc-roots/" + f for f in os.listdir(
                             os.path.join(ROOT, "lists", "vmc-roots"))))
        self.assertIn("README.md", complete(COMPLETION, "posture", "scan", "READ"))

    def test_bash_completion_loads(self):
        # As bash-completion loads it: sourced, then `complete -p` knows it.
        p = subprocess.run(["bash", "-c", 'source "$1" && complete -p posture', "bash",
                            COMPLETION], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("-F _posture", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=1)
