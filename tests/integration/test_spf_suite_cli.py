#!/usr/bin/env python3
"""The RFC 7208 SPF suite through the command line, over real DNS.

tests/conformance/run-spf.sh runs the suite in process, against a fake DNS
that never puts a name on the wire. Here every case runs as
`posture spf eval --ip HOST --sender MAILFROM [--helo HELO] --json` against
knotd serving the case's scenario (tests/conformance/spf_suite2zone.py
turns each scenario's zone data into a root zone, names with ':', '/', '%'
and spaces written as \\DDD), so names read from answers (MX, PTR, CNAME
targets) must reach the wire again byte for byte. Each scenario gets a
knotd of its own, started and stopped by pid here: the scenarios give the
same names different data, so the bed's server cannot hold them all.

Two things of the suite cannot be said in a zone knotd loads: TIMEOUT
entries, and a TXT record without strings (null.example.com). For the
scenarios that have them posture asks a relay in this process, which
passes every question to knotd and its answer back untouched, except the
questions spf_suite2zone.py lists as timing out, which it leaves
unanswered, and answers holding spf_suite2zone.EMPTY_TXT, in which that
record loses its one string (RDLENGTH 0).

A case passes when the result is one of the case's results and, for a
fail with an explanation, the explanation is the one expected (DEFAULT:
none), as spf_suite.c checks them. One test per case: 203.

NamesOnTheWire (issue 19 item 8) then takes names with every kind of odd
byte from answers (an MX exchange, a CNAME target, a PTR name), as
`posture lookup` prints them, and asks for them again: each is found,
and `posture spf` and `posture spf eval` find the addresses behind MX
targets and PTR names with such bytes.
"""
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from dnslib import DNSRecord, QTYPE, TXT

from posturetest import POSTURE

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "conformance"))
sys.path.insert(0, os.path.join(ROOT, "tests", "bed"))
import freeport  # noqa: E402
import spf_suite2json  # noqa: E402
import spf_suite2zone  # noqa: E402

SUITE = os.path.join(ROOT, "tests", "conformance", "spf", "rfc7208-tests.yml")
# Timed-out questions are waited for: short attempts where a scenario
# has some, posture's defaults elsewhere.
DROP_TIMEOUT = ["--timeout", "700", "--retries", "1"]


def find_knotd():
    for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin"]:
        p = os.path.join(d, "knotd")
        if os.access(p, os.X_OK):
            return p
    raise unittest.SkipTest("knotd not found")


def query(port, name, qtype, timeout=0.5):
    """The rcode of a UDP query to 127.0.0.1:port, or None on timeout."""
    wire = b"".join(bytes([len(x)]) + x.encode() for x in name.split(".") if x) + b"\0"
    msg = b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00" + wire + \
        qtype.to_bytes(2, "big") + b"\x00\x01"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(msg, ("127.0.0.1", port))
        try:
            reply = s.recv(4096)
        except socket.timeout:
            return None
    return reply[3] & 0x0F if len(reply) >= 12 and reply[:2] == b"\x12\x34" else None


