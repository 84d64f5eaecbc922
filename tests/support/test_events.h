// Test support: fixed keys and generated subjects whose event sets exercise the merge (chains,
// forks, supersedes, tampered and foreign events, duplicate copies).
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "pith/event_builder.h"
#include "pith/json.h"
#include "pith/keys.h"

namespace pith::testing {

// A key derived from `name` (seed = sha256(name)), so tests are reproducible.
SigningKey FixedKey(const std::string& name, const std::optional<std::string>& signer_id = std::nullopt,
                    const std::optional<std::string>& signer_type = std::nullopt);

struct GeneratedSubject {
  std::string pith_number;
  std::vector<json::Value> events;  // in creation order
};

// A subject of about `size` events signed by `registry` (trusted) and, for a few, by `stranger`
// (not trusted). `index` makes the record distinct; `rng` picks forks, supersedes and tampering.
GeneratedSubject MakeSubject(int index, size_t size, const SigningKey& registry, const SigningKey& stranger,
                             std::mt19937_64& rng);

}  // namespace pith::testing
