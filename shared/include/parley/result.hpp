// parley/result.hpp: the one error type of the shared library, and Result<T>.
//
// Nothing in shared/ throws across its boundary: every fallible function returns a Result<T>
// holding either a value or an Error with a stable machine-readable code (see ErrorCode) and a
// human-readable message. Codes are part of the wire protocol (docs/protocol.md): never rename one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace parley {

enum class ErrorCode {
  // Decoding (the frame was read, its content is wrong). The connection stays usable.
  bad_json,          // not JSON, or not a JSON object
  bad_version,       // "v" missing or not a supported protocol version
  unknown_type,      // "type" names no command
  missing_field,     // a required field is absent
  bad_field,         // a field has the wrong JSON type or an invalid value
  text_too_long,     // a text field is longer than its limit (code points)
  bad_unicode,       // a lone UTF-16 surrogate escape, or invalid UTF-8 inside a string
  // Authorisation and addressing.
  unauthorized,      // no identity yet (send hello first / log in)
  forbidden,         // identity known, operation not allowed for it
  blocked,           // (issue 9) staff blocked this visitor (by contact or address): nothing was stored
  not_found,         // no such conversation visible to this identity (never "exists but not yours")
  // State.
  invalid_transition,  // the conversation's status does not allow this
  already_assigned,    // another agent accepted first
  not_assigned,        // the agent is not the assignee
  // Limits and service.
  rate_limited,
  unavailable,       // the store refuses writes (failed commit); nothing was stored
  busy,              // the database was busy (another process held it); nothing was stored; retry
  internal,
};

std::string_view to_string(ErrorCode code);
// The code named by its wire string; nullopt for a name this version does not know.
std::optional<ErrorCode> parse_error_code(std::string_view name);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;  // for people; not stable
  std::string field;    // the offending field, when there is one ("" otherwise)
};

inline Error make_error(ErrorCode code, std::string message, std::string field = {}) {
  return Error{code, std::move(message), std::move(field)};
}

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace parley
