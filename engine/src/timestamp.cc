#include "pith/timestamp.h"

namespace pith {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDateTime(std::string_view s) {  // s is at least the 19 chars "YYYY-MM-DDTHH:MM:SS"
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s[4] != '-' || !Digits(s, 5, 2, &mo) || s[7] != '-' || !Digits(s, 8, 2, &d) ||
      s[10] != 'T' || !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se)) {
    return false;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max_day = kDays[mo - 1] + (mo == 2 && leap ? 1 : 0);
  return d <= max_day && h <= 23 && mi <= 59 && se <= 59;
}

}  // namespace

bool IsEventTimestamp(std::string_view s) {
  return s.size() == 20 && s[19] == 'Z' && ValidDateTime(s);
}

bool IsTimestamp(std::string_view s) {
  if (IsEventTimestamp(s)) return true;
  if (s.size() < 22 || s.size() > 30 || s.back() != 'Z' || s[19] != '.' || !ValidDateTime(s)) return false;
  for (size_t i = 20; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace pith
