#!/usr/bin/python3
"""Lossy loopback DNS proxy for the posture test bed: a bad network in
front of a good server.

Usage: lossyproxy.py --upstream HOST:PORT [--port P] [--addr 127.0.0.1]
                     [--delay MS] [--jitter MS] [--dist uniform|normal]
                     [--loss P] [--dup P] [--seed S]
                     [--port-file F] [--pidfile F] [--stats F]

Listens on one loopback port, UDP and TCP (a free high port unless
--port: the number goes to stdout, and to --port-file once both are
bound), and forwards to --upstream (the bed's Knot, BED_AUTH).

UDP, per packet, each direction on its own:
  * loss: dropped with probability --loss (queries and replies alike, so
    a question's attempt is lost with about 2 * P);
  * delay: held --delay ms +- --jitter ms (uniform over [d - j, d + j],
    or normal with standard deviation j; never below 0) before it is
    sent on; a round trip therefore takes about twice --delay;
  * reordering: every packet has its own timer, so a reply held less
    than one before it overtakes it (counted as "overtaken");
  * duplicates: a reply is sent twice with probability --dup, the copy
    one more delay later (a network copy, not a retransmission).
Each client address (host, port) gets an upstream socket of its own, so
replies go back NAT-style without rewriting a byte (IDs included);
sockets idle for a minute are closed.

TCP is passed through (RFC 7766 clients reach it after TC=1): each chunk
read is held one delay (order kept), nothing is lost or duplicated.

--seed makes the decisions repeatable: each packet draws the same count
of numbers from its direction's generator, so the same sequence of
packets gets the same losses, delays and copies (the sequence itself
depends on the client's timing).

SIGTERM or SIGINT stops it: the counters go to stderr as one line (and to
--stats as JSON), exit 0; packets still held are not sent and are counted
("held at exit"). SIGUSR1 prints the counters and goes on.

Design: one asyncio loop; sockets are read with add_reader (each wake-up
drains the socket), and every held packet is one loop.call_at timer. The
loop also measures itself: how late timers fire ("late") and the most
packets held at once ("peak held"), so a bench can tell a slow proxy from
a slow client. Measured on the bed (tests/bed/README.md, "Lossy proxy").

Python 3 standard library only; run with /usr/bin/python3.
"""

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from freeport import candidates  # noqa: E402

# Kernel buffers big enough that a burst of replies (2,000 at once) waits
# in the socket instead of being dropped before we count it.
SOCKBUF = 4 << 20
# An upstream socket with no traffic for this long is closed.
IDLE_SECONDS = 60.0
# A timer firing this much after its time counts as late.
LATE_SECONDS = 0.010
MAX_DGRAM = 65535


class Counters:
    """What happened to the packets, printed at exit."""

    def __init__(self):
        self.queries_in = self.queries_dropped = self.queries_forwarded = 0
        self.replies_in = self.replies_dropped = self.replies_forwarded = 0
        self.replies_duplicated = self.replies_overtaken = 0
        self.queries_overtaken = 0
        self.send_errors = 0
        self.tcp_connections = self.tcp_chunks = self.tcp_bytes = 0
        self.held = self.peak_held = 0
        self.late = 0
        self.max_late_ms = 0.0
        self.clients = 0
        self.kernel_drops = 0

    def as_dict(self):
        d = dict(vars(self))
        d["forwarded"] = self.queries_forwarded + self.replies_forwarded
        d["dropped"] = self.queries_dropped + self.replies_dropped
        d["duplicated"] = self.replies_duplicated
        d["max_late_ms"] = round(self.max_late_ms, 3)
        return d

    def line(self):
        return ("forwarded %d, dropped %d, duplicated %d;"
                " queries %d in, %d dropped, %d forwarded, %d overtaken;"
                " replies %d in, %d dropped, %d forwarded, %d duplicated, %d overtaken;"
                " %d send errors; tcp %d connections, %d chunks, %d bytes;"
                " %d clients; %d dropped by the kernel (socket buffers full);"
                " peak held %d, held at exit %d;"
                " timers late by up to %.1f ms, %d over %.0f ms"
                % (self.queries_forwarded + self.replies_forwarded,
                   self.queries_dropped + self.replies_dropped, self.replies_duplicated,
                   self.queries_in, self.queries_dropped, self.queries_forwarded,
                   self.queries_overtaken,
                   self.replies_in, self.replies_dropped, self.replies_forwarded,
                   self.replies_duplicated, self.replies_overtaken,
                   self.send_errors, self.tcp_connections, self.tcp_chunks, self.tcp_bytes,
                   self.clients, self.kernel_drops, self.peak_held, self.held,
                   self.max_late_ms, self.late, LATE_SECONDS * 1000))


