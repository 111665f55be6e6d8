#!/usr/bin/python3
"""Fault-injecting DNS server for the posture loopback test bed.

Usage: faultdns.py --port P [--addr 127.0.0.1] [--pidfile F]

Serves UDP and TCP (RFC 1035 length-prefixed) on the same port.  The
behaviour for a query is chosen by the first label of the query name
that does not start with "_", case-insensitively, so that
_dmarc.drop.fault.test and default._bimi.tc.fault.test select "drop" and
"tc"; any suffix is accepted (tests use *.fault.test.).
See tests/bed/README.md for the table of behaviours.

Design notes:
  * Normal answers are produced inline by a single UDP thread: dnslib is
    pure Python and the GIL would serialise extra threads anyway, and a
    single loop comfortably handles thousands of queries per second.
  * Delayed answers go through one scheduler thread (a heap of due
    times) rather than a thread or Timer per query, so a burst of
    delayNNN queries costs no threads and never blocks other queries.
  * TCP uses a thread per connection; connections are rare and short.
"""

import argparse
import heapq
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time

from dnslib import (AAAA, CNAME, EDNS0, MX, QTYPE, RCODE, RR, SOA, TXT, A,
                    DNSHeader, DNSLabel, DNSQuestion, DNSRecord)

TTL = 300
ZONE = DNSLabel("fault.test.")
OTHER_NAME = DNSLabel("other.fault.test.")
GOOD_TXT = b"v=spf1 -all"

# Payload size we advertise back to EDNS clients.  Irrelevant to the
# truncation decision, which follows the *client's* advertised size.
OUR_EDNS_SIZE = 4096

# Without EDNS a UDP response may not exceed 512 bytes (RFC 1035); an
# EDNS size below 512 must be treated as 512 (RFC 6891 section 6.2.3).
CLASSIC_UDP_MAX = 512

# A client that opens a TCP connection and goes quiet (or a "drop"
# query that we deliberately ignore) must not pin a thread forever.
TCP_IDLE_TIMEOUT = 30.0

# Upper bound on delayNNN so a typo cannot hold a response for hours.
MAX_DELAY_MS = 60000

HUGE_TXT_LEN = 16384


def _huge_strings():
    """16384 bytes of SPF-looking text split into <=255-byte strings."""
    text = b"v=spf1 " + b"a" * (HUGE_TXT_LEN - len(b"v=spf1 "))
    return [text[i:i + 255] for i in range(0, len(text), 255)]


def _garbage_tail():
    """~40 fixed pseudo-random bytes that cannot parse as a DNS message.

    Seeded so every run (and every test) sees the same bytes.  The
    section counts are forced to huge values so no parser can mistake
    the payload for a (short) valid message by luck.
    """
    tail = bytearray(random.Random(0x9057).randbytes(40))
    tail[0] |= 0x80                 # QR set: it looks like a response...
    tail[2:4] = b"\xff\xfe"         # ...claiming 65534 questions
    tail[4:6] = b"\xff\xfd"         # and 65533 answers in 36 bytes.
    return bytes(tail)


HUGE_STRINGS = _huge_strings()
GARBAGE_TAIL = _garbage_tail()
MANY_TEXTS = [b"record-%02d" % i for i in range(40)]
MULTI_STRINGS = [b"v=spf1 ", b"ip4:192.0.2.1 ", b"-all"]
DELAY_RE = re.compile(r"^delay(\d+)$")
DROPFIRST_RE = re.compile(r"^dropfirst(\d+)$")
CHAIN_RE = re.compile(r"^chain(\d+)$")
# Faults of the reply matching (issue 19): the UDP answer is TC=1, so the
# client asks again over TCP, where the reply is not the answer.
TCP_MISMATCH = ("tcecho", "tcwrongid", "tcempty")
# RFC 6891 9: extended rcode 16 (BADVERS) is 1 in the OPT TTL's top byte.
BADVERS_EXT = 1
RCODE_FAULTS = {"servfail": RCODE.SERVFAIL, "refused": RCODE.REFUSED,
                "formerr": RCODE.FORMERR, "nxdomain": RCODE.NXDOMAIN}

