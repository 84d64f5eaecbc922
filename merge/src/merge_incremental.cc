// The incremental merge (pith/merge_incremental.h). Add() is the exact list of conditions of
// specs/storage.md "Incremental appends", numbered alike; each `return false` is one of them.
//
// Why it is exact: when a new document D has an event_id new to W (2) and no well-formed event
// names it (3), D is a sink of the reference graph. Adding a sink changes no other event's
// section 4 verdict (a verdict depends only on the events it names), adds no cycle, changes no
// representative, and only interleaves D into the section 6 order of the others. What is left to
// decide is D's own fate: invalid (1, 4: one invalid_events entry), excluded (6: counts only, since
// a valid D in no equivocation group (5) is excluded exactly when its prev_event is), or applied (7:
// placed last in applied order when its (created_at, event_id) is the largest, entry appended to
// its list; 8: what it supersedes leaves `current`). Anything else declines: the full merge decides.
#include "pith/merge_incremental.h"

#include <algorithm>
#include <set>

#include "pith/json_scan.h"
#include "event_node.h"
#include "event_types.h"
#include "incremental_index.h"
#include "merge_detail.h"
#include "reason_codes.h"
#include "state_builder.h"
#include "state_layout.h"

namespace pith {

using merge_internal::EventNode;
using merge_internal::Fate;
using merge_internal::IndexedEvent;
using merge_internal::IndexValue;
using merge_internal::TailEdit;
namespace reason = merge_internal::reason;

namespace {

// A new entry of a list of `current`, with its separating comma unless the list was empty.
std::string EntryText(const EventNode& e, bool list_empty) {
  std::string text = list_empty ? "" : ",";
  merge_internal::AppendCurrentEntry(e, &text);
  return text;
}

bool IsValidFate(Fate f) { return f == Fate::kApplied || f == Fate::kSuperseded || f == Fate::kExcluded; }

size_t TypeIndex(const merge_internal::EventTypeInfo* type) {
  return static_cast<size_t>(type - merge_internal::EventTypesBegin());
}

IndexedEvent Indexed(const EventNode& e, Fate fate, uint8_t flags = 0) {
  return {
      fate, flags, std::string(e.type->name), std::string(e.target), std::string(e.key_id), std::string(e.signer_id)};
}

bool KeyAfter(std::string_view created_at, std::string_view id, std::string_view max_created_at,
              std::string_view max_id) {
  if (created_at != max_created_at) return created_at > max_created_at;
  return id > max_id;
}

std::string AddToCount(std::string_view digits, uint64_t n) {
  uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
  return std::to_string(v + n);
}

}  // namespace

namespace {

// The incremental form of a full merge's state: `nodes[k]` (every well-formed event) met fate
// `fates[k]`.
Result<IncrementalBase> IncrementalBaseOf(std::string_view subject, MergedState merged, const std::vector<EventNode>& nodes,
                                          const std::vector<Fate>& fates, uint64_t generation) {
  auto split = merge_internal::SplitState(merged.canonical);
  if (!split) return Status::Internal("the merged state of " + std::string(subject) + " cannot be split");

  merge_internal::IncrementalAux aux;
  aux.generation = generation;
  aux.applied_count = split->applied.size();
  aux.layout = split->layout;
  aux.after_applied.Update(kStateHead);
  for (size_t i = 0; i < split->applied.size(); ++i) {
    if (i > 0) aux.after_applied.Update(",");
    aux.after_applied.Update(split->applied[i]);
  }
#ifndef NDEBUG  // hashing the tail again costs as much as the merge's own hash of the state
  if (DigestHex(merge_internal::StateDigest(aux.after_applied, split->tail, aux.layout)) != merged.state_sha256) {
    return Status::Internal("the split state of " + std::string(subject) + " does not hash to its state_sha256");
  }
#endif

  IncrementalBase out;
  std::set<std::string_view> in_w, has_valid_child;
  for (size_t k = 0; k < nodes.size(); ++k) {
    in_w.insert(nodes[k].event_id);
    if (IsValidFate(fates[k]) && nodes[k].prev_event) has_valid_child.insert(*nodes[k].prev_event);
  }
  const std::string marker = merge_internal::EncodeMarker(generation);
  for (size_t k = 0; k < nodes.size(); ++k) {
    const Fate fate = fates[k];
    const EventNode& e = nodes[k];
    const uint8_t flags = has_valid_child.count(e.event_id) ? merge_internal::kHasValidChild : 0;
    out.index[merge_internal::EventIndexKey(e.event_id)] =
        merge_internal::EncodeIndexedEvent(generation, Indexed(e, fate, flags));
    if (IsValidFate(fate) && !e.prev_event)
      out.index[merge_internal::ChainRootIndexKey(e.target, e.key_id)] = marker;
    if (e.prev_event && !in_w.count(*e.prev_event))
      out.index[merge_internal::RefIndexKey(*e.prev_event)] = marker;
    for (std::string_view r : e.supersedes) {
      if (!in_w.count(r)) out.index[merge_internal::RefIndexKey(r)] = marker;
    }
    if ((fate == Fate::kApplied || fate == Fate::kSuperseded) &&
        (aux.max_event_id.empty() || KeyAfter(e.created_at, e.event_id, aux.max_created_at, aux.max_event_id))) {
      aux.max_created_at = e.created_at;
      aux.max_event_id = e.event_id;
    }
  }
  out.split.applied = std::move(split->applied);
  out.split.tail = std::move(split->tail);
  out.split.aux = merge_internal::EncodeAux(aux);
  out.state = std::move(merged);
  return out;
}

}  // namespace

Result<IncrementalBase> MergeIncrementalBase(std::string_view subject, const std::vector<json::Value>& documents,
                                             const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                             std::string_view merge_version, uint64_t generation) {
  std::vector<merge_internal::EventFate> fates;
  auto merged = merge_internal::MergeCheckedDetailed(subject, documents, verdicts, keys, merge_version, &fates);
  if (!merged.ok()) return merged.status();
  std::vector<EventNode> nodes;
  std::vector<Fate> node_fates;
  for (const merge_internal::EventFate& f : fates) {
    nodes.push_back(merge_internal::MakeEventNode(documents[f.document], verdicts[f.document].document_sha256));
    node_fates.push_back(f.fate);
  }
  return IncrementalBaseOf(subject, std::move(*merged), nodes, node_fates, generation);
}

Result<IncrementalBase> MergeIncrementalBase(std::string_view subject, const std::vector<EventRecordView>& records,
                                             const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                             std::string_view merge_version, uint64_t generation) {
  PITH_RETURN_IF_ERROR(CheckMergeVersion(merge_version));
  std::deque<json::Value> claimed;
  std::vector<EventNode> nodes;
  std::vector<merge_internal::InvalidEntry> invalid;
  PITH_RETURN_IF_ERROR(merge_internal::RecordsToNodes(subject, records, verdicts, &claimed, &nodes, &invalid));
  std::vector<Fate> fates;
  auto merged = merge_internal::MergeNodes(subject, merge_version, nodes, std::move(invalid), keys, &fates);
  if (!merged.ok()) return merged.status();
  return IncrementalBaseOf(subject, std::move(*merged), nodes, fates, generation);
}

uint64_t IndexGeneration(std::string_view aux) {
  auto decoded = merge_internal::DecodeAux(aux);
  return decoded ? decoded->generation : 0;
}

bool IndexValueOfGeneration(std::string_view value, uint64_t generation) {
  return merge_internal::DecodeMarker(std::string(value.substr(0, 8)), generation) == IndexValue::kPresent;
}

struct IncrementalMerge::Impl {
  merge_internal::IncrementalAux aux;
  std::string tail;
  IndexReader reader;
  IndexEntries writes;
  std::vector<std::string> added_applied;
  std::vector<SpliceBatch> changes;  // every batch of edits applied to the tail, in order

