// Shared by the store subcommands: the --db option, opening the store, and working through
// subjects side by side.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pith/parallel_for.h"
#include "pith/store.h"

namespace pith::cli {

// $PITH_DB, or ./pith-db.
std::string DefaultDbPath();
void AddDbOption(CLI::App* cmd, std::string* db);
// How a command holds the store. A brief one (a read, a replay, check, a key change) opens it
// without background compaction: RocksDB would start compacting what earlier writes left, beside
// the command, and closing would cut it short (measured: replays right after an ingest each spent
// a third of their CPU in a compaction thread). A load (ingest, rebuild --all) keeps compaction
// on and waits for it before closing (Store::WaitForCompactions), leaving nothing to compact.
enum class StoreUse { kBrief, kLoad };
// Opens the store; `create` makes it when missing (ingest, keys add), otherwise kNotFound.
Result<std::unique_ptr<Store>> OpenStore(const std::string& db, bool create, StoreUse use, StoreOptions options = {});

// Runs compute(subject) for several subjects side by side (on every core) and hands each result to
// report(subject, result) in the subjects' order, as soon as it and those before it are done; at
// most `window` results are held at once.
template <typename Compute, typename Report>
void InSubjectOrder(const std::vector<std::string>& subjects, size_t window, Compute compute, Report report) {
  using Value = decltype(compute(subjects.front()));
  std::vector<std::optional<Value>> held(window);
  OrderedParallelFor(
      subjects.size(), 0, window, [&](size_t k) { held[k % window].emplace(compute(subjects[k])); },
      [&](size_t k) {
        report(subjects[k], std::move(*held[k % window]));
        held[k % window].reset();
        return true;
      });
}

}  // namespace pith::cli
