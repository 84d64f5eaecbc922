#!/usr/bin/python3
"""Differential test: pith-merge's canon()/hash against CPython.

    differential_test.py PITH_MERGE [--seed N] [--count N]

1. Generates COUNT documents (gen_docs.py, seeded; default 12000), feeds them all to
   `PITH_MERGE canon --lines -` and `PITH_MERGE hash --lines -`, and compares every output line
   with CPython's
       json.dumps(x, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
   and its hashlib.sha256 hex digest.
2. Feeds each bad document (every kind the parser must refuse) to `PITH_MERGE canon -` and expects
   exit code 2, nothing on stdout and an error line `pith-merge: error: -:LINE:COL: ...` on stderr
   naming the problem.
3. Feeds good and bad lines mixed to `--lines` and expects an empty output line for each bad line,
   the right output for the others, one error per bad line and exit code 2.

Prints the first few mismatches, then a final line `N passed, N failed` (N counts every document
of part 1 plus every case of parts 2 and 3); exits 0 when nothing failed, 1 otherwise, and 77
(skip) when /usr/bin/python3 is absent.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

if not os.path.exists('/usr/bin/python3'):
    print('SKIP: /usr/bin/python3 not found')
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_docs  # noqa: E402

MAX_REPORTED = 5
ERROR_LINE = re.compile(rb'^pith-merge: error: -:(\d+):(\d+): (.+)$')


def cpython_canon(text):
    """CPython's canonical bytes for a document text, or raises (then the generator is wrong)."""
    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError('generator bug: duplicate key in %r' % (keys,))
        return dict(pairs)
    value = json.loads(text, object_pairs_hook=no_duplicates)
    return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False,
                      allow_nan=False).encode('utf-8')


def run(binary, args, stdin):
    return subprocess.run([binary] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=600)


def short(b, limit=300):
    r = repr(b)
    return r if len(r) <= limit else r[:limit] + '...(%d bytes)' % len(b)


