#!/usr/bin/python3
"""Print a port (>= 20000) that is currently free for BOTH UDP and TCP.

Usage: freeport.py [-n COUNT] [--addr 127.0.0.1]

With -n, prints COUNT distinct ports, one per line; a caller needing
several ports must ask for them in one run, since two separate runs
may well return the same (still unbound) port.

A DNS server binds the same number for UDP and TCP, so a port that is
free for only one protocol is useless: both are bound to check.  The
check is inherently racy (the port is released before the caller binds
it); random choice over a wide range keeps parallel test runs from
colliding in practice, and bed.sh retries if a server still loses.
"""

import argparse
import random
import socket
import sys

LOW = 20000
HIGH = 65535


def ephemeral_range():
    """Kernel's range for outgoing connections' local ports.

    Ports there are handed out to every client socket on the machine,
    so a server port chosen there may be grabbed by some unrelated
    connect() before the server binds it.  Prefer ports outside it.
    """
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
        return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def is_free(addr, port):
    socks = []
    try:
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            socks.append(s)
            if kind == socket.SOCK_STREAM:
                # Match what servers do, so a port in TIME_WAIT (which
                # servers can reuse) is not needlessly rejected.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def candidates():
    lo, hi = ephemeral_range()
    preferred = [p for p in range(LOW, HIGH + 1) if not lo <= p <= hi]
    fallback = [p for p in range(LOW, HIGH + 1) if lo <= p <= hi]
    random.shuffle(preferred)
    random.shuffle(fallback)
    return preferred + fallback


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1, help="how many ports")
    ap.add_argument("--addr", default="127.0.0.1")
    args = ap.parse_args()

    found = []
    for port in candidates():
        if is_free(args.addr, port):
            found.append(port)
            if len(found) == args.n:
                break
    if len(found) < args.n:
        print("freeport: no free port found", file=sys.stderr)
        return 1
    for port in found:
        print(port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
