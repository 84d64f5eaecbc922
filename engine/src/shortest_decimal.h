// Internal: whether a decimal of many digits is the shortest, nearest decimal of the double it
// rounds to (what repr and std::to_chars write), decided exactly with 128-bit integers where that
// is cheap. The canonical proof's check of 16- and 17-digit floats (float_repr.cc) asks this first
// and writes the double's digits with std::to_chars only when the answer is kUnknown; it finds the
// double with DoubleOfDecimal where it can, and with std::from_chars elsewhere.
#pragma once

#include <cstdint>

namespace pith::json::internal {

enum class ShortestVerdict { kNo, kYes, kUnknown };

// The decimal w x 10^q, where w has exactly `digits` digits (at least 2, at most 17, the first and
// the last not 0), and `d`, the positive finite double it rounds to (correctly, as std::from_chars
// rounds: this is trusted, not checked). kYes: no decimal of fewer digits rounds to d and, of those
// of `digits` digits, this one is the nearest to d. kNo: some decimal of fewer digits rounds to d,
// or one of as many digits is nearer. kUnknown where this does not tell: |q| above 27, d subnormal
// or a power of two (its rounding interval is lopsided), a shorter neighbour exactly on a bound of
// d's interval (where round-half-even would decide whether it rounds to d), or d exactly halfway
// between this decimal and the next of its length.
ShortestVerdict JudgeShortestDecimal(uint64_t w, int digits, int q, double d);

// The double nearest w x 10^q (ties to even: what std::from_chars gives), computed exactly in
// 128-bit integers; false (and *d untouched) when w is 0 or |q| is above 27, where it is not.
bool DoubleOfDecimal(uint64_t w, int q, double* d);

}  // namespace pith::json::internal
