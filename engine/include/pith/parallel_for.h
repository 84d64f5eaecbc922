// Runs fn(i) for i in [0, n) on up to `threads` threads (0 = all cores). Each index is
// handled exactly once; results must be written by index so that order never depends on timing.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace pith {

// `grain` indices are taken at a time: the default suits items of ~50 us (a signature check); use
// 1 for items as large as a whole subject.
template <typename Fn>
void ParallelFor(size_t n, unsigned threads, Fn fn, size_t grain = 16) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const size_t kGrain = std::max<size_t>(1, grain);
  size_t workers = std::min<size_t>(threads, (n + kGrain - 1) / kGrain);
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (;;) {
      size_t begin = next.fetch_add(kGrain);
      if (begin >= n) return;
      for (size_t i = begin; i < std::min(n, begin + kGrain); ++i) fn(i);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();
}

// Runs compute(i) for i in [0, n) on `threads` worker threads (0 = all cores) and emit(i) on the
// calling thread in index order, each as soon as compute(i) is done, so no worker waits for a
// batch to finish. At most `window` items are computed ahead of the one being emitted (memory stays
// bounded). emit returns false to stop: no further item starts, and the call returns false.
template <typename Compute, typename Emit>
bool OrderedParallelFor(size_t n, unsigned threads, size_t window, Compute compute, Emit emit) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  window = std::max<size_t>(1, window);
  if (threads <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) {
      compute(i);
      if (!emit(i)) return false;
    }
    return true;
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<char> done(n, 0);  // guarded by mutex, as are the three below
  size_t next = 0, emitted = 0;
  bool stop = false;
  auto worker = [&] {
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
  };
  std::vector<std::thread> pool;
  const size_t workers = std::min<size_t>(threads, n);
  pool.reserve(workers);
  for (size_t t = 0; t < workers; ++t) pool.emplace_back(worker);
  bool ok = true;
  for (size_t i = 0; i < n && ok; ++i) {
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return done[i] != 0; });
    }
    ok = emit(i);
    {
      std::lock_guard<std::mutex> lock(mutex);
      emitted = i + 1;
      if (!ok) stop = true;
    }
    changed.notify_all();
  }
  for (std::thread& t : pool) t.join();
  return ok;
}

}  // namespace pith
