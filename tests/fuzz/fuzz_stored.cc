// Fuzz target: the decoders of what a store keeps beside its log (specs/storage.md), which a
// damaged disk can hand back as any bytes, and the tail-piece arithmetic.
//
// The first byte picks what the rest is:
//   0: a snapshot header (storage/src/snapshot_codec.h): decoding never crashes, and what decodes
//      encodes back to the same bytes;
//   1: an incremental form (pith/merge_incremental.h): its applied count (1 byte), the size of
//      aux (2 bytes, big-endian), aux, the tail. Resume never crashes, and a resumed form finishes
//      with its state_sha256 rewritten in place (same length);
//   2: stored tail pieces and splices (storage/src/tail_pieces.h): PlanTailRewrite either declines
//      or names pieces whose rewrite makes exactly the spliced tail.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "pith/merge_incremental.h"
#include "snapshot_codec.h"
#include "tail_pieces.h"

namespace {

using pith::fuzz::AsView;

// Reads little numbers off the input; zeros once it is used up.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t Next(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | (at_ < size_ ? data_[at_++] : 0);
    return v;
  }
  bool done() const { return at_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t at_ = 0;
};

void Header(std::string_view bytes) {
  auto header = pith::storage_internal::DecodeSnapshotHeader(bytes);
  if (!header) return;
  PITH_FUZZ_CHECK(pith::storage_internal::EncodeSnapshotHeader(*header) == bytes);
}

void IncrementalForm(std::string_view bytes, uint64_t applied) {
  if (bytes.size() < 2) return;
  const size_t aux_size = std::min<size_t>((static_cast<uint8_t>(bytes[0]) << 8 | static_cast<uint8_t>(bytes[1])),
                                           bytes.size() - 2);
  const std::string_view aux = bytes.substr(2, aux_size);
  const std::string tail(bytes.substr(2 + aux_size));
  auto merge = pith::IncrementalMerge::Resume(applied, tail, aux, [](std::string_view) {
    return pith::Result<std::optional<std::string>>(std::optional<std::string>());
  });
  if (!merge) return;
  pith::SplitState split = merge->Finish();
  PITH_FUZZ_CHECK(split.tail.size() == tail.size());
  PITH_FUZZ_CHECK(split.tail_changes.size() == 1);
}

void TailPieces(Reader in) {
  using pith::storage_internal::kTailIdGap;
  std::map<uint64_t, std::string> stored;
  std::vector<pith::TailPiece> pieces;
  std::string tail;
  uint64_t id = 1 + in.Next(1);
  const int count = 1 + static_cast<int>(in.Next(1) % 8);
  for (int i = 0; i < count; ++i) {
    const uint64_t size = 1 + in.Next(3) % (3 * pith::storage_internal::kTailPieceBytes);
    std::string bytes(size, static_cast<char>('a' + i));
    pieces.push_back({id, size});
    tail += bytes;
    stored[id] = std::move(bytes);
    id += in.Next(1) % 2 == 0 ? kTailIdGap : 1 + in.Next(1) % 4;
  }
  std::vector<pith::SpliceBatch> changes;
  const int batches = 1 + static_cast<int>(in.Next(1) % 3);
  for (int b = 0; b < batches && !in.done(); ++b) {
    pith::SpliceBatch batch;
    uint64_t floor = 0;  // splices in order, none overlapping
    const int n = 1 + static_cast<int>(in.Next(1) % 4);
    for (int k = 0; k < n; ++k) {
      if (floor > tail.size()) break;
      pith::Splice s;
      s.pos = floor + in.Next(3) % (tail.size() - floor + 1);
      s.erase = std::min<uint64_t>(in.Next(3) % (2 * pith::storage_internal::kTailPieceBytes), tail.size() - s.pos);
      s.inserted = in.Next(3) % (3 * pith::storage_internal::kTailPieceBytes);
      batch.push_back(s);
      floor = s.pos + s.erase + 1;
    }
    std::string next = tail;
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
      next.replace(it->pos, it->erase, std::string(it->inserted, static_cast<char>('A' + b)));
    }
    tail = std::move(next);
    changes.push_back(std::move(batch));
  }
  auto plan = pith::storage_internal::PlanTailRewrite(pieces, changes, tail.size());
  if (!plan) return;
  for (const auto& w : plan->puts) {
    PITH_FUZZ_CHECK(w.begin < w.end && w.end <= tail.size());
    stored[w.id] = tail.substr(w.begin, w.end - w.begin);
  }
  for (uint64_t gone : plan->deletes) PITH_FUZZ_CHECK(stored.erase(gone) == 1);
  std::string assembled;
  for (const auto& [piece_id, bytes] : stored) {
    PITH_FUZZ_CHECK(piece_id < UINT64_MAX && !bytes.empty());
    assembled += bytes;
  }
  PITH_FUZZ_CHECK(assembled == tail);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest = AsView(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: Header(rest); break;
    case 1: IncrementalForm(rest.substr(std::min<size_t>(rest.size(), 1)), rest.empty() ? 0 : static_cast<uint8_t>(rest[0])); break;
    default: TailPieces(Reader(data + 1, size - 1)); break;
  }
  return 0;
}
