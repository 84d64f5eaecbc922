#include "pith/bundle_export.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <set>

#include "pith/codec.h"
#include "pith/hash.h"
#include "pith/identity.h"
#include "pith/timestamp.h"

namespace pith {
namespace {

using json::Value;

std::string TrimSlash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string UtcNow(bool microseconds) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf);
  if (microseconds) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%06lld", static_cast<long long>(us));
    out += frac;
  }
  return out + "Z";
}

Result<json::Value> BuildUnsignedBundle(Store& store, std::string_view subject, const BundleExportOptions& options) {
  std::string built_at = options.built_at.empty() ? UtcNow(false) : options.built_at;
  if (!IsEventTimestamp(built_at)) return Status::InvalidInput("--built-at must be YYYY-MM-DDTHH:MM:SSZ");
  auto state = store.State(subject);
  if (!state.ok()) return state.status();
  auto state_object = state->Object();
  if (!state_object.ok()) return state_object.status();
  const Value& current = *state_object->Find("current");
  const Value& record = *current.Find("canonical_record");
  if (record.is_null()) {
    return Status::VerificationFailed("no valid record_created event for " + std::string(subject) + ": nothing to export");
  }
  auto id = DeriveRecordIdentity(record);
  if (!id.ok()) return id.status();
  auto docs = store.Documents(subject);
  if (!docs.ok()) return docs.status();

  // The keys that signed the events and receipts, as stored.
  std::set<std::string> key_ids;
  for (const Value& d : *docs) {
    if (const Value* signer = d.Find("signer")) {
      if (const std::string* k = signer->FindString("key_id")) key_ids.insert(*k);
    }
    const Value* payload = d.Find("payload");
    const Value* receipt = payload ? payload->Find("receipt") : nullptr;
    if (const std::string* k = receipt ? receipt->FindString("key_id") : nullptr) key_ids.insert(*k);
  }
  std::vector<Value> public_keys;
  for (const std::string& k : key_ids) {
    if (auto entry = store.KeyEntry(k)) public_keys.push_back(*entry);
  }

  const std::string code = id->pith_number.substr(id->pith_number.rfind(':') + 1);
  const std::string base = TrimSlash(options.base_url);
  const std::string resolver = base + "/pith/" + code;
  const std::string bundle_url = resolver + "/bundle.json";
  const std::string state_url = resolver + "/state.json";
  const std::string well_known = base + "/.well-known/pith/" + code + "/bundle.json";
  Value mirror = Value::Object({
      {"mirror_type", Value::String(base.rfind("https://", 0) == 0 ? "https" : "http")},
      {"name", Value::String(options.mirror_name)},
      {"base_url", Value::String(base)},
      {"bundle_url", Value::String(bundle_url)},
      {"state_url", Value::String(state_url)},
      {"well_known_bundle_url", Value::String(well_known)},
      {"status", Value::String("primary")},
  });
  std::vector<Value> proofs;
  for (const Value& anchor : current.Find("timestamp_anchors")->items()) proofs.push_back(*anchor.Find("payload"));
  const Value& created = *current.Find("record_created");

  return Value::Object({
      {"bundle_type", Value::String("pith_open_graph_bundle")},
      {"bundle_version", Value::String("1.0")},
      {"pith_number", Value::String(id->pith_number)},
      {"short_pith_number", Value::String(id->short_pith_number)},
      {"canonical_record", record},
      {"canonical_sha256", Value::String(id->canonical_sha256)},
      {"source", *record.Find("source")},
      {"source_aliases", SourceAliasesJson(id->aliases, *created.FindString("created_at"))},
      {"events", Value::Array(std::move(*docs))},
      {"timestamp_proofs", Value::Array(std::move(proofs))},
      {"mirror_hints", Value::Array({mirror})},
      {"public_keys", Value::Array(std::move(public_keys))},
      {"merge_version", *state_object->Find("merge_version")},
      {"built_at", Value::String(built_at)},
      {"links", Value::Object({{"resolver", Value::String(resolver)},
                               {"bundle", Value::String(bundle_url)},
                               {"state", Value::String(state_url)},
                               {"well_known_bundle", Value::String(well_known)}})},
      {"state", *state_object},
  });
}

json::Value SignBundle(const json::Value& unsigned_bundle, const SigningKey& key, const std::string& signed_at) {
  Digest digest = Sha256(json::Canonical(unsigned_bundle));
  Signature sig = Ed25519SignDigest(key.pair.secret_key, digest);
  std::vector<Value::Member> members = unsigned_bundle.members();
  members.emplace_back("bundle_signature",
                       Value::Object({
                           {"signature_status", Value::String("signed_v1")},
                           {"algorithm", Value::String("ed25519")},
                           {"key_id", Value::String(key.key_id)},
                           {"public_key_fingerprint", Value::String(KeyFingerprintHex(key.pair.public_key))},
                           {"signature_b64", Value::String(Base64Encode(sig.data(), sig.size()))},
                           {"signed_message", Value::String("bundle_sha256_bytes")},
                           {"signed_at", Value::String(signed_at.empty() ? UtcNow(true) : signed_at)},
                           {"bundle_sha256", Value::String(DigestHex(digest))},
                       }));
  return Value::Object(std::move(members));
}

}  // namespace pith
