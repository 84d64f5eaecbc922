// Shared helpers of the libFuzzer targets in tests/fuzz/ (see README.md there).
//
// Every target defines LLVMFuzzerTestOneInput. Built with -fsanitize=fuzzer it is a fuzzer; built
// with replay_main.cc it is a plain program (g++ or clang, no sanitizer needed) that runs the same
// function over the checked-in corpus and regression inputs under ctest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pith/hash.h"
#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge.h"

namespace pith::fuzz {

// A property did not hold: say which, and abort() so libFuzzer records the input as a crash.
[[noreturn]] inline void Fail(const char* file, int line, const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "pith fuzz property violated at %s:%d: %s\n", file, line, what);
  if (!detail.empty()) std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  std::fflush(stderr);
  std::abort();
}

#define PITH_FUZZ_CHECK(cond) \
  do {                        \
    if (!(cond)) ::pith::fuzz::Fail(__FILE__, __LINE__, #cond); \
  } while (0)
#define PITH_FUZZ_CHECK_MSG(cond, detail) \
  do {                                    \
    if (!(cond)) ::pith::fuzz::Fail(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// The subject of the conformance vectors (specs/vectors/pith-open-graph-merge-v1/0002-...).
inline constexpr std::string_view kFixedSubject = "pith:2025:VUVZTE732FFKZQTC3ZNK3RYDWC";

// The public entry of the conformance test key "registry" (seed sha256("pith-merge conformance key
// registry"), specs/vectors/README.md): no signer binding, so it may sign every event type and
// receipts. Most events of the conformance vectors are signed by it, so the fuzzer starts from
// documents whose signatures verify.
inline constexpr std::string_view kTestKeyEntry =
    R"({"key_id":"conformance-registry","algorithm":"ed25519","format":"raw",)"
    R"("public_key_b64":"Z6p44K1tj3+AYyZCGI+MHNX8ovGxDWdI0yqRtmtHYnU=",)"
    R"("public_key_hex":"67aa78e0ad6d8f7f80632642188f8c1cd5fca2f1b10d6748d32a91b66b476275",)"
    R"("fingerprint_sha256_hex":"6c96e7f81d1495e985808694fdd2cdc6",)"
    R"("fingerprint_sha256_b32_first128bits":"NSLOP6A5CSK6TBMAQ2KP3UWNYY","rotates_at":null})";

// TrustedKeys::Defaults() (the real registry key pith-v1-2026-05) plus the entries of a JSON text
// (one entry or an array); a bad entry is a broken fuzz build, reported and aborted.
inline TrustedKeys DefaultsPlus(std::string_view entries_json) {
  TrustedKeys k = TrustedKeys::Defaults();
  auto entries = json::Parse(entries_json);
  if (!entries.ok()) Fail(__FILE__, __LINE__, "test key entries do not parse", entries.status().message());
  Status s = k.AddFromJson(*entries);
  if (!s.ok()) Fail(__FILE__, __LINE__, "test key entries refused", s.message());
  return k;
}

// The defaults plus the test key.
inline const TrustedKeys& FuzzKeys() {
  static const TrustedKeys keys = DefaultsPlus(kTestKeyEntry);
  return keys;
}

// An integer member of a state (or any object), which must be there.
inline int64_t IntMember(const pith::json::Value& state, std::string_view key) {
  const pith::json::Value* v = state.Find(key);
  PITH_FUZZ_CHECK_MSG(v != nullptr && v->is_integer(), key);
  int64_t out = 0;
  PITH_FUZZ_CHECK(v->as_int64(&out));
  return out;
}

// An array member, which must be there.
inline const pith::json::Value& ArrayMember(const pith::json::Value& state, std::string_view key) {
  const pith::json::Value* v = state.Find(key);
  PITH_FUZZ_CHECK_MSG(v != nullptr && v->is_array(), key);
  return *v;
}

// What holds for every merged state: canon(state) round-trips, state_sha256 is the hash of the
// rest, P is the subject, and the counts agree with the lists.
inline void CheckState(const pith::MergedState& s, std::string_view subject) {
  // The merge writes canon(state) directly: it must parse, and be canon of what it parses to.
  auto parsed = s.Object();
  PITH_FUZZ_CHECK(parsed.ok());
  const pith::json::Value& state = *parsed;
  PITH_FUZZ_CHECK(s.canonical == pith::json::Canonical(state));
  const std::string* sha = state.FindString("state_sha256");
  PITH_FUZZ_CHECK(sha != nullptr && *sha == s.state_sha256);
  PITH_FUZZ_CHECK(s.state_sha256 == pith::Sha256Hex(pith::json::Canonical(state.Without("state_sha256"))));
  const std::string* number = state.FindString("pith_number");
  PITH_FUZZ_CHECK(number != nullptr && *number == subject);
  int64_t valid = IntMember(state, "valid_event_count");
  int64_t invalid = IntMember(state, "invalid_event_count");
  PITH_FUZZ_CHECK(IntMember(state, "event_count") == valid + invalid);
  PITH_FUZZ_CHECK(static_cast<int64_t>(ArrayMember(state, "invalid_events").items().size()) == invalid);
  PITH_FUZZ_CHECK(static_cast<int64_t>(ArrayMember(state, "equivocations").items().size()) ==
                  IntMember(state, "equivocation_count"));
  PITH_FUZZ_CHECK(static_cast<int64_t>(ArrayMember(state, "applied_event_ids").items().size()) <= valid);
}

}  // namespace pith::fuzz
