// relay/src/domain/api_key.hpp: API keys as the domain sees them (scopes and lifecycle). The
// rules (what each scope allows, how keys are stored and checked) are documented in
// store/api_keys.hpp (SQLite) and enforced by the relay's HTTP layer. Plain values; no function
// throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley::relay {

// A set of scopes (a small bitset).
struct ApiScopes {
  enum Bit : std::uint8_t { sync = 1, read = 2, write = 4, admin = 8 };
  std::uint8_t bits = 0;

  static constexpr ApiScopes all() { return ApiScopes{sync | read | write | admin}; }
  constexpr bool has(Bit b) const { return (bits & b) != 0; }
  constexpr bool empty() const { return bits == 0; }
  constexpr ApiScopes with(Bit b) const { return ApiScopes{static_cast<std::uint8_t>(bits | b)}; }
  friend constexpr bool operator==(ApiScopes a, ApiScopes b) { return a.bits == b.bits; }

  // "sync,read" (any order, spaces around names ignored, duplicates allowed) -> scopes.
  // An empty list, an empty name or an unknown name is ErrorCode::bad_field (field "scopes").
  static Result<ApiScopes> parse(std::string_view text);
  // Canonical text: the names present, in the order sync,read,write,admin ("" when empty).
  std::string format() const;
};

struct ApiKey {
  std::string id;         // "key_..." (public: listings, revocation, audit)
  std::string tenant_id;
  std::string name;
  ApiScopes scopes;
  Millis created_at = 0;
  Millis last_used_at = 0;  // 0 = never used
  Millis revoked_at = 0;    // 0 = active
  bool revoked() const { return revoked_at != 0; }
};

}  // namespace parley::relay
