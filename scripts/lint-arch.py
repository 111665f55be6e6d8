#!/usr/bin/python3
"""posture's architecture rules, checked (make lint runs this).

    scripts/lint-arch.py [--root DIR]

Exits 0 when the tree keeps every rule, 1 with one line per violation
(file:line: rule: what), 2 on a usage error. Stdlib only. The rules, and
why each exists (doc/architecture.md has the picture):

1. Layers. Each source folder is a layer; a file may include the headers
   of its own folder and of the folders below it (LAYERS). So the command
   line is the only user of cli/ headers (output.h among them), the pure
   checks (spf, dmarc, dkim, bimi) never see the scan driver, the store or the
   adapters, and db/ and reports/ sit beside the scan driver.
2. Third-party headers. Each library is included by the files named in
   THIRD_PARTY and nowhere else, and never by a header of the engine:
   its types stay out of the project's interfaces (cli/, which nothing
   includes, may use jansson in its own headers).
3. Pure checks do no I/O. The check and utility folders include no
   socket, event-loop or file-descriptor header (IO_HEADERS).
4. SQL only in db/. A string literal outside db/ that reads as SQL is a
   violation: other layers call the store's functions.
5. Short functions. No function body is longer than MAX_FUNCTION_LINES
   (from its opening brace to its closing brace).
6. Finding codes. Every finding code in the engine's sources is in the
   registry (scanner/util/findings.def), and every code of the registry
   is emitted somewhere: doc/findings.md is generated from the registry,
   so a code outside it is undocumented and a code only in it is a lie.
7. Folder size. No source folder holds more than MAX_C_FILES .c files
   (cli/: MAX_C_FILES_CLI, one file per command), and each has a README.md.
"""
import argparse
import os
import re
import sys

MAX_FUNCTION_LINES = 150
MAX_C_FILES = 20
# cli/ is one file per command beside its own four (main.c, cli.c,
# output.c, dbread.c): it grows with the commands, not with a second
# concern, so it gets room for the commands of issue 24.
MAX_C_FILES_CLI = 28

# folder -> the folders whose headers it may include (itself implied).
# Read as: the left depends on the right, never the other way round.
LAYERS = {
    "scanner/util": [],
    "scanner/dns": ["scanner/util"],
    "scanner/fetch": ["scanner/util", "scanner/dns"],
    "scanner/spf": ["scanner/util"],
    "scanner/dmarc": ["scanner/util", "scanner/spf"],
    "scanner/dkim": ["scanner/util"],
    "scanner/bimi": ["scanner/util", "scanner/spf", "scanner/dmarc"],
    "scanner/transport": ["scanner/util"],
    "feedback": ["scanner/util"],
    "message": ["scanner/util"],
    "db": ["scanner/util", "feedback"],
    "scanner/scan": ["scanner/util", "scanner/dns", "scanner/fetch", "scanner/spf",
                     "scanner/dmarc", "scanner/dkim", "scanner/bimi", "scanner/transport",
                     "feedback", "db"],
    "reports": ["scanner/util", "feedback", "db"],
    "cli": ["scanner/util", "scanner/dns", "scanner/fetch", "scanner/spf",
            "scanner/dmarc", "scanner/dkim", "scanner/bimi", "scanner/transport", "feedback",
            "message", "scanner/scan", "db", "reports"],
}
# Folders whose code must stay pure: no I/O header, no third-party
# library beyond the parsers' own (libxml2, OpenSSL, zlib, libpsl, libidn2).
PURE = ["scanner/util", "scanner/spf", "scanner/dmarc", "scanner/dkim", "scanner/bimi",
        "scanner/transport", "feedback", "message"]

