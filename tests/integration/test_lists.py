"""The bundled domain lists (lists/): rebuilt from lists/sources/ they
must equal the committed files, and they hold what lists/README.md says.

Needs no DNS (run.sh runs it inside the bed with the other suites). Reads
nothing outside the repository.
"""
import csv
import ctypes
import os
import re
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LISTS = os.path.join(ROOT, "lists")
PY = "/usr/bin/python3"
sys.path.insert(0, LISTS)
import psl  # noqa: E402  (lists/psl.py)

BUILD = os.path.join(LISTS, "build-nikkei225.py")
TRANCO = os.path.join(LISTS, "build-tranco-sample.py")
HEADER = "code,web_domain,domain,reason\n"
# The 33 industries of the Tokyo Stock Exchange (Securities Identification
# Code Committee), as the EDINET code list names them.
TSE_33 = {
    "水産・農林業", "鉱業", "建設業", "食料品", "繊維製品", "パルプ・紙", "化学", "医薬品",
    "石油・石炭製品", "ゴム製品", "ガラス・土石製品", "鉄鋼", "非鉄金属", "金属製品", "機械",
    "電気機器", "輸送用機器", "精密機器", "その他製品", "電気・ガス業", "陸運業", "海運業",
    "空運業", "倉庫・運輸関連業", "情報・通信業", "卸売業", "小売業", "銀行業",
    "証券、商品先物取引業", "保険業", "その他金融業", "不動産業", "サービス業",
}


