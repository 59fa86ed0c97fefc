// Staff sessions, logins and API keys (sessions.hpp).
#include "app/auth/sessions.hpp"

#include <boost/asio/post.hpp>

#include "app/auth/device_cookie.hpp"
#include "app/bootstrap.hpp"
#include "app/hub_state.hpp"
#include "core/log.hpp"
#include "parley/text.hpp"
#include "store/auth.hpp"

namespace asio = boost::asio;

namespace parley::relay {
namespace {
constexpr std::size_t kMaxCachedSessions = 10000;
constexpr std::size_t kMaxCachedKeys = 1000;
constexpr Millis kTouchEveryMs = 60'000;

auth::Millis steady_ms(SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

Sessions::Sessions(HubState& hub) : hub_(hub), pool_(std::make_unique<auth::HashPool>()) {}

Sessions::~Sessions() { stop(); }

void Sessions::start() {
  auto secret = auth::load_or_create_secret(hub_.options.data_dir + "/device-secret");
  if (secret) {
    device_secret_ = std::move(secret).value();
  } else {
    log::warn("no device-cookie secret: every login is treated as from a new browser",
              {{"error", secret.error().message}});
  }
}

void Sessions::stop() {
  if (pool_) pool_->stop();
}

bool Sessions::hash_job(std::function<void()> job) {
  if (!pool_->submit(std::move(job))) {
    ++counters_.hash_jobs_rejected;
    return false;
  }
  ++counters_.hash_jobs_queued;
  return true;
}

std::optional<StaffIdentity> Sessions::by_hash(const std::string& token_hash) {
  const Millis at = hub_.now();
  if (auto it = cache_.find(token_hash); it != cache_.end()) {
    if (it->second.expires_at > at) return it->second;
    cache_.erase(it);
    return std::nullopt;
  }
  if (!hub_.reader || revoked_.count(token_hash)) return std::nullopt;
  ++counters_.session_reads;
  auto s = hub_.reader->find_session(token_hash);
  if (!s || !s->has_value() || (*s)->expires_at <= at) return std::nullopt;
  // The user's sessions are being revoked (delete not committed yet): only the kept one lives.
  if (auto r = revoking_.find((*s)->user_id); r != revoking_.end() && r->second != token_hash) return std::nullopt;
  auto u = hub_.reader->find_user((*s)->user_id);
  if (!u || !u->has_value() || (*u)->disabled) return std::nullopt;
  StaffIdentity who;
  who.user = std::move(**u);
  who.user.password_hash.clear();
  who.session_hash = token_hash;
  who.expires_at = (*s)->expires_at;
  if (cache_.size() >= kMaxCachedSessions) cache_.erase(cache_.begin());  // bounded
  cache_[token_hash] = who;
  return who;
}

std::optional<StaffIdentity> Sessions::authenticate(const HttpRequest& req) {
  const std::string token = req.cookie(kCookie);
  if (token.empty() || token.size() > 200) return std::nullopt;
  return by_hash(sha256_hex(token));
}

Result<StaffIdentity> Sessions::api_key(const std::string& key) {
  if (key.empty() || key.size() > 200) return make_error(ErrorCode::unauthorized, "invalid API key");
  const std::string hash = sha256_hex(key);
  auto it = keys_.find(hash);
  if (it == keys_.end()) {
    if (!hub_.reader) return make_error(ErrorCode::unavailable, "no database reader");
    auto found = hub_.reader->find_api_key_by_hash(hash);
    if (!found) return found.error();
    if (!found->has_value()) return make_error(ErrorCode::unauthorized, "invalid API key");
    if (keys_.size() >= kMaxCachedKeys) keys_.erase(keys_.begin());
    it = keys_.emplace(hash, CachedKey{**found, 0}).first;
  }
  const ApiKey& k = it->second.key;
  if (k.revoked()) return make_error(ErrorCode::unauthorized, "this API key was revoked");
  const Millis at = hub_.now();
  if (at - it->second.touched >= kTouchEveryMs) {
    it->second.touched = at;
    hub_.write({TouchApiKey{k.id, at}}, [](std::optional<Error>) {});
  }
  StaffIdentity who;
  who.api_key = true;
  who.api_key_id = k.id;
  who.scopes = k.scopes;
  who.user.id = "api";
  who.user.tenant_id = k.tenant_id;
  who.user.username = "api";
  who.user.display_name = "API";
  who.user.role = StaffRole::admin;
  return who;
}

void Sessions::login(const HttpRequest& req, const std::string& username, const std::string& password,
                     std::function<void(Result<LoginResult>, std::optional<LoginError>)> cb) {
  auto fail = [&cb](int status, std::string code, std::string message, int retry = 0) {
    cb(make_error(ErrorCode::unauthorized, message), LoginError{status, std::move(code), message, retry});
  };
  if (username.empty() || username.size() > 200 || password.empty() || password.size() > 1000) {
    return fail(400, "bad_field", "username and password are required");
  }
  const Millis wall = hub_.now();
  const bool trusted = !device_secret_.empty() &&
                       auth::verify_device_token(device_secret_, req.cookie(kDeviceCookie), username, wall);
  const std::string addr = auth::login_address_key(req.remote_addr);
  // Counted before any hashing: parallel attempts cannot all be admitted.
  const auth::LoginAdmission adm = limiter_.begin(username, addr, trusted, steady_ms(hub_.steady()));
  if (!adm.admitted) {
    const int retry = static_cast<int>((adm.retry_after_ms + 999) / 1000);
    return fail(429, "rate_limited", "too many login attempts; try again in " + std::to_string(retry) + " s", retry);
  }
  auto state = std::make_shared<std::function<void(Result<LoginResult>, std::optional<LoginError>)>>(std::move(cb));
  const auth::LoginTicket ticket = adm.ticket;
  auto reader = hub_.reader;
  // The user row is read on the loop (one indexed read); only argon2 goes to the hash pool.
  std::optional<User> user;
  bool store_error = reader == nullptr;
  if (reader) {
    auto found = reader->find_user_by_username(username);
    if (!found) store_error = true;
    if (found && found->has_value() && !(*found)->disabled) user = std::move(**found);
  }
  if (store_error) {
    limiter_.abandon(ticket);
    return (*state)(make_error(ErrorCode::unavailable, "store unavailable"),
                    LoginError{503, "unavailable", "the store is unavailable", 0});
  }
  const std::string remote = req.remote_addr;
  auto job = [this, state, ticket, user = std::move(user), password, remote, username]() mutable {
    // An unknown user still costs one verification, so the answer time does not tell which
    // user names exist.
    static const std::string kDummyHash = hash_password("parley-dummy-password");
    const bool ok = user ? verify_password(user->password_hash, password) : (verify_password(kDummyHash, password), false);
    asio::post(hub_.io, [this, state, ticket, ok, user = std::move(user), remote, username]() mutable {
      limiter_.finish(ticket, ok, steady_ms(hub_.steady()));
      auto& cb = *state;
      if (!ok) {
        log::warn("login failed", {{"remote", remote}});
        return cb(make_error(ErrorCode::unauthorized, "wrong username or password"),
                  LoginError{401, "unauthorized", "wrong username or password", 0});
      }
      Session s;
      const std::string token = random_token(32);
      s.token_hash = sha256_hex(token);
      s.user_id = user->id;
      s.created_at = hub_.now();
      s.expires_at = s.created_at + hub_.options.session_ttl_ms;
      user->password_hash.clear();
      std::string device = device_secret_.empty() ? "" : auth::issue_device_token(device_secret_, username, s.created_at);
      hub_.write({InsertSession{s}}, [this, s, token, device, user = std::move(*user),
                                      state](std::optional<Error> err) mutable {
        if (err) {
          return (*state)(*err, LoginError{503, std::string(to_string(err->code)), "could not store the session", 1});
        }
        StaffIdentity who{user, s.token_hash, s.expires_at};
        cache_[s.token_hash] = who;
        log::info("login", {{"user", user.id}});
        (*state)(LoginResult{token, device, std::move(user), s.expires_at}, std::nullopt);
      });
    });
  };
  if (!hash_job(std::move(job))) {
    limiter_.abandon(ticket);
    (*state)(make_error(ErrorCode::busy, "busy"),
             LoginError{503, "busy", "too many logins are being checked; retry in a second", 1});
  }
}

void Sessions::close_session_sockets(const std::string& session_hash, const std::string& reason) {
  hub_.conns.for_each([&](ConnState& c) {
    if (c.who.is_staff() && c.who.staff.session_hash == session_hash) {
      if (reason == "session expired") c.send(encode_notice(notice::session_expired, Json::object()));
      c.close(1008, reason);
    }
  });
}

void Sessions::logout(const std::string& token, std::function<void(std::optional<Error>)> done) {
  if (token.empty() || token.size() > 200) return done(std::nullopt);
  const std::string hash = sha256_hex(token);
  cache_.erase(hash);
  close_session_sockets(hash, "logged out");
  // Until the delete has committed, a cache miss would read the session back: refuse it.
  revoked_.insert(hash);
  hub_.write({DeleteSession{hash}}, [this, hash, done = std::move(done)](std::optional<Error> err) {
    if (err) log::error("logout: could not delete the session", {{"error", err->message}});
    if (!err) revoked_.erase(hash);
    done(err);
  });
}

void Sessions::revoke_user(const std::string& user_id, const std::string& keep_session_hash,
                           std::function<void(std::optional<Error>)> done) {
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->second.user.id == user_id && it->first != keep_session_hash) {
      it = cache_.erase(it);
    } else {
      ++it;
    }
  }
  for (ConnState* c : hub_.conns.staff_of_user(user_id)) {
    if (c->who.staff.session_hash != keep_session_hash) c->close(1008, "session revoked");
  }
  revoking_[user_id] = keep_session_hash;
  hub_.write({DeleteUserSessions{user_id, keep_session_hash}},
             [this, user_id, done = std::move(done)](std::optional<Error> err) {
               if (!err) revoking_.erase(user_id);  // kept on failure: the sessions stay refused
               done(err);
             });
}

void Sessions::recheck_user(const std::string& user_id) {
  // Drop the cache, then keep each connection only if its session still reads back valid.
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.user.id == user_id ? cache_.erase(it) : std::next(it);
  }
  for (ConnState* c : hub_.conns.staff_of_user(user_id)) {
    auto who = by_hash(c->who.staff.session_hash);
    if (!who) {
      c->send(encode_notice(notice::session_expired, Json::object()));
      c->close(1008, "session revoked");
    } else {
      c->who.staff = *who;
    }
  }
}

