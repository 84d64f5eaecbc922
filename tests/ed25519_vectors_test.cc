// Third-party Ed25519 vectors run through our verify path, pith::Ed25519Verify (libsodium's
// crypto_sign_verify_detached). The verdicts pinned here are explained in specs/ed25519-edge-cases.md.
//
// Where the vectors came from (copied unchanged; provenance in tests/data/vectors/README.md):
//   - vectors/wycheproof/ed25519_test.json: github.com/C2SP/wycheproof, testvectors_v1/ed25519_test.json
//     at commit dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166 (Apache-2.0).
//   - vectors/ed25519-speccheck/{cases.json,results.md}: github.com/novifinancial/ed25519-speccheck,
//     cases.json and results.md at commit 65519336fda78a3d016e947df6d82848aca0c9da (Apache-2.0),
//     the cases of "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko, 2020).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "pith/codec.h"
#include "pith/ed25519.h"
#include "pith/json.h"

namespace pith {
namespace {

std::string ReadVectorFile(const std::string& relative) {
  const std::string path = std::string(PITH_TEST_DATA_DIR) + "/vectors/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::Value ParseVectorFile(const std::string& relative) {
  auto doc = json::Parse(ReadVectorFile(relative));
  EXPECT_TRUE(doc.ok()) << relative << ": " << doc.status().ToString();
  return doc.ok() ? *doc : json::Value();
}

std::string StringMember(const json::Value& obj, std::string_view key) {
  const std::string* s = obj.FindString(key);
  EXPECT_NE(s, nullptr) << "missing string member " << key;
  return s != nullptr ? *s : std::string();
}

Bytes HexMember(const json::Value& obj, std::string_view key) {
  auto raw = HexDecode(StringMember(obj, key));
  EXPECT_TRUE(raw.has_value()) << "bad hex in member " << key;
  return raw.value_or(Bytes{});
}

// Our verdict for raw vector bytes. The API takes fixed-size arrays, so a key that is not 32 bytes
// or a signature that is not 64 bytes is rejected here without ever reaching libsodium.
bool Verify(const Bytes& key, const Bytes& message, const Bytes& sig) {
  if (key.size() != PublicKey{}.size() || sig.size() != Signature{}.size()) return false;
  PublicKey pk{};
  Signature s{};
  std::copy(key.begin(), key.end(), pk.begin());
  std::copy(sig.begin(), sig.end(), s.begin());
  return Ed25519Verify(pk, std::string_view(reinterpret_cast<const char*>(message.data()), message.size()), s);
}

// ---------------------------------------------------------------------------------------------
// Wycheproof

// Our verdicts for Wycheproof tests marked "acceptable", by tcId. This file version has none; if a
// newer copy brings some, the test fails until their verdicts are measured and pinned here.
const std::map<int64_t, bool> kWycheproofAcceptable = {};

TEST(ed25519Wycheproof, EveryValidVerifiesAndEveryInvalidIsRejected) {
  json::Value doc = ParseVectorFile("wycheproof/ed25519_test.json");
  ASSERT_TRUE(doc.is_object());
  ASSERT_EQ(StringMember(doc, "algorithm"), "EDDSA");
  int64_t declared = -1;
  ASSERT_NE(doc.Find("numberOfTests"), nullptr);
  ASSERT_TRUE(doc.Find("numberOfTests")->as_int64(&declared));
  const json::Value* groups = doc.Find("testGroups");
  ASSERT_TRUE(groups != nullptr && groups->is_array());

  int total = 0, valid = 0, invalid = 0, acceptable = 0;
  int valid_accepted = 0, invalid_rejected = 0, malformed_length = 0;
  for (const json::Value& group : groups->items()) {
    ASSERT_EQ(StringMember(group, "type"), "EddsaVerify");
    const json::Value* key_obj = group.Find("publicKey");
    ASSERT_TRUE(key_obj != nullptr && key_obj->is_object());
    ASSERT_EQ(StringMember(*key_obj, "curve"), "edwards25519");
    const Bytes key = HexMember(*key_obj, "pk");
    const json::Value* tests = group.Find("tests");
    ASSERT_TRUE(tests != nullptr && tests->is_array());
    for (const json::Value& t : tests->items()) {
      int64_t tc_id = -1;
      ASSERT_NE(t.Find("tcId"), nullptr);
      ASSERT_TRUE(t.Find("tcId")->as_int64(&tc_id));
      SCOPED_TRACE("tcId " + std::to_string(tc_id) + " (" + StringMember(t, "comment") + ")");
      const Bytes msg = HexMember(t, "msg");
      const Bytes sig = HexMember(t, "sig");
      const std::string result = StringMember(t, "result");
      if (key.size() != 32 || sig.size() != 64) ++malformed_length;
      const bool ours = Verify(key, msg, sig);
      ++total;
      if (result == "valid") {
        ++valid;
        EXPECT_TRUE(ours) << "Wycheproof says valid, we reject";
        valid_accepted += ours ? 1 : 0;
      } else if (result == "invalid") {
        ++invalid;
        EXPECT_FALSE(ours) << "Wycheproof says invalid, we accept";
        invalid_rejected += ours ? 0 : 1;
      } else if (result == "acceptable") {
        ++acceptable;
        auto pinned = kWycheproofAcceptable.find(tc_id);
        if (pinned == kWycheproofAcceptable.end()) {
          ADD_FAILURE() << "acceptable test not pinned; our verdict is " << (ours ? "accept" : "reject");
        } else {
          EXPECT_EQ(ours, pinned->second);
        }
      } else {
        ADD_FAILURE() << "unknown result " << result;
      }
    }
  }
  // The totals of this copy (testvectors_v1 at dac1dd47...), measured with libsodium 1.0.18.
  EXPECT_EQ(total, declared);
  EXPECT_EQ(total, 151);
  EXPECT_EQ(valid, 88);
  EXPECT_EQ(invalid, 63);
  EXPECT_EQ(acceptable, 0);
  EXPECT_EQ(valid_accepted, 88);
  EXPECT_EQ(invalid_rejected, 63);
  // Signatures of 0, 32, 62, 63, 65, 66 or 96 bytes (tcId 30..41): rejected by length alone.
  EXPECT_EQ(malformed_length, 12);
}

TEST(ed25519Wycheproof, WrongLengthsAreRejectedBeforeLibsodium) {
  const Bytes key(32, 0x11), msg = {'a'};
  EXPECT_FALSE(Verify(Bytes(31, 0x11), msg, Bytes(64, 0)));
  EXPECT_FALSE(Verify(Bytes(33, 0x11), msg, Bytes(64, 0)));
  EXPECT_FALSE(Verify(key, msg, Bytes{}));
  EXPECT_FALSE(Verify(key, msg, Bytes(63, 0)));
  EXPECT_FALSE(Verify(key, msg, Bytes(65, 0)));
}

// ---------------------------------------------------------------------------------------------
// ed25519-speccheck

// Our verdict for each case of cases.json, by index (true = accepted). Measured with libsodium
// 1.0.18; what each case exercises and why it is rejected is in specs/ed25519-edge-cases.md.
constexpr std::array<bool, 12> kSpeccheckExpected = {
    false,  // 0: S = 0, small-order A and R
    false,  // 1: small-order A, mixed-order R
    false,  // 2: mixed-order A, small-order R
    true,   // 3: mixed-order A and R, passes the cofactorless equation
    false,  // 4: mixed-order A and R, passes only the cofactored equation
    false,  // 5: mixed-order A, order-L R, passes only the cofactored equation
    false,  // 6: S >= L (but S < 2^253)
    false,  // 7: S >= 2^253
    false,  // 8: non-canonical small-order R (passes only if R is re-encoded before hashing)
    false,  // 9: non-canonical small-order R (passes when R is hashed as given)
    false,  // 10: non-canonical small-order A (passes cofactorless only if A is re-encoded)
    false,  // 11: non-canonical small-order A (passes when A is hashed as given)
};

// The libsodium row of results.md, parsed. The file is a bare table with no header row: one row per
// library, `|Name | c0 | c1 | ... |` with V (accepted) or X (rejected), so cell i is case i.
std::optional<std::vector<bool>> ResultsRow(const std::string& results_md, std::string_view library) {
  std::istringstream lines(results_md);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '|') continue;
    std::vector<std::string> cells;
    size_t start = 1;
    for (size_t bar; (bar = line.find('|', start)) != std::string::npos; start = bar + 1) {
      std::string cell = line.substr(start, bar - start);
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
    }
    if (cells.empty() || cells[0] != library) continue;
    std::vector<bool> row;
    for (size_t i = 1; i < cells.size(); ++i) {
      if (cells[i] != "V" && cells[i] != "X") return std::nullopt;
      row.push_back(cells[i] == "V");
    }
    return row;
  }
  return std::nullopt;
}

