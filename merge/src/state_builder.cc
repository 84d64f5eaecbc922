#include "state_builder.h"

#include <algorithm>
#include <functional>
#include <set>

#include "pith/codec.h"
#include "pith/hash.h"
#include "pith/identity.h"

namespace pith::merge_internal {

using json::Value;

void AppendCurrentEntry(const EventNode& e, std::string* out) {
  if (e.doc == nullptr) {
    out->append(e.entry);
    return;
  }
  // The entry's keys, already in canonical (sorted) order.
  static constexpr std::string_view kKeys[] = {"created_at", "event_id", "payload", "signer", "target"};
  const json::Value& d = *e.doc;
  out->push_back('{');
  for (std::string_view key : kKeys) {
    if (key != kKeys[0]) out->push_back(',');
    json::AppendCanonicalString(key, out);
    out->push_back(':');
    json::AppendCanonical(*d.Find(key), out);
  }
  out->push_back('}');
}

Value InvalidEntryJson(const InvalidEntry& e) {
  const json::Value* id = e.claimed_event_id;
  bool well_formed_id = id != nullptr && id->is_string() && id->text().size() == 71 &&
                        id->text().compare(0, 7, "sha256:") == 0 && IsLowerHex(std::string_view(id->text()).substr(7), 32);
  return Value::Object({
      {"document_sha256", Value::String(e.document_sha256)},
      {"event_id", well_formed_id ? *id : Value::Null()},
      {"reason", Value::String(std::string(e.reason))},
  });
}

namespace {

// Writes canon of an object whose member values are written by callbacks: the members are
// sorted by key here, so callers list them in any order.
class ObjectWriter {
 public:
  using WriteValue = std::function<void(std::string*)>;
  void Add(std::string_view key, WriteValue write) { members_.emplace_back(key, std::move(write)); }
  void AddText(std::string_view key, std::string text) {
    Add(key, [text = std::move(text)](std::string* out) { out->append(text); });
  }
  // Appends the object; *key_offsets (if given) receives where each key's opening quote landed.
  void Write(std::string* out, std::vector<std::pair<std::string_view, size_t>>* key_offsets = nullptr) {
    std::sort(members_.begin(), members_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    out->push_back('{');
    for (size_t i = 0; i < members_.size(); ++i) {
      if (i > 0) out->push_back(',');
      if (key_offsets) key_offsets->emplace_back(members_[i].first, out->size());
      json::AppendCanonicalString(members_[i].first, out);
      out->push_back(':');
      members_[i].second(out);
    }
    out->push_back('}');
  }

 private:
  std::vector<std::pair<std::string_view, WriteValue>> members_;
};

void AppendInvalidEvents(std::vector<InvalidEntry> invalid, std::string* out) {
  std::sort(invalid.begin(), invalid.end(),
            [](const InvalidEntry& a, const InvalidEntry& b) { return a.document_sha256 < b.document_sha256; });
  out->push_back('[');
  for (size_t i = 0; i < invalid.size(); ++i) {
    if (i > 0) out->push_back(',');
    json::AppendCanonical(InvalidEntryJson(invalid[i]), out);
  }
  out->push_back(']');
}

void AppendCurrent(const std::vector<const EventNode*>& applied, std::string* out) {
  std::set<std::string_view> superseded;
  for (const EventNode* e : applied) superseded.insert(e->supersedes.begin(), e->supersedes.end());

  ObjectWriter current;
  const EventNode* record_created = nullptr;
  for (const EventTypeInfo* type = EventTypesBegin(); type != EventTypesEnd(); ++type) {
    if (IsRecordCreated(*type)) {
      for (const EventNode* e : applied) {
        if (e->type == type && superseded.count(e->event_id) == 0) record_created = e;  // the last one wins
      }
      continue;
    }
    current.Add(type->state_list, [&applied, &superseded, type](std::string* o) {
      o->push_back('[');
      bool first = true;
      for (const EventNode* e : applied) {
        if (e->type != type || superseded.count(e->event_id) != 0) continue;
        if (!first) o->push_back(',');
        first = false;
        AppendCurrentEntry(*e, o);
      }
      o->push_back(']');
    });
  }
  std::string record_entry = "null", canonical_record = "null", aliases = "[]";
  if (record_created != nullptr) {
    record_entry.clear();
    AppendCurrentEntry(*record_created, &record_entry);
    Value parsed_entry;  // a node made from a record has its entry text only
    if (record_created->doc == nullptr) {
      auto parsed = json::Parse(record_created->entry);
      if (parsed.ok()) parsed_entry = std::move(*parsed);
    }
    const Value& source = record_created->doc ? *record_created->doc : parsed_entry;
    const Value* payload = source.Find("payload");
    const Value* found = payload ? payload->Find("canonical_record") : nullptr;
    static const Value kNull;
    const Value& record = found ? *found : kNull;
    canonical_record = json::Canonical(record);
    // Section 3 derived this identity already; it cannot fail here.
    auto id = DeriveRecordIdentity(record);
    if (id.ok()) aliases = json::Canonical(SourceAliasesJson(id->aliases, std::string(record_created->created_at)));
  }
  current.AddText("record_created", std::move(record_entry));
  current.AddText("canonical_record", std::move(canonical_record));
  current.AddText("source_aliases", std::move(aliases));
  current.Write(out);
}

}  // namespace

MergedState BuildState(const MergeOutcome& o) {
  const size_t invalid_count = o.invalid.size();
  auto count = [](size_t n) { return std::to_string(n); };
  ObjectWriter state;
  state.Add("applied_event_ids", [&o](std::string* out) {
    out->push_back('[');
    for (size_t i = 0; i < o.applied.size(); ++i) {
      if (i > 0) out->push_back(',');
      json::AppendCanonicalString(o.applied[i]->event_id, out);
    }
    out->push_back(']');
  });
  state.Add("current", [&o](std::string* out) { AppendCurrent(o.applied, out); });
  state.AddText("equivocation_count", count(o.equivocations.size()));
  state.AddText("equivocations", json::Canonical(Value::Array(o.equivocations)));
  state.AddText("event_count", count(o.valid_event_count + invalid_count));
  state.Add("invalid_events", [&o](std::string* out) { AppendInvalidEvents(o.invalid, out); });
  state.AddText("invalid_event_count", count(invalid_count));
  state.AddText("merge_version", json::Canonical(Value::String(std::string(o.merge_version))));
  state.AddText("pith_number", json::Canonical(Value::String(std::string(o.subject))));
  state.AddText("state_type", "\"pith_open_graph_state\"");
  state.AddText("state_version", "\"1.0\"");
  state.AddText("valid_event_count", count(o.valid_event_count));

  // canon(state without state_sha256) is hashed. The state is written once, with state_sha256 at
  // its sorted place holding 64 zeros; the hash streams the bytes before and after that member
  // (which ends in a comma: state_type always follows it) and the zeros become its hex.
  constexpr std::string_view kPlaceholder = "\"0000000000000000000000000000000000000000000000000000000000000000\"";
  state.AddText("state_sha256", std::string(kPlaceholder));
  size_t reserve = 4096 + 74 * o.applied.size() + 256 * o.invalid.size();
  for (const EventNode* e : o.applied) reserve += e->entry.size();  // empty for nodes made from documents
  MergedState out;
  out.canonical.reserve(reserve);
  std::vector<std::pair<std::string_view, size_t>> offsets;
  state.Write(&out.canonical, &offsets);
  size_t member = 0, next = 0;
  for (size_t i = 0; i + 1 < offsets.size(); ++i) {
    if (offsets[i].first == "state_sha256") member = offsets[i].second, next = offsets[i + 1].second;
  }
  const std::string_view text = out.canonical;
  Sha256Stream hash;
  hash.Update(text.substr(0, member));
  hash.Update(text.substr(next));
  out.state_sha256 = DigestHex(hash.Final());
  const size_t zeros_at = next - 2 - 64;  // the zeros end before the closing quote and the comma
  out.canonical.replace(zeros_at, 64, out.state_sha256);
  return out;
}

}  // namespace pith::merge_internal
