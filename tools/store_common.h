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
// Opens the store; `create` makes it when missing (ingest, keys add), otherwise kNotFound.
Result<std::unique_ptr<Store>> OpenStore(const std::string& db, bool create, StoreOptions options = {});

}  // namespace pith::cli
