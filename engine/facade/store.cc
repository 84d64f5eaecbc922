// pith::Store: the facade over the merge (merge/) and the RocksDB event log (storage/).
#include "pith/store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>

#include "pith/codec.h"
#include "pith/event_record.h"
#include "pith/event_log.h"
#include "pith/hash.h"
#include "pith/parallel_for.h"
#include "store_impl.h"

namespace pith {

using store_internal::KeysDigestMemo;

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  PITH_RETURN_IF_ERROR(CheckMergeVersion(options.merge_version));
  EventLogOptions log_options;
  log_options.create_if_missing = options.create_if_missing;
  log_options.sync = options.sync;
  log_options.write_ahead_log = !options.bulk_load;
  log_options.memtable_budget_bytes = options.memtable_budget_bytes;
  log_options.background_compaction = options.background_compaction;
  auto log = EventLog::Open(dir, log_options);
  if (!log.ok()) return log.status();
  auto impl = std::make_unique<Impl>();
  impl->log = std::move(*log);
  impl->options = options;
  PITH_RETURN_IF_ERROR(impl->ReloadKeys());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Status Store::Flush() {
  std::lock_guard<std::mutex> lock(impl_->writer);
  return impl_->log->Flush();
}

Status Store::WaitForCompactions() {
  std::lock_guard<std::mutex> lock(impl_->writer);
  return impl_->log->WaitForCompactions();
}

Result<MergedState> Store::State(std::string_view subject) {
  auto snapshot = impl_->log->GetSnapshot(subject);
  if (!snapshot.ok()) return snapshot.status();
  auto size = impl_->log->SubjectSize(subject);
  if (!size.ok()) return size.status();
  if (*size == 0) return Status::NotFound("no events stored for " + std::string(subject));
  std::string keyset;
  {
    std::shared_lock lock(impl_->keys_mutex);
    keyset = impl_->keyset_digest;
  }
  if (snapshot->has_value() &&
      impl_->Current({(*snapshot)->covers, (*snapshot)->keyset_digest, (*snapshot)->merge_version}, *size, keyset)) {
    MergedState out;
    out.canonical = std::move((*snapshot)->state);
    auto sha = store_internal::StateSha256In(out.canonical, subject);
    if (!sha.ok()) return sha.status();
    out.state_sha256 = std::move(*sha);
    return out;
  }
  // Stale (the trusted keys changed, or commits deferred it): recompute from the log and cache it.
  std::lock_guard<std::mutex> lock(impl_->writer);
  const auto [keys, current_keyset] = impl_->KeysAndKeyset();
  MergedState merged;
  auto full = impl_->RecomputedSnapshot(subject, keys, current_keyset, impl_->log->NewIndexGeneration(), &merged);
  if (!full.ok()) return full.status();
  if (!full->has_value()) return Status::NotFound("no events stored for " + std::string(subject));
  PITH_RETURN_IF_ERROR(impl_->log->PutSnapshot(subject, **full));
  return merged;
}

Result<size_t> Store::UpdateStates(const std::vector<std::string>& subjects) {
  std::vector<std::string> todo = subjects;
  std::sort(todo.begin(), todo.end());
  todo.erase(std::unique(todo.begin(), todo.end()), todo.end());
  // A few subjects at a time: their records and new states are in memory together, and the writer
  // lock is let go between groups, so appends and reads are not held up for the whole update.
  const unsigned threads = ResolveThreads(impl_->options.threads);
  const size_t group = 4 * size_t{threads};
  size_t written = 0;
  for (size_t begin = 0; begin < todo.size(); begin += group) {
    const size_t n = std::min(group, todo.size() - begin);
    std::lock_guard<std::mutex> lock(impl_->writer);
    const auto [keys, keyset] = impl_->KeysAndKeyset();
    // Handed out in subject order, so the store's bytes do not depend on which thread finished
    // first (a subject already current leaves its number unused).
    std::vector<uint64_t> generations(n);
    for (uint64_t& g : generations) g = impl_->log->NewIndexGeneration();
    // Each subject's new snapshot; none for one already current or with nothing stored.
    std::vector<Result<std::optional<SnapshotWrite>>> computed(n, std::optional<SnapshotWrite>());
    ParallelFor(n, threads, [&](size_t k) {
      const std::string& subject = todo[begin + k];
      auto current = impl_->SnapshotCurrent(subject, keyset);
      if (!current.ok()) {
        computed[k] = current.status();
      } else if (!*current) {
        MergedState merged;
        computed[k] = impl_->RecomputedSnapshot(subject, keys, keyset, generations[k], &merged);
      }
    }, 1);
    std::map<std::string, SnapshotWrite> snapshots;  // the group's, written in one batch
    for (size_t k = 0; k < n; ++k) {
      if (!computed[k].ok()) return computed[k].status().WithPrefix(todo[begin + k]);
      if (computed[k]->has_value()) snapshots.emplace(todo[begin + k], std::move(**computed[k]));
    }
    if (!snapshots.empty()) PITH_RETURN_IF_ERROR(impl_->log->PutSnapshots(snapshots));
    written += snapshots.size();
  }
  return written;
}

Result<MergedState> Store::Replay(std::string_view subject, bool reverify) {
  const TrustedKeys keys = impl_->Keys();
  if (!reverify) {
    EventRecordSet records;
    std::vector<DocumentVerdict> verdicts;
    PITH_RETURN_IF_ERROR(impl_->LoadRecords(subject, keys, &records, &verdicts));
    if (records.views().empty()) return Status::NotFound("no events stored for " + std::string(subject));
    return MergeRecords(subject, records.views(), verdicts, keys, impl_->options.merge_version);
  }
  std::vector<json::Value> docs;
  std::vector<DocumentVerdict> verdicts;
  PITH_RETURN_IF_ERROR(impl_->LoadSubject(subject, keys, /*reverify=*/true, /*cache=*/false, &docs, &verdicts));
  if (docs.empty()) return Status::NotFound("no events stored for " + std::string(subject));
  return MergeChecked(subject, docs, verdicts, keys, impl_->options.merge_version);
}

Result<std::vector<std::string>> Store::Subjects() const {
  std::vector<std::string> out;
  PITH_RETURN_IF_ERROR(impl_->log->ScanSubjects([&](const std::string& s, uint64_t) {
    out.push_back(s);
    return Status::OK();
  }));
  return out;
}

Result<std::vector<LogRecord>> Store::Log(std::string_view subject) const {
  const TrustedKeys keys = impl_->Keys();
  KeysDigestMemo keys_digest(keys);
  std::vector<LogRecord> out;
  PITH_RETURN_IF_ERROR(impl_->log->ScanSubject(subject, [&](const SubjectEntry& e) {
    LogRecord r;
    r.position = e.position;
    r.sequence = e.sequence;
    r.document_sha256 = DigestHex(e.document_hash);
    auto doc = json::Parse(e.document);
    if (doc.ok()) {
      if (const std::string* id = doc->FindString("event_id")) r.event_id = *id;
      if (const std::string* t = doc->FindString("event_type")) r.event_type = *t;
      auto v = impl_->log->GetVerdict(
          EventLog::VerdictKey(e.document_hash, subject, impl_->options.merge_version, keys_digest.Of(*doc)));
      if (!v.ok()) return v.status();
      r.verdict = v->has_value() ? (**v).empty() ? "valid" : **v : "not yet verified under the current keys";
    } else {
      r.verdict = "unparseable";
    }
    out.push_back(std::move(r));
    return Status::OK();
  }));
  return out;
}

Result<std::vector<std::string>> Store::RawDocuments(std::string_view subject) const {
  std::vector<std::string> out;
  PITH_RETURN_IF_ERROR(impl_->log->ScanSubject(subject, [&](const SubjectEntry& e) {
    out.emplace_back(e.document);
    return Status::OK();
  }));
  return out;
}

Result<std::vector<json::Value>> Store::Documents(std::string_view subject) const {
  auto raws = RawDocuments(subject);
  if (!raws.ok()) return raws.status();
  std::vector<json::Value> out;
  for (const std::string& raw : *raws) {
    auto doc = json::Parse(raw);
    if (!doc.ok()) return Status::Corruption("a stored event of " + std::string(subject) + " no longer parses");
    out.push_back(std::move(*doc));
  }
  return out;
}

uint64_t Store::LastSequence() const { return impl_->log->LastSequence(); }

Status Store::ReadSince(uint64_t after, const std::function<Status(uint64_t, const std::string&, const std::string&)>& fn) const {
  return impl_->log->ScanSequence(after, [&](uint64_t seq, const std::string& subject, const Digest& h) {
    return fn(seq, subject, DigestHex(h));
  });
}

TrustedKeys Store::trusted_keys() const { return impl_->Keys(); }

std::optional<json::Value> Store::KeyEntry(std::string_view key_id) const {
  std::shared_lock lock(impl_->keys_mutex);
  const PublicKeyEntry* e = impl_->keys.Find(key_id);
  if (e == nullptr) return std::nullopt;
  return e->raw;
}

Status Store::AddKey(const json::Value& entry) {
  auto parsed = ParsePublicKeyEntry(entry);
  if (!parsed.ok()) return parsed.status();
  {
    TrustedKeys probe = impl_->Keys();
    PITH_RETURN_IF_ERROR(probe.Add(*parsed));
  }
  std::lock_guard<std::mutex> lock(impl_->writer);
  PITH_RETURN_IF_ERROR(impl_->log->PutKey(parsed->key_id, json::Canonical(entry)));
  return impl_->ReloadKeys();
}

Status Store::RemoveKey(std::string_view key_id) {
  std::lock_guard<std::mutex> lock(impl_->writer);
  auto stored = impl_->log->GetKeys();
  if (!stored.ok()) return stored.status();
  if (stored->count(std::string(key_id)) == 0) {
    return Status::NotFound("the store holds no key \"" + std::string(key_id) + "\" (compiled-in defaults cannot be removed)");
  }
  PITH_RETURN_IF_ERROR(impl_->log->DeleteKey(key_id));
  return impl_->ReloadKeys();
}

namespace {

// What Store::Rebuild writes for a subject, and what it was computed from.
struct RebuiltSubject {
  uint64_t log_size = 0;  // the subject's log size read before its documents
  std::string keyset;
  std::vector<std::string> records;
  std::vector<std::pair<std::string, std::string>> verdicts;  // verdict key -> reason
  SnapshotWrite snapshot;
  MergedState state;
};

}  // namespace

Result<MergedState> Store::Rebuild(std::string_view subject) {
  auto compute = [&]() -> Result<RebuiltSubject> {
    RebuiltSubject out;
    const auto [keys, keyset] = impl_->KeysAndKeyset();
    out.keyset = keyset;
    auto size = impl_->log->SubjectSize(subject);
    if (!size.ok()) return size.status();
    out.log_size = *size;
    std::vector<Digest> hashes;
    std::vector<json::Value> docs;
    std::vector<std::string> raws;
    PITH_RETURN_IF_ERROR(impl_->ReadSubjectDocuments(subject, /*verify_hashes=*/true, &hashes, &docs, &raws));
    if (docs.empty()) return Status::NotFound("no events stored for " + std::string(subject));
    const std::vector<std::string> reasons = impl_->CheckReasons(docs, subject, keys);
    const std::vector<std::string> verdict_keys = impl_->VerdictKeys(subject, keys, hashes, docs);
    std::vector<DocumentVerdict> verdicts;  // each hash checked against its document when read
    for (size_t i = 0; i < docs.size(); ++i) {
      verdicts.push_back({DigestHex(hashes[i]), reasons[i]});
      out.records.push_back(EncodeEventRecordBeside(MakeEventRecord(docs[i]), raws[i]));
      out.verdicts.emplace_back(verdict_keys[i], reasons[i]);
    }
    auto full = store_internal::FullSnapshot(subject, docs, verdicts, keys, impl_->Basis(docs.size(), out.keyset),
                                             impl_->log->NewIndexGeneration(), &out.state);
    if (!full.ok()) return full.status();
    out.snapshot = std::move(*full);
    return out;
  };
  // Computed without the writer lock, so that subjects rebuild side by side (and beside appends),
  // and written under it if the subject's log and the keys are as they were; else (an append to
  // the subject or a key change came between) computed again under the lock.
  auto rebuilt = compute();
  if (!rebuilt.ok()) return rebuilt.status();
  std::lock_guard<std::mutex> lock(impl_->writer);
  auto size = impl_->log->SubjectSize(subject);
  if (!size.ok()) return size.status();
  if (*size != rebuilt->log_size || impl_->KeysAndKeyset().second != rebuilt->keyset) {
    rebuilt = compute();
    if (!rebuilt.ok()) return rebuilt.status();
  }
  PITH_RETURN_IF_ERROR(impl_->log->RewriteDerived(subject, rebuilt->records, rebuilt->verdicts, rebuilt->snapshot));
  return std::move(rebuilt->state);
}

Result<Store::EventIndexRepair> Store::RepairEventIndex() {
  std::lock_guard<std::mutex> lock(impl_->writer);
  auto repaired = impl_->log->RepairEventIndex();
  if (!repaired.ok()) return repaired.status();
  return EventIndexRepair{repaired->added, repaired->reindexed, repaired->removed};
}

}  // namespace pith
