// `pith-merge ingest`: streams bundles and .jsonl event files into the store.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "cli_common.h"
#include "commands.h"
#include "event_inputs.h"
#include "pith/json_view.h"
#include "pith/line_reader.h"
#include "pith/parallel_for.h"
#include "store_common.h"

namespace pith::cli {
namespace {

constexpr size_t kBatchEvents = 2048;

struct IngestOptions {
  std::string db;
  std::vector<std::string> inputs;
  bool sync = false;
  bool trust_bundle_keys = false;
  unsigned threads = 0;
  std::string shard_text;
  Shard shard;
};

struct Totals {
  size_t received = 0, added = 0, duplicates = 0, invalid = 0, bad_lines = 0, other_shards = 0;
  uint64_t bytes = 0, total_bytes = 0;
  std::set<std::string> subjects;
  size_t states_updated = 0;
  double update_seconds = 0;  // spent bringing them up to date, at the end
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

class Ingester {
 public:
  Ingester(Store& store, const IngestOptions& opts) : store_(store), opts_(opts), tty_(isatty(STDERR_FILENO) == 1) {}

  Status AddFile(const std::string& path) {
    if (path.size() > 6 && (path.ends_with(".jsonl") || path.ends_with(".ndjson"))) return AddJsonLines(path);
    return AddBundle(path);
  }

  // Commits everything read so far, then brings the states of the subjects read up to date.
  Status Finish() {
    Status flushed = Flush();
    Status committed = CommitPending();
    // Every subject read, not only those given new events: a subject whose events are all
    // duplicates may have a state left behind by an ingest that stopped before its update (a
    // crash), and ingesting the same input again brings it up to date. A current one costs a
    // header read.
    std::vector<std::string> read(seen_.begin(), seen_.end());
    const auto update_start = std::chrono::steady_clock::now();
    auto updated = store_.UpdateStates(read);
    totals_.update_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - update_start).count();
    if (updated.ok()) totals_.states_updated = *updated;
    Status first = !flushed.ok() ? flushed : committed;
    return first.ok() ? updated.status() : first;
  }
  Totals& totals() { return totals_; }

 private:
  Status AddJsonLines(const std::string& path) {
    const size_t limit = json::ParseLimits().max_document_bytes;
    auto reader = LineReader::Open(path, limit);
    if (!reader.ok()) return reader.status();
    std::vector<std::pair<std::string, size_t>> lines;  // text, line number
    JsonLine line;
    while ((*reader)->Next(&line)) {
      totals_.bytes += line.length + 1;
      if (line.too_long) {
        ReportError(path + ":" + std::to_string(line.number), TooLongLineMessage(line, limit) + "; skipped");
        ++totals_.bad_lines;
        continue;
      }
      if (IsBlankLine(line.text)) continue;
      lines.emplace_back(std::string(line.text), line.number);
      if (lines.size() >= kBatchEvents) PITH_RETURN_IF_ERROR(AddLines(path, &lines));
    }
    if (!(*reader)->status().ok()) return (*reader)->status().WithPrefix(path);
    return AddLines(path, &lines);
  }

  // Reads a run of lines (in parallel) and adds them in order. A line proven canonical (as
  // producers write events) goes to the store as its bytes alone, read in place there; any other
  // line is parsed here, so that a line that is not JSON is reported and skipped.
  Status AddLines(const std::string& path, std::vector<std::pair<std::string, size_t>>* lines) {
    struct Read {
      bool readable = false;               // proven canonical, or parsed into doc
      std::shared_ptr<const json::CanonicalDocument> canonical;  // when proven: handed to the store
      std::optional<json::Value> doc;      // when parsed (not proven)
      std::optional<std::string> subject;  // its subject_pith_number string
      json::ParseError error;              // when not readable
    };
    std::vector<Read> read(lines->size());
    ParallelFor(lines->size(), opts_.threads, [&](size_t i) {
      std::string& text = (*lines)[i].first;
      Read& r = read[i];
      // The proof made here to find the subject goes to the store with the bytes: one proof a line.
      auto canonical = std::make_shared<const json::CanonicalDocument>(std::move(text));
      if (canonical->proof().proven()) {
        r.readable = true;
        if (const auto subject = canonical->proof().root().FindString("subject_pith_number")) r.subject = std::string(*subject);
        r.canonical = std::move(canonical);
        return;
      }
      text = canonical->bytes();  // not canonical: parsed here, and given to the store with its parse
      auto doc = json::Parse(text, {}, &r.error);
      if (!doc.ok()) return;
      r.readable = true;
      if (const std::string* subject = doc->FindString("subject_pith_number")) r.subject = *subject;
      r.doc = std::move(*doc);
    });
    for (size_t i = 0; i < lines->size(); ++i) {
      auto& [text, number] = (*lines)[i];
      Read& r = read[i];
      if (!r.readable) {
        ReportError(path + ":" + std::to_string(number) + ":" + std::to_string(r.error.column), r.error.what);
        ++totals_.bad_lines;
        continue;
      }
      if (!r.subject) {
        ReportError(path + ":" + std::to_string(number), "event has no subject_pith_number string; skipped");
        ++totals_.bad_lines;
        continue;
      }
      if (!opts_.shard.Contains(*r.subject)) {
        ++totals_.other_shards;
        continue;
      }
      std::string s = std::move(*r.subject);
      seen_.insert(s);
      if (r.doc) {
        batch_.push_back({std::move(s), std::move(text), std::move(*r.doc)});
      } else {
        batch_.push_back(IncomingEvent::FromCanonical(std::move(s), std::move(r.canonical)));
      }
      if (batch_.size() >= kBatchEvents) PITH_RETURN_IF_ERROR(Flush());
    }
    lines->clear();
    return Status::OK();
  }

