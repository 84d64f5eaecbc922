// The streaming merge (pith/merge_stream.h) against the in-memory one (pith/merge.h): the same
// states from a JSONL file of generated subjects (chains, forks, supersedes, tampered and foreign
// events), with lines canonical, spaced (parsed, not proven) and repeated, on one thread and on
// two. Subjects of 300 events are large enough for their lines to be checked on both threads
// (run under TSan in CI), and repeated lines exercise the document hashes the stream computes
// only when copies of an event meet. Pass 1 over a file of many chunks indexes each line once.
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

// Writes `lines` to a file in the temporary directory, one per line.
std::filesystem::path WriteLines(const std::string& name, const std::vector<std::string>& lines) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / name;
  std::ofstream out(path, std::ios::binary);
  for (const std::string& line : lines) out << line << '\n';
  return path;
}

// Each subject's state by the in-memory merge of its documents.
std::map<std::string, std::string> InMemoryStates(const std::map<std::string, std::vector<json::Value>>& documents,
                                                  const TrustedKeys& trusted) {
  std::map<std::string, std::string> states;
  for (const auto& [subject, docs] : documents) {
    auto merged = Merge(subject, docs, trusted, {});
    EXPECT_TRUE(merged.ok()) << merged.status().ToString();
    if (merged.ok()) states[subject] = merged->canonical;
  }
  return states;
}

// Each subject's state by pass 2 of `merger`.
std::map<std::string, std::string> StreamedStates(StreamMerger* merger, const TrustedKeys& trusted) {
  std::map<std::string, std::string> states;
  Status run = merger->Run(trusted, std::string(kMergeV1), [&](const std::string& subject, const MergedState& state) {
    states[subject] = state.canonical;
    return Status::OK();
  });
  EXPECT_TRUE(run.ok()) << run.ToString();
  return states;
}

// Signed by `registry` (trusted) and, for a few events, by `stranger` (not).
class MergeStream : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(trusted.AddFromJson(registry.public_entry).ok()); }

  const SigningKey registry = testing::FixedKey("registry-m");
  const SigningKey stranger = testing::FixedKey("stranger");
  TrustedKeys trusted;
};

TEST_F(MergeStream, LargeSubjectsGiveTheInMemoryMergesStatesOnOneAndTwoThreads) {
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
  const std::filesystem::path path = WriteLines("pith_merge_stream_test.jsonl", lines);
  const std::map<std::string, std::string> expected = InMemoryStates(documents, trusted);
  for (unsigned threads : {1u, 2u}) {
    StreamMerger merger(threads);
    ASSERT_TRUE(merger.AddJsonLines(path.string()).ok());
    EXPECT_EQ(StreamedStates(&merger, trusted), expected) << "threads=" << threads;
    EXPECT_TRUE(merger.problems().empty());
  }
  std::filesystem::remove(path);
  // The generated sets hold what the lazy document hashes are for: invalid events and copies.
  for (const auto& [subject, state] : expected) {
    auto parsed = json::Parse(state);
    ASSERT_TRUE(parsed.ok());
    EXPECT_GT(parsed->Find("invalid_events")->items().size(), 0u) << subject;
  }
}

// Pass 1 reads a chunk of lines while the one before is scanned on other threads. A file of many
// chunks, valid events among lines that are not JSON, must index every event exactly once (a
// chunk lost or indexed twice changes indexed_events()) and report every bad line by its number.
TEST_F(MergeStream, AFileOfManyChunksIndexesEveryLineOnceAndReportsBadLinesByNumber) {
  std::mt19937_64 rng(20261207);
  std::map<std::string, std::vector<json::Value>> documents;
  std::vector<std::string> events;
  for (int s = 0; s < 3; ++s) {
    const testing::GeneratedSubject subject = testing::MakeSubject(10 + s, 40, registry, stranger, rng);
    for (const json::Value& e : subject.events) {
      events.push_back(json::Canonical(e));
      documents[subject.pith_number].push_back(e);
    }
  }
  // 9,000 lines that are not JSON (several chunks' worth), the events spread among them in order.
  std::vector<std::string> lines(9000, "not json");
  std::vector<size_t> bad_line_numbers;
  for (size_t k = 0; k < events.size(); ++k) lines[k * lines.size() / events.size()] = events[k];
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i] == "not json") bad_line_numbers.push_back(i + 1);
  }
  const std::filesystem::path path = WriteLines("pith_merge_stream_chunks_test.jsonl", lines);
  const std::map<std::string, std::string> expected = InMemoryStates(documents, trusted);
  for (unsigned threads : {1u, 2u, 3u}) {
    StreamMerger merger(threads);
    ASSERT_TRUE(merger.AddJsonLines(path.string()).ok());
    EXPECT_EQ(merger.indexed_events(), events.size()) << "threads=" << threads;
    EXPECT_EQ(StreamedStates(&merger, trusted), expected) << "threads=" << threads;
    ASSERT_EQ(merger.problems().size(), bad_line_numbers.size()) << "threads=" << threads;
    for (size_t k = 0; k < bad_line_numbers.size(); ++k) {
      const std::string prefix = path.string() + ":" + std::to_string(bad_line_numbers[k]) + ":";
      ASSERT_EQ(merger.problems()[k].where.rfind(prefix, 0), 0u)
          << merger.problems()[k].where << " is not at " << prefix << " (threads=" << threads << ")";
    }
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace pith
