// Incremental append through the library: append one event to the largest subject of a store and
// get its new state_sha256 (pith::Store::Append returns it in its summary), several times; reading
// the whole new state (State) is timed beside it, and a full replay of that subject (cached
// verdicts) and one with every signature re-verified.
//
//   pith_bench_incremental --db DIR --key KEY.json [--reps N] [--replays N]
//
// The store is one tests/bench/run.sh filled with a synth subject signed by KEY (KEY must be
// trusted by the store: run.sh adds it). Each appended event continues KEY's `correction` chain, so
// it is valid and applied. Prints `RESULT name=value` lines (milliseconds) for run.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "pith/event_builder.h"
#include "pith/hash.h"
#include "pith/keys.h"
#include "pith/store.h"

namespace {

using Clock = std::chrono::steady_clock;
double Ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "pith_bench_incremental: " << what << "\n";
  std::exit(2);
}

struct Stats {
  std::vector<double> v;
  double best() const { return *std::min_element(v.begin(), v.end()); }
  double median() const {
    std::vector<double> s = v;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
  double worst() const { return *std::max_element(v.begin(), v.end()); }
};

void Report(const std::string& name, const Stats& s) {
  std::printf("RESULT %s_best_ms=%.3f\nRESULT %s_median_ms=%.3f\nRESULT %s_worst_ms=%.3f\n", name.c_str(), s.best(),
              name.c_str(), s.median(), name.c_str(), s.worst());
}

int64_t IntMember(const pith::json::Value& state, const char* name) {
  int64_t out = -1;
  const pith::json::Value* v = state.Find(name);
  if (v != nullptr) v->as_int64(&out);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db, key_path;
  int reps = 20, replays = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--db") db = argv[i + 1];
    else if (a == "--key") key_path = argv[i + 1];
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--replays") replays = std::atoi(argv[i + 1]);
    else Die("unknown option " + a);
  }
  if (db.empty() || key_path.empty() || reps < 1 || replays < 1) Die("usage: --db DIR --key KEY.json [--reps N] [--replays N]");

  std::ifstream kin(key_path, std::ios::binary);
  std::string key_text((std::istreambuf_iterator<char>(kin)), std::istreambuf_iterator<char>());
  auto key_doc = pith::json::Parse(key_text);
  if (!key_doc.ok()) Die("cannot parse " + key_path);
  auto key = pith::ParseSigningKey(*key_doc);
  if (!key.ok()) Die(key.status().message());
  auto entry = pith::ParsePublicKeyEntry(key->public_entry);
  if (!entry.ok()) Die(entry.status().message());
  const std::string signer_id = entry->signer_id.value_or("synth-registry");  // as synth signs

  auto store = pith::Store::Open(db, {});
  if (!store.ok()) Die(store.status().message());
  pith::Store& s = **store;

  // The largest subject.
  auto subjects = s.Subjects();
  if (!subjects.ok() || subjects->empty()) Die("the store holds no subject");
  std::string subject;
  size_t history = 0;
  for (const std::string& candidate : *subjects) {
    auto log = s.Log(candidate);
    if (log.ok() && log->size() > history) {
      history = log->size();
      subject = candidate;
    }
  }

  // The head of KEY's correction chain: the event no other event of the chain names as prev_event.
  auto docs = s.Documents(subject);
  if (!docs.ok()) Die(docs.status().message());
  std::vector<const pith::json::Value*> chain;
  std::set<std::string> named_as_prev;
  std::string latest;  // created_at: the appends come after every event, or the step is not incremental
  for (const pith::json::Value& d : *docs) {
    if (const std::string* at = d.FindString("created_at"); at != nullptr && *at > latest) latest = *at;
    const std::string* target = d.FindString("target");
    const pith::json::Value* signer = d.Find("signer");
    const std::string* key_id = signer ? signer->FindString("key_id") : nullptr;
    if (target == nullptr || *target != "correction" || key_id == nullptr || *key_id != key->key_id) continue;
    chain.push_back(&d);
    if (const std::string* prev = d.FindString("prev_event")) named_as_prev.insert(*prev);
  }
  std::optional<std::string> head;
  for (const pith::json::Value* d : chain) {
    const std::string& id = *d->FindString("event_id");
    if (!named_as_prev.count(id)) head = id;
  }

