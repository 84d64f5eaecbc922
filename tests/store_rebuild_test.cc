// Store::Rebuild, the repair `check` points to: what the store keeps beside a subject's log (tail
// pieces, state items, event records, verdicts) damaged on disk is recomputed from the log alone,
// other subjects are left as they are, and appends go on from it; a damaged log is refused
// with nothing written.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "key_layout.h"
#include "pith/hash.h"
#include "pith/merge.h"
#include "pith/store.h"
#include "support/raw_rocksdb.h"
#include "support/store_fixture.h"
#include "support/test_events.h"

namespace pith {
namespace {

class StoreRebuildTest : public testing::StoreFixture {
 protected:
  StoreRebuildTest() : StoreFixture("rebuild") {}
  void SetUp() override {
    StoreFixture::SetUp();
    std::mt19937_64 rng(5);
    for (int i = 0; i < 2; ++i) subjects_.push_back(testing::MakeSubject(20 + i, 40, registry_, stranger_, rng));
    for (const auto& s : subjects_) ASSERT_TRUE(Append(s.pith_number, s.events).ok());
  }

  Result<AppendSummary> Append(const std::string& subject, const std::vector<json::Value>& events) {
    std::vector<IncomingEvent> incoming;
    for (const json::Value& e : events) incoming.push_back({subject, json::Canonical(e), e});
    return store_->Append(incoming);
  }
  // The subject's state merged from scratch from `events`.
  std::string Scratch(const testing::GeneratedSubject& s, const std::vector<json::Value>& events) {
    auto merged = Merge(s.pith_number, events, keys_, {});
    EXPECT_TRUE(merged.ok());
    return merged.ok() ? merged->canonical : "";
  }
  // With the store closed, runs `fn` on its RocksDB and reopens the store.
  void Damage(const std::function<void(rocksdb::DB*, const testing::RawFamilies&)>& fn) {
    store_.reset();
    ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), fn));
    Open();
  }

  std::vector<testing::GeneratedSubject> subjects_;
};

// Every key of family `name` under the subject's prefix.
std::vector<std::string> KeysOf(rocksdb::DB* db, const testing::RawFamilies& families, const std::string& name,
                                const std::string& subject) {
  const std::string prefix = storage_internal::SubjectPrefix(subject);
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families.at(name)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) keys.push_back(it->key().ToString());
  return keys;
}

