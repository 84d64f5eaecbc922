#include "event_types.h"

#include <algorithm>
#include <array>

#include "pith/codec.h"

namespace pith::merge_internal {
namespace {

constexpr unsigned kRegistry = 1u << 0, kAuthor = 1u << 1, kResearcher = 1u << 2, kTimestamp = 1u << 3,
                   kStorage = 1u << 4, kMirror = 1u << 5, kAnySigner = 0x3F;

constexpr std::array<EventTypeInfo, 9> kEventTypes = {{
    {"record_created", "record", "record_created", kRegistry},
    {"graph_snapshot", "graph", "graph_snapshots", kRegistry},
    {"author_attestation", "author", "author_attestations", kAuthor | kRegistry},
    {"timestamp_anchor", "timestamp", "timestamp_anchors", kTimestamp | kRegistry},
    {"storage_attestation", "storage", "storage_attestations", kStorage | kMirror | kRegistry},
    {"citation_signature", "citation", "citation_signatures", kAuthor | kResearcher | kRegistry},
    {"replication_record", "replication", "replication_records", kResearcher | kAuthor | kRegistry},
    {"correction", "correction", "corrections", kAnySigner},
    {"mirror_hint", "mirror", "mirror_hints", kMirror | kRegistry},
}};

// A member as Find returns it: a pointer (json::Value) or an optional (json::View).
template <typename M>
bool IsText(const M& v) { return v && v->is_string() && !v->text().empty(); }
template <typename M>
bool IsString(const M& v) { return v && v->is_string(); }
template <typename M>
bool IsObject(const M& v) { return v && v->is_object(); }
template <typename M>
bool IsDigest(const M& v) { return v && v->is_string() && IsLowerHex(v->text(), 32); }

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

const EventTypeInfo* FindEventType(std::string_view event_type) {
  for (const EventTypeInfo& t : kEventTypes) {
    if (t.name == event_type) return &t;
  }
  return nullptr;
}

const EventTypeInfo* EventTypesBegin() { return kEventTypes.data(); }
const EventTypeInfo* EventTypesEnd() { return kEventTypes.data() + kEventTypes.size(); }

bool SignerTypeAllowed(const EventTypeInfo& type, std::string_view signer_type) {
  for (size_t i = 0; i < std::size(kSignerTypes); ++i) {
    if (kSignerTypes[i] == signer_type) return (type.allowed_signers >> i) & 1u;
  }
  return false;
}

template <typename Doc>
bool PayloadShapeValid(const EventTypeInfo& type, const Doc& p) {
  auto m = [&p](std::string_view key) { return p.Find(key); };
  const std::string_view n = type.name;
  if (n == "record_created") {
    const auto version = m("source_version");
    return IsObject(m("canonical_record")) && IsDigest(m("canonical_sha256")) && IsObject(m("receipt")) &&
           IsString(m("source_kind")) && IsString(m("source_id")) && version &&
           (version->is_integer() || version->is_string()) && IsString(m("attestation_state"));
  }
  if (n == "graph_snapshot") return IsObject(m("graph_snapshot"));
  if (n == "author_attestation") return IsText(m("author_name")) && IsString(m("statement"));
  if (n == "timestamp_anchor") {
    const auto proof = m("proof");
    return IsText(m("anchor_type")) && IsDigest(m("anchored_sha256")) && proof &&
           (proof->is_string() || proof->is_object());
  }
  if (n == "storage_attestation") return IsText(m("storage_type")) && IsText(m("locator")) && IsDigest(m("stored_sha256"));
  if (n == "citation_signature") return IsText(m("citing")) && IsText(m("cited"));
  if (n == "replication_record") {
    const auto outcome = m("outcome");
    static constexpr std::string_view kOutcomes[] = {"replicated", "partially_replicated", "not_replicated",
                                                     "inconclusive"};
    return IsString(outcome) &&
           std::find(std::begin(kOutcomes), std::end(kOutcomes), outcome->text()) != std::end(kOutcomes) &&
           IsText(m("report_locator"));
  }
  if (n == "correction") return IsText(m("reason"));
  if (n == "mirror_hint") {
    const auto url = m("base_url");
    return IsText(m("mirror_type")) && IsText(m("name")) && IsString(url) &&
           (StartsWith(url->text(), "https://") || StartsWith(url->text(), "http://"));
  }
  return false;
}

template bool PayloadShapeValid(const EventTypeInfo&, const json::Value&);
template bool PayloadShapeValid(const EventTypeInfo&, const json::View&);

}  // namespace pith::merge_internal
