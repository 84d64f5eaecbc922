// Reading a document that is already in canonical form without building a value tree.
//
// Most event lines are written canonically (canon(doc), as every Pith producer writes them). For such
// a line the parser's value tree and canon's rewrite are both wasted: CanonicalText proves (string
// bodies judged 64 bytes at a time, then one walk outside them) that the line is exactly
// canon(Parse(line)), and then its bytes are the canonical bytes to hash, its member spans come
// from the walk, and Views read its members in place. A line it cannot prove (whitespace, unsorted
// keys, an escape canon would not write, an escaped key, ...) takes the ordinary path: Parse, then
// canon. Both paths give the same bytes and the same answers (fuzz_json checks that everything
// proven parses and re-canonicalises to itself).
#pragma once

#include <cstdint>
#include <forward_list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pith/json.h"

namespace pith::json {

class CanonicalText;

// One value inside a proven canonical text; it views that text (and the CanonicalText it came from,
// which must outlive it). The accessors mirror json::Value's, returning views and optionals where
// Value returns references and pointers.
class View : public KindQueries<View> {
 public:
  Kind kind() const { return kind_; }

  bool as_bool() const { return raw().front() == 't'; }
  // A string's decoded bytes, or a number's canonical text (its bytes as written).
  std::string_view text() const;
  // The value's canonical bytes.
  std::string_view raw() const;

  // The member named `key` of an object, or nothing (also for non-objects).
  std::optional<View> Find(std::string_view key) const;
  std::optional<std::string_view> FindString(std::string_view key) const;
  std::vector<View> items() const;  // an array's elements (empty for non-arrays)

  // The same value as a tree (parsing raw(), which cannot fail), for code that needs one.
  Value ToValue() const;

 private:
  friend class CanonicalText;
  View(const CanonicalText* doc, size_t begin, size_t end);

  const CanonicalText* doc_;
  uint32_t begin_;
  uint32_t end_;
  Kind kind_;
};

// A text scanned once for being canonical. When proven() it is canon(x) for an object x that
// Parse(text, limits) accepts, and root() reads x. Not copyable or movable (Views point at it).
// Several threads may read it at once (an escaped string read is decoded into storage kept here,
// under a lock).
class CanonicalText {
 public:
  explicit CanonicalText(std::string_view text, const ParseLimits& limits = {});
  CanonicalText(const CanonicalText&) = delete;
  CanonicalText& operator=(const CanonicalText&) = delete;

  // False means only "not proven canonical": the text may still be a valid document.
  bool proven() const { return proven_; }
  std::string_view text() const { return text_; }
  // The object's members in key order, as AppendCanonicalObject gives them (keys view the text).
  const std::vector<MemberSpan>& spans() const { return spans_; }
  View root() const;  // requires proven()

  // The scan's index of the root's object members: where the members of each lie in one array.
  struct NestedObject {
    uint32_t begin;  // the object's '{'
    uint32_t first;
    uint32_t count;
  };

 private:
  friend class View;
  // The members of the object at `begin` when the scan indexed it (the root and its objects), else
  // nothing (deeper objects are walked).
  std::optional<std::pair<const MemberSpan*, const MemberSpan*>> IndexedMembers(size_t begin) const;
  std::string_view Decode(std::string_view escaped) const;

  std::string_view text_;
  std::vector<MemberSpan> spans_;         // the root's members
  std::vector<MemberSpan> nested_spans_;  // the members of the root's objects, object after object
  std::vector<NestedObject> nested_;
  bool proven_ = false;
  mutable std::mutex decoded_mutex_;
  mutable std::forward_list<std::string> decoded_;  // guarded by decoded_mutex_
};

// Bytes held together with their CanonicalText, so that what the proof views can neither move nor
// change: a proof made once (by a reader of lines) can be handed on with its bytes and trusted
// (pith::IncomingEvent::FromCanonical). Always proven under the default ParseLimits, the ones
// every reader of a document assumes. Neither copyable nor movable; share it by pointer.
class CanonicalDocument {
 public:
  explicit CanonicalDocument(std::string bytes) : bytes_(std::move(bytes)), proof_(bytes_) {}
  CanonicalDocument(const CanonicalDocument&) = delete;
  CanonicalDocument& operator=(const CanonicalDocument&) = delete;

  const std::string& bytes() const { return bytes_; }
  const CanonicalText& proof() const { return proof_; }  // of bytes(); proof().proven() may be false

 private:
  const std::string bytes_;  // declared before proof_, which views it
  const CanonicalText proof_;
};

}  // namespace pith::json
