// relay/src/domain/api_key.cpp: scope lists <-> text (see api_key.hpp).
#include "domain/api_key.hpp"

namespace parley::relay {

namespace {

constexpr struct {
  ApiScopes::Bit bit;
  const char* name;
} kScopeNames[] = {
    {ApiScopes::sync, "sync"},
    {ApiScopes::read, "read"},
    {ApiScopes::write, "write"},
    {ApiScopes::admin, "admin"},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ApiScopes> ApiScopes::parse(std::string_view text) {
  ApiScopes out;
  if (trim(text).empty()) return make_error(ErrorCode::bad_field, "a key needs at least one scope", "scopes");
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    const std::string_view name =
        trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    bool known = false;
    for (const auto& s : kScopeNames) {
      if (name == s.name) {
        out = out.with(s.bit);
        known = true;
      }
    }
    if (!known) {
      return make_error(ErrorCode::bad_field,
                        name.empty() ? std::string("empty scope name")
                                     : "unknown scope '" + std::string(name) + "' (sync, read, write, admin)",
                        "scopes");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string ApiScopes::format() const {
  std::string out;
  for (const auto& s : kScopeNames) {
    if (!has(s.bit)) continue;
    if (!out.empty()) out += ',';
    out += s.name;
  }
  return out;
}

}  // namespace parley::relay
