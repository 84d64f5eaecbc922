#include <sodium.h>

#include "pith/codec.h"
#include "pith/hash.h"
#include "sodium_init.h"

namespace pith {

Digest Sha256(std::string_view bytes) {
  EnsureSodium();
  Digest d;
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return d;
}

std::string DigestHex(const Digest& d) { return HexEncode(d.data(), d.size()); }

std::string Sha256Hex(std::string_view bytes) { return DigestHex(Sha256(bytes)); }

}  // namespace pith
