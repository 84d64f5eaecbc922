#include "pith/event_log.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "key_layout.h"
#include "pith/codec.h"
#include "pith/hash.h"
#include "pith/json.h"
#include "snapshot_codec.h"
#include "tail_pieces.h"

namespace pith {

using storage_internal::BigEndian64;
using storage_internal::ReadBigEndian64;
using storage_internal::SubjectPrefix;
using storage_internal::IsLogEntryKey;
using storage_internal::LogKey;
using storage_internal::ParseLogKey;
using storage_internal::kEntryTag;
using storage_internal::kRecordTag;
using storage_internal::ChunkCount;
using storage_internal::ChunkKey;
using storage_internal::kItemsPerChunk;

namespace {

// Column families, in the order they are opened (handles_ index).
enum Family : size_t {
  kDefault, kMeta, kEvents, kSubjects, kSubjectLog, kMembership, kSequence, kVerdicts, kSnapshots, kKeys,
  kStateItems, kSubjectIndex, kStateTail, kFamilyCount
};
const char* const kFamilyNames[kFamilyCount] = {"default", "meta", "events", "subjects", "subject_log",
                                                "membership", "sequence", "verdicts", "snapshots", "keys",
                                                "state_items", "subject_index", "state_tail"};

constexpr char kFormatKey[] = "format";
constexpr size_t kTailCacheBytes = 64u << 20;  // a few large subjects' tails
constexpr size_t kLogEntryHead = 40;  // a log entry's document hash and sequence, before its document
constexpr char kNextSequenceKey[] = "next_sequence";
// Table files are opened on the opening thread (RocksDB's default starts 16 threads for it): RocksDB
// ends the process when it cannot start one of them (a pids limit, an address-space cap), and a
// store of this layout opens a few dozen files per GB.
constexpr int kFileOpeningThreads = 1;
constexpr char kIndexGenerationKey[] = "index_generation";

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg = std::string(what) + ": " + s.ToString();
  // Only a lock held elsewhere is "in use": RocksDB says "While lock file: ...LOCK: Resource temporarily
  // unavailable" (another process) or "lock hold by current process". Failing to open LOCK at all
  // ("while open a file for lock: ...: Permission denied" / "Read-only file system") is an I/O error.
  if (s.IsIOError() && (s.ToString().find("While lock file") != std::string::npos ||
                        s.ToString().find("lock hold by current process") != std::string::npos)) {
    return Status::Busy(std::string(what) + ": the store is in use by another process (" + s.ToString() + ")");
  }
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsInvalidArgument()) return Status::InvalidInput(msg);
  return Status::IOError(msg);
}

// RocksDB's info log, discarded. Its default file logger (LOG in the store directory) aborts the
// process once a write to LOG has failed, e.g. on a full disk (an assert left enabled in Debian's
// librocksdb 7.8: WritableFileWriter::AssertFalseAndGetStatusForPrevError). Every error that matters
// reaches the caller as a Status anyway.
class DiscardingLogger : public rocksdb::Logger {
 public:
  DiscardingLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::HEADER_LEVEL) {}
  void Logv(const char*, va_list) override {}
  void Logv(const rocksdb::InfoLogLevel, const char*, va_list) override {}
};

// The error RocksDB is in after a failure in the background (a flush or a compaction that failed,
// on a full disk say), until it reports having recovered from it: WaitForCompactions returns it,
// as RocksDB's own counters only count errors.
class BackgroundErrors : public rocksdb::EventListener {
 public:
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error->ok()) return;
    current_ = *error;
    during_ = Name(reason);
  }
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = info.new_bg_error;
    if (current_.ok()) during_.clear();
  }
  // OK, or the error and what RocksDB was doing when it met it.
  std::pair<rocksdb::Status, std::string> Current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return {current_, during_};
  }

 private:
  static std::string Name(rocksdb::BackgroundErrorReason reason) {
    switch (reason) {
      case rocksdb::BackgroundErrorReason::kFlush:
      case rocksdb::BackgroundErrorReason::kFlushNoWAL:
        return "flushing";
      case rocksdb::BackgroundErrorReason::kCompaction:
        return "compacting";
      case rocksdb::BackgroundErrorReason::kManifestWrite:
      case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
        return "writing its manifest";
      default:
        return "writing";
    }
  }
  mutable std::mutex mutex_;
  rocksdb::Status current_;
  std::string during_;
};

rocksdb::Slice AsSlice(const Digest& d) { return rocksdb::Slice(reinterpret_cast<const char*>(d.data()), d.size()); }

Digest DigestFrom(std::string_view bytes) {
  Digest d{};
  std::copy(bytes.begin(), bytes.begin() + std::min<size_t>(bytes.size(), d.size()), d.begin());
  return d;
}

}  // namespace

namespace {

std::string FormatRefusal(const std::string& dir, std::string_view format) {
  return "store " + dir + " has format \"" + std::string(format) + "\"; this build reads \"" + std::string(kStoreFormat) + "\"";
}

// Why a store with column families we do not have (`extra`; all of them: `families`) is refused:
// its format, read from its `meta` family (opened read-only, with all its families), or else the
// families it should not have.
std::string OtherFormat(const std::string& dir, const std::vector<std::string>& families, const std::vector<std::string>& extra) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DBOptions options;
  options.info_log = std::make_shared<DiscardingLogger>();
  options.max_file_opening_threads = kFileOpeningThreads;
  rocksdb::DB* raw = nullptr;
  std::string format;
  if (rocksdb::DB::OpenForReadOnly(options, dir, descriptors, &handles, &raw).ok()) {
    std::unique_ptr<rocksdb::DB> db(raw);
    for (size_t i = 0; i < families.size(); ++i) {
      if (families[i] == kFamilyNames[kMeta]) db->Get(rocksdb::ReadOptions(), handles[i], kFormatKey, &format);
    }
    for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
  }
  if (!format.empty() && format != kStoreFormat) return FormatRefusal(dir, format);
  std::string names;
  for (const std::string& name : extra) names += (names.empty() ? "" : ", ") + name;
  return "store " + dir + " has column families that \"" + std::string(kStoreFormat) + "\" does not (" + names + ")";
}

}  // namespace

