// Python's float repr: written from a double (FloatRepr), or recognised in a text by its layout.
#include "float_repr.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "digit_run.h"
#include "shortest_decimal.h"
#include "pith/json.h"

namespace pith::json {
namespace internal {
namespace {

constexpr int kMaxShortDigits = 15;  // DBL_DIG
constexpr int kMaxReprDigits = 17;   // repr of a double never needs more
constexpr int kMaxFixedDecpt = 16;   // repr writes a value of 10^16 or more with an exponent
constexpr int kMinFixedDecpt = -3;   // and one below 10^-4
// Exponents kept well inside the normal doubles (2.2e-308 to 1.8e308), where DBL_DIG holds.
constexpr int kMaxSafeExponent = 299;

// At most kMaxShortDigits digits and an exponent inside the safe range: the digits are repr's own.
bool IsShortLayout(const ReprLayout& layout) {
  return layout.head.size() + layout.tail.size() <= kMaxShortDigits && layout.decpt - 1 >= -kMaxSafeExponent &&
         layout.decpt - 1 <= kMaxSafeExponent;
}

// A double's shortest round-trip digits, as Python's repr picks them (the nearest shortest string),
// read back from std::to_chars's scientific form: value = (-)0.DIGITS x 10^decpt.
struct ShortestDigits {
  bool negative = false;
  char digits[kMaxReprDigits];
  size_t ndigits = 0;
  int decpt = 0;
};
ShortestDigits ShortestDigitsOf(double d) {
  char scientific[40];  // "-1.2345678901234567e-308"
  const char* const end = std::to_chars(scientific, scientific + sizeof scientific, d,
                                        std::chars_format::scientific).ptr;
  ShortestDigits s;
  s.negative = scientific[0] == '-';
  const char* const lead = scientific + (s.negative ? 1 : 0);  // D[.DIGITS]e(+|-)XX[X]
  const char* const e = end[-4] == 'e' ? end - 4 : end - 5;
  s.ndigits = e - lead == 1 ? 1 : static_cast<size_t>(e - lead - 1);
  s.digits[0] = *lead;
  std::memcpy(s.digits + 1, lead + 2, s.ndigits - 1);
  int exponent = 0;
  std::from_chars(e + (e[1] == '+' ? 2 : 1), end, exponent);
  s.decpt = exponent + 1;
  return s;
}

// Writes repr's text for the value 0.DIGITS x 10^decpt (negative if `negative`), where `digits`
// are repr's shortest significant digits. Returns the length written.
size_t WriteFloatRepr(bool negative, std::string_view digits, int decpt, char* out) {
  char* o = out;
  if (negative) *o++ = '-';
  const int ndigits = static_cast<int>(digits.size());
  auto put = [&o](const char* from, int n) {
    std::memcpy(o, from, static_cast<size_t>(n));
    o += n;
  };
  // Python: exponent form when decpt <= -4 or decpt > 16.
  if (decpt <= -4 || decpt > 16) {
    *o++ = digits[0];
    if (ndigits > 1) {
      *o++ = '.';
      put(digits.data() + 1, ndigits - 1);
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
    put(digits.data(), ndigits);
  } else if (decpt >= ndigits) {
    put(digits.data(), ndigits);
    std::memset(o, '0', static_cast<size_t>(decpt - ndigits));
    o += decpt - ndigits;
    put(".0", 2);
  } else {
    put(digits.data(), decpt);
    *o++ = '.';
    put(digits.data() + decpt, ndigits - decpt);
  }
  return static_cast<size_t>(o - out);
}

}  // namespace

bool ParseReprLayout(std::string_view text, ReprLayout* layout, const char* readable_from) {
  if (readable_from == nullptr) readable_from = text.data();
  const char* p = text.data();
  const char* const end = p + text.size();
  *layout = {};
  layout->negative = p != end && *p == '-';
  if (layout->negative) ++p;
  if (end - p < 3 || !IsDigit(*p)) return false;
  if (*p == '0') {  // 0.000DIGITS: decpt from 0 down to kMinFixedDecpt
    if (p[1] != '.') return false;
    p += 2;
    const char* const zeros = p;
    while (p != end && *p == '0') ++p;
    if (p - zeros > -kMinFixedDecpt) return false;
    const char* const digits = p;
    p = SkipDigits(p, end, readable_from);
    if (p != end || digits == end || p[-1] == '0' || p - digits > kMaxReprDigits) return false;
    *layout = {layout->negative, std::string_view(digits, static_cast<size_t>(p - digits)), {},
               -static_cast<int>(digits - zeros)};
    return true;
  }
  const char* const integer = p;  // starts with 1-9
  p = SkipDigits(p, end, readable_from);
  const long integer_digits = p - integer;
  const char* fraction = p;
  long fraction_digits = 0;
  if (p != end && *p == '.') {
    fraction = ++p;
    p = SkipDigits(p, end, readable_from);
    fraction_digits = p - fraction;
    if (fraction_digits == 0) return false;
  }
  if (p == end) {  // INTEGER.FRACTION, decpt = integer_digits from 1 to kMaxFixedDecpt
    if (fraction_digits == 0 || integer_digits > kMaxFixedDecpt) return false;
    layout->decpt = static_cast<int>(integer_digits);
    if (fraction_digits == 1 && *fraction == '0') {  // INTEGER.0: the digits are INTEGER's up to its trailing zeros
      const char* last = fraction - 2;
      while (*last == '0') --last;
      layout->head = std::string_view(integer, static_cast<size_t>(last - integer + 1));
      return true;  // at most kMaxFixedDecpt digits
    }
    if (p[-1] == '0' || integer_digits + fraction_digits > kMaxReprDigits) return false;
    layout->head = std::string_view(integer, static_cast<size_t>(integer_digits));
    layout->tail = std::string_view(fraction, static_cast<size_t>(fraction_digits));
    return true;
  }
  // D[.FRACTION]e(+|-)XX: one digit before the point, no trailing zero, the exponent's sign always
  // and at least two digits, a leading zero only to make two.
  if (integer_digits != 1 || *p != 'e' || (fraction_digits != 0 && p[-1] == '0')) return false;
  if (1 + fraction_digits > kMaxReprDigits || end - p < 4 || (p[1] != '+' && p[1] != '-')) return false;
  const bool negative_exponent = p[1] == '-';
  p += 2;
  const char* const exponent_digits = p;
  int exponent = 0;
  for (; p != end && IsDigit(*p) && p - exponent_digits < 3; ++p) exponent = exponent * 10 + (*p - '0');
  const long count = p - exponent_digits;
  if (p != end || count < 2 || (count == 3 && *exponent_digits == '0')) return false;
  if (negative_exponent) exponent = -exponent;
  // decpt = exponent + 1 must be outside [kMinFixedDecpt, kMaxFixedDecpt].
  if (exponent + 1 >= kMinFixedDecpt && exponent + 1 <= kMaxFixedDecpt) return false;
  layout->head = std::string_view(integer, 1);
  layout->tail = std::string_view(fraction, static_cast<size_t>(fraction_digits));
  layout->decpt = exponent + 1;
  return true;
}

bool IsShortFloatRepr(std::string_view text) {
  ReprLayout layout;
  return ParseReprLayout(text, &layout) && IsShortLayout(layout);
}

bool IsFloatRepr(std::string_view text, const char* readable_from) {
  if (text.size() <= 4 && (text == "0.0" || text == "-0.0")) return true;
  ReprLayout layout;
  if (!ParseReprLayout(text, &layout, readable_from)) return false;
  if (IsShortLayout(layout)) return true;
  // 16 or 17 digits, or near the ends of the range: repr's digits and exponent from the value.
  const size_t ndigits = layout.head.size() + layout.tail.size();
  const uint64_t w = AppendDigits(AppendDigits(0, layout.head), layout.tail);
  const int q = layout.decpt - static_cast<int>(ndigits);  // the text's value is (-)w x 10^q
  double d = 0;
  if (DoubleOfDecimal(w, q, &d)) {  // |q| <= 27, the range JudgeShortestDecimal also covers
    switch (JudgeShortestDecimal(w, static_cast<int>(ndigits), q, d)) {
      case ShortestVerdict::kYes: return true;  // the digits are repr's, and so is the layout
      case ShortestVerdict::kNo: return false;
      case ShortestVerdict::kUnknown: break;
    }
  } else {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), d);  // correctly rounded, no locale
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(d)) return false;
  }
  // repr of the text's value is laid out from the text's sign, the shortest digits of d and their
  // exponent; d lies within half an ulp of the text's value, so the two are the same text exactly
  // when the digits are the same (neither starts with 0, so the same value is the same digits).
  const ShortestDigits shortest = ShortestDigitsOf(d);
  return AppendDigits(0, std::string_view(shortest.digits, shortest.ndigits)) == w;
}

}  // namespace internal

size_t FloatRepr(double d, char (&out)[kFloatReprMax]) {
  if (d == 0.0) {
    const char* zero = std::signbit(d) ? "-0.0" : "0.0";
    const size_t n = std::strlen(zero);
    std::memcpy(out, zero, n);
    return n;
  }
  const internal::ShortestDigits s = internal::ShortestDigitsOf(d);
  return internal::WriteFloatRepr(s.negative, std::string_view(s.digits, s.ndigits), s.decpt, out);
}

std::string FloatRepr(double d) {
  char buf[kFloatReprMax];
  return std::string(buf, FloatRepr(d, buf));
}

}  // namespace pith::json
