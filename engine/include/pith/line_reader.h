// Reading a JSON Lines file one line at a time with a bound on what is held in memory: a line
// longer than the bound is reported (where it starts, how long it is) and its text dropped, so a
// file of one endless line costs memory in proportion to the bound (the buffer grows by doubling:
// about twice the bound at most; 144 MB under the 64 MiB document limit), not to the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pith/status.h"

namespace pith {

struct JsonLine {
  std::string_view text;  // without its LF; valid until the next call to Next (empty when too_long)
  uint64_t offset = 0;    // of its first byte in the file
  uint64_t length = 0;    // its length in bytes, LF excluded
  size_t number = 0;      // 1-based
  bool too_long = false;  // longer than the bound: text is empty, length is still exact
};

// A line of only spaces, tabs and CRs: readers of .jsonl files skip it, as no line at all.
inline bool IsBlankLine(std::string_view text) { return text.find_first_not_of(" \t\r") == std::string_view::npos; }

// What to report of a line longer than `bound` (it is skipped).
std::string TooLongLineMessage(const JsonLine& line, size_t bound);

class LineReader {
 public:
  // Reads from `fd` (not owned) from its current position.
  LineReader(int fd, size_t max_line_bytes);
  // Opens `path` (kNotFound naming it when it cannot be opened) and reads it from the start.
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path, size_t max_line_bytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line; false at the end of the file or on a read error (then status() says which).
  bool Next(JsonLine* line);
  const Status& status() const { return status_; }

 private:
  // Reads more of the file after the buffered bytes; false at the end of the file or on an error.
  bool Fill();

  int fd_;
  bool owns_fd_ = false;
  size_t max_line_bytes_;
  std::string buffer_;
  size_t begin_ = 0;        // unread bytes are buffer_[begin_, end_)
  size_t end_ = 0;
  uint64_t offset_ = 0;     // file offset of buffer_[begin_]
  size_t number_ = 0;
  bool eof_ = false;
  Status status_;
};

}  // namespace pith
