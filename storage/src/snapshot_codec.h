// Internal: the byte encodings of a stored snapshot (specs/storage.md). The state is kept split,
// head + join(items, ",") + tail: the `snapshots` value holds everything but the items and the
// tail. The items sit in `state_items` in chunks of kItemsPerChunk (so that appending items
// rewrites one chunk), after their count (so that a write learns it without reading the whole
// snapshot); the tail sits in `state_tail` in pieces (tail_pieces.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pith/event_log.h"

namespace pith::storage_internal {

inline constexpr uint64_t kItemsPerChunk = 64;

inline uint64_t ChunkCount(uint64_t items) { return (items + kItemsPerChunk - 1) / kItemsPerChunk; }

// covers, LP(keyset digest), LP(merge version), LP(head), LP(aux), the tail's size (item_count is
// kept apart, under CountKey, and the tail in pieces: tail_pieces.h).
std::string EncodeSnapshotHeader(const SnapshotHeader& h);
std::optional<SnapshotHeader> DecodeSnapshotHeader(std::string_view in);

// In `state_items`: LP(subject) -> the item count; LP(subject) + chunk number -> a chunk.
std::string CountKey(std::string_view subject);
std::string ChunkKey(std::string_view subject, uint64_t chunk);
// In `state_tail`: LP(subject) + piece id -> a piece of the tail.
std::string TailPieceKey(std::string_view subject, uint64_t id);

// Items [first, first + n) of `items` joined by ','.
std::string JoinItems(const std::vector<std::string>& items, size_t first, size_t n);

}  // namespace pith::storage_internal
