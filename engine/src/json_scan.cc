#include "pith/json_scan.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pith::json {

namespace {

bool IsScalarByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

// The first '"' or '\\' in s at or after p (16 bytes at a time with SSE2), or s.size().
size_t FindQuoteOrBackslash(std::string_view s, size_t p) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  for (; p + 16 <= s.size(); p += 16) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + p));
    const unsigned mask =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash))));
    if (mask != 0) return p + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  for (; p < s.size(); ++p) {
    if (s[p] == '"' || s[p] == '\\') return p;
  }
  return s.size();
}

}  // namespace

size_t SkipString(std::string_view s, size_t at) {
  if (at >= s.size() || s[at] != '"') return kNoPos;
  size_t p = at + 1;
  while (true) {
    p = FindQuoteOrBackslash(s, p);
    if (p >= s.size()) return kNoPos;
    if (s[p] == '"') return p + 1;
    p += 2;  // a backslash: skip the escaped byte
  }
}

size_t SkipValue(std::string_view s, size_t at, size_t depth) {
  if (at >= s.size()) return kNoPos;
  switch (s[at]) {
    case '"':
      return SkipString(s, at);
    case '{':
      return ForEachMember(s, at, [](size_t, size_t, size_t) {}, depth);
    case '[':
      return ForEachElement(s, at, [](size_t, size_t) {}, depth);
    default: {
      // A number, true, false or null: its characters up to the next structural byte. Anything else
      // (whitespace above all) stops the walk, so it never starts reading inside a string.
      size_t p = at;
      while (p < s.size() && IsScalarByte(s[p])) ++p;
      return p == at ? kNoPos : p;
    }
  }
}

std::string_view PlainKey(std::string_view s, size_t at) {
  size_t end = SkipString(s, at);
  if (end == kNoPos) return {};
  return s.substr(at + 1, end - at - 2);
}

}  // namespace pith::json
