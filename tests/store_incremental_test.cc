// The incremental append (specs/storage.md "Incremental appends"): head-of-chain appends take the
// incremental step, the cases the rules forbid fall back to a full merge, and either way every
// state is byte for byte the from-scratch merge of the same documents (and the incremental form,
// aux and index, is what a full merge would write). The timing test prints figures for
// information only (it asserts none).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "pith/event_builder.h"
#include "pith/event_record.h"
#include "pith/hash.h"
#include "pith/merge.h"
#include "pith/merge_incremental.h"
#include "pith/store.h"
#include "support/raw_rocksdb.h"
#include "support/store_fixture.h"
#include "support/test_events.h"

namespace pith {
namespace {

namespace fs = std::filesystem;
using json::Value;

std::string Time(int seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-08-01T%02d:%02d:%02dZ", (seconds / 3600) % 24, (seconds / 60) % 60,
                seconds % 60);
  return buf;
}

std::string Id(const Value& event) { return *event.FindString("event_id"); }

class IncrementalTest : public testing::StoreFixture {
 protected:
  IncrementalTest() : StoreFixture("incremental") {}
  void SetUp() override {
    StoreFixture::SetUp();
    NewSubject(7);
  }

  // Switches to a fresh subject (its record_created not appended yet).
  void NewSubject(int index) {
    std::mt19937_64 rng(1);
    testing::GeneratedSubject s = testing::MakeSubject(index, 1, registry_, stranger_, rng);
    subject_ = s.pith_number;
    record_ = s.events.front();
    all_.clear();
  }

  Value Event(const std::string& type, const std::string& target, int t, Value payload,
              std::optional<std::string> prev = std::nullopt, std::vector<std::string> supersedes = {},
              const SigningKey* key = nullptr) {
    EventDraft d;
    d.event_type = type;
    d.subject_pith_number = subject_;
    d.target = target;
    d.created_at = Time(t);
    d.payload = std::move(payload);
    d.signer_id = "registry.test";
    d.signer_type = "pith_registry";
    d.prev_event = std::move(prev);
    d.supersedes = std::move(supersedes);
    return SignEvent(d, key ? *key : registry_, "2026-08-01T00:00:01Z");
  }
  Value Mirror(int t, std::optional<std::string> prev = std::nullopt) {
    return Event("mirror_hint", "mirror", t,
                 Value::Object({{"mirror_type", Value::String("https")},
                                {"name", Value::String("m" + std::to_string(t))},
                                {"base_url", Value::String("https://m.example/" + std::to_string(t))}}),
                 std::move(prev));
  }
  Value Graph(int t, std::optional<std::string> prev = std::nullopt, std::vector<std::string> supersedes = {}) {
    return Event("graph_snapshot", "graph", t,
                 Value::Object({{"graph_snapshot", Value::Object({{"n", Value::Integer(t)}})}}), std::move(prev),
                 std::move(supersedes));
  }

  // 200 mirror hints of about 2.3 KB each (about 450 KiB of tail), one chain, appended in 10
  // batches of 20; their ids in order. Returns how many were merged incrementally.
  size_t AppendLargeHints(std::vector<std::string>* ids) {
    const std::string padding(2000, 'p');
    std::optional<std::string> prev;
    size_t incremental = 0;
    for (int batch = 0; batch < 10; ++batch) {
      std::vector<Value> hints;
      for (int k = 0; k < 20; ++k) {
        const int t = 10 + batch * 20 + k;
        hints.push_back(Event("mirror_hint", "mirror", t,
                              Value::Object({{"mirror_type", Value::String("https")},
                                             {"name", Value::String("m" + std::to_string(t) + padding)},
                                             {"base_url", Value::String("https://m.example/" + std::to_string(t))}}),
                              prev));
        prev = Id(hints.back());
        ids->push_back(*prev);
      }
      incremental += Append(hints).incremental;
    }
    return incremental;
  }

