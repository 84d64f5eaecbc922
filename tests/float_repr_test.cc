// The proof's float checks (engine/src/float_repr.h) against the check from the value
// (std::from_chars, then FloatRepr): IsFloatRepr agrees with it on every text; IsShortFloatRepr, from
// the layout alone, accepts only repr and every repr of at most 15 significant digits inside the
// safe range. On texts of every layout and on spellings one edit away from them. And the digit runs
// both read eight bytes at a time (engine/src/digit_run.h), against a byte loop; their values
// against std::stoull. And the shortest-decimal check (engine/src/shortest_decimal.h) against
// std::to_chars.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

#include "digit_run.h"
#include "float_repr.h"
#include "shortest_decimal.h"
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

// The decimal w x 10^q of a scientific text D[.DDD]e[+-]X, or false when its digits end in a 0.
bool DecimalOf(const std::string& scientific, uint64_t* w, int* digits, int* q) {
  const size_t e = scientific.find('e');
  std::string mantissa = scientific.substr(0, e);
  if (mantissa.size() > 1) mantissa.erase(1, 1);  // the point
  if (mantissa.back() == '0' && mantissa.size() > 1) return false;
  *w = std::stoull(mantissa);
  *digits = static_cast<int>(mantissa.size());
  *q = std::stoi(scientific.substr(e + 1)) - (*digits - 1);
  return true;
}

// JudgeShortestDecimal against std::to_chars's shortest digits of the double the decimal rounds to:
// where it decides, it decides as they do. Counts its verdicts.
struct ShortestTally {
  int yes = 0, no = 0, unknown = 0;
};
void CheckShortest(const std::string& scientific, ShortestTally* tally) {
  uint64_t w = 0;
  int digits = 0, q = 0;
  if (!DecimalOf(scientific, &w, &digits, &q) || digits < 2) return;
  double d = 0;
  const auto [end, error] = std::from_chars(scientific.data(), scientific.data() + scientific.size(), d);
  if (error != std::errc() || !std::isfinite(d) || d == 0) return;
  char shortest[40];
  const std::string by_to_chars(shortest, std::to_chars(shortest, shortest + 40, d, std::chars_format::scientific).ptr);
  uint64_t sw = 0;
  int sdigits = 0, sq = 0;
  ASSERT_TRUE(DecimalOf(by_to_chars, &sw, &sdigits, &sq)) << by_to_chars;
  const bool is_shortest = sw == w && sdigits == digits && sq == q;
  switch (JudgeShortestDecimal(w, digits, q, d)) {
    case ShortestVerdict::kYes:
      ++tally->yes;
      ASSERT_TRUE(is_shortest) << scientific << " judged shortest; to_chars: " << by_to_chars;
      break;
    case ShortestVerdict::kNo:
      ++tally->no;
      ASSERT_FALSE(is_shortest) << scientific << " judged not shortest; to_chars: " << by_to_chars;
      break;
    case ShortestVerdict::kUnknown:
      ++tally->unknown;
  }
}

