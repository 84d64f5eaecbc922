#include "pith/json_scan.h"

#include <cstring>

namespace pith::json {

namespace {

bool IsScalarByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.';
}

}  // namespace

size_t SkipString(std::string_view s, size_t at) {
  if (at >= s.size() || s[at] != '"') return kNoPos;
  size_t p = at + 1;
  while (p < s.size()) {
    // Jump to the next quote or backslash (strings are long; this is the hot loop).
    const char* base = s.data() + p;
    size_t left = s.size() - p;
    const void* q = std::memchr(base, '"', left);
    size_t quote = q ? static_cast<const char*>(q) - s.data() : s.size();
    const void* b = std::memchr(base, '\\', quote - p);
    if (b == nullptr) return quote < s.size() ? quote + 1 : kNoPos;
    p = static_cast<size_t>(static_cast<const char*>(b) - s.data()) + 2;  // skip the escaped byte
  }
  return kNoPos;
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
