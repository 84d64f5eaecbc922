// `pith-merge merge`: one canon(state) line per subject, ordered by pith number.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "event_inputs.h"
#include "pith/merge.h"

namespace pith::cli {
namespace {

struct MergeCommandOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> key_files;
  bool trust_bundle_keys = false;
  std::string merge_version = std::string(kMergeV1);
  unsigned threads = 0;
};

int RunMerge(const MergeCommandOptions& opts) {
  if (!IsKnownMergeVersion(opts.merge_version)) {
    return Fail("", Status::Unsupported("unknown merge version \"" + opts.merge_version + "\"; this build implements " +
                                        std::string(kMergeV1)));
  }
  EventInputs inputs;
  for (const std::string& path : opts.inputs) {
    Status s = ReadEventInput(path, &inputs);
    if (!s.ok()) return Fail("", s);
  }
  auto keys = LoadTrustedKeys(opts.key_files, opts.trust_bundle_keys ? &inputs : nullptr);
  if (!keys.ok()) return Fail("", keys.status());
  MergeOptions merge_options;
  merge_options.merge_version = opts.merge_version;
  merge_options.threads = opts.threads;
  for (const auto& [subject, documents] : inputs.by_subject) {
    auto merged = Merge(subject, documents, *keys, merge_options);
    if (!merged.ok()) return Fail(subject, merged.status());
    std::cout << merged->canonical << '\n';
  }
  std::cout << std::flush;
  return inputs.bad_lines > 0 ? kExitBadInput : kExitOk;
}

}  // namespace

void AddKeyOptions(CLI::App* cmd, std::vector<std::string>* key_files, bool* trust_bundle_keys) {
  cmd->add_option("--keys", *key_files,
                  "trust the keys in this file too (a JSON array of public_keys entries, one entry, or a bundle); "
                  "repeatable")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--trust-bundle-keys", *trust_bundle_keys,
                "also trust the public_keys that the input bundles carry (a bundle cannot vouch for itself "
                "otherwise)");
}

void RegisterMergeCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<MergeCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "merge events (bundles and .jsonl files) and print one canonical state per subject, one per line, "
               "ordered by pith number");
  cmd->add_option("inputs", opts->inputs, "bundle files and .jsonl event files (- for a bundle on stdin)")->required();
  AddKeyOptions(cmd, &opts->key_files, &opts->trust_bundle_keys);
  cmd->add_option("--merge-version", opts->merge_version, "the merge algorithm")->capture_default_str();
  cmd->add_option("--threads", opts->threads, "signature-checking threads (0: all cores); never changes the output")
      ->capture_default_str();
  cmd->callback([opts, exit_code] { *exit_code = RunMerge(*opts); });
}

}  // namespace pith::cli
