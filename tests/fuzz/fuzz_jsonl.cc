// Fuzz target: the CLI's .jsonl reader, pith::cli::ReadEventInput (tools/event_inputs.cc), on a file
// holding the input bytes (a fixed per-process temporary file with the .jsonl suffix, under /tmp,
// removed again after each input).
// Bad lines are reported on stderr by the reader itself; that noise is expected.
//
// Properties (abort() on violation):
//   - reading a .jsonl file never fails as a whole (bad lines are counted, not errors);
//   - every non-blank line is either one document filed under its own subject_pith_number, in line
//     order, or one counted bad line; nothing else is produced;
//   - pith::LineReader (what merge and ingest read .jsonl files with), under a small bound and the
//     default one, gives exactly the lines of splitting on LF: text, offset, length and number, with
//     the lines over the bound marked too long and their text dropped.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "event_inputs.h"
#include "fuzz_common.h"
#include "pith/json.h"
#include "pith/line_reader.h"

namespace {

// One file per process, so parallel runs (-jobs, ctest -j) never share it; removed after each input.
const std::string& TempPath() {
  static const std::string path = "/tmp/pith-fuzz-jsonl-" + std::to_string(::getpid()) + ".jsonl";
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = TempPath();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    PITH_FUZZ_CHECK_MSG(f != nullptr, path);
    PITH_FUZZ_CHECK(size == 0 || std::fwrite(data, 1, size, f) == size);
    PITH_FUZZ_CHECK(std::fclose(f) == 0);
  }

  for (size_t bound : {size_t{16}, pith::json::ParseLimits().max_document_bytes}) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    PITH_FUZZ_CHECK(fd >= 0);
    pith::LineReader reader(fd, bound);
    pith::JsonLine line;
    std::string_view rest = pith::fuzz::AsView(data, size);
    uint64_t offset = 0;
    size_t number = 0;
    while (reader.Next(&line)) {
      PITH_FUZZ_CHECK(!rest.empty());
      const size_t nl = rest.find('\n');
      const std::string_view want = rest.substr(0, nl);
      PITH_FUZZ_CHECK(line.offset == offset && line.length == want.size() && line.number == ++number);
      PITH_FUZZ_CHECK(line.too_long == (want.size() > bound));
      PITH_FUZZ_CHECK(line.too_long ? line.text.empty() : line.text == want);
      offset += want.size() + (nl == std::string_view::npos ? 0 : 1);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    PITH_FUZZ_CHECK(reader.status().ok() && rest.empty());
    ::close(fd);
  }

  pith::cli::EventInputs inputs;
  pith::Status status = pith::cli::ReadEventInput(path, &inputs);
  std::remove(path.c_str());
  PITH_FUZZ_CHECK_MSG(status.ok(), status.ToString());
  PITH_FUZZ_CHECK(inputs.bundle_key_lists.empty());

  // What the reader must have produced, line by line.
  std::map<std::string, std::vector<pith::json::Value>> want;
  size_t want_bad = 0;
  std::string_view text = pith::fuzz::AsView(data, size);
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto doc = pith::json::Parse(line);
    const std::string* subject = doc.ok() ? doc->FindString("subject_pith_number") : nullptr;
    if (subject == nullptr) {
      ++want_bad;
      continue;
    }
    want[*subject].push_back(std::move(*doc));
  }
  PITH_FUZZ_CHECK(inputs.bad_lines == want_bad);
  PITH_FUZZ_CHECK(inputs.by_subject == want);
  return 0;
}
