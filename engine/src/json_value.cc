// The JSON value model: construction and lookup.
#include <algorithm>
#include <cassert>
#include <cstdlib>

#include "pith/json.h"

namespace pith::json {

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Integer(int64_t i) {
  return NumberText(Kind::kInteger, std::to_string(i));
}

Value Value::Float(double d) {
  return NumberText(Kind::kFloat, FloatRepr(d));
}

Value Value::NumberText(Kind kind, std::string canonical_text) {
  Value v;
  v.kind_ = kind;
  v.text_ = std::move(canonical_text);
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  return v;
}

Value Value::Array(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kArray;
  v.items_ = std::move(items);
  return v;
}

Value Value::Object(std::vector<Member> members) {
  Value v;
  v.kind_ = Kind::kObject;
  v.members_ = std::move(members);
  auto by_key = [](const Member& a, const Member& b) { return a.first < b.first; };
  if (!std::is_sorted(v.members_.begin(), v.members_.end(), by_key)) {
    std::sort(v.members_.begin(), v.members_.end(), by_key);
  }
  for (size_t i = 1; i < v.members_.size(); ++i) {
    if (v.members_[i - 1].first == v.members_[i].first) {
      // Two members under one key would break canonical form: a bug in the caller.
      std::abort();
    }
  }
  return v;
}

bool Value::as_int64(int64_t* out) const {
  if (kind_ != Kind::kInteger || text_.empty() || text_.size() > 20) return false;
  errno = 0;
  char* end = nullptr;
  long long parsed = std::strtoll(text_.c_str(), &end, 10);
  if (errno != 0 || end != text_.c_str() + text_.size()) return false;
  *out = parsed;
  return true;
}

const Value* Value::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) return nullptr;
  auto it = std::lower_bound(members_.begin(), members_.end(), key,
                             [](const Member& m, std::string_view k) { return m.first < k; });
  if (it == members_.end() || it->first != key) return nullptr;
  return &it->second;
}

const std::string* Value::FindString(std::string_view key) const {
  const Value* v = Find(key);
  return (v != nullptr && v->is_string()) ? &v->text() : nullptr;
}

Value Value::Without(std::string_view key) const { return Without({key}); }

Value Value::Without(std::initializer_list<std::string_view> keys) const {
  assert(kind_ == Kind::kObject);
  Value v;
  v.kind_ = Kind::kObject;
  v.members_.reserve(members_.size());
  for (const Member& m : members_) {
    if (std::find(keys.begin(), keys.end(), m.first) == keys.end()) v.members_.push_back(m);
  }
  return v;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Kind::kNull: return true;
    case Kind::kBool: return a.bool_ == b.bool_;
    case Kind::kInteger:
    case Kind::kFloat:
    case Kind::kString: return a.text_ == b.text_;
    case Kind::kArray: return a.items_ == b.items_;
    case Kind::kObject: return a.members_ == b.members_;
  }
  return false;
}

}  // namespace pith::json
