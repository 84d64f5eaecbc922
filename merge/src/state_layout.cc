#include "state_layout.h"

#include <algorithm>

#include "pith/json_scan.h"
#include "event_types.h"
#include "pith/codec.h"
#include "pith/merge_incremental.h"

namespace pith::merge_internal {
namespace {

constexpr std::string_view kAuxMagic = "pith-incremental-1";
constexpr std::string_view kShaMember = ",\"state_sha256\":\"";

void PutU64(uint64_t v, std::string* out) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void PutBytes(std::string_view b, std::string* out) {
  PutU64(b.size(), out);
  out->append(b);
}

struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t U64() {
    if (in.size() < 8) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
    in.remove_prefix(8);
    return v;
  }
  std::string Bytes() {
    uint64_t n = U64();
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string out(in.substr(0, n));
    in.remove_prefix(n);
    return out;
  }
};

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The index in the type table of the type whose state list is `name`, or 0.
size_t ListIndex(std::string_view name) {
  size_t i = 0;
  for (const EventTypeInfo* t = EventTypesBegin(); t != EventTypesEnd(); ++t, ++i) {
    if (!IsRecordCreated(*t) && t->state_list == name) return i;
  }
  return 0;
}

}  // namespace

std::string EncodeAux(const IncrementalAux& aux) {
  std::string out(kAuxMagic);
  PutU64(aux.generation, &out);
  PutU64(aux.applied_count, &out);
  PutBytes(aux.max_created_at, &out);
  PutBytes(aux.max_event_id, &out);
  PutBytes(aux.after_applied.Save(), &out);
  StateLayout layout = aux.layout;
  layout.ForEachOffset([&out](uint64_t& o) { PutU64(o, &out); });
  return out;
}

std::optional<IncrementalAux> DecodeAux(std::string_view bytes) {
  if (bytes.substr(0, kAuxMagic.size()) != kAuxMagic) return std::nullopt;
  Reader r{bytes.substr(kAuxMagic.size())};
  IncrementalAux aux;
  aux.generation = r.U64();
  aux.applied_count = r.U64();
  aux.max_created_at = r.Bytes();
  aux.max_event_id = r.Bytes();
  std::string midstate = r.Bytes();
  aux.layout.ForEachOffset([&r](uint64_t& o) { o = r.U64(); });
  if (!r.ok || !r.in.empty()) return std::nullopt;
  auto stream = Sha256Stream::Restore(midstate);
  if (!stream) return std::nullopt;
  aux.after_applied = *stream;
  return aux;
}

std::optional<SplitCanonical> SplitState(std::string_view s) {
  if (s.substr(0, kStateHead.size()) != kStateHead) return std::nullopt;
  SplitCanonical out;
  size_t applied_end = json::ForEachElement(s, kStateHead.size() - 1,
                                      [&](size_t b, size_t e) { out.applied.emplace_back(s.substr(b, e - b)); });
  if (applied_end == json::kNoPos) return std::nullopt;
  const size_t base = applied_end - 1;  // the ']'
  StateLayout& l = out.layout;
  bool found_sha = false, found_invalid = false;
  size_t counts_found = 0, lists_found = 0;
  size_t end = json::ForEachMember(s, 0, [&](size_t key, size_t vb, size_t ve) {
    std::string_view k = json::PlainKey(s, key);
    auto span = [&](uint64_t* out_span) {
      out_span[0] = vb - base;
      out_span[1] = ve - base;
      ++counts_found;
    };
    if (k == "event_count") span(l.event_count);
    if (k == "valid_event_count") span(l.valid_event_count);
    if (k == "invalid_event_count") span(l.invalid_event_count);
    if (k == "invalid_events" && s[vb] == '[') {
      l.invalid_open = vb - base;
      l.invalid_close = ve - 1 - base;
      found_invalid = true;
    }
    if (k == "state_sha256" && ve - vb == 66) {
      l.sha_hex = vb + 1 - base;
      found_sha = true;
    }
    if (k == "current") {
      json::ForEachMember(s, vb, [&](size_t ckey, size_t cb, size_t ce) {
        size_t i = ListIndex(json::PlainKey(s, ckey));
        if (i == 0 || s[cb] != '[') return;
        l.list_open[i] = cb - base;
        l.list_close[i] = ce - 1 - base;
        ++lists_found;
      });
    }
  });
  if (end != s.size() || !found_sha || !found_invalid || counts_found != 3 || lists_found != kTypeCount - 1) {
    return std::nullopt;
  }
  out.tail.assign(s.substr(base));
  if (!LayoutMatches(l, out.tail)) return std::nullopt;
  return out;
}

bool LayoutMatches(const StateLayout& l, std::string_view tail) {
  auto at = [&tail](uint64_t o, char c) { return o < tail.size() && tail[o] == c; };
  for (size_t i = 1; i < kTypeCount; ++i) {
    if (!at(l.list_open[i], '[') || !at(l.list_close[i], ']') || l.list_open[i] >= l.list_close[i]) return false;
  }
  for (const uint64_t* span : {l.event_count, l.valid_event_count, l.invalid_event_count}) {
    if (span[0] >= span[1] || span[1] > tail.size() || !AllDigits(tail.substr(span[0], span[1] - span[0])))
      return false;
  }
  if (!at(l.invalid_open, '[') || !at(l.invalid_close, ']') || l.invalid_open >= l.invalid_close) return false;
  if (l.sha_hex < kShaMember.size() || l.sha_hex + 65 > tail.size()) return false;
  return tail.substr(l.sha_hex - kShaMember.size(), kShaMember.size()) == kShaMember && tail[l.sha_hex + 64] == '"' &&
         IsLowerHex(tail.substr(l.sha_hex, 64), 32);
}

Digest StateDigest(const Sha256Stream& after_applied, std::string_view tail, const StateLayout& layout) {
  // The state without state_sha256 is the same bytes minus `,"state_sha256":"HEX"` (it is neither
  // the first member nor the last, so exactly one comma goes with it).
  Sha256Stream h = after_applied;
  h.Update(tail.substr(0, layout.sha_hex - kShaMember.size()));
  h.Update(tail.substr(layout.sha_hex + 65));
  return h.Final();
}

void ApplyEdits(std::vector<TailEdit> edits, std::string* tail, StateLayout* layout) {
  // In place, last edit first: each one moves only the bytes after it, and the edits of a step sit
  // near the end of the tail (counts, invalid_events, state_sha256) or at the end of one list.
  std::stable_sort(edits.begin(), edits.end(), [](const TailEdit& a, const TailEdit& b) { return a.pos > b.pos; });
  layout->ForEachOffset([&edits](uint64_t& o) {
    int64_t delta = 0;
    for (const TailEdit& e : edits) {
      if (o >= e.pos + e.erase) delta += static_cast<int64_t>(e.insert.size()) - static_cast<int64_t>(e.erase);
    }
    o = static_cast<uint64_t>(static_cast<int64_t>(o) + delta);
  });
  for (const TailEdit& e : edits) tail->replace(e.pos, e.erase, e.insert);
}

}  // namespace pith::merge_internal
