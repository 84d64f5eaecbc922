// Bundle verification: the seed bundle is all good; every single-bit change of it is either
// unreadable JSON, the same document, or reported as a problem.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "pith/bundle.h"
#include "support/seed_data.h"

namespace pith {
namespace {

std::string SeedText() { return testing::ReadSeed(testing::kSeedBundleFile); }

TEST(BundleVerify, SeedBundleIsAllGood) {
  auto bundle = json::Parse(SeedText());
  ASSERT_TRUE(bundle.ok());
  BundleVerifyOptions options;
  options.merge.threads = 1;
  auto report = VerifyBundle(*bundle, TrustedKeys::Defaults(), options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const BundleCheck& c : report->checks) EXPECT_TRUE(c.ok) << c.name << ": " << c.detail;
  EXPECT_EQ(report->state_sha256, "714b945c9109b8481bc60f82bc23a6ea3b8d03f430b52e10c2326cdb229af968");
}

TEST(BundleVerify, WithoutTrustedKeysTheBundleSignatureAndEventsFail) {
  auto bundle = json::Parse(SeedText());
  auto report = VerifyBundle(*bundle, TrustedKeys(), {});
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
  // --trust-bundle-keys lets the bundle's own key vouch for it.
  BundleVerifyOptions trusting;
  trusting.trust_bundle_keys = true;
  auto trusted = VerifyBundle(*bundle, TrustedKeys(), trusting);
  ASSERT_TRUE(trusted.ok());
  EXPECT_TRUE(trusted->ok());
}

// The one member no hash or signature covers, by design of the format: when a signature was made
// (signed_at). Verify checks its shape, but a change to another valid time is undetectable.
json::Value BlankSignedAt(const json::Value& sig) {
  if (!sig.is_object() || sig.Find("signed_at") == nullptr) return sig;
  std::vector<json::Value::Member> m = sig.Without({"signed_at"}).members();
  m.emplace_back("signed_at", json::Value::Null());
  return json::Value::Object(std::move(m));
}

json::Value WithoutUnsignedMetadata(const json::Value& bundle) {
  std::vector<json::Value::Member> members;
  for (const auto& [key, value] : bundle.members()) {
    if (key == "bundle_signature") {
      members.emplace_back(key, BlankSignedAt(value));
    } else if (key == "events" && value.is_array()) {
      std::vector<json::Value> events;
      for (const json::Value& e : value.items()) {
        const json::Value* sig = e.Find("signature");
        if (sig == nullptr) {
          events.push_back(e);
          continue;
        }
        std::vector<json::Value::Member> em = e.Without({"signature"}).members();
        em.emplace_back("signature", BlankSignedAt(*sig));
        events.push_back(json::Value::Object(std::move(em)));
      }
      members.emplace_back(key, json::Value::Array(std::move(events)));
    } else {
      members.emplace_back(key, value);
    }
  }
  return json::Value::Object(std::move(members));
}

TEST(BundleVerify, EverySingleBitFlipIsUnreadableUnchangedOrAProblem) {
  const std::string original = SeedText();
  const std::string original_canon = json::Canonical(*json::Parse(original));
  const std::string original_signed = json::Canonical(WithoutUnsignedMetadata(*json::Parse(original)));
  const TrustedKeys keys = TrustedKeys::Defaults();
  BundleVerifyOptions options;
  options.merge.threads = 1;
  size_t unreadable = 0, same = 0, unsigned_metadata = 0, problems = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    std::string flipped = original;
    flipped[i] = static_cast<char>(flipped[i] ^ (1 << (i % 8)));
    auto doc = json::Parse(flipped);
    if (!doc.ok()) {
      ++unreadable;
      continue;
    }
    auto report = VerifyBundle(*doc, keys, options);
    if (json::Canonical(*doc) == original_canon) {
      ++same;
      ASSERT_TRUE(report.ok() && report->ok()) << "byte " << i << " left the document unchanged yet failed";
      continue;
    }
    if (report.ok() && report->ok()) {
      ASSERT_EQ(json::Canonical(WithoutUnsignedMetadata(*doc)), original_signed)
          << "flip at byte " << i << " went unnoticed";
      ++unsigned_metadata;
      continue;
    }
    ++problems;
  }
  std::cout << "bit flips: " << unreadable << " unreadable, " << same << " same document, " << unsigned_metadata << " changing only a signed_at time, " << problems
            << " reported as problems\n";
  EXPECT_GT(problems, original.size() / 2);
}

}  // namespace
}  // namespace pith