TEST_F(StoreRebuildTest, DerivedDataDamagedOnDiskIsRecomputedFromTheLog) {
  const testing::GeneratedSubject& damaged = subjects_[0];
  const testing::GeneratedSubject& intact = subjects_[1];
  auto intact_before = store_->State(intact.pith_number);
  ASSERT_TRUE(intact_before.ok());

  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    const rocksdb::WriteOptions w;
    auto pieces = KeysOf(db, families, "state_tail", damaged.pith_number);
    ASSERT_FALSE(pieces.empty());
    ASSERT_TRUE(db->Delete(w, families.at("state_tail"), pieces.front()).ok());
    ASSERT_TRUE(db->Put(w, families.at("state_tail"), pieces.back() + std::string(1, '\x01'), "stray piece").ok());
    auto items = KeysOf(db, families, "state_items", damaged.pith_number);
    ASSERT_FALSE(items.empty());
    ASSERT_TRUE(db->Put(w, families.at("state_items"), items.front(), "not a count").ok());
    // Event records: the subject log's keys with tag 0 (each just before its log entry, tag 1).
    std::vector<std::string> records;
    for (const std::string& key : KeysOf(db, families, "subject_log", damaged.pith_number)) {
      if (key.back() == storage_internal::kRecordTag) records.push_back(key);
    }
    ASSERT_GE(records.size(), 3u);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), families.at("subject_log"), records[2], &value).ok());
    ASSERT_TRUE(db->Put(w, families.at("subject_log"), records[2], value.substr(0, 32) + "garbage").ok());
    // Two stray ones: at the position after the log's last, and a key of no record's length.
    const std::string prefix = storage_internal::SubjectPrefix(damaged.pith_number);
    ASSERT_TRUE(db->Put(w, families.at("subject_log"), storage_internal::LogKey(prefix, records.size(), storage_internal::kRecordTag),
                        value).ok());
    ASSERT_TRUE(db->Put(w, families.at("subject_log"), records[1] + std::string(1, storage_internal::kRecordTag), value).ok());
    // Every cached verdict says bad_signature (verdict keys are not per subject: both subjects').
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), families.at("verdicts")));
    std::vector<std::string> verdicts;
    for (it->SeekToFirst(); it->Valid(); it->Next()) verdicts.push_back(it->key().ToString());
    it.reset();
    for (const std::string& k : verdicts) ASSERT_TRUE(db->Put(w, families.at("verdicts"), k, "bad_signature").ok());
  });
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  ASSERT_FALSE(problems->empty());
  // Each well-formed event's damaged verdict is named, with what re-verification says.
  const size_t verdicts_named = std::count_if(problems->begin(), problems->end(), [](const std::string& p) {
    return p.find(": cached verdict of event ") != std::string::npos &&
           p.find(" is \"bad_signature\", re-verification says \"\"") != std::string::npos;
  });
  EXPECT_GT(verdicts_named, 0u) << problems->front();
  EXPECT_FALSE(store_->State(damaged.pith_number).ok());  // refused as corrupt, never served

  auto rebuilt = store_->Rebuild(damaged.pith_number);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  EXPECT_EQ(rebuilt->canonical, Scratch(damaged, damaged.events));
  auto state = store_->State(damaged.pith_number);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->canonical, rebuilt->canonical);
  // The other subject's state is untouched; its damaged verdicts are still reported until it too
  // is rebuilt, and then nothing is.
  auto intact_after = store_->State(intact.pith_number);
  ASSERT_TRUE(intact_after.ok());
  EXPECT_EQ(intact_after->canonical, intact_before->canonical);
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  for (const std::string& p : *problems) EXPECT_EQ(p.find(damaged.pith_number), std::string::npos) << p;
  ASSERT_TRUE(store_->Rebuild(intact.pith_number).ok());
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();

  // What appends start from was rebuilt too: more events of the subject (some new chains, some
  // naming events it never got) land on the rebuilt state as on a from-scratch one.
  std::vector<json::Value> all = damaged.events;
  std::mt19937_64 rng(9);
  testing::GeneratedSubject more = testing::MakeSubject(20, 48, registry_, stranger_, rng);
  ASSERT_EQ(more.pith_number, damaged.pith_number);
  std::vector<json::Value> next(more.events.begin() + static_cast<long>(std::min(more.events.size(), all.size())), more.events.end());
  ASSERT_FALSE(next.empty());
  ASSERT_TRUE(Append(damaged.pith_number, next).ok());
  all.insert(all.end(), next.begin(), next.end());
  auto appended = store_->State(damaged.pith_number);
  ASSERT_TRUE(appended.ok());
  EXPECT_EQ(appended->canonical, Scratch(damaged, all));
  Open();  // and as read back after reopening
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

