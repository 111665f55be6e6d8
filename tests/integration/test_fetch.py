#!/usr/bin/env python3
"""Integration tests of the HTTPS fetcher (scanner/fetch/fetch.c) on the bed's
HTTPS server (tests/bed/httpsd.py), through build/tests/fetch_tool.

bed.sh exports BED_HTTPS (the server, certificate from the bed's test CA),
BED_HTTPS_UNTRUSTED (same content, a self-signed certificate), BED_CA (the
CA certificate) and BED_AUTH (Knot: ns.bed.test is 127.0.0.1, nx.bed.test
does not exist). URLs keep their real host names (bimi.test, demo.test);
--connect-to sends the connections to the loopback ports, as a scan's
tests would. Nothing leaves 127.0.0.1.

No test measures time, except upper bounds far above what the behaviour
needs (a 10 MiB body refused well before it could arrive; a drip-fed
response ended by the small time limit the test sets, not the server).
"""
import json
import os
import subprocess
import time
import unittest
import uuid

BUILD = os.environ.get("POSTURE_BUILD", "build")
TOOL = os.path.join(BUILD, "tests", "fetch_tool")
HTTPS = os.environ["BED_HTTPS"]
HTTPS_PORT = HTTPS.rsplit(":", 1)[1]
UNTRUSTED_PORT = os.environ["BED_HTTPS_UNTRUSTED"].rsplit(":", 1)[1]
CA = os.environ["BED_CA"]
AUTH = os.environ["BED_AUTH"]
FIX = "tests/fixtures/https"

# Every host on port 443 goes to the bed's server.
ALL_TO_BED = "::127.0.0.1:%s" % HTTPS_PORT


def fetch(*urls, connect_to=(ALL_TO_BED,), ca=CA, resolver=AUTH, extra=(), timeout=120):
    """Runs fetch_tool; returns (results in URL order, names resolved)."""
    cmd = [TOOL, "--body"]
    if ca:
        cmd += ["--ca-file", ca]
    for c in connect_to:
        cmd += ["--connect-to", c]
    if resolver:
        cmd += ["--resolver", resolver]
    cmd += list(extra) + list(urls)
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError("fetch_tool exit %d: %s" % (p.returncode, p.stderr.decode()))
    doc = json.loads(p.stdout)
    return doc["results"], doc["resolved"]


def fetch_one(url, **kw):
    results, _ = fetch(url, **kw)
    return results[0]


def fixture(path):
    with open(os.path.join(FIX, path), "rb") as fh:
        return fh.read()


class Good(unittest.TestCase):
    def test_svg(self):
        r = fetch_one("https://bimi.test/logo.svg")
        self.assertEqual(r["status"], "ok", r["reason"])
        self.assertEqual(r["http_code"], 200)
        self.assertEqual(r["content_type"], "image/svg+xml")
        self.assertEqual(bytes.fromhex(r["body_hex"]), fixture("bimi.test/logo.svg"))
        self.assertEqual(r["len"], len(fixture("bimi.test/logo.svg")))
        self.assertEqual(r["reason"], "")
        self.assertEqual(r["redirects"], 0)
        self.assertFalse(r["temporary"])

    def test_pem(self):
        r = fetch_one("https://bimi.test/vmc.pem")
        self.assertEqual(r["status"], "ok", r["reason"])
        self.assertEqual(r["content_type"], "application/pem-certificate-chain")
        self.assertEqual(bytes.fromhex(r["body_hex"]), fixture("bimi.test/vmc.pem"))

    def test_second_host_and_normalised_url(self):
        r = fetch_one("https://DEMO.test./logo.svg")
        self.assertEqual(r["status"], "ok", r["reason"])
        self.assertEqual(r["final_url"], "https://demo.test/logo.svg")
        self.assertEqual(bytes.fromhex(r["body_hex"]), fixture("demo.test/logo.svg"))

    def test_request_headers(self):
        # No cookies, credentials or compression offered; posture's UA.
        r = fetch_one("https://bimi.test/_bed/headers")
        self.assertEqual(r["status"], "ok", r["reason"])
        h = json.loads(bytes.fromhex(r["body_hex"]))
        self.assertTrue(h["user-agent"].startswith("posture/"), h)
        self.assertEqual(h["host"], "bimi.test")
        for absent in ("cookie", "authorization", "accept-encoding", "referer"):
            self.assertNotIn(absent, h)

    def test_empty_cap_exact(self):
        # A body exactly at the cap is accepted; one byte less is not.
        size = len(fixture("bimi.test/logo.svg"))
        r = fetch_one("https://bimi.test/logo.svg", extra=["--max-bytes", str(size)])
        self.assertEqual(r["status"], "ok", r["reason"])
        r = fetch_one("https://bimi.test/logo.svg", extra=["--max-bytes", str(size - 1)])
        self.assertEqual(r["status"], "too_large")


