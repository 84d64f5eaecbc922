// Merging inputs larger than memory. A first pass indexes every .jsonl line by subject (file,
// offset, length: 16 bytes an event); a second pass reads each subject's lines back, merges them
// and emits the states in pith-number order. Memory grows with the index and the largest subject,
// not with the input. Parsing and verification run on `threads` threads; output never depends on it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge.h"
#include "pith/status.h"

namespace pith {

// Which of `count` shards a subject belongs to: the first 8 bytes of sha256(pith number), read
// big-endian, modulo count. Stable across machines and versions (specs/scaling.md).
uint32_t ShardOf(std::string_view subject, uint32_t count);

struct Shard {
  uint32_t index = 0;
  uint32_t count = 1;
  bool Contains(std::string_view subject) const { return count <= 1 || ShardOf(subject, count) == index; }
};

// A line that could not be used, with where it is ("FILE:LINE:COL").
struct InputProblem {
  std::string where;
  std::string what;
  uint32_t file = 0;    // the index of its file in the order the files were added
  uint64_t offset = 0;  // its byte offset in that file
};

class StreamMerger {
 public:
  explicit StreamMerger(unsigned threads = 0, Shard shard = {});
  ~StreamMerger();

  // Pass 1 over one JSONL file: index each line by its subject_pith_number.
  Status AddJsonLines(const std::string& path);
  // Documents already in memory (a bundle's events) for one subject.
  void AddDocuments(const std::string& subject, std::vector<json::Value> documents);

  // Pass 2: every subject of the shard, in pith-number order. Lines that pass 1 indexed but the
  // strict parser refuses are left out and added to problems().
  Status Run(const TrustedKeys& keys, const std::string& merge_version,
             const std::function<Status(const std::string& subject, const MergedState&)>& emit);

  // Input lines left out, in input order (complete once Run has returned).
  const std::vector<InputProblem>& problems() const { return problems_; }
  size_t indexed_events() const { return indexed_; }

 private:
  struct LineRef {
    uint32_t file;
    uint32_t length;
    uint64_t offset;
  };
  struct SubjectInputs {
    std::vector<LineRef> lines;
    std::vector<json::Value> documents;
  };
  // A line pass 2 refused; its line number is found after the run (ReportRefusedLines).
  struct RefusedLine {
    uint32_t file;
    uint64_t offset;
    size_t column;
    std::string what;
  };

  // Pass 1's chunks of lines (merge_stream.cc).
  struct LineChunk;
  static void ScanChunk(LineChunk* chunk, unsigned threads);
  void IndexChunk(LineChunk* chunk, uint32_t file);

  // Pass 2 for one subject, its documents checked on `threads` threads; nullopt when the strict
  // parser refused every line of it.
  Result<std::optional<MergedState>> MergeSubject(const std::string& subject, SubjectInputs* inputs, const std::vector<int>& fds,
                                   unsigned threads, const TrustedKeys& keys, const std::string& merge_version,
                                   std::vector<RefusedLine>* refused);
  // The lines `refs` names, read back in runs (lines close together in one file come in one read):
  // (*texts)[i] views line i inside its run, kept in *runs.
  static Status ReadLines(const std::vector<LineRef>& refs, const std::vector<int>& fds, std::vector<std::string>* runs,
                          std::vector<std::string_view>* texts);
  // Adds the refused lines to problems_ as FILE:LINE:COL, reading each file once.
  Status ReportRefusedLines(std::vector<RefusedLine> lines, const std::vector<int>& fds);

  unsigned threads_;
  Shard shard_;
  std::vector<std::string> files_;
  std::map<std::string, SubjectInputs, std::less<>> subjects_;  // std::less<>: found by string_view
  std::vector<InputProblem> problems_;
  size_t indexed_ = 0;
};

}  // namespace pith
