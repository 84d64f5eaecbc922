#include "event_inputs.h"

#include <cstdio>

#include "cli_common.h"
#include "pith/line_reader.h"
#include "pith/merge.h"

namespace pith::cli {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void ReadJsonLines(const std::string& path, std::string_view text, EventInputs* out) {
  size_t line_number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_number;
    if (IsBlankLine(line)) continue;
    json::ParseError where;
    auto doc = json::Parse(line, {}, &where);
    std::string at = path + ":" + std::to_string(line_number);
    if (!doc.ok()) {
      ReportError(at + ":" + std::to_string(where.column), where.what);
      ++out->bad_lines;
      continue;
    }
    const std::string* subject = doc->FindString("subject_pith_number");
    if (subject == nullptr) {
      ReportError(at, "event has no subject_pith_number string; it belongs to no subject and is skipped");
      ++out->bad_lines;
      continue;
    }
    out->by_subject[*subject].push_back(std::move(*doc));
  }
}

}  // namespace

bool IsJsonLinesPath(std::string_view path) { return EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson"); }

Result<Shard> ParseShard(const std::string& text) {
  Shard shard;
  if (text.empty()) return shard;
  unsigned long index = 0, count = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%lu/%lu%c", &index, &count, &extra) != 2 || count == 0 || index >= count ||
      count > 1000000) {
    return Status::InvalidInput("expected I/N with 0 <= I < N, got \"" + text + "\"");
  }
  shard.index = static_cast<uint32_t>(index);
  shard.count = static_cast<uint32_t>(count);
  return shard;
}

Status ReadEventInput(const std::string& path, EventInputs* out) {
  auto text = ReadInput(path);
  if (!text.ok()) return text.status().WithPrefix(path);
  if (IsJsonLinesPath(path)) {
    ReadJsonLines(path, *text, out);
    return Status::OK();
  }
  json::ParseError where;
  auto doc = json::Parse(*text, {}, &where);
  if (!doc.ok()) return ParseFailure(path, where);
  const std::string* number = doc->FindString("pith_number");
  const json::Value* events = doc->Find("events");
  if (number == nullptr || events == nullptr || !events->is_array()) {
    return Status::InvalidInput(path + ": not a bundle (no pith_number and events array) and not a .jsonl file");
  }
  if (events->items().size() > kMaxEventsPerBundle) {
    return Status::InvalidInput(path + ": bundle carries " + std::to_string(events->items().size()) +
                                " events; the limit is " + std::to_string(kMaxEventsPerBundle));
  }
  auto& docs = out->by_subject[*number];
  docs.insert(docs.end(), events->items().begin(), events->items().end());
  if (const json::Value* keys = doc->Find("public_keys")) out->bundle_key_lists.push_back(*keys);
  return Status::OK();
}

Result<TrustedKeys> LoadTrustedKeys(const std::vector<std::string>& key_files, const EventInputs* bundles_to_trust) {
  TrustedKeys keys = TrustedKeys::Defaults();
  for (const std::string& path : key_files) {
    auto doc = ReadJsonFile(path);
    if (!doc.ok()) return doc.status();
    Status s = keys.AddFromJson(*doc);
    if (!s.ok()) return s.WithPrefix(path);
  }
  if (bundles_to_trust != nullptr) {
    for (const json::Value& list : bundles_to_trust->bundle_key_lists) {
      Status s = keys.AddFromJson(list);
      if (!s.ok()) return s.WithPrefix("bundle public_keys");
    }
  }
  return keys;
}

}  // namespace pith::cli
