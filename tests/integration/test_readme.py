"""Every posture command of the documentation, run as written against the demo world.

README.md and doc/*.md promise that their examples run in `make demo-shell`.
This suite keeps that promise honest: it serves the demo world
(scripts/gen-demo.py) on a bed of its own, sets the environment make
demo-shell sets (POSTURE_RESOLVER, POSTURE_CA_FILE, POSTURE_CONNECT_TO,
POSTURE_VMC_ROOTS, and PATH with the posture under test first), and runs
each file's commands in a working directory laid out like a checkout after
`make demo` and `make report-demo`: build/demo-world, demo/demo.db (two
scans of the demo list, runs 1 and 2, as make demo leaves it),
build/report-demo/fixture.db (the report fixture). Every file gets a fresh
copy of that directory, README.md first, then doc/*.md in name order, and
its commands run there in the file's order, so a command may use what an
earlier one of the same file wrote, never what another file did.

Which lines are commands: in every fenced code block, the lines starting
with `$ posture ` when the block shows a prompt (the rest is output), else
the lines starting with `posture `, each joined with its `\\` continuation
lines. A block is skipped when the last non-blank line before it is an
HTML comment saying "not run" (the real-world examples: the system
resolver, cron, systemd, Kubernetes, Slurm). Each command runs under bash
and passes when it exits 0 or 1 (1 is posture's "problems found") and says
something: on standard output, or in the file its `-o` names. A failure
names the file and the line of the command.

Then the acceptance checks of issue 8: `posture check` on the ready
showcase exits 0 with every readiness item "pass", on a broken one exits 1
with a fix for each failing item; and scripts/demo.sh (make demo without
the package and build steps) runs end to end into a directory of its own.
"""
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from posturetest import POSTURE, demo_bed_start, demo_bed_stop

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
README = os.path.join(ROOT, "README.md")
# README.md first, then every doc/*.md in name order.
DOCS = [README] + sorted(glob.glob(os.path.join(ROOT, "doc", "*.md")))
READY = "kestrel-foods.test"
BROKEN = "foxglove-insurance.test"


def readme_commands(text):
    """[(line number, command)] of a Markdown file's runnable posture commands."""
    out = []
    lines = text.split("\n")
    in_block, skip, block, prev = False, False, [], ""
    for n, line in enumerate(lines, 1):
        if line.startswith("```"):
            if not in_block:
                in_block, skip, block = True, "not run" in prev and prev.startswith("<!--"), []
            else:
                in_block, prev = False, line  # a closing fence is the line before the next
                if not skip:
                    out += block_commands(block)
            continue
        if in_block:
            block.append((n, line))
        elif line.strip():
            prev = line.strip()
    return out


def block_commands(block):
    prompt = any(line.startswith("$ ") for _, line in block)
    out, cur, start = [], None, 0
    for n, line in block:
        if cur is not None:
            cur += " " + line.strip()
        elif prompt and line.startswith("$ posture "):
            cur, start = line[2:], n
        elif not prompt and line.startswith("posture "):
            cur, start = line, n
        else:
            continue
        if cur.endswith("\\"):
            cur = cur[:-1].rstrip()
            continue
        out.append((start, cur))
        cur = None
    return out


def doc_commands():
    """[(file relative to the top, [(line number, command)])] of every file
    in DOCS, in order."""
    out = []
    for path in DOCS:
        with open(path) as f:
            out.append((os.path.relpath(path, ROOT), readme_commands(f.read())))
    return out


def output_file(cmd):
    """The file a command's -o names, or None."""
    words = shlex.split(cmd, comments=True)
    for i, w in enumerate(words[:-1]):
        if w == "-o":
            return words[i + 1]
    return None


