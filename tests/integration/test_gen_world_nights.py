"""scripts/gen-world.py --night K (issue 18, item 8): the nights of the
storage benchmark (scripts/bench-store.sh).

Worlds of 1,000 domains for nights 0, 1 and 2 (and night 2 again, with -j2):
night 0 is the world without the option, byte for byte; nights 1 and 2 each
change exactly 10 domains (1 %), listed in changed.txt; the zone of a night
differs from the previous night's in those domains' _dmarc records and
nowhere else; domains.txt and expected.csv never change; a night generated
twice is the same bytes. No DNS: the bed is not used.

DKIM (issue 21) added key records without moving anything else: the world
with its DKIM lines and expected.csv's dkim_* columns taken out hashes to
what it was before (NON_DKIM_SHA256), and nights leave the DKIM lines alone.
The transport records (issue 24: MTA-STS, TLS-RPT, TLSA, and the second MX
host of DANE "partial" domains) did the same: taken out too, with
expected.csv's columns after the 8th, the world still hashes to
NON_DKIM_SHA256, the pin left as it was on purpose.
"""
import filecmp
import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "scripts", "gen-world.py")
PY = "/usr/bin/python3"
N = 1000
ZONE = os.path.join("zones", "bench.test.zone")
FILES = [ZONE, os.path.join("zones", "test.zone"), "domains.txt", "expected.csv",
         "changed.txt"]
# sha256 of non_dkim() for N=1000 and the default seed, computed with
# gen-world.py as it was BEFORE the DKIM records were added (2026-12-07):
# the DKIM key records must have changed no other byte of the world.
NON_DKIM_SHA256 = "66db8570faa332f6bc1aa31e80bca55c73c356f67e7ba8a07aab33bf0e5eb30f"


def is_dkim(line):
    """A zone line of a DKIM key record: its owner is under a _domainkey."""
    return "._domainkey" in line.split(" ", 1)[0]


def is_transport(line):
    """A zone line gen-world.py adds for issue 24: _mta-sts, _smtp._tls,
    mta-sts hosts, TLSA, a partial DANE domain's mx-backup host and the MX
    record naming it."""
    f = line.split(" ")
    return (f[0].startswith(("_mta-sts.", "_smtp._tls.", "mta-sts.", "_25._tcp.", "mx-backup."))
            or (len(f) > 3 and f[1] == "MX" and f[3].startswith("mx-backup.")))


def non_dkim(world):
    """The world without DKIM and transport: the zone without their lines,
    test.zone, domains.txt and expected.csv's first 8 columns, hashed."""
    h = hashlib.sha256()
    zone = "".join(l for l in read(world, ZONE).splitlines(True)
                   if not is_dkim(l) and not is_transport(l))
    csv8 = "".join(",".join(l.split(",")[:8]) + "\n"
                   for l in read(world, "expected.csv").splitlines())
    for name, text in (("zones/bench.test.zone", zone),
                       ("zones/test.zone", read(world, os.path.join("zones", "test.zone"))),
                       ("domains.txt", read(world, "domains.txt")), ("expected.csv", csv8)):
        h.update(("%s\0%s\0" % (name, text)).encode())
    return h.hexdigest()


def read(world, name):
    with open(os.path.join(world, name)) as f:
        return f.read()


