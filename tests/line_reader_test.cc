// LineReader (pith/line_reader.h): every line of a file with its number, offset and length, the
// last line with or without an LF, lines across the reader's 1 MB blocks, and lines over the bound
// reported (exact length and offset) without being held, so an endless line costs no memory.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pith/line_reader.h"

namespace pith {
namespace {

struct Read {
  std::string text;
  uint64_t offset, length;
  size_t number;
  bool too_long;
};

std::vector<Read> ReadAll(const std::string& content, size_t bound) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("pith-line-reader-" + std::to_string(::getpid()));
  {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  const int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  LineReader reader(fd, bound);
  std::vector<Read> lines;
  JsonLine line;
  while (reader.Next(&line)) lines.push_back({std::string(line.text), line.offset, line.length, line.number, line.too_long});
  EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
  ::close(fd);
  std::filesystem::remove(path);
  return lines;
}

// What splitting on LF gives (the oracle): each line's text, offset and length.
std::vector<Read> Split(const std::string& content, size_t bound) {
  std::vector<Read> out;
  size_t start = 0;
  while (start < content.size()) {
    size_t lf = content.find('\n', start);
    const size_t stop = lf == std::string::npos ? content.size() : lf;
    const size_t length = stop - start;
    const bool too_long = length > bound;
    out.push_back({too_long ? "" : content.substr(start, length), start, length, out.size() + 1, too_long});
    start = stop + 1;
  }
  return out;
}

void ExpectSame(const std::vector<Read>& got, const std::vector<Read>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    EXPECT_EQ(got[i].text.size(), want[i].text.size());
    EXPECT_TRUE(got[i].text == want[i].text);  // (not printed: lines run to megabytes)
    EXPECT_EQ(got[i].offset, want[i].offset);
    EXPECT_EQ(got[i].length, want[i].length);
    EXPECT_EQ(got[i].number, want[i].number);
    EXPECT_EQ(got[i].too_long, want[i].too_long);
  }
}

TEST(LineReader, SmallFiles) {
  for (const std::string content : {"", "\n", "a", "a\n", "a\nb", "a\nb\n", "\n\n\n", "ab\r\ncd\r\n", "{\"x\":1}\n\n{}\n"}) {
    SCOPED_TRACE(content);
    ExpectSame(ReadAll(content, 100), Split(content, 100));
  }
}

TEST(LineReader, LinesOverTheBoundAreReportedNotHeld) {
  const std::string content = "short\n" + std::string(11, 'x') + "\nok\n" + std::string(10, 'y') + "\n" + std::string(25, 'z');
  ExpectSame(ReadAll(content, 10), Split(content, 10));
}

TEST(LineReader, LinesAcrossBlocksAndLongLinesOfEveryKind) {
  std::mt19937 rng(9);
  for (int round = 0; round < 6; ++round) {
    std::string content;
    while (content.size() < (3u << 20)) {
      const size_t length = rng() % 4 == 0 ? rng() % (1800u << 10) : rng() % 3000;  // some lines span blocks
      content += std::string(length, static_cast<char>('a' + rng() % 26));
      content += '\n';
    }
    if (round % 2 == 1) content.pop_back();  // no final LF
    const size_t bound = round < 3 ? (1u << 20) : (4u << 20);
    SCOPED_TRACE("round " + std::to_string(round));
    ExpectSame(ReadAll(content, bound), Split(content, bound));
  }
}

}  // namespace
}  // namespace pith
