"""Helpers shared by the integration suites (tests/integration/test_*.py).

run.sh starts them inside `tests/bed/bed.sh run`, which exports BED_AUTH
(Knot serving tests/zones) and BED_FAULT (faultdns.py). POSTURE names the
binary under test (build/posture or build-asan/posture).
"""
import json
import os
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
