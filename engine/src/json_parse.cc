// The strict JSON parser: RapidJSON's SAX reader feeding our value model.
//
// Numbers arrive as raw text (kParseNumbersAsStringsFlag) so integers of any size stay exact and
// floats are rounded once, correctly, by strtod in the C locale. RapidJSON's own number scanner is
// replaced (see ParseNumber below) because it refuses valid numbers it cannot hold in a double
// (integers of 309+ digits, "0e400"). Objects are sorted at their end, which is also where
// duplicate keys are found.
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <locale.h>

#include <algorithm>
#include <limits>
#include <new>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "pith/json.h"

namespace pith::json {
namespace {

// RapidJSON's CrtAllocator for the reader's stack, except that a failed allocation fails as
// operator new does (the new handler, if one is set, then std::bad_alloc): CrtAllocator returns
// null, which RapidJSON's stack then writes through. Realloc fails before the stack forgets its
// block, so unwinding frees it.
class ThrowingAllocator {
 public:
  static const bool kNeedFree = true;
  void* Malloc(size_t size) {
    if (size == 0) return nullptr;
    for (;;) {
      if (void* block = std::malloc(size)) return block;
      NoMemory();
    }
  }
  void* Realloc(void* original, size_t /*original_size*/, size_t new_size) {
    if (new_size == 0) {
      std::free(original);
      return nullptr;
    }
    for (;;) {
      if (void* block = std::realloc(original, new_size)) return block;
      NoMemory();
    }
  }
  static void Free(void* block) { std::free(block); }

 private:
  static void NoMemory() {
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();  // frees memory, or throws, or ends the process
  }
};

// The one SAX reader of the format core.
using Reader = rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, ThrowingAllocator>;

// strtod in the "C" locale whatever the process locale is.
double StrtodC(const char* text, char** end) {
  static locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
  return strtod_l(text, end, c_locale);
}

class Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder> {
 public:
  explicit Builder(const ParseLimits& limits) : limits_(limits) {}

  bool Null() { return Add(Value()); }
  bool Bool(bool b) { return Add(Value::Bool(b)); }
  bool RawNumber(const char* str, rapidjson::SizeType len, bool /*copy*/) {
    std::string_view text(str, len);
    bool is_integer = text.find_first_of(".eE") == std::string_view::npos;
    // An integer is limited by its digits (as CPython: the sign does not count), a float by its length.
    if (!is_integer && text.size() > limits_.max_number_chars) {
      return Fail("number too long (" + std::to_string(text.size()) + " characters; the limit is " +
                  std::to_string(limits_.max_number_chars) + ")");
    }
    if (is_integer) {
      size_t digits = text.size() - (text.front() == '-' ? 1 : 0);
      if (digits > limits_.max_integer_digits) {
        return Fail("integer has " + std::to_string(digits) + " digits; the limit is " +
                    std::to_string(limits_.max_integer_digits));
      }
      if (text == "-0") return Add(Value::NumberText(Kind::kInteger, "0"));
      return Add(Value::NumberText(Kind::kInteger, std::string(text)));
    }
    std::string owned(text);  // strtod needs a terminated string
    char* end = nullptr;
    double d = StrtodC(owned.c_str(), &end);
    if (end != owned.c_str() + owned.size()) return Fail("malformed number '" + owned + "'");
    if (std::isinf(d)) return Fail("number " + owned + " overflows a double");
    return Add(Value::NumberText(Kind::kFloat, FloatRepr(d)));
  }
  bool String(const char* str, rapidjson::SizeType len, bool /*copy*/) {
    std::string_view s(str, len);
    if (!CheckString(s, "string")) return false;
    return Add(Value::String(std::string(s)));
  }
  bool StartObject() {
    if (!Push()) return false;
    stack_.back().is_object = true;
    return true;
  }
  bool Key(const char* str, rapidjson::SizeType len, bool /*copy*/) {
    std::string_view s(str, len);
    if (!CheckString(s, "key")) return false;
    stack_.back().pending_key.assign(s);
    return true;
  }
  bool EndObject(rapidjson::SizeType /*count*/) {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    auto& members = frame.members;
    auto by_key = [](const Value::Member& a, const Value::Member& b) { return a.first < b.first; };
    // Canonical input arrives sorted already; stable_sort would allocate a buffer for nothing.
    if (!std::is_sorted(members.begin(), members.end(), by_key)) std::stable_sort(members.begin(), members.end(), by_key);
    for (size_t i = 1; i < members.size(); ++i) {
      if (members[i - 1].first == members[i].first) {
        return Fail("duplicate key \"" + members[i].first + "\" in one object");
      }
    }
    return Add(Value::Object(std::move(members)));
  }
  bool StartArray() { return Push(); }
  bool EndArray(rapidjson::SizeType /*count*/) {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    return Add(Value::Array(std::move(frame.items)));
  }

