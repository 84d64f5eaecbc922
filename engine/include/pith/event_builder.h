// Building and signing events and receipts: for producers of events, for tests, and for the
// synthetic corpus. The result is exactly what merge v1 accepts (specs/format.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pith/json.h"
#include "pith/keys.h"

namespace pith {

// Everything of an event except what is computed from it (content_sha256, event_id, signature).
struct EventDraft {
  std::string event_type;
  std::string subject_pith_number;
  std::string target;
  std::string created_at;  // YYYY-MM-DDTHH:MM:SSZ
  json::Value payload = json::Value::Object({});
  std::string signer_id;
  std::string signer_type;
  std::optional<std::string> prev_event;
  std::vector<std::string> supersedes;
};

// The event object: the draft's members, schema_version "1.0", content_sha256, event_id, and a
// signature by `key` made at `signed_at`.
json::Value SignEvent(const EventDraft& draft, const SigningKey& key, const std::string& signed_at);

// A record_created payload for `canonical_record`, with a receipt signed by `registry`.
json::Value RecordCreatedPayload(const json::Value& canonical_record, const SigningKey& registry,
                                 const std::string& signed_at);

}  // namespace pith
