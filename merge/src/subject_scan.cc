#include "subject_scan.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "pith/json_scan.h"

namespace pith::merge_internal {
namespace {

class SubjectFinder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, SubjectFinder> {
 public:
  bool Default() {
    want_ = false;
    return true;
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return Default(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (want_ && depth_ == 1) {
      if (subject_) return false;  // a second one: leave the judgement to the strict parser
      subject_.emplace(s, n);
    }
    want_ = false;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    want_ = depth_ == 1 && std::string_view(s, n) == "subject_pith_number";
    return true;
  }
  bool StartObject() {
    want_ = false;
    return ++depth_ <= kMaxDepth;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool StartArray() {
    want_ = false;
    if (depth_ == 0) return false;  // the document must be an object
    return ++depth_ <= kMaxDepth;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  std::optional<std::string> Take() { return std::move(subject_); }

 private:
  static constexpr int kMaxDepth = 128;
  int depth_ = 0;
  bool want_ = false;
  std::optional<std::string> subject_;
};

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
  SubjectFinder finder;
  rapidjson::MemoryStream stream(line.data(), line.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  if (reader.Parse<kFlags>(stream, finder).IsError()) return std::nullopt;
  return finder.Take();
}

}  // namespace pith::merge_internal
