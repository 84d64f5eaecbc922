// "Sealing" a mutated event for the fuzz targets: recompute what the fuzzer cannot forge, so that
// its mutations reach the checks after the hashes and signatures and the merge past section 3.
//
// SealEvent(doc) rewrites, in this order:
//   - for a record_created: payload.canonical_sha256 and receipt.canonical_sha256 := the hash of
//     payload.canonical_record, and the receipt re-signed when its key_id is a conformance key;
//   - subject_pith_number := the given subject (when the document has one as a string);
//   - content_sha256 and event_id := the document's content hash;
//   - signature.signature_b64 := a signature over that hash when signature.key_id is a conformance
//     key (specs/vectors/README.md: the seed of key NAME is sha256("pith-merge conformance key NAME")).
// Everything else stays as mutated, so every later check (payload, receipt binding, references,
// key bindings, rotation, equivocation, state building) sees arbitrary content.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "pith/codec.h"
#include "pith/ed25519.h"
#include "pith/hash.h"
#include "pith/identity.h"
#include "pith/json.h"
#include "pith/keys.h"

namespace pith::fuzz {

// The public entries of every conformance test key of specs/vectors (notes left out).
inline constexpr std::string_view kConformanceKeyEntries = R"([
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"NSLOP6A5CSK6TBMAQ2KP3UWNYY","fingerprint_sha256_hex":"6c96e7f81d1495e985808694fdd2cdc6","format":"raw","key_id":"conformance-registry","public_key_b64":"Z6p44K1tj3+AYyZCGI+MHNX8ovGxDWdI0yqRtmtHYnU=","public_key_hex":"67aa78e0ad6d8f7f80632642188f8c1cd5fca2f1b10d6748d32a91b66b476275","rotates_at":null},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"C6DGV4SNXD2YF2VL75Q3EAUHAK","fingerprint_sha256_hex":"17866af24db8f582eaabff61b2028702","format":"raw","key_id":"conformance-alice","public_key_b64":"juhJ+Kd3idAUP8uL9yxrOJ/9KBQ6DJC7wq0AGM3xYmk=","public_key_hex":"8ee849f8a77789d0143fcb8bf72c6b389ffd28143a0c90bbc2ad0018cdf16269","rotates_at":null,"signer_id":"orcid:0000-0002-1825-0097","signer_type":"author"},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"FS7Q4NSNDTC7PP6A3Z7XZEYQG7","fingerprint_sha256_hex":"2cbf0e364d1cc5f7bfc0de7f7c931037","format":"raw","key_id":"conformance-bob","public_key_b64":"M7tvtFz4lIOm7EdtDepPuYJS4gYZr9jn+a/xbYfdfrQ=","public_key_hex":"33bb6fb45cf89483a6ec476d0dea4fb98252e20619afd8e7f9aff16d87dd7eb4","rotates_at":null},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"354XBKAXSU7AJKFS3I3R5DC3MB","fingerprint_sha256_hex":"df7970a817953e04a8b2da371e8c5b60","format":"raw","key_id":"conformance-carol","public_key_b64":"kUy+KMm7kDkZ09dlFhCymPI4CCP14FnlHwV7AyaJraM=","public_key_hex":"914cbe28c9bb903919d3d7651610b298f2380823f5e059e51f057b032689ada3","rotates_at":null},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"CXYWYMT3HXPOGZLB5VVDCM2MBV","fingerprint_sha256_hex":"15f16c327b3ddee36561ed6a31334c0d","format":"raw","key_id":"conformance-tsa","public_key_b64":"Lpb9lQ32Hol0MQf63FWzkbJDVa/A4LGzi/xxg9C63vs=","public_key_hex":"2e96fd950df61e89743107fadc55b391b24355afc0e0b1b38bfc7183d0badefb","rotates_at":null},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"42EHIYLEDKKLHZRBOCBJPUSUXB","fingerprint_sha256_hex":"e6887461641a94b3e621708297d254b8","format":"raw","key_id":"conformance-store","public_key_b64":"njDepHfBCvWUk+j9VvDD8Lv0GjbvPYLRD2DVHCanUtU=","public_key_hex":"9e30dea477c10af59493e8fd56f0c3f0bbf41a36ef3d82d10f60d51c26a752d5","rotates_at":null},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"KIGOKNE6EVAAKDJHJCOS5RSESG","fingerprint_sha256_hex":"520ce5349e2540050d27489d2ec64491","format":"raw","key_id":"conformance-mirror","public_key_b64":"QeQr3uWA1SrsbG7izU0mmS4kVYifcYFdWrhc4XLy3Zk=","public_key_hex":"41e42bdee580d52aec6c6ee2cd4d26992e2455889f71815d5ab85ce172f2dd99","rotates_at":null},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"CRYFBUJ3SBFNNVNRJASM3FYJG6","fingerprint_sha256_hex":"147050d13b904ad6d5b14824cd970937","format":"raw","key_id":"conformance-old","public_key_b64":"AH3nAT1ZXcxK8QVk2cC3sXMSZX+cNHKnqeQ5Fu9i2c4=","public_key_hex":"007de7013d595dcc4af10564d9c0b7b17312657f9c3472a7a9e43916ef62d9ce","rotates_at":"2026-01-01T00:10:00Z"},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"V7V55A3ADFDLWYLE2B66PFRIBS","fingerprint_sha256_hex":"afebde83601946bb6164d07de796280c","format":"raw","key_id":"conformance-registry-2","public_key_b64":"2VCXjJDBtFVBlrXPwqi2poJfkvDGifIZJ6BT9eGed18=","public_key_hex":"d950978c90c1b4554196b5cfc2a8b6a6825f92f0c689f21927a053f5e19e775f","rotates_at":null,"signer_id":"registry.conformance.example","signer_type":"pith_registry"},
{"algorithm":"ed25519","fingerprint_sha256_b32_first128bits":"3V2IQK3SIX32OYJX4XAF2FPS3Z","fingerprint_sha256_hex":"dd74882b7245f7a76137e5c05d15f2de","format":"raw","key_id":"conformance-alice-2","public_key_b64":"SIh0RYdjbcmacY2JYAFw5Y634ccWLpVvke442YbxDnk=","public_key_hex":"4888744587636dc99a718d89600170e58eb7e1c7162e956f91ee38d986f10e79","rotates_at":null,"signer_id":"orcid:0000-0002-1825-0097"}
])";

