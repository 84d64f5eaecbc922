// Internal: the merge core (sections 4 to 8 over event nodes, whether they view documents or event
// records), also reporting what became of each well-formed event (for the incremental form of
// merge_incremental.cc, which indexes those fates).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>
#include <vector>

#include "event_node.h"
#include "pith/event_record.h"
#include "pith/merge.h"
#include "state_builder.h"

namespace pith::merge_internal {

enum class Fate : uint8_t {
  kApplied,     // in applied_event_ids (and in `current` unless superseded)
  kSuperseded,  // applied, and named in the supersedes of an applied event
  kExcluded,    // valid, but forked or a descendant of a fork (section 5)
  kInvalid,     // failed section 4 with a reason other than reference_cycle
  kCycle,       // reference_cycle
};

struct EventFate {
  size_t document = 0;  // index of the event's representative document
  Fate fate = Fate::kInvalid;
};

// Sections 4 to 8 from section 3's results: one node per well-formed event (its representative
// document) and the invalid entries of section 3. (*fates)[k], if asked for, is nodes[k]'s fate.
Result<MergedState> MergeNodes(std::string_view subject, std::string_view merge_version, std::vector<EventNode> nodes,
                               std::vector<InvalidEntry> invalid, const TrustedKeys& keys, std::vector<Fate>* fates);

// Section 3's results reduced to what MergeNodes takes, for documents and records alike: each
// distinct document (by document_sha256) that failed, its first copy; and per event_id its
// representative, the well-formed document with the smallest document_sha256, in event_id order.
// `event_id(i)` is asked only of well-formed documents. A well-formed verdict may leave its hash
// empty (CheckAndRecordDeferringHash) only if no other well-formed document claims its event_id.
struct DistinctDocuments {
  std::vector<size_t> invalid;
  std::vector<size_t> representatives;
};
DistinctDocuments SelectDistinct(const std::vector<DocumentVerdict>& verdicts,
                                 const std::function<std::string_view(size_t)>& event_id);

// The node of a well-formed event's record (viewing it); kCorruption when the record is not one a
// well-formed document gives (no event, no event_id or key id, an unknown type).
Result<EventNode> NodeOfRecord(std::string_view subject, const EventRecordView& record, std::string_view document_sha256);

// Section 3's results over event records, as MergeNodes takes them: one node per well-formed
// event (its representative record, in event_id order) and the invalid entries. The ids the
// entries point to are kept in *claimed; nodes view into `records` and `verdicts`.
// (*node_records)[k], if asked for, is the index of the record nodes[k] was made from.
Status RecordsToNodes(std::string_view subject, const std::vector<EventRecordView>& records,
                      const std::vector<DocumentVerdict>& verdicts, std::deque<json::Value>* claimed,
                      std::vector<EventNode>* nodes, std::vector<InvalidEntry>* invalid,
                      std::vector<size_t>* node_records = nullptr);

// Section 3 and the record of a proven canonical text, as CheckAndRecord, except that a
// well-formed document's document_sha256 is left empty: a cold merge needs that hash only where
// copies of an event disagree or the event fails later (EventNode::document_bytes), and it is a
// SHA-256 of the whole document. A failing document's hash is always set.
CheckedRecord CheckAndRecordDeferringHash(const json::CanonicalText& document, std::string_view subject,
                                          const TrustedKeys& keys);
DocumentVerdict CheckProvenDeferringHash(const json::CanonicalText& document, std::string_view subject,
                                         const TrustedKeys& keys);

// MergeChecked, with one EventFate per well-formed event (any order) in *fates.
Result<MergedState> MergeCheckedDetailed(std::string_view subject, const std::vector<json::Value>& documents,
                                         const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                         std::string_view merge_version, std::vector<EventFate>* fates);

}  // namespace pith::merge_internal
