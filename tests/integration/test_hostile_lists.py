#!/usr/bin/env python3
"""Hostile and careless lists through `posture scan`, and control
characters on their way out of `posture report` (issue 19, items 3 and 11).

A bed of its own (tests/bed/bed.sh, loopback only) serves one tiny zone,
hostlist.test, written here: names a to k publish plain SPF and DMARC
records; ctl publishes an SPF record holding ESC, BEL and CR and a DMARC
record holding U+009B (C1 CSI) and U+202E (RLO). Each test scans a list
with one defect through the CLI and checks the messages, the exit status
and that every good line was scanned, reading the run's domains through
`posture report --domains --format csv` and `--format json` (never SQL);
the report outputs must carry none of the raw control bytes.
"""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from posturetest import BED, POSTURE

GOOD = "abcdefghijk"
ZONE = "".join([
    "$ORIGIN hostlist.test.\n$TTL 300\n",
    "@\tSOA\tns.hostlist.test. hostmaster.hostlist.test. 1 3600 600 86400 300\n",
    "\tNS\tns.hostlist.test.\nns\tA\t127.0.0.1\n",
    *(f'{n}\tTXT\t"v=spf1 ip4:192.0.2.{i} -all"\n_dmarc.{n}\tTXT\t"v=DMARC1; p=reject"\n'
      for i, n in enumerate(GOOD)),
    # ESC, BEL, CR; U+009B and U+202E as UTF-8 (zone files escape in decimal).
    'ctl\tTXT\t"v=spf1 ip4:192.0.2.99 \\027[2J\\007\\013 -all"\n',
    '_dmarc.ctl\tTXT\t"v=DMARC1; p=reject; x=\\194\\155\\226\\128\\174y"\n',
])

