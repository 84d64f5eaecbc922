// Internal: the length of one well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF), shared by IsValidUtf8 and CanonicalText's string scan.
#pragma once

#include <cstddef>

namespace pith::json::internal {

// `p` < `end` points at a byte >= 0x80: the length of the well-formed sequence starting there, or 0.
inline size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  const unsigned char c = *p;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) <= need) return 0;
  if (p[1] < lo || p[1] > hi) return 0;
  for (size_t i = 2; i <= need; ++i) {
    if (p[i] < 0x80 || p[i] > 0xBF) return 0;
  }
  return need + 1;
}

}  // namespace pith::json::internal
