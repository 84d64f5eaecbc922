// The seed bundle pins merge v1: its two events and key must give exactly its state.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "pith/hash.h"
#include "pith/merge.h"
#include "support/seed_data.h"

namespace pith {
namespace {

using testing::SeedBundle;

constexpr char kSeedStateSha256[] = "714b945c9109b8481bc60f82bc23a6ea3b8d03f430b52e10c2326cdb229af968";

TEST(MergeSeed, ReproducesTheSeedStateByteForByte) {
  json::Value bundle = SeedBundle();
  auto merged = Merge(*bundle.FindString("pith_number"), bundle.Find("events")->items(), TrustedKeys::Defaults(), {});
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->state_sha256, kSeedStateSha256);
  EXPECT_EQ(merged->canonical, json::Canonical(*bundle.Find("state")));
}

TEST(MergeSeed, SameBytesUnderShufflesDuplicatesAndThreadCounts) {
  json::Value bundle = SeedBundle();
  std::vector<json::Value> events = bundle.Find("events")->items();
  std::vector<json::Value> docs = events;
  docs.insert(docs.end(), events.begin(), events.end());
  std::mt19937 rng(7);
  for (unsigned threads : {1u, 2u, 4u, 0u}) {
    std::shuffle(docs.begin(), docs.end(), rng);
    MergeOptions opts;
    opts.threads = threads;
    auto merged = Merge(*bundle.FindString("pith_number"), docs, TrustedKeys::Defaults(), opts);
    ASSERT_TRUE(merged.ok());
    EXPECT_EQ(merged->state_sha256, kSeedStateSha256) << "threads=" << threads;
  }
}

TEST(MergeSeed, WithoutTheKeyBothEventsAreUnknownKey) {
  json::Value bundle = SeedBundle();
  auto merged = Merge(*bundle.FindString("pith_number"), bundle.Find("events")->items(), TrustedKeys(), {});
  ASSERT_TRUE(merged.ok());
  auto parsed = merged->Object();
  ASSERT_TRUE(parsed.ok());
  const json::Value& s = *parsed;
  EXPECT_EQ(s.Find("valid_event_count")->text(), "0");
  EXPECT_EQ(s.Find("invalid_event_count")->text(), "2");
  for (const json::Value& e : s.Find("invalid_events")->items()) EXPECT_EQ(*e.FindString("reason"), "unknown_key");
  EXPECT_TRUE(s.Find("current")->Find("record_created")->is_null());
  EXPECT_TRUE(s.Find("applied_event_ids")->items().empty());
}

TEST(MergeSeed, UnknownMergeVersionIsRefused) {
  json::Value bundle = SeedBundle();
  MergeOptions opts;
  opts.merge_version = "pith-open-graph-merge-v2";
  auto merged = Merge(*bundle.FindString("pith_number"), bundle.Find("events")->items(), TrustedKeys::Defaults(), opts);
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(merged.status().message().find("pith-open-graph-merge-v2"), std::string::npos);
}

TEST(MergeSeed, BundleHashReproducedFromItsParts) {
  json::Value bundle = SeedBundle();
  EXPECT_EQ(Sha256Hex(json::Canonical(bundle.Without("bundle_signature"))),
            "0a41ed16347c53f95175fb1fa17107795832108f215827ebad60722be347a9e1");
}

}  // namespace
}  // namespace pith
