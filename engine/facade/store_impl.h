// Internal to the facade: the state behind pith::Store (Store::Impl) and the helpers its parts
// share. store.cc opens the store and serves reads and keys; store_check.cc is `check`; store_append.cc appends;
// store_impl.cc loads a subject's documents, records and verdicts and computes snapshots.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pith/event_log.h"
#include "pith/event_record.h"
#include "pith/store.h"
#include "subject_snapshots.h"

namespace pith {
namespace store_internal {

// The trusted-key entries a document's section 3 verdict depends on: its signer's and, for a
// record_created, its receipt's. Their canonical bytes (or "null") feed the verdict cache key.
std::string KeysDigest(const std::string* signer_key_id, const std::string* receipt_key_id, const TrustedKeys& keys);
// The key ids a document's verdict depends on (null where the document names none).
std::pair<const std::string*, const std::string*> DocumentKeyIds(const json::Value& doc);
std::string KeysetDigest(const TrustedKeys& keys);
Digest DocumentHash(const json::Value& doc);
// The order new documents of one subject are offered to the incremental step in (from their
// records: a document without an event's shape, always invalid, sorts by its event_id alone).
std::pair<std::string_view, std::string_view> ArrivalKey(const EventRecord& r);
// The state_sha256 hex written in canon(state), found from its end (`state_end` is the state or
// any end of it holding that member); kCorruption naming `subject` when it is missing or malformed.
Result<std::string> StateSha256In(std::string_view state_end, std::string_view subject);

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

}  // namespace store_internal

// What Store::Prepare computed (see store_append.cc), kept in a PreparedAppend.
struct PreparedAppendState {
  const void* store = nullptr;                         // the Store::Impl that prepared it
  std::vector<IncomingEvent> events;                   // owned when made by Store::Prepare
  const std::vector<IncomingEvent>* events_in_use = nullptr;  // what everything below points into
  TrustedKeys keys;                                    // the trusted keys it was checked against
  std::string keyset;                                  // and their digest
  uint64_t commits = 0;                                // the store's commit count it is current with
  size_t duplicates = 0;
  std::vector<LogAppend> appends;                      // new (subject, document) pairs, checked
  std::vector<EventRecord> new_records;                // new_records[k] is appends[k]'s
};

struct Store::Impl {
  std::unique_ptr<EventLog> log;
  StoreOptions options;
  mutable std::shared_mutex keys_mutex;  // guards keys and keyset_digest
  TrustedKeys keys;
  std::string keyset_digest;
  std::mutex writer;  // one commit (or snapshot refresh, or key change) at a time
  std::atomic<uint64_t> commits{0};  // appends committed by this process (Prepare notes it)

  TrustedKeys Keys() const {
    std::shared_lock lock(keys_mutex);
    return keys;
  }
  std::pair<TrustedKeys, std::string> KeysAndKeyset() const {
    std::shared_lock lock(keys_mutex);
    return {keys, keyset_digest};
  }

  // The steps of an append (store_append.cc). PrepareAppend needs no lock; RefreshPrepared and
  // CommitPrepared need the writer lock.
  Status PrepareAppend(const std::vector<IncomingEvent>& events, PreparedAppendState* p) const;
  Status RefreshPrepared(PreparedAppendState* p) const;
  Result<AppendSummary> CommitPrepared(PreparedAppendState* p, StateUpdate states);
  // CommitPrepared's in-batch step: the new snapshot of every touched subject (by_subject: subject
  // -> indices into p->appends), side by side, with what the summary says of them.
  Status TouchedSnapshots(PreparedAppendState* p, std::map<std::string, std::vector<size_t>>* by_subject,
                          AppendSummary* summary, std::map<std::string, SnapshotWrite>* snapshots);

  Status ReloadKeys();

  // The subject's log in order: each entry's document hash, appended to *hashes, and its document,
  // parsed, to *docs (and as stored to *raws, when given). With `verify_hashes`, a document whose
  // canonical form no longer hashes to its key is kCorruption (naming the subject).
  Status ReadSubjectDocuments(std::string_view subject, bool verify_hashes, std::vector<Digest>* hashes,
                              std::vector<json::Value>* docs, std::vector<std::string>* raws = nullptr) const;

