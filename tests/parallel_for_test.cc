// pith/parallel_for.h: every index is handled exactly once whatever the thread count, and
// OrderedParallelFor emits in index order, never more than `window` items ahead, and stops when
// asked. Run under ThreadSanitizer too (the tsan preset).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "pith/parallel_for.h"

namespace pith {
namespace {

TEST(ParallelFor, EveryIndexOnceWhateverTheThreadsAndGrain) {
  for (unsigned threads : {0u, 1u, 2u, 3u, 8u}) {
    for (size_t grain : {1u, 16u, 1000u}) {
      std::vector<std::atomic<int>> hits(1000);
      ParallelFor(hits.size(), threads, [&](size_t i) { hits[i].fetch_add(1); }, grain);
      for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), 1) << i << " threads " << threads;
    }
  }
}

TEST(ParallelFor, OrderedEmitsInOrderWithinTheWindow) {
  for (unsigned threads : {1u, 2u, 4u, 8u}) {
    for (size_t window : {1u, 3u, 64u}) {
      const size_t n = 500;
      std::vector<size_t> results(n, 0), emitted;
      std::mutex mutex;
      size_t started = 0, last_emitted = 0;
      bool ahead_ok = true;
      bool ok = OrderedParallelFor(
          n, threads, window,
          [&](size_t i) {
            {
              std::lock_guard<std::mutex> lock(mutex);
              ++started;
              if (i >= last_emitted + window) ahead_ok = false;  // computed too far ahead
            }
            results[i] = i * i + 1;
          },
          [&](size_t i) {
            EXPECT_EQ(results[i], i * i + 1);  // compute(i) happened before emit(i)
            emitted.push_back(i);
            std::lock_guard<std::mutex> lock(mutex);
            last_emitted = i + 1;
            return true;
          });
      EXPECT_TRUE(ok);
      EXPECT_TRUE(ahead_ok) << "threads " << threads << " window " << window;
      EXPECT_EQ(started, n);
      ASSERT_EQ(emitted.size(), n);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(emitted[i], i);
    }
  }
}

TEST(ParallelFor, OrderedStopsWhenEmitSaysSo) {
  for (unsigned threads : {1u, 2u, 4u}) {
    std::atomic<size_t> computed{0};
    size_t emitted = 0;
    bool ok = OrderedParallelFor(
        10000, threads, 8, [&](size_t) { computed.fetch_add(1); },
        [&](size_t i) {
          ++emitted;
          return i < 9;
        });
    EXPECT_FALSE(ok);
    EXPECT_EQ(emitted, 10u);
    EXPECT_LE(computed.load(), 10u + 8u);  // nothing started past the window after the stop
  }
}

}  // namespace
}  // namespace pith
