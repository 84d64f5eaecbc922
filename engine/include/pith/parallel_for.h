// Runs fn(i) for i in [0, n) on up to `threads` threads (0 = all cores). Each index is
// handled exactly once; results must be written by index so that order never depends on timing.
//
// Both loops are safe against running out of resources: once the work throws (say std::bad_alloc),
// no further grain of indices starts (ParallelFor) or nothing more is emitted (OrderedParallelFor),
// every worker is joined, and the first exception is rethrown on the calling thread; a thread the
// system refuses to start (std::thread throws std::system_error) leaves the work to the threads
// there are, the caller's always among them.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace pith {

// A thread count as options give it: 0 means all cores (at least one).
inline unsigned ResolveThreads(unsigned threads) {
  return threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
}

// std::async on a thread of its own; when the system refuses one, deferred instead: fn then runs on
// the thread that calls get(). Either way get() gives fn's result (or rethrows its exception).
template <typename Fn>
std::future<std::invoke_result_t<Fn&>> AsyncOrDeferred(Fn fn) {
  try {
    return std::async(std::launch::async, fn);
  } catch (const std::system_error&) {
    return std::async(std::launch::deferred, std::move(fn));
  }
}

namespace parallel_for_internal {

// Starts up to `count` threads running `body`; starts fewer when the system refuses one (no
// thread, or no memory for its stack or its vector slot): the work then runs on fewer threads.
template <typename Body>
void StartThreads(std::vector<std::thread>& pool, size_t count, const Body& body) {
  try {
    pool.reserve(count);
    for (size_t t = 0; t < count; ++t) pool.emplace_back(body);
  } catch (...) {
  }
}

// Keeps the first exception thrown on any thread.
class FirstError {
 public:
  void Keep(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) error_ = std::move(error);
  }
  void RethrowIfAny() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::exception_ptr error_;
};

}  // namespace parallel_for_internal

// `grain` indices are taken at a time: the default suits items of ~50 us (a signature check); use
// 1 for items as large as a whole subject.
template <typename Fn>
void ParallelFor(size_t n, unsigned threads, Fn fn, size_t grain = 16) {
  threads = ResolveThreads(threads);
  const size_t kGrain = std::max<size_t>(1, grain);
  size_t workers = std::min<size_t>(threads, (n + kGrain - 1) / kGrain);
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  parallel_for_internal::FirstError error;
  auto run = [&] {
    try {
      while (!failed.load(std::memory_order_relaxed)) {
        size_t begin = next.fetch_add(kGrain);
        if (begin >= n) return;
        for (size_t i = begin; i < std::min(n, begin + kGrain); ++i) fn(i);
      }
    } catch (...) {
      error.Keep(std::current_exception());
      failed.store(true, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> pool;
  parallel_for_internal::StartThreads(pool, workers - 1, run);
  run();
  for (std::thread& t : pool) t.join();
  error.RethrowIfAny();
}

// Runs compute(i) for i in [0, n) on `threads` worker threads (0 = all cores) and emit(i) on the
// calling thread in index order, each as soon as compute(i) is done, so no worker waits for a
// batch to finish. At most `window` items are computed ahead of the one being emitted (memory stays
// bounded). emit returns false to stop: no further item starts, and the call returns false.
// An exception from compute or emit stops the loop the same way (nothing is emitted after it) and is
// rethrown (see the top), even when emit had already returned false.
template <typename Compute, typename Emit>
bool OrderedParallelFor(size_t n, unsigned threads, size_t window, Compute compute, Emit emit) {
  threads = ResolveThreads(threads);
  window = std::max<size_t>(1, window);
  auto in_order_here = [&] {
    for (size_t i = 0; i < n; ++i) {
      compute(i);
      if (!emit(i)) return false;
    }
    return true;
  };
  if (threads <= 1 || n <= 1) return in_order_here();
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<char> done(n, 0);  // guarded by mutex, as are the four below
  size_t next = 0, emitted = 0;
  bool stop = false, failed = false;
  parallel_for_internal::FirstError error;
  auto fail = [&] {
    error.Keep(std::current_exception());
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = failed = true;
    }
    changed.notify_all();
  };
  auto worker = [&] {
    try {
      for (;;) {
        size_t i;
        {
          std::unique_lock<std::mutex> lock(mutex);
          changed.wait(lock, [&] { return stop || next >= n || next < emitted + window; });
          if (stop || next >= n) return;
          i = next++;
        }
        compute(i);
        {
          std::lock_guard<std::mutex> lock(mutex);
          done[i] = 1;
        }
        changed.notify_all();
      }
    } catch (...) {
      fail();
    }
  };
  std::vector<std::thread> pool;
  parallel_for_internal::StartThreads(pool, std::min<size_t>(threads, n), worker);
  if (pool.empty()) return in_order_here();
  bool ok = true;
  try {
    for (size_t i = 0; i < n && ok; ++i) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return done[i] != 0 || failed; });
        if (failed) break;  // a worker threw: its exception is rethrown below
      }
      ok = emit(i);
      {
        std::lock_guard<std::mutex> lock(mutex);
        emitted = i + 1;
        if (!ok) stop = true;
      }
      changed.notify_all();
    }
  } catch (...) {
    fail();
  }
  for (std::thread& t : pool) t.join();
  error.RethrowIfAny();
  return ok;
}

}  // namespace pith