struct EventLog::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::WriteOptions write_options;
  std::mutex write_mutex;  // one writer at a time; RocksDB readers need no lock
  std::shared_ptr<BackgroundErrors> background_errors = std::make_shared<BackgroundErrors>();
  bool auto_compaction = true;  // RocksDB compacts on its own (background_compaction, or turned on since)
  uint64_t next_sequence = 1;
  std::atomic<uint64_t> next_generation{1};

  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles[f]; }

  // Walks a subject's range of `subject_log`: each log entry to `entry` (with its key), and each
  // event record's key (tag 0, malformed ones too: records are not the log) to `record_key`.
  Status WalkSubjectLog(std::string_view subject, const std::function<Status(const SubjectEntry&, std::string_view key)>& entry,
                        const std::function<void(std::string_view key)>& record_key) const {
    const std::string prefix = SubjectPrefix(subject);
    // A whole subject's range, read once (check, rebuild, a log listing): its blocks would only
    // evict others from the block cache.
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, cf(kSubjectLog)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      const std::string_view key(it->key().data(), it->key().size());
      const std::string_view value(it->value().data(), it->value().size());
      if (key.back() == kRecordTag) {
        record_key(key);
        continue;
      }
      const auto parsed = ParseLogKey(key, prefix.size());
      if (!parsed || value.size() < kLogEntryHead) return Status::Corruption("malformed subject log entry");
      SubjectEntry e;
      e.position = parsed->position;
      e.document_hash = DigestFrom(value.substr(0, 32));
      e.sequence = ReadBigEndian64(value.substr(32, 8));
      e.document = value.substr(kLogEntryHead);
      PITH_RETURN_IF_ERROR(entry(e, key));
    }
    return FromRocks(it->status(), "scanning subject log");
  }

  // The document that the `events` entry of `hash`, naming `place`, finds: its bytes, or in *damage
  // why the entry is wrong (it names no log entry key, a missing entry, or one of another document).
  // Read errors, RocksDB's own corruption included, are returned.
  Status ReadIndexed(const Digest& hash, std::string_view place, std::string* document, std::string* damage) const {
    const std::string hex = DigestHex(hash);
    if (!IsLogEntryKey(place)) {
      *damage = "event " + hex + " is indexed at no log entry";
      return Status::OK();
    }
    auto entry = Get(kSubjectLog, rocksdb::Slice(place.data(), place.size()));
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) {
      *damage = "event " + hex + " is indexed at a log entry that does not exist";
      return Status::OK();
    }
    const std::string_view value = **entry;
    if (value.size() < kLogEntryHead || value.substr(0, 32) != AsSlice(hash).ToStringView()) {
      *damage = "event " + hex + " is indexed at a log entry of another document";
      return Status::OK();
    }
    document->assign(value.substr(kLogEntryHead));
    return Status::OK();
  }

  Result<std::optional<std::string>> Get(Family f, const rocksdb::Slice& key,
                                         const rocksdb::ReadOptions& read = rocksdb::ReadOptions()) const {
    std::string value;
    rocksdb::Status s = db->Get(read, cf(f), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, std::string("reading ") + kFamilyNames[f]);
    return std::optional<std::string>(std::move(value));
  }

  // The stored header, with its tail unless `with_tail` is false (then tail and tail_pieces are
  // left empty, and the caller reads the tail with AppendTail).
  Result<std::optional<SnapshotHeader>> GetHeader(std::string_view subject, const rocksdb::ReadOptions& read,
                                                  bool with_tail = true) const {
    auto v = Get(kSnapshots, rocksdb::Slice(subject.data(), subject.size()), read);
    if (!v.ok()) return v.status();
    if (!v->has_value()) return std::optional<SnapshotHeader>();
    auto header = storage_internal::DecodeSnapshotHeader(**v);
    if (!header) return Status::Corruption("snapshot of " + std::string(subject) + " is malformed");
    auto count = ItemCount(subject, read);
    if (!count.ok()) return count.status();
    header->item_count = *count;
    if (with_tail) {
      // Room for an incremental step's edits: growing a tail of megabytes would copy it whole
      // into fresh memory. (A megabyte for every tail made ingest slower: its tails are small.)
      header->tail.reserve(header->tail_size + header->tail_size / 8 + 4096);
      PITH_RETURN_IF_ERROR(AppendTail(subject, read, header->tail_size, &header->tail, &header->tail_pieces));
    }
    return header;
  }

  // Appends the subject's tail to *out (and its pieces to *pieces); kCorruption unless it has
  // `size` bytes.
  Status AppendTail(std::string_view subject, const rocksdb::ReadOptions& read, uint64_t size, std::string* out,
                    std::vector<TailPiece>* pieces) const {
    const size_t before = out->size();
    PITH_RETURN_IF_ERROR(ReadTail(subject, read, out, pieces));
    if (out->size() - before != size) {
      return Status::Corruption("the state tail of " + std::string(subject) + " misses pieces");
    }
    return Status::OK();
  }

  // The subject's tail pieces, in id order, and the tail they make.
  Status ReadTail(std::string_view subject, const rocksdb::ReadOptions& read, std::string* tail,
                  std::vector<TailPiece>* pieces) const {
    const std::string prefix = SubjectPrefix(subject);
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, cf(kStateTail)));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      if (it->key().size() != prefix.size() + 8 || it->value().empty()) {
        return Status::Corruption("a state tail piece of " + std::string(subject) + " is malformed");
      }
      const uint64_t id = ReadBigEndian64(std::string_view(it->key().data() + prefix.size(), 8));
      pieces->push_back({id, it->value().size()});
      tail->append(it->value().data(), it->value().size());
    }
    return FromRocks(it->status(), "reading a state tail");
  }

  // Adds the tail of `w` to `batch`: the pieces its changes touch, or every piece afresh. With
  // `afresh`, whatever is stored is not trusted: every piece of the subject goes.
  Status WriteTail(rocksdb::WriteBatch* batch, const std::string& subject, const SnapshotWrite& w, bool afresh) {
    const std::string& tail = w.header.tail;
    std::optional<storage_internal::TailRewrite> plan;
    if (!w.tail_changes.empty() && !afresh) plan = storage_internal::PlanTailRewrite(w.tail_base, w.tail_changes, tail.size());
    if (!plan) {
      // Afresh: whatever pieces the subject had go (one range deletion, before the new pieces in
      // the same batch, so they survive it), then the tail in fresh pieces.
      bool may_have_pieces = afresh;
      if (!afresh) {
        auto stored = Get(kSnapshots, rocksdb::Slice(subject.data(), subject.size()));
        if (!stored.ok()) return stored.status();
        may_have_pieces = stored->has_value();
      }
      if (may_have_pieces) {
        batch->DeleteRange(cf(kStateTail), storage_internal::TailPieceKey(subject, 0),
                           storage_internal::TailPieceKey(subject, std::numeric_limits<uint64_t>::max()));
      }
      plan.emplace();
      uint64_t at = 0;
      for (const TailPiece& p : storage_internal::FreshPieces(tail.size())) {
        plan->puts.push_back({p.id, at, at + p.size});
        at += p.size;
      }
    }
    for (const storage_internal::PieceWrite& p : plan->puts) {
      batch->Put(cf(kStateTail), storage_internal::TailPieceKey(subject, p.id),
                 rocksdb::Slice(tail.data() + p.begin, p.end - p.begin));
    }
    for (uint64_t id : plan->deletes) batch->Delete(cf(kStateTail), storage_internal::TailPieceKey(subject, id));
    return Status::OK();
  }

  Result<uint64_t> ItemCount(std::string_view subject, const rocksdb::ReadOptions& read) const {
    auto v = Get(kStateItems, storage_internal::CountKey(subject), read);
    if (!v.ok()) return v.status();
    if (v->has_value() && (*v)->size() != 8) return Status::Corruption("the state item count of " + std::string(subject) + " is malformed");
    return v->has_value() ? ReadBigEndian64(**v) : 0;
  }

  // Adds one subject's snapshot (header, item chunks, index entries) to `batch`. With `afresh`,
  // nothing stored is read or trusted: the subject's items and tail pieces all go first.
  Status WriteSnapshot(rocksdb::WriteBatch* batch, const std::string& subject, const SnapshotWrite& w, bool afresh = false) {
    if (afresh && !w.replace) return Status::InvalidInput("an afresh snapshot write must replace the items");
    if (afresh) {  // the count (under the bare prefix) and every chunk
      batch->DeleteRange(cf(kStateItems), storage_internal::CountKey(subject),
                         storage_internal::ChunkKey(subject, std::numeric_limits<uint64_t>::max()));
    }
    auto old_count = afresh ? Result<uint64_t>(uint64_t{0}) : ItemCount(subject, rocksdb::ReadOptions());
    if (!old_count.ok()) return old_count.status();
    SnapshotHeader header;  // w.header without its tail (written in pieces, not copied)
    header.covers = w.header.covers;
    header.keyset_digest = w.header.keyset_digest;
    header.merge_version = w.header.merge_version;
    header.head = w.header.head;
    header.aux = w.header.aux;
    header.tail_size = w.header.tail.size();
    uint64_t first = 0;  // the first item index to (re)write
    std::string partial;  // the stored items of a chunk the new items continue
    if (w.replace) {
      header.item_count = w.items.size();
      for (uint64_t c = ChunkCount(header.item_count); c < ChunkCount(*old_count); ++c) {
        batch->Delete(cf(kStateItems), ChunkKey(subject, c));
      }
    } else {
      first = *old_count;
      header.item_count = first + w.items.size();
      if (first % kItemsPerChunk != 0 && !w.items.empty()) {
        auto chunk = Get(kStateItems, ChunkKey(subject, first / kItemsPerChunk));
        if (!chunk.ok()) return chunk.status();
        if (!chunk->has_value()) return Status::Corruption("a state chunk of " + subject + " is missing");
        partial = std::move(**chunk);
      }
    }
    for (uint64_t at = first; at < header.item_count;) {
      const uint64_t chunk = at / kItemsPerChunk, chunk_end = std::min((chunk + 1) * kItemsPerChunk, header.item_count);
      std::string value = at % kItemsPerChunk == 0 ? std::string() : std::move(partial);
      std::string more = storage_internal::JoinItems(w.items, at - (w.replace ? 0 : first), chunk_end - at);
      value += value.empty() ? more : "," + more;
      batch->Put(cf(kStateItems), ChunkKey(subject, chunk), value);
      at = chunk_end;
    }
    PITH_RETURN_IF_ERROR(WriteTail(batch, subject, w, afresh));
    batch->Put(cf(kSnapshots), subject, storage_internal::EncodeSnapshotHeader(header));
    batch->Put(cf(kStateItems), storage_internal::CountKey(subject), BigEndian64(header.item_count));
    const std::string prefix = SubjectPrefix(subject);
    for (const auto& [key, value] : w.index) batch->Put(cf(kSubjectIndex), prefix + key, value);
    batch->Put(cf(kMeta), kIndexGenerationKey, BigEndian64(next_generation.load()));
    return Status::OK();
  }

  ~Impl() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      db->Close();
    }
  }
};

