// Store::Check: everything the store keeps compared with what its log gives, from scratch
// (specs/storage.md, "pith-merge check").
#include <algorithm>
#include <atomic>
#include <iterator>
#include <string>
#include <vector>

#include "pith/event_record.h"
#include "pith/hash.h"
#include "pith/parallel_for.h"
#include "pith/store.h"
#include "store_impl.h"

namespace pith {

using store_internal::DocumentHash;

Result<std::vector<std::string>> Store::Check() {
  std::vector<std::string> problems;
  Status checksums = impl_->log->VerifyChecksums();
  if (!checksums.ok()) problems.push_back(checksums.message());
  // The keys and their digest read together (a key added meanwhile changes neither).
  const auto [keys, keyset] = impl_->KeysAndKeyset();
  std::vector<std::pair<std::string, uint64_t>> subjects;  // each with its log's size
  PITH_RETURN_IF_ERROR(impl_->log->ScanSubjects([&](const std::string& subject, uint64_t size) {
    subjects.emplace_back(subject, size);
    return Status::OK();
  }));
  // Subjects are checked side by side, one per worker (a large one also spreads its documents over
  // the threads), and their problems reported in subject order whatever the timing. At most
  // `window` subjects are held at once (their documents parsed), each in slot k % window: subject k
  // starts only once subject k - window is reported.
  constexpr uint64_t kLargeSubject = 256;  // documents
  const unsigned threads = ResolveThreads(impl_->options.threads);
  const size_t window = 2 * static_cast<size_t>(threads);
  std::atomic<uint64_t> confirmed{0};  // `events` entries found naming the log entry a subject's scan read
  std::vector<std::vector<std::string>> found(window);
  std::vector<Status> failed(window);
  Status result;
  OrderedParallelFor(
      subjects.size(), threads, window,
      [&](size_t index) {
        const size_t k = index % window;
        failed[k] = Status::OK();
        const std::string& subject = subjects[index].first;
        const unsigned inner = subjects[index].second >= kLargeSubject ? threads : 1;
        // The documents and the verdicts cached for them (none is computed here: check computes
        // every one below, and compares those it finds cached).
        std::vector<Digest> hashes;
        std::vector<json::Value> docs;
        std::vector<std::optional<std::string>> cached;
        Status loaded = impl_->ReadSubjectDocuments(subject, /*verify_hashes=*/false, &hashes, &docs);
        if (loaded.ok()) loaded = impl_->log->GetVerdicts(impl_->VerdictKeys(subject, keys, hashes, docs), &cached);
        if (!loaded.ok()) {
          found[k].push_back(subject + ": " + loaded.message());
          return;
        }
        // Re-derived whole, hashes included: check trusts nothing the store kept. One canonical
        // form of each document gives its hash, verdict and event record.
        std::vector<CheckedRecord> fresh(docs.size());
        ParallelFor(docs.size(), inner, [&](size_t i) { fresh[i] = CheckAndRecord(docs[i], subject, keys); });
        uint64_t named = 0;
        failed[k] = impl_->CheckBesideLog(subject, fresh, &named, &found[k]);
        confirmed += named;
        if (failed[k].ok()) failed[k] = impl_->CheckVerdictsAndState(subject, docs, hashes, cached, fresh, keys, keyset, &found[k]);
      },
      [&](size_t index) {
        const size_t k = index % window;
        std::move(found[k].begin(), found[k].end(), std::back_inserter(problems));
        found[k] = {};
        result = failed[k];
        return result.ok();
      });
  PITH_RETURN_IF_ERROR(result);
  PITH_RETURN_IF_ERROR(impl_->CheckEventsIndex(confirmed.load(), &problems));
  return problems;
}

Status Store::Impl::CheckBesideLog(const std::string& subject, const std::vector<CheckedRecord>& fresh, uint64_t* confirmed,
                                   std::vector<std::string>* problems) const {
  // Every log entry has the event record its document gives.
  size_t record_count = 0;
  Status scanned = log->ScanSubjectRecords(subject, [&](uint64_t position, const Digest&, std::string_view bytes,
                                                        std::string_view document) {
    ++record_count;
    if (position >= fresh.size() || bytes != EncodeEventRecordBeside(fresh[position].record, document)) {
      problems->push_back(subject + ": the event record at position " + std::to_string(position) +
                          " differs from the one its document gives");
    }
    return Status::OK();
  });
  if (!scanned.ok()) problems->push_back(subject + ": " + scanned.message());
  if (record_count != fresh.size()) {
    problems->push_back(subject + ": " + std::to_string(record_count) + " event records for " + std::to_string(fresh.size()) +
                        " log entries");
  }
  // Every log entry's document is found by its hash through `events` (as GetEvent reads it). Most
  // entries are named by `events` themselves: that is read from `events` alone (a GetEvent would
  // read a log block at random for each one).
  Status indexed = log->ScanSubject(subject, [&](const SubjectEntry& e) {
    auto names = log->IndexNamesEntry(subject, e.position, e.document_hash);
    if (names.ok() && *names) {
      ++*confirmed;
      return Status::OK();
    }
    auto found = log->GetEvent(e.document_hash);
    if (!found.ok() && found.status().code() != Status::Code::kCorruption) return found.status();  // not damage
    if (!found.ok()) {
      problems->push_back(subject + ": " + found.status().message());
    } else if (!found->has_value()) {
      problems->push_back(subject + ": event " + DigestHex(e.document_hash) + " is in the log but not in `events`");
    }
    return Status::OK();
  });
  if (indexed.code() == Status::Code::kCorruption) {
    problems->push_back(subject + ": " + indexed.message());
  } else if (!indexed.ok()) {
    return indexed;
  }
  return Status::OK();
}

Status Store::Impl::CheckVerdictsAndState(const std::string& subject, const std::vector<json::Value>& docs,
                                          const std::vector<Digest>& stored_hashes,
                                          const std::vector<std::optional<std::string>>& cached,
                                          const std::vector<CheckedRecord>& checked, const TrustedKeys& keys,
                                          const std::string& keyset, std::vector<std::string>* problems) const {
  std::vector<DocumentVerdict> fresh;
  for (const CheckedRecord& c : checked) fresh.push_back(c.verdict);
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string stored = DigestHex(stored_hashes[i]);
    if (fresh[i].document_sha256 != stored) {
      problems->push_back(subject + ": stored event " + stored + " now hashes to " + fresh[i].document_sha256);
    }
    if (cached[i] && fresh[i].reason != *cached[i]) {
      problems->push_back(subject + ": cached verdict of event " + stored + " is \"" + *cached[i] +
                          "\", re-verification says \"" + fresh[i].reason + "\"");
    }
  }
  auto merged = MergeChecked(subject, docs, fresh, keys, options.merge_version);
  if (!merged.ok()) return merged.status();
  auto snapshot = log->GetSnapshot(subject);
  if (!snapshot.ok()) {
    problems->push_back(subject + ": " + snapshot.status().message());
  } else if (!snapshot->has_value()) {
    // None yet: a deferred commit (StateUpdate::kDeferred) left it for UpdateStates or a read.
  } else if ((*snapshot)->covers > docs.size()) {
    problems->push_back(subject + ": cached state covers " + std::to_string((*snapshot)->covers) + " events, the log holds " +
                        std::to_string(docs.size()));
  } else if ((*snapshot)->covers < docs.size()) {
    // Behind the log (deferred commits since): it is recomputed when read, and until then must
    // still be the state of the log's first `covers` entries.
    if ((*snapshot)->keyset_digest == keyset) {
      const size_t covers = (*snapshot)->covers;
      const std::vector<json::Value> prefix(docs.begin(), docs.begin() + static_cast<std::ptrdiff_t>(covers));
      const std::vector<DocumentVerdict> prefix_verdicts(fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(covers));
      auto earlier = MergeChecked(subject, prefix, prefix_verdicts, keys, options.merge_version);
      if (!earlier.ok()) return earlier.status();
      if ((*snapshot)->state != earlier->canonical) {
        problems->push_back(subject + ": cached state (behind the log, covering " + std::to_string(covers) +
                            " events) differs from the state of those events (" + earlier->state_sha256 + ")");
      }
    }
  } else if ((*snapshot)->keyset_digest == keyset && (*snapshot)->state != merged->canonical) {
    problems->push_back(subject + ": cached state differs from the state recomputed from the log (" + merged->state_sha256 + ")");
  } else if ((*snapshot)->keyset_digest == keyset) {
    // The state is right; so must be what the next incremental append starts from.
    auto more = store_internal::CheckIncrementalForm(*log, subject, docs, fresh, keys, options.merge_version);
    if (!more.ok()) return more.status();
    problems->insert(problems->end(), more->begin(), more->end());
  }
  return Status::OK();
}

