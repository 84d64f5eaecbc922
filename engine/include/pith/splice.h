// A splice: `erase` bytes at `pos` of a byte string replaced by `inserted` new bytes. The
// incremental merge reports how it changed a state's tail as batches of splices, and the store
// rewrites only the stored pieces of the tail that they touch (specs/storage.md "Tail pieces").
#pragma once

#include <cstdint>
#include <vector>

namespace pith {

struct Splice {
  uint64_t pos = 0;
  uint64_t erase = 0;
  uint64_t inserted = 0;
};

// Splices applied together: none overlap, and every position is one in the string before them.
using SpliceBatch = std::vector<Splice>;

}  // namespace pith
