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
#include "subject_snapshots.h"

namespace pith {
namespace {

// The trusted-key entries a document's section 3 verdict depends on: its signer's and, for a
// record_created, its receipt's. Their canonical bytes (or "null") feed the verdict cache key.
std::string KeysDigest(const std::string* signer_key_id, const std::string* receipt_key_id, const TrustedKeys& keys) {
  std::string material;
  for (const std::string* key_id : {signer_key_id, receipt_key_id}) {
    const PublicKeyEntry* e = key_id ? keys.Find(*key_id) : nullptr;
    material += e ? json::Canonical(e->raw) : "null";
    material.push_back('\n');
  }
  return Sha256Hex(material);
}

// The key ids a document's verdict depends on (null where the document names none).
std::pair<const std::string*, const std::string*> DocumentKeyIds(const json::Value& doc) {
  const json::Value* signer = doc.Find("signer");
  const json::Value* payload = doc.Find("payload");
  const json::Value* receipt = payload ? payload->Find("receipt") : nullptr;
  return {signer ? signer->FindString("key_id") : nullptr, receipt ? receipt->FindString("key_id") : nullptr};
}

// KeysDigest remembered per pair of key ids, for the many documents of one read or append.
class KeysDigestMemo {
 public:
  explicit KeysDigestMemo(const TrustedKeys& keys) : keys_(keys) {}
  const std::string& Of(const json::Value& doc) {
    auto [signer, receipt] = DocumentKeyIds(doc);
    return Of(signer, receipt);
  }
  const std::string& Of(const std::string* signer, const std::string* receipt) {
    auto view = [](const std::string* s) { return s ? std::optional<std::string_view>(*s) : std::nullopt; };
    return Of(view(signer), view(receipt));
  }
  const std::string& Of(std::optional<std::string_view> signer, std::optional<std::string_view> receipt) {
    // Most documents of a subject share their key ids: the last answer first, then the memo.
    if (last_ != nullptr && last_->first.first == signer && last_->first.second == receipt) return last_->second;
    auto own = [](std::optional<std::string_view> s) { return s ? std::optional<std::string>(*s) : std::nullopt; };
    auto key = std::make_pair(own(signer), own(receipt));
    auto it = memo_.find(key);
    if (it == memo_.end()) {
      const std::string* signer_id = key.first ? &*key.first : nullptr;
      const std::string* receipt_id = key.second ? &*key.second : nullptr;
      std::string digest = KeysDigest(signer_id, receipt_id, keys_);
      it = memo_.emplace(std::move(key), std::move(digest)).first;
    }
    last_ = &*it;
    return it->second;
  }

 private:
  const TrustedKeys& keys_;
  using Memo = std::map<std::pair<std::optional<std::string>, std::optional<std::string>>, std::string>;
  Memo memo_;
  const Memo::value_type* last_ = nullptr;  // map nodes do not move
};

std::string KeysetDigest(const TrustedKeys& keys) {
  std::string material;
  for (const auto& [id, entry] : keys.entries()) material += json::Canonical(entry.raw) + "\n";
  return Sha256Hex(material);
}

Digest DocumentHash(const json::Value& doc) { return Sha256(json::Canonical(doc)); }

// The order new documents of one subject are offered to the incremental step in.
std::pair<std::string, std::string> ArrivalKey(const IncomingEvent& e) {
  const std::string* created_at = e.document.FindString("created_at");
  const std::string* event_id = e.document.FindString("event_id");
  return {created_at ? *created_at : std::string(), event_id ? *event_id : std::string()};
}

}  // namespace

struct Store::Impl {
  std::unique_ptr<EventLog> log;
  StoreOptions options;
  mutable std::shared_mutex keys_mutex;  // guards keys and keyset_digest
  TrustedKeys keys;
  std::string keyset_digest;
  std::mutex writer;  // one Append (or snapshot refresh) at a time

  TrustedKeys Keys() const {
    std::shared_lock lock(keys_mutex);
    return keys;
  }