  // The verdict cache key (EventLog::VerdictKey) of each of the subject's documents (hashes[i]
  // and docs[i], as ReadSubjectDocuments gives them) under these keys.
  std::vector<std::string> VerdictKeys(std::string_view subject, const TrustedKeys& trusted, const std::vector<Digest>& hashes,
                                       const std::vector<json::Value>& docs) const;
  // The subject's stored documents (parsed) and their section 3 verdicts, computing (and, when
  // `cache` is set, storing) any verdict not cached for the current keys (all of them with
  // `reverify`). *docs and *verdicts are replaced.
  Status LoadSubject(std::string_view subject, const TrustedKeys& trusted, bool reverify, bool cache,
                     std::vector<json::Value>* docs, std::vector<DocumentVerdict>* verdicts) const;

  // The new snapshot of one subject after appending appends[indices]: the incremental step from
  // the stored snapshot, new documents in (created_at, event_id) order (so a chain's events come
  // parent first); any document it declines means a full merge of the subject (whose index then
  // takes generation `generation`).
  Result<SnapshotWrite> SubjectSnapshot(const std::string& subject, std::vector<size_t>* indices,
                                        const std::vector<LogAppend>& appends,
                                        const std::vector<EventRecord>& new_records, const TrustedKeys& trusted,
                                        const std::string& keyset, uint64_t generation, bool* was_incremental) const;

  // The subject's event records and their section 3 verdicts, as LoadSubject but reading the
  // records in one pass instead of parsing documents; a document is read and parsed only when its
  // verdict is not cached for these keys. Falls back to parsing every document when the records do
  // not cover the subject's log.
  Status LoadRecords(std::string_view subject, const TrustedKeys& trusted, EventRecordSet* records,
                     std::vector<DocumentVerdict>* verdicts) const;

  // Section 3's reason for each document (in parallel); the callers hold the documents' hashes,
  // so none is hashed again.
  std::vector<std::string> CheckReasons(const std::vector<json::Value>& docs, std::string_view subject,
                                        const TrustedKeys& trusted) const;

  // Whether the subject's stored snapshot covers its whole log under these keys and the store's
  // merge version (reads the snapshot's header only).
  Result<bool> SnapshotCurrent(std::string_view subject, const std::string& keyset) const;
  // A snapshot of what was computed under `stored` is current for a log of `size` entries.
  bool Current(const store_internal::SnapshotBasis& stored, uint64_t size, const std::string& keyset) const {
    return stored == Basis(size, keyset);
  }
  // The subject's snapshot computed afresh from its stored event records and verdicts (a full
  // merge, index generation `generation`), *merged its state; nullopt when nothing is stored for it.
  Result<std::optional<SnapshotWrite>> RecomputedSnapshot(std::string_view subject, const TrustedKeys& trusted,
                                                          const std::string& keyset, uint64_t generation,
                                                          MergedState* merged) const;

  // Store::Check's steps (store_check.cc), each adding what it finds to *problems and returning
  // only errors that are not damage; `fresh[i]` is what log position i's document gives afresh. The
  // subject's event records and `events` entries (*confirmed counts the `events` entries found
  // naming its log entries); its cached verdicts and snapshot against a full merge; and the
  // `events` index as a whole, read entry by entry unless every entry was confirmed.
  Status CheckBesideLog(const std::string& subject, const std::vector<CheckedRecord>& fresh, uint64_t* confirmed,
                        std::vector<std::string>* problems) const;
  Status CheckVerdictsAndState(const std::string& subject, const std::vector<json::Value>& docs,
                               const std::vector<Digest>& stored_hashes,
                               const std::vector<std::optional<std::string>>& cached, const std::vector<CheckedRecord>& fresh,
                               const TrustedKeys& keys, const std::string& keyset, std::vector<std::string>* problems) const;
  Status CheckEventsIndex(uint64_t confirmed, std::vector<std::string>* problems) const;

  store_internal::SnapshotBasis Basis(uint64_t covers, const std::string& keyset) const {
    return {covers, keyset, options.merge_version};
  }
};

}  // namespace pith