class Refused(unittest.TestCase):
    def assertStatus(self, r, status, *in_reason):
        self.assertEqual(r["status"], status, r)
        self.assertTrue(r["body_is_null"], r)
        self.assertEqual(r["len"], 0)
        self.assertIn(r["final_url"] or r["url"], r["reason"])
        for text in in_reason:
            self.assertIn(text, r["reason"])

    def test_404(self):
        r = fetch_one("https://bimi.test/missing.svg")
        self.assertStatus(r, "http_status", "404")
        self.assertEqual(r["http_code"], 404)
        self.assertFalse(r["temporary"])

    def test_503_is_temporary(self):
        r = fetch_one("https://bimi.test/_bed/status/503")
        self.assertStatus(r, "http_status", "503")
        self.assertTrue(r["temporary"])

    def test_big_body(self):
        # 10 MiB announced by Content-Length: refused at the headers.
        t0 = time.monotonic()
        r = fetch_one("https://bimi.test/_bed/big", extra=["--max-bytes", "32768"])
        self.assertStatus(r, "too_large", "32768")
        self.assertLess(time.monotonic() - t0, 30)

    def test_big_body_without_length(self):
        # No Content-Length: the write callback counts and stops.
        r = fetch_one("https://bimi.test/_bed/nolength", extra=["--max-bytes", "32768"])
        self.assertStatus(r, "too_large")

    def test_three_redirects_followed(self):
        r = fetch_one("https://bimi.test/_bed/redirect/3")
        self.assertEqual(r["status"], "ok", r["reason"])
        self.assertEqual(r["redirects"], 3)
        self.assertEqual(r["final_url"], "https://bimi.test/_bed/redirect/0")
        self.assertEqual(bytes.fromhex(r["body_hex"]), b"end of the chain\n")

    def test_four_redirects_refused(self):
        r = fetch_one("https://bimi.test/_bed/redirect/4")
        self.assertStatus(r, "redirect_limit", "more than 3 redirects")
        self.assertEqual(r["redirects"], 3)

    def test_max_redirects_option(self):
        r = fetch_one("https://bimi.test/_bed/redirect/1", extra=["--max-redirects", "0"])
        self.assertStatus(r, "redirect_limit")

    def test_endless_loop(self):
        r = fetch_one("https://bimi.test/_bed/loop")
        self.assertStatus(r, "redirect_limit")

    def test_downgrade(self):
        r = fetch_one("https://bimi.test/_bed/downgrade")
        self.assertStatus(r, "redirect_insecure", "http://bimi.test/")
        self.assertEqual(r["redirects"], 0)

    def test_redirect_to_credentials(self):
        r = fetch_one("https://bimi.test/_bed/location?https://u:p@demo.test/logo.svg")
        self.assertStatus(r, "bad_url", "credentials")

    def test_relative_redirect(self):
        r = fetch_one("https://bimi.test/_bed/location?/logo.svg")
        self.assertEqual(r["status"], "ok", r["reason"])
        self.assertEqual(r["final_url"], "https://bimi.test/logo.svg")
        self.assertEqual(r["redirects"], 1)

    def test_slow_server(self):
        # 100 bytes at one a second; a 2 s total limit ends it.
        t0 = time.monotonic()
        r = fetch_one("https://bimi.test/_bed/slow", extra=["--total-timeout", "2000"])
        self.assertStatus(r, "timeout")
        self.assertTrue(r["temporary"])
        self.assertLess(time.monotonic() - t0, 60)

    def test_slow_server_low_speed(self):
        # The low-speed limit alone ends it, with a generous total limit.
        r = fetch_one("https://bimi.test/_bed/slow",
                      extra=["--low-speed-bytes", "50", "--low-speed-ms", "2000",
                             "--total-timeout", "60000"])
        self.assertStatus(r, "timeout", "too slow")

    def test_gzip_bomb(self):
        r = fetch_one("https://bimi.test/_bed/gzip")
        self.assertStatus(r, "encoded")

    def test_untrusted_certificate(self):
        r = fetch_one("https://bimi.test/logo.svg",
                      connect_to=["bimi.test:443:127.0.0.1:%s" % UNTRUSTED_PORT])
        self.assertStatus(r, "tls")

    def test_without_the_test_ca(self):
        # The system trust store does not know the bed's CA.
        r = fetch_one("https://bimi.test/logo.svg", ca=None)
        self.assertStatus(r, "tls")

    def test_hostname_mismatch(self):
        r = fetch_one("https://wronghost.invalid-san.test/logo.svg")
        self.assertStatus(r, "tls", "wronghost.invalid-san.test")

    def test_http_url(self):
        r = fetch_one("http://bimi.test/logo.svg")
        self.assertStatus(r, "not_https")

    def test_credentials_in_url(self):
        r = fetch_one("https://user:secret@bimi.test/logo.svg")
        self.assertStatus(r, "bad_url", "credentials")

    def test_bad_urls(self):
        results, _ = fetch("not a url", "https://", "https://bimi.test/" + "a" * 3000,
                           "https://bimi.test/\x7f", "ftp://bimi.test/x")
        self.assertEqual([r["status"] for r in results],
                         ["bad_url", "bad_url", "bad_url", "bad_url", "not_https"])

    def test_connection_refused(self):
        # The untrusted port's neighbour is not guaranteed free; port 1 is.
        r = fetch_one("https://bimi.test/logo.svg", connect_to=["bimi.test:443:127.0.0.1:1"])
        self.assertStatus(r, "connect")
        self.assertTrue(r["temporary"])


