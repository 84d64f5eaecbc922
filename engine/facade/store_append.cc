// Store::Append, and its two steps Prepare and Commit.
//
// Prepare does the costly work of an append (canonical bytes, hashes, event records, section 3
// checks) without the writer lock, against the trusted keys of that moment. Commit, under the lock,
// first makes the preparation current: if the trusted keys changed since, it prepares again; if
// another commit landed since, documents it added become duplicates. Then it computes the touched
// subjects' snapshots and writes everything in one atomic batch. Append is Commit(Prepare()) under
// one hold of the lock.
#include <set>

#include "pith/hash.h"
#include "incoming_document.h"
#include "pith/parallel_for.h"
#include "store_impl.h"

namespace pith {

using store_internal::IncomingDocument;
using store_internal::KeysDigestMemo;

Status Store::Impl::PrepareAppend(const std::vector<IncomingEvent>& events, PreparedAppendState* p) const {
  std::tie(p->keys, p->keyset) = KeysAndKeyset();
  p->commits = commits.load(std::memory_order_acquire);
  p->duplicates = 0;
  p->appends.clear();
  p->new_records.clear();
  const unsigned threads = options.threads;

  // Each document's hash, whether the log holds it and (when new) its event record, all from one
  // reading of it (in parallel). A new document is kept read for its check below.
  std::vector<Digest> hashes(events.size());
  std::vector<Result<bool>> stored(events.size(), Result<bool>(false));
  std::vector<EventRecord> records(events.size());
  std::vector<IncomingDocument> documents(events.size());
  ParallelFor(events.size(), threads, [&](size_t i) {
    const IncomingEvent& e = events[i];
    Status read = documents[i].Read(e);
    if (!read.ok()) {
      stored[i] = read.WithPrefix("event " + std::to_string(i) + " of the append (subject " + e.subject + ")");
      return;
    }
    hashes[i] = Sha256(documents[i].canonical());
    stored[i] = log->Contains(e.subject, hashes[i]);
    if (stored[i].ok() && !*stored[i]) {
      records[i] = documents[i].Record();
    } else {
      documents[i].Release();
    }
  });

  // New (subject, document) pairs, first occurrence only, with their verdict cache keys (the key
  // digest is the same for every document of a signer, so it is computed once per signer).
  KeysDigestMemo keys_digest(p->keys);
  std::vector<size_t> source_index;  // appends[k] came from events[source_index[k]]
  std::set<std::pair<std::string_view, Digest>> in_batch;
  for (size_t i = 0; i < events.size(); ++i) {
    const IncomingEvent& e = events[i];
    if (!stored[i].ok()) return stored[i].status();
    if (*stored[i] || !in_batch.insert({e.subject, hashes[i]}).second) {
      ++p->duplicates;
      continue;
    }
    LogAppend a;
    a.subject = e.subject;
    a.document_hash = hashes[i];
    a.raw = e.bytes();
    a.record = EncodeEventRecordBeside(records[i], a.raw);  // kept beside the document's log entry
    a.verdict_key = EventLog::VerdictKey(hashes[i], e.subject, options.merge_version,
                                         keys_digest.Of(records[i].signer_key_id, records[i].receipt_key_id));
    p->appends.push_back(std::move(a));
    p->new_records.push_back(std::move(records[i]));
    source_index.push_back(i);
  }

  // Section 3 verdicts of the new documents, cached ones reused, the rest checked (in parallel).
  std::vector<Status> failures(p->appends.size());
  ParallelFor(p->appends.size(), threads, [&](size_t i) {
    LogAppend& a = p->appends[i];
    auto cached = log->GetVerdict(a.verdict_key);
    if (!cached.ok()) {
      failures[i] = cached.status();
    } else if (cached->has_value()) {
      a.verdict = **cached;
    } else {
      a.verdict = documents[source_index[i]].CheckReason(a.subject, p->keys);
    }
  });
  for (const Status& f : failures) PITH_RETURN_IF_ERROR(f);
  return Status::OK();
}

Status Store::Impl::RefreshPrepared(PreparedAppendState* p) const {
  if (p->keyset != keyset_digest) return PrepareAppend(*p->events_in_use, p);  // checked under other keys
  if (p->commits == commits.load(std::memory_order_acquire)) return Status::OK();
  // Another commit landed since: what it added is now a duplicate here.
  size_t kept = 0;
  for (size_t k = 0; k < p->appends.size(); ++k) {
    auto stored = log->Contains(p->appends[k].subject, p->appends[k].document_hash);
    if (!stored.ok()) return stored.status();
    if (*stored) {
      ++p->duplicates;
      continue;
    }
    if (kept != k) {
      p->appends[kept] = std::move(p->appends[k]);
      p->new_records[kept] = std::move(p->new_records[k]);
    }
    ++kept;
  }
  p->appends.resize(kept);
  p->new_records.resize(kept);
  p->commits = commits.load(std::memory_order_acquire);
  return Status::OK();
}

Result<AppendSummary> Store::Impl::CommitPrepared(PreparedAppendState* p, StateUpdate states) {
  PITH_RETURN_IF_ERROR(RefreshPrepared(p));
  AppendSummary summary;
  summary.received = p->events_in_use->size();
  summary.duplicates = p->duplicates;
  const std::vector<LogAppend>& appends = p->appends;
  std::map<std::string, std::vector<size_t>> by_subject;
  for (size_t i = 0; i < appends.size(); ++i) {
    by_subject[appends[i].subject].push_back(i);
    if (!appends[i].verdict.empty()) ++summary.invalid;
  }
  // The touched subjects' new states, written in the same atomic batch, unless deferred.
  std::map<std::string, SnapshotWrite> snapshots;
  if (states == StateUpdate::kDeferred) {
    for (const auto& [subject, indices] : by_subject) summary.subjects.push_back(subject);
    summary.deferred = by_subject.size();
  } else {
    PITH_RETURN_IF_ERROR(TouchedSnapshots(p, &by_subject, &summary, &snapshots));
  }
  PITH_RETURN_IF_ERROR(log->Append(appends, snapshots));
  commits.fetch_add(1, std::memory_order_acq_rel);
  summary.added = appends.size();
  return summary;
}

Status Store::Impl::TouchedSnapshots(PreparedAppendState* p, std::map<std::string, std::vector<size_t>>* by_subject,
                                     AppendSummary* summary, std::map<std::string, SnapshotWrite>* snapshots) {
  std::vector<std::pair<const std::string*, std::vector<size_t>*>> subjects;
  for (auto& [subject, indices] : *by_subject) subjects.emplace_back(&subject, &indices);
  std::vector<std::optional<Result<SnapshotWrite>>> written(subjects.size());
  std::vector<char> incremental(subjects.size(), 0);
  // Index generations are handed out here, in subject order, so the store's bytes do not depend on
  // which thread finished first (a subject merged incrementally leaves its number unused).
  std::vector<uint64_t> generations(subjects.size());
  for (uint64_t& g : generations) g = log->NewIndexGeneration();
  ParallelFor(subjects.size(), options.threads, [&](size_t k) {
    bool was_incremental = false;
    written[k] = SubjectSnapshot(*subjects[k].first, subjects[k].second, p->appends, p->new_records, p->keys, p->keyset,
                                 generations[k], &was_incremental);
    incremental[k] = was_incremental;
  }, 1);
  for (size_t k = 0; k < subjects.size(); ++k) {
    if (!written[k]->ok()) return written[k]->status();
    summary->subjects.push_back(*subjects[k].first);
    auto sha = store_internal::StateSha256In(written[k]->value().header.tail, *subjects[k].first);
    if (!sha.ok()) return sha.status();
    summary->state_sha256.push_back(std::move(*sha));
    if (incremental[k]) {
      summary->incremental += subjects[k].second->size();
    } else {
      ++summary->full_merges;
    }
    snapshots->emplace(*subjects[k].first, std::move(written[k]->value()));
  }
  return Status::OK();
}

PreparedAppend::PreparedAppend() = default;
PreparedAppend::~PreparedAppend() = default;
PreparedAppend::PreparedAppend(PreparedAppend&&) noexcept = default;
PreparedAppend& PreparedAppend::operator=(PreparedAppend&&) noexcept = default;

Result<AppendSummary> Store::Append(const std::vector<IncomingEvent>& events) {
  std::lock_guard<std::mutex> lock(impl_->writer);
  PreparedAppendState p;
  p.events_in_use = &events;
  PITH_RETURN_IF_ERROR(impl_->PrepareAppend(events, &p));
  return impl_->CommitPrepared(&p, StateUpdate::kInBatch);
}

Result<PreparedAppend> Store::Prepare(std::vector<IncomingEvent> events) {
  PreparedAppend prepared;
  prepared.state_ = std::make_unique<PreparedAppendState>();
  PreparedAppendState& p = *prepared.state_;
  p.store = impl_.get();
  p.events = std::move(events);
  p.events_in_use = &p.events;
  PITH_RETURN_IF_ERROR(impl_->PrepareAppend(p.events, &p));
  return prepared;
}

Result<AppendSummary> Store::Commit(PreparedAppend prepared, StateUpdate states) {
  if (prepared.state_ == nullptr || prepared.state_->store != impl_.get()) {
    return Status::InvalidInput("a prepared append can only be committed, once, to the store that prepared it");
  }
  std::lock_guard<std::mutex> lock(impl_->writer);
  return impl_->CommitPrepared(prepared.state_.get(), states);
}

}  // namespace pith
