// Status and Result<T>: errors as values at every module boundary.
//
// A Status is either OK or a code plus a human-readable message. A Result<T> holds a T or a
// non-OK Status. Neither throws. The code decides how the CLI exits (see ExitCodeFor in tools/).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pith {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidInput,        // malformed or unacceptable input (bad JSON, bad key file, limits)
    kVerificationFailed,  // input is well formed but a hash, signature or rule check failed
    kNotFound,            // a named thing (file, key, subject) does not exist
    kIOError,             // the operating system refused a read or write
    kCorruption,          // stored data does not match what was written
    kUnsupported,         // a version or algorithm this build does not know
    kBusy,                // a resource is held by someone else (a store in use)
    kInternal,            // a bug: an invariant did not hold
  };

  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidInput(std::string_view msg) { return Status(Code::kInvalidInput, msg); }
  static Status VerificationFailed(std::string_view msg) { return Status(Code::kVerificationFailed, msg); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status Unsupported(std::string_view msg) { return Status(Code::kUnsupported, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status Internal(std::string_view msg) { return Status(Code::kInternal, msg); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid input: what" style text for logs.
  std::string ToString() const;

  // A copy whose message is "prefix: message" (same code).
  Status WithPrefix(std::string_view prefix) const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) { assert(!status_.ok()); }  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace pith

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define PITH_RETURN_IF_ERROR(expr)              \
  do {                                          \
    ::pith::Status pith_status_tmp_ = (expr);   \
    if (!pith_status_tmp_.ok()) return pith_status_tmp_; \
  } while (0)
