#include "state_builder.h"

#include <algorithm>
#include <set>

#include "pith/codec.h"
#include "pith/hash.h"
#include "pith/identity.h"

namespace pith::merge_internal {

using json::Value;

Value CurrentEntryJson(const EventNode& e) {
  const json::Value& d = *e.doc;
  return Value::Object({
      {"created_at", *d.Find("created_at")},
      {"event_id", *d.Find("event_id")},
      {"payload", *d.Find("payload")},
      {"signer", *d.Find("signer")},
      {"target", *d.Find("target")},
  });
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

Value InvalidEventsJson(std::vector<InvalidEntry> invalid) {
  std::sort(invalid.begin(), invalid.end(),
            [](const InvalidEntry& a, const InvalidEntry& b) { return a.document_sha256 < b.document_sha256; });
  std::vector<Value> items;
  items.reserve(invalid.size());
  for (const InvalidEntry& e : invalid) items.push_back(InvalidEntryJson(e));
  return Value::Array(std::move(items));
}

Value CurrentJson(const std::vector<const EventNode*>& applied) {
  std::set<std::string_view> superseded;
  for (const EventNode* e : applied) superseded.insert(e->supersedes.begin(), e->supersedes.end());

  std::vector<Value::Member> current;
  const EventNode* record_created = nullptr;
  for (const EventTypeInfo* type = EventTypesBegin(); type != EventTypesEnd(); ++type) {
    std::vector<Value> entries;
    for (const EventNode* e : applied) {
      if (e->type != type || superseded.count(e->event_id) != 0) continue;
      if (IsRecordCreated(*type)) {
        record_created = e;  // the last one in applied order wins
      } else {
        entries.push_back(CurrentEntryJson(*e));
      }
    }
    if (!IsRecordCreated(*type)) current.emplace_back(std::string(type->state_list), Value::Array(std::move(entries)));
  }
  Value canonical_record;
  Value aliases = Value::Array({});
  if (record_created != nullptr) {
    canonical_record = *record_created->doc->Find("payload")->Find("canonical_record");
    // Section 3 derived this identity already; it cannot fail here.
    auto id = DeriveRecordIdentity(canonical_record);
    if (id.ok()) aliases = SourceAliasesJson(id->aliases, std::string(record_created->created_at));
  }
  current.emplace_back("record_created", record_created ? CurrentEntryJson(*record_created) : Value::Null());
  current.emplace_back("canonical_record", std::move(canonical_record));
  current.emplace_back("source_aliases", std::move(aliases));
  return Value::Object(std::move(current));
}

}  // namespace

MergedState BuildState(const MergeOutcome& o) {
  std::vector<Value> applied_ids;
  applied_ids.reserve(o.applied.size());
  for (const EventNode* e : o.applied) applied_ids.push_back(*e->doc->Find("event_id"));

  const size_t invalid_count = o.invalid.size();
  std::vector<Value::Member> members = {
      {"state_type", Value::String("pith_open_graph_state")},
      {"state_version", Value::String("1.0")},
      {"pith_number", Value::String(std::string(o.subject))},
      {"merge_version", Value::String(std::string(o.merge_version))},
      {"event_count", Value::Integer(static_cast<int64_t>(o.valid_event_count + invalid_count))},
      {"valid_event_count", Value::Integer(static_cast<int64_t>(o.valid_event_count))},
      {"invalid_event_count", Value::Integer(static_cast<int64_t>(invalid_count))},
      {"equivocation_count", Value::Integer(static_cast<int64_t>(o.equivocations.size()))},
      {"current", CurrentJson(o.applied)},
      {"equivocations", Value::Array(o.equivocations)},
      {"invalid_events", InvalidEventsJson(o.invalid)},
      {"applied_event_ids", Value::Array(std::move(applied_ids))},
  };
  MergedState out;
  out.state_sha256 = Sha256Hex(json::Canonical(Value::Object(members)));
  members.emplace_back("state_sha256", Value::String(out.state_sha256));
  out.state = Value::Object(std::move(members));
  out.canonical = json::Canonical(out.state);
  return out;
}

}  // namespace pith::merge_internal