  Value TakeRoot() { return std::move(root_); }
  const std::string& error() const { return error_; }

  // Records why parsing stops; returns false so the reader reports kParseErrorTermination.
  bool Fail(std::string what) {
    error_ = std::move(what);
    return false;
  }

 private:
  struct Frame {
    bool is_object = false;
    std::vector<Value> items;
    std::vector<Value::Member> members;
    std::string pending_key;
  };

  bool CheckString(std::string_view s, const char* what) {
    if (s.size() > limits_.max_string_bytes) {
      return Fail(std::string(what) + " of " + std::to_string(s.size()) + " bytes; the limit is " +
                  std::to_string(limits_.max_string_bytes));
    }
    // Catches lone surrogates written as \uXXXX escapes, which RapidJSON decodes to CESU bytes.
    if (!IsValidUtf8(s)) return Fail(std::string(what) + " is not valid UTF-8 (or holds a lone surrogate)");
    return true;
  }
  bool Push() {
    if (stack_.size() >= limits_.max_depth) {
      return Fail("nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    stack_.emplace_back();
    return true;
  }
  bool Add(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& top = stack_.back();
    if (top.is_object) {
      top.members.emplace_back(std::move(top.pending_key), std::move(v));
    } else {
      top.items.push_back(std::move(v));
    }
    return true;
  }

  const ParseLimits& limits_;
  std::vector<Frame> stack_;
  Value root_;
  std::string error_;
};

void Locate(std::string_view text, size_t offset, ParseError* err) {
  err->offset = offset;
  err->line = 1;
  err->column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++err->line;
      err->column = 1;
    } else {
      ++err->column;
    }
  }
}

Status MakeError(std::string_view text, size_t offset, std::string what, ParseError* out) {
  ParseError err;
  Locate(text, offset, &err);
  err.what = std::move(what);
  std::string msg = std::to_string(err.line) + ":" + std::to_string(err.column) + ": " + err.what;
  if (out != nullptr) *out = std::move(err);
  return Status::InvalidInput(msg);
}

// Strings are checked by CheckString (IsValidUtf8 on the decoded bytes), which refuses exactly what
// RapidJSON's encoding validation would also refuse (escapes decode to whole sequences, so they
// cannot complete a broken one). So documents are parsed without that validation, and only a
// refused one is parsed again with it, to name the offending byte rather than the string's end.
constexpr unsigned kBaseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
constexpr unsigned kFlags = kBaseFlags;
constexpr unsigned kLocatingFlags = kBaseFlags | rapidjson::kParseValidateEncodingFlag;

}  // namespace
}  // namespace pith::json

// Our number scanner for our reader, in place of RapidJSON's (an explicit specialization of its
// member template, declared before Parse instantiates it). RapidJSON 1.1.0 still computes a double
// while scanning, even with kParseNumbersAsStringsFlag, and fails with kParseErrorNumberTooBig on
// integers of 309+ digits and on exponents past 308 (even "0e400"). This one only checks the JSON
// grammar  -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?  and hands the text to the Builder,
// which applies the limits and rounds floats.
namespace pith::json {
namespace {
struct ScanError {
  rapidjson::ParseErrorCode code = rapidjson::kParseErrorNone;
  size_t offset = 0;
};

void ScanNumber(rapidjson::MemoryStream& is, Builder& handler, ScanError* error) {
  auto SetParseError = [error](rapidjson::ParseErrorCode code, size_t offset) { *error = {code, offset}; };
  using namespace rapidjson;
  const size_t start = is.Tell();
  const char* const begin = is.src_;
  auto is_digit = [&is] { return is.Peek() >= '0' && is.Peek() <= '9'; };
  auto take_digits = [&] {
    while (is_digit()) is.Take();
  };
  if (is.Peek() == '-') is.Take();
  if (is.Peek() == '0') {
    is.Take();
  } else if (is.Peek() >= '1' && is.Peek() <= '9') {
    take_digits();
  } else {
    if (is.Peek() == 'N' || is.Peek() == 'I') {
      handler.Fail("NaN and Infinity are not allowed (not JSON numbers)");
      SetParseError(kParseErrorTermination, start);
    } else {
      SetParseError(kParseErrorValueInvalid, is.Tell());
    }
    return;
  }
  if (is.Peek() == '.') {
    is.Take();
    if (!is_digit()) {
      SetParseError(kParseErrorNumberMissFraction, is.Tell());
      return;
    }
    take_digits();
  }
  if (is.Peek() == 'e' || is.Peek() == 'E') {
    is.Take();
    if (is.Peek() == '+' || is.Peek() == '-') is.Take();
    if (!is_digit()) {
      SetParseError(kParseErrorNumberMissExponent, is.Tell());
      return;
    }
    take_digits();
  }
  const size_t length = static_cast<size_t>(is.src_ - begin);
  if (length > std::numeric_limits<SizeType>::max()) {
    handler.Fail("number too long (" + std::to_string(length) + " characters)");
    SetParseError(kParseErrorTermination, start);
    return;
  }
  if (!handler.RawNumber(begin, static_cast<SizeType>(length), false)) {
    SetParseError(kParseErrorTermination, start);
  }
}
}  // namespace
}  // namespace pith::json

