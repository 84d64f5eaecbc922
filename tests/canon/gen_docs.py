#!/usr/bin/python3
"""Deterministic generator of JSON document texts for the canon() differential test.

    gen_docs.py [--seed N] [--count N] > docs.jsonl

Writes COUNT documents, one per line, UTF-8, each accepted both by CPython's json.loads and by
pith-merge's strict parser (no duplicate keys, no lone surrogates, no NaN/Infinity, no number
that overflows a double, nesting <= 128, integers <= 4300 digits). Documents never contain a
raw newline (JSON strings cannot, and the whitespace between tokens is drawn from space, tab and
CR only), so "one per line" is exact when the output is split on b'\\n' (not str.splitlines(),
which also splits at U+2028, U+2029, U+0085 and friends).

The same seed always gives the same bytes (random.Random only; no hash randomisation involved).
Plain CPython standard library.
"""

import argparse
import decimal
import math
import random
import struct
import sys

MAX_DEPTH = 128            # pith's ParseLimits::max_depth
MAX_INTEGER_DIGITS = 4300  # pith's ParseLimits::max_integer_digits (CPython's int-from-str limit)
MAX_NUMBER_CHARS = 4300    # pith's ParseLimits::max_number_chars (a float token)

# Code points that are interesting to a canonical writer, from every plane.
SPECIAL_CHARS = (
    [chr(c) for c in range(0x00, 0x20)]           # C0 controls: short escapes and \u00XX
    + ['"', '\\', '/', ' ', '\x7f']               # quote, backslash, solidus, space, DEL (raw)
    + [chr(c) for c in range(0x80, 0xA1)]         # C1 controls and NBSP (raw)
    + ['\u00e9', '\u00ff', '\u0100', '\u017f']    # Latin
    + ['\u0301', '\u0300', '\u0327', '\u20dd', '\ufe0f', '\u200d']  # combining marks, ZWJ, VS16
    + ['\u2028', '\u2029', '\u0085', '\u200b', '\u200e', '\u202e']  # separators, bidi controls
    + ['\u05d0', '\u0627', '\u0e01', '\u3042', '\u4e2d', '\uac00']  # Hebrew, Arabic, Thai, CJK, Hangul
    + ['\ud7ff', '\ue000', '\uf8ff', '\ufb01', '\ufeff', '\ufffd', '\ufffe', '\uffff']  # around surrogates, BOM, nonchars
    + ['\U00010000', '\U0001d11e', '\U0001f600', '\U0001f469\u200d\U0001f4bb', '\U0001f1eb\U0001f1f7']
    + ['\U00020000', '\U0002a6d6', '\U0003134a', '\U000e0001', '\U000e007f', '\U000f0000', '\U0010fffd', '\U0010ffff']
)

# Key sets whose code-point order differs from UTF-16 order (BMP >= U+E000 vs astral), plus
# prefixes, case, normalization forms and empty keys.
KEY_SETS = [
    ['\uffff', '\U00010000'],
    ['\ue000', '\U0001f600', '\ud7ff'],
    ['\ufb01', '\U00010000', '\U0010ffff', '\uffff', '\ufffd'],
    ['a', 'A', 'b', 'B', 'aa', 'a\x00', '', ' ', '_', '~', '\x7f'],
    ['\u00e9', 'e\u0301', 'e', 'f', '\u00ea'],
    ['\U0001f600', '\U0001f601', '\U0001f5ff', '\uff01', '\U00020000'],
    ['\u2028', '\u2029', '\u2027', '\n', '\t', '\r'],
    ['key', 'key ', 'key\x00', 'key\x01', 'kex', 'kez', 'keyy'],
    ['1', '10', '2', '-1', '01', '1.0', '1e2'],
]

# Ranges to draw random code points from (all planes; surrogates excluded).
CP_RANGES = [
    (0x20, 0x7e), (0x00, 0x1f), (0x7f, 0xff), (0x100, 0x7ff), (0x800, 0xd7ff), (0xe000, 0xffff),
    (0x10000, 0x1ffff), (0x20000, 0x3ffff), (0x40000, 0xdffff), (0xe0000, 0x10ffff),
]
CP_WEIGHTS = [40, 6, 6, 8, 10, 6, 8, 4, 2, 3]