  // Appends `events` as one batch and checks the stored state is the from-scratch merge of
  // everything appended so far.
  AppendSummary Append(const std::vector<Value>& events) {
    std::vector<IncomingEvent> incoming;
    for (const Value& e : events) {
      incoming.push_back({subject_, json::Canonical(e), e});
      all_.push_back(e);
    }
    auto summary = store_->Append(incoming);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    ExpectStateIsFromScratch();
    if (summary.ok() && summary->added > 0) {  // the summary tells the new state_sha256, incremental or not
      auto scratch = Merge(subject_, all_, keys_, {});
      EXPECT_TRUE(scratch.ok() && summary->state_sha256 == std::vector<std::string>{scratch->state_sha256});
    } else if (summary.ok()) {
      EXPECT_TRUE(summary->state_sha256.empty());  // only copies: the subject is not touched
    }
    return summary.ok() ? *summary : AppendSummary();
  }
  AppendSummary Append(const Value& event) { return Append(std::vector<Value>{event}); }

  void ExpectStateIsFromScratch() {
    auto cached = store_->State(subject_);
    auto scratch = Merge(subject_, all_, keys_, {});
    ASSERT_TRUE(cached.ok() && scratch.ok());
    ASSERT_EQ(cached->canonical, scratch->canonical);
  }

  // The next append of `event` takes the incremental step (or, with incremental = false, a full merge).
  void ExpectPath(const Value& event, bool incremental, const std::string& what) {
    AppendSummary s = Append(event);
    EXPECT_EQ(s.incremental, incremental ? 1u : 0u) << what;
    EXPECT_EQ(s.full_merges, incremental ? 0u : 1u) << what;
  }

  std::string subject_;
  Value record_;
  std::vector<Value> all_;
};

// A state whose tail spans many stored pieces (specs/storage.md "Tail pieces"): appends grow and
// split the piece holding the end of mirror_hints, and a full rewrite that shrinks the tail (the
// key is no longer trusted: every entry leaves `current`) leaves no piece of the old one behind.
TEST_F(IncrementalTest, LargeTailsKeepExactlyTheirPieces) {
  Append(record_);
  std::vector<std::string> ids;
  const size_t incremental = AppendLargeHints(&ids);
  EXPECT_GT(incremental, 150u);  // the tail grew through incremental steps, piece by piece
  auto big = store_->State(subject_);
  ASSERT_TRUE(big.ok());
  EXPECT_GT(big->canonical.size(), 400u << 10);
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();

  ASSERT_TRUE(store_->RemoveKey(registry_.key_id).ok());
  auto small = store_->State(subject_);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  auto untrusted = Merge(subject_, all_, TrustedKeys::Defaults(), {});
  ASSERT_TRUE(untrusted.ok());
  EXPECT_EQ(small->canonical, untrusted->canonical);
  EXPECT_LT(small->canonical.size(), big->canonical.size() / 4);
  ASSERT_TRUE(store_->AddKey(registry_.public_entry).ok());
  ExpectStateIsFromScratch();
  Open();  // and as read back after reopening
  ExpectStateIsFromScratch();
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();

  // A piece lost on disk: the state is refused as corrupt, never served short, and check names it.
  store_.reset();
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [](rocksdb::DB* db, const testing::RawFamilies& families) {
    ASSERT_EQ(families.count("state_tail"), 1u);
    std::vector<std::string> keys;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families.at("state_tail")));
    for (it->SeekToFirst(); it->Valid(); it->Next()) keys.push_back(it->key().ToString());
    it.reset();
    ASSERT_GE(keys.size(), 4u);  // the big tail spans several pieces
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), families.at("state_tail"), keys[1]).ok());
  }));
  Open();
  auto damaged = store_->State(subject_);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), Status::Code::kCorruption);
  EXPECT_NE(damaged.status().message().find("misses pieces"), std::string::npos) << damaged.status().ToString();
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  ASSERT_FALSE(problems->empty());
  EXPECT_NE(problems->front().find(subject_), std::string::npos) << problems->front();
}

// The stored tail pieces of the (closed) store at `dir`: key -> bytes.
std::map<std::string, std::string> TailPieces(const fs::path& dir) {
  std::map<std::string, std::string> pieces;
  EXPECT_TRUE(testing::WithRawRocksDb(dir.string(), [&](rocksdb::DB* db, const testing::RawFamilies& families) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families.at("state_tail")));
    for (it->SeekToFirst(); it->Valid(); it->Next()) pieces[it->key().ToString()] = it->value().ToString();
  }));
  return pieces;
}

