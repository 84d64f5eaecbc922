// pith::Store: idempotent appends, reopening, exclusivity, format versions, trusted-key changes,
// the store-wide sequence, bundle export, and the central property: whatever order and batching
// events arrive in, every cached state equals a from-scratch merge of the same events.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>

#include <algorithm>
#include <atomic>
#include <set>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "pith/bundle_export.h"
#include "pith/event_log.h"
#include "pith/hash.h"
#include "pith/merge.h"
#include "pith/store.h"
#include "key_layout.h"
#include "support/raw_rocksdb.h"
#include "support/seed_data.h"
#include "support/test_events.h"

namespace pith {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("pith-store-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Store> OpenStore(StoreOptions options = {}) {
    auto store = Store::Open(dir_.string(), options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static std::vector<IncomingEvent> Incoming(const std::string& subject, const std::vector<json::Value>& docs) {
    std::vector<IncomingEvent> out;
    for (const json::Value& d : docs) out.push_back({subject, json::Canonical(d), d});
    return out;
  }

  // The event in one of the forms a caller may give it: parsed (0), as its canonical bytes alone
  // (1: read in place), as non-canonical bytes alone (2: the store parses them; kept verbatim), and
  // as forms 1 and 2 with the scan a reader made of them (3: its proof used; 4: not proven, parsed).
  static constexpr int kForms = 5;
  static IncomingEvent InForm(int form, const std::string& subject, const json::Value& doc) {
    const std::string canonical = json::Canonical(doc);
    const std::string spaced = canonical.front() == '{' ? "{ " + canonical.substr(1) : " " + canonical;
    if (form == 0) return {subject, canonical, doc};
    if (form == 1) return IncomingEvent::FromBytes(subject, canonical);
    if (form == 2) return IncomingEvent::FromBytes(subject, spaced);
    return IncomingEvent::FromCanonical(subject, std::make_shared<const json::CanonicalDocument>(form == 3 ? canonical : spaced));
  }

  static json::Value Seed() { return testing::SeedBundle(); }

  // Every subject's state as the store serves it, concatenated: what two stores given the same
  // events must agree on byte for byte.
  static std::string StatesOf(Store& store, const std::vector<testing::GeneratedSubject>& subjects) {
    std::string all;
    for (const auto& subject : subjects) {
      auto state = store.State(subject.pith_number);
      EXPECT_TRUE(state.ok()) << subject.pith_number;
      all += state.ok() ? state->canonical : "";
    }
    return all;
  }

  // `count` generated subjects numbered from `first`, each of min_events to min_events + 9 events.
  static std::vector<testing::GeneratedSubject> MakeSubjects(int count, int first, int min_events,
                                                             const SigningKey& registry, const SigningKey& stranger,
                                                             std::mt19937_64& rng) {
    std::vector<testing::GeneratedSubject> subjects;
    for (int i = 0; i < count; ++i) {
      subjects.push_back(testing::MakeSubject(first + i, min_events + static_cast<int>(rng() % 10), registry, stranger, rng));
    }
    return subjects;
  }

  // What the log keeps once of an event sent for a subject: its subject and bytes.
  static std::string LogKey(const std::string& subject, const json::Value& event) {
    return subject + " " + json::Canonical(event);
  }

  // Every subject's state in `store` is a from-scratch merge of its events, and Check finds nothing.
  static void ExpectStatesAreMerges(Store& store, const std::vector<testing::GeneratedSubject>& subjects,
                                    const TrustedKeys& keys) {
    for (const auto& subject : subjects) {
      auto state = store.State(subject.pith_number);
      auto expected = Merge(subject.pith_number, subject.events, keys, {});
      ASSERT_TRUE(state.ok() && expected.ok()) << subject.pith_number;
      EXPECT_EQ(state->canonical, expected->canonical) << subject.pith_number;
    }
    ExpectCheckFindsNothing(store);
  }

  static void ExpectCheckFindsNothing(Store& store) {
    auto problems = store.Check();
    ASSERT_TRUE(problems.ok());
    EXPECT_TRUE(problems->empty()) << problems->front();
  }

  // Opens this test's store with `options` in a child process, runs `load` on it (which returns 0,
  // or an exit code naming what failed), then SIGKILLs the child while the store is open: it is
  // never closed (closing would flush what the crash is to lose). The child is this test
  // binary run again (gtest's "threadsafe" death test: fork and exec), not a bare fork: RocksDB's
  // background threads, started by earlier tests, would not exist in a forked child. The child runs
  // the test again up to here with its own dir_ (the name holds the pid): the parent's is passed in
  // the environment, which the child inherits and must not overwrite.
  void LoadThenCrash(const StoreOptions& options, const std::function<int(Store&)>& load) {
    static constexpr const char* kDirVariable = "PITH_TEST_CRASHED_STORE_DIR";
    const std::string style = GTEST_FLAG_GET(death_test_style);
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    ASSERT_EQ(::setenv(kDirVariable, dir_.string().c_str(), /*overwrite=*/0), 0);
    auto run = [&] {
      auto store = Store::Open(std::getenv(kDirVariable), options);
      if (!store.ok()) ::_exit(100);
      if (int failed = load(**store); failed != 0) ::_exit(failed);
      ::raise(SIGKILL);
    };
    EXPECT_EXIT(run(), ::testing::KilledBySignal(SIGKILL), "");
    ::unsetenv(kDirVariable);
    GTEST_FLAG_SET(death_test_style, style);
  }

  fs::path dir_;
};

TEST_F(StoreTest, SeedIngestIsIdempotentAndSurvivesReopen) {
  json::Value seed = Seed();
  const std::string subject = *seed.FindString("pith_number");
  {
    auto store = OpenStore();
    auto first = store->Append(Incoming(subject, seed.Find("events")->items()));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(first->added, 2u);
    EXPECT_EQ(first->duplicates, 0u);
    auto again = store->Append(Incoming(subject, seed.Find("events")->items()));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->added, 0u);
    EXPECT_EQ(again->duplicates, 2u);
    EXPECT_EQ(store->LastSequence(), 2u);
  }
  auto store = OpenStore();
  auto state = store->State(subject);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->canonical, json::Canonical(*seed.Find("state")));
  auto replay = store->Replay(subject, true);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->canonical, state->canonical);
  auto problems = store->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