# (name, document bytes, regex the error message must match, case-insensitive)
BAD_DOCS = [
    # invalid UTF-8
    ('invalid utf-8: 0xff in string', b'"\xff"', rb'utf-8|encoding'),
    ('invalid utf-8: truncated sequence', b'"\xc3"', rb'utf-8|encoding'),
    ('invalid utf-8: overlong slash', b'"\xc0\xaf"', rb'utf-8|encoding'),
    ('invalid utf-8: overlong 3-byte', b'"\xe0\x80\xaf"', rb'utf-8|encoding'),
    ('invalid utf-8: past U+10FFFF', b'"\xf4\x90\x80\x80"', rb'utf-8|encoding'),
    ('invalid utf-8: 5-byte form', b'"\xf8\x88\x80\x80\x80"', rb'utf-8|encoding'),
    ('invalid utf-8: lone continuation', b'["a\x80b"]', rb'utf-8|encoding'),
    ('invalid utf-8: in a key', b'{"\xfe":1}', rb'utf-8|encoding'),
    ('invalid utf-8: outside strings', b'\x80', rb'invalid value'),
    # lone surrogates
    ('lone high surrogate escaped', b'"\\ud800"', rb'surrogate'),
    ('lone low surrogate escaped', b'"\\udc00"', rb'surrogate'),
    ('high surrogate then non-surrogate', b'"\\ud83d\\u0041"', rb'surrogate'),
    ('surrogates in the wrong order', b'"\\ude00\\ud83d"', rb'surrogate'),
    ('high surrogate at the end', b'["x\\uD83D"]', rb'surrogate'),
    ('lone surrogate in a key', b'{"\\udfff":1}', rb'surrogate'),
    ('raw surrogate bytes (U+D800)', b'"\xed\xa0\x80"', rb'utf-8|encoding|surrogate'),
    ('raw surrogate pair (CESU-8)', b'"\xed\xa0\xbd\xed\xb8\x80"', rb'utf-8|encoding|surrogate'),
    # NaN / Infinity
    ('NaN', b'NaN', rb'nan'),
    ('Infinity', b'Infinity', rb'infinity'),
    ('-Infinity', b'-Infinity', rb'infinity'),
    ('NaN in an array', b'[1,NaN]', rb'nan'),
    ('Infinity as a member', b'{"a":Infinity}', rb'infinity'),
    # numbers overflowing a double
    ('1e400', b'1e400', rb'overflow'),
    ('-1e400', b'-1e400', rb'overflow'),
    ('1.8e308', b'1.8e308', rb'overflow'),
    ('just past DBL_MAX rounding', b'1.7976931348623159e308', rb'overflow'),
    ('overflow in an array', b'[0,1E+309]', rb'overflow'),
    ('huge integer part as float', b'1' + b'0' * 400 + b'.0', rb'overflow'),
    # duplicate keys
    ('duplicate key', b'{"a":1,"a":2}', rb'duplicate'),
    ('duplicate key, nested', b'{"a":1,"b":{"c":1,"c":1}}', rb'duplicate'),
    ('duplicate key via escape', b'{"\xc3\xa9":1,"\\u00e9":2}', rb'duplicate'),
    ('duplicate key via \\/', b'{"/":1,"\\/":2}', rb'duplicate'),
    ('duplicate astral key via pair', b'{"\xf0\x9f\x98\x80":1,"\\ud83d\\ude00":2}', rb'duplicate'),
    # nesting
    ('129 nested arrays', b'[' * 129 + b']' * 129, rb'nesting deeper than 128'),
    ('129 nested objects', b'{"a":' * 129 + b'1' + b'}' * 129, rb'nesting deeper than 128'),
    ('100000 nested arrays', b'[' * 100000 + b']' * 100000, rb'nesting deeper than 128'),
    # integers over 4300 digits
    ('integer of 4301 digits', b'1' + b'0' * 4300, rb'4301 digits.*4300'),
    ('negative integer of 4301 digits', b'-' + b'9' * 4301, rb'4301 digits.*4300'),
    ('integer of 100000 digits in an array', b'[' + b'7' * 100000 + b']', rb'100000 digits.*4300'),
    # trailing garbage
    ('two values', b'1 2', rb'followed|after'),
    ('object then text', b'{} x', rb'followed|after'),
    ('extra bracket', b'[]]', rb'followed|after'),
    ('trailing comma at root', b'null,', rb'followed|after'),
    ('NUL after the document', b'1\x00', rb'after'),
    ('garbage after a NUL', b'{"a":1}\x00{"b":2}', rb'after'),
    ('NUL in the middle of a number', b'12\x0034', rb'after'),
    # BOM
    ('UTF-8 BOM', b'\xef\xbb\xbf{}', rb'byte order mark'),
    ('UTF-8 BOM before a number', b'\xef\xbb\xbf1', rb'byte order mark'),
    # other malformed JSON
    ('empty document', b'', rb'empty'),
    ('whitespace only', b'  \t', rb'empty'),
    ('raw control char in string', b'"a\x01b"', rb'escape|invalid|control'),
    ('raw tab in string', b'"a\tb"', rb'escape|invalid|control'),
    ('NUL inside a string', b'"a\x00b"', rb'quotation|string'),
    ('unterminated string', b'"abc', rb'quotation|string'),
    ('bad escape', b'"\\x41"', rb'escape'),
    ('short \\u escape', b'"\\u12"', rb'escape|hex|unicode'),
    ('single quotes', b"'a'", rb'invalid value'),
    ('trailing comma in array', b'[1,]', rb'invalid value|value'),
    ('trailing comma in object', b'{"a":1,}', rb'name|key|string'),
    ('comment', b'[1 /* c */]', rb'comma|invalid'),
    ('leading zero', b'01', rb'followed|after'),
    ('plus sign', b'+1', rb'invalid value'),
    ('bare fraction', b'.5', rb'invalid value'),
    ('missing fraction digits', b'1.', rb'fraction'),
    ('missing exponent digits', b'1e+', rb'exponent'),
    ('hex number', b'0x10', rb'followed|after'),
    ('lowercase nan', b'nan', rb'invalid value'),
    ('unquoted key', b'{a:1}', rb'name|key|string'),
    ('missing colon', b'{"a" 1}', rb'colon'),
    ('unclosed array', b'[1,2', rb'comma|bracket|\]'),
    ('True capitalised', b'True', rb'invalid value'),
]


def check_bad_docs(binary, report):
    passed = failed = 0
    for name, doc, pattern in BAD_DOCS:
        res = run(binary, ['canon', '-'], doc)
        problems = []
        if res.returncode != 2:
            problems.append('exit code %d (want 2)' % res.returncode)
        if res.stdout:
            problems.append('stdout not empty: %s' % short(res.stdout))
        lines = res.stderr.rstrip(b'\n').split(b'\n')
        m = ERROR_LINE.match(lines[0]) if len(lines) == 1 else None
        if m is None:
            problems.append('stderr is not one line "pith-merge: error: -:LINE:COL: what": %s' % short(res.stderr))
        elif not re.search(pattern, m.group(3), re.IGNORECASE):
            problems.append('message %s does not match /%s/' % (short(m.group(3)), pattern.decode()))
        if problems:
            failed += 1
            report('refusal [%s] %s: %s' % (name, short(doc, 80), '; '.join(problems)))
        else:
            passed += 1
    return passed, failed


