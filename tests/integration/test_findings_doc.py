"""doc/findings.md against the registry it is generated from.

The checked-in page must be what scripts/gen-findings.py makes from
scanner/util/findings.def now (else: run make findings-doc); its tables
hold every registered code once, in the right section, with the
registry's severity; a stale page, a malformed registry and table-breaking
text are caught. No DNS: the bed is not used.
"""
import importlib.util
import os
import re
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-findings.py")
DEF = os.path.join(ROOT, "scanner", "util", "findings.def")
DOC = os.path.join(ROOT, "doc", "findings.md")
PY = "/usr/bin/python3"

_spec = importlib.util.spec_from_file_location("gen_findings", GEN)
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


def run(*args):
    return subprocess.run([PY, GEN, *args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)


def cells(row):
    """The cells of a Markdown table row, split at unescaped '|'."""
    parts = re.split(r"(?<!\\)\|", row.strip())
    return [c.strip() for c in parts[1:-1]]


def rows(text):
    """{code: (section, severity, meaning, fix)} from the page's tables."""
    out, section = {}, None
    for line in text.split("\n"):
        if line.startswith("## "):
            section = line[3:]
        m = re.match(r"^\| `([a-z0-9_.]+)` \|", line)
        if m and section is not None:
            c = cells(line)
            if len(c) != 4:
                raise AssertionError("row of %s has %d cells" % (m.group(1), len(c)))
            if m.group(1) in out:
                raise AssertionError("%s listed twice" % m.group(1))
            out[m.group(1)] = (section, c[1], c[2], c[3])
    return out


def registry():
    with open(DEF, encoding="utf-8") as f:
        return gen.parse(f.read())


def page():
    with open(DOC, encoding="utf-8") as f:
        return f.read()


GOOD = '''/* a test registry */
FINDING("spf.a_code", ERROR,
        "Meaning with a | pipe, <b>tags</b> and "
        "a \\"quote\\".",
        "Fix it.")
FINDING("vmc.b_code", INFO,
        "Other meaning.",
        "Other fix; see https://example.test/a//b.")
'''


class FindingsDoc(unittest.TestCase):
    def test_in_sync(self):
        p = run("--check")
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_check_says_run_make_findings_doc(self):
        with tempfile.TemporaryDirectory() as d:
            stale = os.path.join(d, "findings.md")
            with open(stale, "w", encoding="utf-8") as f:
                f.write(page().replace("| error |", "| warning |", 1))
            p = run("--check", "--out", stale)
            self.assertEqual(p.returncode, 1)
            self.assertIn("run make findings-doc", p.stderr)
            p = run("--check", "--out", os.path.join(d, "missing.md"))
            self.assertEqual(p.returncode, 1)
            # Writing makes it pass, and --check writes nothing.
            self.assertFalse(os.path.exists(os.path.join(d, "missing.md")))
            self.assertEqual(run("--out", stale).returncode, 0)
            self.assertEqual(run("--check", "--out", stale).returncode, 0)

    def test_concrete_rows(self):
        r = rows(page())
        self.assertEqual(r["spf.include_no_record"][:2], ("SPF", "error"))
        self.assertIn("RFC 7208 5.2", r["spf.include_no_record"][2])
        self.assertEqual(r["dmarc.no_rua"][:2], ("DMARC", "info"))
        self.assertEqual(r["bimi.unknown_tag"][:2], ("BIMI record", "warning"))
        self.assertEqual(r["svg.not_square"][:2], ("SVG logo", "warning"))
        self.assertEqual(r["vmc.expired"][:2], ("VMC", "error"))
        # Sometimes reported lower: the meaning says so.
        self.assertEqual(r["dmarc.missing_p"][1], "error")
        self.assertIn("warning", r["dmarc.missing_p"][2])
        self.assertEqual(r["vmc.no_mark_type"][1], "warning")
        self.assertIn("info instead", r["vmc.no_mark_type"][2])
        # Escaped for Markdown: no raw markup from the registry text.
        self.assertIn("&lt;script&gt;", r["svg.script"][2])
        self.assertIn("on\\* event", r["svg.script"][2])

    def test_every_code_once_with_its_severity(self):
        reg = registry()
        r = rows(page())
        self.assertGreater(len(reg), 100)
        self.assertEqual(sorted(r), [e[0] for e in reg])
        titles = {"spf": "SPF", "dmarc": "DMARC", "dkim": "DKIM key", "bimi": "BIMI record",
                  "svg": "SVG logo", "vmc": "VMC", "report": "Receivers' reports",
                  "headers": "Received messages", "mta_sts": "MTA-STS", "tls_rpt": "TLS-RPT",
                  "dane": "DANE for MX", "dnssec": "DNSSEC"}
        for code, sev, _, _ in reg:
            self.assertEqual(r[code][:2], (titles[code.split(".")[0]], sev), code)
        heads = re.findall(r"^## (.*)$", page(), re.M)
        self.assertEqual(heads, ["SPF", "DMARC", "DKIM key", "BIMI record", "SVG logo", "VMC",
                                 "Receivers' reports", "Received messages", "MTA-STS",
                                 "TLS-RPT", "DANE for MX", "DNSSEC"])

    def test_parse_and_escape(self):
        e = gen.parse(GOOD)
        self.assertEqual(e[0], ("spf.a_code", "error",
                                'Meaning with a | pipe, <b>tags</b> and a "quote".', "Fix it."))
        self.assertEqual(e[1][3], "Other fix; see https://example.test/a//b.")
        text = gen.render(e)
        r = rows(text)
        self.assertEqual(r["spf.a_code"][2],
                         "Meaning with a \\| pipe, &lt;b&gt;tags&lt;/b&gt; and a \"quote\".")
        self.assertEqual(gen.md("a_b *c* [d] `e` \\ & f"),
                         "a\\_b \\*c\\* \\[d\\] \\`e\\` \\\\ &amp; f")

    def test_bad_registry_refused(self):
        bad = {
            "unsorted": GOOD.replace("spf.a_code", "zzz.a_code").replace("vmc.b_code",
                                                                         "spf.b_code"),
            "duplicate": GOOD.replace("vmc.b_code", "spf.a_code"),
            "severity": GOOD.replace("INFO", "NOTICE"),
            "code": GOOD.replace("vmc.b_code", "vmc.B-code"),
            "macro": GOOD.replace('"Fix it."', "FIX_IT"),
            "empty": GOOD.replace('"Fix it."', '""'),
            "newline": GOOD.replace('"Fix it."', '"Fix\\nit."'),
            "comma": GOOD.replace('"Fix it.")', '"Fix it."),'),
        }
        with tempfile.TemporaryDirectory() as d:
            for name, text in bad.items():
                path = os.path.join(d, name + ".def")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                p = run("--def", path, "--out", os.path.join(d, "out.md"))
                self.assertEqual(p.returncode, 2, name)
                self.assertIn("gen-findings: ", p.stderr, name)
                self.assertFalse(os.path.exists(os.path.join(d, "out.md")), name)


if __name__ == "__main__":
    unittest.main(verbosity=1)
