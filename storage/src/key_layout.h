// Internal: the byte encodings of the store's keys (specs/storage.md). Integers are big-endian so
// that RocksDB's byte order is numeric order; strings are length-prefixed so any bytes may occur.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pith::storage_internal {

inline std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

inline uint64_t ReadBigEndian64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

// 4-byte big-endian length, then the bytes.
inline std::string SubjectPrefix(std::string_view subject) {
  std::string out(4, '\0');
  uint32_t n = static_cast<uint32_t>(subject.size());
  for (int i = 3; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(n & 0xFF);
    n >>= 8;
  }
  out.append(subject);
  return out;
}

// A subject's `subject_log` family holds, at each position, the document's event record (tag 0)
// and, right after it, the log entry (tag 1): LP(subject) + position + tag.
inline constexpr char kRecordTag = '\0';
inline constexpr char kEntryTag = '\1';
inline std::string LogKey(std::string_view prefix, uint64_t position, char tag) {
  std::string key(prefix);
  key += BigEndian64(position);
  key += tag;
  return key;
}

// A `subject_log` key under a subject's prefix of `prefix_size` bytes, read: its position and tag;
// nothing when it is not one (another length, another tag).
struct ParsedLogKey {
  uint64_t position;
  char tag;
};
inline std::optional<ParsedLogKey> ParseLogKey(std::string_view key, size_t prefix_size) {
  if (key.size() != prefix_size + 9 || (key.back() != kRecordTag && key.back() != kEntryTag)) return std::nullopt;
  return ParsedLogKey{ReadBigEndian64(key.substr(prefix_size, 8)), key.back()};
}

// Whether `key` is a log entry's key: LP(subject) + position + kEntryTag.
inline bool IsLogEntryKey(std::string_view key) {
  if (key.size() < 4 + 9 || key.back() != kEntryTag) return false;
  uint64_t length = 0;
  for (size_t i = 0; i < 4; ++i) length = (length << 8) | static_cast<unsigned char>(key[i]);
  return key.size() == 4 + length + 9;
}

}  // namespace pith::storage_internal
