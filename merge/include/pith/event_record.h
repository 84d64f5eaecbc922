// Event records: what the merge reads of one event document, written once when a store takes
// the document in, so that replaying a subject whose verdicts are cached needs no JSON parse.
//
// A record is derived from the document alone (not from trusted keys), so it never goes stale.
// MergeRecords over the records of a subject's documents, with their section 3 verdicts, gives
// the same bytes as MergeChecked over the documents (tests/event_record_test.cc checks this on
// every conformance vector). Layout: specs/storage.md "Event records".
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pith/json.h"
#include "pith/keys.h"
#include "pith/merge.h"
#include "pith/status.h"

namespace pith {

struct EventRecord {
  // Top-level strings when present as strings: the verdict cache key needs the key ids, and an
  // invalid_events entry the claimed event_id.
  std::optional<std::string> event_id;
  std::optional<std::string> signer_key_id;   // signer.key_id
  std::optional<std::string> receipt_key_id;  // payload.receipt.key_id
  // Set only when the document has every member a well-formed event has, with its type (the
  // shape check of merge-v1.md section 3, check 1): only such a document can be well formed.
  bool has_event = false;
  std::string event_type, target, created_at, signer_id;
  std::optional<std::string> prev_event;
  std::vector<std::string> supersedes;
  std::string entry;   // canon of its `current` entry: {"created_at","event_id","payload","signer","target"}
  std::string signer;  // canon of its signer object
  // Where those bytes lie in the text the record was made from or read beside (empty when it has
  // no event, or was decoded from a record written out in full): each entry member's
  // `"key":value` and the signer object, as [begin, end) offsets. EncodeEventRecordBeside stores
  // them as places in the document instead of as bytes.
  std::vector<std::pair<uint32_t, uint32_t>> entry_members;
  std::pair<uint32_t, uint32_t> signer_value{0, 0};
};

// The record of a document; `canonical` and `spans` are canon(document) and its member spans
// (json::AppendCanonicalObject) when the caller has them, else they are computed.
EventRecord MakeEventRecord(const json::Value& document);
EventRecord MakeEventRecord(const json::Value& document, std::string_view canonical,
                            const std::vector<json::MemberSpan>& spans);
// The same for a text proven canonical (json::CanonicalText::proven()), read in place.
EventRecord MakeEventRecord(const json::CanonicalText& document);

// CheckDocument and MakeEventRecord from one canonical writing of the document (the merge of a
// stream keeps only the record, and lets the parsed document go).
struct CheckedRecord {
  DocumentVerdict verdict;
  EventRecord record;
};
CheckedRecord CheckAndRecord(const json::Value& document, std::string_view subject, const TrustedKeys& keys);
// The same for a text proven canonical: no value tree and no canonical rewrite (the fast path).
CheckedRecord CheckAndRecord(const json::CanonicalText& document, std::string_view subject, const TrustedKeys& keys);

// A record read in place: the same fields, viewing the bytes it was decoded from (or the
// EventRecord it views), which must outlive it. A replay reads thousands of records per subject;
// views spare a copy and an allocation per string.
struct EventRecordView {
  std::optional<std::string_view> event_id, signer_key_id, receipt_key_id;
  bool has_event = false;
  std::string_view event_type, target, created_at, signer_id;
  std::optional<std::string_view> prev_event;
  std::vector<std::string_view> supersedes;
  std::string_view entry, signer;
};
EventRecordView ViewOf(const EventRecord& record);

std::string EncodeEventRecord(const EventRecord& record);
// The record as a store keeps it beside its document's bytes: where `document` holds the entry's
// members and the signer object at the places the record was made from (the document is the
// canonical text it was made from), those places instead of the bytes (a tenth of the size);
// otherwise EncodeEventRecord(record). Decoding it needs the same document.
std::string EncodeEventRecordBeside(const EventRecord& record, std::string_view document);
// kCorruption when the bytes are not a record this build wrote, or name places outside `document`.
Result<EventRecord> DecodeEventRecord(std::string_view bytes, std::string_view document = {});

// A subject's records for one merge: encoded ones are copied once into large blocks and read in
// place, records made in memory are kept as they are; views() lists them in the order added.
class EventRecordSet {
 public:
  EventRecordSet() = default;
  EventRecordSet(const EventRecordSet&) = delete;
  EventRecordSet& operator=(const EventRecordSet&) = delete;

  // A record as encoded (beside `document` when it was encoded so); kCorruption when malformed.
  Status AddEncoded(std::string_view bytes, std::string_view document = {});
  void Add(EventRecord record);
  void Reserve(size_t records) { views_.reserve(records); }
  void Clear();
  const std::vector<EventRecordView>& views() const { return views_; }

 private:
  char* Take(size_t bytes);  // `bytes` bytes of the blocks, for good
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_next_ = nullptr;  // the unused end of blocks_.back(), block_left_ bytes
  size_t block_left_ = 0;
  std::deque<EventRecord> owned_;
  std::vector<EventRecordView> views_;
};

// MergeChecked over records: verdicts[i] belongs to records[i] (a well-formed verdict on a record
// without has_event is kCorruption).
Result<MergedState> MergeRecords(std::string_view subject, const std::vector<EventRecordView>& records,
                                 const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                 std::string_view merge_version);
Result<MergedState> MergeRecords(std::string_view subject, const std::vector<EventRecord>& records,
                                 const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                 std::string_view merge_version);

}  // namespace pith