// Doubles of every magnitude; each one's shortest, 16- and 17-digit spellings, and their last
// digits moved by one and two either way.
TEST(shortestDecimal, DecidesAsToCharsDoes) {
  std::mt19937_64 rng(20261207);
  ShortestTally long_reprs, others, out_of_range;
  for (int i = 0; i < 300000 && !HasFatalFailure(); ++i) {
    double d = 0;
    switch (i % 4) {
      case 0: {  // any normal double, its bits at random
        const uint64_t bits = (rng() & ~(uint64_t{1} << 63)) % (uint64_t{0x7fe} << 52) + (uint64_t{1} << 52);
        std::memcpy(&d, &bits, sizeof d);
        break;
      }
      case 1: d = std::uniform_real_distribution<double>(0, 1)(rng); break;
      case 2: d = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 150); break;
      default: d = static_cast<double>(rng() >> 11) * std::pow(10.0, static_cast<int>(rng() % 40) - 36);
    }
    if (!std::isfinite(d) || d == 0) continue;
    char buffer[40];
    const std::string shortest(buffer, std::to_chars(buffer, buffer + 40, d, std::chars_format::scientific).ptr);
    uint64_t w = 0;
    int digits = 0, q = 0;
    if (DecimalOf(shortest, &w, &digits, &q) && digits >= 16 && q >= -27 && q <= 27) {
      CheckShortest(shortest, &long_reprs);
    }
    for (int precision : {15, 16}) {  // 16 and 17 digits, correctly rounded
      const std::string spelled(buffer, std::to_chars(buffer, buffer + 40, d, std::chars_format::scientific, precision).ptr);
      if (!DecimalOf(spelled, &w, &digits, &q)) continue;
      for (int delta : {0, -1, 1, -2, 2}) {
        const uint64_t moved = w + static_cast<uint64_t>(delta);
        if (moved % 10 == 0 || std::to_string(moved).size() != static_cast<size_t>(digits)) continue;
        std::string text = std::to_string(moved);
        text = text.substr(0, 1) + "." + text.substr(1) + "e" + std::to_string(q + digits - 1);
        CheckShortest(text, q >= -27 && q <= 27 ? &others : &out_of_range);
      }
    }
  }
  // Inside its range of exponents the check decides nearly always (it leaves to to_chars the exact
  // ties, which the doubles built as integer x 2^k below 2^53 have); outside it, never.
  EXPECT_GT(long_reprs.yes, 100000);
  EXPECT_LT(long_reprs.unknown * 100, long_reprs.yes) << long_reprs.unknown;
  EXPECT_EQ(long_reprs.no, 0);
  EXPECT_GT(others.no, 300000);
  EXPECT_GT(others.yes, 40000);
  EXPECT_LT(others.unknown * 100, others.no + others.yes) << others.unknown;
  EXPECT_EQ(out_of_range.yes + out_of_range.no, 0);
  EXPECT_GT(out_of_range.unknown, 100000);
}

// DoubleOfDecimal against std::from_chars: random decimals of 1 to 19 digits at every exponent it
// takes, and decimals exactly halfway between two doubles (where ties go to the even one).
TEST(shortestDecimal, DoubleOfDecimalRoundsAsFromChars) {
  std::mt19937_64 rng(5);
  auto check = [](uint64_t w, int q) {
    const std::string text = std::to_string(w) + "e" + std::to_string(q);
    double expected = 0, got = -1;
    std::from_chars(text.data(), text.data() + text.size(), expected);
    ASSERT_TRUE(DoubleOfDecimal(w, q, &got)) << text;
    ASSERT_EQ(std::memcmp(&got, &expected, sizeof got), 0) << text << ": " << got << " against " << expected;
  };
  for (int i = 0; i < 1000000 && !HasFatalFailure(); ++i) {
    const int digits = 1 + static_cast<int>(rng() % 19);
    uint64_t w = rng() % 9 + 1;
    for (int n = 1; n < digits; ++n) w = w * 10 + rng() % 10;
    check(w, static_cast<int>(rng() % 55) - 27);
  }
  for (int i = 0; i < 200000 && !HasFatalFailure(); ++i) {  // (2m + 1) x 2^(k-1): integers, and halves
    const int k = static_cast<int>(rng() % 6);                // k = 0: m + 0.5
    const uint64_t m = (uint64_t{1} << 52) + (rng() >> 12);
    const uint64_t twice = (2 * m + 1) << k;                  // the midpoint times 2
    if (k == 0) {
      check(twice * 5, -1);  // (2m + 1) / 2 = (2m + 1) x 5 x 10^-1
    } else {
      check(twice / 2, 0);
    }
  }
  // Decimals near powers of two, some rounding up into the next binary exponent (the carry).
  check(99999999999999999, -17);  // 1.0
  check(90071992547409915, -1);   // 2^53 - 1/2, a tie: to the even 2^53
  for (int j = -40; j <= 110 && !HasFatalFailure(); ++j) {
    for (int precision = 12; precision <= 18; ++precision) {
      char buffer[40];
      std::string spelled(buffer, std::to_chars(buffer, buffer + 40, std::ldexp(1.0, j), std::chars_format::scientific, precision).ptr);
      const size_t e = spelled.find('e');
      const std::string digits = spelled.substr(0, 1) + spelled.substr(2, e - 2);
      const int q = std::stoi(spelled.substr(e + 1)) - precision;
      if (q >= -27 && q <= 27) {
        check(std::stoull(digits), q);
        check(std::stoull(digits) - 1, q);
        check(std::stoull(digits) + 1, q);
      }
    }
  }
  double d = 7;
  EXPECT_FALSE(DoubleOfDecimal(0, 0, &d));
  EXPECT_FALSE(DoubleOfDecimal(1, 28, &d));
  EXPECT_FALSE(DoubleOfDecimal(1, -28, &d));
  EXPECT_EQ(d, 7);
}