# library -> (how its headers are named, the files that may include them).
# A path ending in "/" stands for every file of that folder.
THIRD_PARTY = {
    "getdns": (r"getdns/", ["scanner/dns/dns.c", "scanner/dns/dnssec.c"]),
    "libcurl": (r"curl/", ["scanner/fetch/fetch.c"]),
    "sqlite3": (r"sqlite3\.h$", ["db/store.c", "db/checkpoint.c", "db/results.c",
                                "db/merge.c", "db/prune.c", "db/schema.c",
                                "db/fbstore.c", "db/store_impl.h"]),
    "zstd": (r"zstd\.h$|zdict\.h$", ["db/zbody.c"]),
    "OpenSSL": (r"openssl/", ["scanner/bimi/vmc.c", "scanner/bimi/svg.c",
                              "scanner/bimi/logotype.c", "scanner/dkim/dkim.c",
                              "feedback/fb_failure.c"]),
    "libxml2": (r"libxml/", ["scanner/bimi/svg.c", "feedback/fb_aggregate.c",
                             "scanner/util/xmlsafe.c"]),
    "zlib": (r"zlib\.h$", ["scanner/bimi/logotype.c", "feedback/fb_unpack.c"]),
    "libzip": (r"^zip\.h$", ["feedback/fb_unpack.c"]),
    "jansson": (r"jansson\.h$", ["cli/", "reports/row.c", "reports/write.c",
                                "reports/write_impl.h", "reports/findings.c",
                                "feedback/fb_tls.c"]),
    "libpsl": (r"libpsl\.h$", ["scanner/dmarc/psl.c"]),
    "libidn2": (r"idn2\.h$", ["scanner/util/domainlist.c"]),
    # DKIM verification of a received message (message/README.md).
    "libopendkim": (r"opendkim/|^dkim\.h$", ["message/msg_verify.c"]),
    "cmocka": (r"cmocka\.h$", []),
}
IO_HEADERS = re.compile(r"^(sys/socket\.h|sys/epoll\.h|sys/select\.h|poll\.h|netdb\.h|"
                        r"unistd\.h|fcntl\.h|sys/un\.h|netinet/tcp\.h)$")
SQL = re.compile(r"\b(SELECT\b.*\bFROM|INSERT\s+INTO|UPDATE\b.*\bSET|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX|VIEW)|PRAGMA\s+\w+)\b", re.I)
FINDING_CODE = re.compile(r"^(spf|dmarc|bimi|vmc|svg|dkim|mta_sts|tls_rpt|tlsrpt|dnssec|dane|"
                          r"report|header|headers)\.[a-z0-9_]+$")
REGISTRY = "scanner/util/findings.def"
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def strip_code(text):
    """The text with comments and the contents of string/char literals
    blanked (offsets and newlines kept, so positions hold), and the
    string literals with their line numbers."""
    out, lits = [], []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = text[i:j]
            out.append("".join("\n" if ch == "\n" else " " for ch in chunk))
            line += chunk.count("\n")
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == '"' or c == "'":
            j, buf = i + 1, []
            while j < n and text[j] != c and text[j] != "\n":
                if text[j] == "\\" and j + 1 < n:
                    buf.append(text[j:j + 2])
                    j += 2
                else:
                    buf.append(text[j])
                    j += 1
            if c == '"':
                lits.append((line, "".join(buf)))
            # Blank the contents, keep the offsets.
            out.append(c + " " * (j - i - 1) + (c if j < n and text[j] == c else ""))
            i = j + 1 if j < n and text[j] == c else j
        else:
            if c == "\n":
                line += 1
            out.append(c)
            i += 1
    return "".join(out), lits


def functions(stripped):
    """[(name, first line, last line)] of the function bodies: a brace at
    file level whose previous non-blank character closes a parameter list."""
    res, depth, start, name = [], 0, 0, None
    line = 1
    prev = ""
    for i, c in enumerate(stripped):
        if c == "\n":
            line += 1
        elif c == "{":
            if depth == 0 and prev == ")":
                head = stripped[:i]
                k = head.rfind(")")
                # Walk back to the matching "(" and take the word before it.
                d, j = 0, k
                while j >= 0:
                    if head[j] == ")":
                        d += 1
                    elif head[j] == "(":
                        d -= 1
                        if d == 0:
                            break
                    j -= 1
                m = re.search(r"(\w+)\s*$", head[:max(j, 0)])
                name = m.group(1) if m else "?"
                start = line
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and name is not None:
                res.append((name, start, line))
                name = None
        if not c.isspace():
            prev = c
    return res


def registry_codes(root):
    path = os.path.join(root, REGISTRY)
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8").read()
    stripped, _ = strip_code(text)
    codes = {}
    for m in re.finditer(r'FINDING\(\s*"([^"]+)"', text):
        line = text.count("\n", 0, m.start()) + 1
        # Only entries outside comments count.
        if stripped[m.start():m.start() + 8] == "FINDING(":
            codes[m.group(1)] = line
    return codes


