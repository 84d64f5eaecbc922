// Fuzz target: one event document through merge-v1 section 3 (pith::CheckDocument) and the merge of
// that single document (pith::Merge and pith::MergeChecked), under the default trusted keys plus
// the conformance test key "registry" (fuzz_common.h).
//
// Each input is checked as is, and once more sealed (seal.h: content hash, event_id, receipt and
// signature recomputed with the conformance keys) so mutations get past the hash and signature checks.
//
// Properties (abort() on violation):
//   - document_sha256 is hex(sha256(canon(doc))); the reason is empty or a section 3 code;
//   - under the fixed subject, a document naming another subject is never well formed, and fails
//     at wrong_subject or an earlier check;
//   - Merge and MergeChecked (given CheckDocument's verdict) produce the same bytes, and merging the
//     document twice changes nothing;
//   - the state is canon(state), its state_sha256 is the hash of the rest, it counts exactly one
//     event, and that event is either applied or listed invalid with the verdict's reason (or a
//     section 4 reason when the document is well formed);
//   - the document's event record (pith/event_record.h) survives encoding, and MergeRecords over it
//     gives MergeChecked's bytes; the raw input, decoded as a record, is refused or re-encodes to
//     itself (the record decoder is fuzzed on arbitrary bytes too);
//   - read in place from its canonical text (json::CanonicalText, the merge's fast path), the
//     document gets the same verdict and the same record as from its value tree;
//   - the raw input as base64: the signature decoder (PublicBase64Decode) accepts it exactly when
//     libsodium's strict decoder does, with the same bytes.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "seal.h"
#include "pith/codec.h"
#include "pith/event_record.h"
#include "pith/hash.h"
#include "pith/json.h"
#include "pith/json_view.h"
#include "pith/merge.h"

