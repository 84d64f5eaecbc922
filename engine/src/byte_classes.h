// Internal: the classes of the 64 bytes of a block that StringMarks (json_string_marks.h) needs,
// one bit per byte, computed three ways: a byte loop (any machine), SSE2 (every x86-64) and
// AVX-512BW (chosen at run time where the CPU has it). All three give the same bits: the tests
// compare them on every machine that can run them.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PITH_HAVE_X86_BLOCKS 1
#endif

namespace pith::json::internal {

constexpr size_t kBlockBytes = 64;

// What a string's body may hold is judged from these.
struct StringBits {
  uint64_t quotes = 0, backslashes = 0, high = 0;  // '"', '\\', bytes >= 0x80
  bool control = false;                            // some byte below 0x20
};

// The classes of bytes >= 0x80 that UTF-8's well-formedness depends on (RFC 3629, Table 3-7).
struct Utf8Bits {
  uint64_t high = 0;
  uint64_t cont = 0;                                   // 80..BF
  uint64_t lead2 = 0, lead3 = 0, lead4 = 0;            // C2..DF, E0..EF, F0..F4
  uint64_t e0 = 0, ed = 0, f0 = 0, f4 = 0;             // the leads with a narrower second byte
  uint64_t below_a0 = 0, below_90 = 0;                 // 80..9F, 80..8F
};

struct PortableBlocks {
  static StringBits Strings(const char* at) {
    StringBits m;
    for (size_t i = 0; i < kBlockBytes; ++i) {
      const unsigned char c = static_cast<unsigned char>(at[i]);
      m.quotes |= static_cast<uint64_t>(c == '"') << i;
      m.backslashes |= static_cast<uint64_t>(c == '\\') << i;
      m.high |= static_cast<uint64_t>(c >= 0x80) << i;
      m.control |= c < 0x20;
    }
    return m;
  }
  static Utf8Bits Utf8(const char* at) {
    Utf8Bits u;
    for (size_t i = 0; i < kBlockBytes; ++i) {
      const unsigned char c = static_cast<unsigned char>(at[i]);
      auto set = [&](uint64_t* mask, bool on) { *mask |= static_cast<uint64_t>(on) << i; };
      set(&u.high, c >= 0x80);
      set(&u.cont, c >= 0x80 && c <= 0xBF);
      set(&u.lead2, c >= 0xC2 && c <= 0xDF);
      set(&u.lead3, c >= 0xE0 && c <= 0xEF);
      set(&u.lead4, c >= 0xF0 && c <= 0xF4);
      set(&u.e0, c == 0xE0);
      set(&u.ed, c == 0xED);
      set(&u.f0, c == 0xF0);
      set(&u.f4, c == 0xF4);
      set(&u.below_a0, c >= 0x80 && c <= 0x9F);
      set(&u.below_90, c >= 0x80 && c <= 0x8F);
    }
    return u;
  }
};

#if defined(PITH_HAVE_X86_BLOCKS)
// Four 16-byte loads; SSE2 compares bytes as signed, so the ranges of high bytes are negative.
struct Sse2Blocks {
  static uint64_t Bits(__m128i m, int k) {
    return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(m))) << (16 * k);
  }
  static __m128i Byte(int v) { return _mm_set1_epi8(static_cast<char>(v)); }
  static __m128i Load(const char* at, int k) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + 16 * k)); }

  static StringBits Strings(const char* at) {
    StringBits m;
    __m128i control = _mm_setzero_si128();
    for (int k = 0; k < 4; ++k) {
      const __m128i b = Load(at, k);
      m.quotes |= Bits(_mm_cmpeq_epi8(b, Byte('"')), k);
      m.backslashes |= Bits(_mm_cmpeq_epi8(b, Byte('\\')), k);
      m.high |= Bits(b, k);
      // byte <= 0x1F unsigned: max(byte, 0x1F) == 0x1F.
      control = _mm_or_si128(control, _mm_cmpeq_epi8(_mm_max_epu8(b, Byte(0x1F)), Byte(0x1F)));
    }
    m.control = _mm_movemask_epi8(control) != 0;
    return m;
  }
  // 0x80..0xBF is [-128, -65] as signed bytes, 0xC2..0xDF [-62, -33], 0xE0..0xEF [-32, -17],
  // 0xF0..0xF4 [-16, -12].
  static Utf8Bits Utf8(const char* at) {
    Utf8Bits u;
    for (int k = 0; k < 4; ++k) {
      const __m128i b = Load(at, k);
      auto in_range = [&](int lo, int hi) {  // lo <= byte <= hi, as signed bytes
        return Bits(_mm_and_si128(_mm_cmpgt_epi8(b, Byte(lo - 1)), _mm_cmplt_epi8(b, Byte(hi + 1))), k);
      };
      u.high |= Bits(b, k);
      u.cont |= Bits(_mm_cmplt_epi8(b, Byte(-64)), k);
      u.lead2 |= in_range(-62, -33);
      u.lead3 |= in_range(-32, -17);
      u.lead4 |= in_range(-16, -12);
      u.e0 |= Bits(_mm_cmpeq_epi8(b, Byte(0xE0)), k);
      u.ed |= Bits(_mm_cmpeq_epi8(b, Byte(0xED)), k);
      u.f0 |= Bits(_mm_cmpeq_epi8(b, Byte(0xF0)), k);
      u.f4 |= Bits(_mm_cmpeq_epi8(b, Byte(0xF4)), k);
      u.below_a0 |= Bits(_mm_cmplt_epi8(b, Byte(-96)), k);
      u.below_90 |= Bits(_mm_cmplt_epi8(b, Byte(-112)), k);
    }
    return u;
  }
};