def source_files(root):
    out = []
    for folder in LAYERS:
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith((".c", ".h")):
                out.append(f"{folder}/{f}")
    return out


def lint(root):
    problems = []

    def bad(path, line, rule, what):
        problems.append(f"{path}:{line}: {rule}: {what}")

    files = source_files(root)
    header_home = {}
    for f in files:
        if f.endswith(".h"):
            base = os.path.basename(f)
            if base in header_home:
                bad(f, 1, "layers", f"header name also used by {header_home[base]}")
            header_home[base] = os.path.dirname(f)

    for folder in LAYERS:
        d = os.path.join(root, folder)
        if not os.path.isdir(d):
            continue
        n = sum(1 for f in os.listdir(d) if f.endswith(".c"))
        most = MAX_C_FILES_CLI if folder == "cli" else MAX_C_FILES
        if n > most:
            bad(folder, 0, "folder-size", f"{n} .c files (at most {most})")
        if not os.path.exists(os.path.join(d, "README.md")):
            bad(folder, 0, "folder-readme", "no README.md (what it owns, may include, entry points)")

    used_codes = {}
    for f in files:
        folder = os.path.dirname(f)
        allowed = set(LAYERS[folder]) | {folder}
        text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
        for n, line in enumerate(text.split("\n"), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.groups()
            if kind == '"' and name.endswith(".def"):
                # An X-macro table: a data file of its own folder.
                if not os.path.exists(os.path.join(root, folder, name)):
                    bad(f, n, "layers", f'"{name}" is not in {folder}/')
                continue
            if kind == '"':
                home = header_home.get(os.path.basename(name))
                if home is None:
                    bad(f, n, "layers", f'"{name}" is no header of posture\'s folders')
                elif home not in allowed:
                    bad(f, n, "layers", f"{folder} may not include {home}/{os.path.basename(name)}")
                elif name.endswith("_impl.h") and home != folder:
                    bad(f, n, "layers", f"{name} is private to {home}/")
                continue
            for lib, (pattern, where) in THIRD_PARTY.items():
                if re.search(pattern, name):
                    # A folder named whole (cli/) may use the library in
                    # its headers too: nothing below it sees them.
                    # A folder's private header (NAME_impl.h, which no
                    # other folder may include) may be named too.
                    ok = any((f == w and (f.endswith(".c") or f.endswith("_impl.h")))
                             or (w.endswith("/") and f.startswith(w)) for w in where)
                    if not ok:
                        bad(f, n, "third-party", f"<{name}> ({lib}) only in {', '.join(where) or 'tests'}")
            if folder in PURE and IO_HEADERS.match(name):
                bad(f, n, "pure", f"<{name}>: the checks and utilities do no I/O")
        stripped, lits = strip_code(text)
        raw_lines = text.split("\n")
        for line, lit in lits:
            if INCLUDE.match(raw_lines[line - 1]):
                continue
            if not folder == "db" and SQL.search(lit):
                bad(f, line, "sql", f'SQL outside db/: "{lit[:60]}"')
            if FINDING_CODE.match(lit) and (folder.startswith("scanner/")
                                            or folder in ("feedback", "message")):
                used_codes.setdefault(lit, (f, line))
        if f.endswith(".c"):
            for name, first, last in functions(stripped):
                if last - first + 1 > MAX_FUNCTION_LINES:
                    bad(f, first, "function-length",
                        f"{name}() is {last - first + 1} lines (at most {MAX_FUNCTION_LINES})")

    codes = registry_codes(root)
    if codes is None:
        bad(REGISTRY, 0, "findings", "no finding registry")
    else:
        for code, (f, line) in sorted(used_codes.items()):
            if code not in codes:
                bad(f, line, "findings", f'"{code}" is not in {REGISTRY}')
        for code, line in sorted(codes.items()):
            if code not in used_codes:
                bad(REGISTRY, line, "findings", f'"{code}" is registered but nothing emits it')
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args = ap.parse_args()
    problems = lint(os.path.abspath(args.root))
    for p in problems:
        print(p)
    if problems:
        sys.stdout.flush()
        print(f"lint-arch: {len(problems)} violation(s)", file=sys.stderr)
        return 1
    print("lint-arch: layers, includes, function lengths and finding codes ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
