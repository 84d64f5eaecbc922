// Internal: the per-subject index of the incremental merge (specs/storage.md "Incremental
// appends"): point-lookup entries, keyed relative to the subject, each value starting with the
// generation of the state it belongs to (entries of another generation count as absent).
//
//   "e" + event_id                -> fate, flags, event_type, target, key_id, signer_id: every
//                                    well-formed event (W); flag kHasValidChild: a valid event
//                                    names it as prev_event (so holds the chain position after it)
//   "c" + LP(target) + LP(key_id) -> a valid event with a null prev_event starts this chain
//   "r" + id                      -> a well-formed event names id (prev_event or supersedes) and
//                                    id is not of W (ids of W are never asked about)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "merge_detail.h"

namespace pith::merge_internal {

inline constexpr uint8_t kHasValidChild = 1;

struct IndexedEvent {
  Fate fate = Fate::kInvalid;
  uint8_t flags = 0;
  std::string event_type, target, key_id, signer_id;
};

std::string EventIndexKey(std::string_view event_id);
std::string ChainRootIndexKey(std::string_view target, std::string_view key_id);
std::string RefIndexKey(std::string_view id);

std::string EncodeIndexedEvent(uint64_t generation, const IndexedEvent& e);
std::string EncodeMarker(uint64_t generation);

// What a stored value says for `generation`.
enum class IndexValue { kAbsent, kPresent, kDamaged };
IndexValue DecodeIndexedEvent(const std::optional<std::string>& value, uint64_t generation, IndexedEvent* out);
IndexValue DecodeMarker(const std::optional<std::string>& value, uint64_t generation);

}  // namespace pith::merge_internal
