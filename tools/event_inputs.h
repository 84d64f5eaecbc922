// Reading events from the CLI's inputs: bundles (JSON) and .jsonl files (one event per line),
// grouped by subject. A bundle's events belong to the bundle's pith number; a JSONL event to its
// own subject_pith_number.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge_stream.h"
#include "pith/status.h"

namespace pith::cli {

struct EventInputs {
  std::map<std::string, std::vector<json::Value>> by_subject;  // ordered by pith number
  std::vector<json::Value> bundle_key_lists;                   // each bundle's public_keys
  size_t bad_lines = 0;                                        // reported on stderr already
};

// Reads one input into `out`. Unreadable files and invalid bundles are errors; a bad JSONL line
// is reported (FILE:LINE:COL) and counted, and reading goes on.
Status ReadEventInput(const std::string& path, EventInputs* out);

// True for .jsonl / .ndjson paths (one event per line); anything else is read as a bundle.
bool IsJsonLinesPath(std::string_view path);
// "I/N" (0 <= I < N); empty means everything.
Result<Shard> ParseShard(const std::string& text);

// Builds the trusted set: the defaults, each --keys file, and (if asked) the bundles' own keys.
Result<TrustedKeys> LoadTrustedKeys(const std::vector<std::string>& key_files, const EventInputs* bundles_to_trust);

}  // namespace pith::cli
