// Internal: whether a float's text is Python's float repr of its own value, judged without
// computing the value where its layout tells: the canonical proof's fast float check (json_view.cc).
// FloatRepr, which writes repr from a double, is declared in pith/json.h.
#pragma once

#include <string_view>

namespace pith::json::internal {

// How repr lays out a float, read back from a text: value = 0.DIGITS x 10^decpt, DIGITS being head
// then tail (the significant digits before and after the point; the first not '0', the last not '0'),
// both viewing the text.
struct ReprLayout {
  bool negative = false;
  std::string_view head, tail;
  int decpt = 0;
};
// True, with *layout, when `text` is laid out exactly as repr lays out some non-zero float of at
// most 17 significant digits: repr's text of that layout is then `text` byte for byte. False for
// every other text ("0.0" and "-0.0" included). The bytes from `readable_from` (at or before
// text.data(); null: text.data()) to the text's end may be read, to read digits eight at a time.
bool ParseReprLayout(std::string_view text, ReprLayout* layout, const char* readable_from = nullptr);

// True when `text` is repr(float(text)), judged from its layout alone: it is laid out as repr lays
// out a float, with at most 15 significant digits and a value well inside the normal doubles. Such
// a decimal is the only one of at most 15 digits that rounds to its double (DBL_DIG), so its digits
// are repr's shortest ones. False means only "not known this way": zero, 16 or 17 digits, the ends
// of the range, and every text repr would not write.
bool IsShortFloatRepr(std::string_view text);

// True when `text` is repr(float(text)): IsShortFloatRepr, else its double (DoubleOfDecimal, or
// std::from_chars) and JudgeShortestDecimal of its digits, else the text's digits compared with the
// shortest digits of its double (std::to_chars).
bool IsFloatRepr(std::string_view text, const char* readable_from = nullptr);

}  // namespace pith::json::internal