EventLog::EventLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EventLog::~EventLog() = default;

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::string& dir, const EventLogOptions& options) {
  if (options.sync && !options.write_ahead_log) {
    return Status::InvalidInput("a store cannot sync every append without its write-ahead log");
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = options.create_if_missing;
  db_options.paranoid_checks = true;
  // An acknowledged (synced) append must never be rolled back: tolerate only an incomplete last WAL
  // record (a crash mid-write) and refuse to open on any other WAL corruption. The default,
  // kPointInTimeRecovery, silently drops every batch after a damaged WAL record.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // Without the write-ahead log a crash keeps only what was flushed: every family must then be
  // flushed at the same point of the writes, or one could keep an event whose index entry another
  // family lost. RocksDB's atomic flush does that (its advice for a store written without a WAL).
  db_options.atomic_flush = !options.write_ahead_log;
  db_options.info_log = std::make_shared<DiscardingLogger>();
  db_options.max_file_opening_threads = kFileOpeningThreads;
  // Memtables of all column families together stay under this (RocksDB flushes the largest when
  // they reach it); otherwise each of the 13 families may hold up to two 64 MB memtables.
  db_options.db_write_buffer_size = options.memtable_budget_bytes != 0 ? options.memtable_budget_bytes : 256u << 20;
  // Bloom filters (10 bits a key, about 1% false positives): appends mostly look up keys that are
  // not there (membership, events, verdicts of new documents), and without a filter each miss
  // reads an index and data block of every level.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  std::shared_ptr<rocksdb::TableFactory> table_factory(rocksdb::NewBlockBasedTableFactory(table_options));
  // Log entries (with their documents, about 2 KB each) and event records are mostly read a
  // subject at a time, in order: 64 KB blocks mean one read, one decompression and one cache entry
  // per ~25 events instead of per two.
  rocksdb::BlockBasedTableOptions scan_table_options = table_options;
  scan_table_options.block_size = 64u << 10;
  std::shared_ptr<rocksdb::TableFactory> scan_table_factory(rocksdb::NewBlockBasedTableFactory(scan_table_options));
  // State tails are read whole by every append to their subject and every state read: the blocks
  // of recently used tails stay decompressed in a cache of their own (they would evict the small
  // blocks of point lookups from a shared one).
  rocksdb::BlockBasedTableOptions tail_table_options = table_options;
  tail_table_options.block_cache = rocksdb::NewLRUCache(kTailCacheBytes);
  std::shared_ptr<rocksdb::TableFactory> tail_table_factory(rocksdb::NewBlockBasedTableFactory(tail_table_options));
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (size_t f = 0; f < std::size(kFamilyNames); ++f) {
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.compression = rocksdb::kLZ4Compression;
    cf_options.disable_auto_compactions = !options.background_compaction;
    cf_options.table_factory = f == kSubjectLog ? scan_table_factory : f == kStateTail ? tail_table_factory : table_factory;
    // The families an append probes for keys that are mostly absent (is this document stored, is
    // its verdict cached) get a whole-key bloom filter in the memtable too: a miss then skips the
    // skip-list search (measured: ingest 5% less CPU; the filter is 2% of the memtable).
    if (f == kEvents || f == kMembership || f == kVerdicts) {
      cf_options.memtable_prefix_bloom_size_ratio = 0.02;
      cf_options.memtable_whole_key_filtering = true;
    }
    families.emplace_back(kFamilyNames[f], cf_options);
  }
  // A store of another format may have other column families, which RocksDB refuses to open
  // unnamed: its format is then read with its own families, read-only, and named in the refusal.
  // (A store with only some of our families is one whose creation was cut short: RocksDB creates
  // the missing ones.)
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, dir, &existing).ok()) {
    std::vector<std::string> extra;
    for (const std::string& name : existing) {
      if (std::find(std::begin(kFamilyNames), std::end(kFamilyNames), name) == std::end(kFamilyNames)) extra.push_back(name);
    }
    if (!extra.empty()) return Status::Unsupported(OtherFormat(dir, existing, extra));
  }
  auto impl = std::make_unique<Impl>();
  db_options.listeners.push_back(impl->background_errors);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, families, &impl->handles, &raw);
  if (!s.ok()) {
    if (s.IsInvalidArgument() && s.ToString().find("does not exist") != std::string::npos) {
      return Status::NotFound("no store at " + dir + " (" + s.ToString() + ")");
    }
    return FromRocks(s, "opening store " + dir);
  }
  impl->db.reset(raw);
  impl->auto_compaction = options.background_compaction;
  impl->write_options.sync = options.sync;
  impl->write_options.disableWAL = !options.write_ahead_log;

  auto format = impl->Get(kMeta, kFormatKey);
  if (!format.ok()) return format.status();
  if (!format->has_value()) {
    rocksdb::WriteOptions sync_write;
    sync_write.sync = true;
    rocksdb::Status put = impl->db->Put(sync_write, impl->cf(kMeta), kFormatKey, rocksdb::Slice(kStoreFormat.data(), kStoreFormat.size()));
    if (!put.ok()) return FromRocks(put, "initialising store");
  } else if (**format != kStoreFormat) {
    return Status::Unsupported(FormatRefusal(dir, **format));
  }
  auto next = impl->Get(kMeta, kNextSequenceKey);
  if (!next.ok()) return next.status();
  impl->next_sequence = next->has_value() ? ReadBigEndian64(**next) : 1;  // sequences start at 1
  auto generation = impl->Get(kMeta, kIndexGenerationKey);
  if (!generation.ok()) return generation.status();
  impl->next_generation = generation->has_value() ? ReadBigEndian64(**generation) : 1;
  return std::unique_ptr<EventLog>(new EventLog(std::move(impl)));
}

