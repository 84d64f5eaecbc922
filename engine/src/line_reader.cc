#include "pith/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace pith {
namespace {

constexpr size_t kBlockBytes = 1 << 20;

}  // namespace

std::string TooLongLineMessage(const JsonLine& line, size_t bound) {
  return "line of " + std::to_string(line.length) + " bytes, longer than the document limit (" + std::to_string(bound) + ")";
}

LineReader::LineReader(int fd, size_t max_line_bytes) : fd_(fd), max_line_bytes_(max_line_bytes) {}

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path, size_t max_line_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound(path + ": cannot open: " + std::strerror(errno));
  auto reader = std::make_unique<LineReader>(fd, max_line_bytes);
  reader->owns_fd_ = true;
  return reader;
}

LineReader::~LineReader() {
  if (owns_fd_) ::close(fd_);
}

bool LineReader::Fill() {
  if (eof_ || !status_.ok()) return false;
  if (begin_ > 0) {  // keep the unread bytes at the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() - end_ < kBlockBytes) buffer_.resize(end_ + kBlockBytes);
  while (true) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status_ = Status::IOError(std::string("read failed: ") + std::strerror(errno));
      return false;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
}

bool LineReader::Next(JsonLine* line) {
  size_t searched = begin_;  // bytes before this hold no LF
  while (true) {
    const char* found = static_cast<const char*>(std::memchr(buffer_.data() + searched, '\n', end_ - searched));
    if (found != nullptr || (eof_ && begin_ < end_)) {
      const size_t stop = found != nullptr ? static_cast<size_t>(found - buffer_.data()) : end_;
      const size_t length = stop - begin_;
      const bool too_long = length > max_line_bytes_;  // buffered whole, but over the bound all the same
      *line = JsonLine{too_long ? std::string_view() : std::string_view(buffer_.data() + begin_, length), offset_, length,
                       ++number_, too_long};
      const size_t consumed = stop - begin_ + (found != nullptr ? 1 : 0);
      begin_ += consumed;
      offset_ += consumed;
      return true;
    }
    if (eof_ || !status_.ok()) return false;
    if (end_ - begin_ > max_line_bytes_) {
      // Too long to hold: drop what is buffered and read on to its end, counting.
      const uint64_t start = offset_;
      uint64_t length = end_ - begin_;
      offset_ += length;
      begin_ = end_ = 0;
      while (true) {
        if (!Fill()) {
          if (!status_.ok()) return false;
          break;  // the file ends inside the line
        }
        const char* lf = static_cast<const char*>(std::memchr(buffer_.data(), '\n', end_));
        if (lf != nullptr) {
          const size_t part = static_cast<size_t>(lf - buffer_.data());
          length += part;
          begin_ = part + 1;
          offset_ += part + 1;
          break;
        }
        length += end_;
        offset_ += end_;
        end_ = 0;
      }
      *line = JsonLine{std::string_view(), start, length, ++number_, true};
      return true;
    }
    searched = end_;
    const size_t before = begin_;
    if (!Fill()) {
      if (!status_.ok()) return false;
      searched = end_;  // at the end of the file: what is buffered is the last line
    } else {
      searched -= before;  // Fill moved the unread bytes to the front
    }
  }
}

}  // namespace pith
