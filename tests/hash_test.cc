// pith/hash.h: the one-shot digest and the resumable stream compute SHA-256 (FIPS 180-4 examples),
// agree on any split of any input, and the stream's saved midstate keeps its documented layout
// (stores keep it in their incremental form: a build must resume what an earlier build saved).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "pith/codec.h"
#include "pith/hash.h"

namespace pith {
namespace {

std::string Hex(const std::string& bytes) {
  return HexEncode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(HashTest, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  Sha256Stream stream;
  EXPECT_EQ(DigestHex(stream.Final()), Sha256Hex(""));
  for (int i = 0; i < 1000; ++i) stream.Update(std::string(1000, 'a'));  // a million 'a'
  EXPECT_EQ(DigestHex(stream.Final()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Any input fed in any pieces, saved and restored at any point, gives the one-shot digest.
TEST(HashTest, StreamAgreesWithOneShotOnEverySplit) {
  std::mt19937_64 rng(20261125);
  for (int round = 0; round < 400; ++round) {
    const size_t size = round < 300 ? rng() % 300 : rng() % 200000;
    std::string input(size, '\0');
    for (char& c : input) c = static_cast<char>(rng());
    Sha256Stream stream;
    size_t at = 0;
    while (at < size) {
      const size_t piece = std::min<size_t>(size - at, rng() % 3 == 0 ? rng() % 5 : rng() % 5000);
      stream.Update(std::string_view(input).substr(at, piece));
      at += piece;
      if (rng() % 4 == 0) {
        auto restored = Sha256Stream::Restore(stream.Save());
        ASSERT_TRUE(restored.has_value());
        EXPECT_EQ(restored->Save(), stream.Save());
        stream = *restored;
      }
      EXPECT_EQ(stream.Final(), Sha256(std::string_view(input).substr(0, at)));  // Final does not end it
    }
    EXPECT_EQ(stream.Final(), Sha256(input)) << "round " << round << ", " << size << " bytes";
  }
}

// The saved layout: H0..H7 and the byte count big-endian, then the unfinished block. These were
// saved by the libsodium stream this project used before: any later stream must read and write them.
TEST(HashTest, SavedMidstatesKeepTheirLayout) {
  std::string pattern;
  for (int i = 0; i < 1000; ++i) pattern.push_back(static_cast<char>('a' + (i * 7) % 26));
  const std::pair<size_t, std::string> saved[] = {
      {0, "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd190000000000000000"},
      {1, "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19000000000000000161"},
      {63, "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19000000000000003f61686f76636a7178656c737a676e"
           "7562697077646b7279666d7461686f76636a7178656c737a676e7562697077646b7279666d7461686f76636a7178656c73"},
      {64, "9738325d5a99088fa8e11ad8ac9415153170694da189de35a9813896e3279c740000000000000040"},
      {65, "9738325d5a99088fa8e11ad8ac9415153170694da189de35a9813896e3279c74000000000000004167"},
      {1000, "662ea9322b80653fdb98a703ffcbdebc4cfaa6e01225a6d62a0ca35774c6672600000000000003e86d7461686f76636a7178656c"
             "737a676e7562697077646b7279666d7461686f76636a7178656c737a"},
  };
  for (const auto& [n, hex] : saved) {
    Sha256Stream stream;
    stream.Update(std::string_view(pattern).substr(0, n));
    EXPECT_EQ(Hex(stream.Save()), hex) << n << " bytes";
    auto bytes = HexDecode(hex);
    ASSERT_TRUE(bytes.has_value());
    auto restored = Sha256Stream::Restore(std::string(bytes->begin(), bytes->end()));
    ASSERT_TRUE(restored.has_value());
    restored->Update(std::string_view(pattern).substr(n));
    EXPECT_EQ(restored->Final(), Sha256(pattern)) << "resumed after " << n << " bytes";
  }
}

TEST(HashTest, MalformedMidstatesAreRefused) {
  const std::string iv = Sha256Stream().Save();
  EXPECT_FALSE(Sha256Stream::Restore("").has_value());
  EXPECT_FALSE(Sha256Stream::Restore(iv.substr(0, 39)).has_value());
  EXPECT_FALSE(Sha256Stream::Restore(iv + "x").has_value());  // a count of 0 with a buffered byte
  std::string huge = iv;
  huge[32] = static_cast<char>(0x20);  // a byte count of 2^61 or more: more bits than SHA-256 counts
  EXPECT_FALSE(Sha256Stream::Restore(huge).has_value());
  std::string short_block = iv;
  short_block[39] = 5;  // five buffered bytes announced, none given
  EXPECT_FALSE(Sha256Stream::Restore(short_block).has_value());
}

}  // namespace
}  // namespace pith
