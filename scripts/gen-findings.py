#!/usr/bin/python3
"""Writes doc/findings.md from the registry of finding codes.

    gen-findings.py [--def FILE] [--out FILE] [--check]

scanner/util/findings.def holds one entry per finding code, sorted by
code:

    FINDING("spf.include_no_record", ERROR,
            "One-line meaning (may be split over adjacent literals).",
            "Fix text.")

The C build compiles the same file into finding_info() (finding.c); this
script reads it and writes one table per code prefix (SPF, DMARC, DKIM
key, BIMI record, SVG logo, VMC) with code, severity, meaning and fix.
The output depends only on the file, so a check can regenerate it and
compare.

  --def FILE   the registry (default scanner/util/findings.def)
  --out FILE   the page to write (default doc/findings.md)
  --check      write nothing; exit 1 and say "run make findings-doc" when
               FILE differs from what would be written

Exit status: 0 written (or up to date), 1 stale (--check), 2 the registry
cannot be read (the message names the line). Standard library only.
"""
import argparse
import os
import re
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEF = os.path.join(ROOT, "scanner", "util", "findings.def")
OUT = os.path.join(ROOT, "doc", "findings.md")

CODE_RE = re.compile(r"^(spf|dmarc|dkim|bimi|vmc|svg|report|headers|mta_sts|tls_rpt|dane|dnssec)"
                     r"\.[a-z0-9_]+$")
SEVERITIES = ("ERROR", "WARNING", "INFO")

# The sections, in order: prefix, title, what the codes come from.
SECTIONS = [
    ("spf", "SPF",
     "From the SPF audit (`posture spf`, and the SPF part of `posture check` and `posture scan`): "
     "the domain's record and every record its include: and redirect= terms reach, as RFC 7208 "
     "evaluates them."),
    ("dmarc", "DMARC",
     "From the DMARC check (`posture dmarc`, `check`, `scan`): the record RFC 9989's DNS tree walk "
     "finds, the one RFC 7489's Public Suffix List reading finds, and the external report "
     "destinations."),
    ("dkim", "DKIM key",
     "From the DKIM key audit: the TXT record at `<selector>._domainkey.<domain>`, read as "
     "RFC 6376 3.6.1 defines a key record, with the key size and algorithm rules of RFC 8301 "
     "and RFC 8463."),
    ("bimi", "BIMI record",
     "From BIMI discovery (`posture bimi`, `check`, `scan`): the TXT record at "
     "`<selector>._bimi.<domain>` (or at the organisational domain), and fetching the logo and "
     "the certificate it names."),
    ("svg", "SVG logo",
     "From the logo validation (`posture svg`, and the logo a BIMI record names): SVG Tiny "
     "Portable/Secure as BIMI requires it, checked against the BIMI Group's RELAX NG schema."),
    ("vmc", "VMC",
     "From the Mark Certificate validation (`posture vmc`, and the certificate a BIMI record "
     "names): the chain to a Mark Verifying Authority root, the leaf's EKU, names and mark type, "
     "and the logo embedded in it (RFC 3709 logotype)."),
    ("report", "Receivers' reports",
     "From `posture reports import`: what a receiver's DMARC aggregate, DMARC failure or SMTP TLS "
     "report gets wrong that posture read past (the report is kept; the finding says what was "
     "missing or repaired)."),
    ("headers", "Received messages",
     "From `posture headers`: one received message read hop by hop (its Received fields, the "
     "Authentication-Results each receiver recorded, ARC sets, DKIM signatures), with what let "
     "it through and how the From domain's posture played in it."),
    ("mta_sts", "MTA-STS",
     "From `posture mta-sts`: the TXT record at `_mta-sts.<domain>` (RFC 8461 3.1), the "
     "policy file at `https://mta-sts.<domain>/.well-known/mta-sts.txt` (RFC 8461 3.2) fetched "
     "as senders must fetch it (RFC 8461 3.3: a certificate valid for `mta-sts.<domain>`, no "
     "redirect followed, `text/plain`), and whether every MX host of the domain matches one of "
     "its `mx` patterns (RFC 8461 4.1). `posture check` runs the same check."),
    ("tls_rpt", "TLS-RPT",
     "From `posture mta-sts` and `posture check`: the TXT record at `_smtp._tls.<domain>` "
     "(RFC 8460 3) and the `mailto:` and `https:` destinations its `rua=` names."),
    ("dane", "DANE for MX",
     "From the DANE check (`posture check --dnssec`): the TLSA records at "
     "`_25._tcp.<mx host>` of each MX host (RFC 6698 2.1) as SMTP clients use them (RFC 7672): "
     "their form, the usages SMTP ignores, whether the answer was DNSSEC-secure, and what the "
     "MX hosts add up to."),
    ("dnssec", "DNSSEC",
     "From the DNSSEC check (`posture dnssec`, `posture check --dnssec`): the validation "
     "status (RFC 4035 4.3) of the answers posture relies on, the domain's MX and SOA, its `_dmarc` TXT and its SPF TXT, "
     "through getdns in stub mode with the bundled root trust anchor or `--trust-anchor`."),
]


class DefError(Exception):
    pass


# --- reading findings.def -----------------------------------------------------------

