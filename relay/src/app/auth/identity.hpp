// relay/src/app/auth/identity.hpp: who a staff request or socket acts as.
#pragma once

#include <string>

#include "parley/model.hpp"
#include "domain/types.hpp"
#include "store/api_keys.hpp"

namespace parley::relay {

// A logged-in staff member as seen by HTTP handlers and staff connections, or an API key acting
// through the synthetic user "api" of its tenant.
struct StaffIdentity {
  User user;                 // password_hash cleared
  std::string session_hash;  // sha256 hex of the session cookie ("" for API-key callers)
  Millis expires_at = 0;
  bool api_key = false;
  std::string api_key_id;
  ApiScopes scopes;  // API keys only (a session's role decides what it may do)
};

}  // namespace parley::relay
