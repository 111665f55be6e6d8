#!/usr/bin/python3
"""Turns the scenarios of an openspf/pyspf SPF test suite into Knot zones.

    spf_suite2zone.py SUITE.yml OUTDIR

writes, for scenario K (1-based, in file order), OUTDIR/scenario-K/.zone
(the root zone "." holding every name of the scenario's zone data, so any
other name is NXDOMAIN, as in pyspf's driver) and OUTDIR/scenario-K/drop.json
(the questions to leave unanswered, see below). tests/integration/
test_spf_suite_cli.py imports scenario_zone() and serves the zones with
knotd, one scenario at a time, to run the suite through `posture spf eval`
over real DNS.

The zone data is read as spf_suite2json.py reads it and served under the
conventions tests/conformance/spf/README.md lists for the in-process runner
(spf_suite.c):

- SPF entries become SPF (type 99) records and, when the owner has no TXT
  entry, TXT records too; a value NONE is no record.
- Names are the suite's text, every byte literal and '.' between labels.
  In the zone file every byte other than a letter, digit, '-' or '_' is
  written as \\DDD, so owners and targets such as foo:bar/baz.example.com
  or "macro%percent  space%20url-space.example.com" reach the wire as the
  bytes the suite names.
- TXT text: code points up to U+00FF are octets (the suite writes them as
  YAML \\xNN escapes), written as \\DDD unless printable ASCII; a string is
  cut into character-strings of 255 octets; a list is one record of
  several strings. An empty list, a record with no string at all, is
  what Knot refuses to load (RFC 1035 3.3.14 requires one string, and
  knotd takes neither "TXT \\# 0" nor "TYPE16 \\# 0"): the zone holds the
  one-string record EMPTY_TXT instead, which the test's relay turns into
  a record without strings (RDLENGTH 0) on its way to posture.
- TIMEOUT cannot be said in a zone. A bare TIMEOUT entry makes every
  question for the owner time out except of the types whose records come
  before it (only those are put in the zone); {TYPE: TIMEOUT} makes
  questions of that type time out. drop.json lists them as
  {"owner": lower-case wire name as hex, "types": [numbers] or null for
  "every type but", "keep": [numbers]}; the test's relay in front of
  knotd leaves those questions unanswered.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spf_suite2json  # noqa: E402

TYPES = {'A': 1, 'NS': 2, 'CNAME': 5, 'PTR': 12, 'MX': 15, 'TXT': 16,
         'AAAA': 28, 'SPF': 99}
_PLAIN = set(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_')
APEX = ('.\t3600\tIN\tSOA\tns.spf-suite.invalid. hostmaster.spf-suite.invalid. '
        '1 3600 600 86400 60\n'
        '.\t3600\tIN\tNS\tns.spf-suite.invalid.\n')


# Stands for a TXT record without strings (see above).
EMPTY_TXT = 'spf-suite2zone: a record with no strings'


class ZoneError(Exception):
    pass


def octets(text):
    """The suite's text as octets: code points up to U+00FF are bytes
    (as spf_suite.c reads them), anything above its UTF-8 bytes."""
    out = bytearray()
    for ch in text:
        cp = ord(ch)
        out += bytes([cp]) if cp <= 0xFF else ch.encode('utf-8')
    return bytes(out)


def labels(name):
    """The labels of a suite name (a final dot dropped), as bytes."""
    raw = octets(name)
    if raw.endswith(b'.'):
        raw = raw[:-1]
    if raw == b'':
        return []
    labs = raw.split(b'.')
    if any(len(lab) == 0 or len(lab) > 63 for lab in labs) or \
            sum(len(lab) + 1 for lab in labs) + 1 > 255:
        raise ZoneError('%r is not a DNS name' % name)
    return labs


def wire_key(name):
    """The lower-case wire form of a name, as hex (the relay's key)."""
    w = b''.join(bytes([len(lab)]) + lab.lower() for lab in labels(name)) + b'\0'
    return w.hex()


def zone_name(name):
    """A suite name as an absolute zone-file name, odd bytes as \\DDD."""
    out = []
    for lab in labels(name):
        out.append(''.join(chr(c) if c in _PLAIN else '\\%03d' % c for c in lab))
    return '.'.join(out) + '.'


def txt_strings(value):
    """TXT/SPF rdata: quoted character-strings of at most 255 octets."""
    parts = value if isinstance(value, list) else [value]
    if not parts:
        parts = [EMPTY_TXT]
    out = []
    for part in parts:
        data = octets(part)
        chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b'']
        for chunk in chunks:
            out.append('"' + ''.join(
                chr(c) if 0x20 <= c < 0x7F and c not in (0x22, 0x5C) else '\\%03d' % c
                for c in chunk) + '"')
    return ' '.join(out)