TOKEN_RE = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[(),])
""", re.VERBOSE | re.DOTALL)

ESCAPES = {"\\\\": "\\", '\\"': '"', "\\'": "'"}


def tokens(text):
    """(kind, value, line) for every token but white space and comments."""
    pos, line = 0, 1
    while pos < len(text):
        m = TOKEN_RE.match(text, pos)
        if m is None:
            raise DefError("line %d: unexpected %r" % (line, text[pos]))
        kind = m.lastgroup
        if kind not in ("space", "comment"):
            yield kind, m.group(), line
        line += m.group().count("\n")
        pos = m.end()


def c_string(lit, line):
    """The value of one C string literal (only \\\\, \\" and \\' escapes)."""
    body = lit[1:-1]
    out = re.sub(r"\\.", lambda m: ESCAPES.get(m.group(), "\0"), body)
    if "\0" in out:
        raise DefError("line %d: unsupported escape in %s" % (line, lit))
    return out


def parse(text):
    """[(code, severity, meaning, fix)] from findings.def, checked."""
    toks = list(tokens(text))
    entries, i = [], 0

    def expect(kind, value=None):
        nonlocal i
        if i >= len(toks):
            raise DefError("unexpected end of file")
        k, v, line = toks[i]
        if k != kind or (value is not None and v != value):
            raise DefError("line %d: expected %s, got %s" % (line, value or kind, v))
        i += 1
        return v, line

    def strings():
        nonlocal i
        _, line = expect("string")
        i -= 1
        parts = []
        while i < len(toks) and toks[i][0] == "string":
            parts.append(c_string(toks[i][1], toks[i][2]))
            i += 1
        return "".join(parts), line

    while i < len(toks):
        _, line = expect("ident", "FINDING")
        expect("punct", "(")
        code, cline = strings()
        expect("punct", ",")
        sev, sline = expect("ident")
        expect("punct", ",")
        meaning, mline = strings()
        expect("punct", ",")
        fix, fline = strings()
        expect("punct", ")")
        if not CODE_RE.match(code):
            raise DefError("line %d: code %r does not match %s" % (cline, code, CODE_RE.pattern))
        if sev not in SEVERITIES:
            raise DefError("line %d: severity %s is not one of %s" %
                           (sline, sev, ", ".join(SEVERITIES)))
        for what, s, ln in (("meaning", meaning, mline), ("fix", fix, fline)):
            if not s.strip() or any(ord(c) < 0x20 for c in s):
                raise DefError("line %d: %s of %s is empty or not one line" % (ln, what, code))
        if entries and entries[-1][0] >= code:
            raise DefError("line %d: %s is %s %s (sorted by code, each once)" %
                           (cline, code, "a repeat of" if entries[-1][0] == code else "after",
                            entries[-1][0]))
        entries.append((code, sev.lower(), meaning, fix))
    return entries


# --- writing the page -------------------------------------------------------------------


def md(s):
    """Text safe in a Markdown table cell: no markup, no HTML, '|' escaped."""
    s = s.replace("\\", "\\\\")
    for c in "`*_[]|":
        s = s.replace(c, "\\" + c)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


INTRO = """\
# Finding codes

<!-- Generated by scripts/gen-findings.py from scanner/util/findings.def:
     edit that file, then run `make findings-doc`. -->

A *finding* is one thing a check found wrong, or worth knowing, in what a
domain publishes: an SPF include that leads nowhere, a DMARC policy that
does not enforce, a logo the BIMI rules do not allow. Every finding has a
**code** (`spf.include_no_record`), a **severity**, a one-line **message**
with the specifics (names, values, byte offsets), a **fix**, and usually a
**path**: where it was found, starting at the domain asked about
(`example.com → include:_spf.vendor.example`). This page lists every code
with what it means and how it is usually fixed; the message and fix of one
finding can be more specific.

| severity | means |
|---|---|
| `error` | receivers reject, ignore or fail what the domain publishes (an SPF PermError, an invalid DMARC or BIMI record, a logo or certificate they do not accept), or a DNS failure left no verdict |
| `warning` | it works, but protects less than it could or is likely a mistake |
| `info` | noted for completeness; often nothing to change |

The severity below is the one the checks use; where a code is sometimes
reported with a lower one, its meaning says when.

Codes are part of posture's stable contract: a code is never renamed or
reused (new ones may be added), so scripts can match on them. They appear
in the `findings` arrays of the JSON output (`--json` of `posture spf`,
`dmarc`, `bimi`, `svg`, `vmc` and `check`; each entry has `code`,
`severity`, `message`, `path` and `fix`), in the terminal output of those
commands, in the `findings` table of a scan's database and the reports built
from it (`posture report` counts SPF PermErrors by code), and in
`posture check`, whose `problems` are the error findings of every check
(with the readiness items that do not pass, as `readiness.<item>` entries:
[commands.md](commands.md#posture-check-domain)).

"""


def render(entries):
    out = [INTRO]
    counts = ", ".join("%s %d" % (title, sum(1 for e in entries if e[0].startswith(p + ".")))
                       for p, title, _ in SECTIONS)
    out.append("%d codes: %s.\n" % (len(entries), counts))
    for prefix, title, blurb in SECTIONS:
        out.append("\n## %s\n\n%s\n\n" % (title, textwrap.fill(blurb, 76)))
        out.append("| code | severity | meaning | fix |\n|---|---|---|---|\n")
        for code, sev, meaning, fix in entries:
            if code.startswith(prefix + "."):
                out.append("| `%s` | %s | %s | %s |\n" % (code, sev, md(meaning), md(fix)))
    return "".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write doc/findings.md from findings.def.")
    ap.add_argument("--def", dest="deffile", default=DEF, help="the registry (findings.def)")
    ap.add_argument("--out", default=OUT, help="the page to write")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 when --out is stale")
    a = ap.parse_args(argv)
    try:
        with open(a.deffile, encoding="utf-8") as f:
            entries = parse(f.read())
    except (OSError, UnicodeDecodeError, DefError) as e:
        print("gen-findings: %s: %s" % (a.deffile, e), file=sys.stderr)
        return 2
    page = render(entries)
    if a.check:
        try:
            with open(a.out, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != page:
            print("gen-findings: %s is stale (or missing): run make findings-doc" % a.out,
                  file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
