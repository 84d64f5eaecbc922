// The append-only event log on RocksDB (layout in specs/storage.md).
//
// Events are stored as the exact bytes received, in the log of their subject (in append order),
// and found by sha256(canon(document)). The API can add events but has no way to change or delete one (the
// `events` index that finds them is derived: RepairEventIndex may repoint or remove its entries). Each
// Append is one atomic WriteBatch; with `sync` it is fsynced before Append returns; without the
// write-ahead log it is durable at the next Flush. Verdicts, snapshots and trusted keys are
// derived or administrative data kept beside the log.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pith/hash.h"
#include "pith/splice.h"
#include "pith/status.h"

namespace pith {

inline constexpr std::string_view kStoreFormat = "pith-store-6";

struct EventLogOptions {
  bool create_if_missing = true;
  bool sync = false;  // fsync every append (an acknowledged append survives power loss)
  // false (bulk loading): appends skip RocksDB's write-ahead log and are durable once Flush()
  // returns OK (closing flushes them too, but cannot report an error); a crash loses the appends
  // not flushed yet and leaves the rest consistent (the column families then flush atomically).
  // Not with `sync`.
  bool write_ahead_log = true;
  // What all families' memtables may hold before RocksDB flushes (0: 256 MB). Small in tests, to
  // make RocksDB flush on its own between appends.
  size_t memtable_budget_bytes = 0;
  // false: RocksDB starts no compaction of its own while the log is open (WaitForCompactions
  // starts them). For a process that opens the log for a moment: a compaction it started would
  // compete with it for the CPU, and closing cuts short the one running (to be started again).
  bool background_compaction = true;
};

// One event to append under one subject.
struct LogAppend {
  std::string subject;
  Digest document_hash{};
  std::string_view raw;          // the bytes as received (the caller keeps them until Append returns)
  // Its event record (pith/event_record.h), kept just before the log entry: as
  // EncodeEventRecordBeside(record, raw) writes it, with this `raw` (a record naming places in
  // other bytes would be read against these).
  std::string record;
  std::string verdict_key;       // see VerdictKey()
  std::string verdict;           // section 3 reason, "" when well formed
};

// One subject's snapshot: a canonical state and what it was computed from.
struct Snapshot {
  uint64_t covers = 0;         // how many of the subject's log entries it includes
  std::string keyset_digest;   // hex digest of the trusted keys it used
  std::string merge_version;
  std::string state;           // canon(state)
};

// One stored piece of a snapshot's tail: its id (pieces are in id order) and size.
struct TailPiece {
  uint64_t id = 0;
  uint64_t size = 0;
};

// A snapshot as kept: the state split as head + join(items, ",") + tail, the items stored apart in
// chunks so that appending items rewrites O(1) bytes of them, the tail in pieces so that an edit
// rewrites the pieces it touches, and an `aux` record kept beside it (opaque to the log: the
// incremental merge's offsets and hash midstate).
struct SnapshotHeader {
  uint64_t covers = 0;
  std::string keyset_digest;
  std::string merge_version;
  std::string head;
  uint64_t item_count = 0;
  std::string tail;
  uint64_t tail_size = 0;              // as stored (set when read; written from tail.size())
  std::vector<TailPiece> tail_pieces;  // how the tail is stored (set when read; ignored on write)
  std::string aux;
};

// How an append (or a refresh) rewrites one subject's snapshot, and its index entries (opaque to
// the log, kept under the subject in `subject_index`, written in the same batch).
struct SnapshotWrite {
  SnapshotHeader header;            // item_count is ignored: the log counts
  bool replace = true;              // items: all of them (true), or appended to the stored ones (false)
  std::vector<std::string> items;
  std::map<std::string, std::string> index;
  // When set, header.tail is the stored tail (stored as tail_base, as GetSnapshotHeader read it)
  // changed by these splices: only the pieces they touch are rewritten. Else the tail is written
  // afresh.
  std::vector<TailPiece> tail_base;
  std::vector<SpliceBatch> tail_changes;
};

struct SubjectEntry {
  uint64_t position = 0;       // 0-based position in the subject's log
  uint64_t sequence = 0;       // the store-wide append sequence
  Digest document_hash{};
  std::string_view document;   // the bytes as received (valid during the scan's callback only)
};

class EventLog {
 public:
  // Opens (or creates) a store. kBusy if another process holds it; kUnsupported for another format.
  static Result<std::unique_ptr<EventLog>> Open(const std::string& dir, const EventLogOptions& options);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // True when (subject, document) is already in the log.
  Result<bool> Contains(std::string_view subject, const Digest& document_hash) const;
  // Atomically appends the events (none already contained) and writes the snapshots given.
  Status Append(const std::vector<LogAppend>& events, const std::map<std::string, SnapshotWrite>& snapshots);

