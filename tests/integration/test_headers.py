#!/usr/bin/python3
"""posture headers through the command line, against a bed of its own.

The bed serves a zone (headers.test) with DKIM keys this test generates at
every run (RSA 2048 and ed25519) and messages it signs itself with
python3-dkim; empty zones stand for the signing domains of the real
messages in tests/fixtures/headers/real/ (mailauth's, MIT), so their keys
are looked up for real and not found. The expected values were written by
hand from the fixtures (their README says how each was read).
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from posturetest import BED, POSTURE, ROOT  # noqa: E402

import dkim  # noqa: E402  (python3-dkim)
import nacl.signing  # noqa: E402  (python3-nacl, python3-dkim's ed25519)

FIX = os.path.join(ROOT, "tests", "fixtures", "headers")
REAL = os.path.join(FIX, "real")

SOA = "@ SOA ns.{z}. hostmaster.{z}. 1 3600 600 86400 300\n@ NS ns.{z}.\n"
# Zones that stand for the real messages' signing domains: empty, so a key
# query there is NXDOMAIN (key_not_found), never a refusal (temperror).
EMPTY_ZONES = ["zonevs.eu", "ekiri.ee", "srv.dev", "mailgun.org", "projectpending.com",
               "ttias.be", "google.com"]


def txt(value):
    """A TXT record's data split into quoted strings of at most 255 bytes."""
    parts = [value[i:i + 200] for i in range(0, len(value), 200)] or [""]
    return " ".join(f'"{p}"' for p in parts)


def message(subject=b"Quarterly figures", body=b"Hello,\r\nthe figures are attached.\r\n"):
    return (b"From: Alice <alice@headers.test>\r\n"
            b"To: bob@receiver.test\r\n"
            b"Subject: " + subject + b"\r\n"
            b"Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
            b"Message-ID: <m1@headers.test>\r\n"
            b"\r\n" + body)


