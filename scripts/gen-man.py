#!/usr/bin/python3
"""Writes posture's man page and bash completion from the binary's own help.

    gen-man.py [--posture BIN] [--man FILE] [--completion FILE] [--check]

Everything comes from `posture --help` and `posture CMD --help`: the
commands are the ones the top-level help lists whose own --help succeeds
(a command main.c lists as not implemented yet refuses --help, so it is
left out until it lands: regenerating after a merge is all a new command
needs, `make man`). Sub-commands (`spf eval`, `db merge`) are the literal
words after the command in its usage lines; options are the --words of
each help, and an option takes an argument when the help shows it with one
(`--db FILE`). The output depends only on the help text (no date, no
version), so a check can regenerate it and compare.

  --posture BIN       the binary (default build/posture)
  --man FILE          write the man page (roff, man macros) there
  --completion FILE   write the bash completion there
  --check             write nothing; exit 1 and say "run make man" if a
                      given FILE differs from what would be written

Standard library only.
"""
import argparse
import re
import subprocess
import sys

# --- reading the help ------------------------------------------------------------


def help_text(posture, *cmd):
    """The help of posture (or of one command), or None when it refuses."""
    p = subprocess.run([posture, *cmd, "--help"], capture_output=True, text=True, timeout=30)
    return p.stdout if p.returncode == 0 else None


def blocks(text):
    """The text's paragraphs (runs of non-blank lines), each a list of lines."""
    out, cur = [], []
    for line in text.rstrip("\n").split("\n"):
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def items(lines):
    """'  NAME  text' lines (continuations indented deeper) -> [(NAME, text)]."""
    out = []
    for line in lines:
        m = re.match(r"^  (\S(?:.*?\S)?)(?: {2,}(.*))?$", line)
        if m and not line.startswith("   "):
            out.append([m.group(1), m.group(2) or ""])
        elif out:
            out[-1][1] = (out[-1][1] + " " + line.strip()).strip()
    return [tuple(i) for i in out]


class Help:
    """The top-level help, split into what the page needs."""

    def __init__(self, text):
        self.usage, self.description, self.listed = "", [], []
        self.globals, self.exit_status, self.examples, self.other = [], "", [], []
        self.environment = []
        for b in blocks(text):
            head = b[0]
            if head.startswith("usage: "):
                self.usage = " ".join(line.strip() for line in b)[len("usage: "):]
            elif head.endswith(":") and not head.startswith(" "):
                kind = head.lower()
                if kind.startswith("global options"):
                    self.globals, self.global_lines = items(b[1:]), b[1:]
                elif kind.startswith("example"):
                    self.examples += [line.strip() for line in b[1:]]
                elif kind.startswith("environment"):
                    self.environment = items(b[1:])
                else:
                    # "Commands:", "Not implemented yet (...):": command lists.
                    self.listed += [name for name, _ in items(b[1:])]
            elif head.lower().startswith("exit status"):
                self.exit_status = " ".join(line.strip() for line in b)
            elif not self.description:
                self.description = [line.strip() for line in b]
            else:
                self.other.append(b)


class Command:
    def __init__(self, name, summary, text):
        self.name, self.summary, self.text = name, summary, text
        b = blocks(text)
        self.usage = []  # one string per usage line, without "usage: "
        for line in b[0] if b and b[0][0].startswith("usage: ") else []:
            if line.startswith("usage: ") or line.strip().startswith("posture "):
                self.usage.append(line.strip()[len("usage: "):] if line.startswith("usage: ")
                                  else line.strip())
            elif self.usage:
                self.usage[-1] += " " + line.strip()
        self.body = b[1:] if self.usage else b
        self.subcommands = []
        for u in self.usage:
            words = u.split()
            if len(words) > 2 and words[1] == name and re.fullmatch(r"[a-z][a-z-]*", words[2]):
                if words[2] not in self.subcommands:
                    self.subcommands.append(words[2])
        self.options = options("\n".join(self.usage) + "\n" + "\n".join(
            line for line in text.split("\n") if re.match(r"^\s+-", line)))
        self.examples = []
        for blk in b:
            if blk[0].lower().startswith("example"):
                self.examples += [line.strip() for line in blk[1:]]


OPT_WITH_ARG = re.compile(r"(--[a-z][a-z0-9-]*)[ =](?=[A-Z]|[a-z]+,[a-z])([^\s\]]+)")


def options(text):
    """{option: metavar or None} of every --option the text shows (the
    usage lines and the lines of option lists, not the prose, which names
    other commands' options too)."""
    out = {}
    for m in re.finditer(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])", text):
        out.setdefault(m.group(1), None)
    for m in OPT_WITH_ARG.finditer(text):
        out[m.group(1)] = m.group(2)
    return out


def summaries(text):
    """{command: summary} from the top-level help's command lists."""
    out = {}
    for b in blocks(text):
        if b[0].endswith(":") and not b[0].startswith(" ") and b[0].lower().startswith(
                ("commands", "not implemented")):
            out.update(dict(items(b[1:])))
    return out


