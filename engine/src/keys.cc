#include "pith/keys.h"

#include <sodium.h>

#include "default_keys.h"
#include "pith/codec.h"
#include "pith/hash.h"
#include "pith/timestamp.h"

namespace pith {
namespace {

std::string_view AsChars(const PublicKey& key) {
  return std::string_view(reinterpret_cast<const char*>(key.data()), key.size());
}

Status Bad(std::string_view what) { return Status::InvalidInput(std::string("public key entry: ") + std::string(what)); }

const std::string* OptionalString(const json::Value& entry, std::string_view field, Status* error) {
  const json::Value* v = entry.Find(field);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_string()) *error = Bad(std::string(field) + " is not a string");
  return v->is_string() ? &v->text() : nullptr;
}

}  // namespace

std::string KeyFingerprintHex(const PublicKey& key) {
  Digest d = Sha256(AsChars(key));
  return HexEncode(d.data(), 16);
}

std::string KeyFingerprintB32(const PublicKey& key) {
  Digest d = Sha256(AsChars(key));
  return Base32Encode(d.data(), d.size()).substr(0, 26);
}

Result<PublicKeyEntry> ParsePublicKeyEntry(const json::Value& entry) {
  if (!entry.is_object()) return Bad("not a JSON object");
  PublicKeyEntry out;
  const std::string* key_id = entry.FindString("key_id");
  if (key_id == nullptr || key_id->empty()) return Bad("key_id is missing or not a non-empty string");
  out.key_id = *key_id;
  auto bad = [&](std::string_view what) { return Bad("key " + out.key_id + ": " + std::string(what)); };
  const std::string* algorithm = entry.FindString("algorithm");
  if (algorithm == nullptr || *algorithm != "ed25519") return bad("algorithm must be \"ed25519\"");
  if (const json::Value* format = entry.Find("format"); format != nullptr && !(format->is_string() && format->text() == "raw")) {
    return bad("format must be \"raw\"");
  }
  const std::string* b64 = entry.FindString("public_key_b64");
  if (b64 == nullptr) return bad("public_key_b64 is missing");
  auto raw = Base64Decode(*b64);
  if (!raw || raw->size() != 32) return bad("public_key_b64 is not 32 bytes of standard base64");
  std::copy(raw->begin(), raw->end(), out.key.begin());
  if (const json::Value* hex = entry.Find("public_key_hex"); hex != nullptr) {
    if (!hex->is_string() || hex->text() != HexEncode(raw->data(), raw->size())) {
      return bad("public_key_hex does not match public_key_b64");
    }
  }
  const std::string* fp_hex = entry.FindString("fingerprint_sha256_hex");
  out.fingerprint_hex = KeyFingerprintHex(out.key);
  if (fp_hex == nullptr) return bad("fingerprint_sha256_hex is missing");
  if (*fp_hex != out.fingerprint_hex) return bad("fingerprint_sha256_hex does not match the key");
  if (const json::Value* fp_b32 = entry.Find("fingerprint_sha256_b32_first128bits"); fp_b32 != nullptr) {
    if (!fp_b32->is_string() || fp_b32->text() != KeyFingerprintB32(out.key)) {
      return bad("fingerprint_sha256_b32_first128bits does not match the key");
    }
  }
  Status error;
  if (const std::string* r = OptionalString(entry, "rotates_at", &error)) {
    if (!IsEventTimestamp(*r)) return bad("rotates_at is not a YYYY-MM-DDTHH:MM:SSZ timestamp");
    out.rotates_at = *r;
  }
  for (std::string_view binding : {"signer_id", "signer_type"}) {
    const json::Value* v = entry.Find(binding);
    if (v == nullptr) continue;
    if (!v->is_string()) return bad(std::string(binding) + " must be a string when present");
    (binding == "signer_id" ? out.signer_id : out.signer_type) = v->text();
  }
  if (!error.ok()) return error;
  out.raw = entry;
  return out;
}

json::Value MakePublicKeyEntry(const std::string& key_id, const PublicKey& key,
                               const std::optional<std::string>& signer_id,
                               const std::optional<std::string>& signer_type) {
  using json::Value;
  std::vector<Value::Member> m = {
      {"key_id", Value::String(key_id)},
      {"algorithm", Value::String("ed25519")},
      {"format", Value::String("raw")},
      {"public_key_b64", Value::String(Base64Encode(key.data(), key.size()))},
      {"public_key_hex", Value::String(HexEncode(key.data(), key.size()))},
      {"fingerprint_sha256_b32_first128bits", Value::String(KeyFingerprintB32(key))},
      {"fingerprint_sha256_hex", Value::String(KeyFingerprintHex(key))},
      {"rotates_at", Value::Null()},
  };
  if (signer_id) m.emplace_back("signer_id", Value::String(*signer_id));
  if (signer_type) m.emplace_back("signer_type", Value::String(*signer_type));
  return Value::Object(std::move(m));
}

