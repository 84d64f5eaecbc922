#include <algorithm>

#include "pith/bundle.h"
#include "pith/codec.h"
#include "pith/hash.h"
#include "pith/identity.h"
#include "pith/timestamp.h"

namespace pith {
namespace {

std::string Short(std::string_view id) { return std::string(id.substr(0, 19)); }

struct Checker {
  BundleReport* report;
  void Add(std::string name, bool ok, std::string detail) {
    report->checks.push_back({std::move(name), ok, std::move(detail)});
  }
  // Compares a bundle member with the value derived from its parts.
  void Same(const std::string& name, const json::Value* have, const json::Value& want) {
    if (have == nullptr) return Add(name, false, "missing");
    bool same = *have == want;
    std::string want_text = want.is_string() ? want.text() : "the value derived from canonical_record";
    Add(name, same, same ? want_text : "is " + json::Canonical(*have) + ", expected " + json::Canonical(want));
  }
};

// Signature objects carry one member nothing signs (signed_at): check that they hold exactly the
// format's members, with a signed_v1 status and a timestamp, so that no edit hides there.
bool SignatureMetadataValid(const json::Value& sig, std::initializer_list<std::string_view> members, std::string* why) {
  if (!sig.is_object()) return *why = "not an object", false;
  for (const auto& [key, value] : sig.members()) {
    if (std::find(members.begin(), members.end(), key) == members.end()) return *why = "unexpected member \"" + key + "\"", false;
  }
  for (std::string_view key : members) {
    if (sig.FindString(key) == nullptr) return *why = "member " + std::string(key) + " missing or not a string", false;
  }
  if (*sig.FindString("signature_status") != "signed_v1") return *why = "signature_status must be \"signed_v1\"", false;
  if (!IsTimestamp(*sig.FindString("signed_at"))) return *why = "signed_at is not a timestamp", false;
  return true;
}

void CheckEventSignatureMetadata(const json::Value& events, Checker& c) {
  for (const json::Value& e : events.items()) {
    const json::Value* sig = e.Find("signature");
    if (sig == nullptr) continue;  // the merge reports the event as malformed
    std::string why;
    if (!SignatureMetadataValid(*sig, {"signature_status", "algorithm", "key_id", "public_key_fingerprint", "signature_b64",
                                       "signed_message", "signed_at"},
                                &why)) {
      const std::string* id = e.FindString("event_id");
      c.Add("event " + (id ? Short(*id) : std::string("?")) + " signature", false, why);
    }
  }
}

void CheckBundleSignature(const json::Value& bundle, const TrustedKeys& keys, Checker& c) {
  const json::Value* sig = bundle.Find("bundle_signature");
  if (sig == nullptr || !sig->is_object()) return c.Add("bundle_signature", false, "missing or not an object");
  Digest digest = Sha256(json::Canonical(bundle.Without("bundle_signature")));
  std::string hex = DigestHex(digest);
  const std::string* claimed = sig->FindString("bundle_sha256");
  c.Add("bundle_sha256", claimed && *claimed == hex,
        claimed && *claimed == hex ? hex : "bundle_sha256 is " + (claimed ? *claimed : "missing") + ", content hashes to " + hex);
  std::string why;
  if (!SignatureMetadataValid(*sig, {"signature_status", "algorithm", "key_id", "public_key_fingerprint", "signature_b64",
                                     "signed_message", "signed_at", "bundle_sha256"},
                              &why)) {
    return c.Add("bundle_signature", false, why);
  }
  const std::string* message = sig->FindString("signed_message");
  const std::string* algorithm = sig->FindString("algorithm");
  if (!message || *message != "bundle_sha256_bytes" || !algorithm || *algorithm != "ed25519") {
    return c.Add("bundle_signature", false, "algorithm must be ed25519 and signed_message bundle_sha256_bytes");
  }
  const std::string* key_id = sig->FindString("key_id");
  const PublicKeyEntry* key = key_id ? keys.Find(*key_id) : nullptr;
  if (key == nullptr) return c.Add("bundle_signature", false, "signed by a key that is not trusted: " + (key_id ? *key_id : "(none)"));
  const std::string* fp = sig->FindString("public_key_fingerprint");
  if (!fp || *fp != key->fingerprint_hex) return c.Add("bundle_signature", false, "public_key_fingerprint does not match key " + key->key_id);
  const std::string* b64 = sig->FindString("signature_b64");
  auto raw = b64 ? Base64Decode(*b64) : std::nullopt;
  Signature s{};
  bool ok = raw && raw->size() == 64;
  if (ok) std::copy(raw->begin(), raw->end(), s.begin());
  ok = ok && Ed25519VerifyDigest(key->key, digest, s);
  c.Add("bundle_signature", ok, ok ? "valid Ed25519 signature by " + key->key_id : "signature does not verify under " + key->key_id);
}

}  // namespace

bool BundleReport::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const BundleCheck& c) { return c.ok; });
}

json::Value BundleReport::ToJson() const {
  std::vector<json::Value> items;
  for (const BundleCheck& c : checks) {
    items.push_back(json::Value::Object({{"check", json::Value::String(c.name)},
                                         {"ok", json::Value::Bool(c.ok)},
                                         {"detail", json::Value::String(c.detail)}}));
  }
  return json::Value::Object({{"pith_number", json::Value::String(pith_number)},
                              {"ok", json::Value::Bool(ok())},
                              {"state_sha256", json::Value::String(state_sha256)},
                              {"checks", json::Value::Array(std::move(items))}});
}