def read(posture):
    top = help_text(posture)
    if top is None:
        raise SystemExit("gen-man: %s --help failed" % posture)
    h = Help(top)
    summ = summaries(top)
    cmds = []
    for name in h.listed:
        text = help_text(posture, name)
        if text is not None:
            cmds.append(Command(name, summ.get(name, ""), text))
    if not cmds:
        raise SystemExit("gen-man: no command of %s answers --help" % posture)
    return h, cmds


# --- the man page -------------------------------------------------------------------


def esc(text):
    """Text for roff: backslashes, hyphen-minus (options stay copyable),
    non-ASCII characters as \\[uXXXX]; a line never starts with . or '."""
    out = []
    for ch in text.replace("\\", "\\e").replace("-", "\\-"):
        out.append(ch if ord(ch) < 128 else "\\[u%04X]" % ord(ch))
    s = "".join(out)
    return "\\&" + s if s[:1] in (".", "'") else s


def synopsis(u):
    """A usage line as a .SY block: the command words in bold, the rest
    filled with a hanging indent, a [...] group never broken."""
    words = u.split()
    lead = []
    while words and re.fullmatch(r"[a-z][a-z-]*", words[0]):
        lead.append(words.pop(0))
    rest, depth = [], 0
    for ch in " ".join(words):
        depth += (ch == "[") - (ch == "]")
        rest.append("\\ " if ch == " " and depth > 0 else esc(ch))
    return '.SY "%s"\n%s\n.YS' % (esc(" ".join(lead)), "".join(rest))


def tag(name):
    """An item's name: options and the first word bold, arguments italic."""
    out = []
    for k, word in enumerate(name.split()):
        font = "B" if k == 0 or word.startswith("-") else "I"
        out.append("\\f%s%s\\fR" % (font, esc(word)))
    return " ".join(out)


ITEM = re.compile(r"^  (\S(?:.*?\S)?) {2,}\S")


def indented_roff(run):
    """An indented run of help lines: a bullet list, a NAME-text list, or
    (anything else) kept as it is."""
    if run[0].startswith("  - ") and all(l.startswith(("  - ", "    ")) for l in run):
        pts = []
        for line in run:
            if line.startswith("  - "):
                pts.append(line[4:])
            else:
                pts[-1] += " " + line.strip()
        return "\n".join('.IP "\\(bu" 2\n%s' % esc(t) for t in pts)
    if ITEM.match(run[0]) and all(ITEM.match(l) or l.startswith("   ") for l in run):
        # The help's own text column gives the tag width.
        width = min(ITEM.match(run[0]).end() - 3, 24)
        return ".RS 2\n.PD 0\n%s\n.PD\n.RE" % "\n".join(
            ".TP %d\n%s\n%s" % (width, tag(n), esc(t)) for n, t in items(run))
    return ".RS 2\n.nf\n%s\n.fi\n.RE" % "\n".join(esc(line[2:] if line.startswith("  ")
                                                              else line) for line in run)


def body_roff(bl):
    """A help paragraph: unindented runs filled, indented runs by shape."""
    out, run, indented = [], [], None
    for line in bl + [None]:
        ind = line is not None and line.startswith(" ")
        if line is None or (run and ind != indented):
            out.append(indented_roff(run) if indented else
                       ".PP\n" + "\n".join(esc(l.strip()) for l in run))
            run = []
        if line is not None:
            run.append(line)
            indented = ind
    return "\n".join(out)


def man_page(h, cmds):
    out = ['.\\" posture(1) -- generated by scripts/gen-man.py from posture --help and',
           '.\\" each command\'s --help. Do not edit: run make man.',
           '.TH POSTURE 1 "" "posture" "posture manual"',
           '.\\" Left-aligned, no hyphenation: option names must stay whole.',
           ".ad l", ".nh", ".nr HY 0", ".SH NAME"]
    desc = " ".join(h.description)
    out.append("posture \\- " + esc(re.sub(r"^posture ", "", desc)))
    out.append(".SH SYNOPSIS")
    out.append(synopsis(h.usage))
    for c in cmds:
        out += [synopsis(u) for u in c.usage]
    out.append(".SH DESCRIPTION")
    out.append(esc(desc))
    for b in h.other:
        out.append(body_roff(b))
    out.append(".PP\nGlobal options go anywhere on the line. "
               "\\fBposture\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR prints a command's help, "
               "the text of its subsection below.")
    out.append(".SH COMMANDS")
    for c in cmds:
        out.append(".SS %s" % esc(c.name))
        if c.summary:
            out.append(esc(c.summary[0].upper() + c.summary[1:]) + ".")
        out += [synopsis(u) for u in c.usage]
        for b in c.body:
            out.append(body_roff(b))
    out.append(".SH GLOBAL OPTIONS")
    out.append(indented_roff(h.global_lines))
    out.append(".SH EXIT STATUS")
    codes = re.findall(r"(\d+) ([^,.]+)", h.exit_status)
    for code, meaning in codes:
        out.append(".TP\n.B %s\n%s" % (code, esc(meaning.strip())))
    out.append(".PP\nEach command's subsection says what its statuses mean for it.")
    out.append(".SH ENVIRONMENT")
    for name, text in h.environment:
        text = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
        out.append(".TP\n.B %s\n%s" % (esc(name), esc(text)))
    out.append(".SH FILES\n.TP\n.I /etc/resolv.conf\n"
               "The system resolver, asked unless \\fB\\-\\-resolver\\fR or "
               "\\fBPOSTURE_RESOLVER\\fR is given.")
    out.append(".SH EXAMPLES\n.nf")
    seen = []
    for e in h.examples + [e for c in cmds for e in c.examples[:1]]:
        if e not in seen:
            seen.append(e)
    out += [esc(e) for e in seen]
    out.append(".fi\n.SH SEE ALSO\n"
               "\\fBdig\\fR(1), \\fBopenssl\\fR(1), \\fBsqlite3\\fR(1); RFC 7208 (SPF), "
               "RFC 7489 and RFC 9989 (DMARC), RFC 7505 (null MX), the BIMI drafts; "
               "the project's README.")
    return "\n".join(out) + "\n"