TEST(ed25519Speccheck, OurVerdictPerCaseIsPinned) {
  json::Value cases = ParseVectorFile("ed25519-speccheck/cases.json");
  ASSERT_TRUE(cases.is_array());
  ASSERT_EQ(cases.items().size(), kSpeccheckExpected.size());
  for (size_t i = 0; i < cases.items().size(); ++i) {
    SCOPED_TRACE("speccheck case " + std::to_string(i));
    const json::Value& c = cases.items()[i];
    const Bytes key = HexMember(c, "pub_key");
    const Bytes msg = HexMember(c, "message");
    const Bytes sig = HexMember(c, "signature");
    ASSERT_EQ(key.size(), 32u);
    ASSERT_EQ(sig.size(), 64u);
    EXPECT_EQ(Verify(key, msg, sig), kSpeccheckExpected[i]);
  }
}

TEST(ed25519Speccheck, PinnedVerdictsMatchTheLibsodiumRowOfResultsMd) {
  const std::string results = ReadVectorFile("ed25519-speccheck/results.md");
  auto row = ResultsRow(results, "LibSodium");
  ASSERT_TRUE(row.has_value()) << "no well-formed LibSodium row in results.md";
  ASSERT_EQ(row->size(), kSpeccheckExpected.size());
  for (size_t i = 0; i < row->size(); ++i) {
    EXPECT_EQ((*row)[i], kSpeccheckExpected[i]) << "case " << i;
  }
  // The parser itself: a second row read the same way (Zebra, the cofactored verifier).
  auto zebra = ResultsRow(results, "Zebra");
  ASSERT_TRUE(zebra.has_value());
  EXPECT_EQ(*zebra, (std::vector<bool>{true, true, true, true, true, true, false, false, false, true, true, true}));
}

}  // namespace
}  // namespace pith