TEST_F(StoreTest, ExportReproducesTheSeedBundleHash) {
  json::Value seed = Seed();
  const std::string subject = *seed.FindString("pith_number");
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(Incoming(subject, seed.Find("events")->items())).ok());
  BundleExportOptions options;
  options.built_at = "2026-07-05T15:44:43Z";
  options.base_url = "https://pith.science";
  options.mirror_name = "Pith Resolver";
  auto bundle = BuildUnsignedBundle(*store, subject, options);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  EXPECT_EQ(json::Canonical(*bundle), json::Canonical(seed.Without("bundle_signature")));
  EXPECT_EQ(Sha256Hex(json::Canonical(*bundle)), "0a41ed16347c53f95175fb1fa17107795832108f215827ebad60722be347a9e1");
}

TEST_F(StoreTest, SecondOpenOfTheSameStoreIsBusy) {
  auto store = OpenStore();
  auto second = Store::Open(dir_.string(), {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kBusy);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

TEST_F(StoreTest, MissingStoreIsNotCreatedUnlessAsked) {
  StoreOptions options;
  options.create_if_missing = false;
  auto store = Store::Open(dir_.string(), options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kNotFound);
}

TEST_F(StoreTest, AnotherFormatVersionIsRefused) {
  { OpenStore(); }
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [](rocksdb::DB* db, const testing::RawFamilies& families) {
    ASSERT_EQ(families.count("meta"), 1u);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("meta"), "format", "pith-store-999").ok());
  }));
  auto store = Store::Open(dir_.string(), {});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(store.status().message().find("pith-store-999"), std::string::npos);
}

// A store of an earlier layout has other column families (pith-store-5 had `records`): it is
// refused by its format, not by RocksDB's complaint about families it was not opened with.
TEST_F(StoreTest, AStoreOfAnEarlierLayoutIsRefusedByItsFormat) {
  { OpenStore(); }
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [](rocksdb::DB* db, const testing::RawFamilies& families) {
    rocksdb::ColumnFamilyHandle* records = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "records", &records).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(records).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("meta"), "format", "pith-store-5").ok());
  }));
  for (bool create : {false, true}) {
    StoreOptions options;
    options.create_if_missing = create;
    auto store = Store::Open(dir_.string(), options);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Status::Code::kUnsupported) << store.status().ToString();
    EXPECT_NE(store.status().message().find("\"pith-store-5\""), std::string::npos) << store.status().ToString();
    EXPECT_NE(store.status().message().find(std::string(kStoreFormat)), std::string::npos) << store.status().ToString();
  }
}

// A store of this format with a family it should not have is refused naming the family; one with
// only some of its families (its creation cut short) is opened, and RocksDB creates the rest.
TEST_F(StoreTest, ColumnFamiliesDecideBetweenRefusingAndFinishingAStore) {
  { OpenStore(); }
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [](rocksdb::DB* db, const testing::RawFamilies&) {
    rocksdb::ColumnFamilyHandle* surplus = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "surplus", &surplus).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(surplus).ok());
  }));
  auto refused = Store::Open(dir_.string(), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kUnsupported);
  EXPECT_NE(refused.status().message().find("(surplus)"), std::string::npos) << refused.status().ToString();

  fs::remove_all(dir_);
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* meta = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "meta", &meta).ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(meta).ok());
  }
  auto finished = Store::Open(dir_.string(), {});
  ASSERT_TRUE(finished.ok()) << finished.status().ToString();
  EXPECT_EQ((*finished)->LastSequence(), 0u);
}

// Verdicts are keyed by subject first (specs/storage.md), so a replay reads a subject's verdicts
// from a few neighbouring blocks: every key of the family starts with LP(subject) of a stored
// subject, one per (subject, document).
TEST_F(StoreTest, VerdictsLieUnderTheirSubject) {
  SigningKey registry = testing::FixedKey("registry-a");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(7);
  std::map<std::string, size_t> events_of;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    for (int n = 1; n <= 3; ++n) {
      testing::GeneratedSubject subject = testing::MakeSubject(n, 5 + 3 * n, registry, stranger, rng);
      ASSERT_TRUE(store->Append(Incoming(subject.pith_number, subject.events)).ok());
      events_of[subject.pith_number] = subject.events.size();
    }
  }
  std::map<std::string, size_t> verdicts_of;
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [&](rocksdb::DB* db, const testing::RawFamilies& families) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families.at("verdicts")));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string key = it->key().ToString();
      std::string owner;
      for (const auto& [subject, count] : events_of) {
        const std::string prefix = storage_internal::SubjectPrefix(subject);
        if (key.size() == prefix.size() + 32 && key.compare(0, prefix.size(), prefix) == 0) owner = subject;
      }
      ASSERT_FALSE(owner.empty()) << "a verdict key is LP(subject) + 32 bytes, for a stored subject";
      ++verdicts_of[owner];
    }
  }));
  EXPECT_EQ(verdicts_of, events_of);
}

// A replay from event records with cached verdicts (or, after a key change, verdicts computed
// afresh), a replay re-parsing and re-verifying every document, and the cached state agree.
void ExpectReplaysAgree(Store& store, const std::string& subject) {
  auto from_records = store.Replay(subject, false);
  auto reverified = store.Replay(subject, true);
  auto cached = store.State(subject);
  ASSERT_TRUE(from_records.ok() && reverified.ok() && cached.ok());
  EXPECT_EQ(from_records->canonical, reverified->canonical);
  EXPECT_EQ(from_records->canonical, cached->canonical);
}

// The store writes a batch's entries subject by subject (storage/src/event_log.cc), but positions
// and sequence numbers follow the input: one batch interleaving three subjects, each starting at a
// different one, reads back in the order it was given.
TEST_F(StoreTest, AnInterleavedBatchKeepsItsInputOrder) {
  SigningKey registry = testing::FixedKey("registry-a");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(11);
  std::vector<testing::GeneratedSubject> subjects;
  for (int n : {7, 30, 512}) subjects.push_back(testing::MakeSubject(n, 6, registry, stranger, rng));
  std::vector<IncomingEvent> batch;
  std::vector<std::pair<std::string, std::string>> given;  // (subject, document_sha256) in input order
  for (size_t k = 0; k < 6; ++k) {
    for (size_t s = 0; s < subjects.size(); ++s) {
      const auto& subject = subjects[(s + k) % subjects.size()];
      batch.push_back(Incoming(subject.pith_number, {subject.events[k]})[0]);
      given.emplace_back(subject.pith_number, Sha256Hex(json::Canonical(subject.events[k])));
    }
  }
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(batch).ok());
  std::vector<std::pair<std::string, std::string>> sequence;
  std::map<uint64_t, std::pair<std::string, std::string>> by_number;
  ASSERT_TRUE(store->ReadSince(0, [&](uint64_t number, const std::string& subject, const std::string& doc) {
                sequence.emplace_back(subject, doc);
                by_number[number] = {subject, doc};
                return Status::OK();
              }).ok());
  EXPECT_EQ(sequence, given);
  for (const auto& subject : subjects) {
    auto log = store->Log(subject.pith_number);
    ASSERT_TRUE(log.ok());
    std::vector<std::string> expected, read;
    for (const auto& [s, doc] : given) {
      if (s == subject.pith_number) expected.push_back(doc);
    }
    uint64_t last_sequence = 0;
    for (size_t i = 0; i < log->size(); ++i) {
      EXPECT_EQ((*log)[i].position, i);
      EXPECT_GT((*log)[i].sequence, last_sequence);
      EXPECT_EQ(by_number[(*log)[i].sequence], std::make_pair(subject.pith_number, (*log)[i].document_sha256));
      last_sequence = (*log)[i].sequence;
      read.push_back((*log)[i].document_sha256);
    }
    EXPECT_EQ(read, expected) << subject.pith_number;
    ExpectReplaysAgree(*store, subject.pith_number);
  }
}

