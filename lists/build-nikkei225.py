#!/usr/bin/python3
"""Builds lists/nikkei225.csv from the copied source data.

    build-nikkei225.py [-o OUT] [--source CSV] [--names CSV] [--overrides CSV] [--psl DAT]
    build-nikkei225.py --report
    build-nikkei225.py --extract-names EdinetcodeDlInfo.csv [-o OUT]

Inputs (defaults are the files beside this script; nothing outside lists/
is read):
  --source     sources/nikkei225-browserhive.csv: header "labels,url", 225
               rows "<ticker>|<CompanyName>,<corporate web URL>" (origin and
               date in lists/README.md)
  --names      sources/edinet-codelist-nikkei225.csv: the lines of the FSA's
               EDINET code list (EdinetcodeDlInfo.csv, "ダウンロード実行日"
               line, header, then one row per filer) whose securities code
               is one of the source's tickers, converted from CP932 to
               UTF-8 and otherwise as published (--extract-names makes it)
  --overrides  nikkei225-overrides.csv: "#" comment lines, then header
               "code,web_domain,domain,reason"; each row replaces one
               company's domain (see that file's header)
  --psl        public_suffix_list.dat: the bundled Public Suffix List

Output (-o, default nikkei225.csv beside this script; "-" for stdout):
  header "domain,company,code,sector,list,company_ja", one row per
  constituent in the source's order, LF line ends, UTF-8:
    domain      the registrable domain (PSL, as libpsl computes it) of the
                URL's host, or the override's domain
    company     the company's English name in the EDINET code list
                (提出者名（英字）), or the source's label (e.g. "Murata")
                when the code list gives none
    code        the ticker code (four characters, digits or e.g. "543A")
    sector      the filer's industry in the EDINET code list (提出者業種):
                one of the 33 industries of the Tokyo Stock Exchange's
                classification, in Japanese as published (e.g. "電気機器")
    list        "nikkei225"
    company_ja  the company's name in the EDINET code list (提出者名)
  Names have each run of white space (a full-width space too) made one
  space, and none at either end; nothing else changes.

--extract-names reads the whole EDINET code list as the FSA publishes it
(CP932) and writes the lines --names reads (default
sources/edinet-codelist-nikkei225.csv).

Deterministic: the same inputs always give the same bytes. The build fails
(exit 1, one line on stderr) unless there are exactly 225 rows with unique
codes and unique domains, every URL is https with a host, and every override
names a known code whose web_domain still matches the source.

--report prints, instead of writing, the rows whose host is not the
registrable domain or "www." + it, and any domain shared by two codes: the
material for reviewing overrides.

Python 3 standard library only; run with /usr/bin/python3.
"""
import argparse
import csv
import io
import os
import re
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import psl  # noqa: E402  (lists/psl.py, beside this script)

EXPECTED_ROWS = 225
LIST_NAME = "nikkei225"
HEADER = ["domain", "company", "code", "sector", "list", "company_ja"]
NAMES_HEADER = ["ＥＤＩＮＥＴコード", "提出者種別", "上場区分", "連結の有無", "資本金", "決算日",
                "提出者名", "提出者名（英字）", "提出者名（ヨミ）", "所在地", "提出者業種",
                "証券コード", "提出者法人番号"]
DEFAULT_NAMES = os.path.join(HERE, "sources", "edinet-codelist-nikkei225.csv")
DEFAULT_SOURCE = os.path.join(HERE, "sources", "nikkei225-browserhive.csv")
OVERRIDE_HEADER = ["code", "web_domain", "domain", "reason"]
CODE_RE = re.compile(r"^[0-9]{3}[0-9A-Z]$")
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+"
                       r"[a-z0-9-]{2,63}$")


class BuildError(Exception):
    pass


def read_source(path):
    """[(code, company, host)] in file order."""
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        if next(r, None) != ["labels", "url"]:
            raise BuildError("%s: header is not labels,url" % path)
        for n, row in enumerate(r, start=2):
            if len(row) != 2 or row[0].count("|") != 1:
                raise BuildError("%s:%d: expected <code>|<company>,<url>" % (path, n))
            code, company = row[0].split("|")
            url = urllib.parse.urlsplit(row[1])
            if url.scheme != "https" or not url.hostname:
                raise BuildError("%s:%d: not an https URL: %s" % (path, n, row[1]))
            if not CODE_RE.match(code):
                raise BuildError("%s:%d: odd ticker code %r" % (path, n, code))
            rows.append((code, company, url.hostname.lower()))
    return rows


def one_space(text):
    """Each run of white space (U+3000 too) as one space, none at the ends."""
    return " ".join(text.split())


def read_names(path):
    """{ticker: (english, japanese, industry)} from the EDINET excerpt; the
    securities code is the ticker and a check digit "0"."""
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        first = next(r, None)
        if not first or first[0] != "ダウンロード実行日":
            raise BuildError("%s: not an EDINET code list (its first line)" % path)
        if next(r, None) != NAMES_HEADER:
            raise BuildError("%s: the header is not the EDINET code list's" % path)
        for n, row in enumerate(r, start=3):
            if len(row) != len(NAMES_HEADER) or len(row[11]) != 5 or row[2] != "上場":
                raise BuildError("%s:%d: not a listed filer's row" % (path, n))
            code = row[11][:4]
            if code in out:
                raise BuildError("%s:%d: ticker %s twice" % (path, n, code))
            out[code] = (one_space(row[7]), one_space(row[6]), row[10])
    return out


