// Runs fn(i) for i in [0, n) on up to `threads` threads (0 = all cores). Each index is
// handled exactly once; results must be written by index so that order never depends on timing.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
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

}  // namespace pith
