// SHA-256: one-shot digests through OpenSSL's EVP (it uses the CPU's SHA extensions: about 4x
// libsodium's speed on this project's machines, see tests/bench/RESULTS.md); the resumable stream
// through libsodium, whose state layout is documented. Both compute the same function, and the
// seed vectors pin it.
#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>
#include <memory>

#include "pith/codec.h"
#include "pith/hash.h"
#include "sodium_init.h"

namespace pith {

namespace {

// The SHA-256 implementation, fetched once (a fetch per call costs more than hashing an event).
const EVP_MD* OpenSslSha256() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct ContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

Digest Sha256(std::string_view bytes) {
  Digest d;
  thread_local std::unique_ptr<EVP_MD_CTX, ContextFree> ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  const EVP_MD* md = OpenSslSha256();
  if (md != nullptr && ctx != nullptr && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1 &&
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 && EVP_DigestFinal_ex(ctx.get(), d.data(), &len) == 1 &&
      len == d.size()) {
    return d;
  }
  // OpenSSL unusable (no default provider): libsodium computes the same digest.
  EnsureSodium();
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return d;
}

std::string DigestHex(const Digest& d) { return HexEncode(d.data(), d.size()); }

std::string Sha256Hex(std::string_view bytes) { return DigestHex(Sha256(bytes)); }

namespace {

static_assert(sizeof(crypto_hash_sha256_state) == 104, "libsodium's SHA-256 state is H[8], a bit count, a block");

crypto_hash_sha256_state Load(const std::array<uint8_t, 104>& raw) {
  crypto_hash_sha256_state s;
  std::memcpy(&s, raw.data(), sizeof s);
  return s;
}

void Store(const crypto_hash_sha256_state& s, std::array<uint8_t, 104>* raw) { std::memcpy(raw->data(), &s, sizeof s); }

void PutBigEndian(uint64_t v, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t GetBigEndian(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[static_cast<size_t>(i)]);
  return v;
}

}  // namespace

Sha256Stream::Sha256Stream() {
  EnsureSodium();
  crypto_hash_sha256_state s;
  crypto_hash_sha256_init(&s);
  Store(s, &state_);
}

void Sha256Stream::Update(std::string_view bytes) {
  crypto_hash_sha256_state s = Load(state_);
  crypto_hash_sha256_update(&s, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  Store(s, &state_);
}

Digest Sha256Stream::Final() const {
  crypto_hash_sha256_state s = Load(state_);
  Digest d;
  crypto_hash_sha256_final(&s, d.data());
  return d;
}

std::string Sha256Stream::Save() const {
  crypto_hash_sha256_state s = Load(state_);
  std::string out;
  for (uint32_t h : s.state) PutBigEndian(h, 4, &out);
  const uint64_t bytes = s.count >> 3;  // libsodium counts bits
  PutBigEndian(bytes, 8, &out);
  out.append(reinterpret_cast<const char*>(s.buf), bytes % 64);
  return out;
}

std::optional<Sha256Stream> Sha256Stream::Restore(std::string_view saved) {
  if (saved.size() < 40) return std::nullopt;
  crypto_hash_sha256_state s;
  std::memset(&s, 0, sizeof s);
  for (int i = 0; i < 8; ++i) s.state[i] = static_cast<uint32_t>(GetBigEndian(saved.substr(4 * static_cast<size_t>(i)), 4));
  const uint64_t bytes = GetBigEndian(saved.substr(32), 8);
  if (bytes >> 61 || saved.size() != 40 + bytes % 64) return std::nullopt;
  s.count = bytes << 3;
  std::memcpy(s.buf, saved.data() + 40, bytes % 64);
  Sha256Stream out;
  Store(s, &out.state_);
  return out;
}

}  // namespace pith