def extract_names(full, source, out_path):
    """The lines of the whole EDINET code list (CP932) that --names reads."""
    codes = {code + "0" for code, _, _ in read_source(source)}
    with open(full, "rb") as f:
        lines = f.read().decode("cp932").split("\n")
    keep = lines[:2]
    for line in lines[2:]:
        row = next(csv.reader([line]), [])
        if len(row) == len(NAMES_HEADER) and row[11] in codes:
            keep.append(line)
    if len(keep) != EXPECTED_ROWS + 2:
        raise BuildError("%s: %d rows of the source's tickers, expected %d"
                         % (full, len(keep) - 2, EXPECTED_ROWS))
    psl.write_output(out_path, "\n".join(keep) + "\n")


def read_overrides(path):
    """{code: (web_domain, domain, reason)}."""
    out = {}
    with open(path, encoding="utf-8", newline="") as f:
        lines = [l for l in f if not l.startswith("#")]
    r = csv.reader(io.StringIO("".join(lines)))
    if next(r, None) != OVERRIDE_HEADER:
        raise BuildError("%s: header is not %s" % (path, ",".join(OVERRIDE_HEADER)))
    for row in r:
        if not row:
            continue
        if len(row) != 4 or not all(c.strip() for c in row):
            raise BuildError("%s: each row needs code,web_domain,domain,reason: %r"
                             % (path, row))
        code, web, dom, reason = (c.strip() for c in row)
        if code in out:
            raise BuildError("%s: code %s overridden twice" % (path, code))
        if not DOMAIN_RE.match(dom):
            raise BuildError("%s: %s: not a domain name: %r" % (path, code, dom))
        out[code] = (web.lower(), dom.lower(), reason)
    return out


def build(source, overrides, psl_path, names_path=DEFAULT_NAMES):
    """The output rows (lists of strings), checked."""
    p = psl.Psl(psl_path)
    rows = read_source(source)
    over = read_overrides(overrides)
    names = read_names(names_path)
    missing = sorted({r[0] for r in rows} - set(names))
    if missing:
        raise BuildError("%s has no row for %s" % (names_path, " ".join(missing)))
    codes = [r[0] for r in rows]
    if len(rows) != EXPECTED_ROWS:
        raise BuildError("%d rows in the source, expected %d" % (len(rows), EXPECTED_ROWS))
    if len(set(codes)) != len(codes):
        raise BuildError("duplicate ticker codes in the source")
    unknown = sorted(set(over) - set(codes))
    if unknown:
        raise BuildError("overrides name unknown codes: %s" % " ".join(unknown))
    out = []
    for code, company, host in rows:
        web = p.registrable(host)
        if web is None:
            raise BuildError("%s: host %s is a public suffix" % (code, host))
        domain = web
        if code in over:
            want, domain, _ = over[code]
            if want != web:
                raise BuildError("%s: override expects web domain %s, the source now "
                                 "gives %s: review the override" % (code, want, web))
        english, japanese, industry = names[code]
        out.append([domain, english or company, code, industry, LIST_NAME, japanese])
    domains = [r[0] for r in out]
    if len(set(domains)) != len(domains):
        dup = sorted({d for d in domains if domains.count(d) > 1})
        raise BuildError("a domain serves two codes: %s (add an override or check "
                         "the source)" % " ".join(dup))
    return out


def render(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue()


def report(source, psl_path):
    p = psl.Psl(psl_path)
    seen = {}
    for code, company, host in read_source(source):
        reg = p.registrable(host)
        seen.setdefault(reg, []).append(code)
        if host not in (reg, "www." + reg):
            print("%s %-20s host %s -> registrable %s" % (code, company, host, reg))
    for reg, codes in sorted(seen.items()):
        if len(codes) > 1:
            print("shared: %s by %s" % (reg, " ".join(codes)))
    print("%d distinct registrable domains" % len(seen))


def main():
    ap = argparse.ArgumentParser(
        description="Build lists/nikkei225.csv (domain,company,code,sector,list,company_ja) "
        "from lists/sources/ and the overrides.",
        epilog="See the header of this script for formats and checks.")
    ap.add_argument("-o", "--output", default=None,
                    help="where to write (default: nikkei225.csv beside this script, or "
                    "the --names file with --extract-names; - for stdout)")
    ap.add_argument("--source", default=DEFAULT_SOURCE)
    ap.add_argument("--names", default=DEFAULT_NAMES)
    ap.add_argument("--extract-names", metavar="EDINETCODE_CSV",
                    help="write the --names excerpt from the whole EDINET code list")
    ap.add_argument("--overrides", default=os.path.join(HERE, "nikkei225-overrides.csv"))
    ap.add_argument("--psl", default=psl.DEFAULT_PSL)
    ap.add_argument("--report", action="store_true",
                    help="print the material for reviewing overrides; write nothing")
    args = ap.parse_args()
    try:
        if args.report:
            report(args.source, args.psl)
            return 0
        if args.extract_names:
            extract_names(args.extract_names, args.source, args.output or DEFAULT_NAMES)
            return 0
        text = render(build(args.source, args.overrides, args.psl, args.names))
    except (BuildError, OSError, UnicodeDecodeError) as e:
        print("build-nikkei225: %s" % e, file=sys.stderr)
        return 1
    psl.write_output(args.output or os.path.join(HERE, "nikkei225.csv"), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
