#include "subject_scan.h"

#include "pith/json.h"
#include "pith/json_scan.h"

namespace pith::merge_internal {
namespace {

// The structural walk, for a line with no whitespace between tokens (canonical lines): exact on
// well-formed input, so a subject it finds is the parser's whenever the parser accepts the line (a
// duplicate is the parser's to refuse in pass 2). It stops at the subject; nothing when the walk
// fails or the subject is not a plain string.
std::optional<std::string_view> WalkSubject(std::string_view line) {
  constexpr std::string_view kKey = "subject_pith_number";
  if (line.empty() || line[0] != '{') return std::nullopt;
  size_t p = 1;
  while (p < line.size() && line[p] == '"') {
    const size_t key_end = json::SkipString(line, p);
    if (key_end == json::kNoPos || key_end >= line.size() || line[key_end] != ':') return std::nullopt;
    const size_t value_end = json::SkipValue(line, key_end + 1);
    if (value_end == json::kNoPos || value_end >= line.size()) return std::nullopt;
    if (line.substr(p + 1, key_end - p - 2) == kKey) {
      std::string_view value = line.substr(key_end + 1, value_end - key_end - 1);
      if (value.size() < 2 || value.front() != '"' || value.find('\\') != std::string_view::npos) return std::nullopt;
      return value.substr(1, value.size() - 2);
    }
    if (line[value_end] != ',') return std::nullopt;
    p = value_end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> FindSubjectInPlace(std::string_view line) { return WalkSubject(line); }

std::optional<std::string> ScanSubject(std::string_view line) {
  if (auto walked = WalkSubject(line)) return std::string(*walked);
  return json::FindTopLevelString(line, "subject_pith_number");
}

}  // namespace pith::merge_internal
