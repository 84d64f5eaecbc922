// Fuzz target: the strict JSON parser and canon() (specs/canonical-json.md).
//
// For every input the parser accepts, with x = parse(input) and c = canon(x):
//   - parse(c) succeeds, parse(c) == x, and canon(parse(c)) == c byte for byte (canon is a fixed point);
//   - c is valid UTF-8 and holds no byte below 0x20 (so no raw LF: `--lines` stays line-aligned);
//   - every object's members are strictly sorted by key; every integer is written -?(0|[1-9][0-9]*),
//     never "-0"; every float's text is FloatRepr(strtod(text)) (Python's repr, a fixed point);
//   - an input accepted under tight limits is accepted under the default limits, as the same value.
// For every refused input, the error position lies inside the input.
// CanonicalText (pith/json_view.h) proves only canonical objects: whatever it proves, under the
// default or tight limits, the parser accepts under the same limits, canon gives back byte for byte
// with the same member spans, and a View reads as the parsed tree; canon(x) of an object is proven
// unless it holds an escape (an escaped key is the one thing canon writes that it declines). The
// proof's first pass marks the same with every instruction set the machine has, and its float
// checks (engine/src/float_repr.h) agree with strtod and FloatRepr on every short input.
// The streaming merge's pass-1 scan (merge/src/subject_scan.h) never disagrees with the parser: when
// it finds a subject in an input the parser accepts, that input is an object whose
// subject_pith_number is that very string.
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "pith/json.h"
#include "pith/json_view.h"
#include "float_repr.h"
#include "json_string_marks.h"
#include "subject_scan.h"

