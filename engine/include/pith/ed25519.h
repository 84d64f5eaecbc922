// Ed25519 signatures through libsodium: verify, sign, generate. Nothing here is hand-rolled.
//
// Verification is libsodium's crypto_sign_verify_detached: it rejects non-canonical S, small-order
// public keys and R, and non-canonical point encodings (see specs/ed25519-edge-cases.md).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "pith/hash.h"

namespace pith {

using PublicKey = std::array<uint8_t, 32>;
using Signature = std::array<uint8_t, 64>;

// A 64-byte libsodium secret key (seed || public key), wiped on destruction, never printed.
class SecretKey {
 public:
  SecretKey() = default;
  ~SecretKey();
  SecretKey(const SecretKey& other);
  SecretKey& operator=(const SecretKey& other);
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  // The 32-byte seed the key was derived from (the first half).
  std::array<uint8_t, 32> Seed() const;

 private:
  std::array<uint8_t, 64> bytes_{};
};

struct KeyPair {
  PublicKey public_key{};
  SecretKey secret_key;
};

KeyPair Ed25519Generate();
KeyPair Ed25519FromSeed(const std::array<uint8_t, 32>& seed);

bool Ed25519Verify(const PublicKey& key, std::string_view message, const Signature& sig);
// The format signs the 32 raw bytes of a SHA-256 digest, never its hex.
inline bool Ed25519VerifyDigest(const PublicKey& key, const Digest& digest, const Signature& sig) {
  return Ed25519Verify(key, std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()), sig);
}

Signature Ed25519Sign(const SecretKey& key, std::string_view message);
inline Signature Ed25519SignDigest(const SecretKey& key, const Digest& digest) {
  return Ed25519Sign(key, std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace pith
