// `pith-merge export`: a subject's complete bundle, signed with our key.
#include <fstream>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "pith/bundle_export.h"
#include "store_common.h"

namespace pith::cli {
namespace {

struct ExportOptions {
  std::string db;
  std::string subject;
  std::string key_file;
  BundleExportOptions bundle;
  std::string out;
};

int RunExport(const ExportOptions& opts) {
  auto key_doc = ReadJsonFile(opts.key_file);
  if (!key_doc.ok()) return Fail("", key_doc.status());
  auto key = ParseSigningKey(*key_doc);
  if (!key.ok()) return Fail(opts.key_file, key.status());
  auto store = OpenStore(opts.db, false, StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  auto bundle = BuildUnsignedBundle(**store, opts.subject, opts.bundle);
  if (!bundle.ok()) return Fail(opts.subject, bundle.status());
  std::string text = json::Canonical(SignBundle(*bundle, *key, opts.bundle.signed_at)) + "\n";
  if (opts.out.empty()) {
    std::cout << text << std::flush;
    return kExitOk;
  }
  std::ofstream out(opts.out, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Fail(opts.out, Status::IOError("cannot write"));
  return kExitOk;
}

}  // namespace

void RegisterExportCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "write a subject's complete bundle, signed with --key");
  AddDbOption(cmd, &opts->db);
  cmd->add_option("pith_number", opts->subject, "the subject")->required();
  cmd->add_option("--key", opts->key_file, "our signing key (from pith-merge keygen)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--built-at", opts->bundle.built_at, "the bundle's built_at (default: now)");
  cmd->add_option("--base-url", opts->bundle.base_url, "base URL of the links and mirror hint")->capture_default_str();
  cmd->add_option("--mirror-name", opts->bundle.mirror_name, "name of the mirror hint")->capture_default_str();
  cmd->add_option("--signed-at", opts->bundle.signed_at, "the signature's signed_at (default: now)");
  cmd->add_option("-o,--output", opts->out, "write to this file instead of standard output");
  cmd->callback([opts, exit_code] { *exit_code = RunExport(*opts); });
}

}  // namespace pith::cli