Status TrustedKeys::Add(const PublicKeyEntry& entry) {
  auto it = entries_.find(entry.key_id);
  if (it == entries_.end()) {
    entries_.emplace(entry.key_id, entry);
    return Status::OK();
  }
  // Two entries under one key_id must be the same entry: otherwise which one counted (its
  // rotates_at, its signer binding) would depend on the order keys were given in.
  if (json::Canonical(it->second.raw) != json::Canonical(entry.raw)) {
    return Status::InvalidInput("two different entries are named \"" + entry.key_id + "\"");
  }
  return Status::OK();
}

Status TrustedKeys::AddFromJson(const json::Value& doc) {
  if (doc.is_array()) {
    for (const json::Value& item : doc.items()) {
      auto entry = ParsePublicKeyEntry(item);
      if (!entry.ok()) return entry.status();
      PITH_RETURN_IF_ERROR(Add(*entry));
    }
    return Status::OK();
  }
  if (const json::Value* keys = doc.Find("public_keys"); keys != nullptr && keys->is_array()) {
    return AddFromJson(*keys);
  }
  // A signing-key file (pith-merge keygen): trust its public half.
  const std::string* type = doc.FindString("key_type");
  if (type != nullptr && *type == "pith_ed25519_signing_key" && doc.Find("public_key") != nullptr) {
    return AddFromJson(*doc.Find("public_key"));
  }
  auto entry = ParsePublicKeyEntry(doc);
  if (!entry.ok()) return entry.status();
  return Add(*entry);
}

const PublicKeyEntry* TrustedKeys::Find(std::string_view key_id) const {
  auto it = entries_.find(key_id);
  return it == entries_.end() ? nullptr : &it->second;
}

TrustedKeys TrustedKeys::Defaults() {
  TrustedKeys keys;
  for (const char* text : internal::kDefaultKeyDocuments) {
    auto doc = json::Parse(text);
    // The defaults are checked by tests at build time; a bad one is a broken build.
    if (!doc.ok() || !keys.AddFromJson(*doc).ok()) std::abort();
  }
  return keys;
}

Result<SigningKey> ParseSigningKey(const json::Value& doc) {
  const std::string* type = doc.FindString("key_type");
  if (type == nullptr || *type != "pith_ed25519_signing_key") {
    return Status::InvalidInput("not a pith-merge signing key (key_type must be \"pith_ed25519_signing_key\")");
  }
  const std::string* seed_b64 = doc.FindString("seed_b64");
  auto seed = seed_b64 ? Base64Decode(*seed_b64) : std::nullopt;
  if (!seed || seed->size() != 32) return Status::InvalidInput("signing key: seed_b64 is not 32 bytes of base64");
  const json::Value* pub = doc.Find("public_key");
  if (pub == nullptr) return Status::InvalidInput("signing key: public_key is missing");
  auto entry = ParsePublicKeyEntry(*pub);
  if (!entry.ok()) return entry.status();
  std::array<uint8_t, 32> seed_arr;
  std::copy(seed->begin(), seed->end(), seed_arr.begin());
  sodium_memzero(seed->data(), seed->size());
  SigningKey key;
  key.pair = Ed25519FromSeed(seed_arr);
  sodium_memzero(seed_arr.data(), seed_arr.size());
  if (key.pair.public_key != entry->key) {
    return Status::InvalidInput("signing key: the seed does not derive the public key it names");
  }
  key.key_id = entry->key_id;
  key.public_entry = *pub;
  return key;
}

json::Value SigningKeyToJson(const SigningKey& key) {
  auto seed = key.pair.secret_key.Seed();
  json::Value out = json::Value::Object({
      {"key_type", json::Value::String("pith_ed25519_signing_key")},
      {"seed_b64", json::Value::String(Base64Encode(seed.data(), seed.size()))},
      {"public_key", key.public_entry},
  });
  sodium_memzero(seed.data(), seed.size());
  return out;
}

SigningKey MakeSigningKey(const std::string& key_id, const KeyPair& pair,
                          const std::optional<std::string>& signer_id,
                          const std::optional<std::string>& signer_type) {
  SigningKey key;
  key.key_id = key_id;
  key.pair = pair;
  key.public_entry = MakePublicKeyEntry(key_id, pair.public_key, signer_id, signer_type);
  return key;
}

}  // namespace pith
