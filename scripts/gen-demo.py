#!/usr/bin/python3
"""Generates the demo world: a few hundred invented companies under .test.

    gen-demo.py OUTDIR [--seed S] [-n COMPANIES] [-q]
    gen-demo.py OUTDIR --reports-only [--today YYYY-MM-DD]

Everything here is fictional: company names are invented (adjective +
animal + trade, plus nine hand-named BIMI showcases), every domain is under
the reserved .test TLD, every address is in 127.0.0.1 or a documentation
or benchmarking range, and the certificates come from a demo Mark
Verifying Authority made on the spot. Deterministic: the same seed gives
the same bytes in every file except the keys and certificates openssl makes
(their names, dates, subjects and logos are the same), and the receivers'
reports, dated from the day they are made unless --today says which.

Writes (stale zones/ and https/ are removed first):

  OUTDIR/zones/*.zone   one Knot zone per domain (file NAME.zone holds the
                        zone NAME., as tests/bed/bed.sh derives it), the
                        mail vendors' zones, demo.test (the BIMI asset
                        hosts bimi.demo.test and cdn.demo.test, A
                        127.0.0.1) and the parent test. (SOA and NS only,
                        so the RFC 9989 DMARC walk's _dmarc.test is
                        NXDOMAIN). Serve them alone:
                          BED_ZONES=OUTDIR/zones tests/bed/bed.sh run DIR -- CMD
  OUTDIR/https/HOST/PATH  the HTTPS docroot for https://HOST/PATH: logos
                        (bimi.demo.test/SLUG/logo.svg) and mark
                        certificate chains, leaf + intermediate + root
                        (cdn.demo.test/vmc/SLUG.pem)
  OUTDIR/vmc-roots.pem  the demo Mark Verifying Authority's root: run
                        posture with --vmc-roots OUTDIR/vmc-roots.pem
  OUTDIR/companies.csv  the scan list: domain,company,code,sector,list; one
                        row per domain, a company's primary domain first
  OUTDIR/expected.csv   what a correct audit finds, per domain (below)
  OUTDIR/README         what this is
  OUTDIR/reports/month/, OUTDIR/reports/week/
                        DMARC aggregate reports for foxglove-insurance.test
                        (p=none) from three receivers (scripts/gen-reports.py):
                        days 37 to 8 before today with its CRM failing
                        DMARC, then days 7 to 1 with the CRM fixed; for
                        posture reports import and posture check
                        --reports-db. Dated from the day they are made.
  OUTDIR/mail/foxglove-spoof.eml
                        a phishing message as a receiver (mx.inbox.test)
                        delivered it: From foxglove-insurance.test (p=none),
                        sent from a host its SPF does not list, DMARC fail
                        but delivered; for posture headers (--live reads
                        the policy from the demo world).

The mix over the primary domains of the generated companies (exact counts
for the default 300 companies, scaled for others; the nine showcases come
on top): SPF -all, ~all, ?all, +all, an include of a vendor name without
SPF (PermError), more than 10 lookups, more than 2 void lookups, a
redirect= to a hosting provider, no SPF; DMARC p=none (most), quarantine,
reject, pct below 100, t=y, sp=none under p=reject, invalid, missing;
report destinations at the domain, at a vendor that authorises the domain
(<domain>._report._dmarc.reportwise.test) and at ones that do not. Some
domains lack MX or A. A few companies own brand domains besides their
primary (parked ones with "v=spf1 -all", p=reject and no MX -- one with a
null MX --, copies of the primary under p=none, bare ones).

The BIMI showcases (SHOWCASES below): one fully ready company with a VMC,
one ready with a CMC, a self-asserted logo (no a=), a VMC whose logotype
hash does not match its embedded logo, a published logo that differs from
the VMC's, a logo that is not SVG Tiny PS (x/y on the root), a good VMC
under p=none, a declination (l= empty) and an http:// logo URL. Each
showcase publishes a DKIM key (RSA 2048) at google._domainkey.

expected.csv: header
    domain,company,role,spf_status,spf_error,spf_all,dmarc_status,
    dmarc_policy,dmarc_enforcement,dmarc_enforcement_rfc7489,rua,mx,a,
    bimi,bimi_eligible,bimi_finding
  role              primary | brand
  spf_status        ok | none | permerror; spf_error the finding code of a
                    permerror's cause; spf_all the terminal all of the
                    record, or of the redirect= target's ("" for none)
  dmarc_status      ok | none | invalid (RFC 9989 reading)
  dmarc_policy      p= of the record ("" unless status ok)
  dmarc_enforcement RFC 9989: reject | quarantine | partial (t=y) |
                    monitor | missing | invalid; ..._rfc7489 the RFC 7489
                    reading (pct below 100 is partial; t= is unknown there).
                    "test" is not in the PSL, so every domain is its own
                    organisational domain in both readings.
  rua               "" (none) | own | authorized | unauthorized (the
                    external destination's _report._dmarc answer)
  mx, a             present | absent | null_mx (posture's words)
  bimi              "" (no BIMI record) or the showcase: ready-vmc,
                    ready-cmc, self-asserted, vmc-hash-mismatch,
                    logo-mismatch, invalid-logo, dmarc-not-enforced,
                    declined, insecure-url
  bimi_eligible     1 when the domain meets the receivers' preconditions
                    (design: DMARC quarantine/reject covering all mail at
                    the domain and its organisational domain, sp and np not
                    none, SPF -all or ~all without PermError, MX and A)
  bimi_finding      the finding posture's svg/vmc commands give the broken
                    showcases (vmc.logo_hash_mismatch, vmc.logo_mismatch,
                    svg.root_xy); "" otherwise
The SPF truth is recomputed from the generated records by gen-world.py's
evaluator (RFC 7208 4.6.4 counting); the generator stops if a domain's
records do not give its category's status.

Needs /usr/bin/python3 (standard library), openssl, and
tests/fixtures/vmc/mark-ca.sh + logotype.py for the certificates.
"""
import argparse
import csv
import importlib.util
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MARK_CA = os.path.join(ROOT, "tests", "fixtures", "vmc", "mark-ca.sh")
# The showcases' DKIM key: a public RSA 2048 key made for the tests (its
# private key was thrown away; tests/fixtures/dkim/README.md).
DKIM_KEY = os.path.join(ROOT, "tests", "fixtures", "dkim", "rsa2048.b64")

