// The canonical writer: CPython's json.dumps(sort_keys=True, separators=(',', ':'),
// ensure_ascii=False), and Python's float repr.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "pith/json.h"

namespace pith::json {
namespace {

// True when one of the 8 bytes of `w` needs an escape: below 0x20, '"' or '\\' (SWAR; exact).
inline bool WordNeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  const bool below_space = ((w - kOnes * 0x20) & ~w & kHigh) != 0;
  return below_space || has_zero(w ^ (kOnes * '"')) || has_zero(w ^ (kOnes * '\\'));
}

void AppendEscapedString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run_start = 0;
  size_t i = 0;
  while (i < s.size()) {
    // Most bytes need no escape: skip them 8 at a time.
    if (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!WordNeedsEscape(w)) {
        i += 8;
        continue;
      }
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out->append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    ++i;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + run_start, s.size() - run_start);
  out->push_back('"');
}

}  // namespace

size_t FloatRepr(double d, char (&out)[kFloatReprMax]) {
  char* o = out;
  if (d == 0.0) {
    const char* zero = std::signbit(d) ? "-0.0" : "0.0";
    const size_t n = std::strlen(zero);
    std::memcpy(out, zero, n);
    return n;
  }
  // Shortest round-trip digits, as in Python's repr (both pick the nearest shortest string).
  char sci[40];
  auto res = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);  // "-1.2345e+16"
  const char* p = sci;
  const char* const sci_end = res.ptr;
  if (*p == '-') {
    *o++ = '-';
    ++p;
  }
  char digits[20];  // at most 17 significant digits
  int ndigits = 0;
  for (; p < sci_end && *p != 'e'; ++p) {
    if (*p != '.') digits[ndigits++] = *p;
  }
  int exponent = 0;
  ++p;  // 'e'
  std::from_chars(p + (*p == '+' ? 1 : 0), sci_end, exponent);
  // Python: value = 0.DIGITS * 10^decpt; exponent form when decpt <= -4 or decpt > 16.
  const int decpt = exponent + 1;
  auto put = [&o](const char* from, int n) {
    std::memcpy(o, from, static_cast<size_t>(n));
    o += n;
  };
  if (decpt <= -4 || decpt > 16) {
    *o++ = digits[0];
    if (ndigits > 1) {
      *o++ = '.';
      put(digits + 1, ndigits - 1);
    }
    *o++ = 'e';
    const int e = decpt - 1;
    *o++ = e < 0 ? '-' : '+';
    const int mag = e < 0 ? -e : e;
    if (mag < 10) *o++ = '0';
    o = std::to_chars(o, out + kFloatReprMax, mag).ptr;
  } else if (decpt <= 0) {
    put("0.", 2);
    std::memset(o, '0', static_cast<size_t>(-decpt));
    o += -decpt;
    put(digits, ndigits);
  } else if (decpt >= ndigits) {
    put(digits, ndigits);
    std::memset(o, '0', static_cast<size_t>(decpt - ndigits));
    o += decpt - ndigits;
    put(".0", 2);
  } else {
    put(digits, decpt);
    *o++ = '.';
    put(digits + decpt, ndigits - decpt);
  }
  return static_cast<size_t>(o - out);
}

std::string FloatRepr(double d) {
  char buf[kFloatReprMax];
  return std::string(buf, FloatRepr(d, buf));
}

void AppendCanonical(const Value& value, std::string* out) {
  switch (value.kind()) {
    case Kind::kNull: out->append("null"); return;
    case Kind::kBool: out->append(value.as_bool() ? "true" : "false"); return;
    case Kind::kInteger:
    case Kind::kFloat: out->append(value.text()); return;
    case Kind::kString: AppendEscapedString(value.text(), out); return;
    case Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : value.items()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(item, out);
      }
      out->push_back(']');
      return;
    }
    case Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, member] : value.members()) {
        if (!first) out->push_back(',');
        first = false;
        AppendEscapedString(key, out);
        out->push_back(':');
        AppendCanonical(member, out);
      }
      out->push_back('}');
      return;
    }
  }
}

void AppendCanonicalString(std::string_view s, std::string* out) { AppendEscapedString(s, out); }

void AppendCanonicalObject(const Value& object, std::string* out, std::vector<MemberSpan>* spans) {
  spans->clear();
  out->push_back('{');
  for (const auto& [key, member] : object.members()) {
    if (!spans->empty()) out->push_back(',');
    MemberSpan span{key, out->size(), 0};
    AppendEscapedString(key, out);
    out->push_back(':');
    AppendCanonical(member, out);
    span.end = out->size();
    spans->push_back(span);
  }
  out->push_back('}');
}

std::string Canonical(const Value& value) {
  std::string out;
  AppendCanonical(value, &out);
  return out;
}

}  // namespace pith::json
