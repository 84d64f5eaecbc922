// `pith-merge canon` and `pith-merge hash`: the canonical form of JSON documents and its SHA-256.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "pith/hash.h"
#include "pith/json.h"

namespace pith::cli {
namespace {

struct CanonOptions {
  std::string input = "-";
  bool lines = false;
};

// Writes canon(doc) (canon) or its hex sha256 (hash) for one document or for each line.
int RunCanon(const CanonOptions& opts, bool hash) {
  auto text = ReadInput(opts.input);
  if (!text.ok()) return Fail(opts.input, text.status());
  auto render = [hash](const json::Value& doc) {
    std::string canon = json::Canonical(doc);
    return hash ? Sha256Hex(canon) : canon;
  };
  std::string out;
  if (!opts.lines) {
    json::ParseError where;
    auto doc = json::Parse(*text, {}, &where);
    if (!doc.ok()) return Fail("", ParseFailure(opts.input, where));
    out = render(*doc);
    if (hash) out.push_back('\n');
    std::cout << out << std::flush;
    return kExitOk;
  }
  int exit_code = kExitOk;
  std::string_view rest = *text;
  size_t line_number = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line_number;
    json::ParseError where;
    auto doc = json::Parse(line, {}, &where);
    if (doc.ok()) {
      out += render(*doc);
    } else {
      ReportError(opts.input + ":" + std::to_string(line_number) + ":" + std::to_string(where.column), where.what);
      exit_code = kExitBadInput;
    }
    out.push_back('\n');
    if (out.size() > (1u << 20)) {
      std::cout << out;
      out.clear();
    }
  }
  std::cout << out << std::flush;
  return exit_code;
}

void Register(CLI::App& app, int* exit_code, const char* name, const char* help, bool hash) {
  auto opts = std::make_shared<CanonOptions>();
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("input", opts->input, "JSON file, or - for standard input")->capture_default_str();
  cmd->add_flag("--lines", opts->lines,
                "each input line is a document; each output line is its result (an invalid line gets its "
                "error on stderr and an empty output line, and the exit code is 2)");
  cmd->callback([opts, exit_code, hash] { *exit_code = RunCanon(*opts, hash); });
}

}  // namespace

void RegisterCanonCommands(CLI::App& app, int* exit_code) {
  Register(app, exit_code, "canon",
           "write canon(doc): sorted keys, no whitespace, Python's escapes and float repr, UTF-8 "
           "(no trailing newline unless --lines)",
           false);
  Register(app, exit_code, "hash", "print the hex SHA-256 of canon(doc)", true);
}

}  // namespace pith::cli
