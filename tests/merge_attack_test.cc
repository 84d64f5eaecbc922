// Attacks on the merge (specs/security.md): each must end as a named invalid event or a refused
// key, never as a changed `current`.
#include <gtest/gtest.h>

#include "pith/bundle.h"
#include "pith/codec.h"
#include "pith/event_builder.h"
#include "pith/identity.h"
#include "pith/merge.h"
#include "support/test_events.h"

namespace pith {
namespace {

using json::Value;

// The state's object (merged states hold canonical bytes; this parses them).
Value StateOf(const MergedState& s) {
  auto parsed = s.Object();
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(*parsed) : Value();
}

class MergeAttackTest : public ::testing::Test {
 protected:
  MergeAttackTest()
      : registry_(testing::FixedKey("attack-registry")),
        author_(testing::FixedKey("attack-author", std::string("alice"), std::string("author"))),
        mallory_(testing::FixedKey("attack-mallory", std::string("mallory"), std::string("author"))) {
    for (const SigningKey* k : {&registry_, &author_, &mallory_}) EXPECT_TRUE(keys_.AddFromJson(k->public_entry).ok());
    std::mt19937_64 rng(9);
    subject_ = testing::MakeSubject(77, 1, registry_, mallory_, rng);  // just its record_created
  }

  Value Attestation(const SigningKey& key, const std::string& signer_id, const std::string& at,
                    std::optional<std::string> prev = std::nullopt, std::vector<std::string> supersedes = {},
                    const std::string& subject = "") {
    EventDraft d;
    d.event_type = "author_attestation";
    d.subject_pith_number = subject.empty() ? subject_.pith_number : subject;
    d.target = "author";
    d.created_at = at;
    d.payload = Value::Object({{"author_name", Value::String("Alice")}, {"statement", Value::String("I wrote it")}});
    d.signer_id = signer_id;
    d.signer_type = "author";
    d.prev_event = std::move(prev);
    d.supersedes = std::move(supersedes);
    return SignEvent(d, key, "2026-09-01T00:00:00Z");
  }

  // The reason the merge gives for the document whose claimed event_id is `id`.
  std::string ReasonFor(const MergedState& s, const Value& doc) {
    std::string doc_hash = Sha256Hex(json::Canonical(doc));
    const Value state = StateOf(s);
    for (const Value& e : state.Find("invalid_events")->items()) {
      if (*e.FindString("document_sha256") == doc_hash) return *e.FindString("reason");
    }
    return "";
  }

  MergedState MergeAll(const std::vector<Value>& docs) {
    auto s = Merge(subject_.pith_number, docs, keys_, {});
    EXPECT_TRUE(s.ok());
    return *s;
  }

  static Value Replace(const Value& obj, const std::string& key, Value v) {
    std::vector<Value::Member> m = obj.Without(key).members();
    m.emplace_back(key, std::move(v));
    return Value::Object(std::move(m));
  }