TEST_F(StoreTest, TrustingAKeyLaterRecomputesStates) {
  SigningKey registry = testing::FixedKey("registry-a");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(1);
  testing::GeneratedSubject subject = testing::MakeSubject(1, 20, registry, stranger, rng);
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(Incoming(subject.pith_number, subject.events)).ok());
  auto untrusted = store->State(subject.pith_number);
  ASSERT_TRUE(untrusted.ok());
  EXPECT_EQ(untrusted->Object()->Find("valid_event_count")->text(), "0");
  ExpectReplaysAgree(*store, subject.pith_number);

  ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
  TrustedKeys keys = TrustedKeys::Defaults();
  ASSERT_TRUE(keys.AddFromJson(registry.public_entry).ok());
  auto expected = Merge(subject.pith_number, subject.events, keys, {});
  auto trusted = store->State(subject.pith_number);
  ASSERT_TRUE(trusted.ok());
  EXPECT_EQ(trusted->canonical, expected->canonical);
  EXPECT_NE(trusted->Object()->Find("valid_event_count")->text(), "0");
  ExpectReplaysAgree(*store, subject.pith_number);

  ASSERT_TRUE(store->RemoveKey("registry-a").ok());
  ExpectReplaysAgree(*store, subject.pith_number);  // the replay meets the key change first: no verdict cached
  EXPECT_EQ(store->State(subject.pith_number)->canonical, untrusted->canonical);
  EXPECT_EQ(store->RemoveKey("pith-v1-2026-05").code(), Status::Code::kNotFound);  // a default
}

// The property: any arrival order, any batching, duplicates included, any form of each arrival
// (parsed, or bytes alone, canonical or not), gives after every batch the state a from-scratch merge
// of the events so far gives, and the same final state.
TEST_F(StoreTest, RandomAppendOrdersEqualFromScratchMerges) {
  SigningKey registry = testing::FixedKey("registry-b");
  SigningKey stranger = testing::FixedKey("stranger");
  TrustedKeys keys = TrustedKeys::Defaults();
  ASSERT_TRUE(keys.AddFromJson(registry.public_entry).ok());
  std::mt19937_64 rng(20261125);
  constexpr int kStores = 10, kSubjectsPerStore = 100;  // 1,000 random append orders
  size_t batches_checked = 0, hashes_checked = 0, incremental = 0, full_merges = 0;
  for (int s = 0; s < kStores; ++s) {
    fs::remove_all(dir_);
    auto store = OpenStore();
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    std::vector<testing::GeneratedSubject> subjects;
    std::vector<std::pair<size_t, json::Value>> arrivals;  // (subject index, event)
    for (int i = 0; i < kSubjectsPerStore; ++i) {
      subjects.push_back(testing::MakeSubject(s * kSubjectsPerStore + i, 4 + rng() % 12, registry, stranger, rng));
      for (const json::Value& e : subjects.back().events) {
        arrivals.emplace_back(i, e);
        if (rng() % 5 == 0) arrivals.emplace_back(i, e);  // a duplicate arrival
      }
    }
    std::shuffle(arrivals.begin(), arrivals.end(), rng);
    std::vector<std::vector<json::Value>> seen(subjects.size());
    size_t next = 0;
    while (next < arrivals.size()) {
      size_t batch = 1 + rng() % 40;
      std::vector<IncomingEvent> incoming;
      std::set<size_t> touched;
      for (; batch > 0 && next < arrivals.size(); --batch, ++next) {
        auto& [i, e] = arrivals[next];
        incoming.push_back(InForm(static_cast<int>(rng() % 3), subjects[i].pith_number, e));
        seen[i].push_back(e);
        touched.insert(i);
      }
      auto summary = store->Append(incoming);
      ASSERT_TRUE(summary.ok()) << summary.status().ToString();
      incremental += summary->incremental;
      full_merges += summary->full_merges;
      ASSERT_EQ(summary->state_sha256.size(), summary->subjects.size());
      ASSERT_LE(summary->subjects.size(), touched.size());  // a subject only sent copies is not touched
      for (size_t i : touched) {
        auto cached = store->State(subjects[i].pith_number);
        auto scratch = Merge(subjects[i].pith_number, seen[i], keys, {});
        ASSERT_TRUE(cached.ok() && scratch.ok());
        ASSERT_EQ(cached->canonical, scratch->canonical) << "store " << s << " subject " << i;
        // The summary tells each touched subject's new state_sha256 (subjects are sorted).
        const size_t at = std::lower_bound(summary->subjects.begin(), summary->subjects.end(), subjects[i].pith_number) -
                          summary->subjects.begin();
        if (at < summary->subjects.size() && summary->subjects[at] == subjects[i].pith_number) {
          EXPECT_EQ(summary->state_sha256[at], scratch->state_sha256) << "store " << s << " subject " << i;
          ++hashes_checked;
        }
        ++batches_checked;
      }
    }
    auto problems = store->Check();
    ASSERT_TRUE(problems.ok());
    EXPECT_TRUE(problems->empty()) << problems->front();
  }
  std::cout << kStores * kSubjectsPerStore << " random append orders, " << batches_checked
            << " intermediate states, all equal to from-scratch merges (" << incremental
            << " documents merged incrementally, " << full_merges << " full merges of a subject)\n";
  EXPECT_GT(incremental, 0u);
  EXPECT_GT(full_merges, 0u);
  EXPECT_GT(hashes_checked, batches_checked / 2);
}

