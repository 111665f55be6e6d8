#!/usr/bin/python3
"""Converts an openspf/pyspf SPF test suite (YAML) to the JSON spf_suite reads.

    spf_suite2json.py SUITE.yml [OUT.json]      (no OUT or "-": stdout)

Output: {"scenarios": [{"description", "tests": {name: {"spec" (text or
list), "helo", "host", "mailfrom", "result": [acceptable results],
"explanation": str|null}}, "zonedata": {owner: [{"type", "value"}]}}]},
documents and keys in file order.

The data is carried over as the YAML holds it; spf_suite applies the suite's
conventions (SPF served as TXT, TIMEOUT, NONE, CNAME). Zone entries are
one-key maps ({TXT: ...}) except the bare string TIMEOUT, which becomes
{"type": "TIMEOUT", "value": null}. Strings keep every code point the YAML
escapes give (e.g. "\\x0d", "\\xEF"): the JSON is written ASCII-only, so they
travel as \\u escapes and nothing is lost or re-encoded.
"""
import json
import sys

import yaml

# YAML 1.1 would read some plain scalars as floats, booleans or dates
# ("spec: 3.3", "helo: on"): keep them as the strings they are. Integers
# stay integers (MX preferences).
_DROP = {'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool',
         'tag:yaml.org,2002:timestamp'}


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_TEXT_FIELDS = ('helo', 'host', 'mailfrom')


class SuiteError(Exception):
    pass


def _is_text_list(v):
    return isinstance(v, list) and all(isinstance(s, str) for s in v)


def convert_record(owner, entry):
    if entry == 'TIMEOUT':
        return {'type': 'TIMEOUT', 'value': None}
    if not isinstance(entry, dict) or len(entry) != 1:
        raise SuiteError('%s: zone entry %r is not a one-key map' % (owner, entry))
    ((rtype, value),) = entry.items()
    rtype = str(rtype)
    ok = {
        'TXT': lambda v: isinstance(v, str) or _is_text_list(v),
        'SPF': lambda v: isinstance(v, str) or _is_text_list(v),
        'MX': lambda v: v in ('NONE', 'TIMEOUT') or (
            isinstance(v, list) and len(v) == 2 and isinstance(v[0], int)
            and isinstance(v[1], str)),
    }.get(rtype, lambda v: isinstance(v, str))
    if not ok(value):
        raise SuiteError('%s: bad %s value %r' % (owner, rtype, value))
    return {'type': rtype, 'value': value}


def convert_test(name, t):
    if not isinstance(t, dict) or 'result' not in t:
        raise SuiteError('test %s: no result' % name)
    # spec is informational: a section reference or a list of them.
    spec = t.get('spec')
    if spec is not None and not (isinstance(spec, str) or _is_text_list(spec)):
        raise SuiteError('test %s: spec %r is not text' % (name, spec))
    out = {'spec': spec}
    for k in _TEXT_FIELDS:
        v = t.get(k)
        if v is not None and not isinstance(v, str):
            raise SuiteError('test %s: %s is %r, not text' % (name, k, v))
        out[k] = v
    result = t['result']
    out['result'] = list(result) if isinstance(result, list) else [result]
    if not _is_text_list(out['result']) or not out['result']:
        raise SuiteError('test %s: bad result %r' % (name, result))
    exp = t.get('explanation')
    if exp is not None and not isinstance(exp, str):
        raise SuiteError('test %s: explanation %r is not text' % (name, exp))
    out['explanation'] = exp
    return out


def convert(stream):
    scenarios = []
    for doc in yaml.load_all(stream, Loader=_Loader):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise SuiteError('a document is not a map')
        tests = doc.get('tests') or {}
        zone = doc.get('zonedata') or {}
        scenarios.append({
            'description': doc.get('description'),
            'tests': {str(n): convert_test(n, t) for n, t in tests.items()},
            'zonedata': {str(o): [convert_record(o, e) for e in (recs or [])]
                         for o, recs in zone.items()},
        })
    return {'scenarios': scenarios}


def main(argv):
    if len(argv) not in (2, 3):
        sys.stderr.write('usage: spf_suite2json.py SUITE.yml [OUT.json]\n')
        return 2
    try:
        with open(argv[1], encoding='utf-8') as f:
            data = convert(f)
    except (OSError, yaml.YAMLError, SuiteError) as e:
        sys.stderr.write('spf_suite2json: %s: %s\n' % (argv[1], e))
        return 1
    text = json.dumps(data, ensure_ascii=True, indent=1) + '\n'
    if len(argv) == 2 or argv[2] == '-':
        sys.stdout.write(text)
    else:
        with open(argv[2], 'w', encoding='ascii') as f:
            f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
