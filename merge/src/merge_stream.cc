#include "pith/merge_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>
#include <cstring>
#include <future>
#include <iterator>
#include <map>
#include <optional>

#include "pith/parallel_for.h"
#include "pith/event_record.h"
#include "pith/hash.h"
#include "pith/json_view.h"
#include "pith/line_reader.h"
#include "merge_detail.h"
#include "subject_scan.h"

namespace pith {
namespace {

// Pass 1 scans chunks of kChunkLines lines, or fewer when their bytes reach kChunkBytes (plus one
// line). Small chunks stay in the caches between the read and the scan: at 1,024 lines (2.2 MB of
// synth events) a cold merge of 200,000 events ran 6 to 7% faster on two threads than at 8,192,
// with a third of the page faults (256 and 4,096 were slower; by hand, tests/bench/RESULTS.md).
constexpr size_t kChunkLines = 1024;
constexpr size_t kChunkBytes = 32u << 20;

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

// One chunk of pass 1: its lines' bytes in one buffer (kept from chunk to chunk: no allocation per
// line), and what the scans found of each line.
struct StreamMerger::LineChunk {
  struct Line {  // its bytes at [begin, begin + length) of `bytes`, and where it came from
    size_t begin;
    uint32_t length;
    uint64_t offset;
    size_t number;
  };
  std::string bytes;
  std::vector<Line> lines;
  std::vector<std::string_view> subject_of;   // per line; empty when unusable
  std::vector<std::string> found_by_parsing;  // per line, the subject of a line the walk could not read
  std::vector<json::ParseError> errors;
};

// The quick scans of a chunk's lines, on `threads` threads; pass 2 parses strictly (and reports)
// every line they let through.
void StreamMerger::ScanChunk(LineChunk* chunk, unsigned threads) {
  const size_t n = chunk->lines.size();
  chunk->subject_of.assign(n, std::string_view());
  chunk->found_by_parsing.assign(n, std::string());
  chunk->errors.assign(n, json::ParseError());
  ParallelFor(n, threads, [chunk](size_t i) {
    const std::string_view text(chunk->bytes.data() + chunk->lines[i].begin, chunk->lines[i].length);
    if (auto subject = merge_internal::FindSubjectInPlace(text); subject && !subject->empty()) {
      chunk->subject_of[i] = *subject;
      return;
    }
    if (auto subject = merge_internal::ScanSubject(text); subject && !subject->empty()) {
      chunk->found_by_parsing[i] = std::move(*subject);
      chunk->subject_of[i] = chunk->found_by_parsing[i];
      return;
    }
    auto doc = json::Parse(text, {}, &chunk->errors[i]);
    if (!doc.ok()) return;
    const std::string* s = doc->FindString("subject_pith_number");
    if (s == nullptr || s->empty()) {
      chunk->errors[i].what = "event has no subject_pith_number string; it belongs to no subject and is skipped";
      chunk->errors[i].column = 0;
      return;
    }
    chunk->found_by_parsing[i] = *s;
    chunk->subject_of[i] = chunk->found_by_parsing[i];
  });
}

// Adds a scanned chunk's lines to the index (or to problems_), in line order, and empties it.
void StreamMerger::IndexChunk(LineChunk* chunk, uint32_t file) {
  SubjectInputs* last = nullptr;  // a subject's lines usually follow each other
  std::string_view last_subject;
  for (size_t i = 0; i < chunk->lines.size(); ++i) {
    const LineChunk::Line& line = chunk->lines[i];
    const std::string_view subject = chunk->subject_of[i];
    if (subject.empty()) {
      std::string where = files_[file] + ":" + std::to_string(line.number);
      if (chunk->errors[i].column != 0) where += ":" + std::to_string(chunk->errors[i].column);
      problems_.push_back({where, chunk->errors[i].what, file, line.offset});
      continue;
    }
    if (last == nullptr || subject != last_subject) {
      if (!shard_.Contains(subject)) continue;
      auto it = subjects_.find(subject);
      if (it == subjects_.end()) it = subjects_.emplace(std::string(subject), SubjectInputs()).first;
      last = &it->second;
      last_subject = it->first;
    }
    last->lines.push_back({file, line.length, line.offset});
    ++indexed_;
  }
  chunk->lines.clear();
  chunk->bytes.clear();
}

Status StreamMerger::AddJsonLines(const std::string& path) {
  const size_t limit = json::ParseLimits().max_document_bytes;
  auto reader = LineReader::Open(path, limit);
  if (!reader.ok()) return reader.status();
  const uint32_t file = static_cast<uint32_t>(files_.size());
  files_.push_back(path);
  // With more than one thread, a full chunk is scanned on the workers while this thread reads the
  // next one into the other buffer (reading and copying is about half of pass 1 on one thread);
  // chunks are indexed in order.
  const unsigned threads = ResolveThreads(threads_);
  LineChunk chunks[2];
  LineChunk* filling = &chunks[0];
  LineChunk* scanned = nullptr;  // the chunk being scanned, if any
  std::future<void> scanning;
  auto finish_scanned = [&] {
    if (scanned == nullptr) return;
    scanning.get();
    IndexChunk(scanned, file);
    scanned = nullptr;
  };
  auto scan_and_index_now = [&] {
    ScanChunk(filling, threads);
    IndexChunk(filling, file);
  };
  auto chunk_full = [&] {
    finish_scanned();
    if (threads <= 1) {
      scan_and_index_now();
      return;
    }
    scanning = AsyncOrDeferred([chunk = filling, threads] { ScanChunk(chunk, threads); });
    scanned = filling;
    filling = scanned == &chunks[0] ? &chunks[1] : &chunks[0];
  };
  JsonLine line;
  while ((*reader)->Next(&line)) {
    if (line.too_long) {
      problems_.push_back({path + ":" + std::to_string(line.number), TooLongLineMessage(line, limit), file, line.offset});
      continue;
    }
    if (IsBlankLine(line.text)) continue;
    filling->lines.push_back({filling->bytes.size(), static_cast<uint32_t>(line.text.size()), line.offset, line.number});
    filling->bytes.append(line.text);
    if (filling->lines.size() >= kChunkLines || filling->bytes.size() >= kChunkBytes) chunk_full();
  }
  finish_scanned();
  if (!(*reader)->status().ok()) return (*reader)->status().WithPrefix(path);
  scan_and_index_now();  // the last chunk, not full
  return Status::OK();
}

void StreamMerger::AddDocuments(const std::string& subject, std::vector<json::Value> documents) {
  if (!shard_.Contains(subject)) return;
  auto& target = subjects_[subject].documents;
  indexed_ += documents.size();
  for (json::Value& d : documents) target.push_back(std::move(d));
}

// The lines `refs` names, read back in runs: lines that lie close together in one file (a subject's
// lines usually follow each other) come in one pread of up to kMaxRun bytes, and (*texts)[i] views
// line i inside its run, kept in *runs.
Status StreamMerger::ReadLines(const std::vector<LineRef>& refs, const std::vector<int>& fds,
                               std::vector<std::string>* runs, std::vector<std::string_view>* texts) {
  constexpr uint64_t kMaxGap = 256;         // bytes between two lines read along (blank lines, CRs)
  constexpr uint64_t kMaxRun = 4u << 20;  // one read at most; a longer line is a run of its own
  texts->assign(refs.size(), std::string_view());
  runs->reserve(runs->size() + refs.size());  // never reallocated: views into short (inline) strings stay valid
  for (size_t first = 0; first < refs.size();) {
    const uint64_t start = refs[first].offset;
    uint64_t end = start + refs[first].length;
    size_t last = first + 1;
    while (last < refs.size() && refs[last].file == refs[first].file && refs[last].offset >= end &&
           refs[last].offset - end <= kMaxGap && refs[last].offset + refs[last].length - start <= kMaxRun) {
      end = refs[last].offset + refs[last].length;
      ++last;
    }
    if (end - start > UINT32_MAX) return Status::Internal("a run of lines longer than a line may be");
    runs->emplace_back();
    PITH_RETURN_IF_ERROR(ReadAt(fds[refs[first].file], start, static_cast<uint32_t>(end - start), &runs->back()));
    for (size_t i = first; i < last; ++i) {
      (*texts)[i] = std::string_view(runs->back()).substr(refs[i].offset - start, refs[i].length);
    }
    first = last;
  }
  return Status::OK();
}

Result<std::optional<MergedState>> StreamMerger::MergeSubject(const std::string& subject, SubjectInputs* inputs, const std::vector<int>& fds,
                                               unsigned threads, const TrustedKeys& keys, const std::string& merge_version,
                                               std::vector<RefusedLine>* refused_lines) {
  PITH_RETURN_IF_ERROR(CheckSubjectSize(subject, inputs->lines.size() + inputs->documents.size()));
  PITH_RETURN_IF_ERROR(CheckMergeVersion(merge_version));
  // Read back, parse and check the subject's lines, keeping of each its event record (a parsed
  // document is let go at once). Pass 1 only scanned them: a line the strict parser refuses is
  // reported here and left out, as pass 1 would have.
  const size_t n_lines = inputs->lines.size();
  const size_t n = n_lines + inputs->documents.size();
  std::vector<CheckedRecord> checked(n);
  std::vector<std::optional<json::ParseError>> refused(n_lines);
  std::vector<uint8_t> proven(n_lines, 0);  // written by index from several threads: not vector<bool>
  std::vector<std::string> runs;
  std::vector<std::string_view> texts;
  PITH_RETURN_IF_ERROR(ReadLines(inputs->lines, fds, &runs, &texts));
  ParallelFor(n, threads, [&](size_t i) {
    if (i >= n_lines) {
      checked[i] = CheckAndRecord(inputs->documents[i - n_lines], subject, keys);
      return;
    }
    const std::string_view text = texts[i];
    // Most lines are canonical already: then they are read in place, with no tree and no rewrite,
    // and a well-formed one is hashed only if the merge needs its hash (below).
    if (const json::CanonicalText canonical(text); canonical.proven()) {
      checked[i] = merge_internal::CheckAndRecordDeferringHash(canonical, subject, keys);
      proven[i] = 1;
      return;
    }
    json::ParseError error;
    auto doc = json::Parse(text, {}, &error);
    if (!doc.ok()) {
      refused[i] = std::move(error);
      return;
    }
    checked[i] = CheckAndRecord(*doc, subject, keys);
  });
  std::vector<EventRecordView> records;
  std::vector<DocumentVerdict> verdicts;
  std::vector<std::string_view> canonical;  // per record: its line when proven (the line is canon(document))
  records.reserve(n);
  verdicts.reserve(n);
  canonical.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i < n_lines && refused[i]) {
      const LineRef& ref = inputs->lines[i];
      refused_lines->push_back({ref.file, ref.offset, refused[i]->column, std::move(refused[i]->what)});
      continue;
    }
    records.push_back(ViewOf(checked[i].record));
    verdicts.push_back(std::move(checked[i].verdict));
    canonical.push_back(i < n_lines && proven[i] ? texts[i] : std::string_view());
  }
  *inputs = SubjectInputs();  // release this subject's line index and documents (records are copies)
  if (records.empty()) return std::optional<MergedState>();  // every line of it was refused: no subject
  // Copies of one event (an event_id claimed by two well-formed documents) are told apart by their
  // hashes: those deferred are computed now.
  std::map<std::string_view, size_t> claims;
  for (size_t i = 0; i < records.size(); ++i) {
    if (verdicts[i].well_formed() && records[i].event_id) ++claims[*records[i].event_id];
  }
  for (size_t i = 0; i < records.size(); ++i) {
    if (verdicts[i].document_sha256.empty() && (!records[i].event_id || claims[*records[i].event_id] > 1)) {
      verdicts[i].document_sha256 = Sha256Hex(canonical[i]);
    }
  }
  std::deque<json::Value> claimed;
  std::vector<merge_internal::EventNode> nodes;
  std::vector<merge_internal::InvalidEntry> invalid;
  std::vector<size_t> node_records;
  PITH_RETURN_IF_ERROR(merge_internal::RecordsToNodes(subject, records, verdicts, &claimed, &nodes, &invalid, &node_records));
  for (size_t k = 0; k < nodes.size(); ++k) nodes[k].document_bytes = canonical[node_records[k]];
  auto merged = merge_internal::MergeNodes(subject, merge_version, std::move(nodes), std::move(invalid), keys, nullptr);
  if (!merged.ok()) return merged.status();
  return std::optional<MergedState>(std::move(*merged));
}

