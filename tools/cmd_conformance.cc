// `pith-merge conformance`: runs the conformance vectors of a merge version.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "pith/bundle.h"

namespace pith::cli {
namespace {

namespace fs = std::filesystem;

struct ConformanceOptions {
  std::string dir;
  std::string merge_version = std::string(kMergeV1);
};

int RunConformance(const ConformanceOptions& opts) {
  fs::path root = opts.dir.empty() ? fs::path("specs/vectors") : fs::path(opts.dir);
  if (opts.dir.empty() && !fs::exists(root)) root = fs::path(PITH_SOURCE_DIR) / "specs/vectors";
  fs::path version_dir = root / opts.merge_version;
  std::error_code ec;
  if (!fs::is_directory(version_dir, ec)) {
    return Fail(version_dir.string(), Status::NotFound("no conformance vectors for " + opts.merge_version));
  }
  std::vector<fs::path> vectors;
  for (const auto& entry : fs::directory_iterator(version_dir)) {
    if (entry.is_directory() && fs::exists(entry.path() / "vector.json")) vectors.push_back(entry.path());
  }
  std::sort(vectors.begin(), vectors.end());
  size_t passed = 0, failed = 0;
  for (const fs::path& dir : vectors) {
    auto vector = ReadJsonFile((dir / "vector.json").string());
    auto expected = ReadInput((dir / "expected_state.json").string());
    Status s = !vector.ok() ? vector.status() : !expected.ok() ? expected.status() : Status::OK();
    if (s.ok()) s = CheckConformanceVector(*vector, *expected, opts.merge_version);
    if (s.ok()) {
      ++passed;
    } else {
      ++failed;
      std::cout << "FAIL " << dir.filename().string() << ": " << s.message() << '\n';
    }
  }
  std::cout << passed << " passed, " << failed << " failed" << std::endl;
  return failed == 0 ? kExitOk : kExitProblemFound;
}

}  // namespace

void RegisterConformanceCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<ConformanceOptions>();
  CLI::App* cmd = app.add_subcommand(
      "conformance", "run every vector under DIR/<merge-version>/ and print a line per failure and 'N passed, N failed'");
  cmd->add_option("dir", opts->dir, "the vectors folder (default: specs/vectors)");
  cmd->add_option("--merge-version", opts->merge_version, "the merge version whose vectors to run")->capture_default_str();
  cmd->callback([opts, exit_code] { *exit_code = RunConformance(*opts); });
}

}  // namespace pith::cli
