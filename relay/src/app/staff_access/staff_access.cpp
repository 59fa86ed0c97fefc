// Staff accounts by mail (staff_access.hpp).
#include "app/staff_access/staff_access.hpp"

#include <cctype>

#include "app/http/respond.hpp"
#include "app/hub_state.hpp"
#include "core/log.hpp"
#include "store/auth.hpp"

namespace parley::relay {

namespace {
// Per client address: 5 reset requests at once, then one every 2 minutes. Per name asked for:
// 3 at once, then one every 20 minutes (past it the answer is the same 202, without a mail).
constexpr double kResetAddrRate = 1.0 / 120, kResetAddrBurst = 5;
constexpr double kResetTargetRate = 1.0 / 1200, kResetTargetBurst = 3;
constexpr std::size_t kLimitBuckets = 20000;
constexpr std::size_t kMaxUsersPerAddress = 5;

OneTimeToken token_times(const Invitation& i) { return {i.created_at, i.expires_at, i.accepted_at, i.revoked_at}; }
OneTimeToken token_times(const PasswordReset& r) { return {r.created_at, r.expires_at, r.used_at, 0}; }

// A token as it may arrive: base64url, 20..100 characters (anything else is unknown).
int role_rank(StaffRole r) { return r == StaffRole::admin ? 2 : r == StaffRole::supervisor ? 1 : 0; }

bool token_shaped(const std::string& t) {
  if (t.size() < 20 || t.size() > 100) return false;
  for (char c : t) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}
}  // namespace

StaffAccess::StaffAccess(HubState& hub)
    : hub_(hub),
      reset_by_address_(kResetAddrRate, kResetAddrBurst, kLimitBuckets),
      reset_by_target_(kResetTargetRate, kResetTargetBurst, kLimitBuckets) {}

Json StaffAccess::invitation_json(const Invitation& i, Millis now) {
  return Json{{"id", i.id},
              {"email", i.email},
              {"role", to_string(i.role)},
              {"status", invitation_status(token_times(i), now)},
              {"invited_by", i.invited_by},
              {"created_at", i.created_at},
              {"expires_at", i.expires_at},
              {"accepted_at", i.accepted_at},
              {"revoked_at", i.revoked_at},
              {"user_id", i.user_id}};
}

AuditEntry StaffAccess::audit(const By& by, std::string action, std::string target, Json data) const {
  AuditEntry a;
  a.tenant_id = by.tenant_id;
  a.actor_type = by.actor_type;
  a.actor_id = by.actor_id;
  a.action = std::move(action);
  a.target = std::move(target);
  a.data = std::move(data);
  a.at = hub_.now();
  return a;
}

void StaffAccess::invite(const By& by, const std::string& origin, InvitationInput in,
                         std::function<void(Result<Json>)> cb) {
  const Tenant* t = hub_.tenants.find(by.tenant_id);
  if (!t) return cb(make_error(ErrorCode::not_found, "no such tenant"));
  if (!hub_.mail || !hub_.mail->enabled()) {
    return cb(make_error(ErrorCode::unavailable, "mail is not set up on this relay (--smtp-host): invite people by "
                                                 "creating their user instead"));
  }
  if (origin.empty()) {
    return cb(make_error(ErrorCode::unavailable, "the relay does not know its public address (--public-url), so it "
                                                 "cannot write the link"));
  }
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  auto same = hub_.reader->find_users_by_email(in.email, 50);
  if (!same) return cb(same.error());
  for (const User& u : same.value()) {
    if (u.tenant_id == by.tenant_id) {
      return cb(make_error(ErrorCode::bad_field, "a user of this team has this address already", "email"));
    }
  }
  const std::string token = random_token(32);
  Invitation inv;
  inv.id = random_id("inv_");
  inv.tenant_id = by.tenant_id;
  inv.email = in.email;
  inv.role = in.role;
  inv.token_hash = sha256_hex(token);
  inv.invited_by = by.actor_type == "api" ? "api:" + by.actor_id : by.actor_id;
  inv.created_at = hub_.now();
  inv.expires_at = inv.created_at + hub_.options.invite_ttl_ms;
  const MailText text = invitation_mail(t->name, inv.role, by.name, one_time_link(origin, "invite", token),
                                        hub_.options.invite_ttl_ms);
  Mail mail{inv.email, text.subject, text.body, inv.tenant_id, "invitation"};
  std::vector<Mutation> ops;
  ops.push_back(InsertInvitation{inv});
  ops.push_back(AppendAudit{audit(by, "invitation.created", inv.id,
                                  Json{{"email", inv.email}, {"role", to_string(inv.role)}, {"expires_at", inv.expires_at}})});
  hub_.write(std::move(ops), [this, inv, mail = std::move(mail), cb = std::move(cb)](std::optional<Error> e) mutable {
    if (e) return cb(*e);
    if (!hub_.mail->enqueue(std::move(mail))) {
      return cb(make_error(ErrorCode::unavailable, "the invitation is stored but its mail could not be queued: revoke "
                                                   "it and invite again"));
    }
    ++counters_.invitations_mailed;
    log::info("invitation mailed", {{"invitation", inv.id}, {"role", to_string(inv.role)}});
    cb(invitation_json(inv, hub_.now()));
  });
}

void StaffAccess::list(const std::string& tenant_id, std::function<void(Result<Json>)> cb) {
  const Millis now = hub_.now();
  hub_.on_worker([tenant_id, now, cb = std::move(cb)](StoreReader* db) mutable -> std::function<void()> {
    if (!db) return [cb] { cb(make_error(ErrorCode::unavailable, "no database reader")); };
    auto rows = db->list_invitations(tenant_id, 200);
    if (!rows) return [cb, e = rows.error()] { cb(e); };
    Json list = Json::array();
    for (const Invitation& i : rows.value()) list.push_back(invitation_json(i, now));
    return [cb, list = std::move(list)] { cb(Json{{"invitations", list}}); };
  });
}

void StaffAccess::revoke(const By& by, const std::string& id, std::function<void(Result<Json>)> cb) {
  std::vector<Mutation> ops;
  ops.push_back(RevokeInvitation{by.tenant_id, id, hub_.now()});
  ops.push_back(AppendAudit{audit(by, "invitation.revoked", id, Json::object())});
  hub_.write(std::move(ops), [id, cb = std::move(cb)](std::optional<Error> e) {
    if (e && is_stale(*e)) {
      return cb(make_error(ErrorCode::invalid_transition, "this invitation was accepted or withdrawn already"));
    }
    if (e) return cb(*e);
    cb(Json{{"id", id}, {"status", "revoked"}});
  });
}

void StaffAccess::check_invitation_token(const std::string& token, std::function<void(Result<Json>)> cb) {
  if (!token_shaped(token)) return cb(token_unknown(true));
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  auto found = hub_.reader->find_invitation_by_token(sha256_hex(token));
  if (!found) return cb(found.error());
  if (!found->has_value()) return cb(token_unknown(true));
  const Invitation& i = **found;
  if (auto e = token_refusal(token_times(i), hub_.now(), true)) return cb(*e);
  const Tenant* t = hub_.tenants.find(i.tenant_id);
  cb(Json{{"email", i.email},
          {"role", to_string(i.role)},
          {"tenant", {{"name", t ? t->name : std::string()}}},
          {"expires_at", i.expires_at},
          {"username", suggested_username(i.email)}});
}

void StaffAccess::accept(const std::string& token, const std::string& username, const std::string& display_name,
                         const std::string& password, std::function<void(Result<Json>)> cb) {
  if (!token_shaped(token)) return cb(token_unknown(true));
  if (username.empty()) return cb(make_error(ErrorCode::missing_field, "choose a user name", "username"));
  if (!valid_username(username)) {
    return cb(make_error(ErrorCode::bad_field, "a user name may hold only letters, digits and . _ - @ (at most 64)",
                         "username"));
  }
  if (auto e = check_new_password(password)) return cb(*e);
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  const std::string hash = sha256_hex(token);
  auto found = hub_.reader->find_invitation_by_token(hash);
  if (!found) return cb(found.error());
  if (!found->has_value()) return cb(token_unknown(true));
  const Invitation inv = **found;
  if (auto e = token_refusal(token_times(inv), hub_.now(), true)) return cb(*e);
  auto taken = hub_.reader->find_user_by_username(username);
  if (!taken) return cb(taken.error());
  if (taken->has_value()) return cb(make_error(ErrorCode::bad_field, "this user name is taken: choose another", "username"));

  User u;
  u.id = random_id("u_");
  u.tenant_id = inv.tenant_id;
  u.username = username;
  u.display_name = display_name.empty() ? username : display_name;
  u.role = inv.role;
  u.email = inv.email;
  auto state = std::make_shared<std::function<void(Result<Json>)>>(std::move(cb));
  const bool queued = hub_.sessions.hash_password_async(password, [this, u, inv, hash, state](std::string ph) mutable {
    if (ph.empty()) return (*state)(make_error(ErrorCode::internal, "password hashing failed"));
    u.password_hash = std::move(ph);
    u.created_at = hub_.now();
    By by{inv.tenant_id, "user", u.id, u.display_name};
    std::vector<Mutation> ops;
    ops.push_back(InsertUser{u});
    ops.push_back(AcceptInvitation{hash, u.id, u.created_at});
    ops.push_back(AppendAudit{audit(by, "invitation.accepted", inv.id,
                                    Json{{"user_id", u.id}, {"username", u.username}, {"role", to_string(u.role)}})});
    hub_.write(std::move(ops), [this, u, inv, hash, state](std::optional<Error> e) mutable {
      if (e) {
        if (is_duplicate(*e, "username")) {
          return (*state)(make_error(ErrorCode::bad_field, "this user name is taken: choose another", "username"));
        }
        if (is_stale(*e)) {
          // Accepted, withdrawn or expired meanwhile: say which.
          Invitation now_row = inv;
          if (hub_.reader) {
            auto again = hub_.reader->find_invitation_by_token(hash);
            if (again && again->has_value()) now_row = **again;
          }
          if (auto why = token_refusal(token_times(now_row), hub_.now(), true)) return (*state)(*why);
          return (*state)(make_error(ErrorCode::forbidden, "this invitation is not usable any more", "token"));
        }
        return (*state)(*e);
      }
      ++counters_.invitations_accepted;
      log::info("invitation accepted", {{"invitation", inv.id}, {"user", u.id}});
      u.password_hash.clear();
      (*state)(Json{{"user", user_json(u)}});
    });
  });
  if (!queued) (*state)(make_error(ErrorCode::busy, "busy; retry in a second"));
}

bool StaffAccess::reset_allowed(const std::string& remote_addr) {
  return reset_by_address_.take(remote_addr, hub_.steady());
}

void StaffAccess::request_reset(const std::string& who, const std::string& origin, const std::string& remote_addr) {
  ++counters_.resets_asked;
  const bool by_email = who.find('@') != std::string::npos && !normalise_email(who).empty();
  const std::string key = by_email ? normalise_email(who) : who;
  if (key.empty()) return;
  if (!reset_by_target_.take(key, hub_.steady())) {
    ++counters_.resets_limited;
    log::warn("password reset: too many requests for one name; no mail", {{"remote", remote_addr}});
    return;
  }
  if (origin.empty()) {
    log::warn("password reset: the relay does not know its public address (--public-url); no mail",
              {{"remote", remote_addr}});
    return;
  }
  if (!hub_.mail || !hub_.mail->enabled()) {
    log::warn("password reset asked but mail is off (--smtp-host); no mail", {{"remote", remote_addr}});
    return;
  }
  if (!hub_.reader) return;
  std::vector<User> users;
  if (by_email) {
    auto found = hub_.reader->find_users_by_email(key, kMaxUsersPerAddress);
    if (found) users = std::move(found.value());
  }
  // A user name may hold '@' too: a name that is also an address is tried as a name as well.
  if (users.empty()) {
    auto found = hub_.reader->find_user_by_username(who);
    if (found && found->has_value()) users.push_back(std::move(**found));
  }
  for (const User& u : users) {
    if (u.disabled || u.email.empty()) continue;  // nobody to mail (the answer was the same)
    mail_reset(u, origin, remote_addr);
  }
}

void StaffAccess::mail_reset(const User& u, const std::string& origin, const std::string& remote_addr) {
  const std::string token = random_token(32);
  PasswordReset r;
  r.token_hash = sha256_hex(token);
  r.tenant_id = u.tenant_id;
  r.user_id = u.id;
  r.created_at = hub_.now();
  r.expires_at = r.created_at + hub_.options.reset_ttl_ms;
  const MailText text = reset_mail(u.username, one_time_link(origin, "reset", token), hub_.options.reset_ttl_ms);
  Mail mail{u.email, text.subject, text.body, u.tenant_id, "password_reset"};
  std::vector<Mutation> ops;
  ops.push_back(InsertPasswordReset{r});
  ops.push_back(AppendAudit{audit(By{u.tenant_id, "anonymous", remote_addr, ""}, "password_reset.requested", u.id,
                                  Json{{"expires_at", r.expires_at}})});
  const std::string user_id = u.id;
  hub_.write(std::move(ops), [this, mail = std::move(mail), user_id](std::optional<Error> e) mutable {
    if (e) return log::error("password reset not stored", {{"user", user_id}, {"message", e->message}});
    if (hub_.mail->enqueue(std::move(mail))) ++counters_.resets_mailed;
  });
}

void StaffAccess::confirm_reset(const std::string& token, const std::string& password,
                                std::function<void(std::optional<Error>)> cb) {
  if (!token_shaped(token)) return cb(token_unknown(false));
  if (auto e = check_new_password(password)) return cb(*e);
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  const std::string hash = sha256_hex(token);
  auto found = hub_.reader->find_password_reset(hash);
  if (!found) return cb(found.error());
  if (!found->has_value()) return cb(token_unknown(false));
  const PasswordReset r = **found;
  if (auto e = token_refusal(token_times(r), hub_.now(), false)) return cb(*e);
  auto state = std::make_shared<std::function<void(std::optional<Error>)>>(std::move(cb));
  const bool queued = hub_.sessions.hash_password_async(password, [this, r, hash, state](std::string ph) {
    if (ph.empty()) return (*state)(make_error(ErrorCode::internal, "password hashing failed"));
    const Millis at = hub_.now();
    std::vector<Mutation> ops;
    ops.push_back(UsePasswordReset{hash, at});
    ops.push_back(SetPasswordHash{r.user_id, ph});
    ops.push_back(DeleteUserSessions{r.user_id, ""});
    ops.push_back(AppendAudit{audit(By{r.tenant_id, "user", r.user_id, ""}, "password_reset.completed", r.user_id,
                                    Json::object())});
    hub_.write(std::move(ops), [this, r, hash, state](std::optional<Error> e) {
      if (e) {
        if (is_stale(*e)) {
          PasswordReset now_row = r;
          if (hub_.reader) {
            auto again = hub_.reader->find_password_reset(hash);
            if (again && again->has_value()) now_row = **again;
          }
          if (auto why = token_refusal(token_times(now_row), hub_.now(), false)) return (*state)(*why);
          return (*state)(make_error(ErrorCode::forbidden, "this reset link is not usable any more", "token"));
        }
        return (*state)(e);
      }
      ++counters_.resets_done;
      log::info("password reset", {{"user", r.user_id}});
      // Every session is gone in the store; drop the caches and close the sockets too.
      hub_.sessions.revoke_user(r.user_id, "", *state);
    });
  });
  if (!queued) (*state)(make_error(ErrorCode::busy, "busy; retry in a second"));
}

void StaffAccess::update_user(const By& by, const std::string& user_id, std::optional<StaffRole> role,
                              std::optional<std::string> email, std::function<void(Result<User>)> cb) {
  if (!hub_.reader) return cb(make_error(ErrorCode::unavailable, "no database reader"));
  auto found = hub_.reader->find_user(user_id);
  if (!found) return cb(found.error());
  if (!found->has_value() || (**found).tenant_id != by.tenant_id) {
    return cb(make_error(ErrorCode::not_found, "no such user"));
  }
  User u = **found;
  u.password_hash.clear();
  std::vector<Mutation> ops;
  Json changes = Json::object();
  if (role && *role != u.role) {
    auto admins = hub_.reader->count_enabled_admins(by.tenant_id);
    if (!admins) return cb(admins.error());
    if (auto e = check_role_change(u.role, u.disabled, *role, admins.value())) return cb(*e);
    ops.push_back(SetUserRole{by.tenant_id, user_id, *role});
    changes["role"] = {{"from", to_string(u.role)}, {"to", to_string(*role)}};
    u.role = *role;
  }
  if (email && *email != u.email) {
    ops.push_back(SetUserEmail{by.tenant_id, user_id, *email});
    changes["email"] = {{"from", u.email}, {"to", *email}};
    u.email = *email;
  }
  if (ops.empty()) return cb(std::move(u));
  ops.push_back(AppendAudit{audit(by, "user.changed", user_id, changes)});
  const bool role_changed = changes.contains("role");
  const bool demoted = role_changed && role_rank(u.role) < role_rank(found->value().role);
  hub_.write(std::move(ops), [this, u, role_changed, demoted, cb = std::move(cb)](std::optional<Error> e) mutable {
    if (e) return cb(*e);
    if (role_changed) {
      // Cached identities go; open sockets re-read theirs. A demoted user's sockets are closed
      // too: what they watched or listened to under the old role (the dashboard, a colleague's
      // chat) must not keep flowing; the inbox reconnects with the new role.
      hub_.sessions.recheck_user(u.id);
      if (demoted) {
        for (ConnState* c : hub_.conns.staff_of_user(u.id)) c->close(1008, "role changed");
      }
    }
    cb(std::move(u));
  });
}

}  // namespace parley::relay
