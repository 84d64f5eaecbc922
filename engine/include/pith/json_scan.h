// Walking JSON bytes with no whitespace (canonical text, a stored state, most event lines)
// structurally: where members and array elements begin and end, with no values built.
//
// The walk trusts what it skips: on well-formed whitespace-free JSON it is exact. It stops (kNoPos)
// at whitespace between tokens, so on JSON with whitespace it fails rather than misreads (it only
// enters a string at a real opening quote). On other input it returns kNoPos or some position,
// never reads out of bounds and never nests deeper than kMaxScanDepth (hostile input cannot exhaust
// the stack). Proving text well formed is
// CanonicalText's job (pith/json_view.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pith::json {

inline constexpr size_t kNoPos = std::string_view::npos;
inline constexpr size_t kMaxScanDepth = 128;  // ParseLimits::max_depth's default

// `at` is a '"': the offset just past the closing quote.
size_t SkipString(std::string_view s, size_t at);
// `at` starts a value: the offset just past it (kNoPos past kMaxScanDepth levels of nesting).
size_t SkipValue(std::string_view s, size_t at, size_t depth = 0);

// Walks an object's members: `at` is its '{'. For each member, fn(key_begin, value_begin,
// value_end) with key_begin at the key's opening quote; returns the offset past '}' or kNoPos.
template <typename Fn>
size_t ForEachMember(std::string_view s, size_t at, Fn&& fn, size_t depth = 0) {
  if (at >= s.size() || s[at] != '{' || depth >= kMaxScanDepth) return kNoPos;
  size_t p = at + 1;
  if (p < s.size() && s[p] == '}') return p + 1;
  while (true) {
    size_t key_end = SkipString(s, p);
    if (key_end == kNoPos || key_end >= s.size() || s[key_end] != ':') return kNoPos;
    size_t value_end = SkipValue(s, key_end + 1, depth + 1);
    if (value_end == kNoPos) return kNoPos;
    fn(p, key_end + 1, value_end);
    if (value_end >= s.size()) return kNoPos;
    if (s[value_end] == '}') return value_end + 1;
    if (s[value_end] != ',') return kNoPos;
    p = value_end + 1;
  }
}

// Walks an array's elements: `at` is its '['. fn(begin, end) per element; returns the offset past ']'.
template <typename Fn>
size_t ForEachElement(std::string_view s, size_t at, Fn&& fn, size_t depth = 0) {
  if (at >= s.size() || s[at] != '[' || depth >= kMaxScanDepth) return kNoPos;
  size_t p = at + 1;
  if (p < s.size() && s[p] == ']') return p + 1;
  while (true) {
    size_t end = SkipValue(s, p, depth + 1);
    if (end == kNoPos || end >= s.size()) return kNoPos;
    fn(p, end);
    if (s[end] == ']') return end + 1;
    if (s[end] != ',') return kNoPos;
    p = end + 1;
  }
}

// The raw bytes of the key (or string) whose opening quote is at `at`, escapes left as written;
// empty when there is no string there.
std::string_view PlainKey(std::string_view s, size_t at);

}  // namespace pith::json
