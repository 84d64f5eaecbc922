// Bundles: verify one whole (every hash, every signature, the recomputed state), and check a
// conformance vector. Both are thin compositions of the format core and the merge.
#pragma once

#include <string>
#include <vector>

#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge.h"
#include "pith/status.h"

namespace pith {

// One check of a bundle and how it went.
struct BundleCheck {
  std::string name;    // e.g. "bundle_signature", "event sha256:48.. ", "state"
  bool ok = false;
  std::string detail;  // what was wrong, or what was verified
};

struct BundleReport {
  std::string pith_number;
  std::string state_sha256;  // recomputed
  std::vector<BundleCheck> checks;
  bool ok() const;
  json::Value ToJson() const;
};

struct BundleVerifyOptions {
  MergeOptions merge;
  bool trust_bundle_keys = false;  // let the bundle's own public_keys vouch for it
};

// Checks a bundle against `keys` (merge-v1.md section 10). kInvalidInput when it is not a bundle
// at all; otherwise every problem is a failed check in the report.
Result<BundleReport> VerifyBundle(const json::Value& bundle, const TrustedKeys& keys, const BundleVerifyOptions& options);

// A conformance vector (specs/vectors/README.md): merges its events under exactly its keys and
// compares canon(state) with `expected_state` byte for byte. kVerificationFailed says how they differ.
Status CheckConformanceVector(const json::Value& vector, std::string_view expected_state, std::string_view merge_version);

}  // namespace pith
