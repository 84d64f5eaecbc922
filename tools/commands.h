// Each pith-merge subcommand registers itself on the CLI11 app; its callback stores the exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace pith::cli {

void RegisterCanonCommands(CLI::App& app, int* exit_code);  // canon, hash
void RegisterNumberCommand(CLI::App& app, int* exit_code);
void RegisterKeygenCommand(CLI::App& app, int* exit_code);
void RegisterMergeCommand(CLI::App& app, int* exit_code);
void RegisterVerifyCommand(CLI::App& app, int* exit_code);
void RegisterConformanceCommand(CLI::App& app, int* exit_code);
void RegisterIngestCommand(CLI::App& app, int* exit_code);
void RegisterStoreReadCommands(CLI::App& app, int* exit_code);  // state, replay, log, check
void RegisterRebuildCommand(CLI::App& app, int* exit_code);
void RegisterKeysCommand(CLI::App& app, int* exit_code);
void RegisterExportCommand(CLI::App& app, int* exit_code);
void RegisterSynthCommand(CLI::App& app, int* exit_code);

// --keys FILE... and --trust-bundle-keys, shared by merge and verify.
void AddKeyOptions(CLI::App* cmd, std::vector<std::string>* key_files, bool* trust_bundle_keys);

}  // namespace pith::cli
