// The streaming merge (pith/merge_stream.h) against the in-memory one (pith/merge.h): the same
// states from a JSONL file of generated subjects (chains, forks, supersedes, tampered and foreign
// events), with lines canonical, spaced (parsed, not proven) and repeated, on one thread and on
// two. Subjects of 300 events are large enough for their lines to be checked on both threads
// (run under TSan in CI), and repeated lines exercise the document hashes the stream computes
// only when copies of an event meet.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "pith/json.h"
#include "pith/merge.h"
#include "pith/merge_stream.h"
#include "support/test_events.h"

namespace pith {
namespace {

TEST(MergeStream, LargeSubjectsGiveTheInMemoryMergesStatesOnOneAndTwoThreads) {
  const SigningKey registry = testing::FixedKey("registry-m");
  const SigningKey stranger = testing::FixedKey("stranger");
  TrustedKeys trusted;
  ASSERT_TRUE(trusted.AddFromJson(registry.public_entry).ok());
  std::mt19937_64 rng(20261206);
  std::vector<std::string> lines;
  std::map<std::string, std::vector<json::Value>> documents;  // subject -> every copy, as lines give them
  for (int s = 0; s < 2; ++s) {
    const testing::GeneratedSubject subject = testing::MakeSubject(s, 300, registry, stranger, rng);
    for (size_t k = 0; k < subject.events.size(); ++k) {
      const json::Value& e = subject.events[k];
      const std::string canonical = json::Canonical(e);
      lines.push_back(canonical);
      documents[subject.pith_number].push_back(e);
      if (k % 7 == 3) {  // the same document spaced: parsed in pass 2, not proven
        lines.push_back("{ " + canonical.substr(1));
        documents[subject.pith_number].push_back(e);
      }
      if (k % 11 == 5) {  // a second canonical copy
        lines.push_back(canonical);
        documents[subject.pith_number].push_back(e);
      }
    }
  }
  std::shuffle(lines.begin(), lines.end(), rng);
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "pith_merge_stream_test.jsonl";
  {
    std::ofstream out(path, std::ios::binary);
    for (const std::string& line : lines) out << line << '\n';
  }
  std::map<std::string, std::string> expected;
  for (const auto& [subject, docs] : documents) {
    auto merged = Merge(subject, docs, trusted, {});
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    expected[subject] = merged->canonical;
  }
  for (unsigned threads : {1u, 2u}) {
    StreamMerger merger(threads);
    ASSERT_TRUE(merger.AddJsonLines(path.string()).ok());
    std::map<std::string, std::string> got;
    Status run = merger.Run(trusted, std::string(kMergeV1), [&](const std::string& subject, const MergedState& state) {
      got[subject] = state.canonical;
      return Status::OK();
    });
    ASSERT_TRUE(run.ok()) << run.ToString();
    EXPECT_TRUE(merger.problems().empty());
    EXPECT_EQ(got, expected) << "threads=" << threads;
  }
  std::filesystem::remove(path);
  // The generated sets hold what the lazy document hashes are for: invalid events and copies.
  for (const auto& [subject, state] : expected) {
    auto parsed = json::Parse(state);
    ASSERT_TRUE(parsed.ok());
    EXPECT_GT(parsed->Find("invalid_events")->items().size(), 0u) << subject;
  }
}

}  // namespace
}  // namespace pith
