#include "pith/identity.h"

#include <algorithm>

#include "pith/codec.h"
#include "pith/hash.h"

namespace pith {
namespace {

// A source field's text: strings as they are, integers as written.
std::optional<std::string> ScalarText(const json::Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string() || v->is_integer()) return v->text();
  return std::nullopt;
}

}  // namespace

Result<RecordIdentity> DerivePithNumber(const json::Value& record) {
  if (!record.is_object()) return Status::InvalidInput("canonical record is not a JSON object");
  const json::Value* metadata = record.Find("metadata");
  const std::string* submitted = metadata ? metadata->FindString("submitted_at") : nullptr;
  if (submitted == nullptr || submitted->size() < 4 ||
      !std::all_of(submitted->begin(), submitted->begin() + 4, [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidInput("canonical record has no metadata.submitted_at starting with a 4-digit year");
  }
  RecordIdentity out;
  out.canonical_digest = Sha256(json::Canonical(record));
  out.canonical_sha256 = DigestHex(out.canonical_digest);
  std::string b32 = Base32Encode(out.canonical_digest.data(), out.canonical_digest.size()).substr(0, 26);
  out.pith_number = "pith:" + submitted->substr(0, 4) + ":" + b32;
  out.short_pith_number = "pith:" + b32.substr(0, 8);
  return out;
}

Result<RecordIdentity> DeriveRecordIdentity(const json::Value& record) {
  auto number = DerivePithNumber(record);
  if (!number.ok()) return number.status();
  const json::Value* source = record.Find("source");
  const std::string* kind = source ? source->FindString("kind") : nullptr;
  const std::string* id = source ? source->FindString("id") : nullptr;
  if (kind == nullptr || id == nullptr) {
    return Status::InvalidInput("canonical record has no source.kind and source.id strings");
  }

  RecordIdentity out = std::move(*number);
  const std::string b32 = out.pith_number.substr(out.pith_number.rfind(':') + 1);
  if (*kind == "arxiv") {
    out.aliases.push_back({"arxiv", *id});
    if (auto version = ScalarText(source->Find("version"))) {
      out.aliases.push_back({"arxiv_version", *id + "v" + *version});
    }
    out.aliases.push_back({"doi", "10.48550/arxiv." + *id});
  }
  out.aliases.push_back({"pith_short_8", b32.substr(0, 8)});
  out.aliases.push_back({"pith_short_12", b32.substr(0, 12)});
  out.aliases.push_back({"pith_short_16", b32.substr(0, 16)});
  std::sort(out.aliases.begin(), out.aliases.end(),
            [](const SourceAlias& a, const SourceAlias& b) { return a.kind < b.kind; });
  return out;
}

json::Value SourceAliasesJson(const std::vector<SourceAlias>& aliases, const std::optional<std::string>& created_at) {
  std::vector<json::Value> items;
  items.reserve(aliases.size());
  for (const SourceAlias& a : aliases) {
    std::vector<json::Value::Member> m = {{"alias_kind", json::Value::String(a.kind)},
                                          {"alias_value", json::Value::String(a.value)}};
    if (created_at) m.emplace_back("created_at", json::Value::String(*created_at));
    items.push_back(json::Value::Object(std::move(m)));
  }
  return json::Value::Array(std::move(items));
}

namespace {
bool IsUnhashedKey(std::string_view key) {
  return std::find(std::begin(kEventUnhashedKeys), std::end(kEventUnhashedKeys), key) != std::end(kEventUnhashedKeys);
}

// sha256 of canon(event) minus the unhashed members, from canon(event) and its member spans: the
// hashed members are streamed in runs of neighbours (with the commas between them), not copied.
Digest ContentDigestOf(std::string_view canonical, const std::vector<json::MemberSpan>& spans) {
  Sha256Stream content;
  content.Update("{");
  bool first = true;
  size_t run_begin = 0, run_end = 0;  // the run of hashed neighbours not streamed yet (none: 0, 0)
  auto stream_run = [&] {
    if (run_end == 0) return;
    if (!first) content.Update(",");
    content.Update(canonical.substr(run_begin, run_end - run_begin));
    first = false;
  };
  for (const json::MemberSpan& m : spans) {
    if (IsUnhashedKey(m.key)) continue;
    if (run_end != 0 && m.begin == run_end + 1) {  // the next member after a comma: the run goes on
      run_end = m.end;
      continue;
    }
    stream_run();
    run_begin = m.begin;
    run_end = m.end;
  }
  stream_run();
  content.Update("}");
  return content.Final();
}
}  // namespace

Digest EventContentDigestOf(std::string_view canonical, const std::vector<json::MemberSpan>& spans) {
  return ContentDigestOf(canonical, spans);
}

Digest EventContentDigest(const json::Value& event) {
  std::string canonical;
  std::vector<json::MemberSpan> spans;
  json::AppendCanonicalObject(event, &canonical, &spans);
  return ContentDigestOf(canonical, spans);
}

}  // namespace pith