TEST_F(StoreRebuildTest, RebuildsBesideAppendsLeaveEverySubjectWhole) {
  // Rebuild computes without the writer lock and writes only if the subject's log is as it was.
  // Each subject is rebuilt once while another thread appends the rest of its events, and never
  // again: a later rebuild would mend what a stale one wrote (a Rebuild that wrote without looking
  // left event records missing here in every run tried). No record may be missing, no state
  // behind, and check must find nothing.
  std::mt19937_64 rng(9);
  constexpr size_t kFirst = 5;
  std::vector<testing::GeneratedSubject> growing;
  for (int i = 0; i < 8; ++i) {
    growing.push_back(testing::MakeSubject(60 + i, 25, registry_, stranger_, rng));
    const auto& s = growing.back();
    ASSERT_TRUE(Append(s.pith_number, std::vector<json::Value>(s.events.begin(), s.events.begin() + kFirst)).ok());
    std::atomic<bool> rebuilding{false};
    std::thread appender([&] {
      while (!rebuilding) std::this_thread::yield();
      for (size_t k = kFirst; k < s.events.size(); ++k) EXPECT_TRUE(Append(s.pith_number, {s.events[k]}).ok());
    });
    rebuilding = true;
    auto state = store_->Rebuild(s.pith_number);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    appender.join();
  }
  // Then all of them side by side, as `rebuild --all` runs them.
  std::vector<std::thread> rebuilders;
  for (size_t t = 0; t < 2; ++t) {
    rebuilders.emplace_back([&, t] {
      for (size_t i = t; i < growing.size(); i += 2) {
        auto state = store_->Rebuild(growing[i].pith_number);
        EXPECT_TRUE(state.ok() && state->canonical == Scratch(growing[i], growing[i].events)) << growing[i].pith_number;
      }
    });
  }
  for (std::thread& r : rebuilders) r.join();
  for (const auto& s : growing) {
    auto state = store_->State(s.pith_number);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    EXPECT_EQ(state->canonical, Scratch(s, s.events)) << s.pith_number;
  }
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

TEST_F(StoreRebuildTest, DamagedLogIsRefusedWithNothingWritten) {
  const testing::GeneratedSubject& s = subjects_[0];
  auto before = store_->State(s.pith_number);
  ASSERT_TRUE(before.ok());
  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    // The first log entry keeps its hash and sequence (40 bytes) but holds another document.
    const std::string entry = storage_internal::LogKey(storage_internal::SubjectPrefix(s.pith_number), 0, storage_internal::kEntryTag);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), families.at("subject_log"), entry, &value).ok());
    ASSERT_GT(value.size(), 40u);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("subject_log"), entry, value.substr(0, 40) + "{\"not\":\"the event\"}").ok());
  });
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  // Found in the subject's own log (re-hashed there).
  EXPECT_TRUE(std::any_of(problems->begin(), problems->end(), [&](const std::string& p) {
    return p.rfind(s.pith_number + ": stored event", 0) == 0 && p.find("now hashes to") != std::string::npos;
  }));
  auto rebuilt = store_->Rebuild(s.pith_number);
  ASSERT_FALSE(rebuilt.ok());
  EXPECT_EQ(rebuilt.status().code(), Status::Code::kCorruption);
  EXPECT_NE(rebuilt.status().message().find(s.pith_number), std::string::npos) << rebuilt.status().ToString();
  auto after = store_->State(s.pith_number);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->canonical, before->canonical);
  EXPECT_EQ(store_->Rebuild("pith:2099:NOSUCHSUBJECT").status().code(), Status::Code::kNotFound);
}

// `events` finds a document by its hash (export, polling, `check`): an entry lost or pointing at
// something other than a log entry is reported by `check` and indexed again by `rebuild`; replays
// never need it.
TEST_F(StoreRebuildTest, AnEventsEntryLostOrMisdirectedIsReportedByCheck) {
  const testing::GeneratedSubject& s = subjects_[0];
  const Digest lost = Sha256(json::Canonical(s.events[0]));
  const Digest misdirected = Sha256(json::Canonical(s.events[1]));
  auto as_key = [](const Digest& d) { return std::string(reinterpret_cast<const char*>(d.data()), d.size()); };
  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), families.at("events"), as_key(lost)).ok());
    // The record's key beside the entry: its value also starts with the document's hash.
    const std::string record = storage_internal::LogKey(storage_internal::SubjectPrefix(s.pith_number), 1, storage_internal::kRecordTag);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("events"), as_key(misdirected), record).ok());
  });
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  auto reported = [&](const Digest& d, std::string_view what) {  // by the subject's own check
    for (const std::string& p : *problems) {
      if (p.rfind(s.pith_number + ": ", 0) == 0 && p.find(DigestHex(d)) != std::string::npos && p.find(what) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(reported(lost, "not in `events`"));
  EXPECT_TRUE(reported(misdirected, "indexed at no log entry"));
  auto state = store_->State(s.pith_number);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->canonical, Scratch(s, s.events));
  // Rebuild indexes both again (`events` is derived from the log).
  auto rebuilt = store_->Rebuild(s.pith_number);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
  auto after = store_->Check();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty()) << after->front();
}

