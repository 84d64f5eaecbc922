// Internal: the first pass of CanonicalText's proof (json_view.cc). It reads the whole text 64 bytes
// at a time and keeps one bit per byte for the quotes that open or close strings (the unescaped
// ones), so that the proof's walk steps from a string's opening quote to its closing one instead of
// reading the body. What a string body must satisfy is judged here for the whole text at once,
// because no canonical text holds it anywhere, inside a string or out: a byte below 0x20, an escape
// canon does not write, ill-formed UTF-8. (Out of strings the walk reads every byte itself and
// accepts no backslash or non-ASCII byte, so judging those bytes too refuses nothing it would prove.)
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace pith::json::internal {

// The ways a block can be classified (byte_classes.h), slowest first; all give the same marks.
enum class MarkIsa { kPortable, kSse2, kAvx512 };
// Those this build and this CPU can run, slowest first (the portable loop always).
std::vector<MarkIsa> AvailableMarkIsas();

class StringMarks {
 public:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  // Marks `text`. False when it holds a byte below 0x20, a backslash that does not start an escape
  // canon writes (\" \\ \n \r \t \b \f, or \u00xx in lowercase for the other control characters),
  // or ill-formed UTF-8 (RFC 3629): such a text is not canonical.
  bool Mark(std::string_view text);  // with the fastest of AvailableMarkIsas()
  bool Mark(std::string_view text, MarkIsa isa);  // a faster `isa` than the CPU has: its fastest

  // The position of the first unescaped '"' at or after `from`, or kNone.
  // Most strings close in the block they open in or the next: both words are read, and one chosen
  // without a branch (a zero word follows the last block's).
  size_t NextQuote(size_t from) const {
    const size_t w = from / 64;
    if (w + 1 >= quotes_.size()) return kNone;
    const uint64_t here = quotes_[w] & (~uint64_t{0} << (from % 64)), next = quotes_[w + 1];
    const uint64_t in_next = here == 0;  // 0 or 1, and its negation a mask: no branch on it
    const uint64_t found = here | (next & (0 - in_next));
    if (found == 0) return FirstBitFrom(quotes_, (w + 2) * 64);
    return (w + in_next) * 64 + static_cast<size_t>(__builtin_ctzll(found));
  }
  // Whether a backslash that starts an escape lies in [begin, end).
  // Reads only the words that cover the range; a range within two words (a key's) without a branch
  // on where it ends (a zero word follows the last block's).
  bool AnyEscape(size_t begin, size_t end) const {
    if (!any_backslash_ || begin >= end || begin / 64 + 1 >= backslashes_.size()) return false;
    const size_t w = begin / 64, last = (end - 1) / 64;
    if (last > w + 1) return FirstBitFrom(backslashes_, begin) < end;
    const uint64_t here = backslashes_[w] & (~uint64_t{0} << (begin % 64)), next = backslashes_[w + 1];
    const uint64_t before_end = ~uint64_t{0} >> (63 - (end - 1) % 64);  // of word `last`
    const uint64_t two_words = 0 - static_cast<uint64_t>(last != w);  // all ones or zero
    return ((here & (before_end | two_words)) | (next & before_end & two_words)) != 0;
  }

  // Marks of a text above this many bytes are not kept once read (ReleaseIfLarge): a thread that
  // proved one huge text should not hold a quarter of its size for good.
  static constexpr size_t kKeepBytes = size_t{1} << 20;
  // Frees the marks' words if they cover more than kKeepBytes of text.
  void ReleaseIfLarge();
  // The bytes the marks hold (their words' capacity).
  size_t BytesHeld() const { return (quotes_.capacity() + backslashes_.capacity()) * sizeof(uint64_t); }

  // The first set bit at or after `from` (bit i of word w is byte 64w + i), or kNone.
  static size_t FirstBitFrom(const std::vector<uint64_t>& bits, size_t from) {
    size_t w = from / 64;
    if (w >= bits.size()) return kNone;
    uint64_t word = bits[w] & (~uint64_t{0} << (from % 64));
    while (word == 0) {
      if (++w == bits.size()) return kNone;
      word = bits[w];
    }
    return w * 64 + static_cast<size_t>(__builtin_ctzll(word));
  }

 private:
  bool JudgeBackslashes(std::string_view text);

  std::vector<uint64_t> quotes_;       // unescaped '"', and a zero word after the last block's
  std::vector<uint64_t> backslashes_;  // every backslash while marking; then the escapes' first bytes;
                                       // and a zero word after the last block's
  bool any_backslash_ = false;
};

}  // namespace pith::json::internal
