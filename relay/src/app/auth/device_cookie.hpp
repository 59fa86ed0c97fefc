// relay/src/app/auth/device_cookie.hpp: a device token proving "this browser logged in successfully
// as USER before". The hub sets it (cookie kDeviceCookieName, HttpOnly, SameSite=Strict, Secure
// over https, Max-Age kDeviceCookieMaxAgeMs) after a successful login and passes
// `trusted_device = verify(...)` to LoginLimiter::begin, so a stranger's failed logins for the same
// user name do not slow this browser.
//
// Token: "d1.<issued_at unix ms>.<hex HMAC-SHA-256>" where the HMAC is keyed with the server secret
// and covers "parley-device-v1\n" + lower-cased user name + "\n" + issued_at. It is not a session
// (it grants nothing but a better place in the login queue) and carries no secret of the user; it
// is bound to one user name, so a cookie for "ann" does nothing for "admin".
//
// Threads: pure functions, any thread. load_or_create_secret does file I/O (start-up only).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parley/result.hpp"

namespace parley::relay::auth {

inline constexpr const char* kDeviceCookieName = "parley_device";
inline constexpr std::int64_t kDeviceCookieMaxAgeMs = 180LL * 24 * 3600 * 1000;  // 180 days

// A token for `username` issued at `now_ms` (unix ms).
std::string issue_device_token(std::string_view secret, std::string_view username, std::int64_t now_ms);

// True when `token` was issued with `secret` for `username` (compared lower-cased), not more than
// `max_age_ms` before `now_ms` and not more than a minute after it (clock skew). Malformed tokens,
// other user names, other secrets and an empty secret are false. The MAC is compared in constant
// time.
bool verify_device_token(std::string_view secret, std::string_view token, std::string_view username,
                         std::int64_t now_ms, std::int64_t max_age_ms = kDeviceCookieMaxAgeMs);

// The server secret kept in `path` (e.g. DATA_DIR/device-secret): read when the file exists,
// otherwise 32 random bytes (43 base64url characters) written to a new file of mode 0600 (created
// exclusively, so two processes starting together agree). Errors: the file cannot be read or
// created (ErrorCode::internal), or it exists but does not hold a secret of this format.
Result<std::string> load_or_create_secret(const std::string& path);

}  // namespace parley::relay::auth
