// Internal: walking canonical JSON bytes structurally (no values built), to find where members and
// array elements begin and end. Returns npos on anything that is not well-formed JSON structure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pith::merge_internal {

inline constexpr size_t kNoPos = std::string_view::npos;

// `at` is a '"': the offset just past the closing quote.
size_t SkipString(std::string_view s, size_t at);
// `at` starts a value: the offset just past it.
size_t SkipValue(std::string_view s, size_t at);

// Walks an object's members: `at` is its '{'. For each member, fn(key_begin, value_begin,
// value_end) with key_begin at the key's opening quote; returns the offset past '}' or npos.
template <typename Fn>
size_t ForEachMember(std::string_view s, size_t at, Fn&& fn) {
  if (at >= s.size() || s[at] != '{') return kNoPos;
  size_t p = at + 1;
  if (p < s.size() && s[p] == '}') return p + 1;
  while (true) {
    size_t key_end = SkipString(s, p);
    if (key_end == kNoPos || key_end >= s.size() || s[key_end] != ':') return kNoPos;
    size_t value_end = SkipValue(s, key_end + 1);
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
size_t ForEachElement(std::string_view s, size_t at, Fn&& fn) {
  if (at >= s.size() || s[at] != '[') return kNoPos;
  size_t p = at + 1;
  if (p < s.size() && s[p] == ']') return p + 1;
  while (true) {
    size_t end = SkipValue(s, p);
    if (end == kNoPos || end >= s.size()) return kNoPos;
    fn(p, end);
    if (s[end] == ']') return end + 1;
    if (s[end] != ',') return kNoPos;
    p = end + 1;
  }
}

// The key of a member whose opening quote is at `at`, when it has no escapes (all of the state's do).
std::string_view PlainKey(std::string_view s, size_t at);

}  // namespace pith::merge_internal
