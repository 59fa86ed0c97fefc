// relay/src/app/auth/sessions.hpp: staff sessions, logins, API keys and their revocation.
//
// Loop thread only (argon2 runs on the HashPool's own thread, never on the loop or the REST
// worker pool; results are posted back). Caches are bounded; a miss costs one indexed read.
//
// Revocation is immediate: logout, a password change, disabling a user and revoking a key made
// through this relay take effect at once; changes made by another process (parleyctl) arrive
// through the change watcher (app/change_watch.hpp), which calls forget_user()/forget_keys(),
// so a stale cache never outlives a change by more than the watcher's period (250 ms).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "app/auth/hash_pool.hpp"
#include "app/auth/identity.hpp"
#include "app/auth/login_limiter.hpp"
#include "net/server.hpp"
#include "parley/result.hpp"

namespace parley::relay {

struct HubState;

struct LoginResult {
  std::string token;         // cookie value; never logged or stored
  std::string device_token;  // the device cookie to set (proves this browser logged in before)
  User user;                 // password_hash cleared
  Millis expires_at = 0;
};
struct LoginError {
  int http_status = 401;  // 400 bad input, 401 wrong credentials, 429 rate limited, 503 busy/store
  std::string code;       // "unauthorized", "rate_limited", "bad_field", "unavailable", "busy"
  std::string message;
  int retry_after_s = 0;  // for 429 / 503
};

struct AuthCounters {
  std::uint64_t hash_jobs_queued = 0;    // argon2 jobs handed to the hash pool
  std::uint64_t hash_jobs_rejected = 0;  // refused because the pool was full (answered busy)
  std::uint64_t session_reads = 0;       // session cache misses (one indexed read each)
};

class Sessions {
 public:
  static constexpr const char* kCookie = "parley_session";
  static constexpr const char* kDeviceCookie = "parley_device";
  explicit Sessions(HubState& hub);
  ~Sessions();

  // Reads the device-cookie secret (data_dir/device.key, created on first start).
  void start();
  void stop();

  // The staff member behind the request's session cookie (valid, unexpired, user enabled).
  std::optional<StaffIdentity> authenticate(const HttpRequest& req);
  std::optional<StaffIdentity> by_hash(const std::string& token_hash);
  // The API key of the request (Authorization: Bearer / X-Api-Key): its identity (synthetic
  // user "api" of the key's tenant, role admin for the role checks, `scopes` for the scope
  // checks), or an error: unauthorized (unknown, revoked) .
  Result<StaffIdentity> api_key(const std::string& key);

  void login(const HttpRequest& req, const std::string& username, const std::string& password,
             std::function<void(Result<LoginResult>, std::optional<LoginError>)> cb);
  // Deletes the session of `token` (cookie value) and closes its sockets (1008 "logged out") at
  // once; the session is refused from this call on, and `done` runs once the delete committed.
  void logout(const std::string& token, std::function<void(std::optional<Error>)> done);
  // Deletes every session of `user_id` except `keep_session_hash` ("" = all) and closes their
  // sockets at once (password change, user disabled).
  void revoke_user(const std::string& user_id, const std::string& keep_session_hash,
                   std::function<void(std::optional<Error>)> done);
  void create_user(const std::string& tenant_id, const std::string& username, const std::string& display_name,
                   StaffRole role, const std::string& password, std::function<void(Result<User>)> cb);
  // Verifies `current` and sets `next` (both hashed on the hash pool), revoking the user's other
  // sessions. forbidden when `current` is wrong.
  void change_password(const StaffIdentity& who, const std::string& current, const std::string& next,
                       std::function<void(std::optional<Error>)> cb);
  void create_api_key(const std::string& tenant_id, const std::string& name, ApiScopes scopes,
                      std::function<void(Result<std::pair<ApiKey, std::string>>)> cb);
  void revoke_api_key(const std::string& tenant_id, const std::string& id,
                      std::function<void(std::optional<Error>)> cb);

  // Issue 9 (app/staff_access/): hashes `password` on the hash pool and runs `done` with the
  // argon2id string on the loop thread ("" when hashing failed). False (done never runs) when the
  // pool is full: answer busy.
  bool hash_password_async(std::string password, std::function<void(std::string hash)> done);

  // Outside changes (the change watcher): drop what is cached about a user / all API keys, and
  // close the sockets whose sessions are gone.
  void recheck_user(const std::string& user_id);
  void forget_keys() { keys_.clear(); }
  // Closes staff sockets whose session expired (the sweep).
  void expire(Millis now);

  const AuthCounters& counters() const { return counters_; }
  const auth::LoginLimiter& limiter() const { return limiter_; }
  const auth::HashPool& hash_pool() const { return *pool_; }

 private:
  void close_session_sockets(const std::string& session_hash, const std::string& reason);
  bool hash_job(std::function<void()> job);

  HubState& hub_;
  std::unordered_map<std::string, StaffIdentity> cache_;  // by token hash
  std::unordered_set<std::string> revoked_;  // logged out, delete not committed yet (kept if it failed)
  std::unordered_map<std::string, std::string> revoking_;  // user id -> the session hash kept
  struct CachedKey {
    ApiKey key;
    Millis touched = 0;  // last_used_at written at most once a minute
  };
  std::unordered_map<std::string, CachedKey> keys_;  // by key hash
  auth::LoginLimiter limiter_;
  std::unique_ptr<auth::HashPool> pool_;
  std::string device_secret_;
  AuthCounters counters_;
};

}  // namespace parley::relay
