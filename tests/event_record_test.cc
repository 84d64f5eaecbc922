// Event records (pith/event_record.h): a replay from records gives the same state bytes as the
// merge over the documents, on every conformance vector; records round-trip and refuse damage.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pith/event_record.h"
#include "pith/json_view.h"
#include "pith/merge.h"

namespace pith {
namespace {

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::filesystem::path> VectorDirs() {
  std::vector<std::filesystem::path> dirs;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(PITH_SOURCE_DIR) + "/specs/vectors/pith-open-graph-merge-v1")) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// A conformance vector's subject, trusted keys, events with their section 3 verdicts, and state.
struct Vector {
  std::string subject, expected_state;
  TrustedKeys keys;
  std::vector<json::Value> docs;
  std::vector<DocumentVerdict> verdicts;
};

Vector LoadVector(const std::filesystem::path& dir) {
  Vector v;
  auto vector = json::Parse(ReadText(dir / "vector.json"));
  EXPECT_TRUE(vector.ok());
  if (!vector.ok()) return v;
  v.expected_state = ReadText(dir / "expected_state.json");
  while (!v.expected_state.empty() && v.expected_state.back() == '\n') v.expected_state.pop_back();
  v.subject = *vector->FindString("subject");
  EXPECT_TRUE(v.keys.AddFromJson(*vector->Find("keys")).ok());
  v.docs = vector->Find("events")->items();
  CheckDocuments(v.docs, v.subject, v.keys, 1, &v.verdicts);
  return v;
}

void ExpectSameRecord(const EventRecord& a, const EventRecord& b) {
  EXPECT_EQ(a.event_id, b.event_id);
  EXPECT_EQ(a.signer_key_id, b.signer_key_id);
  EXPECT_EQ(a.receipt_key_id, b.receipt_key_id);
  EXPECT_EQ(a.has_event, b.has_event);
  EXPECT_EQ(a.event_type, b.event_type);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.signer_id, b.signer_id);
  EXPECT_EQ(a.prev_event, b.prev_event);
  EXPECT_EQ(a.supersedes, b.supersedes);
  EXPECT_EQ(a.entry, b.entry);
  EXPECT_EQ(a.signer, b.signer);
}

TEST(EventRecord, MergeRecordsEqualsTheMergeOnEveryConformanceVector) {
  auto dirs = VectorDirs();
  ASSERT_GE(dirs.size(), 60u);
  size_t records_seen = 0, with_event = 0;
  for (const auto& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    const Vector v = LoadVector(dir);
    std::vector<EventRecord> records;
    for (const json::Value& d : v.docs) {
      EventRecord made = MakeEventRecord(d);
      auto decoded = DecodeEventRecord(EncodeEventRecord(made));
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      ExpectSameRecord(made, *decoded);
      with_event += made.has_event;
      records.push_back(std::move(*decoded));
    }
    records_seen += records.size();
    auto from_docs = MergeChecked(v.subject, v.docs, v.verdicts, v.keys, kMergeV1);
    auto from_records = MergeRecords(v.subject, records, v.verdicts, v.keys, kMergeV1);
    ASSERT_TRUE(from_docs.ok() && from_records.ok());
    EXPECT_EQ(from_docs->canonical, v.expected_state);
    EXPECT_EQ(from_records->canonical, v.expected_state);
    EXPECT_EQ(from_records->state_sha256, from_docs->state_sha256);
  }
  EXPECT_GT(records_seen, 200u);
  EXPECT_GT(with_event, 0u);
  EXPECT_LT(with_event, records_seen);  // the vectors hold malformed documents too
}

