// The structural scans of pass 1 (pith/json_scan.h, merge/src/subject_scan.h) against plain
// references: SkipString against a byte-at-a-time loop on strings that put quotes and escapes at
// every offset around the 16-byte steps of its vector scan; the in-place subject against the
// copying scan and the strict parser.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "pith/json.h"
#include "pith/json_scan.h"
#include "subject_scan.h"

namespace {

// SkipString's contract, one byte at a time: past the closing quote, or kNoPos.
size_t ReferenceSkipString(std::string_view s, size_t at) {
  if (at >= s.size() || s[at] != '"') return pith::json::kNoPos;
  for (size_t p = at + 1; p < s.size(); ++p) {
    if (s[p] == '\\') {
      ++p;
    } else if (s[p] == '"') {
      return p + 1;
    }
  }
  return pith::json::kNoPos;
}

TEST(JsonScan, SkipStringAgreesWithAByteLoopAtEveryOffset) {
  size_t cases = 0;
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t special = 0; special < length; ++special) {
      for (const char* insert : {"\"", "\\\"", "\\\\", "\\", "\\n", "\xc3\xa9"}) {
        for (size_t prefix : {0, 1, 7, 15, 16, 17}) {
          std::string body(length, 'a');
          body.replace(special, 1, insert);
          const std::string text = std::string(prefix, 'x') + "\"" + body + "\"tail";
          const std::string truncated = text.substr(0, prefix + 1 + body.size());  // no closing quote
          for (const std::string& s : {text, truncated}) {
            ASSERT_EQ(pith::json::SkipString(s, prefix), ReferenceSkipString(s, prefix)) << s;
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_GT(cases, 20000u);
  EXPECT_EQ(pith::json::SkipString("\"abc\"", 1), pith::json::kNoPos);  // not at a quote
  EXPECT_EQ(pith::json::SkipString("\"", 0), pith::json::kNoPos);
}

TEST(JsonScan, SubjectInPlaceIsTheParsersSubject) {
  const std::string subject = "pith:2023:KQ22WWOVX4EQLVJEIXBA4TJDF4";
  const std::string lines[] = {
      R"({"a":{"subject_pith_number":"nested"},"b":["x\"y",1.5,null],"subject_pith_number":")" + subject + R"(","z":true})",
      R"({"subject_pith_number":")" + subject + R"("})",
      R"({"payload":"subject_pith_number\":\"fake","subject_pith_number":")" + subject + R"("})",
  };
  for (const std::string& line : lines) {
    auto in_place = pith::merge_internal::FindSubjectInPlace(line);
    ASSERT_TRUE(in_place.has_value()) << line;
    EXPECT_EQ(*in_place, subject) << line;
    EXPECT_EQ(pith::merge_internal::ScanSubject(line), std::optional<std::string>(subject)) << line;
    auto parsed = pith::json::Parse(line);
    ASSERT_TRUE(parsed.ok()) << line;
    ASSERT_NE(parsed->FindString("subject_pith_number"), nullptr);
    EXPECT_EQ(*parsed->FindString("subject_pith_number"), subject);
  }
  // What the walk cannot read is left to the copying scan, which still finds it.
  const std::string unreadable[] = {
      R"({ "subject_pith_number":"s"})",             // whitespace
      R"({"subject_pith_number":"s\u0041"})",        // an escape in the subject
  };
  for (const std::string& line : unreadable) {
    EXPECT_FALSE(pith::merge_internal::FindSubjectInPlace(line).has_value()) << line;
    EXPECT_TRUE(pith::merge_internal::ScanSubject(line).has_value()) << line;
  }
  EXPECT_FALSE(pith::merge_internal::FindSubjectInPlace(R"({"subject_pith_number":7})").has_value());
  EXPECT_FALSE(pith::merge_internal::FindSubjectInPlace(R"({"other":"s"})").has_value());
  EXPECT_FALSE(pith::merge_internal::FindSubjectInPlace(R"(["subject_pith_number","s"])").has_value());
}

// json::FindTopLevelString, the SAX pre-filter behind ScanSubject: each case of its contract.
TEST(JsonScan, FindTopLevelStringKeepsToItsContract) {
  using pith::json::FindTopLevelString;
  using Found = std::optional<std::string>;
  EXPECT_EQ(FindTopLevelString(R"({ "k" : "v\u0041" , "n" : {"k":"inner"} })", "k"), Found("vA"));
  EXPECT_EQ(FindTopLevelString(R"({"n":{"k":"inner"},"k":"outer"})", "k"), Found("outer"));  // depth 1 only
  EXPECT_EQ(FindTopLevelString(R"({"n":{"k":"inner"}})", "k"), std::nullopt);
  EXPECT_EQ(FindTopLevelString(R"({"k":7})", "k"), std::nullopt);                 // not a string
  EXPECT_EQ(FindTopLevelString(R"({"k":"a","k":"b"})", "k"), std::nullopt);       // two strings
  EXPECT_EQ(FindTopLevelString(R"({"k":"a","k":1})", "k"), Found("a"));           // looser than Parse
  EXPECT_EQ(FindTopLevelString(R"(["k","v"])", "k"), std::nullopt);               // not an object
  EXPECT_EQ(FindTopLevelString(R"({"k":"v"} {"k":"w"})", "k"), std::nullopt);    // two documents
  EXPECT_EQ(FindTopLevelString(R"({"k":"v")", "k"), std::nullopt);               // cut short
  EXPECT_EQ(FindTopLevelString(R"({"k":"v","x":1e400})", "k"), std::nullopt);    // RapidJSON's doubles
  std::string deep = R"({"k":"v","d":)";
  for (int i = 0; i < 127; ++i) deep += "[";
  const std::string deep_ok = deep + std::string(127, ']') + "}";
  EXPECT_EQ(FindTopLevelString(deep_ok, "k"), Found("v"));  // 128 levels: the limit
  const std::string too_deep = deep + "[" + std::string(128, ']') + "}";
  EXPECT_EQ(FindTopLevelString(too_deep, "k"), std::nullopt);
  // Whatever it finds in a document Parse accepts is Parse's value.
  const std::string line = R"({"b":[1,{"k":"no"}],"k":"yes","z":"\u00e9"})";
  auto parsed = pith::json::Parse(line);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(FindTopLevelString(line, "k"), Found(*parsed->FindString("k")));
}

}  // namespace
