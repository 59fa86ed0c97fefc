// Wire names of error codes (parley/result.hpp). The names are the enum's own: never rename one.
#include "parley/result.hpp"

#include <array>

namespace parley {
namespace {

// Indexed by ErrorCode; same order as the enum.
constexpr std::array<std::string_view, 18> kErrorCodeNames = {
    "bad_json",     "bad_version",  "unknown_type", "missing_field", "bad_field",          "text_too_long",
    "bad_unicode",  "unauthorized", "forbidden",    "blocked",       "not_found",          "invalid_transition",
    "already_assigned",
    "not_assigned", "rate_limited", "unavailable",  "busy",          "internal",
};
static_assert(static_cast<std::size_t>(ErrorCode::internal) + 1 == kErrorCodeNames.size(),
              "kErrorCodeNames must name every ErrorCode");

}  // namespace

std::string_view to_string(ErrorCode code) {
  const auto index = static_cast<std::size_t>(code);
  return index < kErrorCodeNames.size() ? kErrorCodeNames[index] : "internal";
}

std::optional<ErrorCode> parse_error_code(std::string_view name) {
  for (std::size_t i = 0; i < kErrorCodeNames.size(); ++i) {
    if (kErrorCodeNames[i] == name) return static_cast<ErrorCode>(i);
  }
  return std::nullopt;
}

}  // namespace parley