class Shaper:
    """The seeded decisions of one direction: every packet draws exactly
    four numbers (loss, delay, copy, copy's delay), whatever is decided,
    so one packet's fate never shifts the next one's."""

    def __init__(self, seed, direction, args):
        self.rng = random.Random("%s/%s" % (seed, direction))
        self.mean = args.delay / 1000.0
        self.jitter = args.jitter / 1000.0
        self.normal = args.dist == "normal"
        self.loss = args.loss
        self.dup = args.dup

    def _delay(self, u):
        if self.normal:
            d = self.rng.gauss(self.mean, self.jitter)
        else:
            d = self.mean + (2.0 * u - 1.0) * self.jitter
        return max(0.0, d)

    def decide(self):
        """(lost, delay s, copy delay s or None)."""
        lost = self.rng.random() < self.loss
        delay = self._delay(self.rng.random())
        copy = self.rng.random() < self.dup
        extra = self._delay(self.rng.random())
        if lost:
            return True, 0.0, None
        # The copy comes one more delay later, at least 1 ms after the
        # original, so it is always a late duplicate.
        return False, delay, (delay + max(extra, 0.001)) if copy else None

    def chunk_delay(self):
        return self._delay(self.rng.random())


class Proxy:
    def __init__(self, loop, args, listen_udp, listen_tcp):
        self.loop = loop
        self.args = args
        self.upstream = args.upstream
        self.udp = listen_udp
        self.tcp = listen_tcp
        self.c = Counters()
        self.q_shaper = Shaper(args.seed, "query", args)
        self.r_shaper = Shaper(args.seed, "reply", args)
        self.t_shaper = Shaper(args.seed, "tcp", args)
        # client (host, port) -> [upstream socket, last activity]
        self.clients = {}
        self.q_seq = self.q_sent = 0
        self.r_seq = self.r_sent = 0
        self.stopping = False

    # --- timers --------------------------------------------------------

    def _hold(self, delay, fn, *args):
        """Sends later: fn(*args) after delay seconds, measuring lateness."""
        due = self.loop.time() + delay
        self.c.held += 1
        if self.c.held > self.c.peak_held:
            self.c.peak_held = self.c.held
        self.loop.call_at(due, self._fire, due, fn, args)

    def _fire(self, due, fn, args):
        self.c.held -= 1
        late = self.loop.time() - due
        if late > LATE_SECONDS:
            self.c.late += 1
        if late * 1000.0 > self.c.max_late_ms:
            self.c.max_late_ms = late * 1000.0
        if not self.stopping:
            fn(*args)

    def _send(self, sock, data, addr=None):
        try:
            if addr is None:
                sock.send(data)
            else:
                sock.sendto(data, addr)
            return True
        except OSError:
            # Closed (idle) socket, or a full buffer: lost, and counted.
            self.c.send_errors += 1
            return False

    # --- UDP -------------------------------------------------------------

    def on_client_readable(self):
        while True:
            try:
                data, addr = self.udp.recvfrom(MAX_DGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self.c.queries_in += 1
            lost, delay, _ = self.q_shaper.decide()
            if lost:
                self.c.queries_dropped += 1
                continue
            entry = self._client(addr)
            if entry is None:
                self.c.send_errors += 1
                continue
            entry[1] = self.loop.time()
            self.q_seq += 1
            self._hold(delay, self._send_query, entry, data, self.q_seq)

    def _client(self, addr):
        entry = self.clients.get(addr)
        if entry is not None:
            return entry
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKBUF)
            s.connect(self.upstream)
        except OSError:
            return None
        entry = [s, self.loop.time()]
        self.clients[addr] = entry
        self.c.clients += 1
        self.loop.add_reader(s.fileno(), self.on_upstream_readable, addr, entry)
        return entry

    def _send_query(self, entry, data, seq):
        if seq < self.q_sent:
            self.c.queries_overtaken += 1
        self.q_sent = max(self.q_sent, seq)
        entry[1] = self.loop.time()
        if self._send(entry[0], data):
            self.c.queries_forwarded += 1

    def on_upstream_readable(self, addr, entry):
        while True:
            try:
                data = entry[0].recv(MAX_DGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                # ECONNREFUSED from an earlier send (upstream down): the
                # query is lost, as on a network.
                return
            self.c.replies_in += 1
            entry[1] = self.loop.time()
            lost, delay, copy = self.r_shaper.decide()
            if lost:
                self.c.replies_dropped += 1
                continue
            self.r_seq += 1
            self._hold(delay, self._send_reply, data, addr, self.r_seq, False)
            if copy is not None:
                self.c.replies_duplicated += 1
                self._hold(copy, self._send_reply, data, addr, self.r_seq, True)

    def _send_reply(self, data, addr, seq, is_copy):
        if not is_copy:
            if seq < self.r_sent:
                self.c.replies_overtaken += 1
            self.r_sent = max(self.r_sent, seq)
        if self._send(self.udp, data, addr) and not is_copy:
            self.c.replies_forwarded += 1

    def sweep(self):
        """Closes the upstream sockets of clients gone quiet."""
        now = self.loop.time()
        for addr, entry in list(self.clients.items()):
            if now - entry[1] > IDLE_SECONDS:
                self.loop.remove_reader(entry[0].fileno())
                entry[0].close()
                del self.clients[addr]
        if not self.stopping:
            self.loop.call_later(IDLE_SECONDS / 2, self.sweep)

    def count_kernel_drops(self):
        """Datagrams the kernel dropped on our UDP sockets because their
        receive buffers were full (the "drops" column of /proc/net/udp):
        loss the proxy did not decide, so a sign it fell behind."""
        inodes = set()
        for s in [self.udp] + [e[0] for e in self.clients.values()]:
            try:
                inodes.add(str(os.fstat(s.fileno()).st_ino))
            except OSError:
                pass
        total = 0
        try:
            with open("/proc/net/udp") as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if len(cols) >= 13 and cols[9] in inodes:
                        total += int(cols[12])
        except (OSError, ValueError, StopIteration):
            pass
        self.c.kernel_drops = total

    # --- TCP -------------------------------------------------------------

    async def on_tcp(self, creader, cwriter):
        self.c.tcp_connections += 1
        try:
            ureader, uwriter = await asyncio.open_connection(*self.upstream)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(self._pump(creader, uwriter), self._pump(ureader, cwriter),
                             return_exceptions=True)
        for w in (cwriter, uwriter):
            w.close()

    async def _pump(self, reader, writer):
        """Copies reader to writer, each chunk one delay later, in order."""
        last = 0.0
        done = self.loop.create_future()
        while True:
            try:
                data = await reader.read(MAX_DGRAM)
            except OSError:
                data = b""
            if not data:
                break
            self.c.tcp_chunks += 1
            self.c.tcp_bytes += len(data)
            due = max(last, self.loop.time() + self.t_shaper.chunk_delay())
            last = due
            self.loop.call_at(due, self._tcp_write, writer, data)
        self.loop.call_at(max(last, self.loop.time()), self._tcp_eof, writer, done)
        await done

    @staticmethod
    def _tcp_write(writer, data):
        if not writer.is_closing():
            writer.write(data)

    @staticmethod
    def _tcp_eof(writer, done):
        try:
            if not writer.is_closing() and writer.can_write_eof():
                writer.write_eof()
        except OSError:
            pass
        if not done.done():
            done.set_result(None)


def parse_hostport(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError("want HOST:PORT, got %r" % text)
    return (host.strip("[]") or "127.0.0.1", int(port))


def probability(text):
    p = float(text)
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError("a probability is between 0 and 1: %r" % text)
    return p


def non_negative(text):
    v = float(text)
    if v < 0:
        raise argparse.ArgumentTypeError("must not be negative: %r" % text)
    return v


def bind_both(addr, port):
    """Binds UDP and TCP on the same port: the given one, or the first
    candidate free for both (freeport.py's order: high ports outside the
    kernel's ephemeral range first). Held from here on, so no race."""
    for p in ([port] if port else candidates()):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKBUF)
            u.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKBUF)
            u.bind((addr, p))
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((addr, p))
            t.listen(512)
        except OSError:
            u.close()
            t.close()
            if port:
                raise
            continue
        u.setblocking(False)
        t.setblocking(False)
        return u, t, p
    raise OSError("no free port for both UDP and TCP")