TEST_F(StoreTest, SequenceListsEveryAppendOnce) {
  SigningKey registry = testing::FixedKey("registry-c");
  std::mt19937_64 rng(3);
  auto subject = testing::MakeSubject(3, 12, registry, testing::FixedKey("stranger"), rng);
  auto store = OpenStore();
  ASSERT_TRUE(store->Append(Incoming(subject.pith_number, subject.events)).ok());
  std::set<std::string> docs;
  uint64_t last = 0;
  ASSERT_TRUE(store->ReadSince(0, [&](uint64_t seq, const std::string& s, const std::string& doc) {
                EXPECT_EQ(s, subject.pith_number);
                EXPECT_GT(seq, last);
                last = seq;
                docs.insert(doc);
                return Status::OK();
              }).ok());
  auto log = store->Log(subject.pith_number);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(docs.size(), log->size());
  EXPECT_EQ(last, store->LastSequence());
}

TEST_F(StoreTest, ReadersRunWhileOneWriterAppends) {
  SigningKey registry = testing::FixedKey("registry-d");
  std::mt19937_64 rng(4);
  std::vector<testing::GeneratedSubject> subjects;
  for (int i = 0; i < 20; ++i) subjects.push_back(testing::MakeSubject(400 + i, 10, registry, testing::FixedKey("stranger"), rng));
  auto store = OpenStore();
  ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
  ASSERT_TRUE(store->Append(Incoming(subjects[0].pith_number, subjects[0].events)).ok());
  std::atomic<bool> done{false};
  std::atomic<size_t> reads{0}, failures{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        auto state = store->State(subjects[0].pith_number);
        auto log = store->Log(subjects[0].pith_number);
        if (!state.ok() || !log.ok()) ++failures;
        ++reads;
      }
    });
  }
  for (size_t i = 1; i < subjects.size(); ++i) ASSERT_TRUE(store->Append(Incoming(subjects[i].pith_number, subjects[i].events)).ok());
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(failures, 0u);
  EXPECT_GT(reads, 0u);
}

// Bytes given alone (IncomingEvent::FromBytes) append exactly as their parse does: the same log,
// verdicts and states, whether the store reads them in place (canonical) or parses them; the bytes
// are kept verbatim; bytes that are not JSON fail the append, naming the event, and write nothing.
TEST_F(StoreTest, EventsGivenAsBytesAppendAsParsedOnesDo) {
  SigningKey registry = testing::FixedKey("registry-f");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(6);
  const std::vector<testing::GeneratedSubject> subjects = MakeSubjects(8, 700, 5, registry, stranger, rng);
  // Documents no event has the shape of: section 3 calls them malformed whichever way they came.
  const std::vector<json::Value> odd = {json::Value::String("not an event"), json::Value::Array({}),
                                        json::Value::Object({{"event_id", json::Value::String("x")}})};
  std::vector<std::string> form_bytes[kForms];
  for (int form = 0; form < kForms; ++form) {
    fs::remove_all(dir_);
    auto store = OpenStore();
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    std::vector<IncomingEvent> first, second;  // the second batch extends the first: incremental steps
    for (const auto& subject : subjects) {
      for (size_t k = 0; k < subject.events.size(); ++k) {
        (k < subject.events.size() / 2 ? first : second).push_back(InForm(form, subject.pith_number, subject.events[k]));
      }
    }
    for (const json::Value& d : odd) first.push_back(InForm(form, subjects[0].pith_number, d));
    ASSERT_TRUE(store->Append(first).ok());
    auto summary = store->Append(second);
    ASSERT_TRUE(summary.ok());
    EXPECT_GT(summary->incremental, 0u);
    std::string all;
    for (const auto& subject : subjects) {
      auto state = store->State(subject.pith_number);
      ASSERT_TRUE(state.ok());
      all += state->canonical;
      auto log = store->Log(subject.pith_number);
      ASSERT_TRUE(log.ok());
      for (const LogRecord& r : *log) all += r.document_sha256 + r.verdict + r.event_type + ",";
      ExpectReplaysAgree(*store, subject.pith_number);
    }
    form_bytes[form].push_back(all);
    // The bytes as given, verbatim.
    auto raw = store->RawDocuments(subjects[1].pith_number);
    ASSERT_TRUE(raw.ok());
    ASSERT_EQ(raw->size(), subjects[1].events.size());
    for (size_t k = 0; k < raw->size(); ++k) EXPECT_EQ((*raw)[k], InForm(form, "", subjects[1].events[k]).bytes());
    auto problems = store->Check();
    ASSERT_TRUE(problems.ok());
    EXPECT_TRUE(problems->empty()) << problems->front();

    // Not JSON: refused whole, nothing written.
    const uint64_t before = store->LastSequence();
    std::vector<IncomingEvent> bad = {InForm(form, "pith:bad", odd[0]), IncomingEvent::FromBytes("pith:bad", "{\"a\":")};
    auto refused = store->Append(bad);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), Status::Code::kInvalidInput);
    EXPECT_NE(refused.status().message().find("event 1 of the append (subject pith:bad)"), std::string::npos)
        << refused.status().ToString();
    EXPECT_EQ(store->LastSequence(), before);
    EXPECT_FALSE(store->Prepare(bad).ok());
    auto scanned = store->Append({IncomingEvent::FromCanonical("pith:bad", std::make_shared<const json::CanonicalDocument>("{\"a\":"))});
    ASSERT_FALSE(scanned.ok());
    EXPECT_EQ(scanned.status().code(), Status::Code::kInvalidInput);
    EXPECT_EQ(store->LastSequence(), before);
  }
  for (int form = 1; form < kForms; ++form) EXPECT_EQ(form_bytes[form], form_bytes[0]) << "form " << form;
  // The forms were what they claim: canonical bytes are proven so, the others are not.
  const std::string canonical = json::Canonical(subjects[0].events[0]);
  EXPECT_TRUE(json::CanonicalText(InForm(1, "", subjects[0].events[0]).raw).proven());
  EXPECT_FALSE(json::CanonicalText(InForm(2, "", subjects[0].events[0]).raw).proven());
  EXPECT_NE(InForm(2, "", subjects[0].events[0]).raw, canonical);
  EXPECT_TRUE(InForm(3, "", subjects[0].events[0]).canonical->proof().proven());
  EXPECT_TRUE(InForm(3, "", subjects[0].events[0]).raw.empty());
  EXPECT_FALSE(InForm(4, "", subjects[0].events[0]).canonical->proof().proven());
}

