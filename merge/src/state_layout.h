// Internal: canon(state) split at its applied ids, the byte offsets in the tail that an incremental
// step rewrites, and the `aux` record (specs/storage.md "Incremental appends") that carries them.
//
// canon(state) sorts members, so applied_event_ids comes first:
//   {"applied_event_ids":[ ITEMS ],"current":{...},...,"state_sha256":"HEX",...}
//   \______ head ______/\_items_/\__________________ tail _______________________/
// The tail starts at the ']' closing applied_event_ids.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pith/hash.h"

namespace pith::merge_internal {

inline constexpr size_t kTypeCount = 9;  // the rows of merge-v1.md section 2, in table order

struct StateLayout {
  // Offsets into the tail. list_open/list_close: the '[' and ']' of each list of `current`
  // (index 0, record_created, is not a list and unused).
  uint64_t list_open[kTypeCount] = {};
  uint64_t list_close[kTypeCount] = {};
  // [begin, end) of the digits of each count.
  uint64_t event_count[2] = {}, valid_event_count[2] = {}, invalid_event_count[2] = {};
  uint64_t invalid_open = 0, invalid_close = 0;  // the '[' and ']' of invalid_events
  uint64_t sha_hex = 0;                          // the first of the 64 hex digits of state_sha256

  template <typename Fn>
  void ForEachOffset(Fn&& fn) {
    for (size_t i = 1; i < kTypeCount; ++i) {
      fn(list_open[i]);
      fn(list_close[i]);
    }
    for (uint64_t* span : {event_count, valid_event_count, invalid_event_count}) {
      fn(span[0]);
      fn(span[1]);
    }
    fn(invalid_open);
    fn(invalid_close);
    fn(sha_hex);
  }
};

// Everything an incremental step needs besides the tail and the index.
struct IncrementalAux {
  uint64_t generation = 0;     // the index entries that belong to this state carry it
  uint64_t applied_count = 0;  // elements of applied_event_ids
  std::string max_created_at;  // the largest (created_at, event_id) of an applied event; "" when none
  std::string max_event_id;
  Sha256Stream after_applied;  // sha256 state after head + the applied elements (joined by ',')
  StateLayout layout;
};

std::string EncodeAux(const IncrementalAux& aux);
std::optional<IncrementalAux> DecodeAux(std::string_view bytes);

// Splits canon(state): the applied elements, the tail, and the layout of the tail. nullopt if the
// bytes are not a state as BuildState writes it.
struct SplitCanonical {
  std::vector<std::string> applied;
  std::string tail;
  StateLayout layout;
};
std::optional<SplitCanonical> SplitState(std::string_view canonical);

// True when `layout` points at the right kind of bytes in `tail` (a cheap guard on stored data).
bool LayoutMatches(const StateLayout& layout, std::string_view tail);

// sha256(canon(state without state_sha256)), from the stream after the applied elements and the tail.
Digest StateDigest(const Sha256Stream& after_applied, std::string_view tail, const StateLayout& layout);

// A byte edit of the tail: replace [pos, pos + erase) with `insert`.
struct TailEdit {
  uint64_t pos = 0;
  uint64_t erase = 0;
  std::string insert;
};
// Applies non-overlapping edits (any order; positions are those before any edit) and moves the
// layout's offsets with them: an offset at or after an edit's end moves by the edit's change in
// length (so an insertion just before a ']' moves the ']').
void ApplyEdits(std::vector<TailEdit> edits, std::string* tail, StateLayout* layout);

}  // namespace pith::merge_internal
