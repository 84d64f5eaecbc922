// The shortest-decimal check: the decimal, the double and its rounding interval brought to one
// integer scale, where every question is a comparison of 128-bit integers.
#include "shortest_decimal.h"

#include <array>
#include <cstring>

namespace pith::json::internal {
namespace {

using i128 = __int128;
using u128 = unsigned __int128;

constexpr int kMaxPow5 = 27;  // 5^27 < 2^63: every power up to it fits a uint64_t
constexpr std::array<uint64_t, kMaxPow5 + 1> kPow5 = [] {
  std::array<uint64_t, kMaxPow5 + 1> p{};
  p[0] = 1;
  for (int i = 1; i <= kMaxPow5; ++i) p[i] = p[i - 1] * 5;
  return p;
}();

int BitLength(uint64_t x) { return x == 0 ? 0 : 64 - __builtin_clzll(x); }

int BitLength128(u128 x) {
  const uint64_t high = static_cast<uint64_t>(x >> 64);
  return high != 0 ? 64 + BitLength(high) : BitLength(static_cast<uint64_t>(x));
}

}  // namespace

bool DoubleOfDecimal(uint64_t w, int q, double* d) {
  if (w == 0 || q < -kMaxPow5 || q > kMaxPow5) return false;
  u128 n = 0;            // the value is (n + a fraction, nonzero when `inexact`) x 2^k
  int k = 0;
  bool inexact = false;
  if (q >= 0) {  // w x 5^q x 2^q, exactly
    n = static_cast<u128>(w) * kPow5[q];
    k = q;
  } else {  // w / 5^p x 2^q, p = -q: w shifted so that the quotient has 63 or 64 bits (one divide)
    const uint64_t divisor = kPow5[-q];
    const int shift = 63 + BitLength(divisor) - BitLength(w);
    const u128 dividend = static_cast<u128>(w) << shift;
    const uint64_t quotient = static_cast<uint64_t>(dividend / divisor);
    inexact = dividend - static_cast<u128>(quotient) * divisor != 0;
    n = quotient;
    k = q - shift;
  }
  // Round n to 53 significant bits, to nearest, ties to even (a tie only when nothing was lost).
  const int bits = BitLength128(n);
  uint64_t m = 0;
  if (bits <= 53) {
    m = static_cast<uint64_t>(n) << (53 - bits);  // exact: q >= 0 here
    k -= 53 - bits;
  } else {
    const int drop = bits - 53;
    m = static_cast<uint64_t>(n >> drop);
    const u128 rest = n & ((u128{1} << drop) - 1), half = u128{1} << (drop - 1);
    if (rest > half || (rest == half && (inexact || (m & 1) != 0))) ++m;
    k += drop;
    if (m == uint64_t{1} << 53) {
      m >>= 1;
      ++k;
    }
  }
  const int biased_exponent = k + 1075;  // m x 2^k, 2^52 <= m < 2^53
  if (biased_exponent < 1 || biased_exponent > 0x7fe) return false;  // not reached for |q| <= 27
  const uint64_t out = (static_cast<uint64_t>(biased_exponent) << 52) | (m & ((uint64_t{1} << 52) - 1));
  std::memcpy(d, &out, sizeof out);
  return true;
}

// JudgeShortestDecimal keeps its products below 2^kMaxBits: room for its sums in a signed 128-bit integer.
constexpr int kMaxBits = 122;

ShortestVerdict JudgeShortestDecimal(uint64_t w, int digits, int q, double d) {
  if (digits < 2 || digits > 17 || q < -kMaxPow5 || q > kMaxPow5 || w % 10 == 0) return ShortestVerdict::kUnknown;
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  const int biased_exponent = static_cast<int>((bits >> 52) & 0x7ff);
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  // Subnormal, infinite, negative, or a power of two (whose lower neighbour is nearer than its upper).
  if (biased_exponent == 0 || biased_exponent == 0x7ff || (bits >> 63) != 0 || fraction == 0) {
    return ShortestVerdict::kUnknown;
  }
  const uint64_t m = fraction | (uint64_t{1} << 52);  // d = m x 2^e
  const int e = biased_exponent - 1075;
  // One scale for both: times 5^max(-q, 0) / 2^g, g = min(q, e - 1). The decimal's unit 10^q
  // becomes U = 5^max(q, 0) x 2^(q - g), d's ulp 2^e becomes V = 5^max(-q, 0) x 2^(e - g), and half
  // of V is an integer.
  const int g = q < e - 1 ? q : e - 1;
  const uint64_t u5 = kPow5[q > 0 ? q : 0], v5 = kPow5[q < 0 ? -q : 0];
  if (BitLength(w) + BitLength(u5) + (q - g) > kMaxBits || BitLength(m) + BitLength(v5) + (e - g) > kMaxBits) {
    return ShortestVerdict::kUnknown;  // only where d is not what the decimal rounds to
  }
  const i128 unit = static_cast<i128>(u5) << (q - g);
  const i128 ulp = static_cast<i128>(v5) << (e - g);
  const i128 half_ulp = ulp >> 1;
  const i128 delta = static_cast<i128>(w) * unit - static_cast<i128>(m) * ulp;  // the decimal - d
  const i128 r = static_cast<i128>(w % 10);
  // The decimals that round to d lie within half an ulp of it (on a bound only when m is even: the
  // caller's rounding settled that for this decimal; for its shorter neighbours it is left to kUnknown).
  // Nearest of its length: |delta| < unit / 2. Then no other decimal of `digits` digits is nearer
  // (w > 10^(digits-1): those within unit / 2 of d have w's spacing). Otherwise a nearer one lies
  // inside d's interval (symmetric: d is not a power of two), and repr is not this decimal.
  if (2 * delta > unit || 2 * delta < -unit) return ShortestVerdict::kNo;
  bool unknown = 2 * delta == unit || 2 * delta == -unit;
  // Shortest: the decimals of fewer digits next to this one, (w - r) x 10^q below and
  // (w - r + 10) x 10^q above, lie outside the interval. (Any shorter decimal inside it, padded with
  // zeros, would put one of these two inside: the interval holds this decimal and is convex.)
  const i128 below_over_low_bound = delta - r * unit + half_ulp;        // sign of (w - r) x 10^q - (d - ulp/2)
  const i128 above_over_high_bound = delta + (10 - r) * unit - half_ulp;  // sign of (w - r + 10) x 10^q - (d + ulp/2)
  if (below_over_low_bound > 0 || above_over_high_bound < 0) return ShortestVerdict::kNo;
  unknown |= below_over_low_bound == 0 || above_over_high_bound == 0;
  return unknown ? ShortestVerdict::kUnknown : ShortestVerdict::kYes;
}

}  // namespace pith::json::internal
