// Identities derived from content: a record's canonical hash, pith number, short forms and
// source aliases, and an event's content hash and event_id. All rules are in specs/format.md and
// were checked against the real seed records.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pith/hash.h"
#include "pith/json.h"
#include "pith/status.h"

namespace pith {

struct SourceAlias {
  std::string kind;
  std::string value;
};

struct RecordIdentity {
  Digest canonical_digest{};
  std::string canonical_sha256;   // hex
  std::string pith_number;        // "pith:YYYY:" + 26 base32 chars
  std::string short_pith_number;  // "pith:" + first 8 of the 26
  std::vector<SourceAlias> aliases;  // sorted by kind
};

// The record's hash and pith number alone: needs only metadata.submitted_at starting with 4 ASCII
// digits. The aliases are left empty.
Result<RecordIdentity> DerivePithNumber(const json::Value& canonical_record);

// From a canonical record: needs metadata.submitted_at (YEAR is its first 4 characters) and a
// source object with string kind and id (arXiv records also get arxiv/arxiv_version/doi aliases).
Result<RecordIdentity> DeriveRecordIdentity(const json::Value& canonical_record);

// The bundle's `source_aliases` list; `created_at` is added to each entry when given.
json::Value SourceAliasesJson(const std::vector<SourceAlias>& aliases, const std::optional<std::string>& created_at);

// The keys an event's content hash leaves out: what is computed from it or signs it.
inline constexpr std::string_view kEventUnhashedKeys[] = {"signature", "content_sha256", "event_id"};

// sha256(canon(event without signature, content_sha256, event_id)). `event` must be an object.
Digest EventContentDigest(const json::Value& event);

// EventContentDigest(event) from canon(event) already written with its member spans
// (json::AppendCanonicalObject or a proven json::CanonicalText), hashed from those bytes rather
// than written again. (The document's own hash is Sha256(canonical).)
Digest EventContentDigestOf(std::string_view canonical, const std::vector<json::MemberSpan>& spans);
inline std::string EventIdFromDigest(const Digest& d) { return "sha256:" + DigestHex(d); }

}  // namespace pith