Result<bool> EventLog::Contains(std::string_view subject, const Digest& document_hash) const {
  std::string key = SubjectPrefix(subject);
  key.append(reinterpret_cast<const char*>(document_hash.data()), document_hash.size());
  auto v = impl_->Get(kMembership, key);
  if (!v.ok()) return v.status();
  return v->has_value();
}

Status EventLog::Append(const std::vector<LogAppend>& events, const std::map<std::string, SnapshotWrite>& snapshots) {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  // The batch's buffer is reserved once: grown by doubling, a batch of thousands of events
  // (megabytes) would be copied over and over.
  size_t estimate = 4096;
  constexpr size_t kPerEventKeys = 512;  // subject keys, hashes, sequences, verdict (generously)
  for (const LogAppend& e : events) estimate += e.raw.size() + e.record.size() + 2 * e.subject.size() + kPerEventKeys;
  for (const auto& [subject, snapshot] : snapshots) {
    estimate += snapshot.header.head.size() + snapshot.header.tail.size() + snapshot.header.aux.size() + 1024;
    for (const std::string& item : snapshot.items) estimate += item.size() + 1;
    for (const auto& [key, value] : snapshot.index) estimate += key.size() + value.size() + subject.size() + 32;
  }
  rocksdb::WriteBatch batch(estimate);
  std::map<std::string, uint64_t> sizes;  // subject -> size after this batch
  // Positions and sequence numbers follow the input order; the entries keyed by subject go into
  // the batch in subject order, so that RocksDB inserts each family's keys in ascending order (a
  // batch of a feed whose papers interleave inserted them all over its memtables: a skip-list
  // search from the top for each one).
  std::vector<uint64_t> positions(events.size()), sequences(events.size());
  std::vector<std::string> prefixes(events.size());  // LP(subject): the keys' order is theirs
  uint64_t sequence = impl_->next_sequence;
  std::set<Digest> indexed;  // documents this batch names in `events` (a document may come twice)
  for (size_t i = 0; i < events.size(); ++i) {
    const LogAppend& e = events[i];
    auto it = sizes.find(e.subject);
    if (it == sizes.end()) {
      auto size = SubjectSize(e.subject);
      if (!size.ok()) return size.status();
      it = sizes.emplace(e.subject, *size).first;
    }
    positions[i] = it->second++;
    sequences[i] = sequence++;
    prefixes[i] = SubjectPrefix(e.subject);
    // A document's first log entry is where `events` finds it.
    if (!indexed.count(e.document_hash)) {
      auto existing = impl_->Get(kEvents, AsSlice(e.document_hash));
      if (!existing.ok()) return existing.status();
      if (!existing->has_value()) batch.Put(impl_->cf(kEvents), AsSlice(e.document_hash), LogKey(prefixes[i], positions[i], kEntryTag));
      indexed.insert(e.document_hash);
    }
    std::string hash(reinterpret_cast<const char*>(e.document_hash.data()), e.document_hash.size());
    batch.Put(impl_->cf(kSequence), BigEndian64(sequences[i]), hash + e.subject);
  }
  std::vector<size_t> by_subject(events.size());
  for (size_t i = 0; i < by_subject.size(); ++i) by_subject[i] = i;
  std::stable_sort(by_subject.begin(), by_subject.end(), [&](size_t a, size_t b) { return prefixes[a] < prefixes[b]; });
  for (size_t i : by_subject) {
    const LogAppend& e = events[i];
    const std::string& prefix = prefixes[i];
    std::string hash(reinterpret_cast<const char*>(e.document_hash.data()), e.document_hash.size());
    if (!e.record.empty()) batch.Put(impl_->cf(kSubjectLog), LogKey(prefix, positions[i], kRecordTag), hash + e.record);
    // The log entry holds the document: hash, sequence, then the bytes as received.
    const std::string entry_key = LogKey(prefix, positions[i], kEntryTag), head = hash + BigEndian64(sequences[i]);
    const rocksdb::Slice key_part(entry_key), value_parts[2] = {rocksdb::Slice(head), rocksdb::Slice(e.raw.data(), e.raw.size())};
    batch.Put(impl_->cf(kSubjectLog), rocksdb::SliceParts(&key_part, 1), rocksdb::SliceParts(value_parts, 2));
    batch.Put(impl_->cf(kMembership), prefix + hash, BigEndian64(positions[i]));
    if (!e.verdict_key.empty()) batch.Put(impl_->cf(kVerdicts), e.verdict_key, e.verdict);
  }
  for (const auto& [subject, size] : sizes) batch.Put(impl_->cf(kSubjects), subject, BigEndian64(size));
  batch.Put(impl_->cf(kMeta), kNextSequenceKey, BigEndian64(sequence));
  for (const auto& [subject, snapshot] : snapshots) PITH_RETURN_IF_ERROR(impl_->WriteSnapshot(&batch, subject, snapshot));
  rocksdb::Status s = impl_->db->Write(impl_->write_options, &batch);
  if (!s.ok()) return FromRocks(s, "appending events");
  impl_->next_sequence = sequence;
  return Status::OK();
}

