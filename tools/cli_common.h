// Shared plumbing of the pith-merge subcommands: exit codes, error reports, reading inputs.
#pragma once

#include <string>
#include <string_view>

#include "pith/json.h"
#include "pith/status.h"

namespace pith::cli {

// The process exit codes, documented in README.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitProblemFound = 1,  // a verification found a problem
  kExitBadInput = 2,      // bad usage, unreadable or invalid input
  kExitIoError = 3,       // the operating system refused a read or write
  kExitStoreBusy = 4,     // the store is held by another process
  kExitInternal = 5,      // a bug
  kExitOutOfMemory = 6,   // the system refused memory (or a thread) the work needed
};

int ExitCodeFor(const Status& status);

// Writes "pith-merge: error: WHERE: message" (or without WHERE when empty) to stderr.
void ReportError(std::string_view where, std::string_view message);
// Reports `status` and returns its exit code.
int Fail(std::string_view where, const Status& status);

// The whole content of `path`, or of standard input for "-".
Result<std::string> ReadInput(const std::string& path);
// "FILE:LINE:COL: what" for a parse failure.
Status ParseFailure(const std::string& path, const json::ParseError& where);
// Reads and parses one JSON document. Errors name the file: "FILE:LINE:COL: what".
Result<json::Value> ReadJsonFile(const std::string& path);
// Writes `text` to `path`, creating it with `mode` and refusing to overwrite an existing file.
Status WriteNewFile(const std::string& path, std::string_view text, unsigned mode);

}  // namespace pith::cli
