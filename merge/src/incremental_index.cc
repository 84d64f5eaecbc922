#include "incremental_index.h"

namespace pith::merge_internal {
namespace {

void PutLength(size_t n, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
}

void PutLengthPrefixed(std::string_view s, std::string* out) {
  PutLength(s.size(), out);
  out->append(s);
}

bool TakeLengthPrefixed(std::string_view* in, std::string* out) {
  if (in->size() < 4) return false;
  size_t n = 0;
  for (size_t i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  if (in->size() < n) return false;
  out->assign(in->substr(0, n));
  in->remove_prefix(n);
  return true;
}

std::string Generation(uint64_t g) {
  std::string out;
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((g >> (8 * i)) & 0xFF));
  return out;
}

// Strips the generation: false when the value is absent, short, or of another generation.
bool OfGeneration(const std::optional<std::string>& value, uint64_t generation, std::string_view* rest) {
  if (!value || value->size() < 8) return false;
  std::string g = Generation(generation);
  if (std::string_view(*value).substr(0, 8) != g) return false;
  *rest = std::string_view(*value).substr(8);
  return true;
}

}  // namespace

// (Appended rather than "e" + std::string(...): GCC 12 warns falsely of overlapping copies there.)
std::string EventIndexKey(std::string_view event_id) { return std::string("e").append(event_id); }

std::string ChainRootIndexKey(std::string_view target, std::string_view key_id) {
  std::string key = "c";
  PutLengthPrefixed(target, &key);
  PutLengthPrefixed(key_id, &key);
  return key;
}

std::string RefIndexKey(std::string_view id) { return std::string("r").append(id); }

std::string EncodeIndexedEvent(uint64_t generation, const IndexedEvent& e) {
  std::string out = Generation(generation);
  out.push_back(static_cast<char>(e.fate));
  out.push_back(static_cast<char>(e.flags));
  for (const std::string* s : {&e.event_type, &e.target, &e.key_id, &e.signer_id}) PutLengthPrefixed(*s, &out);
  return out;
}

std::string EncodeMarker(uint64_t generation) { return Generation(generation); }

IndexValue DecodeIndexedEvent(const std::optional<std::string>& value, uint64_t generation, IndexedEvent* out) {
  std::string_view in;
  if (!OfGeneration(value, generation, &in)) return IndexValue::kAbsent;
  if (in.size() < 2 || static_cast<uint8_t>(in[0]) > static_cast<uint8_t>(Fate::kCycle) ||
      static_cast<uint8_t>(in[1]) > kHasValidChild) {
    return IndexValue::kDamaged;
  }
  out->fate = static_cast<Fate>(in[0]);
  out->flags = static_cast<uint8_t>(in[1]);
  in.remove_prefix(2);
  for (std::string* s : {&out->event_type, &out->target, &out->key_id, &out->signer_id}) {
    if (!TakeLengthPrefixed(&in, s)) return IndexValue::kDamaged;
  }
  return in.empty() ? IndexValue::kPresent : IndexValue::kDamaged;
}

IndexValue DecodeMarker(const std::optional<std::string>& value, uint64_t generation) {
  std::string_view in;
  if (!OfGeneration(value, generation, &in)) return IndexValue::kAbsent;
  return in.empty() ? IndexValue::kPresent : IndexValue::kDamaged;
}

}  // namespace pith::merge_internal
