#include "pith/merge_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <tuple>
#include <cstring>
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

constexpr size_t kChunkLines = 8192;        // lines parsed in parallel at a time in pass 1,
constexpr size_t kChunkBytes = 32u << 20;  // or fewer when their bytes reach this (plus one line)

// A line of pass 1's chunk: its bytes at [begin, begin + length) of the chunk's buffer, and where
// it came from.
struct PendingLine {
  size_t begin;
  uint32_t length;
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
  const size_t limit = json::ParseLimits().max_document_bytes;
  auto reader = LineReader::Open(path, limit);
  if (!reader.ok()) return reader.status();
  const uint32_t file = static_cast<uint32_t>(files_.size());
  files_.push_back(path);
  // A chunk's lines are copied into one buffer, kept from chunk to chunk (no allocation per line).
  std::string bytes;
  std::vector<PendingLine> chunk;
  std::vector<std::string_view> subject_of;  // per line of the chunk; empty when unusable
  std::vector<std::string> found_by_parsing;  // per line, the subject of a line the walk could not read
  std::vector<json::ParseError> errors;
  auto flush = [&]() {
    subject_of.assign(chunk.size(), std::string_view());
    found_by_parsing.assign(chunk.size(), std::string());
    errors.assign(chunk.size(), json::ParseError());
    ParallelFor(chunk.size(), threads_, [&](size_t i) {
      const std::string_view text(bytes.data() + chunk[i].begin, chunk[i].length);
      // The quick scans; pass 2 parses strictly (and reports) every line they let through.
      if (auto subject = merge_internal::FindSubjectInPlace(text); subject && !subject->empty()) {
        subject_of[i] = *subject;
        return;
      }
      if (auto subject = merge_internal::ScanSubject(text); subject && !subject->empty()) {
        found_by_parsing[i] = std::move(*subject);
        subject_of[i] = found_by_parsing[i];
        return;
      }
      auto doc = json::Parse(text, {}, &errors[i]);
      if (!doc.ok()) return;
      const std::string* s = doc->FindString("subject_pith_number");
      if (s == nullptr || s->empty()) {
        errors[i].what = "event has no subject_pith_number string; it belongs to no subject and is skipped";
        errors[i].column = 0;
        return;
      }
      found_by_parsing[i] = *s;
      subject_of[i] = found_by_parsing[i];
    });
    SubjectInputs* last = nullptr;  // a subject's lines usually follow each other
    std::string_view last_subject;
    for (size_t i = 0; i < chunk.size(); ++i) {
      const std::string_view subject = subject_of[i];
      if (subject.empty()) {
        std::string where = path + ":" + std::to_string(chunk[i].number);
        if (errors[i].column != 0) where += ":" + std::to_string(errors[i].column);
        problems_.push_back({where, errors[i].what, file, chunk[i].offset});
        continue;
      }
      if (last == nullptr || subject != last_subject) {
        if (!shard_.Contains(subject)) continue;
        auto it = subjects_.find(subject);
        if (it == subjects_.end()) it = subjects_.emplace(std::string(subject), SubjectInputs()).first;
        last = &it->second;
        last_subject = it->first;
      }
      last->lines.push_back({file, chunk[i].length, chunk[i].offset});
      ++indexed_;
    }
    chunk.clear();
    bytes.clear();
  };
  JsonLine line;
  while ((*reader)->Next(&line)) {
    if (line.too_long) {
      problems_.push_back({path + ":" + std::to_string(line.number), TooLongLineMessage(line, limit), file, line.offset});
      continue;
    }
    if (IsBlankLine(line.text)) continue;
    chunk.push_back({bytes.size(), static_cast<uint32_t>(line.text.size()), line.offset, line.number});
    bytes.append(line.text);
    if (chunk.size() >= kChunkLines || bytes.size() >= kChunkBytes) flush();
  }
  if (!(*reader)->status().ok()) return (*reader)->status().WithPrefix(path);
  flush();
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
  std::vector<int> fds;
  for (const std::string& path : files_) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      for (int f : fds) ::close(f);
      return Status::IOError(path + ": cannot reopen: " + std::strerror(errno));
    }
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
  for (int f : fds) ::close(f);
  // Problems in input order, whichever pass found them.
  std::stable_sort(problems_.begin(), problems_.end(), [](const InputProblem& a, const InputProblem& b) {
    return std::tie(a.file, a.offset) < std::tie(b.file, b.offset);
  });
  return result;
}

}  // namespace pith