  // Applies one batch of edits to the tail (and its layout), noting where they fell.
  void Apply(std::vector<TailEdit> edits) {
    SpliceBatch batch;
    for (const TailEdit& e : edits) batch.push_back({e.pos, e.erase, e.insert.size()});
    changes.push_back(std::move(batch));
    merge_internal::ApplyEdits(std::move(edits), &tail, &aux.layout);
  }

  Result<std::optional<std::string>> Lookup(const std::string& key) const {
    if (auto it = writes.find(key); it != writes.end()) return std::optional<std::string>(it->second);
    return reader(key);
  }

  // The indexed event `id`: kAbsent (not well formed here), kPresent, or kDamaged.
  Result<IndexValue> FindEvent(std::string_view id, IndexedEvent* out) const {
    auto v = Lookup(merge_internal::EventIndexKey(id));
    if (!v.ok()) return v.status();
    return merge_internal::DecodeIndexedEvent(*v, aux.generation, out);
  }

  Result<IndexValue> FindMarker(const std::string& key) const {
    auto v = Lookup(key);
    if (!v.ok()) return v.status();
    return merge_internal::DecodeMarker(*v, aux.generation);
  }

  void Put(std::string_view id, const IndexedEvent& e) {
    writes[merge_internal::EventIndexKey(id)] = merge_internal::EncodeIndexedEvent(aux.generation, e);
  }