void Sessions::expire(Millis now) {
  hub_.conns.for_each([&](ConnState& c) {
    if (c.who.is_staff() && !c.closed && c.who.staff.expires_at <= now) {
      c.send(encode_notice(notice::session_expired, Json::object()));
      c.close(1008, "session expired");
    }
  });
}

void Sessions::create_user(const std::string& tenant_id, const std::string& username,
                           const std::string& display_name, StaffRole role, const std::string& password,
                           std::function<void(Result<User>)> cb) {
  if (!hub_.tenants.find(tenant_id)) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  if (username.empty() || password.empty()) {
    return cb(make_error(ErrorCode::missing_field, "username and password are required", "username"));
  }
  if (hub_.reader) {
    auto found = hub_.reader->find_user_by_username(username);
    if (found && found->has_value()) return cb(make_error(ErrorCode::bad_field, "username already taken", "username"));
  }
  User u;
  u.id = random_id("u_");
  u.tenant_id = tenant_id;
  u.username = username;
  u.display_name = display_name.empty() ? username : display_name;
  u.role = role;
  u.created_at = hub_.now();
  auto state = std::make_shared<std::function<void(Result<User>)>>(std::move(cb));
  auto job = [this, u, password, state]() mutable {
    u.password_hash = hash_password(password);
    asio::post(hub_.io, [this, u = std::move(u), state]() mutable {
      if (u.password_hash.empty()) return (*state)(make_error(ErrorCode::internal, "password hashing failed"));
      hub_.write({InsertUser{u}}, [u, state](std::optional<Error> err) mutable {
        if (err) {
          if (is_duplicate(*err, "username")) {
            return (*state)(make_error(ErrorCode::bad_field, "username already taken", "username"));
          }
          return (*state)(*err);
        }
        u.password_hash.clear();
        log::info("user created", {{"user", u.id}, {"role", to_string(u.role)}});
        (*state)(std::move(u));
      });
    });
  };
  if (!hash_job(std::move(job))) (*state)(make_error(ErrorCode::busy, "busy; retry in a second"));
}