# The bench world's pieces: zone heads, TXT rdata, addresses, SPF evaluator.
_spec = importlib.util.spec_from_file_location("gen_world", os.path.join(HERE, "gen-world.py"))
gw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gw)

DEFAULT_SEED = "demo-1"
DEFAULT_COMPANIES = 300
ASSETS = "demo.test"
LOGO_HOST = "bimi." + ASSETS
CERT_HOST = "cdn." + ASSETS
VMC_START, VMC_END = "20250101000000Z", "20350101000000Z"
TYPE_ORDER = ("MX", "A", "AAAA", "TXT")

# --- names -------------------------------------------------------------------

ADJECTIVES = ["amber", "brisk", "copper", "dusky", "ember", "fallow", "gilded", "hollow",
              "ivory", "jolly", "keen", "linen", "mellow", "nimble", "opal", "plucky",
              "quiet", "russet", "sable", "tawny", "umber", "velvet", "woolly", "zesty",
              "cobalt", "saffron", "misty", "sunny", "pebble", "thistle"]
ANIMALS = ["otter", "badger", "marten", "plover", "newt", "stoat", "wren", "vole", "ibis",
           "tern", "egret", "gecko", "hare", "finch", "magpie", "bittern", "curlew",
           "dormouse", "pika", "quokka", "tapir", "wombat", "yak", "zebu", "shrew", "lemur",
           "okapi", "axolotl", "ermine", "godwit", "loris", "numbat"]
SECTORS = [("Food", "Foods"), ("Logistics", "Logistics"), ("Textiles", "Textiles"),
           ("Insurance", "Insurance"), ("Banking", "Bank"), ("Software", "Software"),
           ("Retail", "Stores"), ("Energy", "Energy"), ("Pharma", "Pharma"),
           ("Travel", "Travel"), ("Media", "Media"), ("Construction", "Builders"),
           ("Telecom", "Telecom"), ("Hospitality", "Hotels"), ("Manufacturing", "Works"),
           ("Agriculture", "Farms")]
BRAND_SUFFIXES = ["shop", "careers", "news", "rewards", "cloud"]

# The BIMI showcases: (slug, company, sector, case). Their records are
# written by hand in showcase() so each shows exactly one thing.
SHOWCASES = [
    ("kestrel-foods", "Kestrel Foods", "Food", "ready-vmc"),
    ("aurora-looms", "Aurora Looms", "Textiles", "ready-cmc"),
    ("bramblewick-tea", "Bramblewick Tea", "Food", "self-asserted"),
    ("cobalt-ferry", "Cobalt Ferry Lines", "Travel", "vmc-hash-mismatch"),
    ("duneglass-optics", "Duneglass Optics", "Manufacturing", "logo-mismatch"),
    ("emberfield-bakery", "Emberfield Bakery", "Food", "invalid-logo"),
    ("foxglove-insurance", "Foxglove Insurance", "Insurance", "dmarc-not-enforced"),
    ("gullwing-air", "Gullwing Air", "Travel", "declined"),
    ("heronsgate-bank", "Heronsgate Bank", "Banking", "insecure-url"),
]
BIMI_FINDING = {"vmc-hash-mismatch": "vmc.logo_hash_mismatch",
                "logo-mismatch": "vmc.logo_mismatch", "invalid-logo": "svg.root_xy"}