Result<std::optional<std::string>> EventLog::GetEvent(const Digest& document_hash) const {
  auto place = impl_->Get(kEvents, AsSlice(document_hash));
  if (!place.ok() || !place->has_value()) return place;
  std::string document, damage;
  PITH_RETURN_IF_ERROR(impl_->ReadIndexed(document_hash, **place, &document, &damage));
  if (!damage.empty()) return Status::Corruption(damage);
  return std::optional<std::string>(std::move(document));
}

Result<bool> EventLog::IndexNamesEntry(std::string_view subject, uint64_t position, const Digest& document_hash) const {
  auto place = impl_->Get(kEvents, AsSlice(document_hash));
  if (!place.ok()) return place.status();
  return place->has_value() && **place == LogKey(SubjectPrefix(subject), position, kEntryTag);
}

Result<uint64_t> EventLog::CountEventsEntries() const {
  uint64_t count = 0;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(kEvents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
  PITH_RETURN_IF_ERROR(FromRocks(it->status(), "counting events"));
  return count;
}

Status EventLog::ScanSubjectRecords(
    std::string_view subject,
    const std::function<Status(uint64_t, const Digest&, std::string_view, std::string_view)>& fn) const {
  const std::string prefix = SubjectPrefix(subject);
  // RocksDB's automatic readahead (8 KB doubling to 256 KB) suits one subject's range; a fixed
  // 2 MB readahead copied 2 MB from the page cache for every subject, most of it unused.
  // Each block is read once per scan: keeping it in the block cache would only evict others.
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read_options, impl_->cf(kSubjectLog)));
  // Each record comes just before its log entry (which holds the document the record names places
  // in); it is kept until then.
  std::string record;
  bool has_record = false;  // `record` is waiting for its entry, at record_position
  uint64_t record_position = 0;
  auto no_entry = [](uint64_t position) {
    return Status::Corruption("the event record at position " + std::to_string(position) + " has no log entry");
  };
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    const std::string_view value(it->value().data(), it->value().size());
    const auto parsed = ParseLogKey(key, prefix.size());
    if (!parsed) return Status::Corruption("malformed subject log key");
    const uint64_t position = parsed->position;
    if (parsed->tag == kRecordTag) {
      if (has_record) return no_entry(record_position);
      if (value.size() < 32) return Status::Corruption("malformed event record entry");
      record.assign(value);
      record_position = position;
      has_record = true;
      continue;
    }
    if (value.size() < kLogEntryHead) return Status::Corruption("malformed subject log entry");
    if (!has_record) continue;  // an entry without its record: the caller sees the gap
    if (record_position != position) return no_entry(record_position);
    if (std::string_view(record).substr(0, 32) != value.substr(0, 32)) {
      return Status::Corruption("the event record and the log entry at position " + std::to_string(position) +
                                " name different documents");
    }
    has_record = false;
    PITH_RETURN_IF_ERROR(fn(position, DigestFrom(value.substr(0, 32)), std::string_view(record).substr(32),
                            value.substr(kLogEntryHead)));
  }
  PITH_RETURN_IF_ERROR(FromRocks(it->status(), "scanning event records"));
  return has_record ? no_entry(record_position) : Status::OK();
}

Result<uint64_t> EventLog::SubjectSize(std::string_view subject) const {
  auto v = impl_->Get(kSubjects, rocksdb::Slice(subject.data(), subject.size()));
  if (!v.ok()) return v.status();
  return v->has_value() ? ReadBigEndian64(**v) : 0;
}

Status EventLog::ScanSubject(std::string_view subject, const std::function<Status(const SubjectEntry&)>& fn) const {
  return impl_->WalkSubjectLog(subject, [&](const SubjectEntry& e, std::string_view) { return fn(e); }, [](std::string_view) {});
}

Status EventLog::ScanSubjects(const std::function<Status(const std::string&, uint64_t)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(kSubjects)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    PITH_RETURN_IF_ERROR(fn(it->key().ToString(), ReadBigEndian64(std::string_view(it->value().data(), it->value().size()))));
  }
  return FromRocks(it->status(), "scanning subjects");
}

