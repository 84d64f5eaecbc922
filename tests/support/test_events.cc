#include "test_events.h"

#include <cstdio>
#include <map>

#include "pith/hash.h"
#include "pith/identity.h"

namespace pith::testing {

using json::Value;

SigningKey FixedKey(const std::string& name, const std::optional<std::string>& signer_id,
                    const std::optional<std::string>& signer_type) {
  Digest seed = Sha256("pith-merge test key " + name);
  return MakeSigningKey(name, Ed25519FromSeed(seed), signer_id, signer_type);
}

namespace {

std::string Time(int seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-08-01T%02d:%02d:%02dZ", (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
  return buf;
}

Value TamperPayload(const Value& event) {
  std::vector<Value::Member> m = event.Without({"payload"}).members();
  m.emplace_back("payload", Value::Object({{"graph_snapshot", Value::Object({{"tampered", Value::Bool(true)}})}}));
  return Value::Object(std::move(m));
}

Value WithSignedAt(const Value& event, const std::string& signed_at) {
  std::vector<Value::Member> sig = event.Find("signature")->Without({"signed_at"}).members();
  sig.emplace_back("signed_at", Value::String(signed_at));
  std::vector<Value::Member> m = event.Without({"signature"}).members();
  m.emplace_back("signature", Value::Object(std::move(sig)));
  return Value::Object(std::move(m));
}

}  // namespace

GeneratedSubject MakeSubject(int index, size_t size, const SigningKey& registry, const SigningKey& stranger,
                             std::mt19937_64& rng) {
  Value record = Value::Object({
      {"metadata", Value::Object({{"submitted_at", Value::String("2025-01-0" + std::to_string(1 + index % 9) + "T00:00:00Z")},
                                  {"title_canon_sha256", Value::String(Sha256Hex("title " + std::to_string(index)))}})},
      {"schema_version", Value::String("1.0")},
      {"source", Value::Object({{"id", Value::String("2501." + std::to_string(10000 + index))},
                                {"kind", Value::String("arxiv")},
                                {"version", Value::Integer(1 + index % 3)}})},
  });
  GeneratedSubject out;
  out.pith_number = DeriveRecordIdentity(record)->pith_number;
  auto draft = [&](std::string type, std::string target, int t, Value payload) {
    EventDraft d;
    d.event_type = std::move(type);
    d.subject_pith_number = out.pith_number;
    d.target = std::move(target);
    d.created_at = Time(t);
    d.payload = std::move(payload);
    d.signer_id = "registry.test";
    d.signer_type = "pith_registry";
    return d;
  };
  out.events.push_back(SignEvent(draft("record_created", "record", 0, RecordCreatedPayload(record, registry, "2026-08-01T00:00:00.1Z")),
                                 registry, "2026-08-01T00:00:00.2Z"));
  // Chains per target; the head of each is what the next event names.
  std::map<std::string, std::string> head;
  std::vector<std::string> graph_ids;
  int t = 1;
  while (out.events.size() < size) {
    uint64_t pick = rng() % 100;
    ++t;
    if (pick < 45) {  // the graph chain, sometimes superseding the previous snapshot
      EventDraft d = draft("graph_snapshot", "graph", t, Value::Object({{"graph_snapshot", Value::Object({{"n", Value::Integer(t)}, {"label", Value::String("snapshot é ✓ " + std::to_string(t))}})}}));
      if (head.count("graph")) d.prev_event = head["graph"];
      if (!graph_ids.empty() && rng() % 3 == 0) d.supersedes.push_back(graph_ids.back());
      Value e = SignEvent(d, registry, "2026-08-01T00:00:01Z");
      head["graph"] = *e.FindString("event_id");
      graph_ids.push_back(head["graph"]);
      out.events.push_back(std::move(e));
    } else if (pick < 65) {  // mirror hints, chained
      EventDraft d = draft("mirror_hint", "mirror", t, Value::Object({{"mirror_type", Value::String("https")}, {"name", Value::String("m" + std::to_string(t))}, {"base_url", Value::String("https://m.example/" + std::to_string(t))}}));
      if (head.count("mirror")) d.prev_event = head["mirror"];
      Value e = SignEvent(d, registry, "2026-08-01T00:00:01Z");
      head["mirror"] = *e.FindString("event_id");
      out.events.push_back(std::move(e));
    } else if (pick < 72) {  // a fork: a second event on the graph chain's current prev
      EventDraft d = draft("graph_snapshot", "graph", t, Value::Object({{"graph_snapshot", Value::Object({{"fork", Value::Integer(t)}})}}));
      if (graph_ids.size() >= 2) d.prev_event = graph_ids[graph_ids.size() - 2];
      out.events.push_back(SignEvent(d, registry, "2026-08-01T00:00:01Z"));
    } else if (pick < 80 && !out.events.empty()) {  // a tampered copy of an earlier event
      out.events.push_back(TamperPayload(out.events[rng() % out.events.size()]));
    } else if (pick < 86 && !out.events.empty()) {  // the same event with another signed_at
      out.events.push_back(WithSignedAt(out.events[rng() % out.events.size()], "2027-01-01T00:00:0" + std::to_string(t % 10) + "Z"));
    } else if (pick < 92) {  // an untrusted signer
      EventDraft d = draft("citation_signature", "citation", t, Value::Object({{"citing", Value::String("x")}, {"cited", Value::String(out.pith_number)}}));
      d.signer_type = "researcher";
      out.events.push_back(SignEvent(d, stranger, "2026-08-01T00:00:01Z"));
    } else {  // a prev_event that is nowhere
      EventDraft d = draft("timestamp_anchor", "timestamp", t, Value::Object({{"anchor_type", Value::String("test")}, {"anchored_sha256", Value::String(Sha256Hex("a"))}, {"proof", Value::String("p")}}));
      d.prev_event = "sha256:" + Sha256Hex("missing " + std::to_string(t));
      out.events.push_back(SignEvent(d, registry, "2026-08-01T00:00:01Z"));
    }
  }
  return out;
}

}  // namespace pith::testing
