// `pith-merge verify`: every hash and signature of a bundle, and its state recomputed.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "event_inputs.h"
#include "pith/bundle.h"

namespace pith::cli {
namespace {

struct VerifyOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> key_files;
  bool trust_bundle_keys = false;
  bool json = false;
  unsigned threads = 0;
};

int RunVerify(const VerifyOptions& opts) {
  auto keys = LoadTrustedKeys(opts.key_files, nullptr);
  if (!keys.ok()) return Fail("", keys.status());
  int exit_code = kExitOk;
  for (const std::string& path : opts.inputs) {
    auto doc = ReadJsonFile(path);
    if (!doc.ok()) {
      exit_code = std::max(exit_code, Fail("", doc.status()));
      continue;
    }
    BundleVerifyOptions options;
    options.trust_bundle_keys = opts.trust_bundle_keys;
    options.merge.threads = opts.threads;
    auto report = VerifyBundle(*doc, *keys, options);
    if (!report.ok()) {
      exit_code = std::max(exit_code, Fail(path, report.status()));
      continue;
    }
    if (!report->ok()) exit_code = std::max<int>(exit_code, kExitProblemFound);
    if (opts.json) {
      json::Value out = report->ToJson();
      std::cout << json::Canonical(out) << '\n';
      continue;
    }
    std::cout << path << ": " << report->pith_number << ": " << (report->ok() ? "all good" : "PROBLEMS FOUND") << '\n';
    for (const BundleCheck& c : report->checks) {
      std::cout << "  " << (c.ok ? "ok      " : "PROBLEM ") << c.name << ": " << c.detail << '\n';
    }
  }
  std::cout << std::flush;
  return exit_code;
}

}  // namespace

void RegisterVerifyCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "check every hash and signature of bundles and recompute their states (exit 1 on any problem)");
  cmd->add_option("bundles", opts->inputs, "bundle files")->required();
  AddKeyOptions(cmd, &opts->key_files, &opts->trust_bundle_keys);
  cmd->add_flag("--json", opts->json, "one JSON report per bundle, for machines");
  cmd->add_option("--threads", opts->threads, "signature-checking threads (0: all cores)")->capture_default_str();
  cmd->callback([opts, exit_code] { *exit_code = RunVerify(*opts); });
}

}  // namespace pith::cli