  Status ReloadKeys() {
    auto stored = log->GetKeys();
    if (!stored.ok()) return stored.status();
    TrustedKeys fresh = TrustedKeys::Defaults();
    for (const auto& [id, text] : *stored) {
      auto doc = json::Parse(text);
      if (!doc.ok()) return Status::Corruption("stored key " + id + " is not valid JSON");
      PITH_RETURN_IF_ERROR(fresh.AddFromJson(*doc).WithPrefix("stored key " + id));
    }
    std::unique_lock lock(keys_mutex);
    keys = std::move(fresh);
    keyset_digest = KeysetDigest(keys);
    return Status::OK();
  }

  // A stored document, parsed (kCorruption when it is listed but missing or no longer parses).
  Result<json::Value> ReadDocument(const Digest& h) const {
    auto raw = log->GetEvent(h);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return Status::Corruption("event " + DigestHex(h) + " is listed but not stored");
    auto doc = json::Parse(**raw);
    if (!doc.ok()) return Status::Corruption("stored event " + DigestHex(h) + " no longer parses: " + doc.status().message());
    return doc;
  }

  // The subject's stored documents (parsed) and their section 3 verdicts, computing (and, when
  // `cache` is set, storing) any verdict not cached for the current keys.
  Status LoadSubject(std::string_view subject, const TrustedKeys& trusted, bool reverify, bool cache,
                     std::vector<json::Value>* docs, std::vector<DocumentVerdict>* verdicts) const {
    std::vector<Digest> hashes;
    PITH_RETURN_IF_ERROR(log->ScanSubject(subject, [&](const SubjectEntry& e) {
      hashes.push_back(e.document_hash);
      return Status::OK();
    }));
    docs->reserve(docs->size() + hashes.size());
    std::vector<size_t> missing;
    std::vector<std::pair<std::string, std::string>> to_cache;
    KeysDigestMemo keys_digest(trusted);
    for (const Digest& h : hashes) {
      auto doc = ReadDocument(h);
      if (!doc.ok()) return doc.status();
      docs->push_back(std::move(*doc));
      DocumentVerdict v;
      v.document_sha256 = DigestHex(h);
      bool have = false;
      if (!reverify) {
        auto cached = log->GetVerdict(EventLog::VerdictKey(h, subject, options.merge_version, keys_digest.Of(docs->back())));
        if (!cached.ok()) return cached.status();
        if (cached->has_value()) {
          v.reason = **cached;
          have = true;
        }
      }
      if (!have) missing.push_back(verdicts->size());
      verdicts->push_back(std::move(v));
    }
    // Verdicts not cached: check them (in parallel through Merge's own pool, one document each).
    std::vector<json::Value> pending;
    for (size_t i : missing) pending.push_back((*docs)[i]);
    std::vector<DocumentVerdict> computed = CheckAll(pending, subject, trusted);
    for (size_t k = 0; k < missing.size(); ++k) {
      size_t i = missing[k];
      (*verdicts)[i].reason = computed[k].reason;
      if (cache) {
        to_cache.emplace_back(EventLog::VerdictKey(hashes[i], subject, options.merge_version, keys_digest.Of((*docs)[i])),
                              computed[k].reason);
      }
    }
    if (!to_cache.empty()) PITH_RETURN_IF_ERROR(log->PutVerdicts(to_cache));
    return Status::OK();
  }