# --- the bash completion -----------------------------------------------------------

FILE_ARG = re.compile(r"FILE|LOGO|PATH|DIR|\.db|\.pem")


def completion(h, cmds):
    glob = {}
    for opt, _ in h.globals:
        for word in re.findall(r"--?[a-zA-Z][a-z0-9-]*", opt):
            glob[word] = bool(re.search(r"\s\S", opt.split(",")[-1].strip()))
    args = {o for o, a in glob.items() if a}
    files = set()
    for c in cmds:
        for o, meta in c.options.items():
            if meta is not None:
                (files if FILE_ARG.search(meta) else args).add(o)
    args -= files
    q = " ".join
    out = ["# bash completion for posture -- generated by scripts/gen-man.py from",
           "# posture --help and each command's --help. Do not edit: run make man.",
           "# Install: copy to /usr/share/bash-completion/completions/posture, or source it.",
           "",
           "_posture() {",
           "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}",
           "\tlocal i w cmd= npos=0 opts= subs=",
           '\tlocal globals="%s"' % q(sorted(glob)),
           '\tlocal commands="%s"' % q(c.name for c in cmds),
           "\tCOMPREPLY=()",
           "\t# The command is the first word that is neither an option nor an",
           "\t# option's argument; npos counts the positional words after it.",
           "\tfor ((i = 1; i < COMP_CWORD; i++)); do",
           "\t\tw=${COMP_WORDS[i]}",
           "\t\tcase $w in",
           "\t\t%s) ((i++)); continue ;;" % "|".join(sorted(args | files) or ["--"]),
           "\t\t-*) continue ;;",
           "\t\tesac",
           '\t\tif [ -z "$cmd" ]; then cmd=$w; else ((npos++)); fi',
           "\tdone",
           "\tcase $prev in"]
    if files:
        out.append('\t%s) COMPREPLY=($(compgen -f -- "$cur")); return ;;' % "|".join(sorted(files)))
    if args:
        out.append("\t%s) return ;;" % "|".join(sorted(args)))
    out += ["\tesac",
           '\tif [ -z "$cmd" ]; then',
           '\t\tif [[ $cur == -* ]]; then w=$globals; else w=$commands; fi',
           '\t\tCOMPREPLY=($(compgen -W "$w" -- "$cur"))',
           "\t\treturn",
           "\tfi",
           "\tcase $cmd in"]
    for c in cmds:
        out.append('\t%s) opts="%s" subs="%s" ;;'
                   % (c.name, q(sorted(set(c.options) - set(glob))), q(c.subcommands)))
    out += ["\t*) return ;;",
            "\tesac",
            "\tif [[ $cur == -* ]]; then",
            '\t\tCOMPREPLY=($(compgen -W "$opts $globals" -- "$cur"))',
            '\telif [ -n "$subs" ] && [ "$npos" -eq 0 ]; then',
            '\t\tCOMPREPLY=($(compgen -W "$subs" -- "$cur"))',
            "\tfi",
            '\t[ ${#COMPREPLY[@]} -gt 0 ] || COMPREPLY=($(compgen -f -- "$cur"))',
            "}",
            "complete -o filenames -F _posture posture"]
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Write posture's man page and bash completion "
                                 "from its --help.")
    ap.add_argument("--posture", default="build/posture")
    ap.add_argument("--man", metavar="FILE")
    ap.add_argument("--completion", metavar="FILE")
    ap.add_argument("--check", action="store_true",
                    help="compare instead of writing; exit 1 when a file differs")
    a = ap.parse_args()
    if not a.man and not a.completion:
        ap.error("give --man FILE, --completion FILE, or both")
    h, cmds = read(a.posture)
    stale = []
    for path, text in ((a.man, man_page(h, cmds) if a.man else None),
                       (a.completion, completion(h, cmds) if a.completion else None)):
        if path is None:
            continue
        if a.check:
            try:
                with open(path, encoding="utf-8") as f:
                    same = f.read() == text
            except FileNotFoundError:
                same = False
            if not same:
                stale.append(path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("gen-man: %s out of date with posture --help: run make man" % ", ".join(stale),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