void Sessions::change_password(const StaffIdentity& who, const std::string& current, const std::string& next,
                               std::function<void(std::optional<Error>)> cb) {
  if (next.empty()) return cb(make_error(ErrorCode::missing_field, "password required", "password"));
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  auto u = hub_.reader->find_user(who.user.id);
  if (!u) return cb(u.error());
  if (!u->has_value() || (*u)->disabled) return cb(make_error(ErrorCode::forbidden, "no such user"));
  auto state = std::make_shared<std::function<void(std::optional<Error>)>>(std::move(cb));
  const std::string stored = (*u)->password_hash, user_id = who.user.id, keep = who.session_hash;
  const std::string username = (*u)->username;
  auto job = [this, stored, current, next, user_id, keep, username, state]() {
    const bool good = verify_password(stored, current);
    const std::string hash = good ? hash_password(next) : std::string();
    asio::post(hub_.io, [this, good, hash, user_id, keep, username, state] {
      if (!good) return (*state)(make_error(ErrorCode::forbidden, "the current password is wrong", "current_password"));
      if (hash.empty()) return (*state)(make_error(ErrorCode::internal, "password hashing failed"));
      hub_.write({SetPasswordHash{user_id, hash}}, [this, user_id, keep, username, state](std::optional<Error> err) {
        if (err) return (*state)(err);
        // The first admin chose a password: the first start's file of secrets has done its job.
        if (forget_first_start_secrets(hub_.options.data_dir, username)) {
          log::info("first-start secrets removed", {{"user", user_id}});
        }
        revoke_user(user_id, keep, *state);
      });
    });
  };
  if (!hash_job(std::move(job))) (*state)(make_error(ErrorCode::busy, "busy; retry in a second"));
}