// One scanned document given for many subjects in one append is read by two threads at once (the
// store checks events in parallel, 16 at a time): its escaped strings are decoded on first read,
// under a lock (run under TSan in CI). Every event gets the verdict the document has.
TEST_F(StoreTest, OneScannedDocumentSharedByManyEventsIsReadOnTwoThreads) {
  SigningKey registry = testing::FixedKey("registry-s");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(9);
  const std::vector<testing::GeneratedSubject> subjects = MakeSubjects(1, 900, 3, registry, stranger, rng);
  std::string bytes = json::Canonical(subjects[0].events[0]);
  // Its key ids now end in U+0001, which canon escapes: every read of them decodes.
  const std::string key_id = "\"" + registry.key_id + "\"";
  size_t replaced = 0;
  for (size_t at = bytes.find(key_id); at != std::string::npos; at = bytes.find(key_id, at + 1), ++replaced) {
    bytes.replace(at, key_id.size(), "\"" + registry.key_id + "\\u0001\"");
  }
  ASSERT_GE(replaced, 2u);
  auto shared = std::make_shared<const json::CanonicalDocument>(bytes);
  ASSERT_TRUE(shared->proof().proven());
  constexpr size_t kEvents = 64;
  for (int round = 0; round < 5; ++round) {
    fs::remove_all(dir_);
    StoreOptions options;
    options.threads = 2;
    auto store = OpenStore(options);
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    std::vector<IncomingEvent> events;
    for (size_t k = 0; k < kEvents; ++k) events.push_back(IncomingEvent::FromCanonical("pith:shared-" + std::to_string(k), shared));
    auto summary = store->Append(events);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->added, kEvents);
    EXPECT_EQ(summary->invalid, kEvents);  // an unknown key id, and the wrong subject
    auto first = store->Log("pith:shared-0"), last = store->Log("pith:shared-" + std::to_string(kEvents - 1));
    ASSERT_TRUE(first.ok() && last.ok());
    ASSERT_EQ(first->size(), 1u);
    ASSERT_EQ(last->size(), 1u);
    EXPECT_EQ((*first)[0].document_sha256, (*last)[0].document_sha256);
    EXPECT_EQ((*first)[0].verdict, (*last)[0].verdict);
    // Stored in every subject's log, found by its hash once: `check` finds nothing amiss.
    auto problems = store->Check();
    ASSERT_TRUE(problems.ok());
    EXPECT_TRUE(problems->empty()) << problems->front();
  }
  // `events` names the document's first log entry, though the batch held it 64 times.
  const Digest hash = Sha256(shared->bytes());
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [&](rocksdb::DB* db, const testing::RawFamilies& families) {
    std::string place;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), families.at("events"),
                        std::string(reinterpret_cast<const char*>(hash.data()), hash.size()), &place).ok());
    EXPECT_EQ(place, storage_internal::LogKey(storage_internal::SubjectPrefix("pith:shared-0"), 0, storage_internal::kEntryTag));
  }));
}

// Prepare and Commit: batches prepared side by side (one on another thread while the other
// commits, as ingest does) and committed in order give what appending them in order gives, byte
// for byte; overlaps between them become duplicates; a key added between Prepare and Commit is
// used (the checks are redone); a preparation belongs to its store.
TEST_F(StoreTest, PreparedAppendsCommitAsAppendsDo) {
  SigningKey registry = testing::FixedKey("registry-e");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(5);
  const std::vector<testing::GeneratedSubject> subjects = MakeSubjects(12, 500, 6, registry, stranger, rng);
  // Three overlapping batches: the second repeats part of the first.
  std::vector<std::vector<IncomingEvent>> batches(3);
  for (size_t i = 0; i < subjects.size(); ++i) {
    for (size_t k = 0; k < subjects[i].events.size(); ++k) {
      const json::Value& e = subjects[i].events[k];
      IncomingEvent incoming{subjects[i].pith_number, json::Canonical(e), e};
      batches[(i + k) % 3].push_back(incoming);
      if (k % 4 == 0) batches[1].push_back(incoming);
    }
  }
  auto store_bytes = [&](Store& store) {
    std::string all = StatesOf(store, subjects);
    for (const auto& subject : subjects) {
      auto log = store.Log(subject.pith_number);
      EXPECT_TRUE(log.ok());
      if (log.ok()) {
        for (const LogRecord& r : *log) all += r.document_sha256 + r.verdict + ",";
      }
    }
    return all;
  };
  std::string appended;
  AppendSummary appended_totals;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    for (const auto& batch : batches) {
      auto summary = store->Append(batch);
      ASSERT_TRUE(summary.ok());
      appended_totals.added += summary->added;
      appended_totals.duplicates += summary->duplicates;
    }
    appended = store_bytes(*store);
  }
  fs::remove_all(dir_);
  auto store = OpenStore();
  ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
  // The first two are prepared before either commits (the second repeats part of the first, which
  // it can only find out at its commit); the third is prepared on another thread while the first
  // commits.
  auto first = store->Prepare(batches[0]);
  auto second = store->Prepare(batches[1]);
  ASSERT_TRUE(first.ok() && second.ok());
  Result<PreparedAppend> third = Status::Internal("not prepared");
  std::thread preparer([&] { third = store->Prepare(batches[2]); });
  auto first_summary = store->Commit(std::move(*first));
  preparer.join();
  ASSERT_TRUE(first_summary.ok() && third.ok());
  auto second_summary = store->Commit(std::move(*second));
  ASSERT_TRUE(second_summary.ok());
  EXPECT_GT(second_summary->duplicates, 0u);
  auto third_summary = store->Commit(std::move(*third));
  ASSERT_TRUE(third_summary.ok());
  EXPECT_EQ(first_summary->added + second_summary->added + third_summary->added, appended_totals.added);
  EXPECT_EQ(first_summary->duplicates + second_summary->duplicates + third_summary->duplicates,
            appended_totals.duplicates);
  EXPECT_EQ(store_bytes(*store), appended);
  auto problems = store->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();

  // Prepared before the key that signs it is trusted, committed after: the key counts.
  SigningKey late = testing::FixedKey("registry-late");
  auto late_subject = testing::MakeSubject(600, 8, late, stranger, rng);
  auto prepared = store->Prepare(Incoming(late_subject.pith_number, late_subject.events));
  ASSERT_TRUE(prepared.ok());
  ASSERT_TRUE(store->AddKey(late.public_entry).ok());
  auto late_summary = store->Commit(std::move(*prepared));
  ASSERT_TRUE(late_summary.ok());
  auto late_log = store->Log(late_subject.pith_number);  // before any read refreshes the verdicts
  ASSERT_TRUE(late_log.ok());
  for (const LogRecord& r : *late_log) EXPECT_NE(r.verdict, "not yet verified under the current keys");
  TrustedKeys keys = store->trusted_keys();
  auto expected = Merge(late_subject.pith_number, late_subject.events, keys, {});
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(store->State(late_subject.pith_number)->canonical, expected->canonical);
  EXPECT_NE(expected->Object()->Find("valid_event_count")->text(), "0");
  ExpectReplaysAgree(*store, late_subject.pith_number);

  // A preparation is committed only to its own store.
  const fs::path other_dir = dir_.string() + "-other";
  fs::remove_all(other_dir);
  {
    auto other = Store::Open(other_dir.string(), {});
    ASSERT_TRUE(other.ok());
    auto foreign = (*other)->Prepare(batches[0]);
    ASSERT_TRUE(foreign.ok());
    auto refused = store->Commit(std::move(*foreign));
    EXPECT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), Status::Code::kInvalidInput);
  }
  fs::remove_all(other_dir);
}

