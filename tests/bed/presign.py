#!/usr/bin/python3
"""Signs one bed zone file with signatures broken on purpose.

    presign.py ZONEFILE ZONE OUT

bed.sh runs this at every start for a zone file whose first line is
`; dnssec: presigned` (tests/bed/README.md, "Signed zones"). It makes a
fresh ECDSA P-256 key (one key, flags 257: it signs the DNSKEY set and
every other RRset, RFC 6781 3.1.4's single-type signing), signs every
authoritative RRset of ZONE, builds the NSEC chain (RFC 4034 4; names in
canonical order, 6.1), breaks what the zone file's other `; dnssec:` lines
ask, writes the signed zone to OUT (Knot serves it as it is, signing
nothing) and prints the key's DS record (SHA-256, RFC 4509) on stdout, for
the bed's trust-anchor file.

Directives (comment lines anywhere in the file, OWNER relative to the
zone or "@", TYPE a type mnemonic):

    ; dnssec: presigned            the zone is signed by this script
    ; dnssec: expired OWNER TYPE   that RRset's RRSIG expired a day ago
                                   (inception 30 days ago): RFC 4035 5.3.1
    ; dnssec: badsig OWNER TYPE    that RRset's signature has a flipped
                                   bit: it does not verify (RFC 4035 5.3.3)

Everything else is signed correctly (inception an hour ago, expiration in
30 days), so the validator's verdict on the other answers of the zone is
secure. python3-dnspython and python3-cryptography (Debian) do the work.
Exits 0, or 1 with a message on stderr.
"""
import re
import sys
import time

import dns.dnssec
import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone
from cryptography.hazmat.primitives.asymmetric import ec

DIRECTIVE = re.compile(r"^\s*;\s*dnssec:\s*(.*?)\s*$")
DAY = 86400


def directives(path, origin):
    """{(owner Name, rdtype): "expired"|"badsig"} from the file's lines."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = DIRECTIVE.match(line)
            if not m:
                continue
            words = m.group(1).split()
            if words == ["presigned"]:
                continue
            if len(words) != 3 or words[0] not in ("expired", "badsig"):
                raise ValueError(f"{path}:{n}: unknown directive '; dnssec: {m.group(1)}'")
            owner = origin if words[1] == "@" else dns.name.from_text(words[1], origin)
            out[(owner, dns.rdatatype.from_text(words[2]))] = words[0]
    return out


def authoritative(zone, origin):
    """The names whose RRsets this zone signs, in canonical order, and the
    delegation points among them (RFC 4035 2.2: at a delegation only the
    DS and NSEC RRsets are signed; below it, glue, nothing)."""
    cuts = {n for n, node in zone.nodes.items()
            if n != origin and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS)}
    names = [n for n in sorted(zone.nodes)
             if not any(n != c and n.is_subdomain(c) for c in cuts)]
    return names, cuts


def add_nsec(zone, names, cuts, ttl):
    for i, name in enumerate(names):
        nxt = names[(i + 1) % len(names)]
        types = {rds.rdtype for rds in zone.nodes[name].rdatasets}
        if name in cuts:
            types &= {dns.rdatatype.NS, dns.rdatatype.DS}
        types |= {dns.rdatatype.RRSIG, dns.rdatatype.NSEC}
        text = nxt.to_text() + " " + " ".join(
            dns.rdatatype.to_text(t) for t in sorted(types))
        rd = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NSEC, text)
        zone.find_rdataset(name, dns.rdatatype.NSEC, create=True).add(rd, ttl)


def sign_all(zone, origin, names, cuts, key, dnskey, broken):
    now = int(time.time())
    for name in names:
        node = zone.nodes[name]
        for rds in list(node.rdatasets):
            if rds.rdtype == dns.rdatatype.RRSIG:
                continue
            if name in cuts and rds.rdtype not in (dns.rdatatype.DS, dns.rdatatype.NSEC):
                continue
            how = broken.pop((name, rds.rdtype), None)
            inception, expiration = now - 3600, now + 30 * DAY
            if how == "expired":
                inception, expiration = now - 30 * DAY, now - DAY
            sig = dns.dnssec.sign((name, rds), key, origin, dnskey, inception=inception,
                                  expiration=expiration)
            if how == "badsig":
                flipped = bytearray(sig.signature)
                flipped[-1] ^= 0x01
                sig = sig.replace(signature=bytes(flipped))
            zone.find_rdataset(name, dns.rdatatype.RRSIG, covers=rds.rdtype,
                               create=True).add(sig, rds.ttl)
    if broken:
        (owner, rdtype), how = next(iter(broken.items()))
        raise ValueError(f"'{how} {owner} {dns.rdatatype.to_text(rdtype)}': no such RRset "
                         "signed in the zone")


def main(argv):
    if len(argv) != 4:
        print("usage: presign.py ZONEFILE ZONE OUT", file=sys.stderr)
        return 1
    path, zname, out = argv[1], argv[2], argv[3]
    try:
        origin = dns.name.from_text(zname)
        zone = dns.zone.from_file(path, origin=origin, relativize=False)
        broken = directives(path, origin)
        key = ec.generate_private_key(ec.SECP256R1())
        dnskey = dns.dnssec.make_dnskey(key.public_key(), dns.dnssec.Algorithm.ECDSAP256SHA256,
                                        flags=257)
        soa = zone.find_rdataset(origin, dns.rdatatype.SOA)
        ttl = min(soa.ttl, soa[0].minimum)  # RFC 9077 3: the NSEC TTL
        zone.find_rdataset(origin, dns.rdatatype.DNSKEY, create=True).add(dnskey, soa.ttl)
        names, cuts = authoritative(zone, origin)
        add_nsec(zone, names, cuts, ttl)
        sign_all(zone, origin, names, cuts, key, dnskey, broken)
        zone.to_file(out, relativize=False)
    except (OSError, ValueError, dns.exception.DNSException) as e:
        print(f"presign.py: {path}: {e}", file=sys.stderr)
        return 1
    ds = dns.dnssec.make_ds(origin, dnskey, "SHA256")
    print(f"{origin.to_text()} IN DS {ds.to_text()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