def rdata(rtype, value):
    if rtype in ('TXT', 'SPF'):
        return txt_strings(value)
    if rtype == 'MX':
        return '%d %s' % (value[0], zone_name(value[1]))
    if rtype in ('PTR', 'CNAME', 'NS'):
        return zone_name(value)
    return value  # A, AAAA: the address text


def scenario_zone(scenario):
    """(zone file text, drop rules, whether EMPTY_TXT is used) for one
    scenario of spf_suite2json's output (see the module's text)."""
    owners = {}  # wire key -> [display name, [(type, value)], has TXT, timeout]
    for owner, recs in scenario['zonedata'].items():
        key = wire_key(owner)
        o = owners.setdefault(key, {'name': owner, 'recs': [], 'txt': False,
                                    'bare': None, 'types': set()})
        for r in recs:
            rtype, value = r['type'], r['value']
            if rtype == 'TIMEOUT':
                if o['bare'] is None:
                    o['bare'] = {TYPES[t] for t, _ in o['recs']}
                continue
            if rtype not in TYPES:
                raise ZoneError('%s: type %s' % (owner, rtype))
            if rtype == 'TXT':
                o['txt'] = True
            if value == 'NONE':
                continue
            if value == 'TIMEOUT':
                o['types'].add(TYPES[rtype])
                continue
            if o['bare'] is None:
                o['recs'].append((rtype, value))
    lines = [APEX]
    drop = []
    for key, o in owners.items():
        recs = list(o['recs'])
        if not o['txt'] and o['bare'] is None:
            recs += [('TXT', v) for t, v in o['recs'] if t == 'SPF']
        for rtype, value in recs:
            lines.append('%s\t3600\tIN\t%s\t%s\n' % (zone_name(o['name']), rtype,
                                                    rdata(rtype, value)))
        if o['bare'] is not None:
            drop.append({'owner': key, 'types': None, 'keep': sorted(o['bare'])})
        elif o['types']:
            # An SPF entry's TXT copy times out with it (spf_suite.c).
            if 99 in o['types'] and not o['txt']:
                o['types'].add(16)
            drop.append({'owner': key, 'types': sorted(o['types']), 'keep': []})
    text = ''.join(lines)
    return text, drop, '"%s"' % EMPTY_TXT in text


def main(argv):
    if len(argv) != 3:
        sys.stderr.write('usage: spf_suite2zone.py SUITE.yml OUTDIR\n')
        return 2
    try:
        with open(argv[1], encoding='utf-8') as f:
            suite = spf_suite2json.convert(f)
        for k, sc in enumerate(suite['scenarios'], 1):
            text, drop, _ = scenario_zone(sc)
            d = os.path.join(argv[2], 'scenario-%d' % k)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, '.zone'), 'w', encoding='ascii') as f:
                f.write(text)
            with open(os.path.join(d, 'drop.json'), 'w', encoding='ascii') as f:
                json.dump(drop, f, indent=1)
    except (OSError, ZoneError, spf_suite2json.SuiteError) as e:
        sys.stderr.write('spf_suite2zone: %s\n' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