namespace {

// The index of `reason` in AllReasonCodes(), or -1.
int ReasonIndex(std::string_view reason) {
  const auto& all = pith::AllReasonCodes();
  auto it = std::find(all.begin(), all.end(), reason);
  return it == all.end() ? -1 : static_cast<int>(it - all.begin());
}

int IndexOrDie(std::string_view reason) {
  int i = ReasonIndex(reason);
  PITH_FUZZ_CHECK_MSG(i >= 0, reason);
  return i;
}

void CheckVerdict(const pith::DocumentVerdict& v, const std::string& doc_sha256) {
  PITH_FUZZ_CHECK(v.document_sha256 == doc_sha256);
  if (!v.well_formed()) PITH_FUZZ_CHECK_MSG(ReasonIndex(v.reason) >= 0 && ReasonIndex(v.reason) <= IndexOrDie("bad_signature"), v.reason);
}

void CheckOne(const pith::json::Value& doc) {
  const pith::TrustedKeys& keys = pith::fuzz::FuzzKeys();
  const std::string doc_sha256 = pith::Sha256Hex(pith::json::Canonical(doc));

  // The fixed subject.
  const std::string fixed(pith::fuzz::kFixedSubject);
  pith::DocumentVerdict fixed_verdict = pith::CheckDocument(doc, fixed, keys);
  CheckVerdict(fixed_verdict, doc_sha256);
  const std::string* own = doc.is_object() ? doc.FindString("subject_pith_number") : nullptr;
  if (own != nullptr && *own != fixed) {
    PITH_FUZZ_CHECK(!fixed_verdict.well_formed());
    PITH_FUZZ_CHECK_MSG(IndexOrDie(fixed_verdict.reason) <= IndexOrDie("wrong_subject"), fixed_verdict.reason);
  }

  // The document's own subject (when it names one), so the checks after wrong_subject are reached.
  const std::string subject = own != nullptr ? *own : fixed;
  pith::DocumentVerdict verdict = subject == fixed ? fixed_verdict : pith::CheckDocument(doc, subject, keys);
  CheckVerdict(verdict, doc_sha256);

  pith::MergeOptions options;
  options.threads = 1;
  std::vector<pith::json::Value> docs{doc};
  auto merged = pith::Merge(subject, docs, keys, options);
  PITH_FUZZ_CHECK_MSG(merged.ok(), merged.status().message());
  auto checked = pith::MergeChecked(subject, docs, {verdict}, keys, pith::kMergeV1);
  PITH_FUZZ_CHECK_MSG(checked.ok(), checked.status().message());
  PITH_FUZZ_CHECK_MSG(merged->canonical == checked->canonical, merged->canonical + "\n  " + checked->canonical);
  pith::fuzz::CheckState(*merged, subject);

  auto parsed_state = merged->Object();
  PITH_FUZZ_CHECK(parsed_state.ok());
  const pith::json::Value& state = *parsed_state;
  PITH_FUZZ_CHECK(pith::fuzz::IntMember(state, "event_count") == 1);
  const auto& invalid_events = pith::fuzz::ArrayMember(state, "invalid_events").items();
  const auto& applied = pith::fuzz::ArrayMember(state, "applied_event_ids").items();
  if (!verdict.well_formed()) {
    PITH_FUZZ_CHECK(invalid_events.size() == 1 && applied.empty());
    const std::string* reason = invalid_events[0].FindString("reason");
    PITH_FUZZ_CHECK(reason != nullptr && *reason == verdict.reason);
    const std::string* sha = invalid_events[0].FindString("document_sha256");
    PITH_FUZZ_CHECK(sha != nullptr && *sha == doc_sha256);
  } else if (invalid_events.empty()) {
    PITH_FUZZ_CHECK(pith::fuzz::IntMember(state, "valid_event_count") == 1);
    PITH_FUZZ_CHECK(pith::fuzz::IntMember(state, "equivocation_count") == 0);
    PITH_FUZZ_CHECK(applied.size() == 1 && applied[0].is_string() && applied[0].text() == *doc.FindString("event_id"));
  } else {
    PITH_FUZZ_CHECK(invalid_events.size() == 1 && applied.empty());
    const std::string* reason = invalid_events[0].FindString("reason");
    PITH_FUZZ_CHECK(reason != nullptr);
    PITH_FUZZ_CHECK_MSG(IndexOrDie(*reason) > IndexOrDie("bad_signature"), *reason);
  }

  // The event record, encoded and decoded, merges to the same bytes.
  std::string encoded = pith::EncodeEventRecord(pith::MakeEventRecord(doc));
  auto record = pith::DecodeEventRecord(encoded);
  PITH_FUZZ_CHECK_MSG(record.ok(), record.status().message());
  PITH_FUZZ_CHECK(pith::EncodeEventRecord(*record) == encoded);
  auto from_record = pith::MergeRecords(subject, {*record}, {verdict}, keys, pith::kMergeV1);
  PITH_FUZZ_CHECK_MSG(from_record.ok(), from_record.status().message());
  PITH_FUZZ_CHECK_MSG(from_record->canonical == checked->canonical, checked->canonical + "\n  " + from_record->canonical);

  // Beside its canonical text (as a store keeps it) the record names places in the text, and reads
  // back as the same record.
  const std::string text = pith::json::Canonical(doc);
  const std::string beside = pith::EncodeEventRecordBeside(pith::MakeEventRecord(doc), text);
  auto from_places = pith::DecodeEventRecord(beside, text);
  PITH_FUZZ_CHECK_MSG(from_places.ok(), from_places.status().message());
  PITH_FUZZ_CHECK(pith::EncodeEventRecord(*from_places) == encoded);
  PITH_FUZZ_CHECK(!record->has_event || beside != encoded);

  // The fast path: the same verdict and record from the canonical text read in place.
  if (const pith::json::CanonicalText in_place(text); in_place.proven()) {
    pith::CheckedRecord fast = pith::CheckAndRecord(in_place, subject, keys);
    PITH_FUZZ_CHECK(fast.verdict.document_sha256 == verdict.document_sha256);
    PITH_FUZZ_CHECK_MSG(fast.verdict.reason == verdict.reason, fast.verdict.reason + " vs " + verdict.reason);
    PITH_FUZZ_CHECK(pith::EncodeEventRecord(fast.record) == encoded);
    PITH_FUZZ_CHECK(pith::EncodeEventRecordBeside(fast.record, text) == beside);  // the same places
  } else {
    PITH_FUZZ_CHECK(!doc.is_object() || text.find("\\") != std::string::npos);  // only escaped keys stop it
  }

  // The same document twice is the same set.
  docs.push_back(doc);
  auto twice = pith::Merge(subject, docs, keys, options);
  PITH_FUZZ_CHECK(twice.ok());
  PITH_FUZZ_CHECK_MSG(twice->canonical == merged->canonical, merged->canonical + "\n  " + twice->canonical);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Arbitrary bytes as a stored record: refused, or a record that encodes back to them; and the
  // same beside themselves as its document (places anywhere in them).
  if (auto record = pith::DecodeEventRecord(pith::fuzz::AsView(data, size)); record.ok()) {
    PITH_FUZZ_CHECK(pith::EncodeEventRecord(*record) == pith::fuzz::AsView(data, size));
  }
  if (auto record = pith::DecodeEventRecord(pith::fuzz::AsView(data, size), pith::fuzz::AsView(data, size)); record.ok()) {
    PITH_FUZZ_CHECK(pith::EncodeEventRecordBeside(*record, pith::fuzz::AsView(data, size)) == pith::fuzz::AsView(data, size));
  }
  {
    pith::Bytes fast;
    const bool accepted = pith::PublicBase64Decode(pith::fuzz::AsView(data, size), &fast);
    const auto strict = pith::Base64Decode(pith::fuzz::AsView(data, size));
    PITH_FUZZ_CHECK(accepted == strict.has_value() && (!accepted || fast == *strict));
  }
  auto parsed = pith::json::Parse(pith::fuzz::AsView(data, size));
  if (!parsed.ok()) return 0;
  CheckOne(*parsed);
  // The same document sealed (seal.h): hashes, receipt and signature redone, and a record_created
  // moved to its record's own pith number, so the checks after bad_signature see the mutation.
  std::optional<std::string> record_subject = pith::fuzz::RecordSubject(pith::fuzz::SealReceipt(*parsed));
  pith::json::Value sealed = pith::fuzz::SealEvent(*parsed, record_subject ? &*record_subject : nullptr);
  if (!(sealed == *parsed)) CheckOne(sealed);
  return 0;
}