// The fast path (a document read in place from its canonical text) gives the verdict and the record
// the value tree gives, for every document of every vector (valid, malformed and forged alike), and
// so does the reason-only check on either.
TEST(EventRecord, CanonicalTextPathEqualsTheValuePathOnEveryVectorDocument) {
  size_t compared = 0;
  for (const auto& dir : VectorDirs()) {
    SCOPED_TRACE(dir.filename().string());
    auto vector = json::Parse(ReadText(dir / "vector.json"));
    ASSERT_TRUE(vector.ok());
    const std::string subject = *vector->FindString("subject");
    TrustedKeys keys;
    ASSERT_TRUE(keys.AddFromJson(*vector->Find("keys")).ok());
    for (const json::Value& d : vector->Find("events")->items()) {
      const std::string text = json::Canonical(d);
      const json::CanonicalText canonical(text);
      if (!d.is_object()) {
        EXPECT_FALSE(canonical.proven());
        EXPECT_EQ(CheckDocumentReason(d, subject, keys), CheckDocument(d, subject, keys).reason);
        continue;
      }
      ASSERT_TRUE(canonical.proven()) << text.substr(0, 200);
      for (std::string_view against : {std::string_view(subject), std::string_view("pith:other")}) {
        CheckedRecord from_tree = CheckAndRecord(d, against, keys);
        CheckedRecord in_place = CheckAndRecord(canonical, against, keys);
        EXPECT_EQ(in_place.verdict.document_sha256, from_tree.verdict.document_sha256);
        EXPECT_EQ(in_place.verdict.reason, from_tree.verdict.reason) << text.substr(0, 200);
        ExpectSameRecord(in_place.record, from_tree.record);
        EXPECT_EQ(in_place.record.entry_members, from_tree.record.entry_members);  // the same places in the text
        EXPECT_EQ(in_place.record.signer_value, from_tree.record.signer_value);
        ExpectSameRecord(from_tree.record, MakeEventRecord(d));  // the shape taken from the verdict is right
        // The reason alone (what the store asks for, holding the hash already) is the same verdict.
        std::string tree_canonical;
        std::vector<json::MemberSpan> spans;
        json::AppendCanonicalObject(d, &tree_canonical, &spans);
        EXPECT_EQ(CheckDocumentReason(canonical, against, keys), from_tree.verdict.reason);
        EXPECT_EQ(CheckDocumentReason(d, tree_canonical, spans, against, keys), from_tree.verdict.reason);
        EXPECT_EQ(CheckDocumentReason(d, against, keys), from_tree.verdict.reason);
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 400u);
}

// A store keeps each record beside its document (specs/storage.md): the record names where the
// document holds the entry's members and the signer object instead of repeating them. Read back
// beside the same document it is the same record, as a copy and as a view, and merges to the
// vector's state; beside any other bytes it is refused or written out in full.
TEST(EventRecord, BesideItsDocumentARecordNamesPlacesInItAndReadsBackTheSame) {
  size_t with_places = 0;
  for (const auto& dir : VectorDirs()) {
    SCOPED_TRACE(dir.filename().string());
    const Vector v = LoadVector(dir);
    std::vector<std::string> texts, encoded;
    for (const json::Value& d : v.docs) {
      texts.push_back(json::Canonical(d));
      const std::string& text = texts.back();
      const EventRecord made = MakeEventRecord(d);
      const std::string literal = EncodeEventRecord(made);
      encoded.push_back(EncodeEventRecordBeside(made, text));
      const std::string& beside = encoded.back();
      auto decoded = DecodeEventRecord(beside, text);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      ExpectSameRecord(made, *decoded);
      EXPECT_EQ(EncodeEventRecordBeside(*decoded, text), beside);
      if (!made.has_event) {
        EXPECT_EQ(beside, literal);
        continue;
      }
      ++with_places;
      EXPECT_LT(beside.size() + made.entry.size(), literal.size() + 64) << "the entry's bytes are not repeated";
      EXPECT_EQ(DecodeEventRecord(beside).status().code(), Status::Code::kCorruption);  // no document
      size_t last = made.signer_value.second;
      for (const auto& member : made.entry_members) last = std::max<size_t>(last, member.second);
      EXPECT_EQ(DecodeEventRecord(beside, std::string_view(text).substr(0, last - 1)).status().code(), Status::Code::kCorruption);
      // Bytes that do not hold the entry where the record says (a document not in canonical form)
      // get the record in full.
      EXPECT_EQ(EncodeEventRecordBeside(made, "{ " + text.substr(1)), literal);
      EXPECT_EQ(EncodeEventRecordBeside(made, ""), literal);
    }
    EventRecordSet set;
    for (size_t i = 0; i < v.docs.size(); ++i) ASSERT_TRUE(set.AddEncoded(encoded[i], texts[i]).ok());
    texts.assign(texts.size(), std::string(8, 'x'));  // the views hold copies of what they read
    auto merged = MergeRecords(v.subject, set.views(), v.verdicts, v.keys, kMergeV1);
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    EXPECT_EQ(merged->canonical, v.expected_state);
  }
  EXPECT_GT(with_places, 100u);
}

TEST(EventRecord, EveryTruncationTrailingByteAndUnknownFlagIsRefused) {
  auto dirs = VectorDirs();
  auto vector = json::Parse(ReadText(dirs.front() / "vector.json"));
  ASSERT_TRUE(vector.ok());
  for (const json::Value& d : vector->Find("events")->items()) {
    std::string bytes = EncodeEventRecord(MakeEventRecord(d));
    for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(DecodeEventRecord(bytes.substr(0, n)).ok()) << n;
    EXPECT_FALSE(DecodeEventRecord(bytes + "x").ok());
    std::string other_version = bytes;
    other_version[1] = 2;
    EXPECT_FALSE(DecodeEventRecord(other_version).ok());
    std::string unknown_flag = bytes;
    unknown_flag[2] = static_cast<char>(unknown_flag[2] | 0x40);
    EXPECT_FALSE(DecodeEventRecord(unknown_flag).ok());
  }
  // A prev_event flag without the event flag: one encoding per record, so this is not one.
  EXPECT_FALSE(DecodeEventRecord(std::string("R\x01\x10", 3)).ok());
  EXPECT_FALSE(DecodeEventRecord(std::string("R\x01\x20", 3), "{}").ok());  // places in a document, without an event
  EXPECT_TRUE(DecodeEventRecord(std::string("R\x01\x00", 3)).ok());
}

TEST(EventRecord, AWellFormedVerdictOnAnIncompleteRecordIsCorruption) {
  EventRecord r = MakeEventRecord(json::Value::Object({{"event_id", json::Value::String("x")}}));
  EXPECT_FALSE(r.has_event);
  auto merged = MergeRecords("pith:x", {r}, {DocumentVerdict{std::string(64, 'a'), ""}}, TrustedKeys(), kMergeV1);
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.status().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace pith
