// CanonicalText's proof that a text is canon(Parse(text)), and View's reads in place.
//
// The proof accepts only what canon writes (json_canonical.cc) and the parser accepts (json_parse.cc):
// no whitespace; keys strictly increasing in byte order (so unique), none escaped; strings of valid
// UTF-8 with no raw byte below 0x20 and only the escapes canon writes (\" \\ \n \r \t \b \f and
// \u00xx, lowercase, for the other control characters); integers -?(0|[1-9][0-9]*) but not "-0";
// floats equal to FloatRepr of their own value (float_repr.h tells it from the layout for most); the
// parser's limits. Anything else is "not proven".
// Two passes: StringMarks (json_string_marks.h) judges the string bodies and marks where strings
// open and close, 64 bytes at a time; then a walk reads every byte outside strings and steps over
// each string from quote to quote.
#include "pith/json_view.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "pith/json_scan.h"
#include "digit_run.h"
#include "float_repr.h"
#include "json_string_marks.h"

namespace pith::json {
namespace {

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

class Prover {
 public:
  using NestedObject = CanonicalText::NestedObject;

  Prover(std::string_view s, const ParseLimits& limits, std::vector<MemberSpan>* nested_spans,
         std::vector<NestedObject>* nested)
      : s_(s), limits_(limits), nested_spans_(nested_spans), nested_(nested) {}

  // The top-level object, its member spans into *spans (and those of its member objects into the
  // nested index).
  bool Document(std::vector<MemberSpan>* spans) {
    // Views keep 32-bit offsets: a longer text (possible only under raised limits) is not proven.
    if (s_.size() > limits_.max_document_bytes || s_.size() > UINT32_MAX || s_.empty()) return false;
    // Marks reused by this thread's proofs: their words stay allocated (two bits per byte of text)
    // unless the text was large. Marking first: it asks for the whole text from memory at once.
    static thread_local internal::StringMarks marks;
    marks_ = &marks;
    const bool proven = marks.Mark(s_) && s_[0] == '{' && Object<true>(0, spans) && p_ == s_.size();
    marks.ReleaseIfLarge();
    return proven;
  }

 private:
  // previous < key in byte order, both keys in the text. Eight bytes at a time, read big-endian so
  // that integer order is byte order: most keys differ in their first eight bytes, and no loop's exit
  // depends on where. Bytes past a key's end are read (within the text) and masked off.
  __attribute__((always_inline)) bool KeyAfter(std::string_view previous, std::string_view key) const {
    const size_t common = std::min(previous.size(), key.size());
    const char* const text_end = s_.data() + s_.size();
    size_t i = 0;
    for (; i < common; i += 8) {
      if (key.data() + i + 8 > text_end) return KeyAfterFrom(previous, key, i);  // previous lies before key
      uint64_t a, b;
      std::memcpy(&a, previous.data() + i, 8);
      std::memcpy(&b, key.data() + i, 8);
      // Only the first common - i bytes count (all eight but at the end): a shift, not a branch.
      const unsigned drop = static_cast<unsigned>(8 * (8 - std::min<size_t>(common - i, 8)));
      a = __builtin_bswap64(a) >> drop;
      b = __builtin_bswap64(b) >> drop;
      if (a != b) return a < b;
    }
    return previous.size() < key.size();
  }
  static bool KeyAfterFrom(std::string_view previous, std::string_view key, size_t i) {
    const size_t common = std::min(previous.size(), key.size());
    for (; i < common; ++i) {
      if (previous[i] != key[i]) return static_cast<unsigned char>(previous[i]) < static_cast<unsigned char>(key[i]);
    }
    return previous.size() < key.size();
  }

  bool AnyValue(size_t depth) {
    if (p_ >= s_.size()) return false;
    switch (s_[p_]) {
      case '{': {
        if (depth != 1) return Object<false>(depth, nullptr);
        const size_t begin = p_, first = nested_spans_->size();
        if (!Object<true>(depth, nested_spans_)) return false;
        nested_->push_back({static_cast<uint32_t>(begin), static_cast<uint32_t>(first),
                            static_cast<uint32_t>(nested_spans_->size() - first)});
        return true;
      }
      case '[': return Array(depth);
      case '"': return String(nullptr);
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Number();
    }
  }

