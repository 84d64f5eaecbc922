// Byte encodings the format uses: lowercase hex, standard base64 (RFC 4648 section 4, padded)
// and upper-case base32 (RFC 4648 section 6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pith {

using Bytes = std::vector<uint8_t>;

std::string HexEncode(const uint8_t* data, size_t size);
inline std::string HexEncode(const Bytes& b) { return HexEncode(b.data(), b.size()); }
// Lowercase or uppercase hex of even length; nullopt otherwise.
std::optional<Bytes> HexDecode(std::string_view hex);
// True for exactly `bytes`*2 lowercase hex digits (the format's only accepted digest spelling).
bool IsLowerHex(std::string_view s, size_t bytes);

std::string Base64Encode(const uint8_t* data, size_t size);
// Strict: padded, standard alphabet, no whitespace, canonical trailing bits. Constant-time in the
// bytes (libsodium's): for secrets such as key seeds.
std::optional<Bytes> Base64Decode(std::string_view b64);
// Exactly what Base64Decode accepts, decoded by table lookup (its time depends on the bytes): for
// public data only, such as signatures, where it is the faster. `out` gets the bytes.
bool PublicBase64Decode(std::string_view b64, Bytes* out);

// Upper-case RFC 4648 base32 with '=' padding.
std::string Base32Encode(const uint8_t* data, size_t size);

}  // namespace pith
