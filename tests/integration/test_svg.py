#!/usr/bin/env python3
"""Integration tests of `posture svg FILE` (no DNS: run inside the bed only
because run.sh runs every suite there).

The fixtures are tests/fixtures/svg/ (origins in its README); the verdicts
are those of tests/unit/test_svg.c, here checked through the command: exit
status, JSON shape, text output, and the file-reading limits.
"""
import hashlib
import json
import os
import subprocess
import tempfile
import unittest

import posturetest
from posturetest import POSTURE, codes

FIX = "tests/fixtures/svg"
HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" version="1.2" '
        'baseProfile="tiny-ps" viewBox="0 0 10 10"')


def run(*args, stdin=None):
    if stdin is None:
        return posturetest.run(*args, resolver=None)
    p = subprocess.run([POSTURE, *args], input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode()


def svg_json(path):
    rc, out, err = run("svg", path, "--json")
    try:
        return rc, json.loads(out), err
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON ({e}): {out!r} {err!r}")


class Tmp(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="posture-svg-")

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, data):
        path = os.path.join(self.dir.name, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path


class Fixtures(unittest.TestCase):
    # file, exit status, codes that must be there
    ROWS = [
        ("logos/fastmail-FM-good.svg", 0, set()),
        ("logos/login-gov-login-icon-bimi.svg", 0, set()),
        ("logos/grapheneos-bimi.svg", 0, set()),
        ("logos/spatie-bimi.svg", 0, set()),
        ("logos/seirdy-bimi.svg", 0, set()),
        ("logos/dotenvx-bimi.svg", 1, {"svg.schema"}),
        ("negative/twitter.svg", 1, {"svg.no_title", "svg.version", "svg.base_profile",
                                     "svg.not_square", "svg.schema"}),
        ("negative/corruptsvg.svg", 1, {"svg.no_title", "svg.script", "svg.doctype"}),
        ("negative/waffle-icon.svg", 1, {"svg.too_large", "svg.schema"}),
        ("negative/microsoft-edge.svg", 1, {"svg.no_title", "svg.schema"}),
        ("negative/php-alt.svg", 1, {"svg.title_not_first", "svg.not_square"}),
        ("negative/svg.svg", 1, {"svg.too_large", "svg.no_title"}),
    ]

    def test_rows(self):
        for name, status, must in self.ROWS:
            with self.subTest(name=name):
                path = os.path.join(FIX, name)
                rc, d, err = svg_json(path)
                self.assertEqual(rc, status, d)
                self.assertEqual(err, "")
                self.assertEqual(list(d), ["status", "bytes", "sha256", "findings"])
                self.assertEqual(d["status"], "valid" if status == 0 else "invalid")
                with open(path, "rb") as f:
                    data = f.read()
                self.assertEqual(d["bytes"], len(data))
                self.assertEqual(d["sha256"], hashlib.sha256(data).hexdigest())
                self.assertTrue(must <= codes(d), codes(d))
                for f in d["findings"]:
                    self.assertEqual(list(f), ["code", "severity", "message", "path", "fix"])
                    self.assertTrue(f["code"].startswith("svg."))
                    self.assertIn(f["severity"], ("error", "warning", "info"))
                    self.assertTrue(f["fix"])
                    if f["path"] is not None:
                        self.assertRegex(f["path"], r"^line [1-9][0-9]*$")

    def test_text(self):
        rc, out, err = run("svg", os.path.join(FIX, "negative/php-alt.svg"))
        self.assertEqual(rc, 1)
        first = out.splitlines()[0]
        with open(os.path.join(FIX, "negative/php-alt.svg"), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(first, "tests/fixtures/svg/negative/php-alt.svg  SVG Tiny PS invalid; "
                         "2871 bytes, sha256 " + digest)
        self.assertIn("ERROR   svg.title_not_first: <title> is not the first child element",
                      out)
        self.assertIn("at line 6", out)
        self.assertIn("fix: Move <title> so that it is the first child element", out)
        # Errors are listed before warnings.
        self.assertLess(out.index("svg.title_not_first"), out.index("svg.not_square"))

    def test_valid_text(self):
        rc, out, err = run("svg", os.path.join(FIX, "logos/seirdy-bimi.svg"))
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("SVG Tiny PS valid; 1724 bytes", out)
        self.assertNotIn("findings:", out)


class Hostile(Tmp):
    def test_xxe(self):
        path = self.write("xxe.svg", '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                          + HEAD + "><title>&x;</title></svg>")
        rc, d, err = svg_json(path)
        self.assertEqual((rc, err), (1, ""))
        self.assertEqual([f["code"] for f in d["findings"]], ["svg.entities"])
        self.assertNotIn("root:", json.dumps(d))

    def test_ten_mib(self):
        path = self.write("big.svg", HEAD + "><title>t</title><desc>" + "a" * (10 << 20)
                          + "</desc></svg>")
        size = os.path.getsize(path)
        rc, d, err = svg_json(path)
        self.assertEqual(rc, 1)
        self.assertIn("larger than 1048576 bytes", err)
        self.assertEqual(len(err.splitlines()), 1)
        self.assertEqual((d["status"], d["bytes"], d["sha256"]), ("invalid", size, None))
        self.assertEqual([f["code"] for f in d["findings"]], ["svg.too_large"])

    def test_garbage(self):
        path = self.write("junk.svg", bytes(range(256)) * 16)
        rc, d, err = svg_json(path)
        self.assertEqual((rc, err, d["status"]), (1, "", "invalid"))
        self.assertEqual(codes(d), {"svg.not_xml"})

    def test_root_xy_text_is_safe(self):
        # A name with bytes a terminal would act on never reaches it raw.
        path = self.write("xy.svg", HEAD + ' x="1"><title>t</title>'
                          '<use href="http://e.example/\u202e"/></svg>')
        rc, out, err = run("svg", path)
        self.assertEqual(rc, 1)
        self.assertIn("svg.root_xy", out)
        self.assertIn('href="http://e.example/???" on <use> refers outside the logo', out)
        self.assertNotIn("\u202e", out)
        self.assertNotIn("\x1b", out)

    def test_stdin(self):
        data = (HEAD + "><title>t</title></svg>").encode()
        rc, out, err = run("svg", "-", "--json", stdin=data)
        self.assertEqual(rc, 0, err)
        d = json.loads(out)
        self.assertEqual((d["status"], d["bytes"], d["findings"]), ("valid", len(data), []))
        self.assertEqual(d["sha256"], hashlib.sha256(data).hexdigest())


class Cli(Tmp):
    def test_missing_file(self):
        rc, out, err = run("svg", os.path.join(self.dir.name, "nope.svg"))
        self.assertEqual((rc, out), (2, ""))
        self.assertEqual(len(err.splitlines()), 1)
        self.assertIn("cannot open", err)
        self.assertIn("No such file or directory", err)

    def test_directory(self):
        rc, out, err = run("svg", self.dir.name)
        self.assertEqual(rc, 2)
        self.assertEqual(out, "")
        self.assertEqual(len(err.splitlines()), 1)
        self.assertIn("Is a directory", err)

    def test_usage(self):
        for args in (["svg"], ["svg", "--bogus"], ["svg", "a.svg", "b.svg"]):
            with self.subTest(args=args):
                rc, out, err = run(*args)
                self.assertEqual((rc, out), (2, ""))
                self.assertEqual(len(err.splitlines()), 1)
                self.assertIn("posture svg --help", err)

    def test_help(self):
        rc, out, err = run("svg", "--help")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("usage: posture svg FILE", out)
        self.assertIn("32 KiB", out)
        self.assertIn("Exit status", out)
        rc, out, err = run("--help")
        self.assertIn("svg ", out.split("Not implemented yet")[0])


if __name__ == "__main__":
    unittest.main(verbosity=1)
