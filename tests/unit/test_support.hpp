// Helpers shared by the unit tests. The WebAssembly build has no exceptions, so a failed REQUIRE
// does not stop a test there: these helpers record the failure and hand back a default value
// instead of touching an empty Result (which would abort the whole run).
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "parley/conversation.hpp"
#include "parley/result.hpp"

namespace parley::test {

// The value of `r`; records a failure (naming the error) when it holds an error.
template <class T>
T value_of(Result<T> r) {
  if (!r.ok()) {
    FAIL_CHECK("unexpected error: " << to_string(r.error().code) << ": " << r.error().message);
    return T{};
  }
  return std::move(r).value();
}

// The error of `r`; records a failure when it holds a value.
template <class T>
Error error_of(const Result<T>& r) {
  if (r.ok()) {
    FAIL_CHECK("expected an error, got a value");
    return Error{ErrorCode::internal, "(no error)", ""};
  }
  return r.error();
}

// Wire name of an error code: failures then print "bad_json" rather than a number.
inline std::string code_of(const Error& e) { return std::string(to_string(e.code)); }

inline std::vector<std::string> types_of(const std::vector<Event>& events) {
  std::vector<std::string> types;
  for (const Event& e : events) types.push_back(e.type);
  return types;
}

}  // namespace parley::test
