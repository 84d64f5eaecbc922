// Section 3 of merge-v1.md: the checks of one document alone, in their normative order.
#include <algorithm>
#include <set>

#include "event_node.h"
#include "merge_detail.h"
#include "event_types.h"
#include "pith/codec.h"
#include "pith/ed25519.h"
#include "pith/identity.h"
#include "pith/merge.h"
#include "pith/timestamp.h"
#include "reason_codes.h"

namespace pith {
namespace {

using merge_internal::EventTypeInfo;
namespace reason = merge_internal::reason;

// True when `obj` (a member as Find returns it) is an object with a string member for every key.
template <typename M>
bool HasStrings(const M& obj, std::initializer_list<std::string_view> keys) {
  if (!obj || !obj->is_object()) return false;
  for (std::string_view k : keys) {
    const auto v = obj->Find(k);
    if (!v || !v->is_string()) return false;
  }
  return true;
}

}  // namespace

template <typename Doc>
bool merge_internal::HasEventShape(const Doc& d) {
  if (!d.is_object()) return false;
  if (!HasStrings(&d, {"schema_version", "event_type", "subject_pith_number", "target", "created_at",
                       "content_sha256", "event_id"})) {
    return false;
  }
  const auto payload = d.Find("payload");
  if (!payload || !payload->is_object()) return false;
  if (!HasStrings(d.Find("signer"), {"signer_id", "signer_type", "key_id", "public_key_fingerprint"})) return false;
  if (!HasStrings(d.Find("signature"), {"algorithm", "key_id", "public_key_fingerprint", "signature_b64",
                                        "signed_message"})) {
    return false;
  }
  const auto supersedes = d.Find("supersedes");
  if (!supersedes || !supersedes->is_array()) return false;
  for (const auto& s : supersedes->items()) {
    if (!s.is_string()) return false;
  }
  const auto prev = d.Find("prev_event");
  return prev && (prev->is_null() || prev->is_string());
}
template bool merge_internal::HasEventShape(const json::Value&);
template bool merge_internal::HasEventShape(const json::View&);

namespace {

bool IsEventIdText(std::string_view s) { return s.size() == 71 && s.substr(0, 7) == "sha256:" && IsLowerHex(s.substr(7), 32); }

template <typename Doc>
bool ReferencesWellFormed(const Doc& d) {
  const auto prev = d.Find("prev_event");
  if (prev->is_string() && !IsEventIdText(prev->text())) return false;
  std::set<std::string_view> seen;
  for (const auto& s : d.Find("supersedes")->items()) {
    if (!IsEventIdText(s.text()) || !seen.insert(s.text()).second) return false;
  }
  return true;
}

std::optional<Signature> DecodeSignature(std::string_view b64) {
  thread_local Bytes raw;
  if (!PublicBase64Decode(b64, &raw) || raw.size() != 64) return std::nullopt;
  Signature sig;
  std::copy(raw.begin(), raw.end(), sig.begin());
  return sig;
}

bool SameJson(const json::Value* a, const json::Value* b) { return a != nullptr && b != nullptr && *a == *b; }

// Checks 18-21 for record_created; empty when all pass.
std::string_view CheckRecordCreated(const json::Value& payload, std::string_view subject, const TrustedKeys& keys) {
  const json::Value& record = *payload.Find("canonical_record");
  const std::string& claimed = *payload.FindString("canonical_sha256");
  auto id = DerivePithNumber(record);
  // DerivePithNumber hashes the record; reuse its digest for check 18 when it succeeds.
  std::string actual = id.ok() ? id->canonical_sha256 : Sha256Hex(json::Canonical(record));
  if (claimed != actual) return reason::kCanonicalHashMismatch;
  if (!id.ok() || id->pith_number != subject) return reason::kRecordSubjectMismatch;
  const json::Value* source = record.Find("source");
  if (source == nullptr || !source->is_object()) return reason::kSourceMismatch;
  if (!SameJson(payload.Find("source_kind"), source->Find("kind")) ||
      !SameJson(payload.Find("source_id"), source->Find("id")) ||
      !SameJson(payload.Find("source_version"), source->Find("version"))) {
    return reason::kSourceMismatch;
  }
  const json::Value& receipt = *payload.Find("receipt");
  auto field_is = [&receipt](std::string_view key, std::string_view want) {
    const std::string* v = receipt.FindString(key);
    return v != nullptr && *v == want;
  };
  if (!field_is("kind", "pith_receipt") || !field_is("algorithm", "ed25519") ||
      !field_is("signed_message", "canonical_sha256_bytes") || !field_is("canonical_sha256", claimed)) {
    return reason::kBadReceipt;
  }
  const std::string* key_id = receipt.FindString("key_id");
  const PublicKeyEntry* key = key_id ? keys.Find(*key_id) : nullptr;
  if (key == nullptr || !field_is("public_key_fingerprint", key->fingerprint_hex)) return reason::kBadReceipt;
  const std::string* sig_b64 = receipt.FindString("signature_b64");
  auto sig = sig_b64 ? DecodeSignature(*sig_b64) : std::nullopt;
  if (!sig || !Ed25519VerifyDigest(key->key, id->canonical_digest, *sig)) return reason::kBadReceipt;
  return {};
}

// A member Find found: a reference into the tree (json::Value) or the View itself.
const json::Value& Member(const json::Value* found) { return *found; }
json::View Member(const std::optional<json::View>& found) { return *found; }

// The payload as a value tree, for the checks of record_created (one event in a subject's many).
const json::Value& PayloadTree(const json::Value& payload, json::Value*) { return payload; }
const json::Value& PayloadTree(const json::View& payload, json::Value* storage) {
  *storage = payload.ToValue();
  return *storage;
}

template <typename Doc>
std::string_view CheckInOrder(const Doc& d, std::string_view subject, const TrustedKeys& keys, const Digest& content) {
  if (!merge_internal::HasEventShape(d)) return reason::kMalformedEvent;
  if (!IsEventTimestamp(*d.FindString("created_at"))) return reason::kBadCreatedAt;
  if (!ReferencesWellFormed(d)) return reason::kBadReference;
  if (*d.FindString("schema_version") != "1.0") return reason::kUnsupportedSchemaVersion;
  const EventTypeInfo* type = merge_internal::FindEventType(*d.FindString("event_type"));
  if (type == nullptr) return reason::kUnknownEventType;
  if (*d.FindString("target") != type->target) return reason::kWrongTarget;
  if (*d.FindString("subject_pith_number") != subject) return reason::kWrongSubject;
  std::string content_hex = DigestHex(content);
  if (*d.FindString("content_sha256") != content_hex) return reason::kContentHashMismatch;
  if (*d.FindString("event_id") != "sha256:" + content_hex) return reason::kEventIdMismatch;
  decltype(auto) signature = Member(d.Find("signature"));
  decltype(auto) signer = Member(d.Find("signer"));
  if (*signature.FindString("algorithm") != "ed25519" ||
      *signature.FindString("signed_message") != "open_graph_event_sha256_bytes") {
    return reason::kUnsupportedSignature;
  }
  if (*signature.FindString("key_id") != *signer.FindString("key_id") ||
      *signature.FindString("public_key_fingerprint") != *signer.FindString("public_key_fingerprint")) {
    return reason::kSignatureSignerMismatch;
  }
  const PublicKeyEntry* key = keys.Find(*signer.FindString("key_id"));
  if (key == nullptr) return reason::kUnknownKey;
  if (*signer.FindString("public_key_fingerprint") != key->fingerprint_hex) return reason::kKeyFingerprintMismatch;
  if ((key->signer_id && *key->signer_id != *signer.FindString("signer_id")) ||
      (key->signer_type && *key->signer_type != *signer.FindString("signer_type"))) {
    return reason::kKeySignerMismatch;
  }
  if (key->rotates_at && *d.FindString("created_at") >= *key->rotates_at) return reason::kKeyRotated;
  if (!merge_internal::SignerTypeAllowed(*type, *signer.FindString("signer_type"))) {
    return reason::kSignerTypeNotAllowed;
  }
  decltype(auto) payload = Member(d.Find("payload"));
  if (!merge_internal::PayloadShapeValid(*type, payload)) return reason::kInvalidPayload;
  if (merge_internal::IsRecordCreated(*type)) {
    json::Value storage;
    std::string_view r = CheckRecordCreated(PayloadTree(payload, &storage), subject, keys);
    if (!r.empty()) return r;
  }
  auto sig = DecodeSignature(*signature.FindString("signature_b64"));
  if (!sig || !Ed25519VerifyDigest(key->key, content, *sig)) return reason::kBadSignature;
  return {};
}

// canon(object) with its member spans: one canonical writing gives both the document's hash and
// the content hash of check 8.
struct CanonicalObject {
  std::string text;
  std::vector<json::MemberSpan> spans;
};
CanonicalObject CanonicalObjectOf(const json::Value& object) {
  CanonicalObject c;
  json::AppendCanonicalObject(object, &c.text, &c.spans);
  return c;
}

}  // namespace

DocumentVerdict CheckDocument(const json::Value& document, std::string_view subject, const TrustedKeys& keys) {
  if (!document.is_object()) {
    DocumentVerdict v;
    v.document_sha256 = Sha256Hex(json::Canonical(document));
    v.reason = std::string(reason::kMalformedEvent);
    return v;
  }
  const CanonicalObject c = CanonicalObjectOf(document);
  return CheckDocument(document, c.text, c.spans, subject, keys);
}

namespace {

// Section 3's reason for a document given with its canonical text and member spans.
template <typename Doc>
std::string ReasonOf(const Doc& document, std::string_view canonical, const std::vector<json::MemberSpan>& spans,
                     std::string_view subject, const TrustedKeys& keys) {
  return std::string(CheckInOrder(document, subject, keys, EventContentDigestOf(canonical, spans)));
}

// `hash_well_formed` false leaves a well-formed document's document_sha256 empty (see
// merge_internal::CheckProvenDeferringHash).
template <typename Doc>
DocumentVerdict CheckCanonical(const Doc& document, std::string_view canonical, const std::vector<json::MemberSpan>& spans,
                               std::string_view subject, const TrustedKeys& keys, bool hash_well_formed = true) {
  DocumentVerdict v;
  v.reason = ReasonOf(document, canonical, spans, subject, keys);
  if (hash_well_formed || !v.reason.empty()) v.document_sha256 = Sha256Hex(canonical);
  return v;
}

}  // namespace

DocumentVerdict CheckDocument(const json::Value& document, std::string_view canonical,
                              const std::vector<json::MemberSpan>& spans, std::string_view subject,
                              const TrustedKeys& keys) {
  return CheckCanonical(document, canonical, spans, subject, keys);
}

DocumentVerdict CheckDocument(const json::CanonicalText& document, std::string_view subject, const TrustedKeys& keys) {
  return CheckCanonical(document.root(), document.text(), document.spans(), subject, keys);
}

std::string CheckDocumentReason(const json::Value& document, std::string_view subject, const TrustedKeys& keys) {
  if (!document.is_object()) return std::string(reason::kMalformedEvent);
  const CanonicalObject c = CanonicalObjectOf(document);
  return ReasonOf(document, c.text, c.spans, subject, keys);
}

std::string CheckDocumentReason(const json::CanonicalText& document, std::string_view subject, const TrustedKeys& keys) {
  return ReasonOf(document.root(), document.text(), document.spans(), subject, keys);
}

std::string CheckDocumentReason(const json::Value& document, std::string_view canonical,
                                const std::vector<json::MemberSpan>& spans, std::string_view subject,
                                const TrustedKeys& keys) {
  return ReasonOf(document, canonical, spans, subject, keys);
}

DocumentVerdict merge_internal::CheckProvenDeferringHash(const json::CanonicalText& document, std::string_view subject,
                                                         const TrustedKeys& keys) {
  return CheckCanonical(document.root(), document.text(), document.spans(), subject, keys, /*hash_well_formed=*/false);
}

const std::vector<std::string_view>& AllReasonCodes() {
  static const std::vector<std::string_view> kAll = {
      reason::kMalformedEvent, reason::kBadCreatedAt, reason::kBadReference, reason::kUnsupportedSchemaVersion,
      reason::kUnknownEventType, reason::kWrongTarget, reason::kWrongSubject, reason::kContentHashMismatch,
      reason::kEventIdMismatch, reason::kUnsupportedSignature, reason::kSignatureSignerMismatch,
      reason::kUnknownKey, reason::kKeyFingerprintMismatch, reason::kKeySignerMismatch, reason::kKeyRotated,
      reason::kSignerTypeNotAllowed, reason::kInvalidPayload, reason::kCanonicalHashMismatch,
      reason::kRecordSubjectMismatch, reason::kSourceMismatch, reason::kBadReceipt, reason::kBadSignature,
      reason::kPrevEventMissing, reason::kPrevEventInvalid, reason::kPrevEventForeign,
      reason::kSupersedesMissing, reason::kSupersedesInvalid, reason::kSupersedesForeign,
      reason::kSupersedesWrongTarget, reason::kReferenceCycle};
  return kAll;
}

}  // namespace pith