def check_lines_mode(binary, good_docs, report):
    """Bad lines give an empty output line and one error each; the other lines still come out."""
    passed = failed = 0
    bad = [(name, doc) for name, doc, _ in BAD_DOCS if b'\n' not in doc and doc.strip(b' \t\r')]
    for subcommand in ('canon', 'hash'):
        lines, want = [], []
        for i, (name, doc) in enumerate(bad):
            good = good_docs[i % len(good_docs)]
            lines += [good.encode('utf-8'), doc]
            expected = cpython_canon(good)
            want += [expected if subcommand == 'canon' else hashlib.sha256(expected).hexdigest().encode(), b'']
        lines.append(good_docs[0].encode('utf-8'))
        expected = cpython_canon(good_docs[0])
        want.append(expected if subcommand == 'canon' else hashlib.sha256(expected).hexdigest().encode())
        res = run(binary, [subcommand, '--lines', '-'], b'\n'.join(lines) + b'\n')
        got = res.stdout.split(b'\n')
        problems = []
        if res.returncode != 2:
            problems.append('exit code %d (want 2)' % res.returncode)
        if got[-1] != b'' or got[:-1] != want:
            diffs = [i for i in range(max(len(want), len(got) - 1))
                     if i >= len(want) or i >= len(got) - 1 or got[i] != want[i]]
            problems.append('%d output lines differ (want %d lines, got %d), first at line %d'
                            % (len(diffs), len(want), len(got) - 1, diffs[0] + 1 if diffs else 0))
        errors = res.stderr.rstrip(b'\n').split(b'\n')
        want_lines = [2 * (i + 1) for i in range(len(bad))]
        got_lines = []
        for e in errors:
            m = ERROR_LINE.match(e)
            if m is None:
                problems.append('bad error line %s' % short(e))
                break
            got_lines.append(int(m.group(1)))
        if got_lines != want_lines:
            problems.append('errors name lines %s, want %s' % (got_lines[:10], want_lines[:10]))
        if problems:
            failed += 1
            report('--lines %s with %d bad lines: %s' % (subcommand, len(bad), '; '.join(problems)))
        else:
            passed += 1
    return passed, failed


def check_documents(binary, docs, report):
    expected, generator_bugs = [], 0
    for i, doc in enumerate(docs):
        try:
            expected.append(cpython_canon(doc))
        except (ValueError, RecursionError) as e:
            expected.append(None)
            generator_bugs += 1
            report('doc %d: CPython refuses a generated document (%s): %s' % (i, e, short(doc)))
    stdin = b''.join(d.encode('utf-8') + b'\n' for d in docs)
    canon = run(binary, ['canon', '--lines', '-'], stdin)
    hashed = run(binary, ['hash', '--lines', '-'], stdin)
    canon_lines = canon.stdout.split(b'\n')
    hash_lines = hashed.stdout.split(b'\n')
    for name, res, lines in (('canon', canon, canon_lines), ('hash', hashed, hash_lines)):
        if res.returncode != 0 or len(lines) != len(docs) + 1 or lines[-1] != b'':
            report('%s --lines: exit code %d, %d output lines for %d documents; stderr: %s'
                   % (name, res.returncode, len(lines) - 1, len(docs), short(res.stderr, 600)))
    passed = failed = 0
    for i, doc in enumerate(docs):
        want = expected[i]
        got_canon = canon_lines[i] if i < len(canon_lines) else None
        got_hash = hash_lines[i] if i < len(hash_lines) else None
        if want is not None and got_canon == want and got_hash == hashlib.sha256(want).hexdigest().encode():
            passed += 1
            continue
        failed += 1
        if want is not None:
            report('doc %d:\n    input:    %s\n    cpython:  %s\n    canon:    %s\n    hash:     %s (want %s)'
                   % (i, short(doc.encode('utf-8')), short(want), short(got_canon), got_hash,
                      hashlib.sha256(want).hexdigest()))
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description='canon() against CPython json.dumps')
    ap.add_argument('binary', help='path to pith-merge')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=12000)
    args = ap.parse_args()
    if args.count < 1:
        ap.error('--count must be at least 1')

    reported = [0]

    def report(msg):
        reported[0] += 1
        if reported[0] <= MAX_REPORTED:
            print('MISMATCH ' + msg)
        elif reported[0] == MAX_REPORTED + 1:
            print('(further mismatches not shown)')

    docs = gen_docs.generate(args.seed, args.count)
    doc_pass, doc_fail = check_documents(args.binary, docs, report)
    print('documents (seed %d): %d passed, %d failed' % (args.seed, doc_pass, doc_fail))
    bad_pass, bad_fail = check_bad_docs(args.binary, report)
    print('refusals: %d passed, %d failed' % (bad_pass, bad_fail))
    lines_pass, lines_fail = check_lines_mode(args.binary, docs[:50], report)
    print('--lines with bad lines: %d passed, %d failed' % (lines_pass, lines_fail))
    passed = doc_pass + bad_pass + lines_pass
    failed = doc_fail + bad_fail + lines_fail
    print('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