// An `events` entry of a document that no log holds belongs to no subject, so no subject's rebuild
// reaches it: check reports each damaged entry (the scan goes on past the first), and the repair of
// the whole index points entries of logged documents at their log entry again and removes the rest.
TEST_F(StoreRebuildTest, TheIndexRepairRemovesEntriesOfDocumentsInNoLog) {
  const testing::GeneratedSubject& s = subjects_[1];
  const Digest orphan_a = Sha256("a document no log holds");
  const Digest orphan_b = Sha256("another document no log holds");
  const Digest misdirected = Sha256(json::Canonical(s.events[3]));
  auto as_key = [](const Digest& d) { return std::string(reinterpret_cast<const char*>(d.data()), d.size()); };
  const std::string prefix = storage_internal::SubjectPrefix(s.pith_number);
  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    rocksdb::ColumnFamilyHandle* events = families.at("events");
    // A log entry of another document, a log entry that does not exist, a key that is no hash, and
    // a logged document indexed at its record's key.
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events, as_key(orphan_a), storage_internal::LogKey(prefix, 2, storage_internal::kEntryTag)).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events, as_key(orphan_b), storage_internal::LogKey(prefix, 9999, storage_internal::kEntryTag)).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events, "short", storage_internal::LogKey(prefix, 0, storage_internal::kEntryTag)).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events, as_key(misdirected), storage_internal::LogKey(prefix, 3, storage_internal::kRecordTag)).ok());
  });
  const std::string before = Scratch(s, s.events);
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  auto reported = [&](const std::vector<std::string>& list, std::string_view what) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& p) { return p.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(reported(*problems, DigestHex(orphan_a) + " is indexed at a log entry of another document"));
  EXPECT_TRUE(reported(*problems, DigestHex(orphan_b) + " is indexed at a log entry that does not exist"));
  EXPECT_TRUE(reported(*problems, "an `events` key of 5 bytes is no document hash"));
  EXPECT_TRUE(reported(*problems, DigestHex(misdirected) + " is indexed at no log entry"));
  // Rebuilding every subject mends the logged document's entry, not the others.
  for (const auto& subject : subjects_) ASSERT_TRUE(store_->Rebuild(subject.pith_number).ok());
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(reported(*problems, DigestHex(orphan_a)));
  EXPECT_FALSE(reported(*problems, DigestHex(misdirected)));
  // Damaged again, the index repair alone mends it too.
  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("events"), as_key(misdirected),
                        storage_internal::LogKey(prefix, 3, storage_internal::kRecordTag)).ok());
  });
  auto repaired = store_->RepairEventIndex();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->reindexed, 1u);
  EXPECT_EQ(repaired->removed, 3u);
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
  auto again = store_->RepairEventIndex();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reindexed + again->removed, 0u);
  auto state = store_->State(s.pith_number);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->canonical, before);
  // The re-indexed entry names the log entry holding the document (position 3 of its subject).
  store_.reset();
  ASSERT_TRUE(testing::WithRawRocksDb(dir_.string(), [&](rocksdb::DB* db, const testing::RawFamilies& families) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), families.at("events"), as_key(misdirected), &value).ok());
    EXPECT_EQ(value, storage_internal::LogKey(prefix, 3, storage_internal::kEntryTag));
  }));
  Open();
}