  auto before = s.State(subject);
  if (!before.ok()) Die(before.status().message());
  int64_t valid = IntMember(*before->Object(), "valid_event_count");
  std::printf("RESULT history=%zu\nRESULT subject=%s\n", history, subject.c_str());

  Stats append_and_state, append_only, state_only;
  const std::string filler(1400, 'x');
  // A year after the latest event (a second run on the same store appends after the first).
  const int year = std::max(2027, latest.size() >= 4 ? std::atoi(latest.substr(0, 4).c_str()) + 1 : 0);
  for (int r = 0; r < reps; ++r) {
    char at[32];
    std::snprintf(at, sizeof at, "%04d-01-01T%02d:%02d:%02dZ", year, r / 3600 % 24, r / 60 % 60, r % 60);
    pith::EventDraft d;
    d.event_type = "correction";
    d.subject_pith_number = subject;
    d.target = "correction";
    d.created_at = at;
    d.payload = pith::json::Value::Object({{"reason", pith::json::Value::String("incremental benchmark " + std::to_string(r))},
                                           {"notes", pith::json::Value::String(filler)}});
    d.signer_id = signer_id;
    d.signer_type = "pith_registry";
    d.prev_event = head;
    pith::json::Value event = pith::SignEvent(d, *key, at);
    std::vector<pith::IncomingEvent> batch(1);
    batch[0].subject = subject;
    batch[0].raw = pith::json::Canonical(event);
    batch[0].document = event;

    auto t0 = Clock::now();
    auto summary = s.Append(batch);
    auto t1 = Clock::now();
    auto state = s.State(subject);
    auto t2 = Clock::now();
    if (!summary.ok()) Die(summary.status().message());
    if (!state.ok()) Die(state.status().message());
    if (summary->added != 1 || summary->invalid != 0) Die("the appended event was not added as a valid event");
    if (summary->incremental != 1) Die("the append was not an incremental step: this would time a full merge");
    if (IntMember(*state->Object(), "valid_event_count") != ++valid) Die("the appended event is not counted valid");
    if (state->state_sha256.size() != 64) Die("no state_sha256");
    if (summary->state_sha256 != std::vector<std::string>{state->state_sha256}) {
      Die("the summary's state_sha256 is not the state's");
    }
    append_only.v.push_back(Ms(t0, t1));
    state_only.v.push_back(Ms(t1, t2));
    append_and_state.v.push_back(Ms(t0, t2));
    head = *event.FindString("event_id");
  }
  Report("append_plus_state", append_and_state);
  Report("append", append_only);
  Report("state", state_only);

  Stats replay, reverify;
  for (int r = 0; r < replays; ++r) {
    auto t0 = Clock::now();
    auto state = s.Replay(subject, false);
    auto t1 = Clock::now();
    if (!state.ok()) Die(state.status().message());
    replay.v.push_back(Ms(t0, t1));
  }
  Report("full_replay", replay);
  {
    auto t0 = Clock::now();
    auto state = s.Replay(subject, true);
    auto t1 = Clock::now();
    if (!state.ok()) Die(state.status().message());
    reverify.v.push_back(Ms(t0, t1));
  }
  Report("full_replay_reverify", reverify);

  // The floor any implementation of this state format pays per append: state_sha256 is a hash of
  // canon(state), and the state embeds every current entry's payload, so it grows with history.
  auto last = s.State(subject);
  if (!last.ok()) Die(last.status().message());
  Stats hash;
  for (int r = 0; r < 5; ++r) {
    auto t0 = Clock::now();
    pith::Digest d = pith::Sha256(last->canonical);
    auto t1 = Clock::now();
    if (d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 0) std::printf("#\n");  // keep the hash
    hash.v.push_back(Ms(t0, t1));
  }
  std::printf("RESULT state_bytes=%zu\n", last->canonical.size());
  Report("state_sha256_only", hash);
  return 0;
}
