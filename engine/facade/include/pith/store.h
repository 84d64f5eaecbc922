// pith::Store: the public API an indexing service links. A store is an append-only log of
// signed events on RocksDB with every subject's merged state cached beside it.
//
//   auto store = pith::Store::Open("./pith-db", {});
//   if (!store.ok()) { /* store.status() says why: kBusy, kUnsupported, kIOError... */ }
//   auto summary = (*store)->Append(events);          // idempotent, one atomic batch
//   auto state = (*store)->State("pith:2024:IUW7...");  // canon(state) and its state_sha256
//
// Thread safety: any number of threads may read (State, Log, Subjects, ReadSince...) while one
// appends; Append, Commit and key changes are serialised internally. One process per store: a second
// Open of the same directory fails with kBusy.
//
// Errors are Status values. What the machine refuses throws, as in the standard library: an
// allocation (std::bad_alloc, through the new handler if one is set) or a thread RocksDB starts
// (std::system_error). Thrown from inside RocksDB it can leave the open store unable to close: a
// process that runs out should end there, as the CLI does (its new handler exits with code 6). The
// store on disk is then left as a crash leaves it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pith/json.h"
#include "pith/json_view.h"
#include "pith/keys.h"
#include "pith/merge.h"
#include "pith/status.h"

namespace pith {

struct StoreOptions {
  bool create_if_missing = true;
  bool sync = false;     // fsync each append: an acknowledged append survives a crash or power loss
  // Bulk loading (not with sync): appends skip RocksDB's write-ahead log and are durable once
  // Flush() returns OK (closing the store flushes them too, but cannot report an error). A crash
  // loses the appends not flushed yet, never leaves the store inconsistent, and an idempotent
  // re-run of the same input restores them. Trusted keys are always written through the log.
  // `pith-merge ingest` loads this way unless given --sync (specs/storage.md "Durability").
  bool bulk_load = false;
  // What the memtables of all column families may hold before RocksDB flushes (0: 256 MB).
  size_t memtable_budget_bytes = 0;
  // false: RocksDB compacts nothing on its own while the store is open. For a process that opens
  // the store for a moment (a read, a replay): a compaction it started would compete with it for
  // the CPU, and closing cuts short the one running. What is left to compact waits for a writer
  // that keeps compaction on, or for WaitForCompactions.
  bool background_compaction = true;
  unsigned threads = 0;  // signature-checking threads (0: all cores)
  std::string merge_version = std::string(kMergeV1);
};

// One received event document and the subject it was received for: parsed by the caller
// (`document` is the parse of `raw`), or given as its bytes alone (FromBytes), or as bytes
// already scanned for being canonical (FromCanonical). Bytes alone are read in place when they
// are canonical JSON, as producers write events (no value tree is built: the fast path of
// `pith-merge ingest`), and parsed otherwise; bytes that are not a JSON document fail the Append
// or Prepare with kInvalidInput naming the event.
struct IncomingEvent {
  std::string subject;
  std::string raw;        // the bytes as received (kept verbatim); empty when given by `canonical`
  json::Value document;   // their parse (unused when from_bytes)
  bool from_bytes = false;
  // Set by FromCanonical: the bytes with their proof, which the store then need not make again.
  std::shared_ptr<const json::CanonicalDocument> canonical = nullptr;

  static IncomingEvent FromBytes(std::string subject, std::string raw) {
    return {std::move(subject), std::move(raw), json::Value(), true, nullptr};
  }
  // Bytes already scanned (as a reader does to find their subject); proven or not, they are then
  // read as FromBytes reads bytes, without a second scan.
  static IncomingEvent FromCanonical(std::string subject, std::shared_ptr<const json::CanonicalDocument> document) {
    return {std::move(subject), std::string(), json::Value(), true, std::move(document)};
  }
  // The bytes as received, however they were given.
  std::string_view bytes() const { return canonical ? std::string_view(canonical->bytes()) : std::string_view(raw); }
};

struct AppendSummary {
  size_t received = 0;
  size_t added = 0;        // new to the store
  size_t duplicates = 0;   // already stored for that subject (a no-op)
  size_t invalid = 0;      // added, but failing merge-v1 section 3 (kept, never counted valid)
  std::vector<std::string> subjects;  // touched, sorted
  // The new state_sha256 of each touched subject (state_sha256[i] is that of subjects[i]): what
  // State() reads right after, without reading the state.
  std::vector<std::string> state_sha256;
  // How the touched subjects' states were brought up to date: documents merged by the
  // incremental step, and subjects merged in full (specs/storage.md "Incremental appends").
  size_t incremental = 0;
  size_t full_merges = 0;
  // Subjects whose cached state the commit left behind their log (StateUpdate::kDeferred); their
  // state_sha256 is then not given (state_sha256 stays empty).
  size_t deferred = 0;
};

// What a commit does with the cached states of the subjects it touches.
enum class StateUpdate {
  kInBatch,   // brings them up to date in the commit's own atomic batch (Append always does)
  kDeferred,  // leaves them behind the log, for UpdateStates (or the first State read) to bring
              // up to date with one full merge each: a bulk load that touches a subject in many
              // batches merges it once instead of once per batch
};

// One entry of a subject's log, with its cached section 3 verdict.
struct LogRecord {
  uint64_t position = 0;
  uint64_t sequence = 0;
  std::string document_sha256;
  std::string event_id;  // as the document claims it ("" when absent)
  std::string event_type;
  std::string verdict;   // "" when well formed, else the reason code
};

struct PreparedAppendState;

// An append whose documents are hashed, recorded and checked (merge-v1 section 3) but not yet
// written. Store::Prepare makes one without taking the store's writer lock, so a caller can check
// its next batch while the previous one is being written (pith-merge ingest does); Store::Commit
// writes it. Move-only; it belongs to the store that prepared it.
class PreparedAppend {
 public:
  PreparedAppend();
  ~PreparedAppend();
  PreparedAppend(PreparedAppend&&) noexcept;
  PreparedAppend& operator=(PreparedAppend&&) noexcept;