class Headers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="headers.", dir=os.environ.get("TMPDIR"))
        zones = os.path.join(cls.tmp, "zones")
        os.mkdir(zones)
        cls.keys(cls.tmp)
        z = "headers.test"
        with open(os.path.join(zones, z + ".zone"), "w") as f:
            f.write(f"$ORIGIN {z}.\n$TTL 300\n" + SOA.format(z=z) + "ns A 127.0.0.1\n")
            f.write(f"rsa._domainkey TXT {txt('v=DKIM1; k=rsa; p=' + cls.rsa_pub)}\n")
            f.write(f"ed._domainkey TXT {txt('v=DKIM1; k=ed25519; p=' + cls.ed_pub)}\n")
            f.write(f"revoked._domainkey TXT {txt('v=DKIM1; k=rsa; p=')}\n")
            f.write('_dmarc TXT "v=DMARC1; p=none"\n')
        for z in EMPTY_ZONES + ["jcb.example", "victim.example"]:
            with open(os.path.join(zones, z + ".zone"), "w") as f:
                f.write(f"$ORIGIN {z}.\n$TTL 300\n" + SOA.format(z=z))
                if z == "jcb.example":
                    f.write('_dmarc TXT "v=DMARC1; p=none; rua=mailto:d@jcb.example"\n')
                if z == "victim.example":
                    f.write('_dmarc TXT "v=DMARC1; p=reject"\n')
        cls.bed = os.path.join(cls.tmp, "bed")
        p = subprocess.run([BED, "start", cls.bed], env=dict(os.environ, BED_ZONES=zones),
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise AssertionError(p.stderr)
        with open(os.path.join(cls.bed, "bed.env")) as f:
            env = dict(line.strip().partition("=")[::2] for line in f if "=" in line)
        cls.auth = env["BED_AUTH"].strip("'\"")

    @classmethod
    def keys(cls, tmp):
        """A fresh RSA 2048 key (openssl) and ed25519 key (PyNaCl)."""
        pem = os.path.join(tmp, "rsa.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                        "rsa_keygen_bits:2048", "-out", pem], check=True, capture_output=True)
        with open(pem, "rb") as f:
            cls.rsa_priv = f.read()
        der = subprocess.run(["openssl", "pkey", "-in", pem, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        cls.rsa_pub = base64.b64encode(der).decode()
        sk = nacl.signing.SigningKey.generate()
        cls.ed_priv = base64.b64encode(bytes(sk))
        cls.ed_pub = base64.b64encode(bytes(sk.verify_key)).decode()

    @classmethod
    def tearDownClass(cls):
        subprocess.run([BED, "stop", cls.bed], capture_output=True, timeout=60)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers ----

    def sign(self, msg, selector, algo=b"rsa-sha256"):
        key = self.ed_priv if algo == b"ed25519-sha256" else self.rsa_priv
        sig = dkim.sign(msg, selector.encode(), b"headers.test", key, signature_algorithm=algo,
                        include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
        return sig + msg

    def run_cli(self, data, *args, path=None):
        """posture headers on data (bytes, written to a file) or path; returns
        (exit status, stdout, stderr)."""
        if path is None:
            fd, path = tempfile.mkstemp(suffix=".eml", dir=self.tmp)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        p = subprocess.run([POSTURE, "headers", path, *args, "--resolver", self.auth],
                           capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode()

    def json(self, data, *args, path=None):
        rc, out, err = self.run_cli(data, "--json", *args, path=path)
        try:
            return rc, json.loads(out)
        except json.JSONDecodeError as e:
            raise AssertionError(f"not JSON ({e}): {out!r} {err!r}")

    def verified(self, data):
        rc, d = self.json(data, "--verify")
        return [s["verified"] for s in d["dkim_signatures"]], d

    # ---- --verify: messages this test signed ----

    def test_verify_rsa_pass(self):
        v, d = self.verified(self.sign(message(), "rsa"))
        self.assertEqual(v, ["pass"])
        self.assertEqual(d["dkim_signatures"][0]["key_bits"], 2048)
        self.assertEqual(d["dkim_signatures"][0]["d"], "headers.test")
        self.assertTrue(d["dkim_signatures"][0]["aligned"])

    def test_verify_ed25519_pass(self):
        v, d = self.verified(self.sign(message(), "ed", b"ed25519-sha256"))
        self.assertEqual(v, ["pass"])
        self.assertEqual(d["dkim_signatures"][0]["a"], "ed25519-sha256")

    def test_verify_lf_line_ends(self):
        signed = self.sign(message(), "rsa")
        v, _ = self.verified(signed.replace(b"\r\n", b"\n"))
        self.assertEqual(v, ["pass"])

    def test_verify_body_modified(self):
        signed = self.sign(message(), "rsa")
        v, _ = self.verified(signed.replace(b"figures are", b"figures were"))
        self.assertEqual(v, ["body_hash_mismatch"])

    def test_verify_signed_header_modified(self):
        signed = self.sign(message(), "ed", b"ed25519-sha256")
        v, _ = self.verified(signed.replace(b"Subject: Quarterly", b"Subject: Urgent"))
        self.assertEqual(v, ["signature_mismatch"])

    def test_verify_key_removed(self):
        # Signed with the RSA key under a selector the zone does not publish.
        v, _ = self.verified(self.sign(message(), "gone"))
        self.assertEqual(v, ["key_not_found"])

    def test_verify_key_revoked(self):
        v, _ = self.verified(self.sign(message(), "revoked"))
        self.assertEqual(v, ["key_revoked"])

    def test_verify_two_signatures(self):
        once = self.sign(message(), "rsa")
        twice = self.sign(once, "gone")  # the newer (top) signature's key is missing
        v, _ = self.verified(twice)
        self.assertEqual(v, ["key_not_found", "pass"])

    def test_without_verify_not_checked(self):
        rc, d = self.json(self.sign(message(), "rsa"))
        self.assertEqual([s["verified"] for s in d["dkim_signatures"]], ["not_checked"])
        self.assertNotIn("verifier", d)

    def test_verify_text_story(self):
        rc, out, err = self.run_cli(self.sign(message(), "rsa"), "--verify")
        self.assertIn("DKIM-Signature d=headers.test s=rsa a=rsa-sha256", out)
        self.assertIn("verify: pass (2048-bit key)", out)

    # ---- --verify: the real messages, whose keys are not in the bed ----

    def test_verify_real_messages_key_not_found(self):
        want = {"arc-fail.eml": 2, "arc-fail2.eml": 2, "arc-fail3.eml": 1, "arc-pass.eml": 1,
                "arc-pass2.eml": 2, "authtest.eml": 1, "bimi.eml": 2, "message1.eml": 0,
                "message2.eml": 1, "message3.eml": 2, "message4.eml": 1}
        for name, n in sorted(want.items()):
            with self.subTest(name):
                rc, d = self.json(None, "--verify", path=os.path.join(REAL, name))
                self.assertEqual([s["verified"] for s in d["dkim_signatures"]],
                                 ["key_not_found"] * n)
                self.assertNotEqual(rc, 4, "a lookup failed: the bed lacks a zone")

    # ---- the real messages parse; hand counts ----

    def test_real_messages_counts(self):
        # name: (Received fields, Authentication-Results fields, ARC-A-R
        # fields, DKIM-Signature d= in header order), read with grep.
        want = {
            "arc-pass.eml": (5, 1, 2, ["ekiri.ee"]),
            "arc-fail.eml": (5, 1, 2, ["zonevs.eu", "srs3.zonevs.eu"]),
            "authtest.eml": (3, 1, 1, ["ekiri.ee"]),
            "bimi.eml": (3, 1, 1, ["out.srv.dev", "eu.mailgun.org"]),
            "message1.eml": (0, 0, 0, []),
            "message2.eml": (2, 1, 0, ["mail.projectpending.com"]),
            "message3.eml": (3, 1, 1, ["cronweekly.ma.ttias.be", "eu.mailgun.org"]),
            "message4.eml": (2, 1, 0, ["out.srv.dev"]),
        }
        for name, (hops, ars, aars, ds) in sorted(want.items()):
            with self.subTest(name):
                rc, d = self.json(None, path=os.path.join(REAL, name))
                self.assertEqual(len(d["hops"]), hops)
                self.assertEqual([h["index"] for h in d["hops"]], list(range(hops)))
                plain = [a for a in d["auth_results"] if a["arc_instance"] is None]
                arc = [a for a in d["auth_results"] if a["arc_instance"] is not None]
                self.assertEqual((len(plain), len(arc)), (ars, aars))
                self.assertEqual([s["d"] for s in d["dkim_signatures"]], ds)

    def test_real_hop_dates(self):
        # arc-pass.eml: hop 1 "Mon, 26 Oct 2020 05:43:29 -0700 (PDT)", hop 2
        # 05:43:28 -0700; the date in UTC, ISO 8601, and the delay between.
        rc, d = self.json(None, path=os.path.join(REAL, "arc-pass.eml"))
        self.assertEqual(d["hops"][1]["date"], "2020-10-26T12:43:29Z")
        self.assertEqual(d["hops"][1]["by"], "mx.google.com")
        self.assertEqual(d["hops"][1]["from_ip"], "209.85.220.41")
        self.assertEqual(d["hops"][1]["delay_seconds"], 1)

    def test_real_bimi_verdict(self):
        # bimi.eml: "dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=srv.dev"
        rc, d = self.json(None, path=os.path.join(REAL, "bimi.eml"))
        self.assertEqual(d["verdict"]["dmarc"], "pass")
        self.assertEqual(d["verdict"]["authserv_id"], "mx.google.com")
        self.assertEqual(d["verdict"]["policy"], "reject")
        self.assertEqual(d["from"]["domain"], "srv.dev")
        top = [a for a in d["auth_results"] if a["trusted"]]
        self.assertEqual(len(top), 1)
        self.assertEqual([(r["method"], r["result"]) for r in top[0]["results"]],
                         [("dkim", "pass"), ("dkim", "pass"), ("spf", "pass"),
                          ("dmarc", "pass")])

    def test_real_arc_declared(self):
        # arc-fail3.eml: ARC-Seal i=2 cv=fail, i=1 cv=none; arc-pass.eml: i=2 cv=pass.
        rc, d = self.json(None, path=os.path.join(REAL, "arc-fail3.eml"))
        self.assertEqual([(s["instance"], s["cv"]) for s in d["arc"]["sets"]],
                         [(1, "none"), (2, "fail")])
        self.assertEqual(d["arc"]["last_cv"], "fail")
        self.assertIn("headers.arc_fail", {f["code"] for f in d["findings"]})
        rc, d = self.json(None, path=os.path.join(REAL, "arc-pass.eml"))
        self.assertEqual(d["arc"]["last_cv"], "pass")
        self.assertTrue(d["arc"]["structure_ok"])
        self.assertNotIn("headers.arc_fail", {f["code"] for f in d["findings"]})

    def test_authserv_id_option(self):
        path = os.path.join(REAL, "message4.eml")
        rc, d = self.json(None, "--authserv-id", "uvn-67-33.tll01.zonevs.eu", path=path)
        self.assertEqual(d["verdict"]["authserv_id"], "uvn-67-33.tll01.zonevs.eu")
        rc, d = self.json(None, "--authserv-id", "mx.elsewhere.example", path=path)
        self.assertEqual(d["verdict"]["dmarc"], "unknown")
        self.assertIsNone(d["verdict"]["authserv_id"])
        self.assertIn("headers.untrusted_results", {f["code"] for f in d["findings"]})

    # ---- the incidents ----

    def findings_of(self, name, *args):
        rc, d = self.json(None, *args, path=os.path.join(FIX, name))
        return rc, d, {f["code"] for f in d["findings"]}

    INCIDENT_CODES = {"headers.relay_signature", "headers.softfail_accepted",
                      "headers.lookalike", "headers.dmarc_not_enforced",
                      "headers.weak_signature"}

    def test_incident_softfail(self):
        rc, d, c = self.findings_of("softfail-accepted.eml")
        # jcb.example stands for the card issuer and reuses the registrable
        # label of jcb.co.jp, a bundled brand: lookalike is right too.
        self.assertEqual(c & self.INCIDENT_CODES,
                         {"headers.softfail_accepted", "headers.dmarc_not_enforced",
                          "headers.lookalike"})
        self.assertEqual(rc, 1)
        self.assertEqual(d["from"]["domain"], "jcb.example")

    def test_incident_not_enforced(self):
        rc, d, c = self.findings_of("not-enforced.eml")
        self.assertEqual(c & self.INCIDENT_CODES, {"headers.dmarc_not_enforced"})
        self.assertEqual(d["verdict"]["dmarc"], "fail")

    def test_incident_relay_signature(self):
        rc, d, c = self.findings_of("relay-signature.eml")
        self.assertIn("headers.relay_signature", c)
        self.assertEqual(d["verdict"]["dmarc"], "pass")
        f = next(f for f in d["findings"] if f["code"] == "headers.relay_signature")
        sig = next(s for s in d["dkim_signatures"] if s["d"] == "victim.example")
        self.assertEqual(f["hop"], sig["hop"])
        self.assertIn("victim.example", f["message"])

    def test_incident_lookalike(self):
        rc, d, c = self.findings_of("lookalike.eml")
        self.assertEqual(c & self.INCIDENT_CODES, {"headers.lookalike", "headers.weak_signature"})
        f = next(f for f in d["findings"] if f["code"] == "headers.lookalike")
        self.assertIn("microsoft.com", f["message"])

    def test_clean_message(self):
        rc, d, c = self.findings_of("clean.eml")
        self.assertEqual(c & self.INCIDENT_CODES, set())
        self.assertEqual(d["verdict"]["dmarc"], "pass")
        self.assertEqual(rc, 0)

    def test_live_not_enforced(self):
        # jcb.example publishes p=none in this bed: the message failed DMARC,
        # an enforcing policy would have stopped it, the live one does not.
        rc, d, c = self.findings_of("softfail-accepted.eml", "--live")
        self.assertEqual(d["live"]["domain"], "jcb.example")
        self.assertEqual(d["live"]["dmarc"]["policy"], "none")
        self.assertEqual(d["live"]["would"], "reject")
        self.assertIn("headers.dmarc_not_enforced", c)

    def test_live_temperror_never_absent(self):
        # lookalike.eml's From domain has no zone in this bed: the lookup is
        # refused, which is no answer (exit 4), never "no policy".
        rc, d, c = self.findings_of("lookalike.eml", "--live")
        self.assertEqual(rc, 4)
        self.assertEqual(d["live"]["dmarc"]["status"], "temperror")
        self.assertEqual(d["live"]["would"], "unknown")

    def test_brands_file(self):
        # clean.eml is from shop.example: not like any bundled brand, but one
        # edit away from a brand given with --brands.
        brands = os.path.join(self.tmp, "brands.txt")
        with open(brands, "w") as f:
            f.write("# our brands\nshopp.example\n")
        rc, d, c = self.findings_of("clean.eml", "--brands", brands)
        f = next(f for f in d["findings"] if f["code"] == "headers.lookalike")
        self.assertIn("shopp.example", f["message"])
        self.assertEqual(rc, 1)
        rc, out, err = self.run_cli(None, "--brands", os.path.join(self.tmp, "none.txt"),
                                    path=os.path.join(FIX, "clean.eml"))
        self.assertEqual(rc, 2)
        self.assertIn("none.txt", err)

    # ---- input handling ----

    def test_stdin(self):
        with open(os.path.join(FIX, "clean.eml"), "rb") as f:
            data = f.read()
        p = subprocess.run([POSTURE, "headers", "-", "--json"], input=data,
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["verdict"]["dmarc"], "pass")

    def test_not_a_message(self):
        rc, out, err = self.run_cli(b"\x00\x01 just bytes, no header\n")
        self.assertEqual(rc, 2)
        self.assertIn("not a mail message", err)

    def test_missing_file(self):
        rc, out, err = self.run_cli(None, path=os.path.join(self.tmp, "nope.eml"))
        self.assertEqual(rc, 2)
        self.assertIn("nope.eml", err)

    def test_terminal_safe(self):
        # An escape sequence and a right-to-left override in the Subject and
        # the From display name reach the terminal as \DDD escapes.
        msg = (b"From: \"Evil\x1b[2J\" <a@headers.test>\r\n"
               b"Subject: hi \xe2\x80\xae gnp.exe\r\n"
               b"Received: from x (x [10.0.0.1]) by mx.receiver.test; "
               b"Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody\r\n")
        rc, out, err = self.run_cli(msg)
        self.assertNotIn("\x1b", out)
        self.assertNotIn("\u202e", out)
        self.assertIn("\\027[2J", out)
        self.assertIn("\\226\\128\\174", out)
        self.assertIn("private", out)  # 10.0.0.1 marked
        rc, d = self.json(msg)
        self.assertEqual(d["hops"][0]["from_ip_class"], "private")

    def test_usage(self):
        rc, out, err = self.run_cli(b"", "--bogus")
        self.assertEqual(rc, 2)
        p = subprocess.run([POSTURE, "headers"], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        p = subprocess.run([POSTURE, "headers", "--help"], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--authserv-id", p.stdout)


if __name__ == "__main__":
    unittest.main()
