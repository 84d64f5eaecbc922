// The merge: sections 4 (references), 5 (equivocation) and 6 (order) of merge-v1.md, around the
// per-document checks of section 3 and the state writer of sections 7-8.
#include "pith/merge.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "event_order.h"
#include "merge_detail.h"
#include "pith/parallel_for.h"
#include "reason_codes.h"
#include "state_builder.h"

namespace pith {

using merge_internal::EventNode;
namespace reason = merge_internal::reason;

namespace merge_internal {

std::string DocumentSha256Of(const EventNode& node) {
  return node.document_sha256.empty() ? Sha256Hex(node.document_bytes) : std::string(node.document_sha256);
}

EventNode MakeEventNode(const json::Value& doc, std::string_view document_sha256) {
  EventNode e;
  e.doc = &doc;
  e.claimed_event_id = doc.Find("event_id");
  e.type = FindEventType(*doc.FindString("event_type"));
  e.document_sha256 = document_sha256;
  e.event_id = *doc.FindString("event_id");
  e.target = *doc.FindString("target");
  e.created_at = *doc.FindString("created_at");
  const json::Value& signer = *doc.Find("signer");
  e.key_id = *signer.FindString("key_id");
  e.signer_id = *signer.FindString("signer_id");
  const json::Value* prev = doc.Find("prev_event");
  if (prev->is_string()) e.prev_event = prev->text();
  for (const json::Value& s : doc.Find("supersedes")->items()) e.supersedes.push_back(s.text());
  return e;
}

json::Value EventNode::SignerJson() const {
  if (doc != nullptr) return *doc->Find("signer");
  auto parsed = json::Parse(signer);  // written by MakeEventRecord from a parsed document
  return parsed.ok() ? std::move(*parsed) : json::Value();
}

namespace {

// Section 4 for one event whose referenced events are already decided. Empty when it passes.
std::string_view CheckReferences(const EventNode& e, const std::unordered_map<std::string_view, const EventNode*>& by_id,
                                 const std::set<std::string_view>& invalid, const TrustedKeys& keys) {
  auto lookup = [&by_id](std::string_view id) -> const EventNode* {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  };
  if (e.prev_event) {
    const EventNode* r = lookup(*e.prev_event);
    if (r == nullptr) return reason::kPrevEventMissing;
    if (invalid.count(r->event_id)) return reason::kPrevEventInvalid;
    if (r->target != e.target || r->key_id != e.key_id) return reason::kPrevEventForeign;
  }
  const PublicKeyEntry* key = keys.Find(e.key_id);
  for (std::string_view id : e.supersedes) {
    const EventNode* r = lookup(id);
    if (r == nullptr) return reason::kSupersedesMissing;
    if (invalid.count(r->event_id)) return reason::kSupersedesInvalid;
    bool same_signer = r->key_id == e.key_id || (key != nullptr && key->signer_id && *key->signer_id == r->signer_id);
    if (!same_signer) return reason::kSupersedesForeign;
    if (IsCorrection(*e.type) ? IsRecordCreated(*r->type) : r->target != e.target) {
      return reason::kSupersedesWrongTarget;
    }
  }
  return {};
}

// Section 5: the equivocation entries, and every event they exclude.
std::vector<json::Value> FindEquivocations(const std::vector<const EventNode*>& valid, std::set<std::string_view>* excluded) {
  // Events in one chain position share (target, key, prev_event): sorted by that and then by
  // event_id, each run of two or more is one equivocation group.
  auto position = [](const EventNode* e) {
    std::string_view prev = e->prev_event.value_or(std::string_view());
    return std::make_tuple(e->target, e->key_id, e->prev_event.has_value(), prev);
  };
  std::vector<const EventNode*> sorted(valid);
  std::sort(sorted.begin(), sorted.end(), [&](const EventNode* a, const EventNode* b) {
    auto pa = position(a), pb = position(b);
    return pa != pb ? pa < pb : a->event_id < b->event_id;
  });
  std::vector<json::Value> entries;
  std::vector<const EventNode*> frontier;
  for (size_t begin = 0, end = 0; begin < sorted.size(); begin = end) {
    end = begin + 1;
    while (end < sorted.size() && position(sorted[end]) == position(sorted[begin])) ++end;
    if (end - begin < 2) continue;
    const std::vector<const EventNode*> group(sorted.begin() + static_cast<std::ptrdiff_t>(begin),
                                              sorted.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<json::Value> ids;
    for (const EventNode* e : group) {
      ids.push_back(json::Value::String(std::string(e->event_id)));
      frontier.push_back(e);
    }
    const EventNode* first = group.front();
    entries.push_back(json::Value::Object({
        {"event_ids", json::Value::Array(std::move(ids))},
        {"fork_point", first->prev_event ? json::Value::String(std::string(*first->prev_event)) : json::Value::Null()},
        {"key_id", json::Value::String(std::string(first->key_id))},
        {"signer", first->SignerJson()},
        {"target", json::Value::String(std::string(first->target))},
    }));
  }
  if (frontier.empty()) return entries;  // no fork: nothing excluded
  std::map<std::string_view, std::vector<const EventNode*>> children;  // by prev_event
  for (const EventNode* e : valid) {
    if (e->prev_event) children[*e->prev_event].push_back(e);
  }
  while (!frontier.empty()) {
    const EventNode* e = frontier.back();
    frontier.pop_back();
    if (!excluded->insert(e->event_id).second) continue;
    if (auto it = children.find(e->event_id); it != children.end()) {
      frontier.insert(frontier.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(entries.begin(), entries.end(), [](const json::Value& a, const json::Value& b) {
    return a.Find("event_ids")->items().front().text() < b.Find("event_ids")->items().front().text();
  });
  return entries;
}

}  // namespace
}  // namespace merge_internal

bool IsKnownMergeVersion(std::string_view version) { return version == kMergeV1; }

Status CheckMergeVersion(std::string_view version) {
  if (IsKnownMergeVersion(version)) return Status::OK();
  return Status::Unsupported("unknown merge version \"" + std::string(version) + "\"; this build implements " +
                             std::string(kMergeV1));
}

Result<json::Value> MergedState::Object() const {
  auto parsed = json::Parse(canonical);
  if (!parsed.ok()) return Status::Corruption("a state does not parse: " + parsed.status().message());
  return parsed;
}

Result<MergedState> MergeChecked(std::string_view subject, const std::vector<json::Value>& documents,
                                 const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                 std::string_view merge_version) {
  return merge_internal::MergeCheckedDetailed(subject, documents, verdicts, keys, merge_version, nullptr);
}

Result<MergedState> merge_internal::MergeNodes(std::string_view subject, std::string_view merge_version,
                                               std::vector<EventNode> nodes, std::vector<InvalidEntry> invalid,
                                               const TrustedKeys& keys, std::vector<Fate>* fates) {
  merge_internal::MergeOutcome outcome;
  outcome.subject = subject;
  outcome.merge_version = merge_version;
  outcome.invalid = std::move(invalid);

  // The claimed event_id of an invalid event whose node has none (a node made from a record).
  std::deque<json::Value> made_ids;
  auto claimed = [&made_ids](const EventNode* e) {
    if (e->claimed_event_id != nullptr) return e->claimed_event_id;
    made_ids.push_back(json::Value::String(std::string(e->event_id)));
    return static_cast<const json::Value*>(&made_ids.back());
  };
  std::vector<const EventNode*> well_formed;
  std::unordered_map<std::string_view, const EventNode*> by_id;
  for (const EventNode& e : nodes) {
    well_formed.push_back(&e);
    by_id.emplace(e.event_id, &e);
  }

  // Section 4, in the order of section 6 over all well-formed events.
  merge_internal::EventOrder order = merge_internal::OrderEvents(well_formed);
  std::set<std::string_view> invalid_ids;
  std::vector<const EventNode*> valid;
  for (size_t i : order.placed) {
    const EventNode* e = well_formed[i];
    std::string_view r = merge_internal::CheckReferences(*e, by_id, invalid_ids, keys);
    if (r.empty()) {
      valid.push_back(e);
    } else {
      invalid_ids.insert(e->event_id);
      outcome.invalid.push_back({merge_internal::DocumentSha256Of(*e), claimed(e), r});
    }
  }
  for (size_t i : order.unplaced) {
    const EventNode* e = well_formed[i];
    outcome.invalid.push_back({merge_internal::DocumentSha256Of(*e), claimed(e), reason::kReferenceCycle});
  }
  outcome.valid_event_count = valid.size();

  // Sections 5 and 6.
  std::set<std::string_view> excluded;
  outcome.equivocations = merge_internal::FindEquivocations(valid, &excluded);
  std::vector<const EventNode*> applied;
  for (const EventNode* e : valid) {
    if (!excluded.count(e->event_id)) applied.push_back(e);
  }
  merge_internal::EventOrder applied_order = merge_internal::OrderEvents(applied);
  for (size_t i : applied_order.placed) outcome.applied.push_back(applied[i]);
  if (fates != nullptr) {
    std::set<std::string_view> valid_ids, superseded;
    for (const EventNode* e : valid) valid_ids.insert(e->event_id);
    for (const EventNode* e : applied) superseded.insert(e->supersedes.begin(), e->supersedes.end());
    std::set<size_t> unplaced(order.unplaced.begin(), order.unplaced.end());
    fates->clear();
    for (size_t k = 0; k < nodes.size(); ++k) {
      std::string_view id = nodes[k].event_id;
      fates->push_back(unplaced.count(k)        ? merge_internal::Fate::kCycle
                       : !valid_ids.count(id)   ? merge_internal::Fate::kInvalid
                       : excluded.count(id)     ? merge_internal::Fate::kExcluded
                       : superseded.count(id)   ? merge_internal::Fate::kSuperseded
                                                : merge_internal::Fate::kApplied);
    }
  }
  return merge_internal::BuildState(outcome);
}

merge_internal::DistinctDocuments merge_internal::SelectDistinct(
    const std::vector<DocumentVerdict>& verdicts, const std::function<std::string_view(size_t)>& event_id) {
  DistinctDocuments out;
  std::set<std::string_view> seen_documents;
  std::map<std::string_view, size_t> representative;  // event_id -> index
  for (size_t i = 0; i < verdicts.size(); ++i) {
    const DocumentVerdict& v = verdicts[i];
    // (A deferred hash is empty and its event_id unique among the well-formed: not a copy.)
    if (!v.document_sha256.empty() && !seen_documents.insert(v.document_sha256).second) continue;
    if (!v.well_formed()) {
      out.invalid.push_back(i);
      continue;
    }
    auto [it, inserted] = representative.emplace(event_id(i), i);
    if (!inserted && v.document_sha256 < verdicts[it->second].document_sha256) it->second = i;
  }
  for (const auto& [id, i] : representative) out.representatives.push_back(i);
  return out;
}

Result<MergedState> merge_internal::MergeCheckedDetailed(std::string_view subject, const std::vector<json::Value>& documents,
                                                         const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                                         std::string_view merge_version, std::vector<EventFate>* fates) {
  PITH_RETURN_IF_ERROR(CheckMergeVersion(merge_version));
  if (verdicts.size() != documents.size()) return Status::Internal("one verdict per document is required");

  DistinctDocuments distinct =
      SelectDistinct(verdicts, [&documents](size_t i) -> std::string_view { return *documents[i].FindString("event_id"); });
  std::vector<InvalidEntry> invalid;
  for (size_t i : distinct.invalid) invalid.push_back({verdicts[i].document_sha256, documents[i].Find("event_id"), verdicts[i].reason});
  std::vector<EventNode> nodes;
  nodes.reserve(distinct.representatives.size());
  const std::vector<size_t>& node_document = distinct.representatives;  // nodes[k] is documents[node_document[k]]
  for (size_t i : node_document) nodes.push_back(merge_internal::MakeEventNode(documents[i], verdicts[i].document_sha256));
  std::vector<Fate> node_fates;
  auto merged = MergeNodes(subject, merge_version, std::move(nodes), std::move(invalid), keys, fates ? &node_fates : nullptr);
  if (fates != nullptr) {
    fates->clear();
    for (size_t k = 0; k < node_fates.size(); ++k) fates->push_back({node_document[k], node_fates[k]});
  }
  return merged;
}

void CheckDocuments(const std::vector<json::Value>& documents, std::string_view subject, const TrustedKeys& keys,
                    unsigned threads, std::vector<DocumentVerdict>* out) {
  out->assign(documents.size(), DocumentVerdict());
  ParallelFor(documents.size(), threads,
                              [&](size_t i) { (*out)[i] = CheckDocument(documents[i], subject, keys); });
}

Status CheckSubjectSize(std::string_view subject, size_t count) {
  if (count <= kMaxDocumentsPerSubject) return Status::OK();
  return Status::InvalidInput(std::string(subject) + " has " + std::to_string(count) + " event documents; one merge takes at most " +
                              std::to_string(kMaxDocumentsPerSubject));
}

Result<MergedState> Merge(std::string_view subject, const std::vector<json::Value>& documents,
                          const TrustedKeys& keys, const MergeOptions& options) {
  PITH_RETURN_IF_ERROR(CheckMergeVersion(options.merge_version));
  PITH_RETURN_IF_ERROR(CheckSubjectSize(subject, documents.size()));
  std::vector<DocumentVerdict> verdicts;
  CheckDocuments(documents, subject, keys, options.threads, &verdicts);
  return MergeChecked(subject, documents, verdicts, keys, options.merge_version);
}

}  // namespace pith
