// Internal: sections 7 and 8 of merge-v1.md, writing the state object from the merge's results.
#pragma once

#include <string>
#include <vector>

#include "event_node.h"
#include "pith/json.h"
#include "pith/merge.h"

namespace pith::merge_internal {

struct InvalidEntry {
  std::string document_sha256;
  const json::Value* claimed_event_id = nullptr;  // the document's event_id member, if any
  std::string_view reason;
};

struct MergeOutcome {
  std::string_view subject;
  std::string_view merge_version;
  size_t valid_event_count = 0;
  std::vector<InvalidEntry> invalid;                // any order
  std::vector<json::Value> equivocations;           // sorted
  std::vector<const EventNode*> applied;            // in applied order
};

// canon(state) written directly (no state object is built), and its state_sha256.
MergedState BuildState(const MergeOutcome& outcome);

// An entry of invalid_events (section 8).
json::Value InvalidEntryJson(const InvalidEntry& e);
// The canonical entry of a list of `current` (section 7), {"created_at", "event_id", "payload",
// "signer", "target"} with the event's own values, appended to *out: written from the document,
// or copied from the event record's entry for a node made from a record.
void AppendCurrentEntry(const EventNode& e, std::string* out);

}  // namespace pith::merge_internal
