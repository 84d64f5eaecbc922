#include "cli_common.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace pith::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return kExitOk;
    case Status::Code::kVerificationFailed:
    case Status::Code::kCorruption: return kExitProblemFound;
    case Status::Code::kInvalidInput:
    case Status::Code::kNotFound:
    case Status::Code::kUnsupported: return kExitBadInput;
    case Status::Code::kIOError: return kExitIoError;
    case Status::Code::kBusy: return kExitStoreBusy;
    case Status::Code::kInternal: return kExitInternal;
  }
  return kExitInternal;
}

void ReportError(std::string_view where, std::string_view message) {
  std::string line = "pith-merge: error: ";
  if (!where.empty()) {
    line += where;
    line += ": ";
  }
  line += message;
  line += '\n';
  std::cerr << line << std::flush;
}

int Fail(std::string_view where, const Status& status) {
  ReportError(where, status.message());
  return ExitCodeFor(status);
}

Result<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    if (std::cin.bad()) return Status::IOError("cannot read standard input");
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open: " + std::string(std::strerror(errno)));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::IOError("cannot read: " + std::string(std::strerror(errno)));
  return text;
}

Status ParseFailure(const std::string& path, const json::ParseError& where) {
  return Status::InvalidInput(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": " +
                              where.what);
}

Result<json::Value> ReadJsonFile(const std::string& path) {
  auto text = ReadInput(path);
  if (!text.ok()) return text.status().WithPrefix(path);
  json::ParseError where;
  auto doc = json::Parse(*text, {}, &where);
  if (!doc.ok()) return ParseFailure(path, where);
  return doc;
}

Status WriteNewFile(const std::string& path, std::string_view text, unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::IOError(path + ": cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::IOError(path + ": cannot write: " + std::strerror(errno));
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Status::IOError(path + ": cannot sync: " + std::strerror(errno));
  return Status::OK();
}

}  // namespace pith::cli
