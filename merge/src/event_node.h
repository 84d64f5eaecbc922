// Internal: a well-formed event as the merge sees it, viewing into its document (which outlives it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "event_types.h"
#include "pith/json.h"

namespace pith::merge_internal {

struct EventNode {
  const json::Value* doc = nullptr;
  const EventTypeInfo* type = nullptr;
  std::string_view document_sha256;
  std::string_view event_id;
  std::string_view target;
  std::string_view key_id;
  std::string_view signer_id;
  std::string_view created_at;
  const std::string* prev_event = nullptr;  // null when the chain starts here
  std::vector<std::string_view> supersedes;
};

// Views a document that passed section 3 (so every member exists with its type).
EventNode MakeEventNode(const json::Value& doc, std::string_view document_sha256);

}  // namespace pith::merge_internal
