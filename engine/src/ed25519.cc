#include "pith/ed25519.h"

#include <sodium.h>

#include <cstring>

#include "sodium_init.h"

namespace pith {

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }
SecretKey::SecretKey(const SecretKey& other) : bytes_(other.bytes_) {}
SecretKey& SecretKey::operator=(const SecretKey& other) {
  bytes_ = other.bytes_;
  return *this;
}

std::array<uint8_t, 32> SecretKey::Seed() const {
  std::array<uint8_t, 32> seed;
  crypto_sign_ed25519_sk_to_seed(seed.data(), bytes_.data());
  return seed;
}

KeyPair Ed25519Generate() {
  EnsureSodium();
  KeyPair kp;
  crypto_sign_keypair(kp.public_key.data(), kp.secret_key.data());
  return kp;
}

KeyPair Ed25519FromSeed(const std::array<uint8_t, 32>& seed) {
  EnsureSodium();
  KeyPair kp;
  crypto_sign_seed_keypair(kp.public_key.data(), kp.secret_key.data(), seed.data());
  return kp;
}

bool Ed25519Verify(const PublicKey& key, std::string_view message, const Signature& sig) {
  EnsureSodium();
  return crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

Signature Ed25519Sign(const SecretKey& key, std::string_view message) {
  EnsureSodium();
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), key.data());
  return sig;
}

}  // namespace pith
