// The format's timestamps: "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds), which sort as strings in
// time order. Receipts and signatures may carry fractional seconds; events' created_at may not.
#pragma once

#include <string_view>

namespace pith {

// Exactly "YYYY-MM-DDTHH:MM:SSZ" with a valid calendar date and time (no leap seconds).
bool IsEventTimestamp(std::string_view s);
// IsEventTimestamp, or the same with a fraction of 1 to 9 digits before the 'Z'.
bool IsTimestamp(std::string_view s);

}  // namespace pith