Status EventLog::ScanEvents(const std::function<Status(std::string_view, const Result<std::string>&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(kEvents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (key.size() != Digest().size()) {
      PITH_RETURN_IF_ERROR(fn(key, Status::Corruption("an `events` key of " + std::to_string(key.size()) +
                                                      " bytes is no document hash")));
      continue;
    }
    std::string document, damage;
    PITH_RETURN_IF_ERROR(impl_->ReadIndexed(DigestFrom(key), std::string_view(it->value().data(), it->value().size()),
                                            &document, &damage));
    if (!damage.empty()) {
      PITH_RETURN_IF_ERROR(fn(key, Status::Corruption(damage)));
    } else {
      PITH_RETURN_IF_ERROR(fn(key, std::move(document)));
    }
  }
  return FromRocks(it->status(), "scanning events");
}

namespace {

// Whether `document` (bytes as received) is the document of `hash`: sha256(canon(its value)).
bool DocumentHashesTo(std::string_view document, std::string_view hash) {
  auto parsed = json::Parse(document);
  if (!parsed.ok()) return false;
  const Digest d = Sha256(json::Canonical(*parsed));
  return AsSlice(d).ToStringView() == hash;
}

}  // namespace

Result<EventLog::EventIndexRepair> EventLog::RepairEventIndex() {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  // Every log entry of the store, in key order (one sequential read): its key, its hash field and
  // its document.
  using EntryFn = std::function<Status(std::string_view key, std::string_view hash, std::string_view document)>;
  auto for_each_entry = [this](const EntryFn& fn) {
    rocksdb::ReadOptions read_options;
    read_options.fill_cache = false;
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read_options, impl_->cf(kSubjectLog)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string_view key(it->key().data(), it->key().size()), value(it->value().data(), it->value().size());
      if (!IsLogEntryKey(key) || value.size() < kLogEntryHead) continue;
      PITH_RETURN_IF_ERROR(fn(key, value.substr(0, 32), value.substr(kLogEntryHead)));
    }
    return FromRocks(it->status(), "reading the log for the `events` index");
  };
  // Writes go in batches of a bounded size (a store that lost its whole index gets every entry back).
  constexpr size_t kBatchEntries = 65536;
  rocksdb::WriteBatch batch;
  auto write_batch = [&] {
    if (batch.Count() == 0) return Status::OK();
    Status s = FromRocks(impl_->db->Write(impl_->write_options, &batch), "repairing the `events` index");
    batch.Clear();
    return s;
  };
  // First the common answer, cheaply: each log entry whose hash field's `events` entry names it
  // confirms that entry (a distinct one: an entry names one key); when they are all of them,
  // nothing in `events` is wrong. (Reading every entry through `events` instead reads and
  // decompresses a log block at random per document.) A document with no `events` entry is
  // indexed at its first log entry whose bytes hash to it (the Get of a later copy sees it).
  uint64_t confirmed = 0;
  EventIndexRepair repair;
  PITH_RETURN_IF_ERROR(for_each_entry([&](std::string_view key, std::string_view hash, std::string_view document) {
    const rocksdb::Slice hash_key(hash.data(), hash.size());
    auto place = impl_->Get(kEvents, hash_key);
    if (!place.ok()) return place.status();
    if (place->has_value() && **place == key) {
      ++confirmed;
    } else if (!place->has_value() && DocumentHashesTo(document, hash)) {
      PITH_RETURN_IF_ERROR(FromRocks(impl_->db->Put(impl_->write_options, impl_->cf(kEvents), hash_key,
                                                    rocksdb::Slice(key.data(), key.size())),
                                     "repairing the `events` index"));
      ++repair.added;
    }
    return Status::OK();
  }));
  auto count = CountEventsEntries();
  if (!count.ok()) return count.status();
  if (*count == confirmed + repair.added) return repair;
  // Some entry is wrong. Each is pointed at the best log entry for its key, in this order: the
  // first (in key order) whose hash field and bytes both give the key; else the one it names, kept,
  // when that entry's bytes hash to the key (its hash field is damaged); else the first whose hash
  // field gives the key (its bytes are damaged: the log holds the document, damaged); else none,
  // and the entry is removed (a document in no log, a key that is no hash).
  struct Wrong {
    bool names_intact_bytes = false;  // the entry it names holds bytes that hash to its key
    std::string intact, hash_field_only;  // the first log entry of each kind, if any
  };
  std::map<std::string, Wrong> wrong;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(kEvents)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string key = it->key().ToString(), place = it->value().ToString();
    if (key.size() != Digest().size()) {
      wrong.emplace(key, Wrong());
      continue;
    }
    std::string document, damage;
    PITH_RETURN_IF_ERROR(impl_->ReadIndexed(DigestFrom(key), place, &document, &damage));
    if (damage.empty()) continue;
    Wrong w;
    if (IsLogEntryKey(place)) {
      auto entry = impl_->Get(kSubjectLog, rocksdb::Slice(place));
      if (!entry.ok()) return entry.status();
      w.names_intact_bytes = entry->has_value() && entry->value().size() >= kLogEntryHead &&
                             DocumentHashesTo(std::string_view(**entry).substr(kLogEntryHead), key);
    }
    wrong.emplace(key, std::move(w));
  }
  PITH_RETURN_IF_ERROR(FromRocks(it->status(), "scanning events"));
  PITH_RETURN_IF_ERROR(for_each_entry([&](std::string_view key, std::string_view hash, std::string_view document) {
    auto found = wrong.find(std::string(hash));
    if (found == wrong.end()) return Status::OK();
    Wrong& w = found->second;
    if (w.intact.empty() && DocumentHashesTo(document, hash)) {
      w.intact = std::string(key);
    } else if (w.hash_field_only.empty()) {
      w.hash_field_only = std::string(key);
    }
    return Status::OK();
  }));
  for (const auto& [key, w] : wrong) {
    std::string target = w.intact;
    if (target.empty() && w.names_intact_bytes) continue;  // kept: the entry it names holds the document
    if (target.empty()) target = w.hash_field_only;
    if (target.empty()) {
      batch.Delete(impl_->cf(kEvents), key);
      ++repair.removed;
    } else {
      batch.Put(impl_->cf(kEvents), key, target);
      ++repair.reindexed;
    }
    if (batch.Count() >= kBatchEntries) PITH_RETURN_IF_ERROR(write_batch());
  }
  PITH_RETURN_IF_ERROR(write_batch());
  return repair;
}