Status Store::Impl::CheckEventsIndex(uint64_t confirmed, std::vector<std::string>* problems) const {
  // Each confirmed entry is a distinct `events` entry (the one naming the log entry read), whose
  // document the subjects' checks re-hashed: when they are all of them, nothing is left to read.
  auto count = log->CountEventsEntries();
  if (count.ok() && *count == confirmed) return Status::OK();
  // Else every entry is read through GetEvent and its document re-hashed, so that each damaged one
  // (and one of a document in no log, which no subject lists) is named.
  Status scanned = log->ScanEvents([&](std::string_view key, const Result<std::string>& raw) {
    Digest hash{};
    if (key.size() == hash.size()) std::copy(key.begin(), key.end(), hash.begin());
    const std::string name = key.size() == hash.size() ? "event " + DigestHex(hash) : "an `events` entry";
    if (!raw.ok()) {
      problems->push_back(raw.status().message());
      return Status::OK();
    }
    auto doc = json::Parse(*raw);
    if (!doc.ok()) {
      problems->push_back(name + ": stored bytes no longer parse (" + doc.status().message() + ")");
    } else if (DocumentHash(*doc) != hash) {
      problems->push_back(name + ": stored bytes hash to " + DigestHex(DocumentHash(*doc)));
    }
    return Status::OK();
  });
  // A damaged file ends the scan (the subjects' checks named every subject it touches).
  if (scanned.code() == Status::Code::kCorruption) {
    problems->push_back(scanned.message() + " (the scan of every stored event stopped there)");
  } else if (!scanned.ok()) {
    return scanned;
  }
  return Status::OK();
}

}  // namespace pith
