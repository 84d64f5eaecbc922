#include "incoming_document.h"

namespace pith::store_internal {

Status IncomingDocument::Read(const IncomingEvent& event) {
  if (event.from_bytes) {
    if (event.canonical != nullptr) {
      if (event.canonical->proof().proven()) {
        proof_ = &event.canonical->proof();
        return Status::OK();
      }
    } else {
      owned_proof_ = std::make_unique<json::CanonicalText>(event.raw);
      if (owned_proof_->proven()) {
        proof_ = owned_proof_.get();
        return Status::OK();
      }
      owned_proof_.reset();
    }
    auto doc = json::Parse(event.bytes());
    if (!doc.ok()) return Status::InvalidInput("not a JSON document: " + doc.status().message());
    parsed_ = std::move(*doc);
    tree_ = &*parsed_;
  } else {
    tree_ = &event.document;
  }
  if (tree_->is_object()) {
    json::AppendCanonicalObject(*tree_, &canonical_, &spans_);
  } else {
    canonical_ = json::Canonical(*tree_);
  }
  return Status::OK();
}

EventRecord IncomingDocument::Record() const {
  if (proof_) return MakeEventRecord(*proof_);
  return MakeEventRecord(*tree_, canonical_, spans_);
}

std::string IncomingDocument::CheckReason(std::string_view subject, const TrustedKeys& keys) const {
  if (proof_) return CheckDocumentReason(*proof_, subject, keys);
  if (tree_->is_object()) return CheckDocumentReason(*tree_, canonical_, spans_, subject, keys);
  return CheckDocumentReason(*tree_, subject, keys);  // not an object: malformed at once
}

void IncomingDocument::Release() {
  tree_ = nullptr;
  parsed_.reset();
  proof_ = nullptr;
  owned_proof_.reset();
  std::string().swap(canonical_);
  std::vector<json::MemberSpan>().swap(spans_);
}

}  // namespace pith::store_internal