# Per-category counts for 300 companies (the showcases excluded: 291).
SPF_MIX = [("hard", 95), ("soft", 100), ("neutral", 10), ("pass_all", 3),
           ("include_no_record", 9), ("too_many", 8), ("void", 3), ("redirect", 8),
           ("none", 55)]
DMARC_MIX = [("none", 148), ("quarantine", 35), ("reject", 35), ("pct", 12), ("testing", 6),
             ("sp_none", 6), ("invalid", 4), ("missing", 45)]
MX_MIX = [("vendor", 170), ("own", 109), ("absent", 12)]
A_MIX = [(True, 277), (False, 14)]
RUA_MIX = [("own", 170), ("authorized", 45), ("unauthorized", 24), ("", 52)]
BRAND_COMPANIES = 12

SPF_EXPECT = {"include_no_record": ("permerror", "spf.include_no_record"),
              "too_many": ("permerror", "spf.too_many_lookups"),
              "void": ("permerror", "spf.void_lookups"), "none": ("none", "")}

# --- the world's records -------------------------------------------------------


class World:
    """Every name's records ({fq name: {type: [rdata]}}), grouped into zones
    by their last two labels."""

    def __init__(self):
        self.names = {}
        self.zones = set()

    def add(self, name, typ, data):
        self.names.setdefault(name, {}).setdefault(typ, []).append(data)
        self.zones.add(zone_of(name))

    def lookup(self, name, typ):
        """Records at name (list), [] for no data, None for no such name
        (gen-world's SpfWalk contract)."""
        rr = self.names.get(name)
        return None if rr is None else rr.get(typ, [])

    def zone_text(self, zone, seed):
        out = [gw.zone_head(zone, "%s -- fictional; generated by scripts/gen-demo.py --seed %s"
                            % (zone, seed))]
        for name in sorted(n for n in self.names if zone_of(n) == zone):
            rel = "@" if name == zone else name[:-len(zone) - 1]
            for typ in TYPE_ORDER:
                for data in self.names[name].get(typ, ()):
                    out.append("%s %s %s\n" % (rel, typ, gw.txt_rdata(data) if typ == "TXT"
                                               else data))
        return "".join(out)


def zone_of(name):
    return ".".join(name.split(".")[-2:])


def vendors(w):
    """The mail vendors, hosting and report vendors the companies use."""
    # sendwell: a mail provider, 2 lookups; also hosts inbound mail.
    w.add("_spf.sendwell.test", "TXT",
          "v=spf1 ip4:198.51.100.0/25 include:_spf2.sendwell.test ~all")
    w.add("_spf2.sendwell.test", "TXT", "v=spf1 ip4:198.51.100.128/25 ip6:2001:db8:5e0d::/48 ~all")
    # postbright: 1 lookup, strict.
    w.add("spf.postbright.test", "TXT", "v=spf1 ip4:203.0.113.0/25 -all")
    # mailnimbus: 3 lookups.
    w.add("_spf.mailnimbus.test", "TXT",
          "v=spf1 include:_a.mailnimbus.test include:_b.mailnimbus.test -all")
    w.add("_a.mailnimbus.test", "TXT", "v=spf1 ip4:198.18.40.0/22 -all")
    w.add("_b.mailnimbus.test", "TXT", "v=spf1 ip4:198.18.44.0/22 ip6:2001:db8:4e0::/44 -all")
    # cloudquill: 4 lookups, one record per netblock.
    w.add("_spf.cloudquill.test", "TXT", "v=spf1 include:_n1.cloudquill.test "
          "include:_n2.cloudquill.test include:_n3.cloudquill.test ~all")
    for k in (1, 2, 3):
        w.add("_n%d.cloudquill.test" % k, "TXT", "v=spf1 ip4:198.19.%d.0/24 ~all" % (k * 16))
    # oldrelay: a retired relay service; its _spf name is gone.
    w.add("oldrelay.test", "A", "192.0.2.200")
    w.add("spf.oldrelay.test", "TXT", "oldrelay service retired; see the notice on our site")
    # hostnest: web hosting that customers redirect= to, 2 lookups.
    w.add("_spf.hostnest.test", "TXT", "v=spf1 ip4:192.0.2.0/26 a:relay.hostnest.test -all")
    w.add("relay.hostnest.test", "A", "192.0.2.25")
    # Inbound mail hosts.
    for host, ip in (("mx1.sendwell.test", "198.51.100.10"), ("mx2.sendwell.test", "198.51.100.11"),
                     ("inbound.postbright.test", "203.0.113.25")):
        w.add(host, "A", ip)
    # DMARC report vendors: reportwise authorises its customers one by one
    # (records added per customer); dmarc-digest authorises nobody.
    w.add("reportwise.test", "MX", "10 mx.reportwise.test.")
    w.add("mx.reportwise.test", "A", "192.0.2.50")
    w.add("dmarc-digest.test", "MX", "10 mx.dmarc-digest.test.")
    w.add("mx.dmarc-digest.test", "A", "192.0.2.51")
    # The BIMI asset hosts (the bed's HTTPS server listens on loopback).
    w.add(LOGO_HOST, "A", "127.0.0.1")
    w.add(CERT_HOST, "A", "127.0.0.1")


