#include "pith/merge_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "parallel_for.h"
#include "pith/hash.h"

namespace pith {
namespace {

constexpr size_t kChunkLines = 8192;  // lines parsed in parallel at a time in pass 1

// A raw line and where it came from, for pass 1.
struct PendingLine {
  std::string text;
  uint64_t offset;
  size_t number;
};

Status ReadAt(int fd, uint64_t offset, uint32_t length, std::string* out) {
  out->resize(length);
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out->data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::IOError(std::string("cannot read back an indexed line: ") + (n < 0 ? std::strerror(errno) : "file shrank"));
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

}  // namespace

uint32_t ShardOf(std::string_view subject, uint32_t count) {
  Digest d = Sha256(subject);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[i];
  return static_cast<uint32_t>(v % count);
}

StreamMerger::StreamMerger(unsigned threads, Shard shard) : threads_(threads), shard_(shard) {}
StreamMerger::~StreamMerger() = default;

Status StreamMerger::AddJsonLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open: " + std::strerror(errno));
  const uint32_t file = static_cast<uint32_t>(files_.size());
  files_.push_back(path);
  std::vector<PendingLine> chunk;
  std::vector<std::string> subject_of;  // per line of the chunk; "" when unusable
  std::vector<json::ParseError> errors;
  auto flush = [&]() {
    subject_of.assign(chunk.size(), std::string());
    errors.assign(chunk.size(), json::ParseError());
    merge_internal::ParallelFor(chunk.size(), threads_, [&](size_t i) {
      auto doc = json::Parse(chunk[i].text, {}, &errors[i]);
      if (!doc.ok()) return;
      const std::string* s = doc->FindString("subject_pith_number");
      if (s == nullptr) {
        errors[i].what = "event has no subject_pith_number string; it belongs to no subject and is skipped";
        errors[i].column = 0;
        return;
      }
      subject_of[i] = *s;
    });
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (subject_of[i].empty()) {
        std::string where = path + ":" + std::to_string(chunk[i].number);
        if (errors[i].column != 0) where += ":" + std::to_string(errors[i].column);
        problems_.push_back({where, errors[i].what});
        continue;
      }
      if (!shard_.Contains(subject_of[i])) continue;
      subjects_[subject_of[i]].lines.push_back({file, static_cast<uint32_t>(chunk[i].text.size()), chunk[i].offset});
      ++indexed_;
    }
    chunk.clear();
  };
  std::string line;
  uint64_t offset = 0;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    uint64_t line_offset = offset;
    offset += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.size() > json::ParseLimits().max_document_bytes) {
      problems_.push_back({path + ":" + std::to_string(number), "line longer than the document limit"});
      continue;
    }
    chunk.push_back({std::move(line), line_offset, number});
    if (chunk.size() >= kChunkLines) flush();
  }
  if (in.bad()) return Status::IOError(path + ": read failed");
  flush();
  return Status::OK();
}

void StreamMerger::AddDocuments(const std::string& subject, std::vector<json::Value> documents) {
  if (!shard_.Contains(subject)) return;
  auto& target = subjects_[subject].documents;
  indexed_ += documents.size();
  for (json::Value& d : documents) target.push_back(std::move(d));
}

Status StreamMerger::Run(const TrustedKeys& keys, const std::string& merge_version,
                         const std::function<Status(const std::string&, const MergedState&)>& emit) {
  if (!IsKnownMergeVersion(merge_version)) {
    return Status::Unsupported("unknown merge version \"" + merge_version + "\"; this build implements " + std::string(kMergeV1));
  }
  std::vector<int> fds;
  for (const std::string& path : files_) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      for (int f : fds) ::close(f);
      return Status::IOError(path + ": cannot reopen: " + std::strerror(errno));
    }
    fds.push_back(fd);
  }
  Status result;
  // Not `auto& [subject, inputs]`: clang before 16 cannot capture structured bindings in lambdas.
  for (auto& subject_entry : subjects_) {
    const std::string& subject = subject_entry.first;
    SubjectInputs& inputs = subject_entry.second;
    result = CheckSubjectSize(subject, inputs.lines.size() + inputs.documents.size());
    if (!result.ok()) break;
    // Read back, parse and check this subject's lines on the worker threads.
    const size_t n_lines = inputs.lines.size();
    std::vector<json::Value> docs(n_lines);
    std::vector<Status> read_errors(n_lines);
    std::vector<DocumentVerdict> verdicts(n_lines + inputs.documents.size());
    merge_internal::ParallelFor(n_lines, threads_, [&](size_t i) {
      std::string text;
      const LineRef& ref = inputs.lines[i];
      read_errors[i] = ReadAt(fds[ref.file], ref.offset, ref.length, &text);
      if (!read_errors[i].ok()) return;
      auto doc = json::Parse(text);
      if (!doc.ok()) {
        read_errors[i] = Status::IOError(files_[ref.file] + ": a line changed between the two passes");
        return;
      }
      docs[i] = std::move(*doc);
      verdicts[i] = CheckDocument(docs[i], subject, keys);
    });
    for (const Status& s : read_errors) {
      if (!s.ok()) result = s;
    }
    if (!result.ok()) break;
    for (json::Value& d : inputs.documents) docs.push_back(std::move(d));
    merge_internal::ParallelFor(inputs.documents.size(), threads_, [&](size_t k) {
      verdicts[n_lines + k] = CheckDocument(docs[n_lines + k], subject, keys);
    });
    auto merged = MergeChecked(subject, docs, verdicts, keys, merge_version);
    if (!merged.ok()) {
      result = merged.status();
      break;
    }
    result = emit(subject, *merged);
    if (!result.ok()) break;
    inputs = SubjectInputs();  // release this subject's memory
  }
  for (int f : fds) ::close(f);
  return result;
}

}  // namespace pith
