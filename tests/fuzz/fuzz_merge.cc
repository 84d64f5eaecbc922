// Fuzz target: the merge of a set of events (merge-v1.md sections 3-8, and section 11).
//
// The input is split on LF into documents; the lines that parse are merged with pith::Merge for
// one subject (the first document's subject_pith_number, else the fixed subject) on 1 thread, under
// the default trusted keys plus every conformance test key (seal.h; bindings and a rotation
// included). When sealing (seal.h) changes any document, the sealed set is merged and checked too:
// hashes, receipts and signatures redone, and the subject moved to the pith number of the first
// record_created's record, so that mutations reach references, equivocation and the state.
//
// Properties (abort() on violation), for the set as read and for the sealed set:
//   - the merge never fails (the version is known), and its state passes CheckState;
//   - determinism (section 11): the documents reversed, with duplicates added, and rotated give the
//     same canon(state) byte for byte, and so does the merge on 3 threads;
//   - MergeChecked given CheckDocuments' verdicts gives the same bytes as Merge;
//   - every applied event id is listed once, and invalid_events is sorted by document_sha256.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "pith/json.h"
#include "pith/merge.h"
#include "seal.h"

namespace {

constexpr size_t kMaxDocuments = 64;

void MergeAndCheck(const std::vector<pith::json::Value>& docs, const std::string& subject) {
  const pith::TrustedKeys& keys = pith::fuzz::ConformanceKeys();
  pith::MergeOptions options;
  options.threads = 1;

  auto merged = pith::Merge(subject, docs, keys, options);
  PITH_FUZZ_CHECK_MSG(merged.ok(), merged.status().message());
  pith::fuzz::CheckState(*merged, subject);
  const std::string& want = merged->canonical;

  auto same = [&](const std::vector<pith::json::Value>& other, const char* what) {
    auto again = pith::Merge(subject, other, keys, options);
    PITH_FUZZ_CHECK_MSG(again.ok(), again.status().message());
    PITH_FUZZ_CHECK_MSG(again->canonical == want, std::string(what) + ":\n  " + want + "\n  " + again->canonical);
  };

  std::vector<pith::json::Value> reversed(docs.rbegin(), docs.rend());
  same(reversed, "reversed");
  if (!docs.empty()) {
    std::vector<pith::json::Value> duplicated = docs;
    duplicated.push_back(docs.front());
    duplicated.insert(duplicated.begin(), docs.back());
    same(duplicated, "with duplicates");
    std::vector<pith::json::Value> rotated = docs;
    std::rotate(rotated.begin(), rotated.begin() + rotated.size() / 2, rotated.end());
    same(rotated, "rotated");
  }

  // Thread count never changes the output either (the section 3 checks run on 3 threads here).
  pith::MergeOptions threaded = options;
  threaded.threads = 3;
  auto parallel = pith::Merge(subject, docs, keys, threaded);
  PITH_FUZZ_CHECK_MSG(parallel.ok(), parallel.status().message());
  PITH_FUZZ_CHECK_MSG(parallel->canonical == want, "3 threads:\n  " + want + "\n  " + parallel->canonical);

  std::vector<pith::DocumentVerdict> verdicts;
  pith::CheckDocuments(docs, subject, keys, 1, &verdicts);
  PITH_FUZZ_CHECK(verdicts.size() == docs.size());
  auto checked = pith::MergeChecked(subject, docs, verdicts, keys, pith::kMergeV1);
  PITH_FUZZ_CHECK_MSG(checked.ok(), checked.status().message());
  PITH_FUZZ_CHECK_MSG(checked->canonical == want, want + "\n  " + checked->canonical);

  auto parsed_state = merged->Object();
  PITH_FUZZ_CHECK(parsed_state.ok());
  const pith::json::Value& state = *parsed_state;
  std::set<std::string> applied;
  for (const pith::json::Value& id : pith::fuzz::ArrayMember(state, "applied_event_ids").items()) {
    PITH_FUZZ_CHECK(id.is_string());
    PITH_FUZZ_CHECK_MSG(applied.insert(id.text()).second, id.text());
  }
  const std::string* previous = nullptr;
  for (const pith::json::Value& inv : pith::fuzz::ArrayMember(state, "invalid_events").items()) {
    const std::string* sha = inv.FindString("document_sha256");
    PITH_FUZZ_CHECK(sha != nullptr);
    if (previous != nullptr) PITH_FUZZ_CHECK_MSG(*previous <= *sha, *sha);
    previous = sha;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = pith::fuzz::AsView(data, size);
  std::vector<pith::json::Value> docs;
  while (!text.empty() && docs.size() < kMaxDocuments) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    auto doc = pith::json::Parse(line);
    if (doc.ok()) docs.push_back(std::move(*doc));
  }

  std::string subject(pith::fuzz::kFixedSubject);
  for (const pith::json::Value& d : docs) {
    if (const std::string* s = d.FindString("subject_pith_number")) {
      subject = *s;
      break;
    }
  }
  MergeAndCheck(docs, subject);

  // The sealed set: the subject's documents move to the first record_created's own pith number.
  std::string sealed_subject = subject;
  for (const pith::json::Value& d : docs) {
    const std::string* s = d.FindString("subject_pith_number");
    if (s == nullptr || *s != subject) continue;
    if (auto p = pith::fuzz::RecordSubject(pith::fuzz::SealReceipt(d))) {
      sealed_subject = *p;
      break;
    }
  }
  std::vector<pith::json::Value> sealed;
  bool changed = false;
  for (const pith::json::Value& d : docs) {
    const std::string* s = d.FindString("subject_pith_number");
    sealed.push_back(pith::fuzz::SealEvent(d, s != nullptr && *s == subject ? &sealed_subject : nullptr));
    changed = changed || !(sealed.back() == d);
  }
  if (changed) MergeAndCheck(sealed, sealed_subject);
  return 0;
}