// Deferred commits (what `pith-merge ingest` does) write the log and leave states behind it; reads
// recompute a state behind its log, UpdateStates catches the rest up, and the store ends byte for
// byte as appends that update states in every batch leave it, ready for incremental appends.
TEST_F(StoreTest, DeferredCommitsLeaveStatesForUpdateStates) {
  SigningKey registry = testing::FixedKey("registry-f");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(6);
  const std::vector<testing::GeneratedSubject> subjects = MakeSubjects(12, 700, 6, registry, stranger, rng);
  // Every subject spread over three batches; each subject's last event held back for the end.
  std::vector<std::vector<IncomingEvent>> batches(3);
  std::vector<IncomingEvent> last_events;
  std::vector<std::string> names;
  for (size_t i = 0; i < subjects.size(); ++i) {
    names.push_back(subjects[i].pith_number);
    for (size_t k = 0; k < subjects[i].events.size(); ++k) {
      const json::Value& e = subjects[i].events[k];
      IncomingEvent incoming{subjects[i].pith_number, json::Canonical(e), e};
      if (k + 1 == subjects[i].events.size()) {
        last_events.push_back(incoming);
      } else {
        batches[(i + k) % 3].push_back(incoming);
      }
    }
  }
  std::string in_batch_bytes;
  AppendSummary in_batch_last;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    for (const auto& batch : batches) ASSERT_TRUE(store->Append(batch).ok());
    auto last = store->Append(last_events);
    ASSERT_TRUE(last.ok());
    in_batch_last = *last;
    in_batch_bytes = StatesOf(*store, subjects);
  }
  fs::remove_all(dir_);
  auto store = OpenStore();
  ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
  for (const auto& batch : batches) {
    auto prepared = store->Prepare(batch);
    ASSERT_TRUE(prepared.ok());
    auto summary = store->Commit(std::move(*prepared), StateUpdate::kDeferred);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_EQ(summary->added, batch.size());
    EXPECT_EQ(summary->deferred, summary->subjects.size());
    EXPECT_GT(summary->deferred, 0u);
    EXPECT_TRUE(summary->state_sha256.empty());
    EXPECT_EQ(summary->incremental + summary->full_merges, 0u);
  }
  // States behind their logs (or none yet) are no damage.
  auto problems = store->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
  // Reading a state behind its log recomputes it (and caches it): a third of the subjects here.
  TrustedKeys keys = store->trusted_keys();
  for (size_t i = 0; i < subjects.size(); i += 3) {
    std::vector<json::Value> so_far(subjects[i].events.begin(), subjects[i].events.end() - 1);
    auto expected = Merge(subjects[i].pith_number, so_far, keys, {});
    auto state = store->State(subjects[i].pith_number);
    ASSERT_TRUE(expected.ok() && state.ok());
    EXPECT_EQ(state->canonical, expected->canonical);
  }
  // UpdateStates writes the others (a subject named twice, or with no events, is no more work).
  std::vector<std::string> asked = names;
  asked.push_back(names[1]);
  asked.push_back("pith:2099:NOTSTORED");
  auto updated = store->UpdateStates(asked);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(*updated, subjects.size() - (subjects.size() + 2) / 3);
  auto again = store->UpdateStates(names);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  // Caught up, the next append steps incrementally exactly as it does after in-batch updates.
  auto last = store->Append(last_events);
  ASSERT_TRUE(last.ok());
  EXPECT_GT(last->incremental, 0u);
  EXPECT_EQ(last->incremental, in_batch_last.incremental);
  EXPECT_EQ(last->full_merges, in_batch_last.full_merges);
  EXPECT_EQ(last->state_sha256, in_batch_last.state_sha256);
  EXPECT_EQ(StatesOf(*store, subjects), in_batch_bytes);
  problems = store->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

// A state behind its log must still be the state of the events it says it covers: `check` merges
// those and compares (a snapshot made to claim fewer events than it holds is reported).
TEST_F(StoreTest, CheckComparesAStateBehindItsLogWithTheEventsItCovers) {
  SigningKey registry = testing::FixedKey("registry-g");
  std::mt19937_64 rng(7);
  auto subject = testing::MakeSubject(800, 12, registry, testing::FixedKey("stranger"), rng);
  const std::vector<json::Value> first(subject.events.begin(), subject.events.begin() + 6);
  const std::vector<json::Value> second(subject.events.begin() + 6, subject.events.begin() + 9);
  const std::vector<json::Value> third(subject.events.begin() + 9, subject.events.end());
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    ASSERT_TRUE(store->Append(Incoming(subject.pith_number, first)).ok());
    ASSERT_TRUE(store->Append(Incoming(subject.pith_number, second)).ok());
    auto prepared = store->Prepare(Incoming(subject.pith_number, third));
    ASSERT_TRUE(prepared.ok());
    ASSERT_TRUE(store->Commit(std::move(*prepared), StateUpdate::kDeferred).ok());
    auto problems = store->Check();
    ASSERT_TRUE(problems.ok());
    EXPECT_TRUE(problems->empty()) << problems->front();
  }
  // The snapshot (the state of 9 events) now claims to cover the first 6 only.
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [&](rocksdb::DB* db, const testing::RawFamilies& families) {
    std::string header;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), families.at("snapshots"), subject.pith_number, &header).ok());
    ASSERT_GE(header.size(), 8u);
    header.replace(0, 8, std::string("\0\0\0\0\0\0\0\x06", 8));  // covers: 8-byte big-endian
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("snapshots"), subject.pith_number, header).ok());
  }));
  auto store = OpenStore();
  auto problems = store->Check();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_NE(problems->front().find("behind the log, covering 6 events"), std::string::npos) << problems->front();
  // A read recomputes it regardless.
  TrustedKeys keys = store->trusted_keys();
  auto expected = Merge(subject.pith_number, subject.events, keys, {});
  auto state = store->State(subject.pith_number);
  ASSERT_TRUE(expected.ok() && state.ok());
  EXPECT_EQ(state->canonical, expected->canonical);
  problems = store->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