VENDOR_MX = [["10 mx1.sendwell.test.", "20 mx2.sendwell.test."], ["0 inbound.postbright.test."]]
OK_INCLUDES = ["_spf.sendwell.test", "spf.postbright.test", "_spf.mailnimbus.test"]

# --- one domain ----------------------------------------------------------------


class Domain:
    def __init__(self, w, name, company, role, rng):
        self.w, self.name, self.company, self.role, self.rng = w, name, company, role, rng
        self.spf_cat = None
        self.rua = ""
        self.bimi = ""

    def add(self, typ, data, sub=None):
        self.w.add(sub + "." + self.name if sub else self.name, typ, data)

    def set_mx(self, kind):
        if kind == "vendor":
            for mx in self.rng.choice(VENDOR_MX):
                self.add("MX", mx)
        elif kind == "own":
            self.add("MX", "10 mx.%s." % self.name)
            self.add("A", gw.addr(self.rng), "mx")
        elif kind == "null":
            self.add("MX", "0 .")  # RFC 7505: this domain accepts no mail

    def set_a(self, yes):
        if yes:
            self.add("A", gw.addr(self.rng))
            if self.rng.random() < 0.4:
                self.add("AAAA", gw.addr6(self.rng))
            self.add("A", gw.addr(self.rng), "www")

    def has(self, typ):
        return bool(self.w.lookup(self.name, typ))

    def set_spf(self, cat):
        rng, d = self.rng, self.name
        self.spf_cat = cat
        if cat == "none":
            if rng.random() < 0.4:
                self.add("TXT", "site-verification=%032x" % rng.getrandbits(128))
            return
        terms = []
        if cat in ("hard", "soft", "neutral", "pass_all"):
            if self.has("MX") and rng.random() < 0.3:
                terms.append("mx")
            if rng.random() < 0.4:
                terms.append(gw.net(rng))
            k = 1 if rng.random() < 0.7 else 2
            terms += ["include:" + t for t in sorted(rng.sample(OK_INCLUDES, k))]
            terms.append({"hard": "-all", "soft": "~all", "neutral": "?all",
                          "pass_all": "+all"}[cat])
        elif cat == "include_no_record":
            terms += ["include:_spf.sendwell.test", "include:_spf.oldrelay.test", "~all"]
        elif cat == "too_many":
            # 4 + 2 + 3 + 1 + 1 = 11 DNS-querying terms.
            self.add("A", gw.addr(rng), "smtp")
            terms += ["include:_spf.cloudquill.test", "include:_spf.sendwell.test",
                      "include:_spf.mailnimbus.test", "include:spf.postbright.test",
                      "a:smtp." + d, "-all"]
        elif cat == "void":
            # Three a: targets that do not exist: 3 void lookups.
            terms += ["a:mail1." + d, "a:mail2." + d, "a:mail3." + d,
                      "include:spf.postbright.test", "-all"]
        elif cat == "redirect":
            terms.append("redirect=_spf.hostnest.test")
        elif cat == "parked":
            terms.append("-all")
        self.add("TXT", "v=spf1 " + " ".join(terms))

    def set_dmarc(self, cat, rua):
        rng, d = self.rng, self.name
        self.rua = rua if cat != "missing" else ""
        if cat == "missing":
            return
        p = {"none": "none", "quarantine": "quarantine", "reject": "reject",
             "sp_none": "reject", "parked": "reject"}.get(cat) or rng.choice(("quarantine",
                                                                               "reject"))
        tags = ["v=DMARC1", "p=" + p]
        if cat == "pct":
            tags.append("pct=%d" % rng.choice((10, 25, 50, 75, 90)))
        elif cat == "testing":
            tags.append("t=y")
        elif cat == "sp_none":
            tags.append("sp=none")
        elif cat == "invalid":
            tags[1] = "p=block" if rng.random() < 0.5 else tags[1]
        if self.rua == "own":
            tags.append("rua=mailto:dmarc@" + d)
        elif self.rua:
            slug = d.split(".")[0]
            tags.append("rua=mailto:%s@reportwise.test" % slug)
            if self.rua == "authorized":
                self.w.add("%s._report._dmarc.reportwise.test" % d, "TXT", "v=DMARC1")
        if rng.random() < 0.2:
            tags.append("adkim=s")
        self.add("TXT", "; ".join(tags), "_dmarc")
        if cat == "invalid" and tags[1] != "p=block":
            # Two DMARC records at one name: no policy applies.
            self.add("TXT", "v=DMARC1; p=none", "_dmarc")

    # --- the truth ---------------------------------------------------------

    def spf_expected(self):
        got = gw.SpfWalk(self.w.lookup).result(self.name)
        want = SPF_EXPECT.get(self.spf_cat, ("ok", ""))
        if got != want:
            raise SystemExit("gen-demo: %s (%s): records give SPF %s, category says %s"
                             % (self.name, self.spf_cat, got, want))
        return got

    def spf_all(self, name=None):
        recs = [t for t in self.w.lookup(name or self.name, "TXT") or [] if gw.is_spf(t)]
        if len(recs) != 1:
            return ""
        terms = recs[0].split()[1:]
        for t in terms:
            if t.lstrip("+-~?") == "all":
                return t if t[0] in "+-~?" else "+all"
        for t in terms:
            if t.startswith("redirect="):
                return self.spf_all(t[9:])
        return ""

    def dmarc_expected(self):
        """(status, policy, RFC 9989 enforcement, RFC 7489 enforcement, tags)."""
        recs = [t for t in self.w.lookup("_dmarc." + self.name, "TXT") or []
                if t.startswith("v=DMARC1")]
        if not recs:
            return "none", "", "missing", "missing", {}
        tags = dict(t.split("=", 1) for t in recs[0].split("; "))
        if len(recs) > 1 or tags["p"] not in ("none", "quarantine", "reject"):
            return "invalid", "", "invalid", "invalid", {}
        p = tags["p"]
        new = "monitor" if p == "none" else "partial" if tags.get("t") == "y" else p
        old = "monitor" if p == "none" else "partial" if int(tags.get("pct", 100)) < 100 else p
        return "ok", p, new, old, tags

    def host(self, typ):
        recs = self.w.lookup(self.name, typ) or []
        if recs == ["0 ."]:
            return "null_mx"
        return "present" if recs else "absent"

    def row(self):
        st, err = self.spf_expected()
        all_ = self.spf_all()
        dst, pol, enf, enf_old, tags = self.dmarc_expected()
        mx, a = self.host("MX"), self.host("A")
        # The receivers' preconditions (design: BIMI readiness); the
        # organisational domain is the domain itself here.
        eligible = (dst == "ok" and enf in ("quarantine", "reject") and enf_old == enf
                    and tags.get("sp", "x") != "none" and tags.get("np", "x") != "none"
                    and st == "ok" and all_ in ("-all", "~all")
                    and mx == "present" and a == "present")
        # No usable record: no report destination is read.
        rua = self.rua if dst == "ok" else ""
        return [self.name, self.company, self.role, st, err, all_, dst, pol, enf, enf_old,
                rua, mx, a, self.bimi, int(eligible), BIMI_FINDING.get(self.bimi, "")]


