#!/usr/bin/env python3
"""The fetcher's destination policy (scanner/fetch/fetch_dest.c) through the
CLI: a BIMI record or a redirect must not make posture connect to a
loopback or private address, or to a port other than 443, and a refusal
must not tell an open port from a closed one.

BIMI records here name ports picked at run time, so their DNS is a small
server of this test (dnslib, one thread on 127.0.0.1) instead of Knot:
every name under pol.test, and bimi.test itself, has A 127.0.0.1, an MX,
SPF -all and DMARC p=reject; the
record at default._bimi.<domain> is chosen by the domain's first label:

  plain.pol.test       l=https://bimi.test/logo.svg (port 443)
  portP.pol.test       l=https://bimi.test:P/logo.svg
  redirP.pol.test      l= the bed's /_bed/location, a 302 to
                       https://127.0.0.1:P/logo.svg
  nameredirP.pol.test  l= a 302 to https://bimi.test:P/logo.svg
  certP.pol.test       a valid l=, and a=https://bimi.test:P/vmc.pem

The logo itself comes from the bed's HTTPS server (BED_HTTPS, trusted
with --ca-file BED_CA) when a --connect-to entry sends a host there. A
"listener" is a socket of the test that listens and never accepts: after
posture ran, a pending connection on it would mean a ClientHello was on
its way. Nothing leaves 127.0.0.1.
"""
import json
import os
import select
import socket
import subprocess
import threading
import unittest

from dnslib import MX, QTYPE, RCODE, RR, TXT, A, DNSHeader, DNSRecord

from posturetest import POSTURE

HTTPS = os.environ["BED_HTTPS"]
HTTPS_PORT = int(HTTPS.rsplit(":", 1)[1])
CA = os.environ["BED_CA"]
TTL = 300


def bimi_record(domain):
    """The BIMI record of a test domain, or None."""
    label = domain.split(".")[0]
    for prefix, fmt in (("nameredir", "l=https://bimi.test/_bed/location?"
                                      "https://bimi.test:%s/logo.svg"),
                        ("redir", "l=https://bimi.test/_bed/location?"
                                  "https://127.0.0.1:%s/logo.svg"),
                        ("port", "l=https://bimi.test:%s/logo.svg"),
                        ("cert", "l=https://bimi.test/logo.svg; "
                                 "a=https://bimi.test:%s/vmc.pem")):
        if label.startswith(prefix) and label[len(prefix):].isdigit():
            return "v=BIMI1; " + fmt % label[len(prefix):] + ";"
    if label == "plain":
        return "v=BIMI1; l=https://bimi.test/logo.svg;"
    return None


def answer(data):
    """The reply to one query: every name has A 127.0.0.1, MX mx.pol.test
    and no AAAA."""
    q = DNSRecord.parse(data)
    hdr = DNSHeader(id=q.header.id, qr=1, aa=1, rd=q.header.rd, ra=0)
    r = DNSRecord(hdr, questions=list(q.questions))
    name = str(q.q.qname).lower().rstrip(".")
    if not (name == "bimi.test" or name == "pol.test" or name.endswith(".pol.test")):
        r.header.rcode = RCODE.REFUSED
        return r.pack()
    if q.q.qtype == QTYPE.A:
        r.add_answer(RR(q.q.qname, QTYPE.A, ttl=TTL, rdata=A("127.0.0.1")))
    elif q.q.qtype == QTYPE.MX:
        r.add_answer(RR(q.q.qname, QTYPE.MX, ttl=TTL, rdata=MX("mx.pol.test.", 10)))
    elif q.q.qtype == QTYPE.TXT:
        if name.startswith("default._bimi."):
            text = bimi_record(name[len("default._bimi."):])
        elif name.startswith("_dmarc."):
            text = "v=DMARC1; p=reject"
        elif "._bimi." in name:
            text = None
        else:
            text = "v=spf1 -all"
        if text:
            r.add_answer(RR(q.q.qname, QTYPE.TXT, ttl=TTL, rdata=TXT(text.encode())))
    return r.pack()


