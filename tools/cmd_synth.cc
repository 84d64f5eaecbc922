// `pith-merge synth`: a deterministic synthetic event corpus (JSONL, one canonical event per line)
// for benchmarks and tests.
//
// Same arguments (and the same KEY file) give the same bytes on every machine: everything is drawn
// from std::mt19937_64 (whose output the C++ standard fixes) through distributions written here
// (the standard library's distributions are implementation-defined), timestamps count from a fixed
// epoch, and Ed25519 signatures are deterministic. Subjects are written one after another, each
// beginning with its record_created; only one subject's chain heads are held at a time, so memory
// does not grow with the corpus. With --interleave the same events come round robin (every
// subject's first event, then every subject's second...), as a live feed of many papers arrives;
// every subject's generator is then held at once.
#include <array>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "pith/codec.h"
#include "pith/event_builder.h"
#include "pith/identity.h"
#include "pith/keys.h"

namespace pith::cli {
namespace {

using json::Value;

struct SynthOptions {
  size_t subjects = 0;
  size_t events_per_subject = 0;
  std::string key_file;
  uint64_t seed = 0;
  double fork_rate = 0;
  double tamper_rate = 0;
  double foreign_rate = 0;
  bool interleave = false;
  std::string out;
};

// ---------------------------------------------------------------------------------------------
// Randomness: std::mt19937_64 plus explicitly defined distributions.

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t Next() { return gen_(); }
  // Uniform in [lo, hi] by rejection (no modulo bias).
  uint64_t Uniform(uint64_t lo, uint64_t hi) {
    const uint64_t span = hi - lo;
    if (span == UINT64_MAX) return Next();
    const uint64_t n = span + 1;
    const uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      uint64_t x = Next();
      if (x >= reject_below) return lo + x % n;
    }
  }
  int64_t UniformSigned(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Uniform(0, static_cast<uint64_t>(hi - lo)));
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool Chance(double p) { return Unit() < p; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Uniform(0, N - 1)];
  }

 private:
  std::mt19937_64 gen_;
};

// ---------------------------------------------------------------------------------------------
// Text and numbers.

constexpr int64_t kEpoch2026 = 1767225600;  // 2026-01-01T00:00:00Z: events are created after it
constexpr int64_t kEpoch2010 = 1262304000;  // 2010-01-01T00:00:00Z: records are submitted after it

// Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ" (proleptic Gregorian, H. Hinnant's civil_from_days).
std::string FormatTimestamp(int64_t t) {
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[160];  // wide enough for any int64 fields, so -Wformat-truncation has nothing to say
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

// Words in several scripts, emoji (astral, ZWJ sequences, flags), and characters canon() escapes.
const char* const kWords[] = {
    // Latin, with diacritics
    "graph", "merge", "signature", "replication", "naïve", "café", "Müller", "Ångström", "señal", "façade",
    "über", "résumé", "Łódź", "Straße", "Dvořák", "Žižek", "crème brûlée", "theorem", "lemma", "dataset",
    // Greek, Cyrillic, Armenian
    "αλγόριθμος", "γράφος", "υπογραφή", "δεδομένα", "граф", "подпись", "данные", "слияние", "Москва", "Երևան",
    // CJK, Japanese, Korean
    "图论", "签名", "数据", "合并", "論文", "引用", "研究", "グラフ", "署名", "ひらがな", "그래프", "서명", "데이터",
    // Arabic, Hebrew, Devanagari, Thai, Georgian, Tamil
    "توقيع", "بيانات", "رسم", "חתימה", "נתונים", "हस्ताक्षर", "आंकड़े", "ลายเซ็น", "მონაცემები", "தரவு",
    // emoji and symbols
    "🧬", "📄", "🔏", "✅", "🚀", "👩‍🔬", "🇪🇺", "😀", "🏳️‍🌈", "∑", "∂x/∂t", "≤", "𝔽₂", "ℵ₀", "½",
    // characters canon() escapes or must keep raw
    // ("ctrl\x01" "char" is split on purpose: a hex escape would swallow the letters after it.)
    "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", "ctrl\x01" "char", "del\x7f", "sep\u2028line",
};

const char* const kNames[] = {"María José Carreño Quiñones", "Zoë Saldaña", "Jürgen Habermas", "Søren Kierkegaard",
                              "李小龍", "山田 太郎", "김민준", "Αριστοτέλης Παπαδόπουλος", "Пётр Чайковский",
                              "محمد الخوارزمي", "רחל כהן", "अमर्त्य सेन", "Nguyễn Thị Minh Khai", "Ada Lovelace"};

std::string Words(Rng& rng, size_t min_bytes) {
  std::string out;
  while (out.size() < min_bytes) {
    if (!out.empty()) out.push_back(' ');
    out += rng.Pick(kWords);
  }
  return out;
}

std::string RandomHex(Rng& rng, size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  for (uint8_t& b : raw) b = static_cast<uint8_t>(rng.Next());
  return HexEncode(raw.data(), raw.size());
}

std::string RandomBase64(Rng& rng, size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  for (uint8_t& b : raw) b = static_cast<uint8_t>(rng.Next());
  return Base64Encode(raw.data(), raw.size());
}

std::string RandomPithNumber(Rng& rng) {
  static constexpr char kB32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out = "pith:" + std::to_string(rng.Uniform(2010, 2025)) + ":";
  for (int i = 0; i < 26; ++i) out.push_back(kB32[rng.Uniform(0, 31)]);
  return out;
}

// An integer beyond 64 bits, kept exactly by the format (canonical text as written).
Value BigInteger(Rng& rng) {
  std::string digits = rng.Chance(0.3) ? "-" : "";
  digits.push_back(static_cast<char>('1' + rng.Uniform(0, 8)));
  size_t n = rng.Uniform(19, 45);
  for (size_t i = 0; i < n; ++i) digits.push_back(static_cast<char>('0' + rng.Uniform(0, 9)));
  return Value::NumberText(json::Kind::kInteger, digits);
}

// Finite doubles of very different shapes (many digits, tiny, huge, integral, negative).
Value RandomFloat(Rng& rng) {
  double d = 0;
  switch (rng.Uniform(0, 5)) {
    case 0: d = rng.Unit(); break;
    case 1: d = rng.Unit() * 1e-7; break;
    case 2: d = (rng.Unit() + 1.0) * 6.02214076e23; break;
    case 3: d = static_cast<double>(rng.UniformSigned(-100000, 100000)); break;
    case 4: d = -rng.Unit() * 1000.0; break;
    default: d = static_cast<double>(rng.Uniform(0, 999999)) / 1000.0; break;
  }
  return Value::Float(d);
}

Value Metrics(Rng& rng) {
  std::vector<Value> series;
  for (uint64_t i = 0, n = rng.Uniform(3, 8); i < n; ++i) series.push_back(RandomFloat(rng));
  return Value::Object({
      {"count", Value::Integer(static_cast<int64_t>(rng.Uniform(0, 1000000)))},
      {"delta", Value::Integer(rng.UniformSigned(-1000000000000LL, 1000000000000LL))},
      {"big", BigInteger(rng)},
      {"ratio", RandomFloat(rng)},
      {"series", Value::Array(std::move(series))},
      {"flag", Value::Bool(rng.Chance(0.5))},
      {"missing", Value::Null()},
  });
}

std::string Url(Rng& rng, std::string_view host) {
  return "https://" + std::string(host) + "/" + RandomHex(rng, 6) + "/" + std::to_string(rng.Uniform(1, 99999));
}

// ---------------------------------------------------------------------------------------------
// Event types and their payloads (merge-v1.md section 2).

struct TypeSpec {
  const char* event_type;
  const char* target;
  unsigned weight;
};

const TypeSpec kTypes[] = {
    {"graph_snapshot", "graph", 10},          {"author_attestation", "author", 10},
    {"timestamp_anchor", "timestamp", 15},    {"storage_attestation", "storage", 15},
    {"citation_signature", "citation", 25},   {"replication_record", "replication", 10},
    {"mirror_hint", "mirror", 10},            {"correction", "correction", 5},
};
constexpr size_t kTypeCount = sizeof kTypes / sizeof kTypes[0];
constexpr size_t kCorrection = kTypeCount - 1;

size_t PickType(Rng& rng) {
  unsigned total = 0;
  for (const TypeSpec& t : kTypes) total += t.weight;
  uint64_t r = rng.Uniform(0, total - 1);
  for (size_t i = 0; i < kTypeCount; ++i) {
    if (r < kTypes[i].weight) return i;
    r -= kTypes[i].weight;
  }
  return 0;
}

// The payload's required members and realistic extras; `notes` pads it to about `target_bytes`.
Value Payload(Rng& rng, size_t type, const std::string& subject, int64_t now, size_t target_bytes) {
  std::vector<Value::Member> m;
  const std::string type_name = kTypes[type].event_type;
  if (type_name == "graph_snapshot") {
    std::vector<Value> nodes, edges;
    uint64_t n = rng.Uniform(2, 6);
    for (uint64_t i = 0; i < n; ++i) {
      nodes.push_back(Value::Object({{"id", Value::String(i == 0 ? subject : RandomPithNumber(rng))},
                                     {"label", Value::String(Words(rng, 12))},
                                     {"weight", RandomFloat(rng)}}));
    }
    for (uint64_t i = 1; i < n; ++i) {
      edges.push_back(Value::Array({Value::Integer(0), Value::Integer(static_cast<int64_t>(i)),
                                    Value::String(rng.Chance(0.5) ? "cites" : "cited_by")}));
    }
    m.emplace_back("graph_snapshot", Value::Object({{"graph_version", Value::Integer(static_cast<int64_t>(rng.Uniform(1, 40)))},
                                                    {"nodes", Value::Array(std::move(nodes))},
                                                    {"edges", Value::Array(std::move(edges))},
                                                    {"node_count", Value::Integer(static_cast<int64_t>(n))},
                                                    {"density", RandomFloat(rng)}}));
    m.emplace_back("builder", Value::String("pith-graph-builder-2026-05"));
  } else if (type_name == "author_attestation") {
    m.emplace_back("author_name", Value::String(rng.Pick(kNames)));
    m.emplace_back("statement", Value::String(Words(rng, 60)));
    m.emplace_back("orcid", Value::String("0000-000" + std::to_string(rng.Uniform(1, 3)) + "-" +
                                          std::to_string(rng.Uniform(1000, 9999)) + "-" +
                                          std::to_string(rng.Uniform(1000, 9999))));
    m.emplace_back("affiliation", Value::String(Words(rng, 24)));
    m.emplace_back("contribution_share", RandomFloat(rng));
  } else if (type_name == "timestamp_anchor") {
    const char* const kAnchors[] = {"bitcoin_ots", "rfc3161", "ethereum_tx"};
    m.emplace_back("anchor_type", Value::String(rng.Pick(kAnchors)));
    m.emplace_back("anchored_sha256", Value::String(RandomHex(rng, 32)));
    m.emplace_back("proof", Value::Object({{"block_height", Value::Integer(static_cast<int64_t>(rng.Uniform(800000, 990000)))},
                                           {"block_hash", Value::String(RandomHex(rng, 32))},
                                           {"calendar", Value::String(Url(rng, "alice.btc.calendar.opentimestamps.org"))},
                                           {"ots_b64", Value::String(RandomBase64(rng, rng.Uniform(90, 240)))},
                                           {"confirmations", Value::Integer(static_cast<int64_t>(rng.Uniform(1, 5000)))}}));
  } else if (type_name == "storage_attestation") {
    const char* const kStorage[] = {"internet_archive", "ipfs", "zenodo", "s3_compatible"};
    m.emplace_back("storage_type", Value::String(rng.Pick(kStorage)));
    m.emplace_back("locator", Value::String(rng.Chance(0.5) ? Url(rng, "web.archive.org") : "ipfs://bafy" + RandomHex(rng, 24)));
    m.emplace_back("stored_sha256", Value::String(RandomHex(rng, 32)));
    m.emplace_back("size_bytes", Value::Integer(static_cast<int64_t>(rng.Uniform(10000, 90000000000ull))));
    m.emplace_back("retrieved_at", Value::String(FormatTimestamp(now - static_cast<int64_t>(rng.Uniform(0, 86400)))));
  } else if (type_name == "citation_signature") {
    m.emplace_back("citing", Value::String(rng.Chance(0.5) ? subject : RandomPithNumber(rng)));
    m.emplace_back("cited", Value::String(RandomPithNumber(rng)));
    m.emplace_back("context", Value::String(Words(rng, 80)));
    m.emplace_back("section", Value::String(Words(rng, 8)));
    m.emplace_back("confidence", RandomFloat(rng));
  } else if (type_name == "replication_record") {
    const char* const kOutcomes[] = {"replicated", "partially_replicated", "not_replicated", "inconclusive"};
    m.emplace_back("outcome", Value::String(rng.Pick(kOutcomes)));
    m.emplace_back("report_locator", Value::String(Url(rng, "osf.io")));
    m.emplace_back("effect_size", RandomFloat(rng));
    m.emplace_back("p_value", Value::Float(rng.Unit() * 0.05));
    m.emplace_back("sample_size", Value::Integer(static_cast<int64_t>(rng.Uniform(5, 100000))));
  } else if (type_name == "mirror_hint") {
    const char* const kMirrors[] = {"http", "ipfs_gateway", "rsync"};
    m.emplace_back("mirror_type", Value::String(rng.Pick(kMirrors)));
    m.emplace_back("name", Value::String(Words(rng, 10)));
    m.emplace_back("base_url", Value::String("https://mirror-" + std::to_string(rng.Uniform(1, 500)) + ".example.org/pith/"));
    m.emplace_back("priority", Value::Integer(static_cast<int64_t>(rng.Uniform(0, 100))));
  } else {  // correction
    m.emplace_back("reason", Value::String(Words(rng, 40)));
    m.emplace_back("field", Value::String(rng.Chance(0.5) ? "metadata.title" : "metadata.authors[2].name"));
    m.emplace_back("old_value_sha256", Value::String(RandomHex(rng, 32)));
    m.emplace_back("new_value_sha256", Value::String(RandomHex(rng, 32)));
  }
  m.emplace_back("metrics", Metrics(rng));
  m.emplace_back("labels", Value::Array({Value::String(rng.Pick(kWords)), Value::String(rng.Pick(kWords)),
                                         Value::String(rng.Pick(kWords))}));
  size_t have = json::Canonical(Value::Object(m)).size();
  m.emplace_back("notes", Value::String(Words(rng, target_bytes > have + 16 ? target_bytes - have - 16 : 8)));
  return Value::Object(std::move(m));
}

// A canonical record of an arXiv paper submitted at `submitted`.
Value CanonicalRecord(Rng& rng, int64_t submitted) {
  const std::string at = FormatTimestamp(submitted);
  const char* const kCats[] = {"cs.DC", "cs.LG", "math.CO", "physics.optics", "q-bio.GN", "econ.TH", "hep-th"};
  std::string id = at.substr(2, 2) + at.substr(5, 2) + "." + std::to_string(rng.Uniform(10000, 99999));
  std::vector<Value> cross;
  for (uint64_t i = 0, n = rng.Uniform(0, 2); i < n; ++i) cross.push_back(Value::String(kCats[i]));
  return Value::Object({
      {"metadata", Value::Object({{"abstract_canon_sha256", Value::String(RandomHex(rng, 32))},
                                  {"cross_cats_sorted", Value::Array(std::move(cross))},
                                  {"license", Value::String("http://arxiv.org/licenses/nonexclusive-distrib/1.0/")},
                                  {"primary_cat", Value::String(rng.Pick(kCats))},
                                  {"submitted_at", Value::String(at)},
                                  {"title_canon_sha256", Value::String(RandomHex(rng, 32))}})},
      {"schema_version", Value::String("1.0")},
      {"source", Value::Object({{"id", Value::String(id)},
                                {"kind", Value::String("arxiv")},
                                {"version", Value::Integer(static_cast<int64_t>(rng.Uniform(1, 5)))}})},
  });
}

// ---------------------------------------------------------------------------------------------
// The generator.

struct Counts {
  size_t events = 0, forks = 0, tampered = 0, foreign = 0, supersedes = 0;
  uint64_t bytes = 0;
};

class Synth {
 public:
  Synth(const SynthOptions& opts, SigningKey key, std::string signer_id, FILE* out)
      : opts_(opts), key_(std::move(key)), signer_id_(std::move(signer_id)), out_(out) {
    // A key nobody trusts, derived from the seed: its events fail with unknown_key.
    Rng rng(SplitMix64(opts.seed ^ 0xF0F0F0F0F0F0F0F0ull));
    std::array<uint8_t, 32> seed{};
    for (uint8_t& b : seed) b = static_cast<uint8_t>(rng.Next());
    KeyPair pair = Ed25519FromSeed(seed);
    std::string id = "synth-foreign-" + KeyFingerprintHex(pair.public_key).substr(0, 8);
    if (id == key_.key_id) id += "-2";
    foreign_ = MakeSigningKey(id, pair, std::nullopt, std::nullopt);
  }

  bool Run() {
    if (!opts_.interleave) {
      // One subject at a time: memory does not grow with the corpus.
      for (size_t s = 0; s < opts_.subjects; ++s) {
        SubjectState st = Start(s);
        for (size_t i = 0; i < opts_.events_per_subject; ++i) {
          if (!Step(st)) return false;
        }
      }
    } else {
      // Round robin: the i-th events of every subject, then the (i+1)-th. Each subject's events are
      // the bytes it has in subject order; every subject's generator is held at once.
      std::vector<SubjectState> states;
      states.reserve(opts_.subjects);
      for (size_t s = 0; s < opts_.subjects; ++s) states.push_back(Start(s));
      for (size_t i = 0; i < opts_.events_per_subject; ++i) {
        for (SubjectState& st : states) {
          if (!Step(st)) return false;
        }
      }
    }
    return std::fflush(out_) == 0 && !std::ferror(out_);
  }

  const Counts& counts() const { return counts_; }

 private:
  struct Chain {
    std::optional<std::string> head;       // last event of the chain (its id)
    std::optional<std::string> head_prev;  // that event's prev_event
  };

  // One subject's generator between its events.
  struct SubjectState {
    explicit SubjectState(uint64_t seed) : rng(seed) {}
    Rng rng;
    Value record;
    std::string subject;
    int64_t now = 0;
    size_t written = 0;
    Chain chains[kTypeCount];
    Chain foreign_chains[kTypeCount];
    std::vector<std::string> valid_ids[kTypeCount];  // KEY's applied-candidate events, for supersedes
  };

  bool Write(const Value& event) {
    std::string line = json::Canonical(event);
    line.push_back('\n');
    counts_.bytes += line.size();
    ++counts_.events;
    return std::fwrite(line.data(), 1, line.size(), out_) == line.size();
  }

  SubjectState Start(size_t index) const {
    SubjectState st(SplitMix64(opts_.seed * 0x9E3779B97F4A7C15ull + index + 1));
    const int64_t submitted = kEpoch2010 + static_cast<int64_t>(st.rng.Uniform(0, 16 * 365 * 86400ll - 1));
    st.record = CanonicalRecord(st.rng, submitted);
    st.subject = DerivePithNumber(st.record)->pith_number;
    st.now = kEpoch2026 + static_cast<int64_t>(st.rng.Uniform(0, 180 * 86400ll));
    return st;
  }

  // Writes the subject's next event: its record_created first.
  bool Step(SubjectState& st) {
    if (st.written++ == 0) {
      std::string at = FormatTimestamp(st.now);
      EventDraft d;
      d.event_type = "record_created";
      d.subject_pith_number = st.subject;
      d.target = "record";
      d.created_at = at;
      d.payload = RecordCreatedPayload(st.record, key_, at);
      d.signer_id = signer_id_;
      d.signer_type = "pith_registry";
      return Write(SignEvent(d, key_, at));
    }
    st.now += static_cast<int64_t>(st.rng.Uniform(1, 600));
    const std::string at = FormatTimestamp(st.now);
    const size_t type = PickType(st.rng);
    const size_t target_bytes = st.rng.Uniform(1024, 3072) - 900;  // about 900 bytes of envelope
    EventDraft d;
    d.event_type = kTypes[type].event_type;
    d.subject_pith_number = st.subject;
    d.target = kTypes[type].target;
    d.created_at = at;
    d.payload = Payload(st.rng, type, st.subject, st.now, target_bytes);
    d.signer_type = "pith_registry";

    const double roll = st.rng.Unit();
    Chain& chain = st.chains[type];
    if (roll < opts_.fork_rate && chain.head) {
      // A second event after the head's predecessor: the signer forks its own chain.
      d.signer_id = signer_id_;
      d.prev_event = chain.head_prev;
      ++counts_.forks;
      if (!Write(SignEvent(d, key_, at))) return false;
    } else if (roll < opts_.fork_rate + opts_.tamper_rate) {
      // Signed, then its payload changed: content_hash_mismatch. The chain does not advance.
      d.signer_id = signer_id_;
      d.prev_event = chain.head;
      Value event = SignEvent(d, key_, at);
      std::vector<Value::Member> members = event.members();
      for (auto& [name, value] : members) {
        if (name != "payload") continue;
        std::vector<Value::Member> payload = value.members();
        payload.emplace_back("synth_tampered", Value::Bool(true));
        value = Value::Object(std::move(payload));
      }
      ++counts_.tampered;
      if (!Write(Value::Object(std::move(members)))) return false;
    } else if (roll < opts_.fork_rate + opts_.tamper_rate + opts_.foreign_rate) {
      // Signed by a key outside KEY's trust, on its own chain: unknown_key.
      Chain& fc = st.foreign_chains[type];
      d.signer_id = "synth-foreign-signer";
      d.prev_event = fc.head;
      Value event = SignEvent(d, foreign_, at);
      fc.head_prev = fc.head;
      fc.head = *event.FindString("event_id");
      ++counts_.foreign;
      if (!Write(event)) return false;
    } else {
      d.signer_id = signer_id_;
      d.prev_event = chain.head;
      // Some events supersede an earlier one of their own target; corrections any earlier one.
      std::vector<std::string>* pool = &st.valid_ids[type];
      if (type == kCorrection && st.rng.Chance(0.5)) pool = &st.valid_ids[st.rng.Uniform(0, kTypeCount - 2)];
      if (!pool->empty() && st.rng.Chance(type == kCorrection ? 0.6 : 0.1)) {
        d.supersedes.push_back((*pool)[st.rng.Uniform(0, pool->size() - 1)]);
        ++counts_.supersedes;
      }
      Value event = SignEvent(d, key_, at);
      std::string id = *event.FindString("event_id");
      chain.head_prev = chain.head;
      chain.head = id;
      st.valid_ids[type].push_back(std::move(id));
      if (!Write(event)) return false;
    }
    return true;
  }

  const SynthOptions& opts_;
  SigningKey key_;
  SigningKey foreign_;
  std::string signer_id_;
  FILE* out_;
  Counts counts_;
};

int RunSynth(const SynthOptions& opts) {
  if (opts.subjects == 0 || opts.events_per_subject == 0) {
    ReportError("", "--subjects and --events-per-subject must be at least 1");
    return kExitBadInput;
  }
  for (double rate : {opts.fork_rate, opts.tamper_rate, opts.foreign_rate}) {
    if (!(rate >= 0 && rate <= 1)) {
      ReportError("", "--fork-rate, --tamper-rate and --foreign-rate must be between 0 and 1");
      return kExitBadInput;
    }
  }
  if (opts.fork_rate + opts.tamper_rate + opts.foreign_rate > 1) {
    ReportError("", "--fork-rate + --tamper-rate + --foreign-rate must not exceed 1");
    return kExitBadInput;
  }
  auto key_doc = ReadJsonFile(opts.key_file);
  if (!key_doc.ok()) return Fail("", key_doc.status());
  auto key = ParseSigningKey(*key_doc);
  if (!key.ok()) return Fail(opts.key_file, key.status());
  auto entry = ParsePublicKeyEntry(key->public_entry);
  if (!entry.ok()) return Fail(opts.key_file, entry.status());
  // Every event is signed as pith_registry (the only signer type allowed for every event type).
  if (entry->signer_type && *entry->signer_type != "pith_registry") {
    ReportError(opts.key_file, "the key is bound to signer_type \"" + *entry->signer_type +
                                   "\"; synth signs every event type and needs an unbound or pith_registry key");
    return kExitBadInput;
  }
  // The latest created_at synth can write: 180 days after the epoch, then at most 600 s an event.
  const std::string latest = FormatTimestamp(kEpoch2026 + 180 * 86400ll + static_cast<int64_t>(opts.events_per_subject) * 600);
  if (entry->rotates_at && *entry->rotates_at <= latest) {
    ReportError(opts.key_file, "the key rotates at " + *entry->rotates_at + ", before the synthetic events' latest created_at " + latest);
    return kExitBadInput;
  }
  const std::string signer_id = entry->signer_id.value_or("synth-registry");

  FILE* out = stdout;
  if (!opts.out.empty()) {
    out = std::fopen(opts.out.c_str(), "wb");
    if (out == nullptr) return Fail(opts.out, Status::IOError(std::string("cannot create: ") + std::strerror(errno)));
  }
  static char buffer[1 << 20];  // set before the stream's first use, for the process's lifetime
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
  Synth synth(opts, std::move(*key), signer_id, out);
  bool ok = synth.Run();
  if (out != stdout && std::fclose(out) != 0) ok = false;
  if (!ok) return Fail(opts.out.empty() ? "stdout" : opts.out, Status::IOError("write failed"));
  const Counts& c = synth.counts();
  std::fprintf(stderr,
               "synth: %zu events, %zu subjects, %llu bytes: %zu forked, %zu tampered, %zu foreign-key, %zu superseding\n",
               c.events, opts.subjects, static_cast<unsigned long long>(c.bytes), c.forks, c.tampered, c.foreign,
               c.supersedes);
  return kExitOk;
}

}  // namespace

void RegisterSynthCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<SynthOptions>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "write a deterministic synthetic event corpus (JSONL, grouped by subject, record_created first) "
               "signed with --key; the same arguments give the same bytes");
  cmd->add_option("--subjects", opts->subjects, "number of subjects (records)")->required();
  cmd->add_option("--events-per-subject", opts->events_per_subject,
                  "events per subject, its record_created included")
      ->required();
  cmd->add_option("--key", opts->key_file, "the signing key (from pith-merge keygen; unbound or pith_registry)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--seed", opts->seed, "the seed everything is derived from")->required();
  cmd->add_option("--fork-rate", opts->fork_rate, "share of events that fork their signer's chain")->capture_default_str();
  cmd->add_option("--tamper-rate", opts->tamper_rate, "share of events whose payload is changed after signing")
      ->capture_default_str();
  cmd->add_option("--foreign-rate", opts->foreign_rate, "share of events signed by a key --key's holder does not trust")
      ->capture_default_str();
  cmd->add_flag("--interleave", opts->interleave,
                "the same events, round robin over the subjects (each subject's events in the same order)");
  cmd->add_option("-o,--output", opts->out, "write to this file (replaced) instead of standard output");
  cmd->callback([opts, exit_code] { *exit_code = RunSynth(*opts); });
}

}  // namespace pith::cli
