// The store's tail pieces (storage/src/tail_pieces.h): whatever splices change a tail, rewriting
// the pieces PlanTailRewrite names leaves stored pieces that make exactly the new tail, and the
// pieces it leaves alone are ones no splice touched.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "tail_pieces.h"

namespace pith::storage_internal {
namespace {

std::string RandomBytes(std::mt19937_64& rng, uint64_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

// Non-overlapping splices of a string of `size` bytes (some erase whole pieces, some insert enough
// to split one), and the string they make.
SpliceBatch RandomBatch(std::mt19937_64& rng, uint64_t size) {
  SpliceBatch batch;
  std::vector<uint64_t> cuts;
  const int n = 1 + static_cast<int>(rng() % 5);
  for (int i = 0; i < 2 * n; ++i) cuts.push_back(size == 0 ? 0 : rng() % (size + 1));
  std::sort(cuts.begin(), cuts.end());
  for (int i = 0; i < n; ++i) {
    Splice s;
    s.pos = cuts[2 * i];
    s.erase = rng() % 3 == 0 ? 0 : std::min<uint64_t>(cuts[2 * i + 1] - s.pos, rng() % 4 == 0 ? 400000 : 3000);
    s.inserted = rng() % 3 == 0 ? 0 : (rng() % 8 == 0 ? 300000 : rng() % 3000);
    if (s.erase == 0 && s.inserted == 0) s.inserted = 1;
    // An insertion may not sit strictly inside the previous splice's erased range.
    if (!batch.empty() && s.pos < batch.back().pos + batch.back().erase) continue;
    batch.push_back(s);
  }
  return batch;
}

std::string Apply(const std::string& tail, const SpliceBatch& batch, std::mt19937_64& rng) {
  std::string out = tail;
  SpliceBatch sorted = batch;
  std::sort(sorted.begin(), sorted.end(), [](const Splice& a, const Splice& b) { return a.pos > b.pos; });
  for (const Splice& s : sorted) out.replace(s.pos, s.erase, RandomBytes(rng, s.inserted));
  return out;
}

TEST(TailPiecesTest, FreshPiecesTileTheTail) {
  EXPECT_TRUE(FreshPieces(0).empty());
  for (uint64_t size : {uint64_t{1}, kTailPieceBytes, kTailPieceBytes + 1, 10 * kTailPieceBytes + 7}) {
    uint64_t total = 0, last_id = 0;
    for (const TailPiece& p : FreshPieces(size)) {
      EXPECT_GT(p.size, 0u);
      EXPECT_LE(p.size, kTailPieceBytes);
      EXPECT_GT(p.id, last_id);
      last_id = p.id;
      total += p.size;
    }
    EXPECT_EQ(total, size);
  }
}

TEST(TailPiecesTest, RewritingThePlannedPiecesMakesTheNewTail) {
  std::mt19937_64 rng(20261125);
  int planned = 0, declined = 0;
  uint64_t rewritten_bytes = 0, tail_bytes = 0;
  for (int round = 0; round < 300; ++round) {
    // A stored tail: random piece sizes under ids with random gaps (sometimes too narrow to split).
    std::map<uint64_t, std::string> stored;
    uint64_t id = 1 + rng() % 1000;
    const int piece_count = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < piece_count; ++i) {
      stored[id] = RandomBytes(rng, 1 + rng() % (2 * kTailPieceBytes));
      id += rng() % 4 == 0 ? 1 + rng() % 3 : kTailIdGap;
    }
    std::vector<TailPiece> pieces;
    std::string tail;
    for (const auto& [i, bytes] : stored) {
      pieces.push_back({i, bytes.size()});
      tail += bytes;
    }
    std::vector<SpliceBatch> changes;
    const int batches = 1 + static_cast<int>(rng() % 4);
    for (int b = 0; b < batches; ++b) {
      changes.push_back(RandomBatch(rng, tail.size()));
      tail = Apply(tail, changes.back(), rng);
    }
    auto plan = PlanTailRewrite(pieces, changes, tail.size());
    if (!plan) {
      ++declined;
      continue;
    }
    ++planned;
    for (const PieceWrite& w : plan->puts) {
      ASSERT_LT(w.begin, w.end) << "round " << round;
      ASSERT_LE(w.end, tail.size());
      stored[w.id] = tail.substr(w.begin, w.end - w.begin);
      rewritten_bytes += w.end - w.begin;
    }
    for (uint64_t gone : plan->deletes) ASSERT_EQ(stored.erase(gone), 1u);
    std::string assembled;
    for (const auto& [i, bytes] : stored) assembled += bytes;
    ASSERT_EQ(assembled, tail) << "round " << round;
    tail_bytes += tail.size();
  }
  std::cout << planned << " tails rewritten in place (" << rewritten_bytes * 100 / std::max<uint64_t>(tail_bytes, 1)
            << "% of their bytes), " << declined << " declined (written afresh)\n";
  EXPECT_GT(planned, 200);
  EXPECT_LT(rewritten_bytes, tail_bytes);  // not every piece, every time
}

TEST(TailPiecesTest, SmallChangesRewriteTheirPiecesOnly) {
  const std::vector<TailPiece> pieces = {{10, 100}, {20, 100}};
  EXPECT_FALSE(PlanTailRewrite({}, {{{0, 0, 5}}}, 5).has_value());            // nothing stored
  EXPECT_FALSE(PlanTailRewrite(pieces, {{{150, 100, 0}}}, 100).has_value());  // past the end
  EXPECT_FALSE(PlanTailRewrite(pieces, {{{0, 0, 5}}}, 200).has_value());      // sizes do not add up
  EXPECT_FALSE(PlanTailRewrite({{20, 100}, {10, 100}}, {{{0, 0, 5}}}, 205).has_value());  // ids out of order
  // One small splice rewrites its piece (and, at a boundary, its neighbour), not the others.
  auto plan = PlanTailRewrite({{10, 100}, {20, 100}, {30, 100}}, {{{250, 10, 12}}}, 302);
  ASSERT_TRUE(plan.has_value());
  ASSERT_EQ(plan->puts.size(), 1u);
  EXPECT_EQ(plan->puts[0].id, 30u);
  EXPECT_EQ(plan->puts[0].begin, 200u);
  EXPECT_EQ(plan->puts[0].end, 302u);
  // An insertion exactly at a boundary joins the piece before it; the piece after keeps its bytes.
  plan = PlanTailRewrite({{10, 100}, {20, 100}}, {{{100, 0, 5}}}, 205);
  ASSERT_TRUE(plan.has_value());
  ASSERT_FALSE(plan->puts.empty());
  EXPECT_EQ(plan->puts[0].id, 10u);
  EXPECT_EQ(plan->puts[0].end, 105u);
  // A piece grown past twice the piece size is split under ids between its own and the next one's.
  plan = PlanTailRewrite({{10, 100}, {10 + kTailIdGap, 100}}, {{{50, 0, 3 * kTailPieceBytes}}}, 200 + 3 * kTailPieceBytes);
  ASSERT_TRUE(plan.has_value());
  ASSERT_GE(plan->puts.size(), 4u);
  for (size_t i = 1; i < plan->puts.size(); ++i) EXPECT_GT(plan->puts[i].id, plan->puts[i - 1].id);
  EXPECT_LT(plan->puts.back().id, 10 + kTailIdGap + 1);
  // ... and when no id is left between them, the tail is written afresh.
  EXPECT_FALSE(PlanTailRewrite({{10, 100}, {11, 100}}, {{{50, 0, 3 * kTailPieceBytes}}}, 200 + 3 * kTailPieceBytes));
}

}  // namespace
}  // namespace pith::storage_internal