// An incremental step that supersedes one entry at the start of a list of hundreds of kilobytes
// rewrites the piece holding that entry and the pieces at the end of the tail (the new entry, the
// counts, state_sha256), not every piece of the list.
TEST_F(IncrementalTest, SupersedingAnEntryRewritesOnlyThePiecesAroundIt) {
  Append(record_);
  std::vector<std::string> ids;
  AppendLargeHints(&ids);
  store_.reset();
  const std::map<std::string, std::string> before = TailPieces(dir_);
  ASSERT_GE(before.size(), 7u);  // about 450 KiB of mirror_hints in 64 KiB pieces
  Open();

  const Value superseding = Event("mirror_hint", "mirror", 900,
                                 Value::Object({{"mirror_type", Value::String("https")},
                                                {"name", Value::String("m900")},
                                                {"base_url", Value::String("https://m.example/900")}}),
                                 ids.back(), {ids[2]});
  ExpectPath(superseding, true, "a hint superseding the third hint of the list");
  auto state = store_->State(subject_);
  ASSERT_TRUE(state.ok());
  const size_t first = state->canonical.find(ids[2]);  // in applied_event_ids
  EXPECT_EQ(state->canonical.find(ids[2], first + 1), std::string::npos) << "its entry left current";
  store_.reset();
  const std::map<std::string, std::string> after = TailPieces(dir_);
  Open();
  size_t rewritten = 0;
  for (const auto& [key, bytes] : after) {
    auto it = before.find(key);
    if (it == before.end() || it->second != bytes) ++rewritten;
  }
  for (const auto& [key, bytes] : before) rewritten += after.count(key) == 0 ? 1 : 0;
  EXPECT_LE(rewritten, 3u) << "of " << before.size() << " pieces";
  EXPECT_GE(rewritten, 2u);  // the piece that lost the entry, and the end of the tail
}

