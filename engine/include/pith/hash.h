// SHA-256, the format's one hash function. Everything hashes through here, so the
// implementation behind it can change (by measurement) without touching callers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pith {

using Digest = std::array<uint8_t, 32>;

Digest Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);
std::string DigestHex(const Digest& d);

}  // namespace pith
