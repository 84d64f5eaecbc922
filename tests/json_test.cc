// Hand-written edge cases of the strict JSON parser, the canonical writer and FloatRepr: every
// float example of specs/canonical-json.md, integer edge cases, every refusal (with its message
// and LINE:COL), code-point key order, escapes, and a round-trip property on generated values.
// The bulk comparison against CPython is tests/canon/differential_test.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <random>
#include <regex>
#include <set>
#include <string>

#include "pith/json.h"
#include "support/value_maker.h"

namespace pith::json {
namespace {

// canon(parse(text)); fails the test when the parse fails.
std::string Canon(std::string_view text) {
  auto doc = Parse(text);
  EXPECT_TRUE(doc.ok()) << "input: " << text.substr(0, 200) << "\nerror: " << doc.status().message();
  return doc.ok() ? Canonical(*doc) : "<refused>";
}

// Expects `text` to be refused with a message "LINE:COL: what" where `what` contains `names`, and
// the ParseError parts agree with the message.
void ExpectRefused(std::string_view text, std::string_view names, size_t line = 0, size_t column = 0,
                   const ParseLimits& limits = {}) {
  SCOPED_TRACE("input: " + std::string(text.substr(0, 120)));
  ParseError where;
  auto doc = Parse(text, limits, &where);
  ASSERT_FALSE(doc.ok()) << "accepted; canon: " << Canonical(*doc).substr(0, 200);
  EXPECT_EQ(doc.status().code(), Status::Code::kInvalidInput);
  const std::string& msg = doc.status().message();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(msg, m, std::regex(R"(^(\d+):(\d+): (.+)$)"))) << msg;
  EXPECT_EQ(std::stoul(m[1].str()), where.line) << msg;
  EXPECT_EQ(std::stoul(m[2].str()), where.column) << msg;
  EXPECT_EQ(m[3].str(), where.what);
  EXPECT_NE(where.what.find(names), std::string::npos) << "message \"" << msg << "\" does not name \"" << names << "\"";
  if (line != 0) {
    EXPECT_EQ(where.line, line) << msg;
    EXPECT_EQ(where.column, column) << msg;
  }
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Floats

TEST(jsonFloatRepr, PythonReprExamples) {
  EXPECT_EQ(FloatRepr(100.0), "100.0");
  EXPECT_EQ(FloatRepr(1.5), "1.5");
  EXPECT_EQ(FloatRepr(1e-7), "1e-07");
  EXPECT_EQ(FloatRepr(1e16), "1e+16");
  EXPECT_EQ(FloatRepr(1e15), "1000000000000000.0");
  EXPECT_EQ(FloatRepr(-0.0), "-0.0");
  EXPECT_EQ(FloatRepr(0.0), "0.0");
  EXPECT_EQ(FloatRepr(5e-324), "5e-324");
  EXPECT_EQ(FloatRepr(0.1), "0.1");
  EXPECT_EQ(FloatRepr(1.0), "1.0");
  EXPECT_EQ(FloatRepr(-1.0), "-1.0");
  EXPECT_EQ(FloatRepr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(FloatRepr(1e-4), "0.0001");
  EXPECT_EQ(FloatRepr(1e-5), "1e-05");
  EXPECT_EQ(FloatRepr(0.00012345), "0.00012345");
  EXPECT_EQ(FloatRepr(123456789.125), "123456789.125");
  EXPECT_EQ(FloatRepr(9007199254740993.0), "9007199254740992.0");
  EXPECT_EQ(FloatRepr(1234567890123456.7), "1234567890123456.8");
  EXPECT_EQ(FloatRepr(12345678901234567.0), "1.2345678901234568e+16");
  EXPECT_EQ(FloatRepr(1e22), "1e+22");
  EXPECT_EQ(FloatRepr(1e23), "1e+23");
  EXPECT_EQ(FloatRepr(1e100), "1e+100");
  EXPECT_EQ(FloatRepr(-1e-300), "-1e-300");
  EXPECT_EQ(FloatRepr(DBL_MAX), "1.7976931348623157e+308");
  EXPECT_EQ(FloatRepr(-DBL_MAX), "-1.7976931348623157e+308");
  EXPECT_EQ(FloatRepr(DBL_MIN), "2.2250738585072014e-308");
  EXPECT_EQ(FloatRepr(std::nextafter(DBL_MIN, 0.0)), "2.225073858507201e-308");
  EXPECT_EQ(FloatRepr(std::numeric_limits<double>::denorm_min() * 3), "1.5e-323");
  EXPECT_EQ(FloatRepr(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FloatRepr(2.0 / 3), "0.6666666666666666");
  EXPECT_EQ(FloatRepr(std::numbers::pi), "3.141592653589793");
  EXPECT_EQ(FloatRepr(0.5), "0.5");
  EXPECT_EQ(FloatRepr(1e-323), "1e-323");
}

TEST(jsonParseFloat, SpellingsBecomePythonRepr) {
  EXPECT_EQ(Canon("1e2"), "100.0");
  EXPECT_EQ(Canon("1.50"), "1.5");
  EXPECT_EQ(Canon("1e-7"), "1e-07");
  EXPECT_EQ(Canon("1e16"), "1e+16");
  EXPECT_EQ(Canon("1e15"), "1000000000000000.0");
  EXPECT_EQ(Canon("-0.0"), "-0.0");
  EXPECT_EQ(Canon("5e-324"), "5e-324");
  EXPECT_EQ(Canon("0.1000000000000000055511151231257827"), "0.1");
  EXPECT_EQ(Canon("1E5"), "100000.0");
  EXPECT_EQ(Canon("1e+5"), "100000.0");
  EXPECT_EQ(Canon("1e05"), "100000.0");
  EXPECT_EQ(Canon("1.0"), "1.0");
  EXPECT_EQ(Canon("0.000123"), "0.000123");
  EXPECT_EQ(Canon("123e-2"), "1.23");
  EXPECT_EQ(Canon("12.3E-1"), "1.23");
  EXPECT_EQ(Canon("0.0"), "0.0");
  EXPECT_EQ(Canon("0e0"), "0.0");
  EXPECT_EQ(Canon("-0e0"), "-0.0");
  EXPECT_EQ(Canon("100e-2"), "1.0");
  EXPECT_EQ(Canon("1.7976931348623157e308"), "1.7976931348623157e+308");
  EXPECT_EQ(Canon("1.7976931348623158e308"), "1.7976931348623157e+308");  // rounds down to DBL_MAX
  EXPECT_EQ(Canon("2.2250738585072011e-308"), "2.225073858507201e-308");
  EXPECT_EQ(Canon("4.9406564584124654e-324"), "5e-324");
  EXPECT_EQ(Canon("2.4703282292062328e-324"), "5e-324");  // just above half the smallest subnormal
  EXPECT_EQ(Canon("2.4703282292062327e-324"), "0.0");     // just below: rounds to zero
  EXPECT_EQ(Canon("1e-400"), "0.0");                      // underflow is not refused
  EXPECT_EQ(Canon("-1e-400"), "-0.0");
  EXPECT_EQ(Canon("9007199254740993.0"), "9007199254740992.0");  // tie to even
  EXPECT_EQ(Canon("9007199254740995.0"), "9007199254740996.0");
  EXPECT_EQ(Canon("[1.5, -2.25e-3, 3E+0]"), "[1.5,-0.00225,3.0]");
}

TEST(jsonParseFloat, ValidNumbersBeyondRapidJsonsDoubleScanner) {
  // Zero with any exponent is zero (CPython: float('0e400') == 0.0).
  EXPECT_EQ(Canon("0e400"), "0.0");
  EXPECT_EQ(Canon("-0.0E+999"), "-0.0");
  EXPECT_EQ(Canon("0.000e99999999999999999999"), "0.0");
  // An integer part far past DBL_MAX brought back by the exponent.
  EXPECT_EQ(Canon("1" + std::string(400, '0') + "e-300"), "1e+100");
  EXPECT_EQ(Canon("1" + std::string(400, '0') + ".5e-400"), "1.0");
  EXPECT_EQ(Canon("0." + std::string(400, '0') + "1e401"), "1.0");
  // A long exact decimal (the exact value of 5e-324, 1074 decimals).
  std::string tiny = "0." + std::string(323, '0') +
                     "4940656458412465441765687928682213723650598026143247644255856825006755072702087518652998363616359923797965646954457177309266567103559397963987747960107818781263007131903114045278458171678489821036887186360569987307230500063874091535649843873124733972731696151400317153853980741262385655911710266585566867681870395603106249319452715914924553293054565444011274801297099995419319894090804165633245247571478690147267801593552386115501348035264934720193790268107107491703332226844753335720832431936092382893458368060106011506169809753078342277318329247904982524730776375927247874656084778203734469699533647017972677717585125660551199131504891101451037862738167250955837389733598993664809941164205702637090279242767544565229087538682506419718265533447265625";
  EXPECT_EQ(Canon(tiny), "5e-324");
}

// ---------------------------------------------------------------------------------------------
// Integers

TEST(jsonParseInteger, ExactAtAnySize) {
  EXPECT_EQ(Canon("0"), "0");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("[-0,0,-0]"), "[0,0,0]");
  EXPECT_EQ(Canon("{\"a\":-0}"), "{\"a\":0}");
  EXPECT_EQ(Canon("123"), "123");
  EXPECT_EQ(Canon("-123"), "-123");
  EXPECT_EQ(Canon("2147483648"), "2147483648");
  EXPECT_EQ(Canon("-2147483649"), "-2147483649");
  EXPECT_EQ(Canon("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(Canon("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(Canon("9223372036854775808"), "9223372036854775808");
  EXPECT_EQ(Canon("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(Canon("18446744073709551616"), "18446744073709551616");
  EXPECT_EQ(Canon("-18446744073709551617"), "-18446744073709551617");
  EXPECT_EQ(Canon("9007199254740993"), "9007199254740993");  // not rounded through a double
  std::string big309 = "1" + std::string(308, '0');          // 10^308: past RapidJSON's double scan
  EXPECT_EQ(Canon(big309), big309);
  std::string big400 = "-" + Repeat("1234567890", 40);
  EXPECT_EQ(Canon(big400), big400);
  std::string max_digits = "9" + std::string(4299, '7');  // exactly 4300 digits
  EXPECT_EQ(Canon(max_digits), max_digits);
  EXPECT_EQ(Canon("-" + max_digits), "-" + max_digits);  // the sign does not count (as in CPython)
  EXPECT_EQ(Canon("[" + max_digits + "," + big309 + "]"), "[" + max_digits + "," + big309 + "]");
}

TEST(jsonParseInteger, Int64Access) {
  int64_t v = 0;
  auto doc = Parse("[-9223372036854775808, 9223372036854775807, 9223372036854775808, 1.0, -0]");
  ASSERT_TRUE(doc.ok());
  const auto& items = doc->items();
  ASSERT_TRUE(items[0].as_int64(&v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(items[1].as_int64(&v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(items[2].as_int64(&v));
  EXPECT_FALSE(items[3].as_int64(&v));
  EXPECT_TRUE(items[3].is_float());
  ASSERT_TRUE(items[4].as_int64(&v));
  EXPECT_EQ(v, 0);
  EXPECT_EQ(Canonical(Value::Integer(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(Canonical(Value::Float(100)), "100.0");
  EXPECT_EQ(Canonical(Value::Float(-0.0)), "-0.0");
}

// ---------------------------------------------------------------------------------------------
// Strings and keys

TEST(jsonStrings, EscapedAsCPythonDoes) {
  EXPECT_EQ(Canon(R"("\"\\\/\b\f\n\r\t")"), R"("\"\\/\b\f\n\r\t")");
  EXPECT_EQ(Canon(R"("\u0008\u000c\u000A\u000D\u0009\u0022\u005c\u002F")"), R"("\b\f\n\r\t\"\\/")");
  EXPECT_EQ(Canon(R"("\u0000\u0001\u001f\u001F\u000b\u000e")"), R"("\u0000\u0001\u001f\u001f\u000b\u000e")");
  // DEL, C1 controls, U+2028/2029, BOM and noncharacters are written raw.
  EXPECT_EQ(Canon(R"("\u007f\u0080\u009f\u2028\u2029\ufeff\uFFFE\uffff")"),
            "\"\x7f\xc2\x80\xc2\x9f\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf\xef\xbf\xbe\xef\xbf\xbf\"");
  EXPECT_EQ(Canon("\"\x7f\xe2\x80\xa8\""), "\"\x7f\xe2\x80\xa8\"");
}

TEST(jsonStrings, EscapesInInputAreDecoded) {
  EXPECT_EQ(Canon(R"("\u00e9")"), "\"\xc3\xa9\"");
  EXPECT_EQ(Canon(R"("\u00E9")"), "\"\xc3\xa9\"");
  EXPECT_EQ(Canon("\"\xc3\xa9\""), "\"\xc3\xa9\"");
  EXPECT_EQ(Canon(R"("e\u0301")"), "\"e\xcc\x81\"");  // not normalized
  EXPECT_EQ(Canon(R"("\ud83d\ude00")"), "\"\xf0\x9f\x98\x80\"");
  EXPECT_EQ(Canon(R"("\uD83D\uDE00")"), "\"\xf0\x9f\x98\x80\"");
  EXPECT_EQ(Canon(R"("\ud800\udc00")"), "\"\xf0\x90\x80\x80\"");
  EXPECT_EQ(Canon(R"("\udbff\udfff")"), "\"\xf4\x8f\xbf\xbf\"");
  EXPECT_EQ(Canon(R"("\u4e2d\u6587")"), "\"\xe4\xb8\xad\xe6\x96\x87\"");
  EXPECT_EQ(Canon(R"("a\/b")"), R"("a/b")");
  EXPECT_EQ(Canon(R"("")"), R"("")");
  // The decoded string keeps a NUL.
  auto doc = Parse(R"("a\u0000b")");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->text(), std::string("a\0b", 3));
}

TEST(jsonKeys, SortedByCodePointNotUtf16) {
  // UTF-16 order would put U+10000 (D800 DC00) before U+FFFF; code-point order puts it after.
  EXPECT_EQ(Canon("{\"\xf0\x90\x80\x80\":2,\"\xef\xbf\xbf\":1}"),
            "{\"\xef\xbf\xbf\":1,\"\xf0\x90\x80\x80\":2}");
  EXPECT_EQ(Canon(R"({"\ud800\udc00":2,"\uffff":1})"), "{\"\xef\xbf\xbf\":1,\"\xf0\x90\x80\x80\":2}");
  EXPECT_EQ(Canon(R"({"\ud83d\ude00":1,"\ue000":2,"\uff01":3})"),
            "{\"\xee\x80\x80\":2,\"\xef\xbc\x81\":3,\"\xf0\x9f\x98\x80\":1}");
  EXPECT_EQ(Canon(R"({"b":1,"a":2,"A":3,"":4,"aa":5,"a\u0000":6})"),
            std::string(R"({"":4,"A":3,"a":2,"a\u0000":6,"aa":5,"b":1})"));
  EXPECT_EQ(Canon(R"({"\u00e9":1,"e\u0301":2,"f":3,"e":4})"),
            "{\"e\":4,\"e\xcc\x81\":2,\"f\":3,\"\xc3\xa9\":1}");
  EXPECT_EQ(Canon(R"({"z":{"y":1,"x":[{"b":1,"a":2}]},"a":null})"), R"({"a":null,"z":{"x":[{"a":2,"b":1}],"y":1}})");
  EXPECT_EQ(Canon(" { \"k\" :\t[ true ,false , null , { } , [ ] ] } \r\n"), R"({"k":[true,false,null,{},[]]})");
}

// ---------------------------------------------------------------------------------------------
// Refusals: each names its problem and carries LINE:COL.

TEST(jsonRefuse, InvalidUtf8) {
  // RapidJSON validates raw bytes as it reads a string and points at the first bad byte.
  ExpectRefused("\"\xff\"", "Invalid encoding in string", 1, 2);
  ExpectRefused("\"\xc3\"", "Invalid encoding in string", 1, 2);
  ExpectRefused("\"\xc0\xaf\"", "Invalid encoding in string");                 // overlong '/'
  ExpectRefused("\"\xe0\x80\xaf\"", "Invalid encoding in string");             // overlong
  ExpectRefused("\"\xf4\x90\x80\x80\"", "Invalid encoding in string");         // past U+10FFFF
  ExpectRefused("\"\xf8\x88\x80\x80\x80\"", "Invalid encoding in string");
  ExpectRefused("{\"\xfe\":1}", "Invalid encoding in string", 1, 3);
  ExpectRefused("[\"ok\",\n \"a\x80\"]", "Invalid encoding in string", 2, 4);
  ExpectRefused("\x80", "Invalid value", 1, 1);
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc1\xbf"));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));
  EXPECT_TRUE(IsValidUtf8("\xed\x9f\xbf\xee\x80\x80"));
  EXPECT_TRUE(IsValidUtf8(std::string("\0", 1)));
}

TEST(jsonRefuse, LoneSurrogates) {
  ExpectRefused(R"("\ud800")", "surrogate pair", 1, 2);
  ExpectRefused(R"("\udc00")", "lone surrogate");
  ExpectRefused(R"("\ud83d\u0041")", "surrogate");
  ExpectRefused(R"("\ude00\ud83d")", "surrogate");
  ExpectRefused(R"(["x\uD83D"])", "surrogate");
  ExpectRefused(R"({"\udfff":1})", "surrogate");
  ExpectRefused("\"\xed\xa0\x80\"", "Invalid encoding in string", 1, 2);          // raw U+D800
  ExpectRefused("\"\xed\xa0\xbd\xed\xb8\x80\"", "Invalid encoding in string");  // CESU-8 pair
}

TEST(jsonRefuse, NanAndInfinity) {
  ExpectRefused("NaN", "NaN", 1, 1);
  ExpectRefused("Infinity", "Infinity", 1, 1);
  ExpectRefused("-Infinity", "Infinity", 1, 1);
  ExpectRefused("[1, NaN]", "NaN", 1, 5);
  ExpectRefused("{\"a\":\n  Infinity}", "Infinity", 2, 3);
}

TEST(jsonRefuse, NumbersOverflowingADouble) {
  ExpectRefused("1e400", "overflows a double", 1, 1);
  ExpectRefused("-1e400", "overflows a double");
  ExpectRefused("1.8e308", "overflows a double");
  ExpectRefused("1.7976931348623159e308", "overflows a double");
  ExpectRefused("[0, 1E+309]", "overflows a double", 1, 5);
  ExpectRefused("1" + std::string(400, '0') + ".0", "overflows a double");
}

TEST(jsonRefuse, DuplicateKeys) {
  ExpectRefused(R"({"a":1,"a":2})", "duplicate key \"a\"");
  ExpectRefused(R"({"a":1,"b":{"c":1,"c":1}})", "duplicate key \"c\"");
  ExpectRefused("{\"\xc3\xa9\":1,\"\\u00e9\":2}", "duplicate key");
  ExpectRefused(R"({"/":1,"\/":2})", "duplicate key");
  ExpectRefused("{\n\"x\":1,\n\"x\":2}", "duplicate key", 3, 6);  // reported at the object's '}'
}

TEST(jsonRefuse, NestingDeeperThanTheLimit) {
  EXPECT_EQ(Canon(Repeat("[", 128) + Repeat("]", 128)), Repeat("[", 128) + Repeat("]", 128));
  ExpectRefused(Repeat("[", 129) + Repeat("]", 129), "nesting deeper than 128 levels", 1, 129);
  ExpectRefused(Repeat("{\"a\":", 129) + "1" + Repeat("}", 129), "nesting deeper than 128 levels");
  ExpectRefused(Repeat("[", 1000000), "nesting deeper than 128 levels");  // no stack overflow
  ParseLimits shallow;
  shallow.max_depth = 2;
  ExpectRefused("[[[]]]", "nesting deeper than 2 levels", 1, 3, shallow);
}

TEST(jsonRefuse, IntegersOverTheDigitLimit) {
  ExpectRefused("1" + std::string(4300, '0'), "integer has 4301 digits; the limit is 4300", 1, 1);
  ExpectRefused("-" + std::string(4301, '9'), "integer has 4301 digits; the limit is 4300");
  ExpectRefused("[" + std::string(100000, '7') + "]", "integer has 100000 digits", 1, 2);
  ExpectRefused("1." + std::string(4300, '0'), "number too long (4302 characters; the limit is 4300)");
}

TEST(jsonRefuse, TrailingData) {
  ExpectRefused("1 2", "must not be followed", 1, 3);
  ExpectRefused("{} x", "must not be followed");
  ExpectRefused("[]]", "must not be followed");
  ExpectRefused("null,", "must not be followed");
  ExpectRefused(std::string("1\0", 2), "unexpected data after the JSON document", 1, 2);
  ExpectRefused(std::string("{\"a\":1}\0{\"b\":2}", 15), "unexpected data after the JSON document", 1, 8);
  ExpectRefused(std::string("12\0" "34", 5), "unexpected data after the JSON document", 1, 3);
  ExpectRefused(std::string("[1]\n\0", 5), "unexpected data after the JSON document", 2, 1);
}

TEST(jsonRefuse, ByteOrderMark) {
  ExpectRefused("\xef\xbb\xbf{}", "byte order mark", 1, 1);
  ExpectRefused("\xef\xbb\xbf" "1", "byte order mark", 1, 1);
  EXPECT_EQ(Canon("\"\xef\xbb\xbf\""), "\"\xef\xbb\xbf\"");  // U+FEFF inside a string is fine
}

TEST(jsonRefuse, OtherMalformedJson) {
  ExpectRefused("", "empty", 1, 1);
  ExpectRefused(" \t\r\n", "empty");
  ExpectRefused("\"a\x01z\"", "escape");
  ExpectRefused(std::string("\"a\0b\"", 5), "quotation mark");
  ExpectRefused("\"abc", "quotation mark");
  ExpectRefused(R"("\x41")", "escape");
  ExpectRefused(R"("\u12")", "hex digit");
  ExpectRefused("'a'", "Invalid value");
  ExpectRefused("[1,]", "Invalid value");
  ExpectRefused("{\"a\":1,}", "name");
  ExpectRefused("01", "must not be followed", 1, 2);
  ExpectRefused("+1", "Invalid value");
  ExpectRefused(".5", "Invalid value");
  ExpectRefused("-", "Invalid value", 1, 2);
  ExpectRefused("1.", "fraction", 1, 3);
  ExpectRefused("1.e5", "fraction", 1, 3);
  ExpectRefused("1e+", "exponent", 1, 4);
  ExpectRefused("[1e]", "exponent", 1, 4);
  ExpectRefused("nan", "Invalid value");
  ExpectRefused("{a:1}", "name");
  ExpectRefused("{\"a\" 1}", "colon");
  ExpectRefused("[1,2", "comma");
}

TEST(jsonRefuse, ConfiguredLimits) {
  ParseLimits small;
  small.max_document_bytes = 8;
  ExpectRefused("[1,2,3,4,5]", "document of 11 bytes; the limit is 8", 1, 1, small);
  small = ParseLimits();
  small.max_string_bytes = 3;
  ExpectRefused(R"(["abcd"])", "string of 4 bytes; the limit is 3", 0, 0, small);
  ExpectRefused(R"({"abcd":1})", "key of 4 bytes; the limit is 3", 0, 0, small);
  small = ParseLimits();
  small.max_integer_digits = 3;
  ExpectRefused("-1234", "integer has 4 digits; the limit is 3", 1, 1, small);
  EXPECT_TRUE(Parse("-123", small).ok());
}

// ---------------------------------------------------------------------------------------------
// Property: canon(parse(canon(x))) == canon(x), and parse(canon(x)) == x.

TEST(jsonProperty, CanonIsAFixedPointOfParse) {
  test::ValueMaker maker(20260501);
  for (int i = 0; i < 400; ++i) {
    Value x = maker.Make(0);
    std::string canon = Canonical(x);
    SCOPED_TRACE("value " + std::to_string(i) + ": " + canon.substr(0, 300));
    auto reparsed = Parse(canon);
    ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
    EXPECT_EQ(Canonical(*reparsed), canon);
    EXPECT_TRUE(*reparsed == x);
    EXPECT_TRUE(IsValidUtf8(canon));
    EXPECT_EQ(canon.find('\n'), std::string::npos);
  }
}

TEST(jsonProperty, FloatReprRoundTrips) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    std::string repr = FloatRepr(d);
    double back = std::strtod(repr.c_str(), nullptr);
    ASSERT_EQ(std::memcmp(&back, &d, sizeof d), 0) << repr;
    ASSERT_EQ(Canon(repr), repr);
  }
}

}  // namespace
}  // namespace pith::json