class Resolve(unittest.TestCase):
    """Names go through posture's DNS adapter (--resolver BED_AUTH)."""

    def test_through_posture_resolver(self):
        # bimi.test connects to ns.bed.test (127.0.0.1 in Knot) on the
        # bed's port: that name is resolved by the adapter, not curl.
        results, resolved = fetch("https://bimi.test/logo.svg",
                                  connect_to=["bimi.test:443:ns.bed.test:%s" % HTTPS_PORT])
        self.assertEqual(results[0]["status"], "ok", results[0]["reason"])
        self.assertEqual(resolved, ["ns.bed.test"])

    def test_name_without_address(self):
        results, resolved = fetch("https://bimi.test/logo.svg",
                                  connect_to=["bimi.test:443:nx.bed.test:%s" % HTTPS_PORT])
        r = results[0]
        self.assertEqual(r["status"], "resolve", r)
        self.assertIn("nx.bed.test", r["reason"])
        self.assertIn("nxdomain", r["reason"])
        self.assertFalse(r["temporary"])
        self.assertEqual(resolved, ["nx.bed.test"])

    def test_unresolvable_url_host(self):
        # No connect-to at all: the URL's own host is looked up.
        results, resolved = fetch("https://nx.bed.test/logo.svg", connect_to=())
        self.assertEqual(results[0]["status"], "resolve")
        self.assertEqual(resolved, ["nx.bed.test"])

    def test_dns_failure_is_temporary(self):
        # The fault server never answers "drop": a temporary failure.
        fault = os.environ["BED_FAULT"]
        results, _ = fetch("https://drop.fault.test/logo.svg", connect_to=(), resolver=fault,
                           extra=[])
        r = results[0]
        self.assertEqual(r["status"], "resolve", r)
        self.assertTrue(r["temporary"], r)

    def test_redirect_target_resolved_too(self):
        # bimi.test -> demo.test: the second host goes through the
        # resolver as well (demo.test is sent to ns.bed.test).
        results, resolved = fetch(
            "https://bimi.test/_bed/location?https://demo.test/logo.svg",
            connect_to=["bimi.test:443:127.0.0.1:%s" % HTTPS_PORT,
                        "demo.test:443:ns.bed.test:%s" % HTTPS_PORT])
        r = results[0]
        self.assertEqual(r["status"], "ok", r["reason"])
        self.assertEqual(r["final_url"], "https://demo.test/logo.svg")
        self.assertEqual(bytes.fromhex(r["body_hex"]), fixture("demo.test/logo.svg"))
        self.assertEqual(resolved, ["ns.bed.test"])

    def test_redirect_target_unresolvable(self):
        results, resolved = fetch(
            "https://bimi.test/_bed/location?https://demo.test/logo.svg",
            connect_to=["bimi.test:443:127.0.0.1:%s" % HTTPS_PORT,
                        "demo.test:443:nx.bed.test:%s" % HTTPS_PORT])
        self.assertEqual(results[0]["status"], "resolve")
        self.assertEqual(results[0]["redirects"], 1)
        self.assertEqual(resolved, ["nx.bed.test"])