Status StreamMerger::ReportRefusedLines(std::vector<RefusedLine> lines, const std::vector<int>& fds) {
  // Line numbers come from counting newlines: one pass over each file, the lines in offset order.
  std::sort(lines.begin(), lines.end(),
            [](const RefusedLine& a, const RefusedLine& b) { return std::tie(a.file, a.offset) < std::tie(b.file, b.offset); });
  std::string block;
  for (size_t k = 0; k < lines.size();) {
    const uint32_t file = lines[k].file;
    size_t line = 1;
    uint64_t at = 0;
    for (; k < lines.size() && lines[k].file == file; ++k) {
      while (at < lines[k].offset) {
        const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(lines[k].offset - at, 1u << 20));
        PITH_RETURN_IF_ERROR(ReadAt(fds[file], at, n, &block));
        line += static_cast<size_t>(std::count(block.begin(), block.end(), '\n'));
        at += n;
      }
      problems_.push_back({files_[file] + ":" + std::to_string(line) + ":" + std::to_string(lines[k].column),
                           std::move(lines[k].what), file, lines[k].offset});
    }
  }
  return Status::OK();
}

Status StreamMerger::Run(const TrustedKeys& keys, const std::string& merge_version,
                         const std::function<Status(const std::string&, const MergedState&)>& emit) {
  PITH_RETURN_IF_ERROR(CheckMergeVersion(merge_version));
  struct OpenFiles {  // closed however Run ends: a return or an exception from the work
    std::vector<int> fds;
    ~OpenFiles() {
      for (int f : fds) ::close(f);
    }
  } files;
  std::vector<int>& fds = files.fds;
  for (const std::string& path : files_) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IOError(path + ": cannot reopen: " + std::strerror(errno));
    fds.push_back(fd);
  }
  // Subjects are merged side by side, one per worker (a large one also spreads its documents over
  // the threads), and emitted in pith-number order as each is ready; at most kWindow subjects are
  // held ahead of the one being emitted.
  constexpr size_t kLargeSubject = 256;  // documents
  constexpr size_t kWindow = 64;
  std::vector<std::pair<const std::string*, SubjectInputs*>> order;
  order.reserve(subjects_.size());
  for (auto& entry : subjects_) order.emplace_back(&entry.first, &entry.second);
  auto size_of = [](const SubjectInputs* in) { return in->lines.size() + in->documents.size(); };

  Status result;
  std::vector<std::optional<Result<std::optional<MergedState>>>> merged(order.size());
  std::vector<std::vector<RefusedLine>> refused(order.size());
  std::vector<RefusedLine> all_refused;
  OrderedParallelFor(
      order.size(), threads_, kWindow,
      [&](size_t k) {
        const unsigned inner = size_of(order[k].second) >= kLargeSubject ? threads_ : 1;
        merged[k] = MergeSubject(*order[k].first, order[k].second, fds, inner, keys, merge_version, &refused[k]);
      },
      [&](size_t k) {
        std::move(refused[k].begin(), refused[k].end(), std::back_inserter(all_refused));
        refused[k].clear();
        if (!merged[k]->ok()) {
          result = merged[k]->status();
        } else if (const std::optional<MergedState>& state = merged[k]->value()) {
          result = emit(*order[k].first, *state);
        }
        merged[k].reset();  // release the state once emitted
        return result.ok();
      });
  Status located = ReportRefusedLines(std::move(all_refused), fds);
  if (result.ok()) result = located;
  // Problems in input order, whichever pass found them.
  std::stable_sort(problems_.begin(), problems_.end(), [](const InputProblem& a, const InputProblem& b) {
    return std::tie(a.file, a.offset) < std::tie(b.file, b.offset);
  });
  return result;
}

}  // namespace pith