EXPECTED_HEADER = ["domain", "company", "role", "spf_status", "spf_error", "spf_all",
                   "dmarc_status", "dmarc_policy", "dmarc_enforcement",
                   "dmarc_enforcement_rfc7489", "rua", "mx", "a", "bimi", "bimi_eligible",
                   "bimi_finding"]

# --- logos -----------------------------------------------------------------------

PALETTE = ["#2a6f4e", "#1f4e79", "#8e3b46", "#6a4c93", "#c46210", "#0f7173", "#3d405b",
           "#7d5a50", "#2b9348", "#9d0208"]


def initials(company):
    return "".join(w[0] for w in company.split()[:2]).upper()


def logo(company, rng, variant=""):
    """A small SVG Tiny PS logo: a background shape and the initials.
    variant "redesign" changes colour and shape; "root-xy" puts x/y on the
    root (not allowed in SVG Tiny PS)."""
    colour, accent = rng.sample(PALETTE, 2)
    shape = rng.choice(("circle", "square", "diamond"))
    if variant == "redesign":
        colour, shape = accent, {"circle": "square"}.get(shape, "circle")
    body = {
        "circle": '<circle cx="50" cy="50" r="46" fill="%s"/>' % colour,
        "square": '<rect x="6" y="6" width="88" height="88" rx="14" fill="%s"/>' % colour,
        "diamond": '<polygon points="50,4 96,50 50,96 4,50" fill="%s"/>' % colour,
    }[shape]
    xy = ' x="0" y="0"' if variant == "root-xy" else ""
    return ('<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" '
            'viewBox="0 0 100 100"%s>\n'
            "<title>%s</title>\n"
            '<rect width="100" height="100" fill="#ffffff"/>\n'
            "%s\n"
            '<text x="50" y="61" font-family="sans-serif" font-size="30" font-weight="bold" '
            'text-anchor="middle" fill="#ffffff">%s</text>\n'
            "</svg>\n" % (xy, company, body, initials(company)))


