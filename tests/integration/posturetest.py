"""Helpers shared by the integration suites (tests/integration/test_*.py).

run.sh starts them inside `tests/bed/bed.sh run`, which exports BED_AUTH
(Knot serving tests/zones) and BED_FAULT (faultdns.py). POSTURE names the
binary under test (build/posture or build-asan/posture).
"""
import json
import os
import shutil
import subprocess

POSTURE = os.path.abspath(os.environ.get("POSTURE", "build/posture"))
AUTH = os.environ["BED_AUTH"]
FAULT = os.environ["BED_FAULT"]


def run(*args, resolver=AUTH):
    """Runs posture (against the bed's authoritative server unless told
    otherwise; resolver=None: no --resolver); returns (exit status, stdout,
    stderr)."""
    cmd = [POSTURE, *args]
    if resolver:
        cmd += ["--resolver", resolver]
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode()


def run_json(*args, resolver=None):
    """Runs posture with --json; returns (exit status, parsed output)."""
    rc, out, err = run(*args, "--json", resolver=resolver or AUTH)
    try:
        return rc, json.loads(out)
    except json.JSONDecodeError as e:
        raise AssertionError(f"not JSON ({e}): {out!r} {err!r}")


def codes(d):
    """The set of finding codes of a result."""
    return {f["code"] for f in d["findings"]}


def finding(d, code):
    """The first finding with that code."""
    return next(f for f in d["findings"] if f["code"] == code)


ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BED = os.path.join(ROOT, "tests", "bed", "bed.sh")


def demo_bed_start(tmp):
    """Generates the demo world (scripts/gen-demo.py) in tmp/world and
    starts a bed serving it in tmp/bed; returns (world dir, bed dir, the
    bed's bed.env as a dict). On failure removes tmp and raises. Stop it
    with demo_bed_stop."""
    world, bed = os.path.join(tmp, "world"), os.path.join(tmp, "bed")
    p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "gen-demo.py"),
                        world, "-q"], capture_output=True, text=True, timeout=120)
    if p.returncode == 0:
        env = dict(os.environ, BED_ZONES=os.path.join(world, "zones"),
                   BED_HTTPS_ROOT=os.path.join(world, "https"))
        p = subprocess.run([BED, "start", bed], env=env, capture_output=True, text=True,
                           timeout=60)
    if p.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise AssertionError(p.stderr)
    values = {}
    with open(os.path.join(bed, "bed.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            values[k] = v.strip("'\"")
    return world, bed, values


def demo_bed_stop(tmp):
    """Stops the bed of demo_bed_start and removes tmp."""
    subprocess.run([BED, "stop", os.path.join(tmp, "bed")], capture_output=True, timeout=60)
    shutil.rmtree(tmp, ignore_errors=True)


def stored_results(db, run=None):
    """Every domain's stored result JSON of a run (default: the newest run,
    whatever its state), as posture db export gives it: {domain: result}.
    The database stores results compressed, so tests read them through the
    command line, not SQL."""
    if run is None:
        import sqlite3
        con = sqlite3.connect(db)
        try:
            run = con.execute("SELECT max(id) FROM runs").fetchone()[0]
        finally:
            con.close()
    p = subprocess.run([POSTURE, "db", "export", "--db", db, "--run", str(run)],
                       capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise AssertionError("posture db export: exit %d: %s" % (p.returncode, p.stderr))
    out = {}
    for line in p.stdout.splitlines():
        o = json.loads(line)
        out[o["domain"]] = o["result"]
    return out


def inconclusive_why(db):
    """For a failure message when a scan that should finish did not: each
    inconclusive result of the newest run and every "detail" its JSON
    holds (the DNS outcome that left it without a verdict: a timeout, a
    SERVFAIL...), so a rare failure says what happened."""
    try:
        res = stored_results(db)
    except (AssertionError, OSError, ValueError) as e:
        return "(no stored results: %s)" % e

    def details(o, path=""):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "readiness":  # BIMI's checklist repeats the others
                    continue
                if k == "detail" and isinstance(v, str) and v:
                    yield "%s: %s" % (path or "$", v)
                else:
                    yield from details(v, path + "." + k)
        elif isinstance(o, list):
            for i, v in enumerate(o):
                yield from details(v, "%s[%d]" % (path, i))
    return "; ".join("%s -> %s" % (d, ", ".join(details(r)) or "(no detail)")
                     for d, r in sorted(res.items()) if r.get("conclusive") is False) \
        or "(no inconclusive result)"


def let_others_reach(path):
    """Another user (nobody, in the read-only tests) must reach path: the
    directories above it inside TMPDIR that this user owns get the search
    bit for others, no more (a CI run's private TMPDIR is mode 0700);
    nothing above TMPDIR is touched."""
    import tempfile
    top = os.path.realpath(os.environ.get("TMPDIR") or tempfile.gettempdir())
    d = os.path.dirname(os.path.realpath(path))
    while d.startswith(top) and os.stat(d).st_uid == os.geteuid():
        os.chmod(d, os.stat(d).st_mode | 0o001)
        if d == top:
            break
        d = os.path.dirname(d)
