#!/usr/bin/python3
"""Builds lists/tranco-sample.txt from a Tranco top-sites CSV.

    build-tranco-sample.py SOURCE_CSV [-n N] [-o OUT] [--psl DAT]
        [--source-note TEXT]

SOURCE_CSV is "rank,domain" without a header (the sublime-security/
static-files export of the Tranco list: names that are themselves on the
Public Suffix List already dropped, original ranks kept). The source is
not copied into the repository (950 kB for 50,000 names); lists/README.md
records which file, commit and SHA-256 the committed sample came from.

Output (-o, default tranco-sample.txt beside this script; "-" stdout):
"#" comment lines (source, PSL version, count), then the first N (default
10,000) distinct registrable domains in rank order, one per line, lower
case, LF line ends. Each name is reduced to its registrable domain with the
bundled Public Suffix List (lists/psl.py, which agrees with libpsl); a name
that is itself a public suffix by libpsl's reading (e.g. "run.app", a
parent of a wildcard rule) is skipped, and a registrable domain already
seen is not repeated. Fails (exit 1) when the source holds fewer than N.

Deterministic: the same inputs give the same bytes. Python 3 standard
library only; run with /usr/bin/python3.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import psl  # noqa: E402  (lists/psl.py)


def sample(source, n, p):
    """([domain], skipped public suffixes, reduced names, last rank used)."""
    out, seen, skipped, reduced, last = [], set(), [], 0, None
    with open(source, encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                rank, name = line.split(",")
                int(rank)
            except ValueError:
                raise SystemExit("build-tranco-sample: %s:%d: expected rank,domain"
                                 % (source, lineno))
            reg = p.registrable(name)
            if reg is None:
                skipped.append(name)
                continue
            if reg != name.lower():
                reduced += 1
            if reg in seen:
                continue
            seen.add(reg)
            out.append(reg)
            last = rank
            if len(out) == n:
                return out, skipped, reduced, last
    raise SystemExit("build-tranco-sample: %s holds only %d registrable domains, "
                     "%d wanted" % (source, len(out), n))


def main():
    ap = argparse.ArgumentParser(
        description="Write the first N distinct registrable domains of a Tranco "
        "rank,domain CSV, one per line, with a # header.",
        epilog="See the header of this script for details.")
    ap.add_argument("source", metavar="SOURCE_CSV")
    ap.add_argument("-n", type=int, default=10000, help="how many (default %(default)s)")
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "tranco-sample.txt"))
    ap.add_argument("--psl", default=psl.DEFAULT_PSL)
    ap.add_argument("--source-note", default=None,
                    help="text for the '# source:' header line (default: the file name)")
    args = ap.parse_args()
    if args.n < 1:
        ap.error("-n must be positive")
    p = psl.Psl(args.psl)
    names, skipped, reduced, last = sample(args.source, args.n, p)
    head = [
        "# Tranco top sites: the first %d distinct registrable domains, in rank order." % len(names),
        "# source: %s" % (args.source_note or os.path.basename(args.source)),
        "# Tranco (Le Pochat et al., NDSS 2019, https://tranco-list.eu/); see lists/README.md",
        "# reduced with the Public Suffix List %s (lists/psl.py)" % (p.version or "?"),
        "# last source rank used: %s; skipped as public suffixes: %s"
        % (last, " ".join(skipped) or "none"),
        "# built by lists/build-tranco-sample.py; one domain per line after these comments",
    ]
    text = "\n".join(head + names) + "\n"
    psl.write_output(args.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