namespace {

using pith::json::Kind;
using pith::json::Value;

void CheckValue(const Value& v, size_t depth) {
  PITH_FUZZ_CHECK(depth <= 129);
  switch (v.kind()) {
    case Kind::kNull:
    case Kind::kBool:
      break;
    case Kind::kString:
      PITH_FUZZ_CHECK_MSG(pith::json::IsValidUtf8(v.text()), v.text());
      break;
    case Kind::kInteger: {
      const std::string& t = v.text();
      size_t i = (!t.empty() && t[0] == '-') ? 1 : 0;
      PITH_FUZZ_CHECK_MSG(i < t.size(), t);
      PITH_FUZZ_CHECK_MSG(t != "-0", t);
      PITH_FUZZ_CHECK_MSG(t[i] != '0' || t.size() == i + 1, t);
      for (size_t j = i; j < t.size(); ++j) PITH_FUZZ_CHECK_MSG(t[j] >= '0' && t[j] <= '9', t);
      break;
    }
    case Kind::kFloat: {
      const std::string& t = v.text();
      char* end = nullptr;
      double d = std::strtod(t.c_str(), &end);
      PITH_FUZZ_CHECK_MSG(end == t.c_str() + t.size(), t);
      PITH_FUZZ_CHECK_MSG(pith::json::FloatRepr(d) == t, t + " -> " + pith::json::FloatRepr(d));
      break;
    }
    case Kind::kArray:
      for (const Value& item : v.items()) CheckValue(item, depth + 1);
      break;
    case Kind::kObject: {
      const auto& members = v.members();
      for (size_t i = 0; i < members.size(); ++i) {
        PITH_FUZZ_CHECK_MSG(pith::json::IsValidUtf8(members[i].first), members[i].first);
        if (i > 0) PITH_FUZZ_CHECK_MSG(members[i - 1].first < members[i].first, members[i].first);
        PITH_FUZZ_CHECK(v.Find(members[i].first) == &members[i].second);
        CheckValue(members[i].second, depth + 1);
      }
      break;
    }
  }
}

// A View reads what the tree holds.
void CheckView(const pith::json::View& view, const Value& value) {
  PITH_FUZZ_CHECK(view.kind() == value.kind());
  PITH_FUZZ_CHECK(view.raw() == pith::json::Canonical(value));
  if (value.is_string() || value.is_number()) PITH_FUZZ_CHECK(view.text() == value.text());
  if (value.is_bool()) PITH_FUZZ_CHECK(view.as_bool() == value.as_bool());
  if (value.is_array()) {
    std::vector<pith::json::View> items = view.items();
    PITH_FUZZ_CHECK(items.size() == value.items().size());
    for (size_t i = 0; i < items.size(); ++i) CheckView(items[i], value.items()[i]);
  }
  for (const auto& [key, member] : value.members()) {
    std::optional<pith::json::View> found = view.Find(key);
    PITH_FUZZ_CHECK_MSG(found.has_value(), key);
    CheckView(*found, member);
  }
}

// Every way of classifying blocks this machine runs (json_string_marks.h) marks the same: the same
// verdict, the same unescaped quotes, the same escapes.
void CheckMarksAgree(std::string_view input) {
  using pith::json::internal::StringMarks;
  struct Marked {
    bool ok;
    std::vector<size_t> quotes, escapes;
  };
  auto mark = [&](pith::json::internal::MarkIsa isa) {
    StringMarks marks;
    Marked m{marks.Mark(input, isa), {}, {}};
    if (!m.ok) return m;
    for (size_t q = marks.NextQuote(0); q != StringMarks::kNone; q = marks.NextQuote(q + 1)) m.quotes.push_back(q);
    for (size_t i = 0; i < input.size(); ++i) {
      if (marks.AnyEscape(i, i + 1)) m.escapes.push_back(i);
    }
    return m;
  };
  const std::vector<pith::json::internal::MarkIsa> isas = pith::json::internal::AvailableMarkIsas();
  const Marked first = mark(isas.front());
  for (size_t k = 1; k < isas.size(); ++k) {
    const Marked other = mark(isas[k]);
    PITH_FUZZ_CHECK_MSG(other.ok == first.ok && other.quotes == first.quotes && other.escapes == first.escapes, input);
  }
}

void CheckProof(std::string_view input, const pith::json::ParseLimits& limits) {
  const pith::json::CanonicalText proof(input, limits);
  if (!proof.proven()) return;
  auto parsed = pith::json::Parse(input, limits);
  PITH_FUZZ_CHECK_MSG(parsed.ok() && parsed->is_object(), input);
  std::string rewritten;
  std::vector<pith::json::MemberSpan> spans;
  pith::json::AppendCanonicalObject(*parsed, &rewritten, &spans);
  PITH_FUZZ_CHECK_MSG(rewritten == input, std::string(input) + "\n  " + rewritten);
  PITH_FUZZ_CHECK(spans.size() == proof.spans().size());
  for (size_t i = 0; i < spans.size(); ++i) {
    PITH_FUZZ_CHECK(spans[i].key == proof.spans()[i].key && spans[i].begin == proof.spans()[i].begin &&
                    spans[i].end == proof.spans()[i].end);
  }
  CheckView(proof.root(), *parsed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = pith::fuzz::AsView(data, size);
  if (size <= 64) {  // the proof's float checks against strtod and FloatRepr
    const std::string text(input);
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    const bool repr = end == text.c_str() + text.size() && std::isfinite(d) && pith::json::FloatRepr(d) == text;
    PITH_FUZZ_CHECK_MSG(pith::json::internal::IsFloatRepr(input) == repr, text);
    PITH_FUZZ_CHECK_MSG(!pith::json::internal::IsShortFloatRepr(input) || repr, text);
  }

  pith::json::ParseError where;
  auto parsed = pith::json::Parse(input, {}, &where);
  if (!parsed.ok()) {
    PITH_FUZZ_CHECK(parsed.status().code() == pith::Status::Code::kInvalidInput);
    PITH_FUZZ_CHECK(where.offset <= size);
    PITH_FUZZ_CHECK(where.line >= 1 && where.column >= 1);
    PITH_FUZZ_CHECK(!where.what.empty());
  } else {
    const Value& x = *parsed;
    CheckValue(x, 0);
    std::string c = pith::json::Canonical(x);
    PITH_FUZZ_CHECK(pith::json::IsValidUtf8(c));
    for (unsigned char ch : c) PITH_FUZZ_CHECK_MSG(ch >= 0x20, c);

    auto reparsed = pith::json::Parse(c);
    PITH_FUZZ_CHECK_MSG(reparsed.ok(), reparsed.ok() ? c : reparsed.status().message() + " in " + c);
    PITH_FUZZ_CHECK_MSG(*reparsed == x, c);
    std::string c2 = pith::json::Canonical(*reparsed);
    PITH_FUZZ_CHECK_MSG(c2 == c, c + "\n  " + c2);

    std::string appended = "prefix";
    pith::json::AppendCanonical(x, &appended);
    PITH_FUZZ_CHECK(appended.compare(0, 6, "prefix") == 0 && appended.compare(6, std::string::npos, c) == 0);

    if (x.is_object() && c.find('\\') == std::string::npos) {
      PITH_FUZZ_CHECK_MSG(pith::json::CanonicalText(c).proven(), c);
    }
    CheckProof(c, {});
  }
  CheckMarksAgree(input);
  CheckProof(input, {});

  const auto scanned = pith::merge_internal::ScanSubject(input);
  if (scanned && parsed.ok()) {
    const std::string* strict = parsed->FindString("subject_pith_number");
    PITH_FUZZ_CHECK_MSG(strict != nullptr && *strict == *scanned, *scanned);
  }
  // What pass 1 finds in place, the copying scan finds too.
  if (auto in_place = pith::merge_internal::FindSubjectInPlace(input)) {
    PITH_FUZZ_CHECK_MSG(scanned && *scanned == *in_place, std::string(*in_place));
  }

  // Tight limits reach every limit check on small inputs; tightening never accepts more.
  pith::json::ParseLimits tight;
  tight.max_document_bytes = 4096;
  tight.max_depth = 6;
  tight.max_string_bytes = 24;
  tight.max_integer_digits = 20;
  tight.max_number_chars = 24;
  CheckProof(input, tight);
  auto limited = pith::json::Parse(input, tight);
  if (limited.ok()) {
    PITH_FUZZ_CHECK(parsed.ok());
    PITH_FUZZ_CHECK(*limited == *parsed);
  }
  return 0;
}