TEST_F(IncrementalTest, HeadOfChainAppendsAreIncremental) {
  ExpectPath(record_, false, "the first event of a subject: no state to start from");
  std::optional<std::string> mirror, graph;
  for (int t = 1; t <= 40; ++t) {
    if (t % 2) {
      Value e = Mirror(t, mirror);
      mirror = Id(e);
      ExpectPath(e, true, "mirror head " + std::to_string(t));
    } else {
      std::vector<std::string> supersedes;
      if (graph && t % 4 == 0) supersedes.push_back(*graph);
      Value e = Graph(t, graph, supersedes);
      graph = Id(e);
      ExpectPath(e, true, "graph head " + std::to_string(t));
    }
  }
  // A batch of several heads at once, given newest first: still one incremental batch.
  Value a = Mirror(41, mirror), b = Mirror(42, Id(a)), c = Mirror(43, Id(b));
  AppendSummary s = Append({c, b, a});
  EXPECT_EQ(s.incremental, 3u);
  EXPECT_EQ(s.full_merges, 0u);
  // Survives reopening (the index and the split state are on disk).
  Open();
  ExpectPath(Mirror(44, Id(c)), true, "after reopening");
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

TEST_F(IncrementalTest, InvalidAndExcludedEventsAreIncremental) {
  Append(record_);
  Value g1 = Graph(1);
  ExpectPath(g1, true, "chain start");
  // Section 3 failures: a tampered payload, an untrusted signer.
  std::vector<Value::Member> m = g1.Without({"payload"}).members();
  m.emplace_back("payload", Value::Object({{"graph_snapshot", Value::Object({{"tampered", Value::Bool(true)}})}}));
  ExpectPath(Value::Object(std::move(m)), true, "tampered copy");
  ExpectPath(Event("citation_signature", "citation", 2,
                   Value::Object({{"citing", Value::String("x")}, {"cited", Value::String("y")}}), std::nullopt, {},
                   &stranger_),
             true, "unknown key");
  // Section 4 failures: a prev that is nowhere, a foreign prev, a supersedes of nothing.
  ExpectPath(Graph(3, "sha256:" + std::string(64, 'a')), true, "prev_event_missing");
  ExpectPath(Mirror(4, Id(g1)), true, "prev_event_foreign");
  ExpectPath(Graph(5, std::nullopt, {"sha256:" + std::string(64, 'b')}), true, "supersedes_missing");
  // A fork (full), then an event below a forked branch: excluded, incremental.
  Value g2 = Graph(6, Id(g1)), g2b = Graph(7, Id(g1), {Id(g1)});
  ExpectPath(g2, true, "head");
  ExpectPath(g2b, false, "fork: a new equivocation");
  ExpectPath(Graph(8, Id(g2)), true, "below a forked event: excluded");
}

TEST_F(IncrementalTest, RulesThatNeedTheFullMergeFallBack) {
  // Each case on a subject of its own: record_created, then a chain m1 <- m2 of mirror hints.
  int index = 20;
  std::optional<std::string> m1, m2;
  auto fresh = [&]() {
    NewSubject(index++);
    Append(record_);
    Value a = Mirror(10), b = Mirror(20, Id(a));
    ExpectPath(a, true, "head");
    ExpectPath(b, true, "head");
    m1 = Id(a);
    m2 = Id(b);
    return b;
  };

  fresh();
  ExpectPath(Mirror(21, m1), false, "fork: a second event after m1");

  fresh();
  ExpectPath(Graph(5), false, "late: sorts before applied events");

  // A late prev target: the child first (prev_event_missing, incremental), then its parent, which
  // turns the child valid.
  fresh();
  Value p = Graph(30), child = Graph(31, Id(p));
  ExpectPath(child, true, "child before its parent");
  ExpectPath(p, false, "a parent that an event already names");

  // The same for a late supersedes target.
  fresh();
  Value old = Graph(40), newer = Graph(41, std::nullopt, {Id(old)});
  ExpectPath(newer, true, "supersedes of an unknown event");
  ExpectPath(old, false, "an event that another already supersedes");

  // Another copy of an event (its representative document may change).
  Value b = fresh();
  std::vector<Value::Member> sig = b.Find("signature")->Without({"signed_at"}).members();
  sig.emplace_back("signed_at", Value::String("2027-01-01T00:00:00Z"));
  std::vector<Value::Member> copy = b.Without({"signature"}).members();
  copy.emplace_back("signature", Value::Object(std::move(sig)));
  ExpectPath(Value::Object(std::move(copy)), false, "a second copy of an event");

  // A record_created that would be applied (record_created, canonical_record, source_aliases).
  fresh();
  EventDraft d;
  d.event_type = "record_created";
  d.subject_pith_number = subject_;
  d.target = "record";
  d.created_at = Time(50);
  d.payload = *record_.Find("payload");
  d.signer_id = "registry.test";
  d.signer_type = "pith_registry";
  ExpectPath(SignEvent(d, registry_, "2026-08-01T00:00:02Z"), false, "record_created");

  // Supersedes that pass section 4 are incremental: the superseded entries leave `current`.
  fresh();
  Value g1 = Graph(60), g2 = Graph(61, Id(g1), {Id(g1)});
  ExpectPath(g1, true, "head");
  ExpectPath(g2, true, "superseding the previous snapshot");
  ExpectPath(Event("correction", "correction", 62, Value::Object({{"reason", Value::String("wrong")}}), std::nullopt,
                   {Id(g2), *m2}),
             true, "a correction superseding entries of two lists");

  // Trusting another key makes the stored state stale. State() recomputes it, index included, so
  // the next append is incremental; without State() in between, the next append merges in full.
  fresh();
  SigningKey other = testing::FixedKey("another-registry");
  ASSERT_TRUE(store_->AddKey(other.public_entry).ok());
  ASSERT_TRUE(keys_.AddFromJson(other.public_entry).ok());
  ASSERT_TRUE(store_->State(subject_).ok());
  Value m3 = Mirror(70, m2);
  ExpectPath(m3, true, "after State() recomputed the state under the new keys");
  ASSERT_TRUE(store_->RemoveKey("another-registry").ok());
  keys_ = TrustedKeys::Defaults();
  ASSERT_TRUE(keys_.AddFromJson(registry_.public_entry).ok());
  Value m4 = Mirror(71, Id(m3));
  ExpectPath(m4, false, "keys changed since the state was written");
  ExpectPath(Mirror(72, Id(m4)), true, "head again");

  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

// Random subjects (chains, forks, supersedes, tampered copies, duplicates, untrusted signers,
// missing prevs), appended one event at a time or in small batches, in creation order and in random
// orders: every state equals the from-scratch merge.
TEST_F(IncrementalTest, RandomSequencesEqualFromScratchMerges) {
  std::mt19937_64 rng(42);
  size_t incremental = 0, full = 0, states = 0;
  for (int round = 0; round < 120; ++round) {
    testing::GeneratedSubject s = testing::MakeSubject(100 + round, 10 + rng() % 30, registry_, stranger_, rng);
    subject_ = s.pith_number;
    all_.clear();
    std::vector<Value> events = s.events;
    if (round % 3 == 1) {
      std::shuffle(events.begin(), events.end(), rng);
    } else if (round % 3 == 2) {  // mostly in order, a few swapped
      for (size_t k = 0; k + 1 < events.size(); ++k) {
        if (rng() % 6 == 0) std::swap(events[k], events[k + 1]);
      }
    }
    for (size_t next = 0; next < events.size();) {
      size_t n = rng() % 4 == 0 ? 1 + rng() % 3 : 1;
      std::vector<Value> batch(events.begin() + next, events.begin() + std::min(events.size(), next + n));
      next += batch.size();
      AppendSummary summary = Append(batch);
      if (HasFatalFailure()) return;
      incremental += summary.incremental;
      full += summary.full_merges;
      ++states;
    }
  }
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
  std::cout << "120 random subjects, " << states << " states equal to from-scratch merges: " << incremental
            << " documents merged incrementally, " << full << " full merges of a subject\n";
  EXPECT_GT(incremental, full);
}

// For information: one append to a 10,000-event subject, incremental vs a full replay of it (and,
// for the superseding chain, the same at 1,000 events: the incremental cost does not grow).
TEST_F(IncrementalTest, TimingOfOneAppendToA10000EventSubject) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  for (auto [superseding_graph, events_in_subject] :
       {std::pair{false, 10000}, std::pair{true, 1000}, std::pair{true, 10000}}) {
    fs::remove_all(dir_);
    Open();
    all_.clear();
    std::vector<Value> events = {record_};
    std::optional<std::string> head;
    auto next = [&](int t) {
      Value e = superseding_graph ? Graph(t, head, head ? std::vector<std::string>{*head} : std::vector<std::string>{})
                                  : Mirror(t, head);
      head = Id(e);
      return e;
    };
    for (int t = 1; t < events_in_subject; ++t) events.push_back(next(t));
    std::vector<IncomingEvent> incoming;
    for (const Value& e : events) incoming.push_back({subject_, json::Canonical(e), e});
    ASSERT_TRUE(store_->Append(incoming).ok());
    all_ = events;

    constexpr int kAppends = 20;
    std::vector<Value> extra;
    for (int k = 0; k < kAppends; ++k) extra.push_back(next(events_in_subject + k));
    Clock::duration incremental{};
    for (const Value& e : extra) {
      auto start = Clock::now();
      auto s = store_->Append({{subject_, json::Canonical(e), e}});
      incremental += Clock::now() - start;
      ASSERT_TRUE(s.ok());
      ASSERT_EQ(s->incremental, 1u);
      all_.push_back(e);
    }
    // A late event (it sorts before applied ones): the append merges the subject in full.
    Value late = Event("timestamp_anchor", "timestamp", 0,
                       Value::Object({{"anchor_type", Value::String("t")},
                                      {"anchored_sha256", Value::String(std::string(64, '0'))},
                                      {"proof", Value::String("p")}}));
    auto start = Clock::now();
    auto fell_back = store_->Append({{subject_, json::Canonical(late), late}});
    Clock::duration full_append = Clock::now() - start;
    ASSERT_TRUE(fell_back.ok());
    ASSERT_EQ(fell_back->full_merges, 1u);
    all_.push_back(late);
    start = Clock::now();
    auto replay = store_->Replay(subject_, false);
    Clock::duration full = Clock::now() - start;
    ASSERT_TRUE(replay.ok());
    auto state = store_->State(subject_);
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->canonical, replay->canonical);
    ExpectStateIsFromScratch();
    std::cout << events_in_subject << " events, "
              << (superseding_graph ? "graph_snapshot chain, each superseding the previous"
                                    : "mirror_hint chain, every hint current")
              << ": state " << state->canonical.size() / 1024
              << " KiB; one append, incremental: " << ms(incremental) / kAppends << " ms (mean of " << kAppends
              << "); one append merging in full: " << ms(full_append)
              << " ms; full replay of the subject (cached verdicts): " << ms(full) << " ms\n";
  }
}

