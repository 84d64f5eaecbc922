// Internal: one 16-byte block of a JSON string's body judged at once with SSE2 (CanonicalText's
// string scan). It finds where plain content ends (a '"', a '\\', a control byte, or a UTF-8
// error) and checks the UTF-8 before that point with bit masks, one bit per byte, instead of a
// branch per sequence. It only ever vouches for bytes: anything it cannot vouch for is left to the
// byte-at-a-time loop, which accepts or refuses (so an error here costs speed, never a verdict).
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>

#include <cstdint>

namespace pith::json::internal {

struct StringBlock {
  unsigned length;  // bytes from the block's start that are content, ending at a sequence boundary
  bool go_on;       // the whole block is content but for a sequence that starts at `length` and
                    // crosses into the next block: scan on from there
};

// Bits [k, 32) set (all bits for k <= 0).
inline uint32_t BitsFrom(int k) { return k <= 0 ? ~0u : (k >= 32 ? 0u : ~0u << k); }

inline StringBlock JudgeStringBlock(const char* at) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
  auto mask = [](__m128i m) { return static_cast<uint32_t>(_mm_movemask_epi8(m)); };
  auto byte = [](int v) { return _mm_set1_epi8(static_cast<char>(v)); };
  const uint32_t high = mask(b);  // bytes >= 0x80 (negative as signed bytes)
  // '"', '\\\\' and bytes below 0x20 (the signed compare also takes the high bytes: removed).
  const uint32_t stops =
      mask(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, byte('"')), _mm_cmpeq_epi8(b, byte('\\'))),
                        _mm_cmplt_epi8(b, byte(0x20)))) & ~high;
  const int stop = stops != 0 ? __builtin_ctz(stops) : 16;
  const uint32_t before_stop = (1u << stop) - 1;
  if ((high & before_stop) == 0) return {static_cast<unsigned>(stop), false};  // ASCII up to the stop

  // Signed compares: 0x80..0xBF is [-128, -65], 0xC2..0xDF [-62, -33], 0xE0..0xEF [-32, -17],
  // 0xF0..0xF4 [-16, -12]; 0xC0, 0xC1 and 0xF5..0xFF are in none of them.
  auto in_range = [&](int lo, int hi) {  // lo <= byte <= hi, as signed bytes
    return mask(_mm_and_si128(_mm_cmpgt_epi8(b, byte(lo - 1)), _mm_cmplt_epi8(b, byte(hi + 1))));
  };
  const uint32_t cont = mask(_mm_cmplt_epi8(b, byte(-64)));
  const uint32_t lead2 = in_range(-62, -33), lead3 = in_range(-32, -17), lead4 = in_range(-16, -12);
  // A lead whose sequence would reach the stop (or the block's end) ends the part judged here.
  const uint32_t crossing =
      ((lead2 & BitsFrom(stop - 1)) | (lead3 & BitsFrom(stop - 2)) | (lead4 & BitsFrom(stop - 3))) & before_stop;
  const int end = crossing != 0 ? __builtin_ctz(crossing) : stop;
  const uint32_t judged = (1u << end) - 1;

  const uint32_t l2 = lead2 & judged, l3 = lead3 & judged, l4 = lead4 & judged;
  // Where continuation bytes must be: one after each lead, two after 3- and 4-byte leads, three
  // after 4-byte ones. They must be exactly the continuation bytes of the judged part.
  const uint32_t expected = ((l2 | l3 | l4) << 1) | ((l3 | l4) << 2) | (l4 << 3);
  bool bad = (high & judged & ~(cont | lead2 | lead3 | lead4)) != 0 ||  // C0, C1, F5..FF
             (expected & ~judged) != 0 ||                                 // a sequence cut by the end
             expected != (cont & judged);
  // The second byte's narrower ranges: after E0 A0..BF (not overlong), after ED 80..9F (no
  // surrogates), after F0 90..BF (not overlong), after F4 80..8F (not past U+10FFFF).
  const uint32_t below_a0 = mask(_mm_cmplt_epi8(b, byte(-96)));  // 0x80..0x9F
  const uint32_t below_90 = mask(_mm_cmplt_epi8(b, byte(-112)));  // 0x80..0x8F
  const uint32_t e0 = mask(_mm_cmpeq_epi8(b, byte(0xE0))) & judged, ed = mask(_mm_cmpeq_epi8(b, byte(0xED))) & judged;
  const uint32_t f0 = mask(_mm_cmpeq_epi8(b, byte(0xF0))) & judged, f4 = mask(_mm_cmpeq_epi8(b, byte(0xF4))) & judged;
  bad = bad || ((e0 << 1) & below_a0) != 0 || ((ed << 1) & ~below_a0) != 0 || ((f0 << 1) & below_90) != 0 ||
        ((f4 << 1) & ~below_90) != 0;
  if (bad) return {0, false};
  return {static_cast<unsigned>(end), stop == 16 && end < 16};
}

}  // namespace pith::json::internal

#endif  // __SSE2__