// A bulk load (StoreOptions::bulk_load, what `pith-merge ingest` does without --sync) writes no
// write-ahead log: what was flushed survives a crash (SIGKILL, no close), what was not is lost
// whole, the store stays consistent, and appending the same events again completes it. A clean
// close keeps everything.
TEST_F(StoreTest, BulkLoadIsDurableAtFlushAndConsistentAfterACrash) {
  SigningKey registry = testing::FixedKey("registry-h");
  SigningKey stranger = testing::FixedKey("stranger");
  std::mt19937_64 rng(11);
  std::vector<testing::GeneratedSubject> subjects = MakeSubjects(12, 900, 6, registry, stranger, rng);
  // Subjects 0-5 before the flush; 6-11 after it, with more events for subjects 0-2 (the second
  // half of theirs).
  std::vector<IncomingEvent> flushed, unflushed;
  std::vector<std::vector<json::Value>> before_crash(subjects.size());
  std::set<std::string> distinct_flushed, distinct;  // subject and bytes: what the log keeps once
  for (size_t i = 0; i < subjects.size(); ++i) {
    const auto& events = subjects[i].events;
    const size_t split = i < 3 ? events.size() / 2 : i < 6 ? events.size() : 0;
    for (size_t e = 0; e < events.size(); ++e) {
      (e < split ? flushed : unflushed).push_back(InForm(1, subjects[i].pith_number, events[e]));
      distinct.insert(LogKey(subjects[i].pith_number, events[e]));
      if (e < split) before_crash[i].push_back(events[e]);
      if (e < split) distinct_flushed.insert(LogKey(subjects[i].pith_number, events[e]));
    }
  }
  ASSERT_LT(distinct_flushed.size(), distinct.size());
  StoreOptions bulk;
  bulk.bulk_load = true;
  bulk.sync = true;
  ASSERT_EQ(Store::Open(dir_.string(), bulk).status().code(), Status::Code::kInvalidInput);
  bulk.sync = false;

  // A child process loads, flushes, adds a key (through the WAL), loads more and is killed.
  SigningKey later = testing::FixedKey("registry-h2");
  LoadThenCrash(bulk, [&](Store& store) {
    if (!store.AddKey(registry.public_entry).ok()) return 2;
    if (!store.Append(flushed).ok() || !store.Flush().ok()) return 3;
    if (!store.AddKey(later.public_entry).ok()) return 4;
    if (!store.Append(unflushed).ok()) return 5;
    return 0;
  });
  if (HasFailure()) return;

  TrustedKeys keys = TrustedKeys::Defaults();
  ASSERT_TRUE(keys.AddFromJson(registry.public_entry).ok());
  ASSERT_TRUE(keys.AddFromJson(later.public_entry).ok());
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    EXPECT_NE(store->trusted_keys().Find(later.key_id), nullptr) << "a key added after the flush is lost";
    EXPECT_EQ(store->LastSequence(), distinct_flushed.size());
    for (size_t i = 0; i < subjects.size(); ++i) {
      auto state = store->State(subjects[i].pith_number);
      if (before_crash[i].empty()) {
        EXPECT_EQ(state.status().code(), Status::Code::kNotFound) << "subject " << i;
        continue;
      }
      auto expected = Merge(subjects[i].pith_number, before_crash[i], keys, {});
      ASSERT_TRUE(state.ok() && expected.ok()) << "subject " << i;
      EXPECT_EQ(state->canonical, expected->canonical) << "subject " << i;
    }
    ExpectCheckFindsNothing(*store);
  }
  // Loading everything again in bulk adds what the crash lost; a clean close keeps it unflushed.
  {
    auto store = Store::Open(dir_.string(), bulk);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto again = (*store)->Append(flushed);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->added, 0u);
    auto rest = (*store)->Append(unflushed);
    ASSERT_TRUE(rest.ok());
    EXPECT_EQ(rest->added, distinct.size() - distinct_flushed.size());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastSequence(), distinct.size());
  ExpectStatesAreMerges(*store, subjects, keys);
}

// With a 64 KB memtable budget RocksDB flushes on its own between the small appends of a bulk
// load. A crash then keeps what those flushes wrote, of every family alike (atomic flush): the
// store passes Check, serves every state as a replay of its log, and takes the rest.
TEST_F(StoreTest, BulkLoadKeepsFamiliesTogetherWhenRocksDbFlushesOnItsOwn) {
  SigningKey registry = testing::FixedKey("registry-i");
  std::mt19937_64 rng(12);
  std::vector<testing::GeneratedSubject> subjects =
      MakeSubjects(16, 950, 8, registry, testing::FixedKey("stranger"), rng);
  std::vector<IncomingEvent> all;
  std::set<std::string> distinct;
  for (const auto& subject : subjects) {
    for (const json::Value& e : subject.events) {
      all.push_back(InForm(1, subject.pith_number, e));
      distinct.insert(LogKey(subject.pith_number, e));
    }
  }
  StoreOptions bulk;
  bulk.bulk_load = true;
  bulk.memtable_budget_bytes = 64u << 10;
  LoadThenCrash(bulk, [&](Store& store) {
    if (!store.AddKey(registry.public_entry).ok()) return 2;
    for (size_t at = 0; at < all.size(); at += 4) {
      std::vector<IncomingEvent> some(all.begin() + at, all.begin() + std::min(all.size(), at + 4));
      if (!store.Append(some).ok()) return 3;
    }
    return 0;
  });
  if (HasFailure()) return;
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    const uint64_t kept = store->LastSequence();
    std::cout << kept << " of " << distinct.size() << " events kept by RocksDB's own flushes\n";
    EXPECT_GT(kept, 0u) << "RocksDB never flushed on its own: the test tests nothing";
    EXPECT_LE(kept, distinct.size());
    size_t served = 0;
    for (const auto& subject : subjects) {
      auto state = store->State(subject.pith_number);
      if (!state.ok() && state.status().code() == Status::Code::kNotFound) continue;
      auto replay = store->Replay(subject.pith_number, /*reverify=*/true);
      ASSERT_TRUE(state.ok() && replay.ok()) << subject.pith_number;
      EXPECT_EQ(state->canonical, replay->canonical) << subject.pith_number;
      ++served;
    }
    EXPECT_GT(served, 0u);
    ExpectCheckFindsNothing(*store);
  }
  TrustedKeys keys = TrustedKeys::Defaults();
  ASSERT_TRUE(keys.AddFromJson(registry.public_entry).ok());
  {
    auto store = Store::Open(dir_.string(), bulk);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Append(all).ok());
    ASSERT_TRUE((*store)->Flush().ok());
    EXPECT_EQ((*store)->LastSequence(), distinct.size());
    ExpectStatesAreMerges(**store, subjects, keys);
  }
}