Status EventLog::ScanSequence(uint64_t after, const std::function<Status(uint64_t, const std::string&, const Digest&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(kSequence)));
  for (it->Seek(BigEndian64(after + 1)); it->Valid(); it->Next()) {
    std::string_view value(it->value().data(), it->value().size());
    if (value.size() < 32) return Status::Corruption("malformed sequence entry");
    PITH_RETURN_IF_ERROR(fn(ReadBigEndian64(std::string_view(it->key().data(), it->key().size())),
                            std::string(value.substr(32)), DigestFrom(value.substr(0, 32))));
  }
  return FromRocks(it->status(), "scanning sequence");
}

uint64_t EventLog::LastSequence() const { return impl_->next_sequence - 1; }

Result<std::optional<std::string>> EventLog::GetVerdict(std::string_view verdict_key) const {
  return impl_->Get(kVerdicts, rocksdb::Slice(verdict_key.data(), verdict_key.size()));
}

Status EventLog::GetVerdicts(const std::vector<std::string>& keys, std::vector<std::optional<std::string>>* out) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  impl_->db->MultiGet(rocksdb::ReadOptions(), impl_->cf(kVerdicts), keys.size(), slices.data(), values.data(),
                      statuses.data());
  out->assign(keys.size(), std::nullopt);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "reading verdicts");
    (*out)[i].emplace(values[i].data(), values[i].size());
  }
  return Status::OK();
}

Status EventLog::PutVerdicts(const std::vector<std::pair<std::string, std::string>>& verdicts) {
  rocksdb::WriteBatch batch;
  for (const auto& [k, v] : verdicts) batch.Put(impl_->cf(kVerdicts), k, v);
  return FromRocks(impl_->db->Write(impl_->write_options, &batch), "writing verdicts");
}

Result<std::optional<Snapshot>> EventLog::GetSnapshot(std::string_view subject) const {
  // The header and the item chunks are separate keys: read them from one RocksDB snapshot, so an
  // append committing meanwhile is seen entirely or not at all.
  const rocksdb::Snapshot* view = impl_->db->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* view;
    ~Release() { db->ReleaseSnapshot(view); }
  } release{impl_->db.get(), view};
  rocksdb::ReadOptions read;
  read.snapshot = view;
  auto header = impl_->GetHeader(subject, read, /*with_tail=*/false);
  if (!header.ok()) return header.status();
  if (!header->has_value()) return std::optional<Snapshot>();
  const SnapshotHeader& h = **header;
  Snapshot out;
  out.covers = h.covers;
  out.keyset_digest = h.keyset_digest;
  out.merge_version = h.merge_version;
  // The state is assembled in one buffer, the tail read straight into it (a large state is
  // megabytes: copied once, not twice). Items are about 73 bytes each.
  constexpr uint64_t kItemBytes = 74;
  out.state.reserve(h.head.size() + h.item_count * kItemBytes + h.tail_size);
  out.state = h.head;
  const std::string prefix = SubjectPrefix(subject);
  uint64_t chunks = 0;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read, impl_->cf(kStateItems)));
  for (it->Seek(ChunkKey(subject, 0)); it->Valid() && it->key().starts_with(prefix) && chunks < ChunkCount(h.item_count);
       it->Next(), ++chunks) {
    if (it->key().ToString() != ChunkKey(subject, chunks)) break;
    if (chunks > 0) out.state += ',';
    out.state.append(it->value().data(), it->value().size());
  }
  PITH_RETURN_IF_ERROR(FromRocks(it->status(), "reading a state"));
  if (chunks != ChunkCount(h.item_count)) return Status::Corruption("the state of " + std::string(subject) + " misses chunks");
  std::vector<TailPiece> pieces;
  PITH_RETURN_IF_ERROR(impl_->AppendTail(subject, read, h.tail_size, &out.state, &pieces));
  return std::optional<Snapshot>(std::move(out));
}

Result<std::optional<SnapshotHeader>> EventLog::GetSnapshotHeader(std::string_view subject, bool with_tail) const {
  return impl_->GetHeader(subject, rocksdb::ReadOptions(), with_tail);
}

Status EventLog::PutSnapshot(std::string_view subject, const SnapshotWrite& snapshot) {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  rocksdb::WriteBatch batch;
  PITH_RETURN_IF_ERROR(impl_->WriteSnapshot(&batch, std::string(subject), snapshot));
  return FromRocks(impl_->db->Write(impl_->write_options, &batch), "writing snapshot");
}

Status EventLog::PutSnapshots(const std::map<std::string, SnapshotWrite>& snapshots) {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  rocksdb::WriteBatch batch;
  for (const auto& [subject, snapshot] : snapshots) PITH_RETURN_IF_ERROR(impl_->WriteSnapshot(&batch, subject, snapshot));
  return FromRocks(impl_->db->Write(impl_->write_options, &batch), "writing snapshots");
}

Status EventLog::RewriteDerived(std::string_view subject, const std::vector<std::string>& records,
                                const std::vector<std::pair<std::string, std::string>>& verdicts,
                                const SnapshotWrite& snapshot) {
  std::lock_guard<std::mutex> lock(impl_->write_mutex);
  // The log's document hashes and entry keys, and every record key of the subject (each is
  // replaced; a record at no log position goes).
  std::vector<Digest> hashes;
  std::vector<std::string> old_records, entry_keys;
  PITH_RETURN_IF_ERROR(impl_->WalkSubjectLog(
      subject,
      [&](const SubjectEntry& e, std::string_view key) {
        if (e.position != hashes.size()) {
          return Status::Corruption("the log of " + std::string(subject) + " has no entry at position " + std::to_string(hashes.size()));
        }
        hashes.push_back(e.document_hash);
        entry_keys.emplace_back(key);
        return Status::OK();
      },
      [&](std::string_view key) { old_records.emplace_back(key); }));
  if (hashes.size() != records.size()) {
    return Status::Internal(std::to_string(records.size()) + " event records for a log of " + std::to_string(hashes.size()));
  }
  rocksdb::WriteBatch batch;
  // A document `events` does not find (its entry lost, or naming no log entry that holds it) is
  // indexed again at this subject's entry: `events` is derived from the log too. Where `events`
  // names this very entry, reading `events` suffices (a GetEvent would read and decompress a log
  // block at random for each document).
  for (size_t i = 0; i < hashes.size(); ++i) {
    auto names = IndexNamesEntry(subject, i, hashes[i]);
    if (!names.ok() && names.status().code() != Status::Code::kCorruption) return names.status();
    if (names.ok() && *names) continue;
    auto found = GetEvent(hashes[i]);
    if (!found.ok() && found.status().code() != Status::Code::kCorruption) return found.status();
    if (!found.ok() || !found->has_value()) batch.Put(impl_->cf(kEvents), AsSlice(hashes[i]), entry_keys[i]);
  }
  for (const std::string& key : old_records) batch.Delete(impl_->cf(kSubjectLog), key);
  for (size_t i = 0; i < records.size(); ++i) {  // each at its entry's key with tag 0
    std::string key = std::move(entry_keys[i]);
    key.back() = kRecordTag;
    const std::string hash(reinterpret_cast<const char*>(hashes[i].data()), hashes[i].size());
    batch.Put(impl_->cf(kSubjectLog), key, hash + records[i]);
  }
  for (const auto& [key, reason] : verdicts) batch.Put(impl_->cf(kVerdicts), key, reason);
  PITH_RETURN_IF_ERROR(impl_->WriteSnapshot(&batch, std::string(subject), snapshot, /*afresh=*/true));
  return FromRocks(impl_->db->Write(impl_->write_options, &batch), "rewriting what is kept beside the log");
}

