// CanonicalText and View (pith/json_view.h). The one promise that matters: whatever CanonicalText
// proves is exactly canon(Parse(text)) of an object, with the spans AppendCanonicalObject gives, and
// a View reads the same values as the parsed tree. Checked on generated values (everything canon
// writes is proven unless a key needs an escape), on mutations of canonical texts (what is proven
// is canonical), and on hand-picked near misses that must not be proven.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "pith/json.h"
#include "pith/json_view.h"
#include "support/value_maker.h"

namespace pith::json {
namespace {

// A View and a Value agree on everything the View offers.
void ExpectSame(const View& view, const Value& value) {
  ASSERT_EQ(view.kind(), value.kind()) << view.raw().substr(0, 200);
  EXPECT_EQ(view.raw(), Canonical(value));
  switch (value.kind()) {
    case Kind::kBool: EXPECT_EQ(view.as_bool(), value.as_bool()); break;
    case Kind::kInteger:
    case Kind::kFloat:
    case Kind::kString: EXPECT_EQ(view.text(), value.text()); break;
    case Kind::kArray: {
      std::vector<View> items = view.items();
      ASSERT_EQ(items.size(), value.items().size());
      for (size_t i = 0; i < items.size(); ++i) ExpectSame(items[i], value.items()[i]);
      break;
    }
    case Kind::kObject:
      for (const auto& [key, member] : value.members()) {
        std::optional<View> found = view.Find(key);
        ASSERT_TRUE(found.has_value()) << key;
        ExpectSame(*found, member);
        EXPECT_EQ(view.FindString(key).has_value(), member.is_string());
      }
      EXPECT_FALSE(view.Find("\x7f no such key").has_value());
      EXPECT_FALSE(view.Find("").has_value() && value.Find("") == nullptr);
      break;
    case Kind::kNull: break;
  }
}

// The promise, for any text: proven implies canonical, parsed, same spans, same reads.
void ExpectProofHolds(std::string_view text) {
  const CanonicalText canonical(text);
  if (!canonical.proven()) return;
  SCOPED_TRACE("proven: " + std::string(text.substr(0, 200)));
  auto parsed = Parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->is_object());
  std::string rewritten;
  std::vector<MemberSpan> spans;
  AppendCanonicalObject(*parsed, &rewritten, &spans);
  ASSERT_EQ(rewritten, text);
  ASSERT_EQ(canonical.spans().size(), spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(canonical.spans()[i].key, spans[i].key);
    EXPECT_EQ(canonical.spans()[i].begin, spans[i].begin);
    EXPECT_EQ(canonical.spans()[i].end, spans[i].end);
  }
  ExpectSame(canonical.root(), *parsed);
}

bool HasKeyNeedingEscape(const Value& v) {
  for (const Value& item : v.items()) {
    if (HasKeyNeedingEscape(item)) return true;
  }
  for (const auto& [key, member] : v.members()) {
    for (unsigned char c : key) {
      if (c < 0x20 || c == '"' || c == '\\') return true;
    }
    if (HasKeyNeedingEscape(member)) return true;
  }
  return false;
}

TEST(jsonView, ProvesWhatCanonWritesUnlessAKeyIsEscaped) {
  test::ValueMaker maker(20261125);
  size_t proven = 0, escaped_keys = 0;
  for (int i = 0; i < 3000; ++i) {
    Value x = Value::Object({{"doc", maker.Make(0)}, {"n", Value::Integer(i)}});
    const std::string text = Canonical(x);
    SCOPED_TRACE("value " + std::to_string(i) + ": " + text.substr(0, 300));
    const CanonicalText canonical(text);
    const bool escaped = HasKeyNeedingEscape(x);
    EXPECT_EQ(canonical.proven(), !escaped);
    proven += canonical.proven();
    escaped_keys += escaped;
    ExpectProofHolds(text);
  }
  EXPECT_GT(proven, 1000u);
  EXPECT_GT(escaped_keys, 10u);  // the generator does write escaped keys: both sides are exercised
}

TEST(jsonView, WhatMutationsOfCanonicalTextLeaveProvenIsStillCanonical) {
  test::ValueMaker maker(7);
  std::mt19937 rng(11);
  static constexpr char kBytes[] = {' ', '"', '\\', ',', ':', '{', '}', '[', ']', '0', '1', '-', '.', 'e', 'E',
                                    '+', 'u', 'n', 't', 'f', 'a', '\n', '\x7f', '\x80', '\xc3', '\xed', '\xff'};
  size_t proven_mutants = 0;
  for (int i = 0; i < 600; ++i) {
    const std::string text = Canonical(Value::Object({{"k", maker.Make(0)}, {"z", maker.Make(1)}}));
    for (int m = 0; m < 20; ++m) {
      std::string mutant = text;
      const size_t at = std::uniform_int_distribution<size_t>(0, mutant.size() - 1)(rng);
      const char byte = kBytes[std::uniform_int_distribution<size_t>(0, sizeof kBytes - 1)(rng)];
      switch (m % 3) {
        case 0: mutant[at] = byte; break;
        case 1: mutant.insert(mutant.begin() + static_cast<std::ptrdiff_t>(at), byte); break;
        default: mutant.erase(at, 1);
      }
      proven_mutants += CanonicalText(mutant).proven();
      ExpectProofHolds(mutant);
    }
  }
  EXPECT_GT(proven_mutants, 100u);  // some mutants stay canonical (a digit for a digit, ...)
}

TEST(jsonView, NearMissesAreNotProven) {
  const char* const kNotCanonical[] = {
      R"({"a":1} )", R"( {"a":1})", R"({"a": 1})", R"({"a":1,"a":2})", R"({"b":1,"a":2})",
      R"({"a\u0062":1})", R"({"a":"\u0041"})", R"({"a":"\u001F"})", R"({"a":"\/"})", R"({"a":"\u000a"})",
      R"({"a":1.0e2})", R"({"a":1E5})", R"({"a":1e5})", R"({"a":100.00})", R"({"a":-0})", R"({"a":01})",
      R"({"a":1.})", R"({"a":.5})", R"({"a":+1})", R"({"a":1e400})", R"({"a":NaN})", R"({"a":tru})",
      R"([1])", R"("a")", R"({"a":1}{})", R"({"a":[1,]})", R"({"a":{"b":1,}})", R"({"a":1,})", "",
      "{\"a\":\"\x01\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xc0\xaf\"}",
      "{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":1}\n", "\xef\xbb\xbf{\"a\":1}",
      // Keys compared eight bytes at a time, with the text's bytes after them: duplicates and
      // prefixes out of order, keys shorter and longer than eight bytes.
      R"({"a":1,"a":2,"zzzzzzzzzzzz":3})", R"({"ab":1,"a":2,"zzzzzzzzzzzz":3})",
      R"({"abcdefghij":1,"abcdefghij":2,"zzzzzzzzzzzz":3})", R"({"abcdefghijk":1,"abcdefghij":2,"zzzzzzzzzzzz":3})",
      R"({"abcdefgh":1,"abcdefgg":2,"zzzzzzzzzzzz":3})", R"({"a!":1,"a":2,"zzzzzzzzzzzz":3})",
      // Literals compared four bytes at a time: cut short at the text's end, or wrong in the fifth.
      R"({"a":nul)", R"({"a":fals)", R"({"a":falsy})", R"({"a":[true,falsE]})", R"({"a":nulL})",
  };
  // In buffers of their exact size: a read past a text's end is caught by the sanitizers.
  auto exact = [](std::string_view text) {
    std::unique_ptr<char[]> buffer(new char[text.size()]);
    std::memcpy(buffer.get(), text.data(), text.size());
    return buffer;
  };
  for (const char* text : kNotCanonical) {
    const std::string_view view(text);
    const auto buffer = exact(view);
    EXPECT_FALSE(CanonicalText(std::string_view(buffer.get(), view.size())).proven()) << text;
    ExpectProofHolds(text);
  }
  const char* const kCanonical[] = {
      R"({})", R"({"":0})", R"({"a":-0.0,"b":1e-07,"c":1e+16,"d":0.1,"e":-12,"f":true,"g":null,"h":[]})",
      R"({"a":"\"\\\n\r\t\b\f\u0000\u001f","b":"é😀  ","c":{"d":[{"e":{}}]}})",
      // A key that is a prefix of the next one, whose next byte is below the closing quote's.
      R"({"a":1,"a !":3,"a!":2,"zzzzzzzzzzzz":4})", R"({"abcdefghij":1,"abcdefghij!":2,"abcdefghijk":3,"b":4})",
      R"({"abcdefgh":1,"abcdefgh ":2,"abcdefgi":3,"zzzzzzzzzzzz":{"a":1,"b":2}})", R"({"a":1,"b":2})",
  };
  for (const char* text : kCanonical) {
    const std::string_view view(text);
    const auto buffer = exact(view);
    EXPECT_TRUE(CanonicalText(std::string_view(buffer.get(), view.size())).proven()) << text;
    ExpectProofHolds(text);
  }
}