  // Rewrites the indexed event `id` (one of W) through `change`.
  template <typename Change>
  Status Update(std::string_view id, Change&& change) {
    IndexedEvent e;
    auto v = FindEvent(id, &e);
    if (!v.ok()) return v.status();
    if (*v != IndexValue::kPresent) return Status::Internal("an indexed event vanished during an incremental step");
    change(&e);
    Put(id, e);
    return Status::OK();
  }

  // D names ids outside W: mark them, so that their arrival is recognised as late (condition 3).
  // (Ids of W are never asked about: a document with such an id is a copy, condition 2.)
  void MarkMissing(const EventNode& d, bool prev_known, const std::vector<std::optional<IndexedEvent>>& supersedes) {
    const std::string marker = merge_internal::EncodeMarker(aux.generation);
    if (d.prev_event && !prev_known) writes[merge_internal::RefIndexKey(*d.prev_event)] = marker;
    for (size_t i = 0; i < supersedes.size(); ++i) {
      if (!supersedes[i]) writes[merge_internal::RefIndexKey(d.supersedes[i])] = marker;
    }
  }

  void Count(uint64_t* span, uint64_t n, std::vector<TailEdit>* edits) const {
    edits->push_back(
        {span[0], span[1] - span[0], AddToCount(std::string_view(tail).substr(span[0], span[1] - span[0]), n)});
  }

  // Insert one invalid_events entry at its place (sorted by document_sha256).
  void InsertInvalid(const merge_internal::InvalidEntry& entry, std::vector<TailEdit>* edits) const {
    const merge_internal::StateLayout& l = aux.layout;
    std::string text = json::Canonical(merge_internal::InvalidEntryJson(entry));
    constexpr size_t kHashAt = 20;  // {"document_sha256":"
    size_t before = json::kNoPos;
    json::ForEachElement(tail, l.invalid_open, [&](size_t b, size_t) {
      if (before == json::kNoPos && std::string_view(tail).substr(b + kHashAt, 64) > entry.document_sha256)
        before = b;
    });
    if (before != json::kNoPos) {
      edits->push_back({before, 0, text + ","});
    } else {
      edits->push_back({l.invalid_close, 0, (l.invalid_close == l.invalid_open + 1 ? "" : ",") + text});
    }
  }