DOUBLE_SPECIALS = [
    0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 0.1 + 0.2, 1.5, 2.5, 100.0, 1e-7, 1e-5, 1e-4, 1e-3, 1e15, 1e16,
    1e17, 1e21, 1e22, 1e23, 9007199254740992.0, 9007199254740993.0, 123456789012345678.0,
    5e-324, 1e-323, 2.2250738585072009e-308, 2.2250738585072014e-308, 1.7976931348623157e308,
    4.9406564584124654e-324, 1e-320, 1e300, 1e308, 0.5, 1 / 3, 2 / 3, math.pi, math.e, 1e-310,
]


def random_double(r):
    """A finite double: random bits, random decimal magnitude, or a special."""
    k = r.random()
    if k < 0.35:
        while True:
            d = struct.unpack('<d', struct.pack('<Q', r.getrandbits(64)))[0]
            if math.isfinite(d):
                return d
    if k < 0.85:
        # Every decimal exponent from 1e-324 to 1e308.
        e = r.randint(-324, 308)
        mant = r.uniform(1.0, 10.0)
        d = float('%.17ge%d' % (mant, e))
        if not math.isfinite(d):
            d = 1.7976931348623157e308
        return -d if r.random() < 0.3 else d
    d = r.choice(DOUBLE_SPECIALS)
    return -d if r.random() < 0.3 else d


def split_decimal(s):
    """'-1.2300e-5' -> (negative, digits without leading zeros, exponent) with value 0.DIGITS * 10**exp."""
    negative = s.startswith('-')
    s = s.lstrip('-+')
    exp = 0
    if 'e' in s.lower():
        mant, _, e = s.lower().partition('e')
        exp = int(e)
    else:
        mant = s
    intpart, _, frac = mant.partition('.')
    digits = intpart + frac
    point = len(intpart)
    stripped = digits.lstrip('0')
    point -= len(digits) - len(stripped)
    if not stripped:
        return negative, '', 0
    return negative, stripped, point + exp


def spell(r, negative, digits, decpt, force_float=True):
    """A JSON spelling of +-0.DIGITS * 10**decpt; DIGITS may be '' (zero)."""
    sign = '-' if negative else ''
    if r.random() < 0.3:
        digits = digits + '0' * r.randint(1, 4)  # trailing zeros: 1.50, 1.5000e0
    if not digits:
        digits = '0'
        decpt = 1
    n = len(digits)
    # Choose where the decimal point goes in the written mantissa (k digits before it).
    style = r.random()
    if style < 0.25:
        k = 1                                 # d.ddd e X
    elif style < 0.45:
        k = decpt if 1 <= decpt <= n else None  # plain ddd.ddd when it fits
    elif style < 0.6:
        k = n                                 # dddd e X   (123e-2)
    elif style < 0.75 and -30 <= decpt <= 0:
        k = 0                                 # 0.000ddd (plain, no exponent)
    else:
        k = r.randint(0, n)
    if k is None:
        k = 1
    if k == 0:
        zeros = r.randint(0, 3) if decpt > 0 else -decpt
        mantissa = '0.' + '0' * zeros + digits
        exp = decpt + zeros
        if exp == 0 and r.random() < 0.7:
            return sign + mantissa
    else:
        intpart, frac = digits[:k], digits[k:]
        if intpart.startswith('0') and len(intpart) > 1:
            # A leading zero is not JSON: fall back to d.ddd
            intpart, frac = digits[:1], digits[1:]
            k = 1
        exp = decpt - k
        if frac:
            mantissa = intpart + '.' + frac
        elif force_float and exp == 0:
            mantissa = intpart + '.0'
        elif force_float and r.random() < 0.5:
            mantissa = intpart + '.' + '0' * r.randint(1, 3)
        else:
            mantissa = intpart
        if exp == 0 and '.' in mantissa and r.random() < 0.7:
            return sign + mantissa
    e = r.choice(['e', 'E'])
    plus = r.choice(['', '+']) if exp >= 0 else '-'
    lead = '0' * r.choice([0, 0, 0, 1, 2])
    return sign + mantissa + e + plus + lead + str(abs(exp))