TEST(jsonView, TheParsersLimitsHold) {
  auto nested = [](size_t depth) {
    std::string text = "{\"a\":";
    for (size_t i = 1; i < depth; ++i) text += "[";
    text += "0";
    for (size_t i = 1; i < depth; ++i) text += "]";
    return text + "}";
  };
  EXPECT_TRUE(CanonicalText(nested(128)).proven());
  EXPECT_TRUE(Parse(nested(128)).ok());
  EXPECT_FALSE(CanonicalText(nested(129)).proven());
  EXPECT_FALSE(Parse(nested(129)).ok());

  ParseLimits tight;
  tight.max_string_bytes = 4;
  tight.max_integer_digits = 3;
  tight.max_document_bytes = 39;
  for (const char* within : {R"({"a":"abcd","b":-123})", R"({"a":"abcd","b":"abcd","c":"abcd","d":})"}) {
    EXPECT_EQ(CanonicalText(within, tight).proven(), Parse(within, tight).ok()) << within;
  }
  EXPECT_TRUE(CanonicalText(R"({"a":"abcd","b":-123})", tight).proven());
  for (const char* beyond : {R"({"a":"abcde"})", R"({"a":1234})", R"({"a":"abcd","b":"abcd","c":"abcd","d":0})"}) {
    EXPECT_FALSE(CanonicalText(beyond, tight).proven()) << beyond;
    EXPECT_FALSE(Parse(beyond, tight).ok()) << beyond;
  }
}

