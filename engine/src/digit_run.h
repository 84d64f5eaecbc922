// Internal: where a run of ASCII digits ends, and its value, found eight bytes at a time (the
// canonical proof's numbers, json_view.cc and float_repr.cc). One load and a few operations per
// eight digits, and a loop whose exit does not depend on the run's length below eight: fewer
// mispredicted branches than a byte loop on numbers of every length.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace pith::json::internal {

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// Bytes of x (little-endian: byte 0 lowest) that are not '0'..'9' have a bit set; the lowest set bit
// is in the first such byte. A digit's high nibble is 3 and stays 3 once 6 is added; a carry out of a
// byte >= 0xFA reaches only the bytes after it, which do not matter.
inline uint64_t NonDigitBytes(uint64_t x) {
  constexpr uint64_t kHighNibbles = 0xF0F0F0F0F0F0F0F0, kThrees = 0x3030303030303030, kSixes = 0x0606060606060606;
  return ((x & kHighNibbles) ^ kThrees) | (((x + kSixes) & kHighNibbles) ^ kThrees);
}

// The first byte in [p, end) that is not a digit, or end. Reads only [buffer, end), where buffer <= p
// is where the caller's bytes begin: the last eight bytes of a run are read as the eight before
// `end` when that many exist.
inline const char* SkipDigits(const char* p, const char* end, const char* buffer) {
  uint64_t x;
  for (; end - p >= 8; p += 8) {
    std::memcpy(&x, p, 8);
    const uint64_t other = NonDigitBytes(x);
    if (other != 0) return p + __builtin_ctzll(other) / 8;
  }
  if (p == end) return p;
  if (end - buffer >= 8) {  // the 1 to 7 bytes left, as the top of the last eight; zeros (not digits) shift in
    std::memcpy(&x, end - 8, 8);
    x >>= 8 * (8 - (end - p));
    return p + __builtin_ctzll(NonDigitBytes(x)) / 8;
  }
  while (p != end && IsDigit(*p)) ++p;
  return p;
}

// The value of the eight digits at p (fast_float's and simdjson's SWAR: pairs, then fours, then eight).
inline uint64_t EightDigitsValue(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);  // byte 0, the first digit, lowest
  x -= 0x3030303030303030;
  x = x * 10 + (x >> 8);  // each even byte: the two digits from it on
  constexpr uint64_t kPairs = 0x000000FF000000FF, kHighPairs = 0x000F424000000064, kLowPairs = 0x0000271000000001;
  return (((x & kPairs) * kHighPairs) + (((x >> 16) & kPairs) * kLowPairs)) >> 32;
}

// value x 10^n + the n digits of `digits`, for a value that stays below 2^64.
inline uint64_t AppendDigits(uint64_t value, std::string_view digits) {
  const char* p = digits.data();
  const char* const end = p + digits.size();
  for (; end - p >= 8; p += 8) value = value * 100000000 + EightDigitsValue(p);
  for (; p != end; ++p) value = value * 10 + static_cast<uint64_t>(*p - '0');
  return value;
}

}  // namespace pith::json::internal
