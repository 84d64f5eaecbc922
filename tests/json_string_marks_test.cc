// The first pass of CanonicalText's proof (engine/src/json_string_marks.h), with every way of
// classifying a block this machine can run (the portable loop, SSE2, AVX-512BW), against an oracle
// that reads the text one byte at a time: the same verdict, the same unescaped quotes, the same
// escapes, for texts built so that quotes, runs of backslashes and UTF-8 sequences fall on and
// across the 64-byte blocks' edges.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "json_string_marks.h"
#include "pith/json.h"

namespace pith::json::internal {
namespace {

// What Mark must find, read the way a JSON lexer reads a string body, byte after byte.
struct Expected {
  bool ok = true;
  std::vector<size_t> quotes;         // unescaped '"'
  std::vector<size_t> escape_starts;  // backslashes that start an escape
};

Expected Oracle(const std::string& t) {
  Expected e;
  e.ok = IsValidUtf8(t);
  for (unsigned char c : t) e.ok = e.ok && c >= 0x20;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '"') e.quotes.push_back(i);
    if (t[i] != '\\') continue;
    e.escape_starts.push_back(i);
    const std::string rest = t.substr(i + 1, 5);
    static const std::vector<std::string> kShort = {"\"", "\\", "n", "r", "t", "b", "f"};
    bool canonical = false;
    for (const std::string& s : kShort) canonical = canonical || rest.rfind(s, 0) == 0;
    if (canonical) {
      ++i;  // the escaped byte (a quote there is no quote)
      continue;
    }
    // \u00xx, lowercase, for the control characters without a short escape.
    static const std::string kHex = "0123456789abcdef";
    const bool u = rest.size() == 5 && rest.compare(0, 3, "u00") == 0 && kHex.find(rest[3]) <= 1 &&
                   kHex.find(rest[4]) != std::string::npos;
    const size_t code = u ? kHex.find(rest[3]) * 16 + kHex.find(rest[4]) : 0;
    if (!u || code == 8 || code == 9 || code == 10 || code == 12 || code == 13) {
      e.ok = false;
      return e;
    }
    i += 5;
  }
  return e;
}

std::string IsaName(MarkIsa isa) {
  switch (isa) {
    case MarkIsa::kPortable: return "portable";
    case MarkIsa::kSse2: return "sse2";
    case MarkIsa::kAvx512: return "avx512";
  }
  return "?";
}

std::string RandomText(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {
      "a", "abcdefghijklmnopqrstuvwxyz0123456789", "\"", "\\\"", "\\\\", "\\\\\\\"", "\\n", "\\u0001", "\\u001f",
      "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xED\x9F\xBF", "\xF4\x8F\xBF\xBF", "\xE0\xA0\x80",
      // ill-formed or not canonical
      "\\u0041", "\\/", "\\x", "\\", "\x01", "\x1F", "\x80", "\xC0\xAF", "\xE0\x9F\xBF", "\xED\xA0\x80",
      "\xF4\x90\x80\x80", "\xF5", "\xFF", "\xE4\xB8", "\xF0\x9F\x98"};
  const size_t well_formed = 15;
  std::string t(rng() % 70, 'x');  // moves what follows against the blocks' edges
  const bool ill_formed_allowed = rng() % 4 == 0;
  const int count = static_cast<int>(rng() % 40);
  for (int k = 0; k < count; ++k) {
    t += kPieces[ill_formed_allowed ? rng() % kPieces.size() : rng() % well_formed];
    if (rng() % 3 == 0) t += std::string(rng() % 64, 'y');
  }
  return t;
}

TEST(StringMarks, EveryInstructionSetAgreesWithTheByteAtATimeOracle) {
  const std::vector<MarkIsa> isas = AvailableMarkIsas();
  for (MarkIsa isa : isas) std::printf("[ marks    ] classifying with %s\n", IsaName(isa).c_str());
  ASSERT_EQ(isas.front(), MarkIsa::kPortable);
  std::mt19937 rng(20261207);
  size_t ok_texts = 0, refused_texts = 0;
  for (int round = 0; round < 20000; ++round) {
    const std::string text = RandomText(rng);
    const Expected expected = Oracle(text);
    for (MarkIsa isa : isas) {
      StringMarks marks;
      ASSERT_EQ(marks.Mark(text, isa), expected.ok) << IsaName(isa) << ": " << text;
      if (!expected.ok) continue;
      std::vector<size_t> quotes;
      for (size_t q = marks.NextQuote(0); q != StringMarks::kNone; q = marks.NextQuote(q + 1)) quotes.push_back(q);
      ASSERT_EQ(quotes, expected.quotes) << IsaName(isa) << ": " << text;
      for (size_t begin = 0; begin <= text.size(); begin += 1 + rng() % 8) {
        const size_t end = begin + (rng() % 4 == 0 ? rng() % 300 : rng() % 20);  // within a word, two, or more
        bool any = false;
        for (size_t s : expected.escape_starts) any = any || (s >= begin && s < end);
        ASSERT_EQ(marks.AnyEscape(begin, end), any) << IsaName(isa) << " [" << begin << ", " << end << "): " << text;
      }
    }
    (expected.ok ? ok_texts : refused_texts) += 1;
  }
  EXPECT_GT(ok_texts, 10000u);
  EXPECT_GT(refused_texts, 2000u);
}