  SigningKey registry_, author_, mallory_;
  TrustedKeys keys_;
  testing::GeneratedSubject subject_;
};

TEST_F(MergeAttackTest, EventReplayedUnderAnotherSubject) {
  Value e = Attestation(author_, "alice", "2026-09-01T00:00:01Z", std::nullopt, {}, "pith:2025:AAAAAAAAAAAAAAAAAAAAAAAAAA");
  MergedState s = MergeAll({subject_.events[0], e});
  EXPECT_EQ(ReasonFor(s, e), "wrong_subject");
  EXPECT_TRUE(StateOf(s).Find("current")->Find("author_attestations")->items().empty());
}

TEST_F(MergeAttackTest, SignatureCopiedOntoAlteredContent) {
  Value e = Attestation(author_, "alice", "2026-09-01T00:00:01Z");
  Value altered = Replace(e, "payload", Value::Object({{"author_name", Value::String("Mallory")}, {"statement", Value::String("")}}));
  // Hashes left as they were: the content no longer hashes to them.
  EXPECT_EQ(ReasonFor(MergeAll({subject_.events[0], altered}), altered), "content_hash_mismatch");
  // Hashes fixed by the attacker: the copied signature does not cover the new digest.
  Digest d = EventContentDigest(altered);
  Value fixed = Replace(Replace(altered, "content_sha256", Value::String(DigestHex(d))), "event_id", Value::String(EventIdFromDigest(d)));
  MergedState s = MergeAll({subject_.events[0], fixed});
  EXPECT_EQ(ReasonFor(s, fixed), "bad_signature");
  EXPECT_TRUE(StateOf(s).Find("current")->Find("author_attestations")->items().empty());
}

TEST_F(MergeAttackTest, LyingContentHashOrEventId) {
  Value e = Attestation(author_, "alice", "2026-09-01T00:00:01Z");
  std::string other = Sha256Hex("other");
  Value lying_content = Replace(e, "content_sha256", Value::String(other));
  Value lying_id = Replace(e, "event_id", Value::String("sha256:" + other));
  MergedState s = MergeAll({subject_.events[0], lying_content, lying_id});
  EXPECT_EQ(ReasonFor(s, lying_content), "content_hash_mismatch");
  EXPECT_EQ(ReasonFor(s, lying_id), "event_id_mismatch");
}

TEST_F(MergeAttackTest, TwoDifferentKeysUnderOneKeyIdAreRefused) {
  SigningKey impostor = MakeSigningKey("attack-author", Ed25519Generate(), std::string("alice"), std::string("author"));
  TrustedKeys keys = keys_;
  Status s = keys.AddFromJson(impostor.public_entry);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("attack-author"), std::string::npos);
  // The same entry again is fine; the same key with another rotates_at is not.
  EXPECT_TRUE(keys.AddFromJson(author_.public_entry).ok());
  EXPECT_FALSE(keys.AddFromJson(Replace(author_.public_entry, "rotates_at", Value::String("2030-01-01T00:00:00Z"))).ok());
}

TEST_F(MergeAttackTest, ForeignSignerCannotSupersede) {
  Value mine = Attestation(author_, "alice", "2026-09-01T00:00:01Z");
  Value theirs = Attestation(mallory_, "mallory", "2026-09-01T00:00:02Z", std::nullopt, {*mine.FindString("event_id")});
  MergedState s = MergeAll({subject_.events[0], mine, theirs});
  EXPECT_EQ(ReasonFor(s, theirs), "supersedes_foreign");
  ASSERT_EQ(StateOf(s).Find("current")->Find("author_attestations")->items().size(), 1u);
}

TEST_F(MergeAttackTest, ReferenceLoopThroughLyingIdsTerminates) {
  // Two events naming each other: possible only with invented ids, so both are refused by id.
  std::string fake_a = "sha256:" + Sha256Hex("a"), fake_b = "sha256:" + Sha256Hex("b");
  Value a = Replace(Attestation(author_, "alice", "2026-09-01T00:00:01Z", fake_b), "event_id", Value::String(fake_a));
  Value b = Replace(Attestation(author_, "alice", "2026-09-01T00:00:02Z", fake_a), "event_id", Value::String(fake_b));
  MergedState s = MergeAll({subject_.events[0], a, b});
  EXPECT_EQ(ReasonFor(s, a), "event_id_mismatch");
  EXPECT_EQ(ReasonFor(s, b), "event_id_mismatch");
}

TEST_F(MergeAttackTest, DuplicateJsonKeysCannotHideASecondValue) {
  Value e = Attestation(author_, "alice", "2026-09-01T00:00:01Z");
  std::string text = json::Canonical(e);
  text.insert(1, "\"payload\":{\"author_name\":\"Mallory\",\"statement\":\"\"},");
  auto parsed = json::Parse(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("duplicate key \"payload\""), std::string::npos);
}

TEST_F(MergeAttackTest, ThousandsOfForksFromOneSignerStayBounded) {
  std::vector<Value> docs = {subject_.events[0]};
  constexpr int kForks = 3000;
  for (int i = 0; i < kForks; ++i) {
    char at[32];
    std::snprintf(at, sizeof at, "2026-09-01T%02d:%02d:%02dZ", i / 3600, (i / 60) % 60, i % 60);
    docs.push_back(Attestation(author_, "alice", at));
  }
  MergeOptions options;
  options.threads = 2;
  auto s = Merge(subject_.pith_number, docs, keys_, options);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(StateOf(*s).Find("equivocations")->items().size(), 1u);
  EXPECT_EQ(StateOf(*s).Find("equivocations")->items()[0].Find("event_ids")->items().size(), static_cast<size_t>(kForks));
  EXPECT_TRUE(StateOf(*s).Find("current")->Find("author_attestations")->items().empty());
  EXPECT_EQ(StateOf(*s).Find("applied_event_ids")->items().size(), 1u);
}

TEST_F(MergeAttackTest, LimitsAreRefusedByName) {
  Status within = CheckSubjectSize(subject_.pith_number, kMaxDocumentsPerSubject);
  EXPECT_TRUE(within.ok());
  Status past = CheckSubjectSize(subject_.pith_number, kMaxDocumentsPerSubject + 1);
  EXPECT_EQ(past.code(), Status::Code::kInvalidInput);
  EXPECT_NE(past.message().find("at most 1000000"), std::string::npos);
  // A bundle past the event limit is refused before any work.
  std::vector<Value> events(kMaxEventsPerBundle + 1, Value::Object({}));
  Value bundle = Value::Object({{"bundle_type", Value::String("pith_open_graph_bundle")},
                                {"pith_number", Value::String(subject_.pith_number)},
                                {"events", Value::Array(std::move(events))}});
  auto report = VerifyBundle(bundle, keys_, {});
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.status().message().find("the limit is 100000"), std::string::npos);
}

}  // namespace
}  // namespace pith
