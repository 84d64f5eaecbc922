// The canonical writer: CPython's json.dumps(sort_keys=True, separators=(',', ':'),
// ensure_ascii=False). Floats are written by FloatRepr (float_repr.cc).
#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "pith/json.h"

namespace pith::json {
namespace {

// Writes canonical text at the end of a std::string through a raw pointer: the string is grown
// ahead and trimmed to what was written when the writer is done, so the hot path is a bounds check
// and a copy rather than a push_back call per byte. It grows by what this writer has written so far
// (at least 256 bytes), so the zero-filling of resize costs at most about twice the writer's own
// output, however large the string it appends to (the state builder appends many short strings to
// one large state).
class CanonWriter {
 public:
  explicit CanonWriter(std::string* out) : out_(out), start_(out->size()), size_(out->size()) {}
  ~CanonWriter() { out_->resize(size_); }
  CanonWriter(const CanonWriter&) = delete;
  CanonWriter& operator=(const CanonWriter&) = delete;

  size_t size() const { return size_; }

  void Byte(char c) { *Room(1) = c, ++size_; }
  void Bytes(std::string_view s) {
    std::memcpy(Room(s.size()), s.data(), s.size());
    size_ += s.size();
  }

  void Escaped(std::string_view s);
  void Value(const json::Value& value);
  void Object(const json::Value& object, std::vector<MemberSpan>* spans);

 private:
  // At least n writable bytes at the end; returns where they start.
  char* Room(size_t n) {
    if (out_->size() - size_ < n) out_->resize(size_ + std::max({n, size_t{256}, size_ - start_}));
    return out_->data() + size_;
  }

  std::string* out_;
  size_t start_;  // the string's size when the writer began
  size_t size_;  // bytes written so far (the string itself is longer until the writer is done)
};

// How many bytes from the start of `s` need no escape (none below 0x20, '"' or '\\').
size_t PlainPrefix(std::string_view s) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), last_control = _mm_set1_epi8(0x1F);
  for (; i + 16 <= s.size(); i += 16) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    // Unsigned w <= 0x1F exactly when max(w, 0x1F) == 0x1F.
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(w, last_control), last_control);
    const __m128i special = _mm_or_si128(control, _mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  for (; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') break;
  }
  return i;
}

void CanonWriter::Escaped(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  Byte('"');
  while (true) {
    const size_t plain = PlainPrefix(s);
    Bytes(s.substr(0, plain));
    if (plain == s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[plain]);
    s.remove_prefix(plain + 1);
    switch (c) {
      case '"': Bytes("\\\""); break;
      case '\\': Bytes("\\\\"); break;
      case '\n': Bytes("\\n"); break;
      case '\r': Bytes("\\r"); break;
      case '\t': Bytes("\\t"); break;
      case '\b': Bytes("\\b"); break;
      case '\f': Bytes("\\f"); break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        Bytes(std::string_view(esc, 6));
      }
    }
  }
  Byte('"');
}

void CanonWriter::Value(const json::Value& value) {
  switch (value.kind()) {
    case Kind::kNull: Bytes("null"); return;
    case Kind::kBool: Bytes(value.as_bool() ? "true" : "false"); return;
    case Kind::kInteger:
    case Kind::kFloat: Bytes(value.text()); return;
    case Kind::kString: Escaped(value.text()); return;
    case Kind::kArray: {
      Byte('[');
      bool first = true;
      for (const json::Value& item : value.items()) {
        if (!first) Byte(',');
        first = false;
        Value(item);
      }
      Byte(']');
      return;
    }
    case Kind::kObject: Object(value, nullptr); return;
  }
}

void CanonWriter::Object(const json::Value& object, std::vector<MemberSpan>* spans) {
  Byte('{');
  bool first = true;
  for (const auto& [key, member] : object.members()) {
    if (!first) Byte(',');
    first = false;
    const size_t begin = size_;
    Escaped(key);
    Byte(':');
    Value(member);
    if (spans != nullptr) spans->push_back({key, begin, size_});
  }
  Byte('}');
}

}  // namespace

void AppendCanonical(const Value& value, std::string* out) { CanonWriter(out).Value(value); }

void AppendCanonicalString(std::string_view s, std::string* out) { CanonWriter(out).Escaped(s); }

void AppendCanonicalObject(const Value& object, std::string* out, std::vector<MemberSpan>* spans) {
  spans->clear();
  CanonWriter(out).Object(object, spans);
}

std::string Canonical(const Value& value) {
  std::string out;
  AppendCanonical(value, &out);
  return out;
}

}  // namespace pith::json
