// Test support: the seed documents of tests/data/seeds (real Pith data, see its README).
#pragma once

#include <string>

#include "pith/json.h"

namespace pith::testing {

inline constexpr char kSeedBundleFile[] = "001_2e83a30e9a2c9dc7.txt";

// The bytes of tests/data/seeds/NAME.
std::string ReadSeed(const std::string& name);
// The real signed seed bundle, parsed.
json::Value SeedBundle();

}  // namespace pith::testing
