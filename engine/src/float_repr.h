// Internal: whether a float's text is Python's float repr of its own value, judged without
// computing the value where its layout tells: the canonical proof's fast float check (json_view.cc).
// FloatRepr, which writes repr from a double, is declared in pith/json.h.
#pragma once

#include <string_view>

namespace pith::json::internal {

// True when `text` is repr(float(text)), judged from its layout alone: it is laid out as repr lays
// out a float, with at most 15 significant digits and a value well inside the normal doubles. Such
// a decimal is the only one of at most 15 digits that rounds to its double (DBL_DIG), so its digits
// are repr's shortest ones. False means only "not known this way": zero, 16 or 17 digits, the ends
// of the range, and every text repr would not write; the caller then computes the double.
bool IsShortFloatRepr(std::string_view text);

}  // namespace pith::json::internal