class Nights(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="posture-nights-", dir=os.environ.get("TMPDIR"))
        cls.worlds = {}
        for key, args in (("plain", []), (0, ["--night", "0"]), (1, ["--night", "1"]),
                          (2, ["--night", "2"]), ("2again", ["--night", "2", "-j", "2"])):
            out = os.path.join(cls.tmp, str(key))
            p = subprocess.run([PY, GEN, out, "-n", str(N), "-q", *args], capture_output=True,
                               text=True, timeout=120)
            if p.returncode != 0:
                shutil.rmtree(cls.tmp, ignore_errors=True)
                raise AssertionError("gen-world.py %s: %s" % (" ".join(args), p.stderr))
            cls.worlds[key] = out

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def changed(self, night):
        return read(self.worlds[night], "changed.txt").splitlines()

    def zone_diff(self, a, b):
        """The lines of night b's zone that differ from night a's (the
        files have the same lines in the same order, but for those)."""
        za = read(self.worlds[a], ZONE).splitlines()
        zb = read(self.worlds[b], ZONE).splitlines()
        self.assertEqual(len(za), len(zb))
        return [(x, y) for x, y in zip(za, zb) if x != y]

    def test_night_0_is_the_world_without_the_option(self):
        for name in FILES[:-1]:
            self.assertTrue(filecmp.cmp(os.path.join(self.worlds["plain"], name),
                                        os.path.join(self.worlds[0], name), shallow=False), name)
        self.assertEqual(self.changed(0), [])
        self.assertEqual(self.changed("plain"), [])

    def test_ten_domains_a_night(self):
        for night in (1, 2):
            names = self.changed(night)
            self.assertEqual(len(names), 10, names)
            self.assertEqual(len(set(names)), 10, names)
            domains = read(self.worlds[night], "domains.txt").splitlines()
            self.assertTrue(set(names) <= set(domains))
            # In domain order.
            self.assertEqual(names, sorted(names, key=domains.index))
        self.assertNotEqual(self.changed(1), self.changed(2))

    def test_only_the_changed_dmarc_records_differ(self):
        for a, b in ((0, 1), (1, 2)):
            diff = self.zone_diff(a, b)
            owners = set()
            for old, new in diff:
                owner, typ, _ = new.split(" ", 2)
                self.assertEqual(old.split(" ", 2)[:2], [owner, typ])
                self.assertEqual(typ, "TXT")
                self.assertTrue(owner.startswith("_dmarc."), owner)
                # The record text is kept, with one ri= tag more or changed.
                self.assertIn("; ri=", new)
                self.assertTrue(new.split("; ri=")[0] == old.split("; ri=")[0].rstrip('"'),
                                (old, new))
                owners.add(owner[len("_dmarc."):] + ".bench.test")
            self.assertEqual(len(diff), 10)
            self.assertEqual(owners, set(self.changed(b)))

    def test_first_change_appends_ri(self):
        for old, new in self.zone_diff(0, 1):
            self.assertEqual(new, old[:-1] + '; ri=86401"')

    def test_expected_and_list_never_change(self):
        for night in (1, 2):
            for name in ("expected.csv", "domains.txt", os.path.join("zones", "test.zone")):
                self.assertEqual(read(self.worlds[0], name), read(self.worlds[night], name), name)

    def test_dkim_added_nothing_else(self):
        self.assertEqual(non_dkim(self.worlds["plain"]), NON_DKIM_SHA256)
        lines = read(self.worlds["plain"], ZONE).splitlines()
        self.assertTrue(any(is_dkim(l) for l in lines))
        # 1,000 domains: 10 blocks of 13 policy hosts' A, 15 _mta-sts
        # owners, 15 _smtp._tls owners, 8 TLSA, 2 mx-backup A and 2 MX.
        self.assertEqual(sum(l.startswith("_25._tcp.") for l in lines), 80)
        self.assertEqual(sum(l.startswith("mta-sts.") for l in lines), 130)
        self.assertEqual(sum(l.startswith("mx-backup.") for l in lines), 20)
        self.assertEqual(read(self.worlds["plain"], "expected.csv").split("\n", 1)[0],
                         "domain,spf_status,spf_error,dmarc_status,dmarc_enforcement,mx,a,"
                         "bimi_record,dkim_status,dkim_min_bits,dkim_selectors,dkim_revoked_only,"
                         "mta_sts_status,mta_sts_mx_covered,tls_rpt_status,dnssec_status,"
                         "dane_status")

    def test_nights_leave_dkim_alone(self):
        dkim = [l for l in read(self.worlds[0], ZONE).splitlines() if is_dkim(l)]
        self.assertGreater(len(dkim), 700)
        for night in (1, 2):
            self.assertEqual([l for l in read(self.worlds[night], ZONE).splitlines()
                              if is_dkim(l)], dkim, night)

    def test_same_night_same_bytes(self):
        for name in FILES:
            self.assertTrue(filecmp.cmp(os.path.join(self.worlds[2], name),
                                        os.path.join(self.worlds["2again"], name),
                                        shallow=False), name)


if __name__ == "__main__":
    unittest.main()