// Where the check must stand aside: lopsided intervals, subnormals, exponents out of its range.
TEST(shortestDecimal, UnknownWhereItCannotTell) {
  EXPECT_EQ(JudgeShortestDecimal(12345678901234567, 17, -100, 1.2345678901234567e-84), ShortestVerdict::kUnknown);
  EXPECT_EQ(JudgeShortestDecimal(12345678901234567, 17, 28, 1.2345678901234567e44), ShortestVerdict::kUnknown);
  EXPECT_EQ(JudgeShortestDecimal(1152921504606847, 16, 3, 0x1p60), ShortestVerdict::kUnknown);  // 2^60, lopsided
  EXPECT_EQ(JudgeShortestDecimal(2225073858507201, 16, -323, 2.225073858507201e-308), ShortestVerdict::kUnknown);
  EXPECT_EQ(JudgeShortestDecimal(5, 1, 0, 5.0), ShortestVerdict::kUnknown);
  // A last digit 0 (which no repr layout has) would make the decimal its own shorter neighbour.
  EXPECT_EQ(JudgeShortestDecimal(12345678901234560, 17, -16, 1.234567890123456), ShortestVerdict::kUnknown);
  // A double the decimal does not round to (outside the contract) gets no kYes, and the far shifts
  // this takes stay defined (the sanitizers' run of this test would say).
  EXPECT_NE(JudgeShortestDecimal(12345678901234567, 17, 26, 1e-300), ShortestVerdict::kYes);
  EXPECT_NE(JudgeShortestDecimal(12345678901234567, 17, -27, 1e300), ShortestVerdict::kYes);
  EXPECT_EQ(JudgeShortestDecimal(12345678901234567, 17, -16, 1.2345678901234569), ShortestVerdict::kNo);
  // And decides the plain cases both ways.
  EXPECT_EQ(JudgeShortestDecimal(30000000000000004, 17, -17, 0.30000000000000004), ShortestVerdict::kYes);
  EXPECT_EQ(JudgeShortestDecimal(30000000000000001, 17, -17, 0.3), ShortestVerdict::kNo);  // 0.3 is shorter
  EXPECT_EQ(JudgeShortestDecimal(30000000000000005, 17, -17, 0.30000000000000004), ShortestVerdict::kNo);  // ...04 is nearer
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

// The value of digit runs of every length up to 19, read eight at a time, against std::stoull.
TEST(digitRun, ValueAsStoullSays) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200000; ++round) {
    std::string digits(static_cast<size_t>(rng() % 20), '0');
    for (char& c : digits) c = static_cast<char>('0' + rng() % 10);
    const uint64_t expected = digits.empty() ? 0 : std::stoull(digits);
    ASSERT_EQ(AppendDigits(0, digits), expected) << digits;
    const size_t split = digits.empty() ? 0 : static_cast<size_t>(rng() % (digits.size() + 1));
    ASSERT_EQ(AppendDigits(AppendDigits(0, digits.substr(0, split)), digits.substr(split)), expected) << digits;
  }
  EXPECT_EQ(EightDigitsValue("99999999"), 99999999u);
  EXPECT_EQ(EightDigitsValue("10000000"), 10000000u);
  EXPECT_EQ(EightDigitsValue("00000001"), 1u);
}

}  // namespace
}  // namespace pith::json::internal