// A sequence cut by the end of the text is ill-formed, also when the text ends on a block's edge.
TEST(StringMarks, ASequenceCutByTheEndIsRefusedAtEveryLength) {
  for (MarkIsa isa : AvailableMarkIsas()) {
    for (size_t length = 1; length <= 130; ++length) {
      for (const std::string cut : {"\xC3", "\xE4\xB8", "\xF0\x9F\x98"}) {
        if (cut.size() > length) continue;
        const std::string text = std::string(length - cut.size(), 'a') + cut;
        StringMarks marks;
        EXPECT_FALSE(marks.Mark(text, isa)) << IsaName(isa) << " length " << length;
        EXPECT_TRUE(marks.Mark(text.substr(0, length - cut.size()), isa)) << IsaName(isa) << " length " << length;
      }
    }
  }
}

// A lead at a block's end wants its continuation bytes from the next block, even when that one is
// all ASCII and the continuation bytes come a block later.
TEST(StringMarks, ALeadAtABlocksEndIsJudgedByTheNextBlockEvenIfItIsAscii) {
  for (MarkIsa isa : AvailableMarkIsas()) {
    const std::pair<std::string, std::string> cut_sequences[] = {{"\xC3", "\xA9"}, {"\xE4", "\xB8\xAD"},
                                                                 {"\xF0\x9F", "\x98\x80"}};
    for (const auto& [lead, rest] : cut_sequences) {
      const std::string text = std::string(64 - lead.size(), 'a') + lead + std::string(64, 'b') + rest + "c";
      StringMarks marks;
      EXPECT_FALSE(marks.Mark(text, isa)) << IsaName(isa) << " " << text;
    }
  }
}

// A text of a few megabytes (many blocks, marks reused from a shorter text) and the empty text.
TEST(StringMarks, LongAndEmptyTexts) {
  for (MarkIsa isa : AvailableMarkIsas()) {
    StringMarks marks;
    ASSERT_TRUE(marks.Mark("\"short\"", isa));
    std::string text;
    for (int i = 0; i < 100000; ++i) text += "\"k\xC3\xA9\\\\y\",";
    ASSERT_TRUE(marks.Mark(text, isa));
    size_t count = 0;
    for (size_t q = marks.NextQuote(0); q != StringMarks::kNone; q = marks.NextQuote(q + 1)) ++count;
    EXPECT_EQ(count, 200000u);
    EXPECT_TRUE(marks.AnyEscape(text.size() - 6, text.size()));
    EXPECT_FALSE(marks.AnyEscape(text.size() - 3, text.size()));
    ASSERT_TRUE(marks.Mark("", isa));
    EXPECT_EQ(marks.NextQuote(0), StringMarks::kNone);
    EXPECT_FALSE(marks.AnyEscape(0, 10));
  }
}

// Marks of a large text are freed when asked; a small text's stay for the next one.
TEST(StringMarks, LargeMarksAreReleasedSmallOnesKept) {
  StringMarks marks;
  const std::string large = "\"" + std::string(4u << 20, 'a') + "\"";
  ASSERT_TRUE(marks.Mark(large));
  EXPECT_GE(marks.BytesHeld(), large.size() / 4);
  marks.ReleaseIfLarge();
  EXPECT_EQ(marks.BytesHeld(), 0u);
  EXPECT_EQ(marks.NextQuote(0), StringMarks::kNone);
  ASSERT_TRUE(marks.Mark("\"small\""));
  marks.ReleaseIfLarge();
  EXPECT_GT(marks.BytesHeld(), 0u);
  EXPECT_EQ(marks.NextQuote(1), 6u);
}

}  // namespace
}  // namespace pith::json::internal
