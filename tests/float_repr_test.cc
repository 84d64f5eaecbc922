// The proof's float checks (engine/src/float_repr.h) against the check from the value
// (std::from_chars, then FloatRepr): IsFloatRepr agrees with it on every text; IsShortFloatRepr, from
// the layout alone, accepts only repr and every repr of at most 15 significant digits inside the
// safe range. On texts of every layout and on spellings one edit away from them. And the digit runs
// both read eight bytes at a time (engine/src/digit_run.h), against a byte loop.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <random>
#include <string>

#include "digit_run.h"
#include "float_repr.h"
#include "pith/json.h"

namespace pith::json::internal {
namespace {

// repr(float(text)) == text, computed from the double.
bool IsReprByValue(const std::string& text) {
  double d = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(d)) return false;
  return FloatRepr(d) == text;
}

// Significant digits of a text in repr's layout, and its decimal exponent (value = 0.D x 10^decpt).
void DigitsOf(const std::string& text, int* digits, int* decpt) {
  std::string mantissa = text.substr(text[0] == '-', text.find('e') - (text[0] == '-'));
  const int exponent = text.find('e') == std::string::npos ? 0 : std::stoi(text.substr(text.find('e') + 1));
  const size_t point = mantissa.find('.');
  int integer_digits = static_cast<int>(point == std::string::npos ? mantissa.size() : point);
  if (point != std::string::npos) mantissa.erase(point, 1);
  const size_t first = mantissa.find_first_not_of('0'), last = mantissa.find_last_not_of('0');
  *digits = first == std::string::npos ? 0 : static_cast<int>(last - first + 1);
  *decpt = integer_digits - static_cast<int>(first) + exponent;
}

TEST(floatRepr, Examples) {
  for (const char* repr : {"0.1", "1.5", "-2.25", "100.0", "1e-05", "1.5e+16", "1e+16", "0.0001", "123456789012345.0",
                           "0.123456789012345", "1.5e-299", "9.99e+299", "-0.001", "6.02214076e+23", "1e+100",
                           "1000000000000000.0", "1.23456789012345e-05"}) {
    EXPECT_TRUE(IsShortFloatRepr(repr)) << repr;
    EXPECT_TRUE(IsReprByValue(repr)) << repr;
  }
  // Not repr, or not known without the value: zero, 16 or 17 digits, the ends of the range.
  for (const char* other : {"1e-5", "1E-05", "1e16", "1.50", "01.5", "1.", ".5", "1e+016", "10000000000000000.0",
                            "0.00001", "1.0e+16", "1.5e16", "-01.0", "1e+05", "100000.0e0", "1.5E+16", "0.0", "-0.0",
                            "0.30000000000000004", "1234567890123456.0", "1e-310", "1e+305", "5e-324",
                            "1.7976931348623157e+308", "+1.5", "1.5e", "1e+", "", "-", "1.5x", "1e+1234", "0.0e+00",
                            "00.5", "0.50", "1.5e+00", "1e-00", "10.0e+20", "12e+20", "-1e+099"}) {
    EXPECT_FALSE(IsShortFloatRepr(other)) << other;
    EXPECT_EQ(IsFloatRepr(other), IsReprByValue(other)) << other;
  }
  // What only the value tells: repr, and not.
  for (const char* repr : {"0.0", "-0.0", "0.30000000000000004", "1234567890123456.0", "1e-310", "1e+305", "5e-324",
                           "-1.7976931348623157e+308", "1.2345678901234568e-300", "0.1234567890123456"}) {
    EXPECT_TRUE(IsFloatRepr(repr)) << repr;
    EXPECT_TRUE(IsReprByValue(repr)) << repr;
  }
  for (const char* other : {"0.30000000000000005", "0.300000000000000044", "1e-400", "1e+400", "1.23456789012345678",
                            "-0.00", "0.00", "0e+00", "2.4703282292062328e-324", "9007199254740993.0", "1.2345678901234567e-300"}) {
    EXPECT_FALSE(IsFloatRepr(other)) << other;
    EXPECT_FALSE(IsReprByValue(other)) << other;
  }
}

// Texts of random digits laid out every way a float can be written, and each with one edit.
TEST(floatRepr, AgreesWithTheValueCheck) {
  std::mt19937_64 rng(20261207);
  auto pick = [&rng](int lo, int hi) { return static_cast<int>(std::uniform_int_distribution<int>(lo, hi)(rng)); };
  int accepted = 0, left_to_value = 0;
  auto check = [&](const std::string& text) {
    const bool by_value = IsReprByValue(text);
    ASSERT_EQ(IsFloatRepr(text), by_value) << "'" << text << "'";
    const std::string within = "{\"key\":" + text;  // digits read eight at a time from before the text
    ASSERT_EQ(IsFloatRepr(std::string_view(within).substr(7), within.data()), by_value) << "'" << text << "'";
    if (IsShortFloatRepr(text)) {
      ++accepted;
      ASSERT_TRUE(by_value) << "'" << text << "' is not repr";
      return;
    }
    if (!by_value) return;
    int digits = 0, decpt = 0;
    DigitsOf(text, &digits, &decpt);
    // Short, and inside the safe range: the layout check must have known.
    ASSERT_FALSE(digits >= 1 && digits <= 15 && decpt >= -298 && decpt <= 300) << "'" << text << "' is repr";
    ++left_to_value;
  };
  const std::string alphabet = "0123456789.eE+-";
  for (int i = 0; i < 200000 && !HasFatalFailure(); ++i) {
    std::string digits;
    for (int n = pick(1, 17); n > 0; --n) digits.push_back(static_cast<char>('0' + pick(0, 9)));
    std::string text = pick(0, 1) ? "-" : "";
    switch (pick(0, 3)) {
      case 0: {  // the repr of a value with these digits and an exponent anywhere in the range
        double d = 0;
        const std::string scientific = digits + "e" + std::to_string(pick(-330, 330));
        std::from_chars(scientific.data(), scientific.data() + scientific.size(), d);
        if (!std::isfinite(d)) continue;
        text += FloatRepr(d);
        if (text.rfind("--", 0) == 0) text.erase(0, 1);
        break;
      }
      case 1: {  // digits with a point somewhere
        const int point = pick(0, static_cast<int>(digits.size()));
        text += (point == 0 ? "0" : digits.substr(0, point)) + "." +
                (point == static_cast<int>(digits.size()) ? "0" : digits.substr(point));
        break;
      }
      case 2: {  // one digit, maybe a fraction, an exponent in any spelling
        text += digits.substr(0, 1);
        if (digits.size() > 1) text += "." + digits.substr(1);
        text += pick(0, 3) ? "e" : "E";
        const int sign = pick(0, 2);
        text += sign == 0 ? "-" : sign == 1 ? "+" : "";
        const int exponent = pick(0, 330);
        text += (pick(0, 3) == 0 && exponent < 10 ? "" : exponent < 10 ? "0" : "") + std::to_string(exponent);
        break;
      }
      default:  // anything made of a float's characters
        text.clear();
        for (int n = pick(1, 24); n > 0; --n) text.push_back(alphabet[static_cast<size_t>(pick(0, 14))]);
    }
    check(text);
    // One edit: a character dropped, doubled or replaced.
    std::string edited = text;
    const size_t at = static_cast<size_t>(pick(0, static_cast<int>(text.size()) - 1));
    switch (pick(0, 2)) {
      case 0: edited.erase(at, 1); break;
      case 1: edited.insert(at, 1, edited[at]); break;
      default: edited[at] = alphabet[static_cast<size_t>(pick(0, 14))];
    }
    check(edited);
  }
  // Both ways often enough for the comparison to mean much.
  EXPECT_GT(accepted, 50000);
  EXPECT_GT(left_to_value, 15000);
}

// Every start and end in buffers of digits mixed with every other byte value (the bytes just below
// '0' and above '9', and 0xFA..0xFF, whose carry a word-wide add spreads).
TEST(digitRun, EndsWhereAByteLoopSays) {
  std::mt19937_64 rng(7);
  const std::string others = std::string("/:") + '\0' + "\xfa\xfb\xff\x80 -.eE";
  for (int round = 0; round < 3000; ++round) {
    std::string buffer(static_cast<size_t>(rng() % 40), '0');
    for (char& c : buffer) c = rng() % 4 == 0 ? others[rng() % others.size()] : static_cast<char>('0' + rng() % 10);
    for (size_t begin = 0; begin <= buffer.size(); ++begin) {
      for (size_t end = begin; end <= buffer.size(); ++end) {
        size_t expected = begin;
        while (expected < end && buffer[expected] >= '0' && buffer[expected] <= '9') ++expected;
        const char* found = SkipDigits(buffer.data() + begin, buffer.data() + end, buffer.data());
        ASSERT_EQ(static_cast<size_t>(found - buffer.data()), expected) << begin << " " << end;
      }
    }
  }
}

}  // namespace
}  // namespace pith::json::internal