# --- the showcases -----------------------------------------------------------------


def showcase(w, slug, company, case, rng, files, certs):
    """Writes one BIMI showcase domain; adds its asset files ({path: text})
    and the certificates to issue ((slug, org, mark type, logotype args))."""
    d = Domain(w, slug + ".test", company, "primary", rng)
    d.bimi = case
    d.set_mx("own")
    d.set_a(True)
    d.add("TXT", "v=spf1 mx include:spf.postbright.test -all")
    d.spf_cat = "hard"
    p = "none" if case == "dmarc-not-enforced" else (
        "quarantine" if case == "ready-cmc" else "reject")
    d.add("TXT", "v=DMARC1; p=%s; sp=%s; rua=mailto:dmarc@%s" % (p, p, d.name), "_dmarc")
    d.rua = "own"
    # A BIMI sender signs its mail: a key at a selector posture probes
    # (posture check's dkim readiness item passes).
    with open(DKIM_KEY) as f:
        d.add("TXT", "v=DKIM1; k=rsa; p=" + f.read().strip(), "google._domainkey")
    logo_path = "%s/%s/logo.svg" % (LOGO_HOST, slug)
    cert_path = "%s/vmc/%s.pem" % (CERT_HOST, slug)
    l_url = "https://" + logo_path
    a_url = "https://" + cert_path
    published = logo(company, rng, "root-xy" if case == "invalid-logo" else "")
    files[logo_path] = published
    if case == "logo-mismatch":
        # The certificate holds the logo as registered; the site now
        # publishes a redesign.
        files[logo_path] = logo(company, random.Random(slug), "redesign")
    if case in ("ready-vmc", "vmc-hash-mismatch", "logo-mismatch", "dmarc-not-enforced"):
        extra = []
        if case == "vmc-hash-mismatch":
            # The logotype declares the hash of an older logo.
            extra = ["--hash-of", "old:" + logo(company, random.Random(slug), "redesign")]
        certs.append((slug, d.name, company, "Registered Mark", published, extra))
        rec = "v=BIMI1; l=%s; a=%s" % (l_url, a_url)
    elif case == "ready-cmc":
        certs.append((slug, d.name, company, "Prior Use Mark", published, ["--hash", "sha256"]))
        rec = "v=BIMI1; l=%s; a=%s" % (l_url, a_url)
    elif case == "declined":
        del files[logo_path]
        rec = "v=BIMI1; l=; a="
    elif case == "insecure-url":
        rec = "v=BIMI1; l=http://" + logo_path
    else:  # self-asserted, invalid-logo
        rec = "v=BIMI1; l=" + l_url
    d.add("TXT", rec, "default._bimi")
    return d


