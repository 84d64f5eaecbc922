// pith/parallel_for.h: every index is handled exactly once whatever the thread count, and
// OrderedParallelFor emits in index order, never more than `window` items ahead, and stops when
// asked; an exception in the work reaches the caller, and a thread that cannot start leaves the work
// to the others. Run under ThreadSanitizer too (the tsan preset).
#include <gtest/gtest.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <string>
#include <thread>
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

// An exception thrown by the work (std::bad_alloc, say) must reach the caller, not terminate the
// process from a worker thread, and no further item may start once it is thrown.
TEST(ParallelFor, AnExceptionReachesTheCallerAndStopsTheLoop) {
  for (unsigned threads : {1u, 2u, 4u}) {
    for (size_t grain : {1u, 16u}) {
      const size_t n = 20000;
      std::vector<std::atomic<int>> hits(n);
      try {
        ParallelFor(
            n, threads,
            [&](size_t i) {
              hits[i].fetch_add(1);
              if (i == 0) throw std::runtime_error("item 0 failed");
              std::this_thread::sleep_for(std::chrono::microseconds(50));
            },
            grain);
        ADD_FAILURE() << "no exception, threads " << threads;
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "item 0 failed");
      }
      size_t ran = 0;
      for (auto& h : hits) {
        ASSERT_LE(h.load(), 1);
        ran += h.load();
      }
      EXPECT_LT(ran, n / 4) << "threads " << threads << " grain " << grain;  // the loop stopped
    }
  }
}

TEST(ParallelFor, OrderedRethrowsFromComputeOrEmit) {
  for (unsigned threads : {1u, 2u, 4u}) {
    for (bool from_emit : {false, true}) {
      const size_t n = 20000, window = 8;
      std::atomic<size_t> computed{0};
      size_t emitted = 0;
      try {
        OrderedParallelFor(
            n, threads, window,
            [&](size_t i) {
              computed.fetch_add(1);
              if (!from_emit && i == 5) throw std::runtime_error("compute 5");
            },
            [&](size_t i) {
              if (from_emit && i == 5) throw std::runtime_error("emit 5");
              ++emitted;
              return true;
            });
        ADD_FAILURE() << "no exception, threads " << threads;
      } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), from_emit ? "emit 5" : "compute 5");
      }
      // Items before the failing one, in order; a failing compute may stop the emits sooner (item 4
      // can still be in flight when item 5 throws), a failing emit stops them exactly there.
      if (from_emit) {
        EXPECT_EQ(emitted, 5u) << "threads " << threads;
      } else {
        EXPECT_LE(emitted, 5u) << "threads " << threads;
      }
      EXPECT_LE(computed.load(), 5u + window + 1) << "threads " << threads;
    }
  }
}

// With no room left for a thread's stack, std::thread throws: the loops then run on the threads
// they could start (here only the caller's) and still handle every index once, in order. Run in
// a child process started afresh (glibc would otherwise reuse the stacks of the threads earlier
// tests joined), whose address space is capped half a thread stack above what it already maps.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define PITH_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PITH_TEST_SANITIZED 1
#endif
TEST(ParallelFor, RunsOnTheCallerWhenNoThreadCanStart) {
#if defined(PITH_TEST_SANITIZED)
  GTEST_SKIP() << "a sanitizer's shadow memory does not fit under an address-space cap";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const size_t n = 1000;
        std::vector<std::atomic<int>> hits(n);
        std::vector<size_t> order;
        order.reserve(n);
        long pages = 0;
        if (FILE* f = std::fopen("/proc/self/statm", "r")) {
          if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
          std::fclose(f);
        }
        if (pages == 0) std::_Exit(3);
        pthread_attr_t attr;
        size_t stack = 0;
        if (pthread_getattr_default_np(&attr) != 0) std::_Exit(9);
        if (pthread_attr_getstacksize(&attr, &stack) != 0 || stack == 0) std::_Exit(10);
        pthread_attr_destroy(&attr);
        rlimit cap{};  // what is mapped now and half a thread's stack
        cap.rlim_cur = cap.rlim_max = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + stack / 2;
        if (setrlimit(RLIMIT_AS, &cap) != 0) std::_Exit(4);
        try {
          std::thread t([] {});
          t.join();
          std::_Exit(5);  // a thread still starts: the cap did not bite, nothing was tested
        } catch (const std::system_error&) {
        }
        ParallelFor(n, 4, [&](size_t i) { hits[i].fetch_add(1); }, 1);
        bool ok = OrderedParallelFor(
            n, 4, 8, [&](size_t i) { hits[i].fetch_add(1); },
            [&](size_t i) {
              order.push_back(i);
              return true;
            });
        if (AsyncOrDeferred([] { return 42; }).get() != 42) std::_Exit(11);  // deferred, run here
        for (size_t i = 0; i < n; ++i) {
          if (hits[i].load() != 2) std::_Exit(6);
          if (order[i] != i) std::_Exit(7);
        }
        std::_Exit(ok ? 0 : 8);
      },
      ::testing::ExitedWithCode(0), "");
#endif
}

}  // namespace
}  // namespace pith
