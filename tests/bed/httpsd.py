#!/usr/bin/python3
"""Loopback HTTPS server of the posture test bed (standard library only).

    httpsd.py --cert PEM --key PEM --port P [--addr 127.0.0.1]
              [--untrusted-cert PEM --untrusted-key PEM --untrusted-port P2]
              [--root DIR] [--pidfile F] [--ready F]

Serves virtual hosts: GET https://HOST/PATH returns DIR/HOST/PATH (HOST from
the Host header, lower case, port dropped), 404 when there is no such file,
400 for a path with a `..` segment or a host that is not a plain name.
Content-Type by extension: .svg image/svg+xml, .pem
application/pem-certificate-chain, .txt text/plain, others
application/octet-stream; a file FILE.type beside FILE holds another.
A file FILE.redirect where FILE is missing makes FILE a 302 to the URL
it holds.

Under any host, paths starting /_bed/ misbehave on purpose (see
tests/bed/README.md for the table): /_bed/big, /_bed/nolength,
/_bed/redirect/N, /_bed/loop, /_bed/downgrade, /_bed/location?VALUE,
/_bed/slow, /_bed/gzip, /_bed/status/NNN, /_bed/headers,
/_bed/together/KEY/N.

The second port (--untrusted-*) serves the same content with another
certificate (self-signed, not under the bed's CA), for TLS failure tests.

Each connection has its own thread, and the TLS handshake happens in that
thread, so a client that stalls (or a drip-fed response) never holds up
the others. --ready is written once both ports listen.
"""
import argparse
import gzip
import http.server
import json
import os
import re
import signal
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

BIG_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
MAX_REDIRECT_CHAIN = 100
SOCKET_TIMEOUT_S = 30  # an idle or stalled client is dropped after this
SLOW_BYTES = 100       # /_bed/slow promises this many, one per second
TOGETHER_WAIT_S = 20   # /_bed/together gives up (503) after this
HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
TYPES = {
    ".svg": "image/svg+xml",
    ".pem": "application/pem-certificate-chain",
    ".txt": "text/plain",
}

# 10 MiB of zeros compress to about 10 KiB: a decompression bomb.
GZIP_BOMB = gzip.compress(b"\0" * BIG_BYTES, compresslevel=9)

# /_bed/together/KEY/N: requests wait until N with the same KEY are in.
_together_lock = threading.Lock()
_together = {}


