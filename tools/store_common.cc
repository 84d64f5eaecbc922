#include "store_common.h"

#include <cstdlib>

namespace pith::cli {

std::string DefaultDbPath() {
  const char* env = std::getenv("PITH_DB");
  return env != nullptr && *env != '\0' ? env : "./pith-db";
}

void AddDbOption(CLI::App* cmd, std::string* db) {
  *db = DefaultDbPath();
  cmd->add_option("--db", *db, "the store's directory (default: $PITH_DB or ./pith-db)")->capture_default_str();
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& db, bool create, StoreUse use, StoreOptions options) {
  options.create_if_missing = create;
  options.background_compaction = use == StoreUse::kLoad;
  return Store::Open(db, options);
}

}  // namespace pith::cli