  // Members' spans go to *spans when kKeepSpans (the document's and its member objects'), else
  // nowhere (spans is null).
  template <bool kKeepSpans>
  bool Object(size_t depth, std::vector<MemberSpan>* spans) {
    if (depth >= limits_.max_depth) return false;
    ++p_;  // '{'
    if (p_ < s_.size() && s_[p_] == '}') {
      ++p_;
      return true;
    }
    std::string_view previous;
    bool first = true;
    while (true) {
      const size_t key_begin = p_;
      bool escaped = false;
      if (p_ >= s_.size() || s_[p_] != '"' || !String(&escaped) || escaped) return false;
      std::string_view key = s_.substr(key_begin + 1, p_ - key_begin - 2);
      // Unsorted or a duplicate. (The first key is compared with an empty one, and its verdict
      // ignored: one branch that is nearly always taken.)
      if (!(KeyAfter(previous, key) | first)) return false;
      first = false;
      previous = key;
      if (p_ + 1 >= s_.size() || s_[p_] != ':') return false;
      ++p_;
      // Most values are strings: no call and no dispatch for them.
      if (!(s_[p_] == '"' ? String(nullptr) : AnyValue(depth + 1))) return false;
      if constexpr (kKeepSpans) spans->push_back({key, key_begin, p_});
      if (p_ >= s_.size()) return false;
      const char c = s_[p_++];
      if (c == '}') return true;
      if (c != ',') return false;
    }
  }

  bool Array(size_t depth) {
    if (depth >= limits_.max_depth) return false;
    ++p_;  // '['
    if (p_ < s_.size() && s_[p_] == ']') {
      ++p_;
      return true;
    }
    while (true) {
      if (!AnyValue(depth + 1) || p_ >= s_.size()) return false;
      const char c = s_[p_++];
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }

  // p_ at the opening quote; leaves p_ past the closing one. The marks have judged every body
  // already: the string ends at the next unescaped quote. *escaped (if given) tells whether it holds
  // an escape.
  __attribute__((always_inline)) bool String(bool* escaped) {
    const size_t begin = p_ + 1;
    const size_t close = marks_->NextQuote(begin);
    // The raw body is at least as long as the decoded string.
    if (close == internal::StringMarks::kNone || close - begin > limits_.max_string_bytes) return false;
    if (escaped != nullptr) *escaped = marks_->AnyEscape(begin, close);
    p_ = close + 1;
    return true;
  }

  // true, false, null: compared as one 4-byte word (and false's last byte), not by a call.
  bool Literal(std::string_view word) {
    if (s_.size() - p_ < word.size()) return false;
    uint32_t have, want;
    std::memcpy(&have, s_.data() + p_, 4);
    std::memcpy(&want, word.data(), 4);
    if (have != want || (word.size() == 5 && s_[p_ + 4] != word[4])) return false;
    p_ += word.size();
    return true;
  }

  size_t SkipDigits(size_t p) const {
    return static_cast<size_t>(internal::SkipDigits(s_.data() + p, s_.data() + s_.size(), s_.data()) - s_.data());
  }

  bool Number() {
    const size_t begin = p_;
    p_ += s_[p_] == '-';  // AnyValue saw a byte here
    const size_t digits_begin = p_;
    p_ = SkipDigits(p_);
    if (p_ == s_.size() || (s_[p_] != '.' && s_[p_] != 'e' && s_[p_] != 'E')) {
      // An integer: -?(0|[1-9][0-9]*), not "-0", within the digit limit. (Whatever follows it is
      // the caller's to judge: only ',', '}' or ']' can.)
      const size_t digits = p_ - digits_begin;
      if (digits == 0 || digits > limits_.max_integer_digits) return false;
      return s_[digits_begin] != '0' || (digits == 1 && digits_begin == begin);
    }
    // A float is canonical when it is FloatRepr of its own value (which also makes it grammatical).
    // Its text ends where -?D*(.D*)?([eE][+-]?D*)? does: repr's texts all have that form, and
    // whatever follows is the caller's to judge.
    if (s_[p_] == '.') p_ = SkipDigits(p_ + 1);
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      p_ = SkipDigits(p_);
    }
    const std::string_view t = s_.substr(begin, p_ - begin);
    if (t.size() > limits_.max_number_chars) return false;
    return internal::IsFloatRepr(t, s_.data());  // most floats by their layout alone
  }

