// make_events: a deterministic corpus of signed Pith events for the crash and fault tests.
//
//   make_events --out DIR [--subjects N] [--events M] [--pad BYTES] [--seed S]
//
// Writes into DIR (created if missing):
//   events.jsonl       N subjects x M events, one canonical event per line, interleaved across
//                      subjects (event 0 of every subject, then event 1, ...), so any chunk of lines
//                      touches many subjects and every signer chain spans chunks
//   keys.json          the public-key entries to trust (a JSON array, for `pith-merge keys add`
//                      and `pith-merge merge --keys`)
//   registry.key.json, author.key.json, mirror.key.json, untrusted.key.json
//                      the signing keys (pith::SigningKeyToJson); untrusted's is NOT in keys.json
//
// Per subject: a record_created by the registry, then a mix of graph_snapshot chains (registry),
// author_attestation chains (author), timestamp_anchor (registry), mirror_hint (mirror), corrections
// superseding earlier author attestations, an occasional equivocation (two author attestations on
// one prev_event), and invalid events (bad signature, signer type not allowed, unknown key, content
// hash mismatch). Everything (keys, timestamps, signatures) is a function of the arguments, so two
// runs write identical bytes. `--pad BYTES` adds a filler member of that size to every payload
// (payload members beyond merge-v1 section 2.1 are allowed and hashed) to make big corpora.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "pith/codec.h"
#include "pith/ed25519.h"
#include "pith/event_builder.h"
#include "pith/hash.h"
#include "pith/identity.h"
#include "pith/json.h"
#include "pith/keys.h"

namespace {

using pith::json::Value;

struct Args {
  std::string out;
  long subjects = 20;
  long events = 12;
  long pad = 0;
  std::string seed = "0";
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "make_events: %s\nusage: make_events --out DIR [--subjects N] [--events M] [--pad BYTES] [--seed S]\n",
               why);
  std::exit(2);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (i + 1 >= argc) Usage(("missing value for " + k).c_str());
    std::string v = argv[++i];
    auto num = [&](long* out) {
      char* end = nullptr;
      *out = std::strtol(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || *out < 0) Usage(("bad number for " + k).c_str());
    };
    if (k == "--out") a.out = v;
    else if (k == "--subjects") num(&a.subjects);
    else if (k == "--events") num(&a.events);
    else if (k == "--pad") num(&a.pad);
    else if (k == "--seed") a.seed = v;
    else Usage(("unknown option " + k).c_str());
  }
  if (a.out.empty()) Usage("--out is required");
  if (a.subjects < 1 || a.events < 1) Usage("--subjects and --events must be at least 1");
  return a;
}

pith::SigningKey Key(const std::string& seed, const std::string& name, const std::string& key_id,
                     const std::optional<std::string>& signer_id, const std::optional<std::string>& signer_type) {
  pith::Digest d = pith::Sha256("pith make_events key:" + seed + ":" + name);
  std::array<uint8_t, 32> s;
  std::copy(d.begin(), d.end(), s.begin());
  return pith::MakeSigningKey(key_id, pith::Ed25519FromSeed(s), signer_id, signer_type);
}

// 2026-MM-DDThh:mm:ssZ, `minutes` after 2026-01-01T00:00:00Z (28-day months keep it simple).
std::string Timestamp(long minutes) {
  long day = minutes / (24 * 60), rem = minutes % (24 * 60);
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-%02ld-%02ldT%02ld:%02ld:00Z", 1 + (day / 28) % 12, 1 + day % 28, rem / 60, rem % 60);
  return buf;
}

std::string Pad(long bytes, long salt) {
  std::string s;
  s.reserve(bytes);
  const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (long i = 0; i < bytes; ++i) s.push_back(alphabet[(i * 7 + salt) % 36]);
  return s;
}

Value WithPad(Value payload, long pad, long salt) {
  if (pad <= 0) return payload;
  std::vector<Value::Member> members = payload.members();
  members.emplace_back("x_padding", Value::String(Pad(pad, salt)));
  return Value::Object(std::move(members));
}