TEST(jsonView, EscapedStringsAreDecodedAndStable) {
  const std::string text = R"({"a":"x\ny","b":{"c":"q\"\\r\u0001"}})";
  const CanonicalText canonical(text);
  ASSERT_TRUE(canonical.proven());
  std::string_view a = *canonical.root().FindString("a");
  std::string_view c = *canonical.root().Find("b")->FindString("c");
  EXPECT_EQ(a, "x\ny");
  EXPECT_EQ(c, std::string("q\"\\r\x01"));
  EXPECT_EQ(a, "x\ny");  // still valid after a second decode
}

}  // namespace
}  // namespace pith::json

namespace pith::json {
namespace {

// Well-formed UTF-8 by the Unicode Standard's Table 3-7, written here without the engine's code:
// the oracle for the string scan's vector path. Also takes the escapes canon writes, and no other.
bool BodyIsCanonicalString(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {  // the escapes canon writes: the short ones, else \u00xx for a control byte
      if (i + 1 < s.size() && std::string_view("\"\\nrtbf").find(s[i + 1]) != std::string_view::npos) {
        i += 2;
        continue;
      }
      static const std::string kHex = "0123456789abcdef";
      if (s.compare(i, 4, "\\u00") != 0 || i + 6 > s.size() || kHex.find(s[i + 4]) > 1 ||
          kHex.find(s[i + 5]) == std::string::npos) {
        return false;
      }
      const size_t code = kHex.find(s[i + 4]) * 16 + kHex.find(s[i + 5]);
      if (code == 8 || code == 9 || code == 10 || code == 12 || code == 13) return false;
      i += 6;
      continue;
    }
    if (c < 0x20 || c == '"') return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    struct Row { unsigned char lo, hi, second_lo, second_hi; size_t length; };
    static constexpr Row kTable[] = {
        {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3}, {0xE1, 0xEC, 0x80, 0xBF, 3},
        {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3}, {0xF0, 0xF0, 0x90, 0xBF, 4},
        {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4}};
    const Row* row = nullptr;
    for (const Row& r : kTable) {
      if (c >= r.lo && c <= r.hi) row = &r;
    }
    if (row == nullptr || i + row->length > s.size()) return false;
    const auto at = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    if (at(1) < row->second_lo || at(1) > row->second_hi) return false;
    for (size_t k = 2; k < row->length; ++k) {
      if (at(k) < 0x80 || at(k) > 0xBF) return false;
    }
    i += row->length;
  }
  return true;
}

// String bodies of ASCII runs, well-formed sequences at the edges of each row of Table 3-7,
// ill-formed and cut ones, escapes (runs of backslashes among them) and control bytes, at every
// offset from a 64-byte block's start and across several blocks: proven exactly when the oracle
// says the body is well formed.
TEST(jsonView, StringBodiesAreProvenExactlyWhenWellFormedUtf8) {
  const std::vector<std::string> pieces = {
      "a", "hello world", "0123456789abcdef0123", "\xC2\x80", "\xDF\xBF", "\xC3\xA9", "\xE0\xA0\x80",
      "\xE0\xBF\xBF", "\xE1\x80\x80", "\xEC\xBF\xBF", "\xED\x80\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
      "\xEF\xBF\xBF", "\xE4\xB8\xAD\xE6\x96\x87", "\xF0\x90\x80\x80", "\xF0\xBF\xBF\xBF", "\xF1\x80\x80\x80",
      "\xF3\xBF\xBF\xBF", "\xF4\x80\x80\x80", "\xF4\x8F\xBF\xBF", "\xF0\x9F\x98\x80",
      // ill-formed: lone continuations, overlongs, surrogates, past U+10FFFF, bytes never used, cut
      "\x80", "\xBF", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
      "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF8", "\xFF", "\xC2",
      "\xE1\x80", "\xF1\x80\x80", "\xF4\x8F\xBF",
      // escapes and what a string may not hold raw
      "\\n", "\\\"", "\\\\", "\\u0001", "\x01", "\x1F", "\x7F",
      // what no canonical body holds: escapes canon does not write, a lone backslash before the quote
      "\\u0041", "\\/", "\\U0001", "\\"};
  std::mt19937 rng(20261206);
  size_t proven = 0, refused = 0;
  for (int round = 0; round < 40000; ++round) {
    std::string body;
    const int count = 1 + static_cast<int>(rng() % (round % 4 == 0 ? 60 : 12));
    const bool ill_formed_allowed = rng() % 3 == 0;  // most bodies only well-formed pieces
    for (int k = 0; k < count; ++k) {
      const size_t well_formed_pieces = 22;
      body += pieces[ill_formed_allowed ? rng() % pieces.size() : rng() % well_formed_pieces];
    }
    const std::string key(rng() % 64, 'k');  // moves the body against 64-byte blocks
    const std::string text = "{\"" + key + "\":\"" + body + "\",\"z\":" + std::string(rng() % 20, '1') + "1}";
    const bool expected = BodyIsCanonicalString(body);
    ASSERT_EQ(CanonicalText(text).proven(), expected) << text;
    (expected ? proven : refused) += 1;
  }
  EXPECT_GT(proven, 20000u);
  EXPECT_GT(refused, 5000u);
}

}  // namespace
}  // namespace pith::json