  std::string_view s_;
  const ParseLimits& limits_;
  std::vector<MemberSpan>* nested_spans_;
  std::vector<NestedObject>* nested_;
  const internal::StringMarks* marks_ = nullptr;
  size_t p_ = 0;
};

Kind KindAt(std::string_view s, size_t begin, size_t end) {
  switch (s[begin]) {
    case '{': return Kind::kObject;
    case '[': return Kind::kArray;
    case '"': return Kind::kString;
    case 't':
    case 'f': return Kind::kBool;
    case 'n': return Kind::kNull;
    default:
      return s.substr(begin, end - begin).find_first_of(".eE") == std::string_view::npos ? Kind::kInteger
                                                                                         : Kind::kFloat;
  }
}

}  // namespace

CanonicalText::CanonicalText(std::string_view text, const ParseLimits& limits) : text_(text) {
  spans_.reserve(16);  // an event has 13 members, and its objects a few dozen
  nested_spans_.reserve(64);
  nested_.reserve(8);
  proven_ = Prover(text, limits, &nested_spans_, &nested_).Document(&spans_);
  if (!proven_) {
    spans_.clear();
    nested_spans_.clear();
    nested_.clear();
  }
}

View CanonicalText::root() const { return View(this, 0, text_.size()); }

std::optional<std::pair<const MemberSpan*, const MemberSpan*>> CanonicalText::IndexedMembers(size_t begin) const {
  if (begin == 0) return std::make_pair(spans_.data(), spans_.data() + spans_.size());
  for (const NestedObject& o : nested_) {
    if (o.begin == begin) return std::make_pair(nested_spans_.data() + o.first, nested_spans_.data() + o.first + o.count);
  }
  return std::nullopt;
}

std::string_view CanonicalText::Decode(std::string_view escaped) const {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '\\') {
      out.push_back(escaped[i]);
      continue;
    }
    const char e = escaped[++i];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'u':  // \u00xx (the only \u escape a proven text holds)
        out.push_back(static_cast<char>(HexValue(escaped[i + 3]) * 16 + HexValue(escaped[i + 4])));
        i += 4;
        break;
      default: out.push_back(e);  // '"' or '\\'
    }
  }
  std::lock_guard<std::mutex> lock(decoded_mutex_);
  return decoded_.emplace_front(std::move(out));
}

View::View(const CanonicalText* doc, size_t begin, size_t end)
    : doc_(doc),
      begin_(static_cast<uint32_t>(begin)),
      end_(static_cast<uint32_t>(end)),
      kind_(KindAt(doc->text_, begin, end)) {}

std::string_view View::raw() const { return doc_->text_.substr(begin_, end_ - begin_); }

std::string_view View::text() const {
  if (kind_ != Kind::kString) return kind_ == Kind::kInteger || kind_ == Kind::kFloat ? raw() : std::string_view();
  std::string_view body = doc_->text_.substr(begin_ + 1, end_ - begin_ - 2);
  if (body.find('\\') == std::string_view::npos) return body;
  return doc_->Decode(body);
}

std::optional<View> View::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) return std::nullopt;
  if (auto indexed = doc_->IndexedMembers(begin_)) {
    // An object has a dozen members or so: a scan that compares lengths first (string_view's ==)
    // leaves about one memcmp per lookup, where a binary search makes four.
    for (const MemberSpan* it = indexed->first; it != indexed->second; ++it) {
      if (it->key == key) {
        return View(doc_, it->begin + it->key.size() + 3, it->end);  // the value starts past "key":
      }
    }
    return std::nullopt;
  }
  // A deeper object, walked. Keys are sorted and unescaped: stop at the first one not below `key`.
  const std::string_view s = doc_->text_;
  size_t p = begin_ + 1;
  if (s[p] == '}') return std::nullopt;
  while (true) {
    const size_t key_end = SkipString(s, p);
    const std::string_view k = s.substr(p + 1, key_end - p - 2);
    const size_t value_end = SkipValue(s, key_end + 1);
    if (k >= key) return k == key ? std::optional<View>(View(doc_, key_end + 1, value_end)) : std::nullopt;
    if (s[value_end] == '}') return std::nullopt;
    p = value_end + 1;
  }
}

std::optional<std::string_view> View::FindString(std::string_view key) const {
  std::optional<View> v = Find(key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->text();
}

std::vector<View> View::items() const {
  std::vector<View> out;
  if (kind_ != Kind::kArray) return out;
  ForEachElement(doc_->text_.substr(0, end_), begin_, [&](size_t b, size_t e) { out.push_back(View(doc_, b, e)); });
  return out;
}

Value View::ToValue() const {
  auto parsed = Parse(raw());
  return parsed.ok() ? std::move(*parsed) : Value();  // cannot fail: raw() is proven canonical
}

}  // namespace pith::json
