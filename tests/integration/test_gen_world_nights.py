"""scripts/gen-world.py --night K (issue 18, item 8): the nights of the
storage benchmark (scripts/bench-store.sh).

Worlds of 1,000 domains for nights 0, 1 and 2 (and night 2 again, with -j2):
night 0 is the world without the option, byte for byte; nights 1 and 2 each
change exactly 10 domains (1 %), listed in changed.txt; the zone of a night
differs from the previous night's in those domains' _dmarc records and
nowhere else; domains.txt and expected.csv never change; a night generated
twice is the same bytes. No DNS: the bed is not used.
"""
import filecmp
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

    def test_same_night_same_bytes(self):
        for name in FILES:
            self.assertTrue(filecmp.cmp(os.path.join(self.worlds[2], name),
                                        os.path.join(self.worlds["2again"], name),
                                        shallow=False), name)


if __name__ == "__main__":
    unittest.main()