  // Where in the list of `type_index` the entry of `id` is: [begin, end), or nullopt.
  std::optional<std::pair<size_t, size_t>> FindEntry(size_t type_index, std::string_view id) const {
    constexpr std::string_view kCreatedAt = "{\"created_at\":", kEventId = ",\"event_id\":";
    std::string quoted = "\"" + std::string(id) + "\"";
    std::optional<std::pair<size_t, size_t>> found;
    std::string_view t = tail;
    json::ForEachElement(t, aux.layout.list_open[type_index], [&](size_t b, size_t e) {
      if (found || t.substr(b, kCreatedAt.size()) != kCreatedAt) return;
      size_t p = json::SkipString(t, b + kCreatedAt.size());
      if (p == json::kNoPos || t.substr(p, kEventId.size()) != kEventId) return;
      if (t.substr(p + kEventId.size(), quoted.size()) == quoted) found = std::make_pair(b, e);
    });
    return found;
  }

  // Edits taking the entries `remove` (element spans of the list of `type_index`) out of it. An
  // entry followed by a kept one leaves with the comma after it; the entries after the last kept
  // one leave together with the comma before them. Only the bytes around the entries change (the
  // list may be megabytes: the store then rewrites one tail piece, not all of the list's).
  void RemoveEntries(size_t type_index, const std::vector<std::pair<size_t, size_t>>& remove,
                     std::vector<TailEdit>* edits) const {
    std::vector<std::pair<size_t, size_t>> elements;
    json::ForEachElement(tail, aux.layout.list_open[type_index], [&](size_t b, size_t e) { elements.emplace_back(b, e); });
    auto removed = [&](size_t i) { return std::find(remove.begin(), remove.end(), elements[i]) != remove.end(); };
    size_t kept_end = 0;  // one past the last kept element
    for (size_t i = elements.size(); i > 0; --i) {
      if (!removed(i - 1)) {
        kept_end = i;
        break;
      }
    }
    for (size_t i = 0; i < kept_end; ++i) {
      if (removed(i)) edits->push_back({elements[i].first, elements[i + 1].first - elements[i].first, ""});
    }
    if (kept_end < elements.size()) {
      const size_t from = kept_end == 0 ? elements.front().first : elements[kept_end - 1].second;
      edits->push_back({from, elements.back().second - from, ""});
    }
  }
};

IncrementalMerge::IncrementalMerge(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IncrementalMerge::IncrementalMerge(IncrementalMerge&&) noexcept = default;
IncrementalMerge& IncrementalMerge::operator=(IncrementalMerge&&) noexcept = default;
IncrementalMerge::~IncrementalMerge() = default;

std::optional<IncrementalMerge> IncrementalMerge::Resume(uint64_t applied_count, std::string tail, std::string_view aux,
                                                         IndexReader reader) {
  auto decoded = merge_internal::DecodeAux(aux);
  if (!decoded || decoded->applied_count != applied_count || !merge_internal::LayoutMatches(decoded->layout, tail)) {
    return std::nullopt;
  }
  auto impl = std::make_unique<Impl>();
  impl->aux = std::move(*decoded);
  impl->tail = std::move(tail);
  impl->reader = std::move(reader);
  return IncrementalMerge(std::move(impl));
}

Result<bool> IncrementalMerge::Add(const json::Value& document, const DocumentVerdict& verdict, const TrustedKeys& keys) {
  const EventRecord record = MakeEventRecord(document);
  return Add(ViewOf(record), verdict, keys);
}

Result<bool> IncrementalMerge::Add(const EventRecordView& record, const DocumentVerdict& verdict, const TrustedKeys& keys) {
  Impl& m = *impl_;
  merge_internal::StateLayout& l = m.aux.layout;
  const uint64_t gen = m.aux.generation;
  std::vector<TailEdit> edits;
  // The event_id an invalid_events entry shows (the record keeps it only when it is a string, all
  // an entry ever shows).
  const json::Value claimed_id = record.event_id ? json::Value::String(std::string(*record.event_id)) : json::Value();

  // (1) A document failing section 3 is one more invalid entry and nothing else.
  if (!verdict.well_formed()) {
    m.InsertInvalid({verdict.document_sha256, &claimed_id, verdict.reason}, &edits);
    m.Count(l.event_count, 1, &edits);
    m.Count(l.invalid_event_count, 1, &edits);
    m.Apply(std::move(edits));
    return true;
  }

  auto node = merge_internal::NodeOfRecord("the subject being merged", record, verdict.document_sha256);
  if (!node.ok()) return node.status();
  const EventNode& d = *node;
  IndexedEvent existing;
  // (2) A new event, not another copy of one (the representative could change).
  auto own = m.FindEvent(d.event_id, &existing);
  if (!own.ok()) return own.status();
  if (*own != IndexValue::kAbsent) return false;
  // (3) Named by no well-formed event (those would see their reference resolve: D must be a sink).
  auto named = m.FindMarker(merge_internal::RefIndexKey(d.event_id));
  if (!named.ok()) return named.status();
  if (*named != IndexValue::kAbsent) return false;

  // (4) Section 4 for D, exactly as CheckReferences decides it, from the indexed referenced events.
  std::optional<IndexedEvent> prev;
  std::vector<std::optional<IndexedEvent>> supersedes;
  auto find_ref = [&m](std::string_view id, std::optional<IndexedEvent>* out) -> Result<bool> {
    IndexedEvent e;
    auto v = m.FindEvent(id, &e);
    if (!v.ok()) return v.status();
    if (*v == IndexValue::kDamaged) return false;
    if (*v == IndexValue::kPresent) {
      if (e.fate == Fate::kCycle) return false;  // D would be unplaced (reference_cycle): leave it to the full merge
      *out = std::move(e);
    }
    return true;
  };
  if (d.prev_event) {
    auto ok = find_ref(*d.prev_event, &prev);
    if (!ok.ok()) return ok.status();
    if (!*ok) return false;
  }
  for (std::string_view s : d.supersedes) {
    supersedes.emplace_back();
    auto ok = find_ref(s, &supersedes.back());
    if (!ok.ok()) return ok.status();
    if (!*ok) return false;
  }
  std::string_view why;
  if (d.prev_event) {
    if (!prev) {
      why = reason::kPrevEventMissing;
    } else if (prev->fate == Fate::kInvalid) {
      why = reason::kPrevEventInvalid;
    } else if (prev->target != d.target || prev->key_id != d.key_id) {
      why = reason::kPrevEventForeign;
    }
  }
  const PublicKeyEntry* key = keys.Find(d.key_id);
  for (size_t i = 0; why.empty() && i < supersedes.size(); ++i) {
    const std::optional<IndexedEvent>& r = supersedes[i];
    if (!r) {
      why = reason::kSupersedesMissing;
    } else if (r->fate == Fate::kInvalid) {
      why = reason::kSupersedesInvalid;
    } else if (!(r->key_id == d.key_id || (key != nullptr && key->signer_id && *key->signer_id == r->signer_id))) {
      why = reason::kSupersedesForeign;
    } else if (merge_internal::IsCorrection(*d.type) ? r->event_type == "record_created" : r->target != d.target) {
      why = reason::kSupersedesWrongTarget;
    }
  }
  if (!why.empty()) {  // D is invalid: one more invalid entry
    m.InsertInvalid({verdict.document_sha256, &claimed_id, why}, &edits);
    m.Count(l.event_count, 1, &edits);
    m.Count(l.invalid_event_count, 1, &edits);
    m.Apply(std::move(edits));
    m.Put(d.event_id, Indexed(d, Fate::kInvalid));
    m.MarkMissing(d, prev.has_value(), supersedes);
    return true;
  }

  // (5) D is valid (so is its prev_event, of the same chain). No other valid event at its chain
  // position (else a new or larger equivocation): after its prev_event, or at the chain's start.
  const std::string root_key = merge_internal::ChainRootIndexKey(d.target, d.key_id);
  if (d.prev_event) {
    if (prev->flags & merge_internal::kHasValidChild) return false;
  } else {
    auto taken = m.FindMarker(root_key);
    if (!taken.ok()) return taken.status();
    if (*taken != IndexValue::kAbsent) return false;
  }
  auto take_chain_position = [&]() -> Status {
    if (!d.prev_event) {
      m.writes[root_key] = merge_internal::EncodeMarker(gen);
      return Status::OK();
    }
    return m.Update(*d.prev_event, [](IndexedEvent* e) { e->flags |= merge_internal::kHasValidChild; });
  };
  // (6) Below an excluded event, D is excluded too: it only counts as valid.
  if (prev && prev->fate == Fate::kExcluded) {
    m.Count(l.event_count, 1, &edits);
    m.Count(l.valid_event_count, 1, &edits);
    m.Apply(std::move(edits));
    m.Put(d.event_id, Indexed(d, Fate::kExcluded));
    PITH_RETURN_IF_ERROR(take_chain_position());
    return true;
  }
  // (7) D is applied. Not a record_created (it would replace record_created, canonical_record and
  // source_aliases), and after every applied event in (created_at, event_id) so that it is placed last.
  if (merge_internal::IsRecordCreated(*d.type)) return false;
  if (!m.aux.max_event_id.empty() && !KeyAfter(d.created_at, d.event_id, m.aux.max_created_at, m.aux.max_event_id)) {
    return false;
  }
  // (8) What D supersedes leaves `current`: entries of applied events not superseded already.
  std::map<size_t, std::vector<std::pair<size_t, size_t>>> removals;  // list -> entry spans
  std::vector<std::string_view> newly_superseded;
  for (size_t i = 0; i < supersedes.size(); ++i) {
    const IndexedEvent& r = *supersedes[i];
    if (r.fate != Fate::kApplied) continue;  // superseded already, or excluded: no entry to remove
    const merge_internal::EventTypeInfo* type = merge_internal::FindEventType(r.event_type);
    if (type == nullptr || merge_internal::IsRecordCreated(*type)) return false;
    auto span = m.FindEntry(TypeIndex(type), d.supersedes[i]);
    if (!span) return false;  // the index and the state disagree: never guess
    removals[TypeIndex(type)].push_back(*span);
    newly_superseded.push_back(d.supersedes[i]);
  }
  // Everything is decided; from here on the step only writes.
  if (!removals.empty()) {
    for (const auto& [type_index, spans] : removals) m.RemoveEntries(type_index, spans, &edits);
    m.Apply(std::move(edits));
    edits.clear();
  }
  const size_t t = TypeIndex(d.type);
  const bool list_empty = l.list_close[t] == l.list_open[t] + 1;
  edits.push_back({l.list_close[t], 0, EntryText(d, list_empty)});
  m.Count(l.event_count, 1, &edits);
  m.Count(l.valid_event_count, 1, &edits);
  m.Apply(std::move(edits));

  std::string element = json::Canonical(claimed_id);
  m.aux.after_applied.Update(m.aux.applied_count == 0 ? element : "," + element);
  ++m.aux.applied_count;
  m.added_applied.push_back(std::move(element));
  m.aux.max_created_at = d.created_at;
  m.aux.max_event_id = d.event_id;

  m.Put(d.event_id, Indexed(d, Fate::kApplied));
  PITH_RETURN_IF_ERROR(take_chain_position());
  for (std::string_view id : newly_superseded) {
    PITH_RETURN_IF_ERROR(m.Update(id, [](IndexedEvent* e) { e->fate = Fate::kSuperseded; }));
  }
  return true;
}

SplitState IncrementalMerge::Finish() {
  Impl& m = *impl_;
  std::string hex = DigestHex(merge_internal::StateDigest(m.aux.after_applied, m.tail, m.aux.layout));
  m.tail.replace(m.aux.layout.sha_hex, 64, hex);
  m.changes.push_back({{m.aux.layout.sha_hex, 64, 64}});
  SplitState out;
  out.applied = std::move(m.added_applied);
  out.tail = std::move(m.tail);
  out.tail_changes = std::move(m.changes);
  out.aux = merge_internal::EncodeAux(m.aux);
  return out;
}

const IndexEntries& IncrementalMerge::index_writes() const { return impl_->writes; }

}  // namespace pith
