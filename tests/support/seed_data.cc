#include "seed_data.h"

#include <fstream>
#include <sstream>

namespace pith::testing {

std::string ReadSeed(const std::string& name) {
  std::ifstream in(std::string(PITH_TEST_DATA_DIR) + "/seeds/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json::Value SeedBundle() {
  auto doc = json::Parse(ReadSeed(kSeedBundleFile));
  return doc.ok() ? std::move(*doc) : json::Value();
}

}  // namespace pith::testing