  Status AddBundle(const std::string& path) {
    auto doc = ReadJsonFile(path);
    if (!doc.ok()) return doc.status();
    const std::string* number = doc->FindString("pith_number");
    const json::Value* events = doc->Find("events");
    if (number == nullptr || events == nullptr || !events->is_array()) {
      return Status::InvalidInput(path + ": not a bundle (no pith_number and events array) and not a .jsonl file");
    }
    if (!opts_.shard.Contains(*number)) {
      totals_.other_shards += events->items().size();
      return Status::OK();
    }
    if (opts_.trust_bundle_keys) {
      if (const json::Value* keys = doc->Find("public_keys"); keys != nullptr && keys->is_array()) {
        for (const json::Value& k : keys->items()) PITH_RETURN_IF_ERROR(store_.AddKey(k).WithPrefix(path));
      }
    }
    for (const json::Value& e : events->items()) {
      std::string raw = json::Canonical(e);  // a bundle event's bytes: its canonical form
      totals_.bytes += raw.size();
      seen_.insert(*number);
      batch_.push_back({*number, std::move(raw), e});
      if (batch_.size() >= kBatchEvents) PITH_RETURN_IF_ERROR(Flush());
    }
    return Status::OK();
  }

  // Hands the batch to a helper thread to prepare (hash, record, check signatures) and commits the
  // batch prepared before it meanwhile: checking batch N+1 overlaps writing batch N, and batches
  // are committed in input order.
  Status Flush() {
    if (batch_.empty()) return Status::OK();
    auto events = std::make_shared<std::vector<IncomingEvent>>(std::move(batch_));  // the task is copied
    batch_.clear();
    // On a thread of its own, or here when committed if the system refuses one.
    std::future<Result<PreparedAppend>> next =
        AsyncOrDeferred([&store = store_, events] { return store.Prepare(std::move(*events)); });
    Status committed = CommitPending();
    pending_ = std::move(next);
    return committed;
  }

  // Commits the batch being prepared, if any. After a failed commit nothing more is committed
  // (later batches would land after a gap), and the failure is returned again.
  Status CommitPending() {
    if (!pending_.valid()) return store_failure_;
    auto prepared = pending_.get();
    if (!store_failure_.ok()) return store_failure_;
    // States are brought up to date once, at the end (UpdateStates): a subject spread over many
    // batches is merged once instead of once per batch.
    auto summary = prepared.ok() ? store_.Commit(std::move(*prepared), StateUpdate::kDeferred)
                                 : Result<AppendSummary>(prepared.status());
    if (!summary.ok()) {
      store_failure_ = summary.status();
      return store_failure_;
    }
    totals_.received += summary->received;
    totals_.added += summary->added;
    totals_.duplicates += summary->duplicates;
    totals_.invalid += summary->invalid;
    totals_.subjects.insert(summary->subjects.begin(), summary->subjects.end());
    if (tty_) Progress();
    return Status::OK();
  }

  void Progress() {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - totals_.start).count();
    double rate = secs > 0 ? totals_.received / secs : 0;
    double byte_rate = secs > 0 ? totals_.bytes / secs : 0;
    double eta = byte_rate > 0 && totals_.total_bytes > totals_.bytes ? (totals_.total_bytes - totals_.bytes) / byte_rate : 0;
    std::fprintf(stderr, "\r%zu events  %.0f events/s  %.1f MB  ETA %.0fs   ", totals_.received, rate, totals_.bytes / 1e6, eta);
  }

