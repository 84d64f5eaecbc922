// Internal: the table of event types (merge-v1.md section 2) and their payload rules (2.1).
#pragma once

#include <optional>
#include <string_view>

#include "pith/json.h"
#include "pith/json_view.h"

namespace pith::merge_internal {

struct EventTypeInfo {
  std::string_view name;        // event_type
  std::string_view target;      // the target it requires
  std::string_view state_list;  // its member of `current`
  unsigned allowed_signers;     // bit i set: kSignerTypes[i] may emit it
};

inline constexpr std::string_view kSignerTypes[] = {"pith_registry", "author", "researcher",
                                                   "timestamp_authority", "storage_provider", "mirror"};

// The type's entry, or nullopt for an unknown event_type.
const EventTypeInfo* FindEventType(std::string_view event_type);
// All types in table order (record_created first).
const EventTypeInfo* EventTypesBegin();
const EventTypeInfo* EventTypesEnd();

bool SignerTypeAllowed(const EventTypeInfo& type, std::string_view signer_type);
// Section 2.1: the payload has every required member with the required type and value. Doc is
// json::Value or json::View (instantiated for both).
template <typename Doc>
bool PayloadShapeValid(const EventTypeInfo& type, const Doc& payload);

inline bool IsRecordCreated(const EventTypeInfo& type) { return type.name == "record_created"; }
inline bool IsCorrection(const EventTypeInfo& type) { return type.name == "correction"; }

}  // namespace pith::merge_internal
