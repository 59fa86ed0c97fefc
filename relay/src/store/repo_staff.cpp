// relay/src/store/repo_staff.cpp: staff accounts (users) and their sessions (see repo.hpp).
// Every statement binds its parameters; no SQL text is ever built from data.
#include "store/repo.hpp"
#include "store/repo_helpers.hpp"

namespace parley::relay {

using repo_helpers::read_enum;

namespace {

constexpr const char* kUserCols =
    "id, tenant_id, username, display_name, role, password_hash, created_at, disabled, email";

std::optional<Error> read_user(const Stmt& q, User& u) {
  u.id = q.col_text(0);
  u.tenant_id = q.col_text(1);
  u.username = q.col_text(2);
  u.display_name = q.col_text(3);
  if (auto e = read_enum(q, 4, &parse_staff_role, "role", u.role)) return e;
  u.password_hash = q.col_text(5);
  u.created_at = q.col_int(6);
  u.disabled = q.col_int(7) != 0;
  u.email = q.col_text(8);
  return std::nullopt;
}

Result<std::optional<User>> one_user(Stmt& q) {
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<User>{};
  }
  User u;
  if (auto e = read_user(q, u)) return *e;
  return std::optional<User>{std::move(u)};
}

}  // namespace

std::optional<Error> insert_user(Db& db, const User& u) {
  Stmt q = db.prepare(
      "INSERT INTO users(id, tenant_id, username, display_name, role, password_hash, created_at, disabled, email) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  q.bind(1, u.id)
      .bind(2, u.tenant_id)
      .bind(3, u.username)
      .bind(4, u.display_name)
      .bind(5, to_string(u.role))
      .bind(6, u.password_hash)
      .bind(7, u.created_at)
      .bind(8, std::int64_t{u.disabled ? 1 : 0})
      .bind(9, u.email);
  return q.run();
}

std::optional<Error> set_password_hash(Db& db, const std::string& user_id, const std::string& hash) {
  Stmt q = db.prepare("UPDATE users SET password_hash = ?2 WHERE id = ?1");
  q.bind(1, user_id).bind(2, hash);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no user " + user_id);
  return std::nullopt;
}

Result<std::optional<User>> find_user_by_username(Db& db, const std::string& username) {
  Stmt q = db.prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE username = ?1");
  q.bind(1, username);
  return one_user(q);
}

Result<std::optional<User>> find_user(Db& db, const std::string& user_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?1");
  q.bind(1, user_id);
  return one_user(q);
}

Result<std::vector<User>> list_users(Db& db, const std::string& tenant_id) {
  Stmt q =
      db.prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE tenant_id = ?1 ORDER BY username");
  q.bind(1, tenant_id);
  std::vector<User> out;
  while (q.step()) {
    User u;
    if (auto e = read_user(q, u)) return *e;
    out.push_back(std::move(u));
  }
  if (q.error()) return *q.error();
  return out;
}

std::optional<Error> insert_session(Db& db, const Session& s) {
  // tenant_id comes from the user (NOT NULL: a session for an unknown user fails).
  Stmt q = db.prepare(
      "INSERT INTO sessions(token_hash, tenant_id, user_id, created_at, expires_at) "
      "VALUES (?1, (SELECT tenant_id FROM users WHERE id = ?2), ?2, ?3, ?4)");
  q.bind(1, s.token_hash).bind(2, s.user_id).bind(3, s.created_at).bind(4, s.expires_at);
  return q.run();
}

Result<std::optional<Session>> find_session(Db& db, const std::string& token_hash) {
  Stmt q =
      db.prepare("SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = ?1");
  q.bind(1, token_hash);
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<Session>{};
  }
  return std::optional<Session>{Session{q.col_text(0), q.col_text(1), q.col_int(2), q.col_int(3)}};
}

std::optional<Error> delete_session(Db& db, const std::string& token_hash) {
  Stmt q = db.prepare("DELETE FROM sessions WHERE token_hash = ?1");
  q.bind(1, token_hash);
  return q.run();
}

std::optional<Error> delete_user_sessions(Db& db, const std::string& user_id) {
  Stmt q = db.prepare("DELETE FROM sessions WHERE user_id = ?1");
  q.bind(1, user_id);
  return q.run();
}

}  // namespace parley::relay