class Dns:
    """The test's DNS server: UDP on 127.0.0.1, a free port, one thread."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.addr = "127.0.0.1:%d" % self.sock.getsockname()[1]
        self.done = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.done:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            try:
                self.sock.sendto(answer(data), peer)
            except Exception:  # a query dnslib cannot read: no answer
                pass

    def stop(self):
        self.done = True
        self.thread.join(5)
        self.sock.close()


class Listener:
    """A TCP port that listens and never accepts."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]

    def contacted(self):
        """Whether a connection is waiting (the kernel completed it)."""
        return bool(select.select([self.sock], [], [], 0.2)[0])

    def close(self):
        self.sock.close()


def closed_port():
    """A port nothing listens on (bound, then released)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


DNS = None


def setUpModule():
    global DNS
    DNS = Dns()


def tearDownModule():
    DNS.stop()


def posture(*args):
    p = subprocess.run([POSTURE, *args, "--resolver", DNS.addr], capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def bimi(domain, *extra):
    rc, out, err = posture("bimi", domain, "--json", "--ca-file", CA, *extra)
    try:
        js = json.loads(out)
    except json.JSONDecodeError as e:
        raise AssertionError("not JSON (%s): %r %r" % (e, out, err))
    js.pop("checked_at", None)  # when it ran: results are compared across runs
    return rc, js


def refused(test, js, part="logo", code="bimi.logo_fetch_refused"):
    """The one finding of a refused asset; checks what it must say."""
    test.assertEqual(js[part]["status"], "invalid", js[part])
    f = js[part]["findings"]
    test.assertEqual([x["code"] for x in f], [code], f)
    msg = f[0]["message"]
    test.assertIn("destination refused: ", msg)
    for leak in ("connect", "reset", "refused (", "timed out", "TLS"):
        test.assertNotIn(leak, msg.split("destination refused: ", 1)[1])
    test.assertFalse(js["eligible"])
    return msg


class Addresses(unittest.TestCase):
    def test_name_resolving_to_loopback(self):
        # bimi.test is 127.0.0.1 in this DNS: port 443 or not, refused.
        rc, js = bimi("plain.pol.test")
        self.assertEqual(rc, 1)
        msg = refused(self, js)
        self.assertEqual(msg, "the logo was not fetched: https://bimi.test/logo.svg: "
                              "destination refused: bimi.test has no public address "
                              "(127.0.0.1: loopback, 127.0.0.0/8)")
        self.assertEqual(js["logo"]["findings"][0]["severity"], "error")
        self.assertEqual({i["item"]: i["status"] for i in js["readiness"]}["logo"], "fail")

    def test_allowed_port_still_needs_a_public_address(self):
        lst = Listener()
        try:
            rc, js = bimi("port%d.pol.test" % lst.port, "--allow-port", str(lst.port))
            self.assertIn("bimi.test has no public address (127.0.0.1: loopback",
                          refused(self, js))
            self.assertFalse(lst.contacted(), "posture connected to the listener")
        finally:
            lst.close()

    def test_redirect_to_loopback_literal(self):
        # The first hop goes to the bed by --connect-to; its 302 names
        # 127.0.0.1 itself, which no entry covers.
        lst = Listener()
        try:
            rc, js = bimi("redir%d.pol.test" % lst.port, "--allow-port", str(lst.port),
                          "--connect-to", "bimi.test:443:%s" % HTTPS)
            msg = refused(self, js)
            self.assertIn("https://127.0.0.1:%d/logo.svg: destination refused: 127.0.0.1 is "
                          "not a public address (loopback, 127.0.0.0/8)" % lst.port, msg)
            self.assertFalse(lst.contacted(), "posture connected to the listener")
        finally:
            lst.close()

    def test_redirect_to_name_resolving_to_loopback(self):
        lst = Listener()
        try:
            rc, js = bimi("nameredir%d.pol.test" % lst.port, "--allow-port", str(lst.port),
                          "--connect-to", "bimi.test:443:%s" % HTTPS)
            msg = refused(self, js)
            self.assertIn("https://bimi.test:%d/logo.svg: destination refused: bimi.test has "
                          "no public address" % lst.port, msg)
            self.assertFalse(lst.contacted(), "posture connected to the listener")
        finally:
            lst.close()

    def test_certificate_too(self):
        lst = Listener()
        try:
            rc, js = bimi("cert%d.pol.test" % lst.port, "--connect-to",
                          "bimi.test:443:%s" % HTTPS)
            self.assertEqual(js["logo"]["status"], "valid", js["logo"])
            msg = refused(self, js, "vmc", "bimi.vmc_fetch_refused")
            self.assertIn("the Mark Certificate was not fetched: https://bimi.test:%d/vmc.pem: "
                          "destination refused: port %d" % (lst.port, lst.port), msg)
            self.assertFalse(lst.contacted(), "posture connected to the listener")
        finally:
            lst.close()


class Ports(unittest.TestCase):
    def test_open_and_closed_port_give_the_same_finding(self):
        # The same record, once with something listening on its port and
        # once without: byte-identical results, and no connection made.
        for extra in ([], ["--allow-port"]):
            with self.subTest(allow=bool(extra)):
                lst = Listener()
                port = lst.port
                args = extra + [str(port)] if extra else []
                try:
                    rc_open, open_js = bimi("port%d.pol.test" % port, *args)
                    self.assertFalse(lst.contacted(), "posture connected to the listener")
                finally:
                    lst.close()
                rc_closed, closed_js = bimi("port%d.pol.test" % port, *args)
                self.assertEqual(rc_open, rc_closed)
                self.assertEqual(open_js, closed_js)
                msg = refused(self, open_js)
                if extra:
                    self.assertIn("no public address", msg)
                else:
                    self.assertIn("destination refused: port %d (only 443 unless allowed)"
                                  % port, msg)

    def test_never_listened_port(self):
        port = closed_port()
        lst = Listener()
        try:
            _, a = bimi("port%d.pol.test" % port)
            _, b = bimi("port%d.pol.test" % lst.port)
        finally:
            lst.close()
        # The same words but for the port number.
        self.assertEqual(json.dumps(a).replace(str(port), "P"),
                         json.dumps(b).replace(str(lst.port), "P"))

    def test_port_refused_unless_allowed(self):
        # --connect-to chooses the address (the bed's), not the port: the
        # URL's own port is fetched only with --allow-port.
        ct = ["--connect-to", "bimi.test::127.0.0.1:"]
        rc, js = bimi("port%d.pol.test" % HTTPS_PORT, *ct)
        self.assertIn("destination refused: port %d (only 443 unless allowed)" % HTTPS_PORT,
                      refused(self, js))
        rc, js = bimi("port%d.pol.test" % HTTPS_PORT, *ct, "--allow-port", str(HTTPS_PORT))
        self.assertEqual(js["logo"]["status"], "valid", js["logo"])
        self.assertEqual(rc, 5, js)  # eligible, self-asserted: no mark certificate

    def test_allow_port_usage(self):
        for bad in ("0", "65536", "x", "-1", "443x", ""):
            with self.subTest(value=bad):
                rc, out, err = posture("bimi", "plain.pol.test", "--allow-port", bad)
                self.assertEqual(rc, 2, err)
                self.assertIn("--allow-port", err)
        rc, out, err = posture("bimi", "plain.pol.test", "--allow-port")
        self.assertEqual(rc, 2)
        rc, out, err = posture("bimi", "--help")
        self.assertIn("--allow-port PORT", out)


class ConnectTo(unittest.TestCase):
    """--connect-to stays the way to reach loopback on purpose."""

    def test_every_host_to_the_bed(self):
        rc, js = bimi("plain.pol.test", "--connect-to", "::%s" % HTTPS)
        self.assertEqual(js["logo"]["status"], "valid", js["logo"])
        self.assertEqual(rc, 5, js)  # eligible, self-asserted: no mark certificate

    def test_entry_sends_any_port_to_the_bed(self):
        # An entry that names both the address and the port: whatever port
        # the record says, the user's destination is used.
        rc, js = bimi("port%d.pol.test" % closed_port(), "--connect-to", "::%s" % HTTPS)
        self.assertEqual(js["logo"]["status"], "valid", js["logo"])

    def test_entry_by_name(self):
        # The entry's target is a name, resolved by posture (127.0.0.1).
        rc, js = bimi("plain.pol.test", "--connect-to", "bimi.test:443:bimi.test:%d" % HTTPS_PORT)
        self.assertEqual(js["logo"]["status"], "valid", js["logo"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