// The incremental merge alone (no store), on adversarial random documents: several trusted keys
// (two sharing a signer_id), foreign and unknown prevs, supersedes of anything, late created_at,
// forks, second copies, tampered and untrusted documents, extra record_created events. After every
// document: the state equals MergeChecked's, and aux and the index equal a full merge's.
TEST(IncrementalMergeTest, AdversarialSequencesMatchTheFullMerge) {
  struct Signer {
    SigningKey key;
    std::string signer_id, signer_type;
    std::vector<std::string> types;
  };
  std::vector<Signer> signers = {
      {testing::FixedKey("adv-registry"),
       "registry.test",
       "pith_registry",
       {"graph_snapshot", "author_attestation", "timestamp_anchor", "storage_attestation", "citation_signature",
        "replication_record", "correction", "mirror_hint"}},
      {testing::FixedKey("adv-author-a", "author.test", "author"),
       "author.test",
       "author",
       {"author_attestation", "citation_signature", "replication_record", "correction"}},
      {testing::FixedKey("adv-author-b", "author.test", "author"),
       "author.test",
       "author",
       {"author_attestation", "citation_signature", "correction"}},
      {testing::FixedKey("adv-mirror", "mirror.test", "mirror"),
       "mirror.test",
       "mirror",
       {"storage_attestation", "mirror_hint", "correction"}},
      {testing::FixedKey("adv-stranger"), "x.test", "researcher", {"citation_signature"}},  // not trusted
  };
  TrustedKeys keys = TrustedKeys::Defaults();
  for (size_t i = 0; i + 1 < signers.size(); ++i) ASSERT_TRUE(keys.AddFromJson(signers[i].key.public_entry).ok());
  const std::map<std::string, std::string> targets = {
      {"graph_snapshot", "graph"},        {"author_attestation", "author"},   {"timestamp_anchor", "timestamp"},
      {"storage_attestation", "storage"}, {"citation_signature", "citation"}, {"replication_record", "replication"},
      {"correction", "correction"},       {"mirror_hint", "mirror"},          {"record_created", "record"}};
  auto payload = [](const std::string& type, int t) {
    std::string n = std::to_string(t), digest = Sha256Hex(n);
    if (type == "graph_snapshot") return Value::Object({{"graph_snapshot", Value::Object({{"n", Value::Integer(t)}})}});
    if (type == "author_attestation")
      return Value::Object({{"author_name", Value::String("A " + n)}, {"statement", Value::String("s")}});
    if (type == "timestamp_anchor")
      return Value::Object({{"anchor_type", Value::String("t")},
                            {"anchored_sha256", Value::String(digest)},
                            {"proof", Value::String("p")}});
    if (type == "storage_attestation")
      return Value::Object({{"storage_type", Value::String("s3")},
                            {"locator", Value::String("l" + n)},
                            {"stored_sha256", Value::String(digest)}});
    if (type == "citation_signature")
      return Value::Object({{"citing", Value::String("c" + n)}, {"cited", Value::String("d")}});
    if (type == "replication_record")
      return Value::Object({{"outcome", Value::String("replicated")}, {"report_locator", Value::String("r" + n)}});
    if (type == "correction") return Value::Object({{"reason", Value::String("because " + n)}});
    return Value::Object({{"mirror_type", Value::String("https")},
                          {"name", Value::String("m" + n)},
                          {"base_url", Value::String("https://m.example/" + n)}});
  };

  std::mt19937_64 rng(7);
  size_t incremental = 0, full = 0;
  for (int round = 0; round < 150; ++round) {
    std::mt19937_64 record_rng(round);
    testing::GeneratedSubject g = testing::MakeSubject(500 + round, 1, signers[0].key, signers[4].key, record_rng);
    const std::string subject = g.pith_number;
    // The documents in creation order, then offered in a slightly shuffled order (so that some
    // name events that arrive later).
    std::vector<Value> created;
    std::vector<std::string> ids;                                                    // every id created so far
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> chains;  // (target, key) -> ids
    const size_t size = 5 + rng() % 40;
    for (size_t k = 0; k < size; ++k) {
      const int t = 10 * static_cast<int>(k) + 5;
      uint64_t pick = rng() % 100;
      if (k == 0) {
        created.push_back(g.events[0]);
      } else if (pick < 3) {  // another record_created
        EventDraft d;
        d.event_type = "record_created";
        d.subject_pith_number = subject;
        d.target = "record";
        d.created_at = Time(t);
        d.payload = *g.events[0].Find("payload");
        d.signer_id = "registry.test";
        d.signer_type = "pith_registry";
        if (rng() % 2) d.prev_event = *g.events[0].FindString("event_id");
        created.push_back(SignEvent(d, signers[0].key, "2026-08-01T00:00:01Z"));
      } else if (pick < 8) {  // another copy of an earlier document (new signed_at), sometimes tampered
        const Value& of = created[rng() % created.size()];
        std::vector<Value::Member> sig = of.Find("signature")->Without({"signed_at"}).members();
        sig.emplace_back("signed_at", Value::String("2027-01-01T00:00:0" + std::to_string(k % 10) + "Z"));
        const bool tamper = rng() % 2 == 0;
        std::vector<Value::Member> m = of.Without({"signature", "payload"}).members();
        m.emplace_back("payload", tamper ? Value::Object({{"tampered", Value::Integer(t)}}) : *of.Find("payload"));
        m.emplace_back("signature", Value::Object(std::move(sig)));
        created.push_back(Value::Object(std::move(m)));
      } else {
        const Signer& who = signers[rng() % 20 == 0 ? signers.size() - 1 : rng() % (signers.size() - 1)];
        EventDraft d;
        d.event_type = who.types[rng() % who.types.size()];
        d.subject_pith_number = subject;
        d.target = targets.at(d.event_type);
        d.created_at = Time(rng() % 10 == 0 ? std::max(1, t - static_cast<int>(rng() % 60)) : t);  // sometimes late
        d.payload = payload(d.event_type, t);
        d.signer_id = who.signer_id;
        d.signer_type = who.signer_type;
        std::vector<std::string>& chain = chains[{d.target, who.key.key_id}];
        uint64_t p = rng() % 100;
        if (p < 80) {
          if (!chain.empty())
            d.prev_event = p < 74 ? chain.back() : chain[rng() % chain.size()];  // the head, or a fork
        } else if (p < 84) {
          d.prev_event = ids[rng() % ids.size()];  // anything: maybe foreign
        } else if (p < 86) {
          d.prev_event = "sha256:" + Sha256Hex("nowhere " + std::to_string(rng() % 4));
        }
        std::set<std::string> sup;
        uint64_t q = rng() % 100;
        if (d.event_type == "correction" && q < 30) {  // entries of any of its key's lists
          std::vector<std::string> own;
          for (const auto& [chain_key, chain_ids] : chains) {
            if (chain_key.second == who.key.key_id) own.insert(own.end(), chain_ids.begin(), chain_ids.end());
          }
          for (size_t n = 0; n < 3 && !own.empty(); ++n) sup.insert(own[rng() % own.size()]);
        } else if (q < 35) {
          if (!chain.empty()) sup.insert(chain[rng() % chain.size()]);  // an earlier event of its own chain
          if (!chain.empty() && rng() % 3 == 0) sup.insert(chain[rng() % chain.size()]);
        } else if (q < 40) {
          sup.insert(ids[rng() % ids.size()]);  // anything: maybe foreign or of another target
        } else if (q < 42) {
          sup.insert("sha256:" + Sha256Hex("nowhere " + std::to_string(rng() % 4)));
        }
        d.supersedes.assign(sup.begin(), sup.end());
        created.push_back(SignEvent(d, who.key, "2026-08-01T00:00:01Z"));
        chain.push_back(*created.back().FindString("event_id"));
      }
      ids.push_back(*created.back().FindString("event_id"));
    }
    for (size_t k = 1; k + 1 < created.size(); ++k) {
      if (rng() % 7 == 0) std::swap(created[k], created[k + 1]);
    }
    if (round % 5 == 0) std::shuffle(created.begin() + 1, created.end(), rng);

    std::vector<Value> docs;
    std::vector<DocumentVerdict> verdicts;
    // The stored form: applied elements, tail, aux, index (entries of older generations stay).
    std::vector<std::string> applied;
    std::string tail, aux;
    IndexEntries index;
    uint64_t generation = 0;
    auto full_merge = [&]() {
      auto base = MergeIncrementalBase(subject, docs, verdicts, keys, kMergeV1, ++generation);
      ASSERT_TRUE(base.ok()) << base.status().ToString();
      applied = base->split.applied;
      tail = base->split.tail;
      aux = base->split.aux;
      for (auto& [k, v] : base->index) index[k] = v;
      ++full;
    };
    for (size_t k = 0; k < created.size(); ++k) {
      const Value& doc = created[k];
      DocumentVerdict v = CheckDocument(doc, subject, keys);
      if (std::any_of(verdicts.begin(), verdicts.end(),
                      [&](const DocumentVerdict& o) { return o.document_sha256 == v.document_sha256; })) {
        continue;  // the store never offers a document twice
      }
      docs.push_back(doc);
      verdicts.push_back(v);

      bool stepped = false;
      if (generation > 0) {
        auto merge = IncrementalMerge::Resume(applied.size(), tail, aux, [&index](std::string_view key) {
          auto it = index.find(std::string(key));
          return Result<std::optional<std::string>>(it == index.end() ? std::nullopt
                                                                      : std::optional<std::string>(it->second));
        });
        ASSERT_TRUE(merge.has_value());
        auto added = merge->Add(doc, v, keys);
        ASSERT_TRUE(added.ok());
        if (*added) {
          SplitState split = merge->Finish();
          applied.insert(applied.end(), split.applied.begin(), split.applied.end());
          tail = split.tail;
          aux = split.aux;
          for (const auto& [key, value] : merge->index_writes()) index[key] = value;
          stepped = true;
          ++incremental;
        }
      }
      if (!stepped) full_merge();
      if (HasFatalFailure()) return;

      std::string state(kStateHead);
      for (size_t i = 0; i < applied.size(); ++i) state += (i ? "," : "") + applied[i];
      state += tail;
      auto expected = MergeIncrementalBase(subject, docs, verdicts, keys, kMergeV1, generation);
      ASSERT_TRUE(expected.ok());
      // The same full merge over the documents' event records, encoded and read in place (what a
      // store's full merge reads).
      EventRecordSet records;
      for (const Value& d : docs) ASSERT_TRUE(records.AddEncoded(EncodeEventRecord(MakeEventRecord(d))).ok());
      auto from_records = MergeIncrementalBase(subject, records.views(), verdicts, keys, kMergeV1, generation);
      ASSERT_TRUE(from_records.ok()) << from_records.status().ToString();
      ASSERT_EQ(from_records->state.canonical, expected->state.canonical) << "round " << round << " document " << k;
      ASSERT_EQ(from_records->split.applied, expected->split.applied);
      ASSERT_EQ(from_records->split.tail, expected->split.tail);
      ASSERT_EQ(from_records->split.aux, expected->split.aux);
      ASSERT_EQ(from_records->index, expected->index);
      ASSERT_EQ(state, expected->state.canonical) << "round " << round << " document " << k;
      ASSERT_EQ(aux, expected->split.aux) << "round " << round << " document " << k;
      size_t current = 0;
      for (const auto& [key, value] : index) {
        if (!IndexValueOfGeneration(value, generation)) continue;
        ++current;
        auto it = expected->index.find(key);
        ASSERT_TRUE(it != expected->index.end() && it->second == value) << "round " << round << " document " << k;
      }
      ASSERT_EQ(current, expected->index.size()) << "round " << round << " document " << k;
    }
  }
  std::cout << "150 adversarial random subjects: " << incremental << " documents merged incrementally, " << full
            << " full merges, every state, aux and index equal to a full merge's (over documents and over records)\n";
  EXPECT_GT(incremental, full);
}

}  // namespace
}  // namespace pith