// Value has no setter: rebuild objects member by member.
Value Set(const Value& object, const std::string& key, Value v) {
  std::vector<Value::Member> members;
  bool done = false;
  for (const auto& [k, old] : object.members()) {
    if (k == key) {
      members.emplace_back(k, v);
      done = true;
    } else {
      members.emplace_back(k, old);
    }
  }
  if (!done) members.emplace_back(key, std::move(v));
  return Value::Object(std::move(members));
}
}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  std::error_code ec;
  std::filesystem::create_directories(args.out, ec);
  if (ec) {
    std::fprintf(stderr, "make_events: cannot create %s: %s\n", args.out.c_str(), ec.message().c_str());
    return 3;
  }
  const std::string& seed = args.seed;
  pith::SigningKey registry = Key(seed, "registry", "crash-registry-" + seed, "crash-registry", "pith_registry");
  pith::SigningKey author = Key(seed, "author", "crash-author-" + seed, "orcid:0000-0002-0000-" + seed, "author");
  pith::SigningKey mirror = Key(seed, "mirror", "crash-mirror-" + seed, "mirror.example", "mirror");
  pith::SigningKey untrusted = Key(seed, "untrusted", "crash-untrusted-" + seed, "nobody", "author");

  auto write_file = [&](const std::string& name, const std::string& text) {
    std::ofstream f(args.out + "/" + name, std::ios::binary | std::ios::trunc);
    f << text << '\n';
    if (!f) {
      std::fprintf(stderr, "make_events: cannot write %s/%s\n", args.out.c_str(), name.c_str());
      std::exit(3);
    }
  };
  write_file("keys.json", pith::json::Canonical(Value::Array({registry.public_entry, author.public_entry, mirror.public_entry})));
  write_file("registry.key.json", pith::json::Canonical(pith::SigningKeyToJson(registry)));
  write_file("author.key.json", pith::json::Canonical(pith::SigningKeyToJson(author)));
  write_file("mirror.key.json", pith::json::Canonical(pith::SigningKeyToJson(mirror)));
  write_file("untrusted.key.json", pith::json::Canonical(pith::SigningKeyToJson(untrusted)));

  const std::string signed_at = "2026-06-01T00:00:00.000000Z";
  // events[j][i]: event j of subject i.
  std::vector<std::vector<std::string>> lines(args.events, std::vector<std::string>(args.subjects));
  long valid = 0, invalid = 0;
  for (long i = 0; i < args.subjects; ++i) {
    char submitted[32];
    std::snprintf(submitted, sizeof submitted, "%04ld-%02ld-%02ldT10:00:00Z", 2020 + i % 6, 1 + i % 12, 1 + i % 28);
    Value record = Value::Object({
        {"metadata", Value::Object({{"submitted_at", Value::String(submitted)},
                                    {"primary_cat", Value::String("cs.DB")},
                                    {"title", Value::String("Crash corpus paper " + seed + "/" + std::to_string(i))}})},
        {"schema_version", Value::String("1.0")},
        {"source", Value::Object({{"id", Value::String("crash-" + seed + "-" + std::to_string(i))},
                                  {"kind", Value::String("crashtest")},
                                  {"version", Value::Integer(1 + i % 3)}})},
    });
    auto identity = pith::DerivePithNumber(record);
    if (!identity.ok()) {
      std::fprintf(stderr, "make_events: %s\n", identity.status().message().c_str());
      return 5;
    }
    const std::string subject = identity->pith_number;
    std::optional<std::string> record_prev, graph_prev, author_prev, anchor_prev, mirror_prev, correction_prev;
    std::vector<std::string> author_ids;  // valid author attestations, for corrections to supersede
    std::vector<std::optional<std::string>> author_prevs;  // the prev_event of each of them
    bool forked = false;
    long minute = i * 3;
    for (long j = 0; j < args.events; ++j) {
      minute += 1 + (i + j) % 5;
      pith::EventDraft d;
      d.subject_pith_number = subject;
      d.created_at = Timestamp(minute);
      const pith::SigningKey* key = &registry;
      bool corrupt_signature = false, corrupt_content = false;
      std::optional<std::string>* chain = nullptr;
      long kind = j == 0 ? 0 : 1 + (j * 5 + i) % 11;
      switch (kind) {
        case 0:  // record_created (a second one later re-creates it on the same chain)
        case 10:
          d.event_type = "record_created";
          d.target = "record";
          d.payload = pith::RecordCreatedPayload(record, registry, signed_at);
          d.signer_id = "crash-registry";
          d.signer_type = "pith_registry";
          chain = &record_prev;
          break;
        case 1:
        case 2:
          d.event_type = "graph_snapshot";
          d.target = "graph";
          d.payload = Value::Object({{"graph_snapshot", Value::Object({{"claims", Value::Integer(j)},
                                                                        {"builder", Value::String("make_events")}})}});
          d.signer_id = "crash-registry";
          d.signer_type = "pith_registry";
          chain = &graph_prev;
          break;
        case 3:
        case 4:
          d.event_type = "author_attestation";
          d.target = "author";
          d.payload = Value::Object({{"author_name", Value::String("Alice Crash")},
                                     {"statement", Value::String("attestation " + std::to_string(j))}});
          d.signer_id = "orcid:0000-0002-0000-" + seed;
          d.signer_type = "author";
          key = &author;
          chain = &author_prev;
          break;
        case 5:
          d.event_type = "timestamp_anchor";
          d.target = "timestamp";
          d.payload = Value::Object({{"anchor_type", Value::String("rfc3161")},
                                     {"anchored_sha256", Value::String(pith::Sha256Hex("anchor " + subject + std::to_string(j)))},
                                     {"proof", Value::Object({{"n", Value::Integer(j)}})}});
          d.signer_id = "crash-registry";
          d.signer_type = "pith_registry";
          chain = &anchor_prev;
          break;
        case 6:
          d.event_type = "mirror_hint";
          d.target = "mirror";
          d.payload = Value::Object({{"mirror_type", Value::String("http")},
                                     {"name", Value::String("mirror-" + std::to_string(j))},
                                     {"base_url", Value::String("https://mirror.example/" + std::to_string(j) + "/")}});
          d.signer_id = "mirror.example";
          d.signer_type = "mirror";
          key = &mirror;
          chain = &mirror_prev;
          break;
        case 7:  // a correction superseding the author's latest attestation (or a plain one)
          d.event_type = "correction";
          d.target = "correction";
          d.payload = Value::Object({{"reason", Value::String("correction " + std::to_string(j))}});
          d.signer_id = "orcid:0000-0002-0000-" + seed;
          d.signer_type = "author";
          key = &author;
          chain = &correction_prev;
          if (!author_ids.empty()) d.supersedes.push_back(author_ids.back());
          break;
        case 8:  // invalid: the mirror key may not sign a graph_snapshot (signer_type_not_allowed)
          d.event_type = "graph_snapshot";
          d.target = "graph";
          d.payload = Value::Object({{"graph_snapshot", Value::Object({{"forged", Value::Bool(true)}})}});
          d.signer_id = "mirror.example";
          d.signer_type = "mirror";
          key = &mirror;
          break;
        case 9:  // invalid: alternately a bad signature, an unknown key, a content hash mismatch
        default:
          d.event_type = "author_attestation";
          d.target = "author";
          d.payload = Value::Object({{"author_name", Value::String("Mallory")}, {"statement", Value::String("not me " + std::to_string(j))}});
          d.signer_id = "orcid:0000-0002-0000-" + seed;
          d.signer_type = "author";
          key = &author;
          if ((i + j) % 3 == 0) {
            corrupt_signature = true;
          } else if ((i + j) % 3 == 1) {
            key = &untrusted;
            d.signer_id = "nobody";
          } else {
            corrupt_content = true;
          }
          break;
      }
      // One subject in five forks its author chain once: an equivocation (the attestation after
      // the fork names the same prev_event as the latest one).
      const bool fork = (kind == 3 || kind == 4) && i % 5 == 2 && !forked && !author_ids.empty();
      if (chain != nullptr) d.prev_event = fork ? author_prevs.back() : *chain;
      forked = forked || fork;
      d.payload = WithPad(d.payload, args.pad, i * 131 + j);
      Value event = pith::SignEvent(d, *key, signed_at);
      if (corrupt_signature) {
        Value sig = *event.Find("signature");
        std::string b64 = *sig.FindString("signature_b64");
        b64[10] = b64[10] == 'A' ? 'B' : 'A';  // still strict base64 of 64 bytes, no longer valid
        event = Set(event, "signature", Set(sig, "signature_b64", Value::String(b64)));
      }
      if (corrupt_content) event = Set(event, "created_at", Value::String(Timestamp(minute + 1)));
      const bool is_valid = !corrupt_signature && !corrupt_content && kind != 8 && kind != 9 && key != &untrusted;
      if (is_valid) {
        ++valid;
        if (chain != nullptr) *chain = *event.FindString("event_id");
        if (d.event_type == "author_attestation") {
          author_ids.push_back(*event.FindString("event_id"));
          author_prevs.push_back(d.prev_event);
        }
      } else {
        ++invalid;
      }
      lines[j][i] = pith::json::Canonical(event);
    }
  }
  std::ofstream out(args.out + "/events.jsonl", std::ios::binary | std::ios::trunc);
  for (const auto& row : lines)
    for (const std::string& line : row) out << line << '\n';
  out.flush();
  if (!out) {
    std::fprintf(stderr, "make_events: cannot write %s/events.jsonl\n", args.out.c_str());
    return 3;
  }
  std::cout << "wrote " << args.subjects * args.events << " events (" << valid << " meant valid, " << invalid
            << " meant invalid) for " << args.subjects << " subjects to " << args.out << "/events.jsonl" << std::endl;
  return 0;
}