 private:
  friend class Store;
  std::unique_ptr<PreparedAppendState> state_;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const StoreOptions& options);
  ~Store();

  // Appends events atomically, updating each touched subject's cached state in the same batch.
  Result<AppendSummary> Append(const std::vector<IncomingEvent>& events);
  // Append in two steps. Prepare does the costly part (hashes, records, signatures) and may run
  // beside reads, other Prepares and a Commit. Commit writes in the order the caller calls it: a
  // document another commit added since its Prepare counts as a duplicate, and if the trusted keys
  // changed since, the checks are redone. Commit(Prepare(e)) gives what Append(e) gives.
  Result<PreparedAppend> Prepare(std::vector<IncomingEvent> events);
  Result<AppendSummary> Commit(PreparedAppend prepared, StateUpdate states = StateUpdate::kInBatch);
  // Brings the cached state of each subject given up to date with its log where it is behind (after
  // deferred commits, or a change of trusted keys), one full merge of its stored event records each
  // (with cached verdicts), a few subjects at a time. Returns how many states it wrote. A crash
  // meanwhile loses nothing: a state still behind is recomputed when read.
  Result<size_t> UpdateStates(const std::vector<std::string>& subjects);
  // Moves what was appended from memory into the store's files, so that the next Open need not
  // replay the write-ahead log (call it after a bulk ingest; appends are durable without it, but
  // under StoreOptions::bulk_load only once it returns OK).
  Status Flush();
  // Returns once RocksDB has compacted what the appends left to compact, so that a later open
  // starts no compaction: the end of a bulk load. Turns automatic compaction on if
  // background_compaction was off (it stays on). Holds the writer lock meanwhile (seconds after a
  // large load): appends, key changes and state recomputations wait. A failure RocksDB met in the
  // background and has not recovered from (a full disk) is returned.
  Status WaitForCompactions();

  // The cached state (recomputed from the log if the trusted keys changed since it was cached).
  Result<MergedState> State(std::string_view subject);
  // The state recomputed from the log; with `reverify` every signature is checked again.
  Result<MergedState> Replay(std::string_view subject, bool reverify);

  Result<std::vector<std::string>> Subjects() const;
  Result<std::vector<LogRecord>> Log(std::string_view subject) const;
  // The subject's stored documents, parsed, in append order.
  Result<std::vector<json::Value>> Documents(std::string_view subject) const;
  // The raw stored bytes of the subject's documents, in append order.
  Result<std::vector<std::string>> RawDocuments(std::string_view subject) const;

  // The store-wide append sequence: the last one written, and everything after `after`.
  uint64_t LastSequence() const;
  Status ReadSince(uint64_t after, const std::function<Status(uint64_t sequence, const std::string& subject,
                                                              const std::string& document_sha256)>& fn) const;

  // Trusted keys: the compiled-in defaults plus the store's own.
  TrustedKeys trusted_keys() const;
  // The stored entry (every field as received) of a key, if the store or the defaults hold it.
  std::optional<json::Value> KeyEntry(std::string_view key_id) const;
  Status AddKey(const json::Value& entry);
  Status RemoveKey(std::string_view key_id);  // only the store's own keys can be removed

  // Re-reads and re-hashes every event, re-verifies every verdict, recomputes every snapshot.
  // Returns the problems found (empty: nothing on disk is damaged).
  Result<std::vector<std::string>> Check();
  // The repair for a subject whose cached data Check reports damaged: everything the store keeps
  // beside the subject's log (event records, verdicts, the cached state) recomputed from the log
  // alone (each document re-read, re-hashed and re-verified) and written over it in one atomic
  // batch; returns the state. kCorruption, with nothing written, when the log itself is damaged.
  // Computed without the writer lock (rebuilds of several subjects run side by side, and beside
  // appends) and written under it when the subject's log and the keys are as they were; else
  // computed again under the lock.
  Result<MergedState> Rebuild(std::string_view subject);
  // The repair of the `events` index (hash -> log entry) as a whole, for what no subject's Rebuild
  // reaches: a document of the log that `events` lacks is indexed again, an entry naming the wrong
  // place is pointed at a log entry holding its document, and one of a document that no log holds
  // (or a key that is no hash) is removed. Damage to the log itself is not mended (Check reports
  // it), and a read error (a block whose checksum fails) stops the repair. Reads the whole log;
  // writes nothing but `events`. `pith-merge rebuild --all` runs it after the subjects.
  struct EventIndexRepair {
    uint64_t added = 0;      // entries added for documents `events` lacked
    uint64_t reindexed = 0;  // entries pointed again at a log entry holding their document
    uint64_t removed = 0;    // entries of documents no log holds, or keys that are no document hash
  };
  Result<EventIndexRepair> RepairEventIndex();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pith