def float_text(r):
    """A float token both parsers accept (the value must not overflow a double)."""
    k = r.random()
    if k < 0.08:
        # Zero written many ways, with exponents far past the double range.
        return r.choice(['0.0', '-0.0', '0e0', '-0E-0', '0.000', '0e400', '-0e+999', '0.0e-999',
                         '0E00000000000000000001', '-0.00000e308'])
    if k < 0.14:
        # Arbitrary decimal strings: correct rounding of long mantissas.
        nd = r.choice([1, 2, 5, 16, 17, 18, 19, 20, 25, 36, 40, 60, 120])
        digits = str(r.randint(1, 9)) + ''.join(r.choice('0123456789') for _ in range(nd - 1))
        decpt = r.randint(-340, 309)
        text = spell(r, r.random() < 0.3, digits, decpt)
    elif k < 0.20:
        # Exact midpoint between two adjacent doubles (ties to even), or a hair off it.
        d = abs(random_double(r))
        nxt = math.nextafter(d, math.inf)
        if not math.isfinite(nxt):
            d, nxt = math.nextafter(d, 0.0), d
        with decimal.localcontext() as ctx:
            ctx.prec = 800
            mid = (decimal.Decimal(d) + decimal.Decimal(nxt)) / 2
            nudge = r.choice([0, 0, 1, -1])
            if nudge:
                mid += nudge * decimal.Decimal(10) ** (mid.adjusted() - 60)
        text = spell(r, r.random() < 0.3, *split_decimal(format(mid, 'e'))[1:])
    elif k < 0.25:
        # Integer part far beyond a double, scaled back by a negative exponent.
        n = r.randint(300, 700)
        digits = str(r.randint(1, 9)) + ''.join(r.choice('0123456789') for _ in range(r.randint(0, 30)))
        digits += '0' * (n - len(digits))
        text = digits + r.choice(['e', 'E']) + '-' + str(r.randint(n - 300, n + 20))
        if r.random() < 0.5:
            text = digits + '.' + '0' * r.randint(1, 5) + 'e-' + str(r.randint(n - 300, n + 20))
    else:
        d = random_double(r)
        how = r.random()
        if how < 0.3:
            text = repr(d)
        elif how < 0.45:
            text = ('%.' + str(r.randint(0, 30)) + 'e') % d
            if r.random() < 0.3:
                text = text.upper()
        elif how < 0.55 and d != 0 and abs(d) > 1e-330:
            # The exact decimal value of the double: up to ~1100 characters.
            exact = format(decimal.Decimal(d), 'f')
            if '.' not in exact:
                exact += '.0'
            text = exact
        else:
            negative, digits, decpt = split_decimal(repr(d))
            text = spell(r, negative, digits, decpt)
    if 'e' not in text.lower() and '.' not in text:
        text += '.0'
    if len(text) > MAX_NUMBER_CHARS or not math.isfinite(float(text)):
        return repr(random_double(r))
    return text


def int_text(r):
    k = r.random()
    if k < 0.35:
        return str(r.randint(-1000, 1000))
    if k < 0.45:
        return r.choice(['0', '-0', '1', '-1', '9', '10', '-10'])
    if k < 0.65:
        b = r.choice([31, 32, 53, 63, 64, 65, 127, 128])
        v = 2 ** b + r.choice([-2, -1, 0, 1])
        return str(-v if r.random() < 0.5 else v)
    if k < 0.9:
        n = r.choice([19, 20, 21, 40, 100, 308, 309, 310, 400, 1000])
        digits = str(r.randint(1, 9)) + ''.join(r.choice('0123456789') for _ in range(n - 1))
        return ('-' if r.random() < 0.4 else '') + digits
    n = r.choice([2000, 4299, 4300])
    digits = str(r.randint(1, 9)) + ''.join(r.choice('0123456789') for _ in range(n - 1))
    return ('-' if r.random() < 0.5 else '') + digits


def random_char(r):
    if r.random() < 0.25:
        return r.choice(SPECIAL_CHARS)
    lo, hi = r.choices(CP_RANGES, CP_WEIGHTS)[0]
    while True:
        c = r.randint(lo, hi)
        if not 0xD800 <= c <= 0xDFFF:
            return chr(c)