class Knot:
    """knotd serving one zone file as the root zone, on a free port."""

    def __init__(self, zone_text):
        self.dir = tempfile.mkdtemp(prefix="spfsuite-")
        # knotd's control socket must fit in sun_path (108 bytes): in a
        # short directory of its own when the temporary one is too long.
        self.sockdir = self.dir
        if len(self.dir) > 80:
            self.sockdir = tempfile.mkdtemp(prefix="spfk-", dir="/tmp")
        with open(os.path.join(self.dir, "root.zone"), "w", encoding="ascii") as f:
            f.write(zone_text)
        self.proc = None
        for _ in range(3):
            self.port = next(p for p in freeport.candidates()
                             if freeport.is_free("127.0.0.1", p))
            if self._start():
                return
            log = self._log()
            self._kill()
        self.stop()
        raise AssertionError("knotd did not start: " + log)

    def _log(self):
        try:
            with open(os.path.join(self.dir, "knotd.log")) as f:
                return f.read()[-2000:]
        except OSError:
            return "(no log)"

    def _start(self):
        d = self.dir
        os.makedirs(os.path.join(d, "db"), exist_ok=True)
        user = "%s:%s" % (subprocess.run(["id", "-un"], capture_output=True,
                                         text=True).stdout.strip(),
                          subprocess.run(["id", "-gn"], capture_output=True,
                                         text=True).stdout.strip())
        conf = "\n".join([
            "server:",
            '    rundir: "%s"' % d,
            '    pidfile: "%s/knotd.pid"' % d,
            "    user: %s" % user,
            "    listen: 127.0.0.1@%d" % self.port,
            "    udp-workers: 1",
            "    tcp-workers: 1",
            "    background-workers: 1",
            "database:",
            '    storage: "%s/db"' % d,
            "control:",
            '    listen: "%s/knot.sock"' % self.sockdir,
            "zone:",
            '  - domain: "."',
            '    file: "%s/root.zone"' % d,
            "    zonefile-sync: -1",
            "    zonefile-load: whole",
            "    journal-content: none",
            ""])
        with open(os.path.join(d, "knot.conf"), "w") as f:
            f.write(conf)
        log = open(os.path.join(d, "knotd.log"), "w")
        self.proc = subprocess.Popen([find_knotd(), "-c", os.path.join(d, "knot.conf")],
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None or "failed to load zone" in self._log():
                return False
            if query(self.port, ".", 6) == 0:
                return True
            time.sleep(0.05)
        return False

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def stop(self):
        self._kill()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.sockdir != self.dir:
            shutil.rmtree(self.sockdir, ignore_errors=True)


def strip_empty_txt(reply):
    """reply with each EMPTY_TXT record made a record without strings."""
    marker = spf_suite2zone.EMPTY_TXT.encode()
    if marker not in reply:
        return reply
    msg = DNSRecord.parse(reply)
    for rr in msg.rr + msg.auth + msg.ar:
        if rr.rtype == QTYPE.TXT and rr.rdata.data == [marker]:
            rr.rdata = TXT([])
    return msg.pack()


class Relay:
    """A UDP relay to knotd that leaves the TIMEOUT questions unanswered
    and strips EMPTY_TXT records of their string."""

    def __init__(self, upstream, drop):
        self.upstream = upstream
        self.drop = {d["owner"]: d for d in drop}
        self.dropped = 0
        self.truncated = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _dropped(self, msg):
        """True for a question spf_suite2zone listed as timing out."""
        i, labels = 12, b""
        while i < len(msg) and msg[i] != 0:
            n = msg[i]
            labels += msg[i:i + 1 + n]
            i += 1 + n
        if i + 5 > len(msg):
            return False
        key = (labels + b"\0").lower().hex()
        qtype = int.from_bytes(msg[i + 1:i + 3], "big")
        rule = self.drop.get(key)
        if rule is None:
            return False
        if rule["types"] is None:
            return qtype not in rule["keep"]
        return qtype in rule["types"]

    def _forward(self, msg, client):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(msg, ("127.0.0.1", self.upstream))
            try:
                reply = s.recv(65535)
            except socket.timeout:
                return
        if len(reply) > 2 and reply[2] & 0x02:
            self.truncated += 1
        try:
            self.sock.sendto(strip_empty_txt(reply), client)
        except OSError:
            pass

    def _loop(self):
        while not self.stopping.is_set():
            r, _, _ = select.select([self.sock], [], [], 0.1)
            if not r:
                continue
            try:
                msg, client = self.sock.recvfrom(65535)
            except OSError:
                return
            if self._dropped(msg):
                self.dropped += 1
                continue
            threading.Thread(target=self._forward, args=(msg, client), daemon=True).start()

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=5)
        self.sock.close()


def load_suite():
    with open(SUITE, encoding="utf-8") as f:
        return spf_suite2json.convert(f)["scenarios"]