bool Sessions::hash_password_async(std::string password, std::function<void(std::string hash)> done) {
  auto state = std::make_shared<std::function<void(std::string)>>(std::move(done));
  return hash_job([this, password = std::move(password), state]() {
    std::string hash = hash_password(password);
    asio::post(hub_.io, [state, hash = std::move(hash)]() mutable { (*state)(std::move(hash)); });
  });
}

void Sessions::create_api_key(const std::string& tenant_id, const std::string& name, ApiScopes scopes,
                              std::function<void(Result<std::pair<ApiKey, std::string>>)> cb) {
  if (!hub_.tenants.find(tenant_id)) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  ApiKey k;
  k.id = new_api_key_id();
  k.tenant_id = tenant_id;
  k.name = name;
  k.scopes = scopes;
  k.created_at = hub_.now();
  std::string secret = "pk_" + random_token(32);
  const std::string hash = sha256_hex(secret);
  hub_.write({InsertApiKey{k, hash}}, [k, secret, cb = std::move(cb)](std::optional<Error> err) {
    if (err) return cb(*err);
    cb(std::make_pair(k, secret));
  });
}

void Sessions::revoke_api_key(const std::string& tenant_id, const std::string& id,
                              std::function<void(std::optional<Error>)> cb) {
  hub_.write({RevokeApiKey{tenant_id, id, hub_.now()}}, [this, cb = std::move(cb)](std::optional<Error> err) {
    if (!err) keys_.clear();  // revoked keys stop working at once
    cb(err);
  });
}

}  // namespace parley::relay