  // The new snapshot of one subject after appending appends[indices]: the incremental step from
  // the stored snapshot, new documents in (created_at, event_id) order (so a chain's events come
  // parent first); any document it declines means a full merge of the subject (whose index then
  // takes generation `generation`).
  Result<SnapshotWrite> SubjectSnapshot(const std::string& subject, std::vector<size_t>* indices,
                                        const std::vector<LogAppend>& appends,
                                        const std::vector<const IncomingEvent*>& sources,
                                        const std::vector<EventRecord>& new_records, const TrustedKeys& trusted,
                                        const std::string& keyset, uint64_t generation, bool* was_incremental) const {
    std::stable_sort(indices->begin(), indices->end(),
                     [&](size_t a, size_t b) { return ArrivalKey(*sources[a]) < ArrivalKey(*sources[b]); });
    auto stored_size = log->SubjectSize(subject);
    if (!stored_size.ok()) return stored_size.status();
    std::vector<const json::Value*> new_docs;
    std::vector<DocumentVerdict> new_verdicts;
    for (size_t i : *indices) {
      new_docs.push_back(&sources[i]->document);
      new_verdicts.push_back({DigestHex(appends[i].document_hash), appends[i].verdict});
    }
    auto step = store_internal::IncrementalSnapshot(*log, subject, Basis(*stored_size, keyset), new_docs, new_verdicts, trusted);
    if (!step.ok()) return step.status();
    if (step->has_value()) {
      *was_incremental = true;
      return std::move(**step);
    }
    *was_incremental = false;
    EventRecordSet records;
    std::vector<DocumentVerdict> verdicts;
    PITH_RETURN_IF_ERROR(LoadRecords(subject, trusted, &records, &verdicts));
    std::vector<EventRecordView> views = records.views();
    uint64_t covers = views.size() + indices->size();
    for (size_t k = 0; k < indices->size(); ++k) {
      views.push_back(ViewOf(new_records[(*indices)[k]]));
      verdicts.push_back(new_verdicts[k]);
    }
    MergedState merged;
    return store_internal::FullSnapshot(subject, views, verdicts, trusted, Basis(covers, keyset), generation, &merged);
  }

  // The subject's event records and their section 3 verdicts, as LoadSubject but reading the
  // records in one pass instead of parsing documents; a document is read and parsed only when its
  // verdict is not cached for these keys. Falls back to parsing every document when the records do
  // not cover the subject's log.
  Status LoadRecords(std::string_view subject, const TrustedKeys& trusted, EventRecordSet* records,
                     std::vector<DocumentVerdict>* verdicts) const {
    auto size = log->SubjectSize(subject);
    if (!size.ok()) return size.status();
    std::vector<Digest> hashes;
    hashes.reserve(*size);
    records->Reserve(*size);
    PITH_RETURN_IF_ERROR(log->ScanSubjectRecords(subject, [&](uint64_t position, const Digest& h, std::string_view bytes) {
      if (position != hashes.size()) return Status::Corruption("the event records of " + std::string(subject) + " have a gap");
      Status added = records->AddEncoded(bytes);
      if (!added.ok()) return added.WithPrefix("event " + DigestHex(h));
      hashes.push_back(h);
      return Status::OK();
    }));
    if (hashes.size() != *size) {
      records->Clear();
      std::vector<json::Value> docs;
      PITH_RETURN_IF_ERROR(LoadSubject(subject, trusted, false, true, &docs, verdicts));
      for (const json::Value& d : docs) records->Add(MakeEventRecord(d));
      return Status::OK();
    }
    KeysDigestMemo keys_digest(trusted);
    std::vector<std::string> verdict_keys;
    verdict_keys.reserve(hashes.size());
    for (size_t i = 0; i < hashes.size(); ++i) {
      const EventRecordView& r = records->views()[i];
      verdict_keys.push_back(EventLog::VerdictKey(hashes[i], subject, options.merge_version,
                                                  keys_digest.Of(r.signer_key_id, r.receipt_key_id)));
    }
    std::vector<std::optional<std::string>> cached;
    PITH_RETURN_IF_ERROR(log->GetVerdicts(verdict_keys, &cached));
    std::vector<size_t> missing;  // verdicts not cached
    verdicts->reserve(hashes.size());
    for (size_t i = 0; i < hashes.size(); ++i) {
      DocumentVerdict v;
      v.document_sha256 = DigestHex(hashes[i]);
      if (cached[i]) {
        v.reason = std::move(*cached[i]);
      } else {
        missing.push_back(i);
      }
      verdicts->push_back(std::move(v));
    }
    if (missing.empty()) return Status::OK();
    std::vector<json::Value> pending;
    for (size_t i : missing) {
      auto doc = ReadDocument(hashes[i]);
      if (!doc.ok()) return doc.status();
      pending.push_back(std::move(*doc));
    }
    std::vector<DocumentVerdict> computed = CheckAll(pending, subject, trusted);
    std::vector<std::pair<std::string, std::string>> to_cache;
    for (size_t k = 0; k < missing.size(); ++k) {
      (*verdicts)[missing[k]].reason = computed[k].reason;
      to_cache.emplace_back(std::move(verdict_keys[missing[k]]), computed[k].reason);
    }
    return log->PutVerdicts(to_cache);
  }