  Store& store_;
  const IngestOptions& opts_;
  bool tty_;
  Totals totals_;
  std::vector<IncomingEvent> batch_;
  std::set<std::string> seen_;  // the subjects of every event read (and not of another shard)
  std::future<Result<PreparedAppend>> pending_;  // the batch being prepared
  Status store_failure_;                          // the first failed prepare or commit
};

int RunIngest(IngestOptions& opts) {
  auto shard = ParseShard(opts.shard_text);
  if (!shard.ok()) return Fail("--shard", shard.status());
  opts.shard = *shard;
  // Without --sync the input is loaded in bulk: no write-ahead log (measured: 12% to 18% less
  // wall time), and one flush at the end makes it durable. A crash before may lose this run's
  // events; the store stays consistent, and running the same ingest again adds them.
  StoreOptions options;
  options.sync = opts.sync;
  options.bulk_load = !opts.sync;
  options.threads = opts.threads;
  auto store = OpenStore(opts.db, true, StoreUse::kLoad, options);
  if (!store.ok()) return Fail(opts.db, store.status());
  Ingester ingester(**store, opts);
  for (const std::string& path : opts.inputs) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    if (!ec) ingester.totals().total_bytes += size;
  }
  Status input;
  for (const std::string& path : opts.inputs) {
    input = ingester.AddFile(path);
    if (!input.ok()) break;
  }
  const Status finished = ingester.Finish();  // also after a failed input: keeps what was read before it
  // A bulk load is durable once flushed, whatever failed. With --sync, a large complete ingest is
  // flushed too, so that the next open need not replay a large write-ahead log; a small one leaves
  // its appends in the log (flushing it would only make small files).
  constexpr size_t kFlushAfterEvents = 4096;
  const bool flush =
      options.bulk_load || (input.ok() && finished.ok() && ingester.totals().added >= kFlushAfterEvents);
  const Status flushed = flush ? (*store)->Flush() : Status::OK();
  if (!finished.ok()) return Fail("", finished);
  if (!flushed.ok()) return Fail(opts.db, flushed);
  // What the load left to compact is compacted now (the events are durable already): a brief
  // command after it opens the store without compaction, and would otherwise read all of it.
  const auto compaction_start = std::chrono::steady_clock::now();
  const Status compacted = (*store)->WaitForCompactions();
  const double compaction_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - compaction_start).count();
  if (!input.ok()) return Fail("", input);
  if (!compacted.ok()) return Fail(opts.db, compacted);
  Totals& t = ingester.totals();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t.start).count();
  if (isatty(STDERR_FILENO)) std::fputc('\n', stderr);
  std::cout << "ingested " << t.received << " events in " << secs << " s: " << t.added << " new, " << t.duplicates
            << " duplicate, " << t.invalid << " invalid, " << t.subjects.size() << " subjects touched, "
            << t.states_updated << " states updated (in " << t.update_seconds << " s), compactions finished (in "
            << compaction_seconds << " s)";
  if (t.other_shards > 0) std::cout << ", " << t.other_shards << " of other shards skipped";
  if (t.bad_lines > 0) std::cout << ", " << t.bad_lines << " unreadable lines skipped";
  std::cout << std::endl;
  return t.bad_lines > 0 ? kExitBadInput : kExitOk;
}

}  // namespace

void RegisterIngestCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<IngestOptions>();
  CLI::App* cmd = app.add_subcommand("ingest", "append bundles and .jsonl event files to the store (idempotent)");
  AddDbOption(cmd, &opts->db);
  cmd->add_option("inputs", opts->inputs, "bundle files and .jsonl event files")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--sync", opts->sync,
                "write every batch through the write-ahead log and fsync it: an acknowledged event survives a crash or "
                "power loss (without it the input is loaded in bulk and made durable by one flush at the end; a crash "
                "before may lose this run's events, which running the ingest again adds)");
  cmd->add_flag("--trust-bundle-keys", opts->trust_bundle_keys, "add the bundles' own public_keys to the store's trusted keys");
  cmd->add_option("--threads", opts->threads, "signature-checking threads (0: all cores)")->capture_default_str();
  cmd->add_option("--shard", opts->shard_text, "only the subjects of shard I of N (I/N, 0-based; see specs/scaling.md)");
  cmd->callback([opts, exit_code] { *exit_code = RunIngest(*opts); });
}

}  // namespace pith::cli
