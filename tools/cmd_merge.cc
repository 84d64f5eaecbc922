// `pith-merge merge`: one canon(state) line per subject, ordered by pith number.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "event_inputs.h"
#include "pith/merge.h"
#include "pith/merge_stream.h"

namespace pith::cli {
namespace {

struct MergeCommandOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> key_files;
  bool trust_bundle_keys = false;
  std::string merge_version = std::string(kMergeV1);
  unsigned threads = 0;
  std::string shard;
};

int RunMerge(const MergeCommandOptions& opts) {
  if (Status version = CheckMergeVersion(opts.merge_version); !version.ok()) return Fail("", version);
  auto shard = ParseShard(opts.shard);
  if (!shard.ok()) return Fail("--shard", shard.status());
  StreamMerger merger(opts.threads, *shard);
  EventInputs bundles;  // bundles are small: read whole, their keys may be trusted
  for (const std::string& path : opts.inputs) {
    if (IsJsonLinesPath(path)) {
      Status s = merger.AddJsonLines(path);
      if (!s.ok()) return Fail("", s);
      continue;
    }
    EventInputs one;
    Status s = ReadEventInput(path, &one);
    if (!s.ok()) return Fail("", s);
    for (auto& [subject, docs] : one.by_subject) merger.AddDocuments(subject, std::move(docs));
    bundles.bundle_key_lists.insert(bundles.bundle_key_lists.end(), one.bundle_key_lists.begin(), one.bundle_key_lists.end());
  }
  auto keys = LoadTrustedKeys(opts.key_files, opts.trust_bundle_keys ? &bundles : nullptr);
  if (!keys.ok()) return Fail("", keys.status());
  std::string out;
  Status s = merger.Run(*keys, opts.merge_version, [&out](const std::string&, const MergedState& state) {
    out += state.canonical;
    out.push_back('\n');
    if (out.size() >= (1u << 20)) {
      std::cout << out;
      out.clear();
    }
    return std::cout ? Status::OK() : Status::IOError("cannot write to standard output");
  });
  std::cout << out << std::flush;
  for (const InputProblem& p : merger.problems()) ReportError(p.where, p.what);
  if (!s.ok()) return Fail("", s);
  return merger.problems().empty() ? kExitOk : kExitBadInput;
}

}  // namespace

void AddKeyOptions(CLI::App* cmd, std::vector<std::string>* key_files, bool* trust_bundle_keys) {
  cmd->add_option("--keys", *key_files,
                  "trust the keys in this file too (a JSON array of public_keys entries, one entry, or a bundle); "
                  "repeatable")
      ->expected(1)
      ->allow_extra_args(false)  // --keys K a.jsonl: a.jsonl is an input, not a second key file
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
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
  cmd->add_option("--shard", opts->shard, "only the subjects of shard I of N (I/N, 0-based; see specs/scaling.md)");
  cmd->callback([opts, exit_code] { *exit_code = RunMerge(*opts); });
}

}  // namespace pith::cli