class Destination(unittest.TestCase):
    """The destination policy (scanner/fetch/fetch_dest.c): no connect-to
    entry covers these hosts, so loopback is refused before any connection;
    test_fetch_policy.py has the same through the CLI, with listeners."""

    def assertRefused(self, r, *in_reason):
        self.assertEqual(r["status"], "destination", r)
        self.assertFalse(r["temporary"], r)
        self.assertTrue(r["body_is_null"], r)
        for text in in_reason:
            self.assertIn(text, r["reason"])

    def test_name_resolving_to_loopback(self):
        r = fetch_one("https://ns.bed.test/logo.svg", connect_to=())
        self.assertRefused(r, "https://ns.bed.test/logo.svg: destination refused: ns.bed.test "
                              "has no public address (127.0.0.1: loopback, 127.0.0.0/8)")

    def test_redirect_to_loopback_literal(self):
        r = fetch_one("https://bimi.test/_bed/location?https://127.0.0.1/logo.svg",
                      connect_to=["bimi.test:443:127.0.0.1:%s" % HTTPS_PORT])
        self.assertRefused(r, "https://127.0.0.1/logo.svg: destination refused: 127.0.0.1 is "
                              "not a public address (loopback, 127.0.0.0/8)")
        self.assertEqual(r["redirects"], 1)
        self.assertEqual(r["http_code"], 302)

    def test_redirect_to_another_port(self):
        r = fetch_one("https://bimi.test/_bed/location?https://demo.test:%s/logo.svg"
                      % HTTPS_PORT, connect_to=["bimi.test:443:127.0.0.1:%s" % HTTPS_PORT])
        self.assertRefused(r, "destination refused: port %s (only 443 unless allowed)"
                           % HTTPS_PORT)

    def test_curl_resolving_itself(self):
        # No resolver callback: curl resolves localhost, and the socket it
        # was about to open is refused.
        r = fetch_one("https://localhost/logo.svg", connect_to=(), resolver=None)
        self.assertRefused(r, "is not a public address (loopback, ")


class Many(unittest.TestCase):
    def test_fifty_in_flight_at_once(self):
        # Each request is held by the server until all 50 have arrived:
        # they only succeed if the fetcher really has 50 on the wire.
        # Distinct hosts, and no per-host cap: connect-to makes every
        # connection go to one address, which curl would count as one host.
        key = uuid.uuid4().hex
        urls = ["https://h%d.bimi.test/_bed/together/%s/50" % (i, key) for i in range(50)]
        results, _ = fetch(*urls, extra=["--max-inflight", "50",
                                         "--max-host-connections", "0"])
        self.assertEqual([r["status"] for r in results], ["ok"] * 50,
                         [r["reason"] for r in results if r["status"] != "ok"][:3])
        self.assertEqual({bytes.fromhex(r["body_hex"]) for r in results}, {b"together\n"})

    def test_fifty_mixed_one_host(self):
        # Logos, certificates, failures and redirects side by side on one
        # host (the default per-host cap queues them): each gets its own
        # result.
        cases = [("https://bimi.test/logo.svg", "ok"),
                 ("https://bimi.test/vmc.pem", "ok"),
                 ("https://bimi.test/missing.svg", "http_status"),
                 ("https://bimi.test/_bed/redirect/2", "ok"),
                 ("https://bimi.test/_bed/gzip", "encoded")] * 10
        results, _ = fetch(*[u for u, _ in cases], extra=["--max-inflight", "50"])
        self.assertEqual([r["status"] for r in results], [s for _, s in cases])
        for (url, _), r in zip(cases, results):
            self.assertEqual(r["url"], url)
            if url.endswith("logo.svg"):
                self.assertEqual(bytes.fromhex(r["body_hex"]), fixture("bimi.test/logo.svg"))
            if url.endswith("vmc.pem"):
                self.assertEqual(bytes.fromhex(r["body_hex"]), fixture("bimi.test/vmc.pem"))


if __name__ == "__main__":
    unittest.main(verbosity=1)
