// Fuzz target: bundle import, pith::VerifyBundle (merge-v1.md section 10) on arbitrary bytes,
// parsed first, under the default trusted keys plus the test key (fuzz_common.h), once without and
// once with trust_bundle_keys (so the bundle's own public_keys go through TrustedKeys::AddFromJson).
//
// Properties (abort() on violation):
//   - VerifyBundle fails only with kInvalidInput (not a bundle, or its public_keys refused);
//   - a report's JSON round-trips through canon and parse, and report.ok() is "every check ok";
//   - a report with no failed check names a 64-hex recomputed state_sha256 equal to the bundle's
//     state's own state_sha256.
#include <string>

#include "fuzz_common.h"
#include "pith/bundle.h"
#include "pith/json.h"

namespace {

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void VerifyOnce(const pith::json::Value& bundle, bool trust_bundle_keys) {
  pith::BundleVerifyOptions options;
  options.merge.threads = 1;
  options.trust_bundle_keys = trust_bundle_keys;
  auto report = pith::VerifyBundle(bundle, pith::fuzz::FuzzKeys(), options);
  if (!report.ok()) {
    PITH_FUZZ_CHECK_MSG(report.status().code() == pith::Status::Code::kInvalidInput, report.status().ToString());
    return;
  }
  bool all_ok = true;
  for (const pith::BundleCheck& c : report->checks) {
    all_ok = all_ok && c.ok;
    PITH_FUZZ_CHECK(!c.name.empty());
  }
  PITH_FUZZ_CHECK(report->ok() == all_ok);
  const std::string* number = bundle.FindString("pith_number");
  PITH_FUZZ_CHECK(number != nullptr && report->pith_number == *number);

  pith::json::Value as_json = report->ToJson();
  std::string text = pith::json::Canonical(as_json);
  auto reparsed = pith::json::Parse(text);
  PITH_FUZZ_CHECK_MSG(reparsed.ok() && *reparsed == as_json, text);

  if (report->ok()) {
    PITH_FUZZ_CHECK_MSG(IsHex64(report->state_sha256), report->state_sha256);
    const pith::json::Value* state = bundle.Find("state");
    PITH_FUZZ_CHECK(state != nullptr);
    const std::string* claimed = state->FindString("state_sha256");
    PITH_FUZZ_CHECK(claimed != nullptr && *claimed == report->state_sha256);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = pith::json::Parse(pith::fuzz::AsView(data, size));
  if (!parsed.ok()) return 0;
  VerifyOnce(*parsed, false);
  VerifyOnce(*parsed, true);
  return 0;
}