class Readme(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="posture-readme-")
        cls.world, cls.bed, bed = demo_bed_start(cls.tmp)
        # What make demo-shell sets (scripts/demo-env.sh).
        cls.env = dict(os.environ, NO_COLOR="1",
                       PATH=os.path.dirname(POSTURE) + os.pathsep + os.environ["PATH"],
                       POSTURE_RESOLVER=bed["BED_AUTH"], POSTURE_CA_FILE=bed["BED_CA"],
                       POSTURE_CONNECT_TO="::" + bed["BED_HTTPS"],
                       POSTURE_VMC_ROOTS=os.path.join(cls.world, "vmc-roots.pem"),
                       POSTURE_DEMO_WORLD=cls.world)
        try:
            cls.work = cls.layout()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def layout(cls):
        """A working directory as a checkout looks after make demo and
        make report-demo, without the bulky parts. It is the template each
        file's copy starts from; the tests that only read run in it."""
        work = os.path.join(cls.tmp, "work")
        os.makedirs(os.path.join(work, "build", "report-demo"))
        os.makedirs(os.path.join(work, "demo"))
        os.symlink(cls.world, os.path.join(work, "build", "demo-world"))
        for d in ("tests", "lists", "scripts"):
            os.symlink(os.path.join(ROOT, d), os.path.join(work, d))
        p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "tests", "fixtures", "report",
                                                             "load.py"),
                            POSTURE, os.path.join(work, "build", "report-demo", "fixture.db")],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        # make demo's two runs: the scan, then the next night's.
        for label in ("demo", "nightly"):
            p = subprocess.run(["posture", "scan", "build/demo-world/companies.csv", "--db",
                                "demo/demo.db", "--label", label], cwd=work, env=cls.env,
                               capture_output=True, text=True, timeout=120)
            assert p.returncode == 0, p.stdout + p.stderr
        return work

    @classmethod
    def copy_of_layout(cls, name):
        """A fresh copy of the template for one file's commands."""
        dest = os.path.join(cls.tmp, "work-" + re.sub(r"[^A-Za-z0-9]+", "-", name))
        shutil.copytree(cls.work, dest, symlinks=True)
        return dest

    @classmethod
    def tearDownClass(cls):
        demo_bed_stop(cls.tmp)

    def sh(self, cmd, timeout=120, cwd=None):
        p = subprocess.run(["bash", "-c", cmd], cwd=cwd or self.work, env=self.env,
                           capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8",
                                                                                  "replace")

    def test_extraction(self):
        # The extractor finds the examples of every file, and skips the
        # real-world ones.
        docs = doc_commands()
        self.assertEqual(docs[0][0], "README.md")
        self.assertIn("doc/commands.md", [f for f, _ in docs])
        cmds = [c for _, fc in docs for _, c in fc]
        self.assertGreater(len(dict(docs)["README.md"]), 10, docs[0])
        self.assertGreater(len(cmds), 40, cmds)
        for sub in ("lookup", "spf", "spf eval", "dmarc", "svg", "vmc", "bimi", "check", "scan",
                    "runs", "db merge", "db check", "report", "diff", "history"):
            self.assertTrue(any(c.startswith("posture %s " % sub) for c in cmds), sub)
        real = ("nikkei225", "SLURM", "global.toyota", "tranco")
        self.assertFalse([c for c in cmds if any(r in c for r in real)], cmds)
        self.assertEqual(block_commands([(1, "$ posture a \\"), (2, "  --b c"), (3, "out")]),
                         [(1, "posture a --b c")])
        # Only the block right after the marker is skipped.
        skipped = readme_commands("x\n<!-- example: real-world, not run -->\n"
                                  "```sh\nposture a\n```\n```sh\nposture b\n```\n")
        self.assertEqual(skipped, [(7, "posture b")])

    def test_every_example_runs(self):
        for name, cmds in doc_commands():
            work = self.copy_of_layout(name)
            for line, cmd in cmds:
                where = "%s line %d" % (name, line)
                with self.subTest(file=name, line=line, cmd=cmd):
                    rc, out, err = self.sh(cmd, cwd=work)
                    self.assertIn(rc, (0, 1), "%s: %s\n%s%s" % (where, cmd, out, err))
                    target = output_file(cmd)
                    if target is not None:
                        path = os.path.join(work, target)
                        self.assertTrue(os.path.isfile(path) and os.path.getsize(path) > 0,
                                        "%s wrote nothing to %s" % (where, target))
                    else:
                        self.assertTrue(out.strip(), "%s printed nothing: %s\n%s"
                                        % (where, cmd, err))

    def test_ready_domain_all_green(self):
        rc, out, err = self.sh("posture check %s --json" % READY)
        self.assertEqual(rc, 0, out + err)
        js = json.loads(out)
        self.assertTrue(js["ready"])
        items = js["bimi"]["readiness"]
        self.assertEqual(len(items), 11)  # the last is dkim (a key at google._domainkey)
        self.assertEqual({i["item"]: i["status"] for i in items},
                         {i["item"]: "pass" for i in items})
        self.assertEqual(js["problems"], [])

    def test_broken_domain_names_each_fix(self):
        rc, out, err = self.sh("posture check %s --json" % BROKEN)
        self.assertEqual(rc, 1, out + err)
        js = json.loads(out)
        self.assertFalse(js["ready"])
        failing = [i for i in js["bimi"]["readiness"] if i["status"] == "fail"]
        self.assertEqual(sorted(i["item"] for i in failing),
                         ["dmarc_org_policy", "dmarc_policy", "dmarc_subdomain"])
        for i in failing:
            self.assertTrue(i["fix"], i)
        # The text screen names them too.
        rc, out, _ = self.sh("posture check %s" % BROKEN)
        self.assertEqual(rc, 1)
        for i in failing:
            self.assertIn(i["fix"], out)

    def test_make_demo_script(self):
        # scripts/demo.sh is make demo after deps.sh and the build: the
        # same world, its own bed and output directory, nothing left behind.
        out_dir = os.path.join(self.tmp, "demo-out")
        env = {k: v for k, v in os.environ.items() if not k.startswith("POSTURE_")}
        env.update(DEMO_OUT=out_dir, DEMO_WORLD=self.world)
        build = os.path.relpath(os.path.dirname(POSTURE), ROOT)
        # In a session of its own: what demo.sh starts (the bed's servers,
        # posture) is known by that session's id, not by its name, which
        # another demo or test on the machine may share.
        p = subprocess.Popen([os.path.join(ROOT, "scripts", "demo.sh"), build], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
        try:
            out, err = p.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGTERM)
            p.communicate()
            raise
        self.assertEqual(p.returncode, 0, (out + err)[-3000:])
        self.assertRegex(out, r"make demo: done in \d+\.\d s")
        self.assertIn("dmarc_enforced", out)  # the statistics were printed
        for f in ("demo.db", "report.csv", "stats.csv", "report.html", "report.png"):
            self.assertGreater(os.path.getsize(os.path.join(out_dir, f)), 0, f)
        with open(os.path.join(out_dir, "report.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        with open(os.path.join(out_dir, "report.csv")) as f:
            self.assertEqual(len(f.read().splitlines()), 319)  # header + 318 domains
        # bed.sh run stopped its servers: none of the processes demo.sh
        # started is left (only this test's own, by session; a zombie
        # not yet reaped by init is gone for every purpose).
        left = session_processes(p.pid)
        deadline = time.monotonic() + 10
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = session_processes(p.pid)
        self.assertEqual(left, [])


def session_processes(sid):
    """[(pid, command line)] of the live processes of session sid: the
    processes a test started with start_new_session=True and their
    descendants, whoever else runs on the machine."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                args = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:
            continue  # gone meanwhile
        # After "(comm)": state, ppid, pgrp, session (proc(5)).
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            out.append((int(pid), args))
    return out


if __name__ == "__main__":
    unittest.main(verbosity=1)