def random_string(r, max_len=12):
    n = r.choice([0, 1, 1, 2, 3, 5, 8, max_len, r.randint(0, 3 * max_len)])
    return ''.join(random_char(r) for _ in range(n))


def hex4(r, c):
    h = '%04x' % c
    return h.upper() if r.random() < 0.3 else h


SHORT_ESCAPES = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t'}


def encode_string(r, s, escape_rate):
    """A JSON string literal for s, escaping each character in one of its possible forms."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        must = ch in '"\\' or c < 0x20
        if not must and r.random() >= escape_rate:
            out.append(ch)
            continue
        if c >= 0x10000:
            hi, lo = 0xD800 + ((c - 0x10000) >> 10), 0xDC00 + ((c - 0x10000) & 0x3FF)
            out.append('\\u' + hex4(r, hi) + '\\u' + hex4(r, lo))
        elif ch in SHORT_ESCAPES and r.random() < 0.7:
            out.append(SHORT_ESCAPES[ch])
        elif ch == '/' and r.random() < 0.7:
            out.append('\\/')
        else:
            out.append('\\u' + hex4(r, c))
    out.append('"')
    return ''.join(out)


class DocGen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def ws(self):
        r = self.r
        if r.random() < 0.8:
            return ''
        return ''.join(r.choice(' \t\r ') for _ in range(r.randint(1, 3)))

    def scalar(self):
        r = self.r
        k = r.random()
        if k < 0.06:
            return 'null'
        if k < 0.12:
            return r.choice(['true', 'false'])
        if k < 0.32:
            return int_text(r)
        if k < 0.6:
            return float_text(r)
        return encode_string(r, random_string(r), self.escape_rate)

    def keys(self, n):
        r = self.r
        if r.random() < 0.25:
            ks = list(r.choice(KEY_SETS))
            r.shuffle(ks)
            ks = ks[:max(1, n)] if r.random() < 0.5 else ks
        else:
            ks = []
            seen = set()
            for _ in range(n):
                k = random_string(r, 6)
                if k not in seen:
                    seen.add(k)
                    ks.append(k)
        return ks

    def value(self, depth, max_depth):
        r = self.r
        if depth >= max_depth or r.random() < 0.45 + 0.08 * depth:
            return self.scalar()
        n = r.choice([0, 1, 2, 3, 4, 6, 10])
        if r.random() < 0.5:
            items = [self.value(depth + 1, max_depth) for _ in range(n)]
            return '[' + ','.join(self.ws() + v + self.ws() for v in items) + ']'
        members = []
        for k in self.keys(n):
            members.append(self.ws() + encode_string(r, k, self.escape_rate) + self.ws() + ':' + self.ws()
                           + self.value(depth + 1, max_depth) + self.ws())
        return '{' + ','.join(members) + '}'

    def deep(self):
        """Nesting near the limit: MAX_DEPTH arrays/objects at most."""
        r = self.r
        depth = r.choice([MAX_DEPTH, MAX_DEPTH - 1, r.randint(20, MAX_DEPTH)])
        opens, closes = [], []
        for _ in range(depth):
            if r.random() < 0.5:
                opens.append('[')
                closes.append(']')
            else:
                opens.append('{' + encode_string(r, random_string(r, 3), self.escape_rate) + ':')
                closes.append('}')
        return ''.join(opens) + self.scalar() + ''.join(reversed(closes))

    def document(self):
        r = self.r
        self.escape_rate = r.choice([0.0, 0.0, 0.1, 0.3, 1.0])
        k = r.random()
        if k < 0.03:
            doc = self.deep()
        elif k < 0.06:
            doc = r.choice(['{}', '[]', '""', '[[]]', '{"":{}}', '[{}]', 'null', 'true', 'false', '[null]'])
        elif k < 0.2:
            doc = self.scalar()
        else:
            doc = self.value(0, r.choice([1, 2, 3, 4, 6, 10]))
        return self.ws() + doc + self.ws()


def generate(seed=1, count=12000):
    """The list of document texts (str) for a seed."""
    gen = DocGen(seed)
    return [gen.document() for _ in range(count)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=12000)
    args = ap.parse_args()
    out = sys.stdout.buffer
    for doc in generate(args.seed, args.count):
        out.write(doc.encode('utf-8') + b'\n')


if __name__ == '__main__':
    main()
