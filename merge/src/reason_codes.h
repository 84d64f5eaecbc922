// Internal: the stable reason codes of merge-v1.md sections 3 and 4.
#pragma once

#include <string_view>

namespace pith::merge_internal::reason {

// Section 3, in check order.
inline constexpr std::string_view kMalformedEvent = "malformed_event";
inline constexpr std::string_view kBadCreatedAt = "bad_created_at";
inline constexpr std::string_view kBadReference = "bad_reference";
inline constexpr std::string_view kUnsupportedSchemaVersion = "unsupported_schema_version";
inline constexpr std::string_view kUnknownEventType = "unknown_event_type";
inline constexpr std::string_view kWrongTarget = "wrong_target";
inline constexpr std::string_view kWrongSubject = "wrong_subject";
inline constexpr std::string_view kContentHashMismatch = "content_hash_mismatch";
inline constexpr std::string_view kEventIdMismatch = "event_id_mismatch";
inline constexpr std::string_view kUnsupportedSignature = "unsupported_signature";
inline constexpr std::string_view kSignatureSignerMismatch = "signature_signer_mismatch";
inline constexpr std::string_view kUnknownKey = "unknown_key";
inline constexpr std::string_view kKeyFingerprintMismatch = "key_fingerprint_mismatch";
inline constexpr std::string_view kKeySignerMismatch = "key_signer_mismatch";
inline constexpr std::string_view kKeyRotated = "key_rotated";
inline constexpr std::string_view kSignerTypeNotAllowed = "signer_type_not_allowed";
inline constexpr std::string_view kInvalidPayload = "invalid_payload";
inline constexpr std::string_view kCanonicalHashMismatch = "canonical_hash_mismatch";
inline constexpr std::string_view kRecordSubjectMismatch = "record_subject_mismatch";
inline constexpr std::string_view kSourceMismatch = "source_mismatch";
inline constexpr std::string_view kBadReceipt = "bad_receipt";
inline constexpr std::string_view kBadSignature = "bad_signature";
// Section 4.
inline constexpr std::string_view kPrevEventMissing = "prev_event_missing";
inline constexpr std::string_view kPrevEventInvalid = "prev_event_invalid";
inline constexpr std::string_view kPrevEventForeign = "prev_event_foreign";
inline constexpr std::string_view kSupersedesMissing = "supersedes_missing";
inline constexpr std::string_view kSupersedesInvalid = "supersedes_invalid";
inline constexpr std::string_view kSupersedesForeign = "supersedes_foreign";
inline constexpr std::string_view kSupersedesWrongTarget = "supersedes_wrong_target";
inline constexpr std::string_view kReferenceCycle = "reference_cycle";

}  // namespace pith::merge_internal::reason
