// Each pith-merge subcommand registers itself on the CLI11 app; its callback stores the exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace pith::cli {

void RegisterCanonCommands(CLI::App& app, int* exit_code);  // canon, hash
void RegisterNumberCommand(CLI::App& app, int* exit_code);
void RegisterKeygenCommand(CLI::App& app, int* exit_code);

}  // namespace pith::cli
