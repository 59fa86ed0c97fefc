// tools/parleyctl/cmd_users.cpp: users list | create | set-password. Passwords are hashed here
// (argon2id) before the write; a generated password is printed once, a hash never.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>

#include "ctl.hpp"
#include "store/auth.hpp"
#include "store/change_log.hpp"
#include "store/repo_queries.hpp"

namespace parley::ctl {
namespace {

bool valid_username(const std::string& u) {
  if (u.empty() || u.size() > 64) return false;
  for (char c : u) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@'))
      return false;
  }
  return true;
}

struct NewPassword {
  std::string value;
  bool generated = false;
};

Result<NewPassword> choose_password(const Args& a) {
  const bool from_stdin = a.flags.count("--password-stdin") != 0 || opt(a, "--password") == "-";
  if (from_stdin && a.opt.count("--password") != 0 && opt(a, "--password") != "-") {
    return make_error(ErrorCode::bad_field, "give either --password or --password-stdin", "--password");
  }
  NewPassword p;
  if (from_stdin) {
    if (!std::getline(std::cin, p.value)) {
      return make_error(ErrorCode::missing_field, "no password on standard input", "--password-stdin");
    }
    if (!p.value.empty() && p.value.back() == '\r') p.value.pop_back();
  } else if (a.opt.count("--password") != 0) {
    p.value = opt(a, "--password");
  } else {
    p.value = relay::random_token(15);  // 20 characters, 120 bits
    p.generated = true;
  }
  if (p.value.size() < 8)
    return make_error(ErrorCode::bad_field, "a password needs at least 8 characters", "--password");
  if (p.value.size() > 1024)
    return make_error(ErrorCode::bad_field, "a password may have at most 1024 bytes", "--password");
  return p;
}

}  // namespace

