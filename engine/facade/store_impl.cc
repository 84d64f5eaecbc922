// Store::Impl: loading a subject's documents, records and verdicts, and computing its snapshot.
#include "store_impl.h"

#include <algorithm>

#include "pith/codec.h"
#include "pith/hash.h"
#include "pith/parallel_for.h"

namespace pith {
namespace store_internal {

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

std::string KeysetDigest(const TrustedKeys& keys) {
  std::string material;
  for (const auto& [id, entry] : keys.entries()) material += json::Canonical(entry.raw) + "\n";
  return Sha256Hex(material);
}

Digest DocumentHash(const json::Value& doc) { return Sha256(json::Canonical(doc)); }

std::pair<std::string_view, std::string_view> ArrivalKey(const EventRecord& r) {
  return {r.created_at, r.event_id ? std::string_view(*r.event_id) : std::string_view()};
}

Result<std::string> StateSha256In(std::string_view state_end, std::string_view subject) {
  // state_sha256 is the last member that holds a string: the members after it are state_type,
  // state_version and valid_event_count, whose values are fixed or a number.
  constexpr std::string_view kSha = "\"state_sha256\":\"";
  const size_t at = state_end.rfind(kSha);
  if (at == std::string_view::npos || at + kSha.size() + 64 > state_end.size()) {
    return Status::Corruption("cached state of " + std::string(subject) + " has no state_sha256");
  }
  std::string hex(state_end.substr(at + kSha.size(), 64));
  if (!IsLowerHex(hex, 32)) return Status::Corruption("cached state of " + std::string(subject) + " has a malformed state_sha256");
  return hex;
}

}  // namespace store_internal

using store_internal::ArrivalKey;
using store_internal::KeysDigestMemo;
using store_internal::DocumentHash;
using store_internal::KeysetDigest;

Status Store::Impl::ReloadKeys() {
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

Status Store::Impl::ReadSubjectDocuments(std::string_view subject, bool verify_hashes, std::vector<Digest>* hashes,
                                         std::vector<json::Value>* docs, std::vector<std::string>* raws) const {
  return log->ScanSubject(subject, [&](const SubjectEntry& e) {
    auto doc = json::Parse(e.document);
    if (!doc.ok()) {
      Status s = Status::Corruption("stored event " + DigestHex(e.document_hash) + " no longer parses: " + doc.status().message());
      return verify_hashes ? s.WithPrefix(std::string(subject)) : s;
    }
    if (verify_hashes && DocumentHash(*doc) != e.document_hash) {
      return Status::Corruption(std::string(subject) + ": stored event " + DigestHex(e.document_hash) + " hashes to " +
                                DigestHex(DocumentHash(*doc)));
    }
    hashes->push_back(e.document_hash);
    docs->push_back(std::move(*doc));
    if (raws != nullptr) raws->emplace_back(e.document);
    return Status::OK();
  });
}

std::vector<std::string> Store::Impl::VerdictKeys(std::string_view subject, const TrustedKeys& trusted,
                                                  const std::vector<Digest>& hashes,
                                                  const std::vector<json::Value>& docs) const {
  KeysDigestMemo keys_digest(trusted);
  std::vector<std::string> keys;
  keys.reserve(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) {
    keys.push_back(EventLog::VerdictKey(hashes[i], subject, options.merge_version, keys_digest.Of(docs[i])));
  }
  return keys;
}

Status Store::Impl::LoadSubject(std::string_view subject, const TrustedKeys& trusted, bool reverify, bool cache,
                   std::vector<json::Value>* docs, std::vector<DocumentVerdict>* verdicts) const {
  docs->clear();
  verdicts->clear();
  std::vector<Digest> hashes;
  PITH_RETURN_IF_ERROR(ReadSubjectDocuments(subject, /*verify_hashes=*/false, &hashes, docs));
  const std::vector<std::string> keys = VerdictKeys(subject, trusted, hashes, *docs);
  std::vector<std::optional<std::string>> cached(hashes.size());
  if (!reverify) PITH_RETURN_IF_ERROR(log->GetVerdicts(keys, &cached));
  std::vector<size_t> missing;
  for (size_t k = 0; k < hashes.size(); ++k) {
    DocumentVerdict v;
    v.document_sha256 = DigestHex(hashes[k]);
    if (cached[k]) {
      v.reason = std::move(*cached[k]);
    } else {
      missing.push_back(k);
    }
    verdicts->push_back(std::move(v));
  }
  // Verdicts not cached: check them (in parallel through Merge's own pool, one document each).
  std::vector<json::Value> pending;
  for (size_t i : missing) pending.push_back((*docs)[i]);
  std::vector<std::string> computed = CheckReasons(pending, subject, trusted);
  std::vector<std::pair<std::string, std::string>> to_cache;
  for (size_t k = 0; k < missing.size(); ++k) {
    (*verdicts)[missing[k]].reason = computed[k];
    if (cache) to_cache.emplace_back(keys[missing[k]], computed[k]);
  }
  if (!to_cache.empty()) PITH_RETURN_IF_ERROR(log->PutVerdicts(to_cache));
  return Status::OK();
}

// The new snapshot of one subject after appending appends[indices]: the incremental step from
// the stored snapshot, new documents in (created_at, event_id) order (so a chain's events come
// parent first); any document it declines means a full merge of the subject (whose index then
// takes generation `generation`).
Result<SnapshotWrite> Store::Impl::SubjectSnapshot(const std::string& subject, std::vector<size_t>* indices,
                                      const std::vector<LogAppend>& appends,
                                      const std::vector<EventRecord>& new_records, const TrustedKeys& trusted,
                                      const std::string& keyset, uint64_t generation, bool* was_incremental) const {
  std::stable_sort(indices->begin(), indices->end(),
                   [&](size_t a, size_t b) { return ArrivalKey(new_records[a]) < ArrivalKey(new_records[b]); });
  auto stored_size = log->SubjectSize(subject);
  if (!stored_size.ok()) return stored_size.status();
  std::vector<EventRecordView> new_views;
  std::vector<DocumentVerdict> new_verdicts;
  for (size_t i : *indices) {
    new_views.push_back(ViewOf(new_records[i]));
    new_verdicts.push_back({DigestHex(appends[i].document_hash), appends[i].verdict});
  }
  auto step = store_internal::IncrementalSnapshot(*log, subject, Basis(*stored_size, keyset), new_views, new_verdicts, trusted);
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
  views.insert(views.end(), new_views.begin(), new_views.end());
  verdicts.insert(verdicts.end(), new_verdicts.begin(), new_verdicts.end());
  MergedState merged;
  return store_internal::FullSnapshot(subject, views, verdicts, trusted, Basis(covers, keyset), generation, &merged);
}

Result<bool> Store::Impl::SnapshotCurrent(std::string_view subject, const std::string& keyset) const {
  auto size = log->SubjectSize(subject);
  if (!size.ok()) return size.status();
  auto header = log->GetSnapshotHeader(subject, /*with_tail=*/false);
  if (!header.ok()) return header.status();
  return header->has_value() &&
         Current({(*header)->covers, (*header)->keyset_digest, (*header)->merge_version}, *size, keyset);
}

Result<std::optional<SnapshotWrite>> Store::Impl::RecomputedSnapshot(std::string_view subject, const TrustedKeys& trusted,
                                                                     const std::string& keyset, uint64_t generation,
                                                                     MergedState* merged) const {
  EventRecordSet records;
  std::vector<DocumentVerdict> verdicts;
  PITH_RETURN_IF_ERROR(LoadRecords(subject, trusted, &records, &verdicts));
  if (records.views().empty()) return std::optional<SnapshotWrite>();
  auto full = store_internal::FullSnapshot(subject, records.views(), verdicts, trusted,
                                           Basis(records.views().size(), keyset), generation, merged);
  if (!full.ok()) return full.status();
  return std::optional<SnapshotWrite>(std::move(*full));
}

// The subject's event records and their section 3 verdicts, as LoadSubject but reading the
// records in one pass instead of parsing documents; a document is read and parsed only when its
// verdict is not cached for these keys. Falls back to parsing every document when the records do
// not cover the subject's log.
Status Store::Impl::LoadRecords(std::string_view subject, const TrustedKeys& trusted, EventRecordSet* records,
                   std::vector<DocumentVerdict>* verdicts) const {
  auto size = log->SubjectSize(subject);
  if (!size.ok()) return size.status();
  std::vector<Digest> hashes;
  hashes.reserve(*size);
  records->Reserve(*size);
  PITH_RETURN_IF_ERROR(log->ScanSubjectRecords(subject, [&](uint64_t position, const Digest& h, std::string_view bytes,
                                                            std::string_view document) {
    if (position != hashes.size()) return Status::Corruption("the event records of " + std::string(subject) + " have a gap");
    Status added = records->AddEncoded(bytes, document);
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
  // The documents of those, read from their log entries (in order, as `missing` is).
  std::vector<json::Value> pending;
  PITH_RETURN_IF_ERROR(log->ScanSubject(subject, [&](const SubjectEntry& e) {
    if (pending.size() == missing.size() || e.position != missing[pending.size()]) return Status::OK();
    auto doc = json::Parse(e.document);
    if (!doc.ok()) return Status::Corruption("stored event " + DigestHex(e.document_hash) + " no longer parses: " + doc.status().message());
    pending.push_back(std::move(*doc));
    return Status::OK();
  }));
  if (pending.size() != missing.size()) return Status::Corruption("the log of " + std::string(subject) + " is shorter than its event records");
  std::vector<std::string> computed = CheckReasons(pending, subject, trusted);
  std::vector<std::pair<std::string, std::string>> to_cache;
  for (size_t k = 0; k < missing.size(); ++k) {
    (*verdicts)[missing[k]].reason = computed[k];
    to_cache.emplace_back(std::move(verdict_keys[missing[k]]), computed[k]);
  }
  return log->PutVerdicts(to_cache);
}

std::vector<std::string> Store::Impl::CheckReasons(const std::vector<json::Value>& docs, std::string_view subject,
                                                  const TrustedKeys& trusted) const {
  std::vector<std::string> out(docs.size());
  ParallelFor(docs.size(), options.threads, [&](size_t i) { out[i] = CheckDocumentReason(docs[i], subject, trusted); });
  return out;
}

}  // namespace pith