// Check runs subjects side by side; what it reports, and in which order, does not depend on it.
TEST_F(StoreRebuildTest, CheckReportsTheSameProblemsOnAnyNumberOfThreads) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 10; ++i) subjects_.push_back(testing::MakeSubject(40 + i, 12, registry_, stranger_, rng));
  subjects_.push_back(testing::MakeSubject(60, 300, registry_, stranger_, rng));  // spread over the threads itself
  for (size_t i = 2; i < subjects_.size(); ++i) ASSERT_TRUE(Append(subjects_[i].pith_number, subjects_[i].events).ok());
  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    for (size_t i = 0; i < subjects_.size(); i += 2) {  // every other subject loses an event record
      const std::vector<std::string> keys = KeysOf(db, families, "subject_log", subjects_[i].pith_number);
      ASSERT_GE(keys.size(), 2u);
      ASSERT_EQ(keys[0].back(), storage_internal::kRecordTag);
      ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), families.at("subject_log"), keys[0]).ok());
    }
  });
  std::vector<std::vector<std::string>> reports;
  for (unsigned threads : {1u, 2u, 5u}) {
    StoreOptions options;
    options.threads = threads;
    Open(options);
    auto problems = store_->Check();
    ASSERT_TRUE(problems.ok()) << problems.status().ToString();
    reports.push_back(*problems);
  }
  EXPECT_EQ(reports[0].size(), (subjects_.size() + 1) / 2) << ::testing::PrintToString(reports[0]);
  EXPECT_TRUE(std::is_sorted(reports[0].begin(), reports[0].end()));  // subject order: pith numbers sort as keys here
  EXPECT_EQ(reports[1], reports[0]);
  EXPECT_EQ(reports[2], reports[0]);
}

// The review's cases: a document in two logs beside an orphan (check must still read the index
// entry by entry), two copies of a document of which the first is damaged, a log entry whose hash
// field is damaged (its `events` entry is right and stays), and an entry lost.
class StoreIndexRepairTest : public StoreRebuildTest {
 protected:
  static std::string AsKey(const Digest& d) { return std::string(reinterpret_cast<const char*>(d.data()), d.size()); }
  std::string EntryKey(const std::string& subject, uint64_t position) {
    return storage_internal::LogKey(storage_internal::SubjectPrefix(subject), position, storage_internal::kEntryTag);
  }
  std::string IndexValue(const Digest& d) {  // read with the store closed, then reopened
    std::string value;
    store_.reset();
    EXPECT_TRUE(testing::WithRawRocksDb(dir_.string(), [&](rocksdb::DB* db, const testing::RawFamilies& families) {
      if (!db->Get(rocksdb::ReadOptions(), families.at("events"), AsKey(d), &value).ok()) value = "(none)";
    }));
    Open();
    return value;
  }
  // subjects_[0]'s event 0 appended again under `other`: one document in two logs.
  Digest ShareFirstEvent(const std::string& other) {
    EXPECT_TRUE(Append(other, {subjects_[0].events[0]}).ok());
    return Sha256(json::Canonical(subjects_[0].events[0]));
  }
  // Flips a bit of the hash field that the log entry at `entry` holds before its document.
  void DamageHashField(const std::string& entry) {
    Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
      std::string value;
      ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), families.at("subject_log"), entry, &value).ok());
      value[0] = static_cast<char>(value[0] ^ 0x01);
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("subject_log"), entry, value).ok());
    });
  }
  // Of the two copies ShareFirstEvent(other) made, the first in key order is given bytes that are
  // no longer the document (its hash field kept), and `events` is damaged by `index_damage`;
  // returns the intact copy's key.
  std::string DamageFirstCopy(const std::string& other,
                              const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* events)>& index_damage) {
    const std::string first = EntryKey(subjects_[0].pith_number, 0), second = EntryKey(other, 0);
    const auto [damaged_copy, intact_copy] = first < second ? std::pair(first, second) : std::pair(second, first);
    Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
      std::string value;
      ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), families.at("subject_log"), damaged_copy, &value).ok());
      ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("subject_log"), damaged_copy, value.substr(0, 40) + "{\"not\":1}").ok());
      index_damage(db, families.at("events"));
    });
    return intact_copy;
  }
};