int cmd_users_list(const Args& a) {
  if (a.pos.size() != 2) return usage("users list takes no arguments", "users list");
  if (auto o = unexpected_options(a, {})) return usage("users list does not take " + *o, "users list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto users = relay::list_users(*ctx.rd, ctx.tenant.id);
  if (!users) return fail(users.error());
  std::printf("%-24s %-11s %-28s %-8s %s\n", "USERNAME", "ROLE", "NAME", "STATE", "CREATED");
  for (const auto& u : *users) {
    std::printf("%-24s %-11s %-28s %-8s %s\n", u.username.c_str(), std::string(to_string(u.role)).c_str(),
                u.display_name.c_str(), u.disabled ? "disabled" : "active",
                format_time(u.created_at).c_str());
  }
  if (users->empty()) std::fprintf(stderr, "(no users in tenant %s)\n", ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_users_create(const Args& a) {
  if (a.pos.size() != 3) return usage("users create needs exactly one USERNAME", "users create");
  if (auto o = unexpected_options(a, {"--role", "--name", "--password", "--password-stdin"})) {
    return usage("users create does not take " + *o, "users create");
  }
  const std::string username = a.pos[2];
  if (!valid_username(username)) return usage("invalid username '" + username + "'", "users create");
  if (a.opt.count("--role") == 0) return usage("--role is required", "users create");
  const auto role = parse_staff_role(opt(a, "--role"));
  if (!role) return usage("--role must be admin, supervisor or agent", "users create");
  const std::string name = opt(a, "--name", username);
  if (name.empty() || name.size() > 100) return usage("--name must have 1 to 100 bytes", "users create");
  auto pw = choose_password(a);
  if (!pw) return usage(pw.error().message, "users create");

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  relay::User u;
  u.id = relay::random_id("u_");
  u.tenant_id = ctx.tenant.id;
  u.username = username;
  u.display_name = name;
  u.role = *role;
  u.password_hash = relay::hash_password(pw->value);
  u.created_at = now_ms();
  if (u.password_hash.empty()) return fail("password hashing failed (out of memory?)");

  const auto entry =
      ctx.audit("user.created", u.id, Json{{"username", username}, {"role", to_string(*role)}});
  bool exists = false;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    auto found = relay::find_user_by_username(db, username);
    if (!found) return found.error();
    if (found->has_value()) {
      exists = true;
      return make_error(ErrorCode::bad_field, "username taken", "username");
    }
    if (auto e = relay::insert_user(db, u)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::user, u.tenant_id, u.id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (exists) return fail("a user named '" + username + "' already exists");
  if (err) return fail(*err);
  std::printf("created %s user %s in tenant %s\n", std::string(to_string(*role)).c_str(), username.c_str(),
              ctx.tenant.slug.c_str());
  if (pw->generated) std::printf("password: %s\n", pw->value.c_str());
  return kOk;
}

int cmd_users_set_password(const Args& a) {
  if (a.pos.size() != 3) return usage("users set-password needs exactly one USERNAME", "users set-password");
  if (auto o = unexpected_options(a, {"--password", "--password-stdin"})) {
    return usage("users set-password does not take " + *o, "users set-password");
  }
  const std::string username = a.pos[2];
  auto pw = choose_password(a);
  if (!pw) return usage(pw.error().message, "users set-password");

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto found = relay::find_user_by_username(*ctx.rd, username);
  if (!found) return fail(found.error());
  if (!found->has_value() || (*found)->tenant_id != ctx.tenant.id) {
    return fail("no user '" + username + "' in tenant " + ctx.tenant.slug);
  }
  const relay::User user = **found;
  const std::string hash = relay::hash_password(pw->value);
  if (hash.empty()) return fail("password hashing failed (out of memory?)");
  const auto entry = ctx.audit("user.password_changed", user.id, Json{{"username", username}});
  std::int64_t ended = 0;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (auto e = relay::set_password_hash(db, user.id, hash)) return e;
    if (auto e = relay::delete_user_sessions(db, user.id)) return e;
    ended = db.changes();
    // The running relay drops the user's cached sessions (and sockets) when it reads these.
    if (auto e = relay::append_change(db, relay::change_kind::user, user.tenant_id, user.id, entry.at))
      return e;
    if (auto e = relay::append_change(db, relay::change_kind::sessions, user.tenant_id, user.id, entry.at))
      return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("password of %s changed; %lld session(s) ended\n", username.c_str(),
              static_cast<long long>(ended));
  if (pw->generated) std::printf("password: %s\n", pw->value.c_str());
  return kOk;
}

// users disable|enable USERNAME: a disabled user cannot log in, and every session of theirs ends
// (a running relay closes their sockets within a second: it reads the change log).
int cmd_users_set_disabled(const Args& a, bool disabled) {
  const std::string what = disabled ? "users disable" : "users enable";
  if (a.pos.size() != 3) return usage(what + " needs exactly one USERNAME", what);
  if (auto o = unexpected_options(a, {})) return usage(what + " does not take " + *o, what);
  const std::string username = a.pos[2];
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto found = relay::find_user_by_username(*ctx.rd, username);
  if (!found) return fail(found.error());
  if (!found->has_value() || (*found)->tenant_id != ctx.tenant.id) {
    return fail("no user '" + username + "' in tenant " + ctx.tenant.slug);
  }
  const relay::User user = **found;
  const auto entry = ctx.audit(disabled ? "user.disabled" : "user.enabled", user.id, Json{{"username", username}});
  std::int64_t ended = 0;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (auto e = relay::set_user_disabled(db, user.id, disabled)) return e;
    if (disabled) {
      if (auto e = relay::delete_user_sessions(db, user.id)) return e;
      ended = db.changes();
      if (auto e = relay::append_change(db, relay::change_kind::sessions, user.tenant_id, user.id, entry.at))
        return e;
    }
    if (auto e = relay::append_change(db, relay::change_kind::user, user.tenant_id, user.id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  if (disabled) {
    std::printf("%s disabled; %lld session(s) ended\n", username.c_str(), static_cast<long long>(ended));
  } else {
    std::printf("%s enabled\n", username.c_str());
  }
  return kOk;
}

int cmd_users_disable(const Args& a) { return cmd_users_set_disabled(a, true); }
int cmd_users_enable(const Args& a) { return cmd_users_set_disabled(a, false); }

}  // namespace parley::ctl
