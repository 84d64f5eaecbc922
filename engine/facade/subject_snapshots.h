// Internal to pith::Store: the snapshot (and index) writes of one subject, either from a full
// merge of all its documents or, where merge-v1 allows, by the incremental merge from the stored
// snapshot (pith/merge_incremental.h; specs/storage.md "Incremental appends").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pith/event_log.h"
#include "pith/event_record.h"
#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge.h"

namespace pith::store_internal {

// What a snapshot is computed under.
struct SnapshotBasis {
  uint64_t covers = 0;  // log entries of the subject it includes
  std::string keyset_digest;
  std::string merge_version;
  bool operator==(const SnapshotBasis&) const = default;
};

// A full merge of the subject's documents, as a snapshot that replaces the stored one, its index
// of generation `generation` (from EventLog::NewIndexGeneration). *state receives the merged state.
Result<SnapshotWrite> FullSnapshot(std::string_view subject, const std::vector<json::Value>& documents,
                                   const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                   const SnapshotBasis& basis, uint64_t generation, MergedState* state);
// The same from the documents' event records (no JSON parsed).
Result<SnapshotWrite> FullSnapshot(std::string_view subject, const std::vector<EventRecordView>& records,
                                   const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                   const SnapshotBasis& basis, uint64_t generation, MergedState* state);

// The stored snapshot advanced by the documents whose event records are `records` (new to the
// subject, with their verdicts) without a full merge; nullopt when the stored snapshot is not
// current for `stored` (covers, keys, version) or a document needs a full merge.
Result<std::optional<SnapshotWrite>> IncrementalSnapshot(const EventLog& log, std::string_view subject,
                                                         const SnapshotBasis& stored,
                                                         const std::vector<EventRecordView>& records,
                                                         const std::vector<DocumentVerdict>& verdicts,
                                                         const TrustedKeys& keys);

// For `check`: the stored aux and index entries (of the stored generation) against those a full
// merge of the documents computes; one line per difference.
Result<std::vector<std::string>> CheckIncrementalForm(const EventLog& log, std::string_view subject,
                                                      const std::vector<json::Value>& documents,
                                                      const std::vector<DocumentVerdict>& verdicts,
                                                      const TrustedKeys& keys, std::string_view merge_version);

}  // namespace pith::store_internal
