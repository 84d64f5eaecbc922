// SHA-256 through OpenSSL (it uses the CPU's SHA extensions: about 4x libsodium's speed on this
// project's machines, see tests/bench/RESULTS.md): one-shot digests through EVP, the resumable
// stream through SHA256_CTX, whose midstate can be saved in a layout of our own (hash.h). Both
// compute the same function; tests/hash_test.cc and the seed vectors pin it.
#include <openssl/sha.h>
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

// The stream uses OpenSSL's SHA256_CTX, deprecated in OpenSSL 3 in favour of EVP, whose contexts
// cannot save or resume a midstate. It runs the same block function as the one-shot digest (SHA
// extensions where present): a state's digest hashes megabytes through it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static_assert(sizeof(SHA256_CTX) <= sizeof(std::array<uint8_t, 112>), "the stream's state must hold a SHA256_CTX");

// The context is kept as bytes (hash.h does not include OpenSSL) and copied in and out.
SHA256_CTX Load(const std::array<uint8_t, 112>& raw) {
  SHA256_CTX c;
  std::memcpy(&c, raw.data(), sizeof c);
  return c;
}

void Store(const SHA256_CTX& c, std::array<uint8_t, 112>* raw) { std::memcpy(raw->data(), &c, sizeof c); }

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
  SHA256_CTX c;
  SHA256_Init(&c);
  Store(c, &state_);
}

void Sha256Stream::Update(std::string_view bytes) {
  SHA256_CTX c = Load(state_);
  SHA256_Update(&c, bytes.data(), bytes.size());
  Store(c, &state_);
}

Digest Sha256Stream::Final() const {
  SHA256_CTX c = Load(state_);
  Digest d;
  SHA256_Final(d.data(), &c);
  return d;
}

std::string Sha256Stream::Save() const {
  const SHA256_CTX c = Load(state_);
  std::string out;
  for (SHA_LONG h : c.h) PutBigEndian(h, 4, &out);
  const uint64_t bits = (static_cast<uint64_t>(c.Nh) << 32) | c.Nl;
  PutBigEndian(bits >> 3, 8, &out);
  out.append(reinterpret_cast<const char*>(c.data), c.num);  // the unfinished block, as bytes
  return out;
}

std::optional<Sha256Stream> Sha256Stream::Restore(std::string_view saved) {
  if (saved.size() < 40) return std::nullopt;
  const uint64_t bytes = GetBigEndian(saved.substr(32), 8);
  if (bytes >> 61 || saved.size() != 40 + bytes % 64) return std::nullopt;
  Sha256Stream out;
  SHA256_CTX c = Load(out.state_);
  for (int i = 0; i < 8; ++i) c.h[i] = static_cast<SHA_LONG>(GetBigEndian(saved.substr(4 * static_cast<size_t>(i)), 4));
  const uint64_t bits = bytes << 3;
  c.Nl = static_cast<SHA_LONG>(bits & 0xFFFFFFFFu);
  c.Nh = static_cast<SHA_LONG>(bits >> 32);
  c.num = static_cast<unsigned int>(bytes % 64);
  std::memcpy(c.data, saved.data() + 40, c.num);
  Store(c, &out.state_);
  return out;
}
#pragma GCC diagnostic pop

}  // namespace pith
