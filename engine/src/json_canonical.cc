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

std::string FloatRepr(double d) {
  if (d == 0.0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, as in Python's repr (both pick the nearest shortest string).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));  // e.g. "-1.2345e+16"
  bool negative = false;
  if (!sci.empty() && sci.front() == '-') {
    negative = true;
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e_pos + 1);
  std::from_chars(exp_text.data() + (exp_text.front() == '+' ? 1 : 0), exp_text.data() + exp_text.size(),
                  exponent);
  // Python: value = 0.DIGITS * 10^decpt; exponent form when decpt <= -4 or decpt > 16.
  const int decpt = exponent + 1;
  const int ndigits = static_cast<int>(digits.size());
  std::string out;
  if (negative) out.push_back('-');
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (ndigits > 1) {
      out.push_back('.');
      out.append(digits, 1, std::string::npos);
    }
    out.push_back('e');
    int e = decpt - 1;
    out.push_back(e < 0 ? '-' : '+');
    int mag = e < 0 ? -e : e;
    if (mag < 10) out.push_back('0');
    out.append(std::to_string(mag));
  } else if (decpt <= 0) {
    out.append("0.");
    out.append(static_cast<size_t>(-decpt), '0');
    out.append(digits);
  } else if (decpt >= ndigits) {
    out.append(digits);
    out.append(static_cast<size_t>(decpt - ndigits), '0');
    out.append(".0");
  } else {
    out.append(digits, 0, static_cast<size_t>(decpt));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(decpt), std::string::npos);
  }
  return out;
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
