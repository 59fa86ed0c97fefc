// relay/src/store/api_keys.cpp: see api_keys.hpp. Every statement binds its parameters.
#include "store/api_keys.hpp"

#include "store/auth.hpp"

namespace parley::relay {

namespace {

constexpr const char* kCols = "id, tenant_id, name, scopes, created_at, last_used_at, revoked_at";

Result<ApiKey> read_key(const Stmt& q) {
  ApiKey k;
  k.id = q.col_text(0);
  k.tenant_id = q.col_text(1);
  k.name = q.col_text(2);
  auto scopes = ApiScopes::parse(q.col_text(3));
  if (!scopes) {
    return make_error(ErrorCode::internal, "api key " + k.id + ": stored scopes: " + scopes.error().message);
  }
  k.scopes = *scopes;
  k.created_at = q.col_int(4);
  k.last_used_at = q.col_int(5);
  k.revoked_at = q.col_int(6);
  return k;
}

Result<std::optional<ApiKey>> one_key(Stmt& q) {
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<ApiKey>{};
  }
  auto k = read_key(q);
  if (!k) return k.error();
  return std::optional<ApiKey>{std::move(*k)};
}

}  // namespace

std::string new_api_key_id() { return random_id("key_"); }

std::optional<Error> insert_api_key(Db& db, const ApiKey& k, const std::string& key_hash) {
  if (k.id.empty()) return make_error(ErrorCode::missing_field, "an api key needs an id", "id");
  if (k.scopes.empty()) return make_error(ErrorCode::bad_field, "a key needs at least one scope", "scopes");
  Stmt q = db.prepare(
      "INSERT INTO api_keys(id, key_hash, tenant_id, name, scopes, created_at, last_used_at, revoked_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  q.bind(1, k.id)
      .bind(2, key_hash)
      .bind(3, k.tenant_id)
      .bind(4, k.name)
      .bind(5, k.scopes.format())
      .bind(6, k.created_at)
      .bind(7, k.last_used_at)
      .bind(8, k.revoked_at);
  return q.run();
}

Result<std::optional<ApiKey>> find_api_key_by_hash(Db& db, const std::string& key_hash) {
  Stmt q = db.prepare(std::string("SELECT ") + kCols + " FROM api_keys WHERE key_hash = ?1");
  q.bind(1, key_hash);
  return one_key(q);
}

Result<std::optional<ApiKey>> find_api_key(Db& db, const std::string& tenant_id, const std::string& id) {
  Stmt q = db.prepare(std::string("SELECT ") + kCols + " FROM api_keys WHERE id = ?1 AND tenant_id = ?2");
  q.bind(1, id).bind(2, tenant_id);
  return one_key(q);
}

Result<std::vector<ApiKey>> list_api_keys(Db& db, const std::string& tenant_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kCols +
                      " FROM api_keys WHERE tenant_id = ?1 ORDER BY created_at, id");
  q.bind(1, tenant_id);
  std::vector<ApiKey> out;
  while (q.step()) {
    auto k = read_key(q);
    if (!k) return k.error();
    out.push_back(std::move(*k));
  }
  if (q.error()) return *q.error();
  return out;
}

std::optional<Error> revoke_api_key(Db& db, const std::string& tenant_id, const std::string& id, Millis now) {
  {
    Stmt q = db.prepare(
        "UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND tenant_id = ?2 AND revoked_at = 0");
    q.bind(1, id).bind(2, tenant_id).bind(3, now);
    if (auto e = q.run()) return e;
  }
  if (db.changes() > 0) return std::nullopt;
  auto found = find_api_key(db, tenant_id, id);  // already revoked, or not the tenant's?
  if (!found) return found.error();
  if (!found->has_value()) return make_error(ErrorCode::not_found, "no api key " + id, "id");
  return std::nullopt;
}

std::optional<Error> touch_api_key(Db& db, const std::string& id, Millis now) {
  Stmt q = db.prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1");
  q.bind(1, id).bind(2, now);
  return q.run();
}

}  // namespace parley::relay
