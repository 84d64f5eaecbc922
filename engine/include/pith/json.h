// The JSON value model of the Pith format, its strict parser and its canonical writer.
//
// canon(x) is byte-identical to CPython's
//   json.dumps(x, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
// for every document both accept. The parser refuses what would make one text mean two
// documents or crash a reader: invalid UTF-8, lone surrogates, NaN/Infinity, numbers that
// overflow a double, duplicate keys, nesting past a limit, trailing bytes. See specs/canonical-json.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pith/status.h"

namespace pith::json {

enum class Kind : uint8_t { kNull, kBool, kInteger, kFloat, kString, kArray, kObject };

// is_null() ... is_object() from kind(), shared by Value and json::View (pith/json_view.h).
template <typename Derived>
class KindQueries {
 public:
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_integer() const { return kind() == Kind::kInteger; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_number() const { return is_integer() || is_float(); }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }

 private:
  Kind kind() const { return static_cast<const Derived&>(*this).kind(); }
};

// An immutable-by-convention JSON value. Objects keep their members sorted by key in
// code-point order (which is UTF-8 byte order), with unique keys. Numbers keep their
// canonical text: integers exactly as written (any size, "-0" becomes "0"), floats as
// Python's repr of the nearest double.
class Value : public KindQueries<Value> {
 public:
  using Member = std::pair<std::string, Value>;

  Value() = default;  // null

  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Integer(int64_t i);
  static Value Float(double d);  // d must be finite
  static Value String(std::string s);
  static Value Array(std::vector<Value> items);
  // Sorts the members by key. Keys must be unique and valid UTF-8 (a programming error otherwise).
  static Value Object(std::vector<Member> members);
  // For the parser: a number whose canonical text is already computed.
  static Value NumberText(Kind kind, std::string canonical_text);

  Kind kind() const { return kind_; }

  bool as_bool() const { return bool_; }
  // The string's bytes (kString) or a number's canonical text (kInteger, kFloat).
  const std::string& text() const { return text_; }
  // The integer if it fits in int64_t.
  bool as_int64(int64_t* out) const;
  const std::vector<Value>& items() const { return items_; }
  const std::vector<Member>& members() const { return members_; }

  // The member named `key` of an object, or nullptr (also for non-objects). O(log n).
  const Value* Find(std::string_view key) const;
  // Convenience: the member's string, or nullptr when absent or not a string.
  const std::string* FindString(std::string_view key) const;

  // A copy of this object without the named member (this must be an object).
  Value Without(std::string_view key) const;
  Value Without(std::initializer_list<std::string_view> keys) const;

  friend bool operator==(const Value& a, const Value& b);

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<Value> items_;
  std::vector<Member> members_;
};

// Documented limits of the parser; each refusal names the limit it hit.
struct ParseLimits {
  size_t max_document_bytes = 64u << 20;  // 64 MiB
  size_t max_depth = 128;                 // arrays and objects nested
  size_t max_string_bytes = 8u << 20;     // one decoded string or key
  size_t max_integer_digits = 4300;       // CPython's own int-from-str limit
  size_t max_number_chars = 4300;         // one float token (integers: max_integer_digits)
};

// Where a parse failed: 1-based line and column (column in bytes) and byte offset.
struct ParseError {
  size_t offset = 0;
  size_t line = 1;
  size_t column = 1;
  std::string what;
};

// Parses exactly one JSON document. On failure returns kInvalidInput whose message is
// "LINE:COL: what"; if `error` is given it also receives the parts.
Result<Value> Parse(std::string_view text, const ParseLimits& limits = {}, ParseError* error = nullptr);

// The value of the string member `key` at the top level of the object `text`, read with the same
// SAX reader as Parse but building nothing: a pre-filter, faster than Parse, and looser. nullopt
// when the reader refuses `text` (not one object; nested deeper than ParseLimits' max_depth;
// numbers RapidJSON cannot hold in a double, which Parse accepts), when `key` names no string
// member, or names two strings. Unlike Parse it stops at a NUL byte, does not judge the strings'
// UTF-8, and does not see a second `key` whose value is not a string: what it finds must still
// be confirmed by Parse.
std::optional<std::string> FindTopLevelString(std::string_view text, std::string_view key);

// Appends canon(value) to *out.
void AppendCanonical(const Value& value, std::string* out);
std::string Canonical(const Value& value);
// Where one member of an object lies in its canonical text: [begin, end) covers `"key":value`.
struct MemberSpan {
  std::string_view key;  // views the object's own key
  size_t begin = 0;
  size_t end = 0;
};
// Appends canon(object) to *out (offsets in *spans are into *out), one span per member in key
// order. `object` must be an object and outlive the spans' keys.
void AppendCanonicalObject(const Value& object, std::string* out, std::vector<MemberSpan>* spans);
// Appends one string (or key) in canonical form, quotes included.
void AppendCanonicalString(std::string_view s, std::string* out);

// Python's repr() of a finite double, as json.dumps writes it ("1e-07", "100.0", "-0.0").
std::string FloatRepr(double d);
// The same into a buffer (no allocation); returns its length.
inline constexpr size_t kFloatReprMax = 32;  // "-1.2345678901234567e-308" is 24
size_t FloatRepr(double d, char (&out)[kFloatReprMax]);

// True when `s` is well-formed UTF-8 with no surrogate code points and no overlong forms.
bool IsValidUtf8(std::string_view s);

}  // namespace pith::json
