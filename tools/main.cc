// pith-merge: the command-line tool. Every subcommand is a thin shell over the library.
#include <clocale>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli_common.h"
#include "commands.h"

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "C");  // output never depends on the caller's locale
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
  }
  return exit_code;
}