// Both flag sets the parser uses get the scanner above.
template <>
template <>
void pith::json::Reader::ParseNumber<
    pith::json::kFlags, rapidjson::MemoryStream, pith::json::Builder>(rapidjson::MemoryStream& is,
                                                                      pith::json::Builder& handler) {
  pith::json::ScanError error;
  pith::json::ScanNumber(is, handler, &error);
  if (error.code != kParseErrorNone) SetParseError(error.code, error.offset);
}
template <>
template <>
void pith::json::Reader::ParseNumber<
    pith::json::kLocatingFlags, rapidjson::MemoryStream, pith::json::Builder>(rapidjson::MemoryStream& is,
                                                                              pith::json::Builder& handler) {
  pith::json::ScanError error;
  pith::json::ScanNumber(is, handler, &error);
  if (error.code != kParseErrorNone) SetParseError(error.code, error.offset);
}

namespace pith::json {

Result<Value> Parse(std::string_view text, const ParseLimits& limits, ParseError* error) {
  if (text.size() > limits.max_document_bytes) {
    return MakeError(text, 0,
                     "document of " + std::to_string(text.size()) + " bytes; the limit is " +
                         std::to_string(limits.max_document_bytes),
                     error);
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    return MakeError(text, 0, "byte order mark (U+FEFF) at the start: the document must be UTF-8 without a BOM",
                     error);
  }
  Builder builder(limits);
  rapidjson::MemoryStream stream(text.data(), text.size());
  Reader reader;
  rapidjson::ParseResult result = reader.Parse<kFlags>(stream, builder);
  if (result.IsError()) {
    // Again with RapidJSON's encoding validation, which points at the offending byte.
    Builder locating(limits);
    rapidjson::MemoryStream again(text.data(), text.size());
    Reader locating_reader;
    rapidjson::ParseResult located = locating_reader.Parse<kLocatingFlags>(again, locating);
    const bool use_located = located.IsError();
    const rapidjson::ParseResult& r = use_located ? located : result;
    const Builder& b = use_located ? locating : builder;
    std::string what = r.Code() == rapidjson::kParseErrorTermination ? b.error() : rapidjson::GetParseError_En(r.Code());
    if (!what.empty() && what.back() == '.') what.pop_back();
    return MakeError(text, r.Offset(), std::move(what), error);
  }
  // MemoryStream reads a NUL byte as the end of input: anything left after it is trailing data.
  if (stream.Tell() < text.size()) {
    return MakeError(text, stream.Tell(), "unexpected data after the JSON document", error);
  }
  return builder.TakeRoot();
}

namespace {

// Finds the string member `key` at depth 1; a second one, or a top-level array, ends the parse.
class MemberFinder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, MemberFinder> {
 public:
  MemberFinder(std::string_view key, size_t max_depth) : key_(key), max_depth_(max_depth) {}
  bool Default() {
    want_ = false;
    return true;
  }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return Default(); }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (want_ && depth_ == 1) {
      if (found_) return false;  // a second one: leave the judgement to the strict parser
      found_.emplace(s, n);
    }
    want_ = false;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    want_ = depth_ == 1 && std::string_view(s, n) == key_;
    return true;
  }
  bool StartObject() {
    want_ = false;
    return ++depth_ <= max_depth_;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool StartArray() {
    want_ = false;
    if (depth_ == 0) return false;  // the document must be an object
    return ++depth_ <= max_depth_;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  std::optional<std::string> Take() { return std::move(found_); }

 private:
  std::string_view key_;
  size_t max_depth_;
  size_t depth_ = 0;
  bool want_ = false;
  std::optional<std::string> found_;
};

}  // namespace

std::optional<std::string> FindTopLevelString(std::string_view text, std::string_view key) {
  MemberFinder finder(key, ParseLimits{}.max_depth);
  rapidjson::MemoryStream stream(text.data(), text.size());
  Reader reader;
  if (reader.Parse<kFlags>(stream, finder).IsError()) return std::nullopt;
  return finder.Take();
}

}  // namespace pith::json
