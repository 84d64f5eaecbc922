// `pith-merge keys add|list|remove`: the store's trusted keys.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "store_common.h"

namespace pith::cli {
namespace {

struct KeysOptions {
  std::string db;
  std::vector<std::string> files;
  std::vector<std::string> key_ids;
};

int RunAdd(const KeysOptions& opts) {
  auto store = OpenStore(opts.db, true, StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  for (const std::string& path : opts.files) {
    auto doc = ReadJsonFile(path);
    if (!doc.ok()) return Fail("", doc.status());
    std::vector<json::Value> entries;
    if (doc->is_array()) {
      entries = doc->items();
    } else if (const json::Value* keys = doc->Find("public_keys"); keys != nullptr && keys->is_array()) {
      entries = keys->items();
    } else if (const std::string* type = doc->FindString("key_type");
               type != nullptr && *type == "pith_ed25519_signing_key" && doc->Find("public_key") != nullptr) {
      entries.push_back(*doc->Find("public_key"));  // a keygen file: trust its public half
    } else {
      entries.push_back(*doc);
    }
    for (const json::Value& e : entries) {
      Status s = (*store)->AddKey(e);
      if (!s.ok()) return Fail(path, s);
      std::cout << "trusted " << *e.FindString("key_id") << '\n';
    }
  }
  return kExitOk;
}

int RunList(const KeysOptions& opts) {
  auto store = OpenStore(opts.db, false, StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  const TrustedKeys keys = (*store)->trusted_keys();
  for (const auto& [id, entry] : keys.entries()) {
    std::cout << id << "  " << entry.fingerprint_hex << "  rotates_at " << entry.rotates_at.value_or("never") << '\n';
  }
  return kExitOk;
}

int RunRemove(const KeysOptions& opts) {
  auto store = OpenStore(opts.db, false, StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  for (const std::string& id : opts.key_ids) {
    Status s = (*store)->RemoveKey(id);
    if (!s.ok()) return Fail(id, s);
    std::cout << "removed " << id << '\n';
  }
  return kExitOk;
}

}  // namespace

void RegisterKeysCommand(CLI::App& app, int* exit_code) {
  CLI::App* keys = app.add_subcommand("keys", "the store's trusted keys (besides the compiled-in defaults)");
  keys->require_subcommand(1);
  auto opts = std::make_shared<KeysOptions>();
  CLI::App* add = keys->add_subcommand("add", "trust the keys in FILE (an entry, an array of entries, or a bundle)");
  AddDbOption(add, &opts->db);
  add->add_option("files", opts->files, "key files")->required();
  add->callback([opts, exit_code] { *exit_code = RunAdd(*opts); });
  CLI::App* list = keys->add_subcommand("list", "list the trusted keys");
  AddDbOption(list, &opts->db);
  list->callback([opts, exit_code] { *exit_code = RunList(*opts); });
  CLI::App* remove = keys->add_subcommand("remove", "stop trusting keys the store added");
  AddDbOption(remove, &opts->db);
  remove->add_option("key_ids", opts->key_ids, "key ids")->required();
  remove->callback([opts, exit_code] { *exit_code = RunRemove(*opts); });
}

}  // namespace pith::cli
