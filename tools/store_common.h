// Shared by the store subcommands: the --db option and opening the store.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

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

}  // namespace pith::cli
