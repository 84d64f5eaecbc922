// Internal: a snapshot's tail kept in pieces (specs/storage.md "Tail pieces"). The tail of a large
// subject is megabytes (its `current` entries) and a step of the incremental merge changes a few
// places in it; stored whole, every append would rewrite all of it. Stored as pieces of about
// kTailPieceBytes under sparse 64-bit ids, an append rewrites only the pieces its splices touch.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pith/event_log.h"
#include "pith/splice.h"

namespace pith::storage_internal {

inline constexpr uint64_t kTailPieceBytes = 64u << 10;
inline constexpr uint64_t kTailIdGap = uint64_t{1} << 32;  // between fresh pieces: room to split
// Every id is below UINT64_MAX (a split stays below the next piece's id, or below UINT64_MAX after
// the last piece), so [0, UINT64_MAX) covers a subject's pieces.

// The pieces of a tail of `size` bytes written afresh (ids kTailIdGap, 2 * kTailIdGap, ...).
std::vector<TailPiece> FreshPieces(uint64_t size);

// A piece to (re)write: id, and its bytes [begin, end) of the new tail.
struct PieceWrite {
  uint64_t id = 0;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct TailRewrite {
  std::vector<PieceWrite> puts;
  std::vector<uint64_t> deletes;  // pieces left empty
};

// What to write when `changes` turned the tail stored as `pieces` into one of `new_size` bytes:
// the pieces the splices touch (a piece grown past twice kTailPieceBytes split under new ids
// between its own and the next piece's), the others left as they are. nullopt when the changes do
// not fit the pieces, no id is left to split a piece, or the pieces have become too many for the
// tail's size: the caller writes the tail afresh.
std::optional<TailRewrite> PlanTailRewrite(const std::vector<TailPiece>& pieces, const std::vector<SpliceBatch>& changes,
                                           uint64_t new_size);

}  // namespace pith::storage_internal