TEST_F(StoreIndexRepairTest, AnOrphanBesideADocumentInTwoLogsIsStillReported) {
  ShareFirstEvent("pith:shared");
  const Digest orphan = Sha256("a document no log holds");
  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), families.at("events"), AsKey(orphan), EntryKey("pith:shared", 7)).ok());
  });
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u) << ::testing::PrintToString(*problems);
  EXPECT_NE(problems->front().find(DigestHex(orphan) + " is indexed at a log entry that does not exist"), std::string::npos);
  auto repaired = store_->RepairEventIndex();
  ASSERT_TRUE(repaired.ok());
  EXPECT_EQ(repaired->removed, 1u);
  EXPECT_EQ(repaired->added + repaired->reindexed, 0u);
  problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

TEST_F(StoreIndexRepairTest, TheRepairPointsAtTheFirstIntactCopy) {
  const Digest shared = ShareFirstEvent("pith:shared");
  const std::string intact_copy = DamageFirstCopy("pith:shared", [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), events, AsKey(shared), "misdirected").ok());
  });
  auto repaired = store_->RepairEventIndex();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->reindexed, 1u);
  EXPECT_EQ(repaired->added + repaired->removed, 0u);
  EXPECT_EQ(IndexValue(shared), intact_copy);
}

// A copy whose hash field is damaged (its bytes intact) is named by `events`; another copy is
// intact: the repair points at that one (GetEvent fails on the first).
TEST_F(StoreIndexRepairTest, AnEntryNamingACopyWithADamagedHashFieldMovesToAnIntactCopy) {
  const Digest shared = ShareFirstEvent("pith:shared");
  const std::string named = IndexValue(shared);
  const std::string other = named == EntryKey("pith:shared", 0) ? EntryKey(subjects_[0].pith_number, 0) : EntryKey("pith:shared", 0);
  ASSERT_NE(named, other);
  DamageHashField(named);
  auto repaired = store_->RepairEventIndex();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->reindexed, 1u);
  EXPECT_EQ(IndexValue(shared), other);
  // Repaired once and for all: the next repair finds nothing to do.
  auto again = store_->RepairEventIndex();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added + again->reindexed + again->removed, 0u);
}

// A lost entry of a document in two logs whose first copy (in key order) has damaged bytes is
// added at the intact copy.
TEST_F(StoreIndexRepairTest, ALostEntryIsAddedAtTheFirstIntactCopy) {
  const Digest shared = ShareFirstEvent("pith:shared");
  const std::string intact_copy = DamageFirstCopy("pith:shared", [&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* events) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), events, AsKey(shared)).ok());
  });
  auto repaired = store_->RepairEventIndex();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->added, 1u);
  EXPECT_EQ(repaired->reindexed + repaired->removed, 0u);
  EXPECT_EQ(IndexValue(shared), intact_copy);
}

TEST_F(StoreIndexRepairTest, AnEntryNamingALogEntryWithADamagedHashFieldStays) {
  const testing::GeneratedSubject& s = subjects_[0];
  const Digest hash = Sha256(json::Canonical(s.events[5]));
  const std::string entry = EntryKey(s.pith_number, 5);
  DamageHashField(entry);
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_FALSE(problems->empty());
  auto repaired = store_->RepairEventIndex();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->added + repaired->reindexed + repaired->removed, 0u);
  EXPECT_EQ(IndexValue(hash), entry);
}

TEST_F(StoreIndexRepairTest, AnEntryLostIsAddedAgain) {
  const testing::GeneratedSubject& s = subjects_[1];
  const Digest hash = Sha256(json::Canonical(s.events[9]));
  Damage([&](rocksdb::DB* db, const testing::RawFamilies& families) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), families.at("events"), AsKey(hash)).ok());
  });
  auto repaired = store_->RepairEventIndex();
  ASSERT_TRUE(repaired.ok()) << repaired.status().ToString();
  EXPECT_EQ(repaired->added, 1u);
  EXPECT_EQ(repaired->reindexed + repaired->removed, 0u);
  EXPECT_EQ(IndexValue(hash), EntryKey(s.pith_number, 9));
  auto problems = store_->Check();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

}  // namespace
}  // namespace pith
