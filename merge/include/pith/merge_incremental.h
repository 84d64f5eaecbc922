// The incremental merge: keeping one subject's state current as documents arrive, without
// replaying its history, wherever merge-v1's rules allow it (the conditions and why each is needed:
// specs/storage.md, "Incremental appends"). A step either produces exactly the bytes a full merge
// of all the documents would, or declines, and the caller merges in full.
//
// The state is kept split, canon(state) == kStateHead + join(applied elements, ",") + tail, with an
// opaque `aux` (offsets into the tail, the SHA-256 midstate after the applied elements, the
// largest applied (created_at, event_id), the index generation) and a per-subject index of
// point-lookup entries. So a step costs O(tail + its few index lookups), not O(history).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pith/event_record.h"
#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge.h"
#include "pith/splice.h"
#include "pith/status.h"

namespace pith {

inline constexpr std::string_view kStateHead = "{\"applied_event_ids\":[";

struct SplitState {
  std::vector<std::string> applied;  // canonical elements of applied_event_ids (all, or those added)
  std::string tail;                  // the bytes after them, from the ']' closing applied_event_ids
  std::string aux;                   // opaque, see above
  // After a step: how `tail` was made from the tail the step resumed from, batch after batch
  // (empty after a full merge).
  std::vector<SpliceBatch> tail_changes;
};

// One subject's index entries, keyed relative to the subject.
using IndexEntries = std::map<std::string, std::string>;
// Reads one of the subject's index entries (nullopt when absent).
using IndexReader = std::function<Result<std::optional<std::string>>(std::string_view key)>;

struct IncrementalBase {
  MergedState state;
  SplitState split;    // all applied elements
  IndexEntries index;  // the subject's whole index, every value of generation `generation`
};

// A full merge (MergeChecked) that also yields the incremental form. `generation` must differ from
// every generation of index entries stored for the subject before (entries of another generation
// are ignored, so a full merge never has to delete the old index).
Result<IncrementalBase> MergeIncrementalBase(std::string_view subject, const std::vector<json::Value>& documents,
                                             const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                             std::string_view merge_version, uint64_t generation);
// The same over the documents' event records (pith/event_record.h): no JSON is parsed.
Result<IncrementalBase> MergeIncrementalBase(std::string_view subject, const std::vector<EventRecordView>& records,
                                             const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                             std::string_view merge_version, uint64_t generation);

// The index generation recorded in `aux` (0 when this build cannot read it), and whether a stored
// index value belongs to a generation (values of other generations are ignored, as absent).
uint64_t IndexGeneration(std::string_view aux);
bool IndexValueOfGeneration(std::string_view value, uint64_t generation);

class IncrementalMerge {
 public:
  // Resumes from a stored state: the number of applied elements, the tail and aux (as a full merge
  // or a previous step left them) and a reader of the subject's index. nullopt when aux is not
  // readable or does not fit the tail (merge in full then).
  static std::optional<IncrementalMerge> Resume(uint64_t applied_count, std::string tail, std::string_view aux,
                                                IndexReader reader);
  IncrementalMerge(IncrementalMerge&&) noexcept;
  IncrementalMerge& operator=(IncrementalMerge&&) noexcept;
  ~IncrementalMerge();

  // Merges one document not yet stored for the subject, given by its event record, with its
  // section 3 verdict. false: the rules need a full merge (nothing was changed, but the caller
  // merges in full and drops this object).
  Result<bool> Add(const EventRecordView& record, const DocumentVerdict& verdict, const TrustedKeys& keys);
  // The same for a parsed document (its record is made first).
  Result<bool> Add(const json::Value& document, const DocumentVerdict& verdict, const TrustedKeys& keys);

  // After the Adds (once; the object is spent): the applied elements to append, the new tail and aux.
  SplitState Finish();
  // The index entries to write (with the state, atomically).
  const IndexEntries& index_writes() const;

 private:
  struct Impl;
  explicit IncrementalMerge(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pith