# Bytes no report may carry raw: C0 controls but the format's own line
# ends, DEL, C1 controls (as UTF-8), the bidi controls, bytes not UTF-8.
C1 = re.compile(rb"\xc2[\x80-\x9f]")
BIDI = re.compile(rb"\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def name(n):
    return f"{n}.hostlist.test"


def raw_controls(data):
    """The raw control bytes in data (bytes), as a list of reprs."""
    found = []
    for i, b in enumerate(data):
        if b == 0x0a or (b == 0x0d and data[i + 1:i + 2] == b"\n"):
            continue
        if b < 0x20 or b == 0x7f:
            found.append(repr(data[max(0, i - 10):i + 10]))
    found += [repr(m.group()) for m in C1.finditer(data)]
    found += [repr(m.group()) for m in BIDI.finditer(data)]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        found.append(str(e))
    return found


class HostileLists(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hostile-lists.", dir=os.environ.get("TMPDIR"))
        zones = os.path.join(cls.tmp, "zones")
        os.mkdir(zones)
        with open(os.path.join(zones, "hostlist.test.zone"), "w") as f:
            f.write(ZONE)
        cls.bed = os.path.join(cls.tmp, "bed")
        p = subprocess.run([BED, "start", cls.bed], env=dict(os.environ, BED_ZONES=zones),
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise AssertionError(p.stderr)
        with open(os.path.join(cls.bed, "bed.env")) as f:
            env = dict(line.strip().partition("=")[::2] for line in f if "=" in line)
        cls.auth = env["BED_AUTH"].strip("'\"")
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        subprocess.run([BED, "stop", cls.bed], capture_output=True, timeout=60)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def write(self, filename, data):
        path = os.path.join(self.tmp, filename)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def scan(self, lst, want=0):
        """Scans lst into a new database; returns (database, stderr)."""
        HostileLists.n += 1
        db = os.path.join(self.tmp, f"t{self.n}.db")
        p = subprocess.run([POSTURE, "scan", lst, "--db", db, "--resolver", self.auth,
                            "--checks", "spf,dmarc,mx", "--quiet"],
                           capture_output=True, timeout=120)
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, want, err)
        self.assertEqual(raw_controls(p.stderr), [], "stderr")
        return db, err

    def report(self, db, fmt, domains=True):
        p = subprocess.run([POSTURE, "report", "--db", db, "--format", fmt]
                           + (["--domains"] if domains else []),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def domains(self, db):
        """The run's rows by domain, from the JSON report, after checking
        the CSV report names the same domains in the same order."""
        j = json.loads(self.report(db, "json"))
        rows = j["domains"] if isinstance(j, dict) else j
        text = self.report(db, "csv").decode("utf-8")
        from_csv = [r["domain"] for r in csv.DictReader(io.StringIO(text, newline=""))]
        self.assertEqual(from_csv, [r["domain"] for r in rows])
        return {r["domain"]: r for r in rows}

    def test_nul_byte_drops_only_its_line(self):
        lst = self.write("nul.txt", b"a.hostlist.test\nb.host\0list.test\nc.hostlist.test\n"
                         b"\0\nd.hostlist.test")
        db, err = self.scan(lst)
        self.assertIn(f"posture: {lst}:2: a NUL byte in the line (a list is UTF-8 text) "
                      "(skipped)", err)
        self.assertIn(f"posture: {lst}:4: a NUL byte in the line", err)
        rows = self.domains(db)
        self.assertEqual(list(rows), [name(n) for n in "acd"])
        self.assertEqual({r["spf_status"] for r in rows.values()}, {"ok"})

    def test_utf16_refused(self):
        text = "domain,company\na.hostlist.test,A\n"
        cases = [("bom-le.csv", b"\xff\xfe" + text.encode("utf-16-le"), "UTF-16LE text with a "
                  "byte order mark", "iconv -f UTF-16 -t UTF-8"),
                 ("bom-be.csv", b"\xfe\xff" + text.encode("utf-16-be"), "UTF-16BE text with a "
                  "byte order mark", "iconv -f UTF-16 -t UTF-8"),
                 ("le.csv", text.encode("utf-16-le"), "UTF-16LE text",
                  "iconv -f UTF-16LE -t UTF-8"),
                 ("be.txt", "a.hostlist.test\n".encode("utf-16-be"), "UTF-16BE text",
                  "iconv -f UTF-16BE -t UTF-8"),
                 ("le32.txt", "a.hostlist.test\n".encode("utf-32-le"), "UTF-32LE text",
                  "iconv -f UTF-32LE -t UTF-8")]
        for filename, data, what, cmd in cases:
            with self.subTest(filename):
                lst = self.write(filename, data)
                db, err = self.scan(lst, want=2)
                self.assertEqual(f"posture: the list is {what}, not UTF-8: convert it "
                                 f"first, e.g. {cmd} < {lst} > list-utf8.txt\n", err)
                # No run was made.
                p = subprocess.run([POSTURE, "runs", "--db", db, "--json"],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual((p.returncode, json.loads(p.stdout)), (0, []), p.stderr)
        # Converted as the message says, the list scans.
        lst = self.write("bom-le.csv", b"\xff\xfe" + text.encode("utf-16-le"))
        out = os.path.join(self.tmp, "list-utf8.txt")
        subprocess.run(f"iconv -f UTF-16 -t UTF-8 < '{lst}' > '{out}'", shell=True, check=True)
        db, _ = self.scan(out)
        self.assertEqual(self.domains(db)[name("a")]["company"], "A")

    def test_utf8_bom_skipped(self):
        lst = self.write("bom.csv", b"\xef\xbb\xbfdomain,company\r\na.hostlist.test,A\r\n")
        db, err = self.scan(lst)
        self.assertNotIn("skipped", err)
        self.assertEqual(self.domains(db)[name("a")]["company"], "A")

    def test_csv_multiline_fields(self):
        lst = self.write("multi.csv", (
            "domain,company,code\r\n"                               # 1
            "a.hostlist.test,\"Alpha\r\nHoldings\",1\r\n"            # 2-3
            "b.hostlist.test,\"Beta \"\"B\"\"\n\nGroup, Inc.\",2\n"  # 4-6
            "not a domain,Gamma,3\n"                                # 7
            "c.hostlist.test,Gamma,4\n"                             # 8
            "d.hostlist.test,\"Delta\n"                              # 9: never closed
            "e.hostlist.test,Epsilon,5\n"                           # 10
            "1.2.3.4,Addr,6\n").encode())                           # 11
        db, err = self.scan(lst)
        self.assertIn(f"posture: {lst}:7: \"not a domain\": character ' ' is not allowed in a "
                      "domain name (skipped)", err)
        self.assertIn(f"posture: {lst}:9: unterminated quote (skipped)", err)
        self.assertIn(f"posture: {lst}:11: \"1.2.3.4\": an IP address is not a domain name "
                      "(skipped)", err)
        self.assertEqual(len(re.findall(r"\(skipped\)", err)), 3, err)
        rows = self.domains(db)
        self.assertEqual(list(rows), [name(n) for n in "abce"])
        self.assertEqual(rows[name("a")]["company"], "Alpha Holdings")
        self.assertEqual(rows[name("b")]["company"], "Beta \"B\"  Group, Inc.")
        self.assertEqual(rows[name("c")]["company"], "Gamma")
        self.assertEqual(rows[name("e")]["company"], "Epsilon")
        self.assertEqual(rows[name("e")]["code"], "5")

    def test_ip_literals(self):
        lines = ["a.hostlist.test", "1.2.3.4", "192.0.2.1.", "[192.0.2.1]", "::1",
                 "2001:db8::1", "[2001:db8::1]", "10.1.2", "b.hostlist.test"]
        lst = self.write("ips.txt", ("\n".join(lines) + "\n").encode())
        db, err = self.scan(lst)
        for no, line in enumerate(lines[1:-1], start=2):
            why = ("the last label is all digits: an IP address, not a domain name"
                   if line == "10.1.2" else "an IP address is not a domain name")
            self.assertIn(f"posture: {lst}:{no}: \"{line}\": {why} (skipped)", err)
        self.assertEqual(list(self.domains(db)), [name("a"), name("b")])
        # A list of addresses only gives no domain: usage, no run.
        lst = self.write("only-ips.txt", b"1.2.3.4\n::1\n")
        _, err = self.scan(lst, want=2)
        self.assertIn("no domain in it (2 lines skipped)", err)

    def test_control_characters_in_fields_and_records(self):
        lst = self.write("hostile.csv", (
            "domain,company,sector\n"
            "a.hostlist.test,Evil\x1b[2J\x07\u009b\u202e Corp,\u2066x\u2069\n"
            "ctl.hostlist.test,Ctl\r Inc,Tech\n"
            "f.hostlist.test,\u65e5\u672c,Media\n").encode()
            + b"g.hostlist.test,\x93\xfa\x96\x7b,Media\n")  # Shift_JIS company
        db, err = self.scan(lst)
        self.assertNotIn("skipped", err)
        rows = self.domains(db)
        self.assertEqual(list(rows), [name(n) for n in ("a", "ctl", "f", "g")])
        # The list import makes every control character a space.
        self.assertEqual(rows[name("a")]["company"], "Evil [2J    Corp")
        self.assertEqual(rows[name("a")]["sector"], "x")
        self.assertEqual(rows[name("ctl")]["company"], "Ctl  Inc")
        self.assertEqual(rows[name("f")]["company"], "\u65e5\u672c")
        self.assertEqual(rows[name("g")]["company"], "\ufffd\ufffd\ufffd{")
        # The records keep their bytes in JSON (escaped by JSON itself).
        self.assertIn("\x1b[2J\x07\r", rows[name("ctl")]["spf_record"])
        self.assertIn("\u009b\u202ey", rows[name("ctl")]["dmarc_record"])
        # Every other format carries none of them raw, to stdout or -o.
        for fmt in ("csv", "text", "md", "html"):
            for domains in (True, False):
                with self.subTest(fmt=fmt, domains=domains):
                    self.assertEqual(raw_controls(self.report(db, fmt, domains)), [])
        out = os.path.join(self.tmp, "domains.csv")
        p = subprocess.run([POSTURE, "report", "--db", db, "--domains", "--format", "csv",
                            "-o", out], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            data = f.read()
        self.assertEqual(raw_controls(data), [])
        # CSV: U+FFFD for each, one record a line.
        text = data.decode("utf-8")
        self.assertEqual(text.count("\r\n"), 5)
        by = {r["domain"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
        self.assertIn("ip4:192.0.2.99 \ufffd[2J\ufffd\ufffd -all", by[name("ctl")]["spf_record"])
        self.assertIn("x=\ufffd\ufffdy", by[name("ctl")]["dmarc_record"])
        # Text: \DDD for each byte.
        text = self.report(db, "text").decode("utf-8")
        self.assertNotIn("\x1b", text)
        html = self.report(db, "html").decode("utf-8")
        self.assertIn("x=\ufffd\ufffdy", html)

    def test_not_utf8_company_warned(self):
        lst = self.write("sjis.csv", b"domain,company\na.hostlist.test,A\n"
                         b"b.hostlist.test,\x93\xfa\x96\x7b\n")
        db, err = self.scan(lst)
        self.assertIn(f"posture: {lst}:3: warning: the company column is not UTF-8 (a "
                      "Shift_JIS or Latin-1 export?): stored with U+FFFD for its bytes; "
                      "convert the list with iconv -t UTF-8\n", err)
        self.assertNotIn("skipped", err)
        self.assertEqual(list(self.domains(db)), [name("a"), name("b")])


if __name__ == "__main__":
    unittest.main()
