#include "tail_pieces.h"

#include <limits>

namespace pith::storage_internal {

std::vector<TailPiece> FreshPieces(uint64_t size) {
  std::vector<TailPiece> out;
  for (uint64_t at = 0, id = kTailIdGap; at < size; at += kTailPieceBytes, id += kTailIdGap) {
    out.push_back({id, std::min(kTailPieceBytes, size - at)});
  }
  return out;
}

namespace {

// Where a position of the tail before `batch` is after it. A position inside an erased range
// moves to the end of what replaced it; a position at the end of a splice moves past its inserted
// bytes (an insertion at a piece boundary joins the piece before it). Position 0 stays.
uint64_t MovePosition(uint64_t x, const SpliceBatch& batch) {
  if (x == 0) return 0;
  int64_t delta = 0;
  const Splice* inside = nullptr;
  for (const Splice& s : batch) {
    if (x >= s.pos + s.erase) {
      delta += static_cast<int64_t>(s.inserted) - static_cast<int64_t>(s.erase);
    } else if (x > s.pos) {
      inside = &s;
    }
  }
  const uint64_t from = inside ? inside->pos + inside->inserted : x;
  return static_cast<uint64_t>(static_cast<int64_t>(from) + delta);
}

}  // namespace

std::optional<TailRewrite> PlanTailRewrite(const std::vector<TailPiece>& pieces, const std::vector<SpliceBatch>& changes,
                                           uint64_t new_size) {
  if (pieces.empty()) return std::nullopt;
  const size_t n = pieces.size();
  std::vector<uint64_t> bounds(n + 1, 0);  // piece i is [bounds[i], bounds[i + 1])
  for (size_t i = 0; i < n; ++i) {
    if (pieces[i].size == 0 || (i > 0 && pieces[i].id <= pieces[i - 1].id)) return std::nullopt;
    bounds[i + 1] = bounds[i] + pieces[i].size;
  }
  std::vector<char> touched(n, 0);
  for (const SpliceBatch& batch : changes) {
    for (const Splice& s : batch) {
      if (s.pos + s.erase > bounds[n]) return std::nullopt;
      // Every piece whose closed range meets the splice's (a neighbour sharing only a boundary is
      // rewritten too: harmless, and no case is missed).
      for (size_t i = 0; i < n; ++i) {
        if (bounds[i] <= s.pos + s.erase && bounds[i + 1] >= s.pos) touched[i] = 1;
      }
    }
    for (uint64_t& b : bounds) b = MovePosition(b, batch);
    for (size_t i = 0; i < n; ++i) {
      if (bounds[i] > bounds[i + 1]) return std::nullopt;
    }
  }
  if (bounds[n] != new_size) return std::nullopt;
  TailRewrite plan;
  size_t pieces_after = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t begin = bounds[i], end = bounds[i + 1], size = end - begin;
    if (!touched[i]) {
      if (size != pieces[i].size) return std::nullopt;  // an untouched piece cannot change
      ++pieces_after;
      continue;
    }
    if (size == 0) {
      plan.deletes.push_back(pieces[i].id);
      continue;
    }
    const uint64_t parts = size <= 2 * kTailPieceBytes ? 1 : (size + kTailPieceBytes - 1) / kTailPieceBytes;
    const uint64_t next_id = i + 1 < n ? pieces[i + 1].id : std::numeric_limits<uint64_t>::max();
    const uint64_t step = (next_id - pieces[i].id) / parts;
    if (step == 0) return std::nullopt;
    for (uint64_t k = 0; k < parts; ++k) {
      const uint64_t part_begin = begin + k * size / parts, part_end = begin + (k + 1) * size / parts;
      plan.puts.push_back({pieces[i].id + k * step, part_begin, part_end});
    }
    pieces_after += parts;
  }
  // Removals can leave many small pieces; past four times what a fresh write makes, start afresh.
  if (pieces_after > 4 * (new_size / kTailPieceBytes + 1)) return std::nullopt;
  return plan;
}

}  // namespace pith::storage_internal
