#include "pith/event_record.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <set>

#include "event_node.h"
#include "event_types.h"
#include "merge_detail.h"
#include "reason_codes.h"

namespace pith {
namespace {

constexpr char kMagic = 'R';
constexpr char kVersion = 1;
// kInDocument: the entry's members and the signer object are given as places in the document the
// record is kept beside (EncodeEventRecordBeside), not as bytes.
enum Flags : uint8_t { kHasEventId = 1, kHasSignerKey = 2, kHasReceiptKey = 4, kHasEvent = 8, kHasPrev = 16, kInDocument = 32 };
constexpr uint32_t kMaxEntryMembers = 8;  // an entry has five

// obj.key when obj (a member as Find returns it) is an object with that string member.
template <typename M>
std::optional<std::string> StringAt(const M& obj, std::string_view key) {
  if (!obj) return std::nullopt;
  const auto s = obj->FindString(key);
  return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
}

// A length or count: 4 bytes, little-endian.
void PutLength(size_t value, std::string* out) {
  const uint32_t n = static_cast<uint32_t>(value);
  char bytes[4] = {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
  out->append(bytes, 4);
}

void PutString(std::string_view s, std::string* out) {
  PutLength(s.size(), out);
  out->append(s);
}

// Reads what PutString wrote; false past the end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool Byte(uint8_t* b) {
    if (rest_.empty()) return false;
    *b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return true;
  }
  bool Length(uint32_t* n) {
    if (rest_.size() < 4) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(rest_.data());
    *n = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
    rest_.remove_prefix(4);
    return true;
  }
  bool String(std::string_view* s) {
    uint32_t n = 0;
    if (!Length(&n) || rest_.size() < n) return false;
    *s = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  bool Optional(bool present, std::optional<std::string_view>* s) {
    if (!present) return true;
    s->emplace();
    return String(&**s);
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace

EventRecord MakeEventRecord(const json::Value& document) {
  std::string canonical;
  std::vector<json::MemberSpan> spans;
  if (document.is_object()) json::AppendCanonicalObject(document, &canonical, &spans);
  return MakeEventRecord(document, canonical, spans);
}

namespace {

// `has_shape`, when the caller knows it (section 3 check 1 already ran), spares checking it again.
template <typename Doc>
EventRecord RecordOf(const Doc& d, std::string_view canonical, const std::vector<json::MemberSpan>& spans,
                     std::optional<bool> has_shape = std::nullopt) {
  EventRecord r;
  if (!d.is_object()) return r;
  const auto signer = d.Find("signer");
  const auto payload = d.Find("payload");
  r.event_id = StringAt(&d, "event_id");
  r.signer_key_id = StringAt(signer, "key_id");
  if (payload) r.receipt_key_id = StringAt(payload->Find("receipt"), "key_id");
  if (!(has_shape ? *has_shape : merge_internal::HasEventShape(d))) return r;
  r.has_event = true;
  r.event_type = *d.FindString("event_type");
  r.target = *d.FindString("target");
  r.created_at = *d.FindString("created_at");
  r.signer_id = *signer->FindString("signer_id");
  const auto prev = d.Find("prev_event");
  if (prev->is_string()) r.prev_event = std::string(prev->text());
  for (const auto& s : d.Find("supersedes")->items()) r.supersedes.emplace_back(s.text());
  // The entry's members are members of the document, already canonical in `canonical`.
  static constexpr std::string_view kEntryKeys[] = {"created_at", "event_id", "payload", "signer", "target"};
  auto in_entry = [](const json::MemberSpan& m) {
    return std::find(std::begin(kEntryKeys), std::end(kEntryKeys), m.key) != std::end(kEntryKeys);
  };
  size_t entry_size = 2;  // one allocation: the entry is most of the document
  for (const json::MemberSpan& m : spans) {
    if (in_entry(m)) entry_size += m.end - m.begin + 1;
  }
  r.entry.reserve(entry_size);
  r.entry.push_back('{');
  for (const json::MemberSpan& m : spans) {
    if (!in_entry(m)) continue;
    if (r.entry.size() > 1) r.entry.push_back(',');
    r.entry.append(canonical.substr(m.begin, m.end - m.begin));
    r.entry_members.emplace_back(static_cast<uint32_t>(m.begin), static_cast<uint32_t>(m.end));
    if (m.key == "signer") {
      constexpr size_t kKeyAndColon = sizeof("\"signer\":") - 1;
      r.signer.assign(canonical.substr(m.begin + kKeyAndColon, m.end - m.begin - kKeyAndColon));
      r.signer_value = {static_cast<uint32_t>(m.begin + kKeyAndColon), static_cast<uint32_t>(m.end)};
    }
  }
  r.entry.push_back('}');
  return r;
}

}  // namespace

EventRecord MakeEventRecord(const json::Value& d, std::string_view canonical, const std::vector<json::MemberSpan>& spans) {
  return RecordOf(d, canonical, spans);
}

EventRecord MakeEventRecord(const json::CanonicalText& document) {
  return RecordOf(document.root(), document.text(), document.spans());
}

CheckedRecord CheckAndRecord(const json::Value& document, std::string_view subject, const TrustedKeys& keys) {
  if (!document.is_object()) return {CheckDocument(document, subject, keys), MakeEventRecord(document)};
  std::string canonical;
  std::vector<json::MemberSpan> spans;
  json::AppendCanonicalObject(document, &canonical, &spans);
  DocumentVerdict verdict = CheckDocument(document, canonical, spans, subject, keys);
  // An object fails section 3 as malformed_event exactly when it lacks an event's shape (check 1).
  const bool has_shape = verdict.reason != merge_internal::reason::kMalformedEvent;
  return {std::move(verdict), RecordOf(document, canonical, spans, has_shape)};
}

namespace {

// The record of a proven text beside its verdict (which tells whether it has an event's shape).
CheckedRecord WithRecord(const json::CanonicalText& document, DocumentVerdict verdict) {
  const bool has_shape = verdict.reason != merge_internal::reason::kMalformedEvent;
  return {std::move(verdict), RecordOf(document.root(), document.text(), document.spans(), has_shape)};
}

}  // namespace

CheckedRecord CheckAndRecord(const json::CanonicalText& document, std::string_view subject, const TrustedKeys& keys) {
  return WithRecord(document, CheckDocument(document, subject, keys));
}

CheckedRecord merge_internal::CheckAndRecordDeferringHash(const json::CanonicalText& document, std::string_view subject,
                                                          const TrustedKeys& keys) {
  return WithRecord(document, CheckProvenDeferringHash(document, subject, keys));
}

namespace {

// The bytes of `document` at [begin, end), if it has them.
std::optional<std::string_view> Place(std::string_view document, uint64_t begin, uint64_t end) {
  if (begin > end || end > document.size()) return std::nullopt;
  return document.substr(begin, end - begin);
}

// Whether `document` holds the record's entry members and signer object where the record says.
bool HeldBy(const EventRecord& r, std::string_view document) {
  if (!r.has_event || r.entry_members.empty() || r.entry_members.size() > kMaxEntryMembers) return false;
  const std::string_view entry = r.entry;
  if (entry.size() < 2 || entry.front() != '{' || entry.back() != '}') return false;
  size_t at = 1;
  for (size_t k = 0; k < r.entry_members.size(); ++k) {
    if (k > 0 && (at >= entry.size() || entry[at++] != ',')) return false;
    auto member = Place(document, r.entry_members[k].first, r.entry_members[k].second);
    if (!member || entry.substr(at, member->size()) != *member) return false;
    at += member->size();
  }
  return at + 1 == entry.size() && Place(document, r.signer_value.first, r.signer_value.second) == std::string_view(r.signer);
}

std::string EncodeRecord(const EventRecord& r, bool in_document) {
  std::string out;
  out.reserve((in_document ? 0 : r.entry.size() + r.signer.size()) + 256);
  out.push_back(kMagic);
  out.push_back(kVersion);
  uint8_t flags = (r.event_id ? kHasEventId : 0) | (r.signer_key_id ? kHasSignerKey : 0) |
                  (r.receipt_key_id ? kHasReceiptKey : 0) | (r.has_event ? kHasEvent : 0) | (r.prev_event ? kHasPrev : 0) |
                  (in_document ? kInDocument : 0);
  out.push_back(static_cast<char>(flags));
  for (const auto* s : {&r.event_id, &r.signer_key_id, &r.receipt_key_id}) {
    if (*s) PutString(**s, &out);
  }
  if (!r.has_event) return out;
  for (const std::string* s : {&r.event_type, &r.target, &r.created_at, &r.signer_id}) PutString(*s, &out);
  if (r.prev_event) PutString(*r.prev_event, &out);
  PutLength(r.supersedes.size(), &out);
  for (const std::string& s : r.supersedes) PutString(s, &out);
  if (in_document) {  // each place as its start and length
    PutLength(r.entry_members.size(), &out);
    for (const auto& [begin, end] : r.entry_members) {
      PutLength(begin, &out);
      PutLength(end - begin, &out);
    }
    PutLength(r.signer_value.first, &out);
    PutLength(r.signer_value.second - r.signer_value.first, &out);
  } else {
    PutString(r.entry, &out);
    PutString(r.signer, &out);
  }
  return out;
}

// A decoded record: its view (entry and signer empty when they are places in the document).
struct Parsed {
  EventRecordView view;
  bool in_document = false;
  uint32_t member_count = 0;
  std::pair<uint32_t, uint32_t> members[kMaxEntryMembers];  // start, length
  std::pair<uint32_t, uint32_t> signer{0, 0};
};

Result<Parsed> Parse(std::string_view bytes) {
  auto bad = [] { return Status::Corruption("an event record is malformed"); };
  Reader in(bytes);
  uint8_t magic = 0, version = 0, flags = 0;
  if (!in.Byte(&magic) || !in.Byte(&version) || !in.Byte(&flags) || magic != kMagic || version != kVersion) return bad();
  constexpr uint8_t kKnownFlags = kHasEventId | kHasSignerKey | kHasReceiptKey | kHasEvent | kHasPrev | kInDocument;
  if ((flags & ~kKnownFlags) != 0 || ((flags & (kHasPrev | kInDocument)) && !(flags & kHasEvent))) return bad();
  Parsed p;
  EventRecordView& r = p.view;
  if (!in.Optional(flags & kHasEventId, &r.event_id) || !in.Optional(flags & kHasSignerKey, &r.signer_key_id) ||
      !in.Optional(flags & kHasReceiptKey, &r.receipt_key_id)) {
    return bad();
  }
  r.has_event = flags & kHasEvent;
  if (r.has_event) {
    uint32_t count = 0;
    if (!in.String(&r.event_type) || !in.String(&r.target) || !in.String(&r.created_at) || !in.String(&r.signer_id) ||
        !in.Optional(flags & kHasPrev, &r.prev_event) || !in.Length(&count)) {
      return bad();
    }
    if (count > bytes.size() / 4) return bad();
    r.supersedes.resize(count);
    for (std::string_view& s : r.supersedes) {
      if (!in.String(&s)) return bad();
    }
    p.in_document = flags & kInDocument;
    if (p.in_document) {
      if (!in.Length(&p.member_count) || p.member_count == 0 || p.member_count > kMaxEntryMembers) return bad();
      for (uint32_t k = 0; k < p.member_count; ++k) {
        if (!in.Length(&p.members[k].first) || !in.Length(&p.members[k].second)) return bad();
      }
      if (!in.Length(&p.signer.first) || !in.Length(&p.signer.second)) return bad();
    } else if (!in.String(&r.entry) || !in.String(&r.signer)) {
      return bad();
    }
  }
  if (!in.done()) return bad();
  return p;
}

// The entry's size once assembled from `document`; kCorruption when a place lies outside it.
Result<size_t> AssembledSize(const Parsed& p, std::string_view document) {
  size_t size = 1 + p.member_count;  // the braces, and a comma between members
  for (uint32_t k = 0; k < p.member_count; ++k) {
    if (!Place(document, p.members[k].first, uint64_t{p.members[k].first} + p.members[k].second)) {
      return Status::Corruption("an event record names bytes its document does not have");
    }
    size += p.members[k].second;
  }
  if (!Place(document, p.signer.first, uint64_t{p.signer.first} + p.signer.second)) {
    return Status::Corruption("an event record names bytes its document does not have");
  }
  return size;
}

// Writes the entry (AssembledSize bytes) at `entry` and the signer object at `signer`, from
// `document`.
void Assemble(const Parsed& p, std::string_view document, char* entry, char* signer) {
  *entry++ = '{';
  for (uint32_t k = 0; k < p.member_count; ++k) {
    if (k > 0) *entry++ = ',';
    std::memcpy(entry, document.data() + p.members[k].first, p.members[k].second);
    entry += p.members[k].second;
  }
  *entry = '}';
  std::memcpy(signer, document.data() + p.signer.first, p.signer.second);
}

// Every field but the entry and signer, from a record to its view or back (strings <-> views).
template <typename From, typename To>
void CopyFieldsBesideEntry(const From& from, To* to) {
  using Optional = decltype(to->event_id);
  auto optional = [](const auto& s) { return s ? Optional(typename Optional::value_type(*s)) : Optional(); };
  to->event_id = optional(from.event_id);
  to->signer_key_id = optional(from.signer_key_id);
  to->receipt_key_id = optional(from.receipt_key_id);
  to->has_event = from.has_event;
  to->event_type = from.event_type;
  to->target = from.target;
  to->created_at = from.created_at;
  to->signer_id = from.signer_id;
  to->prev_event = optional(from.prev_event);
  to->supersedes.assign(from.supersedes.begin(), from.supersedes.end());
}

}  // namespace

std::string EncodeEventRecord(const EventRecord& r) { return EncodeRecord(r, false); }

std::string EncodeEventRecordBeside(const EventRecord& r, std::string_view document) {
  return EncodeRecord(r, HeldBy(r, document));
}

Result<EventRecord> DecodeEventRecord(std::string_view bytes, std::string_view document) {
  auto parsed = Parse(bytes);
  if (!parsed.ok()) return parsed.status();
  const EventRecordView& view = parsed->view;
  EventRecord r;
  CopyFieldsBesideEntry(view, &r);
  if (parsed->in_document) {
    auto size = AssembledSize(*parsed, document);
    if (!size.ok()) return size.status();
    r.entry.resize(*size);
    r.signer.resize(parsed->signer.second);
    Assemble(*parsed, document, r.entry.data(), r.signer.data());
    for (uint32_t k = 0; k < parsed->member_count; ++k) {
      r.entry_members.emplace_back(parsed->members[k].first, parsed->members[k].first + parsed->members[k].second);
    }
    r.signer_value = {parsed->signer.first, parsed->signer.first + parsed->signer.second};
  } else {
    r.entry = view.entry;
    r.signer = view.signer;
  }
  return r;
}

EventRecordView ViewOf(const EventRecord& r) {
  EventRecordView v;
  CopyFieldsBesideEntry(r, &v);
  v.entry = r.entry;
  v.signer = r.signer;
  return v;
}

Status EventRecordSet::AddEncoded(std::string_view bytes, std::string_view document) {
  // The record's bytes are copied into a block and read there; an entry and signer kept as places
  // in the document are assembled into the blocks too.
  char* copy = Take(bytes.size());
  if (!bytes.empty()) std::memcpy(copy, bytes.data(), bytes.size());
  auto parsed = Parse(std::string_view(copy, bytes.size()));
  if (!parsed.ok()) return parsed.status();
  if (parsed->in_document) {
    auto size = AssembledSize(*parsed, document);
    if (!size.ok()) return size.status();
    char* entry = Take(*size + parsed->signer.second);
    Assemble(*parsed, document, entry, entry + *size);
    parsed->view.entry = std::string_view(entry, *size);
    parsed->view.signer = std::string_view(entry + *size, parsed->signer.second);
  }
  views_.push_back(std::move(parsed->view));
  return Status::OK();
}

char* EventRecordSet::Take(size_t bytes) {
  // Blocks stay under malloc's mmap threshold (128 KB), so a replay of many subjects reuses heap
  // memory instead of mapping, faulting in and unmapping fresh pages for each one.
  constexpr size_t kBlockBytes = 64 << 10;
  if (bytes > block_left_) {
    const size_t size = std::max(kBlockBytes, bytes);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    block_next_ = blocks_.back().get();
    block_left_ = size;
  }
  char* taken = block_next_;
  block_next_ += bytes;
  block_left_ -= bytes;
  return taken;
}

void EventRecordSet::Add(EventRecord record) {
  owned_.push_back(std::move(record));
  views_.push_back(ViewOf(owned_.back()));
}

void EventRecordSet::Clear() {
  blocks_.clear();
  block_next_ = nullptr;
  block_left_ = 0;
  owned_.clear();
  views_.clear();
}

Status merge_internal::RecordsToNodes(std::string_view subject, const std::vector<EventRecordView>& records,
                                      const std::vector<DocumentVerdict>& verdicts, std::deque<json::Value>* claimed,
                                      std::vector<EventNode>* nodes, std::vector<InvalidEntry>* invalid,
                                      std::vector<size_t>* node_records) {
  if (verdicts.size() != records.size()) return Status::Internal("one verdict per record is required");
  auto claim = [claimed](const EventRecordView& r) {
    claimed->push_back(r.event_id ? json::Value::String(std::string(*r.event_id)) : json::Value());
    return &claimed->back();
  };
  for (size_t i = 0; i < records.size(); ++i) {
    const EventRecordView& r = records[i];
    if (verdicts[i].well_formed() && (!r.has_event || !r.event_id || !r.signer_key_id)) {
      return Status::Corruption("a well-formed event of " + std::string(subject) + " has an incomplete record");
    }
  }
  DistinctDocuments distinct =
      SelectDistinct(verdicts, [&records](size_t i) -> std::string_view { return *records[i].event_id; });
  for (size_t i : distinct.invalid) invalid->push_back({verdicts[i].document_sha256, claim(records[i]), verdicts[i].reason});
  nodes->reserve(distinct.representatives.size());
  for (size_t i : distinct.representatives) {
    auto node = NodeOfRecord(subject, records[i], verdicts[i].document_sha256);
    if (!node.ok()) return node.status();
    nodes->push_back(std::move(*node));
    if (node_records != nullptr) node_records->push_back(i);
  }
  return Status::OK();
}

Result<merge_internal::EventNode> merge_internal::NodeOfRecord(std::string_view subject, const EventRecordView& r,
                                                               std::string_view document_sha256) {
  if (!r.has_event || !r.event_id || !r.signer_key_id) {
    return Status::Corruption("a well-formed event of " + std::string(subject) + " has an incomplete record");
  }
  EventNode e;
  e.claimed_event_id = nullptr;  // the merge makes it from event_id if the event turns out invalid
  e.entry = r.entry;
  e.signer = r.signer;
  e.type = FindEventType(r.event_type);
  if (e.type == nullptr) return Status::Corruption("a well-formed event of " + std::string(subject) + " has an unknown type");
  e.document_sha256 = document_sha256;
  e.event_id = *r.event_id;
  e.target = r.target;
  e.key_id = *r.signer_key_id;
  e.signer_id = r.signer_id;
  e.created_at = r.created_at;
  e.prev_event = r.prev_event;
  e.supersedes = r.supersedes;
  return e;
}

Result<MergedState> MergeRecords(std::string_view subject, const std::vector<EventRecord>& records,
                                 const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                 std::string_view merge_version) {
  std::vector<EventRecordView> views;
  views.reserve(records.size());
  for (const EventRecord& r : records) views.push_back(ViewOf(r));
  return MergeRecords(subject, views, verdicts, keys, merge_version);
}

Result<MergedState> MergeRecords(std::string_view subject, const std::vector<EventRecordView>& records,
                                 const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                 std::string_view merge_version) {
  PITH_RETURN_IF_ERROR(CheckMergeVersion(merge_version));
  std::deque<json::Value> claimed;
  std::vector<merge_internal::EventNode> nodes;
  std::vector<merge_internal::InvalidEntry> invalid;
  PITH_RETURN_IF_ERROR(merge_internal::RecordsToNodes(subject, records, verdicts, &claimed, &nodes, &invalid));
  return merge_internal::MergeNodes(subject, merge_version, std::move(nodes), std::move(invalid), keys, nullptr);
}

}  // namespace pith
