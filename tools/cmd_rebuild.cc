// `pith-merge rebuild`: recomputes what the store keeps beside the log (event records, verdicts,
// cached states) from the log itself, for subjects whose cached data `check` reports damaged.
#include <algorithm>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "store_common.h"

namespace pith::cli {
namespace {

struct RebuildOptions {
  std::string db;
  std::vector<std::string> subjects;
  bool all = false;
};

int RunRebuild(const RebuildOptions& opts) {
  auto store = OpenStore(opts.db, false, opts.all ? StoreUse::kLoad : StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  auto subjects = opts.all ? (*store)->Subjects() : Result<std::vector<std::string>>(opts.subjects);
  if (!subjects.ok()) return Fail(opts.db, subjects.status());
  int exit_code = kExitOk;
  size_t rebuilt = 0;
  // Subjects rebuild side by side (Store::Rebuild computes without the writer lock).
  InSubjectOrder(*subjects, 16, [&](const std::string& subject) { return (*store)->Rebuild(subject); },
                 [&](const std::string& subject, Result<MergedState> state) {
                   if (!state.ok()) {
                     exit_code = std::max(exit_code, Fail(subject, state.status()));
                   } else {
                     std::cout << subject << ' ' << state->state_sha256 << '\n';
                     ++rebuilt;
                   }
                 });
  std::cout << "rebuild: " << rebuilt << " of " << subjects->size() << " subjects rebuilt from the log" << std::endl;
  if (opts.all) {  // and the `events` entries no subject reaches (documents in no log)
    auto repaired = (*store)->RepairEventIndex();
    if (repaired.ok()) {
      std::cout << "rebuild: `events` index: " << repaired->added << " entries added, " << repaired->reindexed
                << " pointed again at the log, " << repaired->removed << " of documents in no log (or no hash) removed"
                << std::endl;
    } else {
      exit_code = std::max(exit_code, Fail(opts.db, repaired.status()));
    }
    // What was rewritten goes to the store's files (and out of the write-ahead log, which the next
    // open would otherwise replay into level 0), whatever failed.
    Status flushed = (*store)->Flush();
    if (!flushed.ok()) return std::max(exit_code, Fail(opts.db, flushed));
    if (!repaired.ok()) return exit_code;
    // Every subject's derived data was written again: what that leaves to compact is done now,
    // not cut short by every brief command after it.
    Status compacted = (*store)->WaitForCompactions();
    if (!compacted.ok()) return std::max(exit_code, Fail(opts.db, compacted));
  }
  return exit_code;
}

}  // namespace

void RegisterRebuildCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<RebuildOptions>();
  CLI::App* cmd = app.add_subcommand(
      "rebuild", "recompute subjects' event records, verdicts and cached states from the log (the repair for what check reports)");
  AddDbOption(cmd, &opts->db);
  cmd->add_option("pith_numbers", opts->subjects, "subjects");
  cmd->add_flag("--all", opts->all, "every subject in the store, then the `events` index as a whole");
  cmd->callback([opts, exit_code] {
    if (opts->subjects.empty() && !opts->all) throw CLI::RequiredError("PITH_NUMBER... or --all");
    *exit_code = RunRebuild(*opts);
  });
}

}  // namespace pith::cli
