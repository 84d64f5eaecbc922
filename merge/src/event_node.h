// Internal: a well-formed event as the merge sees it, viewing into its document (which outlives it).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event_types.h"
#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge.h"

namespace pith::merge_internal {

struct EventNode {
  // The document, or null when the node was made from an EventRecord (pith/event_record.h); then
  // `entry` and `signer` hold the canonical texts the state needs.
  const json::Value* doc = nullptr;
  const json::Value* claimed_event_id = nullptr;  // its event_id member, for invalid_events (null: made from event_id)
  std::string_view entry;
  std::string_view signer;
  const EventTypeInfo* type = nullptr;
  std::string_view document_sha256;  // empty when deferred: then hash document_bytes (DocumentSha256Of)
  std::string_view document_bytes;   // canon(document), set when document_sha256 is deferred
  std::string_view event_id;
  std::string_view target;
  std::string_view key_id;
  std::string_view signer_id;
  std::string_view created_at;
  std::optional<std::string_view> prev_event;  // none when the chain starts here
  std::vector<std::string_view> supersedes;

  // Its signer object (parsed from `signer` for a node made from a record).
  json::Value SignerJson() const;
};

// Check 1 of section 3: every member an event has, with its JSON type. MakeEventNode needs it.
// Doc is json::Value or json::View.
template <typename Doc>
bool HasEventShape(const Doc& document);

// document_sha256, or the hash of document_bytes where it was deferred.
std::string DocumentSha256Of(const EventNode& node);

// Views a document that passed section 3 (so every member exists with its type).
EventNode MakeEventNode(const json::Value& doc, std::string_view document_sha256);

}  // namespace pith::merge_internal