// The store's live table files (read-only: opening it so compacts nothing), each as its family,
// level and name: a compaction replaces some (the files it replaced may linger in the directory
// until RocksDB deletes them).
static std::vector<std::string> LiveTableFiles(const fs::path& dir) {
  std::vector<std::string> names;
  EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir.string(), &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status opened = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir.string(), descriptors, &handles, &raw);
  EXPECT_TRUE(opened.ok()) << opened.ToString();
  if (!opened.ok()) return {};
  std::vector<rocksdb::LiveFileMetaData> files;
  raw->GetLiveFilesMetaData(&files);
  std::vector<std::string> live;
  for (const auto& f : files) live.push_back(f.column_family_name + " L" + std::to_string(f.level) + " " + f.name);
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
  std::sort(live.begin(), live.end());
  return live;
}

// The most table files any one family has in level 0 (RocksDB compacts them from 4 on).
static size_t MostLevel0Files(const std::vector<std::string>& live) {
  std::map<std::string, size_t> per_family;
  for (const std::string& f : live) {
    if (f.find(" L0 ") != std::string::npos) ++per_family[f.substr(0, f.find(' '))];
  }
  size_t most = 0;
  for (const auto& [family, n] : per_family) most = std::max(most, n);
  return most;
}

TEST_F(StoreTest, ABriefOpenCompactsNothingAndWaitForCompactionsLeavesNothingDue) {
  SigningKey registry = testing::FixedKey("registry-c");
  std::mt19937_64 rng(31);
  const std::vector<testing::GeneratedSubject> subjects =
      MakeSubjects(12, 1200, 6, registry, testing::FixedKey("stranger"), rng);
  TrustedKeys keys = TrustedKeys::Defaults();
  ASSERT_TRUE(keys.AddFromJson(registry.public_entry).ok());
  StoreOptions brief;
  brief.background_compaction = false;
  size_t flushes = 0;
  {
    // Batch k holds the k-th event of every subject, and each is flushed: each family gets a table
    // file in level 0 per batch (at least 6, where RocksDB compacts from 4), and their key ranges
    // overlap, so that compacting them rewrites them (files that do not overlap are only moved
    // down a level, at once).
    auto store = OpenStore(brief);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->AddKey(registry.public_entry).ok());
    for (size_t k = 0;; ++k) {
      std::vector<IncomingEvent> batch;
      for (const auto& subject : subjects) {
        if (k < subject.events.size()) batch.push_back(Incoming(subject.pith_number, {subject.events[k]})[0]);
      }
      if (batch.empty()) break;
      ASSERT_TRUE(store->Append(batch).ok());
      ASSERT_TRUE(store->Flush().ok());
      ++flushes;
    }
  }
  const std::vector<std::string> loaded = LiveTableFiles(dir_);
  ASSERT_EQ(MostLevel0Files(loaded), flushes) << "the flushes did not make the files the test needs";
  {
    auto store = OpenStore(brief);
    ASSERT_NE(store, nullptr);
    ExpectStatesAreMerges(*store, subjects, keys);
  }
  EXPECT_EQ(LiveTableFiles(dir_), loaded) << "a brief open compacted (or flushed) the store";
  {
    // Opened briefly, then asked to compact, and closed at once.
    auto store = OpenStore(brief);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->WaitForCompactions().ok());
  }
  EXPECT_LT(MostLevel0Files(LiveTableFiles(dir_)), 4u) << "WaitForCompactions returned with level 0 still due";
  auto store = OpenStore(brief);
  ASSERT_NE(store, nullptr);
  ExpectStatesAreMerges(*store, subjects, keys);
}

TEST_F(StoreTest, WaitForCompactionsReturnsOnceNothingIsDue) {
  // Six flushes of 40 documents of 256 KB each (random bytes, which LZ4 cannot shrink), under
  // subjects whose keys interleave, so that compacting level 0 rewrites about 60 MB: long enough
  // (0.2 s and more) to outlast turning compaction on (RocksDB writes its options file for each
  // family), which took as long as compacting 15 MB.
  EventLogOptions brief;
  brief.background_compaction = false;
  std::mt19937_64 rng(5);
  std::vector<std::string> documents;
  {
    auto log = EventLog::Open(dir_.string(), brief);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int flush = 0; flush < 6; ++flush) {
      std::vector<LogAppend> appends;
      for (int s = 0; s < 40; ++s) {
        std::string raw(256u << 10, '\0');
        for (char& c : raw) c = static_cast<char>(rng());
        documents.push_back(raw);
        LogAppend a;
        a.subject = "subject-" + std::to_string(s);
        a.document_hash = Sha256(documents.back());
        a.raw = documents.back();
        appends.push_back(std::move(a));
      }
      ASSERT_TRUE((*log)->Append(appends, {}).ok());
      ASSERT_TRUE((*log)->Flush().ok());
    }
  }
  ASSERT_EQ(MostLevel0Files(LiveTableFiles(dir_)), 6u);
  {
    auto log = EventLog::Open(dir_.string(), brief);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    auto pending = (*log)->CompactionsPending();
    ASSERT_TRUE(pending.ok() && *pending) << "nothing to compact: the test tests nothing";
    ASSERT_TRUE((*log)->WaitForCompactions().ok());
    pending = (*log)->CompactionsPending();
    ASSERT_TRUE(pending.ok());
    EXPECT_FALSE(*pending) << "WaitForCompactions returned with a compaction due or running";
  }
  EXPECT_LT(MostLevel0Files(LiveTableFiles(dir_)), 4u) << "WaitForCompactions returned with level 0 still due";
  auto log = EventLog::Open(dir_.string(), brief);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  size_t read = 0;
  for (int s = 0; s < 40; ++s) {
    ASSERT_TRUE((*log)->ScanSubject("subject-" + std::to_string(s), [&](const SubjectEntry& e) {
      EXPECT_EQ(e.document, documents[e.position * 40 + s]);
      ++read;
      return Status::OK();
    }).ok());
  }
  EXPECT_EQ(read, documents.size());
}

}  // namespace
}  // namespace pith