  // A stored document's bytes, read from the log entry that `events` names for its hash
  // (kCorruption when `events` names no log entry key, or an entry that is missing or holds
  // another document).
  Result<std::optional<std::string>> GetEvent(const Digest& document_hash) const;
  // The subject's event records in log order (one contiguous range: a replay reads them in one
  // pass), each with its position, document hash and the document's bytes (from its log entry).
  // A log entry without its record is skipped (the caller sees the gap in positions); a record
  // without its entry, or naming another document, is kCorruption.
  Status ScanSubjectRecords(std::string_view subject,
                            const std::function<Status(uint64_t position, const Digest& document_hash,
                                                       std::string_view record, std::string_view document)>& fn) const;
  Result<uint64_t> SubjectSize(std::string_view subject) const;
  Status ScanSubject(std::string_view subject, const std::function<Status(const SubjectEntry&)>& fn) const;
  Status ScanSubjects(const std::function<Status(const std::string& subject, uint64_t size)>& fn) const;
  // Whether the `events` entry of `document_hash` names the log entry at (subject, position), read
  // without reading the log: a caller that has read that entry (and its hash) knows then that
  // GetEvent finds the document there.
  Result<bool> IndexNamesEntry(std::string_view subject, uint64_t position, const Digest& document_hash) const;
  // The number of `events` entries (their keys and values only are read).
  Result<uint64_t> CountEventsEntries() const;
  // Every `events` entry, in key (document-hash) order, with the document's bytes or the damage
  // found instead: kCorruption for a key that is no document hash or an entry GetEvent refuses.
  // Damage is handed to `fn` and the scan goes on; a read error ends it.
  Status ScanEvents(const std::function<Status(std::string_view key, const Result<std::string>& document)>& fn) const;
  // Makes `events` name, for each document of the log, a log entry holding it, and nothing else. A
  // document with no entry is indexed at its first log entry (in key order) whose bytes hash to it.
  // An entry ScanEvents finds damaged is pointed at the first log entry whose hash field and bytes
  // both give its key; else it stays if the entry it names holds bytes that hash to its key (that
  // entry's hash field is damaged); else it is pointed at the first entry whose hash field gives its
  // key (bytes damaged); else removed (an orphan: no subject's RewriteDerived reaches it). Entries
  // are confirmed by hash field in one sequential read of the log; `events` and the log are read
  // again only when some entry is not. A read error (RocksDB's checksums) stops it; what it wrote
  // before stands (each write is right on its own). Nothing but `events` is written.
  struct EventIndexRepair {
    uint64_t added = 0;
    uint64_t reindexed = 0;
    uint64_t removed = 0;
  };
  Result<EventIndexRepair> RepairEventIndex();
  // The store-wide log after sequence `after` (exclusive; sequences start at 1, so 0 reads all).
  Status ScanSequence(uint64_t after, const std::function<Status(uint64_t, const std::string&, const Digest&)>& fn) const;
  uint64_t LastSequence() const;  // 0 for an empty store

  Result<std::optional<std::string>> GetVerdict(std::string_view verdict_key) const;
  // Many verdicts in one RocksDB MultiGet; (*out)[i] answers keys[i].
  Status GetVerdicts(const std::vector<std::string>& keys, std::vector<std::optional<std::string>>* out) const;
  Status PutVerdicts(const std::vector<std::pair<std::string, std::string>>& verdicts);
  // The snapshot with its state assembled (read consistently, while an append may be writing).
  Result<std::optional<Snapshot>> GetSnapshot(std::string_view subject) const;
  // The snapshot without its items (what an incremental merge needs); without its tail too (what
  // it was computed from, for a caller asking only whether it is current) unless `with_tail`.
  Result<std::optional<SnapshotHeader>> GetSnapshotHeader(std::string_view subject, bool with_tail = true) const;
  Status PutSnapshot(std::string_view subject, const SnapshotWrite& snapshot);
  // Several subjects' snapshots in one atomic batch (one write, one fsync with `sync`).
  Status PutSnapshots(const std::map<std::string, SnapshotWrite>& snapshots);
  // Replaces everything kept for `subject` beside its log, in one atomic batch: its event records
  // (records[i] is that of log position i; any other record of the subject goes), the verdicts
  // given (verdict key -> reason), its snapshot, and the `events` entry of each of its documents
  // that GetEvent does not find. The log entries themselves are not touched.
  Status RewriteDerived(std::string_view subject, const std::vector<std::string>& records,
                        const std::vector<std::pair<std::string, std::string>>& verdicts, const SnapshotWrite& snapshot);
  // One of the subject's index entries; and all of them, in key order.
  Result<std::optional<std::string>> GetIndexEntry(std::string_view subject, std::string_view key) const;
  Status ScanIndex(std::string_view subject, const std::function<Status(std::string_view key, std::string_view value)>& fn) const;
  // A number never returned before by this store (for index generations).
  uint64_t NewIndexGeneration();

  // The store's own trusted keys (key_id -> canonical public-key entry).
  Result<std::map<std::string, std::string>> GetKeys() const;
  Status PutKey(std::string_view key_id, std::string_view entry);
  Status DeleteKey(std::string_view key_id);

  // RocksDB's own checksum pass over every file.
  Status VerifyChecksums() const;
  // Flushes every column family's memtable to its files (and syncs them).
  Status Flush();
  // Compacts what the writes left to compact (RocksDB's own choice of files, in the background;
  // automatic compaction is turned on here if background_compaction was off, and stays on) and
  // returns once nothing is due: a later open then starts none. A failure in the background
  // (RocksDB stays in error until it recovers) is returned.
  Status WaitForCompactions();
  // Whether RocksDB has a compaction due or running; the background failure it is in, if any.
  Result<bool> CompactionsPending() const;

  // The verdict cache key: LP(subject) + the SHA-256 of what a section 3 verdict depends on.
  static std::string VerdictKey(const Digest& document_hash, std::string_view subject, std::string_view merge_version,
                                std::string_view keys_digest);

 private:
  struct Impl;
  explicit EventLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pith
