// The deterministic merge `pith-open-graph-merge-v1` (specs/merge-v1.md).
//
// State is a pure function of (the set of event documents of one subject, the trusted keys, the
// merge version). Arrival order, duplicates and thread count never change a byte of it.
//
//   pith::TrustedKeys keys = pith::TrustedKeys::Defaults();
//   pith::Result<pith::MergedState> s = pith::Merge(subject, documents, keys, {});
//   if (s.ok()) std::cout << s->canonical;   // canon(state), state_sha256 included
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pith/json.h"
#include "pith/json_view.h"
#include "pith/keys.h"
#include "pith/status.h"

namespace pith {

inline constexpr std::string_view kMergeV1 = "pith-open-graph-merge-v1";

// True for the merge versions this build implements.
bool IsKnownMergeVersion(std::string_view version);
// OK for a version this build implements, else kUnsupported naming it and the one implemented.
Status CheckMergeVersion(std::string_view version);

struct MergeOptions {
  std::string merge_version = std::string(kMergeV1);
  // Threads for signature verification: 0 means all cores. Never changes the output.
  unsigned threads = 0;
};

// The most documents one merge takes for one subject (specs/security.md). Past it the merge is
// refused with kInvalidInput instead of growing without bound.
inline constexpr size_t kMaxDocumentsPerSubject = 1'000'000;
// The most events one bundle may carry.
inline constexpr size_t kMaxEventsPerBundle = 100'000;

// kInvalidInput naming the limit when `count` documents exceed kMaxDocumentsPerSubject.
Status CheckSubjectSize(std::string_view subject, size_t count);

// A state as the merge writes it: its canonical bytes are the product (they are what is hashed,
// stored and served); Object() parses them for a caller that looks inside.
struct MergedState {
  std::string canonical;     // canon(state), state_sha256 included
  std::string state_sha256;  // hex

  Result<json::Value> Object() const;
};

// The result of checking one document alone (merge-v1.md section 3).
struct DocumentVerdict {
  std::string document_sha256;  // hex sha256 of canon(document)
  std::string reason;           // empty when well formed, else a reason code of section 3
  bool well_formed() const { return reason.empty(); }
};

// Section 3 for one document: pure, thread-safe, and the only place signatures are verified.
DocumentVerdict CheckDocument(const json::Value& document, std::string_view subject, const TrustedKeys& keys);
// The same for an object whose canonical text and member spans the caller has already written
// (json::AppendCanonicalObject): one canonical writing fewer.
DocumentVerdict CheckDocument(const json::Value& document, std::string_view canonical,
                              const std::vector<json::MemberSpan>& spans, std::string_view subject,
                              const TrustedKeys& keys);
// The same for a text proven canonical (json::CanonicalText::proven()): no value tree, no rewrite.
DocumentVerdict CheckDocument(const json::CanonicalText& document, std::string_view subject, const TrustedKeys& keys);
// Section 3's reason alone (empty when well formed), as CheckDocument(...).reason gives it, for a
// caller that holds the document's hash already (the store keys each document by it): one SHA-256
// of the whole document fewer.
std::string CheckDocumentReason(const json::Value& document, std::string_view subject, const TrustedKeys& keys);
std::string CheckDocumentReason(const json::CanonicalText& document, std::string_view subject, const TrustedKeys& keys);
std::string CheckDocumentReason(const json::Value& document, std::string_view canonical,
                                const std::vector<json::MemberSpan>& spans, std::string_view subject,
                                const TrustedKeys& keys);

// Section 3 for many documents of one subject on up to `threads` threads (0: all cores);
// (*out)[i] belongs to documents[i] whatever the thread count.
void CheckDocuments(const std::vector<json::Value>& documents, std::string_view subject, const TrustedKeys& keys,
                    unsigned threads, std::vector<DocumentVerdict>* out);

// The whole merge. Fails only for an unknown merge version (kUnsupported); bad events are
// recorded in the state's invalid_events, never errors.
Result<MergedState> Merge(std::string_view subject, const std::vector<json::Value>& documents,
                          const TrustedKeys& keys, const MergeOptions& options);

// The merge given section 3's verdicts already computed (for example cached by a store);
// verdicts[i] belongs to documents[i]. Duplicated documents may appear; they count once.
Result<MergedState> MergeChecked(std::string_view subject, const std::vector<json::Value>& documents,
                                 const std::vector<DocumentVerdict>& verdicts, const TrustedKeys& keys,
                                 std::string_view merge_version);

// The reason codes of merge-v1.md sections 3 and 4, in check order.
const std::vector<std::string_view>& AllReasonCodes();

}  // namespace pith