def issue(outdir, certs, files, quiet):
    """Makes the demo Mark Verifying Authority and its certificates in a
    temporary directory; writes the root and the published chains."""
    with tempfile.TemporaryDirectory(prefix="gen-demo-ca.") as ca:
        def run(*args):
            p = subprocess.run(["bash", MARK_CA, *args], capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit("gen-demo: mark-ca.sh %s failed: %s" % (args[0], p.stderr))
        run("init", ca, "posture demo (fictional)", "posture Demo Mark Root CA",
            "posture Demo Mark Issuing CA")
        for slug, domain, org, mark, svg, extra in certs:
            svg_file = os.path.join(ca, slug + ".svg")
            with open(svg_file, "w") as f:
                f.write(svg)
            args = [svg_file]
            for a in extra:
                if a.startswith("old:"):
                    a, text = os.path.join(ca, slug + ".old.svg"), a[4:]
                    with open(a, "w") as f:
                        f.write(text)
                args.append(a)
            run("leaf", ca, slug, mark, org, "DNS:" + domain, "yes", VMC_START, VMC_END, *args)
            with open(os.path.join(ca, slug + ".pem")) as f:
                files["%s/vmc/%s.pem" % (CERT_HOST, slug)] = f.read()
        shutil.copyfile(os.path.join(ca, "root.pem"), os.path.join(outdir, "vmc-roots.pem"))
    if not quiet:
        print("gen-demo: %d mark certificates issued" % len(certs), file=sys.stderr)


# --- the companies -------------------------------------------------------------------


def slots(rng, mix, n):
    """The mix scaled to n (the last category takes the rounding), shuffled."""
    total = sum(k for _, k in mix)
    counts = [k * n // total for _, k in mix]
    counts[-1] += n - sum(counts)
    s = [cat for (cat, _), k in zip(mix, counts) for _ in range(k)]
    rng.shuffle(s)
    return s


def companies(n, rng):
    """[(slug, company, sector)] of n - len(SHOWCASES) invented companies."""
    pairs = [(a, b) for a in ADJECTIVES for b in ANIMALS]
    picked = rng.sample(pairs, n - len(SHOWCASES))
    out = []
    for adj, animal in picked:
        sector, word = rng.choice(SECTORS)
        out.append(("%s-%s" % (adj, animal), "%s %s %s" % (adj.title(), animal.title(), word),
                    sector))
    return out


def build(n, seed):
    """The world, the list rows and expected rows, the files and certs."""
    rng = random.Random("%s/world" % seed)
    w = World()
    vendors(w)
    files, certs = {}, []
    gen = companies(n, rng)
    m = len(gen)
    spf, dm = slots(rng, SPF_MIX, m), slots(rng, DMARC_MIX, m)
    mx, a, rua = slots(rng, MX_MIX, m), slots(rng, A_MIX, m), slots(rng, RUA_MIX, m)
    brands = set(rng.sample(range(m), min(BRAND_COMPANIES, m)))
    entries = []  # (company, sector, [Domain])
    for i, (slug, company, sector) in enumerate(gen):
        drng = random.Random("%s/company/%s" % (seed, slug))
        d = Domain(w, slug + ".test", company, "primary", drng)
        d.set_mx(mx[i])
        d.set_a(a[i])
        d.set_spf(spf[i])
        d.set_dmarc(dm[i], rua[i])
        doms = [d]
        if i in brands:
            for suffix in sorted(drng.sample(BRAND_SUFFIXES, drng.randint(1, 2))):
                doms.append(brand(w, "%s-%s.test" % (slug, suffix), company, drng, d))
        entries.append((company, sector, doms))
    for slug, company, sector, case in SHOWCASES:
        drng = random.Random("%s/company/%s" % (seed, slug))
        entries.append((company, sector, [showcase(w, slug, company, case, drng, files, certs)]))
    # One parked brand domain says "no mail here" with a null MX (RFC 7505).
    parked = [d for _, _, doms in sorted(entries) for d in doms[1:] if d.spf_cat == "parked"]
    if parked:
        parked[0].set_mx("null")
    entries.sort(key=lambda e: e[0])
    return w, entries, files, certs


def brand(w, name, company, rng, primary):
    """A brand domain: parked, a copy of the primary under p=none, or bare."""
    d = Domain(w, name, company, "brand", rng)
    kind = rng.choice(("parked", "parked", "copy", "bare"))
    d.set_a(True)
    if kind == "parked":
        d.set_spf("parked")
        d.set_dmarc("parked", "")
    elif kind == "copy":
        d.set_mx("vendor")
        d.set_spf(primary.spf_cat if primary.spf_cat in ("hard", "soft") else "soft")
        d.set_dmarc("none", "own")
    else:
        d.set_spf("none")
    return d


README = """This directory is a FICTIONAL world for demonstrating posture.

Every company, brand, domain, address, logo and certificate in it was
invented by scripts/gen-demo.py (seed {seed}). All domains are under the
reserved .test TLD (RFC 2606/6761) and resolve only on the loopback test
bed; the mark certificates chain to a demo Mark Verifying Authority made
for this world (vmc-roots.pem), which no mail receiver trusts. Any
resemblance to real organisations is coincidence.

  zones/          Knot zone files: BED_ZONES=zones tests/bed/bed.sh run DIR -- CMD
  https/HOST/PATH what https://HOST/PATH serves (BIMI logos, VMC/CMC chains)
  vmc-roots.pem   the demo MVA root: posture ... --vmc-roots vmc-roots.pem
  companies.csv   the scan list ({companies} companies, {domains} domains)
  expected.csv    what a correct audit finds (columns: see scripts/gen-demo.py)
  reports/        receivers' DMARC reports: posture reports import reports/month
  mail/           a received phishing message: posture headers mail/foxglove-spoof.eml

BIMI showcases:
{showcases}
"""


SPOOF = """\
Return-Path: <billing@foxglove-insurance.test>
Delivered-To: claims@kestrel-foods.test
Received: from mx.inbox.test (localhost [127.0.0.1])
	by store.inbox.test (Dovecot) with LMTP id 8dJq1w
	for <claims@kestrel-foods.test>; Tue, 01 Dec 2026 09:14:07 +0000
Authentication-Results: mx.inbox.test;
	spf=softfail (mx.inbox.test: 203.0.113.66 is not an authorised sender of
	foxglove-insurance.test) smtp.mailfrom=billing@foxglove-insurance.test;
	dkim=none;
	dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=foxglove-insurance.test
Received-SPF: softfail (mx.inbox.test: domain of transitioning
	billing@foxglove-insurance.test does not designate 203.0.113.66 as
	permitted sender) client-ip=203.0.113.66;
	envelope-from=<billing@foxglove-insurance.test>; helo=mail.invoice-notice.test;
Received: from mail.invoice-notice.test (unknown [203.0.113.66])
	by mx.inbox.test (Postfix) with ESMTP id 4Fq2Xk1Zz3
	for <claims@kestrel-foods.test>; Tue, 01 Dec 2026 09:14:05 +0000
From: Foxglove Insurance <billing@foxglove-insurance.test>
To: claims@kestrel-foods.test
Subject: =?UTF-8?B?UGF5bWVudCBvdmVyZHVlIOKAkyBhY3Rpb24gcmVxdWlyZWQ=?=
Date: Tue, 01 Dec 2026 09:14:02 +0000
Message-ID: <20261201091402.77@invoice-notice.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Your policy payment is overdue. Pay within 24 hours at the link below.
"""


def mail(out):
    """A spoof of the p=none showcase as a receiver delivered it."""
    d = os.path.join(out, "mail")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "foxglove-spoof.eml"), "w", newline="\r\n") as f:
        f.write(SPOOF)


