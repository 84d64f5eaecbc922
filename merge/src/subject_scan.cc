#include "subject_scan.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

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

}  // namespace

std::optional<std::string> ScanSubject(std::string_view line) {
  SubjectFinder finder;
  rapidjson::MemoryStream stream(line.data(), line.size());
  rapidjson::Reader reader;
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  if (reader.Parse<kFlags>(stream, finder).IsError()) return std::nullopt;
  return finder.Take();
}

}  // namespace pith::merge_internal
