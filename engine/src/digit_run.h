// Internal: where a run of ASCII digits ends, found eight bytes at a time (the canonical proof's
// numbers, json_view.cc and float_repr.cc). One load and a few operations per eight digits, and a
// loop whose exit does not depend on the run's length below eight: fewer mispredicted branches than
// a byte loop on numbers of every length.
#pragma once

#include <cstdint>
#include <cstring>

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

}  // namespace pith::json::internal
