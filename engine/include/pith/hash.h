// SHA-256, the format's one hash function. Everything hashes through here, so the
// implementation behind it can change (by measurement) without touching callers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pith {

using Digest = std::array<uint8_t, 32>;

Digest Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);
std::string DigestHex(const Digest& d);

// SHA-256 fed in pieces, whose midstate can be saved and resumed later (the store keeps the
// midstate after a state's applied ids so that appending one id does not rehash all of them).
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(std::string_view bytes);
  Digest Final() const;  // the digest of everything so far; the stream can go on
  // Implementation-neutral: H0..H7 (big-endian), the byte count (8 bytes, big-endian), then the
  // bytes of the unfinished 64-byte block.
  std::string Save() const;
  static std::optional<Sha256Stream> Restore(std::string_view saved);

 private:
  alignas(8) std::array<uint8_t, 112> state_;  // an OpenSSL SHA256_CTX (hash.cc)
};

}  // namespace pith
