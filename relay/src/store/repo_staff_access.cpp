// relay/src/store/repo_staff_access.cpp: invitations, password resets, roles and addresses
// (repo_staff_access.hpp). Every statement binds its parameters; no SQL text is built from data.
#include "store/repo_staff_access.hpp"

#include "store/repo.hpp"

namespace parley::relay {

namespace {
constexpr const char* kInvCols =
    "id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, user_id, revoked_at";

Invitation invitation_row(const Stmt& q) {
  Invitation i;
  i.id = q.col_text(0);
  i.tenant_id = q.col_text(1);
  i.email = q.col_text(2);
  i.role = parse_staff_role(q.col_text(3)).value_or(StaffRole::agent);
  i.token_hash = q.col_text(4);
  i.invited_by = q.col_text(5);
  i.created_at = q.col_int(6);
  i.expires_at = q.col_int(7);
  i.accepted_at = q.col_int(8);
  i.user_id = q.col_text(9);
  i.revoked_at = q.col_int(10);
  return i;
}
}  // namespace

std::optional<Error> insert_invitation(Db& db, const Invitation& i) {
  Stmt q = db.prepare(std::string("INSERT INTO invitations(") + kInvCols +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  q.bind(1, i.id).bind(2, i.tenant_id).bind(3, i.email).bind(4, to_string(i.role)).bind(5, i.token_hash);
  q.bind(6, i.invited_by).bind(7, i.created_at).bind(8, i.expires_at).bind(9, i.accepted_at).bind(10, i.user_id);
  q.bind(11, i.revoked_at);
  return q.run();
}

std::optional<Error> revoke_invitation(Db& db, const RevokeInvitation& m) {
  Stmt q = db.prepare(
      "UPDATE invitations SET revoked_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND revoked_at = 0 AND accepted_at = 0");
  q.bind(1, m.id).bind(2, m.tenant_id).bind(3, m.at);
  if (auto e = q.run()) return e;
  if (db.changes() == 1) return std::nullopt;
  Stmt f = db.prepare("SELECT 1 FROM invitations WHERE id = ?1 AND tenant_id = ?2");
  f.bind(1, m.id).bind(2, m.tenant_id);
  if (f.step()) return stale_error("invitation " + m.id + " was accepted or withdrawn already");
  if (f.error()) return *f.error();
  return make_error(ErrorCode::not_found, "no such invitation");
}

std::optional<Error> accept_invitation(Db& db, const AcceptInvitation& m) {
  Stmt q = db.prepare(
      "UPDATE invitations SET accepted_at = ?2, user_id = ?3 WHERE token_hash = ?1 AND accepted_at = 0 AND "
      "revoked_at = 0 AND expires_at > ?2");
  q.bind(1, m.token_hash).bind(2, m.at).bind(3, m.user_id);
  if (auto e = q.run()) return e;
  if (db.changes() == 1) return std::nullopt;
  return stale_error("the invitation is not pending any more");
}

std::optional<Error> insert_password_reset(Db& db, const PasswordReset& r) {
  Stmt q = db.prepare(
      "INSERT INTO password_resets(token_hash, tenant_id, user_id, created_at, expires_at, used_at) "
      "VALUES (?1, (SELECT tenant_id FROM users WHERE id = ?2), ?2, ?3, ?4, 0)");
  q.bind(1, r.token_hash).bind(2, r.user_id).bind(3, r.created_at).bind(4, r.expires_at);
  return q.run();
}

std::optional<Error> use_password_reset(Db& db, const UsePasswordReset& m) {
  Stmt q = db.prepare(
      "UPDATE password_resets SET used_at = ?2 WHERE token_hash = ?1 AND used_at = 0 AND expires_at > ?2");
  q.bind(1, m.token_hash).bind(2, m.at);
  if (auto e = q.run()) return e;
  if (db.changes() == 1) return std::nullopt;
  return stale_error("the reset link is not usable any more");
}

std::optional<Error> set_user_role(Db& db, const SetUserRole& m) {
  // The last-admin rule in the statement itself: the writer applies one vector at a time, so two
  // demotions of a tenant's last two admins cannot both pass.
  Stmt q = db.prepare(
      "UPDATE users SET role = ?3 WHERE id = ?1 AND tenant_id = ?2 AND (?3 = 'admin' OR role <> 'admin' OR "
      "disabled <> 0 OR (SELECT COUNT(*) FROM users WHERE tenant_id = ?2 AND role = 'admin' AND disabled = 0 AND "
      "id <> ?1) >= 1)");
  q.bind(1, m.user_id).bind(2, m.tenant_id).bind(3, to_string(m.role));
  if (auto e = q.run()) return e;
  if (db.changes() == 1) return std::nullopt;
  Stmt f = db.prepare("SELECT 1 FROM users WHERE id = ?1 AND tenant_id = ?2");
  f.bind(1, m.user_id).bind(2, m.tenant_id);
  if (f.step()) {
    return make_error(ErrorCode::forbidden, "this is the last admin of the tenant: make someone else an admin first",
                      "role");
  }
  if (f.error()) return *f.error();
  return make_error(ErrorCode::not_found, "no such user");
}

std::optional<Error> set_user_email(Db& db, const SetUserEmail& m) {
  Stmt q = db.prepare("UPDATE users SET email = ?3 WHERE id = ?1 AND tenant_id = ?2");
  q.bind(1, m.user_id).bind(2, m.tenant_id).bind(3, m.email);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no such user");
  return std::nullopt;
}

Result<std::vector<Invitation>> list_invitations(Db& db, const std::string& tenant_id, std::size_t limit) {
  Stmt q = db.prepare(std::string("SELECT ") + kInvCols +
                      " FROM invitations WHERE tenant_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2");
  q.bind(1, tenant_id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Invitation> out;
  while (q.step()) out.push_back(invitation_row(q));
  if (q.error()) return *q.error();
  return out;
}

Result<std::optional<Invitation>> find_invitation_by_token(Db& db, const std::string& token_hash) {
  Stmt q = db.prepare(std::string("SELECT ") + kInvCols + " FROM invitations WHERE token_hash = ?1");
  q.bind(1, token_hash);
  if (q.step()) return std::optional<Invitation>(invitation_row(q));
  if (q.error()) return *q.error();
  return std::optional<Invitation>{};
}

Result<std::optional<PasswordReset>> find_password_reset(Db& db, const std::string& token_hash) {
  Stmt q = db.prepare(
      "SELECT token_hash, tenant_id, user_id, created_at, expires_at, used_at FROM password_resets WHERE token_hash = ?1");
  q.bind(1, token_hash);
  if (q.step()) {
    PasswordReset r{q.col_text(0), q.col_text(1), q.col_text(2), q.col_int(3), q.col_int(4), q.col_int(5)};
    return std::optional<PasswordReset>(std::move(r));
  }
  if (q.error()) return *q.error();
  return std::optional<PasswordReset>{};
}

Result<std::vector<User>> find_users_by_email(Db& db, const std::string& email, std::size_t limit) {
  std::vector<User> out;
  if (email.empty()) return out;
  Stmt q = db.prepare("SELECT id FROM users WHERE email = ?1 ORDER BY created_at LIMIT ?2");
  q.bind(1, email).bind(2, static_cast<std::int64_t>(limit));
  std::vector<std::string> ids;
  while (q.step()) ids.push_back(q.col_text(0));
  if (q.error()) return *q.error();
  for (const std::string& id : ids) {
    auto u = find_user(db, id);
    if (!u) return u.error();
    if (u->has_value()) out.push_back(std::move(**u));
  }
  return out;
}

Result<int> count_enabled_admins(Db& db, const std::string& tenant_id) {
  Stmt q = db.prepare("SELECT COUNT(*) FROM users WHERE tenant_id = ?1 AND role = 'admin' AND disabled = 0");
  q.bind(1, tenant_id);
  if (q.step()) return static_cast<int>(q.col_int(0));
  if (q.error()) return *q.error();
  return 0;
}

}  // namespace parley::relay