def run_case(resolver, case, extra):
    cmd = [POSTURE, "spf", "eval", "--ip", case["host"], "--sender", case["mailfrom"] or "",
           "--json", "--resolver", resolver, *extra]
    if case["helo"] is not None:
        cmd += ["--helo", case["helo"]]
    p = subprocess.run(cmd, capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Scenario(unittest.TestCase):
    """One scenario: its cases share a knotd (and a relay)."""
    scenario = None

    @classmethod
    def setUpClass(cls):
        text, drop, empty_txt = spf_suite2zone.scenario_zone(cls.scenario)
        cls.knot = Knot(text)
        try:
            cls.relay = Relay(cls.knot.port, drop) if drop or empty_txt else None
        except OSError:
            cls.knot.stop()  # tearDownClass does not run after a failed setUpClass
            raise
        port = cls.relay.port if cls.relay else cls.knot.port
        cls.resolver = "127.0.0.1:%d" % port
        cls.extra = DROP_TIMEOUT if drop else []

    @classmethod
    def tearDownClass(cls):
        if cls.relay is not None:
            cls.relay.stop()
            # No answer may have needed TCP: the relay speaks UDP only.
            assert cls.relay.truncated == 0, "a truncated answer went through the relay"
        cls.knot.stop()

    def check(self, name):
        case = self.scenario["tests"][name]
        rc, out, err = run_case(self.resolver, case, self.extra)
        self.assertEqual(rc, 0, "posture exited %d: %s" % (rc, err))
        d = json.loads(out)
        want = case["result"]
        self.assertIn(d["result"], want, "%s: got %s (%s), want %s" %
                      (name, d["result"], d.get("reason"), "|".join(want)))
        exp = case["explanation"]
        if exp is not None and d["result"] == "fail":
            self.assertEqual(d.get("explanation"), None if exp == "DEFAULT" else exp,
                             "%s: explanation" % name)


NAMES_ZONE = spf_suite2zone.APEX + r"""
mx.names.test.          60 IN MX  10 foo\058bar\047baz.names.test.
foo\058bar\047baz.names.test. 60 IN A 192.0.2.1
odd.names.test.         60 IN MX  10 a\046b.\000\255\032\092.names.test.
a\046b.\000\255\032\092.names.test. 60 IN A 192.0.2.2
cname.names.test.       60 IN CNAME x\092058y.names.test.
x\092058y.names.test.   60 IN TXT "v=spf1 -all"
x\058y.names.test.      60 IN TXT "the wrong name"
1.2.0.192.in-addr.arpa. 60 IN PTR p\058q.names.test.
p\058q.names.test.      60 IN A   192.0.2.1
spf.names.test.         60 IN TXT "v=spf1 mx:mx.names.test mx:odd.names.test -all"
ptr.names.test.         60 IN TXT "v=spf1 ptr:names.test -all"
"""


class NamesOnTheWire(unittest.TestCase):
    """Names read from answers are asked again byte for byte."""

    @classmethod
    def setUpClass(cls):
        cls.knot = Knot(NAMES_ZONE)
        cls.resolver = "127.0.0.1:%d" % cls.knot.port

    @classmethod
    def tearDownClass(cls):
        cls.knot.stop()

    def lookup(self, name, qtype):
        p = subprocess.run([POSTURE, "lookup", name, qtype, "--json", "--resolver",
                            self.resolver], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_mx_exchange(self):
        for owner, exchange, addr in (
                ("mx.names.test", "foo\\058bar\\047baz.names.test", "192.0.2.1"),
                ("odd.names.test", "a\\046b.\\000\\255\\032\\092.names.test", "192.0.2.2")):
            d = self.lookup(owner, "MX")
            self.assertEqual(d["records"], [{"preference": 10, "exchange": exchange}])
            a = self.lookup(exchange, "A")
            self.assertEqual((a["outcome"], a["records"], a["name"]), ("data", [addr], exchange))

    def test_cname_target(self):
        # The target holds a backslash byte then "058": not x:y.
        d = self.lookup("cname.names.test", "TXT")
        self.assertEqual((d["outcome"], d["canonical"], d["records"]),
                         ("data", "x\\092058y.names.test", ["v=spf1 -all"]))
        d = self.lookup(d["canonical"], "TXT")
        self.assertEqual(d["records"], ["v=spf1 -all"])

    def test_ptr_name(self):
        # The PTR name p:q.names.test validates (its A is asked as it
        # came) and is under names.test; 192.0.2.2 has no PTR.
        for ip, want in (("192.0.2.1", "pass"), ("192.0.2.2", "fail")):
            rc, out, err = run_case(self.resolver, {"host": ip, "mailfrom": "x@ptr.names.test",
                                                    "helo": None}, [])
            self.assertEqual(json.loads(out)["result"], want, (ip, out, err))

    def test_spf_through_odd_names(self):
        # The audit finds the address behind each MX target ...
        p = subprocess.run([POSTURE, "spf", "spf.names.test", "--json", "--resolver",
                            self.resolver], capture_output=True, timeout=60)
        d = json.loads(p.stdout)
        self.assertEqual((d["status"], d["ipv4_addresses"]), ("ok", 2), d)
        # ... and check_host matches them.
        for ip, want in (("192.0.2.1", "pass"), ("192.0.2.2", "pass"), ("192.0.2.3", "fail")):
            rc, out, err = run_case(self.resolver, {"host": ip, "mailfrom": "x@spf.names.test",
                                                    "helo": None}, [])
            self.assertEqual(json.loads(out)["result"], want, (ip, out, err))


def make_tests():
    """One TestCase class per scenario, one test per case (file order)."""
    classes = {}
    for k, sc in enumerate(load_suite(), 1):
        attrs = {"scenario": sc}
        for name in sc["tests"]:
            ident = name.replace("-", "_").replace(".", "_")
            attrs["test_%s" % ident] = (lambda n: lambda self: self.check(n))(name)
        cname = "Scenario%02d" % k
        classes[cname] = type(cname, (Scenario,), attrs)
    return classes


globals().update(make_tests())
del Scenario

if __name__ == "__main__":
    unittest.main()