SOA_RR = RR(ZONE, QTYPE.SOA, ttl=TTL,
            rdata=SOA("ns.fault.test.", "hostmaster.fault.test.",
                      (1, 3600, 600, 86400, TTL)))


class Reply:
    """What to send back: bytes to write, or nothing, after a delay.

    close_tcp: close the TCP connection instead of answering (tcbroken).
    """
    __slots__ = ("data", "delay", "close_tcp")

    def __init__(self, data=None, delay=0.0, close_tcp=False):
        self.data = data
        self.delay = delay
        self.close_tcp = close_tcp


def good_rrs(owner, qtype):
    """The 'everything is fine' answer for a name and qtype."""
    if qtype in (QTYPE.TXT, QTYPE.ANY):
        return [RR(owner, QTYPE.TXT, ttl=TTL, rdata=TXT(GOOD_TXT))]
    if qtype == QTYPE.A:
        return [RR(owner, QTYPE.A, ttl=TTL, rdata=A("192.0.2.1"))]
    if qtype == QTYPE.AAAA:
        return [RR(owner, QTYPE.AAAA, ttl=TTL, rdata=AAAA("2001:db8::1"))]
    if qtype == QTYPE.MX:
        return [RR(owner, QTYPE.MX, ttl=TTL,
                   rdata=MX("mx.fault.test.", 10))]
    return []


def make_response(query, rcode=RCODE.NOERROR, tc=0):
    """Response skeleton echoing id, opcode, RD and the question.

    Built by hand because DNSRecord.reply() copies the whole query
    bitmap (so any stray bits in the query leak into the answer) and
    sets RA, which an authoritative server should not.
    """
    q = query.header
    hdr = DNSHeader(id=q.id, qr=1, opcode=q.opcode, aa=1, tc=tc,
                    rd=q.rd, ra=0, rcode=rcode)
    resp = DNSRecord(hdr, questions=list(query.questions))
    if client_edns(query) is not None:
        resp.add_ar(EDNS0(udp_len=OUR_EDNS_SIZE))
    return resp


def client_edns(query):
    """The client's advertised UDP payload size, or None without EDNS."""
    for rr in query.ar:
        if rr.rtype == QTYPE.OPT:
            return rr.rclass
    return None


def udp_limit(query):
    size = client_edns(query)
    if size is None:
        return CLASSIC_UDP_MAX
    return max(size, CLASSIC_UDP_MAX)


def fit_udp(query, resp):
    """Pack resp; if too big for the client over UDP, send TC=1 instead.

    The truncated reply keeps the question (like real servers do) but
    carries no records, so a correct client must retry over TCP.
    """
    wire = resp.pack()
    if len(wire) <= udp_limit(query):
        return wire
    return make_response(query, rcode=resp.header.rcode, tc=1).pack()