def reports(out, today=None):
    """A month of receivers' reports for the p=none showcase, then a week
    after its CRM was fixed (scripts/gen-reports.py)."""
    gen = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen-reports.py")
    shutil.rmtree(os.path.join(out, "reports"), ignore_errors=True)
    for sub, frm, to, crm in (("month", 37, 8, "fail"), ("week", 7, 1, "pass")):
        subprocess.run([sys.executable, gen, os.path.join(out, "reports", sub), "--domain",
                        "foxglove-insurance.test", "--from-days-ago", str(frm),
                        "--to-days-ago", str(to), "--crm", crm]
                       + (["--now", today] if today else []),
                       check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(
        description="Generate the fictional demo world (zones, HTTPS docroot, demo "
        "VMC root, company list, expected results).",
        epilog="The header of this script documents every output and the mix.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--seed", default=DEFAULT_SEED, help="any string (default %(default)s)")
    ap.add_argument("-n", "--companies", type=int, default=DEFAULT_COMPANIES, metavar="N",
                    help="how many companies (default %%(default)s, at least %d)"
                    % (len(SHOWCASES) + 20))
    ap.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    ap.add_argument("--reports-only", action="store_true",
                    help="only write OUTDIR/reports/ again (dated from today)")
    ap.add_argument("--today", metavar="YYYY-MM-DD",
                    help="date the reports from this day instead of today (UTC): the same "
                    "world twice, whenever it is made")
    args = ap.parse_args()
    if args.reports_only:
        reports(args.outdir, args.today)
        return 0
    if not len(SHOWCASES) + 20 <= args.companies <= len(ADJECTIVES) * len(ANIMALS):
        ap.error("-n must be between %d and %d" % (len(SHOWCASES) + 20,
                                                   len(ADJECTIVES) * len(ANIMALS)))
    w, entries, files, certs = build(args.companies, args.seed)

    out = args.outdir
    for sub in ("zones", "https"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(os.path.join(out, "zones"))
    zones = sorted(w.zones | {"test"})
    for z in zones:
        text = (gw.zone_head("test", "test. -- parent of the demo world (gen-demo.py): "
                             "_dmarc.test and other names are NXDOMAIN")
                if z == "test" else w.zone_text(z, args.seed))
        with open(os.path.join(out, "zones", z + ".zone"), "w") as f:
            f.write(text)
    issue(out, certs, files, args.quiet)
    for path in sorted(files):
        full = os.path.join(out, "https", path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(files[path])

    reports(out, args.today)
    mail(out)

    lst, exp = io.StringIO(), io.StringIO()
    lw, ew = csv.writer(lst, lineterminator="\n"), csv.writer(exp, lineterminator="\n")
    lw.writerow(["domain", "company", "code", "sector", "list"])
    ew.writerow(EXPECTED_HEADER)
    ndom = 0
    for k, (company, sector, doms) in enumerate(entries):
        for d in doms:
            lw.writerow([d.name, company, "D%03d" % (k + 1), sector, "demo"])
            ew.writerow(d.row())
            ndom += 1
    for name, text in (("companies.csv", lst.getvalue()), ("expected.csv", exp.getvalue())):
        with open(os.path.join(out, name), "w", newline="") as f:
            f.write(text)
    shows = "\n".join("  %-28s %-20s %s" % (slug + ".test", company, case)
                      for slug, company, _, case in SHOWCASES)
    with open(os.path.join(out, "README"), "w") as f:
        f.write(README.format(seed=args.seed, companies=len(entries), domains=ndom,
                              showcases=shows))
    if not args.quiet:
        print("gen-demo: %d companies, %d domains, %d zones, seed %s -> %s"
              % (len(entries), ndom, len(zones), args.seed, out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
