// StringMarks: one pass over the text, 64 bytes a block, with the fastest classes of bytes the
// machine has (byte_classes.h), UTF-8 judged in the same pass; then the rare backslashes, in order.
#include "json_string_marks.h"

#include <algorithm>
#include <cstring>

#include "byte_classes.h"

namespace pith::json::internal {
namespace {

bool IsLowerHexDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// The length of the escape canon writes that starts at the backslash text[at], or 0.
size_t CanonicalEscapeLength(std::string_view text, size_t at) {
  if (at + 1 >= text.size()) return 0;
  switch (text[at + 1]) {
    case '"': case '\\': case 'n': case 'r': case 't': case 'b': case 'f':
      return 2;
    case 'u': {
      if (at + 6 > text.size()) return 0;
      const char* h = text.data() + at + 2;
      if (h[0] != '0' || h[1] != '0' || !IsLowerHexDigit(h[2]) || !IsLowerHexDigit(h[3])) return 0;
      const int code = HexValue(h[2]) * 16 + HexValue(h[3]);
      // \u00xx only for control characters without a short escape.
      if (code >= 0x20 || code == '\b' || code == '\t' || code == '\n' || code == '\f' || code == '\r') return 0;
      return 6;
    }
    default:
      return 0;
  }
}

// The text's blocks marked with one instruction set's classes: quotes and backslashes kept, and
// what no canonical text holds anywhere judged on the way.
struct MarkSummary {
  bool any_backslash = false;
  bool judged_well = true;  // no byte below 0x20, well-formed UTF-8
};

// Always inlined, down to the classes (no lambda in between): inlined into MarkAvx512, the
// AVX-512 classes inline too, which they cannot into a function compiled for any x86-64.
struct MarkState {
  uint64_t any_backslash = 0;
  bool control = false, utf8 = true;
  Utf8Carry carry;
};

template <class Blocks>
inline __attribute__((always_inline)) void MarkBlock(const char* at, size_t block, uint64_t* quotes,
                                                     uint64_t* backslashes, MarkState* state) {
  const StringBits m = Blocks::Strings(at);
  quotes[block] = m.quotes;
  backslashes[block] = m.backslashes;
  state->any_backslash |= m.backslashes;
  state->control |= m.control;
  if ((m.high != 0 || state->carry.expected != 0) && state->utf8) {
    state->utf8 = JudgeUtf8Bits(Blocks::Utf8(at), &state->carry);
  }
}

template <class Blocks>
inline __attribute__((always_inline)) MarkSummary MarkBlocks(std::string_view text, uint64_t* quotes,
                                                             uint64_t* backslashes) {
  MarkState state;
  const size_t whole = text.size() / kBlockBytes;
  // Ask for every line of the text at once: the misses overlap instead of coming one by one.
  for (size_t block = 0; block < whole; ++block) __builtin_prefetch(text.data() + block * kBlockBytes);
  for (size_t block = 0; block < whole; ++block) {
    MarkBlock<Blocks>(text.data() + block * kBlockBytes, block, quotes, backslashes, &state);
  }
  if (whole * kBlockBytes < text.size()) {  // the last, partial block, padded with spaces (no class)
    char padded[kBlockBytes];
    std::memset(padded, ' ', kBlockBytes);
    std::memcpy(padded, text.data() + whole * kBlockBytes, text.size() - whole * kBlockBytes);
    MarkBlock<Blocks>(padded, whole, quotes, backslashes, &state);
  }
  // A sequence cut by the end of the text leaves continuation bytes expected.
  return {state.any_backslash != 0, !state.control && state.utf8 && state.carry.expected == 0};
}

MarkSummary MarkPortable(std::string_view text, uint64_t* quotes, uint64_t* backslashes) {
  return MarkBlocks<PortableBlocks>(text, quotes, backslashes);
}

#if defined(PITH_HAVE_X86_BLOCKS)
MarkSummary MarkSse2(std::string_view text, uint64_t* quotes, uint64_t* backslashes) {
  return MarkBlocks<Sse2Blocks>(text, quotes, backslashes);
}

PITH_AVX512 MarkSummary MarkAvx512(std::string_view text, uint64_t* quotes, uint64_t* backslashes) {
  return MarkBlocks<Avx512Blocks>(text, quotes, backslashes);
}
#endif

MarkIsa FastestIsa() {
  static const MarkIsa fastest = AvailableMarkIsas().back();
  return fastest;
}

}  // namespace

std::vector<MarkIsa> AvailableMarkIsas() {
  std::vector<MarkIsa> isas = {MarkIsa::kPortable};
#if defined(PITH_HAVE_X86_BLOCKS)
  isas.push_back(MarkIsa::kSse2);
  if (__builtin_cpu_supports("avx512bw")) isas.push_back(MarkIsa::kAvx512);
#endif
  return isas;
}

bool StringMarks::Mark(std::string_view text) { return Mark(text, FastestIsa()); }

bool StringMarks::Mark(std::string_view text, MarkIsa isa) {
  isa = std::min(isa, FastestIsa());  // never one this CPU lacks (they are listed slowest first)
  const size_t blocks = (text.size() + kBlockBytes - 1) / kBlockBytes;
  quotes_.resize(blocks + 1);
  quotes_[blocks] = 0;
  backslashes_.resize(blocks + 1);
  backslashes_[blocks] = 0;
  MarkSummary summary;
  switch (isa) {
#if defined(PITH_HAVE_X86_BLOCKS)
    case MarkIsa::kAvx512: summary = MarkAvx512(text, quotes_.data(), backslashes_.data()); break;
    case MarkIsa::kSse2: summary = MarkSse2(text, quotes_.data(), backslashes_.data()); break;
#endif
    default: summary = MarkPortable(text, quotes_.data(), backslashes_.data()); break;
  }
  any_backslash_ = summary.any_backslash;
  if (!summary.judged_well) return false;
  return !any_backslash_ || JudgeBackslashes(text);
}

void StringMarks::ReleaseIfLarge() {
  if (quotes_.capacity() * kBlockBytes <= kKeepBytes) return;
  std::vector<uint64_t>().swap(quotes_);
  std::vector<uint64_t>().swap(backslashes_);
  any_backslash_ = false;
}

// Walks the backslashes in order: one that is not itself escaped starts an escape, which must be one
// canon writes; the byte after it is escaped (a quote there neither opens nor closes a string, a
// backslash there starts nothing). Leaves in backslashes_ only the escapes' first bytes: the walk
// clears each escaped byte's bit before it gets there.
bool StringMarks::JudgeBackslashes(std::string_view text) {
  auto clear = [](std::vector<uint64_t>* bits, size_t at) { (*bits)[at / kBlockBytes] &= ~(uint64_t{1} << (at % kBlockBytes)); };
  for (size_t at = FirstBitFrom(backslashes_, 0); at != kNone;) {
    const size_t length = CanonicalEscapeLength(text, at);
    if (length == 0) return false;
    if (text[at + 1] == '"') clear(&quotes_, at + 1);
    if (text[at + 1] == '\\') clear(&backslashes_, at + 1);
    at = FirstBitFrom(backslashes_, at + length);
  }
  return true;
}

}  // namespace pith::json::internal