class DropCounter:
    """How many times each (name, type) was asked, UDP and TCP together,
    for dropfirstN: shared by the UDP thread and the TCP threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen = {}

    def next(self, qname, qtype):
        key = (str(qname).lower(), qtype)
        with self.lock:
            n = self.seen.get(key, 0) + 1
            self.seen[key] = n
            return n


DROPS = DropCounter()


def chain_answer(query, names, udp):
    """dropfirstN.chainK....: a CNAME to the same name with chainK-1, which
    the server leaves to the client to ask (a hop per question); chain0,
    or no chainK label, gets the good answer. With a "tc" label the UDP
    answer is TC=1 (empty) instead, and TCP gets the answer."""
    qname = query.q.qname
    if udp and "tc" in names:
        return make_response(query, tc=1).pack()
    resp = make_response(query)
    k = next((int(m.group(1)) for m in map(CHAIN_RE.match, names) if m), 0)
    if k == 0:
        resp.add_answer(*good_rrs(qname, query.q.qtype))
        return resp.pack()
    labels = [b"chain%d" % (k - 1) if CHAIN_RE.match(n) else l
              for l, n in zip(qname.label, names)]
    resp.add_answer(RR(qname, QTYPE.CNAME, ttl=TTL,
                       rdata=CNAME(DNSLabel(labels))))
    return resp.pack()


def forward_pointer(query):
    """A good TXT answer whose first record's owner is a compression
    pointer to a name written after it (the second record's owner), which
    RFC 1035 4.1.4 does not allow ("a prior occurrence")."""
    q = query.header
    flags = 0x8000 | 0x0400 | (0x0100 if q.rd else 0)
    head = struct.pack("!HHHHHH", q.id, flags, 1, 2, 0, 0)
    qname = b"".join(bytes([len(l)]) + l for l in query.q.qname.label) + b"\0"
    question = qname + struct.pack("!HH", query.q.qtype, 1)
    rdata = bytes([len(GOOD_TXT)]) + GOOD_TXT
    fixed = struct.pack("!HHIH", QTYPE.TXT, 1, TTL, len(rdata))
    first_len = 2 + len(fixed) + len(rdata)
    target = len(head) + len(question) + first_len
    first = struct.pack("!H", 0xC000 | target) + fixed + rdata
    other = b"\x0dforward-ptr-2"
    second = qname + struct.pack("!HHIH", QTYPE.TXT, 1, TTL, len(other)) + other
    return head + question + first + second


def mismatch_tcp(query, first):
    """The TCP replies that are not the answer to the query."""
    if first == "tcecho":
        return query.pack()         # the query itself: QR=0
    if first == "tcempty":
        return make_response(query, tc=1).pack()
    resp = make_response(query)     # tcwrongid
    resp.header.id = query.header.id ^ 0x5A5A
    resp.add_answer(*good_rrs(query.q.qname, query.q.qtype))
    return resp.pack()


def answer(query, proto):
    """Decide what to send for a parsed query over 'udp' or 'tcp'."""
    if query.header.qr:
        return Reply()      # a stray response; answering could loop
    if not query.questions:
        return Reply(make_response(query, rcode=RCODE.FORMERR).pack())

    qname = query.q.qname
    qtype = query.q.qtype
    labels = qname.label
    # Skip service labels (_dmarc, _bimi, _report...) so checks that ask
    # below a name can be pointed at a fault.
    names = [l.decode("ascii", "replace").lower() for l in labels]
    first = next((l for l in names if not l.startswith("_")), "")
    udp = proto == "udp"

    if first == "drop":
        return Reply()

    if first == "garbage":
        return Reply(struct.pack("!H", query.header.id) + GARBAGE_TAIL)

    m = DROPFIRST_RE.match(first)
    if m:
        if DROPS.next(qname, qtype) <= int(m.group(1)):
            return Reply()
        return Reply(chain_answer(query, names, udp))

    if first in TCP_MISMATCH:
        if udp:
            return Reply(make_response(query, tc=1).pack())
        return Reply(mismatch_tcp(query, first))

    if first == "opcode5":
        resp = make_response(query)
        resp.header.opcode = 5      # UPDATE (RFC 2136), not QUERY
        resp.add_answer(*good_rrs(qname, qtype))
        return Reply(resp.pack())

    if first == "badvers":
        resp = make_response(query)
        resp.ar = [EDNS0(udp_len=OUR_EDNS_SIZE, ext_rcode=BADVERS_EXT)]
        return Reply(resp.pack())

    if first == "fwdptr":
        return Reply(forward_pointer(query))

    if first in RCODE_FAULTS:
        resp = make_response(query, rcode=RCODE_FAULTS[first])
        if first == "nxdomain":
            resp.add_auth(SOA_RR)
        return Reply(resp.pack())

    if first == "nodata":
        resp = make_response(query)
        resp.add_auth(SOA_RR)
        return Reply(resp.pack())

    if first in ("tc", "tcbroken") and udp:
        return Reply(make_response(query, tc=1).pack())

    if first == "tcbroken":
        return Reply(close_tcp=True)

    delay = 0.0
    m = DELAY_RE.match(first)
    if m:
        delay = min(int(m.group(1)), MAX_DELAY_MS) / 1000.0

    # ANY gets what TXT gets: SPF tools sometimes ask for ANY.
    txt_like = qtype in (QTYPE.TXT, QTYPE.ANY)
    resp = make_response(query)
    if first == "wrongname":
        # Question and owner both rewritten: a client that does not
        # check the echoed question will happily accept this.
        resp.questions = [DNSQuestion(OTHER_NAME, qtype)]
        rrs = good_rrs(OTHER_NAME, qtype) or [
            RR(OTHER_NAME, QTYPE.TXT, ttl=TTL, rdata=TXT(GOOD_TXT))]
        resp.add_answer(*rrs)
    elif first == "wrongtype":
        # The question's type rewritten (A for TXT, TXT for the rest),
        # and the good answer for that type.
        other = QTYPE.A if txt_like else QTYPE.TXT
        resp.questions = [DNSQuestion(qname, other)]
        resp.add_answer(*good_rrs(qname, other))
    elif first == "huge" and txt_like:
        resp.add_answer(RR(qname, QTYPE.TXT, ttl=TTL,
                           rdata=TXT(HUGE_STRINGS)))
    elif first == "many" and txt_like:
        resp.add_answer(*[RR(qname, QTYPE.TXT, ttl=TTL, rdata=TXT(t))
                          for t in MANY_TEXTS])
    elif first == "multi" and txt_like:
        resp.add_answer(RR(qname, QTYPE.TXT, ttl=TTL,
                           rdata=TXT(MULTI_STRINGS)))
    else:
        resp.add_answer(*good_rrs(qname, qtype))

    data = fit_udp(query, resp) if udp else resp.pack()
    return Reply(data, delay=delay)


def safe_answer(wire, proto):
    """Parse and answer; never let one bad packet kill a server loop."""
    try:
        query = DNSRecord.parse(wire)
    except Exception:   # dnslib raises DNSError, but also others
        # Unparseable: a real server would FORMERR if it could read the
        # header, but tests never send junk and silence is simpler.
        return Reply()
    try:
        return answer(query, proto)
    except Exception:
        try:
            return Reply(make_response(query, rcode=RCODE.SERVFAIL).pack())
        except Exception:
            return Reply()


class Scheduler(threading.Thread):
    """Runs callbacks at a given monotonic time, in one thread."""

    def __init__(self):
        super().__init__(daemon=True, name="scheduler")
        self._heap = []
        self._seq = 0           # tie-breaker so callables never compare
        self._cv = threading.Condition()

    def call_later(self, delay, fn):
        with self._cv:
            self._seq += 1
            heapq.heappush(self._heap,
                           (time.monotonic() + delay, self._seq, fn))
            self._cv.notify()

    def run(self):
        while True:
            with self._cv:
                while not self._heap:
                    self._cv.wait()
                due, _, fn = self._heap[0]
                now = time.monotonic()
                if due > now:
                    self._cv.wait(due - now)
                    continue
                heapq.heappop(self._heap)
            try:
                fn()
            except OSError:
                pass    # peer vanished (TCP) or socket closed at exit


def serve_udp(sock, sched):
    while True:
        try:
            wire, peer = sock.recvfrom(65535)
        except OSError:
            return
        reply = safe_answer(wire, "udp")
        if reply.data is None:
            continue
        if reply.delay:
            sched.call_later(reply.delay,
                             lambda d=reply.data, p=peer: sock.sendto(d, p))
        else:
            try:
                sock.sendto(reply.data, peer)
            except OSError:
                pass


class TcpConn:
    """One TCP client; answers may be sent late by the scheduler.

    Writes are serialised by a lock because delayed answers arrive from
    the scheduler thread while the reader thread answers pipelined
    queries.  The socket is closed only when the client has gone away
    (or gone idle) AND no delayed answer is still owed to it.
    """

    def __init__(self, sock, sched):
        self.sock = sock
        self.sched = sched
        self.lock = threading.Lock()
        self.pending = 0
        self.reading_done = False
        self.closed = False

    def send(self, data):
        with self.lock:
            if self.closed:
                return
            try:
                self.sock.sendall(struct.pack("!H", len(data)) + data)
            except OSError:
                pass

    def _send_late(self, data):
        self.send(data)
        with self.lock:
            self.pending -= 1
            if self.reading_done and self.pending == 0:
                self._close_locked()

    def _close_locked(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass

    def close_when_idle(self):
        with self.lock:
            self.reading_done = True
            if self.pending == 0:
                self._close_locked()

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def run(self):
        self.sock.settimeout(TCP_IDLE_TIMEOUT)
        try:
            while True:
                head = self.recv_exact(2)
                if head is None:
                    break
                wire = self.recv_exact(struct.unpack("!H", head)[0])
                if wire is None:
                    break
                reply = safe_answer(wire, "tcp")
                if reply.close_tcp:
                    break
                if reply.data is None:
                    continue
                if reply.delay:
                    with self.lock:
                        self.pending += 1
                    self.sched.call_later(
                        reply.delay, lambda d=reply.data: self._send_late(d))
                else:
                    self.send(reply.data)
        except OSError:
            pass            # includes socket.timeout for idle clients
        finally:
            self.close_when_idle()


def serve_tcp(lsock, sched):
    while True:
        try:
            conn, _ = lsock.accept()
        except OSError:
            return
        threading.Thread(target=TcpConn(conn, sched).run,
                         daemon=True).start()


def write_pidfile(path):
    # Write-then-rename so a reader never sees an empty or partial file.
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.replace(tmp, path)


def remove_pidfile(path):
    try:
        with open(path) as f:
            if f.read().strip() != str(os.getpid()):
                return      # someone else's now; leave it alone
        os.unlink(path)
    except OSError:
        pass


def main():
    ap = argparse.ArgumentParser(description="fault-injecting DNS server")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--pidfile")
    args = ap.parse_args()

    # Exit via SystemExit so the main thread leaves its wait at once;
    # all worker threads are daemons and die with the process.
    def on_signal(signum, _frame):
        raise SystemExit(0)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)

    try:
        usock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        # Bursts from dnsperf can outrun one Python thread briefly; a
        # big receive buffer queues them instead of dropping them.
        try:
            usock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        except OSError:
            pass
        usock.bind((args.addr, args.port))
        tsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tsock.bind((args.addr, args.port))
        tsock.listen(512)
    except OSError as e:
        print("faultdns: cannot bind %s@%d: %s" % (args.addr, args.port, e),
              file=sys.stderr)
        # Distinct status so bed.sh can tell "port taken" from a crash.
        sys.exit(98 if e.errno == 98 else 1)

    sched = Scheduler()
    sched.start()
    threading.Thread(target=serve_udp, args=(usock, sched),
                     daemon=True, name="udp").start()
    threading.Thread(target=serve_tcp, args=(tsock, sched),
                     daemon=True, name="tcp").start()

    if args.pidfile:
        write_pidfile(args.pidfile)
    print("faultdns listening on %s@%d (udp+tcp)" % (args.addr, args.port),
          flush=True)
    try:
        while True:
            signal.pause()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        if args.pidfile:
            remove_pidfile(args.pidfile)
    # os._exit: skip interpreter teardown, which could stall on daemon
    # threads still inside dnslib or blocking socket calls.
    os._exit(0)


if __name__ == "__main__":
    main()