def run(*args):
    p = subprocess.run([PY, *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


class Nikkei(unittest.TestCase):
    def test_rebuild_equals_committed(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "n.csv")
            rc, _, err = run(BUILD, "-o", out)
            self.assertEqual(rc, 0, err)
            with open(out, "rb") as a, open(os.path.join(LISTS, "nikkei225.csv"), "rb") as b:
                self.assertEqual(a.read(), b.read())

    def test_committed_rows(self):
        rows = read_csv(os.path.join(LISTS, "nikkei225.csv"))
        self.assertEqual(rows[0], ["domain", "company", "code", "sector", "list", "company_ja"])
        body = rows[1:]
        self.assertEqual(len(body), 225)
        codes = [r[2] for r in body]
        self.assertEqual(len(set(codes)), 225)
        self.assertEqual(len({r[0] for r in body}), 225)
        for r in body:
            self.assertEqual(len(r), 6, r)
            self.assertRegex(r[2], r"^[0-9]{3}[0-9A-Z]$")
            self.assertIn(r[3], TSE_33, r)
            self.assertEqual(r[4], "nikkei225")
            self.assertTrue(r[1] and r[5] and r[1] == r[1].strip(), r)
        by_code = {r[2]: r for r in body}
        # Rows checked by hand against the source URL and the EDINET code list.
        self.assertEqual(by_code["7203"][:4],
                         ["global.toyota", "TOYOTA MOTOR CORPORATION", "7203", "輸送用機器"])
        self.assertEqual(by_code["7203"][5], "トヨタ自動車株式会社")
        self.assertEqual(by_code["9202"][:4],  # www.ana.co.jp/group/
                         ["ana.co.jp", "ANA HOLDINGSINC.", "9202", "空運業"])
        self.assertEqual(by_code["8306"][3], "銀行業")
        self.assertEqual(by_code["1812"][1], "KAJIMA CORPORATION")  # two spaces in the source
        self.assertEqual(by_code["8252"][5], "株式会社 丸井グループ")  # U+3000 in the source
        self.assertEqual(by_code["6981"][1], "Murata")  # no English name: the source's label
        # The sectors are the TSE's 33 industries: 32 of them hold a constituent.
        self.assertEqual(len({r[3] for r in body}), 32)
        self.assertEqual(sum(r[3] == "電気機器" for r in body), 32)
        self.assertEqual(by_code["4755"][0], "rakuten.co.jp")  # corp.rakuten.co.jp
        self.assertEqual(by_code["4183"][0], "mitsuichemicals.com")  # jp.mitsuichemicals.com
        self.assertEqual(by_code["543A"][0], "archion.co.jp")
        self.assertEqual(by_code["285A"][0], "kioxia.com")
        self.assertEqual(by_code["8015"][0], "toyota-tsusho.com")

    def test_names_and_sectors_against_the_source(self):
        """Every company name and sector is the EDINET code list's, as the
        excerpt kept in lists/sources/ has it (read here on its own)."""
        src = read_csv(os.path.join(LISTS, "sources", "edinet-codelist-nikkei225.csv"))
        self.assertEqual(src[0], ["ダウンロード実行日", "2026年08月11日現在", "件数", "11374件"])
        self.assertEqual(src[1][6:8] + src[1][10:12],
                         ["提出者名", "提出者名（英字）", "提出者業種", "証券コード"])
        self.assertEqual(len(src), 2 + 225)
        edinet = {r[11]: r for r in src[2:]}
        labels = {r[0].split("|")[0]: r[0].split("|")[1] for r in
                  read_csv(os.path.join(LISTS, "sources", "nikkei225-browserhive.csv"))[1:]}
        for r in read_csv(os.path.join(LISTS, "nikkei225.csv"))[1:]:
            e = edinet[r[2] + "0"]  # the securities code: the ticker and a check digit 0
            self.assertEqual(e[2], "上場", r)
            self.assertEqual(r[3], e[10], r)
            self.assertEqual(r[5], " ".join(e[6].split()), r)
            self.assertEqual(r[1], " ".join(e[7].split()) or labels[r[2]], r)
        # The excerpt's rows are the whole list's rows for the 225 tickers,
        # byte for byte but the encoding: its SHA-256 is in lists/README.md.
        self.assertEqual(sorted(edinet), sorted(c + "0" for c in labels))

    def test_names_checked(self):
        """A names file without a ticker of the source fails the build."""
        names = os.path.join(LISTS, "sources", "edinet-codelist-nikkei225.csv")
        with open(names, encoding="utf-8") as f:
            lines = f.read().split("\n")
        with tempfile.TemporaryDirectory() as d:
            short = os.path.join(d, "names.csv")
            with open(short, "w", encoding="utf-8") as f:
                f.write("\n".join(l for l in lines if '"72030"' not in l))
            rc, _, err = run(BUILD, "--names", short, "-o", os.path.join(d, "n.csv"))
            self.assertEqual(rc, 1)
            self.assertIn("has no row for 7203", err)

    def test_override_applies_and_is_checked(self):
        src = os.path.join(LISTS, "sources", "nikkei225-browserhive.csv")
        with tempfile.TemporaryDirectory() as d:
            ov = os.path.join(d, "ov.csv")
            out = os.path.join(d, "n.csv")

            def build(text):
                with open(ov, "w") as f:
                    f.write("# a comment line\n" + HEADER + text)
                return run(BUILD, "--source", src, "--overrides", ov, "-o", out)

            rc, _, err = build("7203,global.toyota,toyota.example.jp,test row\n")
            self.assertEqual(rc, 0, err)
            rows = {r[2]: r for r in read_csv(out)[1:]}
            self.assertEqual(rows["7203"][0], "toyota.example.jp")
            self.assertEqual(rows["7267"][0], "global.honda")
            # The source no longer gives the web domain the override expects.
            rc, _, err = build("7203,toyota.com,toyota.example.jp,stale\n")
            self.assertEqual(rc, 1)
            self.assertIn("7203: override expects web domain toyota.com", err)
            rc, _, err = build("0000,x.jp,y.jp,unknown code\n")
            self.assertEqual(rc, 1)
            self.assertIn("unknown codes: 0000", err)
            # Two companies on one domain is refused.
            rc, _, err = build("7203,global.toyota,global.honda,clash\n")
            self.assertEqual(rc, 1)
            self.assertIn("a domain serves two codes: global.honda", err)
            rc, _, err = build("7203,global.toyota,,no domain\n")
            self.assertEqual(rc, 1)

    def test_committed_overrides_parse(self):
        rc, out, err = run(BUILD, "-o", "-")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 226)


class Psl(unittest.TestCase):
    P = psl.Psl()

    def test_table(self):
        rows = [
            ("www.ana.co.jp", "ana.co.jp"),           # ICANN co.jp
            ("global.toyota", "global.toyota"),       # a .brand TLD
            ("a.b.foo.kawasaki.jp", "b.foo.kawasaki.jp"),  # *.kawasaki.jp
            ("www.city.kawasaki.jp", "city.kawasaki.jp"),  # !city.kawasaki.jp
            ("x.blogspot.com", "x.blogspot.com"),     # PRIVATE section used
            ("blogspot.com", None),                   # itself a suffix
            ("run.app", None),                        # libpsl: parent of *.run.app
            ("x.y.bench.test", "bench.test"),         # unlisted TLD: implicit *
            ("WWW.Example.COM.", "example.com"),      # case, trailing dot
            ("com", None),
        ]
        for name, want in rows:
            self.assertEqual(self.P.registrable(name), want, name)

    def test_agrees_with_libpsl(self):
        """psl.py and libpsl (what posture links) on every list name."""
        try:
            lib = ctypes.CDLL("libpsl.so.5")
        except OSError:
            self.skipTest("libpsl.so.5 not loadable")
        lib.psl_load_file.restype = ctypes.c_void_p
        lib.psl_load_file.argtypes = [ctypes.c_char_p]
        lib.psl_registrable_domain.restype = ctypes.c_char_p
        lib.psl_registrable_domain.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.psl_free.argtypes = [ctypes.c_void_p]
        ctx = lib.psl_load_file(psl.DEFAULT_PSL.encode())
        self.assertTrue(ctx)
        names = []
        for r in read_csv(os.path.join(LISTS, "sources", "nikkei225-browserhive.csv"))[1:]:
            names.append(r[1].split("/")[2])
        with open(os.path.join(LISTS, "tranco-sample.txt")) as f:
            for line in f:
                if not line.startswith("#"):
                    d = line.strip()
                    names += [d, "www." + d, "a.b." + d]
        names += ["run.app", "x.run.app", "sch.uk", "a.b.sch.uk", "www.ck", "a.b.ck"]
        try:
            for n in names:
                got = lib.psl_registrable_domain(ctx, n.encode())
                self.assertEqual(self.P.registrable(n), got.decode() if got else None, n)
        finally:
            lib.psl_free(ctx)
        self.assertGreater(len(names), 30000)


class Tranco(unittest.TestCase):
    def test_committed_sample(self):
        with open(os.path.join(LISTS, "tranco-sample.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        head = [l for l in lines if l.startswith("#")]
        names = [l for l in lines if not l.startswith("#")]
        self.assertTrue(all(l.startswith("#") for l in lines[:len(head)]))
        self.assertIn("tranco_top_50k.csv @ 4ed2f0be26121ba6937771835e53555e31defd7d", head[1])
        self.assertEqual(len(names), 10000)
        self.assertEqual(len(set(names)), 10000)
        self.assertEqual(names[:3], ["google.com", "gtld-servers.net", "cloudflare.com"])
        p = psl.Psl()
        for n in names:
            self.assertEqual(p.registrable(n), n)
            self.assertRegex(n, r"^[a-z0-9_.-]+$")  # "_wildcard_.ph" is listed

    def test_builder(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "t.csv")
            out = os.path.join(d, "s.txt")
            with open(src, "w") as f:
                f.write("1,example.com\n2,www.example.com\n5,run.app\n7,a.b.example.org\n"
                        "9,example.net\n12,last.example\n")
            rc, _, err = run(TRANCO, src, "-n", "3", "-o", out)
            self.assertEqual(rc, 0, err)
            with open(out) as f:
                lines = f.read().splitlines()
            self.assertEqual([l for l in lines if not l.startswith("#")],
                             ["example.com", "example.org", "example.net"])
            self.assertIn("# last source rank used: 9; skipped as public suffixes: run.app",
                          lines)
            rc, _, err = run(TRANCO, src, "-n", "10", "-o", out)
            self.assertEqual(rc, 1)
            self.assertIn("only 4 registrable domains", err)



class DkimSelectors(unittest.TestCase):
    """lists/dkim-selectors.txt: selector<TAB>provider<TAB>source, one a
    line, # comments at the top saying so; each selector a valid DNS name
    (labels of letters, digits and hyphens), in lower case, once."""
    PATH = os.path.join(LISTS, "dkim-selectors.txt")
    LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

    def lines(self):
        with open(self.PATH, encoding="utf-8") as f:
            return f.read().split("\n")

    def rows(self):
        return [line.split("\t") for line in self.lines() if line and not line.startswith("#")]

    def test_header_says_the_format(self):
        lines = self.lines()
        self.assertTrue(lines[0].startswith("#"))
        head = "\n".join(line for line in lines if line.startswith("#"))
        self.assertIn("selector<TAB>provider<TAB>source", head)
        self.assertIn("public documentation", head)
        self.assertIn("Amazon SES", head)  # why its selectors are not listed
        # Comments only at the top: the first row ends them.
        first = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
        self.assertFalse(any(line.startswith("#") for line in lines[first:]))

    def test_rows(self):
        rows = self.rows()
        self.assertGreaterEqual(len(rows), 30)
        seen = set()
        for r in rows:
            self.assertEqual(len(r), 3, r)
            sel, provider, source = r
            self.assertTrue(provider and source and provider == provider.strip()
                            and source == source.strip(), r)
            self.assertLessEqual(len(sel), 63, r)
            for label in sel.split("."):
                self.assertRegex(label, self.LABEL, r)
            self.assertNotIn(sel, seen, "duplicate selector")
            seen.add(sel)
        self.assertTrue(self.lines()[-1] == "" and self.lines()[-2] != "", "one final newline")

    def test_providers_of_the_issue_covered(self):
        sels = {r[0] for r in self.rows()}
        for s in ("google", "selector1", "selector2", "k1", "k2", "k3", "mandrill", "s1", "s2",
                  "pm", "mailo", "krs", "smtp", "mx", "pic", "zoho", "zmail", "fm1", "fm2",
                  "fm3", "protonmail", "protonmail2", "protonmail3", "hs1", "hs2", "200608",
                  "10dkim1", "zendesk1", "zendesk2", "default", "dkim", "mail", "key1", "key2",
                  "selector", "email"):
            self.assertIn(s, sels)
        self.assertNotIn("amazonses", sels)  # a verification record, not a selector

    def test_sources_name_a_page_or_say_why_not(self):
        for sel, _, source in self.rows():
            self.assertNotIn("://", source, sel)  # page titles, not URLs
            if source.split(":")[0] in ("observed", "generic"):
                continue
            self.assertRegex(source, r"^[A-Za-z][^:]*(Help|Docs|Learn|Support|Documentation|"
                                     r"Knowledge Base|Help Center)[^:]*: ", sel)


if __name__ == "__main__":
    unittest.main(verbosity=1)
