#include "subject_snapshots.h"

#include "pith/merge_incremental.h"

namespace pith::store_internal {

namespace {

// The snapshot that replaces the stored one, from a full merge's incremental form.
SnapshotWrite ReplacingSnapshot(IncrementalBase base, const SnapshotBasis& basis, MergedState* state) {
  SnapshotWrite w;
  w.header.covers = basis.covers;
  w.header.keyset_digest = basis.keyset_digest;
  w.header.merge_version = basis.merge_version;
  w.header.head = std::string(kStateHead);
  w.header.tail = std::move(base.split.tail);
  w.header.aux = std::move(base.split.aux);
  w.replace = true;
  w.items = std::move(base.split.applied);
  w.index = std::move(base.index);
  *state = std::move(base.state);
  return w;
}

}  // namespace

Result<SnapshotWrite> FullSnapshot(std::string_view subject, const std::vector<json::Value>& documents,
                                   const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                   const SnapshotBasis& basis, uint64_t generation, MergedState* state) {
  auto base = MergeIncrementalBase(subject, documents, verdicts, keys, basis.merge_version, generation);
  if (!base.ok()) return base.status();
  return ReplacingSnapshot(std::move(*base), basis, state);
}

Result<SnapshotWrite> FullSnapshot(std::string_view subject, const std::vector<EventRecordView>& records,
                                   const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                   const SnapshotBasis& basis, uint64_t generation, MergedState* state) {
  auto base = MergeIncrementalBase(subject, records, verdicts, keys, basis.merge_version, generation);
  if (!base.ok()) return base.status();
  return ReplacingSnapshot(std::move(*base), basis, state);
}

Result<std::optional<SnapshotWrite>> IncrementalSnapshot(const EventLog& log, std::string_view subject,
                                                         const SnapshotBasis& stored,
                                                         const std::vector<EventRecordView>& records,
                                                         const std::vector<DocumentVerdict>& verdicts,
                                                         const TrustedKeys& keys) {
  using Step = std::optional<SnapshotWrite>;  // empty: declined
  auto header = log.GetSnapshotHeader(subject);
  if (!header.ok()) return header.status();
  if (!header->has_value()) return Step();
  SnapshotHeader& h = **header;
  if (h.covers != stored.covers || h.keyset_digest != stored.keyset_digest || h.merge_version != stored.merge_version ||
      h.head != kStateHead) {
    return Step();
  }
  const std::string subject_copy(subject);
  auto merge = IncrementalMerge::Resume(
      h.item_count, std::move(h.tail), h.aux,
      [&log, subject_copy](std::string_view key) { return log.GetIndexEntry(subject_copy, key); });
  if (!merge) return Step();
  for (size_t i = 0; i < records.size(); ++i) {
    auto added = merge->Add(records[i], verdicts[i], keys);
    if (!added.ok()) return added.status();
    if (!*added) return Step();
  }
  SplitState split = merge->Finish();
  SnapshotWrite w;
  w.header.covers = stored.covers + records.size();
  w.header.keyset_digest = stored.keyset_digest;
  w.header.merge_version = stored.merge_version;
  w.header.head = std::string(kStateHead);
  w.header.tail = std::move(split.tail);
  w.header.aux = std::move(split.aux);
  w.tail_base = std::move(h.tail_pieces);  // the stored tail the step changed: only touched pieces are rewritten
  w.tail_changes = std::move(split.tail_changes);
  w.replace = false;
  w.items = std::move(split.applied);
  w.index = merge->index_writes();
  return Step(std::move(w));
}

Result<std::vector<std::string>> CheckIncrementalForm(const EventLog& log, std::string_view subject,
                                                      const std::vector<json::Value>& documents,
                                                      const std::vector<DocumentVerdict>& verdicts,
                                                      const TrustedKeys& keys, std::string_view merge_version) {
  std::vector<std::string> problems;
  const std::string who(subject);
  auto header = log.GetSnapshotHeader(subject);
  if (!header.ok()) return header.status();
  if (!header->has_value()) return problems;  // reported with the state
  const uint64_t generation = IndexGeneration((*header)->aux);
  if (generation == 0) {
    problems.push_back(who + ": the stored state has no readable incremental form (aux)");
    return problems;
  }
  auto base = MergeIncrementalBase(subject, documents, verdicts, keys, merge_version, generation);
  if (!base.ok()) return base.status();
  if (base->split.aux != (*header)->aux)
    problems.push_back(who + ": the stored incremental form (aux) differs from a full merge's");
  size_t matched = 0, wrong = 0;
  PITH_RETURN_IF_ERROR(log.ScanIndex(subject, [&](std::string_view key, std::string_view value) {
    if (!IndexValueOfGeneration(value, generation)) return Status::OK();  // an older generation's: ignored
    auto it = base->index.find(std::string(key));
    if (it != base->index.end() && it->second == value) {
      ++matched;
    } else {
      ++wrong;
    }
    return Status::OK();
  }));
  if (wrong > 0 || matched != base->index.size()) {
    problems.push_back(who + ": the incremental index differs from a full merge's (" + std::to_string(wrong) +
                       " wrong entries, " + std::to_string(base->index.size() - matched) + " missing)");
  }
  return problems;
}

}  // namespace pith::store_internal
