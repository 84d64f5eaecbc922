// Internal to pith::Store: one incoming event document as an append reads it. Its canonical bytes
// and member spans come from the caller's value tree, from the parse of bytes given alone, or, for
// bytes given alone that are already canonical, from the bytes themselves, proven canonical and
// read in place (json::CanonicalText). Every path gives the same hash, record and verdict.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pith/event_record.h"
#include "pith/json.h"
#include "pith/json_view.h"
#include "pith/keys.h"
#include "pith/merge.h"
#include "pith/status.h"
#include "pith/store.h"

namespace pith::store_internal {

class IncomingDocument {
 public:
  IncomingDocument() = default;
  IncomingDocument(const IncomingDocument&) = delete;  // spans_ may view canonical_
  IncomingDocument& operator=(const IncomingDocument&) = delete;

  // Reads `event` (which must outlive this object; a proof it carries is used, not made again). kInvalidInput when bytes given alone are not
  // a JSON document.
  Status Read(const IncomingEvent& event);

  // canon(document): the bytes its document_sha256 hashes.
  std::string_view canonical() const { return proof_ ? proof_->text() : std::string_view(canonical_); }
  EventRecord Record() const;
  // Section 3's reason code (empty when well formed). Its document_sha256 is not computed: the
  // caller has it (Sha256(canonical())).
  std::string CheckReason(std::string_view subject, const TrustedKeys& keys) const;
  // Frees what Read kept, once neither Record nor CheckReason will be asked.
  void Release();

 private:
  const json::Value* tree_ = nullptr;   // the caller's document, or parsed_
  std::optional<json::Value> parsed_;
  const json::CanonicalText* proof_ = nullptr;  // set when the bytes are read in place
  std::unique_ptr<json::CanonicalText> owned_proof_;  // proof_ when made here (not given)
  std::string canonical_;                       // written from tree_
  std::vector<json::MemberSpan> spans_;
};

}  // namespace pith::store_internal
