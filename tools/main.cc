// pith-merge: the command-line tool. Every subcommand is a thin shell over the library.
#include <unistd.h>

#include <atomic>
#include <clocale>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>

#include "cli_common.h"
#include "commands.h"

namespace {

// When memory runs out the tool stops at once, where the allocation failed: unwinding from there
// could pass through RocksDB, which is not written to survive it (its writer queue is left waiting
// and closing the store then hangs). The store is left as a crash leaves it, which it is built for.
[[noreturn]] void ExitOutOfMemory() {
  static constexpr char kMessage[] =
      "pith-merge: error: out of memory: the system refused an allocation (see ulimit -v and the input's size)\n";
  static std::atomic<bool> reporting{false};
  if (reporting.exchange(true)) {
    for (;;) ::pause();  // another thread ran out first: it reports and ends the process
  }
  ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
  std::_Exit(pith::cli::kExitOutOfMemory);
}

}  // namespace

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "C");  // output never depends on the caller's locale
  std::set_new_handler(ExitOutOfMemory);
  using namespace pith::cli;
  CLI::App app{"pith-merge: the Pith open-graph event format and its deterministic merge"};
  app.name("pith-merge");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("pith-merge ") + PITH_VERSION);
  int exit_code = kExitOk;
  RegisterCanonCommands(app, &exit_code);
  RegisterNumberCommand(app, &exit_code);
  RegisterKeygenCommand(app, &exit_code);
  RegisterMergeCommand(app, &exit_code);
  RegisterVerifyCommand(app, &exit_code);
  RegisterConformanceCommand(app, &exit_code);
  RegisterIngestCommand(app, &exit_code);
  RegisterStoreReadCommands(app, &exit_code);
  RegisterRebuildCommand(app, &exit_code);
  RegisterKeysCommand(app, &exit_code);
  RegisterExportCommand(app, &exit_code);
  RegisterSynthCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    ReportError("", e.what());
    std::cerr << "Run with --help for usage.\n";
    return kExitBadInput;
  } catch (const std::bad_alloc&) {  // an allocation refused on a path the new handler does not see
    ExitOutOfMemory();
  } catch (const std::system_error& e) {  // EAGAIN: most often a thread the system would not start
    const bool resources = e.code() == std::errc::resource_unavailable_try_again;
    ReportError("", std::string(resources ? "out of resources: " : "internal error: ") + e.what());
    return resources ? kExitOutOfMemory : kExitInternal;
  } catch (const std::exception& e) {
    ReportError("", std::string("internal error: ") + e.what());
    return kExitInternal;
  }
  return exit_code;
}
