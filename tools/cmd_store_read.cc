// `pith-merge state`, `replay`, `log` and `check`: reading a store.
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "cli_common.h"
#include "commands.h"
#include "store_common.h"

namespace pith::cli {
namespace {

struct ReadOptions {
  std::string db;
  std::vector<std::string> subjects;
  bool all = false;
  bool reverify = false;
  bool check = false;
};

// The subjects named, or every subject with --all.
Result<std::vector<std::string>> Targets(Store& store, const ReadOptions& opts) {
  if (!opts.all) return opts.subjects;
  return store.Subjects();
}

// Prints one canonical state per target subject, in order. `compute` (thread-safe: Store reads)
// runs for several subjects side by side; `finish` takes each result in order as soon as it is
// ready, reports any problem and returns its exit code. The worst exit code wins.
int PrintStates(const ReadOptions& opts, const std::function<Result<MergedState>(Store&, const std::string&)>& compute,
                const std::function<int(Store&, const std::string&, const MergedState&)>& finish) {
  auto store = OpenStore(opts.db, false, StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  auto subjects = Targets(**store, opts);
  if (!subjects.ok()) return Fail(opts.db, subjects.status());
  constexpr size_t kWindow = 64;  // subjects computed ahead of the one printed: bounds memory
  int exit_code = kExitOk;
  std::string out;
  InSubjectOrder(*subjects, kWindow, [&](const std::string& subject) { return compute(**store, subject); },
                 [&](const std::string& subject, const Result<MergedState>& state) {
                   if (!state.ok()) {
                     exit_code = std::max(exit_code, Fail(subject, state.status()));
                   } else {
                     exit_code = std::max(exit_code, finish(**store, subject, *state));
                     const std::string& canonical = state->canonical;
                     if (canonical.size() >= (64u << 10)) {  // a large state goes out as it is, not copied
                       std::cout << out;
                       out.clear();
                       std::cout.write(canonical.data(), static_cast<std::streamsize>(canonical.size())).put('\n');
                     } else {  // small ones are gathered into fewer writes
                       out += canonical;
                       out.push_back('\n');
                     }
                   }
                   if (out.size() >= (1u << 20)) {
                     std::cout << out;
                     out.clear();
                   }
                 });
  std::cout << out;
  std::cout << std::flush;
  return exit_code;
}

int RunState(const ReadOptions& opts) {
  return PrintStates(
      opts, [](Store& store, const std::string& subject) { return store.State(subject); },
      [](Store&, const std::string&, const MergedState&) { return static_cast<int>(kExitOk); });
}

int RunReplay(const ReadOptions& opts) {
  return PrintStates(
      opts, [&opts](Store& store, const std::string& subject) { return store.Replay(subject, opts.reverify); },
      [&opts](Store& store, const std::string& subject, const MergedState& state) {
        if (!opts.check) return static_cast<int>(kExitOk);
        auto cached = store.State(subject);
        if (cached.ok() && cached->canonical == state.canonical) return static_cast<int>(kExitOk);
        ReportError(subject, "replayed state " + state.state_sha256 + " differs from the cached state " +
                                 (cached.ok() ? cached->state_sha256 : cached.status().message()));
        return static_cast<int>(kExitProblemFound);
      });
}

int RunLog(const ReadOptions& opts) {
  auto store = OpenStore(opts.db, false, StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  for (const std::string& subject : opts.subjects) {
    auto log = (*store)->Log(subject);
    if (!log.ok()) return Fail(subject, log.status());
    if (log->empty()) return Fail(subject, Status::NotFound("no events stored for this subject"));
    std::cout << subject << '\n';
    for (const LogRecord& r : *log) {
      std::cout << "  " << r.position << "  seq " << r.sequence << "  " << (r.event_id.empty() ? "(no event_id)" : r.event_id)
                << "  " << (r.event_type.empty() ? "?" : r.event_type) << "  " << r.verdict << '\n';
    }
  }
  std::cout << std::flush;
  return kExitOk;
}

int RunCheck(const ReadOptions& opts) {
  auto store = OpenStore(opts.db, false, StoreUse::kBrief);
  if (!store.ok()) return Fail(opts.db, store.status());
  auto problems = (*store)->Check();
  if (!problems.ok()) return Fail(opts.db, problems.status());
  for (const std::string& p : *problems) std::cout << "PROBLEM " << p << '\n';
  auto subjects = (*store)->Subjects();
  std::cout << (problems->empty() ? "check: ok" : "check: problems found") << " ("
            << (subjects.ok() ? subjects->size() : 0) << " subjects, " << (*store)->LastSequence() << " log entries, "
            << problems->size() << " problems)" << std::endl;
  if (!problems->empty()) {
    std::cout << "check: problems beside the log (event records, verdicts, cached states) are repaired by "
                 "`pith-merge rebuild --db " << opts.db << " PITH_NUMBER...` (or --all); a damaged file or event "
                 "needs another copy (specs/storage.md)" << std::endl;
  }
  return problems->empty() ? kExitOk : kExitProblemFound;
}

}  // namespace

void RegisterStoreReadCommands(CLI::App& app, int* exit_code) {
  {
    auto opts = std::make_shared<ReadOptions>();
    CLI::App* cmd = app.add_subcommand("state", "print the cached state of subjects (one canonical state per line)");
    AddDbOption(cmd, &opts->db);
    cmd->add_option("pith_numbers", opts->subjects, "subjects");
    cmd->add_flag("--all", opts->all, "every subject in the store");
    cmd->callback([opts, exit_code, cmd] {
      if (opts->subjects.empty() && !opts->all) throw CLI::RequiredError("PITH_NUMBER... or --all");
      *exit_code = RunState(*opts);
      (void)cmd;
    });
  }
  {
    auto opts = std::make_shared<ReadOptions>();
    CLI::App* cmd = app.add_subcommand("replay", "recompute states from the log from scratch and print them");
    AddDbOption(cmd, &opts->db);
    cmd->add_option("pith_numbers", opts->subjects, "subjects");
    cmd->add_flag("--all", opts->all, "every subject in the store");
    cmd->add_flag("--reverify", opts->reverify, "check every signature again instead of using cached verdicts");
    cmd->add_flag("--check", opts->check, "compare each replayed state with the cached one (exit 1 on a difference)");
    cmd->callback([opts, exit_code] {
      if (opts->subjects.empty() && !opts->all) throw CLI::RequiredError("PITH_NUMBER... or --all");
      *exit_code = RunReplay(*opts);
    });
  }
  {
    auto opts = std::make_shared<ReadOptions>();
    CLI::App* cmd = app.add_subcommand("log", "a subject's events in append order, with their verdicts");
    AddDbOption(cmd, &opts->db);
    cmd->add_option("pith_numbers", opts->subjects, "subjects")->required();
    cmd->callback([opts, exit_code] { *exit_code = RunLog(*opts); });
  }
  {
    auto opts = std::make_shared<ReadOptions>();
    CLI::App* cmd = app.add_subcommand(
        "check", "re-read, re-hash and re-verify every stored event and recompute every cached state (exit 1 on damage)");
    AddDbOption(cmd, &opts->db);
    cmd->callback([opts, exit_code] { *exit_code = RunCheck(*opts); });
  }
}

}  // namespace pith::cli
