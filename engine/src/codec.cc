// Hex and base64 through libsodium's constant-time codecs; base32, and base64 of public data, by
// hand (they are only encodings).
#include <sodium.h>

#include <array>

#include "pith/codec.h"
#include "sodium_init.h"

namespace pith {

std::string HexEncode(const uint8_t* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

std::optional<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  if (hex.empty()) return Bytes();  // libsodium must not be handed a null buffer
  Bytes out(hex.size() / 2);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != out.size() || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return out;
}

bool IsLowerHex(std::string_view s, size_t bytes) {
  if (s.size() != bytes * 2) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string Base64Encode(const uint8_t* data, size_t size) {
  EnsureSodium();
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

std::optional<Bytes> Base64Decode(std::string_view b64) {
  EnsureSodium();
  if (b64.empty()) return Bytes();
  Bytes out(b64.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size()) {
    return std::nullopt;
  }
  out.resize(len);
  // Reject non-canonical encodings (stray low bits): the bytes must encode back to the input.
  if (Base64Encode(out.data(), out.size()) != b64) return std::nullopt;
  return out;
}

namespace {

// The value of each base64 character, 0xFF for any other byte ('=' included).
constexpr std::array<uint8_t, 256> kBase64Values = [] {
  std::array<uint8_t, 256> v{};
  v.fill(0xFF);
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (uint8_t i = 0; i < 64; ++i) v[static_cast<uint8_t>(kAlphabet[i])] = i;
  return v;
}();

}  // namespace

bool PublicBase64Decode(std::string_view b64, Bytes* out) {
  out->clear();
  if (b64.size() % 4 != 0) return false;
  const size_t padding = b64.empty() ? 0 : b64.ends_with("==") ? 2 : b64.ends_with('=') ? 1 : 0;
  out->reserve(b64.size() / 4 * 3);
  const auto* s = reinterpret_cast<const uint8_t*>(b64.data());
  const size_t whole = b64.size() - (padding == 0 ? 0 : 4);  // quads without padding
  for (size_t i = 0; i < whole; i += 4) {
    const uint8_t a = kBase64Values[s[i]], b = kBase64Values[s[i + 1]], c = kBase64Values[s[i + 2]],
                  d = kBase64Values[s[i + 3]];
    if ((a | b | c | d) & 0x80) return false;
    const uint32_t quad = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    out->push_back(static_cast<uint8_t>(quad >> 16));
    out->push_back(static_cast<uint8_t>(quad >> 8));
    out->push_back(static_cast<uint8_t>(quad));
  }
  if (padding == 0) return true;
  // The last quad: "xy==" (one byte) or "xyz=" (two), the bits past them zero (canonical).
  const uint8_t a = kBase64Values[s[whole]], b = kBase64Values[s[whole + 1]];
  const uint8_t c = padding == 1 ? kBase64Values[s[whole + 2]] : 0;
  if ((a | b | c) & 0x80) return false;
  const uint32_t quad = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6);
  out->push_back(static_cast<uint8_t>(quad >> 16));
  if (padding == 1) {
    out->push_back(static_cast<uint8_t>(quad >> 8));
    return (quad & 0xFF) == 0;
  }
  return (quad & 0xFFFF) == 0;
}

std::string Base32Encode(const uint8_t* data, size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  out.reserve((size + 4) / 5 * 8);
  uint64_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1F]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1F]);
  while (out.size() % 8 != 0) out.push_back('=');
  return out;
}

}  // namespace pith
