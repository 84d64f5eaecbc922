// Public-key entries (the bundle's `public_keys` format), trusted key sets, and signing-key files.
//
// A key entry is checked whole when read: its base64 and hex forms must name the same 32 bytes and
// both fingerprints must be that key's. A trusted set refuses two different keys under one key_id.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pith/ed25519.h"
#include "pith/json.h"
#include "pith/status.h"

namespace pith {

// hex of the first 16 bytes of sha256(raw public key).
std::string KeyFingerprintHex(const PublicKey& key);
// base32(sha256(raw public key))[:26].
std::string KeyFingerprintB32(const PublicKey& key);

struct PublicKeyEntry {
  std::string key_id;
  PublicKey key{};
  std::string fingerprint_hex;
  std::optional<std::string> rotates_at;   // the key signs nothing created at or after this
  std::optional<std::string> signer_id;    // if present, events under this key must name it
  std::optional<std::string> signer_type;  // likewise
  json::Value raw;                         // every field exactly as received
};

// Validates one `public_keys` entry; kInvalidInput naming the bad field otherwise.
Result<PublicKeyEntry> ParsePublicKeyEntry(const json::Value& entry);
// A fresh entry in the bundle's format for `key`.
json::Value MakePublicKeyEntry(const std::string& key_id, const PublicKey& key,
                               const std::optional<std::string>& signer_id,
                               const std::optional<std::string>& signer_type);

class TrustedKeys {
 public:
  // Adds an entry; the same key again is a no-op, a different key under a known key_id is refused.
  Status Add(const PublicKeyEntry& entry);
  // Adds every entry of a JSON array of entries, of a bundle's `public_keys`, one entry, or the
  // public half of a signing-key file.
  Status AddFromJson(const json::Value& doc);
  const PublicKeyEntry* Find(std::string_view key_id) const;
  const std::map<std::string, PublicKeyEntry, std::less<>>& entries() const { return entries_; }

  // The keys this build trusts by default (specs/keys/, compiled in).
  static TrustedKeys Defaults();

 private:
  std::map<std::string, PublicKeyEntry, std::less<>> entries_;
};

// A signing key as `pith-merge keygen` writes it (mode 0600): the seed and the public entry.
struct SigningKey {
  std::string key_id;
  KeyPair pair;
  json::Value public_entry;
};

Result<SigningKey> ParseSigningKey(const json::Value& doc);
json::Value SigningKeyToJson(const SigningKey& key);
SigningKey MakeSigningKey(const std::string& key_id, const KeyPair& pair,
                          const std::optional<std::string>& signer_id,
                          const std::optional<std::string>& signer_type);

}  // namespace pith