def sidecar(path):
    """The first line of a fixture's .redirect or .type file."""
    with open(path, encoding="ascii") as fh:
        return fh.readline().strip()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "posture-bed-httpsd"
    sys_version = ""
    timeout = SOCKET_TIMEOUT_S

    def log_message(self, fmt, *args):
        sys.stderr.write("%s [%s] %s\n" % (self.server.name, self.log_date_time_string(),
                                          fmt % args))

    # --- helpers -------------------------------------------------------

    def host(self):
        h = (self.headers.get("Host") or "").strip().lower()
        if h.startswith("["):
            return None
        return h.rsplit(":", 1)[0] if ":" in h else h

    def send(self, code, body=b"", ctype="text/plain", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def redirect(self, location, code=302):
        self.send(code, b"redirect\n", headers=[("Location", location)])

    def stream(self, total, close):
        """Writes total zero bytes; a client that hangs up ends it."""
        left = total
        block = b"\0" * CHUNK
        try:
            while left > 0:
                n = min(left, CHUNK)
                self.wfile.write(block[:n])
                left -= n
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass
        if close:
            self.close_connection = True

    # --- requests ------------------------------------------------------

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parts.path)
        if path.startswith("/_bed/"):
            return self.hostile(path[len("/_bed/"):], parts.query)
        host = self.host()
        if not host or not HOST_RE.match(host):
            return self.send(400, b"bad host\n")
        segments = [s for s in path.split("/") if s]
        if any(s in ("..", ".") or "\0" in s for s in segments) or not segments:
            return self.send(400 if segments else 404, b"bad path\n")
        root = self.server.root
        file = os.path.realpath(os.path.join(root, host, *segments))
        if not file.startswith(root + os.sep):
            return self.send(404, b"not found\n")
        if not os.path.isfile(file):
            # FILE.redirect in place of FILE: a 302 to the URL it holds.
            if os.path.isfile(file + ".redirect"):
                return self.redirect(sidecar(file + ".redirect"))
            return self.send(404, b"not found\n")
        with open(file, "rb") as fh:
            body = fh.read()
        ext = os.path.splitext(file)[1].lower()
        ctype = TYPES.get(ext, "application/octet-stream")
        # FILE.type beside FILE: the Content-Type it holds instead.
        if os.path.isfile(file + ".type"):
            ctype = sidecar(file + ".type")
        self.send(200, body, ctype)

    def hostile(self, what, query):
        host = self.host() or "bimi.test"
        m = re.fullmatch(r"redirect/(\d+)", what)
        if m:
            n = min(int(m.group(1)), MAX_REDIRECT_CHAIN)
            if n == 0:
                return self.send(200, b"end of the chain\n")
            return self.redirect("/_bed/redirect/%d" % (n - 1))
        m = re.fullmatch(r"status/(\d{3})", what)
        if m:
            return self.send(int(m.group(1)), b"status %s\n" % m.group(1).encode())
        m = re.fullmatch(r"together/([A-Za-z0-9_-]{1,64})/(\d{1,4})", what)
        if m:
            return self.together(m.group(1), int(m.group(2)))
        if what == "big":
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("Content-Length", str(BIG_BYTES))
            self.end_headers()
            return self.stream(BIG_BYTES, close=False)
        if what == "nolength":
            # No Content-Length and no chunking: the body ends when the
            # connection closes, so only counting bytes can stop it.
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("Connection", "close")
            self.end_headers()
            return self.stream(BIG_BYTES, close=True)
        if what == "loop":
            return self.redirect("/_bed/loop")
        if what == "downgrade":
            return self.redirect("http://%s/_bed/redirect/0" % host)
        if what == "location":
            return self.redirect(urllib.parse.unquote(query))
        if what == "slow":
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("Content-Length", str(SLOW_BYTES))
            self.end_headers()
            try:
                for _ in range(SLOW_BYTES):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(1)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                pass
            self.close_connection = True
            return None
        if what == "gzip":
            return self.send(200, GZIP_BOMB, "image/svg+xml",
                             headers=[("Content-Encoding", "gzip")])
        if what == "headers":
            body = json.dumps({k.lower(): v for k, v in self.headers.items()},
                              sort_keys=True).encode() + b"\n"
            return self.send(200, body, "application/json")
        return self.send(404, b"no such behaviour\n")

    def together(self, key, n):
        with _together_lock:
            entry = _together.get(key)
            if entry is None or entry[1] != n:
                entry = (threading.Barrier(n), n)
                _together[key] = entry
        try:
            entry[0].wait(TOGETHER_WAIT_S)
        except threading.BrokenBarrierError:
            return self.send(503, b"not all arrived\n")
        return self.send(200, b"together\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, ctx, root, name):
        self.ctx = ctx
        self.root = root
        self.name = name
        super().__init__(addr, Handler)

    def get_request(self):
        sock, addr = self.socket.accept()
        # The handshake runs on the first read, in the handler's thread.
        sock.settimeout(SOCKET_TIMEOUT_S)
        return self.ctx.wrap_socket(sock, server_side=True,
                                    do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        # A client that fails the handshake (the TLS tests do) or hangs
        # up is expected here: one line, not a traceback.
        sys.stderr.write("%s: %s: %s\n" % (self.name, client_address[0],
                                           sys.exc_info()[1]))


def context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--untrusted-port", type=int)
    ap.add_argument("--untrusted-cert")
    ap.add_argument("--untrusted-key")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..",
                                                   "fixtures", "https"))
    ap.add_argument("--pidfile")
    ap.add_argument("--ready")
    a = ap.parse_args()
    root = os.path.realpath(a.root)

    servers = [Server((a.addr, a.port), context(a.cert, a.key), root, "https")]
    if a.untrusted_port:
        servers.append(Server((a.addr, a.untrusted_port),
                              context(a.untrusted_cert, a.untrusted_key), root,
                              "https-untrusted"))
    if a.pidfile:
        with open(a.pidfile, "w") as fh:
            fh.write("%d\n" % os.getpid())
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    if a.ready:
        with open(a.ready, "w") as fh:
            fh.write("ready\n")
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