def write_atomically(path, text):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", type=parse_hostport, required=True, metavar="HOST:PORT",
                    help="the server to forward to (the bed's BED_AUTH)")
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="default: a free high port")
    ap.add_argument("--delay", type=non_negative, default=0.0, metavar="MS",
                    help="mean delay per packet and direction, ms")
    ap.add_argument("--jitter", type=non_negative, default=0.0, metavar="MS",
                    help="+- spread of the delay (uniform) or its standard deviation (normal)")
    ap.add_argument("--dist", choices=("uniform", "normal"), default="uniform")
    ap.add_argument("--loss", type=probability, default=0.0, metavar="P",
                    help="probability that a packet is dropped, each direction")
    ap.add_argument("--dup", type=probability, default=0.0, metavar="P",
                    help="probability that a reply is sent twice")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--pidfile")
    ap.add_argument("--stats", help="write the counters here as JSON at exit")
    args = ap.parse_args()

    try:
        udp, tcp, port = bind_both(args.addr, args.port)
    except OSError as e:
        print("lossyproxy: cannot listen: %s" % e, file=sys.stderr)
        return 98 if getattr(e, "errno", None) == 98 else 1

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    proxy = Proxy(loop, args, udp, tcp)
    stop = loop.create_future()

    def report():
        proxy.count_kernel_drops()
        print("lossyproxy: " + proxy.c.line(), file=sys.stderr, flush=True)

    def on_stop():
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, on_stop)
    loop.add_signal_handler(signal.SIGUSR1, report)

    async def serve():
        server = await asyncio.start_server(proxy.on_tcp, sock=tcp)
        loop.add_reader(udp.fileno(), proxy.on_client_readable)
        loop.call_later(IDLE_SECONDS / 2, proxy.sweep)
        if args.pidfile:
            write_atomically(args.pidfile, "%d\n" % os.getpid())
        if args.port_file:
            write_atomically(args.port_file, "%d\n" % port)
        print(port, flush=True)
        await stop
        proxy.stopping = True
        loop.remove_reader(udp.fileno())
        server.close()

    try:
        loop.run_until_complete(serve())
    finally:
        report()
        if args.stats:
            write_atomically(args.stats, json.dumps(proxy.c.as_dict(), sort_keys=True) + "\n")
        if args.pidfile:
            try:
                os.unlink(args.pidfile)
            except OSError:
                pass
    # Open TCP relays and held timers are abandoned: skip the loop's and
    # the interpreter's teardown, which would wait on them.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