Result<BundleReport> VerifyBundle(const json::Value& bundle, const TrustedKeys& trusted, const BundleVerifyOptions& options) {
  const std::string* type = bundle.FindString("bundle_type");
  const std::string* number = bundle.FindString("pith_number");
  const json::Value* events = bundle.Find("events");
  if (!bundle.is_object() || !type || *type != "pith_open_graph_bundle" || !number || !events || !events->is_array()) {
    return Status::InvalidInput("not a Pith bundle (needs bundle_type \"pith_open_graph_bundle\", pith_number, events)");
  }
  if (events->items().size() > kMaxEventsPerBundle) {
    return Status::InvalidInput("bundle carries " + std::to_string(events->items().size()) + " events; the limit is " +
                                std::to_string(kMaxEventsPerBundle));
  }
  TrustedKeys keys = trusted;
  if (options.trust_bundle_keys) {
    if (const json::Value* pk = bundle.Find("public_keys")) {
      Status s = keys.AddFromJson(*pk);
      if (!s.ok()) return s.WithPrefix("bundle public_keys");
    }
  }
  BundleReport report;
  report.pith_number = *number;
  Checker c{&report};
  const std::string* version = bundle.FindString("bundle_version");
  c.Add("bundle_version", version && *version == "1.0", version ? *version : "missing");
  CheckBundleSignature(bundle, keys, c);

  const json::Value* record = bundle.Find("canonical_record");
  auto id = record ? DeriveRecordIdentity(*record) : Result<RecordIdentity>(Status::InvalidInput("no canonical_record"));
  if (!id.ok()) {
    c.Add("canonical_record", false, id.status().message());
  } else {
    std::optional<std::string> created_at;
    for (const json::Value& e : events->items()) {
      const std::string* t = e.FindString("event_type");
      if (t && *t == "record_created" && e.FindString("created_at")) created_at = *e.FindString("created_at");
    }
    c.Same("canonical_sha256", bundle.Find("canonical_sha256"), json::Value::String(id->canonical_sha256));
    c.Same("pith_number", bundle.Find("pith_number"), json::Value::String(id->pith_number));
    c.Same("short_pith_number", bundle.Find("short_pith_number"), json::Value::String(id->short_pith_number));
    c.Same("source", bundle.Find("source"), *record->Find("source"));
    c.Same("source_aliases", bundle.Find("source_aliases"), SourceAliasesJson(id->aliases, created_at));
  }

  const std::string* merge_version = bundle.FindString("merge_version");
  MergeOptions merge_options = options.merge;
  if (merge_version && !IsKnownMergeVersion(*merge_version)) {
    c.Add("merge_version", false, "bundle uses " + *merge_version + ", which this build does not implement");
    return report;
  }
  CheckEventSignatureMetadata(*events, c);
  auto merged = Merge(*number, events->items(), keys, merge_options);
  if (!merged.ok()) return merged.status();
  report.state_sha256 = merged->state_sha256;
  auto merged_state = merged->Object();
  if (!merged_state.ok()) return merged_state.status();
  std::vector<std::string_view> bad;
  for (const json::Value& inv : merged_state->Find("invalid_events")->items()) {
    const json::Value* eid = inv.Find("event_id");
    std::string name = "event " + (eid && eid->is_string() ? Short(eid->text()) : "doc " + Short(*inv.FindString("document_sha256")));
    c.Add(name, false, "invalid: " + *inv.FindString("reason"));
  }
  for (const json::Value& eq : merged_state->Find("equivocations")->items()) {
    c.Add("equivocation", false, "signer key " + *eq.FindString("key_id") + " forked its " + *eq.FindString("target") + " chain");
  }
  size_t valid = merged_state->Find("applied_event_ids")->items().size();
  c.Add("events", merged_state->Find("invalid_events")->items().empty(),
        std::to_string(valid) + " of " + std::to_string(events->items().size()) + " events applied");
  const json::Value* state = bundle.Find("state");
  if (state == nullptr) {
    c.Add("state", false, "missing");
  } else {
    bool same = json::Canonical(*state) == merged->canonical;
    const std::string* claimed = state->FindString("state_sha256");
    c.Add("state", same,
          same ? "recomputed state equals the bundle's, state_sha256 " + merged->state_sha256
               : "recomputed state_sha256 " + merged->state_sha256 + " differs from the bundle's state (" +
                     (claimed ? *claimed : std::string("no state_sha256")) + ")");
  }
  return report;
}

Status CheckConformanceVector(const json::Value& vector, std::string_view expected_state, std::string_view merge_version) {
  const std::string* subject = vector.FindString("subject");
  const json::Value* keys_json = vector.Find("keys");
  const json::Value* events = vector.Find("events");
  if (!subject || !keys_json || !keys_json->is_array() || !events || !events->is_array()) {
    return Status::InvalidInput("vector.json needs subject, keys (array) and events (array)");
  }
  TrustedKeys keys;
  PITH_RETURN_IF_ERROR(keys.AddFromJson(*keys_json).WithPrefix("vector keys"));
  MergeOptions options;
  options.merge_version = std::string(merge_version);
  auto merged = Merge(*subject, events->items(), keys, options);
  if (!merged.ok()) return merged.status();
  if (merged->canonical == expected_state) return Status::OK();
  size_t at = 0;
  while (at < expected_state.size() && at < merged->canonical.size() && expected_state[at] == merged->canonical[at]) ++at;
  size_t from = at > 40 ? at - 40 : 0;
  return Status::VerificationFailed("state differs at byte " + std::to_string(at) + ": got ..." +
                                    merged->canonical.substr(from, 100) + "... expected ..." +
                                    std::string(expected_state.substr(from, 100)) + "...");
}

}  // namespace pith
