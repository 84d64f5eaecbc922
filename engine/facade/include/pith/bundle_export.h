// Writing a subject's bundle in the seed's format: record, identities, every stored event, the
// keys that signed them, links and mirror hints for a base URL, the state, and a signature.
#pragma once

#include <optional>
#include <string>

#include "pith/json.h"
#include "pith/keys.h"
#include "pith/status.h"
#include "pith/store.h"

namespace pith {

struct BundleExportOptions {
  std::string built_at;    // YYYY-MM-DDTHH:MM:SSZ; empty: now
  std::string base_url = "https://pith.science";
  std::string mirror_name = "Pith Resolver";
  std::string signed_at;   // when the bundle signature is made; empty: now (microseconds)
};

// The bundle without its signature (what bundle_sha256 covers).
Result<json::Value> BuildUnsignedBundle(Store& store, std::string_view subject, const BundleExportOptions& options);
// Adds bundle_signature, made with `key`.
json::Value SignBundle(const json::Value& unsigned_bundle, const SigningKey& key, const std::string& signed_at);

// Now, as YYYY-MM-DDTHH:MM:SSZ (or with 6 fraction digits).
std::string UtcNow(bool microseconds);

}  // namespace pith
