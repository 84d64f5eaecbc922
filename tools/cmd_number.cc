// `pith-merge number`: the pith number, short forms, canonical hash and aliases of a record.
#include <iostream>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "pith/identity.h"

namespace pith::cli {
namespace {

constexpr std::string_view kRecordPageMarker = "Canonical record JSON";

struct NumberOptions {
  std::vector<std::string> inputs;
  bool json = false;
};

struct RecordInput {
  json::Value record;
  std::optional<std::string> created_at;  // from a bundle's record_created event
};

// A bundle, a bare canonical record, or a record page whose JSON follows kRecordPageMarker.
Result<RecordInput> LoadRecord(const std::string& path) {
  auto text = ReadInput(path);
  if (!text.ok()) return text.status().WithPrefix(path);
  std::string_view body = *text;
  size_t base_line = 0;
  if (size_t marker = body.find(kRecordPageMarker); marker != std::string_view::npos && body.front() != '{') {
    size_t start = body.find('\n', marker);
    if (start == std::string_view::npos) return Status::InvalidInput(path + ": nothing after \"Canonical record JSON\"");
    for (size_t i = 0; i <= start; ++i) base_line += body[i] == '\n';
    body = body.substr(start + 1);
  }
  json::ParseError where;
  auto doc = json::Parse(body, {}, &where);
  if (!doc.ok()) {
    return Status::InvalidInput(path + ":" + std::to_string(where.line + base_line) + ":" +
                                std::to_string(where.column) + ": " + where.what);
  }
  RecordInput in;
  if (const json::Value* record = doc->Find("canonical_record")) {
    in.record = *record;
    if (const json::Value* events = doc->Find("events"); events && events->is_array()) {
      for (const json::Value& e : events->items()) {
        const std::string* type = e.FindString("event_type");
        if (type && *type == "record_created") {
          if (const std::string* at = e.FindString("created_at")) in.created_at = *at;
        }
      }
    }
  } else {
    in.record = std::move(*doc);
  }
  return in;
}

int RunNumber(const NumberOptions& opts) {
  int exit_code = kExitOk;
  for (const std::string& path : opts.inputs) {
    auto in = LoadRecord(path);
    if (!in.ok()) {
      exit_code = Fail("", in.status());
      continue;
    }
    auto id = DeriveRecordIdentity(in->record);
    if (!id.ok()) {
      exit_code = Fail(path, id.status());
      continue;
    }
    if (opts.json) {
      json::Value out = json::Value::Object({
          {"pith_number", json::Value::String(id->pith_number)},
          {"short_pith_number", json::Value::String(id->short_pith_number)},
          {"canonical_sha256", json::Value::String(id->canonical_sha256)},
          {"source_aliases", SourceAliasesJson(id->aliases, in->created_at)},
      });
      std::cout << json::Canonical(out) << '\n';
      continue;
    }
    std::cout << path << '\n'
              << "  pith_number        " << id->pith_number << '\n'
              << "  short_pith_number  " << id->short_pith_number << '\n'
              << "  canonical_sha256   " << id->canonical_sha256 << '\n';
    for (const SourceAlias& a : id->aliases) {
      std::cout << "  alias " << a.kind << std::string(a.kind.size() < 13 ? 13 - a.kind.size() : 1, ' ') << a.value
                << '\n';
    }
  }
  std::cout << std::flush;
  return exit_code;
}

}  // namespace

void RegisterNumberCommand(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<NumberOptions>();
  CLI::App* cmd = app.add_subcommand(
      "number", "print the pith number, short form, canonical_sha256 and source aliases of a canonical record, "
                "a bundle, or a record page");
  cmd->add_option("inputs", opts->inputs, "record, bundle or record-page files (- for standard input)")->required();
  cmd->add_flag("--json", opts->json,
                "one canonical JSON object per input: pith_number, short_pith_number, canonical_sha256, "
                "source_aliases");
  cmd->callback([opts, exit_code] { *exit_code = RunNumber(*opts); });
}

}  // namespace pith::cli
