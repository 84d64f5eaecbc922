#include "pith/event_builder.h"

#include "pith/codec.h"
#include "pith/identity.h"

namespace pith {

using json::Value;

json::Value SignEvent(const EventDraft& d, const SigningKey& key, const std::string& signed_at) {
  const std::string fingerprint = KeyFingerprintHex(key.pair.public_key);
  std::vector<Value> supersedes;
  for (const std::string& s : d.supersedes) supersedes.push_back(Value::String(s));
  std::vector<Value::Member> members = {
      {"event_type", Value::String(d.event_type)},
      {"subject_pith_number", Value::String(d.subject_pith_number)},
      {"target", Value::String(d.target)},
      {"payload", d.payload},
      {"signer", Value::Object({{"signer_id", Value::String(d.signer_id)},
                                {"signer_type", Value::String(d.signer_type)},
                                {"key_id", Value::String(key.key_id)},
                                {"public_key_fingerprint", Value::String(fingerprint)}})},
      {"created_at", Value::String(d.created_at)},
      {"supersedes", Value::Array(std::move(supersedes))},
      {"prev_event", d.prev_event ? Value::String(*d.prev_event) : Value::Null()},
      {"schema_version", Value::String("1.0")},
  };
  Value content = Value::Object(members);
  Digest digest = EventContentDigest(content);
  Signature sig = Ed25519SignDigest(key.pair.secret_key, digest);
  members.emplace_back("content_sha256", Value::String(DigestHex(digest)));
  members.emplace_back("event_id", Value::String(EventIdFromDigest(digest)));
  members.emplace_back("signature", Value::Object({{"signature_status", Value::String("signed_v1")},
                                                   {"algorithm", Value::String("ed25519")},
                                                   {"key_id", Value::String(key.key_id)},
                                                   {"public_key_fingerprint", Value::String(fingerprint)},
                                                   {"signature_b64", Value::String(Base64Encode(sig.data(), sig.size()))},
                                                   {"signed_message", Value::String("open_graph_event_sha256_bytes")},
                                                   {"signed_at", Value::String(signed_at)}}));
  return Value::Object(std::move(members));
}

json::Value RecordCreatedPayload(const json::Value& record, const SigningKey& registry, const std::string& signed_at) {
  Digest digest = Sha256(json::Canonical(record));
  Signature sig = Ed25519SignDigest(registry.pair.secret_key, digest);
  const Value* source = record.Find("source");
  auto source_field = [source](std::string_view k) {
    const Value* v = source ? source->Find(k) : nullptr;
    return v ? *v : Value::Null();
  };
  return Value::Object({
      {"canonical_record", record},
      {"canonical_sha256", Value::String(DigestHex(digest))},
      {"receipt", Value::Object({{"kind", Value::String("pith_receipt")},
                                 {"key_id", Value::String(registry.key_id)},
                                 {"algorithm", Value::String("ed25519")},
                                 {"signed_at", Value::String(signed_at)},
                                 {"signature_b64", Value::String(Base64Encode(sig.data(), sig.size()))},
                                 {"signed_message", Value::String("canonical_sha256_bytes")},
                                 {"canonical_sha256", Value::String(DigestHex(digest))},
                                 {"signature_status", Value::String("signed_v1")},
                                 {"public_key_fingerprint", Value::String(KeyFingerprintHex(registry.pair.public_key))}})},
      {"source_kind", source_field("kind")},
      {"source_id", source_field("id")},
      {"source_version", source_field("version")},
      {"attestation_state", Value::String("computed")},
  });
}

}  // namespace pith
