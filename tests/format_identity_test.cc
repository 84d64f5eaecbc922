// Every identity value of the five seeds: canonical hashes, pith numbers, short forms, aliases,
// event ids, key fingerprints, and all four signatures of the real bundle (and their bit flips).
#include <gtest/gtest.h>

#include <random>

#include <fstream>
#include <sstream>

#include "pith/codec.h"
#include "pith/ed25519.h"
#include "pith/identity.h"
#include "pith/keys.h"
#include "support/seed_data.h"

namespace pith {
namespace {

using testing::ReadSeed;
using testing::SeedBundle;

json::Value RecordFromPage(const std::string& name) {
  std::string text = ReadSeed(name);
  size_t marker = text.find("Canonical record JSON");
  EXPECT_NE(marker, std::string::npos);
  auto doc = json::Parse(std::string_view(text).substr(text.find('\n', marker) + 1));
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  return *doc;
}

Signature SigFromB64(const std::string& b64) {
  auto raw = Base64Decode(b64);
  EXPECT_TRUE(raw && raw->size() == 64);
  Signature sig{};
  std::copy(raw->begin(), raw->end(), sig.begin());
  return sig;
}

Digest DigestFromHex(const std::string& hex) {
  auto raw = HexDecode(hex);
  EXPECT_TRUE(raw && raw->size() == 32);
  Digest d{};
  std::copy(raw->begin(), raw->end(), d.begin());
  return d;
}

struct PageCase {
  const char* file;
  const char* pith_number;
  const char* canonical_sha256;  // where the page shows it
};

TEST(SeedIdentity, RecordPagesReproduceTheirPithNumbers) {
  const PageCase cases[] = {
      {"000_6260ca91d060cabb.txt", "pith:2024:IUW7KLEDMZKZDVWHTRMM5ZK24W",
       "452df52c83665591d6c79c58cee55ae58c9ef359d41db1892fe7e4995ec6c4cd"},
      {"002_f2340b5d010da610.txt", "pith:2018:5BFH4FCADZHBPWKMBBXV3TKNCV", nullptr},
      {"003_770fb714e1d1fd70.txt", "pith:2019:DBZZ4GA3QYTEJZ5TKUNHWEKF3I",
       "18739e181b862644e7b3551a7b1145da15779da61ba8278941a87f69190d201b"},
      {"004_aa48b876a2079d85.txt", "pith:2018:BPCIXR45D6P7WQUPPFTB5BPSSZ", nullptr},
  };
  for (const PageCase& c : cases) {
    SCOPED_TRACE(c.file);
    std::string page = ReadSeed(c.file);
    auto id = DeriveRecordIdentity(RecordFromPage(c.file));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_EQ(id->pith_number, c.pith_number);
    // The page prints the short form and the full number.
    EXPECT_NE(page.find(id->short_pith_number + "\n"), std::string::npos);
    EXPECT_NE(page.find(id->pith_number), std::string::npos);
    if (c.canonical_sha256 != nullptr) {
      EXPECT_EQ(id->canonical_sha256, c.canonical_sha256);
      EXPECT_NE(page.find(id->canonical_sha256), std::string::npos);
    }
  }
}

TEST(SeedIdentity, BundleRecordHashNumberAndAliases) {
  json::Value bundle = SeedBundle();
  auto id = DeriveRecordIdentity(*bundle.Find("canonical_record"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->canonical_sha256, *bundle.FindString("canonical_sha256"));
  EXPECT_EQ(id->canonical_sha256, "452df52c83665591d6c79c58cee55ae58c9ef359d41db1892fe7e4995ec6c4cd");
  EXPECT_EQ(id->pith_number, *bundle.FindString("pith_number"));
  EXPECT_EQ(id->short_pith_number, *bundle.FindString("short_pith_number"));
  const std::string* created_at = bundle.Find("events")->items()[0].FindString("created_at");
  json::Value aliases = SourceAliasesJson(id->aliases, *created_at);
  EXPECT_EQ(json::Canonical(aliases), json::Canonical(*bundle.Find("source_aliases")));
}

TEST(SeedIdentity, EventIdsAreContentHashes) {
  json::Value bundle = SeedBundle();
  const auto& events = bundle.Find("events")->items();
  ASSERT_EQ(events.size(), 2u);
  for (const json::Value& e : events) {
    Digest d = EventContentDigest(e);
    EXPECT_EQ(DigestHex(d), *e.FindString("content_sha256"));
    EXPECT_EQ(EventIdFromDigest(d), *e.FindString("event_id"));
    // Same as hashing canon() of the object without the three keys.
    EXPECT_EQ(Sha256Hex(json::Canonical(e.Without({"signature", "content_sha256", "event_id"}))),
              *e.FindString("content_sha256"));
  }
}

TEST(SeedIdentity, KeyEntryFingerprints) {
  json::Value bundle = SeedBundle();
  auto entry = ParsePublicKeyEntry(bundle.Find("public_keys")->items()[0]);
  ASSERT_TRUE(entry.ok()) << entry.status().ToString();
  EXPECT_EQ(KeyFingerprintHex(entry->key), "8d4b5ee74e4693bcd1df2446408b0d54");
  EXPECT_EQ(KeyFingerprintB32(entry->key), "RVFV5Z2OI2J3ZUO7ERDEBCYNKS");
  // The compiled-in default trust set holds exactly this key.
  TrustedKeys defaults = TrustedKeys::Defaults();
  const PublicKeyEntry* trusted = defaults.Find("pith-v1-2026-05");
  ASSERT_NE(trusted, nullptr);
  EXPECT_EQ(trusted->key, entry->key);
  EXPECT_EQ(json::Canonical(trusted->raw), json::Canonical(entry->raw));
}

TEST(SeedIdentity, KeyEntryWithWrongFingerprintIsRefused) {
  json::Value bundle = SeedBundle();
  const json::Value& good = bundle.Find("public_keys")->items()[0];
  std::vector<json::Value::Member> members = good.members();
  for (auto& [k, v] : members) {
    if (k == "fingerprint_sha256_hex") v = json::Value::String("00000000000000000000000000000000");
  }
  auto entry = ParsePublicKeyEntry(json::Value::Object(members));
  ASSERT_FALSE(entry.ok());
  EXPECT_NE(entry.status().message().find("fingerprint_sha256_hex"), std::string::npos);
}

// The four real signatures of the seed bundle: what each signs and with which key.
struct SignedDigest {
  std::string what;
  Digest digest;
  Signature sig;
};

std::vector<SignedDigest> SeedSignatures(const json::Value& bundle) {
  std::vector<SignedDigest> out;
  for (const json::Value& e : bundle.Find("events")->items()) {
    out.push_back({"event " + *e.FindString("event_type"), EventContentDigest(e),
                   SigFromB64(*e.Find("signature")->FindString("signature_b64"))});
  }
  const json::Value& receipt = *bundle.Find("events")->items()[0].Find("payload")->Find("receipt");
  out.push_back({"receipt", DigestFromHex(*receipt.FindString("canonical_sha256")),
                 SigFromB64(*receipt.FindString("signature_b64"))});
  const json::Value& bsig = *bundle.Find("bundle_signature");
  Digest bundle_digest = Sha256(json::Canonical(bundle.Without("bundle_signature")));
  EXPECT_EQ(DigestHex(bundle_digest), *bsig.FindString("bundle_sha256"));
  EXPECT_EQ(DigestHex(bundle_digest), "0a41ed16347c53f95175fb1fa17107795832108f215827ebad60722be347a9e1");
  out.push_back({"bundle", bundle_digest, SigFromB64(*bsig.FindString("signature_b64"))});
  return out;
}

TEST(SeedSignatures, AllFourVerifyAndEveryBitFlipFails) {
  json::Value bundle = SeedBundle();
  const TrustedKeys defaults = TrustedKeys::Defaults();
  const PublicKeyEntry* key = defaults.Find("pith-v1-2026-05");
  ASSERT_NE(key, nullptr);
  auto cases = SeedSignatures(bundle);
  ASSERT_EQ(cases.size(), 4u);
  for (const SignedDigest& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_TRUE(Ed25519VerifyDigest(key->key, c.digest, c.sig));
    for (size_t bit = 0; bit < c.sig.size() * 8; ++bit) {
      Signature bad = c.sig;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      EXPECT_FALSE(Ed25519VerifyDigest(key->key, c.digest, bad)) << "signature bit " << bit;
    }
    for (size_t bit = 0; bit < c.digest.size() * 8; ++bit) {
      Digest bad = c.digest;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      EXPECT_FALSE(Ed25519VerifyDigest(key->key, bad, c.sig)) << "digest bit " << bit;
    }
    for (size_t bit = 0; bit < key->key.size() * 8; bit += 7) {
      PublicKey bad = key->key;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      EXPECT_FALSE(Ed25519VerifyDigest(bad, c.digest, c.sig)) << "key bit " << bit;
    }
  }
}

TEST(Signing, SignVerifyRoundTripAndKeyFile) {
  KeyPair kp = Ed25519Generate();
  Digest d = Sha256("hello");
  Signature sig = Ed25519SignDigest(kp.secret_key, d);
  EXPECT_TRUE(Ed25519VerifyDigest(kp.public_key, d, sig));
  SigningKey key = MakeSigningKey("test-key", kp, std::string("me"), std::string("author"));
  auto reparsed = ParseSigningKey(*json::Parse(json::Canonical(SigningKeyToJson(key))));
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  EXPECT_EQ(reparsed->pair.public_key, kp.public_key);
  auto entry = ParsePublicKeyEntry(reparsed->public_entry);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->signer_id, "me");
  EXPECT_EQ(entry->signer_type, "author");
}

TEST(Codec, Base32MatchesRfc4648Vectors) {
  auto b32 = [](std::string_view s) { return Base32Encode(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  EXPECT_EQ(b32(""), "");
  EXPECT_EQ(b32("f"), "MY======");
  EXPECT_EQ(b32("fo"), "MZXQ====");
  EXPECT_EQ(b32("foo"), "MZXW6===");
  EXPECT_EQ(b32("foob"), "MZXW6YQ=");
  EXPECT_EQ(b32("fooba"), "MZXW6YTB");
  EXPECT_EQ(b32("foobar"), "MZXW6YTBOI======");
}

TEST(Codec, Base64IsStrict) {
  EXPECT_TRUE(Base64Decode("Zm9v").has_value());
  EXPECT_FALSE(Base64Decode("Zm9").has_value());     // unpadded
  EXPECT_FALSE(Base64Decode("Zm9v\n").has_value());  // whitespace
  EXPECT_FALSE(Base64Decode("Zm9=").has_value());    // non-canonical trailing bits
  EXPECT_FALSE(Base64Decode("Zm-v").has_value());    // URL alphabet
}

// The decoder for public data accepts exactly what the constant-time one does, with the same bytes:
// every string of up to 8 characters over a small alphabet (padding, a non-canonical tail, foreign
// bytes), and mutations of encodings of random bytes.
TEST(Codec, PublicBase64DecodeAgreesWithBase64Decode) {
  size_t accepted = 0, checked = 0;
  auto agree = [&](const std::string& s) {
    Bytes fast;
    const bool ok = PublicBase64Decode(s, &fast);
    const auto slow = Base64Decode(s);
    ASSERT_EQ(ok, slow.has_value()) << "\"" << s << "\"";
    if (ok) {
      ASSERT_EQ(fast, *slow) << "\"" << s << "\"";
      ++accepted;
    }
    ++checked;
  };
  auto every_string = [&](const std::string& alphabet, size_t max_length) {
    for (size_t length = 0; length <= max_length; ++length) {
      std::string s(length, 'A');
      size_t combinations = 1;
      for (size_t i = 0; i < length; ++i) combinations *= alphabet.size();
      for (size_t n = 0; n < combinations; ++n) {
        size_t k = n;
        for (size_t i = 0; i < length; ++i, k /= alphabet.size()) s[i] = alphabet[k % alphabet.size()];
        agree(s);
      }
    }
  };
  every_string("AQgw/+=-", 4);  // A=0 Q=16 g=32 w=48: every low-bit pattern of a last quad
  every_string("Aw=-", 8);      // padding or a foreign byte in either of two quads
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; ++round) {
    Bytes raw(rng() % 70);
    for (uint8_t& b : raw) b = static_cast<uint8_t>(rng());
    std::string s = Base64Encode(raw.data(), raw.size());
    agree(s);
    if (!s.empty()) {
      s[rng() % s.size()] = static_cast<char>(rng());
      agree(s);
    }
  }
  EXPECT_GT(accepted, 1000u);
  EXPECT_GT(checked, accepted);
}

}  // namespace
}  // namespace pith
