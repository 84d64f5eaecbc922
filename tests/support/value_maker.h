// Test support: random JSON values for property tests (strings mix ASCII, the characters canon
// escapes and code points from every UTF-8 length; integers up to 400 digits; any finite double).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "pith/json.h"

namespace pith::json::test {

class ValueMaker {
 public:
  explicit ValueMaker(uint32_t seed) : rng_(seed) {}

  Value Make(int depth) {
    int kind = Uniform(0, depth >= 4 ? 5 : 7);
    switch (kind) {
      case 0: return Value::Null();
      case 1: return Value::Bool(Uniform(0, 1) == 1);
      case 2: return MakeInteger();
      case 3: return Value::Float(MakeDouble());
      case 4:
      case 5: return Value::String(MakeString());
      case 6: {
        std::vector<Value> items;
        for (int i = Uniform(0, 5); i > 0; --i) items.push_back(Make(depth + 1));
        return Value::Array(std::move(items));
      }
      default: {
        std::set<std::string> keys;
        for (int i = Uniform(0, 5); i > 0; --i) keys.insert(MakeString());
        std::vector<Value::Member> members;
        for (const std::string& k : keys) members.emplace_back(k, Make(depth + 1));
        std::shuffle(members.begin(), members.end(), rng_);
        return Value::Object(std::move(members));
      }
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  Value MakeInteger() {
    switch (Uniform(0, 2)) {
      case 0: return Value::Integer(Uniform(-1000, 1000));
      case 1: return Value::Integer(static_cast<int64_t>(rng_()) << 32 | rng_());
      default: {
        std::string digits(1, static_cast<char>('1' + Uniform(0, 8)));
        for (int i = Uniform(0, 400); i > 0; --i) digits.push_back(static_cast<char>('0' + Uniform(0, 9)));
        return Value::NumberText(Kind::kInteger, (Uniform(0, 1) ? "-" : "") + digits);
      }
    }
  }

  double MakeDouble() {
    for (;;) {
      uint64_t bits = static_cast<uint64_t>(rng_()) << 32 | rng_();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      if (Uniform(0, 3) == 0) d = std::ldexp(static_cast<double>(Uniform(-99999, 99999)), Uniform(-30, 30));
      if (std::isfinite(d)) return d;
    }
  }

  void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | cp >> 6));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | cp >> 12));
      out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | cp >> 18));
      out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::string MakeString() {
    static constexpr uint32_t kSpecial[] = {0x00, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, '"', '\\', '/', 0x7F,
                                            0x80, 0xE9, 0x301, 0x2028, 0x2029, 0xFEFF, 0xFFFF, 0x10000,
                                            0x1F600, 0x10FFFF, 0xE000, 0xD7FF};
    std::string s;
    for (int i = Uniform(0, 8); i > 0; --i) {
      uint32_t cp;
      switch (Uniform(0, 3)) {
        case 0: cp = static_cast<uint32_t>(Uniform(0x20, 0x7E)); break;
        case 1: cp = kSpecial[Uniform(0, sizeof kSpecial / sizeof kSpecial[0] - 1)]; break;
        default:
          do {
            cp = static_cast<uint32_t>(Uniform(0, 0x10FFFF));
          } while (cp >= 0xD800 && cp <= 0xDFFF);
      }
      AppendUtf8(cp, &s);
    }
    return s;
  }

  std::mt19937 rng_;
};

}  // namespace pith::json::test
