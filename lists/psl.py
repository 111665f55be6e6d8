#!/usr/bin/python3
"""Registrable domains by the Public Suffix List (publicsuffix.org algorithm).

    psl.py [--psl FILE] NAME...     prints each NAME's registrable domain
                                    ("-" when NAME is itself a public suffix)

Importable by the list builders in this folder (build-nikkei225.py,
build-tranco-sample.py): `Psl(path).registrable(name)`, and
`write_output(path, text)`, how both write their list.

Python 3 standard library only. Reads the list bundled beside this file
(lists/public_suffix_list.dat) unless --psl names another. Both sections
(ICANN and PRIVATE) are used, as libpsl's psl_load_fp() does in posture's
scanner/dmarc/psl.c, so a name here reduces the same way posture reduces it.
Names are compared in lower case; Unicode rules are matched in their
IDNA (punycode) form too, so ASCII input such as "xn--..." works.

The algorithm (https://publicsuffix.org/list/, "Formal algorithm"):
the longest matching rule wins, an exception rule ("!") beats any other
and makes its parent the public suffix, "*" matches exactly one label,
and an unlisted TLD is a public suffix by the implicit "*" rule. The
registrable domain is the public suffix plus one label. One departure,
to agree with libpsl 0.21: a wildcard rule "*.x" makes "x" a public
suffix as well (so "run.app" has no registrable domain).
"""
import argparse
import os
import sys

DEFAULT_PSL = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "public_suffix_list.dat")


def _ascii(rule):
    """The rule in ASCII (IDNA) form, label by label; "*" kept."""
    out = []
    for label in rule.split("."):
        if label == "*" or label.isascii():
            out.append(label.lower())
        else:
            out.append(label.encode("idna").decode("ascii"))
    return ".".join(out)


class Psl:
    """A loaded Public Suffix List."""

    def __init__(self, path=DEFAULT_PSL):
        self.rules = set()
        self.exceptions = set()
        self.version = None
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line.startswith("// VERSION: "):
                    self.version = line[len("// VERSION: "):]
                if not line or line.startswith("//"):
                    continue
                # A rule ends at the first white space (the list's format).
                rule = line.split()[0]
                if rule.startswith("!"):
                    self.exceptions.add(_ascii(rule[1:]))
                else:
                    self.rules.add(_ascii(rule))
                    # libpsl (which posture uses) also treats the parent
                    # of a wildcard rule as a public suffix: with
                    # "*.sch.uk", "sch.uk" has no registrable domain.
                    if rule.startswith("*."):
                        self.rules.add(_ascii(rule[2:]))

    def public_suffix_labels(self, labels):
        """How many rightmost labels of `labels` form the public suffix."""
        best = 1  # the implicit "*" rule
        for n in range(1, len(labels) + 1):
            cand = labels[-n:]
            name = ".".join(cand)
            if name in self.exceptions:
                return n - 1  # the exception's parent is the suffix
            wild = ".".join(["*"] + cand[1:])
            if name in self.rules or wild in self.rules:
                best = n
        return best

    def registrable(self, name):
        """The registrable domain of `name`, or None if `name` is itself a
        public suffix (or empty)."""
        name = name.strip().rstrip(".").lower()
        if not name:
            return None
        labels = name.split(".")
        n = self.public_suffix_labels(labels)
        if n >= len(labels):
            return None
        return ".".join(labels[-(n + 1):])


def write_output(path, text):
    """Writes a builder's output: to stdout for "-", else to path through
    a temporary file, so a failed run never leaves half a list."""
    if path == "-":
        sys.stdout.write(text)
        return
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(
        description="Print each NAME's registrable domain by the Public "
        "Suffix List ('-' for a public suffix).")
    ap.add_argument("--psl", default=DEFAULT_PSL,
                    help="the list to use (default: %(default)s)")
    ap.add_argument("names", nargs="+", metavar="NAME")
    args = ap.parse_args()
    psl = Psl(args.psl)
    for n in args.names:
        print(psl.registrable(n) or "-")
    return 0


if __name__ == "__main__":
    sys.exit(main())