// One 64-byte load; every class is one or two compares straight into a 64-bit mask. Each function
// is compiled for AVX-512BW (GCC and Clang alike), and runs only where the CPU has it.
#define PITH_AVX512 __attribute__((target("avx512bw")))
struct Avx512Blocks {
  PITH_AVX512 static __m512i Byte(int v) { return _mm512_set1_epi8(static_cast<char>(v)); }

  PITH_AVX512 static StringBits Strings(const char* at) {
    const __m512i b = _mm512_loadu_si512(at);
    StringBits m;
    m.quotes = _mm512_cmpeq_epi8_mask(b, Byte('"'));
    m.backslashes = _mm512_cmpeq_epi8_mask(b, Byte('\\'));
    m.high = _mm512_movepi8_mask(b);
    m.control = _mm512_cmplt_epu8_mask(b, Byte(0x20)) != 0;
    return m;
  }
  PITH_AVX512 static Utf8Bits Utf8(const char* at) {
    const __m512i b = _mm512_loadu_si512(at);
    auto in_range = [&](int lo, int hi) PITH_AVX512 {  // lo <= byte <= hi, unsigned
      return _mm512_cmpge_epu8_mask(b, Byte(lo)) & _mm512_cmple_epu8_mask(b, Byte(hi));
    };
    Utf8Bits u;
    u.high = _mm512_movepi8_mask(b);
    u.cont = in_range(0x80, 0xBF);
    u.lead2 = in_range(0xC2, 0xDF);
    u.lead3 = in_range(0xE0, 0xEF);
    u.lead4 = in_range(0xF0, 0xF4);
    u.e0 = _mm512_cmpeq_epi8_mask(b, Byte(0xE0));
    u.ed = _mm512_cmpeq_epi8_mask(b, Byte(0xED));
    u.f0 = _mm512_cmpeq_epi8_mask(b, Byte(0xF0));
    u.f4 = _mm512_cmpeq_epi8_mask(b, Byte(0xF4));
    u.below_a0 = in_range(0x80, 0x9F);
    u.below_90 = in_range(0x80, 0x8F);
    return u;
  }
};
#endif  // PITH_HAVE_X86_BLOCKS

// What a block's UTF-8 leaves for the next: where continuation bytes must be (bits 0 to 2), and
// whether its first byte follows E0, ED, F0 or F4 (bit 0 of each).
struct Utf8Carry {
  uint64_t expected = 0, after_e0 = 0, after_ed = 0, after_f0 = 0, after_f4 = 0;
};

// Judges one block's UTF-8 from its classes, with a bit per byte instead of a branch per sequence:
// false when a byte can be in no sequence, when the continuation bytes are not exactly where the
// leads before them say (the carry brings the last block's), or when a second byte is outside the
// narrower range its lead allows (after E0 A0..BF, no overlong; after ED 80..9F, no surrogate;
// after F0 90..BF, no overlong; after F4 80..8F, nothing past U+10FFFF).
inline bool JudgeUtf8Bits(const Utf8Bits& u, Utf8Carry* carry) {
  const uint64_t leads = u.lead2 | u.lead3 | u.lead4, long_leads = u.lead3 | u.lead4;
  const uint64_t expected = (leads << 1) | (long_leads << 2) | (u.lead4 << 3) | carry->expected;
  const uint64_t after_e0 = (u.e0 << 1) | carry->after_e0, after_ed = (u.ed << 1) | carry->after_ed;
  const uint64_t after_f0 = (u.f0 << 1) | carry->after_f0, after_f4 = (u.f4 << 1) | carry->after_f4;
  *carry = {(leads >> 63) | (long_leads >> 62) | (u.lead4 >> 61), u.e0 >> 63, u.ed >> 63, u.f0 >> 63, u.f4 >> 63};
  return (u.high & ~(u.cont | leads)) == 0 && expected == u.cont &&
         ((after_e0 & u.below_a0) | (after_ed & ~u.below_a0) | (after_f0 & u.below_90) | (after_f4 & ~u.below_90)) == 0;
}

}  // namespace pith::json::internal