Result<std::optional<std::string>> EventLog::GetIndexEntry(std::string_view subject, std::string_view key) const {
  return impl_->Get(kSubjectIndex, SubjectPrefix(subject) + std::string(key));
}

Status EventLog::ScanIndex(std::string_view subject,
                           const std::function<Status(std::string_view key, std::string_view value)>& fn) const {
  const std::string prefix = SubjectPrefix(subject);
  rocksdb::ReadOptions read_options;
  read_options.fill_cache = false;  // a whole subject's index, read once (by check)
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(read_options, impl_->cf(kSubjectIndex)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    PITH_RETURN_IF_ERROR(fn(std::string_view(it->key().data() + prefix.size(), it->key().size() - prefix.size()),
                            std::string_view(it->value().data(), it->value().size())));
  }
  return FromRocks(it->status(), "scanning a subject index");
}

uint64_t EventLog::NewIndexGeneration() { return impl_->next_generation++; }

Result<std::map<std::string, std::string>> EventLog::GetKeys() const {
  std::map<std::string, std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->cf(kKeys)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace(it->key().ToString(), it->value().ToString());
  Status s = FromRocks(it->status(), "reading keys");
  if (!s.ok()) return s;
  return out;
}

Status EventLog::PutKey(std::string_view key_id, std::string_view entry) {
  rocksdb::WriteOptions sync_write;
  sync_write.sync = true;
  return FromRocks(impl_->db->Put(sync_write, impl_->cf(kKeys), rocksdb::Slice(key_id.data(), key_id.size()),
                                  rocksdb::Slice(entry.data(), entry.size())),
                   "writing key");
}

Status EventLog::DeleteKey(std::string_view key_id) {
  rocksdb::WriteOptions sync_write;
  sync_write.sync = true;
  return FromRocks(impl_->db->Delete(sync_write, impl_->cf(kKeys), rocksdb::Slice(key_id.data(), key_id.size())),
                   "removing key");
}

Status EventLog::Flush() {
  rocksdb::FlushOptions options;
  options.wait = true;
  return FromRocks(impl_->db->Flush(options, impl_->handles), "flushing the store");
}

Result<bool> EventLog::CompactionsPending() const {
  if (const auto [error, during] = impl_->background_errors->Current(); !error.ok()) {
    return FromRocks(error, "the store failed " + during + " in the background");
  }
  rocksdb::DB& db = *impl_->db;
  // The flags first: a compaction counts as running before it takes its files, which then no
  // longer count as due, so a compaction starting between the two reads is seen in the second.
  bool due = false;
  for (rocksdb::ColumnFamilyHandle* h : impl_->handles) {
    uint64_t pending = 0;
    due = due || (db.GetIntProperty(h, rocksdb::DB::Properties::kCompactionPending, &pending) && pending != 0);
  }
  uint64_t running = 0;
  db.GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &running);
  return due || running != 0;
}

Status EventLog::WaitForCompactions() {
  if (!impl_->auto_compaction) {
    // Turning automatic compaction on schedules what is due.
    for (rocksdb::ColumnFamilyHandle* h : impl_->handles) {
      PITH_RETURN_IF_ERROR(FromRocks(impl_->db->SetOptions(h, {{"disable_auto_compactions", "false"}}), "starting compactions"));
    }
    impl_->auto_compaction = true;
  }
  // RocksDB 7.8 has no call that waits for its compactions (WaitForCompact came later): its
  // counters are polled until two polls in a row find nothing due or running (a compaction that
  // ends can make another due). A failure in the background ends the wait with its error: a failed
  // compaction is retried every second, counted as running, and reports its error once (a full
  // disk: measured, it was retried until the disk had room). So that no other state of RocksDB's
  // can make it wait forever, a compaction due while none has run for kIdleLimit is an error too
  // (the store is sound either way: compaction only rewrites files).
  constexpr auto kPoll = std::chrono::milliseconds(20);
  constexpr auto kIdleLimit = std::chrono::seconds(10);
  auto last_busy = std::chrono::steady_clock::now();
  int idle_polls = 0;
  for (;;) {
    auto pending = CompactionsPending();
    if (!pending.ok()) return pending.status();
    uint64_t running = 0;
    impl_->db->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &running);
    const auto now = std::chrono::steady_clock::now();
    if (running != 0) last_busy = now;
    idle_polls = *pending ? 0 : idle_polls + 1;
    if (idle_polls == 2) return Status::OK();
    if (now - last_busy > kIdleLimit) {
      return Status::IOError("compacting the store: RocksDB has left a compaction due and run none for 10 s");
    }
    std::this_thread::sleep_for(kPoll);
  }
}

Status EventLog::VerifyChecksums() const { return FromRocks(impl_->db->VerifyChecksum(), "verifying checksums"); }

std::string EventLog::VerdictKey(const Digest& document_hash, std::string_view subject, std::string_view merge_version,
                                 std::string_view keys_digest) {
  std::string material(reinterpret_cast<const char*>(document_hash.data()), document_hash.size());
  material += SubjectPrefix(subject);
  material += SubjectPrefix(merge_version);
  material += keys_digest;
  Digest d = Sha256(material);
  // The subject first: a subject's verdicts lie together, so reading them (a replay, a state
  // recomputed) reads a few blocks instead of one block per verdict scattered over the family.
  return SubjectPrefix(subject) + std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace pith
