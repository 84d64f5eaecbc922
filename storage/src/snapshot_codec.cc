#include "snapshot_codec.h"

#include "key_layout.h"

namespace pith::storage_internal {
namespace {

void PutBytes(std::string_view b, std::string* out) {
  *out += BigEndian64(b.size());
  out->append(b);
}

bool TakeU64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  *v = ReadBigEndian64(in->substr(0, 8));
  in->remove_prefix(8);
  return true;
}

bool TakeBytes(std::string_view* in, std::string* out) {
  uint64_t n = 0;
  if (!TakeU64(in, &n) || in->size() < n) return false;
  out->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

}  // namespace

std::string EncodeSnapshotHeader(const SnapshotHeader& h) {
  std::string out = BigEndian64(h.covers);
  PutBytes(h.keyset_digest, &out);
  PutBytes(h.merge_version, &out);
  PutBytes(h.head, &out);
  PutBytes(h.aux, &out);
  out += BigEndian64(h.tail_size);
  return out;
}

std::optional<SnapshotHeader> DecodeSnapshotHeader(std::string_view in) {
  SnapshotHeader h;
  if (!TakeU64(&in, &h.covers) || !TakeBytes(&in, &h.keyset_digest) || !TakeBytes(&in, &h.merge_version) ||
      !TakeBytes(&in, &h.head) || !TakeBytes(&in, &h.aux) || !TakeU64(&in, &h.tail_size)) {
    return std::nullopt;
  }
  if (!in.empty()) return std::nullopt;
  return h;
}

std::string CountKey(std::string_view subject) { return SubjectPrefix(subject); }

std::string ChunkKey(std::string_view subject, uint64_t chunk) { return SubjectPrefix(subject) + BigEndian64(chunk); }

std::string TailPieceKey(std::string_view subject, uint64_t id) { return SubjectPrefix(subject) + BigEndian64(id); }

std::string JoinItems(const std::vector<std::string>& items, size_t first, size_t n) {
  std::string out;
  for (size_t i = first; i < first + n && i < items.size(); ++i) {
    if (i > first) out += ',';
    out += items[i];
  }
  return out;
}

}  // namespace pith::storage_internal