// TrustedKeys::Defaults() plus every conformance key (bindings and a rotation included).
inline const TrustedKeys& ConformanceKeys() {
  static const TrustedKeys keys = DefaultsPlus(kConformanceKeyEntries);
  return keys;
}

// The conformance signing keys by key_id, each checked against its public entry.
inline const std::map<std::string, KeyPair, std::less<>>& ConformanceSigningKeys() {
  static const std::map<std::string, KeyPair, std::less<>> keys = [] {
    std::map<std::string, KeyPair, std::less<>> out;
    for (const auto& [key_id, entry] : ConformanceKeys().entries()) {
      std::string_view prefix = "conformance-";
      if (key_id.compare(0, prefix.size(), prefix) != 0) continue;
      KeyPair pair = Ed25519FromSeed(Sha256("pith-merge conformance key " + key_id.substr(prefix.size())));
      if (pair.public_key != entry.key) Fail(__FILE__, __LINE__, "conformance seed does not derive its key", key_id);
      out.emplace(key_id, pair);
    }
    return out;
  }();
  return keys;
}

// base64 of an Ed25519 signature over the digest by conformance key `key_id`, if it is one.
inline std::optional<std::string> SignDigestWith(std::string_view key_id, const Digest& digest) {
  const auto& keys = ConformanceSigningKeys();
  auto it = keys.find(key_id);
  if (it == keys.end()) return std::nullopt;
  Signature sig = Ed25519SignDigest(it->second.secret_key, digest);
  return Base64Encode(sig.data(), sig.size());
}

// A copy of object `obj` with member `key` set to `v`.
inline json::Value With(const json::Value& obj, std::string_view key, json::Value v) {
  std::vector<json::Value::Member> members;
  bool replaced = false;
  for (const auto& m : obj.members()) {
    if (m.first == key) {
      members.emplace_back(m.first, std::move(v));
      replaced = true;
    } else {
      members.push_back(m);
    }
  }
  if (!replaced) members.emplace_back(std::string(key), std::move(v));
  return json::Value::Object(std::move(members));
}

// The record_created step of SealEvent alone.
inline json::Value SealReceipt(const json::Value& doc) {
  if (!doc.is_object()) return doc;
  const std::string* type = doc.FindString("event_type");
  const json::Value* payload = doc.Find("payload");
  if (type == nullptr || *type != "record_created" || payload == nullptr || !payload->is_object()) return doc;
  const json::Value* record = payload->Find("canonical_record");
  if (record == nullptr) return doc;
  Digest digest = Sha256(json::Canonical(*record));
  json::Value hex = json::Value::String(DigestHex(digest));
  json::Value sealed = With(*payload, "canonical_sha256", hex);
  const json::Value* receipt = payload->Find("receipt");
  if (receipt != nullptr && receipt->is_object()) {
    json::Value r = With(*receipt, "canonical_sha256", hex);
    const std::string* key_id = receipt->FindString("key_id");
    if (key_id != nullptr) {
      if (auto sig = SignDigestWith(*key_id, digest)) r = With(r, "signature_b64", json::Value::String(*sig));
    }
    sealed = With(sealed, "receipt", r);
  }
  return With(doc, "payload", sealed);
}

// The pith number of a record_created document's canonical_record, when it can be derived.
inline std::optional<std::string> RecordSubject(const json::Value& doc) {
  if (!doc.is_object()) return std::nullopt;
  const std::string* type = doc.FindString("event_type");
  const json::Value* payload = doc.Find("payload");
  if (type == nullptr || *type != "record_created" || payload == nullptr) return std::nullopt;
  const json::Value* record = payload->Find("canonical_record");
  if (record == nullptr) return std::nullopt;
  auto id = DerivePithNumber(*record);
  if (!id.ok()) return std::nullopt;
  return id->pith_number;
}

// See the top of this file. `subject` may be null (subject_pith_number is then left alone).
inline json::Value SealEvent(const json::Value& doc, const std::string* subject) {
  if (!doc.is_object()) return doc;
  json::Value d = SealReceipt(doc);
  if (subject != nullptr && d.FindString("subject_pith_number") != nullptr) {
    d = With(d, "subject_pith_number", json::Value::String(*subject));
  }
  Digest digest = EventContentDigest(d);
  d = With(d, "content_sha256", json::Value::String(DigestHex(digest)));
  d = With(d, "event_id", json::Value::String(EventIdFromDigest(digest)));
  const json::Value* signature = d.Find("signature");
  if (signature != nullptr && signature->is_object()) {
    const std::string* key_id = signature->FindString("key_id");
    if (key_id != nullptr) {
      if (auto sig = SignDigestWith(*key_id, digest)) {
        d = With(d, "signature", With(*signature, "signature_b64", json::Value::String(*sig)));
      }
    }
  }
  return d;
}

}  // namespace pith::fuzz