  std::vector<DocumentVerdict> CheckAll(const std::vector<json::Value>& docs, std::string_view subject,
                                        const TrustedKeys& trusted) const {
    std::vector<DocumentVerdict> out(docs.size());
    CheckDocuments(docs, subject, trusted, options.threads, &out);
    return out;
  }

  store_internal::SnapshotBasis Basis(uint64_t covers, const std::string& keyset) const {
    return {covers, keyset, options.merge_version};
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::Open(const std::string& dir, const StoreOptions& options) {
  PITH_RETURN_IF_ERROR(CheckMergeVersion(options.merge_version));
  EventLogOptions log_options;
  log_options.create_if_missing = options.create_if_missing;
  log_options.sync = options.sync;
  auto log = EventLog::Open(dir, log_options);
  if (!log.ok()) return log.status();
  auto impl = std::make_unique<Impl>();
  impl->log = std::move(*log);
  impl->options = options;
  PITH_RETURN_IF_ERROR(impl->ReloadKeys());
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Result<AppendSummary> Store::Append(const std::vector<IncomingEvent>& events) {
  std::lock_guard<std::mutex> lock(impl_->writer);
  const TrustedKeys keys = impl_->Keys();
  const std::string keyset = impl_->keyset_digest;
  const unsigned threads = impl_->options.threads;
  AppendSummary summary;
  summary.received = events.size();

  // Each document's hash, whether the log holds it and (when new) its event record, all from one
  // canonical writing (in parallel).
  std::vector<Digest> hashes(events.size());
  std::vector<Result<bool>> stored(events.size(), Result<bool>(false));
  std::vector<EventRecord> records(events.size());
  std::vector<std::string> canonicals(events.size());  // kept for the check of a new document
  std::vector<std::vector<json::MemberSpan>> spans(events.size());
  ParallelFor(events.size(), threads, [&](size_t i) {
    const IncomingEvent& e = events[i];
    if (e.document.is_object()) {
      json::AppendCanonicalObject(e.document, &canonicals[i], &spans[i]);
    } else {
      canonicals[i] = json::Canonical(e.document);
    }
    hashes[i] = Sha256(canonicals[i]);
    stored[i] = impl_->log->Contains(e.subject, hashes[i]);
    if (stored[i].ok() && !*stored[i]) {
      records[i] = MakeEventRecord(e.document, canonicals[i], spans[i]);
    } else {
      canonicals[i].clear();
    }
  });

  // New (subject, document) pairs, first occurrence only, with their verdict cache keys (the key
  // digest is the same for every document of a signer, so it is computed once per signer).
  KeysDigestMemo keys_digest(keys);
  std::vector<LogAppend> appends;
  std::vector<EventRecord> new_records;  // new_records[k] is appends[k]'s
  std::vector<const IncomingEvent*> sources;
  std::vector<size_t> source_index;  // appends[k] came from events[source_index[k]]
  std::set<std::pair<std::string_view, Digest>> in_batch;
  for (size_t i = 0; i < events.size(); ++i) {
    const IncomingEvent& e = events[i];
    if (!stored[i].ok()) return stored[i].status();
    if (*stored[i] || !in_batch.insert({e.subject, hashes[i]}).second) {
      ++summary.duplicates;
      continue;
    }
    LogAppend a;
    a.subject = e.subject;
    a.document_hash = hashes[i];
    a.raw = e.raw;
    a.record = EncodeEventRecord(records[i]);
    a.verdict_key = EventLog::VerdictKey(hashes[i], e.subject, impl_->options.merge_version, keys_digest.Of(e.document));
    appends.push_back(std::move(a));
    new_records.push_back(std::move(records[i]));
    sources.push_back(&e);
    source_index.push_back(i);
  }

  // Section 3 verdicts of the new documents, cached ones reused, the rest checked (in parallel).
  std::vector<Status> failures(appends.size());
  ParallelFor(appends.size(), threads, [&](size_t i) {
    auto cached = impl_->log->GetVerdict(appends[i].verdict_key);
    if (!cached.ok()) {
      failures[i] = cached.status();
    } else if (cached->has_value()) {
      appends[i].verdict = **cached;
    } else {
      const size_t e = source_index[i];
      appends[i].verdict = sources[i]->document.is_object()
                               ? CheckDocument(sources[i]->document, canonicals[e], spans[e], appends[i].subject, keys).reason
                               : CheckDocument(sources[i]->document, appends[i].subject, keys).reason;
    }
  });
  for (const Status& f : failures) PITH_RETURN_IF_ERROR(f);

  // The new state of every touched subject (subjects side by side), written in the same atomic batch.
  std::map<std::string, std::vector<size_t>> by_subject;
  for (size_t i = 0; i < appends.size(); ++i) {
    by_subject[appends[i].subject].push_back(i);
    if (!appends[i].verdict.empty()) ++summary.invalid;
  }
  std::vector<std::pair<const std::string*, std::vector<size_t>*>> subjects;
  for (auto& [subject, indices] : by_subject) subjects.emplace_back(&subject, &indices);
  std::vector<std::optional<Result<SnapshotWrite>>> written(subjects.size());
  std::vector<char> incremental(subjects.size(), 0);
  // Index generations are handed out here, in subject order, so the store's bytes do not depend on
  // which thread finished first (a subject merged incrementally leaves its number unused).
  std::vector<uint64_t> generations(subjects.size());
  for (uint64_t& g : generations) g = impl_->log->NewIndexGeneration();
  ParallelFor(subjects.size(), threads, [&](size_t k) {
    bool was_incremental = false;
    written[k] = impl_->SubjectSnapshot(*subjects[k].first, subjects[k].second, appends, sources, new_records, keys,
                                        keyset, generations[k], &was_incremental);
    incremental[k] = was_incremental;
  }, 1);
  std::map<std::string, SnapshotWrite> snapshots;
  for (size_t k = 0; k < subjects.size(); ++k) {
    if (!written[k]->ok()) return written[k]->status();
    summary.subjects.push_back(*subjects[k].first);
    if (incremental[k]) {
      summary.incremental += subjects[k].second->size();
    } else {
      ++summary.full_merges;
    }
    snapshots.emplace(*subjects[k].first, std::move(written[k]->value()));
  }
  PITH_RETURN_IF_ERROR(impl_->log->Append(appends, snapshots));
  summary.added = appends.size();
  return summary;
}

Status Store::Flush() {
  std::lock_guard<std::mutex> lock(impl_->writer);
  return impl_->log->Flush();
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
  if (snapshot->has_value() && (*snapshot)->covers == *size && (*snapshot)->keyset_digest == keyset &&
      (*snapshot)->merge_version == impl_->options.merge_version) {
    MergedState out;
    out.canonical = std::move((*snapshot)->state);
    // state_sha256 is the last member that holds a string: the members after it are state_type,
    // state_version and valid_event_count, whose values are fixed or a number.
    constexpr std::string_view kSha = "\"state_sha256\":\"";
    size_t at = out.canonical.rfind(kSha);
    if (at == std::string::npos || at + kSha.size() + 64 > out.canonical.size()) {
      return Status::Corruption("cached state of " + std::string(subject) + " has no state_sha256");
    }
    out.state_sha256 = out.canonical.substr(at + kSha.size(), 64);
    if (!IsLowerHex(out.state_sha256, 32)) return Status::Corruption("cached state of " + std::string(subject) + " has a malformed state_sha256");
    return out;
  }
  // Stale (the trusted keys changed): recompute from the log and cache it again.
  std::lock_guard<std::mutex> lock(impl_->writer);
  const TrustedKeys keys = impl_->Keys();
  {
    std::shared_lock keys_lock(impl_->keys_mutex);
    keyset = impl_->keyset_digest;
  }
  EventRecordSet records;
  std::vector<DocumentVerdict> verdicts;
  PITH_RETURN_IF_ERROR(impl_->LoadRecords(subject, keys, &records, &verdicts));
  if (records.views().empty()) return Status::NotFound("no events stored for " + std::string(subject));
  MergedState merged;
  auto full = store_internal::FullSnapshot(subject, records.views(), verdicts, keys, impl_->Basis(records.views().size(), keyset),
                                           impl_->log->NewIndexGeneration(), &merged);
  if (!full.ok()) return full.status();
  PITH_RETURN_IF_ERROR(impl_->log->PutSnapshot(subject, *full));
  return merged;
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
    auto raw = impl_->log->GetEvent(e.document_hash);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return Status::Corruption("event " + r.document_sha256 + " is listed but not stored");
    auto doc = json::Parse(**raw);
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
    auto raw = impl_->log->GetEvent(e.document_hash);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return Status::Corruption("event " + DigestHex(e.document_hash) + " is listed but not stored");
    out.push_back(std::move(**raw));
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

Result<std::vector<std::string>> Store::Check() {
  std::vector<std::string> problems;
  Status checksums = impl_->log->VerifyChecksums();
  if (!checksums.ok()) problems.push_back(checksums.message());
  PITH_RETURN_IF_ERROR(impl_->log->ScanEvents([&](const Digest& h, std::string_view raw) {
    auto doc = json::Parse(raw);
    if (!doc.ok()) {
      problems.push_back("event " + DigestHex(h) + ": stored bytes no longer parse (" + doc.status().message() + ")");
    } else if (DocumentHash(*doc) != h) {
      problems.push_back("event " + DigestHex(h) + ": stored bytes hash to " + DigestHex(DocumentHash(*doc)));
    }
    return Status::OK();
  }));
  const TrustedKeys keys = impl_->Keys();
  auto subjects = Subjects();
  if (!subjects.ok()) return subjects.status();
  for (const std::string& subject : *subjects) {
    std::vector<json::Value> docs;
    std::vector<DocumentVerdict> cached, fresh;
    Status loaded = impl_->LoadSubject(subject, keys, false, false, &docs, &cached);
    if (!loaded.ok()) {
      problems.push_back(subject + ": " + loaded.message());
      continue;
    }
    // Every log entry has the event record its document gives.
    size_t record_count = 0;
    Status scanned = impl_->log->ScanSubjectRecords(subject, [&](uint64_t position, const Digest&, std::string_view bytes) {
      ++record_count;
      if (position >= docs.size() || bytes != EncodeEventRecord(MakeEventRecord(docs[position]))) {
        problems.push_back(subject + ": the event record at position " + std::to_string(position) +
                           " differs from the one its document gives");
      }
      return Status::OK();
    });
    if (!scanned.ok()) problems.push_back(subject + ": " + scanned.message());
    if (record_count != docs.size()) {
      problems.push_back(subject + ": " + std::to_string(record_count) + " event records for " + std::to_string(docs.size()) +
                         " log entries");
    }
    fresh = impl_->CheckAll(docs, subject, keys);
    for (size_t i = 0; i < docs.size(); ++i) {
      if (fresh[i].reason != cached[i].reason) {
        problems.push_back(subject + ": cached verdict of event " + cached[i].document_sha256 + " is \"" + cached[i].reason +
                           "\", re-verification says \"" + fresh[i].reason + "\"");
      }
    }
    auto merged = MergeChecked(subject, docs, fresh, keys, impl_->options.merge_version);
    if (!merged.ok()) return merged.status();
    auto snapshot = impl_->log->GetSnapshot(subject);
    if (!snapshot.ok()) {
      problems.push_back(subject + ": " + snapshot.status().message());
    } else if (!snapshot->has_value()) {
      problems.push_back(subject + ": no cached state");
    } else if ((*snapshot)->covers != docs.size()) {
      problems.push_back(subject + ": cached state covers " + std::to_string((*snapshot)->covers) + " events, the log holds " +
                         std::to_string(docs.size()));
    } else if ((*snapshot)->keyset_digest == impl_->keyset_digest && (*snapshot)->state != merged->canonical) {
      problems.push_back(subject + ": cached state differs from the state recomputed from the log (" + merged->state_sha256 + ")");
    } else if ((*snapshot)->keyset_digest == impl_->keyset_digest) {
      // The state is right; so must be what the next incremental append starts from.
      auto more = store_internal::CheckIncrementalForm(*impl_->log, subject, docs, fresh, keys, impl_->options.merge_version);
      if (!more.ok()) return more.status();
      problems.insert(problems.end(), more->begin(), more->end());
    }
  }
  return problems;
}

}  // namespace pith
